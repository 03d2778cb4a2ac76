//! A consumer's position as Kafka's client keeps it (kafka-model §6.1–§6.3, `SubscriptionState`):
//! resets by ListOffsets, KIP-320 validation after a leader change, `auto.offset.reset=none` and
//! its exceptions, and `seek`. Each test runs a scenario of `tests/scenarios/s6_3_*.json` (replay
//! any with `cargo run --release -- run tests/scenarios/<name>.json`); its explained log is
//! `tests/scenarios/<name>.golden.txt`.

#[path = "support/scenario_run.rs"]
mod scenario_run;

use partition_playground::engine::*;
use scenario_run::{b, run, Run};

impl Run {
    fn consumer(&self, name: &str) -> &ConsumerView {
        self.view.consumers.iter().find(|c| c.name == name).expect("consumer")
    }

    /// The consumer's one partition.
    fn position(&self, name: &str) -> &ConsumerPartitionView {
        &self.consumer(name).partitions[0]
    }

    /// Events matching `f`, with their time, in order.
    fn times(&self, f: impl Fn(&EventKind) -> bool) -> Vec<(Millis, &EventKind)> {
        self.events.iter().filter(|(e, _)| f(&e.kind)).map(|(e, _)| (e.at_ms, &e.kind)).collect()
    }

    /// (offset, value) of every record the consumer received, in order.
    fn received(&self, name: &str) -> Vec<(u64, String)> {
        self.consumer(name).received.iter().map(|r| (r.offset, r.value.clone())).collect()
    }
}

fn fetched(k: &EventKind) -> bool {
    matches!(k, EventKind::ConsumerFetched { .. })
}

fn validating(k: &EventKind) -> bool {
    matches!(k, EventKind::ConsumerValidating { .. })
}

/// kafka-model §6.3, §7.3: the consumer read offsets 0..9 from broker 1 (epoch 0); broker 2, which
/// holds only 0..4, is elected uncleanly (epoch 1). Metadata names the new epoch, so the consumer
/// asks broker 2 where epoch 0 ends (OffsetsForLeaderEpoch): at 5, below its position 10. With
/// `auto.offset.reset=earliest` it moves to that end offset, not to the beginning
/// (`SubscriptionState.maybeCompleteValidation`), and reads what the new leader writes there.
#[test]
fn s6_3_validation_after_an_unclean_election_moves_the_position_to_the_end_offset_of_its_epoch() {
    let run = run("s6_3_validation_after_unclean_election");
    let asked = run.times(validating);
    assert_eq!(asked.len(), 1, "one validation, after the one leader change\n{}", run.log());
    let (asked_ms, ask) = asked[0];
    assert_eq!(
        *ask,
        EventKind::ConsumerValidating {
            consumer: ClientIdx(0),
            partition: PartitionIdx(0),
            broker: b(2),
            position: 10,
            epoch: 0,
            leader_epoch: 1
        }
    );
    let answers = run.times(|k| matches!(k, EventKind::ConsumerValidated { .. }));
    let (answered_ms, answer) = answers[0];
    assert!(
        matches!(answer, EventKind::ConsumerValidated { broker, position: 10, end: Some((0, 5)), error: None, .. } if *broker == b(2))
    );
    let moved = run.times(|k| matches!(k, EventKind::ConsumerPositionReset { .. }));
    assert!(matches!(moved[..], [(_, EventKind::ConsumerPositionReset { from: 10, to: Some(5), .. })]), "{moved:?}");
    // No fetch while the position awaits validation.
    assert!(run.times(fetched).iter().all(|(t, _)| *t <= asked_ms || *t > answered_ms));
    // What it read before, then the new leader's records from offset 5: offsets 5..7 twice, each
    // time another record (Kafka promises nothing after an unclean election).
    let both: Vec<(u64, String)> = (0..5).map(|o| (o, "both".to_string())).collect();
    let only_1: Vec<(u64, String)> = (5..10).map(|o| (o, "only-1".to_string())).collect();
    let after: Vec<(u64, String)> = (5..8).map(|o| (o, "after".to_string())).collect();
    assert_eq!(run.received("c"), [both, only_1, after].concat());
    let p = run.position("c");
    assert_eq!((p.position, p.fetch_state), (Some(8), FetchState::Fetching));
}

