//! Reading and validating a scenario. Every error names the field (a JSON path such as
//! `commands[3].crash_broker.broker`) and the reason; nothing here can panic on any input.
//!
//! Reading goes in two passes. The first turns JSON into typed values; when serde rejects an object,
//! [`located`] finds which key was at fault, so the error names the field rather than its parent.
//! The second checks what types cannot say: references, bounds, and Kafka's own config rules.

use super::*;
use crate::engine::command::{Command, NodeRef};
use crate::engine::config::{Acks, RACK_AWARE_REPLICA_SELECTOR};
use crate::engine::Map as SortedMap;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::fmt;

/// Bounds that keep any scenario cheap to load and run (TigerBeetle: a bound on every queue).
pub const MAX_BROKERS: usize = 256;
/// Broker ids are `0..=MAX_BROKER_ID`.
pub const MAX_BROKER_ID: u32 = 1_000_000;
pub const MAX_PARTITIONS_PER_TOPIC: u32 = 10_000;
pub const MAX_PARTITIONS: u32 = 100_000;
/// Producers, and separately consumers.
pub const MAX_CLIENTS: usize = 64;
pub const MAX_COMMANDS: usize = 100_000;
pub const MAX_PRODUCE_COUNT: u32 = 1_000_000;
/// A record's key or value.
pub const MAX_TEXT_BYTES: usize = 1_024;
/// Client names and racks.
pub const MAX_NAME_BYTES: usize = 64;
/// No scenario runs longer than 30 days of simulated time.
pub const MAX_TIME_MS: Millis = 30 * 24 * 3_600_000;
/// No timeout, interval or backoff is longer than a day.
pub const MAX_CONFIG_MS: u64 = 24 * 3_600_000;
/// Byte and record counts in configs fit Kafka's `int`.
pub const MAX_CONFIG_COUNT: u64 = i32::MAX as u64;
/// One-way network latency and jitter.
pub const MAX_LATENCY_MS: u64 = 60_000;
/// How long a scenario runs after its last command when it does not say `until_ms`.
pub const DEFAULT_SETTLE_MS: Millis = 30_000;

/// The command names of the format, in the order the documentation lists them.
pub const COMMAND_NAMES: [&str; 10] = [
    "produce",
    "consume",
    "crash_broker",
    "restart_broker",
    "controlled_shutdown",
    "cut_link",
    "heal_link",
    "slow_replica",
    "create_topic",
    "change_config",
];

const TOP_LEVEL_KEYS: [&str; 8] =
    ["format", "seed", "cluster", "topics", "producers", "consumers", "commands", "until_ms"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// JSON path of the offending field, e.g. `commands[3].crash_broker.broker`; empty for the whole
    /// document (e.g. not JSON at all).
    pub path: String,
    pub reason: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{}: {}", self.path, self.reason)
        }
    }
}

impl std::error::Error for ScenarioError {}

fn err<T>(path: impl Into<String>, reason: impl Into<String>) -> Result<T, ScenarioError> {
    Err(ScenarioError { path: path.into(), reason: reason.into() })
}

/// Topic names as Kafka accepts them: `[A-Za-z0-9._-]{1,249}`, not `.` or `..`.
pub fn check_topic_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a topic name cannot be empty".into());
    }
    if name.len() > 249 {
        return Err(format!("a topic name has at most 249 characters (this one has {})", name.len()));
    }
    if name == "." || name == ".." {
        return Err("a topic name cannot be \".\" or \"..\"".into());
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        return Err(format!("a topic name may only contain ASCII letters, digits, '.', '_' and '-' (found {c:?})"));
    }
    Ok(())
}

/// Client names and racks: short, printable, no separators that would confuse node names.
fn check_name(path: &str, what: &str, name: &str) -> Result<(), ScenarioError> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return err(path, format!("a {what} has 1 to {MAX_NAME_BYTES} characters"));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        return err(path, format!("a {what} may only contain ASCII letters, digits, '.', '_' and '-' (found {c:?})"));
    }
    Ok(())
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Turns serde's message for a field into ours: serde names types (`u32`), we name what is expected.
fn reword(message: &str) -> String {
    let message = message
        .replace("expected u8", "expected a whole number from 0 to 255")
        .replace("expected u16", "expected a whole number from 0 to 65535")
        .replace("expected u32", "expected a whole number from 0 to 4294967295")
        .replace("expected u64", "expected a whole number from 0 to 18446744073709551615")
        .replace("expected a boolean", "expected true or false")
        .replace("expected a string", "expected a string (in double quotes)");
    // `unknown variant `2`, expected one of ...` reads fine; so do the rest.
    message
}

