//! Commands: every user action and every fault is a value applied at a simulated time
//! (kafka-model §10, "fault injections"). The scenario format, the share link and the page all speak
//! in these.

use super::config::{Acks, TopicConfig};
use super::error::CommandError;
use super::ids::{BrokerId, Offset};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A node named in a command: `"controller"`, `"broker:2"`, `"producer:p1"`, `"consumer:c1"`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum NodeRef {
    Controller,
    Broker(BrokerId),
    Producer(String),
    Consumer(String),
    /// One controller voter by `node.id`: `"controller:3002"` (kafka-model §2.2).
    ControllerNode(u32),
}

impl TryFrom<String> for NodeRef {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s == "controller" {
            return Ok(NodeRef::Controller);
        }

        let bad = || {
            format!(
                "`{s}` is not a node: use \"controller\", \"controller:<id>\", \"broker:<id>\", \"producer:<name>\" or \"consumer:<name>\""
            )
        };
        let (kind, name) = s.split_once(':').ok_or_else(bad)?;
        match kind {
            "broker" => name.parse::<u32>().map(|id| NodeRef::Broker(BrokerId(id))).map_err(|_| bad()),
            "controller" => name.parse::<u32>().map(NodeRef::ControllerNode).map_err(|_| bad()),
            "producer" if !name.is_empty() => Ok(NodeRef::Producer(name.to_string())),
            "consumer" if !name.is_empty() => Ok(NodeRef::Consumer(name.to_string())),
            _ => Err(bad()),
        }
    }
}

impl From<NodeRef> for String {
    fn from(n: NodeRef) -> String {
        n.to_string()
    }
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeRef::Controller => f.write_str("controller"),
            NodeRef::Broker(id) => write!(f, "broker:{id}"),
            NodeRef::Producer(n) => write!(f, "producer:{n}"),
            NodeRef::Consumer(n) => write!(f, "consumer:{n}"),
            NodeRef::ControllerNode(id) => write!(f, "controller:{id}"),
        }
    }
}

/// `producer.send(...)` `count` times with the same key and value (kafka-model §5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Produce {
    pub producer: String,
    pub topic: String,
    /// `None` = null key: sticky partitioning (kafka-model §5.1 rule 4).
    #[serde(default)]
    pub key: Option<String>,
    pub value: String,
    #[serde(default = "one")]
    pub count: u32,
    /// Explicit partition (kafka-model §5.1 rule 1).
    #[serde(default)]
    pub partition: Option<u32>,
}

fn one() -> u32 {
    1
}

/// A topic to create (kafka-model §3.1).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: u32,
    #[serde(rename = "replication.factor")]
    pub replication_factor: u32,
    /// Kafka's manual assignment (`kafka-topics.sh --create --replica-assignment`,
    /// `NewTopic(name, replicasAssignments)`): the brokers of each partition in order, the first its
    /// preferred leader. `None`: the controller's placer chooses ([`placement`](super::placement)).
    #[serde(rename = "replica.assignment", default)]
    pub replica_assignment: Option<Vec<Vec<BrokerId>>>,
    #[serde(default)]
    pub config: TopicConfig,
}

/// JSON leaves out an absent `replica.assignment`, so scenarios without one read and write as
/// before. The binary code (postcard, not self-describing: a reader knows fields only by position)
/// writes every field; `skip_serializing_if` would leave out a field its reader then expects.
impl Serialize for TopicSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let omit_assignment = serializer.is_human_readable() && self.replica_assignment.is_none();
        let mut s = serializer.serialize_struct("TopicSpec", if omit_assignment { 4 } else { 5 })?;
        s.serialize_field("name", &self.name)?;
        s.serialize_field("partitions", &self.partitions)?;
        s.serialize_field("replication.factor", &self.replication_factor)?;
        if omit_assignment {
            s.skip_field("replica.assignment")?;
        } else {
            s.serialize_field("replica.assignment", &self.replica_assignment)?;
        }
        s.serialize_field("config", &self.config)?;
        s.end()
    }
}

