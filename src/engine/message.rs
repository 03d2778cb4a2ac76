//! Everything one node sends another. Requests carry a `request_id` chosen by the sender so that it can
//! match the response or give up on it after its timeout.

use super::config::Acks;
use super::group::Assignor;
use super::ids::*;
use super::log::Batch;
use super::metadata::{MetadataDelta, PartitionRecord};
use std::rc::Rc;

/// Kafka error codes the model produces (`Errors.java`, kafka-model §5.4, §4.5, §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    OffsetOutOfRange,
    LeaderNotAvailable,
    NotLeaderOrFollower,
    RequestTimedOut,
    NetworkException,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    OutOfOrderSequenceNumber,
    FencedLeaderEpoch,
    UnknownLeaderEpoch,
    InvalidUpdateVersion,
    InvalidRequest,
    IneligibleReplica,
    UnknownTopicOrPartition,
    OffsetNotAvailable,
    /// The client gave up: `delivery.timeout.ms` expired (`TimeoutException` in the application).
    DeliveryTimeout,
    DuplicateBrokerRegistration,
    StaleBrokerEpoch,
    /// ElectLeaders (kafka-model §3.8): the partition already has the leader the election would give it.
    ElectionNotNeeded,
    /// ElectLeaders PREFERRED: `replicas[0]` is not in the ISR or cannot lead.
    PreferredLeaderNotAvailable,
    /// ElectLeaders UNCLEAN: no live replica to elect.
    EligibleLeadersNotAvailable,
    /// AlterPartitionReassignments (KIP-455): a target list that is empty, repeats a broker or names
    /// one that is not registered, or a cancel that would need an unclean election.
    InvalidReplicaAssignment,
    /// AlterPartitionReassignments: a cancel for a partition with no reassignment in progress.
    NoReassignmentInProgress,
    /// AlterPartition: applied, but it completed a reassignment that moved the leadership away.
    NewLeaderElected,
    /// Consumer groups (kafka-model §6.4).
    CoordinatorNotAvailable,
    NotCoordinator,
    IllegalGeneration,
    UnknownMemberId,
    RebalanceInProgress,
}

