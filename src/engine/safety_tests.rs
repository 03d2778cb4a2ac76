//! The safety checker from crafted observation streams: for each invariant of kafka-model §8.5, a
//! stream that breaks it and a similar one that does not. Each test sets the cluster's state by hand
//! and reports what the engine would observe, in the engine's order.

use super::*;
use crate::engine::command::TopicSpec;
use crate::engine::config::{BrokerConfig, TopicConfig};
use crate::engine::log::{Batch, Record};
use crate::engine::metadata::{LeaderRecoveryState, PartitionRecord};
use crate::engine::replica::{IsrState, LeaderState, Replica, Role};

/// The one partition, `t-0`.
const P: PartitionIdx = PartitionIdx(0);

/// Record ids: A, B, C are what the first leader wrote; X and Y are other records at the same offsets.
const A: RecordId = 1;
const B: RecordId = 2;
const C: RecordId = 3;
const X: RecordId = 90;
const Y: RecordId = 91;

fn ids(brokers: &[u32]) -> Vec<BrokerId> {
    brokers.iter().map(|b| BrokerId(*b)).collect()
}

/// Brokers 1, 2, 3 and topic `t` with one partition, replicas [1, 2, 3], `min.insync.replicas=2`,
/// empty logs, broker 1 leader at epoch 0 with ISR [1, 2, 3]. Tests change state as the nodes would
/// and feed the checker the matching observations; it sees the cluster through a [`World`].
struct Cluster {
    catalog: Catalog,
    controller: Controller,
    brokers: Vec<Broker>,
    checker: SafetyChecker,
    /// Every violation reported so far: which invariant, and whether Kafka allows it here.
    violations: Vec<(Invariant, bool)>,
}

impl Cluster {
    fn new() -> Self {
        let mut catalog = Catalog {
            config: BrokerConfig::default(),
            features: Default::default(),
            brokers: vec![(BrokerId(1), "a".into()), (BrokerId(2), "b".into()), (BrokerId(3), "c".into())],
            topics: Vec::new(),
            partitions: Vec::new(),
            producers: vec!["p".into()],
            consumers: vec!["c".into()],
        };
        let config = TopicConfig { min_insync_replicas: Some(2), ..TopicConfig::default() };
        let spec =
            TopicSpec { name: "t".into(), partitions: 1, replication_factor: 3, replica_assignment: None, config };
        catalog.add_topic(&spec);
        let mut controller = Controller::bootstrap(&catalog);
        controller.partitions.push(PartitionRecord {
            partition: P,
            replicas: ids(&[1, 2, 3]),
            isr: Vec::new(),
            leader: None,
            leader_epoch: 0,
            partition_epoch: 0,
            leader_recovery_state: LeaderRecoveryState::Recovered,
            elr: Vec::new(),
            last_known_elr: Vec::new(),
            adding_replicas: Vec::new(),
            removing_replicas: Vec::new(),
            offset: controller.metadata_offset + 1,
        });
        let brokers = catalog
            .brokers
            .iter()
            .map(|(id, rack)| {
                let mut broker = Broker::new(*id, rack.clone());
                broker.replicas.insert(P, Replica::new(P));
                broker
            })
            .collect();
        let mut cluster =
            Cluster { catalog, controller, brokers, checker: SafetyChecker::default(), violations: Vec::new() };
        cluster.elect(1, 0, &[1, 2, 3]);
        assert!(cluster.violations.is_empty(), "the cluster as created keeps every invariant");
        cluster
    }

    fn replica(&mut self, broker: u32) -> &mut Replica {
        let i = self.catalog.broker_index(BrokerId(broker)).expect("a broker of the cluster");
        self.brokers[i].replicas.get_mut(&P).expect("a replica of t-0")
    }

    fn observe(&mut self, observation: Observation) {
        let world = World { now: 0, catalog: &self.catalog, controller: &self.controller, brokers: &self.brokers };
        let mut events = Vec::new();
        self.checker.observe(&observation, &world, &mut events);
        for e in events {
            if let EventKind::InvariantViolated { invariant, expected, .. } = e {
                self.violations.push((invariant, expected));
            }
        }
    }

