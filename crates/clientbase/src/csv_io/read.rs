//! Reading the table: the header against the mapping, rows into cells.

use super::*;

/// A mapped column of the file.
pub(super) struct Slot {
    pub(super) index: usize,
    pub(super) header: String,
    pub(super) target: ColumnTarget,
}

/// The file's columns as the mapping sees them.
pub(super) struct Layout {
    pub(super) width: usize,
    pub(super) slots: Vec<Slot>,
    pub(super) ignored: Vec<String>,
}

/// A non-blank cell of a mapped column: the column lives as long as the table
/// (`'t`), the text as long as the record buffer (`'r`).
#[derive(Clone, Copy)]
pub(super) struct Cell<'t, 'r> {
    pub(super) header: &'t str,
    pub(super) target: &'t ColumnTarget,
    pub(super) text: &'r str,
}

/// Why a row is rejected, and in which column.
pub(super) struct Rejection {
    pub(super) column: Option<String>,
    pub(super) error: Error,
}

impl Rejection {
    pub(super) fn at(column: &str, error: Error) -> Rejection {
        Rejection {
            column: Some(column.to_string()),
            error,
        }
    }

    pub(super) fn row(error: Error) -> Rejection {
        Rejection {
            column: None,
            error,
        }
    }

    pub(super) fn into_row(self, line: u64) -> RejectedRow {
        RejectedRow {
            line,
            column: self.column,
            field: self.error.field().map(str::to_string),
            kind: self.error.kind(),
            reason: self.error.reason().to_string(),
        }
    }
}

pub(super) enum Row<'t, 'r> {
    Empty,
    Rejected(Rejection),
    Cells(Vec<Cell<'t, 'r>>),
}

/// The input, its delimiter and the header checked against the mapping.
pub(super) struct Table {
    pub(super) data: Vec<u8>,
    pub(super) start: usize,
    pub(super) delimiter: u8,
    pub(super) layout: Layout,
}

pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

pub(super) fn csv_error(err: csv::Error) -> Error {
    match err.into_kind() {
        csv::ErrorKind::Io(io) => Error::from(io),
        other => Error::new(ErrorKind::Csv, format!("{other:?}")),
    }
}