/// Deserializes the object `value` with `de`; on failure, names the key at fault.
///
/// serde reports the first bad field of a map without naming it. Removing the key at fault changes
/// the error (to the next one, to "missing field", or to none); removing any other key does not. One
/// deserialization per key, and only on the error path.
fn located<T>(
    path: &str,
    value: Value,
    de: impl Fn(Value) -> Result<T, serde_json::Error>,
) -> Result<T, ScenarioError> {
    let first = match de(value.clone()) {
        Ok(v) => return Ok(v),
        Err(e) => e.to_string(),
    };
    let Value::Object(obj) = value else {
        return err(path, format!("expected an object, found {}", json_type(&value)));
    };
    if let Some(rest) = first.strip_prefix("unknown field `") {
        // `unknown field `x`, expected one of `a`, `b``
        if let Some((key, expected)) = rest.split_once('`') {
            let expected = expected.trim_start_matches(',').trim();
            return err(join(path, key), format!("unknown field; {expected}"));
        }
    }
    if let Some(rest) = first.strip_prefix("missing field `") {
        // serde checks required fields after every present one was read: none of those is at fault.
        let key = rest.trim_end_matches('`');
        return err(join(path, key), "missing (required)");
    }
    for key in obj.keys() {
        let mut without = obj.clone();
        without.remove(key);
        let changed = match de(Value::Object(without)) {
            Ok(_) => true,
            Err(e) => e.to_string() != first,
        };
        if changed {
            return err(join(path, key), with_found(&first, &obj[key]));
        }
    }
    err(path, reword(&first))
}

/// serde's message, plus the value found unless the message quotes it already.
fn with_found(message: &str, found: &Value) -> String {
    if message.contains('`') || message.contains('"') {
        reword(message)
    } else {
        format!("{} (found {})", reword(message), short(found))
    }
}

/// A value as it appeared, cut short for messages.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

fn typed<T: DeserializeOwned>(path: &str, value: Value) -> Result<T, ScenarioError> {
    serde_json::from_value(value.clone())
        .map_err(|e| ScenarioError { path: path.to_string(), reason: with_found(&e.to_string(), &value) })
}

fn object(path: &str, value: Value) -> Result<Map<String, Value>, ScenarioError> {
    match value {
        Value::Object(obj) => Ok(obj),
        other => err(path, format!("expected an object, found {}", json_type(&other))),
    }
}

fn list(path: &str, value: Option<Value>) -> Result<Vec<Value>, ScenarioError> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => err(path, format!("expected a list, found {}", json_type(&other))),
    }
}

/// Kafka users write `acks=1` as a number too; the format's canonical spelling is a string (a
/// number other than 0, 1, -1 then fails as an unknown variant, which lists the accepted values).
fn normalize_acks(obj: &mut Map<String, Value>) {
    if let Some(Value::Number(n)) = obj.get("acks") {
        let s = n.to_string();
        obj.insert("acks".into(), Value::String(s));
    }
}

/// The fields of each command's body. serde ignores unknown fields in the body of an enum's struct
/// variant, so they are checked here.
fn command_fields(name: &str) -> &'static [&'static str] {
    match name {
        "produce" => &["producer", "topic", "key", "value", "count", "partition", "acks"],
        "consume" => &["consumer", "topic"],
        "crash_broker" | "restart_broker" | "controlled_shutdown" => &["broker"],
        "cut_link" | "heal_link" => &["between"],
        "slow_replica" => &["broker", "stalled"],
        "create_topic" => &["name", "partitions", "replication.factor", "config"],
        "change_config" => {
            &["topic", "consumer", "min.insync.replicas", "unclean.leader.election.enable", "client.rack"]
        }
        _ => &[],
    }
}

/// Reads a scenario from JSON text.
pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ScenarioError { path: String::new(), reason: format!("not valid JSON: {e}") })?;
    from_value(value)
}

