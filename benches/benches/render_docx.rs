//! A DOCX commercial offer with ten product lines (the LibreOffice-made
//! template `crates/clientbase/tests/inputs/docx/offer_ascii.docx`: header,
//! footer, split runs, a `{%tr for %}` table, `{%p if %}` paragraphs) filled
//! by clientbase and by docxtpl on the same template and the same context
//! (`benches/peers/docx_peer.py`), in the same run. Both do a user's whole
//! call each time: template bytes in, document bytes out. The rates, their
//! ratio, the load average and whether the two documents' texts are the
//! same are printed; clientbase's rate with the template compiled once (a
//! mail merge of documents) is printed too.
//!
//! ```sh
//! python3 -m venv /tmp/venv-docx && /tmp/venv-docx/bin/pip install docxtpl pytils petrovich
//! CLIENTBASE_PEER_PYTHON=/tmp/venv-docx/bin/python cargo bench -p clientbase-benches --bench render_docx
//! CLIENTBASE_DOCX_RENDERS=2000 cargo bench -p clientbase-benches --bench render_docx
//! ```

use clientbase::render::{docx_text, render_docx, CompanyDetails, DocxParams, DocxTemplate};
use clientbase::{
    Client, ClientBase, Currency, Deal, DealId, Discount, Money, Party, ProductLine, Quantity,
    Schema,
};
use std::hint::black_box;
use std::path::Path;
use std::process::Command;

mod common;
use common::{best_of, load_average};

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).expect("an amount")
}

fn company() -> CompanyDetails {
    CompanyDetails {
        name: Some("ООО «Ромашка»".into()),
        inn: Some("7707083893".into()),
        kpp: Some("770701001".into()),
        phone: Some("+7 495 000-00-00".into()),
        address: Some("125009, г. Москва, ул. Тверская, д. 1".into()),
        director: Some("Иванов Сергей Петрович".into()),
        director_position: Some("Генеральный директор".into()),
        ..Default::default()
    }
}

/// The render bench's client and deal of ten lines, with an email (the
/// template keeps that paragraph) and a name that needs escaping.
fn base() -> (ClientBase, DealId) {
    let mut base = ClientBase::new(Schema::new());
    let mut client = Client::company("ООО «Вектор & Сыновья»", Some("7736207543"))
        .with_email("info@vector.example");
    if let Party::Company(c) = &mut client.party {
        c.person.surname = Some("Петрова".into());
        c.person.given = Some("Анна".into());
    }
    let id = base.add_client(client).expect("a client");
    let products = [
        ("Стеллаж металлический", "3", "12 990,00"),
        ("Стол офисный", "5", "8 450,50"),
        ("Кресло эргономичное", "5", "15 200,00"),
        ("Шкаф для документов", "2", "21 000,00"),
        ("Тумба мобильная", "5", "4 300,00"),
        ("Лампа настольная", "10", "1 990,90"),
        ("Доска маркерная", "1", "6 750,00"),
        ("Перегородка", "4", "9 999,99"),
        ("Вешалка напольная", "2", "2 450,00"),
        ("Кабель-канал, м", "12,5", "120,40"),
    ];
    let mut deal = Deal::new(id, rub("0"));
    for (i, (name, qty, price)) in products.iter().enumerate() {
        let mut line =
            ProductLine::new(name, Quantity::parse(qty).expect("a quantity"), rub(price));
        if i == 2 {
            line.discount = Discount::PercentBp(1000);
        }
        deal = deal.with_line(line);
    }
    deal.amount = deal.lines_total().expect("a total");
    let deal = base.add_deal(deal).expect("a deal");
    (base, deal)
}

fn main() {
    let renders: usize = std::env::var("CLIENTBASE_DOCX_RENDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let python = std::env::var("CLIENTBASE_PEER_PYTHON").unwrap_or_else(|_| "python3".into());
    let template_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/clientbase/tests/inputs/docx/offer_ascii.docx");
    let template = std::fs::read(&template_path).expect("the template");
    let (base, deal) = base();
    let params = DocxParams {
        deal: Some(deal),
        company: company(),
        today: Some("2026-11-22".parse().expect("a date")),
        ..Default::default()
    };
    let ours = render_docx(Some(&base), &template, &params).expect("a document");

    println!(
        "DOCX commercial offer, 10 product lines, template {} bytes, document {} bytes (load average {})",
        template.len(),
        ours.len(),
        load_average()
    );
    let took = best_of(3, || {
        for _ in 0..renders {
            black_box(render_docx(Some(&base), black_box(&template), &params).expect("a document"));
        }
    });
    let ours_per_s = renders as f64 / took.as_secs_f64();
    println!("  clientbase render_docx (bytes in, bytes out)   {ours_per_s:>10.0} documents/s");

    let compiled = DocxTemplate::new(&template, &params.options()).expect("the template");
    let context = params.context(Some(&base)).expect("the context");
    let took = best_of(3, || {
        for _ in 0..renders {
            black_box(compiled.render(black_box(&context)).expect("a document"));
        }
    });
    println!(
        "  clientbase DocxTemplate (compiled once)        {:>10.0} documents/s",
        renders as f64 / took.as_secs_f64()
    );

    let dir = std::env::temp_dir().join(format!("clientbase-docx-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch dir");
    let context_path = dir.join("context.json");
    std::fs::write(
        &context_path,
        serde_json::to_string(context.json()).expect("JSON"),
    )
    .expect("write the context");
    let first = dir.join("docxtpl.docx");
    let peer_renders = (renders / 10).max(10);
    let out = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/docx_peer.py"))
        .arg("--template")
        .arg(&template_path)
        .arg("--context")
        .arg(&context_path)
        .args(["--renders", &peer_renders.to_string(), "--out"])
        .arg(&first)
        .output();
    match out {
        Err(err) => println!("  docxtpl: could not start {python}: {err}"),
        Ok(out) if out.status.code() == Some(3) => println!(
            "  docxtpl: not installed in {python} (pip install docxtpl pytils petrovich); skipped"
        ),
        Ok(out) if !out.status.success() => {
            println!(
                "  docxtpl: failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        }
        Ok(out) => {
            let line = String::from_utf8_lossy(&out.stdout);
            let json: serde_json::Value =
                serde_json::from_str(line.trim()).expect("the peer's JSON line");
            let per_s = json["renders_per_s"].as_f64().unwrap_or(0.0);
            println!(
                "  docxtpl {:<8} (bytes in, bytes out)         {per_s:>10.0} documents/s",
                json["version"].as_str().unwrap_or("?")
            );
            let theirs = std::fs::read(&first).expect("the peer's document");
            let (a, b) = (
                docx_text(&ours).expect("our text"),
                docx_text(&theirs).expect("docxtpl's text"),
            );
            println!(
                "  ratio clientbase / docxtpl: {:.1}×; same text: {}",
                ours_per_s / per_s,
                if a == b { "yes" } else { "NO" }
            );
            if a != b {
                println!("--- clientbase\n{a}\n--- docxtpl\n{b}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
