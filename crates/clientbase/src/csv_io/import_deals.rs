//! Importing deals with their lines.

use super::*;

/// Where a product line of a deal row came from.
#[derive(Clone, Copy)]
pub(super) enum LineSource<'a> {
    Json(&'a str),
    Single,
}

/// Which column gave which part of a deal, to name the column of a later error.
#[derive(Default)]
pub(super) struct DealSources<'a> {
    pub(super) columns: Vec<(&'a ColumnTarget, &'a str)>,
    pub(super) lines: Vec<LineSource<'a>>,
}

impl<'a> DealSources<'a> {
    pub(super) fn find(&self, target: &ColumnTarget) -> Option<&'a str> {
        self.columns
            .iter()
            .find(|(t, _)| *t == target)
            .map(|(_, h)| *h)
    }

    pub(super) fn column(&self, field: &str) -> Option<&'a str> {
        let (head, index) = split_field(field);
        match head {
            "client" => self.find(&ColumnTarget::ClientId),
            "recurrence" => self.find(&ColumnTarget::RecurrenceJson),
            "lines" => match index.and_then(|i| self.lines.get(i)) {
                Some(LineSource::Json(header)) => Some(header),
                Some(LineSource::Single) => {
                    let part = field.rsplit('.').next().unwrap_or("");
                    let target = match part {
                        "quantity" => ColumnTarget::Quantity,
                        "unit_price" => ColumnTarget::UnitPrice,
                        "category" => ColumnTarget::Category,
                        _ => ColumnTarget::Product,
                    };
                    self.find(&target)
                        .or_else(|| self.find(&ColumnTarget::Product))
                }
                None => self.find(&ColumnTarget::LinesJson),
            },
            other => other
                .parse::<ColumnTarget>()
                .ok()
                .and_then(|target| self.find(&target)),
        }
    }
}

pub(super) struct ParsedDeal<'a> {
    pub(super) line: u64,
    pub(super) deal: Deal,
    pub(super) sources: DealSources<'a>,
}

pub(super) fn parse_deal<'t>(
    default_currency: Currency,
    cells: &[Cell<'t, '_>],
) -> std::result::Result<(Deal, DealSources<'t>), Rejection> {
    let mut sources = DealSources {
        columns: cells.iter().map(|c| (c.target, c.header)).collect(),
        ..DealSources::default()
    };
    let find = |target: ColumnTarget| cells.iter().find(|c| *c.target == target);
    let currency = match find(ColumnTarget::Currency) {
        Some(cell) => Currency::new(cell.text).map_err(|e| Rejection::at(cell.header, e))?,
        None => default_currency,
    };
    let mut deal = Deal::new(ClientId(0), Money::zero(currency));
    let mut amount = None;
    let mut client = None;
    let mut single: [Option<&Cell<'t, '_>>; 4] = [None; 4];
    let ordered = cells
        .iter()
        .filter(|c| c.target.is_json())
        .chain(cells.iter().filter(|c| !c.target.is_json()));
    for cell in ordered {
        let at = |e: Error| Rejection::at(cell.header, e);
        let text = cell.text;
        let own = || Some(text.to_string());
        match cell.target {
            ColumnTarget::Ignore | ColumnTarget::Currency => {}
            ColumnTarget::Id => deal.id = DealId(id_cell(text, "id").map_err(at)?),
            ColumnTarget::ClientId => client = Some(ClientId(id_cell(text, "client").map_err(at)?)),
            ColumnTarget::Title => deal.title = own(),
            ColumnTarget::Pipeline => deal.pipeline = text.into(),
            ColumnTarget::Stage => deal.stage = text.into(),
            ColumnTarget::Status => deal.status = text.parse::<DealStatus>().map_err(at)?,
            ColumnTarget::Amount => amount = Some(Money::parse(text, currency).map_err(at)?),
            ColumnTarget::CreatedAt => {
                deal.created_at = Some(datetime_cell(text, "created_at").map_err(at)?)
            }
            ColumnTarget::ClosedAt => {
                deal.closed_at = Some(datetime_cell(text, "closed_at").map_err(at)?)
            }
            ColumnTarget::Owner => deal.owner = own().map(Into::into),
            ColumnTarget::Source => deal.source = own().map(Into::into),
            ColumnTarget::LinesJson => {
                let lines: Vec<ProductLine> = json_cell(text, "lines").map_err(at)?;
                sources.lines.extend(std::iter::repeat_n(
                    LineSource::Json(cell.header),
                    lines.len(),
                ));
                deal.lines.extend(lines);
            }
            ColumnTarget::RecurrenceJson => {
                deal.recurrence = Some(json_cell::<Recurrence>(text, "recurrence").map_err(at)?)
            }
            ColumnTarget::Product => single[0] = Some(cell),
            ColumnTarget::Category => single[1] = Some(cell),
            ColumnTarget::Quantity => single[2] = Some(cell),
            ColumnTarget::UnitPrice => single[3] = Some(cell),
            client_target => {
                return Err(at(Error::new(
                    ErrorKind::Csv,
                    format!("{client_target} is not a deal field"),
                )))
            }
        }
    }

    let index = deal.lines.len();
    let path = |part: &str| format!("lines[{index}].{part}");
    match single {
        [None, None, None, None] => {}
        [None, ..] => {
            let given = single.iter().flatten().next().map_or("", |c| c.header);
            return Err(Rejection::at(
                given,
                invalid(
                    path("product"),
                    "a quantity, unit price or category is given without a product",
                ),
            ));
        }
        [Some(product), category, quantity, unit_price] => {
            let quantity = match quantity {
                Some(cell) => Quantity::parse(cell.text).map_err(|e| {
                    Rejection::at(cell.header, e.in_field(format!("lines[{index}]")))
                })?,
                None => Quantity::ONE,
            };
            let Some(price_cell) = unit_price else {
                return Err(Rejection::at(
                    product.header,
                    invalid(path("unit_price"), "a product line needs a unit price"),
                ));
            };
            let unit_price = Money::parse(price_cell.text, currency).map_err(|e| {
                let field = path("unit_price");
                Rejection::at(
                    price_cell.header,
                    Error::new(e.kind(), e.reason()).with_field(field),
                )
            })?;
            let mut line = ProductLine::new(product.text, quantity, unit_price);
            line.category = category.map(|c| c.text.into());
            deal.lines.push(line);
            sources.lines.push(LineSource::Single);
        }
    }

    deal.client =
        client.ok_or_else(|| Rejection::row(invalid("client", "a deal needs its client's id")))?;
    deal.amount = match amount {
        Some(amount) => amount,
        None if !deal.lines.is_empty() => deal
            .lines_total()
            .map_err(|e| Rejection::row(Error::new(e.kind(), e.reason()).with_field("amount")))?,
        None => {
            return Err(Rejection::row(invalid(
                "amount",
                "a deal needs an amount, or product lines to total",
            )))
        }
    };
    Ok((deal, sources))
}

