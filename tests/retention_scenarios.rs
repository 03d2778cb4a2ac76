//! Retention (kafka-model §3.3, §3.6, §6.1, §6.3; Kafka's `UnifiedLog.deleteOldSegments`): a topic's
//! `retention.ms` and `retention.bytes` delete whole segments below the high watermark on every
//! replica, the log start offset moves forward, a consumer behind it gets `OFFSET_OUT_OF_RANGE` and
//! resets per `auto.offset.reset`, a follower behind it starts over at the leader's log start. Each
//! test runs a scenario of `tests/scenarios/s3_3_*.json`; its explained log is beside it. Records
//! retention deletes are not lost: `run` fails on any unexpected invariant violation.

#[path = "support/scenario_run.rs"]
mod scenario_run;

use partition_playground::engine::*;
use partition_playground::scenario;
use scenario_run::{b, run, Run};

impl Run {
    fn matching(&self, f: impl Fn(&EventKind) -> bool) -> Vec<(Millis, &EventKind)> {
        self.events.iter().filter(|(e, _)| f(&e.kind)).map(|(e, _)| (e.at_ms, &e.kind)).collect()
    }

    /// (offset, value) of the records a consumer received at or after `from_ms`.
    fn received_since(&self, consumer: &str, from_ms: Millis) -> Vec<(Offset, String)> {
        let c = self.view.consumers.iter().find(|c| c.name == consumer).expect("consumer");
        c.received.iter().filter(|r| r.at_ms >= from_ms).map(|r| (r.offset, r.value.clone())).collect()
    }

    fn no_records_lost(&self) {
        assert!(self.matching(|k| matches!(k, EventKind::RecordsLost { .. })).is_empty(), "{}", self.log());
    }
}

fn records(offsets: std::ops::Range<Offset>, value: impl Fn(Offset) -> &'static str) -> Vec<(Offset, String)> {
    offsets.map(|o| (o, value(o).to_string())).collect()
}

/// `retention.ms` 60 s, `segment.ms` 5 s: three sends 10 s apart make three segments, two sends at
/// 300 s and 320 s two more. The check at 330 s (30 s after start, then every 5 minutes) deletes the
/// three whose newest record is older than 60 s, on the leader and on each follower alike: the log
/// start offset is 9 everywhere. Two consumers that seek back to offset 0 get `OFFSET_OUT_OF_RANGE`:
/// `earliest` resets to the log start and reads 9.., `latest` to the high watermark and reads only
/// what comes after.
#[test]
fn s3_3_retention_ms_moves_the_log_start_and_a_consumer_behind_it_resets() {
    let run = run("s3_3_retention_ms_consumer_out_of_range");
    let deleted = run.matching(|k| matches!(k, EventKind::SegmentsDeleted { .. }));
    assert_eq!(deleted.len(), 3, "{}", run.log());
    for (i, (at, kind)) in deleted.iter().enumerate() {
        assert_eq!(*at, 330_000);
        assert_eq!(
            **kind,
            EventKind::SegmentsDeleted {
                broker: b(i as u32 + 1),
                partition: PartitionIdx(0),
                breach: RetentionBreach::RetentionMs,
                limit: 60_000,
                segments: 3,
                records: 9,
                log_start_offset: 9
            }
        );
    }
    for broker in 1..=3 {
        let r = run.replica("events-0", broker);
        assert_eq!((r.log_start_offset, r.log_end_offset), (9, 18));
        assert_eq!(r.log.first().map(|e| e.offset), Some(9), "the view shows no deleted record");
    }
    let resets = run.matching(|k| matches!(k, EventKind::ConsumerPositionReset { from: 0, to: None, .. }));
    assert_eq!(resets.len(), 2, "{}", run.log());
    let value = |o: Offset| match o {
        9..=11 => "new-1",
        12..=14 => "new-2",
        _ => "new-3",
    };
    assert_eq!(run.received_since("early", 340_000), records(9..18, value));
    assert_eq!(run.received_since("late", 340_000), records(15..18, value));
    run.no_records_lost();
}

