//! Deals in the base: adding, updating and removing them, checked against their
//! client, the accounting currency and the deals they renew.

use super::id_set::IdSet;
use super::{in_use, unknown, ClientBase};
use crate::deal::{Deal, DealStatus};
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::ids::{ClientId, DealId};

impl ClientBase {
    /// Validates and adds a deal, assigning a new id.
    pub fn add_deal(&mut self, deal: Deal) -> Result<DealId> {
        self.journaled("add_deal", |base| base.add_deal_now(deal))
    }

    fn add_deal_now(&mut self, deal: Deal) -> Result<DealId> {
        let id = DealId(self.next_deal);
        let mut deal = self
            .validated_deal(deal, id)
            .map_err(|e| e.or_record(|| "new deal".into()))?;
        deal.created_at.get_or_insert_with(|| (self.clock)());
        self.next_deal += 1;
        self.touch_deal(id);
        self.deals_by_client
            .entry(deal.client)
            .or_default()
            .insert(id);
        self.deals.insert(id, deal);
        Ok(id)
    }

    /// Replaces a deal (found by `deal.id`) after validating it. The deal may move
    /// to another client only if it has no activities.
    pub fn update_deal(&mut self, deal: Deal) -> Result<()> {
        self.journaled("update_deal", |base| base.update_deal_now(deal))
    }

    fn update_deal_now(&mut self, deal: Deal) -> Result<()> {
        let id = deal.id;
        let record = || id.to_string();
        let Some(old) = self.deals.get(&id) else {
            return Err(unknown(id.to_string()).with_record(record()));
        };
        let (old_client, old_created) = (old.client, old.created_at);
        let mut deal = self
            .validated_deal(deal, id)
            .map_err(|e| e.or_record(record))?;
        if deal.client != old_client
            && self
                .activities_by_deal
                .get(&id)
                .is_some_and(|s| !s.is_empty())
        {
            return Err(Error::new(
                ErrorKind::Conflict,
                "a deal with activities cannot move to another client",
            )
            .with_record(record())
            .with_field("client"));
        }
        if deal.created_at.is_none() {
            deal.created_at = old_created;
        }
        self.touch_deal(id);
        if deal.client != old_client {
            if let Some(set) = self.deals_by_client.get_mut(&old_client) {
                set.remove(&id);
            }
            self.deals_by_client
                .entry(deal.client)
                .or_default()
                .insert(id);
        }
        self.deals.insert(id, deal);
        Ok(())
    }

    /// Removes a deal that no activity and no other deal refers to.
    pub fn remove_deal(&mut self, id: DealId) -> Result<Deal> {
        self.journaled("remove_deal", |base| base.remove_deal_now(id))
    }

    fn remove_deal_now(&mut self, id: DealId) -> Result<Deal> {
        let record = || id.to_string();
        if !self.deals.contains_key(&id) {
            return Err(unknown(id.to_string()).with_record(record()));
        }
        if let Some(n) = self
            .activities_by_deal
            .get(&id)
            .map(IdSet::len)
            .filter(|n| *n > 0)
        {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("{n} activities still refer to it"),
            )
            .with_record(record()));
        }
        if let Some(other) = self
            .deals
            .values()
            .find(|d| d.status == DealStatus::DuplicateOf(id))
        {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("{} is marked as its duplicate", other.id),
            )
            .with_record(record()));
        }
        self.touch_deal(id);
        let deal = self
            .deals
            .remove(&id)
            .ok_or_else(|| unknown(id.to_string()))?;
        if let Some(set) = self.deals_by_client.get_mut(&deal.client) {
            set.remove(&id);
        }
        Ok(deal)
    }

    /// The deal with `id`, or an [`ErrorKind::UnknownId`] error naming it.
    pub fn deal(&self, id: DealId) -> Result<&Deal> {
        self.deals
            .get(&id)
            .ok_or_else(|| unknown(id.to_string()).with_record(id.to_string()))
    }

    /// The deal with `id`, or `None` when the base has none (see
    /// [`ClientBase::deal`] for an error naming the id).
    pub fn get_deal(&self, id: DealId) -> Option<&Deal> {
        self.deals.get(&id)
    }

    /// All deals in id order.
    pub fn deals(&self) -> impl ExactSizeIterator<Item = &Deal> + Clone {
        self.deals.values()
    }

    /// The deals of a client in id order.
    pub fn deals_of(&self, client: ClientId) -> impl Iterator<Item = &Deal> + '_ {
        self.deals_by_client
            .get(&client)
            .into_iter()
            .flatten()
            .filter_map(|id| self.deals.get(id))
    }

    /// Adds a deal under the id it carries when that id is not 0 (CSV import keeps
    /// the ids of an export), otherwise exactly like [`ClientBase::add_deal`]. An id
    /// already in use is a [`ErrorKind::Conflict`]; new ids stay above every id inserted.
    #[cfg_attr(not(feature = "csv"), allow(dead_code))]
    pub(crate) fn insert_deal(&mut self, deal: Deal) -> Result<DealId> {
        let id = deal.id;
        if id.0 == 0 {
            return self.add_deal(deal);
        }
        let record = || id.to_string();
        if self.deals.contains_key(&id) {
            return Err(in_use(id.to_string()).with_record(record()));
        }
        let mut deal = self
            .validated_deal(deal, id)
            .map_err(|e| e.or_record(record))?;
        deal.created_at.get_or_insert_with(|| (self.clock)());
        self.next_deal = self.next_deal.max(id.0.saturating_add(1));
        self.touch_deal(id);
        self.deals_by_client
            .entry(deal.client)
            .or_default()
            .insert(id);
        self.deals.insert(id, deal);
        Ok(id)
    }

    pub(super) fn validated_deal(&self, mut deal: Deal, id: DealId) -> Result<Deal> {
        self.check_deal(
            &mut deal,
            id,
            |client| self.clients.contains_key(&client),
            |deal| self.deals.contains_key(&deal),
        )?;
        Ok(deal)
    }

    /// Checks a deal that is to get `id`; the `*_exists` functions say which
    /// records it may refer to.
    pub(super) fn check_deal(
        &self,
        deal: &mut Deal,
        id: DealId,
        client_exists: impl Fn(ClientId) -> bool,
        deal_exists: impl Fn(DealId) -> bool,
    ) -> Result<()> {
        deal.id = id;
        if !client_exists(deal.client) {
            return Err(unknown(deal.client.to_string()).with_field("client"));
        }
        deal.check_own_fields(self.schema.currency())?;
        if let DealStatus::DuplicateOf(original) = deal.status {
            if original == id {
                return Err(invalid("status", "a deal cannot duplicate itself"));
            }
            if !deal_exists(original) {
                return Err(unknown(original.to_string()).with_field("status"));
            }
        }
        Ok(())
    }
}
