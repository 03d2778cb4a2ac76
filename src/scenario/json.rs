//! Reading a scenario from JSON (and writing it back). Every error names the field (a JSON path such
//! as `commands[3].crash_broker.broker`) and the reason; nothing here can panic on any input.
//!
//! Reading goes in two passes. The first turns JSON into typed values; when serde rejects an object,
//! [`located`] finds which key was at fault, so the error names the field rather than its parent.
//! The second is the engine's own check (`check_scenario_at`: references, bounds, Kafka's config
//! rules), with each command named by its place in the JSON.

use super::*;
use crate::engine::{check_scenario_at, join, Command, ConsumerConfig, Millis, ProducerConfig, TopicSpec, LIMITS};
use crate::engine::{
    BrokerConfig, ChangeConfig, ChangeConfigSpec, ClusterFeatures, NetworkConfig, ProducerReconfig, TopicConfig,
};
use crate::engine::{
    AUTO_LEADER_REBALANCE_DEFAULT, CONTROLLER_QUORUM_VOTERS_DEFAULT, LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS_DEFAULT,
};
use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// How long a scenario runs after its last command when it does not say `until_ms`.
pub const DEFAULT_SETTLE_MS: Millis = 30_000;

/// The command names of the format, in the order the documentation lists them.
pub const COMMAND_NAMES: [&str; 27] = [
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
    "reconfigure_producer",
    "cut_link_one_way",
    "pause_broker",
    "resume_broker",
    "when",
    "seek",
    "power_off_broker",
    "elect_leaders",
    "add_broker",
    "reassign_partitions",
    "crash_controller",
    "restart_controller",
    "join_group",
    "leave_group",
    "crash_consumer",
    "stop_polling",
    "commit_offsets",
];

const TOP_LEVEL_KEYS: [&str; 8] =
    ["format", "seed", "cluster", "topics", "producers", "consumers", "commands", "until_ms"];

pub(super) fn err<T>(path: impl Into<String>, reason: impl Into<String>) -> Result<T, ScenarioError> {
    Err(ScenarioError { path: path.into(), reason: reason.into() })
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
pub(super) fn located<T>(
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

pub(super) fn typed<T: DeserializeOwned>(path: &str, value: Value) -> Result<T, ScenarioError> {
    serde_json::from_value(value.clone())
        .map_err(|e| ScenarioError { path: path.to_string(), reason: with_found(&e.to_string(), &value) })
}

pub(super) fn object(path: &str, value: Value) -> Result<Map<String, Value>, ScenarioError> {
    match value {
        Value::Object(obj) => Ok(obj),
        other => err(path, format!("expected an object, found {}", json_type(&other))),
    }
}

pub(super) fn list(path: &str, value: Option<Value>) -> Result<Vec<Value>, ScenarioError> {
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
        "produce" => &["producer", "topic", "key", "value", "count", "partition"],
        "consume" => &["consumer", "topic"],
        "crash_broker"
        | "power_off_broker"
        | "restart_broker"
        | "controlled_shutdown"
        | "pause_broker"
        | "resume_broker" => &["broker"],
        "cut_link_one_way" => &["from", "to"],
        "when" => &["event", "high_watermark", "broker", "partition", "then"],
        "cut_link" | "heal_link" => &["between"],
        "slow_replica" => &["broker", "stalled"],
        "create_topic" => &["name", "partitions", "replication.factor", "replica.assignment", "config"],
        "change_config" => {
            &["topic", "consumer", "min.insync.replicas", "unclean.leader.election.enable", "client.rack"]
        }
        "reconfigure_producer" => &["producer", "config"],
        "seek" => &["consumer", "topic", "partition", "to"],
        "elect_leaders" => &["election_type", "topic", "partition"],
        "add_broker" => &["broker", "rack"],
        "reassign_partitions" => &["topic", "partition", "replicas"],
        "crash_controller" | "restart_controller" => &["controller"],
        "join_group" => &["consumer", "group", "topic", "enable.auto.commit"],
        "leave_group" | "crash_consumer" | "stop_polling" | "commit_offsets" => &["consumer"],
        _ => &[],
    }
}

/// Reads a scenario from JSON text.
pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    check_size(text.len())?;
    from_value(read_json(text)?)
}

/// A scenario's text or code is at most `LIMITS.input_bytes_max` long: it is refused before it is
/// read into memory several times its size.
pub(super) fn check_size(bytes: usize) -> Result<(), ScenarioError> {
    let max = LIMITS.input_bytes_max;
    if bytes > max {
        return err("", format!("a scenario has at most {max} bytes, this one {bytes}"));
    }
    Ok(())
}

