//! Bounded work: the inputs a mutation fuzzer found to pass the old bounds (issue 7) are refused by
//! the engine's contract with a message naming the field and the budget, however they arrive — as
//! JSON, as a binary code, to the runner (exit 2), or as commands applied to a running engine.

use partition_playground::engine::{
    BrokerConfig, BrokerId, BrokerSpec, ClusterSpec, Command, ConsumerSpec, Engine, NetworkConfig, Produce,
    ProducerSpec, Scenario, TimedCommand, TopicConfig, TopicSpec, FORMAT_VERSION, LIMITS,
};
use partition_playground::scenario;
use std::path::Path;
use std::process::Command as Process;

fn cluster(brokers: u32, config: BrokerConfig) -> ClusterSpec {
    let brokers = (1..=brokers).map(|id| BrokerSpec { id: BrokerId(id), rack: format!("r{}", id % 3) }).collect();
    ClusterSpec { brokers, config, network: NetworkConfig::default() }
}

fn topic(name: &str, partitions: u32, replication_factor: u32) -> TopicSpec {
    TopicSpec {
        name: name.into(),
        partitions,
        replication_factor,
        replica_assignment: None,
        config: TopicConfig::default(),
    }
}

fn produce(count: u32) -> Command {
    Command::Produce(Produce {
        producer: "p".into(),
        topic: "orders".into(),
        key: None,
        value: "v".into(),
        count,
        partition: None,
        acks: None,
    })
}

fn scenario(cluster: ClusterSpec, topics: Vec<TopicSpec>, commands: Vec<Command>, until_ms: u64) -> Scenario {
    Scenario {
        format: FORMAT_VERSION,
        seed: 1,
        cluster,
        topics,
        producers: vec![ProducerSpec { name: "p".into(), config: Default::default() }],
        consumers: vec![ConsumerSpec { name: "c".into(), config: Default::default() }],
        commands: commands.into_iter().map(|command| TimedCommand { at_ms: 0, command }).collect(),
        until_ms,
    }
}

/// The cases of issue 7, each with the path and the words its error must have.
fn over_budget() -> Vec<(&'static str, Scenario, &'static str, &'static str)> {
    let fetch_wait_0 = BrokerConfig { replica_fetch_wait_max_ms: 0, ..BrokerConfig::default() };
    let heartbeat_1ms =
        BrokerConfig { broker_heartbeat_interval_ms: 1, broker_session_timeout_ms: 9_000, ..BrokerConfig::default() };
    vec![
        (
            "12 produce commands of 1,000,000 records, RF 3",
            scenario(cluster(3, BrokerConfig::default()), vec![topic("orders", 3, 3)], vec![produce(1_000_000); 12], 60_000),
            "commands[1].produce.count",
            "this would hold 2,000,000 records; the playground holds at most 1,000,000",
        ),
        (
            "256 brokers, 10 topics of 10,000 partitions, RF 256",
            scenario(
                cluster(256, BrokerConfig::default()),
                (0..10).map(|i| topic(&format!("t{i}"), 10_000, 256)).collect(),
                vec![],
                60_000,
            ),
            "topics[0].partitions",
            "the cluster would hold 2,560,000 replicas (partitions × replication factor); the playground holds at most 10,000",
        ),
        (
            "replica.fetch.wait.max.ms 0, 256 brokers, 1,000 partitions, RF 256",
            scenario(cluster(256, fetch_wait_0.clone()), vec![topic("orders", 1_000, 256)], vec![], 60_000),
            "topics[0].partitions",
            "256,000 replicas",
        ),
        (
            "replica.fetch.wait.max.ms 0, 100 brokers, 3,000 partitions, RF 3 (within the replica bound)",
            scenario(cluster(100, fetch_wait_0), vec![topic("orders", 3_000, 3)], vec![], 60_000),
            "topics[0].partitions",
            "work units per simulated second",
        ),
        (
            "1 ms heartbeats, 256 brokers, 30 days",
            scenario(cluster(256, heartbeat_1ms), vec![topic("orders", 10, 3)], vec![], LIMITS.time_ms_max),
            "cluster.config.broker.heartbeat.interval.ms",
            "work units per simulated second",
        ),
        (
            "100 brokers, 1,000 partitions, RF 3, for 30 days",
            scenario(cluster(100, BrokerConfig::default()), vec![topic("orders", 1_000, 3)], vec![], LIMITS.time_ms_max),
            "until_ms",
            "work units; the playground runs at most 500,000,000",
        ),
    ]
}

