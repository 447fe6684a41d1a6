//! How an SMS text is sent: its encoding and the number of parts.
//!
//! A text that only uses the GSM 03.38 alphabet goes as GSM-7: 160 characters
//! in one message, 153 a part in a multipart one (the rest of each part is
//! the header that joins them); the characters of the extension table
//! (`^ { } \ [ ] ~ | €` and form feed) take two places. Any other character
//! (Cyrillic, emoji) makes the whole text UCS-2: 70 UTF-16 code units in one
//! message, 67 a part; a character outside the Basic Multilingual Plane (most
//! emoji) takes two. A two-place character is never split between parts, as
//! phones and gateways do, so a part may hold one place less.
//!
//! ```
//! use clientbase::render::{sms_info, SmsEncoding};
//! let info = sms_info("Здравствуйте, Анна! Ваш заказ готов.");
//! assert_eq!(info.encoding, SmsEncoding::Ucs2);
//! assert_eq!(info.parts, 1);
//! assert_eq!(sms_info(&"x".repeat(161)).parts, 2);
//! ```

use serde::{Deserialize, Serialize};

/// The encoding an SMS is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SmsEncoding {
    /// The GSM 03.38 7-bit alphabet: 160 / 153 places.
    #[serde(rename = "GSM-7")]
    Gsm7,
    /// UTF-16 (UCS-2 with surrogates): 70 / 67 code units.
    #[serde(rename = "UCS-2")]
    Ucs2,
}

impl SmsEncoding {
    /// `GSM-7` or `UCS-2`.
    pub fn name(self) -> &'static str {
        match self {
            SmsEncoding::Gsm7 => "GSM-7",
            SmsEncoding::Ucs2 => "UCS-2",
        }
    }

    /// Places in a single message and in each part of a multipart one.
    pub fn capacity(self) -> (usize, usize) {
        match self {
            SmsEncoding::Gsm7 => (160, 153),
            SmsEncoding::Ucs2 => (70, 67),
        }
    }
}

/// An SMS text's encoding, length and parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsInfo {
    /// GSM-7 or UCS-2.
    pub encoding: SmsEncoding,
    /// Characters (Unicode scalar values) in the text.
    pub characters: usize,
    /// Places the text takes: septets for GSM-7 (extension characters two),
    /// UTF-16 code units for UCS-2.
    pub units: usize,
    /// Messages it is sent as (0 for an empty text).
    pub parts: usize,
    /// Places in each part: 160 or 70 for one part, 153 or 67 for several.
    pub per_part: usize,
}

/// The GSM 03.38 basic alphabet (one place each).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The GSM 03.38 extension table (an escape and the character: two places).
const GSM_EXTENSION: &str = "^{}\\[~]|€\u{c}";

/// Places a character takes in GSM-7 (`None`: not in the alphabet).
fn gsm_places(c: char) -> Option<usize> {
    if c.is_ascii() {
        // Every printable ASCII character is in one of the two tables but `` ` ``.
        return match c {
            '^' | '{' | '}' | '\\' | '[' | '~' | ']' | '|' | '\u{c}' => Some(2),
            '`' => None,
            ' '..='~' | '\n' | '\r' => Some(1),
            _ => None,
        };
    }
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// The encoding, length and number of parts of `text`.
pub fn sms_info(text: &str) -> SmsInfo {
    let gsm: Option<Vec<usize>> = text.chars().map(gsm_places).collect();
    let (encoding, places) = match gsm {
        Some(places) => (SmsEncoding::Gsm7, places),
        None => (
            SmsEncoding::Ucs2,
            text.chars().map(char::len_utf16).collect(),
        ),
    };
    let units: usize = places.iter().sum();
    let (single, multi) = encoding.capacity();
    let (parts, per_part) = if units == 0 {
        (0, single)
    } else if units <= single {
        (1, single)
    } else {
        // Greedy packing: a two-place character never straddles two parts.
        let mut parts = 1;
        let mut used = 0;
        for &p in &places {
            if used + p > multi {
                parts += 1;
                used = 0;
            }
            used += p;
        }
        (parts, multi)
    };
    SmsInfo {
        encoding,
        characters: places.len(),
        units,
        parts,
        per_part,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm_limits() {
        assert_eq!(sms_info("").parts, 0);
        let a160 = "a".repeat(160);
        assert_eq!(
            (sms_info(&a160).encoding, sms_info(&a160).parts),
            (SmsEncoding::Gsm7, 1)
        );
        assert_eq!(sms_info(&"a".repeat(161)).parts, 2);
        assert_eq!(sms_info(&"a".repeat(306)).parts, 2);
        assert_eq!(sms_info(&"a".repeat(307)).parts, 3);
        // Extension characters count two: 80 euro signs fill one message.
        let euros = "€".repeat(80);
        let info = sms_info(&euros);
        assert_eq!((info.characters, info.units, info.parts), (80, 160, 1));
        assert_eq!(sms_info(&"€".repeat(81)).parts, 2);
        // 152 letters and a brace: the brace does not fit in part one.
        let split = format!("{}{{{}", "a".repeat(152), "a".repeat(10));
        assert_eq!(sms_info(&split).units, 164);
        assert_eq!(sms_info(&split).parts, 2);
        let edge = format!("{}{{{}", "a".repeat(152), "a".repeat(152));
        assert_eq!(sms_info(&edge).units, 306);
        assert_eq!(sms_info(&edge).parts, 3);
    }

    #[test]
    fn cyrillic_and_emoji_are_ucs2() {
        let info = sms_info(&"я".repeat(70));
        assert_eq!(
            (info.encoding, info.parts, info.per_part),
            (SmsEncoding::Ucs2, 1, 70)
        );
        assert_eq!(sms_info(&"я".repeat(71)).parts, 2);
        assert_eq!(sms_info(&"я".repeat(134)).parts, 2);
        assert_eq!(sms_info(&"я".repeat(135)).parts, 3);
        let emoji = sms_info("😀");
        assert_eq!((emoji.characters, emoji.units), (1, 2));
        // One Cyrillic letter turns a Latin text into UCS-2.
        assert_eq!(sms_info(&format!("{}я", "a".repeat(69))).parts, 1);
        assert_eq!(sms_info(&format!("{}я", "a".repeat(70))).parts, 2);
        assert_eq!(sms_info("`").encoding, SmsEncoding::Ucs2);
    }
}
