//! Scoring at scale: a model of 30 rules (18 fit rules on client fields,
//! consents, tags and deal aggregates; 12 engagement rules over activities
//! and purchases, with decay and a window) over a base of synthetic clients
//! with deals and activities, scored on all cores; then the behaviour types.
//! The best of three runs is printed with the load average.
//!
//! ```sh
//! cargo bench -p clientbase-benches --bench scoring
//! CLIENTBASE_SCORING_CLIENTS=200000 cargo bench -p clientbase-benches --bench scoring
//! ```
//!
//! Size: `CLIENTBASE_SCORING_CLIENTS` (default 1,000,000); each client has
//! three won deals of three or four lines, an open deal and 0–7 activities
//! (`common::synthetic`). The issue's target: 1M clients with 30 rules in
//! under 1 s.

use chrono::NaiveDate;
use clientbase::scoring::{
    behaviour_types, score_clients, BehaviourParams, ScoreParams, ScoringModel,
};
use std::time::Instant;

mod common;
use common::synthetic::build;
use common::{best_of, load_average};

fn model() -> ScoringModel {
    let fit = [
        ("moscow", "city = Москва", 10),
        ("kazan_perm", r#"city in ("Казань", "Пермь")"#, 5),
        ("customer", "stage in (customer, loyal)", 10),
        ("lead", "stage = lead", 5),
        ("warm_or_hot", "temperature >= warm", 5),
        ("loyalty", "loyalty_percent >= 10", 5),
        ("vip", "has tag vip", 10),
        ("sms", "consent sms", 5),
        ("email", "has email", 5),
        ("no_email", "not has email", -5),
        ("phone", "has phone", 5),
        ("old_client", "created more than 1 years ago", 3),
        (
            "big_spender",
            "sum(purchases where date within last 24 months) > 50000",
            15,
        ),
        (
            "books",
            r#"months(lines where category = "Книги" and date within last 12 months) >= 3"#,
            10,
        ),
        ("toys", r#"count(lines where category = "Игрушки") >= 2"#, 5),
        ("open_deal", "count(deals where status = open) >= 1", 5),
        ("recent_buyer", "last_purchase within last 90 days", 10),
        ("lapsed", "last_purchase more than 365 days ago", -10),
    ];
    let engagement = [
        ("visits", "activities where kind = visit", 2, 20),
        (
            "recent_visits",
            "activities where kind = visit and date within last 30 days",
            3,
            15,
        ),
        ("forms", "activities where kind = form", 15, 30),
        (
            "calls",
            "activities where kind = call and direction = inbound",
            10,
            30,
        ),
        (
            "opens",
            "activities where kind = email and outcome = opened",
            2,
            10,
        ),
        ("events", "activities where kind = event", 10, 20),
        ("purchases", "purchases", 5, 30),
        ("big_purchases", "purchases where amount > 5000", 5, 20),
        ("spend", "lines", 1, 20),
        ("books_lines", r#"lines where category = "Книги""#, 2, 10),
        ("deals", "deals", 1, 10),
        ("any_activity", "activities", 1, 10),
    ];
    let mut rules: Vec<serde_json::Value> = fit
        .iter()
        .map(|(name, when, points)| {
            serde_json::json!({"name": name, "group": "fit", "when": when, "points": points})
        })
        .collect();
    rules.extend(engagement.iter().map(|(name, events, points, max)| {
        serde_json::json!({"name": name, "group": "engagement", "events": events, "points": points, "max": max})
    }));
    serde_json::from_value(serde_json::json!({
        "rules": rules,
        "groups": {"fit": {"cap": 60, "floor": -20}, "engagement": {"cap": 100}},
        "decay": {"percent": 10, "every_days": 30},
        "window_days": 730,
    }))
    .unwrap()
}

fn main() {
    let clients: usize = std::env::var("CLIENTBASE_SCORING_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let started = Instant::now();
    let base = build(clients, true);
    let lines: usize = base.deals().map(|d| d.lines.len().max(1)).sum();
    println!(
        "scoring: {clients} clients, {} deals, {lines} deal lines, {} activities (built in {:.1} s)",
        base.deals().len(),
        base.activities().len(),
        started.elapsed().as_secs_f64()
    );
    let as_of = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    let params = ScoreParams {
        model: model(),
        as_of: Some(as_of),
        ..Default::default()
    };
    assert_eq!(params.model.rules.len(), 30);
    let mut hot = 0;
    let score = best_of(3, || {
        let scores = score_clients(&base, &params).unwrap();
        hot = scores
            .iter()
            .filter(|s| s.temperature == clientbase::Temperature::Hot)
            .count();
    });
    println!(
        "  score, 30 rules: {:.1} ms (best of 3), {hot} hot; load average {}",
        score.as_secs_f64() * 1e3,
        load_average()
    );
    let with_breakdown = ScoreParams {
        breakdown: true,
        ..params.clone()
    };
    let breakdown = best_of(3, || {
        score_clients(&base, &with_breakdown).unwrap();
    });
    println!(
        "  score with the breakdown by rule: {:.1} ms (best of 3)",
        breakdown.as_secs_f64() * 1e3
    );
    let behaviour = BehaviourParams {
        as_of: Some(as_of),
        ..Default::default()
    };
    let types = best_of(3, || {
        behaviour_types(&base, &behaviour).unwrap();
    });
    println!(
        "  behaviour types (5 default rules): {:.1} ms (best of 3); load average {}",
        types.as_secs_f64() * 1e3,
        load_average()
    );
}
