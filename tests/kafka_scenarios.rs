//! The worked examples of kafka-model §9 and the failure scenarios of §7, as scenario files in
//! `tests/scenarios/` (replay any with `cargo run --release -- run tests/scenarios/<name>.json`) and
//! the outcomes Kafka says they must have.

#[path = "support/scenario_run.rs"]
mod scenario_run;

use partition_playground::engine::ErrorCode;
use partition_playground::engine::*;
use partition_playground::engine::{ChangeReason, ClusterEvent, EventKind};
use scenario_run::{b, run, Run};

impl Run {
    fn consumer(&self, name: &str) -> &ConsumerView {
        self.view.consumers.iter().find(|c| c.name == name).expect("consumer")
    }

    /// Events matching `f`, in order.
    fn find(&self, f: impl Fn(&EventKind) -> bool) -> Vec<&ClusterEvent> {
        self.events.iter().filter(|(e, _)| f(&e.kind)).map(|(e, _)| e).collect()
    }

    fn first(&self, what: &str, f: impl Fn(&EventKind) -> bool) -> &ClusterEvent {
        self.find(f).first().unwrap_or_else(|| panic!("expected an event: {what}\n{}", self.log()))
    }

    /// Values of a replica's log, in offset order.
    fn values(&self, partition: &str, broker: u32) -> Vec<(u64, String)> {
        self.replica(partition, broker).log.iter().map(|e| (e.offset, e.value.clone())).collect()
    }

    fn assert_replicas_identical(&self, partition: &str) {
        let p = self.partition(partition);
        let first = self.values(partition, p.replicas[0].0);
        for r in &p.replicas[1..] {
            assert_eq!(
                self.values(partition, r.0),
                first,
                "{partition}: broker {r} differs from broker {}",
                p.replicas[0]
            );
        }
    }
}

fn acked_offset(send: &SendView) -> Option<u64> {
    match send.status {
        SendStatus::Acknowledged { base_offset, .. } => base_offset,
        _ => None,
    }
}

#[test]
fn tc01_keys_choose_partitions_and_every_replica_reaches_the_high_watermark() {
    let run = run("tc01_steady_state");
    // murmur2: "key1" -> 2, "a" -> 1, "order-42" -> 0 (kafka-model §5.1).
    let values = |p: &str| -> Vec<String> { run.values(p, 1).into_iter().map(|(_, v)| v).collect() };
    assert_eq!(values("t-2"), vec!["v"; 10], "all key1 records land in t-2 at offsets 0-9 in send order");
    assert_eq!(values("t-1"), vec!["va"]);
    assert_eq!(values("t-0"), vec!["vo"]);
    for broker in 1..=3 {
        let r = run.replica("t-2", broker);
        assert_eq!(
            (r.log_end_offset, r.high_watermark),
            (10, 10),
            "broker {broker}: LEO = HW = 10 on every replica of t-2"
        );
    }
    let c = run.consumer("c");
    assert_eq!(c.received_total, 12, "the consumer receives exactly the 12 records");
    for p in ["t-0", "t-1", "t-2"] {
        let offsets: Vec<u64> = c.received.iter().filter(|r| r.partition_name(&run) == p).map(|r| r.offset).collect();
        let expected: Vec<u64> = (0..offsets.len() as u64).collect();
        assert_eq!(offsets, expected, "{p}: in offset order, none twice");
    }
    // Success came only after the HW passed the records, which needs both followers (acks=all).
    assert!(run.producer("p").sends.iter().all(|s| matches!(s.status, SendStatus::Acknowledged { .. })));
}

/// kafka-model §3.4–§3.5: an acks=all success is the end of a chain the log shows link by link: the
/// leader appends, each follower fetches the records and then fetches again from the next offset
/// (which tells the leader it holds them), the leader advances the high watermark, and only then
/// does the producer hear success.
#[test]
fn tc01_an_acks_all_success_is_preceded_by_the_append_the_fetches_and_the_high_watermark_advance() {
    let run = run("tc01_steady_state");
    let t2 = run.partition("t-2").idx;
    let position = |what: &str, f: &dyn Fn(&EventKind) -> bool| -> usize {
        run.events.iter().position(|(e, _)| f(&e.kind)).unwrap_or_else(|| panic!("expected {what}\n{}", run.log()))
    };
    let appended = position("leader 3 appends offsets 0..9 of t-2", &|k| {
        matches!(k, EventKind::LeaderAppended { broker, partition, base_offset: 0, count: 10, .. }
            if *broker == b(3) && *partition == t2)
    });
    let fetched_records = |f: u32| {
        position("the follower fetches the 10 records", &|k| {
            matches!(k, EventKind::FollowerFetched { follower, partition, fetch_offset: 0, count: 10, .. }
                if *follower == b(f) && *partition == t2)
        })
    };
    let confirmed = |f: u32| {
        position("the follower fetches again from offset 10", &|k| {
            matches!(k, EventKind::FollowerFetched { follower, partition, fetch_offset: 10, .. }
                if *follower == b(f) && *partition == t2)
        })
    };
    let advanced = position("leader 3 advances the HW of t-2 to 10", &|k| {
        matches!(k, EventKind::HighWatermarkAdvanced { broker, partition, from: 0, to: 10, .. }
            if *broker == b(3) && *partition == t2)
    });
    let acked = position(
        "acks=all success for t-2",
        &|k| matches!(k, EventKind::ProduceAcked { partition, base_offset: Some(0), count: 10, .. } if *partition == t2),
    );
    for follower in [1, 2] {
        assert!(appended < fetched_records(follower), "broker {follower} fetches what leader 3 appended");
        assert!(fetched_records(follower) < confirmed(follower), "then asks for offset 10");
        assert!(confirmed(follower) < advanced, "the HW moves only once broker {follower} holds offset 9");
    }
    assert!(advanced < acked, "the producer hears success after the HW passed its records");
    let text = &run.events[advanced].1;
    assert!(text.contains("from 0 to 10") && text.contains("ISR [3, 1, 2]"), "the HW line says why: {text}");
}

