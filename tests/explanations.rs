//! Explanations and views that say what Kafka does and no more (issue 10): each case is a scenario in
//! `tests/scenarios/` with its golden explained log, checked here through the events and the view,
//! and then through the one line the event log shows.

#[path = "support/scenario_run.rs"]
mod scenario_run;

use partition_playground::engine::*;
use scenario_run::{b, run, Run};

impl Run {
    /// The first event matching `f`, with its explanation and its index.
    fn first(&self, what: &str, f: impl Fn(&EventKind) -> bool) -> (usize, &ClusterEvent, &str) {
        let i = self.events.iter().position(|(e, _)| f(&e.kind));
        let i = i.unwrap_or_else(|| panic!("expected an event: {what}\n{}", self.log()));
        (i, &self.events[i].0, &self.events[i].1)
    }

    fn none(&self, what: &str, f: impl Fn(&EventKind) -> bool) {
        let found: Vec<&String> = self.events.iter().filter(|(e, _)| f(&e.kind)).map(|(_, t)| t).collect();
        assert!(found.is_empty(), "expected no event: {what}, found {found:#?}");
    }
}

// ---------------------------------------------------------------- offline partitions (§3.2, §4.8)

/// kafka-model §4.8: with unclean election disabled, out-of-sync replicas that run do not lead; the
/// explanation says they are available and what keeps them from leading.
#[test]
fn s4_8_offline_while_out_of_sync_replicas_run_names_them_and_the_disabled_setting() {
    let run = run("s4_8_offline_with_out_of_sync_replicas");
    let (_, offline, text) = run.first("t-0 offline at fenced(1)", |k| matches!(k, EventKind::PartitionOffline { .. }));
    let EventKind::PartitionOffline { isr, unclean_leader_election_enable, available_out_of_sync, .. } = &offline.kind
    else {
        unreachable!()
    };
    assert_eq!(isr, &vec![b(1)], "the last ISR member stays in the ISR (§2.3.4)");
    assert!(!unclean_leader_election_enable);
    assert_eq!(available_out_of_sync, &vec![b(2), b(3)], "2 and 3 run and heartbeat, stalled behind");
    assert!(text.contains("replicas [2, 3] are available but out of sync"), "{text}");
    assert!(text.contains("unclean.leader.election.enable=false keeps them from leading"), "{text}");
    let p = run.partition("t-0");
    assert_eq!((p.leader, p.isr.clone()), (None, vec![b(1)]), "it stays offline");
    assert!(run.replica("t-0", 2).log_end_offset < run.replica("t-0", 1).log_end_offset, "2 lacks records");
}

/// kafka-model §4.8, §7.3: with unclean election enabled, a partition goes offline only when no
/// replica at all can lead; the explanation must not say unclean election is disabled.
#[test]
fn s7_3_offline_with_unclean_election_enabled_says_not_even_an_unclean_election_can_pick_a_leader() {
    let run = run("s7_3_unclean_election");
    let (_, offline, text) = run.first("t-0 offline", |k| matches!(k, EventKind::PartitionOffline { .. }));
    assert!(matches!(
        &offline.kind,
        EventKind::PartitionOffline { unclean_leader_election_enable: true, available_out_of_sync, .. }
            if available_out_of_sync.is_empty()
    ));
    assert!(text.contains("no replica can lead"), "{text}");
    assert!(text.contains("not even an unclean election (unclean.leader.election.enable=true)"), "{text}");
    assert!(!text.contains("disabled") && !text.contains("=false"), "{text}");
    // And once a replica can lead, the controller elects it uncleanly.
    let (_, elected, _) =
        run.first("3 elected uncleanly", |k| matches!(k, EventKind::LeaderElected { unclean: true, .. }));
    assert!(elected.at_ms > offline.at_ms);
}

// ---------------------------------------------------------------- duplicates (§5.3, §5.6)