impl ClientBase {
    /// Imports deals from CSV, reading columns as `mapping` says. Their clients
    /// must already be in the base (import clients first).
    ///
    /// Fails and imports nothing on the same grounds as
    /// [`ClientBase::import_clients_csv`], and when the mapping has no `client_id`.
    ///
    /// ```
    /// use clientbase::{ClientBase, Client, ColumnMapping, CsvOptions};
    /// let mut base = ClientBase::default();
    /// let anna = base.add_client(Client::person("Иванова", "Анна", None))?;
    /// let csv = format!("Клиент;Сумма;Статус\n{};4 990,50;выиграна\n99;100;open\n", anna.get());
    /// let mapping = ColumnMapping::from_pairs([("Клиент", "client_id"), ("Сумма", "amount"), ("Статус", "status")])?;
    /// let report = base.import_deals_csv(csv.as_bytes(), &mapping, &CsvOptions::default())?;
    /// assert_eq!(base.get_deal(report.imported[0]).unwrap().amount.to_string(), "4990.50 RUB");
    /// assert_eq!(report.rejected[0].kind, clientbase::ErrorKind::UnknownId);
    /// assert_eq!(report.rejected[0].kind.name(), "unknown_id");
    /// assert_eq!(report.rejected[0].column.as_deref(), Some("Клиент"));
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn import_deals_csv<R: Read>(
        &mut self,
        reader: R,
        mapping: &ColumnMapping,
        options: &CsvOptions,
    ) -> Result<ImportReport<DealId>> {
        let table = Table::open(reader, mapping, options, Records::Deals, self.schema())?;
        self.import_deals(&table.layout, "line", options, |each| {
            table.for_each_row(each)
        })
    }

    /// Imports deals from rows of cells named by `headers`: what
    /// [`ClientBase::import_deals_csv`] does with the rows of a file, for data
    /// already in memory; see [`ClientBase::import_clients_rows`]. In the
    /// report, a row's `line` is its index from 0. `options.currency` is the
    /// currency of rows without a `currency` cell; the delimiter is not used.
    pub fn import_deals_rows<H, R, C, S>(
        &mut self,
        headers: H,
        rows: R,
        mapping: &ColumnMapping,
        options: &CsvOptions,
    ) -> Result<ImportReport<DealId>>
    where
        H: IntoIterator,
        H::Item: AsRef<str>,
        R: IntoIterator<Item = C>,
        C: IntoIterator<Item = Option<S>>,
        S: AsRef<str>,
    {
        let layout = Layout::for_rows(headers, mapping, Records::Deals, self.schema())?;
        self.import_deals(&layout, "row", options, |each| {
            layout.for_each_cells_row(rows, each)
        })
    }

