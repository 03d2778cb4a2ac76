//! A consumer in a group, the member's side of the classic protocol (kafka-model §6.3, §6.4;
//! `ConsumerCoordinator`, `AbstractCoordinator`): it finds its coordinator, joins (JoinGroup,
//! SyncGroup; the leader runs the assignor), heartbeats every `heartbeat.interval.ms`, commits its
//! positions every `auto.commit.interval.ms` while the application polls, revokes everything before
//! it rejoins (the eager `range` protocol the default list's vote chooses), and starts each new
//! partition from its committed offset, else from `auto.offset.reset`.

use super::*;
use crate::engine::group::*;

/// Where the member is in the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberState {
    /// Waiting for FindCoordinator, then JoinGroup.
    FindingCoordinator,
    /// Committing before it revokes and rejoins (`onJoinPrepare`'s synchronous commit).
    CommittingBeforeJoin,
    /// Committing before LeaveGroup (`close()`).
    CommittingBeforeLeave,
    Joining,
    Syncing,
    Stable,
    /// Out of the group: left, or its poll timeout expired.
    Left,
}

#[derive(Clone, Debug)]
pub struct Membership {
    pub group: String,
    pub topic: TopicIdx,
    pub auto_commit: bool,
    pub coordinator: Option<BrokerId>,
    pub member_id: String,
    /// The generation of the last JoinGroup answer; `None` before the first and after an error
    /// that ends it.
    pub generation: Option<u32>,
    pub state: MemberState,
    /// The partitions it owns (after SyncGroup, until it revokes them).
    pub assigned: Vec<PartitionIdx>,
    /// Requests to the coordinator in flight: id, name, when sent.
    in_flight: Vec<(u64, &'static str, Millis)>,
    /// The application calls `poll()`.
    pub polling: bool,
    polled_ms: Millis,
    next_find: usize,
}

impl Consumer {
    /// `subscribe(topic)` with `group.id`: the member looks up its coordinator and joins.
    pub fn join_group(&mut self, group: &str, topic: TopicIdx, auto_commit: bool, ctx: &mut Ctx) {
        self.membership = Some(Membership {
            group: group.to_string(),
            topic,
            auto_commit,
            coordinator: None,
            member_id: String::new(),
            generation: None,
            state: MemberState::FindingCoordinator,
            assigned: Vec::new(),
            in_flight: Vec::new(),
            polling: true,
            polled_ms: ctx.now,
            next_find: self.idx.0 as usize,
        });
        self.find_coordinator(ctx);
        ctx.set_timer(HEARTBEAT_INTERVAL_MS, ConsumerTimer::GroupHeartbeat);
        if auto_commit {
            ctx.set_timer(AUTO_COMMIT_INTERVAL_MS, ConsumerTimer::AutoCommit);
        }
    }

    fn group_send(&mut self, to: BrokerId, name: &'static str, request: GroupRequest, ctx: &mut Ctx) {
        let request_id = self.next_request_id();
        let Some(m) = self.membership.as_mut() else { return };
        m.in_flight.push((request_id, name, ctx.now));
        let group = m.group.clone();
        ctx.send(NodeId::Broker(to), Message::GroupRequest { request_id, group, request });
    }

    /// FindCoordinator to the next bootstrap broker in turn.
    fn find_coordinator(&mut self, ctx: &mut Ctx) {
        let Some(m) = self.membership.as_mut() else { return };
        if m.in_flight.iter().any(|(_, name, _)| *name == "FindCoordinator") || ctx.catalog.brokers.is_empty() {
            return;
        }
        let broker = ctx.catalog.brokers[m.next_find % ctx.catalog.brokers.len()].0;
        m.next_find += 1;
        self.group_send(broker, "FindCoordinator", GroupRequest::FindCoordinator, ctx);
    }