/// A follower down for longer than retention (crashed at 5 s with offsets 0..3, back at 340 s): the
/// leader deleted everything below 9 at 330 s, so its first fetch at 3 gets `OFFSET_OUT_OF_RANGE`;
/// it truncates fully, starts at the leader's log start 9 (`fetchOffsetAndTruncate`), catches up
/// and rejoins the ISR. Its own first check, 30 s after its start, deletes a segment by retention.ms.
#[test]
fn s3_3_a_follower_behind_the_leaders_log_start_starts_over_there() {
    let run = run("s3_3_follower_behind_log_start");
    let out = run.matching(|k| matches!(k, EventKind::FollowerOffsetOutOfRange { .. }));
    assert_eq!(out.len(), 1, "{}", run.log());
    assert_eq!(
        *out[0].1,
        EventKind::FollowerOffsetOutOfRange {
            broker: b(3),
            partition: PartitionIdx(0),
            leader: b(1),
            fetch_offset: 3,
            leader_log_start_offset: 9,
            leader_log_end_offset: 15,
            to: 9
        }
    );
    let rejoined = run.matching(|k| matches!(k, EventKind::IsrExpanded { .. }));
    assert!(rejoined.iter().any(|(at, _)| *at > out[0].0), "{}", run.log());
    assert_eq!(run.partition("events-0").isr, [b(1), b(2), b(3)]);
    let r = run.replica("events-0", 3);
    assert_eq!((r.log_start_offset, r.log_end_offset, r.high_watermark), (12, 15, 15));
    run.no_records_lost();
}

/// `retention.bytes` 1 MiB with 1 MiB segments (`segment.bytes`' minimum since Kafka 4.0): three
/// sends of 1,100 records of 1,000 bytes. At 30 s the leader deletes the oldest segments while the
/// log stays over 1 MiB by at least their size; broker 3, whose disk stalled after the second send,
/// has less and deletes less. Back, it learns the leader's log start from a fetch response
/// (`LeaderOffsetIncremented`) and deletes what lies below it at its next check.
#[test]
fn s3_3_retention_bytes_and_a_follower_taking_its_leaders_log_start() {
    let run = run("s3_3_retention_bytes");
    let deleted = run.matching(|k| matches!(k, EventKind::SegmentsDeleted { .. }));
    let by_bytes: Vec<(BrokerId, Offset)> = deleted
        .iter()
        .filter_map(|(_, k)| match k {
            EventKind::SegmentsDeleted {
                broker, breach: RetentionBreach::RetentionBytes, log_start_offset, ..
            } => Some((*broker, *log_start_offset)),
            _ => None,
        })
        .collect();
    assert_eq!(by_bytes, [(b(1), 2200), (b(2), 2200), (b(3), 1100)], "{}", run.log());
    let raised = run.matching(|k| matches!(k, EventKind::LogStartOffsetIncremented { .. }));
    assert_eq!(
        raised.iter().map(|(_, k)| (*k).clone()).collect::<Vec<_>>(),
        [EventKind::LogStartOffsetIncremented {
            broker: b(3),
            partition: PartitionIdx(0),
            leader: b(1),
            from: 1100,
            to: 2200
        }]
    );
    assert!(deleted.iter().any(|(at, k)| *at == 330_000
        && matches!(k, EventKind::SegmentsDeleted { broker, breach: RetentionBreach::LogStartOffset, .. } if *broker == b(3))));
    for broker in 1..=3 {
        let r = run.replica("events-0", broker);
        assert_eq!((r.log_start_offset, r.log_end_offset), (2200, 3300));
    }
    run.no_records_lost();
}

// ------------------------------------------------------------------ the settings in the formats

fn with_log(config: &str) -> Result<scenario::Scenario, ScenarioError> {
    scenario::parse(&format!(
        r#"{{"format": 1, "cluster": {{"brokers": [{{"id": 1}}]}},
            "topics": [{{"name": "a", "partitions": 1, "replication.factor": 1}},
                       {{"name": "t", "partitions": 1, "replication.factor": 1, "config": {{{config}}}}}]}}"#
    ))
}