/// Reads a scenario from a JSON value (the share link decodes to one).
pub fn from_value(value: Value) -> Result<Scenario, ScenarioError> {
    let Value::Object(mut top) = value else {
        return err("", format!("a scenario is a JSON object, not {}", json_type(&value)));
    };
    if let Some(key) = top.keys().find(|k| !TOP_LEVEL_KEYS.contains(&k.as_str())) {
        return err(key.clone(), format!("unknown field; expected one of {}", TOP_LEVEL_KEYS.join(", ")));
    }
    let format: u32 = match top.remove("format") {
        Some(v) => typed("format", v)?,
        None => return err("format", format!("missing (required; this playground reads format {FORMAT_VERSION})")),
    };
    if format != FORMAT_VERSION {
        return err("format", format!("this playground reads format {FORMAT_VERSION}, not {format}"));
    }
    let seed: u64 = match top.remove("seed") {
        Some(v) => typed("seed", v)?,
        None => 0,
    };
    let cluster = match top.remove("cluster") {
        Some(v) => read_cluster(v)?,
        None => return err("cluster", "missing (required)"),
    };
    let topics = list("topics", top.remove("topics"))?
        .into_iter()
        .enumerate()
        .map(|(i, v)| read_topic(&format!("topics[{i}]"), v))
        .collect::<Result<Vec<_>, _>>()?;
    let producers = list("producers", top.remove("producers"))?
        .into_iter()
        .enumerate()
        .map(|(i, v)| read_producer(&format!("producers[{i}]"), v))
        .collect::<Result<Vec<_>, _>>()?;
    let consumers = list("consumers", top.remove("consumers"))?
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let path = format!("consumers[{i}]");
            if let Some(config) = object(&path, v.clone())?.remove("config") {
                located(&join(&path, "config"), config, serde_json::from_value::<ConsumerConfig>)?;
            }
            located(&path, v, serde_json::from_value::<ConsumerSpec>)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let raw_commands = list("commands", top.remove("commands"))?;
    let until_ms: Option<Millis> = match top.remove("until_ms") {
        Some(v) => Some(typed("until_ms", v)?),
        None => None,
    };
    if raw_commands.len() > MAX_COMMANDS {
        return err("commands", format!("at most {MAX_COMMANDS} commands (found {})", raw_commands.len()));
    }
    // `advance_ms` entries make no command: remember where each command stood in the list.
    let mut commands = Vec::with_capacity(raw_commands.len());
    let mut positions = Vec::with_capacity(raw_commands.len());
    let mut cursor: Millis = 0;
    for (i, raw) in raw_commands.into_iter().enumerate() {
        if let Some(step) = parse_step(&format!("commands[{i}]"), raw, &mut cursor)? {
            commands.push(step);
            positions.push(i);
        }
    }
    let until_ms = until_ms.unwrap_or_else(|| cursor.saturating_add(DEFAULT_SETTLE_MS));
    let scenario = Scenario { format, seed, cluster, topics, producers, consumers, commands, until_ms };
    check(&scenario, &|i| format!("commands[{}]", positions[i]))?;
    Ok(scenario)
}

/// What types cannot say, however the scenario was read (JSON or binary code): references resolve,
/// values are in bounds, Kafka's config rules hold, commands are in time order. `command_path`
/// names the `i`th command as its source wrote it.
pub(super) fn check(s: &Scenario, command_path: &dyn Fn(usize) -> String) -> Result<(), ScenarioError> {
    if s.format != FORMAT_VERSION {
        return err("format", format!("this playground reads format {FORMAT_VERSION}, not {}", s.format));
    }
    validate_cluster(&s.cluster)?;
    let mut topic_table = TopicTable::default();
    for (i, t) in s.topics.iter().enumerate() {
        validate_topic(&format!("topics[{i}]"), t, s.cluster.brokers.len(), &mut topic_table)?;
    }
    validate_clients(&s.producers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), "producers")?;
    validate_clients(&s.consumers.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), "consumers")?;
    for (i, p) in s.producers.iter().enumerate() {
        validate_producer_config(&format!("producers[{i}].config"), &p.config)?;
    }
    for (i, c) in s.consumers.iter().enumerate() {
        validate_consumer_config(&format!("consumers[{i}].config"), &c.config)?;
    }
    if s.commands.len() > MAX_COMMANDS {
        return err("commands", format!("at most {MAX_COMMANDS} commands (found {})", s.commands.len()));
    }
    let broker_ids: SortedMap<u32, ()> = crate::engine::map_from(s.cluster.brokers.iter().map(|b| (b.id.0, ())));
    let names = Names {
        brokers: &broker_ids,
        producers: s.producers.iter().map(|p| p.name.as_str()).collect(),
        consumers: s.consumers.iter().map(|c| c.name.as_str()).collect(),
    };
    let mut previous_ms: Millis = 0;
    for (i, step) in s.commands.iter().enumerate() {
        let path = command_path(i);
        if step.at_ms < previous_ms {
            return err(
                join(&path, "at_ms"),
                format!(
                    "{} is earlier than the previous command ({previous_ms} ms); commands are in time order",
                    step.at_ms
                ),
            );
        }
        if step.at_ms > MAX_TIME_MS {
            return err(join(&path, "at_ms"), format!("at most {MAX_TIME_MS} ms (30 days), found {}", step.at_ms));
        }
        previous_ms = step.at_ms;
        validate_command(&path, &step.command, &names, s.cluster.brokers.len(), &mut topic_table)?;
    }
    if s.until_ms < previous_ms {
        return err(
            "until_ms",
            format!("{} is before the last command (at {previous_ms} ms), which would never run", s.until_ms),
        );
    }
    if s.until_ms > MAX_TIME_MS {
        return err("until_ms", format!("at most {MAX_TIME_MS} ms (30 days), found {}", s.until_ms));
    }
    Ok(())
}

