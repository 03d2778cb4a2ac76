//! A paused broker process (`SIGSTOP`, a long GC pause): alive but silent. Its connections stay
//! open, so nobody is refused or reset; what reaches it waits in its sockets and its timers wait
//! too, until it resumes with the beliefs it had when it stopped (kafka-model §7.4: the zombie
//! leader that keeps its metadata).

use super::{Engine, Pending};
use crate::engine::error::CommandError;
use crate::engine::event::EventKind;
use crate::engine::ids::{BrokerId, Millis, NodeId};
use crate::engine::limits::LIMITS;

/// What waits for a paused broker.
#[derive(Clone, Debug, Default)]
pub(crate) struct Held {
    since_ms: Millis,
    /// Messages to it and its timers that came due, in the order they would have run.
    waiting: Vec<Pending>,
    /// Messages that found its socket buffers full ([`LIMITS`]`.paused_messages_max`).
    dropped: u32,
}

impl Engine {
    pub(super) fn pause_broker(&mut self, broker: BrokerId) -> Result<(), CommandError> {
        let i = self.running_broker(broker)?;
        self.brokers[i].pause();
        self.paused.insert(broker, Held { since_ms: self.now, ..Held::default() });
        self.push_event(EventKind::BrokerPaused { broker });
        Ok(())
    }

    pub(super) fn resume_broker(&mut self, broker: BrokerId) -> Result<(), CommandError> {
        let i = self.broker_index(broker)?;
        let Some(held) = self.paused.remove(&broker) else {
            let state = self.brokers[i].process.as_str();
            return Err(CommandError::new("broker", format!("broker {broker} is not paused (it is {state})")));
        };
        self.brokers[i].resume();
        self.push_event(EventKind::BrokerResumed {
            broker,
            paused_ms: self.now - held.since_ms,
            waiting: held.waiting.len() as u32,
            dropped: held.dropped,
        });
        // In the order they came: a queue tie runs in insertion order.
        for pending in held.waiting {
            self.queue.push(self.now, pending);
        }
        Ok(())
    }

    /// Whether `node` is a paused broker (every delivery and timer asks: no lookup when none is).
    pub(super) fn is_paused(&self, node: NodeId) -> bool {
        !self.paused.is_empty() && matches!(node, NodeId::Broker(b) if self.paused.contains_key(&b))
    }

    /// Keeps `pending` for the paused broker `node` ([`is_paused`](Self::is_paused)).
    pub(super) fn hold(&mut self, node: NodeId, pending: Pending) {
        let NodeId::Broker(b) = node else { return };
        let Some(held) = self.paused.get_mut(&b) else { return };
        let is_message = matches!(pending, Pending::Deliver { .. });
        if is_message && held.waiting.len() >= LIMITS.paused_messages_max {
            held.dropped += 1;
            if let Pending::Deliver { message, .. } = &pending {
                self.note_dropped_because(node, message, "the broker is paused and its socket buffers are full");
            }
        } else {
            held.waiting.push(pending);
        }
    }

    /// The paused brokers and how much waits for each.
    pub(crate) fn paused_brokers(&self) -> impl Iterator<Item = (BrokerId, usize)> + '_ {
        self.paused.iter().map(|(b, held)| (*b, held.waiting.len()))
    }

    /// A paused broker that crashes loses what waited for it with the rest of its memory.
    pub(super) fn forget_paused(&mut self, broker: BrokerId) {
        self.paused.remove(&broker);
    }
}
