//! Fields that hold several numbers, and the labels people write next to them.
//!
//! A field is cut at `,`, `;`, `/`, `\`, `|`, line breaks and the words `или`,
//! `or`, `и`, `and`. A piece with fewer than [`MIN_NUMBER_DIGITS`] digits is not a
//! number of its own but belongs to its neighbour (`…, доб. 12`, `…;123`,
//! `…/68`, `раб., …`), so only pieces that can hold a whole number stand alone.
//! Within a piece, text before the first digit and text after the last one is a
//! label (`моб.`, `раб.:`, `(дом.)`, `work`) unless it is a word such as `тел.`
//! that only says "phone".
//!
//! An extension cut from its number by a separator (`…; доб. 12`, `… / ext. 5`,
//! `… или вн. 3`) stays with that number, and [`join_extension`] writes the
//! separator as the comma the parser reads (`…, доб. 12`).

use super::PhoneCandidate;

/// The fewest digits a piece needs to be a number of its own (a local number
/// without area code has 7).
pub(super) const MIN_NUMBER_DIGITS: usize = 7;

/// Words that separate numbers.
const SEPARATOR_WORDS: &[&str] = &["или", "or", "и", "and"];

/// Words before a number that only say it is a phone number.
const NOISE_WORDS: &[&str] = &[
    "т",
    "тел",
    "телефон",
    "тлф",
    "номер",
    "tel",
    "phone",
    "ph",
    "nr",
    "no",
    "№",
];

/// Latin words that are labels rather than letters of a vanity number (`8 800 FLOWERS`).
const LATIN_LABELS: &[&str] = &[
    "mob", "mobile", "cell", "work", "home", "office", "fax", "main", "personal", "whatsapp",
    "viber", "telegram", "wa", "tg",
];

/// Extension labels that mean nothing without digits after them.
const DANGLING_EXTENSION_LABELS: &[&str] = &["доб", "ext", "вн", "доп"];

/// A decimal digit in any script (`8`, `８`, `٨`), as libphonenumber reads them.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

fn digit_count(s: &str) -> usize {
    s.chars().filter(|c| is_digit(*c)).count()
}

/// Byte ranges of the pieces of `field`, before merging.
fn cut(field: &str) -> Vec<(usize, usize)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut iter = field.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if matches!(c, ',' | ';' | '/' | '\\' | '|' | '\n' | '\r') {
            pieces.push((start, i));
            start = i + c.len_utf8();
            continue;
        }
        if c.is_whitespace() {
            let word_start = i + c.len_utf8();
            let rest = &field[word_start..];
            let word_len = rest
                .char_indices()
                .find(|(_, c)| c.is_whitespace())
                .map(|(j, _)| j);
            if let Some(word_len) = word_len {
                let word = &rest[..word_len];
                if SEPARATOR_WORDS.iter().any(|w| word.to_lowercase() == *w) {
                    pieces.push((start, i));
                    start = word_start + word_len;
                    // Skip the word itself; the whitespace after it is part of the next piece.
                    while iter.peek().is_some_and(|(j, _)| *j < start) {
                        iter.next();
                    }
                }
            }
        }
    }
    pieces.push((start, field.len()));
    pieces
}

/// The text of one number whose extension a separator cuts from it (`8 916 123
/// 45 67; доб. 12`, `… / ext. 5`, `… или вн. 3`), with the separator written as
/// a comma (`8 916 123 45 67, доб. 12`), as people write it and the parser reads
/// it; `None` when no separator stands before an extension.
pub(super) fn join_extension(text: &str) -> Option<String> {
    // Most texts have no letters, hence no extension label: nothing to cut.
    if !text.contains(char::is_alphabetic) {
        return None;
    }
    let pieces = cut(text);
    let mut joined: Option<String> = None;
    let mut copied = 0;
    for pair in pieces.windows(2) {
        let ((_, before_end), (start, end)) = (pair[0], pair[1]);
        let piece = &text[start..end];
        if !starts_with_extension(piece) || digit_count(piece) >= MIN_NUMBER_DIGITS {
            continue;
        }
        let out = joined.get_or_insert_with(String::new);
        out.push_str(text[copied..before_end].trim_end());
        out.push_str(", ");
        copied = start + (piece.len() - piece.trim_start().len());
    }
    let mut out = joined?;
    out.push_str(&text[copied..]);
    Some(out)
}

