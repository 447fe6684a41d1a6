//! `generate`, `import` and `export`.

use crate::output::{self, int};
use crate::{CliError, CliResult, ExportArgs, Format, GenerateArgs, ImportArgs, What};
use clientbase::generator::GeneratorConfig;
use clientbase::{ClientBase, ColumnMapping, CsvOptions, ImportReport, Schema};
use std::io::{BufReader, Write};
use std::time::Instant;

pub(crate) fn generate(args: &GenerateArgs) -> CliResult {
    let started = Instant::now();
    let generated = output::generate(&GeneratorConfig::new(args.clients, args.seed))?;
    let counts = generated.base.counts();
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
    println!(
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
        (Some(path), _) => output::read_base(path)?,
        (None, Some(path)) => {
            let file = output::open(path, "the schema")?;
            let schema: Schema = serde_json::from_reader(BufReader::new(file))
                .map_err(|e| CliError::input(format!("schema {}: {e}", path.display())))?;
            ClientBase::new(schema)
        }
        (None, None) => ClientBase::default(),
    };
    let delimiter = match args.delimiter {
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => {
            return Err(CliError::input(format!(
                "the delimiter {c:?} is not an ASCII character"
            )))
        }
        None => None,
    };
    let options = CsvOptions {
        delimiter,
        ..CsvOptions::default()
    };
    let file = output::open(&args.file, "the CSV file")?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = output::byte_bar(len, "importing");
    let reader = bar.wrap_read(BufReader::new(file));
    let name = args.file.display();
    match args.what {
        What::Clients => {
            let report = base
                .import_clients_csv(reader, &mapping, &options)
                .map_err(|e| CliError::input(format!("{name}: {e}")))?;
            bar.finish_and_clear();
            output::write_base(&base, &args.out)?;
            print_import_report(&report);
        }
        What::Deals => {
            let report = base
                .import_deals_csv(reader, &mapping, &options)
                .map_err(|e| CliError::input(format!("{name}: {e}")))?;
            bar.finish_and_clear();
            output::write_base(&base, &args.out)?;
            print_import_report(&report);
        }
    }
    Ok(())
}

pub(crate) fn print_import_report<Id>(report: &ImportReport<Id>) {
    println!(
        "{} rows: {} imported, {} rejected, {} empty",
        int(report.rows),
        int(report.imported.len() as u64),
        int(report.rejected.len() as u64),
        int(report.empty_rows)
    );
    if !report.ignored_columns.is_empty() {
        println!(
            "columns not in the mapping, not read: {}",
            report.ignored_columns.join(", ")
        );
    }
    if !report.rejected.is_empty() {
        println!("rejected rows:");
        for row in &report.rejected {
            println!("  {row}");
        }
    }
}

pub(crate) fn export(args: &ExportArgs) -> CliResult {
    let base = output::read_base(&args.base)?;
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
            out.flush()
                .map_err(|e| CliError::failed(format!("cannot write: {e}")))
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
                .map_err(|e| CliError::failed(format!("cannot write JSON: {e}")))
                .and_then(|()| {
                    writeln!(out).map_err(|e| CliError::failed(format!("cannot write: {e}")))
                })
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