    /// `markCoordinatorUnknown`: what was in flight to it is gone; the member looks it up again.
    fn coordinator_lost(&mut self, error: Option<ErrorCode>, ctx: &mut Ctx) {
        let consumer = self.idx;
        let Some(m) = self.membership.as_mut() else { return };
        let Some(broker) = m.coordinator.take() else { return };
        m.in_flight.retain(|(_, name, _)| *name == "FindCoordinator");
        if matches!(m.state, MemberState::Joining | MemberState::Syncing) {
            m.state = MemberState::FindingCoordinator;
        }
        if matches!(m.state, MemberState::CommittingBeforeJoin) {
            m.state = MemberState::FindingCoordinator;
            self.revoke(false, ctx);
        }
        let group = self.membership.as_ref().map(|m| m.group.clone()).unwrap_or_default();
        ctx.emit(EventKind::GroupCoordinatorLost { consumer, group, broker, error });
        self.find_coordinator(ctx);
    }

    /// The coordinator is known: the member carries on where it was.
    fn coordinator_found(&mut self, ctx: &mut Ctx) {
        let Some(m) = self.membership.as_ref() else { return };
        match m.state {
            MemberState::FindingCoordinator => self.send_join(ctx),
            MemberState::Stable => self.fetch_committed(ctx),
            _ => {}
        }
    }

    fn send_join(&mut self, ctx: &mut Ctx) {
        let Some(m) = self.membership.as_mut() else { return };
        let Some(coordinator) = m.coordinator else {
            m.state = MemberState::FindingCoordinator;
            return self.find_coordinator(ctx);
        };
        m.state = MemberState::Joining;
        let request = GroupRequest::JoinGroup {
            member_id: m.member_id.clone(),
            topic: m.topic,
            protocols: DEFAULT_ASSIGNORS.to_vec(),
        };
        self.group_send(coordinator, "JoinGroup", request, ctx);
    }

    /// `onJoinPrepare`: with auto-commit, a synchronous commit of the positions first; then every
    /// partition is revoked (eager) and the member rejoins.
    fn rejoin(&mut self, ctx: &mut Ctx) {
        let Some(m) = self.membership.as_ref() else { return };
        if matches!(m.state, MemberState::Left | MemberState::CommittingBeforeJoin | MemberState::Joining) {
            return;
        }
        if m.auto_commit && m.state == MemberState::Stable && self.commit(ctx) {
            if let Some(m) = self.membership.as_mut() {
                m.state = MemberState::CommittingBeforeJoin;
            }
            return;
        }
        self.revoke(false, ctx);
        self.send_join(ctx);
    }

    /// `onPartitionsRevoked` (or `onPartitionsLost`): the partitions and their positions go.
    fn revoke(&mut self, lost: bool, ctx: &mut Ctx) {
        let consumer = self.idx;
        let Some(m) = self.membership.as_mut() else { return };
        let partitions = std::mem::take(&mut m.assigned);
        if partitions.is_empty() {
            return;
        }
        let group = m.group.clone();
        for p in &partitions {
            self.positions.remove(p);
            self.idle.remove(p);
        }
        ctx.emit(EventKind::PartitionsRevoked { consumer, group, partitions, lost });
        ctx.observe(Observation::GroupAssignmentChanged);
    }

    /// Commits the positions of the partitions it owns (OffsetCommit); false if there is nothing to
    /// commit or no coordinator to commit to.
    pub fn commit(&mut self, ctx: &mut Ctx) -> bool {
        let Some(m) = self.membership.as_ref() else { return false };
        let (Some(coordinator), Some(generation)) = (m.coordinator, m.generation) else { return false };
        let offsets: Vec<(PartitionIdx, Offset)> = m
            .assigned
            .iter()
            .filter_map(|p| self.positions.get(p).and_then(|pos| pos.position).map(|o| (*p, o)))
            .collect();
        if offsets.is_empty() {
            return false;
        }
        let member_id = m.member_id.clone();
        self.group_send(
            coordinator,
            "OffsetCommit",
            GroupRequest::OffsetCommit { member_id, generation, offsets },
            ctx,
        );
        true
    }

