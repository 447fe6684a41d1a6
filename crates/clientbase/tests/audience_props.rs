//! Properties of audiences over random bases and random segments: no client
//! without a valid consent as of the campaign date ever enters a marketing
//! audience, and every client of the segment is either in the audience or
//! left out for exactly one reason.
#![cfg(feature = "generator")]

use chrono::{Days, NaiveDate};
use clientbase::audience::{Audience, AudienceChannel, AudienceParams, Purpose, Reason};
use clientbase::generator::{generate, GeneratorConfig};
use clientbase::segment::{compile, Options, Rule};
use clientbase::{Channel, Client, ClientBase, ClientId, Consent, ConsentState};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const CONDITIONS: &[&str] = &[
    "true",
    "stage = customer",
    "stage in (lead, prospect)",
    "has email",
    "not has phone",
    "consent sms",
    "consent calls",
    "kind = company",
    "city = \"Москва\"",
    "created more than 365 days ago",
    "has messenger",
];

fn rule_text(picks: &[(usize, u8)]) -> String {
    let mut text = String::new();
    for (i, &(condition, glue)) in picks.iter().enumerate() {
        let condition = CONDITIONS[condition % CONDITIONS.len()];
        if i > 0 {
            text.push_str(if glue % 2 == 0 { " and " } else { " or " });
        }
        if glue % 3 == 0 {
            text.push_str("not ");
        }
        text.push('(');
        text.push_str(condition);
        text.push(')');
    }
    text
}

/// A consent drawn from `code`: none, given before, on or after the date, or withdrawn.
fn consent(code: u8, as_of: NaiveDate) -> Option<Consent> {
    let before = as_of - Days::new(u64::from(code) * 7 + 1);
    let after = as_of + Days::new(u64::from(code % 5) + 1);
    match code % 6 {
        0 => None,
        1 => Some(Consent::given(before)),
        2 => Some(Consent::given(as_of)),
        3 => Some(Consent::given(after)),
        4 => Some(Consent::withdrawn(before)),
        _ => Some(Consent::withdrawn(after)),
    }
}

/// Rewrites the consents of the base's clients from `codes`.
fn scramble(base: &mut ClientBase, codes: &[u8], as_of: NaiveDate) {
    if codes.is_empty() {
        return;
    }
    let clients: Vec<Client> = base.clients().cloned().collect();
    let mut next = 0usize;
    let mut code = || {
        next += 1;
        codes[next % codes.len()]
    };
    for mut client in clients {
        if code() % 3 == 0 {
            continue;
        }
        client.consents.personal_data = consent(code() % 3, as_of);
        for channel in Channel::ALL {
            match consent(code(), as_of) {
                Some(c) => client.consents.marketing.insert(channel, c),
                None => client.consents.marketing.remove(&channel),
            };
        }
        for phone in &mut client.phones {
            phone.consent = consent(code() % 12 / 2, as_of);
        }
        for email in &mut client.emails {
            email.consent = consent(code() % 12 / 2, as_of);
        }
        for messenger in &mut client.messengers {
            messenger.consent = consent(code(), as_of);
        }
        base.update_client(client).unwrap();
    }
}

fn valid(consent: Option<Consent>, as_of: NaiveDate) -> bool {
    consent.is_some_and(|c| c.state == ConsentState::Given && c.date <= as_of)
}

/// The consent on the contact `field` (`phones[0]`) of `client`.
fn contact_consent(client: &Client, field: &str) -> (String, Option<Consent>) {
    let (list, rest) = field.split_once('[').unwrap();
    let index: usize = rest.trim_end_matches(']').parse().unwrap();
    let consent = match list {
        "phones" => client.phones[index].consent,
        "emails" => client.emails[index].consent,
        "messengers" => client.messengers[index].consent,
        other => panic!("unknown list {other}"),
    };
    (list.to_string(), consent)
}

fn lists_of(channel: AudienceChannel) -> &'static [&'static str] {
    match channel {
        AudienceChannel::Calls | AudienceChannel::VoiceRobot | AudienceChannel::Sms => &["phones"],
        AudienceChannel::Email => &["emails"],
        AudienceChannel::Ads => &["emails", "phones"],
        _ => &["messengers"],
    }
}