fn assert_refused(what: &str, got: Result<Scenario, scenario::ScenarioError>, path: &str, words: &str) {
    match got {
        Ok(_) => panic!("{what}: accepted"),
        Err(e) => {
            assert_eq!(e.path, path, "{what}: {e}");
            assert!(e.reason.contains(words), "{what}: `{}` lacks `{words}`", e.reason);
        }
    }
}

#[test]
fn over_budget_scenarios_are_refused_as_json_and_as_codes() {
    for (what, s, path, words) in over_budget() {
        assert_refused(what, scenario::parse(&s.to_json()), path, words);
        assert_refused(what, scenario::decode(&scenario::encode(&s)), path, words);
        let e = Engine::new(&s).err().unwrap_or_else(|| panic!("{what}: Engine::new accepted it"));
        assert_eq!(e.path, path, "{what}");
    }
}

#[test]
fn the_runner_refuses_over_budget_scenarios_with_exit_code_2() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("budget-tests");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    for (i, (what, s, path, words)) in over_budget().into_iter().enumerate() {
        for (kind, bytes) in [("json", s.to_json().into_bytes()), ("bin", scenario::encode(&s))] {
            let file = dir.join(format!("case{i}.{kind}"));
            std::fs::write(&file, bytes).expect("scratch file");
            let out = Process::new(env!("CARGO_BIN_EXE_partition-playground"))
                .args(["run", &file.to_string_lossy()])
                .output()
                .expect("the runner starts");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{what} ({kind}): {stderr}");
            assert!(stderr.contains(&format!("{path}: ")) && stderr.contains(words), "{what} ({kind}): {stderr}");
        }
    }
}

#[test]
fn the_runner_checks_until_against_the_run_budget() {
    let s = scenario(cluster(100, BrokerConfig::default()), vec![topic("orders", 1_000, 3)], vec![], 60_000);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("budget-tests");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join("large.json");
    std::fs::write(&file, s.to_json()).expect("scratch file");
    let out = Process::new(env!("CARGO_BIN_EXE_partition-playground"))
        .args(["run", &file.to_string_lossy(), "--until", &LIMITS.time_ms_max.to_string()])
        .output()
        .expect("the runner starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--until: running this cluster to 2,592,000,000 ms"), "{stderr}");
}

/// What the page does: commands applied one by one to a running engine share the scenario's budget.
#[test]
fn applied_commands_share_the_scenarios_record_budget() {
    let s = scenario(cluster(3, BrokerConfig::default()), vec![topic("orders", 3, 3)], vec![produce(400_000)], 10_000);
    let mut engine = Engine::new(&s).expect("within budget");
    engine.apply(produce(500_000)).expect("900,000 records in all");
    let e = engine.apply(produce(200_000)).expect_err("1,100,000 records in all");
    assert_eq!(e.field, "count");
    assert!(e.reason.contains("this would hold 1,100,000 records; the playground holds at most 1,000,000"), "{e}");
    assert!(e.reason.contains("produced 900,000 so far"), "{e}");
    assert_eq!(engine.ledger().records(), 900_000, "a refused command costs nothing");
    engine.apply(produce(100_000)).expect("exactly 1,000,000");
}

