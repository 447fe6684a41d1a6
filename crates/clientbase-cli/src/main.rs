//! `clientbase`: the command line of the clientbase engine.
//!
//! - `clientbase demo` generates a realistic base and runs every capability on it;
//! - `clientbase generate` writes a generated base (JSON), its ground truth and CSV;
//! - `clientbase import` reads a CSV file through a column mapping into a base;
//! - `clientbase export` writes a base's clients or deals as CSV or JSON;
//! - `clientbase phones` normalizes one raw phone per stdin line into TSV;
//! - `clientbase dedupe` clusters the clients of a CSV file into duplicates, with explanations;
//! - `clientbase rfm` scores the clients of a CSV export of order lines by recency,
//!   frequency and monetary value, with segments;
//! - `clientbase abc` splits clients, products or categories into ABC (and XYZ) classes;
//! - `clientbase clv` fits BG/NBD and Gamma-Gamma and gives each client's lifetime value;
//! - `clientbase segment` lists (or writes as CSV, or explains for one client) the
//!   clients of a base who meet a segment rule;
//! - `clientbase quality` reports the data quality of a base, with a per-client checklist;
//! - `clientbase analytics` gives sales figures over a period by manager, category, month, ...
//! - `clientbase audience` writes who a campaign reaches on a channel, with the
//!   clients left out by reason (or an ad platform's hashed list), and
//!   `clientbase tasks` a segment as call tasks for managers;
//! - `clientbase render` fills a text template (Jinja) from a client and a deal of a base.
//! - `clientbase report` writes one self-contained HTML page on a base, and
//!   `clientbase history` gives one client's history in time order.
//! - `clientbase due` writes the day's actions by automation rules (reminders,
//!   recurring deals, birthdays, stuck deals, missing contacts, stage moves),
//!   and `clientbase route` tells which manager an incoming lead goes to.
//! - `clientbase render` fills a text or DOCX template (Jinja tags) from a client and a deal of
//!   a base; `--pdf` converts the document with LibreOffice.
//! - `clientbase view` calls a read capability (or an export) as one actor sees the
//!   base under an access policy: their clients only, contacts masked, exports checked.
//!
//! `rfm`, `abc` and `clv` report the order lines they cannot read (line, column,
//! reason) and go on with the rest: a bad line is not a failure.
//!
//! Exit codes: 0 on success (an import with rejected rows succeeds and reports
//! them, unless `--fail-on-reject`: then 3), 2 for a usage error or input that
//! cannot be read, 1 when writing fails. A closed standard output (`| head`)
//! is not a failure: the command finishes its work and its files quietly.

/// Prints a line to standard output and never fails: when the reader has gone
/// (`clientbase dedupe … | head -1`) the rest of the summary is dropped while
/// the command finishes its work and writes its files.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod access;
mod analytics;
mod audience;
mod automation;
mod commands;
mod dedupe;
mod demo;
mod output;
mod phones;
mod render;
mod report;
mod scoring;
mod segment;
mod value;

