//! Columns in, columns out: the plumbing shared by the batch calls
//! (`PhoneNormalizer.parse_batch`, `EmailNormalizer.parse_batch`, `parse_names`).
//!
//! Turning a million Python strings into Rust text and a million results back
//! into Python values costs a good part of what parsing them does, and only the
//! thread holding the GIL can do it. So a column is read in chunks, and while
//! this thread reads the next chunk and turns the previous chunk's output into
//! Python lists, a worker thread runs the core's batch call on the current chunk
//! (on all cores where the core's call is parallel) and a second one lays the
//! results of the chunk before out as plain Rust columns. A `str` is read without copying (its UTF-8, which the
//! limited API gives from Python 3.10 on), Python strings are made in bulk at C
//! speed (a chunk's texts joined, then `str.split`), and values that repeat down
//! a column (kinds, regions, reasons) are made once.

use crate::convert::type_name;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::ops::Range;
use std::sync::{mpsc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Rows per chunk: enough for the core's parallel batch to keep every core busy,
/// few enough that a large column makes many chunks to overlap. The first
/// chunks are smaller, so that the worker starts early.
const CHUNK_ROWS: usize = 1 << 16;
const FIRST_CHUNK_ROWS: usize = 1 << 12;
/// How many chunks this thread may read ahead of the worker.
const AHEAD: usize = 3;

/// Where the time of a batch call went, in seconds of wall-clock time per stage:
/// on the thread that holds the GIL, `read` (Python values to text), `write`
/// (results to Python lists) and `wait` (for the workers); on the workers, `parse`
/// (the core's batch call) and `shape` (laying results out as Rust columns),
/// which overlap.
#[derive(Clone, Copy, Default)]
pub(crate) struct Stages {
    pub(crate) read: Duration,
    pub(crate) write: Duration,
    pub(crate) wait: Duration,
    pub(crate) parse: Duration,
    pub(crate) shape: Duration,
    pub(crate) total: Duration,
}

/// The stages of the last batch call in this process, for
/// `benches/python/phones_batch.py` (feature `bench-hooks`).
#[cfg(feature = "bench-hooks")]
pub(crate) static LAST_STAGES: Mutex<Stages> = Mutex::new(Stages {
    read: Duration::ZERO,
    write: Duration::ZERO,
    wait: Duration::ZERO,
    parse: Duration::ZERO,
    shape: Duration::ZERO,
    total: Duration::ZERO,
});

/// Keeps a call's stages for `_last_batch_stages` (feature `bench-hooks`).
fn record(stages: Stages) {
    #[cfg(feature = "bench-hooks")]
    {
        *LAST_STAGES.lock().unwrap_or_else(PoisonError::into_inner) = stages;
    }
    #[cfg(not(feature = "bench-hooks"))]
    let _ = stages;
}

/// Runs `f` and adds the time it took to `total`.
fn timed<T>(total: &mut Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    *total += start.elapsed();
    out
}

/// How an output column is made.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Texts that rarely repeat (E.164 numbers, addresses, keys), or `None`.
    Text,
    /// Texts that repeat (kinds, regions, problems, reasons, domains), or `None`.
    Shared,
    /// `True` or `False`.
    Flag,
}

