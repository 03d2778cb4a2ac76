//! Reading the engine: the plain-data view renderers draw, and the state hash that proves two runs
//! (native and wasm, or twice in a row) reached the same state.

use super::engine::Engine;
use super::ids::BrokerId;
use super::log::Log;
use super::queue::Pending;
use super::replica::Role;
use super::view::*;
use std::collections::BinaryHeap;

/// FNV-1a over explicitly sized integers, so the hash is the same on 32- and 64-bit targets.
struct StateHasher(u64);

impl StateHasher {
    fn new() -> Self {
        StateHasher(0xcbf2_9ce4_8422_2325)
    }
    fn u64(&mut self, v: u64) {
        for b in v.to_le_bytes() {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn opt(&mut self, v: Option<u64>) {
        match v {
            Some(v) => {
                self.u64(1);
                self.u64(v)
            }
            None => self.u64(0),
        }
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        for b in s.bytes() {
            self.u64(b as u64);
        }
    }
}

/// The records a reader may fetch (from the log start offset on), past the first `from_index`.
fn log_entries(log: &Log, from_index: usize) -> Vec<LogEntryView> {
    let mut out = Vec::new();
    let mut index = 0usize;
    let start = log.log_start_offset();
    for batch in log.batches() {
        for (i, r) in batch.records.iter().enumerate() {
            if batch.base_offset + (i as u64) < start {
                continue;
            }
            if index >= from_index {
                out.push(LogEntryView {
                    offset: batch.base_offset + i as u64,
                    leader_epoch: batch.leader_epoch,
                    key: r.key().map(str::to_string),
                    value: r.value().to_string(),
                    record_id: r.id,
                });
            }
            index += 1;
        }
    }
    out
}

/// The health of a partition with this committed leader, ISR size, replica count and effective
/// `min.insync.replicas` (see [`PartitionHealth`]).
fn health(leader: Option<BrokerId>, isr: usize, replicas: usize, min_isr: usize) -> PartitionHealth {
    if leader.is_none() {
        PartitionHealth::Offline
    } else if isr < min_isr {
        PartitionHealth::UnderMinIsr
    } else if isr < replicas {
        PartitionHealth::UnderReplicated
    } else {
        PartitionHealth::Healthy
    }
}

impl Engine {
    /// The whole cluster as plain data.
    pub fn view(&self, options: ViewOptions) -> ClusterView {
        let catalog = &self.catalog;
        let brokers = self
            .brokers
            .iter()
            .map(|b| {
                let reg = self.controller.brokers.get(&b.id);
                BrokerView {
                    id: b.id,
                    rack: b.rack.clone(),
                    process: b.process,
                    fenced: reg.is_none_or(|r| r.registration.fenced),
                    in_controlled_shutdown: reg.is_some_and(|r| r.registration.in_controlled_shutdown),
                    broker_epoch: b.broker_epoch,
                    last_heartbeat_ms: reg.map(|r| r.last_heartbeat_ms),
                    metadata_offset: b.image.offset,
                    stalled: b.stalled,
                }
            })
            .collect();
        let topics = catalog
            .topics
            .iter()
            .map(|t| TopicView {
                name: t.name.clone(),
                partitions: t.partitions.clone(),
                replication_factor: t.replication_factor,
                min_insync_replicas: t.config.min_insync_replicas.unwrap_or(catalog.config.min_insync_replicas),
                unclean_leader_election_enable: t
                    .config
                    .unclean_leader_election_enable
                    .unwrap_or(catalog.config.unclean_leader_election_enable),
            })
            .collect();
        let partitions =
            self.controller.partitions.iter().map(|record| self.partition_view(record, &options)).collect();
        let producers = self
            .producers
            .iter()
            .map(|p| {
                let skip = p.sends.len().saturating_sub(options.client_history);
                let count_by = |f: fn(&SendStatus) -> bool| {
                    p.sends.iter().filter(|s| f(&s.status)).map(|s| s.records.len() as u64).sum::<u64>()
                };
                ProducerView {
                    idx: p.idx,
                    name: p.name.clone(),
                    acks: p.config.acks,
                    enable_idempotence: p.idempotent,
                    producer_id: p.producer_id,
                    producer_epoch: p.producer_epoch,
                    sends_total: p.sends.len(),
                    acked_records: count_by(|s| matches!(s, SendStatus::Acknowledged { .. })),
                    failed_records: count_by(|s| matches!(s, SendStatus::Failed { .. })),
                    pending_records: p.pending_records(),
                    sends: p
                        .sends
                        .iter()
                        .enumerate()
                        .skip(skip)
                        .filter(|(_, s)| !s.records.is_empty())
                        .map(|(i, s)| SendView {
                            send: i,
                            partition: s.partition,
                            partition_name: catalog.partition_name(s.partition),
                            count: s.records.len() as u32,
                            first_record_id: s.records[0].id,
                            key: s.records[0].key().map(str::to_string),
                            value: s.records[0].value().to_string(),
                            acks: s.acks,
                            producer_id: s.stamp.map(|st| st.producer_id),
                            created_ms: s.created_ms,
                            status: s.status.clone(),
                        })
                        .collect(),
                    talking_to: p.talking_to(),
                }
            })
            .collect();
        let consumers = self
            .consumers
            .iter()
            .map(|c| ConsumerView {
                idx: c.idx,
                name: c.name.clone(),
                client_rack: c.config.client_rack.clone(),
                partitions: c
                    .positions
                    .iter()
                    .map(|(p, pos)| ConsumerPartitionView {
                        partition: *p,
                        partition_name: catalog.partition_name(*p),
                        position: pos.position,
                        fetch_state: pos.state,
                        leader: c.metadata.leader(*p).map(|l| l.0),
                        preferred_read_replica: pos.preferred,
                        fetching_from: c.fetch_target(*p, self.now_ms()),
                    })
                    .collect(),
                received_total: c.received_total,
                received: c
                    .received
                    .iter()
                    .skip(c.received.len().saturating_sub(options.client_history))
                    .map(|d| ReceivedView {
                        partition: d.partition,
                        offset: d.offset,
                        key: d.record.key().map(str::to_string),
                        value: d.record.value().to_string(),
                        record_id: d.record.id,
                        from_broker: d.from,
                        at_ms: d.at_ms,
                    })
                    .collect(),
                talking_to: c.talking_to(),
                group: Engine::member_view(c),
                crashed: c.crashed,
            })
            .collect();
        let mut first = BinaryHeap::new();
        for s in self.queue().iter() {
            if let Pending::Deliver { from, to, sent_ms, message } = &s.what {
                first.push((s.at_ms, *sent_ms, *from, *to, message.kind()));
                if first.len() > options.in_flight_max {
                    first.pop();
                }
            }
        }
        // The deliveries that arrive first, in order, as a sort and a cut would give (equal keys are
        // equal views). A heap of at most `in_flight_max`, not `sort_unstable`: the page's wasm has
        // no other slice sort, and a quicksort instantiation costs about 1 KB gzipped.
        let in_flight: Vec<InFlightView> = first
            .into_sorted_vec()
            .into_iter()
            .map(|(arrives_ms, sent_ms, from, to, kind)| InFlightView { from, to, kind, sent_ms, arrives_ms })
            .collect();
        ClusterView {
            now_ms: self.now_ms(),
            controller: ControllerView {
                metadata_offset: self.controller.metadata_offset,
                next_unclean_sweep_ms: self.controller.unclean_sweep_at_ms,
                voters: self.voter_views(),
                epoch: self.quorum.epoch,
                quorum_lost: self.quorum.lost,
                combined: self.catalog.config.process_roles_combined,
            },
            brokers,
            topics,
            partitions,
            producers,
            consumers,
            groups: self.group_views(),
            links_cut: self.network.cut_links().collect(),
            in_flight,
            safety: SafetyView {
                invariants: self.safety.view(),
                losses: self.safety.losses.clone(),
                acks0_dropped: self.safety.acks0_dropped,
                unexpected_violations: self.safety.unexpected_violations(),
            },
            next_event_seq: self.next_event_seq(),
        }
    }

    fn partition_view(&self, record: &super::metadata::PartitionRecord, options: &ViewOptions) -> PartitionView {
        let catalog = &self.catalog;
        let p = record.partition;
        let info = &catalog.partitions[p.0 as usize];
        let leader_state = record
            .leader
            .and_then(|l| catalog.broker_index(l))
            .and_then(|i| self.brokers[i].replicas.get(&p))
            .and_then(|r| r.leader_state());
        let lag_max = catalog.config.replica_lag_time_max_ms;
        let leader_leo = record
            .leader
            .and_then(|l| catalog.broker_index(l))
            .and_then(|i| self.brokers[i].replicas.get(&p))
            .map(|r| r.log_end_offset());
        let replica_states = record
            .replicas
            .iter()
            .filter_map(|b| {
                let broker = &self.brokers[catalog.broker_index(*b)?];
                let r = broker.replicas.get(&p)?;
                let entries = (r.log_end_offset() - r.log.log_start_offset()) as usize;
                let from = if options.full_logs { 0 } else { entries.saturating_sub(options.log_tail) };
                let follower = leader_state.and_then(|s| s.followers.get(b));
                let parked = broker.parked_for(p);
                Some(ReplicaView {
                    broker: *b,
                    // A paused broker keeps the role it believes it has.
                    role: match (&r.role, broker.is_alive()) {
                        (_, false) => ReplicaRole::Offline,
                        (Role::Leader(_), _) => ReplicaRole::Leader,
                        (Role::Follower { .. }, _) => ReplicaRole::Follower,
                        // Caught up on the partition's latest metadata, which names no leader.
                        (Role::Offline, true) if record.leader.is_none() && r.leader_epoch == record.leader_epoch => {
                            ReplicaRole::NoLeader
                        }
                        (Role::Offline, _) => ReplicaRole::Offline,
                    },
                    log_start_offset: r.log.log_start_offset(),
                    log_end_offset: r.log_end_offset(),
                    high_watermark: r.high_watermark,
                    leader_epoch: r.leader_epoch,
                    in_isr: record.isr.contains(b),
                    in_elr: record.elr.contains(b),
                    power_lost: r.power_lost,
                    maximal_isr: r.leader_state().map(|s| s.isr.maximal()),
                    leader_epoch_start_offset: r.leader_state().map(|s| s.leader_epoch_start_offset),
                    last_caught_up_ms: follower.and_then(|f| f.last_caught_up_ms),
                    caught_up: follower.zip(leader_leo).map(|(f, leo)| f.is_caught_up(leo, self.now_ms(), lag_max)),
                    parked_produces: parked.0,
                    parked_fetches: parked.1,
                    epoch_cache: r.log.epoch_cache().to_vec(),
                    log_omitted: from,
                    log: if options.log_tail == 0 && !options.full_logs {
                        Vec::new()
                    } else {
                        log_entries(&r.log, from)
                    },
                })
            })
            .collect();
        PartitionView {
            idx: p,
            topic: catalog.topics[info.topic.0 as usize].name.clone(),
            partition: info.number,
            name: catalog.partition_name(p),
            replicas: record.replicas.clone(),
            isr: record.isr.clone(),
            leader: record.leader,
            leader_epoch: record.leader_epoch,
            partition_epoch: record.partition_epoch,
            leader_recovery_state: record.leader_recovery_state,
            elr: record.elr.clone(),
            last_known_elr: record.last_known_elr.clone(),
            adding_replicas: record.adding_replicas.clone(),
            removing_replicas: record.removing_replicas.clone(),
            health: health(record.leader, record.isr.len(), record.replicas.len(), catalog.effective_min_isr(p)),
            replica_states,
        }
    }

    /// A hash of the observable state: time, controller records, every replica's log, HW and role,
    /// every client's outcomes and positions, the event count and the safety tallies.
    pub fn state_hash(&self) -> u64 {
        let mut h = StateHasher::new();
        h.u64(self.now_ms());
        h.u64(self.next_event_seq());
        h.u64(self.controller.metadata_offset);
        for r in &self.controller.partitions {
            h.u64(r.partition.0 as u64);
            h.opt(r.leader.map(|b| b.0 as u64));
            h.u64(r.leader_epoch as u64);
            h.u64(r.partition_epoch as u64);
            for b in r.replicas.iter().chain(&r.isr) {
                h.u64(b.0 as u64);
            }
            // Only when present, so that hashes without a reassignment stay as they were.
            if !r.adding_replicas.is_empty() || !r.removing_replicas.is_empty() {
                h.u64(r.adding_replicas.len() as u64 + 1);
                for b in r.adding_replicas.iter().chain(&r.removing_replicas) {
                    h.u64(b.0 as u64);
                }
            }
            // Only when present, so that hashes without ELR stay as they were.
            if !r.elr.is_empty() || !r.last_known_elr.is_empty() {
                h.u64(r.elr.len() as u64);
                for b in r.elr.iter().chain(&r.last_known_elr) {
                    h.u64(b.0 as u64);
                }
            }
        }
        for (id, b) in &self.controller.brokers {
            h.u64(id.0 as u64);
            h.u64(b.registration.broker_epoch);
            h.u64(b.registration.fenced as u64);
            h.u64(b.last_heartbeat_ms);
        }
        for b in &self.brokers {
            h.u64(b.id.0 as u64);
            h.u64(b.incarnation as u64);
            h.u64(b.image.offset);
            for (p, r) in &b.replicas {
                h.u64(p.0 as u64);
                h.u64(r.high_watermark);
                h.u64(r.leader_epoch as u64);
                h.u64(r.is_leader() as u64);
                for batch in r.log.batches() {
                    h.u64(batch.base_offset);
                    h.u64(batch.leader_epoch as u64);
                    for rec in batch.records.iter() {
                        h.u64(rec.id);
                    }
                }
                for (e, o) in r.log.epoch_cache() {
                    h.u64(*e as u64);
                    h.u64(*o);
                }
                // Only once retention moved it: a log that never lost its start keeps its old hash.
                if r.log.log_start_offset() > 0 {
                    h.u64(r.log.log_start_offset());
                }
            }
        }
        // Only once the quorum is not the lone controller of old, so older runs keep their hashes.
        if self.quorum.touched {
            h.u64(self.quorum.epoch as u64);
            h.opt(self.quorum.leader.map(|l| l as u64));
            for v in &self.quorum.voters {
                h.u64(v.running as u64);
                h.u64(v.offset);
            }
        }
        // Only while a broker is paused, so that runs without a pause keep their hashes.
        for (b, waiting) in self.paused_brokers() {
            h.u64(b.0 as u64);
            h.u64(waiting as u64);
        }
        for p in &self.producers {
            h.u64(p.producer_epoch as u64);
            for s in &p.sends {
                h.u64(s.partition.0 as u64);
                h.u64(s.records.len() as u64);
                match &s.status {
                    SendStatus::Pending { attempts, .. } => h.u64(*attempts as u64),
                    SendStatus::Acknowledged { base_offset, at_ms, attempts } => {
                        h.opt(*base_offset);
                        h.u64(*at_ms);
                        h.u64(*attempts as u64);
                    }
                    SendStatus::Failed { error, at_ms, .. } => {
                        h.str(error.name());
                        h.u64(*at_ms);
                    }
                }
            }
        }
        for c in &self.consumers {
            h.u64(c.received_total);
            for (p, pos) in &c.positions {
                h.u64(p.0 as u64);
                h.opt(pos.position);
            }
            // Only for a group member (kafka-model §6.4), so that runs without groups keep their hashes.
            if let Some(m) = &c.membership {
                h.str(&m.group);
                h.opt(m.generation.map(u64::from));
                h.u64(m.state as u64);
                h.u64(c.crashed as u64);
                h.u64(m.polling as u64);
                for p in &m.assigned {
                    h.u64(p.0 as u64);
                }
            }
        }
        // The groups each coordinator holds: generation, state, leader, owners, committed offsets.
        for b in &self.brokers {
            for (name, g) in &b.coordinator.groups {
                h.str(name);
                h.u64(g.generation as u64);
                h.u64(g.state as u64);
                h.str(g.leader.as_deref().unwrap_or(""));
                for (member, m) in &g.members {
                    h.str(member);
                    for p in &m.assignment {
                        h.u64(p.0 as u64);
                    }
                }
                for (p, o) in &g.offsets {
                    h.u64(p.0 as u64);
                    h.u64(*o);
                }
            }
        }
        for d in self.safety.digest() {
            h.u64(d);
        }
        h.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_is_the_worst_class_that_fits() {
        use PartitionHealth::*;
        let leader = Some(BrokerId(1));
        // (leader, ISR size, replicas, effective min ISR) -> health
        let table = [
            (leader, 3, 3, 2, Healthy),
            (leader, 2, 3, 2, UnderReplicated),
            (leader, 1, 3, 2, UnderMinIsr),
            (leader, 1, 3, 1, UnderReplicated),
            (leader, 1, 1, 1, Healthy),
            // No leader is offline whatever the ISR says (an ISR of one after the last member died).
            (None, 1, 3, 2, Offline),
            (None, 3, 3, 1, Offline),
        ];
        for (leader, isr, replicas, min_isr, expected) in table {
            assert_eq!(health(leader, isr, replicas, min_isr), expected, "{leader:?} {isr}/{replicas} min {min_isr}");
        }
    }

    #[test]
    fn under_min_isr_counts_as_under_replicated_offline_does_not() {
        use PartitionHealth::*;
        let under: Vec<bool> = PartitionHealth::ALL.iter().map(|h| h.is_under_replicated()).collect();
        assert_eq!(PartitionHealth::ALL, [Healthy, UnderReplicated, UnderMinIsr, Offline]);
        assert_eq!(under, [false, true, true, false]);
    }
}
