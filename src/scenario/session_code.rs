//! A link's session in columns (link format 2): the times, the command tags and each kind of
//! argument in a column of its own, names as indices into the scenario's own tables and free text
//! as indices into one table of strings. Deflate then finds each column's own statistics (the low
//! bytes of the time steps are nearly random, their high bytes and the tags nearly constant),
//! where format 1's postcard interleaved them and spelled every name and value out each time.
//! `docs/scenario-format.md` ("Share links") describes the bytes.
//!
//! The reader allocates nothing an input of its size cannot pay for: every count is checked
//! against the bytes left and its bound ([`LIMITS`]) first, the columns are read in place, and the
//! text the session repeats from its tables is capped ([`SESSION_TEXT_BYTES_MAX`]). Every refusal
//! names its field (`session[12].produce.topic`); the engine's rules check the commands again when
//! [`Engine::replay`](crate::engine::Engine::replay) applies them.

use super::link::LinkError;
use super::range_coder::{Decoder, Encoder, Model, Prob};
use super::{Scenario, ScenarioError, TimedCommand};
use crate::engine::{
    Acks, BrokerId, ChangeConfig, ChangeConfigSpec, Command, ElectLeaders, ElectionType, JoinGroup, NodeRef, Produce,
    ProducerReconfig, ReassignPartitions, SeekTo, TopicConfig, TopicSpec, LIMITS,
};

/// The text (keys, values, names) a decoded session may hold in all, counting each repetition:
/// a table entry used 10,000 times is 10,000 strings in memory.
pub const SESSION_TEXT_BYTES_MAX: usize = 1 << 20;

/// The columns: each kind of value has its own model (its own statistics) in the coder.
const TIME: usize = 0;
const TAG: usize = 1;
const PRODUCER: usize = 2;
const TOPIC: usize = 3;
const KEY: usize = 4;
const VALUE: usize = 5;
const COUNT: usize = 6;
const OTHER: usize = 7;
/// A string of the table: the bytes it shares with the one before, and the length of the rest.
const SHARED: usize = 8;
const REST: usize = 9;
const COLUMNS: usize = 10;

/// The models of every column, and of the bytes of the strings.
struct Models {
    columns: [Model; COLUMNS],
    bytes: [Prob; 256],
}

impl Models {
    fn new() -> Self {
        Models { columns: std::array::from_fn(|_| Model::new()), bytes: [Prob::HALF; 256] }
    }
}

/// A command's tag is its variant's position in [`Command`]; the format's command names are listed
/// in that order (a test checks it).
pub(super) const TAG_NAMES: [&str; 27] = super::json::COMMAND_NAMES;

/// LEB128, as postcard writes its integers.
pub(super) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Bytes read from the front.
pub(super) struct Bytes<'a>(pub(super) &'a [u8]);

impl<'a> Bytes<'a> {
    pub(super) fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    /// A LEB128 integer of at most 64 bits; `None` when cut or longer.
    pub(super) fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let part = u64::from(b & 0x7f);
            if shift == 63 && part > 1 {
                return None;
            }
            v |= part << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }

    /// The next `len` bytes.
    pub(super) fn take(&mut self, len: u64) -> Option<&'a [u8]> {
        let len = usize::try_from(len).ok().filter(|l| *l <= self.0.len())?;
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(head)
    }
}

/// The names of the scenario's producers, consumers and topics, in the order it lists them.
struct Names<'a> {
    /// By [`PRODUCERS`], [`CONSUMERS`], [`TOPICS`].
    tables: [Vec<&'a str>; 3],
    brokers: Vec<BrokerId>,
}

const PRODUCERS: usize = 0;
const CONSUMERS: usize = 1;
const TOPICS: usize = 2;

impl<'a> Names<'a> {
    fn of(s: &'a Scenario) -> Self {
        Names {
            tables: [
                s.producers.iter().map(|p| p.name.as_str()).collect(),
                s.consumers.iter().map(|c| c.name.as_str()).collect(),
                s.topics.iter().map(|t| t.name.as_str()).collect(),
            ],
            brokers: s.cluster.brokers.iter().map(|b| b.id).collect(),
        }
    }
}

