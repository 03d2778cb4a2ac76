//! The application: owns the engine and the page it built, and runs the clock. One `App` lives in an
//! `Rc<RefCell<_>>` held by its `AppHandle`; the event handlers and the `requestAnimationFrame`
//! loop, which the App owns, hold it weakly and use `try_borrow_mut`, so a re-entrant event is
//! dropped instead of panicking.
//!
//! - `shell`: building the page (header, diagram and legend, forms, log, panels, menu, help).
//! - `wiring`: the listeners and the frame loop; clicks, keys and the broker menu.
//! - `render`: a view drawn into the page.
//! - `handlers`: forms and menu items to `Command`s (`page::forms`), the engine's answer shown.
//!
//! What needs no DOM (the speed ladder, the clock, the event log's lines, the forms' commands) is
//! in `crate::page`, tested natively.

mod handlers;
mod lesson;
mod render;
mod share;
mod shell;
mod wiring;

use super::diagram::Diagram;
use super::dom::{self, el, Build};
use super::panels::{Details, Partitions, Safety};
use super::Selection;
use crate::engine::{ClusterView, Engine, Millis, Scenario, ScenarioError, TimedCommand, ViewOptions};
use crate::page::announce::Announcer;
use crate::page::embed::Visibility;
use crate::page::event_log::replication_shown_by_default;
use crate::page::frame_budget::FrameBudget;
use crate::page::reached::SpeedMeter;
use crate::page::{speed, step, Clock, EventLog};
use render::LayoutSig;
use shell::{build_shell, Shell, Ui};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlSelectElement};
use wiring::Listener;

/// How a mount behaves: the page, a browser test, or a benchmark.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Start playing at 1×.
    pub autoplay: bool,
    /// Run the requestAnimationFrame loop.
    pub animate: bool,
    /// Listen to keys on the document and to window resizes.
    pub global_listeners: bool,
    /// Set `body[data-ready]` and `window.__ppFirstDrawMs` after the first draw.
    pub signal_ready: bool,
    /// Embed mode (`#...&embed`), and whether its clock may run (on screen): the bar gets "Open in
    /// the full playground"; the style sheet hides the rest of the chrome (`html[data-embed]`).
    pub embed: Option<Visibility>,
    /// A Start button over the diagram until the clock first plays (`start=click`).
    pub wait_for_click: bool,
}

impl Options {
    pub fn page() -> Options {
        Options {
            autoplay: true,
            animate: true,
            global_listeners: true,
            signal_ready: true,
            embed: None,
            wait_for_click: false,
        }
    }
    pub fn test() -> Options {
        Options {
            autoplay: false,
            animate: false,
            global_listeners: false,
            signal_ready: false,
            embed: None,
            wait_for_click: false,
        }
    }
    pub fn bench() -> Options {
        Options::test()
    }
}

/// The scenario choice's value for a scenario that came from a link.
pub const LINKED: &str = "link";

/// A handle on a mounted playground: tests and benchmarks drive it; the page keeps the one it shows
/// (`web::PAGE`). The playground goes with its last handle.
pub struct AppHandle(Rc<RefCell<App>>);

