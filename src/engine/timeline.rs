//! Time travel (issue 12): the engine exactly as it was at any earlier moment of a run, on any
//! branch, from checkpoints plus replay.
//!
//! The engine is deterministic, so a scenario and the commands applied to it (its session) fix
//! every state it passes through, however a driver sliced the run into frames: a checkpoint is a
//! copy of the live engine taken on the way, and seeking to `t` replays the session from the last
//! checkpoint at or before `t` ([`Engine::replay`]'s rule: each command after everything scheduled
//! up to its time). A checkpoint serves every branch whose session starts with the commands it
//! holds, so branches share their common past.
//!
//! Bounds: checkpoints are taken every `spacing_steps` engine steps (seek cost is replay from the
//! nearest one), and their estimated size stays within `bytes_max`: past it, every other
//! checkpoint is dropped and the spacing doubles, so memory stays bounded and seeking slows
//! gracefully in long runs.

use super::engine::Engine;
use super::error::ScenarioError;
use super::event::ClusterEvent;
use super::ids::Millis;
use super::limits::LIMITS;
use super::setup::{Scenario, TimedCommand};

/// Estimated bytes a checkpoint holds per batch of each replica's log (the batch, its append time;
/// its records are shared with the live engine, `Rc<[Record]>`) and per stored record (the safety
/// checker's committed log and the clients' bookkeeping). Calibrated with `cargo bench --bench
/// timeline`, which measures a clone.
const BATCH_BYTES: usize = 128;
const RECORD_BYTES: usize = 24;
/// Estimated heap bytes of an event kept, beside the event itself (its lists and texts).
const EVENT_HEAP_BYTES: usize = 96;
/// Estimated bytes of an engine without records or events (queues, metadata, clients).
const ENGINE_BASE_BYTES: usize = 64 * 1024;

/// Checkpoints of one scenario's runs, on every branch.
pub struct Timeline {
    /// In the order taken; each holds the engine and the size estimate it was counted at.
    checkpoints: Vec<(Engine, usize)>,
    spacing_steps: u64,
    bytes_max: usize,
    /// Steps of the live branch's latest checkpoint, as last found: `observe` runs every frame and
    /// looks for the branch's checkpoint (comparing sessions) only once this is far enough behind.
    live_base_steps: u64,
}

impl Timeline {
    /// The default checkpoint spacing: a replay of this many steps takes a few milliseconds
    /// natively (`cargo bench --bench timeline`).
    pub const SPACING_STEPS: u64 = 20_000;
    /// The default memory for checkpoints: 64 MiB.
    pub const BYTES_MAX: usize = 64 << 20;

    /// A timeline of `scenario`, with its state at time 0 as the first checkpoint.
    pub fn new(scenario: &Scenario) -> Result<Timeline, ScenarioError> {
        Timeline::with_bounds(scenario, Timeline::SPACING_STEPS, Timeline::BYTES_MAX)
    }

    /// [`Timeline::new`] with its own spacing (at least 1 step) and memory bound.
    pub fn with_bounds(scenario: &Scenario, spacing_steps: u64, bytes_max: usize) -> Result<Timeline, ScenarioError> {
        let first = Engine::new(scenario)?;
        let bytes = Timeline::estimated_bytes(&first);
        let spacing_steps = spacing_steps.max(1);
        let checkpoints = vec![(first, bytes)];
        Ok(Timeline { checkpoints, spacing_steps, bytes_max, live_base_steps: 0 })
    }

    /// Takes a checkpoint of `live` (an engine of this timeline's scenario, on any branch) if it
    /// has run `spacing_steps` past the latest checkpoint of its branch. Call it between frames.
    pub fn observe(&mut self, live: &Engine) {
        let steps = live.steps();
        // Fewer steps than the cached base: the driver switched to another branch; look again.
        if steps >= self.live_base_steps && steps < self.live_base_steps + self.spacing_steps {
            return;
        }
        let Some(base) = self.base_for(live.session(), live.now_ms()) else { return };
        self.live_base_steps = self.checkpoints[base].0.steps();
        if steps < self.live_base_steps + self.spacing_steps {
            return;
        }
        let bytes = Timeline::estimated_bytes(live);
        self.checkpoints.push((live.clone(), bytes));
        self.live_base_steps = steps;
        while self.bytes() > self.bytes_max && self.checkpoints.len() > 2 {
            self.thin_out();
        }
    }

    /// The engine of the branch `session` at time `t`: exactly the state [`Engine::replay`] of the
    /// scenario and the session's commands up to `t` reaches (the same state hash).
    pub fn seek(&self, session: &[TimedCommand], t: Millis) -> Result<Engine, ScenarioError> {
        let base = self.base_for(session, t).unwrap_or(0);
        let mut engine = self.checkpoints[base].0.clone();
        let from = engine.session().len();
        let upto = session.partition_point(|c| c.at_ms <= t);
        // The base's commands are all at or before its time, so at or before `t`: `from <= upto`.
        engine.replay_from(&session[from..upto], from, t, LIMITS.run_work_max)?;
        Ok(engine)
    }

    /// How many checkpoints are held, and their estimated bytes.
    pub fn checkpoints(&self) -> (usize, usize) {
        (self.checkpoints.len(), self.bytes())
    }

    /// Steps between checkpoints now (it doubles each time the memory bound thins them out).
    pub fn spacing_steps(&self) -> u64 {
        self.spacing_steps
    }

    /// What a checkpoint of `engine` counts against the memory bound: an estimate from the batches
    /// and records its replicas store and the events it keeps.
    pub fn estimated_bytes(engine: &Engine) -> usize {
        let (batches, records) = engine
            .brokers
            .iter()
            .flat_map(|b| b.replicas.values())
            .map(|r| (r.log.batch_count(), (r.log.log_end_offset() - r.log.log_start_offset()) as usize))
            .fold((0, 0), |(b, n), (rb, rn)| (b + rb, n + rn));
        let events = engine.events_since(0).count() * (std::mem::size_of::<ClusterEvent>() + EVENT_HEAP_BYTES);
        ENGINE_BASE_BYTES + batches * BATCH_BYTES + records * RECORD_BYTES + events
    }

    /// The latest checkpoint at or before `t` on `session`'s branch: it holds the first commands of
    /// `session` and none of the rest comes before it (a branch forked earlier cannot use it).
    fn base_for(&self, session: &[TimedCommand], t: Millis) -> Option<usize> {
        self.checkpoints.iter().rposition(|(e, _)| {
            let held = e.session();
            e.now_ms() <= t
                && session.get(..held.len()) == Some(held)
                && session.get(held.len()).is_none_or(|next| next.at_ms >= e.now_ms())
        })
    }

    fn bytes(&self) -> usize {
        self.checkpoints.iter().map(|(_, b)| b).sum()
    }

    /// Drops every other checkpoint after the first (time 0 stays) and doubles the spacing.
    fn thin_out(&mut self) {
        let mut i = 0;
        self.checkpoints.retain(|_| {
            i += 1;
            i == 1 || i % 2 == 0
        });
        self.spacing_steps = self.spacing_steps.saturating_mul(2);
    }
}
