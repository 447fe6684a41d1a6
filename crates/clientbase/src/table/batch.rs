//! Phone, email and name columns read into tables: one row per input row, the
//! columns of the bindings' batch calls, so a column that arrives as Arrow
//! leaves as Arrow without a value per row crossing into the binding. Also the
//! serde form of one reading ([`Outcome`], [`SplitPhone`]), whose keys are
//! those of a parse table's row, for the bindings' single-value calls.

use super::{Column, ColumnData, Table};
use crate::client::PersonName;
use crate::email::EmailNormalizer;
use crate::error::{Error, ErrorKind, Result};
use crate::phone::{ParsedPhone, PhoneError, PhoneNormalizer};
use serde::Serialize;

/// The problem name and reason of a null input row.
const MISSING: (&str, &str) = ("missing", "missing value (null)");

/// The problem name of a row whose value the caller could not read as text
/// (bytes, text that is not Unicode): see `parse_table_with`.
const NOT_TEXT: &str = "not_text";

/// What one value reads as, in the form of a parse table's row: `{"valid":
/// true, <the value's fields>}` or `{"valid": false, <the problem's fields>}`
/// (`problem`, `reason`, and for emails `suggestion`).
///
/// ```
/// use clientbase::PhoneNormalizer;
/// use clientbase::table::Outcome;
/// let phones = PhoneNormalizer::default();
/// let json = serde_json::to_value(Outcome::from(phones.parse("12")))?;
/// assert_eq!(json["valid"], false);
/// assert_eq!(json["problem"], "too_short");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome<T, E> {
    /// Whether the value is valid.
    pub valid: bool,
    /// What it reads as, when valid.
    #[serde(flatten)]
    pub value: Option<T>,
    /// Why it is not valid, otherwise.
    #[serde(flatten)]
    pub problem: Option<E>,
}

impl<T, E> From<std::result::Result<T, E>> for Outcome<T, E> {
    fn from(result: std::result::Result<T, E>) -> Outcome<T, E> {
        match result {
            Ok(value) => Outcome {
                valid: true,
                value: Some(value),
                problem: None,
            },
            Err(problem) => Outcome {
                valid: false,
                value: None,
                problem: Some(problem),
            },
        }
    }
}

/// One number of a field that may hold several, with what it reads as; see
/// [`PhoneNormalizer::split_readings`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitPhone<'a> {
    /// The piece of the field as typed, label included (`8 495 765 43 21 (раб.)`).
    pub raw: &'a str,
    /// The text that was read, without the label (`8 495 765 43 21`).
    pub text: &'a str,
    /// A label typed next to the number (`раб.`), without brackets.
    pub label: Option<&'a str>,
    /// What the piece reads as.
    #[serde(flatten)]
    pub outcome: Outcome<ParsedPhone, PhoneError>,
}

impl PhoneNormalizer {
    /// Finds the numbers in a field that may hold several (see
    /// [`PhoneNormalizer::split_field`]) and reads each: one reading per
    /// number, in order; none for a field without digits.
    pub fn split_readings<'a>(&self, field: &'a str) -> Vec<SplitPhone<'a>> {
        self.split_parse(field)
            .into_iter()
            .map(|(candidate, parsed)| SplitPhone {
                raw: candidate.raw,
                text: candidate.text,
                label: candidate.label,
                outcome: Outcome::from(parsed),
            })
            .collect()
    }
}

/// The problem name and reason of each row the caller marked (`marked`: row,
/// problem, reason), `None` for the others; a row past the end is an error.
fn marked_rows<'a>(
    rows: usize,
    marked: &[(usize, &'a str, &'a str)],
) -> Result<Vec<Option<(&'a str, &'a str)>>> {
    let mut problems = vec![None; rows];
    for &(row, problem, reason) in marked {
        let slot = problems.get_mut(row).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("unread row {row} is out of range, there are {rows} rows"),
            )
        })?;
        *slot = Some((problem, reason));
    }
    Ok(problems)
}

/// `unread` rows (row, reason) as marked rows with the problem `not_text`.
fn not_text<'a>(unread: &[(usize, &'a str)]) -> Vec<(usize, &'a str, &'a str)> {
    unread
        .iter()
        .map(|&(row, reason)| (row, NOT_TEXT, reason))
        .collect()
}

