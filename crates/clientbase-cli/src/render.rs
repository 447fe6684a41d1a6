//! `clientbase render`: a text or DOCX template filled from a client and a
//! deal of a base (a DOCX optionally converted to PDF); and the demo's
//! section of documents and messages.

use crate::output::{create, read_base};
use crate::{CliError, CliResult};
use clientbase::capability::from_json;
use clientbase::render::{
    docx_to_pdf, mail_merge, render, render_docx, write_atomic, CompanyDetails, DocxParams,
    MergeParams, PdfParams, RenderParams,
};
use clientbase::table::Value;
use clientbase::{ClientId, DealId, DealStatus};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct RenderArgs {
    /// The base (JSON or a base file).
    #[arg(long)]
    pub base: PathBuf,
    /// The client the text is about (default: the deal's client).
    #[arg(long, required_unless_present = "deal")]
    pub client: Option<u64>,
    /// The deal, with its product lines.
    #[arg(long)]
    pub deal: Option<u64>,
    /// The template: Jinja text (`{{ client.name }}`, `{{ deal.amount |
    /// amount_words }}`) or a `.docx` made in Word or LibreOffice with the
    /// same tags (`{%tr for line in deal.lines %}` repeats a table row).
    #[arg(long)]
    pub template: PathBuf,
    /// Your own company's details (JSON: name, inn, kpp, address, bank, bik,
    /// account, corr_account, director, director_position, ...).
    #[arg(long)]
    pub company: Option<PathBuf>,
    /// Print a missing or empty value as nothing instead of failing.
    #[arg(long)]
    pub lenient: bool,
    /// Today's date in the text (yyyy-mm-dd; default today).
    #[arg(long)]
    pub today: Option<chrono::NaiveDate>,
    /// The time zone of today and of the base's dates (UTC, +03:00, Europe/Moscow).
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
    /// Where to write the text (default: standard output) or the document
    /// (required for a DOCX; written whole or not at all).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Convert the filled DOCX to PDF with LibreOffice and write the PDF to
    /// `--out` instead.
    #[arg(long)]
    pub pdf: bool,
}

/// Whether a template file is a DOCX (a ZIP package) rather than text.
fn is_docx(path: &Path, bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("docx"))
}

fn read(path: &Path, what: &str) -> CliResult<String> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("cannot read {what} {}: {e}", path.display())))
}

