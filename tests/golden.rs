//! Golden explained event logs: every scenario in `tests/scenarios/` and `examples/` is run to its
//! `until_ms`, and what happened is written as text — each event with its time and explanation, then
//! the final state of every partition, the producers' send outcomes, the consumers' counts and the
//! state hash — and compared with `<name>.golden.txt` beside the scenario. A change of behaviour then
//! reads as "broker 2 elected at 9003 ms instead of 9000 ms", not as a new hash.
//!
//! The lessons' scenarios (`www/lessons/*.json`) have theirs in `tests/lessons/<slug>.golden.txt`
//! (not beside them: `www/lessons/` is copied into the published site).
//!
//! After an intended change, rewrite the files with `PP_BLESS=1 cargo test --test golden` and review
//! the diff. Event lines carry no sequence number, so one inserted event changes one line.

use partition_playground::engine::{Engine, SendStatus, ViewOptions};
use partition_playground::scenario;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Directories whose `*.json` scenarios have golden files, relative to the crate root.
const SCENARIO_DIRS: [&str; 2] = ["tests/scenarios", "examples"];

/// The lessons, and where their golden files are, relative to the crate root.
const LESSON_DIR: &str = "www/lessons";
const LESSON_GOLDEN_DIR: &str = "tests/lessons";

/// Differing lines shown on a mismatch.
const DIFF_LINES_SHOWN: usize = 20;

/// What a golden file shows of a run, as plain data.
struct Run {
    seed: u64,
    until_ms: u64,
    /// Time and explanation of every event, oldest first.
    events: Vec<(u64, String)>,
    partitions: Vec<PartitionEnd>,
    producers: Vec<ProducerEnd>,
    /// Name and records received.
    consumers: Vec<(String, u64)>,
    state_hash: u64,
}

struct PartitionEnd {
    name: String,
    leader: Option<u32>,
    leader_epoch: u32,
    partition_epoch: u32,
    isr: Vec<u32>,
    replicas: Vec<ReplicaEnd>,
}

struct ReplicaEnd {
    broker: u32,
    role: &'static str,
    log_end_offset: u64,
    high_watermark: u64,
}

#[derive(Default)]
struct ProducerEnd {
    name: String,
    acknowledged: usize,
    pending: usize,
    /// Failed sends by error.
    failed: BTreeMap<String, usize>,
}

/// Runs a scenario file to its `until_ms`. The only function here that touches the engine's API, so
/// that an API change is adapted in one place.
fn run(path: &Path) -> Run {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let scenario = if path.parent().is_some_and(|d| d.ends_with(LESSON_DIR)) {
        scenario::parse_lesson(&text).map(|l| l.scenario)
    } else {
        scenario::parse(&text)
    };
    let scenario = scenario.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut engine = Engine::new(&scenario).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    engine.advance_to(scenario.until_ms, u64::MAX).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let events: Vec<(u64, String)> = engine.events_since(0).map(|e| (e.at_ms, engine.explain(e))).collect();
    assert_eq!(
        events.len() as u64,
        engine.next_event_seq(),
        "{}: the engine dropped its oldest events (it keeps a bounded log); the golden log needs them all",
        path.display()
    );
    let view = engine.view(ViewOptions { log_tail: 0, client_history: usize::MAX, ..ViewOptions::default() });
    let partitions = view
        .partitions
        .iter()
        .map(|p| PartitionEnd {
            name: p.name.clone(),
            leader: p.leader.map(|b| b.0),
            leader_epoch: p.leader_epoch,
            partition_epoch: p.partition_epoch,
            isr: p.isr.iter().map(|b| b.0).collect(),
            replicas: p
                .replica_states
                .iter()
                .map(|r| ReplicaEnd {
                    broker: r.broker.0,
                    role: r.role.word(),
                    log_end_offset: r.log_end_offset,
                    high_watermark: r.high_watermark,
                })
                .collect(),
        })
        .collect();
    let producers = view
        .producers
        .iter()
        .map(|p| {
            assert_eq!(
                p.sends.len(),
                p.sends_total,
                "{}: producer {}: sends left out of the view",
                path.display(),
                p.name
            );
            let mut end = ProducerEnd { name: p.name.clone(), ..ProducerEnd::default() };
            for s in &p.sends {
                match &s.status {
                    SendStatus::Acknowledged { .. } => end.acknowledged += 1,
                    SendStatus::Pending { .. } => end.pending += 1,
                    SendStatus::Failed { error, .. } => *end.failed.entry(error.to_string()).or_default() += 1,
                }
            }
            end
        })
        .collect();
    let consumers = view.consumers.iter().map(|c| (c.name.clone(), c.received_total)).collect();
    Run {
        seed: scenario.seed,
        until_ms: scenario.until_ms,
        events,
        partitions,
        producers,
        consumers,
        state_hash: engine.state_hash(),
    }
}

fn list(brokers: &[u32]) -> String {
    let v: Vec<String> = brokers.iter().map(u32::to_string).collect();
    format!("[{}]", v.join(", "))
}

