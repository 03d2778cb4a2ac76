//! What the engine tells the world: observable events, each with a one-line explanation in Kafka's
//! words (kafka-model vocabulary), for the event log of the page and the runner.

use super::config::Acks;
use super::ids::*;
use super::invariant::Invariant;
use super::message::ErrorCode;
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
    BrokerShutDown {
        broker: BrokerId,
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
    PartitionOffline {
        partition: PartitionIdx,
        leader_epoch: LeaderEpoch,
        isr: Vec<BrokerId>,
        reason: ChangeReason,
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
    },
    IsrExpandProposed {
        partition: PartitionIdx,
        leader: BrokerId,
        added: BrokerId,
        follower_leo: Offset,
        high_watermark: Offset,
    },
    AlterPartitionRejected {
        partition: PartitionIdx,
        leader: BrokerId,
        error: ErrorCode,
    },
    BecameLeader {
        broker: BrokerId,
        partition: PartitionIdx,
        leader_epoch: LeaderEpoch,
        start_offset: Offset,
    },
    BecameFollower {
        broker: BrokerId,
        partition: PartitionIdx,
        leader: Option<BrokerId>,
        leader_epoch: LeaderEpoch,
    },
    LogTruncated {
        broker: BrokerId,
        partition: PartitionIdx,
        from: Offset,
        to: Offset,
        leader: BrokerId,
        diverging_epoch: Option<LeaderEpoch>,
    },
    ProduceAcked {
        producer: ClientIdx,
        partition: PartitionIdx,
        base_offset: Option<Offset>,
        count: u32,
        acks: Acks,
        attempts: u32,
    },
    ProduceDeduplicated {
        producer: ClientIdx,
        partition: PartitionIdx,
        base_offset: Offset,
        count: u32,
    },
    ProduceRetried {
        producer: ClientIdx,
        partition: PartitionIdx,
        error: ErrorCode,
        attempt: u32,
        broker: Option<BrokerId>,
    },
    ProduceFailed {
        producer: ClientIdx,
        partition: PartitionIdx,
        count: u32,
        error: ErrorCode,
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
    ConsumerLeftReplica {
        consumer: ClientIdx,
        partition: PartitionIdx,
        replica: BrokerId,
        why: &'static str,
    },
    ConsumerPositionReset {
        consumer: ClientIdx,
        partition: PartitionIdx,
        from: Offset,
        to: Offset,
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
            | BrokerShutDown { broker }
            | ReplicaStalled { broker }
            | ReplicaResumed { broker } => Subject::Broker(*broker),
            LeaderElected { partition, leader, .. } => Subject::Replica(*leader, *partition),
            BecameLeader { broker, partition, .. }
            | BecameFollower { broker, partition, .. }
            | LogTruncated { broker, partition, .. } => Subject::Replica(*broker, *partition),
            IsrShrinkProposed { partition, leader, .. }
            | IsrExpandProposed { partition, leader, .. }
            | AlterPartitionRejected { partition, leader, .. } => Subject::Replica(*leader, *partition),
            PartitionOffline { partition, .. }
            | IsrShrunk { partition, .. }
            | IsrExpanded { partition, .. }
            | RecordsLost { partition, .. } => Subject::Partition(*partition),
            InvariantViolated { partition, .. } => Subject::Partition((*partition)?),
            ProduceAcked { producer, .. }
            | ProduceDeduplicated { producer, .. }
            | ProduceRetried { producer, .. }
            | ProduceFailed { producer, .. } => Subject::Producer(*producer),
            ConsumerFetched { consumer, .. }
            | ConsumerRedirected { consumer, .. }
            | ConsumerLeftReplica { consumer, .. }
            | ConsumerPositionReset { consumer, .. } => Subject::Consumer(*consumer),
            LinkCut { .. }
            | LinkHealed { .. }
            | TopicCreated { .. }
            | ConfigChanged { .. }
            | CommandRejected { .. } => return None,
        })
    }

    /// Events that only report routine progress; the event log can hide them.
    pub fn is_routine(&self) -> bool {
        matches!(self, EventKind::ProduceAcked { .. } | EventKind::ConsumerFetched { .. })
    }
}
