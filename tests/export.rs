//! The export to a real cluster (`partition_playground::export`): golden files for two scenarios
//! (`tests/export/<name>/`, rewritten by `PP_BLESS=1 cargo test --test export`), every simulator
//! command mapped to a real act or an explicit note, and user text that cannot escape its quotes.

use partition_playground::engine::{
    Acks, BrokerId, ChangeConfig, Command, ElectLeaders, ElectionType, JoinGroup, NodeRef, Produce, ProducerReconfig,
    ReassignPartitions, SeekTo, TopicConfig, TopicSpec, When,
};
use partition_playground::export::{export, Acts, Names};
use partition_playground::scenario::{self, Scenario, COMMAND_NAMES};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(path: &str) -> Scenario {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    scenario::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Compares `actual` with the file at `path`, or writes it under `PP_BLESS=1`.
fn golden(path: &Path, actual: &str) {
    if std::env::var_os("PP_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a directory")).expect("create the golden directory");
        std::fs::write(path, actual).expect("write the golden file");
        return;
    }
    let expected = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (PP_BLESS=1 cargo test --test export writes it)", path.display()));
    if expected != actual {
        let first = expected.lines().zip(actual.lines()).position(|(a, b)| a != b);
        let line = first.unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the export at line {}:\n  golden: {:?}\n  now:    {:?}\n(after an intended change: PP_BLESS=1 cargo test --test export)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

fn check_golden(scenario_path: &str, name: &str) {
    let files = export(&load(scenario_path));
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["compose.yaml", "commands.sh", "README.md"]);
    for (file, contents) in &files {
        golden(&root().join("tests/export").join(name).join(file), contents);
    }
}

#[test]
fn leader_crash_exports_as_golden() {
    check_golden("examples/leader-crash.json", "leader-crash");
}

#[test]
fn zombie_leader_exports_as_golden() {
    check_golden("tests/scenarios/s7_4_zombie_leader.json", "s7_4_zombie_leader");
}

/// The leader-crash scenario's cluster as a real one: the same node ids and racks, KRaft with its
/// own controller, the topic's settings, the producers' `acks`.
#[test]
fn the_compose_file_keeps_ids_racks_and_settings() {
    let files = export(&load("examples/leader-crash.json"));
    let compose = &files[0].1;
    for (id, rack) in [(1, "a"), (2, "b"), (3, "c")] {
        let service = format!("  kafka-{id}:\n");
        let at = compose.find(&service).unwrap_or_else(|| panic!("no service kafka-{id}"));
        let block = &compose[at..];
        let block = &block[..block[service.len()..].find("\n  kafka-").map_or(block.len(), |e| e + service.len())];
        assert!(block.contains(&format!("KAFKA_NODE_ID: \"{id}\"")), "{block}");
        assert!(block.contains(&format!("KAFKA_BROKER_RACK: \"{rack}\"")), "{block}");
        assert!(block.contains("KAFKA_PROCESS_ROLES: \"broker\""), "{block}");
        assert!(block.contains("KAFKA_REPLICA_LAG_TIME_MAX_MS: \"30000\""), "{block}");
        assert!(block.contains("KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE: \"false\""), "{block}");
    }
    assert!(compose.contains("KAFKA_PROCESS_ROLES: \"controller\""));
    assert!(compose.contains("image: apache/kafka:4.1.0"));
    assert!(!compose.to_lowercase().contains("zookeeper:"), "KRaft only");
    let script = &files[1].1;
    assert!(script.contains("--replica-assignment 1:2:3,2:3:1 --config min.insync.replicas=2"));
    assert!(script.contains("producer_0_acks=all") && script.contains("producer_1_acks=1"));
    assert!(
        script.contains("--consumer-property client.rack=$consumer_0_rack") && script.contains("consumer_0_rack='b'")
    );
    // The crash at 550 ms comes after the sends at 100 and 150 ms and before the restart.
    let at = |s: &str| script.find(s).unwrap_or_else(|| panic!("no `{s}` in commands.sh"));
    assert!(at("producer_1 orders") < at("docker kill kafka-1"));
    assert!(at("docker kill kafka-1") < at("docker start kafka-1"));
}