/// The column's texts, `None` for nulls; a column that is not text is an error
/// naming it.
fn texts(column: &Column) -> Result<Vec<Option<&str>>> {
    let ColumnData::Text(values) = column.data() else {
        return Err(Error::new(
            ErrorKind::FieldType,
            format!(
                "column {:?}: expected text values, got {}",
                column.name(),
                column.column_type()
            ),
        ));
    };
    Ok((0..values.len())
        .map(|i| (!column.is_null(i)).then(|| values.get(i)))
        .collect())
}

/// The columns every parse table ends with: `valid`, then the `problem` and
/// `reason` of each invalid row (`missing` for a null input); `describe` gives
/// an error's problem name and reason.
fn outcome_columns<'a, T, E>(
    results: &'a [Option<std::result::Result<T, E>>],
    marked: &[Option<(&'a str, &'a str)>],
    describe: impl Fn(&'a E) -> (&'a str, &'a str),
) -> [Column; 3] {
    let problems: Vec<Option<(&str, &str)>> = results
        .iter()
        .zip(marked)
        .map(|(r, marked)| match (r, marked) {
            (_, Some(problem)) => Some(*problem),
            (None, None) => Some(MISSING),
            (Some(Err(err)), None) => Some(describe(err)),
            (Some(Ok(_)), None) => None,
        })
        .collect();
    [
        Column::from_bools("valid", problems.iter().map(|p| Some(p.is_none()))),
        Column::from_texts("problem", problems.iter().map(|p| p.map(|p| p.0))),
        Column::from_texts("reason", problems.iter().map(|p| p.map(|p| p.1))),
    ]
}

impl PhoneNormalizer {
    /// Reads a text column of phone numbers (nulls are rows with the problem
    /// `missing`) into a table with the columns `input`, `e164`, `extension`,
    /// `kind`, `region`, `valid`, `problem` and `reason`, one row per input row;
    /// in parallel with the `parallel` feature.
    ///
    /// ```
    /// use clientbase::PhoneNormalizer;
    /// use clientbase::table::{Column, Value};
    /// let phones = PhoneNormalizer::new("RU")?;
    /// let column = Column::from_texts("phone", [Some("8 916 123-45-67"), None]);
    /// let table = phones.parse_table(&column)?;
    /// assert_eq!(table.column("e164").unwrap().value(0), Value::Text("+79161234567"));
    /// assert_eq!(table.column("problem").unwrap().value(1), Value::Text("missing"));
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn parse_table(&self, column: &Column) -> Result<Table> {
        self.parse_table_with(column, &[])
    }

    /// [`PhoneNormalizer::parse_table`] for a column some of whose values the
    /// caller could not read as text (bytes, text that is not Unicode): each
    /// such row, given with its reason in `unread` and null in the column, has
    /// the problem `not_text` and that reason.
    pub fn parse_table_with(&self, column: &Column, unread: &[(usize, &str)]) -> Result<Table> {
        self.parse_table_marked(column, &not_text(unread))
    }

    /// [`PhoneNormalizer::parse_table`] for a column some of whose rows the
    /// caller has already judged: each row in `marked` (row, problem name,
    /// reason), null in the column, is invalid with that problem and reason
    /// (`missing` with `missing value (NaN)`, `not_text` with `expected str,
    /// got bytes`).
    pub fn parse_table_marked(
        &self,
        column: &Column,
        marked: &[(usize, &str, &str)],
    ) -> Result<Table> {
        let inputs = texts(column)?;
        let marked = marked_rows(inputs.len(), marked)?;
        let results = self.parse_rows(&inputs);
        let ok = |i: usize| results[i].as_ref().and_then(|r| r.as_ref().ok());
        let rows = 0..inputs.len();
        let mut columns = vec![
            Column::from_texts("input", inputs.iter().copied()),
            Column::from_texts("e164", rows.clone().map(|i| ok(i).map(|p| p.e164()))),
            Column::from_texts(
                "extension",
                rows.clone().map(|i| ok(i).and_then(|p| p.extension())),
            ),
            Column::from_texts("kind", rows.clone().map(|i| ok(i).map(|p| p.kind().name()))),
            Column::from_texts("region", rows.map(|i| ok(i).map(|p| p.region()))),
        ];
        columns.extend(outcome_columns(&results, &marked, |e| {
            (e.problem().name(), e.reason())
        }));
        Table::new(columns)
    }
}

