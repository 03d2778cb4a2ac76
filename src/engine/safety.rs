//! The invariants of kafka-model §8.5, checked by the engine after every step from the observations
//! that step produced (checks at the point of mutation, so each costs what the change costs).
//!
//! The checker keeps, per partition, the *committed log*: the id of every record below the highest HW
//! any leader of the current lineage has reached. A violation is an event with its cause, not a
//! panic. It is *expected* when Kafka's guarantees do not cover the case (an unclean election in
//! the partition's history); anything else is a bug in the engine, and tests fail on it.

use super::broker::Broker;
use super::catalog::Catalog;
use super::config::Acks;
use super::controller::Controller;
use super::ctx::Observation;
use super::event::EventKind;
use super::ids::*;
use super::invariant::Invariant;
use super::log::Log;
use super::shared_vec::SharedVec;
use super::view::{InvariantView, LossView};
use super::Map;
use std::ops::Range;

#[derive(Clone, Debug, Default)]
struct Tally {
    violations: u64,
    expected: u64,
    last: Option<String>,
}

/// An acknowledged batch the lineage has not committed yet (acks=0/1).
#[derive(Clone, Debug)]
struct PendingAck {
    first_record: RecordId,
    count: u32,
    acks: Acks,
}

#[derive(Clone, Debug, Default)]
struct PartitionTrack {
    committed: SharedVec<RecordId>,
    /// Acknowledged batches above the committed log, by offset.
    pending_acks: Map<Offset, PendingAck>,
    /// Acknowledged batches inside the committed log, by offset (to report them if a later unclean
    /// election takes them away).
    settled_acks: Map<Offset, PendingAck>,
    /// An unclean election happened: Kafka no longer promises anything about earlier records.
    unclean: bool,
    /// Brokers whose power loss cut into the committed log (kafka-model §3.9).
    lossy: Vec<BrokerId>,
    /// More lossy crashes than Kafka's design tolerates (§8.4, §3.9): without ELR one, the "last
    /// replica standing"; with ELR, `min.insync.replicas`. Or, with ELR, a lossy broker elected
    /// before the controller learned of its unclean shutdown (see `on_became_leader`). Losses after
    /// it are Kafka's, not the engine's.
    lossy_beyond_guarantee: bool,
    consumed_end: Offset,
    /// Last controller epochs seen.
    epochs: Option<(LeaderEpoch, PartitionEpoch)>,
    /// Leader of each epoch seen, to catch two leaders in one epoch.
    leaders: Map<LeaderEpoch, BrokerId>,
}

/// The loss list keeps this many entries, newest last.
const LOSSES_KEPT: usize = 1_000;

#[derive(Clone, Debug, Default)]
pub struct SafetyChecker {
    tallies: Map<Invariant, Tally>,
    partitions: Vec<PartitionTrack>,
    /// `acks=0` batches acknowledged before any broker gave them an offset: first record -> batch.
    unplaced: Map<RecordId, PendingAck>,
    pub losses: Vec<LossView>,
    pub losses_total: u64,
    /// `acks=0` records that never reached a leader (no offset to name).
    pub acks0_dropped: u64,
}

/// What the checks can read of the cluster.
pub struct World<'a> {
    pub now: Millis,
    pub catalog: &'a Catalog,
    pub controller: &'a Controller,
    pub brokers: &'a [Broker],
}

impl World<'_> {
    fn replica_log(&self, broker: BrokerId, p: PartitionIdx) -> Option<&Log> {
        let i = self.catalog.broker_index(broker)?;
        self.brokers[i].replicas.get(&p).map(|r| &r.log)
    }
}

/// Why a broker acting as leader could acknowledge records that another leader lacks (kafka-model
/// §5.3); a stale leader acknowledges too (§7.4).
fn acknowledged(acks: Acks) -> String {
    match acks {
        Acks::None => "acks=0 waits for nothing".into(),
        Acks::Leader => "acks=1 waits for no follower".into(),
        Acks::All => "they were acknowledged with acks=all".into(),
    }
}

/// Why an acknowledged batch whose offset now holds another record was lost.
fn reassigned(ack: &PendingAck, offset: Offset) -> String {
    format!("{}; a leader that did not have them gave offset {offset} to another record", acknowledged(ack.acks))
}

