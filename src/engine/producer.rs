//! A Kafka producer (kafka-model §5): partitioning, batching with `linger.ms` / `batch.size`, the
//! idempotent sequence numbers, and the retry loop bounded by `delivery.timeout.ms`. The Sender
//! ([`sender`]) drains ready batches into produce requests, up to
//! `max.in.flight.requests.per.connection` per broker. A `reconfigure_producer` replaces the
//! instance behind the name ([`Producer::reconfigure`]); the batches of the instances before it
//! complete on their own.

mod client_metadata;
mod sender;

pub use client_metadata::ClientMetadata;

use super::command::{Produce, ProducerReconfig};
use super::config::{Acks, ProducerConfig};
use super::connection::{Connections, CONNECTION_SETUP_TIMEOUT_MS};
use super::ctx::{Ctx, Observation};
use super::event::EventKind;
use super::ids::*;
use super::limits::LIMITS;
use super::log::{ProducerStamp, Record};
use super::message::*;
use super::murmur2::partition_for_key;
use super::shared_vec::SharedVec;
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

/// A partition's batches in the accumulator (`RecordAccumulator`'s deque, kafka-model §5.2).
#[derive(Clone, Debug, Default)]
struct PartitionQueue {
    /// The batch still filling up: its send index and records.
    open: Option<(usize, Vec<Record>, u64)>,
    /// Closed batches waiting to be sent, in the order they go (send indexes): new ones at the
    /// back; a retried one back in its sequence's place (idempotent) or at the front.
    ready: VecDeque<usize>,
    /// Batches in flight, in the order they were sent.
    in_flight: Vec<usize>,
    retry_at_ms: Millis,
    next_sequence: u32,
}

/// A produce request in flight: its broker and the batches it carries (partition, send index).
#[derive(Clone, Debug)]
struct InFlightRequest {
    broker: BrokerId,
    batches: Vec<(PartitionIdx, usize)>,
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
    pub sends: SharedVec<SendRecord>,
    queues: Map<PartitionIdx, PartitionQueue>,
    /// Produce requests in flight, by request id.
    in_flight: Map<u64, InFlightRequest>,
    /// Partitions that may have batches waiting in `ready`, in order: what the Sender looks at, so
    /// that a producer of many partitions does not scan them all on every response.
    waiting: Vec<PartitionIdx>,
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
            sends: SharedVec::new(),
            queues: Map::new(),
            in_flight: Map::new(),
            waiting: Vec::new(),
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
        for r in self.in_flight.values() {
            insert_sorted(&mut b, r.broker);
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
        // The batches in flight are stamped; `ready` holds the others in the order they go.
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
        if !open.is_empty() {
            self.send_ready(ctx);
        }
    }

    /// `producer.send()` `count` times (kafka-model §5.1–5.2).
    pub fn send(&mut self, produce: &Produce, topic: TopicIdx, ctx: &mut Ctx) {
        let text = Record::text(produce.key.as_deref(), &produce.value);
        for _ in 0..produce.count {
            let id = ((self.idx.0 as u64 + 1) << 40) | self.next_record;
            self.next_record += 1;
            let record = Record::new(id, &text);
            let partition = self.choose_partition(produce, topic, &record, ctx);
            self.append(partition, record, ctx);
        }
        self.send_ready(ctx);
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
            insert_sorted(&mut self.waiting, partition);
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
                self.send_ready(ctx);
            }
            ProducerTimer::RetryBackoffDone { .. } => self.send_ready(ctx),
            ProducerTimer::RequestTimeout { request_id } => {
                if self.metadata.in_flight.is_some_and(|(id, _)| id == request_id) {
                    self.metadata.fail(ctx.now, self.config.retry_backoff_ms);
                    ctx.set_timer(self.config.retry_backoff_ms, ProducerTimer::MetadataBackoffDone);
                } else if let Some(broker) = self.in_flight.get(&request_id).map(|r| r.broker) {
                    // kafka-model §5.4, `NetworkClient.handleTimedOutRequests`: the client closes the
                    // connection and `Sender` fails every request in flight on it with
                    // REQUEST_TIMED_OUT (retriable), then refreshes metadata (§5.5).
                    let requests = self.requests_to(broker);
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
            ProducerTimer::ReconnectBackoffDone { .. } => self.send_ready(ctx),
            ProducerTimer::DeliveryTimeout { batch } => {
                let send = batch as usize;
                if !matches!(self.sends[send].status, SendStatus::Pending { .. }) {
                    return;
                }
                // KIP-91: expire the batch, in flight or not; its request stays in flight.
                let partition = self.sends[send].partition;
                for r in self.in_flight.iter_mut().map(|(_, r)| r) {
                    r.batches.retain(|(_, s)| *s != send);
                }
                self.take_in_flight(partition, send);
                self.fail(send, ErrorCode::DeliveryTimeout, ctx);
                self.send_ready(ctx);
            }
            // The batch this linger was for already went (full, or closed by a reconfiguration).
            ProducerTimer::Linger { .. } => {}
        }
    }

    pub fn on_message(&mut self, from: NodeId, message: Message, ctx: &mut Ctx) {
        match message {
            Message::ProduceResponse { request_id, partitions } => {
                self.on_produce_response(request_id, partitions, ctx)
            }
            Message::MetadataResponse { request_id, leaders, .. }
                if self.metadata.on_response(request_id, &leaders, ctx.now) =>
            {
                let waiting = self.queues.iter().filter(|(_, q)| !q.ready.is_empty()).map(|(p, _)| *p);
                if waiting.clone().any(|p| self.metadata.leader(p).is_none()) {
                    // LEADER_NOT_AVAILABLE: ask again after a backoff.
                    self.metadata.fail(ctx.now, self.config.retry_backoff_ms);
                    self.metadata.refreshed_ms = None;
                    ctx.set_timer(self.config.retry_backoff_ms, ProducerTimer::MetadataBackoffDone);
                }
                self.send_ready(ctx);
            }
            Message::ApiVersionsResponse { request_id } => {
                let NodeId::Broker(broker) = from else { return };
                if self.connections.connected(broker, request_id) {
                    self.send_ready(ctx);
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
        let lost: Vec<u64> = self.in_flight.iter().filter(|(_, r)| r.broker == broker).map(|(id, _)| *id).collect();
        // `NetworkClient.processDisconnection` fails the newest request first; each batch goes back
        // to the front of its queue, so a partition's batches keep their order.
        for id in lost.into_iter().rev() {
            let request = self.in_flight.remove(&id).expect("listed");
            for (partition, send) in request.batches {
                self.take_in_flight(partition, send);
                self.batch_failed(partition, send, broker, (error, None, None), ctx);
            }
        }
        // acks=0 sends are not in flight; a closed connection still means stale metadata.
        self.metadata.refreshed_ms = None;
        self.request_metadata(ctx);
    }
}

fn status_error(status: &SendStatus) -> Option<ErrorCode> {
    match status {
        SendStatus::Pending { last_error, .. } => *last_error,
        _ => None,
    }
}
