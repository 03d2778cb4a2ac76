//! Engine benchmarks (`cargo bench --bench engine`), natively, one core:
//!
//! 1. End-to-end records/s: 3 brokers, topic of 12 partitions, RF 3, min.insync.replicas 2, an
//!    `acks=all` idempotent producer with keyed records and a consumer: produce -> replicate -> HW ->
//!    consume, until the consumer has every record. Also the heap held once 1,000,000 records are
//!    stored (three replicas each, plus client bookkeeping), measured with a counting allocator.
//! 2. Simulated events/s on a 100-broker, 1,000-partition cluster with traffic and a broker crash.
//!
//! Wall time is measured here, in the driver, never inside the engine.

use partition_playground::engine::Produce;
use partition_playground::engine::{Command, Engine};
use partition_playground::scenario;
use std::time::Instant;

#[path = "support/counting.rs"]
mod counting;

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn throughput(records: u64) {
    let json = r#"{
      "format": 1, "seed": 7,
      "cluster": { "brokers": [{"id": 1, "rack": "a"}, {"id": 2, "rack": "b"}, {"id": 3, "rack": "c"}] },
      "topics": [{ "name": "bench", "partitions": 12, "replication.factor": 3, "config": {"min.insync.replicas": 2} }],
      "producers": [{ "name": "p", "config": { "acks": "all", "linger.ms": 10, "batch.size": 1048576 } }],
      "consumers": [{ "name": "c", "config": { "auto.offset.reset": "earliest", "max.poll.records": 100000 } }],
      "commands": [{ "at_ms": 0, "consume": { "consumer": "c", "topic": "bench" } }],
      "until_ms": 0
    }"#;
    let scenario = scenario::parse(json).expect("bench scenario");
    let heap_before = counting::live_bytes();
    let mut engine = Engine::new(&scenario).expect("the scenario is within the contract");
    let per_ms = 100u64; // offered load: 100,000 records per simulated second
    let start = Instant::now();
    let mut sent = 0u64;
    let mut now = 0u64;
    while sent < records {
        now += 1;
        engine.advance_to(now, u64::MAX).expect("the simulation progresses");
        // One send of `per_ms` records a millisecond: the engine takes at most 20,000 commands
        // (`LIMITS.commands_max` twice), so 1,000,000 records come as 10,000 sends. A send's
        // records share one key and value text (`Record::text`), as `count` does in the page; the
        // keys spread the sends over every partition.
        let count = per_ms.min(records - sent);
        let produce = Produce {
            producer: "p".into(),
            topic: "bench".into(),
            key: Some(format!("key-{}", (sent / per_ms) % 4096)),
            value: format!("value-{sent:08}"),
            count: count as u32,
            partition: None,
        };
        engine.apply(Command::Produce(produce)).expect("produce");
        sent += count;
    }
    // Let replication, the HW and the consumer catch up with everything.
    let view_received = |e: &Engine| e.view(Default::default()).consumers[0].received_total;
    while view_received(&engine) < records {
        now += 100;
        engine.advance_to(now, u64::MAX).expect("the simulation progresses");
    }
    let wall = start.elapsed().as_secs_f64();
    let heap = counting::live_bytes().saturating_sub(heap_before);
    assert_eq!(engine.unexpected_violations(), 0);
    println!("end-to-end (3 brokers, 12 partitions, RF 3, acks=all, keyed records, consumed):");
    println!("  records                  {records}");
    println!("  simulated time           {:.1} s", now as f64 / 1000.0);
    println!("  wall time                {wall:.3} s");
    println!("  records/s                {:.0}", records as f64 / wall);
    println!("  engine steps             {}", engine.steps());
    println!(
        "  heap after all stored    {:.1} MiB ({:.0} bytes/record, 3 replicas each, text shared per send)",
        mib(heap),
        heap as f64 / records as f64
    );
}

fn large_cluster(sim_seconds: u64) {
    let brokers: Vec<String> = (1..=100).map(|id| format!(r#"{{"id": {id}, "rack": "r{}"}}"#, id % 10)).collect();
    let json = format!(
        r#"{{
      "format": 1, "seed": 11,
      "cluster": {{ "brokers": [{}] }},
      "topics": [{{ "name": "big", "partitions": 1000, "replication.factor": 3, "config": {{"min.insync.replicas": 2}} }}],
      "producers": [{{ "name": "p" }}],
      "consumers": [{{ "name": "c", "config": {{ "auto.offset.reset": "earliest" }} }}],
      "commands": [
        {{ "at_ms": 0, "consume": {{ "consumer": "c", "topic": "big" }} }},
        {{ "at_ms": 20000, "crash_broker": {{ "broker": 7 }} }},
        {{ "at_ms": 40000, "restart_broker": {{ "broker": 7 }} }}
      ],
      "until_ms": 60000
    }}"#,
        brokers.join(", ")
    );
    let scenario = scenario::parse(&json).expect("large scenario");
    let setup = Instant::now();
    let mut engine = Engine::new(&scenario).expect("the scenario is within the contract");
    let setup_s = setup.elapsed().as_secs_f64();
    let start = Instant::now();
    let steps_before = engine.steps();
    for ms in (10..=sim_seconds * 1000).step_by(10) {
        engine.advance_to(ms, u64::MAX).expect("the simulation progresses");
        // 100 keyed records per simulated 10 ms: 10,000 records/s over 1,000 partitions.
        let produce = Produce {
            producer: "p".into(),
            topic: "big".into(),
            key: Some(format!("k{ms}")),
            value: "x".into(),
            count: 100,
            partition: None,
        };
        engine.apply(Command::Produce(produce)).expect("produce");
    }
    let wall = start.elapsed().as_secs_f64();
    let steps = engine.steps() - steps_before;
    assert_eq!(engine.unexpected_violations(), 0);
    println!("large cluster (100 brokers, 1,000 partitions, RF 3; traffic, a crash and a restart):");
    println!("  build from scenario      {setup_s:.3} s");
    println!("  simulated time           {sim_seconds} s");
    println!("  wall time                {wall:.3} s");
    println!("  simulated events         {steps}");
    println!("  simulated events/s       {:.0}", steps as f64 / wall);
    println!("  simulated/wall speed     {:.1}x real time", sim_seconds as f64 / wall);
}

fn main() {
    // `cargo bench` passes `--bench`; a number argument changes the record count.
    let records = std::env::args().filter_map(|a| a.parse::<u64>().ok()).next().unwrap_or(1_000_000);
    throughput(records);
    large_cluster(60);
}
