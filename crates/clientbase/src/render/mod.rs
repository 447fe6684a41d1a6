//! Documents and messages from templates: commercial offers, contract
//! preambles, SMS, email and messenger texts, filled from a client, a deal
//! with its product lines, the manager and your own company's details.
//!
//! Templates are Jinja (through minijinja): `{{ client.name }}`, `{% for
//! line in deal.lines %}…{% endfor %}`, `{% if %}`, filters. A template is
//! untrusted input: it cannot read files or include other templates, run
//! code, loop forever (its fuel runs out), nest calls without end or write
//! without end; each limit ([`Limits`]) is configurable and hitting one is
//! an error naming the limit and the line.
//!
//! **Strict mode** (the default): a value the template prints that is
//! missing, `null` or empty is an error naming the variable and the line,
//! before anything is sent (a value that may be absent is written
//! `{% if client.email %}…{% endif %}` or `{{ client.email or "—" }}`).
//! [`render_check`] lists the variables a template
//! reads and which of them a context lacks.
//!
//! **Russian business formats** are filters (see [`filters`]): `money`
//! (`123 456,78 ₽`), `amount_words` («Сто двадцать три тысячи четыреста
//! пятьдесят шесть рублей 78 копеек»), `date_ru` (`22 ноября 2026 г.`),
//! `initials` (`Иванов С. П.`), `initials_first` (`С. П. Иванов`),
//! `inflect` (names in the grammatical cases by the petrovich rules: «в лице
//! генерального директора {{ company.director | inflect("genitive") }}»),
//! `number_words`, `plural`, `vat`.
//!
//! **Word documents** (feature `docx`): [`render_docx`] fills a `.docx`
//! made in Word or LibreOffice from the same context, tags split across
//! runs joined, `{%tr for %}` repeating table rows, `{%p if %}` keeping
//! paragraphs; [`docx_to_pdf`] converts with LibreOffice (see `DocxTemplate`).
//!
//! **Messages**: [`mail_merge`] renders one template for many clients (all,
//! a list, or a segment rule) in parallel, one row per client with the
//! address, the text, and for SMS the encoding and parts ([`sms_info`]); a
//! client whose text fails is reported in its row and the rest go on.
//!
//! ```
//! use clientbase::render::{render, RenderParams, CompanyDetails};
//! use clientbase::{Client, ClientBase, Currency, Deal, Money, ProductLine, Quantity, Schema};
//!
//! let mut base = ClientBase::new(Schema::new());
//! let client = base.add_client(Client::person("Смирнова", "Ольга", Some("Игоревна")))?;
//! let price = Money::parse("2 495,00", Currency::RUB)?;
//! let deal = base.add_deal(Deal::new(client, Money::parse("4 990", Currency::RUB)?)
//!     .with_line(ProductLine::new("Корм для кошек", Quantity::units(2), price)))?;
//! let params = RenderParams {
//!     template: "Уважаемая {{ client.given }} {{ client.patronymic }}! Сумма: {{ deal.amount | money }} \
//!                ({{ deal.amount | amount_words }}). Для {{ client.person | inflect('genitive') }}.".into(),
//!     deal: Some(deal),
//!     company: CompanyDetails { name: Some("ООО «Ромашка»".into()), ..Default::default() },
//!     ..Default::default()
//! };
//! let text = render(&base, &params)?.text;
//! assert_eq!(text, "Уважаемая Ольга Игоревна! Сумма: 4\u{a0}990,00\u{a0}₽ \
//!     (Четыре тысячи девятьсот девяносто рублей 00 копеек). Для Смирновой Ольги Игоревны.");
//!
//! let missing = render(&base, &RenderParams { template: "\n{{ client.city }}".into(), client: Some(client), ..Default::default() });
//! let err = missing.unwrap_err();
//! assert_eq!((err.record(), err.field()), (Some("template line 2"), Some("client.city")));
//! # Ok::<(), clientbase::Error>(())
//! ```

