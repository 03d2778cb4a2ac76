//! Rendering: one engine view per call, drawn into the diagram, the clock, the topic choices, the
//! event log, the panels and the open broker menu. Each part touches only what changed.

use super::shell::set_options;
use super::App;
use crate::engine::{ClusterView, ProcessState, Severity, ViewOptions};
use crate::layout::shape_of;
use crate::layout::{layout, Detail};
use crate::page::event_log::LOG_SHOWN;
use crate::page::LogLine;
use crate::web::dom::{self, el, Build};
use wasm_bindgen::JsValue;
use web_sys::Element;

/// The diagram's shape and width the layout was made for (counts of brokers, partitions, producers
/// and consumers, the replica assignment, the width): a new one relayouts.
pub(super) type LayoutSig = ((usize, usize, usize, usize), u64, i64);

/// A partition choice is offered for topics of at most this many partitions (beyond, only "auto").
const PARTITION_CHOICES_MAX: usize = 64;

impl App {
    /// The view's detail: less of it at the summary scale (1,000 partitions).
    fn view_options(&self) -> ViewOptions {
        match self.diagram.layout.as_ref().map(|l| l.detail) {
            Some(Detail::Summary) => {
                ViewOptions { log_tail: 0, full_logs: false, in_flight_max: 64, client_history: 16 }
            }
            _ => ViewOptions { log_tail: 16, full_logs: false, in_flight_max: 256, client_history: 32 },
        }
    }

    pub(super) fn diagram_width(&self) -> f64 {
        let w = self.ui.diagram_wrap.client_width() as f64;
        if w < 50.0 {
            1000.0
        } else {
            // Whole multiples of 4 px, so a scrollbar flicker does not relayout.
            (w / 4.0).floor() * 4.0
        }
    }

    /// Draws the current state.
    pub fn render(&mut self) {
        let width = self.diagram_width();
        let view = self.viewed_engine().view(self.view_options());
        self.relayout(&view, width);
        let display_ms = self.clock.display_ms(view.now_ms);
        self.diagram.update(&view, display_ms, &self.selection);
        self.engine.set_trace(crate::page::spacetime::traced_partition(&view, &self.selection));
        self.spacetime.update(self.engine.trace(), &view, view.now_ms);
        self.update_time(view.now_ms, display_ms);
        self.update_topics(&view);
        self.update_log();
        if let Some(said) = self.announcer.update(&self.engine) {
            self.ui.announce.set_text_content(Some(&said));
        }
        let log_tail_shown = self.view_options().log_tail > 0;
        self.details.update(&view, &self.selection, log_tail_shown);
        let (opened, changed) = self.details.set_open(&self.selection);
        if changed && self.details.is_sheet() {
            self.keep_above_sheet();
            // A sheet that opens takes the focus (Escape or its button gives it back).
            if opened {
                let _ = self.details.close_button().focus();
            }
        }
        self.partitions.update(&view, &self.selection);
        self.safety.update(&view);
        self.ui.group.update(&view);
        self.ui.sweep.update(&view);
        self.update_about();
        self.render_travel();
        if self.menu.broker.is_some() {
            self.update_menu(&view);
        }
        self.view = Some(view);
        if !self.drawn.first {
            self.drawn.first = true;
            if self.options.signal_ready {
                self.signal_ready();
            }
        }
    }

    /// Lays the diagram out again when the cluster's shape or the width changed.
    fn relayout(&mut self, view: &ClusterView, width: f64) {
        let counts = (view.brokers.len(), view.partitions.len(), view.producers.len(), view.consumers.len());
        let sig = (counts, crate::layout::assignment_sig(view), width as i64);
        if self.drawn.layout_sig == Some(sig) {
            return;
        }
        let (shape, per_broker) = shape_of(view);
        let l = layout(&shape, width);
        let was = self.diagram.layout.as_ref().map(|l| l.detail);
        let summary = l.detail == Detail::Summary;
        self.diagram.rebuild(l, view, &per_broker);
        let _ = self.root.set_attribute("class", if summary { "pp summary" } else { "pp" });
        self.drawn.layout_sig = Some(sig);
        if was.is_some() && was != self.diagram.layout.as_ref().map(|l| l.detail) {
            // The level of detail changed: the view options did too.
            self.drawn.layout_sig = None;
        }
    }

    /// `body[data-ready]` and `window.__ppFirstDrawMs`, for the page's tests and benchmarks.
    fn signal_ready(&self) {
        let t = dom::now_ms();
        let _ = js_sys::Reflect::set(&dom::window(), &JsValue::from_str("__ppFirstDrawMs"), &JsValue::from_f64(t));
        if let Some(body) = dom::document().body() {
            let _ = body.set_attribute("data-ready", "true");
        }
    }

    fn update_time(&mut self, now_ms: u64, display_ms: f64) {
        let sim_time = &mut self.ui.clock.sim_time;
        sim_time.set("data-ms", &now_ms.to_string());
        sim_time.set_text(&self.clock.text(display_ms));
    }

