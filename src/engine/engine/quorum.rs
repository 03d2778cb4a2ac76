//! The engine's side of the controller quorum ([`quorum`](crate::engine::quorum), kafka-model
//! §2.2): which voters run and reach each other, elections and resignations on the agenda, the
//! active controller's place on the network, and the controller commands.

use super::super::controller::Controller;
use super::super::error::CommandError;
use super::super::event::EventKind;
use super::super::ids::*;
use super::super::invariant::Invariant;
use super::super::queue::Pending;
use super::super::quorum::{Election, Reach, CHECK_QUORUM_MS};
use super::super::timer::{ControllerTimer, Timer};
use super::Engine;
use rand_xoshiro::rand_core::Rng;

impl Engine {
    /// Which voters run and which reach each other now.
    fn reach(&self) -> Reach {
        let voters = &self.quorum.voters;
        let up = voters
            .iter()
            .map(|v| match v.node {
                NodeId::Broker(b) => self.is_up(v.node) && !self.is_paused(NodeId::Broker(b)),
                _ => v.running,
            })
            .collect();
        let mut link = Vec::with_capacity(voters.len() * voters.len());
        for a in voters {
            for b in voters {
                link.push(!self.network.is_cut(a.node, b.node) && !self.network.is_cut(b.node, a.node));
            }
        }
        Reach { up, link }
    }

    /// The voters as the page draws them.
    pub(crate) fn voter_views(&self) -> Vec<super::super::view::VoterView> {
        let reach = self.reach();
        let q = &self.quorum;
        let views = q.voters.iter().enumerate();
        views
            .map(|(i, v)| super::super::view::VoterView {
                id: v.id,
                running: reach.up[i],
                active: q.committing && q.leader == Some(i),
            })
            .collect()
    }

    /// Where a message to or from the active controller travels: the active voter's node.
    pub(super) fn route(&self, node: NodeId) -> NodeId {
        match (node, self.quorum.leader) {
            (NodeId::Controller, Some(l)) => self.quorum.voters[l].node,
            _ => node,
        }
    }

    /// The voters the active controller reached since the last settling hold everything it
    /// committed (they fetch it within milliseconds).
    pub(super) fn sync_quorum(&mut self) {
        if !self.quorum.committing {
            return;
        }
        let offset = self.controller.metadata_offset;
        for &v in &self.quorum.in_sync {
            self.quorum.voters[v].offset = offset;
        }
    }

    /// After a change: whether the active controller still commits, whether the quorum is lost or
    /// back, and the next election if one is needed.
    pub(super) fn settle_quorum(&mut self) {
        // What was committed until this change reached the voters in sync until it.
        self.sync_quorum();
        let reach = self.reach();
        let q = &mut self.quorum;
        let was_committing = q.committing;
        if let Some(l) = q.leader.filter(|&l| !reach.up[l]) {
            q.previous_leader = Some(q.voters[l].id);
            q.leader = None;
        }
        q.committing = q.leads_majority(&reach);
        if was_committing && !q.committing {
            q.touched = true;
            q.stalled_since_ms = self.now;
            if q.leader.is_some() {
                let epoch = q.epoch;
                self.queue.push(self.now + CHECK_QUORUM_MS, controller_timer(ControllerTimer::CheckQuorum { epoch }));
            }
        }
        let q = &mut self.quorum;
        let electable = q.electable(&reach);
        let possible = q.committing || !electable.is_empty();
        let up = q.ids(&(0..q.voters.len()).filter(|&i| reach.up[i]).collect::<Vec<_>>());
        let voters = q.voters.len() as u32;
        if !possible && !q.lost {
            q.lost = true;
            self.push_event(EventKind::QuorumLost { up, voters });
        } else if possible && q.lost {
            q.lost = false;
            self.push_event(EventKind::QuorumRestored { up, voters });
        }
        if self.quorum.committing {
            self.quorum.election = None;
            if let Some(l) = self.quorum.leader {
                self.quorum.in_sync = self.quorum.reached(l, &reach);
            }
            self.sync_quorum();
            if !was_committing {
                // The same active controller has its majority back: it goes on with the sessions it
                // kept (`BrokerHeartbeatManager` is not rebuilt: no new leader).
                self.with_node(NodeId::Controller, |e, ctx| e.controller.activate(false, ctx));
            }
            return;
        }
        if self.quorum.election.is_some() || electable.is_empty() {
            return;
        }
        // The voter whose fetch (or election) timer fires first, and when: one draw.
        let draw = self.rng.next_u64();
        let q = &mut self.quorum;
        let candidate = electable[(draw / 1_000 % electable.len() as u64) as usize];
        q.election_seq += 1;
        let election = Election { at_ms: q.election_at(self.now, draw), candidate, seq: q.election_seq };
        q.election = Some(election);
        let timer = ControllerTimer::QuorumElection { seq: election.seq };
        self.queue.push(election.at_ms, controller_timer(timer));
    }

