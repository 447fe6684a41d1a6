//! DOCX documents from templates made in Word or LibreOffice: a commercial
//! offer, a contract, an invoice, filled from the same context as text
//! templates ([`context`](super::build_context)) with the same filters,
//! limits and strict mode.
//!
//! A template is a `.docx` whose text holds Jinja tags:
//!
//! - `{{ client.name }}`, `{{ deal.amount | amount_words }}` print a value,
//!   in the formatting of the run the tag starts in. Word and LibreOffice
//!   often split a tag over several runs (spell checking, an edit in the
//!   middle, revision marks): the runs of a tag are joined into its first
//!   one, and the proofing marks, bookmarks, rendered page breaks and
//!   deleted revisions inside a tag are dropped (inserted ones kept).
//!   Quotes autocorrected to «» “” ‘’ inside a tag are read as ASCII quotes.
//! - `{% if %}`, `{% for %}` inside a paragraph work as in text.
//! - `{%p if client.email %}` … `{%p endif %}` in paragraphs of their own
//!   keep or drop the paragraphs between; `{%tr for line in deal.lines %}` …
//!   `{%tr endfor %}` in table rows of their own repeat the rows between (the
//!   product lines); `{%tc %}` does the same for table cells and `{%r %}` for
//!   runs. The paragraph, row, cell or run holding such a tag is replaced by
//!   it; text beside the tag there would be lost with it, so it is an error.
//!   A table cell whose paragraphs were all dropped keeps an empty one, and a
//!   table whose rows were all dropped is removed (Word opens neither).
//! - Values are escaped for XML (`&`, `<`, `"` in a client's name are
//!   text); a line break in a value is a line break in the document.
//!
//! The document body, headers, footers, footnotes and endnotes are filled;
//! the other parts are copied as they are. A broken template (a tag not
//! closed in its paragraph, a tag split across table cells, an `{% if %}`
//! never closed or closed at another level of the document, XML or ZIP that
//! does not read) is an [`ErrorKind::InvalidValue`](crate::ErrorKind) error
//! whose record names the part and paragraph (`word/document.xml, paragraph
//! 12 (table 1, row 2, cell 3)`) and whose reason shows the tag. A file is
//! written whole or not at all ([`write_atomic`]).
//!
//! PDF: [`docx_to_pdf`] converts with LibreOffice when it is installed.
//!
//! ```
//! use clientbase::render::{docx_from_paragraphs, render_docx, DocxParams};
//! let template = docx_from_paragraphs(&["Дорогой {{ name }}!", "{{ sum | amount_words }}"])?;
//! let mut params = DocxParams::default();
//! params.vars.insert("name".into(), "ООО «Рога & Копыта»".into());
//! params.vars.insert("sum".into(), "1001".into());
//! let docx = render_docx(None, &template, &params)?;
//! let text = clientbase::render::docx_text(&docx)?;
//! assert_eq!(text, "Дорогой ООО «Рога & Копыта»!\nОдна тысяча один рубль 00 копеек\n");
//! # Ok::<(), clientbase::Error>(())
//! ```

mod pdf;
mod xml;

pub use pdf::{docx_to_pdf, docx_to_pdf_file, docx_to_pdf_path, PdfParams, PdfWritten};

