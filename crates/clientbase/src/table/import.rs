//! Importing a [`Table`] of clients or deals (feature `csv`): each row goes
//! through the same row path and checks as a CSV file's row
//! ([`ClientBase::import_clients_rows`]), the columns named by import target.
//!
//! A cell the caller could not read at all (bytes where text was expected, text
//! that is not valid Unicode) is given as a [`BadCell`]: it is read as empty and
//! listed in the report's `set_aside` with its reason, so nothing is stored as a
//! stand-in and the rest of the row is kept ([`CsvOptions::strict`] rejects the
//! row instead).

use super::{format_decimal, Table, Value};
use crate::base::ClientBase;
use crate::csv_io::{ColumnMapping, CsvOptions, ImportReport, RejectedRow};
use crate::error::{ErrorKind, Result};
use crate::ids::{ClientId, DealId};
use chrono::{NaiveTime, SecondsFormat};
use std::borrow::Cow;

/// A cell that could not be read into the table, reported as its row's rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCell {
    /// The row's index, from 0.
    pub row: usize,
    /// The column's name.
    pub column: String,
    /// Why the cell could not be read (`bytes are not text`).
    pub reason: String,
}

/// A value as the text a CSV cell would hold: lists joined with `, `, dates ISO
/// 8601, instants RFC 3339 (midnight UTC as its date), whole floats without a fraction (a gap turns an
/// integer column into floats in some frames: `3.0` means `3`).
pub(super) fn cell_text<'a>(value: Value<'a>) -> Option<Cow<'a, str>> {
    Some(match value {
        Value::Null => return None,
        Value::Float64(f) if f.is_nan() => return None,
        Value::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
        Value::Int64(i) => Cow::Owned(i.to_string()),
        Value::UInt64(u) => Cow::Owned(u.to_string()),
        Value::Float64(f) if f.fract() == 0.0 && f.abs() < 1e15 => Cow::Owned(format!("{f:.0}")),
        Value::Float64(f) => Cow::Owned(f.to_string()),
        Value::Text(t) => Cow::Borrowed(t),
        Value::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
        // A date that a frame holds as a datetime (pandas has no date type): the
        // bare date reads as that date in a date column and as midnight UTC in a
        // timestamp column.
        Value::Timestamp(t) if t.time() == NaiveTime::MIN => {
            Cow::Owned(t.format("%Y-%m-%d").to_string())
        }
        Value::Timestamp(t) => Cow::Owned(t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        Value::Decimal { value, scale } => Cow::Owned(format_decimal(value, scale)),
        Value::TextList(items) => Cow::Owned(items.join(", ")),
    })
}

/// The rows of a table to import, as CSV cell texts. A bad cell is read as
/// empty and listed as set aside; with `strict` its row is rejected instead and
/// not given to the importer.
struct Rows<'t> {
    table: &'t Table,
    /// The table's row index of each row given to the importer.
    kept: Vec<usize>,
    /// `(row, column index)` of the bad cells of kept rows, sorted.
    blanked: Vec<(usize, usize)>,
    /// The rejections of rows with a bad cell (strict), or the bad cells set
    /// aside.
    bad: Vec<RejectedRow>,
    strict: bool,
}

impl<'t> Rows<'t> {
    fn new(table: &'t Table, bad_cells: &[BadCell], strict: bool) -> Rows<'t> {
        let mut bad: Vec<RejectedRow> = Vec::new();
        let mut blanked = Vec::new();
        let mut sorted: Vec<&BadCell> = bad_cells.iter().collect();
        sorted.sort_by_key(|cell| cell.row);
        for cell in sorted {
            // Strict: one rejection per row, the first bad cell names the problem.
            if strict && bad.last().is_some_and(|r| r.line == cell.row as u64) {
                continue;
            }
            if let Some(column) = table.column_names().iter().position(|c| *c == cell.column) {
                blanked.push((cell.row, column));
            }
            bad.push(RejectedRow {
                line: cell.row as u64,
                column: Some(cell.column.clone()),
                field: None,
                kind: ErrorKind::InvalidValue,
                reason: cell.reason.clone(),
            });
        }
        blanked.sort_unstable();
        let kept = (0..table.rows())
            .filter(|row| {
                !strict
                    || bad
                        .binary_search_by_key(&(*row as u64), |r| r.line)
                        .is_err()
            })
            .collect();
        Rows {
            table,
            kept,
            blanked,
            bad,
            strict,
        }
    }

    fn headers(&self) -> Vec<&'t str> {
        self.table.column_names()
    }