trait PartitionName {
    fn partition_name(&self, run: &Run) -> String;
}

impl PartitionName for ReceivedView {
    fn partition_name(&self, run: &Run) -> String {
        run.view.partitions.iter().find(|p| p.idx == self.partition).map(|p| p.name.clone()).unwrap_or_default()
    }
}

#[test]
fn tc03_leader_crash_after_commit_the_idempotent_retry_is_deduplicated() {
    let run = run("tc03_idempotent_retry");
    let elected =
        run.first("leader 2 elected", |k| matches!(k, EventKind::LeaderElected { leader, .. } if *leader == b(2)));
    let EventKind::LeaderElected { leader_epoch, .. } = elected.kind else { unreachable!() };
    assert_eq!(leader_epoch, 1, "at fenced(1): leader 2, epoch e+1");
    // B reached the HW before the crash, so every acknowledged record is on 2 and 3.
    run.first("the retry of B is recognised", |k| {
        matches!(k, EventKind::ProduceDeduplicated { base_offset: 1, count: 5, .. })
    });
    let b_send = &run.producer("p").sends[1];
    assert_eq!(acked_offset(b_send), Some(1), "success with B's original base offset");
    let values: Vec<String> = run.values("t-0", 2).into_iter().map(|(_, v)| v).collect();
    assert_eq!(values.iter().filter(|v| *v == "B").count(), 5, "B occurs once in the log");
    run.assert_replicas_identical("t-0");
}

#[test]
fn tc03_without_idempotence_the_retry_appends_a_second_copy() {
    let run = run("tc03_non_idempotent_duplicate");
    let values: Vec<String> = run.values("t-0", 2).into_iter().map(|(_, v)| v).collect();
    assert_eq!(values.iter().filter(|v| *v == "B").count(), 10, "B is in the log twice: a duplicate, no loss");
    assert_eq!(
        acked_offset(&run.producer("p").sends[1]),
        Some(6),
        "the second copy is what the producer is told about"
    );
    assert!(run.find(|k| matches!(k, EventKind::ProduceDeduplicated { .. })).is_empty());
}

#[test]
fn tc04_under_min_isr_acks_all_is_refused_and_acks_1_records_stay_invisible() {
    let run = run("tc04_under_min_isr");
    let shrunk = run.first(
        "ISR {1} after the second fencing",
        |k| matches!(k, EventKind::IsrShrunk { isr, .. } if *isr == vec![b(1)]),
    );
    let restarted =
        run.first("broker 2 restarts", |k| matches!(k, EventKind::BrokerStarted { broker } if *broker == b(2)));
    // (a) acks=all: NOT_ENOUGH_REPLICAS on every attempt while ISR = {1}.
    let refusals = run.find(|k| matches!(k, EventKind::ProduceRetried { error: ErrorCode::NotEnoughReplicas, .. }));
    assert!(refusals.len() >= 10, "acks=all retried with NOT_ENOUGH_REPLICAS, got {}", refusals.len());
    assert!(refusals.iter().all(|e| e.at_ms > shrunk.at_ms && e.at_ms < restarted.at_ms + 2_000));
    // (b) acks=1 succeeds at 5, 6, 7, but the HW stays 5 (strict min ISR, Kafka >= 3.7).
    let fast = &run.producer("fast").sends[0];
    assert_eq!(acked_offset(fast), Some(5), "acks=1 records at offsets 5-7");
    let seen_before_recovery: Vec<u64> =
        run.consumer("c").received.iter().filter(|r| r.at_ms < restarted.at_ms).map(|r| r.offset).collect();
    assert_eq!(seen_before_recovery, vec![0, 1, 2, 3, 4], "the consumer receives nothing new while the HW is frozen");
    // After broker 2 rejoins: HW 8, the consumer gets 5-7, and acks=all succeeds again.
    run.first("2 rejoins the ISR", |k| matches!(k, EventKind::IsrExpanded { added, .. } if *added == vec![b(2)]));
    let safe = &run.producer("safe").sends[1];
    assert!(
        matches!(safe.status, SendStatus::Acknowledged { .. }),
        "acks=all succeeds once the ISR recovers: {safe:?}"
    );
    let offsets: Vec<u64> = run.consumer("c").received.iter().map(|r| r.offset).collect();
    assert_eq!(offsets, (0..9).collect::<Vec<_>>());
    assert_eq!(run.replica("t-0", 1).high_watermark, 9);
}