use super::context::{build_context, plain_context, CompanyDetails, ContextSource, ManagerDetails};
use super::template::{Escape, Limits, RenderContext, Template, TemplateOptions};
use crate::base::ClientBase;
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::ids::{ClientId, DealId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use xml::PartTemplate;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// The limits of a DOCX rendering by default: those of text templates
/// ([`Limits::default`]) with room for a document's XML: 16 MiB of a part's
/// XML and 64 MiB of a part's output.
pub fn docx_limits() -> Limits {
    Limits {
        max_template_bytes: 16 << 20,
        max_output_bytes: 64 << 20,
        ..Limits::default()
    }
}

/// [`docx_limits`] with the keys a caller gave.
fn docx_limits_given<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Limits, D::Error> {
    let given = Map::<String, Value>::deserialize(d)?;
    let mut limits = match serde_json::to_value(docx_limits()) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    limits.extend(given);
    serde_json::from_value(Value::Object(limits)).map_err(serde::de::Error::custom)
}

/// Params of the DOCX calls: whom the document is about and how it runs;
/// for the calls by name (and the paths a user gives) where the template is
/// and where the document goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocxParams {
    /// The template file (`.docx`). Required by the calls by name
    /// (`render_docx`, `render_docx_check`); the calls that take the
    /// template's bytes refuse it.
    pub template: Option<PathBuf>,
    /// Where to write the document, atomically (a temporary file renamed
    /// into place, so a failure leaves no half-written file). Required by
    /// the `render_docx` capability; optional elsewhere.
    pub out: Option<PathBuf>,
    /// The client (default: the deal's client). Needs a base.
    pub client: Option<ClientId>,
    /// The deal, with its product lines. Needs a base.
    pub deal: Option<DealId>,
    /// Your own company's details (`company.*`).
    pub company: CompanyDetails,
    /// Managers' details by the owner id clients and deals carry.
    pub managers: BTreeMap<String, ManagerDetails>,
    /// Your own variables, at the top level of the context.
    pub vars: Map<String, Value>,
    /// Whether a printed value that is missing or empty is an error (default true).
    pub strict: bool,
    /// The limits of one part's rendering (default [`docx_limits`]; the
    /// template and output sizes count each part's XML). Keys left out keep
    /// the DOCX defaults.
    #[serde(deserialize_with = "docx_limits_given")]
    pub limits: Limits,
    /// Today's date, `today` in the template (default: today in the time zone).
    pub today: Option<NaiveDate>,
    /// The time zone of `today` and of the base's dates (default `UTC`).
    pub time_zone: String,
}

impl Default for DocxParams {
    fn default() -> DocxParams {
        DocxParams {
            template: None,
            out: None,
            client: None,
            deal: None,
            company: CompanyDetails::default(),
            managers: BTreeMap::new(),
            vars: Map::new(),
            strict: true,
            limits: docx_limits(),
            today: None,
            time_zone: "UTC".into(),
        }
    }
}

impl DocxParams {
    /// How the parts are compiled.
    pub fn options(&self) -> TemplateOptions {
        TemplateOptions {
            strict: self.strict,
            escape: Escape::Docx,
            limits: self.limits,
        }
    }

    /// The context of the params: from the base when there is one, else
    /// from `vars`, `company` and `today` alone.
    pub fn context(&self, base: Option<&ClientBase>) -> Result<RenderContext> {
        let source = ContextSource {
            client: self.client,
            deal: self.deal,
            company: Some(&self.company),
            managers: Some(&self.managers),
            vars: Some(&self.vars),
            today: self.today,
            offset: Some(crate::segment::time_zone(&self.time_zone)?),
        };
        let json = match base {
            Some(base) => build_context(base, &source)?,
            None => {
                if self.client.is_some() || self.deal.is_some() {
                    let field = if self.client.is_some() {
                        "client"
                    } else {
                        "deal"
                    };
                    return Err(invalid(
                        field,
                        "a client or deal needs a base: call on a base, or give `vars`",
                    ));
                }
                plain_context(&source)?
            }
        };
        Ok(RenderContext::new(json))
    }

    fn template_path(&self) -> Result<&Path> {
        self.template
            .as_deref()
            .ok_or_else(|| invalid("template", "the template's path is required (a .docx file)"))
    }
}

/// Whether an entry of the package is a part that is filled.
fn fillable(name: &str) -> bool {
    let Some(file) = name.strip_prefix("word/") else {
        return false;
    };
    if file.contains('/') || !file.ends_with(".xml") {
        return false;
    }
    file == "document.xml"
        || file == "footnotes.xml"
        || file == "endnotes.xml"
        || file.starts_with("header")
        || file.starts_with("footer")
}

