//! The engine: a deterministic, sans-IO discrete-event simulation of a Kafka cluster. It owns the
//! agenda, the network and every node, advances simulated time only when asked, and draws all
//! randomness from one PRNG seeded by the scenario. The same scenario gives the same state, natively
//! and in WebAssembly.
//!
//! API: [`Engine::new`] from a scenario, [`Engine::apply`] a command now, [`Engine::advance_to`] /
//! [`Engine::step`], [`Engine::view`], [`Engine::events_since`], [`Engine::state_hash`].

use super::broker::Broker;
use super::catalog::Catalog;
use super::command::{ChangeConfig, Command, NodeRef, TopicSpec};
use super::config::Acks;
use super::consumer::Consumer;
use super::controller::Controller;
use super::ctx::{Ctx, Outbox};
use super::event::{ClusterEvent, EventKind};
use super::ids::*;
use super::insert_sorted;
use super::message::Message;
use super::network::Network;
use super::producer::Producer;
use super::queue::{EventQueue, Pending};
use super::safety::{SafetyChecker, World};
use super::timer::Timer;
use super::view::ProcessState;
use crate::scenario::Scenario;
use rand_xoshiro::rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::VecDeque;
use std::fmt;

/// The event log keeps this many events; older ones are dropped (their `seq` is never reused).
pub const EVENTS_KEPT: usize = 10_000;

/// A command the engine cannot carry out, with the reason in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandError(pub String);

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CommandError {}

pub struct Engine {
    now: Millis,
    queue: EventQueue,
    rng: Xoshiro256PlusPlus,
    pub(crate) catalog: Catalog,
    pub(crate) network: Network,
    pub(crate) controller: Controller,
    pub(crate) brokers: Vec<Broker>,
    pub(crate) producers: Vec<Producer>,
    pub(crate) consumers: Vec<Consumer>,
    pub(crate) safety: SafetyChecker,
    events: VecDeque<ClusterEvent>,
    next_event_seq: u64,
    outbox: Outbox,
    steps: u64,
}

impl Engine {
    /// Builds the cluster of a (validated) scenario in its steady state at time 0 — brokers registered
    /// and unfenced, topics created with every replica in sync — and schedules its commands.
    pub fn new(scenario: &Scenario) -> Engine {
        let mut brokers: Vec<(BrokerId, String)> = Vec::with_capacity(scenario.cluster.brokers.len());
        for b in &scenario.cluster.brokers {
            insert_sorted(&mut brokers, (b.id, b.rack.clone()));
        }
        let broker_ids: Vec<BrokerId> = brokers.iter().map(|b| b.0).collect();
        let catalog = Catalog {
            config: scenario.cluster.config.clone(),
            brokers,
            topics: Vec::new(),
            partitions: Vec::new(),
            producers: scenario.producers.iter().map(|p| p.name.clone()).collect(),
            consumers: scenario.consumers.iter().map(|c| c.name.clone()).collect(),
        };
        let controller = Controller::bootstrap(&catalog);
        let mut engine = Engine {
            now: 0,
            queue: EventQueue::default(),
            rng: Xoshiro256PlusPlus::seed_from_u64(scenario.seed),
            network: Network::new(scenario.cluster.network.clone()),
            brokers: catalog.brokers.iter().map(|(id, rack)| Broker::new(*id, rack.clone())).collect(),
            producers: scenario
                .producers
                .iter()
                .enumerate()
                .map(|(i, p)| Producer::new(ClientIdx(i as u32), p.name.clone(), p.config.clone(), broker_ids.clone()))
                .collect(),
            consumers: scenario
                .consumers
                .iter()
                .enumerate()
                .map(|(i, c)| Consumer::new(ClientIdx(i as u32), c.name.clone(), c.config.clone(), broker_ids.clone()))
                .collect(),
            catalog,
            controller,
            safety: SafetyChecker::default(),
            events: VecDeque::new(),
            next_event_seq: 0,
            outbox: Outbox::default(),
            steps: 0,
        };
        let session_ms = engine.catalog.config.broker_session_timeout_ms;
        engine.with_node(NodeId::Controller, |_, ctx| {
            for b in &broker_ids {
                ctx.set_timer(session_ms, Timer::SessionExpiry { broker: *b });
            }
        });
        for i in 0..engine.brokers.len() {
            let epoch = engine.controller.brokers[&engine.brokers[i].id].registration.broker_epoch;
            engine.brokers[i].broker_epoch = Some(epoch);
            engine.with_node(NodeId::Broker(engine.brokers[i].id), |e, ctx| e.brokers[i].start_timers(ctx));
        }
        for topic in &scenario.topics {
            // Validated by the scenario parser; a failure here would be a parser bug, shown as an event.
            if let Err(e) = engine.create_topic(topic) {
                engine.push_event(EventKind::CommandRejected { command: "create_topic", reason: e.0 });
            }
        }
        // Brokers start with the metadata already replicated (the steady state).
        let delta = engine.controller.delta_since(0);
        for i in 0..engine.brokers.len() {
            engine.with_node(NodeId::Broker(engine.brokers[i].id), |e, ctx| e.brokers[i].apply_metadata(&delta, ctx));
        }
        // Drop the pushes of that initial commit: every broker has it already.
        engine.queue = {
            let mut q = EventQueue::default();
            let mut old = std::mem::take(&mut engine.queue);
            while let Some(s) = old.pop() {
                if !matches!(s.what, Pending::Deliver { message: Message::MetadataUpdate(_), .. }) {
                    q.push(s.at_ms, s.what);
                }
            }
            q
        };
        for step in &scenario.commands {
            engine.queue.push(step.at_ms, Pending::Command(step.command.clone()));
        }
        engine
    }

