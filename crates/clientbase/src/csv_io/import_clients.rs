//! Importing clients.

use super::*;

/// Which column gave which part of a client, to name the column of a later error.
#[derive(Default)]
pub(super) struct ClientSources<'a> {
    pub(super) columns: Vec<(&'a ColumnTarget, &'a str)>,
    pub(super) phones: Vec<&'a str>,
    pub(super) emails: Vec<&'a str>,
    pub(super) messengers: Vec<&'a str>,
    pub(super) legal_name: Option<&'a str>,
}

impl<'a> ClientSources<'a> {
    pub(super) fn find(&self, target: &ColumnTarget) -> Option<&'a str> {
        self.columns
            .iter()
            .find(|(t, _)| *t == target)
            .map(|(_, h)| *h)
    }

    /// The column that fed the record field `field`.
    pub(super) fn column(&self, field: &str) -> Option<&'a str> {
        let (head, index) = split_field(field);
        let listed = |list: &[&'a str], json: ColumnTarget| {
            index
                .and_then(|i| list.get(i).copied())
                .or_else(|| self.find(&json))
        };
        match head {
            "phones" => listed(&self.phones, ColumnTarget::PhonesJson),
            "emails" => listed(&self.emails, ColumnTarget::EmailsJson),
            "messengers" => listed(&self.messengers, ColumnTarget::MessengersJson),
            "relations" => self.find(&ColumnTarget::RelationsJson),
            "legal_name" => self.legal_name,
            "custom" => field
                .strip_prefix("custom.")
                .and_then(|name| self.find(&ColumnTarget::Custom(name.to_string())))
                .or_else(|| self.find(&ColumnTarget::CustomJson)),
            "consents" => {
                let channel = field.rsplit('.').next().and_then(Channel::from_name);
                let single = match channel {
                    Some(channel) => self.find(&ColumnTarget::Consent(channel)),
                    None if field.ends_with("personal_data") => {
                        self.find(&ColumnTarget::PersonalDataConsent)
                    }
                    None => None,
                };
                single.or_else(|| self.find(&ColumnTarget::ConsentsJson))
            }
            "given" => self.find(&ColumnTarget::GivenName),
            other => other
                .parse::<ColumnTarget>()
                .ok()
                .and_then(|target| self.find(&target)),
        }
    }
}

/// A parsed client row.
pub(super) struct ParsedClient<'a> {
    pub(super) line: u64,
    pub(super) client: Client,
    pub(super) sources: ClientSources<'a>,
}

