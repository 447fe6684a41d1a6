//! What a template sees: the client, the deal with its product lines, the
//! manager, your own company, today's date and your own variables.
//!
//! The context is JSON data ([`serde_json::Value`]), so that any filler (a
//! text template here, a DOCX document later) reads the same names. Two
//! shapes in it are typed when a template reads them:
//!
//! - an object with exactly `amount` and `currency` (`{"amount": "4990.00",
//!   "currency": "RUB"}`, how [`Money`] is written in JSON) is **money**: it
//!   prints as `4 990,00 ₽` and the money filters read it exactly;
//! - an object of only `surname`, `given`, `patronymic` and `gender` is a
//!   **person**: it prints as the full name and the name filters read it.
//!
//! The names (every key is always there; a value the base does not have is
//! `null`):
//!
//! - `client`: `id`, `kind` (`person` / `company`), `name` (the display
//!   name: the full name or the legal name), `person` (the person, or a
//!   company's contact person), `surname`, `given`, `patronymic`, `gender`,
//!   `legal_name`, `inn`, `city`, `region`, `address`, `postcode`,
//!   `employer`, `birthday`, `owner`, `source`, `stage`, `created`, `phone` (the first
//!   mobile, else the first phone, in E.164 when it reads), `phones`, `email`,
//!   `emails`, `tags`, `custom` (the custom fields by name);
//! - `deal`: `id`, `title`, `status`, `stage`, `pipeline`, `amount` (money),
//!   `currency`, `created`, `closed` (dates), `owner`, `source`, `lines`
//!   (each `n` from 1, `product`, `category`, `quantity` as text (`2.5`),
//!   `unit_price`, `discount` (text: `10 %` or an amount), `total`),
//!   `lines_total` (money: the sum of line totals; the amount when there are
//!   no lines);
//! - `manager`: the deal's owner, else the client's: `id` (as the base
//!   keeps it), `name` (from `managers` in the params, else the id), `person`,
//!   `position`, `phone`, `email`;
//! - `company`: your own company's details from the params
//!   ([`CompanyDetails`]), `director` as a person;
//! - `today`: the date (`2026-11-22`) in the params' time zone;
//! - every key of the params' `vars` as it is.

use crate::base::ClientBase;
use crate::client::{Client, Party, PersonName};
use crate::deal::{Deal, Discount};
use crate::error::{invalid, Result};
use crate::ids::{ClientId, DealId};
use crate::money::Money;
use crate::schema::FieldValue;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Your own company's details, for documents: every field optional, each
/// one a template reads must be set (strict mode says which is missing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompanyDetails {
    /// Short name: `ООО «Ромашка»`.
    pub name: Option<String>,
    /// Full legal name: `Общество с ограниченной ответственностью «Ромашка»`.
    pub full_name: Option<String>,
    /// ИНН.
    pub inn: Option<String>,
    /// КПП.
    pub kpp: Option<String>,
    /// ОГРН (ОГРНИП).
    pub ogrn: Option<String>,
    /// Legal address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Web site.
    pub website: Option<String>,
    /// The bank's name.
    pub bank: Option<String>,
    /// БИК.
    pub bik: Option<String>,
    /// Расчётный счёт.
    pub account: Option<String>,
    /// Корреспондентский счёт.
    pub corr_account: Option<String>,
    /// The director's full name, surname first: `Иванов Сергей Петрович`
    /// (a person in the context: `company.director | inflect("genitive")`).
    pub director: Option<String>,
    /// The director's position: `Генеральный директор`.
    pub director_position: Option<String>,
    /// The chief accountant's full name.
    pub accountant: Option<String>,
    /// Anything else, by name (`company.extra.license`).
    pub extra: BTreeMap<String, Value>,
}

/// A manager's details, by the owner id the base keeps on clients and deals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ManagerDetails {
    /// Full name, surname first (default: the owner id).
    pub name: Option<String>,
    /// Position: `Менеджер по продажам`.
    pub position: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
}

/// What a context is built from, besides the base.
#[derive(Debug, Clone, Default)]
pub struct ContextSource<'a> {
    /// The client (taken from the deal when not given).
    pub client: Option<ClientId>,
    /// The deal.
    pub deal: Option<DealId>,
    /// Your own company.
    pub company: Option<&'a CompanyDetails>,
    /// Managers by owner id.
    pub managers: Option<&'a BTreeMap<String, ManagerDetails>>,
    /// Your own variables, at the top level.
    pub vars: Option<&'a Map<String, Value>>,
    /// Today.
    pub today: Option<NaiveDate>,
    /// The time zone dates of the base are read in.
    pub offset: Option<FixedOffset>,
}

/// The names the context itself uses; `vars` may not take them.
pub const RESERVED: &[&str] = &["client", "deal", "manager", "company", "today"];

