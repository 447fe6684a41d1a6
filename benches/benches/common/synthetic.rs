//! A synthetic base for the benches of rules over a whole base (segments,
//! scoring): deterministic, so that every run measures the same data.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use clientbase::{
    Activity, ActivityKind, Channel, Client, ClientBase, Consent, Currency, Deal, DealStatus,
    Direction, LifecycleStage, Money, ProductLine, Quantity, Schema, Temperature,
};

/// A small deterministic generator, so that every run measures the same base.
pub struct Lcg(pub u64);

impl Lcg {
    /// A number below `n`.
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// `clients` synthetic clients (city, stage, temperature, loyalty, a `vip`
/// tag for half, SMS consent for two thirds, an email for a quarter), each
/// with three won deals of three or four lines and an open deal; with
/// `activities`, also site visits, forms, inbound calls and opened mailings
/// over 2024–2026.
pub fn build(clients: usize, activities: bool) -> ClientBase {
    let mut schema = Schema::new();
    schema.declare_tag("vip").unwrap();
    let mut base = ClientBase::new(schema);
    base.freeze_clock(Some(Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()));
    let mut rng = Lcg(7);
    let cities = ["Москва", "Казань", "Пермь", "Тула", "Омск", "Самара"];
    let categories = ["Книги", "Игрушки", "Канцтовары", "Подарки"];
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap();
    let rub = |minor: i64| Money::from_minor(minor, Currency::RUB);
    for i in 0..clients {
        let mut client = Client {
            city: Some(cities[rng.next(6) as usize].to_string()),
            stage: [
                LifecycleStage::Lead,
                LifecycleStage::Customer,
                LifecycleStage::Loyal,
            ][rng.next(3) as usize],
            temperature: Some(Temperature::ALL[rng.next(3) as usize]),
            loyalty_percent: Some(rng.next(20) as u8),
            ..Client::person("Клиент", &format!("№{i}"), None)
        };
        if rng.next(2) == 0 {
            client = client.with_tag("vip");
        }
        if rng.next(3) > 0 {
            client = client.with_consent(
                Channel::Sms,
                Consent::given(NaiveDate::from_ymd_opt(2023, 5, 1).unwrap()),
            );
        }
        if rng.next(4) == 0 {
            client = client.with_email("client@example.ru");
        }
        let id = base.add_client(client).unwrap();
        for _ in 0..3 {
            let closed = start + Duration::days(rng.next(1000) as i64);
            let mut deal = Deal {
                status: DealStatus::Won,
                closed_at: Some(closed),
                ..Deal::new(id, rub(0))
            };
            let mut total = 0;
            for _ in 0..3 + rng.next(2) {
                let price = 50_000 + rng.next(2_000_000) as i64;
                total += price;
                deal = deal.with_line(
                    ProductLine::new("товар", Quantity::units(1), rub(price))
                        .with_category(categories[rng.next(4) as usize]),
                );
            }
            deal.amount = rub(total);
            base.add_deal(deal).unwrap();
        }
        base.add_deal(Deal::new(id, rub(100_000))).unwrap();
        if activities {
            for _ in 0..rng.next(8) {
                let kind = [
                    ActivityKind::Visit,
                    ActivityKind::Visit,
                    ActivityKind::Form,
                    ActivityKind::Call,
                    ActivityKind::Email,
                    ActivityKind::Event,
                ][rng.next(6) as usize];
                let mut activity =
                    Activity::new(id, kind, start + Duration::days(rng.next(1000) as i64));
                if matches!(kind, ActivityKind::Call) {
                    activity.direction = Some(Direction::Inbound);
                }
                if matches!(kind, ActivityKind::Email) {
                    activity.direction = Some(Direction::Outbound);
                    activity.outcome =
                        Some(if rng.next(2) == 0 { "opened" } else { "sent" }.into());
                }
                base.add_activity(activity).unwrap();
            }
        }
    }
    base
}
