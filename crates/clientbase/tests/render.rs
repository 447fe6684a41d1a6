//! Templates end to end: fixture templates rendered against a hand-built
//! base and compared with the expected texts in `tests/fixtures/render/`
//! (`BLESS=1` rewrites them), strict-mode errors with their lines, limits,
//! escaping, the check, mail merge over a generated base, and a proptest
//! that arbitrary template text and params never panic.
#![cfg(feature = "render")]

use clientbase::capability::{call, call_read, Output};
use clientbase::render::{
    mail_merge, render, render_check, CompanyDetails, Limits, ManagerDetails, MergeChannel,
    MergeParams, RenderParams,
};
use clientbase::{
    Client, ClientBase, ClientId, Currency, Deal, DealId, Discount, Money, ProductLine, Quantity,
    Schema,
};
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).unwrap()
}

fn company() -> CompanyDetails {
    CompanyDetails {
        name: Some("ООО «Ромашка»".into()),
        full_name: Some("Общество с ограниченной ответственностью «Ромашка»".into()),
        inn: Some("7707083893".into()),
        kpp: Some("770701001".into()),
        address: Some("125009, г. Москва, ул. Тверская, д. 1".into()),
        director: Some("Иванов Сергей Петрович".into()),
        director_position: Some("Генеральный директор".into()),
        ..Default::default()
    }
}

fn managers() -> BTreeMap<String, ManagerDetails> {
    let mut m = BTreeMap::new();
    m.insert(
        "kuznetsova".to_string(),
        ManagerDetails {
            name: Some("Кузнецова Мария Андреевна".into()),
            position: Some("Менеджер по продажам".into()),
            phone: Some("+7 495 123-45-67".into()),
            email: None,
        },
    );
    m
}

/// A company client with a contact person and a deal of ten lines.
fn base() -> (ClientBase, ClientId, DealId) {
    let mut base = ClientBase::new(Schema::new());
    let mut client = Client::company("ООО «Вектор»", Some("7736207543"));
    if let clientbase::Party::Company(c) = &mut client.party {
        c.person.surname = Some("Петрова".into());
        c.person.given = Some("Анна".into());
        c.person.patronymic = Some("Викторовна".into());
    }
    client.owner = Some("kuznetsova".into());
    let id = base.add_client(client).unwrap();
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
        let mut line = ProductLine::new(name, Quantity::parse(qty).unwrap(), rub(price));
        if i == 2 {
            line.discount = Discount::PercentBp(1000);
        }
        deal = deal.with_line(line);
    }
    deal.amount = deal.lines_total().unwrap();
    let deal = base.add_deal(deal).unwrap();
    (base, id, deal)
}

fn fixture(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/render")
        .join(name);
    if std::env::var_os("BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{path:?} is missing: run with BLESS=1"));
    assert_eq!(actual, expected, "{name} differs from the fixture");
}

fn input(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/inputs/render")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn params(template: &str, deal: DealId) -> RenderParams {
    RenderParams {
        template: template.into(),
        deal: Some(deal),
        company: company(),
        managers: managers(),
        today: Some("2026-11-22".parse().unwrap()),
        ..Default::default()
    }
}

#[test]
fn commercial_offer_with_ten_lines() {
    let (base, _, deal) = base();
    let text = render(&base, &params(&input("offer.j2"), deal))
        .unwrap()
        .text;
    fixture("offer.txt", &text);
    // What the fixture must hold, independently of it.
    assert!(text.contains("от 22 ноября 2026 г."), "{text}");
    assert!(text.contains("Вниманию Петровой Анны Викторовны"), "{text}");
    assert!(text.contains("3. Кресло эргономичное: 5 × 15\u{a0}200,00\u{a0}₽, скидка 10 % = 68\u{a0}400,00\u{a0}₽"), "{text}");
    assert!(
        text.contains("10. Кабель-канал, м: 12,5 × 120,40\u{a0}₽ = 1\u{a0}505,00\u{a0}₽"),
        "{text}"
    );
    assert!(text.contains("10 позиций."), "{text}");
    assert!(
        text.contains("Кузнецова\u{a0}М.\u{a0}А., +7 495 123-45-67"),
        "{text}"
    );
}

