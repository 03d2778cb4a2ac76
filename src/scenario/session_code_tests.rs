//! Hand-made session codes (values the writer never writes), each refused naming its field.

use super::*;

fn default_scenario() -> Scenario {
    crate::scenario::parse(include_str!("../../www/scenarios/default.json")).expect("the default scenario")
}

/// A session's code of `commands` commands and the `strings`, then `values` as (column, value).
fn code(commands: u64, strings: &[&str], values: &[(usize, u64)]) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, commands);
    put_varint(&mut out, strings.len() as u64);
    let mut models = Models::new();
    let mut coder = Encoder::new();
    for s in strings {
        coder.value(&mut models.columns[SHARED], 0);
        coder.value(&mut models.columns[REST], s.len() as u64);
        s.bytes().for_each(|b| coder.byte(&mut models.bytes, b));
    }
    for &(column, v) in values {
        coder.value(&mut models.columns[column], v);
    }
    out.extend(coder.finish());
    out
}

fn refusal(body: &[u8]) -> String {
    match read_session(&default_scenario(), body) {
        Err(LinkError::Malformed(e)) => e.to_string(),
        other => panic!("not refused: {other:?}"),
    }
}

/// One send at 5 ms: producer, topic, key, value (a string index), count, partition.
fn send(producer: u64, topic: u64, key: u64, count: u64) -> Vec<u8> {
    let values =
        [(TIME, 5), (TAG, 0), (PRODUCER, producer), (TOPIC, topic), (KEY, key), (VALUE, 0), (COUNT, count), (OTHER, 0)];
    code(1, &["hello"], &values)
}

#[test]
fn a_hand_made_send_opens() {
    let session = read_session(&default_scenario(), &send(0, 0, 0, 1)).expect("opens");
    let p = Produce {
        producer: "producer-1".into(),
        topic: "orders".into(),
        key: None,
        value: "hello".into(),
        count: 1,
        partition: None,
    };
    assert_eq!(session, vec![TimedCommand { at_ms: 5, command: Command::Produce(p) }]);
}

#[test]
fn names_and_strings_past_their_tables_are_refused_naming_the_field() {
    // The default scenario has one producer and one topic; past them, strings: 0 the next one not
    // used yet, k + 1 string k of those used. Nothing is used before the first command's value.
    assert_eq!(refusal(&send(3, 0, 0, 1)), "session[0].produce.producer: string 1 is past the 0 used so far");
    assert_eq!(refusal(&send(0, 9, 0, 1)), "session[0].produce.topic: string 7 is past the 0 used so far");
    assert_eq!(refusal(&send(0, 0, 4, 1)), "session[0].produce.key: string 2 is past the 0 used so far");
    // The producer takes the one new string: the value finds none left.
    assert_eq!(refusal(&send(1, 0, 0, 1)), "session[0].produce.value: a new string past the link's 1");
    assert_eq!(refusal(&send(0, 0, 0, 1 << 32)), "session[0].produce.count: 4294967296 is more than a 32-bit number");
}

