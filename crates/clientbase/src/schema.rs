//! The schema of a base: the tag vocabulary and the typed custom fields.
//!
//! Tags outside the vocabulary are errors, not new tags, and custom field values
//! are checked (and, where unambiguous, converted) against their declared type on
//! every write.
//!
//! ```
//! use clientbase::{FieldDef, FieldType, FieldValue, Schema};
//! let mut schema = Schema::new();
//! schema.declare_tag("vip").unwrap();
//! schema.declare_field(FieldDef::new("rooms", FieldType::Integer)).unwrap();
//! schema
//!     .declare_field(FieldDef::new(
//!         "floors",
//!         FieldType::ManyOf { options: vec!["low".into(), "middle".into(), "high".into()] },
//!     ))
//!     .unwrap();
//! let rooms = schema.check_value("rooms", FieldValue::Text("3".into())).unwrap();
//! assert_eq!(rooms, FieldValue::Integer(3));
//! assert!(schema.check_value("floors", FieldValue::Text("roof".into())).is_err());
//! ```

use crate::error::{Error, ErrorKind, Result};
use crate::money::{Currency, Money};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};

/// The type of a custom field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldType {
    /// Free text.
    Text,
    /// A whole number.
    Integer,
    /// Exact money in the given currency.
    Money {
        /// The currency every value must use.
        currency: Currency,
    },
    /// A calendar date.
    Date,
    /// Yes or no.
    Bool,
    /// Exactly one of the options.
    OneOf {
        /// The allowed values.
        options: Vec<String>,
    },
    /// Any subset of the options.
    ManyOf {
        /// The allowed values.
        options: Vec<String>,
    },
}

impl FieldType {
    /// The type's name as used in schemas: `text`, `integer`, `money`, ...
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Integer => "integer",
            FieldType::Money { .. } => "money",
            FieldType::Date => "date",
            FieldType::Bool => "bool",
            FieldType::OneOf { .. } => "one_of",
            FieldType::ManyOf { .. } => "many_of",
        }
    }
}

/// A declared custom field.
///
/// In JSON: `{"name": "rooms", "type": "integer", "label": "Комнат"}`, with
/// `currency` for `money` and `options` for `one_of` and `many_of`, and
/// `"identifier": true` on a field that identifies its client (a passport
/// number). A key the type does not take is an error naming it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDef {
    /// The field's name, as used in `Client::custom` and in column mappings (`custom.<name>`).
    pub name: String,
    /// The value type.
    #[serde(flatten)]
    pub field_type: FieldType,
    /// A human label for documents and UIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The value identifies its client: a passport, СНИЛС, a loyalty card,
    /// a contract number. Duplicate detection compares such fields (the same
    /// value, one character mistyped, or another value) and blocks on them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub identifier: bool,
    /// Every client should have a value (`"required": true`): the quality
    /// report ([`quality_report`](crate::quality::quality_report)) counts the
    /// clients without one and lists it in their checklist. Writes are not
    /// refused for it, so incomplete data can still be imported and completed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

/// The JSON form of a [`FieldDef`] as read, every unknown key refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldDefData {
    name: String,
    #[serde(rename = "type")]
    field_type: FieldTypeName,
    #[serde(default)]
    currency: Option<Currency>,
    #[serde(default)]
    options: Option<Vec<String>>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    identifier: bool,
    #[serde(default)]
    required: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum FieldTypeName {
    Text,
    Integer,
    Money,
    Date,
    Bool,
    OneOf,
    ManyOf,
}

