//! Replaying a session: the engine a scenario and a session of timed commands reach at a time
//! ([`Engine::replay`]), from time 0 or from a [`Timeline`](crate::engine::Timeline) checkpoint.

use super::{AdvanceError, Engine};
use crate::engine::error::ScenarioError;
use crate::engine::ids::Millis;
use crate::engine::limits::LIMITS;
use crate::engine::setup::{Scenario, TimedCommand};

impl Engine {
    /// The engine that `scenario` and then `session` (commands applied at their times, as
    /// [`Engine::apply`] runs them) make, run to `until_ms`. Every command goes through the same
    /// rules and budget as in the page; the run to `until_ms` is bounded as the runner's
    /// `--until` is. An error names the session command (`session[3].produce.count`).
    pub fn replay(scenario: &Scenario, session: &[TimedCommand], until_ms: Millis) -> Result<Engine, ScenarioError> {
        Engine::replay_within(scenario, session, until_ms, LIMITS.run_work_max)
    }

    /// [`Engine::replay`] with its own work bound: the page replays a link before it draws, within
    /// [`Limits::page_replay_work_max`](super::limits::Limits).
    pub fn replay_within(
        scenario: &Scenario,
        session: &[TimedCommand],
        until_ms: Millis,
        work_max: u64,
    ) -> Result<Engine, ScenarioError> {
        let mut engine = Engine::new(scenario)?;
        engine.replay_from(session, 0, until_ms, work_max, &mut |e, t| e.advance_to(t, u64::MAX))?;
        Ok(engine)
    }

    /// Applies `commands` (the session's from index `first` on) at their times, as [`Engine::apply`]
    /// runs them, then runs to `until_ms`: [`Engine::replay`] from this engine's state (a
    /// [`Timeline`](super::timeline::Timeline) checkpoint's). `advance` runs the engine to a time
    /// (a timeline's takes checkpoints on the way).
    pub(crate) fn replay_from(
        &mut self,
        commands: &[TimedCommand],
        first: usize,
        until_ms: Millis,
        work_max: u64,
        advance: &mut dyn FnMut(&mut Engine, Millis) -> Result<(), AdvanceError>,
    ) -> Result<(), ScenarioError> {
        let fail = |path: String, reason: String| ScenarioError { path, reason };
        let mut last = self.now;
        for (i, t) in commands.iter().enumerate() {
            let i = first + i;
            let path = |field: &str| {
                let name = t.command.name();
                if field.is_empty() {
                    format!("session[{i}].{name}")
                } else {
                    format!("session[{i}].{name}.{field}")
                }
            };
            if t.at_ms < last {
                return Err(fail(
                    format!("session[{i}].at_ms"),
                    format!("{} is earlier than the command before it ({last} ms)", t.at_ms),
                ));
            }
            if t.at_ms > until_ms {
                return Err(fail(
                    format!("session[{i}].at_ms"),
                    format!("{} is after the moment to open at ({until_ms} ms)", t.at_ms),
                ));
            }
            last = t.at_ms;
            self.ledger
                .check_run_within(t.at_ms, work_max)
                .map_err(|e| fail(format!("session[{i}].at_ms"), e.reason))?;
            advance(self, t.at_ms).map_err(|e| fail(format!("session[{i}].at_ms"), e.to_string()))?;
            self.apply(t.command.clone()).map_err(|e| fail(path(&e.field), e.reason))?;
        }
        self.ledger.check_run_within(until_ms, work_max).map_err(|e| fail("t".into(), e.reason))?;
        advance(self, until_ms).map_err(|e| fail("t".into(), e.to_string()))
    }
}