/// Reads a column and runs a core batch call over it, returning the columns
/// `{"input": [...], <name>: [...], ...}` with one value per input row.
///
/// `values` is a list, a tuple, a pandas or polars Series, a NumPy array or any
/// other iterable (a lone `str` is refused: it is one value, not a column); the
/// `input` column is a new list of the values given. Each value becomes text or
/// a row problem (see [`cell`]); `check` sees every row problem first, on this
/// thread, and may refuse the call. `parse` is the core call (a row without
/// text is given the empty text), and `shape` lays each chunk's results out in
/// `columns` through [`Rows`]; they run on the workers.
pub(crate) fn run<'py, R: Send>(
    values: &Bound<'py, PyAny>,
    numbers: bool,
    columns: &[(&str, Kind)],
    mut check: impl FnMut(usize, &'static str, &str) -> PyResult<()>,
    parse: impl Fn(&[&str]) -> Vec<R> + Sync,
    shape: impl Fn(&mut Rows<'_>, &[R]) + Sync,
) -> PyResult<Bound<'py, PyDict>> {
    let py = values.py();
    let started = Instant::now();
    let mut stages = Stages::default();
    let input = timed(&mut stages.read, || column(values))?;
    let mut out: Vec<Column<'py>> = columns
        .iter()
        .map(|_| Column::new(py, input.len()))
        .collect();
    let kinds: Vec<Kind> = columns.iter().map(|(_, kind)| *kind).collect();
    let parse_chunk = |chunk: &Chunk| -> Parsed<R> {
        let start = Instant::now();
        let results = parse(&chunk.texts());
        Parsed {
            results,
            time: start.elapsed(),
        }
    };
    let shape_chunk = |chunk: &Chunk, parsed: Parsed<R>| -> Shaped {
        let start = Instant::now();
        let mut rows = Rows {
            chunk,
            shaped: Shaped::new(&kinds, chunk.range.len()),
        };
        shape(&mut rows, &parsed.results);
        drop(parsed.results);
        let mut shaped = rows.shaped;
        shaped.parse = parsed.time;
        shaped.shape = start.elapsed();
        shaped
    };
    let mut read_time = Duration::ZERO;
    let mut read = |range: Range<usize>| -> PyResult<Chunk> {
        timed(&mut read_time, || read_chunk(&input, range, numbers))
    };
    let mut write_time = Duration::ZERO;
    let mut worker_time = (Duration::ZERO, Duration::ZERO);
    let mut write = |chunk: Chunk, shaped: Shaped| -> PyResult<()> {
        worker_time.0 += shaped.parse;
        worker_time.1 += shaped.shape;
        timed(&mut write_time, || {
            for (row, problem, reason) in &chunk.problems {
                check(chunk.range.start + row, problem, reason)?;
            }
            for (column, part) in out.iter_mut().zip(shaped.parts) {
                column.append(py, part)?;
            }
            Ok::<(), PyErr>(())
        })
    };
    let ranges = chunk_ranges(input.len());
    if ranges.len() <= 1 {
        let chunk = read(0..input.len())?;
        let shaped = timed(&mut stages.wait, || {
            py.detach(|| shape_chunk(&chunk, parse_chunk(&chunk)))
        });
        write(chunk, shaped)?;
    } else {
        let work = (&parse_chunk, &shape_chunk);
        stages.wait = pipeline(py, ranges, &mut read, work, &mut write)?;
    }
    let dict = PyDict::new(py);
    dict.set_item("input", input)?;
    for ((name, _), column) in columns.iter().zip(out) {
        dict.set_item(*name, column.into_list(py))?;
    }
    stages.read += read_time;
    stages.write = write_time;
    (stages.parse, stages.shape) = worker_time;
    stages.total = started.elapsed();
    record(stages);
    Ok(dict)
}

fn chunk_ranges(rows: usize) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut size = FIRST_CHUNK_ROWS;
    let mut start = 0;
    while start < rows {
        let end = (start + size).min(rows);
        ranges.push(start..end);
        start = end;
        size = (size * 2).min(CHUNK_ROWS);
    }
    ranges
}

/// A chunk's results from the core, and how long the call took.
struct Parsed<R> {
    results: Vec<R>,
    time: Duration,
}