pub(super) fn parse_client<'t>(
    schema: &Schema,
    cells: &[Cell<'t, '_>],
) -> std::result::Result<(Client, ClientSources<'t>), Rejection> {
    let mut client = Client::default();
    let mut sources = ClientSources {
        columns: cells.iter().map(|c| (c.target, c.header)).collect(),
        ..ClientSources::default()
    };
    let mut kind: Option<bool> = None;
    let mut name_parts: [Option<&Cell<'t, '_>>; 3] = [None, None, None];
    let mut full_name: Option<&Cell<'t, '_>> = None;
    let mut company: Option<&Cell<'t, '_>> = None;
    let mut tax_id: Option<&Cell<'t, '_>> = None;
    // JSON cells first, so that plain columns override and extend them.
    let ordered = cells
        .iter()
        .filter(|c| c.target.is_json())
        .chain(cells.iter().filter(|c| !c.target.is_json()));
    for cell in ordered {
        let at = |e: Error| Rejection::at(cell.header, e);
        let text = cell.text;
        let own = || Some(text.to_string());
        match cell.target {
            ColumnTarget::Ignore => {}
            ColumnTarget::Id => client.id = ClientId(id_cell(text, "id").map_err(at)?),
            ColumnTarget::Kind => kind = Some(kind_cell(text).map_err(at)?),
            ColumnTarget::Surname => name_parts[0] = Some(cell),
            ColumnTarget::GivenName => name_parts[1] = Some(cell),
            ColumnTarget::Patronymic => name_parts[2] = Some(cell),
            ColumnTarget::FullName => full_name = Some(cell),
            ColumnTarget::Company => company = Some(cell),
            ColumnTarget::TaxId => tax_id = Some(cell),
            ColumnTarget::Birthday => {
                client.birthday = Some(date_cell(text, "birthday").map_err(at)?)
            }
            ColumnTarget::City => client.city = own(),
            ColumnTarget::Region => client.region = own(),
            ColumnTarget::Address => client.address = own(),
            ColumnTarget::Owner => client.owner = own(),
            ColumnTarget::Source => client.source = own(),
            ColumnTarget::Behaviour => client.behaviour = own(),
            ColumnTarget::Stage => client.stage = text.parse::<LifecycleStage>().map_err(at)?,
            ColumnTarget::Temperature => {
                client.temperature = Some(text.parse::<Temperature>().map_err(at)?)
            }
            ColumnTarget::LoyaltyPercent => {
                client.loyalty_percent = Some(percent_cell(text).map_err(at)?)
            }
            ColumnTarget::CanRefer => {
                client.can_refer = bool_cell(text, "can_refer").map_err(at)?
            }
            ColumnTarget::CreatedAt => {
                client.created_at = Some(datetime_cell(text, "created_at").map_err(at)?)
            }
            ColumnTarget::UpdatedAt => {
                client.updated_at = Some(datetime_cell(text, "updated_at").map_err(at)?)
            }
            ColumnTarget::Phone => {
                client.phones.push(Phone::raw(text));
                sources.phones.push(cell.header);
            }
            ColumnTarget::Email => {
                client.emails.push(Email::raw(text));
                sources.emails.push(cell.header);
            }
            ColumnTarget::Messenger(kind) => {
                client.messengers.push(Messenger {
                    kind: kind.clone(),
                    id: text.to_string(),
                    consent: None,
                });
                sources.messengers.push(cell.header);
            }
            ColumnTarget::Tags => {
                for tag in split_list(text) {
                    schema.check_tag(tag).map_err(at)?;
                    client.tags.insert(tag.to_string());
                }
            }
            ColumnTarget::Custom(name) => {
                // The base converts the text to the declared type, and its error names
                // the field, which leads back to this column. Text fields keep the
                // cell as typed; typed fields read the trimmed text.
                let raw = match schema.field(name).map(|f| &f.field_type) {
                    Some(FieldType::Text) => text,
                    _ => text.trim(),
                };
                client
                    .custom
                    .insert(name.clone(), FieldValue::Text(raw.to_string()));
            }
            ColumnTarget::Consent(channel) => {
                let field = format!("consents.marketing.{}", channel.name());
                let consent = consent_cell(text, &field).map_err(at)?;
                client.consents.marketing.insert(*channel, consent);
            }
            ColumnTarget::PersonalDataConsent => {
                let consent = consent_cell(text, "consents.personal_data").map_err(at)?;
                client.consents.personal_data = Some(consent);
            }
            ColumnTarget::PhonesJson => {
                let phones: Vec<Phone> = json_cell(text, "phones").map_err(at)?;
                sources
                    .phones
                    .extend(std::iter::repeat_n(cell.header, phones.len()));
                client.phones.extend(phones);
            }
            ColumnTarget::EmailsJson => {
                let emails: Vec<Email> = json_cell(text, "emails").map_err(at)?;
                sources
                    .emails
                    .extend(std::iter::repeat_n(cell.header, emails.len()));
                client.emails.extend(emails);
            }
            ColumnTarget::MessengersJson => {
                let messengers: Vec<Messenger> = json_cell(text, "messengers").map_err(at)?;
                sources
                    .messengers
                    .extend(std::iter::repeat_n(cell.header, messengers.len()));
                client.messengers.extend(messengers);
            }
            ColumnTarget::ConsentsJson => {
                client.consents = json_cell::<Consents>(text, "consents").map_err(at)?;
            }
            ColumnTarget::RelationsJson => {
                client.relations = json_cell::<Vec<Relation>>(text, "relations").map_err(at)?;
            }
            ColumnTarget::CustomJson => {
                let values: BTreeMap<String, FieldValue> = json_cell(text, "custom").map_err(at)?;
                client.custom.extend(values);
            }
            deal_target => {
                return Err(at(Error::new(
                    ErrorKind::Csv,
                    format!("{deal_target} is not a client field"),
                )))
            }
        }
    }

    let is_company = kind.unwrap_or(company.is_some());
    const PART_FIELDS: [&str; 3] = ["surname", "given", "patronymic"];
    client.party = if is_company {
        if let Some((i, part)) = name_parts
            .iter()
            .enumerate()
            .find_map(|(i, p)| p.map(|p| (i, p)))
        {
            return Err(Rejection::at(
                part.header,
                invalid(
                    PART_FIELDS[i],
                    "a company has no personal name: set kind to person, or map the column to ignore",
                ),
            ));
        }
        let legal_name = match (company, full_name) {
            (Some(_), Some(extra)) => {
                return Err(Rejection::at(
                    extra.header,
                    invalid(
                        "name",
                        "the company's name comes from the company column: map this one to ignore or to a custom field",
                    ),
                ))
            }
            (Some(cell), None) | (None, Some(cell)) => {
                sources.legal_name = Some(cell.header);
                cell.text.to_string()
            }
            (None, None) => String::new(),
        };
        Party::Company(Company {
            legal_name,
            tax_id: tax_id.map(|c| c.text.trim().to_string()),
        })
    } else {
        if let Some(cell) = company {
            return Err(Rejection::at(
                cell.header,
                invalid(
                    "legal_name",
                    "a person has no legal name (kind is person): map the column to ignore or to a custom field",
                ),
            ));
        }
        if let Some(cell) = tax_id {
            return Err(Rejection::at(
                cell.header,
                invalid(
                    "tax_id",
                    "only companies carry a tax id: set kind to company (also for a sole proprietor)",
                ),
            ));
        }
        let mut name = PersonName::default();
        if let Some(cell) = full_name {
            let words: Vec<&str> = cell.text.split_whitespace().collect();
            let mut words = words.into_iter();
            name.surname = words.next().map(str::to_string);
            name.given = words.next().map(str::to_string);
            let rest: Vec<&str> = words.collect();
            name.patronymic = (!rest.is_empty()).then(|| rest.join(" "));
        }
        let [surname, given, patronymic] = name_parts.map(|p| p.map(|c| c.text.to_string()));
        name.surname = surname.or(name.surname);
        name.given = given.or(name.given);
        name.patronymic = patronymic.or(name.patronymic);
        Party::Person(name)
    };
    Ok((client, sources))
}

