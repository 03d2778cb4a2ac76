//! The runner as a user runs it, for the tests of its commands (`runner.rs`, `runner_export.rs`):
//! the built binary, its output, the project's files.
#![allow(dead_code)] // each test file uses its own share of it

use std::path::PathBuf;
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_partition-playground");

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("the runner starts")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
