//! A probe on one partition (issue 12, "Seeing the protocol"): the messages about it as they are
//! delivered (send and delivery time, what each carried), its truncations, and samples of its
//! replicas' LEOs, HW, ISR size, produce outcomes and consumer lag, each in a bounded ring
//! (`LIMITS.trace_arrows_kept`, `LIMITS.trace_samples_kept`). It only observes: nothing in it is
//! read by the simulation or the state hash, and it is off (`None`) unless a driver switches it on
//! with [`Engine::set_trace`](super::Engine::set_trace), so runs without it pay one branch a step.

use super::config::Acks;
use super::event::EventKind;
use super::ids::*;
use super::limits::LIMITS;
use super::message::{ErrorCode, FetchPartitionResult, Message, ProduceResult};
use std::collections::VecDeque;

/// What the space-time view filters by: a request with its response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TraceKind {
    Produce,
    FollowerFetch,
    AlterPartition,
    /// Partition change records reaching brokers (the metadata log, kafka-model §2.3.8).
    Metadata,
    ConsumerFetch,
}

impl TraceKind {
    pub const ALL: [TraceKind; 5] = [
        TraceKind::Produce,
        TraceKind::FollowerFetch,
        TraceKind::AlterPartition,
        TraceKind::Metadata,
        TraceKind::ConsumerFetch,
    ];
}

/// A fetch response's answer for the traced partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchAnswer {
    /// `records` records from `base` (0: none), and the serving replica's HW.
    Records {
        base: Offset,
        records: u64,
        high_watermark: Offset,
    },
    /// `divergingEpoch`: truncate to `end_offset` and fetch again (kafka-model §3.6).
    Diverging {
        end_offset: Offset,
    },
    /// KIP-392: fetch from this replica instead.
    Redirect(BrokerId),
    /// Out of range of the leader's log (`log_start`, `log_end`).
    OutOfRange {
        log_start: Offset,
        log_end: Offset,
    },
    Error(ErrorCode),
}

/// What one traced message carried about the partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceMessage {
    Produce {
        acks: Acks,
        records: u64,
    },
    /// The partition's answer, and the request's round trip when its send was traced.
    ProduceResponse {
        result: Result<Offset, ErrorCode>,
        latency_ms: Option<Millis>,
    },
    Fetch {
        follower: bool,
        fetch_offset: Offset,
    },
    FetchResponse {
        follower: bool,
        answer: FetchAnswer,
    },
    AlterPartition {
        leader_epoch: LeaderEpoch,
        isr: Vec<BrokerId>,
    },
    /// The ISR the controller committed, or its refusal.
    AlterPartitionResponse {
        result: Result<Vec<BrokerId>, ErrorCode>,
    },
    /// A partition change record reaching a broker.
    Metadata {
        leader: Option<BrokerId>,
        leader_epoch: LeaderEpoch,
        isr: Vec<BrokerId>,
    },
}

impl TraceMessage {
    pub fn kind(&self) -> TraceKind {
        match self {
            TraceMessage::Produce { .. } | TraceMessage::ProduceResponse { .. } => TraceKind::Produce,
            TraceMessage::Fetch { follower: true, .. } | TraceMessage::FetchResponse { follower: true, .. } => {
                TraceKind::FollowerFetch
            }
            TraceMessage::Fetch { .. } | TraceMessage::FetchResponse { .. } => TraceKind::ConsumerFetch,
            TraceMessage::AlterPartition { .. } | TraceMessage::AlterPartitionResponse { .. } => {
                TraceKind::AlterPartition
            }
            TraceMessage::Metadata { .. } => TraceKind::Metadata,
        }
    }
}

/// One message, from its send to its delivery (or loss: a cut link, a dead process).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceArrow {
    pub sent_ms: Millis,
    pub delivered_ms: Millis,
    pub from: NodeId,
    pub to: NodeId,
    pub message: TraceMessage,
    pub lost: bool,
    /// The partition's HW (as [`TraceSample::high_watermark`]) before and right after the delivery:
    /// what a follower fetch did to the leader's HW.
    pub high_watermark_before: Offset,
    pub high_watermark_after: Offset,
}