impl EmailNormalizer {
    /// Checks a text column of email addresses (nulls are rows with the
    /// problem `missing`) into a table with the columns `input`, `address`,
    /// `key`, `domain`, `valid`, `problem`, `reason` and `suggestion`, one row
    /// per input row; in parallel with the `parallel` feature.
    pub fn parse_table(&self, column: &Column) -> Result<Table> {
        self.parse_table_with(column, &[])
    }

    /// [`EmailNormalizer::parse_table`] with rows the caller could not read as
    /// text: as for [`PhoneNormalizer::parse_table_with`].
    pub fn parse_table_with(&self, column: &Column, unread: &[(usize, &str)]) -> Result<Table> {
        self.parse_table_marked(column, &not_text(unread))
    }

    /// [`EmailNormalizer::parse_table`] with rows the caller has already
    /// judged: as for [`PhoneNormalizer::parse_table_marked`].
    pub fn parse_table_marked(
        &self,
        column: &Column,
        marked: &[(usize, &str, &str)],
    ) -> Result<Table> {
        let inputs = texts(column)?;
        let marked = marked_rows(inputs.len(), marked)?;
        let results = self.parse_rows(&inputs);
        let ok = |i: usize| results[i].as_ref().and_then(|r| r.as_ref().ok());
        let err = |i: usize| results[i].as_ref().and_then(|r| r.as_ref().err());
        let rows = 0..inputs.len();
        let mut columns = vec![
            Column::from_texts("input", inputs.iter().copied()),
            Column::from_texts("address", rows.clone().map(|i| ok(i).map(|e| e.address()))),
            Column::from_texts("key", rows.clone().map(|i| ok(i).map(|e| e.key()))),
            Column::from_texts("domain", rows.clone().map(|i| ok(i).map(|e| e.domain()))),
        ];
        columns.extend(outcome_columns(&results, &marked, |e| {
            (e.problem().name(), e.reason())
        }));
        columns.push(Column::from_texts(
            "suggestion",
            rows.map(|i| {
                ok(i)
                    .and_then(|e| e.suggestion())
                    .filter(|_| marked[i].is_none())
                    .or_else(|| err(i).and_then(|e| e.suggestion()))
            }),
        ));
        Table::new(columns)
    }
}

