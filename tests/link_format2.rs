//! Share links of format 2 (issue 9): the session in columns, names as indices, text interned.
//! Any scenario and session a link carries comes back as it was; golden links replay to their
//! state hash forever; and every way a hand-made or damaged code can be wrong is refused with its
//! own sentence, naming the field.
// proptest is a native dev-dependency (Cargo.toml): these run natively only.
#![cfg(not(target_arch = "wasm32"))]

use partition_playground::engine::{
    Acks, BrokerId, ChangeConfig, Command, ElectLeaders, ElectionType, Engine, JoinGroup, NodeRef, Produce,
    ProducerReconfig, ReassignPartitions, SeekTo, TimedCommand, TopicConfig, TopicSpec,
};
use partition_playground::scenario::{
    self, link_code, link_message, link_text, make_link, read_link, read_link_message, Link, LinkError,
};
use proptest::prelude::*;
use serde_json::json;

fn default_scenario() -> scenario::Scenario {
    scenario::parse(include_str!("../www/scenarios/default.json")).expect("the default scenario")
}

/// A random valid cluster: 1–5 brokers with any ids, 1–3 topics, producers and consumers with
/// random names, through the scenario format's own reader.
fn any_scenario() -> impl Strategy<Value = scenario::Scenario> {
    let names = || proptest::collection::btree_set("[a-z][a-z0-9-]{0,9}", 1..4);
    let elr = 0..2u16;
    (any::<u64>(), proptest::collection::btree_set(0..1_000_000u32, 1..6), names(), names(), names(), elr).prop_map(
        |(seed, brokers, topics, producers, consumers, elr)| {
            let brokers: Vec<_> = brokers.iter().map(|id| json!({"id": id})).collect();
            let topics: Vec<_> =
                topics.iter().map(|t| json!({"name": t, "partitions": 2, "replication.factor": 1})).collect();
            let producers: Vec<_> = producers.iter().map(|p| json!({"name": p})).collect();
            let consumers: Vec<_> = consumers.iter().map(|c| json!({"name": c})).collect();
            let features = json!({"eligible.leader.replicas.version": elr});
            let s = json!({"format": 1, "seed": seed, "cluster": {"brokers": brokers, "features": features}, "topics": topics,
                "producers": producers, "consumers": consumers, "commands": [], "until_ms": 1000});
            scenario::from_value(s).expect("a valid scenario")
        },
    )
}

/// Names the scenario has (as the page sends them) or any other text (as a hand-made one might).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![Just("producer-1".to_string()), Just("orders".to_string()), Just("hello".to_string()), "\\PC{0,12}",]
}

fn broker() -> impl Strategy<Value = BrokerId> {
    prop_oneof![(1..4u32).prop_map(BrokerId), any::<u32>().prop_map(BrokerId)]
}

fn node() -> impl Strategy<Value = NodeRef> {
    prop_oneof![
        Just(NodeRef::Controller),
        broker().prop_map(NodeRef::Broker),
        text().prop_map(NodeRef::Producer),
        text().prop_map(NodeRef::Consumer),
    ]
}

fn topic_config() -> impl Strategy<Value = TopicConfig> {
    (proptest::option::of(any::<u32>()), proptest::option::of(any::<bool>())).prop_map(|(m, u)| TopicConfig {
        min_insync_replicas: m,
        unclean_leader_election_enable: u,
        ..Default::default()
    })
}

