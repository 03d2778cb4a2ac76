//! The producer pipeline of kafka-model §5.2–§5.6 as scenario files in `tests/scenarios/`
//! (`s5_2_*`, `s5_6_*`; their golden explained logs are checked by `golden.rs`): requests in flight
//! per connection, one batch per partition per request, idempotent sequences at a new leader, and
//! what retries do without idempotence.

#[path = "support/scenario_run.rs"]
mod scenario_run;

use partition_playground::engine::*;
use scenario_run::{b, run, Run};

fn acked_offset(send: &SendView) -> Option<u64> {
    match send.status {
        SendStatus::Acknowledged { base_offset, .. } => base_offset,
        _ => None,
    }
}

impl Run {
    fn events_of(&self, f: impl Fn(&EventKind) -> bool) -> Vec<&EventKind> {
        self.events.iter().map(|(e, _)| &e.kind).filter(|k| f(k)).collect()
    }

    /// The values of a replica's log, in offset order.
    fn log_values(&self, partition: &str, broker: u32) -> Vec<String> {
        self.replica(partition, broker).log.iter().map(|e| e.value.clone()).collect()
    }

    fn assert_replicas_identical(&self, partition: &str) {
        let p = self.partition(partition);
        let first = self.log_values(partition, p.replicas[0].0);
        for r in &p.replicas[1..] {
            assert_eq!(self.log_values(partition, r.0), first, "{partition}: broker {r} differs");
        }
    }
}

/// kafka-model §5.2: 40 records for each of two partitions led by broker 1, in batches of about 6
/// (`batch.size` 60): the producer has 5 requests in flight to broker 1 at once
/// (`max.in.flight.requests.per.connection`, default 5), never more, each carrying one batch of
/// each partition (`RecordAccumulator.drain`), so several batches of a partition are in flight
/// together; every batch is acknowledged at the offset it was sent in, in order.
#[test]
fn s5_2_five_requests_in_flight_carry_one_batch_per_partition_each() {
    let run = run("s5_2_five_requests_in_flight");
    let sent = run.events_of(|k| matches!(k, EventKind::ProduceRequestSent { .. }));
    let most = sent
        .iter()
        .map(|k| match k {
            EventKind::ProduceRequestSent { broker, batches, in_flight, max_in_flight, .. } => {
                assert_eq!(*broker, b(1));
                assert_eq!(*max_in_flight, 5);
                let partitions: Vec<PartitionIdx> = batches.iter().map(|(p, _)| *p).collect();
                assert_eq!(partitions, vec![PartitionIdx(0), PartitionIdx(1)], "one batch of each partition");
                *in_flight
            }
            _ => unreachable!(),
        })
        .max();
    assert_eq!(most, Some(5), "five requests in flight on the connection, no more");
    let p = run.producer("p");
    assert!(p.sends.len() >= 12, "several batches per partition, got {}", p.sends.len());
    for partition in [PartitionIdx(0), PartitionIdx(1)] {
        let offsets: Vec<u64> =
            p.sends.iter().filter(|s| s.partition == partition).map(|s| acked_offset(s).expect("acked")).collect();
        assert!(offsets.windows(2).all(|w| w[0] < w[1]), "batches land in the order sent: {offsets:?}");
        let attempts_one = p.sends.iter().all(|s| matches!(s.status, SendStatus::Acknowledged { attempts: 1, .. }));
        assert!(attempts_one, "no retry");
    }
    assert_eq!(p.acked_records, 80);
    run.assert_replicas_identical("t-0");
}

/// kafka-model §5.2, §5.4: without idempotence (`enable.idempotence=false`, `acks=all`) and two
/// requests in flight, both fail with NOT_LEADER_OR_FOLLOWER at broker 1 (its leadership moved
/// with its controlled shutdown); each failed batch goes back to the front of the partition's
/// queue (`RecordAccumulator.reenqueue`), the second in front of the first, so the retries land in
/// the new leader's log in the other order: "second" before "first". No record is lost.
#[test]
fn s5_2_without_idempotence_retries_with_two_requests_in_flight_reorder_records() {
    let run = run("s5_2_reordering_without_idempotence");
    let refused = run.events_of(|k| {
        matches!(k, EventKind::ProduceRetried { error: ErrorCode::NotLeaderOrFollower, broker: Some(b), .. } if *b == BrokerId(1))
    });
    assert_eq!(refused.len(), 2, "both requests in flight fail at the old leader");
    let p = run.producer("p");
    assert!(!p.enable_idempotence);
    let (first, second) = (&p.sends[0], &p.sends[1]);
    assert_eq!((first.value.as_str(), second.value.as_str()), ("first", "second"));
    assert!(
        acked_offset(second) < acked_offset(first),
        "the second send lands before the first: {:?} < {:?}",
        acked_offset(second),
        acked_offset(first)
    );
    assert_eq!(run.log_values("t-0", 2), vec!["second", "first"], "the new leader's log holds them reordered");
    assert!(run.view.safety.losses.is_empty(), "reordered, not lost");
}

