//! The space-time view of the selected partition (issue 12, "Seeing the protocol"), as plain data
//! the page draws: one lane per node (the controller, each broker, each producer and consumer),
//! each traced message an arrow from its send to its delivery, a background band per leader epoch,
//! truncations marked, and each arrow's one line in Kafka's words. Integer geometry only (no float
//! formatting in the wasm); the engine's [`Trace`] is the source.

use crate::engine::{
    ClientIdx, ClusterView, FetchAnswer, Millis, NodeId, Trace, TraceArrow, TraceKind, TraceMessage, TraceSample,
};

/// The drawing's width in its own units (the page scales it to the column).
pub const WIDTH: i32 = 640;
/// Where the time axis starts (the lane names sit left of it).
pub const PLOT_X: i32 = 92;
const LANE_H: i32 = 22;
const TOP: i32 = 14;
const AXIS_H: i32 = 18;
/// Arrows drawn at most (the newest in the window), and lines listed below the drawing.
pub const ARROWS_DRAWN_MAX: usize = 400;
pub const LINES_LISTED: usize = 8;
/// The windows the page offers, in simulated ms.
pub const WINDOWS_MS: [Millis; 3] = [100, 1_000, 10_000];

/// Which kinds of message are shown ([`TraceKind::ALL`]'s order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindFilter(pub [bool; 5]);

impl Default for KindFilter {
    fn default() -> Self {
        KindFilter([true; 5])
    }
}

impl KindFilter {
    pub fn shows(&self, kind: TraceKind) -> bool {
        self.0[kind as usize]
    }
}