/// Reads chunk after chunk on this thread while one worker runs the core's call
/// (`work.0`) on the chunk before and another lays out (`work.1`) the results
/// of the one before that, so that the core's call never waits for the layout;
/// writes out each chunk's output in order. Returns the time this thread waited
/// for the workers.
fn pipeline<R: Send>(
    py: Python<'_>,
    ranges: Vec<Range<usize>>,
    read: &mut impl FnMut(Range<usize>) -> PyResult<Chunk>,
    work: (
        &(impl Fn(&Chunk) -> Parsed<R> + Sync),
        &(impl Fn(&Chunk, Parsed<R>) -> Shaped + Sync),
    ),
    write: &mut impl FnMut(Chunk, Shaped) -> PyResult<()>,
) -> PyResult<Duration> {
    let mut waited = Duration::ZERO;
    let (parse_chunk, shape_chunk) = work;
    std::thread::scope(|scope| {
        let (to_worker, inbox) = mpsc::sync_channel::<Chunk>(AHEAD);
        let (to_layout, parsed) = mpsc::sync_channel::<(Chunk, Parsed<R>)>(1);
        let (to_main, done) = mpsc::sync_channel::<(Chunk, Shaped)>(AHEAD);
        scope.spawn(move || {
            for chunk in inbox {
                let results = parse_chunk(&chunk);
                if to_layout.send((chunk, results)).is_err() {
                    break;
                }
            }
        });
        scope.spawn(move || {
            for (chunk, results) in parsed {
                let shaped = shape_chunk(&chunk, results);
                if to_main.send((chunk, shaped)).is_err() {
                    break;
                }
            }
        });
        // Waiting for the workers releases the GIL (the receiver is behind a
        // mutex, as a reference to a bare receiver cannot cross threads).
        let done = Mutex::new(done);
        let mut receive = |wait: bool| -> PyResult<Option<(Chunk, Shaped)>> {
            let done = || done.lock().unwrap_or_else(PoisonError::into_inner);
            if wait {
                let received = timed(&mut waited, || py.detach(|| done().recv()));
                received.map(Some).map_err(|_| worker_gone())
            } else {
                match done().try_recv() {
                    Ok(output) => Ok(Some(output)),
                    Err(mpsc::TryRecvError::Empty) => Ok(None),
                    Err(mpsc::TryRecvError::Disconnected) => Err(worker_gone()),
                }
            }
        };
        let mut pending = 0;
        for range in ranges {
            let chunk = read(range)?;
            py.detach(|| to_worker.send(chunk))
                .map_err(|_| worker_gone())?;
            pending += 1;
            // Write what is ready; wait only when far enough ahead.
            // The chunks hold Python strings: they are dropped here, with the GIL.
            while let Some((chunk, shaped)) = receive(pending > AHEAD)? {
                write(chunk, shaped)?;
                pending -= 1;
            }
        }
        drop(to_worker);
        for _ in 0..pending {
            if let Some((chunk, shaped)) = receive(true)? {
                write(chunk, shaped)?;
            }
        }
        Ok::<(), PyErr>(())
    })?;
    Ok(waited)
}

fn worker_gone() -> PyErr {
    PyRuntimeError::new_err("the batch worker thread stopped")
}

// ---- columns in ----------------------------------------------------------------

/// The values of a column as a new list (so the caller's own list is never shared).
fn column<'py>(values: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    let py = values.py();
    if values.is_instance_of::<PyString>() || values.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "expected a column of values (a list, tuple or Series), got a single string",
        ));
    }
    let list = if values.is_instance_of::<PyList>() || values.is_instance_of::<PyTuple>() {
        py.get_type::<PyList>().call1((values,))?
    } else if values.hasattr("to_list")? {
        // pandas and polars Series: one call instead of iterating the Series.
        values.call_method0("to_list")?
    } else if values.hasattr("tolist")? {
        values.call_method0("tolist")?
    } else if values.hasattr("columns")? || values.hasattr("keys")? {
        // A table or a mapping would be iterated by its column names or keys.
        return Err(PyTypeError::new_err(format!(
            "expected one column of values (a list, tuple or Series), got a {}; \
             pass one column, such as df[\"phone\"]",
            type_name(values)
        )));
    } else if values.hasattr("__iter__")? {
        py.get_type::<PyList>().call1((values,))?
    } else {
        return Err(PyTypeError::new_err(format!(
            "expected a column of values (a list, tuple or Series), got {}",
            type_name(values)
        )));
    };
    list.cast_into::<PyList>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{}.to_list() did not return a list",
            type_name(values)
        ))
    })
}

