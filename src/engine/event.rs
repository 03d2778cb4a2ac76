//! What the engine tells the world: observable events, each with a one-line explanation in Kafka's
//! words (kafka-model vocabulary), for the event log of the page and the runner.

use super::command::{ElectionType, SeekTo};
use super::config::Acks;
use super::group::Assignor;
use super::ids::*;
use super::invariant::Invariant;
use super::log::RetentionBreach;
use super::message::{ErrorCode, IsrShortfall, OffsetSpec};
use super::reassignment::ReassignmentRefusal;
use serde::Serialize;

/// Why the controller changed a partition's leadership or ISR (kafka-model §3.2, §4.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "broker")]
pub enum ChangeReason {
    /// Session expired: no heartbeat for `broker.session.timeout.ms`.
    BrokerFenced(BrokerId),
    ControlledShutdown(BrokerId),
    /// A broker came back while the partition had no leader.
    BrokerUnfenced(BrokerId),
    /// The periodic unclean-election sweep (`unclean.leader.election.interval.ms`).
    UncleanSweep,
    TopicCreated,
    /// AlterPartition from the leader.
    AlterPartition(BrokerId),
    /// The controller's leader imbalance check ran a PREFERRED election (kafka-model §3.8).
    LeaderImbalanceCheck,
    /// An `elect_leaders` request (kafka-model §3.2).
    ElectLeaders(ElectionType),
    /// A broker registered without a clean-shutdown proof (ELR on, kafka-model §4.9).
    UncleanShutdown(BrokerId),
    /// The topic's `min.insync.replicas` changed: its ELR fields are cleared (§4.9).
    MinIsrChanged,
    /// A partition reassignment started or completed (KIP-455).
    Reassignment,
    /// A partition reassignment was cancelled (`kafka-reassign-partitions.sh --cancel`).
    ReassignmentCancelled,
}

/// How a leader came from the ELR fields (kafka-model §4.9), if it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "broker")]
pub enum ElrElection {
    None,
    /// An ELR member, elected cleanly while the ISR was empty.
    FromElr(BrokerId),
    /// The last known leader (`lastKnownElr`), elected with ISR and ELR empty: unclean.
    LastKnownLeader(BrokerId),
}

/// The controller's committed leader epoch of the partition when a broker's event was recorded:
/// what the broker, acting on its own metadata, may not know yet. A broker whose leader epoch is
/// older is a stale (zombie) leader (kafka-model §7.4). The engine fills it in when it records the
/// event ([`EventKind::stamp_controller_epoch`]); brokers emit [`ControllerEpoch::UNKNOWN`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ControllerEpoch(pub Option<LeaderEpoch>);

impl ControllerEpoch {
    pub const UNKNOWN: ControllerEpoch = ControllerEpoch(None);

    /// The controller's epoch if it is newer than `leader_epoch`: the broker is a stale leader.
    pub fn newer_than(self, leader_epoch: LeaderEpoch) -> Option<LeaderEpoch> {
        self.0.filter(|e| *e > leader_epoch)
    }
}

/// Why a consumer stopped fetching from its preferred read replica (kafka-model §6.2 (a)–(d)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "error")]
pub enum LeftReplica {
    /// (a) The lease (`metadata.max.age.ms`) ended.
    LeaseEnded,
    /// (b) The connection to the replica's broker failed.
    ConnectionFailed,
    /// (c) The replica answered `OFFSET_OUT_OF_RANGE`: no reset, the leader serves the offset.
    OffsetOutOfRange,
    /// (d) Metadata no longer lists the replica's broker.
    NotInMetadata,
    /// Any other error from the replica, e.g. `FENCED_LEADER_EPOCH` once it leads a newer epoch.
    Error(ErrorCode),
    /// Metadata names a new leader or leader epoch (`SubscriptionState.maybeValidatePosition`).
    LeaderChanged,
}

/// What a consumer's application gets from `poll` instead of records for a partition, with
/// `auto.offset.reset=none` (kafka-model §6.3). The partition is not fetched until a `seek`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsumerException {
    /// No committed offset to start from (`NoOffsetForPartitionException`).
    NoOffsetForPartition,
    /// The leader answered `OFFSET_OUT_OF_RANGE` (`OffsetOutOfRangeException`).
    OffsetOutOfRange,
    /// Validation found the leader's log ends below the position for the epoch of the last record
    /// consumed (`LogTruncationException`).
    LogTruncation,
}

