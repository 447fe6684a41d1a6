//! The template engine: Jinja syntax through minijinja, sandboxed and
//! limited, with strict checking of the values a template prints.

use super::filters::{self, MoneyValue, PersonValue};
use crate::client::PersonName;
use crate::error::{invalid, Error, Result};
use crate::name::Gender;
use minijinja::value::Value as MjValue;
use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How much an untrusted template may do. Hitting a limit is an
/// [`ErrorKind::InvalidValue`] error whose field names the limit
/// (`limits.fuel`) and whose record is the template line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Instructions one rendering may run (default 1 000 000, about a
    /// million loop steps and prints; a commercial offer of ten lines takes
    /// a few hundred). An endless loop stops here.
    pub fuel: u64,
    /// Bytes one rendering may write (default 1 048 576, 1 MiB).
    pub max_output_bytes: usize,
    /// How deep macros and blocks may call each other (default 32, at most 500).
    pub max_depth: usize,
    /// Bytes of template text accepted (default 262 144, 256 KiB).
    pub max_template_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: 1_000_000,
            max_output_bytes: 1 << 20,
            max_depth: 32,
            max_template_bytes: 256 << 10,
        }
    }
}

impl Limits {
    /// Checks each limit is usable.
    pub fn validate(&self) -> Result<()> {
        if self.fuel == 0 {
            return Err(invalid("limits.fuel", "must be at least 1"));
        }
        if self.max_output_bytes == 0 {
            return Err(invalid("limits.max_output_bytes", "must be at least 1"));
        }
        if !(1..=500).contains(&self.max_depth) {
            return Err(invalid(
                "limits.max_depth",
                format!("{} is not 1 to 500", self.max_depth),
            ));
        }
        if self.max_template_bytes == 0 {
            return Err(invalid("limits.max_template_bytes", "must be at least 1"));
        }
        Ok(())
    }
}

/// How printed values are escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Escape {
    /// As they are: texts, SMS, plain email (the default).
    #[default]
    None,
    /// HTML: `<`, `>`, `&`, `"`, `'` as entities (HTML email bodies).
    Html,
    /// The text of a Word document (WordprocessingML, what DOCX templates
    /// use): `<`, `>`, `&`, `"` as XML entities, a line break as `<w:br/>`, a
    /// tab as `<w:tab/>`, characters XML cannot hold dropped. A value marked
    /// `| safe` is written as it is (raw XML).
    Docx,
}

/// How a template is compiled and run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateOptions {
    /// A printed value that is missing, `null` or empty is an error naming
    /// it and its line (default true); otherwise it prints as nothing
    /// (`null` too, never as `none`).
    pub strict: bool,
    /// How printed values are escaped.
    pub escape: Escape,
    /// The limits.
    pub limits: Limits,
}

impl Default for TemplateOptions {
    fn default() -> TemplateOptions {
        TemplateOptions {
            strict: true,
            escape: Escape::None,
            limits: Limits::default(),
        }
    }
}

const NAME: &str = "template";
/// The marker of the strict formatter's error.
const EMPTY: &str = "the value is empty";

/// A compiled template, ready to render many contexts (from many threads).
///
/// ```
/// use clientbase::render::{Template, TemplateOptions, RenderContext};
/// let t = Template::new("{{ total | money }}: {{ total | amount_words }}", &TemplateOptions::default())?;
/// let ctx = RenderContext::new(serde_json::json!({"total": {"amount": "2001.05", "currency": "RUB"}}));
/// assert_eq!(t.render(&ctx)?, "2\u{a0}001,05\u{a0}₽: Две тысячи один рубль 05 копеек");
/// # Ok::<(), clientbase::Error>(())
/// ```
pub struct Template {
    env: Environment<'static>,
    source: Arc<str>,
    limits: Limits,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// A context converted once for rendering: money and people typed (see
/// [`context`](super::context)).
#[derive(Debug, Clone)]
pub struct RenderContext {
    json: Value,
    value: MjValue,
}

impl RenderContext {
    /// Converts a JSON context.
    pub fn new(json: Value) -> RenderContext {
        let value = to_template_value(&json);
        RenderContext { json, value }
    }

