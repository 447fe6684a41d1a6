//! `clientbase demo`: generate a base and run every capability on it.
//!
//! The demo is a list of [`SECTIONS`]; a new capability adds one function that
//! takes the [`Demo`] and prints a few lines about what it did.

use crate::output::{self, int, money, percent};
use crate::value::count_by;
use crate::{CliError, CliResult, DemoArgs, What};
use chrono::Datelike;
use clientbase::capability::Rows;
use clientbase::dedup::{accuracy, Decisions, MatchIndex, MatchOptions};
use clientbase::generator::{messy_phones, GeneratorConfig, GroundTruth, SharedContact};
use clientbase::sales::{sales_summary, SalesParams, SalesSummary};
use clientbase::table::Value;
use clientbase::value::{abc, next_purchase, rfm, AbcParams, NextPurchaseParams, RfmParams};
use clientbase::{
    Client, ClientBase, ClientId, ColumnMapping, ContactNormalizer, CsvOptions, DealStatus,
    MergeRules, Party,
};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What the sections share.
pub(crate) struct Demo {
    pub config: GeneratorConfig,
    pub base: ClientBase,
    pub truth: GroundTruth,
    pub out_dir: PathBuf,
}

type Section = fn(&mut Demo) -> CliResult;

/// The demo's sections, in order: title and what it runs.
const SECTIONS: &[(&str, Section)] = &[
    ("Ground truth", ground_truth),
    ("Revenue by year (won deals)", revenue_by_year),
    ("Top product categories (won deals)", top_categories),
    ("RFM segments (won deals)", rfm_segments),
    ("ABC split of clients by revenue (won deals)", abc_split),
    (
        "Segments (rules over the base)",
        crate::segment::demo_section,
    ),
    (
        "Lead scores (the default model)",
        crate::scoring::demo_section,
    ),
    (
        "Clients to remind this week (next purchase from their history)",
        reminders,
    ),
    ("A client and its duplicate", sample_client),
    ("Phones as typed", messy_phone_samples),
    ("Contact normalization", normalize_contacts),
    ("Duplicates", duplicates),
    ("Export and round trip", export_round_trip),
    (
        "Data quality and revenue by manager",
        crate::analytics::demo_section,
    ),
    (
        "Acting on the base: an SMS audience and a call campaign",
        crate::audience::demo_section,
    ),
    ("Documents and messages", crate::render::demo_section),
    (
        "Today's reminders and routing (automation rules)",
        crate::automation::demo_section,
    ),
    (
        "A client's history and the report on the base",
        crate::report::demo_section,
    ),
];

