//! The group coordinator on a broker (kafka-model §6.4): the groups whose `__consumer_offsets`
//! partition this broker leads, the classic protocol's state machine (`ClassicGroup`: Empty,
//! PreparingRebalance, CompletingRebalance, Stable) and committed offsets, written to that partition
//! and answered once its high watermark passes them, as an `acks=all` append
//! (`GroupMetadataManager.storeOffsets`, `CoordinatorRuntime`). A group is loaded from the log the
//! first time a request names it in a leader epoch (`GroupMetadataManager.loadGroupsAndOffsets`).

use super::Broker;
use crate::engine::config::Acks;
use crate::engine::ctx::{Ctx, Observation};
use crate::engine::event::EventKind;
use crate::engine::group::*;
use crate::engine::ids::*;
use crate::engine::log::{Batch, Record};
use crate::engine::message::{ErrorCode, GroupRequest, GroupResponse, Joined, Message, Subscription};
use crate::engine::timer::BrokerTimer;
use crate::engine::Map;
use std::rc::Rc;

/// The groups a broker coordinates and its offset commits waiting for replication.
#[derive(Clone, Debug, Default)]
pub struct GroupCoordinator {
    pub groups: Map<String, Group>,
    pending: Vec<PendingCommit>,
    next_member: u64,
    next_record: u64,
}

#[derive(Clone, Debug)]
pub struct Group {
    /// The `__consumer_offsets` partition and the leader epoch the group was loaded in.
    pub partition: PartitionIdx,
    pub loaded_epoch: LeaderEpoch,
    pub state: GroupState,
    pub generation: u32,
    pub protocol: Option<Assignor>,
    pub leader: Option<String>,
    pub members: Map<String, Member>,
    /// Committed offsets: only what the partition's high watermark has passed.
    pub offsets: Map<PartitionIdx, Offset>,
    /// When a PreparingRebalance gives up on members that have not rejoined (the rebalance timeout,
    /// or `group.initial.rebalance.delay.ms` for an empty group).
    rebalance_deadline_ms: Millis,
    /// The group's next `GroupCheck` timer.
    check_at_ms: Millis,
}

#[derive(Clone, Debug)]
pub struct Member {
    pub consumer: ClientIdx,
    pub topic: TopicIdx,
    protocols: Vec<Assignor>,
    /// The JoinGroup and SyncGroup requests waiting for an answer.
    join: Option<u64>,
    sync: Option<u64>,
    pub assignment: Vec<PartitionIdx>,
    heartbeat_ms: Millis,
}

#[derive(Clone, Debug)]
struct PendingCommit {
    from: NodeId,
    request_id: u64,
    group: String,
    partition: PartitionIdx,
    leader_epoch: LeaderEpoch,
    end_offset: Offset,
    offsets: Vec<(PartitionIdx, Offset)>,
    /// A group record stored for this generation's SyncGroup: its answers wait for it.
    sync_generation: Option<u32>,
}

impl Broker {
    /// The group's offsets partition if this broker leads it, else `NOT_COORDINATOR` (or
    /// `COORDINATOR_NOT_AVAILABLE` while the internal topic does not exist yet).
    fn coordinator_partition(&self, group: &str, ctx: &Ctx) -> Result<(PartitionIdx, LeaderEpoch), ErrorCode> {
        let topic = ctx.catalog.topic_by_name(OFFSETS_TOPIC).ok_or(ErrorCode::CoordinatorNotAvailable)?;
        let partitions = &ctx.catalog.topics[topic.0 as usize].partitions;
        let p = partitions[partition_for(group, partitions.len() as u32) as usize];
        match self.replicas.get(&p) {
            Some(r) if r.leader_state().is_some() => Ok((p, r.leader_epoch)),
            _ => Err(ErrorCode::NotCoordinator),
        }
    }

    /// The group, loaded from the log if this leader epoch has not loaded it yet.
    fn load_group(&mut self, group: &str, ctx: &mut Ctx) -> Result<&mut Group, ErrorCode> {
        let (p, epoch) = self.coordinator_partition(group, ctx)?;
        let loaded = self.coordinator.groups.get(group).is_some_and(|g| g.loaded_epoch == epoch && g.partition == p);
        if !loaded {
            let (offsets, stored) = read_group(&self.replicas[&p].log, group, ctx);
            let mut g = Group {
                partition: p,
                loaded_epoch: epoch,
                state: GroupState::Empty,
                generation: 0,
                protocol: None,
                leader: None,
                members: Map::new(),
                offsets,
                rebalance_deadline_ms: 0,
                check_at_ms: Millis::MAX,
            };
            if let Some(value) = stored {
                load_members(&mut g, &value, ctx.now);
            }
            self.coordinator.groups.insert(group.to_string(), g);
            // The loaded members' sessions start now (`rescheduleHeartbeat` on load).
            self.arm_group_check(group, ctx);
        }
        Ok(self.coordinator.groups.get_mut(group).expect("loaded"))
    }

