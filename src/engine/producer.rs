//! A Kafka producer (kafka-model §5): partitioning, batching with `linger.ms` / `batch.size`, the
//! idempotent sequence numbers, and the retry loop bounded by `delivery.timeout.ms`. One batch per
//! partition is in flight at a time, which keeps per-partition order without modelling the 5
//! in-flight requests of a connection. A `reconfigure_producer` replaces the instance behind the
//! name ([`Producer::reconfigure`]); the batches of the instances before it complete on their own.

use super::command::{Produce, ProducerReconfig};
use super::config::{Acks, ProducerConfig};
use super::connection::{Connections, Readiness, CONNECTION_SETUP_TIMEOUT_MS};
use super::ctx::{Ctx, Observation};
use super::event::EventKind;
use super::ids::*;
use super::limits::LIMITS;
use super::log::{Batch, ProducerStamp, Record};
use super::message::*;
use super::murmur2::partition_for_key;
use super::timer::ProducerTimer;
use super::{insert_sorted, Map};
use std::collections::VecDeque;
use std::rc::Rc;

/// What became of a batch of sends (kafka-model §5.3).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum SendStatus {
    Pending {
        attempts: u32,
        last_error: Option<ErrorCode>,
    },
    /// `base_offset` is `None` for `acks=0`, as Kafka returns -1.
    Acknowledged {
        base_offset: Option<Offset>,
        at_ms: Millis,
        attempts: u32,
    },
    Failed {
        error: ErrorCode,
        at_ms: Millis,
        attempts: u32,
    },
}

/// The client waits this much longer than `request.timeout.ms` before it gives up on a request, so
/// that a broker's own `REQUEST_TIMED_OUT` answer (same timeout, started on arrival) reaches it
/// first, as the outcomes of kafka-model §4.6 and TC-07 describe.
const CLIENT_TIMEOUT_MARGIN_MS: Millis = 1_000;

/// One batch of records and what became of it (kafka-model §5.2).
#[derive(Clone, Debug)]
pub struct SendRecord {
    pub partition: PartitionIdx,
    pub records: Rc<[Record]>,
    pub acks: Acks,
    /// Whether the instance that created it is idempotent: it is then stamped when first sent (or
    /// when that instance is closed, [`Producer::reconfigure`]).
    pub idempotent: bool,
    pub created_ms: Millis,
    pub attempts: u32,
    pub stamp: Option<ProducerStamp>,
    pub status: SendStatus,
}

#[derive(Clone, Debug, Default)]
struct PartitionQueue {
    /// The batch still filling up: its send index and records.
    open: Option<(usize, Vec<Record>, u64)>,
    /// Closed batches waiting to be sent, oldest first (send indexes).
    ready: VecDeque<usize>,
    in_flight: Option<u64>,
    retry_at_ms: Millis,
    next_sequence: u32,
}

/// Metadata as a client holds it: leader and epoch per partition (kafka-model §5.5).
#[derive(Clone, Debug, Default)]
pub struct ClientMetadata {
    pub leaders: Map<PartitionIdx, (Option<BrokerId>, LeaderEpoch)>,
    /// `bootstrap.servers`, tried in turn.
    pub brokers: Vec<BrokerId>,
    next_broker: usize,
    pub in_flight: Option<(u64, BrokerId)>,
    pub refreshed_ms: Option<Millis>,
    backoff_until_ms: Millis,
}

impl ClientMetadata {
    pub fn new(brokers: Vec<BrokerId>, first: usize) -> Self {
        ClientMetadata { brokers, next_broker: first, ..Default::default() }
    }

    pub fn leader(&self, p: PartitionIdx) -> Option<(BrokerId, LeaderEpoch)> {
        self.leaders.get(&p).and_then(|(l, e)| l.map(|l| (l, *e)))
    }

    /// Keeps the newer of two views of a partition (clients ignore metadata with an older leader
    /// epoch, KIP-320).
    pub fn update(&mut self, leader: &PartitionLeader) {
        let newer = self.leaders.get(&leader.partition).is_none_or(|(_, e)| leader.leader_epoch >= *e);
        if newer {
            self.leaders.insert(leader.partition, (leader.leader, leader.leader_epoch));
        }
    }

