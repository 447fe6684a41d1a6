//! Matching words people type: the aliases of the domain enums (`Ушёл`, `Юр. лицо`)
//! compared without case, spaces, dots, dashes and underscores, `ё` as `е`.

/// A lowercase word without spaces, dots, dashes and underscores, `ё` as `е`.
pub(crate) fn keyword(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '_' | '\u{a0}'))
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::keyword;

    #[test]
    fn keywords_ignore_case_punctuation_and_yo() {
        assert_eq!(keyword(" Юр. лицо "), "юрлицо");
        assert_eq!(keyword("Ушёл"), "ушел");
        assert_eq!(keyword("duplicate_of"), "duplicateof");
    }
}