pub(crate) fn run(args: &DemoArgs) -> CliResult {
    let config = GeneratorConfig::new(args.clients, args.seed);
    say!(
        "clientbase demo: {} clients, seed {}, as of {}",
        int(args.clients as u64),
        args.seed,
        config.today.format("%d.%m.%Y")
    );
    say!();
    let started = Instant::now();
    let generated = output::generate(&config)?;
    let elapsed = started.elapsed();
    let out_dir = match &args.out_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("clientbase-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| CliError::failed(format!("cannot create {}: {e}", out_dir.display())))?;
    let mut demo = Demo {
        config,
        base: generated.base,
        truth: generated.truth,
        out_dir,
    };
    print_counts(&demo, elapsed.as_secs_f64());
    for (title, section) in SECTIONS {
        say!();
        say!("{title}");
        section(&mut demo)?;
    }
    // The process ends here; freeing the base record by record is wasted time.
    std::mem::forget(demo);
    Ok(())
}

fn print_counts(demo: &Demo, seconds: f64) {
    let c = demo.base.counts();
    say!("Generated base ({seconds:.1} s)");
    say!(
        "  clients      {} ({} persons, {} companies)",
        int(c.clients as u64),
        int(c.persons as u64),
        int(c.companies as u64)
    );
    say!(
        "  deals        {} ({} open), {} product lines",
        int(c.deals as u64),
        int(c.open_deals as u64),
        int(c.deal_lines as u64)
    );
    say!(
        "  activities   {} ({} open tasks)",
        int(c.activities as u64),
        int(c.open_tasks as u64)
    );
}

fn ground_truth(demo: &mut Demo) -> CliResult {
    let truth = &demo.truth;
    let groups = truth.duplicate_groups();
    say!(
        "  real clients {} behind {} records",
        int(truth.entities),
        int(truth.records.len() as u64)
    );
    say!(
        "  duplicates   {} extra records of {} clients",
        int(truth.duplicates.len() as u64),
        int(groups.len() as u64)
    );
    let kinds: Vec<String> = truth
        .kind_counts()
        .into_iter()
        .map(|(kind, n)| format!("{kind} {}", int(n as u64)))
        .collect();
    say!("               {}", kinds.join(", "));
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut sharing = 0;
    for pair in &truth.related {
        *by_kind.entry(pair.kind.name()).or_default() += 1;
        if pair.shared.contains(&SharedContact::Phone)
            || pair.shared.contains(&SharedContact::Email)
        {
            sharing += 1;
        }
    }
    let kinds: Vec<String> = by_kind
        .into_iter()
        .map(|(kind, n)| format!("{kind} {}", int(n as u64)))
        .collect();
    say!(
        "  look-alikes  {} pairs of different clients ({}), {} sharing a phone or email",
        int(truth.related.len() as u64),
        kinds.join(", "),
        int(sharing as u64)
    );
    Ok(())
}

fn sales(demo: &Demo, top_categories: usize) -> CliResult<SalesSummary> {
    let params = SalesParams {
        top_categories,
        ..SalesParams::default()
    };
    let summary = sales_summary(&demo.base, &params)
        .map_err(|err| CliError::failed(format!("sales summary: {err}")))?;
    if !summary.skipped.is_empty() {
        say!(
            "  ({} won deals or lines left out of the sums, e.g. deal {}: {})",
            int(summary.skipped.len() as u64),
            summary.skipped[0].deal,
            summary.skipped[0].reason
        );
    }
    Ok(summary)
}

fn revenue_by_year(demo: &mut Demo) -> CliResult {
    for year in sales(demo, 1)?.by_year {
        let partial = if year.year == demo.config.today.year() {
            format!("  (to {})", demo.config.today.format("%d.%m"))
        } else {
            String::new()
        };
        say!("  {}  {:>22}{partial}", year.year, money(year.revenue));
    }
    Ok(())
}

fn top_categories(demo: &mut Demo) -> CliResult {
    for category in sales(demo, 5)?.by_category {
        say!(
            "  {:<18} {:>22}  {:>6}",
            category.category.as_deref().unwrap_or("без категории"),
            money(category.revenue),
            percent(category.share, 1.0)
        );
    }
    Ok(())
}

fn rfm_segments(demo: &mut Demo) -> CliResult {
    let params = RfmParams {
        as_of: Some(demo.config.today),
        ..RfmParams::default()
    };
    let table = rfm(Rows::Base(&demo.base), &params)
        .map_err(|err| CliError::failed(format!("rfm: {err}")))?;
    let mut segments: Vec<_> = count_by(&table, "segment", "monetary", true)
        .into_iter()
        .collect();
    segments.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));
    let revenue: i128 = segments.iter().map(|s| s.1 .1).sum();
    say!(
        "  {} clients with won deals, as of {}",
        int(table.rows() as u64),
        demo.config.today.format("%d.%m.%Y")
    );
    for (segment, (clients, money)) in segments {
        say!(
            "  {segment:<20} {:>8} clients  {:>6} of revenue",
            int(clients),
            percent(money as f64, revenue as f64)
        );
    }
    Ok(())
}

fn abc_split(demo: &mut Demo) -> CliResult {
    let table = abc(Rows::Base(&demo.base), &AbcParams::default())
        .map_err(|err| CliError::failed(format!("abc: {err}")))?;
    let classes = count_by(&table, "class", "value", true);
    let revenue: i128 = classes.values().map(|c| c.1).sum();
    for (class, (clients, money)) in classes {
        say!(
            "  {class}  {:>8} clients ({:>6})  {:>6} of revenue",
            int(clients),
            percent(clients as f64, table.rows() as f64),
            percent(money as f64, revenue as f64)
        );
    }
    Ok(())
}

