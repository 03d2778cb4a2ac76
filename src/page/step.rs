//! Step (→): runs the engine to the next event the event log shows, and says what that step did.
//! One engine step is often invisible (a timer re-armed, a fetch that returns nothing), so a
//! person pressing → would see nothing change for many presses.

use super::event_log::EventLog;
use super::label::seconds;
use crate::engine::Engine;

/// A step gives up after this many engine steps or this much simulated time without a visible
/// event (a cluster of healthy brokers with no clients only heartbeats).
pub const STEP_ENGINE_STEPS_MAX: u64 = 100_000;
pub const STEP_SIM_MS_MAX: u64 = 60_000;

/// Why a step stopped where it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepStop {
    /// At the event the log now shows first (and how many more it showed in the same step).
    Event { text: String, more: usize },
    /// Nothing is scheduled: the simulation has nothing left to do.
    Idle,
    /// No visible event within the caps; the clock stands where the step gave up.
    Cap,
}

/// What one press of → did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    pub engine_steps: u64,
    pub from_ms: u64,
    pub at_ms: u64,
    pub stop: StepStop,
}

impl StepReport {
    /// The status line: `Stepped 4 ms (3 engine steps) to 9.012 s: leader 1 advanced ...`.
    pub fn text(&self) -> String {
        let steps = match self.engine_steps {
            1 => "1 engine step".to_string(),
            n => format!("{n} engine steps"),
        };
        let moved = format!("{} ms ({steps}) to {}", self.at_ms - self.from_ms, seconds(self.at_ms));
        match &self.stop {
            StepStop::Event { text, more: 0 } => format!("Stepped {moved}: {text}"),
            StepStop::Event { text, more } => format!("Stepped {moved}: {text} (and {more} more in the log)"),
            StepStop::Idle => format!("Stepped {moved}: nothing else is scheduled"),
            StepStop::Cap => format!("Stepped {moved}: nothing the log shows happened; press again to go on"),
        }
    }
}