/// JSON text to a value, refusing a key that appears twice in one object (where `serde_json::Value`
/// would silently keep the last), by the path of the second one.
pub(super) fn read_json(text: &str) -> Result<Value, ScenarioError> {
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let read = StrictValue { path: String::new(), duplicate: &duplicate }.deserialize(&mut de).and_then(|v| {
        de.end()?;
        Ok(v)
    });
    read.map_err(|e| match duplicate.take() {
        Some(path) => ScenarioError {
            path,
            reason: format!(
                "appears twice in its object (line {}, column {}); give each key once",
                e.line(),
                e.column()
            ),
        },
        None => ScenarioError { path: String::new(), reason: format!("not valid JSON: {e}") },
    })
}

/// Reads one JSON value as `serde_json::Value` does, knowing its path, and fails on a duplicate key.
struct StrictValue<'a> {
    path: String,
    duplicate: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut obj = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = join(&self.path, &key);
            if obj.contains_key(&key) {
                *self.duplicate.borrow_mut() = Some(path);
                return Err(serde::de::Error::custom("duplicate key"));
            }
            let value = map.next_value_seed(StrictValue { path, duplicate: self.duplicate })?;
            obj.insert(key, value);
        }
        Ok(Value::Object(obj))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictValue {
            path: format!("{}[{}]", self.path, items.len()),
            duplicate: self.duplicate,
        })? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
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
        .map(|(i, v)| read_scenario_topic(&format!("topics[{i}]"), v))
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
    // Refused before reading them: the engine's bound, applied early to bound what reading holds.
    if raw_commands.len() > LIMITS.commands_max {
        let max = LIMITS.commands_max;
        return err("commands", format!("at most {max} commands, found {}", raw_commands.len()));
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
    // The settling time never takes a scenario past the 30 days it may run.
    let until_ms = until_ms.unwrap_or_else(|| cursor.saturating_add(DEFAULT_SETTLE_MS).min(LIMITS.time_ms_max));
    let scenario = Scenario { format, seed, cluster, topics, producers, consumers, commands, until_ms };
    check_scenario_at(&scenario, &|i| format!("commands[{}]", positions[i]))?;
    Ok(scenario)
}

fn read_cluster(value: Value) -> Result<ClusterSpec, ScenarioError> {
    let mut obj = object("cluster", value)?;
    for key in obj.keys() {
        if !matches!(key.as_str(), "brokers" | "config" | "network" | "features") {
            return err(
                join("cluster", key),
                "unknown field; expected one of `brokers`, `config`, `network`, `features`",
            );
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
        Some(v) => read_broker_config(v)?,
        None => BrokerConfig::default(),
    };
    let network = match obj.remove("network") {
        Some(v) => located("cluster.network", v, serde_json::from_value::<NetworkConfig>)?,
        None => NetworkConfig::default(),
    };
    let features = match obj.remove("features") {
        Some(v) => read_features(v)?,
        None => ClusterFeatures::default(),
    };
    Ok(ClusterSpec { brokers, config, network, features })
}

const ELR_VERSION_KEY: &str = "eligible.leader.replicas.version";

/// `cluster.features`: the finalized feature levels (`kafka-features.sh`); the engine's rules check
/// the values.
fn read_features(value: Value) -> Result<ClusterFeatures, ScenarioError> {
    let mut features = ClusterFeatures::default();
    for (key, v) in object("cluster.features", value)? {
        let path = join("cluster.features", &key);
        match key.as_str() {
            ELR_VERSION_KEY => features.eligible_leader_replicas_version = typed::<u16>(&path, v)?,
            _ => return err(path, format!("unknown feature; expected `{ELR_VERSION_KEY}`")),
        }
    }
    Ok(features)
}

/// `cluster.config`. `auto.leader.rebalance.enable` and `leader.imbalance.check.interval.seconds`
/// are read here, beside serde: they are not in the config's serde form (see [`BrokerConfig`]).
fn read_broker_config(value: Value) -> Result<BrokerConfig, ScenarioError> {
    let path = "cluster.config";
    let mut obj = object(path, value)?;
    let rebalance = obj.remove(AUTO_LEADER_REBALANCE_KEY);
    let interval = obj.remove(IMBALANCE_INTERVAL_KEY);
    let voters = obj.remove(QUORUM_VOTERS_KEY);
    let roles = obj.remove(PROCESS_ROLES_KEY);
    let mut config = located(path, Value::Object(obj), serde_json::from_value::<BrokerConfig>)?;
    if let Some(v) = voters {
        config.controller_quorum_voters = typed(&join(path, QUORUM_VOTERS_KEY), v)?;
    }
    if let Some(v) = roles {
        let roles_path = join(path, PROCESS_ROLES_KEY);
        config.process_roles_combined = match typed::<String>(&roles_path, v)?.as_str() {
            PROCESS_ROLES_SEPARATE => false,
            PROCESS_ROLES_COMBINED => true,
            other => {
                let expected = format!("\"{PROCESS_ROLES_SEPARATE}\" or \"{PROCESS_ROLES_COMBINED}\"");
                return err(roles_path, format!("the voters' process.roles is {expected}, found \"{other}\""));
            }
        };
    }
    if let Some(v) = rebalance {
        config.auto_leader_rebalance_enable = typed(&join(path, AUTO_LEADER_REBALANCE_KEY), v)?;
    }
    if let Some(v) = interval {
        config.leader_imbalance_check_interval_seconds = typed(&join(path, IMBALANCE_INTERVAL_KEY), v)?;
    }
    Ok(config)
}

const AUTO_LEADER_REBALANCE_KEY: &str = "auto.leader.rebalance.enable";
/// The number of controller voters (kafka-model §2.2; Kafka's `controller.quorum.voters` lists them,
/// here their count: their node ids follow).
const QUORUM_VOTERS_KEY: &str = "controller.quorum.voters";
/// The voters' `process.roles`: separate controllers, or combined with brokers.
const PROCESS_ROLES_KEY: &str = "process.roles";
const PROCESS_ROLES_SEPARATE: &str = "controller";
const PROCESS_ROLES_COMBINED: &str = "broker,controller";
const IMBALANCE_INTERVAL_KEY: &str = "leader.imbalance.check.interval.seconds";

/// The cluster as the JSON format writes it: its config with the settings outside the config's
/// serde form, and `features`, each when not the default.
#[derive(serde::Serialize)]
struct ClusterJson<'a> {
    brokers: &'a [BrokerSpec],
    config: BrokerConfigJson<'a>,
    network: &'a NetworkConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    features: Option<FeaturesJson>,
}

