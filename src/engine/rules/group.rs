//! The rules of `join_group`: a group id is a name, the topic exists, and the first group's
//! `__consumer_offsets` fits the playground's replica bound (kafka-model §6.4). The group commands
//! that name only a consumer need that consumer, as every consumer command.

use super::{check_name, fail, thousands, Ledger, TopicShape};
use crate::engine::command::JoinGroup;
use crate::engine::error::CommandError;
use crate::engine::group::{OFFSETS_TOPIC, OFFSETS_TOPIC_NUM_PARTITIONS, OFFSETS_TOPIC_REPLICATION_FACTOR};
use crate::engine::limits::LIMITS;

/// The refusal of `__consumer_offsets` where a command names a topic.
pub(super) const INTERNAL_TOPIC: &str =
    "__consumer_offsets is Kafka's internal topic of committed offsets: the cluster creates it for the first group";

/// `__consumer_offsets` in a cluster of `brokers`.
fn offsets_topic_shape(brokers: usize) -> TopicShape {
    let replication_factor = OFFSETS_TOPIC_REPLICATION_FACTOR.min(brokers as u32);
    TopicShape { partitions: OFFSETS_TOPIC_NUM_PARTITIONS, replication_factor }
}

impl Ledger {
    /// A group id is a name; the topic exists. The first group adds `__consumer_offsets` to the
    /// budget: `offsets.topic.num.partitions` × `offsets.topic.replication.factor` (capped by the
    /// brokers) replicas.
    pub(super) fn check_join_group(&self, j: &JoinGroup) -> Result<Option<(String, TopicShape)>, CommandError> {
        self.consumer(&j.consumer, "consumer")?;
        check_name("group id", &j.group).or_else(|reason| fail("group", reason))?;
        self.topic(&j.topic, "topic")?;
        if self.topics.iter().any(|(n, _)| n == OFFSETS_TOPIC) {
            return Ok(None);
        }
        let shape = offsets_topic_shape(self.brokers.len());
        let replicas = self.replicas + shape.partitions as u64 * shape.replication_factor as u64;
        if replicas > LIMITS.replicas_max {
            let max = thousands(LIMITS.replicas_max);
            return fail(
                "group",
                format!("the first group creates {OFFSETS_TOPIC}, past the {max} replicas the playground holds"),
            );
        }
        Ok(Some((OFFSETS_TOPIC.to_string(), shape)))
    }
}
