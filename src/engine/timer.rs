//! Timers nodes set for themselves (kafka-model §10, the event catalogue).

use super::ids::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    // Broker
    /// Registration or heartbeat, every `broker.heartbeat.interval.ms`.
    BrokerTick,
    /// The `isr-expiration` task, every `replica.lag.time.max.ms / 2`.
    IsrExpiration,
    /// `replica.high.watermark.checkpoint.interval.ms`.
    HwCheckpoint,
    FetchBackoffDone {
        leader: BrokerId,
    },
    FetchTimeout {
        leader: BrokerId,
        request_id: u64,
    },
    /// Controlled shutdown: the controller said SHUTDOWN_NOW.
    FinishShutdown,
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
    // Controller
    SessionExpiry {
        broker: BrokerId,
    },
    UncleanSweep,
    // Producer
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
    // Producer and consumer
    RequestTimeout {
        request_id: u64,
    },
    MetadataBackoffDone,
    // Consumer
    FetchBackoffDoneFor {
        broker: BrokerId,
    },
}