/// Whether `piece` begins with an extension label and its digits (`доб. 12`,
/// ` ext 5`, `вн.3`).
fn starts_with_extension(piece: &str) -> bool {
    let piece = piece.trim_start();
    let word_end = piece
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(piece.len());
    let word = piece[..word_end].to_lowercase();
    let rest = piece[word_end..].trim_start_matches(['.', ':']);
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '-');
    DANGLING_EXTENSION_LABELS.contains(&word.as_str()) && rest.starts_with(|c: char| is_digit(c))
}

/// Splits a field into the numbers it holds.
pub(super) fn split(field: &str) -> Vec<PhoneCandidate<'_>> {
    let mut merged: Vec<(usize, usize)> = Vec::new();
    // A short piece at the very start waits for the next one.
    let mut pending_start: Option<usize> = None;
    for (start, end) in cut(field) {
        let start = pending_start.take().unwrap_or(start);
        let digits = digit_count(&field[start..end]);
        if digits >= MIN_NUMBER_DIGITS {
            merged.push((start, end));
        } else if let Some(last) = merged.last_mut() {
            last.1 = end;
        } else {
            pending_start = Some(start);
        }
    }
    if let Some(start) = pending_start {
        merged.push((start, field.len()));
    }
    merged
        .into_iter()
        .filter_map(|(start, end)| candidate(&field[start..end]))
        .collect()
}

/// The number, label and trimmed raw text of one piece; `None` without digits.
fn candidate(piece: &str) -> Option<PhoneCandidate<'_>> {
    let raw = piece
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/' | '\\' | '|'));
    let first = raw.find(|c: char| is_digit(c) || c == '+' || c == '＋')?;
    let (last_digit, c) = raw.char_indices().rfind(|(_, c)| is_digit(*c))?;
    let mut end = last_digit + c.len_utf8();
    if raw[end..].starts_with('#') {
        end += 1;
    }
    // Keep an RFC 3966 `tel:` prefix for the parser.
    let before = &raw[..first];
    let start = match before.to_ascii_lowercase().rfind("tel:") {
        Some(idx) if before[idx + 4..].trim().is_empty() => idx,
        _ => first,
    };
    let text = &raw[start..end];
    let leading = label_text(&raw[..start], true);
    let trailing = label_text(&raw[end..], false).filter(|label| !is_dangling(label));
    // Trailing Latin letters that are not a known label are a vanity number's.
    let (text, trailing) = match trailing {
        Some(label) if !is_label(label) => (&raw[start..], None),
        other => (text, other),
    };
    if text.is_empty() {
        return None;
    }
    Some(PhoneCandidate {
        raw,
        text,
        label: leading.or(trailing),
    })
}

/// The label in text beside a number (`моб.`, `(раб.)`, `work:`), without
/// brackets, colons and words that only say "phone".
fn label_text(text: &str, leading: bool) -> Option<&str> {
    let mut t = text.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—' | ',' | '(' | ')' | '[' | ']')
    });
    if leading {
        // `тел. моб.` → `моб.`; `тел.:` → nothing.
        loop {
            let word_end = t.find(char::is_whitespace).unwrap_or(t.len());
            let word = t[..word_end].trim_end_matches(['.', ':']);
            if word.is_empty() || !is_noise(word) {
                break;
            }
            t = t[word_end..].trim_start_matches(|c: char| c.is_whitespace() || c == ':');
        }
    }
    let t = t.trim_end_matches(':').trim();
    (!t.is_empty() && t.chars().any(char::is_alphabetic)).then_some(t)
}

fn is_dangling(label: &str) -> bool {
    let lower = label.to_lowercase();
    DANGLING_EXTENSION_LABELS.contains(&lower.trim_end_matches('.'))
}

fn is_noise(word: &str) -> bool {
    let lower = word.to_lowercase();
    NOISE_WORDS.contains(&lower.as_str())
}

