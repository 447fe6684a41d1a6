//! A restricted copy of a base: the clients one actor may see, with their
//! deals and activities, for [`View`](crate::access::View).

use super::clients::index_relations;
use super::{Attached, ClientBase};
use crate::client::Client;
use crate::ids::ClientId;
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
    /// kept: deals and activities are reached through the per-client indexes.
    pub(crate) fn restricted_copy(
        &self,
        keep: impl Fn(&Client) -> bool,
        mask: impl Fn(&mut Client),
        actor: &str,
    ) -> ClientBase {
        let kept: BTreeSet<ClientId> = self
            .clients
            .iter()
            .filter(|(_, client)| keep(client))
            .map(|(id, _)| *id)
            .collect();
        let mut clients = BTreeMap::new();
        let mut relations_to = HashMap::new();
        let mut deals = BTreeMap::new();
        let mut activities = BTreeMap::new();
        let mut deals_by_client = HashMap::new();
        let mut activities_by_client = HashMap::new();
        let mut activities_by_deal = HashMap::new();
        for &id in &kept {
            let mut client = self.clients[&id].clone();
            client.relations.retain(|r| kept.contains(&r.to));
            mask(&mut client);
            index_relations(&mut relations_to, &client);
            clients.insert(id, client);
            if let Some(ids) = self.deals_by_client.get(&id) {
                for deal in ids {
                    deals.insert(*deal, self.deals[deal].clone());
                    if let Some(acts) = self.activities_by_deal.get(deal) {
                        activities_by_deal.insert(*deal, acts.clone());
                    }
                }
                deals_by_client.insert(id, ids.clone());
            }
            if let Some(ids) = self.activities_by_client.get(&id) {
                for activity in ids {
                    activities.insert(*activity, self.activities[activity].clone());
                }
                activities_by_client.insert(id, ids.clone());
            }
        }
        ClientBase {
            schema: self.schema.clone(),
            clients,
            deals,
            activities,
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
        }
    }
}