    /// The topic choices of the forms, and the partition choice of the chosen topic.
    pub(super) fn update_topics(&mut self, view: &ClusterView) {
        let names: Vec<String> = view.topics.iter().map(|t| t.name.clone()).collect();
        if names != self.drawn.topics {
            let opts: Vec<(String, String)> = names.iter().map(|n| (n.clone(), n.clone())).collect();
            set_options(&self.ui.produce.topic, &opts);
            set_options(&self.ui.consume.topic, &opts);
            set_options(&self.ui.group.topic, &opts);
            set_options(&self.ui.config.topic, &opts);
            self.drawn.topics = names;
        }
        let topic = self.ui.produce.topic.value();
        let count = view.topics.iter().find(|t| t.name == topic).map_or(0, |t| t.partitions.len());
        if self.drawn.partitions != (topic.clone(), count) {
            let mut opts = vec![(String::new(), "auto".to_string())];
            // A long list helps nobody.
            if count <= PARTITION_CHOICES_MAX {
                opts.extend((0..count).map(|i| (i.to_string(), i.to_string())));
            }
            set_options(&self.ui.produce.partition, &opts);
            self.drawn.partitions = (topic, count);
        }
    }

    /// The broker menu's items for the broker's state (what it can do now).
    pub(super) fn update_menu(&mut self, view: &ClusterView) {
        let Some(id) = self.menu.broker.filter(|_| !self.menu.controller) else { return };
        let Some(b) = view.brokers.iter().find(|b| b.id.0 == id) else { return };
        let running = b.process == ProcessState::Running;
        let set = |action: &str, enabled: bool, text: Option<&str>| {
            if let Ok(Some(btn)) = self.ui.menu.root.query_selector(&format!("[data-action={action}]")) {
                if enabled {
                    let _ = btn.remove_attribute("disabled");
                } else {
                    let _ = btn.set_attribute("disabled", "");
                }
                if let Some(t) = text {
                    if btn.text_content().as_deref() != Some(t) {
                        btn.set_text_content(Some(t));
                    }
                }
            }
        };
        set("crash", running, None);
        set("poweroff", running, None);
        set("restart", !running, None);
        set("shutdown", running && !b.in_controlled_shutdown, None);
        set("slow", true, Some(if b.stalled { "Resume its follower fetching" } else { "Slow its follower fetching" }));
    }

    // ---------------------------------------------------------------- event log

    /// Adds the engine's new events at the top of the log.
    fn update_log(&mut self) {
        let list = &self.ui.event_log;
        let update = self.log.update(&self.engine);
        // A folded retry line moves up as the newer line that counts it.
        for seq in update.removed {
            if let Ok(Some(old)) = list.query_selector(&format!("li[data-seq='{seq}']")) {
                old.remove();
            }
        }
        for line in update.fresh {
            let _ = list.insert_before(&make_li(line), list.first_child().as_ref());
        }
        trim_list(list, LOG_SHOWN);
        super::wiring::keep_one_tab_stop(list);
    }

    /// Draws the log again (routine lines hidden or shown, replication lines made or not).
    pub(super) fn rebuild_log(&mut self) {
        self.ui.event_log.set_text_content(None);
        for line in self.log.shown() {
            let _ = self.ui.event_log.append_child(&make_li(line));
        }
        super::wiring::keep_one_tab_stop(&self.ui.event_log);
    }

    /// Scrolls the page so that what was selected stays in sight above the sheet that shows it.
    fn keep_above_sheet(&self) {
        let Ok(Some(el)) = self.diagram.svg.query_selector(".selected") else { return };
        let r = el.get_bounding_client_rect();
        let sheet_top = self.details.top();
        if r.bottom() > sheet_top - 8.0 || r.top() < 0.0 {
            let by = if r.top() < 0.0 { r.top() - 8.0 } else { r.bottom() - sheet_top + 8.0 };
            dom::window().scroll_by_with_x_and_y(0.0, by);
        }
    }

    /// Scrolls the selected element of the diagram into view.
    pub(super) fn flash_selection(&self) {
        if let Ok(Some(el)) = self.diagram.svg.query_selector(".selected") {
            let _ = el.set_attribute("data-flash", &self.engine.now_ms().to_string());
            let r = el.get_bounding_client_rect();
            let vh = dom::window().inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(800.0);
            if r.bottom() < 0.0 || r.top() > vh {
                el.scroll_into_view();
            }
        }
    }
}

/// The event log's CSS class for a severity.
fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Violation => "bad",
        Severity::Warning => "warn",
        Severity::Change => "key",
        Severity::Info => "",
    }
}

fn make_li(line: &LogLine) -> Element {
    let li = el("li").with("data-seq", &line.seq.to_string()).with("data-time", &line.time_label()).text(&line.text);
    // An option of the log's listbox, named by its text; one line has the list's tab stop.
    let _ = li.set_attribute("role", "option");
    let _ = li.set_attribute("tabindex", "-1");
    let mut class = String::from(severity_class(line.severity));
    if line.routine {
        class.push_str(" routine");
    }
    if line.replication {
        class.push_str(" replication");
    }
    if let Some(label) = line.repeats_label() {
        el("span").with("class", "repeats").with("title", &label).text(&format!("×{}", line.repeats)).into_parent(&li);
    }
    if !line.subject.is_empty() {
        class.push_str(" linked");
        let _ = li.set_attribute("data-subject", &line.subject);
    }
    let _ = li.set_attribute("class", class.trim());
    li
}

fn trim_list(list: &Element, keep: usize) {
    let mut n = list.child_element_count() as usize;
    while n > keep {
        match list.last_element_child() {
            Some(c) => c.remove(),
            None => break,
        }
        n -= 1;
    }
}
