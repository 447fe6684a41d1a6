//! A client's history: deals with product lines over the years (some of them a
//! monthly supply), calls, messages, meetings, tasks and notes, and the lifecycle
//! stage that follows from them.

use super::catalog::{
    self, Pipeline, Unit, CALL_OUTCOMES, CATEGORIES, EMAIL_SUBJECTS, MEETINGS, MESSAGES, NOTES,
    PRODUCTS, RETAIL, SUBSCRIPTION, TASKS, WHOLESALE,
};
use super::pick::{self, geometric, one_of, weighted};
use super::records::{Buyer, DraftActivity, DraftDeal, Typist};
use crate::activity::{Activity, ActivityKind, Direction};
use crate::client::{LifecycleStage, Temperature};
use crate::deal::{Deal, DealStatus, Discount, ProductLine, Recurrence};
use crate::money::{Money, Quantity};
use chrono::{DateTime, Datelike, Duration, Utc};
use rand::Rng;
use std::sync::LazyLock;

/// Product indices by category.
static BY_CATEGORY: LazyLock<Vec<Vec<usize>>> = LazyLock::new(|| {
    let mut by = vec![Vec::new(); CATEGORIES.len()];
    for (i, p) in PRODUCTS.iter().enumerate() {
        by[p.category].push(i);
    }
    by
});

static RETAIL_TITLES: &[&str] = &[
    "Заказ на сайте",
    "Заказ в магазине",
    "Заказ по телефону",
    "Повторный заказ",
];

static WHOLESALE_TITLES: &[&str] = &[
    "Поставка кормов",
    "Оптовый заказ",
    "Поставка наполнителей",
    "Закупка ветпрепаратов",
];

