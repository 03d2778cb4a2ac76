//! The engine's input contract: every limit and validity rule of a scenario or a command, in one
//! place. The JSON reader, the binary code, links, lessons and the page's forms all end here:
//! [`check_scenario`] for a whole scenario (what [`Engine::new`](super::Engine::new) runs) and
//! [`Ledger::check`] for one command (what [`Engine::apply`](super::Engine::apply) runs), the same
//! rules for both.
//!
//! Besides Kafka's own rules (kafka-model §1, §3.1), the contract bounds what an input may cost
//! ([`LIMITS`]): records held, replicas, and the work per simulated second that intervals and
//! fan-out imply, and the timers and messages its agenda holds at once. No input within them runs
//! without end or makes the engine hold much more than its records and replicas
//! (`docs/scenario-format.md`, "Bounds").

use super::command::{ChangeConfig, Command, ElectLeaders, NodeRef, Produce, ProducerReconfig, SeekTo, TopicSpec};
use super::config::{Acks, BrokerConfig, ConsumerConfig, LogConfig, NetworkConfig, ProducerConfig};
use super::config::{MAX_IN_FLIGHT_FOR_IDEMPOTENCE, RACK_AWARE_REPLICA_SELECTOR, SEGMENT_BYTES_MIN};
use super::error::{CommandError, ScenarioError};
use super::group::OFFSETS_TOPIC;

use super::ids::{BrokerId, Millis};
use super::limits::LIMITS;
use super::setup::{ClusterSpec, Scenario, FORMAT_VERSION};

mod cluster;
mod configs;
mod group;
mod reassign;
mod when;

pub use configs::{check_broker_config, check_consumer_config, check_network, check_producer_config};
use configs::{check_idempotence, check_log_config};
use group::INTERNAL_TOPIC;

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
        return Err(format!(
            "a topic name may only contain ASCII letters, digits, '.', '_' and '-' (found {})",
            quoted(c)
        ));
    }
    Ok(())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// `c` in quotes as `{c:?}` writes an ASCII character (`'/'`, `' '`, `'\n'`), and any other as its
/// code point (`'\u{e9}'`, which also tells look-alike letters apart). Not `{:?}` itself: its table
/// of printable Unicode characters would come into the page's wasm bundle.
fn quoted(c: char) -> String {
    match c {
        '\'' | '\\' => format!("'\\{c}'"),
        ' '..='~' => format!("'{c}'"),
        '\t' => "'\\t'".into(),
        '\n' => "'\\n'".into(),
        '\r' => "'\\r'".into(),
        '\0' => "'\\0'".into(),
        _ => format!("'\\u{{{:x}}}'", c as u32),
    }
}

