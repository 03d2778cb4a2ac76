//! Runs one scenario in process exactly as the page's `pp_engine_bench` does in wasm (`Engine::new`,
//! then `advance_to(until_ms)`), and prints `{wall_ms, steps, state_hash}` per run, so the native and
//! the browser engine can be compared for speed and for determinism (equal state hashes). Used by the
//! page benchmarks (`tests/e2e/bench.mjs`, run by `./dev bench`):
//!
//! ```text
//! PP_BENCH_SCENARIO=FILE.json PP_BENCH_RUNS=5 cargo bench --bench scenario
//! ```
//!
//! Without `PP_BENCH_SCENARIO` it runs the page's default scenario.

use partition_playground::engine::Engine;
use partition_playground::scenario;
use std::time::Instant;

fn main() {
    let path = std::env::var("PP_BENCH_SCENARIO")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/www/scenarios/default.json").to_string());
    let runs: u32 = std::env::var("PP_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let scenario = scenario::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    for _ in 0..runs {
        // Timed like pp_engine_bench: building the engine from the parsed scenario, then running it.
        let start = Instant::now();
        let mut engine = Engine::new(&scenario).expect("the scenario is within the contract");
        engine.advance_to(scenario.until_ms, u64::MAX).expect("the simulation progresses");
        let wall_ms = start.elapsed().as_secs_f64() * 1e3;
        println!(
            "PP_ENGINE_BENCH {{\"wall_ms\":{wall_ms:.3},\"steps\":{},\"state_hash\":\"{:016x}\"}}",
            engine.steps(),
            engine.state_hash()
        );
    }
}
