//! Exporting clients and deals.

use super::*;

pub(super) fn timestamp(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

pub(super) fn json_or_empty<T: Serialize + ?Sized>(value: &T, empty: bool) -> Result<String> {
    if empty {
        Ok(String::new())
    } else {
        Ok(serde_json::to_string(value)?)
    }
}

pub(super) fn or_empty(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

impl ClientBase {
    /// Exports all clients as CSV, one row per client in id order, with the columns
    /// that [`ColumnMapping::canonical_clients`] reads back.
    ///
    /// # Format and round trips
    ///
    /// [`ClientBase::export_clients_csv`] and [`ClientBase::export_deals_csv`] write
    /// comma-separated UTF-8 without a BOM: readable columns for scalars (dates
    /// `yyyy-mm-dd`, timestamps RFC 3339, money `1234.50` with a `currency` column) and
    /// JSON cells for the structured parts. [`ColumnMapping::canonical_clients`] and
    /// [`ColumnMapping::canonical_deals`] read them back: exporting a base and
    /// importing clients then deals into a new base with the same schema gives an equal
    /// base. Two things CSV cannot carry: text that is empty or only spaces (it reads
    /// back as no value), and the id counters of a base that has deleted its newest
    /// records. The JSON format ([`ClientBase::write_json`]) keeps both.
    ///
    /// # Example
    ///
    /// ```
    /// use clientbase::{ClientBase, Client, ColumnMapping, CsvOptions};
    /// let mut base = ClientBase::default();
    /// base.add_client(Client::person("Иванова", "Анна", None).with_phone("8 916 123-45-67"))?;
    /// let mut csv = Vec::new();
    /// base.export_clients_csv(&mut csv)?;
    /// let mut copy = ClientBase::default();
    /// copy.import_clients_csv(&csv[..], &ColumnMapping::canonical_clients(), &CsvOptions::default())?;
    /// assert!(copy == base);
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn export_clients_csv<W: Write>(&self, writer: W) -> Result<()> {
        self.log_export("export_clients_csv", self.clients().len())?;
        let mut out = csv::Writer::from_writer(writer);
        out.write_record(CLIENT_COLUMNS.iter().map(ToString::to_string))
            .map_err(csv_error)?;
        for client in self.clients() {
            // A company's person is its owner or contact; a person's company
            // column is the employer.
            let (kind, person, company) = match &client.party {
                Party::Person(name) => ("person", name, None),
                Party::Company(company) => ("company", &company.person, Some(company)),
            };
            let part = |get: fn(&PersonName) -> &Option<String>| or_empty(get(person));
            let tags: Vec<&str> = client.tags.iter().map(String::as_str).collect();
            let record: [Cow<'_, str>; CLIENT_COLUMNS.len()] = [
                client.id.0.to_string().into(),
                kind.into(),
                part(|p| &p.surname).into(),
                part(|p| &p.given).into(),
                part(|p| &p.patronymic).into(),
                company
                    .map_or(or_empty(&client.employer), |c| c.legal_name.as_str())
                    .into(),
                company.map_or("", |c| or_empty(&c.tax_id)).into(),
                client
                    .birthday
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
                    .into(),
                or_empty(&client.city).into(),
                or_empty(&client.region).into(),
                or_empty(&client.address).into(),
                or_empty(&client.postcode).into(),
                or_empty(&client.owner).into(),
                or_empty(&client.source).into(),
                client.stage.name().into(),
                client.temperature.map_or("", Temperature::name).into(),
                or_empty(&client.behaviour).into(),
                client
                    .loyalty_percent
                    .map(|p| p.to_string())
                    .unwrap_or_default()
                    .into(),
                if client.can_refer { "true" } else { "false" }.into(),
                timestamp(client.created_at).into(),
                timestamp(client.updated_at).into(),
                tags.join(", ").into(),
                json_or_empty(&client.phones, client.phones.is_empty())?.into(),
                json_or_empty(&client.emails, client.emails.is_empty())?.into(),
                json_or_empty(&client.messengers, client.messengers.is_empty())?.into(),
                json_or_empty(&client.consents, client.consents == Consents::default())?.into(),
                json_or_empty(&client.relations, client.relations.is_empty())?.into(),
                json_or_empty(&client.custom, client.custom.is_empty())?.into(),
            ];
            out.write_record(record.iter().map(|c| c.as_bytes()))
                .map_err(csv_error)?;
        }
        out.flush()?;
        Ok(())
    }

    /// Exports all deals as CSV, one row per deal in id order, with the columns
    /// that [`ColumnMapping::canonical_deals`] reads back.
    pub fn export_deals_csv<W: Write>(&self, writer: W) -> Result<()> {
        self.log_export("export_deals_csv", self.deals().len())?;
        let mut out = csv::Writer::from_writer(writer);
        out.write_record(DEAL_COLUMNS.iter().map(ToString::to_string))
            .map_err(csv_error)?;
        for deal in self.deals() {
            let record: [Cow<'_, str>; DEAL_COLUMNS.len()] = [
                deal.id.0.to_string().into(),
                deal.client.0.to_string().into(),
                or_empty(&deal.title).into(),
                deal.pipeline.as_str().into(),
                deal.stage.as_str().into(),
                deal.status.to_string().into(),
                deal.amount.amount_string().into(),
                deal.amount.currency().code().to_string().into(),
                timestamp(deal.created_at).into(),
                timestamp(deal.closed_at).into(),
                deal.owner.as_deref().unwrap_or_default().into(),
                deal.source.as_deref().unwrap_or_default().into(),
                json_or_empty(&deal.lines, deal.lines.is_empty())?.into(),
                json_or_empty(&deal.recurrence, deal.recurrence.is_none())?.into(),
            ];
            out.write_record(record.iter().map(|c| c.as_bytes()))
                .map_err(csv_error)?;
        }
        out.flush()?;
        Ok(())
    }
}