fn reminders(demo: &mut Demo) -> CliResult {
    let params = NextPurchaseParams {
        as_of: Some(demo.config.today),
        due_within_days: Some(7),
        ..NextPurchaseParams::default()
    };
    let table = next_purchase(Rows::Base(&demo.base), &params)
        .map_err(|err| CliError::failed(format!("next purchase: {err}")))?;
    let date = |column: &str, i: usize| match table.column(column).map(|c| c.value(i)) {
        Some(Value::Date(d)) => d.format("%d.%m.%Y").to_string(),
        _ => "-".to_string(),
    };
    let days_left: Vec<Option<i64>> = match table.column("days_left") {
        Some(column) => (0..table.rows())
            .map(|i| match column.value(i) {
                Value::Int64(d) => Some(d),
                _ => None,
            })
            .collect(),
        None => Vec::new(),
    };
    let this_week: Vec<usize> = (0..days_left.len())
        .filter(|&i| matches!(days_left[i], Some(0..=7)))
        .collect();
    let overdue = days_left
        .iter()
        .filter(|d| matches!(d, Some(d) if *d < 0))
        .count();
    say!(
        "  {} clients need to buy again by {}; {} more were due earlier and have not come back",
        int(this_week.len() as u64),
        (demo.config.today + chrono::Days::new(7)).format("%d.%m.%Y"),
        int(overdue as u64)
    );
    let ids = match table.column("client").map(|c| c.data()) {
        Some(clientbase::ColumnData::UInt64(ids)) => ids.to_vec(),
        _ => Vec::new(),
    };
    for &i in this_week.iter().take(5) {
        let name = demo
            .base
            .get_client(ClientId(ids[i]))
            .map(|c| c.display_name())
            .unwrap_or_default();
        say!(
            "  {name:<32} last bought {}  needs {}  remind {}",
            date("last_purchase", i),
            date("expected_date", i),
            date("remind_date", i)
        );
    }
    Ok(())
}

fn describe(base: &ClientBase, client: &Client) -> Vec<String> {
    let mut lines = Vec::new();
    match &client.party {
        Party::Person(name) => {
            // Field by field, so that a name typed into the wrong field shows.
            let parts: Vec<&str> = [&name.surname, &name.given, &name.patronymic]
                .into_iter()
                .map(|p| p.as_deref().unwrap_or("—"))
                .collect();
            lines.push(format!("{}: {}", client.id, parts.join(" / ")));
        }
        Party::Company(company) => {
            lines.push(format!("{}: {}", client.id, company.legal_name));
            if let Some(inn) = &company.tax_id {
                lines.push(format!("ИНН {inn}"));
            }
        }
    }
    let place: Vec<&str> = [&client.city, &client.address]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if !place.is_empty() {
        lines.push(place.join(", "));
    }
    for phone in &client.phones {
        lines.push(format!("тел. {}", phone.raw.trim()));
    }
    for email in &client.emails {
        lines.push(format!("email {}", email.raw.trim()));
    }
    if !client.tags.is_empty() {
        let tags: Vec<&str> = client.tags.iter().map(String::as_str).collect();
        lines.push(format!("tags: {}", tags.join(", ")));
    }
    for (name, value) in &client.custom {
        lines.push(format!("{name}: {}", value.to_text()));
    }
    let deals: Vec<_> = base.deals_of(client.id).collect();
    let won = deals.iter().filter(|d| d.status == DealStatus::Won).count();
    let created = client
        .created_at
        .map(|t| t.format("%d.%m.%Y").to_string())
        .unwrap_or_default();
    lines.push(format!(
        "created {created} by {}, {} deals ({won} won), {} activities",
        client.owner.as_deref().unwrap_or("—"),
        deals.len(),
        base.activities_of(client.id).count()
    ));
    lines
}