#[test]
fn applied_commands_are_checked_by_the_same_rules_as_a_scenarios() {
    let s = scenario(cluster(3, BrokerConfig::default()), vec![topic("orders", 3, 3)], vec![], 10_000);
    let mut engine = Engine::new(&s).expect("valid");
    let cases: Vec<(Command, &str, &str)> = vec![
        (produce(0), "count", "1 to 1,000,000, found 0"),
        (
            Command::Produce(Produce { value: "x".repeat(1_025), ..produce_body() }),
            "value",
            "at most 1024 bytes, found 1025",
        ),
        (
            Command::Produce(Produce { key: Some("k".repeat(2_000)), ..produce_body() }),
            "key",
            "at most 1024 bytes, found 2000",
        ),
        (Command::Produce(Produce { partition: Some(3), ..produce_body() }), "partition", "partitions 0 to 2, found 3"),
        (Command::CrashBroker { broker: BrokerId(9) }, "broker", "no broker 9 in the cluster"),
        (Command::CreateTopic(topic("big", 4_000, 3)), "partitions", "would hold 12,009 replicas"),
        (Command::CreateTopic(topic("orders", 1, 1)), "name", "topic `orders` already exists"),
        (Command::CreateTopic(topic("a b", 1, 1)), "name", "may only contain"),
        (
            Command::ChangeConfig(partition_playground::engine::ChangeConfig::ClientRack {
                consumer: "c".into(),
                client_rack: "rack one".into(),
            }),
            "client.rack",
            "may only contain",
        ),
    ];
    for (command, field, words) in cases {
        let e = engine.apply(command.clone()).expect_err(&format!("{command:?} refused"));
        assert_eq!(e.field, field, "{command:?}: {e}");
        assert!(e.reason.contains(words), "{command:?}: `{}` lacks `{words}`", e.reason);
    }
    assert!(engine.events_since(0).all(|e| !format!("{:?}", e.kind).contains("CommandRejected")));
}

fn produce_body() -> Produce {
    match produce(1) {
        Command::Produce(p) => p,
        _ => unreachable!(),
    }
}

#[test]
fn a_key_given_twice_in_json_names_the_key() {
    let text = r#"{"format": 1, "seed": 1, "seed": 2, "cluster": {"brokers": [{"id": 1}]}}"#;
    let e = scenario::parse(text).unwrap_err();
    assert_eq!(e.path, "seed");
    assert!(e.reason.contains("appears twice"), "{e}");
    let nested = r#"{"format": 1, "cluster": {"brokers": [{"id": 1}]},
        "topics": [{"name": "t", "partitions": 1, "replication.factor": 1}],
        "producers": [{"name": "p"}],
        "commands": [{"produce": {"producer": "p", "topic": "t", "value": "v", "count": 1, "count": 900}}]}"#;
    let e = scenario::parse(nested).unwrap_err();
    assert_eq!(e.path, "commands[0].produce.count");
}

#[test]
fn the_large_scenario_is_well_inside_the_work_budget() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/www/scenarios/large.json")).unwrap();
    let s = scenario::parse(&text).expect("large.json is valid");
    let engine = Engine::new(&s).expect("within budget");
    let work = engine.ledger().work_per_second();
    assert!(work * 4 < LIMITS.work_per_second_max, "large.json implies {work} work units a second");
}

/// The page's frame loop: a run in slices of a step budget ends in the same state as one run.
#[test]
fn advancing_in_step_budgets_reaches_the_same_state_as_one_advance() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/www/scenarios/default.json")).unwrap();
    let s = scenario::parse(&text).expect("valid");
    let mut whole = Engine::new(&s).expect("valid");
    whole.advance_to(s.until_ms, u64::MAX).expect("progresses");
    let mut sliced = Engine::new(&s).expect("valid");
    let mut slices = 0;
    while let Err(e) = sliced.advance_to(s.until_ms, 50) {
        assert!(matches!(e, partition_playground::engine::AdvanceError::StepBudgetSpent { steps: 50, .. }), "{e}");
        slices += 1;
    }
    assert!(slices > 5, "the default scenario takes more than 250 steps");
    assert_eq!(sliced.state_hash(), whole.state_hash());
    assert_eq!(sliced.steps(), whole.steps());
}

