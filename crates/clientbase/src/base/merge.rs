//! Merging the records of one client into a survivor, losing nothing, and
//! undoing a merge exactly.

use super::ClientBase;
use crate::activity::Activity;
use crate::client::{Client, Consent, ConsentState, Relation};
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::ids::{ActivityId, ClientId, DealId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// How the survivor's value of a field is chosen from the merged records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Survivorship {
    /// The value of the most recently updated record that has one.
    MostRecent,
    /// The fullest value (the longest text; for a name, the one with the most parts).
    MostComplete,
    /// The value most records share; ties go to the most recent.
    MostFrequent,
    /// The value of the record whose `source` comes first in this list
    /// (records from other sources after them, most recent first).
    SourcePriority(Vec<String>),
    /// The value of this record, even when it has none.
    Manual(ClientId),
}

/// The fields survivorship rules choose (everything else is united).
pub const MERGE_FIELDS: [&str; 13] = [
    "party",
    "birthday",
    "city",
    "region",
    "postcode",
    "address",
    "owner",
    "source",
    "stage",
    "temperature",
    "behaviour",
    "loyalty_percent",
    "can_refer",
];

/// Survivorship rules: one for every field unless a field has its own.
/// Custom fields are named `custom.<name>`.
///
/// Contact points (phones, emails, messengers), tags, relations and consents
/// are not chosen but united: every contact point of every record survives
/// once, and for each consent the strictest wins (a withdrawal in any record
/// beats a consent in another; otherwise the latest consent stands).
///
/// In JSON both keys are optional (`default` is most recent, `fields` empty) and
/// an unknown key is an error naming it: `{"default": "most_recent", "fields":
/// {"city": "most_frequent"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MergeRules {
    /// The rule for fields without their own (default: most recent).
    pub default: Survivorship,
    /// Rules for single fields (`city`, `custom.rooms`, …).
    #[serde(default)]
    pub fields: BTreeMap<String, Survivorship>,
}

impl Default for MergeRules {
    fn default() -> MergeRules {
        MergeRules {
            default: Survivorship::MostRecent,
            fields: BTreeMap::new(),
        }
    }
}

impl MergeRules {
    /// Rules that use `rule` for every field.
    pub fn new(rule: Survivorship) -> MergeRules {
        MergeRules {
            default: rule,
            fields: BTreeMap::new(),
        }
    }

    /// Uses `rule` for one field.
    pub fn with_field(mut self, field: &str, rule: Survivorship) -> MergeRules {
        self.fields.insert(field.to_string(), rule);
        self
    }

    fn rule(&self, field: &str) -> &Survivorship {
        self.fields.get(field).unwrap_or(&self.default)
    }

    fn check(&self, members: &[ClientId]) -> Result<()> {
        let check_rule = |field: &str, rule: &Survivorship| match rule {
            Survivorship::Manual(id) if !members.contains(id) => Err(invalid(
                field.to_string(),
                format!("the manual choice {id} is not one of the merged records"),
            )),
            _ => Ok(()),
        };
        check_rule("rules", &self.default)?;
        for (field, rule) in &self.fields {
            if !MERGE_FIELDS.contains(&field.as_str()) && !field.starts_with("custom.") {
                return Err(invalid(
                    field.clone(),
                    format!(
                        "no such field to choose; fields are {} and custom.<name>",
                        MERGE_FIELDS.join(", ")
                    ),
                ));
            }
            check_rule(field, rule)?;
        }
        Ok(())
    }
}

/// Everything a merge changed, to undo it exactly. Read back from JSON, an
/// unknown key is an error naming it (a record that lost a key cannot undo).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeRecord {
    /// The record that stays.
    pub survivor: ClientId,
    /// The records merged into it (removed from the base).
    pub merged: Vec<ClientId>,
    /// When the merge was made.
    pub at: DateTime<Utc>,
    /// Every merged record and the survivor as they were before.
    pub before: Vec<Client>,
    /// The survivor as the merge left it.
    pub after: Client,
    /// Other clients whose relations pointed at a merged record, as they were.
    pub relinked: Vec<Client>,
    /// The same clients after their relations were pointed at the survivor.
    pub relinked_after: Vec<Client>,
    /// Deals moved to the survivor, with the client they had.
    pub deals: Vec<(DealId, ClientId)>,
    /// Activities moved to the survivor, with the client they had.
    pub activities: Vec<(ActivityId, ClientId)>,
}

