//! The partition steps on Arrow record batches (feature `arrow`): what an
//! engine's per-batch functions call (Spark's `mapInArrow` and `applyInArrow`
//! through `clientbase.spark`, or any engine that hands over Arrow batches).
//! Each function reads the columns it names, refuses a missing or mistyped one
//! with an error naming it, and answers with a batch; nothing here keeps global
//! state.

use super::{
    cluster_component, components, link_probability, prepare, read_clients, BlockRows, BlockScorer,
    ComponentMembers, GlobalStats, TermCount,
};
use crate::dedup::{Decisions, MatchOptions, Verdict};
use crate::error::{Error, ErrorKind, Result};
use crate::table::Table;
use arrow_array::builder::{
    BinaryBuilder, Float64Builder, Int32Builder, Int64Builder, Int8Builder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, Int8Type};
use arrow_array::{Array, ArrayRef, GenericListArray, OffsetSizeTrait, RecordBatch};
use arrow_schema::{Field, Schema};
use std::sync::Arc;

fn bad(reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidValue, reason.into()).with_field("batch")
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> Result<RecordBatch> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
        .collect();
    let arrays = columns.into_iter().map(|c| c.1).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| bad(e.to_string()))
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef> {
    batch
        .column_by_name(name)
        .ok_or_else(|| bad(format!("the batch has no column {name:?}")))
}

fn int64s(batch: &RecordBatch, name: &str) -> Result<Vec<i64>> {
    let a = column(batch, name)?;
    let a = a
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| bad(format!("column {name:?} is {}, not int64", a.data_type())))?;
    Ok(a.iter().map(|v| v.unwrap_or(0)).collect())
}

fn binaries<'a>(batch: &'a RecordBatch, name: &str) -> Result<Vec<&'a [u8]>> {
    let a = column(batch, name)?;
    if let Some(a) = a.as_binary_opt::<i32>() {
        return Ok(a.iter().map(|v| v.unwrap_or(&[])).collect());
    }
    if let Some(a) = a.as_binary_opt::<i64>() {
        return Ok(a.iter().map(|v| v.unwrap_or(&[])).collect());
    }
    Err(bad(format!(
        "column {name:?} is {}, not binary",
        a.data_type()
    )))
}

fn lists<O: OffsetSizeTrait, T>(
    list: &GenericListArray<O>,
    item: impl Fn(&ArrayRef) -> Result<Vec<T>>,
) -> Result<Vec<Vec<T>>> {
    (0..list.len())
        .map(|i| {
            if list.is_null(i) {
                Ok(Vec::new())
            } else {
                item(&list.value(i))
            }
        })
        .collect()
}

fn list_column<T>(
    batch: &RecordBatch,
    name: &str,
    item: impl Fn(&ArrayRef) -> Result<Vec<T>>,
) -> Result<Vec<Vec<T>>> {
    let a = column(batch, name)?;
    if let Some(l) = a.as_list_opt::<i32>() {
        return lists(l, item);
    }
    if let Some(l) = a.as_list_opt::<i64>() {
        return lists(l, item);
    }
    Err(bad(format!(
        "column {name:?} is {}, not a list",
        a.data_type()
    )))
}

fn key_list(a: &ArrayRef) -> Result<Vec<i64>> {
    let a = a
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| bad(format!("keys are {}, not int64", a.data_type())))?;
    Ok(a.iter().flatten().collect())
}

/// `list<struct<field: int32, hash: int64, count: int64>>` items.
fn term_list(a: &ArrayRef) -> Result<Vec<TermCount>> {
    let s = a
        .as_struct_opt()
        .ok_or_else(|| bad(format!("terms are {}, not structs", a.data_type())))?;
    let get = |name: &str| {
        s.column_by_name(name)
            .ok_or_else(|| bad(format!("terms have no {name:?}")))
    };
    let (field, hash, count) = (get("field")?, get("hash")?, get("count")?);
    let field = field
        .as_primitive_opt::<Int32Type>()
        .ok_or_else(|| bad("a term's field is not int32"))?;
    let hash = hash
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| bad("a term's hash is not int64"))?;
    let count = count
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| bad("a term's count is not int64"))?;
    Ok((0..s.len())
        .map(|i| TermCount {
            field: u8::try_from(field.value(i)).unwrap_or(u8::MAX),
            hash: hash.value(i),
            count: count.value(i).max(0) as u64,
        })
        .collect())
}