/// A kind's checkbox label and its arrows' class.
pub fn kind_label(kind: TraceKind) -> (&'static str, &'static str) {
    match kind {
        TraceKind::Produce => ("produce", "st-produce"),
        TraceKind::FollowerFetch => ("follower fetch", "st-fetch"),
        TraceKind::AlterPartition => ("AlterPartition", "st-alter"),
        TraceKind::Metadata => ("metadata", "st-meta"),
        TraceKind::ConsumerFetch => ("consumer fetch", "st-consume"),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    pub y: i32,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Band {
    pub x: i32,
    pub width: i32,
    /// `st-band-a` / `st-band-b`, alternating epoch by epoch.
    pub class: &'static str,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrow {
    pub x1: i32,
    pub y1: i32,
    pub x2: i32,
    pub y2: i32,
    /// The kind's class, with ` st-lost` for a message the network or a dead process swallowed.
    pub class: String,
    pub explain: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub x: i32,
    pub y: i32,
    pub explain: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceTime {
    pub title: String,
    pub desc: String,
    pub height: i32,
    pub lanes: Vec<Lane>,
    pub bands: Vec<Band>,
    pub arrows: Vec<Arrow>,
    pub marks: Vec<Mark>,
    /// x and label of the time axis' ticks.
    pub ticks: Vec<(i32, String)>,
    /// The newest lines (arrows and marks), newest first: the drawing as text.
    pub lines: Vec<String>,
}

/// `t` on the x axis of the window `[start, start + window_ms]`.
pub fn x_of(t: Millis, start: Millis, window_ms: Millis) -> i32 {
    let w = (WIDTH - PLOT_X - 4) as u64;
    PLOT_X + (t.saturating_sub(start).min(window_ms) * w / window_ms.max(1)) as i32
}

/// Names of the nodes of `view`, in lane order: the controller, brokers, producers, consumers.
fn lanes_of(view: &ClusterView) -> Vec<(NodeId, String)> {
    let mut lanes = vec![(NodeId::Controller, "controller".to_string())];
    lanes.extend(view.brokers.iter().map(|b| (NodeId::Broker(b.id), format!("broker {}", b.id))));
    lanes.extend(view.producers.iter().map(|p| (NodeId::Producer(p.idx), p.name.clone())));
    lanes.extend(view.consumers.iter().map(|c| (NodeId::Consumer(c.idx), c.name.clone())));
    lanes
}

/// The space-time view of `trace` for the window of `window_ms` ending at `now_ms`.
pub fn space_time(
    trace: &Trace,
    view: &ClusterView,
    now_ms: Millis,
    window_ms: Millis,
    filter: KindFilter,
) -> SpaceTime {
    let start = now_ms.saturating_sub(window_ms);
    let names = lanes_of(view);
    let lane_y = |n: NodeId| -> i32 {
        // A voter of a quorum is drawn on the controller's lane.
        let n = if let NodeId::ControllerNode(_) = n { NodeId::Controller } else { n };
        let i = names.iter().position(|(m, _)| *m == n).unwrap_or(0);
        TOP + i as i32 * LANE_H
    };
    let lanes: Vec<Lane> = names.iter().map(|(n, label)| Lane { y: lane_y(*n), label: label.clone() }).collect();
    let name =
        |n: NodeId| names.iter().find(|(m, _)| *m == n).map_or_else(|| "the controller".into(), |(_, s)| s.clone());
    let partition = view.partitions.get(trace.partition.0 as usize).map_or(String::new(), |p| p.name.clone());
    let plot_bottom = TOP + names.len() as i32 * LANE_H - LANE_H / 2;

    let in_window = |a: &&TraceArrow| a.delivered_ms >= start && a.sent_ms <= now_ms && filter.shows(a.message.kind());
    let shown: Vec<&TraceArrow> = trace.arrows.iter().filter(in_window).collect();
    let skip = shown.len().saturating_sub(ARROWS_DRAWN_MAX);
    let arrows: Vec<Arrow> = shown[skip..]
        .iter()
        .map(|a| Arrow {
            x1: x_of(a.sent_ms, start, window_ms),
            y1: lane_y(a.from),
            x2: x_of(a.delivered_ms, start, window_ms),
            y2: lane_y(a.to),
            class: format!("{}{}", kind_label(a.message.kind()).1, if a.lost { " st-lost" } else { "" }),
            explain: explain(a, &name, &partition),
        })
        .collect();
    let truncations = trace.truncations.iter().filter(|t| t.at_ms >= start && t.at_ms <= now_ms);
    let marks: Vec<(Millis, Mark)> = truncations
        .map(|t| {
            let explain =
                format!("{} ms: broker {} truncated {partition} from {} to {}", t.at_ms, t.broker, t.from, t.to);
            (t.at_ms, Mark { x: x_of(t.at_ms, start, window_ms), y: lane_y(NodeId::Broker(t.broker)), explain })
        })
        .collect();
    let bands = bands(trace, start, now_ms, window_ms);
    let mut lines: Vec<(Millis, String)> = shown
        .iter()
        .rev()
        .take(LINES_LISTED)
        .map(|a| (a.delivered_ms, format!("{} ms: {}", a.delivered_ms, explain(a, &name, &partition))))
        .collect();
    lines.extend(marks.iter().map(|(t, m)| (*t, m.explain.clone())));
    // Newest first; a mark goes before the arrows of its millisecond (stable, with `insert`).
    let mut ordered: Vec<(Millis, String)> = Vec::with_capacity(lines.len());
    for line in lines {
        let at = ordered.iter().position(|(t, _)| *t < line.0).unwrap_or(ordered.len());
        ordered.insert(at, line);
    }
    ordered.truncate(LINES_LISTED);
    let ticks = (0..4u64)
        .map(|i| (x_of(start + window_ms * i / 4, start, window_ms), format!("{} ms", start + window_ms * i / 4)));
    SpaceTime {
        title: format!("Messages of {partition} from {start} ms to {now_ms} ms"),
        desc: format!(
            "{} messages in the window ({} drawn), {} leader epoch(s), {} truncation(s); one lane per node, time left to right",
            shown.len(),
            arrows.len(),
            bands.len(),
            marks.len()
        ),
        height: plot_bottom + AXIS_H,
        lanes,
        bands,
        arrows,
        marks: marks.into_iter().map(|(_, m)| m).collect(),
        ticks: ticks.collect(),
        lines: ordered.into_iter().map(|(_, l)| l).collect(),
    }
}

/// A band per leader epoch over the window, from the samples (the last one before the window
/// gives its first epoch).
fn bands(trace: &Trace, start: Millis, now_ms: Millis, window_ms: Millis) -> Vec<Band> {
    let first = trace.samples.iter().rposition(|s| s.at_ms <= start).unwrap_or(0);
    let mut spans: Vec<(Millis, &TraceSample)> = Vec::new();
    for s in trace.samples.iter().skip(first).take_while(|s| s.at_ms <= now_ms) {
        if spans.last().is_none_or(|(_, last)| (last.leader_epoch, last.leader) != (s.leader_epoch, s.leader)) {
            spans.push((s.at_ms.max(start), s));
        }
    }
    let ends: Vec<Millis> = spans.iter().skip(1).map(|(t, _)| *t).chain([now_ms]).collect();
    spans
        .iter()
        .zip(ends)
        .take(64)
        .map(|((from, s), to)| {
            let x = x_of(*from, start, window_ms);
            let leader = s.leader.map_or("no leader".to_string(), |b| format!("leader {b}"));
            Band {
                x,
                width: (x_of(to, start, window_ms) - x).max(1),
                class: if s.leader_epoch % 2 == 0 { "st-band-a" } else { "st-band-b" },
                label: format!("epoch {}, {leader}", s.leader_epoch),
            }
        })
        .collect()
}

fn list(brokers: &[crate::engine::BrokerId]) -> String {
    let parts: Vec<String> = brokers.iter().map(|b| b.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// One arrow's line in Kafka's words, claiming only what the trace holds.
pub fn explain(a: &TraceArrow, name: &dyn Fn(NodeId) -> String, partition: &str) -> String {
    let (from, to) = (name(a.from), name(a.to));
    let lost = if a.lost { " (lost: link cut or process down)" } else { "" };
    let text = match &a.message {
        TraceMessage::Produce { acks, records } => {
            format!(
                "{from} sends a Produce request to {to}: {records} record(s) for {partition}, acks={}",
                acks.as_str()
            )
        }
        TraceMessage::ProduceResponse { result, latency_ms } => {
            let after = latency_ms.map_or(String::new(), |l| format!(", {l} ms after the request"));
            match result {
                Ok(base) => format!("{from} answers {to}: appended at offset {base}{after}"),
                Err(e) => format!("{from} answers {to}: {}{after}", e.name()),
            }
        }
        TraceMessage::Fetch { follower: true, fetch_offset } => {
            let hw = match (a.high_watermark_before, a.high_watermark_after) {
                (b, a) if a > b => format!("; the leader's HW becomes {a} (min LEO of the ISR)"),
                (_, a) => format!("; the HW stays {a}"),
            };
            format!("Follower fetch from {from} at offset {fetch_offset} (its LEO){hw}")
        }
        TraceMessage::Fetch { follower: false, fetch_offset } => {
            format!("{from} fetches {partition} from {to} at offset {fetch_offset} (a consumer reads below the HW)")
        }
        TraceMessage::FetchResponse { answer, .. } => fetch_answer(&from, &to, answer),
        TraceMessage::AlterPartition { leader_epoch, isr } => format!(
            "Leader {from} sends AlterPartition for {partition}: ISR {} at leader epoch {leader_epoch}",
            list(isr)
        ),
        TraceMessage::AlterPartitionResponse { result: Ok(isr) } => {
            format!("The controller answers {to}: ISR {} committed", list(isr))
        }
        TraceMessage::AlterPartitionResponse { result: Err(e) } => {
            format!("The controller refuses {to}'s AlterPartition: {}", e.name())
        }
        TraceMessage::Metadata { leader, leader_epoch, isr } => {
            let leader = leader.map_or("no leader".to_string(), |b| format!("leader {b}"));
            format!("A partition change record reaches {to}: {leader}, leader epoch {leader_epoch}, ISR {}", list(isr))
        }
    };
    text + lost
}

fn fetch_answer(from: &str, to: &str, answer: &FetchAnswer) -> String {
    match answer {
        FetchAnswer::Records { records: 0, high_watermark, .. } => {
            format!("{from} answers {to}: nothing new, high watermark {high_watermark}")
        }
        FetchAnswer::Records { base, records, high_watermark } => format!(
            "{from} returns {records} record(s) from offset {base} to {to}, with high watermark {high_watermark}"
        ),
        FetchAnswer::Diverging { end_offset } => {
            format!(
                "{from} answers {to} with divergingEpoch: their logs differ from offset {end_offset}; truncate to it"
            )
        }
        FetchAnswer::Redirect(b) => format!("{from} tells {to} to fetch from broker {b} (preferred read replica)"),
        FetchAnswer::OutOfRange { log_start, log_end } => {
            format!("{from} answers {to}: OFFSET_OUT_OF_RANGE (its log holds {log_start} to {log_end})")
        }
        FetchAnswer::Error(e) => format!("{from} answers {to}: {}", e.name()),
    }
}

/// The partition the selection names (a partition, or one of its replicas): the one to trace.
pub fn traced_partition(view: &ClusterView, selection: &super::Selection) -> Option<crate::engine::PartitionIdx> {
    let name = match selection {
        super::Selection::Partition(name) | super::Selection::Replica(_, name) => name,
        _ => return None,
    };
    view.partitions.iter().find(|p| p.name == *name).map(|p| p.idx)
}

/// A client's lane name (for the charts' legends).
pub fn client_name(view: &ClusterView, c: ClientIdx) -> String {
    view.consumers.iter().find(|x| x.idx == c).map_or(String::new(), |x| x.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Command, Engine, PartitionIdx, Produce, ViewOptions};
    use crate::page::charts::charts;
    use crate::page::Selection;

    fn produce(e: &mut Engine, count: u32) {
        let p = Produce {
            producer: "producer-1".into(),
            topic: "orders".into(),
            key: None,
            value: "v".into(),
            count,
            partition: Some(0),
        };
        e.apply(Command::Produce(p)).expect("a valid produce");
    }

    /// The default scenario with orders-0 traced, 5 records produced with acks=all at 1 s.
    fn traced() -> Engine {
        let mut e = crate::page::tests::default_engine();
        e.advance_to(1_000, u64::MAX).expect("runs");
        e.set_trace(Some(PartitionIdx(0)));
        produce(&mut e, 5);
        e.advance_to(1_100, u64::MAX).expect("runs");
        e
    }

    #[test]
    fn an_acks_all_produce_draws_its_arrows_and_says_why_the_hw_moved() {
        let e = traced();
        let view = e.view(ViewOptions::default());
        let st = space_time(e.trace().expect("on"), &view, 1_100, 1_000, KindFilter::default());
        let lanes: Vec<&str> = st.lanes.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(lanes, ["controller", "broker 1", "broker 2", "broker 3", "producer-1", "consumer-1"]);
        assert!(st.arrows.iter().any(|a| a.class == "st-produce" && a.y1 == st.lanes[4].y && a.y2 == st.lanes[1].y));
        let why = st.arrows.iter().filter(|a| a.explain.contains("the leader's HW becomes 5 (min LEO of the ISR)"));
        assert_eq!(why.count(), 1, "the one follower fetch that completed the ISR's LEOs moved the HW");
        let answer = st.arrows.iter().find(|a| a.class == "st-produce" && a.y1 == st.lanes[1].y).expect("the answer");
        assert!(
            answer.explain.starts_with("broker 1 answers producer-1: appended at offset 0, "),
            "{}",
            answer.explain
        );
        for a in &st.arrows {
            assert!((PLOT_X..=WIDTH).contains(&a.x1) && a.x1 <= a.x2, "{a:?}");
        }
        assert_eq!(st.title, "Messages of orders-0 from 100 ms to 1100 ms");
        assert!(!st.lines.is_empty() && st.lines.len() <= LINES_LISTED);
        assert_eq!(st.bands.len(), 1);
        assert_eq!(st.bands[0].label, "epoch 0, leader 1");
    }

    #[test]
    fn a_partition_or_one_of_its_replicas_is_traced() {
        let view = crate::page::tests::default_engine().view(ViewOptions::default());
        let traced = |s: Selection| traced_partition(&view, &s);
        assert_eq!(traced(Selection::Partition("orders-2".into())), Some(PartitionIdx(2)));
        assert_eq!(traced(Selection::Replica(3, "orders-1".into())), Some(PartitionIdx(1)));
        assert_eq!(traced(Selection::Broker(1)), None);
        assert_eq!(traced(Selection::Partition("nope-0".into())), None);
    }

    #[test]
    fn the_filter_hides_a_kind() {
        let e = traced();
        let view = e.view(ViewOptions::default());
        let mut filter = KindFilter::default();
        filter.0[TraceKind::FollowerFetch as usize] = false;
        let st = space_time(e.trace().expect("on"), &view, 1_100, 1_000, filter);
        assert!(st.arrows.iter().all(|a| !a.class.starts_with("st-fetch")));
        assert!(st.arrows.iter().any(|a| a.class == "st-produce"));
    }

    // kafka-model §4.3: the leader's crash starts a new epoch: a second band, its push to the brokers.
    #[test]
    fn a_new_leader_starts_a_new_band() {
        let mut e = traced();
        e.apply(Command::CrashBroker { broker: crate::engine::BrokerId(1) }).expect("broker 1 runs");
        e.advance_to(12_000, u64::MAX).expect("runs");
        let view = e.view(ViewOptions::default());
        let st = space_time(e.trace().expect("on"), &view, 12_000, 10_000, KindFilter::default());
        let labels: Vec<&str> = st.bands.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels.len(), 2, "{labels:?}");
        assert!(labels[1].starts_with("epoch 1, leader "), "{labels:?}");
        assert!(st.arrows.iter().any(|a| a.class == "st-meta" && a.explain.contains("leader epoch 1")));
    }

    #[test]
    fn the_charts_follow_the_hw_the_isr_and_the_produce_answers() {
        let e = traced();
        let view = e.view(ViewOptions::default());
        let c = charts(e.trace().expect("on"), &view, 1_100, 1_000);
        let titles: Vec<&str> = c.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["LEO per replica and HW", "ISR size", "Produce latency", "Consumer lag"]);
        assert_eq!(c[0].desc, "HW 5; LEO broker 1 5, broker 2 5, broker 3 5");
        assert_eq!(c[0].series.len(), 4);
        assert!(
            c[0].series[3].points.ends_with(&format!("{},8", crate::page::charts::CHART_W - 4)),
            "{}",
            c[0].series[3].points
        );
        assert_eq!(c[1].desc, "ISR size 3, min.insync.replicas 2");
        assert_eq!(c[2].dots.len(), 1);
        assert_eq!(c[2].dots[0].2, "ch-ok");
        assert!(c[3].desc.starts_with("lag consumer-1 "), "{}", c[3].desc);
    }
}
