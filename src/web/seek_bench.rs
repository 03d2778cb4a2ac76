//! Seek latency in the browser (issue 12: at most 50 ms at 10,000 commands), for the page
//! benchmarks (`tests/e2e/bench.mjs`, the `bench` feature only): the session of
//! `benches/timeline.rs` played with a `Timeline` observing between frames, then seeks.

use crate::engine::{BrokerId, Command, Engine, Produce, Timeline};
use crate::scenario::decode;
use crate::web::dom;
use wasm_bindgen::prelude::*;

/// Click `i` of the session: produces with a rotating key, a broker crashed and restarted every 500
/// clicks (the same session as `benches/timeline.rs`; the scenario needs producer `p`, topic
/// `bench` and brokers 1-3).
fn click(i: u64) -> Command {
    let broker = BrokerId(1 + ((i / 500) % 3) as u32);
    match i % 500 {
        250 => Command::CrashBroker { broker },
        350 => Command::RestartBroker { broker },
        _ => Command::Produce(Produce {
            producer: "p".into(),
            topic: "bench".into(),
            key: Some(format!("key-{}", i % 97)),
            value: format!("order {i} paid"),
            count: 1 + (i % 10) as u32,
            partition: None,
        }),
    }
}

// Plays `clicks` clicks 0.3-2.5 s apart on the scenario (its binary code) in frames of 16 simulated
// ms with a `Timeline` observing, as the page does; then seeks to `seeks` times spread over the run
// in a scrambled order. Returns `[play_ms, checkpoints, seek_ms...]` (wall ms, `performance.now()`).
#[wasm_bindgen(skip_jsdoc)]
pub fn pp_seek_bench(scenario_code: &[u8], clicks: u32, seeks: u32) -> Result<Vec<f64>, JsValue> {
    let err = |e: &dyn std::fmt::Display| JsValue::from_str(&e.to_string());
    let scenario = decode(scenario_code).map_err(|e| err(&e))?;
    let mut timeline = Timeline::new(&scenario).map_err(|e| err(&e))?;
    let mut live = Engine::new(&scenario).map_err(|e| err(&e))?;
    let t0 = dom::now_ms();
    let mut now = 0;
    for i in 0..u64::from(clicks) {
        let next = now + 300 + (i * 7919) % 2_200;
        while now < next {
            now = (now + 16).min(next);
            live.advance_to(now, u64::MAX).map_err(|e| err(&e))?;
            timeline.observe(&live);
        }
        live.apply(click(i)).map_err(|e| err(&e))?;
    }
    let mut out = vec![dom::now_ms() - t0, timeline.checkpoints().0 as f64];
    let session = live.session().to_vec();
    let seeks = u64::from(seeks.max(1));
    for k in 0..seeks {
        // k * 7 mod seeks visits every time once when seeks is not a multiple of 7.
        let t = now * ((k * 7) % seeks) / seeks;
        let t0 = dom::now_ms();
        let engine = timeline.seek(&session, t).map_err(|e| err(&e))?;
        out.push(dom::now_ms() - t0);
        drop(engine);
    }
    Ok(out)
}