impl<'de> Deserialize<'de> for FieldDef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<FieldDef, D::Error> {
        use serde::de::Error as _;
        let data = FieldDefData::deserialize(d)?;
        let name = &data.name;
        let refuse = |key: &str, type_name: &str| {
            D::Error::custom(format!(
                "field {name:?}: `{key}` is not a key of a {type_name} field"
            ))
        };
        let has_options = data.options.is_some();
        let field_type = match data.field_type {
            FieldTypeName::Money => FieldType::Money {
                currency: data.currency.ok_or_else(|| {
                    D::Error::custom(format!(
                        "field {name:?}: a money field needs its `currency`"
                    ))
                })?,
            },
            FieldTypeName::OneOf | FieldTypeName::ManyOf => {
                let options = data.options.ok_or_else(|| {
                    D::Error::custom(format!("field {name:?}: a choice needs its `options`"))
                })?;
                if matches!(data.field_type, FieldTypeName::OneOf) {
                    FieldType::OneOf { options }
                } else {
                    FieldType::ManyOf { options }
                }
            }
            FieldTypeName::Text => FieldType::Text,
            FieldTypeName::Integer => FieldType::Integer,
            FieldTypeName::Date => FieldType::Date,
            FieldTypeName::Bool => FieldType::Bool,
        };
        if data.currency.is_some() && !matches!(field_type, FieldType::Money { .. }) {
            return Err(refuse("currency", field_type.name()));
        }
        let takes_options = matches!(
            field_type,
            FieldType::OneOf { .. } | FieldType::ManyOf { .. }
        );
        if has_options && !takes_options {
            return Err(refuse("options", field_type.name()));
        }
        Ok(FieldDef {
            name: data.name,
            field_type,
            label: data.label,
            identifier: data.identifier,
            required: data.required,
        })
    }
}

impl FieldDef {
    /// A field called `name` of type `field_type`.
    pub fn new(name: impl Into<String>, field_type: FieldType) -> FieldDef {
        FieldDef {
            name: name.into(),
            field_type,
            label: None,
            identifier: false,
            required: false,
        }
    }

    /// Marks the field as identifying its client (see [`FieldDef::identifier`]).
    pub fn as_identifier(mut self) -> FieldDef {
        self.identifier = true;
        self
    }

    /// Marks the field as one every client should fill (see [`FieldDef::required`]).
    pub fn as_required(mut self) -> FieldDef {
        self.required = true;
        self
    }

    /// Sets the human label.
    pub fn with_label(mut self, label: impl Into<String>) -> FieldDef {
        self.label = Some(label.into());
        self
    }
}

/// A custom field value.
///
/// In JSON a value is written plainly (`3`, `"2024-05-01"`, `["low","high"]`,
/// `{"amount":"10.00","currency":"RUB"}`); the schema decides its type on write,
/// so a date or a one-of option may arrive as [`FieldValue::Text`] and is converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// Free text (or a not yet typed value from JSON or CSV).
    Text(String),
    /// A whole number.
    Integer(i64),
    /// Exact money.
    Money(Money),
    /// A calendar date.
    Date(NaiveDate),
    /// Yes or no.
    Bool(bool),
    /// One option.
    OneOf(String),
    /// Several options, kept sorted.
    ManyOf(BTreeSet<String>),
}

impl FieldValue {
    /// Renders the value as text the way CSV export writes it (`ManyOf` joined with `, `).
    pub fn to_text(&self) -> String {
        match self {
            FieldValue::Text(text) | FieldValue::OneOf(text) => text.clone(),
            FieldValue::Integer(n) => n.to_string(),
            FieldValue::Money(m) => m.amount_string(),
            FieldValue::Date(d) => d.format("%Y-%m-%d").to_string(),
            FieldValue::Bool(b) => b.to_string(),
            FieldValue::ManyOf(set) => set.iter().cloned().collect::<Vec<_>>().join(", "),
        }
    }
}

impl Serialize for FieldValue {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            FieldValue::Text(text) | FieldValue::OneOf(text) => s.serialize_str(text),
            FieldValue::Integer(n) => s.serialize_i64(*n),
            FieldValue::Money(m) => m.serialize(s),
            FieldValue::Date(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
            FieldValue::Bool(b) => s.serialize_bool(*b),
            FieldValue::ManyOf(set) => set.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for FieldValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<FieldValue, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Bool(bool),
            Integer(i64),
            Text(String),
            List(BTreeSet<String>),
            Money(Money),
        }
        Ok(match Repr::deserialize(d)? {
            Repr::Bool(b) => FieldValue::Bool(b),
            Repr::Integer(n) => FieldValue::Integer(n),
            Repr::Text(t) => FieldValue::Text(t),
            Repr::List(l) => FieldValue::ManyOf(l),
            Repr::Money(m) => FieldValue::Money(m),
        })
    }
}

