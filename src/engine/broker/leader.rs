//! The leader side of a broker (kafka-model §3.4–§3.6, §4, §5.3, §5.6): serving fetches of followers
//! and consumers, advancing the high watermark, shrinking and expanding the ISR through
//! AlterPartition, and appending produce requests.

use super::*;

impl Broker {
    // ------------------------------------------------------------------ leader side: fetch (§3.6, §6)

    pub(super) fn on_fetch(&mut self, from: NodeId, request: FetchRequest, ctx: &mut Ctx) {
        let FetchRequest { request_id, replica, client_rack, max_wait_ms, partitions } = request;
        let (results, has_data) = self.read_fetch(replica, &client_rack, &partitions, ctx);
        if has_data || max_wait_ms == 0 {
            ctx.send(from, Message::FetchResponse { request_id, partitions: results });
            return;
        }
        let park_id = self.next_id();
        self.parked_fetches.push(ParkedFetch { park_id, from, request_id, replica, client_rack, partitions });
        ctx.set_timer(max_wait_ms, BrokerTimer::ParkedFetchExpired { park_id });
    }

    /// Reads every partition of a fetch. The second value says whether the response is worth sending
    /// now: records, an error, a divergence or a redirect (`fetch.min.bytes` = 1).
    pub(super) fn read_fetch(
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
                FetchPartitionResult::Records { batches, high_watermark, .. } => match replica {
                    Some(_) => !batches.is_empty(),
                    None => batches.iter().any(|b| b.end_offset() > fp.fetch_offset && b.base_offset < *high_watermark),
                },
                _ => true,
            };
            results.push((fp.partition, result));
        }
        (results, has_data)
    }

    pub(super) fn check_epoch(replica: &Replica, current_leader_epoch: LeaderEpoch) -> Result<(), ErrorCode> {
        if current_leader_epoch < replica.leader_epoch {
            Err(ErrorCode::FencedLeaderEpoch)
        } else if current_leader_epoch > replica.leader_epoch {
            Err(ErrorCode::UnknownLeaderEpoch)
        } else {
            Ok(())
        }
    }

    /// The divergence check of a fetch carrying `lastFetchedEpoch` (kafka-model §3.6).
    pub(super) fn diverging(replica: &Replica, fp: &FetchPartition) -> Option<FetchPartitionResult> {
        let last_fetched = fp.last_fetched_epoch?;
        match replica.log.end_offset_for(last_fetched) {
            Some((epoch, end)) if epoch < last_fetched || end < fp.fetch_offset => {
                Some(FetchPartitionResult::Diverging { epoch: Some(epoch), end_offset: end })
            }
            Some(_) => None,
            // An empty epoch cache: nothing of the fetcher's log can be trusted.
            None => Some(FetchPartitionResult::Diverging {
                epoch: None,
                end_offset: replica.log.epoch_cache().first().map_or(0, |e| e.1),
            }),
        }
    }

    pub(super) fn read_for_follower(
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
        let (log_start_offset, log_end_offset) = (replica.log.log_start_offset(), replica.log_end_offset());
        let out_of_range = FetchPartitionResult::OffsetOutOfRange { log_start_offset, log_end_offset };
        // Below the log start first: retention deleted what a divergence check would compare.
        if fp.fetch_offset < log_start_offset {
            return out_of_range;
        }
        if let Some(diverging) = Self::diverging(replica, fp) {
            // Fetch state is not updated on divergence (kafka-model §3.6).
            return diverging;
        }
        let leo = log_end_offset;
        if fp.fetch_offset > leo {
            return out_of_range;
        }
        // Read first, then record the fetch: the HW in this response is the one before this fetch
        // moved it, which is why followers learn the HW one round later (kafka-model §3.5).
        let high_watermark = replica.high_watermark;
        let batches = replica.log.read(fp.fetch_offset, leo, ctx.catalog.config.replica_fetch_max_bytes);
        let state = replica.leader_state_mut().expect("leader");
        let follower_state = state.followers.get_mut(&follower).expect("follower");
        let moved = follower_state.log_end_offset != Some(fp.fetch_offset);
        follower_state.on_fetch(fp.fetch_offset, leo, ctx.now, broker_epoch);
        // Whole batches come back; count the records from the fetch offset on.
        let count: u64 =
            batches.iter().map(|b| b.end_offset().saturating_sub(b.base_offset.max(fp.fetch_offset))).sum();
        // A first fetch at offset 0 with nothing to return tells the reader nothing.
        if count > 0 || (moved && fp.fetch_offset > 0) {
            let (leader, partition, fetch_offset) = (self.id, fp.partition, fp.fetch_offset);
            let count = count as u32;
            ctx.emit(EventKind::FollowerFetched { leader, follower, partition, fetch_offset, count, high_watermark });
        }
        self.maybe_expand_isr(fp.partition, follower, ctx);
        self.maybe_increment_hw(fp.partition, ctx);
        FetchPartitionResult::Records { batches, high_watermark, log_start_offset }
    }

    pub(super) fn read_for_consumer(
        &mut self,
        client_rack: &str,
        fp: &FetchPartition,
        ctx: &mut Ctx,
    ) -> FetchPartitionResult {
        let Some(replica) = self.replicas.get(&fp.partition) else {
            return FetchPartitionResult::Error(ErrorCode::NotLeaderOrFollower);
        };
        if let Err(e) = Self::check_epoch(replica, fp.current_leader_epoch) {
            return FetchPartitionResult::Error(e);
        }
        match &replica.role {
            Role::Offline => return FetchPartitionResult::Error(ErrorCode::NotLeaderOrFollower),
            Role::Leader(state) => {
                if let Some(preferred) = self.preferred_read_replica(state, client_rack, fp.fetch_offset, ctx) {
                    return FetchPartitionResult::PreferredReadReplica { broker: preferred };
                }
            }
            Role::Follower { .. } => {}
        }
        // kafka-model §6.1: served from the local log between its start and the local HW.
        let log_start_offset = replica.log.log_start_offset();
        if fp.fetch_offset < log_start_offset || fp.fetch_offset > replica.log_end_offset() {
            return FetchPartitionResult::Error(ErrorCode::OffsetOutOfRange);
        }
        let limit = replica.high_watermark;
        let batches = if fp.fetch_offset < limit {
            replica.log.read(fp.fetch_offset, limit, ctx.catalog.config.replica_fetch_max_bytes)
        } else {
            Vec::new()
        };
        FetchPartitionResult::Records { batches, high_watermark: limit, log_start_offset }
    }

    /// `RackAwareReplicaSelector` over the leader and the in-sync followers that have the offset
    /// (KIP-392, KAFKA-14372; kafka-model §6.2). `None` = the leader serves.
    pub(super) fn preferred_read_replica(
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

    /// `Partition.fetchOffsetForTimestamp` for a consumer (kafka-model §6.3): `latest` is the HW,
    /// refused with `OFFSET_NOT_AVAILABLE` while a new leader's HW is behind the start offset of its
    /// epoch (it does not know the true HW yet, kafka-model §3.4); `earliest` is the log start,
    /// which retention moves forward.
    pub(super) fn list_offset(
        &self,
        partition: PartitionIdx,
        leader_epoch: LeaderEpoch,
        spec: OffsetSpec,
    ) -> Result<Offset, ErrorCode> {
        let replica = self.replicas.get(&partition).ok_or(ErrorCode::NotLeaderOrFollower)?;
        Self::check_epoch(replica, leader_epoch)?;
        let state = replica.leader_state().ok_or(ErrorCode::NotLeaderOrFollower)?;
        match spec {
            OffsetSpec::Earliest => Ok(replica.log.log_start_offset()),
            OffsetSpec::Latest if replica.high_watermark < state.leader_epoch_start_offset => {
                Err(ErrorCode::OffsetNotAvailable)
            }
            OffsetSpec::Latest => Ok(replica.high_watermark),
        }
    }

    /// `Partition.lastOffsetForLeaderEpoch` for a consumer, answered only by the leader: the largest
    /// epoch at most `epoch` and where it ends (kafka-model §6.3).
    pub(super) fn epoch_end(
        &self,
        partition: PartitionIdx,
        current_leader_epoch: LeaderEpoch,
        epoch: LeaderEpoch,
    ) -> EpochEnd {
        let replica = self.replicas.get(&partition).ok_or(ErrorCode::NotLeaderOrFollower)?;
        Self::check_epoch(replica, current_leader_epoch)?;
        replica.leader_state().ok_or(ErrorCode::NotLeaderOrFollower)?;
        Ok(replica.log.end_offset_for(epoch))
    }

    /// Completes parked fetches that the appends or HW moves of this step have satisfied.
    pub(super) fn drain_wakes(&mut self, ctx: &mut Ctx) {
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
    pub(super) fn maybe_increment_hw(&mut self, partition: PartitionIdx, ctx: &mut Ctx) {
        let min_isr = self.min_isr(partition, ctx);
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
        let mut caught_up = Vec::new();
        for (b, f) in &state.followers {
            let holds_back = state.isr.maximal_contains(*b)
                || (f.is_caught_up(leo, ctx.now, lag_max)
                    && f.broker_epoch.is_some_and(|e| self.image.is_isr_eligible(*b, e)));
            if holds_back {
                match f.log_end_offset {
                    Some(f_leo) => {
                        candidate = candidate.min(f_leo);
                        if !state.isr.maximal_contains(*b) {
                            caught_up.push(*b);
                        }
                    }
                    None if state.isr.maximal_contains(*b) => return,
                    None => {}
                }
            }
        }
        if candidate <= replica.high_watermark {
            return;
        }
        let from = replica.high_watermark;
        let isr = state.isr.maximal();
        replica.high_watermark = candidate;
        let leader_epoch = replica.leader_epoch;
        ctx.observe(Observation::LeaderHwAdvanced { broker: self.id, partition, leader_epoch, from, to: candidate });
        ctx.emit(EventKind::HighWatermarkAdvanced { broker: self.id, partition, from, to: candidate, isr, caught_up });
        self.wakes.push((partition, Wake::HighWatermark));
        self.complete_parked_produces(partition, ctx);
        self.settle_offset_commits(partition, ctx);
    }

    /// `Partition.maybeExpandIsr` (kafka-model §4.4).
    pub(super) fn maybe_expand_isr(&mut self, partition: PartitionIdx, follower: BrokerId, ctx: &mut Ctx) {
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
            leader_epoch_start_offset: state.leader_epoch_start_offset,
            leader_epoch: replica.leader_epoch,
            controller: ControllerEpoch::UNKNOWN,
        });
        self.propose_isr(partition, proposed, ctx);
    }

    /// The `isr-expiration` task (kafka-model §4.2).
    pub(super) fn maybe_shrink_isrs(&mut self, ctx: &mut Ctx) {
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
                proposals.push((replica.partition, replica.leader_epoch, out_of_sync, proposed));
            }
        }
        for (partition, leader_epoch, removed, proposed) in proposals {
            ctx.emit(EventKind::IsrShrinkProposed {
                partition,
                leader: self.id,
                removed,
                lag_time_max_ms: lag_max,
                leader_epoch,
                controller: ControllerEpoch::UNKNOWN,
            });
            self.propose_isr(partition, proposed, ctx);
        }
    }

    /// Sends AlterPartition; one in flight per partition (kafka-model §4.5).
    pub(super) fn propose_isr(&mut self, partition: PartitionIdx, proposed: Vec<BrokerId>, ctx: &mut Ctx) {
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
        let resend = state.isr.pending.as_ref().is_some_and(|(p, _)| *p == proposed);
        state.isr.sends = if resend { state.isr.sends + 1 } else { 1 };
        state.isr.pending = Some((proposed, request_id));
        ctx.observe(Observation::LeaderIsrChanged { partition });
        ctx.send(
            NodeId::Controller,
            Message::AlterPartition { request_id, partition, leader_epoch, partition_epoch, new_isr },
        );
        ctx.set_timer(CONTROLLER_REQUEST_TIMEOUT_MS, BrokerTimer::AlterPartitionTimeout { partition, request_id });
    }

    pub(super) fn on_alter_partition_response(
        &mut self,
        request_id: u64,
        partition: PartitionIdx,
        result: Result<crate::engine::metadata::PartitionRecord, ErrorCode>,
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
                // NEW_LEADER_ELECTED is a success that moved the leadership (a completed reassignment).
                if error != ErrorCode::NewLeaderElected {
                    ctx.emit(EventKind::AlterPartitionRejected { partition, leader: me, error, leader_epoch });
                }
            }
        }
        ctx.observe(Observation::LeaderIsrChanged { partition });
        self.maybe_increment_hw(partition, ctx);
    }

    // ------------------------------------------------------------------ leader side: produce (§4.6, §5.3, §5.6)

    /// `ReplicaManager.appendRecords` for every partition of the request (kafka-model §5.3): with
    /// `acks=all` one `DelayedProduce` for the request, answered once every partition is done.
    pub(super) fn on_produce(&mut self, from: NodeId, request: ProduceRequest, ctx: &mut Ctx) {
        let ProduceRequest { request_id, acks, timeout_ms, partitions } = request;
        let mut parked = ParkedProduce { from, request_id, partitions: Vec::with_capacity(partitions.len()) };
        let mut refused = false;
        for (partition, batch) in partitions {
            let (result, offsets) = self.produce_partition(from, partition, acks, batch, ctx);
            refused |= result.is_some();
            let (base_offset, end_offset) = offsets.unwrap_or((0, 0));
            parked.partitions.push(ParkedPartition { partition, base_offset, end_offset, result });
        }
        match acks {
            // With acks=0 the broker closes the connection on an error; the client refreshes metadata.
            Acks::None if refused => ctx.send(from, Message::ConnectionClosed),
            Acks::None => {}
            Acks::Leader => {
                for p in parked.partitions.iter_mut().filter(|p| p.result.is_none()) {
                    p.result = Some(ProduceResult::Appended { base_offset: p.base_offset });
                }
                ctx.send(from, parked.response());
            }
            Acks::All if parked.is_done() => ctx.send(from, parked.response()),
            Acks::All => {
                let park_id = self.next_id();
                let waiting: Vec<PartitionIdx> =
                    parked.partitions.iter().filter(|p| p.result.is_none()).map(|p| p.partition).collect();
                self.parked_produces.insert(park_id, parked);
                ctx.set_timer(timeout_ms, BrokerTimer::ProduceExpired { park_id });
                // The HW may already be past a batch (a duplicate, or ISR = {leader}).
                for partition in waiting {
                    self.settle_parked_produces(partition, ctx);
                }
                self.send_done_produces(ctx);
            }
        }
    }

    /// Appends one partition's batch: `(Some(error), None)` if refused, else its offsets (and an
    /// event if the idempotence check found it already in the log).
    fn produce_partition(
        &mut self,
        from: NodeId,
        partition: PartitionIdx,
        acks: Acks,
        batch: Batch,
        ctx: &mut Ctx,
    ) -> (Option<ProduceResult>, Option<(Offset, Offset)>) {
        let (first_record, count) = (batch.records[0].id, batch.len() as u32);
        match self.append_as_leader(partition, acks, batch, ctx) {
            Err((error, shortfall)) => {
                let leader_hint = self.image.partition(partition).map(|r| PartitionLeader {
                    partition,
                    leader: r.leader,
                    leader_epoch: r.leader_epoch,
                });
                if acks == Acks::None {
                    ctx.observe(Observation::Acks0Refused { broker: self.id, partition, first_record, count });
                }
                (Some(ProduceResult::Error { error, leader_hint, shortfall }), None)
            }
            Ok((base_offset, end_offset, sequence)) => {
                if let (Sequence::WithoutState(base_sequence), NodeId::Producer(producer)) = (sequence, from) {
                    let (broker, count) = (self.id, (end_offset - base_offset) as u32);
                    ctx.emit(EventKind::ProducerStateUnknown { broker, partition, producer, base_sequence, count });
                }
                if let (Sequence::Duplicate(_), NodeId::Producer(producer)) = (sequence, from) {
                    let replica = &self.replicas[&partition];
                    ctx.emit(EventKind::ProduceDeduplicated {
                        producer,
                        partition,
                        base_offset,
                        count: (end_offset - base_offset) as u32,
                        broker: self.id,
                        leader_epoch: replica.leader_epoch,
                        acks,
                        high_watermark: replica.high_watermark,
                        controller: ControllerEpoch::UNKNOWN,
                    });
                }
                (None, Some((base_offset, end_offset)))
            }
        }
    }

    /// The HW of `partition` moved (or may be past a new batch): its parked batches the HW passed
    /// are done, acknowledged if the ISR has at least `min.insync.replicas` (kafka-model §4.6).
    pub(super) fn complete_parked_produces(&mut self, partition: PartitionIdx, ctx: &mut Ctx) {
        self.settle_parked_produces(partition, ctx);
        self.send_done_produces(ctx);
    }

    fn settle_parked_produces(&mut self, partition: PartitionIdx, ctx: &mut Ctx) {
        let min_isr = self.min_isr(partition, ctx);
        let Some(replica) = self.replicas.get(&partition) else {
            return;
        };
        let Some(state) = replica.leader_state() else {
            return;
        };
        let (hw, maximal) = (replica.high_watermark, state.isr.maximal());
        for (_, parked) in self.parked_produces.iter_mut() {
            parked.settle(partition, |p| {
                if p.end_offset > hw {
                    None
                } else if maximal.len() >= min_isr {
                    Some(ProduceResult::Appended { base_offset: p.base_offset })
                } else {
                    // kafka-model §5.4: the ISR this check saw travels with the error.
                    let shortfall = IsrShortfall { isr: maximal.clone(), min_insync_replicas: min_isr as u32 };
                    let error = ErrorCode::NotEnoughReplicasAfterAppend;
                    Some(ProduceResult::Error { error, leader_hint: None, shortfall: Some(shortfall) })
                }
            });
        }
    }

    /// Answers the parked requests whose every partition is done.
    pub(super) fn send_done_produces(&mut self, ctx: &mut Ctx) {
        let done: Vec<u64> = self.parked_produces.iter().filter(|(_, p)| p.is_done()).map(|(id, _)| *id).collect();
        for id in done {
            let parked = self.parked_produces.remove(&id).expect("listed");
            ctx.send(parked.from, parked.response());
        }
    }

    /// `Partition.appendRecordsToLeader`: returns the batch's offsets and whether it was a duplicate
    /// already in the log, or why it was refused (with the ISR it saw, for `NOT_ENOUGH_REPLICAS`).
    pub(super) fn append_as_leader(
        &mut self,
        partition: PartitionIdx,
        acks: Acks,
        mut batch: Batch,
        ctx: &mut Ctx,
    ) -> Result<(Offset, Offset, Sequence), (ErrorCode, Option<IsrShortfall>)> {
        let min_isr = self.min_isr(partition, ctx);
        let replica = self.replicas.get_mut(&partition).ok_or((ErrorCode::NotLeaderOrFollower, None))?;
        let Role::Leader(state) = &replica.role else {
            return Err((ErrorCode::NotLeaderOrFollower, None));
        };
        if acks == Acks::All && state.isr.committed.len() < min_isr {
            // kafka-model §5.4: nothing appended; the producer learns which ISR was too small.
            let shortfall = IsrShortfall { isr: state.isr.committed.clone(), min_insync_replicas: min_isr as u32 };
            return Err((ErrorCode::NotEnoughReplicas, Some(shortfall)));
        }
        let mut sequence = Sequence::Next;
        if let Some(stamp) = batch.producer {
            sequence = check_sequence(replica, stamp, batch.len()).map_err(|e| (e, None))?;
            if let Sequence::Duplicate(base_offset) = sequence {
                // A retry of a batch this log already has: answered with its original offsets.
                return Ok((base_offset, base_offset + batch.len(), sequence));
            }
        }
        batch.base_offset = replica.log_end_offset();
        batch.leader_epoch = replica.leader_epoch;
        let (base, end, first_record) = (batch.base_offset, batch.end_offset(), batch.records[0].id);
        let (leader_epoch, count) = (batch.leader_epoch, batch.len() as u32);
        replica.log.append(batch, ctx.now, &ctx.catalog.topic(partition).config.log);
        ctx.observe(Observation::Appended { partition, base_offset: base, first_record });
        ctx.emit(EventKind::LeaderAppended {
            broker: self.id,
            partition,
            leader_epoch,
            base_offset: base,
            count,
            controller: ControllerEpoch::UNKNOWN,
        });
        self.wakes.push((partition, Wake::Appended));
        self.maybe_increment_hw(partition, ctx);
        Ok((base, end, sequence))
    }
}