    pub(super) fn on_group_request(
        &mut self,
        from: NodeId,
        request_id: u64,
        group: String,
        request: GroupRequest,
        ctx: &mut Ctx,
    ) {
        let NodeId::Consumer(consumer) = from else { return };
        let answer = |ctx: &mut Ctx, response: GroupResponse| {
            ctx.send(from, Message::GroupResponse { request_id, response });
        };
        if let GroupRequest::FindCoordinator = request {
            return answer(ctx, GroupResponse::FindCoordinator(self.find_coordinator(&group, ctx)));
        }
        if let Err(e) = self.load_group(&group, ctx) {
            let response = match request {
                GroupRequest::JoinGroup { .. } => GroupResponse::JoinGroup(Err(e)),
                GroupRequest::SyncGroup { .. } => GroupResponse::SyncGroup(Err(e)),
                GroupRequest::Heartbeat { .. } => GroupResponse::Heartbeat(Err(e)),
                GroupRequest::OffsetCommit { .. } => GroupResponse::OffsetCommit(Err(e)),
                GroupRequest::OffsetFetch { .. } => GroupResponse::OffsetFetch(Err(e)),
                GroupRequest::LeaveGroup { .. } | GroupRequest::FindCoordinator => GroupResponse::LeaveGroup,
            };
            return answer(ctx, response);
        }
        match request {
            GroupRequest::FindCoordinator => {}
            GroupRequest::JoinGroup { member_id, topic, protocols } => {
                self.on_join(consumer, request_id, &group, member_id, topic, protocols, ctx)
            }
            GroupRequest::SyncGroup { member_id, generation, assignments } => {
                self.on_sync(request_id, &group, &member_id, generation, assignments, ctx)
            }
            GroupRequest::Heartbeat { member_id, generation } => {
                let result = self.on_heartbeat(&group, &member_id, generation, ctx);
                answer(ctx, GroupResponse::Heartbeat(result));
            }
            GroupRequest::LeaveGroup { member_id } => {
                self.remove_member(&group, &member_id, "LeaveGroup: the member left the group", ctx);
                answer(ctx, GroupResponse::LeaveGroup);
            }
            GroupRequest::OffsetCommit { member_id, generation, offsets } => {
                self.on_offset_commit(from, request_id, &group, &member_id, generation, offsets, ctx)
            }
            GroupRequest::OffsetFetch { partitions } => {
                let g = self.coordinator.groups.get(&group).expect("loaded");
                let offsets = partitions.iter().map(|p| (*p, g.offsets.get(p).copied())).collect();
                answer(ctx, GroupResponse::OffsetFetch(Ok(offsets)));
            }
        }
    }

    /// FindCoordinator: the leader of the group's `__consumer_offsets` partition as this broker's
    /// metadata knows it.
    fn find_coordinator(&self, group: &str, ctx: &Ctx) -> Result<BrokerId, ErrorCode> {
        let topic = ctx.catalog.topic_by_name(OFFSETS_TOPIC).ok_or(ErrorCode::CoordinatorNotAvailable)?;
        let partitions = &ctx.catalog.topics[topic.0 as usize].partitions;
        let p = partitions[partition_for(group, partitions.len() as u32) as usize];
        self.image.partition(p).and_then(|r| r.leader).ok_or(ErrorCode::CoordinatorNotAvailable)
    }