    /// The context as JSON data.
    pub fn json(&self) -> &Value {
        &self.json
    }
}

fn is_money(map: &serde_json::Map<String, Value>) -> Option<crate::money::Money> {
    if map.len() != 2 {
        return None;
    }
    let amount = map.get("amount")?.as_str()?;
    let currency = crate::money::Currency::new(map.get("currency")?.as_str()?).ok()?;
    crate::money::Money::parse(amount, currency).ok()
}

fn is_person(map: &serde_json::Map<String, Value>) -> Option<PersonValue> {
    const KEYS: [&str; 4] = ["surname", "given", "patronymic", "gender"];
    if map.is_empty() || !map.keys().all(|k| KEYS.contains(&k.as_str())) {
        return None;
    }
    let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_string);
    let name = PersonName {
        surname: text("surname"),
        given: text("given"),
        patronymic: text("patronymic"),
    };
    if name.surname.is_none() && name.given.is_none() && name.patronymic.is_none() {
        return None;
    }
    let gender = match map.get("gender").and_then(Value::as_str) {
        Some("male") => Some(Gender::Male),
        Some("female") => Some(Gender::Female),
        _ => super::petrovich::name_gender(&name),
    };
    Some(PersonValue { name, gender })
}

/// A JSON value as a template value: money and person objects typed.
pub(crate) fn to_template_value(json: &Value) -> MjValue {
    match json {
        Value::Null => MjValue::from(()),
        Value::Bool(b) => MjValue::from(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => MjValue::from(i),
            (_, Some(u), _) => MjValue::from(u),
            (_, _, Some(f)) => MjValue::from(f),
            _ => MjValue::from(()),
        },
        Value::String(s) => MjValue::from(s.as_str()),
        Value::Array(items) => {
            MjValue::from(items.iter().map(to_template_value).collect::<Vec<_>>())
        }
        Value::Object(map) => {
            if let Some(money) = is_money(map) {
                return MjValue::from_object(MoneyValue(money));
            }
            if let Some(person) = is_person(map) {
                return MjValue::from_object(person);
            }
            MjValue::from_object(Record::new(
                map.iter().map(|(k, v)| (k.as_str(), to_template_value(v))),
            ))
        }
    }
}

/// A JSON object in a template: a map whose keys are sorted (it iterates as
/// a sorted map does) and looked up by comparing lengths first, which for
/// the few keys of a record is quicker than a tree.
#[derive(Debug)]
struct Record {
    keys: Box<[Box<str>]>,
    values: Box<[MjValue]>,
}

impl Record {
    fn new<'a>(entries: impl Iterator<Item = (&'a str, MjValue)>) -> Record {
        let mut entries: Vec<(&str, MjValue)> = entries.collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        entries.dedup_by(|a, b| a.0 == b.0);
        let keys = entries.iter().map(|(k, _)| Box::from(*k)).collect();
        let values = entries.into_iter().map(|(_, v)| v).collect();
        Record { keys, values }
    }

    fn find(&self, key: &str) -> Option<&MjValue> {
        let at = if self.keys.len() <= 24 {
            self.keys
                .iter()
                .position(|k| k.len() == key.len() && **k == *key)?
        } else {
            self.keys.binary_search_by(|k| (**k).cmp(key)).ok()?
        };
        self.values.get(at)
    }
}

impl minijinja::value::Object for Record {
    fn repr(self: &Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &MjValue) -> Option<MjValue> {
        self.find(key.as_str()?).cloned()
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<MjValue> {
        self.find(key).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        use minijinja::value::ObjectExt;
        self.mapped_rev_key_value_enumerator(|this| {
            Box::new(
                this.keys
                    .iter()
                    .zip(this.values.iter())
                    .map(|(k, v)| (MjValue::from(&**k), v.clone())),
            )
        })
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.keys.len())
    }
}

/// Writes into memory as text, refusing past the limit. The engine writes
/// text only, but hands it over as bytes; a piece of the template's own text
/// (most of what it writes) is taken from the template as text, a value
/// the formatter prints from the text it staged ([`print`]), anything else
/// is checked as UTF-8.
struct Capped<'a> {
    buf: String,
    max: usize,
    over: &'a AtomicBool,
    source: &'a str,
}

