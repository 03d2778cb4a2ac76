//! A broker: its replicas, the follower fetchers that replicate from other brokers, and the request
//! handling of a partition leader (kafka-model §3–§6). It learns partition state only from the
//! metadata log it replicates from the controller (kafka-model §2.1: no LeaderAndIsr push).

use super::config::Acks;
use super::ctx::{Ctx, Observation};
use super::event::EventKind;
use super::ids::*;
use super::log::{Batch, ProducerStamp};
use super::message::*;
use super::metadata::{MetadataDelta, MetadataImage};
use super::replica::{FollowerState, IsrState, LeaderState, Replica, Role};
use super::timer::Timer;
use super::{insert_sorted, map_from, Map};

/// Whether a broker's process runs (kafka-model §3.9: a crash keeps the log, a controlled shutdown
/// moves leadership away first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessState {
    Running,
    /// Process crash; the page cache (the log) survives.
    Crashed,
    /// Stopped by a controlled shutdown.
    Stopped,
}

/// `replica.socket.timeout.ms` (30 s): a follower fetch with no answer is abandoned after this.
const REPLICA_SOCKET_TIMEOUT_MS: Millis = 30_000;
/// `controller.quorum.request.timeout.ms`: an AlterPartition with no answer is abandoned after this.
const CONTROLLER_REQUEST_TIMEOUT_MS: Millis = 2_000;
/// How long a broker told SHUTDOWN_NOW keeps answering requests before its sockets close.
const SHUTDOWN_DRAIN_MS: Millis = 10;
/// `replica.high.watermark.checkpoint.interval.ms`.
const HW_CHECKPOINT_INTERVAL_MS: Millis = 5_000;

#[derive(Clone, Debug, Default)]
struct Fetcher {
    /// The request in flight and the leader epoch of each partition it asked for.
    in_flight: Option<(u64, Vec<(PartitionIdx, LeaderEpoch)>)>,
    backoff_until_ms: Millis,
}

/// A fetch parked at this broker until data arrives or its wait ends (`DelayedFetch`).
#[derive(Clone, Debug)]
struct ParkedFetch {
    park_id: u64,
    from: NodeId,
    request_id: u64,
    replica: Option<(BrokerId, BrokerEpoch)>,
    client_rack: String,
    partitions: Vec<FetchPartition>,
}

/// An `acks=all` produce parked until the HW passes it (`DelayedProduce`, kafka-model §4.6), keyed by
/// a local id (request ids are only unique per client).
#[derive(Clone, Debug)]
struct ParkedProduce {
    from: NodeId,
    request_id: u64,
    partition: PartitionIdx,
    base_offset: Offset,
    end_offset: Offset,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wake {
    /// New records in a leader's log: parked follower fetches can complete.
    Appended,
    /// The HW moved: parked consumer fetches can complete.
    HighWatermark,
}

#[derive(Clone, Debug)]
pub struct Broker {
    pub id: BrokerId,
    pub rack: String,
    pub process: ProcessState,
    /// Bumped at every start, so timers of a dead process are ignored.
    pub incarnation: u32,
    /// `None` until registered.
    pub broker_epoch: Option<BrokerEpoch>,
    pub image: MetadataImage,
    pub replicas: Map<PartitionIdx, Replica>,
    /// Slow disk: followers on this broker stop fetching.
    pub stalled: bool,
    pub want_shut_down: bool,
    fetchers: Map<BrokerId, Fetcher>,
    parked_fetches: Vec<ParkedFetch>,
    parked_produces: Map<u64, ParkedProduce>,
    wakes: Vec<(PartitionIdx, Wake)>,
    next_id: u64,
}

impl Broker {
    pub fn new(id: BrokerId, rack: String) -> Self {
        Broker {
            id,
            rack,
            process: ProcessState::Running,
            incarnation: 0,
            broker_epoch: None,
            image: MetadataImage::default(),
            replicas: Map::new(),
            stalled: false,
            want_shut_down: false,
            fetchers: Map::new(),
            parked_fetches: Vec::new(),
            parked_produces: Map::new(),
            wakes: Vec::new(),
            next_id: 0,
        }
    }

