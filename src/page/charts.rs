//! The selected partition's small charts (issue 12), as plain data the page draws in SVG: each
//! replica's LEO and the HW, the ISR size against `min.insync.replicas`, produce latency and
//! errors, consumer lag, over the window ending at the time viewed. Integer geometry, polyline
//! points as text; the engine's [`Trace`] samples are the source (taken whenever one changed).

use super::spacetime::client_name;
use crate::engine::{Millis, Trace, TraceSample};

pub const CHART_W: i32 = 300;
pub const CHART_H: i32 = 90;
/// The plot's left edge (the y axis' labels sit left of it) and its top and bottom.
const LEFT: i32 = 34;
const TOP: i32 = 8;
const BOTTOM: i32 = CHART_H - 16;
/// Series per chart (replicas, consumers) drawn at most.
const SERIES_MAX: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    /// `ch-s0`…: the series' colour; `ch-hw` for the high watermark.
    pub class: String,
    pub label: String,
    /// SVG polyline points, `x,y x,y`.
    pub points: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    pub title: String,
    /// The values at the end of the window, as text (the chart's description).
    pub desc: String,
    pub y_max: u64,
    pub series: Vec<Series>,
    /// A horizontal line (`min.insync.replicas`): its y and label.
    pub threshold: Option<(i32, String)>,
    /// Single points (produce answers): x, y, class (`ch-ok`, `ch-err`).
    pub dots: Vec<(i32, i32, &'static str)>,
}

struct Scale {
    start: Millis,
    window_ms: Millis,
    y_max: u64,
}

impl Scale {
    fn x(&self, t: Millis) -> i32 {
        let w = (CHART_W - LEFT - 4) as u64;
        LEFT + (t.saturating_sub(self.start).min(self.window_ms) * w / self.window_ms.max(1)) as i32
    }
    fn y(&self, v: u64) -> i32 {
        BOTTOM - (v.min(self.y_max) * (BOTTOM - TOP) as u64 / self.y_max.max(1)) as i32
    }
}

/// The samples that cover `[start, now_ms]`: the last one at or before `start`, then the rest.
fn covering(trace: &Trace, start: Millis, now_ms: Millis) -> Vec<&TraceSample> {
    let first = trace.samples.iter().rposition(|s| s.at_ms <= start).unwrap_or(0);
    trace.samples.iter().skip(first).take_while(|s| s.at_ms <= now_ms).collect()
}

/// A step line of `value` over the samples, held to `now_ms` (`&dyn`: one copy in the wasm).
fn steps(
    samples: &[&TraceSample],
    scale: &Scale,
    now_ms: Millis,
    value: &dyn Fn(&TraceSample) -> Option<u64>,
) -> String {
    let mut points = String::new();
    let mut last: Option<i32> = None;
    for s in samples {
        let Some(v) = value(s) else { continue };
        let (x, y) = (scale.x(s.at_ms), scale.y(v));
        if let Some(prev) = last {
            points.push_str(&format!("{x},{prev} "));
        }
        points.push_str(&format!("{x},{y} "));
        last = Some(y);
    }
    if let Some(y) = last {
        points.push_str(&format!("{},{y}", scale.x(now_ms)));
    }
    points
}

