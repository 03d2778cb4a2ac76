//! A broker: its process lifecycle, its replicas, and the follower fetchers that replicate from other
//! brokers (kafka-model §3.5, §3.6); the request handling of a partition leader is in
//! `broker/leader.rs`. It learns partition state only from the metadata log it replicates from the
//! controller (kafka-model §2.1: no LeaderAndIsr push).

use super::config::{Acks, LOG_RETENTION_CHECK_INITIAL_DELAY_MS, LOG_RETENTION_CHECK_INTERVAL_MS};
use super::ctx::{Ctx, Observation};
use super::event::{ControllerEpoch, EventKind};
use super::ids::*;
use super::log::{Batch, ProducerStamp};
use super::message::*;
use super::metadata::{MetadataDelta, MetadataImage, PartitionRecord};
use super::replica::{FollowerState, IsrState, LeaderState, Replica, Role};
use super::timer::BrokerTimer;
use super::{insert_sorted, map_from, Map};

mod group_coordinator;
pub use group_coordinator::Group;
mod leader;
mod reassign;
mod retention;

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
    /// Alive but stopped (`SIGSTOP`, a long GC pause): connections open, nothing handled.
    Paused,
}

impl ProcessState {
    /// Its name, as the JSON view writes it (and the page's and the SVG's `data-state`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProcessState::Running => "running",
            ProcessState::Crashed => "crashed",
            ProcessState::Stopped => "stopped",
            ProcessState::Paused => "paused",
        }
    }
}

/// `replica.socket.timeout.ms` (30 s): a follower fetch with no answer is abandoned after this.
const REPLICA_SOCKET_TIMEOUT_MS: Millis = 30_000;
/// `controller.quorum.request.timeout.ms`: an AlterPartition with no answer is abandoned after this.
const CONTROLLER_REQUEST_TIMEOUT_MS: Millis = 2_000;
/// How long a broker told SHUTDOWN_NOW keeps answering requests before its sockets close.
const SHUTDOWN_DRAIN_MS: Millis = 10;
/// The heartbeat after the controller's first "not yet" to a controlled shutdown.
const SHUTDOWN_HEARTBEAT_MS: Millis = 50;
/// `replica.high.watermark.checkpoint.interval.ms`.
const HW_CHECKPOINT_INTERVAL_MS: Millis = 5_000;

#[derive(Clone, Debug, Default)]
struct Fetcher {
    /// The request in flight and the leader epoch of each partition it asked for.
    in_flight: Option<(u64, Vec<(PartitionIdx, LeaderEpoch)>)>,
    backoff_until_ms: Millis,
    /// When the request in flight times out.
    deadline_ms: Millis,
    /// A `FetchTimeout` is on the agenda. One at a time: fetches end long before they time out, so
    /// a timer per fetch would keep `replica.socket.timeout.ms` worth of them waiting.
    timeout_armed: bool,
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

/// An `acks=all` produce request parked until every partition in it is done (`DelayedProduce`,
/// kafka-model §4.6): the HW passed its batch, or the partition failed. Keyed by a local id (request
/// ids are only unique per client).
#[derive(Clone, Debug)]
struct ParkedProduce {
    from: NodeId,
    request_id: u64,
    partitions: Vec<ParkedPartition>,
}

/// One partition of a parked produce: its appended batch's offsets (`end_offset` 0 if it failed at
/// once), and its answer once it has one.
#[derive(Clone, Debug)]
struct ParkedPartition {
    partition: PartitionIdx,
    base_offset: Offset,
    end_offset: Offset,
    result: Option<ProduceResult>,
}

impl ParkedProduce {
    /// Answers the partitions of `partition` still waiting with `result`.
    fn settle(&mut self, partition: PartitionIdx, result: impl Fn(&ParkedPartition) -> Option<ProduceResult>) {
        for p in self.partitions.iter_mut().filter(|p| p.partition == partition && p.result.is_none()) {
            p.result = result(p);
        }
    }

    fn is_done(&self) -> bool {
        self.partitions.iter().all(|p| p.result.is_some())
    }

