//! Reading and validating a scenario. Every error names the field (a JSON path) and the reason;
//! nothing here can panic on any input.

use super::*;
use crate::engine::command::{Command, NodeRef};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fmt;

/// Bounds that keep any scenario cheap to load and run (TigerBeetle: a bound on every queue).
pub const MAX_BROKERS: usize = 256;
pub const MAX_PARTITIONS_PER_TOPIC: u32 = 10_000;
pub const MAX_PARTITIONS: u32 = 100_000;
pub const MAX_CLIENTS: usize = 64;
pub const MAX_COMMANDS: usize = 100_000;
pub const MAX_PRODUCE_COUNT: u32 = 1_000_000;
pub const MAX_TEXT_BYTES: usize = 1_024;
pub const MAX_TIME_MS: Millis = 30 * 24 * 3_600_000;
/// Runner default: how long after the last command a scenario keeps running unless `until_ms` says.
pub const DEFAULT_SETTLE_MS: Millis = 30_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// JSON path of the offending field, e.g. `commands[3].crash_broker.broker`.
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
    if name.is_empty() || name.len() > 64 {
        return err(path, format!("a {what} has 1 to 64 characters"));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        return err(path, format!("a {what} may only contain ASCII letters, digits, '.', '_' and '-' (found {c:?})"));
    }
    Ok(())
}

fn typed<T: DeserializeOwned>(path: &str, value: Value) -> Result<T, ScenarioError> {
    serde_json::from_value(value).map_err(|e| ScenarioError { path: path.to_string(), reason: e.to_string() })
}

fn take(obj: &mut Map<String, Value>, key: &str) -> Option<Value> {
    obj.remove(key)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
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
    let Value::Object(mut top) = value else { return err("", "a scenario is a JSON object") };
    let format: u32 = typed("format", take(&mut top, "format").ok_or_else(|| missing("format"))?)?;
    if format != FORMAT_VERSION {
        return err("format", format!("this playground reads format {FORMAT_VERSION}, not {format}"));
    }
    let seed: u64 = match take(&mut top, "seed") {
        Some(v) => typed("seed", v)?,
        None => 0,
    };
    let cluster: ClusterSpec = typed("cluster", take(&mut top, "cluster").ok_or_else(|| missing("cluster"))?)?;
    let topics: Vec<TopicSpec> = opt_list(&mut top, "topics")?;
    let producers: Vec<ProducerSpec> = opt_list(&mut top, "producers")?;
    let consumers: Vec<ConsumerSpec> = opt_list(&mut top, "consumers")?;
    let raw_commands = match take(&mut top, "commands") {
        Some(Value::Array(a)) => a,
        Some(_) => return err("commands", "a list of commands"),
        None => Vec::new(),
    };
    let until_ms: Option<Millis> = match take(&mut top, "until_ms") {
        Some(v) => Some(typed("until_ms", v)?),
        None => None,
    };
    if let Some(key) = top.keys().next() {
        return err(key.clone(), "unknown field; expected one of format, seed, cluster, topics, producers, consumers, commands, until_ms");
    }

    validate_cluster(&cluster)?;
    let broker_ids: BTreeSet<u32> = cluster.brokers.iter().map(|b| b.id.0).collect();
    let mut topic_names = BTreeSet::new();
    let mut partitions_total = 0u32;
    for (i, t) in topics.iter().enumerate() {
        validate_topic(&format!("topics[{i}]"), t, cluster.brokers.len(), &mut topic_names, &mut partitions_total)?;
    }
    validate_clients(&producers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), "producers")?;
    validate_clients(&consumers.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), "consumers")?;
    for (i, p) in producers.iter().enumerate() {
        if p.config.batch_size == 0 {
            return err(format!("producers[{i}].config.batch.size"), "must be at least 1");
        }
        if p.config.delivery_timeout_ms < p.config.linger_ms + p.config.request_timeout_ms {
            return err(
                format!("producers[{i}].config.delivery.timeout.ms"),
                "must be at least linger.ms + request.timeout.ms (as Kafka requires)",
            );
        }
    }
    for (i, c) in consumers.iter().enumerate() {
        if !c.config.client_rack.is_empty() {
            check_name(&format!("consumers[{i}].config.client.rack"), "rack", &c.config.client_rack)?;
        }
    }

    if raw_commands.len() > MAX_COMMANDS {
        return err("commands", format!("at most {MAX_COMMANDS} commands"));
    }
    let names = Names {
        brokers: &broker_ids,
        producers: producers.iter().map(|p| p.name.as_str()).collect(),
        consumers: consumers.iter().map(|c| c.name.as_str()).collect(),
    };
    let mut commands = Vec::with_capacity(raw_commands.len());
    let mut cursor: Millis = 0;
    for (i, raw) in raw_commands.into_iter().enumerate() {
        let path = format!("commands[{i}]");
        if let Some(step) = parse_step(&path, raw, &mut cursor)? {
            validate_command(&path, &step.command, &names, cluster.brokers.len(), &mut topic_names, &mut partitions_total)?;
            commands.push(step);
        }
    }
    let until_ms = until_ms.unwrap_or(cursor + DEFAULT_SETTLE_MS);
    if until_ms > MAX_TIME_MS {
        return err("until_ms", format!("at most {MAX_TIME_MS} ms (30 days)"));
    }
    Ok(Scenario { format, seed, cluster, topics, producers, consumers, commands, until_ms })
}