    fn mapping(&self) -> Result<ColumnMapping> {
        ColumnMapping::from_pairs(self.headers().into_iter().map(|name| (name, name)))
    }

    fn cells(&self) -> impl Iterator<Item = Vec<Option<Cow<'t, str>>>> + '_ {
        let columns = self.table.columns();
        self.kept.iter().map(move |row| {
            columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if self.blanked.binary_search(&(*row, i)).is_ok() {
                        None
                    } else {
                        cell_text(c.value(*row))
                    }
                })
                .collect()
        })
    }

    /// The importer's report with rows numbered as in the table, bad cells in place.
    fn report<Id>(self, mut report: ImportReport<Id>) -> ImportReport<Id> {
        for row in report.rejected.iter_mut().chain(&mut report.set_aside) {
            let kept = usize::try_from(row.line)
                .ok()
                .and_then(|i| self.kept.get(i));
            if let Some(kept) = kept {
                row.line = *kept as u64;
            }
        }
        report.rows = self.table.rows() as u64;
        if self.strict {
            report.rejected.extend(self.bad);
        } else {
            report.set_aside.extend(self.bad);
        }
        report.rejected.sort_by_key(|r| r.line);
        report.set_aside.sort_by_key(|r| r.line);
        report
    }
}

impl ClientBase {
    /// Imports clients from a table whose column names are import targets
    /// (`surname`, `given_name`, `phone`, `tags`, `custom.<name>`, ... as in
    /// [`ColumnMapping`]), every row read and checked exactly as a CSV row.
    /// Rejected rows carry their row index (from 0) as `line`; the rows of
    /// `bad_cells` are read as empty and set aside with their reason.
    ///
    /// ```
    /// use clientbase::{ClientBase, CsvOptions};
    /// use clientbase::table::{Column, Table};
    /// let mut base = ClientBase::default();
    /// let table = Table::new(vec![
    ///     Column::from_texts("surname", [Some("Иванова"), Some("Петров")]),
    ///     Column::from_texts("birthday", [Some("1990-02-03"), Some("31.02.1985")]),
    /// ])?;
    /// let report = base.import_clients_table(&table, &[], &CsvOptions::default())?;
    /// assert_eq!(report.imported.len(), 2);
    /// assert_eq!(report.set_aside[0].line, 1);
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn import_clients_table(
        &mut self,
        table: &Table,
        bad_cells: &[BadCell],
        options: &CsvOptions,
    ) -> Result<ImportReport<ClientId>> {
        let rows = Rows::new(table, bad_cells, options.strict);
        let report =
            self.import_clients_rows(rows.headers(), rows.cells(), &rows.mapping()?, options)?;
        Ok(rows.report(report))
    }