impl ErrorCode {
    /// The numeric code of `Errors.java`; client-side conditions have none.
    pub fn code(self) -> Option<i16> {
        Some(match self {
            ErrorCode::OffsetOutOfRange => 1,
            ErrorCode::LeaderNotAvailable => 5,
            ErrorCode::NotLeaderOrFollower => 6,
            ErrorCode::RequestTimedOut => 7,
            ErrorCode::NetworkException => 13,
            ErrorCode::NotEnoughReplicas => 19,
            ErrorCode::NotEnoughReplicasAfterAppend => 20,
            ErrorCode::OutOfOrderSequenceNumber => 45,
            ErrorCode::FencedLeaderEpoch => 74,
            ErrorCode::UnknownLeaderEpoch => 75,
            ErrorCode::InvalidUpdateVersion => 95,
            ErrorCode::InvalidRequest => 42,
            ErrorCode::IneligibleReplica => 107,
            ErrorCode::UnknownTopicOrPartition => 3,
            ErrorCode::OffsetNotAvailable => 78,
            ErrorCode::DuplicateBrokerRegistration => 101,
            ErrorCode::StaleBrokerEpoch => 77,
            ErrorCode::PreferredLeaderNotAvailable => 80,
            ErrorCode::EligibleLeadersNotAvailable => 83,
            ErrorCode::ElectionNotNeeded => 84,
            ErrorCode::InvalidReplicaAssignment => 39,
            ErrorCode::NoReassignmentInProgress => 85,
            ErrorCode::NewLeaderElected => 108,
            ErrorCode::CoordinatorNotAvailable => 15,
            ErrorCode::NotCoordinator => 16,
            ErrorCode::IllegalGeneration => 22,
            ErrorCode::UnknownMemberId => 25,
            ErrorCode::RebalanceInProgress => 27,
            ErrorCode::DeliveryTimeout => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            ErrorCode::LeaderNotAvailable => "LEADER_NOT_AVAILABLE",
            ErrorCode::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            ErrorCode::RequestTimedOut => "REQUEST_TIMED_OUT",
            ErrorCode::NetworkException => "NETWORK_EXCEPTION",
            ErrorCode::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            ErrorCode::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            ErrorCode::OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            ErrorCode::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            ErrorCode::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            ErrorCode::InvalidUpdateVersion => "INVALID_UPDATE_VERSION",
            ErrorCode::InvalidRequest => "INVALID_REQUEST",
            ErrorCode::IneligibleReplica => "INELIGIBLE_REPLICA",
            ErrorCode::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            ErrorCode::OffsetNotAvailable => "OFFSET_NOT_AVAILABLE",
            ErrorCode::DeliveryTimeout => "TimeoutException (delivery.timeout.ms expired)",
            ErrorCode::DuplicateBrokerRegistration => "DUPLICATE_BROKER_REGISTRATION",
            ErrorCode::StaleBrokerEpoch => "STALE_BROKER_EPOCH",
            ErrorCode::ElectionNotNeeded => "ELECTION_NOT_NEEDED",
            ErrorCode::PreferredLeaderNotAvailable => "PREFERRED_LEADER_NOT_AVAILABLE",
            ErrorCode::EligibleLeadersNotAvailable => "ELIGIBLE_LEADERS_NOT_AVAILABLE",
            ErrorCode::InvalidReplicaAssignment => "INVALID_REPLICA_ASSIGNMENT",
            ErrorCode::NoReassignmentInProgress => "NO_REASSIGNMENT_IN_PROGRESS",
            ErrorCode::NewLeaderElected => "NEW_LEADER_ELECTED",
            ErrorCode::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            ErrorCode::NotCoordinator => "NOT_COORDINATOR",
            ErrorCode::IllegalGeneration => "ILLEGAL_GENERATION",
            ErrorCode::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            ErrorCode::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An OffsetsForLeaderEpoch answer for one partition: the largest epoch at most the one asked and
/// its end offset; `Ok(None)`: below every epoch the leader knows (`UNDEFINED_EPOCH_OFFSET`).
pub type EpochEnd = Result<Option<(LeaderEpoch, Offset)>, ErrorCode>;

/// Which offset a ListOffsets asks for (`EARLIEST_TIMESTAMP`, `LATEST_TIMESTAMP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetSpec {
    Earliest,
    Latest,
}

impl OffsetSpec {
    pub fn as_str(self) -> &'static str {
        match self {
            OffsetSpec::Earliest => "earliest",
            OffsetSpec::Latest => "latest",
        }
    }
}

#[derive(Clone, Debug)]
pub struct FetchPartition {
    pub partition: PartitionIdx,
    pub current_leader_epoch: LeaderEpoch,
    pub fetch_offset: Offset,
    /// A follower's; a consumer sends none and validates its position instead (KIP-320).
    pub last_fetched_epoch: Option<LeaderEpoch>,
}

#[derive(Clone, Debug)]
pub enum FetchPartitionResult {
    Records {
        batches: Vec<Batch>,
        high_watermark: Offset,
        /// The serving replica's log start offset (kafka-model §3.6): a follower raises its own to it.
        log_start_offset: Offset,
    },
    /// `divergingEpoch` (kafka-model §3.6): the fetcher's log diverges; truncate and retry.
    Diverging {
        epoch: Option<LeaderEpoch>,
        end_offset: Offset,
    },
    /// KIP-392: fetch from this replica instead (no records).
    PreferredReadReplica {
        broker: BrokerId,
    },
    Error(ErrorCode),
    /// `OFFSET_OUT_OF_RANGE` to a follower (below the leader's log start or past its end), with the
    /// leader's earliest and latest offsets. Kafka's follower asks those next in a ListOffsets
    /// request of its own (`fetchOffsetAndTruncate`); here the fetch response answers it, one round
    /// trip sooner.
    OffsetOutOfRange {
        log_start_offset: Offset,
        log_end_offset: Offset,
    },
}

#[derive(Clone, Debug)]
pub struct PartitionLeader {
    pub partition: PartitionIdx,
    pub leader: Option<BrokerId>,
    pub leader_epoch: LeaderEpoch,
}

/// What a leader saw when it answered an `acks=all` produce with `NOT_ENOUGH_REPLICAS` or
/// `NOT_ENOUGH_REPLICAS_AFTER_APPEND` (kafka-model §5.4): the ISR it compared, and the effective
/// `min.insync.replicas` (capped at the replication factor, kafka-model §1.1). Carried to the
/// producer so its retry says why, as the leader saw it then.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct IsrShortfall {
    pub isr: Vec<BrokerId>,
    pub min_insync_replicas: u32,
}

#[derive(Clone, Debug)]
pub enum ProduceResult {
    Appended {
        base_offset: Offset,
    },
    /// `shortfall` is set exactly for the two not-enough-replicas errors.
    Error {
        error: ErrorCode,
        leader_hint: Option<PartitionLeader>,
        shortfall: Option<IsrShortfall>,
    },
}

/// A fetch (kafka-model §3.6 for followers, §6 for consumers).
#[derive(Clone, Debug)]
pub struct FetchRequest {
    pub request_id: u64,
    /// A follower's id and broker epoch; `None` for a consumer.
    pub replica: Option<(BrokerId, BrokerEpoch)>,
    /// The consumer's `client.rack` (KIP-392); empty for followers.
    pub client_rack: String,
    pub max_wait_ms: Millis,
    pub partitions: Vec<FetchPartition>,
}

/// A produce request (kafka-model §5.2, §5.3): the batches the producer drained for one broker, at
/// most one per partition (`RecordAccumulator.drain`), in partition order.
#[derive(Clone, Debug)]
pub struct ProduceRequest {
    pub request_id: u64,
    pub acks: Acks,
    pub timeout_ms: u64,
    pub partitions: Vec<(PartitionIdx, Batch)>,
}

#[derive(Clone, Debug)]
pub enum Message {
    // Broker <-> controller (kafka-model §2.3)
    RegisterBroker {
        incarnation: u32,
        rack: String,
        /// `PreviousBrokerEpoch` (KIP-966): the epoch in the clean-shutdown file, `None` after kill -9
        /// or power loss (kafka-model §2.3.1).
        previous_broker_epoch: Option<BrokerEpoch>,
    },
    RegisterBrokerResponse {
        incarnation: u32,
        result: Result<BrokerEpoch, ErrorCode>,
    },
    BrokerHeartbeat {
        broker_epoch: BrokerEpoch,
        metadata_offset: u64,
        want_shut_down: bool,
    },
    BrokerHeartbeatResponse {
        result: Result<HeartbeatAnswer, ErrorCode>,
        metadata: Rc<MetadataDelta>,
    },
    /// The active controller's newly committed records, as brokers replicate the metadata log.
    MetadataUpdate(Rc<MetadataDelta>),
    AlterPartition {
        request_id: u64,
        partition: PartitionIdx,
        leader_epoch: LeaderEpoch,
        partition_epoch: PartitionEpoch,
        new_isr: Vec<(BrokerId, BrokerEpoch)>,
    },
    AlterPartitionResponse {
        request_id: u64,
        partition: PartitionIdx,
        result: Result<PartitionRecord, ErrorCode>,
    },