/// Whether trailing text is a label: any Cyrillic, or a known Latin label word.
fn is_label(text: &str) -> bool {
    if text
        .chars()
        .any(|c| matches!(c, '\u{400}'..='\u{4ff}') || !c.is_ascii())
    {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    let word = lower.trim_end_matches('.');
    LATIN_LABELS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(field: &str) -> Vec<(&str, &str, Option<&str>)> {
        split(field)
            .into_iter()
            .map(|c| (c.raw, c.text, c.label))
            .collect()
    }

    #[test]
    fn splits_fields_with_several_numbers() {
        assert_eq!(
            pieces("8 916 123 45 67, 8 495 765 43 21 (раб.)"),
            vec![
                ("8 916 123 45 67", "8 916 123 45 67", None),
                ("8 495 765 43 21 (раб.)", "8 495 765 43 21", Some("раб.")),
            ]
        );
        assert_eq!(pieces("8 916 123 45 67; 8 495 765 43 21").len(), 2);
        assert_eq!(pieces("8 916 123 45 67 / 8 495 765 43 21").len(), 2);
        assert_eq!(pieces("8 916 123 45 67 или 8 495 765 43 21").len(), 2);
        assert_eq!(
            pieces("моб. +7 916 123-45-67, раб. 8 (495) 765-43-21"),
            vec![
                ("моб. +7 916 123-45-67", "+7 916 123-45-67", Some("моб.")),
                ("раб. 8 (495) 765-43-21", "8 (495) 765-43-21", Some("раб.")),
            ]
        );
    }

    #[test]
    fn keeps_short_pieces_with_their_number() {
        assert_eq!(
            pieces("8 495 123-45-67, доб. 123"),
            vec![(
                "8 495 123-45-67, доб. 123",
                "8 495 123-45-67, доб. 123",
                None
            )]
        );
        assert_eq!(pieces("+7 916 123 45 67;123").len(), 1);
        assert_eq!(pieces("8-916-123-45-67/68").len(), 1);
        assert_eq!(pieces("123").len(), 1);
        assert!(pieces("нет").is_empty());
        assert!(pieces("").is_empty());
    }

    #[test]
    fn keeps_an_extension_after_any_separator_with_its_number() {
        let phones = crate::PhoneNormalizer::default();
        for field in [
            "8 916 123 45 67, доб. 12",
            "8 916 123 45 67; доб. 12",
            "8 916 123 45 67;доб.12",
            "8 916 123 45 67 / доб. 12",
            "8 916 123 45 67 | доб. 12",
            "8 916 123 45 67 или доб. 12",
            "8 916 123 45 67\nдоб. 12",
            "8 916 123 45 67; ДОБ 12",
            "8 916 123 45 67; вн. 12",
            "8 916 123 45 67; ext. 12",
        ] {
            let candidates = phones.split_field(field);
            assert_eq!(candidates.len(), 1, "{field:?}");
            assert_eq!(candidates[0].raw, field, "{field:?}");
            let phone = phones.parse(candidates[0].text);
            let phone = phone.unwrap_or_else(|err| panic!("{field:?}: {err}"));
            assert_eq!(phone.e164(), "+79161234567", "{field:?}");
            assert_eq!(phone.extension(), Some("12"), "{field:?}");
            assert_eq!(phones.parse(field).as_ref().ok(), Some(&phone), "{field:?}");
        }
        // Two numbers, the second with its extension.
        let field = "8 916 123 45 67; 8 495 765 43 21; доб. 5";
        let parsed: Vec<_> = phones
            .split_field(field)
            .iter()
            .map(|c| {
                phones
                    .parse(c.text)
                    .map(|p| (p.e164().to_string(), p.extension().map(str::to_string)))
            })
            .collect();
        assert_eq!(
            parsed,
            vec![
                Ok(("+79161234567".to_string(), None)),
                Ok(("+74957654321".to_string(), Some("5".to_string()))),
            ]
        );
        // A foreign number, read by the general path.
        #[cfg(feature = "intl-phones")]
        {
            let phone = phones
                .parse("+49 30 1234567; ext. 12")
                .expect("a German number");
            assert_eq!(
                (phone.e164(), phone.extension()),
                ("+49301234567", Some("12"))
            );
        }
        assert_eq!(
            join_extension("8 916 123 45 67 / доб. 12").as_deref(),
            Some("8 916 123 45 67, доб. 12")
        );
        assert_eq!(
            join_extension("8 916 123 45 67 или доб. 12").as_deref(),
            Some("8 916 123 45 67, доб. 12")
        );
        // Short pieces that are not extensions are left as they are.
        assert_eq!(join_extension("8-916-123-45-67/68"), None);
        assert_eq!(join_extension("+7 916 123 45 67;123"), None);
        assert_eq!(join_extension("8 916 123 45 67; 8 495 765 43 21"), None);
    }

    #[test]
    fn finds_labels() {
        assert_eq!(
            pieces("тел. 8 (916) 123-45-67"),
            vec![("тел. 8 (916) 123-45-67", "8 (916) 123-45-67", None)]
        );
        assert_eq!(pieces("раб.: 8 495 765 43 21")[0].2, Some("раб."));
        assert_eq!(pieces("8 916 123 45 67 (жена)")[0].2, Some("жена"));
        assert_eq!(pieces("+7 916 123 45 67 work")[0].2, Some("work"));
        assert_eq!(pieces("8 800 FLOWERS")[0].1, "8 800 FLOWERS");
        assert_eq!(pieces("tel:+7-916-123-45-67")[0].1, "tel:+7-916-123-45-67");
    }
}