impl AppHandle {
    /// Advances simulated time by `ms` (as frames do while playing).
    pub fn advance_by(&self, ms: f64) {
        let mut app = self.0.borrow_mut();
        let target = app.clock.sim_ms() + ms;
        app.advance_to(target, f64::INFINITY);
    }
    /// Draws the current state.
    pub fn render(&self) {
        self.0.borrow_mut().render();
    }
    /// Shows `name` as the chosen scenario.
    /// Shows `name` in the scenario choice; [`LINKED`] adds the choice "From a shared link" (a
    /// scenario that came from a link is none of the page's own).
    pub fn set_scenario_name(&self, name: &str) {
        if let Ok(Some(s)) = self.0.borrow().root.query_selector("#scenario-select") {
            if name == LINKED {
                el("option").with("value", LINKED).with("disabled", "").text("From a shared link").into_parent(&s);
            }
            s.unchecked_ref::<HtmlSelectElement>().set_value(name);
        }
    }
    /// Shows `text` (which may quote user input: set as text) above the playground.
    pub fn set_notice(&self, text: &str) {
        self.0.borrow().show_notice(text);
    }
    /// Sets the speed multiplier (clamped to 0.01×–1000×).
    pub fn set_speed(&self, speed: f64) {
        self.0.borrow_mut().set_speed(speed);
    }
    /// An embed came on screen or left it (`pp_visible`): its clock follows (`page::embed`).
    pub fn seen(&self, on_screen: bool) {
        let mut a = self.0.borrow_mut();
        let playing = a.clock.playing();
        if let Some(play) = a.options.embed.as_mut().and_then(|v| v.seen(on_screen, playing)) {
            a.set_playing(play);
        }
    }
    /// Stops the frame loop.
    pub fn stop(&self) {
        self.0.borrow_mut().lifecycle.stopped = true;
    }
    /// Stops the frame loop, removes the event listeners and the playground's DOM, and frees the
    /// engine's memory; the rest goes with the last handle.
    pub fn dispose(&self) {
        self.0.borrow_mut().dispose();
    }
    pub fn now_ms(&self) -> u64 {
        self.0.borrow().engine.now_ms()
    }
    pub fn root(&self) -> Element {
        self.0.borrow().root.clone()
    }
}

/// The open broker menu.
#[derive(Default)]
struct Menu {
    /// The broker it is for, while open (0 for the controller menu).
    broker: Option<u32>,
    /// It is the controller quorum's menu (kafka-model §2.2): one item per voter.
    controller: bool,
    /// The clock played when it opened (it plays again when it closes).
    resume_after: bool,
}

/// What was last drawn of what changes rarely, so a frame redraws it only when it changed.
#[derive(Default)]
struct Drawn {
    layout_sig: Option<LayoutSig>,
    /// The topic names the forms offer.
    topics: Vec<String>,
    /// The topic and partition count the partition choice was built for.
    partitions: (String, usize),
    first: bool,
}

/// The playground's hold on the browser: the frame loop and the listeners it added.
#[derive(Default)]
struct Lifecycle {
    stopped: bool,
    /// The event listeners this playground added, removed when it goes (see `detach`).
    listeners: Vec<Listener>,
    /// The `requestAnimationFrame` callback and the pending request, if the page animates.
    frame_callback: Option<Closure<dyn FnMut(f64)>>,
    frame_request: Option<i32>,
}

pub struct App {
    engine: Engine,
    /// The scenario it started from (a share link carries it with the session).
    scenario: Scenario,
    root: Element,
    ui: Ui,
    diagram: Diagram,
    details: Details,
    partitions: Partitions,
    safety: Safety,
    options: Options,
    clock: Clock,
    selection: Selection,
    log: EventLog,
    announcer: Announcer,
    menu: Menu,
    drawn: Drawn,
    lifecycle: Lifecycle,
    /// The speed reached while playing, and the wall time the last frame's drawing took.
    meter: SpeedMeter,
    /// The engine's share of each frame (`page::frame_budget`).
    budget: FrameBudget,
    render_ms: f64,
    /// The last view drawn (handlers read the cluster from it).
    view: Option<ClusterView>,
    /// The lesson a link carried, if any (`lesson.rs`).
    lesson: Option<lesson::LessonUi>,
}

/// Builds the playground into `container` from a scenario; the engine's reason if the scenario
/// breaks its contract (nothing is built then).
pub fn mount(container: &Element, scenario: &Scenario, options: Options) -> Result<AppHandle, ScenarioError> {
    mount_with(container, scenario, &[], 0, options)
}