impl ClientBase {
    /// Merges `others` into `survivor`: fields chosen by `rules`, contact
    /// points, tags, relations and consents united, every deal and activity
    /// moved to the survivor, the others removed. The merge is logged in the
    /// base ([`ClientBase::merges`]) and its record returned;
    /// [`ClientBase::undo_merge`] takes it to restore the base exactly (and
    /// takes it off the log).
    ///
    /// ```
    /// use clientbase::{Client, ClientBase, MergeRules};
    /// let mut base = ClientBase::default();
    /// let a = base.add_client(Client::person("Иванов", "Сергей", Some("Петрович")).with_phone("8 916 123-45-67"))?;
    /// let b = base.add_client(Client::person("Ivanov", "Sergey", None).with_email("ivanov@mail.ru"))?;
    /// let before = base.clone();
    /// let record = base.merge_clients(a, &[b], &MergeRules::default())?;
    /// let merged = base.client(a)?;
    /// assert_eq!((merged.phones.len(), merged.emails.len()), (1, 1));
    /// assert!(base.get_client(b).is_none());
    /// base.undo_merge(&record)?;
    /// assert!(base == before);
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn merge_clients(
        &mut self,
        survivor: ClientId,
        others: &[ClientId],
        rules: &MergeRules,
    ) -> Result<MergeRecord> {
        self.journaled("merge_clients", |base| {
            base.merge_clients_now(survivor, others, rules)
        })
    }