/// Step 1 on a batch of clients (columns named as import targets, plus
/// `id_column`): one row per client read (`kind` 0: `id`, `blob`), then its
/// block keys (kind 1: `hash`, `aux` the [`BlockingKey`](crate::dedup::BlockingKey)'s
/// position), its term-frequency values (kind 2: `hash`, `aux` the field) and
/// its lookups (kind 3: `hash`). A row that cannot be read as a client gives a
/// kind 4 row (`aux` its row number in the batch). Columns: `kind` int8, `id`
/// int64, `hash` int64, `aux` int32, `blob` binary.
pub fn prepare_batch(
    clients: &RecordBatch,
    options: &MatchOptions,
    id_column: &str,
) -> Result<RecordBatch> {
    let table = Table::from_record_batch(clients)?;
    let (clients, skipped) = read_clients(&table, id_column)?;
    let prepared = prepare(&clients, options);
    let rows: usize = prepared
        .iter()
        .map(|p| 1 + p.block_keys.len() + p.term_values.len() + p.lookups.len())
        .sum::<usize>()
        + skipped.len();
    let mut kind = Int8Builder::with_capacity(rows);
    let mut id = Int64Builder::with_capacity(rows);
    let mut hash = Int64Builder::with_capacity(rows);
    let mut aux = Int32Builder::with_capacity(rows);
    let mut blob = BinaryBuilder::with_capacity(rows, prepared.len() * 128);
    let mut row = |k: i8, i: i64, h: i64, a: i32, b: Option<&[u8]>| {
        kind.append_value(k);
        id.append_value(i);
        hash.append_value(h);
        aux.append_value(a);
        blob.append_option(b);
    };
    for p in &prepared {
        row(0, p.id, 0, 0, Some(&p.blob));
        for (h, k) in &p.block_keys {
            row(1, p.id, *h, i32::from(*k), None);
        }
        for (f, h) in &p.term_values {
            row(2, p.id, *h, i32::from(*f), None);
        }
        for h in &p.lookups {
            row(3, p.id, *h, 0, None);
        }
    }
    for r in skipped {
        row(4, 0, 0, i32::try_from(r).unwrap_or(i32::MAX), None);
    }
    batch(vec![
        ("kind", Arc::new(kind.finish())),
        ("id", Arc::new(id.finish())),
        ("hash", Arc::new(hash.finish())),
        ("aux", Arc::new(aux.finish())),
        ("blob", Arc::new(blob.finish())),
    ])
}

impl BlockScorer {
    /// Step 3 on a batch sorted by block key (columns `hash`, `id`, `blob`,
    /// `terms` as `list<struct<field: int32, hash: int64, count: int64>>`,
    /// `keys` as `list<int64>`): scores the runs the batch completes and
    /// answers with their links ([`BlockScorer::links_batch`]).
    pub fn push_batch(&mut self, rows: &RecordBatch) -> Result<RecordBatch> {
        self.push(BlockRows {
            hashes: int64s(rows, "hash")?,
            ids: int64s(rows, "id")?,
            blobs: binaries(rows, "blob")?,
            terms: list_column(rows, "terms", term_list)?,
            keys: list_column(rows, "keys", key_list)?,
        })?;
        self.links_batch(false)
    }

    /// Scores the last run; answers with its links and then the count row.
    pub fn finish_batch(&mut self) -> Result<RecordBatch> {
        self.finish()?;
        self.links_batch(true)
    }

