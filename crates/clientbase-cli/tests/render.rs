//! `clientbase render`, run as a user would: a template and a company file
//! filled from a client and a deal of a base written by hand.

use clientbase::{Client, ClientBase, Currency, Deal, Money, ProductLine, Quantity, Schema};
use std::path::Path;

mod common;
use common::{clientbase, scratch};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn write_base(dir: &Path) -> String {
    let mut base = ClientBase::new(Schema::new());
    let olga = base
        .add_client(Client::person("Смирнова", "Ольга", Some("Игоревна")))
        .unwrap();
    let price = Money::parse("2 495,00", Currency::RUB).unwrap();
    base.add_deal(
        Deal::new(olga, Money::parse("4 990", Currency::RUB).unwrap()).with_line(ProductLine::new(
            "Корм для кошек",
            Quantity::units(2),
            price,
        )),
    )
    .unwrap();
    write(dir, "base.json", &base.to_json().unwrap())
}

#[test]
fn render_fills_a_template_from_a_client_and_a_deal() {
    let dir = scratch("render");
    let base = write_base(&dir);
    let template = write(
        &dir,
        "letter.txt",
        "{{ company.name }}, {{ today | date_ru }}\nУважаемая {{ client.given }} {{ client.patronymic }}!\n\
         {% for l in deal.lines %}{{ l.product }}: {{ l.quantity }} × {{ l.unit_price | money }}\n{% endfor %}\
         Итого {{ deal.amount | amount_words }}.\nДля {{ client.person | inflect('genitive') }}\n",
    );
    let company = write(
        &dir,
        "company.json",
        r#"{"name": "ООО «Ромашка»", "inn": "7707083893"}"#,
    );
    let out = dir.join("letter.out.txt");
    let run = clientbase(&[
        "render",
        "--base",
        &base,
        "--deal",
        "1",
        "--template",
        &template,
        "--company",
        &company,
        "--today",
        "2026-11-22",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "ООО «Ромашка», 22 ноября 2026 г.\nУважаемая Ольга Игоревна!\nКорм для кошек: 2 × 2\u{a0}495,00\u{a0}₽\n\
         Итого Четыре тысячи девятьсот девяносто рублей 00 копеек.\nДля Смирновой Ольги Игоревны\n"
    );

    // To standard output, by client.
    let run = clientbase(&[
        "render",
        "--base",
        &base,
        "--client",
        "1",
        "--template",
        &template,
        "--today",
        "2026-11-22",
        "--lenient",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = String::from_utf8(run.stdout).unwrap();
    assert!(
        text.starts_with(", 22 ноября 2026 г.\nУважаемая Ольга Игоревна!\nИтого"),
        "{text}"
    );
}

#[test]
fn render_names_a_missing_value_and_its_line() {
    let dir = scratch("render-missing");
    let base = write_base(&dir);
    let template = write(&dir, "t.txt", "Здравствуйте!\n{{ client.city }}\n");
    let run = clientbase(&[
        "render",
        "--base",
        &base,
        "--client",
        "1",
        "--template",
        &template,
    ]);
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("template line 2, field \"client.city\""),
        "{err}"
    );

    let company = write(&dir, "company.json", r#"{"nmae": "x"}"#);
    let run = clientbase(&[
        "render",
        "--base",
        &base,
        "--client",
        "1",
        "--template",
        &template,
        "--company",
        &company,
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("nmae"));
}

fn docx_template(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../clientbase/tests/inputs/docx")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn render_fills_a_docx_and_converts_it_to_pdf() {
    let dir = scratch("render-docx");
    let base = write_base(&dir);
    let company = write(
        &dir,
        "company.json",
        r#"{"name": "ООО «Ромашка»", "inn": "7707083893", "phone": "+7 495 000-00-00",
            "director": "Иванов Сергей Петрович", "director_position": "Генеральный директор"}"#,
    );
    let out = dir.join("offer.docx");
    let args = |template: &str, out: &Path, extra: &[&'static str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "render",
            "--base",
            &base,
            "--deal",
            "1",
            "--company",
            &company,
            "--lenient",
            "--template",
            template,
            "--out",
            out.to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let run_args = args(&docx_template("offer.docx"), &out, &[]);
    let run = clientbase(&run_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = clientbase::render::docx_text(&std::fs::read(&out).unwrap()).unwrap();
    assert!(text.contains("Кому: Смирнова Ольга Игоревна"), "{text}");
    assert!(text.contains("Корм для кошек"), "{text}");
    assert!(
        text.contains("Четыре тысячи девятьсот девяносто рублей 00 копеек"),
        "{text}"
    );

    let pdf = dir.join("offer.pdf");
    let run_args = args(&docx_template("contract.docx"), &pdf, &["--pdf"]);
    let run = clientbase(&run_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));

    // A broken template: the place named, nothing written.
    let never = dir.join("never.docx");
    let run_args = args(&docx_template("broken.docx"), &never, &[]);
    let run = clientbase(&run_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("word/document.xml, paragraph 2 (table 1, row 1, cell 1)"),
        "{err}"
    );
    assert!(!never.exists());
    // A DOCX needs --out; --pdf needs a DOCX.
    let run = clientbase(&[
        "render",
        "--base",
        &base,
        "--deal",
        "1",
        "--template",
        &docx_template("offer.docx"),
    ]);
    assert_eq!(run.status.code(), Some(2));
    let text_template = write(&dir, "t.txt", "{{ client.name }}");
    let run_args = args(&text_template, &dir.join("t.pdf"), &["--pdf"]);
    let run = clientbase(&run_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.status.code(), Some(2));
}
