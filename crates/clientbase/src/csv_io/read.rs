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

/// A data row as read: blank, rejected whole, or its non-blank mapped cells
/// with the problems of cells set aside (read, but not usable: not UTF-8, past
/// the header, the rest of a line whose quote never closes).
pub(super) enum Row<'t, 'r> {
    Empty,
    Cells(Vec<Cell<'t, 'r>>, Vec<Rejection>),
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
pub(crate) fn detect_delimiter(data: &[u8]) -> u8 {
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
        let mut reader = table.reader_at(table.start);
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

    /// Reads every data row, handing it to `each` with its line.
    ///
    /// A quote that opens a cell and never closes would make the rest of the
    /// file one cell, and every row after it would be lost. So a record that
    /// spans lines and either leaves a quote open or has the wrong number of
    /// cells is read again as its first line alone, without quoting (a stray
    /// quote at either end of a cell is dropped), with a note on the row, and
    /// reading goes on at the next line.
    pub(super) fn for_each_row<'t>(&'t self, mut each: impl FnMut(u64, Row<'t, '_>)) -> Result<()> {
        let mut offset = self.start;
        let mut first_line = 1u64;
        let mut header = true;
        let mut record = ByteRecord::new();
        'restart: loop {
            let mut reader = self.reader_at(offset);
            loop {
                if !reader.read_byte_record(&mut record).map_err(csv_error)? {
                    return Ok(());
                }
                // csv counts lines from where it began looking, which is
                // before any blank lines it skipped.
                let looked = offset + record.position().map_or(0, |p| p.byte() as usize);
                let end = offset + reader.position().byte() as usize;
                let skipped = &self.data[looked.min(end)..end];
                let skipped = &skipped[..skipped
                    .iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count()];
                let begin = looked + skipped.len();
                let line = first_line - 1
                    + record.position().map_or(0, |p| {
                        p.line() + skipped.iter().filter(|b| **b == b'\n').count() as u64
                    });
                if header {
                    header = false;
                    continue;
                }
                let span = trim_line_end(&self.data[begin.min(end)..end]);
                let unclosed = || span.iter().filter(|b| **b == b'"').count() % 2 == 1;
                if span.contains(&b'\n') && (unclosed() || !self.layout.fits(&record)) {
                    let line_end =
                        begin + span.iter().position(|b| *b == b'\n').unwrap_or(span.len());
                    let first = trim_line_end(&self.data[begin..line_end]);
                    let unquoted = self.unquoted_record(first)?;
                    let note = Rejection::row(Error::new(
                        ErrorKind::Csv,
                        "a quote opens a cell and never closes; the line was read without quotes and the next line starts a new row",
                    ));
                    each(line, self.layout.row(&unquoted).with_note(note));
                    offset = (line_end + 1).min(self.data.len());
                    first_line = line + 1;
                    continue 'restart;
                }
                each(line, self.layout.row(&record));
            }
        }
    }

    /// A reader from byte `offset` of the data.
    fn reader_at(&self, offset: usize) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(&self.data[offset..])
    }

    /// One line read as cells with quotes taken literally, a stray quote at
    /// either end of a cell dropped.
    fn unquoted_record(&self, line: &[u8]) -> Result<ByteRecord> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .quoting(false)
            .from_reader(line);
        let mut raw = ByteRecord::new();
        reader.read_byte_record(&mut raw).map_err(csv_error)?;
        Ok(raw
            .iter()
            .map(|cell| {
                let cell = cell.strip_prefix(b"\"").unwrap_or(cell);
                cell.strip_suffix(b"\"").unwrap_or(cell)
            })
            .collect())
    }
}

/// The bytes without the line ending at their end.
fn trim_line_end(bytes: &[u8]) -> &[u8] {
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    &bytes[..end]
}

impl<'t, 'r> Row<'t, 'r> {
    /// The row with one more note, first.
    fn with_note(self, note: Rejection) -> Row<'t, 'r> {
        match self {
            Row::Cells(cells, mut notes) => {
                notes.insert(0, note);
                Row::Cells(cells, notes)
            }
            Row::Empty => Row::Cells(Vec::new(), vec![note]),
        }
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

    /// Whether a record has the header's shape: no fewer cells, and none
    /// past the last header column that is not blank.
    pub(super) fn fits(&self, record: &ByteRecord) -> bool {
        record.len() >= self.width && (self.width..record.len()).all(|i| is_blank(&record[i]))
    }

    /// The one way a row is read, from a CSV record or from cells: `len` cells,
    /// whether cell `i` is blank from `blank(i)` and its text from `cell(i)`. A
    /// row of blank cells is empty. Missing cells at the end of a short row are
    /// blank, and non-blank cells past the header, like a cell that cannot be
    /// read, are set aside with a note: the row keeps every cell it can use.
    pub(super) fn read_row<'t, 'r>(
        &'t self,
        len: usize,
        blank: impl Fn(usize) -> bool,
        cell: impl Fn(usize) -> Result<&'r str>,
    ) -> Row<'t, 'r> {
        if (0..len).all(&blank) {
            return Row::Empty;
        }
        let mut notes = Vec::new();
        let shape = |reason: String| Rejection::row(Error::new(ErrorKind::Csv, reason));
        if len < self.width {
            notes.push(shape(format!(
                "the row has {len} cells, the header has {}; the missing cells are read as empty",
                self.width
            )));
        }
        let extra: Vec<String> = (self.width..len)
            .filter(|&i| !blank(i))
            .map(|i| (i + 1).to_string())
            .collect();
        if !extra.is_empty() {
            notes.push(shape(format!(
                "cell {} past the last of the {} header columns is not empty and was set aside",
                extra.join(", "),
                self.width
            )));
        }
        let mut cells = Vec::with_capacity(self.slots.len());
        for slot in self.slots.iter().filter(|s| s.index < len) {
            let text = match cell(slot.index) {
                Ok(text) => text,
                Err(error) => {
                    notes.push(Rejection::at(&slot.header, error));
                    continue;
                }
            };
            if !text.trim().is_empty() {
                cells.push(Cell {
                    header: &slot.header,
                    target: &slot.target,
                    text,
                });
            }
        }
        Row::Cells(cells, notes)
    }
}
