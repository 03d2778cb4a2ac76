//! Partition reassignment at the controller (KIP-455, `kafka-reassign-partitions.sh`):
//! `ReplicationControlManager.alterPartitionReassignment` and the parts of `PartitionChangeBuilder`
//! and `PartitionReassignmentReplicas` that start, complete and cancel one. While a reassignment
//! runs, `replicas` is the target followed by the removing replicas; the adding ones fetch from the
//! leader like any follower and join the ISR (kafka-model §4.4); the builder completes it in the
//! first change whose ISR holds every adding replica.

use super::{ChangeReason, Controller, ElrRules};
use crate::engine::ctx::Ctx;
use crate::engine::event::EventKind;
use crate::engine::ids::{BrokerId, PartitionIdx};
use crate::engine::insert_sorted;
use crate::engine::message::ErrorCode;
use crate::engine::metadata::PartitionRecord;
use crate::engine::reassignment::ReassignmentRefusal;

/// `isReassignmentInProgress`.
pub(super) fn in_progress(r: &PartitionRecord) -> bool {
    !r.adding_replicas.is_empty() || !r.removing_replicas.is_empty()
}

/// `PartitionReassignmentReplicas.maybeCompleteReassignment` on a change's target: once the ISR
/// without the removing replicas holds every target replica, replicas and ISR lose the removing
/// replicas and the reassignment ends (`completeReassignmentIfNeeded`).
pub(super) fn complete_if_needed(next: &mut PartitionRecord) -> bool {
    if !in_progress(next) {
        return false;
    }
    let removing = &next.removing_replicas;
    let isr: Vec<BrokerId> = next.isr.iter().copied().filter(|b| !removing.contains(b)).collect();
    let target = next.replicas.iter().filter(|b| !removing.contains(b));
    if isr.is_empty() || target.clone().any(|b| !isr.contains(b)) {
        return false;
    }
    next.replicas = target.copied().collect();
    next.isr = isr;
    next.adding_replicas.clear();
    next.removing_replicas.clear();
    true
}

/// The brokers of `a` not in `b`, ascending (Kafka's `calculateDifference` is a `TreeSet`).
fn difference(a: &[BrokerId], b: &[BrokerId]) -> Vec<BrokerId> {
    let mut out = Vec::new();
    for x in a.iter().filter(|x| !b.contains(x)) {
        insert_sorted(&mut out, *x);
    }
    out
}

/// `validateManualPartitionAssignment`: Kafka checks the ids in ascending order, so the smallest
/// offending id is named.
fn validate(target: &[BrokerId], registered: impl Fn(BrokerId) -> bool) -> Result<(), ReassignmentRefusal> {
    if target.is_empty() {
        return Err(ReassignmentRefusal::EmptyList);
    }
    let twice = |b: &BrokerId| target.iter().filter(|x| *x == b).count() > 1;
    let offending = target.iter().copied().filter(|b| !registered(*b) || twice(b)).min();
    match offending {
        Some(b) if !registered(b) => Err(ReassignmentRefusal::NotRegistered(b)),
        Some(b) => Err(ReassignmentRefusal::Duplicate(b)),
        None => Ok(()),
    }
}

impl Controller {
    /// AlterPartitionReassignments for one partition: `Some(target)` reassigns
    /// (`changePartitionReassignment`), `None` cancels (`cancelPartitionReassignment`). A refusal is
    /// the partition's answer, an event; it changes nothing.
    pub fn alter_partition_reassignment(
        &mut self,
        partition: PartitionIdx,
        target: Option<&[BrokerId]>,
        ctx: &mut Ctx,
    ) {
        let record = &self.partitions[partition.0 as usize];
        let rules = self.elr_rules(partition, ctx);
        let (built, reason) = match target {
            Some(target) => (self.start(record, target, &rules, ctx), ChangeReason::Reassignment),
            None => (self.revert(record, &rules, ctx), ChangeReason::ReassignmentCancelled),
        };
        match built {
            Err(refusal) => ctx.emit(EventKind::ReassignmentRefused { partition, refusal }),
            Ok(change) => {
                self.commit_changes(change.into_iter().collect(), reason, ctx);
                self.publish(ctx);
            }
        }
    }

