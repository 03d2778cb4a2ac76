//! The headless runner as a user runs it: the built binary, real files, exit codes, stdout/stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/runner_cli.rs"]
mod runner_cli;

use runner_cli::{root, run, stderr, BIN};

/// A scratch file under the target directory, unique per test.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("runner-tests");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("scratch file");
    path
}

fn default_scenario() -> String {
    root().join("www/scenarios/default.json").to_string_lossy().into_owned()
}

fn no_panic(o: &Output) {
    let e = stderr(o);
    assert!(!e.contains("panicked") && !e.contains("RUST_BACKTRACE"), "the runner panicked: {e}");
}

#[test]
fn default_scenario_runs_and_is_deterministic() {
    let path = default_scenario();
    let first = run(&["run", &path]);
    no_panic(&first);
    assert_eq!(first.status.code(), Some(0), "stderr: {}", stderr(&first));
    let json: serde_json::Value = serde_json::from_slice(&first.stdout).expect("stdout is JSON");
    let hash = json["state_hash"].as_str().expect("state_hash is a string");
    assert_eq!(hash.len(), 16);
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(json["now_ms"], 10_000, "default until = the scenario's until_ms");
    assert_eq!(json["unexpected_violations"], 0);
    let partitions = json["partitions"].as_array().expect("partitions");
    assert_eq!(partitions.len(), 3);
    for p in partitions {
        for key in
            ["topic", "partition", "leader", "leader_epoch", "partition_epoch", "isr", "replicas", "replica_states"]
        {
            assert!(p.get(key).is_some(), "partition lacks {key}: {p}");
        }
        for r in p["replica_states"].as_array().expect("replicas") {
            for key in ["broker", "role", "log_end_offset", "high_watermark", "leader_epoch", "epoch_cache", "log"] {
                assert!(r.get(key).is_some(), "replica lacks {key}: {r}");
            }
        }
    }
    let events = json["events"].as_array().expect("events");
    assert!(!events.is_empty());
    for e in events {
        assert!(e["seq"].is_u64() && e["at_ms"].is_u64() && e["event"].is_string(), "{e}");
        assert!(!e["explanation"].as_str().expect("explanation").is_empty());
    }
    assert!(json["safety"]["invariants"].as_array().is_some_and(|i| !i.is_empty()));
    assert!(json["producers"].is_array() && json["consumers"].is_array());

    let second = run(&["run", &path]);
    assert_eq!(first.stdout, second.stdout, "two runs of one scenario print the same report");
}

#[test]
fn produce_scenario_reports_sends_logs_and_records() {
    let path = scratch(
        "produce.json",
        r#"{"format": 1, "seed": 3,
            "cluster": {"brokers": [{"id": 1}, {"id": 2}, {"id": 3}]},
            "topics": [{"name": "orders", "partitions": 1, "replication.factor": 3}],
            "producers": [{"name": "p"}], "consumers": [{"name": "c", "config": {"auto.offset.reset": "earliest"}}],
            "commands": [{"consume": {"consumer": "c", "topic": "orders"}},
                         {"at_ms": 100, "produce": {"producer": "p", "topic": "orders", "key": "k", "value": "v", "count": 4}}],
            "until_ms": 3000}"#,
    );
    let o = run(&["run", path.to_str().unwrap()]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sends = json["producers"][0]["sends"].as_array().unwrap();
    assert!(!sends.is_empty());
    assert!(sends.iter().all(|s| s["status"]["state"] == "acknowledged"), "{sends:?}");
    let log = json["partitions"][0]["replica_states"][0]["log"].as_array().unwrap();
    assert_eq!(log.len(), 4, "full logs in the report");
    assert_eq!(log[0]["key"], "k");
    assert_eq!(json["consumers"][0]["received"].as_array().unwrap().len(), 4);
}

#[test]
fn until_and_text_format() {
    let path = default_scenario();
    let o = run(&["run", &path, "--until", "2500", "--format", "text"]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("ran to 2500 ms"), "{text}");
    for part in ["Partitions", "orders-0", "LEO", "HW", "Producers", "Consumers", "Events", "Safety", "State hash: "] {
        assert!(text.contains(part), "text lacks {part}:\n{text}");
    }
    let o = run(&["run", "--until=2500", &path]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["now_ms"], 2500);
}

#[test]
fn scenario_from_standard_input() {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(["run", "-", "--format", "text"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the runner starts");
    let text = std::fs::read(default_scenario()).unwrap();
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let from_file = run(&["run", &default_scenario(), "--format", "text"]);
    let hash = |b: &[u8]| String::from_utf8_lossy(b).lines().last().unwrap_or_default().to_string();
    assert_eq!(hash(&o.stdout), hash(&from_file.stdout));
}

#[test]
fn help_exits_zero() {
    for args in [&["--help"][..], &["-h"], &["run", "--help"]] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&o.stdout).contains("Exit codes"));
    }
}

