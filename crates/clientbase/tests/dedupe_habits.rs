//! Duplicate detection on the habits profile (issue 11): look-alikes that are
//! different people stay apart, and the recall by habit is printed (floors come
//! with the matcher changes).
#![cfg(feature = "generator")]

use clientbase::dedup::{accuracy, Decisions, MatchIndex, MatchOptions};
use clientbase::generator::habits::{generate_habits, lookalike_outcomes, HabitsConfig};
use clientbase::generator::{DuplicateKind, LookAlike};

#[test]
fn lookalikes_stay_apart_and_recall_by_habit_is_reported() {
    let generated = generate_habits(&HabitsConfig::new(5_000, 42)).unwrap();
    let index = MatchIndex::build(&generated.base, MatchOptions::default()).unwrap();
    let found = index.dedupe(&Decisions::new());
    let scored = accuracy(&generated.truth, &found);
    println!(
        "habits profile, 5000 records: precision {:.4}, recall {:.4}, F1 {:.4}",
        scored.precision, scored.recall, scored.f1
    );
    for kind in DuplicateKind::HABITS {
        let (all, hit) = scored.by_kind.get(&kind).copied().unwrap_or((0, 0));
        assert!(all > 0, "{kind} is missing from the profile");
        println!(
            "  {kind:<20} {hit:>4}/{all:<4} {:>5.1}%",
            100.0 * hit as f64 / all as f64
        );
    }
    let outcomes = lookalike_outcomes(&generated.truth, &found);
    for (kind, o) in &outcomes {
        println!(
            "  look-alike {kind:<24} {} pairs: {} merged, {} linked, {} apart",
            o.pairs, o.merged, o.linked, o.apart
        );
        assert!(o.pairs > 0, "{kind} is missing from the profile");
        assert_eq!(o.merged + o.linked + o.apart, o.pairs);
    }
    // The matcher keeps these apart today; its changes must keep it so.
    for kind in [LookAlike::Twin, LookAlike::Spouse] {
        assert_eq!(
            outcomes[&kind].merged, 0,
            "{kind} pairs merged: {outcomes:?}"
        );
    }
    // A namesake without a birthday looks exactly like a `new_phone` duplicate
    // (same full name and city, another phone), so only the namesakes with a
    // birthday that differs from the other's must stay apart.
    let cluster_of = found.cluster_of();
    let cluster = |id| cluster_of.get(&id).copied().unwrap_or(id);
    let mut told_apart = 0;
    for pair in &generated.truth.lookalikes {
        if pair.kind != LookAlike::Namesake {
            continue;
        }
        let birthday = |id| generated.base.client(id).unwrap().birthday;
        let (a, b) = (birthday(pair.a), birthday(pair.b));
        if a.is_some() && b.is_some() && a != b {
            told_apart += 1;
            assert_ne!(
                cluster(pair.a),
                cluster(pair.b),
                "namesakes {pair:?} merged"
            );
        }
    }
    assert!(told_apart >= 5, "{told_apart} namesakes with two birthdays");
}
