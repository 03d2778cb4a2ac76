//! Each simulator command as its real-world act on the exported cluster: shell lines for
//! `commands.sh`, and a note wherever the act is not exactly what the simulator does. The match in
//! [`Acts::act`] has no `_` arm, so a new `Command` variant does not compile until it is mapped.

use super::quote::{one_line, shell};
use super::{broker_service, Names, NETWORK};
use crate::engine::{
    BrokerId, ChangeConfig, Command, ElectLeaders, NodeRef, Produce, ReassignPartitions, SeekTo, TopicConfig, TopicSpec,
};

/// What one command becomes: the lines to run (none when nothing real corresponds) and the caveat.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Act {
    pub lines: Vec<String>,
    /// Each way the act differs from the simulator's command; empty when it is exact.
    pub notes: Vec<String>,
}

impl Act {
    fn run(lines: Vec<String>) -> Act {
        Act { lines, notes: Vec::new() }
    }
    fn with_note(mut self, note: impl Into<String>) -> Act {
        self.notes.push(note.into());
        self
    }
}

/// The caveats a reader meets again and again, written once (README.md and docs/real-cluster.md
/// give the reasons).
pub const NOTE_CUT_LINK: &str = "docker network disconnect cuts the broker from everyone (the controller, every other \
     broker, every client), not one link: Docker has no per-link cut without NET_ADMIN tools";
pub const NOTE_PRODUCER: &str = "each send starts a console producer of its own: a new producer instance (a new \
     producer id, a new sticky partition for null keys) and a JVM start of a second or two, where the simulator \
     keeps one producer";
/// Kafka throttles a follower only when it is out of the ISR ("to avoid ISR thrashing":
/// `shouldFollowerThrottle` in apache/kafka `core/.../server/RemoteLeaderEndPoint.scala`), so a
/// throttle cannot make an in-sync follower fall behind; a network delay can.
pub const NOTE_SLOW: &str = "the simulator's slow disk stops the broker's follower fetches while it heartbeats; the \
     nearest real act delays the broker's connections to other brokers' port 9092 (tc netem in a helper container \
     sharing its network), leaving its controller heartbeats on port 9093 on time. Replication throttling \
     (follower.replication.throttled.*) would not do: Kafka throttles only followers already out of the ISR";

/// The acts of a scenario, in time order: remembers which broker each cut link took off the
/// network (to reconnect it when its last cut heals) and which topics each consumer reads.
pub struct Acts<'a> {
    names: &'a Names,
    /// Each cut link and the broker disconnected for it (`None`: no broker on the link).
    cut: Vec<([NodeRef; 2], Option<BrokerId>)>,
    /// Per consumer (by index): the topics it was started on.
    consuming: Vec<Vec<String>>,
}

