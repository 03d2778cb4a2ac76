//! The event log's lines: one per engine event, with its explanation, its severity and the key of
//! what it is about. At most [`LOG_KEPT`] lines are kept and [`LOG_SHOWN`] shown, newest first;
//! routine ones (acknowledgements, fetches) can be hidden.

use crate::engine::{Catalog, ClusterEvent, Engine, Severity, Subject};
use std::collections::VecDeque;

/// Event log: lines kept in memory and lines in the DOM.
pub const LOG_KEPT: usize = 1_000;
pub const LOG_SHOWN: usize = 300;

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub seq: u64,
    pub at_ms: u64,
    /// `Engine::explain`: the event in Kafka's words.
    pub text: String,
    /// What the event is about ([`subject_key`]); empty for none.
    pub subject: String,
    /// Only routine progress (`EventKind::is_routine`).
    pub routine: bool,
    pub severity: Severity,
}

impl LogLine {
    pub fn of(engine: &Engine, event: &ClusterEvent) -> LogLine {
        LogLine {
            seq: event.seq,
            at_ms: event.at_ms,
            text: engine.explain(event),
            subject: subject_key(engine.catalog(), event),
            routine: event.kind.is_routine(),
            severity: event.kind.severity(),
        }
    }

    /// When it happened: `9.003 s`.
    pub fn time_label(&self) -> String {
        format!("{}.{:03} s", self.at_ms / 1000, self.at_ms % 1000)
    }
}

/// The key of what an event is about, as the DOM carries it (`data-subject`) and
/// `Selection::from_subject` reads it: `broker:2`, `replica:2:orders-0`, `partition:orders-0`,
/// `producer:0`, `consumer:0`, `controller`; empty for none.
pub fn subject_key(catalog: &Catalog, event: &ClusterEvent) -> String {
    match event.kind.subject() {
        None => String::new(),
        Some(Subject::Broker(b)) => format!("broker:{b}"),
        Some(Subject::Replica(b, p)) => format!("replica:{b}:{}", catalog.partition_name(p)),
        Some(Subject::Partition(p)) => format!("partition:{}", catalog.partition_name(p)),
        Some(Subject::Producer(c)) => format!("producer:{}", c.0),
        Some(Subject::Consumer(c)) => format!("consumer:{}", c.0),
        Some(Subject::Controller) => "controller".into(),
    }
}

/// The lines kept, oldest first, and the engine event the next one comes from.
#[derive(Debug, Default)]
pub struct EventLog {
    lines: VecDeque<LogLine>,
    next_seq: u64,
    hide_routine: bool,
}

impl EventLog {
    pub fn new() -> EventLog {
        EventLog::default()
    }

    pub fn hide_routine(&self) -> bool {
        self.hide_routine
    }

