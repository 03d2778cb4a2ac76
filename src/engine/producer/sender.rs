//! The producer's `Sender` (kafka-model §5.2–§5.6): drains the accumulator's ready batches into
//! produce requests, one request per broker at a time carrying at most one batch per partition the
//! broker leads (`RecordAccumulator.drain`), up to `max.in.flight.requests.per.connection` requests
//! in flight per connection; then completes or retries each batch of a response
//! (`Sender.completeBatch`, `TransactionManager.canRetry`).

use super::*;
use crate::engine::connection::Readiness;
use crate::engine::log::Batch;

/// The client waits this much longer than `request.timeout.ms` before it gives up on a request, so
/// that a broker's own `REQUEST_TIMED_OUT` answer (same timeout, started on arrival) reaches it
/// first, as the outcomes of kafka-model §4.6 and TC-07 describe.
const CLIENT_TIMEOUT_MARGIN_MS: Millis = 1_000;

/// A batch's error as a response carries it: the error, the new leader (KIP-951) and, for
/// `NOT_ENOUGH_REPLICAS(_AFTER_APPEND)`, the ISR the leader saw.
pub(super) type BatchError = (ErrorCode, Option<PartitionLeader>, Option<IsrShortfall>);

impl Producer {
    /// Requests in flight on the connection to `broker`.
    pub(super) fn requests_to(&self, broker: BrokerId) -> u32 {
        self.in_flight.values().filter(|r| r.broker == broker).count() as u32
    }

    /// `Sender.sendProducerData`: for every broker that leads a partition with a batch to send, and
    /// whose connection is ready, as many requests as `max.in.flight.requests.per.connection`
    /// allows. A broker without a ready connection gets no request (kafka-model §5.2): the producer
    /// connects first.
    pub(super) fn send_ready(&mut self, ctx: &mut Ctx) {
        if self.metadata.is_stale(ctx.now, self.config.metadata_max_age_ms) {
            self.request_metadata(ctx);
        }
        let queues = &self.queues;
        self.waiting.retain(|p| queues.get(p).is_some_and(|q| !q.ready.is_empty()));
        // The partitions with a batch that can go and their leaders.
        let mut sendable: Vec<(PartitionIdx, BrokerId)> = Vec::new();
        let mut brokers = Vec::new();
        let mut leaderless = false;
        for p in &self.waiting {
            if self.drainable(*p, ctx.now).is_none() {
                continue;
            }
            match self.metadata.leader(*p) {
                Some((leader, _)) => {
                    sendable.push((*p, leader));
                    insert_sorted(&mut brokers, leader);
                }
                None => leaderless = true,
            }
        }
        if leaderless {
            self.request_metadata(ctx);
        }
        let max = self.config.max_in_flight_requests_per_connection;
        for broker in brokers {
            let partitions: Vec<PartitionIdx> =
                sendable.iter().filter(|(_, l)| *l == broker).map(|(p, _)| *p).collect();
            match self.connections.readiness(broker, ctx.now) {
                Readiness::Ready => {
                    while self.requests_to(broker) < max && self.send_request(broker, &partitions, ctx) {}
                }
                Readiness::Connect => self.connect(broker, ctx),
                Readiness::Wait => {}
            }
        }
    }

    /// The batch `partition` would give a request now, if any (`RecordAccumulator.drain` looks only
    /// at the first batch of each partition's deque).
    fn drainable(&self, partition: PartitionIdx, now: Millis) -> Option<usize> {
        let q = self.queues.get(&partition)?;
        let send = *q.ready.front()?;
        if now < q.retry_at_ms {
            return None;
        }
        // `guaranteeMessageOrder` (max.in.flight = 1): the partition is muted while a batch is in flight.
        if self.config.max_in_flight_requests_per_connection == 1 && !q.in_flight.is_empty() {
            return None;
        }
        let s = &self.sends[send];
        if s.idempotent {
            match s.stamp {
                // A retry goes only as the partition's first unresolved batch, so retries keep the
                // sequence order (`shouldStopDrainBatchesForPartition`: "This effectively reduces
                // our in flight request count to 1").
                Some(_) if q.in_flight.iter().any(|x| *x < send) => return None,
                // After an epoch bump, new batches wait for the older epoch's batches in flight.
                None if q.in_flight.iter().any(|x| self.is_stale_epoch(*x)) => return None,
                _ => {}
            }
        }
        Some(send)
    }

