//! A filled commercial offer converted to PDF by LibreOffice (headless, the
//! distribution's package) and read back with `pdftotext`: the client's
//! name, the product lines and the amount in words are in it. The test
//! command installs both (`scripts/install-deb.sh libreoffice-writer-nogui
//! poppler-utils` in the Makefile's `test-rust`); without them this test
//! fails, it never skips.
#![cfg(feature = "docx")]

use clientbase::render::{docx_to_pdf, render_docx, CompanyDetails, DocxParams, PdfParams};
use clientbase::{Client, ClientBase, Currency, Deal, Money, ProductLine, Quantity, Schema};
use std::path::Path;
use std::process::Command;

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).unwrap()
}

#[test]
fn offer_converts_to_pdf_with_its_text() {
    let mut base = ClientBase::new(Schema::new());
    let client = base
        .add_client(Client::company("ООО «Рога & Копыта»", Some("7736207543")))
        .unwrap();
    let mut deal = Deal::new(client, rub("0"))
        .with_line(ProductLine::new(
            "Стеллаж",
            Quantity::units(3),
            rub("12 990,00"),
        ))
        .with_line(ProductLine::new(
            "Лампа",
            Quantity::units(10),
            rub("1 990,90"),
        ));
    deal.amount = deal.lines_total().unwrap();
    let deal = base.add_deal(deal).unwrap();
    let template =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/docx/offer.docx"))
            .unwrap();
    let params = DocxParams {
        deal: Some(deal),
        company: CompanyDetails {
            name: Some("ООО «Ромашка»".into()),
            inn: Some("7707083893".into()),
            phone: Some("+7 495 000-00-00".into()),
            director: Some("Иванов Сергей Петрович".into()),
            director_position: Some("Генеральный директор".into()),
            ..Default::default()
        },
        strict: false,
        ..Default::default()
    };
    let docx = render_docx(Some(&base), &template, &params).unwrap();

    let dir = std::env::temp_dir().join(format!("clientbase-pdf-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("offer.pdf");
    let pdf = docx_to_pdf(
        &docx,
        &PdfParams {
            out: Some(out.clone()),
            ..Default::default()
        },
    )
    .expect("LibreOffice converts the offer (the test command installs it)");
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(std::fs::read(&out).unwrap(), pdf);

    let text = Command::new("pdftotext")
        .arg(&out)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils, installed by the test command)");
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout).replace('\u{a0}', " ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for wanted in [
        "Кому: ООО «Рога & Копыта»",
        // The product lines, a table row each (a cell's text may wrap).
        "1 Стеллаж 3 12 990,00 ₽ 38 970,00 ₽",
        "2 Лампа 10 1 990,90 ₽ 19 909,00 ₽",
        "Пятьдесят восемь тысяч восемьсот семьдесят девять рублей 00 копеек",
        "ООО «Ромашка», ИНН 7707083893",
    ] {
        assert!(
            text.contains(wanted),
            "{wanted:?} not in the PDF text: {text}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();

    // Without LibreOffice: a clear error (the only test of this file, so
    // changing the environment touches no other).
    std::env::set_var("CLIENTBASE_SOFFICE", dir.join("no-soffice"));
    let err = docx_to_pdf(&docx, &PdfParams::default()).unwrap_err();
    assert_eq!(err.kind(), clientbase::ErrorKind::Io);
    assert!(err.reason().contains("cannot start LibreOffice"), "{err}");
    std::env::remove_var("CLIENTBASE_SOFFICE");
}
