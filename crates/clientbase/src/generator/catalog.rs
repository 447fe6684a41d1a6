//! What the demo company sells and how it works: a pet supplies retailer with a
//! wholesale desk. Products with categories and price ranges, managers, lead
//! sources, pipelines, company names, activity wording and the demo schema.

use crate::money::Currency;
use crate::schema::{FieldDef, FieldType, Schema};

/// How a product is sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// By the piece, usually one or two.
    Piece,
    /// Small items bought by the dozen (wet food pouches, cans).
    Pack,
    /// By weight in kilograms, with grams.
    Kg,
    /// A service.
    Service,
}

/// A product in the catalogue.
pub(crate) struct Product {
    pub name: &'static str,
    pub category: usize,
    /// Retail price range in whole roubles.
    pub price: (u32, u32),
    pub unit: Unit,
}

/// Product categories; a client's favourites drive most of what they buy.
pub(crate) static CATEGORIES: &[&str] = &[
    "Корма для кошек",
    "Корма для собак",
    "Наполнители",
    "Лакомства",
    "Аксессуары",
    "Ветаптека",
    "Аквариумистика",
    "Птицы и грызуны",
    "Груминг",
    "Услуги",
];

macro_rules! products {
    ($(($name:literal, $cat:literal, $lo:literal, $hi:literal, $unit:ident)),* $(,)?) => {
        &[$(Product { name: $name, category: $cat, price: ($lo, $hi), unit: Unit::$unit }),*]
    };
}

pub(crate) static PRODUCTS: &[Product] = products![
    ("Royal Canin Indoor 27, 2 кг", 0, 1890, 2490, Piece),
    ("Purina Pro Plan Sterilised, 1,5 кг", 0, 1390, 1790, Piece),
    ("Hill's Science Plan Adult, 3 кг", 0, 2690, 3290, Piece),
    ("Brit Premium Cat Adult, 2 кг", 0, 890, 1190, Piece),
    ("Acana Wild Prairie Cat, 1,8 кг", 0, 2990, 3690, Piece),
    ("Whiskas влажный корм, 75 г", 0, 25, 45, Pack),
    ("Felix Аппетитные кусочки, 85 г", 0, 29, 49, Pack),
    ("Sheba пауч, 75 г", 0, 39, 59, Pack),
    ("Корм для кошек на развес", 0, 290, 420, Kg),
    ("Royal Canin Medium Adult, 15 кг", 1, 7990, 9490, Piece),
    ("Purina Pro Plan Large Robust, 14 кг", 1, 6990, 8490, Piece),
    ("Pedigree для взрослых собак, 13 кг", 1, 3290, 3990, Piece),
    ("Acana Adult Dog, 11,4 кг", 1, 9990, 12490, Piece),
    ("Monge Dog Speciality, 12 кг", 1, 5990, 7290, Piece),
    ("Brit Care консервы, 400 г", 1, 159, 229, Pack),
    ("Chappi сухой корм, 15 кг", 1, 2390, 2890, Piece),
    ("Корм для собак на развес", 1, 250, 380, Kg),
    ("Наполнитель комкующийся, 10 л", 2, 790, 1090, Piece),
    ("Наполнитель силикагелевый, 3,8 л", 2, 390, 590, Piece),
    ("Наполнитель древесный, 5 кг", 2, 290, 450, Piece),
    ("Наполнитель минеральный, 10 кг", 2, 490, 690, Piece),
    ("Говяжьи палочки для собак", 3, 149, 249, Piece),
    ("Косточки жевательные, 3 шт.", 3, 199, 299, Piece),
    ("Мясные чипсы для собак, 100 г", 3, 219, 329, Piece),
    ("Лакомство для кошек Dreamies, 60 г", 3, 99, 139, Pack),
    ("Кошачья мята", 3, 89, 149, Piece),
    ("Когтеточка-столбик, 60 см", 4, 990, 1890, Piece),
    ("Лежанка 60×45 см", 4, 1490, 2990, Piece),
    ("Переноска пластиковая", 4, 1690, 3490, Piece),
    ("Поводок-рулетка, 5 м", 4, 890, 1690, Piece),
    ("Шлейка с поводком", 4, 690, 1290, Piece),
    ("Миска керамическая", 4, 390, 790, Piece),
    ("Игрушка «Мышка»", 4, 99, 199, Piece),
    ("Домик для кошки", 4, 2490, 4990, Piece),
    ("Лоток с бортом", 4, 490, 990, Piece),
    ("Ошейник светоотражающий", 4, 390, 690, Piece),
    ("Капли от блох и клещей Advantix", 5, 1190, 1690, Piece),
    ("Bravecto, таблетка для собак", 5, 1990, 2790, Piece),
    ("Милбемакс для кошек, 2 таблетки", 5, 790, 990, Piece),
    ("Витамины Canina для кошек", 5, 990, 1390, Piece),
    ("Спрей Фронтлайн, 100 мл", 5, 1590, 1990, Piece),
    ("Ошейник от блох Foresto", 5, 2990, 3790, Piece),
    ("Аквариум 60 л", 6, 4990, 8990, Piece),
    ("Фильтр внутренний для аквариума", 6, 1290, 2490, Piece),
    ("Корм для рыб TetraMin, 100 мл", 6, 290, 390, Piece),
    ("Обогреватель для аквариума, 100 Вт", 6, 990, 1590, Piece),
    ("Грунт для аквариума, 5 кг", 6, 390, 690, Piece),
    ("Корм для попугаев, 500 г", 7, 190, 290, Piece),
    ("Корм для хомяков, 400 г", 7, 160, 260, Piece),
    ("Сено луговое, 1 кг", 7, 150, 240, Piece),
    ("Клетка для грызунов", 7, 1990, 4990, Piece),
    ("Комплексный груминг собаки", 8, 2500, 4500, Service),
    ("Гигиеническая стрижка кошки", 8, 1500, 2500, Service),
    ("Стрижка когтей", 8, 300, 500, Service),
    ("Экспресс-линька", 8, 1800, 3000, Service),
    ("Доставка по городу", 9, 290, 490, Service),
    ("Консультация ветеринара", 9, 1200, 2000, Service),
];

