//! Preferred leaders (kafka-model §3.1, §3.2, §3.8): the controller's leader imbalance check
//! (`QuorumController.maybeScheduleNextBalancePartitionLeaders`,
//! `ReplicationControlManager.maybeBalancePartitionLeaders`) and the `ElectLeaders` request
//! (`ReplicationControlManager.electLeader`), both through PREFERRED elections
//! (`PartitionChangeBuilder.electPreferredLeader`). No `leader.imbalance.per.broker.percentage`:
//! the KRaft controller never had that threshold.

use super::{Controller, Ctx};
use crate::engine::command::ElectionType;
use crate::engine::event::{ChangeReason, EventKind};
use crate::engine::ids::{BrokerId, PartitionIdx};
use crate::engine::message::ErrorCode;
use crate::engine::metadata::PartitionRecord;
use crate::engine::timer::ControllerTimer;

/// `ReplicationControlManager.MAX_ELECTIONS_PER_IMBALANCE`: elections one check may make.
pub const MAX_ELECTIONS_PER_IMBALANCE: usize = 1_000;
/// A capped check runs again this soon (`QuorumController`: 10 ms, so that other work goes first).
const IMMEDIATE_RECHECK_MS: u64 = 10;

/// `QuorumController.ImbalanceSchedule`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImbalanceSchedule {
    /// The next check waits `leader.imbalance.check.interval.seconds`.
    #[default]
    Deferred,
    Scheduled,
    /// The last check hit [`MAX_ELECTIONS_PER_IMBALANCE`]: the next one runs at once.
    Immediately,
}

/// `!PartitionRegistration.hasPreferredLeader()`: led by another replica than `replicas[0]`, or by
/// none.
pub fn is_imbalanced(record: &PartitionRecord) -> bool {
    record.leader != record.replicas.first().copied()
}

impl Controller {
    /// Counts a partition's change in the imbalanced set (the set of Kafka's controller, kept here
    /// as its size: the check walks the partitions in order).
    pub(super) fn track_imbalance(&mut self, was: bool, now: bool) {
        match (was, now) {
            (false, true) => self.imbalanced += 1,
            (true, false) => self.imbalanced -= 1,
            _ => {}
        }
    }

    /// Run after every controller write: schedules the next check when some partition is
    /// imbalanced, `auto.leader.rebalance.enable` is on and none is scheduled.
    pub(super) fn maybe_schedule_balance(&mut self, ctx: &mut Ctx) {
        let config = &ctx.catalog.config;
        if self.balance == ImbalanceSchedule::Scheduled || !config.auto_leader_rebalance_enable || self.imbalanced == 0
        {
            return;
        }
        let delay_ms = match self.balance {
            ImbalanceSchedule::Immediately => IMMEDIATE_RECHECK_MS,
            _ => config.leader_imbalance_check_interval_seconds * 1_000,
        };
        self.balance = ImbalanceSchedule::Scheduled;
        self.balance_check_at_ms = Some(ctx.now + delay_ms);
        ctx.set_timer(delay_ms, ControllerTimer::LeaderImbalanceCheck);
    }

    /// The check: a PREFERRED election for each imbalanced partition, at most
    /// [`MAX_ELECTIONS_PER_IMBALANCE`] that change something.
    pub fn on_leader_imbalance_check(&mut self, ctx: &mut Ctx) {
        self.balance_check_at_ms = None;
        let mut changes = Vec::new();
        for record in self.partitions.iter().filter(|r| is_imbalanced(r)) {
            if changes.len() >= MAX_ELECTIONS_PER_IMBALANCE {
                break;
            }
            changes.extend(self.elect_preferred(record));
        }
        let capped = changes.len() >= MAX_ELECTIONS_PER_IMBALANCE;
        self.balance = if capped { ImbalanceSchedule::Immediately } else { ImbalanceSchedule::Deferred };
        let (imbalanced, elected) = (self.imbalanced, changes.len() as u32);
        ctx.emit(EventKind::LeaderImbalanceChecked { imbalanced, elected, capped });
        self.commit_changes(changes, ChangeReason::LeaderImbalanceCheck, ctx);
        self.publish(ctx);
    }

    /// `PartitionChangeBuilder.electPreferredLeader`, the ISR unchanged: `replicas[0]` if it is in
    /// the ISR and can lead, else the current leader if it still can, else the next replica in
    /// order that can. `None` when the leader stays.
    pub(super) fn elect_preferred(&self, record: &PartitionRecord) -> Option<(PartitionRecord, bool)> {
        let valid = |b: &BrokerId| record.isr.contains(b) && self.is_acceptable_leader(*b);
        let preferred = record.replicas.first().copied().filter(valid);
        let leader = preferred
            .or_else(|| record.leader.filter(valid))
            .or_else(|| record.replicas.iter().skip(1).copied().find(valid));
        if leader == record.leader {
            return None;
        }
        let mut next = record.clone();
        next.leader = leader;
        next.leader_epoch += 1;
        next.partition_epoch += 1;
        Some((next, false))
    }

    /// `ElectLeaders` (`kafka-leader-election.sh`) for `only` one partition, or every one. Each
    /// answer is an event; for every partition, Kafka leaves out those that need no election.
    pub fn elect_leaders(&mut self, election_type: ElectionType, only: Option<PartitionIdx>, ctx: &mut Ctx) {
        let mut changes = Vec::new();
        for record in self.partitions.iter().filter(|r| only.is_none_or(|p| p == r.partition)) {
            let Some(&preferred) = record.replicas.first() else { continue };
            let not_needed = match election_type {
                ElectionType::Preferred => !is_imbalanced(record),
                ElectionType::Unclean => record.leader.is_some(),
            };
            let error = if not_needed {
                if only.is_none() {
                    continue;
                }
                Some(ErrorCode::ElectionNotNeeded)
            } else {
                let change = match election_type {
                    ElectionType::Preferred => self.elect_preferred(record),
                    ElectionType::Unclean => {
                        self.elect(record, record.isr.clone(), true, &self.elr_rules(record.partition, ctx))
                    }
                };
                let failed = match election_type {
                    ElectionType::Preferred => ErrorCode::PreferredLeaderNotAvailable,
                    ElectionType::Unclean => ErrorCode::EligibleLeadersNotAvailable,
                };
                let error = change.is_none().then_some(failed);
                changes.extend(change);
                error
            };
            ctx.emit(EventKind::ElectLeadersAnswered {
                partition: record.partition,
                election_type,
                error,
                preferred,
                leader: record.leader,
                isr: record.isr.clone(),
            });
        }
        self.commit_changes(changes, ChangeReason::ElectLeaders(election_type), ctx);
        self.publish(ctx);
    }
}