fn read_cluster(value: Value) -> Result<ClusterSpec, ScenarioError> {
    let mut obj = object("cluster", value)?;
    for key in obj.keys() {
        if !matches!(key.as_str(), "brokers" | "config" | "network") {
            return err(join("cluster", key), "unknown field; expected one of `brokers`, `config`, `network`");
        }
    }
    let brokers = match obj.remove("brokers") {
        Some(v) => list("cluster.brokers", Some(v))?
            .into_iter()
            .enumerate()
            .map(|(i, b)| located(&format!("cluster.brokers[{i}]"), b, serde_json::from_value::<BrokerSpec>))
            .collect::<Result<Vec<_>, _>>()?,
        None => return err("cluster.brokers", "missing (required): a list of brokers, e.g. [{\"id\": 1}]"),
    };
    let config = match obj.remove("config") {
        Some(v) => located("cluster.config", v, serde_json::from_value::<BrokerConfig>)?,
        None => BrokerConfig::default(),
    };
    let network = match obj.remove("network") {
        Some(v) => located("cluster.network", v, serde_json::from_value::<NetworkConfig>)?,
        None => NetworkConfig::default(),
    };
    Ok(ClusterSpec { brokers, config, network })
}

/// A topic in `topics` or in a `create_topic` command.
fn read_topic(path: &str, value: Value) -> Result<TopicSpec, ScenarioError> {
    if let Some(config) = object(path, value.clone())?.remove("config") {
        located(&join(path, "config"), config, serde_json::from_value::<crate::engine::config::TopicConfig>)?;
    }
    located(path, value, serde_json::from_value::<TopicSpec>)
}

/// A producer: Kafka's rule for `enable.idempotence` depends on whether it was given, which only
/// the JSON knows.
fn read_producer(path: &str, value: Value) -> Result<ProducerSpec, ScenarioError> {
    let mut obj = object(path, value)?;
    let mut idempotence_given = false;
    if let Some(config) = obj.get_mut("config") {
        let config_path = join(path, "config");
        let Value::Object(c) = config else {
            return err(config_path, format!("expected an object, found {}", json_type(config)));
        };
        normalize_acks(c);
        idempotence_given = c.contains_key("enable.idempotence");
        located(&config_path, config.clone(), serde_json::from_value::<ProducerConfig>)?;
    }
    let mut spec = located(path, Value::Object(obj), serde_json::from_value::<ProducerSpec>)?;
    if spec.config.acks != Acks::All && !idempotence_given {
        // Kafka 3.2+ (KAFKA-13673): idempotence left at its default is disabled by acks other than all.
        spec.config.enable_idempotence = false;
    }
    Ok(spec)
}

fn check_ms(path: &str, name: &str, value: u64, min: u64) -> Result<(), ScenarioError> {
    if value < min || value > MAX_CONFIG_MS {
        return err(join(path, name), format!("must be between {min} and {MAX_CONFIG_MS} ms (a day), found {value}"));
    }
    Ok(())
}