/// Whether the leader of the newest leader epoch holds `record` at `offset`, written in an older
/// epoch than its own (so before it led: part of the log it was elected with).
fn held_by_newest_leader(track: &PartitionTrack, world: &World, p: PartitionIdx, offset: Offset, record: u64) -> bool {
    let Some((epoch, leader)) = track.leaders.iter().next_back() else { return false };
    world.replica_log(*leader, p).is_some_and(|log| {
        let written_in = log.epoch_cache().iter().rev().find(|(_, start)| *start <= offset).map(|(e, _)| *e);
        record_id(log, offset) == Some(record) && written_in.is_some_and(|e| e < *epoch)
    })
}

fn record_id(log: &Log, offset: Offset) -> Option<RecordId> {
    log.record_at(offset).map(|r| r.id)
}

impl SafetyChecker {
    pub fn unexpected_violations(&self) -> u64 {
        self.tallies.values().map(|t| t.violations - t.expected).sum::<u64>()
            + self.losses.iter().filter(|l| l.unexpected).count() as u64
    }

    pub fn view(&self) -> Vec<InvariantView> {
        Invariant::ALL
            .iter()
            .map(|i| {
                let t = self.tallies.get(i).cloned().unwrap_or_default();
                InvariantView {
                    invariant: *i,
                    name: i.name(),
                    description: i.description(),
                    violations: t.violations,
                    expected_violations: t.expected,
                    last_violation: t.last,
                }
            })
            .collect()
    }

    /// Hash input: the counts (the committed logs follow from the replicas).
    pub fn digest(&self) -> Vec<u64> {
        let mut d: Vec<u64> = self.tallies.values().flat_map(|t| [t.violations, t.expected]).collect();
        d.push(self.losses_total);
        d
    }

    fn track(&mut self, p: PartitionIdx) -> &mut PartitionTrack {
        let i = p.0 as usize;
        if self.partitions.len() <= i {
            self.partitions.resize_with(i + 1, Default::default);
        }
        &mut self.partitions[i]
    }

    /// A violation found outside a step's observations (the controller quorum's, kafka-model §2.2).
    pub fn violation(&mut self, invariant: Invariant, detail: String) -> EventKind {
        let t = self.tallies.entry(invariant).or_default();
        t.violations += 1;
        t.last = Some(detail.clone());
        EventKind::InvariantViolated { invariant, partition: None, detail, expected: false }
    }

    pub(super) fn violate(
        &mut self,
        invariant: Invariant,
        partition: Option<PartitionIdx>,
        detail: String,
        events: &mut Vec<EventKind>,
    ) {
        let expected = partition.is_some_and(|p| self.outside_guarantees(p));
        let t = self.tallies.entry(invariant).or_default();
        t.violations += 1;
        t.expected += expected as u64;
        t.last = Some(detail.clone());
        events.push(EventKind::InvariantViolated { invariant, partition, detail, expected });
    }

    /// Kafka promises nothing more about the partition: an unclean election, or power losses beyond
    /// what replication tolerates.
    fn outside_guarantees(&mut self, p: PartitionIdx) -> bool {
        let track = self.track(p);
        track.unclean || track.lossy_beyond_guarantee
    }

    /// A power loss cut `broker`'s log to `to`: a fault, classified (kafka-model §3.9, §8.4), and what
    /// was acknowledged above it is lost once no replica holds it.
    fn on_power_lost(
        &mut self,
        broker: BrokerId,
        p: PartitionIdx,
        to: Offset,
        world: &World,
        events: &mut Vec<EventKind>,
    ) {
        let tolerated = if world.catalog.elr_enabled() { world.catalog.effective_min_isr(p) - 1 } else { 0 };
        let track = self.track(p);
        if to < track.committed.len() as Offset && !track.lossy.contains(&broker) {
            track.lossy.push(broker);
            track.lossy_beyond_guarantee |= track.lossy.len() > tolerated;
        }
        let cause = |acks| {
            format!("{}; broker {broker} lost them in a power loss before they were flushed", acknowledged(acks))
        };
        self.lose_unheld_above(p, to, cause, world, events);
        // Committed ones too, once no replica holds them: the power loss took the last copy.
        let settled: Vec<(Offset, PendingAck)> =
            self.track(p).settled_acks.iter().filter(|(o, _)| **o >= to).map(|(o, a)| (*o, a.clone())).collect();
        for (offset, ack) in settled {
            if !held_anywhere(world, p, offset, ack.first_record) {
                self.track(p).settled_acks.remove(&offset);
                let cause = format!(
                    "they were committed, but broker {broker}, the last replica that held them (the \"last replica \
                     standing\", kafka-model §8.4), lost them in a power loss before they were flushed"
                );
                self.record_loss(p, offset, &ack, cause, world, events);
            }
        }
    }