    /// `close()`: a last commit with auto-commit, then LeaveGroup.
    pub fn leave_group(&mut self, ctx: &mut Ctx) {
        let auto_commit = self.membership.as_ref().is_some_and(|m| m.auto_commit && m.state == MemberState::Stable);
        if auto_commit && self.commit(ctx) {
            if let Some(m) = self.membership.as_mut() {
                m.state = MemberState::CommittingBeforeLeave;
            }
            return;
        }
        self.send_leave(ctx);
    }

    fn send_leave(&mut self, ctx: &mut Ctx) {
        self.revoke(false, ctx);
        let Some(m) = self.membership.as_mut() else { return };
        m.state = MemberState::Left;
        let (coordinator, member_id) = (m.coordinator, m.member_id.clone());
        if let (Some(coordinator), false) = (coordinator, member_id.is_empty()) {
            self.group_send(coordinator, "LeaveGroup", GroupRequest::LeaveGroup { member_id }, ctx);
        }
    }

    /// The application stops calling `poll()`: nothing is fetched or auto-committed from now on.
    pub fn stop_polling(&mut self, ctx: &mut Ctx) {
        if let Some(m) = self.membership.as_mut() {
            m.polling = false;
            m.polled_ms = ctx.now;
        }
        ctx.emit(EventKind::ConsumerStoppedPolling { consumer: self.idx });
    }

    /// OffsetFetch for the owned partitions that have no position yet.
    fn fetch_committed(&mut self, ctx: &mut Ctx) {
        let Some(m) = self.membership.as_ref() else { return };
        let Some(coordinator) = m.coordinator else { return };
        let partitions: Vec<PartitionIdx> =
            m.assigned.iter().copied().filter(|p| !self.positions.contains_key(p)).collect();
        if !partitions.is_empty() && !m.in_flight.iter().any(|(_, name, _)| *name == "OffsetFetch") {
            self.group_send(coordinator, "OffsetFetch", GroupRequest::OffsetFetch { partitions }, ctx);
        }
    }

    /// A newly owned partition's position: its committed offset, else `auto.offset.reset`
    /// (`ConsumerCoordinator.refreshCommittedOffsetsIfNeeded`, kafka-model §6.3).
    fn start_from(&mut self, p: PartitionIdx, committed: Option<Offset>, ctx: &mut Ctx) {
        if self.positions.contains_key(&p) {
            return;
        }
        ctx.emit(EventKind::ConsumerStartedFrom { consumer: self.idx, partition: p, committed });
        let Some(offset) = committed else {
            return self.subscribe(&[p], ctx);
        };
        let pos = PartitionPosition {
            position: Some(offset),
            last_epoch: None,
            current_leader: self.metadata.leader(p),
            state: FetchState::Fetching,
            retry_at_ms: 0,
            preferred: None,
            leader_unknown: false,
        };
        self.positions.insert(p, pos);
        self.idle.insert(p, ());
    }

