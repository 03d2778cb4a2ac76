//! The event log's lines: one per engine event, with its explanation, its severity and the key of
//! what it is about. At most [`LOG_KEPT`] lines are kept and [`LOG_SHOWN`] shown, newest first;
//! routine ones (acknowledgements, consumer fetches, retries) can be hidden. Replication lines
//! (leader appends, follower fetches, high-watermark advances) are made only while shown: there are
//! many per record, and a busy cluster's would push everything else out. Repeated retries of one
//! send fold into one line with a counter.

use super::label::seconds;
use crate::engine::{Catalog, ClientIdx, ClusterEvent, ClusterView, Engine, ErrorCode, EventKind, PartitionIdx};
use crate::engine::{Severity, Subject};
use std::collections::VecDeque;

/// Event log: lines kept in memory and lines in the DOM.
pub const LOG_KEPT: usize = 1_000;
pub const LOG_SHOWN: usize = 300;

/// Replication lines are shown from the start in clusters of at most this many replicas (the
/// default scenario has 9): a line per append, fetch and HW advance stays readable there.
pub const REPLICATION_SHOWN_REPLICAS_MAX: usize = 24;

/// Whether a cluster's log starts with replication lines shown.
pub fn replication_shown_by_default(view: &ClusterView) -> bool {
    view.partitions.iter().map(|p| p.replicas.len()).sum::<usize>() <= REPLICATION_SHOWN_REPLICAS_MAX
}

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub seq: u64,
    pub at_ms: u64,
    /// `Engine::explain`: the event in Kafka's words.
    pub text: String,
    /// What the event is about ([`subject_key`]); empty for none.
    pub subject: String,
    /// Only routine traffic (`EventKind::is_routine`).
    pub routine: bool,
    /// A replication step (`EventKind::is_replication`).
    pub replication: bool,
    pub severity: Severity,
    /// How many events this line stands for: repeated retries of one send fold into one line
    /// that says the latest (1 for every other line).
    pub repeats: u32,
    /// When the first of them happened.
    pub first_at_ms: u64,
}

impl LogLine {
    pub fn of(engine: &Engine, event: &ClusterEvent) -> LogLine {
        LogLine {
            seq: event.seq,
            at_ms: event.at_ms,
            text: engine.explain(event),
            subject: subject_key(engine.catalog(), event),
            routine: event.kind.is_routine(),
            replication: event.kind.is_replication(),
            severity: event.kind.severity(),
            repeats: 1,
            first_at_ms: event.at_ms,
        }
    }

    /// When it happened: `9.003 s`.
    pub fn time_label(&self) -> String {
        seconds(self.at_ms)
    }

    /// For a folded line, what the counter means: `5 retries in a row with this error, the first at
    /// 15.010 s` (an earlier attempt may have failed otherwise: the attempt number can be higher).
    pub fn repeats_label(&self) -> Option<String> {
        (self.repeats > 1).then(|| {
            format!("{} retries in a row with this error, the first at {}", self.repeats, seconds(self.first_at_ms))
        })
    }
}

/// The send a producer event is about: its producer and partition (a producer has one batch per
/// partition in flight, so this names the send being retried).
fn send_of(kind: &EventKind) -> Option<(ClientIdx, PartitionIdx)> {
    match kind {
        EventKind::ProduceRetried { producer, partition, .. }
        | EventKind::ProduceAcked { producer, partition, .. }
        | EventKind::ProduceFailed { producer, partition, .. }
        | EventKind::ProduceDeduplicated { producer, partition, .. } => Some((*producer, *partition)),
        _ => None,
    }
}

/// A retry line that the next retry of the same send with the same error folds into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fold {
    send: (ClientIdx, PartitionIdx),
    error: ErrorCode,
    seq: u64,
}

