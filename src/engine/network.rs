//! The simulated network: per-message latency drawn from the engine's PRNG, and links that can be cut
//! (kafka-model §10). A message is lost if its link is cut when it is sent or when it would arrive.

use super::config::NetworkConfig;
use super::ids::{Millis, NodeId};
use super::Map;
use rand_xoshiro::rand_core::Rng;

#[derive(Clone, Debug)]
pub struct Network {
    config: NetworkConfig,
    /// Directed links that drop every message: `(from, to)`. A link cut both ways holds both.
    cut: Map<(NodeId, NodeId), ()>,
    /// When the last produce request or response between a producer and a broker arrives (by
    /// sender, receiver).
    produce_arrivals: Vec<(NodeId, NodeId, Millis)>,
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

    /// Whether a message from `from` to `to` is dropped.
    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        !self.cut.is_empty() && self.cut.contains_key(&(from, to))
    }

    /// Cuts both directions; returns whether either was up.
    pub fn cut(&mut self, a: NodeId, b: NodeId) -> bool {
        let there = self.cut_one_way(a, b);
        self.cut_one_way(b, a) || there
    }

    /// Cuts `from` -> `to` only; returns whether it was up.
    pub fn cut_one_way(&mut self, from: NodeId, to: NodeId) -> bool {
        self.cut.insert((from, to), ()).is_none()
    }

    /// Heals both directions; returns whether either was cut.
    pub fn heal(&mut self, a: NodeId, b: NodeId) -> bool {
        let there = self.cut.remove(&(a, b)).is_some();
        self.cut.remove(&(b, a)).is_some() || there
    }

    /// The cuts, a link cut both ways once (smaller node first) and a one-way cut as it is.
    pub fn cut_links(&self) -> impl Iterator<Item = LinkCutView> + '_ {
        self.cut.keys().filter_map(|&(from, to)| {
            let both_ways = self.cut.contains_key(&(to, from));
            (!both_ways || from < to).then_some(LinkCutView { from, to, both_ways })
        })
    }
}

/// A cut link as views show it: `from` -> `to`, or both ways.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LinkCutView {
    pub from: NodeId,
    pub to: NodeId,
    pub both_ways: bool,
}