fn missing(field: &str) -> ScenarioError {
    ScenarioError { path: field.into(), reason: "missing".into() }
}

fn opt_list<T: DeserializeOwned>(top: &mut Map<String, Value>, key: &str) -> Result<Vec<T>, ScenarioError> {
    match take(top, key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items.into_iter().enumerate().map(|(i, v)| typed(&format!("{key}[{i}]"), v)).collect(),
        Some(_) => err(key, "a list"),
    }
}

fn validate_cluster(cluster: &ClusterSpec) -> Result<(), ScenarioError> {
    if cluster.brokers.is_empty() || cluster.brokers.len() > MAX_BROKERS {
        return err("cluster.brokers", format!("1 to {MAX_BROKERS} brokers"));
    }
    let mut seen = BTreeSet::new();
    for (i, b) in cluster.brokers.iter().enumerate() {
        if b.id.0 > 1_000_000 {
            return err(format!("cluster.brokers[{i}].id"), "a broker id is between 0 and 1000000");
        }
        if !seen.insert(b.id) {
            return err(format!("cluster.brokers[{i}].id"), format!("broker {} appears twice", b.id));
        }
        if !b.rack.is_empty() {
            check_name(&format!("cluster.brokers[{i}].rack"), "rack", &b.rack)?;
        }
    }
    let c = &cluster.config;
    let positive = [
        ("broker.heartbeat.interval.ms", c.broker_heartbeat_interval_ms),
        ("broker.session.timeout.ms", c.broker_session_timeout_ms),
        ("replica.lag.time.max.ms", c.replica_lag_time_max_ms),
        ("replica.fetch.max.bytes", c.replica_fetch_max_bytes),
        ("replica.fetch.backoff.ms", c.replica_fetch_backoff_ms),
        ("unclean.leader.election.interval.ms", c.unclean_leader_election_interval_ms),
        ("min.insync.replicas", c.min_insync_replicas as u64),
    ];
    for (name, v) in positive {
        if v == 0 {
            return err(format!("cluster.config.{name}"), "must be at least 1");
        }
    }
    if c.broker_session_timeout_ms <= c.broker_heartbeat_interval_ms {
        return err("cluster.config.broker.session.timeout.ms", "must be longer than broker.heartbeat.interval.ms");
    }
    if let Some(class) = &c.replica_selector_class {
        if class != crate::engine::config::RACK_AWARE_REPLICA_SELECTOR {
            return err(
                "cluster.config.replica.selector.class",
                format!("only {} is supported", crate::engine::config::RACK_AWARE_REPLICA_SELECTOR),
            );
        }
    }
    if cluster.network.latency_ms > 60_000 || cluster.network.jitter_ms > 60_000 {
        return err("cluster.network", "latency.ms and jitter.ms are at most 60000");
    }
    Ok(())
}

fn validate_topic(
    path: &str,
    t: &TopicSpec,
    brokers: usize,
    names: &mut BTreeSet<String>,
    partitions_total: &mut u32,
) -> Result<(), ScenarioError> {
    check_topic_name(&t.name).or_else(|reason| err(join(path, "name"), reason))?;
    if !names.insert(t.name.clone()) {
        return err(join(path, "name"), format!("topic `{}` is defined twice", t.name));
    }
    if t.partitions == 0 || t.partitions > MAX_PARTITIONS_PER_TOPIC {
        return err(join(path, "partitions"), format!("1 to {MAX_PARTITIONS_PER_TOPIC}"));
    }
    *partitions_total += t.partitions;
    if *partitions_total > MAX_PARTITIONS {
        return err(join(path, "partitions"), format!("the cluster holds at most {MAX_PARTITIONS} partitions"));
    }
    if t.replication_factor == 0 || t.replication_factor as usize > brokers {
        return err(
            join(path, "replication.factor"),
            format!("must be between 1 and the number of brokers ({brokers}); one broker holds at most one replica of a partition"),
        );
    }
    if let Some(m) = t.config.min_insync_replicas {
        if m == 0 || m > t.replication_factor {
            return err(join(path, "config.min.insync.replicas"), format!("must be between 1 and the replication factor ({})", t.replication_factor));
        }
    }
    Ok(())
}

fn validate_clients(names: &[&str], key: &str) -> Result<(), ScenarioError> {
    if names.len() > MAX_CLIENTS {
        return err(key, format!("at most {MAX_CLIENTS}"));
    }
    let mut seen = BTreeSet::new();
    for (i, n) in names.iter().enumerate() {
        check_name(&format!("{key}[{i}].name"), "client name", n)?;
        if !seen.insert(*n) {
            return err(format!("{key}[{i}].name"), format!("`{n}` appears twice"));
        }
    }
    Ok(())
}