/// kafka-model §5.6, §7.4: a stale leader's idempotence check recognises a retried acks=all batch,
/// and the request waits like the original; it then fails (NOT_LEADER_OR_FOLLOWER when the broker
/// learns the new epoch): nothing was answered with the original offset.
#[test]
fn s7_4_a_duplicate_at_a_stale_leader_waits_like_the_original_and_then_fails() {
    let run = run("s7_4_zombie_leader");
    let (i, dup, text) =
        run.first("the zombie recognises the retry", |k| matches!(k, EventKind::ProduceDeduplicated { .. }));
    let EventKind::ProduceDeduplicated {
        broker,
        leader_epoch,
        controller,
        acks,
        base_offset,
        count,
        high_watermark,
        ..
    } = &dup.kind
    else {
        unreachable!()
    };
    assert_eq!((*broker, *leader_epoch, controller.0), (b(1), 0, Some(1)), "broker 1 at epoch 0, the controller at 1");
    assert_eq!((*acks, *base_offset, *count), (Acks::All, 5, 2));
    assert!(*high_watermark < 7, "its high watermark has not passed the batch");
    assert!(text.starts_with("broker 1, a stale leader of t-0 (its leader epoch 0; the controller's is 1)"), "{text}");
    assert!(text.contains("the request waits until the high watermark"), "{text}");
    assert!(!text.contains("answer"), "nothing was answered: {text}");
    // What the request came to: an error from broker 1, not the original offset.
    let failed = run.events[i..].iter().find(|(e, _)| {
        matches!(&e.kind, EventKind::ProduceRetried { error: ErrorCode::NotLeaderOrFollower, broker: Some(b1), .. } if *b1 == b(1))
    });
    assert!(failed.is_some(), "the waiting duplicate fails when broker 1 learns epoch 1\n{}", run.log());
    // The batch is acknowledged later by the real leader, at offsets broker 2 gave it.
    let safe = &run.producer("safe").sends[1];
    assert!(matches!(safe.status, SendStatus::Acknowledged { base_offset: Some(5), attempts: 3, .. }), "{safe:?}");
}

/// kafka-model §5.6: the current leader, whose high watermark has passed the duplicate, answers the
/// retry with the original offset.
#[test]
fn tc03_a_duplicate_the_high_watermark_has_passed_is_answered_with_its_original_offset() {
    let run = run("tc03_idempotent_retry");
    let (i, dup, text) = run.first("the retry is recognised", |k| matches!(k, EventKind::ProduceDeduplicated { .. }));
    assert!(matches!(
        dup.kind,
        EventKind::ProduceDeduplicated {
            broker: BrokerId(2),
            leader_epoch: 1,
            controller: ControllerEpoch(Some(1)),
            high_watermark: 6,
            ..
        }
    ));
    assert!(text.starts_with("broker 2, leader of t-0 at epoch 1,"), "{text}");
    assert!(text.ends_with("so it answers with the original offset 1"), "{text}");
    let acked =
        run.events[i..].iter().find(|(e, _)| matches!(e.kind, EventKind::ProduceAcked { base_offset: Some(1), .. }));
    assert!(acked.is_some(), "the answer arrives\n{}", run.log());
}

// ---------------------------------------------------------------- stale ISR proposals (§4.5)

