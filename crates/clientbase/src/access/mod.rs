//! Access by role: who sees which clients and contacts, and who may export.
//!
//! A [`Policy`] is data (JSON, read with unknown keys refused and checked by
//! [`Policy::validate`]): roles say which clients a role sees (`all`, or `own`:
//! the clients whose `owner` is one of the actor's names), how it sees their
//! phones, emails and messenger ids (`full`, `masked`, `hidden`) and which
//! exports it may not make; actors are given a role, the names they own
//! clients under and exports forbidden to them alone.
//!
//! A [`View`] is the one way a restricted actor reads a base. It holds a copy
//! of the base restricted to what the actor sees, contacts masked, built once
//! per actor and base [`version`](ClientBase::version) and sized by what the
//! actor sees; every capability of the registry runs on that copy, so no read
//! path can return a client outside the view or an unmasked contact.
//! Exports (CSV, JSON, the client and deal tables, audiences, backups) are
//! checked against the policy first (a refusal is an
//! [`ErrorKind::Forbidden`] error giving the reason) and logged into the
//! base's change log with the actor and the number of records. Writes do not
//! go through a view: the host writes on the base, naming the actor with
//! [`ClientBase::set_actor`].
//!
//! Relatives outside the view: a manager checking a client's decision unit
//! before opening a deal ([`open_deals_owners`]) sees the open deals of
//! relatives owned by someone else only as existing, with their owner.
//!
//! ```
//! use clientbase::access::{Policy, View};
//! use clientbase::{Client, ClientBase, ErrorKind, Phone, Schema};
//!
//! let mut base = ClientBase::new(Schema::new());
//! let mut mine = Client::person("Смирнова", "Ольга", None);
//! mine.owner = Some("Иванов".into());
//! mine.phones.push(Phone::raw("+79161234567"));
//! base.add_client(mine)?;
//! let mut other = Client::person("Петров", "Пётр", None);
//! other.owner = Some("Сидоров".into());
//! base.add_client(other)?;
//!
//! let policy = Policy::from_json(r#"{
//!     "roles": {"manager": {"clients": "own", "contacts": "masked",
//!                           "forbid_exports": ["csv", "table"],
//!                           "export_reason": "managers do not take the base home"}},
//!     "actors": {"Иванов": {"role": "manager"}}
//! }"#)?;
//! let mut view = View::new(&base, &policy, "Иванов")?;
//! let clients = view.clients(&base)?;
//! assert_eq!(clients.len(), 1);
//! assert_eq!(clients[0].phones[0].raw, "+7 916 ***-**-67");
//! let err = view.call(&base, "clients_table", serde_json::json!({})).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Forbidden);
//! assert!(err.to_string().contains("managers do not take the base home"), "{err}");
//! # Ok::<(), clientbase::Error>(())
//! ```

mod mask;

#[cfg(feature = "storage")]
pub(crate) use mask::mask_change;
pub use mask::{mask_email, mask_phone};

use crate::base::ClientBase;
use crate::capability::{self, Access, DealParams, Output};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{ClientId, DealId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// Which clients a role sees.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Only the clients whose `owner` is one of the actor's names (the default).
    #[default]
    Own,
    /// Every client.
    All,
}

/// How a role sees phones, emails and messenger ids.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactAccess {
    /// Masked (the default): `+7 916 ***-**-67`, `i***@mail.ru`, `i***`; see
    /// [`mask_phone`] and [`mask_email`].
    #[default]
    Masked,
    /// As they are.
    Full,
    /// Removed.
    Hidden,
}

/// A kind of export a policy may forbid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// Clients or deals as CSV.
    Csv,
    /// The base as JSON.
    Json,
    /// The client and deal tables (`clients_table`, `deals_table`; Arrow,
    /// DataFrames).
    Table,
    /// Audiences and contact lists: `audience`, `audience_exclusions`,
    /// `ad_audience`, `call_tasks`, `mail_merge`.
    Audience,
    /// A copy of the base file (`backup`).
    Backup,
    /// Every kind above.
    All,
}