fn not_docx(reason: impl std::fmt::Display) -> Error {
    invalid("template", format!("not a DOCX file: {reason}")).with_record("template")
}

struct Part {
    index: usize,
    name: String,
    template: Template,
    map: PartTemplate,
}

/// A DOCX template read and compiled once, ready to fill many contexts
/// (from many threads).
pub struct DocxTemplate {
    bytes: Vec<u8>,
    parts: Vec<Part>,
}

impl std::fmt::Debug for DocxTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocxTemplate")
            .field("bytes", &self.bytes.len())
            .field(
                "parts",
                &self.parts.iter().map(|p| &p.name).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Maps an error of a part's template to the tag and paragraph it is about.
fn locate(
    name: &str,
    map: &PartTemplate,
    err: Error,
    range: Option<std::ops::Range<usize>>,
) -> Error {
    let Some(tag) = range.and_then(|r| map.tag_at(r.start)) else {
        return err.with_record(name.to_string());
    };
    let mut located = Error::new(err.kind(), format!("`{}`: {}", tag.text, err.reason()))
        .with_record(tag.place.clone());
    if let Some(field) = err.field() {
        located = located.with_field(field.to_string());
    }
    located
}

impl DocxTemplate {
    /// Reads a `.docx` template and compiles its parts (`options.escape` is
    /// always [`Escape::Docx`]). A broken package, part or tag is an error
    /// naming the part and paragraph.
    pub fn new(bytes: &[u8], options: &TemplateOptions) -> Result<DocxTemplate> {
        let options = TemplateOptions {
            escape: Escape::Docx,
            ..*options
        };
        options.limits.validate()?;
        let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(not_docx)?;
        let mut parts = Vec::new();
        let mut has_document = false;
        for index in 0..archive.len() {
            let mut file = archive.by_index(index).map_err(not_docx)?;
            let name = file.name().to_string();
            if !fillable(&name) {
                continue;
            }
            has_document |= name == "word/document.xml";
            let max = options.limits.max_template_bytes as u64;
            if file.size() > max {
                return Err(invalid(
                    "limits.max_template_bytes",
                    format!("the part is {} bytes of XML, more than {max}", file.size()),
                )
                .with_record(name));
            }
            let mut xml = String::with_capacity(file.size() as usize);
            file.by_ref()
                .take(max + 1)
                .read_to_string(&mut xml)
                .map_err(|e| not_docx(format!("{name} does not read: {e}")))?;
            if xml.len() as u64 > max {
                return Err(invalid(
                    "limits.max_template_bytes",
                    format!("the part is more than {max} bytes of XML"),
                )
                .with_record(name));
            }
            if !xml.contains('{') {
                // No tags: copied as it is, once it reads as XML.
                check_xml(&xml).map_err(|reason| {
                    invalid("template", format!("the XML is broken {reason}")).with_record(name)
                })?;
                continue;
            }
            let map = xml::part_template(&xml, &name)?;
            let template = match Template::new_located(map.source.clone(), &options) {
                Ok(t) => t,
                Err((err, range)) => return Err(locate(&name, &map, err, range)),
            };
            parts.push(Part {
                index,
                name,
                template,
                map,
            });
        }
        if !has_document {
            return Err(not_docx("it has no word/document.xml"));
        }
        Ok(DocxTemplate {
            bytes: bytes.to_vec(),
            parts,
        })
    }

    /// The parts that hold tags (`word/document.xml`, `word/header1.xml`, …).
    pub fn parts(&self) -> Vec<&str> {
        self.parts.iter().map(|p| p.name.as_str()).collect()
    }

    /// The variables the parts read, as dotted paths, sorted, once each.
    pub fn variables(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .parts
            .iter()
            .flat_map(|p| p.template.variables())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// Fills the template: the document's bytes. An error names the part,
    /// the paragraph and the tag (and, for a missing value, the variable as
    /// the field).
    pub fn render(&self, context: &RenderContext) -> Result<Vec<u8>> {
        let mut rendered: Vec<Option<String>> = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            let xml = part
                .template
                .render_located(context)
                .map_err(|(err, range)| locate(&part.name, &part.map, err, range))?;
            let mended = check_xml(&xml).map_err(|reason| {
                invalid(
                    "template",
                    format!("the filled XML does not read ({reason}): a value marked `safe` is not whole XML"),
                )
                .with_record(part.name.clone())
            })?;
            rendered.push(Some(mended.unwrap_or(xml)));
        }
        let mut archive = ZipArchive::new(Cursor::new(self.bytes.as_slice())).map_err(not_docx)?;
        let mut writer = ZipWriter::new(Cursor::new(Vec::with_capacity(self.bytes.len() + 4096)));
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6));
        let zip_error = |e: zip::result::ZipError| {
            Error::new(ErrorKind::Io, format!("cannot write the DOCX: {e}"))
        };
        let mut next = 0;
        for index in 0..archive.len() {
            if let Some(part) = self.parts.get(next).filter(|p| p.index == index) {
                writer
                    .start_file(part.name.as_str(), options)
                    .map_err(zip_error)?;
                let xml = rendered[next].take().unwrap_or_default();
                writer.write_all(xml.as_bytes()).map_err(|e| {
                    Error::new(ErrorKind::Io, format!("cannot write the DOCX: {e}"))
                })?;
                next += 1;
            } else {
                let file = archive.by_index_raw(index).map_err(not_docx)?;
                writer.raw_copy_file(file).map_err(zip_error)?;
            }
        }
        Ok(writer.finish().map_err(zip_error)?.into_inner())
    }
}

