//! The text syntax to [`Expr`]: a recursive-descent parser whose depth is
//! counted, so that no text can overflow the stack.

use super::ast::*;
use super::lexer::{lex, Tok, Token};
use crate::client::{Channel, RelationKind};

/// A parse error: the byte offset, line and column (from 1, in characters)
/// and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the text.
    pub offset: usize,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, in characters.
    pub column: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl ParseError {
    pub(crate) fn at(text: &str, offset: usize, message: String) -> ParseError {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ParseError {
            offset,
            line,
            column,
            message,
        }
    }
}

/// Parses the text syntax into a condition, within the limits.
pub(crate) fn parse(text: &str) -> Result<Expr, ParseError> {
    let mut parser = Parser::new(text, "the rule")?;
    let expr = parser.or()?;
    if parser.peek() != &Tok::End {
        return Err(parser.expected("`and`, `or` or the end of the rule"));
    }
    check_limits(&expr).map_err(|m| ParseError::at(text, 0, m))?;
    Ok(expr)
}

/// Parses the rows of an aggregate without the function around them:
/// `activities where kind = visit`, `purchases`. The scoring model's event
/// rules are written this way.
pub(crate) fn parse_rows(text: &str) -> Result<(Source, Option<Expr>), ParseError> {
    let mut parser = Parser::new(text, "the text")?;
    let of = Source::ALL
        .into_iter()
        .find(|s| parser.is_word(s.name()))
        .ok_or_else(|| parser.expected("`deals`, `purchases`, `lines` or `activities`"))?;
    parser.bump();
    let filter = if parser.eat_word("where") {
        Some(parser.or()?)
    } else {
        None
    };
    if parser.peek() != &Tok::End {
        return Err(parser.expected(if filter.is_some() {
            "`and`, `or` or the end of the text"
        } else {
            "`where` or the end of the text"
        }));
    }
    if let Some(filter) = &filter {
        check_limits(filter).map_err(|m| ParseError::at(text, 0, m))?;
    }
    Ok((of, filter))
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

const COMPARISONS: &str =
    "a comparison (=, !=, <, <=, >, >=), `in`, `contains`, `is set`, `within` or `more than`";

impl<'a> Parser<'a> {
    /// A parser over `text` (`what` names it in the error of a text too long).
    fn new(text: &'a str, what: &str) -> Result<Parser<'a>, ParseError> {
        if text.len() > limits::MAX_TEXT {
            return Err(ParseError::at(
                text,
                limits::MAX_TEXT,
                format!("{what} is longer than {} bytes", limits::MAX_TEXT),
            ));
        }
        let tokens = lex(text).map_err(|e| ParseError::at(text, e.at, e.message))?;
        Ok(Parser {
            text,
            tokens,
            pos: 0,
            depth: 0,
        })
    }
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].tok
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)].tok
    }

    fn start(&self) -> usize {
        self.tokens[self.pos.min(self.tokens.len() - 1)].start
    }

    fn bump(&mut self) -> Tok {
        let tok = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        tok
    }

    fn error(&self, message: String) -> ParseError {
        ParseError::at(self.text, self.start(), message)
    }

    fn expected(&self, what: &str) -> ParseError {
        self.error(format!("expected {what}, found {}", self.peek().describe()))
    }

    /// Whether the next token is the word `word` (any case).
    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Word(w) if w.eq_ignore_ascii_case(word))
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.is_word(word) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect_word(&mut self, word: &str, what: &str) -> Result<(), ParseError> {
        if self.eat_word(word) {
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), ParseError> {
        if *self.peek() == tok {
            self.bump();
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    fn deeper(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > limits::MAX_DEPTH {
            return Err(self.error(format!(
                "the rule nests deeper than {} levels",
                limits::MAX_DEPTH
            )));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let first = self.and()?;
        if !self.is_word("or") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_word("or") {
            items.push(self.and()?);
        }
        Ok(Expr::Any(items))
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let first = self.unary()?;
        if !self.is_word("and") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_word("and") {
            items.push(self.unary()?);
        }
        Ok(Expr::All(items))
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.eat_word("not") {
            self.deeper()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        match self.peek().clone() {
            Tok::Open => {
                self.bump();
                self.deeper()?;
                let inner = self.or()?;
                self.depth -= 1;
                self.expect(Tok::Close, "`)`, `and` or `or`")?;
                Ok(inner)
            }
            Tok::Quoted(name) => {
                self.bump();
                self.field_tail(name)
            }
            Tok::Word(word) => {
                let lower = word.to_lowercase();
                let call = *self.peek_at(1) == Tok::Open;
                match lower.as_str() {
                    "true" => {
                        self.bump();
                        Ok(Expr::All(Vec::new()))
                    }
                    "false" => {
                        self.bump();
                        Ok(Expr::Any(Vec::new()))
                    }
                    "consent" => {
                        self.bump();
                        Ok(Expr::Consent(self.channel()?))
                    }
                    "has" => {
                        self.bump();
                        self.has()
                    }
                    "related" => {
                        self.bump();
                        self.related()
                    }
                    "in" => {
                        self.bump();
                        self.expect_word("segment", "`segment` after `in`")?;
                        Ok(Expr::Segment(self.name("the segment's name")?))
                    }
                    _ if call && AggFunc::ALL.iter().any(|f| f.name() == lower) => {
                        self.aggregate(&lower)
                    }
                    _ => {
                        self.bump();
                        self.field_tail(word)
                    }
                }
            }
            _ => Err(self.expected(
                "a condition: a field, `not`, `(`, `has`, `consent`, `related`, `in segment` or an aggregate such as `count(deals)`",
            )),
        }
    }

    fn channel(&mut self) -> Result<Channel, ParseError> {
        let (Tok::Word(word) | Tok::Str(word)) = self.peek().clone() else {
            return Err(self.expected("a channel (sms, email, calls, messengers, ads)"));
        };
        let channel = word
            .parse::<Channel>()
            .map_err(|e| self.error(e.reason().to_string()))?;
        self.bump();
        Ok(channel)
    }

    fn has(&mut self) -> Result<Expr, ParseError> {
        let contact = ContactKind::ALL
            .into_iter()
            .find(|kind| self.is_word(kind.name()));
        if let Some(kind) = contact {
            self.bump();
            return Ok(Expr::HasContact(kind));
        }
        let mode = if self.eat_word("any") {
            Some(Mode::Any)
        } else if self.eat_word("all") {
            Some(Mode::All)
        } else {
            None
        };
        if !(self.eat_word("tag") || self.eat_word("tags")) {
            return Err(self.expected(
                "`email`, `phone`, `mobile`, `messenger`, `tag`, `any tag` or `all tags` after `has`",
            ));
        }
        let values = match mode {
            None => vec![self.value()?],
            Some(_) => self.list()?,
        };
        Ok(Expr::Contains(Contains {
            field: "tags".into(),
            mode: mode.unwrap_or(Mode::Any),
            values,
        }))
    }

    fn related(&mut self) -> Result<Expr, ParseError> {
        let mut related = Related::default();
        if let Tok::Word(word) = self.peek() {
            let kind = serde_json::from_value::<RelationKind>(serde_json::Value::String(
                word.to_lowercase(),
            ));
            if let Ok(kind) = kind {
                related.kind = Some(kind);
                self.bump();
            }
        }
        if self.is_word("in")
            && matches!(self.peek_at(1), Tok::Word(w) if w.eq_ignore_ascii_case("segment"))
        {
            self.bump();
            self.bump();
            related.segment = Some(self.name("the segment's name")?);
        }
        Ok(Expr::Related(related))
    }

    /// A name: a word or quoted text.
    fn name(&mut self, what: &str) -> Result<String, ParseError> {
        match self.peek().clone() {
            Tok::Word(w) | Tok::Str(w) | Tok::Quoted(w) => {
                self.bump();
                Ok(w)
            }
            _ => Err(self.expected(what)),
        }
    }

    fn aggregate(&mut self, func: &str) -> Result<Expr, ParseError> {
        let func = AggFunc::ALL
            .into_iter()
            .find(|f| f.name() == func)
            .unwrap_or(AggFunc::Count);
        self.bump();
        self.expect(Tok::Open, "`(`")?;
        let of = Source::ALL
            .into_iter()
            .find(|s| self.is_word(s.name()))
            .ok_or_else(|| self.expected("`deals`, `purchases`, `lines` or `activities`"))?;
        self.bump();
        let filter = if self.eat_word("where") {
            self.deeper()?;
            let filter = self.or()?;
            self.depth -= 1;
            Some(Box::new(filter))
        } else {
            None
        };
        self.expect(Tok::Close, "`where` or `)`")?;
        let Tok::Op(op) = self.peek().clone() else {
            return Err(self.expected("a comparison (=, !=, <, <=, >, >=) after the aggregate"));
        };
        self.bump();
        let value = self.value()?;
        Ok(Expr::Aggregate(Aggregate {
            func,
            of,
            filter,
            op,
            value,
        }))
    }

    fn value(&mut self) -> Result<Literal, ParseError> {
        let literal = match self.peek().clone() {
            Tok::Str(s) => Literal::Text(s),
            Tok::Int(n) => Literal::Integer(n),
            Tok::Dec(d) => Literal::Decimal(d),
            Tok::Date(d) => Literal::Date(d),
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Tok::Word(w) => Literal::Text(w),
            _ => {
                return Err(self
                    .expected("a value: \"text\", a number, a date (2024-03-01), true or false"))
            }
        };
        self.bump();
        Ok(literal)
    }

    fn list(&mut self) -> Result<Vec<Literal>, ParseError> {
        self.expect(Tok::Open, "`(` and a list of values")?;
        let mut values = Vec::new();
        if *self.peek() == Tok::Close {
            self.bump();
            return Ok(values);
        }
        loop {
            values.push(self.value()?);
            if values.len() > limits::MAX_NODES {
                return Err(self.error(format!(
                    "the list has more than {} values",
                    limits::MAX_NODES
                )));
            }
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                }
                Tok::Close => {
                    self.bump();
                    return Ok(values);
                }
                _ => return Err(self.expected("`,` or `)`")),
            }
        }
    }

    fn amount(&mut self) -> Result<u32, ParseError> {
        match self.peek().clone() {
            Tok::Int(n) if u32::try_from(n).is_ok() => {
                self.bump();
                Ok(n as u32)
            }
            _ => Err(self.expected("a whole number of units (0 or more)")),
        }
    }

    fn unit(&mut self) -> Result<Unit, ParseError> {
        let unit = match self.peek() {
            Tok::Word(w) => Unit::from_word(w),
            _ => None,
        };
        let unit = unit.ok_or_else(|| self.expected("`days`, `weeks`, `months` or `years`"))?;
        self.bump();
        Ok(unit)
    }

    fn field_tail(&mut self, field: String) -> Result<Expr, ParseError> {
        if let Tok::Op(op) = self.peek().clone() {
            self.bump();
            let value = self.value()?;
            return Ok(Expr::Compare(Compare { field, op, value }));
        }
        if self.eat_word("in") {
            if *self.peek() == Tok::Open {
                return Ok(Expr::In(InList {
                    field,
                    values: self.list()?,
                }));
            }
            let offset = if self.eat_word("this") {
                Some(0)
            } else if self.eat_word("previous") {
                Some(-1)
            } else if self.eat_word("next") {
                Some(1)
            } else {
                None
            };
            let unit = if self.eat_word("month") {
                Period::Month
            } else if self.eat_word("year") {
                Period::Year
            } else {
                return Err(self.expected(
                    "`(` and a list of values, or a period: `this year`, `previous month`, `year -2`",
                ));
            };
            let offset = match offset {
                Some(offset) => offset,
                None => match self.peek().clone() {
                    Tok::Int(n) if i32::try_from(n).is_ok() => {
                        self.bump();
                        n as i32
                    }
                    _ => return Err(self.expected("the period's offset (0 this, -1 previous)")),
                },
            };
            return Ok(Expr::Calendar(Calendar {
                field,
                unit,
                offset,
            }));
        }
        if self.eat_word("contains") {
            let (mode, values) = if self.eat_word("any") {
                (Mode::Any, self.list()?)
            } else if self.eat_word("all") {
                (Mode::All, self.list()?)
            } else {
                (Mode::Any, vec![self.value()?])
            };
            return Ok(Expr::Contains(Contains {
                field,
                mode,
                values,
            }));
        }
        if self.eat_word("is") {
            let negated = self.eat_word("not");
            self.expect_word("set", "`set` (or `not set`) after `is`")?;
            let test = Expr::IsSet(field);
            return Ok(if negated {
                Expr::Not(Box::new(test))
            } else {
                test
            });
        }
        if self.eat_word("within") {
            let when = if self.eat_word("last") {
                When::WithinLast
            } else if self.eat_word("next") {
                When::WithinNext
            } else {
                return Err(self.expected("`last` or `next` after `within`"));
            };
            let amount = self.amount()?;
            let unit = self.unit()?;
            return Ok(Expr::Relative(Relative {
                field,
                when,
                amount,
                unit,
            }));
        }
        if self.eat_word("more") {
            self.expect_word("than", "`than` after `more`")?;
            let amount = self.amount()?;
            let unit = self.unit()?;
            self.expect_word("ago", "`ago`")?;
            return Ok(Expr::Relative(Relative {
                field,
                when: When::MoreThanAgo,
                amount,
                unit,
            }));
        }
        Err(self.expected(&format!("{COMPARISONS} after the field `{field}`")))
    }
}
