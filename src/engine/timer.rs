//! Timers nodes set for themselves (kafka-model §10, the event catalogue). Each kind of node has its
//! own timer type, so a handler matches only timers it can be given.

use super::ids::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokerTimer {
    /// Registration or heartbeat, every `broker.heartbeat.interval.ms`.
    Tick,
    /// The `isr-expiration` task, every `replica.lag.time.max.ms / 2`.
    IsrExpiration,
    /// `replica.high.watermark.checkpoint.interval.ms`.
    HwCheckpoint,
    FetchBackoffDone {
        leader: BrokerId,
    },
    /// The follower fetch to `leader` may have timed out (`replica.socket.timeout.ms`).
    FetchTimeout {
        leader: BrokerId,
    },
    /// Controlled shutdown: the controller said SHUTDOWN_NOW.
    FinishShutdown,
    /// Controlled shutdown: ask again, the controller said "not yet".
    ShutdownHeartbeat,
    ParkedFetchExpired {
        park_id: u64,
    },
    ProduceExpired {
        park_id: u64,
    },
    AlterPartitionTimeout {
        partition: PartitionIdx,
        request_id: u64,
    },
    /// `LogManager`'s `kafka-log-retention` task, every `log.retention.check.interval.ms`.
    RetentionCheck,
    /// A coordinated group's member sessions and rebalance deadline (kafka-model §6.4).
    GroupCheck {
        partition: PartitionIdx,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControllerTimer {
    SessionExpiry {
        broker: BrokerId,
    },
    /// `unclean.leader.election.interval.ms`.
    UncleanSweep,
    /// `leader.imbalance.check.interval.seconds` (kafka-model §3.8).
    LeaderImbalanceCheck,
    /// The quorum's next election is decided (kafka-model §2.2); `seq` tells a superseded one.
    QuorumElection {
        seq: u32,
    },
    /// The active controller of `epoch` checks that a majority still fetches from it.
    CheckQuorum {
        epoch: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProducerTimer {
    Linger {
        partition: PartitionIdx,
        batch: u64,
    },
    RetryBackoffDone {
        partition: PartitionIdx,
    },
    DeliveryTimeout {
        batch: u64,
    },
    RequestTimeout {
        request_id: u64,
    },
    MetadataBackoffDone,
    /// `socket.connection.setup.timeout.ms` of the connection attempt `request_id` to `broker`.
    ConnectTimeout {
        broker: BrokerId,
        request_id: u64,
    },
    /// `reconnect.backoff.ms` after a failed connection attempt to `broker` ended.
    ReconnectBackoffDone {
        broker: BrokerId,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumerTimer {
    /// A metadata, ListOffsets or OffsetsForLeaderEpoch request may have timed out.
    RequestTimeout {
        request_id: u64,
    },
    /// The fetch to `broker` may have timed out.
    FetchTimeout {
        broker: BrokerId,
    },
    MetadataBackoffDone,
    /// A group member's heartbeat thread, every `heartbeat.interval.ms` (kafka-model §6.4).
    GroupHeartbeat,
    /// `auto.commit.interval.ms`.
    AutoCommit,
    /// FindCoordinator again after `retry.backoff.ms`.
    CoordinatorBackoffDone,
    FetchBackoffDone {
        broker: BrokerId,
    },
    /// A failed ListOffsets or OffsetsForLeaderEpoch may be retried (`retry.backoff.ms`).
    RetryBackoffDone,
}

/// A timer on the agenda: one of a node kind's own. `Ctx::set_timer` stamps it with the node that
/// set it, and only that node gets it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Broker(BrokerTimer),
    Controller(ControllerTimer),
    Producer(ProducerTimer),
    Consumer(ConsumerTimer),
}

impl From<BrokerTimer> for Timer {
    fn from(t: BrokerTimer) -> Self {
        Timer::Broker(t)
    }
}

impl From<ControllerTimer> for Timer {
    fn from(t: ControllerTimer) -> Self {
        Timer::Controller(t)
    }
}

impl From<ProducerTimer> for Timer {
    fn from(t: ProducerTimer) -> Self {
        Timer::Producer(t)
    }
}

impl From<ConsumerTimer> for Timer {
    fn from(t: ConsumerTimer) -> Self {
        Timer::Consumer(t)
    }
}
