//! The KRaft controller quorum (kafka-model §2.1, §2.2): the voters, which of them is the active
//! controller (the Raft leader) in which epoch, and whether it can commit (a majority of voters
//! up and reachable). The metadata itself is [`Controller`](super::controller::Controller), the
//! state every voter holds once a record is committed; this module decides only who may write it
//! and when. The engine side (timers, commands, routing) is `engine/quorum.rs`.
//!
//! Simplified from KIP-595: a commit is instant while the active controller reaches a majority
//! (no fetch round trips); followers notice a lost leader `controller.quorum.fetch.timeout.ms` after
//! the loss; while no majority can form, candidates do not retry (Kafka's retries every election
//! timeout could not win), so an epoch counts the elections that were won.

use super::config::BrokerConfig;
use super::event::EventKind;
use super::ids::{BrokerId, Millis, NodeId};

/// `controller.quorum.fetch.timeout.ms` (kafka-model §1.1).
pub const FETCH_TIMEOUT_MS: Millis = 2_000;
/// `controller.quorum.election.timeout.ms`.
pub const ELECTION_TIMEOUT_MS: Millis = 1_000;
/// `controller.quorum.election.backoff.max.ms`: the randomised part of an election's start.
pub const ELECTION_BACKOFF_MAX_MS: Millis = 1_000;
/// A leader resigns when no majority has fetched from it for 1.5 × the fetch timeout
/// (`LeaderState.checkQuorumTimer`, KAFKA-15489).
pub const CHECK_QUORUM_MS: Millis = FETCH_TIMEOUT_MS * 3 / 2;
/// The first separate controller's `node.id` (3001, 3002, ...).
pub const FIRST_CONTROLLER_ID: u32 = 3001;

/// The voters' `node.id`s: separate controllers 3001, 3002, ...; in combined mode the lowest
/// broker ids (their processes have `process.roles=broker,controller`).
pub fn voter_ids(config: &BrokerConfig, brokers: &[BrokerId]) -> Vec<u32> {
    let n = config.controller_quorum_voters;
    if !config.process_roles_combined {
        return (0..n).map(|i| FIRST_CONTROLLER_ID + i).collect();
    }
    let mut ids: Vec<u32> = Vec::new();
    for b in brokers {
        super::insert_sorted(&mut ids, b.0);
    }
    ids.truncate(n as usize);
    ids
}

/// One controller voter.
#[derive(Clone, Debug)]
pub struct Voter {
    pub id: u32,
    /// Where the network reaches it: its own node, or its broker's in combined mode (a lone
    /// separate controller is `NodeId::Controller`, as before the quorum).
    pub node: NodeId,
    /// A separate controller's process runs (a combined voter runs with its broker).
    pub running: bool,
    /// The end of its copy of the metadata log (it holds every record below).
    pub offset: u64,
}

/// Which voters run and reach which: the engine's network and processes, read at one moment.
pub struct Reach {
    pub up: Vec<bool>,
    /// `link[i * n + j]`: `i` and `j` reach each other (both directions; a fetch needs both).
    pub link: Vec<bool>,
}

impl Reach {
    fn linked(&self, i: usize, j: usize) -> bool {
        let n = self.up.len();
        self.up[i] && self.up[j] && (i == j || self.link[i * n + j])
    }
}

/// A scheduled election: when it is decided, and by whom (the voter whose timer fires first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Election {
    pub at_ms: Millis,
    pub candidate: usize,
    pub seq: u32,
}

#[derive(Clone, Debug)]
pub struct Quorum {
    pub voters: Vec<Voter>,
    pub epoch: u32,
    /// The active controller (index in `voters`), if any.
    pub leader: Option<usize>,
    /// The last active controller, once it is gone (crashed or resigned): who the next one follows.
    pub previous_leader: Option<u32>,
    /// The leader reaches a majority: metadata can be committed.
    pub committing: bool,
    /// The voters the active controller reached at the last change of processes or links: each
    /// commit since then is on them (topology changes only where the quorum is settled).
    pub in_sync: Vec<usize>,
    /// No voter can gather a majority (kafka-model §2.2, quorum loss).
    pub lost: bool,
    /// Since when nothing could be committed (the leader lost, or cut from its majority).
    pub stalled_since_ms: Millis,
    pub election: Option<Election>,
    pub election_seq: u32,
    /// The highest epoch an active controller was elected in (the quorum invariant).
    pub highest_elected_epoch: u32,
    /// Anything happened to the quorum: the state hash includes it from then on (old scenarios
    /// keep their hashes).
    pub touched: bool,
}