#[test]
fn tc06_a_crashed_follower_is_removed_by_the_controller_at_session_expiry() {
    let run = run("tc06_crashed_follower");
    let crash_ms = 5_000;
    let shrunk = run.first("controller removes 3", |k| {
        matches!(k, EventKind::IsrShrunk { removed, reason: ChangeReason::BrokerFenced(_), .. } if *removed == vec![b(3)])
    });
    assert!(
        shrunk.at_ms >= crash_ms + 7_000 && shrunk.at_ms <= crash_ms + 9_000,
        "fenced at t_hb + 9 s, 7-9 s after the crash (at {})",
        shrunk.at_ms
    );
    let p = run.partition("t-0");
    assert_eq!((p.leader, p.leader_epoch, p.partition_epoch), (Some(b(1)), 0, 1), "no election; partition epoch + 1");
    assert_eq!(p.isr, vec![b(1), b(2)]);
    assert!(run.find(|k| matches!(k, EventKind::LeaderElected { .. })).is_empty());
    // acks=all requests issued after the crash complete shortly after the change, without errors.
    for send in &run.producer("p").sends[1..] {
        match send.status {
            SendStatus::Acknowledged { at_ms, attempts: 1, .. } => {
                assert!(at_ms >= shrunk.at_ms && at_ms < shrunk.at_ms + 100, "completes right after the ISR change")
            }
            ref other => panic!("expected success on the first attempt, got {other:?}"),
        }
    }
    // The leader's own 30 s rule never fires for 3.
    assert!(run.find(|k| matches!(k, EventKind::IsrShrinkProposed { .. })).is_empty());
}

#[test]
fn tc07_a_slow_follower_leaves_the_isr_after_the_lag_time_and_rejoins() {
    let run = run("tc07_slow_follower");
    let (stalled_ms, healed_ms) = (10_000, 80_000);
    let proposed = run.first("leader proposes removing 3", |k| matches!(k, EventKind::IsrShrinkProposed { .. }));
    assert!(
        proposed.at_ms >= stalled_ms + 30_000 && proposed.at_ms <= stalled_ms + 45_000,
        "shrink proposed between t0+30 s and t0+45 s (at {})",
        proposed.at_ms
    );
    // Requests parked longer than 30 s time out and are retried without duplicates.
    run.first("REQUEST_TIMED_OUT", |k| {
        matches!(k, EventKind::ProduceRetried { error: ErrorCode::RequestTimedOut, .. })
    });
    run.first("retry deduplicated", |k| matches!(k, EventKind::ProduceDeduplicated { .. }));
    let rejoined =
        run.first("3 rejoins", |k| matches!(k, EventKind::IsrExpanded { added, .. } if *added == vec![b(3)]));
    assert!(rejoined.at_ms > healed_ms);
    let p = run.partition("t-0");
    assert_eq!((p.leader_epoch, p.partition_epoch), (0, 2), "partition epoch + 2, leader epoch unchanged");
    assert_eq!(p.isr, vec![b(1), b(2), b(3)]);
    let values: Vec<String> = run.values("t-0", 1).into_iter().map(|(_, v)| v).collect();
    let mut unique = values.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((values.len(), unique.len()), (1200, 1200), "every record once");
    run.assert_replicas_identical("t-0");
}

#[test]
fn tc08_without_unclean_election_the_partition_waits_for_its_last_isr_member() {
    let run = run("tc08_last_isr_member_offline");
    let offline = run.first("leader -1 at fenced(1)", |k| matches!(k, EventKind::PartitionOffline { .. }));
    let EventKind::PartitionOffline { leader_epoch, isr, .. } = &offline.kind else { unreachable!() };
    assert_eq!((*leader_epoch, isr.clone()), (1, vec![b(1)]), "leaderEpoch + 1, ISR stays {{1}}");
    let elected = run.first("1 elected on return", |k| matches!(k, EventKind::LeaderElected { .. }));
    let EventKind::LeaderElected { leader, leader_epoch, unclean, .. } = &elected.kind else { unreachable!() };
    assert_eq!((*leader, *leader_epoch, *unclean), (b(1), 2, false));
    assert!(elected.at_ms >= 70_000, "no election while only 2 and 3 run");
    let values: Vec<(u64, String)> = run.values("t-0", 1);
    assert_eq!(values.len(), 25, "final log has offsets 0-24 intact");
    assert!(values[20..].iter().all(|(_, v)| v == "acks-1"));
    run.assert_replicas_identical("t-0");
    assert!(run.view.safety.losses.is_empty());
}

#[test]
fn s7_1_acks_1_records_the_followers_never_fetched_are_lost_when_the_leader_crashes() {
    let run = run("s7_1_leader_crash_acks1");
    let elected = run.first("2 elected", |k| matches!(k, EventKind::LeaderElected { leader, .. } if *leader == b(2)));
    let EventKind::LeaderElected { leader_epoch, isr, .. } = &elected.kind else { unreachable!() };
    assert_eq!((*leader_epoch, isr.clone()), (1, vec![b(2), b(3)]));
    assert_eq!(run.replica("t-0", 2).epoch_cache, vec![(0, 0), (1, 7)], "epoch-cache entry (e+1, 7)");
    // Offsets 7-9 of the old leader were acknowledged and are gone; the loss is reported.
    let loss = &run.view.safety.losses[0];
    assert_eq!((loss.first_offset, loss.last_offset, loss.unexpected), (7, 9, false));
    // Broker 1 truncates to 7 on its first fetch and then holds the new leader's log: its fetch at
    // offset 10 with lastFetchedEpoch 0 gets divergingEpoch 0 with end offset 7 (kafka-model §3.6).
    let truncated = run.first(
        "1 truncates to 7",
        |k| matches!(k, EventKind::LogTruncated { broker, from: 10, to: 7, .. } if *broker == b(1)),
    );
    let EventKind::LogTruncated { fetch_offset, last_fetched_epoch, diverging_epoch, end_offset, .. } = truncated.kind
    else {
        unreachable!()
    };
    assert_eq!((fetch_offset, last_fetched_epoch, diverging_epoch, end_offset), (10, Some(0), Some(0), 7));
    run.assert_replicas_identical("t-0");
    assert_eq!(run.values("t-0", 1)[7].1, "after-failover", "new records get offsets 7, 8 in epoch e+1");
    // Consumers never saw the lost records: the HW was 7.
    assert!(run.consumer("c").received.iter().all(|r| r.value != "leader-only"));
}

