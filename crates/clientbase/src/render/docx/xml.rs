//! One part of a DOCX (`word/document.xml`, a header, a footer) turned into
//! one Jinja template: the tags Word or LibreOffice split across runs are
//! joined into the first run, the `{%p %}` / `{%tr %}` / `{%tc %}` / `{%r %}`
//! block tags replace the element they sit in, and every tag is remembered
//! with its place (paragraph, table cell) for the error messages.

use crate::error::{invalid, Error, Result};
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Start,
    End,
    Empty,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    /// Byte range of the token in the part.
    start: usize,
    end: usize,
    /// The qualified element name (`w:p`), empty for text and the rest.
    name: &'a str,
    /// For a start tag, the index of its end tag, and back.
    pair: usize,
}

/// A tag of the part as the template holds it.
#[derive(Debug, Clone)]
pub(super) struct TagAt {
    /// Byte offset of the tag in the template source.
    pub offset: usize,
    /// Where it is: `word/document.xml, paragraph 12 (table 1, row 2, cell 3)`.
    pub place: String,
    /// The tag as the document shows it (shortened).
    pub text: String,
}

/// A part as a Jinja template.
#[derive(Debug)]
pub(super) struct PartTemplate {
    /// The template source (XML with Jinja tags).
    pub source: String,
    /// The tags, by offset.
    pub tags: Vec<TagAt>,
}

impl PartTemplate {
    /// The tag a byte offset of the source falls in (or the last one before it).
    pub fn tag_at(&self, offset: usize) -> Option<&TagAt> {
        let i = self.tags.partition_point(|t| t.offset <= offset);
        i.checked_sub(1).map(|i| &self.tags[i])
    }
}

/// The element name at the start of a tag's text (`w:p attr…`).
fn tag_name(raw: &str) -> &str {
    let end = raw
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(raw.len());
    &raw[..end]
}

fn tokenize<'a>(xml: &'a str, part: &str) -> Result<Vec<Token<'a>>> {
    let mut reader = Reader::from_str(xml);
    let mut tokens: Vec<Token<'a>> = Vec::with_capacity(xml.len() / 24);
    let mut open: Vec<usize> = Vec::new();
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            invalid(
                "template",
                format!("the XML is broken at byte {}: {e}", reader.error_position()),
            )
            .with_record(part.to_string())
        })?;
        let end = reader.buffer_position() as usize;
        let raw = xml.get(start..end).unwrap_or("");
        let index = tokens.len();
        let (kind, name, pair) = match event {
            Event::Eof => break,
            Event::Start(_) => {
                open.push(index);
                (
                    Kind::Start,
                    tag_name(raw.get(1..).unwrap_or("")),
                    usize::MAX,
                )
            }
            Event::End(_) => {
                let Some(opened) = open.pop() else {
                    return Err(
                        invalid("template", "the XML closes an element it never opened")
                            .with_record(part.to_string()),
                    );
                };
                tokens[opened].pair = index;
                (Kind::End, tag_name(raw.get(2..).unwrap_or("")), opened)
            }
            Event::Empty(_) => (
                Kind::Empty,
                tag_name(raw.get(1..).unwrap_or("")),
                usize::MAX,
            ),
            _ => (Kind::Other, "", usize::MAX),
        };
        tokens.push(Token {
            kind,
            start,
            end,
            name,
            pair,
        });
    }
    if let Some(&opened) = open.last() {
        return Err(invalid(
            "template",
            format!("the XML element <{}> is never closed", tokens[opened].name),
        )
        .with_record(part.to_string()));
    }
    Ok(tokens)
}

/// The text of XML character data.
pub(super) fn unescape(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(semi) = rest.find(';') else {
            out.push_str(rest);
            return out;
        };
        let entity = &rest[1..semi];
        let c = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// XML-escapes text of a `w:t`.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Tag text as Jinja reads it: the quotes editors autocorrect made ASCII,
/// no-break spaces plain.
fn normalize_tag(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '«' | '»' | '“' | '”' | '„' | '″' => '"',
            '‘' | '’' | '‚' | '′' => '\'',
            '\u{a0}' | '\u{202f}' | '\u{2007}' => ' ',
            _ => c,
        })
        .collect()
}