/// The index of delivery in [`PRODUCTS`].
pub(crate) fn delivery() -> &'static Product {
    PRODUCTS
        .iter()
        .find(|p| p.name.starts_with("Доставка"))
        .unwrap_or(&PRODUCTS[0])
}

/// Managers with their share of clients; the first four also work the wholesale desk.
pub(crate) static MANAGERS: &[(&str, u32)] = &[
    ("Екатерина Орлова", 16),
    ("Дмитрий Соколов", 14),
    ("Игорь Кравец", 12),
    ("Светлана Ким", 10),
    ("Анна Белова", 10),
    ("Мария Лебедева", 9),
    ("Алексей Морозов", 8),
    ("Ольга Никитина", 7),
    ("Павел Зуев", 6),
    ("Роман Гусев", 4),
    ("Наталья Власова", 3),
    ("Артём Данилов", 1),
];

/// The number of managers who also serve companies.
pub(crate) const WHOLESALE_MANAGERS: usize = 4;

pub(crate) static PERSON_SOURCES: &[(&str, u32)] = &[
    ("сайт", 25),
    ("магазин", 20),
    ("Яндекс.Директ", 12),
    ("ВКонтакте", 8),
    ("рекомендация", 10),
    ("Авито", 5),
    ("Telegram", 5),
    ("2ГИС", 5),
    ("звонок", 10),
];

pub(crate) static COMPANY_SOURCES: &[(&str, u32)] = &[
    ("холодный звонок", 25),
    ("выставка", 15),
    ("сайт", 20),
    ("рекомендация", 15),
    ("тендер", 10),
    ("2ГИС", 15),
];

/// A sales pipeline: its name, the stages of open deals, and the won and lost stages.
pub(crate) struct Pipeline {
    pub name: &'static str,
    pub open: &'static [&'static str],
    pub won: &'static str,
    pub lost: &'static str,
}

pub(crate) static RETAIL: Pipeline = Pipeline {
    name: "Розница",
    open: &[
        "Новая заявка",
        "Подбор товара",
        "Ожидает оплаты",
        "Сборка заказа",
        "Доставка",
    ],
    won: "Успешно реализовано",
    lost: "Закрыто и не реализовано",
};

pub(crate) static WHOLESALE: Pipeline = Pipeline {
    name: "Опт",
    open: &[
        "Новая заявка",
        "Квалификация",
        "КП отправлено",
        "Согласование договора",
        "Счёт выставлен",
        "Отгрузка",
    ],
    won: "Успешно реализовано",
    lost: "Закрыто и не реализовано",
};

