//! The list of capabilities by name, and the generic calls over it.

#[cfg(feature = "csv")]
use super::import::*;
use super::parse::*;
use super::*;
use crate::audience::{
    ad_audience, add_call_tasks, audience, audience_exclusions, audience_summary, call_tasks,
    AdParams, AudienceParams, CallTasksParams,
};
#[cfg(feature = "render")]
use crate::render::{
    mail_merge, render, render_check, render_text, sms_parts, MergeParams as MailMergeParams,
    RenderParams, SmsParams, TextParams,
};
use crate::sales::{sales_summary, SalesParams};
use crate::scoring::{
    behaviour_types, score, score_explain, BehaviourParams, ScoreExplainParams, ScoreParams,
};
use crate::segment::{
    segment, segment_explain, segment_parse, segment_sizes, ExplainParams, ParseParams,
    SegmentParams, SizesParams,
};
use crate::table::Table;
use crate::value::{
    abc, abc_xyz, clv, clv_fit, next_purchase, recurring_due_dates, rfm, xyz, AbcParams,
    AbcXyzParams, ClvParams, NextPurchaseParams, RecurringParams, RfmParams, XyzParams,
};
use serde_json::Value;

/// What a capability gives back.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Output {
    /// A report: the capability's `Serialize` result as JSON data.
    Report(Value),
    /// A table: one row per client, deal, product or period. Bindings hand it
    /// over as Arrow (Python, C) or as its JSON form (see [`crate::table`]).
    Table(Table),
}

impl Output {
    /// The output as JSON text (a table in its JSON form), compact, with its
    /// object keys sorted so that equal outputs are equal texts.
    pub fn to_json(&self) -> Result<String> {
        match self {
            Output::Report(value) => Ok(serde_json::to_string(value)?),
            Output::Table(table) => table.to_json(),
        }
    }

    /// The output as JSON data (a table in its JSON form).
    pub fn into_json(self) -> Result<Value> {
        match self {
            Output::Report(value) => Ok(value),
            Output::Table(table) => Ok(serde_json::to_value(&table)?),
        }
    }

    /// The table of capability `name`; a report is an
    /// [`ErrorKind::InvalidValue`] error on the field `capability`.
    pub fn into_table(self, name: &str) -> Result<Table> {
        match self {
            Output::Table(table) => Ok(table),
            Output::Report(_) => Err(Error::new(
                ErrorKind::InvalidValue,
                format!("{name} gave back a report, not a table"),
            )
            .with_field("capability")),
        }
    }
}

/// Checks, before calling it, that capability `name` gives back a table;
/// the error for a report capability names `report_call`, the call that
/// gives its report (`cb_base_call` in C, say).
pub fn expect_table(name: &str, report_call: &str) -> Result<()> {
    if find(name)?.output == OutputKind::Table {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidValue,
        format!("{name} gives back a report, not a table: call it with {report_call}"),
    )
    .with_field("capability"))
}

fn report<R: Serialize>(result: Result<R>) -> Result<Output> {
    Ok(Output::Report(serde_json::to_value(result?)?))
}

fn table(result: Result<Table>) -> Result<Output> {
    Ok(Output::Table(result?))
}

/// What a capability needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Plain inputs in its params, no base.
    Plain,
    /// Reads a base.
    Read,
    /// Changes a base.
    Write,
    /// Reads rows: an input table (order lines from Arrow, a DataFrame or a
    /// CSV export), or a base's own rows of that kind (its won deals).
    Rows,
}

/// Where a [`Access::Rows`] capability reads its rows.
#[derive(Debug, Clone, Copy)]
pub enum Rows<'a> {
    /// An input table, its columns named in the params.
    Table(&'a Table),
    /// A base, whose own rows the capability takes.
    Base(&'a ClientBase),
}

type PlainFn = fn(Value) -> Result<Output>;
type RowsFn = fn(Rows<'_>, Value) -> Result<Output>;
type ReadFn = fn(&ClientBase, Value) -> Result<Output>;
type WriteFn = fn(&mut ClientBase, Value) -> Result<Output>;

#[derive(Clone, Copy)]
enum Runner {
    Plain(PlainFn),
    Read(ReadFn),
    Write(WriteFn),
    Rows(RowsFn),
}

/// One entry of [`CAPABILITIES`].
#[derive(Clone, Copy)]
pub struct CapabilityInfo {
    /// The name bindings call it by (`dedupe`).
    pub name: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
    /// Whether it gives back a report or a table.
    pub output: OutputKind,
    run: Runner,
}

/// What kind of [`Output`] a capability gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputKind {
    /// [`Output::Report`].
    Report,
    /// [`Output::Table`].
    Table,
}

impl CapabilityInfo {
    /// Whether it takes plain inputs, reads a base or changes one.
    pub fn access(&self) -> Access {
        match self.run {
            Runner::Plain(_) => Access::Plain,
            Runner::Read(_) => Access::Read,
            Runner::Write(_) => Access::Write,
            Runner::Rows(_) => Access::Rows,
        }
    }
}

impl std::fmt::Debug for CapabilityInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CapabilityInfo")
            .field("name", &self.name)
            .field("access", &self.access())
            .field("output", &self.output)
            .finish()
    }
}

