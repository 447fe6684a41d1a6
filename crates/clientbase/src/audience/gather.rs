//! Audiences over the columnar snapshot: the segment over its columns, each
//! client judged on the channel's contact columns
//! ([`crate::columns::contacts`]), duplicates collapsed by interned key, and
//! the tables gathered from the columns. The same audience as
//! [`Audience::build`] on the records, row for row.

use super::build::{merge_by_client, scope_in, Audience, AudienceParams, NameKey, Readers};
use super::build::{AudienceSummary, Excluded};
use super::{AudienceChannel, Purpose, Reason};
use crate::base::ClientBase;
use crate::columns::contacts::{ChannelContacts, People, WITHDRAWN};
use crate::columns::Columns;
use crate::error::{invalid, Result};
use crate::ids::ClientId;
use crate::segment::SegmentParams;
use crate::table::{Column, Table};
use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;
use std::sync::Arc;

/// An audience built one way or the other.
pub(crate) enum Outcome<'a> {
    /// On the records (the first read after a write).
    Records(Audience<'a>),
    /// Over the snapshot.
    Columns(Gathered),
}

/// An audience over the snapshot, by the snapshot's client rows.
pub(crate) struct Gathered {
    channel: AudienceChannel,
    purpose: Purpose,
    as_of: NaiveDate,
    segment: usize,
    columns: Arc<Columns>,
    contacts: Arc<ChannelContacts>,
    people: Arc<People>,
    /// The members in id order: (client row, contact index).
    members: Vec<(u32, u32)>,
    /// Those left out, in id order.
    excluded: Vec<Excluded>,
}

impl<'a> Outcome<'a> {
    /// The audience of `params`: over the snapshot when the base keeps one
    /// or from its second read since a write ([`Columns::when_worth_it`]),
    /// otherwise on the records.
    pub(crate) fn build(base: &'a ClientBase, params: &AudienceParams) -> Result<Outcome<'a>> {
        let channel = params.channel.ok_or_else(|| {
            invalid(
                "channel",
                "the channel is required (sms, email, calls, ...)",
            )
        })?;
        match Columns::when_worth_it(base) {
            Some(columns) => Ok(Outcome::Columns(Gathered::build(
                base, params, channel, columns,
            )?)),
            None => {
                let scope = scope_in(
                    base,
                    &params.segment,
                    &params.segments,
                    params.as_of,
                    &params.time_zone,
                    true,
                )?;
                Ok(Outcome::Records(Audience::of(
                    &scope.clients,
                    channel,
                    params.purpose,
                    scope.as_of,
                    params.dedupe,
                    &Readers::new(params.read_typed),
                )))
            }
        }
    }

    /// See [`Audience::summary`].
    pub(crate) fn summary(&self) -> AudienceSummary {
        match self {
            Outcome::Records(a) => a.summary(),
            Outcome::Columns(g) => g.summary(),
        }
    }

    /// See [`Audience::members_table`].
    pub(crate) fn members_table(&self) -> Result<Table> {
        match self {
            Outcome::Records(a) => a.members_table(),
            Outcome::Columns(g) => g.members_table(),
        }
    }

    /// See [`Audience::exclusions_table`].
    pub(crate) fn exclusions_table(&self) -> Result<Table> {
        match self {
            Outcome::Records(a) => a.exclusions_table(),
            Outcome::Columns(g) => exclusions_table(&g.excluded),
        }
    }
}

/// Those left out as a table (see [`Audience::exclusions_table`]).
pub(crate) fn exclusions_table(e: &[Excluded]) -> Result<Table> {
    Table::with_rows(
        e.len(),
        vec![
            Column::from_uint64s("client", e.iter().map(|e| Some(e.client.get()))),
            Column::from_texts("reason", e.iter().map(|e| Some(e.reason.name()))),
            Column::from_uint64s("other", e.iter().map(|e| e.other.map(ClientId::get))),
        ],
    )
}

impl Gathered {
    fn build(
        base: &ClientBase,
        params: &AudienceParams,
        channel: AudienceChannel,
        columns: Arc<Columns>,
    ) -> Result<Gathered> {
        let zone = crate::segment::time_zone(&params.time_zone)?;
        let as_of = params
            .as_of
            .unwrap_or_else(|| chrono::Utc::now().with_timezone(&zone).date_naive());
        let n = columns.clients();
        let rows: Vec<u32> = match &params.segment {
            None => (0..n as u32).collect(),
            Some(rule) => {
                // The same checks, in the same order, as the records path.
                crate::segment::Rule::from_input(rule).map_err(|e| e.in_field("segment"))?;
                let segment = SegmentParams {
                    rule: Some(rule.clone()),
                    as_of: Some(as_of),
                    time_zone: params.time_zone.clone(),
                    currency: None,
                    segments: params.segments.clone(),
                };
                let hits = segment
                    .compile(base)
                    .and_then(|c| c.holds_columns(base, &columns))
                    .map_err(|e| e.in_field("segment"))?;
                hits.iter()
                    .enumerate()
                    .filter(|(_, hit)| **hit)
                    .map(|(row, _)| row as u32)
                    .collect()
            }
        };
        let contacts = columns.channel_contacts(base, channel, params.read_typed);
        let people = columns.people(base);
        let day = as_of.num_days_from_ce();
        let purpose = params.purpose;
        let verdicts = crate::batch::map_column(&rows, |&row| {
            judge(&contacts, &people, row as usize, purpose, day)
        });
        let reached = verdicts.iter().filter(|v| v.is_ok()).count();
        let mut members = Vec::with_capacity(reached);
        let mut excluded = Vec::with_capacity(verdicts.len() - reached);
        let ids = &columns.clients.ids;
        for (&row, verdict) in rows.iter().zip(verdicts) {
            match verdict {
                Ok(contact) => members.push((row, contact)),
                Err(reason) => excluded.push(Excluded {
                    client: ids[row as usize],
                    reason,
                    other: None,
                }),
            }
        }
        if params.dedupe {
            // The first member (lowest id) with each key keeps it.
            let mut first = vec![u32::MAX; contacts.keys()];
            let mut dropped: Vec<(usize, u32)> = Vec::new();
            for (at, &(row, contact)) in members.iter().enumerate() {
                let key = contacts.key[contact as usize] as usize;
                if first[key] == u32::MAX {
                    first[key] = row;
                } else {
                    dropped.push((at, first[key]));
                }
            }
            if !dropped.is_empty() {
                let reasons = crate::batch::map_column_with_min(&dropped, 256, |&(at, other)| {
                    let name = |row: u32| match contacts.names.get(&row) {
                        Some(name) => Some(Cow::Borrowed(name)),
                        // Not kept (never the case: both share a key).
                        None => base
                            .get_client(ids[row as usize])
                            .map(|c| Cow::Owned(NameKey::of(c))),
                    };
                    match (name(members[at].0), name(other)) {
                        (Some(a), Some(b)) if a.same(&b) => Reason::Duplicate,
                        _ => Reason::SharedContact,
                    }
                });
                let mut collapsed = Vec::with_capacity(dropped.len());
                let mut out = vec![false; members.len()];
                for (&(at, other), reason) in dropped.iter().zip(reasons) {
                    out[at] = true;
                    collapsed.push(Excluded {
                        client: ids[members[at].0 as usize],
                        reason,
                        other: Some(ids[other as usize]),
                    });
                }
                let mut at = 0;
                members.retain(|_| {
                    at += 1;
                    !out[at - 1]
                });
                excluded = merge_by_client(excluded, collapsed);
            }
        }
        Ok(Gathered {
            channel,
            purpose,
            as_of,
            segment: rows.len(),
            columns,
            contacts,
            people,
            members,
            excluded,
        })
    }

