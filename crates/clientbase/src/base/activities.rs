//! Activities in the base: adding, updating and removing them, and the indexes
//! by client and by deal.

use super::{unknown, ClientBase};
use crate::activity::Activity;
use crate::error::{invalid, Result};
use crate::ids::{ActivityId, ClientId, DealId};

impl ClientBase {
    /// Validates and adds an activity, assigning a new id.
    pub fn add_activity(&mut self, activity: Activity) -> Result<ActivityId> {
        self.journaled("add_activity", |base| base.add_activity_now(activity))
    }

    fn add_activity_now(&mut self, activity: Activity) -> Result<ActivityId> {
        let id = ActivityId(self.next_activity);
        let activity = self
            .validated_activity(activity, id)
            .map_err(|e| e.or_record(|| "new activity".into()))?;
        self.next_activity += 1;
        self.touch_activity(id);
        self.index_activity(&activity);
        self.activities.insert(id, activity);
        Ok(id)
    }

    /// Replaces an activity (found by `activity.id`) after validating it.
    pub fn update_activity(&mut self, activity: Activity) -> Result<()> {
        self.journaled("update_activity", |base| base.update_activity_now(activity))
    }

    fn update_activity_now(&mut self, activity: Activity) -> Result<()> {
        let id = activity.id;
        let record = || id.to_string();
        if !self.activities.contains_key(&id) {
            return Err(unknown(id.to_string()).with_record(record()));
        }
        let activity = self
            .validated_activity(activity, id)
            .map_err(|e| e.or_record(record))?;
        self.touch_activity(id);
        if let Some(old) = self.activities.remove(&id) {
            self.unindex_activity(&old);
        }
        self.index_activity(&activity);
        self.activities.insert(id, activity);
        Ok(())
    }

    /// Removes an activity.
    pub fn remove_activity(&mut self, id: ActivityId) -> Result<Activity> {
        self.journaled("remove_activity", |base| {
            base.touch_activity(id);
            base.remove_activity_now(id)
        })
    }

    fn remove_activity_now(&mut self, id: ActivityId) -> Result<Activity> {
        let activity = self
            .activities
            .remove(&id)
            .ok_or_else(|| unknown(id.to_string()).with_record(id.to_string()))?;
        self.unindex_activity(&activity);
        Ok(activity)
    }

    /// The activity with `id`, or an [`ErrorKind::UnknownId`] error naming it.
    pub fn activity(&self, id: ActivityId) -> Result<&Activity> {
        self.activities
            .get(&id)
            .ok_or_else(|| unknown(id.to_string()).with_record(id.to_string()))
    }

    /// The activity with `id`, or `None` when the base has none (see
    /// [`ClientBase::activity`] for an error naming the id).
    pub fn get_activity(&self, id: ActivityId) -> Option<&Activity> {
        self.activities.get(&id)
    }

    /// All activities in id order.
    pub fn activities(&self) -> impl ExactSizeIterator<Item = &Activity> + Clone {
        self.activities.values()
    }

    /// The activities of a client in id order.
    pub fn activities_of(&self, client: ClientId) -> impl Iterator<Item = &Activity> + '_ {
        self.activities_by_client
            .get(&client)
            .into_iter()
            .flatten()
            .filter_map(|id| self.activities.get(id))
    }

    /// The activities linked to a deal in id order.
    pub fn activities_of_deal(&self, deal: DealId) -> impl Iterator<Item = &Activity> + '_ {
        self.activities_by_deal
            .get(&deal)
            .into_iter()
            .flatten()
            .filter_map(|id| self.activities.get(id))
    }

    pub(super) fn validated_activity(
        &self,
        mut activity: Activity,
        id: ActivityId,
    ) -> Result<Activity> {
        check_activity(
            &mut activity,
            id,
            |client| self.clients.contains_key(&client),
            |deal| self.deals.get(&deal).map(|d| d.client),
        )?;
        Ok(activity)
    }

    pub(super) fn index_activity(&mut self, activity: &Activity) {
        self.activities_by_client
            .entry(activity.client)
            .or_default()
            .insert(activity.id);
        if let Some(deal) = activity.deal {
            self.activities_by_deal
                .entry(deal)
                .or_default()
                .insert(activity.id);
        }
    }

    pub(super) fn unindex_activity(&mut self, activity: &Activity) {
        if let Some(set) = self.activities_by_client.get_mut(&activity.client) {
            set.remove(&activity.id);
        }
        if let Some(deal) = activity.deal {
            if let Some(set) = self.activities_by_deal.get_mut(&deal) {
                set.remove(&activity.id);
            }
        }
    }
}

/// deal it may refer to.
pub(super) fn check_activity(
    activity: &mut Activity,
    id: ActivityId,
    client_exists: impl Fn(ClientId) -> bool,
    deal_client: impl Fn(DealId) -> Option<ClientId>,
) -> Result<()> {
    activity.id = id;
    if !client_exists(activity.client) {
        return Err(unknown(activity.client.to_string()).with_field("client"));
    }
    if let Some(deal_id) = activity.deal {
        match deal_client(deal_id) {
            None => return Err(unknown(deal_id.to_string()).with_field("deal")),
            Some(client) if client != activity.client => {
                return Err(invalid(
                    "deal",
                    format!("{deal_id} belongs to {client}, not {}", activity.client),
                ))
            }
            Some(_) => {}
        }
    }
    activity.check_own_fields()
}