/// kafka-model §4.5, §7.4: a zombie's ISR shrink says its leader epoch is stale; with its link to the
/// controller cut, none of its sends is answered, and when metadata tells it the new epoch it drops
/// the proposal: an event records that fate. The ISR never shrinks to the zombie alone.
#[test]
fn s7_4_a_stale_leaders_isr_shrink_is_abandoned_unanswered() {
    let run = run("s7_4_zombie_leader");
    let (_, proposed, text) =
        run.first("the zombie proposes a shrink", |k| matches!(k, EventKind::IsrShrinkProposed { .. }));
    assert!(matches!(
        &proposed.kind,
        EventKind::IsrShrinkProposed { leader: BrokerId(1), leader_epoch: 0, controller: ControllerEpoch(Some(1)), .. }
    ));
    assert!(text.starts_with("broker 1, a stale leader of t-0, proposes removing [2, 3]"), "{text}");
    assert!(text.contains("leader epoch 0, older than the controller's 1"), "{text}");
    let (_, abandoned, text) =
        run.first("the proposal is abandoned", |k| matches!(k, EventKind::AlterPartitionAbandoned { .. }));
    let EventKind::AlterPartitionAbandoned {
        broker,
        proposed_isr,
        leader_epoch,
        sends,
        new_leader_epoch,
        new_leader,
        ..
    } = &abandoned.kind
    else {
        unreachable!()
    };
    assert_eq!((*broker, proposed_isr.clone(), *leader_epoch), (b(1), vec![b(1)], 0));
    assert_eq!((*new_leader_epoch, *new_leader), (1, Some(b(2))));
    assert!(*sends > 1, "resent after each request timeout while the link was cut");
    assert!(abandoned.at_ms >= 60_000, "when the healed link brings the metadata");
    assert!(text.contains("got an answer"), "{text}");
    run.none("an AlterPartition from broker 1 applied", |k| {
        matches!(k, EventKind::IsrShrunk { reason: ChangeReason::AlterPartition(BrokerId(1)), .. })
    });
    run.none("a rejection (nothing reached the controller)", |k| matches!(k, EventKind::AlterPartitionRejected { .. }));
}

/// kafka-model §4.5: when the zombie's AlterPartition does reach the controller, it is rejected with
/// FENCED_LEADER_EPOCH, and the rejection says why.
#[test]
fn s4_5_a_stale_leaders_alter_partition_is_rejected_with_fenced_leader_epoch() {
    let run = run("s4_5_zombie_alter_partition_fenced");
    let (_, rejected, text) = run.first("rejected", |k| matches!(k, EventKind::AlterPartitionRejected { .. }));
    assert!(matches!(
        rejected.kind,
        EventKind::AlterPartitionRejected {
            leader: BrokerId(1),
            error: ErrorCode::FencedLeaderEpoch,
            leader_epoch: 0,
            ..
        }
    ));
    assert!(text.contains("with FENCED_LEADER_EPOCH: its leader epoch is older than the partition's"), "{text}");
    run.none("an AlterPartition from broker 1 applied", |k| {
        matches!(k, EventKind::IsrShrunk { reason: ChangeReason::AlterPartition(BrokerId(1)), .. })
    });
    run.none("abandoned as unanswered (it was answered)", |k| matches!(k, EventKind::AlterPartitionAbandoned { .. }));
    assert_eq!(run.partition("t-0").isr, vec![b(1), b(2), b(3)], "1 rejoins the ISR of leader 2 after healing");
}

// ---------------------------------------------------------------- the leader's view of a follower (§4.1)

/// kafka-model §4.1: a new leader resets followers outside the ISR to "never caught up". Within the
/// first `replica.lag.time.max.ms` of the simulation that must not read as caught up at 0 ms.
#[test]
fn s4_1_a_follower_that_never_caught_up_is_not_caught_up_in_the_leaders_view() {
    let run = run("s4_1_never_caught_up_follower");
    assert!(run.view.now_ms < 30_000, "within the first replica.lag.time.max.ms");
    assert_eq!(run.partition("t-0").leader, Some(b(2)));
    for crashed in [1, 3] {
        let r = run.replica("t-0", crashed);
        assert!(!r.in_isr);
        assert_eq!(r.caught_up, Some(false), "broker {crashed}: never caught up with leader 2");
        assert_eq!(r.last_caught_up_ms, None, "broker {crashed}: no time at which it caught up");
    }
    let leader = run.replica("t-0", 2);
    assert_eq!((leader.caught_up, leader.last_caught_up_ms), (None, None), "the leader has no follower state");
}

