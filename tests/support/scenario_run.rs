//! A scenario of `tests/scenarios/` run to its end, for the tests that check Kafka's outcomes and
//! their explanations (`kafka_scenarios.rs`, `explanations.rs`): the final view, every event with
//! the line the event log shows for it, and lookups. Each test file adds its own.
#![allow(dead_code)] // each test file uses its own share of it

use partition_playground::engine::*;
use partition_playground::scenario;

pub struct Run {
    pub view: ClusterView,
    pub events: Vec<(ClusterEvent, String)>,
}

/// Runs `tests/scenarios/<name>.json` to its `until_ms`. Fails on any violation Kafka does not allow.
pub fn run(name: &str) -> Run {
    run_until(name, None)
}

/// [`run`] to `until_ms` instead, if given.
pub fn run_until(name: &str, until_ms: Option<u64>) -> Run {
    let path = format!("{}/tests/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let scenario = scenario::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut engine = Engine::new(&scenario).expect("the scenario is within the contract");
    engine.advance_to(until_ms.unwrap_or(scenario.until_ms), u64::MAX).expect("the simulation progresses");
    let events: Vec<(ClusterEvent, String)> = engine.events_since(0).map(|e| (e.clone(), engine.explain(e))).collect();
    let unexpected: Vec<&String> = events
        .iter()
        .filter(|(e, _)| matches!(e.kind, EventKind::InvariantViolated { expected: false, .. }))
        .map(|(_, t)| t)
        .collect();
    assert!(unexpected.is_empty(), "{name}: unexpected invariant violations: {unexpected:#?}");
    assert_eq!(engine.unexpected_violations(), 0, "{name}: unexpected violations");
    let view = engine.view(ViewOptions { full_logs: true, client_history: usize::MAX, ..ViewOptions::default() });
    Run { view, events }
}

pub fn b(id: u32) -> BrokerId {
    BrokerId(id)
}

impl Run {
    /// The events `f` picks, in order.
    pub fn events_where(&self, f: impl Fn(&EventKind) -> bool) -> Vec<&ClusterEvent> {
        self.events.iter().filter(|(e, _)| f(&e.kind)).map(|(e, _)| e).collect()
    }

    /// When the first event `f` picks happened; fails naming `what` (and printing the log) if none.
    pub fn first_at(&self, what: &str, f: impl Fn(&EventKind) -> bool) -> Millis {
        self.events_where(f).first().unwrap_or_else(|| panic!("expected an event: {what}\n{}", self.log())).at_ms
    }

    pub fn log(&self) -> String {
        self.events.iter().map(|(e, t)| format!("{:>7} {t}\n", e.at_ms)).collect()
    }

    pub fn partition(&self, name: &str) -> &PartitionView {
        self.view.partitions.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no partition {name}"))
    }

    pub fn replica(&self, partition: &str, broker: u32) -> &ReplicaView {
        self.partition(partition).replica_states.iter().find(|r| r.broker == b(broker)).expect("replica")
    }

    pub fn producer(&self, name: &str) -> &ProducerView {
        self.view.producers.iter().find(|p| p.name == name).expect("producer")
    }
}

/// Every scenario file of `tests/scenarios/`, by name, parsed, in name order.
pub fn scenario_files() -> Vec<(String, Scenario)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/scenarios")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(format!("{dir}/{n}")).expect("readable");
            let scenario = scenario::parse(&text).unwrap_or_else(|e| panic!("{n}: {e}"));
            (n, scenario)
        })
        .collect()
}
