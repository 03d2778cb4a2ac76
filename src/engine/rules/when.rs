//! The rules of a `when` ([`When`]): one condition, names that exist, one command that is not
//! another `when`.

use super::{fail, join, Cost, Ledger};
use crate::engine::command::{Command, When, NESTED_WHEN};
use crate::engine::error::CommandError;
use crate::engine::event::EventKind;

impl Ledger {
    /// A `when` (the scenario format's): one condition, names that exist,
    /// and a command that is not another `when`; it costs what its command costs.
    pub(super) fn check_when(&self, w: &When) -> Result<Cost, CommandError> {
        match (&w.event, w.high_watermark) {
            (Some(event), None) => {
                let Some((_, about_partition)) = EventKind::NAMES.iter().find(|(n, _)| n == event) else {
                    return fail(
                        "event",
                        format!("`{event}` is no event name (the runner's `event` field names them)"),
                    );
                };
                if w.partition.is_some() && !about_partition {
                    return fail("partition", format!("`{event}` is about no partition: this `when` would never fire"));
                }
            }
            (None, Some(_)) if w.partition.is_none() => {
                return fail("partition", "missing: a high_watermark condition is about one partition")
            }
            (None, Some(_)) => {}
            _ => return fail("", "needs exactly one condition: `event` or `high_watermark`"),
        }
        if let Some(b) = w.broker {
            self.broker(b, "broker")?;
        }
        if let Some(name) = &w.partition {
            self.partition(name, "partition")?;
        }
        if matches!(*w.then, Command::When(_)) {
            return fail("then", NESTED_WHEN);
        }
        self.check(&w.then).map_err(|e| CommandError::new(join(&join("then", w.then.name()), &e.field), e.reason))
    }

    /// `topic-N` of a topic the scenario defines or creates.
    fn partition(&self, name: &str, field: &str) -> Result<(), CommandError> {
        let known = name.rsplit_once('-').and_then(|(topic, n)| {
            let n: u32 = n.parse().ok()?;
            self.topics.iter().any(|(t, shape)| t == topic && n < shape.partitions).then_some(())
        });
        known
            .ok_or_else(|| CommandError::new(field, format!("no partition `{name}` (a topic's name, `-`, its number)")))
    }
}