    /// The broker appends these records at its log end, one batch each.
    fn append(&mut self, broker: u32, records: &[RecordId]) {
        let log = &mut self.replica(broker).log;
        for id in records {
            let record = Record::new(*id, &Record::text(None, "v"));
            let size_bytes = record.size_bytes();
            let base_offset = log.log_end_offset();
            let batch = Batch {
                base_offset,
                leader_epoch: 0,
                producer: None,
                records: vec![record].into(),
                size_bytes,
                max_timestamp_ms: 0,
            };
            log.append(batch, 0, &crate::engine::config::LogConfig::default());
        }
    }

    /// A leader (of the epoch it knows) moves its HW to `to`.
    fn leader_hw(&mut self, broker: u32, to: Offset) {
        let r = self.replica(broker);
        let (from, leader_epoch) = (r.high_watermark, r.leader_epoch);
        r.high_watermark = to;
        self.observe(Observation::LeaderHwAdvanced { broker: BrokerId(broker), partition: P, leader_epoch, from, to });
    }

    fn follower_hw(&mut self, broker: u32, to: Offset) {
        let r = self.replica(broker);
        let from = std::mem::replace(&mut r.high_watermark, to);
        self.observe(Observation::FollowerHwChanged { broker: BrokerId(broker), partition: P, from, to });
    }

    fn truncate(&mut self, broker: u32, to: Offset) {
        self.replica(broker).log.truncate_to(to);
        self.observe(Observation::Truncated { broker: BrokerId(broker), partition: P, to });
    }

    /// The controller commits a change of the partition record.
    fn change(&mut self, f: impl FnOnce(&mut PartitionRecord)) {
        self.commit(false, f);
    }

    fn commit(&mut self, unclean: bool, f: impl FnOnce(&mut PartitionRecord)) {
        let record = &mut self.controller.partitions[0];
        f(record);
        record.partition_epoch += 1;
        self.observe(Observation::PartitionChanged { partition: P, unclean });
    }

    fn isr(&mut self, isr: &[u32]) {
        self.change(|r| r.isr = ids(isr));
    }

    /// The controller elects `broker` at `epoch` with this ISR; the broker then becomes leader.
    fn elect(&mut self, broker: u32, epoch: LeaderEpoch, isr: &[u32]) {
        self.commit(false, |r| {
            (r.leader, r.leader_epoch, r.isr) = (Some(BrokerId(broker)), epoch, ids(isr));
        });
        self.become_leader(broker, epoch);
    }

    /// An unclean election (`unclean.leader.election.enable`): `broker`, outside the ISR, leads alone.
    fn elect_unclean(&mut self, broker: u32, epoch: LeaderEpoch) {
        self.commit(true, |r| (r.leader, r.leader_epoch, r.isr) = (Some(BrokerId(broker)), epoch, ids(&[broker])));
        self.become_leader(broker, epoch);
    }

    fn become_leader(&mut self, broker: u32, epoch: LeaderEpoch) {
        let record = self.controller.partitions[0].clone();
        let r = self.replica(broker);
        r.leader_epoch = epoch;
        r.partition_epoch = record.partition_epoch;
        let isr = IsrState { committed: record.isr, partition_epoch: record.partition_epoch, pending: None, sends: 0 };
        let state = LeaderState { leader_epoch_start_offset: r.log_end_offset(), followers: Map::new(), isr };
        r.role = Role::Leader(Box::new(state));
        self.observe(Observation::BecameLeader { broker: BrokerId(broker), partition: P, leader_epoch: epoch });
    }

    /// The leader's own view of the ISR changes: `committed` as it last heard, `pending` proposed.
    fn leader_isr(&mut self, broker: u32, committed: &[u32], pending: Option<&[u32]>) {
        let Role::Leader(state) = &mut self.replica(broker).role else { panic!("broker {broker} does not lead") };
        state.isr.committed = ids(committed);
        state.isr.pending = pending.map(|p| (ids(p), 1));
        self.observe(Observation::LeaderIsrChanged { partition: P });
    }