fn person_json(name: &PersonName, gender: Option<crate::name::Gender>) -> Value {
    json!({
        "surname": name.surname,
        "given": name.given,
        "patronymic": name.patronymic,
        "gender": gender.map(|g| g.name()),
    })
}

fn person_of_text(text: &Option<String>) -> Value {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            let name = PersonName::parse(t);
            let gender = super::petrovich::name_gender(&name);
            person_json(&name, gender)
        }
        None => Value::Null,
    }
}

fn money_json(m: Money) -> Value {
    json!({"amount": m.amount_string(), "currency": m.currency().code()})
}

fn date_in(at: Option<DateTime<Utc>>, offset: FixedOffset) -> Value {
    at.map(|t| Value::from(t.with_timezone(&offset).date_naive().to_string()))
        .unwrap_or(Value::Null)
}

fn field_json(value: &FieldValue) -> Value {
    match value {
        FieldValue::Text(t) | FieldValue::OneOf(t) => Value::from(t.clone()),
        FieldValue::Integer(n) => Value::from(*n),
        FieldValue::Money(m) => money_json(*m),
        FieldValue::Date(d) => Value::from(d.to_string()),
        FieldValue::Bool(b) => Value::from(*b),
        FieldValue::ManyOf(set) => Value::from(set.iter().cloned().collect::<Vec<_>>()),
    }
}

/// The first mobile phone, else the first phone, in E.164 when it reads.
pub(crate) fn best_phone(client: &Client) -> Option<String> {
    let normalizer = phone_normalizer()?;
    let parsed: Vec<(String, bool)> = client
        .phones
        .iter()
        .map(|p| match normalizer.parse(&p.raw) {
            Ok(parsed) => {
                let mobile = matches!(
                    parsed.kind(),
                    crate::client::PhoneKind::Mobile | crate::client::PhoneKind::FixedLineOrMobile
                );
                (parsed.e164().to_string(), mobile)
            }
            Err(_) => (p.raw.trim().to_string(), false),
        })
        .filter(|(p, _)| !p.is_empty())
        .collect();
    parsed
        .iter()
        .find(|(_, mobile)| *mobile)
        .or_else(|| parsed.first())
        .map(|(p, _)| p.clone())
}

fn phone_normalizer() -> Option<&'static crate::phone::PhoneNormalizer> {
    static NORMALIZER: std::sync::LazyLock<Option<crate::phone::PhoneNormalizer>> =
        std::sync::LazyLock::new(|| crate::phone::PhoneNormalizer::new("RU").ok());
    NORMALIZER.as_ref()
}

/// The client as the context shows it.
pub fn client_json(client: &Client, offset: FixedOffset) -> Value {
    let person = client.person_name();
    let gender = super::petrovich::name_gender(person);
    let has_person = person.surname.is_some() || person.given.is_some();
    let (legal_name, inn) = match &client.party {
        Party::Company(c) => (Some(c.legal_name.clone()), c.tax_id.clone()),
        Party::Person(_) => (None, None),
    };
    json!({
        "id": client.id.get(),
        "kind": if client.is_company() { "company" } else { "person" },
        "name": client.display_name(),
        "person": if has_person { person_json(person, gender) } else { Value::Null },
        "surname": person.surname,
        "given": person.given,
        "patronymic": person.patronymic,
        "gender": gender.map(|g| g.name()),
        "legal_name": legal_name,
        "inn": inn,
        "city": client.city,
        "region": client.region,
        "address": client.address,
        "postcode": client.postcode,
        "employer": client.employer,
        "birthday": client.birthday.map(|d| d.to_string()),
        "owner": client.owner,
        "source": client.source,
        "stage": client.stage.to_string(),
        "created": date_in(client.created_at, offset),
        "phone": best_phone(client),
        "phones": client.phones.iter().map(|p| p.raw.clone()).collect::<Vec<_>>(),
        "email": client.emails.first().map(|e| e.normalized.clone().unwrap_or_else(|| e.raw.trim().to_string())),
        "emails": client.emails.iter().map(|e| e.raw.clone()).collect::<Vec<_>>(),
        "tags": client.tags.iter().cloned().collect::<Vec<_>>(),
        "custom": client.custom.iter().map(|(k, v)| (k.clone(), field_json(v))).collect::<Map<_, _>>(),
    })
}