    fn merge_clients_now(
        &mut self,
        survivor: ClientId,
        others: &[ClientId],
        rules: &MergeRules,
    ) -> Result<MergeRecord> {
        let record = || survivor.to_string();
        if others.is_empty() {
            return Err(invalid(
                "others",
                "no client to merge: the list of clients to merge into it is empty",
            )
            .with_record(record()));
        }
        let mut members = vec![survivor];
        for id in others {
            if members.contains(id) {
                return Err(invalid("others", format!("{id} is given twice")).with_record(record()));
            }
            members.push(*id);
        }
        let before: Vec<Client> = members
            .iter()
            .map(|id| self.client(*id).cloned())
            .collect::<Result<_>>()?;
        if let Some(other) = before
            .iter()
            .find(|c| c.is_company() != before[0].is_company())
        {
            let kind = |c: &Client| {
                if c.is_company() {
                    "a company"
                } else {
                    "a person"
                }
            };
            return Err(Error::new(
                ErrorKind::Conflict,
                format!(
                    "{} is {} and {} is {}: they are not the same client",
                    survivor,
                    kind(&before[0]),
                    other.id,
                    kind(other)
                ),
            )
            .with_record(record())
            .with_field("party"));
        }
        rules.check(&members).map_err(|e| e.or_record(record))?;
        let now = (self.clock)();
        let mut after = merged_client(&before, rules, &members)?;
        after.id = survivor;
        after.updated_at = Some(now.max(after.created_at.unwrap_or(now)));
        let after = self
            .validated_client(after, survivor)
            .map_err(|e| e.or_record(record))?;

        // Other clients that point at a merged record point at the survivor instead.
        let merged_ids: BTreeSet<ClientId> = others.iter().copied().collect();
        let mut pointing: BTreeSet<ClientId> = BTreeSet::new();
        for id in &merged_ids {
            for (from, _) in self.related_to(*id) {
                if !members.contains(&from) {
                    pointing.insert(from);
                }
            }
        }
        let relinked: Vec<Client> = pointing
            .iter()
            .map(|id| self.client(*id).cloned())
            .collect::<Result<_>>()?;
        let relinked_after: Vec<Client> = relinked
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c.relations = repointed(&c.relations, &merged_ids, survivor, c.id);
                c
            })
            .collect();

        let deals: Vec<(DealId, ClientId)> = others
            .iter()
            .flat_map(|id| self.deals_of(*id).map(move |d| (d.id, *id)))
            .collect();
        let activities: Vec<(ActivityId, ClientId)> = others
            .iter()
            .flat_map(|id| self.activities_of(*id).map(move |a| (a.id, *id)))
            .collect();

        // Nothing can fail from here on.
        for (id, _) in &deals {
            self.move_deal(*id, survivor);
        }
        for (id, _) in &activities {
            self.move_activity(*id, survivor);
        }
        for c in &relinked_after {
            self.put_client(c.clone());
        }
        for id in others {
            self.take_client(*id);
        }
        self.put_client(after.clone());
        let record = MergeRecord {
            survivor,
            merged: others.to_vec(),
            at: now,
            before,
            after,
            relinked,
            relinked_after,
            deals,
            activities,
        };
        self.touch_merge_pushed();
        self.merges.push(record.clone());
        Ok(record)
    }

    /// The merge log: every merge made and not undone, oldest first. It is
    /// part of the base's JSON, so a merge can be undone after a restart.
    pub fn merges(&self) -> &[MergeRecord] {
        &self.merges
    }

    /// Undoes a merge: the merged records come back with their ids, the
    /// survivor, deals, activities and other clients' relations are as they
    /// were. Refused (a [`ErrorKind::Conflict`]) when any of them changed since
    /// the merge, so no later edit is lost silently.
    pub fn undo_merge(&mut self, merge: &MergeRecord) -> Result<()> {
        self.journaled("undo_merge", |base| base.undo_merge_now(merge))
    }

    fn undo_merge_now(&mut self, merge: &MergeRecord) -> Result<()> {
        let conflict = |what: String| {
            Error::new(
                ErrorKind::Conflict,
                format!("cannot undo the merge: {what} changed since"),
            )
            .with_record(merge.survivor.to_string())
        };
        if self.get_client(merge.survivor) != Some(&merge.after) {
            return Err(conflict(format!("the survivor {}", merge.survivor)));
        }
        for c in &merge.relinked_after {
            if self.get_client(c.id) != Some(c) {
                return Err(conflict(format!("client {}", c.id)));
            }
        }
        for id in &merge.merged {
            if self.get_client(*id).is_some() {
                return Err(conflict(format!("{id} exists again and")));
            }
        }
        for (id, _) in &merge.deals {
            if self.get_deal(*id).map(|d| d.client) != Some(merge.survivor) {
                return Err(conflict(format!("deal {id}")));
            }
        }
        for (id, _) in &merge.activities {
            if self.get_activity(*id).map(|a| a.client) != Some(merge.survivor) {
                return Err(conflict(format!("activity {id}")));
            }
        }
        for c in &merge.before {
            self.take_client(c.id);
            self.put_client(c.clone());
        }
        for c in &merge.relinked {
            self.put_client(c.clone());
        }
        for (id, client) in &merge.deals {
            self.move_deal(*id, *client);
        }
        for (id, client) in &merge.activities {
            self.move_activity(*id, *client);
        }
        if let Some(at) = self.merges.iter().rposition(|m| m == merge) {
            self.touch_merge_removed(at);
            self.merges.remove(at);
        }
        Ok(())
    }

    /// The base's clock.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Stores a checked client as it is, replacing the stored one.
    fn put_client(&mut self, client: Client) {
        self.take_client(client.id);
        self.touch_client(client.id);
        self.index_relations(&client);
        self.clients.insert(client.id, client);
    }

    /// Removes a client without checks (its references are moved first).
    fn take_client(&mut self, id: ClientId) -> Option<Client> {
        self.touch_client(id);
        let client = self.clients.remove(&id)?;
        self.unindex_relations(&client);
        Some(client)
    }

    fn move_deal(&mut self, id: DealId, to: ClientId) {
        self.touch_deal(id);
        let Some(deal) = self.deals.get_mut(&id) else {
            return;
        };
        let from = std::mem::replace(&mut deal.client, to);
        if let Some(set) = self.deals_by_client.get_mut(&from) {
            set.remove(&id);
            if set.is_empty() {
                self.deals_by_client.remove(&from);
            }
        }
        self.deals_by_client.entry(to).or_default().insert(id);
    }

    fn move_activity(&mut self, id: ActivityId, to: ClientId) {
        self.touch_activity(id);
        let Some(activity) = self.activities.get(&id).cloned() else {
            return;
        };
        self.unindex_activity(&activity);
        let moved = Activity {
            client: to,
            ..activity
        };
        self.index_activity(&moved);
        self.activities.insert(id, moved);
    }
}