fn sample_client(demo: &mut Demo) -> CliResult {
    // A person with a duplicate whose name was written differently, if there is one.
    let pair = demo
        .truth
        .duplicates
        .iter()
        .find(|p| {
            p.kinds.len() >= 2
                && demo
                    .base
                    .get_client(p.original)
                    .is_some_and(|c| !c.is_company() && !c.phones.is_empty())
        })
        .or_else(|| demo.truth.duplicates.first());
    let Some(pair) = pair else {
        say!("  (no duplicates in so small a base)");
        return Ok(());
    };
    for (label, id) in [("original", pair.original), ("duplicate", pair.duplicate)] {
        let Some(client) = demo.base.get_client(id) else {
            continue;
        };
        for (i, line) in describe(&demo.base, client).into_iter().enumerate() {
            let head = if i == 0 { label } else { "" };
            say!("  {head:<10} {line}");
        }
    }
    let kinds: Vec<&str> = pair.kinds.iter().map(|k| k.name()).collect();
    say!("  {:<10} {}", "how", kinds.join(", "));
    Ok(())
}

fn messy_phone_samples(demo: &mut Demo) -> CliResult {
    // A few of each: plain mobiles, an extension, two numbers, foreign, typed wrong.
    let pool = messy_phones(demo.config.seed, 2000);
    let mut picked: Vec<&clientbase::generator::MessyPhone> = pool.iter().take(4).collect();
    let wanted: [fn(&clientbase::generator::MessyPhone) -> bool; 5] = [
        |p| p.intended.extension.is_some(),
        |p| p.intended.second_e164.is_some(),
        |p| {
            p.intended
                .e164
                .as_deref()
                .is_some_and(|e| e.starts_with("+7812"))
        },
        |p| {
            p.intended
                .e164
                .as_deref()
                .is_some_and(|e| !e.starts_with("+7"))
        },
        |p| p.intended.e164.is_none(),
    ];
    for want in wanted {
        if let Some(p) = pool.iter().skip(4).find(|p| want(p)) {
            picked.push(p);
        }
    }
    for phone in picked {
        let meant = match (&phone.intended.e164, &phone.intended.extension) {
            (Some(e164), Some(ext)) => format!("{e164} ext. {ext}"),
            (Some(e164), None) => e164.clone(),
            (None, _) => "invalid: typed wrong".to_string(),
        };
        let also = phone
            .intended
            .second_e164
            .as_ref()
            .map(|s| format!(" and {s}"))
            .unwrap_or_default();
        let typed = format!("{:?}", phone.raw);
        say!("  {typed:<44} → {meant}{also}");
    }
    Ok(())
}

fn normalize_contacts(demo: &mut Demo) -> CliResult {
    let started = Instant::now();
    let mut base = demo.base.clone();
    let report = base
        .normalize_contacts(&ContactNormalizer::default())
        .map_err(|err| CliError::failed(format!("normalize contacts: {err}")))?;
    let seconds = started.elapsed().as_secs_f64();
    say!(
        "  {} contact points of {} clients normalized in {seconds:.1} s; {} fields split, {} invalid, {} email typo suggestions",
        int(report.changed as u64),
        int(report.clients_changed as u64),
        int(report.split.len() as u64),
        int(report.invalid.len() as u64),
        int(report.suggestions.len() as u64)
    );
    // Scored against the ground truth: does each client end up with the numbers meant?
    let (mut agree, mut with_phones) = (0u64, 0u64);
    let mut expected_invalid = 0u64;
    for record in &demo.truth.records {
        let Some(client) = base.get_client(record.client) else {
            continue;
        };
        if record.phones.is_empty() {
            continue;
        }
        with_phones += 1;
        expected_invalid += record.phones.iter().filter(|p| p.e164.is_none()).count() as u64;
        let meant: HashSet<&str> = record
            .phones
            .iter()
            .flat_map(|p| [p.e164.as_deref(), p.second_e164.as_deref()])
            .flatten()
            .collect();
        let got: HashSet<&str> = client
            .phones
            .iter()
            .filter_map(|p| p.e164.as_deref())
            .collect();
        if meant == got {
            agree += 1;
        }
    }
    let invalid_phones = report
        .invalid
        .iter()
        .filter(|i| i.field.starts_with("phones"))
        .count();
    say!(
        "  phones match the ground truth for {} of {} clients ({}); {} invalid phones found, {} typed wrong on purpose",
        int(agree),
        int(with_phones),
        percent(agree as f64, with_phones as f64),
        int(invalid_phones as u64),
        int(expected_invalid)
    );
    if !report.rejected.is_empty() {
        return Err(CliError::failed(format!(
            "normalization left {} clients the base refused",
            report.rejected.len()
        )));
    }
    Ok(())
}