    /// `PartitionReassignmentReplicas(current, target)`: replicas = target then the removing ones.
    /// A target the ISR already covers completes at once.
    fn start(
        &self,
        record: &PartitionRecord,
        target: &[BrokerId],
        rules: &ElrRules,
        ctx: &mut Ctx,
    ) -> Result<Option<(PartitionRecord, bool)>, ReassignmentRefusal> {
        validate(target, |b| self.brokers.contains_key(&b))?;
        let current = &record.replicas;
        let mut staged = record.clone();
        staged.removing_replicas = difference(current, target);
        staged.adding_replicas = difference(target, current);
        staged.replicas = target.to_vec();
        staged.replicas.extend_from_slice(&staged.removing_replicas);
        ctx.emit(EventKind::ReassignmentStarted {
            partition: record.partition,
            target: target.to_vec(),
            adding: staged.adding_replicas.clone(),
            removing: staged.removing_replicas.clone(),
        });
        Ok(self.build(record, staged, record.isr.clone(), false, rules))
    }

    /// `PartitionReassignmentRevert`: the adding replicas leave the replicas and the ISR; the
    /// removing ones stay (`originalReplicas`: the target's others in its order, then the removing). An ISR of adding replicas only would need an unclean election: refused
    /// (Kafka runs it when the topic allows unclean elections; the playground does not).
    fn revert(
        &self,
        record: &PartitionRecord,
        rules: &ElrRules,
        ctx: &mut Ctx,
    ) -> Result<Option<(PartitionRecord, bool)>, ReassignmentRefusal> {
        if !in_progress(record) {
            return Err(ReassignmentRefusal::NoReassignmentInProgress);
        }
        let adding = &record.adding_replicas;
        let isr: Vec<BrokerId> = record.isr.iter().copied().filter(|b| !adding.contains(b)).collect();
        if isr.is_empty() {
            return Err(ReassignmentRefusal::RevertNeedsUncleanElection);
        }
        let mut staged = record.clone();
        staged.replicas.retain(|b| !adding.contains(b));
        staged.adding_replicas.clear();
        staged.removing_replicas.clear();
        ctx.emit(EventKind::ReassignmentCancelled {
            partition: record.partition,
            replicas: staged.replicas.clone(),
            removed: adding.clone(),
        });
        Ok(self.build(record, staged, isr, false, rules))
    }

    /// AlterPartition for a partition being reassigned: the builder may complete the reassignment
    /// and elect a leader from the target; a leader that lost its leadership so is answered
    /// `NEW_LEADER_ELECTED` (the change is committed).
    pub(super) fn alter_reassigning_partition(
        &mut self,
        record: &PartitionRecord,
        staged: PartitionRecord,
        isr: Vec<BrokerId>,
        leader: BrokerId,
        ctx: &mut Ctx,
    ) -> Result<PartitionRecord, ErrorCode> {
        let partition = record.partition;
        let rules = self.elr_rules(partition, ctx);
        let Some(change) = self.build(record, staged, isr, false, &rules) else {
            return Ok(record.clone());
        };
        let new_leader = change.0.leader;
        self.commit_changes(vec![change], ChangeReason::AlterPartition(leader), ctx);
        self.publish(ctx);
        if new_leader != Some(leader) {
            return Err(ErrorCode::NewLeaderElected);
        }
        Ok(self.partitions[partition.0 as usize].clone())
    }
}

/// The reassignment event a committed change makes, if any: a completion (the change ended a
/// reassignment, or a new one that the ISR already covered) other than a cancel.
pub(super) fn completion(
    previous: &PartitionRecord,
    next: &PartitionRecord,
    reason: &ChangeReason,
) -> Option<EventKind> {
    let ended = in_progress(previous) || (*reason == ChangeReason::Reassignment && previous.replicas != next.replicas);
    if !ended || in_progress(next) || *reason == ChangeReason::ReassignmentCancelled {
        return None;
    }
    Some(EventKind::ReassignmentCompleted {
        partition: next.partition,
        replicas: next.replicas.clone(),
        removed: previous.replicas.iter().copied().filter(|b| !next.replicas.contains(b)).collect(),
        leader: next.leader,
    })
}
