//! `when`: a command run on an event instead of at a time (docs/scenario-format.md, "when"), as a
//! scenario writer meets it: what it does, the errors that name its fields, and that it travels in
//! files, binary codes and links like any scenario command, but never in a page's session. What it
//! does in a run is in `kafka_scenarios.rs` (`s10_when_triggers`).

use partition_playground::engine::*;
use partition_playground::scenario::{self, make_link, read_link, Link, TimedCommand};

fn scenario_text() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios/s10_when_triggers.json")).unwrap()
}

fn refusal(when: &str) -> String {
    let text = scenario_text().replace(
        r#"{"at_ms": 1000, "controlled_shutdown": {"broker": 1}},"#,
        &format!(r#"{{"at_ms": 1000, "when": {when}}},"#),
    );
    scenario::parse(&text).expect_err("refused").to_string()
}

#[test]
fn a_when_is_refused_naming_its_field() {
    let crash = r#""then": {"crash_broker": {"broker": 1}}"#;
    assert_eq!(
        refusal(&format!(r#"{{"event": "leader_crowned", {crash}}}"#)),
        "commands[3].when.event: `leader_crowned` is no event name (the runner's `event` field names them)"
    );
    assert_eq!(
        refusal(&format!(r#"{{{crash}}}"#)),
        "commands[3].when: needs exactly one condition: `event` or `high_watermark`"
    );
    assert_eq!(
        refusal(&format!(r#"{{"high_watermark": 5, {crash}}}"#)),
        "commands[3].when.partition: missing: a high_watermark condition is about one partition"
    );
    assert_eq!(
        refusal(&format!(r#"{{"event": "became_leader", "partition": "orders-7", {crash}}}"#)),
        "commands[3].when.partition: no partition `orders-7` (a topic's name, `-`, its number)"
    );
    assert_eq!(
        refusal(r#"{"event": "became_leader", "then": {"crash_broker": {"broker": 9}}}"#),
        "commands[3].when.then.crash_broker.broker: no broker 9 in the cluster"
    );
    let nested = r#"{"event": "became_leader", "then": {"when": {"event": "broker_crashed", "then": {"crash_broker": {"broker": 1}}}}}"#;
    assert_eq!(refusal(nested), "commands[3].when.then: a `when` runs one command, not another `when`");
}

#[test]
fn a_when_travels_in_codes_and_links_but_never_in_a_session() {
    let s = scenario::parse(&scenario_text()).expect("valid");
    assert_eq!(scenario::decode(&scenario::encode(&s)).expect("decodes"), s);
    assert_eq!(scenario::parse(&s.to_json()).expect("its own JSON"), s);
    let link = Link { scenario: s.clone(), session: vec![], lesson: None };
    let (read, _) = read_link(&make_link(&link).expect("a link")).expect("opens");
    assert_eq!(read.scenario, s);
    let armed = s.commands.iter().find(|c| matches!(c.command, Command::When(_))).expect("a when").clone();
    let mut engine = Engine::new(&s).expect("valid");
    let e = engine.apply(armed.command.clone()).expect_err("not a page action");
    assert_eq!(e.to_string(), "a `when` is a scenario's command: it is armed at a time in `commands`");
    let session = Link { scenario: s, session: vec![TimedCommand { at_ms: 5, ..armed }], lesson: None };
    let e = make_link(&session).expect_err("a session cannot carry it");
    assert!(e.to_string().contains("session[0].when"), "{e}");
}

/// A `when` inside a `when` is refused as the binary code is read, before the reader goes deeper:
/// each level is 5 bytes, so a link of a few hundred characters could otherwise nest thousands and
/// overflow the reader's stack (found by review).
#[test]
fn a_code_nesting_whens_is_refused_as_it_is_read_at_any_depth() {
    let mut s = scenario::parse(&scenario_text()).expect("valid");
    let inner = Command::CrashBroker { broker: BrokerId(1) };
    let when = When {
        event: Some("broker_started".into()),
        high_watermark: None,
        broker: None,
        partition: None,
        then: Box::new(inner),
    };
    s.commands = vec![TimedCommand { at_ms: 0, command: Command::When(when) }];
    let code = scenario::encode(&s);
    // The `when`'s bytes: its tag, `Some`, the event name's length and bytes, three `None`s, `then`.
    let name = b"broker_started";
    let at = code.windows(name.len()).position(|w| w == name).expect("the event name") + name.len();
    let (head, tail) = code.split_at(at + 3);
    let tag = head[head.len() - 3 - name.len() - 3];
    for depth in [1, 20_000] {
        let mut nested = head.to_vec();
        for _ in 0..depth {
            nested.extend_from_slice(&[tag, 0, 0, 0, 0]);
        }
        nested.extend_from_slice(tail);
        // Refused, at any depth, without going deeper (postcard keeps no message of its own).
        let e = scenario::decode(&nested).expect_err("a nested when");
        assert!(e.to_string().contains("its bytes do not make one"), "depth {depth}: {e}");
    }
    let mut plain = head.to_vec();
    plain.extend_from_slice(tail);
    assert_eq!(scenario::decode(&plain).expect("the same code without the nesting opens"), s);
}

#[test]
fn a_when_about_no_partition_with_a_partition_is_refused_and_a_reached_high_watermark_fires_at_once() {
    let crash = r#""then": {"crash_broker": {"broker": 1}}"#;
    assert_eq!(
        refusal(&format!(r#"{{"event": "broker_paused", "partition": "orders-0", {crash}}}"#)),
        "commands[3].when.partition: `broker_paused` is about no partition: this `when` would never fire"
    );
    // orders-0's high watermark is 12 from 17 s on; a `when` armed at 20 s for 10 fires then.
    let mut s = scenario::parse(&scenario_text()).expect("valid");
    let when = When {
        event: None,
        high_watermark: Some(10),
        broker: None,
        partition: Some("orders-0".into()),
        then: Box::new(Command::CrashBroker { broker: BrokerId(3) }),
    };
    s.commands.push(TimedCommand { at_ms: 20_000, command: Command::When(when) });
    let mut engine = Engine::new(&s).expect("valid");
    engine.advance_to(20_000, u64::MAX).expect("progress");
    let fired: Vec<u64> = engine
        .events_since(0)
        .filter(|e| matches!(&e.kind, EventKind::TriggerFired { condition, .. } if condition.contains("reaching 10")))
        .map(|e| e.at_ms)
        .collect();
    assert_eq!(fired, vec![17_007, 20_000], "the scenario's own `when` at 17 s, this one as soon as it is armed");
}