    /// The response: every partition's answer, `REQUEST_TIMED_OUT` for those still waiting.
    fn response(self) -> Message {
        let timed_out =
            || ProduceResult::Error { error: ErrorCode::RequestTimedOut, leader_hint: None, shortfall: None };
        let partitions =
            self.partitions.into_iter().map(|p| (p.partition, p.result.unwrap_or_else(timed_out))).collect();
        Message::ProduceResponse { request_id: self.request_id, partitions }
    }
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
    /// The broker epoch a clean shutdown wrote to the clean-shutdown file
    /// (`LogManager.readBrokerEpochFromCleanShutdownFiles`), read at the next start; kill -9 and power
    /// loss write none (kafka-model §2.3.1, §3.9).
    pub clean_shutdown_epoch: Option<BrokerEpoch>,
    pub image: MetadataImage,
    pub replicas: Map<PartitionIdx, Replica>,
    /// Slow disk: followers on this broker stop fetching.
    pub stalled: bool,
    pub want_shut_down: bool,
    /// The controller has answered a shutdown request with "not yet" (`gotControlledShutdownResponse`).
    shut_down_pending: bool,
    fetchers: Map<BrokerId, Fetcher>,
    parked_fetches: Vec<ParkedFetch>,
    parked_produces: Map<u64, ParkedProduce>,
    wakes: Vec<(PartitionIdx, Wake)>,
    next_id: u64,
    /// The groups whose `__consumer_offsets` partition it leads (kafka-model §6.4).
    pub coordinator: group_coordinator::GroupCoordinator,
}

impl Broker {
    /// `min.insync.replicas` of `partition` as this broker knows it (`Partition.effectiveMinIsr`):
    /// a change reaches a broker only through the metadata log (kafka-model §2.3.8), so one cut off
    /// from the controller keeps acting on the old value.
    pub(crate) fn min_isr(&self, partition: PartitionIdx, ctx: &Ctx) -> usize {
        let t = ctx.catalog.partitions[partition.0 as usize].topic;
        let topic = &ctx.catalog.topics[t.0 as usize];
        let configured = match self.image.configs.get(&t) {
            Some(record) => Some(record.min_insync_replicas),
            None => topic.min_insync_replicas_at_creation,
        };
        configured.unwrap_or(ctx.catalog.config.min_insync_replicas).min(topic.replication_factor) as usize
    }

    pub fn new(id: BrokerId, rack: String) -> Self {
        Broker {
            id,
            rack,
            process: ProcessState::Running,
            incarnation: 0,
            broker_epoch: None,
            clean_shutdown_epoch: None,
            image: MetadataImage::default(),
            replicas: Map::new(),
            stalled: false,
            want_shut_down: false,
            shut_down_pending: false,
            fetchers: Map::new(),
            parked_fetches: Vec::new(),
            parked_produces: Map::new(),
            wakes: Vec::new(),
            next_id: 0,
            coordinator: Default::default(),
        }
    }

    pub fn is_running(&self) -> bool {
        self.process == ProcessState::Running
    }

    /// Requests parked at this broker for `partition`: acks=all produces waiting for the high
    /// watermark to pass their records (`DelayedProduce`), and fetches waiting for data or for
    /// `fetch.max.wait.ms` (`DelayedFetch`; one fetch may wait on several partitions).
    pub fn parked_for(&self, partition: PartitionIdx) -> (u32, u32) {
        // A request with several partitions waits for each; it counts where it still waits.
        let waits = |p: &ParkedProduce| p.partitions.iter().any(|pp| pp.partition == partition && pp.result.is_none());
        let produces = self.parked_produces.values().filter(|p| waits(p)).count();
        let fetches =
            self.parked_fetches.iter().filter(|f| f.partitions.iter().any(|fp| fp.partition == partition)).count();
        (produces as u32, fetches as u32)
    }

    /// Running or paused: the process exists and holds its connections and its memory.
    pub fn is_alive(&self) -> bool {
        matches!(self.process, ProcessState::Running | ProcessState::Paused)
    }

    /// `SIGSTOP`: everything in memory stays as it is (the engine holds what reaches it).
    pub fn pause(&mut self) {
        self.process = ProcessState::Paused;
    }

    /// `SIGCONT`: on from where it stopped, with the beliefs it had.
    pub fn resume(&mut self) {
        self.process = ProcessState::Running;
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
        ctx.set_timer(phase, BrokerTimer::Tick);
        let phase = 1 + ctx.random_below(isr_check.max(1));
        ctx.set_timer(phase, BrokerTimer::IsrExpiration);
        ctx.set_timer(HW_CHECKPOINT_INTERVAL_MS, BrokerTimer::HwCheckpoint);
        ctx.set_timer(LOG_RETENTION_CHECK_INITIAL_DELAY_MS, BrokerTimer::RetentionCheck);
    }