/// A dynamic config change (`kafka-configs.sh --alter`): a topic's settings, or a consumer's rack.
/// One or the other by its type; the format writes both as one object ([`ChangeConfigSpec`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ChangeConfigSpec", into = "ChangeConfigSpec")]
pub enum ChangeConfig {
    /// `--entity-type topics`: the settings given (at least one) override the topic's.
    Topic { topic: String, config: TopicConfig },
    /// The consumer's `client.rack`; `""` clears it.
    ClientRack { consumer: String, client_rack: String },
}

/// `change_config` as the scenario format writes it: a target (`topic` or `consumer`) beside the
/// settings, with Kafka's config names. [`ChangeConfig`] is what it means.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeConfigSpec {
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub consumer: Option<String>,
    #[serde(rename = "min.insync.replicas", default)]
    pub min_insync_replicas: Option<u32>,
    #[serde(rename = "unclean.leader.election.enable", default)]
    pub unclean_leader_election_enable: Option<bool>,
    #[serde(rename = "client.rack", default)]
    pub client_rack: Option<String>,
}

impl TryFrom<ChangeConfigSpec> for ChangeConfig {
    type Error = CommandError;

    /// Which settings belong to which target; the engine's rules check the values.
    fn try_from(c: ChangeConfigSpec) -> Result<Self, CommandError> {
        let topic_settings = c.min_insync_replicas.is_some() || c.unclean_leader_election_enable.is_some();
        match (c.topic, c.consumer) {
            (Some(topic), None) => {
                if c.client_rack.is_some() {
                    return Err(CommandError::new(
                        "client.rack",
                        "a consumer setting; name a consumer instead of a topic",
                    ));
                }
                if !topic_settings {
                    return Err(CommandError::new(
                        "",
                        "names no setting to change: give min.insync.replicas or unclean.leader.election.enable",
                    ));
                }
                let config = TopicConfig {
                    min_insync_replicas: c.min_insync_replicas,
                    unclean_leader_election_enable: c.unclean_leader_election_enable,
                    ..TopicConfig::default()
                };
                Ok(ChangeConfig::Topic { topic, config })
            }
            (None, Some(consumer)) => {
                if topic_settings {
                    return Err(CommandError::new(
                        "",
                        "min.insync.replicas and unclean.leader.election.enable are topic settings",
                    ));
                }
                let Some(client_rack) = c.client_rack else {
                    return Err(CommandError::new(
                        "client.rack",
                        "missing: a consumer's change_config sets client.rack",
                    ));
                };
                Ok(ChangeConfig::ClientRack { consumer, client_rack })
            }
            _ => Err(CommandError::new("", "needs exactly one of `topic` or `consumer`")),
        }
    }
}

