//! DOCX templates end to end: templates made in LibreOffice
//! (`tests/inputs/docx/*.fodt` converted to `.docx` by `make.sh`) and
//! hand-built ones with Word's quirks (tags split over runs, proofing marks,
//! bookmarks, revision marks, autocorrected quotes), filled from a
//! hand-built base; broken templates as errors naming the place and writing
//! nothing; the calls by name; proptests that arbitrary bytes and XML never
//! panic.
#![cfg(feature = "docx")]

use clientbase::capability::{call_read, Output};
use clientbase::render::{
    docx_check, docx_from_body, docx_from_paragraphs, docx_text, render_docx, render_docx_path,
    CompanyDetails, DocxParams, DocxTemplate, TemplateOptions,
};
use clientbase::{
    Client, ClientBase, ClientId, Currency, Deal, DealId, ErrorKind, Money, ProductLine, Quantity,
    Schema,
};
use proptest::prelude::*;
use serde_json::json;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

fn input(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/inputs/docx")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).unwrap()
}

fn company() -> CompanyDetails {
    CompanyDetails {
        name: Some("ООО «Ромашка»".into()),
        inn: Some("7707083893".into()),
        phone: Some("+7 495 000-00-00".into()),
        director: Some("Иванов Сергей Петрович".into()),
        director_position: Some("Генеральный директор".into()),
        ..Default::default()
    }
}

/// A company client whose name needs escaping, with an email and no city,
/// and a deal of three lines.
fn base() -> (ClientBase, ClientId, DealId) {
    let mut base = ClientBase::new(Schema::new());
    let client = Client::company("ООО «Рога & Копыта <Юг>»", Some("7736207543"))
        .with_email("info@roga.example");
    let id = base.add_client(client).unwrap();
    let deal = Deal::new(id, rub("0"))
        .with_line(ProductLine::new(
            "Стол \"Лофт\" & стул",
            Quantity::units(2),
            rub("8 450,50"),
        ))
        .with_line(ProductLine::new(
            "Кресло <эргономичное>",
            Quantity::units(1),
            rub("15 200,00"),
        ))
        .with_line(ProductLine::new(
            "Лампа настольная",
            Quantity::parse("3").unwrap(),
            rub("1 990,90"),
        ));
    let mut deal = deal;
    deal.amount = deal.lines_total().unwrap();
    let deal = base.add_deal(deal).unwrap();
    (base, id, deal)
}

fn params(deal: DealId) -> DocxParams {
    DocxParams {
        deal: Some(deal),
        company: company(),
        today: Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()),
        ..Default::default()
    }
}

fn part(docx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clientbase-docx-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn libreoffice_offer_is_filled() {
    let (base, _, deal) = base();
    let docx = render_docx(Some(&base), &input("offer.docx"), &params(deal)).unwrap();
    let text = docx_text(&docx).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!("Коммерческое предложение № {} от 7 декабря 2026 г.", deal.0)
    );
    // The name split over three runs by LibreOffice (a bold middle) is
    // whole, in the first run's formatting, and escaped.
    assert_eq!(lines[1], "Кому: ООО «Рога & Копыта <Юг>»");
    let xml = part(&docx, "word/document.xml");
    assert!(
        xml.contains("Кому: ООО «Рога &amp; Копыта &lt;Юг&gt;»</w:t>"),
        "{xml}"
    );
    // The email paragraph kept, the city one dropped with its tags.
    assert_eq!(lines[2], "Эл. почта: info@roga.example");
    assert!(!text.contains("Город"), "{text}");
    assert!(!text.contains("{%"), "{text}");
    // One table row per product line, between the head and the total.
    let table: Vec<&str> = lines[3..].iter().copied().take(5 * 5).collect();
    assert_eq!(&table[..5], ["№", "Товар", "Кол-во", "Цена", "Сумма"]);
    assert_eq!(
        &table[5..10],
        [
            "1",
            "Стол \"Лофт\" & стул",
            "2",
            "8\u{a0}450,50\u{a0}₽",
            "16\u{a0}901,00\u{a0}₽"
        ]
    );
    assert_eq!(&table[10..12], ["2", "Кресло <эргономичное>"]);
    assert_eq!(&table[15..17], ["3", "Лампа настольная"]);
    assert_eq!(table[20], "");
    assert_eq!(table[21], "Итого");
    assert_eq!(table[24], "38\u{a0}073,70\u{a0}₽");
    let total = lines.iter().find(|l| l.starts_with("Итого: ")).unwrap();
    assert_eq!(*total, "Итого: 38\u{a0}073,70\u{a0}₽ (Тридцать восемь тысяч семьдесят три рубля 70 копеек), в том числе НДС 20 %: 6\u{a0}345,62\u{a0}₽.");
    // «не указан» typed with autocorrected quotes inside the tag.
    assert!(text.contains("Телефон клиента: не указан"), "{text}");
    assert!(
        text.replace('\u{a0}', " ")
            .contains("Генеральный директор ____________ Иванов С. П."),
        "{text}"
    );
    // Header and footer.
    assert!(part(&docx, "word/header1.xml").contains("ООО «Ромашка», ИНН 7707083893"));
    assert!(part(&docx, "word/footer1.xml").contains("Телефон: +7 495 000-00-00"));
    // The parts without tags are copied byte for byte.
    assert_eq!(
        part(&docx, "word/styles.xml"),
        part(&input("offer.docx"), "word/styles.xml")
    );
}