/// Client names and racks: short, printable, no separators that would confuse node names.
pub fn check_name(what: &str, name: &str) -> Result<(), String> {
    let max = LIMITS.name_bytes_max;
    if name.is_empty() || name.len() > max {
        return Err(format!("a {what} has 1 to {max} characters"));
    }
    if let Some(c) = name.chars().find(|c| !is_name_char(*c)) {
        return Err(format!("a {what} may only contain ASCII letters, digits, '.', '_' and '-' (found {})", quoted(c)));
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
    /// A reconfigured producer (its index) and its `acks` from then on.
    producer_acks: Option<(usize, Acks)>,
    /// A broker `add_broker` adds.
    broker: Option<BrokerId>,
    /// Replicas a reassignment may add.
    replicas: u64,
}

/// What a scenario and the commands applied since have made, and what they cost: the names
/// commands may refer to, and the totals the budget bounds. The scenario check fills one from the
/// scenario; the engine keeps it and admits each command the page applies, so a scenario and the
/// page session share one budget.
#[derive(Clone, Debug)]
pub struct Ledger {
    brokers: Vec<BrokerId>,
    producers: Vec<String>,
    /// Each producer's `acks` now, in `producers`' order: what a `reconfigure_producer` that gives
    /// no `acks` keeps.
    producer_acks: Vec<Acks>,
    /// Each producer's `max.in.flight.requests.per.connection` (a reconfiguration keeps it).
    producer_max_in_flight: Vec<u32>,
    consumers: Vec<String>,
    /// In creation order. The lists are short (256 brokers, 64 clients and a few topics at most): a
    /// linear search costs less of the page's bundle than another map type.
    topics: Vec<(String, TopicShape)>,
    config: BrokerConfig,
    network: NetworkConfig,
    /// The fastest sustained retry cycle of any producer (`None`: no producers).
    producer_retry_ms: Option<u64>,
    /// The shortest `fetch.max.wait.ms` of any consumer (`None`: no consumers).
    consumer_fetch_wait_ms: Option<u64>,
    /// Request timeouts the clients can leave waiting while a broker is down: each retried metadata
    /// or offset request keeps its `request.timeout.ms` on the agenda.
    client_timeouts: (u64, u64),
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
            producer_acks: s.producers.iter().map(|p| p.config.acks).collect(),
            producer_max_in_flight: s
                .producers
                .iter()
                .map(|p| p.config.max_in_flight_requests_per_connection)
                .collect(),
            consumers: s.consumers.iter().map(|c| c.name.clone()).collect(),
            topics: Vec::new(),
            config: s.cluster.config.clone(),
            network: s.cluster.network.clone(),
            producer_retry_ms: s
                .producers
                .iter()
                .map(|p| p.config.retry_backoff_ms.max(p.config.retry_backoff_max_ms))
                .min()
                // Reconnecting to a broker that is down has its own back-off, whatever the retries'.
                .map(|ms| ms.min(super::connection::RECONNECT_BACKOFF_MAX_MS)),
            consumer_fetch_wait_ms: s.consumers.iter().map(|c| c.config.fetch_max_wait_ms).min(),
            client_timeouts: client_timeouts(s),
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
            | Command::PowerOffBroker { broker }
            | Command::RestartBroker { broker }
            | Command::ControlledShutdown { broker }
            | Command::SlowReplica { broker, .. }
            | Command::PauseBroker { broker }
            | Command::ResumeBroker { broker } => self.broker(*broker, "broker")?,
            Command::CutLink { between } | Command::HealLink { between } => {
                self.node(&between[0], "between[0]")?;
                self.node(&between[1], "between[1]")?;
                if between[0] == between[1] {
                    return fail("between", "a link joins two different nodes");
                }
            }
            Command::When(w) => cost = self.check_when(w)?,
            Command::CutLinkOneWay { from, to } => {
                self.node(from, "from")?;
                self.node(to, "to")?;
                if from == to {
                    return fail("to", "a link joins two different nodes");
                }
            }
            Command::CreateTopic(t) => {
                if t.config.log != LogConfig::default() {
                    // A command's topic config travels in links without them (see `TopicConfig::log`).
                    return fail(
                        "config.retention.ms",
                        "retention and segment settings are given in the scenario's topics",
                    );
                }
                cost.topic = Some(self.check_topic(t)?)
            }
            Command::ChangeConfig(c) => self.check_change_config(c)?,
            Command::ReconfigureProducer { producer, config } => {
                cost.producer_acks = Some(self.check_reconfigure_producer(producer, config)?)
            }
            Command::Seek { consumer, topic, partition, to } => self.check_seek(consumer, topic, *partition, *to)?,
            Command::ElectLeaders(e) => self.check_elect_leaders(e)?,
            Command::AddBroker { broker, rack } => cost = self.check_add_broker(*broker, rack)?,
            Command::ReassignPartitions(r) => cost = self.check_reassign(r)?,
            Command::CrashController { controller } | Command::RestartController { controller } => {
                self.controller(*controller, "controller")?
            }
            Command::JoinGroup(j) => cost.topic = self.check_join_group(j)?,
            Command::LeaveGroup { consumer }
            | Command::CrashConsumer { consumer }
            | Command::StopPolling { consumer }
            | Command::CommitOffsets { consumer } => self.consumer(consumer, "consumer")?,
        }
        Ok(cost)
    }

    /// Counts a checked command.
    pub fn count(&mut self, cost: Cost) {
        self.commands += 1;
        self.records += cost.records;
        if let Some(topic) = cost.topic {
            self.add_topic(topic);
        }
        if let Some((i, acks)) = cost.producer_acks {
            self.producer_acks[i] = acks;
        }
        if let Some(broker) = cost.broker {
            self.brokers.push(broker);
        }
        self.replicas += cost.replicas;
    }

    /// A checked topic: of a `create_topic` command, or of the scenario's `topics` (which are not
    /// commands, so they leave the page its share of `commands_max`).
    fn add_topic(&mut self, (name, t): (String, TopicShape)) {
        self.replicas += t.partitions as u64 * t.replication_factor as u64;
        self.partitions += t.partitions as u64;
        self.topics.push((name, t));
    }

    fn broker(&self, broker: BrokerId, field: &str) -> Result<(), CommandError> {
        if !self.brokers.contains(&broker) {
            return fail(field, format!("no broker {broker} in the cluster"));
        }
        Ok(())
    }

    /// A controller voter's `node.id` (kafka-model §2.2).
    fn controller(&self, id: u32, field: &str) -> Result<(), CommandError> {
        let ids = super::quorum::voter_ids(&self.config, &self.brokers);
        if !ids.contains(&id) {
            let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
            return fail(field, format!("no controller {id} in the quorum (its voters are {list})"));
        }
        Ok(())
    }

    /// The producer's index.
    fn producer(&self, name: &str, field: &str) -> Result<usize, CommandError> {
        match self.producers.iter().position(|p| p == name) {
            Some(i) => Ok(i),
            None => fail(field, format!("no producer named `{name}`")),
        }
    }

    fn consumer(&self, name: &str, field: &str) -> Result<(), CommandError> {
        if !self.consumers.iter().any(|c| c == name) {
            return fail(field, format!("no consumer named `{name}`"));
        }
        Ok(())
    }

    fn topic(&self, name: &str, field: &str) -> Result<TopicShape, CommandError> {
        if name == OFFSETS_TOPIC {
            return fail(field, INTERNAL_TOPIC);
        }
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
            NodeRef::ControllerNode(id) => self.controller(*id, field).is_ok(),
        };
        if !known {
            return fail(field, format!("no node `{node}` in the scenario"));
        }
        Ok(())
    }

    /// A `reconfigure_producer`: a producer of the scenario, a setting to change, and the new
    /// instance's settings by the rule of the scenario's producers (`enable.idempotence=true` needs
    /// `acks=all`). Returns the producer's index and its `acks` from then on.
    fn check_reconfigure_producer(&self, producer: &str, c: &ProducerReconfig) -> Result<(usize, Acks), CommandError> {
        let i = self.producer(producer, "producer")?;
        if c.acks.is_none() && c.enable_idempotence.is_none() {
            return fail("config", "names no setting to change: give acks or enable.idempotence");
        }
        let acks = c.acks.unwrap_or(self.producer_acks[i]);
        check_idempotence(acks, c.enable_idempotence, self.producer_max_in_flight[i])
            .map_err(|e| CommandError::new(join("config", &e.field), e.reason))?;
        Ok((i, acks))
    }

    /// A `seek`: a consumer, a partition of the topic, and an offset no log can pass
    /// (`records_max`); whether the consumer consumes it is the engine's to say when it applies it.
    fn check_seek(&self, consumer: &str, topic: &str, partition: u32, to: SeekTo) -> Result<(), CommandError> {
        self.consumer(consumer, "consumer")?;
        let shape = self.topic(topic, "topic")?;
        if partition >= shape.partitions {
            let last = shape.partitions - 1;
            return fail("partition", format!("topic `{topic}` has partitions 0 to {last}, found {partition}"));
        }
        let records_max = LIMITS.records_max;
        match to {
            SeekTo::Offset(offset) if offset > records_max => fail(
                "to.offset",
                format!("0 to {} (no log holds more records), found {offset}", thousands(records_max)),
            ),
            _ => Ok(()),
        }
    }

    /// `--topic` and `--partition` come together (Kafka's tool requires both), or neither: every
    /// partition.
    fn check_elect_leaders(&self, e: &ElectLeaders) -> Result<(), CommandError> {
        match (&e.topic, e.partition) {
            (None, None) => Ok(()),
            (Some(topic), Some(partition)) => {
                let shape = self.topic(topic, "topic")?;
                if partition >= shape.partitions {
                    let last = shape.partitions - 1;
                    return fail("partition", format!("topic `{topic}` has partitions 0 to {last}, found {partition}"));
                }
                Ok(())
            }
            (Some(_), None) => fail("partition", "missing: a topic's election names its partition too"),
            (None, Some(_)) => fail("topic", "missing: a partition is named with its topic"),
        }
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
        if t.name == OFFSETS_TOPIC {
            return fail("name", INTERNAL_TOPIC);
        }
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
        check_log_config(&t.config.log).map_err(|e| CommandError::new(join("config", &e.field), e.reason))?;
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
        self.check_work(Some("partitions"), t.partitions as u64, replicas)?;
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

    /// Work units per simulated second that the cluster implies when idle ([`Load`]).
    pub fn work_per_second(&self) -> u64 {
        self.load(0, self.replicas).work_per_second()
    }

    /// Entries the engine's agenda holds at once when idle ([`Load`]).
    pub fn agenda_entries(&self) -> u64 {
        self.load(0, self.replicas).agenda_entries()
    }

    /// What the cluster costs with `partitions_added` more partitions and `replicas` replicas in all.
    fn load(&self, partitions_added: u64, replicas: u64) -> Load {
        let c = &self.config;
        let partitions = self.partitions + partitions_added;
        // The fastest round trip paces the cycles.
        let round_trip_ms = self.network.round_trip_ms_min();
        let brokers = self.brokers.len() as u64;
        let mut load = Load { terms: Vec::new(), one_way_ms: self.network.one_way_ms_max() };
        // A heartbeat, its answer and the session expiry the controller keeps armed (kafka-model
        // §2.3), one a broker.
        let heartbeat_ms = c.broker_heartbeat_interval_ms;
        load.add("broker.heartbeat.interval.ms", 3 * brokers, heartbeat_ms, 2 * brokers);
        // Each broker's isr-expiration task walks the partitions it leads (kafka-model §4.2), and its
        // HW checkpoint runs every 5 s.
        load.add("replica.lag.time.max.ms", brokers + partitions, c.replica_lag_time_max_ms / 2, brokers);
        // Every node's own timers (ticks, checkpoints, metadata refresh, linger, back-offs; twice
        // for a broker whose crashed incarnation's timers still wait to be dropped), and their work:
        // a few units a second each.
        let clients = (self.producers.len() + self.consumers.len()) as u64;
        load.add("", 4 * (brokers + clients), 1_000, 16 * brokers + 16 * clients);
        // The timeouts of metadata and offset requests a client retries while a broker is down.
        let (producer_timeouts, consumer_timeouts) = self.client_timeouts;
        load.add_for("request.timeout.ms", "producers", 0, 1_000, producer_timeouts);
        load.add_for("request.timeout.ms", "consumers", 0, 1_000, consumer_timeouts);
        // One fetch session per pair of follower and leader broker, at most as many as follower
        // replicas: a request, its wait at the leader, an answer and its partitions per cycle (work
        // units: each step, and each partition a step handles). A cycle is the leader's wait
        // (or the follower's back-off after an error) plus a round trip. A session keeps one timeout
        // timer and one parked fetch at the leader.
        let followers = replicas - partitions;
        let sessions = followers.min(brokers * brokers.saturating_sub(1));
        let wait_ms = c.replica_fetch_wait_max_ms.min(c.replica_fetch_backoff_ms);
        let cycle_ms = wait_ms + round_trip_ms;
        load.add("replica.fetch.wait.max.ms", 3 * sessions + followers, cycle_ms, 2 * sessions);
        // Every consumer fetches from every leader broker, each fetch with one timeout timer and one
        // parked fetch at the broker.
        if let Some(wait_ms) = self.consumer_fetch_wait_ms {
            let consumers = self.consumers.len() as u64;
            let sessions = consumers * brokers.min(partitions);
            let timeouts = 2 * sessions;
            // A request, its wait, an answer and its timeout falling due, and the partitions.
            let units = 4 * sessions + consumers * partitions;
            load.add("fetch.max.wait.ms", units, wait_ms + round_trip_ms, timeouts);
        }
        // Producers retrying every partition at their sustained back-off (`retry.backoff.max.ms`, or
        // `reconnect.backoff.max.ms` when shorter: a producer reconnecting to a broker that is down).
        if let Some(retry_ms) = self.producer_retry_ms {
            let producers = self.producers.len() as u64;
            load.add(
                "retry.backoff.max.ms",
                2 * producers * partitions,
                retry_ms + round_trip_ms,
                producers * partitions,
            );
        }
        load.add("unclean.leader.election.interval.ms", partitions, c.unclean_leader_election_interval_ms, 1);
        load
    }

    /// The work and agenda bounds, for the cluster with `partitions_added` more partitions and
    /// `replicas` in all. The message names the setting behind the largest cost; so does the
    /// error's field when `field` is `None` (the cluster's own settings, before any topic).
    fn check_work(&self, field: Option<&str>, partitions_added: u64, replicas: u64) -> Result<(), CommandError> {
        let load = self.load(partitions_added, replicas);
        let (work, max) = (load.work_per_second(), LIMITS.work_per_second_max);
        let field = |measure: fn(&Term) -> u64| match (field, load.largest_field(measure)) {
            (Some(field), _) => field.to_string(),
            (None, field @ ("cluster.brokers" | "producers" | "consumers")) => field.to_string(),
            (None, key) => join("cluster.config", key),
        };
        if work > max {
            return fail(
                field(Term::work),
                format!(
                    "this cluster would take about {} work units per simulated second; the playground runs at most \
                     {} ({} brokers, {} replicas; most of it from {})",
                    thousands(work),
                    thousands(max),
                    self.brokers.len(),
                    thousands(replicas),
                    load.largest(Term::work, "units")
                ),
            );
        }
        let (entries, max) = (load.agenda_entries(), LIMITS.agenda_entries_max);
        if entries > max {
            return fail(
                field(Term::pending),
                format!(
                    "this cluster would keep about {} timers and messages in flight; the playground holds at most {} \
                     (most of them from {})",
                    thousands(entries),
                    thousands(max),
                    load.largest(Term::pending, "entries")
                ),
            );
        }
        Ok(())
    }
}

