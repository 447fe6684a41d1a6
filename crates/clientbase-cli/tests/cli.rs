//! The `clientbase` binary, run as a user would.

use std::path::PathBuf;
use std::process::{Command, Output};

mod common;
use common::{clientbase, scratch};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn demo_summarizes_every_section() {
    let dir = scratch("demo");
    let out = clientbase(&["demo", "--clients", "2000", "--out-dir", path(&dir)]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    for expected in [
        "clientbase demo: 2 000 clients, seed 42",
        "  clients      2 000 (",
        "Ground truth",
        "  duplicates   ",
        "  look-alikes  ",
        "Revenue by year (won deals)",
        "RUB  (to 30.06)",
        "Top product categories (won deals)",
        "A client and its duplicate",
        "Phones as typed",
        "invalid: typed wrong",
        "Contact normalization",
        "Duplicates",
        "against the ground truth: precision",
        "the weakest link to review",
        "every merge undone: the base is identical to before",
        "Export and round trip",
        "read back identical",
        "reopened in",
        "change log: create by demo, update_client by demo",
        "identical (activities are not in CSV)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(dir.join("base.json").exists());
    assert!(dir.join("clients.csv").exists());
}

#[test]
fn generate_then_export() {
    let dir = scratch("generate");
    let base = dir.join("base.json");
    let truth = dir.join("truth.json");
    let csv = dir.join("clients.csv");
    let out = clientbase(&[
        "generate",
        "--clients",
        "500",
        "--seed",
        "7",
        "--out",
        path(&base),
        "--truth",
        path(&truth),
        "--csv",
        path(&csv),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("generated 500 clients"),
        "{}",
        stdout(&out)
    );
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&truth).unwrap()).unwrap();
    assert_eq!(truth["records"].as_array().unwrap().len(), 500);
    assert_eq!(truth["seed"], 7);
    let header = std::fs::read_to_string(&csv).unwrap();
    assert!(header.starts_with("id,kind,surname"), "{}", &header[..80]);

    let deals = dir.join("deals.csv");
    let out = clientbase(&[
        "export",
        "--format",
        "csv",
        "--what",
        "deals",
        path(&base),
        "-o",
        path(&deals),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&deals)
        .unwrap()
        .starts_with("id,client_id"));

    let out = clientbase(&["export", "--format", "json", path(&base)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let clients: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(clients.as_array().unwrap().len(), 500);

    // The exported CSV reads back with the canonical mapping and the base's schema.
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    let schema = dir.join("schema.json");
    std::fs::write(&schema, written["schema"].to_string()).unwrap();
    let imported = dir.join("imported.json");
    let out = clientbase(&[
        "import",
        "--mapping",
        "canonical",
        "--schema",
        path(&schema),
        "--out",
        path(&imported),
        path(&csv),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("500 rows: 500 imported, 0 rejected"),
        "{}",
        stdout(&out)
    );

    // The same seed gives the same base.
    let again = dir.join("again.json");
    let out = clientbase(&[
        "generate",
        "--clients",
        "500",
        "--seed",
        "7",
        "--out",
        path(&again),
    ]);
    assert!(out.status.success());
    assert_eq!(
        std::fs::read(&base).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn import_reports_rejected_rows() {
    let dir = scratch("import");
    let csv = dir.join("clients.csv");
    std::fs::write(
        &csv,
        "Фамилия;Имя;Телефон;Дата рождения\n\
         Иванова;Анна;8 916 123-45-67;05.03.1990\n\
         Петров;Пётр;+7 903 000-00-00;31.02.1985\n\
         Сидоров;Семён;;\n",
    )
    .unwrap();
    let mapping = dir.join("mapping.json");
    std::fs::write(
        &mapping,
        r#"{"Фамилия": "surname", "Имя": "given_name", "Телефон": "phone", "Дата рождения": "birthday"}"#,
    )
    .unwrap();
    let base = dir.join("base.json");
    let out = clientbase(&[
        "import",
        "--mapping",
        path(&mapping),
        "--out",
        path(&base),
        path(&csv),
    ]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("3 rows: 3 imported, 0 rejected, 0 empty; 1 cells set aside"),
        "{text}"
    );
    assert!(
        text.contains("line 3, column \"Дата рождения\": \"31.02.1985\" is not a calendar date"),
        "{text}"
    );
    let written = std::fs::read_to_string(&base).unwrap();
    assert!(written.contains("Иванова") && written.contains("Петров"));

    // Strict: the row is rejected; --fail-on-reject makes that exit code 3, and
    // --problems writes every problem to a file.
    let strict = dir.join("strict.json");
    let problems = dir.join("problems.csv");
    let out = clientbase(&[
        "import",
        "--mapping",
        path(&mapping),
        "--strict",
        "--fail-on-reject",
        "--problems",
        path(&problems),
        "--out",
        path(&strict),
        path(&csv),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stdout(&out).contains("3 rows: 2 imported, 1 rejected"));
    assert!(
        stderr(&out).contains("1 rows were rejected"),
        "{}",
        stderr(&out)
    );
    assert!(!std::fs::read_to_string(&strict).unwrap().contains("Петров"));
    let problems = std::fs::read_to_string(&problems).unwrap();
    assert_eq!(
        problems.lines().collect::<Vec<_>>(),
        [
            "what,line,column,field,kind,reason",
            "rejected,3,Дата рождения,birthday,invalid_value,\"\"\"31.02.1985\"\" is not a calendar date\"",
        ]
    );

    // Importing into the written base adds to it.
    let again = dir.join("again.json");
    let out = clientbase(&[
        "import",
        "--mapping",
        path(&mapping),
        "--base",
        path(&base),
        "--out",
        path(&again),
        path(&csv),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let export = clientbase(&["export", "--format", "json", path(&again)]);
    let clients: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(clients.as_array().unwrap().len(), 6);
}

#[test]
fn bad_input_fails_with_code_2_and_a_clear_message() {
    let dir = scratch("bad");
    let csv = dir.join("clients.csv");
    std::fs::write(&csv, "Фамилия\nИванова\n").unwrap();
    let base = dir.join("base.json");

    let missing = dir.join("missing.json");
    let out = clientbase(&[
        "import",
        "--mapping",
        path(&missing),
        "--out",
        path(&base),
        path(&csv),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read the mapping"),
        "{}",
        stderr(&out)
    );

    let mapping = dir.join("mapping.json");
    std::fs::write(&mapping, r#"{"Фамилия": "no_such_target"}"#).unwrap();
    let out = clientbase(&[
        "import",
        "--mapping",
        path(&mapping),
        "--out",
        path(&base),
        path(&csv),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Фамилия"), "{}", stderr(&out));

    std::fs::write(&mapping, r#"{"Фамилия": "surname"}"#).unwrap();
    let out = clientbase(&[
        "import",
        "--mapping",
        path(&mapping),
        "--out",
        path(&base),
        path(&dir.join("nope.csv")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read the CSV file"),
        "{}",
        stderr(&out)
    );

    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"format\": \"clientbase\", \"version\": 1, \"clients\": [{\"id\": 1, \"kind\": \"person\", \"surname\": \"Иванов\", \"loyalty_percent\": 140}]}").unwrap();
    let out = clientbase(&["export", "--format", "csv", path(&broken)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("client 1") && stderr(&out).contains("loyalty_percent"),
        "{}",
        stderr(&out)
    );

    let out = clientbase(&["export", "--format", "xml", path(&broken)]);
    assert_eq!(out.status.code(), Some(2));
    let out = clientbase(&["generate", "--clients", "many", "--out", path(&base)]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn phones_writes_one_tsv_row_per_input_line() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_clientbase"))
        .args(["phones", "--header"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run clientbase phones");
    let input: &[u8] = b"8 (916) 123-45-67\r\n+7 812 555-12-12 \xd0\xb4\xd0\xbe\xd0\xb1. 12\n\
8-800-555-35-35\n8 916 123 45 67, 8 495 765 43 21\n12345\n\xff\xfe\n1\t2\n";
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 8, "{text}");
    assert!(rows.iter().all(|r| r.len() == 5), "{text}");
    assert_eq!(rows[0], ["input", "e164", "extension", "type", "reason"]);
    assert_eq!(
        rows[1],
        ["8 (916) 123-45-67", "+79161234567", "", "mobile", ""]
    );
    assert_eq!(rows[2][1..4], ["+78125551212", "12", "fixed_line"]);
    assert_eq!(rows[3][1..4], ["+78005553535", "", "toll_free"]);
    assert_eq!(rows[4][1], "");
    assert!(rows[4][4].contains("2 numbers"), "{text}");
    assert!(rows[5][4].starts_with("too short"), "{text}");
    assert_eq!(rows[6][4], "the line is not UTF-8");
    assert_eq!(rows[7][0], "1\\t2");
    assert_ne!(rows[7][4], "");
}

#[test]
fn dedupe_survives_a_closed_standard_output() {
    let dir = scratch("dedupe-pipe");
    let base = dir.join("base.json");
    let csv = dir.join("clients.csv");
    let out = clientbase(&[
        "generate",
        "--clients",
        "1000",
        "--seed",
        "9",
        "--out",
        path(&base),
        "--csv",
        path(&csv),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mapping = "canonical";
    let clusters = dir.join("clusters.csv");
    let mut child = Command::new(env!("CARGO_BIN_EXE_clientbase"))
        .args([
            "dedupe",
            "--mapping",
            mapping,
            "--schema",
            path(&base),
            "--out",
            path(&clusters),
            path(&csv),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away at once, as `| head -1` does after its line.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}: {}", out.status, stderr(&out));
    let written = std::fs::read_to_string(&clusters).unwrap();
    assert!(written.lines().count() > 10, "{written}");
}

#[test]
fn dedupe_writes_clusters_with_explanations() {
    let dir = scratch("dedupe");
    let base = dir.join("base.json");
    let csv = dir.join("clients.csv");
    let out = clientbase(&[
        "generate",
        "--clients",
        "1500",
        "--seed",
        "5",
        "--out",
        path(&base),
        "--csv",
        path(&csv),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let clusters = dir.join("clusters.csv");
    let related = dir.join("related.csv");
    let out = clientbase(&[
        "dedupe",
        "--mapping",
        "canonical",
        "--schema",
        path(&base),
        "--out",
        path(&clusters),
        "--related",
        path(&related),
        path(&csv),
    ]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("1 500 rows: 1 500 imported, 0 rejected"),
        "{text}"
    );
    assert!(text.contains(" clusters, "), "{text}");
    assert!(text.contains("  phone "), "{text}");
    let written = std::fs::read_to_string(&clusters).unwrap();
    let mut lines = written.lines();
    assert_eq!(
        lines.next(),
        Some("cluster,client,line,name,linked_to,probability,weight,explanation")
    );
    // Every record but a cluster's first is linked, with its evidence.
    let linked: Vec<&str> = lines.filter(|l| !l.ends_with(",,,,")).collect();
    assert!(!linked.is_empty());
    assert!(linked.iter().all(|l| l.contains(" same +")), "{written}");
    assert!(std::fs::read_to_string(&related)
        .unwrap()
        .starts_with("left,right,verdict,probability,explanation"));

    // Without the schema, tags are refused row by row and still nothing panics.
    let out = clientbase(&[
        "dedupe",
        "--mapping",
        "canonical",
        "--out",
        path(&clusters),
        path(&csv),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("not in the tag vocabulary"));

    // Bad options are named.
    let options = dir.join("options.json");
    std::fs::write(&options, r#"{"keys": ["shoe_size"]}"#).unwrap();
    let out = clientbase(&[
        "dedupe",
        "--mapping",
        "canonical",
        "--options",
        path(&options),
        "--out",
        path(&clusters),
        path(&csv),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("shoe_size"), "{}", stderr(&out));

    // A typo in any option file is refused, naming the key and the keys allowed.
    let decisions = dir.join("decisions.json");
    let schema = dir.join("schema.json");
    std::fs::write(&options, r#"{"treshold": 0.9}"#).unwrap();
    std::fs::write(&decisions, r#"{"not_duplicate": [[1, 2]]}"#).unwrap();
    std::fs::write(&schema, r#"{"tagz": ["vip"]}"#).unwrap();
    for (flag, file, key, allowed) in [
        ("--options", &options, "`treshold`", "`threshold`"),
        (
            "--decisions",
            &decisions,
            "`not_duplicate`",
            "`not_duplicates`",
        ),
        ("--schema", &schema, "`tagz`", "`tags`"),
    ] {
        let out = clientbase(&[
            "dedupe",
            "--mapping",
            "canonical",
            flag,
            path(file),
            "--out",
            path(&clusters),
            path(&csv),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains(key) && err.contains(allowed), "{flag}: {err}");
        assert!(err.contains(path(file)), "{flag}: {err}");
    }

    // Valid decisions are read: a decided pair is never put in one cluster.
    let cluster_of = |written: &str, client: &str| {
        written
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|cells| cells[1] == client)
            .map(|cells| cells[0].to_string())
    };
    let before = std::fs::read_to_string(&clusters).unwrap();
    let linked: Vec<String> = before
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
        .find(|cells| !cells[4].is_empty())
        .expect("a linked record");
    let (a, b) = (linked[1].clone(), linked[4].clone());
    assert_eq!(cluster_of(&before, &a), cluster_of(&before, &b));
    std::fs::write(&decisions, format!(r#"{{"not_duplicates": [[{b}, {a}]]}}"#)).unwrap();
    let out = clientbase(&[
        "dedupe",
        "--mapping",
        "canonical",
        "--decisions",
        path(&decisions),
        "--out",
        path(&clusters),
        path(&csv),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = std::fs::read_to_string(&clusters).unwrap();
    let (ca, cb) = (cluster_of(&after, &a), cluster_of(&after, &b));
    assert!(
        ca.is_none() || cb.is_none() || ca != cb,
        "{a} and {b} still clustered"
    );
}

#[test]
fn dedupe_reads_only_the_schema_of_a_base() {
    let dir = scratch("dedupe-schema");
    let base = dir.join("base.json");
    let csv = dir.join("clients.csv");
    let out = clientbase(&[
        "generate",
        "--clients",
        "800",
        "--seed",
        "3",
        "--out",
        path(&base),
        "--csv",
        path(&csv),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The same schema in a file of its own.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    let schema = dir.join("schema.json");
    std::fs::write(&schema, json["schema"].to_string()).unwrap();
    assert!(json["schema"]["tags"]
        .as_array()
        .is_some_and(|t| !t.is_empty()));
    let dedupe = |schema: &PathBuf, clusters: &PathBuf| {
        let out = clientbase(&[
            "dedupe",
            "--mapping",
            "canonical",
            "--schema",
            path(schema),
            "--out",
            path(clusters),
            path(&csv),
        ]);
        let text = stdout(&out);
        assert!(out.status.success(), "{text}\n{}", stderr(&out));
        assert!(
            text.contains("800 rows: 800 imported, 0 rejected"),
            "{text}"
        );
        assert!(!text.contains("not in the tag vocabulary"), "{text}");
        std::fs::read_to_string(clusters).unwrap()
    };
    let from_base = dedupe(&base, &dir.join("from-base.csv"));
    let from_schema = dedupe(&schema, &dir.join("from-schema.csv"));
    assert!(from_base.lines().count() > 10, "{from_base}");
    assert_eq!(from_base, from_schema);

    // A base whose schema comes after its records, or that has none, still reads.
    let mut reordered = serde_json::Map::new();
    reordered.insert("clients".into(), json["clients"].clone());
    reordered.insert("format".into(), json["format"].clone());
    reordered.insert("schema".into(), json["schema"].clone());
    std::fs::write(&schema, serde_json::Value::Object(reordered).to_string()).unwrap();
    assert_eq!(dedupe(&schema, &dir.join("reordered.csv")), from_base);
    std::fs::write(
        &schema,
        r#"{"format": "clientbase", "version": 1, "clients": []}"#,
    )
    .unwrap();
    let out = clientbase(&[
        "dedupe",
        "--mapping",
        "canonical",
        "--schema",
        path(&schema),
        "--out",
        path(&dir.join("none.csv")),
        path(&csv),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("not in the tag vocabulary"));
}

/// The clusters file as sets of input lines, one set per cluster, and every
/// line's name.
fn clusters_by_line(written: &str) -> (Vec<Vec<u64>>, std::collections::BTreeMap<u64, String>) {
    let mut reader = csv::Reader::from_reader(written.as_bytes());
    let mut clusters: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    let mut names = std::collections::BTreeMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        let line: u64 = row[2].parse().expect("every row has its line");
        assert!(
            names.insert(line, row[3].to_string()).is_none(),
            "line {line} twice"
        );
        clusters.entry(row[0].to_string()).or_default().push(line);
    }
    let mut sets: Vec<Vec<u64>> = clusters.into_values().collect();
    for set in &mut sets {
        set.sort_unstable();
    }
    sets.sort();
    (sets, names)
}

#[test]
fn dedupe_lists_every_record_with_its_line() {
    let dir = scratch("dedupe-lines");
    let base = dir.join("base.json");
    let with_ids = dir.join("with-ids.csv");
    let out = clientbase(&[
        "generate",
        "--clients",
        "1200",
        "--seed",
        "11",
        "--out",
        path(&base),
        "--csv",
        path(&with_ids),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The same file without its id column, and a mapping of the rest.
    let mut reader = csv::Reader::from_path(&with_ids).unwrap();
    let headers = reader.headers().unwrap().clone();
    let without_ids = dir.join("no-ids.csv");
    let mut writer = csv::Writer::from_path(&without_ids).unwrap();
    writer.write_record(headers.iter().skip(1)).unwrap();
    let mut surnames = std::collections::BTreeMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        let line = row.position().unwrap().line();
        // surname, given_name, patronymic, company
        let parts: Vec<String> = (2..=5).map(|i| row[i].trim().to_string()).collect();
        surnames.insert(line, parts);
        writer.write_record(row.iter().skip(1)).unwrap();
    }
    writer.flush().unwrap();
    let mapping = dir.join("mapping.json");
    let pairs: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .skip(1)
        .map(|h| (h.to_string(), serde_json::Value::from(h)))
        .collect();
    std::fs::write(&mapping, serde_json::Value::Object(pairs).to_string()).unwrap();

    let dedupe = |csv: &PathBuf, mapping: &str, extra: &[&str], out: &PathBuf| {
        let mut args = vec![
            "dedupe",
            "--mapping",
            mapping,
            "--schema",
            path(&base),
            "--out",
            path(out),
        ];
        args.extend_from_slice(extra);
        args.push(path(csv));
        let out_ = clientbase(&args);
        assert!(out_.status.success(), "{}", stderr(&out_));
        std::fs::read_to_string(out).unwrap()
    };
    let by_id = dedupe(&with_ids, "canonical", &[], &dir.join("a.csv"));
    let by_line = dedupe(&without_ids, path(&mapping), &[], &dir.join("b.csv"));
    let (clusters_by_id, names) = clusters_by_line(&by_id);
    let (clusters_without_ids, _) = clusters_by_line(&by_line);
    // Every record has one row, singletons too, and the same lines cluster
    // whether the file has ids or not.
    assert_eq!(names.len(), 1200);
    assert_eq!(clusters_by_id, clusters_without_ids);
    assert!(clusters_by_id.iter().any(|c| c.len() > 1));
    assert!(clusters_by_id.iter().any(|c| c.len() == 1));
    // The line is the record's: its name is made of that line's name cells.
    for (line, name) in &names {
        let parts = &surnames[line];
        assert!(
            parts
                .iter()
                .any(|p| !p.is_empty() && name.contains(p.as_str())),
            "line {line}: {name:?} is not made of {parts:?}"
        );
    }
    // A singleton is its own cluster.
    let singleton = by_line
        .lines()
        .skip(1)
        .find(|l| l.ends_with(",,,,"))
        .unwrap();
    let cells: Vec<&str> = singleton.split(',').collect();
    assert_eq!(cells[0], cells[1]);

    // --only-clusters writes the clustered records alone.
    let only = dedupe(
        &without_ids,
        path(&mapping),
        &["--only-clusters"],
        &dir.join("c.csv"),
    );
    let (only, _) = clusters_by_line(&only);
    let clustered: Vec<Vec<u64>> = clusters_without_ids
        .into_iter()
        .filter(|c| c.len() > 1)
        .collect();
    assert_eq!(only, clustered);
}

/// Pairwise precision and recall of a clusters file against the ground truth.
fn scored(clusters: &str, truth: &clientbase::generator::GroundTruth) -> (f64, f64) {
    let mut members: std::collections::BTreeMap<u64, Vec<u64>> = Default::default();
    for row in csv::Reader::from_reader(clusters.as_bytes()).records() {
        let row = row.unwrap();
        members
            .entry(row[0].parse().unwrap())
            .or_default()
            .push(row[1].parse().unwrap());
    }
    let (mut found, mut right) = (0u64, 0u64);
    for ids in members.values() {
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                found += 1;
                right += u64::from(
                    truth.same_entity(clientbase::ClientId(*a), clientbase::ClientId(*b)),
                );
            }
        }
    }
    let mut entities: std::collections::HashMap<_, u64> = Default::default();
    for record in &truth.records {
        *entities.entry(record.entity).or_default() += 1;
    }
    let real: u64 = entities.values().map(|n| n * (n - 1) / 2).sum();
    (
        right as f64 / found.max(1) as f64,
        right as f64 / real.max(1) as f64,
    )
}

#[test]
fn dedupe_estimates_the_weights_from_the_file() {
    let dir = scratch("dedupe-estimate");
    let base = dir.join("base.json");
    let truth = dir.join("truth.json");
    let csv = dir.join("clients.csv");
    let out = clientbase(&[
        "generate",
        "--clients",
        "4000",
        "--seed",
        "13",
        "--out",
        path(&base),
        "--truth",
        path(&truth),
        "--csv",
        path(&csv),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let truth: clientbase::generator::GroundTruth =
        serde_json::from_str(&std::fs::read_to_string(&truth).unwrap()).unwrap();
    let dedupe = |extra: &[&str], name: &str| {
        let clusters = dir.join(name);
        let mut args = vec![
            "dedupe",
            "--mapping",
            "canonical",
            "--schema",
            path(&base),
            "--only-clusters",
            "--out",
            path(&clusters),
        ];
        args.extend_from_slice(extra);
        args.push(path(&csv));
        let out = clientbase(&args);
        let text = stdout(&out);
        assert!(out.status.success(), "{text}\n{}", stderr(&out));
        (text, std::fs::read_to_string(&clusters).unwrap())
    };
    let (_, defaults) = dedupe(&[], "defaults.csv");
    let (text, estimated) = dedupe(
        &["--estimate", "--estimate-pairs", "200000"],
        "estimated.csv",
    );
    assert!(text.contains("weights estimated from "), "{text}");
    assert!(text.contains(" 200 000 random pairs"), "{text}");
    assert!(text.contains("  phone         same "), "{text}");
    let (p0, r0) = scored(&defaults, &truth);
    let (p1, r1) = scored(&estimated, &truth);
    eprintln!(
        "defaults: precision {p0:.4} recall {r0:.4}; estimated: precision {p1:.4} recall {r1:.4}"
    );
    let f1 = |p: f64, r: f64| 2.0 * p * r / (p + r);
    assert!(
        p1 >= 0.97 && r1 >= 0.9,
        "precision {p1}, recall {r1}\n{text}"
    );
    assert!(
        f1(p1, r1) >= f1(p0, r0) - 0.01,
        "{p0} {r0} -> {p1} {r1}\n{text}"
    );

    // Too few clients to estimate from: a clear error.
    let small = dir.join("small.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let first: String = text.lines().take(50).map(|l| format!("{l}\n")).collect();
    std::fs::write(&small, first).unwrap();
    let out = clientbase(&[
        "dedupe",
        "--mapping",
        "canonical",
        "--schema",
        path(&base),
        "--estimate",
        "--out",
        path(&dir.join("small-clusters.csv")),
        path(&small),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("too few"), "{}", stderr(&out));
}

#[test]
fn dedupe_refuses_decisions_about_unknown_clients() {
    let dir = scratch("dedupe-decisions");
    let csv = dir.join("clients.csv");
    std::fs::write(
        &csv,
        "surname,given_name,phones_json\nИванов,Сергей,\"[{\"\"raw\"\":\"\"+79161234567\"\"}]\"\nИванов,Сергей,\n",
    )
    .unwrap();
    let mapping = dir.join("mapping.json");
    std::fs::write(
        &mapping,
        r#"{"surname": "surname", "given_name": "given_name", "phones_json": "phones_json"}"#,
    )
    .unwrap();
    let decisions = dir.join("decisions.json");
    std::fs::write(&decisions, r#"{"not_duplicates": [[1, 99999]]}"#).unwrap();
    let out = clientbase(&[
        "dedupe",
        "--mapping",
        path(&mapping),
        "--decisions",
        path(&decisions),
        "--out",
        path(&dir.join("clusters.csv")),
        path(&csv),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("client 99999") && err.contains("not in the base"),
        "{err}"
    );
}

/// A 1C export of order lines: `;`, decimal commas, `dd.mm.yyyy`, one bad date.
const ORDERS_1C: &str = "\u{feff}Контрагент;Дата;Сумма;Номенклатура\n\
    ООО \"Ромашка\";05.03.2024;1 234,50;Корм\n\
    ИП Петров;05.03.2024 0:00:00;\"10 000,00\";Миска\n\
    ИП Петров;35.03.2024;100,00;Миска\n\
    ООО \"Ромашка\";06.03.2024;0,50;Корм\n\
    АО Лютик;01.01.2024;500;Корм\n";

#[test]
fn rfm_reads_a_1c_export_and_reports_the_bad_line() {
    let dir = scratch("rfm");
    let orders = dir.join("orders.csv");
    std::fs::write(&orders, ORDERS_1C).unwrap();
    let table = dir.join("rfm.csv");
    let problems = dir.join("problems.csv");
    let out = clientbase(&[
        "rfm",
        path(&orders),
        "--columns",
        "1c",
        "--as-of",
        "2024-03-10",
        "--out",
        path(&table),
        "--problems",
        path(&problems),
    ]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    assert!(text.contains("4 order lines of 3 clients read"), "{text}");
    assert!(
        text.contains("line 4: Дата: \"35.03.2024\" is not a calendar date"),
        "{text}"
    );
    assert!(text.contains("Segments (3 clients)"), "{text}");
    let written = std::fs::read_to_string(&table).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(
        lines[0],
        "client,last_purchase,recency_days,frequency,monetary,r,f,m,rfm,segment"
    );
    assert_eq!(
        lines[1],
        "\"ООО \"\"Ромашка\"\"\",2024-03-06,4,2,1235.00,4,4,2,442,Loyal"
    );
    assert_eq!(lines.len(), 4);
    let problems = std::fs::read_to_string(&problems).unwrap();
    assert!(
        problems.starts_with("line,field,reason\n4,Дата,"),
        "{problems}"
    );
}

#[test]
fn abc_splits_ten_clients_75_20_5_with_xyz() {
    let dir = scratch("abc");
    let orders = dir.join("orders.csv");
    // Revenues 800 (in two lines), 50, 40, 30, 25, 20, 15, 10, 6, 4.
    let mut csv = String::from("client;date;amount\n");
    for (client, amount) in [
        (1, "500"),
        (2, "50"),
        (3, "40"),
        (4, "30"),
        (5, "25"),
        (6, "20"),
        (7, "15"),
        (8, "10"),
        (9, "6"),
        (10, "4"),
        (1, "300"),
    ] {
        csv.push_str(&format!("{client};01.03.2024;{amount},00\n"));
    }
    csv.push_str("11;01.03.2024;много\n");
    std::fs::write(&orders, csv).unwrap();
    let table = dir.join("abc.csv");
    let out = clientbase(&[
        "abc",
        path(&orders),
        "--thresholds",
        "75,20,5",
        "--out",
        path(&table),
    ]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    assert!(text.contains("line 13: amount: \"много\""), "{text}");
    assert!(text.contains("  A           1 objects"), "{text}");
    assert!(text.contains("  B           4 objects"), "{text}");
    assert!(text.contains("  C           5 objects"), "{text}");
    let written = std::fs::read_to_string(&table).unwrap();
    let classes: Vec<&str> = written
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap())
        .collect();
    assert_eq!(classes, ["A", "B", "B", "B", "B", "C", "C", "C", "C", "C"]);

    let out = clientbase(&["abc", path(&orders), "--xyz", "month"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("ABC-XYZ"), "{}", stdout(&out));
    let out = clientbase(&["abc", path(&orders), "--measure", "revenu"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown variant `revenu`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn clv_fits_the_models_on_a_1c_export() {
    let dir = scratch("clv");
    let orders = dir.join("orders.csv");
    // Forty clients buying every 9 to 44 days through 2024; every third one
    // stops in spring. One line has an amount that cannot be read.
    let mut csv = String::from("Контрагент;Дата;Сумма\n");
    let mut seed: u64 = 11;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for client in 1..=40u64 {
        let stop = if client % 3 == 0 { 120 } else { 366 };
        let mut day = next(30);
        while day < stop {
            let date =
                chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(day);
            let amount = 500 + next(4500);
            csv.push_str(&format!(
                "Клиент {client};{};{amount},00\n",
                date.format("%d.%m.%Y")
            ));
            day += 9 + next(36);
        }
    }
    csv.push_str("Клиент 1;01.06.2024;сто\n");
    std::fs::write(&orders, csv).unwrap();
    let table = dir.join("clv.csv");
    let out = clientbase(&[
        "clv",
        path(&orders),
        "--columns",
        "1c",
        "--as-of",
        "2025-01-01",
        "--top",
        "3",
        "--out",
        path(&table),
    ]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    assert!(text.contains("BG/NBD on 40 clients"), "{text}");
    assert!(text.contains("log-likelihood -"), "{text}");
    assert!(text.contains("Gamma-Gamma on"), "{text}");
    assert!(text.contains("Сумма: \"сто\""), "{text}");
    let written = std::fs::read_to_string(&table).unwrap();
    let header = written.lines().next().unwrap();
    assert!(header.starts_with("client,"), "{header}");
    assert!(
        header.contains("p_alive") && header.ends_with("clv"),
        "{header}"
    );
    assert_eq!(written.lines().count(), 41);

    let out = clientbase(&[
        "clv",
        path(&orders),
        "--columns",
        "1c",
        "--period",
        "fortnight",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("fortnight"), "{}", stderr(&out));
}

#[test]
fn commands_take_a_base_file_as_well_as_json() {
    let dir = scratch("basefile");
    let base = dir.join("base.cb");
    let csv = dir.join("clients.csv");
    let out = clientbase(&[
        "generate",
        "--clients",
        "200",
        "--seed",
        "3",
        "--out",
        path(&base),
        "--csv",
        path(&csv),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read(&base)
        .unwrap()
        .starts_with(b"SQLite format 3\0"));

    // Rows imported into a base file stay in it without --out.
    let more = dir.join("more.csv");
    std::fs::write(&more, "surname,phone\nНовикова,8 916 555-01-02\n").unwrap();
    let mapping = dir.join("mapping.json");
    std::fs::write(&mapping, r#"{"surname": "surname", "phone": "phone"}"#).unwrap();
    let out = clientbase(&[
        "import",
        "--mapping",
        path(&mapping),
        "--base",
        path(&base),
        path(&more),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));

    let json = dir.join("export.json");
    let out = clientbase(&["export", "--format", "json", path(&base), "-o", path(&json)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let clients: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let clients = clients.as_array().unwrap();
    assert!(clients.len() > 200, "{}", clients.len());
    assert!(json_has(clients, "Новикова"));

    // A JSON base imported into with --out ending in .cb becomes a base file,
    // and an existing base file given as --out is replaced only when complete.
    let json_base = dir.join("base.json");
    let out = clientbase(&["generate", "--clients", "50", "--out", path(&json_base)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = clientbase(&[
        "import",
        "--mapping",
        path(&mapping),
        "--base",
        path(&json_base),
        "--out",
        path(&base),
        path(&more),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = clientbase(&["export", "--format", "json", path(&base)]);
    let clients: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(clients.as_array().unwrap().len(), 51);

    // Without --out a JSON base is an error, not a silent loss.
    let out = clientbase(&[
        "import",
        "--mapping",
        path(&mapping),
        "--base",
        path(&json_base),
        path(&more),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--out"), "{}", stderr(&out));

    // A file that is not a base is named.
    let bogus = dir.join("bogus.cb");
    std::fs::write(&bogus, "not a base").unwrap();
    let out = clientbase(&["export", "--format", "json", path(&bogus)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("bogus.cb"), "{}", stderr(&out));
}

fn json_has(clients: &[serde_json::Value], surname: &str) -> bool {
    clients.iter().any(|c| c.to_string().contains(surname))
}