impl ClientBase {
    /// Imports clients from CSV, reading columns as `mapping` says.
    ///
    /// Every row is imported or reported in [`ImportReport::rejected`]; the call
    /// itself fails only when the file cannot be read at all (no header line,
    /// reading fails) or the mapping does not fit it (a mapped header is missing, a
    /// target is for deals): then nothing is imported.
    ///
    /// # Rejected rows
    ///
    /// Every data row ends up in exactly one place: [`ImportReport::imported`],
    /// [`ImportReport::rejected`] or the count of [`ImportReport::empty_rows`] (rows
    /// whose cells are all blank). A row is rejected, and the rest imported, when a cell
    /// cannot be read, when the record fails validation (unknown tag, wrong custom field
    /// type, bad ИНН, unknown client id, an id already in use, ...), when it has fewer
    /// cells than the header, or non-blank cells past the last header column. The
    /// rejection names the line where the row starts in the file (the header is line 1;
    /// a quoted cell spanning lines counts them all), the column, the record field, the
    /// [`ErrorKind::name`] and the reason.
    ///
    /// # Ids and relations
    ///
    /// With an `id` column the given ids are kept (an id already in use rejects the
    /// row) and new ids continue above them; without one the base assigns ids.
    /// Relations and `duplicate_of` statuses may point at rows further down the file,
    /// or at each other; they are attached once every row is in. A row rejected only
    /// because of its relations (or its duplicate status) has used up its id.
    ///
    /// # Example
    ///
    /// ```
    /// use clientbase::{ClientBase, ColumnMapping, CsvOptions, FieldDef, FieldType, Schema};
    /// let mut schema = Schema::new();
    /// schema.declare_field(FieldDef::new("rooms", FieldType::Integer))?;
    /// let mut base = ClientBase::new(schema);
    /// let csv = "ФИО,Комнат,Email\n\"Сидоров Семён Семёнович\",3,s@example.ru\nКозлова Ирина,три,\n";
    /// let mapping = ColumnMapping::from_pairs([("ФИО", "full_name"), ("Комнат", "custom.rooms"), ("Email", "email")])?;
    /// let report = base.import_clients_csv(csv.as_bytes(), &mapping, &CsvOptions::default())?;
    /// assert_eq!(base.get_client(report.imported[0]).unwrap().display_name(), "Сидоров Семён Семёнович");
    /// assert_eq!(report.rejected[0].to_string(), "line 3, column \"Комнат\": expected integer, got text \"три\"");
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn import_clients_csv<R: Read>(
        &mut self,
        reader: R,
        mapping: &ColumnMapping,
        options: &CsvOptions,
    ) -> Result<ImportReport<ClientId>> {
        let table = Table::open(reader, mapping, options, Records::Clients, self.schema())?;
        self.import_clients(&table.layout, "line", |each| table.for_each_row(each))
    }

