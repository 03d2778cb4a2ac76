//! Time travel in the page (issue 12): the time slider under the diagram with the events marked on
//! it, Step back / Step forward / Back to now, the branch list and the compare panel.
//!
//! `App::engine` is always the engine the page shows (`viewed_engine`): the live one, or, while the
//! slider stands in the past, that moment rebuilt by `Timeline::seek`, the live engine kept aside
//! (`Travel::live`) and the clock paused. Acting in the past forks a branch there
//! (`page::branches`); the old branch keeps its future. What needs no DOM is in
//! `page::{branches, event_marks, compare}`.

use super::App;
use crate::engine::{CommandError, Engine, Millis, Scenario, Timeline, ViewOptions};
use crate::page::branches::BranchTree;
use crate::page::compare;
use crate::page::event_marks::EventMarks;
use crate::page::label::seconds;
use crate::web::dom::{el, svg, Build};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// The marks' strip is this many user units wide (its viewBox); it scales to the slider's width.
const STRIP_WIDTH: u64 = 1_000;

pub(super) struct TravelUi {
    pub(super) slider: HtmlInputElement,
    pub(super) strip: Element,
    pub(super) back: Element,
    pub(super) forward: Element,
    pub(super) now: Element,
    status: Element,
    pub(super) branch_list: Element,
    branch_note: Element,
    pub(super) compare_with: HtmlSelectElement,
    pub(super) compare: Element,
    compare_caption: Element,
    compare_rows: Element,
}

/// The page's time travel: checkpoints, branches, marks, and the live engine while in the past.
pub(super) struct Travel {
    timeline: Timeline,
    branches: BranchTree,
    marks: EventMarks,
    /// The current branch's live engine while the page shows a past moment of it.
    live: Option<Engine>,
    pub(super) ui: TravelUi,
    /// The live end and mark count the strip was drawn for (`None`: draw it again).
    strip_drawn: Option<(Millis, usize)>,
    branches_drawn: bool,
}

impl Travel {
    /// The travel of a playground whose engine `timeline` has checkpoints of (a link's replay).
    pub(super) fn new(timeline: Timeline, ui: TravelUi) -> Travel {
        let (branches, marks) = (BranchTree::new(), EventMarks::new());
        Travel { timeline, branches, marks, live: None, ui, strip_drawn: None, branches_drawn: false }
    }

    /// Frees the checkpoints (a disposed playground).
    pub(super) fn clear(&mut self) {
        if let Ok(empty) = Timeline::new(&Scenario::one_broker(0, 0)) {
            self.timeline = empty;
        }
        self.live = None;
    }
}

/// The slider, its marks and its buttons, just under the diagram (`diagram_wrap`); the branch list
/// and the compare panel in a card of `side`.
pub(super) fn build_travel(diagram_wrap: &Element, side: &Element) -> TravelUi {
    let bar = el("div").with("class", "timeline").with("role", "group").with("aria-label", "Timeline");
    if let Some(stage) = diagram_wrap.parent_node() {
        let _ = stage.insert_before(&bar, diagram_wrap.next_sibling().as_ref());
    }
    let label = el("label").with("class", "timeline-slider").into_parent(&bar);
    el("span").with("class", "visually-hidden").text("Simulated time").into_parent(&label);
    let slider: HtmlInputElement = el("input")
        .with("id", "time-slider")
        .with("type", "range")
        .with("min", "0")
        .with("max", "0")
        .with("step", "1")
        .with("value", "0")
        .into_parent(&label)
        .unchecked_into();
    let strip = svg("svg")
        .with("id", "time-marks")
        .with("class", "time-marks")
        .with("viewBox", &format!("0 0 {STRIP_WIDTH} 12"))
        .with("preserveAspectRatio", "none")
        .with("role", "img")
        .with("aria-label", "No events marked yet")
        .into_parent(&bar);
    let buttons = el("div").with("class", "timeline-buttons").into_parent(&bar);
    let button = |id: &str, text: &str, title: &str| {
        el("button").with("id", id).with("type", "button").with("title", title).text(text).into_parent(&buttons)
    };
    let back = button("step-back", "◀ Event", "Step back to the previous marked event ([)");
    let forward = button("step-forward", "Event ▶", "Step forward to the next marked event (])");
    let now = button("back-to-now", "Back to now", "Back to the live simulation (L)").with("disabled", "");
    let status = el("p").with("id", "timeline-status").with("class", "hint").with("role", "status").into_parent(&bar);
    let (branch_list, branch_note, compare_with, compare, compare_caption, compare_rows) = build_branches(side);
    TravelUi {
        slider,
        strip,
        back,
        forward,
        now,
        status,
        branch_list,
        branch_note,
        compare_with,
        compare,
        compare_caption,
        compare_rows,
    }
}