    /// Acknowledged batches at or above `to`: lost once no replica holds them any more.
    fn lose_unheld_above(
        &mut self,
        p: PartitionIdx,
        to: Offset,
        cause: impl Fn(Acks) -> String,
        world: &World,
        events: &mut Vec<EventKind>,
    ) {
        let above: Vec<Offset> = self.track(p).pending_acks.keys().filter(|o| **o >= to).copied().collect();
        for offset in above {
            let ack = self.track(p).pending_acks[&offset].clone();
            if !held_anywhere(world, p, offset, ack.first_record) {
                self.track(p).pending_acks.remove(&offset);
                self.record_loss(p, offset, &ack, cause(ack.acks), world, events);
            }
        }
    }

    pub fn observe(&mut self, obs: &Observation, world: &World, events: &mut Vec<EventKind>) {
        match *obs {
            Observation::LeaderHwAdvanced { broker, partition, leader_epoch, from, to } => {
                self.on_leader_hw(broker, partition, leader_epoch, from..to, world, events)
            }
            Observation::FollowerHwChanged { broker, partition, from, to } => {
                self.check_hw_le_leo(broker, partition, world, events);
                if to > from {
                    self.check_matches_committed(broker, partition, from..to, Invariant::LogMatching, world, events);
                }
            }
            Observation::Truncated { broker, partition, to } => self.on_truncated(broker, partition, to, world, events),
            Observation::PowerLost { broker, partition, to } => {
                self.on_power_lost(broker, partition, to, world, events)
            }
            Observation::ReplicaDeleted { broker, partition } => {
                let cause = |acks| {
                    format!(
                        "{}; broker {broker}, the only replica that had them, deleted its log when a reassignment removed \
                         it",
                        acknowledged(acks)
                    )
                };
                self.lose_unheld_above(partition, 0, cause, world, events);
            }
            Observation::BecameLeader { broker, partition, leader_epoch } => {
                self.on_became_leader(broker, partition, leader_epoch, world, events)
            }
            Observation::LeaderIsrChanged { partition, .. } => self.check_quorum_superset(partition, world, events),
            Observation::PartitionChanged { partition, unclean } => {
                if unclean {
                    self.track(partition).unclean = true;
                }
                self.check_partition_record(partition, world, events);
                self.check_quorum_superset(partition, world, events);
            }
            Observation::Acknowledged { partition, base_offset, first_record, count, acks, .. } => {
                let ack = PendingAck { first_record, count, acks };
                match base_offset {
                    Some(offset) => self.on_acknowledged(partition, offset, ack, world, events),
                    None => {
                        self.unplaced.insert(first_record, ack);
                    }
                }
            }
            Observation::Appended { partition, base_offset, first_record, .. } => {
                if let Some(ack) = self.unplaced.remove(&first_record) {
                    self.on_acknowledged(partition, base_offset, ack, world, events);
                }
            }
            Observation::Acks0Refused { broker, partition, first_record, count } => {
                self.record_dropped(first_record, count);
                let cause = format!(
                    "broker {broker} was not the leader and dropped the acks=0 request; the producer was never told"
                );
                events.push(EventKind::RecordsLost { partition, offsets: (0, 0), count, acks: Acks::None, cause });
            }
            Observation::OffsetCommitted { partition, offset } => {
                let hw = self.track(partition).committed.len() as u64;
                if offset > hw {
                    let name = world.catalog.partition_name(partition);
                    let detail = format!("offset {offset} committed for {name}, beyond its high watermark {hw}");
                    self.violate(Invariant::CommittedOffsetWithinHighWatermark, Some(partition), detail, events);
                }
            }
            // Checked by the engine, which sees every member (`engine/groups.rs`).
            Observation::GroupAssignmentChanged => {}
            Observation::Consumed { consumer, partition, offset, record, from } => {
                let track = self.track(partition);
                track.consumed_end = track.consumed_end.max(offset + 1);
                match track.committed.get(offset as usize) {
                    Some(id) if *id == record => {}
                    Some(_) => self.violate(
                        Invariant::ConsumerReadStability,
                        Some(partition),
                        format!(
                            "consumer #{} read a record at {}@{} from broker {} that differs from the committed one",
                            consumer.0,
                            world.catalog.partition_name(partition),
                            offset,
                            from
                        ),
                        events,
                    ),
                    None => {
                        // Above the lineage's HW: only acceptable if the newest leader (even if it
                        // is down now) holds the same record there (a stale leader's HW can run ahead on what its followers
                        // had fetched before the election, as in Kafka).
                        let current = self.track(partition).leaders.values().next_back().copied();
                        let on_leader = current
                            .and_then(|l| world.replica_log(l, partition))
                            .and_then(|log| record_id(log, offset));
                        if on_leader != Some(record) {
                            let detail = format!(
                                "consumer #{} read {}@{} from broker {}, above the high watermark of the current leaders and not in the current leader's log",
                                consumer.0,
                                world.catalog.partition_name(partition),
                                offset,
                                from
                            );
                            self.violate(Invariant::ZombieContainment, Some(partition), detail, events);
                        }
                    }
                }
            }
        }
    }