/// (what, arguments, expected part of stderr); every case exits 2 without panicking.
#[test]
fn bad_arguments_and_bad_files_exit_2_naming_the_field() {
    let not_json = scratch("not_json.json", "{ this is not json");
    let bad_ref = scratch(
        "bad_ref.json",
        r#"{"format": 1, "cluster": {"brokers": [{"id": 1}, {"id": 2}]},
            "commands": [{"at_ms": 0, "crash_broker": {"broker": 1}}, {"at_ms": 5, "crash_broker": {"broker": 7}}]}"#,
    );
    let bad_topic = scratch(
        "bad_topic.json",
        r#"{"format": 1, "cluster": {"brokers": [{"id": 1}]}, "topics": [{"name": "orders", "partitions": 1, "replication.factor": 2}]}"#,
    );
    let binary = scratch("binary.json", "");
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    let dir = scratch("dir_marker", "");
    let dir = dir.parent().unwrap().to_str().unwrap().to_string();
    let (nj, br, bt, bin) =
        (not_json.to_str().unwrap(), bad_ref.to_str().unwrap(), bad_topic.to_str().unwrap(), binary.to_str().unwrap());
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        ("no arguments", vec![], "missing command"),
        ("unknown subcommand", vec!["walk", nj], "unknown command `walk`"),
        ("no file", vec!["run"], "missing the scenario file"),
        ("missing file", vec!["run", "/nonexistent/scenario.json"], "cannot read the file"),
        ("a directory", vec!["run", &dir], "cannot read the file"),
        ("not UTF-8", vec!["run", bin], "not UTF-8"),
        ("not JSON", vec!["run", nj], "not valid JSON"),
        ("unknown broker", vec!["run", br], "commands[1].crash_broker.broker: no broker 7 in the cluster"),
        (
            "RF above brokers",
            vec!["run", bt],
            "topics[0].replication.factor: must be between 1 and the number of brokers (1)",
        ),
        ("--until not a number", vec!["run", br, "--until", "10s"], "--until: `10s` is not a whole number"),
        ("--until negative", vec!["run", br, "--until", "-5"], "--until"),
        ("--until without value", vec!["run", br, "--until"], "--until needs a value"),
        ("--until too large", vec!["run", br, "--until", "99999999999999"], "30 days"),
        ("bad format", vec!["run", br, "--format", "yaml"], "--format: `yaml` is not one of json, text"),
        ("unknown option", vec!["run", br, "--verbose"], "unknown option `--verbose`"),
        ("two files", vec!["run", br, bt], "one scenario file per run"),
    ];
    for (what, args, expected) in cases {
        let o = run(&args);
        no_panic(&o);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: exit code; stderr: {e}");
        assert!(e.starts_with("error: "), "{what}: {e}");
        assert!(e.contains(expected), "{what}: stderr `{e}` lacks `{expected}`");
        assert!(o.stdout.is_empty(), "{what}: nothing on stdout");
    }
}

/// The runner accepts every scenario in the repository (whether the engine keeps every invariant
/// there is the scenario tests' business: exit 0 or 1).
#[test]
fn every_example_and_test_scenario_is_accepted() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["examples", "tests/scenarios"] {
        if let Ok(entries) = std::fs::read_dir(root().join(dir)) {
            files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")));
        }
    }
    files.sort();
    for f in files {
        let o = run(&["run", f.to_str().unwrap(), "--format", "text"]);
        no_panic(&o);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}: {:?} {}", f.display(), o.status, stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("State hash: "), "{}", f.display());
    }
}

