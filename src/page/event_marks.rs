//! The events marked on the time slider (issue 12): crashes, elections, ISR changes, offline
//! partitions, losses and truncations of the branch the page stands on, one mark per millisecond
//! (a crash's elections of every partition it led are one mark), and the times Step back and Step
//! forward go to.

use crate::engine::{Engine, EventKind, Millis};
use crate::page::event_log::LogLine;

/// Marks kept: the oldest go first past it (the engine keeps `LIMITS.events_kept` events anyway).
pub const MARKS_MAX: usize = 1_000;

/// What a mark stands for; its CSS class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    Crash,
    Election,
    Offline,
    Isr,
    Loss,
    Truncation,
}

impl MarkKind {
    /// The events the slider marks, by kind.
    pub fn of(kind: &EventKind) -> Option<MarkKind> {
        use EventKind::*;
        Some(match kind {
            BrokerCrashed { .. } | BrokerPoweredOff { .. } | ControllerCrashed { .. } => MarkKind::Crash,
            LeaderElected { .. } | ControllerElected { .. } => MarkKind::Election,
            PartitionOffline { .. } | QuorumLost { .. } => MarkKind::Offline,
            IsrShrunk { .. } | IsrExpanded { .. } => MarkKind::Isr,
            RecordsLost { .. } | UnflushedSuffixLost { .. } => MarkKind::Loss,
            LogTruncated { .. } => MarkKind::Truncation,
            _ => return None,
        })
    }

    pub fn class(self) -> &'static str {
        match self {
            MarkKind::Crash => "crash",
            MarkKind::Election => "election",
            MarkKind::Offline => "offline",
            MarkKind::Isr => "isr",
            MarkKind::Loss => "loss",
            MarkKind::Truncation => "truncation",
        }
    }
}

/// The marked events of one millisecond.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub at_ms: Millis,
    /// The first marked event's kind.
    pub kind: MarkKind,
    /// The first marked event in Kafka's words (`Engine::explain`).
    pub text: String,
    /// Marked events in this millisecond beyond the first.
    pub more: u32,
}

impl Mark {
    /// The mark's accessible title: `5.002 s: Broker 1 crashed … (and 2 more events)`.
    pub fn title(&self) -> String {
        let at = crate::page::label::seconds(self.at_ms);
        match self.more {
            0 => format!("{at}: {}", self.text),
            n => format!("{at}: {} (and {n} more {})", self.text, if n == 1 { "event" } else { "events" }),
        }
    }
}

/// The marks of the branch the page stands on, read from its engine as it runs.
#[derive(Clone, Debug, Default)]
pub struct EventMarks {
    marks: Vec<Mark>,
    next_seq: u64,
}

impl EventMarks {
    pub fn new() -> EventMarks {
        EventMarks::default()
    }

    /// Takes the engine's marked events since the last call (from its start after [`reset`]);
    /// true if a mark was added or grew.
    ///
    /// [`reset`]: EventMarks::reset
    pub fn update(&mut self, engine: &Engine) -> bool {
        let next = engine.next_event_seq();
        if next == self.next_seq {
            return false;
        }
        let mut changed = false;
        for event in engine.events_since(self.next_seq) {
            let Some(kind) = MarkKind::of(&event.kind) else { continue };
            changed = true;
            match self.marks.last_mut() {
                Some(last) if last.at_ms == event.at_ms => last.more += 1,
                _ => self.marks.push(Mark { at_ms: event.at_ms, kind, text: LogLine::of(engine, event).text, more: 0 }),
            }
        }
        self.next_seq = next;
        let over = self.marks.len().saturating_sub(MARKS_MAX);
        self.marks.drain(..over);
        changed
    }

    /// Forgets every mark: the page stands on another branch (its engine's events are read again).
    pub fn reset(&mut self) {
        self.marks.clear();
        self.next_seq = 0;
    }

    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    /// The latest mark before `t` (Step back).
    pub fn before(&self, t: Millis) -> Option<Millis> {
        let i = self.marks.partition_point(|m| m.at_ms < t);
        i.checked_sub(1).map(|i| self.marks[i].at_ms)
    }

    /// The first mark after `t` (Step forward).
    pub fn after(&self, t: Millis) -> Option<Millis> {
        let i = self.marks.partition_point(|m| m.at_ms <= t);
        self.marks.get(i).map(|m| m.at_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Command;
    use crate::page::tests::default_engine;

    /// The default scenario to 20 s, with the leader of `orders-0` crashed at 10 s.
    fn leader_crashed_at_10_s() -> Engine {
        let mut engine = default_engine();
        engine.advance_to(10_000, u64::MAX).expect("runs");
        let leader = engine.view(Default::default()).partitions[0].leader.expect("a leader");
        engine.apply(Command::CrashBroker { broker: leader }).expect("a running broker");
        engine.advance_to(20_000, u64::MAX).expect("runs");
        engine
    }

    #[test]
    fn a_crash_and_the_elections_it_causes_are_marked_in_time_order() {
        let engine = leader_crashed_at_10_s();
        let mut marks = EventMarks::new();
        assert!(marks.update(&engine));
        let m = marks.marks();
        // The crash, then the controller's elections once the crashed broker's session has timed
        // out (kafka-model §3.2), each millisecond one mark.
        assert!(m.windows(2).all(|w| w[0].at_ms < w[1].at_ms), "one mark per millisecond, in order");
        let crash = m.iter().find(|m| m.kind == MarkKind::Crash).expect("the crash is marked");
        assert_eq!(crash.at_ms, 10_000);
        assert!(crash.title().starts_with("10.000 s: "), "{}", crash.title());
        let election = m.iter().find(|m| m.kind == MarkKind::Election).expect("the new leaders are marked");
        assert!(election.at_ms > 10_000 && election.title().contains("no heartbeat for 9000 ms"), "{m:?}");
        assert!(election.title().contains("elected broker"), "{}", election.title());
        assert!(!marks.update(&engine), "nothing new");
    }

    #[test]
    fn step_back_and_forward_go_mark_by_mark() {
        let engine = leader_crashed_at_10_s();
        let mut marks = EventMarks::new();
        marks.update(&engine);
        assert_eq!(marks.before(10_001), Some(10_000));
        let next = marks.after(10_000).expect("the elections after the crash");
        assert!(next > 10_000);
        assert_eq!(marks.before(next), Some(10_000));
        assert_eq!(marks.after(u64::MAX - 1), None);
        assert!(marks.before(0).is_none());
        marks.reset();
        assert!(marks.marks().is_empty());
        assert!(marks.update(&engine), "read again from the start");
    }
}
