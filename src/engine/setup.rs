//! What a scenario is made of: config + seed + timed commands (kafka-model §10), the one shape behind
//! the runner, the binary code, share links and lessons. These are plain data; [`rules`](super::rules)
//! says which values are valid, and [`Engine::new`](super::Engine::new) refuses any other. The
//! serde derives are the binary code's layout (`src/scenario/code.rs`); they validate nothing.

use super::command::{Command, TopicSpec};
use super::config::{BrokerConfig, ConsumerConfig, NetworkConfig, ProducerConfig};
use super::ids::{BrokerId, Millis};
use super::limits::LIMITS;
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::marker::PhantomData;

/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub format: u32,
    pub seed: u64,
    pub cluster: ClusterSpec,
    #[serde(deserialize_with = "topics_bounded")]
    pub topics: Vec<TopicSpec>,
    #[serde(deserialize_with = "clients_bounded")]
    pub producers: Vec<ProducerSpec>,
    #[serde(deserialize_with = "clients_bounded")]
    pub consumers: Vec<ConsumerSpec>,
    /// In time order.
    #[serde(deserialize_with = "commands_bounded")]
    pub commands: Vec<TimedCommand>,
    /// Where the runner stops unless told otherwise.
    pub until_ms: Millis,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    #[serde(deserialize_with = "brokers_bounded")]
    pub brokers: Vec<BrokerSpec>,
    #[serde(default)]
    pub config: BrokerConfig,
    #[serde(default)]
    pub network: NetworkConfig,
    /// Cluster features (`kafka-features.sh`). Not in the postcard code of a scenario (positional:
    /// old links would no longer read): a link carries them in their own section and the JSON format
    /// as `cluster.features`, each only when not the default.
    #[serde(skip)]
    pub features: ClusterFeatures,
}

/// The finalized feature levels the playground models (kafka-model §4.9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClusterFeatures {
    /// `eligible.leader.replicas.version`: 0 (4.0's default) or 1 (Eligible Leader Replicas on).
    pub eligible_leader_replicas_version: u16,
}

impl ClusterFeatures {
    pub fn elr_enabled(self) -> bool {
        self.eligible_leader_replicas_version >= 1
    }
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
                features: ClusterFeatures::default(),
            },
            topics: Vec::new(),
            producers: Vec::new(),
            consumers: Vec::new(),
            commands: Vec::new(),
            until_ms,
        }
    }
}

/// A list read with at most `max` entries: a binary code can claim any length, and its entries can
/// be far smaller encoded than in memory, so a longer list is refused as soon as it passes the
/// bound, before it is held (the scenario check would refuse it anyway, later).
fn bounded<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    de: D,
    max: usize,
    what: &'static str,
) -> Result<Vec<T>, D::Error> {
    struct Bounded<T> {
        max: usize,
        what: &'static str,
        entries: PhantomData<T>,
    }
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Bounded<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "at most {} {}", self.max, self.what)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element()? {
                if items.len() == self.max {
                    return Err(serde::de::Error::custom(format_args!("more than {} {}", self.max, self.what)));
                }
                items.push(item);
            }
            Ok(items)
        }
    }
    de.deserialize_seq(Bounded { max, what, entries: PhantomData })
}

fn brokers_bounded<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<BrokerSpec>, D::Error> {
    bounded(de, LIMITS.brokers_max, "brokers")
}

/// Every topic has a replica at least.
fn topics_bounded<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<TopicSpec>, D::Error> {
    bounded(de, LIMITS.replicas_max as usize, "topics")
}

fn clients_bounded<'de, D: Deserializer<'de>, T: Deserialize<'de>>(de: D) -> Result<Vec<T>, D::Error> {
    bounded(de, LIMITS.clients_max, "clients")
}

fn commands_bounded<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<TimedCommand>, D::Error> {
    bounded(de, LIMITS.commands_max, "commands")
}

/// In JSON the command's name sits beside `at_ms` (`{"at_ms": 0, "consume": {...}}`); the JSON
/// reader handles that, so the derives stay plain for the binary code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedCommand {
    pub at_ms: Millis,
    pub command: Command,
}