impl ConsumerException {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsumerException::NoOffsetForPartition => "NoOffsetForPartitionException",
            ConsumerException::OffsetOutOfRange => "OffsetOutOfRangeException",
            ConsumerException::LogTruncation => "LogTruncationException",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum EventKind {
    BrokerCrashed {
        broker: BrokerId,
    },
    BrokerStarted {
        broker: BrokerId,
    },
    BrokerRegistered {
        broker: BrokerId,
        broker_epoch: BrokerEpoch,
    },
    RegistrationRejected {
        broker: BrokerId,
        error: ErrorCode,
    },
    BrokerFenced {
        broker: BrokerId,
        silent_ms: Millis,
    },
    BrokerUnfenced {
        broker: BrokerId,
    },
    ControlledShutdownStarted {
        broker: BrokerId,
    },
    /// SHUTDOWN_NOW: every active broker has the metadata that moved its leaderships away
    /// (kafka-model §2.3.6). Offsets are the metadata log's; no lowest offset when no other broker
    /// is active (nobody can still send clients to it).
    ControlledShutdownGranted {
        broker: BrokerId,
        lowest_active_offset: Option<u64>,
        shutdown_offset: u64,
    },
    BrokerShutDown {
        broker: BrokerId,
    },
    /// Machine crash / power loss (kafka-model §3.9): the process dies and each replica loses what
    /// it wrote since its last flush.
    BrokerPoweredOff {
        broker: BrokerId,
    },
    /// A replica lost the unflushed suffix `[from, to)` of its log in a power loss.
    UnflushedSuffixLost {
        broker: BrokerId,
        partition: PartitionIdx,
        from: Offset,
        to: Offset,
        /// Appended at or before this time: on disk (the flush model, `Log::durable_end`).
        flushed_before_ms: Millis,
    },
    /// A broker registered without a `PreviousBrokerEpoch` matching its last registration (it left
    /// no clean-shutdown file: kill -9 or power loss), with ELR on: the controller took it out of
    /// the ELR of these partitions (`handleBrokerUncleanShutdown`, kafka-model §2.3.1, §4.9).
    UncleanShutdownDetected {
        broker: BrokerId,
        partitions: Vec<PartitionIdx>,
    },
    /// The controller changed a partition's ELR or last known ELR (kafka-model §4.9).
    ElrChanged {
        partition: PartitionIdx,
        elr: Vec<BrokerId>,
        last_known_elr: Vec<BrokerId>,
        isr: Vec<BrokerId>,
        elected: ElrElection,
        reason: ChangeReason,
    },
    LeaderElected {
        partition: PartitionIdx,
        leader: BrokerId,
        previous: Option<BrokerId>,
        leader_epoch: LeaderEpoch,
        isr: Vec<BrokerId>,
        unclean: bool,
        reason: ChangeReason,
    },
    /// The controller found no acceptable leader (kafka-model §3.2 step 5): no ISR member is one, and
    /// either unclean election is disabled or no replica at all is acceptable (§4.8).
    PartitionOffline {
        partition: PartitionIdx,
        leader_epoch: LeaderEpoch,
        isr: Vec<BrokerId>,
        reason: ChangeReason,
        /// The topic's `unclean.leader.election.enable` when the controller decided.
        unclean_leader_election_enable: bool,
        /// Replicas outside the ISR that are acceptable leaders (unfenced, not shutting down): empty
        /// when unclean election is enabled, or it would have picked one.
        available_out_of_sync: Vec<BrokerId>,
    },
    IsrShrunk {
        partition: PartitionIdx,
        removed: Vec<BrokerId>,
        isr: Vec<BrokerId>,
        partition_epoch: PartitionEpoch,
        reason: ChangeReason,
    },
    IsrExpanded {
        partition: PartitionIdx,
        added: Vec<BrokerId>,
        isr: Vec<BrokerId>,
        partition_epoch: PartitionEpoch,
    },
    IsrShrinkProposed {
        partition: PartitionIdx,
        leader: BrokerId,
        removed: Vec<BrokerId>,
        lag_time_max_ms: Millis,
        /// The leader epoch the proposal carries (the leader's own).
        leader_epoch: LeaderEpoch,
        /// The controller's leader epoch for the partition at that moment (see [`ControllerEpoch`]).
        controller: ControllerEpoch,
    },
    IsrExpandProposed {
        partition: PartitionIdx,
        leader: BrokerId,
        added: BrokerId,
        follower_leo: Offset,
        high_watermark: Offset,
        /// The follower must reach it too (kafka-model §4.4, KAFKA-7128).
        leader_epoch_start_offset: Offset,
        leader_epoch: LeaderEpoch,
        controller: ControllerEpoch,
    },
    /// The controller's answer to an AlterPartition was an error (kafka-model §4.5).
    AlterPartitionRejected {
        partition: PartitionIdx,
        leader: BrokerId,
        error: ErrorCode,
        /// The leader epoch the request carried.
        leader_epoch: LeaderEpoch,
    },
    /// A leader dropped its AlterPartition without any answer from the controller: metadata told it
    /// of a newer leader epoch first (kafka-model §4.5: a stale leader cannot change the ISR).
    AlterPartitionAbandoned {
        partition: PartitionIdx,
        broker: BrokerId,
        /// The ISR it proposed, and the leader epoch the proposal carried.
        proposed_isr: Vec<BrokerId>,
        leader_epoch: LeaderEpoch,
        /// How many times it sent the proposal (it resends after each request timeout).
        sends: u32,
        /// What metadata told it: the partition's leader epoch and leader.
        new_leader_epoch: LeaderEpoch,
        new_leader: Option<BrokerId>,
    },
    BecameLeader {
        broker: BrokerId,
        partition: PartitionIdx,
        leader_epoch: LeaderEpoch,
        start_offset: Offset,
        controller: ControllerEpoch,
    },
    BecameFollower {
        broker: BrokerId,
        partition: PartitionIdx,
        leader: Option<BrokerId>,
        leader_epoch: LeaderEpoch,
    },
    /// The fields that decided it (kafka-model §3.6): the follower's fetch (`fetch_offset`, its
    /// `last_fetched_epoch`) and the leader's `divergingEpoch` answer (`diverging_epoch`, and
    /// `end_offset`, where the leader's log for that epoch ends).
    LogTruncated {
        broker: BrokerId,
        partition: PartitionIdx,
        from: Offset,
        to: Offset,
        leader: BrokerId,
        fetch_offset: Offset,
        last_fetched_epoch: Option<LeaderEpoch>,
        diverging_epoch: Option<LeaderEpoch>,
        end_offset: Offset,
    },
    /// The leader appended a producer's batch to its log (kafka-model §3.3, §5.3).
    LeaderAppended {
        broker: BrokerId,
        partition: PartitionIdx,
        leader_epoch: LeaderEpoch,
        base_offset: Offset,
        count: u32,
        controller: ControllerEpoch,
    },
    /// A follower's fetch reached its leader and mattered: records came back, or its fetch offset
    /// moved, which tells the leader the follower holds every offset below it (kafka-model §3.4,
    /// §3.6). Fetches that change nothing (caught up, nothing new) are not events.
    FollowerFetched {
        leader: BrokerId,
        follower: BrokerId,
        partition: PartitionIdx,
        fetch_offset: Offset,
        count: u32,
        /// The HW the response carries: read before this fetch moved it (kafka-model §3.5).
        high_watermark: Offset,
    },
    /// The leader moved the high watermark to the lowest log end offset of the replicas that count:
    /// the ISR and followers caught up within `replica.lag.time.max.ms` (kafka-model §3.4).
    HighWatermarkAdvanced {
        broker: BrokerId,
        partition: PartitionIdx,
        from: Offset,
        to: Offset,
        /// The ISR the leader counted (its maximal ISR, kafka-model §4.6), and the followers outside it
        /// that counted because they are caught up and eligible.
        isr: Vec<BrokerId>,
        caught_up: Vec<BrokerId>,
    },
    ProduceAcked {
        producer: ClientIdx,
        partition: PartitionIdx,
        base_offset: Option<Offset>,
        count: u32,
        acks: Acks,
        attempts: u32,
    },
    /// The idempotence check of a broker that takes itself for the leader recognised a retried batch
    /// already in its log (kafka-model §5.6): not appended again. What the request then gets depends
    /// on `acks` (kafka-model §5.3): `acks=1` the original offset at once; `acks=all` waits, like the
    /// original, until the high watermark passes it (its own event says how it ends).
    ProduceDeduplicated {
        producer: ClientIdx,
        partition: PartitionIdx,
        base_offset: Offset,
        count: u32,
        broker: BrokerId,
        leader_epoch: LeaderEpoch,
        acks: Acks,
        /// The broker's high watermark when it checked.
        high_watermark: Offset,
        controller: ControllerEpoch,
    },
    ProduceRetried {
        producer: ClientIdx,
        partition: PartitionIdx,
        error: ErrorCode,
        attempt: u32,
        broker: Option<BrokerId>,
        /// For `NOT_ENOUGH_REPLICAS(_AFTER_APPEND)`: the ISR and `min.insync.replicas` the leader saw.
        shortfall: Option<IsrShortfall>,
    },
    /// A produce request got no answer within `request.timeout.ms`: the producer closed the connection
    /// and failed the `requests` in flight on it with `REQUEST_TIMED_OUT` (kafka-model §5.4).
    ProducerRequestTimedOut {
        producer: ClientIdx,
        broker: BrokerId,
        request_timeout_ms: Millis,
        requests: u32,
    },
    /// A producer could not connect to a broker it has batches for, so it created no request and
    /// counted no attempt (kafka-model §5.2, `Sender.sendProducerData`); it refreshes metadata (the
    /// disconnect may mean stale metadata) and tries again after `reconnect.backoff.ms`, doubling up
    /// to `reconnect.backoff.max.ms`. Only the first failure in a row is an event.
    ProducerConnectionFailed {
        producer: ClientIdx,
        broker: BrokerId,
        /// No answer within `socket.connection.setup.timeout.ms`; otherwise refused (nothing listens).
        timed_out: bool,
    },
    ProduceFailed {
        producer: ClientIdx,
        partition: PartitionIdx,
        count: u32,
        error: ErrorCode,
    },
    /// `reconfigure_producer`: the producer was closed and a new instance constructed.
    ProducerReconfigured {
        producer: ClientIdx,
        acks: Acks,
        /// As given (`None`: Kafka's default for `acks`).
        enable_idempotence: Option<bool>,
        /// The new instance's producer id, if it is idempotent.
        producer_id: Option<u64>,
        /// Records of the closed instance still pending, which complete with its settings.
        pending_records: u64,
    },
    ConsumerFetched {
        consumer: ClientIdx,
        partition: PartitionIdx,
        from: Offset,
        count: u32,
        broker: BrokerId,
        high_watermark: Offset,
    },
    ConsumerRedirected {
        consumer: ClientIdx,
        partition: PartitionIdx,
        leader: BrokerId,
        replica: BrokerId,
    },
    /// A consumer stopped fetching from its preferred read replica (kafka-model §6.2); it fetches
    /// from the leader its metadata names next.
    ConsumerLeftReplica {
        consumer: ClientIdx,
        partition: PartitionIdx,
        replica: BrokerId,
        why: LeftReplica,
        /// The leader and leader epoch the consumer's metadata names when it leaves.
        leader: Option<BrokerId>,
        leader_epoch: LeaderEpoch,
    },
    ConsumerPositionReset {
        consumer: ClientIdx,
        partition: PartitionIdx,
        from: Offset,
        /// `None`: not known yet, looked up next (`auto.offset.reset=latest`: ListOffsets).
        to: Option<Offset>,
        why: &'static str,
    },
    RecordsLost {
        partition: PartitionIdx,
        offsets: (Offset, Offset),
        count: u32,
        acks: Acks,
        cause: String,
    },
    InvariantViolated {
        invariant: Invariant,
        partition: Option<PartitionIdx>,
        detail: String,
        expected: bool,
    },
    LinkCut {
        a: NodeId,
        b: NodeId,
    },
    LinkHealed {
        a: NodeId,
        b: NodeId,
    },
    LinkCutOneWay {
        from: NodeId,
        to: NodeId,
    },
    BrokerPaused {
        broker: BrokerId,
    },
    /// `waiting`: messages and timers that waited; `dropped`: messages the full buffers lost.
    BrokerResumed {
        broker: BrokerId,
        paused_ms: Millis,
        waiting: u32,
        dropped: u32,
    },
    ReplicaStalled {
        broker: BrokerId,
    },
    ReplicaResumed {
        broker: BrokerId,
    },
    TopicCreated {
        topic: TopicIdx,
    },
    ConfigChanged {
        description: String,
    },
    CommandRejected {
        command: &'static str,
        reason: String,
    },
    /// A `when` fired: its condition held, its command runs now.
    TriggerFired {
        condition: String,
        command: &'static str,
    },
    /// A consumer asks the leader where a reset starts (ListOffsets, kafka-model §6.3).
    ConsumerListOffsets {
        consumer: ClientIdx,
        partition: PartitionIdx,
        broker: BrokerId,
        spec: OffsetSpec,
        leader_epoch: LeaderEpoch,
    },
    /// The ListOffsets answer: the offset, or an error retried after `retry.backoff.ms`; `dropped`
    /// if a seek has changed the position since it was asked.
    ConsumerListOffsetsAnswered {
        consumer: ClientIdx,
        partition: PartitionIdx,
        broker: BrokerId,
        spec: OffsetSpec,
        offset: Option<Offset>,
        error: Option<ErrorCode>,
        retry_backoff_ms: Millis,
        dropped: bool,
    },
    /// KIP-320: after a leader change the consumer asks the leader where the epoch of its last
    /// consumed record ends (OffsetsForLeaderEpoch), and fetches nothing until answered.
    ConsumerValidating {
        consumer: ClientIdx,
        partition: PartitionIdx,
        broker: BrokerId,
        position: Offset,
        epoch: LeaderEpoch,
        leader_epoch: LeaderEpoch,
    },
    /// The OffsetsForLeaderEpoch answer: the epoch and its end offset (`None`: below every epoch
    /// the leader knows), or an error retried after `retry.backoff.ms`; `dropped` as above.
    ConsumerValidated {
        consumer: ClientIdx,
        partition: PartitionIdx,
        broker: BrokerId,
        position: Offset,
        end: Option<(LeaderEpoch, Offset)>,
        error: Option<ErrorCode>,
        retry_backoff_ms: Millis,
        dropped: bool,
    },
    /// `poll` throws for this partition (`auto.offset.reset=none`); it is not fetched until a seek.
    ConsumerFailed {
        consumer: ClientIdx,
        partition: PartitionIdx,
        exception: ConsumerException,
        position: Option<Offset>,
        /// `LogTruncationException`'s divergent offset and its epoch, when the leader knew them.
        divergent: Option<(LeaderEpoch, Offset)>,
    },
    /// `seek`, `seekToBeginning` or `seekToEnd` (the last two resolved by ListOffsets).
    ConsumerSeeked {
        consumer: ClientIdx,
        partition: PartitionIdx,
        from: Option<Offset>,
        to: SeekTo,
    },
    /// A reset's ListOffsets cannot be sent: the consumer's metadata has no leader for the
    /// partition (`LEADER_NOT_AVAILABLE` on the client side); it refreshes metadata and waits.
    ConsumerLeaderUnknown {
        consumer: ClientIdx,
        partition: PartitionIdx,
        spec: OffsetSpec,
    },
    /// A produce request sent while others are in flight on the same connection, as
    /// `max.in.flight.requests.per.connection` allows (kafka-model §5.2): one batch per partition
    /// the broker leads (partition, records). A lone request is no event.
    ProduceRequestSent {
        producer: ClientIdx,
        broker: BrokerId,
        batches: Vec<(PartitionIdx, u32)>,
        /// Requests in flight on the connection, this one included.
        in_flight: u32,
        max_in_flight: u32,
    },
    /// The idempotent producer got `OUT_OF_ORDER_SEQUENCE_NUMBER` for the first unresolved batch of
    /// a partition: the leader lacks batches the producer took as written. It bumps its epoch and
    /// restarts every partition's sequence at 0 (`TransactionManager`, KIP-360; kafka-model §5.6).
    ProducerEpochBumped {
        producer: ClientIdx,
        partition: PartitionIdx,
        producer_id: u64,
        producer_epoch: u16,
        /// The refused batch's first sequence.
        base_sequence: u32,
    },
    /// A leader with no state for an idempotent producer's id (none of its batches in its log: lost
    /// with an unclean election, or never replicated to it) appended a batch whose sequence is not
    /// 0 without checking it, as Kafka 4.x's `ProducerAppendInfo.checkSequence` does (kafka-model §5.6).
    ProducerStateUnknown {
        broker: BrokerId,
        partition: PartitionIdx,
        producer: ClientIdx,
        base_sequence: u32,
        count: u32,
    },
    /// The controller's leader imbalance check (kafka-model §3.8): how many partitions were not led
    /// by their preferred replica, how many PREFERRED elections moved a leadership, and whether it
    /// hit `MAX_ELECTIONS_PER_IMBALANCE` (it runs again at once).
    LeaderImbalanceChecked {
        imbalanced: u32,
        elected: u32,
        capped: bool,
    },
    /// The controller's answer for one partition of an `elect_leaders` request: `None` is success
    /// (its `leader_elected` follows), else `ELECTION_NOT_NEEDED`, `PREFERRED_LEADER_NOT_AVAILABLE`
    /// or `ELIGIBLE_LEADERS_NOT_AVAILABLE` (`ReplicationControlManager.electLeader`).
    ElectLeadersAnswered {
        partition: PartitionIdx,
        election_type: ElectionType,
        error: Option<ErrorCode>,
        /// The partition's preferred replica (`replicas[0]`), leader and ISR as the controller saw them.
        preferred: BrokerId,
        leader: Option<BrokerId>,
        isr: Vec<BrokerId>,
    },
    /// A retention check deleted a replica's oldest segments (`UnifiedLog.deleteOldSegments`), all
    /// below its high watermark, and moved its log start offset (`SegmentDeletion`). `limit`: the
    /// `retention.ms` or `retention.bytes` breached, or the log start offset the segments were below.
    SegmentsDeleted {
        broker: BrokerId,
        partition: PartitionIdx,
        breach: RetentionBreach,
        limit: i64,
        segments: u32,
        records: u64,
        log_start_offset: Offset,
    },
    /// A follower raised its log start offset to its leader's, from a fetch response
    /// (`LeaderOffsetIncremented`); its segments below go at its next retention check.
    LogStartOffsetIncremented {
        broker: BrokerId,
        partition: PartitionIdx,
        leader: BrokerId,
        from: Offset,
        to: Offset,
    },
    /// A follower's fetch got `OFFSET_OUT_OF_RANGE` (`AbstractFetcherThread.fetchOffsetAndTruncate`):
    /// it truncates fully and starts at the leader's log start when its log ends below it, truncates
    /// to the leader's log end when it ends past it, else fetches again from its own end. `to`: its
    /// log end offset after.
    FollowerOffsetOutOfRange {
        broker: BrokerId,
        partition: PartitionIdx,
        leader: BrokerId,
        fetch_offset: Offset,
        leader_log_start_offset: Offset,
        leader_log_end_offset: Offset,
        to: Offset,
    },
    /// A new broker joined the running cluster (`add_broker`); it registers like any starting broker.
    BrokerAdded {
        broker: BrokerId,
        rack: String,
    },
    /// AlterPartitionReassignments started a reassignment (`PartitionReassignmentReplicas`).
    ReassignmentStarted {
        partition: PartitionIdx,
        target: Vec<BrokerId>,
        adding: Vec<BrokerId>,
        removing: Vec<BrokerId>,
    },
    /// Every adding replica joined the ISR: `replicas` became the target (`completeReassignmentIfNeeded`).
    ReassignmentCompleted {
        partition: PartitionIdx,
        replicas: Vec<BrokerId>,
        removed: Vec<BrokerId>,
        leader: Option<BrokerId>,
    },
    /// A cancel reverted the partition (`PartitionReassignmentRevert`).
    ReassignmentCancelled {
        partition: PartitionIdx,
        replicas: Vec<BrokerId>,
        removed: Vec<BrokerId>,
    },
    /// The controller's error for one partition of AlterPartitionReassignments.
    ReassignmentRefused {
        partition: PartitionIdx,
        refusal: ReassignmentRefusal,
    },
    /// A broker that is no longer among a partition's replicas stopped its replica and deleted its
    /// log (`ReplicaManager.applyDelta`, the partition among its deletes).
    ReplicaDeleted {
        broker: BrokerId,
        partition: PartitionIdx,
    },
    /// A separate controller's process was killed (kafka-model §2.2).
    ControllerCrashed {
        controller: u32,
    },
    ControllerRestarted {
        controller: u32,
    },
    /// A voter won an election and is the active controller (kafka-model §2.2): `votes` of
    /// `voters`, `stalled_ms` after the quorum could last commit, holding the log up to `offset`.
    ControllerElected {
        controller: u32,
        epoch: u32,
        previous: Option<u32>,
        votes: Vec<u32>,
        voters: u32,
        stalled_ms: Millis,
        offset: u64,
    },
    /// No majority fetched from the active controller for 1.5 × `controller.quorum.fetch.timeout.ms`.
    ControllerResigned {
        controller: u32,
        epoch: u32,
    },
    /// No voter can gather a majority: `up` are the voters that run.
    QuorumLost {
        up: Vec<u32>,
        voters: u32,
    },
    QuorumRestored {
        up: Vec<u32>,
        voters: u32,
    },
    // Consumer groups (kafka-model §6.4): the coordinator's side.
    /// The group went to PreparingRebalance: every member must rejoin.
    GroupRebalanceStarted {
        broker: BrokerId,
        group: String,
        generation: u32,
        reason: String,
    },
    /// Every member rejoined (or the rest timed out): a new generation, its leader and protocol.
    GroupJoinCompleted {
        broker: BrokerId,
        group: String,
        generation: u32,
        leader: String,
        protocol: Assignor,
        members: u32,
    },
    /// The leader's SyncGroup gave every member its assignment: the group is Stable.
    GroupStabilized {
        broker: BrokerId,
        group: String,
        generation: u32,
    },
    GroupMemberRemoved {
        broker: BrokerId,
        group: String,
        member: String,
        why: &'static str,
    },
    /// An OffsetCommit is committed: its `__consumer_offsets` record is below that partition's HW.
    OffsetsCommitted {
        broker: BrokerId,
        group: String,
        consumer: ClientIdx,
        offsets: Vec<(PartitionIdx, Offset)>,
    },
    // The member's side.
    GroupCoordinatorFound {
        consumer: ClientIdx,
        group: String,
        broker: BrokerId,
    },
    /// The member marked its coordinator unknown: an error, or the connection failed (`None`).
    GroupCoordinatorLost {
        consumer: ClientIdx,
        group: String,
        broker: BrokerId,
        error: Option<ErrorCode>,
    },
    /// A group request the coordinator refused (`request`: "JoinGroup", "Heartbeat", …).
    GroupRequestFailed {
        consumer: ClientIdx,
        group: String,
        request: &'static str,
        error: ErrorCode,
    },
    /// `onPartitionsAssigned`.
    PartitionsAssigned {
        consumer: ClientIdx,
        group: String,
        generation: u32,
        partitions: Vec<PartitionIdx>,
    },
    /// `onPartitionsRevoked` (committed first with auto-commit), or `onPartitionsLost` (`lost`).
    PartitionsRevoked {
        consumer: ClientIdx,
        group: String,
        partitions: Vec<PartitionIdx>,
        lost: bool,
    },
    /// A newly assigned partition's position: its committed offset, else `auto.offset.reset`.
    ConsumerStartedFrom {
        consumer: ClientIdx,
        partition: PartitionIdx,
        committed: Option<Offset>,
    },
    ConsumerCrashed {
        consumer: ClientIdx,
    },
    ConsumerStoppedPolling {
        consumer: ClientIdx,
    },
    /// `max.poll.interval.ms` passed without a poll: the heartbeat thread leaves the group.
    ConsumerPollTimeout {
        consumer: ClientIdx,
        group: String,
    },
}

/// What an event is about, so the page can link it to the diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Broker(BrokerId),
    Replica(BrokerId, PartitionIdx),
    Partition(PartitionIdx),
    Producer(ClientIdx),
    Consumer(ClientIdx),
    Controller,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClusterEvent {
    /// Position in the engine's event stream (monotonic, never reused).
    pub seq: u64,
    pub at_ms: Millis,
    #[serde(flatten)]
    pub kind: EventKind,
}

impl EventKind {
    pub fn subject(&self) -> Option<Subject> {
        use EventKind::*;
        Some(match self {
            BrokerCrashed { broker }
            | BrokerStarted { broker }
            | BrokerRegistered { broker, .. }
            | RegistrationRejected { broker, .. }
            | BrokerFenced { broker, .. }
            | BrokerUnfenced { broker }
            | ControlledShutdownStarted { broker }
            | ControlledShutdownGranted { broker, .. }
            | BrokerShutDown { broker }
            | BrokerPoweredOff { broker }
            | UncleanShutdownDetected { broker, .. }
            | ReplicaStalled { broker }
            | ReplicaResumed { broker }
            | BrokerPaused { broker }
            | BrokerAdded { broker, .. }
            | BrokerResumed { broker, .. } => Subject::Broker(*broker),
            ReassignmentStarted { partition, .. }
            | ReassignmentCompleted { partition, .. }
            | ReassignmentCancelled { partition, .. }
            | ReassignmentRefused { partition, .. } => Subject::Partition(*partition),
            ReplicaDeleted { broker, partition } => Subject::Replica(*broker, *partition),
            LeaderElected { partition, leader, .. } => Subject::Replica(*leader, *partition),
            BecameLeader { broker, partition, .. }
            | BecameFollower { broker, partition, .. }
            | LogTruncated { broker, partition, .. }
            | UnflushedSuffixLost { broker, partition, .. }
            | LeaderAppended { broker, partition, .. }
            | HighWatermarkAdvanced { broker, partition, .. } => Subject::Replica(*broker, *partition),
            FollowerFetched { follower, partition, .. } => Subject::Replica(*follower, *partition),
            IsrShrinkProposed { partition, leader, .. }
            | IsrExpandProposed { partition, leader, .. }
            | AlterPartitionRejected { partition, leader, .. } => Subject::Replica(*leader, *partition),
            AlterPartitionAbandoned { partition, broker, .. } => Subject::Replica(*broker, *partition),
            PartitionOffline { partition, .. }
            | IsrShrunk { partition, .. }
            | IsrExpanded { partition, .. }
            | ElrChanged { partition, .. }
            | RecordsLost { partition, .. } => Subject::Partition(*partition),
            InvariantViolated { partition, .. } => Subject::Partition((*partition)?),
            ProduceAcked { producer, .. }
            | ProduceDeduplicated { producer, .. }
            | ProduceRetried { producer, .. }
            | ProduceFailed { producer, .. }
            | ProducerConnectionFailed { producer, .. }
            | ProducerRequestTimedOut { producer, .. }
            | ProducerReconfigured { producer, .. }
            | ProduceRequestSent { producer, .. }
            | ProducerEpochBumped { producer, .. } => Subject::Producer(*producer),
            ElectLeadersAnswered { partition, .. } => Subject::Partition(*partition),
            LeaderImbalanceChecked { .. }
            | ControllerCrashed { .. }
            | ControllerRestarted { .. }
            | ControllerElected { .. }
            | ControllerResigned { .. }
            | QuorumLost { .. }
            | QuorumRestored { .. } => Subject::Controller,
            ProducerStateUnknown { broker, partition, .. }
            | SegmentsDeleted { broker, partition, .. }
            | LogStartOffsetIncremented { broker, partition, .. }
            | FollowerOffsetOutOfRange { broker, partition, .. } => Subject::Replica(*broker, *partition),
            ConsumerFetched { consumer, .. }
            | ConsumerRedirected { consumer, .. }
            | ConsumerLeftReplica { consumer, .. }
            | ConsumerPositionReset { consumer, .. }
            | ConsumerListOffsets { consumer, .. }
            | ConsumerListOffsetsAnswered { consumer, .. }
            | ConsumerValidating { consumer, .. }
            | ConsumerValidated { consumer, .. }
            | ConsumerFailed { consumer, .. }
            | ConsumerSeeked { consumer, .. }
            | ConsumerLeaderUnknown { consumer, .. } => Subject::Consumer(*consumer),
            GroupRebalanceStarted { broker, .. }
            | GroupJoinCompleted { broker, .. }
            | GroupStabilized { broker, .. }
            | GroupMemberRemoved { broker, .. }
            | OffsetsCommitted { broker, .. } => Subject::Broker(*broker),
            GroupCoordinatorFound { consumer, .. }
            | GroupCoordinatorLost { consumer, .. }
            | GroupRequestFailed { consumer, .. }
            | PartitionsAssigned { consumer, .. }
            | PartitionsRevoked { consumer, .. }
            | ConsumerStartedFrom { consumer, .. }
            | ConsumerCrashed { consumer }
            | ConsumerStoppedPolling { consumer }
            | ConsumerPollTimeout { consumer, .. } => Subject::Consumer(*consumer),
            LinkCut { .. }
            | LinkHealed { .. }
            | LinkCutOneWay { .. }
            | TopicCreated { .. }
            | ConfigChanged { .. }
            | TriggerFired { .. }
            | CommandRejected { .. } => return None,
        })
    }
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