/// Checks that a filled part is whole XML and mends what the blocks may have
/// left that Word refuses to open: a table cell whose paragraphs were all
/// dropped gets an empty paragraph (a cell must hold one), and a table whose
/// rows were all dropped is removed. The mended text, if anything was mended.
fn check_xml(xml: &str) -> std::result::Result<Option<String>, String> {
    use quick_xml::events::Event;
    struct Open {
        name: String,
        start: usize,
        has_p: bool,
        has_tr: bool,
    }
    // (at, to, insert): replace xml[at..to] with `insert`.
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut reader = quick_xml::Reader::from_str(xml);
    // A paragraph counts for the cell it is in, a row for its table, also
    // through wrappers such as content controls (`w:sdt`, `w:sdtContent`).
    let note_child = |stack: &mut Vec<Open>, name: &str| {
        let (of, flag): (&str, fn(&mut Open)) = match name {
            "w:p" => ("w:tc", |o| o.has_p = true),
            "w:tr" => ("w:tbl", |o| o.has_tr = true),
            _ => return,
        };
        for open in stack.iter_mut().rev() {
            flag(open);
            if open.name == of {
                break;
            }
        }
    };
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => stack.push(Open {
                name: e.name().into_inner().to_string(),
                start: before,
                has_p: false,
                has_tr: false,
            }),
            Ok(Event::Empty(e)) => note_child(&mut stack, e.name().into_inner()),
            Ok(Event::End(_)) => {
                let Some(open) = stack.pop() else {
                    return Err("an end tag closes no element".into());
                };
                let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
                match open.name.as_str() {
                    "w:tc" if !open.has_p => edits.push((before, before, "<w:p/>")),
                    "w:tbl" if !open.has_tr => {
                        edits.push((open.start, after, ""));
                        continue;
                    }
                    _ => {}
                }
                note_child(&mut stack, &open.name);
            }
            Ok(_) => {}
            Err(e) => return Err(format!("at byte {}: {e}", reader.error_position())),
        }
    }
    if !stack.is_empty() {
        return Err("an element is not closed".into());
    }
    if edits.is_empty() {
        return Ok(None);
    }
    edits.sort_by_key(|&(at, to, _)| (at, std::cmp::Reverse(to)));
    let mut out = String::with_capacity(xml.len() + 8 * edits.len());
    let mut done = 0;
    for (at, to, insert) in edits {
        if at < done {
            // Inside a table already removed.
            continue;
        }
        out.push_str(&xml[done..at]);
        out.push_str(insert);
        done = to;
    }
    out.push_str(&xml[done..]);
    Ok(Some(out))
}