    /// Hides or shows routine lines (the caller redraws from [`EventLog::shown`]).
    pub fn set_hide_routine(&mut self, hide: bool) {
        self.hide_routine = hide;
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn clear(&mut self) {
        self.lines.clear();
    }

    fn visible(&self, line: &LogLine) -> bool {
        !(self.hide_routine && line.routine)
    }

    /// Takes the engine's events since the last call and returns the new lines to show, oldest
    /// first: the visible ones still kept, at most [`LOG_SHOWN`].
    pub fn update(&mut self, engine: &Engine) -> Vec<&LogLine> {
        let next = engine.next_event_seq();
        if next == self.next_seq {
            return Vec::new();
        }
        let new: Vec<&ClusterEvent> = engine.events_since(self.next_seq).collect();
        self.next_seq = next;
        // Lines past LOG_KEPT would go at once: never made.
        let skip = new.len().saturating_sub(LOG_KEPT);
        let first_new = self.lines.len();
        for event in &new[skip..] {
            self.lines.push_back(LogLine::of(engine, event));
        }
        let dropped = self.lines.len().saturating_sub(LOG_KEPT);
        self.lines.drain(..dropped);
        let mut fresh: Vec<&LogLine> =
            self.lines.iter().skip(first_new.saturating_sub(dropped)).filter(|l| self.visible(l)).collect();
        let from = fresh.len().saturating_sub(LOG_SHOWN);
        fresh.split_off(from)
    }

    /// The lines to show, newest first: the visible ones, at most [`LOG_SHOWN`].
    pub fn shown(&self) -> impl Iterator<Item = &LogLine> {
        self.lines.iter().rev().filter(|l| self.visible(l)).take(LOG_SHOWN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Command, Produce};
    use crate::page::tests::default_engine;
    use crate::page::Selection;

    fn produce(engine: &mut Engine, count: u32) {
        let p = Produce {
            producer: "producer-1".into(),
            topic: "orders".into(),
            key: None,
            value: "v".into(),
            count,
            partition: None,
        };
        engine.apply(Command::Produce(p)).expect("a valid produce");
    }

    fn seqs<'a>(lines: impl IntoIterator<Item = &'a LogLine>) -> Vec<u64> {
        lines.into_iter().map(|l| l.seq).collect()
    }

    #[test]
    fn new_lines_come_once_oldest_first() {
        let mut engine = default_engine();
        let mut log = EventLog::new();
        engine.advance_to(10_000, u64::MAX).expect("progress");
        let first = seqs(log.update(&engine));
        assert!(!first.is_empty());
        assert!(first.windows(2).all(|w| w[0] < w[1]), "oldest first");
        assert_eq!(log.len(), first.len());
        assert!(log.update(&engine).is_empty(), "nothing new");
        produce(&mut engine, 3);
        engine.advance_to(11_000, u64::MAX).expect("progress");
        let second = seqs(log.update(&engine));
        assert!(second[0] > *first.last().unwrap());
        // What is shown again (a redraw) is the same lines, newest first.
        let mut all = first.clone();
        all.extend(&second);
        all.reverse();
        assert_eq!(seqs(log.shown()), all);
    }

    #[test]
    fn the_log_keeps_and_shows_at_most_its_bounds() {
        let mut engine = default_engine();
        let mut log = EventLog::new();
        // One batch (one acknowledgement, one fetch) every 10 ms, the log updated every second.
        for i in 1..=1_500u64 {
            produce(&mut engine, 1);
            engine.advance_to(i * 10, u64::MAX).expect("progress");
            if i % 100 != 0 {
                continue;
            }
            let next = engine.next_event_seq();
            let fresh = log.update(&engine);
            assert!(fresh.len() <= LOG_SHOWN);
            assert_eq!(fresh.last().map(|l| l.seq), Some(next - 1), "the newest line is among the fresh ones");
            assert!(log.len() <= LOG_KEPT);
        }
        assert!(engine.next_event_seq() > LOG_KEPT as u64, "enough events to test the bound");
        assert_eq!(log.len(), LOG_KEPT);
        assert_eq!(log.shown().count(), LOG_SHOWN);
        // A long time between two updates (a hidden tab): only the newest LOG_SHOWN are new lines.
        for i in 1_501..=3_000u64 {
            produce(&mut engine, 1);
            engine.advance_to(i * 10, u64::MAX).expect("progress");
        }
        let next = engine.next_event_seq();
        let fresh = seqs(log.update(&engine));
        assert_eq!(fresh.len(), LOG_SHOWN);
        assert_eq!(fresh.last(), Some(&(next - 1)));
        assert_eq!(log.len(), LOG_KEPT);
        log.clear();
        assert!(log.is_empty());
    }

    #[test]
    fn routine_lines_can_be_hidden() {
        let mut engine = default_engine();
        let mut log = EventLog::new();
        log.set_hide_routine(true);
        produce(&mut engine, 5);
        engine.advance_to(5_000, u64::MAX).expect("progress");
        let fresh = log.update(&engine);
        assert!(!fresh.is_empty() && fresh.iter().all(|l| !l.routine));
        let kept_routine = log.lines.iter().filter(|l| l.routine).count();
        assert!(kept_routine > 0, "routine lines are kept, only not shown");
        assert!(log.shown().all(|l| !l.routine));
        log.set_hide_routine(false);
        assert!(log.shown().any(|l| l.routine));
        assert!(!log.hide_routine());
    }

    #[test]
    fn each_line_says_when_what_and_about_what() {
        let mut engine = default_engine();
        let mut log = EventLog::new();
        engine.apply(Command::CrashBroker { broker: crate::engine::BrokerId(1) }).expect("a valid command");
        engine.advance_to(12_000, u64::MAX).expect("progress");
        let lines = log.update(&engine);
        for line in &lines {
            assert!(!line.text.is_empty());
            if !line.subject.is_empty() {
                assert!(Selection::from_subject(&line.subject).is_some(), "{} names a selection", line.subject);
            }
        }
        let crashed = lines.iter().find(|l| l.subject == "broker:1").expect("a line about broker 1");
        assert_eq!(crashed.severity, Severity::Warning);
        assert!(lines.iter().any(|l| l.subject.starts_with("replica:") && l.severity == Severity::Change));
        let line = LogLine { at_ms: 9_003, ..(*crashed).clone() };
        assert_eq!(line.time_label(), "9.003 s");
        assert_eq!(LogLine { at_ms: 42, ..line }.time_label(), "0.042 s");
    }
}