#[test]
fn libreoffice_contract_is_filled() {
    let (base, _, deal) = base();
    let docx = render_docx(Some(&base), &input("contract.docx"), &params(deal)).unwrap();
    let text = docx_text(&docx).unwrap();
    assert!(text.contains(
        "ООО «Ромашка», в лице генерального директора Иванова Сергея Петровича, действующего на основании Устава, именуемое в дальнейшем «Поставщик», и ООО «Рога & Копыта <Юг>», именуемое в дальнейшем «Покупатель»"
    ), "{text}");
    assert!(text.contains("\n1.1. Стол \"Лофт\" & стул: 2 × 8\u{a0}450,50\u{a0}₽\n1.2. Кресло <эргономичное>: 1 × 15\u{a0}200,00\u{a0}₽\n1.3. Лампа"), "{text}");
    assert!(text.contains("в течение 5 рабочих дней"), "{text}");
    assert!(
        text.contains("Покупатель: ООО «Рога & Копыта <Юг>»\nИНН 7736207543"),
        "{text}"
    );
    assert!(part(&docx, "word/header1.xml").contains(&format!("Договор № {}", deal.0)));
}

/// Word's quirks inside one tag each: proofing marks, a rendered page
/// break, a bookmark, a deleted and an inserted revision, curly quotes.
#[test]
fn word_quirks_inside_tags() {
    let body = r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Клиент: {{ </w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:rPr><w:i/></w:rPr><w:lastRenderedPageBreak/><w:t>client</w:t></w:r><w:proofErr w:type="spellEnd"/><w:bookmarkStart w:id="0" w:name="_GoBack"/><w:r><w:t>.na</w:t></w:r><w:bookmarkEnd w:id="0"/><w:r><w:t>me }}.</w:t></w:r></w:p><w:p><w:r><w:t>{{ client.</w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:delText>emial</w:delText></w:r></w:del><w:ins w:id="2" w:author="A"><w:r><w:t>email</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> }} и {{ note or “нет” }} и {{ 'x' if true else ‘y’ }}</w:t></w:r></w:p>"#;
    let template = docx_from_body(body).unwrap();
    let (base, client, _) = base();
    let mut p = params(DealId(0));
    p.deal = None;
    p.client = Some(client);
    let docx = render_docx(Some(&base), &template, &p).unwrap();
    assert_eq!(
        docx_text(&docx).unwrap(),
        "Клиент: ООО «Рога & Копыта <Юг>».\ninfo@roga.example и нет и x\n"
    );
    let xml = part(&docx, "word/document.xml");
    // The first run's bold is kept; the marks inside the tags are gone.
    assert!(
        xml.contains("<w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">Клиент: ООО"),
        "{xml}"
    );
    for gone in [
        "proofErr",
        "lastRenderedPageBreak",
        "bookmarkStart",
        "w:del ",
        "w:ins ",
        "<w:i/>",
    ] {
        assert!(!xml.contains(gone), "{gone} in {xml}");
    }
}

#[test]
fn values_are_escaped_and_breaks_kept() {
    let template = docx_from_paragraphs(&["{{ v }}|{{ raw | safe }}"]).unwrap();
    let mut p = DocxParams::default();
    p.vars
        .insert("v".into(), json!("a & b < c \"d\"\nвторая\tстрока\u{1}"));
    // A `safe` value that breaks the XML is refused rather than written.
    p.vars.insert("raw".into(), json!("</w:r>"));
    let err = render_docx(None, &template, &p).unwrap_err();
    assert_eq!(err.record(), Some("word/document.xml"), "{err}");
    assert!(err.reason().contains("safe"), "{err}");
    p.vars.insert("raw".into(), json!("</w:t><w:tab/><w:t>"));
    let docx = render_docx(None, &template, &p).unwrap();
    assert_eq!(
        docx_text(&docx).unwrap(),
        "a & b < c \"d\"\nвторая\tстрока|\t\n"
    );
}

/// Blocks that drop every paragraph of a cell, or every row of a table,
/// leave a document Word opens: the cell keeps an empty paragraph, the table
/// goes.
#[test]
fn emptied_cells_and_tables_are_mended() {
    let body = r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{%p if x %}</w:t></w:r></w:p><w:p><w:r><w:t>скрыто</w:t></w:r></w:p><w:p><w:r><w:t>{%p endif %}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>видно</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:tbl><w:tr><w:tc><w:p><w:r><w:t>{%tr for l in lines %}</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>{{ l }}</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>{%tr endfor %}</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:t>конец</w:t></w:r></w:p>"#;
    let template = docx_from_body(body).unwrap();
    let mut p = DocxParams::default();
    p.vars.insert("x".into(), json!(false));
    p.vars.insert("lines".into(), json!([]));
    let docx = render_docx(None, &template, &p).unwrap();
    let xml = part(&docx, "word/document.xml");
    assert!(
        xml.contains("<w:tc><w:p/></w:tc><w:tc><w:p><w:r>"),
        "the emptied cell holds a paragraph: {xml}"
    );
    assert_eq!(xml.matches("<w:tbl>").count(), 1, "{xml}");
    assert_eq!(docx_text(&docx).unwrap(), "видно\nконец\n");
    // With values, nothing is mended away.
    p.vars.insert("x".into(), json!(true));
    p.vars.insert("lines".into(), json!(["a", "b"]));
    let docx = render_docx(None, &template, &p).unwrap();
    let xml = part(&docx, "word/document.xml");
    assert!(!xml.contains("<w:p/>"), "{xml}");
    assert_eq!(xml.matches("<w:tbl>").count(), 2, "{xml}");
    // Rows and paragraphs inside content controls count: nothing is mended.
    let wrapped = r#"<w:tbl><w:sdt><w:sdtContent><w:tr><w:tc><w:sdt><w:sdtContent><w:p><w:r><w:t>{{ lines | length }}</w:t></w:r></w:p></w:sdtContent></w:sdt></w:tc></w:tr></w:sdtContent></w:sdt></w:tbl>"#;
    let docx = render_docx(None, &docx_from_body(wrapped).unwrap(), &p).unwrap();
    let xml = part(&docx, "word/document.xml");
    assert!(!xml.contains("<w:p/>"), "{xml}");
    assert_eq!(xml.matches("<w:tbl>").count(), 1, "{xml}");
    assert_eq!(docx_text(&docx).unwrap(), "2\n");
}

fn assert_error(template: &[u8], record: &str, reason: &str) {
    let dir = scratch("err");
    let out = dir.join("out.docx");
    let p = DocxParams {
        out: Some(out.clone()),
        ..Default::default()
    };
    let err = render_docx(None, template, &p).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");
    assert_eq!(err.record(), Some(record), "{err}");
    assert!(err.reason().contains(reason), "{err}");
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no temporary file left"
    );
}