/// The session's code: the number of commands and of strings, then the range coder's bytes: the
/// strings (each as the bytes it shares with the one before and the rest), then each command's
/// time step, tag and arguments. Refused where the reader would refuse it: more text than
/// [`SESSION_TEXT_BYTES_MAX`], or strings past [`LINK_INFLATED_MAX`](super::LINK_INFLATED_MAX).
pub(super) fn write_session(scenario: &Scenario, session: &[TimedCommand], out: &mut Vec<u8>) -> Result<(), LinkError> {
    // Strings are numbered in the order of first use: a first pass finds them.
    if let Some(at) = session.iter().position(|c| matches!(c.command, Command::When(_))) {
        let reason = "a `when` is a scenario's command, never a page action: a session cannot carry it".into();
        return Err(LinkError::Invalid(ScenarioError { path: format!("session[{at}].when"), reason }));
    }
    let names = Names::of(scenario);
    let mut w = Writer { names, strings: Vec::new(), coder: None, seen: 0, models: Models::new(), text_bytes: 0 };
    session.iter().for_each(|c| w.command(&c.command));
    let table_bytes: usize = w.strings.iter().map(|s| s.len()).sum();
    if w.text_bytes > SESSION_TEXT_BYTES_MAX || table_bytes > super::LINK_INFLATED_MAX {
        return Err(LinkError::TooLarge);
    }
    let mut coder = Encoder::new();
    let mut before: &[u8] = &[];
    for s in &w.strings {
        let shared = s.bytes().zip(before).take_while(|(a, b)| a == *b).count();
        coder.value(&mut w.models.columns[SHARED], shared as u64);
        coder.value(&mut w.models.columns[REST], (s.len() - shared) as u64);
        s.bytes().skip(shared).for_each(|b| coder.byte(&mut w.models.bytes, b));
        before = s.as_bytes();
    }
    (w.coder, w.seen) = (Some(coder), 0);
    let mut at = 0u64;
    for c in session {
        w.put(TIME, c.at_ms.wrapping_sub(at));
        at = c.at_ms;
        w.command(&c.command);
    }
    put_varint(out, session.len() as u64);
    put_varint(out, w.strings.len() as u64);
    out.extend(w.coder.map(Encoder::finish).unwrap_or_default());
    Ok(())
}

struct Writer<'a> {
    names: Names<'a>,
    strings: Vec<&'a str>,
    /// None in the first pass, which only numbers the strings.
    coder: Option<Encoder>,
    /// The strings used so far by the commands written.
    seen: u64,
    models: Models,
    /// The text of the first pass's commands, repetitions counted, as the reader counts it.
    text_bytes: usize,
}

impl<'a> Writer<'a> {
    fn put(&mut self, column: usize, v: u64) {
        if let Some(coder) = &mut self.coder {
            coder.value(&mut self.models.columns[column], v);
        }
    }

    /// A name: its index in the scenario's table, or past that table, a string of the session's.
    fn name(&mut self, column: usize, table: usize, s: &'a str) {
        let v = self.name_value(table, s);
        self.put(column, v);
    }

    /// A name: its index in the scenario's table, or past that table, a string of the session's.
    fn name_value(&mut self, table: usize, s: &'a str) -> u64 {
        let known = &self.names.tables[table];
        match known.iter().position(|n| *n == s) {
            Some(i) => {
                self.text_bytes += s.len();
                i as u64
            }
            None => known.len() as u64 + self.text(s),
        }
    }

    /// A string's reference: 0 for the next string of the table not used yet (the table is in
    /// order of first use), else its index + 1.
    fn text(&mut self, s: &'a str) -> u64 {
        self.text_bytes += s.len();
        let i = intern(&mut self.strings, s);
        if i == self.seen {
            self.seen += 1;
            0
        } else {
            i + 1
        }
    }

    fn broker(&mut self, b: BrokerId) {
        let v = broker_index(&self.names.brokers, b);
        self.put(OTHER, v);
    }

    /// 0 for none, else the value and 1.
    fn option(&mut self, v: Option<u64>) {
        self.put(OTHER, v.map_or(0, |v| v + 1));
    }

    /// The kind in the two low bits (controller, broker, producer, consumer), the index above.
    fn node(&mut self, n: &'a NodeRef) {
        let v = match n {
            NodeRef::Controller => 0,
            NodeRef::Broker(b) => broker_index(&self.names.brokers, *b) << 2 | 1,
            NodeRef::Producer(p) => self.name_value(PRODUCERS, p) << 2 | 2,
            NodeRef::Consumer(c) => self.name_value(CONSUMERS, c) << 2 | 3,
            // Kind 0 above index 0: a controller voter by node.id (older codes hold only 0).
            NodeRef::ControllerNode(id) => (u64::from(*id) + 1) << 2,
        };
        self.put(OTHER, v);
    }