/// The partition at one moment, taken whenever one of its fields changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceSample {
    pub at_ms: Millis,
    /// The controller's committed leader and epoch.
    pub leader: Option<BrokerId>,
    pub leader_epoch: LeaderEpoch,
    /// The leader replica's HW (with no leader, the highest any replica holds).
    pub high_watermark: Offset,
    /// Each assigned replica's LEO, in broker order.
    pub log_end_offsets: Vec<(BrokerId, Offset)>,
    pub isr_size: u32,
    pub min_insync_replicas: u32,
    /// Each consumer with a position: HW minus its position (0 when ahead).
    pub lag: Vec<(ClientIdx, Offset)>,
}

/// A produce answer a producer received for the partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProduceOutcome {
    pub at_ms: Millis,
    pub latency_ms: Option<Millis>,
    pub error: Option<ErrorCode>,
}

/// A replica truncated its log from `from` to `to` (kafka-model §3.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Truncation {
    pub at_ms: Millis,
    pub broker: BrokerId,
    pub from: Offset,
    pub to: Offset,
}

/// The probe's record of one partition; every ring keeps its newest entries.
#[derive(Clone, Debug)]
pub struct Trace {
    pub partition: PartitionIdx,
    pub arrows: VecDeque<TraceArrow>,
    pub samples: VecDeque<TraceSample>,
    pub produces: VecDeque<ProduceOutcome>,
    pub truncations: VecDeque<Truncation>,
    /// Produce requests in flight for the partition: (producer, request id, sent), for latency.
    sends: VecDeque<(ClientIdx, u64, Millis)>,
    /// The newest arrow was delivered in the current step: its HW after is still to be noted.
    fresh: bool,
}

/// Produce requests remembered for their latency (the pipeline allows a few per connection).
const SENDS_KEPT: usize = 64;

fn push_bounded<T>(ring: &mut VecDeque<T>, item: T, kept: usize) {
    if ring.len() == kept {
        ring.pop_front();
    }
    ring.push_back(item);
}

impl Trace {
    pub fn new(partition: PartitionIdx) -> Trace {
        Trace {
            partition,
            arrows: VecDeque::new(),
            samples: VecDeque::new(),
            produces: VecDeque::new(),
            truncations: VecDeque::new(),
            sends: VecDeque::new(),
            fresh: false,
        }
    }

    /// What `message` carried about the partition, if anything.
    fn about(
        &mut self,
        from: NodeId,
        to: NodeId,
        sent_ms: Millis,
        now: Millis,
        message: &Message,
    ) -> Option<TraceMessage> {
        let p = self.partition;
        Some(match message {
            Message::Produce(r) => {
                let (_, batch) = r.partitions.iter().find(|(q, _)| *q == p)?;
                if let NodeId::Producer(c) = from {
                    push_bounded(&mut self.sends, (c, r.request_id, sent_ms), SENDS_KEPT);
                }
                TraceMessage::Produce { acks: r.acks, records: batch.len() }
            }
            Message::ProduceResponse { request_id, partitions } => {
                let (_, result) = partitions.iter().find(|(q, _)| *q == p)?;
                let sent = match to {
                    NodeId::Producer(c) => self.sends.iter().position(|s| s.0 == c && s.1 == *request_id),
                    _ => None,
                };
                let latency_ms = sent.and_then(|i| self.sends.remove(i)).map(|s| now - s.2);
                let result = match result {
                    ProduceResult::Appended { base_offset } => Ok(*base_offset),
                    ProduceResult::Error { error, .. } => Err(*error),
                };
                let outcome = ProduceOutcome { at_ms: now, latency_ms, error: result.err() };
                push_bounded(&mut self.produces, outcome, LIMITS.trace_samples_kept);
                TraceMessage::ProduceResponse { result, latency_ms }
            }
            Message::Fetch(r) => {
                let f = r.partitions.iter().find(|f| f.partition == p)?;
                TraceMessage::Fetch { follower: r.replica.is_some(), fetch_offset: f.fetch_offset }
            }
            Message::FetchResponse { partitions, .. } => {
                let (_, result) = partitions.iter().find(|(q, _)| *q == p)?;
                let follower = matches!(to, NodeId::Broker(_));
                TraceMessage::FetchResponse { follower, answer: answer_of(result) }
            }
            Message::AlterPartition { partition, leader_epoch, new_isr, .. } if *partition == p => {
                TraceMessage::AlterPartition { leader_epoch: *leader_epoch, isr: new_isr.iter().map(|b| b.0).collect() }
            }
            Message::AlterPartitionResponse { partition, result, .. } if *partition == p => {
                TraceMessage::AlterPartitionResponse { result: result.as_ref().map(|r| r.isr.clone()).map_err(|e| *e) }
            }
            Message::MetadataUpdate(delta) => {
                let r = delta.partitions.iter().rev().find(|r| r.partition == p)?;
                TraceMessage::Metadata { leader: r.leader, leader_epoch: r.leader_epoch, isr: r.isr.clone() }
            }
            _ => return None,
        })
    }