    /// The import of deals from rows, wherever they come from; see
    /// `import_clients`.
    pub(super) fn import_deals<'t>(
        &mut self,
        layout: &'t Layout,
        unit: &str,
        options: &CsvOptions,
        read: impl FnOnce(&mut dyn FnMut(u64, Row<'t, '_>)) -> Result<()>,
    ) -> Result<ImportReport<DealId>> {
        self.journaled("import_deals", |base| {
            base.import_deals_now(layout, unit, options, read)
        })
    }

    fn import_deals_now<'t>(
        &mut self,
        layout: &'t Layout,
        unit: &str,
        options: &CsvOptions,
        read: impl FnOnce(&mut dyn FnMut(u64, Row<'t, '_>)) -> Result<()>,
    ) -> Result<ImportReport<DealId>> {
        let currency = options
            .currency
            .or(self.schema().currency())
            .unwrap_or(Currency::RUB);
        let mut rows = 0;
        let mut empty_rows = 0;
        let mut rejected: Vec<RejectedRow> = Vec::new();
        let mut set_aside: Vec<RejectedRow> = Vec::new();
        let mut parsed: Vec<ParsedDeal<'_>> = Vec::new();
        read(&mut |line, row| {
            rows += 1;
            match row {
                Row::Empty => empty_rows += 1,
                Row::Cells(_, mut notes) if options.strict && !notes.is_empty() => {
                    rejected.push(notes.swap_remove(0).into_row(line))
                }
                Row::Cells(cells, notes) => match parse_deal(currency, &cells) {
                    Ok((deal, sources)) => {
                        set_aside.extend(notes.into_iter().map(|n| n.into_row(line)));
                        parsed.push(ParsedDeal {
                            line,
                            deal,
                            sources,
                        })
                    }
                    Err(rejection) => rejected.push(rejection.into_row(line)),
                },
            }
        })?;

        let reject = |rejected: &mut Vec<RejectedRow>,
                      line: u64,
                      sources: &DealSources<'_>,
                      error: Error| {
            let column = sources.column(error.field().unwrap_or(""));
            rejected.push(
                Rejection {
                    column: column.map(str::to_string),
                    error,
                }
                .into_row(line),
            );
        };
        let mut imported: Vec<(u64, DealId)> = Vec::with_capacity(parsed.len());
        let mut rejected_ids: HashMap<DealId, u64> = HashMap::new();
        // Deals that duplicate one further down the file go in as lost first.
        let mut deferred: Vec<(ParsedDeal<'_>, DealId)> = Vec::new();
        let mut deferred_ids: HashSet<DealId> = HashSet::new();
        let (with_ids, without_ids): (Vec<_>, Vec<_>) =
            parsed.into_iter().partition(|p| p.deal.id.0 != 0);
        for row in with_ids.into_iter().chain(without_ids) {
            let ParsedDeal {
                line,
                deal,
                sources,
            } = row;
            let asked = deal.id;
            let forward = match deal.status {
                DealStatus::DuplicateOf(original) => (self.get_deal(original).is_none()
                    || deferred_ids.contains(&original))
                .then_some(original),
                _ => None,
            };
            let (insert, later) = match forward {
                Some(original) => {
                    let mut lost = deal.clone();
                    lost.status = DealStatus::Lost;
                    (lost, Some((deal, original)))
                }
                None => (deal, None),
            };
            match self.insert_deal(insert) {
                Ok(id) => match later {
                    Some((mut deal, original)) => {
                        deal.id = id;
                        deferred_ids.insert(id);
                        deferred.push((
                            ParsedDeal {
                                line,
                                deal,
                                sources,
                            },
                            original,
                        ));
                    }
                    None => imported.push((line, id)),
                },
                Err(error) => {
                    if asked.0 != 0 {
                        rejected_ids.insert(asked, line);
                    }
                    reject(&mut rejected, line, &sources, error);
                }
            }
        }

        loop {
            let mut dropped = false;
            let mut kept = Vec::with_capacity(deferred.len());
            for (row, original) in deferred {
                let id = row.deal.id;
                let problem = if original == id {
                    Some(invalid("status", "a deal cannot duplicate itself"))
                } else if self.get_deal(original).is_none() {
                    let reason = match rejected_ids.get(&original) {
                        Some(line) => {
                            format!(
                                "{original} does not exist: its row ({unit} {line}) was rejected"
                            )
                        }
                        None => format!("{original} does not exist"),
                    };
                    Some(Error::new(ErrorKind::UnknownId, reason).with_field("status"))
                } else {
                    None
                };
                match problem {
                    None => kept.push((row, original)),
                    Some(error) => {
                        // No activity and no deal of this import refers to it yet.
                        let removed = self.remove_deal(id);
                        debug_assert!(removed.is_ok());
                        rejected_ids.insert(id, row.line);
                        reject(&mut rejected, row.line, &row.sources, error);
                        dropped = true;
                    }
                }
            }
            deferred = kept;
            if !dropped {
                break;
            }
        }
        for (row, _) in deferred {
            let id = row.deal.id;
            match self.update_deal(row.deal) {
                Ok(()) => imported.push((row.line, id)),
                Err(error) => {
                    let _ = self.remove_deal(id);
                    reject(&mut rejected, row.line, &row.sources, error);
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
