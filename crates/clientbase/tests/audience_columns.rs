//! The audience over the base's columnar snapshot (per-channel contact
//! columns) is the audience on the records, exactly: the same members with
//! the same contacts, fields and managers, the same clients left out for the
//! same reasons pointing at the same members, on random generated bases with
//! random consents, segments, channels, purposes and contact readings.
#![cfg(feature = "generator")]

use chrono::{Days, NaiveDate};
use clientbase::audience::{
    audience, audience_exclusions, audience_summary, Audience, AudienceChannel, AudienceParams,
    Purpose,
};
use clientbase::columns::Columns;
use clientbase::generator::{generate, GeneratorConfig};
use clientbase::{Channel, Client, ClientBase, Consent, ContactNormalizer};
use proptest::prelude::*;

const RULES: &[&str] = &[
    "stage = customer or has email",
    "not has phone or consent sms",
    "city = \"Москва\" or created more than 365 days ago",
    "kind = company or has messenger",
];

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

/// Rewrites consents, some managers and some contacts of the base's
/// clients from `codes`: shared phones and addresses, blank managers.
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
        match code() % 8 {
            0 => client = client.with_phone("+7 916 000-00-01"),
            1 => client = client.with_email("Family@Example.ru"),
            2 => client = client.with_phone("8 (495) 123-45-67"),
            3 => client = client.with_phone("not a number"),
            4 => client.owner = Some(" manager ".into()),
            5 => client.owner = None,
            _ => {}
        }
        base.update_client(client).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn the_snapshot_gives_the_records_audience(
        seed in 0u64..1_000,
        size in 20usize..200,
        codes in prop::collection::vec(any::<u8>(), 0..64),
        rule in prop::option::of(0usize..RULES.len()),
        channels in prop::collection::vec(prop::sample::select(AudienceChannel::ALL.to_vec()), 1..4),
        service in any::<bool>(),
        dedupe in any::<bool>(),
        read_typed in any::<bool>(),
        normalize in any::<bool>(),
        offset in 0u64..900,
    ) {
        let mut config = GeneratorConfig::new(size, seed);
        config.deals_per_client = 0.3;
        config.activities_per_client = 0.0;
        let mut base = generate(&config).unwrap().base;
        if normalize {
            base.normalize_contacts(&ContactNormalizer::default()).unwrap();
        }
        let as_of = config.today - Days::new(offset);
        scramble(&mut base, &codes, as_of);
        let params = |channel| AudienceParams {
            segment: rule.map(|r| RULES[r].into()),
            channel: Some(channel),
            as_of: Some(as_of),
            purpose: if service { Purpose::Service } else { Purpose::Marketing },
            dedupe,
            read_typed,
            ..AudienceParams::default()
        };
        // The first read after a write runs on the records; the snapshot
        // is then built and kept, and every later one runs over it.
        let first = audience(&base, &params(channels[0])).unwrap();
        prop_assert_eq!(&first, &Audience::build(&base, &params(channels[0])).unwrap().members_table().unwrap());
        let _ = Columns::of(&base);
        for &channel in &channels {
            let p = params(channel);
            let records = Audience::build(&base, &p).unwrap();
            prop_assert_eq!(audience(&base, &p).unwrap(), records.members_table().unwrap(), "members on {}", channel);
            prop_assert_eq!(audience_exclusions(&base, &p).unwrap(), records.exclusions_table().unwrap(), "exclusions on {}", channel);
            prop_assert_eq!(audience_summary(&base, &p).unwrap(), records.summary(), "summary on {}", channel);
        }
    }
}