fn segment_ids(base: &ClientBase, rule: &str, as_of: NaiveDate) -> Vec<ClientId> {
    let rule = Rule::parse(rule).unwrap();
    compile(base, &rule, &Options::new(as_of), &BTreeMap::new())
        .unwrap()
        .evaluate(base)
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn marketing_audiences_hold_only_consented_clients(
        seed in 0u64..1_000,
        size in 20usize..160,
        codes in prop::collection::vec(any::<u8>(), 0..64),
        picks in prop::collection::vec((0usize..64, any::<u8>()), 1..4),
        channel in prop::sample::select(AudienceChannel::ALL.to_vec()),
        dedupe in any::<bool>(),
        offset in 0u64..900,
    ) {
        let mut config = GeneratorConfig::new(size, seed);
        config.deals_per_client = 0.3;
        config.activities_per_client = 0.0;
        let mut base = generate(&config).unwrap().base;
        let as_of = config.today - Days::new(offset);
        scramble(&mut base, &codes, as_of);
        let rule = rule_text(&picks);
        let params = AudienceParams {
            segment: Some(rule.clone().into()),
            channel: Some(channel),
            as_of: Some(as_of),
            purpose: Purpose::Marketing,
            dedupe,
            ..AudienceParams::default()
        };
        let audience = Audience::build(&base, &params).unwrap();
        let segment = segment_ids(&base, &rule, as_of);

        // No client without a valid consent as of the date.
        for member in &audience.members {
            let client = member.client;
            let data = client.consents.personal_data;
            prop_assert!(data.is_none() || valid(data, as_of), "{:?}: personal data {:?}", client.id, data);
            let (list, own) = contact_consent(client, &member.field());
            prop_assert!(lists_of(channel).contains(&list.as_str()), "{:?} on {}", list, channel);
            let channel_consent = client.consents.marketing.get(&channel.consent()).copied();
            prop_assert!(
                valid(own.or(channel_consent), as_of),
                "{:?} entered {} with {:?} / {:?}", client.id, channel, own, channel_consent
            );
        }

        // Each client of the segment is in, or out for exactly one reason.
        let members: Vec<ClientId> = audience.members.iter().map(|m| m.client.id).collect();
        let out: Vec<ClientId> = audience.excluded.iter().map(|e| e.client).collect();
        let mut all: Vec<ClientId> = members.iter().chain(&out).copied().collect();
        all.sort_unstable();
        prop_assert_eq!(&all, &segment);
        let summary = audience.summary();
        prop_assert_eq!(summary.segment, segment.len());
        prop_assert_eq!(summary.audience + summary.excluded.total(), segment.len());
        for reason in Reason::ALL {
            let n = audience.excluded.iter().filter(|e| e.reason == reason).count();
            prop_assert_eq!(summary.excluded.get(reason), n);
        }

        // One message per contact, and a duplicate points at a member.
        let contacts: BTreeSet<&str> = audience.members.iter().map(|m| m.contact.as_ref()).collect();
        if dedupe {
            prop_assert_eq!(contacts.len(), audience.members.len());
        }
        for e in &audience.excluded {
            let collapsed = matches!(e.reason, Reason::Duplicate | Reason::SharedContact);
            prop_assert_eq!(collapsed, e.other.is_some());
            if let Some(other) = e.other {
                prop_assert!(members.binary_search(&other).is_ok());
            }
        }

        // A service audience is never smaller, and holds the marketing one.
        let service = Audience::build(&base, &AudienceParams { purpose: Purpose::Service, ..params }).unwrap();
        let service_ids: BTreeSet<ClientId> = service.members.iter().map(|m| m.client.id).collect();
        if !dedupe {
            for id in &members {
                prop_assert!(service_ids.contains(id));
            }
        }
        prop_assert!(service.members.len() + service.excluded.len() == segment.len());
    }

    #[test]
    fn channel_names_never_panic(text in "\\PC{0,40}") {
        let _ = text.parse::<AudienceChannel>();
    }
}
