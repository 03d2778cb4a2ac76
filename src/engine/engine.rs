//! The engine: a deterministic, sans-IO discrete-event simulation of a Kafka cluster. It owns the
//! agenda, the network and every node, advances simulated time only when asked, and draws all
//! randomness from one PRNG seeded by the scenario. The same scenario gives the same state, natively
//! and in WebAssembly.

use super::broker::Broker;
use super::catalog::Catalog;
use super::command::{ChangeConfig, Command, NodeRef, SeekTo, TopicSpec};
use super::config::Acks;
use super::consumer::Consumer;
use super::controller::Controller;
use super::ctx::{Ctx, Observation, Outbox};
use super::error::{CommandError, ScenarioError};
use super::event::{ClusterEvent, EventKind};
use super::ids::*;
use super::insert_sorted;
use super::limits::LIMITS;
use super::message::{Message, ProduceRequest};
use super::network::Network;
use super::producer::Producer;
use super::queue::{EventQueue, Pending};
use super::rules::{check_scenario, Ledger};
use super::safety::{SafetyChecker, World};
use super::setup::{Scenario, TimedCommand};
use super::shared_vec::SharedVec;
use super::timer::{ControllerTimer, Timer};
use rand_xoshiro::rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::fmt;

mod elect;
mod group_view;
mod groups;
mod pause;
mod power;
mod quorum;
mod reassign;
mod replay;
mod trace;
mod trigger;

/// Why [`Engine::advance_to`] stopped before its target time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdvanceError {
    /// The call's step budget ran out; the clock stands at `reached_ms`, and the next call goes on
    /// from there (the page's frame loop does, a frame later).
    StepBudgetSpent { reached_ms: Millis, steps: u64 },
    /// [`Limits::steps_per_ms_max`](super::limits::Limits) steps ran without simulated time moving:
    /// an engine bug, since every message takes at least 1 ms.
    NoProgress { at_ms: Millis, steps: u64 },
}

impl fmt::Display for AdvanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdvanceError::StepBudgetSpent { reached_ms, steps } => {
                write!(f, "stopped at {reached_ms} ms after {steps} steps (the step budget of this call)")
            }
            AdvanceError::NoProgress { at_ms, steps } => write!(
                f,
                "the simulation stopped making progress at {at_ms} ms ({steps} steps without simulated time moving)"
            ),
        }
    }
}

impl std::error::Error for AdvanceError {}

/// A simulated Kafka cluster. It does no I/O and reads no clock: a driver (the runner, the page, a
/// test) gives it commands and time, and reads back events and views. Its methods, in the order a
/// driver calls them:
///
/// - **Build:** [`new`](Engine::new) checks a scenario against the input contract
///   ([`rules`](super::rules)) and builds its cluster at time 0, with the scenario's commands on the
///   agenda.
/// - **Inputs:** [`apply`](Engine::apply) carries out a command now (a click in the page), after the
///   same checks as a scenario's own commands, against the same budget.
/// - **Time:** [`next_event_ms`](Engine::next_event_ms) says when something happens next;
///   [`advance_to`](Engine::advance_to) runs to a time within a step budget (the page's frame loop,
///   the runner); [`step`](Engine::step) runs one thing (tests, benchmarks).
/// - **Outputs:** [`events_since`](Engine::events_since) and [`next_event_seq`](Engine::next_event_seq)
///   for the event log, [`explain`](Engine::explain) for an event's sentence, [`view`](Engine::view)
///   for the plain-data state, [`state_hash`](Engine::state_hash) and
///   [`unexpected_violations`](Engine::unexpected_violations) for tests.
/// - **Getters:** [`now_ms`](Engine::now_ms), [`steps`](Engine::steps), [`agenda_len`](Engine::agenda_len),
///   [`catalog`](Engine::catalog) (names of brokers, topics, partitions, clients) and
///   [`ledger`](Engine::ledger) (what the input has cost so far).
#[derive(Clone)]
pub struct Engine {
    now: Millis,
    queue: EventQueue,
    rng: Xoshiro256PlusPlus,
    pub(crate) catalog: Catalog,
    pub(crate) network: Network,
    pub(crate) controller: Controller,
    /// Who may write the controller's metadata ([`quorum`](super::quorum), kafka-model §2.2).
    pub(crate) quorum: super::quorum::Quorum,
    pub(crate) brokers: Vec<Broker>,
    pub(crate) producers: Vec<Producer>,
    pub(crate) consumers: Vec<Consumer>,
    pub(crate) safety: SafetyChecker,
    events: SharedVec<ClusterEvent>,
    next_event_seq: u64,
    outbox: Outbox,
    steps: u64,
    /// Steps taken at the current millisecond (the no-progress bound).
    steps_at_now: u64,
    /// `LIMITS.steps_per_ms_max`; lowered by the engine's own tests to reach the bound cheaply.
    steps_per_ms_max: u64,
    /// What the scenario and the commands applied since have made and cost (the input contract).
    ledger: Ledger,
    /// The commands applied since the scenario started, at the times they ran (a share link's
    /// session; the ledger bounds how many).
    session: SharedVec<TimedCommand>,
    /// Paused brokers and what waits for each ([`pause`]).
    paused: super::Map<BrokerId, pause::Held>,
    /// `when` commands waiting for their condition, in the order they were armed.
    armed: Vec<super::trigger::Armed>,
    /// The probe on one partition ([`trace`]): observation only, never hashed or read back.
    trace: Option<Box<super::trace::Trace>>,
}