/// Builds the playground from a scenario and a session (a share link's commands, applied at their
/// times), standing at `at_ms`; the engine's reason if they break its contract.
pub fn mount_with(
    container: &Element,
    scenario: &Scenario,
    session: &[TimedCommand],
    at_ms: Millis,
    options: Options,
) -> Result<AppHandle, ScenarioError> {
    let engine = if session.is_empty() && at_ms == 0 {
        Engine::new(scenario)?
    } else {
        Engine::replay_within(scenario, session, at_ms, crate::engine::LIMITS.page_replay_work_max)?
    };
    let view = engine.view(ViewOptions::default());
    let root = el("div").with("class", "pp").into_parent(container);
    let Shell { ui, diagram, details, partitions, safety } = build_shell(&root, &view, scenario, &options);
    let mut log = EventLog::new();
    let show_replication = replication_shown_by_default(&view);
    log.set_show_replication(show_replication, &engine);
    ui.show_replication.set_checked(show_replication);
    let mut clock = Clock::new();
    clock.stepped_to(engine.now_ms());
    let app = App {
        engine,
        scenario: scenario.clone(),
        root,
        ui,
        diagram,
        details,
        partitions,
        safety,
        options,
        clock,
        selection: Selection::None,
        log,
        announcer: Announcer::new(),
        menu: Menu::default(),
        drawn: Drawn::default(),
        lifecycle: Lifecycle::default(),
        meter: SpeedMeter::new(),
        budget: FrameBudget::new(),
        render_ms: 0.0,
        view: None,
        lesson: None,
    };
    let app = Rc::new(RefCell::new(app));
    wiring::wire(&app);
    {
        let mut a = app.borrow_mut();
        a.set_playing(options.autoplay);
        a.set_speed(1.0);
        // The log already holds the scenario's first lines (made when replication was set).
        a.rebuild_log();
        a.render();
        a.on_config_topic();
    }
    if options.animate {
        wiring::start_loop(&app);
    }
    Ok(AppHandle(app))
}

impl Drop for App {
    fn drop(&mut self) {
        self.detach();
    }
}

impl App {
    /// The notice above the playground (a part of a link not used, a simulation that stopped).
    fn show_notice(&self, text: &str) {
        if let Ok(Some(n)) = self.root.query_selector("#notice") {
            n.set_text_content(Some(text));
            let _ = n.remove_attribute("hidden");
        }
    }

    /// Stops, removes the listeners and the playground's DOM, and frees the engine's memory.
    fn dispose(&mut self) {
        self.lifecycle.stopped = true;
        self.detach();
        self.root.remove();
        // What a disposed playground keeps: one broker and nothing else.
        if let Ok(empty) = Engine::new(&Scenario::one_broker(0, 0)) {
            self.engine = empty;
        }
        self.view = None;
        self.log.clear();
    }

    /// Replaces this playground by a fresh one of another scenario (after this event returns).
    fn load_scenario(&mut self, name: String) {
        let _ = dom::window().location().set_hash(&format!("scenario={name}"));
        self.replace_later(move |container| {
            let _ = super::start_page(container, &name);
        });
    }

    /// Reset: this playground's own scenario again from its start, without the commands applied
    /// since (a page opened from a link restarts the link's scenario, not the one in the select).
    fn restart(&mut self) {
        let scenario = self.scenario.clone();
        let options = Options { autoplay: true, wait_for_click: false, ..self.options };
        let name = self
            .root
            .query_selector("#scenario-select")
            .ok()
            .flatten()
            .map_or("default".to_string(), |s| s.unchecked_into::<HtmlSelectElement>().value());
        self.replace_later(move |container| {
            let _ = super::start_scenario(container, &scenario, &name, options);
        });
    }

    /// Stops this playground and, after the event being handled returns, lets `start` draw the next
    /// one into the same container. `start` disposes this one just before it draws, in the same
    /// task: the page never shows an empty frame.
    fn replace_later(&mut self, start: impl FnOnce(&Element) + 'static) {
        let Some(container) = self.root.parent_element() else { return };
        self.lifecycle.stopped = true;
        let later = Closure::once_into_js(move || start(&container));
        let _ = dom::window().set_timeout_with_callback(later.unchecked_ref());
    }

    // ---------------------------------------------------------------- clock