#[derive(serde::Serialize)]
struct BrokerConfigJson<'a> {
    #[serde(flatten)]
    config: &'a BrokerConfig,
    #[serde(rename = "auto.leader.rebalance.enable", skip_serializing_if = "Option::is_none")]
    auto_leader_rebalance_enable: Option<bool>,
    #[serde(rename = "leader.imbalance.check.interval.seconds", skip_serializing_if = "Option::is_none")]
    leader_imbalance_check_interval_seconds: Option<u64>,
    #[serde(rename = "controller.quorum.voters", skip_serializing_if = "Option::is_none")]
    controller_quorum_voters: Option<u32>,
    #[serde(rename = "process.roles", skip_serializing_if = "Option::is_none")]
    process_roles: Option<&'static str>,
}

impl<'a> From<&'a ClusterSpec> for ClusterJson<'a> {
    fn from(c: &'a ClusterSpec) -> Self {
        let config = &c.config;
        let rebalance = config.auto_leader_rebalance_enable;
        let interval = config.leader_imbalance_check_interval_seconds;
        ClusterJson {
            brokers: &c.brokers,
            config: BrokerConfigJson {
                config,
                auto_leader_rebalance_enable: (rebalance != AUTO_LEADER_REBALANCE_DEFAULT).then_some(rebalance),
                leader_imbalance_check_interval_seconds: (interval != LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS_DEFAULT)
                    .then_some(interval),
                controller_quorum_voters: (config.controller_quorum_voters != CONTROLLER_QUORUM_VOTERS_DEFAULT)
                    .then_some(config.controller_quorum_voters),
                process_roles: config.process_roles_combined.then_some(PROCESS_ROLES_COMBINED),
            },
            network: &c.network,
            features: (c.features != ClusterFeatures::default()).then_some(FeaturesJson {
                eligible_leader_replicas_version: c.features.eligible_leader_replicas_version,
            }),
        }
    }
}

/// A topic in `topics`, with its retention and segment settings (read beside serde: see
/// [`log_config`](super::log_config)).
fn read_scenario_topic(path: &str, mut value: Value) -> Result<TopicSpec, ScenarioError> {
    let log = match value.get_mut("config") {
        Some(Value::Object(config)) => super::log_config::take_from_json(&join(path, "config"), config)?,
        _ => crate::engine::LogConfig::default(),
    };
    let mut spec = read_topic(path, value)?;
    spec.config.log = log;
    Ok(spec)
}

/// A topic in `topics` or in a `create_topic` command.
fn read_topic(path: &str, value: Value) -> Result<TopicSpec, ScenarioError> {
    if let Some(config) = object(path, value.clone())?.remove("config") {
        located(&join(path, "config"), config, serde_json::from_value::<TopicConfig>)?;
    }
    located(path, value, serde_json::from_value::<TopicSpec>)
}

