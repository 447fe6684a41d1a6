//! CSV import and export throughput, in rows per second.
//!
//! The input is built here, deterministically: 100 000 clients written the way a
//! 1C export looks (BOM, `;`, decimal commas, `dd.mm.yyyy`, a quoted multi-line
//! comment now and then) with one row in a hundred carrying an impossible date, so
//! the rejection path is measured too; and 100 000 one-line deals for them. Export
//! writes the canonical columns of a base imported from those files.

use clientbase::{ClientBase, ColumnMapping, CsvOptions, Currency, FieldDef, FieldType, Schema};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

const ROWS: usize = 100_000;

/// A small linear congruential generator: the same file on every run and machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const SURNAMES: &[&str] = &[
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
];
const GIVEN: &[&str] = &[
    "Александр",
    "Сергей",
    "Дмитрий",
    "Андрей",
    "Алексей",
    "Максим",
    "Иван",
    "Михаил",
];
const PATRONYMICS: &[&str] = &[
    "Александрович",
    "Сергеевич",
    "Дмитриевич",
    "Андреевич",
    "Иванович",
    "Петрович",
];
const CITIES: &[&str] = &[
    "Москва",
    "Санкт-Петербург",
    "Новосибирск",
    "Екатеринбург",
    "Казань",
    "Нижний Новгород",
    "Челябинск",
    "Самара",
    "Омск",
    "Ростов-на-Дону",
];
const TAGS: &[&str] = &["", "vip", "опт", "vip, опт", "новый", ""];
const PRODUCTS: &[&str] = &[
    "Корм для кошек 10 кг",
    "Наполнитель 5 л",
    "Миска керамическая",
    "Рис 900 г",
    "Гречка 800 г",
];

fn schema() -> Schema {
    let mut schema = Schema::new();
    for tag in ["vip", "опт", "новый"] {
        schema.declare_tag(tag).unwrap();
    }
    schema
        .declare_field(FieldDef::new("rooms", FieldType::Integer))
        .unwrap();
    schema
        .declare_field(FieldDef::new(
            "budget",
            FieldType::Money {
                currency: Currency::RUB,
            },
        ))
        .unwrap();
    schema
}

fn clients_csv(rows: usize) -> String {
    let mut rng = Lcg(2024);
    let mut out = String::with_capacity(rows * 200);
    out.push('\u{feff}');
    out.push_str("Фамилия;Имя;Отчество;Телефон;E-mail;Город;Дата рождения;Метки;Комнат;Бюджет;Лояльность;Согласие SMS;Комментарий\r\n");
    for i in 0..rows {
        let day = if i % 100 == 99 { 31 } else { 1 + rng.below(28) };
        let month = if i % 100 == 99 { 2 } else { 1 + rng.below(12) };
        let comment = if i % 50 == 0 {
            "\"звонить после 18:00;\r\nне раньше\""
        } else {
            ""
        };
        let consent = if rng.below(3) == 0 {
            "да 10.01.2024"
        } else {
            ""
        };
        writeln!(
            out,
            "{};{};{};8 (9{:02}) {:03}-{:02}-{:02};client{i}@example.ru;{};{day:02}.{month:02}.{};{};{};{} {:03},{:02};{};{consent};{comment}\r",
            rng.pick(SURNAMES),
            rng.pick(GIVEN),
            rng.pick(PATRONYMICS),
            rng.below(100),
            rng.below(1000),
            rng.below(100),
            rng.below(100),
            rng.pick(CITIES),
            1950 + rng.below(55),
            rng.pick(TAGS),
            1 + rng.below(5),
            1 + rng.below(999),
            rng.below(1000),
            rng.below(100),
            rng.below(101),
        )
        .unwrap();
    }
    out
}

fn clients_mapping() -> ColumnMapping {
    ColumnMapping::from_pairs([
        ("Фамилия", "surname"),
        ("Имя", "given_name"),
        ("Отчество", "patronymic"),
        ("Телефон", "phone"),
        ("E-mail", "email"),
        ("Город", "city"),
        ("Дата рождения", "birthday"),
        ("Метки", "tags"),
        ("Комнат", "custom.rooms"),
        ("Бюджет", "custom.budget"),
        ("Лояльность", "loyalty_percent"),
        ("Согласие SMS", "consent.sms"),
    ])
    .unwrap()
}

fn deals_csv(rows: usize, clients: &[u64]) -> String {
    let mut rng = Lcg(7);
    let mut out = String::with_capacity(rows * 120);
    out.push_str("Клиент;Статус;Создана;Товар;Кол-во;Цена\n");
    for _ in 0..rows {
        let client = clients[rng.below(clients.len() as u64) as usize];
        let status = ["открыта", "выиграна", "проиграна"][rng.below(3) as usize];
        writeln!(
            out,
            "{client};{status};{:02}.{:02}.2024 {:02}:{:02};{};{},{};{} {:03},{:02}",
            1 + rng.below(28),
            1 + rng.below(12),
            rng.below(24),
            rng.below(60),
            rng.pick(PRODUCTS),
            1 + rng.below(9),
            rng.below(10),
            rng.below(10),
            rng.below(1000),
            rng.below(100),
        )
        .unwrap();
    }
    out
}

fn deals_mapping() -> ColumnMapping {
    ColumnMapping::from_pairs([
        ("Клиент", "client_id"),
        ("Статус", "status"),
        ("Создана", "created_at"),
        ("Товар", "product"),
        ("Кол-во", "quantity"),
        ("Цена", "unit_price"),
    ])
    .unwrap()
}

fn bench_csv(c: &mut Criterion) {
    let options = CsvOptions::default();
    let clients = clients_csv(ROWS);
    let mut base = ClientBase::new(schema());
    let report = base
        .import_clients_csv(clients.as_bytes(), &clients_mapping(), &options)
        .unwrap();
    assert_eq!(report.rejected.len(), ROWS / 100);
    let ids: Vec<u64> = report.imported.iter().map(|id| id.get()).collect();
    let with_clients = base.clone();
    let deals = deals_csv(ROWS, &ids);
    let report = base
        .import_deals_csv(deals.as_bytes(), &deals_mapping(), &options)
        .unwrap();
    assert!(report.rejected.is_empty(), "{:?}", &report.rejected[..1]);

    let mut group = c.benchmark_group("csv_import");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("clients_100k", |b| {
        b.iter_batched(
            || ClientBase::new(schema()),
            |mut fresh| {
                let report = fresh
                    .import_clients_csv(clients.as_bytes(), &clients_mapping(), &options)
                    .unwrap();
                black_box(report);
                fresh
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("deals_100k", |b| {
        b.iter_batched(
            || with_clients.clone(),
            |mut fresh| {
                let report = fresh
                    .import_deals_csv(deals.as_bytes(), &deals_mapping(), &options)
                    .unwrap();
                black_box(report);
                fresh
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("csv_export");
    group.throughput(Throughput::Elements(base.clients().len() as u64));
    group.bench_function("clients_99k", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(64 << 20);
            base.export_clients_csv(&mut out).unwrap();
            black_box(out)
        })
    });
    group.throughput(Throughput::Elements(base.deals().len() as u64));
    group.bench_function("deals_100k", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(64 << 20);
            base.export_deals_csv(&mut out).unwrap();
            black_box(out)
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = bench_csv
}
criterion_main!(benches);