fn check_count(path: &str, name: &str, value: u64) -> Result<(), ScenarioError> {
    if value == 0 || value > MAX_CONFIG_COUNT {
        return err(join(path, name), format!("must be between 1 and {MAX_CONFIG_COUNT}, found {value}"));
    }
    Ok(())
}

fn validate_cluster(cluster: &ClusterSpec) -> Result<(), ScenarioError> {
    if cluster.brokers.is_empty() || cluster.brokers.len() > MAX_BROKERS {
        return err("cluster.brokers", format!("1 to {MAX_BROKERS} brokers, found {}", cluster.brokers.len()));
    }
    let mut seen = SortedMap::new();
    for (i, b) in cluster.brokers.iter().enumerate() {
        if b.id.0 > MAX_BROKER_ID {
            return err(format!("cluster.brokers[{i}].id"), format!("a broker id is between 0 and {MAX_BROKER_ID}"));
        }
        if seen.insert(b.id, ()).is_some() {
            return err(format!("cluster.brokers[{i}].id"), format!("broker {} appears twice", b.id));
        }
        if !b.rack.is_empty() {
            check_name(&format!("cluster.brokers[{i}].rack"), "rack", &b.rack)?;
        }
    }
    let c = &cluster.config;
    let p = "cluster.config";
    check_ms(p, "broker.heartbeat.interval.ms", c.broker_heartbeat_interval_ms, 1)?;
    check_ms(p, "broker.session.timeout.ms", c.broker_session_timeout_ms, 1)?;
    check_ms(p, "replica.lag.time.max.ms", c.replica_lag_time_max_ms, 1)?;
    check_ms(p, "replica.fetch.wait.max.ms", c.replica_fetch_wait_max_ms, 0)?;
    check_count(p, "replica.fetch.max.bytes", c.replica_fetch_max_bytes)?;
    check_ms(p, "replica.fetch.backoff.ms", c.replica_fetch_backoff_ms, 1)?;
    check_ms(p, "unclean.leader.election.interval.ms", c.unclean_leader_election_interval_ms, 1)?;
    if c.min_insync_replicas == 0 || c.min_insync_replicas as usize > MAX_BROKERS {
        return err(
            join(p, "min.insync.replicas"),
            format!("must be between 1 and {MAX_BROKERS}, found {}", c.min_insync_replicas),
        );
    }
    if c.broker_session_timeout_ms <= c.broker_heartbeat_interval_ms {
        return err(
            join(p, "broker.session.timeout.ms"),
            format!(
                "must be longer than broker.heartbeat.interval.ms ({} ms), found {}",
                c.broker_heartbeat_interval_ms, c.broker_session_timeout_ms
            ),
        );
    }
    if c.replica_fetch_wait_max_ms > c.replica_lag_time_max_ms {
        return err(
            join(p, "replica.fetch.wait.max.ms"),
            format!(
                "must be at most replica.lag.time.max.ms ({} ms), as Kafka requires, found {}",
                c.replica_lag_time_max_ms, c.replica_fetch_wait_max_ms
            ),
        );
    }
    if let Some(class) = &c.replica_selector_class {
        if class != RACK_AWARE_REPLICA_SELECTOR {
            return err(
                join(p, "replica.selector.class"),
                format!("only {RACK_AWARE_REPLICA_SELECTOR} is supported (or null)"),
            );
        }
    }
    let n = &cluster.network;
    for (name, v) in [("latency.ms", n.latency_ms), ("jitter.ms", n.jitter_ms)] {
        if v > MAX_LATENCY_MS {
            return err(join("cluster.network", name), format!("at most {MAX_LATENCY_MS} ms, found {v}"));
        }
    }
    Ok(())
}

