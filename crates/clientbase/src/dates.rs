//! Parsing dates and times the way spreadsheets and CRMs write them.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parses `2024-03-05`, `05.03.2024`, `5.3.2024`, `05/03/2024` (day first, the
/// Russian order) and `05.03.24` (years 00-69 are 20xx), also as 1C and Excel
/// export them: with a time of day after the date (`05.03.2024 0:00:00`,
/// `2024-03-05T00:00:00`), which is dropped, and with the year marked
/// (`05.03.2024 г.`, `05.03.2024г.`).
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    let bad = || format!("{t:?} is not a date (expected dd.mm.yyyy or yyyy-mm-dd)");
    let date = strip_year_mark(t);
    let date = match date.split_once([' ', 'T']) {
        Some((date, time)) if is_time_of_day(time.trim()) => date,
        _ => date,
    };
    let date = strip_year_mark(date);
    let parts: Vec<&str> = date.split(['.', '-', '/']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| p.parse::<u32>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let (year, month, day) = if parts[0].len() == 4 {
        (nums[0] as i32, nums[1], nums[2])
    } else if parts[2].len() == 4 {
        (nums[2] as i32, nums[1], nums[0])
    } else if parts[2].len() == 2 {
        let yy = nums[2] as i32;
        (
            if yy < 70 { 2000 + yy } else { 1900 + yy },
            nums[1],
            nums[0],
        )
    } else {
        return Err(bad());
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| format!("{t:?} is not a calendar date"))
}

/// The date without a trailing year mark (`г.`, `г`, `года`).
fn strip_year_mark(text: &str) -> &str {
    let t = text.trim_end();
    for mark in ["года", "г.", "г"] {
        if let Some(rest) = t.strip_suffix(mark) {
            if rest.ends_with(|c: char| c.is_ascii_digit() || c == ' ') {
                return rest.trim_end();
            }
        }
    }
    t
}

/// Whether `text` is a time of day as spreadsheets write it: `0:00`, `00:00:00`,
/// `14:30:05.123`.
fn is_time_of_day(text: &str) -> bool {
    let text = text.split_once('.').map_or(text, |(time, fraction)| {
        if fraction.bytes().all(|b| b.is_ascii_digit()) {
            time
        } else {
            ""
        }
    });
    NaiveTime::parse_from_str(text, "%H:%M:%S").is_ok()
        || NaiveTime::parse_from_str(text, "%H:%M").is_ok()
}

/// Whether a date is a placeholder for "no date": 1C's empty date
/// `01.01.0001` and the `01.01.1900` that spreadsheets show for a zero.
pub(crate) fn is_placeholder_date(date: NaiveDate) -> bool {
    matches!(
        (date.year(), date.month(), date.day()),
        (1, 1, 1) | (1900, 1, 1)
    )
}

/// Parses a timestamp: RFC 3339, `yyyy-mm-dd hh:mm[:ss]`, `dd.mm.yyyy hh:mm[:ss]`
/// or a bare date (midnight). Times without an offset are taken as UTC.
#[cfg_attr(not(feature = "csv"), allow(dead_code))]
pub(crate) fn parse_datetime(text: &str) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    let (date_part, time_part) = match t.split_once([' ', 'T']) {
        Some((d, rest)) => (d, Some(rest.trim())),
        None => (t, None),
    };
    let date = parse_date(date_part)?;
    let time = match time_part {
        None => NaiveTime::MIN,
        Some(tp) => NaiveTime::parse_from_str(tp, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(tp, "%H:%M"))
            .map_err(|_| format!("{t:?} has an unreadable time (expected hh:mm[:ss])"))?,
    };
    Ok(Utc.from_utc_datetime(&NaiveDateTime::new(date, time)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_and_iso_dates() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        for text in [
            "2024-03-05",
            "05.03.2024",
            "5.3.2024",
            "05/03/2024",
            "05.03.24",
        ] {
            assert_eq!(parse_date(text).unwrap(), d, "{text}");
        }
        for text in [
            "05.03.2024 0:00:00",
            "05.03.2024 00:00",
            "2024-03-05T00:00:00",
            "05.03.2024 г.",
            "05.03.2024г.",
            "05.03.2024г",
            "5.3.2024 года",
            " 05.03.2024 0:00:00 ",
        ] {
            assert_eq!(parse_date(text).unwrap(), d, "{text}");
        }
        assert!(parse_date("05.03.2024 junk").is_err());
        assert!(parse_date("05.03.2024 25:00").is_err());
        assert!(parse_date("г.").is_err());
        assert!(parse_date("31.50.1987").is_err());
        assert!(is_placeholder_date(
            parse_date("01.01.0001 0:00:00").unwrap()
        ));
        assert!(is_placeholder_date(parse_date("01.01.1900").unwrap()));
        assert!(!is_placeholder_date(d));
        assert!(parse_date("31.02.2024").is_err());
        assert!(parse_date("2024").is_err());
        assert!(parse_date("aa.bb.cccc").is_err());
    }

    #[test]
    fn timestamps() {
        let dt = parse_datetime("05.03.2024 14:30").unwrap();
        assert_eq!(dt.to_rfc3339(), "2024-03-05T14:30:00+00:00");
        let dt = parse_datetime("2024-03-05T14:30:00+03:00").unwrap();
        assert_eq!(dt.to_rfc3339(), "2024-03-05T11:30:00+00:00");
        assert!(parse_datetime("05.03.2024 25:00").is_err());
    }
}