impl ExportKind {
    /// The kind's name (its serde name).
    pub fn name(self) -> &'static str {
        match self {
            ExportKind::Csv => "csv",
            ExportKind::Json => "json",
            ExportKind::Table => "table",
            ExportKind::Audience => "audience",
            ExportKind::Backup => "backup",
            ExportKind::All => "all",
        }
    }
}

/// The export kind of a capability, or `None` for one that is not an export.
pub fn export_kind(capability: &str) -> Option<ExportKind> {
    match capability {
        "clients_table" | "deals_table" => Some(ExportKind::Table),
        "audience" | "audience_exclusions" | "ad_audience" | "call_tasks" | "mail_merge" => {
            Some(ExportKind::Audience)
        }
        "backup" => Some(ExportKind::Backup),
        _ => None,
    }
}

/// What a role may see and export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Role {
    /// Which clients (default `own`).
    pub clients: Scope,
    /// How phones, emails and messenger ids look (default `masked`).
    pub contacts: ContactAccess,
    /// Exports the role may not make (default none).
    pub forbid_exports: Vec<ExportKind>,
    /// Why, given in the error of a refused export (default: "the policy
    /// forbids it").
    pub export_reason: Option<String>,
}

/// One actor of a [`Policy`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActorGrant {
    /// The actor's role, one of the policy's `roles` (required).
    pub role: String,
    /// The `owner` names whose clients are the actor's own (default: the
    /// actor's own name).
    pub owns: Vec<String>,
    /// Exports forbidden to this actor besides the role's (default none).
    pub forbid_exports: Vec<ExportKind>,
    /// Why, given in the error of an export refused by this entry (default:
    /// the role's reason).
    pub export_reason: Option<String>,
}

/// Who sees what: roles, actors and the role of an actor not listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Roles by name.
    pub roles: BTreeMap<String, Role>,
    /// Actors by the name the host passes (a manager's name or id).
    pub actors: BTreeMap<String, ActorGrant>,
    /// The role of an actor not in `actors`, who then owns the clients under
    /// their own name (default none: such an actor is refused).
    pub default_role: Option<String>,
}

impl Policy {
    /// Reads a policy from JSON text (unknown keys refused) and validates it.
    pub fn from_json(json: &str) -> Result<Policy> {
        let policy: Policy = capability::from_json("policy", json)?;
        policy.validate()?;
        Ok(policy)
    }

    /// Reads a policy from JSON data (unknown keys refused) and validates it.
    pub fn from_value(value: Value) -> Result<Policy> {
        let policy: Policy = capability::from_value("policy", value)?;
        policy.validate()?;
        Ok(policy)
    }

    /// Checks that names are not blank and every role named exists; an error
    /// names the actor or role and the field.
    pub fn validate(&self) -> Result<()> {
        let bad = |record: String, field: &str, reason: String| {
            Error::new(ErrorKind::InvalidValue, reason)
                .with_record(record)
                .with_field(field)
        };
        for name in self.roles.keys() {
            if name.trim().is_empty() {
                return Err(bad("policy".into(), "roles", "a role name is blank".into()));
            }
        }
        let known = |role: &str| self.roles.contains_key(role);
        let roles = || self.roles.keys().cloned().collect::<Vec<_>>().join(", ");
        for (actor, grant) in &self.actors {
            let record = format!("actor {actor:?}");
            if actor.trim().is_empty() {
                return Err(bad(record, "actors", "an actor name is blank".into()));
            }
            if !known(&grant.role) {
                return Err(bad(
                    record,
                    "role",
                    format!("{:?} is not a role of the policy ({})", grant.role, roles()),
                ));
            }
            if grant.owns.iter().any(|owner| owner.trim().is_empty()) {
                return Err(bad(record, "owns", "an owner name is blank".into()));
            }
        }
        if let Some(role) = &self.default_role {
            if !known(role) {
                return Err(bad(
                    "policy".into(),
                    "default_role",
                    format!("{role:?} is not a role of the policy ({})", roles()),
                ));
            }
        }
        Ok(())
    }

