//! Reading options and the import report.

use super::*;

/// How to read a CSV file.
///
/// In JSON the delimiter is a one-character string (`";"`, `"\t"`) or a byte value
/// (`59`); either way one printable ASCII character, a space or a tab, and not the
/// quote `"`. Both keys are optional; an unknown key is an error naming it.
///
/// ```
/// use clientbase::CsvOptions;
/// let options: CsvOptions = serde_json::from_str(r#"{"delimiter": ";"}"#)?;
/// assert_eq!(options.delimiter, Some(b';'));
/// assert!(serde_json::from_str::<CsvOptions>(r#"{"delimeter": ";"}"#).is_err());
/// assert!(serde_json::from_str::<CsvOptions>(r#"{"delimiter": 5}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsvOptions {
    /// The delimiter; `None` detects `;`, `,` or tab from the header line.
    #[serde(with = "delimiter_serde")]
    pub delimiter: Option<u8>,
    /// The currency of deal amounts and prices when a row has no `currency` cell;
    /// `None` uses the schema's currency, else RUB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Reject a row when any of its cells cannot be used, as older versions
    /// did. By default (`false`) such a cell is set aside with a note in
    /// [`ImportReport::set_aside`] and the row is imported without it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
}

impl CsvOptions {
    /// Options from a binding's arguments: the delimiter byte (checked when the
    /// import starts), the currency code (`"RUB"`, `"₽"`; an unknown one is an
    /// error now) and strictness; other options keep their defaults.
    ///
    /// ```
    /// use clientbase::CsvOptions;
    /// let options = CsvOptions::new(Some(b';'), Some("₽"), true)?;
    /// assert_eq!(options.currency.map(|c| c.code().to_string()).as_deref(), Some("RUB"));
    /// assert!(options.strict);
    /// assert!(CsvOptions::new(None, Some("рубли"), false).is_err());
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn new(delimiter: Option<u8>, currency: Option<&str>, strict: bool) -> Result<CsvOptions> {
        let currency = currency.map(Currency::new).transpose()?;
        Ok(CsvOptions {
            delimiter,
            currency,
            strict,
        })
    }
}

/// Whether `byte` can separate cells: a printable ASCII character other than the
/// quote, a space or a tab.
pub(super) fn delimiter_allowed(byte: u8) -> bool {
    byte == b'\t' || byte == b' ' || (byte.is_ascii_graphic() && byte != b'"')
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
        let byte = match Option::<Repr>::deserialize(d)? {
            None => return Ok(None),
            Some(Repr::Byte(byte)) => byte,
            Some(Repr::Text(text)) => match text.as_str() {
                "\\t" | "tab" => b'\t',
                t if t.len() == 1 && t.is_ascii() => t.as_bytes()[0],
                _ => {
                    return Err(serde::de::Error::custom(format!(
                        "the delimiter {text:?} is not one printable ASCII character"
                    )))
                }
            },
        };
        if super::delimiter_allowed(byte) {
            Ok(Some(byte))
        } else {
            Err(serde::de::Error::custom(format!(
                "the delimiter {:?} (byte {byte}) is not a printable ASCII character, a space or a tab",
                char::from(byte)
            )))
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
    /// The error kind (in JSON its [`name`](ErrorKind::name), `"unknown_tag"`).
    pub kind: ErrorKind,
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

/// What an import did: the ids it created, every row it rejected and every
/// cell it set aside.
///
/// `rows == imported.len() + rejected.len() + empty_rows`. A row is rejected
/// only when it cannot make a record at all (no name and no contact, an
/// unreadable or taken id, relations that do not hold) or, with
/// [`CsvOptions::strict`], for any cell it cannot use. Otherwise a cell that
/// cannot be read or fails a check (a date that is not a date, an ИНН with a
/// wrong check digit, a birthday in 2999, an unknown tag, a company name on a
/// person) is set aside: the row is imported without it and the cell is listed
/// in `set_aside`, with the line, column, field and reason, so nothing is
/// dropped without a word.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport<Id> {
    /// Data rows read (not counting the header).
    pub rows: u64,
    /// The ids of the imported records, in file order.
    pub imported: Vec<Id>,
    /// The rejected rows, in file order.
    pub rejected: Vec<RejectedRow>,
    /// The cells set aside, in file order (a row may have several). A row
    /// rejected for another reason keeps its notes here too: a company cell
    /// set aside on a row of kind person explains why the row had no name.
    pub set_aside: Vec<RejectedRow>,
    /// Rows whose cells were all blank, skipped.
    pub empty_rows: u64,
    /// Headers of the file's columns that the mapping does not mention; their
    /// cells were not read.
    pub ignored_columns: Vec<String>,
    /// Where each imported record came from, in the order of `imported`: its
    /// line in the file (the header is line 1; a record spanning lines has the
    /// line it starts on), or its row's index from 0 when the rows did not
    /// come from a file. With it a result given by id (a duplicate cluster)
    /// can be joined back to the input.
    pub imported_lines: Vec<u64>,
}

impl<Id> ImportReport<Id> {
    /// The same report with each id turned by `id` (a binding's plain
    /// numbers: `report.map_ids(ClientId::get)`).
    pub fn map_ids<T>(self, id: impl FnMut(Id) -> T) -> ImportReport<T> {
        ImportReport {
            rows: self.rows,
            imported: self.imported.into_iter().map(id).collect(),
            rejected: self.rejected,
            set_aside: self.set_aside,
            empty_rows: self.empty_rows,
            ignored_columns: self.ignored_columns,
            imported_lines: self.imported_lines,
        }
    }
}

impl RejectedRow {
    /// Rejected rows (or cells set aside) as a table, one row each, ready for a
    /// DataFrame: `line` (uint64), `column`, `field`, `kind` (the error kind's
    /// name) and `reason` (text).
    ///
    /// ```
    /// use clientbase::{ErrorKind, RejectedRow};
    /// use clientbase::table::Value;
    /// let row = RejectedRow {
    ///     line: 3,
    ///     column: Some("Дата".into()),
    ///     field: Some("birthday".into()),
    ///     kind: ErrorKind::FieldType,
    ///     reason: "not a date".into(),
    /// };
    /// let table = RejectedRow::table(&[row])?;
    /// assert_eq!(table.column("line").unwrap().value(0), Value::UInt64(3));
    /// assert_eq!(table.column("kind").unwrap().value(0), Value::Text("field_type"));
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn table(rows: &[RejectedRow]) -> Result<crate::table::Table> {
        use crate::table::{Column, Table};
        Table::with_rows(
            rows.len(),
            vec![
                Column::from_uint64s("line", rows.iter().map(|r| Some(r.line))),
                Column::from_texts("column", rows.iter().map(|r| r.column.as_deref())),
                Column::from_texts("field", rows.iter().map(|r| r.field.as_deref())),
                Column::from_texts("kind", rows.iter().map(|r| Some(r.kind.name()))),
                Column::from_texts("reason", rows.iter().map(|r| Some(r.reason.as_str()))),
            ],
        )
    }
}
