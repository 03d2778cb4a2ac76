//! The active KRaft controller (kafka-model §2.2–2.3, §3.2, §4.3, §4.5, §4.8): broker registration,
//! heartbeats and fencing, leader election, ISR changes, and the metadata log brokers replicate.
//! One active controller; the quorum and its failover are a later addition (the state here is what
//! every voter would hold).

use super::catalog::Catalog;
use super::ctx::{Ctx, Observation};
use super::error::CommandError;
use super::event::{ChangeReason, ElrElection, EventKind};
use super::ids::*;
use super::message::{ErrorCode, HeartbeatAnswer, Message};
use super::metadata::{BrokerRegistration, LeaderRecoveryState, MetadataDelta, PartitionRecord, TopicConfigRecord};
use super::placement::{self, Draw, UsableBroker};
use super::timer::ControllerTimer;
use super::Map;
use elr::ElrRules;
use std::rc::Rc;

mod elr;
mod failover;
mod reassign;
mod rebalance;
use rebalance::ImbalanceSchedule;

#[derive(Clone, Debug)]
pub struct ControllerBroker {
    pub registration: BrokerRegistration,
    pub last_heartbeat_ms: Millis,
    pub incarnation: u32,
    /// A `SessionExpiry` for this broker is on the agenda. One at a time, re-armed when it falls
    /// due before the session ends: a timer per heartbeat would keep
    /// `broker.session.timeout.ms / broker.heartbeat.interval.ms` of them waiting.
    pub expiry_armed: bool,
    /// The metadata offset its last heartbeat reported (`BrokerHeartbeatState.metadataOffset`).
    pub metadata_offset: u64,
    /// In controlled shutdown: the offset of the records that moved its leaderships away
    /// (`controlledShutdownOffset`, kafka-model §2.3.6).
    pub shutdown_offset: Option<u64>,
}

#[derive(Clone, Debug, Default)]
pub struct Controller {
    pub brokers: Map<BrokerId, ControllerBroker>,
    /// Indexed by `PartitionIdx`.
    pub partitions: Vec<PartitionRecord>,
    /// Offset of the last committed metadata record.
    pub metadata_offset: u64,
    /// Offset up to which commits were sent to the brokers.
    published_offset: u64,
    /// When the next unclean-election sweep runs, if one is scheduled (kafka-model §4.8).
    pub unclean_sweep_at_ms: Option<Millis>,
    /// Partitions not led by their preferred replica (kafka-model §3.8).
    imbalanced: u32,
    balance: ImbalanceSchedule,
    /// When the next leader imbalance check runs, if one is scheduled (kafka-model §3.8).
    pub balance_check_at_ms: Option<Millis>,
    /// The last `min.insync.replicas` change of each topic changed since the start.
    configs: Vec<TopicConfigRecord>,
}

impl Controller {
    /// A cluster that is already up: every broker registered and unfenced at epoch `offset`, so that
    /// scenarios start from the steady state kafka-model §9 assumes.
    pub fn bootstrap(catalog: &Catalog) -> Self {
        let mut c = Controller::default();
        for (id, rack) in &catalog.brokers {
            c.metadata_offset += 1;
            c.brokers.insert(
                *id,
                ControllerBroker {
                    registration: BrokerRegistration {
                        broker: *id,
                        rack: rack.clone(),
                        broker_epoch: c.metadata_offset,
                        fenced: false,
                        in_controlled_shutdown: false,
                        offset: c.metadata_offset,
                    },
                    last_heartbeat_ms: 0,
                    incarnation: 0,
                    // `Engine::new` arms every broker's expiry at time 0.
                    expiry_armed: true,
                    metadata_offset: 0,
                    shutdown_offset: None,
                },
            );
        }
        c.published_offset = c.metadata_offset;
        c
    }

    /// Everything committed after `from_offset` (what a broker that is at `from_offset` lacks).
    pub fn delta_since(&self, from_offset: u64) -> MetadataDelta {
        MetadataDelta {
            from_offset,
            to_offset: self.metadata_offset,
            partitions: self.partitions.iter().filter(|p| p.offset > from_offset).cloned().collect(),
            brokers: self
                .brokers
                .values()
                .filter(|b| b.registration.offset > from_offset)
                .map(|b| b.registration.clone())
                .collect(),
            configs: self.configs.iter().filter(|c| c.offset > from_offset).cloned().collect(),
        }
    }

