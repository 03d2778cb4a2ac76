//! The selected partition's space-time view and charts, drawn from `page::spacetime` and
//! `page::charts` (which hold every rule and word): a card with the kind checkboxes and the
//! window, the SVG (title, desc, lanes, epoch bands, arrows, truncation marks), the line of the
//! arrow under the pointer or focus, the newest lines as a list, and four small SVG charts.

use super::dom::{el, svg, svg as svg_el, Build};
use crate::engine::{ClusterView, Millis, Trace, TraceKind};
use crate::page::charts::{charts, Chart, CHART_H, CHART_W};
use crate::page::spacetime::{kind_label, space_time, KindFilter, SpaceTime, PLOT_X, WIDTH, WINDOWS_MS};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

pub struct SpaceTimeUi {
    hint: Element,
    body: Element,
    checks: Vec<HtmlInputElement>,
    window: HtmlSelectElement,
    pub svg: Element,
    title: Element,
    desc: Element,
    /// What is redrawn: lanes, bands, arrows, marks.
    layer: Element,
    explain: Element,
    lines: Element,
    charts: Element,
    /// What is drawn, and what it was drawn from (nothing is redrawn while that stays the same:
    /// the trace only grows, so its lengths, the time and the choices say it).
    drawn: Option<(SpaceTime, Sig)>,
}

type Sig = (Millis, Millis, KindFilter, [usize; 5]);

/// An SVG element of `class` with integer attributes and an optional text, added to `parent`
/// (one function for every shape drawn: small code in the wasm).
#[inline(never)]
fn shape(parent: &Element, tag: &str, class: &str, nums: &[(&str, i32)], text: Option<&str>) -> Element {
    let e = svg(tag);
    if !class.is_empty() {
        let _ = e.set_attribute("class", class);
    }
    for (name, v) in nums {
        let _ = e.set_attribute(name, &v.to_string());
    }
    if text.is_some() {
        e.set_text_content(text);
    }
    let _ = parent.append_child(&e);
    e
}

impl SpaceTimeUi {
    pub fn new(parent: &Element) -> SpaceTimeUi {
        let card = el("section").with("class", "card spacetime").with("aria-label", "Messages").into_parent(parent);
        el("h2").text("Messages of the selected partition").into_parent(&card);
        let hint = el("p")
            .with("class", "hint")
            .text("Select a partition or a replica to see its messages in time: why its high watermark moves.")
            .into_parent(&card);
        let body = el("div").with("hidden", "").into_parent(&card);
        let head = el("div").with("class", "st-checks").into_parent(&body);
        let checks = TraceKind::ALL
            .iter()
            .map(|k| {
                let (text, class) = kind_label(*k);
                let label = el("label").with("class", "check").into_parent(&head);
                let input = el("input").with("type", "checkbox").with("checked", "").with("data-kind", text);
                let input: HtmlInputElement = input.into_parent(&label).unchecked_into();
                el("span").with("class", &format!("st-key {class}")).into_parent(&label);
                el("span").text(text).into_parent(&label);
                input
            })
            .collect();
        let label = el("label").with("class", "check").text("window ").into_parent(&head);
        let window: HtmlSelectElement = el("select").with("id", "st-window").into_parent(&label).unchecked_into();
        for ms in WINDOWS_MS {
            let _ = window.append_child(&el("option").with("value", &ms.to_string()).text(&format!("{ms} ms")));
        }
        window.set_value("100");
        let svg = svg("svg").with("class", "st").with("role", "img").into_parent(&body);
        let title = svg_el("title").into_parent(&svg);
        let desc = svg_el("desc").into_parent(&svg);
        // The arrowheads' marker, drawn once (the arrows are redrawn in `layer`).
        let marker = svg_el("marker")
            .with("id", "st-head")
            .with("viewBox", "0 0 6 6")
            .with("refX", "6")
            .with("refY", "3")
            .with("markerWidth", "6")
            .with("markerHeight", "6")
            .with("orient", "auto")
            .into_parent(&svg_el("defs").into_parent(&svg));
        svg_el("path").with("d", "M0,0 L6,3 L0,6 z").with("class", "st-head").into_parent(&marker);
        let layer = svg_el("g").into_parent(&svg);
        let explain = el("p").with("class", "st-explain").into_parent(&body);
        let lines =
            el("ol").with("class", "st-lines").with("aria-label", "Newest messages, newest first").into_parent(&body);
        let charts = el("div").with("class", "st-charts").into_parent(&body);
        SpaceTimeUi { hint, body, checks, window, svg, title, desc, layer, explain, lines, charts, drawn: None }
    }

    fn filter(&self) -> KindFilter {
        let mut f = KindFilter::default();
        for (i, c) in self.checks.iter().enumerate() {
            f.0[i] = c.checked();
        }
        f
    }

    pub fn window_ms(&self) -> Millis {
        WINDOWS_MS.into_iter().find(|w| w.to_string() == self.window.value()).unwrap_or(WINDOWS_MS[0])
    }

