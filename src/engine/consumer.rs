//! A Kafka consumer with manually assigned partitions (groups come later): positions and their
//! states (`SubscriptionState`), resets by ListOffsets, seeks, fetching from the leader or the
//! closest in-sync replica (KIP-392, kafka-model §6.2), and KIP-320 position validation after a
//! leader change (OffsetsForLeaderEpoch, kafka-model §6.3).

use super::command::SeekTo;
use super::config::{AutoOffsetReset, ConsumerConfig};
use super::ctx::{Ctx, Observation};
use super::event::{ConsumerException, EventKind, LeftReplica};
use super::ids::*;
use super::log::Record;
use super::message::*;
use super::producer::ClientMetadata;
use super::shared_vec::SharedVec;
use super::timer::ConsumerTimer;
use super::{insert_sorted, Map};

mod membership;
pub use membership::{MemberState, Membership};

/// Where a partition's position stands (`SubscriptionState.FetchStates`, kafka-model §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchState {
    /// AWAIT_RESET: no position until a ListOffsets for this offset answers.
    AwaitReset(OffsetSpec),
    Fetching,
    /// AWAIT_VALIDATION (KIP-320): the leader changed; nothing is fetched until OffsetsForLeaderEpoch
    /// confirms the position.
    AwaitValidation,
    /// `poll` throws this for the partition (`auto.offset.reset=none`); not fetched until a seek.
    Failed(ConsumerException),
}

