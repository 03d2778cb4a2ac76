//! The display clock and the frame budget. The engine keeps simulated time in whole milliseconds;
//! the page shows it to a fraction of a millisecond (slow motion), advances it by the wall time of
//! each frame times the speed, and runs the engine in slices so a heavy frame lags instead of
//! freezing the tab.

use super::speed;
use crate::engine::{AdvanceError, Engine};
use crate::layout::{clamp, fixed};

/// A frame never advances more wall time than this (a hidden tab resumes without a jump).
pub const FRAME_WALL_MS_MAX: f64 = 100.0;
/// Engine work per frame stops after this much wall time; the clock then lags instead of freezing
/// the page.
pub const FRAME_ENGINE_BUDGET_MS: f64 = 40.0;
/// A frame's engine work and drawing together: 30 frames a second at least.
pub const FRAME_MS_TARGET: f64 = 33.0;
/// The engine runs at least this long a frame, however long the drawing takes.
pub const FRAME_ENGINE_BUDGET_MIN_MS: f64 = 4.0;
/// Engine steps between two looks at the frame's deadline.
pub const FRAME_STEPS: u64 = 256;

/// Playing or paused, the speed, and the simulated time shown.
#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    playing: bool,
    speed: f64,
    /// Display time: the engine's clock plus the fraction of a millisecond (slow motion).
    sim_ms: f64,
    /// The wall time of the last frame while playing (none after a pause).
    last_wall_ms: Option<f64>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

impl Clock {
    /// Paused at 0 ms, 1×.
    pub fn new() -> Clock {
        Clock { playing: false, speed: 1.0, sim_ms: 0.0, last_wall_ms: None }
    }

    pub fn playing(&self) -> bool {
        self.playing
    }

    /// Plays or pauses; the next frame starts counting wall time afresh.
    pub fn set_playing(&mut self, playing: bool) {
        self.playing = playing;
        self.last_wall_ms = None;
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Sets the speed within 0.01×–1000× and returns it.
    pub fn set_speed(&mut self, speed: f64) -> f64 {
        self.speed = speed::clamped(speed);
        self.speed
    }

    pub fn sim_ms(&self) -> f64 {
        self.sim_ms
    }

    /// The engine stepped to `at_ms` (a single step): the display follows.
    pub fn stepped_to(&mut self, at_ms: u64) {
        self.sim_ms = at_ms as f64;
    }

    /// A frame at wall time `wall_ms`: the simulated time it should reach, if playing. The wall time
    /// since the last frame counts at most [`FRAME_WALL_MS_MAX`]; the first frame after a pause
    /// counts none.
    pub fn frame_target(&mut self, wall_ms: f64) -> Option<f64> {
        let dt = self.last_wall_ms.map_or(0.0, |last| clamp(wall_ms - last, 0.0, FRAME_WALL_MS_MAX));
        self.last_wall_ms = Some(wall_ms);
        self.playing.then_some(self.sim_ms + dt * self.speed)
    }

    /// The time to show when the engine is at `now_ms`.
    pub fn display_ms(&self, now_ms: u64) -> f64 {
        self.sim_ms.max(now_ms as f64)
    }

    /// `t = 1.234 s`; to five decimals in slow motion (below 0.5×), where a fetch takes a while.
    pub fn text(&self, display_ms: f64) -> String {
        let decimals = if self.speed < 0.5 { 5 } else { 3 };
        format!("t = {} s", fixed(display_ms / 1000.0, decimals))
    }

    /// Runs `engine` up to `target_ms` (fractional) for at most `budget_ms` of wall time, as `now_ms`
    /// reads it: slices of [`FRAME_STEPS`] steps until the target or the deadline. Out of time, the
    /// clock stays where the engine got to (it lags behind the wall rather than freezing the page).
    /// An engine that makes no progress is the error.
    pub fn advance(
        &mut self,
        engine: &mut Engine,
        target_ms: f64,
        budget_ms: f64,
        now_ms: impl Fn() -> f64,
    ) -> Result<(), AdvanceError> {
        let until = target_ms.floor().max(0.0) as u64;
        let deadline = now_ms() + budget_ms;
        loop {
            match engine.advance_to(until, FRAME_STEPS) {
                Ok(()) => break,
                Err(AdvanceError::StepBudgetSpent { reached_ms, .. }) => {
                    self.sim_ms = reached_ms as f64;
                    if now_ms() > deadline {
                        return Ok(());
                    }
                }
                Err(e @ AdvanceError::NoProgress { .. }) => return Err(e),
            }
        }
        self.sim_ms = target_ms.max(engine.now_ms() as f64);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_frame_advances_the_wall_time_since_the_last_one_times_the_speed() {
        let mut c = Clock::new();
        assert_eq!(c.frame_target(1_000.0), None, "paused");
        c.set_playing(true);
        c.set_speed(2.0);
        assert_eq!(c.frame_target(2_000.0), Some(0.0), "the first frame after play counts no time");
        assert_eq!(c.frame_target(2_016.0), Some(32.0));
        // A hidden tab comes back: at most FRAME_WALL_MS_MAX of wall time.
        assert_eq!(c.frame_target(9_000.0), Some(2.0 * FRAME_WALL_MS_MAX));
        // A clock that goes back counts nothing.
        assert_eq!(c.frame_target(8_000.0), Some(0.0));
        c.set_playing(false);
        c.set_playing(true);
        assert_eq!(c.frame_target(20_000.0), Some(0.0), "a pause forgets the last frame");
    }

    #[test]
    fn the_speed_is_clamped_and_the_time_shown_to_the_speed() {
        let mut c = Clock::new();
        assert_eq!(c.set_speed(5_000.0), 1_000.0);
        assert_eq!(c.text(1_234.567_8), "t = 1.235 s");
        c.set_speed(0.1);
        assert_eq!(c.text(1_234.567_8), "t = 1.23457 s");
        c.stepped_to(42);
        assert_eq!(c.display_ms(40), 42.0);
        assert_eq!(c.display_ms(50), 50.0);
    }

    #[test]
    fn advance_reaches_a_fractional_target_within_the_budget() {
        let mut engine = crate::page::tests::default_engine();
        let mut c = Clock::new();
        c.advance(&mut engine, 1_234.5, f64::INFINITY, || 0.0).expect("progress");
        assert_eq!(engine.now_ms(), 1_234);
        assert_eq!(c.sim_ms(), 1_234.5, "the display keeps the fraction of a millisecond");
        c.advance(&mut engine, -5.0, f64::INFINITY, || 0.0).expect("progress");
        assert_eq!(c.sim_ms(), 1_234.0, "never behind the engine");
    }

    #[test]
    fn out_of_wall_time_the_clock_lags_where_the_engine_got_to() {
        let mut engine = crate::page::tests::default_engine();
        let mut c = Clock::new();
        // Each look at the wall clock finds a millisecond gone: a 0 ms budget stops after one slice.
        let wall = Cell::new(0.0);
        let now = || {
            wall.set(wall.get() + 1.0);
            wall.get()
        };
        c.advance(&mut engine, 3_600_000.0, 0.0, now).expect("progress");
        assert!(engine.now_ms() < 3_600_000, "one slice does not reach an hour");
        assert_eq!(c.sim_ms(), engine.now_ms() as f64);
        assert_eq!(wall.get(), 2.0, "one look for the deadline, one after the slice");
    }
}
