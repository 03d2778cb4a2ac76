//! A scenario's binary code (what the page embeds): the page's codes are those of their JSON files,
//! every scenario survives `encode` and `decode`, and a damaged or invalid code is refused with a
//! reason, never a panic.

use partition_playground::engine::BrokerId;
use partition_playground::scenario::{self, Scenario, ScenarioError};
use std::path::Path;

/// The page's scenarios: `www/scenarios/<name>.json` and its code `<name>.bin`.
const PAGE_SCENARIOS: [&str; 2] = ["default", "large"];

fn parse_file(path: &Path) -> Scenario {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    scenario::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn default_scenario() -> Scenario {
    parse_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("www/scenarios/default.json"))
}

/// `PP_BLESS=1 cargo test --test scenario_code` rewrites the codes after a JSON file or the format
/// changed (as `partition-playground encode www/scenarios/<name>.json www/scenarios/<name>.bin` does).
#[test]
fn the_page_codes_are_those_of_their_json_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/scenarios");
    for name in PAGE_SCENARIOS {
        let code = scenario::encode(&parse_file(&dir.join(format!("{name}.json"))));
        let bin = dir.join(format!("{name}.bin"));
        if std::env::var_os("PP_BLESS").is_some() {
            std::fs::write(&bin, &code).unwrap();
        }
        let committed = std::fs::read(&bin).unwrap_or_default();
        assert!(
            committed == code,
            "{} is stale: run `PP_BLESS=1 cargo test --test scenario_code` (or `partition-playground encode`)",
            bin.display()
        );
    }
}

#[test]
fn every_scenario_file_survives_its_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/scenarios", "examples", "www/scenarios"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 17, "found only {files:?}");
    for path in files {
        let s = parse_file(&path);
        let code = scenario::encode(&s);
        assert_eq!(scenario::decode(&code).as_ref(), Ok(&s), "{}", path.display());
    }
}

/// The code is small: the default scenario, with every config spelled out, in under 200 bytes.
#[test]
fn the_default_code_is_compact() {
    let code = scenario::encode(&default_scenario());
    assert!(code.len() < 200, "{} bytes", code.len());
    assert_eq!(code[0], 1, "the code starts with its format number");
}

fn refused(s: &Scenario) -> ScenarioError {
    scenario::decode(&scenario::encode(s)).expect_err("an invalid scenario's code is refused")
}

/// A code holds typed values, so only what types cannot say is left to check, and it is checked
/// as for JSON, with the field's path.
#[test]
fn an_invalid_scenario_in_a_code_is_refused_with_its_path() {
    let mut s = default_scenario();
    s.topics[0].replication_factor = 4;
    let e = refused(&s);
    assert_eq!(e.path, "topics[0].replication.factor");
    assert!(e.reason.contains("number of brokers (3)"), "{e}");

    let mut s = default_scenario();
    s.cluster.brokers[2].id = BrokerId(1);
    assert_eq!(refused(&s).path, "cluster.brokers[2].id");

    let mut s = default_scenario();
    let mut later = s.commands[0].clone();
    later.at_ms = 5;
    s.commands.insert(0, later);
    let e = refused(&s);
    assert_eq!(e.path, "commands[1].at_ms");
    assert!(e.reason.contains("time order"), "{e}");

    let mut s = default_scenario();
    s.until_ms = partition_playground::engine::LIMITS.time_ms_max + 1;
    assert_eq!(refused(&s).path, "until_ms");

    let mut s = default_scenario();
    s.producers[0].config.acks = partition_playground::engine::Acks::Leader;
    s.producers[0].config.enable_idempotence = Some(true);
    assert_eq!(refused(&s).path, "producers[0].config.enable.idempotence");
}

#[test]
fn another_format_or_extra_bytes_are_refused() {
    let mut s = default_scenario();
    s.format = 2;
    let e = refused(&s);
    assert_eq!((e.path.as_str(), e.reason.as_str()), ("format", "this playground reads format 1, not 2"));

    let mut code = scenario::encode(&default_scenario());
    code.push(0);
    let e = scenario::decode(&code).unwrap_err();
    assert!(e.reason.contains("1 bytes left after its end"), "{e}");
    assert!(scenario::decode(&[]).unwrap_err().reason.starts_with("not a scenario code"));
}

/// Every cut and every single-byte change of the default code: refused with a reason, or (when the
/// change still spells a valid scenario) accepted as a scenario that survives its own code. Never a
/// panic.
#[test]
fn damaged_codes_are_refused_without_panicking() {
    let code = scenario::encode(&default_scenario());
    let mut accepted = 0;
    let mut refused = 0;
    let mut check = |bytes: &[u8]| match scenario::decode(bytes) {
        Ok(s) => {
            // Not always to the same bytes: a varint may be spelled with a redundant zero group.
            assert_eq!(scenario::decode(&scenario::encode(&s)).as_ref(), Ok(&s), "{bytes:?}");
            accepted += 1;
        }
        Err(e) => {
            assert!(!e.reason.is_empty());
            refused += 1;
        }
    };
    for end in 0..code.len() {
        check(&code[..end]);
    }
    for at in 0..code.len() {
        for byte in 0..=255u8 {
            if byte != code[at] {
                let mut damaged = code.clone();
                damaged[at] = byte;
                check(&damaged);
            }
        }
    }
    // Both outcomes happen: a changed number or letter can still be valid; most changes are not.
    assert!(accepted > 100 && refused > accepted, "accepted {accepted}, refused {refused}");
}