pub(crate) static SUBSCRIPTION: Pipeline = Pipeline {
    name: "Подписка",
    open: &["Активна"],
    won: "Завершена",
    lost: "Отменена",
};

/// The open stages of the generator's pipelines in their order, by pipeline
/// name: what the funnel of the analytics and the report needs to show
/// conversion from stage to stage on a generated base.
pub fn stage_orders() -> std::collections::BTreeMap<String, Vec<String>> {
    [&RETAIL, &WHOLESALE, &SUBSCRIPTION]
        .iter()
        .map(|p| {
            let stages = p.open.iter().map(|s| s.to_string()).collect();
            (p.name.to_string(), stages)
        })
        .collect()
}

/// Words companies are named after.
pub(crate) static COMPANY_WORDS: &[&str] = &[
    "Зоомир",
    "Четыре лапы",
    "Лапа и хвост",
    "Айболит",
    "Зоосфера",
    "Кот и пёс",
    "Верный друг",
    "Ветдоктор",
    "Зоолэнд",
    "Хвостики",
    "Бетховен",
    "Умка",
    "Мурзик",
    "Зоогалерея",
    "Дикая природа",
    "Аквамир",
    "Живой уголок",
    "Пушистик",
    "Ветсервис",
    "Зооцентр",
    "Альфа",
    "Вектор",
    "Меридиан",
    "Гранит",
    "Север",
    "Восток",
    "Эталон",
    "Прогресс",
    "Оптима",
    "Регион",
    "Спектр",
    "Союз",
    "Фаворит",
    "Импульс",
    "Альянс",
    "Горизонт",
    "Сфера",
    "Ника",
    "Вега",
    "Лидер",
    "Партнёр",
    "Стандарт",
    "Магистраль",
    "Феникс",
    "Атлант",
    "Орион",
    "Гелиос",
    "Престиж",
    "Велес",
    "Радуга",
];

pub(crate) static COMPANY_SUFFIXES: &[(&str, u32)] = &[
    ("", 50),
    ("-М", 6),
    (" Плюс", 6),
    (" Трейд", 6),
    ("-Юг", 4),
    (" СПб", 4),
    (" Групп", 5),
    (" Опт", 4),
    ("-Центр", 4),
    (" 24", 3),
    (" Вет", 3),
    (" Снаб", 3),
];

/// Legal forms: ООО mostly, some АО, and sole proprietors (ИП).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LegalForm {
    Ooo,
    Ao,
    Ip,
}

pub(crate) static LEGAL_FORMS: &[(LegalForm, u32)] = &[
    (LegalForm::Ooo, 68),
    (LegalForm::Ao, 6),
    (LegalForm::Ip, 26),
];

pub(crate) static CALL_OUTCOMES: &[(&str, u32)] = &[
    ("не дозвонились", 22),
    ("занято", 6),
    ("перезвонить позже", 12),
    ("оформлен заказ", 16),
    ("договорились о доставке", 10),
    ("консультация по кормам", 12),
    ("уточнил наличие", 8),
    ("отказ", 6),
    ("жалоба на доставку", 3),
    ("записан на груминг", 5),
];

pub(crate) static EMAIL_SUBJECTS: &[&str] = &[
    "Счёт на оплату",
    "Коммерческое предложение",
    "Подтверждение заказа",
    "Прайс-лист на месяц",
    "Акция: скидка 10% на корма",
    "Акт сверки",
];

pub(crate) static MESSAGES: &[&str] = &[
    "Ваш заказ собран и ждёт в магазине",
    "Напоминаем о записи на груминг",
    "Спасибо за покупку!",
    "Заказ передан в доставку",
    "Скидка ко дню рождения питомца",
];

pub(crate) static MEETINGS: &[&str] = &[
    "Встреча в офисе клиента",
    "Презентация ассортимента",
    "Обсуждение условий поставки",
];

pub(crate) static TASKS: &[&str] = &[
    "Перезвонить клиенту",
    "Отправить КП",
    "Выставить счёт",
    "Напомнить о повторной покупке корма",
    "Уточнить адрес доставки",
    "Поздравить с днём рождения",
    "Согласовать договор поставки",
];