/// The vocabulary of tags and the declared custom fields of a base.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    #[serde(default)]
    tags: BTreeSet<String>,
    #[serde(default, with = "fields_as_list")]
    fields: BTreeMap<String, FieldDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    currency: Option<Currency>,
}

mod fields_as_list {
    use super::FieldDef;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        fields: &BTreeMap<String, FieldDef>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        fields.values().collect::<Vec<_>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, FieldDef>, D::Error> {
        let list = Vec::<FieldDef>::deserialize(d)?;
        Ok(list.into_iter().map(|f| (f.name.clone(), f)).collect())
    }
}

/// Characters that cannot appear in tag and option names, because CSV export joins lists with them.
const LIST_SEPARATORS: [char; 3] = [',', ';', '|'];

fn check_name(what: &str, name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::new(
            ErrorKind::Schema,
            format!("{what} name is empty"),
        ));
    }
    if name.trim() != name {
        return Err(Error::new(
            ErrorKind::Schema,
            format!("{what} name {name:?} has leading or trailing spaces"),
        ));
    }
    if name.contains(LIST_SEPARATORS) || name.chars().any(char::is_control) {
        return Err(Error::new(
            ErrorKind::Schema,
            format!(
                "{what} name {name:?} contains a list separator (, ; |) or a control character"
            ),
        ));
    }
    Ok(())
}

impl Schema {
    /// An empty schema: no tags, no custom fields, any currency.
    pub fn new() -> Schema {
        Schema::default()
    }

    /// A schema with `tags` and `fields`, declared in order as
    /// [`Schema::declare_tag`] and [`Schema::declare_field`] do (the first
    /// error stops it).
    pub fn with(
        tags: impl IntoIterator<Item = String>,
        fields: impl IntoIterator<Item = FieldDef>,
    ) -> Result<Schema> {
        let mut schema = Schema::new();
        tags.into_iter()
            .try_for_each(|tag| schema.declare_tag(tag))?;
        fields
            .into_iter()
            .try_for_each(|field| schema.declare_field(field))?;
        Ok(schema)
    }

    /// Adds a tag to the vocabulary. Declaring a tag twice is harmless.
    pub fn declare_tag(&mut self, tag: impl Into<String>) -> Result<()> {
        let tag = tag.into();
        check_name("tag", &tag)?;
        self.tags.insert(tag);
        Ok(())
    }

    /// Declares a custom field. Redeclaring it with the same definition is harmless;
    /// a different definition for an existing name is an [`ErrorKind::Schema`] error.
    pub fn declare_field(&mut self, field: FieldDef) -> Result<()> {
        check_name("field", &field.name)?;
        if let FieldType::OneOf { options } | FieldType::ManyOf { options } = &field.field_type {
            if options.is_empty() {
                return Err(Error::new(
                    ErrorKind::Schema,
                    format!("field {:?} has no options", field.name),
                ));
            }
            let mut seen = BTreeSet::new();
            for option in options {
                check_name("option", option)?;
                if !seen.insert(option) {
                    return Err(Error::new(
                        ErrorKind::Schema,
                        format!("field {:?} lists option {option:?} twice", field.name),
                    ));
                }
            }
        }
        match self.fields.get(&field.name) {
            Some(existing) if *existing == field => Ok(()),
            Some(_) => Err(Error::new(
                ErrorKind::Schema,
                format!("field {:?} is already declared differently", field.name),
            )),
            None => {
                self.fields.insert(field.name.clone(), field);
                Ok(())
            }
        }
    }

    /// Sets the accounting currency: when set, every deal must be in it.
    pub fn set_currency(&mut self, currency: Option<Currency>) {
        self.currency = currency;
    }

    /// The accounting currency, if one is set.
    pub fn currency(&self) -> Option<Currency> {
        self.currency
    }