    pub fn is_running(&self) -> bool {
        self.process == ProcessState::Running
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Starts the periodic tasks. Phases are random so that brokers do not heartbeat in lockstep.
    pub fn start_timers(&mut self, ctx: &mut Ctx) {
        let cfg = &ctx.catalog.config;
        let (hb, isr_check) = (cfg.broker_heartbeat_interval_ms, cfg.replica_lag_time_max_ms / 2);
        let phase = 1 + ctx.random_below(hb);
        ctx.set_timer(phase, Timer::BrokerTick);
        let phase = 1 + ctx.random_below(isr_check.max(1));
        ctx.set_timer(phase, Timer::IsrExpiration);
        ctx.set_timer(HW_CHECKPOINT_INTERVAL_MS, Timer::HwCheckpoint);
    }

    // ------------------------------------------------------------------ process lifecycle

    /// kill -9: the page cache survives, so the logs do (kafka-model §3.9); everything in memory goes.
    pub fn crash(&mut self) {
        self.process = ProcessState::Crashed;
        self.drop_memory();
    }

    fn drop_memory(&mut self) {
        self.incarnation += 1;
        self.broker_epoch = None;
        self.want_shut_down = false;
        self.image = MetadataImage::default();
        for replica in self.replicas.iter_mut().map(|(_, v)| v) {
            replica.role = Role::Offline;
        }
        self.fetchers.clear();
        self.parked_fetches.clear();
        self.parked_produces.clear();
        self.wakes.clear();
    }

    /// A new process: registers again and catches up on metadata before it acts on any partition.
    pub fn restart(&mut self, ctx: &mut Ctx) {
        self.process = ProcessState::Running;
        for replica in self.replicas.iter_mut().map(|(_, v)| v) {
            // The HW is read back from its checkpoint, possibly stale (kafka-model §3.3).
            replica.high_watermark = replica.high_watermark_checkpoint.min(replica.log_end_offset());
        }
        ctx.emit(EventKind::BrokerStarted { broker: self.id });
        self.send_registration(ctx);
        self.start_timers(ctx);
    }

    pub fn begin_controlled_shutdown(&mut self, ctx: &mut Ctx) {
        if !ctx.catalog.config.controlled_shutdown_enable {
            self.stop(ctx);
            return;
        }
        self.want_shut_down = true;
        self.send_heartbeat(ctx);
    }

    fn stop(&mut self, ctx: &mut Ctx) {
        self.process = ProcessState::Stopped;
        for replica in self.replicas.iter_mut().map(|(_, v)| v) {
            // A clean shutdown writes the HW checkpoint.
            replica.high_watermark_checkpoint = replica.high_watermark;
        }
        self.drop_memory();
        ctx.emit(EventKind::BrokerShutDown { broker: self.id });
    }

    fn send_registration(&mut self, ctx: &mut Ctx) {
        ctx.send(
            NodeId::Controller,
            Message::RegisterBroker { incarnation: self.incarnation, rack: self.rack.clone() },
        );
    }

    fn send_heartbeat(&mut self, ctx: &mut Ctx) {
        if let Some(broker_epoch) = self.broker_epoch {
            ctx.send(
                NodeId::Controller,
                Message::BrokerHeartbeat {
                    broker_epoch,
                    metadata_offset: self.image.offset,
                    want_shut_down: self.want_shut_down,
                },
            );
        }
    }

    // ------------------------------------------------------------------ dispatch

    pub fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx) {
        match timer {
            Timer::BrokerTick => {
                if self.broker_epoch.is_none() {
                    self.send_registration(ctx);
                } else {
                    self.send_heartbeat(ctx);
                }
                ctx.set_timer(ctx.catalog.config.broker_heartbeat_interval_ms, Timer::BrokerTick);
            }
            Timer::IsrExpiration => {
                self.maybe_shrink_isrs(ctx);
                ctx.set_timer((ctx.catalog.config.replica_lag_time_max_ms / 2).max(1), Timer::IsrExpiration);
            }
            Timer::HwCheckpoint => {
                for replica in self.replicas.iter_mut().map(|(_, v)| v) {
                    replica.high_watermark_checkpoint = replica.high_watermark;
                }
                ctx.set_timer(HW_CHECKPOINT_INTERVAL_MS, Timer::HwCheckpoint);
            }
            Timer::FetchBackoffDone { leader } => self.maybe_fetch(leader, ctx),
            Timer::FinishShutdown => self.stop(ctx),
            Timer::FetchTimeout { leader, request_id } => {
                if let Some(f) = self.fetchers.get_mut(&leader) {
                    if f.in_flight.as_ref().is_some_and(|(id, _)| *id == request_id) {
                        f.in_flight = None;
                        self.back_off(leader, ctx);
                    }
                }
            }
            Timer::ParkedFetchExpired { park_id } => {
                if let Some(i) = self.parked_fetches.iter().position(|f| f.park_id == park_id) {
                    let parked = self.parked_fetches.remove(i);
                    let (results, _) = self.read_fetch(parked.replica, &parked.client_rack, &parked.partitions, ctx);
                    ctx.send(
                        parked.from,
                        Message::FetchResponse { request_id: parked.request_id, partitions: results },
                    );
                }
            }
            Timer::ProduceExpired { park_id } => {
                if let Some(parked) = self.parked_produces.remove(&park_id) {
                    let result = ProduceResult::Error { error: ErrorCode::RequestTimedOut, leader_hint: None };
                    ctx.send(parked.from, Message::ProduceResponse { request_id: parked.request_id, result });
                }
            }
            Timer::AlterPartitionTimeout { partition, request_id } => {
                // No answer: send the same proposal again; it stays pending until an answer or newer
                // metadata says what the controller decided (`AlterPartitionManager` retries).
                let pending =
                    self.replicas.get(&partition).and_then(|r| r.leader_state()).and_then(|s| s.isr.pending.clone());
                if let Some((proposed, id)) = pending {
                    if id == request_id {
                        self.propose_isr(partition, proposed, ctx);
                    }
                }
            }
            _ => {}
        }
        self.drain_wakes(ctx);
    }