    /// Imports clients from rows of cells named by `headers`, reading columns as
    /// `mapping` says: what [`ClientBase::import_clients_csv`] does with the rows
    /// of a file, for data already in memory (a cell is `None` or text; `None`
    /// and blank cells are empty). Every row is read by the same code as a CSV
    /// row, with the same rules and the same errors; in the report, a row's
    /// `line` is its index from 0. `options` is taken for symmetry with
    /// [`ClientBase::import_deals_rows`]; its delimiter is not used.
    ///
    /// ```
    /// use clientbase::{ClientBase, ColumnMapping, CsvOptions};
    /// let mut base = ClientBase::default();
    /// let mapping = ColumnMapping::from_pairs([("surname", "surname"), ("phone", "phone"), ("birthday", "birthday")])?;
    /// let rows = [
    ///     vec![Some("Иванова"), Some("8 916 123-45-67"), None],
    ///     vec![Some("Петров"), None, Some("31.02.1985")],
    /// ];
    /// let report = base.import_clients_rows(["surname", "phone", "birthday"], rows, &mapping, &CsvOptions::default())?;
    /// assert_eq!(report.imported.len(), 1);
    /// assert_eq!(report.rejected[0].line, 1);
    /// assert_eq!(report.rejected[0].field.as_deref(), Some("birthday"));
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn import_clients_rows<H, R, C, S>(
        &mut self,
        headers: H,
        rows: R,
        mapping: &ColumnMapping,
        options: &CsvOptions,
    ) -> Result<ImportReport<ClientId>>
    where
        H: IntoIterator,
        H::Item: AsRef<str>,
        R: IntoIterator<Item = C>,
        C: IntoIterator<Item = Option<S>>,
        S: AsRef<str>,
    {
        let _ = options;
        let layout = Layout::for_rows(headers, mapping, Records::Clients, self.schema())?;
        self.import_clients(&layout, "row", |each| layout.for_each_cells_row(rows, each))
    }

