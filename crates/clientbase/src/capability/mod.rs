//! Capabilities: the one bridge every binding goes through.
//!
//! A capability is a core function taking a `Params` type and returning a
//! report (anything `Serialize`) or a [`Table`](crate::Table). `Params` types
//! are serde with defaults and `deny_unknown_fields`, so any subset of keys
//! works, a missing key keeps its default and a typo is an error naming the key
//! and the keys allowed; they are validated here, in the core, never in a
//! binding.
//!
//! Rust code calls the typed functions directly ([`dedupe`],
//! [`sales_summary`](crate::sales::sales_summary), …). Bindings and the shared
//! test vectors call them by name through [`call`], [`call_read`] and
//! [`call_write`], which read the params from JSON data and give back an
//! [`Output`]: C passes JSON text both ways, Python passes dicts (and gets Arrow
//! tables), and a new capability is one entry in [`CAPABILITIES`] plus, if
//! wanted, a one-line named wrapper per binding.
//!
//! ```
//! use clientbase::capability::{call_read, Output};
//! use clientbase::{Client, ClientBase, Schema};
//!
//! let mut base = ClientBase::new(Schema::new());
//! base.add_client(Client::person("Смирнова", "Ольга", None))?;
//! let Output::Report(counts) = call_read(&base, "counts", serde_json::json!({}))? else {
//!     unreachable!()
//! };
//! assert_eq!(counts["clients"], 1);
//!
//! let typo = call_read(&base, "counts", serde_json::json!({"cleints": 1})).unwrap_err();
//! assert!(typo.to_string().contains("unknown field `cleints`"), "{typo}");
//! # Ok::<(), clientbase::Error>(())
//! ```

#[cfg(feature = "csv")]
mod import;
mod parse;
mod registry;

#[cfg(feature = "csv")]
pub use import::{
    import_clients_csv, import_deals_csv, import_records, CsvSource, ImportInput, ImportParams,
};
pub use parse::{
    parse_emails, parse_names, parse_phones, EmailsParams, Missing, NameReading, NamesParams,
    PhonesParams, Reading, RowProblem,
};

pub use registry::{
    call, call_read, call_table, call_write, expect_table, find, Access, CapabilityInfo, Output,
    OutputKind, Rows, CAPABILITIES,
};

use crate::base::{ClientBase, MergeRecord, MergeRules};
use crate::client::Client;
use crate::contacts::ContactReport;
use crate::dedup::{
    duplicate_deals, open_deals, Candidate, DealRules, Decisions, Dedupe, DuplicateDeal, Link,
    MatchIndex, MatchOptions, MatchSettings,
};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{ClientId, DealId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Reads the params of capability `name` from JSON data, as [`from_value`]
/// reads them: `null` is the defaults, an object sets the keys it has. A key
/// the params do not have is a [`ErrorKind::Json`] error whose field is that
/// key and whose message names the capability and the keys allowed; a missing
/// required key or a value of the wrong type is a JSON error about the params.
pub fn params<P: DeserializeOwned>(name: &str, value: serde_json::Value) -> Result<P> {
    from_value(&format!("{name} params"), value)
}

/// Reads options, rules or a record of type `T` from JSON data the way every
/// binding hands them over: `null` is the defaults, an object sets the keys it
/// has (the type fills in the rest). An unknown key is a [`ErrorKind::Json`]
/// error whose field is that key and whose message lists the keys allowed; any
/// other mistake is a JSON error about `what`.
///
/// ```
/// use clientbase::capability::from_value;
/// use clientbase::MergeRules;
/// use serde_json::json;
/// let rules: MergeRules = from_value("merge rules", json!({"fields": {"city": "most_frequent"}}))?;
/// assert_eq!(rules.fields.len(), 1);
/// let err = from_value::<MergeRules>("merge rules", json!({"feilds": {}})).unwrap_err();
/// assert_eq!(err.field(), Some("feilds"));
/// assert!(err.to_string().contains("expected `default` or `fields`"));
/// # Ok::<(), clientbase::Error>(())
/// ```
pub fn from_value<T: DeserializeOwned>(what: &str, value: serde_json::Value) -> Result<T> {
    let value = match value {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        other => other,
    };
    if !value.is_object() {
        return Err(Error::new(
            ErrorKind::Json,
            format!("{what} must be an object of named keys, not {value}"),
        )
        .with_field(what));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        // The path names the key whose value was wrong (`orders.client`,
        // `thresholds[2]`); for an unknown key it is the object holding it.
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = if path == "." {
            format!("{what}: {inner}")
        } else {
            format!("{what}: {path}: {inner}")
        };
        let field = match crate::error::offending_key(&message) {
            Some(key) => key.to_string(),
            None if path != "." => path,
            None => what.to_string(),
        };
        Error::new(ErrorKind::Json, message).with_field(field)
    })
}