/// The text of a chunk of a column, ready to go to the worker.
struct Chunk {
    /// The rows of the column the chunk holds.
    range: Range<usize>,
    /// The chunk's values, in a list of its own that keeps every `str` alive
    /// (and so the UTF-8 borrowed from it) until the chunk is dropped, with the
    /// GIL, after its output is written.
    _values: Py<PyList>,
    /// Each row's text.
    texts: Vec<Text>,
    /// The text of values that are not `str` (ints read as digits).
    owned: Vec<String>,
    /// The rows (in the chunk) without text to read, in order, with the problem
    /// (`missing`, `not_text`) and the reason.
    problems: Vec<(usize, &'static str, String)>,
}

enum Text {
    /// The UTF-8 of a `str` in the chunk's values.
    Borrowed(&'static str),
    /// A text in `owned`.
    Owned(usize),
    /// No text: the row has a problem.
    None,
}

impl Chunk {
    /// The text of every row (empty for a row without text).
    fn texts(&self) -> Vec<&str> {
        self.texts
            .iter()
            .map(|text| match text {
                Text::Borrowed(text) => text,
                Text::Owned(i) => self.owned[*i].as_str(),
                Text::None => "",
            })
            .collect()
    }
}

/// Reads `rows` of `list`. A `str` is not copied: its UTF-8 (which CPython
/// keeps with the object, and which is the object's own data for ASCII text)
/// is borrowed for as long as the chunk lives.
fn read_chunk(list: &Bound<'_, PyList>, rows: Range<usize>, numbers: bool) -> PyResult<Chunk> {
    let slice = list.get_slice(rows.start, rows.end);
    let mut texts = Vec::with_capacity(slice.len());
    let mut owned = Vec::new();
    let mut problems = Vec::new();
    for (row, value) in slice.iter().enumerate() {
        if let Ok(text) = value.cast::<PyString>() {
            match text.to_str() {
                Ok(text) => {
                    // SAFETY: the UTF-8 of a `str` lives as long as the object, and
                    // `slice` (moved into the chunk, so never changed) holds a
                    // reference to it until the chunk is dropped; `texts` is private
                    // to the chunk and lent out only as borrows of the chunk.
                    let text: &'static str = unsafe { &*std::ptr::from_ref::<str>(text) };
                    texts.push(Text::Borrowed(text));
                }
                Err(_) => {
                    problems.push((row, "not_text", LONE_SURROGATE.to_string()));
                    texts.push(Text::None);
                }
            }
            continue;
        }
        match cell(&value, numbers)? {
            Ok(text) => {
                texts.push(Text::Owned(owned.len()));
                owned.push(text);
            }
            Err((problem, reason)) => {
                problems.push((row, problem, reason));
                texts.push(Text::None);
            }
        }
    }
    Ok(Chunk {
        range: rows,
        _values: slice.unbind(),
        texts,
        owned,
        problems,
    })
}

const LONE_SURROGATE: &str = "the str cannot be read as Unicode text (a lone surrogate)";

/// A value that is not a `str` as text, or the row's problem. `None`, NaN and pandas' `NA`/`NaT`
/// are missing values. With `numbers`, an `int` (and a float holding a whole
/// number, as pandas stores integers with gaps) is read as its digits: phone
/// numbers often arrive as numbers.
fn cell(
    value: &Bound<'_, PyAny>,
    numbers: bool,
) -> PyResult<Result<String, (&'static str, String)>> {
    let missing = |what: &str| Err(("missing", format!("missing value ({what})")));
    let not_text = |what: &str| Err(("not_text", format!("expected str, got {what}")));
    if value.is_none() {
        return Ok(missing("None"));
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        let number = float.value();
        return Ok(if number.is_nan() {
            missing("NaN")
        } else if numbers && number.fract() == 0.0 && number.abs() < 1e18 {
            Ok(format!("{number:.0}"))
        } else {
            not_text("float")
        });
    }
    if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        return Ok(if numbers {
            Ok(value.str()?.to_cow()?.into_owned())
        } else {
            not_text("int")
        });
    }
    Ok(match type_name(value).as_str() {
        "NAType" => missing("NA"),
        "NaTType" => missing("NaT"),
        other => not_text(other),
    })
}

// ---- columns out, laid out by the worker ----------------------------------------------

/// A chunk's output, one part per column, in plain Rust.
struct Shaped {
    parts: Vec<Part>,
    /// How long the core's call and laying out its results took.
    parse: Duration,
    shape: Duration,
}

enum Part {
    /// The rows' texts separated by NUL (empty for `None`), where each ends,
    /// and the rows that are `None`.
    Text {
        text: String,
        ends: Vec<usize>,
        nones: Vec<usize>,
    },
    /// The distinct texts, and per row its index among them plus one (0 for `None`).
    Shared {
        texts: Vec<String>,
        rows: Vec<u32>,
    },
    Flag(Vec<bool>),
}

impl Shaped {
    fn new(kinds: &[Kind], rows: usize) -> Shaped {
        let parts = kinds
            .iter()
            .map(|kind| match kind {
                Kind::Text => Part::Text {
                    text: String::new(),
                    ends: Vec::with_capacity(rows),
                    nones: Vec::new(),
                },
                Kind::Shared => Part::Shared {
                    texts: Vec::new(),
                    rows: Vec::with_capacity(rows),
                },
                Kind::Flag => Part::Flag(Vec::with_capacity(rows)),
            })
            .collect();
        Shaped {
            parts,
            parse: Duration::ZERO,
            shape: Duration::ZERO,
        }
    }
}

/// The rows of a chunk being laid out: each row's own problem, and the values
/// of each output column (by its index in `columns`), pushed row by row.
pub(crate) struct Rows<'a> {
    chunk: &'a Chunk,
    shaped: Shaped,
}