    fn topic_config(&mut self, c: &TopicConfig) {
        self.option(c.min_insync_replicas.map(u64::from));
        self.option(c.unclean_leader_election_enable.map(u64::from));
    }

    fn command(&mut self, command: &'a Command) {
        self.put(TAG, tag_of(command));
        match command {
            Command::Produce(p) => {
                self.name(PRODUCER, PRODUCERS, &p.producer);
                self.name(TOPIC, TOPICS, &p.topic);
                let key = p.key.as_deref().map_or(0, |k| self.text(k) + 1);
                self.put(KEY, key);
                let value = self.text(&p.value);
                self.put(VALUE, value);
                self.put(COUNT, u64::from(p.count));
                self.option(p.partition.map(u64::from));
            }
            Command::Consume { consumer, topic } => {
                self.name(OTHER, CONSUMERS, consumer);
                self.name(TOPIC, TOPICS, topic);
            }
            Command::CrashBroker { broker } | Command::PowerOffBroker { broker } => self.broker(*broker),
            Command::RestartBroker { broker } => self.broker(*broker),
            Command::ControlledShutdown { broker } => self.broker(*broker),
            Command::CutLink { between } | Command::HealLink { between } => {
                self.node(&between[0]);
                self.node(&between[1]);
            }
            Command::SlowReplica { broker, stalled } => {
                self.broker(*broker);
                self.put(OTHER, u64::from(*stalled));
            }
            Command::CreateTopic(t) => {
                let name = self.text(&t.name);
                self.put(OTHER, name);
                self.put(OTHER, u64::from(t.partitions));
                self.put(OTHER, u64::from(t.replication_factor));
                self.option(t.replica_assignment.as_ref().map(|a| a.len() as u64));
                for replicas in t.replica_assignment.iter().flatten() {
                    self.put(OTHER, replicas.len() as u64);
                    replicas.iter().for_each(|b| self.broker(*b));
                }
                self.topic_config(&t.config);
            }
            Command::ChangeConfig(ChangeConfig::Topic { topic, config }) => {
                self.put(OTHER, 0);
                self.name(TOPIC, TOPICS, topic);
                self.topic_config(config);
            }
            Command::ChangeConfig(ChangeConfig::ClientRack { consumer, client_rack }) => {
                self.put(OTHER, 1);
                self.name(OTHER, CONSUMERS, consumer);
                let rack = self.text(client_rack);
                self.put(OTHER, rack);
            }
            Command::ReconfigureProducer { producer, config } => {
                self.name(PRODUCER, PRODUCERS, producer);
                self.option(config.acks.map(|a| a as u64));
                self.option(config.enable_idempotence.map(u64::from));
            }
            Command::CutLinkOneWay { from, to } => {
                self.node(from);
                self.node(to);
            }
            Command::PauseBroker { broker } | Command::ResumeBroker { broker } => self.broker(*broker),
            // Refused before the writer runs (`write_session`).
            Command::When(_) => {}
            Command::Seek { consumer, topic, partition, to } => {
                self.name(OTHER, CONSUMERS, consumer);
                self.name(TOPIC, TOPICS, topic);
                self.put(OTHER, u64::from(*partition));
                // 0 the beginning, 1 the end, 2 an offset, which follows.
                match to {
                    SeekTo::Beginning => self.put(OTHER, 0),
                    SeekTo::End => self.put(OTHER, 1),
                    SeekTo::Offset(offset) => {
                        self.put(OTHER, 2);
                        self.put(COUNT, *offset);
                    }
                }
            }
            // The election type (0 preferred, 1 unclean), whether a topic follows, the partition.
            Command::ElectLeaders(e) => {
                self.put(OTHER, e.election_type as u64);
                self.put(OTHER, u64::from(e.topic.is_some()));
                if let Some(topic) = &e.topic {
                    self.name(TOPIC, TOPICS, topic);
                }
                self.option(e.partition.map(u64::from));
            }
            Command::AddBroker { broker, rack } => {
                self.broker(*broker);
                let rack = self.text(rack);
                self.put(OTHER, rack);
            }
            // The partition, then 0 for a cancel or the target's length + 1 and its brokers.
            Command::ReassignPartitions(r) => {
                self.name(TOPIC, TOPICS, &r.topic);
                self.put(OTHER, u64::from(r.partition));
                self.option(r.replicas.as_ref().map(|list| list.len() as u64));
                for b in r.replicas.iter().flatten() {
                    self.broker(*b);
                }
            }
            Command::CrashController { controller } | Command::RestartController { controller } => {
                self.put(OTHER, u64::from(*controller))
            }
            Command::JoinGroup(j) => {
                self.name(OTHER, CONSUMERS, &j.consumer);
                let group = self.text(&j.group);
                self.put(OTHER, group);
                self.name(TOPIC, TOPICS, &j.topic);
                self.put(OTHER, u64::from(j.enable_auto_commit));
            }
            Command::LeaveGroup { consumer }
            | Command::CrashConsumer { consumer }
            | Command::StopPolling { consumer }
            | Command::CommitOffsets { consumer } => self.name(OTHER, CONSUMERS, consumer),
        }
    }
}