    /// What `actor` may see and export. An actor the policy does not list,
    /// without a `default_role`, is an [`ErrorKind::Forbidden`] error.
    pub fn grant(&self, actor: &str) -> Result<Grant> {
        let listed = self.actors.get(actor);
        let role_name = match (listed, &self.default_role) {
            (Some(grant), _) => grant.role.clone(),
            (None, Some(role)) => role.clone(),
            (None, None) => {
                return Err(Error::new(
                    ErrorKind::Forbidden,
                    "the policy does not list this actor and has no default_role",
                )
                .with_record(format!("actor {actor:?}")))
            }
        };
        let role = self.roles.get(&role_name).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("{role_name:?} is not a role of the policy"),
            )
            .with_record(format!("actor {actor:?}"))
            .with_field("role")
        })?;
        let mut forbid: BTreeMap<ExportKind, String> = BTreeMap::new();
        let role_reason = role
            .export_reason
            .clone()
            .unwrap_or_else(|| format!("the policy forbids it for the role {role_name:?}"));
        for kind in &role.forbid_exports {
            forbid.insert(*kind, role_reason.clone());
        }
        let mut owns = vec![actor.to_string()];
        if let Some(grant) = listed {
            if !grant.owns.is_empty() {
                owns = grant.owns.clone();
            }
            let reason = grant
                .export_reason
                .clone()
                .unwrap_or_else(|| format!("the policy forbids it for the actor {actor:?}"));
            for kind in &grant.forbid_exports {
                forbid.insert(*kind, reason.clone());
            }
        }
        Ok(Grant {
            actor: actor.to_string(),
            role: role_name,
            clients: role.clients,
            contacts: role.contacts,
            owns: owns.into_iter().collect(),
            forbid_exports: forbid,
        })
    }
}

/// What one actor may see and export, resolved from a [`Policy`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// The actor.
    pub actor: String,
    /// The actor's role.
    pub role: String,
    /// Which clients.
    pub clients: Scope,
    /// How contacts look.
    pub contacts: ContactAccess,
    /// The `owner` names whose clients are the actor's own.
    pub owns: BTreeSet<String>,
    /// The exports forbidden to the actor, each with its reason.
    pub forbid_exports: BTreeMap<ExportKind, String>,
}

impl Grant {
    /// Whether the actor sees everything as it is (every client, full
    /// contacts): a view then reads the base itself, with no copy.
    pub fn is_unrestricted(&self) -> bool {
        self.clients == Scope::All && self.contacts == ContactAccess::Full
    }

    /// Whether the actor sees `client`.
    pub fn sees(&self, client: &Client) -> bool {
        match self.clients {
            Scope::All => true,
            Scope::Own => client
                .owner
                .as_ref()
                .is_some_and(|owner| self.owns.contains(owner)),
        }
    }

    /// `Ok` when the actor may make an export of `kind` (named `what` in the
    /// error), else an [`ErrorKind::Forbidden`] error giving the reason.
    pub fn check_export(&self, kind: ExportKind, what: &str) -> Result<()> {
        let refused = self
            .forbid_exports
            .get(&kind)
            .or_else(|| self.forbid_exports.get(&ExportKind::All));
        match refused {
            None => Ok(()),
            Some(reason) => Err(Error::new(
                ErrorKind::Forbidden,
                format!(
                    "{} exports ({what}) are refused to the role {:?}: {reason}",
                    kind.name(),
                    self.role
                ),
            )
            .with_record(format!("actor {:?}", self.actor))
            .with_field(what)),
        }
    }
}