impl<'a> Rows<'a> {
    /// The problem and reason of `row` (in the chunk) when the value had no
    /// text to read: its result from the core is to be replaced.
    pub(crate) fn problem(&self, row: usize) -> Option<(&'static str, &'a str)> {
        let problems = &self.chunk.problems;
        if problems.is_empty() {
            return None;
        }
        let i = problems
            .binary_search_by_key(&row, |(row, _, _)| *row)
            .ok()?;
        let (_, problem, reason) = &problems[i];
        Some((problem, reason))
    }

    /// Appends a text (or `None`) to a `Kind::Text` or `Kind::Shared` column.
    pub(crate) fn text(&mut self, column: usize, value: Option<&str>) {
        match &mut self.shaped.parts[column] {
            Part::Text { text, ends, nones } => {
                if !ends.is_empty() {
                    text.push('\0');
                }
                match value {
                    Some(value) => text.push_str(value),
                    None => nones.push(ends.len()),
                }
                ends.push(text.len());
            }
            Part::Shared { texts, rows } => {
                let index = match value {
                    None => 0,
                    // Few distinct values, often the one of the row before.
                    Some(value) => match rows.last() {
                        Some(&last) if last > 0 && texts[last as usize - 1] == value => last,
                        _ => match texts.iter().position(|t| t == value) {
                            Some(i) => i as u32 + 1,
                            None => {
                                texts.push(value.to_string());
                                texts.len() as u32
                            }
                        },
                    },
                };
                rows.push(index);
            }
            Part::Flag(_) => unreachable!("a text pushed to a flag column"),
        }
    }

    /// Appends `True` or `False` to a `Kind::Flag` column.
    pub(crate) fn flag(&mut self, column: usize, value: bool) {
        match &mut self.shaped.parts[column] {
            Part::Flag(rows) => rows.push(value),
            _ => unreachable!("a flag pushed to a text column"),
        }
    }
}

// ---- columns out, made into Python lists ------------------------------------------------

/// An output column being made: a list as long as the input, made when the
/// first chunk's output arrives (while the worker parses the next ones) and
/// filled in chunk by chunk, so that nothing is left to do at the end.
struct Column<'py> {
    rows: usize,
    list: Option<Bound<'py, PyList>>,
    filled: usize,
    /// `None`, `False`, `True`, then the strings made so far for `Kind::Shared`.
    made: Vec<(Option<String>, Bound<'py, PyAny>)>,
    /// For `Kind::Shared` and `Kind::Flag`: the value (in `made`) the list was
    /// made of, the most common one of the first chunk; only other rows are set.
    common: usize,
}