    pub fn on_message(&mut self, from: NodeId, message: Message, ctx: &mut Ctx) {
        match message {
            Message::RegisterBrokerResponse { incarnation, result } => {
                if let (true, Ok(epoch)) = (incarnation == self.incarnation, result) {
                    self.broker_epoch = Some(epoch);
                    self.send_heartbeat(ctx);
                }
            }
            Message::BrokerHeartbeatResponse { result, metadata } => match result {
                Ok(answer) => {
                    self.apply_metadata(&metadata, ctx);
                    if answer.shut_down_now && self.want_shut_down {
                        // It leads nothing now; answer what is in flight, then close the sockets.
                        ctx.set_timer(SHUTDOWN_DRAIN_MS, Timer::FinishShutdown);
                    }
                }
                Err(_) => self.broker_epoch = None,
            },
            Message::MetadataUpdate(delta) => self.apply_metadata(&delta, ctx),
            Message::AlterPartitionResponse { request_id, partition, result } => {
                self.on_alter_partition_response(request_id, partition, result, ctx)
            }
            Message::Fetch { request_id, replica, client_rack, max_wait_ms, partitions } => {
                self.on_fetch(from, request_id, replica, client_rack, max_wait_ms, partitions, ctx)
            }
            Message::FetchResponse { request_id, partitions } => {
                if let NodeId::Broker(leader) = from {
                    self.on_fetch_response(leader, request_id, partitions, ctx)
                }
            }
            Message::Produce { request_id, partition, acks, timeout_ms, batch } => {
                self.on_produce(from, request_id, partition, acks, timeout_ms, batch, ctx)
            }
            Message::Metadata { request_id } => {
                let leaders = self
                    .image
                    .partitions
                    .iter()
                    .flatten()
                    .map(|r| PartitionLeader { partition: r.partition, leader: r.leader, leader_epoch: r.leader_epoch })
                    .collect();
                let brokers =
                    self.image.brokers.values().filter(|b| !b.fenced).map(|b| (b.broker, b.rack.clone())).collect();
                ctx.send(from, Message::MetadataResponse { request_id, leaders, brokers });
            }
            Message::ListOffsets { request_id, partitions } => {
                let results = partitions.into_iter().map(|(p, epoch)| (p, self.latest_offset(p, epoch))).collect();
                ctx.send(from, Message::ListOffsetsResponse { request_id, results });
            }
            Message::ConnectionClosed => {
                if let NodeId::Broker(leader) = from {
                    if let Some(f) = self.fetchers.get_mut(&leader) {
                        if f.in_flight.take().is_some() {
                            self.back_off(leader, ctx);
                        }
                    }
                }
            }
            _ => {}
        }
        self.drain_wakes(ctx);
    }

    // ------------------------------------------------------------------ metadata (§2.3.8)

    pub fn apply_metadata(&mut self, delta: &MetadataDelta, ctx: &mut Ctx) {
        for partition in self.image.apply(delta) {
            self.on_partition_change(partition, ctx);
        }
        self.fetch_from_all_leaders(ctx);
    }

    fn on_partition_change(&mut self, partition: PartitionIdx, ctx: &mut Ctx) {
        let Some(record) = self.image.partition(partition).cloned() else {
            return;
        };
        if !record.replicas.contains(&self.id) {
            return;
        }
        let me = self.id;
        let replica = self.replicas.entry(partition).or_insert_with(|| Replica::new(partition));
        if record.leader_epoch < replica.leader_epoch {
            return;
        }
        if record.leader == Some(me) {
            if replica.is_leader() && replica.leader_epoch == record.leader_epoch {
                // An ISR change committed by the controller (kafka-model §4.5).
                let state = replica.leader_state_mut().expect("leader");
                if record.partition_epoch > state.isr.partition_epoch {
                    state.isr = IsrState {
                        committed: record.isr.clone(),
                        partition_epoch: record.partition_epoch,
                        pending: None,
                    };
                    ctx.observe(Observation::LeaderIsrChanged { partition });
                }
            } else {
                // `Partition.makeLeader` (kafka-model §3.3, §3.4, §4.1).
                let leo = replica.log_end_offset();
                replica.log.assign_epoch_start_offset(record.leader_epoch, leo);
                let followers = map_from(
                    record
                        .replicas
                        .iter()
                        .filter(|r| **r != me)
                        .map(|r| (*r, FollowerState::reset(record.isr.contains(r), ctx.now))),
                );
                replica.role = Role::Leader(Box::new(LeaderState {
                    leader_epoch_start_offset: leo,
                    followers,
                    isr: IsrState {
                        committed: record.isr.clone(),
                        partition_epoch: record.partition_epoch,
                        pending: None,
                    },
                }));
                replica.leader_epoch = record.leader_epoch;
                ctx.emit(EventKind::BecameLeader {
                    broker: me,
                    partition,
                    leader_epoch: record.leader_epoch,
                    start_offset: leo,
                });
                ctx.observe(Observation::BecameLeader { broker: me, partition, leader_epoch: record.leader_epoch });
            }
            replica.partition_epoch = record.partition_epoch;
            self.maybe_increment_hw(partition, ctx);
            return;
        }
        let was_leader = replica.is_leader();
        let epoch_changed = replica.leader_epoch != record.leader_epoch;
        replica.role = match record.leader {
            Some(leader) => Role::Follower { leader },
            None => Role::Offline,
        };
        replica.leader_epoch = record.leader_epoch;
        replica.partition_epoch = record.partition_epoch;
        if epoch_changed || was_leader {
            ctx.emit(EventKind::BecameFollower {
                broker: me,
                partition,
                leader: record.leader,
                leader_epoch: record.leader_epoch,
            });
        }
        if was_leader {
            // kafka-model §4.6: parked requests of a leader that lost leadership fail.
            let hint = PartitionLeader { partition, leader: record.leader, leader_epoch: record.leader_epoch };
            let lost: Vec<u64> =
                self.parked_produces.iter().filter(|(_, p)| p.partition == partition).map(|(id, _)| *id).collect();
            for id in lost {
                let parked = self.parked_produces.remove(&id).expect("listed");
                let result =
                    ProduceResult::Error { error: ErrorCode::NotLeaderOrFollower, leader_hint: Some(hint.clone()) };
                ctx.send(parked.from, Message::ProduceResponse { request_id: parked.request_id, result });
            }
        }
    }

    // ------------------------------------------------------------------ follower side (§3.5, §3.6)

