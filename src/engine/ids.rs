//! Identifiers. Kafka's own ids are small integers; we keep them as newtypes so a broker id can never
//! be passed where a partition index is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `node.id` of a broker (kafka-model §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BrokerId(pub u32);

impl fmt::Display for BrokerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Index of a partition in the engine's partition table (all topics, in creation order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PartitionIdx(pub u32);

/// Index of a topic in the engine's topic table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TopicIdx(pub u32);

/// Index of a producer or consumer in the scenario's client list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientIdx(pub u32);

/// Leader epoch (kafka-model §3.2): bumped by every record that sets the leader field.
pub type LeaderEpoch = u32;
/// Partition epoch: bumped by every partition change record.
pub type PartitionEpoch = u32;
/// Broker epoch: the controller's metadata offset at registration (kafka-model §2.3.1).
pub type BrokerEpoch = u64;
/// Log offset, 0-based (kafka-model §0).
pub type Offset = u64;
/// Simulated milliseconds since the scenario started.
pub type Millis = u64;

/// Unique id of a record as the application produced it. A non-idempotent retry appends a second copy
/// with the same id; that is how duplicates are recognised by the checks.
pub type RecordId = u64;

/// A node of the simulated network (kafka-model §10: links between any two nodes can be cut).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeId {
    Controller,
    Broker(BrokerId),
    Producer(ClientIdx),
    Consumer(ClientIdx),
    /// A separate KRaft controller of a quorum of several, by `node.id` (kafka-model §2.2). A lone
    /// controller is `Controller`, which is also where brokers address the active one.
    ControllerNode(u32),
}
