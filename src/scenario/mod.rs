//! The scenario's formats: JSON with errors that name the field (`parse`), and the compact binary
//! code the page embeds and links carry (`encode`, `decode`). Both only convert: what a valid
//! scenario is, the engine says (`engine::check_scenario`), and both end there.
//! `docs/scenario-format.md` documents the format.

mod code;
mod code_reader;
mod json;
mod lesson;
pub mod lesson_index;
pub mod link;
mod log_config;
mod range_coder;
mod session_code;

pub use crate::engine::{
    BrokerSpec, ClusterSpec, ConsumerSpec, ProducerSpec, Scenario, ScenarioError, TimedCommand, FORMAT_VERSION,
};
pub use code::{decode, encode};
pub use json::{from_value, parse, COMMAND_NAMES, DEFAULT_SETTLE_MS};
pub use lesson::{decode_lesson, encode_lesson, parse_lesson};
pub use link::{
    inflate_link_code, link_code, link_data_base64, link_data_bytes, link_message, link_text, make_link, read_link,
    read_link_code, read_link_header, read_link_message, Link, LinkError, LinkHeader, LINK_FORMAT, LINK_INFLATED_MAX,
    LINK_TEXT_MAX,
};