    /// The slow disk is healed: fetch again.
    pub fn resume_fetching(&mut self, ctx: &mut Ctx) {
        self.fetch_from_all_leaders(ctx);
    }

    fn fetch_from_all_leaders(&mut self, ctx: &mut Ctx) {
        let mut leaders = Vec::new();
        for leader in self.replicas.values().filter_map(|r| r.following()) {
            insert_sorted(&mut leaders, leader);
        }
        for leader in leaders {
            self.maybe_fetch(leader, ctx);
        }
    }

    /// One fetch request per leader broker covers every partition followed there
    /// (`num.replica.fetchers=1`).
    fn maybe_fetch(&mut self, leader: BrokerId, ctx: &mut Ctx) {
        if !self.is_running() || self.stalled || leader == self.id {
            return;
        }
        let Some(broker_epoch) = self.broker_epoch else {
            return;
        };
        let fetcher = self.fetchers.entry(leader).or_default();
        if fetcher.in_flight.is_some() || ctx.now < fetcher.backoff_until_ms {
            return;
        }
        let partitions: Vec<FetchPartition> = self
            .replicas
            .values()
            .filter(|r| r.following() == Some(leader))
            .map(|r| FetchPartition {
                partition: r.partition,
                current_leader_epoch: r.leader_epoch,
                fetch_offset: r.log_end_offset(),
                last_fetched_epoch: r.log.last_batch_epoch(),
            })
            .collect();
        if partitions.is_empty() {
            return;
        }
        let request_id = self.next_id();
        let epochs = partitions.iter().map(|p| (p.partition, p.current_leader_epoch)).collect();
        self.fetchers.get_mut(&leader).expect("inserted").in_flight = Some((request_id, epochs));
        let max_wait_ms = ctx.catalog.config.replica_fetch_wait_max_ms;
        ctx.send(
            NodeId::Broker(leader),
            Message::Fetch {
                request_id,
                replica: Some((self.id, broker_epoch)),
                client_rack: String::new(),
                max_wait_ms,
                partitions,
            },
        );
        ctx.set_timer(REPLICA_SOCKET_TIMEOUT_MS + max_wait_ms, Timer::FetchTimeout { leader, request_id });
    }

    fn back_off(&mut self, leader: BrokerId, ctx: &mut Ctx) {
        let backoff = ctx.catalog.config.replica_fetch_backoff_ms;
        self.fetchers.entry(leader).or_default().backoff_until_ms = ctx.now + backoff;
        ctx.set_timer(backoff, Timer::FetchBackoffDone { leader });
    }

    fn on_fetch_response(
        &mut self,
        leader: BrokerId,
        request_id: u64,
        results: Vec<(PartitionIdx, FetchPartitionResult)>,
        ctx: &mut Ctx,
    ) {
        let Some(fetcher) = self.fetchers.get_mut(&leader) else {
            return;
        };
        let Some((id, epochs)) = fetcher.in_flight.take() else {
            return;
        };
        if id != request_id {
            fetcher.in_flight = Some((id, epochs));
            return;
        }
        let mut progressed = false;
        for (partition, result) in results {
            let asked_epoch = epochs.iter().find(|(p, _)| *p == partition).map(|(_, e)| *e);
            let Some(replica) = self.replicas.get_mut(&partition) else {
                continue;
            };
            // A response for an epoch this replica has since left is stale (kafka-model §3.6, KIP-320).
            if replica.following() != Some(leader) || Some(replica.leader_epoch) != asked_epoch {
                continue;
            }
            match result {
                FetchPartitionResult::Records { batches, high_watermark } => {
                    progressed = true;
                    for batch in batches {
                        if batch.base_offset == replica.log_end_offset() {
                            replica.log.append(batch);
                        }
                    }
                    let hw = high_watermark.min(replica.log_end_offset());
                    if hw != replica.high_watermark {
                        let from = std::mem::replace(&mut replica.high_watermark, hw);
                        ctx.observe(Observation::FollowerHwChanged { broker: self.id, partition, from, to: hw });
                    }
                }
                FetchPartitionResult::Diverging { epoch, end_offset } => {
                    progressed = true;
                    let from = replica.log_end_offset();
                    let to = truncation_offset(replica, epoch, end_offset);
                    replica.log.truncate_to(to);
                    let to = replica.log_end_offset();
                    replica.high_watermark = replica.high_watermark.min(to);
                    ctx.emit(EventKind::LogTruncated {
                        broker: self.id,
                        partition,
                        from,
                        to,
                        leader,
                        diverging_epoch: epoch,
                    });
                    ctx.observe(Observation::Truncated { broker: self.id, partition, to });
                }
                FetchPartitionResult::PreferredReadReplica { .. } | FetchPartitionResult::Error(_) => {}
            }
        }
        if progressed {
            self.maybe_fetch(leader, ctx);
        } else {
            // Every partition failed: wait for metadata to move on (`replica.fetch.backoff.ms`).
            self.back_off(leader, ctx);
        }
    }

    // ------------------------------------------------------------------ leader side: fetch (§3.6, §6)

    #[allow(clippy::too_many_arguments)]
    fn on_fetch(
        &mut self,
        from: NodeId,
        request_id: u64,
        replica: Option<(BrokerId, BrokerEpoch)>,
        client_rack: String,
        max_wait_ms: Millis,
        partitions: Vec<FetchPartition>,
        ctx: &mut Ctx,
    ) {
        let (results, has_data) = self.read_fetch(replica, &client_rack, &partitions, ctx);
        if has_data || max_wait_ms == 0 {
            ctx.send(from, Message::FetchResponse { request_id, partitions: results });
            return;
        }
        let park_id = self.next_id();
        self.parked_fetches.push(ParkedFetch { park_id, from, request_id, replica, client_rack, partitions });
        ctx.set_timer(max_wait_ms, Timer::ParkedFetchExpired { park_id });
    }