    /// Commits a topic's new `min.insync.replicas` to the metadata log and sends it to the brokers,
    /// which apply it when it reaches them (`ConfigRecord`, kafka-model §2.3.8).
    pub fn commit_topic_config(&mut self, topic: TopicIdx, min_insync_replicas: u32, ctx: &mut Ctx) {
        self.metadata_offset += 1;
        let record = TopicConfigRecord { topic, min_insync_replicas, offset: self.metadata_offset };
        match self.configs.iter_mut().find(|c| c.topic == topic) {
            Some(old) => *old = record,
            None => self.configs.push(record),
        }
        self.publish(ctx);
    }

    fn is_acceptable_leader(&self, broker: BrokerId) -> bool {
        // `ClusterControlManager.isActive`: registered, unfenced, not shutting down (kafka-model §3.2).
        self.brokers.get(&broker).is_some_and(|b| !b.registration.fenced && !b.registration.in_controlled_shutdown)
    }

    /// Places a new topic's replicas with Kafka's `StripedReplicaPlacer` (kafka-model §3.1,
    /// [`placement`](super::placement)) over the usable brokers: registered and not in controlled
    /// shutdown. `draw` is the engine's PRNG; it is not called when the topic is refused.
    pub fn place_replicas(&self, partitions: u32, rf: u32, draw: &mut Draw) -> Result<Vec<Vec<BrokerId>>, String> {
        let usable: Vec<UsableBroker> = self
            .brokers
            .values()
            .filter(|b| !b.registration.in_controlled_shutdown)
            .map(|b| UsableBroker {
                id: b.registration.broker,
                rack: b.registration.rack.as_str(),
                fenced: b.registration.fenced,
            })
            .collect();
        placement::place(&usable, partitions, rf, draw)
    }

    /// Kafka's check of a manual assignment against the brokers' state when the topic is created
    /// (`ReplicationControlManager.createTopic`): each partition needs a broker that can lead it.
    /// The rest (sizes, duplicates, unknown brokers) the input contract checked
    /// ([`rules`](super::rules)).
    pub fn check_manual_assignment(&self, lists: &[Vec<BrokerId>]) -> Result<(), CommandError> {
        match lists.iter().position(|list| !list.iter().any(|b| self.is_acceptable_leader(*b))) {
            Some(i) => Err(CommandError::new(
                format!("replica.assignment[{i}]"),
                format!(
                    "all brokers specified in the manual partition assignment for partition {i} are fenced or in \
                     controlled shutdown"
                ),
            )),
            None => Ok(()),
        }
    }

    /// Creates the partitions of a new topic: ISR = the acceptable replicas, leader = the first of
    /// them (kafka-model §3.1).
    pub fn create_partitions(&mut self, assignments: Vec<(PartitionIdx, Vec<BrokerId>)>, ctx: &mut Ctx) {
        let mut changed = Vec::new();
        for (partition, replicas) in assignments {
            let isr: Vec<BrokerId> = replicas.iter().copied().filter(|b| self.is_acceptable_leader(*b)).collect();
            let leader = isr.first().copied();
            self.metadata_offset += 1;
            let record = PartitionRecord {
                partition,
                replicas,
                isr,
                leader,
                leader_epoch: 0,
                partition_epoch: 0,
                leader_recovery_state: LeaderRecoveryState::Recovered,
                elr: Vec::new(),
                last_known_elr: Vec::new(),
                adding_replicas: Vec::new(),
                removing_replicas: Vec::new(),
                offset: self.metadata_offset,
            };
            debug_assert_eq!(self.partitions.len(), partition.0 as usize);
            self.track_imbalance(false, rebalance::is_imbalanced(&record));
            self.partitions.push(record);
            changed.push(partition);
            ctx.observe(Observation::PartitionChanged { partition, unclean: false });
        }
        self.publish(ctx);
    }

    // ---------------------------------------------------------------- broker lifecycle (§2.3)

    pub fn on_message(&mut self, from: NodeId, message: Message, ctx: &mut Ctx) {
        let NodeId::Broker(broker) = from else { return };
        match message {
            Message::RegisterBroker { incarnation, rack, previous_broker_epoch } => {
                self.on_register(broker, incarnation, rack, previous_broker_epoch, ctx)
            }
            Message::BrokerHeartbeat { broker_epoch, metadata_offset, want_shut_down } => {
                self.on_heartbeat(broker, broker_epoch, metadata_offset, want_shut_down, ctx)
            }
            Message::AlterPartition { request_id, partition, leader_epoch, partition_epoch, new_isr } => {
                let result = self.on_alter_partition(broker, partition, leader_epoch, partition_epoch, &new_isr, ctx);
                ctx.send(from, Message::AlterPartitionResponse { request_id, partition, result });
            }
            _ => {}
        }
    }