/// [`from_value`] from JSON text; malformed JSON is a JSON error about `what`.
pub fn from_json<T: DeserializeOwned>(what: &str, json: &str) -> Result<T> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|err| Error::new(ErrorKind::Json, format!("{what}: {err}")).with_field(what))?;
    from_value(what, value)
}

/// Params of a capability that takes none: only `{}` (or `null`) is accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Params of [`normalize_contacts`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NormalizeParams {
    /// The region of phones typed without a country code (default `RU`).
    pub phone_region: String,
    /// Whether provider rules make matching keys (dots in Gmail, `+tags`;
    /// default true).
    pub email_provider_rules: bool,
}

impl Default for NormalizeParams {
    fn default() -> NormalizeParams {
        NormalizeParams {
            phone_region: "RU".into(),
            email_provider_rules: true,
        }
    }
}

/// Normalizes every client's phones and emails in place (see
/// [`ClientBase::normalize_contacts`]).
pub fn normalize_contacts(
    base: &mut ClientBase,
    params: &NormalizeParams,
) -> Result<ContactReport> {
    let phones = crate::phone::PhoneNormalizer::new(&params.phone_region)
        .map_err(|e| e.with_field("phone_region"))?;
    let emails =
        crate::email::EmailNormalizer::new().with_provider_rules(params.email_provider_rules);
    base.normalize_contacts(&crate::contacts::ContactNormalizer::new(phones, emails))
}

/// Params of [`dedupe`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DedupeParams {
    /// How clients are matched (defaults for what is not set).
    pub options: MatchSettings,
    /// Pairs decided not to be duplicates, in either order: `[[3, 8]]`.
    pub not_duplicates: Vec<(ClientId, ClientId)>,
}

impl DedupeParams {
    fn decisions(&self) -> Decisions {
        let mut decisions = Decisions::new();
        for &(a, b) in &self.not_duplicates {
            decisions.not_duplicate(a, b);
        }
        decisions
    }
}

/// Which cluster each clustered client is in, as two columns of equal length
/// (clients in id order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterOf {
    /// The client.
    pub client: Vec<ClientId>,
    /// Its cluster's id (the cluster's oldest record).
    pub cluster: Vec<ClientId>,
}

/// What [`dedupe`] found: the clusters, related and refused links and the
/// blocking report, with the cluster of every clustered client and how many
/// records a merge of every cluster would remove.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DedupeReport {
    /// The clusters, links and blocking statistics.
    #[serde(flatten)]
    pub found: Dedupe,
    /// The cluster of every record in a cluster.
    pub cluster_of: ClusterOf,
    /// Records a merge of every cluster would remove.
    pub duplicates: u64,
}

impl From<Dedupe> for DedupeReport {
    fn from(found: Dedupe) -> DedupeReport {
        let (client, cluster) = found.cluster_of().into_iter().unzip();
        DedupeReport {
            duplicates: found.duplicates() as u64,
            cluster_of: ClusterOf { client, cluster },
            found,
        }
    }
}

/// Deduplicates the whole base: indexes it with the given options, clusters
/// the duplicates and lists related clients. The same as
/// [`MatchIndex::build`] then [`MatchIndex::dedupe`], with the report.
pub fn dedupe(base: &ClientBase, params: &DedupeParams) -> Result<DedupeReport> {
    let options = MatchOptions::from_settings(params.options.clone())?;
    let index = MatchIndex::build(base, options)?;
    dedupe_index(&index, &params.decisions())
}

