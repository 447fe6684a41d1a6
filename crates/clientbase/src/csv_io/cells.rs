//! Reading cells: dates, ids, stages, statuses, consents and lists.

use super::*;

/// A date cell; a placeholder for "no date" (1C's `01.01.0001`, a
/// spreadsheet's `01.01.1900`) is an empty cell.
pub(super) fn date_cell(text: &str, field: &str) -> Result<Option<chrono::NaiveDate>> {
    let date = parse_date(text).map_err(|reason| invalid(field, reason))?;
    Ok((!crate::dates::is_placeholder_date(date)).then_some(date))
}

pub(super) fn datetime_cell(text: &str, field: &str) -> Result<DateTime<Utc>> {
    parse_datetime(text).map_err(|reason| invalid(field, reason))
}

pub(super) fn json_cell<T: DeserializeOwned>(text: &str, field: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        Error::new(ErrorKind::Json, format!("{field} is not valid JSON: {e}")).with_field(field)
    })
}

pub(super) fn id_cell(text: &str, field: &str) -> Result<u64> {
    crate::ids::parse_id(text, field)
}

/// Whether a `kind` cell says company (aliases of [`PartyKind`]'s `FromStr`).
pub(super) fn kind_cell(text: &str) -> Result<bool> {
    Ok(text.parse::<PartyKind>()? == PartyKind::Company)
}

pub(super) fn percent_cell(text: &str) -> Result<u8> {
    let t = text.trim();
    let number = t.strip_suffix('%').unwrap_or(t);
    let milli = Quantity::parse(number)
        .map_err(|_| invalid("loyalty_percent", format!("{t:?} is not a percentage")))?
        .milli();
    if milli % 1000 != 0 {
        return Err(invalid(
            "loyalty_percent",
            format!("{t:?} is not a whole percentage"),
        ));
    }
    match milli / 1000 {
        p if p < 0 => Err(invalid("loyalty_percent", format!("{t} is negative"))),
        p if p > 100 => Err(invalid("loyalty_percent", format!("{t} is above 100"))),
        p => Ok(p as u8),
    }
}

pub(super) fn bool_cell(text: &str, field: &str) -> Result<bool> {
    parse_bool(text).ok_or_else(|| invalid(field, format!("{:?} is not yes or no", text.trim())))
}

/// Reads a consent cell: `да 10.01.2024`, `withdrawn 2024-02-01`, or a bare date.
pub(super) fn consent_cell(text: &str, field: &str) -> Result<Consent> {
    text.parse::<Consent>().map_err(|e| e.with_field(field))
}

pub(super) fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ';', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Splits a field path into its head and first index: `phones[2]` is `("phones", Some(2))`.
pub(super) fn split_field(field: &str) -> (&str, Option<usize>) {
    let end = field.find(['[', '.']).unwrap_or(field.len());
    let index = field[end..]
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(n, _)| n.parse().ok());
    (&field[..end], index)
}
