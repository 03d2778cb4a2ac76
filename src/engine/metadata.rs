//! The records of the KRaft metadata log that the model needs (kafka-model §2.4): the state of each
//! partition and each broker registration, as the controller commits them and brokers replicate them.

use super::ids::*;
use serde::Serialize;

/// `leaderRecoveryState` (KIP-704, kafka-model §4.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LeaderRecoveryState {
    Recovered,
    Recovering,
}

/// `PartitionRecord` / `PartitionChangeRecord` folded into the full state of one partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionRecord {
    pub partition: PartitionIdx,
    /// Ordered assignment; `replicas[0]` is the preferred leader (kafka-model §3.1).
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub leader_epoch: LeaderEpoch,
    pub partition_epoch: PartitionEpoch,
    pub leader_recovery_state: LeaderRecoveryState,
    /// Eligible Leader Replicas (KIP-966, kafka-model §4.9): replicas that left the ISR while it was
    /// below `min.insync.replicas`, so hold every committed record. Empty with the feature off.
    pub elr: Vec<BrokerId>,
    /// `lastKnownElr`: the last leader, kept while the ISR and ELR are both empty (§4.9).
    pub last_known_elr: Vec<BrokerId>,
    /// A reassignment in progress (KIP-455, `addingReplicas` / `removingReplicas`): `replicas` is
    /// then the target followed by the removing replicas (`PartitionReassignmentReplicas`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub adding_replicas: Vec<BrokerId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removing_replicas: Vec<BrokerId>,
    /// Metadata-log offset of the change that produced this state.
    pub offset: u64,
}

/// The controller's record of one broker (kafka-model §2.3, `BrokerRegistrationRecord` and changes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokerRegistration {
    pub broker: BrokerId,
    pub rack: String,
    pub broker_epoch: BrokerEpoch,
    pub fenced: bool,
    pub in_controlled_shutdown: bool,
    pub offset: u64,
}

/// A `ConfigRecord` of a topic's `min.insync.replicas` (the one topic setting brokers act on):
/// brokers apply a change only once they replicate it (kafka-model §2.3.8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicConfigRecord {
    pub topic: TopicIdx,
    pub min_insync_replicas: u32,
    pub offset: u64,
}

/// What a broker learns from the metadata log in one go: every record past `from_offset` up to
/// `to_offset`. A broker whose own offset is behind `from_offset` missed something and must not claim
/// to have caught up to `to_offset` (it still applies the records, each of which is a full state).
#[derive(Clone, Debug, Default)]
pub struct MetadataDelta {
    pub from_offset: u64,
    pub to_offset: u64,
    pub partitions: Vec<PartitionRecord>,
    pub brokers: Vec<BrokerRegistration>,
    pub configs: Vec<TopicConfigRecord>,
}

impl MetadataDelta {
    pub fn is_empty(&self) -> bool {
        self.partitions.is_empty() && self.brokers.is_empty() && self.configs.is_empty()
    }
}

/// A broker's (possibly stale) copy of the metadata (kafka-model §2.4 `metadataImage`).
#[derive(Clone, Debug, Default)]
pub struct MetadataImage {
    pub offset: u64,
    /// Indexed by `PartitionIdx`.
    pub partitions: Vec<Option<PartitionRecord>>,
    pub brokers: super::Map<BrokerId, BrokerRegistration>,
    /// The last topic config change replicated, per topic.
    pub configs: super::Map<TopicIdx, TopicConfigRecord>,
}

impl MetadataImage {
    pub fn partition(&self, p: PartitionIdx) -> Option<&PartitionRecord> {
        self.partitions.get(p.0 as usize).and_then(|r| r.as_ref())
    }

    /// Applies a delta and returns the partitions whose state changed. Records older than what the
    /// image holds are ignored, so deltas may arrive out of order.
    pub fn apply(&mut self, delta: &MetadataDelta) -> Vec<PartitionIdx> {
        let mut changed = Vec::new();
        for record in &delta.partitions {
            let i = record.partition.0 as usize;
            if self.partitions.len() <= i {
                self.partitions.resize(i + 1, None);
            }
            let slot = &mut self.partitions[i];
            if slot.as_ref().is_none_or(|old| old.offset < record.offset) {
                *slot = Some(record.clone());
                changed.push(record.partition);
            }
        }
        for reg in &delta.brokers {
            let newer = self.brokers.get(&reg.broker).is_none_or(|old| old.offset < reg.offset);
            if newer {
                self.brokers.insert(reg.broker, reg.clone());
            }
        }
        for record in &delta.configs {
            if self.configs.get(&record.topic).is_none_or(|old| old.offset < record.offset) {
                self.configs.insert(record.topic, record.clone());
            }
        }
        if delta.from_offset <= self.offset {
            self.offset = self.offset.max(delta.to_offset);
        }
        changed
    }

    /// Whether the image says `broker` may join an ISR with `broker_epoch` (KIP-841, KIP-903).
    pub fn is_isr_eligible(&self, broker: BrokerId, broker_epoch: BrokerEpoch) -> bool {
        self.brokers
            .get(&broker)
            .is_some_and(|r| !r.fenced && !r.in_controlled_shutdown && r.broker_epoch == broker_epoch)
    }
}