    /// One animation frame at wall time `wall_ms`: the engine runs for the time that passed (within
    /// the frame's budget) and the page is drawn, unless paused with nothing to redraw.
    fn frame(&mut self, wall_ms: f64) {
        match self.clock.frame_target(wall_ms) {
            Some(target) => {
                // Engine work, drawing and the browser's paint within 1/30 s: the later the frames
                // come, the less the engine runs (the clock lags, and the label says by how much).
                let budget = self.budget.next(wall_ms, self.render_ms);
                self.advance_to(target, budget);
                self.meter.record(wall_ms, self.clock.sim_ms());
                self.update_speed_label();
            }
            // Paused and the same size: every handler has already drawn what it changed.
            None if self.drawn.layout_sig.is_some_and(|sig| sig.2 == self.diagram_width() as i64) => return,
            None => {}
        }
        let t0 = dom::now_ms();
        self.render();
        self.render_ms = dom::now_ms() - t0;
    }

    /// `100×`, or `100× (reached 70×)` while the page falls short of the speed asked.
    fn update_speed_label(&self) {
        let text = self.meter.label(self.clock.speed());
        let el = &self.ui.clock.speed_label;
        if el.text_content().as_deref() != Some(text.as_str()) {
            el.set_text_content(Some(&text));
        }
    }

    /// Runs the engine up to `target` (fractional ms) for at most `budget_ms` of wall time; an
    /// engine that stops making progress pauses the page with a notice.
    fn advance_to(&mut self, target: f64, budget_ms: f64) {
        let target = self.lesson_target(target);
        if let Err(e) = self.clock.advance(&mut self.engine, target, budget_ms, dom::now_ms) {
            self.set_playing(false);
            self.show_notice(&format!("The simulation stopped: {e}. Please report this scenario."));
        }
        self.lesson_check();
    }

    fn set_playing(&mut self, playing: bool) {
        if !playing && self.clock.playing() {
            // A frame may have stopped inside a millisecond; a paused page stands where its link
            // replays to.
            let _ = self.engine.finish_millisecond();
        }
        self.clock.set_playing(playing);
        self.budget.reset();
        if playing {
            // What the last step did is no longer where the clock is.
            let _ = self.ui.step_status.set_attribute("hidden", "");
        }
        self.meter.reset();
        if playing {
            // The clock has been started: the Start button (`start=click`) has done its work.
            if let Some(start) = self.ui.start.take() {
                start.remove();
            }
        }
        let play = &self.ui.clock.play;
        let _ = play.set_attribute("aria-pressed", if playing { "true" } else { "false" });
        let _ = play.set_attribute("aria-label", if playing { "Pause" } else { "Play" });
        play.set_text_content(Some(if playing { "❚❚ Pause" } else { "▶ Play" }));
        let _ = play.set_attribute("class", if playing { "playing" } else { "" });
    }

    /// Runs to the controller's next unclean-election sweep (the notice's button), paused after it.
    fn jump_to_sweep(&mut self) {
        let Some(at_ms) = self.ui.sweep.at_ms() else { return };
        self.set_playing(false);
        // Just past it: the sweep's election and its metadata reach the brokers in the same frame.
        self.advance_to((at_ms + 100) as f64, f64::INFINITY);
        self.render();
    }

    /// Step (→): runs to the next event the log shows and says what the step did.
    fn step(&mut self) {
        self.set_playing(false);
        let report = step::step_to_visible(&mut self.engine, &self.log);
        self.clock.stepped_to(report.at_ms);
        let status = &self.ui.step_status;
        status.set_text_content(Some(&report.text()));
        let _ = status.remove_attribute("hidden");
        self.render();
    }

    fn set_speed(&mut self, speed: f64) {
        let speed = self.clock.set_speed(speed);
        self.meter.reset();
        let text = speed::label(speed);
        let slider = &self.ui.clock.speed;
        let _ = slider.set_attribute("data-speed", &text);
        let _ = slider.set_attribute("aria-valuetext", &format!("{text} times real time"));
        if let Some(v) = speed::slider_for(speed, slider.value_as_number()) {
            slider.set_value(&v);
        }
        self.update_speed_label();
    }

    fn on_speed_input(&mut self) {
        let v = self.ui.clock.speed.value_as_number();
        self.set_speed(speed::from_slider(v));
    }

    /// The next speed of the ladder, `speed::faster` or `speed::slower`.
    fn nudge_speed(&mut self, next: fn(f64) -> Option<f64>) {
        if let Some(s) = next(self.clock.speed()) {
            self.set_speed(s);
        }
    }
}
