//! The replication engine: a pure, deterministic simulation of Kafka 4.x partition leadership and
//! replication (`../shared/kafka-model.md`). No I/O, no clock, no threads: see `engine.rs`.

pub mod broker;
pub mod catalog;
pub mod command;
pub mod config;
pub mod consumer;
pub mod controller;
pub mod ctx;
#[allow(clippy::module_inception)]
pub mod engine;
pub mod event;
pub mod explain;
pub mod ids;
pub mod log;
pub mod message;
pub mod metadata;
pub mod murmur2;
pub mod network;
pub mod producer;
pub mod queue;
pub mod replica;
pub mod safety;
pub mod snapshot;
pub mod timer;
pub mod view;

pub use command::Command;
pub use engine::{CommandError, Engine};
pub use view::{ClusterView, ViewOptions};

/// The engine's map: a sorted vector. Deterministic iteration like `BTreeMap`, with a fraction of
/// its code in the wasm bundle; the engine's maps are small or filled in key order.
pub type Map<K, V> = litemap::LiteMap<K, V>;
