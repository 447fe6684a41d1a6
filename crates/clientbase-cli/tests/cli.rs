//! The `clientbase` binary, run as a user would.

use std::path::PathBuf;
use std::process::{Command, Output};

fn clientbase(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clientbase"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clientbase-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
        Some("cluster,client,name,linked_to,probability,weight,explanation")
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
        .find(|cells| !cells[3].is_empty())
        .expect("a linked record");
    let (a, b) = (linked[1].clone(), linked[3].clone());
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