    pub(super) fn on_group_response(&mut self, request_id: u64, response: GroupResponse, ctx: &mut Ctx) {
        let Some(m) = self.membership.as_mut() else { return };
        let Some(at) = m.in_flight.iter().position(|(id, _, _)| *id == request_id) else { return };
        let (_, name, _) = m.in_flight.swap_remove(at);
        let consumer = self.idx;
        match response {
            GroupResponse::FindCoordinator(Ok(broker)) => {
                m.coordinator = Some(broker);
                let group = m.group.clone();
                ctx.emit(EventKind::GroupCoordinatorFound { consumer, group, broker });
                self.coordinator_found(ctx);
            }
            GroupResponse::FindCoordinator(Err(_)) => {
                ctx.set_timer(self.config.retry_backoff_ms, ConsumerTimer::CoordinatorBackoffDone)
            }
            GroupResponse::JoinGroup(Ok(joined)) => self.on_joined(joined, ctx),
            GroupResponse::SyncGroup(Ok(partitions)) => {
                let generation = m.generation.unwrap_or(0);
                m.state = MemberState::Stable;
                m.assigned = partitions.clone();
                let group = m.group.clone();
                ctx.emit(EventKind::PartitionsAssigned { consumer, group, generation, partitions });
                ctx.observe(Observation::GroupAssignmentChanged);
                self.fetch_committed(ctx);
            }
            GroupResponse::OffsetFetch(Ok(offsets)) => {
                let owned = m.assigned.clone();
                for (p, committed) in offsets.into_iter().filter(|(p, _)| owned.contains(p)) {
                    self.start_from(p, committed, ctx);
                }
            }
            GroupResponse::OffsetCommit(result) => {
                let state = m.state;
                if let Err(e) = result {
                    self.on_group_error(name, e, ctx);
                }
                match state {
                    MemberState::CommittingBeforeJoin => {
                        self.revoke(false, ctx);
                        self.send_join(ctx);
                    }
                    MemberState::CommittingBeforeLeave => self.send_leave(ctx),
                    _ => {}
                }
            }
            GroupResponse::Heartbeat(Ok(())) | GroupResponse::LeaveGroup => {}
            GroupResponse::JoinGroup(Err(e))
            | GroupResponse::SyncGroup(Err(e))
            | GroupResponse::Heartbeat(Err(e))
            | GroupResponse::OffsetFetch(Err(e)) => self.on_group_error(name, e, ctx),
        }
    }

    /// The JoinGroup answer: the leader runs the assignor (range, per topic, over the members
    /// subscribed to it); every member sends SyncGroup.
    fn on_joined(&mut self, joined: Joined, ctx: &mut Ctx) {
        let Some(m) = self.membership.as_mut() else { return };
        let Some(coordinator) = m.coordinator else { return };
        m.member_id = joined.member_id.clone();
        m.generation = Some(joined.generation);
        m.state = MemberState::Syncing;
        let mut assignments = Vec::new();
        if joined.leader == joined.member_id {
            let mut topics: Vec<TopicIdx> = Vec::new();
            for s in &joined.members {
                insert_sorted(&mut topics, s.topic);
            }
            for t in topics {
                let members: Vec<String> =
                    joined.members.iter().filter(|s| s.topic == t).map(|s| s.member_id.clone()).collect();
                assignments.extend(range_assign(&members, &ctx.catalog.topics[t.0 as usize].partitions));
            }
        }
        let request =
            GroupRequest::SyncGroup { member_id: joined.member_id, generation: joined.generation, assignments };
        self.group_send(coordinator, "SyncGroup", request, ctx);
    }

    /// A coordinator's error, handled as `AbstractCoordinator` does (kafka-model §6.4).
    fn on_group_error(&mut self, request: &'static str, error: ErrorCode, ctx: &mut Ctx) {
        let consumer = self.idx;
        let Some(m) = self.membership.as_mut() else { return };
        if matches!(error, ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable) {
            return self.coordinator_lost(Some(error), ctx);
        }
        let group = m.group.clone();
        ctx.emit(EventKind::GroupRequestFailed { consumer, group, request, error });
        match error {
            ErrorCode::RebalanceInProgress => self.rejoin(ctx),
            ErrorCode::IllegalGeneration | ErrorCode::UnknownMemberId => {
                m.generation = None;
                if error == ErrorCode::UnknownMemberId {
                    m.member_id.clear();
                }
                if m.state == MemberState::Left {
                    return;
                }
                m.state = MemberState::Syncing;
                self.revoke(true, ctx);
                self.send_join(ctx);
            }
            _ => {}
        }
    }