    /// The links found so far (taken out) as rows `left`, `right` (int64),
    /// `weight`, `probability` (float64), `verdict` (int8: 0 duplicate, 1
    /// related); with `count`, a last row `(comparisons, 0, 0, 0.5, -1)`.
    fn links_batch(&mut self, count: bool) -> Result<RecordBatch> {
        let links = self.take_links();
        let rows = links.len() + usize::from(count);
        let mut left = Int64Builder::with_capacity(rows);
        let mut right = Int64Builder::with_capacity(rows);
        let mut weight = Float64Builder::with_capacity(rows);
        let mut probability = Float64Builder::with_capacity(rows);
        let mut verdict = Int8Builder::with_capacity(rows);
        for l in &links {
            left.append_value(l.left.0 as i64);
            right.append_value(l.right.0 as i64);
            weight.append_value(l.weight);
            probability.append_value(link_probability(l.weight));
            verdict.append_value(if l.verdict == Verdict::Duplicate {
                0
            } else {
                1
            });
        }
        if count {
            left.append_value(self.comparisons() as i64);
            right.append_value(0);
            weight.append_value(0.0);
            probability.append_value(link_probability(0.0));
            verdict.append_value(-1);
        }
        batch(vec![
            ("left", Arc::new(left.finish())),
            ("right", Arc::new(right.finish())),
            ("weight", Arc::new(weight.finish())),
            ("probability", Arc::new(probability.finish())),
            ("verdict", Arc::new(verdict.finish())),
        ])
    }
}

/// Step 4 on one connected component: a batch of its duplicate links (`kind`
/// 0: `left`, `right`, `weight`) and members (`kind` 1: `id`, `blob`,
/// `terms`). Answers with rows `kind` (int8: 0 a member `left` of `cluster`,
/// 1 a link of `cluster`, 2 a refused link), `cluster`, `left`, `right`
/// (int64), `weight`, `probability` (float64).
pub fn cluster_batch(
    component: &RecordBatch,
    options: &MatchOptions,
    stats: &GlobalStats,
    decisions: &Decisions,
) -> Result<RecordBatch> {
    let kinds = column(component, "kind")?;
    let kinds = kinds
        .as_primitive_opt::<Int8Type>()
        .ok_or_else(|| bad("column \"kind\" is not int8"))?;
    let (left, right, ids) = (
        int64s(component, "left")?,
        int64s(component, "right")?,
        int64s(component, "id")?,
    );
    let weight = column(component, "weight")?;
    let weight = weight
        .as_primitive_opt::<Float64Type>()
        .ok_or_else(|| bad("column \"weight\" is not float64"))?;
    let blobs = binaries(component, "blob")?;
    let terms = list_column(component, "terms", term_list)?;
    let mut links = Vec::new();
    let mut members = ComponentMembers::default();
    for (i, (blob, terms)) in blobs.into_iter().zip(terms).enumerate() {
        match kinds.is_valid(i).then(|| kinds.value(i)) {
            Some(0) => links.push((left[i], right[i], weight.value(i))),
            Some(1) => {
                members.ids.push(ids[i]);
                members.blobs.push(blob);
                members.terms.push(terms);
            }
            k => return Err(bad(format!("a row of kind {k:?}"))),
        }
    }
    let (clusters, refused) = cluster_component(options, stats, &links, members, decisions)?;
    let mut kind = Int8Builder::new();
    let mut cluster = Int64Builder::new();
    let mut left = Int64Builder::new();
    let mut right = Int64Builder::new();
    let mut weight = Float64Builder::new();
    let mut probability = Float64Builder::new();
    let mut row = |k: i8, c: u64, l: u64, r: u64, w: f64| {
        kind.append_value(k);
        cluster.append_value(c as i64);
        left.append_value(l as i64);
        right.append_value(r as i64);
        weight.append_value(w);
        probability.append_value(link_probability(w));
    };
    for c in &clusters {
        for m in &c.members {
            row(0, c.id.0, m.0, 0, 0.0);
        }
        for l in &c.links {
            row(1, c.id.0, l.left.0, l.right.0, l.weight);
        }
    }
    for l in &refused {
        row(2, 0, l.left.0, l.right.0, l.weight);
    }
    batch(vec![
        ("kind", Arc::new(kind.finish())),
        ("cluster", Arc::new(cluster.finish())),
        ("left", Arc::new(left.finish())),
        ("right", Arc::new(right.finish())),
        ("weight", Arc::new(weight.finish())),
        ("probability", Arc::new(probability.finish())),
    ])
}