    /// Asks the next broker for metadata unless a request is already out (`leastLoadedNode`,
    /// approximated by turns). Returns the request to send.
    pub fn request(&mut self, request_id: u64, now: Millis) -> Option<BrokerId> {
        if self.in_flight.is_some() || now < self.backoff_until_ms || self.brokers.is_empty() {
            return None;
        }
        let broker = self.brokers[self.next_broker % self.brokers.len()];
        self.next_broker += 1;
        self.in_flight = Some((request_id, broker));
        Some(broker)
    }

    /// The request failed or gave no answer: try another broker after `retry.backoff.ms`.
    pub fn fail(&mut self, now: Millis, backoff_ms: Millis) {
        self.in_flight = None;
        self.backoff_until_ms = now + backoff_ms;
    }

    pub fn on_response(&mut self, request_id: u64, leaders: &[PartitionLeader], now: Millis) -> bool {
        if self.in_flight.map(|(id, _)| id) != Some(request_id) {
            return false;
        }
        self.in_flight = None;
        self.refreshed_ms = Some(now);
        for l in leaders {
            self.update(l);
        }
        true
    }

    pub fn is_stale(&self, now: Millis, max_age_ms: Millis) -> bool {
        self.refreshed_ms.is_none_or(|t| now >= t + max_age_ms)
    }
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub idx: ClientIdx,
    pub name: String,
    pub config: ProducerConfig,
    /// Decided when the instance is created, from `enable.idempotence` and `acks` (kafka-model §5.6).
    pub idempotent: bool,
    /// The current instance's; earlier instances' batches carry theirs in their stamps.
    pub producer_id: u64,
    pub producer_epoch: u16,
    pub metadata: ClientMetadata,
    pub sends: Vec<SendRecord>,
    queues: Map<PartitionIdx, PartitionQueue>,
    /// Request id -> (partition, broker, send index).
    in_flight: Map<u64, (PartitionIdx, BrokerId, usize)>,
    /// Which brokers a request can go to now (kafka-model §5.2: none without a connection).
    connections: Connections,
    /// Sticky partition per topic for null keys and the bytes sent to it (kafka-model §5.1 rule 4).
    sticky: Map<TopicIdx, (PartitionIdx, u64)>,
    next_record: u64,
    next_request: u64,
    /// Instances closed by `reconfigure_producer` so far.
    closed_instances: u64,
}

/// A producer id no other producer or instance has: ids come from the cluster in Kafka; any unique
/// value does here (at most `clients_max` producers, each instance a new id).
fn producer_id(idx: ClientIdx, closed_instances: u64) -> u64 {
    1000 + idx.0 as u64 + closed_instances * LIMITS.clients_max as u64
}

impl Producer {
    pub fn new(idx: ClientIdx, name: String, config: ProducerConfig, brokers: Vec<BrokerId>) -> Self {
        let first = idx.0 as usize;
        Producer {
            idx,
            name,
            idempotent: config.idempotent(),
            config,
            producer_id: producer_id(idx, 0),
            producer_epoch: 0,
            metadata: ClientMetadata::new(brokers, first),
            sends: Vec::new(),
            queues: Map::new(),
            in_flight: Map::new(),
            connections: Connections::default(),
            sticky: Map::new(),
            next_record: 0,
            next_request: 0,
            closed_instances: 0,
        }
    }

    pub fn pending_records(&self) -> u64 {
        self.sends
            .iter()
            .filter(|s| matches!(s.status, SendStatus::Pending { .. }))
            .map(|s| s.records.len() as u64)
            .sum::<u64>()
            + self.queues.values().filter_map(|q| q.open.as_ref()).map(|(_, r, _)| r.len() as u64).sum::<u64>()
    }

    /// Brokers with a request of ours in flight.
    pub fn talking_to(&self) -> Vec<BrokerId> {
        let mut b = Vec::new();
        for (_, broker, _) in self.in_flight.values() {
            insert_sorted(&mut b, *broker);
        }
        b
    }