/// Deduplicates an index already built, with the report [`dedupe`] gives: the
/// decided pairs are checked first (an id the index does not hold is
/// `UnknownId`). What the match index calls of C and Python answer.
pub fn dedupe_index(index: &MatchIndex, decisions: &Decisions) -> Result<DedupeReport> {
    index.check_decisions(decisions)?;
    Ok(index.dedupe(decisions).into())
}

/// Params of [`find_duplicates`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FindParams {
    /// The new record, as a client is written in JSON (its id is ignored).
    pub client: Option<Client>,
    /// At most this many candidates, best first (default 5).
    pub limit: usize,
    /// How clients are matched.
    pub options: MatchSettings,
}

impl Default for FindParams {
    fn default() -> FindParams {
        FindParams {
            client: None,
            limit: 5,
            options: MatchSettings::default(),
        }
    }
}

/// Matches one new record against the base: existing clients that may be the
/// same (or related), best first, each with its explanation.
pub fn find_duplicates(base: &ClientBase, params: &FindParams) -> Result<Vec<Candidate>> {
    let client = params
        .client
        .as_ref()
        .ok_or_else(|| crate::error::invalid("client", "the record to match is required"))?;
    let options = MatchOptions::from_settings(params.options.clone())?;
    let index = MatchIndex::build(base, options)?;
    Ok(index.find(client, params.limit))
}

/// Params of [`duplicate_deals_report`] and [`open_deals_report`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DealParams {
    /// The client whose decision unit's open deals are listed
    /// ([`open_deals_report`] only; required there).
    pub client: Option<ClientId>,
    /// When a deal repeats an older one.
    pub rules: DealRules,
    /// Related links (from [`dedupe`]) that join clients into one decision unit.
    pub related: Vec<Link>,
}

/// Every open deal that repeats an older open one of the same decision unit.
pub fn duplicate_deals_report(
    base: &ClientBase,
    params: &DealParams,
) -> Result<Vec<DuplicateDeal>> {
    if params.client.is_some() {
        return Err(crate::error::invalid(
            "client",
            "duplicate_deals looks at the whole base; open_deals takes a client",
        ));
    }
    check_links(base, &params.related)?;
    Ok(duplicate_deals(base, &params.rules, &params.related))
}

/// The open deals of a client's decision unit: what a manager checks before
/// opening a new one. An unknown client is an [`ErrorKind::UnknownId`] error.
pub fn open_deals_report(base: &ClientBase, params: &DealParams) -> Result<Vec<DealId>> {
    let client = params
        .client
        .ok_or_else(|| crate::error::invalid("client", "the client is required"))?;
    base.client(client).map_err(|e| e.with_field("client"))?;
    check_links(base, &params.related)?;
    Ok(open_deals(base, client, &params.related))
}

/// Params of [`find_duplicate_deal_report`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DealCheckParams {
    /// The deal to check, as a deal is written in JSON (required): one in the
    /// base (with its id) or one about to be added.
    pub deal: Option<crate::deal::Deal>,
    /// When a deal repeats an older one.
    pub rules: DealRules,
    /// Related links (from [`dedupe`]) that join clients into one decision unit.
    pub related: Vec<Link>,
}

/// The older open deal of the same decision unit that one deal repeats, or
/// `None`; see [`find_duplicate_deal`](crate::dedup::find_duplicate_deal).
pub fn find_duplicate_deal_report(
    base: &ClientBase,
    params: &DealCheckParams,
) -> Result<Option<DuplicateDeal>> {
    let deal = params
        .deal
        .as_ref()
        .ok_or_else(|| crate::error::invalid("deal", "the deal to check is required"))?;
    check_links(base, &params.related)?;
    crate::dedup::find_duplicate_deal(base, deal, &params.rules, &params.related)
}

fn check_links(base: &ClientBase, links: &[Link]) -> Result<()> {
    for link in links {
        for id in [link.left, link.right] {
            base.client(id).map_err(|e| e.with_field("related"))?;
        }
    }
    Ok(())
}