impl FetchState {
    /// The state in a few words; an exception by its Java name.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchState::AwaitReset(OffsetSpec::Earliest) => "awaiting reset (earliest)",
            FetchState::AwaitReset(OffsetSpec::Latest) => "awaiting reset (latest)",
            FetchState::Fetching => "fetching",
            FetchState::AwaitValidation => "awaiting validation",
            FetchState::Failed(exception) => exception.as_str(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct PartitionPosition {
    /// Next offset to read; `None` until a reset resolved it.
    pub position: Option<Offset>,
    /// Leader epoch of the last record consumed (`FetchPosition.offsetEpoch`, KIP-320): what a
    /// validation asks about. `None` after a reset or a seek: nothing to validate.
    pub last_epoch: Option<LeaderEpoch>,
    /// The leader and epoch the position was last checked against (`FetchPosition.currentLeader`).
    pub current_leader: Option<(BrokerId, LeaderEpoch)>,
    pub state: FetchState,
    /// No ListOffsets or OffsetsForLeaderEpoch before this, after one failed (`nextRetryTimeMs`).
    pub retry_at_ms: Millis,
    /// KIP-392 preferred read replica and the end of its lease.
    pub preferred: Option<(BrokerId, Millis)>,
    /// A reset waits for a leader its metadata does not have, and an event said so.
    pub leader_unknown: bool,
}

impl PartitionPosition {
    /// The preferred read replica while its lease lasts, else the leader (kafka-model §6.2).
    fn read_from(&self, leader: BrokerId, now: Millis) -> BrokerId {
        match self.preferred {
            Some((replica, until)) if now < until => replica,
            _ => leader,
        }
    }
}

/// Records as the consumer application sees them.
#[derive(Clone, Debug)]
pub struct Delivered {
    pub partition: PartitionIdx,
    pub offset: Offset,
    pub record: Record,
    pub from: BrokerId,
    pub at_ms: Millis,
}

/// A request in flight to one broker: its id and, per partition, what it asked (a fetch's offset,
/// a ListOffsets' spec, the position a validation checks), to drop an answer that a seek or a
/// reset has made stale.
type InFlight<T> = Map<BrokerId, (u64, Vec<(PartitionIdx, T)>)>;

#[derive(Clone, Debug)]
pub struct Consumer {
    pub idx: ClientIdx,
    pub name: String,
    pub config: ConsumerConfig,
    pub metadata: ClientMetadata,
    pub positions: Map<PartitionIdx, PartitionPosition>,
    pub received: SharedVec<Delivered>,
    pub received_total: u64,
    received_kept: usize,
    fetches: InFlight<Offset>,
    /// Broker -> when the fetch in flight there times out, and whether a `FetchTimeout` is on the
    /// agenda. One at a time: fetches end long before they time out, so a timer per fetch would
    /// keep `request.timeout.ms` worth of them waiting.
    fetch_deadlines: Map<BrokerId, (Millis, bool)>,
    list_offsets: InFlight<OffsetSpec>,
    validations: InFlight<Offset>,
    /// Subscribed partitions that no request in flight holds.
    idle: Map<PartitionIdx, ()>,
    /// When the earliest preferred-replica lease ends.
    next_lease_end_ms: Millis,
    /// Per broker: when the reconnect backoff ends and how many failures in a row set it.
    backoff_until_ms: Map<BrokerId, (Millis, u32)>,
    next_request: u64,
    /// Its consumer group, if it subscribed with a `group.id` (kafka-model §6.4).
    pub membership: Option<Membership>,
    /// The process crashed: it does nothing more.
    pub crashed: bool,
}

/// `reconnect.backoff.ms` and `reconnect.backoff.max.ms`: a failing broker is retried after
/// 50 ms, doubling up to 1 s (without Kafka's jitter).
const RECONNECT_BACKOFF_MS: Millis = 50;
const RECONNECT_BACKOFF_MAX_MS: Millis = 1_000;

/// What the consumer will ask a broker for, per broker, in one poll.
#[derive(Default)]
struct Plan {
    fetch: Map<BrokerId, Vec<FetchPartition>>,
    list: Map<BrokerId, Vec<(PartitionIdx, LeaderEpoch, OffsetSpec)>>,
    validate: Map<BrokerId, Vec<(PartitionIdx, LeaderEpoch, LeaderEpoch, Offset)>>,
}

impl Consumer {
    /// `received_kept`: how many received records it keeps for views and the runner (its share of
    /// `LIMITS.records_received_kept`); the count is kept in full.
    pub fn new(
        idx: ClientIdx,
        name: String,
        config: ConsumerConfig,
        brokers: Vec<BrokerId>,
        received_kept: usize,
    ) -> Self {
        let first = idx.0 as usize;
        Consumer {
            received_kept,
            idx,
            name,
            config,
            metadata: ClientMetadata::new(brokers, first),
            positions: Map::new(),
            received: SharedVec::new(),
            received_total: 0,
            fetches: Map::new(),
            fetch_deadlines: Map::new(),
            list_offsets: Map::new(),
            validations: Map::new(),
            idle: Map::new(),
            next_lease_end_ms: Millis::MAX,
            backoff_until_ms: Map::new(),
            next_request: 0,
            membership: None,
            crashed: false,
        }
    }

    fn next_request_id(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }

    /// The offset `auto.offset.reset` resets to; `None` for `none`.
    fn reset_spec(&self) -> Option<OffsetSpec> {
        match self.config.auto_offset_reset {
            AutoOffsetReset::Earliest => Some(OffsetSpec::Earliest),
            AutoOffsetReset::Latest => Some(OffsetSpec::Latest),
            AutoOffsetReset::None => None,
        }
    }

    pub fn talking_to(&self) -> Vec<BrokerId> {
        let mut b = Vec::new();
        for id in self.fetches.keys().chain(self.list_offsets.keys()).chain(self.validations.keys()) {
            insert_sorted(&mut b, *id);
        }
        b
    }

    /// Where the next fetch of `p` goes: the preferred replica while its lease lasts, else the
    /// leader; `None` while the partition is not fetched (a reset, a validation or an exception).
    pub fn fetch_target(&self, p: PartitionIdx, now: Millis) -> Option<BrokerId> {
        let pos = self.positions.get(&p).filter(|pos| pos.state == FetchState::Fetching)?;
        self.metadata.leader(p).map(|(leader, _)| pos.read_from(leader, now))
    }

    /// Manual assignment: each new partition starts from `auto.offset.reset` (no committed offsets
    /// yet), or, with `none`, throws `NoOffsetForPartitionException` (`resetInitializingPositions`).
    pub fn subscribe(&mut self, partitions: &[PartitionIdx], ctx: &mut Ctx) {
        for p in partitions {
            if self.positions.contains_key(p) {
                continue;
            }
            let state = match self.reset_spec() {
                Some(spec) => FetchState::AwaitReset(spec),
                None => {
                    self.fail(*p, ConsumerException::NoOffsetForPartition, None, None, ctx);
                    FetchState::Failed(ConsumerException::NoOffsetForPartition)
                }
            };
            let pos = PartitionPosition {
                position: None,
                last_epoch: None,
                current_leader: None,
                state,
                retry_at_ms: 0,
                preferred: None,
                leader_unknown: false,
            };
            self.positions.insert(*p, pos);
            self.idle.insert(*p, ());
        }
        self.poll(ctx);
    }

    /// `seek` (no epoch: fetched from next without validation), `seekToBeginning`, `seekToEnd`
    /// (lazy resets). False if the consumer does not consume `p`.
    pub fn seek(&mut self, p: PartitionIdx, to: SeekTo, ctx: &mut Ctx) -> bool {
        let leader = self.metadata.leader(p);
        let Some(pos) = self.positions.get_mut(&p) else {
            return false;
        };
        let from = pos.position;
        (pos.position, pos.state) = match to {
            SeekTo::Offset(offset) => (Some(offset), FetchState::Fetching),
            SeekTo::Beginning => (None, FetchState::AwaitReset(OffsetSpec::Earliest)),
            SeekTo::End => (None, FetchState::AwaitReset(OffsetSpec::Latest)),
        };
        pos.last_epoch = None;
        pos.current_leader = leader;
        pos.retry_at_ms = 0;
        ctx.emit(EventKind::ConsumerSeeked { consumer: self.idx, partition: p, from, to });
        self.poll(ctx);
        true
    }

    /// `poll` throws `exception` for `p` from now on.
    fn fail(
        &mut self,
        p: PartitionIdx,
        exception: ConsumerException,
        position: Option<Offset>,
        divergent: Option<(LeaderEpoch, Offset)>,
        ctx: &mut Ctx,
    ) {
        if let Some(pos) = self.positions.get_mut(&p) {
            pos.state = FetchState::Failed(exception);
        }
        ctx.emit(EventKind::ConsumerFailed { consumer: self.idx, partition: p, exception, position, divergent });
    }

    fn request_metadata(&mut self, ctx: &mut Ctx) {
        let id = self.next_request + 1;
        if let Some(broker) = self.metadata.request(id, ctx.now) {
            self.next_request = id;
            ctx.send(NodeId::Broker(broker), Message::Metadata { request_id: id });
            ctx.set_timer(self.config.request_timeout_ms, ConsumerTimer::RequestTimeout { request_id: id });
        }
    }

    /// `SubscriptionState.maybeValidatePosition`: metadata names another leader or epoch than the
    /// position was checked against. A position with the epoch of a consumed record awaits
    /// validation; one without (after a reset or a seek) just follows the new leader. Either way
    /// the preferred read replica is dropped.
    fn maybe_validate(&mut self, p: PartitionIdx, leader: (BrokerId, LeaderEpoch), ctx: &mut Ctx) {
        let Some(pos) = self.positions.get_mut(&p) else { return };
        if !matches!(pos.state, FetchState::Fetching | FetchState::AwaitValidation)
            || pos.current_leader == Some(leader)
        {
            return;
        }
        pos.current_leader = Some(leader);
        pos.state = if pos.last_epoch.is_some() { FetchState::AwaitValidation } else { FetchState::Fetching };
        pos.retry_at_ms = 0;
        if let Some((replica, _)) = pos.preferred {
            self.leave_replica(p, replica, LeftReplica::LeaderChanged, ctx);
        }
    }

    /// The poll loop: validate positions against the leaders metadata names, then per broker one
    /// ListOffsets, one OffsetsForLeaderEpoch and one fetch for the partitions waiting on each.
    /// Only partitions that no request holds are looked at, so a poll after one broker answers costs
    /// what that broker's partitions cost, not what the whole subscription costs.
    pub fn poll(&mut self, ctx: &mut Ctx) {
        if self.positions.is_empty() || !self.polls() {
            return;
        }
        let now = ctx.now;
        if self.metadata.is_stale(now, self.config.metadata_max_age_ms) {
            self.request_metadata(ctx);
        }
        if now >= self.next_lease_end_ms {
            self.end_leases(ctx);
        }
        let mut plan = Plan::default();
        let mut missing_leader = false;
        let idle: Vec<PartitionIdx> = self.idle.keys().copied().collect();
        for p in idle {
            if !self.positions.contains_key(&p) {
                // Revoked while a request held it.
                self.idle.remove(&p);
                continue;
            }
            let Some((leader, epoch)) = self.metadata.leader(p) else {
                missing_leader = true;
                self.reset_waits_for_leader(p, ctx);
                continue;
            };
            if let Some(pos) = self.positions.get_mut(&p) {
                pos.leader_unknown = false;
            }
            self.maybe_validate(p, (leader, epoch), ctx);
            self.plan(p, (leader, epoch), now, &mut plan);
        }
        if missing_leader {
            self.request_metadata(ctx);
        }
        self.send_plan(plan, ctx);
    }

    /// A reset that needs the leader's ListOffsets while metadata names no leader: the client's
    /// `LEADER_NOT_AVAILABLE` (`OffsetFetcherUtils`: "Leader for partition is unknown"), said once
    /// until a leader is known; the consumer refreshes metadata and asks again (kafka-model §6.3).
    fn reset_waits_for_leader(&mut self, p: PartitionIdx, ctx: &mut Ctx) {
        // Metadata that does not know the partition yet (before the first answer) is no answer.
        let no_leader = self.metadata.leaders.get(&p).is_some_and(|(leader, _)| leader.is_none());
        let Some(pos) = self.positions.get_mut(&p) else { return };
        if let (FetchState::AwaitReset(spec), false, true) = (pos.state, pos.leader_unknown, no_leader) {
            pos.leader_unknown = true;
            ctx.emit(EventKind::ConsumerLeaderUnknown { consumer: self.idx, partition: p, spec });
        }
    }

    /// What `p`, held by no request, asks for next.
    fn plan(&self, p: PartitionIdx, (leader, epoch): (BrokerId, LeaderEpoch), now: Millis, plan: &mut Plan) {
        let pos = &self.positions[&p];
        let waiting = now < pos.retry_at_ms || self.backing_off(leader, now);
        match (pos.state, pos.position) {
            (FetchState::AwaitReset(spec), _) if !waiting && !self.list_offsets.contains_key(&leader) => {
                plan.list.entry(leader).or_default().push((p, epoch, spec))
            }
            (FetchState::AwaitValidation, Some(offset)) if !waiting && !self.validations.contains_key(&leader) => {
                let last = pos.last_epoch.unwrap_or(epoch);
                plan.validate.entry(leader).or_default().push((p, epoch, last, offset))
            }
            (FetchState::Fetching, Some(offset)) => {
                let target = pos.read_from(leader, now);
                if self.fetches.contains_key(&target) || self.backing_off(target, now) {
                    return;
                }
                // KIP-320: a consumer's fetch carries `currentLeaderEpoch`, no `lastFetchedEpoch`.
                let fp = FetchPartition {
                    partition: p,
                    current_leader_epoch: epoch,
                    fetch_offset: offset,
                    last_fetched_epoch: None,
                };
                plan.fetch.entry(target).or_default().push(fp);
            }
            _ => {}
        }
    }

    fn send_plan(&mut self, plan: Plan, ctx: &mut Ctx) {
        let consumer = self.idx;
        for (broker, partitions) in plan.list {
            let request_id = self.next_request_id();
            let mut held = Vec::with_capacity(partitions.len());
            for &(partition, leader_epoch, spec) in &partitions {
                self.idle.remove(&partition);
                held.push((partition, spec));
                ctx.emit(EventKind::ConsumerListOffsets { consumer, partition, broker, spec, leader_epoch });
            }
            self.list_offsets.insert(broker, (request_id, held));
            ctx.send(NodeId::Broker(broker), Message::ListOffsets { request_id, partitions });
            ctx.set_timer(self.config.request_timeout_ms, ConsumerTimer::RequestTimeout { request_id });
        }
        for (broker, asked) in plan.validate {
            let request_id = self.next_request_id();
            let mut held = Vec::with_capacity(asked.len());
            let mut partitions = Vec::with_capacity(asked.len());
            for (partition, leader_epoch, epoch, position) in asked {
                self.idle.remove(&partition);
                held.push((partition, position));
                partitions.push((partition, leader_epoch, epoch));
                ctx.emit(EventKind::ConsumerValidating { consumer, partition, broker, position, epoch, leader_epoch });
            }
            self.validations.insert(broker, (request_id, held));
            ctx.send(NodeId::Broker(broker), Message::OffsetsForLeaderEpoch { request_id, partitions });
            ctx.set_timer(self.config.request_timeout_ms, ConsumerTimer::RequestTimeout { request_id });
        }
        for (broker, partitions) in plan.fetch {
            self.send_fetch(broker, partitions, ctx);
        }
    }

    fn send_fetch(&mut self, broker: BrokerId, partitions: Vec<FetchPartition>, ctx: &mut Ctx) {
        let request_id = self.next_request_id();
        let held: Vec<(PartitionIdx, Offset)> = partitions.iter().map(|p| (p.partition, p.fetch_offset)).collect();
        for (p, _) in &held {
            self.idle.remove(p);
        }
        self.fetches.insert(broker, (request_id, held));
        let max_wait_ms = self.config.fetch_max_wait_ms;
        ctx.send(
            NodeId::Broker(broker),
            Message::Fetch(FetchRequest {
                request_id,
                replica: None,
                client_rack: self.config.client_rack.clone(),
                max_wait_ms,
                partitions,
            }),
        );
        let timeout_ms = self.config.request_timeout_ms + max_wait_ms;
        let (deadline, armed) = self.fetch_deadlines.entry(broker).or_insert((0, false));
        *deadline = ctx.now + timeout_ms;
        // An armed timer falls due no later than this deadline (every fetch has the same timeout).
        if !*armed {
            *armed = true;
            ctx.set_timer(timeout_ms, ConsumerTimer::FetchTimeout { broker });
        }
    }

    /// The lease of a preferred replica ends with `metadata.max.age.ms` (kafka-model §6.2 (a)).
    fn end_leases(&mut self, ctx: &mut Ctx) {
        let now = ctx.now;
        let expired: Vec<(PartitionIdx, BrokerId)> = self
            .positions
            .iter()
            .filter_map(|(p, pos)| pos.preferred.filter(|(_, until)| now >= *until).map(|(b, _)| (*p, b)))
            .collect();
        for (p, replica) in expired {
            self.leave_replica(p, replica, LeftReplica::LeaseEnded, ctx);
        }
        self.next_lease_end_ms = self
            .positions
            .values()
            .filter_map(|pos| pos.preferred.map(|(_, until)| until))
            .min()
            .unwrap_or(Millis::MAX);
    }

    /// The request of that kind to `broker` is over (answered or failed): what it held is idle.
    fn release<T>(
        idle: &mut Map<PartitionIdx, ()>,
        in_flight: &mut InFlight<T>,
        broker: BrokerId,
    ) -> Vec<(PartitionIdx, T)> {
        let held = in_flight.remove(&broker).map(|(_, held)| held).unwrap_or_default();
        for (p, _) in &held {
            idle.insert(*p, ());
        }
        held
    }

    fn backing_off(&self, broker: BrokerId, now: Millis) -> bool {
        self.backoff_until_ms.get(&broker).is_some_and(|(t, _)| now < *t)
    }

    /// A request to `broker` failed: leave it alone for a while, longer after each failure in a row.
    fn back_off(&mut self, broker: BrokerId, ctx: &mut Ctx) {
        let failures = self.backoff_until_ms.get(&broker).map_or(0, |(_, n)| *n) + 1;
        let wait = (RECONNECT_BACKOFF_MS << (failures - 1).min(16)).min(RECONNECT_BACKOFF_MAX_MS);
        self.backoff_until_ms.insert(broker, (ctx.now + wait, failures));
        ctx.set_timer(wait, ConsumerTimer::FetchBackoffDone { broker });
    }

    fn leave_replica(&mut self, p: PartitionIdx, replica: BrokerId, why: LeftReplica, ctx: &mut Ctx) {
        let (leader, leader_epoch) = self.metadata.leaders.get(&p).copied().unwrap_or((None, 0));
        if let Some(pos) = self.positions.get_mut(&p) {
            if pos.preferred.is_some_and(|(b, _)| b == replica) {
                pos.preferred = None;
                ctx.emit(EventKind::ConsumerLeftReplica {
                    consumer: self.idx,
                    partition: p,
                    replica,
                    why,
                    leader,
                    leader_epoch,
                });
            }
        }
    }

    /// The connection to `broker` failed: its requests are gone, and so are the preferred replicas
    /// on it (kafka-model §6.2 (b)).
    fn on_disconnect(&mut self, broker: BrokerId, ctx: &mut Ctx) {
        Self::release(&mut self.idle, &mut self.fetches, broker);
        Self::release(&mut self.idle, &mut self.list_offsets, broker);
        Self::release(&mut self.idle, &mut self.validations, broker);
        let on_broker: Vec<PartitionIdx> = self
            .positions
            .iter()
            .filter(|(_, pos)| pos.preferred.is_some_and(|(b, _)| b == broker))
            .map(|(p, _)| *p)
            .collect();
        for p in on_broker {
            self.leave_replica(p, broker, LeftReplica::ConnectionFailed, ctx);
        }
        if self.metadata.in_flight.is_some_and(|(_, b)| b == broker) {
            self.metadata.fail(ctx.now, self.config.retry_backoff_ms);
            ctx.set_timer(self.config.retry_backoff_ms, ConsumerTimer::MetadataBackoffDone);
        }
        self.metadata.refreshed_ms = None;
        self.back_off(broker, ctx);
    }

    pub fn on_timer(&mut self, timer: ConsumerTimer, ctx: &mut Ctx) {
        if self.crashed {
            return;
        }
        match timer {
            ConsumerTimer::GroupHeartbeat => self.on_group_heartbeat(ctx),
            ConsumerTimer::AutoCommit => self.on_auto_commit(ctx),
            ConsumerTimer::CoordinatorBackoffDone => self.on_coordinator_backoff(ctx),
            ConsumerTimer::RequestTimeout { request_id } => {
                if self.metadata.in_flight.is_some_and(|(id, _)| id == request_id) {
                    self.metadata.fail(ctx.now, self.config.retry_backoff_ms);
                    ctx.set_timer(self.config.retry_backoff_ms, ConsumerTimer::MetadataBackoffDone);
                    return;
                }
                let of = |m: &InFlight<_>| m.iter().find(|(_, (id, _))| *id == request_id).map(|(b, _)| *b);
                let broker = self
                    .fetches
                    .iter()
                    .find(|(_, (id, _))| *id == request_id)
                    .map(|(b, _)| *b)
                    .or_else(|| of(&self.validations))
                    .or_else(|| self.list_offsets.iter().find(|(_, (id, _))| *id == request_id).map(|(b, _)| *b));
                if let Some(broker) = broker {
                    self.on_disconnect(broker, ctx);
                }
            }
            ConsumerTimer::FetchTimeout { broker } => {
                let Some((deadline, armed)) = self.fetch_deadlines.get_mut(&broker) else { return };
                *armed = false;
                if self.fetches.contains_key(&broker) {
                    if *deadline <= ctx.now {
                        self.on_disconnect(broker, ctx);
                    } else {
                        *armed = true;
                        ctx.set_timer(*deadline - ctx.now, ConsumerTimer::FetchTimeout { broker });
                    }
                }
            }
            ConsumerTimer::MetadataBackoffDone
            | ConsumerTimer::FetchBackoffDone { .. }
            | ConsumerTimer::RetryBackoffDone => {}
        }
        self.poll(ctx);
    }

    pub fn on_message(&mut self, from: NodeId, message: Message, ctx: &mut Ctx) {
        let NodeId::Broker(broker) = from else { return };
        if self.crashed {
            return;
        }
        match message {
            Message::GroupResponse { request_id, response } => self.on_group_response(request_id, response, ctx),
            Message::MetadataResponse { request_id, leaders, brokers } => {
                if self.metadata.on_response(request_id, &leaders, ctx.now) {
                    // kafka-model §6.2 (d): a preferred replica whose broker metadata no longer lists.
                    let offline: Vec<(PartitionIdx, BrokerId)> = self
                        .positions
                        .iter()
                        .filter_map(|(p, pos)| pos.preferred.map(|(b, _)| (*p, b)))
                        .filter(|(_, b)| !brokers.iter().any(|(id, _)| id == b))
                        .collect();
                    for (p, replica) in offline {
                        self.leave_replica(p, replica, LeftReplica::NotInMetadata, ctx);
                    }
                }
            }
            Message::ListOffsetsResponse { request_id, results } => {
                if self.list_offsets.get(&broker).map(|(id, _)| *id) != Some(request_id) {
                    return;
                }
                let asked = Self::release(&mut self.idle, &mut self.list_offsets, broker);
                for ((p, result), (_, spec)) in results.into_iter().zip(asked) {
                    self.on_list_offset(broker, p, spec, result, ctx);
                }
            }
            Message::OffsetsForLeaderEpochResponse { request_id, results } => {
                if self.validations.get(&broker).map(|(id, _)| *id) != Some(request_id) {
                    return;
                }
                let asked = Self::release(&mut self.idle, &mut self.validations, broker);
                for ((p, result), (_, position)) in results.into_iter().zip(asked) {
                    self.on_epoch_end(broker, p, position, result, ctx);
                }
            }
            Message::FetchResponse { request_id, partitions } => {
                if self.fetches.get(&broker).map(|(id, _)| *id) != Some(request_id) {
                    return;
                }
                let asked = Self::release(&mut self.idle, &mut self.fetches, broker);
                self.backoff_until_ms.remove(&broker);
                let mut all_failed = !partitions.is_empty();
                for ((p, result), (_, fetch_offset)) in partitions.into_iter().zip(asked) {
                    all_failed &= matches!(result, FetchPartitionResult::Error(_));
                    self.on_fetch_result(broker, p, fetch_offset, result, ctx);
                }
                if all_failed {
                    self.back_off(broker, ctx);
                }
            }
            Message::ConnectionClosed => {
                self.on_disconnect(broker, ctx);
                self.on_group_disconnect(broker, ctx);
            }
            _ => return,
        }
        self.poll(ctx);
    }

    /// A lookup failed: retried after `retry.backoff.ms` with fresh metadata (`OffsetFetcher`).
    fn retry_later(&mut self, p: PartitionIdx, ctx: &mut Ctx) {
        if let Some(pos) = self.positions.get_mut(&p) {
            pos.retry_at_ms = ctx.now + self.config.retry_backoff_ms;
        }
        self.metadata.refreshed_ms = None;
        ctx.set_timer(self.config.retry_backoff_ms, ConsumerTimer::RetryBackoffDone);
    }

    /// A ListOffsets answer (`OffsetFetcher.resetPositionsAsync`): the offset becomes the position,
    /// with no epoch, so it is not validated; an answer a seek has made stale is dropped.
    fn on_list_offset(
        &mut self,
        broker: BrokerId,
        p: PartitionIdx,
        spec: OffsetSpec,
        result: Result<Offset, ErrorCode>,
        ctx: &mut Ctx,
    ) {
        let (offset, error) = (result.ok(), result.err());
        let retry_backoff_ms = self.config.retry_backoff_ms;
        let consumer = self.idx;
        let leader = self.metadata.leader(p);
        let pos = self.positions.get_mut(&p).filter(|pos| pos.state == FetchState::AwaitReset(spec));
        let dropped = pos.is_none();
        ctx.emit(EventKind::ConsumerListOffsetsAnswered {
            consumer,
            partition: p,
            broker,
            spec,
            offset,
            error,
            retry_backoff_ms,
            dropped,
        });
        let Some(pos) = pos else {
            return;
        };
        match result {
            Ok(offset) => {
                (pos.position, pos.last_epoch, pos.current_leader) = (Some(offset), None, leader);
                pos.state = FetchState::Fetching;
            }
            Err(_) => self.retry_later(p, ctx),
        }
    }

    /// An OffsetsForLeaderEpoch answer (`SubscriptionState.maybeCompleteValidation`, kafka-model
    /// §6.3): the leader's log ends below the position for the epoch of the last record consumed
    /// (truncation): a reset policy moves the position to that end offset (the first offset known
    /// to diverge), `none` throws `LogTruncationException`; an epoch the leader does not know
    /// resets by the policy, or throws without a divergent offset.
    fn on_epoch_end(&mut self, broker: BrokerId, p: PartitionIdx, position: Offset, result: EpochEnd, ctx: &mut Ctx) {
        let (end, error) = (result.ok().flatten(), result.err());
        let retry_backoff_ms = self.config.retry_backoff_ms;
        let consumer = self.idx;
        let spec = self.reset_spec();
        let pos = self
            .positions
            .get_mut(&p)
            .filter(|pos| pos.state == FetchState::AwaitValidation && pos.position == Some(position));
        let dropped = pos.is_none();
        ctx.emit(EventKind::ConsumerValidated {
            consumer,
            partition: p,
            broker,
            position,
            end,
            error,
            retry_backoff_ms,
            dropped,
        });
        let Some(pos) = pos else {
            return;
        };
        let (to, exception) = match result {
            Err(_) => return self.retry_later(p, ctx),
            Ok(Some((_, end_offset))) if end_offset >= position => {
                pos.state = FetchState::Fetching;
                return;
            }
            Ok(Some((epoch, end_offset))) => match spec {
                Some(_) => {
                    (pos.position, pos.last_epoch, pos.state) = (Some(end_offset), Some(epoch), FetchState::Fetching);
                    (Some(end_offset), None)
                }
                None => (None, Some(Some((epoch, end_offset)))),
            },
            Ok(None) => match spec {
                Some(spec) => {
                    (pos.position, pos.last_epoch, pos.state) = (None, None, FetchState::AwaitReset(spec));
                    (None, None)
                }
                None => (None, Some(None)),
            },
        };
        match exception {
            Some(divergent) => self.fail(p, ConsumerException::LogTruncation, Some(position), divergent, ctx),
            None => ctx.emit(EventKind::ConsumerPositionReset {
                consumer,
                partition: p,
                from: position,
                to,
                why: match to {
                    Some(_) => "truncation: the leader's log ends the epoch of the last record read below it",
                    None => "truncation: the leader knows no epoch as old as that of the last record read",
                },
            }),
        }
    }

    fn on_fetch_result(
        &mut self,
        broker: BrokerId,
        p: PartitionIdx,
        fetch_offset: Offset,
        result: FetchPartitionResult,
        ctx: &mut Ctx,
    ) {
        let leader = self.metadata.leader(p);
        // Metadata that moved on since the fetch was sent may put the position under validation:
        // its records are then not returned (`FetchCollector`: the partition is not fetchable).
        if let Some(leader) = leader {
            self.maybe_validate(p, leader, ctx);
        }
        let leader = leader.map(|(l, _)| l);
        let Some(pos) = self.positions.get_mut(&p) else {
            return;
        };
        // An answer to a fetch from before a seek, a reset or a validation is dropped.
        if pos.state != FetchState::Fetching || pos.position != Some(fetch_offset) {
            return;
        }
        let mut position = fetch_offset;
        match result {
            FetchPartitionResult::Records { batches, high_watermark, .. } => {
                let from = position;
                let mut count = 0u32;
                for batch in &batches {
                    for (i, record) in batch.records.iter().enumerate() {
                        let offset = batch.base_offset + i as u64;
                        if offset < position || offset >= high_watermark {
                            continue;
                        }
                        ctx.observe(Observation::Consumed {
                            consumer: self.idx,
                            partition: p,
                            offset,
                            record: record.id,
                            from: broker,
                        });
                        if self.received.len() == self.received_kept {
                            self.received.drop_front(1);
                        }
                        self.received.push(Delivered {
                            partition: p,
                            offset,
                            record: record.clone(),
                            from: broker,
                            at_ms: ctx.now,
                        });
                        self.received_total += 1;
                        position = offset + 1;
                        pos.last_epoch = Some(batch.leader_epoch);
                        count += 1;
                    }
                }
                pos.position = Some(position);
                if count > 0 {
                    ctx.emit(EventKind::ConsumerFetched {
                        consumer: self.idx,
                        partition: p,
                        from,
                        count,
                        broker,
                        high_watermark,
                    });
                }
            }
            // Only for a fetch that carries `lastFetchedEpoch`, or a follower's, which a consumer's is not.
            FetchPartitionResult::Diverging { .. } | FetchPartitionResult::OffsetOutOfRange { .. } => {}
            FetchPartitionResult::PreferredReadReplica { broker: replica, .. } => {
                let until = ctx.now + self.config.metadata_max_age_ms;
                pos.preferred = Some((replica, until));
                self.next_lease_end_ms = self.next_lease_end_ms.min(until);
                ctx.emit(EventKind::ConsumerRedirected { consumer: self.idx, partition: p, leader: broker, replica });
            }
            FetchPartitionResult::Error(error) => {
                let from_replica = pos.preferred.is_some_and(|(b, _)| b == broker) && Some(broker) != leader;
                match error {
                    ErrorCode::OffsetOutOfRange if from_replica => {
                        // kafka-model §6.2 (c): back to the leader, no offset reset.
                        self.leave_replica(p, broker, LeftReplica::OffsetOutOfRange, ctx);
                    }
                    ErrorCode::OffsetOutOfRange => self.out_of_range(p, position, ctx),
                    _ => {
                        if from_replica {
                            self.leave_replica(p, broker, LeftReplica::Error(error), ctx);
                        }
                        self.metadata.refreshed_ms = None;
                    }
                }
            }
        }
    }

    /// `OFFSET_OUT_OF_RANGE` from the leader (kafka-model §6.3): a reset by the policy, resolved by
    /// ListOffsets, or `OffsetOutOfRangeException` with `none`.
    fn out_of_range(&mut self, p: PartitionIdx, position: Offset, ctx: &mut Ctx) {
        let (spec, why) = match self.config.auto_offset_reset {
            AutoOffsetReset::Earliest => (OffsetSpec::Earliest, "OFFSET_OUT_OF_RANGE, auto.offset.reset=earliest"),
            AutoOffsetReset::Latest => (OffsetSpec::Latest, "OFFSET_OUT_OF_RANGE, auto.offset.reset=latest"),
            AutoOffsetReset::None => {
                return self.fail(p, ConsumerException::OffsetOutOfRange, Some(position), None, ctx);
            }
        };
        if let Some(pos) = self.positions.get_mut(&p) {
            (pos.position, pos.last_epoch, pos.state) = (None, None, FetchState::AwaitReset(spec));
        }
        ctx.emit(EventKind::ConsumerPositionReset { consumer: self.idx, partition: p, from: position, to: None, why });
    }
}
