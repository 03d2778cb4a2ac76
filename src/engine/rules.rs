//! The engine's input contract: every limit and validity rule of a scenario or a command, in one
//! place. The JSON reader, the binary code, links, lessons and the page's forms all end here:
//! [`check_scenario`] for a whole scenario (what [`Engine::new`](super::Engine::new) runs) and
//! [`Ledger::check`] for one command (what [`Engine::apply`](super::Engine::apply) runs), the same
//! rules for both.
//!
//! Besides Kafka's own rules (kafka-model §1, §3.1), the contract bounds what an input may cost
//! ([`LIMITS`]): records held, replicas, and the work per simulated second that intervals and
//! fan-out imply. No input within them makes the engine hold more than about
//! [`Limits::memory_bytes_max`] or run without end (`docs/scenario-format.md`, "Limits").

use super::command::{ChangeConfig, Command, NodeRef, Produce, TopicSpec};
use super::config::{Acks, BrokerConfig, ConsumerConfig, NetworkConfig, ProducerConfig, RACK_AWARE_REPLICA_SELECTOR};
use super::error::{CommandError, ScenarioError};
use super::ids::{BrokerId, Millis};
use super::setup::{ClusterSpec, Scenario, FORMAT_VERSION};

/// Every bound of the contract, with one spelling (qualifier last). [`LIMITS`] holds the values.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub brokers_max: usize,
    /// Broker ids are `0..=broker_id_max`.
    pub broker_id_max: u32,
    pub partitions_per_topic_max: u32,
    /// Partitions × replication factor, over every topic of the scenario and the page session.
    pub replicas_max: u64,
    /// Producers, and separately consumers.
    pub clients_max: usize,
    /// Commands of a scenario (its `commands`); the page session adds at most as many again.
    pub commands_max: usize,
    /// Records produced over the scenario and everything done in the page afterwards.
    pub records_max: u64,
    /// A record's key or value.
    pub text_bytes_max: usize,
    /// Client names and racks.
    pub name_bytes_max: usize,
    /// Kafka's bound on a topic name (`Topic.MAX_NAME_LENGTH`).
    pub topic_name_bytes_max: usize,
    /// No scenario runs longer than 30 days of simulated time.
    pub time_ms_max: Millis,
    /// No timeout, interval or backoff is longer than a day.
    pub config_ms_max: u64,
    /// Byte and record counts in configs fit Kafka's `int`.
    pub config_count_max: u64,
    /// One-way network latency and jitter. Whatever they are, the engine delivers no message in
    /// less than 1 ms, so every message moves simulated time on.
    pub latency_ms_max: u64,
    /// Work units (one message, one timer, or one partition handled in a fetch) per simulated second
    /// that the cluster's intervals and fan-out imply when idle ([`Ledger::work_per_second`]).
    pub work_per_second_max: u64,
    /// Work units from time 0 to `until_ms`: `work_per_second` × seconds.
    pub run_work_max: u64,
    /// Steps at one simulated millisecond before [`Engine::advance_to`](super::Engine::advance_to)
    /// declares that the simulation makes no progress (an engine bug; every message takes at least
    /// 1 ms).
    pub steps_per_ms_max: u64,
    /// Events the engine keeps; older ones are dropped (their `seq` is never reused).
    pub events_kept: usize,
    /// What the bounds above let the engine hold at most, about (records, replicas, texts).
    pub memory_bytes_max: u64,
}

/// The bounds. Sized for a browser tab: 1,000,000 records take about 100 MiB natively (README,
/// Performance) and less in wasm32; 10,000 replicas draw in about 15 ms a frame (the 3,000 of the
/// large scenario take 4.7 ms); 100,000 work units a simulated second run at 1× speed in a fraction
/// of a frame (the large scenario implies about 16,000).
pub const LIMITS: Limits = Limits {
    brokers_max: 256,
    broker_id_max: 1_000_000,
    partitions_per_topic_max: 10_000,
    replicas_max: 10_000,
    clients_max: 64,
    commands_max: 10_000,
    records_max: 1_000_000,
    text_bytes_max: 1_024,
    name_bytes_max: 64,
    topic_name_bytes_max: 249,
    time_ms_max: 30 * 24 * 3_600_000,
    config_ms_max: 24 * 3_600_000,
    config_count_max: i32::MAX as u64,
    latency_ms_max: 60_000,
    work_per_second_max: 100_000,
    run_work_max: 500_000_000,
    steps_per_ms_max: 1_000_000,
    events_kept: 10_000,
    memory_bytes_max: 400 << 20,
};