impl From<ChangeConfig> for ChangeConfigSpec {
    fn from(c: ChangeConfig) -> Self {
        match c {
            ChangeConfig::Topic { topic, config } => ChangeConfigSpec {
                topic: Some(topic),
                min_insync_replicas: config.min_insync_replicas,
                unclean_leader_election_enable: config.unclean_leader_election_enable,
                ..ChangeConfigSpec::default()
            },
            ChangeConfig::ClientRack { consumer, client_rack } => ChangeConfigSpec {
                consumer: Some(consumer),
                client_rack: Some(client_rack),
                ..ChangeConfigSpec::default()
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    Produce(Produce),
    /// Subscribe a consumer to a topic; it polls from then on (kafka-model §6).
    Consume {
        consumer: String,
        topic: String,
    },
    /// Process crash (kill -9): the page cache survives, nothing written is lost (kafka-model §3.9).
    CrashBroker {
        broker: BrokerId,
    },
    RestartBroker {
        broker: BrokerId,
    },
    /// Controlled shutdown: leadership moves away before the process stops (kafka-model §2.3.6).
    ControlledShutdown {
        broker: BrokerId,
    },
    CutLink {
        between: [NodeRef; 2],
    },
    HealLink {
        between: [NodeRef; 2],
    },
    /// A slow disk: the broker stays alive and heartbeats, but its followers stop fetching
    /// (`stalled: true`) until healed (`stalled: false`) (kafka-model §7.5).
    SlowReplica {
        broker: BrokerId,
        stalled: bool,
    },
    CreateTopic(TopicSpec),
    ChangeConfig(ChangeConfig),
    /// The application closes the producer and constructs a new `KafkaProducer` with other settings:
    /// `acks` is fixed when a producer is constructed (kafka-model §5.3), so changing it means a new
    /// instance. New variants go last, so the binary codes of the others keep their indexes.
    ///
    /// - `close()` waits for what was sent: every batch already created (the one filling up is
    ///   closed at once) keeps the `acks`, the producer id and the sequences it was created with, and
    ///   completes, is retried or expires as before.
    /// - Sends after the command go to the new instance: the new `acks`, idempotence by Kafka's rule
    ///   ([`ProducerConfig::idempotent`](super::config::ProducerConfig::idempotent): `enable.idempotence`, or on exactly when `acks=all`), and, if
    ///   idempotent, a new producer id with epoch 0 and every partition's sequences from 0 (kafka-model
    ///   §5.6). They queue behind the old instance's batches of their partition, as they would behind
    ///   `close()`. Metadata and the other settings carry over.
    ReconfigureProducer {
        producer: String,
        config: ProducerReconfig,
    },
    /// A link that drops what `from` sends to `to` and still carries the other way (a one-way
    /// partition: a firewall rule, an asymmetric route). `heal_link` between the two heals it.
    CutLinkOneWay {
        from: NodeRef,
        to: NodeRef,
    },
    /// The broker's process stops without dying (`SIGSTOP`, a long GC pause): its connections stay
    /// open, so its peers get no error, only silence; it handles nothing and sends nothing, and what
    /// reaches it waits in its sockets.
    PauseBroker {
        broker: BrokerId,
    },
    /// The paused process goes on (`SIGCONT`, the GC pause ends) where it stopped: it handles what
    /// waited, and its overdue timers fire, with the beliefs it had when it stopped.
    ResumeBroker {
        broker: BrokerId,
    },
    /// Runs `then` once an event happens instead of at a time ([`When`]): armed at its `at_ms`,
    /// fired the first time its condition holds. A scenario's command, never a page action.
    When(When),
    /// `KafkaConsumer.seek` on a partition the consumer consumes (kafka-model §6.3): to an offset
    /// (fetched from next, no validation: the position has no epoch), or `seekToBeginning` /
    /// `seekToEnd`, lazy resets that a ListOffsets resolves. Clears a `none` consumer's exception.
    Seek {
        consumer: String,
        topic: String,
        partition: u32,
        to: SeekTo,
    },
    /// Machine crash / power loss (kafka-model §3.9): a crash whose replicas also lose what they
    /// wrote since their last flush; the broker comes back without a `PreviousBrokerEpoch`.
    PowerOffBroker {
        broker: BrokerId,
    },
    /// `kafka-leader-election.sh --election-type preferred|unclean` (the Admin `electLeaders`,
    /// kafka-model §3.2, §3.8): the controller runs the election for one partition, or for every
    /// partition, and answers each (recorded as an event).
    ElectLeaders(ElectLeaders),
    /// A new broker joins the running cluster (a new `broker.id`, optionally with `broker.rack`): it
    /// starts, registers, starts fenced and is unfenced once it has caught up on metadata
    /// (kafka-model §2.3). No replica moves to it on its own.
    AddBroker {
        broker: BrokerId,
        #[serde(default)]
        rack: String,
    },
    /// `kafka-reassign-partitions.sh --execute` (or `--cancel` without `replicas`): the Admin
    /// `alterPartitionReassignments` for one partition (KIP-455). The controller answers it (an event).
    ReassignPartitions(ReassignPartitions),
    /// kill -9 of a controller's process (kafka-model §2.2): a separate controller by `node.id`
    /// (3001, ...); in combined mode the broker of that id, whose process it shares.
    CrashController {
        controller: u32,
    },
    /// The controller's process starts again with its metadata log from disk.
    RestartController {
        controller: u32,
    },
    /// `KafkaConsumer.subscribe(topic)` with a `group.id` (kafka-model §6.4): the consumer finds the
    /// group's coordinator and joins; the group's members share the topic's partitions. The first
    /// group of a cluster creates `__consumer_offsets`. On a crashed consumer, a new instance.
    JoinGroup(JoinGroup),
    /// `close()`: a last commit (with auto-commit), then LeaveGroup; the group rebalances at once.
    LeaveGroup {
        consumer: String,
    },
    /// The consumer's process dies (kill -9): no commit, no LeaveGroup; its coordinator notices only
    /// when `session.timeout.ms` passes without a heartbeat.
    CrashConsumer {
        consumer: String,
    },
    /// The application stops calling `poll()` (stuck processing): the heartbeat thread goes on, and
    /// leaves the group once `max.poll.interval.ms` passes.
    StopPolling {
        consumer: String,
    },
    /// `commitSync()`: commits the positions of the partitions the member owns.
    CommitOffsets {
        consumer: String,
    },
}

/// `reassign_partitions`: a partition and its target replicas, the first the preferred leader;
/// `None` cancels the reassignment in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReassignPartitions {
    pub topic: String,
    pub partition: u32,
    #[serde(default)]
    pub replicas: Option<Vec<BrokerId>>,
}

/// `join_group`: the consumer, its `group.id`, the topic it subscribes to and `enable.auto.commit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinGroup {
    pub consumer: String,
    pub group: String,
    pub topic: String,
    #[serde(rename = "enable.auto.commit", default = "auto_commit_default")]
    pub enable_auto_commit: bool,
}

fn auto_commit_default() -> bool {
    true
}

/// `elect_leaders`: `election_type`, and `topic` with `partition` (Kafka's `--topic --partition`),
/// or neither (`--all-topic-partitions`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectLeaders {
    pub election_type: ElectionType,
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub partition: Option<u32>,
}