/// Fills a DOCX template (its bytes) from a client and deal of `base`, or
/// without a base from `vars`, `company` and `today`; writes the document
/// to `params.out` too when it is set. `params.template` must be unset.
pub fn render_docx(
    base: Option<&ClientBase>,
    template: &[u8],
    params: &DocxParams,
) -> Result<Vec<u8>> {
    if params.template.is_some() {
        return Err(invalid(
            "template",
            "the template is given as bytes: leave the `template` path unset",
        ));
    }
    fill(base, template, params)
}

fn fill(base: Option<&ClientBase>, template: &[u8], params: &DocxParams) -> Result<Vec<u8>> {
    let compiled = DocxTemplate::new(template, &params.options())?;
    let docx = compiled.render(&params.context(base)?)?;
    if let Some(out) = &params.out {
        write_atomic(out, &docx)?;
    }
    Ok(docx)
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read {what} {}: {e}", path.display()),
        )
        .with_field(what.to_string())
    })
}

/// [`render_docx`] with the template read from `params.template`.
pub fn render_docx_path(base: Option<&ClientBase>, params: &DocxParams) -> Result<Vec<u8>> {
    let bytes = read_file(params.template_path()?, "template")?;
    fill(base, &bytes, params)
}

/// What the `render_docx` capability wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocxWritten {
    /// The document's path.
    pub out: PathBuf,
    /// Its size in bytes.
    pub bytes: usize,
    /// The parts that were filled.
    pub parts: Vec<String>,
}

/// The `render_docx` capability: fills the template file `params.template`
/// from the base and writes the document to `params.out` (both required).
pub fn render_docx_file(base: &ClientBase, params: &DocxParams) -> Result<DocxWritten> {
    let out = params
        .out
        .clone()
        .ok_or_else(|| invalid("out", "the path to write the document to is required"))?;
    let bytes = read_file(params.template_path()?, "template")?;
    let compiled = DocxTemplate::new(&bytes, &params.options())?;
    let docx = compiled.render(&params.context(Some(base))?)?;
    write_atomic(&out, &docx)?;
    Ok(DocxWritten {
        out,
        bytes: docx.len(),
        parts: compiled.parts().into_iter().map(str::to_string).collect(),
    })
}

/// What [`render_docx_check`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocxCheck {
    /// The parts that hold tags.
    pub parts: Vec<String>,
    /// Every variable the template reads, as dotted paths, sorted.
    pub variables: Vec<String>,
    /// Those the context of the params lacks (missing, null or empty), sorted.
    pub missing: Vec<String>,
}

/// The parts with tags, the variables a DOCX template (`params.template`)
/// reads and which of them the context of the params' client and deal
/// lacks. A broken template is an error naming the part and paragraph.
pub fn render_docx_check(base: &ClientBase, params: &DocxParams) -> Result<DocxCheck> {
    let bytes = read_file(params.template_path()?, "template")?;
    docx_check(Some(base), &bytes, params)
}

/// [`render_docx_check`] on the template's bytes, with or without a base.
pub fn docx_check(
    base: Option<&ClientBase>,
    template: &[u8],
    params: &DocxParams,
) -> Result<DocxCheck> {
    let compiled = DocxTemplate::new(template, &params.options())?;
    let context = params.context(base)?;
    let variables = compiled.variables();
    let missing = super::template::lacking(&variables, context.json());
    Ok(DocxCheck {
        parts: compiled.parts().into_iter().map(str::to_string).collect(),
        variables,
        missing,
    })
}

/// Writes `bytes` to `path` whole or not at all: into a temporary file in
/// the same folder, synced, then renamed over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let io = |what: &str, e: std::io::Error| {
        Error::new(
            ErrorKind::Io,
            format!("cannot {what} {}: {e}", path.display()),
        )
        .with_field("out")
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| invalid("out", format!("{} is not a file path", path.display())))?;
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = dir.join(format!(
        ".{}.{}.{n}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(io("write", e));
    }
    Ok(())
}