    /// Whether a batch carries this instance's producer id with an older epoch.
    fn is_stale_epoch(&self, send: usize) -> bool {
        self.sends[send]
            .stamp
            .is_some_and(|st| st.producer_id == self.producer_id && st.producer_epoch != self.producer_epoch)
    }

    /// Drains one request for `broker`: the first batch of every partition it leads that can go,
    /// all with one `acks` (batches of a closed instance keep theirs). False if nothing could go.
    fn send_request(&mut self, broker: BrokerId, partitions: &[PartitionIdx], ctx: &mut Ctx) -> bool {
        let mut acks = None;
        let mut batches = Vec::new();
        for &p in partitions {
            let Some(send) = self.drainable(p, ctx.now) else { continue };
            if acks.is_some_and(|a| a != self.sends[send].acks) {
                continue;
            }
            acks = Some(self.sends[send].acks);
            self.queues.get_mut(&p).expect("queue").ready.pop_front();
            batches.push((p, send));
        }
        let Some(acks) = acks else { return false };
        let request_id = self.next_request_id();
        let parts = batches.iter().map(|(p, send)| (*p, self.stamp_for_send(*p, *send))).collect();
        let timeout_ms = self.config.request_timeout_ms;
        ctx.send(
            NodeId::Broker(broker),
            Message::Produce(ProduceRequest { request_id, acks, timeout_ms, partitions: parts }),
        );
        if acks == Acks::None {
            // kafka-model §5.3: success as soon as the bytes are on the socket, offset -1.
            for (_, send) in batches {
                self.acknowledge(send, None, ctx);
            }
            return true;
        }
        for (p, send) in &batches {
            self.queues.get_mut(p).expect("queue").in_flight.push(*send);
        }
        let in_flight = self.requests_to(broker) + 1;
        if in_flight > 1 {
            let counts = batches.iter().map(|(p, send)| (*p, self.sends[*send].records.len() as u32)).collect();
            let max_in_flight = self.config.max_in_flight_requests_per_connection;
            ctx.emit(EventKind::ProduceRequestSent {
                producer: self.idx,
                broker,
                batches: counts,
                in_flight,
                max_in_flight,
            });
        }
        self.in_flight.insert(request_id, InFlightRequest { broker, batches });
        ctx.set_timer(timeout_ms + CLIENT_TIMEOUT_MARGIN_MS, ProducerTimer::RequestTimeout { request_id });
        true
    }

    /// Counts an attempt of a batch about to go and returns it as the request carries it. The
    /// current instance's batches get their sequence when first sent (kafka-model §5.6);
    /// `reconfigure` stamps a closed instance's.
    fn stamp_for_send(&mut self, partition: PartitionIdx, send: usize) -> Batch {
        let (pid, epoch) = (self.producer_id, self.producer_epoch);
        let q = self.queues.get_mut(&partition).expect("queue");
        let s = &mut self.sends[send];
        if s.idempotent && s.stamp.is_none() {
            s.stamp = Some(ProducerStamp { producer_id: pid, producer_epoch: epoch, base_sequence: q.next_sequence });
            q.next_sequence += s.records.len() as u32;
        }
        s.attempts += 1;
        s.status = SendStatus::Pending { attempts: s.attempts, last_error: status_error(&s.status) };
        let size_bytes = s.records.iter().map(Record::size_bytes).sum();
        let max_timestamp_ms = s.created_ms;
        Batch {
            base_offset: 0,
            leader_epoch: 0,
            producer: s.stamp,
            records: s.records.clone(),
            size_bytes,
            max_timestamp_ms,
        }
    }

    /// Takes a batch off its partition's in-flight list; false if it was not there (expired).
    pub(super) fn take_in_flight(&mut self, partition: PartitionIdx, send: usize) -> bool {
        let Some(q) = self.queues.get_mut(&partition) else { return false };
        let before = q.in_flight.len();
        q.in_flight.retain(|x| *x != send);
        q.in_flight.len() < before
    }

    /// `Sender.handleProduceResponse`: each partition's batch completes or is retried.
    pub(super) fn on_produce_response(
        &mut self,
        request_id: u64,
        partitions: Vec<(PartitionIdx, ProduceResult)>,
        ctx: &mut Ctx,
    ) {
        let Some(request) = self.in_flight.remove(&request_id) else {
            return;
        };
        for (partition, result) in partitions {
            let Some(&(_, send)) = request.batches.iter().find(|(p, _)| *p == partition) else { continue };
            if !self.take_in_flight(partition, send) {
                continue;
            }
            match result {
                ProduceResult::Appended { base_offset } => self.acknowledge(send, Some(base_offset), ctx),
                ProduceResult::Error { error, leader_hint, shortfall } => {
                    self.batch_failed(partition, send, request.broker, (error, leader_hint, shortfall), ctx)
                }
            }
        }
        self.send_ready(ctx);
    }