fn validate_producer_config(path: &str, c: &ProducerConfig) -> Result<(), ScenarioError> {
    if c.acks != Acks::All && c.enable_idempotence {
        return err(
            join(path, "enable.idempotence"),
            format!(
                "the idempotent producer needs acks=all, not acks={} (Kafka refuses this with a ConfigException); \
                 set enable.idempotence to false or acks to all",
                c.acks.as_str()
            ),
        );
    }
    check_ms(path, "delivery.timeout.ms", c.delivery_timeout_ms, 1)?;
    check_ms(path, "request.timeout.ms", c.request_timeout_ms, 1)?;
    check_ms(path, "linger.ms", c.linger_ms, 0)?;
    check_count(path, "batch.size", c.batch_size)?;
    check_ms(path, "retry.backoff.ms", c.retry_backoff_ms, 0)?;
    check_ms(path, "retry.backoff.max.ms", c.retry_backoff_max_ms, 0)?;
    check_ms(path, "metadata.max.age.ms", c.metadata_max_age_ms, 1)?;
    if c.delivery_timeout_ms < c.linger_ms.saturating_add(c.request_timeout_ms) {
        return err(
            join(path, "delivery.timeout.ms"),
            format!(
                "must be at least linger.ms + request.timeout.ms ({} ms), as Kafka requires, found {}",
                c.linger_ms + c.request_timeout_ms,
                c.delivery_timeout_ms
            ),
        );
    }
    Ok(())
}

fn validate_consumer_config(path: &str, c: &ConsumerConfig) -> Result<(), ScenarioError> {
    if !c.client_rack.is_empty() {
        check_name(&join(path, "client.rack"), "rack", &c.client_rack)?;
    }
    check_ms(path, "fetch.max.wait.ms", c.fetch_max_wait_ms, 0)?;
    check_count(path, "max.poll.records", c.max_poll_records as u64)?;
    check_ms(path, "request.timeout.ms", c.request_timeout_ms, 1)?;
    check_ms(path, "metadata.max.age.ms", c.metadata_max_age_ms, 1)?;
    check_ms(path, "retry.backoff.ms", c.retry_backoff_ms, 0)?;
    Ok(())
}

/// Topics known so far (from `topics` and earlier `create_topic` commands) and the partitions they use.
#[derive(Default)]
struct TopicTable {
    /// Name to (partitions, replication factor).
    topics: SortedMap<String, (u32, u32)>,
    partitions_total: u32,
}

fn validate_topic(path: &str, t: &TopicSpec, brokers: usize, table: &mut TopicTable) -> Result<(), ScenarioError> {
    check_topic_name(&t.name).or_else(|reason| err(join(path, "name"), reason))?;
    if table.topics.contains_key(&t.name) {
        return err(join(path, "name"), format!("topic `{}` is defined twice", t.name));
    }
    if t.partitions == 0 || t.partitions > MAX_PARTITIONS_PER_TOPIC {
        return err(join(path, "partitions"), format!("1 to {MAX_PARTITIONS_PER_TOPIC}, found {}", t.partitions));
    }
    if table.partitions_total + t.partitions > MAX_PARTITIONS {
        return err(join(path, "partitions"), format!("the cluster holds at most {MAX_PARTITIONS} partitions"));
    }
    if t.replication_factor == 0 || t.replication_factor as usize > brokers {
        return err(
            join(path, "replication.factor"),
            format!(
                "must be between 1 and the number of brokers ({brokers}), found {}; one broker holds at most one replica of a partition",
                t.replication_factor
            ),
        );
    }
    if let Some(m) = t.config.min_insync_replicas {
        if m == 0 || m > t.replication_factor {
            return err(
                join(path, "config.min.insync.replicas"),
                format!("must be between 1 and the replication factor ({}), found {m}", t.replication_factor),
            );
        }
    }
    table.partitions_total += t.partitions;
    table.topics.insert(t.name.clone(), (t.partitions, t.replication_factor));
    Ok(())
}

fn validate_clients(names: &[&str], key: &str) -> Result<(), ScenarioError> {
    if names.len() > MAX_CLIENTS {
        return err(key, format!("at most {MAX_CLIENTS}, found {}", names.len()));
    }
    let mut seen = SortedMap::new();
    for (i, n) in names.iter().enumerate() {
        check_name(&format!("{key}[{i}].name"), "client name", n)?;
        if seen.insert(*n, ()).is_some() {
            return err(format!("{key}[{i}].name"), format!("`{n}` appears twice"));
        }
    }
    Ok(())
}