/// The same with `auto.offset.reset=none`: `poll` throws `LogTruncationException` with the
/// divergent offset 5 of epoch 0; the position stays at 10 and nothing more is fetched
/// (kafka-model §6.3). It starts with `NoOffsetForPartitionException` (no committed offset) until
/// the application seeks to offset 0.
#[test]
fn s6_3_validation_with_none_throws_log_truncation_and_fetches_nothing_more() {
    let run = run("s6_3_log_truncation_none");
    let failed = run.times(|k| matches!(k, EventKind::ConsumerFailed { .. }));
    let exceptions: Vec<_> = failed
        .iter()
        .map(|(_, k)| match k {
            EventKind::ConsumerFailed { exception, position, divergent, .. } => (*exception, *position, *divergent),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        exceptions,
        [
            (ConsumerException::NoOffsetForPartition, None, None),
            (ConsumerException::LogTruncation, Some(10), Some((0, 5)))
        ]
    );
    let (truncation_ms, _) = failed[1];
    assert!(run.times(fetched).iter().all(|(t, _)| *t < truncation_ms), "no fetch after the exception");
    assert!(run.times(|k| matches!(k, EventKind::ConsumerPositionReset { .. })).is_empty(), "none resets nothing");
    assert_eq!(run.consumer("c").received_total, 10, "the records written after the election are not read");
    let p = run.position("c");
    assert_eq!(
        (p.position, p.fetch_state, p.fetching_from),
        (Some(10), FetchState::Failed(ConsumerException::LogTruncation), None)
    );
}

/// `auto.offset.reset=none` without a committed offset: `NoOffsetForPartitionException` at once,
/// and no ListOffsets. A seek past the log end then meets `OFFSET_OUT_OF_RANGE`, which with `none`
/// is `OffsetOutOfRangeException`, no reset; `seekToBeginning` is resolved by ListOffsets(earliest)
/// and the consumer reads everything (kafka-model §6.3).
#[test]
fn s6_3_none_throws_no_offset_at_start_and_out_of_range_instead_of_resetting() {
    let run = run("s6_3_no_offset_none");
    let failed = run.times(|k| matches!(k, EventKind::ConsumerFailed { .. }));
    assert!(matches!(
        failed[..],
        [
            (0, EventKind::ConsumerFailed { exception: ConsumerException::NoOffsetForPartition, position: None, .. }),
            (_, EventKind::ConsumerFailed { exception: ConsumerException::OffsetOutOfRange, position: Some(50), .. })
        ]
    ));
    let lookups = run.times(|k| matches!(k, EventKind::ConsumerListOffsets { .. }));
    assert!(
        matches!(lookups[..], [(3_000, EventKind::ConsumerListOffsets { spec: OffsetSpec::Earliest, .. })]),
        "the one lookup is the seek to the beginning: {lookups:?}"
    );
    let values: Vec<(u64, String)> = (0..4).map(|o| (o, "v".to_string())).collect();
    assert_eq!(run.received("c"), values);
    let p = run.position("c");
    assert_eq!((p.position, p.fetch_state), (Some(4), FetchState::Fetching));
}

/// kafka-model §3.4, §6.3 (`Partition.fetchOffsetForTimestamp`): broker 2 leads with its log end 10
/// as the start offset of its epoch, but its high watermark is 5 until its ISR follower, broker 3
/// (a slow disk), catches up. ListOffsets(latest) is refused with OFFSET_NOT_AVAILABLE meanwhile;
/// the consumer retries every `retry.backoff.ms` and starts at 10 once the HW is there.
#[test]
fn s6_3_list_offsets_is_offset_not_available_while_a_new_leaders_hw_is_behind() {
    let run = run("s6_3_list_offsets_offset_not_available");
    let answers = run.times(|k| matches!(k, EventKind::ConsumerListOffsetsAnswered { .. }));
    let refused = |k: &EventKind| {
        matches!(
            k,
            EventKind::ConsumerListOffsetsAnswered { error: Some(ErrorCode::OffsetNotAvailable), offset: None, .. }
        )
    };
    let (last, earlier) = answers.split_last().expect("answers");
    assert!(earlier.len() >= 2 && earlier.iter().all(|(_, k)| refused(k)), "{answers:?}");
    assert!(
        matches!(last.1, EventKind::ConsumerListOffsetsAnswered { offset: Some(10), error: None, broker, .. } if *broker == b(2))
    );
    let resumed = run.times(|k| matches!(k, EventKind::ReplicaResumed { .. }))[0].0;
    assert!(last.0 > resumed && earlier.iter().all(|(t, _)| *t < resumed + 100));
    // Each retry waits retry.backoff.ms (100 ms) after the refusal.
    let asks: Vec<Millis> =
        run.times(|k| matches!(k, EventKind::ConsumerListOffsets { .. })).iter().map(|e| e.0).collect();
    for (i, (refused_ms, _)) in earlier.iter().enumerate() {
        assert!(asks[i + 1] >= refused_ms + 100, "retry {} at {} ms", i + 1, asks[i + 1]);
    }
    let p = run.position("c");
    assert_eq!((p.position, p.fetch_state), (Some(10), FetchState::Fetching));
}

/// `seek` (kafka-model §6.3): to offset 4, the consumer reads 4 and 5 again; `seekToBeginning`
/// and `seekToEnd` are lazy resets that ListOffsets resolves (0, then the high watermark 6). A
/// seek's position carries no epoch, so it is fetched from without validation.
#[test]
fn s6_3_seek_to_an_offset_the_beginning_and_the_end() {
    let run = run("s6_3_seek");
    let offsets: Vec<u64> = run.received("c").iter().map(|(o, _)| *o).collect();
    assert_eq!(offsets, [0, 1, 2, 3, 4, 5, 4, 5, 0, 1, 2, 3, 4, 5, 6, 7]);
    let answered: Vec<(OffsetSpec, Option<u64>)> = run
        .times(|k| matches!(k, EventKind::ConsumerListOffsetsAnswered { .. }))
        .iter()
        .map(|(_, k)| match k {
            EventKind::ConsumerListOffsetsAnswered { spec, offset, .. } => (*spec, *offset),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        answered,
        [(OffsetSpec::Latest, Some(0)), (OffsetSpec::Earliest, Some(0)), (OffsetSpec::Latest, Some(6))]
    );
    assert!(run.times(validating).is_empty(), "no leader change, no validation");
    let seeks: Vec<SeekTo> = run
        .times(|k| matches!(k, EventKind::ConsumerSeeked { .. }))
        .iter()
        .map(|(_, k)| match k {
            EventKind::ConsumerSeeked { to, .. } => *to,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(seeks, [SeekTo::Offset(4), SeekTo::Beginning, SeekTo::End]);
}

/// Kafka: `seek` on a partition the consumer is not assigned is an `IllegalStateException`; the
/// engine refuses it naming the field, and changes nothing.
#[test]
fn a_seek_on_a_partition_the_consumer_does_not_consume_is_refused() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios/s6_3_seek.json")).unwrap();
    let mut scenario = partition_playground::scenario::parse(&text).unwrap();
    scenario.commands.clear();
    let mut engine = Engine::new(&scenario).unwrap();
    let seek = Command::Seek { consumer: "c".into(), topic: "t".into(), partition: 0, to: SeekTo::End };
    let err = engine.apply(seek).unwrap_err();
    assert_eq!(err.field, "partition");
    assert_eq!(err.reason, "consumer `c` does not consume t-0 (`consume` the topic first)");
}

/// A consumer that subscribes while its partition has no leader (its only replica's broker is
/// down) cannot send the ListOffsets of its reset: Kafka's client finds no leader in its metadata
/// (`LEADER_NOT_AVAILABLE`, "Leader for partition is unknown"), refreshes metadata and asks again.
/// Said once; once broker 1 is back and leads, the reset completes and the consumer reads from 0.
#[test]
fn s6_3_a_reset_waits_for_a_leader_its_metadata_does_not_have() {
    let run = run("s6_3_list_offsets_leader_not_available");
    let unknown = run.times(|k| matches!(k, EventKind::ConsumerLeaderUnknown { .. }));
    assert_eq!(unknown.len(), 1, "said once:\n{}", run.log());
    assert!((15_000..30_000).contains(&unknown[0].0), "while broker 1 is down");
    let asked = run.times(|k| matches!(k, EventKind::ConsumerListOffsets { broker, .. } if *broker == b(1)));
    assert!(asked.iter().all(|(t, _)| *t > 30_000), "the ListOffsets goes once broker 1 leads again");
    let values: Vec<u64> = run.received("c").iter().map(|(o, _)| *o).collect();
    assert_eq!(values, vec![0, 1, 2], "then the reset to earliest reads every record");
}