/// A command's tag: its variant's position in [`Command`].
fn tag_of(command: &Command) -> u64 {
    match command {
        Command::Produce(_) => 0,
        Command::Consume { .. } => 1,
        Command::CrashBroker { .. } => 2,
        Command::RestartBroker { .. } => 3,
        Command::ControlledShutdown { .. } => 4,
        Command::CutLink { .. } => 5,
        Command::HealLink { .. } => 6,
        Command::SlowReplica { .. } => 7,
        Command::CreateTopic(_) => 8,
        Command::ChangeConfig(_) => 9,
        Command::ReconfigureProducer { .. } => 10,
        Command::CutLinkOneWay { .. } => 11,
        Command::PauseBroker { .. } => 12,
        Command::ResumeBroker { .. } => 13,
        Command::When(_) => 14,
        Command::Seek { .. } => 15,
        Command::PowerOffBroker { .. } => 16,
        Command::ElectLeaders(_) => 17,
        Command::AddBroker { .. } => 18,
        Command::ReassignPartitions(_) => 19,
        Command::CrashController { .. } => 20,
        Command::RestartController { .. } => 21,
        Command::JoinGroup(_) => 22,
        Command::LeaveGroup { .. } => 23,
        Command::CrashConsumer { .. } => 24,
        Command::StopPolling { .. } => 25,
        Command::CommitOffsets { .. } => 26,
    }
}

/// The string's index in the table, added at its first use.
fn intern<'a>(strings: &mut Vec<&'a str>, s: &'a str) -> u64 {
    let i = strings.iter().position(|t| *t == s).unwrap_or_else(|| {
        strings.push(s);
        strings.len() - 1
    });
    i as u64
}

/// Its position among the scenario's brokers, or past them, the id itself.
fn broker_index(brokers: &[BrokerId], b: BrokerId) -> u64 {
    brokers.iter().position(|x| *x == b).map_or(brokers.len() as u64 + u64::from(b.0), |i| i as u64)
}

#[inline(never)]
fn malformed(path: String, reason: String) -> LinkError {
    LinkError::Malformed(crate::engine::ScenarioError { path, reason })
}

/// Bytes (the scenario's postcard code) through the coder, one adaptive model for every byte: the
/// section is then as random as the session's, and deflate stores both as they are instead of
/// coding the scenario with a Huffman table the session's bytes spoil.
pub(super) fn write_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, bytes.len() as u64);
    let mut probs = [Prob::HALF; 256];
    let mut coder = Encoder::new();
    bytes.iter().for_each(|b| coder.byte(&mut probs, *b));
    out.extend(coder.finish());
    out
}

/// What [`write_bytes`] wrote: at most [`LINK_INFLATED_MAX`](super::LINK_INFLATED_MAX) bytes.
pub(super) fn read_bytes(body: &[u8], path: &str) -> Result<Vec<u8>, LinkError> {
    let mut b = Bytes(body);
    let len = bounded(&mut b, path, "bytes", super::LINK_INFLATED_MAX)?;
    let mut probs = [Prob::HALF; 256];
    let mut coder = Decoder::new(b.0);
    let mut bytes = Vec::with_capacity(len);
    while bytes.len() < len && !coder.overrun {
        bytes.push(coder.byte(&mut probs));
    }
    if coder.overrun {
        return Err(malformed(path.into(), "its code ends early".into()));
    }
    if coder.read < b.0.len() {
        return Err(malformed(path.into(), format!("{} bytes after its end", b.0.len() - coder.read)));
    }
    Ok(bytes)
}

/// A count within `max`.
fn bounded(b: &mut Bytes, path: &str, what: &str, max: usize) -> Result<usize, LinkError> {
    let n = b.varint().ok_or_else(|| malformed(path.into(), "ends early".into()))?;
    if n > max as u64 {
        return Err(malformed(path.into(), format!("{n} {what}, more than the {max} a link may hold")));
    }
    Ok(n as usize)
}