#[test]
fn s7_3_with_unclean_election_disabled_nothing_committed_is_lost() {
    let run = run("s7_3_clean_offline");
    run.first("offline", |k| matches!(k, EventKind::PartitionOffline { .. }));
    let elected = run.first("1 elected", |k| matches!(k, EventKind::LeaderElected { .. }));
    assert!(matches!(elected.kind, EventKind::LeaderElected { leader, unclean: false, .. } if leader == b(1)));
    assert!(elected.at_ms >= 70_000, "3 restarting first does not get elected");
    assert_eq!(run.values("t-0", 1).len(), 15);
    run.assert_replicas_identical("t-0");
    assert!(run.view.safety.losses.is_empty());
}

#[test]
fn s7_3_an_unclean_election_loses_committed_records_and_says_so() {
    let run = run("s7_3_unclean_election");
    let elected = run.first("3 elected uncleanly", |k| matches!(k, EventKind::LeaderElected { unclean: true, .. }));
    let EventKind::LeaderElected { leader, isr, .. } = &elected.kind else { unreachable!() };
    assert_eq!((*leader, isr.clone()), (b(3), vec![b(3)]), "ISR := [new leader]");
    let p = run.partition("t-0");
    assert_eq!(p.leader_recovery_state, partition_playground::engine::LeaderRecoveryState::Recovered);
    // Everything 3 lacked is lost: 10 acknowledged acks=all records, reported as expected losses.
    let lost: u32 = run.view.safety.losses.iter().map(|l| l.count).sum();
    assert_eq!(lost, 10);
    assert!(run.view.safety.losses.iter().all(|l| !l.unexpected));
    let no_loss = run.view.safety.invariants.iter().find(|i| i.name == "No acknowledged acks=all loss").unwrap();
    assert!(no_loss.violations > 0 && no_loss.violations == no_loss.expected_violations);
    // The consumer detects the truncation and moves back to the divergence point.
    run.first("consumer moves back", |k| matches!(k, EventKind::ConsumerPositionReset { from: 15, to: Some(5), .. }));
    // 1 and 2 truncate to 3's log when they return.
    assert_eq!(run.values("t-0", 1).len(), 5);
    run.assert_replicas_identical("t-0");
}

#[test]
fn s7_4_a_zombie_leader_acknowledges_acks_1_writes_that_are_later_truncated() {
    let run = run("s7_4_zombie_leader");
    let elected = run.first("2 elected", |k| matches!(k, EventKind::LeaderElected { leader, .. } if *leader == b(2)));
    assert!(elected.at_ms < 2_000 + 9_000);
    // acks=1 writes to the zombie are acknowledged, never visible, and truncated on rejoin.
    let fast = &run.producer("fast").sends[0];
    assert!(matches!(fast.status, SendStatus::Acknowledged { .. }));
    assert!(run.consumer("c").received.iter().all(|r| r.value != "zombie-acks-1"));
    let loss = &run.view.safety.losses[0];
    assert_eq!((loss.count, loss.unexpected), (3, false));
    // acks=all writes to the zombie time out and are retried; none acknowledged is lost.
    run.first("REQUEST_TIMED_OUT from the zombie", |k| {
        matches!(k, EventKind::ProduceRetried { error: ErrorCode::RequestTimedOut, broker: Some(b1), .. } if *b1 == b(1))
    });
    let safe = &run.producer("safe").sends[1];
    assert!(matches!(safe.status, SendStatus::Acknowledged { .. }), "{safe:?}");
    // Healing: 1 follows 2 in epoch e+1, truncates what it wrote as a zombie, and rejoins.
    run.first(
        "1 truncates its zombie writes",
        |k| matches!(k, EventKind::LogTruncated { broker, to: 5, .. } if *broker == b(1)),
    );
    assert_eq!(run.partition("t-0").isr, vec![b(1), b(2), b(3)]);
    run.assert_replicas_identical("t-0");
}

#[test]
fn s7_6_a_consumer_reads_from_its_rack_and_falls_back_to_the_leader_when_the_rack_fails() {
    let run = run("s7_6_rack_failure_follower_fetching");
    let redirected = run.first(
        "leader points the consumer at broker 2",
        |k| matches!(k, EventKind::ConsumerRedirected { leader, replica, .. } if *leader == b(1) && *replica == b(2)),
    );
    assert!(redirected.at_ms < 1_000);
    let received = &run.consumer("c").received;
    let from = |lo: u64, hi: u64| -> Vec<BrokerId> {
        let mut v: Vec<BrokerId> =
            received.iter().filter(|r| r.at_ms >= lo && r.at_ms < hi).map(|r| r.from_broker).collect();
        v.dedup();
        v
    };
    assert_eq!(from(0, 10_000), vec![b(2)], "normal: reads from the same-rack follower");
    assert_eq!(from(10_000, 25_000), vec![b(1)], "rack B down: the leader serves the consumer");
    assert_eq!(*from(28_000, 50_000).last().unwrap(), b(2), "rack B back: the consumer moves back to broker 2");
    let offsets: Vec<u64> = received.iter().map(|r| r.offset).collect();
    assert_eq!(offsets, (0..40).collect::<Vec<_>>(), "no record skipped or read twice");
}