fn one_of_each() -> Vec<Command> {
    let between = [NodeRef::Broker(BrokerId(1)), NodeRef::Broker(BrokerId(2))];
    vec![
        Command::Produce(Produce {
            producer: "checkout".into(),
            topic: "orders".into(),
            key: Some("k".into()),
            value: "v".into(),
            count: 2,
            partition: None,
        }),
        Command::Consume { consumer: "billing".into(), topic: "orders".into() },
        Command::CrashBroker { broker: BrokerId(1) },
        Command::RestartBroker { broker: BrokerId(1) },
        Command::ControlledShutdown { broker: BrokerId(2) },
        Command::CutLink { between: between.clone() },
        Command::HealLink { between },
        Command::SlowReplica { broker: BrokerId(3), stalled: true },
        Command::CreateTopic(TopicSpec {
            name: "audit".into(),
            partitions: 1,
            replication_factor: 3,
            replica_assignment: None,
            config: TopicConfig::default(),
        }),
        Command::ChangeConfig(ChangeConfig::Topic {
            topic: "orders".into(),
            config: TopicConfig { min_insync_replicas: Some(3), ..TopicConfig::default() },
        }),
        Command::ReconfigureProducer {
            producer: "checkout".into(),
            config: ProducerReconfig { acks: Some(Acks::Leader), enable_idempotence: None },
        },
        Command::PauseBroker { broker: BrokerId(3) },
        Command::ResumeBroker { broker: BrokerId(3) },
        Command::CutLinkOneWay { from: NodeRef::Broker(BrokerId(1)), to: NodeRef::Controller },
        Command::When(When {
            event: Some("became_leader".into()),
            high_watermark: None,
            broker: Some(BrokerId(2)),
            partition: Some("orders-0".into()),
            then: Box::new(Command::CrashBroker { broker: BrokerId(2) }),
        }),
        Command::Seek { consumer: "billing".into(), topic: "orders".into(), partition: 0, to: SeekTo::Beginning },
        Command::PowerOffBroker { broker: BrokerId(3) },
        Command::CrashController { controller: 3001 },
        Command::RestartController { controller: 3001 },
        Command::ElectLeaders(ElectLeaders {
            election_type: ElectionType::Preferred,
            topic: Some("orders".into()),
            partition: Some(0),
        }),
        Command::AddBroker { broker: BrokerId(4), rack: String::new() },
        Command::ReassignPartitions(ReassignPartitions {
            topic: "orders".into(),
            partition: 0,
            replicas: Some(vec![BrokerId(4), BrokerId(2)]),
        }),
        Command::JoinGroup(JoinGroup {
            consumer: "billing".into(),
            group: "invoices".into(),
            topic: "orders".into(),
            enable_auto_commit: true,
        }),
        Command::CommitOffsets { consumer: "billing".into() },
        Command::StopPolling { consumer: "billing".into() },
        Command::LeaveGroup { consumer: "billing".into() },
        Command::CrashConsumer { consumer: "billing".into() },
    ]
}

/// Every command the scenario format knows becomes a real act or says why there is none. The
/// match in `Acts::act` has no `_` arm, so a new variant fails to compile there; this test fails
/// when the list above misses one of the format's command names.
#[test]
fn every_command_maps_to_a_real_act_or_a_note() {
    let commands = one_of_each();
    let mut named: Vec<&str> = commands.iter().map(|c| c.name()).collect();
    named.sort_unstable();
    let mut known = COMMAND_NAMES.to_vec();
    known.sort_unstable();
    assert_eq!(named, known, "one command of each name the scenario format has");
    let scenario = load("examples/leader-crash.json");
    let names = Names::of(&scenario);
    let mut acts = Acts::new(&names);
    for c in &commands {
        let act = acts.act(c);
        assert!(!act.lines.is_empty() || !act.notes.is_empty(), "{} maps to nothing: {act:?}", c.name());
    }
    // kafka-model §3.8: the admin tool, for the one partition named.
    let elect = acts.act(commands.iter().find(|c| c.name() == "elect_leaders").expect("elect_leaders"));
    let line =
        "kafka kafka-leader-election.sh --bootstrap-server \"$BOOTSTRAP\" --election-type preferred --topic orders \
                --partition 0";
    assert_eq!(elect.lines, vec![line.to_string()]);
    let client_rack = ChangeConfig::ClientRack { consumer: "billing".into(), client_rack: "c".into() };
    let act = acts.act(&Command::ChangeConfig(client_rack));
    assert!(act.lines.iter().any(|l| l == "stop_consumer billing"), "restarts the console consumer: {act:?}");
    assert!(!act.notes.is_empty());
}

/// The zombie leader cuts broker 1 from the controller, broker 2, broker 3 and the consumer one link
/// at a time: Docker takes the broker off the network once, says it cuts every link, and puts it
/// back only when the last of those links heals.
#[test]
fn cut_links_take_a_broker_off_the_network_once_and_back_at_the_last_heal() {
    let script = &export(&load("tests/scenarios/s7_4_zombie_leader.json"))[1].1;
    assert_eq!(script.matches("docker network disconnect partition-playground kafka-1").count(), 1);
    assert_eq!(script.matches("docker network connect partition-playground kafka-1").count(), 1);
    assert!(script.contains("cuts the broker from everyone"));
    let last_heal = script.rfind("# 60000 ms: heal_link").expect("the heals at 60 s");
    assert!(script.find("docker network connect").expect("a reconnect") > last_heal);
}

/// Record text is anything a person types: in the script it stays one literal shell word.
#[test]
fn hostile_record_text_stays_a_literal_shell_word() {
    let mut scenario = load("examples/leader-crash.json");
    let Command::Produce(p) = &mut scenario.commands[1].command else { panic!("the second command produces") };
    p.value = "it's $(touch /tmp/pwned) `id` \"q\" \\ <b>&amp;".into();
    p.key = Some("k'1\nx".into());
    let script = export(&scenario).remove(1).1;
    let line = script.lines().find(|l| l.starts_with("keyed_lines 3")).expect("the send");
    assert_eq!(
        line,
        r#"keyed_lines 3 'k'\''1 x' 'it'\''s $(touch /tmp/pwned) `id` "q" \ <b>&amp;' | producer_0 orders --property parse.key=true"#
    );
    assert!(script.contains("# Note: the key's control characters are sent as spaces"));
}