mod context;
#[cfg(feature = "docx")]
mod docx;
pub mod filters;
mod merge;
mod petrovich;
mod petrovich_rules;
mod sms;
mod template;
mod words;

pub use context::{
    build_context, client_json, company_json, deal_json, plain_context, CompanyDetails,
    ContextSource, ManagerDetails, RESERVED,
};
#[cfg(feature = "docx")]
pub use docx::{
    docx_check, docx_from_body, docx_from_paragraphs, docx_limits, docx_text, docx_text_file,
    docx_to_pdf, docx_to_pdf_file, docx_to_pdf_path, render_docx, render_docx_check,
    render_docx_file, render_docx_path, write_atomic, DocxCheck, DocxParams, DocxTemplate,
    DocxTextParams, DocxTextReport, DocxWritten, PdfParams, PdfWritten,
};
pub use merge::{mail_merge, DealPick, MergeChannel, MergeParams};
pub use petrovich::{inflect, inflect_name, name_gender, Case, NamePart};
pub use sms::{sms_info, SmsEncoding, SmsInfo};
pub use template::{Escape, Limits, RenderContext, Template, TemplateOptions};
pub use words::{amount_words, number_words, plural, CurrencyWords, Forms, MinorStyle, WordGender};

use crate::base::ClientBase;
use crate::error::{invalid, Result};
use crate::ids::{ClientId, DealId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Params of [`render`]: the template, whom it is about, and how it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RenderParams {
    /// The template text (Jinja syntax). Required.
    pub template: String,
    /// The client (default: the deal's client).
    pub client: Option<ClientId>,
    /// The deal, with its product lines (default: none).
    pub deal: Option<DealId>,
    /// Your own company's details (`company.*`).
    pub company: CompanyDetails,
    /// Managers' details by the owner id clients and deals carry.
    pub managers: BTreeMap<String, ManagerDetails>,
    /// Your own variables, at the top level of the context (not the names
    /// `client`, `deal`, `manager`, `company`, `today`).
    pub vars: Map<String, Value>,
    /// Whether a printed value that is missing or empty is an error (default true).
    pub strict: bool,
    /// How printed values are escaped (default `none`; `html`).
    pub escape: Escape,
    /// The limits of one rendering (see [`Limits`] for the defaults).
    pub limits: Limits,
    /// Today's date, `today` in the template (default: today in the time zone).
    pub today: Option<NaiveDate>,
    /// The time zone of `today` and of the base's dates (default `UTC`;
    /// `+03:00`, `Europe/Moscow`).
    pub time_zone: String,
}

impl Default for RenderParams {
    fn default() -> RenderParams {
        RenderParams {
            template: String::new(),
            client: None,
            deal: None,
            company: CompanyDetails::default(),
            managers: BTreeMap::new(),
            vars: Map::new(),
            strict: true,
            escape: Escape::None,
            limits: Limits::default(),
            today: None,
            time_zone: "UTC".into(),
        }
    }
}

impl RenderParams {
    fn options(&self) -> TemplateOptions {
        TemplateOptions {
            strict: self.strict,
            escape: self.escape,
            limits: self.limits,
        }
    }

    fn source(&self) -> Result<ContextSource<'_>> {
        Ok(ContextSource {
            client: self.client,
            deal: self.deal,
            company: Some(&self.company),
            managers: Some(&self.managers),
            vars: Some(&self.vars),
            today: self.today,
            offset: Some(crate::segment::time_zone(&self.time_zone)?),
        })
    }
}

fn required_template(template: &str) -> Result<()> {
    if template.trim().is_empty() {
        return Err(invalid("template", "the template is required (Jinja text)"));
    }
    Ok(())
}

/// A rendered text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendered {
    /// The text.
    pub text: String,
}

/// Templates [`render`] and [`render_text`] compiled, kept by their text and
/// options so that the same template rendered again is not compiled again.
const COMPILED_KEPT: usize = 16;
/// The most template text kept compiled, in all (bytes).
const COMPILED_KEPT_BYTES: usize = 1 << 20;