    /// `close()` and a new `KafkaProducer` with `change` applied to the config (the semantics are
    /// [`Command::ReconfigureProducer`](super::Command::ReconfigureProducer)'s): the batches filling
    /// up are closed, every pending batch of the old instance keeps its `acks` and is stamped now
    /// with the old producer id and its next sequences if that instance was idempotent, and the new
    /// instance starts with a new producer id, epoch 0 and every sequence at 0 (kafka-model §5.6).
    pub fn reconfigure(&mut self, change: &ProducerReconfig, ctx: &mut Ctx) {
        let open: Vec<PartitionIdx> = self.queues.iter().filter(|(_, q)| q.open.is_some()).map(|(p, _)| *p).collect();
        for p in &open {
            self.close_batch(*p);
        }
        let (pid, epoch) = (self.producer_id, self.producer_epoch);
        let mut pending_records = 0;
        // `ready` holds a partition's pending batches in order, the one in flight first.
        for (_, q) in self.queues.iter_mut() {
            for &send in &q.ready {
                let s = &mut self.sends[send];
                pending_records += s.records.len() as u64;
                if s.idempotent && s.stamp.is_none() {
                    s.stamp =
                        Some(ProducerStamp { producer_id: pid, producer_epoch: epoch, base_sequence: q.next_sequence });
                    q.next_sequence += s.records.len() as u32;
                }
            }
            q.next_sequence = 0;
        }
        if let Some(acks) = change.acks {
            self.config.acks = acks;
        }
        self.config.enable_idempotence = change.enable_idempotence;
        self.idempotent = self.config.idempotent();
        self.closed_instances += 1;
        self.producer_id = producer_id(self.idx, self.closed_instances);
        self.producer_epoch = 0;
        // A new instance has its own sticky partitions (kafka-model §5.1 rule 4).
        self.sticky = Map::new();
        ctx.emit(EventKind::ProducerReconfigured {
            producer: self.idx,
            acks: self.config.acks,
            enable_idempotence: self.config.enable_idempotence,
            producer_id: self.idempotent.then_some(self.producer_id),
            pending_records,
        });
        // close() sends what it closed without waiting for `linger.ms`.
        for p in open {
            self.try_send(p, ctx);
        }
    }

    /// `producer.send()` `count` times (kafka-model §5.1–5.2).
    pub fn send(&mut self, produce: &Produce, topic: TopicIdx, ctx: &mut Ctx) {
        let text = Record::text(produce.key.as_deref(), &produce.value);
        let mut touched = Vec::new();
        for _ in 0..produce.count {
            let id = ((self.idx.0 as u64 + 1) << 40) | self.next_record;
            self.next_record += 1;
            let record = Record::new(id, &text);
            let partition = self.choose_partition(produce, topic, &record, ctx);
            self.append(partition, record, ctx);
            insert_sorted(&mut touched, partition);
        }
        for p in touched {
            self.try_send(p, ctx);
        }
    }

    fn choose_partition(&mut self, produce: &Produce, topic: TopicIdx, record: &Record, ctx: &mut Ctx) -> PartitionIdx {
        let partitions = &ctx.catalog.topics[topic.0 as usize].partitions;
        if let Some(n) = produce.partition {
            return partitions[n as usize];
        }
        if let Some(key) = record.key() {
            return partitions[partition_for_key(key.as_bytes(), partitions.len() as u32) as usize];
        }
        // Strictly uniform sticky partitioning (KIP-794), simplified as kafka-model §5.1 allows:
        // a random partition with a leader, switched after `batch.size` bytes.
        let batch_size = self.config.batch_size;
        match self.sticky.get_mut(&topic) {
            Some((p, bytes)) if *bytes < batch_size => {
                *bytes += record.size_bytes();
                *p
            }
            _ => {
                let with_leader: Vec<PartitionIdx> =
                    partitions.iter().copied().filter(|p| self.metadata.leader(*p).is_some()).collect();
                let pool = if with_leader.is_empty() { partitions.clone() } else { with_leader };
                let p = pool[ctx.random_below(pool.len() as u64) as usize];
                self.sticky.insert(topic, (p, record.size_bytes()));
                p
            }
        }
    }