    /// A message about to be delivered at `now` (or lost, `lost`).
    pub(crate) fn on_deliver(
        &mut self,
        from: NodeId,
        to: NodeId,
        sent_ms: Millis,
        now: Millis,
        message: &Message,
        lost: bool,
    ) {
        if let Some(m) = self.about(from, to, sent_ms, now, message) {
            let hw = self.samples.back().map_or(0, |s| s.high_watermark);
            let arrow = TraceArrow {
                sent_ms,
                delivered_ms: now,
                from,
                to,
                message: m,
                lost,
                high_watermark_before: hw,
                high_watermark_after: hw,
            };
            push_bounded(&mut self.arrows, arrow, LIMITS.trace_arrows_kept);
            self.fresh = true;
        }
    }

    pub(crate) fn on_event(&mut self, kind: &EventKind, now: Millis) {
        if let EventKind::LogTruncated { broker, partition, from, to, .. } = kind {
            if *partition == self.partition {
                let t = Truncation { at_ms: now, broker: *broker, from: *from, to: *to };
                push_bounded(&mut self.truncations, t, LIMITS.trace_samples_kept);
            }
        }
    }

    /// Keeps `sample` if the partition changed since the last one.
    pub(crate) fn on_sample(&mut self, sample: TraceSample) {
        if std::mem::take(&mut self.fresh) {
            if let Some(a) = self.arrows.back_mut() {
                a.high_watermark_after = sample.high_watermark;
            }
        }
        let same = self.samples.back().is_some_and(|last| {
            (last.leader, last.leader_epoch, last.high_watermark, last.isr_size, last.min_insync_replicas)
                == (
                    sample.leader,
                    sample.leader_epoch,
                    sample.high_watermark,
                    sample.isr_size,
                    sample.min_insync_replicas,
                )
                && last.log_end_offsets == sample.log_end_offsets
                && last.lag == sample.lag
        });
        if !same {
            push_bounded(&mut self.samples, sample, LIMITS.trace_samples_kept);
        }
    }
}

fn answer_of(result: &FetchPartitionResult) -> FetchAnswer {
    match result {
        FetchPartitionResult::Records { batches, high_watermark, .. } => FetchAnswer::Records {
            base: batches.first().map_or(0, |b| b.base_offset),
            records: batches.iter().map(|b| b.len()).sum(),
            high_watermark: *high_watermark,
        },
        FetchPartitionResult::Diverging { end_offset, .. } => FetchAnswer::Diverging { end_offset: *end_offset },
        FetchPartitionResult::PreferredReadReplica { broker } => FetchAnswer::Redirect(*broker),
        FetchPartitionResult::OffsetOutOfRange { log_start_offset, log_end_offset } => {
            FetchAnswer::OutOfRange { log_start: *log_start_offset, log_end: *log_end_offset }
        }
        FetchPartitionResult::Error(e) => FetchAnswer::Error(*e),
    }
}
