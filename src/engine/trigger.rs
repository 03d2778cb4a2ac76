//! Commands run on an event instead of at a time (`when`): "crash broker 1 right after it becomes
//! leader of orders-0", "restart broker 2 once the high watermark of orders-0 reaches 10". Lessons
//! and tests written this way survive timing changes in the engine. A `when` is armed at its
//! `at_ms`; it fires once, the first time its condition holds from then on, and its command then
//! runs at that simulated time, right after the step that made the condition true. Deterministic
//! (events are the engine's own) and bounded (one command each, never another `when`).

use super::command::Command;
use super::event::{EventKind, Subject};
use super::ids::{BrokerId, Offset, PartitionIdx};

/// A `when` armed in the engine, its names resolved.
#[derive(Clone, Debug)]
pub(crate) struct Armed {
    pub event: Option<&'static str>,
    pub high_watermark: Option<Offset>,
    pub broker: Option<BrokerId>,
    pub partition: Option<PartitionIdx>,
    pub then: Command,
    /// In words, for the event that says it fired (`broker 1 became leader of orders-0`).
    pub condition: String,
}

impl Armed {
    /// Whether `kind` makes the condition hold.
    pub fn matches(&self, kind: &EventKind) -> bool {
        if let Some(hw) = self.high_watermark {
            return matches!(kind, EventKind::HighWatermarkAdvanced { partition, to, .. }
                if Some(*partition) == self.partition && *to >= hw);
        }
        let about_broker = match kind.subject() {
            Some(Subject::Broker(b) | Subject::Replica(b, _)) => Some(b),
            _ => None,
        };
        self.event == Some(kind.name())
            && self.broker.is_none_or(|b| about_broker == Some(b))
            && self.partition.is_none_or(|p| kind.partition() == Some(p))
    }
}
