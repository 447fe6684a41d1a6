//! A rough timing of RFM and ABC on generated order lines (the benchmark
//! against polars is in `benches/`): `cargo run --release --example
//! value_speed -- LINES CLIENTS [CSV]`; with CSV, the lines are also
//! written there as a 1C export (for timing `clientbase rfm` and `abc`).

use clientbase::capability::Rows;
use clientbase::generator::{generate_orders, OrderConfig};
use clientbase::value::{abc, abc_of, rfm, rfm_of, AbcParams, OrderSource, Orders, RfmParams};
use std::time::Instant;

fn main() -> Result<(), clientbase::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize| args.get(i).map(|a| a.parse::<usize>().expect("a number"));
    let lines = number(0).unwrap_or(1_000_000);
    let clients = number(1).unwrap_or(lines / 10);
    let start = Instant::now();
    let table = generate_orders(&OrderConfig::new(clients, lines, 42))?;
    println!(
        "generated {lines} lines of {clients} clients in {:.2?}",
        start.elapsed()
    );
    let start = Instant::now();
    let orders = Orders::from_table(&table, &OrderSource::default())?;
    println!("read into columns in {:.2?}", start.elapsed());
    let start = Instant::now();
    let scored = rfm_of(&orders, &RfmParams::default())?;
    println!(
        "rfm of {} clients in {:.2?}",
        scored.rows(),
        start.elapsed()
    );
    let start = Instant::now();
    let classes = abc_of(&orders, &AbcParams::default())?;
    println!(
        "abc of {} clients in {:.2?}",
        classes.rows(),
        start.elapsed()
    );
    let start = Instant::now();
    let again = rfm(Rows::Table(&table), &RfmParams::default())?;
    println!(
        "rfm from the table (reading included) in {:.2?}",
        start.elapsed()
    );
    let start = Instant::now();
    abc(Rows::Table(&table), &AbcParams::default())?;
    println!(
        "abc from the table (reading included) in {:.2?}",
        start.elapsed()
    );
    drop(again);
    if let Some(path) = args.get(2) {
        let file = std::fs::File::create(path)?;
        clientbase::generator::write_orders_csv_1c(&table, file)?;
        println!("written to {path}");
    }
    Ok(())
}
