//! The producer's metadata: leader and epoch per partition as the client last learned them
//! (kafka-model §5.5).

use super::super::ids::*;
use super::super::message::PartitionLeader;
use super::super::Map;

/// Metadata as a client holds it: leader and epoch per partition (kafka-model §5.5).
#[derive(Clone, Debug, Default)]
pub struct ClientMetadata {
    pub leaders: Map<PartitionIdx, (Option<BrokerId>, LeaderEpoch)>,
    /// `bootstrap.servers`, tried in turn.
    pub brokers: Vec<BrokerId>,
    next_broker: usize,
    pub in_flight: Option<(u64, BrokerId)>,
    pub refreshed_ms: Option<Millis>,
    backoff_until_ms: Millis,
}

impl ClientMetadata {
    pub fn new(brokers: Vec<BrokerId>, first: usize) -> Self {
        ClientMetadata { brokers, next_broker: first, ..Default::default() }
    }

    pub fn leader(&self, p: PartitionIdx) -> Option<(BrokerId, LeaderEpoch)> {
        self.leaders.get(&p).and_then(|(l, e)| l.map(|l| (l, *e)))
    }

    /// Keeps the newer of two views of a partition (clients ignore metadata with an older leader
    /// epoch, KIP-320).
    pub fn update(&mut self, leader: &PartitionLeader) {
        let newer = self.leaders.get(&leader.partition).is_none_or(|(_, e)| leader.leader_epoch >= *e);
        if newer {
            self.leaders.insert(leader.partition, (leader.leader, leader.leader_epoch));
        }
    }

    /// Asks the next broker for metadata unless a request is already out (`leastLoadedNode`,
    /// approximated by turns). Returns the request to send.
    pub fn request(&mut self, request_id: u64, now: Millis) -> Option<BrokerId> {
        if self.in_flight.is_some() || now < self.backoff_until_ms || self.brokers.is_empty() {
            return None;
        }
        let broker = self.brokers[self.next_broker % self.brokers.len()];
        self.next_broker += 1;
        self.in_flight = Some((request_id, broker));
        Some(broker)
    }

    /// The request failed or gave no answer: try another broker after `retry.backoff.ms`.
    pub fn fail(&mut self, now: Millis, backoff_ms: Millis) {
        self.in_flight = None;
        self.backoff_until_ms = now + backoff_ms;
    }

    pub fn on_response(&mut self, request_id: u64, leaders: &[PartitionLeader], now: Millis) -> bool {
        if self.in_flight.map(|(id, _)| id) != Some(request_id) {
            return false;
        }
        self.in_flight = None;
        self.refreshed_ms = Some(now);
        for l in leaders {
            self.update(l);
        }
        true
    }

    pub fn is_stale(&self, now: Millis, max_age_ms: Millis) -> bool {
        self.refreshed_ms.is_none_or(|t| now >= t + max_age_ms)
    }
}
