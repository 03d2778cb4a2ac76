//! Every event's name (the runner's JSON, lessons, `when` triggers), which are about one
//! partition, and what an event is about: kept beside `event.rs`, whose enum they read.

use super::event::{ControllerEpoch, EventKind};
use super::ids::*;

impl EventKind {
    /// Every event's name as the runner's JSON and lessons write it (its serde tag), with whether
    /// events of that kind are about one partition (an invariant violation may be, or not).
    pub const NAMES: [(&'static str, bool); 92] = [
        ("broker_crashed", false),
        ("broker_started", false),
        ("broker_registered", false),
        ("registration_rejected", false),
        ("broker_fenced", false),
        ("broker_unfenced", false),
        ("controlled_shutdown_started", false),
        ("controlled_shutdown_granted", false),
        ("broker_shut_down", false),
        ("leader_elected", true),
        ("partition_offline", true),
        ("isr_shrunk", true),
        ("isr_expanded", true),
        ("isr_shrink_proposed", true),
        ("isr_expand_proposed", true),
        ("alter_partition_rejected", true),
        ("alter_partition_abandoned", true),
        ("became_leader", true),
        ("became_follower", true),
        ("log_truncated", true),
        ("leader_appended", true),
        ("follower_fetched", true),
        ("high_watermark_advanced", true),
        ("produce_acked", true),
        ("produce_deduplicated", true),
        ("produce_retried", true),
        ("produce_failed", true),
        ("producer_connection_failed", false),
        ("producer_request_timed_out", false),
        ("producer_reconfigured", false),
        ("consumer_fetched", true),
        ("consumer_redirected", true),
        ("consumer_left_replica", true),
        ("consumer_position_reset", true),
        ("records_lost", true),
        ("invariant_violated", true),
        ("link_cut", false),
        ("link_healed", false),
        ("link_cut_one_way", false),
        ("broker_paused", false),
        ("broker_resumed", false),
        ("replica_stalled", false),
        ("replica_resumed", false),
        ("topic_created", false),
        ("config_changed", false),
        ("command_rejected", false),
        ("trigger_fired", false),
        ("consumer_list_offsets", true),
        ("consumer_list_offsets_answered", true),
        ("consumer_validating", true),
        ("consumer_validated", true),
        ("consumer_failed", true),
        ("consumer_seeked", true),
        ("consumer_leader_unknown", true),
        ("produce_request_sent", false),
        ("producer_epoch_bumped", true),
        ("producer_state_unknown", true),
        ("broker_powered_off", false),
        ("unflushed_suffix_lost", true),
        ("unclean_shutdown_detected", false),
        ("elr_changed", true),
        ("leader_imbalance_checked", false),
        ("elect_leaders_answered", true),
        ("segments_deleted", true),
        ("log_start_offset_incremented", true),
        ("follower_offset_out_of_range", true),
        ("broker_added", false),
        ("reassignment_started", true),
        ("reassignment_completed", true),
        ("reassignment_cancelled", true),
        ("reassignment_refused", true),
        ("replica_deleted", true),
        ("controller_crashed", false),
        ("controller_restarted", false),
        ("controller_elected", false),
        ("controller_resigned", false),
        ("quorum_lost", false),
        ("quorum_restored", false),
        ("group_rebalance_started", false),
        ("group_join_completed", false),
        ("group_stabilized", false),
        ("group_member_removed", false),
        ("offsets_committed", false),
        ("group_coordinator_found", false),
        ("group_coordinator_lost", false),
        ("group_request_failed", false),
        ("partitions_assigned", false),
        ("partitions_revoked", false),
        ("consumer_started_from", true),
        ("consumer_crashed", false),
        ("consumer_stopped_polling", false),
        ("consumer_poll_timeout", false),
    ];

    /// The event's name, as in [`EventKind::NAMES`].
    pub fn name(&self) -> &'static str {
        use EventKind::*;
        match self {
            BrokerCrashed { .. } => "broker_crashed",
            BrokerStarted { .. } => "broker_started",
            BrokerRegistered { .. } => "broker_registered",
            RegistrationRejected { .. } => "registration_rejected",
            BrokerFenced { .. } => "broker_fenced",
            BrokerUnfenced { .. } => "broker_unfenced",
            ControlledShutdownStarted { .. } => "controlled_shutdown_started",
            ControlledShutdownGranted { .. } => "controlled_shutdown_granted",
            BrokerShutDown { .. } => "broker_shut_down",
            BrokerPoweredOff { .. } => "broker_powered_off",
            UnflushedSuffixLost { .. } => "unflushed_suffix_lost",
            UncleanShutdownDetected { .. } => "unclean_shutdown_detected",
            ElrChanged { .. } => "elr_changed",
            LeaderElected { .. } => "leader_elected",
            PartitionOffline { .. } => "partition_offline",
            IsrShrunk { .. } => "isr_shrunk",
            IsrExpanded { .. } => "isr_expanded",
            IsrShrinkProposed { .. } => "isr_shrink_proposed",
            IsrExpandProposed { .. } => "isr_expand_proposed",
            AlterPartitionRejected { .. } => "alter_partition_rejected",
            AlterPartitionAbandoned { .. } => "alter_partition_abandoned",
            BecameLeader { .. } => "became_leader",
            BecameFollower { .. } => "became_follower",
            LogTruncated { .. } => "log_truncated",
            LeaderAppended { .. } => "leader_appended",
            FollowerFetched { .. } => "follower_fetched",
            HighWatermarkAdvanced { .. } => "high_watermark_advanced",
            ProduceAcked { .. } => "produce_acked",
            ProduceDeduplicated { .. } => "produce_deduplicated",
            ProduceRetried { .. } => "produce_retried",
            ProduceFailed { .. } => "produce_failed",
            ProducerConnectionFailed { .. } => "producer_connection_failed",
            ProducerRequestTimedOut { .. } => "producer_request_timed_out",
            ProducerReconfigured { .. } => "producer_reconfigured",
            ConsumerFetched { .. } => "consumer_fetched",
            ConsumerRedirected { .. } => "consumer_redirected",
            ConsumerLeftReplica { .. } => "consumer_left_replica",
            ConsumerPositionReset { .. } => "consumer_position_reset",
            RecordsLost { .. } => "records_lost",
            InvariantViolated { .. } => "invariant_violated",
            LinkCut { .. } => "link_cut",
            LinkHealed { .. } => "link_healed",
            LinkCutOneWay { .. } => "link_cut_one_way",
            BrokerPaused { .. } => "broker_paused",
            BrokerResumed { .. } => "broker_resumed",
            ReplicaStalled { .. } => "replica_stalled",
            ReplicaResumed { .. } => "replica_resumed",
            TopicCreated { .. } => "topic_created",
            ConfigChanged { .. } => "config_changed",
            CommandRejected { .. } => "command_rejected",
            TriggerFired { .. } => "trigger_fired",
            ConsumerListOffsets { .. } => "consumer_list_offsets",
            ConsumerListOffsetsAnswered { .. } => "consumer_list_offsets_answered",
            ConsumerValidating { .. } => "consumer_validating",
            ConsumerValidated { .. } => "consumer_validated",
            ConsumerFailed { .. } => "consumer_failed",
            ConsumerSeeked { .. } => "consumer_seeked",
            ConsumerLeaderUnknown { .. } => "consumer_leader_unknown",
            ProduceRequestSent { .. } => "produce_request_sent",
            ProducerEpochBumped { .. } => "producer_epoch_bumped",
            ProducerStateUnknown { .. } => "producer_state_unknown",
            LeaderImbalanceChecked { .. } => "leader_imbalance_checked",
            ElectLeadersAnswered { .. } => "elect_leaders_answered",
            SegmentsDeleted { .. } => "segments_deleted",
            LogStartOffsetIncremented { .. } => "log_start_offset_incremented",
            FollowerOffsetOutOfRange { .. } => "follower_offset_out_of_range",
            BrokerAdded { .. } => "broker_added",
            ReassignmentStarted { .. } => "reassignment_started",
            ReassignmentCompleted { .. } => "reassignment_completed",
            ReassignmentCancelled { .. } => "reassignment_cancelled",
            ReassignmentRefused { .. } => "reassignment_refused",
            ReplicaDeleted { .. } => "replica_deleted",
            ControllerCrashed { .. } => "controller_crashed",
            ControllerRestarted { .. } => "controller_restarted",
            ControllerElected { .. } => "controller_elected",
            ControllerResigned { .. } => "controller_resigned",
            QuorumLost { .. } => "quorum_lost",
            QuorumRestored { .. } => "quorum_restored",
            GroupRebalanceStarted { .. } => "group_rebalance_started",
            GroupJoinCompleted { .. } => "group_join_completed",
            GroupStabilized { .. } => "group_stabilized",
            GroupMemberRemoved { .. } => "group_member_removed",
            OffsetsCommitted { .. } => "offsets_committed",
            GroupCoordinatorFound { .. } => "group_coordinator_found",
            GroupCoordinatorLost { .. } => "group_coordinator_lost",
            GroupRequestFailed { .. } => "group_request_failed",
            PartitionsAssigned { .. } => "partitions_assigned",
            PartitionsRevoked { .. } => "partitions_revoked",
            ConsumerStartedFrom { .. } => "consumer_started_from",
            ConsumerCrashed { .. } => "consumer_crashed",
            ConsumerStoppedPolling { .. } => "consumer_stopped_polling",
            ConsumerPollTimeout { .. } => "consumer_poll_timeout",
        }
    }