/// One entry of `commands`: `{"at_ms": N, "<command>": {...}}`, `{"<command>": {...}}` (at the
/// current time) or `{"advance_ms": N}` (moves the current time). `None` for `advance_ms`.
fn parse_step(path: &str, raw: Value, cursor: &mut Millis) -> Result<Option<TimedCommand>, ScenarioError> {
    let Value::Object(mut obj) = raw else { return err(path, "a command is a JSON object") };
    if let Some(v) = take(&mut obj, "advance_ms") {
        let ms: Millis = typed(&join(path, "advance_ms"), v)?;
        if let Some(key) = obj.keys().next() {
            return err(join(path, key), "advance_ms stands alone");
        }
        *cursor = cursor.saturating_add(ms);
        if *cursor > MAX_TIME_MS {
            return err(join(path, "advance_ms"), "the scenario would run past 30 days");
        }
        return Ok(None);
    }
    if let Some(v) = take(&mut obj, "at_ms") {
        let at: Millis = typed(&join(path, "at_ms"), v)?;
        if at < *cursor {
            return err(join(path, "at_ms"), format!("{at} is earlier than the previous command ({})", *cursor));
        }
        if at > MAX_TIME_MS {
            return err(join(path, "at_ms"), "at most 30 days");
        }
        *cursor = at;
    }
    if obj.len() != 1 {
        return err(path, "a command has exactly one of produce, consume, crash_broker, restart_broker, controlled_shutdown, cut_link, heal_link, slow_replica, create_topic, change_config (plus at_ms), or is {\"advance_ms\": N}");
    }
    let command: Command = typed(path, Value::Object(obj))?;
    Ok(Some(TimedCommand { at_ms: *cursor, command }))
}

struct Names<'a> {
    brokers: &'a BTreeSet<u32>,
    producers: Vec<&'a str>,
    consumers: Vec<&'a str>,
}

fn validate_command(
    path: &str,
    command: &Command,
    names: &Names,
    brokers: usize,
    topics: &mut BTreeSet<String>,
    partitions_total: &mut u32,
) -> Result<(), ScenarioError> {
    let here = join(path, command.name());
    let broker = |b: &BrokerId| {
        if names.brokers.contains(&b.0) {
            Ok(())
        } else {
            err(join(&here, "broker"), format!("no broker {b} in the cluster"))
        }
    };
    let topic = |t: &str, field: &str| {
        if topics.contains(t) {
            Ok(())
        } else {
            err(join(&here, field), format!("no topic `{t}` (create it first)"))
        }
    };
    let node = |n: &NodeRef| -> Result<(), ScenarioError> {
        match n {
            NodeRef::Controller => Ok(()),
            NodeRef::Broker(b) if names.brokers.contains(&b.0) => Ok(()),
            NodeRef::Producer(p) if names.producers.contains(&p.as_str()) => Ok(()),
            NodeRef::Consumer(c) if names.consumers.contains(&c.as_str()) => Ok(()),
            _ => err(join(&here, "between"), format!("no node `{n}` in the scenario")),
        }
    };
    match command {
        Command::Produce(p) => {
            if !names.producers.contains(&p.producer.as_str()) {
                return err(join(&here, "producer"), format!("no producer named `{}`", p.producer));
            }
            topic(&p.topic, "topic")?;
            if p.count == 0 || p.count > MAX_PRODUCE_COUNT {
                return err(join(&here, "count"), format!("1 to {MAX_PRODUCE_COUNT}"));
            }
            if p.value.len() > MAX_TEXT_BYTES || p.key.as_ref().is_some_and(|k| k.len() > MAX_TEXT_BYTES) {
                return err(&here, format!("key and value have at most {MAX_TEXT_BYTES} bytes"));
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
            node(&between[0])?;
            node(&between[1])?;
            if between[0] == between[1] {
                return err(join(&here, "between"), "a link joins two different nodes");
            }
        }
        Command::CreateTopic(t) => validate_topic(&here, t, brokers, topics, partitions_total)?,
        Command::ChangeConfig(c) => match (&c.topic, &c.consumer) {
            (Some(t), None) => {
                topic(t, "topic")?;
                if c.client_rack.is_some() {
                    return err(join(&here, "client.rack"), "a consumer setting; name a consumer instead of a topic");
                }
                if c.min_insync_replicas == Some(0) {
                    return err(join(&here, "min.insync.replicas"), "must be at least 1");
                }
                if c.min_insync_replicas.is_none() && c.unclean_leader_election_enable.is_none() {
                    return err(&here, "names no setting to change");
                }
            }
            (None, Some(name)) => {
                if !names.consumers.contains(&name.as_str()) {
                    return err(join(&here, "consumer"), format!("no consumer named `{name}`"));
                }
                match &c.client_rack {
                    None => return err(join(&here, "client.rack"), "missing: a consumer's change_config sets client.rack"),
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
    /// The scenario as JSON (the same format [`parse`] reads).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
