//! What a base opened from its file costs in memory (issue 18, "Footprint"),
//! and which parts of it cost what.
//!
//! The base is the project's generator at `CB_BENCH_CLIENTS` clients (default
//! 100 000, seed 42), saved to a base file and opened again. Printed: the heap
//! the open leaves live, counted by the allocator below (the bytes asked for
//! and the bytes glibc's malloc hands out for them, a 16-byte rounded chunk of
//! at least 32 bytes with an 8-byte header), the number of allocations, the
//! resident memory the open adds, and per client and per deal line; then a
//! breakdown of those malloc bytes by part of the base (clients, their
//! contact points, deals, product lines, activities, the indexes), estimated
//! by walking the records (sizes of the types and of their heap buffers, a
//! shared name counted once), and what is left for the maps' nodes and the rest.

#[path = "common/mod.rs"]
mod common;

use clientbase::generator::{generate, GeneratorConfig};
use clientbase::{Activity, Client, ClientBase, Deal, FieldValue, Party, ProductLine, SharedStr};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts live heap bytes (asked for and as malloc chunks) and allocations.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static LIVE_CHUNKS: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

/// The bytes glibc's malloc takes for a request of `size` bytes on 64-bit
/// Linux: the request and an 8-byte header rounded up to 16, at least 32.
fn chunk(size: usize) -> usize {
    if size == 0 {
        0
    } else {
        ((size + 8 + 15) & !15).max(32)
    }
}