/// Every command there is, with any values (the link carries them; the engine judges them on
/// replay), except the one `change_config` no reader builds: a topic change that changes nothing.
fn command() -> impl Strategy<Value = Command> {
    let produce =
        (text(), text(), proptest::option::of(text()), text(), any::<u32>(), proptest::option::of(any::<u32>()))
            .prop_map(|(producer, topic, key, value, count, partition)| {
                Command::Produce(Produce { producer, topic, key, value, count, partition })
            });
    let assignment = proptest::option::of(proptest::collection::vec(proptest::collection::vec(broker(), 0..4), 0..4));
    let create =
        (text(), any::<u32>(), any::<u32>(), assignment, topic_config()).prop_map(|(name, p, rf, a, config)| {
            Command::CreateTopic(TopicSpec {
                name,
                partitions: p,
                replication_factor: rf,
                replica_assignment: a,
                config,
            })
        });
    let change_topic = (text(), topic_config()).prop_filter_map("changes something", |(topic, config)| {
        (config != TopicConfig::default()).then_some(Command::ChangeConfig(ChangeConfig::Topic { topic, config }))
    });
    let acks = proptest::option::of(prop_oneof![Just(Acks::None), Just(Acks::Leader), Just(Acks::All)]);
    prop_oneof![
        8 => produce,
        1 => (text(), text()).prop_map(|(consumer, topic)| Command::Consume { consumer, topic }),
        1 => broker().prop_map(|broker| Command::CrashBroker { broker }),
        1 => broker().prop_map(|broker| Command::RestartBroker { broker }),
        1 => broker().prop_map(|broker| Command::ControlledShutdown { broker }),
        1 => [node(), node()].prop_map(|between| Command::CutLink { between }),
        1 => [node(), node()].prop_map(|between| Command::HealLink { between }),
        1 => (broker(), any::<bool>()).prop_map(|(broker, stalled)| Command::SlowReplica { broker, stalled }),
        1 => (node(), node()).prop_map(|(from, to)| Command::CutLinkOneWay { from, to }),
        1 => broker().prop_map(|broker| Command::PauseBroker { broker }),
        1 => broker().prop_map(|broker| Command::ResumeBroker { broker }),
        1 => broker().prop_map(|broker| Command::PowerOffBroker { broker }),
        1 => (broker(), text()).prop_map(|(broker, rack)| Command::AddBroker { broker, rack }),
        1 => (text(), 0..4u32, proptest::option::of(proptest::collection::vec(broker(), 0..4))).prop_map(
            |(topic, partition, replicas)| Command::ReassignPartitions(ReassignPartitions { topic, partition, replicas })
        ),
        1 => create,
        1 => change_topic,
        1 => (text(), text()).prop_map(|(consumer, client_rack)| Command::ChangeConfig(ChangeConfig::ClientRack {
            consumer,
            client_rack
        })),
        1 => (text(), acks, proptest::option::of(any::<bool>())).prop_map(|(producer, acks, enable_idempotence)| {
            Command::ReconfigureProducer { producer, config: ProducerReconfig { acks, enable_idempotence } }
        }),
        1 => (text(), text(), any::<u32>(), seek_to()).prop_map(|(consumer, topic, partition, to)| {
            Command::Seek { consumer, topic, partition, to }
        }),
    ]
}

fn seek_to() -> impl Strategy<Value = SeekTo> {
    prop_oneof![Just(SeekTo::Beginning), Just(SeekTo::End), any::<u64>().prop_map(SeekTo::Offset)]
}