    fn on_register(
        &mut self,
        broker: BrokerId,
        incarnation: u32,
        rack: String,
        previous_broker_epoch: Option<BrokerEpoch>,
        ctx: &mut Ctx,
    ) {
        if let Some(existing) = self.brokers.get(&broker) {
            let session_alive = !existing.registration.fenced
                && ctx.now < existing.last_heartbeat_ms + ctx.catalog.config.broker_session_timeout_ms;
            if session_alive && existing.incarnation != incarnation {
                // kafka-model §2.3.1: a quickly rebooted broker waits for its old session to expire.
                ctx.emit(EventKind::RegistrationRejected { broker, error: ErrorCode::DuplicateBrokerRegistration });
                ctx.send(
                    NodeId::Broker(broker),
                    Message::RegisterBrokerResponse {
                        incarnation,
                        result: Err(ErrorCode::DuplicateBrokerRegistration),
                    },
                );
                return;
            }
        }
        // `ClusterControlManager.registerBroker`: a new incarnation whose PreviousBrokerEpoch is not
        // the registered epoch shut down uncleanly; its records come before the registration's.
        let previous = self.brokers.get(&broker).map(|b| (b.incarnation, b.registration.broker_epoch));
        if let Some((old_incarnation, epoch)) = previous {
            if old_incarnation != incarnation && previous_broker_epoch != Some(epoch) && ctx.catalog.elr_enabled() {
                self.handle_unclean_shutdown(broker, ctx);
            }
        }
        self.metadata_offset += 1;
        let registration = BrokerRegistration {
            broker,
            rack,
            broker_epoch: self.metadata_offset,
            fenced: true, // kafka-model §2.3.2: a new registration starts fenced.
            in_controlled_shutdown: false,
            offset: self.metadata_offset,
        };
        let broker_epoch = registration.broker_epoch;
        let expiry_armed = self.brokers.get(&broker).is_some_and(|b| b.expiry_armed);
        let entry = ControllerBroker {
            registration,
            last_heartbeat_ms: ctx.now,
            incarnation,
            expiry_armed,
            metadata_offset: 0,
            shutdown_offset: None,
        };
        self.brokers.insert(broker, entry);
        ctx.emit(EventKind::BrokerRegistered { broker, broker_epoch });
        ctx.send(NodeId::Broker(broker), Message::RegisterBrokerResponse { incarnation, result: Ok(broker_epoch) });
        self.publish(ctx);
    }

    fn on_heartbeat(
        &mut self,
        broker: BrokerId,
        broker_epoch: BrokerEpoch,
        metadata_offset: u64,
        want_shut_down: bool,
        ctx: &mut Ctx,
    ) {
        let Some(entry) = self.brokers.get_mut(&broker) else {
            return;
        };
        if entry.registration.broker_epoch != broker_epoch {
            let metadata = Rc::new(MetadataDelta::default());
            ctx.send(
                NodeId::Broker(broker),
                Message::BrokerHeartbeatResponse { result: Err(ErrorCode::StaleBrokerEpoch), metadata },
            );
            return;
        }
        entry.last_heartbeat_ms = ctx.now;
        let session_ms = ctx.catalog.config.broker_session_timeout_ms;
        if !entry.expiry_armed {
            entry.expiry_armed = true;
            ctx.set_timer(session_ms, ControllerTimer::SessionExpiry { broker });
        }
        let reg = entry.registration.clone();
        entry.metadata_offset = metadata_offset;

        let mut shut_down_now = false;
        if want_shut_down {
            shut_down_now = reg.fenced || self.may_shut_down(broker, ctx);
        } else if reg.fenced && metadata_offset >= reg.offset {
            // kafka-model §2.3.2: unfenced once it has caught up with its own registration record.
            self.unfence(broker, ctx);
        }
        let fenced = self.brokers[&broker].registration.fenced;
        let metadata = Rc::new(self.delta_since(metadata_offset));
        ctx.send(
            NodeId::Broker(broker),
            Message::BrokerHeartbeatResponse { result: Ok(HeartbeatAnswer { fenced, shut_down_now }), metadata },
        );
    }

    /// `BrokerHeartbeatManager.calculateNextBrokerState` for a broker that wants to shut down
    /// (kafka-model §2.3.6): leaderships move away first, and SHUTDOWN_NOW only once every active
    /// broker (unfenced, not shutting down) has reported a metadata offset that includes the move,
    /// so that no broker still sends clients to it.
    fn may_shut_down(&mut self, broker: BrokerId, ctx: &mut Ctx) -> bool {
        let Some(shutdown_offset) = self.brokers[&broker].shutdown_offset else {
            let leads = self.partitions.iter().any(|p| p.leader == Some(broker));
            self.begin_controlled_shutdown(broker, ctx);
            if leads {
                self.brokers.get_mut(&broker).expect("registered broker").shutdown_offset = Some(self.metadata_offset);
            } else {
                // It leads nothing: an immediate shutdown.
                self.set_fenced(broker, true, false);
            }
            self.publish(ctx);
            return !leads;
        };
        let lowest_active_offset = self
            .brokers
            .values()
            .filter(|b| !b.registration.fenced && !b.registration.in_controlled_shutdown)
            .map(|b| b.metadata_offset)
            .min();
        if lowest_active_offset.is_some_and(|low| low < shutdown_offset) {
            return false;
        }
        ctx.emit(EventKind::ControlledShutdownGranted { broker, lowest_active_offset, shutdown_offset });
        // Its session ends with the process.
        self.set_fenced(broker, true, false);
        self.publish(ctx);
        true
    }