/// What an update changes in the DOM: lines to add (oldest first) and lines to take away (folded
/// into a newer one, by `seq`).
#[derive(Debug, Default)]
pub struct LogUpdate<'a> {
    pub fresh: Vec<&'a LogLine>,
    pub removed: Vec<u64>,
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
    show_replication: bool,
    /// Retry lines still open to folding, one per send at most.
    folds: Vec<Fold>,
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

    pub fn show_replication(&self) -> bool {
        self.show_replication
    }

    /// Shows or hides replication lines. Lines are made again from the events the engine still
    /// keeps, so turning replication on shows the fetches behind what already happened (the caller
    /// redraws from [`EventLog::shown`]).
    pub fn set_show_replication(&mut self, show: bool, engine: &Engine) {
        self.show_replication = show;
        self.clear();
        self.next_seq = 0;
        self.update(engine);
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn clear(&mut self) {
        self.lines.clear();
        self.folds.clear();
    }

    fn visible(&self, line: &LogLine) -> bool {
        !(self.hide_routine && line.routine)
    }

    /// Whether an event gets a line at all.
    fn kept(&self, event: &ClusterEvent) -> bool {
        self.show_replication || !event.kind.is_replication()
    }

    /// Whether an event's line would be shown, as things are set now.
    pub fn would_show(&self, event: &ClusterEvent) -> bool {
        self.kept(event) && !(self.hide_routine && event.kind.is_routine())
    }

    /// Takes the engine's events since the last call: the new lines to show, oldest first (the
    /// visible ones still kept, at most [`LOG_SHOWN`]), and the lines a fold replaced.
    pub fn update(&mut self, engine: &Engine) -> LogUpdate<'_> {
        let next = engine.next_event_seq();
        if next == self.next_seq {
            return LogUpdate::default();
        }
        let new: Vec<&ClusterEvent> = engine.events_since(self.next_seq).filter(|e| self.kept(e)).collect();
        self.next_seq = next;
        // Lines past LOG_KEPT would go at once: never made.
        let skip = new.len().saturating_sub(LOG_KEPT);
        let mut removed = Vec::new();
        let first_fresh_seq = new.get(skip).map_or(next, |e| e.seq);
        for event in &new[skip..] {
            let mut line = LogLine::of(engine, event);
            if let Some(folded) = self.fold(event) {
                line.repeats += folded.repeats;
                line.first_at_ms = folded.first_at_ms;
                removed.push(folded.seq);
            }
            self.lines.push_back(line);
        }
        let dropped = self.lines.len().saturating_sub(LOG_KEPT);
        self.lines.drain(..dropped);
        let oldest = self.lines.front().map_or(next, |l| l.seq);
        self.folds.retain(|f| f.seq >= oldest);
        // Lines are in seq order: the fresh ones are the tail.
        let start = self.lines.partition_point(|l| l.seq < first_fresh_seq);
        let mut fresh: Vec<&LogLine> = self.lines.range(start..).filter(|l| self.visible(l)).collect();
        let from = fresh.len().saturating_sub(LOG_SHOWN);
        LogUpdate { fresh: fresh.split_off(from), removed }
    }

    /// For a retry of the send whose last line is a retry with the same error: that line, taken
    /// out to fold into the new one. Any other event of the send ends its fold.
    fn fold(&mut self, event: &ClusterEvent) -> Option<LogLine> {
        let send = send_of(&event.kind)?;
        let open = self.folds.iter().position(|f| f.send == send).map(|i| self.folds.swap_remove(i));
        let EventKind::ProduceRetried { error, .. } = event.kind else { return None };
        self.folds.push(Fold { send, error, seq: event.seq });
        let open = open.filter(|f| f.error == error)?;
        let at = self.lines.binary_search_by_key(&open.seq, |l| l.seq).ok()?;
        self.lines.remove(at)
    }

    /// The lines to show, newest first: the visible ones, at most [`LOG_SHOWN`].
    pub fn shown(&self) -> impl Iterator<Item = &LogLine> {
        self.lines.iter().rev().filter(|l| self.visible(l)).take(LOG_SHOWN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{BrokerId, ChangeConfig, Command, EventKind, Produce, TopicConfig};
    use crate::page::tests::default_engine;
    use crate::page::Selection;

    fn send(count: u32) -> Produce {
        Produce {
            producer: "producer-1".into(),
            topic: "orders".into(),
            key: None,
            value: "v".into(),
            count,
            partition: None,
        }
    }

    fn produce(engine: &mut Engine, count: u32) {
        engine.apply(Command::Produce(send(count))).expect("a valid produce");
    }

    fn seqs<'a>(lines: impl IntoIterator<Item = &'a LogLine>) -> Vec<u64> {
        lines.into_iter().map(|l| l.seq).collect()
    }

    #[test]
    fn new_lines_come_once_oldest_first() {
        let mut engine = default_engine();
        let mut log = EventLog::new();
        engine.advance_to(10_000, u64::MAX).expect("progress");
        let first = seqs(log.update(&engine).fresh);
        assert!(!first.is_empty());
        assert!(first.windows(2).all(|w| w[0] < w[1]), "oldest first");
        assert_eq!(log.len(), first.len());
        assert!(log.update(&engine).fresh.is_empty(), "nothing new");
        produce(&mut engine, 3);
        engine.advance_to(11_000, u64::MAX).expect("progress");
        let second = seqs(log.update(&engine).fresh);
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
        // Every line made: replication too.
        log.set_show_replication(true, &engine);
        // One batch (its append, fetches, HW advance, acknowledgement) every 10 ms, the log
        // updated every second.
        for i in 1..=1_500u64 {
            produce(&mut engine, 1);
            engine.advance_to(i * 10, u64::MAX).expect("progress");
            if i % 100 != 0 {
                continue;
            }
            let next = engine.next_event_seq();
            let fresh = log.update(&engine).fresh;
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
        let fresh = seqs(log.update(&engine).fresh);
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
        let fresh = log.update(&engine).fresh;
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
        let lines = log.update(&engine).fresh;
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

    /// The default scenario's log, with replication shown, after `producer-1` sends one record.
    fn one_send(log: &mut EventLog) -> (Engine, Vec<LogLine>) {
        let mut engine = default_engine();
        log.set_show_replication(true, &engine);
        produce(&mut engine, 1);
        engine.advance_to(2_000, u64::MAX).expect("progress");
        let lines = log.update(&engine).fresh.into_iter().cloned().collect();
        (engine, lines)
    }

    #[test]
    fn replication_lines_say_why_the_high_watermark_moved_before_the_success() {
        let mut log = EventLog::new();
        let (_, lines) = one_send(&mut log);
        let at = |what: &str| lines.iter().position(|l| l.text.contains(what)).unwrap_or_else(|| panic!("{what}"));
        let appended = at("appended 1 record");
        let advanced = at("advanced the high watermark");
        let acked = at("acks=all success");
        assert!(appended < advanced && advanced < acked, "append, then HW advance, then the success");
        let fetches = lines[appended..advanced].iter().filter(|l| l.text.contains("fetched") && l.replication);
        assert!(fetches.count() >= 2, "both followers' fetches come between the append and the HW advance");
        // Hidden replication: the same events, none of their lines.
        let mut quiet = EventLog::new();
        let (engine, _) = one_send(&mut quiet);
        quiet.set_show_replication(false, &engine);
        assert!(quiet.shown().all(|l| !l.replication));
        assert!(quiet.shown().any(|l| l.text.contains("acks=all success")));
        // Turning it on again makes the lines from the events the engine keeps.
        quiet.set_show_replication(true, &engine);
        assert!(quiet.shown().any(|l| l.text.contains("advanced the high watermark")));
        assert!(quiet.show_replication());
    }

    #[test]
    fn only_small_clusters_show_replication_from_the_start() {
        let engine = default_engine();
        let view = engine.view(crate::engine::ViewOptions::default());
        assert!(replication_shown_by_default(&view), "the default scenario: 9 replicas");
        let large = crate::scenario::parse(include_str!("../../www/scenarios/large.json")).expect("large");
        let large = Engine::new(&large).expect("within the contract").view(crate::engine::ViewOptions::default());
        assert!(!replication_shown_by_default(&large), "the large scenario: thousands of replicas");
    }

    fn set_min_isr(engine: &mut Engine, n: u32) {
        let config = TopicConfig { min_insync_replicas: Some(n), ..TopicConfig::default() };
        engine.apply(Command::ChangeConfig(ChangeConfig::Topic { topic: "orders".into(), config })).expect("valid");
    }

    /// `orders` with min.insync.replicas 3 and broker 3 crashed: every acks=all send is refused
    /// with NOT_ENOUGH_REPLICAS once the ISR shrinks, and retried (kafka-model §5.4).
    fn retrying_engine() -> Engine {
        let mut engine = default_engine();
        set_min_isr(&mut engine, 3);
        engine.apply(Command::CrashBroker { broker: BrokerId(3) }).expect("valid");
        engine.advance_to(25_000, u64::MAX).expect("progress");
        engine
    }

    #[test]
    fn repeated_retries_of_one_send_fold_into_one_line_with_a_counter() {
        let mut engine = retrying_engine();
        let mut log = EventLog::new();
        log.update(&engine);
        let p = Produce { partition: Some(0), ..send(1) };
        engine.apply(Command::Produce(p)).expect("a valid produce");
        let mut removed = Vec::new();
        let mut retries_seen = 0;
        for t in (26_000..=40_000).step_by(500) {
            engine.advance_to(t, u64::MAX).expect("progress");
            let next = engine.next_event_seq();
            retries_seen =
                engine.events_since(0).filter(|e| matches!(e.kind, EventKind::ProduceRetried { .. })).count();
            let update = log.update(&engine);
            removed.extend(update.removed);
            assert!(next > 0);
        }
        assert!(retries_seen >= 5, "the send is retried again and again: {retries_seen}");
        let retry_lines: Vec<&LogLine> = log.shown().filter(|l| l.text.contains("NOT_ENOUGH_REPLICAS")).collect();
        assert_eq!(retry_lines.len(), 1, "one line for the send's retries");
        let line = retry_lines[0];
        assert_eq!(line.repeats as usize, retries_seen, "its counter counts them all");
        assert!(line.text.contains(&format!("(attempt {retries_seen})")), "it says the latest: {}", line.text);
        assert!(line.text.contains("ISR [1, 2] has 2 members < min.insync.replicas = 3"), "and why: {}", line.text);
        assert!(line.first_at_ms < line.at_ms);
        let label = line.repeats_label().expect("a counter");
        assert!(
            label.starts_with(&format!("{retries_seen} retries in a row with this error, the first at ")),
            "{label}"
        );
        assert_eq!(removed.len(), retries_seen - 1, "each fold takes the line it replaces out of the page");
        // Hiding routine lines hides retries too.
        log.set_hide_routine(true);
        assert!(log.shown().all(|l| !l.text.contains("NOT_ENOUGH_REPLICAS")));
    }

    #[test]
    fn another_event_of_the_send_ends_its_fold() {
        let mut engine = retrying_engine();
        let mut log = EventLog::new();
        engine.apply(Command::Produce(Produce { partition: Some(0), ..send(1) })).expect("valid");
        engine.advance_to(30_000, u64::MAX).expect("progress");
        // min.insync.replicas back to 2: the next retry succeeds.
        set_min_isr(&mut engine, 2);
        engine.advance_to(40_000, u64::MAX).expect("progress");
        // A second send to the same partition, retried again once min ISR is 3 again.
        set_min_isr(&mut engine, 3);
        engine.apply(Command::Produce(Produce { partition: Some(0), ..send(1) })).expect("valid");
        engine.advance_to(50_000, u64::MAX).expect("progress");
        log.update(&engine);
        let kinds: Vec<&str> = log
            .shown()
            .filter(|l| l.text.contains("producer producer-1") || l.text.contains("producer-1's"))
            .map(|l| if l.text.contains("NOT_ENOUGH_REPLICAS") { "retried" } else { "other" })
            .collect();
        assert!(kinds.contains(&"other"), "the first send's success: {kinds:?}");
        let retried = kinds.iter().filter(|k| **k == "retried").count();
        assert_eq!(retried, 2, "two folded lines, one per send, split by the success: {kinds:?}");
    }
}
