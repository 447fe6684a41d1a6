//! What the command-line tests share: running the binary and a scratch folder.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `clientbase` with `args` and waits for it.
pub fn clientbase(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clientbase"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// An empty folder of this test process named `name`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clientbase-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