    /// The import of clients from rows, wherever they come from: `read` hands
    /// every row to its callback with its line (`unit` says whether that is a
    /// file's line or a row's index, for messages).
    pub(super) fn import_clients<'t>(
        &mut self,
        layout: &'t Layout,
        unit: &str,
        read: impl FnOnce(&mut dyn FnMut(u64, Row<'t, '_>)) -> Result<()>,
    ) -> Result<ImportReport<ClientId>> {
        let mut rows = 0;
        let mut empty_rows = 0;
        let mut rejected: Vec<RejectedRow> = Vec::new();
        let mut parsed: Vec<ParsedClient<'_>> = Vec::new();
        {
            let schema = self.schema();
            read(&mut |line, row| {
                rows += 1;
                match row {
                    Row::Empty => empty_rows += 1,
                    Row::Rejected(rejection) => rejected.push(rejection.into_row(line)),
                    Row::Cells(cells) => match parse_client(schema, &cells) {
                        Ok((client, sources)) => parsed.push(ParsedClient {
                            line,
                            client,
                            sources,
                        }),
                        Err(rejection) => rejected.push(rejection.into_row(line)),
                    },
                }
            })?;
        }

        let mut imported: Vec<(u64, ClientId)> = Vec::with_capacity(parsed.len());
        // Lines of rejected rows by the id they asked for, to explain dangling relations.
        let mut rejected_ids: HashMap<ClientId, u64> = HashMap::new();
        let mut deferred: Vec<(ParsedClient<'_>, Vec<Relation>)> = Vec::new();
        let mut deferred_ids: HashSet<ClientId> = HashSet::new();
        // Rows with ids first, so that the ids given to the others cannot take theirs.
        let (with_ids, without_ids): (Vec<_>, Vec<_>) =
            parsed.into_iter().partition(|p| p.client.id.0 != 0);
        for mut row in with_ids.into_iter().chain(without_ids) {
            let asked = row.client.id;
            let forward = row
                .client
                .relations
                .iter()
                .any(|r| self.get_client(r.to).is_none() || deferred_ids.contains(&r.to));
            let relations = if forward {
                std::mem::take(&mut row.client.relations)
            } else {
                Vec::new()
            };
            match self.insert_client(std::mem::take(&mut row.client)) {
                Ok(id) if forward => {
                    // The row keeps only its id for the second pass.
                    row.client.id = id;
                    deferred_ids.insert(id);
                    deferred.push((row, relations));
                }
                Ok(id) => imported.push((row.line, id)),
                Err(error) => {
                    if asked.0 != 0 {
                        rejected_ids.insert(asked, row.line);
                    }
                    let column = row.sources.column(error.field().unwrap_or(""));
                    rejected.push(
                        Rejection {
                            column: column.map(str::to_string),
                            error,
                        }
                        .into_row(row.line),
                    );
                }
            }
        }

        // Rows whose relations point forward are in, without relations. Drop those
        // whose relations do not hold (which may break others), then attach the rest.
        loop {
            let mut dropped = false;
            let mut kept = Vec::with_capacity(deferred.len());
            for (row, relations) in deferred {
                let id = row.client.id;
                let check = self.get_client(id).cloned().map(|mut stored| {
                    stored.relations = relations.clone();
                    self.validated_client(stored, id)
                });
                match check {
                    Some(Ok(_)) => kept.push((row, relations)),
                    Some(Err(error)) => {
                        // Nothing refers to a client that has no relations attached yet.
                        let removed = self.remove_client(id);
                        debug_assert!(removed.is_ok());
                        rejected_ids.insert(id, row.line);
                        let error = explain_relation(error, &relations, &rejected_ids, unit);
                        let column = row.sources.column(error.field().unwrap_or(""));
                        rejected.push(
                            Rejection {
                                column: column.map(str::to_string),
                                error,
                            }
                            .into_row(row.line),
                        );
                        dropped = true;
                    }
                    None => {}
                }
            }
            deferred = kept;
            if !dropped {
                break;
            }
        }
        for (row, relations) in deferred {
            let id = row.client.id;
            match self.set_relations(id, relations) {
                Ok(()) => imported.push((row.line, id)),
                Err(error) => {
                    let _ = self.remove_client(id);
                    let column = row.sources.column(error.field().unwrap_or(""));
                    rejected.push(
                        Rejection {
                            column: column.map(str::to_string),
                            error,
                        }
                        .into_row(row.line),
                    );
                }
            }
        }

        imported.sort_by_key(|(line, _)| *line);
        rejected.sort_by_key(|r| r.line);
        Ok(ImportReport {
            rows,
            imported: imported.into_iter().map(|(_, id)| id).collect(),
            rejected,
            empty_rows,
            ignored_columns: layout.ignored.clone(),
        })
    }
}

/// Adds which line (or row, as `unit` says) a missing relation target was
/// rejected on.
pub(super) fn explain_relation(
    error: Error,
    relations: &[Relation],
    rejected: &HashMap<ClientId, u64>,
    unit: &str,
) -> Error {
    let Some(field) = error.field() else {
        return error;
    };
    if error.kind() != ErrorKind::UnknownId {
        return error;
    }
    let (_, index) = split_field(field);
    match index
        .and_then(|i| relations.get(i))
        .and_then(|r| rejected.get(&r.to).map(|line| (r.to, line)))
    {
        Some((to, line)) => Error::new(
            ErrorKind::UnknownId,
            format!("{to} does not exist: its row ({unit} {line}) was rejected"),
        )
        .with_field(field),
        None => error,
    }
}