/// The golden text of a run.
fn render(name: &str, run: &Run) -> String {
    let mut o = String::new();
    // `write!` to a String cannot fail.
    let _ = writeln!(o, "{name}: seed {}, run to {} ms, {} events", run.seed, run.until_ms, run.events.len());
    let _ = writeln!(o, "\nEvents");
    for (at_ms, text) in &run.events {
        let _ = writeln!(o, "{at_ms:>8} ms  {text}");
    }
    let _ = writeln!(o, "\nPartitions");
    for p in &run.partitions {
        let leader = p.leader.map_or_else(|| "none".to_string(), |b| b.to_string());
        let _ = writeln!(
            o,
            "  {}: leader {leader}, leader epoch {}, partition epoch {}, ISR {}",
            p.name,
            p.leader_epoch,
            p.partition_epoch,
            list(&p.isr)
        );
        for r in &p.replicas {
            let _ = writeln!(
                o,
                "    broker {:<3} {:<8}  LEO {:<6} HW {}",
                r.broker, r.role, r.log_end_offset, r.high_watermark
            );
        }
    }
    let _ = writeln!(o, "\nClients");
    for p in &run.producers {
        let sends = p.acknowledged + p.pending + p.failed.values().sum::<usize>();
        let mut failed: Vec<String> = p.failed.iter().map(|(e, n)| format!("{n} {e}")).collect();
        if failed.is_empty() {
            failed.push("none".into());
        }
        let _ = writeln!(
            o,
            "  producer {}: {sends} sends: {} acknowledged, {} pending, failed: {}",
            p.name,
            p.acknowledged,
            p.pending,
            failed.join(", ")
        );
    }
    for (name, received) in &run.consumers {
        let _ = writeln!(o, "  consumer {name}: {received} records received");
    }
    let _ = writeln!(o, "\nstate hash {:016x}", run.state_hash);
    o
}

/// A short readable diff: up to [`DIFF_LINES_SHOWN`] lines that differ, `-` with their line number
/// in `old`, `+` with their line number in `new`. Common lines are matched as in `diff` (longest
/// common subsequence), so an inserted line shows as one `+`.
fn diff(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (a_mid, b_mid) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut out = Vec::new();
    let mut differing = 0;
    let mut push = |sign: char, line: usize, text: &str| {
        differing += 1;
        if out.len() < DIFF_LINES_SHOWN {
            out.push(format!("{sign} {:>5} | {text}", line + 1));
        }
    };
    if a_mid.len().saturating_mul(b_mid.len()) > 16_000_000 {
        // Too large to align cheaply: compare line by line.
        for i in 0..a_mid.len().max(b_mid.len()) {
            let (x, y) = (a_mid.get(i), b_mid.get(i));
            if x != y {
                x.into_iter().for_each(|t| push('-', prefix + i, t));
                y.into_iter().for_each(|t| push('+', prefix + i, t));
            }
        }
    } else {
        // lcs[i][j]: length of the longest common subsequence of a_mid[i..] and b_mid[j..].
        let (n, m) = (a_mid.len(), b_mid.len());
        let mut lcs = vec![vec![0u32; m + 1]; n + 1];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i][j] = if a_mid[i] == b_mid[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && a_mid[i] == b_mid[j] {
                (i, j) = (i + 1, j + 1);
            } else if j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
                push('-', prefix + i, a_mid[i]);
                i += 1;
            } else {
                push('+', prefix + j, b_mid[j]);
                j += 1;
            }
        }
    }
    let mut text = out.join("\n");
    if differing > out.len() {
        let _ = write!(text, "\n  ... and {} more differing lines", differing - out.len());
    }
    text
}

/// The scenario files, sorted, as (path relative to the crate root, absolute path, absolute path
/// of its golden file).
fn scenarios() -> Vec<(String, PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for dir in SCENARIO_DIRS.into_iter().chain([LESSON_DIR]) {
        let golden_dir = if dir == LESSON_DIR { LESSON_GOLDEN_DIR } else { dir };
        let entries = std::fs::read_dir(root.join(dir)).unwrap_or_else(|e| panic!("{dir}: {e}"));
        for entry in entries {
            let name = entry.expect("directory entry").file_name().into_string().expect("UTF-8 file name");
            if let Some(stem) = name.strip_suffix(".json") {
                let golden = root.join(golden_dir).join(format!("{stem}.golden.txt"));
                found.push((format!("{dir}/{name}"), root.join(dir).join(&name), golden));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_scenario_matches_its_golden_explained_log() {
    let bless = std::env::var("PP_BLESS").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    let scenarios = scenarios();
    assert!(!scenarios.is_empty(), "no scenario files found in {SCENARIO_DIRS:?}");
    for (name, path, golden_path) in &scenarios {
        let actual = render(name, &run(path));
        let golden_name =
            golden_path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(golden_path).display().to_string();
        let golden = std::fs::read_to_string(golden_path).ok();
        if golden.as_deref() == Some(actual.as_str()) {
            continue;
        }
        if bless {
            std::fs::write(golden_path, &actual).unwrap_or_else(|e| panic!("{golden_name}: {e}"));
            eprintln!("blessed {golden_name}");
            continue;
        }
        match golden {
            None => failures.push(format!("{golden_name}: missing (the golden file of {name})")),
            Some(golden) => failures.push(format!(
                "{golden_name} differs from the run (- golden file, + this run; line numbers of each):\n{}",
                diff(&golden, &actual)
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "\n{}\n\nIf the change is intended, run `PP_BLESS=1 cargo test --test golden` and review the diff.\n",
        failures.join("\n\n")
    );
}

#[test]
fn the_diff_shows_an_inserted_line_as_one_line() {
    let old = "a\nb\nc\nd\n";
    let new = "a\nb\nx\nc\nd\n";
    assert_eq!(diff(old, new), "+     3 | x");
    let changed = diff("a\n 9000 ms  fenced\nc\n", "a\n 9003 ms  fenced\nc\n");
    assert_eq!(changed, "-     2 |  9000 ms  fenced\n+     2 |  9003 ms  fenced");
}

#[test]
fn the_diff_stops_after_the_lines_it_shows() {
    let old: String = (0..100).map(|i| format!("old {i}\n")).collect();
    let new: String = (0..100).map(|i| format!("new {i}\n")).collect();
    let shown = diff(&old, &new);
    assert_eq!(shown.lines().count(), DIFF_LINES_SHOWN + 1);
    assert!(shown.ends_with("... and 180 more differing lines"), "{shown}");
}