#[test]
fn contract_preamble_names_the_director_in_the_genitive() {
    let (base, _, deal) = base();
    let text = render(&base, &params(&input("preamble.j2"), deal))
        .unwrap()
        .text;
    fixture("preamble.txt", &text);
    assert!(
        text.contains("в лице генерального директора Иванова Сергея Петровича, действующего"),
        "{text}"
    );
    assert!(
        text.contains("в лице Петровой Анны Викторовны, с другой"),
        "{text}"
    );
    assert!(text.contains("/ С.\u{a0}П.\u{a0}Иванов /"), "{text}");
}

#[test]
fn strict_mode_names_the_variable_and_the_line() {
    let (base, client, deal) = base();
    let err = render(
        &base,
        &params("Здравствуйте!\n\n{{ client.city }} {{ client.name }}", deal),
    )
    .unwrap_err();
    assert_eq!(err.record(), Some("template line 3"), "{err}");
    assert_eq!(err.field(), Some("client.city"), "{err}");
    assert!(err.reason().contains("empty"), "{err}");

    let err = render(
        &base,
        &params(
            "{% if true %}\n  {{ client.nmae | upper }}\n{% endif %}",
            deal,
        ),
    )
    .unwrap_err();
    assert_eq!(
        (err.record(), err.field()),
        (Some("template line 2"), Some("client.nmae")),
        "{err}"
    );
    assert!(err.reason().contains("missing"), "{err}");

    // A filter passes a missing value on: the variable is still named.
    let err = render(&base, &params("\n\n{{ client.birthday | date_ru }}", deal)).unwrap_err();
    assert_eq!(
        (err.record(), err.field()),
        (Some("template line 3"), Some("client.birthday")),
        "{err}"
    );

    let err = render(&base, &params("{{ vars_typo }}", deal)).unwrap_err();
    assert_eq!(err.field(), Some("vars_typo"), "{err}");

    // Guarded values and defaults do not trip strict mode.
    let text = render(&base, &params("{% if client.city %}{{ client.city }}{% else %}—{% endif %} {{ client.email or 'нет почты' }} {{ client.fax | default('без факса') }}", deal)).unwrap().text;
    assert_eq!(text, "— нет почты без факса");

    // Lenient mode prints nothing for them.
    let lenient = RenderParams {
        strict: false,
        client: Some(client),
        ..params("[{{ client.city }}][{{ nope }}]", deal)
    };
    assert_eq!(render(&base, &lenient).unwrap().text, "[][]");

    let err = render(&base, &params("line 1\n{% for x in %}", deal)).unwrap_err();
    assert_eq!(
        (err.record(), err.field()),
        (Some("template line 2"), Some("template")),
        "{err}"
    );
    assert!(err.reason().contains("syntax error"), "{err}");
}

#[test]
fn limits_stop_untrusted_templates() {
    let (base, _, deal) = base();
    let limited = |template: &str, limits: Limits| RenderParams {
        limits,
        ..params(template, deal)
    };

    let err = render(
        &base,
        &limited(
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            Limits::default(),
        ),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("limits.fuel"), "{err}");
    assert_eq!(err.record(), Some("template line 1"), "{err}");

    let small = Limits {
        max_output_bytes: 1000,
        ..Limits::default()
    };
    let err = render(
        &base,
        &limited("{% for i in range(10000) %}xxxxxxxxxx{% endfor %}", small),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("limits.max_output_bytes"), "{err}");
    let err = render(&base, &limited("{{ 'x' * 5000 }}", small)).unwrap_err();
    assert_eq!(err.field(), Some("limits.max_output_bytes"), "{err}");

    let err = render(
        &base,
        &limited(
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
            Limits::default(),
        ),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("limits.max_depth"), "{err}");

    let err = render(
        &base,
        &limited("{% include 'template' %}", Limits::default()),
    )
    .unwrap_err();
    assert!(
        err.field()
            .is_some_and(|f| f.starts_with("limits") || f == "template"),
        "{err}"
    );
    let err = render(
        &base,
        &limited("{% include '/etc/passwd' %}", Limits::default()),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("template"), "{err}");

    let err = render(
        &base,
        &limited(
            "{{ 1 }}",
            Limits {
                fuel: 0,
                ..Limits::default()
            },
        ),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("limits.fuel"), "{err}");
    let big = "x".repeat(300 << 10);
    let err = render(&base, &limited(&big, Limits::default())).unwrap_err();
    assert_eq!(err.field(), Some("limits.max_template_bytes"), "{err}");
}

