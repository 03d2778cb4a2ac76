//! The invariants of kafka-model §8.5 by name: what the safety checker checks, the events report
//! and the safety panel shows. A leaf: it knows nothing else of the engine.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Invariant {
    LeaderCompleteness,
    CandidateCompleteness,
    ReplicationQuorumSuperset,
    LogMatching,
    NoAcknowledgedLoss,
    ConsumerReadStability,
    HighWatermarkSanity,
    EpochMonotonicity,
    IsrWellFormed,
    ZombieContainment,
    ElrWellFormed,
    ControllerQuorum,
    /// Consumer groups (kafka-model §6.4).
    GroupExclusiveOwnership,
    CommittedOffsetWithinHighWatermark,
}

impl Invariant {
    pub const ALL: [Invariant; 14] = [
        Invariant::LeaderCompleteness,
        Invariant::CandidateCompleteness,
        Invariant::ReplicationQuorumSuperset,
        Invariant::LogMatching,
        Invariant::NoAcknowledgedLoss,
        Invariant::ConsumerReadStability,
        Invariant::HighWatermarkSanity,
        Invariant::EpochMonotonicity,
        Invariant::IsrWellFormed,
        Invariant::ZombieContainment,
        Invariant::ElrWellFormed,
        Invariant::ControllerQuorum,
        Invariant::GroupExclusiveOwnership,
        Invariant::CommittedOffsetWithinHighWatermark,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Invariant::LeaderCompleteness => "Leader completeness",
            Invariant::CandidateCompleteness => "Candidate completeness",
            Invariant::ReplicationQuorumSuperset => "Replication-quorum superset",
            Invariant::LogMatching => "Log matching",
            Invariant::NoAcknowledgedLoss => "No acknowledged acks=all loss",
            Invariant::ConsumerReadStability => "Consumer read stability",
            Invariant::HighWatermarkSanity => "High watermark sanity",
            Invariant::EpochMonotonicity => "Epoch monotonicity",
            Invariant::IsrWellFormed => "ISR well-formed",
            Invariant::ZombieContainment => "Zombie containment",
            Invariant::ElrWellFormed => "ELR well-formed",
            Invariant::ControllerQuorum => "Controller quorum",
            Invariant::GroupExclusiveOwnership => "Group exclusive ownership",
            Invariant::CommittedOffsetWithinHighWatermark => "Committed offset within the HW",
        }
    }

    /// kafka-model §8.5, in a sentence.
    pub fn description(self) -> &'static str {
        match self {
            Invariant::LeaderCompleteness => "Every newly elected leader has every committed record.",
            Invariant::CandidateCompleteness => "Every member of the controller's ISR holds every committed record.",
            Invariant::ReplicationQuorumSuperset => {
                "The controller's ISR is within the leader's maximal ISR while the ISR meets min.insync.replicas."
            }
            Invariant::LogMatching => "Below their high watermarks, all replicas hold the same records.",
            Invariant::NoAcknowledgedLoss => "A record acknowledged with acks=all is never lost.",
            Invariant::ConsumerReadStability => "A record a consumer read at an offset stays at that offset.",
            Invariant::HighWatermarkSanity => "A leader's HW never decreases in its epoch; HW <= LEO everywhere.",
            Invariant::EpochMonotonicity => "Leader and partition epochs never decrease; one leader per epoch.",
            Invariant::IsrWellFormed => {
                "Leader in ISR, ISR within replicas, no fenced broker in the ISR (but the last)."
            }
            Invariant::ZombieContainment => "Records of a stale leader are never served to consumers.",
            Invariant::ElrWellFormed => {
                "ELR and ISR disjoint, ELR within replicas, no ELR while the ISR meets min.insync.replicas or with \
                 the feature off, no last known leader beside a leader."
            }
            Invariant::ControllerQuorum => {
                "One active controller per epoch; a new one holds every committed metadata record."
            }
            Invariant::GroupExclusiveOwnership => {
                "No partition is owned by two members of one consumer group in the same generation."
            }
            Invariant::CommittedOffsetWithinHighWatermark => {
                "A committed offset is never beyond the high watermark its partition has reached."
            }
        }
    }
}