    // Follower or consumer -> replica (kafka-model §3.6, §6.1)
    Fetch(FetchRequest),
    FetchResponse {
        request_id: u64,
        partitions: Vec<(PartitionIdx, FetchPartitionResult)>,
    },

    // Producer -> leader (kafka-model §5.3)
    Produce(ProduceRequest),
    /// An answer for every partition of the request.
    ProduceResponse {
        request_id: u64,
        partitions: Vec<(PartitionIdx, ProduceResult)>,
    },

    // Consumer -> leader: where a reset (`auto.offset.reset`, `seekToBeginning`, `seekToEnd`)
    // starts, with the consumer's `currentLeaderEpoch` (kafka-model §6.3)
    ListOffsets {
        request_id: u64,
        partitions: Vec<(PartitionIdx, LeaderEpoch, OffsetSpec)>,
    },
    ListOffsetsResponse {
        request_id: u64,
        results: Vec<(PartitionIdx, Result<Offset, ErrorCode>)>,
    },
    // Consumer -> leader: KIP-320 position validation, (partition, currentLeaderEpoch, the epoch of
    // the last record consumed) (kafka-model §6.3)
    OffsetsForLeaderEpoch {
        request_id: u64,
        partitions: Vec<(PartitionIdx, LeaderEpoch, LeaderEpoch)>,
    },
    OffsetsForLeaderEpochResponse {
        request_id: u64,
        results: Vec<(PartitionIdx, EpochEnd)>,
    },

    // Client -> any broker (kafka-model §5.5)
    Metadata {
        request_id: u64,
    },
    MetadataResponse {
        request_id: u64,
        leaders: Vec<PartitionLeader>,
        brokers: Vec<(BrokerId, String)>,
    },

    /// A client's new connection: the ApiVersions handshake after TCP connects, which makes the
    /// connection ready for requests ([`connection`](super::connection)).
    ApiVersions {
        request_id: u64,
    },
    ApiVersionsResponse {
        request_id: u64,
    },

    /// The peer's process died: its TCP connections were reset (what a client sees right after a
    /// crash), or nothing listens where a client connects (connection refused).
    ConnectionClosed,