/// Kafka's `ElectionType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElectionType {
    /// Leadership to `replicas[0]` if it is in the ISR and can lead.
    Preferred,
    /// For a partition with no leader: any live replica, even out of the ISR (kafka-model §4.8).
    Unclean,
}

impl ElectionType {
    /// Kafka's spelling (`--election-type`).
    pub fn as_str(self) -> &'static str {
        match self {
            ElectionType::Preferred => "preferred",
            ElectionType::Unclean => "unclean",
        }
    }
}

/// Where a `seek` goes: `{"offset": 5}`, `"beginning"` or `"end"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeekTo {
    Offset(u64),
    Beginning,
    End,
}

/// The settings a `reconfigure_producer` gives the new producer instance, with Kafka's names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerReconfig {
    /// `None`: the producer's `acks` stays as it is.
    #[serde(default)]
    pub acks: Option<Acks>,
    /// `None`: Kafka's default for the new `acks` (on exactly when `acks=all`, KAFKA-13673), whatever
    /// the old instance had.
    #[serde(rename = "enable.idempotence", default)]
    pub enable_idempotence: Option<bool>,
}

impl Command {
    /// How many variants there are: a code's variant index is below it (`scenario::code_reader`).
    pub const VARIANTS: u32 = 27;
    /// `When`'s variant index (its position): the command a `when` runs is never one.
    pub const WHEN_VARIANT: u32 = 14;