/// `clientbase render`.
pub(crate) fn run(args: &RenderArgs) -> CliResult {
    let base = read_base(&args.base)?;
    let bytes = std::fs::read(&args.template).map_err(|e| {
        CliError::input(format!(
            "cannot read the template {}: {e}",
            args.template.display()
        ))
    })?;
    let company: CompanyDetails = match &args.company {
        Some(path) => from_json("company", &read(path, "the company")?)
            .map_err(|e| CliError::input(e.to_string()))?,
        None => CompanyDetails::default(),
    };
    if is_docx(&args.template, &bytes) {
        return run_docx(args, &base, &bytes, company);
    }
    if args.pdf {
        return Err(CliError::input(
            "--pdf converts a DOCX template's document; this template is text",
        ));
    }
    let template = String::from_utf8(bytes).map_err(|_| {
        CliError::input(format!(
            "the template {} is neither UTF-8 text nor a DOCX",
            args.template.display()
        ))
    })?;
    let params = RenderParams {
        template,
        client: args.client.map(ClientId),
        deal: args.deal.map(DealId),
        company,
        strict: !args.lenient,
        today: args.today,
        time_zone: args.time_zone.clone(),
        ..Default::default()
    };
    let text = render(&base, &params)
        .map_err(|e| CliError::input(e.to_string()))?
        .text;
    match &args.out {
        Some(path) => {
            let mut file = create(path)?;
            file.write_all(text.as_bytes())
                .and_then(|_| file.flush())
                .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
            say!("{} bytes written to {}", text.len(), path.display());
        }
        None => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    Ok(())
}

/// `clientbase render` of a DOCX template: the document (or its PDF) to `--out`.
fn run_docx(
    args: &RenderArgs,
    base: &clientbase::ClientBase,
    template: &[u8],
    company: CompanyDetails,
) -> CliResult {
    let out = args.out.as_ref().ok_or_else(|| {
        CliError::input("a DOCX template needs --out (the document is not text for the terminal)")
    })?;
    let params = DocxParams {
        client: args.client.map(ClientId),
        deal: args.deal.map(DealId),
        company,
        strict: !args.lenient,
        today: args.today,
        time_zone: args.time_zone.clone(),
        ..Default::default()
    };
    let docx =
        render_docx(Some(base), template, &params).map_err(|e| CliError::input(e.to_string()))?;
    let written = if args.pdf {
        let pdf = docx_to_pdf(&docx, &PdfParams::default())
            .map_err(|e| CliError::failed(e.to_string()))?;
        write_atomic(out, &pdf).map_err(|e| CliError::failed(e.to_string()))?;
        pdf.len()
    } else {
        write_atomic(out, &docx).map_err(|e| CliError::failed(e.to_string()))?;
        docx.len()
    };
    say!("{written} bytes written to {}", out.display());
    Ok(())
}

/// The commercial offer and the contract the demo fills: DOCX templates
/// made in LibreOffice (their sources are the `.fodt` files beside them).
const OFFER_DOCX: &[u8] = include_bytes!("../../clientbase/tests/inputs/docx/offer.docx");
const CONTRACT_DOCX: &[u8] = include_bytes!("../../clientbase/tests/inputs/docx/contract.docx");

/// The commercial offer the demo writes.
pub(crate) const OFFER: &str = "\
{{ company.name }}, ИНН {{ company.inn }}, КПП {{ company.kpp }}
{{ company.address }}

Коммерческое предложение № {{ deal.id }} от {{ today | date_ru }}

Кому: {{ client.name }}
{% if client.person %}Вниманию {{ client.person | inflect('dative') }}
{% endif %}
{% for line in deal.lines %}{{ line.n }}. {{ line.product }}: {{ line.quantity }} × {{ line.unit_price | money }}{% if line.discount %}, скидка {{ line.discount }}{% endif %} = {{ line.total | money }}
{% endfor %}
Итого: {{ deal.lines_total | money }} ({{ deal.lines_total | amount_words }}),
в том числе НДС 20 %: {{ deal.lines_total | vat(20) | money }}.

{{ company.director_position }} ____________ {{ company.director | initials }}
";

/// The SMS the demo merges.
pub(crate) const SMS: &str =
    "{{ client.given or client.name }}, для вас скидка 10 % до {{ today | date_ru }} {{ company.name }}";

fn demo_company() -> CompanyDetails {
    CompanyDetails {
        name: Some("ООО «Ромашка»".into()),
        inn: Some("7707083893".into()),
        kpp: Some("770701001".into()),
        address: Some("125009, г. Москва, ул. Тверская, д. 1".into()),
        director: Some("Иванов Сергей Петрович".into()),
        director_position: Some("Генеральный директор".into()),
        ..Default::default()
    }
}

/// The demo's section: a commercial offer for the open deal with the most
/// lines, written to a file, and a few personalized SMS with their parts.
pub(crate) fn demo_section(demo: &mut crate::demo::Demo) -> CliResult {
    let base = &demo.base;
    let fail = |e: clientbase::Error| CliError::failed(format!("render: {e}"));
    let deal = base
        .deals()
        .filter(|d| d.status == DealStatus::Open)
        .max_by_key(|d| (d.lines.len(), std::cmp::Reverse(d.id)))
        .or_else(|| base.deals().next())
        .ok_or_else(|| CliError::failed("render: the base has no deals"))?;
    let params = RenderParams {
        template: OFFER.into(),
        deal: Some(deal.id),
        company: demo_company(),
        today: Some(demo.config.today),
        ..Default::default()
    };
    let offer = render(base, &params).map_err(fail)?.text;
    let path = demo.out_dir.join("offer.txt");
    std::fs::write(&path, &offer)
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
    say!(
        "  commercial offer for deal {} ({} lines) written to {}",
        deal.id.0,
        deal.lines.len(),
        path.display()
    );
    let mut company = demo_company();
    company.phone = Some("+7 495 000-00-00".into());
    let params = DocxParams {
        deal: Some(deal.id),
        company,
        today: Some(demo.config.today),
        // A generated client may lack an email or phone: printed as nothing.
        strict: false,
        ..Default::default()
    };
    for (template, name, what) in [
        (OFFER_DOCX, "offer.docx", "commercial offer"),
        (CONTRACT_DOCX, "contract.docx", "contract"),
    ] {
        let path = demo.out_dir.join(name);
        let params = DocxParams {
            out: Some(path.clone()),
            ..params.clone()
        };
        let docx = render_docx(Some(base), template, &params).map_err(fail)?;
        say!(
            "  {what} (DOCX, {} KB) written to {}",
            docx.len().div_ceil(1024),
            path.display()
        );
    }
    let merge = MergeParams {
        template: SMS.into(),
        company: demo_company(),
        today: Some(demo.config.today),
        ..Default::default()
    };
    let table = mail_merge(base, &merge).map_err(fail)?;
    let column = |name: &str| {
        table
            .column(name)
            .ok_or_else(|| CliError::failed(format!("render: no column {name}")))
    };
    let (text, parts, error) = (column("text")?, column("parts")?, column("error")?);
    let sent = (0..table.rows()).filter(|&i| !text.is_null(i)).count();
    say!(
        "  SMS to {} of {} clients (the rest: no phone, or a value missing)",
        sent,
        table.rows()
    );
    for i in (0..table.rows()).filter(|&i| !text.is_null(i)).take(3) {
        if let (Value::Text(t), Value::UInt64(p)) = (text.value(i), parts.value(i)) {
            say!("  [{p} part{}] {t}", if p == 1 { "" } else { "s" });
        }
    }
    if let Some(i) = (0..table.rows()).find(|&i| !error.is_null(i)) {
        if let Value::Text(e) = error.value(i) {
            say!("  not sent: {e}");
        }
    }
    Ok(())
}