/// One entry of `commands`: `{"at_ms": N, "<command>": {...}}`, `{"<command>": {...}}` (at the
/// current time) or `{"advance_ms": N}` (moves the current time). `None` for `advance_ms`.
fn parse_step(path: &str, raw: Value, cursor: &mut Millis) -> Result<Option<TimedCommand>, ScenarioError> {
    let mut obj = object(path, raw)?;
    if let Some(v) = obj.remove("advance_ms") {
        let ms: Millis = typed(&join(path, "advance_ms"), v)?;
        if let Some(key) = obj.keys().next() {
            return err(join(path, key), "advance_ms stands alone: {\"advance_ms\": N}");
        }
        *cursor = cursor.saturating_add(ms);
        if *cursor > MAX_TIME_MS {
            return err(join(path, "advance_ms"), "the scenario would run past 30 days");
        }
        return Ok(None);
    }
    if let Some(v) = obj.remove("at_ms") {
        let at: Millis = typed(&join(path, "at_ms"), v)?;
        if at < *cursor {
            return err(
                join(path, "at_ms"),
                format!("{at} is earlier than the previous command ({} ms); commands are in time order", *cursor),
            );
        }
        if at > MAX_TIME_MS {
            return err(join(path, "at_ms"), format!("at most {MAX_TIME_MS} ms (30 days), found {at}"));
        }
        *cursor = at;
    }
    let expected = || format!("expected one of {} (plus at_ms), or {{\"advance_ms\": N}}", COMMAND_NAMES.join(", "));
    if let Some(key) = obj.keys().find(|k| !COMMAND_NAMES.contains(&k.as_str())) {
        return err(join(path, key), format!("unknown command; {}", expected()));
    }
    if obj.len() != 1 {
        let found =
            if obj.is_empty() { "none".to_string() } else { obj.keys().cloned().collect::<Vec<_>>().join(", ") };
        return err(path, format!("a command has exactly one command name (found {found}); {}", expected()));
    }
    let Some((name, mut body)) = obj.into_iter().next() else {
        return err(path, expected());
    };
    let here = join(path, &name);
    if let Value::Object(b) = &mut body {
        normalize_acks(b);
        let fields = command_fields(&name);
        if let Some(key) = b.keys().find(|k| !fields.contains(&k.as_str())) {
            let expected: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            return err(join(&here, key), format!("unknown field; expected one of {}", expected.join(", ")));
        }
    }
    if name == "create_topic" {
        read_topic(&here, body.clone())?;
    }
    let command = located(&here, body, |v| {
        let mut wrapper = Map::new();
        wrapper.insert(name.clone(), v);
        serde_json::from_value::<Command>(Value::Object(wrapper))
    })?;
    Ok(Some(TimedCommand { at_ms: *cursor, command }))
}

struct Names<'a> {
    brokers: &'a SortedMap<u32, ()>,
    producers: Vec<&'a str>,
    consumers: Vec<&'a str>,
}

