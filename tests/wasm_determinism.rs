//! The WebAssembly half of `tests/determinism.rs`: the same scenarios, run by the engine compiled to
//! wasm32 in headless Chromium, reach the state hashes recorded from native runs.
#![cfg(target_arch = "wasm32")]

use partition_playground::engine::Engine;
use partition_playground::scenario;
use std::collections::BTreeMap;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN: &str = include_str!("golden_hashes.json");

macro_rules! scenarios {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("scenarios/", $name)))),*]
    };
}

#[wasm_bindgen_test]
fn wasm_runs_reach_the_native_state_hashes() {
    let golden: BTreeMap<String, String> = serde_json::from_str(GOLDEN).expect("golden hashes");
    let cases = scenarios!(
        "tc01_steady_state.json",
        "tc03_idempotent_retry.json",
        "tc04_under_min_isr.json",
        "tc08_last_isr_member_offline.json",
        "s7_3_unclean_election.json",
        "s7_4_zombie_leader.json",
        "s7_6_rack_failure_follower_fetching.json",
    );
    for (name, text) in cases {
        let scenario = scenario::parse(text).expect("valid scenario");
        assert_eq!(scenario::decode(&scenario::encode(&scenario)).as_ref(), Ok(&scenario), "{name}: binary code");
        let mut engine = Engine::new(&scenario).expect("the scenario is within the contract");
        engine.advance_to(scenario.until_ms, u64::MAX).expect("the simulation progresses");
        assert_eq!(Some(&format!("{:016x}", engine.state_hash())), golden.get(name), "{name}");
    }
}

/// Issue 9: a share link replays to the same state in the browser as natively. The golden links of
/// every format (`tests/links/format-N.txt`: time, native state hash, link) decode and replay in wasm
/// to the hash recorded natively.
#[wasm_bindgen_test]
fn golden_links_replay_in_wasm_to_their_native_state_hashes() {
    let files = [include_str!("links/format-1.txt"), include_str!("links/format-2.txt")];
    let mut seen = 0;
    for line in files.iter().flat_map(|f| f.lines()) {
        let mut parts = line.splitn(3, ' ');
        let (at, hash, text) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let (link, _) = scenario::read_link(text).expect("a golden link opens");
        let engine = Engine::replay(&link.scenario, &link.session, at.parse().unwrap()).expect("replays");
        assert_eq!(format!("{:016x}", engine.state_hash()), hash, "{}", &text[..24]);
        seen += 1;
    }
    assert!(seen >= 1, "golden links are kept in tests/links");
}