/// `text` compiled with `options`, from those kept when it was compiled
/// before (the one used last first; the one used longest ago dropped).
fn compiled(text: &str, options: &TemplateOptions) -> Result<Arc<Template>> {
    type Kept = Vec<(TemplateOptions, Arc<Template>)>;
    static KEPT: Mutex<Kept> = Mutex::new(Vec::new());
    let lock = || {
        KEPT.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    {
        let mut kept = lock();
        if let Some(at) = kept
            .iter()
            .position(|(o, t)| o == options && t.source() == text)
        {
            let entry = kept.remove(at);
            let template = entry.1.clone();
            kept.insert(0, entry);
            return Ok(template);
        }
    }
    let template = Arc::new(Template::new(text, options)?);
    if text.len() <= COMPILED_KEPT_BYTES / COMPILED_KEPT {
        let mut kept = lock();
        kept.insert(0, (*options, template.clone()));
        kept.truncate(COMPILED_KEPT);
    }
    Ok(template)
}

/// Fills a template from a client, a deal, the manager and your company.
pub fn render(base: &ClientBase, params: &RenderParams) -> Result<Rendered> {
    required_template(&params.template)?;
    let template = compiled(&params.template, &params.options())?;
    let context = RenderContext::new(build_context(base, &params.source()?)?);
    Ok(Rendered {
        text: template.render(&context)?,
    })
}

/// Params of [`render_text`]: a template over your own variables, no base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TextParams {
    /// The template text (Jinja syntax). Required.
    pub template: String,
    /// Your own variables, at the top level of the context.
    pub vars: Map<String, Value>,
    /// Your own company's details (`company.*`).
    pub company: CompanyDetails,
    /// Whether a printed value that is missing or empty is an error (default true).
    pub strict: bool,
    /// How printed values are escaped (default `none`).
    pub escape: Escape,
    /// The limits of the rendering.
    pub limits: Limits,
    /// Today's date (default: today in the time zone).
    pub today: Option<NaiveDate>,
    /// The time zone of `today` (default `UTC`).
    pub time_zone: String,
}

impl Default for TextParams {
    fn default() -> TextParams {
        TextParams {
            template: String::new(),
            vars: Map::new(),
            company: CompanyDetails::default(),
            strict: true,
            escape: Escape::None,
            limits: Limits::default(),
            today: None,
            time_zone: "UTC".into(),
        }
    }
}

/// Fills a template from your own variables (and company), without a base.
pub fn render_text(params: &TextParams) -> Result<Rendered> {
    required_template(&params.template)?;
    let options = TemplateOptions {
        strict: params.strict,
        escape: params.escape,
        limits: params.limits,
    };
    let template = compiled(&params.template, &options)?;
    let context = plain_context(&ContextSource {
        company: Some(&params.company),
        vars: Some(&params.vars),
        today: params.today,
        offset: Some(crate::segment::time_zone(&params.time_zone)?),
        ..Default::default()
    })?;
    Ok(Rendered {
        text: template.render(&RenderContext::new(context))?,
    })
}

/// What [`render_check`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    /// Every variable the template reads, as dotted paths, sorted.
    pub variables: Vec<String>,
    /// Those the context lacks (missing, null or empty), sorted.
    pub missing: Vec<String>,
}

/// The variables a template reads and which of them the context of the
/// client and deal in `params` lacks (without a client, every `client.*`).
/// A syntax error is an error naming the line.
pub fn render_check(base: &ClientBase, params: &RenderParams) -> Result<CheckReport> {
    required_template(&params.template)?;
    let template = Template::new(&params.template, &params.options())?;
    let context = build_context(base, &params.source()?)?;
    let variables = template.variables();
    let missing = template::lacking(&variables, &context);
    Ok(CheckReport { variables, missing })
}

/// Params of [`sms_parts`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsParams {
    /// The text of the message.
    pub text: String,
}

/// The encoding, length and parts of an SMS text.
pub fn sms_parts(params: &SmsParams) -> Result<SmsInfo> {
    Ok(sms_info(&params.text))
}