fn duplicates(demo: &mut Demo) -> CliResult {
    let started = Instant::now();
    let index = MatchIndex::build(&demo.base, MatchOptions::default())
        .map_err(|e| CliError::failed(e.to_string()))?;
    let found = index.dedupe(&Decisions::new());
    let seconds = started.elapsed().as_secs_f64();
    let scored = accuracy(&demo.truth, &found);
    say!(
        "  {} clients compared in {seconds:.1} s ({} pairs): {} clusters, {} records to merge, {} related pairs",
        int(found.records),
        int(found.comparisons),
        int(found.clusters.len() as u64),
        int(found.duplicates() as u64),
        int(found.related.len() as u64)
    );
    say!(
        "  against the ground truth: precision {:.3}, recall {:.3}, F1 {:.3}; look-alikes merged by mistake {} of {}",
        scored.precision,
        scored.recall,
        scored.f1,
        int(scored.related_merged),
        int(scored.related_pairs)
    );
    // The weakest link of a cluster of people, explained: what a reviewer sees first.
    let weakest = found
        .clusters
        .iter()
        .filter(|c| demo.base.get_client(c.id).is_some_and(|x| !x.is_company()))
        .filter_map(|c| c.weakest().map(|l| (c, *l)))
        .min_by(|a, b| a.1.weight.total_cmp(&b.1.weight));
    if let Some((cluster, link)) = weakest {
        let explanation = index
            .explain(link.left, link.right)
            .map_err(|e| CliError::failed(e.to_string()))?;
        say!("  the weakest link to review, cluster {}:", cluster.id);
        for line in explanation.to_text().lines() {
            say!("    {line}");
        }
    }
    // A spouse or relative sharing a phone: linked as related, never merged.
    let spouse = demo.truth.related.iter().find_map(|pair| {
        let (a, b) = (pair.a.min(pair.b), pair.a.max(pair.b));
        found
            .related
            .iter()
            .find(|l| l.left == a && l.right == b)
            .filter(|_| pair.shared.contains(&SharedContact::Phone))
    });
    if let Some(related) = spouse {
        let explanation = index
            .explain(related.left, related.right)
            .map_err(|e| CliError::failed(e.to_string()))?;
        say!("  related, not the same person (a look-alike sharing a phone):");
        for line in explanation.to_text().lines() {
            say!("    {line}");
        }
    }
    // Merge every cluster, then undo one merge exactly.
    let started = Instant::now();
    let mut base = demo.base.clone();
    let mut records = Vec::new();
    for cluster in &found.clusters {
        let others: Vec<ClientId> = cluster.members[1..].to_vec();
        match base.merge_clients(cluster.id, &others, &MergeRules::default()) {
            Ok(record) => records.push(record),
            Err(e) => {
                return Err(CliError::failed(format!(
                    "merge of cluster {}: {e}",
                    cluster.id
                )))
            }
        }
    }
    let merged_counts = base.counts();
    say!(
        "  merged {} clusters in {:.1} s: {} clients left of {}, deals kept {} of {}",
        int(records.len() as u64),
        started.elapsed().as_secs_f64(),
        int(merged_counts.clients as u64),
        int(demo.base.counts().clients as u64),
        int(merged_counts.deals as u64),
        int(demo.base.counts().deals as u64)
    );
    let mut undone = true;
    for record in records.iter().rev() {
        if base.undo_merge(record).is_err() {
            undone = false;
            break;
        }
    }
    say!(
        "  every merge undone: {}",
        if undone && base == demo.base {
            "the base is identical to before"
        } else {
            "NOT identical"
        }
    );
    Ok(())
}