impl Quorum {
    /// The quorum of a cluster that is already up: the first voter active in epoch 1, every voter
    /// holding the metadata.
    pub fn bootstrap(config: &BrokerConfig, brokers: &[BrokerId], offset: u64) -> Quorum {
        let ids = voter_ids(config, brokers);
        let lone = ids.len() == 1 && !config.process_roles_combined;
        let voters = ids
            .iter()
            .map(|&id| Voter {
                id,
                node: match (lone, config.process_roles_combined) {
                    (true, _) => NodeId::Controller,
                    (_, true) => NodeId::Broker(BrokerId(id)),
                    _ => NodeId::ControllerNode(id),
                },
                running: true,
                offset,
            })
            .collect();
        let in_sync = (0..ids.len()).collect();
        let touched = config.controller_quorum_voters != super::config::CONTROLLER_QUORUM_VOTERS_DEFAULT
            || config.process_roles_combined;
        Quorum {
            voters,
            epoch: 1,
            leader: Some(0),
            previous_leader: None,
            committing: true,
            in_sync,
            lost: false,
            stalled_since_ms: 0,
            election: None,
            election_seq: 0,
            highest_elected_epoch: 1,
            touched,
        }
    }

    pub fn majority(&self) -> usize {
        self.voters.len() / 2 + 1
    }

    pub fn index(&self, id: u32) -> Option<usize> {
        self.voters.iter().position(|v| v.id == id)
    }

    pub fn leader_id(&self) -> Option<u32> {
        self.leader.map(|l| self.voters[l].id)
    }

    /// The voters `i` reaches, itself included (none when it is down).
    pub fn reached(&self, i: usize, reach: &Reach) -> Vec<usize> {
        (0..self.voters.len()).filter(|&j| reach.linked(i, j)).collect()
    }

    /// The votes `c` would get: its own and each reachable voter's whose log is no longer than
    /// `c`'s (KIP-595's vote rule: a candidate's log must be at least as up to date).
    pub fn votes(&self, c: usize, reach: &Reach) -> Vec<usize> {
        let own = self.voters[c].offset;
        self.reached(c, reach).into_iter().filter(|&v| self.voters[v].offset <= own).collect()
    }

    /// The active controller reaches a majority.
    pub fn leads_majority(&self, reach: &Reach) -> bool {
        self.leader.is_some_and(|l| self.reached(l, reach).len() >= self.majority())
    }

    /// Voters that would win an election now.
    pub fn electable(&self, reach: &Reach) -> Vec<usize> {
        (0..self.voters.len()).filter(|&c| self.votes(c, reach).len() >= self.majority()).collect()
    }

    pub fn ids(&self, voters: &[usize]) -> Vec<u32> {
        voters.iter().map(|&i| self.voters[i].id).collect()
    }

    /// When the next election is decided: a fetch timeout after the stall began (followers stop
    /// hearing from the leader), or an election timeout from now once that has passed (candidates
    /// retrying), plus the randomised backoff `draw`.
    pub fn election_at(&self, now: Millis, draw: u64) -> Millis {
        let noticed = self.stalled_since_ms + FETCH_TIMEOUT_MS;
        let base = if now < noticed { noticed } else { now + ELECTION_TIMEOUT_MS };
        base + draw % ELECTION_BACKOFF_MAX_MS
    }
}

/// The explanation of a quorum event in Kafka's words (`None` for other events).
pub fn explain(kind: &EventKind) -> Option<String> {
    let list = |ids: &[u32]| ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    Some(match kind {
        EventKind::ControllerCrashed { controller } => {
            format!("controller {controller} crashed (process killed; its metadata log survives on disk)")
        }
        EventKind::ControllerRestarted { controller } => format!(
            "controller {controller} restarted with its metadata log from disk; it rejoins the quorum and fetches what \
             it missed from the active controller"
        ),
        EventKind::ControllerElected { controller, epoch, previous, votes, voters, stalled_ms, offset } => {
            let last = match previous {
                Some(p) => format!(" (the last was {p})"),
                None => String::new(),
            };
            format!(
                "controller {controller} became the active controller in epoch {epoch} after {stalled_ms} ms without \
                 an active controller able to commit{last}: voters stand for election after \
                 controller.quorum.fetch.timeout.ms = {FETCH_TIMEOUT_MS} ms without hearing from the leader, with a \
                 randomised backoff of up to {ELECTION_BACKOFF_MAX_MS} ms; votes from {} of {voters} voters; it \
                 already holds every committed metadata record (offset {offset}) and gives every broker a fresh \
                 session",
                list(votes)
            )
        }
        EventKind::ControllerResigned { controller, epoch } => format!(
            "controller {controller} resigned as the active controller of epoch {epoch}: no majority of voters fetched \
             from it for {CHECK_QUORUM_MS} ms (1.5 × controller.quorum.fetch.timeout.ms)"
        ),
        EventKind::QuorumLost { up, voters } => format!(
            "the controller quorum lost its majority ({} of {voters} voters needed; running: {}): no metadata can be \
             committed, so no fencing, no leader elections and no ISR changes (AlterPartition cannot succeed); \
             partition leaders keep serving with the metadata they have",
            voters / 2 + 1,
            list(up)
        ),
        EventKind::QuorumRestored { up, voters } => format!(
            "a majority of the controller quorum can reach each other again (running: {} of {voters} voters): \
             metadata can be committed once there is an active controller",
            list(up)
        ),
        _ => return None,
    })
}