/// Params of [`merge_clients`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MergeParams {
    /// The record that stays (required).
    pub survivor: Option<ClientId>,
    /// The records merged into it (at least one).
    pub others: Vec<ClientId>,
    /// Survivorship rules.
    pub rules: MergeRules,
}

/// Merges clients into a survivor (see [`ClientBase::merge_clients`]).
pub fn merge_clients(base: &mut ClientBase, params: &MergeParams) -> Result<MergeRecord> {
    let survivor = params
        .survivor
        .ok_or_else(|| crate::error::invalid("survivor", "the surviving client is required"))?;
    base.merge_clients(survivor, &params.others, &params.rules)
}

/// Params of [`undo_merge`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UndoParams {
    /// The record [`merge_clients`] returned.
    pub record: MergeRecord,
}

/// Undoes a merge exactly (see [`ClientBase::undo_merge`]).
pub fn undo_merge(base: &mut ClientBase, params: &UndoParams) -> Result<NoParams> {
    base.undo_merge(&params.record)?;
    Ok(NoParams {})
}

/// Params of [`backup`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupParams {
    /// The new file to write (required; an existing file is never overwritten).
    pub path: Option<std::path::PathBuf>,
}

/// What [`backup`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupReport {
    /// The file written.
    pub path: std::path::PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Copies the base into a new base file while it stays in use (see
/// [`ClientBase::backup`]).
#[cfg(feature = "storage")]
pub fn backup(base: &ClientBase, params: &BackupParams) -> Result<BackupReport> {
    let path = params
        .path
        .clone()
        .ok_or_else(|| crate::error::invalid("path", "the file to write is required"))?;
    base.backup(&path)?;
    let bytes = std::fs::metadata(&path)
        .map_err(|e| Error::from(e).with_record(path.display().to_string()))?
        .len();
    Ok(BackupReport { path, bytes })
}

/// Params of [`set_actor`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActorParams {
    /// Who makes the following writes (a manager's name or id); absent or
    /// `null` for nobody in particular.
    pub actor: Option<String>,
}

/// Names who makes the following writes, for the change log (see
/// [`ClientBase::set_actor`]).
pub fn set_actor(base: &mut ClientBase, params: &ActorParams) -> Result<NoParams> {
    base.set_actor(params.actor.as_deref());
    Ok(NoParams {})
}

/// Params of [`close_duplicate_deal`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CloseDuplicateParams {
    /// The open deal to close as a duplicate (required).
    pub newer: Option<DealId>,
    /// The open deal it duplicates (required).
    pub older: Option<DealId>,
}

/// Closes the open deal `newer` as a duplicate of the open deal `older` (see
/// [`ClientBase::close_duplicate_deal`]).
pub fn close_duplicate_deal(
    base: &mut ClientBase,
    params: &CloseDuplicateParams,
) -> Result<NoParams> {
    let required = |deal: Option<DealId>, field: &str| {
        deal.ok_or_else(|| crate::error::invalid(field, "the deal is required"))
    };
    base.close_duplicate_deal(
        required(params.newer, "newer")?,
        required(params.older, "older")?,
    )?;
    Ok(NoParams {})
}

/// Params of [`clients_table`] and [`deals_table`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TableParams {
    /// The columns, in this order (default: all of them). An unknown column is
    /// an [`ErrorKind::InvalidValue`] error listing the columns there are.
    pub fields: Option<Vec<String>>,
}

impl TableParams {
    fn fields(&self) -> Option<Vec<&str>> {
        self.fields
            .as_ref()
            .map(|fields| fields.iter().map(String::as_str).collect())
    }
}

/// The clients as a typed table (see [`ClientBase::clients_table`]).
pub fn clients_table(base: &ClientBase, params: &TableParams) -> Result<crate::Table> {
    base.clients_table(params.fields().as_deref())
}

/// The deals as a typed table (see [`ClientBase::deals_table`]).
pub fn deals_table(base: &ClientBase, params: &TableParams) -> Result<crate::Table> {
    base.deals_table(params.fields().as_deref())
}

#[cfg(test)]
mod tests;