/// A minimal `.docx` with one paragraph per text (each one run), for tests,
/// examples and a quick start: the packaging Word needs and nothing more.
pub fn docx_from_paragraphs(paragraphs: &[&str]) -> Result<Vec<u8>> {
    let mut body = String::new();
    for text in paragraphs {
        let mut escaped = String::new();
        for c in text.chars() {
            match c {
                '&' => escaped.push_str("&amp;"),
                '<' => escaped.push_str("&lt;"),
                '>' => escaped.push_str("&gt;"),
                _ => escaped.push(c),
            }
        }
        body.push_str(&format!(
            "<w:p><w:r><w:t xml:space=\"preserve\">{escaped}</w:t></w:r></w:p>"
        ));
    }
    docx_from_body(&body)
}

/// A minimal `.docx` whose body is the WordprocessingML `body` (paragraphs,
/// tables), for tests and examples.
pub fn docx_from_body(body: &str) -> Result<Vec<u8>> {
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let files: [(&str, &str); 4] = [
        ("[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"),
        ("_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>"),
        ("word/_rels/document.xml.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"></Relationships>"),
        ("word/document.xml", &document),
    ];
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let io = |e: &dyn std::fmt::Display| {
        Error::new(ErrorKind::Io, format!("cannot write the DOCX: {e}"))
    };
    for (name, text) in files {
        writer.start_file(name, options).map_err(|e| io(&e))?;
        writer.write_all(text.as_bytes()).map_err(|e| io(&e))?;
    }
    Ok(writer.finish().map_err(|e| io(&e))?.into_inner())
}

/// The text of a `.docx`'s body, one line per paragraph (a table cell's
/// paragraphs too), tabs and breaks as `\t` and `\n`: for tests and
/// previews.
pub fn docx_text(docx: &[u8]) -> Result<String> {
    let mut archive = ZipArchive::new(Cursor::new(docx)).map_err(not_docx)?;
    let mut file = archive
        .by_name("word/document.xml")
        .map_err(|_| not_docx("it has no word/document.xml"))?;
    let mut xml = String::new();
    file.read_to_string(&mut xml)
        .map_err(|e| not_docx(format!("word/document.xml does not read: {e}")))?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut text = String::new();
    let mut in_t = false;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| not_docx(format!("word/document.xml: {e}")))?;
        let end = reader.buffer_position() as usize;
        use quick_xml::events::Event;
        match event {
            Event::Eof => break,
            Event::Start(e) if e.name().as_ref() == "w:t" => in_t = true,
            Event::End(e) if e.name().as_ref() == "w:t" => in_t = false,
            Event::End(e) if e.name().as_ref() == "w:p" => text.push('\n'),
            Event::Empty(e) if e.name().as_ref() == "w:br" => text.push('\n'),
            Event::Empty(e) if e.name().as_ref() == "w:tab" => text.push('\t'),
            Event::Text(_) | Event::GeneralRef(_) if in_t => {
                text.push_str(&xml::unescape(&xml[start..end]));
            }
            _ => {}
        }
    }
    Ok(text)
}

/// Params of the `docx_text` capability.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocxTextParams {
    /// The `.docx` file to read. Required.
    pub docx: Option<PathBuf>,
}

/// The text of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocxTextReport {
    /// One line per paragraph (see [`docx_text`]).
    pub text: String,
}

/// The `docx_text` capability: the body text of the `.docx` file
/// `params.docx`, for previews and tests.
pub fn docx_text_file(params: &DocxTextParams) -> Result<DocxTextReport> {
    let path = params
        .docx
        .as_deref()
        .ok_or_else(|| invalid("docx", "the path of the .docx to read is required"))?;
    Ok(DocxTextReport {
        text: docx_text(&read_file(path, "docx")?)?,
    })
}
