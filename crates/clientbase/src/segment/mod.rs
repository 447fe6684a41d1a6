//! Segments: which clients meet a rule, written by analysts and managers,
//! stored by software.
//!
//! A rule has two forms that convert both ways:
//!
//! - the **JSON form** ([`Rule`], serde, versioned, every unknown key
//!   refused), the canonical representation to store;
//! - the **text syntax**, what people write and read:
//!
//! ```text
//! stage in (customer, loyal) and city = "Москва"
//!   and sum(purchases where date within last 24 months) > 100000
//!   and consent sms and not has email
//! ```
//!
//! [`Rule::parse`] reads the text (an error names the line, the column and
//! what was expected), [`Rule::to_text`] prints it back; parsing the printed
//! text gives the same rule.
//!
//! A rule is [`compile`]d once against a base (its schema, the analysis date,
//! the time zone, the named segments it refers to): unknown fields, a value
//! of the wrong type (a date field compared with a number) and cycles between
//! segments are errors then, not silent misses. [`Compiled::evaluate`] runs it
//! over the whole base (on all cores with the `parallel` feature) and gives
//! the matching client ids in ascending order; [`Compiled::explain`] tells,
//! for one client, which parts held and which did not.
//!
//! ```
//! use clientbase::segment::{compile, Options, Rule};
//! use clientbase::{Client, ClientBase, Schema};
//!
//! let mut base = ClientBase::new(Schema::new());
//! let moscow = base.add_client(Client { city: Some("Москва".into()), ..Client::person("Иванова", "Анна", None) })?;
//! base.add_client(Client::person("Петров", "Пётр", None))?;
//!
//! let rule = Rule::parse(r#"city = "москва" and not has email"#)?;
//! let options = Options::new("2024-06-30".parse().unwrap());
//! let compiled = compile(&base, &rule, &options, &Default::default())?;
//! assert_eq!(compiled.evaluate(&base)?, vec![moscow]);
//! assert_eq!(Rule::parse(&rule.to_text())?, rule);
//!
//! let why = compiled.explain(&base, moscow)?;
//! assert!(why.matched);
//! assert_eq!(why.rule.steps[0].condition, r#"city = "москва""#);
//! assert_eq!(why.rule.steps[0].value.as_deref(), Some("Москва"));
//! # Ok::<(), clientbase::Error>(())
//! ```
//!
//! # The text syntax
//!
//! ```text
//! rule     := or
//! or       := and ("or" and)*
//! and      := unary ("and" unary)*
//! unary    := "not" unary | "(" or ")" | condition
//! condition:= field ("=" | "!=" | "<" | "<=" | ">" | ">=") value
//!           | field "in" "(" value, ... ")"
//!           | field "contains" value | field "contains" ("any" | "all") "(" value, ... ")"
//!           | field "is" ["not"] "set"
//!           | field "within" ("last" | "next") N unit | field "more" "than" N unit "ago"
//!           | field "in" ("this" | "previous" | "next") ("month" | "year") | field "in" ("month" | "year") offset
//!           | "consent" channel | "has" ("phone" | "mobile" | "email" | "messenger")
//!           | "has" "tag" value | "has" ("any" | "all") ("tag" | "tags") "(" value, ... ")"
//!           | "related" [kind] ["in" "segment" name] | "in" "segment" name
//!           | func "(" ("deals" | "purchases" | "lines" | "activities") ["where" or] ")" op value
//!           | "true" | "false"
//! func     := count | sum | min | max | months | days | first | last
//! unit     := days | weeks | months | years (singular and Russian forms too: дней, месяцев, лет)
//! value    := "text" | «text» | word | 42 | -3 | 99999.99 | 2024-02-29 | true | false
//! field    := word(.word)* | `any name in backquotes`
//! ```
//!
//! Keywords are English and case-insensitive; values of the domain's enums
//! take the aliases CSV import takes (`stage = "постоянный"`, `consent смс`,
//! `status = выиграна`).
//!
//! # Fields
//!
//! Client fields: `id`, `kind`, `name` (the display name), `surname`,
//! `given`, `patronymic`, `legal_name`, `tax_id`, `birthday`, `city`,
//! `region`, `address`, `postcode`, `employer`, `owner`, `source`,
//! `behaviour`, `created`, `updated` (dates in the time zone), `stage`,
//! `temperature` (ordered cold < warm < hot), `loyalty_percent`,
//! `can_refer`, `tags` (a set), every custom field of the schema (by name or
//! as `custom.<name>`), and computed values: `age` (whole years),
//! `days_to_birthday` (0 on the day; a 29 February birthday falls on 28
//! February in other years), `purchases` (won deals), `total_spent`,
//! `first_purchase`, `last_purchase` (won deals' close dates), and, computed
//! once per evaluation through [`crate::value`] on the base's won deals,
//! `rfm.r`, `rfm.f`, `rfm.m`, `rfm.score` (`"545"`), `rfm.segment`, `abc`
//! (the client's ABC class by revenue) and `clv` (lifetime value over 12
//! months from BG/NBD and Gamma-Gamma with their defaults; missing where the
//! spend model could not be fitted).
//!
//! Inside `where`: the deal's `id`, `title`, `pipeline`, `stage`, `status`
//! (open, won, lost, duplicate), `amount`, `created`, `closed`, `date` (the
//! close date, else the creation date), `owner`, `source`, `recurring`; on
//! `lines` also `product`, `category`, `quantity`, `discounted` (the line has
//! a discount) and `amount` (the line's total). On `activities`: `id`,
//! `kind` (call, email, message, meeting, task, note, visit, form, event),
//! `direction` (inbound, outbound), `manager`, `outcome`, `text`, `date`,
//! `due`, `done` and `deal`; only `count`, `months`, `days`, `first` and
//! `last` run over activities (`count(activities where kind = visit and
//! date within last 30 days) >= 3`).
//!
//! # Missing values
//!
//! A field without a value (no birthday, no city, a custom field not filled
//! in, `last_purchase` of a client who never bought, an aggregate `min`,
//! `max`, `first` or `last` over no rows) makes every comparison with it
//! false, `!=` included: `city != "Москва"` does not hold for a client
//! without a city, and `not city = "Москва"` does. `is set` / `is not set`
//! test for a value. `count`, `sum`, `months`, `days`, `purchases` and
//! `total_spent` are 0 over no rows, never missing. Text compares without
//! regard to case, `ё` as `е` (`name contains "алена"` finds Алёна); `contains`
//! on text is a substring test.
//!
//! # Money
//!
//! Amounts are exact: a value compared with money is read as a decimal with
//! the currency's digits (`99999.99`; more digits are an error, never
//! rounded). Sums run in [`Options::currency`] (default: the base's
//! currency, else RUB); deals in another currency do not count.
//!
//! # Limits
//!
//! Rules come from users: text longer than [`limits::MAX_TEXT`], nesting
//! deeper than [`limits::MAX_DEPTH`], more than [`limits::MAX_NODES`]
//! conditions and values, JSON deeper than [`limits::MAX_JSON_DEPTH`] are
//! refused with a message; nothing panics or overflows the stack.

