//! Consumer groups (kafka-model §6.3, §6.4): the coordinator is the leader of the group's
//! `__consumer_offsets` partition; members join (JoinGroup, SyncGroup, `range`), heartbeat and
//! commit; a crashed member's partitions move to the others once `session.timeout.ms` passes, and
//! its records since the last commit are delivered again (at-least-once). Each test runs a scenario
//! of `tests/scenarios/s6_4_*.json`; its explained log is `tests/scenarios/<name>.golden.txt`.

#[path = "support/scenario_run.rs"]
mod scenario_run;

use partition_playground::engine::*;
use scenario_run::{run, Run};

impl Run {
    fn consumer(&self, name: &str) -> &ConsumerView {
        self.view.consumers.iter().find(|c| c.name == name).expect("consumer")
    }

    fn consumer_idx(&self, name: &str) -> ClientIdx {
        self.consumer(name).idx
    }

    /// Events matching `f`, with their time, in order.
    fn times(&self, f: impl Fn(&EventKind) -> bool) -> Vec<(Millis, &EventKind)> {
        self.events.iter().filter(|(e, _)| f(&e.kind)).map(|(e, _)| (e.at_ms, &e.kind)).collect()
    }

    /// The partitions `consumer` was assigned in `generation`.
    fn assigned(&self, consumer: ClientIdx, generation: u32) -> Vec<PartitionIdx> {
        let found = self.times(|k| {
            matches!(k, EventKind::PartitionsAssigned { consumer: c, generation: g, .. } if *c == consumer && *g == generation)
        });
        match found.last() {
            Some((_, EventKind::PartitionsAssigned { partitions, .. })) => partitions.clone(),
            _ => Vec::new(),
        }
    }

    /// The last offset `consumer` committed for `p` (the coordinator's `offsets_committed`).
    fn last_commit(&self, consumer: ClientIdx, p: PartitionIdx) -> Option<(Millis, Offset)> {
        let mut last = None;
        for (t, k) in self.times(|k| matches!(k, EventKind::OffsetsCommitted { .. })) {
            if let EventKind::OffsetsCommitted { consumer: c, offsets, .. } = k {
                if *c == consumer {
                    last = offsets.iter().find(|(q, _)| *q == p).map(|(_, o)| (t, *o)).or(last);
                }
            }
        }
        last
    }

    /// Offsets of `p` the consumer application received, in order.
    fn received(&self, name: &str, p: PartitionIdx) -> Vec<u64> {
        self.consumer(name).received.iter().filter(|r| r.partition == p).map(|r| r.offset).collect()
    }
}

/// Two members share a topic of two partitions by `range` (one each, generation 1). Member c1 reads
/// four records, auto-commits them (offset 4), reads three more (offsets 4..6) and crashes 1 s
/// later, before its next auto-commit. The coordinator hears nothing for `session.timeout.ms` (45 s),
/// removes it and rebalances: c2 gets both partitions (generation 2) and starts c1's partition at
/// the committed offset 4, so offsets 4..6 are delivered twice (at-least-once) and none is skipped.
#[test]
fn s6_4_a_crashed_members_partitions_move_with_redelivery_from_the_last_commit() {
    let run = run("s6_4_group_member_crash");
    let (c1, c2) = (run.consumer_idx("c1"), run.consumer_idx("c2"));
    let (first_c1, first_c2) = (run.assigned(c1, 1), run.assigned(c2, 1));
    assert_eq!((first_c1.len(), first_c2.len()), (1, 1), "range: one partition each\n{}", run.log());
    assert_ne!(first_c1, first_c2);
    let p = first_c1[0];
    let crashed_ms = 13_000;
    let removed = run.times(|k| matches!(k, EventKind::GroupMemberRemoved { .. }));
    let [(removed_ms, EventKind::GroupMemberRemoved { why, .. })] = removed[..] else {
        panic!("one member removed: {removed:?}")
    };
    assert!(why.contains("session.timeout.ms"), "{why}");
    // Its last heartbeat was at most heartbeat.interval.ms (3 s) before the crash.
    assert!((crashed_ms + 42_000..=crashed_ms + 45_100).contains(&removed_ms), "removed at {removed_ms}");
    let mut both = run.assigned(c2, 2);
    both.sort();
    let mut all = [first_c1.clone(), first_c2].concat();
    all.sort();
    assert_eq!(both, all, "generation 2 gives c2 every partition");
    let (commit_ms, committed) = run.last_commit(c1, p).expect("c1 committed before it crashed");
    assert!(commit_ms < crashed_ms);
    assert_eq!(committed, 4);
    let started = run.times(|k| matches!(k, EventKind::ConsumerStartedFrom { consumer, partition, .. } if *consumer == c2 && *partition == p));
    assert!(matches!(started[..], [(t, EventKind::ConsumerStartedFrom { committed: Some(4), .. })] if t > removed_ms));
    let by_c1 = run.received("c1", p);
    let by_c2 = run.received("c2", p);
    assert_eq!(by_c1, (0..7).collect::<Vec<u64>>(), "c1 read everything before it crashed");
    assert_eq!(by_c2, (4..7).collect::<Vec<u64>>(), "c2 reads again from the commit: 4..6 twice, nothing skipped");
}