    pub fn now_ms(&self) -> Millis {
        self.now
    }

    /// Time of the next thing that will happen.
    pub fn next_event_ms(&self) -> Option<Millis> {
        self.queue.peek_time()
    }

    /// Steps processed so far (the benchmark's "simulated events").
    pub fn steps(&self) -> u64 {
        self.steps
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Carries out a command at the current time.
    pub fn apply(&mut self, command: Command) -> Result<(), CommandError> {
        self.execute(command)
    }

    /// Processes the next scheduled thing; returns its time.
    pub fn step(&mut self) -> Option<Millis> {
        let scheduled = self.queue.pop()?;
        self.now = scheduled.at_ms;
        self.steps += 1;
        match scheduled.what {
            Pending::Deliver { from, to, message, .. } => self.deliver(from, to, message),
            Pending::Timer { node, incarnation, timer } => self.fire(node, incarnation, timer),
            Pending::Command(command) => {
                if let Err(e) = self.execute(command.clone()) {
                    self.push_event(EventKind::CommandRejected { command: command.name(), reason: e.0 });
                }
            }
        }
        Some(self.now)
    }

    /// Processes everything scheduled up to and including `t`, then sets the clock to `t`.
    pub fn advance_to(&mut self, t: Millis) {
        while self.queue.peek_time().is_some_and(|next| next <= t) {
            self.step();
        }
        self.now = self.now.max(t);
    }

    pub fn advance_by(&mut self, ms: Millis) {
        self.advance_to(self.now + ms);
    }

    /// Events with `seq >= since`, oldest first (only the last [`EVENTS_KEPT`] are kept).
    pub fn events_since(&self, since: u64) -> impl Iterator<Item = &ClusterEvent> {
        let first = self.events.front().map_or(0, |e| e.seq);
        let skip = since.saturating_sub(first) as usize;
        self.events.iter().skip(skip)
    }

    pub fn next_event_seq(&self) -> u64 {
        self.next_event_seq
    }

    /// Violations that Kafka's guarantees rule out: an engine bug if ever non-zero.
    pub fn unexpected_violations(&self) -> u64 {
        self.safety.unexpected_violations()
    }

    // ------------------------------------------------------------------ internals

    fn incarnation(&self, node: NodeId) -> u32 {
        match node {
            NodeId::Broker(b) => self.catalog.broker_index(b).map_or(0, |i| self.brokers[i].incarnation),
            _ => 0,
        }
    }

    /// Runs `f` with a context for `node`, then moves what it produced onto the agenda.
    fn with_node<R>(&mut self, node: NodeId, f: impl FnOnce(&mut EngineParts, &mut Ctx) -> R) -> R {
        let mut out = std::mem::take(&mut self.outbox);
        let now = self.now;
        let r = {
            let (mut parts, catalog, rng) = self.split();
            let mut ctx = Ctx { now, me: node, catalog, out: &mut out, rng };
            f(&mut parts, &mut ctx)
        };
        self.outbox = out;
        self.flush(node);
        r
    }

    fn split(&mut self) -> (EngineParts<'_>, &Catalog, &mut Xoshiro256PlusPlus) {
        (
            EngineParts {
                controller: &mut self.controller,
                brokers: &mut self.brokers,
                producers: &mut self.producers,
                consumers: &mut self.consumers,
            },
            &self.catalog,
            &mut self.rng,
        )
    }

    fn flush(&mut self, node: NodeId) {
        let incarnation = self.incarnation(node);
        let mut out = std::mem::take(&mut self.outbox);
        for (from, to, message) in out.messages.drain(..) {
            if self.network.is_cut(from, to) {
                self.note_dropped(to, &message);
                continue;
            }
            let latency = self.network.latency_ms(&mut self.rng);
            self.queue.push(self.now + latency, Pending::Deliver { from, to, sent_ms: self.now, message });
        }
        for (at, node, timer) in out.timers.drain(..) {
            self.queue.push(at, Pending::Timer { node, incarnation, timer });
        }
        for event in out.events.drain(..) {
            self.push_event(event);
        }
        // The outbox buffers keep their capacity across steps: this runs after every step.
        let mut observations = std::mem::take(&mut out.observations);
        self.outbox = out;
        if !observations.is_empty() {
            let world =
                World { now: self.now, catalog: &self.catalog, controller: &self.controller, brokers: &self.brokers };
            let mut events = Vec::new();
            for obs in &observations {
                self.safety.observe(obs, &world, &mut events);
            }
            for e in events {
                self.push_event(e);
            }
            observations.clear();
        }
        self.outbox.observations = observations;
    }

    fn push_event(&mut self, kind: EventKind) {
        if self.events.len() == EVENTS_KEPT {
            self.events.pop_front();
        }
        self.events.push_back(ClusterEvent { seq: self.next_event_seq, at_ms: self.now, kind });
        self.next_event_seq += 1;
    }

    /// An `acks=0` produce that never reaches a broker is lost without anyone being told; say so.
    fn note_dropped(&mut self, to: NodeId, message: &Message) {
        if let Message::Produce { partition, acks: Acks::None, batch, .. } = message {
            let to = match to {
                NodeId::Broker(b) => format!("broker {b}"),
                _ => "its destination".to_string(),
            };
            let cause = format!("the acks=0 produce request to {to} never arrived (link cut or broker down)");
            let count = batch.len() as u32;
            self.safety.record_dropped(batch.records[0].id, count);
            self.push_event(EventKind::RecordsLost {
                partition: *partition,
                offsets: (0, 0),
                count,
                acks: Acks::None,
                cause,
            });
        }
    }

    fn is_up(&self, node: NodeId) -> bool {
        match node {
            NodeId::Broker(b) => self.catalog.broker_index(b).is_some_and(|i| self.brokers[i].is_running()),
            _ => true,
        }
    }

    fn deliver(&mut self, from: NodeId, to: NodeId, message: Message) {
        if self.network.is_cut(from, to) {
            self.note_dropped(to, &message);
            return;
        }
        if !self.is_up(to) {
            // Connection refused: a request to a dead process fails fast (the host answers RST).
            let is_request = matches!(
                message,
                Message::Fetch { .. }
                    | Message::Produce { .. }
                    | Message::Metadata { .. }
                    | Message::ListOffsets { .. }
            );
            if is_request && self.is_up(from) {
                self.note_dropped(to, &message);
                let latency = self.network.latency_ms(&mut self.rng);
                self.queue.push(
                    self.now + latency,
                    Pending::Deliver { from: to, to: from, sent_ms: self.now, message: Message::ConnectionClosed },
                );
            }
            return;
        }
        self.with_node(to, |e, ctx| e.dispatch(from, to, message, ctx));
        self.announce_if_stopped(to);
    }

    fn fire(&mut self, node: NodeId, incarnation: u32, timer: Timer) {
        if incarnation != self.incarnation(node) || !self.is_up(node) {
            return;
        }
        self.with_node(node, |e, ctx| e.dispatch_timer(node, timer, ctx));
        self.announce_if_stopped(node);
    }

    /// A broker that a controlled shutdown just stopped closes its connections like any stopped process.
    fn announce_if_stopped(&mut self, node: NodeId) {
        if let NodeId::Broker(b) = node {
            if !self.is_up(node) {
                self.announce_connections_closed(b);
            }
        }
    }

    /// Resolves a node name of a command.
    fn node(&self, node: &NodeRef) -> Result<NodeId, CommandError> {
        match node {
            NodeRef::Controller => Ok(NodeId::Controller),
            NodeRef::Broker(b) => self.broker_index(*b).map(|_| NodeId::Broker(*b)),
            NodeRef::Producer(name) => self
                .catalog
                .producers
                .iter()
                .position(|n| n == name)
                .map(|i| NodeId::Producer(ClientIdx(i as u32)))
                .ok_or_else(|| CommandError(format!("no producer named `{name}`"))),
            NodeRef::Consumer(name) => self
                .catalog
                .consumers
                .iter()
                .position(|n| n == name)
                .map(|i| NodeId::Consumer(ClientIdx(i as u32)))
                .ok_or_else(|| CommandError(format!("no consumer named `{name}`"))),
        }
    }

    fn broker_index(&self, broker: BrokerId) -> Result<usize, CommandError> {
        self.catalog.broker_index(broker).ok_or_else(|| CommandError(format!("no broker {broker} in the cluster")))
    }

    fn topic(&self, name: &str) -> Result<TopicIdx, CommandError> {
        self.catalog.topic_by_name(name).ok_or_else(|| CommandError(format!("no topic named `{name}`")))
    }

    fn execute(&mut self, command: Command) -> Result<(), CommandError> {
        match command {
            Command::Produce(produce) => {
                let NodeId::Producer(p) = self.node(&NodeRef::Producer(produce.producer.clone()))? else {
                    unreachable!()
                };
                let topic = self.topic(&produce.topic)?;
                let partitions = self.catalog.topics[topic.0 as usize].partitions.len() as u32;
                if let Some(n) = produce.partition.filter(|n| *n >= partitions) {
                    return Err(CommandError(format!(
                        "topic `{}` has no partition {n} (it has {partitions})",
                        produce.topic
                    )));
                }
                if produce.count == 0 {
                    return Err(CommandError("count must be at least 1".into()));
                }
                let i = p.0 as usize;
                self.with_node(NodeId::Producer(p), |e, ctx| e.producers[i].send(&produce, topic, ctx));
            }
            Command::Consume { consumer, topic } => {
                let NodeId::Consumer(c) = self.node(&NodeRef::Consumer(consumer))? else { unreachable!() };
                let topic = self.topic(&topic)?;
                let partitions = self.catalog.topics[topic.0 as usize].partitions.clone();
                let i = c.0 as usize;
                self.with_node(NodeId::Consumer(c), |e, ctx| e.consumers[i].subscribe(&partitions, ctx));
            }
            Command::CrashBroker { broker } => {
                let i = self.broker_index(broker)?;
                if !self.brokers[i].is_running() {
                    return Err(CommandError(format!("broker {broker} is not running")));
                }
                self.brokers[i].crash();
                self.push_event(EventKind::BrokerCrashed { broker });
                self.announce_connections_closed(broker);
            }
            Command::RestartBroker { broker } => {
                let i = self.broker_index(broker)?;
                if self.brokers[i].is_running() {
                    return Err(CommandError(format!("broker {broker} is already running")));
                }
                self.with_node(NodeId::Broker(broker), |e, ctx| e.brokers[i].restart(ctx));
            }
            Command::ControlledShutdown { broker } => {
                let i = self.broker_index(broker)?;
                if !self.brokers[i].is_running() {
                    return Err(CommandError(format!("broker {broker} is not running")));
                }
                self.with_node(NodeId::Broker(broker), |e, ctx| e.brokers[i].begin_controlled_shutdown(ctx));
                self.announce_if_stopped(NodeId::Broker(broker));
            }
            Command::CutLink { between: [a, b] } => {
                let (a, b) = (self.node(&a)?, self.node(&b)?);
                if a == b {
                    return Err(CommandError("a link joins two different nodes".into()));
                }
                if self.network.cut(a, b) {
                    self.push_event(EventKind::LinkCut { a, b });
                }
            }
            Command::HealLink { between: [a, b] } => {
                let (a, b) = (self.node(&a)?, self.node(&b)?);
                if self.network.heal(a, b) {
                    self.push_event(EventKind::LinkHealed { a, b });
                }
            }
            Command::SlowReplica { broker, stalled } => {
                let i = self.broker_index(broker)?;
                if self.brokers[i].stalled != stalled {
                    self.brokers[i].stalled = stalled;
                    if stalled {
                        self.push_event(EventKind::ReplicaStalled { broker });
                    } else {
                        self.push_event(EventKind::ReplicaResumed { broker });
                        let id = self.brokers[i].id;
                        self.with_node(NodeId::Broker(id), |e, ctx| e.brokers[i].resume_fetching(ctx));
                    }
                }
            }
            Command::CreateTopic(spec) => self.create_topic(&spec)?,
            Command::ChangeConfig(change) => self.change_config(change)?,
        }
        Ok(())
    }

    /// A dead or stopped broker's TCP connections are reset: every peer notices.
    fn announce_connections_closed(&mut self, broker: BrokerId) {
        let from = NodeId::Broker(broker);
        let peers: Vec<NodeId> = self
            .brokers
            .iter()
            .filter(|b| b.id != broker)
            .map(|b| NodeId::Broker(b.id))
            .chain((0..self.producers.len()).map(|i| NodeId::Producer(ClientIdx(i as u32))))
            .chain((0..self.consumers.len()).map(|i| NodeId::Consumer(ClientIdx(i as u32))))
            .collect();
        for to in peers {
            if !self.network.is_cut(from, to) {
                let latency = self.network.latency_ms(&mut self.rng);
                self.queue.push(
                    self.now + latency,
                    Pending::Deliver { from, to, sent_ms: self.now, message: Message::ConnectionClosed },
                );
            }
        }
    }

    pub(crate) fn validate_topic(&self, spec: &TopicSpec) -> Result<(), CommandError> {
        if let Err(reason) = crate::scenario::check_topic_name(&spec.name) {
            return Err(CommandError(reason));
        }
        if self.catalog.topic_by_name(&spec.name).is_some() {
            return Err(CommandError(format!("topic `{}` already exists", spec.name)));
        }
        if spec.partitions == 0 || spec.partitions > crate::scenario::MAX_PARTITIONS_PER_TOPIC {
            return Err(CommandError(format!(
                "partitions must be between 1 and {}",
                crate::scenario::MAX_PARTITIONS_PER_TOPIC
            )));
        }
        let total = self.catalog.partitions.len() as u64 + spec.partitions as u64;
        if total > crate::scenario::MAX_PARTITIONS as u64 {
            return Err(CommandError(format!(
                "the cluster can hold at most {} partitions",
                crate::scenario::MAX_PARTITIONS
            )));
        }
        let brokers = self.brokers.len() as u32;
        if spec.replication_factor == 0 || spec.replication_factor > brokers {
            return Err(CommandError(format!(
                "replication.factor must be between 1 and the number of brokers ({brokers})"
            )));
        }
        if let Some(min_isr) = spec.config.min_insync_replicas {
            if min_isr == 0 || min_isr > spec.replication_factor {
                return Err(CommandError("min.insync.replicas must be between 1 and replication.factor".into()));
            }
        }
        Ok(())
    }

    fn create_topic(&mut self, spec: &TopicSpec) -> Result<(), CommandError> {
        self.validate_topic(spec)?;
        let placement = self
            .controller
            .place_replicas(&self.catalog, spec.partitions, spec.replication_factor)
            .map_err(CommandError)?;
        let topic = self.catalog.add_topic(spec);
        let partitions = self.catalog.topics[topic.0 as usize].partitions.clone();
        self.push_event(EventKind::TopicCreated { topic });
        self.with_node(NodeId::Controller, |e, ctx| {
            e.controller.create_partitions(partitions.into_iter().zip(placement).collect(), ctx);
            e.controller.schedule_unclean_sweep(ctx);
        });
        Ok(())
    }

    fn change_config(&mut self, change: ChangeConfig) -> Result<(), CommandError> {
        match (&change.topic, &change.consumer) {
            (Some(topic), None) => {
                let t = self.topic(topic)?;
                if change.client_rack.is_some() {
                    return Err(CommandError("client.rack is a consumer setting".into()));
                }
                let rf = self.catalog.topics[t.0 as usize].replication_factor;
                if let Some(m) = change.min_insync_replicas {
                    if m == 0 || m > rf {
                        return Err(CommandError(format!(
                            "min.insync.replicas must be between 1 and {rf} (the replication factor)"
                        )));
                    }
                }
                let config = &mut self.catalog.topics[t.0 as usize].config;
                let mut said = Vec::new();
                if let Some(m) = change.min_insync_replicas {
                    config.min_insync_replicas = Some(m);
                    said.push(format!("min.insync.replicas={m}"));
                }
                if let Some(u) = change.unclean_leader_election_enable {
                    config.unclean_leader_election_enable = Some(u);
                    said.push(format!("unclean.leader.election.enable={u}"));
                }
                if said.is_empty() {
                    return Err(CommandError("change_config names no setting".into()));
                }
                self.push_event(EventKind::ConfigChanged {
                    description: format!("topic {topic}: {}", said.join(", ")),
                });
                self.with_node(NodeId::Controller, |e, ctx| e.controller.schedule_unclean_sweep(ctx));
            }
            (None, Some(consumer)) => {
                let NodeId::Consumer(c) = self.node(&NodeRef::Consumer(consumer.clone()))? else { unreachable!() };
                let Some(rack) = change.client_rack.clone() else {
                    return Err(CommandError("a consumer's change_config sets client.rack".into()));
                };
                if change.min_insync_replicas.is_some() || change.unclean_leader_election_enable.is_some() {
                    return Err(CommandError(
                        "min.insync.replicas and unclean.leader.election.enable are topic settings".into(),
                    ));
                }
                self.consumers[c.0 as usize].config.client_rack = rack.clone();
                self.push_event(EventKind::ConfigChanged {
                    description: format!("consumer {consumer}: client.rack=\"{rack}\""),
                });
            }
            _ => return Err(CommandError("change_config needs exactly one of `topic` or `consumer`".into())),
        }
        Ok(())
    }
}

/// The mutable parts a node handler may reach (itself, through the dispatcher).
pub(crate) struct EngineParts<'a> {
    controller: &'a mut Controller,
    brokers: &'a mut [Broker],
    producers: &'a mut [Producer],
    consumers: &'a mut [Consumer],
}

