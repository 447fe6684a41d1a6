//! Phone and email columns read into tables: one row per input row, the
//! columns of the bindings' batch calls, so a column that arrives as Arrow
//! leaves as Arrow without a value per row crossing into the binding.

use super::{Column, ColumnData, Table};
use crate::email::EmailNormalizer;
use crate::error::{Error, ErrorKind, Result};
use crate::phone::PhoneNormalizer;

/// The problem name and reason of a null input row.
const MISSING: (&str, &str) = ("missing", "missing value (null)");

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
    describe: impl Fn(&'a E) -> (&'static str, &'a str),
) -> [Column; 3] {
    let problems: Vec<Option<(&str, &str)>> = results
        .iter()
        .map(|r| match r {
            None => Some(MISSING),
            Some(Err(err)) => Some(describe(err)),
            Some(Ok(_)) => None,
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
        let inputs = texts(column)?;
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
        columns.extend(outcome_columns(&results, |e| {
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
        let inputs = texts(column)?;
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
        columns.extend(outcome_columns(&results, |e| {
            (e.problem().name(), e.reason())
        }));
        columns.push(Column::from_texts(
            "suggestion",
            rows.map(|i| {
                ok(i)
                    .and_then(|e| e.suggestion())
                    .or_else(|| err(i).and_then(|e| e.suggestion()))
            }),
        ));
        Table::new(columns)
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
}