/// The coordinator of the group is the leader of its `__consumer_offsets` partition; that broker
/// crashes. The member's requests to it fail, it looks its coordinator up again and finds the new
/// leader, which loads the group's committed offsets from the replicated log: the member's commits
/// go on from where they were, and no record is read twice or skipped.
#[test]
fn s6_4_a_coordinator_crash_moves_the_coordinator_to_the_new_leader_with_the_committed_offsets() {
    let run = run("s6_4_coordinator_failover");
    let c = run.consumer_idx("c1");
    let found = run.times(|k| matches!(k, EventKind::GroupCoordinatorFound { .. }));
    let coordinators: Vec<BrokerId> = found
        .iter()
        .filter_map(|(_, k)| match k {
            EventKind::GroupCoordinatorFound { broker, .. } => Some(*broker),
            _ => None,
        })
        .collect();
    assert!(coordinators.len() >= 2, "found twice: {coordinators:?}\n{}", run.log());
    let (first, last) = (coordinators[0], *coordinators.last().unwrap());
    assert_ne!(first, last, "the coordinator moved");
    let crashed = run.times(|k| matches!(k, EventKind::BrokerCrashed { broker } if *broker == first));
    assert_eq!(crashed.len(), 1, "the scenario crashes the first coordinator");
    let lost = run.times(|k| matches!(k, EventKind::GroupCoordinatorLost { consumer, .. } if *consumer == c));
    assert!(!lost.is_empty(), "the member noticed");
    let group = &run.view.groups[0];
    assert_eq!(group.coordinator, last);
    assert!(group.offsets.iter().all(|o| o.committed == 6 && o.lag == Some(0)), "{:?}", group.offsets);
    for p in &run.view.topics[0].partitions {
        let offsets = run.received("c1", *p);
        assert_eq!(offsets, (0..offsets.len() as u64).collect::<Vec<_>>(), "each offset once, in order");
    }
}

/// With `enable.auto.commit=false` the member commits by hand (`commitSync`); then its application
/// stops polling. Heartbeats go on, so the coordinator keeps it until `max.poll.interval.ms` (5 min)
/// passes: the heartbeat thread then leaves the group, and the other member takes its partition from
/// the hand-made commit.
#[test]
fn s6_4_a_member_that_stops_polling_leaves_after_max_poll_interval() {
    let run = run("s6_4_manual_commit_poll_timeout");
    let (c1, c2) = (run.consumer_idx("c1"), run.consumer_idx("c2"));
    let p = run.assigned(c1, 1)[0];
    let commits = run.times(|k| matches!(k, EventKind::OffsetsCommitted { consumer, .. } if *consumer == c1));
    assert_eq!(commits.len(), 1, "one commit: the commit_offsets command\n{}", run.log());
    let stopped_ms = 20_000;
    let timeout = run.times(|k| matches!(k, EventKind::ConsumerPollTimeout { .. }));
    let [(timeout_ms, _)] = timeout[..] else { panic!("{timeout:?}") };
    assert!((stopped_ms + 300_000..=stopped_ms + 303_000).contains(&timeout_ms));
    let removed = run.times(|k| matches!(k, EventKind::GroupMemberRemoved { why, .. } if why.contains("LeaveGroup")));
    assert_eq!(removed.len(), 1);
    assert!(run.assigned(c2, 2).contains(&p));
    let started = run.times(|k| matches!(k, EventKind::ConsumerStartedFrom { consumer, partition, .. } if *consumer == c2 && *partition == p));
    assert!(matches!(started[..], [(_, EventKind::ConsumerStartedFrom { committed: Some(3), .. })]), "{started:?}");
}

/// The two group invariants hold in every group scenario: no partition owned by two members of one
/// generation; a committed offset never beyond the high watermark its partition reached.
#[test]
fn group_invariants_are_checked_and_hold() {
    for name in ["s6_4_group_member_crash", "s6_4_coordinator_failover", "s6_4_manual_commit_poll_timeout"] {
        let run = run(name);
        let tallies = &run.view.safety.invariants;
        for inv in [Invariant::GroupExclusiveOwnership, Invariant::CommittedOffsetWithinHighWatermark] {
            let t = tallies.iter().find(|t| t.invariant == inv).expect("tallied");
            assert_eq!(t.violations, 0, "{name}: {}", inv.name());
        }
    }
}
