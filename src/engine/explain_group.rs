//! Consumer groups' events in Kafka's words (kafka-model §6.3, §6.4), beside `explain.rs`.

use super::catalog::Catalog;
use super::event::EventKind;
use super::ids::*;
use super::message::ErrorCode;

fn partitions(catalog: &Catalog, ps: &[PartitionIdx]) -> String {
    if ps.is_empty() {
        return "no partitions".into();
    }
    let names: Vec<String> = ps.iter().map(|p| catalog.partition_name(*p)).collect();
    names.join(", ")
}

/// What a member does after a coordinator's error (`ConsumerCoordinator`, `AbstractCoordinator`).
fn after(error: ErrorCode) -> &'static str {
    match error {
        ErrorCode::RebalanceInProgress => "the group is rebalancing: the member rejoins (JoinGroup)",
        ErrorCode::IllegalGeneration => {
            "its generation is over: it loses its partitions (no commit) and rejoins with the same member id"
        }
        ErrorCode::UnknownMemberId => {
            "the coordinator no longer knows the member: it loses its partitions (no commit) and joins as a new member"
        }
        ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => {
            "it marks the coordinator unknown and looks it up again (FindCoordinator)"
        }
        _ => "it retries",
    }
}

pub fn explain_group(catalog: &Catalog, kind: &EventKind) -> String {
    use EventKind::*;
    let consumer = |c: &ClientIdx| catalog.consumers.get(c.0 as usize).cloned().unwrap_or_default();
    match kind {
        GroupRebalanceStarted { broker, group, generation, reason } => format!(
            "coordinator {broker}: group {group} prepares a rebalance after generation {generation} ({reason}); \
             members learn it from REBALANCE_IN_PROGRESS and must rejoin"
        ),
        GroupJoinCompleted { broker, group, generation, leader, protocol, members } => format!(
            "coordinator {broker}: group {group} starts generation {generation} with {members} member(s); leader \
             {leader} runs the {} assignor, chosen by the members' vote, and sends the assignment in SyncGroup",
            protocol.as_str()
        ),
        GroupStabilized { broker, group, generation } => format!(
            "coordinator {broker}: the leader's SyncGroup gave every member of group {group} its partitions; \
             generation {generation} is Stable"
        ),
        GroupMemberRemoved { broker, group, member, why } => {
            format!("coordinator {broker} removed member {member} from group {group}: {why}")
        }
        OffsetsCommitted { broker, group, consumer: c, offsets } => {
            let list: Vec<String> =
                offsets.iter().map(|(p, o)| format!("{} at {o}", catalog.partition_name(*p))).collect();
            format!(
                "coordinator {broker} committed {}'s offsets for group {group} ({}): the __consumer_offsets record \
                 is replicated (below that partition's high watermark)",
                consumer(c),
                list.join(", ")
            )
        }
        GroupCoordinatorFound { consumer: c, group, broker } => format!(
            "consumer {} found the coordinator of group {group}: broker {broker}, leader of its __consumer_offsets \
             partition",
            consumer(c)
        ),
        GroupCoordinatorLost { consumer: c, group, broker, error } => {
            let why = match error {
                Some(e) => format!("{e}"),
                None => "the connection failed".to_string(),
            };
            format!(
                "consumer {} lost the coordinator of group {group} (broker {broker}: {why}); it looks it up again \
                 (FindCoordinator)",
                consumer(c)
            )
        }
        GroupRequestFailed { consumer: c, group, request, error } => {
            format!("consumer {}'s {request} in group {group} got {error}: {}", consumer(c), after(*error))
        }
        PartitionsAssigned { consumer: c, group, generation, partitions: ps } => format!(
            "consumer {} was assigned {} in group {group}, generation {generation}; it reads each from its \
             committed offset (OffsetFetch), else auto.offset.reset",
            consumer(c),
            partitions(catalog, ps)
        ),
        PartitionsRevoked { consumer: c, group, partitions: ps, lost: false } => format!(
            "consumer {} revoked {} in group {group} before rejoining: in an eager rebalance every member \
             gives up its partitions (onPartitionsRevoked)",
            consumer(c),
            partitions(catalog, ps)
        ),
        PartitionsRevoked { consumer: c, group, partitions: ps, .. } => format!(
            "consumer {} lost {} in group {group} without committing (onPartitionsLost): another member may \
             already own them",
            consumer(c),
            partitions(catalog, ps)
        ),
        ConsumerStartedFrom { consumer: c, partition, committed: Some(o) } => format!(
            "consumer {} starts {} at its committed offset {o}: records after the last commit are delivered again \
             (at-least-once)",
            consumer(c),
            catalog.partition_name(*partition)
        ),
        ConsumerStartedFrom { consumer: c, partition, committed: None } => format!(
            "consumer {} has no committed offset for {}: auto.offset.reset decides where it starts",
            consumer(c),
            catalog.partition_name(*partition)
        ),
        ConsumerCrashed { consumer: c } => format!(
            "consumer {} crashed: no LeaveGroup, no commit; the coordinator notices after session.timeout.ms (45 s)",
            consumer(c)
        ),
        ConsumerStoppedPolling { consumer: c } => format!(
            "consumer {}'s application stopped calling poll(): its heartbeat thread goes on until \
             max.poll.interval.ms (5 min) passes",
            consumer(c)
        ),
        ConsumerPollTimeout { consumer: c, group } => format!(
            "consumer {}: no poll() within max.poll.interval.ms, so its heartbeat thread leaves group {group} \
             (LeaveGroup) and its partitions move",
            consumer(c)
        ),
        _ => String::new(),
    }
}
