//! Arming and firing `when` commands ([`When`](crate::engine::When)): checked after every recorded
//! event, each fires once, and its command runs at that simulated time, after the step that fired it.

use super::{Engine, Pending};
use crate::engine::command::When;
use crate::engine::error::CommandError;
use crate::engine::event::EventKind;
use crate::engine::ids::PartitionIdx;
use crate::engine::trigger::Armed;

impl Engine {
    /// Arms `w` now; it fires at once if its high watermark is already reached.
    pub(super) fn arm(&mut self, w: When) -> Result<(), CommandError> {
        let partition = match &w.partition {
            Some(name) => Some(self.partition_named(name)?),
            None => None,
        };
        let event = w.event.as_deref().and_then(|e| EventKind::NAMES.iter().find(|(n, _)| *n == e)).map(|(n, _)| *n);
        let about: Vec<String> =
            w.broker.map(|b| format!("broker {b}")).into_iter().chain(w.partition.clone()).collect();
        let condition = match (event, w.high_watermark, &w.partition) {
            (_, Some(hw), Some(p)) => format!("{p}'s high watermark reaching {hw}"),
            (Some(e), None, _) if about.is_empty() => e.to_string(),
            (Some(e), None, _) => format!("{e} ({})", about.join(", ")),
            _ => return Err(CommandError::new("", "needs exactly one condition: `event` or `high_watermark`")),
        };
        let armed =
            Armed { event, high_watermark: w.high_watermark, broker: w.broker, partition, then: *w.then, condition };
        let reached = armed.high_watermark.zip(partition).is_some_and(|(hw, p)| self.leader_high_watermark(p) >= hw);
        if reached {
            self.fire_trigger(armed);
        } else {
            self.armed.push(armed);
        }
        Ok(())
    }

    /// Disarms and returns every armed `when` that `kind` satisfies.
    pub(super) fn triggered_by(&mut self, kind: &EventKind) -> Vec<Armed> {
        if self.armed.is_empty() {
            return Vec::new();
        }
        let (fired, kept): (Vec<Armed>, Vec<Armed>) =
            std::mem::take(&mut self.armed).into_iter().partition(|a| a.matches(kind));
        self.armed = kept;
        fired
    }

    pub(super) fn fire_trigger(&mut self, armed: Armed) {
        let command = armed.then.name();
        self.queue.push(self.now, Pending::Command(armed.then));
        self.push_event(EventKind::TriggerFired { condition: armed.condition, command });
    }

    fn partition_named(&self, name: &str) -> Result<PartitionIdx, CommandError> {
        let found = name.rsplit_once('-').and_then(|(topic, n)| {
            let t = self.catalog.topic_by_name(topic)?;
            self.catalog.topics[t.0 as usize].partitions.get(n.parse::<usize>().ok()?).copied()
        });
        found.ok_or_else(|| {
            CommandError::new("partition", format!("no partition `{name}` yet (its topic is created later)"))
        })
    }

    /// The high watermark of the partition's leader (the controller's), 0 without one.
    fn leader_high_watermark(&self, p: PartitionIdx) -> u64 {
        let Some(leader) = self.controller.partitions.get(p.0 as usize).and_then(|r| r.leader) else { return 0 };
        self.catalog.broker_index(leader).and_then(|i| self.brokers[i].replicas.get(&p)).map_or(0, |r| r.high_watermark)
    }
}