    /// Fills in the controller's leader epoch of the event's partition, for the events that carry
    /// one: what the engine knows and the broker that emitted the event may not (a stale leader).
    pub fn stamp_controller_epoch(&mut self, controller_epoch: impl Fn(PartitionIdx) -> Option<LeaderEpoch>) {
        use EventKind::*;
        match self {
            IsrShrinkProposed { partition, controller, .. }
            | IsrExpandProposed { partition, controller, .. }
            | LeaderAppended { partition, controller, .. }
            | BecameLeader { partition, controller, .. }
            | ProduceDeduplicated { partition, controller, .. } => {
                *controller = ControllerEpoch(controller_epoch(*partition))
            }
            _ => {}
        }
    }

    /// The partition the event is about, if it is about one.
    pub fn partition(&self) -> Option<PartitionIdx> {
        use EventKind::*;
        match self {
            LeaderElected { partition, .. }
            | PartitionOffline { partition, .. }
            | IsrShrunk { partition, .. }
            | IsrExpanded { partition, .. }
            | IsrShrinkProposed { partition, .. }
            | IsrExpandProposed { partition, .. }
            | AlterPartitionRejected { partition, .. }
            | AlterPartitionAbandoned { partition, .. }
            | BecameLeader { partition, .. }
            | BecameFollower { partition, .. }
            | LogTruncated { partition, .. }
            | LeaderAppended { partition, .. }
            | FollowerFetched { partition, .. }
            | HighWatermarkAdvanced { partition, .. }
            | ProduceAcked { partition, .. }
            | ProduceDeduplicated { partition, .. }
            | ProduceRetried { partition, .. }
            | ProduceFailed { partition, .. }
            | ConsumerFetched { partition, .. }
            | ConsumerRedirected { partition, .. }
            | ConsumerLeftReplica { partition, .. }
            | ConsumerPositionReset { partition, .. }
            | ConsumerListOffsets { partition, .. }
            | ConsumerListOffsetsAnswered { partition, .. }
            | ConsumerValidating { partition, .. }
            | ConsumerValidated { partition, .. }
            | ConsumerFailed { partition, .. }
            | ConsumerSeeked { partition, .. }
            | ConsumerLeaderUnknown { partition, .. }
            | ProducerEpochBumped { partition, .. }
            | ProducerStateUnknown { partition, .. }
            | UnflushedSuffixLost { partition, .. }
            | ElrChanged { partition, .. }
            | ElectLeadersAnswered { partition, .. }
            | SegmentsDeleted { partition, .. }
            | LogStartOffsetIncremented { partition, .. }
            | FollowerOffsetOutOfRange { partition, .. }
            | ReassignmentStarted { partition, .. }
            | ReassignmentCompleted { partition, .. }
            | ReassignmentCancelled { partition, .. }
            | ReassignmentRefused { partition, .. }
            | ReplicaDeleted { partition, .. }
            | ConsumerStartedFrom { partition, .. }
            | RecordsLost { partition, .. } => Some(*partition),
            InvariantViolated { partition, .. } => *partition,
            _ => None,
        }
    }
}
