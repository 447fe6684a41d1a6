//! Clients in the base: adding, updating and removing them, their custom fields
//! and the index of relations pointing at each client.

use super::id_set::IdSet;
use super::{in_use, unknown, ClientBase};
use crate::client::{Client, Party, Relation, RelationKind};
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::ids::ClientId;
use crate::schema::FieldValue;
use std::collections::{BTreeSet, HashMap};

impl ClientBase {
    // ---- clients -------------------------------------------------------------

    /// Validates and adds a client, assigning a new id (the `id` given is ignored).
    /// Stamps `created_at` when missing and sets `updated_at` to it when missing.
    pub fn add_client(&mut self, client: Client) -> Result<ClientId> {
        self.journaled("add_client", |base| base.add_client_now(client))
    }

    fn add_client_now(&mut self, client: Client) -> Result<ClientId> {
        let id = ClientId(self.next_client);
        let mut client = self
            .validated_client(client, id)
            .map_err(|e| e.or_record(|| "new client".into()))?;
        let now = (self.clock)();
        let created = *client.created_at.get_or_insert(now);
        client.updated_at.get_or_insert(created);
        self.next_client += 1;
        self.touch_client(id);
        self.index_relations(&client);
        self.clients.insert(id, client);
        Ok(id)
    }

    /// Replaces a client (found by `client.id`) after validating it; `updated_at`
    /// is set to now and a missing `created_at` is kept from the stored client.
    pub fn update_client(&mut self, client: Client) -> Result<()> {
        self.journaled("update_client", |base| base.update_client_now(client))
    }

    fn update_client_now(&mut self, client: Client) -> Result<()> {
        let id = client.id;
        let record = || id.to_string();
        let stored_created = match self.clients.get(&id) {
            Some(stored) => stored.created_at,
            None => return Err(unknown(id.to_string()).with_record(record())),
        };
        let mut client = self
            .validated_client(client, id)
            .map_err(|e| e.or_record(record))?;
        if client.created_at.is_none() {
            client.created_at = stored_created;
        }
        let now = (self.clock)();
        client.updated_at = Some(client.created_at.map_or(now, |c| c.max(now)));
        self.touch_client(id);
        let old = self.clients.remove(&id);
        if let Some(old) = &old {
            self.unindex_relations(old);
        }
        self.index_relations(&client);
        self.clients.insert(id, client);
        Ok(())
    }

    /// Removes a client that nothing refers to any more. A client with deals,
    /// activities or incoming relations is a [`ErrorKind::Conflict`].
    pub fn remove_client(&mut self, id: ClientId) -> Result<Client> {
        self.journaled("remove_client", |base| base.remove_client_now(id))
    }

    fn remove_client_now(&mut self, id: ClientId) -> Result<Client> {
        let record = || id.to_string();
        if !self.clients.contains_key(&id) {
            return Err(unknown(id.to_string()).with_record(record()));
        }
        let in_use = |what: &str, n: usize| {
            Error::new(ErrorKind::Conflict, format!("{n} {what} still refer to it"))
                .with_record(record())
        };
        let deals = self.deals_by_client.get(&id).map_or(0, IdSet::len);
        if deals > 0 {
            return Err(in_use("deals", deals));
        }
        let activities = self.activities_by_client.get(&id).map_or(0, IdSet::len);
        if activities > 0 {
            return Err(in_use("activities", activities));
        }
        let incoming = self
            .relations_to
            .get(&id)
            .map_or(0, |s| s.iter().filter(|(from, _)| *from != id).count());
        if incoming > 0 {
            return Err(in_use("relations of other clients", incoming));
        }
        self.touch_client(id);
        let client = self
            .clients
            .remove(&id)
            .ok_or_else(|| unknown(id.to_string()))?;
        self.unindex_relations(&client);
        Ok(client)
    }

    /// The client with `id`, or an [`ErrorKind::UnknownId`] error naming it.
    pub fn client(&self, id: ClientId) -> Result<&Client> {
        self.clients
            .get(&id)
            .ok_or_else(|| unknown(id.to_string()).with_record(id.to_string()))
    }

    /// The client with `id`, or `None` when the base has none (see
    /// [`ClientBase::client`] for an error naming the id).
    pub fn get_client(&self, id: ClientId) -> Option<&Client> {
        self.clients.get(&id)
    }

    /// All clients in id order.
    pub fn clients(&self) -> impl ExactSizeIterator<Item = &Client> + Clone {
        self.clients.values()
    }