/// What element a block tag replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Paragraph,
    Row,
    Cell,
    Run,
}

impl Scope {
    fn element(self) -> &'static str {
        match self {
            Scope::Paragraph => "w:p",
            Scope::Row => "w:tr",
            Scope::Cell => "w:tc",
            Scope::Run => "w:r",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Scope::Paragraph => "paragraph",
            Scope::Row => "table row",
            Scope::Cell => "table cell",
            Scope::Run => "run",
        }
    }
}

/// A `w:t` of a paragraph.
struct Segment {
    /// Token index of `<w:t>`.
    t: usize,
    /// Token index of the run holding it.
    run: Option<usize>,
    /// Its text (unescaped) and where it starts in the paragraph's text.
    text: String,
    offset: usize,
}

/// A tag found in a paragraph's text.
struct Found {
    /// The Jinja text to emit (`{{ client.name }}`, `{% if x %}`).
    body: String,
    /// As the document shows it.
    display: String,
    place: String,
    scope: Option<Scope>,
    /// Token index of the `w:t` the tag starts in (document order).
    at: usize,
    /// The element names from the root to where the tag acts.
    path: Vec<String>,
    /// The first word of a statement (`if`, `endfor`), empty for the rest.
    keyword: String,
}

enum Piece {
    Text(String),
    Tag(usize),
}

struct Frame {
    start: usize,
    number: usize,
    segments: Vec<Segment>,
    /// The element path at the paragraph's start tag (excluding itself).
    depth: usize,
}

fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= 80 {
        return text.to_string();
    }
    let mut short: String = text.chars().take(77).collect();
    short.push('…');
    short
}

/// The tags of a paragraph's text: (start, end, kind) byte ranges.
fn scan_tags(text: &str) -> std::result::Result<Vec<(usize, usize)>, usize> {
    let bytes = text.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'{' && matches!(bytes[i + 1], b'{' | b'%' | b'#') {
            let close: &[u8] = match bytes[i + 1] {
                b'{' => b"}}",
                b'%' => b"%}",
                _ => b"#}",
            };
            let from = i + 2;
            match bytes[from..].windows(2).position(|w| w == close) {
                Some(at) => {
                    let end = from + at + 2;
                    tags.push((i, end));
                    i = end;
                }
                None => return Err(i),
            }
        } else {
            i += 1;
        }
    }
    Ok(tags)
}

const NOISE: [&str; 4] = [
    "w:proofErr",
    "w:lastRenderedPageBreak",
    "w:bookmarkStart",
    "w:bookmarkEnd",
];

const OPENERS: [&str; 8] = [
    "if",
    "for",
    "with",
    "macro",
    "call",
    "filter",
    "autoescape",
    "block",
];