    /// The tag vocabulary, sorted.
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().map(String::as_str)
    }

    /// Whether `tag` is in the vocabulary.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.contains(tag)
    }

    /// The declared fields, sorted by name.
    pub fn fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields.values()
    }

    /// The field called `name`, if declared.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.get(name)
    }

    /// Checks a tag against the vocabulary.
    pub fn check_tag(&self, tag: &str) -> Result<()> {
        if self.tags.contains(tag) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::UnknownTag,
                format!("{tag:?} is not in the tag vocabulary"),
            )
            .with_field("tags"))
        }
    }

    /// Checks `value` against the declared type of field `name`, converting text
    /// (from CSV or JSON) into the declared type where that is unambiguous.
    /// Errors name the field as `custom.<name>`.
    pub fn check_value(&self, name: &str, value: FieldValue) -> Result<FieldValue> {
        let path = format!("custom.{name}");
        let def = self.fields.get(name).ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownField,
                format!("{name:?} is not a declared field"),
            )
            .with_field(path.clone())
        })?;
        let wrong = |value: &FieldValue| {
            Error::new(
                ErrorKind::FieldType,
                format!(
                    "expected {}, got {}",
                    def.field_type.name(),
                    describe(value)
                ),
            )
            .with_field(path.clone())
        };
        let option_error = |option: &str, options: &[String]| {
            Error::new(
                ErrorKind::FieldType,
                format!("{option:?} is not one of {}", options.join(", ")),
            )
            .with_field(path.clone())
        };
        match (&def.field_type, value) {
            (FieldType::Text, FieldValue::Text(t)) => Ok(FieldValue::Text(t)),
            (FieldType::Integer, FieldValue::Integer(n)) => Ok(FieldValue::Integer(n)),
            (FieldType::Integer, FieldValue::Text(t)) => t
                .trim()
                .parse::<i64>()
                .map(FieldValue::Integer)
                .map_err(|_| wrong(&FieldValue::Text(t))),
            (FieldType::Money { currency }, FieldValue::Money(m)) => {
                if m.currency() == *currency {
                    Ok(FieldValue::Money(m))
                } else {
                    Err(Error::new(
                        ErrorKind::CurrencyMismatch,
                        format!("{m} is not in {currency}"),
                    )
                    .with_field(path))
                }
            }
            (FieldType::Money { currency }, FieldValue::Text(t)) => Money::parse(&t, *currency)
                .map(FieldValue::Money)
                .map_err(|e| Error::new(e.kind(), e.reason().to_string()).with_field(path.clone())),
            (FieldType::Money { currency }, FieldValue::Integer(n)) => n
                .checked_mul(currency.minor_per_unit())
                .map(|minor| FieldValue::Money(Money::from_minor(minor, *currency)))
                .ok_or_else(|| wrong(&FieldValue::Integer(n))),
            (FieldType::Date, FieldValue::Date(d)) => Ok(FieldValue::Date(d)),
            (FieldType::Date, FieldValue::Text(t)) => crate::dates::parse_date(&t)
                .map(FieldValue::Date)
                .map_err(|reason| {
                    Error::new(ErrorKind::FieldType, reason).with_field(path.clone())
                }),
            (FieldType::Bool, FieldValue::Bool(b)) => Ok(FieldValue::Bool(b)),
            (FieldType::Bool, FieldValue::Text(t)) => parse_bool(&t)
                .map(FieldValue::Bool)
                .ok_or_else(|| wrong(&FieldValue::Text(t))),
            (FieldType::OneOf { options }, FieldValue::Text(t) | FieldValue::OneOf(t)) => {
                if options.contains(&t) {
                    Ok(FieldValue::OneOf(t))
                } else {
                    Err(option_error(&t, options))
                }
            }
            (FieldType::ManyOf { options }, FieldValue::ManyOf(set)) => {
                match set.iter().find(|o| !options.contains(o)) {
                    Some(bad) => Err(option_error(bad, options)),
                    None => Ok(FieldValue::ManyOf(set)),
                }
            }
            (FieldType::ManyOf { options }, FieldValue::Text(t) | FieldValue::OneOf(t)) => {
                let set: BTreeSet<String> = t
                    .split(LIST_SEPARATORS)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect();
                match set.iter().find(|o| !options.contains(o)) {
                    Some(bad) => Err(option_error(bad, options)),
                    None => Ok(FieldValue::ManyOf(set)),
                }
            }
            (_, value) => Err(wrong(&value)),
        }
    }
}

/// Parses yes/no the way spreadsheets write it, in Russian and English.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "да" | "д" | "+" | "истина" => Some(true),
        "false" | "0" | "no" | "n" | "нет" | "н" | "-" | "ложь" => Some(false),
        _ => None,
    }
}