/// Relations pointed from merged records to the survivor, without repeats or
/// relations of a client to itself.
fn repointed(
    relations: &[Relation],
    merged: &BTreeSet<ClientId>,
    survivor: ClientId,
    own: ClientId,
) -> Vec<Relation> {
    let mut out: Vec<Relation> = Vec::with_capacity(relations.len());
    for r in relations {
        let to = if merged.contains(&r.to) {
            survivor
        } else {
            r.to
        };
        if to != own && !out.iter().any(|o| o.kind == r.kind && o.to == to) {
            out.push(Relation { to, ..*r });
        }
    }
    out
}

/// The most recent first: by `updated_at`, then `created_at`, then the larger id.
fn recency_order(records: &[Client]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|a, b| {
        let (x, y) = (&records[*a], &records[*b]);
        (y.updated_at, y.created_at, y.id).cmp(&(x.updated_at, x.created_at, x.id))
    });
    order
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty) || o.is_empty(),
        _ => false,
    }
}

/// How full a value is: text length, or the filled parts of a name.
fn completeness(value: &Value) -> usize {
    match value {
        Value::Null => 0,
        Value::String(s) => s.trim().chars().count(),
        Value::Object(o) => {
            o.values().filter(|v| !is_empty(v)).count() * 1000
                + o.values().map(completeness).sum::<usize>()
        }
        Value::Array(a) => a.iter().map(completeness).sum(),
        other => other.to_string().len(),
    }
}

/// Chooses one field's value among the records' values by `rule`.
fn choose(
    values: &[(ClientId, Option<&Value>)],
    sources: &[Option<&str>],
    order: &[usize],
    rule: &Survivorship,
) -> Option<Value> {
    let present = |i: &usize| values[*i].1.is_some_and(|v| !is_empty(v));
    let value = |i: usize| values[i].1.cloned();
    match rule {
        Survivorship::Manual(id) => values
            .iter()
            .find(|(c, _)| c == id)
            .and_then(|(_, v)| v.cloned()),
        Survivorship::MostRecent => order.iter().copied().find(present).and_then(value),
        Survivorship::MostComplete => order
            .iter()
            .copied()
            .filter(present)
            // The first of the fullest in recency order.
            .fold(None::<(usize, usize)>, |best, i| {
                let c = values[i].1.map_or(0, completeness);
                match best {
                    Some((_, bc)) if bc >= c => best,
                    _ => Some((i, c)),
                }
            })
            .and_then(|(i, _)| value(i)),
        Survivorship::MostFrequent => {
            let mut best: Option<(usize, usize)> = None;
            for i in order.iter().copied().filter(present) {
                let count = values
                    .iter()
                    .filter(|(_, v)| v.is_some() && *v == values[i].1)
                    .count();
                if best.is_none_or(|(_, c)| count > c) {
                    best = Some((i, count));
                }
            }
            best.and_then(|(i, _)| value(i))
        }
        Survivorship::SourcePriority(list) => {
            let rank = |i: usize| {
                sources[i]
                    .and_then(|s| list.iter().position(|p| p == s))
                    .unwrap_or(list.len())
            };
            let mut candidates: Vec<usize> = order.iter().copied().filter(present).collect();
            candidates.sort_by_key(|i| rank(*i));
            candidates.first().copied().and_then(value)
        }
    }
}

/// The stricter of two consents: a withdrawal beats a consent, then the later wins.
fn stricter(a: Option<Consent>, b: Option<Consent>) -> Option<Consent> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(x), Some(y)) => {
            let withdrawn = |c: &Consent| c.state == ConsentState::Withdrawn;
            Some(match (withdrawn(&x), withdrawn(&y)) {
                (true, false) => x,
                (false, true) => y,
                _ if y.date > x.date => y,
                _ => x,
            })
        }
    }
}