    /// The session check scheduled at the heartbeat deadline (`rescheduleMaybeFenceStaleBrokers`).
    pub fn on_session_expiry(&mut self, broker: BrokerId, ctx: &mut Ctx) {
        let session_ms = ctx.catalog.config.broker_session_timeout_ms;
        let Some(entry) = self.brokers.get_mut(&broker) else {
            return;
        };
        entry.expiry_armed = false;
        if entry.registration.fenced {
            return;
        }
        let session_ends_ms = entry.last_heartbeat_ms + session_ms;
        if ctx.now < session_ends_ms {
            entry.expiry_armed = true;
            ctx.set_timer(session_ends_ms - ctx.now, ControllerTimer::SessionExpiry { broker });
            return;
        }
        let silent_ms = ctx.now - entry.last_heartbeat_ms;
        self.set_fenced(broker, true, false);
        ctx.emit(EventKind::BrokerFenced { broker, silent_ms });
        // kafka-model §2.3.4: out of every ISR at once, new leaders where it led.
        self.remove_from_isrs(broker, ChangeReason::BrokerFenced(broker), ctx);
    }

    fn begin_controlled_shutdown(&mut self, broker: BrokerId, ctx: &mut Ctx) {
        self.set_fenced(broker, false, true);
        ctx.emit(EventKind::ControlledShutdownStarted { broker });
        self.remove_from_isrs(broker, ChangeReason::ControlledShutdown(broker), ctx);
    }

    fn unfence(&mut self, broker: BrokerId, ctx: &mut Ctx) {
        self.set_fenced(broker, false, false);
        ctx.emit(EventKind::BrokerUnfenced { broker });
        // kafka-model §3.2: leaderless partitions that this broker can now lead get an election.
        let mut changes = Vec::new();
        for record in &self.partitions {
            if record.leader.is_none() && record.replicas.contains(&broker) {
                let unclean = ctx.catalog.unclean_leader_election_enable(record.partition);
                let rules = self.elr_rules(record.partition, ctx);
                if let Some(change) = self.elect(record, record.isr.clone(), unclean, &rules) {
                    changes.push(change);
                }
            }
        }
        self.commit_changes(changes, ChangeReason::BrokerUnfenced(broker), ctx);
        self.publish(ctx);
    }

    fn set_fenced(&mut self, broker: BrokerId, fenced: bool, in_controlled_shutdown: bool) {
        self.metadata_offset += 1;
        let entry = self.brokers.get_mut(&broker).expect("registered broker");
        entry.registration.fenced = fenced;
        entry.registration.in_controlled_shutdown = in_controlled_shutdown;
        entry.registration.offset = self.metadata_offset;
        if fenced {
            entry.shutdown_offset = None;
        }
    }

    /// `generateLeaderAndIsrUpdates`: drop `broker` from every ISR, electing where it led. The last ISR
    /// member stays (ELR off, kafka-model §2.3.4, §4.3) and the partition goes leaderless.
    fn remove_from_isrs(&mut self, broker: BrokerId, reason: ChangeReason, ctx: &mut Ctx) {
        let mut changes = Vec::new();
        for record in &self.partitions {
            if !record.isr.contains(&broker) {
                continue;
            }
            let target: Vec<BrokerId> = record.isr.iter().copied().filter(|b| *b != broker).collect();
            let unclean = ctx.catalog.unclean_leader_election_enable(record.partition);
            if let Some(change) = self.elect(record, target, unclean, &self.elr_rules(record.partition, ctx)) {
                changes.push(change);
            }
        }
        self.commit_changes(changes, reason, ctx);
        self.publish(ctx);
    }

    /// The unclean-election sweep (kafka-model §4.8), for topics that allow it.
    pub fn on_unclean_sweep(&mut self, ctx: &mut Ctx) {
        self.unclean_sweep_at_ms = None;
        let mut changes = Vec::new();
        for record in &self.partitions {
            if record.leader.is_none() && ctx.catalog.unclean_leader_election_enable(record.partition) {
                let rules = self.elr_rules(record.partition, ctx);
                if let Some(change) = self.elect(record, record.isr.clone(), true, &rules) {
                    changes.push(change);
                }
            }
        }
        self.commit_changes(changes, ChangeReason::UncleanSweep, ctx);
        self.publish(ctx);
        self.schedule_unclean_sweep(ctx);
    }

