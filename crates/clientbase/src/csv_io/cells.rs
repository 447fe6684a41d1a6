//! Reading cells: dates, ids, stages, statuses, consents and lists.

use super::*;

pub(super) fn date_cell(text: &str, field: &str) -> Result<chrono::NaiveDate> {
    parse_date(text).map_err(|reason| invalid(field, reason))
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
    let t = text.trim();
    let t = t
        .strip_prefix("client ")
        .or_else(|| t.strip_prefix("deal "))
        .unwrap_or(t)
        .trim();
    match t.parse::<u64>() {
        Ok(0) => Err(invalid(field, "ids start at 1")),
        Ok(u64::MAX) | Err(_) if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() => {
            Err(invalid(field, format!("{t} is too large for an id")))
        }
        Ok(id) => Ok(id),
        Err(_) => Err(invalid(
            field,
            format!("{t:?} is not an id (a whole number)"),
        )),
    }
}

/// A lowercase word without spaces, dots, dashes and underscores, `ё` as `е`.
pub(super) fn keyword(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '_' | '\u{a0}'))
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

pub(super) fn kind_cell(text: &str) -> Result<bool> {
    match keyword(text).as_str() {
        "person" | "individual" | "физлицо" | "физическоелицо" | "частноелицо" | "фл" => {
            Ok(false)
        }
        "company"
        | "organization"
        | "organisation"
        | "юрлицо"
        | "юридическоелицо"
        | "организация"
        | "компания"
        | "ип"
        | "индивидуальныйпредприниматель"
        | "юл" => Ok(true),
        _ => Err(invalid(
            "kind",
            format!(
                "{:?} is neither person (физлицо) nor company (юрлицо)",
                text.trim()
            ),
        )),
    }
}

pub(super) fn stage_cell(text: &str) -> Result<LifecycleStage> {
    match keyword(text).as_str() {
        "lead" | "лид" | "новый" => Ok(LifecycleStage::Lead),
        "prospect" | "потенциальный" | "потенциальныйклиент" | "проспект" => {
            Ok(LifecycleStage::Prospect)
        }
        "customer" | "клиент" | "покупатель" => Ok(LifecycleStage::Customer),
        "loyal" | "постоянный" | "постоянныйклиент" | "лояльный" => {
            Ok(LifecycleStage::Loyal)
        }
        "churned" | "ушел" | "ушедший" | "потерян" | "отток" => {
            Ok(LifecycleStage::Churned)
        }
        _ => Err(invalid(
            "stage",
            format!(
                "{:?} is not a lifecycle stage (lead, prospect, customer, loyal, churned)",
                text.trim()
            ),
        )),
    }
}

pub(super) fn stage_name(stage: LifecycleStage) -> &'static str {
    match stage {
        LifecycleStage::Lead => "lead",
        LifecycleStage::Prospect => "prospect",
        LifecycleStage::Customer => "customer",
        LifecycleStage::Loyal => "loyal",
        LifecycleStage::Churned => "churned",
    }
}

pub(super) fn temperature_cell(text: &str) -> Result<Temperature> {
    match keyword(text).as_str() {
        "cold" | "холодный" | "холодная" => Ok(Temperature::Cold),
        "warm" | "теплый" | "теплая" => Ok(Temperature::Warm),
        "hot" | "горячий" | "горячая" => Ok(Temperature::Hot),
        _ => Err(invalid(
            "temperature",
            format!("{:?} is not cold, warm or hot", text.trim()),
        )),
    }
}

pub(super) fn temperature_name(temperature: Temperature) -> &'static str {
    match temperature {
        Temperature::Cold => "cold",
        Temperature::Warm => "warm",
        Temperature::Hot => "hot",
    }
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
    let t = text.trim();
    if let Ok(date) = parse_date(t) {
        return Ok(Consent::given(date));
    }
    let (word, rest) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
    let word = word.trim_end_matches([',', ':', ';']);
    // `keyword` drops dashes, so the bare `-` is matched first.
    let word = if word == "-" {
        "no".to_string()
    } else {
        keyword(word)
    };
    let state = match word.as_str() {
        "да" | "yes" | "given" | "согласие" | "согласен" | "согласна" | "+" | "1" | "true" => {
            ConsentState::Given
        }
        "нет" | "no" | "withdrawn" | "отозвано" | "отозвана" | "отказ" | "0" | "false" => {
            ConsentState::Withdrawn
        }
        _ => {
            return Err(invalid(
                field,
                format!("{t:?} is not a consent: write «да 10.01.2024» or «нет 01.02.2024»"),
            ))
        }
    };
    let date_text = rest.trim().trim_start_matches([',', ':', ';']).trim();
    if date_text.is_empty() {
        return Err(invalid(
            field,
            format!("{t:?} has no date: a consent needs the day it was given or withdrawn"),
        ));
    }
    let date = date_cell(date_text, field)?;
    Ok(Consent { state, date })
}

pub(super) fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ';', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

pub(super) fn status_cell(text: &str) -> Result<DealStatus> {
    let t = text.trim();
    let word = keyword(t);
    match word.as_str() {
        "open" | "открыта" | "открыт" | "открыто" | "вработе" => {
            return Ok(DealStatus::Open)
        }
        "won"
        | "выиграна"
        | "выиграно"
        | "успешно"
        | "успех"
        | "успешна"
        | "закрытауспешно"
        | "оплачена" => return Ok(DealStatus::Won),
        "lost"
        | "проиграна"
        | "проиграно"
        | "проигрыш"
        | "неуспешно"
        | "закрытанеуспешно"
        | "отказ"
        | "потеряна" => return Ok(DealStatus::Lost),
        _ => {}
    }
    let lower = t.to_lowercase();
    let rest = [
        "duplicate_of",
        "duplicate of",
        "duplicate",
        "дубликат",
        "дубль",
    ]
    .iter()
    .find_map(|prefix| lower.strip_prefix(prefix));
    if let Some(rest) = rest {
        let id = rest.trim_start_matches([':', ' ', '#', '\u{a0}']);
        let id = id.strip_prefix("сделки").unwrap_or(id).trim();
        let id = id_cell(id, "status")?;
        return Ok(DealStatus::DuplicateOf(DealId(id)));
    }
    Err(invalid(
        "status",
        format!("{t:?} is not a deal status (open, won, lost, duplicate_of:<id>)"),
    ))
}

pub(super) fn status_name(status: DealStatus) -> Cow<'static, str> {
    match status {
        DealStatus::Open => "open".into(),
        DealStatus::Won => "won".into(),
        DealStatus::Lost => "lost".into(),
        DealStatus::DuplicateOf(id) => format!("duplicate_of:{}", id.0).into(),
    }
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
