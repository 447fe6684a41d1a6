//! `clientbase dedupe`: clusters the clients of a CSV file and writes each
//! cluster's records with the link that joined them and its explanation.

use crate::commands::{csv_options, print_import_report, read_mapping};
use crate::output::{self, int};
use crate::{CliError, CliResult, DedupeArgs, What};
use clientbase::dedup::{Decisions, Dedupe, Link, MatchIndex, MatchOptions};
use clientbase::{ClientBase, Schema};
use std::io::{BufReader, Write};
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
    let started = Instant::now();
    let mut base = match &args.schema {
        Some(path) => ClientBase::new(read_schema(path)?),
        None => ClientBase::default(),
    };
    let file = output::open(&args.file, "the CSV file")?;
    let report = base
        .import_clients_csv(BufReader::new(file), &mapping, &csv_options(&args.read)?)
        .map_err(|e| CliError::input(format!("{}: {e}", args.file.display())))?;
    print_import_report(&report, &args.read)?;
    let index = MatchIndex::build(&base, options).map_err(|e| CliError::input(e.to_string()))?;
    let found = index.dedupe(&decisions);
    write_clusters(&base, &index, &found, &args.out)?;
    if let Some(path) = &args.related {
        write_links(&index, &found.related, path)?;
    }
    say!(
        "{} clients compared in {:.1} s ({} pairs): {} clusters, {} records to merge, {} related pairs, {} joins refused",
        int(found.records),
        started.elapsed().as_secs_f64(),
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

/// A schema file, or the schema of a base file.
fn read_schema(path: &std::path::Path) -> CliResult<Schema> {
    let file = output::open(path, "the schema")?;
    let mut json: serde_json::Value = serde_json::from_reader(BufReader::new(file))
        .map_err(|e| CliError::input(format!("schema {}: {e}", path.display())))?;
    if let Some(schema) = json.get_mut("schema") {
        json = schema.take();
    }
    serde_json::from_value(json)
        .map_err(|e| CliError::input(format!("schema {}: {e}", path.display())))
}

fn csv_writer(path: &std::path::Path) -> CliResult<csv::Writer<Box<dyn Write>>> {
    let out: Box<dyn Write> = Box::new(output::create(path)?);
    Ok(csv::Writer::from_writer(out))
}

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::failed(format!("cannot write: {e}"))
}

/// One row per record in a cluster: the cluster, the record, the record it
/// joined through, and that link's probability and explanation.
fn write_clusters(
    base: &ClientBase,
    index: &MatchIndex,
    found: &Dedupe,
    path: &std::path::Path,
) -> CliResult {
    let mut out = csv_writer(path)?;
    out.write_record([
        "cluster",
        "client",
        "name",
        "linked_to",
        "probability",
        "weight",
        "explanation",
    ])
    .map_err(failed)?;
    for cluster in &found.clusters {
        for member in &cluster.members {
            let name = base
                .get_client(*member)
                .map(|c| c.display_name())
                .unwrap_or_default();
            // The strongest link of this member to an earlier one of the cluster.
            let link = cluster
                .links
                .iter()
                .find(|l| l.left == *member || l.right == *member);
            let (linked, probability, weight, explanation) = match link {
                Some(l) if *member != cluster.id => {
                    let other = if l.right == *member { l.left } else { l.right };
                    let text = index
                        .explain(l.left, l.right)
                        .map(|e| e.summary())
                        .unwrap_or_default();
                    (
                        other.0.to_string(),
                        format!("{:.6}", l.probability),
                        format!("{:.2}", l.weight),
                        text,
                    )
                }
                _ => Default::default(),
            };
            out.write_record([
                cluster.id.0.to_string(),
                member.0.to_string(),
                name,
                linked,
                probability,
                weight,
                explanation,
            ])
            .map_err(failed)?;
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