/// Turns a part's XML into a Jinja template.
pub(super) fn part_template(xml: &str, part: &str) -> Result<PartTemplate> {
    let tokens = tokenize(xml, part)?;
    let mut stack: Vec<usize> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut paragraphs = 0usize;
    // (table number, row, cell) of each open table.
    let mut tables: Vec<(usize, usize, usize)> = Vec::new();
    let mut table_count = 0usize;
    let mut found: Vec<Found> = Vec::new();
    let mut pieces: HashMap<usize, Vec<Piece>> = HashMap::new();
    // 0 keep, 1 drop this token, 2 drop the element.
    let mut drop = vec![0u8; tokens.len()];
    // Elements a block tag replaces: start token -> end token and the
    // element names down to its parent.
    let mut replaced: HashMap<usize, (usize, Vec<String>)> = HashMap::new();
    let path_of = |stack: &[usize], len: usize| -> Vec<String> {
        stack[..len]
            .iter()
            .map(|&i| tokens[i].name.to_string())
            .collect()
    };

    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        match token.kind {
            Kind::Start => {
                match token.name {
                    "w:p" => {
                        paragraphs += 1;
                        frames.push(Frame {
                            start: i,
                            number: paragraphs,
                            segments: Vec::new(),
                            depth: stack.len(),
                        });
                    }
                    "w:tbl" => {
                        table_count += 1;
                        tables.push((table_count, 0, 0));
                    }
                    "w:tr" => {
                        if let Some(t) = tables.last_mut() {
                            t.1 += 1;
                            t.2 = 0;
                        }
                    }
                    "w:tc" => {
                        if let Some(t) = tables.last_mut() {
                            t.2 += 1;
                        }
                    }
                    "w:t" => {
                        if let Some(frame) = frames.last_mut() {
                            let end = tokens[token.pair].start;
                            let text = unescape(xml.get(token.end..end).unwrap_or(""));
                            let run = stack.last().copied().filter(|&r| tokens[r].name == "w:r");
                            let offset =
                                frame.segments.last().map_or(0, |s| s.offset + s.text.len());
                            frame.segments.push(Segment {
                                t: i,
                                run,
                                text,
                                offset,
                            });
                        }
                    }
                    _ => {}
                }
                stack.push(i);
            }
            Kind::End => {
                stack.pop();
                match token.name {
                    "w:tbl" => {
                        tables.pop();
                    }
                    "w:p" => {
                        if let Some(frame) = frames.pop() {
                            let place = |tables: &[(usize, usize, usize)]| match tables.last() {
                                Some((t, r, c)) => format!(
                                    "{part}, paragraph {} (table {t}, row {r}, cell {c})",
                                    frame.number
                                ),
                                None => format!("{part}, paragraph {}", frame.number),
                            };
                            paragraph(
                                &frame,
                                i,
                                &place(&tables),
                                &tokens,
                                &stack,
                                &path_of,
                                &mut found,
                                &mut pieces,
                                &mut drop,
                                &mut replaced,
                            )?;
                        }
                    }
                    _ => {}
                }
            }
            Kind::Empty | Kind::Other => {}
        }
        i += 1;
    }
    emit(xml, &tokens, found, pieces, &drop, &replaced)
}