impl<'a> Acts<'a> {
    pub fn new(names: &'a Names) -> Acts<'a> {
        Acts { names, cut: Vec::new(), consuming: vec![Vec::new(); names.consumers.len()] }
    }

    /// The real act of `command`. Every variant is named: no `_` arm.
    pub fn act(&mut self, command: &Command) -> Act {
        match command {
            Command::Produce(p) => self.produce(p),
            Command::Consume { consumer, topic } => self.consume(consumer, topic),
            // A running console consumer takes no seek; `kafka-consumer-groups.sh --reset-offsets`
            // needs its group inactive.
            Command::Seek { .. } => Act::default().with_note(
                "a console consumer cannot seek while it runs: stop it, move its group's offset with \
                 kafka-consumer-groups.sh --reset-offsets (--to-offset, --to-earliest, --to-latest) --execute, then start it",
            ),
            Command::ElectLeaders(e) => Act::run(vec![elect_leaders(e)]),
            Command::AddBroker { broker, .. } => Act::default().with_note(format!(
                "the exported cluster's brokers are fixed: add a service for broker {broker} to compose.yaml (its own \
                 node.id and listeners, the same controller quorum) and start it with docker compose up -d"
            )),
            Command::ReassignPartitions(r) => Act::default().with_note(reassign_note(r)),
            Command::JoinGroup(j) => Act::default().with_note(format!(
                "start a console consumer of topic {} in group {} for {} (kafka-console-consumer.sh --group)",
                j.topic, j.group, j.consumer
            )),
            Command::LeaveGroup { consumer } => Act::default()
                .with_note(format!("stop {consumer}'s console consumer with Ctrl-C: close() commits, then LeaveGroup")),
            Command::CrashConsumer { consumer } => {
                Act::default().with_note(format!("kill -9 {consumer}'s console consumer: no commit, no LeaveGroup"))
            }
            Command::StopPolling { consumer } => Act::default().with_note(format!(
                "a console consumer always polls; kill -STOP on {consumer}'s would stop its heartbeats too"
            )),
            Command::CommitOffsets { consumer } => Act::default().with_note(format!(
                "{consumer}'s console consumer auto-commits; the shell has no commitSync"
            )),
            Command::CrashBroker { broker } => {
                // SIGKILL, as kill -9: the container's files (the log) survive (kafka-model §3.9).
                Act::run(vec![format!("docker kill {}", broker_service(*broker))])
            }
            Command::PowerOffBroker { broker } => Act::run(vec![format!("docker kill {}", broker_service(*broker))])
                .with_note(
                    "a container cannot lose power: docker kill keeps the page cache, so nothing unflushed is lost; \
                     a real power loss needs a VM reset (or echo b > /proc/sysrq-trigger on a test host)",
                ),
            Command::RestartBroker { broker } => Act::run(vec![format!("docker start {}", broker_service(*broker))]),
            Command::CrashController { .. } => Act::run(vec!["docker kill controller".to_string()]).with_note(QUORUM_NOTE),
            Command::RestartController { .. } => {
                Act::run(vec!["docker start controller".to_string()]).with_note(QUORUM_NOTE)
            }
            Command::ControlledShutdown { broker } => {
                // SIGTERM starts Kafka's controlled shutdown (kafka-model §2.3.6); Docker sends SIGKILL
                // after --time seconds if the broker has not exited.
                Act::run(vec![format!("docker stop --time 30 {}", broker_service(*broker))])
            }
            Command::CutLink { between } => self.cut_link(between),
            Command::CutLinkOneWay { from, to } => {
                let act = self.cut_link(&[from.clone(), to.clone()]);
                act.with_note(
                    "Docker's network commands cut both ways: the real link is cut in both directions \
                     (a one-way cut needs a firewall rule inside the container, which needs NET_ADMIN)",
                )
            }
            Command::PauseBroker { broker } => {
                // The cgroup freezer, as SIGSTOP: the process keeps its sockets and its memory.
                Act::run(vec![format!("docker pause {}", broker_service(*broker))])
            }
            Command::ResumeBroker { broker } => Act::run(vec![format!("docker unpause {}", broker_service(*broker))]),
            Command::When(w) => {
                let act = self.act(&w.then);
                act.with_note(
                    "a real cluster has no `when`: commands.sh runs the command where the scenario arms it; \
                     to wait for the event, run it by hand when the logs show it",
                )
            }
            Command::HealLink { between } => self.heal_link(between),
            Command::SlowReplica { broker, stalled } => {
                let verb = if *stalled { "stall_fetches" } else { "resume_fetches" };
                Act::run(vec![format!("{verb} {}", broker_service(*broker))]).with_note(NOTE_SLOW)
            }
            Command::CreateTopic(spec) => Act::run(create_topic(spec)),
            Command::ChangeConfig(ChangeConfig::Topic { topic, config }) => Act::run(vec![alter_topic(topic, config)]),
            Command::ChangeConfig(ChangeConfig::ClientRack { consumer, client_rack }) => {
                self.change_client_rack(consumer, client_rack)
            }
            Command::ReconfigureProducer { producer, config } => {
                let Some(i) = self.names.producer(producer) else { return unknown("producer", producer) };
                let mut lines = Vec::new();
                if let Some(acks) = config.acks {
                    lines.push(format!("producer_{i}_acks={}", acks.as_str()));
                }
                // Kafka's rule for an unset enable.idempotence: on exactly when acks=all (KAFKA-13673).
                let acks = config.acks.unwrap_or(self.names.producers[i].1.acks);
                let idempotent = config.enable_idempotence.unwrap_or(acks == crate::engine::Acks::All);
                lines.push(format!("producer_{i}_idempotence={idempotent}"));
                Act::run(lines).with_note(
                    "a real application closes its KafkaProducer and constructs another; here the next console \
                     producers start with the new settings (each send is a new producer anyway)",
                )
            }
        }
    }

    fn produce(&self, p: &Produce) -> Act {
        let Some(i) = self.names.producer(&p.producer) else { return unknown("producer", &p.producer) };
        let value = one_line(&p.value);
        let mut notes = vec![NOTE_PRODUCER.to_string()];
        if value != p.value {
            notes.push("the value's control characters (newlines, tabs) are sent as spaces: the console producer reads one record a line".into());
        }
        let line = match &p.key {
            Some(key) => {
                let key_line = one_line(key);
                if key_line != *key {
                    notes.push("the key's control characters are sent as spaces".into());
                }
                format!(
                    "keyed_lines {} {} {} | producer_{i} {} --property parse.key=true",
                    p.count,
                    shell(&key_line),
                    shell(&value),
                    p.topic
                )
            }
            None => format!("lines {} {} | producer_{i} {}", p.count, shell(&value), p.topic),
        };
        if let Some(partition) = p.partition {
            notes.push(format!(
                "the console producer cannot name a partition: the scenario sends to partition {partition}, \
                 this goes where the producer's partitioner puts it"
            ));
        }
        Act { lines: vec![line], notes }
    }

    fn consume(&mut self, consumer: &str, topic: &str) -> Act {
        let Some(i) = self.names.consumer(consumer) else { return unknown("consumer", consumer) };
        if !self.consuming[i].iter().any(|t| t == topic) {
            self.consuming[i].push(topic.to_string());
        }
        Act::run(vec![format!("consumer_{i} {topic}")]).with_note(
            "the console consumer joins a consumer group of its own (it gets every partition, and commits its \
             offsets), where the simulator's consumer has the partitions assigned by hand",
        )
    }

    fn change_client_rack(&mut self, consumer: &str, client_rack: &str) -> Act {
        let Some(i) = self.names.consumer(consumer) else { return unknown("consumer", consumer) };
        let mut lines = vec![format!("consumer_{i}_rack={}", shell(client_rack))];
        if !self.consuming[i].is_empty() {
            lines.push(format!("stop_consumer {consumer}"));
            lines.extend(self.consuming[i].iter().map(|t| format!("consumer_{i} {t}")));
        }
        Act::run(lines).with_note(
            "client.rack is read when a consumer is constructed: the real act restarts the console consumer, which \
             resumes from its group's committed offsets",
        )
    }

    fn cut_link(&mut self, between: &[NodeRef; 2]) -> Act {
        let target = link_broker(between);
        if self.cut.iter().any(|(l, _)| same_link(l, between)) {
            return Act::default().with_note("this link is cut already: nothing to do");
        }
        self.cut.push((between.clone(), target));
        let Some(broker) = target else {
            return Act::default().with_note(
                "no broker on this link: clients talk only to brokers, so a real cluster has no such connection to cut",
            );
        };
        let service = broker_service(broker);
        if self.cut.iter().filter(|(_, b)| *b == Some(broker)).count() > 1 {
            return Act::default().with_note(format!("{service} is off the network already (an earlier cut)"));
        }
        Act::run(vec![format!("docker network disconnect {NETWORK} {service}")]).with_note(NOTE_CUT_LINK)
    }

    fn heal_link(&mut self, between: &[NodeRef; 2]) -> Act {
        let Some(at) = self.cut.iter().position(|(l, _)| same_link(l, between)) else {
            return Act::default().with_note("this link is not cut: nothing to do");
        };
        let (_, target) = self.cut.remove(at);
        let Some(broker) = target else {
            return Act::default().with_note("no broker on this link: nothing was cut");
        };
        let service = broker_service(broker);
        if self.cut.iter().any(|(_, b)| *b == Some(broker)) {
            return Act::default()
                .with_note(format!("{service} stays off the network: another of its links is still cut"));
        }
        Act::run(vec![format!("docker network connect {NETWORK} {service}")])
            .with_note("the broker rejoins the network: every link of it heals at once")
    }
}

/// The export writes one controller (`compose.rs`); a playground quorum of several is not exported.
const QUORUM_NOTE: &str = "compose.yaml has one controller voter: a quorum of several (controller.quorum.voters) is \
                           not exported, so this acts on that one";

/// The command in a few words, for the comment above its act (`cut_link broker:1 controller`).
pub fn describe(command: &Command) -> String {
    let what = match command {
        Command::Produce(p) => {
            let key = p.key.as_deref().map_or("no key".to_string(), |k| format!("key {}", shell(&one_line(k))));
            format!("{} sends {} record(s) to {}, {key}", p.producer, p.count, p.topic)
        }
        Command::Consume { consumer, topic } => format!("{consumer} reads {topic}"),
        Command::CrashBroker { broker }
        | Command::PowerOffBroker { broker }
        | Command::RestartBroker { broker }
        | Command::ControlledShutdown { broker }
        | Command::PauseBroker { broker }
        | Command::ResumeBroker { broker } => {
            format!("broker {broker}")
        }
        Command::CutLinkOneWay { from, to } => format!("from {from} to {to}"),
        Command::When(w) => format!("(armed) {}", describe(&w.then)),
        Command::CutLink { between } | Command::HealLink { between } => format!("{} and {}", between[0], between[1]),
        Command::SlowReplica { broker, stalled } => {
            format!("broker {broker} {}", if *stalled { "stalls" } else { "fetches again" })
        }
        Command::CreateTopic(t) => t.name.clone(),
        Command::ChangeConfig(ChangeConfig::Topic { topic, .. }) => format!("topic {topic}"),
        Command::ChangeConfig(ChangeConfig::ClientRack { consumer, client_rack }) => {
            format!("consumer {consumer}: client.rack={}", shell(client_rack))
        }
        Command::ReconfigureProducer { producer, .. } => format!("producer {producer}"),
        Command::Seek { consumer, topic, partition, to } => {
            let to = match to {
                SeekTo::Offset(offset) => format!("offset {offset}"),
                SeekTo::Beginning => "the beginning".to_string(),
                SeekTo::End => "the end".to_string(),
            };
            format!("{consumer} seeks {topic}-{partition} to {to}")
        }
        Command::CrashController { controller } | Command::RestartController { controller } => {
            format!("controller {controller}")
        }
        Command::ElectLeaders(e) => match (&e.topic, e.partition) {
            (Some(topic), Some(partition)) => format!("{} {topic}-{partition}", e.election_type.as_str()),
            _ => format!("{} on every partition", e.election_type.as_str()),
        },
        Command::AddBroker { broker, .. } => format!("broker {broker}"),
        Command::ReassignPartitions(r) => match &r.replicas {
            Some(list) => format!("{}-{} to {}", r.topic, r.partition, replica_list(list)),
            None => format!("{}-{}: cancel", r.topic, r.partition),
        },
        Command::JoinGroup(j) => format!("{} joins group {} on {}", j.consumer, j.group, j.topic),
        Command::LeaveGroup { consumer }
        | Command::CrashConsumer { consumer }
        | Command::StopPolling { consumer }
        | Command::CommitOffsets { consumer } => consumer.clone(),
    };
    format!("{} {what}", command.name())
}

fn replica_list(list: &[BrokerId]) -> String {
    let ids: Vec<String> = list.iter().map(|b| b.to_string()).collect();
    format!("[{}]", ids.join(","))
}

/// `kafka-reassign-partitions.sh` reads its plan from a file inside the container: the note gives
/// the plan and the command.
fn reassign_note(r: &ReassignPartitions) -> String {
    let topic = one_line(&r.topic);
    match &r.replicas {
        Some(list) => format!(
            "write {{\"version\":1,\"partitions\":[{{\"topic\":\"{topic}\",\"partition\":{},\"replicas\":{}}}]}} to \
             reassign.json in a broker container, then run kafka-reassign-partitions.sh --bootstrap-server \
             \"$BOOTSTRAP\" --reassignment-json-file reassign.json --execute",
            r.partition,
            replica_list(list)
        ),
        None => format!(
            "cancel with kafka-reassign-partitions.sh --bootstrap-server \"$BOOTSTRAP\" --reassignment-json-file \
             reassign.json --cancel, reassign.json naming {topic}-{}",
            r.partition
        ),
    }
}

/// `kafka-leader-election.sh` (kafka-model §3.8): one partition, or `--all-topic-partitions`.
fn elect_leaders(e: &ElectLeaders) -> String {
    let scope = match (&e.topic, e.partition) {
        (Some(topic), Some(partition)) => format!("--topic {topic} --partition {partition}"),
        _ => "--all-topic-partitions".to_string(),
    };
    format!(
        "kafka kafka-leader-election.sh --bootstrap-server \"$BOOTSTRAP\" --election-type {} {scope}",
        e.election_type.as_str()
    )
}

fn unknown(what: &str, name: &str) -> Act {
    // The engine's rules refuse a scenario naming an unknown client, so only an unchecked one gets here.
    Act::default().with_note(format!("no {what} named {} in the scenario", shell(&one_line(name))))
}

/// The broker a cut of this link takes off the network: the first broker named (a link between two
/// brokers cuts the first), `None` when no broker is on it.
fn link_broker(between: &[NodeRef; 2]) -> Option<BrokerId> {
    between.iter().find_map(|n| match n {
        NodeRef::Broker(b) => Some(*b),
        NodeRef::Controller | NodeRef::ControllerNode(_) | NodeRef::Producer(_) | NodeRef::Consumer(_) => None,
    })
}

fn same_link(a: &[NodeRef; 2], b: &[NodeRef; 2]) -> bool {
    (a[0] == b[0] && a[1] == b[1]) || (a[0] == b[1] && a[1] == b[0])
}

/// `kafka-topics.sh --create`: with `--replica-assignment` when the scenario pins the replicas
/// (then Kafka refuses `--partitions` and `--replication-factor` beside it: `TopicCommand`'s
/// `checkInvalidArgs(replicaAssignmentOpt, partitionsOpt, replicationFactorOpt)`).
pub fn create_topic(spec: &TopicSpec) -> Vec<String> {
    let mut line = format!("kafka kafka-topics.sh --bootstrap-server \"$BOOTSTRAP\" --create --topic {}", spec.name);
    let mut lines = Vec::new();
    match &spec.replica_assignment {
        Some(assignment) => {
            let parts: Vec<String> = assignment
                .iter()
                .map(|replicas| replicas.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(":"))
                .collect();
            lines.push(format!(
                "# {} partitions, replication factor {}, replicas pinned (the first of each is its preferred leader)",
                spec.partitions, spec.replication_factor
            ));
            line.push_str(&format!(" --replica-assignment {}", parts.join(",")));
        }
        None => line
            .push_str(&format!(" --partitions {} --replication-factor {}", spec.partitions, spec.replication_factor)),
    }
    for setting in topic_settings(&spec.config) {
        line.push_str(&format!(" --config {setting}"));
    }
    lines.push(line);
    lines
}

/// `kafka-configs.sh --alter --add-config` for a topic's settings.
fn alter_topic(topic: &str, config: &TopicConfig) -> String {
    format!(
        "kafka kafka-configs.sh --bootstrap-server \"$BOOTSTRAP\" --alter --entity-type topics --entity-name {topic} \
         --add-config {}",
        topic_settings(config).join(",")
    )
}

/// The settings a topic overrides, as `name=value`.
fn topic_settings(config: &TopicConfig) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(m) = config.min_insync_replicas {
        out.push(format!("min.insync.replicas={m}"));
    }
    if let Some(u) = config.unclean_leader_election_enable {
        out.push(format!("unclean.leader.election.enable={u}"));
    }
    // Retention and segment settings, each only when not Kafka's default.
    let (log, default) = (config.log, crate::engine::LogConfig::default());
    let settings = [
        ("retention.ms", log.retention_ms, default.retention_ms),
        ("retention.bytes", log.retention_bytes, default.retention_bytes),
        ("segment.ms", log.segment_ms as i64, default.segment_ms as i64),
        ("segment.bytes", log.segment_bytes as i64, default.segment_bytes as i64),
    ];
    for (name, value, default) in settings {
        if value != default {
            out.push(format!("{name}={value}"));
        }
    }
    out
}