    /// Draws the trace (none: the hint) for the window ending at `now_ms`.
    pub fn update(&mut self, trace: Option<&Trace>, view: &ClusterView, now_ms: Millis) {
        let Some(trace) = trace else {
            let _ = self.hint.remove_attribute("hidden");
            let _ = self.body.set_attribute("hidden", "");
            self.drawn = None;
            return;
        };
        let _ = self.body.remove_attribute("hidden");
        let _ = self.hint.set_attribute("hidden", "");
        let (window_ms, filter) = (self.window_ms(), self.filter());
        let lens = [
            trace.partition.0 as usize,
            trace.arrows.len(),
            trace.samples.len(),
            trace.produces.len(),
            trace.truncations.len(),
        ];
        let sig = (now_ms, window_ms, filter, lens);
        if self.drawn.as_ref().is_some_and(|(_, s)| *s == sig) {
            return;
        }
        let st = space_time(trace, view, now_ms, window_ms, filter);
        self.draw(&st);
        self.draw_charts(&charts(trace, view, now_ms, window_ms));
        self.drawn = Some((st, sig));
    }

    fn draw(&self, st: &SpaceTime) {
        let _ = self.svg.set_attribute("viewBox", &format!("0 0 {WIDTH} {}", st.height));
        self.title.set_text_content(Some(&st.title));
        self.desc.set_text_content(Some(&st.desc));
        let s = &self.layer;
        s.set_text_content(None);
        for b in &st.bands {
            let g = shape(s, "g", b.class, &[], None);
            shape(&g, "rect", "", &[("x", b.x), ("y", 0), ("width", b.width), ("height", st.height - 18)], None);
            shape(&g, "text", "st-band-label", &[("x", b.x + 3), ("y", 10)], Some(&b.label));
        }
        for l in &st.lanes {
            let ends = [("x1", PLOT_X), ("x2", WIDTH), ("y1", l.y), ("y2", l.y)];
            shape(s, "line", "st-lane", &ends, None);
            shape(s, "text", "st-lane-label", &[("x", 4), ("y", l.y + 4)], Some(&l.label));
        }
        for (x, label) in &st.ticks {
            shape(s, "text", "st-tick", &[("x", *x), ("y", st.height - 4)], Some(label));
        }
        for (i, a) in st.arrows.iter().enumerate() {
            let ends = [("x1", a.x1), ("y1", a.y1), ("x2", a.x2), ("y2", a.y2), ("data-i", i as i32)];
            let _ = shape(s, "line", &a.class, &ends, None).set_attribute("marker-end", "url(#st-head)");
        }
        for (i, m) in st.marks.iter().enumerate() {
            let cross = shape(s, "path", "st-trunc", &[("data-m", i as i32)], None);
            let _ = cross.set_attribute("d", &format!("M{},{} l8,8 m0,-8 l-8,8", m.x - 4, m.y - 4));
        }
        self.lines.set_text_content(None);
        for l in &st.lines {
            el("li").text(l).into_parent(&self.lines);
        }
    }

    fn draw_charts(&self, charts: &[Chart]) {
        self.charts.set_text_content(None);
        let base = CHART_H - 16;
        for c in charts {
            let fig = el("figure").with("class", "chart").into_parent(&self.charts);
            let s =
                svg("svg").with("viewBox", &format!("0 0 {CHART_W} {CHART_H}")).with("role", "img").into_parent(&fig);
            svg("title").text(&c.title).into_parent(&s);
            svg("desc").text(&c.desc).into_parent(&s);
            shape(&s, "text", "st-tick", &[("x", 2), ("y", 12)], Some(&c.y_max.to_string()));
            shape(&s, "text", "st-tick", &[("x", 2), ("y", base)], Some("0"));
            shape(&s, "line", "st-lane", &[("x1", 34), ("x2", CHART_W), ("y1", base), ("y2", base)], None);
            if let Some((y, _)) = &c.threshold {
                shape(&s, "line", "ch-min", &[("x1", 34), ("x2", CHART_W), ("y1", *y), ("y2", *y)], None);
            }
            for series in &c.series {
                let _ = shape(&s, "polyline", &series.class, &[], None).set_attribute("points", &series.points);
            }
            for (x, y, class) in &c.dots {
                shape(&s, "circle", class, &[("cx", *x), ("cy", *y), ("r", 2)], None);
            }
            let cap = el("figcaption").into_parent(&fig);
            el("strong").text(&c.title).into_parent(&cap);
            el("span").text(&format!(": {}", c.desc)).into_parent(&cap);
        }
    }

    /// The line of the arrow or mark `target` is (or nothing).
    pub fn point_at(&self, target: &Element) {
        let Some((st, _)) = &self.drawn else { return };
        let arrow = target.get_attribute("data-i").and_then(|i| i.parse::<usize>().ok()).and_then(|i| st.arrows.get(i));
        let mark = target.get_attribute("data-m").and_then(|i| i.parse::<usize>().ok()).and_then(|i| st.marks.get(i));
        if let Some(text) = arrow.map(|a| &a.explain).or(mark.map(|m| &m.explain)) {
            self.explain.set_text_content(Some(text));
        }
    }

    /// The checkboxes and the window's select (a change redraws).
    pub fn inputs(&self) -> Vec<Element> {
        let mut all: Vec<Element> = self.checks.iter().map(|c| c.clone().unchecked_into()).collect();
        all.push(self.window.clone().unchecked_into());
        all
    }
}