// ---------------------------------------------------------------- consumers (§6.2, §6.3)

/// kafka-model §7.6 (the leader's rack fails): the consumer's preferred replica, broker 2, becomes
/// the leader and answers its old-epoch fetch with FENCED_LEADER_EPOCH; the consumer refreshes its
/// metadata and fetches from broker 2 as the leader. The explanation says where it goes and why.
#[test]
fn s7_6_after_fenced_leader_epoch_the_consumer_moves_to_the_new_leader() {
    let run = run("s7_6_leader_rack_failure_follower_fetching");
    let (i, left, text) =
        run.first("c leaves its preferred replica", |k| matches!(k, EventKind::ConsumerLeftReplica { .. }));
    let EventKind::ConsumerLeftReplica { replica, why, leader, leader_epoch, .. } = &left.kind else { unreachable!() };
    assert_eq!(*why, LeftReplica::Error(ErrorCode::FencedLeaderEpoch));
    assert_eq!((*replica, *leader, *leader_epoch), (b(2), Some(b(1)), 0), "its metadata still names broker 1");
    assert!(text.contains("it answered FENCED_LEADER_EPOCH"), "{text}");
    assert!(text.contains("next it fetches from the leader its refreshed metadata names"), "{text}");
    assert!(!text.contains("goes back"), "{text}");
    // Where it went: broker 2, now the leader, serves the records produced after the failover.
    let fetched = run.events[i..]
        .iter()
        .find(|(e, _)| matches!(e.kind, EventKind::ConsumerFetched { broker: BrokerId(2), from: 3, .. }));
    assert!(fetched.is_some(), "c reads offsets 3.. from the new leader\n{}", run.log());
    let c = &run.view.consumers[0];
    let offsets: Vec<u64> = c.received.iter().map(|r| r.offset).collect();
    assert_eq!(offsets, vec![0, 1, 2, 3, 4], "nothing skipped or read twice");
}

// ---------------------------------------------------------------- attempts (§5.2, §5.4)

/// kafka-model §5.2, §7.1: a producer whose metadata still names the crashed leader cannot connect
/// to it (connection refused). `Sender.sendProducerData` sends nothing to a broker that is not
/// ready, so no request exists and no attempt is counted: the batch goes to the new leader as its
/// first attempt once metadata names it.
#[test]
fn s7_6_a_producer_that_cannot_connect_to_a_crashed_leader_counts_no_attempt() {
    let run = run("s7_6_leader_rack_failure_follower_fetching");
    let (_, failed, text) =
        run.first("the connection to broker 1 is refused", |k| matches!(k, EventKind::ProducerConnectionFailed { .. }));
    assert!(matches!(failed.kind, EventKind::ProducerConnectionFailed { broker: BrokerId(1), timed_out: false, .. }));
    assert!(text.contains("connection refused") && text.contains("no produce request was sent"), "{text}");
    run.none("a retried produce request", |k| matches!(k, EventKind::ProduceRetried { .. }));
    let after = &run.producer("p").sends[1];
    assert!(
        matches!(after.status, SendStatus::Acknowledged { base_offset: Some(3), attempts: 1, .. }),
        "one request, to broker 2: {after:?}"
    );
}