    fn fence(&mut self, broker: u32) {
        self.controller.brokers.get_mut(&BrokerId(broker)).expect("registered").registration.fenced = true;
    }

    /// Producer `p` is told success for `count` records from `first` at `offset`.
    fn acknowledged(&mut self, offset: Offset, first: RecordId, count: u32, acks: Acks) {
        self.observe(Observation::Acknowledged {
            partition: P,
            base_offset: Some(offset),
            first_record: first,
            count,
            acks,
        });
    }

    /// Exactly one violation was reported, of `invariant`, and Kafka does not allow it.
    fn assert_violated(&self, invariant: Invariant) {
        assert_eq!(self.violations, [(invariant, false)]);
    }

    fn assert_kept(&self) {
        assert_eq!(self.violations, Vec::new(), "no invariant violated");
    }

    /// Consumer `c` receives `record` at `offset` from `broker`.
    fn consumed(&mut self, offset: Offset, record: RecordId, broker: u32) {
        self.observe(Observation::Consumed {
            consumer: ClientIdx(0),
            partition: P,
            offset,
            record,
            from: BrokerId(broker),
        });
    }
}

// ------------------------------------------------------------------ 1. leader completeness

/// Leader 1 at epoch 0 reaches HW 3 with ISR [1, 3]; broker 2 has only 2 records.
fn committed_abc_without_broker_2() -> Cluster {
    let mut c = Cluster::new();
    c.isr(&[1, 3]);
    c.append(1, &[A, B, C]);
    c.append(3, &[A, B, C]);
    c.append(2, &[A, B]);
    c.leader_hw(1, 3);
    c
}

#[test]
fn leader_completeness_a_leader_elected_without_a_committed_record() {
    let mut c = committed_abc_without_broker_2();
    // The controller elects broker 2 (LEO 2) at epoch 1: C, committed at offset 2, is not in its log.
    c.elect(2, 1, &[2]);
    c.assert_violated(Invariant::LeaderCompleteness);
}

#[test]
fn leader_completeness_kept_by_a_leader_from_the_isr() {
    let mut c = committed_abc_without_broker_2();
    c.elect(3, 1, &[3]);
    c.assert_kept();
}

#[test]
fn after_an_unclean_election_the_violations_are_expected() {
    let mut c = committed_abc_without_broker_2();
    for (offset, record) in [A, B, C].into_iter().enumerate() {
        c.acknowledged(offset as Offset, record, 1, Acks::All);
    }
    c.assert_kept();
    // Brokers 1 and 3 are gone for good; the topic allows broker 2, outside the ISR, to lead.
    c.elect_unclean(2, 1);
    assert_eq!(c.violations, [(Invariant::LeaderCompleteness, true), (Invariant::NoAcknowledgedLoss, true)]);
}

// ------------------------------------------------------------------ 2. candidate completeness

#[test]
fn candidate_completeness_an_isr_member_without_what_the_hw_commits() {
    let mut c = Cluster::new();
    c.append(1, &[A, B, C]);
    c.append(2, &[A, B, C]);
    c.append(3, &[A, B]);
    c.leader_hw(1, 3);
    c.assert_violated(Invariant::CandidateCompleteness);
}

#[test]
fn candidate_completeness_kept_when_every_isr_member_has_it() {
    let mut c = Cluster::new();
    c.append(1, &[A, B, C]);
    c.append(2, &[A, B, C]);
    c.append(3, &[A, B, C]);
    c.leader_hw(1, 3);
    c.assert_kept();
}

#[test]
fn candidate_completeness_an_isr_member_truncating_below_the_hw() {
    let mut c = Cluster::new();
    for b in 1..=3 {
        c.append(b, &[A, B, C]);
    }
    c.leader_hw(1, 3);
    c.truncate(3, 1);
    c.assert_violated(Invariant::CandidateCompleteness);
}