/// A producer (its config located field by field; `acks` may be written as a number).
/// `max.in.flight.requests.per.connection` is read here, beside serde: it is not in the config's
/// serde form (see [`ProducerConfig`]).
fn read_producer(path: &str, value: Value) -> Result<ProducerSpec, ScenarioError> {
    let mut obj = object(path, value)?;
    let mut max_in_flight = None;
    if let Some(config) = obj.get_mut("config") {
        let config_path = join(path, "config");
        let Value::Object(c) = config else {
            return err(config_path, format!("expected an object, found {}", json_type(config)));
        };
        normalize_acks(c);
        if let Some(v) = c.remove(MAX_IN_FLIGHT_KEY) {
            max_in_flight = Some(typed::<u32>(&join(&config_path, MAX_IN_FLIGHT_KEY), v)?);
        }
        located(&config_path, config.clone(), serde_json::from_value::<ProducerConfig>)?;
    }
    let mut spec = located(path, Value::Object(obj), serde_json::from_value::<ProducerSpec>)?;
    if let Some(n) = max_in_flight {
        spec.config.max_in_flight_requests_per_connection = n;
    }
    Ok(spec)
}

const MAX_IN_FLIGHT_KEY: &str = "max.in.flight.requests.per.connection";

/// A producer as the JSON format writes it: its config with `max.in.flight.requests.per.connection`
/// when not the default.
#[derive(serde::Serialize)]
struct ProducerJson<'a> {
    name: &'a str,
    config: ProducerConfigJson<'a>,
}

#[derive(serde::Serialize)]
struct ProducerConfigJson<'a> {
    #[serde(flatten)]
    config: &'a ProducerConfig,
    #[serde(rename = "max.in.flight.requests.per.connection", skip_serializing_if = "Option::is_none")]
    max_in_flight: Option<u32>,
}

impl<'a> From<&'a ProducerSpec> for ProducerJson<'a> {
    fn from(p: &'a ProducerSpec) -> Self {
        let n = p.config.max_in_flight_requests_per_connection;
        let max_in_flight = (n != crate::engine::MAX_IN_FLIGHT_DEFAULT).then_some(n);
        ProducerJson { name: &p.name, config: ProducerConfigJson { config: &p.config, max_in_flight } }
    }
}

#[derive(serde::Serialize)]
struct FeaturesJson {
    #[serde(rename = "eligible.leader.replicas.version")]
    eligible_leader_replicas_version: u16,
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
        if *cursor > LIMITS.time_ms_max {
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
        if name == "produce" && b.contains_key("acks") {
            // A produce once carried its own acks: say where the setting is now.
            return err(
                join(&here, "acks"),
                "acks is the producer's setting, fixed when it is constructed (kafka-model §5.3): set it in the \
                 producer's config, or change it with reconfigure_producer",
            );
        }
        if let Some(key) = b.keys().find(|k| !fields.contains(&k.as_str())) {
            let expected: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            return err(join(&here, key), format!("unknown field; expected one of {}", expected.join(", ")));
        }
    }
    if name == "create_topic" {
        read_topic(&here, body.clone())?;
    }
    if name == "reconfigure_producer" {
        if let Some(Value::Object(config)) = body.get_mut("config") {
            // As in a producer's config: `acks` may be a number, and the error names the key.
            normalize_acks(config);
            let config = Value::Object(config.clone());
            located(&join(&here, "config"), config, serde_json::from_value::<ProducerReconfig>)?;
        }
    }
    if name == "change_config" {
        // Which settings go with which target: said by the engine's type, located here.
        let spec = located(&here, body.clone(), serde_json::from_value::<ChangeConfigSpec>)?;
        ChangeConfig::try_from(spec).map_err(|e| ScenarioError { path: join(&here, &e.field), reason: e.reason })?;
    }
    let command = located(&here, body, |v| {
        let mut wrapper = Map::new();
        wrapper.insert(name.clone(), v);
        serde_json::from_value::<Command>(Value::Object(wrapper))
    })?;
    Ok(Some(TimedCommand { at_ms: *cursor, command }))
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
            cluster: ClusterJson<'a>,
            topics: Vec<super::log_config::TopicJson<'a>>,
            producers: Vec<ProducerJson<'a>>,
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
            cluster: ClusterJson::from(&self.cluster),
            topics: self.topics.iter().map(super::log_config::topic_json).collect(),
            producers: self.producers.iter().map(ProducerJson::from).collect(),
            consumers: &self.consumers,
            commands: self.commands.iter().map(|c| Step { at_ms: c.at_ms, command: &c.command }).collect(),
            until_ms: self.until_ms,
        };
        // Plain data with string keys: serialization cannot fail.
        serde_json::to_string_pretty(&json).unwrap_or_default()
    }
}
