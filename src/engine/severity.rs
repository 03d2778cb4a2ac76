//! How much an event matters ([`Severity`]) and which events are routine or replication traffic
//! (the page colours and filters its event log by them).

use super::event::EventKind;
use super::message::ErrorCode;
use serde::Serialize;

/// How much an event matters to someone watching the cluster, in Kafka's terms (the page colours its
/// event log by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A guarantee Kafka makes was broken: an invariant of kafka-model §8.5 violated where Kafka allows
    /// no violation (not after an unclean election).
    Violation,
    /// Availability or durability at risk, or already lost: a broker crashed or fenced, a partition
    /// offline, an unclean election, truncated log, lost records, a produce that failed for good, a
    /// cut link, a refused command, or a violation Kafka allows after an unclean election.
    Warning,
    /// A change of a partition's leadership or of its ISR (the committed state clients act on).
    Change,
    /// Everything else: registrations, fetches, acknowledgements, replica roles, configs.
    Info,
}

impl EventKind {
    /// How much the event matters (see [`Severity`]).
    pub fn severity(&self) -> Severity {
        use EventKind::*;
        match self {
            InvariantViolated { expected: false, .. } => Severity::Violation,
            InvariantViolated { expected: true, .. }
            | LeaderElected { unclean: true, .. }
            | RecordsLost { .. }
            | PartitionOffline { .. }
            | BrokerCrashed { .. }
            | BrokerPoweredOff { .. }
            | UnflushedSuffixLost { .. }
            | UncleanShutdownDetected { .. }
            | BrokerFenced { .. }
            | ProduceFailed { .. }
            | ConsumerFailed { .. }
            | CommandRejected { .. }
            | LogTruncated { .. }
            | FollowerOffsetOutOfRange { .. }
            | BrokerPaused { .. }
            | ControllerCrashed { .. }
            | ControllerResigned { .. }
            | QuorumLost { .. }
            | LinkCutOneWay { .. }
            | ReassignmentRefused { .. }
            | ElectLeadersAnswered {
                error: Some(ErrorCode::PreferredLeaderNotAvailable | ErrorCode::EligibleLeadersNotAvailable),
                ..
            }
            | ConsumerCrashed { .. }
            | ConsumerPollTimeout { .. }
            | GroupMemberRemoved { .. }
            | LinkCut { .. } => Severity::Warning,
            LeaderElected { unclean: false, .. }
            | IsrShrunk { .. }
            | IsrExpanded { .. }
            | ElrChanged { .. }
            | ReassignmentStarted { .. }
            | ReassignmentCompleted { .. }
            | ReassignmentCancelled { .. }
            | ControllerElected { .. } => Severity::Change,
            GroupJoinCompleted { .. } | PartitionsAssigned { .. } | PartitionsRevoked { .. } => Severity::Change,
            BrokerStarted { .. }
            | BrokerRegistered { .. }
            | RegistrationRejected { .. }
            | BrokerUnfenced { .. }
            | ControlledShutdownStarted { .. }
            | ControlledShutdownGranted { .. }
            | BrokerShutDown { .. }
            | IsrShrinkProposed { .. }
            | IsrExpandProposed { .. }
            | AlterPartitionRejected { .. }
            | AlterPartitionAbandoned { .. }
            | BecameLeader { .. }
            | BecameFollower { .. }
            | LeaderAppended { .. }
            | FollowerFetched { .. }
            | HighWatermarkAdvanced { .. }
            | ProduceAcked { .. }
            | ProduceDeduplicated { .. }
            | ProduceRetried { .. }
            | ProducerConnectionFailed { .. }
            | ProducerRequestTimedOut { .. }
            | ProducerReconfigured { .. }
            | ProduceRequestSent { .. }
            | ProducerEpochBumped { .. }
            | ProducerStateUnknown { .. }
            | SegmentsDeleted { .. }
            | LogStartOffsetIncremented { .. }
            | ConsumerFetched { .. }
            | ConsumerRedirected { .. }
            | ConsumerLeftReplica { .. }
            | ConsumerPositionReset { .. }
            | ConsumerListOffsets { .. }
            | ConsumerListOffsetsAnswered { .. }
            | ConsumerValidating { .. }
            | ConsumerValidated { .. }
            | ConsumerSeeked { .. }
            | ConsumerLeaderUnknown { .. }
            | LinkHealed { .. }
            | ReplicaStalled { .. }
            | ReplicaResumed { .. }
            | BrokerResumed { .. }
            | TopicCreated { .. }
            | TriggerFired { .. }
            | ElectLeadersAnswered { .. }
            | LeaderImbalanceChecked { .. }
            | BrokerAdded { .. }
            | ReplicaDeleted { .. }
            | ControllerRestarted { .. }
            | QuorumRestored { .. }
            | GroupRebalanceStarted { .. }
            | GroupStabilized { .. }
            | OffsetsCommitted { .. }
            | GroupCoordinatorFound { .. }
            | GroupCoordinatorLost { .. }
            | GroupRequestFailed { .. }
            | ConsumerStartedFrom { .. }
            | ConsumerStoppedPolling { .. }
            | ConfigChanged { .. } => Severity::Info,
        }
    }

    /// Routine client traffic: acknowledgements, consumer fetches, retries and failed connection
    /// attempts (each retry says why; what a retried send comes to is its own event). The event log
    /// can hide them.
    pub fn is_routine(&self) -> bool {
        matches!(
            self,
            EventKind::ProduceAcked { .. }
                | EventKind::ConsumerFetched { .. }
                | EventKind::ProduceRetried { .. }
                | EventKind::ProducerConnectionFailed { .. }
                | EventKind::ProduceRequestSent { .. }
                | EventKind::OffsetsCommitted { .. }
        )
    }

    /// How records reach the followers and become committed: leader appends, follower fetches and
    /// high-watermark advances. Many per record; the event log shows them on request.
    pub fn is_replication(&self) -> bool {
        matches!(
            self,
            EventKind::LeaderAppended { .. }
                | EventKind::FollowerFetched { .. }
                | EventKind::HighWatermarkAdvanced { .. }
        )
    }
}