    // ------------------------------------------------------------------ process lifecycle

    /// kill -9: the page cache survives, so the logs do (kafka-model §3.9); everything in memory goes.
    pub fn crash(&mut self) {
        self.process = ProcessState::Crashed;
        self.drop_memory();
    }

    /// Power loss (kafka-model §3.9): a crash that also loses every replica's unflushed suffix
    /// ([`Log::durable_end`](super::log::Log::durable_end)). Returns what each replica lost and
    /// the flush cutoff.
    pub fn power_off(&mut self, now: Millis) -> (Vec<(PartitionIdx, Offset, Offset)>, Millis) {
        self.crash();
        let cutoff = super::log::flushed_before_ms(now);
        let mut lost = Vec::new();
        for (p, replica) in self.replicas.iter_mut() {
            let (end, durable) = (replica.log_end_offset(), replica.log.durable_end(now));
            replica.log.truncate_to(durable);
            let kept = replica.log_end_offset();
            replica.log.mark_flushed();
            if kept < end {
                replica.power_lost = Some((kept, end));
                lost.push((*p, kept, end));
            }
        }
        (lost, cutoff)
    }

    fn drop_memory(&mut self) {
        self.incarnation += 1;
        // A clean stop writes the file again after this (`stop`).
        self.clean_shutdown_epoch = None;
        self.broker_epoch = None;
        self.want_shut_down = false;
        self.shut_down_pending = false;
        self.image = MetadataImage::default();
        for replica in self.replicas.iter_mut().map(|(_, v)| v) {
            replica.role = Role::Offline;
        }
        self.fetchers.clear();
        self.parked_fetches.clear();
        self.parked_produces.clear();
        self.wakes.clear();
        self.coordinator = Default::default();
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
            // A clean shutdown writes the HW checkpoint and flushes the log.
            replica.high_watermark_checkpoint = replica.high_watermark;
            replica.log.mark_flushed();
        }
        let epoch = self.broker_epoch;
        self.drop_memory();
        self.clean_shutdown_epoch = epoch;
        ctx.emit(EventKind::BrokerShutDown { broker: self.id });
    }

