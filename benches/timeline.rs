//! Time-travel benchmark (`cargo bench --bench timeline`), natively, one core: a session of 10,000
//! clicks (produces over 12 partitions, with broker crashes and restarts among them) played as the
//! page plays it, with a [`Timeline`] observing between frames; then seeks to 200 random times, in
//! random order, each giving the engine exactly as it was then (issue 12: at most 50 ms in the
//! browser). Prints the seek times, the checkpoints held and their estimated memory.
//!
//! Wall time is measured here, in the driver, never inside the engine.

use partition_playground::engine::{BrokerId, Command, Engine, Produce, Timeline};
use partition_playground::scenario;
use std::time::Instant;

#[path = "support/counting.rs"]
mod counting;

const CLICKS: u64 = 10_000;

fn click(i: u64) -> Command {
    let broker = 1 + (i / 500) % 3;
    match i % 500 {
        // A crash, then the restart 100 clicks later: failovers and catching up in the run.
        250 => Command::CrashBroker { broker: BrokerId(broker as u32) },
        350 => Command::RestartBroker { broker: BrokerId(broker as u32) },
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

fn main() {
    let json = r#"{
      "format": 1, "seed": 12,
      "cluster": { "brokers": [{"id": 1, "rack": "a"}, {"id": 2, "rack": "b"}, {"id": 3, "rack": "c"}] },
      "topics": [{ "name": "bench", "partitions": 12, "replication.factor": 3, "config": {"min.insync.replicas": 2} }],
      "producers": [{ "name": "p", "config": { "acks": "all" } }],
      "consumers": [{ "name": "c", "config": { "auto.offset.reset": "earliest" } }],
      "commands": [{ "at_ms": 0, "consume": { "consumer": "c", "topic": "bench" } }],
      "until_ms": 0
    }"#;
    let scenario = scenario::parse(json).expect("bench scenario");
    let mut timeline = Timeline::new(&scenario).expect("valid");
    let mut live = Engine::new(&scenario).expect("valid");
    let start = Instant::now();
    let mut now = 0;
    for i in 0..CLICKS {
        // Clicks 0.3-2.5 s apart; frames of 16 simulated ms between them, as the page plays at 1x.
        let next = now + 300 + (i * 7919) % 2_200;
        while now < next {
            now = (now + 16).min(next);
            live.advance_to(now, u64::MAX).expect("progresses");
            timeline.observe(&live);
        }
        live.apply(click(i)).expect("a valid click");
    }
    let played = start.elapsed().as_secs_f64();
    let before = counting::live_bytes();
    let copy = live.clone();
    let clone_bytes = counting::live_bytes() - before;
    drop(copy);
    let session = live.session().to_vec();
    let end = live.now_ms();

    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut times_ms: Vec<f64> = Vec::new();
    for _ in 0..200 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let t = seed % (end + 1);
        let started = Instant::now();
        let engine = timeline.seek(&session, t).expect("seeks");
        times_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(engine.now_ms(), t);
    }
    times_ms.sort_by(f64::total_cmp);
    let (count, bytes) = timeline.checkpoints();
    println!(
        "time travel ({CLICKS} clicks over {:.0} simulated s, 12 partitions, RF 3, acks=all):",
        end as f64 / 1000.0
    );
    println!("  played live with the timeline   {played:.2} s wall, {} engine steps", live.steps());
    println!(
        "  one checkpoint at the end       {:.2} MiB measured (a clone; record texts shared), {:.2} MiB estimated",
        clone_bytes as f64 / 1048576.0,
        Timeline::estimated_bytes(&live) as f64 / 1048576.0
    );
    println!(
        "  checkpoints                     {count} ({:.1} MiB estimated), every {} steps",
        bytes as f64 / 1048576.0,
        timeline.spacing_steps()
    );
    println!(
        "  seek to a random time, 200x     median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        times_ms[100], times_ms[190], times_ms[199]
    );
}