/// `encode` writes the code the page embeds; `run` reads a code as it reads JSON, to the same state.
#[test]
fn encode_writes_a_code_that_runs_like_its_json() {
    let json = root().join("www/scenarios/default.json");
    let code = scratch("default.bin", "");
    let o = run(&["encode", json.to_str().unwrap(), code.to_str().unwrap()]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("bytes"));
    assert_eq!(std::fs::read(&code).unwrap(), std::fs::read(root().join("www/scenarios/default.bin")).unwrap());

    let hash = |o: &Output| {
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        out.lines().find(|l| l.starts_with("State hash: ")).map(str::to_string).expect("a state hash")
    };
    let from_json = run(&["run", json.to_str().unwrap(), "--format", "text"]);
    let from_code = run(&["run", code.to_str().unwrap(), "--format", "text"]);
    assert_eq!(from_code.status.code(), Some(0), "{}", stderr(&from_code));
    assert_eq!(hash(&from_json), hash(&from_code));

    let bad = scratch(
        "bad_topic_for_encode.json",
        r#"{"format": 1, "cluster": {"brokers": [{"id": 1}]}, "topics": [{"name": "", "partitions": 1, "replication.factor": 1}]}"#,
    );
    let out = scratch("never_written.bin", "untouched");
    for (args, expected) in [
        (vec!["encode", bad.to_str().unwrap(), out.to_str().unwrap()], "topics[0].name: a topic name cannot be empty"),
        (vec!["encode", json.to_str().unwrap()], "encode takes two paths"),
        (vec!["encode", json.to_str().unwrap(), "/nonexistent-dir/x.bin"], "cannot write the file"),
    ] {
        let o = run(&args);
        no_panic(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "untouched", "a refused scenario writes nothing");

    // The format number as a longer varint (0x81 0x00 is 1) still reads as a code.
    let mut long_format = std::fs::read(&code).unwrap();
    long_format.splice(0..1, [0x81, 0x00]);
    let long = scratch("long_format.bin", "");
    std::fs::write(&long, long_format).unwrap();
    let o = run(&["run", long.to_str().unwrap(), "--format", "text"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(hash(&o), hash(&from_json));

    let mut damaged = std::fs::read(&code).unwrap();
    damaged.truncate(damaged.len() / 2);
    std::fs::write(&code, damaged).unwrap();
    let o = run(&["run", code.to_str().unwrap()]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a scenario code"), "{}", stderr(&o));
}

/// The state hash a JSON report ends with.
fn state_hash(o: &Output) -> String {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("a JSON report");
    v["state_hash"].as_str().expect("a state hash").to_string()
}

#[test]
fn link_makes_a_share_link_and_run_replays_it_to_the_same_state() {
    let example = root().join("examples/leader-crash.json").to_string_lossy().into_owned();
    let made = run(&["link", &example, "--at", "12000", "--paused", "--base", "https://notes.test/pp/"]);
    assert!(made.status.success(), "{}", stderr(&made));
    let url = String::from_utf8(made.stdout).unwrap().trim().to_string();
    // Link format 2, this engine's behaviour version.
    let prefix = format!("https://notes.test/pp/#s=2.{}.", partition_playground::engine::BEHAVIOUR_VERSION);
    assert!(url.starts_with(&prefix) && url.ends_with("&t=12000&paused"), "{url}");
    let by_link = run(&["run", &url]);
    assert!(by_link.status.success(), "{}", stderr(&by_link));
    let by_file = run(&["run", &example, "--until", "12000"]);
    assert_eq!(state_hash(&by_link), state_hash(&by_file), "the link opens where --until 12000 stops");
    // The fragment alone works too; `t=0` opens at 0.
    let fragment = url.split_once('#').unwrap().1;
    assert_eq!(state_hash(&run(&["run", fragment])), state_hash(&by_file));
    let at_zero = run(&["run", &fragment.replace("&t=12000", "&t=0")]);
    let v: serde_json::Value = serde_json::from_slice(&at_zero.stdout).expect("a JSON report");
    assert_eq!(v["now_ms"], 0);
    // A link cut inside its data says so, exit code 2.
    let cut = &url[..url.find("&t=").unwrap() - 10];
    let o = run(&["run", cut]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("this link was cut short"), "{}", stderr(&o));
    let inline = run(&["link", &example, "--at=12000", "--paused", "--base=https://notes.test/pp/"]);
    assert_eq!(String::from_utf8(inline.stdout).unwrap().trim(), url, "--at=MS and --base=URL read the same");
    let o = run(&["link", &example, "--at", "99999999999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error: --at:"), "{}", stderr(&o));
}

/// The runner shows what decided a truncation and what waits at a leader (kafka-model §3.6, §4.6):
/// in the zombie-leader scenario, at 20 s the stale leader holds the acks=all request it cannot
/// complete, and the new leader a follower's fetch; at the end, broker 1's truncation carries its
/// fetch (offset, lastFetchedEpoch) and the leader's divergingEpoch and end offset.
#[test]
fn the_json_report_has_parked_requests_and_the_fields_of_a_truncation() {
    let path = root().join("tests/scenarios/s7_4_zombie_leader.json").to_string_lossy().into_owned();
    let o = run(&["run", &path, "--until", "20000"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let replicas = json["partitions"][0]["replica_states"].as_array().expect("replicas");
    let parked = |b: u64, key: &str| replicas.iter().find(|r| r["broker"] == b).expect("replica")[key].clone();
    assert_eq!(parked(1, "parked_produces"), 1, "the zombie holds the acks=all request");
    assert_eq!(parked(2, "parked_produces"), 0);
    assert_eq!(parked(2, "parked_fetches"), 1, "broker 3's fetch waits at the new leader");
    let text = run(&["run", &path, "--until", "20000", "--format", "text"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("waiting: 1 produce request(s) (acks=all) for the HW to pass their records"), "{text}");

    let o = run(&["run", &path]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let truncated = json["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["event"] == "log_truncated")
        .expect("a truncation")
        .clone();
    assert_eq!(
        (
            &truncated["fetch_offset"],
            &truncated["last_fetched_epoch"],
            &truncated["diverging_epoch"],
            &truncated["end_offset"]
        ),
        (&serde_json::json!(10), &serde_json::json!(0), &serde_json::json!(0), &serde_json::json!(5)),
        "{truncated}"
    );
}