    /// Keeps the periodic sweep running while any topic allows unclean election.
    pub fn schedule_unclean_sweep(&mut self, ctx: &mut Ctx) {
        let any = (0..ctx.catalog.partitions.len())
            .any(|p| ctx.catalog.unclean_leader_election_enable(PartitionIdx(p as u32)));
        if any && self.unclean_sweep_at_ms.is_none() {
            self.unclean_sweep_at_ms = Some(ctx.now + ctx.catalog.config.unclean_leader_election_interval_ms);
            ctx.set_timer(ctx.catalog.config.unclean_leader_election_interval_ms, ControllerTimer::UncleanSweep);
        }
    }

    /// `handleBrokerUncleanShutdown` (ELR on, kafka-model §2.3.1, §4.9): out of every ISR and ELR,
    /// since a broker that did not shut down cleanly may have lost unflushed records.
    fn handle_unclean_shutdown(&mut self, broker: BrokerId, ctx: &mut Ctx) {
        let mut changes = Vec::new();
        for record in &self.partitions {
            if !record.isr.contains(&broker) && !record.elr.contains(&broker) {
                continue;
            }
            let target: Vec<BrokerId> = record.isr.iter().copied().filter(|b| *b != broker).collect();
            let unclean = ctx.catalog.unclean_leader_election_enable(record.partition);
            let rules = ElrRules { unclean_shutdown: Some(broker), ..self.elr_rules(record.partition, ctx) };
            if let Some(change) = self.elect(record, target, unclean, &rules) {
                changes.push(change);
            }
        }
        let partitions = changes.iter().map(|(r, _)| r.partition).collect();
        ctx.emit(EventKind::UncleanShutdownDetected { broker, partitions });
        self.commit_changes(changes, ChangeReason::UncleanShutdown(broker), ctx);
    }

    /// A topic's `min.insync.replicas` changed: its partitions' ELR fields are cleared (kafka-model
    /// §4.9).
    pub fn clear_elr(&mut self, partitions: &[PartitionIdx], ctx: &mut Ctx) {
        let mut changes = Vec::new();
        for p in partitions {
            let record = &self.partitions[p.0 as usize];
            if record.elr.is_empty() && record.last_known_elr.is_empty() {
                continue;
            }
            let mut next = record.clone();
            next.elr.clear();
            next.last_known_elr.clear();
            next.partition_epoch += 1;
            changes.push((next, false));
        }
        self.commit_changes(changes, ChangeReason::MinIsrChanged, ctx);
        self.publish(ctx);
    }

    // ---------------------------------------------------------------- elections (§3.2)

    /// `PartitionChangeBuilder.build` for an online election: keep a valid leader, else the first
    /// acceptable replica in `replicas` order that is in the target ISR (or, with an empty ISR, in the
    /// ELR), else the last known leader (ELR on), else (unclean allowed) the first acceptable replica,
    /// else no leader. Without ELR an empty target keeps the ISR as it is (kafka-model §2.3.4, §4.9).
    /// `None` when nothing changes.
    fn elect(
        &self,
        record: &PartitionRecord,
        target_isr: Vec<BrokerId>,
        unclean_allowed: bool,
        rules: &ElrRules,
    ) -> Option<(PartitionRecord, bool)> {
        self.build(record, record.clone(), target_isr, unclean_allowed, rules)
    }