/// kafka-model §5.6, `TransactionManager.canRetry`: batch "one" (sequence 2) is stuck at broker 1,
/// a stale leader cut off from the cluster; the producer learns the new leader 2 and sends batch
/// "two" (sequence 4) there; 2 has the producer's batch "zero" (sequences 0-1) but not "one", so it
/// answers OUT_OF_ORDER_SEQUENCE_NUMBER. "two" is not the partition's first unresolved batch, so
/// the producer keeps it, bumps no epoch, and sends it only after "one" is resolved: "one" times
/// out at broker 1, goes to broker 2 and is appended, then "two". Each once, in order.
#[test]
fn s5_6_out_of_order_at_a_new_leader_recovers_in_order_without_duplicates() {
    let run = run("s5_6_out_of_order_at_new_leader");
    let ooo = run.events_of(|k| {
        matches!(k, EventKind::ProduceRetried { error: ErrorCode::OutOfOrderSequenceNumber, broker: Some(b), .. } if *b == BrokerId(2))
    });
    assert_eq!(ooo.len(), 1, "one OUT_OF_ORDER_SEQUENCE_NUMBER, no retry storm");
    assert!(run.events_of(|k| matches!(k, EventKind::ProducerEpochBumped { .. })).is_empty(), "no epoch bump");
    let p = run.producer("p");
    assert_eq!(p.producer_epoch, 0);
    let zero_one_two: Vec<Option<u64>> =
        p.sends.iter().filter(|s| s.partition == PartitionIdx(0)).map(acked_offset).collect();
    assert_eq!(zero_one_two, vec![Some(0), Some(2), Some(4)], "acknowledged in the order sent");
    let values = run.log_values("t-0", 2);
    assert_eq!(values, ["zero", "zero", "one", "one", "two", "two"], "no duplicate, no reordering");
    run.assert_replicas_identical("t-0");
    assert!(run.view.safety.losses.is_empty());
}

/// kafka-model §5.6, `ProducerAppendInfo.checkSequence`: after an unclean election broker 2 leads
/// t-0 with none of producer p's batches (they were only on broker 1). p's next batch carries
/// sequence 3; a broker with no state for the producer id accepts any sequence, so it is appended
/// (before Kafka 2.5 it was UNKNOWN_PRODUCER_ID) and nothing is refused.
#[test]
fn s5_6_a_leader_without_the_producers_state_accepts_its_next_sequence() {
    let run = run("s5_6_unknown_producer_id_after_unclean_election");
    let accepted = run.events_of(|k| matches!(k, EventKind::ProducerStateUnknown { .. }));
    assert!(
        matches!(accepted[..], [EventKind::ProducerStateUnknown { broker, base_sequence: 3, count: 2, .. }] if *broker == b(2)),
        "{accepted:?}"
    );
    let refused = run.events_of(|k| matches!(k, EventKind::ProduceRetried { .. }));
    assert!(refused.is_empty(), "no OUT_OF_ORDER_SEQUENCE_NUMBER: {refused:?}");
    let p = run.producer("p");
    assert!(matches!(p.sends[1].status, SendStatus::Acknowledged { base_offset: Some(0), attempts: 1, .. }));
    assert_eq!(run.log_values("t-0", 2), ["after-unclean", "after-unclean"]);
}

