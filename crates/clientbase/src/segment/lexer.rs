//! Tokens of the rule text, each with its byte span.

use chrono::NaiveDate;

/// A token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A word or a dotted path: `city`, `custom.rooms`, `and`.
    Word(String),
    /// A name in backquotes: `` `этаж квартиры` ``.
    Quoted(String),
    /// Text in double quotes or «ёлочки».
    Str(String),
    /// An integer.
    Int(i64),
    /// A decimal as written.
    Dec(String),
    /// A date `yyyy-mm-dd`.
    Date(NaiveDate),
    /// `(`
    Open,
    /// `)`
    Close,
    /// `,`
    Comma,
    /// `=`, `!=`, `<`, `<=`, `>`, `>=`
    Op(super::ast::CmpOp),
    /// The end of the text.
    End,
}

impl Tok {
    /// How an error message names the token.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("`{w}`"),
            Tok::Quoted(w) => format!("the name `{w}`"),
            Tok::Str(s) => format!("the text {s:?}"),
            Tok::Int(n) => format!("the number {n}"),
            Tok::Dec(d) => format!("the number {d}"),
            Tok::Date(d) => format!("the date {d}"),
            Tok::Open => "`(`".into(),
            Tok::Close => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Op(op) => format!("`{}`", op.symbol()),
            Tok::End => "the end of the rule".into(),
        }
    }
}

/// A token and where it starts and ends (bytes).
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
}

/// A lexing error: where and why.
#[derive(Debug)]
pub(crate) struct LexError {
    pub at: usize,
    pub message: String,
}

pub(crate) fn is_word_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits `text` into tokens, ending with [`Tok::End`].
pub(crate) fn lex(text: &str) -> Result<Vec<Token>, LexError> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    let at = |i: usize| chars.get(i).map_or(text.len(), |&(pos, _)| pos);
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let err = |message: String| LexError { at: start, message };
        let tok = match c {
            '(' => {
                i += 1;
                Tok::Open
            }
            ')' => {
                i += 1;
                Tok::Close
            }
            ',' => {
                i += 1;
                Tok::Comma
            }
            '=' => {
                i += if chars.get(i + 1).map(|c| c.1) == Some('=') {
                    2
                } else {
                    1
                };
                Tok::Op(super::ast::CmpOp::Eq)
            }
            '!' | '<' | '>' => {
                let next = chars.get(i + 1).map(|c| c.1);
                let (op, len) = match (c, next) {
                    ('!', Some('=')) => (super::ast::CmpOp::Ne, 2),
                    ('<', Some('>')) => (super::ast::CmpOp::Ne, 2),
                    ('<', Some('=')) => (super::ast::CmpOp::Le, 2),
                    ('<', _) => (super::ast::CmpOp::Lt, 1),
                    ('>', Some('=')) => (super::ast::CmpOp::Ge, 2),
                    ('>', _) => (super::ast::CmpOp::Gt, 1),
                    _ => return Err(err("expected `!=` after `!`".into())),
                };
                i += len;
                Tok::Op(op)
            }
            '"' | '`' => {
                let (value, next) = quoted(&chars, i, c).map_err(|(pos, message)| LexError {
                    at: at(pos),
                    message,
                })?;
                i = next;
                if c == '"' {
                    Tok::Str(value)
                } else {
                    Tok::Quoted(value)
                }
            }
            '«' => {
                let mut j = i + 1;
                let mut value = String::new();
                loop {
                    match chars.get(j) {
                        None => return Err(err("the text opened by `«` is not closed by `»`".into())),
                        Some((_, '»')) => break,
                        Some((_, ch)) => value.push(*ch),
                    }
                    j += 1;
                }
                i = j + 1;
                Tok::Str(value)
            }
            '-' | '0'..='9' => {
                let (tok, next) = number(text, &chars, i).map_err(err)?;
                i = next;
                tok
            }
            c if is_word_start(c) => {
                let mut j = i;
                loop {
                    while j < chars.len() && is_word_char(chars[j].1) {
                        j += 1;
                    }
                    // A dot joins path segments: `custom.rooms`, `rfm.segment`.
                    if j + 1 < chars.len() && chars[j].1 == '.' && is_word_start(chars[j + 1].1) {
                        j += 1;
                        continue;
                    }
                    break;
                }
                let word = text[start..at(j)].to_string();
                i = j;
                Tok::Word(word)
            }
            other => {
                return Err(err(format!(
                    "unexpected character {other:?}: expected a name, a value, an operator or parentheses"
                )))
            }
        };
        out.push(Token { tok, start });
    }
    out.push(Token {
        tok: Tok::End,
        start: text.len(),
    });
    Ok(out)
}