    /// [`elect`](Self::elect) from `staged`: `record` with the builder's target replicas already
    /// set (a reassignment's, [`reassign`]). Kafka's `build` order: `completeReassignmentIfNeeded`,
    /// `maybePopulateTargetElr`, `tryElection`, `triggerLeaderEpochBumpForReplicaReassignmentIfNeeded`.
    fn build(
        &self,
        record: &PartitionRecord,
        mut next: PartitionRecord,
        target_isr: Vec<BrokerId>,
        unclean_allowed: bool,
        rules: &ElrRules,
    ) -> Option<(PartitionRecord, bool)> {
        next.isr = target_isr;
        reassign::complete_if_needed(&mut next);
        let target_isr = std::mem::take(&mut next.isr);
        next.elr = elr::target_elr(record, &target_isr, rules);
        next.elr.retain(|b| next.replicas.contains(b));
        next.isr = target_isr;
        let acceptable = |b: BrokerId| self.is_acceptable_leader(b) && rules.unclean_shutdown != Some(b);
        let valid = |b: &BrokerId| elr::may_lead_cleanly(&next, *b) && acceptable(*b);
        let mut unclean = false;
        let keep = record.leader.filter(valid);
        let leader = keep
            .or_else(|| next.replicas.iter().copied().find(valid))
            .or_else(|| {
                let last = rules.enabled.then(|| elr::last_known_leader(record, &next, acceptable)).flatten();
                unclean = last.is_some();
                last
            })
            .or_else(|| {
                if !unclean_allowed {
                    return None;
                }
                let chosen = next.replicas.iter().copied().find(|r| acceptable(*r));
                unclean = chosen.is_some();
                chosen
            });
        if let Some(l) = leader.filter(|l| Some(*l) != record.leader && next.elr.contains(l)) {
            // `tryElection`: a leader from the ELR is the whole ISR and leaves the ELR.
            next.isr = vec![l];
            next.elr.retain(|b| *b != l);
        }
        if unclean {
            // kafka-model §4.8: ISR := [new leader], RECOVERING.
            next.isr = vec![leader.expect("unclean leader")];
            next.leader_recovery_state = LeaderRecoveryState::Recovering;
        }
        if next.isr.is_empty() && !rules.enabled {
            next.isr = record.isr.clone();
        }
        next.leader = leader;
        elr::settle(record, &mut next, unclean, rules);
        // A replica that leaves the list must see a new leader epoch (kafka-model §3.2).
        if next.leader != record.leader || !record.replicas.iter().all(|r| next.replicas.contains(r)) {
            next.leader_epoch += 1;
        }
        if next == *record {
            return None;
        }
        next.partition_epoch += 1;
        Some((next, unclean))
    }

    /// What a change of `partition` needs to know of ELR (kafka-model §4.9).
    pub(super) fn elr_rules(&self, partition: PartitionIdx, ctx: &Ctx) -> ElrRules {
        let min_isr = ctx.catalog.effective_min_isr(partition);
        ElrRules { enabled: ctx.catalog.elr_enabled(), min_isr, unclean_shutdown: None }
    }

    /// Replicas outside the ISR that could lead if unclean election allowed it (kafka-model §4.8).
    fn available_out_of_sync(&self, record: &PartitionRecord) -> Vec<BrokerId> {
        let out_of_sync = record.replicas.iter().filter(|r| !record.isr.contains(r));
        out_of_sync.copied().filter(|r| self.is_acceptable_leader(*r)).collect()
    }

    fn commit_changes(&mut self, changes: Vec<(PartitionRecord, bool)>, reason: ChangeReason, ctx: &mut Ctx) {
        for (mut next, unclean) in changes {
            self.metadata_offset += 1;
            next.offset = self.metadata_offset;
            let partition = next.partition;
            let previous = std::mem::replace(&mut self.partitions[partition.0 as usize], next);
            let now_imbalanced = rebalance::is_imbalanced(&self.partitions[partition.0 as usize]);
            self.track_imbalance(rebalance::is_imbalanced(&previous), now_imbalanced);
            let next = &self.partitions[partition.0 as usize];
            let available = self.available_out_of_sync(next);
            describe_change(&previous, next, unclean, reason.clone(), &available, ctx);
            ctx.observe(Observation::PartitionChanged { partition, unclean });
        }
    }

    // ---------------------------------------------------------------- AlterPartition (§4.5)