/// The four charts of `trace` for the window of `window_ms` ending at `now_ms`; `consumers` names
/// the lag series.
pub fn charts(trace: &Trace, view: &crate::engine::ClusterView, now_ms: Millis, window_ms: Millis) -> Vec<Chart> {
    let start = now_ms.saturating_sub(window_ms);
    let samples = covering(trace, start, now_ms);
    let last = samples.last().copied();
    let mut out = Vec::with_capacity(4);

    // LEO of each replica and the HW.
    let leo_max = samples.iter().flat_map(|s| s.log_end_offsets.iter().map(|(_, o)| *o)).max().unwrap_or(0);
    let scale = Scale { start, window_ms, y_max: leo_max.max(1) };
    let brokers: Vec<_> = last.map_or(Vec::new(), |s| s.log_end_offsets.iter().map(|(b, _)| *b).collect());
    let mut series: Vec<Series> = brokers
        .iter()
        .take(SERIES_MAX)
        .enumerate()
        .map(|(i, b)| Series {
            class: format!("ch-s{i}"),
            label: format!("LEO broker {b}"),
            points: steps(&samples, &scale, now_ms, &|s: &TraceSample| {
                s.log_end_offsets.iter().find(|(x, _)| x == b).map(|(_, o)| *o)
            }),
        })
        .collect();
    series.push(Series {
        class: "ch-hw".into(),
        label: "HW".into(),
        points: steps(&samples, &scale, now_ms, &|s: &TraceSample| Some(s.high_watermark)),
    });
    let leos: Vec<String> =
        last.map_or(Vec::new(), |s| s.log_end_offsets.iter().map(|(b, o)| format!("broker {b} {o}")).collect());
    out.push(Chart {
        title: "LEO per replica and HW".into(),
        desc: format!("HW {}; LEO {}", last.map_or(0, |s| s.high_watermark), leos.join(", ")),
        y_max: scale.y_max,
        series,
        threshold: None,
        dots: Vec::new(),
    });

    // ISR size against min.insync.replicas.
    let replicas = last.map_or(1, |s| s.log_end_offsets.len() as u64).max(1);
    let scale = Scale { start, window_ms, y_max: replicas };
    let min_isr = last.map_or(0, |s| s.min_insync_replicas as u64);
    out.push(Chart {
        title: "ISR size".into(),
        desc: format!("ISR size {}, min.insync.replicas {min_isr}", last.map_or(0, |s| s.isr_size)),
        y_max: replicas,
        series: vec![Series {
            class: "ch-s0".into(),
            label: "ISR size".into(),
            points: steps(&samples, &scale, now_ms, &|s: &TraceSample| Some(s.isr_size as u64)),
        }],
        threshold: Some((scale.y(min_isr), format!("min.insync.replicas {min_isr}"))),
        dots: Vec::new(),
    });

    // Produce latency and errors.
    let answers: Vec<_> = trace.produces.iter().filter(|o| o.at_ms >= start && o.at_ms <= now_ms).collect();
    let slowest = answers.iter().filter_map(|o| o.latency_ms).max().unwrap_or(0);
    let scale = Scale { start, window_ms, y_max: slowest.max(1) };
    let errors = answers.iter().filter(|o| o.error.is_some()).count();
    let dots = answers
        .iter()
        .map(|o| {
            let y = o.latency_ms.map_or(TOP, |l| scale.y(l));
            (scale.x(o.at_ms), y, if o.error.is_some() { "ch-err" } else { "ch-ok" })
        })
        .collect();
    let newest = answers.last().map_or(String::new(), |o| match (o.error, o.latency_ms) {
        (Some(e), _) => format!("; the last failed: {}", e.name()),
        (None, Some(l)) => format!("; the last took {l} ms"),
        (None, None) => String::new(),
    });
    out.push(Chart {
        title: "Produce latency".into(),
        desc: format!("{} answers, {errors} errors, slowest {slowest} ms{newest}", answers.len()),
        y_max: scale.y_max,
        series: Vec::new(),
        threshold: None,
        dots,
    });

    // Consumer lag.
    let lag_max = samples.iter().flat_map(|s| s.lag.iter().map(|(_, l)| *l)).max().unwrap_or(0);
    let scale = Scale { start, window_ms, y_max: lag_max.max(1) };
    let consumers: Vec<_> = last.map_or(Vec::new(), |s| s.lag.iter().map(|(c, _)| *c).collect());
    let series: Vec<Series> = consumers
        .iter()
        .take(SERIES_MAX)
        .enumerate()
        .map(|(i, c)| Series {
            class: format!("ch-s{i}"),
            label: format!("lag {}", client_name(view, *c)),
            points: steps(&samples, &scale, now_ms, &|s: &TraceSample| {
                s.lag.iter().find(|(x, _)| x == c).map(|(_, l)| *l)
            }),
        })
        .collect();
    let lags: Vec<String> =
        last.map_or(Vec::new(), |s| s.lag.iter().map(|(c, l)| format!("{} {l}", client_name(view, *c))).collect());
    out.push(Chart {
        title: "Consumer lag".into(),
        desc: if lags.is_empty() {
            "no consumer reads this partition".into()
        } else {
            format!("lag {}", lags.join(", "))
        },
        y_max: scale.y_max,
        series,
        threshold: None,
        dots: Vec::new(),
    });
    out
}