// SAFETY: every call forwards to the system allocator unchanged; the counters
// are only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
            LIVE_CHUNKS.fetch_add(chunk(layout.size()), Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        LIVE_CHUNKS.fetch_sub(chunk(layout.size()), Ordering::Relaxed);
        ALLOCATIONS.fetch_sub(1, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let out = unsafe { System.realloc(ptr, layout, new_size) };
        if !out.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE_CHUNKS.fetch_add(chunk(new_size), Ordering::Relaxed);
            LIVE_CHUNKS.fetch_sub(chunk(layout.size()), Ordering::Relaxed);
        }
        out
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Live heap now: (bytes asked for, malloc chunk bytes, allocations).
fn live() -> (usize, usize, usize) {
    (
        LIVE.load(Ordering::Relaxed),
        LIVE_CHUNKS.load(Ordering::Relaxed),
        ALLOCATIONS.load(Ordering::Relaxed),
    )
}

/// Malloc bytes and allocations of one part of the base.
#[derive(Default, Clone, Copy)]
struct Part {
    bytes: usize,
    allocations: usize,
}

impl Part {
    /// Counts a buffer of `size` bytes (nothing when empty).
    fn buffer(&mut self, size: usize) {
        if size > 0 {
            self.bytes += chunk(size);
            self.allocations += 1;
        }
    }

    fn string(&mut self, text: &String) {
        self.buffer(text.capacity());
    }

    fn text(&mut self, text: &Option<String>) {
        if let Some(text) = text {
            self.string(text);
        }
    }

    fn vec<T>(&mut self, items: &Vec<T>) {
        self.buffer(items.capacity() * size_of::<T>());
    }

    /// The nodes of a small B-tree of `len` entries of `entry` bytes each: one
    /// leaf (room for 11) up to 11 entries, else about one leaf per 8 entries
    /// (nodes half to full) and internal nodes above them.
    fn btree(&mut self, len: usize, entry: usize) {
        if len == 0 {
            return;
        }
        let leaf = 16 + 11 * entry;
        if len <= 11 {
            self.buffer(leaf);
        } else {
            let leaves = len.div_ceil(8);
            for _ in 0..leaves {
                self.buffer(leaf);
            }
            for _ in 0..leaves.div_ceil(8) {
                self.buffer(leaf + 12 * 8);
            }
        }
    }

    fn add(&mut self, other: Part) {
        self.bytes += other.bytes;
        self.allocations += other.allocations;
    }
}

/// Shared names counted once (by address).
#[derive(Default)]
struct Seen(HashSet<usize>);

#[derive(Default)]
struct Breakdown {
    clients_inline: Part,
    client_text: Part,
    contacts: Part,
    tags: Part,
    custom: Part,
    consents_relations: Part,
    deals_inline: Part,
    deal_text: Part,
    lines_inline: Part,
    line_names: Part,
    activities_inline: Part,
    activity_text: Part,
    indexes: Part,
}

impl Breakdown {
    fn client(&mut self, client: &Client) {
        // A record lives in its map's leaf beside its 8-byte key.
        self.clients_inline.bytes += 8 + size_of::<Client>();
        let text = &mut self.client_text;
        let person = match &client.party {
            Party::Person(person) => person,
            Party::Company(company) => {
                text.string(&company.legal_name);
                text.text(&company.tax_id);
                &company.person
            }
        };
        for part in [&person.surname, &person.given, &person.patronymic] {
            text.text(part);
        }
        for field in [
            &client.city,
            &client.region,
            &client.address,
            &client.postcode,
            &client.employer,
            &client.owner,
            &client.source,
            &client.behaviour,
        ] {
            text.text(field);
        }
        let contacts = &mut self.contacts;
        contacts.vec(&client.phones);
        for phone in &client.phones {
            contacts.string(&phone.raw);
            contacts.text(&phone.e164);
            contacts.text(&phone.extension);
            contacts.text(&phone.label);
        }
        contacts.vec(&client.emails);
        for email in &client.emails {
            contacts.string(&email.raw);
            contacts.text(&email.normalized);
            contacts.text(&email.label);
        }
        contacts.vec(&client.messengers);
        for messenger in &client.messengers {
            contacts.string(&messenger.id);
        }
        let other = &mut self.consents_relations;
        other.btree(client.consents.marketing.len(), 16);
        other.vec(&client.relations);
        let other = &mut self.tags;
        other.btree(client.tags.len(), size_of::<String>());
        for tag in &client.tags {
            other.string(tag);
        }
        let other = &mut self.custom;
        other.btree(
            client.custom.len(),
            size_of::<String>() + size_of::<FieldValue>(),
        );
        for (key, value) in &client.custom {
            other.string(key);
            match value {
                FieldValue::Text(text) | FieldValue::OneOf(text) => other.string(text),
                FieldValue::ManyOf(set) => {
                    other.btree(set.len(), size_of::<String>());
                    set.iter().for_each(|s| other.string(s));
                }
                _ => {}
            }
        }
    }

    fn deal(&mut self, deal: &Deal, seen: &mut Seen) {
        self.deals_inline.bytes += 8 + size_of::<Deal>();
        let text = &mut self.deal_text;
        text.text(&deal.title);
        name(text, seen, &deal.pipeline);
        name(text, seen, &deal.stage);
        if let Some(owner) = &deal.owner {
            name(text, seen, owner);
        }
        if let Some(source) = &deal.source {
            name(text, seen, source);
        }
        self.lines_inline.vec(&deal.lines);
        for line in &deal.lines {
            line_names(&mut self.line_names, seen, line);
        }
    }

    fn activity(&mut self, activity: &Activity) {
        self.activities_inline.bytes += 8 + size_of::<Activity>();
        let text = &mut self.activity_text;
        text.text(&activity.manager);
        text.text(&activity.outcome);
        text.text(&activity.text);
    }
}

/// A shared name (`SharedStr`): its 16-byte counts and its bytes, counted
/// once however many records hold it.
fn name(part: &mut Part, seen: &mut Seen, text: &SharedStr) {
    if !text.is_empty() && seen.0.insert(text.as_ptr() as usize) {
        part.buffer(16 + text.len());
    }
}

fn line_names(part: &mut Part, seen: &mut Seen, line: &ProductLine) {
    name(part, seen, &line.product);
    if let Some(category) = &line.category {
        name(part, seen, category);
    }
}

/// An index from a record to the sorted ids of others (`HashMap<Id,
/// IdSet<Id>>`): the table's slots and a vector of ids per key (its capacity
/// taken as the next power of two, at least 4).
fn index(part: &mut Part, sizes: impl Iterator<Item = usize>) {
    let mut keys = 0usize;
    for len in sizes.filter(|&n| n > 0) {
        keys += 1;
        part.buffer(len.max(4).next_power_of_two() * 8);
    }
    if keys > 0 {
        let buckets = (keys * 8 / 7).next_power_of_two();
        part.buffer(buckets * (8 + 24) + buckets + 16);
    }
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let clients: usize = std::env::var("CB_BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("cb-bench-footprint-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("base.cb");
    println!(
        "footprint bench: {clients} generated clients, load {}",
        common::load_average()
    );
    {
        let generated = generate(&GeneratorConfig::new(clients, 42)).unwrap();
        generated.base.backup(&file).unwrap();
    }

    let (bytes_before, chunks_before, allocations_before) = live();
    let resident_before = common::resident_mb();
    let start = std::time::Instant::now();
    let base = ClientBase::open(&file).unwrap();
    let open_time = start.elapsed().as_secs_f64();
    let (bytes_after, chunks_after, allocations_after) = live();
    let resident = common::resident_mb() - resident_before;
    let counts = base.counts();
    let asked = bytes_after - bytes_before;
    let chunks = chunks_after - chunks_before;
    let allocations = allocations_after - allocations_before;
    println!(
        "{} clients, {} deals ({} lines), {} activities; open {open_time:.2} s",
        counts.clients, counts.deals, counts.deal_lines, counts.activities
    );
    println!(
        "live heap after the open: {:.0} MB asked for, {:.0} MB in malloc chunks, {allocations} \
         allocations; resident memory added {resident:.0} MB",
        mb(asked),
        mb(chunks)
    );
    println!(
        "per client with its deals and activities: {:.0} bytes (malloc), {:.0} bytes resident, \
         {:.1} allocations; per deal line: {:.0} bytes (malloc), {:.0} resident",
        chunks as f64 / counts.clients as f64,
        resident * 1048576.0 / counts.clients as f64,
        allocations as f64 / counts.clients as f64,
        chunks as f64 / counts.deal_lines as f64,
        resident * 1048576.0 / counts.deal_lines as f64
    );

    let mut parts = Breakdown::default();
    let mut seen = Seen::default();
    for client in base.clients() {
        parts.client(client);
    }
    for deal in base.deals() {
        parts.deal(deal, &mut seen);
    }
    for activity in base.activities() {
        parts.activity(activity);
    }
    let mut deals_per_client: BTreeMap<u64, usize> = BTreeMap::new();
    let mut activities_per_client: BTreeMap<u64, usize> = BTreeMap::new();
    let mut activities_per_deal: BTreeMap<u64, usize> = BTreeMap::new();
    for deal in base.deals() {
        *deals_per_client.entry(deal.client.0).or_default() += 1;
    }
    for activity in base.activities() {
        *activities_per_client.entry(activity.client.0).or_default() += 1;
        if let Some(deal) = activity.deal {
            *activities_per_deal.entry(deal.0).or_default() += 1;
        }
    }
    index(&mut parts.indexes, deals_per_client.values().copied());
    index(&mut parts.indexes, activities_per_client.values().copied());
    index(&mut parts.indexes, activities_per_deal.values().copied());
    let relations: BTreeSet<u64> = base
        .clients()
        .flat_map(|c| c.relations.iter().map(|r| r.to.0))
        .collect();
    index(&mut parts.indexes, relations.iter().map(|_| 1));

    let rows = [
        (
            "clients, inline in the map (Client struct)",
            parts.clients_inline,
        ),
        (
            "clients' names, address, owner, source ...",
            parts.client_text,
        ),
        (
            "contact points (phones, emails, messengers)",
            parts.contacts,
        ),
        ("tags (a B-tree of Strings per client)", parts.tags),
        ("custom fields (a B-tree per client)", parts.custom),
        ("marketing consents, relations", parts.consents_relations),
        ("deals, inline in the map (Deal struct)", parts.deals_inline),
        (
            "deals' title, pipeline, stage, owner, source",
            parts.deal_text,
        ),
        ("product lines, inline (the lines' Vec)", parts.lines_inline),
        (
            "product lines' product and category names",
            parts.line_names,
        ),
        (
            "activities, inline in the map (Activity struct)",
            parts.activities_inline,
        ),
        ("activities' manager, outcome, text", parts.activity_text),
        (
            "indexes (deals and activities by client, ...)",
            parts.indexes,
        ),
    ];
    let mut total = Part::default();
    println!("| part | MB | bytes per client | allocations per client |");
    println!("|---|---:|---:|---:|");
    for (what, part) in rows {
        total.add(part);
        println!(
            "| {what} | {:.0} | {:.0} | {:.2} |",
            mb(part.bytes),
            part.bytes as f64 / counts.clients as f64,
            part.allocations as f64 / counts.clients as f64
        );
    }
    let rest = chunks as i64 - total.bytes as i64;
    println!(
        "| the rest (the maps' node headers and slack, the schema, ...) | {:.0} | {:.0} | |",
        rest as f64 / 1048576.0,
        rest as f64 / counts.clients as f64
    );
    println!(
        "| **all (counted by the allocator)** | {:.0} | {:.0} | {:.2} |",
        mb(chunks),
        chunks as f64 / counts.clients as f64,
        allocations as f64 / counts.clients as f64
    );
    println!(
        "sizes: Client {} B, Deal {} B, ProductLine {} B, Activity {} B, Phone {} B, Email {} B",
        size_of::<Client>(),
        size_of::<Deal>(),
        size_of::<ProductLine>(),
        size_of::<Activity>(),
        size_of::<clientbase::Phone>(),
        size_of::<clientbase::Email>()
    );
    std::mem::forget(base);
    let _ = std::fs::remove_dir_all(&dir);
}