    fn append(&mut self, partition: PartitionIdx, record: Record, ctx: &mut Ctx) {
        let size = record.size_bytes();
        let batch_size = self.config.batch_size;
        let q = self.queues.entry(partition).or_default();
        if q.open.is_none() {
            let send = self.sends.len();
            self.sends.push(SendRecord {
                partition,
                records: Rc::from(Vec::new()),
                acks: self.config.acks,
                idempotent: self.idempotent,
                created_ms: ctx.now,
                attempts: 0,
                stamp: None,
                status: SendStatus::Pending { attempts: 0, last_error: None },
            });
            q.open = Some((send, Vec::new(), 0));
            ctx.set_timer(self.config.linger_ms, ProducerTimer::Linger { partition, batch: send as u64 });
            ctx.set_timer(self.config.delivery_timeout_ms, ProducerTimer::DeliveryTimeout { batch: send as u64 });
        }
        let (_, records, bytes) = q.open.as_mut().expect("open batch");
        records.push(record);
        *bytes += size;
        if *bytes >= batch_size {
            self.close_batch(partition);
        }
    }

    fn close_batch(&mut self, partition: PartitionIdx) {
        let q = self.queues.get_mut(&partition).expect("queue");
        if let Some((send, records, _)) = q.open.take() {
            self.sends[send].records = Rc::from(records);
            q.ready.push_back(send);
        }
    }

    fn next_request_id(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }

    fn request_metadata(&mut self, ctx: &mut Ctx) {
        let id = self.next_request + 1;
        if let Some(broker) = self.metadata.request(id, ctx.now) {
            self.next_request = id;
            ctx.send(NodeId::Broker(broker), Message::Metadata { request_id: id });
            ctx.set_timer(self.config.request_timeout_ms, ProducerTimer::RequestTimeout { request_id: id });
        }
    }

    /// Sends the oldest ready batch of a partition if nothing is in flight there.
    fn try_send(&mut self, partition: PartitionIdx, ctx: &mut Ctx) {
        if self.metadata.is_stale(ctx.now, self.config.metadata_max_age_ms) {
            self.request_metadata(ctx);
        }
        loop {
            let Some(q) = self.queues.get(&partition) else {
                return;
            };
            if q.in_flight.is_some() || ctx.now < q.retry_at_ms {
                return;
            }
            let Some(&send) = q.ready.front() else { return };
            let Some((leader, _)) = self.metadata.leader(partition) else {
                self.request_metadata(ctx);
                return;
            };
            // `Sender.sendProducerData`: a broker whose connection is not ready gets no request; the
            // batch waits in the accumulator and counts no attempt.
            match self.connections.readiness(leader, ctx.now) {
                Readiness::Ready => {}
                Readiness::Wait => return,
                Readiness::Connect => {
                    self.connect(leader, ctx);
                    return;
                }
            }
            let request_id = self.next_request_id();
            let (pid, epoch) = (self.producer_id, self.producer_epoch);
            let q = self.queues.get_mut(&partition).expect("queue");
            let s = &mut self.sends[send];
            // Only the current instance's batches are unstamped here: `reconfigure` stamps the
            // closed ones' (kafka-model §5.6: the sequence is assigned when a batch is first sent).
            if s.idempotent && s.stamp.is_none() {
                s.stamp =
                    Some(ProducerStamp { producer_id: pid, producer_epoch: epoch, base_sequence: q.next_sequence });
                q.next_sequence += s.records.len() as u32;
            }
            s.attempts += 1;
            s.status = SendStatus::Pending { attempts: s.attempts, last_error: status_error(&s.status) };
            let size_bytes = s.records.iter().map(Record::size_bytes).sum();
            let batch =
                Batch { base_offset: 0, leader_epoch: 0, producer: s.stamp, records: s.records.clone(), size_bytes };
            let acks = s.acks;
            let timeout_ms = self.config.request_timeout_ms;
            ctx.send(
                NodeId::Broker(leader),
                Message::Produce(ProduceRequest { request_id, partition, acks, timeout_ms, batch }),
            );
            if acks == Acks::None {
                // kafka-model §5.3: success as soon as the bytes are on the socket, offset -1.
                q.ready.pop_front();
                self.acknowledge(send, None, ctx);
                continue;
            }
            q.in_flight = Some(request_id);
            self.in_flight.insert(request_id, (partition, leader, send));
            ctx.set_timer(timeout_ms + CLIENT_TIMEOUT_MARGIN_MS, ProducerTimer::RequestTimeout { request_id });
            return;
        }
    }