impl Typist<'_> {
    /// Deals and activities of record `index`, then its stage.
    pub(crate) fn history(&mut self, index: u32, buyer: &Buyer) {
        let plan = self.plan;
        let created = self.out.clients[index as usize]
            .client
            .created_at
            .unwrap_or(plan.now);
        let mean = plan.person_deals * buyer.deal_factor;
        let count = geometric(&mut self.rng, mean, 400);
        let first_deal = self.out.deals.len();
        let subscribes = count >= 4
            && self
                .rng
                .random_bool(if buyer.company { 0.35 } else { 0.08 });
        // A client buys for a while (a year or two, some much longer), not evenly
        // until today: otherwise recent years would hold almost all the revenue.
        let active_days = 120 + geometric(&mut self.rng, 600.0, 5000) as i64;
        let active_until = (created + Duration::days(active_days)).min(plan.now);
        if subscribes {
            self.subscription(index, buyer, count, created);
        } else {
            for _ in 0..count {
                let at = self.moment_between(created, active_until);
                let lines = self.lines(buyer, at, None);
                let pipeline = self.pipeline(buyer);
                self.deal(index, buyer, at, pipeline, lines);
            }
        }
        let deals = first_deal..self.out.deals.len();
        self.activities(index, buyer, created, deals.clone());
        self.settle_stage(index, buyer, created, deals);
    }

    fn pipeline(&mut self, buyer: &Buyer) -> &'static Pipeline {
        if buyer.company && self.rng.random_bool(0.85) {
            &WHOLESALE
        } else {
            &RETAIL
        }
    }

    /// A moment between `from` and now, in office hours.
    fn moment_after(&mut self, from: DateTime<Utc>) -> DateTime<Utc> {
        self.moment_between(from, self.plan.now)
    }

    /// A moment between `from` and `to` (at most now), in office hours.
    fn moment_between(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
        let to = to.min(self.plan.now);
        let day = pick::day_between(&mut self.rng, from.date_naive(), to.date_naive());
        let at = pick::at_office_hours(&mut self.rng, day);
        at.clamp(from, to.max(from))
    }

    fn lines(&mut self, buyer: &Buyer, at: DateTime<Utc>, count: Option<u32>) -> Vec<ProductLine> {
        let count = count
            .unwrap_or_else(|| 1 + geometric(&mut self.rng, self.plan.lines_per_deal - 1.0, 60));
        let mut lines = Vec::with_capacity(count as usize);
        for i in 0..count {
            let product =
                if i + 1 == count && count >= 2 && !buyer.company && self.rng.random_bool(0.25) {
                    catalog::delivery()
                } else if self.rng.random_bool(0.65) {
                    let category = *one_of(&mut self.rng, &buyer.favourites);
                    &PRODUCTS[*one_of(&mut self.rng, &BY_CATEGORY[category])]
                } else {
                    one_of(&mut self.rng, PRODUCTS)
                };
            lines.push(self.line(product, buyer, at));
        }
        lines
    }

    fn line(
        &mut self,
        product: &catalog::Product,
        buyer: &Buyer,
        at: DateTime<Utc>,
    ) -> ProductLine {
        let rng = &mut self.rng;
        let (lo, hi) = product.price;
        let roubles = rng.random_range(lo..=hi) as i64;
        // Prices were lower in earlier years (about 7 % a year).
        let years_ago = (self.plan.now - at).num_days() as f64 / 365.0;
        let factor = (1.0 - 0.07 * years_ago).max(0.6);
        let roubles = ((roubles as f64 * factor).round() as i64).max(1);
        let minor = match rng.random_range(0..100) {
            0..=59 => roubles * 100,
            60..=84 => roubles * 100 - 10,
            _ => roubles * 100 - 1,
        }
        .max(1);
        let quantity = match (product.unit, buyer.company) {
            (Unit::Piece, false) => Quantity::units(match rng.random_range(0..100) {
                0..=69 => 1,
                70..=89 => 2,
                _ => rng.random_range(3..=5),
            }),
            (Unit::Piece, true) => Quantity::units(rng.random_range(5..=40)),
            (Unit::Pack, false) => Quantity::units(*one_of(rng, &[6, 12, 12, 24])),
            (Unit::Pack, true) => Quantity::units(rng.random_range(4..=40) * 12),
            (Unit::Kg, false) => Quantity::from_milli(rng.random_range(5..=50) * 100),
            (Unit::Kg, true) => Quantity::from_milli(rng.random_range(20..=200) * 500),
            (Unit::Service, false) => Quantity::ONE,
            (Unit::Service, true) => Quantity::units(rng.random_range(1..=3)),
        };
        let unit_price = Money::from_minor(minor, self.plan.currency);
        let discount = if buyer.company {
            if rng.random_bool(0.45) {
                Discount::PercentBp(*one_of(rng, &[500, 1000, 1500]))
            } else {
                Discount::None
            }
        } else {
            match rng.random_range(0..100) {
                0..=11 => Discount::PercentBp(*one_of(rng, &[300, 500, 700, 1000])),
                12 if minor * quantity.milli() / 1000 > 50_000 => {
                    Discount::Amount(Money::from_minor(10_000, self.plan.currency))
                }
                _ => Discount::None,
            }
        };
        ProductLine {
            product: product.name.into(),
            category: Some(CATEGORIES[product.category].into()),
            quantity,
            unit_price,
            discount,
        }
    }

    /// Adds a deal created `at` with `lines`; its status follows from its age.
    fn deal(
        &mut self,
        client: u32,
        buyer: &Buyer,
        at: DateTime<Utc>,
        pipeline: &'static Pipeline,
        lines: Vec<ProductLine>,
    ) -> u32 {
        let plan = self.plan;
        let rng = &mut self.rng;
        let cycle_days = rng.random_range(0..=if buyer.company { 30 } else { 10 });
        let closes =
            at + Duration::days(cycle_days) + Duration::seconds(rng.random_range(600..6 * 3600));
        let (status, stage, closed_at) = if closes > plan.now {
            (DealStatus::Open, *one_of(rng, pipeline.open), None)
        } else if rng.random_bool(0.78) {
            (DealStatus::Won, pipeline.won, Some(closes))
        } else {
            (DealStatus::Lost, pipeline.lost, Some(closes))
        };
        let mut amount = Money::zero(plan.currency);
        for line in &lines {
            amount = line
                .total()
                .and_then(|t| amount.checked_add(t))
                .unwrap_or(amount);
        }
        if rng.random_bool(0.03) {
            // Rounded down to whole roubles, as agreed with the client.
            let minor = amount.minor() - amount.minor() % 100;
            amount = Money::from_minor(minor, plan.currency);
        }
        let title = rng.random_bool(0.6).then(|| {
            let titles = if std::ptr::eq(pipeline, &WHOLESALE) {
                WHOLESALE_TITLES
            } else {
                RETAIL_TITLES
            };
            one_of(rng, titles).to_string()
        });
        let owner = if self.rng.random_bool(0.9) {
            self.out.clients[client as usize].client.owner.clone()
        } else {
            Some(self.manager(buyer.company).to_string())
        };
        let source = if self.rng.random_bool(0.7) {
            self.out.clients[client as usize].client.source.clone()
        } else {
            None
        };
        // Spelled out rather than `..Deal::new(..)`, which would allocate the default
        // pipeline and stage names only to drop them.
        let deal = Deal {
            id: crate::ids::DealId::default(),
            client: crate::ids::ClientId::default(),
            amount,
            recurrence: None,
            title,
            pipeline: pipeline.name.into(),
            stage: stage.into(),
            status,
            created_at: Some(at),
            closed_at,
            owner: owner.map(Into::into),
            source: source.map(Into::into),
            lines,
        };
        let index = self.out.deals.len() as u32;
        self.out.deals.push(DraftDeal { deal });
        index
    }

    /// A monthly supply: the contract (a deal in the subscription pipeline with a
    /// recurrence) and one deal per delivery with the same basket.
    fn subscription(&mut self, client: u32, buyer: &Buyer, count: u32, created: DateTime<Utc>) {
        let plan = self.plan;
        let start = self.moment_after(created);
        let basket_size = self.rng.random_range(1..=4);
        let basket = self.lines(buyer, start, Some(basket_size));
        let pipeline = self.pipeline(buyer);
        let mut last = start;
        for month in 0..count.saturating_sub(1) {
            let at = start + Duration::days(i64::from(month) * 30 + self.rng.random_range(0..3));
            if at > plan.now {
                break;
            }
            last = at;
            self.deal(client, buyer, at, pipeline, basket.clone());
        }
        let mut recurrence = Recurrence::monthly_on(start.day().min(28) as u8);
        let active = self.rng.random_bool(0.8);
        let contract = self.deal(client, buyer, start, &SUBSCRIPTION, basket);
        let deal = &mut self.out.deals[contract as usize].deal;
        if active {
            deal.status = DealStatus::Open;
            deal.stage = SUBSCRIPTION.open[0].into();
            deal.closed_at = None;
        } else {
            recurrence.until = Some(last.date_naive());
            deal.status = DealStatus::Won;
            deal.stage = SUBSCRIPTION.won.into();
            deal.closed_at = Some(last.max(start));
        }
        deal.title = Some("Ежемесячная поставка".to_string());
        deal.recurrence = Some(recurrence);
    }

    fn activities(
        &mut self,
        client: u32,
        buyer: &Buyer,
        created: DateTime<Utc>,
        deals: std::ops::Range<usize>,
    ) {
        let plan = self.plan;
        let mean = plan.activities_per_client * if buyer.company { 1.5 } else { 1.0 };
        let count = geometric(&mut self.rng, mean, 100);
        let owner = self.out.clients[client as usize].client.owner.clone();
        for _ in 0..count {
            let kind = *weighted(
                &mut self.rng,
                &[
                    (ActivityKind::Call, 40),
                    (ActivityKind::Email, 15),
                    (ActivityKind::Message, 15),
                    (ActivityKind::Meeting, if buyer.company { 12 } else { 2 }),
                    (ActivityKind::Task, 15),
                    (ActivityKind::Note, 10),
                ],
            );
            let deal = (!deals.is_empty() && self.rng.random_bool(0.4))
                .then(|| self.rng.random_range(deals.clone()));
            let at = match deal {
                Some(d) => {
                    let deal_at = self.out.deals[d].deal.created_at.unwrap_or(created);
                    let after = Duration::minutes(self.rng.random_range(5..60 * 24 * 10));
                    (deal_at + after).min(plan.now)
                }
                None => self.moment_after(created),
            };
            let manager = if self.rng.random_bool(0.85) {
                owner.clone()
            } else {
                Some(self.manager(buyer.company).to_string())
            };
            let activity = self.activity(kind, at, manager);
            self.out.activities.push(DraftActivity {
                deal: deal.map(|d| d as u32),
                activity,
            });
        }
        // Open deals usually have a follow-up task.
        for d in deals {
            let deal = &self.out.deals[d].deal;
            if deal.status.is_closed() || !self.rng.random_bool(0.5) {
                continue;
            }
            let at = deal.created_at.unwrap_or(created);
            let due = at + Duration::days(self.rng.random_range(1..=10));
            let text: &&str = one_of(&mut self.rng, TASKS);
            let mut task = Activity::task(crate::ids::ClientId::default(), at, due, text);
            task.manager = deal.owner.as_deref().map(str::to_string);
            task.done = due < plan.now && self.rng.random_bool(0.3);
            self.out.activities.push(DraftActivity {
                deal: Some(d as u32),
                activity: task,
            });
        }
    }

    fn activity(
        &mut self,
        kind: ActivityKind,
        at: DateTime<Utc>,
        manager: Option<String>,
    ) -> Activity {
        let plan = self.plan;
        let rng = &mut self.rng;
        let mut activity = Activity::new(crate::ids::ClientId::default(), kind, at);
        activity.manager = manager;
        match kind {
            ActivityKind::Call => {
                activity.direction = Some(if rng.random_bool(0.65) {
                    Direction::Outbound
                } else {
                    Direction::Inbound
                });
                activity.outcome = Some(weighted(rng, CALL_OUTCOMES).to_string());
            }
            ActivityKind::Email => {
                activity.direction = Some(if rng.random_bool(0.7) {
                    Direction::Outbound
                } else {
                    Direction::Inbound
                });
                activity.text = Some(one_of(rng, EMAIL_SUBJECTS).to_string());
            }
            ActivityKind::Message => {
                activity.direction = Some(if rng.random_bool(0.75) {
                    Direction::Outbound
                } else {
                    Direction::Inbound
                });
                activity.text = Some(one_of(rng, MESSAGES).to_string());
            }
            ActivityKind::Meeting => {
                activity.text = Some(one_of(rng, MEETINGS).to_string());
            }
            ActivityKind::Task => {
                let due = at + Duration::days(rng.random_range(1..=14));
                activity.due = Some(due);
                activity.text = Some(one_of(rng, TASKS).to_string());
                activity.done = if due + Duration::days(3) < plan.now {
                    rng.random_bool(0.95)
                } else {
                    rng.random_bool(0.25)
                };
            }
            ActivityKind::Note => {
                activity.text = Some(one_of(rng, NOTES).to_string());
            }
            // Engagement events are not generated: the weights above never pick them.
            ActivityKind::Visit | ActivityKind::Form | ActivityKind::Event => {}
        }
        activity
    }

    fn settle_stage(
        &mut self,
        client: u32,
        buyer: &Buyer,
        created: DateTime<Utc>,
        deals: std::ops::Range<usize>,
    ) {
        let plan = self.plan;
        let mut won = 0;
        let mut open = 0;
        let mut last_won: Option<DateTime<Utc>> = None;
        let mut last_touch = created;
        for d in &self.out.deals[deals] {
            let deal = &d.deal;
            match deal.status {
                DealStatus::Won => {
                    won += 1;
                    last_won = last_won.max(deal.closed_at);
                }
                DealStatus::Open => open += 1,
                _ => {}
            }
            last_touch = last_touch.max(deal.closed_at.or(deal.created_at).unwrap_or(created));
        }
        let stage = match (won, last_won) {
            (0, _) if open > 0 => LifecycleStage::Prospect,
            (0, _) => LifecycleStage::Lead,
            (_, Some(last)) if (plan.now - last).num_days() > 540 => LifecycleStage::Churned,
            (n, _) if n >= 5 => LifecycleStage::Loyal,
            _ => LifecycleStage::Customer,
        };
        let rng = &mut self.rng;
        let temperature = matches!(stage, LifecycleStage::Lead | LifecycleStage::Prospect)
            .then(|| rng.random_bool(0.7))
            .filter(|yes| *yes)
            .map(|_| {
                *weighted(
                    rng,
                    &[
                        (Temperature::Cold, 40),
                        (Temperature::Warm, 40),
                        (Temperature::Hot, 20),
                    ],
                )
            });
        let loyalty = (!buyer.company
            && matches!(stage, LifecycleStage::Customer | LifecycleStage::Loyal)
            && rng.random_bool(0.4))
        .then(|| *one_of(rng, &[3u8, 5, 7, 10]));
        let record = &mut self.out.clients[client as usize].client;
        record.stage = stage;
        record.temperature = temperature;
        record.loyalty_percent = loyalty;
        record.updated_at = Some(last_touch.min(plan.now).max(created));
    }
}