    /// The command's name in the scenario format.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Produce(_) => "produce",
            Command::Consume { .. } => "consume",
            Command::CrashBroker { .. } => "crash_broker",
            Command::RestartBroker { .. } => "restart_broker",
            Command::ControlledShutdown { .. } => "controlled_shutdown",
            Command::CutLink { .. } => "cut_link",
            Command::HealLink { .. } => "heal_link",
            Command::SlowReplica { .. } => "slow_replica",
            Command::CreateTopic(_) => "create_topic",
            Command::ChangeConfig(_) => "change_config",
            Command::ReconfigureProducer { .. } => "reconfigure_producer",
            Command::CutLinkOneWay { .. } => "cut_link_one_way",
            Command::PauseBroker { .. } => "pause_broker",
            Command::ResumeBroker { .. } => "resume_broker",
            Command::When(_) => "when",
            Command::Seek { .. } => "seek",
            Command::PowerOffBroker { .. } => "power_off_broker",
            Command::ElectLeaders(_) => "elect_leaders",
            Command::AddBroker { .. } => "add_broker",
            Command::ReassignPartitions(_) => "reassign_partitions",
            Command::CrashController { .. } => "crash_controller",
            Command::RestartController { .. } => "restart_controller",
            Command::JoinGroup(_) => "join_group",
            Command::LeaveGroup { .. } => "leave_group",
            Command::CrashConsumer { .. } => "crash_consumer",
            Command::StopPolling { .. } => "stop_polling",
            Command::CommitOffsets { .. } => "commit_offsets",
        }
    }
}

/// `when` as the scenario format writes it: one condition (`event`, or `high_watermark` with a
/// `partition`) and the command to run. Read through [`WhenDepth`]: a `when` inside a `when` is
/// refused as it is read, so no input nests them deeper than the reader's stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, from = "WhenDepth")]
pub struct When {
    /// An event's name ([`EventKind::NAMES`]), optionally about `broker` and/or `partition`.
    #[serde(default)]
    pub event: Option<String>,
    /// The partition's leader has advanced its high watermark to at least this offset.
    #[serde(default)]
    pub high_watermark: Option<Offset>,
    #[serde(default)]
    pub broker: Option<BrokerId>,
    /// `orders-0`.
    #[serde(default)]
    pub partition: Option<String>,
    pub then: Box<Command>,
}

/// What a `when` holds, read with the `when`s being read counted (one thread reads one input): a
/// second one inside is refused before its own fields are read (postcard has no depth limit, and a
/// link of a few hundred characters could otherwise nest thousands).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhenDepth {
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    high_watermark: Option<Offset>,
    #[serde(default)]
    broker: Option<BrokerId>,
    #[serde(default)]
    partition: Option<String>,
    #[serde(deserialize_with = "then_not_when")]
    then: Box<Command>,
}

impl From<WhenDepth> for When {
    fn from(w: WhenDepth) -> Self {
        When {
            event: w.event,
            high_watermark: w.high_watermark,
            broker: w.broker,
            partition: w.partition,
            then: w.then,
        }
    }
}

std::thread_local! {
    static WHEN_BEING_READ: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks a `when` as being read while its `then` is; a `then` that is itself a `when` finds the
/// mark and is refused ([`Command::When`]'s reader, `nested_when`).
struct Reading;

impl Reading {
    fn enter() -> Option<Reading> {
        WHEN_BEING_READ.with(|r| (!r.replace(true)).then_some(Reading))
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        WHEN_BEING_READ.with(|r| r.set(false));
    }
}

fn then_not_when<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Box<Command>, D::Error> {
    let Some(_reading) = Reading::enter() else {
        return Err(serde::de::Error::custom(NESTED_WHEN));
    };
    Command::deserialize(d).map(Box::new)
}

/// The refusal of a `when` inside a `when`, by the reader and by the rules.
pub const NESTED_WHEN: &str = "a `when` runs one command, not another `when`";