use clap::{Parser, Subcommand, ValueEnum};
use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "clientbase",
    version,
    about = "Model, clean and understand a company's client base"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a demo base and run every capability on it, with a short summary.
    Demo(DemoArgs),
    /// Generate a realistic base with its ground truth.
    Generate(GenerateArgs),
    /// Import clients or deals from CSV through a column mapping.
    Import(ImportArgs),
    /// Export a base's clients or deals as CSV or JSON.
    Export(ExportArgs),
    /// Normalize phones: one raw value per stdin line, one TSV row per line
    /// (input, E.164 or empty, extension, type, reason).
    Phones(PhonesArgs),
    /// Find duplicates among the clients of a CSV file: clusters with the link
    /// that joined each record and its explanation.
    Dedupe(DedupeArgs),
    /// RFM scores and segments of the clients of a CSV file of order lines
    /// (a 1C export with `;`, `1 234,50` and `05.03.2024` included).
    Rfm(value::RfmArgs),
    /// ABC classes (and with --xyz, XYZ classes and the ABC-XYZ matrix) of
    /// the clients, products or categories of a CSV file of order lines.
    Abc(value::AbcArgs),
    /// Lifetime value of the clients of a CSV file of order lines: BG/NBD and
    /// Gamma-Gamma fitted, P(alive), expected purchases and discounted value.
    Clv(value::ClvArgs),
    /// The clients of a base (JSON) who meet a segment rule, written as text
    /// (`sum(purchases where date within last 24 months) > 100000 and consent sms`)
    /// or its JSON form; listed, written as CSV, or explained for one client.
    Segment(segment::SegmentArgs),
    /// Lead scores of the clients of a base from a scoring model (fit and
    /// engagement rules; the default model when none is given): temperature,
    /// grade, the best scores with their points, one client explained, CSV.
    Score(scoring::ScoreArgs),
    /// The data quality of a base: completeness, invalid contacts, duplicates,
    /// consents; with --checklist, what each client lacks (CSV).
    Quality(analytics::QualityArgs),
    /// Sales analytics of a base over a period: revenue, deals, won rate,
    /// average deal and sales cycle by manager, category, month, ...; managers,
    /// the funnel, lead sources, months with the year before.
    Analytics(analytics::AnalyticsArgs),
    /// The clients of a segment a campaign reaches on a channel (a usable
    /// contact and a valid consent), those left out by reason; written as CSV,
    /// or as an ad platform's hashed customer list.
    Audience(audience::AudienceArgs),
    /// A segment as call tasks for managers (own manager first, the rest by
    /// load or in turn), with due date, reason and script line, written as CSV.
    Tasks(audience::TasksArgs),
    /// Fill a text or DOCX template (Jinja: `{{ client.name }}`, `{{ deal.amount |
    /// amount_words }}`) from a client and a deal of a base (JSON), with your
    /// company's details; a missing value names the variable and the line (the
    /// paragraph in a DOCX); `--pdf` converts the DOCX with LibreOffice.
    Render(render::RenderArgs),
    /// One self-contained HTML page on a base (JSON or a base file): data
    /// quality, the funnel, the ABC Pareto curve, the RFM grid, months with
    /// the year before and the managers, as charts and tables.
    Report(report::ReportArgs),
    /// One client's history in time order: deals won and lost, activities,
    /// merges, consents (and from a base file's change log: consent,
    /// contact and stage changes, undone merges, who made them).
    History(report::HistoryArgs),
    /// The actions due on a day by automation rules (next purchases, recurring
    /// deals, birthdays, stuck deals, missing contacts, stage moves), each with
    /// its idempotency key, written as CSV; --record keeps them in the base.
    Due(automation::DueArgs),
    /// Which manager an incoming lead goes to: a known client to their own
    /// manager, else by rules, working hours and open-task load.
    Route(automation::RouteArgs),
    /// A read capability (a table as CSV, a report as JSON) or an export
    /// (`export_clients_csv`, `export_deals_csv`, `export_json`) as one actor
    /// sees the base under an access policy (JSON): their clients only,
    /// contacts masked, forbidden exports refused with the reason, allowed
    /// ones logged in a base file's change log.
    View(access::ViewArgs),
}