impl std::io::Write for Capped<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.write_all(data).map(|()| data.len())
    }

    // The engine writes each piece with `write_all`: taken whole, in one step.
    fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        if self.buf.len() + data.len() > self.max {
            self.over.store(true, Ordering::Relaxed);
            return Err(std::io::Error::other("output limit"));
        }
        // The same memory as a piece of the source: that piece, as text.
        let own = (data.as_ptr() as usize)
            .checked_sub(self.source.as_ptr() as usize)
            .and_then(|start| self.source.get(start..start.checked_add(data.len())?));
        if let Some(text) = own {
            self.buf.push_str(text);
            return Ok(());
        }
        // The same memory as the text the formatter staged: that text.
        let staged = STAGED.with(|cell| {
            let staged = cell.try_borrow().ok()?;
            (staged.as_ptr() == data.as_ptr() && staged.len() == data.len())
                .then(|| self.buf.push_str(&staged))
        });
        if staged.is_none() {
            self.buf.push_str(
                std::str::from_utf8(data)
                    .map_err(|_| std::io::Error::other("the output is not UTF-8"))?,
            );
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

thread_local! {
    /// The text the formatter is printing, so that [`Capped`] takes it as
    /// text without checking it again.
    static STAGED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Prints `text` through the engine's output (which may be capturing it
/// into a variable rather than writing it out), staged so that the writer
/// knows it for text.
fn print(out: &mut minijinja::Output<'_>, text: &str) -> std::fmt::Result {
    print_with(out, |staged| staged.push_str(text))
}

/// Prints what `fill` writes into an empty text, as [`print`] does.
fn print_with(out: &mut minijinja::Output<'_>, fill: impl FnOnce(&mut String)) -> std::fmt::Result {
    STAGED.with(|cell| {
        let Ok(mut staged) = cell.try_borrow_mut() else {
            // Printing from inside a print: a text of its own.
            let mut text = String::new();
            fill(&mut text);
            return out.write_str(&text);
        };
        staged.clear();
        fill(&mut staged);
        drop(staged);
        let written = out.write_str(&cell.borrow());
        if let Ok(mut staged) = cell.try_borrow_mut() {
            if staged.capacity() > 4096 {
                *staged = String::new();
            }
        }
        written
    })
}

/// A whole number printed in decimal, through [`print`].
fn print_integer(out: &mut minijinja::Output<'_>, n: i64) -> std::fmt::Result {
    match u64::try_from(n) {
        // A few digits (a line's number): written as they are, the writer's
        // check of three bytes costs less than staging them.
        Ok(small @ 0..=999) => out.write_str(filters::small_number(small)),
        _ => print_with(out, |text| filters::push_integer(text, n)),
    }
}

/// A missing value passes through a filter as it is, so that strict mode
/// names the variable when it is printed and lenient mode prints nothing.
fn absent(value: &MjValue) -> bool {
    value.is_undefined() || value.is_none()
}

type MjResult = std::result::Result<MjValue, minijinja::Error>;

fn add_filters(env: &mut Environment<'static>) {
    env.add_filter("money", |v: &MjValue, suffix: Option<&str>| -> MjResult {
        if absent(v) {
            return Ok(v.clone());
        }
        filters::money(v, suffix)
    });
    env.add_filter(
        "amount_words",
        |v: &MjValue, style: Option<&str>| -> MjResult {
            if absent(v) {
                return Ok(v.clone());
            }
            filters::amount_words_filter(v, style).map(MjValue::from)
        },
    );
    env.add_filter(
        "number_words",
        |v: &MjValue, gender: Option<&str>| -> MjResult {
            if absent(v) {
                return Ok(v.clone());
            }
            filters::number_words_filter(v, gender).map(MjValue::from)
        },
    );
    env.add_filter(
        "plural",
        |v: &MjValue, one: &str, few: &str, many: &str| -> MjResult {
            if absent(v) {
                return Ok(v.clone());
            }
            filters::plural_filter(v, one, few, many)
        },
    );
    env.add_filter("vat", |v: &MjValue, rate: Option<MjValue>| -> MjResult {
        if absent(v) {
            return Ok(v.clone());
        }
        filters::vat_filter(v, rate)
    });
    env.add_filter("date_ru", |v: &MjValue, style: Option<&str>| -> MjResult {
        if absent(v) {
            return Ok(v.clone());
        }
        filters::date_ru(v, style).map(MjValue::from)
    });
    env.add_filter("initials", |v: &MjValue| -> MjResult {
        if absent(v) {
            return Ok(v.clone());
        }
        filters::initials(v).map(MjValue::from)
    });
    env.add_filter("initials_first", |v: &MjValue| -> MjResult {
        if absent(v) {
            return Ok(v.clone());
        }
        filters::initials_first(v).map(MjValue::from)
    });
    let inflect = |v: &MjValue, case: &str, gender: Option<&str>| -> MjResult {
        if absent(v) {
            return Ok(v.clone());
        }
        filters::inflect_filter(v, case, gender).map(MjValue::from)
    };
    env.add_filter("inflect", inflect);
    env.add_filter("case", inflect);
}

impl Template {
    /// Compiles `source`; a syntax error names its line, a template over
    /// [`Limits::max_template_bytes`] is refused.
    pub fn new(source: &str, options: &TemplateOptions) -> Result<Template> {
        Template::new_located(source.to_string(), options).map_err(|(err, _)| err)
    }

    /// [`Template::new`] from an owned source; an error comes with the byte
    /// range of the source it is about, when known (DOCX maps it back to a
    /// paragraph).
    pub(crate) fn new_located(
        source: String,
        options: &TemplateOptions,
    ) -> std::result::Result<Template, (Error, Option<std::ops::Range<usize>>)> {
        let limits = options.limits;
        limits.validate().map_err(|e| (e, None))?;
        if source.len() > limits.max_template_bytes {
            return Err((
                invalid(
                    "limits.max_template_bytes",
                    format!(
                        "the template is {} bytes, more than {}",
                        source.len(),
                        limits.max_template_bytes
                    ),
                ),
                None,
            ));
        }
        Template::build(source, options)
    }

    fn build(
        source: String,
        options: &TemplateOptions,
    ) -> std::result::Result<Template, (Error, Option<std::ops::Range<usize>>)> {
        let limits = options.limits;
        let mut env = Environment::new();
        env.set_debug(true);
        env.set_keep_trailing_newline(true);
        env.set_fuel(Some(limits.fuel));
        env.set_recursion_limit(limits.max_depth);
        let strict = options.strict;
        env.set_undefined_behavior(if strict {
            UndefinedBehavior::SemiStrict
        } else {
            UndefinedBehavior::Lenient
        });
        let escape = options.escape;
        env.set_auto_escape_callback(move |_| match escape {
            Escape::None | Escape::Docx => minijinja::AutoEscape::None,
            Escape::Html => minijinja::AutoEscape::Html,
        });
        env.set_formatter(move |out, state, value| {
            let text = value.as_str();
            if strict
                && (value.is_none()
                    || value.is_undefined()
                    || text.is_some_and(|s| s.chars().all(char::is_whitespace)))
            {
                return Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    EMPTY,
                ));
            }
            if let (Escape::None, Some(text)) = (escape, text) {
                // Text as it is, without the formatting machinery.
                return print(out, text).map_err(minijinja::Error::from);
            }
            if value.is_none() {
                // Lenient: a missing value prints as nothing, never as "none".
                return Ok(());
            }
            if escape == Escape::Docx && !value.is_safe() {
                return match text {
                    Some(text) => write_docx_text(out, text),
                    None => write_docx_text(out, &value.to_string()),
                }
                .map_err(minijinja::Error::from);
            }
            if value.is_integer() {
                // A whole number (a line's number, a count) needs no escaping.
                if let Some(n) = value.as_i64() {
                    return print_integer(out, n).map_err(minijinja::Error::from);
                }
            }
            minijinja::escape_formatter(out, state, value)
        });
        add_filters(&mut env);
        let source: Arc<str> = Arc::from(source);
        env.add_template_owned(NAME, source.to_string())
            .map_err(|e| {
                let range = e.range();
                (template_error(e, &source, &limits, false), range)
            })?;
        Ok(Template {
            env,
            source,
            limits,
        })
    }

    /// The template's text.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Renders `context`; an error names the template line and the variable
    /// or limit.
    pub fn render(&self, context: &RenderContext) -> Result<String> {
        self.render_located(context).map_err(|(err, _)| err)
    }

    /// [`Template::render`], an error with the byte range of the source it
    /// is about, when known.
    pub(crate) fn render_located(
        &self,
        context: &RenderContext,
    ) -> std::result::Result<String, (Error, Option<std::ops::Range<usize>>)> {
        let template = self
            .env
            .get_template(NAME)
            .map_err(|e| (template_error(e, &self.source, &self.limits, false), None))?;
        let over = AtomicBool::new(false);
        let mut out = Capped {
            buf: String::with_capacity(self.source.len() * 2),
            max: self.limits.max_output_bytes,
            over: &over,
            source: template.source(),
        };
        match template.render_captured_to(&context.value, &mut out) {
            Ok(_) => Ok(out.buf),
            Err(err) => {
                let range = err.range();
                Err((
                    template_error(
                        err,
                        &self.source,
                        &self.limits,
                        over.load(Ordering::Relaxed),
                    ),
                    range,
                ))
            }
        }
    }

    /// The variables the template reads from its context, as dotted paths
    /// (`client.name`, `deal.lines`), sorted; loop variables and names the
    /// template sets itself are not among them.
    pub fn variables(&self) -> Vec<String> {
        let Ok(template) = self.env.get_template(NAME) else {
            return Vec::new();
        };
        let globals: BTreeSet<&str> = self.env.globals().map(|(name, _)| name).collect();
        let mut names: Vec<String> = template
            .undeclared_variables(true)
            .into_iter()
            .filter(|v| !globals.contains(v.split('.').next().unwrap_or(v)))
            .collect();
        names.sort();
        names
    }
}