    /// Reads every partition of a fetch. The second value says whether the response is worth sending
    /// now: records, an error, a divergence or a redirect (`fetch.min.bytes` = 1).
    fn read_fetch(
        &mut self,
        replica: Option<(BrokerId, BrokerEpoch)>,
        client_rack: &str,
        partitions: &[FetchPartition],
        ctx: &mut Ctx,
    ) -> (Vec<(PartitionIdx, FetchPartitionResult)>, bool) {
        let mut has_data = false;
        let mut results = Vec::with_capacity(partitions.len());
        for fp in partitions {
            let result = match replica {
                Some((follower, broker_epoch)) => self.read_for_follower(follower, broker_epoch, fp, ctx),
                None => self.read_for_consumer(client_rack, fp, ctx),
            };
            has_data |= match &result {
                FetchPartitionResult::Records { batches, high_watermark } => match replica {
                    Some(_) => !batches.is_empty(),
                    None => batches.iter().any(|b| b.end_offset() > fp.fetch_offset && b.base_offset < *high_watermark),
                },
                _ => true,
            };
            results.push((fp.partition, result));
        }
        (results, has_data)
    }

    fn check_epoch(replica: &Replica, current_leader_epoch: LeaderEpoch) -> Result<(), ErrorCode> {
        if current_leader_epoch < replica.leader_epoch {
            Err(ErrorCode::FencedLeaderEpoch)
        } else if current_leader_epoch > replica.leader_epoch {
            Err(ErrorCode::UnknownLeaderEpoch)
        } else {
            Ok(())
        }
    }

    /// The divergence check of a fetch carrying `lastFetchedEpoch` (kafka-model §3.6).
    fn diverging(replica: &Replica, fp: &FetchPartition) -> Option<FetchPartitionResult> {
        let last_fetched = fp.last_fetched_epoch?;
        match replica.log.end_offset_for(last_fetched) {
            Some((epoch, end)) if epoch < last_fetched || end < fp.fetch_offset => {
                Some(FetchPartitionResult::Diverging { epoch: Some(epoch), end_offset: end })
            }
            Some(_) => None,
            // Below every epoch the leader knows: nothing of the fetcher's log can be trusted.
            None => Some(FetchPartitionResult::Diverging {
                epoch: None,
                end_offset: replica.log.epoch_cache().first().map_or(0, |e| e.1),
            }),
        }
    }

    fn read_for_follower(
        &mut self,
        follower: BrokerId,
        broker_epoch: BrokerEpoch,
        fp: &FetchPartition,
        ctx: &mut Ctx,
    ) -> FetchPartitionResult {
        let Some(replica) = self.replicas.get_mut(&fp.partition) else {
            return FetchPartitionResult::Error(ErrorCode::NotLeaderOrFollower);
        };
        if let Err(e) = Self::check_epoch(replica, fp.current_leader_epoch) {
            return FetchPartitionResult::Error(e);
        }
        if !replica.is_leader() || !replica.leader_state().expect("leader").followers.contains_key(&follower) {
            return FetchPartitionResult::Error(ErrorCode::NotLeaderOrFollower);
        }
        if let Some(diverging) = Self::diverging(replica, fp) {
            // Fetch state is not updated on divergence (kafka-model §3.6).
            return diverging;
        }
        let leo = replica.log_end_offset();
        if fp.fetch_offset > leo {
            return FetchPartitionResult::Error(ErrorCode::OffsetOutOfRange);
        }
        // Read first, then record the fetch: the HW in this response is the one before this fetch
        // moved it, which is why followers learn the HW one round later (kafka-model §3.5).
        let high_watermark = replica.high_watermark;
        let batches = replica.log.read(fp.fetch_offset, leo, ctx.catalog.config.replica_fetch_max_bytes);
        let state = replica.leader_state_mut().expect("leader");
        state.followers.get_mut(&follower).expect("follower").on_fetch(fp.fetch_offset, leo, ctx.now, broker_epoch);
        self.maybe_expand_isr(fp.partition, follower, ctx);
        self.maybe_increment_hw(fp.partition, ctx);
        FetchPartitionResult::Records { batches, high_watermark }
    }

    fn read_for_consumer(&mut self, client_rack: &str, fp: &FetchPartition, ctx: &mut Ctx) -> FetchPartitionResult {
        let Some(replica) = self.replicas.get(&fp.partition) else {
            return FetchPartitionResult::Error(ErrorCode::NotLeaderOrFollower);
        };
        if let Err(e) = Self::check_epoch(replica, fp.current_leader_epoch) {
            return FetchPartitionResult::Error(e);
        }
        match &replica.role {
            Role::Offline => return FetchPartitionResult::Error(ErrorCode::NotLeaderOrFollower),
            Role::Leader(state) => {
                if let Some(diverging) = Self::diverging(replica, fp) {
                    return diverging;
                }
                if let Some(preferred) = self.preferred_read_replica(state, client_rack, fp.fetch_offset, ctx) {
                    return FetchPartitionResult::PreferredReadReplica { broker: preferred };
                }
            }
            Role::Follower { .. } => {}
        }
        // kafka-model §6.1: served from the local log below the local HW.
        if fp.fetch_offset > replica.log_end_offset() {
            return FetchPartitionResult::Error(ErrorCode::OffsetOutOfRange);
        }
        let limit = replica.high_watermark;
        let batches = if fp.fetch_offset < limit {
            replica.log.read(fp.fetch_offset, limit, ctx.catalog.config.replica_fetch_max_bytes)
        } else {
            Vec::new()
        };
        FetchPartitionResult::Records { batches, high_watermark: limit }
    }