impl<'py> Column<'py> {
    fn new(py: Python<'py>, rows: usize) -> Column<'py> {
        let flag = |value: bool| PyBool::new(py, value).to_owned().into_any();
        Column {
            rows,
            list: None,
            filled: 0,
            made: vec![
                (None, py.None().into_bound(py)),
                (None, flag(false)),
                (None, flag(true)),
            ],
            common: 0,
        }
    }

    fn append(&mut self, py: Python<'py>, part: Part) -> PyResult<()> {
        let start = self.filled;
        match part {
            Part::Text { text, ends, nones } => {
                let chunk = text_list(py, &text, &ends, &nones)?;
                self.filled += chunk.len();
                match &self.list {
                    None if chunk.len() == self.rows => self.list = Some(chunk),
                    None => {
                        let list = repeated(&self.made[0].1, self.rows)?;
                        list.set_slice(start, self.filled, &chunk)?;
                        self.list = Some(list);
                    }
                    Some(list) => list.set_slice(start, self.filled, &chunk)?,
                }
            }
            Part::Shared { texts, rows } => {
                // The chunk's indices (0 for `None`, then its texts) into `made`.
                let mut global = vec![0u32];
                for text in texts {
                    let made = &mut self.made;
                    let index = match made.iter().position(|(t, _)| t.as_deref() == Some(&text)) {
                        Some(index) => index,
                        None => {
                            let value = PyString::new(py, &text).into_any();
                            made.push((Some(text), value));
                            made.len() - 1
                        }
                    };
                    global.push(index as u32);
                }
                let rows: Vec<u32> = rows.iter().map(|&i| global[i as usize]).collect();
                self.set_rows(start, &rows)?;
            }
            Part::Flag(flags) => {
                let rows: Vec<u32> = flags.iter().map(|&flag| 1 + u32::from(flag)).collect();
                self.set_rows(start, &rows)?;
            }
        }
        Ok(())
    }

    /// Sets the rows from `start` on to `made[rows[i]]`.
    fn set_rows(&mut self, start: usize, rows: &[u32]) -> PyResult<()> {
        self.filled += rows.len();
        if self.list.is_none() {
            let mut counts = vec![0usize; self.made.len()];
            for &index in rows {
                counts[index as usize] += 1;
            }
            self.common = (0..counts.len()).max_by_key(|&i| counts[i]).unwrap_or(0);
            self.list = Some(repeated(&self.made[self.common].1, self.rows)?);
        }
        if let Some(list) = &self.list {
            for (row, &index) in rows.iter().enumerate() {
                if index as usize != self.common {
                    list.set_item(start + row, &self.made[index as usize].1)?;
                }
            }
        }
        Ok(())
    }

    fn into_list(self, py: Python<'py>) -> Bound<'py, PyList> {
        self.list.unwrap_or_else(|| PyList::empty(py))
    }
}

/// `[value] * rows`, made by Python at C speed.
fn repeated<'py>(value: &Bound<'py, PyAny>, rows: usize) -> PyResult<Bound<'py, PyList>> {
    Ok(PyList::new(value.py(), [value])?
        .call_method1("__mul__", (rows,))?
        .cast_into::<PyList>()?)
}

/// The list of a chunk's texts: one `str.split` when most rows have text, else
/// `None` repeated and the texts set one by one.
fn text_list<'py>(
    py: Python<'py>,
    text: &str,
    ends: &[usize],
    nones: &[usize],
) -> PyResult<Bound<'py, PyList>> {
    let rows = ends.len();
    let each = || {
        let mut start = 0;
        ends.iter().map(move |&end| {
            let row = &text[start..end];
            start = end + 1;
            row
        })
    };
    if nones.len() * 2 > rows {
        let list = repeated(&py.None().into_bound(py), rows)?;
        let mut nones = nones.iter().peekable();
        for (row, value) in each().enumerate() {
            if nones.next_if_eq(&&row).is_none() {
                list.set_item(row, PyString::new(py, value))?;
            }
        }
        return Ok(list);
    }
    let split = PyString::new(py, text)
        .call_method1("split", ("\0",))?
        .cast_into::<PyList>()?;
    // A text holding NUL itself splits in two: then one string at a time.
    let list = if split.len() == rows {
        split
    } else {
        PyList::new(py, each().map(|row| PyString::new(py, row)))?
    };
    for &row in nones {
        list.set_item(row, py.None())?;
    }
    Ok(list)
}