    /// An `acks=0` batch that no leader appended: the producer was told success, the records are gone.
    pub fn record_dropped(&mut self, first_record: RecordId, count: u32) {
        if self.unplaced.remove(&first_record).is_some() {
            self.acks0_dropped += count as u64;
        }
    }

    fn check_hw_le_leo(&mut self, broker: BrokerId, p: PartitionIdx, world: &World, events: &mut Vec<EventKind>) {
        let Some(i) = world.catalog.broker_index(broker) else {
            return;
        };
        let Some(r) = world.brokers[i].replicas.get(&p) else {
            return;
        };
        if r.high_watermark > r.log_end_offset() {
            self.violate(
                Invariant::HighWatermarkSanity,
                Some(p),
                format!(
                    "broker {broker} has HW {} above its LEO {} for {}",
                    r.high_watermark,
                    r.log_end_offset(),
                    world.catalog.partition_name(p)
                ),
                events,
            );
        }
    }

    /// Records in `[from, to)` of a replica must be the committed ones where the lineage committed them.
    fn check_matches_committed(
        &mut self,
        broker: BrokerId,
        p: PartitionIdx,
        Range { start: from, end: to }: Range<Offset>,
        invariant: Invariant,
        world: &World,
        events: &mut Vec<EventKind>,
    ) {
        let Some(log) = world.replica_log(broker, p) else {
            return;
        };
        let committed = &self.track(p).committed;
        let end = to.min(committed.len() as Offset);
        // Below the replica's log start, retention deleted the records: nothing to compare.
        let from = from.max(log.log_start_offset());
        let mismatch = (from..end).find(|o| record_id(log, *o) != Some(committed[*o as usize]));
        if let Some(o) = mismatch {
            let detail = format!(
                "broker {broker} holds a different record than the committed one at {}@{o}",
                world.catalog.partition_name(p)
            );
            self.violate(invariant, Some(p), detail, events);
        }
    }

