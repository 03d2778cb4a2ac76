//! The runner's `svg` and `export` commands as a user runs them: the built binary, real files and
//! directories, exit codes, stdout and stderr (in the manner of `tests/runner.rs`).

use std::path::{Path, PathBuf};
use std::process::Output;

#[path = "support/runner_cli.rs"]
mod runner_cli;

use runner_cli::{root, run, stderr};

fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("runner-export-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn leader_crash() -> String {
    root().join("examples/leader-crash.json").to_string_lossy().into_owned()
}

fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

/// The SVG the runner prints is the golden picture of `tests/svg.rs`: file, moment and width as there.
#[test]
fn svg_prints_the_diagram_at_a_moment() {
    let out = ok(&run(&["svg", &leader_crash(), "--at", "10000"]));
    let golden = std::fs::read_to_string(root().join("tests/svg/leader-crash-10000ms.svg")).expect("golden svg");
    assert_eq!(out, golden);
}

#[test]
fn svg_writes_a_file_with_dash_o() {
    let dir = scratch_dir("svg-o");
    let file = dir.join("crash.svg");
    let out = ok(&run(&["svg", &leader_crash(), "--at=10000", "-o", file.to_str().unwrap()]));
    assert!(out.contains("the diagram at 10000 ms"), "{out}");
    let written = std::fs::read_to_string(&file).expect("the file is written");
    assert!(written.starts_with("<?xml") && written.trim_end().ends_with("</svg>"));
}

/// A share link draws the same moment as the file it was made from.
#[test]
fn svg_reads_a_share_link_as_run_does() {
    let link = ok(&run(&["link", &leader_crash(), "--at", "10000"]));
    let from_link = ok(&run(&["svg", link.trim()]));
    let from_file = ok(&run(&["svg", &leader_crash(), "--at", "10000"]));
    assert_eq!(from_link, from_file);
}

#[test]
fn export_writes_the_golden_files_into_the_directory() {
    let dir = scratch_dir("export-o");
    let out = ok(&run(&["export", &leader_crash(), "-o", dir.to_str().unwrap()]));
    for file in ["compose.yaml", "commands.sh", "README.md"] {
        let written = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let golden = std::fs::read_to_string(root().join("tests/export/leader-crash").join(file)).expect("golden");
        assert_eq!(written, golden, "{file}");
        assert!(out.contains(file), "{out}");
    }
    assert!(out.contains("docker compose up -d"), "{out}");
}

/// A link exports its scenario: the same files as the file it was made from.
#[test]
fn export_reads_a_share_link() {
    let link = ok(&run(&["link", &leader_crash()]));
    let dir = scratch_dir("export-link");
    ok(&run(&["export", link.trim(), "-o", dir.to_str().unwrap()]));
    let written = std::fs::read_to_string(dir.join("commands.sh")).expect("commands.sh");
    let golden = std::fs::read_to_string(root().join("tests/export/leader-crash/commands.sh")).expect("golden");
    assert_eq!(written, golden);
}

/// (what, arguments, expected part of stderr); every case exits 2 with nothing on stdout.
#[test]
fn bad_arguments_and_bad_files_exit_2_naming_the_field() {
    let dir = scratch_dir("bad");
    let bad_ref = dir.join("bad_ref.json");
    std::fs::write(
        &bad_ref,
        r#"{"format": 1, "cluster": {"brokers": [{"id": 1}, {"id": 2}]},
            "commands": [{"at_ms": 0, "crash_broker": {"broker": 1}}, {"at_ms": 5, "crash_broker": {"broker": 7}}]}"#,
    )
    .expect("scratch file");
    let br = bad_ref.to_str().unwrap();
    let lc = leader_crash();
    let out_file = dir.join("a-file");
    std::fs::write(&out_file, "not a directory").expect("scratch file");
    let blocked = out_file.join("sub").to_string_lossy().into_owned();
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        ("svg: unknown broker", vec!["svg", br], "commands[1].crash_broker.broker: no broker 7 in the cluster"),
        ("export: unknown broker", vec!["export", br, "-o", &blocked], "commands[1].crash_broker.broker: no broker 7"),
        ("svg: no file", vec!["svg"], "missing the scenario file: `svg SCENARIO.json`"),
        ("export: no file", vec!["export"], "missing the scenario file: `export SCENARIO.json`"),
        ("svg: missing file", vec!["svg", "/nonexistent/s.json"], "cannot read the file"),
        ("svg: --at not a number", vec!["svg", &lc, "--at", "10s"], "--at: `10s` is not a whole number"),
        ("svg: --at too large", vec!["svg", &lc, "--at", "99999999999999"], "30 days"),
        ("svg: --at without value", vec!["svg", &lc, "--at"], "--at needs a value"),
        ("svg: unknown option", vec!["svg", &lc, "--width", "3"], "unknown option `--width`"),
        ("svg: two files", vec!["svg", &lc, br], "one scenario per picture"),
        ("export: unknown option", vec!["export", &lc, "--zip"], "unknown option `--zip`"),
        ("export: directory cannot be made", vec!["export", &lc, "-o", &blocked], "cannot create the directory"),
        ("svg: a link cut short", vec!["svg", "#s=1.1.AAAA"], ""),
    ];
    for (what, args, expected) in cases {
        let o = run(&args);
        let e = stderr(&o);
        assert!(!e.contains("panicked"), "{what}: {e}");
        assert_eq!(o.status.code(), Some(2), "{what}: exit code; stderr: {e}");
        assert!(e.starts_with("error: "), "{what}: {e}");
        assert!(e.contains(expected), "{what}: stderr `{e}` lacks `{expected}`");
        assert!(o.stdout.is_empty(), "{what}: nothing on stdout");
    }
    assert!(!Path::new(&blocked).exists(), "a bad scenario writes nothing");
}

/// What a person did in the page travels in the link's session: the export plays it too, at its
/// time among the scenario's own commands (here a controlled shutdown of broker 3 at 5 s, between
/// the send at 700 ms and the restart at 12 s).
#[test]
fn export_plays_a_links_session_among_the_scenarios_commands() {
    use partition_playground::engine::{BrokerId, Command as Cmd, TimedCommand};
    use partition_playground::scenario::{self, Link};
    let text = std::fs::read_to_string(leader_crash()).expect("the example");
    let scenario = scenario::parse(&text).expect("a valid scenario");
    let session = vec![TimedCommand { at_ms: 5_000, command: Cmd::ControlledShutdown { broker: BrokerId(3) } }];
    let link = scenario::make_link(&Link { scenario, session, lesson: None }).expect("a link");
    let dir = scratch_dir("export-session");
    ok(&run(&["export", &format!("#s={link}&t=5000"), "-o", dir.to_str().unwrap()]));
    let script = std::fs::read_to_string(dir.join("commands.sh")).expect("commands.sh");
    let at = |s: &str| script.find(s).unwrap_or_else(|| panic!("no `{s}` in commands.sh"));
    assert!(at("# 700 ms: produce") < at("docker stop --time 30 kafka-3"));
    assert!(at("docker stop --time 30 kafka-3") < at("docker start kafka-1"));
}