/// See [`Ledger::client_timeouts`](Ledger).
fn client_timeouts(s: &Scenario) -> (u64, u64) {
    let round_trip_ms = s.cluster.network.round_trip_ms_min();
    // Retried as fast as a round trip when the broker refuses at once (a request to a dead process).
    let waiting = |timeout_ms: u64| timeout_ms / round_trip_ms + 1;
    let producers = s.producers.iter().map(|p| waiting(p.config.request_timeout_ms));
    let consumers = s.consumers.iter().map(|c| waiting(c.config.request_timeout_ms));
    (producers.fold(0, u64::saturating_add), consumers.fold(0, u64::saturating_add))
}

/// What a cluster costs when idle, term by term: the work units (one message, one timer, or one
/// partition handled in a fetch) per simulated second that its intervals and fan-out imply, and the
/// entries its agenda holds at once (timers waiting to fall due, messages on the wire). Upper
/// bounds: every pair of brokers is assumed to share a partition as far as replicas allow, every
/// partition of every topic is assumed consumed and retried. Traffic adds work in proportion to the
/// records, which [`Limits::records_max`](super::limits::Limits) bounds.
#[derive(Clone, Debug)]
pub struct Load {
    terms: Vec<Term>,
    /// A message's longest one-way delay (`latency.ms` + `jitter.ms`).
    one_way_ms: u64,
}