    #[allow(clippy::too_many_arguments)]
    fn on_join(
        &mut self,
        consumer: ClientIdx,
        request_id: u64,
        group: &str,
        member_id: String,
        topic: TopicIdx,
        protocols: Vec<Assignor>,
        ctx: &mut Ctx,
    ) {
        let now = ctx.now;
        let g = self.coordinator.groups.get_mut(group).expect("loaded");
        if !member_id.is_empty() {
            let Some(m) = g.members.get_mut(&member_id) else {
                // A member id this coordinator does not know: the member starts over with none.
                let response = GroupResponse::JoinGroup(Err(ErrorCode::UnknownMemberId));
                ctx.send(NodeId::Consumer(consumer), Message::GroupResponse { request_id, response });
                return;
            };
            (m.join, m.heartbeat_ms, m.protocols, m.topic) = (Some(request_id), now, protocols, topic);
            self.prepare_rebalance(group, format!("member {member_id} rejoined"), ctx);
            return self.maybe_complete_join(group, ctx);
        }
        // Kafka's member id is `client.id` and a UUID; here the consumer's name and a count.
        self.coordinator.next_member += 1;
        let name = ctx.catalog.consumers.get(consumer.0 as usize).map_or("consumer", |s| s.as_str());
        let member_id = format!("{name}-{}", self.coordinator.next_member);
        let member = Member {
            consumer,
            topic,
            protocols,
            join: Some(request_id),
            sync: None,
            assignment: Vec::new(),
            heartbeat_ms: now,
        };
        g.members.insert(member_id.clone(), member);
        if !g.leader.as_ref().is_some_and(|l| g.members.contains_key(l)) {
            // The first member to join leads (`ClassicGroup.add`).
            g.leader = Some(member_id.clone());
        }
        self.prepare_rebalance(group, format!("member {member_id} joined"), ctx);
        self.maybe_complete_join(group, ctx);
    }

    /// To PreparingRebalance (`ClassicGroup.prepareRebalance`): members learn it from their next
    /// heartbeat (`REBALANCE_IN_PROGRESS`); a SyncGroup waiting gets the same answer.
    fn prepare_rebalance(&mut self, group: &str, reason: String, ctx: &mut Ctx) {
        let broker = self.id;
        let g = self.coordinator.groups.get_mut(group).expect("loaded");
        if g.state == GroupState::PreparingRebalance {
            return;
        }
        let delay = if g.state == GroupState::Empty { GROUP_INITIAL_REBALANCE_DELAY_MS } else { MAX_POLL_INTERVAL_MS };
        for m in g.members.iter_mut().map(|(_, m)| m) {
            if let Some(request_id) = m.sync.take() {
                let response = GroupResponse::SyncGroup(Err(ErrorCode::RebalanceInProgress));
                ctx.send(NodeId::Consumer(m.consumer), Message::GroupResponse { request_id, response });
            }
        }
        g.state = GroupState::PreparingRebalance;
        g.rebalance_deadline_ms = ctx.now + delay;
        let generation = g.generation;
        ctx.emit(EventKind::GroupRebalanceStarted { broker, group: group.into(), generation, reason });
        self.arm_group_check(group, ctx);
    }

    /// The join phase ends when every member has rejoined (and an empty group's initial delay has
    /// passed), or at the deadline, without the members that did not rejoin.
    fn maybe_complete_join(&mut self, group: &str, ctx: &mut Ctx) {
        let g = self.coordinator.groups.get(group).expect("loaded");
        let all_joined = g.members.values().all(|m| m.join.is_some());
        let initial = g.generation == 0 || g.leader.is_none();
        let waiting = initial && ctx.now < g.rebalance_deadline_ms;
        if g.state == GroupState::PreparingRebalance && (all_joined && !waiting || ctx.now >= g.rebalance_deadline_ms) {
            self.complete_join(group, ctx);
        }
    }