impl Engine {
    /// Checks the scenario against the input contract ([`rules`](super::rules)), then builds its
    /// cluster in the steady state at time 0 (brokers registered and unfenced, topics created with
    /// every replica in sync) and schedules its commands.
    pub fn new(scenario: &Scenario) -> Result<Engine, ScenarioError> {
        let ledger = check_scenario(scenario)?;
        let mut brokers: Vec<(BrokerId, String)> = Vec::with_capacity(scenario.cluster.brokers.len());
        for b in &scenario.cluster.brokers {
            insert_sorted(&mut brokers, (b.id, b.rack.clone()));
        }
        let broker_ids: Vec<BrokerId> = brokers.iter().map(|b| b.0).collect();
        let catalog = Catalog {
            config: scenario.cluster.config.clone(),
            features: scenario.cluster.features,
            brokers,
            topics: Vec::new(),
            partitions: Vec::new(),
            producers: scenario.producers.iter().map(|p| p.name.clone()).collect(),
            consumers: scenario.consumers.iter().map(|c| c.name.clone()).collect(),
        };
        let controller = Controller::bootstrap(&catalog);
        let quorum = super::quorum::Quorum::bootstrap(&catalog.config, &broker_ids, controller.metadata_offset);
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
                .map(|(i, c)| {
                    let kept = LIMITS.records_received_kept / scenario.consumers.len();
                    Consumer::new(ClientIdx(i as u32), c.name.clone(), c.config.clone(), broker_ids.clone(), kept)
                })
                .collect(),
            catalog,
            controller,
            quorum,
            safety: SafetyChecker::default(),
            events: SharedVec::new(),
            next_event_seq: 0,
            outbox: Outbox::default(),
            steps: 0,
            steps_at_now: 0,
            steps_per_ms_max: LIMITS.steps_per_ms_max,
            ledger,
            session: SharedVec::new(),
            paused: super::Map::new(),
            armed: Vec::new(),
            trace: None,
        };
        let session_ms = engine.catalog.config.broker_session_timeout_ms;
        engine.with_node(NodeId::Controller, |_, ctx| {
            for b in &broker_ids {
                ctx.set_timer(session_ms, ControllerTimer::SessionExpiry { broker: *b });
            }
        });
        for i in 0..engine.brokers.len() {
            let epoch = engine.controller.brokers[&engine.brokers[i].id].registration.broker_epoch;
            engine.brokers[i].broker_epoch = Some(epoch);
            engine.with_node(NodeId::Broker(engine.brokers[i].id), |e, ctx| e.brokers[i].start_timers(ctx));
        }
        for topic in &scenario.topics {
            // The ledger admitted every topic; a refusal here would be an engine bug, shown as an event.
            if let Err(e) = engine.create_topic(topic) {
                engine.push_event(EventKind::CommandRejected { command: "create_topic", reason: e.to_string() });
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
        engine.sync_quorum();
        Ok(engine)
    }

    pub fn now_ms(&self) -> Millis {
        self.now
    }

    /// Time of the next thing that will happen.
    pub fn next_event_ms(&self) -> Option<Millis> {
        self.queue.peek_time()
    }

    /// Entries on the agenda: timers waiting and messages on the wire (the budget's
    /// [`Ledger::agenda_entries`] bounds them).
    pub fn agenda_len(&self) -> usize {
        self.queue.len()
    }

    /// Steps processed so far (the benchmark's "simulated events").
    pub fn steps(&self) -> u64 {
        self.steps
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Carries out a command at the current time, after checking it against the same rules and the
    /// same budget as the scenario's own commands ([`Ledger::check`]); counted once carried out. On
    /// error the command changed nothing (the rest of the millisecond, below, may have run).
    ///
    /// A command applied at time `t` runs after everything scheduled up to `t`: a driver that ran
    /// the engine in slices (the page's frames) may stand in the middle of a millisecond, so the
    /// rest of it runs first. That makes [`Engine::session`] replay exactly ([`Engine::replay`]).
    pub fn apply(&mut self, command: Command) -> Result<(), CommandError> {
        if matches!(command, Command::When(_)) {
            return Err(CommandError::new("", "a `when` is a scenario's command: it is armed at a time in `commands`"));
        }
        let cost = self.ledger.check(&command)?;
        self.finish_millisecond().map_err(|e| CommandError::new("", format!("the simulation cannot go on: {e}")))?;
        self.execute(command.clone())?;
        self.ledger.count(cost);
        self.session.push(TimedCommand { at_ms: self.now, command });
        Ok(())
    }

    /// Runs what is left of the current millisecond: a paused page shows, and links, a state that
    /// [`Engine::replay`] reaches (it replays to whole milliseconds).
    pub fn finish_millisecond(&mut self) -> Result<(), AdvanceError> {
        self.advance_to(self.now, u64::MAX)
    }

    /// The commands applied since the scenario started, in order, at the times they ran.
    pub fn session(&self) -> &SharedVec<TimedCommand> {
        &self.session
    }

    /// What the scenario and the commands applied since have made and cost.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Processes the next scheduled thing; returns its time.
    pub fn step(&mut self) -> Option<Millis> {
        let scheduled = self.queue.pop()?;
        if scheduled.at_ms == self.now {
            self.steps_at_now += 1;
        } else {
            self.steps_at_now = 1;
        }
        self.now = scheduled.at_ms;
        self.steps += 1;
        match scheduled.what {
            Pending::Deliver { from, to, message, sent_ms } => {
                self.trace_deliver(from, to, sent_ms, &message);
                self.deliver(from, to, message)
            }
            Pending::Timer { node, incarnation, timer } => self.fire(node, incarnation, timer),
            Pending::Command(command) => {
                // Admitted with the scenario; what can still fail is the state (a broker not running).
                if let Err(e) = self.execute(command.clone()) {
                    self.push_event(EventKind::CommandRejected { command: command.name(), reason: e.reason });
                }
            }
        }
        self.trace_step();
        Some(self.now)
    }

    /// Processes everything scheduled up to and including `t`, then sets the clock to `t`; takes at
    /// most `steps_max` steps (`u64::MAX`: no budget but the no-progress bound). On error the clock
    /// stands at the last step taken, and a later call goes on from there.
    pub fn advance_to(&mut self, t: Millis, steps_max: u64) -> Result<(), AdvanceError> {
        let mut steps = 0u64;
        while self.queue.peek_time().is_some_and(|next| next <= t) {
            if steps == steps_max {
                return Err(AdvanceError::StepBudgetSpent { reached_ms: self.now, steps });
            }
            self.step();
            steps += 1;
            if self.steps_at_now > self.steps_per_ms_max {
                return Err(AdvanceError::NoProgress { at_ms: self.now, steps: self.steps_at_now });
            }
        }
        if t > self.now {
            self.now = t;
            self.steps_at_now = 0;
        }
        Ok(())
    }

    /// Events with `seq >= since`, oldest first (only the last `LIMITS.events_kept` are kept).
    pub fn events_since(&self, since: u64) -> impl Iterator<Item = &ClusterEvent> {
        let first = self.events.first().map_or(0, |e| e.seq);
        self.events.iter_from(since.saturating_sub(first) as usize)
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
            if self.is_dropped(from, to, &message) {
                self.note_dropped(to, &message);
                continue;
            }
            let mut at = self.now + self.network.latency_ms(&mut self.rng);
            if matches!(message, Message::Produce(_) | Message::ProduceResponse { .. }) {
                at = self.network.produce_arrival(from, to, at);
            }
            self.queue.push(at, Pending::Deliver { from, to, sent_ms: self.now, message });
        }
        for (at, node, timer) in out.timers.drain(..) {
            self.queue.push(at, Pending::Timer { node, incarnation, timer });
        }
        for mut event in out.events.drain(..) {
            // What the controller has committed, for events of a broker that may not know it yet.
            event.stamp_controller_epoch(|p| self.controller.partitions.get(p.0 as usize).map(|r| r.leader_epoch));
            self.push_event(event);
        }
        // The outbox buffers keep their capacity across steps: this runs after every step.
        let mut observations = std::mem::take(&mut out.observations);
        self.outbox = out;
        if !observations.is_empty() {
            let world =
                World { now: self.now, catalog: &self.catalog, controller: &self.controller, brokers: &self.brokers };
            let mut events = Vec::new();
            let mut assignment_changed = false;
            for obs in &observations {
                self.safety.observe(obs, &world, &mut events);
                assignment_changed |= matches!(obs, Observation::GroupAssignmentChanged);
            }
            if assignment_changed {
                self.check_group_ownership(&mut events);
            }
            for e in events {
                self.push_event(e);
            }
            observations.clear();
        }
        self.outbox.observations = observations;
    }

    fn push_event(&mut self, kind: EventKind) {
        if self.events.len() == LIMITS.events_kept {
            self.events.drop_front(1);
        }
        // The `when`s this event fires, found before it is stored and fired after (no clone of it).
        let fired = self.triggered_by(&kind);
        if let Some(t) = self.trace.as_deref_mut() {
            t.on_event(&kind, self.now);
        }
        self.events.push(ClusterEvent { seq: self.next_event_seq, at_ms: self.now, kind });
        self.next_event_seq += 1;
        for armed in fired {
            self.fire_trigger(armed);
        }
    }

    /// An `acks=0` produce that never reaches a broker is lost without anyone being told; say so.
    fn note_dropped(&mut self, to: NodeId, message: &Message) {
        self.note_dropped_because(to, message, "link cut or broker down");
    }

    pub(super) fn note_dropped_because(&mut self, to: NodeId, message: &Message, why: &str) {
        if let Message::Produce(ProduceRequest { partitions, acks: Acks::None, .. }) = message {
            let to = match to {
                NodeId::Broker(b) => format!("broker {b}"),
                _ => "its destination".to_string(),
            };
            for (partition, batch) in partitions {
                let cause = format!("the acks=0 produce request to {to} never arrived ({why})");
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
    }

    fn is_up(&self, node: NodeId) -> bool {
        match node {
            // A paused process still holds its connections: nobody is refused.
            NodeId::Broker(b) => self.catalog.broker_index(b).is_some_and(|i| self.brokers[i].is_alive()),
            _ => true,
        }
    }

    /// Whether the network loses `message`. The controller's metadata pushes stand for the
    /// broker's metadata fetches (kafka-model §2.3.8): they need the broker's way to the controller
    /// too, where its fetch requests go.
    fn is_dropped(&self, from: NodeId, to: NodeId, message: &Message) -> bool {
        let (from, to) = (self.route(from), self.route(to));
        self.network.is_cut(from, to) || matches!(message, Message::MetadataUpdate(_)) && self.network.is_cut(to, from)
    }

    fn deliver(&mut self, from: NodeId, to: NodeId, message: Message) {
        if self.is_dropped(from, to, &message) {
            self.note_dropped(to, &message);
            return;
        }
        if to == NodeId::Controller && !self.quorum.committing {
            // No active controller with a majority: nothing it would answer can be committed, so the
            // sender hears nothing and retries (kafka-model §2.2, quorum loss).
            return;
        }
        if self.is_paused(to) {
            self.hold(to, Pending::Deliver { from, to, sent_ms: self.now, message });
            return;
        }
        if !self.is_up(to) {
            // Connection refused: a request to a dead process fails fast (the host answers RST).
            let is_request = matches!(
                message,
                Message::Fetch(_)
                    | Message::Produce(_)
                    | Message::Metadata { .. }
                    | Message::ListOffsets { .. }
                    | Message::ApiVersions { .. }
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
        if self.is_paused(node) {
            self.hold(node, Pending::Timer { node, incarnation, timer });
            return;
        }
        if node == NodeId::Controller && !self.controller_may_act(&timer) {
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
                self.settle_quorum();
            }
        }
    }

    /// Resolves a node of a command; `field` names it in the error.
    fn node(&self, node: &NodeRef, field: &str) -> Result<NodeId, CommandError> {
        let found = match node {
            // The active controller's node now (a quorum's voter), or the lone controller.
            NodeRef::Controller => Some(self.route(NodeId::Controller)),
            NodeRef::ControllerNode(id) => self.quorum.index(*id).map(|i| self.quorum.voters[i].node),
            NodeRef::Broker(b) => self.catalog.broker_index(*b).map(|_| NodeId::Broker(*b)),
            NodeRef::Producer(name) => self.producer(name).map(NodeId::Producer),
            NodeRef::Consumer(name) => self.consumer(name).map(NodeId::Consumer),
        };
        found.ok_or_else(|| CommandError::new(field, format!("no node `{node}` in the scenario")))
    }

    fn producer(&self, name: &str) -> Option<ClientIdx> {
        self.catalog.producers.iter().position(|n| n == name).map(|i| ClientIdx(i as u32))
    }

    fn consumer(&self, name: &str) -> Option<ClientIdx> {
        self.catalog.consumers.iter().position(|n| n == name).map(|i| ClientIdx(i as u32))
    }

    fn broker_index(&self, broker: BrokerId) -> Result<usize, CommandError> {
        self.catalog
            .broker_index(broker)
            .ok_or_else(|| CommandError::new("broker", format!("no broker {broker} in the cluster")))
    }

    /// A topic that exists now (the ledger also knows topics that scheduled commands create later).
    fn topic(&self, name: &str) -> Result<TopicIdx, CommandError> {
        self.catalog
            .topic_by_name(name)
            .ok_or_else(|| CommandError::new("topic", format!("no topic `{name}` yet (it is created later)")))
    }

    fn running_broker(&self, broker: BrokerId) -> Result<usize, CommandError> {
        let i = self.broker_index(broker)?;
        if !self.brokers[i].is_running() {
            let state = self.brokers[i].process.as_str();
            return Err(CommandError::new("broker", format!("broker {broker} is not running (it is {state})")));
        }
        Ok(i)
    }

    /// Carries out an admitted command. What can still fail is the state it meets: a broker that is
    /// not running, a topic a later command creates. The controller quorum is settled around it
    /// (a command may crash, restart, pause or cut off a voter).
    fn execute(&mut self, command: Command) -> Result<(), CommandError> {
        let result = self.execute_command(command);
        self.settle_quorum();
        result
    }

    fn execute_command(&mut self, command: Command) -> Result<(), CommandError> {
        let writes_metadata = matches!(
            command,
            Command::CreateTopic(_) | Command::ElectLeaders(_) | Command::ChangeConfig(ChangeConfig::Topic { .. })
        );
        if writes_metadata && !self.quorum.committing {
            // kafka-model §2.2: a metadata record needs a majority of the controller quorum.
            return Err(CommandError::new(
                "",
                "no active controller can commit it now (the controller quorum has no majority)",
            ));
        }
        match command {
            Command::Produce(produce) => {
                let p = self.producer(&produce.producer).ok_or_else(|| {
                    CommandError::new("producer", format!("no producer named `{}`", produce.producer))
                })?;
                let topic = self.topic(&produce.topic)?;
                let i = p.0 as usize;
                self.with_node(NodeId::Producer(p), |e, ctx| e.producers[i].send(&produce, topic, ctx));
            }
            Command::Consume { consumer, topic } => {
                let c = self
                    .consumer(&consumer)
                    .ok_or_else(|| CommandError::new("consumer", format!("no consumer named `{consumer}`")))?;
                let topic = self.topic(&topic)?;
                let partitions = self.catalog.topics[topic.0 as usize].partitions.clone();
                let i = c.0 as usize;
                self.refuse_assign_in_group(&consumer, i)?;
                self.with_node(NodeId::Consumer(c), |e, ctx| e.consumers[i].subscribe(&partitions, ctx));
            }
            Command::Seek { consumer, topic, partition, to } => self.seek(&consumer, &topic, partition, to)?,
            Command::CrashBroker { broker } => {
                let i = self.broker_index(broker)?;
                if !self.brokers[i].is_alive() {
                    let state = self.brokers[i].process.as_str();
                    return Err(CommandError::new("broker", format!("broker {broker} is not running (it is {state})")));
                }
                // kill -9 ends a paused process too.
                self.forget_paused(broker);
                self.brokers[i].crash();
                self.push_event(EventKind::BrokerCrashed { broker });
                self.announce_connections_closed(broker);
            }
            Command::PowerOffBroker { broker } => self.power_off_broker(broker)?,
            Command::RestartBroker { broker } => {
                let i = self.broker_index(broker)?;
                if self.brokers[i].is_running() {
                    return Err(CommandError::new("broker", format!("broker {broker} is already running")));
                }
                if self.brokers[i].is_alive() {
                    return Err(CommandError::new(
                        "broker",
                        format!("broker {broker} is paused: resume_broker continues it"),
                    ));
                }
                self.with_node(NodeId::Broker(broker), |e, ctx| e.brokers[i].restart(ctx));
            }
            Command::ControlledShutdown { broker } => {
                let i = self.running_broker(broker)?;
                self.with_node(NodeId::Broker(broker), |e, ctx| e.brokers[i].begin_controlled_shutdown(ctx));
                self.announce_if_stopped(NodeId::Broker(broker));
            }
            Command::CutLink { between: [a, b] } => {
                let (a, b) = (self.node(&a, "between[0]")?, self.node(&b, "between[1]")?);
                if self.network.cut(a, b) {
                    self.push_event(EventKind::LinkCut { a, b });
                }
            }
            Command::HealLink { between: [a, b] } => {
                let (a, b) = (self.node(&a, "between[0]")?, self.node(&b, "between[1]")?);
                if self.network.heal(a, b) {
                    self.push_event(EventKind::LinkHealed { a, b });
                }
            }
            Command::CutLinkOneWay { from, to } => {
                let (from, to) = (self.node(&from, "from")?, self.node(&to, "to")?);
                if self.network.cut_one_way(from, to) {
                    self.push_event(EventKind::LinkCutOneWay { from, to });
                }
            }
            Command::PauseBroker { broker } => self.pause_broker(broker)?,
            Command::When(w) => self.arm(w)?,
            Command::ResumeBroker { broker } => self.resume_broker(broker)?,
            Command::SlowReplica { broker, stalled } => self.slow_replica(broker, stalled)?,
            Command::CreateTopic(spec) => self.create_topic(&spec)?,
            Command::ChangeConfig(change) => self.change_config(change)?,
            Command::ElectLeaders(e) => self.elect_leaders(&e)?,
            Command::AddBroker { broker, rack } => self.add_broker(broker, rack),
            Command::ReassignPartitions(r) => self.reassign_partitions(&r)?,
            Command::CrashController { controller } => self.crash_controller(controller)?,
            Command::RestartController { controller } => self.restart_controller(controller)?,
            group @ (Command::JoinGroup(_)
            | Command::LeaveGroup { .. }
            | Command::CrashConsumer { .. }
            | Command::StopPolling { .. }
            | Command::CommitOffsets { .. }) => self.group_command(group)?,
            Command::ReconfigureProducer { producer, config } => {
                let p = self
                    .producer(&producer)
                    .ok_or_else(|| CommandError::new("producer", format!("no producer named `{producer}`")))?;
                let i = p.0 as usize;
                self.with_node(NodeId::Producer(p), |e, ctx| e.producers[i].reconfigure(&config, ctx));
            }
        }
        Ok(())
    }

    /// A seek needs the partition assigned (Kafka: `IllegalStateException`, "No current assignment").
    fn seek(&mut self, consumer: &str, topic: &str, partition: u32, to: SeekTo) -> Result<(), CommandError> {
        let c = self
            .consumer(consumer)
            .ok_or_else(|| CommandError::new("consumer", format!("no consumer named `{consumer}`")))?;
        let t = self.topic(topic)?;
        let p = self.catalog.topics[t.0 as usize].partitions.get(partition as usize).copied();
        let i = c.0 as usize;
        let Some(p) = p.filter(|p| self.consumers[i].positions.contains_key(p)) else {
            let reason =
                format!("consumer `{consumer}` does not consume {topic}-{partition} (`consume` the topic first)");
            return Err(CommandError::new("partition", reason));
        };
        self.with_node(NodeId::Consumer(c), |e, ctx| e.consumers[i].seek(p, to, ctx));
        Ok(())
    }

    fn slow_replica(&mut self, broker: BrokerId, stalled: bool) -> Result<(), CommandError> {
        let i = self.broker_index(broker)?;
        if self.brokers[i].stalled == stalled {
            return Ok(());
        }
        self.brokers[i].stalled = stalled;
        if stalled {
            self.push_event(EventKind::ReplicaStalled { broker });
        } else {
            self.push_event(EventKind::ReplicaResumed { broker });
            self.with_node(NodeId::Broker(broker), |e, ctx| e.brokers[i].resume_fetching(ctx));
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

    /// Creates an admitted topic (the ledger checked its name, size and configs).
    fn create_topic(&mut self, spec: &TopicSpec) -> Result<(), CommandError> {
        let placement = match &spec.replica_assignment {
            // Kafka runs no placer for a manual assignment: nothing is drawn from the PRNG.
            Some(lists) => {
                self.controller.check_manual_assignment(lists)?;
                lists.clone()
            }
            None => {
                let rng = &mut self.rng;
                let mut draw = |n: usize| (rng.next_u64() % n as u64) as usize;
                self.controller
                    .place_replicas(spec.partitions, spec.replication_factor, &mut draw)
                    .map_err(|reason| CommandError::new("replication.factor", reason))?
            }
        };
        let topic = self.catalog.add_topic(spec);
        let partitions = self.catalog.topics[topic.0 as usize].partitions.clone();
        self.push_event(EventKind::TopicCreated { topic });
        self.with_node(NodeId::Controller, |e, ctx| {
            e.controller.create_partitions(partitions.into_iter().zip(placement).collect(), ctx);
            e.controller.schedule_unclean_sweep(ctx);
        });
        Ok(())
    }

    /// Applies an admitted config change.
    fn change_config(&mut self, change: ChangeConfig) -> Result<(), CommandError> {
        match change {
            ChangeConfig::Topic { topic, config: change } => {
                let t = self.topic(&topic)?;
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
                let description = format!("topic {topic}: {}", said.join(", "));
                self.push_event(EventKind::ConfigChanged { description });
                self.with_node(NodeId::Controller, |e, ctx| e.controller.schedule_unclean_sweep(ctx));
                if let Some(m) = change.min_insync_replicas {
                    // A ConfigRecord brokers apply as it reaches them, and the ELR fields it clears.
                    let partitions = self.catalog.topics[t.0 as usize].partitions.clone();
                    self.with_node(NodeId::Controller, |e, ctx| {
                        e.controller.commit_topic_config(t, m, ctx);
                        e.controller.clear_elr(&partitions, ctx)
                    });
                }
            }
            ChangeConfig::ClientRack { consumer, client_rack } => {
                let c = self
                    .consumer(&consumer)
                    .ok_or_else(|| CommandError::new("consumer", format!("no consumer named `{consumer}`")))?;
                self.consumers[c.0 as usize].config.client_rack = client_rack.clone();
                let description = format!("consumer {consumer}: client.rack=\"{client_rack}\"");
                self.push_event(EventKind::ConfigChanged { description });
            }
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
            // Voters talk Raft among themselves, which the quorum models without messages.
            NodeId::ControllerNode(_) => {}
        }
    }

    fn dispatch_timer(&mut self, node: NodeId, timer: Timer, ctx: &mut Ctx) {
        match (node, timer) {
            (NodeId::Controller, Timer::Controller(t)) => match t {
                ControllerTimer::SessionExpiry { broker } => self.controller.on_session_expiry(broker, ctx),
                ControllerTimer::UncleanSweep => self.controller.on_unclean_sweep(ctx),
                ControllerTimer::LeaderImbalanceCheck => self.controller.on_leader_imbalance_check(ctx),
                // The engine's own (`Engine::controller_may_act`).
                ControllerTimer::QuorumElection { .. } | ControllerTimer::CheckQuorum { .. } => {}
            },
            (NodeId::Broker(b), Timer::Broker(t)) => {
                if let Some(i) = ctx.catalog.broker_index(b) {
                    self.brokers[i].on_timer(t, ctx);
                }
            }
            (NodeId::Producer(p), Timer::Producer(t)) => self.producers[p.0 as usize].on_timer(t, ctx),
            (NodeId::Consumer(c), Timer::Consumer(t)) => self.consumers[c.0 as usize].on_timer(t, ctx),
            // `Ctx::set_timer` stamps a timer with the node whose handler set it, and each handler
            // sets only its own kind: no other pair reaches the agenda.
            (node, timer) => debug_assert!(false, "{node:?} cannot get {timer:?}"),
        }
    }
}

impl Engine {
    pub(crate) fn queue(&self) -> &EventQueue {
        &self.queue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::config::NetworkConfig;

    fn one_broker() -> Engine {
        Engine::new(&Scenario::one_broker(1, 10_000)).expect("valid")
    }

    /// A loop that never moves simulated time (what the network's 1 ms floor rules out) is
    /// stopped with a typed error, at the millisecond where it spins.
    #[test]
    fn steps_without_time_moving_are_reported_as_no_progress() {
        let mut engine = one_broker();
        engine.steps_per_ms_max = 100;
        let heal = Command::HealLink { between: [NodeRef::Controller, NodeRef::Broker(BrokerId(1))] };
        for _ in 0..200 {
            engine.queue.push(5, Pending::Command(heal.clone()));
        }
        let e = engine.advance_to(1_000, u64::MAX).expect_err("200 steps at 5 ms");
        assert_eq!(e, AdvanceError::NoProgress { at_ms: 5, steps: 101 });
        assert_eq!(engine.now_ms(), 5);
    }

    #[test]
    fn a_spent_step_budget_leaves_the_clock_at_the_last_step() {
        let mut engine = one_broker();
        let e = engine.advance_to(10_000, 3).expect_err("more than 3 things happen in 10 s");
        let AdvanceError::StepBudgetSpent { reached_ms, steps } = e else { panic!("{e}") };
        assert_eq!(steps, 3);
        assert_eq!(reached_ms, engine.now_ms());
        assert!(reached_ms < 10_000);
        engine.advance_to(10_000, u64::MAX).expect("goes on from there");
        assert_eq!(engine.now_ms(), 10_000);
    }

    /// Kafka runs no placer for a manual assignment, so a topic given one draws nothing from the
    /// PRNG (kafka-model §3.1): pinned scenarios keep every later latency. A placed topic draws, and
    /// a refused one does not.
    #[test]
    fn only_the_placer_draws_from_the_prng() {
        let topic = |name: &str, replica_assignment: Option<Vec<Vec<BrokerId>>>| {
            Command::CreateTopic(TopicSpec {
                name: name.into(),
                partitions: 1,
                replication_factor: 1,
                replica_assignment,
                config: Default::default(),
            })
        };
        let mut engine = one_broker();
        // Without jitter, telling the broker about a topic draws nothing either.
        engine.network = Network::new(NetworkConfig { latency_ms: 2, jitter_ms: 0 });
        let before = engine.rng.clone();
        engine.apply(topic("pinned", Some(vec![vec![BrokerId(1)]]))).expect("valid");
        assert!(engine.rng == before, "a manual assignment drew from the PRNG");
        assert!(engine.apply(topic("pinned", None)).is_err(), "a second topic of that name is refused");
        assert!(engine.rng == before, "a refused topic drew from the PRNG");
        engine.apply(topic("placed", None)).expect("valid");
        assert!(engine.rng != before, "the placer drew its offsets");
    }
}
