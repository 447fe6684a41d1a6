//! The base's clients and deals as typed tables.

use super::{unknown_column, Column, Table, TextValues};
use crate::base::ClientBase;
use crate::client::{Client, Company, Consents, LifecycleStage, Party, PersonName, Temperature};
use crate::deal::{Deal, DealStatus};
use crate::error::{Error, ErrorKind, Result};
use serde::Serialize;
use std::collections::BTreeMap;

/// The columns of [`ClientBase::clients_table`], in order; the names of the CSV export.
pub const CLIENT_TABLE_COLUMNS: [&str; 28] = [
    "id",
    "kind",
    "surname",
    "given_name",
    "patronymic",
    "company",
    "tax_id",
    "birthday",
    "city",
    "region",
    "postcode",
    "address",
    "owner",
    "source",
    "stage",
    "temperature",
    "behaviour",
    "loyalty_percent",
    "can_refer",
    "created_at",
    "updated_at",
    "tags",
    "phones_json",
    "emails_json",
    "messengers_json",
    "consents_json",
    "relations_json",
    "custom_json",
];

/// The columns of [`ClientBase::deals_table`], in order; the names of the CSV export.
pub const DEAL_TABLE_COLUMNS: [&str; 14] = [
    "id",
    "client_id",
    "title",
    "pipeline",
    "stage",
    "status",
    "amount",
    "currency",
    "created_at",
    "closed_at",
    "owner",
    "source",
    "lines_json",
    "recurrence_json",
];

fn stage_name(stage: LifecycleStage) -> &'static str {
    match stage {
        LifecycleStage::Lead => "lead",
        LifecycleStage::Prospect => "prospect",
        LifecycleStage::Customer => "customer",
        LifecycleStage::Loyal => "loyal",
        LifecycleStage::Churned => "churned",
    }
}

fn temperature_name(temperature: Temperature) -> &'static str {
    match temperature {
        Temperature::Cold => "cold",
        Temperature::Warm => "warm",
        Temperature::Hot => "hot",
    }
}

/// Records per block of [`json_column`]: the parts a block reads ahead stay in
/// the core's own cache (L2) until they are written.
const TOUCH_BLOCK: usize = 256;

/// A text column of each record's part as JSON, null where `skip` says the part is empty.
///
/// `touch` reads the memory a record's part keeps outside the record (a phone
/// list, its texts) and is called on a block of records before their parts are
/// written. A part behind pointers would otherwise wait for memory record after
/// record, because the CPU cannot run ahead through the long work of writing
/// each one (a `perf` profile of the 1M-client table had most of the phone and
/// email JSON time on the first read of each phone and email); the loop of
/// `touch` has many records' reads in flight at once.
fn json_column<R, T, P, S>(
    name: &str,
    records: &[&R],
    part: P,
    skip: S,
    touch: fn(&R) -> usize,
) -> Result<Column>
where
    T: Serialize + ?Sized,
    P: Fn(&R) -> &T,
    S: Fn(&T) -> bool,
{
    let mut buffer = Vec::with_capacity(records.len() * 16);
    let mut offsets = Vec::with_capacity(records.len() + 1);
    let mut validity = Vec::with_capacity(records.len());
    offsets.push(0);
    for block in records.chunks(TOUCH_BLOCK) {
        let read = block
            .iter()
            .fold(0usize, |sum, record| sum.wrapping_add(touch(record)));
        std::hint::black_box(read);
        for record in block {
            let value = part(record);
            let present = !skip(value);
            if present {
                serde_json::to_writer(&mut buffer, value)?;
            }
            validity.push(present);
            offsets.push(buffer.len());
        }
    }
    let text = String::from_utf8(buffer)
        .map_err(|_| Error::new(ErrorKind::Json, "JSON output is not UTF-8"))?;
    let data = super::ColumnData::Text(TextValues::from_parts(text, offsets)?);
    Column::new(name, data, Some(validity))
}

/// The first byte of a text (0 when empty): one read of the memory it lives in.
fn first_byte(text: &str) -> usize {
    text.as_bytes().first().map_or(0, |b| usize::from(*b))
}

/// One read of each part of a client's phones that [`json_column`] writes.
fn touch_phones(client: &Client) -> usize {
    client.phones.iter().fold(0, |sum, phone| {
        sum.wrapping_add(first_byte(&phone.raw))
            .wrapping_add(phone.e164.as_deref().map_or(0, first_byte))
            .wrapping_add(phone.extension.as_deref().map_or(0, first_byte))
            .wrapping_add(phone.label.as_deref().map_or(0, first_byte))
            .wrapping_add(usize::from(phone.kind.is_some()))
            .wrapping_add(usize::from(phone.consent.is_some()))
    })
}

