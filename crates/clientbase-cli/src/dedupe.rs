//! `clientbase dedupe`: clusters the clients of a CSV file and writes each
//! cluster's records with the link that joined them and its explanation.

use crate::commands::{csv_options, print_import_report, read_mapping};
use crate::output::{self, int};
use crate::{CliError, CliResult, DedupeArgs, What};
use clientbase::dedup::{Decisions, Dedupe, Link, MatchField, MatchIndex, MatchOptions};
use clientbase::{ClientBase, ClientId, Schema};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::collections::HashMap;
use std::io::{BufReader, Write};
use std::path::Path;
use std::time::Instant;

pub(crate) fn run(args: &DedupeArgs) -> CliResult {
    let mapping = read_mapping(&args.mapping, What::Clients)?;
    let options = match &args.options {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::input(format!("cannot read the options {}: {e}", path.display()))
            })?;
            MatchOptions::from_json(&text)
                .map_err(|e| CliError::input(format!("options {}: {e}", path.display())))?
        }
        None => MatchOptions::default(),
    };
    let decisions = match &args.decisions {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::input(format!("cannot read the decisions {}: {e}", path.display()))
            })?;
            clientbase::capability::from_json::<Decisions>("decisions", &text)
                .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?
        }
        None => Decisions::new(),
    };
    let mut base = match &args.schema {
        Some(path) => ClientBase::new(read_schema(path)?),
        None => ClientBase::default(),
    };
    let file = output::open(&args.file, "the CSV file")?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = output::byte_bar(len, "reading");
    let reader = output::BarReader::new(BufReader::new(file), bar.clone(), "importing");
    let report = base
        .import_clients_csv(reader, &mapping, &csv_options(&args.read)?)
        .map_err(|e| CliError::input(format!("{}: {e}", args.file.display())));
    bar.finish_and_clear();
    let report = report?;
    print_import_report(&report, &args.read)?;
    // The time of the comparison alone: reading the file is reported above.
    let started = Instant::now();
    let spinner = output::spinner("indexing");
    let index = MatchIndex::build(&base, options).map_err(|e| CliError::input(e.to_string()));
    let mut index = index?;
    if args.estimate {
        spinner.set_message("estimating");
        let before = index.model().clone();
        let estimate = index
            .estimate(args.estimate_pairs, 0)
            .map_err(|e| CliError::input(format!("--estimate: {e}")));
        let estimate = estimate?;
        say!(
            "weights estimated from {} candidate pairs ({} patterns) and {} random pairs in {} EM iterations: {:.1} % of candidate pairs taken as duplicates, {:.4} duplicates per record (was {:.4})",
            int(estimate.pairs),
            int(estimate.patterns as u64),
            int(estimate.random_pairs),
            estimate.iterations,
            100.0 * estimate.match_share,
            estimate.duplicates_per_record,
            before.duplicates_per_record
        );
        let after = index.model();
        for field in MatchField::ALL {
            let levels = field
                .levels()
                .iter()
                .enumerate()
                .skip(1)
                .map(|(level, name)| {
                    format!(
                        "{name} {:+.1} → {:+.1}",
                        before.field(field).weight(level),
                        after.field(field).weight(level)
                    )
                });
            say!(
                "  {:<13} {}",
                field.name(),
                levels.collect::<Vec<_>>().join(", ")
            );
        }
    }
    spinner.finish_and_clear();
    index
        .check_decisions(&decisions)
        .map_err(|e| CliError::input(format!("decisions: {e}")))?;
    let spinner = output::spinner("comparing");
    let found = index.dedupe(&decisions);
    spinner.finish_and_clear();
    let compared_in = started.elapsed();
    let spinner = output::spinner("writing");
    let lines: HashMap<ClientId, u64> = report
        .imported
        .iter()
        .copied()
        .zip(report.imported_lines.iter().copied())
        .collect();
    write_clusters(&base, &index, &found, &lines, args.only_clusters, &args.out)?;
    if let Some(path) = &args.related {
        write_links(&index, &found.related, path)?;
    }
    spinner.finish_and_clear();
    say!(
        "{} clients compared in {:.1} s ({} pairs): {} clusters, {} records to merge, {} related pairs, {} joins refused",
        int(found.records),
        compared_in.as_secs_f64(),
        int(found.comparisons),
        int(found.clusters.len() as u64),
        int(found.duplicates() as u64),
        int(found.related.len() as u64),
        int(found.refused.len() as u64)
    );
    for stats in &found.blocking {
        if let (Some(key), true) = (stats.key, stats.comparisons + stats.oversized_blocks > 0) {
            say!(
                "  {:<13} {:>10} comparisons{}",
                key.name(),
                int(stats.comparisons),
                if stats.oversized_blocks > 0 {
                    format!(
                        ", {} blocks over the guard skipped ({} records)",
                        int(stats.oversized_blocks),
                        int(stats.oversized_records)
                    )
                } else {
                    String::new()
                }
            );
        }
    }
    say!("clusters written to {}", args.out.display());
    Ok(())
}