#[test]
fn brokers_nodes_tags_and_codes_out_of_range_are_refused() {
    // Brokers 1, 2 and 3 are at 0, 1 and 2; past them, 3 + the id.
    let crash = |v| code(1, &[], &[(TIME, 5), (TAG, 2), (OTHER, v)]);
    let session = read_session(&default_scenario(), &crash(1)).expect("opens");
    assert_eq!(session[0].command, Command::CrashBroker { broker: BrokerId(2) });
    assert_eq!(refusal(&crash(3 + (1 << 32))), "session[0].crash_broker.broker: 4294967299 is past every broker id");
    // Kind 0 above index 0 is a controller voter, 1 + its node.id; past u32, no node.
    let cut = |v| code(1, &[], &[(TIME, 5), (TAG, 5), (OTHER, v), (OTHER, 0)]);
    let session = read_session(&default_scenario(), &cut(3002 << 2)).expect("opens");
    let between = [NodeRef::ControllerNode(3001), NodeRef::Controller];
    assert_eq!(session[0].command, Command::CutLink { between });
    let past = ((1u64 << 32) + 1) << 2;
    assert_eq!(refusal(&cut(past)), format!("session[0].cut_link.between[0]: {past} is no node"));
    let past = TAG_NAMES.len() as u64;
    let unknown = code(1, &[], &[(TIME, 5), (TAG, past)]);
    let known = format!("session[0]: command tag {past} is none this version knows");
    assert!(refusal(&unknown).starts_with(&known));
    // A seek: consumer 0, topic 0, partition 0, then 0 the beginning, 1 the end, 2 an offset.
    let seek = |to: &[(usize, u64)]| {
        let mut values = vec![(TIME, 5), (TAG, 15), (OTHER, 0), (TOPIC, 0), (OTHER, 0)];
        values.extend_from_slice(to);
        code(1, &[], &values)
    };
    let session = read_session(&default_scenario(), &seek(&[(OTHER, 2), (COUNT, 7)])).expect("opens");
    assert!(matches!(session[0].command, Command::Seek { partition: 0, to: SeekTo::Offset(7), .. }));
    assert_eq!(refusal(&seek(&[(OTHER, 3)])), "session[0].seek.to: 3 is not one of its codes (0 to 2)");
    let slow = code(1, &[], &[(TIME, 5), (TAG, 7), (OTHER, 0), (OTHER, 2)]);
    assert_eq!(refusal(&slow), "session[0].slow_replica.stalled: 2 is not one of its codes (0 to 1)");
    let change = code(1, &[], &[(TIME, 5), (TAG, 9), (OTHER, 0), (TOPIC, 0), (OTHER, 0), (OTHER, 0)]);
    assert!(refusal(&change).starts_with("session[0].change_config: names no setting to change"));
    let assignment = code(1, &["t"], &[(TIME, 5), (TAG, 8), (OTHER, 0), (OTHER, 1), (OTHER, 1), (OTHER, 20_000)]);
    let unused = code(
        1,
        &["t", "u"],
        &[(TIME, 5), (TAG, 8), (OTHER, 0), (OTHER, 1), (OTHER, 1), (OTHER, 0), (OTHER, 0), (OTHER, 0)],
    );
    assert_eq!(refusal(&unused), "session.strings: 2 strings, of which its commands use 1");
    assert_eq!(
        refusal(&assignment),
        "session[0].create_topic.replica.assignment: 19999 entries, past the bounds of a topic's assignment"
    );
}

#[test]
fn strings_and_text_beyond_their_bounds_are_refused() {
    let long = "x".repeat(1_025);
    assert_eq!(refusal(&code(1, &[&long], &[])), "session.strings[0]: 1025 bytes, more than the 1024 a link may hold");
    // One string of 1 KiB, sent 2,000 times: more text than a session may hold in memory.
    let kib = "v".repeat(1_024);
    let mut values = Vec::new();
    for i in 0..2_000 {
        let value = u64::from(i > 0); // new, then string 0 again
        values.extend([
            (TIME, 1),
            (TAG, 0),
            (PRODUCER, 0),
            (TOPIC, 0),
            (KEY, 0),
            (VALUE, value),
            (COUNT, 1),
            (OTHER, 0),
        ]);
    }
    assert_eq!(refusal(&code(2_000, &[&kib], &values)), "session: its commands repeat more than 1048576 bytes of text");
}

#[test]
fn a_code_cut_short_or_with_bytes_after_it_is_refused() {
    let mut body = send(0, 0, 0, 1);
    body.push(0);
    assert_eq!(refusal(&body), "session: 1 bytes after its last command");
    body.truncate(body.len() - 3);
    assert!(refusal(&body).ends_with("the session's code ends early"), "{}", refusal(&body));
}

#[test]
fn tags_name_the_commands_as_the_format_does() {
    let commands = [
        Command::CrashBroker { broker: BrokerId(1) },
        Command::Consume { consumer: "c".into(), topic: "t".into() },
        Command::HealLink { between: [NodeRef::Controller, NodeRef::Controller] },
        Command::Seek { consumer: "c".into(), topic: "t".into(), partition: 0, to: SeekTo::End },
    ];
    for c in commands {
        assert_eq!(TAG_NAMES[tag_of(&c) as usize], c.name());
    }
}