impl PersonName {
    /// Splits a text column of full names into a table with the columns
    /// `input`, `surname`, `given`, `patronymic`, `gender` (`male`, `female`),
    /// `initials` and `key`, one row per input row (a null input gives a row
    /// of nulls); in parallel with the `parallel` feature.
    ///
    /// ```
    /// use clientbase::PersonName;
    /// use clientbase::table::{Column, Value};
    /// let column = Column::from_texts("name", [Some("Сергей Петрович Иванов"), None]);
    /// let table = PersonName::parse_table(&column)?;
    /// assert_eq!(table.column("surname").unwrap().value(0), Value::Text("Иванов"));
    /// assert_eq!(table.column("key").unwrap().value(1), Value::Null);
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn parse_table(column: &Column) -> Result<Table> {
        let inputs = texts(column)?;
        let names = crate::batch::map_column(&inputs, |text| {
            text.map(|text| {
                let name = PersonName::parse(text);
                let (initials, key) = (name.initials(), name.key());
                (name, initials, key)
            })
        });
        let part = |get: fn(&PersonName) -> Option<&str>| {
            names
                .iter()
                .map(move |n| n.as_ref().and_then(|(name, _, _)| get(name)))
        };
        Table::new(vec![
            Column::from_texts("input", inputs.iter().copied()),
            Column::from_texts("surname", part(|n| n.surname.as_deref())),
            Column::from_texts("given", part(|n| n.given.as_deref())),
            Column::from_texts("patronymic", part(|n| n.patronymic.as_deref())),
            Column::from_texts(
                "gender",
                names.iter().map(|n| {
                    n.as_ref()
                        .and_then(|(name, _, _)| name.gender())
                        .map(|g| g.name())
                }),
            ),
            Column::from_texts(
                "initials",
                names.iter().map(|n| n.as_ref().map(|(_, i, _)| i.as_str())),
            ),
            Column::from_texts(
                "key",
                names.iter().map(|n| n.as_ref().map(|(_, _, k)| k.as_str())),
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Value;

    #[test]
    fn phone_rows_line_up_with_their_inputs() {
        let phones = PhoneNormalizer::new("RU").unwrap();
        let column = Column::from_texts("p", [Some("12"), None, Some("+7 916 123 45 67")]);
        let table = phones.parse_table(&column).unwrap();
        assert_eq!(table.rows(), 3);
        assert_eq!(table.column("input").unwrap().value(1), Value::Null);
        assert_eq!(table.column("valid").unwrap().value(0), Value::Bool(false));
        assert_eq!(table.column("valid").unwrap().value(2), Value::Bool(true));
        assert_eq!(table.column("e164").unwrap().value(0), Value::Null);
        assert_eq!(
            table.column("e164").unwrap().value(2),
            Value::Text("+79161234567")
        );
        assert_eq!(
            table.column("problem").unwrap().value(1),
            Value::Text("missing")
        );
        assert!(
            matches!(table.column("problem").unwrap().value(0), Value::Text(p) if p != "missing")
        );
    }

    #[test]
    fn email_rows_and_a_column_that_is_not_text() {
        let emails = EmailNormalizer::new();
        let column = Column::from_texts("e", [Some("Anna@Example.com"), Some("nope"), None]);
        let table = emails.parse_table(&column).unwrap();
        assert_eq!(table.column("valid").unwrap().value(0), Value::Bool(true));
        assert_eq!(table.column("valid").unwrap().value(1), Value::Bool(false));
        assert_eq!(
            table.column("problem").unwrap().value(2),
            Value::Text("missing")
        );
        let numbers = Column::from_int64s("n", [Some(1)]);
        let err = emails.parse_table(&numbers).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FieldType);
        assert!(err.to_string().contains("\"n\""), "{err}");
    }

    #[test]
    fn unread_rows_are_not_text_and_outcomes_serialize_flat() {
        let phones = PhoneNormalizer::new("RU").unwrap();
        let column = Column::from_texts("p", [Some("8 916 123 45 67"), None, None]);
        let table = phones
            .parse_table_with(&column, &[(2, "expected str, got bytes")])
            .unwrap();
        assert_eq!(
            table.column("problem").unwrap().value(1),
            Value::Text("missing")
        );
        assert_eq!(
            table.column("problem").unwrap().value(2),
            Value::Text("not_text")
        );
        assert_eq!(
            table.column("reason").unwrap().value(2),
            Value::Text("expected str, got bytes")
        );
        let table = phones
            .parse_table_marked(&column, &[(1, "missing", "missing value (NaN)")])
            .unwrap();
        assert_eq!(
            table.column("reason").unwrap().value(1),
            Value::Text("missing value (NaN)")
        );
        let err = phones.parse_table_with(&column, &[(3, "x")]).unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
        let json = serde_json::to_value(Outcome::from(phones.parse("8 916 123 45 67"))).unwrap();
        assert_eq!(json["valid"], true);
        assert_eq!(json["e164"], "+79161234567");
        assert!(json.get("problem").is_none());
        let split = phones.split_readings("8 916 123 45 67, 8 495 765 43 21 (раб.)");
        let json = serde_json::to_value(&split).unwrap();
        assert_eq!(json[1]["label"], "раб.");
        assert_eq!(json[1]["kind"], "fixed_line");
    }

    #[test]
    fn name_rows_line_up_with_their_inputs() {
        let column = Column::from_texts("n", [Some("Ольга Игоревна Смирнова"), None, Some("")]);
        let table = PersonName::parse_table(&column).unwrap();
        assert_eq!(table.rows(), 3);
        assert_eq!(
            table.column("gender").unwrap().value(0),
            Value::Text("female")
        );
        assert_eq!(table.column("initials").unwrap().value(1), Value::Null);
        assert_eq!(table.column("initials").unwrap().value(2), Value::Text(""));
        assert_eq!(table.column("surname").unwrap().value(2), Value::Null);
    }
}
