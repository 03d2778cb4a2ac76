//! Bounded work: the inputs a mutation fuzzer found to pass the old bounds (issue 7) are refused by
//! the engine's contract with a message naming the field and the budget, however they arrive — as
//! JSON, as a binary code, to the runner (exit 2), or as commands applied to a running engine.

use partition_playground::engine::{
    BrokerConfig, BrokerId, BrokerSpec, ClusterSpec, Command, ConsumerConfig, ConsumerSpec, Engine, NetworkConfig,
    Produce, ProducerSpec, Scenario, TimedCommand, TopicConfig, TopicSpec, FORMAT_VERSION, LIMITS,
};
use partition_playground::scenario;
use std::path::Path;
use std::process::Command as Process;

fn cluster(brokers: u32, config: BrokerConfig) -> ClusterSpec {
    let brokers = (1..=brokers).map(|id| BrokerSpec { id: BrokerId(id), rack: format!("r{}", id % 3) }).collect();
    ClusterSpec { brokers, config, network: NetworkConfig::default(), features: Default::default() }
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
    let mut cases = vec![
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
    ];
    cases.extend(found_in_review());
    cases
}

/// Inputs a review found within the first bounds, each costing far more than they implied.
fn found_in_review() -> Vec<(&'static str, Scenario, &'static str, &'static str)> {
    let day_ms = 86_400_000;
    let session_1_day =
        BrokerConfig { broker_heartbeat_interval_ms: 1, broker_session_timeout_ms: day_ms, ..BrokerConfig::default() };
    let lag_2ms = BrokerConfig { replica_lag_time_max_ms: 2, replica_fetch_wait_max_ms: 0, ..BrokerConfig::default() };
    let backoff_1ms = BrokerConfig { replica_fetch_backoff_ms: 1, ..BrokerConfig::default() };
    let mut slow_consumers = scenario(cluster(3, BrokerConfig::default()), vec![topic("orders", 3, 3)], vec![], 60_000);
    slow_consumers.consumers = (0..40)
        .map(|i| ConsumerSpec {
            name: format!("c{i}"),
            config: ConsumerConfig { fetch_max_wait_ms: 0, request_timeout_ms: day_ms, ..Default::default() },
        })
        .collect();
    let mut far_network = scenario(cluster(3, BrokerConfig::default()), vec![topic("orders", 3, 3)], vec![], 60_000);
    far_network.cluster.network.latency_ms = 60_000;
    far_network.producers[0].config.request_timeout_ms = 1;
    far_network.producers[0].config.delivery_timeout_ms = 120_000;
    vec![
        (
            "1 ms heartbeats for 23 hours",
            scenario(cluster(3, session_1_day), vec![], vec![], 23 * 3_600_000),
            "until_ms",
            "work units; the playground runs at most 500,000,000",
        ),
        (
            "40 consumers whose requests wait a day to time out",
            slow_consumers,
            "consumers",
            "timers and messages in flight; the playground holds at most 1,000,000 (most of them from",
        ),
        (
            "request.timeout.ms 1 on a network of 60 s: every request times out",
            far_network,
            "producers[0].config.request.timeout.ms",
            "must be longer than the network's slowest round trip (2 × (latency.ms + jitter.ms) = 120002 ms), found 1",
        ),
        (
            "replica.lag.time.max.ms 2 on 256 brokers: the isr-expiration task every millisecond",
            scenario(cluster(256, lag_2ms), vec![topic("orders", 1, 1)], vec![], 60_000),
            "cluster.config.replica.lag.time.max.ms",
            "(replica.lag.time.max.ms)",
        ),
        (
            "replica.fetch.backoff.ms 1: followers of a crashed leader retry every millisecond",
            scenario(cluster(100, backoff_1ms), vec![topic("orders", 3_000, 3)], vec![], 60_000),
            "topics[0].partitions",
            "(replica.fetch.wait.max.ms)",
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

/// A code can claim any length for a list: one longer than its bound is refused while it is read,
/// and an input longer than `LIMITS.input_bytes_max` is not read at all.
#[test]
fn oversized_inputs_are_refused_before_they_are_held() {
    let many = vec![Command::CrashBroker { broker: BrokerId(1) }; LIMITS.commands_max + 1];
    let s = scenario(cluster(3, BrokerConfig::default()), vec![topic("orders", 3, 3)], many, 60_000);
    let e = scenario::decode(&scenario::encode(&s)).unwrap_err();
    // postcard keeps no message of its own errors: the code is refused as damaged.
    assert!(e.reason.starts_with("not a scenario code of format 1"), "{e}");
    let huge = " ".repeat(LIMITS.input_bytes_max + 1);
    let e = scenario::parse(&huge).unwrap_err();
    assert!(e.reason.contains("a scenario has at most 33554432 bytes"), "{e}");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("budget-tests");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join("huge.json");
    std::fs::write(&file, huge).expect("scratch file");
    let out = Process::new(env!("CARGO_BIN_EXE_partition-playground"))
        .args(["run", &file.to_string_lossy()])
        .output()
        .expect("the runner starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("a scenario has at most 33554432 bytes; this input has more"), "{stderr}");
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
    assert!(work * 3 < LIMITS.work_per_second_max, "large.json implies {work} work units a second");
    let entries = engine.ledger().agenda_entries();
    assert!(entries * 3 < LIMITS.agenda_entries_max, "large.json implies {entries} agenda entries");
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
    use partition_playground::engine::{ChangeConfig, NodeRef, When};
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
                })),
            (name(), name()).prop_map(|(consumer, topic)| Command::Consume { consumer, topic }),
            broker.clone().prop_map(|broker| Command::CrashBroker { broker }),
            broker.clone().prop_map(|broker| Command::RestartBroker { broker }),
            broker.clone().prop_map(|broker| Command::ControlledShutdown { broker }),
            (node(), node()).prop_map(|(a, b)| Command::CutLink { between: [a, b] }),
            (node(), node()).prop_map(|(a, b)| Command::HealLink { between: [a, b] }),
            (node(), node()).prop_map(|(from, to)| Command::CutLinkOneWay { from, to }),
            broker.clone().prop_map(|broker| Command::PauseBroker { broker }),
            broker.clone().prop_map(|broker| Command::ResumeBroker { broker }),
            (
                proptest::option::of(name()),
                proptest::option::of(0..20u64),
                broker.clone(),
                proptest::option::of(name())
            )
                .prop_map(|(event, high_watermark, b, partition)| Command::When(When {
                    event,
                    high_watermark,
                    broker: Some(b),
                    partition,
                    then: Box::new(Command::CrashBroker { broker: b }),
                })),
            (broker, any::<bool>()).prop_map(|(broker, stalled)| Command::SlowReplica { broker, stalled }),
            (name(), prop_oneof![Just(0u32), 1..4u32, Just(5_000)], 0..5u32)
                .prop_map(|(n, partitions, rf)| Command::CreateTopic(topic(&n, partitions, rf))),
            (name(), proptest::option::of(0..5u32)).prop_map(|(topic, m)| Command::ChangeConfig(ChangeConfig::Topic {
                topic,
                config: TopicConfig {
                    min_insync_replicas: m,
                    unclean_leader_election_enable: Some(true),
                    ..Default::default()
                },
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

/// The budget's estimate is an upper bound of what a cluster really costs: for random
/// configurations the contract accepts, an idle cluster takes no more steps per simulated second
/// than `Ledger::work_per_second`, and its agenda never holds more than `Ledger::agenda_entries`,
/// also when a broker crashes and restarts on the way (the memory bound holds through faults; the
/// retries a fault sets off are a burst, not a rate, and are not compared).
#[cfg(not(target_arch = "wasm32"))]
mod the_estimate_bounds_what_a_cluster_costs {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    pub(super) struct Shape {
        pub(super) brokers: u32,
        pub(super) partitions: u32,
        pub(super) rf: u32,
        pub(super) config: BrokerConfig,
        pub(super) latency_ms: u64,
        pub(super) jitter_ms: u64,
        pub(super) consumer_wait_ms: u64,
        pub(super) request_timeout_ms: u64,
        pub(super) seed: u64,
    }

    fn shape() -> impl Strategy<Value = Shape> {
        (1..7u32, 1..13u32, 1..4u32, 1..3_000u64, 1..20_000u64, 1..20_000u64, 0..1_000u64, 1..2_000u64)
            .prop_flat_map(|(brokers, partitions, rf, hb, session_more, lag, wait, backoff)| {
                let config = BrokerConfig {
                    broker_heartbeat_interval_ms: hb,
                    broker_session_timeout_ms: hb + session_more,
                    replica_lag_time_max_ms: lag.max(wait),
                    replica_fetch_wait_max_ms: wait,
                    replica_fetch_backoff_ms: backoff,
                    ..BrokerConfig::default()
                };
                (
                    Just((brokers, partitions, rf.min(brokers), config)),
                    0..30u64,
                    0..10u64,
                    0..1_000u64,
                    0..30_000u64,
                    any::<u64>(),
                )
            })
            .prop_map(|((brokers, partitions, rf, config), latency_ms, jitter_ms, consumer_wait_ms, timeout, seed)| {
                Shape {
                    brokers,
                    partitions,
                    rf,
                    config,
                    latency_ms,
                    jitter_ms,
                    consumer_wait_ms,
                    request_timeout_ms: 2 * (latency_ms + jitter_ms) + 1 + timeout,
                    seed,
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn idle_and_with_a_crash(shape in shape()) {
            let Some((per_second, work, _, _)) = run(&shape, false) else { return Ok(()) };
            prop_assert!(per_second <= work, "{} steps a second, estimate {} ({:?})", per_second, work, shape);
            let Some((_, _, agenda_max, entries)) = run(&shape, true) else { return Ok(()) };
            prop_assert!(agenda_max <= entries, "agenda held {}, estimate {} ({:?})", agenda_max, entries, shape);
        }
    }
}

/// Runs the shape for 30 simulated seconds, broker 1 crashed from 5 s to 15 s if `crash`: steps per
/// second, the work estimate, the agenda's longest, the agenda estimate. `None` if the contract
/// refuses the shape.
#[cfg(not(target_arch = "wasm32"))]
fn run(shape: &the_estimate_bounds_what_a_cluster_costs::Shape, crash: bool) -> Option<(u64, u64, u64, u64)> {
    let mut s = scenario(
        cluster(shape.brokers, shape.config.clone()),
        vec![topic("orders", shape.partitions, shape.rf)],
        vec![],
        30_000,
    );
    s.seed = shape.seed;
    s.cluster.network = NetworkConfig { latency_ms: shape.latency_ms, jitter_ms: shape.jitter_ms };
    s.consumers[0].config = ConsumerConfig {
        fetch_max_wait_ms: shape.consumer_wait_ms,
        request_timeout_ms: shape.request_timeout_ms,
        ..Default::default()
    };
    s.producers[0].config.request_timeout_ms = shape.request_timeout_ms;
    s.producers[0].config.delivery_timeout_ms = shape.request_timeout_ms + 120_000;
    s.commands =
        vec![TimedCommand { at_ms: 0, command: Command::Consume { consumer: "c".into(), topic: "orders".into() } }];
    if crash {
        s.commands.push(TimedCommand { at_ms: 5_000, command: Command::CrashBroker { broker: BrokerId(1) } });
        s.commands.push(TimedCommand { at_ms: 15_000, command: Command::RestartBroker { broker: BrokerId(1) } });
    }
    let mut engine = Engine::new(&s).ok()?;
    let (work, entries) = (engine.ledger().work_per_second(), engine.ledger().agenda_entries());
    let mut agenda_max = 0;
    for second in 1..=30u64 {
        engine.advance_to(second * 1_000, u64::MAX).expect("progresses");
        agenda_max = agenda_max.max(engine.agenda_len() as u64);
    }
    Some((engine.steps() / 30, work, agenda_max, entries))
}

/// Without `until_ms`, a scenario settles 30 s after its last command, but never past the 30 days a
/// scenario may run: a late command is not turned into an error about a field nobody wrote.
#[test]
fn the_default_until_stays_within_30_days() {
    let last_ms = LIMITS.time_ms_max - 1_000;
    let text = format!(
        r#"{{"format": 1, "cluster": {{"brokers": [{{"id": 1}}]}}, "commands": [{{"at_ms": {last_ms}, "crash_broker": {{"broker": 1}}}}]}}"#
    );
    let s = scenario::parse(&text).expect("a command a second before 30 days");
    assert_eq!(s.until_ms, LIMITS.time_ms_max);
}