/// Reads a session's code (the whole of its section).
pub(super) fn read_session(scenario: &Scenario, body: &[u8]) -> Result<Vec<TimedCommand>, LinkError> {
    let mut b = Bytes(body);
    let n = bounded(&mut b, "session", "commands", LIMITS.commands_max)?;
    // Each command uses at most four strings (a send's producer, topic, key and value).
    let k = bounded(&mut b, "session.strings", "strings", 4 * n)?;
    let mut r = Reader {
        names: Names::of(scenario),
        strings: Vec::new(),
        seen: 0,
        coder: Decoder::new(b.0),
        models: Models::new(),
        text_bytes: 0,
        at: 0,
        tag: 0,
    };
    r.read_strings(k)?;
    let mut session = Vec::new();
    let mut at_ms = 0u64;
    for at in 0..n {
        r.at = at;
        r.tag = 0;
        at_ms = at_ms.wrapping_add(r.pull(TIME, "at_ms")?);
        let tag = r.pull(TAG, "")?;
        if tag >= TAG_NAMES.len() as u64 {
            let reason = format!("command tag {tag} is none this version knows (made by a newer version?)");
            return Err(malformed(format!("session[{at}]"), reason));
        }
        r.tag = tag as u8;
        session.push(TimedCommand { at_ms, command: r.command()? });
    }
    if r.seen < k {
        return Err(malformed("session.strings".into(), format!("{k} strings, of which its commands use {}", r.seen)));
    }
    let left = b.0.len() - r.coder.read;
    if left > 0 {
        return Err(malformed("session".into(), format!("{left} bytes after its last command")));
    }
    Ok(session)
}

/// Why a field of a command is refused ([`Reader::fail`] words it).
enum Why {
    EndsEarly,
    Over64Bits,
    /// The value and the largest code.
    NotCode(u64, u64),
    Over32Bits(u64),
    PastBrokers(u64),
    NoNode(u64),
    /// The strings in the link.
    NewString(usize),
    /// The string's index and the strings used so far.
    StringPast(u64, usize),
    Assignment(u64),
    Said(String),
}

struct Reader<'a> {
    names: Names<'a>,
    strings: Vec<String>,
    /// The strings used so far.
    seen: usize,
    coder: Decoder<'a>,
    models: Models,
    /// The text taken so far, repetitions counted ([`SESSION_TEXT_BYTES_MAX`]).
    text_bytes: usize,
    /// The command being read, and its tag.
    at: usize,
    tag: u8,
}

impl<'a> Reader<'a> {
    /// The string table: each string within [`LIMITS`]' `text_bytes_max`, the table within
    /// [`LINK_INFLATED_MAX`](super::LINK_INFLATED_MAX) (what a format 1 link could hold).
    fn read_strings(&mut self, k: usize) -> Result<(), LinkError> {
        let mut table_bytes = 0;
        for i in 0..k {
            let fail = |reason: String| malformed(format!("session.strings[{i}]"), reason);
            let before = self.strings.last().map_or(&[][..], |s| s.as_bytes());
            let shared = self.coder.value(&mut self.models.columns[SHARED]).unwrap_or(u64::MAX);
            let rest = self.coder.value(&mut self.models.columns[REST]).unwrap_or(u64::MAX);
            if shared > before.len() as u64 {
                return Err(fail(format!("shares {shared} bytes with a string of {}", before.len())));
            }
            let len = shared.saturating_add(rest);
            if len > LIMITS.text_bytes_max as u64 {
                return Err(fail(format!("{len} bytes, more than the {} a link may hold", LIMITS.text_bytes_max)));
            }
            table_bytes += len as usize;
            if table_bytes > super::LINK_INFLATED_MAX {
                return Err(fail(format!("the strings pass {} bytes", super::LINK_INFLATED_MAX)));
            }
            let mut bytes = before[..shared as usize].to_vec();
            bytes.extend((0..rest).map(|_| self.coder.byte(&mut self.models.bytes)));
            if self.coder.overrun {
                return Err(fail("the session's code ends early".into()));
            }
            self.strings.push(String::from_utf8(bytes).map_err(|_| fail("not UTF-8 text".into()))?);
        }
        Ok(())
    }

