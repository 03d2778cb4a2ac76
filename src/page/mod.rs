//! The page's logic that needs no DOM, compiled and tested natively; `web` (wasm32 only) wires it to
//! the document. Nothing here names `web_sys`, `wasm_bindgen` or `js_sys`, and, as in the rest of
//! the page, nothing prints or parses floats (`layout::fixed`, `layout::clamp`; the URL's numbers
//! come through a function the caller gives, JavaScript's `Number` in the page).
//!
//! - [`speed`]: the speed ladder of the +/- keys, the log-scale slider, the speed's label.
//! - [`announce`]: what the live region says: elections, offline partitions, losses, violations.
//! - [`activity`]: what a client is doing, for its panel (never "talking to nobody" while retrying).
//! - [`clock`]: the display clock (play, pause, speed) and the frame budget: how far a frame runs the
//!   engine for the wall time that passed.
//! - [`frame_budget`]: the engine's share of a frame, shrunk when frames come late (30 fps floor).
//! - [`embed`]: an embed's clock (only while on screen) and its `<iframe>` snippet.
//! - [`event_log`]: the lines of the event log, kept and shown within bounds, routine ones hidden on
//!   request, each with the key of what it is about.
//! - [`forms`]: what the forms and the broker menu ask for, as `Command`s (the engine checks them).
//! - [`fragment`]: the options of the URL's fragment (`#scenario=large&speed=0.1&paused`).
//! - [`groups`]: the consumer group form's commands and each group's partitions: owner, committed
//!   offset, lag, with the generation and state of a rebalance.
//! - [`label`]: names cut to fit a box; a partition keeps its number.
//! - [`quorum`]: the controller box's text (the active controller marked) and the controller menu.
//! - [`share`]: the share link's fragment, where a link opens, the note for another engine behaviour.
//! - [`step`]: Step (→) runs to the next event the log shows, and says what it did.
//! - [`sweep`]: the notice for partitions that wait on the controller's unclean-election sweep.
//! - [`roving`]: one tab stop for a list (the event log, the broker menu) and the keys that move it.
//! - [`reached`]: the speed the page actually reaches, shown when it falls short of the one asked.
//! - [`branches`]: the tree of branches (acting at a past moment forks one; each has its link).
//! - [`event_marks`]: the events marked on the time slider; Step back and Step forward go by them.
//! - [`compare`]: what differs between two branches at one time (leaders, ISRs, HWs, losses).
//! - [`spacetime`], [`charts`]: the selected partition's messages as a space-time view, and its
//!   small charts (LEOs and HW, ISR size, produce latency, consumer lag), from the engine's probe.
//! - [`Selection`]: what the side panel shows, and the keys the DOM carries for it.

pub mod activity;
pub mod announce;
pub mod branches;
pub mod charts;
pub mod clock;
pub mod compare;
pub mod embed;
pub mod event_log;
pub mod event_marks;
pub mod forms;
pub mod fragment;
pub mod frame_budget;
pub mod groups;
pub mod label;
pub mod lesson;
pub mod quorum;
pub mod reached;
pub mod reassign;
pub mod roving;
mod selection;
pub mod share;
pub mod spacetime;
pub mod speed;
pub mod step;
pub mod sweep;

pub use clock::Clock;
pub use event_log::{EventLog, LogLine};
pub use fragment::{full_playground_fragment, parse_fragment, Theme, UrlOptions};
pub use selection::Selection;

#[cfg(test)]
pub(crate) mod tests {
    use crate::engine::Engine;

    /// The scenario the page opens with (`www/scenarios/default.json`): three brokers in racks a, b,
    /// c, topic `orders` (3 partitions, RF 3, min ISR 2), `producer-1` and `consumer-1`.
    pub fn default_engine() -> Engine {
        let json = include_str!("../../www/scenarios/default.json");
        let scenario = crate::scenario::parse(json).expect("the default scenario");
        Engine::new(&scenario).expect("within the contract")
    }
}