/// Runs `engine` one engine step at a time until an event that `log` would show is made, nothing
/// is scheduled, or the caps are reached.
pub fn step_to_visible(engine: &mut Engine, log: &EventLog) -> StepReport {
    let from_ms = engine.now_ms();
    let first_seq = engine.next_event_seq();
    let mut engine_steps = 0;
    let stop = loop {
        let Some(at_ms) = engine.step() else { break StepStop::Idle };
        engine_steps += 1;
        if engine.events_since(first_seq).any(|e| log.would_show(e)) {
            // The rest of the millisecond too: the page then stands where a share link replays to.
            let before = engine.steps();
            if engine.finish_millisecond().is_err() {
                break StepStop::Cap;
            }
            engine_steps += engine.steps() - before;
            let mut shown = engine.events_since(first_seq).filter(|e| log.would_show(e));
            let first = shown.next().map(|e| engine.explain(e)).unwrap_or_default();
            break StepStop::Event { text: first, more: shown.count() };
        }
        if engine_steps == STEP_ENGINE_STEPS_MAX || at_ms - from_ms >= STEP_SIM_MS_MAX {
            break StepStop::Cap;
        }
    };
    StepReport { engine_steps, from_ms, at_ms: engine.now_ms(), stop }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Command, Produce};
    use crate::page::tests::default_engine;

    fn send(engine: &mut Engine) {
        let p = Produce {
            producer: "producer-1".into(),
            topic: "orders".into(),
            key: None,
            value: "order 35 paid".into(),
            count: 1,
            partition: Some(0),
        };
        engine.apply(Command::Produce(p)).expect("a valid produce");
    }

    #[test]
    fn each_step_after_a_send_shows_the_next_line_of_its_story() {
        let mut engine = default_engine();
        engine.advance_to(5_000, u64::MAX).expect("progress");
        let mut log = EventLog::new();
        log.set_show_replication(true, &engine);
        send(&mut engine);
        log.update(&engine);
        // What the log shows, step by step: each press adds the lines of one engine step.
        let mut story: Vec<String> = Vec::new();
        for press in 1..=12 {
            let report = step_to_visible(&mut engine, &log);
            let StepStop::Event { text, more } = &report.stop else { panic!("{report:?}") };
            assert!(report.text().contains(text.as_str()), "the status says it: {}", report.text());
            let fresh: Vec<String> = log.update(&engine).fresh.iter().map(|l| l.text.clone()).collect();
            assert_eq!(fresh.first(), Some(text), "press {press} stops at the first new line");
            assert_eq!(fresh.len(), more + 1, "and counts the others");
            story.extend(fresh);
            if story.iter().any(|t| t.contains("acks=all success")) {
                break;
            }
        }
        let at =
            |what: &str| story.iter().position(|t| t.contains(what)).unwrap_or_else(|| panic!("{what}: {story:#?}"));
        assert!(at("appended 1 record") < at("advanced the high watermark"));
        assert!(at("advanced the high watermark") < at("acks=all success"), "{story:#?}");
    }

    #[test]
    fn with_replication_hidden_the_steps_skip_the_fetches() {
        let mut engine = default_engine();
        engine.advance_to(5_000, u64::MAX).expect("progress");
        let log = EventLog::new();
        assert!(!log.show_replication());
        send(&mut engine);
        // The consumer's fetch and the producer's success are the only lines: two presses.
        let first = step_to_visible(&mut engine, &log);
        let second = step_to_visible(&mut engine, &log);
        let texts: Vec<String> = [&first, &second]
            .iter()
            .map(|r| match &r.stop {
                StepStop::Event { text, .. } => text.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(texts.iter().any(|t| t.contains("acks=all success")), "{texts:#?}");
        assert!(texts.iter().all(|t| !t.contains("fetched orders-0 from leader")), "{texts:#?}");
        assert!(first.engine_steps > 1, "the invisible steps ran in one press: {first:?}");
        assert!(first.at_ms > first.from_ms && second.from_ms == first.at_ms);
    }

    #[test]
    fn a_quiet_cluster_steps_to_the_cap_and_says_so() {
        let mut engine = default_engine();
        engine.advance_to(5_000, u64::MAX).expect("progress");
        let mut log = EventLog::new();
        log.set_hide_routine(true);
        let report = step_to_visible(&mut engine, &log);
        assert_eq!(report.stop, StepStop::Cap, "heartbeats and empty fetches only");
        assert!(report.at_ms - report.from_ms >= STEP_SIM_MS_MAX);
        assert!(report.text().contains("nothing the log shows happened"), "{}", report.text());
    }

    /// What the page shows after a step is what its share link replays to (the step finishes
    /// its millisecond).
    #[test]
    fn after_each_step_the_engine_stands_where_a_replay_reaches() {
        let scenario = crate::scenario::parse(include_str!("../../www/scenarios/default.json")).expect("default");
        let mut engine = Engine::new(&scenario).expect("valid");
        engine.advance_to(1_000, u64::MAX).expect("progress");
        for _ in 0..3 {
            send(&mut engine);
        }
        engine.apply(Command::CrashBroker { broker: crate::engine::BrokerId(1) }).expect("valid");
        let log = EventLog::new();
        for press in 0..400 {
            step_to_visible(&mut engine, &log);
            if press % 40 == 0 {
                let replayed = Engine::replay(&scenario, &engine.session().to_vec(), engine.now_ms()).expect("replays");
                assert_eq!(replayed.state_hash(), engine.state_hash(), "press {press} at {} ms", engine.now_ms());
            }
        }
    }

    #[test]
    fn the_status_line_reads_well() {
        let report = StepReport {
            engine_steps: 3,
            from_ms: 9_008,
            at_ms: 9_012,
            stop: StepStop::Event { text: "broker 1 crashed".into(), more: 2 },
        };
        assert_eq!(report.text(), "Stepped 4 ms (3 engine steps) to 9.012 s: broker 1 crashed (and 2 more in the log)");
        let idle = StepReport { engine_steps: 1, stop: StepStop::Idle, ..report };
        assert_eq!(idle.text(), "Stepped 4 ms (1 engine step) to 9.012 s: nothing else is scheduled");
    }
}