    /// A leader's HW moved over `from..to`.
    fn on_leader_hw(
        &mut self,
        broker: BrokerId,
        p: PartitionIdx,
        leader_epoch: LeaderEpoch,
        Range { start: from, end: to }: Range<Offset>,
        world: &World,
        events: &mut Vec<EventKind>,
    ) {
        self.check_hw_le_leo(broker, p, world, events);
        let Some(log) = world.replica_log(broker, p) else {
            return;
        };
        // Compare what is already committed (kafka-model §8.5 4); a leader of the current lineage
        // (no newer leader epoch has started) commits the rest up to its new HW. A stale leader's HW
        // (a zombie after a newer election) commits nothing.
        let current = self.track(p).leaders.keys().next_back().is_none_or(|newest| leader_epoch >= *newest);
        let mut mismatch = None;
        let committed_len = self.track(p).committed.len() as Offset;
        let end = if current { to } else { to.min(committed_len) };
        // Below the leader's log start, retention deleted the records: nothing to compare.
        for o in from.min(committed_len).max(log.log_start_offset())..end {
            let Some(id) = record_id(log, o) else { break };
            let track = self.track(p);
            if o < committed_len {
                if track.committed[o as usize] != id && mismatch.is_none() {
                    mismatch = Some(o);
                }
            } else if o == track.committed.len() as Offset {
                track.committed.push(id);
            } else {
                break;
            }
        }
        if !current {
            if let Some(o) = mismatch {
                let detail = format!(
                    "stale leader {broker} (epoch {leader_epoch}) exposes a record at {}@{o} that differs from the committed one",
                    world.catalog.partition_name(p)
                );
                self.violate(Invariant::ZombieContainment, Some(p), detail, events);
            }
            return;
        }
        if let Some(o) = mismatch {
            let detail = format!(
                "leader {broker} exposed a record at {}@{o} that differs from the committed one",
                world.catalog.partition_name(p)
            );
            self.violate(Invariant::LogMatching, Some(p), detail, events);
        }
        // Every member of the controller's ISR must have what was just committed (§8.5 2).
        if let Some(record) = world.controller.partitions.get(p.0 as usize) {
            for member in record.isr.clone() {
                if member != broker && !lost_power_and_down(world, member, p) {
                    self.check_matches_committed(member, p, from..to, Invariant::CandidateCompleteness, world, events);
                }
            }
        }
        self.settle_pending(p, world, events);
    }

    /// Acknowledged batches that the committed log has now reached: kept or lost.
    fn settle_pending(&mut self, p: PartitionIdx, world: &World, events: &mut Vec<EventKind>) {
        let track = self.track(p);
        let end = track.committed.len() as Offset;
        let reached: Vec<Offset> = track.pending_acks.keys().take_while(|o| **o < end).copied().collect();
        for offset in reached {
            let ack = self.track(p).pending_acks.remove(&offset).expect("listed");
            if self.track(p).committed[offset as usize] == ack.first_record {
                self.track(p).settled_acks.insert(offset, ack);
            } else {
                self.record_loss(p, offset, &ack, reassigned(&ack, offset), world, events);
            }
        }
    }

    fn on_acknowledged(
        &mut self,
        p: PartitionIdx,
        offset: Offset,
        ack: PendingAck,
        world: &World,
        events: &mut Vec<EventKind>,
    ) {
        let track = self.track(p);
        let committed = track.committed.get(offset as usize).copied();
        match (committed, ack.acks) {
            (Some(id), _) if id == ack.first_record => {
                track.settled_acks.insert(offset, ack);
            }
            (Some(_), _) => {
                let cause = format!("offset {offset} already holds another committed record");
                self.record_loss(p, offset, &ack, cause, world, events);
            }
            (None, Acks::All) if held_by_newest_leader(track, world, p, offset, ack.first_record) => {
                // A stale leader acknowledged records that the current lineage's leader holds below
                // its epoch (the followers' fetches that proved them replicated were delayed: a
                // pause). They are committed once that leader's HW passes them: a follower joins
                // its ISR only at its leader epoch start offset (kafka-model §4.4).
                track.pending_acks.insert(offset, ack);
            }
            (None, Acks::All) => {
                let detail = format!(
                    "{} records at {}@{offset} were acknowledged with acks=all before the high watermark passed them",
                    ack.count,
                    world.catalog.partition_name(p)
                );
                self.violate(Invariant::NoAcknowledgedLoss, Some(p), detail, events);
                self.track(p).pending_acks.insert(offset, ack);
            }
            (None, _) => {
                if let Some(earlier) = track.pending_acks.insert(offset, ack) {
                    // The leader gave this offset to another batch: the earlier one is gone.
                    self.record_loss(p, offset, &earlier, reassigned(&earlier, offset), world, events);
                }
            }
        }
    }