#[test]
fn candidate_completeness_kept_when_a_broker_out_of_the_isr_truncates() {
    let mut c = Cluster::new();
    for b in 1..=3 {
        c.append(b, &[A, B, C]);
    }
    c.leader_hw(1, 3);
    c.isr(&[1, 2]);
    c.truncate(3, 1);
    c.assert_kept();
}

// ------------------------------------------------------------------ 3. replication-quorum superset

#[test]
fn quorum_superset_a_leader_that_stops_waiting_for_an_isr_member_before_the_controller_removed_it() {
    let mut c = Cluster::new();
    c.leader_isr(1, &[1, 2], None);
    c.assert_violated(Invariant::ReplicationQuorumSuperset);
}

#[test]
fn quorum_superset_kept_while_a_shrink_is_only_proposed() {
    let mut c = Cluster::new();
    // kafka-model §4.5: the leader keeps waiting for broker 3 until the controller commits the shrink.
    c.leader_isr(1, &[1, 2, 3], Some(&[1, 2]));
    c.isr(&[1, 2]);
    c.leader_isr(1, &[1, 2], None);
    c.assert_kept();
}

#[test]
fn quorum_superset_does_not_apply_below_min_insync_replicas() {
    let mut c = Cluster::new();
    c.leader_isr(1, &[1], None);
    c.assert_kept();
}

// ------------------------------------------------------------------ 4. log matching

/// Leader 1 commits A, B, C with broker 2 (ISR [1, 2]); broker 3 is out of the ISR.
fn committed_abc_with_broker_2() -> Cluster {
    let mut c = Cluster::new();
    c.isr(&[1, 2]);
    c.append(1, &[A, B, C]);
    c.append(2, &[A, B, C]);
    c.leader_hw(1, 3);
    c
}

#[test]
fn log_matching_a_follower_hw_over_a_different_record() {
    let mut c = committed_abc_with_broker_2();
    c.append(3, &[A, B, X]);
    c.follower_hw(3, 3);
    c.assert_violated(Invariant::LogMatching);
}

#[test]
fn log_matching_kept_by_a_follower_with_the_same_records() {
    let mut c = committed_abc_with_broker_2();
    c.append(3, &[A, B, C]);
    c.follower_hw(3, 3);
    c.assert_kept();
}

// ------------------------------------------------------------------ 5. no acknowledged acks=all loss

#[test]
fn no_acknowledged_loss_acks_all_success_before_the_hw_passed_the_records() {
    let mut c = Cluster::new();
    for b in 1..=3 {
        c.append(b, &[A, B, C]);
    }
    c.acknowledged(0, A, 3, Acks::All);
    c.assert_violated(Invariant::NoAcknowledgedLoss);
}

#[test]
fn no_acknowledged_loss_kept_when_success_follows_the_hw() {
    let mut c = Cluster::new();
    for b in 1..=3 {
        c.append(b, &[A, B, C]);
    }
    c.leader_hw(1, 3);
    c.acknowledged(0, A, 3, Acks::All);
    c.assert_kept();
}

// ------------------------------------------------------------------ 6. consumer read stability

#[test]
fn consumer_read_stability_a_read_of_another_record_at_a_committed_offset() {
    let mut c = committed_abc_with_broker_2();
    c.consumed(1, X, 2);
    c.assert_violated(Invariant::ConsumerReadStability);
}

#[test]
fn consumer_read_stability_kept_by_reading_the_committed_record() {
    let mut c = committed_abc_with_broker_2();
    c.consumed(1, B, 2);
    c.assert_kept();
}

// ------------------------------------------------------------------ 7. high watermark sanity

#[test]
fn hw_sanity_a_follower_hw_above_its_log_end() {
    let mut c = Cluster::new();
    c.append(2, &[A, B]);
    c.follower_hw(2, 3);
    c.assert_violated(Invariant::HighWatermarkSanity);
}