#[test]
fn s7_7_a_controlled_shutdown_moves_leadership_before_the_broker_stops() {
    let run = run("s7_7_controlled_shutdown");
    let elected = run.first("2 elected", |k| {
        matches!(k, EventKind::LeaderElected { leader, reason: ChangeReason::ControlledShutdown(_), .. } if *leader == b(2))
    });
    let stopped = run.first("1 stops", |k| matches!(k, EventKind::BrokerShutDown { broker } if *broker == b(1)));
    assert!(elected.at_ms < stopped.at_ms, "leadership moves first");
    // Producers see one NOT_LEADER_OR_FOLLOWER and continue; nothing is lost.
    let retries = run.find(|k| matches!(k, EventKind::ProduceRetried { .. }));
    assert_eq!(retries.len(), 1);
    assert!(matches!(retries[0].kind, EventKind::ProduceRetried { error: ErrorCode::NotLeaderOrFollower, .. }));
    let c = run.consumer("c");
    assert_eq!(c.received_total, 10);
    assert!(c.received.iter().all(|r| r.at_ms < stopped.at_ms + 500), "the consumer moves to the new leader at once");
    assert!(run.view.safety.losses.is_empty());
}

/// kafka-model §2.3.6 (Kafka's `BrokerHeartbeatManager.calculateNextBrokerState`): a controlled
/// shutdown moves broker 1's leaderships away at once, but the controller answers SHUTDOWN_NOW only
/// when every active broker (unfenced, not shutting down) has reported, in a heartbeat, a metadata
/// offset that includes the move. Until then broker 1 keeps serving: producer `p`, whose metadata
/// still names broker 1 as leader, sends during that window and is answered NOT_LEADER_OR_FOLLOWER
/// with the new leader (KIP-951), not cut off by a closed socket; its records are committed on
/// broker 2 and nothing is lost.
#[test]
fn s7_7_a_controlled_shutdown_completes_only_once_the_other_brokers_have_the_leadership_move() {
    let run = run("s7_7_shutdown_waits_for_metadata");
    let started = run.first(
        "1 asks to shut down",
        |k| matches!(k, EventKind::ControlledShutdownStarted { broker } if *broker == b(1)),
    );
    let elected = run.first("2 elected", |k| {
        matches!(k, EventKind::LeaderElected { leader, reason: ChangeReason::ControlledShutdown(_), .. } if *leader == b(2))
    });
    let leads = run.first("2 leads", |k| matches!(k, EventKind::BecameLeader { broker, .. } if *broker == b(2)));
    let follows = run.first(
        "3 follows 2",
        |k| matches!(k, EventKind::BecameFollower { broker, leader: Some(l), .. } if *broker == b(3) && *l == b(2)),
    );
    let granted = run
        .first("SHUTDOWN_NOW", |k| matches!(k, EventKind::ControlledShutdownGranted { broker, .. } if *broker == b(1)));
    let stopped = run.first("1 stops", |k| matches!(k, EventKind::BrokerShutDown { broker } if *broker == b(1)));
    let order = [started, elected, leads, follows, granted, stopped].map(|e| e.seq);
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "events out of order\n{}", run.log());
    assert!(granted.at_ms > elected.at_ms, "not in the same step as the move\n{}", run.log());
    let EventKind::ControlledShutdownGranted { lowest_active_offset, shutdown_offset, .. } = granted.kind else {
        unreachable!()
    };
    assert!(lowest_active_offset.is_some_and(|low| low >= shutdown_offset), "{lowest_active_offset:?}");
    // The second send's request reached broker 1 in the window and was answered, not refused.
    let retried = run.first("p redirected", |k| matches!(k, EventKind::ProduceRetried { .. }));
    assert!(
        matches!(retried.kind, EventKind::ProduceRetried { error: ErrorCode::NotLeaderOrFollower, broker: Some(b1), .. } if b1 == b(1)),
        "{}",
        run.log()
    );
    assert!(elected.at_ms < retried.at_ms && retried.at_ms < granted.at_ms, "during the window\n{}", run.log());
    assert!(run.find(|k| matches!(k, EventKind::ProducerConnectionFailed { .. })).is_empty());
    let during = &run.producer("p").sends[1];
    assert!(matches!(during.status, SendStatus::Acknowledged { base_offset: Some(3), attempts: 2, .. }), "{during:?}");
    assert_eq!(run.consumer("c").received_total, 6);
    assert!(run.view.safety.losses.is_empty());
}