    fn record_loss(
        &mut self,
        p: PartitionIdx,
        offset: Offset,
        ack: &PendingAck,
        cause: String,
        world: &World,
        events: &mut Vec<EventKind>,
    ) {
        let unexpected = ack.acks == Acks::All && !self.outside_guarantees(p);
        if ack.acks == Acks::All {
            let detail =
                format!("{} acks=all records lost at {}@{offset}: {cause}", ack.count, world.catalog.partition_name(p));
            self.violate(Invariant::NoAcknowledgedLoss, Some(p), detail, events);
        }
        self.losses_total += 1;
        if self.losses.len() == LOSSES_KEPT {
            self.losses.remove(0);
        }
        self.losses.push(LossView {
            at_ms: world.now,
            partition: p,
            partition_name: world.catalog.partition_name(p),
            first_offset: offset,
            last_offset: offset + ack.count as u64 - 1,
            count: ack.count,
            acks: ack.acks,
            cause: cause.clone(),
            unexpected,
        });
        events.push(EventKind::RecordsLost {
            partition: p,
            offsets: (offset, offset + ack.count as u64 - 1),
            count: ack.count,
            acks: ack.acks,
            cause,
        });
    }

    fn on_truncated(
        &mut self,
        broker: BrokerId,
        p: PartitionIdx,
        to: Offset,
        world: &World,
        events: &mut Vec<EventKind>,
    ) {
        let committed_len = self.track(p).committed.len() as Offset;
        let record = world.controller.partitions.get(p.0 as usize);
        // kafka-model §8.5 2: ISR and ELR members are candidates.
        let in_isr = record.is_some_and(|r| r.isr.contains(&broker) || r.elr.contains(&broker));
        if to < committed_len && in_isr {
            let detail = format!(
                "broker {broker}, in the ISR or ELR, truncated {} to {to} below the committed offset {committed_len}",
                world.catalog.partition_name(p)
            );
            self.violate(Invariant::CandidateCompleteness, Some(p), detail, events);
        }
        let cause = |acks| {
            format!(
                "{}; broker {broker} truncated them when it followed a leader that did not have them",
                acknowledged(acks)
            )
        };
        self.lose_unheld_above(p, to, cause, world, events);
    }