/// Any command, valid or not, applied at any time: the engine never panics, and a command it
/// refuses changes nothing (same state hash, same budget spent) — what the page relies on when a
/// person types anything into a form.
#[cfg(not(target_arch = "wasm32"))]
mod refused_commands_change_nothing {
    use super::*;
    use partition_playground::engine::{ChangeConfig, NodeRef};
    use proptest::prelude::*;

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![Just("orders".to_string()), Just("p".to_string()), Just("c".to_string()), "[a-z ./<>]{0,6}"]
    }

    fn node() -> impl Strategy<Value = NodeRef> {
        prop_oneof![
            Just(NodeRef::Controller),
            (0..6u32).prop_map(|b| NodeRef::Broker(BrokerId(b))),
            name().prop_map(NodeRef::Producer),
            name().prop_map(NodeRef::Consumer),
        ]
    }

    fn command() -> impl Strategy<Value = Command> {
        let broker = (0..6u32).prop_map(BrokerId);
        prop_oneof![
            (
                name(),
                name(),
                prop_oneof![Just(0u32), 1..5u32, Just(400_000), Just(2_000_000)],
                proptest::option::of(0..5u32)
            )
                .prop_map(|(producer, topic, count, partition)| Command::Produce(Produce {
                    producer,
                    topic,
                    key: None,
                    value: "v".into(),
                    count,
                    partition,
                    acks: None,
                })),
            (name(), name()).prop_map(|(consumer, topic)| Command::Consume { consumer, topic }),
            broker.clone().prop_map(|broker| Command::CrashBroker { broker }),
            broker.clone().prop_map(|broker| Command::RestartBroker { broker }),
            broker.clone().prop_map(|broker| Command::ControlledShutdown { broker }),
            (node(), node()).prop_map(|(a, b)| Command::CutLink { between: [a, b] }),
            (node(), node()).prop_map(|(a, b)| Command::HealLink { between: [a, b] }),
            (broker, any::<bool>()).prop_map(|(broker, stalled)| Command::SlowReplica { broker, stalled }),
            (name(), prop_oneof![Just(0u32), 1..4u32, Just(5_000)], 0..5u32)
                .prop_map(|(n, partitions, rf)| Command::CreateTopic(topic(&n, partitions, rf))),
            (name(), proptest::option::of(0..5u32)).prop_map(|(topic, m)| Command::ChangeConfig(ChangeConfig::Topic {
                topic,
                config: TopicConfig { min_insync_replicas: m, unclean_leader_election_enable: Some(true) },
            })),
            (name(), name()).prop_map(|(consumer, client_rack)| Command::ChangeConfig(ChangeConfig::ClientRack {
                consumer,
                client_rack
            })),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        #[test]
        fn any_command_at_any_time(steps in proptest::collection::vec((0..3_000u64, command()), 1..20)) {
            let s = scenario(cluster(3, BrokerConfig::default()), vec![topic("orders", 3, 3)], vec![], 60_000);
            let mut engine = Engine::new(&s).expect("valid");
            for (gap, command) in steps {
                let t = engine.now_ms() + gap;
                engine.advance_to(t, u64::MAX).expect("progresses");
                let (hash, records, replicas) = (engine.state_hash(), engine.ledger().records(), engine.ledger().replicas());
                if let Err(e) = engine.apply(command.clone()) {
                    prop_assert!(!e.reason.is_empty());
                    prop_assert_eq!(engine.state_hash(), hash, "{:?} was refused ({}) but changed the state", command, e);
                    prop_assert_eq!(engine.ledger().records(), records);
                    prop_assert_eq!(engine.ledger().replicas(), replicas);
                }
                prop_assert!(engine.ledger().records() <= LIMITS.records_max);
                prop_assert!(engine.ledger().replicas() <= LIMITS.replicas_max);
            }
            prop_assert_eq!(engine.unexpected_violations(), 0);
        }
    }
}