    fn complete_join(&mut self, group: &str, ctx: &mut Ctx) {
        let broker = self.id;
        let g = self.coordinator.groups.get_mut(group).expect("loaded");
        let gone: Vec<String> = g.members.iter().filter(|(_, m)| m.join.is_none()).map(|(id, _)| id.clone()).collect();
        for id in gone {
            g.members.remove(&id);
            ctx.emit(EventKind::GroupMemberRemoved {
                broker,
                group: group.into(),
                member: id,
                why: "it did not rejoin within the rebalance timeout (max.poll.interval.ms)",
            });
        }
        g.generation += 1;
        if g.members.is_empty() {
            (g.state, g.leader, g.protocol) = (GroupState::Empty, None, None);
            self.store_group(group, ctx);
            return;
        }
        let lists: Vec<&[Assignor]> = g.members.values().map(|m| m.protocols.as_slice()).collect();
        g.protocol = select_protocol(&lists);
        if !g.leader.as_ref().is_some_and(|l| g.members.contains_key(l)) {
            g.leader = g.members.keys().next().cloned();
        }
        g.state = GroupState::CompletingRebalance;
        let (generation, leader, protocol) = (g.generation, g.leader.clone().unwrap_or_default(), g.protocol);
        let protocol = protocol.unwrap_or(Assignor::Range);
        let subscriptions: Vec<Subscription> =
            g.members.iter().map(|(id, m)| Subscription { member_id: id.clone(), topic: m.topic }).collect();
        for (id, m) in g.members.iter_mut() {
            let Some(request_id) = m.join.take() else { continue };
            m.heartbeat_ms = ctx.now;
            let members = if *id == leader { subscriptions.clone() } else { Vec::new() };
            let joined = Joined { generation, member_id: id.clone(), leader: leader.clone(), members };
            let response = GroupResponse::JoinGroup(Ok(joined));
            ctx.send(NodeId::Consumer(m.consumer), Message::GroupResponse { request_id, response });
        }
        let members = g.members.len() as u32;
        ctx.emit(EventKind::GroupJoinCompleted { broker, group: group.into(), generation, leader, protocol, members });
        self.arm_group_check(group, ctx);
    }

    fn on_sync(
        &mut self,
        request_id: u64,
        group: &str,
        member_id: &str,
        generation: u32,
        assignments: Vec<(String, Vec<PartitionIdx>)>,
        ctx: &mut Ctx,
    ) {
        let g = self.coordinator.groups.get_mut(group).expect("loaded");
        let result = match g.members.get(member_id) {
            None => Err(ErrorCode::UnknownMemberId),
            Some(_) if generation != g.generation => Err(ErrorCode::IllegalGeneration),
            Some(_) if g.state == GroupState::PreparingRebalance => Err(ErrorCode::RebalanceInProgress),
            Some(m) if g.state == GroupState::Stable => Ok(m.assignment.clone()),
            Some(_) => Ok(Vec::new()),
        };
        let consumer = g.members.get(member_id).map(|m| m.consumer);
        if result.is_err() || g.state == GroupState::Stable {
            if let Some(consumer) = consumer {
                let response = GroupResponse::SyncGroup(result);
                ctx.send(NodeId::Consumer(consumer), Message::GroupResponse { request_id, response });
            }
            return;
        }
        let m = g.members.get_mut(member_id).expect("known");
        m.sync = Some(request_id);
        m.heartbeat_ms = ctx.now;
        if g.leader.as_deref() != Some(member_id) {
            return;
        }
        for (id, assignment) in assignments {
            if let Some(m) = g.members.get_mut(&id) {
                m.assignment = assignment;
            }
        }
        // `storeGroup` with acks=all: the group is Stable and the members get their assignment
        // once the record is committed, so that a next coordinator knows this generation.
        let (generation, partition) = (g.generation, g.partition);
        match self.store_group(group, ctx) {
            Some(end_offset) => {
                let leader_epoch = self.replicas[&partition].leader_epoch;
                self.coordinator.pending.push(PendingCommit {
                    from: NodeId::Broker(self.id),
                    request_id: 0,
                    group: group.to_string(),
                    partition,
                    leader_epoch,
                    end_offset,
                    offsets: Vec::new(),
                    sync_generation: Some(generation),
                });
                self.settle_offset_commits(partition, ctx);
            }
            None => self.answer_syncs(group, Err(ErrorCode::NotCoordinator), ctx),
        }
    }

    /// The SyncGroups waiting in `group` get `result` (their own assignment on success); on success
    /// the group is Stable (`setAndPropagateAssignment`).
    fn answer_syncs(&mut self, group: &str, result: Result<(), ErrorCode>, ctx: &mut Ctx) {
        let broker = self.id;
        let Some(g) = self.coordinator.groups.get_mut(group) else { return };
        for m in g.members.iter_mut().map(|(_, m)| m) {
            if let Some(request_id) = m.sync.take() {
                let response = GroupResponse::SyncGroup(result.map(|()| m.assignment.clone()));
                ctx.send(NodeId::Consumer(m.consumer), Message::GroupResponse { request_id, response });
            }
        }
        if result.is_ok() {
            g.state = GroupState::Stable;
            let generation = g.generation;
            ctx.emit(EventKind::GroupStabilized { broker, group: group.into(), generation });
        }
    }

