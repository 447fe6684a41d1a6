//! `generate`, `import` and `export`.

use crate::output::{self, int};
use crate::{CliError, CliResult, ExportArgs, Format, GenerateArgs, ImportArgs, ReadArgs, What};
use clientbase::generator::GeneratorConfig;
use clientbase::{ClientBase, ColumnMapping, CsvOptions, ImportReport, Schema};
use std::io::{BufReader, Write};
use std::time::Instant;

pub(crate) fn generate(args: &GenerateArgs) -> CliResult {
    let started = Instant::now();
    let generated = output::generate(&GeneratorConfig::new(args.clients, args.seed))?;
    let counts = generated.base.counts();
    let spinner = output::spinner("writing");
    output::write_base(&generated.base, &args.out)?;
    if let Some(path) = &args.truth {
        let mut out = output::create(path)?;
        serde_json::to_writer(&mut out, &generated.truth)
            .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
        out.flush()
            .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
    }
    if let Some(path) = &args.csv {
        write_csv(&generated.base, What::Clients, &mut output::create(path)?)?;
    }
    if let Some(path) = &args.deals_csv {
        write_csv(&generated.base, What::Deals, &mut output::create(path)?)?;
    }
    spinner.finish_and_clear();
    say!(
        "generated {} clients, {} deals ({} lines), {} activities in {:.1} s; {} duplicates of {} real clients",
        int(counts.clients as u64),
        int(counts.deals as u64),
        int(counts.deal_lines as u64),
        int(counts.activities as u64),
        started.elapsed().as_secs_f64(),
        int(generated.truth.duplicates.len() as u64),
        int(generated.truth.entities),
    );
    // The process ends here; freeing millions of records one by one is wasted time.
    std::mem::forget(generated);
    Ok(())
}

/// The column mapping in a JSON file, or the canonical one for `canonical`.
pub(crate) fn read_mapping(path: &std::path::Path, what: What) -> CliResult<ColumnMapping> {
    if path.as_os_str() == "canonical" {
        return Ok(match what {
            What::Clients => ColumnMapping::canonical_clients(),
            What::Deals => ColumnMapping::canonical_deals(),
        });
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("cannot read the mapping {}: {e}", path.display())))?;
    ColumnMapping::from_json(&text)
        .map_err(|e| CliError::input(format!("mapping {}: {e}", path.display())))
}

pub(crate) fn import(args: &ImportArgs) -> CliResult {
    let mapping = read_mapping(&args.mapping, args.what)?;
    let mut base = match (&args.base, &args.schema) {
        (Some(path), _) => output::open_base_for_writing(path)?,
        (None, Some(path)) => {
            let file = output::open(path, "the schema")?;
            let schema: Schema = serde_json::from_reader(BufReader::new(file))
                .map_err(|e| CliError::input(format!("schema {}: {e}", path.display())))?;
            ClientBase::new(schema)
        }
        (None, None) => ClientBase::default(),
    };
    let options = csv_options(&args.read)?;
    let file = output::open(&args.file, "the CSV file")?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = output::byte_bar(len, "reading");
    let reader = output::BarReader::new(BufReader::new(file), bar.clone(), "importing");
    let name = args.file.display();
    let rejected = match args.what {
        What::Clients => {
            let report = base
                .import_clients_csv(reader, &mapping, &options)
                .map_err(|e| CliError::input(format!("{name}: {e}")))?;
            bar.finish_and_clear();
            write_base(&base, args.out.as_deref())?;
            print_import_report(&report, &args.read)?;
            report.rejected.len()
        }
        What::Deals => {
            let report = base
                .import_deals_csv(reader, &mapping, &options)
                .map_err(|e| CliError::input(format!("{name}: {e}")))?;
            bar.finish_and_clear();
            write_base(&base, args.out.as_deref())?;
            print_import_report(&report, &args.read)?;
            report.rejected.len()
        }
    };
    if args.fail_on_reject && rejected > 0 {
        return Err(CliError::rejected(format!(
            "{rejected} rows were rejected (--fail-on-reject)"
        )));
    }
    Ok(())
}

/// Writes a base, with a spinner on a terminal. Without `--out`, a base file
/// holds every change already; a JSON base needs one.
fn write_base(base: &ClientBase, path: Option<&std::path::Path>) -> CliResult {
    let Some(path) = path else {
        return match base.path() {
            Some(_) => Ok(()),
            None => Err(CliError::input(
                "--out is needed: the base is not a base file that keeps its changes",
            )),
        };
    };
    let spinner = output::spinner("writing");
    let written = output::write_base(base, path);
    spinner.finish_and_clear();
    written
}

