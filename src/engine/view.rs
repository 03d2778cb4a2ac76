//! The plain-data view of the whole cluster that renderers read (the page draws it, the runner prints
//! it). Public fields only, no behaviour: the engine builds it, nobody writes back.

pub use super::broker::ProcessState;
use super::config::Acks;
use super::consumer::FetchState;
use super::ids::*;
use super::invariant::Invariant;
use super::message::MessageKind;
use super::metadata::LeaderRecoveryState;
pub use super::network::LinkCutView;
pub use super::producer::SendStatus;
use serde::Serialize;

/// How much detail to put in a view: the page asks for less at 1,000 partitions.
#[derive(Clone, Copy, Debug)]
pub struct ViewOptions {
    /// Log entries kept per replica, newest last (0 = none).
    pub log_tail: usize,
    /// Whole logs instead of a tail (the runner's final state).
    pub full_logs: bool,
    /// In-flight messages listed, soonest arrival first.
    pub in_flight_max: usize,
    /// Send outcomes and received records listed per client, newest last.
    pub client_history: usize,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions { log_tail: 16, full_logs: false, in_flight_max: 256, client_history: 32 }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ClusterView {
    pub now_ms: Millis,
    pub controller: ControllerView,
    pub brokers: Vec<BrokerView>,
    pub topics: Vec<TopicView>,
    pub partitions: Vec<PartitionView>,
    pub producers: Vec<ProducerView>,
    pub consumers: Vec<ConsumerView>,
    /// Consumer groups as their coordinators hold them (kafka-model §6.4).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupView>,
    pub links_cut: Vec<LinkCutView>,
    pub in_flight: Vec<InFlightView>,
    pub safety: SafetyView,
    /// `seq` of the next event the engine will emit.
    pub next_event_seq: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ControllerView {
    pub metadata_offset: u64,
    /// When the controller's periodic unclean-election sweep runs next (`unclean.leader.election.interval.ms`,
    /// kafka-model §4.8): scheduled while any topic allows unclean election.
    pub next_unclean_sweep_ms: Option<Millis>,
    /// The controller quorum (kafka-model §2.2): its voters by `node.id`, in order.
    pub voters: Vec<VoterView>,
    /// The Raft epoch of the active controller (or of the last one).
    pub epoch: u32,
    /// No majority of voters can reach each other: nothing can be committed.
    pub quorum_lost: bool,
    /// Voters run combined with brokers (`process.roles=broker,controller`).
    pub combined: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct VoterView {
    pub id: u32,
    pub running: bool,
    /// The active controller: the Raft leader, committing with a majority.
    pub active: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct BrokerView {
    pub id: BrokerId,
    pub rack: String,
    pub process: ProcessState,
    /// As the controller sees it (kafka-model §2.3).
    pub fenced: bool,
    pub in_controlled_shutdown: bool,
    pub broker_epoch: Option<BrokerEpoch>,
    pub last_heartbeat_ms: Option<Millis>,
    pub metadata_offset: u64,
    /// Its followers' fetching is stalled (slow replica).
    pub stalled: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct TopicView {
    pub name: String,
    pub partitions: Vec<PartitionIdx>,
    pub replication_factor: u32,
    pub min_insync_replicas: u32,
    pub unclean_leader_election_enable: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct PartitionView {
    pub idx: PartitionIdx,
    pub topic: String,
    pub partition: u32,
    /// `orders-0`.
    pub name: String,
    /// The controller's committed state (kafka-model §2.4).
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub leader_epoch: LeaderEpoch,
    pub partition_epoch: PartitionEpoch,
    pub leader_recovery_state: LeaderRecoveryState,
    /// Eligible Leader Replicas and the last known leader (kafka-model §4.9); empty with the feature
    /// off, and then left out of the JSON view.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub elr: Vec<BrokerId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub last_known_elr: Vec<BrokerId>,
    /// A reassignment in progress (KIP-455): the replicas it adds and removes; empty otherwise, and
    /// then left out of the JSON view.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub adding_replicas: Vec<BrokerId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removing_replicas: Vec<BrokerId>,
    /// What the committed leader and ISR mean for clients (the engine decides; renderers read it).
    pub health: PartitionHealth,
    /// The replicas as each broker holds them, in `replicas` order.
    pub replica_states: Vec<ReplicaView>,
}

/// A partition's health from the controller's committed leader and ISR, worst first: the classes of
/// `kafka-topics.sh --describe` (`--unavailable-partitions`, `--under-min-isr-partitions`,
/// `--under-replicated-partitions`) and of the broker metrics `OfflinePartitionsCount`,
/// `UnderMinIsrPartitionCount` and `UnderReplicatedPartitions`. A partition has the first that fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionHealth {
    /// No leader: neither produce nor fetch is served (kafka-model §3.2: leader -1).
    Offline,
    /// A leader, but an ISR smaller than the effective `min.insync.replicas` (the topic's, at most
    /// its replication factor): `acks=all` produces are refused with `NOT_ENOUGH_REPLICAS` and the HW
    /// holds (kafka-model §4.6); `acks=0/1` are still accepted.
    UnderMinIsr,
    /// A leader and enough in-sync replicas for `acks=all`, but an ISR smaller than the replicas.
    UnderReplicated,
    /// A leader and every replica in the ISR.
    Healthy,
}

impl PartitionHealth {
    /// Every health, from the best to the worst (the order of a legend).
    pub const ALL: [PartitionHealth; 4] = [
        PartitionHealth::Healthy,
        PartitionHealth::UnderReplicated,
        PartitionHealth::UnderMinIsr,
        PartitionHealth::Offline,
    ];

    /// Has a leader and an ISR smaller than its replicas (under min ISR is also under-replicated), as
    /// `UnderReplicatedPartitions` counts.
    pub fn is_under_replicated(self) -> bool {
        matches!(self, PartitionHealth::UnderMinIsr | PartitionHealth::UnderReplicated)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaRole {
    Leader,
    Follower,
    /// A running broker's replica of a partition that has no leader: a follower with nobody to fetch
    /// from (Kafka's `makeFollower` with leader -1, kafka-model §3.4). The partition is offline; the
    /// replica is not.
    NoLeader,
    /// The broker is down, or has not yet caught up on the partition's metadata.
    Offline,
}

impl ReplicaRole {
    /// The role in a word or two, as the diagram, the panels and the runner say it.
    pub fn word(self) -> &'static str {
        match self {
            ReplicaRole::Leader => "leader",
            ReplicaRole::Follower => "follower",
            ReplicaRole::NoLeader => "no leader",
            ReplicaRole::Offline => "offline",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ReplicaView {
    pub broker: BrokerId,
    pub role: ReplicaRole,
    /// The first offset a reader may fetch: retention moves it forward (kafka-model §3.3).
    pub log_start_offset: Offset,
    pub log_end_offset: Offset,
    pub high_watermark: Offset,
    /// The leader epoch this replica knows (its metadata).
    pub leader_epoch: LeaderEpoch,
    /// In the controller's ISR.
    pub in_isr: bool,
    /// In the controller's ELR (kafka-model §4.9).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_elr: bool,
    /// The offsets `[from, to)` its log lost in the broker's last power loss (kafka-model §3.9).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub power_lost: Option<(Offset, Offset)>,
    /// Leader only: the ISR it acts on (committed plus any member being added, kafka-model §4.5).
    pub maximal_isr: Option<Vec<BrokerId>>,
    /// Leader only: leader epoch start offset.
    pub leader_epoch_start_offset: Option<Offset>,
    /// From the leader's follower state, for followers (kafka-model §4.1): when it last caught up;
    /// `None` on the leader, when no leader knows, or when the follower never caught up in this
    /// leader's epoch (then `caught_up` is `Some(false)` unless its LEO equals the leader's).
    pub last_caught_up_ms: Option<Millis>,
    /// The leader's `isCaughtUp` of this follower; `None` on the leader or when no leader knows.
    pub caught_up: Option<bool>,
    /// Requests parked at this replica's broker for the partition: acks=all produces waiting for
    /// the high watermark (kafka-model §4.6), and fetches waiting for data (§3.4).
    pub parked_produces: u32,
    pub parked_fetches: u32,
    pub epoch_cache: Vec<(LeaderEpoch, Offset)>,
    /// Entries before this index were left out of `log`.
    pub log_omitted: usize,
    pub log: Vec<LogEntryView>,
}

impl ReplicaView {
    /// The leader epoch of the record at `offset`, if the view's log tail holds it (the diagram and
    /// the runner's SVG colour a log strip by epoch).
    pub fn leader_epoch_at(&self, offset: Offset) -> Option<LeaderEpoch> {
        let first = self.log.first()?.offset;
        let i = usize::try_from(offset.checked_sub(first)?).ok()?;
        self.log
            .get(i)
            .filter(|e| e.offset == offset)
            .map(|e| e.leader_epoch)
            .or_else(|| self.log.iter().find(|e| e.offset == offset).map(|e| e.leader_epoch))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct LogEntryView {
    pub offset: Offset,
    pub leader_epoch: LeaderEpoch,
    pub key: Option<String>,
    pub value: String,
    pub record_id: RecordId,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProducerView {
    pub idx: ClientIdx,
    pub name: String,
    /// The current instance's `acks` and effective idempotence (`enable.idempotence`, or Kafka's
    /// default for the `acks`); `reconfigure_producer` changes them.
    pub acks: Acks,
    pub enable_idempotence: bool,
    pub producer_id: u64,
    pub producer_epoch: u16,
    pub sends_total: usize,
    pub acked_records: u64,
    pub failed_records: u64,
    pub pending_records: u64,
    pub sends: Vec<SendView>,
    /// Brokers it has requests in flight to.
    pub talking_to: Vec<BrokerId>,
}

/// One batch of `producer.send` calls and what became of it.
#[derive(Clone, Debug, Serialize)]
pub struct SendView {
    pub send: usize,
    pub partition: PartitionIdx,
    pub partition_name: String,
    pub count: u32,
    pub first_record_id: RecordId,
    pub key: Option<String>,
    pub value: String,
    /// The `acks` of the producer instance that created it (kept across `reconfigure_producer`).
    pub acks: Acks,
    /// The producer id it carries once stamped (idempotent instances only, kafka-model §5.6).
    pub producer_id: Option<u64>,
    pub created_ms: Millis,
    pub status: SendStatus,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConsumerView {
    pub idx: ClientIdx,
    pub name: String,
    pub client_rack: String,
    pub partitions: Vec<ConsumerPartitionView>,
    pub received_total: u64,
    pub received: Vec<ReceivedView>,
    pub talking_to: Vec<BrokerId>,
    /// Its group membership, as the member sees it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupMemberView>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub crashed: bool,
}

/// A consumer's side of its group.
#[derive(Clone, Debug, Serialize)]
pub struct GroupMemberView {
    pub group: String,
    pub member_id: String,
    pub generation: Option<u32>,
    /// "Stable", "Joining", … ([`MemberState::as_str`](super::consumer::MemberState)).
    pub state: &'static str,
    pub coordinator: Option<BrokerId>,
    pub assigned: Vec<PartitionIdx>,
    pub polling: bool,
}

/// A group as its coordinator holds it.
#[derive(Clone, Debug, Serialize)]
pub struct GroupView {
    pub group: String,
    pub coordinator: BrokerId,
    /// `ClassicGroup`'s state: "Empty", "PreparingRebalance", "CompletingRebalance", "Stable".
    pub state: &'static str,
    pub generation: u32,
    pub leader: Option<String>,
    /// Member id, consumer, and the partitions the coordinator assigned it.
    pub members: Vec<(String, ClientIdx, Vec<PartitionIdx>)>,
    pub offsets: Vec<GroupOffsetView>,
}

/// A committed offset and the lag behind the partition's high watermark (`kafka-consumer-groups.sh
/// --describe`: CURRENT-OFFSET, LOG-END-OFFSET, LAG).
#[derive(Clone, Debug, Serialize)]
pub struct GroupOffsetView {
    pub partition: PartitionIdx,
    pub partition_name: String,
    pub committed: Offset,
    /// The leader's high watermark, if the partition has a leader.
    pub high_watermark: Option<Offset>,
    pub lag: Option<u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConsumerPartitionView {
    pub partition: PartitionIdx,
    pub partition_name: String,
    /// Next offset to read; `None` until a reset resolved it.
    pub position: Option<Offset>,
    /// Fetching, awaiting a reset or a validation, or the exception `poll` throws (kafka-model §6.3).
    pub fetch_state: FetchState,
    pub leader: Option<BrokerId>,
    /// KIP-392 preferred read replica and when its lease ends.
    pub preferred_read_replica: Option<(BrokerId, Millis)>,
    /// Where the next fetch goes.
    pub fetching_from: Option<BrokerId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReceivedView {
    pub partition: PartitionIdx,
    pub offset: Offset,
    pub key: Option<String>,
    pub value: String,
    pub record_id: RecordId,
    pub from_broker: BrokerId,
    pub at_ms: Millis,
}

#[derive(Clone, Debug, Serialize)]
pub struct InFlightView {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: MessageKind,
    pub sent_ms: Millis,
    pub arrives_ms: Millis,
}

#[derive(Clone, Debug, Serialize)]
pub struct SafetyView {
    pub invariants: Vec<InvariantView>,
    /// Acknowledged records that no replica will ever serve again, newest last.
    pub losses: Vec<LossView>,
    /// `acks=0` records that never reached a leader, so have no offset to list.
    pub acks0_dropped: u64,
    pub unexpected_violations: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct InvariantView {
    pub invariant: Invariant,
    pub name: &'static str,
    pub description: &'static str,
    pub violations: u64,
    pub expected_violations: u64,
    /// Explanation of the newest violation.
    pub last_violation: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LossView {
    pub at_ms: Millis,
    pub partition: PartitionIdx,
    pub partition_name: String,
    pub first_offset: Offset,
    pub last_offset: Offset,
    pub count: u32,
    pub acks: Acks,
    pub cause: String,
    /// Loss that Kafka's guarantees do not allow (acks=all with ISR >= min.insync.replicas, clean elections).
    pub unexpected: bool,
}