    /// The refusal of the current command's `field` (`session[12].produce.topic: ...`): every
    /// sentence is built here, so each refusal in the readers is a few instructions.
    #[cold]
    #[inline(never)]
    fn fail(&self, field: &str, why: Why) -> LinkError {
        let reason = match why {
            Why::EndsEarly => "the session's code ends early".into(),
            Why::Over64Bits => "a number of more than 64 bits".into(),
            Why::NotCode(v, max) => format!("{v} is not one of its codes (0 to {max})"),
            Why::Over32Bits(v) => format!("{v} is more than a 32-bit number"),
            Why::PastBrokers(v) => format!("{v} is past every broker id"),
            Why::NoNode(v) => format!("{v} is no node"),
            Why::NewString(n) => format!("a new string past the link's {n}"),
            Why::StringPast(i, seen) => format!("string {i} is past the {seen} used so far"),
            Why::Assignment(n) => format!("{n} entries, past the bounds of a topic's assignment"),
            Why::Said(reason) => reason,
        };
        let command = TAG_NAMES[usize::from(self.tag)];
        let dot = if field.is_empty() { "" } else { "." };
        malformed(format!("session[{}].{command}{dot}{field}", self.at), reason)
    }

    #[inline(never)]
    fn pull(&mut self, column: usize, field: &str) -> Result<u64, LinkError> {
        let v = self.coder.value(&mut self.models.columns[column]);
        if self.coder.overrun {
            return Err(self.fail(field, Why::EndsEarly));
        }
        v.ok_or_else(|| self.fail(field, Why::Over64Bits))
    }

    fn small(&mut self, column: usize, field: &str, max: u64) -> Result<u64, LinkError> {
        let v = self.pull(column, field)?;
        if v > max {
            return Err(self.fail(field, Why::NotCode(v, max)));
        }
        Ok(v)
    }

    fn number(&mut self, column: usize, field: &str) -> Result<u32, LinkError> {
        let v = self.pull(column, field)?;
        u32::try_from(v).map_err(|_| self.fail(field, Why::Over32Bits(v)))
    }

    /// 0 for none, else the value and 1.
    fn option(&mut self, field: &str) -> Result<Option<u32>, LinkError> {
        let v = self.pull(OTHER, field)?;
        let n = v.checked_sub(1).map(u32::try_from).transpose();
        n.map_err(|_| self.fail(field, Why::Over32Bits(v - 1)))
    }

    fn option_bool(&mut self, field: &str) -> Result<Option<bool>, LinkError> {
        Ok(self.small(OTHER, field, 2)?.checked_sub(1).map(|v| v == 1))
    }

    /// Text repeated from a table, within [`SESSION_TEXT_BYTES_MAX`] in all.
    fn owned(&mut self, s: &str) -> Result<String, LinkError> {
        self.charge(s.len())?;
        Ok(s.to_string())
    }

    fn charge(&mut self, len: usize) -> Result<(), LinkError> {
        self.text_bytes += len;
        if self.text_bytes > SESSION_TEXT_BYTES_MAX {
            let reason = format!("its commands repeat more than {SESSION_TEXT_BYTES_MAX} bytes of text");
            return Err(malformed("session".into(), reason));
        }
        Ok(())
    }

    /// A string by its reference: 0 for the next one not used yet, else its index + 1.
    fn string(&mut self, field: &str, v: u64) -> Result<String, LinkError> {
        let i = if v == 0 {
            if self.seen == self.strings.len() {
                return Err(self.fail(field, Why::NewString(self.strings.len())));
            }
            self.seen += 1;
            self.seen - 1
        } else {
            match usize::try_from(v - 1).ok().filter(|i| *i < self.seen) {
                Some(i) => i,
                None => return Err(self.fail(field, Why::StringPast(v - 1, self.seen))),
            }
        };
        self.charge(self.strings[i].len())?;
        Ok(self.strings[i].clone())
    }

    fn text(&mut self, column: usize, field: &str) -> Result<String, LinkError> {
        let i = self.pull(column, field)?;
        self.string(field, i)
    }

    /// A name of the scenario's `table`, or past it, a string of the link's.
    fn name_at(&mut self, field: &str, table: usize, v: u64) -> Result<String, LinkError> {
        let known = &self.names.tables[table];
        match usize::try_from(v).ok().and_then(|i| known.get(i).copied()) {
            Some(name) => self.owned(name),
            None => {
                let past = v - known.len() as u64;
                self.string(field, past)
            }
        }
    }

    fn name(&mut self, column: usize, field: &str, table: usize) -> Result<String, LinkError> {
        let v = self.pull(column, field)?;
        self.name_at(field, table, v)
    }

    fn broker_at(&self, field: &str, v: u64) -> Result<BrokerId, LinkError> {
        let brokers = &self.names.brokers;
        if let Some(b) = usize::try_from(v).ok().and_then(|i| brokers.get(i)) {
            return Ok(*b);
        }
        let id = u32::try_from(v - brokers.len() as u64);
        id.map(BrokerId).map_err(|_| self.fail(field, Why::PastBrokers(v)))
    }

