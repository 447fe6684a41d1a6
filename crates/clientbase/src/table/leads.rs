//! Leads to match, read from a table (feature `csv`), and the best candidate of
//! each as a table: [`MatchIndex::find_leads`] lines up rows that could not be
//! read with those that could, so a binding only converts.

use super::import::{cell_text, BadCell};
use super::{Column, Table};
use crate::base::ClientBase;
use crate::client::Client;
use crate::csv_io::CsvOptions;
use crate::dedup::MatchIndex;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::ClientId;
use crate::schema::Schema;
use std::collections::BTreeMap;

/// Why a lead could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadProblem {
    /// The error kind's name (`invalid_value`, `unknown_tag`, ...), or `empty`
    /// for a row whose cells are all blank.
    pub problem: String,
    /// Why.
    pub reason: String,
}

/// A lead read into a client (with id 0, so it is never taken for a client of
/// the base), or why it could not be.
pub type Lead = std::result::Result<Client, LeadProblem>;

/// Reads every row of `table` (columns named by import target, as for
/// [`ClientBase::import_clients_table`]) into a lead, checked against `schema`
/// exactly as an imported row; one lead per row, in order.
pub fn read_leads(table: &Table, bad_cells: &[BadCell], schema: Schema) -> Result<Vec<Lead>> {
    let mut scratch = ClientBase::new(schema);
    let report = scratch.import_clients_table(table, bad_cells, &CsvOptions::default())?;
    let rejected: BTreeMap<u64, &crate::csv_io::RejectedRow> =
        report.rejected.iter().map(|r| (r.line, r)).collect();
    // The first cell set aside in each row, to explain a row left empty by it.
    let mut set_aside: BTreeMap<u64, &crate::csv_io::RejectedRow> = BTreeMap::new();
    for cell in &report.set_aside {
        set_aside.entry(cell.line).or_insert(cell);
    }
    // Imported ids rise with the rows, and the scratch base lists clients in id order.
    let mut clients = scratch.clients();
    let names = table.column_names();
    let bad: std::collections::HashSet<(usize, &str)> = bad_cells
        .iter()
        .map(|b| (b.row, b.column.as_str()))
        .collect();
    let blank = |row: usize| {
        table.columns().iter().zip(&names).all(|(column, name)| {
            bad.contains(&(row, *name))
                || cell_text(column.value(row))
                    .is_none_or(|c| c.bytes().all(|b| b.is_ascii_whitespace()))
        })
    };
    let problem = |row: &crate::csv_io::RejectedRow| {
        let reason = match &row.column {
            Some(column) => format!("column {column:?}: {}", row.reason),
            None => row.reason.clone(),
        };
        LeadProblem {
            problem: row.kind.name().to_string(),
            reason,
        }
    };
    let mismatch = || {
        Error::new(
            ErrorKind::InvalidValue,
            "the leads read do not line up with the rows given",
        )
        .with_field("leads")
    };
    let mut leads = Vec::with_capacity(table.rows());
    for row in 0..table.rows() {
        let lead = if let Some(rejected) = rejected.get(&(row as u64)) {
            Err(problem(rejected))
        } else if blank(row) {
            Err(match set_aside.get(&(row as u64)) {
                Some(cell) => problem(cell),
                None => LeadProblem {
                    problem: "empty".into(),
                    reason: "every cell of the row is empty".into(),
                },
            })
        } else {
            let mut client = clients.next().ok_or_else(mismatch)?.clone();
            client.id = ClientId::default();
            Ok(client)
        };
        leads.push(lead);
    }
    if clients.next().is_some() {
        return Err(mismatch());
    }
    Ok(leads)
}

impl MatchIndex {
    /// The best candidate of every lead, on all cores with the `parallel`
    /// feature, as a table with one row per lead: `client` (the best candidate's
    /// id, null when none), `probability`, `verdict` (`distinct` when nothing
    /// matches; null for a lead that could not be read), and `problem` and
    /// `reason` for such a lead (null otherwise).
    pub fn find_leads(&self, leads: &[Lead]) -> Result<Table> {
        let clients: Vec<Client> = leads
            .iter()
            .filter_map(|l| l.as_ref().ok().cloned())
            .collect();
        let mut found = self.find_many(&clients, 1).into_iter();
        let best: Vec<Option<_>> = leads
            .iter()
            .map(|lead| match lead {
                Ok(_) => found
                    .next()
                    .and_then(|mut c| (!c.is_empty()).then(|| c.swap_remove(0))),
                Err(_) => None,
            })
            .collect();
        let problem = |i: usize| leads[i].as_ref().err();
        let rows = 0..leads.len();
        Table::new(vec![
            Column::from_uint64s(
                "client",
                best.iter().map(|b| b.as_ref().map(|c| c.client.get())),
            ),
            Column::from_float64s(
                "probability",
                best.iter().map(|b| b.as_ref().map(|c| c.probability)),
            ),
            Column::from_texts(
                "verdict",
                rows.clone().map(|i| match (&leads[i], &best[i]) {
                    (Err(_), _) => None,
                    (Ok(_), Some(c)) => Some(c.verdict.name()),
                    (Ok(_), None) => Some("distinct"),
                }),
            ),
            Column::from_texts(
                "problem",
                rows.clone().map(|i| problem(i).map(|p| p.problem.as_str())),
            ),
            Column::from_texts(
                "reason",
                rows.map(|i| problem(i).map(|p| p.reason.as_str())),
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Value;

    #[test]
    fn leads_line_up_with_rejected_and_empty_rows() {
        let mut base = ClientBase::default();
        base.add_client(Client::person("Иванова", "Анна", None).with_phone("+7 916 123-45-67"))
            .unwrap();
        let index = MatchIndex::build(&base, Default::default()).unwrap();
        let table = Table::new(vec![
            Column::from_texts(
                "surname",
                [Some("Иванова"), None, Some("Петров"), Some("Сидоров")],
            ),
            Column::from_texts("given_name", [Some("Анна"), Some(" "), Some("Пётр"), None]),
            Column::from_texts("phone", [Some("8 916 123 45 67"), None, None, None]),
            Column::from_texts("tags", [None, None, Some("нет-такого"), None]),
        ])
        .unwrap();
        let bad = [BadCell {
            row: 3,
            column: "surname".into(),
            reason: "expected text, got bytes".into(),
        }];
        let leads = read_leads(&table, &bad, base.schema().clone()).unwrap();
        assert_eq!(leads.len(), 4);
        assert!(leads[0].is_ok());
        assert_eq!(leads[1].as_ref().unwrap_err().problem, "empty");
        // An unknown tag is set aside and the lead kept; a row whose only cell
        // could not be read is a problem named by that cell.
        assert!(leads[2].as_ref().unwrap().tags.is_empty());
        assert!(leads[3].as_ref().unwrap_err().reason.contains("bytes"));
        let found = index.find_leads(&leads).unwrap();
        assert_eq!(found.column("client").unwrap().value(0), Value::UInt64(1));
        assert_eq!(
            found.column("verdict").unwrap().value(0),
            Value::Text("duplicate")
        );
        assert_eq!(found.column("verdict").unwrap().value(1), Value::Null);
        assert_eq!(
            found.column("problem").unwrap().value(1),
            Value::Text("empty")
        );
        assert_eq!(found.column("client").unwrap().value(2), Value::Null);
    }
}
