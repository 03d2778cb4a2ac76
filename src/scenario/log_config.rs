//! A topic's retention and segment settings (`retention.ms`, `retention.bytes`, `segment.ms`,
//! `segment.bytes`) in the formats. They are not in the postcard code of a scenario (positional:
//! a new field would break every older link): the JSON format reads and writes them beside serde,
//! under their Kafka names, and a link carries them in its own section, each only when some value
//! differs from Kafka's default, so scenarios without them read and write as before.

use super::session_code::{put_varint, Bytes};
use super::ScenarioError;
use crate::engine::{join, LogConfig, TopicSpec};
use serde_json::{Map, Value};

/// The settings' Kafka names, in the order a link's section writes them.
const KEYS: [&str; 4] = ["retention.ms", "retention.bytes", "segment.ms", "segment.bytes"];

/// Takes the settings out of a topic's JSON `config` (so serde reads the rest), each located by
/// its key on error.
pub(super) fn take_from_json(path: &str, config: &mut Map<String, Value>) -> Result<LogConfig, ScenarioError> {
    let mut log = LogConfig::default();
    for key in KEYS {
        let Some(v) = config.remove(key) else { continue };
        let here = join(path, key);
        match key {
            "retention.ms" => log.retention_ms = super::json::typed(&here, v)?,
            "retention.bytes" => log.retention_bytes = super::json::typed(&here, v)?,
            "segment.ms" => log.segment_ms = super::json::typed(&here, v)?,
            _ => log.segment_bytes = super::json::typed(&here, v)?,
        }
    }
    Ok(log)
}

/// A topic as the JSON format writes it: as serde writes it while its settings are the defaults,
/// else with those that differ in its `config`.
#[derive(serde::Serialize)]
#[serde(untagged)]
pub(super) enum TopicJson<'a> {
    Default(&'a TopicSpec),
    Set(Value),
}

pub(super) fn topic_json(topic: &TopicSpec) -> TopicJson<'_> {
    if topic.config.log == LogConfig::default() {
        return TopicJson::Default(topic);
    }
    let mut value = serde_json::to_value(topic).unwrap_or(Value::Null);
    let (log, default) = (topic.config.log, LogConfig::default());
    if let Some(Value::Object(config)) = value.get_mut("config") {
        let pairs = [
            (KEYS[0], log.retention_ms != default.retention_ms, Value::from(log.retention_ms)),
            (KEYS[1], log.retention_bytes != default.retention_bytes, Value::from(log.retention_bytes)),
            (KEYS[2], log.segment_ms != default.segment_ms, Value::from(log.segment_ms)),
            (KEYS[3], log.segment_bytes != default.segment_bytes, Value::from(log.segment_bytes)),
        ];
        for (key, differs, v) in pairs {
            if differs {
                config.insert(key.to_string(), v);
            }
        }
    }
    TopicJson::Set(value)
}

/// The topics section's body, or `None` when every topic has the default settings: for each topic
/// that differs, varints of its index, `retention.ms + 1`, `retention.bytes + 1` (-1, no limit,
/// is 0), `segment.ms` and `segment.bytes`, in increasing index order.
pub(super) fn write_section(topics: &[TopicSpec]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    for (i, t) in topics.iter().enumerate() {
        let log = t.config.log;
        if log != LogConfig::default() {
            put_varint(&mut body, i as u64);
            // The engine's rules keep both at -1 or above.
            put_varint(&mut body, log.retention_ms.wrapping_add(1) as u64);
            put_varint(&mut body, log.retention_bytes.wrapping_add(1) as u64);
            put_varint(&mut body, log.segment_ms);
            put_varint(&mut body, log.segment_bytes);
        }
    }
    (!body.is_empty()).then_some(body)
}

/// Applies the topics section; the values are checked with the scenario afterwards.
pub(super) fn read_section(topics: &mut [TopicSpec], body: &[u8]) -> Result<(), ScenarioError> {
    let malformed = |reason: &str| ScenarioError { path: "topics".into(), reason: reason.into() };
    let mut bytes = Bytes(body);
    let mut next = 0;
    while !bytes.0.is_empty() {
        let values: Option<Vec<u64>> = (0..5).map(|_| bytes.varint()).collect();
        let Some(&[i, retention_ms, retention_bytes, segment_ms, segment_bytes]) = values.as_deref() else {
            return Err(malformed("it ends inside a topic's settings"));
        };
        let i = usize::try_from(i).ok().filter(|i| *i >= next && *i < topics.len());
        let Some(i) = i else {
            return Err(malformed("a topic index out of order or past the scenario's topics"));
        };
        let signed =
            |v: u64, key: &str| i64::try_from(v).map(|v| v - 1).map_err(|_| malformed(&format!("{key} out of range")));
        topics[i].config.log = LogConfig {
            retention_ms: signed(retention_ms, KEYS[0])?,
            retention_bytes: signed(retention_bytes, KEYS[1])?,
            segment_ms,
            segment_bytes,
        };
        next = i + 1;
    }
    Ok(())
}
