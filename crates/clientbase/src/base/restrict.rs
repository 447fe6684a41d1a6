//! A restricted copy of a base: the clients one actor may see, with their
//! deals and activities, for [`View`](crate::access::View).

use super::clients::index_relations;
use super::id_set::IdSet;
use super::{Attached, ClientBase};
use crate::batch::{map_column, sort_unstable};
use crate::client::Client;
use crate::ids::{ActivityId, ClientId, DealId};
use std::collections::{BTreeMap, BTreeSet, HashMap};

impl ClientBase {
    /// A copy holding only the clients `keep` accepts, each changed by `mask`,
    /// with their deals and activities; relations to clients left out are
    /// dropped, and so is the merge log (its records hold clients of any
    /// owner). The copy is in memory, keeps the schema, clock and id counters,
    /// and names `actor` as its actor. Nothing is checked again: the records
    /// were valid in this base and `mask` only blanks contact points.
    ///
    /// The work is one pass over the clients and then proportional to what is
    /// kept: deals and activities are reached through the per-client indexes,
    /// cloned on all cores (with the `parallel` feature) and the maps built
    /// from sorted runs.
    pub(crate) fn restricted_copy(
        &self,
        keep: impl Fn(&Client) -> bool + Sync,
        mask: impl Fn(&mut Client) + Sync,
        actor: &str,
    ) -> ClientBase {
        let kept: Vec<ClientId> = self
            .clients
            .iter()
            .filter(|(_, client)| keep(client))
            .map(|(id, _)| *id)
            .collect();
        let kept_set: BTreeSet<ClientId> = kept.iter().copied().collect();
        let clients: Vec<(ClientId, Client)> = map_column(&kept, |id| {
            let mut client = self.clients[id].clone();
            client.relations.retain(|r| kept_set.contains(&r.to));
            mask(&mut client);
            (*id, client)
        });
        let mut deal_ids: Vec<DealId> = kept
            .iter()
            .filter_map(|id| self.deals_by_client.get(id))
            .flatten()
            .copied()
            .collect();
        sort_unstable(&mut deal_ids);
        let mut activity_ids: Vec<ActivityId> = kept
            .iter()
            .filter_map(|id| self.activities_by_client.get(id))
            .flatten()
            .copied()
            .collect();
        sort_unstable(&mut activity_ids);
        let deals = map_column(&deal_ids, |id| (*id, self.deals[id].clone()));
        let activities = map_column(&activity_ids, |id| (*id, self.activities[id].clone()));

        let mut relations_to = HashMap::new();
        for (_, client) in &clients {
            index_relations(&mut relations_to, client);
        }
        let deals_by_client = pick(&kept, &self.deals_by_client);
        let activities_by_client = pick(&kept, &self.activities_by_client);
        let activities_by_deal = pick(&deal_ids, &self.activities_by_deal);
        ClientBase {
            schema: self.schema.clone(),
            // Sorted runs: the maps are built in one pass.
            clients: BTreeMap::from_iter(clients),
            deals: BTreeMap::from_iter(deals),
            activities: BTreeMap::from_iter(activities),
            next_client: self.next_client,
            next_deal: self.next_deal,
            next_activity: self.next_activity,
            deals_by_client,
            activities_by_client,
            activities_by_deal,
            relations_to,
            merges: Vec::new(),
            clock: self.clock.clone(),
            actor: Some(actor.to_string()),
            version: 0,
            journal: Attached::default(),
            columns: crate::columns::Cache::default(),
        }
    }
}

/// The entries of `index` under `ids`.
fn pick<K, V>(ids: &[K], index: &HashMap<K, IdSet<V>>) -> HashMap<K, IdSet<V>>
where
    K: Copy + Eq + std::hash::Hash,
    V: Clone,
{
    ids.iter()
        .filter_map(|id| Some((*id, index.get(id)?.clone())))
        .collect()
}