    /// `RackAwareReplicaSelector` over the leader and the in-sync followers that have the offset
    /// (KIP-392, KAFKA-14372; kafka-model §6.2). `None` = the leader serves.
    fn preferred_read_replica(
        &self,
        state: &LeaderState,
        client_rack: &str,
        fetch_offset: Offset,
        ctx: &Ctx,
    ) -> Option<BrokerId> {
        if client_rack.is_empty() || !ctx.catalog.config.rack_aware_selector() || self.rack == client_rack {
            return None;
        }
        state
            .followers
            .iter()
            .filter(|(b, f)| {
                state.isr.committed.contains(b)
                    && f.log_end_offset.is_some_and(|leo| leo >= fetch_offset)
                    && ctx.catalog.rack_of(**b) == client_rack
            })
            // Highest LEO, then the most recently caught up, then the larger broker id.
            .max_by_key(|(b, f)| (f.log_end_offset, f.last_caught_up_ms, **b))
            .map(|(b, _)| *b)
    }

    fn latest_offset(&self, partition: PartitionIdx, leader_epoch: LeaderEpoch) -> Result<Offset, ErrorCode> {
        let replica = self.replicas.get(&partition).ok_or(ErrorCode::NotLeaderOrFollower)?;
        Self::check_epoch(replica, leader_epoch)?;
        let state = replica.leader_state().ok_or(ErrorCode::NotLeaderOrFollower)?;
        // kafka-model §3.4: a new leader does not know the true HW until it reaches its LESO.
        if replica.high_watermark < state.leader_epoch_start_offset {
            return Err(ErrorCode::OffsetNotAvailable);
        }
        Ok(replica.high_watermark)
    }

    /// Completes parked fetches that the appends or HW moves of this step have satisfied.
    fn drain_wakes(&mut self, ctx: &mut Ctx) {
        while let Some((partition, wake)) = self.wakes.pop() {
            let mut i = 0;
            while i < self.parked_fetches.len() {
                let parked = &self.parked_fetches[i];
                let interested = match wake {
                    Wake::Appended => parked.replica.is_some(),
                    Wake::HighWatermark => parked.replica.is_none(),
                } && parked.partitions.iter().any(|p| p.partition == partition);
                if !interested {
                    i += 1;
                    continue;
                }
                let parked = self.parked_fetches.swap_remove(i);
                let (results, has_data) = self.read_fetch(parked.replica, &parked.client_rack, &parked.partitions, ctx);
                if has_data {
                    ctx.send(
                        parked.from,
                        Message::FetchResponse { request_id: parked.request_id, partitions: results },
                    );
                } else {
                    let last = self.parked_fetches.len();
                    self.parked_fetches.push(parked);
                    self.parked_fetches.swap(i, last);
                    i += 1;
                }
            }
        }
    }

    // ------------------------------------------------------------------ leader side: HW and ISR (§3.4, §4)

    /// `Partition.maybeIncrementLeaderHW` (kafka-model §3.4), with strict min ISR.
    fn maybe_increment_hw(&mut self, partition: PartitionIdx, ctx: &mut Ctx) {
        let min_isr = ctx.catalog.effective_min_isr(partition);
        let lag_max = ctx.catalog.config.replica_lag_time_max_ms;
        let Some(replica) = self.replicas.get_mut(&partition) else {
            return;
        };
        let leo = replica.log_end_offset();
        let Role::Leader(state) = &replica.role else {
            return;
        };
        if state.isr.committed.len() < min_isr {
            return;
        }
        let mut candidate = leo;
        for (b, f) in &state.followers {
            let holds_back = state.isr.maximal_contains(*b)
                || (f.is_caught_up(leo, ctx.now, lag_max)
                    && f.broker_epoch.is_some_and(|e| self.image.is_isr_eligible(*b, e)));
            if holds_back {
                match f.log_end_offset {
                    Some(f_leo) => candidate = candidate.min(f_leo),
                    None if state.isr.maximal_contains(*b) => return,
                    None => {}
                }
            }
        }
        if candidate <= replica.high_watermark {
            return;
        }
        let from = replica.high_watermark;
        replica.high_watermark = candidate;
        let leader_epoch = replica.leader_epoch;
        ctx.observe(Observation::LeaderHwAdvanced { broker: self.id, partition, leader_epoch, from, to: candidate });
        self.wakes.push((partition, Wake::HighWatermark));
        self.complete_parked_produces(partition, ctx);
    }

    /// `Partition.maybeExpandIsr` (kafka-model §4.4).
    fn maybe_expand_isr(&mut self, partition: PartitionIdx, follower: BrokerId, ctx: &mut Ctx) {
        let Some(replica) = self.replicas.get(&partition) else {
            return;
        };
        let Role::Leader(state) = &replica.role else {
            return;
        };
        if state.isr.pending.is_some() || state.isr.committed.contains(&follower) {
            return;
        }
        let f = &state.followers[&follower];
        let Some(f_leo) = f.log_end_offset else {
            return;
        };
        let eligible = f.broker_epoch.is_some_and(|e| self.image.is_isr_eligible(follower, e));
        if f_leo < replica.high_watermark || f_leo < state.leader_epoch_start_offset || !eligible {
            return;
        }
        let mut proposed = state.isr.committed.clone();
        proposed.push(follower);
        ctx.emit(EventKind::IsrExpandProposed {
            partition,
            leader: self.id,
            added: follower,
            follower_leo: f_leo,
            high_watermark: replica.high_watermark,
        });
        self.propose_isr(partition, proposed, ctx);
    }

