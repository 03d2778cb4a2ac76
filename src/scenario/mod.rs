//! The scenario format: config + seed + timed commands, the one format behind the runner, the share
//! link and the lessons. `docs/scenario-format.md` documents it; `parse` validates it.

mod code;
mod parse;

pub use code::{decode, encode};
pub use parse::{
    check_topic_name, from_value, parse, ScenarioError, COMMAND_NAMES, DEFAULT_SETTLE_MS, MAX_BROKERS, MAX_BROKER_ID,
    MAX_CLIENTS, MAX_COMMANDS, MAX_CONFIG_COUNT, MAX_CONFIG_MS, MAX_LATENCY_MS, MAX_NAME_BYTES, MAX_PARTITIONS,
    MAX_PARTITIONS_PER_TOPIC, MAX_PRODUCE_COUNT, MAX_TEXT_BYTES, MAX_TIME_MS,
};

use crate::engine::command::{Command, TopicSpec};
use crate::engine::config::{BrokerConfig, ConsumerConfig, NetworkConfig, ProducerConfig};
use crate::engine::ids::{BrokerId, Millis};
use serde::{Deserialize, Serialize};

/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A validated scenario. Build it with [`parse`] (JSON) or [`decode`] (its binary code); every
/// reference in it resolves. (The serde derives are the binary code's layout; they do not validate.)
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

/// In JSON the command's name sits beside `at_ms` (`{"at_ms": 0, "consume": {...}}`); `parse` and
/// `to_json` handle that, so the derives stay plain for the binary code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedCommand {
    pub at_ms: Millis,
    pub command: Command,
}