    // Consumer <-> group coordinator (kafka-model §6.4); FindCoordinator to any broker.
    GroupRequest {
        request_id: u64,
        group: String,
        request: GroupRequest,
    },
    GroupResponse {
        request_id: u64,
        response: GroupResponse,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeartbeatAnswer {
    pub fenced: bool,
    pub shut_down_now: bool,
}

impl Message {
    /// Short label for the diagram and the logs.
    pub fn kind(&self) -> MessageKind {
        match self {
            Message::RegisterBroker { .. } | Message::RegisterBrokerResponse { .. } => MessageKind::Registration,
            Message::BrokerHeartbeat { .. } | Message::BrokerHeartbeatResponse { .. } => MessageKind::Heartbeat,
            Message::MetadataUpdate(_) => MessageKind::Metadata,
            Message::AlterPartition { .. } | Message::AlterPartitionResponse { .. } => MessageKind::AlterPartition,
            Message::Fetch(FetchRequest { replica: Some(_), .. }) => MessageKind::ReplicaFetch,
            Message::Fetch(FetchRequest { replica: None, .. }) => MessageKind::ConsumerFetch,
            Message::FetchResponse { .. } => MessageKind::FetchResponse,
            Message::Produce(_) => MessageKind::Produce,
            Message::ProduceResponse { .. } => MessageKind::ProduceResponse,
            // A connection's handshake is drawn as the client's other control requests.
            Message::Metadata { .. }
            | Message::MetadataResponse { .. }
            | Message::ApiVersions { .. }
            | Message::ApiVersionsResponse { .. } => MessageKind::Metadata,
            Message::ListOffsets { .. }
            | Message::ListOffsetsResponse { .. }
            | Message::OffsetsForLeaderEpoch { .. }
            | Message::OffsetsForLeaderEpochResponse { .. } => MessageKind::ListOffsets,
            Message::ConnectionClosed => MessageKind::ConnectionClosed,
            Message::GroupRequest { .. } | Message::GroupResponse { .. } => MessageKind::Group,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Registration,
    Heartbeat,
    /// Metadata, and a client connection's ApiVersions handshake.
    Metadata,
    AlterPartition,
    ReplicaFetch,
    ConsumerFetch,
    FetchResponse,
    Produce,
    ProduceResponse,
    /// A consumer's offset lookups: ListOffsets, and OffsetsForLeaderEpoch (position validation).
    ListOffsets,
    ConnectionClosed,
    /// A consumer group's requests to its coordinator (kafka-model §6.4).
    Group,
}

// Consumer groups (kafka-model §6.4): what a member and its coordinator say.

/// A member's subscription as JoinGroup carries it to the leader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub member_id: String,
    pub topic: TopicIdx,
}

/// Consumer -> coordinator (any broker for FindCoordinator).
#[derive(Clone, Debug)]
pub enum GroupRequest {
    FindCoordinator,
    /// `member_id` is empty on a first join.
    JoinGroup {
        member_id: String,
        topic: TopicIdx,
        protocols: Vec<Assignor>,
    },
    /// The leader's carries the assignment of every member.
    SyncGroup {
        member_id: String,
        generation: u32,
        assignments: Vec<(String, Vec<PartitionIdx>)>,
    },
    Heartbeat {
        member_id: String,
        generation: u32,
    },
    LeaveGroup {
        member_id: String,
    },
    OffsetCommit {
        member_id: String,
        generation: u32,
        offsets: Vec<(PartitionIdx, Offset)>,
    },
    OffsetFetch {
        partitions: Vec<PartitionIdx>,
    },
}

/// Coordinator -> consumer.
#[derive(Clone, Debug)]
pub enum GroupResponse {
    FindCoordinator(Result<BrokerId, ErrorCode>),
    JoinGroup(Result<Joined, ErrorCode>),
    SyncGroup(Result<Vec<PartitionIdx>, ErrorCode>),
    Heartbeat(Result<(), ErrorCode>),
    LeaveGroup,
    OffsetCommit(Result<Vec<(PartitionIdx, Offset)>, ErrorCode>),
    OffsetFetch(Result<Vec<(PartitionIdx, Option<Offset>)>, ErrorCode>),
}

/// A JoinGroup answer: the generation, the member's id, the leader, the protocol the vote chose,
/// and (to the leader only) every member's subscription.
#[derive(Clone, Debug)]
pub struct Joined {
    pub generation: u32,
    pub member_id: String,
    pub leader: String,
    pub members: Vec<Subscription>,
}
