//! Cities with their regions, phone area codes and tax regions; streets and addresses.

use super::pick::{one_of, Weighted};
use rand::Rng;
use std::sync::LazyLock;

/// A city the generator places clients in.
pub(crate) struct City {
    /// The city's name.
    pub name: &'static str,
    /// The region (oblast, krai, republic); for federal cities the city itself.
    pub region: &'static str,
    /// Landline area codes with 3 digits (7-digit local numbers); empty when the
    /// city's codes are longer and its clients get mobiles only.
    pub area_codes: &'static [&'static str],
    /// The first two digits of ИНН issued there.
    pub tax_region: &'static str,
    /// Relative share of clients.
    pub weight: u32,
}

macro_rules! city {
    ($name:literal, $region:literal, [$($code:literal),*], $tax:literal, $w:literal) => {
        City { name: $name, region: $region, area_codes: &[$($code),*], tax_region: $tax, weight: $w }
    };
}

/// Cities, weighted roughly by where a Moscow-based retailer with delivery finds clients.
pub(crate) static CITIES: &[City] = &[
    city!("Москва", "Москва", ["495", "499"], "77", 300),
    city!("Санкт-Петербург", "Санкт-Петербург", ["812"], "78", 130),
    city!("Химки", "Московская область", ["498"], "50", 14),
    city!("Балашиха", "Московская область", ["498"], "50", 14),
    city!("Мытищи", "Московская область", ["498"], "50", 12),
    city!("Подольск", "Московская область", [], "50", 12),
    city!("Королёв", "Московская область", ["498"], "50", 8),
    city!("Люберцы", "Московская область", ["498"], "50", 10),
    city!("Новосибирск", "Новосибирская область", ["383"], "54", 30),
    city!("Екатеринбург", "Свердловская область", ["343"], "66", 30),
    city!("Казань", "Республика Татарстан", ["843"], "16", 26),
    city!(
        "Нижний Новгород",
        "Нижегородская область",
        ["831"],
        "52",
        24
    ),
    city!("Челябинск", "Челябинская область", ["351"], "74", 20),
    city!("Красноярск", "Красноярский край", ["391"], "24", 18),
    city!("Самара", "Самарская область", ["846"], "63", 18),
    city!("Уфа", "Республика Башкортостан", ["347"], "02", 18),
    city!("Ростов-на-Дону", "Ростовская область", ["863"], "61", 18),
    city!("Краснодар", "Краснодарский край", ["861"], "23", 20),
    city!("Воронеж", "Воронежская область", ["473"], "36", 15),
    city!("Пермь", "Пермский край", ["342"], "59", 15),
    city!("Владивосток", "Приморский край", ["423"], "25", 9),
    city!("Омск", "Омская область", [], "55", 14),
    city!("Волгоград", "Волгоградская область", [], "34", 14),
    city!("Тюмень", "Тюменская область", [], "72", 11),
    city!("Саратов", "Саратовская область", [], "64", 10),
    city!("Ижевск", "Удмуртская Республика", [], "18", 8),
    city!("Барнаул", "Алтайский край", [], "22", 8),
    city!("Иркутск", "Иркутская область", [], "38", 8),
    city!("Хабаровск", "Хабаровский край", [], "27", 7),
    city!("Ярославль", "Ярославская область", [], "76", 8),
    city!("Калининград", "Калининградская область", [], "39", 8),
    city!("Томск", "Томская область", [], "70", 6),
    city!("Сочи", "Краснодарский край", [], "23", 7),
    city!("Тула", "Тульская область", [], "71", 7),
    city!("Тверь", "Тверская область", [], "69", 6),
];

/// Landline area codes longer than 3 digits, for typing numbers with the right grouping.
pub(crate) static LONG_AREA_CODES: &[&str] = &[
    "3812", "8442", "3452", "8452", "3412", "3852", "3952", "4212", "4852", "4012", "3822", "4872",
    "4822", "8622", "4967", "7172", "3532", "8412",
];

static STREETS: &[&str] = &[
    "Ленина",
    "Советская",
    "Мира",
    "Гагарина",
    "Садовая",
    "Молодёжная",
    "Школьная",
    "Лесная",
    "Набережная",
    "Пушкина",
    "Центральная",
    "Победы",
    "Кирова",
    "Октябрьская",
    "Комсомольская",
    "Первомайская",
    "Зелёная",
    "Московская",
    "Полевая",
    "Строителей",
    "Лермонтова",
    "Чехова",
    "Горького",
    "Маяковского",
    "Свердлова",
    "Новая",
    "Заводская",
    "Солнечная",
    "Береговая",
    "Профсоюзная",
    "Дзержинского",
    "Карла Маркса",
    "Фрунзе",
    "Южная",
    "Северная",
    "Вокзальная",
];

static STREET_KINDS: &[(&str, u32)] = &[
    ("ул.", 70),
    ("пр-т", 10),
    ("пер.", 6),
    ("б-р", 4),
    ("ш.", 3),
    ("наб.", 2),
    ("улица", 5),
];

static CITY_PICKER: LazyLock<Weighted> =
    LazyLock::new(|| Weighted::new(CITIES.iter().map(|c| c.weight as u64)));

/// A random city index, big cities more often.
pub(crate) fn random_city<R: Rng + ?Sized>(rng: &mut R) -> usize {
    CITY_PICKER.index(rng)
}

/// A street address: `ул. Ленина, д. 12, кв. 45` (an office instead of a flat for companies).
pub(crate) fn random_address<R: Rng + ?Sized>(rng: &mut R, company: bool) -> String {
    let kind = super::pick::weighted(rng, STREET_KINDS);
    let street = one_of(rng, STREETS);
    let house = rng.random_range(1..=160);
    let building = if rng.random_bool(0.15) {
        format!(", корп. {}", rng.random_range(1..=4))
    } else {
        String::new()
    };
    if company {
        if rng.random_bool(0.6) {
            format!(
                "{kind} {street}, д. {house}{building}, офис {}",
                rng.random_range(1..=420)
            )
        } else {
            format!("{kind} {street}, д. {house}{building}")
        }
    } else if rng.random_bool(0.8) {
        format!(
            "{kind} {street}, д. {house}{building}, кв. {}",
            rng.random_range(1..=280)
        )
    } else {
        format!("{kind} {street}, д. {house}{building}")
    }
}