#[test]
fn hw_sanity_kept_by_a_follower_hw_at_its_log_end() {
    let mut c = Cluster::new();
    c.append(2, &[A, B]);
    c.follower_hw(2, 2);
    c.assert_kept();
}

// ------------------------------------------------------------------ 8. epoch monotonicity

#[test]
fn epoch_monotonicity_two_leaders_in_one_epoch() {
    let mut c = Cluster::new();
    c.elect(2, 0, &[1, 2, 3]);
    c.assert_violated(Invariant::EpochMonotonicity);
}

#[test]
fn epoch_monotonicity_kept_by_a_new_leader_in_a_new_epoch() {
    let mut c = Cluster::new();
    c.elect(2, 1, &[1, 2, 3]);
    c.assert_kept();
}

#[test]
fn epoch_monotonicity_a_leader_epoch_that_goes_back() {
    let mut c = Cluster::new();
    c.elect(2, 2, &[1, 2, 3]);
    c.change(|r| r.leader_epoch = 1);
    c.assert_violated(Invariant::EpochMonotonicity);
}

// ------------------------------------------------------------------ 9. ISR well-formed

#[test]
fn isr_well_formed_a_leader_outside_its_isr() {
    let mut c = Cluster::new();
    c.isr(&[2, 3]);
    c.assert_violated(Invariant::IsrWellFormed);
}

#[test]
fn isr_well_formed_an_isr_member_that_is_not_a_replica() {
    let mut c = Cluster::new();
    c.isr(&[1, 2, 4]);
    // Broker 4 is in no one's view of the partition, so leader 1 does not wait for it either.
    let violated = [(Invariant::IsrWellFormed, false), (Invariant::ReplicationQuorumSuperset, false)];
    assert_eq!(c.violations, violated);
}

#[test]
fn isr_well_formed_a_fenced_broker_kept_in_the_isr() {
    let mut c = Cluster::new();
    c.fence(3);
    c.isr(&[1, 2, 3]);
    c.assert_violated(Invariant::IsrWellFormed);
}

#[test]
fn isr_well_formed_kept_when_the_fenced_broker_leaves_or_is_the_last_member() {
    let mut c = Cluster::new();
    c.fence(3);
    c.isr(&[1, 2]);
    // Without ELR the last ISR member stays, fenced, and the partition has no leader (kafka-model §4.3).
    c.fence(2);
    c.fence(1);
    c.change(|r| (r.leader, r.isr) = (None, ids(&[1])));
    c.assert_kept();
}

// ------------------------------------------------------------------ 10. zombie containment

/// Leader 1 commits A, B at epoch 0; broker 2 becomes leader at epoch 1 (ISR [2, 3]); broker 1, cut
/// off, still believes it leads epoch 0 and appends X at offset 2.
fn zombie_leader_1() -> Cluster {
    let mut c = Cluster::new();
    for b in 1..=3 {
        c.append(b, &[A, B]);
    }
    c.leader_hw(1, 2);
    c.elect(2, 1, &[2, 3]);
    c.append(1, &[X]);
    c
}

#[test]
fn zombie_containment_a_consumer_reads_what_only_the_stale_leader_has() {
    let mut c = zombie_leader_1();
    c.consumed(2, X, 1);
    c.assert_violated(Invariant::ZombieContainment);
}

#[test]
fn zombie_containment_kept_when_the_consumer_reads_the_new_leaders_record() {
    let mut c = zombie_leader_1();
    c.consumed(1, B, 1);
    c.append(2, &[Y]);
    c.consumed(2, Y, 2);
    c.assert_kept();
}

#[test]
fn zombie_containment_a_stale_leader_hw_over_records_the_new_lineage_committed_otherwise() {
    let mut c = zombie_leader_1();
    c.append(2, &[Y]);
    c.append(3, &[Y]);
    c.leader_hw(2, 3);
    c.assert_kept();
    c.leader_hw(1, 3);
    c.assert_violated(Invariant::ZombieContainment);
}