#[test]
fn broken_templates_name_the_place() {
    assert_error(
        &docx_from_paragraphs(&["ok", "Имя: {{ client.name"]).unwrap(),
        "word/document.xml, paragraph 2",
        "`{{ client.name` is not closed",
    );
    // A tag split across table cells.
    let cells = r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{{ deal.</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>amount }}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#;
    assert_error(
        &docx_from_body(cells).unwrap(),
        "word/document.xml, paragraph 1 (table 1, row 1, cell 1)",
        "not closed in its paragraph",
    );
    assert_error(
        &docx_from_paragraphs(&["{%p if x %}", "текст"]).unwrap(),
        "word/document.xml, paragraph 1",
        "`{%p if x %}`: is never closed (no `{% endif %}` follows)",
    );
    assert_error(
        &docx_from_paragraphs(&["{% for x in y %}", "{% endif %}"]).unwrap(),
        "word/document.xml, paragraph 2",
        "does not match `{% for x in y %}`",
    );
    assert_error(
        &docx_from_paragraphs(&["{%tr for x in y %}"]).unwrap(),
        "word/document.xml, paragraph 1",
        "not inside a table row",
    );
    assert_error(
        &docx_from_paragraphs(&["{%p if x %} {{ y }}", "{%p endif %}"]).unwrap(),
        "word/document.xml, paragraph 1",
        "`{{ y }}` is in a paragraph or table row that a block tag",
    );
    // Text beside a block tag would go with the paragraph or row it
    // replaces: refused, naming the text.
    assert_error(
        &docx_from_paragraphs(&["Итого: {%p if x %}", "{%p endif %}"]).unwrap(),
        "word/document.xml, paragraph 1",
        "the text `Итого:` is in the paragraph that `{%p if x %}` replaces",
    );
    let row = r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{%tr for l in lines %}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Цена</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>{{ l }}</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>{%tr endfor %}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#;
    assert_error(
        &docx_from_body(row).unwrap(),
        "word/document.xml, paragraph 1 (table 1, row 1, cell 1)",
        "the text `Цена` is in the table row that `{%tr for l in lines %}` replaces",
    );
    assert_error(
        &docx_from_paragraphs(&["a", "{{ 1 + }}"]).unwrap(),
        "word/document.xml, paragraph 2",
        "`{{ 1 + }}`: syntax error",
    );
    // A corrupt zip, a truncated one, a zip that is not a DOCX.
    assert_error(b"PK\x03\x04 not really", "template", "not a DOCX file");
    let good = input("offer.docx");
    assert_error(&good[..good.len() / 2], "template", "not a DOCX file");
    let mut other = zip::ZipWriter::new(Cursor::new(Vec::new()));
    other
        .start_file("a.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    other.write_all(b"hi").unwrap();
    let other = other.finish().unwrap().into_inner();
    assert_error(&other, "template", "no word/document.xml");
}

#[test]
fn missing_values_name_the_tag_and_variable() {
    let (base, _, deal) = base();
    let template = docx_from_paragraphs(&["x", "Город: {{ client.city }}"]).unwrap();
    let err = render_docx(Some(&base), &template, &params(deal)).unwrap_err();
    assert_eq!(
        err.record(),
        Some("word/document.xml, paragraph 2"),
        "{err}"
    );
    assert_eq!(err.field(), Some("client.city"));
    assert!(
        err.reason()
            .starts_with("`{{ client.city }}`: client.city is empty"),
        "{err}"
    );
    let mut lenient = params(deal);
    lenient.strict = false;
    let docx = render_docx(Some(&base), &template, &lenient).unwrap();
    assert_eq!(docx_text(&docx).unwrap(), "x\nГород: \n");
    // Without a base, a client or deal is refused.
    let err = render_docx(None, &template, &params(deal)).unwrap_err();
    assert_eq!(err.field(), Some("deal"));
}

#[test]
fn paths_and_calls_by_name() {
    let (base, _, deal) = base();
    let dir = scratch("paths");
    let template = dir.join("offer.docx");
    std::fs::write(&template, input("offer.docx")).unwrap();
    let out = dir.join("out.docx");
    let report = call_read(
        &base,
        "render_docx",
        json!({"template": template, "out": out, "deal": deal.0, "company": company(), "today": "2026-12-07"}),
    )
    .unwrap();
    let Output::Report(report) = report else {
        panic!()
    };
    assert_eq!(
        report["parts"],
        json!(["word/document.xml", "word/header1.xml", "word/footer1.xml"])
    );
    let written = std::fs::read(&out).unwrap();
    assert_eq!(report["bytes"], json!(written.len()));
    assert!(docx_text(&written)
        .unwrap()
        .contains("Кресло <эргономичное>"));
    // The same through the typed call on a path.
    let mut p = params(deal);
    p.template = Some(template.clone());
    assert_eq!(
        docx_text(&render_docx_path(Some(&base), &p).unwrap()).unwrap(),
        docx_text(&written).unwrap()
    );
    // The bytes call refuses a path too.
    assert_eq!(
        render_docx(Some(&base), &written, &p).unwrap_err().field(),
        Some("template")
    );

    let Output::Report(check) = call_read(
        &base,
        "render_docx_check",
        json!({"template": template, "deal": deal.0, "company": {"name": "ООО «Ромашка»"}}),
    )
    .unwrap() else {
        panic!()
    };
    let variables = check["variables"].as_array().unwrap();
    for v in [
        "client.name",
        "client.email",
        "deal.lines",
        "company.inn",
        "company.phone",
        "today",
    ] {
        assert!(variables.contains(&json!(v)), "{v} in {check}");
    }
    assert!(
        !variables
            .iter()
            .any(|v| v.as_str().unwrap().starts_with("line")),
        "{check}"
    );
    assert_eq!(
        check["missing"],
        json!([
            "client.city",
            "client.phone",
            "company.director",
            "company.director_position",
            "company.inn",
            "company.phone"
        ])
    );

    let err = call_read(&base, "render_docx", json!({"template": template})).unwrap_err();
    assert_eq!(err.field(), Some("out"));
    let err = call_read(&base, "render_docx", json!({"out": out, "tempalte": 1})).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    let err = call_read(
        &base,
        "render_docx",
        json!({"template": dir.join("none.docx"), "out": out}),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    // Limits given in part keep the DOCX defaults for the rest; a typo is named.
    let p: DocxParams =
        clientbase::capability::from_value("p", json!({"limits": {"fuel": 5000}})).unwrap();
    assert_eq!(
        (p.limits.fuel, p.limits.max_template_bytes),
        (5000, 16 << 20)
    );
    let err = call_read(
        &base,
        "render_docx_check",
        json!({"template": template, "limits": {"fule": 1}}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("fule"), "{err}");
    let check = docx_check(None, &input("contract.docx"), &DocxParams::default()).unwrap();
    assert!(check.variables.contains(&"days".to_string()), "{check:?}");
}

#[test]
fn one_template_many_threads() {
    let (base, _, deal) = base();
    let template = DocxTemplate::new(&input("offer.docx"), &params(deal).options()).unwrap();
    let context = params(deal).context(Some(&base)).unwrap();
    let first = template.render(&context).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(template.render(&context).unwrap(), first));
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), cut in 0usize..7000, flip in any::<u8>()) {
        let _ = render_docx(None, &bytes, &DocxParams::default());
        // A real template cut or with a byte changed: an error or a document.
        let mut good = input("offer.docx");
        let at = cut % good.len();
        good[at] ^= flip;
        match DocxTemplate::new(&good, &TemplateOptions { strict: false, ..Default::default() }) {
            Ok(t) => { let _ = t.render(&clientbase::render::RenderContext::new(json!({}))); }
            Err(e) => prop_assert!(!e.reason().is_empty()),
        }
        let _ = render_docx(None, &good[..at], &DocxParams::default());
    }

    #[test]
    fn arbitrary_xml_never_panics(body in "(<w:p>|</w:p>|<w:r>|</w:r>|<w:t>|</w:t>|<w:tbl>|<w:tr>|</w:tr>|<w:tc>|</w:tc>|<w:proofErr/>|<w:ins>|</w:ins>|\\{\\{|\\}\\}|\\{%p? ?|%\\}|if x|endif|for a in b|endfor| x |«|&amp;|&|<|[a-zа-я ]){0,40}") {
        let template = docx_from_body(&body).unwrap();
        let mut p = DocxParams { strict: false, ..Default::default() };
        p.vars.insert("x".into(), json!(true));
        p.vars.insert("b".into(), json!([1, 2]));
        match render_docx(None, &template, &p) {
            // Whatever is written reads back.
            Ok(docx) => { docx_text(&docx).unwrap(); }
            Err(e) => prop_assert!(e.record().is_some() || e.field().is_some(), "{e}"),
        }
    }
}