    fn on_alter_partition(
        &mut self,
        leader: BrokerId,
        partition: PartitionIdx,
        leader_epoch: LeaderEpoch,
        partition_epoch: PartitionEpoch,
        new_isr: &[(BrokerId, BrokerEpoch)],
        ctx: &mut Ctx,
    ) -> Result<PartitionRecord, ErrorCode> {
        // `validateAlterPartitionData`, in its order.
        let record = self.partitions.get(partition.0 as usize).ok_or(ErrorCode::UnknownTopicOrPartition)?;
        if leader_epoch < record.leader_epoch {
            return Err(ErrorCode::FencedLeaderEpoch);
        }
        if record.leader != Some(leader) || leader_epoch > record.leader_epoch {
            return Err(ErrorCode::InvalidRequest);
        }
        if partition_epoch != record.partition_epoch {
            return Err(ErrorCode::InvalidUpdateVersion);
        }
        let ids: Vec<BrokerId> = new_isr.iter().map(|(b, _)| *b).collect();
        if !ids.contains(&leader) || ids.iter().any(|b| !record.replicas.contains(b)) {
            return Err(ErrorCode::InvalidRequest);
        }
        // A leader elected uncleanly marks itself RECOVERED when it takes over and says so in its
        // AlterPartition; a RECOVERING request with more than one member would be refused (KIP-704).
        let eligible = |(b, epoch): &(BrokerId, BrokerEpoch)| {
            *b == leader
                || self.brokers.get(b).is_some_and(|e| {
                    !e.registration.fenced
                        && !e.registration.in_controlled_shutdown
                        && e.registration.broker_epoch == *epoch
                })
        };
        if !new_isr.iter().all(eligible) {
            return Err(ErrorCode::IneligibleReplica);
        }
        let mut next = record.clone();
        // The leader that proposes marks itself recovered (kafka-model §4.8).
        next.leader_recovery_state = LeaderRecoveryState::Recovered;
        if reassign::in_progress(record) {
            let (record, isr) = (record.clone(), ordered_like(&ids, &record.replicas));
            return self.alter_reassigning_partition(&record, next, isr, leader, ctx);
        }
        next.isr = ordered_like(&ids, &record.replicas);
        // The builder runs for an AlterPartition too: a shrink below min ISR fills the ELR (§4.9).
        let rules = self.elr_rules(partition, ctx);
        next.elr = elr::target_elr(record, &next.isr, &rules);
        elr::settle(record, &mut next, false, &rules);
        next.partition_epoch += 1; // MV >= 3.6: an ISR-only change keeps the leader epoch (§3.2).
        self.commit_changes(vec![(next, false)], ChangeReason::AlterPartition(leader), ctx);
        self.publish(ctx);
        Ok(self.partitions[partition.0 as usize].clone())
    }

    /// Sends what was committed since the last publish to every registered broker (brokers replicate
    /// the metadata log; kafka-model §2.3.8).
    fn publish(&mut self, ctx: &mut Ctx) {
        // `QuorumController`: after every write.
        self.maybe_schedule_balance(ctx);
        let delta = Rc::new(self.delta_since(self.published_offset));
        self.published_offset = self.metadata_offset;
        if delta.is_empty() {
            return;
        }
        for broker in self.brokers.keys() {
            ctx.send(NodeId::Broker(*broker), Message::MetadataUpdate(delta.clone()));
        }
    }
}

/// Sorts ISR members in assignment order, so that the view and the logs read the same everywhere.
pub fn ordered_like(members: &[BrokerId], replicas: &[BrokerId]) -> Vec<BrokerId> {
    replicas.iter().copied().filter(|r| members.contains(r)).collect()
}