/// One read of each part of a client's emails that [`json_column`] writes.
fn touch_emails(client: &Client) -> usize {
    client.emails.iter().fold(0, |sum, email| {
        sum.wrapping_add(first_byte(&email.raw))
            .wrapping_add(email.normalized.as_deref().map_or(0, first_byte))
            .wrapping_add(usize::from(email.label.is_some()))
            .wrapping_add(usize::from(email.consent.is_some()))
    })
}

/// Nothing to read ahead: the part is in the record.
fn touch_nothing<R>(_: &R) -> usize {
    0
}

fn company(client: &Client) -> Option<&Company> {
    match &client.party {
        Party::Company(company) => Some(company),
        Party::Person(_) => None,
    }
}

fn client_column(name: &str, clients: &[&Client]) -> Result<Column> {
    let part = |get: fn(&PersonName) -> Option<&str>| {
        Column::from_texts(name, clients.iter().map(|c| get(c.person_name())))
    };
    let text =
        |get: fn(&Client) -> Option<&str>| Column::from_texts(name, clients.iter().map(|c| get(c)));
    let rows = clients.iter();
    Ok(match name {
        "id" => Column::from_uint64s(name, rows.map(|c| Some(c.id.0))),
        "kind" => Column::from_texts(
            name,
            rows.map(|c| {
                Some(match c.party {
                    Party::Person(_) => "person",
                    Party::Company(_) => "company",
                })
            }),
        ),
        "surname" => part(|p| p.surname.as_deref()),
        "given_name" => part(|p| p.given.as_deref()),
        "patronymic" => part(|p| p.patronymic.as_deref()),
        // A company's legal name, or the employer of a person.
        "company" => Column::from_texts(
            name,
            rows.map(|c| company(c).map_or(c.employer.as_deref(), |c| Some(c.legal_name.as_str()))),
        ),
        "tax_id" => Column::from_texts(
            name,
            rows.map(|c| company(c).and_then(|c| c.tax_id.as_deref())),
        ),
        "birthday" => Column::from_dates(name, rows.map(|c| c.birthday)),
        "city" => text(|c| c.city.as_deref()),
        "region" => text(|c| c.region.as_deref()),
        "postcode" => text(|c| c.postcode.as_deref()),
        "address" => text(|c| c.address.as_deref()),
        "owner" => text(|c| c.owner.as_deref()),
        "source" => text(|c| c.source.as_deref()),
        "stage" => Column::from_texts(name, rows.map(|c| Some(stage_name(c.stage)))),
        "temperature" => {
            Column::from_texts(name, rows.map(|c| c.temperature.map(temperature_name)))
        }
        "behaviour" => text(|c| c.behaviour.as_deref()),
        "loyalty_percent" => {
            Column::from_int64s(name, rows.map(|c| c.loyalty_percent.map(i64::from)))
        }
        "can_refer" => Column::from_bools(name, rows.map(|c| Some(c.can_refer))),
        "created_at" => Column::from_timestamps(name, rows.map(|c| c.created_at)),
        "updated_at" => Column::from_timestamps(name, rows.map(|c| c.updated_at)),
        "tags" => {
            Column::from_text_lists(name, rows.map(|c| Some(c.tags.iter().map(String::as_str))))
        }
        "phones_json" => json_column(name, clients, |c| &c.phones, Vec::is_empty, touch_phones)?,
        "emails_json" => json_column(name, clients, |c| &c.emails, Vec::is_empty, touch_emails)?,
        "messengers_json" => json_column(
            name,
            clients,
            |c| &c.messengers,
            Vec::is_empty,
            touch_nothing,
        )?,
        "consents_json" => {
            let empty = Consents::default();
            json_column(
                name,
                clients,
                |c| &c.consents,
                |c| *c == empty,
                touch_nothing,
            )?
        }
        "relations_json" => json_column(
            name,
            clients,
            |c| &c.relations,
            Vec::is_empty,
            touch_nothing,
        )?,
        "custom_json" => json_column(
            name,
            clients,
            |c| &c.custom,
            BTreeMap::is_empty,
            touch_nothing,
        )?,
        other => return Err(unknown_column(other, CLIENT_TABLE_COLUMNS.to_vec())),
    })
}