/// The four settings read under their Kafka names, written back only when not the default, and
/// refused as Kafka 4.0 refuses them, naming the field.
#[test]
fn retention_settings_in_json_follow_kafkas_rules() {
    let s = with_log(r#""retention.ms": 60000, "retention.bytes": -1, "segment.ms": 5000"#).expect("valid");
    let log = s.topics[1].config.log;
    assert_eq!(
        (log.retention_ms, log.retention_bytes, log.segment_ms, log.segment_bytes),
        (60_000, -1, 5_000, 1 << 30)
    );
    assert_eq!(s.topics[0].config.log, LogConfig::default());
    let json = s.to_json();
    assert!(json.contains(r#""retention.ms": 60000"#) && json.contains(r#""segment.ms": 5000"#), "{json}");
    assert!(!json.contains("retention.bytes") && !json.contains("segment.bytes"), "{json}");
    assert_eq!(scenario::parse(&json).as_ref(), Ok(&s));
    let refused = |config: &str| with_log(config).expect_err("refused").to_string();
    let small = refused(r#""segment.bytes": 1048575"#);
    assert!(small.starts_with("topics[1].config.segment.bytes: must be between 1048576 (1 MiB"), "{small}");
    assert!(refused(r#""retention.ms": -2"#).starts_with("topics[1].config.retention.ms: must be at least -1"));
    assert!(refused(r#""segment.ms": 0"#).starts_with("topics[1].config.segment.ms: must be at least 1"));
    assert!(refused(r#""retention.bytes": "1""#).starts_with("topics[1].config.retention.bytes:"));
}

/// Not in the scenario's postcard code (positional): a link carries them in section 7, only when
/// some topic differs from the defaults (a link without them is the same bytes as before), and the
/// page hands them to its share worker too.
#[test]
fn retention_settings_travel_in_their_own_link_section() {
    let plain = with_log("").expect("valid");
    let link = scenario::Link { scenario: plain, session: vec![], lesson: None };
    let plain_code = scenario::link_code(&link).expect("code");
    let mut changed = link.clone();
    changed.scenario.topics[1].config.log.retention_ms = -1;
    let code = scenario::link_code(&changed).expect("code");
    assert_eq!(&code[..plain_code.len()], &plain_code[..], "the sections before it are unchanged");
    let section = &code[plain_code.len()..];
    assert_eq!(section[0], 7, "section 7");
    let text = scenario::make_link(&changed).expect("within the caps");
    assert_eq!(scenario::read_link(&text).expect("its own link").0, changed);
    let message = scenario::link_message(&changed.scenario, &[], None);
    assert_eq!(scenario::read_link_message(&message).expect("a message").scenario, changed.scenario);
    // A value Kafka refuses is refused by the engine's check after the section is read.
    changed.scenario.topics[1].config.log.segment_bytes = 1024;
    let Err(scenario::LinkError::Invalid(e)) = scenario::read_link(&scenario::make_link(&changed).expect("made"))
    else {
        panic!("refused")
    };
    assert!(e.to_string().starts_with("topics[1].config.segment.bytes"), "{e}");
}

/// A command's topic has no link section to carry the settings: only the scenario's topics take them.
#[test]
fn a_created_topic_takes_no_retention_settings() {
    let s = with_log("").expect("valid");
    let mut engine = Engine::new(&s).expect("valid");
    let mut spec = s.topics[1].clone();
    spec.name = "u".into();
    spec.config.log.retention_ms = 1_000;
    let e = engine.apply(Command::CreateTopic(spec)).expect_err("refused");
    assert_eq!(e.field, "config.retention.ms");
}

/// The export to a real cluster creates the topic with the settings that differ from Kafka's defaults.
#[test]
fn the_export_creates_the_topic_with_its_retention_settings() {
    let s = with_log(r#""retention.ms": 60000, "segment.bytes": 1048576"#).expect("valid");
    let files = partition_playground::export::export(&s);
    let script = files.iter().find(|(path, _)| path.ends_with("commands.sh")).expect("commands.sh");
    assert!(script.1.contains("--topic t --partitions 1 --replication-factor 1 --config retention.ms=60000 --config segment.bytes=1048576"), "{}", script.1);
    assert!(!script.1.contains("retention.bytes"), "{}", script.1);
}
