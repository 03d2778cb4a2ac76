//! Adding brokers and partition reassignment (KIP-455, `kafka-reassign-partitions.sh`): the
//! controller's refusals and the sentences of their events, in Kafka's words. A leaf module: the
//! controller, the events and the explanations all read it.

use super::ids::BrokerId;
use super::message::ErrorCode;
use serde::Serialize;

/// Why the controller refused one partition of an AlterPartitionReassignments request
/// (`ReplicationControlManager.alterPartitionReassignment`, `validateManualPartitionAssignment`,
/// `cancelPartitionReassignment`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "broker")]
pub enum ReassignmentRefusal {
    EmptyList,
    NotRegistered(BrokerId),
    Duplicate(BrokerId),
    NoReassignmentInProgress,
    /// Every ISR member is a replica the reassignment is adding: reverting needs an unclean election.
    RevertNeedsUncleanElection,
}

impl ReassignmentRefusal {
    pub fn error(self) -> ErrorCode {
        match self {
            ReassignmentRefusal::NoReassignmentInProgress => ErrorCode::NoReassignmentInProgress,
            _ => ErrorCode::InvalidReplicaAssignment,
        }
    }

    /// Kafka's message for it.
    fn message(self, partition: &str) -> String {
        match self {
            ReassignmentRefusal::EmptyList => "The manual partition assignment includes an empty replica list.".into(),
            ReassignmentRefusal::NotRegistered(b) => {
                format!("The manual partition assignment includes broker {b}, but no such broker is registered.")
            }
            ReassignmentRefusal::Duplicate(b) => {
                format!("The manual partition assignment includes the broker {b} more than once.")
            }
            ReassignmentRefusal::NoReassignmentInProgress => "No partition reassignment is in progress.".into(),
            ReassignmentRefusal::RevertNeedsUncleanElection => format!(
                "Unable to revert partition assignment for {partition} because it would require an unclean leader \
                 election."
            ),
        }
    }
}

fn list(brokers: &[BrokerId]) -> String {
    let ids: Vec<String> = brokers.iter().map(|b| b.to_string()).collect();
    format!("[{}]", ids.join(", "))
}

pub fn broker_added(broker: BrokerId, rack: &str) -> String {
    let rack = if rack.is_empty() { String::new() } else { format!(" (broker.rack={rack})") };
    format!(
        "broker {broker}{rack} joined the cluster: it registers with the controller, starts fenced and is unfenced \
         once it has caught up on the metadata log; no partition moves to it until a reassignment puts replicas there"
    )
}

pub fn started(partition: &str, target: &[BrokerId], adding: &[BrokerId], removing: &[BrokerId]) -> String {
    let mut line = format!(
        "reassignment of {partition} to {} started (kafka-reassign-partitions.sh --execute): replicas are the target \
         plus the current ones",
        list(target)
    );
    if !adding.is_empty() {
        line += &format!("; adding {} fetch from the leader and must join the ISR", list(adding));
    }
    if !removing.is_empty() {
        line += &format!("; removing {} leave once every target replica is in sync", list(removing));
    }
    line
}

pub fn completed(partition: &str, replicas: &[BrokerId], removed: &[BrokerId], leader: Option<BrokerId>) -> String {
    let mut line = format!(
        "reassignment of {partition} completed: every target replica is in the ISR, so the controller sets replicas to \
         {}",
        list(replicas)
    );
    if !removed.is_empty() {
        line += &format!("; {} left the replicas and the ISR, stop and delete their logs", list(removed));
    }
    if let Some(l) = leader {
        line += &format!("; leader {l}");
    }
    line
}

pub fn cancelled(partition: &str, replicas: &[BrokerId], removed: &[BrokerId]) -> String {
    let mut line = format!(
        "reassignment of {partition} cancelled (kafka-reassign-partitions.sh --cancel): replicas are back to {}",
        list(replicas)
    );
    if !removed.is_empty() {
        line += &format!("; the adding replicas {} leave and delete their logs", list(removed));
    }
    line
}

pub fn refused(partition: &str, refusal: ReassignmentRefusal) -> String {
    format!("AlterPartitionReassignments for {partition}: {}: {}", refusal.error(), refusal.message(partition))
}

pub fn replica_deleted(broker: BrokerId, partition: &str) -> String {
    format!(
        "broker {broker} is no longer a replica of {partition} (reassigned away): it stops the replica and deletes its \
         log"
    )
}