type BranchParts = (Element, Element, HtmlSelectElement, Element, Element, Element);

fn build_branches(side: &Element) -> BranchParts {
    let card = el("section").with("class", "card branches").with("aria-label", "Branches").into_parent(side);
    el("h2").text("Branches").into_parent(&card);
    el("p")
        .with("class", "hint")
        .text("Drag the time slider back and act there: a new branch starts, and the old one keeps its future.")
        .into_parent(&card);
    let list = el("ul").with("id", "branch-list").with("class", "branch-list").into_parent(&card);
    let note = el("p").with("id", "branch-note").with("class", "error").with("role", "status").into_parent(&card);
    let row = el("div").with("class", "actions").into_parent(&card);
    let label = el("label").into_parent(&row);
    el("span").with("class", "label-text").text("Compare with").into_parent(&label);
    let with: HtmlSelectElement = el("select").with("id", "compare-with").into_parent(&label).unchecked_into();
    let compare = el("button").with("id", "compare").with("type", "button").text("Compare").into_parent(&row);
    let table = el("table").with("id", "compare-table").with("class", "kv compare").into_parent(&card);
    let caption = el("caption").into_parent(&table);
    let rows = el("tbody").into_parent(&table);
    (list, note, with, compare, caption, rows)
}

impl App {
    /// The engine the page shows: the live one, or the past moment the slider stands at. Every
    /// view (diagram, panels, log, space-time, charts) reads this one.
    pub(super) fn viewed_engine(&self) -> &Engine {
        &self.engine
    }

    /// The timeline cursor: the past moment shown, or `None` while the page shows the live engine.
    pub(super) fn cursor_ms(&self) -> Option<Millis> {
        self.travel.live.is_some().then(|| self.engine.now_ms())
    }

    /// The simulated time of the current branch's live engine ("now").
    pub(super) fn live_now_ms(&self) -> Millis {
        self.travel.live.as_ref().unwrap_or(&self.engine).now_ms()
    }

    /// After a frame of the live engine: a checkpoint when due (`Timeline::observe`).
    pub(super) fn observe_live(&mut self) {
        if self.travel.live.is_none() {
            self.travel.timeline.observe(&self.engine);
        }
    }

    /// Keeps the current branch's session and end (the live engine's) in the tree.
    fn record_branch(&mut self) {
        let live = self.travel.live.as_ref().unwrap_or(&self.engine);
        self.travel.branches.record(live.session(), live.now_ms());
    }

    /// Shows the current branch at time `t` (paused); at or past its live time, the live engine.
    pub(super) fn seek_to(&mut self, t: Millis) {
        if t >= self.live_now_ms() {
            return self.back_to_now();
        }
        self.set_playing(false);
        self.record_branch();
        let branch = self.travel.branches.get(self.travel.branches.current()).map(|b| b.session.as_slice());
        let session = branch.unwrap_or_default();
        // The selected partition's probe: its window before `t` rebuilt on the way (the
        // space-time view and charts follow the cursor).
        let past = match self.engine.trace().map(|trace| trace.partition) {
            Some(p) => {
                self.travel.timeline.seek(session, t.saturating_sub(self.spacetime.window_ms())).and_then(|mut e| {
                    e.run_traced(p, session, t)?;
                    Ok(e)
                })
            }
            None => self.travel.timeline.seek(session, t),
        };
        match past {
            Ok(past) => {
                let shown = std::mem::replace(&mut self.engine, past);
                if self.travel.live.is_none() {
                    self.travel.live = Some(shown);
                }
                self.engine_swapped();
            }
            Err(e) => self.show_notice(&format!("Could not go back to {}: {e}.", seconds(t))),
        }
    }

    /// "Back to now": the live engine again (still paused; Play runs it).
    pub(super) fn back_to_now(&mut self) {
        if let Some(live) = self.travel.live.take() {
            self.engine = live;
            self.engine_swapped();
        }
    }

    /// Step back / Step forward: to the previous or next marked event (past the last: now).
    pub(super) fn step_event(&mut self, forward: bool) {
        let t = self.engine.now_ms();
        match (forward, self.travel.marks.after(t), self.travel.marks.before(t)) {
            (true, Some(next), _) => self.seek_to(next),
            (true, None, _) => self.back_to_now(),
            (false, _, Some(previous)) => self.seek_to(previous),
            (false, _, None) => self.seek_to(0),
        }
    }