impl Serialize for CapabilityInfo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("CapabilityInfo", 4)?;
        out.serialize_field("name", self.name)?;
        out.serialize_field("access", &self.access())?;
        out.serialize_field("output", &self.output)?;
        out.serialize_field("summary", self.summary)?;
        out.end()
    }
}

/// Declares a capability: its name, summary, access and typed core function.
///
/// `report` capabilities return anything `Serialize` (given back as JSON
/// data), `table` capabilities return a [`Table`].
macro_rules! capability {
    (plain $out:ident $name:literal, $summary:literal, $params:ty => $run:expr) => {
        CapabilityInfo {
            name: $name,
            summary: $summary,
            output: OutputKind::$out,
            run: Runner::Plain(|value| {
                let p: $params = params($name, value)?;
                capability!(@out $out, $run(&p))
            }),
        }
    };
    (read $out:ident $name:literal, $summary:literal, $params:ty => $run:expr) => {
        CapabilityInfo {
            name: $name,
            summary: $summary,
            output: OutputKind::$out,
            run: Runner::Read(|base, value| {
                let p: $params = params($name, value)?;
                capability!(@out $out, $run(base, &p))
            }),
        }
    };
    (write $out:ident $name:literal, $summary:literal, $params:ty => $run:expr) => {
        CapabilityInfo {
            name: $name,
            summary: $summary,
            output: OutputKind::$out,
            run: Runner::Write(|base, value| {
                let p: $params = params($name, value)?;
                capability!(@out $out, $run(base, &p))
            }),
        }
    };
    (rows $out:ident $name:literal, $summary:literal, $params:ty => $run:expr) => {
        CapabilityInfo {
            name: $name,
            summary: $summary,
            output: OutputKind::$out,
            run: Runner::Rows(|rows, value| {
                let p: $params = params($name, value)?;
                capability!(@out $out, $run(rows, &p))
            }),
        }
    };
    (@out Report, $result:expr) => { report($result) };
    (@out Table, $result:expr) => { table($result) };
}