/// What the sequence check made of a batch (batches without a producer id are `Next`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::engine::broker) enum Sequence {
    /// The next one: append.
    Next,
    /// One of the last 5 batches, already in the log at this offset: not appended again.
    Duplicate(Offset),
    /// No state for the producer id and a sequence other than 0 (this one): appended unchecked.
    WithoutState(u32),
}

/// The idempotent producer's sequence check (kafka-model §5.6): a duplicate of one of the last 5
/// batches, a batch to append, or `OUT_OF_ORDER_SEQUENCE_NUMBER`.
///
/// As `ProducerAppendInfo.checkSequence` of Kafka 4.x: a broker with no state for the producer id
/// (none of its batches in this log: an unclean election lost them, or they never replicated here)
/// accepts any sequence; a new producer epoch must start at sequence 0; the same epoch must continue
/// at the last sequence + 1. Kafka 4.x's broker never answers `DUPLICATE_SEQUENCE_NUMBER`: a retry
/// that matches one of the retained batches is found by `UnifiedLog` (`ProducerStateEntry.
/// findDuplicateBatch`) and answered with its original offsets; an older one is out of order here.
/// (A batch of an older producer epoch gets `INVALID_PRODUCER_EPOCH` in Kafka; it is out of order here.)
fn check_sequence(replica: &Replica, stamp: ProducerStamp, count: u64) -> Result<Sequence, ErrorCode> {
    let retained = replica.log.producer_batches(stamp.producer_id);
    let last_sequence = stamp.base_sequence + count as u32 - 1;
    if let Some(dup) = retained.iter().find(|m| {
        m.producer_epoch == stamp.producer_epoch
            && m.base_sequence == stamp.base_sequence
            && m.last_sequence == last_sequence
    }) {
        return Ok(Sequence::Duplicate(dup.base_offset));
    }
    match retained.last() {
        None if stamp.base_sequence == 0 => Ok(Sequence::Next),
        None => Ok(Sequence::WithoutState(stamp.base_sequence)),
        Some(last) if stamp.producer_epoch > last.producer_epoch && stamp.base_sequence == 0 => Ok(Sequence::Next),
        Some(last)
            if stamp.producer_epoch == last.producer_epoch
                && stamp.base_sequence == last.last_sequence.wrapping_add(1) =>
        {
            Ok(Sequence::Next)
        }
        _ => Err(ErrorCode::OutOfOrderSequenceNumber),
    }
}