/// The CSV options of the command line's reading flags.
pub(crate) fn csv_options(args: &ReadArgs) -> CliResult<CsvOptions> {
    let delimiter = match args.delimiter {
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => {
            return Err(CliError::input(format!(
                "the delimiter {c:?} is not an ASCII character"
            )))
        }
        None => None,
    };
    Ok(CsvOptions {
        delimiter,
        strict: args.strict,
        ..CsvOptions::default()
    })
}

/// How many rejected rows and cells set aside the summary shows; the rest go
/// to the `--problems` file.
const SHOWN: usize = 10;

/// A summary of an import on standard output, and every problem in the
/// `--problems` file when one is given.
pub(crate) fn print_import_report<Id>(report: &ImportReport<Id>, args: &ReadArgs) -> CliResult {
    say!(
        "{} rows: {} imported, {} rejected, {} empty; {} cells set aside",
        int(report.rows),
        int(report.imported.len() as u64),
        int(report.rejected.len() as u64),
        int(report.empty_rows),
        int(report.set_aside.len() as u64)
    );
    if !report.ignored_columns.is_empty() {
        say!(
            "columns not in the mapping, not read: {}",
            report.ignored_columns.join(", ")
        );
    }
    for (title, rows) in [
        ("rejected rows", &report.rejected),
        ("cells set aside (the rows were kept)", &report.set_aside),
    ] {
        if rows.is_empty() {
            continue;
        }
        say!("{title}:");
        for row in rows.iter().take(SHOWN) {
            say!("  {row}");
        }
        if rows.len() > SHOWN {
            let rest = rows.len() - SHOWN;
            match &args.problems {
                Some(path) => say!("  … {} more in {}", int(rest as u64), path.display()),
                None => say!(
                    "  … {} more (--problems FILE writes them all)",
                    int(rest as u64)
                ),
            }
        }
    }
    if let Some(path) = &args.problems {
        write_problems(report, path)?;
    }
    Ok(())
}

/// Every rejected row and cell set aside as CSV.
fn write_problems<Id>(report: &ImportReport<Id>, path: &std::path::Path) -> CliResult {
    let failed = |e: csv::Error| CliError::failed(format!("cannot write {}: {e}", path.display()));
    let mut out = csv::Writer::from_writer(output::create(path)?);
    out.write_record(["what", "line", "column", "field", "kind", "reason"])
        .map_err(failed)?;
    for (what, rows) in [
        ("rejected", &report.rejected),
        ("set_aside", &report.set_aside),
    ] {
        for row in rows {
            out.write_record([
                what,
                &row.line.to_string(),
                row.column.as_deref().unwrap_or(""),
                row.field.as_deref().unwrap_or(""),
                row.kind.name(),
                &row.reason,
            ])
            .map_err(failed)?;
        }
    }
    out.flush()
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))
}

pub(crate) fn export(args: &ExportArgs) -> CliResult {
    // Opened for writing, so that a base file logs the export (see `changes`).
    let base = output::open_base_for_writing(&args.base)?;
    match &args.output {
        Some(path) => {
            let mut out = output::create(path)?;
            write_export(&base, args, &mut out)?;
            out.flush()
                .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            write_export(&base, args, &mut out)?;
            out.flush().map_err(|e| CliError::write("stdout", e))
        }
    }
}

fn write_export(base: &ClientBase, args: &ExportArgs, out: &mut dyn Write) -> CliResult {
    match args.format {
        Format::Csv => write_csv(base, args.what, out),
        Format::Json => {
            let written = match args.what {
                What::Clients => {
                    serde_json::to_writer(&mut *out, &base.clients().collect::<Vec<_>>())
                }
                What::Deals => serde_json::to_writer(&mut *out, &base.deals().collect::<Vec<_>>()),
            };
            written
                .map_err(|e| CliError::write("JSON", e.into()))
                .and_then(|()| writeln!(out).map_err(|e| CliError::write("JSON", e)))
        }
    }
}

pub(crate) fn write_csv(base: &ClientBase, what: What, out: &mut dyn Write) -> CliResult {
    let written = match what {
        What::Clients => base.export_clients_csv(&mut *out),
        What::Deals => base.export_deals_csv(&mut *out),
    };
    written
        .and_then(|()| out.flush().map_err(Into::into))
        .map_err(|e| CliError::failed(format!("cannot write CSV: {e}")))
}