/// The survivor made from every record of the client (survivor first).
fn merged_client(records: &[Client], rules: &MergeRules, members: &[ClientId]) -> Result<Client> {
    let order = recency_order(records);
    let json: Vec<Map<String, Value>> = records
        .iter()
        .map(|c| match serde_json::to_value(c) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(Error::new(ErrorKind::Json, "a client did not serialize")),
        })
        .collect::<Result<_>>()?;
    let sources: Vec<Option<&str>> = records.iter().map(|c| c.source.as_deref()).collect();
    let mut out = json[0].clone();
    for field in MERGE_FIELDS {
        let values: Vec<(ClientId, Option<&Value>)> = records
            .iter()
            .zip(&json)
            .map(|(c, j)| (c.id, j.get(field)))
            .collect();
        match choose(&values, &sources, &order, rules.rule(field)) {
            Some(v) => out.insert(field.to_string(), v),
            None => out.remove(field),
        };
    }
    let mut merged: Client = serde_json::from_value(Value::Object(out))
        .map_err(|e| Error::new(ErrorKind::Json, format!("merged client: {e}")))?;

    // Custom fields: each chosen on its own.
    let names: BTreeSet<&String> = records.iter().flat_map(|c| c.custom.keys()).collect();
    merged.custom.clear();
    for name in names {
        let values: Vec<(ClientId, Option<Value>)> = records
            .iter()
            .map(|c| {
                (
                    c.id,
                    c.custom
                        .get(name)
                        .and_then(|v| serde_json::to_value(v).ok()),
                )
            })
            .collect();
        let borrowed: Vec<(ClientId, Option<&Value>)> =
            values.iter().map(|(id, v)| (*id, v.as_ref())).collect();
        let rule = rules.rule(&format!("custom.{name}"));
        if let Some(v) = choose(&borrowed, &sources, &order, rule) {
            let value = serde_json::from_value(v)
                .map_err(|e| Error::new(ErrorKind::Json, format!("custom field {name}: {e}")))?;
            merged.custom.insert(name.clone(), value);
        }
    }

    // United: contact points once each (the stricter consent of repeats), tags,
    // relations outside the merged group, consents.
    merged.phones.clear();
    merged.emails.clear();
    merged.messengers.clear();
    merged.relations.clear();
    merged.consents = Default::default();
    for i in std::iter::once(0).chain(order.iter().copied().filter(|i| *i != 0)) {
        let c = &records[i];
        for phone in &c.phones {
            let same = |p: &crate::client::Phone| match (&p.e164, &phone.e164) {
                (Some(x), Some(y)) => x == y && p.extension == phone.extension,
                _ => p.raw.trim() == phone.raw.trim(),
            };
            match merged.phones.iter_mut().find(|p| same(p)) {
                Some(p) => p.consent = stricter(p.consent, phone.consent),
                None => merged.phones.push(phone.clone()),
            }
        }
        for email in &c.emails {
            let key = |e: &crate::client::Email| {
                e.normalized
                    .clone()
                    .unwrap_or_else(|| e.raw.trim().to_lowercase())
            };
            match merged.emails.iter_mut().find(|e| key(e) == key(email)) {
                Some(e) => e.consent = stricter(e.consent, email.consent),
                None => merged.emails.push(email.clone()),
            }
        }
        for messenger in &c.messengers {
            match merged
                .messengers
                .iter_mut()
                .find(|m| m.kind == messenger.kind && m.id == messenger.id)
            {
                Some(m) => m.consent = stricter(m.consent, messenger.consent),
                None => merged.messengers.push(messenger.clone()),
            }
        }
        merged.tags.extend(c.tags.iter().cloned());
        for r in &c.relations {
            if !members.contains(&r.to)
                && !merged
                    .relations
                    .iter()
                    .any(|o| o.kind == r.kind && o.to == r.to)
            {
                merged.relations.push(*r);
            }
        }
        merged.consents.personal_data =
            stricter(merged.consents.personal_data, c.consents.personal_data);
        for (channel, consent) in &c.consents.marketing {
            let current = merged.consents.marketing.get(channel).copied();
            if let Some(s) = stricter(current, Some(*consent)) {
                merged.consents.marketing.insert(*channel, s);
            }
        }
    }
    merged.created_at = records.iter().filter_map(|c| c.created_at).min();
    Ok(merged)
}