    /// The `isr-expiration` task (kafka-model §4.2).
    fn maybe_shrink_isrs(&mut self, ctx: &mut Ctx) {
        let lag_max = ctx.catalog.config.replica_lag_time_max_ms;
        let mut proposals = Vec::new();
        for replica in self.replicas.values() {
            let Role::Leader(state) = &replica.role else {
                continue;
            };
            if state.isr.pending.is_some() {
                continue;
            }
            let leo = replica.log_end_offset();
            let out_of_sync: Vec<BrokerId> = state
                .isr
                .committed
                .iter()
                .copied()
                .filter(|b| {
                    *b != self.id && state.followers.get(b).is_some_and(|f| !f.is_caught_up(leo, ctx.now, lag_max))
                })
                .collect();
            if !out_of_sync.is_empty() {
                let proposed = state.isr.committed.iter().copied().filter(|b| !out_of_sync.contains(b)).collect();
                proposals.push((replica.partition, out_of_sync, proposed));
            }
        }
        for (partition, removed, proposed) in proposals {
            ctx.emit(EventKind::IsrShrinkProposed { partition, leader: self.id, removed, lag_time_max_ms: lag_max });
            self.propose_isr(partition, proposed, ctx);
        }
    }

    /// Sends AlterPartition; one in flight per partition (kafka-model §4.5).
    fn propose_isr(&mut self, partition: PartitionIdx, proposed: Vec<BrokerId>, ctx: &mut Ctx) {
        let request_id = self.next_id();
        let me = self.id;
        let my_epoch = self.broker_epoch.unwrap_or(0);
        let replica = self.replicas.get_mut(&partition).expect("leader replica");
        let leader_epoch = replica.leader_epoch;
        let state = replica.leader_state_mut().expect("leader");
        let new_isr = proposed
            .iter()
            .map(|b| {
                (*b, if *b == me { my_epoch } else { state.followers.get(b).and_then(|f| f.broker_epoch).unwrap_or(0) })
            })
            .collect();
        let partition_epoch = state.isr.partition_epoch;
        state.isr.pending = Some((proposed, request_id));
        ctx.observe(Observation::LeaderIsrChanged { partition });
        ctx.send(
            NodeId::Controller,
            Message::AlterPartition { request_id, partition, leader_epoch, partition_epoch, new_isr },
        );
        ctx.set_timer(CONTROLLER_REQUEST_TIMEOUT_MS, Timer::AlterPartitionTimeout { partition, request_id });
    }

    fn on_alter_partition_response(
        &mut self,
        request_id: u64,
        partition: PartitionIdx,
        result: Result<super::metadata::PartitionRecord, ErrorCode>,
        ctx: &mut Ctx,
    ) {
        let me = self.id;
        let Some(replica) = self.replicas.get_mut(&partition) else {
            return;
        };
        let leader_epoch = replica.leader_epoch;
        let Some(state) = replica.leader_state_mut() else {
            return;
        };
        if state.isr.pending.as_ref().is_none_or(|(_, id)| *id != request_id) {
            return;
        }
        match result {
            Ok(record) => {
                state.isr.pending = None;
                if record.leader_epoch == leader_epoch && record.partition_epoch > state.isr.partition_epoch {
                    state.isr.committed = record.isr;
                    state.isr.partition_epoch = record.partition_epoch;
                }
            }
            Err(error) => {
                // `handleAlterPartitionError`: only an error that proves the change was not applied
                // reverts to the committed ISR; otherwise the proposal stays pending until newer
                // metadata arrives, so the maximal ISR never drops a member the controller may hold.
                match &mut state.isr.pending {
                    Some(_) if error == ErrorCode::IneligibleReplica => state.isr.pending = None,
                    // Answered: no retry; request id 0 is never a live request.
                    Some((_, id)) => *id = 0,
                    None => {}
                }
                ctx.emit(EventKind::AlterPartitionRejected { partition, leader: me, error });
            }
        }
        ctx.observe(Observation::LeaderIsrChanged { partition });
        self.maybe_increment_hw(partition, ctx);
    }

    // ------------------------------------------------------------------ leader side: produce (§4.6, §5.3, §5.6)

