//! `clientbase phones`: one raw phone value per line on stdin, one TSV row per line on stdout.
//!
//! Columns: input, E.164 (empty when invalid), extension, type, reason (empty when
//! valid). Tabs, newlines and backslashes inside a field are written as `\t`, `\n`,
//! `\r` and `\\`, so every input line gives exactly one output line.

use crate::{CliError, CliResult, PhonesArgs};
use clientbase::PhoneNormalizer;
use std::io::{BufRead, BufWriter, Write};

/// Lines parsed per batch (in parallel) before writing.
const BATCH: usize = 65_536;

pub(crate) fn run(args: &PhonesArgs) -> CliResult {
    let normalizer = PhoneNormalizer::new(&args.region)
        .map_err(|err| CliError::input(format!("--region: {err}")))?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let write_failed = |err: std::io::Error| CliError::write("stdout", err);
    if args.header {
        writeln!(out, "input\te164\textension\ttype\treason").map_err(write_failed)?;
    }
    let mut lines: Vec<Result<String, String>> = Vec::with_capacity(BATCH);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let read = input
            .read_until(b'\n', &mut buf)
            .map_err(|err| CliError::input(format!("reading stdin: {err}")))?;
        if read > 0 {
            while matches!(buf.last(), Some(b'\n' | b'\r')) {
                buf.pop();
            }
            lines.push(
                String::from_utf8(buf.clone())
                    .map_err(|_| String::from_utf8_lossy(&buf).into_owned()),
            );
        }
        if lines.len() == BATCH || (read == 0 && !lines.is_empty()) {
            write_batch(&normalizer, &lines, &mut out).map_err(write_failed)?;
            lines.clear();
        }
        if read == 0 {
            break;
        }
    }
    out.flush().map_err(write_failed)
}

fn write_batch(
    normalizer: &PhoneNormalizer,
    lines: &[Result<String, String>],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let texts: Vec<&str> = lines
        .iter()
        .map(|line| line.as_deref().unwrap_or(""))
        .collect();
    let parsed = normalizer.parse_batch(&texts);
    for (line, result) in lines.iter().zip(parsed) {
        match (line, result) {
            (Err(lossy), _) => row(out, lossy, "", "", "", "the line is not UTF-8")?,
            (Ok(text), Ok(phone)) => row(
                out,
                text,
                phone.e164(),
                phone.extension().unwrap_or(""),
                phone.kind().name(),
                "",
            )?,
            (Ok(text), Err(err)) => row(out, text, "", "", "", err.reason())?,
        }
    }
    Ok(())
}

fn row(
    out: &mut impl Write,
    fields: &str,
    e164: &str,
    ext: &str,
    kind: &str,
    reason: &str,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}\t{}\t{}\t{}\t{}",
        escape(fields),
        e164,
        escape(ext),
        kind,
        escape(reason)
    )
}

fn escape(text: &str) -> String {
    if !text.contains(['\t', '\n', '\r', '\\']) {
        return text.to_string();
    }
    text.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}