fn fail<T>(field: impl Into<String>, reason: impl Into<String>) -> Result<T, CommandError> {
    Err(CommandError::new(field, reason))
}

/// `a.b`, or `b` when `a` is empty.
pub fn join(path: &str, key: &str) -> String {
    match (path.is_empty(), key.is_empty()) {
        (true, _) => key.to_string(),
        (_, true) => path.to_string(),
        _ => format!("{path}.{key}"),
    }
}

/// Prefixes the field of a command error with where the command sits.
fn at(path: &str) -> impl Fn(CommandError) -> ScenarioError + '_ {
    move |e| ScenarioError { path: join(path, &e.field), reason: e.reason }
}

/// `1,000,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Topic names as Kafka accepts them (`Topic.validate`): `[A-Za-z0-9._-]{1,249}`, not `.` or `..`.
pub fn check_topic_name(name: &str) -> Result<(), String> {
    let max = LIMITS.topic_name_bytes_max;
    if name.is_empty() {
        return Err("a topic name cannot be empty".into());
    }
    if name.len() > max {
        return Err(format!("a topic name has at most {max} characters (this one has {})", name.len()));
    }
    if name == "." || name == ".." {
        return Err("a topic name cannot be \".\" or \"..\"".into());
    }
    if let Some(c) = name.chars().find(|c| !is_name_char(*c)) {
        return Err(format!("a topic name may only contain ASCII letters, digits, '.', '_' and '-' (found {c:?})"));
    }
    Ok(())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Client names and racks: short, printable, no separators that would confuse node names.
pub fn check_name(what: &str, name: &str) -> Result<(), String> {
    let max = LIMITS.name_bytes_max;
    if name.is_empty() || name.len() > max {
        return Err(format!("a {what} has 1 to {max} characters"));
    }
    if let Some(c) = name.chars().find(|c| !is_name_char(*c)) {
        return Err(format!("a {what} may only contain ASCII letters, digits, '.', '_' and '-' (found {c:?})"));
    }
    Ok(())
}

/// A rack (`broker.rack`, `client.rack`): empty means none.
fn check_rack(field: &str, rack: &str) -> Result<(), CommandError> {
    if rack.is_empty() {
        return Ok(());
    }
    check_name("rack", rack).or_else(|reason| fail(field, reason))
}

fn check_ms(field: &str, value: u64, min: u64) -> Result<(), CommandError> {
    let max = LIMITS.config_ms_max;
    if value < min || value > max {
        return fail(field, format!("must be between {min} and {max} ms (a day), found {value}"));
    }
    Ok(())
}

fn check_count(field: &str, value: u64) -> Result<(), CommandError> {
    let max = LIMITS.config_count_max;
    if value == 0 || value > max {
        return fail(field, format!("must be between 1 and {max}, found {value}"));
    }
    Ok(())
}

fn check_time(field: &str, at_ms: Millis) -> Result<(), CommandError> {
    let max = LIMITS.time_ms_max;
    if at_ms > max {
        return fail(field, format!("at most {max} ms (30 days), found {at_ms}"));
    }
    Ok(())
}

/// Cluster-wide broker settings (kafka-model §1.1) and Kafka's rules between them.
pub fn check_broker_config(c: &BrokerConfig) -> Result<(), CommandError> {
    check_ms("broker.heartbeat.interval.ms", c.broker_heartbeat_interval_ms, 1)?;
    check_ms("broker.session.timeout.ms", c.broker_session_timeout_ms, 1)?;
    check_ms("replica.lag.time.max.ms", c.replica_lag_time_max_ms, 1)?;
    check_ms("replica.fetch.wait.max.ms", c.replica_fetch_wait_max_ms, 0)?;
    check_count("replica.fetch.max.bytes", c.replica_fetch_max_bytes)?;
    check_ms("replica.fetch.backoff.ms", c.replica_fetch_backoff_ms, 1)?;
    check_ms("unclean.leader.election.interval.ms", c.unclean_leader_election_interval_ms, 1)?;
    let brokers_max = LIMITS.brokers_max;
    if c.min_insync_replicas == 0 || c.min_insync_replicas as usize > brokers_max {
        return fail(
            "min.insync.replicas",
            format!("must be between 1 and {brokers_max}, found {}", c.min_insync_replicas),
        );
    }
    if c.broker_session_timeout_ms <= c.broker_heartbeat_interval_ms {
        return fail(
            "broker.session.timeout.ms",
            format!(
                "must be longer than broker.heartbeat.interval.ms ({} ms), found {}",
                c.broker_heartbeat_interval_ms, c.broker_session_timeout_ms
            ),
        );
    }
    if c.replica_fetch_wait_max_ms > c.replica_lag_time_max_ms {
        return fail(
            "replica.fetch.wait.max.ms",
            format!(
                "must be at most replica.lag.time.max.ms ({} ms), as Kafka requires, found {}",
                c.replica_lag_time_max_ms, c.replica_fetch_wait_max_ms
            ),
        );
    }
    if c.replica_selector_class.as_deref().is_some_and(|class| class != RACK_AWARE_REPLICA_SELECTOR) {
        return fail("replica.selector.class", format!("only {RACK_AWARE_REPLICA_SELECTOR} is supported (or null)"));
    }
    Ok(())
}

/// The simulated network (not a Kafka config).
pub fn check_network(n: &NetworkConfig) -> Result<(), CommandError> {
    let max = LIMITS.latency_ms_max;
    for (field, ms) in [("latency.ms", n.latency_ms), ("jitter.ms", n.jitter_ms)] {
        if ms > max {
            return fail(field, format!("at most {max} ms, found {ms}"));
        }
    }
    Ok(())
}

/// Producer settings (kafka-model §1.2) and Kafka's rules between them.
pub fn check_producer_config(c: &ProducerConfig) -> Result<(), CommandError> {
    if c.acks != Acks::All && c.enable_idempotence {
        return fail(
            "enable.idempotence",
            format!(
                "the idempotent producer needs acks=all, not acks={} (Kafka refuses this with a ConfigException); \
                 set enable.idempotence to false or acks to all",
                c.acks.as_str()
            ),
        );
    }
    check_ms("delivery.timeout.ms", c.delivery_timeout_ms, 1)?;
    check_ms("request.timeout.ms", c.request_timeout_ms, 1)?;
    check_ms("linger.ms", c.linger_ms, 0)?;
    check_count("batch.size", c.batch_size)?;
    check_ms("retry.backoff.ms", c.retry_backoff_ms, 0)?;
    check_ms("retry.backoff.max.ms", c.retry_backoff_max_ms, 0)?;
    check_ms("metadata.max.age.ms", c.metadata_max_age_ms, 1)?;
    if c.delivery_timeout_ms < c.linger_ms.saturating_add(c.request_timeout_ms) {
        return fail(
            "delivery.timeout.ms",
            format!(
                "must be at least linger.ms + request.timeout.ms ({} ms), as Kafka requires, found {}",
                c.linger_ms + c.request_timeout_ms,
                c.delivery_timeout_ms
            ),
        );
    }
    Ok(())
}

/// Consumer settings (kafka-model §1.3).
pub fn check_consumer_config(c: &ConsumerConfig) -> Result<(), CommandError> {
    check_rack("client.rack", &c.client_rack)?;
    check_ms("fetch.max.wait.ms", c.fetch_max_wait_ms, 0)?;
    check_count("max.poll.records", c.max_poll_records as u64)?;
    check_ms("request.timeout.ms", c.request_timeout_ms, 1)?;
    check_ms("metadata.max.age.ms", c.metadata_max_age_ms, 1)?;
    check_ms("retry.backoff.ms", c.retry_backoff_ms, 0)?;
    Ok(())
}

/// A topic's partitions and replication factor, as the ledger knows it.
#[derive(Clone, Copy, Debug)]
struct TopicShape {
    partitions: u32,
    replication_factor: u32,
}

/// What a checked command adds to the ledger.
#[derive(Clone, Debug, Default)]
pub struct Cost {
    records: u64,
    topic: Option<(String, TopicShape)>,
}

/// What a scenario and the commands applied since have made, and what they cost: the names
/// commands may refer to, and the totals the budget bounds. The scenario check fills one from the
/// scenario; the engine keeps it and admits each command the page applies, so a scenario and the
/// page session share one budget.
#[derive(Clone, Debug)]
pub struct Ledger {
    brokers: Vec<BrokerId>,
    producers: Vec<String>,
    consumers: Vec<String>,
    /// In creation order. The lists are short (256 brokers, 64 clients and a few topics at most): a
    /// linear search costs less of the page's bundle than another map type.
    topics: Vec<(String, TopicShape)>,
    config: BrokerConfig,
    network: NetworkConfig,
    /// The slowest sustained retry cycle of any producer, and the fastest consumer fetch wait.
    producer_retry_ms: u64,
    consumer_fetch_wait_ms: u64,
    replicas: u64,
    partitions: u64,
    records: u64,
    commands: usize,
}

impl Ledger {
    /// The ledger of a scenario's cluster, clients and topics (not yet its commands).
    fn new(s: &Scenario) -> Ledger {
        Ledger {
            brokers: s.cluster.brokers.iter().map(|b| b.id).collect(),
            producers: s.producers.iter().map(|p| p.name.clone()).collect(),
            consumers: s.consumers.iter().map(|c| c.name.clone()).collect(),
            topics: Vec::new(),
            config: s.cluster.config.clone(),
            network: s.cluster.network.clone(),
            producer_retry_ms: s
                .producers
                .iter()
                .map(|p| p.config.retry_backoff_ms.max(p.config.retry_backoff_max_ms))
                .min()
                .unwrap_or(u64::MAX),
            consumer_fetch_wait_ms: s.consumers.iter().map(|c| c.config.fetch_max_wait_ms).min().unwrap_or(u64::MAX),
            replicas: 0,
            partitions: 0,
            records: 0,
            commands: 0,
        }
    }

    /// Records admitted so far (the scenario's and the page session's).
    pub fn records(&self) -> u64 {
        self.records
    }

    pub fn replicas(&self) -> u64 {
        self.replicas
    }

    /// Checks a command against the contract and, when it passes, counts what it adds (a topic,
    /// records): the scenario check's step. Nothing is counted on error.
    pub fn admit(&mut self, command: &Command) -> Result<(), CommandError> {
        let cost = self.check(command)?;
        self.count(cost);
        Ok(())
    }

    /// Checks a command against the contract without counting it, and says what it would add;
    /// [`count`](Ledger::count) it once it is carried out (what [`Engine::apply`] does).
    ///
    /// [`Engine::apply`]: super::Engine::apply
    pub fn check(&self, command: &Command) -> Result<Cost, CommandError> {
        if self.commands >= 2 * LIMITS.commands_max {
            let max = thousands(2 * LIMITS.commands_max as u64);
            return fail("", format!("the playground takes at most {max} commands"));
        }
        let mut cost = Cost::default();
        match command {
            Command::Produce(p) => cost.records = self.check_produce(p)?,
            Command::Consume { consumer, topic } => {
                self.consumer(consumer, "consumer")?;
                self.topic(topic, "topic")?;
            }
            Command::CrashBroker { broker }
            | Command::RestartBroker { broker }
            | Command::ControlledShutdown { broker }
            | Command::SlowReplica { broker, .. } => self.broker(*broker, "broker")?,
            Command::CutLink { between } | Command::HealLink { between } => {
                self.node(&between[0], "between[0]")?;
                self.node(&between[1], "between[1]")?;
                if between[0] == between[1] {
                    return fail("between", "a link joins two different nodes");
                }
            }
            Command::CreateTopic(t) => cost.topic = Some(self.check_topic(t)?),
            Command::ChangeConfig(c) => self.check_change_config(c)?,
        }
        Ok(cost)
    }

    /// Counts a checked command.
    pub fn count(&mut self, cost: Cost) {
        self.commands += 1;
        self.records += cost.records;
        if let Some((name, t)) = cost.topic {
            self.replicas += t.partitions as u64 * t.replication_factor as u64;
            self.partitions += t.partitions as u64;
            self.topics.push((name, t));
        }
    }

    fn broker(&self, broker: BrokerId, field: &str) -> Result<(), CommandError> {
        if !self.brokers.contains(&broker) {
            return fail(field, format!("no broker {broker} in the cluster"));
        }
        Ok(())
    }

    fn producer(&self, name: &str, field: &str) -> Result<(), CommandError> {
        if !self.producers.iter().any(|p| p == name) {
            return fail(field, format!("no producer named `{name}`"));
        }
        Ok(())
    }

    fn consumer(&self, name: &str, field: &str) -> Result<(), CommandError> {
        if !self.consumers.iter().any(|c| c == name) {
            return fail(field, format!("no consumer named `{name}`"));
        }
        Ok(())
    }

    fn topic(&self, name: &str, field: &str) -> Result<TopicShape, CommandError> {
        match self.topics.iter().find(|(n, _)| n == name) {
            Some((_, t)) => Ok(*t),
            None => fail(field, format!("no topic `{name}` (define it in `topics` or create it first)")),
        }
    }

    fn node(&self, node: &NodeRef, field: &str) -> Result<(), CommandError> {
        let known = match node {
            NodeRef::Controller => true,
            NodeRef::Broker(b) => self.brokers.contains(b),
            NodeRef::Producer(p) => self.producers.contains(p),
            NodeRef::Consumer(c) => self.consumers.contains(c),
        };
        if !known {
            return fail(field, format!("no node `{node}` in the scenario"));
        }
        Ok(())
    }

    /// The records a produce adds.
    fn check_produce(&self, p: &Produce) -> Result<u64, CommandError> {
        self.producer(&p.producer, "producer")?;
        let topic = self.topic(&p.topic, "topic")?;
        let text_max = LIMITS.text_bytes_max;
        if p.value.len() > text_max {
            return fail("value", format!("at most {text_max} bytes, found {}", p.value.len()));
        }
        if let Some(k) = p.key.as_ref().filter(|k| k.len() > text_max) {
            return fail("key", format!("at most {text_max} bytes, found {}", k.len()));
        }
        if let Some(n) = p.partition.filter(|n| *n >= topic.partitions) {
            return fail(
                "partition",
                format!("topic `{}` has partitions 0 to {}, found {n}", p.topic, topic.partitions - 1),
            );
        }
        let records_max = LIMITS.records_max;
        if p.count == 0 || p.count as u64 > records_max {
            return fail("count", format!("1 to {}, found {}", thousands(records_max), thousands(p.count as u64)));
        }
        let records = self.records + p.count as u64;
        if records > records_max {
            return fail(
                "count",
                format!(
                    "this would hold {} records; the playground holds at most {} (this scenario and the page \
                     have produced {} so far)",
                    thousands(records),
                    thousands(records_max),
                    thousands(self.records)
                ),
            );
        }
        Ok(p.count as u64)
    }

    /// A topic of `topics` or of a `create_topic` command (kafka-model §3.1), and its shape.
    fn check_topic(&self, t: &TopicSpec) -> Result<(String, TopicShape), CommandError> {
        check_topic_name(&t.name).or_else(|reason| fail("name", reason))?;
        if self.topics.iter().any(|(n, _)| *n == t.name) {
            return fail("name", format!("topic `{}` already exists", t.name));
        }
        let per_topic_max = LIMITS.partitions_per_topic_max;
        if t.partitions == 0 || t.partitions > per_topic_max {
            return fail("partitions", format!("1 to {}, found {}", thousands(per_topic_max as u64), t.partitions));
        }
        let brokers = self.brokers.len();
        if t.replication_factor == 0 || t.replication_factor as usize > brokers {
            return fail(
                "replication.factor",
                format!(
                    "must be between 1 and the number of brokers ({brokers}), found {}; one broker holds at most \
                     one replica of a partition",
                    t.replication_factor
                ),
            );
        }
        if let Some(m) = t.config.min_insync_replicas {
            if m == 0 || m > t.replication_factor {
                return fail(
                    "config.min.insync.replicas",
                    format!("must be between 1 and the replication factor ({}), found {m}", t.replication_factor),
                );
            }
        }
        let replicas = self.replicas + t.partitions as u64 * t.replication_factor as u64;
        if replicas > LIMITS.replicas_max {
            return fail(
                "partitions",
                format!(
                    "the cluster would hold {} replicas (partitions × replication factor); the playground holds at \
                     most {}",
                    thousands(replicas),
                    thousands(LIMITS.replicas_max)
                ),
            );
        }
        self.check_replica_assignment(t)?;
        self.check_work("partitions", t.partitions as u64, replicas)?;
        let shape = TopicShape { partitions: t.partitions, replication_factor: t.replication_factor };
        Ok((t.name.clone(), shape))
    }

    /// A manual assignment (`replica.assignment`), as Kafka's controller checks one
    /// (`ReplicationControlManager.validateManualPartitionAssignment`, with its messages): one broker
    /// list per partition, each of `replication.factor` distinct brokers of the cluster. Kafka wants
    /// `partitions` and `replication.factor` unset beside it; here they must agree with it. The
    /// lengths are checked before the brokers so the work stays within the replica budget.
    fn check_replica_assignment(&self, t: &TopicSpec) -> Result<(), CommandError> {
        let Some(lists) = &t.replica_assignment else {
            return Ok(());
        };
        if lists.len() != t.partitions as usize {
            return fail(
                "replica.assignment",
                format!("one broker list per partition: `partitions` is {}, found {} lists", t.partitions, lists.len()),
            );
        }
        let rf = t.replication_factor as usize;
        for (i, list) in lists.iter().enumerate() {
            let field = format!("replica.assignment[{i}]");
            if list.is_empty() {
                return fail(field, "the manual partition assignment includes an empty replica list");
            }
            if list.len() != rf {
                return fail(
                    field,
                    format!(
                        "the manual partition assignment includes a partition with {} replica(s), but \
                         `replication.factor` is {rf}",
                        list.len()
                    ),
                );
            }
            for (j, b) in list.iter().enumerate() {
                if !self.brokers.contains(b) {
                    let reason = format!(
                        "the manual partition assignment includes broker {b}, but no such broker is registered"
                    );
                    return fail(format!("{field}[{j}]"), reason);
                }
                if list[..j].contains(b) {
                    let reason = format!("the manual partition assignment includes the broker {b} more than once");
                    return fail(format!("{field}[{j}]"), reason);
                }
            }
        }
        Ok(())
    }

    fn check_change_config(&self, c: &ChangeConfig) -> Result<(), CommandError> {
        match c {
            ChangeConfig::Topic { topic, config } => {
                let rf = self.topic(topic, "topic")?.replication_factor;
                if let Some(m) = config.min_insync_replicas.filter(|m| *m == 0 || *m > rf) {
                    return fail(
                        "min.insync.replicas",
                        format!("must be between 1 and the replication factor of `{topic}` ({rf}), found {m}"),
                    );
                }
            }
            ChangeConfig::ClientRack { consumer, client_rack } => {
                self.consumer(consumer, "consumer")?;
                check_rack("client.rack", client_rack)?;
            }
        }
        Ok(())
    }

    /// Work units per simulated second that the cluster implies when idle: heartbeats, follower
    /// fetch sessions (one per pair of follower and leader broker, each a request, a response and its
    /// partitions per `replica.fetch.wait.max.ms` plus a round trip), consumer fetches, producer
    /// retries at `retry.backoff.max.ms` for every partition, and the controller's sweeps. An upper
    /// bound: it assumes every pair of brokers shares a partition as far as replicas allow.
    pub fn work_per_second(&self) -> u64 {
        self.work_with(0, self.replicas)
    }

    /// [`work_per_second`](Ledger::work_per_second) with `partitions_added` more partitions and
    /// `replicas` replicas in all.
    fn work_with(&self, partitions_added: u64, replicas: u64) -> u64 {
        let c = &self.config;
        let partitions = self.partitions + partitions_added;
        let round_trip_ms = 2 * self.network.latency_ms.max(1);
        let per_second = |units: u64, cycle_ms: u64| units.saturating_mul(1_000) / cycle_ms.max(1);
        let brokers = self.brokers.len() as u64;
        let heartbeats = per_second(2 * brokers, c.broker_heartbeat_interval_ms);
        let follower_replicas = replicas - partitions;
        let sessions = follower_replicas.min(brokers * brokers.saturating_sub(1));
        let followers = per_second(2 * sessions + follower_replicas, c.replica_fetch_wait_max_ms + round_trip_ms);
        let consumers = self.consumers.len() as u64;
        let consumer_sessions = consumers * brokers.min(partitions);
        let consumer_units = 2 * consumer_sessions + consumers * partitions;
        let consumer_work = match self.consumer_fetch_wait_ms {
            u64::MAX => 0,
            wait => per_second(consumer_units, wait + round_trip_ms),
        };
        let producer_work = match self.producer_retry_ms {
            u64::MAX => 0,
            retry => per_second(2 * self.producers.len() as u64 * partitions, retry + round_trip_ms),
        };
        let sweeps = per_second(partitions, c.unclean_leader_election_interval_ms);
        heartbeats + followers + consumer_work + producer_work + sweeps
    }

    /// The work bound, for the cluster with `partitions_added` more partitions and `replicas` in all.
    fn check_work(&self, field: &str, partitions_added: u64, replicas: u64) -> Result<(), CommandError> {
        let work = self.work_with(partitions_added, replicas);
        let max = LIMITS.work_per_second_max;
        if work > max {
            return fail(
                field,
                format!(
                    "this cluster would take about {} work units per simulated second (heartbeats, fetch sessions \
                     and their partitions, retries); the playground runs at most {} ({} brokers, {} replicas, \
                     broker.heartbeat.interval.ms {}, replica.fetch.wait.max.ms {})",
                    thousands(work),
                    thousands(max),
                    self.brokers.len(),
                    thousands(replicas),
                    self.config.broker_heartbeat_interval_ms,
                    self.config.replica_fetch_wait_max_ms
                ),
            );
        }
        Ok(())
    }
}

/// Checks a whole scenario and returns its ledger; what [`Engine::new`](super::Engine::new) runs.
/// Commands are named `commands[i]`; a reader whose source numbers them otherwise (JSON's
/// `advance_ms` entries make no command) uses [`check_scenario_at`].
pub fn check_scenario(s: &Scenario) -> Result<Ledger, ScenarioError> {
    check_scenario_at(s, &|i| format!("commands[{i}]"))
}

/// [`check_scenario`], with `command_path` naming the `i`th command as its source wrote it.
pub fn check_scenario_at(s: &Scenario, command_path: &dyn Fn(usize) -> String) -> Result<Ledger, ScenarioError> {
    if s.format != FORMAT_VERSION {
        return Err(ScenarioError {
            path: "format".into(),
            reason: format!("this playground reads format {FORMAT_VERSION}, not {}", s.format),
        });
    }
    check_cluster(&s.cluster)?;
    check_clients(s)?;
    let mut ledger = Ledger::new(s);
    ledger.check_work("broker.heartbeat.interval.ms", 0, 0).map_err(at("cluster.config"))?;
    for (i, t) in s.topics.iter().enumerate() {
        let topic = ledger.check_topic(t).map_err(at(&format!("topics[{i}]")))?;
        ledger.count(Cost { records: 0, topic: Some(topic) });
    }
    let commands_max = LIMITS.commands_max;
    if s.commands.len() > commands_max {
        return Err(ScenarioError {
            path: "commands".into(),
            reason: format!("at most {} commands, found {}", thousands(commands_max as u64), s.commands.len()),
        });
    }
    let mut previous_ms: Millis = 0;
    for (i, step) in s.commands.iter().enumerate() {
        let path = command_path(i);
        let at_ms = step.at_ms;
        if at_ms < previous_ms {
            return Err(ScenarioError {
                path: join(&path, "at_ms"),
                reason: format!(
                    "{at_ms} is earlier than the previous command ({previous_ms} ms); commands are in time order"
                ),
            });
        }
        check_time("at_ms", at_ms).map_err(at(&path))?;
        previous_ms = at_ms;
        ledger.admit(&step.command).map_err(at(&join(&path, step.command.name())))?;
    }
    check_until(s, &ledger, previous_ms)?;
    Ok(ledger)
}

fn check_until(s: &Scenario, ledger: &Ledger, last_command_ms: Millis) -> Result<(), ScenarioError> {
    if s.until_ms < last_command_ms {
        return Err(ScenarioError {
            path: "until_ms".into(),
            reason: format!(
                "{} is before the last command (at {last_command_ms} ms), which would never run",
                s.until_ms
            ),
        });
    }
    ledger.check_run_to(s.until_ms).map_err(at("until_ms"))
}

impl Ledger {
    /// Whether running from time 0 to `until_ms` stays within [`Limits::run_work_max`]: the runner
    /// asks for its `--until`, a link for the moment it opens at.
    pub fn check_run_to(&self, until_ms: Millis) -> Result<(), CommandError> {
        check_time("", until_ms)?;
        let per_second = self.work_per_second();
        let work = per_second.saturating_mul(until_ms) / 1_000;
        if work > LIMITS.run_work_max {
            let seconds_max = LIMITS.run_work_max / per_second.max(1);
            return fail(
                "",
                format!(
                    "running this cluster to {} ms would take about {} work units; the playground runs at most {} \
                     (for this cluster, up to {} s of simulated time)",
                    thousands(until_ms),
                    thousands(work),
                    thousands(LIMITS.run_work_max),
                    thousands(seconds_max)
                ),
            );
        }
        Ok(())
    }
}

fn check_cluster(cluster: &ClusterSpec) -> Result<(), ScenarioError> {
    let error = |path: String, reason: String| Err(ScenarioError { path, reason });
    let brokers_max = LIMITS.brokers_max;
    if cluster.brokers.is_empty() || cluster.brokers.len() > brokers_max {
        return error("cluster.brokers".into(), format!("1 to {brokers_max} brokers, found {}", cluster.brokers.len()));
    }
    // At most 256 brokers and 64 clients a kind: looking back costs less bundle than a sorted set.
    for (i, b) in cluster.brokers.iter().enumerate() {
        if b.id.0 > LIMITS.broker_id_max {
            let reason = format!("a broker id is between 0 and {}", LIMITS.broker_id_max);
            return error(format!("cluster.brokers[{i}].id"), reason);
        }
        if cluster.brokers[..i].iter().any(|other| other.id == b.id) {
            return error(format!("cluster.brokers[{i}].id"), format!("broker {} appears twice", b.id));
        }
        check_rack("rack", &b.rack).map_err(at(&format!("cluster.brokers[{i}]")))?;
    }
    check_broker_config(&cluster.config).map_err(at("cluster.config"))?;
    check_network(&cluster.network).map_err(at("cluster.network"))
}

fn check_clients(s: &Scenario) -> Result<(), ScenarioError> {
    check_client_names(s.producers.iter().map(|p| p.name.as_str()), "producers")?;
    check_client_names(s.consumers.iter().map(|c| c.name.as_str()), "consumers")?;
    for (i, p) in s.producers.iter().enumerate() {
        check_producer_config(&p.config).map_err(at(&format!("producers[{i}].config")))?;
    }
    for (i, c) in s.consumers.iter().enumerate() {
        check_consumer_config(&c.config).map_err(at(&format!("consumers[{i}].config")))?;
    }
    Ok(())
}

fn check_client_names<'a>(names: impl ExactSizeIterator<Item = &'a str>, key: &str) -> Result<(), ScenarioError> {
    let max = LIMITS.clients_max;
    if names.len() > max {
        return Err(ScenarioError { path: key.into(), reason: format!("at most {max}, found {}", names.len()) });
    }
    let mut seen: Vec<&str> = Vec::with_capacity(names.len());
    for (i, n) in names.enumerate() {
        let path = format!("{key}[{i}].name");
        check_name("client name", n).map_err(|reason| ScenarioError { path: path.clone(), reason })?;
        if seen.contains(&n) {
            return Err(ScenarioError { path, reason: format!("`{n}` appears twice") });
        }
        seen.push(n);
    }
    Ok(())
}
