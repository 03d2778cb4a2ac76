//! What a scenario is made of: config + seed + timed commands (kafka-model §10), the one shape behind
//! the runner, the binary code, share links and lessons. These are plain data; [`rules`](super::rules)
//! says which values are valid, and [`Engine::new`](super::Engine::new) refuses any other. The
//! serde derives are the binary code's layout (`src/scenario/code.rs`); they validate nothing.

use super::command::{Command, TopicSpec};
use super::config::{BrokerConfig, ConsumerConfig, NetworkConfig, ProducerConfig};
use super::ids::{BrokerId, Millis};
use serde::{Deserialize, Serialize};

/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub format: u32,
    pub seed: u64,
    pub cluster: ClusterSpec,
    pub topics: Vec<TopicSpec>,
    pub producers: Vec<ProducerSpec>,
    pub consumers: Vec<ConsumerSpec>,
    /// In time order.
    pub commands: Vec<TimedCommand>,
    /// Where the runner stops unless told otherwise.
    pub until_ms: Millis,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    pub brokers: Vec<BrokerSpec>,
    #[serde(default)]
    pub config: BrokerConfig,
    #[serde(default)]
    pub network: NetworkConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerSpec {
    pub id: BrokerId,
    /// `broker.rack`; empty = none.
    #[serde(default)]
    pub rack: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerSpec {
    pub name: String,
    #[serde(default)]
    pub config: ProducerConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerSpec {
    pub name: String,
    #[serde(default)]
    pub config: ConsumerConfig,
}

impl Scenario {
    /// The smallest valid scenario: one broker (id 1, no rack), no topics, no clients, no commands.
    /// What a page keeps once a playground is gone, and a start for tests.
    pub fn one_broker(seed: u64, until_ms: Millis) -> Scenario {
        Scenario {
            format: FORMAT_VERSION,
            seed,
            cluster: ClusterSpec {
                brokers: vec![BrokerSpec { id: BrokerId(1), rack: String::new() }],
                config: BrokerConfig::default(),
                network: NetworkConfig::default(),
            },
            topics: Vec::new(),
            producers: Vec::new(),
            consumers: Vec::new(),
            commands: Vec::new(),
            until_ms,
        }
    }
}

/// In JSON the command's name sits beside `at_ms` (`{"at_ms": 0, "consume": {...}}`); the JSON
/// reader handles that, so the derives stay plain for the binary code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedCommand {
    pub at_ms: Millis,
    pub command: Command,
}