fn deal_column(name: &str, deals: &[&Deal]) -> Result<Column> {
    let text =
        |get: fn(&Deal) -> Option<&str>| Column::from_texts(name, deals.iter().map(|d| get(d)));
    let rows = deals.iter();
    Ok(match name {
        "id" => Column::from_uint64s(name, rows.map(|d| Some(d.id.0))),
        "client_id" => Column::from_uint64s(name, rows.map(|d| Some(d.client.0))),
        "title" => text(|d| d.title.as_deref()),
        "pipeline" => text(|d| Some(&d.pipeline)),
        "stage" => text(|d| Some(&d.stage)),
        "status" => {
            let mut values = TextValues::with_capacity(deals.len(), deals.len() * 4);
            for deal in deals {
                match deal.status {
                    DealStatus::Open => values.push("open"),
                    DealStatus::Won => values.push("won"),
                    DealStatus::Lost => values.push("lost"),
                    DealStatus::DuplicateOf(id) => values.push(&format!("duplicate_of:{}", id.0)),
                }
            }
            Column::new(name, super::ColumnData::Text(values), None)?
        }
        "amount" => {
            // One scale for the column: the most digits any of its currencies has,
            // so that every amount is exact (RUB 2, JPY 0, KWD 3 -> scale 3).
            let scale = deals
                .iter()
                .map(|d| d.amount.currency().minor_digits())
                .max()
                .unwrap_or(2);
            Column::from_decimals(
                name,
                scale as i8,
                rows.map(|d| {
                    let shift = scale - d.amount.currency().minor_digits();
                    Some(i128::from(d.amount.minor()) * 10_i128.pow(shift))
                }),
            )
        }
        "currency" => {
            let mut values = TextValues::with_capacity(deals.len(), deals.len() * 3);
            for deal in deals {
                values.push(deal.amount.currency().code());
            }
            Column::new(name, super::ColumnData::Text(values), None)?
        }
        "created_at" => Column::from_timestamps(name, rows.map(|d| d.created_at)),
        "closed_at" => Column::from_timestamps(name, rows.map(|d| d.closed_at)),
        "owner" => text(|d| d.owner.as_deref()),
        "source" => text(|d| d.source.as_deref()),
        "lines_json" => json_column(name, deals, |d| &d.lines, Vec::is_empty, touch_nothing)?,
        "recurrence_json" => json_column(
            name,
            deals,
            |d| &d.recurrence,
            Option::is_none,
            touch_nothing,
        )?,
        other => return Err(unknown_column(other, DEAL_TABLE_COLUMNS.to_vec())),
    })
}