fn describe_change(
    previous: &PartitionRecord,
    next: &PartitionRecord,
    unclean: bool,
    reason: ChangeReason,
    available_out_of_sync: &[BrokerId],
    ctx: &mut Ctx,
) {
    let partition = next.partition;
    let mut removed: Vec<BrokerId> = previous.isr.iter().copied().filter(|b| !next.isr.contains(b)).collect();
    let mut added: Vec<BrokerId> = next.isr.iter().copied().filter(|b| !previous.isr.contains(b)).collect();
    if let Some(completed) = reassign::completion(previous, next, &reason) {
        // The completion says how the ISR changed: the adding replicas in, the removing ones out.
        ctx.emit(completed);
        removed.clear();
        added.clear();
    }
    if next.leader != previous.leader {
        match next.leader {
            Some(leader) => ctx.emit(EventKind::LeaderElected {
                partition,
                leader,
                previous: previous.leader,
                leader_epoch: next.leader_epoch,
                isr: next.isr.clone(),
                unclean,
                reason: reason.clone(),
            }),
            None => ctx.emit(EventKind::PartitionOffline {
                partition,
                leader_epoch: next.leader_epoch,
                isr: next.isr.clone(),
                reason: reason.clone(),
                unclean_leader_election_enable: ctx.catalog.unclean_leader_election_enable(partition),
                available_out_of_sync: available_out_of_sync.to_vec(),
            }),
        }
    } else if !removed.is_empty() {
        ctx.emit(EventKind::IsrShrunk {
            partition,
            removed,
            isr: next.isr.clone(),
            partition_epoch: next.partition_epoch,
            reason: reason.clone(),
        });
    } else if !added.is_empty() {
        ctx.emit(EventKind::IsrExpanded {
            partition,
            added,
            isr: next.isr.clone(),
            partition_epoch: next.partition_epoch,
        });
    }
    if next.elr != previous.elr || next.last_known_elr != previous.last_known_elr {
        let elected = match next.leader.filter(|_| next.leader != previous.leader) {
            Some(l) if previous.elr.contains(&l) => ElrElection::FromElr(l),
            Some(l) if unclean && previous.last_known_elr == [l] => ElrElection::LastKnownLeader(l),
            _ => ElrElection::None,
        };
        ctx.emit(EventKind::ElrChanged {
            partition,
            elr: next.elr.clone(),
            last_known_elr: next.last_known_elr.clone(),
            isr: next.isr.clone(),
            elected,
            reason,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A controller that knows brokers 1, 2 and 3, `up` saying which are acceptable leaders.
    fn controller(up: [bool; 3]) -> Controller {
        let mut c = Controller::default();
        for (i, up) in up.into_iter().enumerate() {
            let id = BrokerId(i as u32 + 1);
            let registration = BrokerRegistration {
                broker: id,
                rack: String::new(),
                broker_epoch: 1,
                fenced: !up,
                in_controlled_shutdown: false,
                offset: 1,
            };
            c.brokers.insert(
                id,
                ControllerBroker {
                    registration,
                    last_heartbeat_ms: 0,
                    incarnation: 0,
                    expiry_armed: false,
                    metadata_offset: 0,
                    shutdown_offset: None,
                },
            );
        }
        c
    }

    /// kafka-model §3.2 (ONLINE election) and §4.8, for every combination of: is the ISR member
    /// (broker 1, the last one, which led) acceptable, is an out-of-sync replica (2, 3) acceptable,
    /// and `unclean.leader.election.enable`. When no leader results, the explanation names the
    /// real reason.
    #[test]
    fn every_combination_of_isr_other_replicas_and_unclean_setting_elects_or_explains_why_not() {
        let record = PartitionRecord {
            partition: PartitionIdx(0),
            replicas: vec![BrokerId(1), BrokerId(2), BrokerId(3)],
            isr: vec![BrokerId(1)],
            leader: Some(BrokerId(1)),
            leader_epoch: 4,
            partition_epoch: 7,
            leader_recovery_state: LeaderRecoveryState::Recovered,
            elr: Vec::new(),
            last_known_elr: Vec::new(),
            adding_replicas: Vec::new(),
            removing_replicas: Vec::new(),
            offset: 1,
        };
        // What the controller must decide for each combination.
        struct Case {
            isr_up: bool,
            others_up: bool,
            unclean_enabled: bool,
            leader: Option<u32>,
            unclean: bool,
            why: &'static str,
        }
        let elected = |isr_up, others_up, unclean_enabled, leader, unclean| Case {
            isr_up,
            others_up,
            unclean_enabled,
            leader: Some(leader),
            unclean,
            why: "",
        };
        let offline = |others_up, unclean_enabled, why| Case {
            isr_up: false,
            others_up,
            unclean_enabled,
            leader: None,
            unclean: false,
            why,
        };
        let table = [
            elected(true, true, false, 1, false),
            elected(true, true, true, 1, false),
            elected(true, false, false, 1, false),
            elected(true, false, true, 1, false),
            elected(false, true, true, 2, true),
            offline(
                true,
                false,
                "no ISR member of [1] can lead (fenced or shutting down); replicas [2, 3] are available but out of \
                 sync, and unclean.leader.election.enable=false keeps them from leading",
            ),
            offline(
                false,
                false,
                "no ISR member of [1] can lead (fenced or shutting down), no other replica is available either, and \
                 unclean.leader.election.enable=false",
            ),
            offline(
                false,
                true,
                "no replica can lead (the ISR [1] and every other replica are fenced or shutting down), so not even \
                 an unclean election (unclean.leader.election.enable=true) can pick a leader",
            ),
        ];
        for Case { isr_up, others_up, unclean_enabled, leader, unclean, why } in table {
            let c = controller([isr_up, others_up, others_up]);
            let case = format!("ISR member up {isr_up}, others up {others_up}, unclean enabled {unclean_enabled}");
            let next = match c.elect(&record, record.isr.clone(), unclean_enabled, &ElrRules::OFF) {
                Some((next, was_unclean)) => {
                    assert_eq!(was_unclean, unclean, "{case}");
                    next
                }
                None => record.clone(), // nothing to change: the leader stays
            };
            assert_eq!(next.leader, leader.map(BrokerId), "{case}");
            if unclean {
                // kafka-model §4.8: ISR := [new leader], RECOVERING, leader epoch + 1.
                assert_eq!(next.isr, vec![BrokerId(2)], "{case}");
                assert_eq!(next.leader_recovery_state, LeaderRecoveryState::Recovering, "{case}");
                assert_eq!(next.leader_epoch, 5, "{case}");
            }
            if next.leader.is_none() {
                assert_eq!(next.leader_epoch, 5, "{case}: leader -1 bumps the epoch too (§3.2)");
                assert_eq!(next.isr, vec![BrokerId(1)], "{case}: the last ISR member stays (§2.3.4)");
                let available = c.available_out_of_sync(&next);
                let explained = super::super::explain::no_leader(&next.isr, unclean_enabled, &available);
                assert_eq!(explained, why, "{case}");
            }
        }
    }
}