/// The connected components ([`components`]) of the edges of a batch (`left`,
/// `right`, int64): rows `id`, `component` (int64, the smallest id of each
/// component).
pub fn components_batch(edges: &RecordBatch) -> Result<RecordBatch> {
    let (left, right) = (int64s(edges, "left")?, int64s(edges, "right")?);
    let edges: Vec<(i64, i64)> = left.into_iter().zip(right).collect();
    let found = components(&edges);
    let mut id = Int64Builder::with_capacity(found.len());
    let mut component = Int64Builder::with_capacity(found.len());
    for (i, c) in found {
        id.append_value(i);
        component.append_value(c);
    }
    batch(vec![
        ("id", Arc::new(id.finish())),
        ("component", Arc::new(component.finish())),
    ])
}

#[cfg(all(test, feature = "generator"))]
mod tests {
    use super::*;
    use crate::dedup::partitioned::Prepared;
    use crate::dedup::MatchIndex;
    use arrow_array::{BinaryArray, Int64Array, ListArray};
    use arrow_buffer::OffsetBuffer;
    use arrow_schema::{DataType, Fields};

    fn base() -> crate::ClientBase {
        crate::generator::generate(&crate::generator::GeneratorConfig::new(300, 9))
            .unwrap()
            .base
    }

    fn ints(batch: &RecordBatch, name: &str) -> Vec<i64> {
        int64s(batch, name).unwrap()
    }

    #[test]
    fn prepare_batch_gives_the_rows_of_prepare() {
        let base = base();
        let table = base
            .clients_table(Some(&[
                "id",
                "surname",
                "given_name",
                "birthday",
                "city",
                "phones_json",
                "emails_json",
            ]))
            .unwrap();
        let out = prepare_batch(
            &table.to_record_batch().unwrap(),
            &MatchOptions::default(),
            "id",
        )
        .unwrap();
        let (clients, skipped) = read_clients(&table, "id").unwrap();
        assert!(skipped.is_empty());
        let prepared = prepare(&clients, &MatchOptions::default());
        let kinds: Vec<i8> = column(&out, "kind")
            .unwrap()
            .as_primitive::<Int8Type>()
            .values()
            .to_vec();
        let blobs = binaries(&out, "blob").unwrap();
        let ids = ints(&out, "id");
        let firsts: Vec<usize> = (0..kinds.len()).filter(|i| kinds[*i] == 0).collect();
        assert_eq!(firsts.len(), prepared.len());
        for (row, p) in firsts.iter().zip(&prepared) {
            assert_eq!((ids[*row], blobs[*row]), (p.id, p.blob.as_slice()));
        }
        let keys = kinds.iter().filter(|k| **k == 1).count();
        assert_eq!(
            keys,
            prepared.iter().map(|p| p.block_keys.len()).sum::<usize>()
        );
        let err = prepare_batch(
            &table.to_record_batch().unwrap(),
            &MatchOptions::default(),
            "nr",
        )
        .unwrap_err();
        assert!(err.to_string().contains("nr"), "{err}");
    }