/// Every capability, by name.
pub static CAPABILITIES: &[CapabilityInfo] = &[
    capability!(read Report "counts", "How many clients, deals and activities the base holds.",
        NoParams => |base: &ClientBase, _: &NoParams| Ok::<_, Error>(base.counts())),
    capability!(write Report "normalize_contacts", "Phones to E.164 and emails checked, in place, with a report of what changed and what is invalid.",
        NormalizeParams => normalize_contacts),
    capability!(read Report "dedupe", "Clusters of duplicate clients, related clients and the blocking report.",
        DedupeParams => dedupe),
    capability!(read Report "find_duplicates", "Existing clients that may be the same as a new record, best first, with explanations.",
        FindParams => find_duplicates),
    capability!(read Report "duplicate_deals", "Open deals that repeat an older open deal of the same decision unit.",
        DealParams => duplicate_deals_report),
    capability!(read Report "open_deals", "The open deals of a client's decision unit.",
        DealParams => open_deals_report),
    capability!(read Report "find_duplicate_deal", "The older open deal that one deal (in the base or about to be added) repeats, or null.",
        DealCheckParams => find_duplicate_deal_report),
    capability!(write Report "merge_clients", "Merges clients into a survivor; the record undoes it.",
        MergeParams => merge_clients),
    capability!(write Report "undo_merge", "Undoes a merge exactly from its record.",
        UndoParams => undo_merge),
    #[cfg(feature = "csv")]
    capability!(write Report "import_clients_csv", "Imports clients from CSV text or a file; bad rows are reported with line, column, field and reason.",
        ImportParams => import_clients_csv),
    #[cfg(feature = "csv")]
    capability!(write Report "import_deals_csv", "Imports deals from CSV text or a file; bad rows are reported with line, column, field and reason.",
        ImportParams => import_deals_csv),
    capability!(plain Report "parse_phones", "Phone numbers to E.164 with kind, region and extension, or the problem and reason, one row per value (or per number with split).",
        PhonesParams => parse_phones),
    capability!(plain Report "parse_emails", "Email addresses checked and normalized, with matching keys and typo suggestions, one row per value.",
        EmailsParams => parse_emails),
    capability!(plain Report "parse_names", "Full names split into surname, given name and patronymic, with gender, initials and the matching key.",
        NamesParams => parse_names),
    #[cfg(feature = "storage")]
    capability!(read Report "changes", "The change log of a base kept in a file, oldest first: when, who (the actor), the write, and each record's fields before and after; filtered by record, actor, time or entry number.",
        crate::ChangesParams => |base: &ClientBase, p: &crate::ChangesParams| base.changes(p)),
    #[cfg(feature = "storage")]
    capability!(read Report "backup", "Copies the base into a new base file while it stays in use (an existing file is never overwritten).",
        BackupParams => backup),
    capability!(write Report "set_actor", "Names who makes the following writes (a manager's name or id), for the change log.",
        ActorParams => set_actor),
    capability!(read Report "sales_summary", "Won revenue by year and by product category.",
        SalesParams => sales_summary),
    capability!(read Table "clients_table", "The clients as a typed table, one row per client in id order (ids as integers, dates as dates).",
        TableParams => clients_table),
    capability!(read Table "deals_table", "The deals as a typed table, one row per deal in id order (amounts as exact decimals with their currency).",
        TableParams => deals_table),
    capability!(rows Table "rfm", "Recency, frequency and monetary value per client from order lines or won deals, scored 1-5 (quantiles or bins) and named by an R×F segment map.",
        RfmParams => rfm),
    capability!(rows Table "abc", "ABC classes of clients, products or categories by cumulative share of revenue, margin, quantity or lines (80/15/5 by default), or by share of objects.",
        AbcParams => abc),
    capability!(rows Table "xyz", "XYZ classes by the coefficient of variation of sales per day, week, month or quarter, zero periods counted.",
        XyzParams => xyz),
    capability!(rows Table "abc_xyz", "ABC and XYZ classes of the same objects with their matrix cell (AX … CZ).",
        AbcXyzParams => abc_xyz),
    capability!(rows Table "clv", "Lifetime value per client: probability alive, expected purchases (BG/NBD), expected spend (Gamma-Gamma) and the discounted value.",
        ClvParams => clv),
    capability!(rows Report "clv_fit", "BG/NBD and Gamma-Gamma fitted by maximum likelihood to the clients' purchase histories: parameters, log-likelihood, convergence.",
        ClvParams => clv_fit),
    capability!(rows Table "next_purchase", "When each client (or client and product) needs to buy again, from the purchase history or from consumption, and when to remind them.",
        NextPurchaseParams => next_purchase),
    capability!(read Table "recurring_due_dates", "The next due dates of open and won recurring deals (invoices, shipments).",
        RecurringParams => recurring_due_dates),
    capability!(read Table "segment", "The clients who meet a segment rule (text or JSON), ids ascending, with named segments it may refer to.",
        SegmentParams => segment),
    capability!(read Report "segment_explain", "For one client, each condition of a segment rule, whether it held and the client's value.",
        ExplainParams => segment_explain),
    capability!(read Report "segment_sizes", "How many clients each named segment rule holds.",
        SizesParams => segment_sizes),
    capability!(plain Report "segment_parse", "A segment rule read from text or JSON and given back in both forms.",
        ParseParams => segment_parse),
    capability!(read Table "score", "Lead scores of every client from fit and engagement rules (caps, decay), with temperature, fit × engagement grade and optionally the points by rule.",
        ScoreParams => score),
    capability!(read Report "score_explain", "One client's score with each rule's points and, for fit rules, which conditions held.",
        ScoreExplainParams => score_explain),
    capability!(read Table "behaviour_types", "The behaviour type of every client (loyal, discount-driven, impulsive, purposeful, browsing by default): the first configured condition that holds.",
        BehaviourParams => behaviour_types),
    capability!(rows Table "sales_analytics", "Revenue (exact, per currency), deals, won, lost, won rate, average deal and sales cycle over a period, by client, manager, product, category, city, region, source or month; slices add up to the whole.",
        crate::analytics::AnalyticsParams => crate::analytics::sales_analytics),
    capability!(read Table "manager_effectiveness", "Per manager: deals, conversion, revenue, sales cycle, activities and activities per deal over a period.",
        crate::analytics::AnalyticsParams => crate::analytics::manager_effectiveness),
    capability!(read Table "funnel", "Deals per pipeline stage (open, won, lost), deals that reached each stage, stage-to-stage conversion and the age of open deals.",
        crate::analytics::FunnelParams => crate::analytics::funnel),
    capability!(read Table "source_conversion", "Per lead source: clients, buyers, conversion to a sale, won deals and days to the first sale.",
        crate::analytics::SourceParams => crate::analytics::source_conversion),
    capability!(rows Table "monthly_dynamics", "Revenue, deals and won rate per month with the same month a year before and the year-over-year change.",
        crate::analytics::AnalyticsParams => crate::analytics::monthly_dynamics),
    capability!(read Report "quality_report", "Data quality of the base: completeness by field (required ones marked), invalid and non-normalized contacts, phone-only and email-only clients, duplicate rate and review queue, consent coverage by channel, tags and fields outside the schema.",
        crate::quality::QualityParams => crate::quality::quality_report),
    capability!(read Table "quality_checklist", "Per client, what is missing or wrong: required fields, invalid contacts and values, contacts to normalize, no contact, duplicate of, tags and fields outside the schema.",
        crate::quality::QualityParams => crate::quality::quality_checklist),
    capability!(read Table "audience", "The clients of a segment reachable on a channel (a usable contact and a valid consent as of the date), one per contact.",
        AudienceParams => audience),
    capability!(read Report "audience_summary", "How many clients of a segment a channel reaches and how many are left out, by reason.",
        AudienceParams => audience_summary),
    capability!(read Table "audience_exclusions", "The clients of a segment left out of a channel's audience, with the reason.",
        AudienceParams => audience_exclusions),
    capability!(read Table "ad_audience", "A segment's ads audience as an ad platform's customer list: normalized emails and phones hashed with SHA-256.",
        AdParams => ad_audience),
    capability!(read Table "call_tasks", "A segment as call tasks for managers: own manager first, the rest by round robin or load, with due date, reason and script line.",
        CallTasksParams => call_tasks),
    capability!(write Report "add_call_tasks", "Adds a call campaign's tasks to the base as activities (tasks with manager, due date and text).",
        CallTasksParams => add_call_tasks),
    #[cfg(feature = "render")]
    capability!(read Report "render", "Fills a Jinja template from a client, a deal with its lines, the manager and your company; strict about missing values, with limits.",
        RenderParams => render),
    #[cfg(feature = "render")]
    capability!(plain Report "render_text", "Fills a Jinja template from your own variables, without a base.",
        TextParams => render_text),
    #[cfg(feature = "render")]
    capability!(read Report "render_check", "The variables a template reads and which of them the context of a client and deal lacks.",
        RenderParams => render_check),
    #[cfg(feature = "render")]
    capability!(read Table "mail_merge", "One text per client (all, a list or a segment) from a template, in parallel, with the address and, for SMS, the encoding and parts; failures reported per row.",
        MailMergeParams => mail_merge),
    #[cfg(feature = "render")]
    capability!(plain Report "sms_parts", "The encoding (GSM-7 or UCS-2), length and number of parts of an SMS text.",
        SmsParams => sms_parts),
    capability!(read Table "client_history", "One client's history in time order: deals opened, won and lost, activities, merges and their undo, consents given and withdrawn, contact and stage changes (the last ones from a base file's change log).",
        crate::history::HistoryParams => crate::history::client_history),
    capability!(read Report "report_html", "One self-contained HTML page on the base: data quality, the funnel, the ABC Pareto curve, the RFM grid, monthly dynamics and managers, with charts, Russian labels and number formats.",
        crate::report::ReportParams => crate::report::report_html),
    capability!(read Table "due", "The actions due on a day by automation rules (next purchases, recurring deals, birthdays, stuck deals, missing contacts, stage moves), each with an idempotency key; keys already done are skipped.",
        crate::automation::DueParams => crate::automation::due),
    capability!(write Report "add_due_tasks", "Records the day's due actions in the base (tasks for managers, messages to clients), each carrying its key so that it is never given again.",
        crate::automation::DueParams => crate::automation::add_due_tasks),
    capability!(read Table "stage_actions", "The actions a deal's move to a stage triggers (a message to the client, a task), for one move or the change log's moves since a time.",
        crate::automation::StageParams => crate::automation::stage_actions),
    capability!(read Report "route", "Which manager takes an incoming lead: a known client to their own manager, else by rules, working hours and load, with the reason.",
        crate::automation::RouteParams => crate::automation::route),
    #[cfg(feature = "docx")]
    capability!(read Report "render_docx", "Fills a .docx template file (Word, LibreOffice) from a client, a deal with its lines, the manager and your company, and writes the document atomically.",
        crate::render::DocxParams => crate::render::render_docx_file),
    #[cfg(feature = "docx")]
    capability!(read Report "render_docx_check", "The parts with tags, the variables a .docx template reads and which of them the context of a client and deal lacks.",
        crate::render::DocxParams => crate::render::render_docx_check),
    #[cfg(feature = "docx")]
    capability!(plain Report "docx_to_pdf", "Converts a .docx file to PDF with LibreOffice (headless, time-limited), written atomically.",
        crate::render::PdfParams => crate::render::docx_to_pdf_file),
    #[cfg(feature = "docx")]
    capability!(plain Report "docx_text", "The body text of a .docx file, one line per paragraph, for previews and tests.",
        crate::render::DocxTextParams => crate::render::docx_text_file),
    capability!(read Report "open_deals_owners", "The open deals of a client's decision unit with their owners; through an actor's view, deals of clients outside it come only as existing, owned by X.",
        DealParams => crate::access::open_deals_owners),
    capability!(write Report "close_duplicate_deal", "Closes an open deal as a duplicate of another open deal (status duplicate_of, closed_at stamped).",
        CloseDuplicateParams => close_duplicate_deal),
];

