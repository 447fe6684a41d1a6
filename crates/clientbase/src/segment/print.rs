//! [`Expr`] to the text syntax. The text parses back to the same expression
//! (a one-item `all`/`any` prints as its item).

use super::ast::*;
use super::lexer::{is_word_char, is_word_start};
use std::fmt::Write;

/// Words that begin or continue a condition; names spelled like one are
/// printed in backquotes.
const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "contains", "is", "set", "within", "more", "than", "ago", "this",
    "previous", "next", "consent", "has", "related", "segment", "where", "true", "false", "any",
    "all", "count", "sum", "min", "max", "months", "days", "first", "last", "year", "month",
];

fn is_plain(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(is_word_start) && chars.all(is_word_char)
        })
        && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

fn escaped(out: &mut String, text: &str, quote: char) {
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

fn field(out: &mut String, name: &str) {
    if is_plain(name) {
        out.push_str(name);
    } else {
        escaped(out, name, '`');
    }
}

fn name(out: &mut String, name: &str) {
    if is_plain(name) {
        out.push_str(name);
    } else {
        escaped(out, name, '"');
    }
}

pub(crate) fn literal(out: &mut String, value: &Literal) {
    match value {
        Literal::Text(text) => escaped(out, text, '"'),
        Literal::Integer(n) => {
            let _ = write!(out, "{n}");
        }
        Literal::Decimal(d) => out.push_str(d),
        Literal::Date(d) => {
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
        Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

fn list(out: &mut String, values: &[Literal]) {
    out.push('(');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        literal(out, v);
    }
    out.push(')');
}

/// Prints `expr` in the text syntax.
pub(crate) fn print(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr);
    out
}

/// Whether `expr` prints as `a and b` / `a or b` and so needs parentheses
/// inside another `and`, `or` or after `not`.
fn is_compound(expr: &Expr) -> bool {
    matches!(expr, Expr::All(items) | Expr::Any(items) if items.len() >= 2)
}

fn write_expr(out: &mut String, expr: &Expr) {
    match expr {
        Expr::All(items) | Expr::Any(items) => {
            let all = matches!(expr, Expr::All(_));
            match items.len() {
                0 => out.push_str(if all { "true" } else { "false" }),
                1 => write_expr(out, &items[0]),
                _ => {
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push_str(if all { " and " } else { " or " });
                        }
                        if is_compound(item) {
                            out.push('(');
                            write_expr(out, item);
                            out.push(')');
                        } else {
                            write_expr(out, item);
                        }
                    }
                }
            }
        }
        Expr::Not(inner) => {
            if let Expr::IsSet(f) = &**inner {
                field(out, f);
                out.push_str(" is not set");
            } else if is_compound(inner) {
                out.push_str("not (");
                write_expr(out, inner);
                out.push(')');
            } else {
                out.push_str("not ");
                write_expr(out, inner);
            }
        }
        Expr::Compare(c) => {
            field(out, &c.field);
            let _ = write!(out, " {} ", c.op.symbol());
            literal(out, &c.value);
        }
        Expr::In(c) => {
            field(out, &c.field);
            out.push_str(" in ");
            list(out, &c.values);
        }
        Expr::Contains(c) => {
            field(out, &c.field);
            match (c.mode, c.values.as_slice()) {
                (Mode::Any, [one]) => {
                    out.push_str(" contains ");
                    literal(out, one);
                }
                (Mode::Any, values) => {
                    out.push_str(" contains any ");
                    list(out, values);
                }
                (Mode::All, values) => {
                    out.push_str(" contains all ");
                    list(out, values);
                }
            }
        }
        Expr::IsSet(f) => {
            field(out, f);
            out.push_str(" is set");
        }
        Expr::Relative(r) => {
            field(out, &r.field);
            let _ = match r.when {
                When::WithinLast => write!(out, " within last {} {}", r.amount, r.unit.name()),
                When::WithinNext => write!(out, " within next {} {}", r.amount, r.unit.name()),
                When::MoreThanAgo => write!(out, " more than {} {} ago", r.amount, r.unit.name()),
            };
        }
        Expr::Calendar(c) => {
            field(out, &c.field);
            let unit = match c.unit {
                Period::Month => "month",
                Period::Year => "year",
            };
            let _ = match c.offset {
                0 => write!(out, " in this {unit}"),
                -1 => write!(out, " in previous {unit}"),
                1 => write!(out, " in next {unit}"),
                n => write!(out, " in {unit} {n}"),
            };
        }
        Expr::Consent(channel) => {
            let _ = write!(out, "consent {}", channel.name());
        }
        Expr::HasContact(kind) => {
            let _ = write!(out, "has {}", kind.name());
        }
        Expr::Related(r) => {
            out.push_str("related");
            if let Some(kind) = r.kind {
                let _ = write!(out, " {}", kind.name());
            }
            if let Some(segment) = &r.segment {
                out.push_str(" in segment ");
                name(out, segment);
            }
        }
        Expr::Segment(segment) => {
            out.push_str("in segment ");
            name(out, segment);
        }
        Expr::Aggregate(a) => {
            let _ = write!(out, "{}({}", a.func.name(), a.of.name());
            if let Some(filter) = &a.filter {
                out.push_str(" where ");
                write_expr(out, filter);
            }
            let _ = write!(out, ") {} ", a.op.symbol());
            literal(out, &a.value);
        }
    }
}