    /// Applies a command where the page stands: live, or at the past moment shown, where it starts
    /// a branch (the old one keeps its future). The engine's refusal changes nothing.
    pub(super) fn apply_here(&mut self, command: crate::engine::Command) -> Result<(), CommandError> {
        let Some(t) = self.cursor_ms() else { return self.engine.apply(command) };
        self.travel.branches.can_fork().map_err(|why| CommandError::new("branch", why))?;
        self.engine.apply(command)?;
        // The old branch's session and end are in the tree (recorded when the page went back).
        self.travel.live = None;
        let _ = self.travel.branches.fork(t, self.engine.session());
        self.branch_changed();
        let name = self.travel.branches.get(self.travel.branches.current()).map(|b| b.name.clone());
        self.ui.announce.set_text_content(Some(&format!("{} started at {}.", name.unwrap_or_default(), seconds(t))));
        Ok(())
    }

    /// Stands on branch `index` at its latest moment (paused).
    pub(super) fn switch_branch(&mut self, index: usize) {
        if index == self.travel.branches.current() {
            return self.back_to_now();
        }
        self.set_playing(false);
        self.record_branch();
        let Some(b) = self.travel.branches.switch(index) else { return };
        let (opened, name) = (self.travel.timeline.seek(&b.session, b.end_ms), b.name.clone());
        match opened {
            Ok(engine) => {
                self.engine = engine;
                self.travel.live = None;
                self.branch_changed();
                self.engine_swapped();
            }
            Err(e) => self.show_notice(&format!("Could not open {name}: {e}.")),
        }
    }

    /// Another branch stands live: its marks are read again, the lists redrawn, and a link copied
    /// for the last branch is taken away (Copy link makes this branch's).
    fn branch_changed(&mut self) {
        self.travel.marks.reset();
        self.travel.strip_drawn = None;
        self.travel.branches_drawn = false;
        self.travel.ui.branch_note.set_text_content(None);
        self.ui.share.link.set_value("");
        self.ui.share.note.set_text_content(None);
    }

    /// The page shows another engine: the log made again from its events, the clock at its time.
    fn engine_swapped(&mut self) {
        let show = self.log.show_replication();
        self.log.set_show_replication(show, &self.engine);
        self.rebuild_log();
        // What the live region would say is the jump, not each event passed over.
        let _ = self.announcer.update(&self.engine);
        self.clock.stepped_to(self.engine.now_ms());
        self.render();
    }

    /// Compare: the current branch and the chosen one at the same time (the cursor, or the other
    /// branch's end if it is earlier), what differs as a table.
    pub(super) fn on_compare(&mut self) {
        let Ok(other) = self.travel.ui.compare_with.value().parse::<usize>() else { return };
        self.record_branch();
        let branches = &self.travel.branches;
        let (Some(mine), Some(theirs)) = (branches.get(branches.current()), branches.get(other)) else { return };
        let t = self.engine.now_ms().min(theirs.end_ms);
        let seek = |session| self.travel.timeline.seek(session, t).map(|e| e.view(ViewOptions::default()));
        let left =
            if t == self.engine.now_ms() { Ok(self.engine.view(ViewOptions::default())) } else { seek(&mine.session) };
        let (caption, rows) = match (left, seek(&theirs.session)) {
            (Ok(l), Ok(r)) => {
                let d = compare::differences(&l, &r);
                let head = match d.len() {
                    0 => format!("At {}: {} and {} agree.", seconds(t), mine.name, theirs.name),
                    n => format!("At {}: {n} differences, {} | {}.", seconds(t), mine.name, theirs.name),
                };
                (head, d)
            }
            (Err(e), _) | (_, Err(e)) => (format!("Could not compare: {e}."), Vec::new()),
        };
        let ui = &self.travel.ui;
        ui.compare_caption.set_text_content(Some(&caption));
        ui.compare_rows.set_text_content(None);
        for d in rows {
            let tr = el("tr").into_parent(&ui.compare_rows);
            el("th").with("scope", "row").text(&format!("{} {}", d.subject, d.what)).into_parent(&tr);
            el("td").text(&d.left).into_parent(&tr);
            el("td").text(&d.right).into_parent(&tr);
        }
    }