/// The capability called `name`; an unknown name is an
/// [`ErrorKind::InvalidValue`] error listing the names there are.
pub fn find(name: &str) -> Result<&'static CapabilityInfo> {
    CAPABILITIES.iter().find(|c| c.name == name).ok_or_else(|| {
        let names: Vec<&str> = CAPABILITIES.iter().map(|c| c.name).collect();
        Error::new(
            ErrorKind::InvalidValue,
            format!(
                "{name:?} is not a capability; there are {}",
                names.join(", ")
            ),
        )
        .with_field("capability")
    })
}

fn wrong_access(info: &CapabilityInfo, given: &str) -> Error {
    let needs = match info.access() {
        Access::Plain => "takes no base",
        Access::Read => "reads a base",
        Access::Write => "changes a base and needs it writable",
        Access::Rows => "reads rows: an input table or a base",
    };
    Error::new(
        ErrorKind::InvalidValue,
        format!("{} {needs}, but was called {given}", info.name),
    )
    .with_field("capability")
}

/// Calls a capability that takes plain inputs (no base).
pub fn call(name: &str, params: Value) -> Result<Output> {
    let info = find(name)?;
    match info.run {
        Runner::Plain(run) => run(params),
        _ => Err(wrong_access(info, "without a base")),
    }
}