    /// The quorum's timers (kafka-model §2.2).
    pub(super) fn on_quorum_timer(&mut self, timer: ControllerTimer) {
        match timer {
            ControllerTimer::QuorumElection { seq } => self.decide_election(seq),
            ControllerTimer::CheckQuorum { epoch } => {
                let q = &mut self.quorum;
                if q.epoch == epoch && !q.committing {
                    if let Some(controller) = q.leader_id() {
                        q.previous_leader = Some(controller);
                        q.leader = None;
                        self.push_event(EventKind::ControllerResigned { controller, epoch });
                    }
                }
                self.settle_quorum();
            }
            _ => {}
        }
    }

    fn decide_election(&mut self, seq: u32) {
        let Some(election) = self.quorum.election.filter(|e| e.seq == seq) else { return };
        self.quorum.election = None;
        let reach = self.reach();
        let q = &mut self.quorum;
        let votes = q.votes(election.candidate, &reach);
        if votes.len() >= q.majority() {
            let previous = q.leader_id().or(q.previous_leader);
            q.epoch += 1;
            q.leader = Some(election.candidate);
            q.touched = true;
            let (controller, epoch) = (q.voters[election.candidate].id, q.epoch);
            let offset = q.voters[election.candidate].offset;
            let stalled_ms = self.now - q.stalled_since_ms;
            let event = EventKind::ControllerElected {
                controller,
                epoch,
                previous,
                votes: q.ids(&votes),
                voters: q.voters.len() as u32,
                stalled_ms,
                offset,
            };
            self.check_quorum_invariant(epoch, offset);
            self.quorum.highest_elected_epoch = epoch;
            self.push_event(event);
            self.quorum.committing = true;
            self.quorum.in_sync = self.quorum.reached(election.candidate, &reach);
            self.sync_quorum();
            // `ClusterControlManager.activate`: a new `BrokerHeartbeatManager`, every broker
            // touched now, so each gets a full session from the new active controller.
            self.with_node(NodeId::Controller, |e, ctx| e.controller.activate(true, ctx));
        }
        self.settle_quorum();
    }

    /// The quorum's invariant: at most one active controller per epoch (epochs only grow), and
    /// a new active controller holds every committed metadata record.
    fn check_quorum_invariant(&mut self, epoch: u32, offset: u64) {
        let committed = self.controller.metadata_offset;
        let detail = if epoch <= self.quorum.highest_elected_epoch {
            format!("a second active controller in epoch {epoch}")
        } else if offset < committed {
            format!("the new active controller's metadata log ends at {offset}, before the committed {committed}")
        } else {
            return;
        };
        let event = self.safety.violation(Invariant::ControllerQuorum, detail);
        self.push_event(event);
    }

    /// `crash_controller`: a separate controller's process dies; a combined one is its broker.
    pub(super) fn crash_controller(&mut self, id: u32) -> Result<(), CommandError> {
        let i = self.voter(id)?;
        if let NodeId::Broker(broker) = self.quorum.voters[i].node {
            return self.execute(super::Command::CrashBroker { broker });
        }
        if !self.quorum.voters[i].running {
            return Err(CommandError::new("controller", format!("controller {id} is not running")));
        }
        self.quorum.voters[i].running = false;
        self.quorum.touched = true;
        self.push_event(EventKind::ControllerCrashed { controller: id });
        Ok(())
    }

    pub(super) fn restart_controller(&mut self, id: u32) -> Result<(), CommandError> {
        let i = self.voter(id)?;
        if let NodeId::Broker(broker) = self.quorum.voters[i].node {
            return self.execute(super::Command::RestartBroker { broker });
        }
        if self.quorum.voters[i].running {
            return Err(CommandError::new("controller", format!("controller {id} is already running")));
        }
        self.quorum.voters[i].running = true;
        self.push_event(EventKind::ControllerRestarted { controller: id });
        Ok(())
    }

    fn voter(&self, id: u32) -> Result<usize, CommandError> {
        self.quorum
            .index(id)
            .ok_or_else(|| CommandError::new("controller", format!("no controller {id} in the quorum")))
    }

    /// A controller's timer that fires while nothing can be committed does nothing; the active
    /// controller schedules it again when it can ([`Controller::activate`]).
    pub(super) fn controller_may_act(&mut self, timer: &Timer) -> bool {
        let Timer::Controller(t) = timer else { return true };
        if matches!(t, ControllerTimer::QuorumElection { .. } | ControllerTimer::CheckQuorum { .. }) {
            self.on_quorum_timer(*t);
            return false;
        }
        if !self.quorum.committing {
            Controller::skip_timer(&mut self.controller, *t);
            return false;
        }
        true
    }
}

fn controller_timer(timer: ControllerTimer) -> Pending {
    Pending::Timer { node: NodeId::Controller, incarnation: 0, timer: Timer::Controller(timer) }
}