    /// Starts a connection to `broker`: its handshake, bounded by `socket.connection.setup.timeout.ms`.
    fn connect(&mut self, broker: BrokerId, ctx: &mut Ctx) {
        let request_id = self.next_request_id();
        self.connections.connecting(broker, request_id);
        ctx.send(NodeId::Broker(broker), Message::ApiVersions { request_id });
        ctx.set_timer(CONNECTION_SETUP_TIMEOUT_MS, ProducerTimer::ConnectTimeout { broker, request_id });
    }

    /// A connection attempt failed (`request_id: None`: refused, whichever attempt it was). Like
    /// `NetworkClient`, the producer refreshes metadata (the disconnect may mean stale metadata) and
    /// tries again after `reconnect.backoff.ms`. The first failure in a row is an event; the ones
    /// after it, until a connection succeeds, are what that event announced.
    fn connection_failed(&mut self, broker: BrokerId, request_id: Option<u64>, ctx: &mut Ctx) {
        let Some((retry_in_ms, failures)) = self.connections.failed(broker, request_id, ctx.now) else {
            return;
        };
        if failures == 1 {
            let timed_out = request_id.is_some();
            ctx.emit(EventKind::ProducerConnectionFailed { producer: self.idx, broker, timed_out });
        }
        ctx.set_timer(retry_in_ms, ProducerTimer::ReconnectBackoffDone { broker });
        self.metadata.refreshed_ms = None;
        self.request_metadata(ctx);
    }

    /// Sends what waits for `broker` (its connection became ready, or may be tried again).
    fn send_waiting_for(&mut self, broker: BrokerId, ctx: &mut Ctx) {
        let waiting: Vec<PartitionIdx> = self
            .queues
            .iter()
            .filter(|(p, q)| !q.ready.is_empty() && self.metadata.leader(**p).is_some_and(|(l, _)| l == broker))
            .map(|(p, _)| *p)
            .collect();
        for p in waiting {
            self.try_send(p, ctx);
        }
    }

    fn acknowledge(&mut self, send: usize, base_offset: Option<Offset>, ctx: &mut Ctx) {
        let s = &mut self.sends[send];
        s.status = SendStatus::Acknowledged { base_offset, at_ms: ctx.now, attempts: s.attempts };
        let count = s.records.len() as u32;
        let (partition, acks, first_record) = (s.partition, s.acks, s.records[0].id);
        ctx.emit(EventKind::ProduceAcked {
            producer: self.idx,
            partition,
            base_offset,
            count,
            acks,
            attempts: s.attempts,
        });
        ctx.observe(Observation::Acknowledged { partition, base_offset, first_record, count, acks });
    }

    fn fail(&mut self, send: usize, error: ErrorCode, ctx: &mut Ctx) {
        let s = &mut self.sends[send];
        s.status = SendStatus::Failed { error, at_ms: ctx.now, attempts: s.attempts };
        let partition = s.partition;
        ctx.emit(EventKind::ProduceFailed { producer: self.idx, partition, count: s.records.len() as u32, error });
        if let Some(q) = self.queues.get_mut(&partition) {
            q.ready.retain(|x| *x != send);
            if q.open.as_ref().is_some_and(|(x, _, _)| *x == send) {
                let (_, records, _) = q.open.take().expect("open");
                self.sends[send].records = Rc::from(records);
            }
        }
    }