thread_local! {
    /// The actor of the view whose call runs on this thread.
    static ACTING: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The actor of the [`View`] whose call runs on this thread, for the change log.
#[cfg_attr(not(feature = "storage"), allow(dead_code))]
pub(crate) fn acting_actor() -> Option<String> {
    ACTING.with(|acting| acting.borrow().clone())
}

/// Runs `work` with `actor` as the actor the change log names.
fn acting_as<T>(actor: &str, work: impl FnOnce() -> T) -> T {
    struct Reset(Option<String>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let previous = self.0.take();
            ACTING.with(|acting| *acting.borrow_mut() = previous);
        }
    }
    let previous = ACTING.with(|acting| acting.borrow_mut().replace(actor.to_string()));
    let _reset = Reset(previous);
    work()
}

/// A base as one actor may read it: the choke point every restricted read
/// goes through (see the [module docs](self)).
///
/// The view keeps its restricted copy, not the base: each call takes the
/// base, and the copy is rebuilt when the base's
/// [`version`](ClientBase::version) changed since it was built. An actor whose
/// role sees every client with full contacts reads the base itself.
#[derive(Debug)]
pub struct View {
    grant: Grant,
    /// The restricted, masked copy (`None` for an unrestricted actor).
    copy: Option<ClientBase>,
    /// The base version the copy was built at.
    built_at: u64,
}

impl View {
    /// The view of `actor` under `policy` on `base`. An actor the policy
    /// does not cover is an [`ErrorKind::Forbidden`] error.
    pub fn new(base: &ClientBase, policy: &Policy, actor: &str) -> Result<View> {
        policy.validate()?;
        let grant = policy.grant(actor)?;
        let mut view = View {
            grant,
            copy: None,
            built_at: base.version(),
        };
        view.rebuild(base);
        Ok(view)
    }

    /// What the actor may see and export.
    pub fn grant(&self) -> &Grant {
        &self.grant
    }

    /// The actor.
    pub fn actor(&self) -> &str {
        &self.grant.actor
    }

    fn rebuild(&mut self, base: &ClientBase) {
        self.built_at = base.version();
        self.copy = if self.grant.is_unrestricted() {
            None
        } else {
            let grant = &self.grant;
            Some(base.restricted_copy(
                |client| grant.sees(client),
                |client| mask::mask_client(client, grant.contacts),
                &grant.actor,
            ))
        };
    }

    /// The base as the actor sees it, rebuilt first if `base` changed since.
    pub fn base<'a>(&'a mut self, base: &'a ClientBase) -> &'a ClientBase {
        if base.version() != self.built_at {
            self.rebuild(base);
        }
        match &self.copy {
            Some(copy) => copy,
            None => base,
        }
    }

    /// The clients the actor sees, contacts as the role sees them, in id order.
    pub fn clients(&mut self, base: &ClientBase) -> Result<Vec<Client>> {
        Ok(self.base(base).clients().cloned().collect())
    }

    /// One client as the actor sees it; a client outside the view is an
    /// [`ErrorKind::UnknownId`] error, as a client that does not exist.
    pub fn client(&mut self, base: &ClientBase, id: ClientId) -> Result<Client> {
        self.base(base).client(id).cloned()
    }