/// Times mostly a click apart, sometimes far, sometimes backwards (any `u64`).
fn session() -> impl Strategy<Value = Vec<TimedCommand>> {
    let step = prop_oneof![8 => 0..3_000u64, 1 => any::<u64>()];
    proptest::collection::vec((step, command()), 0..60).prop_map(|steps| {
        let mut at_ms = 0u64;
        let timed = |(step, command): (u64, Command)| {
            at_ms = at_ms.wrapping_add(step);
            TimedCommand { at_ms, command }
        };
        steps.into_iter().map(timed).collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_scenario_and_session_come_back_as_they_were(scenario in any_scenario(), session in session()) {
        let link = Link { scenario, session, lesson: None };
        let text = make_link(&link).expect("within the caps");
        prop_assert!(text.starts_with("2."));
        let (read, _) = read_link(&text).expect("its own link");
        prop_assert_eq!(read, link);
    }

    /// The page hands its share worker the link as a message (`link_message`); what the worker
    /// reads back is the link itself, so the text it writes is the one the runner writes.
    #[test]
    fn the_share_workers_message_reads_back_as_the_link(scenario in any_scenario(), session in session()) {
        // A page's session names clients the scenario has, never one with an empty name (the
        // generator's `Producer("")` has no text form: `producer:` is refused).
        prop_assume!(session.iter().all(|c| match &c.command {
            Command::CutLink { between } | Command::HealLink { between } => {
                between.iter().all(|n| NodeRef::try_from(String::from(n.clone())).is_ok())
            }
            Command::CutLinkOneWay { from, to } => {
                [from, to].iter().all(|n| NodeRef::try_from(String::from((*n).clone())).is_ok())
            }
            _ => true,
        }));
        let link = Link { scenario, session, lesson: None };
        let message = link_message(&link.scenario, &link.session, None);
        let read = read_link_message(&message).expect("the page's own message");
        prop_assert_eq!(make_link(&read).expect("within the caps"), make_link(&link).expect("within the caps"));
        prop_assert_eq!(read, link);
    }
}

/// A message that is not one (cut, or with bytes after it) is refused, not half read.
#[test]
fn a_damaged_message_to_the_share_worker_is_refused() {
    let scenario = default_scenario();
    let message = link_message(&scenario, &[], None);
    assert!(read_link_message(&message).is_ok());
    assert_eq!(read_link_message(&message[..message.len() - 1]), Err(LinkError::NotAScenario));
    let mut longer = message.clone();
    longer.push(0);
    assert_eq!(read_link_message(&longer), Err(LinkError::NotAScenario));
}

/// Export merges a link's session into the scenario's commands by time: at equal times the
/// scenario's command first, as the engine applied them.
#[test]
fn a_links_session_joins_the_scenarios_commands_in_time_order() {
    let mut scenario = default_scenario();
    let at = |at_ms, broker| TimedCommand { at_ms, command: Command::CrashBroker { broker: BrokerId(broker) } };
    scenario.commands = vec![at(1_000, 1), at(3_000, 2)];
    let session = vec![at(500, 3), at(1_000, 3), at(5_000, 3)];
    let merged = Link { scenario, session, lesson: None }.into_scenario().commands;
    let order: Vec<(u64, u32)> = merged
        .iter()
        .map(|c| match c.command {
            Command::CrashBroker { broker } => (c.at_ms, broker.0),
            _ => unreachable!("only crashes here"),
        })
        .collect();
    assert_eq!(order, [(500, 3), (1_000, 1), (1_000, 3), (3_000, 2), (5_000, 3)]);
}

/// A page plays on past the scenario's `until_ms`: the scenario a link stands for runs to its last
/// command, so the engine's contract (no command after `until_ms`) accepts it for export.
#[test]
fn a_session_past_until_ms_makes_a_scenario_that_runs_to_its_last_command() {
    let scenario = default_scenario();
    let until_ms = scenario.until_ms;
    let late = TimedCommand { at_ms: until_ms + 33_996, command: Command::CrashBroker { broker: BrokerId(1) } };
    let merged = Link { scenario, session: vec![late], lesson: None }.into_scenario();
    assert_eq!(merged.until_ms, until_ms + 33_996);
    partition_playground::engine::check_scenario(&merged).expect("within the contract");
    let early = Link { scenario: default_scenario(), session: vec![], lesson: None }.into_scenario();
    assert_eq!(early.until_ms, until_ms, "without a later command, until_ms stays");
}

fn send(value: &str, count: u32, key: Option<&str>) -> Command {
    let key = key.map(str::to_string);
    Command::Produce(Produce {
        producer: "producer-1".into(),
        topic: "orders".into(),
        key,
        value: value.into(),
        count,
        partition: None,
    })
}

fn seek(partition: u32, to: SeekTo) -> Command {
    Command::Seek { consumer: "consumer-1".into(), topic: "payments".into(), partition, to }
}

/// A session of every kind of command the page sends, each one the engine accepts: sends,
/// a crash and restart, a controlled shutdown, a cut and healed link to the producer, a slow
/// replica, a new topic, both kinds of config change, a reconfigured producer, and a consumer's
/// seeks (a link from the runner's JSON carries them).
fn every_command_engine() -> Engine {
    let producer = NodeRef::Producer("producer-1".into());
    let commands = [
        send("hello", 1, None),
        send("order 35 paid", 5, Some("order-35")),
        Command::CrashBroker { broker: BrokerId(2) },
        Command::RestartBroker { broker: BrokerId(2) },
        Command::CutLink { between: [NodeRef::Broker(BrokerId(1)), producer.clone()] },
        send("hello", 10, Some("order-7")),
        Command::HealLink { between: [NodeRef::Broker(BrokerId(1)), producer] },
        Command::SlowReplica { broker: BrokerId(3), stalled: true },
        Command::CreateTopic(TopicSpec {
            name: "payments".into(),
            partitions: 2,
            replication_factor: 2,
            replica_assignment: None,
            config: TopicConfig::default(),
        }),
        Command::ChangeConfig(ChangeConfig::Topic {
            topic: "orders".into(),
            config: TopicConfig {
                min_insync_replicas: Some(1),
                unclean_leader_election_enable: Some(true),
                ..Default::default()
            },
        }),
        Command::ChangeConfig(ChangeConfig::ClientRack { consumer: "consumer-1".into(), client_rack: "b".into() }),
        Command::ReconfigureProducer {
            producer: "producer-1".into(),
            config: ProducerReconfig { acks: Some(Acks::Leader), enable_idempotence: None },
        },
        Command::Produce(Produce {
            producer: "producer-1".into(),
            topic: "payments".into(),
            key: None,
            value: "paid".into(),
            count: 1,
            partition: Some(1),
        }),
        Command::SlowReplica { broker: BrokerId(3), stalled: false },
        Command::PauseBroker { broker: BrokerId(2) },
        Command::ResumeBroker { broker: BrokerId(2) },
        Command::CutLinkOneWay { from: NodeRef::Broker(BrokerId(3)), to: NodeRef::Controller },
        Command::HealLink { between: [NodeRef::Controller, NodeRef::Broker(BrokerId(3))] },
        Command::ControlledShutdown { broker: BrokerId(1) },
        Command::Consume { consumer: "consumer-1".into(), topic: "payments".into() },
        seek(1, SeekTo::Offset(0)),
        seek(0, SeekTo::End),
        seek(1, SeekTo::Beginning),
        Command::PowerOffBroker { broker: BrokerId(3) },
        Command::ElectLeaders(ElectLeaders {
            election_type: ElectionType::Preferred,
            topic: Some("orders".into()),
            partition: Some(1),
        }),
        Command::ElectLeaders(ElectLeaders { election_type: ElectionType::Unclean, topic: None, partition: None }),
        Command::AddBroker { broker: BrokerId(4), rack: "c".into() },
        Command::ReassignPartitions(ReassignPartitions {
            topic: "orders".into(),
            partition: 0,
            replicas: Some(vec![BrokerId(4), BrokerId(1), BrokerId(2)]),
        }),
        Command::ReassignPartitions(ReassignPartitions { topic: "orders".into(), partition: 0, replicas: None }),
        // The lone controller of the default cluster is voter 3001 (kafka-model §2.2).
        Command::CrashController { controller: 3001 },
        Command::RestartController { controller: 3001 },
        Command::CutLink { between: [NodeRef::ControllerNode(3001), NodeRef::Broker(BrokerId(2))] },
        // A new instance of the consumer's application, in a group (kafka-model §6.4).
        Command::CrashConsumer { consumer: "consumer-1".into() },
        Command::JoinGroup(JoinGroup {
            consumer: "consumer-1".into(),
            group: "billing".into(),
            topic: "orders".into(),
            enable_auto_commit: false,
        }),
        Command::CommitOffsets { consumer: "consumer-1".into() },
        Command::StopPolling { consumer: "consumer-1".into() },
        Command::LeaveGroup { consumer: "consumer-1".into() },
    ];
    let mut engine = Engine::new(&default_scenario()).expect("within the contract");
    for (i, command) in commands.into_iter().enumerate() {
        let t = engine.now_ms() + 700 + (i as u64 * 4_099) % 2_300;
        engine.advance_to(t, u64::MAX).expect("progress");
        engine.apply(command).expect("a command the engine accepts");
    }
    engine.advance_to(engine.now_ms() + 5_000, u64::MAX).expect("progress");
    engine
}

#[test]
fn a_session_of_every_command_replays_to_the_same_state() {
    let engine = every_command_engine();
    let link = Link { scenario: default_scenario(), session: engine.session().to_vec(), lesson: None };
    let (read, _) = read_link(&make_link(&link).expect("within the caps")).expect("its own link");
    assert_eq!(read, link);
    let replayed = Engine::replay(&read.scenario, &read.session, engine.now_ms()).expect("replays");
    assert_eq!(replayed.state_hash(), engine.state_hash());
}

/// The golden links of format 2 (`tests/links/format-2.txt`, checked with the others by
/// `tests/link.rs`): `PP_ADD_GOLDEN_LINK=1` adds this version's link of the session above.
#[test]
fn the_every_command_session_is_among_the_golden_links() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/links/format-2.txt");
    let engine = every_command_engine();
    let text =
        make_link(&Link { scenario: default_scenario(), session: engine.session().to_vec(), lesson: None }).unwrap();
    let line = format!("{} {:016x} {text}\n", engine.now_ms(), engine.state_hash());
    let mut golden = std::fs::read_to_string(&path).unwrap_or_default();
    if std::env::var_os("PP_ADD_GOLDEN_LINK").is_some() && !golden.contains(&line) {
        golden.push_str(&line);
        std::fs::write(&path, &golden).unwrap();
    }
    // The golden line is kept forever; this version's link of the same session need not match it.
    let kept = golden.lines().filter(|l| l.starts_with(&format!("{} ", engine.now_ms()))).count();
    assert!(kept >= 1, "format-2.txt holds the every-command session (PP_ADD_GOLDEN_LINK=1 adds it)");
}

#[test]
fn every_cut_is_cut_short_and_every_changed_character_is_refused_or_valid() {
    let text = make_link(&Link {
        scenario: default_scenario(),
        session: every_command_engine().session().to_vec(),
        lesson: None,
    })
    .expect("within the caps");
    let header = text.match_indices('.').nth(2).map(|(i, _)| i + 1).expect("a header");
    for cut in header..text.len() {
        assert!(matches!(read_link(&text[..cut]), Err(LinkError::CutShort { .. })), "cut at {cut}");
    }
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for at in header..text.len() {
        for &c in alphabet.iter().step_by(7) {
            let mut changed = text.clone().into_bytes();
            changed[at] = c;
            if let Ok((link, _)) = read_link(std::str::from_utf8(&changed).unwrap()) {
                // Past the checksum only by chance: still a scenario the engine accepts.
                partition_playground::engine::check_scenario(&link.scenario).expect("valid");
            }
        }
    }
}

/// A link around a hand-made code: `sections` as (tag, body).
fn link_of(sections: &[(u8, Vec<u8>)]) -> String {
    let mut code = Vec::new();
    for (tag, body) in sections {
        code.push(*tag);
        varint(&mut code, body.len() as u64);
        code.extend(body);
    }
    link_text(&miniz_oxide::deflate::compress_to_vec_zlib(&code, 6)).expect("within the caps")
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The scenario's and the session's sections of this version's code of a link.
fn sections_of(link: &Link) -> [(u8, Vec<u8>); 2] {
    let code = link_code(link).expect("within the caps");
    let mut rest = &code[..];
    let mut section = || {
        let tag = rest[0];
        let (mut len, mut shift, mut at) = (0usize, 0, 1);
        loop {
            len |= usize::from(rest[at] & 0x7f) << shift;
            shift += 7;
            at += 1;
            if rest[at - 1] < 0x80 {
                break;
            }
        }
        let body = rest[at..at + len].to_vec();
        rest = &rest[at + len..];
        (tag, body)
    };
    [section(), section()]
}

fn refusal(sections: &[(u8, Vec<u8>)]) -> String {
    match read_link(&link_of(sections)) {
        Err(LinkError::Malformed(e)) => format!("{}: {}", e.path, e.reason),
        other => panic!("not refused as malformed: {other:?}"),
    }
}

fn a_session() -> Link {
    Link { scenario: default_scenario(), session: every_command_engine().session().to_vec(), lesson: None }
}

#[test]
fn a_code_cut_into_sections_by_hand_opens_like_a_written_one() {
    let link = a_session();
    let [s, session] = sections_of(&link);
    assert_eq!(read_link(&link_of(&[s.clone(), session])).expect("opens").0, link);
    // A link of the scenario alone has an empty session.
    assert!(read_link(&link_of(&[s])).expect("opens").0.session.is_empty());
}

#[test]
fn trailing_bytes_are_refused_where_they_are() {
    let [s, session] = sections_of(&a_session());
    let mut scenario_and_more = s.clone();
    scenario_and_more.1.push(0);
    assert_eq!(refusal(&[scenario_and_more]), "scenario: 1 bytes after its end");
    let mut more = session.clone();
    more.1.push(7);
    assert_eq!(refusal(&[s.clone(), more]), "session: 1 bytes after its last command");
    let mut cut = session;
    cut.1.pop();
    assert!(refusal(&[s, cut]).ends_with("the session's code ends early"));
    // A section whose length runs past the code's end.
    let mut code = vec![1];
    varint(&mut code, 60_000);
    let text = link_text(&miniz_oxide::deflate::compress_to_vec_zlib(&code, 6)).unwrap();
    let Err(LinkError::Malformed(e)) = read_link(&text) else { panic!("refused") };
    assert_eq!(e.to_string(), "section 1: its length is past the 0 bytes left");
}

#[test]
fn sections_come_in_order_and_a_newer_one_is_told_apart() {
    let [s, session] = sections_of(&a_session());
    // Section 3 is a lesson (docs/lessons.md): a damaged one is malformed, not newer.
    let lesson = read_link(&link_of(&[s.clone(), session.clone(), (3, vec![1, 2, 3])])).unwrap_err();
    assert!(matches!(&lesson, LinkError::Malformed(e) if e.path == "lesson"), "{lesson}");
    // Section 4 is the producers' settings outside the scenario's code: a damaged one is malformed.
    let producers = read_link(&link_of(&[s.clone(), session.clone(), (4, vec![1, 2, 3])])).unwrap_err();
    assert!(matches!(&producers, LinkError::Malformed(e) if e.path == "producers"), "{producers}");
    // Section 5 is the cluster features (kafka-model §4.9): one varint, and nothing after it.
    let features = read_link(&link_of(&[s.clone(), session.clone(), (5, vec![1, 2, 3])])).unwrap_err();
    assert!(matches!(&features, LinkError::Malformed(e) if e.path == "features"), "{features}");
    // Section 6 is the cluster's settings outside the scenario's code.
    let cluster = read_link(&link_of(&[s.clone(), session.clone(), (6, vec![1, 2, 3])])).unwrap_err();
    assert!(matches!(&cluster, LinkError::Malformed(e) if e.path == "cluster"), "{cluster}");
    // Section 7 is the topics' retention settings: a damaged one is malformed.
    let topics = read_link(&link_of(&[s.clone(), session.clone(), (7, vec![1, 2, 3])])).unwrap_err();
    assert!(matches!(&topics, LinkError::Malformed(e) if e.path == "topics"), "{topics}");
    let err = read_link(&link_of(&[s.clone(), session.clone(), (8, vec![1, 2, 3])])).unwrap_err();
    assert_eq!(err, LinkError::NewerSection { tag: 8 });
    assert!(err.to_string().starts_with("this link was made by a newer version of the playground"), "{err}");
    let r = refusal(&[s, session.clone(), session.clone()]);
    assert_eq!(r, "section 2: section 2 after section 2 (sections come once each, in tag order)");
    // A stream that does not begin with the scenario is no link at all.
    assert_eq!(read_link(&link_of(&[session])), Err(LinkError::NotAScenario));
    assert_eq!(read_link(&link_of(&[(104, b"ello".to_vec())])), Err(LinkError::NotAScenario));
}

#[test]
fn oversized_lists_are_refused_before_anything_is_allocated() {
    let [s, _] = sections_of(&a_session());
    let counts = |commands: u64, strings: u64| {
        let mut body = Vec::new();
        varint(&mut body, commands);
        varint(&mut body, strings);
        body
    };
    let r = refusal(&[s.clone(), (2, counts(10_001, 0))]);
    assert_eq!(r, "session: 10001 commands, more than the 10000 a link may hold");
    assert_eq!(refusal(&[s, (2, counts(1, 5))]), "session.strings: 5 strings, more than the 4 a link may hold");
}

#[test]
fn format_2_is_shorter_for_a_session_of_many_sends() {
    let engine = every_command_engine();
    let link = Link { scenario: default_scenario(), session: engine.session().to_vec(), lesson: None };
    let code = link_code(&link).expect("within the caps");
    let format_1 = postcard::to_allocvec(&(&link.scenario, &link.session)).expect("postcard");
    assert!(code.len() < format_1.len(), "{} bytes, format 1 {}", code.len(), format_1.len());
}

/// `eligible.leader.replicas.version` (kafka-model §4.9) is not in the scenario's postcard code: a
/// link carries it in section 5, written only when it is on, so a link without it is the same bytes.
#[test]
fn the_elr_feature_travels_in_its_own_section_only_when_on() {
    let link = a_session();
    let default_code = link_code(&link).expect("code");
    let mut changed = link.clone();
    changed.scenario.cluster.features.eligible_leader_replicas_version = 1;
    let code = link_code(&changed).expect("code");
    assert_eq!(&code[..default_code.len()], &default_code[..], "the sections before it are unchanged");
    assert_eq!(&code[default_code.len()..], &[5, 1, 1], "section 5: eligible.leader.replicas.version 1");
    let (read, _) = read_link(&make_link(&changed).expect("within the caps")).expect("its own link");
    assert_eq!(read, changed);
    let message = link_message(&changed.scenario, &changed.session, None);
    assert_eq!(read_link_message(&message).expect("a message").scenario, changed.scenario);
    // A level the software does not have is refused by the engine's check, naming the feature.
    changed.scenario.cluster.features.eligible_leader_replicas_version = 2;
    let Err(LinkError::Invalid(e)) = read_link(&make_link(&changed).expect("within the caps")) else {
        panic!("refused")
    };
    assert!(e.to_string().contains("cluster.features.eligible.leader.replicas.version: is 0"), "{e}");
}

/// `max.in.flight.requests.per.connection` is not in the scenario's postcard code (positional: old
/// links would no longer read): a link carries it in section 4, written only when a producer
/// differs from Kafka's default, so a link of default settings is the same bytes as before.
#[test]
fn max_in_flight_travels_in_its_own_section_only_when_not_the_default() {
    let link = a_session();
    let default_code = link_code(&link).expect("code");
    assert_eq!(sections_of(&link).len(), 2, "scenario and session only");
    let mut changed = link.clone();
    changed.scenario.producers[0].config.max_in_flight_requests_per_connection = 1;
    let code = link_code(&changed).expect("code");
    assert_eq!(&code[..default_code.len()], &default_code[..], "the sections before it are unchanged");
    assert_eq!(&code[default_code.len()..], &[4, 2, 0, 1], "section 4: producer 0, max.in.flight 1");
    let (read, _) = read_link(&make_link(&changed).expect("within the caps")).expect("its own link");
    assert_eq!(read.scenario.producers[0].config.max_in_flight_requests_per_connection, 1);
    assert_eq!(read, changed);
    // The page hands the same setting to its share worker.
    let message = link_message(&changed.scenario, &changed.session, None);
    assert_eq!(read_link_message(&message).expect("a message").scenario, changed.scenario);
    // A value Kafka's rules refuse is refused by the engine's check, naming the setting.
    changed.scenario.producers[0].config.max_in_flight_requests_per_connection = 0;
    let Err(LinkError::Invalid(e)) = read_link(&make_link(&changed).expect("within the caps")) else {
        panic!("refused")
    };
    assert!(e.to_string().contains("max.in.flight.requests.per.connection: from 1 to 100, found 0"), "{e}");
}

/// `auto.leader.rebalance.enable` and `leader.imbalance.check.interval.seconds` are not in the
/// scenario's postcard code either: section 6, written only when one differs from Kafka's default
/// (true, 300), so a link of default settings is the same bytes as before.
#[test]
fn the_rebalance_settings_travel_in_their_own_section_only_when_not_the_default() {
    let link = a_session();
    let default_code = link_code(&link).expect("code");
    let mut changed = link.clone();
    changed.scenario.cluster.config.auto_leader_rebalance_enable = false;
    changed.scenario.cluster.config.leader_imbalance_check_interval_seconds = 30;
    let code = link_code(&changed).expect("code");
    assert_eq!(&code[..default_code.len()], &default_code[..], "the sections before it are unchanged");
    assert_eq!(&code[default_code.len()..], &[6, 4, 0, 0, 1, 30], "section 6: rebalance off, interval 30 s");
    let (read, _) = read_link(&make_link(&changed).expect("within the caps")).expect("its own link");
    assert_eq!(read, changed);
    let message = link_message(&changed.scenario, &changed.session, None);
    assert_eq!(read_link_message(&message).expect("a message").scenario, changed.scenario);
    // The scenario's binary code (the runner's `encode`, the page's embedded codes) carries them too.
    let code = partition_playground::scenario::encode(&changed.scenario);
    assert_eq!(partition_playground::scenario::decode(&code).as_ref(), Ok(&changed.scenario));
    // Kafka's rule (at least 1 s) is the engine's, named.
    changed.scenario.cluster.config.leader_imbalance_check_interval_seconds = 0;
    let Err(LinkError::Invalid(e)) = read_link(&make_link(&changed).expect("within the caps")) else {
        panic!("refused")
    };
    assert!(e.to_string().contains("leader.imbalance.check.interval.seconds: must be between 1"), "{e}");
    // A value out of its range, or settings out of order, are malformed.
    for body in [vec![0, 2], vec![1, 30, 0, 0], vec![7, 1]] {
        let [s, session] = sections_of(&link);
        let err = read_link(&link_of(&[s, session, (6, body.clone())])).unwrap_err();
        assert!(matches!(&err, LinkError::Malformed(e) if e.path == "cluster"), "{body:?}: {err}");
    }
}