    pub fn on_timer(&mut self, timer: ProducerTimer, ctx: &mut Ctx) {
        match timer {
            ProducerTimer::Linger { partition, batch }
                if self
                    .queues
                    .get(&partition)
                    .and_then(|q| q.open.as_ref())
                    .is_some_and(|(s, _, _)| *s as u64 == batch) =>
            {
                self.close_batch(partition);
                self.try_send(partition, ctx);
            }
            ProducerTimer::RetryBackoffDone { partition } => self.try_send(partition, ctx),
            ProducerTimer::RequestTimeout { request_id } => {
                if self.metadata.in_flight.is_some_and(|(id, _)| id == request_id) {
                    self.metadata.fail(ctx.now, self.config.retry_backoff_ms);
                    ctx.set_timer(self.config.retry_backoff_ms, ProducerTimer::MetadataBackoffDone);
                } else if let Some(&(_, broker, _)) = self.in_flight.get(&request_id) {
                    // kafka-model §5.4, `NetworkClient.handleTimedOutRequests`: the client closes the
                    // connection and `Sender` fails every request in flight on it with
                    // REQUEST_TIMED_OUT (retriable), then refreshes metadata (§5.5).
                    let requests = self.in_flight.values().filter(|(_, b, _)| *b == broker).count() as u32;
                    let request_timeout_ms = self.config.request_timeout_ms;
                    ctx.emit(EventKind::ProducerRequestTimedOut {
                        producer: self.idx,
                        broker,
                        request_timeout_ms,
                        requests,
                    });
                    self.disconnected(broker, ErrorCode::RequestTimedOut, ctx);
                }
            }
            ProducerTimer::MetadataBackoffDone => {
                self.request_metadata(ctx);
            }
            ProducerTimer::ConnectTimeout { broker, request_id } => {
                self.connection_failed(broker, Some(request_id), ctx);
            }
            ProducerTimer::ReconnectBackoffDone { broker } => self.send_waiting_for(broker, ctx),
            ProducerTimer::DeliveryTimeout { batch } => {
                let send = batch as usize;
                if !matches!(self.sends[send].status, SendStatus::Pending { .. }) {
                    return;
                }
                // KIP-91: expire the batch, in flight or not.
                let partition = self.sends[send].partition;
                if let Some((id, _)) = self.in_flight.iter().find(|(_, (_, _, s))| *s == send).map(|(id, v)| (*id, *v))
                {
                    self.in_flight.remove(&id);
                    if let Some(q) = self.queues.get_mut(&partition) {
                        q.in_flight = None;
                    }
                }
                self.fail(send, ErrorCode::DeliveryTimeout, ctx);
                self.try_send(partition, ctx);
            }
            // The batch this linger was for already went (full, or closed by a reconfiguration).
            ProducerTimer::Linger { .. } => {}
        }
    }

    pub fn on_message(&mut self, from: NodeId, message: Message, ctx: &mut Ctx) {
        match message {
            Message::ProduceResponse { request_id, result, .. } => match result {
                ProduceResult::Appended { base_offset } => {
                    let Some((partition, _, send)) = self.in_flight.remove(&request_id) else {
                        return;
                    };
                    let q = self.queues.get_mut(&partition).expect("queue");
                    q.in_flight = None;
                    q.ready.retain(|x| *x != send);
                    self.acknowledge(send, Some(base_offset), ctx);
                    self.try_send(partition, ctx);
                }
                ProduceResult::Error { error, leader_hint, shortfall } => {
                    self.on_error(request_id, error, leader_hint, shortfall, ctx)
                }
            },
            Message::MetadataResponse { request_id, leaders, .. }
                if self.metadata.on_response(request_id, &leaders, ctx.now) =>
            {
                let waiting: Vec<PartitionIdx> =
                    self.queues.iter().filter(|(_, q)| !q.ready.is_empty()).map(|(p, _)| *p).collect();
                if waiting.iter().any(|p| self.metadata.leader(*p).is_none()) {
                    // LEADER_NOT_AVAILABLE: ask again after a backoff.
                    self.metadata.fail(ctx.now, self.config.retry_backoff_ms);
                    self.metadata.refreshed_ms = None;
                    ctx.set_timer(self.config.retry_backoff_ms, ProducerTimer::MetadataBackoffDone);
                }
                for p in waiting {
                    self.try_send(p, ctx);
                }
            }
            Message::ApiVersionsResponse { request_id } => {
                let NodeId::Broker(broker) = from else { return };
                if self.connections.connected(broker, request_id) {
                    self.send_waiting_for(broker, ctx);
                }
            }
            Message::ConnectionClosed => {
                let NodeId::Broker(broker) = from else { return };
                if self.connections.is_connecting(broker) {
                    // Connection refused: no request was created.
                    self.connection_failed(broker, None, ctx);
                    return;
                }
                self.disconnected(broker, ErrorCode::NetworkException, ctx);
            }
            _ => {}
        }
    }