fn file_size(path: &Path) -> String {
    std::fs::metadata(path)
        .map(|m| output::size(m.len()))
        .unwrap_or_default()
}

fn export_round_trip(demo: &mut Demo) -> CliResult {
    let dir = demo.out_dir.clone();
    let json_path = dir.join("base.json");
    output::write_base(&demo.base, &json_path)?;
    let back = output::read_base(&json_path)?;
    say!(
        "  JSON  {} ({}): read back {}",
        json_path.display(),
        file_size(&json_path),
        if back == demo.base {
            "identical"
        } else {
            "DIFFERENT"
        }
    );
    if back != demo.base {
        return Err(CliError::failed("the JSON round trip lost data"));
    }
    drop(back);

    // The base kept in a file: saved, changed in place, reopened.
    let file_path = dir.join("base.cb");
    let _ = std::fs::remove_file(&file_path);
    let started = Instant::now();
    let mut kept = demo.base.clone();
    kept.set_actor(Some("demo"));
    let failed = |e: clientbase::Error| CliError::failed(format!("base file: {e}"));
    kept.save_as(&file_path).map_err(failed)?;
    let saved = started.elapsed().as_secs_f64();
    let first = kept.clients().next().map(|c| c.id);
    if let Some(id) = first {
        let mut client = kept.client(id).map_err(failed)?.clone();
        client.owner = Some("Смирнова".into());
        kept.update_client(client).map_err(failed)?;
    }
    let expected = kept.clone();
    drop(kept);
    let started = Instant::now();
    let reopened = ClientBase::open(&file_path).map_err(failed)?;
    let opened = started.elapsed().as_secs_f64();
    let changes = reopened
        .changes(&clientbase::ChangesParams::default())
        .map_err(failed)?;
    let same = reopened == expected;
    say!(
        "  file  {} ({}): saved in {saved:.1} s, one change committed (owner), reopened in {opened:.1} s: {}; change log: {}",
        file_path.display(),
        file_size(&file_path),
        if same { "identical" } else { "DIFFERENT" },
        changes
            .iter()
            .map(|c| format!("{} by {}", c.action, c.actor.as_deref().unwrap_or("-")))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !same {
        return Err(CliError::failed("the base file lost data"));
    }

    let clients_path = dir.join("clients.csv");
    let deals_path = dir.join("deals.csv");
    crate::commands::write_csv(
        &demo.base,
        What::Clients,
        &mut output::create(&clients_path)?,
    )?;
    crate::commands::write_csv(&demo.base, What::Deals, &mut output::create(&deals_path)?)?;
    let mut copy = ClientBase::new(demo.base.schema().clone());
    let options = CsvOptions::default();
    let clients = copy
        .import_clients_csv(
            output::open(&clients_path, "the export")?,
            &ColumnMapping::canonical_clients(),
            &options,
        )
        .map_err(|e| CliError::failed(format!("re-importing clients: {e}")))?;
    let deals = copy
        .import_deals_csv(
            output::open(&deals_path, "the export")?,
            &ColumnMapping::canonical_deals(),
            &options,
        )
        .map_err(|e| CliError::failed(format!("re-importing deals: {e}")))?;
    let same = clients.rejected.is_empty()
        && deals.rejected.is_empty()
        && copy.clients().eq(demo.base.clients())
        && copy.deals().eq(demo.base.deals());
    say!(
        "  CSV   {} ({}), {} ({}): re-imported {} clients and {} deals, {} (activities are not in CSV)",
        clients_path.display(),
        file_size(&clients_path),
        deals_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        file_size(&deals_path),
        int(clients.imported.len() as u64),
        int(deals.imported.len() as u64),
        if same { "identical" } else { "DIFFERENT" }
    );
    if !same {
        for row in clients.rejected.iter().chain(&deals.rejected).take(5) {
            say!("    rejected: {row}");
        }
        return Err(CliError::failed("the CSV round trip lost data"));
    }
    Ok(())
}
