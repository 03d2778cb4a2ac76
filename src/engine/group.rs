//! Consumer groups (kafka-model §6.3, §6.4): where a group's coordinator is, what a consumer and
//! its coordinator say to each other (the classic protocol: FindCoordinator, JoinGroup, SyncGroup,
//! Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch), and the `range` assignor. A leaf module: the
//! coordinator's side is `broker/group_coordinator.rs`, the member's `consumer/membership.rs`.

use super::ids::*;

/// Kafka's internal topic of committed offsets and group metadata (`Topic.GROUP_METADATA_TOPIC_NAME`).
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";
/// `offsets.topic.num.partitions`: Kafka's default is 50; the playground draws 3, so that a
/// cluster of a few brokers shows its coordinators spread over them.
pub const OFFSETS_TOPIC_NUM_PARTITIONS: u32 = 3;
/// `offsets.topic.replication.factor` (3), capped by the brokers the cluster has.
pub const OFFSETS_TOPIC_REPLICATION_FACTOR: u32 = 3;
/// `heartbeat.interval.ms`, `session.timeout.ms`, `max.poll.interval.ms` (also the classic
/// rebalance timeout), `auto.commit.interval.ms` (kafka-model §1.3) and the broker's
/// `group.initial.rebalance.delay.ms`: Kafka's defaults.
pub const HEARTBEAT_INTERVAL_MS: Millis = 3_000;
pub const SESSION_TIMEOUT_MS: Millis = 45_000;
pub const MAX_POLL_INTERVAL_MS: Millis = 300_000;
pub const AUTO_COMMIT_INTERVAL_MS: Millis = 5_000;
pub const GROUP_INITIAL_REBALANCE_DELAY_MS: Millis = 3_000;

/// Java's `String.hashCode` (over UTF-16 code units, wrapping `int` arithmetic).
pub fn java_string_hash(s: &str) -> i32 {
    let mut h: i32 = 0;
    for unit in s.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(i32::from(unit));
    }
    h
}

/// The `__consumer_offsets` partition of a group: `Utils.abs(groupId.hashCode) % offsets.topic.num.partitions`
/// (`GroupMetadataManager.partitionFor`, `GroupCoordinatorService.partitionFor`; `Utils.abs` maps
/// `Integer.MIN_VALUE` to 0), kafka-model §6.4.
pub fn partition_for(group: &str, partitions: u32) -> u32 {
    let h = java_string_hash(group);
    let abs = if h == i32::MIN { 0 } else { h.unsigned_abs() };
    abs % partitions
}

/// A partition assignor of `partition.assignment.strategy` (kafka-model §6.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Assignor {
    Range,
    CooperativeSticky,
}

impl Assignor {
    pub fn as_str(self) -> &'static str {
        match self {
            Assignor::Range => "range",
            Assignor::CooperativeSticky => "cooperative-sticky",
        }
    }
}

/// The default `partition.assignment.strategy` since 3.0: `[RangeAssignor, CooperativeStickyAssignor]`.
pub const DEFAULT_ASSIGNORS: [Assignor; 2] = [Assignor::Range, Assignor::CooperativeSticky];

/// Where a classic group is (`GroupState`: Empty, PreparingRebalance, CompletingRebalance, Stable).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
}

impl GroupState {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
        }
    }
}

/// The protocol every member supports with the most votes, each member voting for the first of
/// its list the others all support (`ClassicGroup.selectProtocol`; ties to the first candidate in
/// the order of `candidates`).
pub fn select_protocol(lists: &[&[Assignor]]) -> Option<Assignor> {
    let first = *lists.first()?;
    let candidates: Vec<Assignor> = first.iter().copied().filter(|a| lists.iter().all(|l| l.contains(a))).collect();
    let mut best: Option<(Assignor, usize)> = None;
    for c in &candidates {
        let votes = lists.iter().filter(|l| l.iter().find(|a| candidates.contains(a)) == Some(c)).count();
        if best.is_none_or(|(_, v)| votes > v) {
            best = Some((*c, votes));
        }
    }
    best.map(|(a, _)| a)
}

/// `RangeAssignor` for one topic: members sorted by member id, partitions in numeric order, each
/// member a contiguous range, the first `P mod C` members one more (kafka-model §6.4).
pub fn range_assign(members: &[String], partitions: &[PartitionIdx]) -> Vec<(String, Vec<PartitionIdx>)> {
    let mut sorted: Vec<&String> = Vec::with_capacity(members.len());
    for m in members {
        let at = sorted.partition_point(|s| *s < m);
        sorted.insert(at, m);
    }
    let (n, c) = (partitions.len(), sorted.len().max(1));
    let (per, extra) = (n / c, n % c);
    let mut next = 0;
    let mut out = Vec::with_capacity(sorted.len());
    for (i, m) in sorted.into_iter().enumerate() {
        let take = per + usize::from(i < extra);
        out.push((m.clone(), partitions[next..next + take].to_vec()));
        next += take;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coordinator_partition_is_java_hash_code_modulo_the_partition_count() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("ab"), 97 * 31 + 98);
        // "polygenelubricants".hashCode() == Integer.MIN_VALUE: Utils.abs maps it to 0.
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        assert_eq!(partition_for("polygenelubricants", 50), 0);
        assert_eq!(partition_for("ab", 50), ((97 * 31 + 98) % 50) as u32);
    }

    #[test]
    fn range_gives_the_first_members_by_id_one_partition_more() {
        let parts: Vec<PartitionIdx> = (0..5).map(PartitionIdx).collect();
        let got = range_assign(&["c2".into(), "c1".into()], &parts);
        assert_eq!(got[0], ("c1".to_string(), vec![PartitionIdx(0), PartitionIdx(1), PartitionIdx(2)]));
        assert_eq!(got[1], ("c2".to_string(), vec![PartitionIdx(3), PartitionIdx(4)]));
    }

    #[test]
    fn the_default_list_on_every_member_votes_range() {
        let lists: [&[Assignor]; 2] = [&DEFAULT_ASSIGNORS, &DEFAULT_ASSIGNORS];
        assert_eq!(select_protocol(&lists), Some(Assignor::Range));
        let rolling: [&[Assignor]; 2] = [&[Assignor::CooperativeSticky, Assignor::Range], &DEFAULT_ASSIGNORS];
        // One vote each: the tie goes to the first member's first choice.
        assert_eq!(select_protocol(&rolling), Some(Assignor::CooperativeSticky));
    }
}