/// Reads text between `quote`s from `chars[open]` with the escapes `\\`,
/// `\"`, `` \` ``, `\n`, `\r`, `\t` and `\u{hex}`; returns the text and the
/// index after the closing quote, or the index and reason of the error.
fn quoted(
    chars: &[(usize, char)],
    open: usize,
    quote: char,
) -> Result<(String, usize), (usize, String)> {
    let mut value = String::new();
    let mut j = open + 1;
    loop {
        match chars.get(j) {
            None => {
                return Err((
                    open,
                    format!("the text opened by `{quote}` here is not closed"),
                ))
            }
            Some(&(_, c)) if c == quote => return Ok((value, j + 1)),
            Some(&(_, '\\')) => {
                let escaped = chars.get(j + 1).map(|c| c.1);
                match escaped {
                    Some('\\') => value.push('\\'),
                    Some('"') => value.push('"'),
                    Some('`') => value.push('`'),
                    Some('n') => value.push('\n'),
                    Some('r') => value.push('\r'),
                    Some('t') => value.push('\t'),
                    Some('u') if chars.get(j + 2).map(|c| c.1) == Some('{') => {
                        let mut k = j + 3;
                        let mut hex = String::new();
                        while let Some(&(_, h)) = chars.get(k) {
                            if h == '}' || hex.len() > 6 {
                                break;
                            }
                            hex.push(h);
                            k += 1;
                        }
                        let ch = (chars.get(k).map(|c| c.1) == Some('}'))
                            .then(|| u32::from_str_radix(&hex, 16).ok())
                            .flatten()
                            .and_then(char::from_u32)
                            .ok_or_else(|| {
                                (
                                    j,
                                    "`\\u{...}` needs the hex code of a character".to_string(),
                                )
                            })?;
                        value.push(ch);
                        j = k + 1;
                        continue;
                    }
                    _ => {
                        return Err((
                            j,
                            "unknown escape: write \\\\, \\\", \\`, \\n, \\r, \\t or \\u{hex}"
                                .to_string(),
                        ))
                    }
                }
                j += 2;
            }
            Some(&(_, c)) => {
                value.push(c);
                j += 1;
            }
        }
    }
}

/// Reads a number or a date at `chars[i]`: `-12`, `99999.99`, `2024-02-29`.
fn number(text: &str, chars: &[(usize, char)], i: usize) -> Result<(Tok, usize), String> {
    let digit = |k: usize| chars.get(k).is_some_and(|c| c.1.is_ascii_digit());
    let pos = |k: usize| chars.get(k).map_or(text.len(), |c| c.0);
    let start = i;
    let mut j = i;
    if chars[j].1 == '-' {
        if !digit(j + 1) {
            return Err("expected a digit after `-`".into());
        }
        j += 1;
    }
    let digits_from = j;
    while digit(j) {
        j += 1;
    }
    let is_date = chars[start].1 != '-'
        && j - digits_from == 4
        && chars.get(j).map(|c| c.1) == Some('-')
        && digit(j + 1)
        && digit(j + 2)
        && chars.get(j + 3).map(|c| c.1) == Some('-')
        && digit(j + 4)
        && digit(j + 5)
        && !digit(j + 6);
    if is_date {
        let end = j + 6;
        let written = &text[pos(start)..pos(end)];
        return NaiveDate::parse_from_str(written, "%Y-%m-%d")
            .map(|d| (Tok::Date(d), end))
            .map_err(|_| format!("{written} is not a calendar date"));
    }
    if chars.get(j).map(|c| c.1) == Some('.') {
        if !digit(j + 1) {
            return Err("expected digits after the decimal point".into());
        }
        let mut k = j + 1;
        while digit(k) {
            k += 1;
        }
        let written = &text[pos(start)..pos(k)];
        if !super::ast::is_decimal(written) {
            return Err(format!(
                "{written} has too many digits (at most 18 before and after the point)"
            ));
        }
        return Ok((Tok::Dec(written.to_string()), k));
    }
    if chars.get(j).is_some_and(|c| is_word_char(c.1)) {
        return Err(
            "a name cannot start with a digit: write it in backquotes (`2nd floor`)".into(),
        );
    }
    let written = &text[pos(start)..pos(j)];
    written
        .parse::<i64>()
        .map(|n| (Tok::Int(n), j))
        .map_err(|_| format!("{written} is too large for an integer"))
}
