//! A commercial offer with ten product lines rendered again and again: by
//! clientbase (the template compiled once, the context built once, as a
//! mail merge runs) and by Jinja2 in Python on the same template text and
//! the same context (`benches/peers/render_peer.py`, its filters written with
//! `pytils` and the `petrovich` package), in the same run; both rates (by
//! the clock and per second of the thread's CPU time), their ratio and
//! whether the texts are the same are printed with the load average, for
//! several rounds of both sides one after the other (the machine's load
//! moves), then the median ratio. The whole `render` capability (compile,
//! build the context, render) is timed too.
//!
//! ```sh
//! CLIENTBASE_PEER_PYTHON=/tmp/venv-render/bin/python cargo bench -p clientbase-benches --bench render
//! CLIENTBASE_RENDERS=50000 CLIENTBASE_RENDER_ROUNDS=5 cargo bench -p clientbase-benches --bench render
//! # the compiled-once loop alone, for a profiler:
//! CLIENTBASE_PEER_PYTHON=none CLIENTBASE_RENDER_WHOLE=0 CLIENTBASE_RENDERS=2000 CLIENTBASE_RENDER_ROUNDS=1 \
//!     valgrind --tool=callgrind target/release/deps/render-<hash>
//! ```

use clientbase::render::{
    build_context, render, CompanyDetails, ContextSource, RenderContext, RenderParams, Template,
    TemplateOptions,
};
use clientbase::{
    Client, ClientBase, Currency, Deal, DealId, Discount, Money, Party, ProductLine, Quantity,
    Schema,
};
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::{best_of, load_average};

const TEMPLATE: &str = r#"{{ company.name }}, ИНН {{ company.inn }}, КПП {{ company.kpp }}
{{ company.address }}

Коммерческое предложение № {{ deal.id }} от {{ today | date_ru }}

{{ client.name }}
В лице {{ company.director | inflect("genitive") }} предлагаем:
{% for line in deal.lines %}
{{ line.n }}. {{ line.product }}: {{ line.quantity }} × {{ line.unit_price | money }} = {{ line.total | money }}
{%- endfor %}

Итого: {{ deal.lines_total | money }} ({{ deal.lines_total | amount_words }}),
в том числе НДС 20 %: {{ deal.lines_total | vat(20) | money }}.
{{ deal.lines | length }} {{ deal.lines | length | plural("позиция", "позиции", "позиций") }}.

{{ company.director_position }} ____________ {{ company.director | initials }}
"#;

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).expect("an amount")
}

fn company() -> CompanyDetails {
    CompanyDetails {
        name: Some("ООО «Ромашка»".into()),
        inn: Some("7707083893".into()),
        kpp: Some("770701001".into()),
        address: Some("125009, г. Москва, ул. Тверская, д. 1".into()),
        director: Some("Иванов Сергей Петрович".into()),
        director_position: Some("Генеральный директор".into()),
        ..Default::default()
    }
}