/// A schema file, or the schema of a base (a base file or JSON). A base is not
/// loaded: a base file's schema is read alone, and a JSON base's
/// `schema` comes before its records (`ClientBase::write_json` writes it
/// third), so reading stops there, and any records met before it are skipped
/// without being kept.
fn read_schema(path: &Path) -> CliResult<Schema> {
    if output::is_base_file(path) {
        return ClientBase::schema_in_file(path).map_err(|e| CliError::input(e.to_string()));
    }
    let file = output::open(path, "the schema")?;
    let mut found = None;
    let mut json = serde_json::Deserializer::from_reader(BufReader::new(file));
    let read = SchemaOrBase { found: &mut found }.deserialize(&mut json);
    match (found, read) {
        (Some(schema), _) => Ok(schema),
        (None, Ok(schema)) => Ok(schema),
        (None, Err(e)) => Err(CliError::input(format!("schema {}: {e}", path.display()))),
    }
}

/// Reads a schema, or a base's `schema` field and stops: a schema found in a
/// base is put in `found` and the reading ends with an error that only says so.
struct SchemaOrBase<'a> {
    found: &'a mut Option<Schema>,
}

/// The fields of a base that hold records: skipped, never kept.
const BASE_RECORDS: [&str; 4] = ["clients", "deals", "activities", "merges"];

impl<'de> DeserializeSeed<'de> for SchemaOrBase<'_> {
    type Value = Schema;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Schema, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SchemaOrBase<'_> {
    type Value = Schema;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a schema or a base (JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Schema, A::Error> {
        let mut rest = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "schema" {
                *self.found = Some(map.next_value()?);
                return Err(de::Error::custom("the base's schema is read"));
            }
            if BASE_RECORDS.contains(&key.as_str()) {
                map.next_value::<IgnoredAny>()?;
                rest.insert(key, serde_json::Value::Null);
            } else {
                rest.insert(key, map.next_value()?);
            }
        }
        if rest.contains_key("format") {
            // A base written without a schema has the empty one.
            return Ok(Schema::default());
        }
        serde_json::from_value(serde_json::Value::Object(rest)).map_err(de::Error::custom)
    }
}

fn csv_writer(path: &std::path::Path) -> CliResult<csv::Writer<Box<dyn Write>>> {
    let out: Box<dyn Write> = Box::new(output::create(path)?);
    Ok(csv::Writer::from_writer(out))
}

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::failed(format!("cannot write: {e}"))
}

/// One row per record: its cluster (a record in no cluster is its own, with
/// its own id), the record, its line in the CSV file, the record it joined
/// through, and that link's probability and explanation. With
/// `only_clusters`, the records in no cluster are left out.
fn write_clusters(
    base: &ClientBase,
    index: &MatchIndex,
    found: &Dedupe,
    lines: &HashMap<ClientId, u64>,
    only_clusters: bool,
    path: &Path,
) -> CliResult {
    let mut out = csv_writer(path)?;
    out.write_record([
        "cluster",
        "client",
        "line",
        "name",
        "linked_to",
        "probability",
        "weight",
        "explanation",
    ])
    .map_err(failed)?;
    let mut row = |cluster: ClientId, member: ClientId, link: [String; 4]| {
        let name = base
            .get_client(member)
            .map(|c| c.display_name())
            .unwrap_or_default();
        let line = lines.get(&member).map(u64::to_string).unwrap_or_default();
        let [linked, probability, weight, explanation] = link;
        out.write_record([
            cluster.0.to_string(),
            member.0.to_string(),
            line,
            name,
            linked,
            probability,
            weight,
            explanation,
        ])
        .map_err(failed)
    };
    for cluster in &found.clusters {
        for member in &cluster.members {
            // The strongest link of this member to an earlier one of the cluster.
            let link = cluster
                .links
                .iter()
                .find(|l| l.left == *member || l.right == *member);
            let link = match link {
                Some(l) if *member != cluster.id => {
                    let other = if l.right == *member { l.left } else { l.right };
                    let text = index
                        .explain(l.left, l.right)
                        .map(|e| e.summary())
                        .unwrap_or_default();
                    [
                        other.0.to_string(),
                        format!("{:.6}", l.probability),
                        format!("{:.2}", l.weight),
                        text,
                    ]
                }
                _ => Default::default(),
            };
            row(cluster.id, *member, link)?;
        }
    }
    if !only_clusters {
        let clustered = found.cluster_of();
        for client in base.clients() {
            if !clustered.contains_key(&client.id) {
                row(client.id, client.id, Default::default())?;
            }
        }
    }
    out.flush().map_err(failed)
}

fn write_links(index: &MatchIndex, links: &[Link], path: &std::path::Path) -> CliResult {
    let mut out = csv_writer(path)?;
    out.write_record(["left", "right", "verdict", "probability", "explanation"])
        .map_err(failed)?;
    for l in links {
        let text = index
            .explain(l.left, l.right)
            .map(|e| e.summary())
            .unwrap_or_default();
        out.write_record([
            l.left.0.to_string(),
            l.right.0.to_string(),
            l.verdict.name().to_string(),
            format!("{:.6}", l.probability),
            text,
        ])
        .map_err(failed)?;
    }
    out.flush().map_err(failed)
}