impl EngineParts<'_> {
    fn dispatch(&mut self, from: NodeId, to: NodeId, message: Message, ctx: &mut Ctx) {
        match to {
            NodeId::Controller => self.controller.on_message(from, message, ctx),
            NodeId::Broker(b) => {
                if let Some(i) = ctx.catalog.broker_index(b) {
                    self.brokers[i].on_message(from, message, ctx);
                }
            }
            NodeId::Producer(p) => self.producers[p.0 as usize].on_message(from, message, ctx),
            NodeId::Consumer(c) => self.consumers[c.0 as usize].on_message(from, message, ctx),
        }
    }

    fn dispatch_timer(&mut self, node: NodeId, timer: Timer, ctx: &mut Ctx) {
        match node {
            NodeId::Controller => match timer {
                Timer::SessionExpiry { broker } => self.controller.on_session_expiry(broker, ctx),
                Timer::UncleanSweep => self.controller.on_unclean_sweep(ctx),
                _ => {}
            },
            NodeId::Broker(b) => {
                if let Some(i) = ctx.catalog.broker_index(b) {
                    self.brokers[i].on_timer(timer, ctx);
                }
            }
            NodeId::Producer(p) => self.producers[p.0 as usize].on_timer(timer, ctx),
            NodeId::Consumer(c) => self.consumers[c.0 as usize].on_timer(timer, ctx),
        }
    }
}

impl Engine {
    /// Whether `broker` runs (for views).
    pub fn broker_process(&self, broker: BrokerId) -> Option<ProcessState> {
        self.catalog.broker_index(broker).map(|i| self.brokers[i].process)
    }

    pub(crate) fn queue(&self) -> &EventQueue {
        &self.queue
    }
}
