//! `clientbase phones`: one raw phone value per line on stdin, one TSV row per line on stdout.
//!
//! Columns: input, E.164 (empty when invalid), extension, type, reason (empty when
//! valid). Tabs, newlines and backslashes inside a field are written as `\t`, `\n`,
//! `\r` and `\\`, so every input line gives exactly one output line.

use crate::{CliError, CliResult, PhonesArgs};
use clientbase::PhoneNormalizer;
use std::borrow::Cow;
use std::io::{BufRead, BufWriter, Write};
use std::sync::mpsc;

/// Lines parsed per batch (on all cores) before writing.
const BATCH: usize = 65_536;

/// A line of input: its text, or the lossy text of a line that is not UTF-8.
type Line = Result<String, String>;

/// Reading, parsing and writing overlap: a thread reads and decodes the next
/// batch of lines while the batch before is parsed on all cores
/// ([`PhoneNormalizer::parse_batch`]) and written.
pub(crate) fn run(args: &PhonesArgs) -> CliResult {
    let normalizer = PhoneNormalizer::new(&args.region)
        .map_err(|err| CliError::input(format!("--region: {err}")))?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let write_failed = |err: std::io::Error| CliError::write("stdout", err);
    if args.header {
        writeln!(out, "input\te164\textension\ttype\treason").map_err(write_failed)?;
    }
    let (batches, received) = mpsc::sync_channel::<std::io::Result<Vec<Line>>>(2);
    std::thread::scope(|scope| {
        scope.spawn(move || read_batches(&batches));
        let mut text = String::new();
        for batch in received {
            let lines = batch.map_err(|err| CliError::input(format!("reading stdin: {err}")))?;
            text.clear();
            format_batch(&normalizer, &lines, &mut text);
            // On a failed write the receiver goes away and the reader stops.
            out.write_all(text.as_bytes()).map_err(write_failed)?;
        }
        out.flush().map_err(write_failed)
    })
}

/// Sends stdin in batches of lines until its end, a read error or the
/// receiver leaving.
fn read_batches(batches: &mpsc::SyncSender<std::io::Result<Vec<Line>>>) {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut lines: Vec<Line> = Vec::with_capacity(BATCH);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let read = match input.read_until(b'\n', &mut buf) {
            Ok(read) => read,
            Err(err) => {
                let _ = batches.send(Err(err));
                return;
            }
        };
        if read > 0 {
            while matches!(buf.last(), Some(b'\n' | b'\r')) {
                buf.pop();
            }
            lines.push(match std::str::from_utf8(&buf) {
                Ok(text) => Ok(text.to_string()),
                Err(_) => Err(String::from_utf8_lossy(&buf).into_owned()),
            });
        }
        if lines.len() == BATCH || (read == 0 && !lines.is_empty()) {
            let full = std::mem::replace(&mut lines, Vec::with_capacity(BATCH));
            if batches.send(Ok(full)).is_err() {
                return;
            }
        }
        if read == 0 {
            return;
        }
    }
}

fn format_batch(normalizer: &PhoneNormalizer, lines: &[Line], out: &mut String) {
    let texts: Vec<&str> = lines
        .iter()
        .map(|line| line.as_deref().unwrap_or(""))
        .collect();
    let parsed = normalizer.parse_batch(&texts);
    for (line, result) in lines.iter().zip(parsed) {
        match (line, result) {
            (Err(lossy), _) => row(out, lossy, "", "", "", "the line is not UTF-8"),
            (Ok(text), Ok(phone)) => row(
                out,
                text,
                phone.e164(),
                phone.extension().unwrap_or(""),
                phone.kind().name(),
                "",
            ),
            (Ok(text), Err(err)) => row(out, text, "", "", "", err.reason()),
        }
    }
}

fn row(out: &mut String, input: &str, e164: &str, ext: &str, kind: &str, reason: &str) {
    for (i, field) in [
        escape(input),
        Cow::Borrowed(e164),
        escape(ext),
        Cow::Borrowed(kind),
        escape(reason),
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            out.push('\t');
        }
        out.push_str(field);
    }
    out.push('\n');
}

fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['\t', '\n', '\r', '\\']) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace('\\', "\\\\")
            .replace('\t', "\\t")
            .replace('\n', "\\n")
            .replace('\r', "\\r"),
    )
}