    fn summary(&self) -> AudienceSummary {
        AudienceSummary::of(
            (self.channel, self.purpose, self.as_of),
            self.segment,
            self.members.len(),
            &self.excluded,
        )
    }

    fn members_table(&self) -> Result<Table> {
        let m = &self.members;
        let c = &self.contacts;
        let ids = &self.columns.clients.ids;
        let fields: Vec<Cow<'static, str>> =
            m.iter().map(|&(_, j)| c.field[j as usize].name()).collect();
        Table::with_rows(
            m.len(),
            vec![
                Column::from_uint64s(
                    "client",
                    m.iter().map(|&(r, _)| Some(ids[r as usize].get())),
                ),
                Column::from_texts(
                    "contact",
                    m.iter().map(|&(_, j)| Some(c.key_text(c.key[j as usize]))),
                ),
                Column::from_texts("field", fields.iter().map(|f| Some(f.as_ref()))),
                Column::from_texts(
                    "owner",
                    m.iter().map(|&(r, _)| self.people.owner(r as usize)),
                ),
            ],
        )
    }
}

/// Client `row` on the channel's columns: in with its contact at this
/// index, or out for a reason (the order of checks of
/// [`judge`](super::build::judge)).
#[inline]
fn judge(
    contacts: &ChannelContacts,
    people: &People,
    row: usize,
    purpose: Purpose,
    day: i32,
) -> std::result::Result<u32, Reason> {
    let data = people.personal_data[row];
    if data == WITHDRAWN {
        return Err(Reason::ConsentWithdrawn);
    }
    if data > day {
        return Err(Reason::NoConsent);
    }
    if let Some(reason) = contacts.lacking[row] {
        return Err(reason);
    }
    let (lo, hi) = (contacts.offsets[row], contacts.offsets[row + 1]);
    if purpose == Purpose::Service {
        return Ok(lo);
    }
    let mut withdrawn = false;
    for at in lo..hi {
        let consent = contacts.consent[at as usize];
        if consent <= day {
            return Ok(at);
        }
        withdrawn |= consent == WITHDRAWN;
    }
    Err(if withdrawn {
        Reason::ConsentWithdrawn
    } else {
        Reason::NoConsent
    })
}

#[cfg(all(test, feature = "generator"))]
mod tests {
    use super::*;

    #[test]
    fn the_second_read_runs_over_the_snapshot_and_agrees() {
        let config = crate::generator::GeneratorConfig::new(120, 5);
        let base = crate::generator::generate(&config).unwrap().base;
        let params = AudienceParams {
            channel: Some(AudienceChannel::Sms),
            as_of: Some(config.today),
            ..AudienceParams::default()
        };
        let first = Outcome::build(&base, &params).unwrap();
        assert!(matches!(first, Outcome::Records(_)));
        let second = Outcome::build(&base, &params).unwrap();
        assert!(matches!(second, Outcome::Columns(_)));
        assert_eq!(
            first.members_table().unwrap(),
            second.members_table().unwrap()
        );
        assert_eq!(
            first.exclusions_table().unwrap(),
            second.exclusions_table().unwrap()
        );
        assert_eq!(first.summary(), second.summary());
        assert!(first.summary().audience > 0);
    }
}