pub(super) fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// The most frequent of `;`, tab and `,` outside quotes in the first line.
pub(super) fn detect_delimiter(data: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let candidates = [b';', b'\t', b','];
    let mut quoted = false;
    for &byte in data {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = candidates.iter().position(|c| *c == byte) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(2);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

/// Checks that `mapping` can fill `records`: its custom fields are declared,
/// its targets are for these records, and deals have their client.
pub(super) fn check_mapping(
    mapping: &ColumnMapping,
    records: Records,
    schema: &Schema,
) -> Result<()> {
    for (header, target) in mapping.columns() {
        if let ColumnTarget::Custom(name) = target {
            if schema.field(name).is_none() {
                return Err(Error::new(
                        ErrorKind::Csv,
                        format!(
                            "column {header:?} maps to {target}, but the schema declares no field {name:?}"
                        ),
                    ));
            }
        }
        if !target.applies_to(records) {
            let other = match records {
                Records::Clients => Records::Deals,
                Records::Deals => Records::Clients,
            };
            return Err(Error::new(
                ErrorKind::Csv,
                format!(
                    "column {header:?} maps to {target}, which is for {}, not {}",
                    other.plural(),
                    records.plural()
                ),
            ));
        }
    }
    if records == Records::Deals && !mapping.columns().any(|(_, t)| *t == ColumnTarget::ClientId) {
        return Err(Error::new(
            ErrorKind::Csv,
            "the mapping has no client_id column: every deal needs its client",
        ));
    }
    Ok(())
}

impl Table {
    pub(super) fn open<R: Read>(
        mut reader: R,
        mapping: &ColumnMapping,
        options: &CsvOptions,
        records: Records,
        schema: &Schema,
    ) -> Result<Table> {
        check_mapping(mapping, records, schema)?;
        let mut data = Vec::new();
        reader.read_to_end(&mut data)?;
        let start = if data.starts_with(BOM) { BOM.len() } else { 0 };
        let delimiter = match options.delimiter {
            Some(d) if delimiter_allowed(d) => d,
            Some(d) => {
                return Err(Error::new(
                    ErrorKind::Csv,
                    format!("{:?} cannot be a delimiter", char::from(d)),
                ))
            }
            None => detect_delimiter(&data[start..]),
        };
        let mut table = Table {
            data,
            start,
            delimiter,
            layout: Layout {
                width: 0,
                slots: Vec::new(),
                ignored: Vec::new(),
            },
        };
        let mut reader = table.reader();
        let mut record = ByteRecord::new();
        if !reader.read_byte_record(&mut record).map_err(csv_error)? {
            return Err(Error::new(
                ErrorKind::Csv,
                "the file is empty: it has no header line",
            ));
        }
        let headers = record
            .iter()
            .enumerate()
            .map(|(i, h)| {
                std::str::from_utf8(h)
                    .map(|h| h.trim().to_string())
                    .map_err(|_| {
                        Error::new(
                            ErrorKind::Csv,
                            format!(
                                "header cell {} is not UTF-8 text; save the file as UTF-8",
                                i + 1
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<String>>>()?;
        table.layout = Layout::new(headers, mapping)?;
        Ok(table)
    }

    pub(super) fn reader(&self) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(&self.data[self.start..])
    }

    /// The line the record starts on: csv counts from where it began looking,
    /// which is before any blank lines it skipped.
    pub(super) fn line_of(&self, record: &ByteRecord) -> u64 {
        let Some(position) = record.position() else {
            return 0;
        };
        let from = self.start + position.byte() as usize;
        let skipped = self.data[from.min(self.data.len())..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .filter(|b| **b == b'\n')
            .count();
        position.line() + skipped as u64
    }

    /// Reads every data row, handing it to `each` with its line.
    pub(super) fn for_each_row<'t>(&'t self, mut each: impl FnMut(u64, Row<'t, '_>)) -> Result<()> {
        let mut reader = self.reader();
        let mut record = ByteRecord::new();
        // The header.
        reader.read_byte_record(&mut record).map_err(csv_error)?;
        while reader.read_byte_record(&mut record).map_err(csv_error)? {
            let line = self.line_of(&record);
            each(line, self.layout.row(&record));
        }
        Ok(())
    }
}

impl Layout {
    /// The layout of rows of cells under `headers` (trimmed, as CSV headers are).
    pub(super) fn for_rows<H>(
        headers: H,
        mapping: &ColumnMapping,
        records: Records,
        schema: &Schema,
    ) -> Result<Layout>
    where
        H: IntoIterator,
        H::Item: AsRef<str>,
    {
        check_mapping(mapping, records, schema)?;
        let headers = headers
            .into_iter()
            .map(|h| h.as_ref().trim().to_string())
            .collect();
        Layout::new(headers, mapping)
    }

    /// Hands every row of cells to `each` with its index (from 0) as its line.
    pub(super) fn for_each_cells_row<'t, R, C, S>(
        &'t self,
        rows: R,
        each: &mut dyn FnMut(u64, Row<'t, '_>),
    ) -> Result<()>
    where
        R: IntoIterator<Item = C>,
        C: IntoIterator<Item = Option<S>>,
        S: AsRef<str>,
    {
        let mut cells: Vec<Option<S>> = Vec::new();
        for (index, row) in rows.into_iter().enumerate() {
            cells.clear();
            cells.extend(row);
            each(index as u64, self.cells_row(&cells));
        }
        Ok(())
    }

    /// A row of cells read as [`Layout::row`] reads a CSV record.
    pub(super) fn cells_row<'t, 'r, S: AsRef<str>>(&'t self, row: &'r [Option<S>]) -> Row<'t, 'r> {
        let text = |i: usize| -> &'r str {
            row.get(i)
                .and_then(Option::as_ref)
                .map_or("", |cell| cell.as_ref())
        };
        self.read_row(row.len(), |i| is_blank(text(i).as_bytes()), |i| Ok(text(i)))
    }

    pub(super) fn new(headers: Vec<String>, mapping: &ColumnMapping) -> Result<Layout> {
        let mut slots = Vec::new();
        let mut missing = Vec::new();
        for (header, target) in mapping.columns() {
            let found: Vec<usize> = headers
                .iter()
                .enumerate()
                .filter(|(_, h)| *h == header)
                .map(|(i, _)| i)
                .collect();
            match found.as_slice() {
                [] => missing.push(header),
                [index] => {
                    if *target != ColumnTarget::Ignore {
                        slots.push(Slot {
                            index: *index,
                            header: header.to_string(),
                            target: target.clone(),
                        });
                    }
                }
                _ => {
                    return Err(Error::new(
                        ErrorKind::Csv,
                        format!("the file has {} columns called {header:?}", found.len()),
                    ))
                }
            }
        }
        if !missing.is_empty() {
            let quoted = |list: &[&str]| {
                list.iter()
                    .map(|h| format!("{h:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let present: Vec<&str> = headers.iter().map(String::as_str).collect();
            return Err(Error::new(
                ErrorKind::Csv,
                format!(
                    "the file has no column {} named in the mapping (its columns are {})",
                    quoted(&missing),
                    quoted(&present)
                ),
            ));
        }
        slots.sort_by_key(|s| s.index);
        let ignored = headers
            .iter()
            .filter(|h| mapping.target(h).is_none())
            .cloned()
            .collect();
        Ok(Layout {
            width: headers.len(),
            slots,
            ignored,
        })
    }

    pub(super) fn row<'t, 'r>(&'t self, record: &'r ByteRecord) -> Row<'t, 'r> {
        self.read_row(record.len(), |i| is_blank(&record[i]), |i| {
            let bytes = &record[i];
            std::str::from_utf8(bytes).map_err(|err| {
                let at = err.valid_up_to();
                let bad: Vec<String> = bytes[at..]
                    .iter()
                    .take(4)
                    .map(|b| format!("{b:02X}"))
                    .collect();
                Error::new(
                    ErrorKind::Csv,
                    format!(
                        "the cell is not UTF-8 text (bytes {} at byte {at}); the file may be in Windows-1251: save it as UTF-8",
                        bad.join(" ")
                    ),
                )
            })
        })
    }

    /// The one way a row is read, from a CSV record or from cells: `len` cells,
    /// whether cell `i` is blank from `blank(i)` and its text from `cell(i)`. A
    /// row of blank cells is empty; a row with fewer cells than the header, or
    /// non-blank cells past it, is rejected.
    pub(super) fn read_row<'t, 'r>(
        &'t self,
        len: usize,
        blank: impl Fn(usize) -> bool,
        cell: impl Fn(usize) -> Result<&'r str>,
    ) -> Row<'t, 'r> {
        if (0..len).all(&blank) {
            return Row::Empty;
        }
        let shape_error =
            |reason: String| Row::Rejected(Rejection::row(Error::new(ErrorKind::Csv, reason)));
        if len < self.width {
            return shape_error(format!(
                "the row has {len} cells, the header has {}",
                self.width
            ));
        }
        if let Some(extra) = (self.width..len).find(|&i| !blank(i)) {
            return shape_error(format!(
                "cell {} is past the last of the {} header columns and is not empty",
                extra + 1,
                self.width
            ));
        }
        let mut cells = Vec::with_capacity(self.slots.len());
        for slot in &self.slots {
            let text = match cell(slot.index) {
                Ok(text) => text,
                Err(error) => return Row::Rejected(Rejection::at(&slot.header, error)),
            };
            if !text.trim().is_empty() {
                cells.push(Cell {
                    header: &slot.header,
                    target: &slot.target,
                    text,
                });
            }
        }
        Row::Cells(cells)
    }
}
