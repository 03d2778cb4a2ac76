//! The simulated network: per-message latency drawn from the engine's PRNG, and links that can be cut
//! (kafka-model §10). A message is lost if its link is cut when it is sent or when it would arrive.

use super::config::NetworkConfig;
use super::ids::{Millis, NodeId};
use super::Map;
use rand_xoshiro::rand_core::Rng;

#[derive(Clone, Debug)]
pub struct Network {
    config: NetworkConfig,
    /// Unordered pairs, stored smaller-first.
    cut: Map<(NodeId, NodeId), ()>,
    /// When the last produce request or response between a producer and a broker arrives (by
    /// sender, receiver).
    produce_arrivals: Vec<(NodeId, NodeId, Millis)>,
}

fn pair(a: NodeId, b: NodeId) -> (NodeId, NodeId) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

impl Network {
    pub fn new(config: NetworkConfig) -> Self {
        Network { config, cut: Map::new(), produce_arrivals: Vec::new() }
    }

    /// When a produce request or response drawn to arrive `at` arrives: not before the ones sent
    /// earlier on the same connection. A producer's requests to a broker and their responses share
    /// one TCP connection, which keeps their order (kafka-model §5.2: up to
    /// `max.in.flight.requests.per.connection` in flight); the jitter must not reorder them.
    pub fn produce_arrival(&mut self, from: NodeId, to: NodeId, at: Millis) -> Millis {
        // A short list (producers times brokers they talk to): a search costs less bundle than a map.
        match self.produce_arrivals.iter_mut().find(|(f, t, _)| (*f, *t) == (from, to)) {
            Some((_, _, last)) => {
                *last = at.max(*last);
                *last
            }
            None => {
                self.produce_arrivals.push((from, to, at));
                at
            }
        }
    }

    pub fn latency_ms(&self, rng: &mut impl Rng) -> Millis {
        let jitter = match self.config.jitter_ms {
            0 => 0,
            j => rng.next_u64() % (j + 1),
        };
        // At least 1 ms, so a response never arrives in the same instant as its request.
        (self.config.latency_ms + jitter).max(NetworkConfig::DELAY_MS_MIN)
    }

    pub fn is_cut(&self, a: NodeId, b: NodeId) -> bool {
        !self.cut.is_empty() && self.cut.contains_key(&pair(a, b))
    }

    /// Returns whether the link was up.
    pub fn cut(&mut self, a: NodeId, b: NodeId) -> bool {
        self.cut.insert(pair(a, b), ()).is_none()
    }

    /// Returns whether the link was cut.
    pub fn heal(&mut self, a: NodeId, b: NodeId) -> bool {
        self.cut.remove(&pair(a, b)).is_some()
    }

    pub fn cut_links(&self) -> impl Iterator<Item = &(NodeId, NodeId)> {
        self.cut.keys()
    }
}
