//! Reading and writing files with clear errors, progress bars, number formatting.

use crate::{CliError, CliResult};
use clientbase::generator::{generate_with_progress, Generated, GeneratorConfig, Progress, Stage};
use clientbase::{ClientBase, Money, OpenOptions};
use indicatif::{ProgressBar, ProgressFinish, ProgressStyle};
use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::Path;
use std::sync::Mutex;

/// Opens a file for reading; a missing or unreadable file is an input error.
pub(crate) fn open(path: &Path, what: &str) -> CliResult<File> {
    File::open(path)
        .map_err(|e| CliError::input(format!("cannot read {what} {}: {e}", path.display())))
}

/// Creates a file for writing.
pub(crate) fn create(path: &Path) -> CliResult<BufWriter<File>> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))
}

/// The first bytes of every SQLite file, so of every base file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Whether `path` is a base file (SQLite) rather than JSON: by its first bytes
/// when it exists, else by its extension (`.cb`, `.db`, `.sqlite`).
pub(crate) fn is_base_file(path: &Path) -> bool {
    let mut head = [0u8; 16];
    match File::open(path).and_then(|mut f| f.read_exact(&mut head)) {
        Ok(()) => &head == SQLITE_MAGIC,
        Err(_) if path.exists() => false,
        Err(_) => matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("cb" | "db" | "sqlite")
        ),
    }
}

/// Reads a base: a base file (opened read-only) or JSON written by
/// `ClientBase::write_json`.
pub(crate) fn read_base(path: &Path) -> CliResult<ClientBase> {
    if is_base_file(path) {
        let options = OpenOptions {
            read_only: true,
            ..OpenOptions::default()
        };
        return ClientBase::open_with(path, &options).map_err(|e| CliError::input(e.to_string()));
    }
    let file = open(path, "the base")?;
    ClientBase::read_json(BufReader::new(file))
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))
}

/// Opens a base to change it: a base file takes every change as it is made;
/// JSON is read into memory (write it with [`write_base`]).
pub(crate) fn open_base_for_writing(path: &Path) -> CliResult<ClientBase> {
    if is_base_file(path) {
        return ClientBase::open(path).map_err(|e| CliError::input(e.to_string()));
    }
    read_base(path)
}

/// Writes a base: a base file when `path` is one (`.cb`), else JSON. A base
/// already kept in `path` has nothing left to write. An existing base file is
/// replaced whole only once the new one is complete.
pub(crate) fn write_base(base: &ClientBase, path: &Path) -> CliResult {
    let failed =
        |e: clientbase::Error| CliError::failed(format!("cannot write {}: {e}", path.display()));
    if is_base_file(path) {
        if base.path().is_some_and(|p| same_file(p, path)) {
            return Ok(());
        }
        let partial = path.with_extension(format!("partial-{}", std::process::id()));
        let _ = std::fs::remove_file(&partial);
        base.backup(&partial).map_err(failed)?;
        return std::fs::rename(&partial, path).map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            CliError::failed(format!("cannot write {}: {e}", path.display()))
        });
    }
    let mut out = create(path)?;
    base.write_json(&mut out)
        .and_then(|()| out.flush().map_err(Into::into))
        .map_err(failed)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Whether to draw progress bars: only for a person watching stderr.
pub(crate) fn interactive() -> bool {
    std::io::stderr().is_terminal()
}

/// A progress bar on stderr, or a hidden one when stderr is not a terminal.
pub(crate) fn bar(len: u64, message: &str) -> ProgressBar {
    if !interactive() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    let style = ProgressStyle::with_template(
        "{msg:>12} [{bar:40}] {human_pos}/{human_len} ({elapsed}, {eta} left)",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(message.to_string());
    bar
}

/// A progress bar over the bytes of a file being read, cleared when dropped.
pub(crate) fn byte_bar(len: u64, message: &str) -> ProgressBar {
    if !interactive() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len).with_finish(ProgressFinish::AndClear);
    let style = ProgressStyle::with_template(
        "{msg:>12} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(message.to_string());
    bar
}

/// A spinner on stderr for a step whose size is not known beforehand, with its
/// message and the time it has taken; hidden when stderr is not a terminal.
pub(crate) fn spinner(message: &str) -> ProgressBar {
    if !interactive() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner().with_finish(ProgressFinish::AndClear);
    spin(&bar, message);
    bar
}

/// Turns a bar into a spinner for the next step, its clock restarted.
fn spin(bar: &ProgressBar, message: &str) {
    let style = ProgressStyle::with_template("{msg:>12} {spinner} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.set_message(message.to_string());
    bar.reset_elapsed();
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
}

/// A reader that moves a byte bar (see [`byte_bar`]) and, at the end of the
/// file, turns it into a spinner with `then` as its message: the work done
/// after reading (parsing, checking and inserting the rows) shows as that step, not as
/// a full bar with "0s left".
pub(crate) struct BarReader<R> {
    inner: R,
    bar: ProgressBar,
    then: &'static str,
    ended: bool,
}

impl<R: Read> BarReader<R> {
    pub(crate) fn new(inner: R, bar: ProgressBar, then: &'static str) -> BarReader<R> {
        BarReader {
            inner,
            bar,
            then,
            ended: false,
        }
    }
}

impl<R: Read> Read for BarReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.bar.inc(n as u64);
        } else if !buf.is_empty() && !self.ended {
            self.ended = true;
            spin(&self.bar, self.then);
        }
        Ok(n)
    }
}