/// Builds the named columns, one task per column (on all cores with `parallel`).
fn build<R: Sync>(
    records: &[&R],
    names: &[&str],
    column: fn(&str, &[&R]) -> Result<Column>,
) -> Result<Table> {
    #[cfg(feature = "parallel")]
    let columns: Result<Vec<Column>> = {
        use rayon::prelude::*;
        names.par_iter().map(|name| column(name, records)).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let columns: Result<Vec<Column>> = names.iter().map(|name| column(name, records)).collect();
    Table::with_rows(records.len(), columns?)
}

/// Clients per chunk in [`ClientBase::clients_table`]: the columns are built a
/// chunk of clients at a time (the chunks in parallel with `parallel`), so the
/// chunk's records are still in the cache for each of its 27 columns, rather
/// than every column walking a million records through memory once more.
const CLIENT_CHUNK: usize = 2048;

/// [`build`] a chunk of records at a time, the chunks' tables then put end to end.
fn build_chunked<R: Sync>(
    records: &[&R],
    names: &[&str],
    column: fn(&str, &[&R]) -> Result<Column>,
) -> Result<Table> {
    if records.len() <= CLIENT_CHUNK {
        return build(records, names, column);
    }
    let chunk = |records: &[&R]| -> Result<Table> {
        let columns = names.iter().map(|name| column(name, records));
        Table::with_rows(records.len(), columns.collect::<Result<_>>()?)
    };
    #[cfg(feature = "parallel")]
    let chunks: Result<Vec<Table>> = {
        use rayon::prelude::*;
        records.par_chunks(CLIENT_CHUNK).map(chunk).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let chunks: Result<Vec<Table>> = records.chunks(CLIENT_CHUNK).map(chunk).collect();
    Table::concat(chunks?)
}

impl ClientBase {
    /// The clients as a typed [`Table`], one row per client in id order, with the
    /// columns of [`ClientBase::export_clients_csv`] ([`CLIENT_TABLE_COLUMNS`]);
    /// `fields` picks and orders columns (`None`: all).
    ///
    /// | column | type |
    /// |---|---|
    /// | `id` | uint64 |
    /// | `birthday` | date |
    /// | `loyalty_percent` | int64 |
    /// | `can_refer` | bool |
    /// | `created_at`, `updated_at` | timestamp (UTC, microseconds) |
    /// | `tags` | text list, in the base's (sorted) order |
    /// | `phones_json`, `emails_json`, `messengers_json`, `consents_json`, `relations_json`, `custom_json` | text: the part as in the JSON format, null when empty |
    /// | the others (`kind`, `surname`, `stage`, ...) | text, null when missing |
    ///
    /// An unknown name in `fields` is an [`ErrorKind::UnknownField`] error listing
    /// the columns. Columns are built in parallel with the `parallel` feature.
    ///
    /// ```
    /// use clientbase::{ClientBase, Client};
    /// use clientbase::table::Value;
    /// let mut base = ClientBase::default();
    /// base.add_client(Client::person("Иванова", "Анна", None))?;
    /// let table = base.clients_table(Some(&["id", "surname", "city"]))?;
    /// assert_eq!(table.column("id").unwrap().value(0), Value::UInt64(1));
    /// assert_eq!(table.column("city").unwrap().value(0), Value::Null);
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn clients_table(&self, fields: Option<&[&str]>) -> Result<Table> {
        self.log_export("clients_table", self.clients().len())?;
        let clients: Vec<&Client> = self.clients().collect();
        build_chunked(
            &clients,
            fields.unwrap_or(&CLIENT_TABLE_COLUMNS),
            client_column,
        )
    }

    /// The deals as a typed [`Table`], one row per deal in id order, with the
    /// columns of [`ClientBase::export_deals_csv`] ([`DEAL_TABLE_COLUMNS`]);
    /// `fields` picks and orders columns (`None`: all).
    ///
    /// `id` and `client_id` are uint64, `created_at` and `closed_at` timestamps,
    /// `lines_json` and `recurrence_json` JSON text (null when empty), the others text.
    /// `amount` is a decimal whose scale is the largest number of minor digits among
    /// the deals' currencies (2 for a base in roubles, dollars or euros; 3 once a
    /// dinar deal is in), so every amount is exact; its currency is in `currency`.
    pub fn deals_table(&self, fields: Option<&[&str]>) -> Result<Table> {
        self.log_export("deals_table", self.deals().len())?;
        let deals: Vec<&Deal> = self.deals().collect();
        build(&deals, fields.unwrap_or(&DEAL_TABLE_COLUMNS), deal_column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;
    use crate::money::{Currency, Money};
    use crate::table::{ColumnType, Value};

    fn base() -> ClientBase {
        let mut schema = crate::schema::Schema::new();
        schema.declare_tag("vip").unwrap();
        schema.declare_tag("b2b").unwrap();
        let mut base = ClientBase::new(schema);
        let anna = base
            .add_client(
                Client::person("Иванова", "Анна", None)
                    .with_phone("8 916 123-45-67")
                    .with_tag("vip")
                    .with_tag("b2b"),
            )
            .unwrap();
        base.add_client(Client::company("ООО Ромашка", Some("7707083893")))
            .unwrap();
        base.add_deal(Deal::new(
            anna,
            Money::parse("4 990,5", Currency::RUB).unwrap(),
        ))
        .unwrap();
        base.add_deal(Deal::new(
            anna,
            Money::parse("12,345", Currency::new("KWD").unwrap()).unwrap(),
        ))
        .unwrap();
        base
    }

    #[test]
    fn chunks_of_clients_make_the_table_of_all_of_them() {
        let mut base = ClientBase::default();
        for i in 0..2 * CLIENT_CHUNK + 7 {
            let surname = format!("Иванов{i}");
            let mut client = Client::person(&surname, "Иван", None);
            if i % 3 == 0 {
                client = client.with_phone(&format!("+7 916 {i:07}"));
            }
            if i > CLIENT_CHUNK {
                client.city = Some("Тверь".into());
            }
            base.add_client(client).unwrap();
        }
        let clients: Vec<&Client> = base.clients().collect();
        let whole = build(&clients, &CLIENT_TABLE_COLUMNS, client_column).unwrap();
        assert_eq!(base.clients_table(None).unwrap(), whole);
        assert_eq!(whole.rows(), 2 * CLIENT_CHUNK + 7);
        let err = base.clients_table(Some(&["id", "nope"])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownField);
    }

    #[test]
    fn contact_json_is_serdes_text_for_every_client_of_every_block() {
        // More clients than a block of `json_column` and a chunk of
        // `clients_table`, with phones and emails on some, labels and consents on
        // a few, so that blocks and chunks end in the middle of them.
        let mut base = ClientBase::default();
        let day = chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        for i in 0..CLIENT_CHUNK + 3 * TOUCH_BLOCK + 5 {
            let mut client = Client::person(&format!("Иванов{i}"), "Иван", None);
            if i % 3 != 1 {
                client = client.with_phone(&format!("+7 916 {i:07}"));
            }
            if i % 5 == 0 {
                client = client.with_phone(&format!("8 (495) 1{i:06} доб. 12"));
                client.phones[0].label = Some("моб. \"личный\"".into());
                client.phones[0].consent = Some(crate::client::Consent::given(day));
            }
            if i % 2 == 0 {
                client = client.with_email(&format!("Ivan.{i}@Example.RU"));
                client.emails[0].label = Some("work\n".into());
            }
            base.add_client(client).unwrap();
        }
        let table = base
            .clients_table(Some(&["phones_json", "emails_json"]))
            .unwrap();
        let (phones, emails) = (
            table.column("phones_json").unwrap(),
            table.column("emails_json").unwrap(),
        );
        let mut written = 0;
        for (row, client) in base.clients().enumerate() {
            let phones_json = serde_json::to_string(&client.phones).unwrap();
            let emails_json = serde_json::to_string(&client.emails).unwrap();
            let phone_value = match client.phones.is_empty() {
                true => Value::Null,
                false => Value::Text(&phones_json),
            };
            let email_value = match client.emails.is_empty() {
                true => Value::Null,
                false => Value::Text(&emails_json),
            };
            assert_eq!(phones.value(row), phone_value, "client {row}");
            assert_eq!(emails.value(row), email_value, "client {row}");
            written += usize::from(!client.phones.is_empty());
        }
        assert_eq!(written, table.rows() - phones.null_count());
        assert!(phones.null_count() > 0 && emails.null_count() > 0);
    }

    #[test]
    fn clients_table_is_typed() {
        let base = base();
        let table = base.clients_table(None).unwrap();
        assert_eq!(table.column_names(), CLIENT_TABLE_COLUMNS);
        assert_eq!(table.rows(), 2);
        assert_eq!(
            table.column("id").unwrap().column_type(),
            ColumnType::UInt64
        );
        assert_eq!(
            table.column("can_refer").unwrap().value(0),
            Value::Bool(false)
        );
        assert_eq!(table.column("surname").unwrap().value(1), Value::Null);
        assert_eq!(
            table.column("company").unwrap().value(1),
            Value::Text("ООО Ромашка")
        );
        assert_eq!(
            table.column("tags").unwrap().value(0),
            Value::TextList(vec!["b2b", "vip"])
        );
        assert_eq!(
            table.column("tags").unwrap().value(1),
            Value::TextList(vec![])
        );
        let Value::Text(phones) = table.column("phones_json").unwrap().value(0) else {
            panic!("phones_json is text")
        };
        assert!(phones.starts_with('['));
        assert_eq!(table.column("phones_json").unwrap().value(1), Value::Null);
        assert_eq!(
            table.column("created_at").unwrap().column_type(),
            ColumnType::Timestamp
        );
    }

    #[test]
    fn fields_pick_and_unknown_names_fail() {
        let base = base();
        let table = base.clients_table(Some(&["city", "id"])).unwrap();
        assert_eq!(table.column_names(), ["city", "id"]);
        let err = base.clients_table(Some(&["sity"])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownField);
        assert!(err.reason().contains("\"sity\""));
    }

    #[test]
    fn deal_amounts_share_the_largest_scale() {
        let base = base();
        let table = base.deals_table(None).unwrap();
        assert_eq!(table.column_names(), DEAL_TABLE_COLUMNS);
        let amount = table.column("amount").unwrap();
        assert_eq!(amount.column_type(), ColumnType::Decimal { scale: 3 });
        assert_eq!(
            amount.value(0),
            Value::Decimal {
                value: 4_990_500,
                scale: 3
            }
        );
        assert_eq!(
            amount.value(1),
            Value::Decimal {
                value: 12_345,
                scale: 3
            }
        );
        assert_eq!(
            table.column("currency").unwrap().value(1),
            Value::Text("KWD")
        );
        assert_eq!(
            table.column("status").unwrap().value(0),
            Value::Text("open")
        );
        assert_eq!(
            table.column("client_id").unwrap().value(1),
            Value::UInt64(1)
        );
    }
}
