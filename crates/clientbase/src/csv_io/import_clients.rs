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

    /// Drops the column of a contact point that was removed (`phones[1]`), so
    /// that the later ones keep their columns.
    pub(super) fn forget(&mut self, field: &str) {
        let list = match split_field(field) {
            ("phones", Some(i)) => Some((&mut self.phones, i)),
            ("emails", Some(i)) => Some((&mut self.emails, i)),
            ("messengers", Some(i)) => Some((&mut self.messengers, i)),
            _ => None,
        };
        if let Some((list, i)) = list {
            if i < list.len() {
                list.remove(i);
            }
        }
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

/// The value of a cell's result, or `None` with the error noted against the
/// cell's column.
fn keep<T>(notes: &mut Vec<Rejection>, header: &str, result: Result<T>) -> Option<T> {
    result
        .map_err(|e| notes.push(Rejection::at(header, e)))
        .ok()
}

/// Reads a row's cells into a client. A cell that cannot be read is set aside
/// with a note naming its column, field and reason, and the client is made of
/// the rest; only an unreadable `id` rejects the row (the record's identity
/// would be lost).
pub(super) fn parse_client<'t>(
    schema: &Schema,
    cells: &[Cell<'t, '_>],
    notes: &mut Vec<Rejection>,
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
        let text = cell.text;
        let own = || Some(text.to_string());
        match cell.target {
            ColumnTarget::Ignore => {}
            ColumnTarget::Id => {
                client.id =
                    ClientId(id_cell(text, "id").map_err(|e| Rejection::at(cell.header, e))?)
            }
            ColumnTarget::Kind => kind = keep(notes, cell.header, kind_cell(text)),
            ColumnTarget::Surname => name_parts[0] = Some(cell),
            ColumnTarget::GivenName => name_parts[1] = Some(cell),
            ColumnTarget::Patronymic => name_parts[2] = Some(cell),
            ColumnTarget::FullName => full_name = Some(cell),
            ColumnTarget::Company => company = Some(cell),
            ColumnTarget::TaxId => tax_id = Some(cell),
            ColumnTarget::Birthday => {
                client.birthday = keep(notes, cell.header, date_cell(text, "birthday")).flatten()
            }
            ColumnTarget::City => client.city = own(),
            ColumnTarget::Region => client.region = own(),
            ColumnTarget::Postcode => client.postcode = own(),
            ColumnTarget::Address => client.address = own(),
            ColumnTarget::Owner => client.owner = own(),
            ColumnTarget::Source => client.source = own(),
            ColumnTarget::Behaviour => client.behaviour = own(),
            ColumnTarget::Stage => {
                if let Some(stage) = keep(notes, cell.header, text.parse::<LifecycleStage>()) {
                    client.stage = stage;
                }
            }
            ColumnTarget::Temperature => {
                client.temperature = keep(notes, cell.header, text.parse::<Temperature>())
            }
            ColumnTarget::LoyaltyPercent => {
                client.loyalty_percent = keep(notes, cell.header, percent_cell(text))
            }
            ColumnTarget::CanRefer => {
                client.can_refer =
                    keep(notes, cell.header, bool_cell(text, "can_refer")).unwrap_or_default()
            }
            ColumnTarget::CreatedAt => {
                client.created_at = keep(notes, cell.header, datetime_cell(text, "created_at"))
            }
            ColumnTarget::UpdatedAt => {
                client.updated_at = keep(notes, cell.header, datetime_cell(text, "updated_at"))
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
                    if keep(notes, cell.header, schema.check_tag(tag)).is_some() {
                        client.tags.insert(tag.to_string());
                    }
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
                if let Some(consent) = keep(notes, cell.header, consent_cell(text, &field)) {
                    client.consents.marketing.insert(*channel, consent);
                }
            }
            ColumnTarget::PersonalDataConsent => {
                client.consents.personal_data = keep(
                    notes,
                    cell.header,
                    consent_cell(text, "consents.personal_data"),
                )
            }
            ColumnTarget::PhonesJson => {
                if let Some(phones) =
                    keep(notes, cell.header, json_cell::<Vec<Phone>>(text, "phones"))
                {
                    sources
                        .phones
                        .extend(std::iter::repeat_n(cell.header, phones.len()));
                    client.phones.extend(phones);
                }
            }
            ColumnTarget::EmailsJson => {
                if let Some(emails) =
                    keep(notes, cell.header, json_cell::<Vec<Email>>(text, "emails"))
                {
                    sources
                        .emails
                        .extend(std::iter::repeat_n(cell.header, emails.len()));
                    client.emails.extend(emails);
                }
            }
            ColumnTarget::MessengersJson => {
                if let Some(messengers) = keep(
                    notes,
                    cell.header,
                    json_cell::<Vec<Messenger>>(text, "messengers"),
                ) {
                    sources
                        .messengers
                        .extend(std::iter::repeat_n(cell.header, messengers.len()));
                    client.messengers.extend(messengers);
                }
            }
            ColumnTarget::ConsentsJson => {
                if let Some(consents) =
                    keep(notes, cell.header, json_cell::<Consents>(text, "consents"))
                {
                    client.consents = consents;
                }
            }
            ColumnTarget::RelationsJson => {
                if let Some(relations) = keep(
                    notes,
                    cell.header,
                    json_cell::<Vec<Relation>>(text, "relations"),
                ) {
                    client.relations = relations;
                }
            }
            ColumnTarget::CustomJson => {
                if let Some(values) = keep(
                    notes,
                    cell.header,
                    json_cell::<BTreeMap<String, FieldValue>>(text, "custom"),
                ) {
                    client.custom.extend(values);
                }
            }
            deal_target => {
                keep(
                    notes,
                    cell.header,
                    Err::<(), _>(Error::new(
                        ErrorKind::Csv,
                        format!("{deal_target} is not a client field"),
                    )),
                );
            }
        }
    }

    let has_name = full_name.is_some() || name_parts.iter().any(Option::is_some);
    // Without a kind column a company cell makes a company, unless the row also
    // names a person and has no tax id (a CRM's contact with an employer): then
    // it is a person, and the company cell is the employer.
    let is_company = kind.unwrap_or(company.is_some() && (!has_name || tax_id.is_some()));
    // The person's name: its parts, or a full name split as Фамилия Имя Отчество.
    let person_name = |full_name: Option<&Cell<'t, '_>>| {
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
        name
    };
    client.party = if is_company {
        // A full name beside a company column is the person behind it (an
        // ИП's owner, the contact person); alone it is the legal name.
        // A sole proprietor's (ИП) tax id has 12 digits: its name is a person's.
        let sole_proprietor =
            tax_id.is_some_and(|c| c.text.chars().filter(char::is_ascii_digit).count() == 12);
        let (legal_name, person) = match (company, full_name) {
            (Some(cell), extra) => {
                sources.legal_name = Some(cell.header);
                (cell.text.to_string(), person_name(extra))
            }
            (None, Some(cell)) => {
                sources.legal_name = Some(cell.header);
                let owner = sole_proprietor.then_some(cell);
                (cell.text.to_string(), person_name(owner))
            }
            (None, None) => (String::new(), person_name(None)),
        };
        // Without a name column, ИП and the owner's name.
        let legal_name = if legal_name.trim().is_empty() && sole_proprietor {
            let parts = [&person.surname, &person.given, &person.patronymic];
            let words: Vec<&str> = parts.into_iter().flatten().map(String::as_str).collect();
            if words.is_empty() {
                legal_name
            } else {
                format!("ИП {}", words.join(" "))
            }
        } else {
            legal_name
        };
        Party::Company(Company {
            legal_name,
            tax_id: tax_id.map(|c| c.text.trim().to_string()),
            person,
        })
    } else {
        client.employer = company.map(|cell| cell.text.to_string());
        if let Some(cell) = tax_id {
            notes.push(Rejection::at(
                cell.header,
                invalid(
                    "tax_id",
                    "only companies carry a tax id (set kind to company, also for a sole proprietor): it was set aside",
                ),
            ));
        }
        Party::Person(person_name(full_name))
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
    /// # Rejected rows and cells set aside
    ///
    /// Every data row ends up in exactly one place: [`ImportReport::imported`],
    /// [`ImportReport::rejected`] or the count of [`ImportReport::empty_rows`] (rows
    /// whose cells are all blank). A cell that cannot be read or fails a check
    /// (a date that is not a date, an unknown tag, a wrong custom field type, a bad
    /// ИНН, a birthday out of range, cells past the header, a company name on a
    /// person) is set aside in [`ImportReport::set_aside`] and the row imported
    /// without it. A row is rejected when it cannot make a record (no name and no
    /// contact, an unreadable or taken id, relations that do not hold), or, with
    /// [`CsvOptions::strict`], for its first unusable cell. Each entry names the
    /// line where the row starts in the file (the header is line 1; a quoted cell
    /// spanning lines counts them all), the column, the record field, the
    /// [`ErrorKind::name`] and the reason. A quote that opens a cell and never
    /// closes costs only its own line, which is read without quotes, with a note.
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
    /// assert_eq!(report.set_aside[0].to_string(), "line 3, column \"Комнат\": expected integer, got text \"три\"");
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn import_clients_csv<R: Read>(
        &mut self,
        reader: R,
        mapping: &ColumnMapping,
        options: &CsvOptions,
    ) -> Result<ImportReport<ClientId>> {
        let table = Table::open(reader, mapping, options, Records::Clients, self.schema())?;
        self.import_clients(&table.layout, "line", options.strict, |each| {
            table.for_each_row(each)
        })
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
    /// assert_eq!(report.imported.len(), 2);
    /// assert_eq!(report.set_aside[0].line, 1);
    /// assert_eq!(report.set_aside[0].field.as_deref(), Some("birthday"));
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
        let layout = Layout::for_rows(headers, mapping, Records::Clients, self.schema())?;
        self.import_clients(&layout, "row", options.strict, |each| {
            layout.for_each_cells_row(rows, each)
        })
    }

    /// The import of clients from rows, wherever they come from: `read` hands
    /// every row to its callback with its line (`unit` says whether that is a
    /// file's line or a row's index, for messages).
    pub(super) fn import_clients<'t>(
        &mut self,
        layout: &'t Layout,
        unit: &str,
        strict: bool,
        read: impl FnOnce(&mut dyn FnMut(u64, Row<'t, '_>)) -> Result<()>,
    ) -> Result<ImportReport<ClientId>> {
        self.journaled("import_clients", |base| {
            base.import_clients_now(layout, unit, strict, read)
        })
    }

    fn import_clients_now<'t>(
        &mut self,
        layout: &'t Layout,
        unit: &str,
        strict: bool,
        read: impl FnOnce(&mut dyn FnMut(u64, Row<'t, '_>)) -> Result<()>,
    ) -> Result<ImportReport<ClientId>> {
        let mut rows = 0;
        let mut empty_rows = 0;
        let mut rejected: Vec<RejectedRow> = Vec::new();
        let mut set_aside: Vec<RejectedRow> = Vec::new();
        let mut parsed: Vec<ParsedClient<'_>> = Vec::new();
        {
            let schema = self.schema();
            read(&mut |line, row| {
                rows += 1;
                match row {
                    Row::Empty => empty_rows += 1,
                    Row::Cells(cells, mut notes) => {
                        match parse_client(schema, &cells, &mut notes) {
                            Ok(_) if strict && !notes.is_empty() => {
                                rejected.push(notes.swap_remove(0).into_row(line))
                            }
                            Ok((client, sources)) => {
                                set_aside.extend(notes.into_iter().map(|n| n.into_row(line)));
                                parsed.push(ParsedClient {
                                    line,
                                    client,
                                    sources,
                                })
                            }
                            Err(rejection) => rejected.push(rejection.into_row(line)),
                        }
                    }
                }
            })?;
        }
        if !strict {
            for row in &mut parsed {
                self.set_aside_failing_fields(row, &mut set_aside);
            }
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
        set_aside.sort_by_key(|r| r.line);
        Ok(ImportReport {
            rows,
            imported_lines: imported.iter().map(|(line, _)| *line).collect(),
            imported: imported.into_iter().map(|(_, id)| id).collect(),
            rejected,
            set_aside,
            empty_rows,
            ignored_columns: layout.ignored.clone(),
        })
    }
}