fn base() -> (ClientBase, DealId) {
    let mut base = ClientBase::new(Schema::new());
    let mut client = Client::company("ООО «Вектор»", Some("7736207543"));
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

struct Peer {
    version: String,
    per_s: f64,
    cpu_per_s: Option<f64>,
    text: String,
}

/// The CPU time this thread has run (Linux: `/proc/thread-self/schedstat`).
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// The best of `runs` timings of `f`: by the clock, and by the CPU time of
/// the thread (when it can be read), each the least of its own.
fn best_of_both(runs: usize, mut f: impl FnMut()) -> (Duration, Option<Duration>) {
    let mut wall = Duration::MAX;
    let mut cpu: Option<Duration> = None;
    for _ in 0..runs {
        let cpu_start = thread_cpu();
        let start = Instant::now();
        f();
        wall = wall.min(start.elapsed());
        if let (Some(a), Some(b)) = (cpu_start, thread_cpu()) {
            let took = b.saturating_sub(a);
            cpu = Some(cpu.map_or(took, |c| c.min(took)));
        }
    }
    (wall, cpu)
}

fn run_peer(python: &str, input: &Path, renders: usize) -> Option<Peer> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/render_peer.py");
    let out = Command::new(python)
        .arg(&script)
        .args([
            "--input",
            input.to_str()?,
            "--renders",
            &renders.to_string(),
        ])
        .output();
    let out = match out {
        Ok(out) => out,
        Err(err) => {
            println!("  Jinja2: could not start {python}: {err}");
            return None;
        }
    };
    if out.status.code() == Some(3) {
        println!(
            "  Jinja2: not installed in {python} (pip install jinja2 pytils petrovich); skipped"
        );
        return None;
    }
    if !out.status.success() {
        println!("  Jinja2: failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let line = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(line.trim()).expect("the peer's JSON line");
    Some(Peer {
        version: json["version"].as_str().unwrap_or("?").to_string(),
        per_s: json["renders_per_s"].as_f64().unwrap_or(0.0),
        cpu_per_s: json["cpu_renders_per_s"].as_f64(),
        text: json["text"].as_str().unwrap_or("").to_string(),
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn main() {
    let renders: usize = std::env::var("CLIENTBASE_RENDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let python = std::env::var("CLIENTBASE_PEER_PYTHON").unwrap_or_else(|_| "python3".into());
    let (base, deal) = base();
    let company = company();
    let today = "2026-11-22".parse().expect("a date");
    let source = ContextSource {
        deal: Some(deal),
        company: Some(&company),
        today: Some(today),
        ..Default::default()
    };
    let json = build_context(&base, &source).expect("the context");
    let context = RenderContext::new(json.clone());
    let template = Template::new(TEMPLATE, &TemplateOptions::default()).expect("the template");
    let ours_text = template.render(&context).expect("a rendering");

    let rounds: usize = std::env::var("CLIENTBASE_RENDER_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    println!(
        "commercial offer, 10 product lines, {renders} renders, {rounds} rounds (load average {})",
        load_average()
    );

    let params = RenderParams {
        template: TEMPLATE.into(),
        deal: Some(deal),
        company: company.clone(),
        today: Some(today),
        ..Default::default()
    };
    // `CLIENTBASE_RENDER_WHOLE=0` leaves the whole capability out (for
    // profiling the compiled-once loop alone).
    let whole: usize = std::env::var("CLIENTBASE_RENDER_WHOLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or((renders / 10).max(1));
    if whole > 0 {
        let took = best_of(3, || {
            for _ in 0..whole {
                black_box(render(&base, &params).expect("a rendering"));
            }
        });
        println!(
            "  clientbase render capability (all steps)   {:>12.0} renders/s",
            whole as f64 / took.as_secs_f64()
        );
    }

    let dir = std::env::temp_dir().join(format!("clientbase-render-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch dir");
    let input = dir.join("offer.json");
    let data = serde_json::json!({"template": TEMPLATE, "context": json});
    std::fs::write(&input, serde_json::to_string(&data).expect("JSON"))
        .expect("write the peer input");
    // Rounds of both sides one after the other, so that both meet the
    // same load; the ratio of each round and their median are printed.
    let (mut ratios, mut cpu_ratios) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let (wall, cpu) = best_of_both(3, || {
            for _ in 0..renders {
                black_box(template.render(black_box(&context)).expect("a rendering"));
            }
        });
        let ours = renders as f64 / wall.as_secs_f64();
        let ours_cpu = cpu.map(|c| renders as f64 / c.as_secs_f64());
        println!(
            "  round {round}: clientbase (compiled once, context once) {ours:>9.0} renders/s, {} per CPU second (load average {})",
            ours_cpu.map_or("?".into(), |c| format!("{c:.0}")),
            load_average()
        );
        let Some(peer) = run_peer(&python, &input, renders) else {
            continue;
        };
        let ratio = ours / peer.per_s;
        ratios.push(ratio);
        let cpu_ratio = ours_cpu.zip(peer.cpu_per_s).map(|(a, b)| a / b);
        cpu_ratios.extend(cpu_ratio);
        println!(
            "  round {round}: Jinja2 {} (compiled once)           {:>9.0} renders/s, {} per CPU second",
            peer.version,
            peer.per_s,
            peer.cpu_per_s.map_or("?".into(), |c| format!("{c:.0}"))
        );
        println!(
            "  round {round}: ratio clientbase / Jinja2 {ratio:.1}× by the clock, {} by CPU time; same text: {}",
            cpu_ratio.map_or("?".into(), |r| format!("{r:.1}×")),
            if peer.text == ours_text { "yes" } else { "NO" }
        );
        if peer.text != ours_text {
            println!("--- clientbase\n{ours_text}\n--- Jinja2\n{}", peer.text);
        }
    }
    if !ratios.is_empty() {
        println!(
            "  median ratio of {} rounds: {:.1}× by the clock, {:.1}× by CPU time",
            ratios.len(),
            median(ratios),
            median(cpu_ratios)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