#[test]
fn escaping_is_off_for_texts_and_html_on_request() {
    let (base, _, deal) = base();
    let vars: serde_json::Map<String, serde_json::Value> =
        json!({"note": "<b>&\"'"}).as_object().unwrap().clone();
    let plain = RenderParams {
        vars: vars.clone(),
        ..params("{{ note }} {{ client.name }}", deal)
    };
    assert_eq!(render(&base, &plain).unwrap().text, "<b>&\"' ООО «Вектор»");
    let html = RenderParams {
        vars,
        escape: clientbase::render::Escape::Html,
        ..params("{{ note }}", deal)
    };
    assert_eq!(
        render(&base, &html).unwrap().text,
        "&lt;b&gt;&amp;&quot;&#x27;"
    );
}

#[test]
fn check_lists_variables_and_what_the_context_lacks() {
    let (base, client, deal) = base();
    let template = "{{ client.name }} {{ client.city }} {{ deal.amount | money }} {{ company.bik }} {% for l in deal.lines %}{{ l.product }}{% endfor %}";
    let report = render_check(&base, &params(template, deal)).unwrap();
    assert_eq!(
        report.variables,
        [
            "client.city",
            "client.name",
            "company.bik",
            "deal.amount",
            "deal.lines"
        ]
    );
    assert_eq!(report.missing, ["client.city", "company.bik"]);
    let no_deal = RenderParams {
        client: Some(client),
        deal: None,
        ..params(template, deal)
    };
    let report = render_check(&base, &no_deal).unwrap();
    assert_eq!(
        report.missing,
        ["client.city", "company.bik", "deal.amount", "deal.lines"]
    );
}

#[test]
fn a_deal_of_another_client_or_an_unknown_id_is_an_error() {
    let (mut base, _, deal) = base();
    let other = base
        .add_client(Client::person("Смирнов", "Игорь", None))
        .unwrap();
    let err = render(
        &base,
        &RenderParams {
            client: Some(other),
            ..params("{{ deal.id }}", deal)
        },
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("deal"), "{err}");
    let err = render(&base, &params("{{ deal.id }}", DealId(999))).unwrap_err();
    assert_eq!(err.kind(), clientbase::ErrorKind::UnknownId, "{err}");
    let err = render(
        &base,
        &RenderParams {
            vars: json!({"client": 1}).as_object().unwrap().clone(),
            ..params("x", deal)
        },
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("vars.client"), "{err}");
}

