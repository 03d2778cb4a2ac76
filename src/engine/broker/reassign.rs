//! A broker's side of a reassignment (KIP-455): a leader follows the partition's replica list as it
//! grows and shrinks (`Partition.updateAssignmentAndIsr`), and a broker that is no longer a replica
//! stops it and deletes its log (`ReplicaManager.applyDelta`: the partition among the deletes).

use super::Broker;
use crate::engine::ctx::{Ctx, Observation};
use crate::engine::event::EventKind;
use crate::engine::ids::{BrokerId, Millis, PartitionIdx};
use crate::engine::metadata::PartitionRecord;
use crate::engine::replica::{FollowerState, LeaderState};

/// The leader's follower states for the record's replicas: a new replica starts out of sync
/// (`lastCaughtUpTime` 0, kafka-model §4.1); a removed one is forgotten.
pub(super) fn follow_replicas(state: &mut LeaderState, record: &PartitionRecord, me: BrokerId, now_ms: Millis) {
    state.followers.retain(|b, _| record.replicas.contains(b));
    for r in record.replicas.iter().filter(|r| **r != me) {
        if !state.followers.contains_key(r) {
            state.followers.insert(*r, FollowerState::reset(false, now_ms));
        }
    }
}

impl Broker {
    /// The partition's replicas no longer name this broker: `StopReplica` with deletion. A leader's
    /// parked produces fail as at any loss of leadership.
    pub(super) fn delete_replica(&mut self, partition: PartitionIdx, record: &PartitionRecord, ctx: &mut Ctx) {
        let Some(replica) = self.replicas.remove(&partition) else {
            return;
        };
        if replica.is_leader() {
            self.fail_parked_produces(record, ctx);
        }
        ctx.emit(EventKind::ReplicaDeleted { broker: self.id, partition });
        ctx.observe(Observation::ReplicaDeleted { broker: self.id, partition });
    }
}