/// kafka-model §5.6, where idempotence does not keep the order: batch "one" (sequence 0) is stuck
/// at broker 1, a stale leader cut off from the cluster, so none of p's batches reaches broker 2,
/// the new leader. "two" (sequence 2) goes there; with no state for p's producer id broker 2 accepts
/// it at any sequence (`ProducerAppendInfo.checkSequence`) and writes it at offset 0. "one" then
/// times out, is retried at broker 2 and refused (OUT_OF_ORDER_SEQUENCE_NUMBER); as the first
/// unresolved batch it makes p bump its epoch (`TransactionManager.canRetry`, KIP-360) and it is
/// written after "two". Both acknowledged once each, in the wrong order: Kafka's behaviour, not a
/// loss. This is why the property tests exempt partitions with `ProducerStateUnknown`.
#[test]
fn s5_6_a_later_batch_is_written_first_at_a_leader_without_the_producers_state() {
    let run = run("s5_6_later_batch_first_at_a_leader_without_state");
    let unchecked = run.events_of(|k| matches!(k, EventKind::ProducerStateUnknown { .. }));
    assert!(
        matches!(unchecked[..], [EventKind::ProducerStateUnknown { broker, base_sequence: 2, count: 2, .. }] if *broker == b(2)),
        "{unchecked:?}"
    );
    let bumped = run.events_of(|k| matches!(k, EventKind::ProducerEpochBumped { .. }));
    assert!(
        matches!(bumped[..], [EventKind::ProducerEpochBumped { producer_epoch: 1, base_sequence: 0, .. }]),
        "{bumped:?}"
    );
    let p = run.producer("p");
    let t0: Vec<(&str, Option<u64>)> = p
        .sends
        .iter()
        .filter(|s| s.partition == PartitionIdx(0))
        .map(|s| (s.value.as_str(), acked_offset(s)))
        .collect();
    assert_eq!(t0, [("one", Some(2)), ("two", Some(0))], "sent one, two; written two, one");
    assert_eq!(run.log_values("t-0", 2), ["two", "two", "one", "one"], "each once, reordered");
    run.assert_replicas_identical("t-0");
    assert!(run.view.safety.losses.is_empty(), "reordered, not lost");
}

/// The scenario of [`s5_2_five_requests_in_flight_carry_one_batch_per_partition_each`] with
/// `max.in.flight.requests.per.connection` set as the JSON format writes it.
fn five_in_flight_with(max_in_flight: &str) -> Result<partition_playground::scenario::Scenario, String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios/s5_2_five_requests_in_flight.json");
    let text = std::fs::read_to_string(path).expect("scenario").replace(
        r#""batch.size": 60"#,
        &format!(r#""batch.size": 60, "max.in.flight.requests.per.connection": {max_in_flight}"#),
    );
    partition_playground::scenario::parse(&text).map_err(|e| e.to_string())
}

/// With `max.in.flight.requests.per.connection=1` (`guaranteeMessageOrder`) one request at a time
/// goes to broker 1, each still with one batch of each partition; the value round-trips through the
/// JSON format under its Kafka name.
#[test]
fn s5_2_one_request_in_flight_sends_the_same_batches_one_request_at_a_time() {
    let scenario = five_in_flight_with("1").expect("valid");
    assert_eq!(scenario.producers[0].config.max_in_flight_requests_per_connection, 1);
    assert!(scenario.to_json().contains(r#""max.in.flight.requests.per.connection": 1"#));
    assert_eq!(partition_playground::scenario::parse(&scenario.to_json()).as_ref(), Ok(&scenario));
    let mut engine = Engine::new(&scenario).expect("within the contract");
    engine.advance_to(scenario.until_ms, u64::MAX).expect("runs");
    let pipelined = engine.events_since(0).filter(|e| matches!(e.kind, EventKind::ProduceRequestSent { .. })).count();
    assert_eq!(pipelined, 0, "never a second request in flight");
    let view = engine.view(ViewOptions { client_history: usize::MAX, ..ViewOptions::default() });
    assert_eq!(view.producers[0].acked_records, 80);
    // The default is not written.
    let default = five_in_flight_with("5").expect("valid");
    assert!(!default.to_json().contains("max.in.flight"));
}

/// Kafka's ProducerConfig rules: at least 1; an explicit `enable.idempotence=true` with more than
/// 5 is a ConfigException; without it, idempotence defaults to off above 5 (kafka-model §5.6).
#[test]
fn max_in_flight_follows_kafkas_producer_config_rules() {
    let zero = five_in_flight_with("0").unwrap_err();
    assert_eq!(zero, "producers[0].config.max.in.flight.requests.per.connection: from 1 to 100, found 0");
    let text = five_in_flight_with("6").expect("valid without an explicit enable.idempotence");
    assert!(!text.producers[0].config.idempotent(), "a default idempotence is off above 5");
    let explicit = five_in_flight_with(r#"6, "enable.idempotence": true"#).unwrap_err();
    assert!(
        explicit.starts_with(
            "producers[0].config.max.in.flight.requests.per.connection: the idempotent producer needs at most 5"
        ),
        "{explicit}"
    );
    let word = five_in_flight_with(r#""five""#).unwrap_err();
    assert!(word.starts_with("producers[0].config.max.in.flight.requests.per.connection: "), "{word}");
}