fn describe(value: &FieldValue) -> String {
    match value {
        FieldValue::Text(t) => format!("text {t:?}"),
        FieldValue::Integer(n) => format!("integer {n}"),
        FieldValue::Money(m) => format!("money {m}"),
        FieldValue::Date(d) => format!("date {d}"),
        FieldValue::Bool(b) => format!("bool {b}"),
        FieldValue::OneOf(o) => format!("option {o:?}"),
        FieldValue::ManyOf(s) => format!("options {s:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_declares_in_order_and_stops_at_the_first_error() {
        let rooms = FieldDef::new("rooms", FieldType::Integer);
        let schema = Schema::with(["vip".to_string()], [rooms.clone()]).unwrap();
        let mut each = Schema::new();
        each.declare_tag("vip").unwrap();
        each.declare_field(rooms.clone()).unwrap();
        assert_eq!(schema, each);
        let clash = FieldDef::new("rooms", FieldType::Text);
        let err = Schema::with([], [rooms, clash]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Schema);
        assert!(Schema::with(["a,b".to_string()], []).is_err());
    }

    fn schema() -> Schema {
        let mut s = Schema::new();
        s.declare_tag("vip").unwrap();
        s.declare_field(FieldDef::new("rooms", FieldType::Integer))
            .unwrap();
        s.declare_field(FieldDef::new(
            "budget",
            FieldType::Money {
                currency: Currency::RUB,
            },
        ))
        .unwrap();
        s.declare_field(FieldDef::new("moved_in", FieldType::Date))
            .unwrap();
        s.declare_field(FieldDef::new("has_pet", FieldType::Bool))
            .unwrap();
        s.declare_field(FieldDef::new(
            "make",
            FieldType::OneOf {
                options: vec!["Lada".into(), "Kia".into()],
            },
        ))
        .unwrap();
        s
    }

    #[test]
    fn converts_text_into_declared_types() {
        let s = schema();
        assert_eq!(
            s.check_value("budget", FieldValue::Text("1 500 000,00".into()))
                .unwrap(),
            FieldValue::Money(Money::from_minor(150_000_000, Currency::RUB))
        );
        assert_eq!(
            s.check_value("moved_in", FieldValue::Text("05.03.2021".into()))
                .unwrap(),
            FieldValue::Date(NaiveDate::from_ymd_opt(2021, 3, 5).unwrap())
        );
        assert_eq!(
            s.check_value("has_pet", FieldValue::Text("да".into()))
                .unwrap(),
            FieldValue::Bool(true)
        );
        assert_eq!(
            s.check_value("make", FieldValue::Text("Kia".into()))
                .unwrap(),
            FieldValue::OneOf("Kia".into())
        );
    }

    #[test]
    fn wrong_types_name_the_field() {
        let s = schema();
        let err = s
            .check_value("rooms", FieldValue::Text("three".into()))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FieldType);
        assert_eq!(err.field(), Some("custom.rooms"));
        let err = s
            .check_value("make", FieldValue::Text("BMW".into()))
            .unwrap_err();
        assert!(err.reason().contains("BMW"), "{err}");
        let err = s
            .check_value(
                "budget",
                FieldValue::Money(Money::from_minor(1, Currency::USD)),
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CurrencyMismatch);
        let err = s.check_value("floor", FieldValue::Integer(1)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownField);
        assert_eq!(
            s.check_tag("gold").unwrap_err().kind(),
            ErrorKind::UnknownTag
        );
    }

    #[test]
    fn declarations_are_checked() {
        let mut s = schema();
        assert!(s.declare_tag("a,b").is_err());
        assert!(s.declare_tag(" ").is_err());
        assert!(s
            .declare_field(FieldDef::new("rooms", FieldType::Text))
            .is_err());
        assert!(s
            .declare_field(FieldDef::new("rooms", FieldType::Integer))
            .is_ok());
        assert!(s
            .declare_field(FieldDef::new("x", FieldType::OneOf { options: vec![] }))
            .is_err());
    }

    #[test]
    fn schema_json_round_trip() {
        let s = schema();
        let json = serde_json::to_string(&s).unwrap();
        let back: Schema = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