    /// The ready connection to `broker` closed: every request in flight on it fails with `error`.
    fn disconnected(&mut self, broker: BrokerId, error: ErrorCode, ctx: &mut Ctx) {
        self.connections.closed(broker, ctx.now);
        if self.metadata.in_flight.is_some_and(|(_, b)| b == broker) {
            self.metadata.fail(ctx.now, self.config.retry_backoff_ms);
            ctx.set_timer(self.config.retry_backoff_ms, ProducerTimer::MetadataBackoffDone);
        }
        let lost: Vec<u64> = self.in_flight.iter().filter(|(_, (_, b, _))| *b == broker).map(|(id, _)| *id).collect();
        for id in lost {
            self.on_error(id, error, None, None, ctx);
        }
        // acks=0 sends are not in flight; a closed connection still means stale metadata.
        self.metadata.refreshed_ms = None;
        self.request_metadata(ctx);
    }

    /// `Sender.completeBatch` for an error (kafka-model §5.4): retry after a backoff, refreshing
    /// metadata where the error says it is stale, until `delivery.timeout.ms`.
    /// `shortfall` is what the leader saw for `NOT_ENOUGH_REPLICAS(_AFTER_APPEND)`, passed to the event.
    fn on_error(
        &mut self,
        request_id: u64,
        error: ErrorCode,
        leader_hint: Option<PartitionLeader>,
        shortfall: Option<IsrShortfall>,
        ctx: &mut Ctx,
    ) {
        let Some((partition, broker, send)) = self.in_flight.remove(&request_id) else {
            return;
        };
        let q = self.queues.get_mut(&partition).expect("queue");
        q.in_flight = None;
        let mut refresh = matches!(
            error,
            ErrorCode::NotLeaderOrFollower
                | ErrorCode::NetworkException
                | ErrorCode::LeaderNotAvailable
                | ErrorCode::UnknownLeaderEpoch
        );
        if let Some(hint) = leader_hint.filter(|h| h.leader.is_some()) {
            // KIP-951: the new leader comes with the error.
            let before = self.metadata.leader(partition);
            self.metadata.update(&hint);
            refresh &= self.metadata.leader(partition) == before;
        }
        let current_instance = self.sends[send].stamp.is_some_and(|st| st.producer_id == self.producer_id);
        if error == ErrorCode::OutOfOrderSequenceNumber && current_instance {
            // KIP-360 style recovery: a new producer epoch restarts every sequence at 0; batches not
            // in flight are stamped again when sent. A closed instance's batch does not recover
            // (the application closed it): it is retried as it is until `delivery.timeout.ms`.
            self.producer_epoch += 1;
            for q in self.queues.iter_mut().map(|(_, v)| v) {
                q.next_sequence = 0;
            }
            let in_flight: Vec<usize> = self.in_flight.values().map(|(_, _, s)| *s).collect();
            let pid = self.producer_id;
            for (i, s) in self.sends.iter_mut().enumerate() {
                let ours = s.stamp.is_some_and(|st| st.producer_id == pid);
                if matches!(s.status, SendStatus::Pending { .. }) && ours && !in_flight.contains(&i) {
                    s.stamp = None;
                }
            }
        }
        let s = &mut self.sends[send];
        s.status = SendStatus::Pending { attempts: s.attempts, last_error: Some(error) };
        let attempts = s.attempts;
        ctx.emit(EventKind::ProduceRetried {
            producer: self.idx,
            partition,
            error,
            attempt: attempts,
            broker: Some(broker),
            shortfall,
        });
        if refresh {
            self.metadata.refreshed_ms = None;
            self.request_metadata(ctx);
        }
        // `retry.backoff.ms` doubling up to `retry.backoff.max.ms` (KIP-580), without jitter.
        let exp = attempts.saturating_sub(1).min(16);
        let backoff = (self.config.retry_backoff_ms << exp).min(self.config.retry_backoff_max_ms);
        self.queues.get_mut(&partition).expect("queue").retry_at_ms = ctx.now + backoff;
        ctx.set_timer(backoff, ProducerTimer::RetryBackoffDone { partition });
    }
}

fn status_error(status: &SendStatus) -> Option<ErrorCode> {
    match status {
        SendStatus::Pending { last_error, .. } => *last_error,
        _ => None,
    }
}