fn validate_command(
    path: &str,
    command: &Command,
    names: &Names,
    brokers: usize,
    topics: &mut TopicTable,
) -> Result<(), ScenarioError> {
    let here = join(path, command.name());
    let broker = |b: &BrokerId| {
        if names.brokers.contains_key(&b.0) {
            Ok(())
        } else {
            err(join(&here, "broker"), format!("no broker {b} in the cluster"))
        }
    };
    let topic = |t: &str, field: &str| match topics.topics.get(t) {
        Some(&(partitions, rf)) => Ok((partitions, rf)),
        None => err(join(&here, field), format!("no topic `{t}` (define it in `topics` or create it first)")),
    };
    let node = |n: &NodeRef, i: usize| -> Result<(), ScenarioError> {
        match n {
            NodeRef::Controller => Ok(()),
            NodeRef::Broker(b) if names.brokers.contains_key(&b.0) => Ok(()),
            NodeRef::Producer(p) if names.producers.contains(&p.as_str()) => Ok(()),
            NodeRef::Consumer(c) if names.consumers.contains(&c.as_str()) => Ok(()),
            _ => err(format!("{here}.between[{i}]"), format!("no node `{n}` in the scenario")),
        }
    };
    match command {
        Command::Produce(p) => {
            if !names.producers.contains(&p.producer.as_str()) {
                return err(join(&here, "producer"), format!("no producer named `{}`", p.producer));
            }
            let (partitions, _) = topic(&p.topic, "topic")?;
            if p.count == 0 || p.count > MAX_PRODUCE_COUNT {
                return err(join(&here, "count"), format!("1 to {MAX_PRODUCE_COUNT}, found {}", p.count));
            }
            if p.value.len() > MAX_TEXT_BYTES {
                return err(join(&here, "value"), format!("at most {MAX_TEXT_BYTES} bytes, found {}", p.value.len()));
            }
            if let Some(k) = p.key.as_ref().filter(|k| k.len() > MAX_TEXT_BYTES) {
                return err(join(&here, "key"), format!("at most {MAX_TEXT_BYTES} bytes, found {}", k.len()));
            }
            if let Some(n) = p.partition.filter(|n| *n >= partitions) {
                return err(
                    join(&here, "partition"),
                    format!("topic `{}` has partitions 0 to {}, found {n}", p.topic, partitions - 1),
                );
            }
        }
        Command::Consume { consumer, topic: t } => {
            if !names.consumers.contains(&consumer.as_str()) {
                return err(join(&here, "consumer"), format!("no consumer named `{consumer}`"));
            }
            topic(t, "topic")?;
        }
        Command::CrashBroker { broker: b }
        | Command::RestartBroker { broker: b }
        | Command::ControlledShutdown { broker: b }
        | Command::SlowReplica { broker: b, .. } => broker(b)?,
        Command::CutLink { between } | Command::HealLink { between } => {
            node(&between[0], 0)?;
            node(&between[1], 1)?;
            if between[0] == between[1] {
                return err(join(&here, "between"), "a link joins two different nodes");
            }
        }
        Command::CreateTopic(t) => validate_topic(&here, t, brokers, topics)?,
        Command::ChangeConfig(c) => match (&c.topic, &c.consumer) {
            (Some(t), None) => {
                let (_, rf) = topic(t, "topic")?;
                if c.client_rack.is_some() {
                    return err(join(&here, "client.rack"), "a consumer setting; name a consumer instead of a topic");
                }
                if let Some(m) = c.min_insync_replicas.filter(|m| *m == 0 || *m > rf) {
                    return err(
                        join(&here, "min.insync.replicas"),
                        format!("must be between 1 and the replication factor of `{t}` ({rf}), found {m}"),
                    );
                }
                if c.min_insync_replicas.is_none() && c.unclean_leader_election_enable.is_none() {
                    return err(
                        &here,
                        "names no setting to change: give min.insync.replicas or unclean.leader.election.enable",
                    );
                }
            }
            (None, Some(name)) => {
                if !names.consumers.contains(&name.as_str()) {
                    return err(join(&here, "consumer"), format!("no consumer named `{name}`"));
                }
                match &c.client_rack {
                    None => {
                        return err(join(&here, "client.rack"), "missing: a consumer's change_config sets client.rack")
                    }
                    Some(r) if !r.is_empty() => check_name(&join(&here, "client.rack"), "rack", r)?,
                    Some(_) => {}
                }
                if c.min_insync_replicas.is_some() || c.unclean_leader_election_enable.is_some() {
                    return err(&here, "min.insync.replicas and unclean.leader.election.enable are topic settings");
                }
            }
            _ => return err(&here, "needs exactly one of `topic` or `consumer`"),
        },
    }
    Ok(())
}

impl Scenario {
    /// The scenario as JSON in canonical form (the format [`parse`] reads: explicit `at_ms`, every
    /// key, `until_ms`). For every scenario `parse` or `decode` returned, `parse(&s.to_json()) ==
    /// Ok(s)`; a scenario built by hand round-trips only if `parse` would accept it.
    pub fn to_json(&self) -> String {
        /// The scenario with each command's name beside its `at_ms`, as the format writes it.
        #[derive(serde::Serialize)]
        struct Json<'a> {
            format: u32,
            seed: u64,
            cluster: &'a ClusterSpec,
            topics: &'a [TopicSpec],
            producers: &'a [ProducerSpec],
            consumers: &'a [ConsumerSpec],
            commands: Vec<Step<'a>>,
            until_ms: Millis,
        }
        #[derive(serde::Serialize)]
        struct Step<'a> {
            at_ms: Millis,
            #[serde(flatten)]
            command: &'a Command,
        }
        let json = Json {
            format: self.format,
            seed: self.seed,
            cluster: &self.cluster,
            topics: &self.topics,
            producers: &self.producers,
            consumers: &self.consumers,
            commands: self.commands.iter().map(|c| Step { at_ms: c.at_ms, command: &c.command }).collect(),
            until_ms: self.until_ms,
        };
        // Plain data with string keys: serialization cannot fail.
        serde_json::to_string_pretty(&json).unwrap_or_default()
    }
}