    /// Rows of one block key for `BlockScorer::push_batch`, terms left empty.
    fn rows(hash: &[i64], prepared: &[&Prepared]) -> RecordBatch {
        let n = prepared.len();
        let term = Fields::from(vec![
            Field::new("field", DataType::Int32, false),
            Field::new("hash", DataType::Int64, false),
            Field::new("count", DataType::Int64, false),
        ]);
        let terms = ListArray::new(
            Arc::new(Field::new_list_field(DataType::Struct(term.clone()), true)),
            OffsetBuffer::new_zeroed(n),
            arrow_array::new_empty_array(&DataType::Struct(term)),
            None,
        );
        let keys = ListArray::from_iter_primitive::<Int64Type, _, _>(
            hash.iter().map(|h| Some(vec![Some(*h)])),
        );
        batch(vec![
            ("hash", Arc::new(Int64Array::from(hash.to_vec()))),
            (
                "id",
                Arc::new(Int64Array::from_iter_values(prepared.iter().map(|p| p.id))),
            ),
            (
                "blob",
                Arc::new(BinaryArray::from_iter_values(
                    prepared.iter().map(|p| &p.blob),
                )),
            ),
            ("terms", Arc::new(terms)),
            ("keys", Arc::new(keys)),
        ])
        .unwrap()
    }

