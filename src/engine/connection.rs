//! A client's connections to brokers, as Kafka's `NetworkClient` keeps them (kafka-model §5.2,
//! §5.4): a request goes out only on a ready connection. Without one the client connects first (TCP,
//! then the ApiVersions handshake that makes a connection ready); `Sender.sendProducerData` drops the
//! brokers that are not `ready` before it drains any batch, so a refused or timed-out connection
//! creates no request and a waiting batch counts no attempt.

use super::ids::*;
use super::Map;

/// `reconnect.backoff.ms`: the wait after a failed connection attempt, doubled per failure in a row.
pub const RECONNECT_BACKOFF_MS: Millis = 50;
/// `reconnect.backoff.max.ms`.
pub const RECONNECT_BACKOFF_MAX_MS: Millis = 1_000;
/// `socket.connection.setup.timeout.ms`: a connection attempt with no answer fails after this.
pub const CONNECTION_SETUP_TIMEOUT_MS: Millis = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Closed or failed: the next attempt no earlier than `retry_at_ms`.
    Disconnected { retry_at_ms: Millis, failures: u32 },
    /// The handshake (request `request_id`) is on its way.
    Connecting { request_id: u64, failures: u32 },
}

/// What a client may do with a broker now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// The connection is ready: send.
    Ready,
    /// Start a connection attempt (then [`Connections::connecting`]); send nothing yet.
    Connect,
    /// An attempt is under way, or the reconnect backoff runs: send nothing.
    Wait,
}

/// The connections of one client. A broker without an entry has a ready connection: scenarios start
/// from a running cluster whose clients are connected.
#[derive(Clone, Debug, Default)]
pub struct Connections {
    state: Map<BrokerId, State>,
}

impl Connections {
    pub fn readiness(&self, broker: BrokerId, now: Millis) -> Readiness {
        match self.state.get(&broker) {
            None => Readiness::Ready,
            Some(State::Connecting { .. }) => Readiness::Wait,
            Some(State::Disconnected { retry_at_ms, .. }) if now >= *retry_at_ms => Readiness::Connect,
            Some(State::Disconnected { .. }) => Readiness::Wait,
        }
    }

    /// A connection attempt to `broker` started with the handshake `request_id`.
    pub fn connecting(&mut self, broker: BrokerId, request_id: u64) {
        let failures = match self.state.get(&broker) {
            Some(State::Disconnected { failures, .. } | State::Connecting { failures, .. }) => *failures,
            None => 0,
        };
        self.state.insert(broker, State::Connecting { request_id, failures });
    }

    pub fn is_connecting(&self, broker: BrokerId) -> bool {
        matches!(self.state.get(&broker), Some(State::Connecting { .. }))
    }

    /// The handshake `request_id` was answered: the connection is ready. False for a stale answer.
    pub fn connected(&mut self, broker: BrokerId, request_id: u64) -> bool {
        let answered =
            matches!(self.state.get(&broker), Some(State::Connecting { request_id: id, .. }) if *id == request_id);
        if answered {
            self.state.remove(&broker);
        }
        answered
    }

    /// A ready connection closed (the broker went away, or a request on it timed out and the
    /// client disconnected): the next request to `broker` connects first. A connection that was not
    /// ready keeps its state (and its backoff).
    pub fn closed(&mut self, broker: BrokerId, now: Millis) {
        if !self.state.contains_key(&broker) {
            self.state.insert(broker, State::Disconnected { retry_at_ms: now, failures: 0 });
        }
    }

    /// The attempt `request_id` (any attempt if `None`) failed: refused, or no answer within
    /// `socket.connection.setup.timeout.ms`. Returns the reconnect backoff and how many attempts
    /// in a row failed, or `None` when no such attempt was under way.
    pub fn failed(&mut self, broker: BrokerId, request_id: Option<u64>, now: Millis) -> Option<(Millis, u32)> {
        let Some(State::Connecting { request_id: id, failures }) = self.state.get(&broker).copied() else {
            return None;
        };
        if request_id.is_some_and(|r| r != id) {
            return None;
        }
        let backoff_ms = (RECONNECT_BACKOFF_MS << failures.min(16)).min(RECONNECT_BACKOFF_MAX_MS);
        self.state.insert(broker, State::Disconnected { retry_at_ms: now + backoff_ms, failures: failures + 1 });
        Some((backoff_ms, failures + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A broker whose process died: the connection closes, each attempt is refused, the backoff
    /// doubles from `reconnect.backoff.ms` up to `reconnect.backoff.max.ms`, and once the broker
    /// answers the handshake the connection is ready again.
    #[test]
    fn a_closed_connection_is_reconnected_with_a_growing_backoff_before_any_request() {
        let b = BrokerId(1);
        let mut c = Connections::default();
        assert_eq!(c.readiness(b, 0), Readiness::Ready, "connected from the start");
        c.closed(b, 100);
        assert_eq!(c.readiness(b, 100), Readiness::Connect);
        c.closed(b, 100);
        let mut now = 100;
        for (attempt, backoff) in [50, 100, 200, 400, 800, 1_000, 1_000].into_iter().enumerate() {
            c.connecting(b, attempt as u64 + 1);
            assert_eq!(c.readiness(b, now), Readiness::Wait, "no request while connecting");
            assert_eq!(c.failed(b, Some(attempt as u64 + 1), now), Some((backoff, attempt as u32 + 1)));
            c.closed(b, now); // another refusal (a metadata request, say) does not reset the backoff
            assert_eq!(c.readiness(b, now + backoff - 1), Readiness::Wait);
            now += backoff;
            assert_eq!(c.readiness(b, now), Readiness::Connect);
        }
        c.connecting(b, 99);
        assert!(!c.connected(b, 98), "an answer to an older attempt does not count");
        assert_eq!(c.failed(b, Some(98), now), None, "nor does its timeout");
        assert!(c.connected(b, 99));
        assert_eq!(c.readiness(b, now), Readiness::Ready);
    }
}
