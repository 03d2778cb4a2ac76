//! Partition Playground: a deterministic simulation of Kafka partition leadership and replication.
//!
//! - [`engine`]: the pure, sans-IO simulation (no I/O, clock, threads or wasm types).
//! - [`scenario`]: the one format (config + seed + timed commands) behind the runner, links and lessons.
//! - [`layout`]: the diagram's geometry, a pure function of the cluster's shape.
//! - [`page`]: the page's logic that needs no DOM (speed, clock, event log, forms, URL), tested natively.
//! - `web` (wasm32 only): the page; turns DOM events into commands and views into SVG.

pub mod engine;
pub mod export;
pub mod layout;
pub mod page;
pub mod scenario;
pub mod svg;
#[cfg(target_arch = "wasm32")]
pub mod web;
