//! The small mistakes people make when they type a client in again.

use super::catalog::LegalForm;
use super::identity::Company;
use super::names::{transliterate, Translit};
use super::pick::{one_of, weighted};
use rand::Rng;

static KEYBOARD_ROWS: &[&str] = &[
    "йцукенгшщзхъ",
    "фывапролджэ",
    "ячсмитьбю",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
];

/// A letter next to `c` on the keyboard (ЙЦУКЕН or QWERTY), keeping the case.
fn neighbour<R: Rng + ?Sized>(rng: &mut R, c: char) -> Option<char> {
    let lower = c.to_lowercase().next()?;
    for row in KEYBOARD_ROWS {
        let keys: Vec<char> = row.chars().collect();
        if let Some(at) = keys.iter().position(|&k| k == lower) {
            let mut options = Vec::new();
            if at > 0 {
                options.push(keys[at - 1]);
            }
            if at + 1 < keys.len() {
                options.push(keys[at + 1]);
            }
            let n = *one_of(rng, &options);
            return Some(if c.is_uppercase() {
                n.to_uppercase().next().unwrap_or(n)
            } else {
                n
            });
        }
    }
    if let Some(d) = c.to_digit(10) {
        let shifted = if d == 9 || (d > 0 && rng.random_bool(0.5)) {
            d - 1
        } else {
            d + 1
        };
        return char::from_digit(shifted, 10);
    }
    None
}

/// One slip in `text` after its first character: a neighbouring key, a dropped,
/// doubled or swapped letter. Always returns something different when `text` has
/// at least three characters.
pub(crate) fn slip<R: Rng + ?Sized>(rng: &mut R, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < 3 {
        return format!("{text}{}", chars.last().copied().unwrap_or('a'));
    }
    for _ in 0..8 {
        let at = rng.random_range(1..chars.len());
        let mut out = chars.clone();
        match rng.random_range(0..4) {
            0 => match neighbour(rng, chars[at]) {
                Some(n) => out[at] = n,
                None => continue,
            },
            1 => {
                out.remove(at);
            }
            2 => out.insert(at, chars[at]),
            _ => {
                if at + 1 >= chars.len() {
                    continue;
                }
                out.swap(at, at + 1);
            }
        }
        if out != chars {
            return out.into_iter().collect();
        }
    }
    let mut out = chars;
    let last = out.len() - 1;
    out.insert(last, out[last]);
    out.into_iter().collect()
}

static DOMAIN_TYPOS: &[(&str, &[&str])] = &[
    (
        "mail.ru",
        &["mial.ru", "mail.ri", "mai.ru", "maill.ru", "mail.r"],
    ),
    (
        "yandex.ru",
        &["yandex.ry", "yandeks.ru", "yandx.ru", "yadex.ru"],
    ),
    (
        "gmail.com",
        &["gmial.com", "gmail.co", "gmai.com", "gmail.ru", "gmal.com"],
    ),
    ("bk.ru", &["bk.ry", "bk.ri"]),
    ("list.ru", &["lits.ru", "list.ry"]),
    ("inbox.ru", &["inbox.ry", "indox.ru"]),
    ("rambler.ru", &["rambler.ry", "rambller.ru", "ramber.ru"]),
    ("ya.ru", &["ya.ry"]),
];

/// An email address with one mistake: in the mailbox name (a letter, or a digit
/// of a year) or in the provider's domain.
pub(crate) fn email_typo<R: Rng + ?Sized>(rng: &mut R, address: &str) -> String {
    let Some((local, domain)) = address.split_once('@') else {
        return slip(rng, address);
    };
    if rng.random_bool(0.3) {
        let plain = domain.trim().to_lowercase();
        if let Some((_, typos)) = DOMAIN_TYPOS.iter().find(|(d, _)| *d == plain) {
            return format!("{local}@{}", one_of(rng, typos));
        }
    }
    let digits: Vec<usize> = local
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    if !digits.is_empty() && rng.random_bool(0.4) {
        let at = *one_of(rng, &digits);
        let mut out: Vec<char> = local.chars().collect();
        let char_at = local[..at].chars().count();
        if let Some(n) = neighbour(rng, out[char_at]) {
            out[char_at] = n;
            return format!("{}@{domain}", out.into_iter().collect::<String>());
        }
    }
    format!("{}@{domain}", slip(rng, local))
}

/// The company's name written another way than `current`.
pub(crate) fn company_variant<R: Rng + ?Sized>(
    rng: &mut R,
    company: &Company,
    current: &str,
) -> String {
    let name = &company.name;
    for _ in 0..6 {
        let candidate = match company.form {
            LegalForm::Ooo | LegalForm::Ao => {
                let (short, long) = match company.form {
                    LegalForm::Ao => ("АО", "Акционерное общество"),
                    _ => ("ООО", "Общество с ограниченной ответственностью"),
                };
                match *weighted(
                    rng,
                    &[
                        (0, 25),
                        (1, 20),
                        (2, 15),
                        (3, 10),
                        (4, 10),
                        (5, 8),
                        (6, 7),
                        (7, 5),
                    ],
                ) {
                    0 => name.to_string(),
                    1 => format!("{short} {name}"),
                    2 => format!("{short} \"{name}\""),
                    3 => format!("{name} {short}"),
                    4 => format!("{name}, {short}"),
                    5 => format!("{long} «{name}»"),
                    6 => format!(
                        "{} {}",
                        latin_form(short),
                        transliterate(name, Translit::Common)
                    ),
                    _ => format!("{} «{}»", short.to_lowercase(), name.to_lowercase()),
                }
            }
            LegalForm::Ip => {
                let initials = company
                    .owner
                    .as_ref()
                    .map(|o| o.initials_name())
                    .unwrap_or_else(|| name.clone());
                match rng.random_range(0..5) {
                    0 => format!("ИП {initials}"),
                    1 => format!("{name} ИП"),
                    2 => format!("Индивидуальный предприниматель {name}"),
                    3 => format!("{initials} (ИП)"),
                    _ => name.to_string(),
                }
            }
        };
        if candidate != current {
            return candidate;
        }
    }
    let upper = current.to_uppercase();
    if upper != current {
        upper
    } else {
        format!("{current}.")
    }
}

fn latin_form(short: &str) -> &'static str {
    match short {
        "АО" => "AO",
        _ => "OOO",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn slips_change_exactly_a_little() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        for _ in 0..1000 {
            let out = slip(&mut rng, "Кузнецова");
            assert_ne!(out, "Кузнецова");
            assert!(out.starts_with('К'));
            let diff = out.chars().count() as i64 - "Кузнецова".chars().count() as i64;
            assert!(diff.abs() <= 1);
        }
    }

    #[test]
    fn email_typos_keep_the_shape() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..1000 {
            let out = email_typo(&mut rng, "ivanov85@mail.ru");
            assert_ne!(out, "ivanov85@mail.ru");
            assert_eq!(out.matches('@').count(), 1, "{out}");
        }
    }
}