    fn broker(&mut self, field: &str) -> Result<BrokerId, LinkError> {
        let v = self.pull(OTHER, field)?;
        self.broker_at(field, v)
    }

    fn node(&mut self, field: &str) -> Result<NodeRef, LinkError> {
        let v = self.pull(OTHER, field)?;
        let i = v >> 2;
        Ok(match v & 3 {
            0 if i == 0 => NodeRef::Controller,
            0 => NodeRef::ControllerNode(u32::try_from(i - 1).map_err(|_| self.fail(field, Why::NoNode(v)))?),
            1 => NodeRef::Broker(self.broker_at(field, i)?),
            2 => NodeRef::Producer(self.name_at(field, PRODUCERS, i)?),
            _ => NodeRef::Consumer(self.name_at(field, CONSUMERS, i)?),
        })
    }

    fn topic_config(&mut self) -> Result<TopicConfig, LinkError> {
        Ok(TopicConfig {
            min_insync_replicas: self.option("config.min.insync.replicas")?,
            unclean_leader_election_enable: self.option_bool("config.unclean.leader.election.enable")?,
            ..TopicConfig::default()
        })
    }

    /// The current command's arguments, from its columns.
    fn command(&mut self) -> Result<Command, LinkError> {
        Ok(match self.tag {
            0 => Command::Produce(Produce {
                producer: self.name(PRODUCER, "producer", PRODUCERS)?,
                topic: self.name(TOPIC, "topic", TOPICS)?,
                key: match self.pull(KEY, "key")? {
                    0 => None,
                    k => Some(self.string("key", k - 1)?),
                },
                value: self.text(VALUE, "value")?,
                count: self.number(COUNT, "count")?,
                partition: self.option("partition")?,
            }),
            1 => Command::Consume {
                consumer: self.name(OTHER, "consumer", CONSUMERS)?,
                topic: self.name(TOPIC, "topic", TOPICS)?,
            },
            2 => Command::CrashBroker { broker: self.broker("broker")? },
            3 => Command::RestartBroker { broker: self.broker("broker")? },
            4 => Command::ControlledShutdown { broker: self.broker("broker")? },
            5 => Command::CutLink { between: [self.node("between[0]")?, self.node("between[1]")?] },
            6 => Command::HealLink { between: [self.node("between[0]")?, self.node("between[1]")?] },
            7 => {
                Command::SlowReplica { broker: self.broker("broker")?, stalled: self.small(OTHER, "stalled", 1)? == 1 }
            }
            8 => Command::CreateTopic(self.topic_spec()?),
            9 => Command::ChangeConfig(self.change_config()?),
            11 => Command::CutLinkOneWay { from: self.node("from")?, to: self.node("to")? },
            12 => Command::PauseBroker { broker: self.broker("broker")? },
            13 => Command::ResumeBroker { broker: self.broker("broker")? },
            16 => Command::PowerOffBroker { broker: self.broker("broker")? },
            20 => Command::CrashController { controller: self.number(OTHER, "controller")? },
            21 => Command::RestartController { controller: self.number(OTHER, "controller")? },
            14 => {
                return Err(self.fail("", Why::Said("a `when` is never in a session (no writer puts one there)".into())))
            }
            10 => Command::ReconfigureProducer {
                producer: self.name(PRODUCER, "producer", PRODUCERS)?,
                config: ProducerReconfig {
                    acks: self.small(OTHER, "acks", 3)?.checked_sub(1).map(|a| match a {
                        0 => Acks::None,
                        1 => Acks::Leader,
                        _ => Acks::All,
                    }),
                    enable_idempotence: self.option_bool("enable.idempotence")?,
                },
            },
            17 => Command::ElectLeaders(ElectLeaders {
                election_type: match self.small(OTHER, "election_type", 1)? {
                    0 => ElectionType::Preferred,
                    _ => ElectionType::Unclean,
                },
                topic: match self.small(OTHER, "topic", 1)? {
                    0 => None,
                    _ => Some(self.name(TOPIC, "topic", TOPICS)?),
                },
                partition: self.option("partition")?,
            }),
            18 => Command::AddBroker { broker: self.broker("broker")?, rack: self.text(OTHER, "rack")? },
            19 => Command::ReassignPartitions(ReassignPartitions {
                topic: self.name(TOPIC, "topic", TOPICS)?,
                partition: self.number(OTHER, "partition")?,
                replicas: match self.pull(OTHER, "replicas")? {
                    0 => None,
                    len => Some(self.brokers("replicas", len - 1)?),
                },
            }),
            22 => Command::JoinGroup(JoinGroup {
                consumer: self.name(OTHER, "consumer", CONSUMERS)?,
                group: self.text(OTHER, "group")?,
                topic: self.name(TOPIC, "topic", TOPICS)?,
                enable_auto_commit: self.small(OTHER, "enable.auto.commit", 1)? == 1,
            }),
            23 => Command::LeaveGroup { consumer: self.name(OTHER, "consumer", CONSUMERS)? },
            24 => Command::CrashConsumer { consumer: self.name(OTHER, "consumer", CONSUMERS)? },
            25 => Command::StopPolling { consumer: self.name(OTHER, "consumer", CONSUMERS)? },
            26 => Command::CommitOffsets { consumer: self.name(OTHER, "consumer", CONSUMERS)? },
            _ => Command::Seek {
                consumer: self.name(OTHER, "consumer", CONSUMERS)?,
                topic: self.name(TOPIC, "topic", TOPICS)?,
                partition: self.number(OTHER, "partition")?,
                to: match self.small(OTHER, "to", 2)? {
                    0 => SeekTo::Beginning,
                    1 => SeekTo::End,
                    _ => SeekTo::Offset(self.pull(COUNT, "to.offset")?),
                },
            },
        })
    }