/// Generates with a progress bar on a terminal.
pub(crate) fn generate(config: &GeneratorConfig) -> CliResult<Generated> {
    let bar = Mutex::new(bar(config.clients as u64, "generating"));
    let report = |p: Progress| {
        let Ok(bar) = bar.lock() else { return };
        if p.stage == Stage::Inserting && bar.message() != "inserting" {
            bar.set_length(p.total);
            bar.set_position(0);
            bar.reset_eta();
            bar.set_message("inserting");
        }
        // Reports come from several threads and may arrive out of order: the
        // bar only moves forward.
        if p.done > bar.position() {
            bar.set_position(p.done);
        }
    };
    let generated = generate_with_progress(config, &report)
        .map_err(|e| CliError::input(format!("cannot generate: {e}")));
    if let Ok(bar) = bar.lock() {
        bar.finish_and_clear();
    }
    generated
}

/// `12345678` as `12 345 678`.
pub(crate) fn int(n: impl Into<u128>) -> String {
    group_thousands(&n.into().to_string())
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

/// Money with thousands grouped: `1 234 567.50 RUB`.
pub(crate) fn money(m: Money) -> String {
    let text = m.amount_string();
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let fraction = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    };
    format!(
        "{sign}{}{fraction} {}",
        group_thousands(whole),
        m.currency()
    )
}

/// `0.1234` as `12.3 %`.
pub(crate) fn percent(part: f64, whole: f64) -> String {
    if whole == 0.0 {
        return "0 %".into();
    }
    format!("{:.1} %", 100.0 * part / whole)
}

/// A file size: `12.3 MB`.
pub(crate) fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KB", b as f64 / (1u64 << 10) as f64),
        b => format!("{b} B"),
    }
}

/// A table cell as CSV text: dates as yyyy-mm-dd, decimals exact, lists
/// joined with `; `, a null as nothing.
pub(crate) fn cell(value: clientbase::table::Value<'_>) -> String {
    use clientbase::table::{format_decimal, Value};
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int64(i) => i.to_string(),
        Value::UInt64(u) => u.to_string(),
        Value::Float64(f) => f.to_string(),
        Value::Text(t) => t.to_string(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Decimal { value, scale } => format_decimal(value, scale),
        Value::TextList(items) => items.join("; "),
        other => format!("{other:?}"),
    }
}

/// Writes a table as CSV with a header row, each cell as `text` gives it,
/// and says how many rows (`what`) were written.
pub(crate) fn write_table(
    table: &clientbase::Table,
    path: &Path,
    what: &str,
    text: fn(clientbase::table::Value<'_>) -> String,
) -> CliResult {
    let fail = |e: csv::Error| CliError::failed(format!("cannot write {}: {e}", path.display()));
    let mut out = csv::Writer::from_writer(create(path)?);
    out.write_record(table.column_names()).map_err(fail)?;
    for i in 0..table.rows() {
        out.write_record(table.columns().iter().map(|c| text(c.value(i))))
            .map_err(fail)?;
    }
    out.flush()
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
    say!(
        "{} {what} written to {}",
        int(table.rows() as u64),
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clientbase::Currency;

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(int(1234567u64), "1 234 567");
        assert_eq!(int(999u64), "999");
        assert_eq!(int(0u64), "0");
        assert_eq!(
            money(Money::from_minor(-123456789, Currency::RUB)),
            "-1 234 567.89 RUB"
        );
        assert_eq!(money(Money::from_minor(5, Currency::RUB)), "0.05 RUB");
    }
}