/// kafka-model §2.3.6 (`BrokerHeartbeatManager`: "Unfenced broker … has requested and been granted
/// an immediate shutdown"): a broker that leads nothing has no leadership for the others to learn
/// about, so it leaves every ISR and stops at once, with no wait for SHUTDOWN_NOW.
#[test]
fn s7_7_a_broker_that_leads_nothing_shuts_down_at_once() {
    let run = run("s7_7_follower_shutdown");
    let started =
        run.first("3 asks", |k| matches!(k, EventKind::ControlledShutdownStarted { broker } if *broker == b(3)));
    run.first("3 leaves the ISR", |k| matches!(k, EventKind::IsrShrunk { removed, .. } if *removed == vec![b(3)]));
    let stopped = run.first("3 stops", |k| matches!(k, EventKind::BrokerShutDown { broker } if *broker == b(3)));
    assert!(stopped.at_ms - started.at_ms < 50, "no wait\n{}", run.log());
    assert!(run.find(|k| matches!(k, EventKind::ControlledShutdownGranted { .. })).is_empty());
    let p = run.producer("p");
    assert!(p.sends.iter().all(|s| matches!(s.status, SendStatus::Acknowledged { attempts: 1, .. })), "{:?}", p.sends);
}

#[test]
fn s7_6_a_lagging_preferred_replica_makes_the_consumer_fall_behind_silently() {
    let run = run("s7_6_lagging_preferred_replica");
    let stalled_ms = 10_000;
    run.first("2 leaves the ISR", |k| matches!(k, EventKind::IsrShrunk { removed, .. } if *removed == vec![b(2)]));
    // No error and no wrong data: the consumer just stops receiving while its lease on 2 lasts...
    let received = &run.consumer("c").received;
    let late: Vec<&ReceivedView> =
        received.iter().filter(|r| r.at_ms > stalled_ms + 1_000 && r.at_ms < 300_000).collect();
    assert!(late.is_empty(), "the consumer fell behind silently, got {} records", late.len());
    assert!(run.find(|k| matches!(k, EventKind::ConsumerPositionReset { .. })).is_empty());
    // ...then the 5-minute lease ends, the leader serves it, and never hands out 2 again (KAFKA-14372).
    let left =
        run.first("lease ends", |k| matches!(k, EventKind::ConsumerLeftReplica { replica, .. } if *replica == b(2)));
    assert!(
        left.at_ms >= 300_000 && left.at_ms < 300_000 + 1_000,
        "at the lease end (metadata.max.age.ms), got {}",
        left.at_ms
    );
    assert_eq!(
        run.find(|k| matches!(k, EventKind::ConsumerRedirected { .. })).len(),
        1,
        "2 is not handed out again while out of the ISR"
    );
    let offsets: Vec<u64> = received.iter().map(|r| r.offset).collect();
    assert_eq!(offsets, (0..400).collect::<Vec<_>>(), "nothing skipped or read twice");
    assert!(received.iter().filter(|r| r.at_ms > left.at_ms).all(|r| r.from_broker == b(1)));
}

#[test]
fn s7_5_a_follower_cut_off_from_its_leader_leaves_the_isr_and_rejoins_after_healing() {
    let run = run("s7_5_follower_cut_off_from_leader");
    let (cut_ms, healed_ms) = (5_000, 50_000);
    // Until 3 is removed it holds the HW back: acks=all requests wait, the oldest time out.
    run.first("REQUEST_TIMED_OUT while 3 holds the HW", |k| {
        matches!(k, EventKind::ProduceRetried { error: ErrorCode::RequestTimedOut, .. })
    });
    let shrunk = run.first("leader removes 3", |k| {
        matches!(k, EventKind::IsrShrunk { removed, reason: ChangeReason::AlterPartition(_), .. } if *removed == vec![b(3)])
    });
    assert!(shrunk.at_ms >= cut_ms + 30_000 && shrunk.at_ms <= cut_ms + 45_000 + 100, "shrunk at {}", shrunk.at_ms);
    let rejoined =
        run.first("3 rejoins", |k| matches!(k, EventKind::IsrExpanded { added, .. } if *added == vec![b(3)]));
    // The fetch lost on the cut link is abandoned after replica.socket.timeout.ms (30 s).
    assert!(rejoined.at_ms > healed_ms && rejoined.at_ms < healed_ms + 32_000, "rejoined at {}", rejoined.at_ms);
    let p = run.partition("t-0");
    assert_eq!((p.leader, p.leader_epoch, p.partition_epoch), (Some(b(1)), 0, 2), "nothing truncated: no new epoch");
    assert!(run.find(|k| matches!(k, EventKind::LogTruncated { .. })).is_empty());
    run.assert_replicas_identical("t-0");
    assert_eq!(run.consumer("c").received_total, 120);
}