    /// Clients whose relations point at `id`, with the relation kind.
    pub fn related_to(&self, id: ClientId) -> impl Iterator<Item = (ClientId, RelationKind)> + '_ {
        self.relations_to.get(&id).into_iter().flatten().copied()
    }

    /// Adds a client under the id it carries when that id is not 0 (CSV import keeps
    /// the ids of an export), otherwise exactly like [`ClientBase::add_client`]. An id
    /// already in use is a [`ErrorKind::Conflict`]; new ids stay above every id inserted.
    #[cfg_attr(not(feature = "csv"), allow(dead_code))]
    pub(crate) fn insert_client(&mut self, client: Client) -> Result<ClientId> {
        let id = client.id;
        if id.0 == 0 {
            return self.add_client(client);
        }
        let record = || id.to_string();
        if self.clients.contains_key(&id) {
            return Err(in_use(id.to_string()).with_record(record()));
        }
        let mut client = self
            .validated_client(client, id)
            .map_err(|e| e.or_record(record))?;
        let now = (self.clock)();
        let created = *client.created_at.get_or_insert(now);
        client.updated_at.get_or_insert(created);
        self.next_client = self.next_client.max(id.0.saturating_add(1));
        self.touch_client(id);
        self.index_relations(&client);
        self.clients.insert(id, client);
        Ok(id)
    }

    /// Replaces the relations of a stored client after checking them, leaving its
    /// stamps alone (CSV import attaches relations once every row is in).
    #[cfg_attr(not(feature = "csv"), allow(dead_code))]
    pub(crate) fn set_relations(&mut self, id: ClientId, relations: Vec<Relation>) -> Result<()> {
        let mut client = self
            .clients
            .get(&id)
            .cloned()
            .ok_or_else(|| unknown(id.to_string()))?;
        client.relations = relations;
        let client = self
            .validated_client(client, id)
            .map_err(|e| e.or_record(|| id.to_string()))?;
        self.touch_client(id);
        if let Some(old) = self.clients.remove(&id) {
            self.unindex_relations(&old);
        }
        self.index_relations(&client);
        self.clients.insert(id, client);
        Ok(())
    }

    pub(crate) fn validated_client(&self, mut client: Client, id: ClientId) -> Result<Client> {
        self.check_client_fields(&mut client, id)?;
        check_relations(&client, |to| self.clients.get(&to))?;
        Ok(client)
    }

    /// Everything [`ClientBase::validated_client`] checks but the relations.
    pub(crate) fn check_client_fields(&self, client: &mut Client, id: ClientId) -> Result<()> {
        client.id = id;
        client.check_own_fields()?;
        for tag in &client.tags {
            self.schema.check_tag(tag)?;
        }
        // Checked in place: rebuilding the map would allocate it anew.
        for (name, value) in client.custom.iter_mut() {
            let given = std::mem::replace(value, FieldValue::Bool(false));
            *value = self.schema.check_value(name, given)?;
        }
        Ok(())
    }

    pub(super) fn index_relations(&mut self, client: &Client) {
        index_relations(&mut self.relations_to, client);
    }

    pub(super) fn unindex_relations(&mut self, client: &Client) {
        for relation in &client.relations {
            if let Some(set) = self.relations_to.get_mut(&relation.to) {
                set.remove(&(client.id, relation.kind));
                if set.is_empty() {
                    self.relations_to.remove(&relation.to);
                }
            }
        }
    }

    /// Whether a client with a Russian tax id is already in the base (companies only).
    pub fn find_company_by_tax_id(&self, tax_id: &str) -> Option<ClientId> {
        self.clients.values().find_map(|c| match &c.party {
            Party::Company(company) if company.tax_id.as_deref() == Some(tax_id) => Some(c.id),
            _ => None,
        })
    }
}

pub(super) fn index_relations(
    relations_to: &mut HashMap<ClientId, BTreeSet<(ClientId, RelationKind)>>,
    client: &Client,
) {
    for relation in &client.relations {
        relations_to
            .entry(relation.to)
            .or_default()
            .insert((client.id, relation.kind));
    }
}

pub(super) fn check_relations<'a>(
    client: &Client,
    lookup: impl Fn(ClientId) -> Option<&'a Client>,
) -> Result<()> {
    let mut seen = BTreeSet::new();
    for (i, relation) in client.relations.iter().enumerate() {
        let field = || format!("relations[{i}]");
        if relation.to == client.id {
            return Err(invalid(field(), "a client cannot be related to itself"));
        }
        let Some(target) = lookup(relation.to) else {
            return Err(unknown(relation.to.to_string()).with_field(field()));
        };
        if relation.kind == RelationKind::EmployeeOf && !target.is_company() {
            return Err(invalid(
                field(),
                format!(
                    "employee_of must point at a company, {} is a person",
                    relation.to
                ),
            ));
        }
        if !seen.insert(*relation) {
            return Err(invalid(
                field(),
                format!(
                    "{} to {} is listed twice",
                    relation.kind.name(),
                    relation.to
                ),
            ));
        }
    }
    Ok(())
}