#[test]
fn mail_merge_over_a_generated_base_reports_each_client() {
    let generated =
        clientbase::generator::generate(&clientbase::generator::GeneratorConfig::new(300, 7))
            .unwrap();
    let base = generated.base;
    let template = "{{ client.given }}, здравствуйте! Скидка 10 % до {{ today | date_ru }}. {{ company.name }}";
    let merge = MergeParams {
        template: template.into(),
        company: company(),
        today: Some("2026-11-22".parse().unwrap()),
        ..Default::default()
    };
    let table = mail_merge(&base, &merge).unwrap();
    assert_eq!(table.rows(), base.counts().clients);
    let json: serde_json::Value = serde_json::from_str(&table.to_json().unwrap()).unwrap();
    let col = |name: &str| {
        json["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()["values"]
            .clone()
    };
    let (texts, errors, parts, encodings) =
        (col("text"), col("error"), col("parts"), col("encoding"));
    let mut sent = 0;
    for i in 0..table.rows() {
        match (&texts[i], &errors[i]) {
            (serde_json::Value::String(text), serde_json::Value::Null) => {
                sent += 1;
                assert!(text.ends_with("ООО «Ромашка»"), "{text}");
                assert_eq!(encodings[i], "UCS-2");
                let n = text.encode_utf16().count();
                let expected = if n <= 70 { 1 } else { n.div_ceil(67) };
                assert_eq!(parts[i], expected, "{text}");
            }
            (serde_json::Value::Null, serde_json::Value::String(error)) => {
                // Companies have no given name, some clients no phone: their rows say so.
                assert!(
                    error.contains("client.given") || error.contains("no phone"),
                    "{error}"
                );
            }
            other => panic!("row {i}: {other:?}"),
        }
    }
    assert!(sent > 100, "only {sent} texts");

    let some = MergeParams {
        clients: Some(vec![ClientId(1), ClientId(2)]),
        channel: MergeChannel::Text,
        ..merge.clone()
    };
    assert_eq!(mail_merge(&base, &some).unwrap().rows(), 2);
    let segment = MergeParams {
        segment: Some(json!("kind = company")),
        channel: MergeChannel::Text,
        template: "{{ client.legal_name }}".into(),
        ..merge
    };
    let table = mail_merge(&base, &segment).unwrap();
    assert!(table.rows() > 0 && table.rows() < base.counts().clients);
}

#[test]
fn the_capabilities_by_name() {
    let (base, _, deal) = base();
    let Output::Report(r) = call_read(
        &base,
        "render",
        json!({"template": "{{ deal.amount | amount_words('none') }}", "deal": deal.0}),
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(
        r["text"],
        "Двести восемьдесят шесть тысяч сто восемьдесят шесть рублей"
    );
    let Output::Report(r) = call("sms_parts", json!({"text": "€".repeat(81)})).unwrap() else {
        panic!()
    };
    assert_eq!(
        (
            r["encoding"].as_str(),
            r["parts"].as_u64(),
            r["units"].as_u64()
        ),
        (Some("GSM-7"), Some(2), Some(162))
    );
    let err = call("render_text", json!({"template": "x", "strct": false})).unwrap_err();
    assert_eq!(err.field(), Some("strct"));
    let err = call(
        "render_text",
        json!({"template": "x", "limits": {"fule": 1}}),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("fule"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_templates_never_panic(template in "\\PC{0,200}", strict in any::<bool>()) {
        let (base, _, deal) = base();
        let _ = render(&base, &RenderParams { strict, ..params(&template, deal) });
        let _ = render_check(&base, &params(&template, deal));
    }

    #[test]
    fn jinja_shaped_templates_never_panic(parts in proptest::collection::vec(prop_oneof![
        Just("{{ ".to_string()), Just(" }}".to_string()), Just("{% for x in deal.lines %}".to_string()),
        Just("{% endfor %}".to_string()), Just("{% if ".to_string()), Just(" %}".to_string()),
        Just("| money".to_string()), Just("| amount_words".to_string()), Just("| inflect('dat')".to_string()),
        Just("| initials".to_string()), Just("| date_ru".to_string()), Just("| vat(".to_string()), Just("| plural(".to_string()),
        Just("client.person".to_string()), Just("deal.amount".to_string()), Just("x.total".to_string()), Just("today".to_string()),
        Just("'abc'".to_string()), Just("-1.5".to_string()), Just("9999999999999999999999".to_string()), Just(")".to_string()),
        "[a-zа-я0-9 .,]{0,8}",
    ], 0..24)) {
        let (base, _, deal) = base();
        let template = parts.concat();
        let _ = render(&base, &params(&template, deal));
    }

    #[test]
    fn arbitrary_params_never_panic(json in "\\PC{0,300}", template in prop_oneof![Just("{{ client.name }}"), Just("{{ x | money }}")]) {
        let (base, _, _) = base();
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&json) {
            for name in ["render", "render_check", "mail_merge", "render_text", "sms_parts"] {
                let _ = call_read(&base, name, value.clone());
                let mut with_template = value.clone();
                if let Some(map) = with_template.as_object_mut() {
                    map.insert("template".into(), json!(template));
                }
                let _ = call_read(&base, name, with_template);
            }
        }
    }

    #[test]
    fn amounts_round_trip_through_money(minor in any::<i64>()) {
        let m = Money::from_minor(minor, Currency::RUB);
        let Output::Report(r) = call("render_text", json!({"template": "{{ a | money('') }}|{{ a | amount_words }}", "vars": {"a": {"amount": m.amount_string(), "currency": "RUB"}}})).unwrap() else { panic!() };
        let text = r["text"].as_str().unwrap().to_string();
        let (formatted, words) = text.split_once('|').unwrap();
        prop_assert_eq!(Money::parse(formatted, Currency::RUB).unwrap(), m);
        prop_assert!(words.ends_with("копеек") || words.ends_with("копейка") || words.ends_with("копейки"), "{}", words);
    }
}

#[test]
fn a_template_rendered_again_keeps_the_options_of_each_call() {
    // `render` keeps compiled templates by their text: the same text with
    // other options must still run with those options.
    let (base, _, deal) = base();
    let vars: serde_json::Map<String, serde_json::Value> =
        json!({"note": "<b>"}).as_object().unwrap().clone();
    let text = "{{ note }}{{ nothing }}|{% for i in range(200) %}xxxxx{% endfor %}";
    let with = |strict: bool, escape, max_output_bytes| RenderParams {
        vars: vars.clone(),
        strict,
        escape,
        limits: Limits {
            max_output_bytes,
            ..Limits::default()
        },
        ..params(text, deal)
    };
    use clientbase::render::Escape;
    for _ in 0..2 {
        let err = render(&base, &with(true, Escape::None, 1 << 20)).unwrap_err();
        assert_eq!(err.field(), Some("nothing"), "{err}");
        let plain = render(&base, &with(false, Escape::None, 1 << 20)).unwrap();
        assert_eq!(plain.text, format!("<b>|{}", "x".repeat(1000)));
        let html = render(&base, &with(false, Escape::Html, 1 << 20)).unwrap();
        assert_eq!(html.text, format!("&lt;b&gt;|{}", "x".repeat(1000)));
        let err = render(&base, &with(false, Escape::None, 1000)).unwrap_err();
        assert_eq!(err.field(), Some("limits.max_output_bytes"), "{err}");
    }
}

#[test]
fn context_maps_look_up_iterate_and_count_their_keys() {
    let (base, _, deal) = base();
    // Thirty keys (past the short scan) and a few, in an order not sorted.
    let mut many = serde_json::Map::new();
    for i in (0..30).rev() {
        many.insert(format!("k{i:02}"), json!(format!("значение {i}")));
    }
    let vars: serde_json::Map<String, serde_json::Value> = json!({
        "many": many,
        "few": {"b": "бэ", "a": "а", "ab": "аб", "c": 3},
    })
    .as_object()
    .unwrap()
    .clone();
    let template = "{{ many.k00 }}/{{ many.k17 }}/{{ many.k29 }}/{{ many | length }}/\
        {% for k in few %}{{ k }}{% endfor %}/\
        {% for k, v in few | items %}{{ k }}={{ v }};{% endfor %}/\
        {{ few['ab'] }}/{{ few.zz is undefined }}/{{ 'k05' in many }}";
    let p = RenderParams {
        vars,
        strict: false,
        ..params(template, deal)
    };
    assert_eq!(
        render(&base, &p).unwrap().text,
        "значение 0/значение 17/значение 29/30/aabbc/a=а;ab=аб;b=бэ;c=3;/аб/True/True"
    );
    // A missing key of a map is still named in strict mode.
    let strict = RenderParams {
        vars: p.vars.clone(),
        ..params("{{ many.k30 }}", deal)
    };
    let err = render(&base, &strict).unwrap_err();
    assert_eq!(err.field(), Some("many.k30"), "{err}");
}

#[test]
fn the_output_limit_holds_on_values_as_on_template_text() {
    let (base, _, deal) = base();
    let vars: serde_json::Map<String, serde_json::Value> =
        json!({"word": "ёжик"}).as_object().unwrap().clone();
    let with = |template: &str, max_output_bytes| RenderParams {
        vars: vars.clone(),
        limits: Limits {
            max_output_bytes,
            ..Limits::default()
        },
        ..params(template, deal)
    };
    // 100 × "ёжик" is 800 bytes: it fits 800 and not 799.
    let t = "{% for i in range(100) %}{{ word }}{% endfor %}";
    assert_eq!(
        render(&base, &with(t, 800)).unwrap().text,
        "ёжик".repeat(100)
    );
    let err = render(&base, &with(t, 799)).unwrap_err();
    assert_eq!(err.field(), Some("limits.max_output_bytes"), "{err}");
    let t = "{% for i in range(100) %}ёжик{% endfor %}";
    assert_eq!(
        render(&base, &with(t, 800)).unwrap().text,
        "ёжик".repeat(100)
    );
    let err = render(&base, &with(t, 799)).unwrap_err();
    assert_eq!(err.field(), Some("limits.max_output_bytes"), "{err}");
}