/// Calls a capability that reads rows on an input table.
pub fn call_table(name: &str, input: &Table, params: Value) -> Result<Output> {
    let info = find(name)?;
    match info.run {
        Runner::Rows(run) => run(Rows::Table(input), params),
        _ => Err(wrong_access(info, "on an input table")),
    }
}

/// Calls a capability that reads the base (or takes no base at all).
pub fn call_read(base: &ClientBase, name: &str, params: Value) -> Result<Output> {
    let info = find(name)?;
    match info.run {
        Runner::Plain(run) => run(params),
        Runner::Read(run) => logged(base, name, run(base, params)),
        Runner::Rows(run) => run(Rows::Base(base), params),
        Runner::Write(_) => Err(wrong_access(info, "on a read-only base")),
    }
}

/// Logs an audience leaving the base (the tables and backups log themselves)
/// with the actor and its number of records, before it is handed over.
fn logged(base: &ClientBase, name: &str, output: Result<Output>) -> Result<Output> {
    let output = output?;
    if crate::access::export_kind(name) == Some(crate::access::ExportKind::Audience) {
        base.log_export(name, crate::access::records_in(&output))?;
    }
    Ok(output)
}

/// Calls any capability on a base it may change.
pub fn call_write(base: &mut ClientBase, name: &str, params: Value) -> Result<Output> {
    let info = find(name)?;
    match info.run {
        Runner::Plain(run) => run(params),
        Runner::Read(run) => logged(base, name, run(base, params)),
        Runner::Rows(run) => run(Rows::Base(base), params),
        Runner::Write(run) => run(base, params),
    }
}
