//! Reading options and the import report.

use super::*;

/// How to read a CSV file.
///
/// In JSON the delimiter is a one-character string (`";"`, `"\t"`) or a byte value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsvOptions {
    /// The delimiter; `None` detects `;`, `,` or tab from the header line.
    #[serde(with = "delimiter_serde")]
    pub delimiter: Option<u8>,
    /// The currency of deal amounts and prices when a row has no `currency` cell;
    /// `None` uses the schema's currency, else RUB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
}

mod delimiter_serde {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<u8>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(byte) => s.serialize_some(&char::from(*byte).to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Byte(u8),
            Text(String),
        }
        match Option::<Repr>::deserialize(d)? {
            None => Ok(None),
            Some(Repr::Byte(byte)) => Ok(Some(byte)),
            Some(Repr::Text(text)) => match text.as_str() {
                "\\t" | "tab" => Ok(Some(b'\t')),
                t if t.len() == 1 && t.is_ascii() => Ok(Some(t.as_bytes()[0])),
                _ => Err(serde::de::Error::custom(format!(
                    "the delimiter {text:?} is not one ASCII character"
                ))),
            },
        }
    }
}

/// One row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// The line number in the file where the row starts (the header is line 1);
    /// for rows given to [`ClientBase::import_clients_rows`] or
    /// [`ClientBase::import_deals_rows`], the row's index from 0.
    pub line: u64,
    /// The CSV column header the problem is in, when it is one column.
    pub column: Option<String>,
    /// The record field the problem is in (`birthday`, `custom.rooms`, `phones[1]`).
    pub field: Option<String>,
    /// The error kind's name ([`ErrorKind::name`]).
    pub kind: String,
    /// Why the row was rejected.
    pub reason: String,
}

impl fmt::Display for RejectedRow {
    /// `line 3, column "Дата рождения": "31.02.1985" is not a calendar date`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        match (&self.column, &self.field) {
            (Some(column), _) => write!(f, ", column {column:?}")?,
            (None, Some(field)) => write!(f, ", field \"{field}\"")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.reason)
    }
}

/// What an import did: the ids it created and every row it rejected.
///
/// `rows == imported.len() + rejected.len() + empty_rows`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport<Id> {
    /// Data rows read (not counting the header).
    pub rows: u64,
    /// The ids of the imported records, in file order.
    pub imported: Vec<Id>,
    /// The rejected rows, in file order.
    pub rejected: Vec<RejectedRow>,
    /// Rows whose cells were all blank, skipped.
    pub empty_rows: u64,
    /// Headers of the file's columns that the mapping does not mention; their
    /// cells were not read.
    pub ignored_columns: Vec<String>,
}