    /// A heartbeat (or a commit, which counts as one): the member's session goes on.
    fn on_heartbeat(&mut self, group: &str, member_id: &str, generation: u32, ctx: &mut Ctx) -> Result<(), ErrorCode> {
        let g = self.coordinator.groups.get_mut(group).expect("loaded");
        let (state, current) = (g.state, g.generation);
        let m = g.members.get_mut(member_id).ok_or(ErrorCode::UnknownMemberId)?;
        m.heartbeat_ms = ctx.now;
        match generation {
            gen if gen != current => Err(ErrorCode::IllegalGeneration),
            _ if state == GroupState::PreparingRebalance => Err(ErrorCode::RebalanceInProgress),
            _ => Ok(()),
        }
    }

    fn remove_member(&mut self, group: &str, member_id: &str, why: &'static str, ctx: &mut Ctx) {
        let broker = self.id;
        let Some(g) = self.coordinator.groups.get_mut(group) else { return };
        if g.members.remove(member_id).is_none() {
            return;
        }
        ctx.emit(EventKind::GroupMemberRemoved { broker, group: group.into(), member: member_id.into(), why });
        if g.members.is_empty() && g.state != GroupState::PreparingRebalance {
            g.generation += 1;
            (g.state, g.leader, g.protocol) = (GroupState::Empty, None, None);
            self.store_group(group, ctx);
            return;
        }
        if g.state == GroupState::PreparingRebalance {
            self.maybe_complete_join(group, ctx);
        } else {
            self.prepare_rebalance(group, format!("member {member_id} left the group"), ctx);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_offset_commit(
        &mut self,
        from: NodeId,
        request_id: u64,
        group: &str,
        member_id: &str,
        generation: u32,
        offsets: Vec<(PartitionIdx, Offset)>,
        ctx: &mut Ctx,
    ) {
        let answer = |ctx: &mut Ctx, result| {
            ctx.send(from, Message::GroupResponse { request_id, response: GroupResponse::OffsetCommit(result) })
        };
        // `ClassicGroup.validateOffsetCommit`; a commit also counts as a heartbeat.
        let now = ctx.now;
        let g = self.coordinator.groups.get_mut(group).expect("loaded");
        let checked = match g.members.get_mut(member_id) {
            None => Err(ErrorCode::UnknownMemberId),
            Some(m) => {
                m.heartbeat_ms = now;
                match g.state {
                    _ if generation != g.generation => Err(ErrorCode::IllegalGeneration),
                    GroupState::CompletingRebalance => Err(ErrorCode::RebalanceInProgress),
                    _ => Ok(g.partition),
                }
            }
        };
        let partition = match checked {
            Ok(p) => p,
            Err(e) => return answer(ctx, Err(e)),
        };
        let records: Vec<(String, String)> =
            offsets.iter().map(|(p, o)| (offset_key(group, *p, ctx), o.to_string())).collect();
        match self.append_group_records(partition, records, ctx) {
            // `NOT_ENOUGH_REPLICAS` and the like become `COORDINATOR_NOT_AVAILABLE` for a commit.
            Err(_) => answer(ctx, Err(ErrorCode::CoordinatorNotAvailable)),
            Ok((_, end_offset, _)) => {
                let leader_epoch = self.replicas[&partition].leader_epoch;
                let group = group.to_string();
                self.coordinator.pending.push(PendingCommit {
                    from,
                    request_id,
                    group,
                    partition,
                    leader_epoch,
                    end_offset,
                    offsets,
                    sync_generation: None,
                });
                self.settle_offset_commits(partition, ctx);
            }
        }
    }

    /// Appends keyed records to the group's `__consumer_offsets` partition (acks=all: the caller
    /// waits for the high watermark).
    fn append_group_records(
        &mut self,
        partition: PartitionIdx,
        records: Vec<(String, String)>,
        ctx: &mut Ctx,
    ) -> Result<(Offset, Offset, super::leader::Sequence), (ErrorCode, Option<crate::engine::message::IsrShortfall>)>
    {
        self.coordinator.next_record += 1;
        let first_id = OFFSET_RECORD_ID_BASE | u64::from(self.id.0) << 32 | self.coordinator.next_record << 12;
        let records: Vec<Record> = records
            .iter()
            .enumerate()
            .map(|(i, (key, value))| Record::new(first_id + i as u64, &Record::text(Some(key), value)))
            .collect();
        let size_bytes = records.iter().map(Record::size_bytes).sum();
        let (records, max_timestamp_ms) = (Rc::from(records), ctx.now);
        let batch = Batch { base_offset: 0, leader_epoch: 0, producer: None, records, size_bytes, max_timestamp_ms };
        self.append_as_leader(partition, Acks::All, batch, ctx)
    }

    /// `GroupMetadataManager.storeGroup`: the generation, its leader and every member's assignment,
    /// so that the next coordinator of the group knows them (`GroupMetadataValue`). The record's end
    /// offset, or `None` if the append failed.
    fn store_group(&mut self, group: &str, ctx: &mut Ctx) -> Option<Offset> {
        let g = self.coordinator.groups.get(group)?;
        let mut value = format!("{} {}", g.generation, g.leader.as_deref().unwrap_or("-"));
        for (id, m) in g.members.iter() {
            let parts: Vec<String> = m.assignment.iter().map(|p| p.0.to_string()).collect();
            value.push_str(&format!(" {id}:{}:{}:{}", m.consumer.0, m.topic.0, parts.join(",")));
        }
        let partition = g.partition;
        self.append_group_records(partition, vec![(group.to_string(), value)], ctx).ok().map(|(_, end, _)| end)
    }

    /// The commits on `partition` its high watermark has passed are committed and answered; those of
    /// a leadership this broker lost get `NOT_COORDINATOR`.
    pub(super) fn settle_offset_commits(&mut self, partition: PartitionIdx, ctx: &mut Ctx) {
        if !self.coordinator.pending.iter().any(|c| c.partition == partition) {
            return;
        }
        let (leading, hw) = match self.replicas.get(&partition) {
            Some(r) if r.leader_state().is_some() => (Some(r.leader_epoch), r.high_watermark),
            _ => (None, 0),
        };
        let broker = self.id;
        let mut i = 0;
        while i < self.coordinator.pending.len() {
            let c = &self.coordinator.pending[i];
            if c.partition != partition || leading == Some(c.leader_epoch) && c.end_offset > hw {
                i += 1;
                continue;
            }
            let c = self.coordinator.pending.remove(i);
            if let Some(generation) = c.sync_generation {
                self.settle_sync(&c.group, generation, leading == Some(c.leader_epoch), ctx);
                continue;
            }
            let result = if leading != Some(c.leader_epoch) {
                Err(ErrorCode::NotCoordinator)
            } else {
                if let Some(g) = self.coordinator.groups.get_mut(&c.group).filter(|g| g.loaded_epoch == c.leader_epoch)
                {
                    for (p, o) in &c.offsets {
                        g.offsets.insert(*p, *o);
                        ctx.observe(Observation::OffsetCommitted { partition: *p, offset: *o });
                    }
                }
                let NodeId::Consumer(consumer) = c.from else { continue };
                ctx.emit(EventKind::OffsetsCommitted {
                    broker,
                    group: c.group.clone(),
                    consumer,
                    offsets: c.offsets.clone(),
                });
                Ok(c.offsets)
            };
            let response = GroupResponse::OffsetCommit(result);
            ctx.send(c.from, Message::GroupResponse { request_id: c.request_id, response });
        }
    }

    /// A stored group record of `generation` is committed (or its leadership lost: `committed`
    /// false): the SyncGroups still waiting in that generation are answered.
    fn settle_sync(&mut self, group: &str, generation: u32, committed: bool, ctx: &mut Ctx) {
        let current = self
            .coordinator
            .groups
            .get(group)
            .is_some_and(|g| g.generation == generation && g.state == GroupState::CompletingRebalance);
        if !current {
            return;
        }
        self.answer_syncs(group, if committed { Ok(()) } else { Err(ErrorCode::NotCoordinator) }, ctx);
    }

    /// Each group's next check: a member whose session ended, or a rebalance's deadline. A member
    /// whose JoinGroup waits is kept alive (`shouldKeepAlive`): the rebalance deadline is its
    /// limit, so its past session end never arms a check at once, again and again.
    fn arm_group_check(&mut self, group: &str, ctx: &mut Ctx) {
        let Some(g) = self.coordinator.groups.get_mut(group) else { return };
        let sessions = g.members.values().filter(|m| m.join.is_none()).map(|m| m.heartbeat_ms + SESSION_TIMEOUT_MS);
        let mut at = sessions.min().unwrap_or(Millis::MAX);
        if g.state == GroupState::PreparingRebalance {
            at = at.min(g.rebalance_deadline_ms);
        }
        if at < g.check_at_ms {
            g.check_at_ms = at;
            let partition = g.partition;
            ctx.set_timer(at.saturating_sub(ctx.now), BrokerTimer::GroupCheck { partition });
        }
    }

    /// `GroupCheck`: in each group of the partition, members without a heartbeat for
    /// `session.timeout.ms` are removed (the coordinator's heartbeat expiration), a rebalance past
    /// its deadline completes.
    pub(super) fn on_group_check(&mut self, partition: PartitionIdx, ctx: &mut Ctx) {
        let groups: Vec<String> = self
            .coordinator
            .groups
            .iter()
            .filter(|(_, g)| g.partition == partition)
            .map(|(id, _)| id.clone())
            .collect();
        for group in groups {
            self.check_group(&group, ctx);
        }
    }

    fn check_group(&mut self, group: &str, ctx: &mut Ctx) {
        let Some(g) = self.coordinator.groups.get_mut(group) else { return };
        g.check_at_ms = Millis::MAX;
        if self.coordinator_partition(group, ctx).is_err() {
            return;
        }
        let now = ctx.now;
        let g = self.coordinator.groups.get(group).expect("loaded");
        let expired: Vec<String> = g
            .members
            .iter()
            .filter(|(_, m)| m.join.is_none() && now >= m.heartbeat_ms + SESSION_TIMEOUT_MS)
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            self.remove_member(group, &id, "no heartbeat within session.timeout.ms (45 s)", ctx);
        }
        self.maybe_complete_join(group, ctx);
        self.arm_group_check(group, ctx);
    }
}

/// Offset records' ids: apart from every producer's record ids.
const OFFSET_RECORD_ID_BASE: RecordId = 1 << 63;

/// An offset commit record's key: group, topic and partition (Kafka's `OffsetCommitKey`).
fn offset_key(group: &str, p: PartitionIdx, ctx: &Ctx) -> String {
    let info = &ctx.catalog.partitions[p.0 as usize];
    let topic = &ctx.catalog.topics[info.topic.0 as usize].name;
    format!("{group}/{topic}/{}", info.number)
}

/// A group's metadata record (`store_group`): generation, leader, members.
fn load_members(g: &mut Group, value: &str, now: Millis) {
    let mut words = value.split(' ');
    let (Some(Ok(generation)), Some(leader)) = (words.next().map(str::parse::<u32>), words.next()) else { return };
    g.generation = generation;
    g.leader = (leader != "-").then(|| leader.to_string());
    for word in words {
        let mut fields = word.split(':');
        let (Some(id), Some(Ok(consumer)), Some(Ok(topic)), Some(parts)) =
            (fields.next(), fields.next().map(str::parse::<u32>), fields.next().map(str::parse::<u32>), fields.next())
        else {
            continue;
        };
        let assignment = parts.split(',').filter_map(|p| p.parse::<u32>().ok()).map(PartitionIdx).collect();
        let member = Member {
            consumer: ClientIdx(consumer),
            topic: TopicIdx(topic),
            protocols: DEFAULT_ASSIGNORS.to_vec(),
            join: None,
            sync: None,
            assignment,
            heartbeat_ms: now,
        };
        g.members.insert(id.to_string(), member);
    }
    if !g.members.is_empty() {
        g.state = GroupState::Stable;
    }
}

/// The group's committed offsets and its last metadata record as the log holds them, the last
/// record of each key winning (`GroupMetadataManager.loadGroupsAndOffsets`).
fn read_group(log: &crate::engine::log::Log, group: &str, ctx: &Ctx) -> (Map<PartitionIdx, Offset>, Option<String>) {
    let mut offsets = Map::new();
    let mut stored = None;
    for batch in log.batches() {
        for record in batch.records.iter() {
            let Some(key) = record.key() else { continue };
            if key == group {
                stored = Some(record.value().to_string());
                continue;
            }
            let mut parts = key.rsplitn(3, '/');
            let (Some(index), Some(topic), Some(g)) = (parts.next(), parts.next(), parts.next()) else { continue };
            if g != group {
                continue;
            }
            let (Some(t), Ok(index), Ok(offset)) =
                (ctx.catalog.topic_by_name(topic), index.parse::<usize>(), record.value().parse::<Offset>())
            else {
                continue;
            };
            if let Some(p) = ctx.catalog.topics[t.0 as usize].partitions.get(index) {
                offsets.insert(*p, offset);
            }
        }
    }
    (offsets, stored)
}
