//! `clientbase view`: any read capability, or an export, as one actor may see
//! the base under an access policy (see `clientbase::access`).

use crate::output;
use crate::{CliError, CliResult};
use clientbase::access::{Policy, View};
use clientbase::capability::Output;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub(crate) struct ViewArgs {
    /// The base: a base file (`.cb`; exports are logged in its change log
    /// with the actor) or JSON.
    pub base: PathBuf,
    /// A capability that reads the base (`clients_table`, `segment`,
    /// `open_deals_owners`, …; see `clientbase::capability`), or an export:
    /// `export_clients_csv`, `export_deals_csv`, `export_json`.
    pub capability: String,
    /// Who reads (a manager's name or id, as in the policy).
    #[arg(long)]
    pub actor: String,
    /// The access policy (JSON file): roles, actors, forbidden exports.
    #[arg(long)]
    pub policy: PathBuf,
    /// The capability's params: JSON text, or a file holding it.
    #[arg(long)]
    pub params: Option<String>,
    /// Where to write (default: standard output): a table as CSV, a report
    /// as JSON.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub(crate) fn run(args: &ViewArgs) -> CliResult {
    let text = std::fs::read_to_string(&args.policy)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", args.policy.display())))?;
    let policy = Policy::from_json(&text)
        .map_err(|e| CliError::input(format!("{}: {e}", args.policy.display())))?;
    let params: serde_json::Value = match &args.params {
        None => serde_json::json!({}),
        Some(given) => {
            let text = if given.trim_start().starts_with('{') {
                given.clone()
            } else {
                std::fs::read_to_string(given)
                    .map_err(|e| CliError::input(format!("cannot read {given}: {e}")))?
            };
            serde_json::from_str(&text).map_err(|e| CliError::input(format!("--params: {e}")))?
        }
    };
    // Opened for writing, so that a base file logs the exports.
    let base = output::open_base_for_writing(&args.base)?;
    let refused = |e: clientbase::Error| CliError::input(e.to_string());
    let mut view = View::new(&base, &policy, &args.actor).map_err(refused)?;
    let mut out: Vec<u8> = Vec::new();
    match args.capability.as_str() {
        "export_clients_csv" => view.export_clients_csv(&base, &mut out),
        "export_deals_csv" => view.export_deals_csv(&base, &mut out),
        "export_json" => view.write_json(&base, &mut out),
        name => match view.call(&base, name, params).map_err(refused)? {
            Output::Table(table) => {
                let mut csv = csv::Writer::from_writer(&mut out);
                let fail = |e: csv::Error| CliError::failed(format!("cannot write CSV: {e}"));
                csv.write_record(table.column_names()).map_err(fail)?;
                for i in 0..table.rows() {
                    csv.write_record(table.columns().iter().map(|c| output::cell(c.value(i))))
                        .map_err(fail)?;
                }
                csv.flush()
                    .map_err(|e| CliError::failed(format!("cannot write CSV: {e}")))?;
                drop(csv);
                Ok(())
            }
            report => {
                let json = report
                    .into_json()
                    .and_then(|v| Ok(serde_json::to_string_pretty(&v)?))
                    .map_err(refused)?;
                out.extend_from_slice(json.as_bytes());
                out.push(b'\n');
                Ok(())
            }
        },
    }
    .map_err(refused)?;
    match &args.output {
        Some(path) => {
            let mut file = output::create(path)?;
            file.write_all(&out)
                .and_then(|()| file.flush())
                .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))
        }
        None => std::io::stdout()
            .lock()
            .write_all(&out)
            .map_err(|e| CliError::write("stdout", e)),
    }
}