/// Writes a printed value as the text of a Word run (see [`Escape::Docx`]).
fn write_docx_text(out: &mut minijinja::Output<'_>, text: &str) -> std::fmt::Result {
    let mut plain = 0;
    for (i, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\n' => "</w:t><w:br/><w:t xml:space=\"preserve\">",
            '\t' => "</w:t><w:tab/><w:t xml:space=\"preserve\">",
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => "",
            _ => continue,
        };
        out.write_str(&text[plain..i])?;
        out.write_str(replacement)?;
        plain = i + c.len_utf8();
    }
    out.write_str(&text[plain..])
}

/// The variable an expression starts with: `client.email` of `client.email | upper`.
fn variable_of(expression: &str) -> Option<String> {
    let name: String = expression
        .trim()
        .trim_start_matches(['(', '{', ' '])
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
        .collect();
    let name = name.trim_matches('.').to_string();
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// The variable a failing part of the template reads: the part itself when
/// it is a variable (`client.nmae`), else the first variable of the tag it is
/// in (`client.nmae` of `{{ client.nmae | upper }}` when `upper` failed).
fn failing_variable(source: &str, range: std::ops::Range<usize>) -> Option<String> {
    let part = source.get(range.clone())?;
    let before = source.get(..range.start)?.trim_end();
    if !before.ends_with('|') && !before.ends_with('(') {
        if let Some(v) = variable_of(part) {
            return Some(v);
        }
    }
    let open = before.rfind("{{").max(before.rfind("{%"))?;
    let after = source.get(open + 2..)?;
    let close = after
        .find("}}")
        .into_iter()
        .chain(after.find("%}"))
        .min()
        .unwrap_or(after.len());
    let mut inner = after[..close].trim_start_matches(['-', '+']).trim();
    for keyword in ["if ", "elif ", "set ", "for "] {
        if let Some(rest) = inner.strip_prefix(keyword) {
            inner = rest.trim_start();
            if keyword == "for " {
                inner = inner
                    .split_once(" in ")
                    .map_or(inner, |(_, r)| r.trim_start());
            }
            if keyword == "set " {
                inner = inner.split_once('=').map_or(inner, |(_, r)| r.trim_start());
            }
        }
    }
    variable_of(inner)
}

fn template_error(err: minijinja::Error, source: &str, limits: &Limits, over: bool) -> Error {
    use minijinja::ErrorKind as K;
    let expression = err
        .range()
        .and_then(|r| source.get(r))
        .map(|s| s.trim().to_string());
    let detail = err.detail().unwrap_or_default().to_string();
    let error = match err.kind() {
        K::SyntaxError => invalid("template", format!("syntax error: {detail}")),
        K::OutOfFuel => invalid(
            "limits.fuel",
            format!("the template ran out of fuel ({} instructions): a loop that does not end, or raise the limit", limits.fuel),
        ),
        K::WriteFailure if over => invalid(
            "limits.max_output_bytes",
            format!("the output grew over {} bytes", limits.max_output_bytes),
        ),
        K::InvalidOperation if detail.contains("recursion limit") => invalid(
            "limits.max_depth",
            format!("calls nest deeper than {}", limits.max_depth),
        ),
        K::UndefinedError | K::InvalidOperation
            if err.kind() == K::UndefinedError || detail == EMPTY =>
        {
            let variable = err.range().and_then(|r| failing_variable(source, r));
            let what = if err.kind() == K::UndefinedError { "missing" } else { "empty" };
            match variable {
                Some(v) => invalid(v.clone(), format!("{v} is {what} (strict mode: every printed value must be there)")),
                None => invalid("template", format!("a value is {what} (strict mode)")),
            }
        }
        K::TemplateNotFound => {
            invalid("template", "templates cannot include, import or extend other templates")
        }
        _ => {
            let reason = if detail.is_empty() { err.kind().to_string() } else { detail };
            match expression {
                Some(e) if !e.is_empty() => invalid("template", format!("{e}: {reason}")),
                _ => invalid("template", reason),
            }
        }
    };
    match err.line() {
        Some(line) => error.with_record(format!("template line {line}")),
        None => error,
    }
    .with_source(err)
}

/// The variables a template reads and which of them `context` lacks
/// (missing, `null` or empty text).
pub(crate) fn lacking(variables: &[String], context: &Value) -> Vec<String> {
    variables
        .iter()
        .filter(|path| {
            let mut at = context;
            for key in path.split('.') {
                match at.get(key) {
                    Some(next) => at = next,
                    None => return true,
                }
            }
            match at {
                Value::Null => true,
                Value::String(s) => s.trim().is_empty(),
                _ => false,
            }
        })
        .cloned()
        .collect()
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<Template>();
    is::<RenderContext>();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, context: Value) -> Result<String> {
        Template::new(template, &TemplateOptions::default())?.render(&RenderContext::new(context))
    }

    #[test]
    fn printed_values_land_where_the_template_puts_them() {
        // Values printed while the engine captures output (set blocks,
        // filter blocks, macros and their callers) go into the capture,
        // not straight to the text.
        let context = serde_json::json!({"name": "Ёжик", "n": -42, "big": i64::MIN, "zero": 0});
        let template = "{% set x %}[{{ name }}|{{ n }}]{% endset %}\
            {% filter upper %}{{ name }}{% endfilter %}/{{ x }}{{ x | length }}/\
            {% macro m() %}<{{ caller() }}{{ name }}>{% endmacro %}{% call m() %}{{ zero }}{% endcall %}/\
            {{ big }}/{{ name ~ n }}/{{ [name, n] | join(',') }}";
        assert_eq!(
            render(template, context).unwrap(),
            format!("ЁЖИК/[Ёжик|-42]10/<0Ёжик>/{}/Ёжик-42/Ёжик,-42", i64::MIN)
        );
    }

    #[test]
    fn the_output_limit_counts_printed_values() {
        let limits = Limits {
            max_output_bytes: 10,
            ..Limits::default()
        };
        let options = TemplateOptions {
            limits,
            ..TemplateOptions::default()
        };
        let t = Template::new("{{ a }}{{ b }}", &options).unwrap();
        let ok = RenderContext::new(serde_json::json!({"a": "ёжик", "b": 12}));
        assert_eq!(t.render(&ok).unwrap(), "ёжик12");
        let over = RenderContext::new(serde_json::json!({"a": "ёжик", "b": 123}));
        let err = t.render(&over).unwrap_err();
        assert_eq!(err.field(), Some("limits.max_output_bytes"), "{err}");
    }
}