    #[allow(clippy::too_many_arguments)]
    fn on_produce(
        &mut self,
        from: NodeId,
        request_id: u64,
        partition: PartitionIdx,
        acks: Acks,
        timeout_ms: Millis,
        batch: Batch,
        ctx: &mut Ctx,
    ) {
        let respond = |ctx: &mut Ctx, result: ProduceResult| {
            if acks != Acks::None {
                ctx.send(from, Message::ProduceResponse { request_id, result });
            }
        };
        let (first_record, count) = (batch.records[0].id, batch.len() as u32);
        match self.append_as_leader(partition, acks, batch, ctx) {
            Err(error) => {
                let leader_hint = self.image.partition(partition).map(|r| PartitionLeader {
                    partition,
                    leader: r.leader,
                    leader_epoch: r.leader_epoch,
                });
                if acks == Acks::None {
                    // With acks=0 the broker closes the connection; the client refreshes metadata.
                    ctx.send(from, Message::ConnectionClosed);
                    let (first_record, count) = (first_record, count);
                    ctx.observe(Observation::Acks0Refused { broker: self.id, partition, first_record, count });
                }
                respond(ctx, ProduceResult::Error { error, leader_hint });
            }
            Ok((base_offset, end_offset, duplicate)) => {
                if let (true, NodeId::Producer(producer)) = (duplicate, from) {
                    let count = (end_offset - base_offset) as u32;
                    ctx.emit(EventKind::ProduceDeduplicated { producer, partition, base_offset, count });
                }
                match acks {
                    Acks::None => {}
                    Acks::Leader => respond(ctx, ProduceResult::Appended { base_offset }),
                    Acks::All => {
                        let park_id = self.next_id();
                        self.parked_produces
                            .insert(park_id, ParkedProduce { from, request_id, partition, base_offset, end_offset });
                        ctx.set_timer(timeout_ms, Timer::ProduceExpired { park_id });
                        // The HW may already be past it (a duplicate, or ISR = {leader}).
                        let hw = self.replicas[&partition].high_watermark;
                        if hw >= end_offset {
                            self.complete_parked_produces(partition, ctx);
                        }
                    }
                }
            }
        }
    }

    fn complete_parked_produces(&mut self, partition: PartitionIdx, ctx: &mut Ctx) {
        let min_isr = ctx.catalog.effective_min_isr(partition);
        let Some(replica) = self.replicas.get(&partition) else {
            return;
        };
        let Some(state) = replica.leader_state() else {
            return;
        };
        let (hw, maximal) = (replica.high_watermark, state.isr.maximal().len());
        let done: Vec<u64> = self
            .parked_produces
            .iter()
            .filter(|(_, p)| p.partition == partition && p.end_offset <= hw)
            .map(|(id, _)| *id)
            .collect();
        for id in done {
            let parked = self.parked_produces.remove(&id).expect("listed");
            let result = if maximal >= min_isr {
                ProduceResult::Appended { base_offset: parked.base_offset }
            } else {
                ProduceResult::Error { error: ErrorCode::NotEnoughReplicasAfterAppend, leader_hint: None }
            };
            ctx.send(parked.from, Message::ProduceResponse { request_id: parked.request_id, result });
        }
    }

    /// `Partition.appendRecordsToLeader`: returns the batch's offsets and whether it was a duplicate
    /// already in the log, or why it was refused.
    fn append_as_leader(
        &mut self,
        partition: PartitionIdx,
        acks: Acks,
        mut batch: Batch,
        ctx: &mut Ctx,
    ) -> Result<(Offset, Offset, bool), ErrorCode> {
        let min_isr = ctx.catalog.effective_min_isr(partition);
        let replica = self.replicas.get_mut(&partition).ok_or(ErrorCode::NotLeaderOrFollower)?;
        let Role::Leader(state) = &replica.role else {
            return Err(ErrorCode::NotLeaderOrFollower);
        };
        if acks == Acks::All && state.isr.committed.len() < min_isr {
            return Err(ErrorCode::NotEnoughReplicas);
        }
        if let Some(stamp) = batch.producer {
            if let Some(base_offset) = check_sequence(replica, stamp, batch.len())? {
                // A retry of a batch this log already has: answered with its original offsets.
                return Ok((base_offset, base_offset + batch.len(), true));
            }
        }
        batch.base_offset = replica.log_end_offset();
        batch.leader_epoch = replica.leader_epoch;
        let (base, end, first_record) = (batch.base_offset, batch.end_offset(), batch.records[0].id);
        replica.log.append(batch);
        ctx.observe(Observation::Appended { partition, base_offset: base, first_record });
        self.wakes.push((partition, Wake::Appended));
        self.maybe_increment_hw(partition, ctx);
        Ok((base, end, false))
    }
}

/// The idempotent producer's sequence check (kafka-model §5.6): `Ok(Some(offset))` for a duplicate of
/// one of the last 5 batches, `Ok(None)` to append, or `OUT_OF_ORDER_SEQUENCE_NUMBER`.
fn check_sequence(replica: &Replica, stamp: ProducerStamp, count: u64) -> Result<Option<Offset>, ErrorCode> {
    let retained = replica.log.producer_batches(stamp.producer_id);
    let last_sequence = stamp.base_sequence + count as u32 - 1;
    if let Some(dup) = retained.iter().find(|m| {
        m.producer_epoch == stamp.producer_epoch
            && m.base_sequence == stamp.base_sequence
            && m.last_sequence == last_sequence
    }) {
        return Ok(Some(dup.base_offset));
    }
    match retained.last() {
        None if stamp.base_sequence == 0 => Ok(None),
        Some(last) if stamp.producer_epoch > last.producer_epoch && stamp.base_sequence == 0 => Ok(None),
        Some(last)
            if stamp.producer_epoch == last.producer_epoch
                && stamp.base_sequence == last.last_sequence.wrapping_add(1) =>
        {
            Ok(None)
        }
        _ => Err(ErrorCode::OutOfOrderSequenceNumber),
    }
}

/// Where a follower truncates on `divergingEpoch` (kafka-model §3.6).
fn truncation_offset(replica: &Replica, epoch: Option<LeaderEpoch>, end_offset: Offset) -> Offset {
    let leo = replica.log_end_offset();
    let target = match epoch.map(|e| (e, replica.log.end_offset_for(e))) {
        Some((e, Some((mine, my_end)))) if mine == e => end_offset.min(my_end),
        // Its own epoch differs: truncate to its end of that epoch and ask again.
        Some((_, Some((_, my_end)))) => my_end,
        _ => end_offset,
    };
    target.min(leo)
}