    /// Imports deals from a table; see [`ClientBase::import_clients_table`].
    /// `options.currency` is the currency of rows without a `currency` column.
    pub fn import_deals_table(
        &mut self,
        table: &Table,
        bad_cells: &[BadCell],
        options: &CsvOptions,
    ) -> Result<ImportReport<DealId>> {
        let rows = Rows::new(table, bad_cells, options.strict);
        let report =
            self.import_deals_rows(rows.headers(), rows.cells(), &rows.mapping()?, options)?;
        Ok(rows.report(report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Column;
    use chrono::{NaiveDate, TimeZone, Utc};

    fn table() -> Table {
        Table::new(vec![
            Column::from_texts(
                "surname",
                [Some("Иванова"), Some("Петров"), None, Some("Сидоров")],
            ),
            Column::from_texts("phone", [Some("8 916 123-45-67"), None, None, None]),
            Column::from_dates(
                "birthday",
                [NaiveDate::from_ymd_opt(1990, 2, 3), None, None, None],
            ),
            Column::from_text_lists(
                "tags",
                [Some(vec![]), Some(vec![]), None, Some(vec!["нет-такого"])],
            ),
        ])
        .unwrap()
    }

    #[test]
    fn imports_typed_cells_and_numbers_problems_by_row() {
        let mut base = ClientBase::default();
        let report = base
            .import_clients_table(&table(), &[], &CsvOptions::default())
            .unwrap();
        assert_eq!(report.rows, 4);
        assert_eq!(report.empty_rows, 1);
        assert_eq!(report.imported.len(), 3, "{:?}", report.rejected);
        assert!(report.rejected.is_empty());
        assert_eq!(report.set_aside.len(), 1);
        assert_eq!(report.set_aside[0].line, 3);
        assert_eq!(report.set_aside[0].column.as_deref(), Some("tags"));
        assert_eq!(report.set_aside[0].kind, ErrorKind::UnknownTag);
        let stored = base
            .clients_table(Some(&["birthday", "phones_json"]))
            .unwrap();
        assert_eq!(
            stored.column("birthday").unwrap().value(0),
            Value::Date(NaiveDate::from_ymd_opt(1990, 2, 3).unwrap())
        );
        let Value::Text(phones) = stored.column("phones_json").unwrap().value(0) else {
            panic!("phones_json is text");
        };
        assert!(phones.contains("8 916 123-45-67"), "{phones}");
    }

    #[test]
    fn bad_cells_are_set_aside_or_reject_their_rows_when_strict() {
        let mut base = ClientBase::default();
        let bad = [
            BadCell {
                row: 0,
                column: "phone".into(),
                reason: "bytes are not text".into(),
            },
            BadCell {
                row: 0,
                column: "tags".into(),
                reason: "second problem".into(),
            },
        ];
        let mut kept = ClientBase::default();
        let report = kept
            .import_clients_table(&table(), &bad, &CsvOptions::default())
            .unwrap();
        // Row 0 keeps its birthday; both bad cells are listed, the unknown tag of
        // row 3 too, and no row is rejected.
        assert_eq!(report.imported.len(), 3, "{:?}", report.rejected);
        assert!(report.rejected.is_empty());
        let aside: Vec<(u64, Option<&str>)> = report
            .set_aside
            .iter()
            .map(|r| (r.line, r.column.as_deref()))
            .collect();
        assert_eq!(
            aside,
            [(0, Some("phone")), (0, Some("tags")), (3, Some("tags"))]
        );
        let stored = kept
            .clients_table(Some(&["surname", "birthday", "phones_json"]))
            .unwrap();
        assert_eq!(
            stored.column("surname").unwrap().value(0),
            Value::Text("Иванова")
        );
        assert_eq!(stored.column("phones_json").unwrap().value(0), Value::Null);
        assert_eq!(
            stored.column("birthday").unwrap().value(0),
            Value::Date(NaiveDate::from_ymd_opt(1990, 2, 3).unwrap())
        );

        let strict = CsvOptions {
            strict: true,
            ..CsvOptions::default()
        };
        let report = base.import_clients_table(&table(), &bad, &strict).unwrap();
        assert_eq!(report.imported.len(), 1);
        let lines: Vec<u64> = report.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, [0, 3]);
        assert_eq!(report.rejected[0].kind, ErrorKind::InvalidValue);
        assert!(report.rejected[0].reason.contains("bytes are not text"));
        let stored = base.clients_table(Some(&["surname"])).unwrap();
        assert_eq!(stored.rows(), 1);
        assert_eq!(
            stored.column("surname").unwrap().value(0),
            Value::Text("Петров")
        );
    }

    #[test]
    fn deals_read_decimals_ids_and_instants() {
        let mut base = ClientBase::default();
        let clients = base
            .import_clients_table(&table(), &[], &CsvOptions::default())
            .unwrap();
        let at = Utc.with_ymd_and_hms(2024, 3, 5, 10, 30, 0).unwrap();
        let deals = Table::new(vec![
            Column::from_uint64s("client_id", [Some(clients.imported[0].get()), Some(999)]),
            Column::from_texts("title", [Some("Окна"), Some("Двери")]),
            Column::from_decimals("amount", 2, [Some(123_450), Some(100)]),
            Column::from_timestamps("created_at", [Some(at), Some(at)]),
        ])
        .unwrap();
        let report = base
            .import_deals_table(&deals, &[], &CsvOptions::default())
            .unwrap();
        assert_eq!(report.imported.len(), 1, "{:?}", report.rejected);
        assert_eq!(report.rejected[0].line, 1);
        let stored = base
            .deals_table(Some(&["amount", "currency", "created_at"]))
            .unwrap();
        assert_eq!(
            stored.column("amount").unwrap().value(0),
            Value::Decimal {
                value: 123_450,
                scale: 2
            }
        );
        assert_eq!(
            stored.column("currency").unwrap().value(0),
            Value::Text("RUB")
        );
        assert_eq!(
            stored.column("created_at").unwrap().value(0),
            Value::Timestamp(at)
        );
    }

    #[test]
    fn an_unknown_column_is_an_error_naming_it() {
        let mut base = ClientBase::default();
        let table = Table::new(vec![Column::from_texts("surnmae", [Some("Иванова")])]).unwrap();
        let err = base
            .import_clients_table(&table, &[], &CsvOptions::default())
            .unwrap_err();
        assert!(err.to_string().contains("surnmae"), "{err}");
    }
}