/// How a CSV file is read, for `import` and `dedupe`.
#[derive(clap::Args)]
pub(crate) struct ReadArgs {
    /// The delimiter (detected from the header line when not given).
    #[arg(long)]
    pub delimiter: Option<char>,
    /// Reject a row for any cell that cannot be used, instead of setting the
    /// cell aside and keeping the row.
    #[arg(long)]
    pub strict: bool,
    /// Where to write every rejected row and every cell set aside (CSV: what,
    /// line, column, field, kind, reason); standard output gets a summary.
    #[arg(long)]
    pub problems: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct DedupeArgs {
    #[command(flatten)]
    pub read: ReadArgs,
    /// The column mapping: a JSON file {"CSV header": "target", ...}, or
    /// `canonical` for the columns `clientbase export --format csv` writes.
    #[arg(long)]
    pub mapping: PathBuf,
    /// The schema (JSON) the clients' tags and custom fields follow, or a base
    /// (JSON) whose schema to use (only the schema is read, not the records);
    /// without it, tags and custom fields are refused.
    #[arg(long)]
    pub schema: Option<PathBuf>,
    /// Match options (JSON: threshold, keys, max_block, max_cluster, model, phone_region).
    #[arg(long)]
    pub options: Option<PathBuf>,
    /// Estimate the model's weights from the file's clients themselves (u from
    /// random pairs, m and the prior by EM over the candidate pairs), instead
    /// of the defaults or the options' `model`; what the estimate found is printed.
    #[arg(long)]
    pub estimate: bool,
    /// Random pairs of clients the estimate draws (with --estimate).
    #[arg(long, default_value_t = 1_000_000, requires = "estimate")]
    pub estimate_pairs: u64,
    /// "Not a duplicate" decisions (JSON: {"not_duplicates": [[1, 2], ...]});
    /// a decision naming a client not in the file is an error.
    #[arg(long)]
    pub decisions: Option<PathBuf>,
    /// Where to write the clusters (CSV), one row per client: cluster, client,
    /// line (of the client's record in the CSV file, the header being line 1),
    /// name, linked_to, probability, weight, explanation. A client in no
    /// cluster has a row of its own with its id as the cluster, so the file
    /// joins back to the input by `line`.
    #[arg(long)]
    pub out: PathBuf,
    /// Leave the clients in no cluster out of the clusters file.
    #[arg(long)]
    pub only_clusters: bool,
    /// Where to write the related pairs (CSV): different people sharing a contact.
    #[arg(long)]
    pub related: Option<PathBuf>,
    /// The clients CSV file.
    pub file: PathBuf,
}

#[derive(clap::Args)]
pub(crate) struct PhonesArgs {
    /// The region for numbers written without a country code (ISO 3166, e.g. RU, KZ, DE).
    #[arg(long, default_value = "RU")]
    pub region: String,
    /// Write a header row first.
    #[arg(long)]
    pub header: bool,
}

#[derive(clap::Args)]
pub(crate) struct DemoArgs {
    /// Client records to generate.
    #[arg(long, default_value_t = 20_000)]
    pub clients: usize,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where to write the exported files (default: a new folder in the temp dir).
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct GenerateArgs {
    /// Client records to generate (duplicates and relatives included).
    #[arg(long, default_value_t = 20_000)]
    pub clients: usize,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where to write the base: a base file (SQLite) when the name ends in `.cb`, else JSON.
    #[arg(long)]
    pub out: PathBuf,
    /// Where to write the ground truth (JSON).
    #[arg(long)]
    pub truth: Option<PathBuf>,
    /// Where to write the clients as CSV.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Where to write the deals as CSV.
    #[arg(long)]
    pub deals_csv: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum What {
    Clients,
    Deals,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Csv,
    Json,
}

#[derive(clap::Args)]
pub(crate) struct ImportArgs {
    /// The column mapping: a JSON file {"CSV header": "target", ...}, or
    /// `canonical` for the columns `clientbase export --format csv` writes.
    #[arg(long)]
    pub mapping: PathBuf,
    /// The schema (JSON) of a new base; ignored with --base.
    #[arg(long)]
    pub schema: Option<PathBuf>,
    /// An existing base to import into: a base file (`.cb`, SQLite), which
    /// takes the rows in place, or JSON.
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// Whether the file holds clients or deals.
    #[arg(long, value_enum, default_value_t = What::Clients)]
    pub what: What,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Exit with code 3 when any row was rejected (the base is still written).
    #[arg(long)]
    pub fail_on_reject: bool,
    /// Where to write the base: a base file when the name ends in `.cb`, else
    /// JSON. Not needed when --base is a base file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The CSV file.
    pub file: PathBuf,
}

#[derive(clap::Args)]
pub(crate) struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Format,
    /// What to export.
    #[arg(long, value_enum, default_value_t = What::Clients)]
    pub what: What,
    /// The base: a base file (`.cb`) or JSON.
    pub base: PathBuf,
    /// Where to write (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// A failure with the exit code it deserves.
#[derive(Debug)]
pub(crate) struct CliError {
    message: String,
    code: u8,
}

impl CliError {
    /// Input that cannot be read or is not what it should be: exit code 2.
    pub(crate) fn input(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            code: 2,
        }
    }

    /// Writing a stream failed: a closed pipe (the reader, such as `head`, has
    /// all it wanted) ends the command quietly with exit code 0; anything else
    /// is a failure.
    pub(crate) fn write(what: &str, err: std::io::Error) -> CliError {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            CliError {
                message: String::new(),
                code: 0,
            }
        } else {
            CliError::failed(format!("cannot write {what}: {err}"))
        }
    }

    /// Rows were rejected and `--fail-on-reject` was given: exit code 3.
    pub(crate) fn rejected(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            code: 3,
        }
    }

    /// Output that cannot be written, or a failure of the engine: exit code 1.
    pub(crate) fn failed(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            code: 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

pub(crate) type CliResult<T = ()> = Result<T, CliError>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Generate(args) => commands::generate(&args),
        Command::Import(args) => commands::import(&args),
        Command::Export(args) => commands::export(&args),
        Command::Phones(args) => phones::run(&args),
        Command::Dedupe(args) => dedupe::run(&args),
        Command::Rfm(args) => value::rfm(&args),
        Command::Abc(args) => value::abc(&args),
        Command::Clv(args) => value::clv(&args),
        Command::Segment(args) => segment::run(&args),
        Command::Score(args) => scoring::run(&args),
        Command::Quality(args) => analytics::quality(&args),
        Command::Analytics(args) => analytics::analytics(&args),
        Command::Audience(args) => audience::run(&args),
        Command::Tasks(args) => audience::tasks(&args),
        Command::Render(args) => render::run(&args),
        Command::Report(args) => report::report(&args),
        Command::History(args) => report::history(&args),
        Command::Due(args) => automation::due(&args),
        Command::Route(args) => automation::route(&args),
        Command::View(args) => access::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.code == 0 => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("clientbase: {err}");
            ExitCode::from(err.code)
        }
    }
}