#[allow(clippy::too_many_arguments)]
fn paragraph(
    frame: &Frame,
    end: usize,
    place: &str,
    tokens: &[Token<'_>],
    stack: &[usize],
    path_of: &dyn Fn(&[usize], usize) -> Vec<String>,
    found: &mut Vec<Found>,
    pieces: &mut HashMap<usize, Vec<Piece>>,
    drop: &mut [u8],
    replaced: &mut HashMap<usize, (usize, Vec<String>)>,
) -> Result<()> {
    if !frame.segments.iter().any(|s| s.text.contains('{')) {
        return Ok(());
    }
    let text: String = frame.segments.iter().map(|s| s.text.as_str()).collect();
    let ranges = scan_tags(&text).map_err(|at| {
        invalid(
            "template",
            format!(
                "the tag `{}` is not closed in its paragraph (a tag must open and close in one paragraph, in one table cell)",
                shorten(&text[at..])
            ),
        )
        .with_record(place.to_string())
    })?;
    if ranges.is_empty() {
        return Ok(());
    }
    // The segment holding a byte of the paragraph's text.
    let segment_of = |at: usize| -> usize {
        frame
            .segments
            .partition_point(|s| s.offset <= at)
            .saturating_sub(1)
    };
    let mut out: Vec<Vec<Piece>> = frame.segments.iter().map(|_| Vec::new()).collect();
    let mut cursor = 0;
    let push_text = |out: &mut Vec<Vec<Piece>>, from: usize, to: usize| {
        let mut at = from;
        while at < to {
            let s = segment_of(at);
            let seg = &frame.segments[s];
            let upto = to.min(seg.offset + seg.text.len());
            if upto > at {
                out[s].push(Piece::Text(text[at..upto].to_string()));
            }
            at = upto.max(at + 1);
        }
    };
    for (start, stop) in ranges {
        push_text(&mut out, cursor, start);
        cursor = stop;
        let first = segment_of(start);
        let last = segment_of(stop - 1);
        let display = shorten(&text[start..stop]);
        let mut body = normalize_tag(&text[start..stop]);
        let mut scope = None;
        if let Some(after) = body.strip_prefix("{%") {
            let inner = after.trim_start_matches('-');
            let dash = &after[..after.len() - inner.len()];
            for (prefix, s) in [
                ("p", Scope::Paragraph),
                ("tr", Scope::Row),
                ("tc", Scope::Cell),
                ("r", Scope::Run),
            ] {
                if let Some(rest) = inner.strip_prefix(prefix) {
                    if rest.starts_with(char::is_whitespace) {
                        scope = Some(s);
                        body = format!("{{%{dash}{rest}");
                        break;
                    }
                }
            }
        }
        let keyword: String = match body.strip_prefix("{%") {
            Some(after) => after
                .trim_start_matches(['-', '+'])
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect(),
            None => String::new(),
        };
        let keyword = if keyword == "set" && !body.contains('=') {
            "set-block".to_string()
        } else {
            keyword
        };
        let t = frame.segments[first].t;
        let path = match scope {
            None => {
                // Inside the w:t. The stack at the paragraph's end holds its
                // ancestors; the path inside it runs to the w:t through its
                // run (and wrappers such as w:hyperlink, w:ins): recovered
                // from the tokens between.
                let mut names = path_of(stack, frame.depth);
                names.push("w:p".to_string());
                let mut inner: Vec<usize> = Vec::new();
                for (j, tok) in tokens.iter().enumerate().take(t).skip(frame.start + 1) {
                    match tok.kind {
                        Kind::Start => inner.push(j),
                        Kind::End => {
                            inner.pop();
                        }
                        _ => {}
                    }
                }
                names.extend(inner.iter().map(|&j| tokens[j].name.to_string()));
                names.push("w:t".to_string());
                names
            }
            Some(s) => {
                let element = match s {
                    Scope::Paragraph => Some((frame.start, end, frame.depth)),
                    Scope::Run => frame.segments[first]
                        .run
                        .map(|r| (r, tokens[r].pair, usize::MAX)),
                    Scope::Row | Scope::Cell => stack[..frame.depth]
                        .iter()
                        .rposition(|&j| tokens[j].name == s.element())
                        .map(|d| (stack[d], tokens[stack[d]].pair, d)),
                };
                let Some((from, to, depth)) = element else {
                    return Err(invalid(
                        "template",
                        format!("`{display}` is not inside a {}", s.what()),
                    )
                    .with_record(place.to_string()));
                };
                let level = if depth == usize::MAX {
                    // A run: runs of one paragraph share its level.
                    let mut names = path_of(stack, frame.depth);
                    names.push("w:p".to_string());
                    names
                } else {
                    path_of(stack, depth)
                };
                replaced.insert(from, (to, level.clone()));
                level
            }
        };
        let index = found.len();
        found.push(Found {
            body,
            display,
            place: place.to_string(),
            scope,
            at: t,
            path,
            keyword,
        });
        if scope.is_none() {
            out[first].push(Piece::Tag(index));
        }
        if first != last {
            drop_noise(
                tokens,
                tokens[frame.segments[first].t].pair,
                frame.segments[last].t,
                drop,
            );
        }
    }
    push_text(&mut out, cursor, text.len());
    for (segment, list) in frame.segments.iter().zip(out) {
        pieces.insert(segment.t, list);
    }
    Ok(())
}

/// Inside a tag's span (between the end of its first `w:t` and the start of
/// its last): drops proofing marks, bookmarks, rendered page breaks,
/// deleted revisions and runs wholly inside; unwraps inserted revisions.
fn drop_noise(tokens: &[Token<'_>], from: usize, to: usize, drop: &mut [u8]) {
    let mut j = from + 1;
    while j < to {
        let tok = tokens[j];
        match tok.kind {
            Kind::Empty if NOISE.contains(&tok.name) => drop[j] = 1,
            Kind::Start if tok.pair < to => {
                if tok.name == "w:ins" {
                    drop[j] = 1;
                    drop[tok.pair] = 1;
                } else if tok.name == "w:del" || tok.name == "w:r" || NOISE.contains(&tok.name) {
                    drop[j] = 2;
                    j = tok.pair;
                }
            }
            _ => {}
        }
        j += 1;
    }
}

/// Writes `chunk` of XML markup as template text (raw where it holds what
/// Jinja would read as a tag).
fn literal(out: &mut String, chunk: &str) {
    if chunk.contains("{{") || chunk.contains("{%") || chunk.contains("{#") {
        out.push_str("{% raw %}");
        out.push_str(chunk);
        out.push_str("{% endraw %}");
    } else {
        out.push_str(chunk);
    }
}

fn emit(
    xml: &str,
    tokens: &[Token<'_>],
    mut found: Vec<Found>,
    mut pieces: HashMap<usize, Vec<Piece>>,
    drop: &[u8],
    replaced: &HashMap<usize, (usize, Vec<String>)>,
) -> Result<PartTemplate> {
    let mut out = String::with_capacity(xml.len() + xml.len() / 8);
    let mut tags: Vec<TagAt> = Vec::with_capacity(found.len());
    let mut emitted: Vec<usize> = Vec::with_capacity(found.len());
    let mut pending = 0usize;
    let mut next_tag = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        if let Some((end, level)) = replaced.get(&i) {
            let end = *end;
            literal(&mut out, &xml[pending..token.start]);
            // Text beside the block tags would go with the element: refused,
            // so that nothing the template's author wrote is lost unseen.
            if let Some(text) = text_beside(xml, tokens, &pieces, i, end) {
                let tag = found[next_tag..]
                    .iter()
                    .find(|t| t.at >= i && t.at <= end && t.scope.is_some());
                if let Some(tag) = tag {
                    let what = tag.scope.map_or("element", Scope::what);
                    return Err(invalid(
                        "template",
                        format!(
                            "the text `{}` is in the {what} that `{}` replaces and would be dropped with it: put the block tag in a {what} of its own",
                            shorten(&text),
                            tag.display
                        ),
                    )
                    .with_record(tag.place.clone()));
                }
            }
            // Every tag inside goes; only block tags may be there, and they
            // act at the level of the outermost element replaced.
            while next_tag < found.len() && found[next_tag].at <= end {
                let tag = &mut found[next_tag];
                if tag.at < i {
                    next_tag += 1;
                    continue;
                }
                if tag.scope.is_none() {
                    return Err(invalid(
                        "template",
                        format!(
                            "`{}` is in a paragraph or table row that a block tag (`{{%p %}}`, `{{%tr %}}`) replaces: move it to a paragraph of its own",
                            tag.display
                        ),
                    )
                    .with_record(tag.place.clone()));
                }
                tag.path = level.clone();
                tags.push(TagAt {
                    offset: out.len(),
                    place: tag.place.clone(),
                    text: tag.display.clone(),
                });
                out.push_str(&tag.body);
                emitted.push(next_tag);
                next_tag += 1;
            }
            pending = tokens[end].end;
            i = end + 1;
            continue;
        }
        match drop[i] {
            1 => {
                literal(&mut out, &xml[pending..token.start]);
                pending = token.end;
                i += 1;
                continue;
            }
            2 => {
                literal(&mut out, &xml[pending..token.start]);
                pending = tokens[token.pair].end;
                i = token.pair + 1;
                continue;
            }
            _ => {}
        }
        if token.kind == Kind::Start && token.name == "w:t" {
            if let Some(list) = pieces.remove(&i) {
                literal(&mut out, &xml[pending..token.start]);
                out.push_str("<w:t xml:space=\"preserve\">");
                for piece in list {
                    match piece {
                        Piece::Text(text) => {
                            let mut escaped = String::with_capacity(text.len());
                            escape_into(&mut escaped, &text);
                            literal(&mut out, &escaped);
                        }
                        Piece::Tag(k) => {
                            let tag = &found[k];
                            tags.push(TagAt {
                                offset: out.len(),
                                place: tag.place.clone(),
                                text: tag.display.clone(),
                            });
                            out.push_str(&tag.body);
                            emitted.push(k);
                        }
                    }
                }
                pending = tokens[token.pair].start;
                i = token.pair;
                continue;
            }
        }
        i += 1;
    }
    literal(&mut out, &xml[pending..]);
    check_blocks(&found, &emitted)?;
    Ok(PartTemplate { source: out, tags })
}

/// The text of the `w:t`s between tokens `from` and `to` that is not a tag,
/// if any of it is more than white space.
fn text_beside(
    xml: &str,
    tokens: &[Token<'_>],
    pieces: &HashMap<usize, Vec<Piece>>,
    from: usize,
    to: usize,
) -> Option<String> {
    let mut text = String::new();
    for (j, tok) in tokens.iter().enumerate().take(to).skip(from) {
        if tok.kind != Kind::Start || tok.name != "w:t" {
            continue;
        }
        match pieces.get(&j) {
            Some(list) => {
                for piece in list {
                    if let Piece::Text(t) = piece {
                        text.push_str(t);
                    }
                }
            }
            None => text.push_str(&unescape(&xml[tok.end..tokens[tok.pair].start])),
        }
    }
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn closes(keyword: &str) -> Option<&str> {
    keyword
        .strip_prefix("end")
        .map(|k| if k == "set" { "set-block" } else { k })
}

/// Each block (`if`…`endif`, `for`…`endfor`) opens and closes at one level
/// of the document, so that the XML it keeps, drops or repeats is whole.
fn check_blocks(found: &[Found], emitted: &[usize]) -> Result<()> {
    let mut open: Vec<usize> = Vec::new();
    let message = |tag: &Found, reason: String| -> Error {
        invalid("template", format!("`{}`: {reason}", tag.display)).with_record(tag.place.clone())
    };
    for &k in emitted {
        let tag = &found[k];
        let keyword = tag.keyword.as_str();
        let middle = matches!(keyword, "elif" | "else");
        let closer = closes(keyword);
        if OPENERS.contains(&keyword) || keyword == "set-block" {
            open.push(k);
        } else if middle || closer.is_some() {
            let Some(&o) = open.last() else {
                return Err(message(tag, "closes no block".into()));
            };
            let opener = &found[o];
            let fits = match closer {
                Some(c) => c == opener.keyword,
                None => opener.keyword == "if" || (keyword == "else" && opener.keyword == "for"),
            };
            if !fits {
                return Err(message(
                    tag,
                    format!("does not match `{}` at {}", opener.display, opener.place),
                ));
            }
            if tag.path != opener.path {
                return Err(message(
                    tag,
                    format!(
                        "is at another level of the document than `{}` at {}: a block opens and closes in one paragraph, or uses `{{%p …%}}` / `{{%tr …%}}` tags in paragraphs or rows of its own at one level",
                        opener.display, opener.place
                    ),
                ));
            }
            if closer.is_some() {
                open.pop();
            }
        }
    }
    if let Some(&o) = open.last() {
        let tag = &found[o];
        let keyword = if tag.keyword == "set-block" {
            "set"
        } else {
            tag.keyword.as_str()
        };
        return Err(message(
            tag,
            format!("is never closed (no `{{% end{keyword} %}}` follows)"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        )
    }

    fn source(body: &str) -> String {
        let xml = doc(body);
        let t = part_template(&xml, "word/document.xml").unwrap();
        let s = t.source;
        let start = s.find("<w:body>").unwrap() + 8;
        let end = s.find("</w:body>").unwrap();
        s[start..end].to_string()
    }

    #[test]
    fn joins_split_runs_into_the_first() {
        let s = source(
            r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Hello {{ cli</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t>ent.na</w:t></w:r><w:bookmarkStart w:id="0" w:name="x"/><w:r><w:rPr><w:i/></w:rPr><w:t>me }}!</w:t></w:r></w:p>"#,
        );
        assert_eq!(
            s,
            r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Hello {{ client.name }}</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">!</w:t></w:r></w:p>"#
        );
    }

    #[test]
    fn revisions_inside_a_tag() {
        let s = source(
            r#"<w:p><w:r><w:t>{{ client.</w:t></w:r><w:del w:id="1"><w:r><w:delText>nmae</w:delText></w:r></w:del><w:ins w:id="2"><w:r><w:t>name</w:t></w:r></w:ins><w:r><w:t> }}</w:t></w:r></w:p>"#,
        );
        assert_eq!(
            s,
            r#"<w:p><w:r><w:t xml:space="preserve">{{ client.name }}</w:t></w:r><w:r><w:t xml:space="preserve"></w:t></w:r></w:p>"#
        );
    }

    #[test]
    fn quotes_and_entities_inside_tags() {
        let s = source(
            r#"<w:p><w:r><w:t>{{ x or «—» }} &amp; {{ y | default(“a &lt; b”) }}</w:t></w:r></w:p>"#,
        );
        assert!(
            s.contains(r#"{{ x or "—" }} &amp; {{ y | default("a < b") }}"#),
            "{s}"
        );
    }

    #[test]
    fn row_and_paragraph_blocks() {
        let s = source(
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{%tr for l in lines %}</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>{{ l }}</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>{%tr endfor %}</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:t>{%p if x %}</w:t></w:r></w:p><w:p><w:r><w:t>X</w:t></w:r></w:p><w:p><w:r><w:t>{%p endif %}</w:t></w:r></w:p>"#,
        );
        assert_eq!(
            s,
            r#"<w:tbl>{% for l in lines %}<w:tr><w:tc><w:p><w:r><w:t xml:space="preserve">{{ l }}</w:t></w:r></w:p></w:tc></w:tr>{% endfor %}</w:tbl>{% if x %}<w:p><w:r><w:t>X</w:t></w:r></w:p>{% endif %}"#
        );
    }

    #[test]
    fn errors_name_the_place() {
        let xml = doc(
            r#"<w:p><w:r><w:t>ok</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>{{ client.</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>name }}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
        );
        let err = part_template(&xml, "word/document.xml").unwrap_err();
        assert_eq!(
            err.record(),
            Some("word/document.xml, paragraph 2 (table 1, row 1, cell 1)")
        );
        assert!(err.reason().contains("`{{ client.`"), "{err}");

        let xml = doc(
            r#"<w:p><w:r><w:t>{% if x %}</w:t></w:r></w:p><w:p><w:r><w:t>{% endif %}</w:t></w:r></w:p>"#,
        );
        // Inline tags in two paragraphs at one level: fine.
        assert!(part_template(&xml, "p").is_ok());
        let xml = doc(
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{% if x %}</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:t>{% endif %}</w:t></w:r></w:p>"#,
        );
        let err = part_template(&xml, "p").unwrap_err();
        assert_eq!(err.record(), Some("p, paragraph 2"), "{err}");
        assert!(err.reason().contains("another level"), "{err}");
        let xml = doc(r#"<w:p><w:r><w:t>{%p for x in y %}</w:t></w:r></w:p>"#);
        let err = part_template(&xml, "p").unwrap_err();
        assert!(err.reason().contains("never closed"), "{err}");
        let xml = doc(r#"<w:p><w:r><w:t>{%tr for x in y %}</w:t></w:r></w:p>"#);
        let err = part_template(&xml, "p").unwrap_err();
        assert!(err.reason().contains("not inside a table row"), "{err}");
        let err = part_template("<a><b></a>", "p").unwrap_err();
        assert!(err.reason().contains("XML"), "{err}");
    }

    #[test]
    fn markup_that_looks_like_jinja_stays_raw() {
        let xml = doc(r#"<w:p w:x="{{not}}"><w:r><w:t>{{ a }}</w:t></w:r></w:p>"#);
        let s = part_template(&xml, "p").unwrap().source;
        assert!(s.starts_with("{% raw %}<?xml"), "{s}");
        assert!(
            s.contains(
                r#"<w:p w:x="{{not}}"><w:r>{% endraw %}<w:t xml:space="preserve">{{ a }}</w:t>"#
            ),
            "{s}"
        );
    }
}