    /// Calls a capability by name as the actor, like
    /// [`call_read`](capability::call_read): on the restricted copy, exports
    /// checked against the policy and logged with the actor and the number of
    /// records. A capability that changes the base is refused (write on the
    /// base), and so is the change log (`changes`) for a restricted actor: it
    /// holds every client's data. A client's history (`client_history`) of a
    /// client in the view is read with the base's change log, its contact
    /// points masked or left out as the role's contacts are; so are the moves
    /// of `stage_actions` with `since` (actions only for deals in the view).
    pub fn call(&mut self, base: &ClientBase, name: &str, params: Value) -> Result<Output> {
        let info = capability::find(name)?;
        let refuse = |reason: &str| {
            Err(Error::new(ErrorKind::Forbidden, reason.to_string())
                .with_record(format!("actor {:?}", self.grant.actor))
                .with_field(name))
        };
        if info.access() == Access::Write {
            return refuse("a view only reads; write on the base, naming the actor with set_actor");
        }
        if name == "changes" && !self.grant.is_unrestricted() {
            return refuse(
                "the change log holds every client's data and is not in a restricted view",
            );
        }
        let kind = export_kind(name);
        if let Some(kind) = kind {
            self.grant.check_export(kind, name)?;
        }
        let actor = self.grant.actor.clone();
        if name == "open_deals_owners" {
            let params: DealParams = capability::params(name, params)?;
            self.base(base);
            let grant = &self.grant;
            return Ok(Output::Report(serde_json::to_value(open_deals_seen(
                base,
                &params,
                |id| base.get_client(id).is_some_and(|c| grant.sees(c)),
            )?)?));
        }
        let restricted = !self.grant.is_unrestricted();
        if name == "client_history" && restricted {
            // The copy keeps no change log: the history is read from the base,
            // once the copy has shown the client is in the view, with the
            // log's contact points as the role sees them.
            let params: crate::history::HistoryParams = capability::params(name, params)?;
            crate::history::client_history(self.base(base), &params)?;
            let contacts = self.grant.contacts;
            return Ok(Output::Table(acting_as(&actor, || {
                crate::history::history_with(base, &params, contacts)
            })?));
        }
        if name == "stage_actions"
            && restricted
            && params.get("since").is_some_and(|s| !s.is_null())
        {
            // The moves come from the base's change log; the actions from the
            // copy, so a move of a deal outside the view gives none.
            let params: crate::automation::StageParams = capability::params(name, params)?;
            let target = self.base(base);
            return Ok(Output::Table(acting_as(&actor, || {
                crate::automation::stage::stage_actions_in(target, base, &params)
            })?));
        }
        let target = self.base(base);
        let output = acting_as(&actor, || capability::call_read(target, name, params))?;
        // On the copy nothing was logged (it keeps no log): log on the base.
        if let (Some(_), true) = (kind, restricted) {
            acting_as(&actor, || base.log_export(name, records_in(&output)))?;
        }
        Ok(output)
    }

    /// Writes the clients the actor sees as CSV (see
    /// [`ClientBase::export_clients_csv`]), if the policy allows CSV exports;
    /// logged on `base` with the actor and the number of clients.
    #[cfg(feature = "csv")]
    pub fn export_clients_csv<W: std::io::Write>(
        &mut self,
        base: &ClientBase,
        writer: W,
    ) -> Result<()> {
        self.export(base, ExportKind::Csv, "export_clients_csv", |b| {
            b.export_clients_csv(writer)
        })
    }

    /// Writes the deals of the clients the actor sees as CSV, as
    /// [`View::export_clients_csv`].
    #[cfg(feature = "csv")]
    pub fn export_deals_csv<W: std::io::Write>(
        &mut self,
        base: &ClientBase,
        writer: W,
    ) -> Result<()> {
        self.export(base, ExportKind::Csv, "export_deals_csv", |b| {
            b.export_deals_csv(writer)
        })
    }

    /// Writes the records of `kind` (`client` or `deal`) the actor sees as CSV
    /// ([`View::export_clients_csv`], [`View::export_deals_csv`]), for
    /// bindings that take the kind as an argument.
    #[cfg(feature = "csv")]
    pub fn export_csv(
        &mut self,
        base: &ClientBase,
        kind: &str,
        writer: &mut dyn std::io::Write,
    ) -> Result<()> {
        match kind {
            "client" => self.export_clients_csv(base, writer),
            "deal" => self.export_deals_csv(base, writer),
            other => Err(crate::error::invalid(
                "kind",
                format!("{other:?} has no CSV export (client, deal)"),
            )),
        }
    }

