//! A Kafka consumer with manually assigned partitions (groups come later): positions, fetching from
//! the leader or the closest in-sync replica (KIP-392, kafka-model §6.2), and truncation detection
//! (kafka-model §6.3).

use super::config::{AutoOffsetReset, ConsumerConfig};
use super::ctx::{Ctx, Observation};
use super::event::{EventKind, LeftReplica};
use super::ids::*;
use super::log::Record;
use super::message::*;
use super::producer::ClientMetadata;
use super::timer::ConsumerTimer;
use super::{insert_sorted, Map};
use std::collections::VecDeque;

#[derive(Clone, Debug, Default)]
pub struct PartitionPosition {
    /// Next offset to read; `None` until `auto.offset.reset` resolved it.
    pub position: Option<Offset>,
    /// Leader epoch of the last record consumed (sent as `lastFetchedEpoch`, KIP-320).
    pub last_epoch: Option<LeaderEpoch>,
    /// KIP-392 preferred read replica and the end of its lease.
    pub preferred: Option<(BrokerId, Millis)>,
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

#[derive(Clone, Debug)]
pub struct Consumer {
    pub idx: ClientIdx,
    pub name: String,
    pub config: ConsumerConfig,
    pub metadata: ClientMetadata,
    pub positions: Map<PartitionIdx, PartitionPosition>,
    pub received: VecDeque<Delivered>,
    pub received_total: u64,
    received_kept: usize,
    /// Broker -> (request id, partitions) of the fetch in flight there.
    fetches: Map<BrokerId, (u64, Vec<PartitionIdx>)>,
    /// Broker -> when the fetch in flight there times out, and whether a `FetchTimeout` is on the
    /// agenda. One at a time: fetches end long before they time out, so a timer per fetch would
    /// keep `request.timeout.ms` worth of them waiting.
    fetch_deadlines: Map<BrokerId, (Millis, bool)>,
    /// Broker -> (request id, partitions) of the ListOffsets in flight there.
    list_offsets: Map<BrokerId, (u64, Vec<PartitionIdx>)>,
    /// Subscribed partitions that no request in flight holds.
    idle: Map<PartitionIdx, ()>,
    /// When the earliest preferred-replica lease ends.
    next_lease_end_ms: Millis,
    /// Per broker: when the reconnect backoff ends and how many failures in a row set it.
    backoff_until_ms: Map<BrokerId, (Millis, u32)>,
    next_request: u64,
}

/// `reconnect.backoff.ms` and `reconnect.backoff.max.ms`: a failing broker is retried after
/// 50 ms, doubling up to 1 s (without Kafka's jitter).
const RECONNECT_BACKOFF_MS: Millis = 50;
const RECONNECT_BACKOFF_MAX_MS: Millis = 1_000;

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
            received: VecDeque::new(),
            received_total: 0,
            fetches: Map::new(),
            fetch_deadlines: Map::new(),
            list_offsets: Map::new(),
            idle: Map::new(),
            next_lease_end_ms: Millis::MAX,
            backoff_until_ms: Map::new(),
            next_request: 0,
        }
    }

    fn next_request_id(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }

    pub fn talking_to(&self) -> Vec<BrokerId> {
        let mut b = Vec::new();
        for id in self.fetches.keys().chain(self.list_offsets.keys()) {
            insert_sorted(&mut b, *id);
        }
        b
    }

    /// Where the next fetch of `p` goes: the preferred replica while its lease lasts, else the leader.
    pub fn fetch_target(&self, p: PartitionIdx, now: Millis) -> Option<BrokerId> {
        let pos = self.positions.get(&p)?;
        self.metadata.leader(p).map(|(leader, _)| pos.read_from(leader, now))
    }

    pub fn subscribe(&mut self, partitions: &[PartitionIdx], ctx: &mut Ctx) {
        for p in partitions {
            let position = match self.config.auto_offset_reset {
                AutoOffsetReset::Earliest => Some(0),
                AutoOffsetReset::Latest => None,
            };
            if !self.positions.contains_key(p) {
                self.positions.insert(*p, PartitionPosition { position, ..Default::default() });
                self.idle.insert(*p, ());
            }
        }
        self.poll(ctx);
    }

    fn request_metadata(&mut self, ctx: &mut Ctx) {
        let id = self.next_request + 1;
        if let Some(broker) = self.metadata.request(id, ctx.now) {
            self.next_request = id;
            ctx.send(NodeId::Broker(broker), Message::Metadata { request_id: id });
            ctx.set_timer(self.config.request_timeout_ms, ConsumerTimer::RequestTimeout { request_id: id });
        }
    }

    /// The poll loop: resolve positions, then one fetch per broker for the partitions it serves.
    /// Only partitions that no request holds are looked at, so a poll after one broker answers costs
    /// what that broker's partitions cost, not what the whole subscription costs.
    pub fn poll(&mut self, ctx: &mut Ctx) {
        if self.positions.is_empty() {
            return;
        }
        let now = ctx.now;
        if self.metadata.is_stale(now, self.config.metadata_max_age_ms) {
            self.request_metadata(ctx);
        }
        if now >= self.next_lease_end_ms {
            self.end_leases(ctx);
        }
        let mut fetch_plan: Map<BrokerId, Vec<FetchPartition>> = Map::new();
        let mut list_plan: Map<BrokerId, Vec<(PartitionIdx, LeaderEpoch)>> = Map::new();
        let mut missing_leader = false;
        for (p, ()) in self.idle.iter() {
            let pos = &self.positions[p];
            let Some((leader, epoch)) = self.metadata.leader(*p) else {
                missing_leader = true;
                continue;
            };
            match pos.position {
                None if !self.list_offsets.contains_key(&leader) && !self.backing_off(leader, now) => {
                    list_plan.entry(leader).or_default().push((*p, epoch))
                }
                None => {}
                Some(offset) => {
                    let target = pos.read_from(leader, now);
                    if self.fetches.contains_key(&target) || self.backing_off(target, now) {
                        continue;
                    }
                    fetch_plan.entry(target).or_default().push(FetchPartition {
                        partition: *p,
                        current_leader_epoch: epoch,
                        fetch_offset: offset,
                        last_fetched_epoch: pos.last_epoch,
                    });
                }
            }
        }
        if missing_leader {
            self.request_metadata(ctx);
        }
        for (broker, partitions) in list_plan {
            let request_id = self.next_request_id();
            let held: Vec<PartitionIdx> = partitions.iter().map(|(p, _)| *p).collect();
            for p in &held {
                self.idle.remove(p);
            }
            self.list_offsets.insert(broker, (request_id, held));
            ctx.send(NodeId::Broker(broker), Message::ListOffsets { request_id, partitions });
            ctx.set_timer(self.config.request_timeout_ms, ConsumerTimer::RequestTimeout { request_id });
        }
        for (broker, partitions) in fetch_plan {
            let request_id = self.next_request_id();
            let held: Vec<PartitionIdx> = partitions.iter().map(|p| p.partition).collect();
            for p in &held {
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

    /// The request to `broker` is over (answered or failed): its partitions can be fetched again.
    fn release(&mut self, broker: BrokerId) {
        for (_, partitions) in self.fetches.remove(&broker).into_iter().chain(self.list_offsets.remove(&broker)) {
            for p in partitions {
                self.idle.insert(p, ());
            }
        }
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
        self.release(broker);
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
        match timer {
            ConsumerTimer::RequestTimeout { request_id } => {
                if self.metadata.in_flight.is_some_and(|(id, _)| id == request_id) {
                    self.metadata.fail(ctx.now, self.config.retry_backoff_ms);
                    ctx.set_timer(self.config.retry_backoff_ms, ConsumerTimer::MetadataBackoffDone);
                    return;
                }
                let broker = self
                    .fetches
                    .iter()
                    .find(|(_, (id, _))| *id == request_id)
                    .map(|(b, _)| *b)
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
            ConsumerTimer::MetadataBackoffDone | ConsumerTimer::FetchBackoffDone { .. } => {}
        }
        self.poll(ctx);
    }

    pub fn on_message(&mut self, from: NodeId, message: Message, ctx: &mut Ctx) {
        let NodeId::Broker(broker) = from else { return };
        match message {
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
                self.release(broker);
                let mut failed = false;
                for (p, result) in results {
                    match (result, self.positions.get_mut(&p)) {
                        (Ok(offset), Some(pos)) if pos.position.is_none() => pos.position = Some(offset),
                        (Err(_), _) => failed = true,
                        _ => {}
                    }
                }
                if failed {
                    self.metadata.refreshed_ms = None;
                    self.back_off(broker, ctx);
                }
            }
            Message::FetchResponse { request_id, partitions } => {
                if self.fetches.get(&broker).map(|(id, _)| *id) != Some(request_id) {
                    return;
                }
                self.release(broker);
                self.backoff_until_ms.remove(&broker);
                let mut all_failed = !partitions.is_empty();
                for (p, result) in partitions {
                    all_failed &= matches!(result, FetchPartitionResult::Error(_));
                    self.on_fetch_result(broker, p, result, ctx);
                }
                if all_failed {
                    self.back_off(broker, ctx);
                }
            }
            Message::ConnectionClosed => self.on_disconnect(broker, ctx),
            _ => return,
        }
        self.poll(ctx);
    }

    fn on_fetch_result(&mut self, broker: BrokerId, p: PartitionIdx, result: FetchPartitionResult, ctx: &mut Ctx) {
        let leader = self.metadata.leader(p).map(|(l, _)| l);
        let Some(pos) = self.positions.get_mut(&p) else {
            return;
        };
        let Some(mut position) = pos.position else {
            return;
        };
        match result {
            FetchPartitionResult::Records { batches, high_watermark } => {
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
                            self.received.pop_front();
                        }
                        self.received.push_back(Delivered {
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
            FetchPartitionResult::Diverging { epoch, end_offset } => {
                // Truncation detected (kafka-model §6.3): continue from the first offset that diverges.
                let to = end_offset.min(position);
                pos.position = Some(to);
                pos.last_epoch = epoch;
                ctx.emit(EventKind::ConsumerPositionReset {
                    consumer: self.idx,
                    partition: p,
                    from: position,
                    to: Some(to),
                    why: "log truncation detected: the leader's log ends earlier for the epoch of the last record read",
                });
            }
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
                    ErrorCode::OffsetOutOfRange => {
                        let (to, why) = match self.config.auto_offset_reset {
                            AutoOffsetReset::Earliest => (Some(0), "OFFSET_OUT_OF_RANGE, auto.offset.reset=earliest"),
                            AutoOffsetReset::Latest => (None, "OFFSET_OUT_OF_RANGE, auto.offset.reset=latest"),
                        };
                        pos.position = to;
                        ctx.emit(EventKind::ConsumerPositionReset {
                            consumer: self.idx,
                            partition: p,
                            from: position,
                            to,
                            why,
                        });
                    }
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
}