#[test]
fn s5_6_a_reconfigured_producer_is_a_new_instance_and_its_closed_batches_keep_their_settings() {
    // kafka-model §5.3, §5.6: acks is fixed when a KafkaProducer is constructed; reconfiguring means
    // close() and a new instance. KAFKA-13673: a default idempotence is off when acks is not all.
    let run = run("s5_6_reconfigure_producer");
    let sends: Vec<(&str, Acks, Option<u64>)> =
        run.producer("p").sends.iter().map(|s| (s.value.as_str(), s.acks, s.producer_id)).collect();
    assert_eq!(
        sends,
        [
            ("A", Acks::All, Some(1000)),
            // Sent while filling a batch: close() sends it with the old instance's acks and id.
            ("B", Acks::All, Some(1000)),
            // acks=1 and the default idempotence: no producer id.
            ("C", Acks::Leader, None),
            // acks=all, enable.idempotence=true, then an idempotent instance again: a new id each time.
            ("D", Acks::All, Some(1128)),
            ("E", Acks::All, Some(1192)),
        ]
    );
    let p = run.producer("p");
    assert_eq!((p.acks, p.enable_idempotence, p.producer_id, p.producer_epoch), (Acks::All, true, 1192, 0));
    assert!(run.producer("p").sends.iter().all(|s| matches!(s.status, SendStatus::Acknowledged { .. })));
    // Each new producer id starts its sequences at 0: the leader accepts them, no retry.
    assert!(run.find(|k| matches!(k, EventKind::ProduceRetried { .. })).is_empty(), "{}", run.log());
    let values: Vec<String> = run.values("t-0", 1).into_iter().map(|(_, v)| v).collect();
    assert_eq!(values, ["A", "A", "A", "B", "B", "C", "C", "D", "D", "E", "E"]);
    run.assert_replicas_identical("t-0");
    assert_eq!(run.consumer("c").received_total, 11);

    let reconfigured = run.find(|k| matches!(k, EventKind::ProducerReconfigured { .. }));
    assert_eq!(reconfigured.len(), 3);
    let EventKind::ProducerReconfigured { acks, producer_id, pending_records, .. } = &reconfigured[0].kind else {
        unreachable!()
    };
    assert_eq!((*acks, *producer_id, *pending_records), (Acks::Leader, None, 2), "B was still pending");
    let explained = run.events.iter().find(|(e, _)| e.seq == reconfigured[0].seq).map(|(_, t)| t.as_str());
    assert_eq!(
        explained,
        Some(
            "producer p was closed and recreated with acks=1; enable.idempotence defaults to false when acks is not \
             all (KAFKA-13673), so its new sends carry no producer id; its 2 pending record(s) complete with the old \
             settings (close() waits for them)"
        )
    );
}

#[test]
fn s5_6_a_batch_waiting_through_a_failover_keeps_the_closed_instances_acks_and_producer_id() {
    // close() waits for the batches already sent: A, waiting while broker 1 is down, is the old
    // instance's (acks=all, producer id 1000, the sequence after warm-up's); B, sent after the reconfiguration, is acks=1 and
    // queues behind A on its partition.
    let run = run("s5_6_reconfigure_during_retry");
    let sends: Vec<(&str, Acks, Option<u64>)> =
        run.producer("p").sends.iter().map(|s| (s.value.as_str(), s.acks, s.producer_id)).collect();
    assert_eq!(sends, [("warm-up", Acks::All, Some(1000)), ("A", Acks::All, Some(1000)), ("B", Acks::Leader, None)]);
    let acked = |i: usize| match run.producer("p").sends[i].status {
        SendStatus::Acknowledged { base_offset, attempts, .. } => (base_offset, attempts),
        ref other => panic!("send {i}: {other:?}\n{}", run.log()),
    };
    let (a_offset, a_attempts) = acked(1);
    assert_eq!(a_offset, Some(1));
    // kafka-model §5.2: no connection to the crashed broker 1, so no request: A waited in the
    // accumulator until broker 2 led t-0, and its one request went there.
    assert_eq!(a_attempts, 1, "A was not sent until broker 2 led t-0");
    assert_eq!(acked(2).0, Some(3), "B after A");
    // A's sequence follows warm-up's under producer id 1000: the new leader takes it as the next.
    let out_of_order =
        |k: &EventKind| matches!(k, EventKind::ProduceRetried { error: ErrorCode::OutOfOrderSequenceNumber, .. });
    assert!(run.find(out_of_order).is_empty(), "{}", run.log());
    let values: Vec<String> = run.values("t-0", 2).into_iter().map(|(_, v)| v).collect();
    assert_eq!(values, ["warm-up", "A", "A", "B", "B"]);
    assert_eq!(run.values("t-0", 3), run.values("t-0", 2), "broker 3 follows broker 2");
}

/// One-way cuts between the controller and the leader (kafka-model §2.3): the controller fences a
/// broker only when its heartbeats stop arriving. Controller → broker 1 cut: broker 1's heartbeats
/// still arrive (their answers are lost), so it stays unfenced and the leader, and acks=all writes
/// succeed. Broker 1 → controller cut: no heartbeat arrives and no metadata fetch either, so it is
/// fenced after `broker.session.timeout.ms`, broker 2 is elected, and broker 1 is a stale leader
/// until the link heals; what it appended then is truncated, and nothing acknowledged is lost.
#[test]
fn s2_3_only_the_broker_to_controller_direction_gets_a_leader_fenced() {
    let run = run("s2_3_one_way_cuts");
    let fenced = run.find(|k| matches!(k, EventKind::BrokerFenced { broker, .. } if *broker == b(1)));
    assert_eq!(fenced.len(), 1, "fenced once:\n{}", run.log());
    // 9 s (broker.session.timeout.ms) after the last heartbeat that arrived, sent at most 2 s
    // (broker.heartbeat.interval.ms) before the cut.
    assert!((30_000 + 7_000..30_000 + 9_000).contains(&fenced[0].at_ms), "9 s after the heartbeats stop arriving");
    let during_first_cut = run
        .find(|k| matches!(k, EventKind::ProduceAcked { acks: Acks::All, .. }))
        .into_iter()
        .filter(|e| (2_000..20_000).contains(&e.at_ms))
        .count();
    assert_eq!(during_first_cut, 1, "controller -> broker 1 cut: broker 1 leads on, the write succeeds");
    run.first(
        "2 elected after the second cut",
        |k| matches!(k, EventKind::LeaderElected { leader, .. } if *leader == b(2)),
    );
    run.first(
        "the stale leader's append is truncated after the heal",
        |k| matches!(k, EventKind::LogTruncated { broker, from: 6, to: 4, .. } if *broker == b(1)),
    );
    assert!(run.view.safety.losses.is_empty(), "acks=all: nothing acknowledged is lost");
    assert!(run.producer("safe").sends.iter().all(|s| matches!(s.status, SendStatus::Acknowledged { .. })));
    run.assert_replicas_identical("t-0");
}