    fn send_registration(&mut self, ctx: &mut Ctx) {
        ctx.send(
            NodeId::Controller,
            Message::RegisterBroker {
                incarnation: self.incarnation,
                rack: self.rack.clone(),
                previous_broker_epoch: self.clean_shutdown_epoch,
            },
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

    pub fn on_timer(&mut self, timer: BrokerTimer, ctx: &mut Ctx) {
        match timer {
            BrokerTimer::Tick => {
                if self.broker_epoch.is_none() {
                    self.send_registration(ctx);
                } else {
                    self.send_heartbeat(ctx);
                }
                ctx.set_timer(ctx.catalog.config.broker_heartbeat_interval_ms, BrokerTimer::Tick);
            }
            BrokerTimer::IsrExpiration => {
                self.maybe_shrink_isrs(ctx);
                ctx.set_timer((ctx.catalog.config.replica_lag_time_max_ms / 2).max(1), BrokerTimer::IsrExpiration);
            }
            BrokerTimer::HwCheckpoint => {
                for replica in self.replicas.iter_mut().map(|(_, v)| v) {
                    replica.high_watermark_checkpoint = replica.high_watermark;
                }
                ctx.set_timer(HW_CHECKPOINT_INTERVAL_MS, BrokerTimer::HwCheckpoint);
            }
            BrokerTimer::GroupCheck { partition } => self.on_group_check(partition, ctx),
            BrokerTimer::RetentionCheck => {
                self.check_retention(ctx);
                ctx.set_timer(LOG_RETENTION_CHECK_INTERVAL_MS, BrokerTimer::RetentionCheck);
            }
            BrokerTimer::FetchBackoffDone { leader } => self.maybe_fetch(leader, ctx),
            BrokerTimer::FinishShutdown => self.stop(ctx),
            BrokerTimer::ShutdownHeartbeat => self.send_heartbeat(ctx),
            BrokerTimer::FetchTimeout { leader } => self.on_fetch_timeout(leader, ctx),
            BrokerTimer::ParkedFetchExpired { park_id } => {
                if let Some(i) = self.parked_fetches.iter().position(|f| f.park_id == park_id) {
                    let parked = self.parked_fetches.remove(i);
                    let (results, _) = self.read_fetch(parked.replica, &parked.client_rack, &parked.partitions, ctx);
                    ctx.send(
                        parked.from,
                        Message::FetchResponse { request_id: parked.request_id, partitions: results },
                    );
                }
            }
            BrokerTimer::ProduceExpired { park_id } => {
                if let Some(parked) = self.parked_produces.remove(&park_id) {
                    ctx.send(parked.from, parked.response());
                }
            }
            BrokerTimer::AlterPartitionTimeout { partition, request_id } => {
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
                        ctx.set_timer(SHUTDOWN_DRAIN_MS, BrokerTimer::FinishShutdown);
                    } else if self.want_shut_down && !self.shut_down_pending {
                        // `BrokerLifecycleManager`: the first "not yet" brings the next heartbeat
                        // forward to 50 ms; later ones wait `broker.heartbeat.interval.ms`.
                        self.shut_down_pending = true;
                        ctx.set_timer(SHUTDOWN_HEARTBEAT_MS, BrokerTimer::ShutdownHeartbeat);
                    }
                }
                Err(_) => self.broker_epoch = None,
            },
            Message::MetadataUpdate(delta) => self.apply_metadata(&delta, ctx),
            Message::AlterPartitionResponse { request_id, partition, result } => {
                self.on_alter_partition_response(request_id, partition, result, ctx)
            }
            Message::Fetch(request) => self.on_fetch(from, request, ctx),
            Message::FetchResponse { request_id, partitions } => {
                if let NodeId::Broker(leader) = from {
                    self.on_fetch_response(leader, request_id, partitions, ctx)
                }
            }
            Message::Produce(request) => self.on_produce(from, request, ctx),
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
            Message::ApiVersions { request_id } => ctx.send(from, Message::ApiVersionsResponse { request_id }),
            Message::ListOffsets { request_id, partitions } => {
                let results =
                    partitions.into_iter().map(|(p, epoch, spec)| (p, self.list_offset(p, epoch, spec))).collect();
                ctx.send(from, Message::ListOffsetsResponse { request_id, results });
            }
            Message::OffsetsForLeaderEpoch { request_id, partitions } => {
                let results =
                    partitions.into_iter().map(|(p, current, epoch)| (p, self.epoch_end(p, current, epoch))).collect();
                ctx.send(from, Message::OffsetsForLeaderEpochResponse { request_id, results });
            }
            Message::GroupRequest { request_id, group, request } => {
                self.on_group_request(from, request_id, group, request, ctx)
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
            self.delete_replica(partition, &record, ctx);
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
                    reassign::follow_replicas(state, &record, me, ctx.now);
                    state.isr = IsrState {
                        committed: record.isr.clone(),
                        partition_epoch: record.partition_epoch,
                        pending: None,
                        sends: 0,
                    };
                    ctx.observe(Observation::LeaderIsrChanged { partition });
                }
            } else {
                abandon_unanswered_proposal(me, replica, &record, ctx);
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
                        sends: 0,
                    },
                }));
                replica.leader_epoch = record.leader_epoch;
                ctx.emit(EventKind::BecameLeader {
                    broker: me,
                    partition,
                    leader_epoch: record.leader_epoch,
                    start_offset: leo,
                    controller: ControllerEpoch::UNKNOWN,
                });
                ctx.observe(Observation::BecameLeader { broker: me, partition, leader_epoch: record.leader_epoch });
            }
            replica.partition_epoch = record.partition_epoch;
            self.maybe_increment_hw(partition, ctx);
            return;
        }
        let was_leader = replica.is_leader();
        let epoch_changed = replica.leader_epoch != record.leader_epoch;
        abandon_unanswered_proposal(me, replica, &record, ctx);
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
            self.fail_parked_produces(&record, ctx);
            self.settle_offset_commits(partition, ctx);
        }
    }

    /// kafka-model §4.6: parked requests of a leader that lost leadership fail.
    fn fail_parked_produces(&mut self, record: &PartitionRecord, ctx: &mut Ctx) {
        let partition = record.partition;
        let hint = PartitionLeader { partition, leader: record.leader, leader_epoch: record.leader_epoch };
        let error = ErrorCode::NotLeaderOrFollower;
        for (_, parked) in self.parked_produces.iter_mut() {
            parked.settle(partition, |_| {
                Some(ProduceResult::Error { error, leader_hint: Some(hint.clone()), shortfall: None })
            });
        }
        self.send_done_produces(ctx);
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
            Message::Fetch(FetchRequest {
                request_id,
                replica: Some((self.id, broker_epoch)),
                client_rack: String::new(),
                max_wait_ms,
                partitions,
            }),
        );
        let timeout_ms = REPLICA_SOCKET_TIMEOUT_MS + max_wait_ms;
        let f = self.fetchers.get_mut(&leader).expect("inserted");
        f.deadline_ms = ctx.now + timeout_ms;
        // An armed timer falls due no later than this deadline (every fetch has the same timeout).
        if !f.timeout_armed {
            f.timeout_armed = true;
            ctx.set_timer(timeout_ms, BrokerTimer::FetchTimeout { leader });
        }
    }

    /// The fetcher's timeout timer fell due: the fetch in flight times out if its deadline has come,
    /// else the timer waits for it.
    fn on_fetch_timeout(&mut self, leader: BrokerId, ctx: &mut Ctx) {
        let Some(f) = self.fetchers.get_mut(&leader) else { return };
        f.timeout_armed = false;
        if f.in_flight.is_none() {
            return;
        }
        if f.deadline_ms <= ctx.now {
            f.in_flight = None;
            self.back_off(leader, ctx);
        } else {
            f.timeout_armed = true;
            ctx.set_timer(f.deadline_ms - ctx.now, BrokerTimer::FetchTimeout { leader });
        }
    }

    fn back_off(&mut self, leader: BrokerId, ctx: &mut Ctx) {
        let backoff = ctx.catalog.config.replica_fetch_backoff_ms;
        self.fetchers.entry(leader).or_default().backoff_until_ms = ctx.now + backoff;
        ctx.set_timer(backoff, BrokerTimer::FetchBackoffDone { leader });
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
                FetchPartitionResult::Records { batches, high_watermark, log_start_offset } => {
                    progressed = true;
                    let config = &ctx.catalog.topic(partition).config.log;
                    for batch in batches {
                        if batch.base_offset == replica.log_end_offset() {
                            replica.log.append(batch, ctx.now, config);
                        }
                    }
                    let hw = high_watermark.min(replica.log_end_offset());
                    if hw != replica.high_watermark {
                        let from = std::mem::replace(&mut replica.high_watermark, hw);
                        ctx.observe(Observation::FollowerHwChanged { broker: self.id, partition, from, to: hw });
                    }
                    retention::follow_log_start_offset(self.id, leader, replica, log_start_offset, ctx);
                }
                FetchPartitionResult::OffsetOutOfRange { log_start_offset, log_end_offset } => {
                    progressed = true;
                    retention::fetch_offset_and_truncate(
                        self.id,
                        leader,
                        replica,
                        log_start_offset..log_end_offset,
                        ctx,
                    );
                }
                FetchPartitionResult::Diverging { epoch, end_offset } => {
                    progressed = true;
                    let from = replica.log_end_offset();
                    // One fetch at a time per leader: the log is as it was when the fetch left.
                    let last_fetched_epoch = replica.log.last_batch_epoch();
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
                        fetch_offset: from,
                        last_fetched_epoch,
                        diverging_epoch: epoch,
                        end_offset,
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

/// A leader that learns a newer leader epoch from metadata drops the AlterPartition it is still
/// waiting on: the controller refuses a stale leader epoch (kafka-model §4.5), and no answer came.
fn abandon_unanswered_proposal(me: BrokerId, replica: &Replica, record: &PartitionRecord, ctx: &mut Ctx) {
    let Some(state) = replica.leader_state() else { return };
    // Request id 0: answered with an error already (its own event).
    let Some((proposed, _)) = state.isr.pending.as_ref().filter(|(_, id)| *id != 0) else { return };
    if record.leader_epoch > replica.leader_epoch {
        ctx.emit(EventKind::AlterPartitionAbandoned {
            partition: replica.partition,
            broker: me,
            proposed_isr: proposed.clone(),
            leader_epoch: replica.leader_epoch,
            sends: state.isr.sends,
            new_leader_epoch: record.leader_epoch,
            new_leader: record.leader,
        });
    }
}