    fn on_became_leader(
        &mut self,
        broker: BrokerId,
        p: PartitionIdx,
        epoch: LeaderEpoch,
        world: &World,
        events: &mut Vec<EventKind>,
    ) {
        let name = world.catalog.partition_name(p);
        // A leadership the controller has already superseded (the broker learns of it late: it was
        // paused) starts no lineage and is not the newest leader: it is a stale leader, whose
        // writes the checks of acknowledgements and truncations follow (kafka-model §7.4).
        let superseded = world.controller.partitions.get(p.0 as usize).is_some_and(|r| r.leader_epoch > epoch);
        let previous = match superseded {
            true => self.track(p).leaders.get(&epoch).copied(),
            false => self.track(p).leaders.insert(epoch, broker),
        };
        if let Some(previous) = previous.filter(|b| *b != broker) {
            let detail = format!("brokers {previous} and {broker} both led {name} in epoch {epoch}");
            self.violate(Invariant::EpochMonotonicity, Some(p), detail, events);
        }
        if superseded {
            return;
        }
        let Some(log) = world.replica_log(broker, p) else {
            return;
        };
        let committed = &self.track(p).committed;
        // Records below its log start were deleted by retention, not lost: compared from there.
        let start = (log.log_start_offset() as usize).min(committed.len());
        let Some(diverge) = (start..committed.len()).find(|o| record_id(log, *o as Offset) != Some(committed[*o]))
        else {
            return;
        };
        let lost = committed.len() - diverge;
        let detail = format!(
            "new leader {broker} of {name} (epoch {epoch}) lacks {lost} committed record(s) from offset {diverge}"
        );
        // A broker that lost power can be elected without what it lost only on its pre-crash
        // registration: once it registers again without a PreviousBrokerEpoch it is fenced, out of
        // the ISR and out of every ELR (kafka-model §2.3.1, §4.9). A broker restarted within its
        // session timeout has its new registration refused (DUPLICATE_BROKER_REGISTRATION) but
        // already acts on the metadata it replicates (`BrokerServer.startup` installs the metadata
        // publishers before the controller acknowledges it), so it leads with its cut log: a window
        // KIP-966's tolerance of `min.insync.replicas - 1` lossy shutdowns does not cover.
        let lossy = self.track(p).lossy.contains(&broker);
        self.track(p).lossy_beyond_guarantee |= lossy;
        self.violate(Invariant::LeaderCompleteness, Some(p), detail, events);
        // The lineage now continues from this leader's log: what it lacks is gone for good.
        let consumed_end = self.track(p).consumed_end;
        if consumed_end > diverge as Offset {
            let detail = format!("consumers read {name} up to offset {consumed_end}, but offsets from {diverge} were lost with leader {broker}'s election");
            self.violate(Invariant::ConsumerReadStability, Some(p), detail, events);
        }
        let track = self.track(p);
        track.committed.truncate(diverge);
        let lost: Vec<(Offset, PendingAck)> =
            track.settled_acks.iter().filter(|(o, _)| **o >= diverge as Offset).map(|(o, a)| (*o, a.clone())).collect();
        track.settled_acks.retain(|o, _| *o < diverge as Offset);
        // The new lineage has exposed what its leader holds below its own HW.
        let hw = world
            .catalog
            .broker_index(broker)
            .and_then(|i| world.brokers[i].replicas.get(&p))
            .map_or(0, |r| r.high_watermark);
        for o in diverge as Offset..hw {
            match record_id(log, o) {
                Some(id) => self.track(p).committed.push(id),
                None => break,
            }
        }
        for (offset, ack) in lost {
            let cause = match (lossy, world.catalog.elr_enabled()) {
                (true, true) => format!(
                    "they were committed, but broker {broker} lost them in a power loss and was elected leader of epoch \
                     {epoch} without them, before the controller learned of its unclean shutdown (kafka-model §3.9, \
                     §4.9)"
                ),
                (true, false) => format!(
                    "they were committed, but broker {broker} lost them in a power loss and was elected leader of epoch \
                     {epoch} without them (the \"last replica standing\", kafka-model §8.4)"
                ),
                (false, _) => format!("they were committed, but broker {broker} was elected leader of epoch {epoch} without them"),
            };
            self.record_loss(p, offset, &ack, cause, world, events);
        }
    }

    fn check_partition_record(&mut self, p: PartitionIdx, world: &World, events: &mut Vec<EventKind>) {
        let Some(record) = world.controller.partitions.get(p.0 as usize) else {
            return;
        };
        let name = world.catalog.partition_name(p);
        let mut problems = Vec::new();
        if let Some(l) = record.leader {
            if !record.isr.contains(&l) {
                problems.push(format!("leader {l} of {name} is not in its ISR {}", brokers(&record.isr)));
            }
        }
        if record.isr.iter().any(|b| !record.replicas.contains(b)) {
            problems.push(format!(
                "ISR {} of {name} is not within its replicas {}",
                brokers(&record.isr),
                brokers(&record.replicas)
            ));
        }
        let fenced: Vec<BrokerId> = record
            .isr
            .iter()
            .copied()
            .filter(|b| world.controller.brokers.get(b).is_some_and(|e| e.registration.fenced))
            .collect();
        // Without ELR the last member stays in the ISR, leaderless (kafka-model §2.3.4); with it the
        // ISR empties instead.
        let retained_last = record.isr.len() == 1 && record.leader.is_none() && !world.catalog.elr_enabled();
        if !fenced.is_empty() && !retained_last {
            problems.push(format!(
                "fenced broker(s) {} are in the ISR {} of {name}",
                brokers(&fenced),
                brokers(&record.isr)
            ));
        }
        for detail in problems {
            self.violate(Invariant::IsrWellFormed, Some(p), detail, events);
        }
        for detail in elr_problems(record, &name, world) {
            self.violate(Invariant::ElrWellFormed, Some(p), detail, events);
        }
        let now = (record.leader_epoch, record.partition_epoch);
        if let Some(before) = self.track(p).epochs.replace(now) {
            if now.0 < before.0 || now.1 < before.1 {
                let detail = format!(
                    "epochs of {name} went from leader epoch {} / partition epoch {} to {} / {}",
                    before.0, before.1, now.0, now.1
                );
                self.violate(Invariant::EpochMonotonicity, Some(p), detail, events);
            }
        }
    }

