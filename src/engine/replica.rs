//! One replica of a partition on one broker (kafka-model §3.3): its log, its high watermark, and, while
//! it leads, what the leader knows of its followers and of the ISR.

use super::ids::*;
use super::log::Log;
use super::Map;

/// What the leader knows of one follower (`Replica.scala` / `ReplicaState`, kafka-model §4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowerState {
    /// `None` until the follower's first fetch in this epoch (`UnifiedLog.UnknownOffset`).
    pub log_end_offset: Option<Offset>,
    /// `None`: never caught up in this leader's epoch. Kafka's reset writes 0 for a follower outside
    /// the ISR, which on a wall clock is decades ago; here time starts at 0, so "never" must be
    /// distinct from "caught up at 0 ms" (kafka-model §4.1).
    pub last_caught_up_ms: Option<Millis>,
    /// `None` before its first fetch in this leader's epoch.
    pub last_fetch_ms: Option<Millis>,
    pub last_fetch_leader_leo: Offset,
    pub broker_epoch: Option<BrokerEpoch>,
}

/// The leader's view of the ISR (kafka-model §3.3 `partitionState`, §4.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IsrState {
    /// As last committed by the controller.
    pub committed: Vec<BrokerId>,
    pub partition_epoch: PartitionEpoch,
    /// An AlterPartition in flight: the proposed ISR and its request id.
    pub pending: Option<(Vec<BrokerId>, u64)>,
    /// How many times the pending proposal was sent (it is sent again after each request timeout).
    pub sends: u32,
}

impl IsrState {
    /// Committed ∪ proposed: an expansion counts at once, a shrink only after commit (kafka-model §4.5).
    pub fn maximal(&self) -> Vec<BrokerId> {
        let mut all = self.committed.clone();
        if let Some((proposed, _)) = &self.pending {
            for b in proposed {
                if !all.contains(b) {
                    all.push(*b);
                }
            }
        }
        all
    }

    pub fn maximal_contains(&self, b: BrokerId) -> bool {
        self.committed.contains(&b) || self.pending.as_ref().is_some_and(|(p, _)| p.contains(&b))
    }
}

#[derive(Clone, Debug)]
pub struct LeaderState {
    /// Leader epoch start offset: the LEO when this replica became leader (kafka-model §3.4).
    pub leader_epoch_start_offset: Offset,
    pub followers: Map<BrokerId, FollowerState>,
    pub isr: IsrState,
}

#[derive(Clone, Debug)]
pub enum Role {
    Leader(Box<LeaderState>),
    Follower {
        leader: BrokerId,
    },
    /// No leader known, or the broker is down or catching up on metadata.
    Offline,
}

#[derive(Clone, Debug)]
pub struct Replica {
    pub partition: PartitionIdx,
    pub log: Log,
    pub high_watermark: Offset,
    /// HW as last written to the checkpoint file (read back after a restart, kafka-model §3.3).
    pub high_watermark_checkpoint: Offset,
    pub leader_epoch: LeaderEpoch,
    pub partition_epoch: PartitionEpoch,
    pub role: Role,
    /// The suffix `[from, to)` its log lost in the last power loss (kafka-model §3.9), shown in
    /// the view.
    pub power_lost: Option<(Offset, Offset)>,
}

impl Replica {
    pub fn new(partition: PartitionIdx) -> Self {
        Replica {
            partition,
            log: Log::default(),
            high_watermark: 0,
            high_watermark_checkpoint: 0,
            leader_epoch: 0,
            partition_epoch: 0,
            role: Role::Offline,
            power_lost: None,
        }
    }

    pub fn log_end_offset(&self) -> Offset {
        self.log.log_end_offset()
    }

    pub fn leader_state(&self) -> Option<&LeaderState> {
        match &self.role {
            Role::Leader(state) => Some(state),
            _ => None,
        }
    }

    pub fn leader_state_mut(&mut self) -> Option<&mut LeaderState> {
        match &mut self.role {
            Role::Leader(state) => Some(state),
            _ => None,
        }
    }