    /// `Sender.completeBatch` for an error (kafka-model §5.4): the batch goes back to its partition's
    /// queue and is retried after a backoff, refreshing metadata where the error says it is stale,
    /// until `delivery.timeout.ms`.
    pub(super) fn batch_failed(
        &mut self,
        partition: PartitionIdx,
        send: usize,
        broker: BrokerId,
        (error, leader_hint, shortfall): BatchError,
        ctx: &mut Ctx,
    ) {
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
        self.reenqueue(partition, send);
        let s = &mut self.sends[send];
        s.status = SendStatus::Pending { attempts: s.attempts, last_error: Some(error) };
        let attempt = s.attempts;
        let broker = Some(broker);
        ctx.emit(EventKind::ProduceRetried { producer: self.idx, partition, error, attempt, broker, shortfall });
        if error == ErrorCode::OutOfOrderSequenceNumber {
            self.out_of_order(partition, send, ctx);
        }
        if refresh {
            self.metadata.refreshed_ms = None;
            self.request_metadata(ctx);
        }
        // `retry.backoff.ms` doubling up to `retry.backoff.max.ms` (KIP-580), without jitter.
        let exp = attempt.saturating_sub(1).min(16);
        let backoff = (self.config.retry_backoff_ms << exp).min(self.config.retry_backoff_max_ms);
        self.queues.get_mut(&partition).expect("queue").retry_at_ms = ctx.now + backoff;
        ctx.set_timer(backoff, ProducerTimer::RetryBackoffDone { partition });
    }

    /// `RecordAccumulator.reenqueue`: an idempotent batch goes back in its sequence's place
    /// (`insertInSequenceOrder`), any other at the front of its partition's queue, so that without
    /// idempotence a retry can land after batches sent after it (kafka-model §5.2: reordering with
    /// more than one request in flight).
    fn reenqueue(&mut self, partition: PartitionIdx, send: usize) {
        let idempotent = self.sends[send].idempotent;
        let q = self.queues.get_mut(&partition).expect("queue");
        if idempotent {
            let at = q.ready.iter().position(|x| *x > send).unwrap_or(q.ready.len());
            q.ready.insert(at, send);
        } else {
            q.ready.push_front(send);
        }
        insert_sorted(&mut self.waiting, partition);
    }

    /// `OUT_OF_ORDER_SEQUENCE_NUMBER` for one of this instance's batches (`TransactionManager.
    /// canRetry`, kafka-model §5.6). While an earlier batch of the partition is unresolved the gap
    /// may close: the batch is retried as it is, after the earlier ones. If it is the first
    /// unresolved batch, the leader lacks batches the producer considers written: the producer
    /// bumps its epoch and restarts every sequence at 0 (KIP-360). A batch of an older epoch gets a
    /// sequence of the new one. A closed instance's batch is retried as it is until
    /// `delivery.timeout.ms` (the application closed that instance).
    fn out_of_order(&mut self, partition: PartitionIdx, send: usize, ctx: &mut Ctx) {
        let Some(stamp) = self.sends[send].stamp.filter(|st| st.producer_id == self.producer_id) else {
            return;
        };
        if stamp.producer_epoch != self.producer_epoch {
            self.sends[send].stamp = None;
            return;
        }
        let q = &self.queues[&partition];
        if q.in_flight.iter().chain(q.ready.iter()).any(|x| *x < send) {
            return;
        }
        self.producer_epoch += 1;
        for q in self.queues.iter_mut().map(|(_, v)| v) {
            q.next_sequence = 0;
        }
        let in_flight: Vec<usize> = self.queues.values().flat_map(|q| q.in_flight.iter().copied()).collect();
        let pid = self.producer_id;
        for (i, s) in self.sends.iter_mut().enumerate() {
            let ours = s.stamp.is_some_and(|st| st.producer_id == pid);
            if matches!(s.status, SendStatus::Pending { .. }) && ours && !in_flight.contains(&i) {
                s.stamp = None;
            }
        }
        let (producer, producer_id, producer_epoch) = (self.idx, self.producer_id, self.producer_epoch);
        let base_sequence = stamp.base_sequence;
        ctx.emit(EventKind::ProducerEpochBumped { producer, partition, producer_id, producer_epoch, base_sequence });
    }
}
