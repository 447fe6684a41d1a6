//! Escaping and Russian number formats for the report.

/// A no-break space: the Russian thousands separator, and the space before
/// `%` and `₽`, so a number never wraps across lines.
pub(crate) const NBSP: char = '\u{a0}';

/// Text made safe for HTML text and for attribute values in double or single
/// quotes: `&`, `<`, `>`, `"` and `'` as entities; control characters other
/// than tab and newline dropped (they are not allowed in HTML).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Groups the digits of a non-negative integer's text by three with no-break spaces.
fn group(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3 * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(NBSP);
        }
        out.push(c);
    }
    out
}

/// An integer the Russian way: `1 234 567` (no-break spaces), minus as `−`.
pub fn format_int(value: i64) -> String {
    let sign = if value < 0 { "−" } else { "" };
    format!("{sign}{}", group(&value.unsigned_abs().to_string()))
}

/// A decimal (`value × 10^-scale`) the Russian way with `digits` digits after
/// the comma (rounded half away from zero): `1 234 567,89`.
pub fn format_decimal_ru(value: i128, scale: i8, digits: u32) -> String {
    let scale = i32::from(scale);
    let digits = digits as i32;
    // Bring the value to `digits` digits after the point.
    let shifted: i128 = if scale > digits {
        let d = 10_i128.pow((scale - digits) as u32);
        let q = (2 * value.abs() + d) / (2 * d);
        if value < 0 {
            -q
        } else {
            q
        }
    } else {
        value.saturating_mul(10_i128.pow((digits - scale) as u32))
    };
    let sign = if shifted < 0 { "−" } else { "" };
    let text = shifted.unsigned_abs().to_string();
    let digits = digits as usize;
    let padded = format!("{text:0>width$}", width = digits + 1);
    let (whole, fraction) = padded.split_at(padded.len() - digits);
    if digits == 0 {
        format!("{sign}{}", group(whole))
    } else {
        format!("{sign}{},{fraction}", group(whole))
    }
}

/// A float with `digits` digits after the comma, grouped: `1 234,5`.
pub fn format_float(value: f64, digits: u32) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let scaled = (value * 10_f64.powi(digits as i32)).round();
    format_decimal_ru(scaled as i128, digits as i8, digits)
}

/// A share (0.812) as a percent: `81,2 %`.
pub fn format_percent(share: f64) -> String {
    format!("{}{NBSP}%", format_float(share * 100.0, 1))
}

/// The sign of a currency: `₽`, `$`, `€`, or its code.
pub fn currency_sign(code: &str) -> &str {
    match code {
        "RUB" => "₽",
        "USD" => "$",
        "EUR" => "€",
        "CNY" => "¥",
        "KZT" => "₸",
        other => other,
    }
}

/// An amount of money: `1 234 567,89 ₽`.
pub fn format_money(value: i128, scale: i8, currency: &str) -> String {
    let digits = u32::try_from(scale.max(0)).unwrap_or(0);
    format!(
        "{}{NBSP}{}",
        format_decimal_ru(value, scale, digits),
        currency_sign(currency)
    )
}

/// An amount for a chart's axis: `350 тыс. ₽`, `1,2 млн ₽`.
pub fn format_money_short(units: f64, currency: &str) -> String {
    let sign = currency_sign(currency);
    let a = units.abs();
    if a >= 1e9 {
        format!("{}{NBSP}млрд{NBSP}{sign}", format_float(units / 1e9, 1))
    } else if a >= 1e6 {
        format!("{}{NBSP}млн{NBSP}{sign}", format_float(units / 1e6, 1))
    } else if a >= 1e3 {
        format!("{}{NBSP}тыс.{NBSP}{sign}", format_float(units / 1e3, 0))
    } else {
        format!("{}{NBSP}{sign}", format_float(units, 0))
    }
}

/// The short Russian name of a month, 1 to 12.
pub fn month_short(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
    ];
    NAMES[(month.clamp(1, 12) - 1) as usize]
}

/// `2025-03` as `мар 2025` (other text as it is).
pub fn month_label(key: &str) -> String {
    match key.split_once('-') {
        Some((y, m)) => match m.parse::<u32>() {
            Ok(m) if (1..=12).contains(&m) => format!("{} {y}", month_short(m)),
            _ => key.to_string(),
        },
        None => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_numbers() {
        assert_eq!(format_int(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(format_int(-12), "−12");
        assert_eq!(format_int(999), "999");
        assert_eq!(
            format_money(123_456_789, 2, "RUB"),
            "1\u{a0}234\u{a0}567,89\u{a0}₽"
        );
        assert_eq!(format_money(5, 2, "USD"), "0,05\u{a0}$");
        assert_eq!(format_decimal_ru(12_345, 2, 0), "123");
        assert_eq!(format_decimal_ru(12_355, 3, 2), "12,36");
        assert_eq!(format_decimal_ru(-5, 1, 1), "−0,5");
        assert_eq!(format_percent(0.8123), "81,2\u{a0}%");
        assert_eq!(format_float(f64::NAN, 1), "—");
        assert_eq!(
            format_money_short(1_250_000.0, "RUB"),
            "1,3\u{a0}млн\u{a0}₽"
        );
        assert_eq!(month_label("2025-03"), "мар 2025");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape_html("<b a='1'>&\"x\u{1}"),
            "&lt;b a=&#39;1&#39;&gt;&amp;&quot;x"
        );
    }
}