mod ast;
mod capability;
mod columnar;
mod compile;
mod eval;
mod lexer;
mod parser;
mod print;

pub use ast::{
    limits, AggFunc, Aggregate, Calendar, CmpOp, Compare, ContactKind, Contains, Expr, InList,
    Literal, Mode, Period, Related, Relative, Rule, Source, Unit, When, VERSION,
};
pub use capability::{
    segment, segment_explain, segment_parse, segment_sizes, ExplainParams, ParseParams, ParsedRule,
    SegmentParams, SizesParams,
};
pub use compile::{compile, Compiled, Options};
pub use eval::{Explanation, Step};
pub use parser::ParseError;

pub(crate) use ast::{check_json_depth, check_limits};
pub(crate) use capability::{named, options};
pub(crate) use columnar::{ColumnView, EventRow};
pub(crate) use compile::{compile_parts, time_zone, Part, PartSpec};
pub(crate) use eval::PartView;
pub(crate) use parser::parse_rows;

use crate::error::{Error, ErrorKind, Result};

fn rule_error(field: &str, reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidValue, reason).with_field(field)
}

/// Parses the text syntax into a condition, with the position of an error.
pub fn parse_expr(text: &str) -> std::result::Result<Expr, ParseError> {
    parser::parse(text)
}

impl Rule {
    /// Reads a rule in the text syntax. An error is an
    /// [`ErrorKind::InvalidValue`] about the field `rule` whose reason starts
    /// with the line and column (`line 1, column 8: expected a value ...`).
    pub fn parse(text: &str) -> Result<Rule> {
        parser::parse(text)
            .map(Rule::new)
            .map_err(|e| rule_error("rule", e.to_string()))
    }

    /// Reads the JSON form from text.
    pub fn from_json(json: &str) -> Result<Rule> {
        if json.len() > 8 * limits::MAX_TEXT {
            return Err(rule_error(
                "rule",
                format!("the JSON is longer than {} bytes", 8 * limits::MAX_TEXT),
            ));
        }
        let value: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| Error::new(ErrorKind::Json, format!("rule: {e}")).with_field("rule"))?;
        Rule::from_value(&value)
    }

    /// Reads the JSON form from JSON data: the depth is checked before the
    /// rule is read, the size limits after.
    pub fn from_value(value: &serde_json::Value) -> Result<Rule> {
        ast::check_json_depth(value).map_err(|m| rule_error("rule", m))?;
        let rule: Rule = crate::capability::from_value("rule", value.clone())?;
        if rule.version != VERSION {
            return Err(rule_error(
                "version",
                format!(
                    "version {} is not read by this library (it reads version {VERSION})",
                    rule.version
                ),
            ));
        }
        ast::check_limits(&rule.rule).map_err(|m| rule_error("rule", m))?;
        Ok(rule)
    }

    /// Reads a rule given either way: a JSON string is the text syntax, an
    /// object the JSON form.
    pub fn from_input(value: &serde_json::Value) -> Result<Rule> {
        match value {
            serde_json::Value::String(text) => Rule::parse(text),
            serde_json::Value::Object(_) => Rule::from_value(value),
            other => Err(Error::new(
                ErrorKind::Json,
                format!(
                    "a rule is text or its JSON form {{\"version\": 1, \"rule\": ...}}, not {}",
                    kind_of(other)
                ),
            )
            .with_field("rule")),
        }
    }

    /// The rule in the text syntax.
    pub fn to_text(&self) -> String {
        print::print(&self.rule)
    }

    /// The JSON form as text.
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string(self)?)
    }
}

fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a bool",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "text",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