#[derive(Clone, Debug)]
struct Term {
    /// The setting that paces it (empty: a fixed interval of the broker).
    setting: &'static str,
    /// Where that setting is: a key of `cluster.config`, or `cluster.brokers`, `producers`, `consumers`.
    field: &'static str,
    work_per_second: u64,
    pending: u64,
}

impl Term {
    fn work(&self) -> u64 {
        self.work_per_second
    }

    fn pending(&self) -> u64 {
        self.pending
    }
}

impl Load {
    /// `units` of work every `cycle_ms`, keeping `pending` timers on the agenda, paced by a broker
    /// setting (empty: the brokers' own fixed intervals).
    fn add(&mut self, setting: &'static str, units: u64, cycle_ms: u64, pending: u64) {
        let field = if setting.is_empty() { "cluster.brokers" } else { setting };
        self.add_for(setting, field, units, cycle_ms, pending);
    }

    /// [`add`](Load::add) for a term whose setting is not a broker's: `field` names where it is set.
    fn add_for(&mut self, setting: &'static str, field: &'static str, units: u64, cycle_ms: u64, pending: u64) {
        let work_per_second = units.saturating_mul(1_000) / cycle_ms.max(1);
        self.terms.push(Term { setting, field, work_per_second, pending });
    }

    /// The terms' sum, plus a quarter for what they leave out (elections, metadata pushes, the
    /// churn of a cluster whose session timeouts are barely longer than its heartbeats).
    pub fn work_per_second(&self) -> u64 {
        let sum = self.terms.iter().fold(0u64, |sum, t| sum.saturating_add(t.work_per_second));
        sum.saturating_add(sum / 4)
    }