/// The deal as the context shows it; an error names the line whose total
/// overflows.
pub fn deal_json(deal: &Deal, offset: FixedOffset) -> Result<Value> {
    let mut lines = Vec::with_capacity(deal.lines.len());
    for (i, line) in deal.lines.iter().enumerate() {
        let total = line
            .total()
            .map_err(|e| e.in_field(format!("lines[{i}]")))?;
        let discount = match line.discount {
            Discount::None => Value::Null,
            Discount::PercentBp(bp) => {
                let text = format!("{}.{:02}", bp / 100, bp % 100);
                let text = text.trim_end_matches('0').trim_end_matches('.');
                Value::from(format!("{} %", text.replace('.', ",")))
            }
            Discount::Amount(m) => money_json(m),
        };
        lines.push(json!({
            "n": i + 1,
            "product": line.product,
            "category": line.category,
            "quantity": line.quantity.to_string().replace('.', ","),
            "unit_price": money_json(line.unit_price),
            "discount": discount,
            "total": money_json(total),
        }));
    }
    let lines_total = if deal.lines.is_empty() {
        deal.amount
    } else {
        deal.lines_total()?
    };
    Ok(json!({
        "id": deal.id.0,
        "title": deal.title,
        "status": deal.status.to_string(),
        "stage": deal.stage,
        "pipeline": deal.pipeline,
        "amount": money_json(deal.amount),
        "currency": deal.amount.currency().code(),
        "created": date_in(deal.created_at, offset),
        "closed": date_in(deal.closed_at, offset),
        "owner": deal.owner,
        "source": deal.source,
        "lines": lines,
        "lines_total": money_json(lines_total),
    }))
}

fn manager_json(owner: Option<&str>, managers: Option<&BTreeMap<String, ManagerDetails>>) -> Value {
    let Some(owner) = owner.map(str::trim).filter(|o| !o.is_empty()) else {
        return Value::Null;
    };
    let details = managers
        .and_then(|m| m.get(owner))
        .cloned()
        .unwrap_or_default();
    let name = details.name.clone().unwrap_or_else(|| owner.to_string());
    json!({
        "id": owner,
        "name": name,
        "person": person_of_text(&Some(name.clone())),
        "position": details.position,
        "phone": details.phone,
        "email": details.email,
    })
}

/// Your own company as the context shows it.
pub fn company_json(company: &CompanyDetails) -> Value {
    let mut map = match serde_json::to_value(company) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    map.insert("director".into(), person_of_text(&company.director));
    map.insert("accountant".into(), person_of_text(&company.accountant));
    Value::Object(map)
}

/// The context of a template over `base`: see the [module docs](self) for
/// its names. An unknown client or deal is an error naming it; a deal of
/// another client than the one given is an error.
pub fn build_context(base: &ClientBase, source: &ContextSource<'_>) -> Result<Value> {
    let offset = source
        .offset
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    let deal = source
        .deal
        .map(|id| base.deal(id).map_err(|e| e.with_field("deal")))
        .transpose()?;
    let client_id = match (source.client, deal) {
        (Some(c), Some(d)) if d.client != c => {
            return Err(invalid(
                "deal",
                format!(
                    "deal {} is of client {}, not of client {}",
                    d.id.0,
                    d.client.get(),
                    c.get()
                ),
            ))
        }
        (Some(c), _) => Some(c),
        (None, Some(d)) => Some(d.client),
        (None, None) => None,
    };
    let client = client_id
        .map(|id| base.client(id).map_err(|e| e.with_field("client")))
        .transpose()?;
    let owner = deal
        .and_then(|d| d.owner.as_deref())
        .or_else(|| client.and_then(|c| c.owner.as_deref()));
    let mut map = Map::new();
    map.insert(
        "client".into(),
        client
            .map(|c| client_json(c, offset))
            .unwrap_or(Value::Null),
    );
    map.insert(
        "deal".into(),
        deal.map(|d| deal_json(d, offset))
            .transpose()?
            .unwrap_or(Value::Null),
    );
    map.insert("manager".into(), manager_json(owner, source.managers));
    plain_parts(&mut map, source, offset)?;
    Ok(Value::Object(map))
}

/// The context without a base: `company`, `today` and `vars`.
pub fn plain_context(source: &ContextSource<'_>) -> Result<Value> {
    let offset = source
        .offset
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    let mut map = Map::new();
    plain_parts(&mut map, source, offset)?;
    Ok(Value::Object(map))
}

fn plain_parts(
    map: &mut Map<String, Value>,
    source: &ContextSource<'_>,
    offset: FixedOffset,
) -> Result<()> {
    let empty = CompanyDetails::default();
    map.insert(
        "company".into(),
        company_json(source.company.unwrap_or(&empty)),
    );
    let today = source
        .today
        .unwrap_or_else(|| Utc::now().with_timezone(&offset).date_naive());
    map.insert("today".into(), Value::from(today.to_string()));
    if let Some(vars) = source.vars {
        for (key, value) in vars {
            if RESERVED.contains(&key.as_str()) {
                return Err(invalid(
                    format!("vars.{key}"),
                    format!(
                        "{key:?} is a name of the context itself ({}); choose another",
                        RESERVED.join(", ")
                    ),
                ));
            }
            map.insert(key.clone(), value.clone());
        }
    }
    Ok(())
}