    /// kafka-model §8.5 3, for the leader of the controller's current epoch.
    fn check_quorum_superset(&mut self, p: PartitionIdx, world: &World, events: &mut Vec<EventKind>) {
        let Some(record) = world.controller.partitions.get(p.0 as usize) else {
            return;
        };
        let Some(leader) = record.leader else { return };
        let Some(i) = world.catalog.broker_index(leader) else {
            return;
        };
        let Some(replica) = world.brokers[i].replicas.get(&p) else {
            return;
        };
        let Some(state) = replica.leader_state() else {
            return;
        };
        if replica.leader_epoch != record.leader_epoch || state.isr.committed.len() < world.catalog.effective_min_isr(p)
        {
            return;
        }
        let missing: Vec<BrokerId> = record.isr.iter().copied().filter(|b| !state.isr.maximal_contains(*b)).collect();
        if !missing.is_empty() {
            let detail = format!(
                "controller ISR {} of {} has {}, which leader {leader} does not wait for (maximal ISR {})",
                brokers(&record.isr),
                world.catalog.partition_name(p),
                brokers(&missing),
                brokers(&state.isr.maximal())
            );
            self.violate(Invariant::ReplicationQuorumSuperset, Some(p), detail, events);
        }
    }
}

#[cfg(test)]
#[path = "safety_tests.rs"]
mod tests;

/// kafka-model §8.5 9 and `ValidControllerIsrAndElr` (§8.4): what a partition's ELR fields may hold.
fn elr_problems(record: &super::metadata::PartitionRecord, name: &str, world: &World) -> Vec<String> {
    let mut problems = Vec::new();
    let (elr, last_known) = (&record.elr, &record.last_known_elr);
    if elr.is_empty() && last_known.is_empty() {
        return problems;
    }
    if !world.catalog.elr_enabled() {
        problems.push(format!("{name} has ELR fields although eligible.leader.replicas.version=0"));
    }
    if let Some(b) = elr.iter().find(|b| record.isr.contains(b)) {
        problems.push(format!("broker {b} is in both the ISR and the ELR of {name}"));
    }
    if elr.iter().chain(last_known).any(|b| !record.replicas.contains(b)) {
        problems.push(format!(
            "the ELR {} or last known ELR {} of {name} is not within its replicas",
            brokers(elr),
            brokers(last_known)
        ));
    }
    let min_isr = world.catalog.effective_min_isr(record.partition);
    if record.isr.len() >= min_isr {
        problems.push(format!(
            "{name} keeps ELR {} / last known ELR {} although its ISR {} meets min.insync.replicas={min_isr}",
            brokers(elr),
            brokers(last_known),
            brokers(&record.isr)
        ));
    }
    if let (Some(l), false) = (record.leader, last_known.is_empty()) {
        problems.push(format!("{name} has leader {l} and still a last known leader {}", brokers(last_known)));
    }
    problems
}

/// Whether any replica of `p` holds `record` at `offset`.
fn held_anywhere(world: &World, p: PartitionIdx, offset: Offset, record: RecordId) -> bool {
    world.brokers.iter().filter_map(|b| b.replicas.get(&p)).any(|r| record_id(&r.log, offset) == Some(record))
}

/// A member that lost its unflushed suffix and has not come back: the leader's view of it (its last
/// fetch) is older than its disk (kafka-model §3.9); it re-registers fenced and catches up.
fn lost_power_and_down(world: &World, broker: BrokerId, p: PartitionIdx) -> bool {
    let Some(b) = world.catalog.broker_index(broker).map(|i| &world.brokers[i]) else { return false };
    !b.is_alive() && b.replicas.get(&p).is_some_and(|r| r.power_lost.is_some())
}

/// A list of brokers as a violation's detail shows it: `[1, 2]`. (Not `{:?}`: Debug's machinery
/// stays out of the wasm bundle.)
fn brokers(list: &[BrokerId]) -> String {
    let ids: Vec<String> = list.iter().map(|b| b.to_string()).collect();
    format!("[{}]", ids.join(", "))
}