    /// Timers waiting plus the messages a second's work puts on the wire for the longest delay.
    pub fn agenda_entries(&self) -> u64 {
        let timers = self.terms.iter().fold(0u64, |sum, t| sum.saturating_add(t.pending));
        // A quarter more for what the terms leave out (re-registrations, requests retried in a fault).
        let timers = timers.saturating_add(timers / 4);
        let on_the_wire = self.work_per_second().saturating_mul(self.one_way_ms) / 1_000;
        timers.saturating_add(on_the_wire)
    }

    /// Where the setting behind the largest term by `measure` is.
    fn largest_field(&self, measure: fn(&Term) -> u64) -> &'static str {
        self.terms.iter().max_by_key(|t| measure(t)).map_or("", |t| t.field)
    }

    /// The setting behind the largest term by `measure`, in words (`noun`: what it counts).
    fn largest(&self, measure: fn(&Term) -> u64, noun: &str) -> String {
        match self.terms.iter().max_by_key(|t| measure(t)) {
            Some(t) if !t.setting.is_empty() => format!("{} {noun} ({})", thousands(measure(t)), t.setting),
            Some(t) => format!("{} {noun} (the brokers' own timers)", thousands(measure(t))),
            None => "nothing".into(),
        }
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
    ledger.check_work(None, 0, 0).map_err(at(""))?;
    for (i, t) in s.topics.iter().enumerate() {
        let topic = ledger.check_topic(t).map_err(at(&format!("topics[{i}]")))?;
        ledger.add_topic(topic);
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
    /// Whether running from time 0 to `until_ms` stays within [`Limits::run_work_max`](super::limits::Limits): the runner
    /// asks for its `--until`, a link for the moment it opens at.
    pub fn check_run_to(&self, until_ms: Millis) -> Result<(), CommandError> {
        self.check_run_within(until_ms, LIMITS.run_work_max)
    }

    /// Whether running from time 0 to `until_ms` costs at most `work_max` work units (the runner's
    /// [`Limits::run_work_max`](super::limits::Limits), or the page's smaller replay bound).
    pub fn check_run_within(&self, until_ms: Millis, work_max: u64) -> Result<(), CommandError> {
        check_time("", until_ms)?;
        let per_second = self.work_per_second();
        let work = per_second.saturating_mul(until_ms) / 1_000;
        if work > work_max {
            let seconds_max = work_max / per_second.max(1);
            return fail(
                "",
                format!(
                    "running this cluster to {} ms would take about {} work units; the playground runs at most {} \
                     (for this cluster, up to {} s of simulated time)",
                    thousands(until_ms),
                    thousands(work),
                    thousands(work_max),
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
    cluster::check_quorum(&cluster.config, &cluster.brokers).map_err(at("cluster.config"))?;
    cluster::check_features(cluster.features).map_err(at("cluster.features"))?;
    check_network(&cluster.network).map_err(at("cluster.network"))
}

fn check_clients(s: &Scenario) -> Result<(), ScenarioError> {
    check_client_names(s.producers.iter().map(|p| p.name.as_str()), "producers")?;
    check_client_names(s.consumers.iter().map(|c| c.name.as_str()), "consumers")?;
    let round_trip_ms = 2 * (s.cluster.network.latency_ms + s.cluster.network.jitter_ms);
    for (i, p) in s.producers.iter().enumerate() {
        let path = format!("producers[{i}].config");
        check_producer_config(&p.config).map_err(at(&path))?;
        check_outlasts_round_trip(p.config.request_timeout_ms, round_trip_ms).map_err(at(&path))?;
    }
    for (i, c) in s.consumers.iter().enumerate() {
        let path = format!("consumers[{i}].config");
        check_consumer_config(&c.config).map_err(at(&path))?;
        check_outlasts_round_trip(c.config.request_timeout_ms, round_trip_ms).map_err(at(&path))?;
    }
    Ok(())
}

/// A client's `request.timeout.ms` must outlast the network's slowest round trip: a request that
/// always times out is retried at once, without end, while every late answer still arrives.
fn check_outlasts_round_trip(request_timeout_ms: u64, round_trip_ms: u64) -> Result<(), CommandError> {
    if request_timeout_ms <= round_trip_ms {
        return fail(
            "request.timeout.ms",
            format!(
                "must be longer than the network's slowest round trip (2 × (latency.ms + jitter.ms) = {round_trip_ms} \
                 ms), found {request_timeout_ms}; every request would time out before its answer came"
            ),
        );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_character_is_named_as_rust_quotes_it_and_beyond_ascii_by_its_code_point() {
        for c in (0u8..0x80).map(char::from) {
            assert_eq!(quoted(c), format!("{c:?}"));
        }
        let refused = check_topic_name("caf\u{e9}").unwrap_err();
        assert!(refused.ends_with("(found '\\u{e9}')"), "{refused}");
        let refused = check_name("rack", "rack a").unwrap_err();
        assert!(refused.ends_with("(found ' ')"), "{refused}");
    }
}