/// kafka-model §5.4: a producer cut off from a live leader sends one request on its connection, which
/// times out client-side (REQUEST_TIMED_OUT, attempt 1) and closes the connection; reconnecting then
/// times out (`socket.connection.setup.timeout.ms`) while the link is cut, creating no request. Once
/// the link heals it connects and the batch's second request is acknowledged: 2 attempts, as Kafka
/// counts them.
#[test]
fn s5_4_a_producer_cut_off_from_its_leader_counts_only_the_requests_it_sent() {
    let run = run("s5_4_producer_cut_off_from_leader");
    let (_, retried, _) = run.first("the request times out", |k| matches!(k, EventKind::ProduceRetried { .. }));
    assert!(matches!(
        retried.kind,
        EventKind::ProduceRetried { error: ErrorCode::RequestTimedOut, attempt: 1, broker: Some(BrokerId(1)), .. }
    ));
    // Reconnecting fails until the link heals: one event for the failures in a row.
    let (_, failed, text) =
        run.first("reconnecting times out", |k| matches!(k, EventKind::ProducerConnectionFailed { .. }));
    assert!(matches!(failed.kind, EventKind::ProducerConnectionFailed { broker: BrokerId(1), timed_out: true, .. }));
    assert!(text.contains("no answer within socket.connection.setup.timeout.ms = 10000 ms"), "{text}");
    let retries = run.events.iter().filter(|(e, _)| matches!(e.kind, EventKind::ProduceRetried { .. })).count();
    assert_eq!(retries, 1, "only the request that was sent failed\n{}", run.log());
    let cut_off = &run.producer("p").sends[1];
    assert!(
        matches!(cut_off.status, SendStatus::Acknowledged { base_offset: Some(1), attempts: 2, at_ms, .. } if at_ms > 60_000),
        "acknowledged after the link healed, on its second request: {cut_off:?}"
    );
}

/// kafka-model §5.4 and Kafka's `NetworkClient.handleTimedOutRequests` / `Sender.handleProduceResponse`:
/// when the oldest request on a connection gets no answer within `request.timeout.ms` (30 s), the
/// producer closes the connection and fails every request in flight on it with REQUEST_TIMED_OUT, a
/// retriable error: here the request for t-0 (sent at 3 s) and the one for t-1 (sent at 10 s, only
/// 24 s old) fail together at 34 s (the engine's client waits 1 s past the timeout, see `producer.rs`). The batches wait for a new connection, which the cut link
/// refuses until it heals; then each is acknowledged on its second request, nothing given up.
#[test]
fn s5_4_a_request_timeout_closes_the_connection_and_fails_every_request_in_flight_on_it() {
    let run = run("s5_4_request_timeout_closes_connection");
    let (i, timed_out, text) =
        run.first("the request times out", |k| matches!(k, EventKind::ProducerRequestTimedOut { .. }));
    assert!(
        matches!(
            timed_out.kind,
            EventKind::ProducerRequestTimedOut { broker: BrokerId(1), request_timeout_ms: 30_000, requests: 2, .. }
        ),
        "{text}"
    );
    // request.timeout.ms after the first request was sent (3 s), plus the engine's 1 s margin.
    assert!((34_000..34_100).contains(&timed_out.at_ms), "{}", run.log());
    assert!(text.contains("Disconnecting from node 1 due to request timeout") && text.contains("REQUEST_TIMED_OUT"));
    let retried: Vec<&ClusterEvent> = run.events[i..]
        .iter()
        .filter(|(e, _)| matches!(e.kind, EventKind::ProduceRetried { .. }))
        .map(|(e, _)| e)
        .collect();
    assert_eq!(retried.len(), 2, "both requests in flight on the connection fail\n{}", run.log());
    for e in &retried {
        assert_eq!(e.at_ms, timed_out.at_ms, "at the same moment");
        assert!(matches!(e.kind, EventKind::ProduceRetried { error: ErrorCode::RequestTimedOut, attempt: 1, .. }));
    }
    run.first("no new connection while the link is cut", |k| {
        matches!(k, EventKind::ProducerConnectionFailed { broker: BrokerId(1), .. })
    });
    run.none("a send given up", |k| matches!(k, EventKind::ProduceFailed { .. }));
    for send in &run.producer("p").sends[1..] {
        assert!(
            matches!(send.status, SendStatus::Acknowledged { attempts: 2, at_ms, .. } if at_ms > 45_000),
            "acknowledged on the second request once the link healed: {send:?}"
        );
    }
}
