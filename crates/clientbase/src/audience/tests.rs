use super::*;
use crate::{Client, ClientBase, Consent, Schema};
use chrono::NaiveDate;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, d).unwrap()
}

fn params(channel: AudienceChannel) -> AudienceParams {
    AudienceParams {
        channel: Some(channel),
        as_of: Some(day(20)),
        ..AudienceParams::default()
    }
}

#[test]
fn channel_names_read_back() {
    for channel in AudienceChannel::ALL {
        assert_eq!(channel.name().parse::<AudienceChannel>().unwrap(), channel);
        let json = serde_json::to_string(&channel).unwrap();
        assert_eq!(json, format!("\"{}\"", channel.name()));
    }
    assert_eq!(AudienceChannel::VoiceRobot.consent(), Channel::Calls);
    assert_eq!(AudienceChannel::Telegram.consent(), Channel::Messengers);
}

#[test]
fn each_reason_once() {
    let mut base = ClientBase::new(Schema::new());
    let given = Consent::given(day(1));
    let person = |s: &str| Client::person(s, "Имя", None);
    let ok = base
        .add_client(
            person("Есть")
                .with_phone("+7 916 000-00-01")
                .with_consent(Channel::Sms, given),
        )
        .unwrap();
    let no_contact = base
        .add_client(person("Нет").with_consent(Channel::Sms, given))
        .unwrap();
    let landline = base
        .add_client(
            person("Город")
                .with_phone("+7 495 123-45-67")
                .with_consent(Channel::Sms, given),
        )
        .unwrap();
    let late = base
        .add_client(
            person("Поздно")
                .with_phone("+7 916 000-00-02")
                .with_consent(Channel::Sms, Consent::given(day(25))),
        )
        .unwrap();
    let withdrawn = base
        .add_client(
            person("Отозвал")
                .with_phone("+7 916 000-00-03")
                .with_consent(Channel::Sms, Consent::withdrawn(day(2))),
        )
        .unwrap();
    let twin = base
        .add_client(
            person("Есть")
                .with_phone("8 916 000 00 01")
                .with_consent(Channel::Sms, given),
        )
        .unwrap();
    let family = base
        .add_client(
            person("Другой")
                .with_phone("89160000001")
                .with_consent(Channel::Sms, given),
        )
        .unwrap();
    let audience = Audience::build(&base, &params(AudienceChannel::Sms)).unwrap();
    let members: Vec<_> = audience
        .members
        .iter()
        .map(|m| (m.client.id, m.contact.as_ref()))
        .collect();
    assert_eq!(members, vec![(ok, "+79160000001")]);
    let out: Vec<_> = audience
        .excluded
        .iter()
        .map(|e| (e.client, e.reason, e.other))
        .collect();
    assert_eq!(
        out,
        vec![
            (no_contact, Reason::NoContact, None),
            (landline, Reason::InvalidContact, None),
            (late, Reason::NoConsent, None),
            (withdrawn, Reason::ConsentWithdrawn, None),
            (twin, Reason::Duplicate, Some(ok)),
            (family, Reason::SharedContact, Some(ok)),
        ]
    );
    let summary = audience.summary();
    assert_eq!(summary.segment, 7);
    assert_eq!(summary.audience + summary.excluded.total(), 7);
    // Calls take the landline; without dedupe the twin and the family are in.
    let calls = AudienceParams {
        dedupe: false,
        purpose: Purpose::Service,
        ..params(AudienceChannel::Calls)
    };
    let audience = Audience::build(&base, &calls).unwrap();
    assert_eq!(audience.members.len(), 6);
    assert_eq!(audience.excluded.len(), 1);
}

#[test]
fn contact_consent_wins_and_personal_data_rules() {
    let mut base = ClientBase::new(Schema::new());
    let mut client = Client::person("Иванова", "Анна", None)
        .with_email("anna@example.ru")
        .with_email("Anna.Work@Example.ru")
        .with_consent(Channel::Email, Consent::given(day(1)));
    client.emails[0].consent = Some(Consent::withdrawn(day(3)));
    let id = base.add_client(client.clone()).unwrap();
    let audience = Audience::build(&base, &params(AudienceChannel::Email)).unwrap();
    assert_eq!(audience.members[0].client.id, id);
    assert_eq!(audience.members[0].contact, "anna.work@example.ru");
    assert_eq!(audience.members[0].field(), "emails[1]");
    client.id = id;
    client.consents.personal_data = Some(Consent::withdrawn(day(10)));
    base.update_client(client).unwrap();
    for purpose in [Purpose::Marketing, Purpose::Service] {
        let p = AudienceParams {
            purpose,
            ..params(AudienceChannel::Email)
        };
        let summary = audience_summary(&base, &p).unwrap();
        assert_eq!(summary.excluded.consent_withdrawn, 1, "{purpose:?}");
    }
}

#[test]
fn params_are_checked() {
    let base = ClientBase::new(Schema::new());
    let err = audience(&base, &AudienceParams::default()).unwrap_err();
    assert!(err.to_string().contains("channel"), "{err}");
    let err = audience(
        &base,
        &AudienceParams {
            segment: Some("city = ".into()),
            ..params(AudienceChannel::Sms)
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("segment"), "{err}");
    let bad = CallTasksParams {
        managers: vec!["Аня".into(), "Аня".into()],
        ..CallTasksParams::default()
    };
    assert!(call_tasks(&base, &bad)
        .unwrap_err()
        .to_string()
        .contains("managers[1]"));
}

#[test]
fn phones_normalized_per_platform() {
    assert_eq!(
        normalize_phone(AdPlatform::Google, "+79161234567"),
        "+79161234567"
    );
    assert_eq!(
        normalize_phone(AdPlatform::Meta, "+79161234567"),
        "79161234567"
    );
    assert_eq!(
        normalize_phone(AdPlatform::Yandex, "+79161234567"),
        "79161234567"
    );
    assert_eq!(
        normalize_email(AdPlatform::Google, " A.B@Gmail.COM "),
        "a.b@gmail.com"
    );
}