    fn topic_spec(&mut self) -> Result<TopicSpec, LinkError> {
        let name = self.text(OTHER, "name")?;
        let partitions = self.number(OTHER, "partitions")?;
        let replication_factor = self.number(OTHER, "replication.factor")?;
        let replica_assignment = match self.pull(OTHER, "replica.assignment")? {
            0 => None,
            len => Some(self.assignment(len - 1)?),
        };
        Ok(TopicSpec { name, partitions, replication_factor, replica_assignment, config: self.topic_config()? })
    }

    /// `len` lists of brokers: at most a topic's partitions, each list at most every broker, and
    /// at most `replicas_max` brokers in all, each bound checked before anything is allocated.
    fn assignment(&mut self, len: u64) -> Result<Vec<Vec<BrokerId>>, LinkError> {
        let field = "replica.assignment";
        let mut replicas = 0;
        let mut within = |r: &Self, n: u64, max: u64| {
            replicas += n;
            if n > max || replicas > LIMITS.replicas_max + len {
                return Err(r.fail(field, Why::Assignment(n)));
            }
            Ok(n as usize)
        };
        let len = within(self, len, u64::from(LIMITS.partitions_per_topic_max))?;
        let mut lists = Vec::with_capacity(len);
        for _ in 0..len {
            let n = self.pull(OTHER, field)?;
            let n = within(self, n, LIMITS.brokers_max as u64)?;
            let mut list = Vec::with_capacity(n);
            for _ in 0..n {
                list.push(self.broker(field)?);
            }
            lists.push(list);
        }
        Ok(lists)
    }

    /// A list of `len` brokers, at most every broker, checked before anything is allocated.
    fn brokers(&mut self, field: &str, len: u64) -> Result<Vec<BrokerId>, LinkError> {
        if len > LIMITS.brokers_max as u64 {
            return Err(self.fail(field, Why::Said(format!("{len} brokers, more than a cluster has"))));
        }
        let mut list = Vec::with_capacity(len as usize);
        for _ in 0..len {
            list.push(self.broker(field)?);
        }
        Ok(list)
    }

    /// Through [`ChangeConfig`]'s own rule for which settings go with which target.
    fn change_config(&mut self) -> Result<ChangeConfig, LinkError> {
        let spec = if self.small(OTHER, "target", 1)? == 0 {
            let topic = Some(self.name(TOPIC, "topic", TOPICS)?);
            let config = self.topic_config()?;
            ChangeConfigSpec {
                topic,
                min_insync_replicas: config.min_insync_replicas,
                unclean_leader_election_enable: config.unclean_leader_election_enable,
                ..ChangeConfigSpec::default()
            }
        } else {
            let consumer = Some(self.name(OTHER, "consumer", CONSUMERS)?);
            ChangeConfigSpec {
                consumer,
                client_rack: Some(self.text(OTHER, "client.rack")?),
                ..ChangeConfigSpec::default()
            }
        };
        ChangeConfig::try_from(spec).map_err(|e| self.fail(&e.field, Why::Said(e.reason)))
    }
}

#[cfg(test)]
#[path = "session_code_tests.rs"]
mod tests;