/// A leader paused for 18 s (a GC pause, `SIGSTOP`; kafka-model §7.4's zombie, by time instead of
/// by network): its connections stay open, so producers see no error, only silence. The controller
/// fences it after 9 s without heartbeats and elects broker 2. When it resumes it handles what waited
/// in its sockets in arrival order, as the leader it still believes it is: the acks=1 write is
/// appended and acknowledged, then the metadata that waited too makes it a follower, and the write
/// is truncated: an acknowledged acks=1 loss, allowed. The acks=all write is retried at broker 2.
#[test]
fn s7_4_a_paused_leader_acknowledges_acks_1_writes_after_it_resumes_and_loses_them() {
    let run = run("s7_4_paused_leader");
    let fenced =
        run.first("1 fenced while paused", |k| matches!(k, EventKind::BrokerFenced { broker, .. } if *broker == b(1)));
    assert!((2_000 + 7_000..2_000 + 9_000).contains(&fenced.at_ms), "9 s after its last heartbeat, during the pause");
    let resumed = run.first(
        "1 resumes",
        |k| matches!(k, EventKind::BrokerResumed { broker, paused_ms: 18_000, dropped: 0, .. } if *broker == b(1)),
    );
    let retries_during_pause = run
        .find(|k| matches!(k, EventKind::ProduceRetried { .. }))
        .into_iter()
        .filter(|e| e.at_ms < resumed.at_ms)
        .count();
    assert_eq!(retries_during_pause, 0, "no error reaches a producer while the broker is paused: silence");
    let fast = &run.producer("fast").sends[1];
    assert!(matches!(fast.status, SendStatus::Acknowledged { .. }), "the zombie acknowledged the acks=1 write");
    let loss = &run.view.safety.losses[0];
    assert_eq!((loss.count, loss.unexpected), (3, false), "3 acks=1 records lost, as acks=1 allows");
    assert!(run.consumer("c").received.iter().all(|r| r.value != "sent-during-pause-acks-1"));
    let safe = &run.producer("safe").sends[1];
    assert!(matches!(safe.status, SendStatus::Acknowledged { attempts: 2, .. }), "{safe:?}");
    run.assert_replicas_identical("t-0");
}

/// A broker paused while the controller makes it leader (epoch 1), then fences it and elects
/// broker 3 (epoch 2), learns of its leadership only when it resumes, 38 s later: the metadata of
/// epoch 1 waited in its socket. It is a stale leader for the moment it takes to read the rest, not
/// a new lineage: the records committed in epoch 2 are not lost, and no invariant breaks.
#[test]
fn s7_4_a_leadership_learned_after_a_pause_is_stale_and_loses_nothing() {
    let run = run("s7_4_paused_through_elections");
    let stale = run.first(
        "2 leads epoch 1 on resuming",
        |k| matches!(k, EventKind::BecameLeader { broker, leader_epoch: 1, .. } if *broker == b(2)),
    );
    assert!(stale.at_ms >= 40_000, "only when it resumes");
    let line = &run.events.iter().find(|(e, _)| e.seq == stale.seq).expect("explained").1;
    assert!(line.contains("stale leader"), "{line}");
    run.first("then follows 3 at epoch 2", |k| {
        matches!(k, EventKind::BecameFollower { broker, leader: Some(l), leader_epoch: 2, .. } if *broker == b(2) && *l == b(3))
    });
    assert!(run.view.safety.losses.is_empty(), "nothing acknowledged is lost");
    assert_eq!(run.partition("t-0").isr, vec![b(1), b(2), b(3)]);
    run.assert_replicas_identical("t-0");
}

/// "Crash broker 2 right after it becomes leader of orders-0" and "restart broker 2 once the high
/// watermark of orders-0 reaches 10", whatever the times those happen at.
#[test]
fn s10_a_when_runs_its_command_right_after_the_event_and_only_once() {
    let run = run("s10_when_triggers");
    let led = run.first("2 leads", |k| matches!(k, EventKind::BecameLeader { broker, .. } if *broker == b(2)));
    let crashed = run.first("2 crashes", |k| matches!(k, EventKind::BrokerCrashed { broker } if *broker == b(2)));
    assert_eq!(crashed.at_ms, led.at_ms, "at the same simulated millisecond");
    assert!(crashed.seq > led.seq, "after the event");
    let fired = run.find(|k| matches!(k, EventKind::TriggerFired { .. }));
    assert_eq!(fired.len(), 2, "each `when` fires once:\n{}", run.log());
    let hw = run.first("the HW reaches 10", |k| matches!(k, EventKind::HighWatermarkAdvanced { to, .. } if *to >= 10));
    let started = run.first("2 restarts", |k| matches!(k, EventKind::BrokerStarted { broker } if *broker == b(2)));
    assert_eq!(started.at_ms, hw.at_ms);
    assert_eq!(run.partition("orders-0").isr, vec![b(2), b(3)], "broker 2 is back in the ISR");
}