    /// The slider, its marks, its buttons and the branch list, for the engine shown.
    pub(super) fn render_travel(&mut self) {
        let (now, live_now) = (self.engine.now_ms(), self.live_now_ms());
        if self.travel.live.is_none() {
            self.travel.marks.update(&self.engine);
        }
        let ui = &self.travel.ui;
        let max = live_now.to_string();
        if ui.slider.get_attribute("max").as_deref() != Some(max.as_str()) {
            let _ = ui.slider.set_attribute("max", &max);
        }
        if ui.slider.value_as_number() as u64 != now {
            ui.slider.set_value(&now.to_string());
        }
        let past = self.travel.live.is_some();
        let text = if past {
            format!("Viewing {} of {} (now: {}), paused.", seconds(now), self.branch_name(), seconds(live_now))
        } else {
            format!("{}, live.", self.branch_name())
        };
        if ui.status.text_content().as_deref() != Some(text.as_str()) {
            ui.status.set_text_content(Some(&text));
            let _ = ui.slider.set_attribute("aria-valuetext", &format!("{} of {}", seconds(now), seconds(live_now)));
            toggle(&ui.now, "disabled", !past);
        }
        self.draw_strip(live_now);
        if !self.travel.branches_drawn {
            self.draw_branches();
        }
    }

    fn branch_name(&self) -> String {
        self.travel.branches.get(self.travel.branches.current()).map(|b| b.name.clone()).unwrap_or_default()
    }

    /// The marks as ticks over the slider, redrawn when a mark comes or the run grew by 2%.
    fn draw_strip(&mut self, live_now: Millis) {
        let count = self.travel.marks.marks().len();
        let fresh = |(end, n): (Millis, usize)| n == count && live_now.saturating_sub(end) * 50 <= end.max(1);
        if self.travel.strip_drawn.is_some_and(fresh) {
            return;
        }
        self.travel.strip_drawn = Some((live_now, count));
        let strip = &self.travel.ui.strip;
        strip.set_text_content(None);
        for m in self.travel.marks.marks() {
            let x = m.at_ms.min(live_now) * STRIP_WIDTH / live_now.max(1);
            let tick = svg("rect")
                .with("class", &format!("mark {}", m.kind.class()))
                .with("x", &x.to_string())
                .with("y", "0")
                .with("width", "3")
                .with("height", "12")
                .with("data-ms", &m.at_ms.to_string())
                .into_parent(strip);
            svg("title").text(&m.title()).into_parent(&tick);
        }
        let label = match count {
            0 => "No events marked yet".to_string(),
            n => format!("{n} moments marked: crashes, elections, ISR changes, losses, truncations"),
        };
        let _ = strip.set_attribute("aria-label", &label);
    }

    /// A click on a mark: the slider goes there.
    pub(super) fn on_strip_click(&mut self, e: &web_sys::MouseEvent) {
        let Some(t) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        if let Some(ms) = t.get_attribute("data-ms").and_then(|v| v.parse::<Millis>().ok()) {
            self.seek_to(ms);
        }
    }

    /// The branch list (a button per branch, indented under its parent) and the compare choice.
    fn draw_branches(&mut self) {
        self.travel.branches_drawn = true;
        let ui = &self.travel.ui;
        ui.branch_list.set_text_content(None);
        ui.compare_with.set_text_content(None);
        for row in self.travel.branches.rows() {
            let item = el("li").with("class", &format!("depth-{}", row.depth.min(4))).into_parent(&ui.branch_list);
            let b = el("button")
                .with("type", "button")
                .with("data-branch", &row.index.to_string())
                .text(&row.name)
                .into_parent(&item);
            if row.current {
                let _ = b.set_attribute("aria-current", "true");
            }
            el("span").with("class", "hint").text(&format!(" {}", row.origin)).into_parent(&item);
            if !row.current {
                el("option").with("value", &row.index.to_string()).text(&row.name).into_parent(&ui.compare_with);
            }
        }
        let none = self.travel.branches.len() < 2;
        toggle(&ui.compare, "disabled", none);
        toggle(&ui.compare_with, "disabled", none);
    }

    /// The keys of time travel: `[` and `]` step between marked events, `L` goes back to now.
    pub(super) fn on_travel_key(&mut self, key: &str) -> bool {
        match key {
            "[" => self.step_event(false),
            "]" => self.step_event(true),
            "l" | "L" => self.back_to_now(),
            _ => return false,
        }
        true
    }
}

fn toggle(e: &Element, attr: &str, on: bool) {
    if on {
        let _ = e.set_attribute(attr, "");
    } else {
        let _ = e.remove_attribute(attr);
    }
}