    /// The heartbeat thread, every `heartbeat.interval.ms`: a request to the coordinator that timed
    /// out loses it; a member past `max.poll.interval.ms` without a poll leaves; else a Heartbeat.
    pub(super) fn on_group_heartbeat(&mut self, ctx: &mut Ctx) {
        let Some(m) = self.membership.as_ref() else { return };
        if m.state == MemberState::Left {
            return;
        }
        ctx.set_timer(HEARTBEAT_INTERVAL_MS, ConsumerTimer::GroupHeartbeat);
        let request_timeout = self.config.request_timeout_ms;
        // A JoinGroup waits up to the rebalance timeout (`max.poll.interval.ms`), plus 5 s.
        let timed_out = m.in_flight.iter().any(|(_, name, sent)| {
            let limit = if *name == "JoinGroup" { MAX_POLL_INTERVAL_MS + 5_000 } else { request_timeout };
            ctx.now >= sent + limit
        });
        if timed_out {
            if m.coordinator.is_some() {
                return self.coordinator_lost(Some(ErrorCode::RequestTimedOut), ctx);
            }
            if let Some(m) = self.membership.as_mut() {
                m.in_flight.clear();
            }
            return self.find_coordinator(ctx);
        }
        if !m.polling && ctx.now >= m.polled_ms + MAX_POLL_INTERVAL_MS {
            let group = m.group.clone();
            ctx.emit(EventKind::ConsumerPollTimeout { consumer: self.idx, group });
            return self.send_leave(ctx);
        }
        let waiting = m.in_flight.iter().any(|(_, name, _)| *name == "Heartbeat");
        if let (Some(coordinator), Some(generation), false, false) =
            (m.coordinator, m.generation, m.member_id.is_empty(), waiting)
        {
            let member_id = m.member_id.clone();
            self.group_send(coordinator, "Heartbeat", GroupRequest::Heartbeat { member_id, generation }, ctx);
        }
    }

    /// `auto.commit.interval.ms`: while the application polls, the positions of a Stable member.
    pub(super) fn on_auto_commit(&mut self, ctx: &mut Ctx) {
        let Some(m) = self.membership.as_ref() else { return };
        if m.state == MemberState::Left {
            return;
        }
        ctx.set_timer(AUTO_COMMIT_INTERVAL_MS, ConsumerTimer::AutoCommit);
        if m.polling && m.state == MemberState::Stable {
            self.commit(ctx);
        }
    }

    /// The connection to `broker` failed: if it is the coordinator, the member looks it up again.
    pub(super) fn on_group_disconnect(&mut self, broker: BrokerId, ctx: &mut Ctx) {
        let Some(m) = self.membership.as_mut() else { return };
        if m.coordinator == Some(broker) {
            self.coordinator_lost(None, ctx);
        } else if let Some(at) = m.in_flight.iter().position(|(_, name, _)| *name == "FindCoordinator") {
            m.in_flight.swap_remove(at);
            ctx.set_timer(self.config.retry_backoff_ms, ConsumerTimer::CoordinatorBackoffDone);
        }
    }

    /// After `retry.backoff.ms`: FindCoordinator again if the member still has none.
    pub(super) fn on_coordinator_backoff(&mut self, ctx: &mut Ctx) {
        if self.membership.as_ref().is_some_and(|m| m.coordinator.is_none() && m.state != MemberState::Left) {
            self.find_coordinator(ctx);
        }
    }

    /// Whether the application's `poll()` runs (a member that stopped polling fetches nothing).
    pub(super) fn polls(&self) -> bool {
        !self.crashed && self.membership.as_ref().is_none_or(|m| m.polling)
    }
}

impl MemberState {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberState::FindingCoordinator => "finding its coordinator",
            MemberState::CommittingBeforeJoin => "committing before it rejoins",
            MemberState::CommittingBeforeLeave => "committing before it leaves",
            MemberState::Joining => "joining",
            MemberState::Syncing => "syncing",
            MemberState::Stable => "Stable",
            MemberState::Left => "left",
        }
    }
}
