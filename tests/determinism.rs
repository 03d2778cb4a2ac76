//! The same scenario gives the same state, natively and in WebAssembly: the state hash of every
//! scenario in `tests/scenarios/` must equal the one recorded in `tests/golden_hashes.json`, which
//! `tests/wasm_determinism.rs` checks in headless Chromium too. After an intended change of engine
//! behaviour, rewrite the file with `PP_BLESS=1 cargo test --test determinism` and review the diff.

use partition_playground::engine::Engine;
use partition_playground::scenario;
use std::collections::BTreeMap;

fn hash_of(text: &str) -> String {
    let scenario = scenario::parse(text).expect("valid scenario");
    let mut engine = Engine::new(&scenario).expect("the scenario is within the contract");
    engine.advance_to(scenario.until_ms, u64::MAX).expect("the simulation progresses");
    format!("{:016x}", engine.state_hash())
}

#[test]
fn every_scenario_hashes_as_recorded() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/scenarios")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let actual: BTreeMap<String, String> = names
        .iter()
        .map(|n| (n.clone(), hash_of(&std::fs::read_to_string(format!("{dir}/{n}")).expect("readable"))))
        .collect();
    let golden_path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden_hashes.json");
    if std::env::var("PP_BLESS").is_ok() {
        std::fs::write(golden_path, serde_json::to_string_pretty(&actual).unwrap() + "\n").expect("write golden");
        return;
    }
    let golden: BTreeMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(golden_path).expect("tests/golden_hashes.json")).expect("json");
    assert_eq!(actual, golden, "state hashes changed; if intended, run PP_BLESS=1 cargo test --test determinism");
}
