//! Deal columns in deal id order, for the automation rules that walk every
//! deal (stuck deals, stage moves, recurring deals): their actions are
//! listed in deal id order, and these columns let a rule find its deals
//! without following each record. Each deal's client is its row in the
//! snapshot's client columns. Built in parallel chunks the first time a
//! rule needs them, then kept with the snapshot until the base's next write.

use super::{Columns, TextColumn, NO_TIME};
use crate::base::ClientBase;
use crate::deal::{Deal, DealStatus};

/// No client row (a deal whose client is not in the base).
pub(crate) const NO_ROW: u32 = u32::MAX;

/// Deals per chunk of a parallel build.
const CHUNK: usize = 32_768;

/// Deal columns, one row per deal in id order ([`ClientBase::deals`]).
#[derive(Debug, Default)]
pub(crate) struct DealsById {
    /// Per deal: its client's row in the snapshot ([`NO_ROW`] for none).
    pub client: Vec<u32>,
    /// 0 open, 1 won, 2 lost, 3 duplicate (as [`super::DealColumns`]).
    pub status: Vec<u8>,
    /// Whether the deal recurs.
    pub recurring: Vec<bool>,
    /// Created, seconds since 1970 ([`NO_TIME`] for none).
    pub created: Vec<i64>,
    /// The pipeline as typed.
    pub pipeline: TextColumn,
    /// The stage as typed.
    pub stage: TextColumn,
}

/// A deal's status as the deal columns number it.
pub(crate) fn status_code(status: DealStatus) -> u8 {
    match status {
        DealStatus::Open => 0,
        DealStatus::Won => 1,
        DealStatus::Lost => 2,
        DealStatus::DuplicateOf(_) => 3,
    }
}

impl DealsById {
    /// Room for `n` more deals in every column.
    fn reserve(&mut self, n: usize) {
        self.client.reserve(n);
        self.status.reserve(n);
        self.recurring.reserve(n);
        self.created.reserve(n);
        self.pipeline.ids.reserve(n);
        self.stage.ids.reserve(n);
    }

    fn build(base: &ClientBase, columns: &Columns, chunk: usize) -> DealsById {
        let deals: Vec<&Deal> = base.deals().collect();
        let ids = &columns.clients.ids;
        let chunks: Vec<&[&Deal]> = deals.chunks(chunk.max(1)).collect();
        let parts = crate::batch::map_column_with_min(&chunks, 1, |chunk| {
            let mut part = DealsById::default();
            part.reserve(chunk.len());
            for deal in chunk.iter() {
                let row = ids
                    .binary_search(&deal.client)
                    .map_or(NO_ROW, |r| u32::try_from(r).unwrap_or(NO_ROW));
                part.client.push(row);
                part.status.push(status_code(deal.status));
                part.recurring.push(deal.recurrence.is_some());
                part.created
                    .push(deal.created_at.map_or(NO_TIME, |t| t.timestamp()));
                part.pipeline.push_raw(&deal.pipeline);
                part.stage.push_raw(&deal.stage);
            }
            part
        });
        let mut out = DealsById::default();
        out.reserve(deals.len());
        for part in parts {
            out.client.extend(part.client);
            out.status.extend(part.status);
            out.recurring.extend(part.recurring);
            out.created.extend(part.created);
            out.pipeline.append(part.pipeline);
            out.stage.append(part.stage);
        }
        out
    }

    /// The number of deals.
    pub(crate) fn len(&self) -> usize {
        self.status.len()
    }

    /// About how many bytes the columns hold on the heap.
    pub(super) fn bytes(&self) -> usize {
        self.client.capacity() * 4
            + self.status.capacity()
            + self.recurring.capacity()
            + self.created.capacity() * 8
            + self.pipeline.bytes()
            + self.stage.bytes()
    }
}

impl Columns {
    /// The deals in id order (see [`DealsById`]), built on first use.
    pub(crate) fn deals_by_id(&self, base: &ClientBase) -> &DealsById {
        self.by_id
            .get_or_init(|| DealsById::build(base, self, CHUNK))
    }
}

#[cfg(all(test, feature = "generator"))]
mod tests {
    use super::*;

    #[test]
    fn deals_by_id_follow_the_records() {
        let config = crate::generator::GeneratorConfig::new(300, 9);
        let base = crate::generator::generate(&config).unwrap().base;
        let columns = Columns::build(&base);
        for chunk in [1, 7, usize::MAX] {
            let by_id = DealsById::build(&base, &columns, chunk);
            check(&base, &columns, &by_id);
        }
        check(&base, &columns, columns.deals_by_id(&base));
    }

    fn check(base: &ClientBase, columns: &Columns, by_id: &DealsById) {
        assert!(by_id.len() > 0);
        assert_eq!(by_id.len(), base.deals().len());
        let text =
            |column: &TextColumn, at: usize| column.dict.texts[column.ids[at] as usize].clone();
        for (j, deal) in base.deals().enumerate() {
            let row = by_id.client[j] as usize;
            assert_eq!(columns.clients.ids[row], deal.client);
            assert_eq!(by_id.status[j], status_code(deal.status));
            assert_eq!(by_id.recurring[j], deal.recurrence.is_some());
            assert_eq!(
                by_id.created[j],
                deal.created_at.map_or(NO_TIME, |t| t.timestamp())
            );
            assert_eq!(text(&by_id.pipeline, j), deal.pipeline);
            assert_eq!(text(&by_id.stage, j), deal.stage);
        }
    }
}