pub(crate) static NOTES: &[&str] = &[
    "Предпочитает доставку вечером",
    "У собаки аллергия на курицу",
    "Просит не звонить до 10:00",
    "Крупный заказчик, скидка по договору",
    "Оплачивает только по счёту",
];

pub(crate) static BEHAVIOURS: &[&str] = &[
    "экономный",
    "импульсивный",
    "рациональный",
    "консервативный",
];

pub(crate) static CAT_BREEDS: &[&str] = &[
    "британская",
    "мейн-кун",
    "шотландская вислоухая",
    "сфинкс",
    "беспородная",
    "сиамская",
    "бенгальская",
];

pub(crate) static DOG_BREEDS: &[&str] = &[
    "лабрадор",
    "шпиц",
    "йоркширский терьер",
    "немецкая овчарка",
    "хаски",
    "корги",
    "такса",
    "французский бульдог",
    "метис",
    "чихуахуа",
];

/// The options of the demo fields (also used to fill them).
pub(crate) static PETS: &[&str] = &["кошка", "собака", "птица", "грызун", "рыбки", "рептилия"];
pub(crate) static CONTACT_TIMES: &[&str] = &["утро", "день", "вечер", "выходные"];
pub(crate) static ORG_TYPES: &[&str] = &[
    "ветклиника",
    "зоомагазин",
    "питомник",
    "груминг-салон",
    "приют",
    "гостиница для животных",
];
pub(crate) static WEEKDAYS: &[&str] = &["пн", "вт", "ср", "чт", "пт", "сб"];

/// Demo tags with the chance a person and a company carries each.
pub(crate) static DEMO_TAGS: &[(&str, f64, f64)] = &[
    ("VIP", 0.03, 0.08),
    ("постоянный", 0.15, 0.2),
    ("бонусная карта", 0.3, 0.0),
    ("оптовик", 0.0, 0.5),
    ("заводчик", 0.02, 0.1),
    ("доставка", 0.25, 0.3),
    ("самовывоз", 0.15, 0.05),
    ("груминг", 0.08, 0.0),
    ("рассылка", 0.2, 0.1),
    ("проблемный", 0.02, 0.03),
    ("новый", 0.1, 0.1),
    ("предоплата", 0.0, 0.15),
];

/// The schema the generator uses unless told otherwise: the demo tag vocabulary
/// and custom fields of every type (pets many-of, pet count integer, breed text,
/// monthly budget money, first visit date, newsletter bool, contact time one-of,
/// organisation type one-of and delivery days many-of for companies).
///
/// ```
/// let schema = clientbase::generator::demo_schema();
/// assert!(schema.has_tag("VIP"));
/// assert_eq!(schema.field("monthly_budget").unwrap().field_type.name(), "money");
/// ```
pub fn demo_schema() -> Schema {
    let mut schema = Schema::new();
    for (tag, _, _) in DEMO_TAGS {
        // The names are fixed and valid.
        let _ = schema.declare_tag(*tag);
    }
    let options = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let fields = [
        FieldDef::new(
            "pets",
            FieldType::ManyOf {
                options: options(PETS),
            },
        )
        .with_label("Питомцы"),
        FieldDef::new("pet_count", FieldType::Integer).with_label("Сколько питомцев"),
        FieldDef::new("breed", FieldType::Text).with_label("Порода"),
        FieldDef::new(
            "monthly_budget",
            FieldType::Money {
                currency: Currency::RUB,
            },
        )
        .with_label("Бюджет в месяц"),
        FieldDef::new("first_visit", FieldType::Date).with_label("Первый визит"),
        FieldDef::new("newsletter", FieldType::Bool).with_label("Подписан на рассылку"),
        FieldDef::new(
            "contact_time",
            FieldType::OneOf {
                options: options(CONTACT_TIMES),
            },
        )
        .with_label("Удобное время связи"),
        FieldDef::new(
            "org_type",
            FieldType::OneOf {
                options: options(ORG_TYPES),
            },
        )
        .with_label("Тип организации"),
        FieldDef::new(
            "delivery_days",
            FieldType::ManyOf {
                options: options(WEEKDAYS),
            },
        )
        .with_label("Дни поставки"),
    ];
    for field in fields {
        let _ = schema.declare_field(field);
    }
    schema.set_currency(Some(Currency::RUB));
    schema
}