    #[test]
    fn scorer_and_cluster_batches_answer_as_the_steps_do() {
        let base = base();
        let options = MatchOptions::default();
        let index = MatchIndex::build(&base, options.clone()).unwrap();
        let found = index.dedupe(&Decisions::new());
        let cluster = found
            .clusters
            .first()
            .expect("the generator makes duplicates");
        let clients: Vec<crate::Client> = base.clients().cloned().collect();
        let prepared = prepare(&clients, &options);
        let members: Vec<&Prepared> = prepared
            .iter()
            .filter(|p| cluster.members.iter().any(|m| m.0 as i64 == p.id))
            .collect();
        let stats = GlobalStats {
            records: prepared.len() as u64,
            totals: Vec::new(),
        };
        // Batch and struct forms of the same rows, in two batches.
        let hashes = vec![7_i64; members.len()];
        let mut by_batch = BlockScorer::new(options.clone(), stats.clone()).unwrap();
        let mut by_rows = BlockScorer::new(options.clone(), stats.clone()).unwrap();
        let half = members.len() / 2;
        let mut links = Vec::new();
        for (h, m) in [
            (&hashes[..half], &members[..half]),
            (&hashes[half..], &members[half..]),
        ] {
            links.push(by_batch.push_batch(&rows(h, m)).unwrap());
            by_rows
                .push(BlockRows {
                    hashes: h.to_vec(),
                    ids: m.iter().map(|p| p.id).collect(),
                    blobs: m.iter().map(|p| p.blob.as_slice()).collect(),
                    terms: vec![Vec::new(); m.len()],
                    keys: h.iter().map(|h| vec![*h]).collect(),
                })
                .unwrap();
        }
        assert_eq!(
            links[0].num_rows(),
            0,
            "the run is carried over, not scored"
        );
        let last = by_batch.finish_batch().unwrap();
        by_rows.finish().unwrap();
        let expected = by_rows.take_links();
        let verdicts: Vec<i8> = column(&last, "verdict")
            .unwrap()
            .as_primitive::<Int8Type>()
            .values()
            .to_vec();
        assert_eq!(verdicts.len(), expected.len() + 1);
        assert_eq!(*verdicts.last().unwrap(), -1);
        assert_eq!(
            ints(&last, "left").last().copied(),
            Some(by_rows.comparisons() as i64)
        );
        let (left, right) = (ints(&last, "left"), ints(&last, "right"));
        for (i, l) in expected.iter().enumerate() {
            assert_eq!((left[i], right[i]), (l.left.0 as i64, l.right.0 as i64));
        }
        // Out of order keys are refused with the client named.
        let mut scorer = BlockScorer::new(options.clone(), stats.clone()).unwrap();
        scorer.push_batch(&rows(&[9, 9], &members[..2])).unwrap();
        let err = scorer.push_batch(&rows(&[3], &members[..1])).unwrap_err();
        assert!(err.to_string().contains("out of order"), "{err}");
        let no_blob = rows(&[1], &members[..1]).project(&[0, 1, 3, 4]).unwrap();
        let err = scorer.push_batch(&no_blob).unwrap_err();
        assert!(err.to_string().contains("\"blob\""), "{err}");

        // Components of the duplicate links, then the component clustered.
        let dup: Vec<usize> = (0..expected.len()).filter(|i| verdicts[*i] == 0).collect();
        let edges = batch(vec![
            (
                "left",
                Arc::new(Int64Array::from_iter_values(dup.iter().map(|i| left[*i]))),
            ),
            (
                "right",
                Arc::new(Int64Array::from_iter_values(dup.iter().map(|i| right[*i]))),
            ),
        ])
        .unwrap();
        let comps = components_batch(&edges).unwrap();
        let pairs: Vec<(i64, i64)> = dup.iter().map(|i| (left[*i], right[*i])).collect();
        let want = components(&pairs);
        assert_eq!(
            ints(&comps, "id"),
            want.iter().map(|c| c.0).collect::<Vec<_>>()
        );
        assert_eq!(
            ints(&comps, "component"),
            want.iter().map(|c| c.1).collect::<Vec<_>>()
        );

        // The cluster's links and members in one batch, clustered as the step does.
        let weights = column(&last, "weight")
            .unwrap()
            .as_primitive::<Float64Type>()
            .clone();
        let links: Vec<(i64, i64, f64)> = dup
            .iter()
            .map(|i| (left[*i], right[*i], weights.value(*i)))
            .collect();
        let (n, m) = (links.len(), members.len());
        let kind: Vec<i8> = [vec![0; n], vec![1; m]].concat();
        let blobs: Vec<Option<&[u8]>> = (0..n)
            .map(|_| None)
            .chain(members.iter().map(|p| Some(p.blob.as_slice())))
            .collect();
        let member_rows = rows(
            &vec![0; n + m],
            &[vec![members[0]; n], members.clone()].concat(),
        );
        let zeros = |v: Vec<i64>, before: bool| -> ArrayRef {
            let pad = vec![0; if before { n } else { m }];
            Arc::new(Int64Array::from(if before {
                [pad, v].concat()
            } else {
                [v, pad].concat()
            }))
        };
        let mut weight: Vec<f64> = links.iter().map(|l| l.2).collect();
        weight.resize(n + m, 0.0);
        let component = batch(vec![
            ("kind", Arc::new(arrow_array::Int8Array::from(kind))),
            ("left", zeros(links.iter().map(|l| l.0).collect(), false)),
            ("right", zeros(links.iter().map(|l| l.1).collect(), false)),
            ("weight", Arc::new(arrow_array::Float64Array::from(weight))),
            ("id", zeros(members.iter().map(|p| p.id).collect(), true)),
            ("blob", Arc::new(BinaryArray::from(blobs))),
            (
                "terms",
                member_rows.column_by_name("terms").unwrap().clone(),
            ),
        ])
        .unwrap();
        let clustered = cluster_batch(&component, &options, &stats, &Decisions::new()).unwrap();
        let (want, refused) = cluster_component(
            &options,
            &stats,
            &links,
            ComponentMembers {
                ids: members.iter().map(|p| p.id).collect(),
                blobs: members.iter().map(|p| p.blob.as_slice()).collect(),
                terms: vec![Vec::new(); m],
            },
            &Decisions::new(),
        )
        .unwrap();
        let kinds = column(&clustered, "kind")
            .unwrap()
            .as_primitive::<Int8Type>()
            .clone();
        let count = |k: i8| kinds.values().iter().filter(|v| **v == k).count();
        assert_eq!(
            count(0),
            want.iter().map(|c| c.members.len()).sum::<usize>()
        );
        assert_eq!(count(1), want.iter().map(|c| c.links.len()).sum::<usize>());
        assert_eq!(count(2), refused.len());
        assert!(count(0) >= 2, "the cluster's members are clustered again");
    }
}