    pub fn is_leader(&self) -> bool {
        matches!(self.role, Role::Leader(_))
    }

    pub fn following(&self) -> Option<BrokerId> {
        match self.role {
            Role::Follower { leader } => Some(leader),
            _ => None,
        }
    }
}

impl FollowerState {
    /// A new leader's view of a follower (`resetReplicaState`, kafka-model §4.1).
    pub fn reset(in_isr: bool, now: Millis) -> Self {
        FollowerState {
            log_end_offset: None,
            last_caught_up_ms: in_isr.then_some(now),
            last_fetch_ms: None,
            last_fetch_leader_leo: 0,
            broker_epoch: None,
        }
    }

    /// `updateFetchStateOrThrow` (kafka-model §4.1).
    pub fn on_fetch(&mut self, fetch_offset: Offset, leader_leo: Offset, now: Millis, broker_epoch: BrokerEpoch) {
        // A fetch that reaches the LEO the leader had at the previous fetch: caught up as of that
        // fetch (there is none before the first fetch of this epoch).
        let caught_up_at = if fetch_offset >= leader_leo {
            Some(now)
        } else if fetch_offset >= self.last_fetch_leader_leo {
            self.last_fetch_ms
        } else {
            None
        };
        self.last_caught_up_ms = self.last_caught_up_ms.max(caught_up_at);
        self.last_fetch_leader_leo = self.last_fetch_leader_leo.max(leader_leo);
        self.last_fetch_ms = Some(now);
        self.log_end_offset = Some(fetch_offset);
        self.broker_epoch = Some(broker_epoch);
    }

    /// `isCaughtUp` (kafka-model §4.1).
    pub fn is_caught_up(&self, leader_leo: Offset, now: Millis, lag_time_max_ms: Millis) -> bool {
        self.log_end_offset == Some(leader_leo)
            || self.last_caught_up_ms.is_some_and(|t| now.saturating_sub(t) <= lag_time_max_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follower_that_fetches_but_never_reaches_the_leo_falls_out_of_sync() {
        let mut f = FollowerState::reset(true, 0);
        // The leader keeps appending; the follower is always one fetch behind.
        for t in 1..=40u64 {
            f.on_fetch(t * 10, t * 10 + 5, t * 1000, 7);
        }
        // Each fetch reached the LEO the leader had at the previous fetch, so it stays caught up.
        assert!(f.is_caught_up(405, 40_000, 30_000));
        let mut slow = FollowerState::reset(true, 0);
        for t in 1..=40u64 {
            slow.on_fetch(t, 1000 + t * 10, t * 1000, 7);
        }
        assert!(!slow.is_caught_up(1400, 40_000, 30_000));
    }

    /// kafka-model §4.1: a new leader resets a follower outside the ISR to "never caught up" (Kafka
    /// writes 0, decades ago on a wall clock). Here the clock starts at 0, so within the first
    /// `replica.lag.time.max.ms` that must not read as "caught up at 0 ms".
    #[test]
    fn a_follower_outside_the_isr_at_election_has_never_caught_up() {
        let never = FollowerState::reset(false, 0);
        assert_eq!(never.last_caught_up_ms, None);
        assert!(!never.is_caught_up(10, 5_000, 30_000), "not caught up 5 s after a reset at time 0");
        // Its first fetch, behind the leader's LEO, does not make it caught up as of any earlier time.
        let mut behind = FollowerState::reset(false, 0);
        behind.on_fetch(3, 10, 6_000, 7);
        assert_eq!(behind.last_caught_up_ms, None);
        assert!(!behind.is_caught_up(10, 6_000, 30_000));
        // Reaching the leader's LEO makes it caught up from then on.
        behind.on_fetch(10, 10, 7_000, 7);
        assert_eq!(behind.last_caught_up_ms, Some(7_000));
        // An ISR member is caught up as of the election.
        let member = FollowerState::reset(true, 0);
        assert_eq!(member.last_caught_up_ms, Some(0));
        assert!(member.is_caught_up(10, 30_000, 30_000));
    }
}
