//! PDF from a DOCX through LibreOffice (`soffice --headless --convert-to
//! pdf`), run in a temporary folder of its own with a time limit.
//!
//! LibreOffice is looked for in `CLIENTBASE_SOFFICE` (the program's path),
//! then as `soffice` and `libreoffice` on `PATH`; without it the conversion
//! is an [`ErrorKind::Io`] error saying how to install it (`apt-get install
//! libreoffice-writer-nogui` on Debian and Ubuntu).

use super::{read_file, write_atomic};
use crate::error::{invalid, Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Params of [`docx_to_pdf`] and of the `docx_to_pdf` capability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PdfParams {
    /// The `.docx` file to convert. Required by the capability; the call
    /// taking the document's bytes refuses it.
    pub docx: Option<PathBuf>,
    /// Where to write the PDF, atomically. Required by the capability.
    pub out: Option<PathBuf>,
    /// How long LibreOffice may take, in seconds (default 120, 1 to 3600).
    pub timeout_seconds: u64,
}

impl Default for PdfParams {
    fn default() -> PdfParams {
        PdfParams {
            docx: None,
            out: None,
            timeout_seconds: 120,
        }
    }
}

/// What the `docx_to_pdf` capability wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfWritten {
    /// The PDF's path.
    pub out: PathBuf,
    /// Its size in bytes.
    pub bytes: usize,
}

fn soffice() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("CLIENTBASE_SOFFICE") {
        return Ok(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["soffice", "libreoffice"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(Error::new(
        ErrorKind::Io,
        "LibreOffice is not installed (no `soffice` on PATH, CLIENTBASE_SOFFICE unset): \
         install it (`apt-get install libreoffice-writer-nogui` on Debian and Ubuntu) to convert to PDF",
    )
    .with_field("soffice"))
}

/// A folder removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir() -> Result<TempDir> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir =
        std::env::temp_dir().join(format!("clientbase-pdf-{}-{n}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot make a temporary folder {}: {e}", dir.display()),
        )
    })?;
    Ok(TempDir(dir))
}

/// Converts a DOCX (its bytes) to PDF with LibreOffice, writing it to
/// `params.out` too when set. LibreOffice runs headless in a temporary
/// folder with a profile of its own (so conversions may run side by side)
/// and is stopped past the time limit.
pub fn docx_to_pdf(docx: &[u8], params: &PdfParams) -> Result<Vec<u8>> {
    if params.docx.is_some() {
        return Err(invalid(
            "docx",
            "the document is given as bytes: leave the `docx` path unset",
        ));
    }
    convert(docx, params)
}

fn convert(docx: &[u8], params: &PdfParams) -> Result<Vec<u8>> {
    if !(1..=3600).contains(&params.timeout_seconds) {
        return Err(invalid(
            "timeout_seconds",
            format!("{} is not 1 to 3600", params.timeout_seconds),
        ));
    }
    let program = soffice()?;
    let dir = temp_dir()?;
    let input = dir.0.join("document.docx");
    let io = |what: String, e: std::io::Error| Error::new(ErrorKind::Io, format!("{what}: {e}"));
    std::fs::write(&input, docx).map_err(|e| io(format!("cannot write {}", input.display()), e))?;
    let profile = dir.0.join("profile");
    // Into a file, not a pipe: a pipe nobody reads would stall LibreOffice.
    let log_path = dir.0.join("stderr.txt");
    let log = std::fs::File::create(&log_path)
        .map_err(|e| io(format!("cannot write {}", log_path.display()), e))?;
    let mut child = Command::new(&program)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&dir.0)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .map_err(|e| {
            io(
                format!("cannot start LibreOffice ({})", program.display()),
                e,
            )
        })?;
    let deadline = Instant::now() + Duration::from_secs(params.timeout_seconds);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::new(
                    ErrorKind::Io,
                    format!(
                        "LibreOffice did not convert the document in {} s (timeout_seconds)",
                        params.timeout_seconds
                    ),
                )
                .with_field("timeout_seconds"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(25)),
            Err(e) => return Err(io("cannot wait for LibreOffice".into(), e)),
        }
    };
    let stderr = std::fs::read_to_string(&log_path).unwrap_or_default();
    let output = dir.0.join("document.pdf");
    match std::fs::read(&output) {
        Ok(pdf) if status.success() && pdf.starts_with(b"%PDF") => {
            if let Some(out) = &params.out {
                write_atomic(out, &pdf)?;
            }
            Ok(pdf)
        }
        _ => Err(invalid(
            "docx",
            format!(
                "LibreOffice could not convert the document ({status}){}",
                match stderr.trim() {
                    "" => String::new(),
                    s => format!(": {}", s.lines().last().unwrap_or(s)),
                }
            ),
        )),
    }
}

/// [`docx_to_pdf`] of the file `params.docx` (required).
pub fn docx_to_pdf_path(params: &PdfParams) -> Result<Vec<u8>> {
    let path: &Path = params
        .docx
        .as_deref()
        .ok_or_else(|| invalid("docx", "the path of the .docx to convert is required"))?;
    convert(&read_file(path, "docx")?, params)
}

/// The `docx_to_pdf` capability: converts `params.docx` and writes the PDF
/// to `params.out` (both required).
pub fn docx_to_pdf_file(params: &PdfParams) -> Result<PdfWritten> {
    let out = params
        .out
        .clone()
        .ok_or_else(|| invalid("out", "the path to write the PDF to is required"))?;
    let pdf = docx_to_pdf_path(params)?;
    Ok(PdfWritten {
        out,
        bytes: pdf.len(),
    })
}