    /// Writes the base as the actor sees it as JSON (see
    /// [`ClientBase::write_json`]), if the policy allows JSON exports.
    pub fn write_json<W: std::io::Write>(&mut self, base: &ClientBase, writer: W) -> Result<()> {
        self.export(base, ExportKind::Json, "export_json", |b| {
            b.write_json(writer)
        })
    }

    /// [`View::write_json`] into a string.
    pub fn to_json(&mut self, base: &ClientBase) -> Result<String> {
        let mut out = Vec::new();
        self.write_json(base, &mut out)?;
        String::from_utf8(out).map_err(|e| Error::new(ErrorKind::Json, e.to_string()))
    }

    fn export(
        &mut self,
        base: &ClientBase,
        kind: ExportKind,
        action: &str,
        write: impl FnOnce(&ClientBase) -> Result<()>,
    ) -> Result<()> {
        self.grant.check_export(kind, action)?;
        let actor = self.grant.actor.clone();
        let target = self.base(base);
        let restricted = !std::ptr::eq(target, base);
        let count = match action {
            "export_deals_csv" => target.deals().len(),
            _ => target.clients().len(),
        };
        if restricted {
            acting_as(&actor, || base.log_export(action, count))?;
        }
        acting_as(&actor, || write(target))
    }
}

/// How many records an export's output holds: a table's rows, a list's items.
pub(crate) fn records_in(output: &Output) -> usize {
    match output {
        Output::Table(table) => table.rows(),
        Output::Report(Value::Array(items)) => items.len(),
        Output::Report(Value::Object(fields)) => match fields.get("records") {
            Some(Value::Number(n)) => n.as_u64().unwrap_or(0) as usize,
            _ => 1,
        },
        Output::Report(_) => 1,
    }
}

/// One open deal of a client's decision unit as an actor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenDeal {
    /// The deal, or `null` when its client is outside the actor's view.
    pub deal: Option<DealId>,
    /// The deal's client, or `null` when outside the actor's view.
    pub client: Option<ClientId>,
    /// Who owns the deal (its owner, else its client's).
    pub owner: Option<String>,
    /// Whether the actor sees the deal's client.
    pub visible: bool,
}

/// The open deals of a client's decision unit (see
/// [`open_deals_report`](capability::open_deals_report)), each with its
/// owner: on a base every deal is visible; through a [`View`] the deals of
/// clients outside the view come only as existing, with their owner.
pub fn open_deals_owners(base: &ClientBase, params: &DealParams) -> Result<Vec<SeenDeal>> {
    open_deals_seen(base, params, |_| true)
}

fn open_deals_seen(
    base: &ClientBase,
    params: &DealParams,
    sees: impl Fn(ClientId) -> bool,
) -> Result<Vec<SeenDeal>> {
    let client = params
        .client
        .ok_or_else(|| crate::error::invalid("client", "the client is required"))?;
    let unknown = |id: ClientId| Error::new(ErrorKind::UnknownId, format!("{id} does not exist"));
    if !sees(client) {
        return Err(unknown(client).with_field("client"));
    }
    for link in &params.related {
        for id in [link.left, link.right] {
            if !sees(id) {
                return Err(unknown(id).with_field("related"));
            }
        }
    }
    let ids = capability::open_deals_report(base, params)?;
    Ok(ids
        .into_iter()
        .filter_map(|id| base.deal(id).ok())
        .map(|deal| {
            let owner = deal
                .owner
                .as_deref()
                .map(str::to_string)
                .or_else(|| base.get_client(deal.client).and_then(|c| c.owner.clone()));
            if sees(deal.client) {
                SeenDeal {
                    deal: Some(deal.id),
                    client: Some(deal.client),
                    owner,
                    visible: true,
                }
            } else {
                SeenDeal {
                    deal: None,
                    client: None,
                    owner,
                    visible: false,
                }
            }
        })
        .collect())
}

#[cfg(test)]
mod tests;