impl ClientBase {
    /// Checks a parsed row as the base will, and sets aside each field that
    /// fails (a birthday out of range, an ИНН whose check digit is wrong, a
    /// custom value of the wrong type, an empty contact), with a note, until
    /// the rest passes or what fails cannot be set aside (the name): then the
    /// insert rejects the row with that reason.
    fn set_aside_failing_fields(&self, row: &mut ParsedClient<'_>, notes: &mut Vec<RejectedRow>) {
        let asked = row.client.id;
        // Each pass removes one field, so this ends; the bound is a guard.
        for _ in 0..64 {
            let Err(error) = self.check_client_fields(&mut row.client, asked) else {
                break;
            };
            let Some(field) = error.field().map(str::to_string) else {
                break;
            };
            if !remove_field(&mut row.client, &field) {
                break;
            }
            let column = row.sources.column(&field).map(str::to_string);
            notes.push(Rejection { column, error }.into_row(row.line));
            row.sources.forget(&field);
        }
        row.client.id = asked;
    }
}

/// Removes a record field named as in errors (`birthday`, `tax_id`,
/// `phones[1]`, `custom.rooms`); false for fields a client cannot do without
/// (its name) or names this does not know.
fn remove_field(client: &mut Client, field: &str) -> bool {
    let (head, index) = split_field(field);
    let remove_at = |len: usize| index.filter(|i| *i < len);
    match head {
        "birthday" => client.birthday.take().is_some(),
        "postcode" => client.postcode.take().is_some(),
        "loyalty_percent" => client.loyalty_percent.take().is_some(),
        "updated_at" => client.updated_at.take().is_some(),
        "created_at" => client.created_at.take().is_some(),
        "tax_id" => match &mut client.party {
            Party::Company(company) => company.tax_id.take().is_some(),
            Party::Person(_) => false,
        },
        "phones" => remove_at(client.phones.len())
            .map(|i| client.phones.remove(i))
            .is_some(),
        "emails" => remove_at(client.emails.len())
            .map(|i| client.emails.remove(i))
            .is_some(),
        "messengers" => remove_at(client.messengers.len())
            .map(|i| client.messengers.remove(i))
            .is_some(),
        "custom" => field
            .strip_prefix("custom.")
            .is_some_and(|name| client.custom.remove(name).is_some()),
        _ => false,
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
