//! The application: builds the page, owns the engine, runs the clock, and turns form input and
//! clicks into `Command`s. One `App` lives in an `Rc<RefCell<_>>` held by its `AppHandle`; the event
//! handlers and the `requestAnimationFrame` loop, which the App owns, hold it weakly and use
//! `try_borrow_mut`, so a re-entrant event is dropped instead of panicking.

use super::diagram::{heat_class, shape_of, Diagram};
use super::dom::{self, el, html, svg, Build, Cached};
use super::panels::{Details, Partitions, Safety};
use super::Selection;
use crate::engine::{
    insert_sorted, Acks, AdvanceError, BrokerId, BrokerSpec, ChangeConfig, ClusterEvent, ClusterSpec, ClusterView,
    Command, CommandError, Engine, NodeRef, PartitionHealth, ProcessState, Produce, Scenario, ScenarioError, Severity,
    Subject, TopicConfig, TopicSpec, ViewOptions, LIMITS,
};
use crate::layout::{clamp, fixed, layout, trimmed, Detail};
use crate::scenario;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlInputElement, HtmlSelectElement, KeyboardEvent, MouseEvent};

/// Speeds the +/- keys step through (the slider is continuous on a log scale).
const SPEEDS: [f64; 16] =
    [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0];
/// `#speed` is log10 of the multiplier: -2 (0.01×) to 3 (1000×).
const SPEED_LOG_MIN: f64 = -2.0;
const SPEED_LOG_MAX: f64 = 3.0;
/// A frame never advances more wall time than this (a hidden tab resumes without a jump).
const FRAME_WALL_MS_MAX: f64 = 100.0;
/// Engine work per frame stops after this much wall time; the clock then lags instead of freezing
/// the page.
const FRAME_ENGINE_BUDGET_MS: f64 = 40.0;
/// Engine steps between two looks at the frame's deadline.
const FRAME_STEPS: u64 = 256;
/// Event log: lines kept in memory and lines in the DOM.
const LOG_KEPT: usize = 1_000;
const LOG_SHOWN: usize = 300;

/// What a disposed playground keeps: one broker and nothing else.
fn empty_scenario() -> Scenario {
    Scenario {
        format: scenario::FORMAT_VERSION,
        seed: 0,
        cluster: ClusterSpec {
            brokers: vec![BrokerSpec { id: BrokerId(1), rack: String::new() }],
            config: Default::default(),
            network: Default::default(),
        },
        topics: Vec::new(),
        producers: Vec::new(),
        consumers: Vec::new(),
        commands: Vec::new(),
        until_ms: 0,
    }
}

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
}

impl Options {
    pub fn page() -> Options {
        Options { autoplay: true, animate: true, global_listeners: true, signal_ready: true }
    }
    pub fn test() -> Options {
        Options { autoplay: false, animate: false, global_listeners: false, signal_ready: false }
    }
    pub fn bench() -> Options {
        Options::test()
    }
}

/// A handle on a mounted playground: tests and benchmarks drive it; the page keeps the one it shows
/// (`web::PAGE`). The playground goes with its last handle.
pub struct AppHandle(Rc<RefCell<App>>);

impl AppHandle {
    /// Advances simulated time by `ms` (as frames do while playing).
    pub fn advance_by(&self, ms: f64) {
        let mut app = self.0.borrow_mut();
        let target = app.sim_ms + ms;
        app.advance_to(target, f64::INFINITY);
    }
    /// Draws the current state.
    pub fn render(&self) {
        self.0.borrow_mut().render();
    }
    /// Shows `name` as the chosen scenario.
    pub fn set_scenario_name(&self, name: &str) {
        if let Ok(Some(s)) = self.0.borrow().root.query_selector("#scenario-select") {
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
    /// Stops the frame loop.
    pub fn stop(&self) {
        self.0.borrow_mut().stopped = true;
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

struct LogLine {
    seq: u64,
    at_ms: u64,
    text: String,
    subject: String,
    routine: bool,
    class: &'static str,
}

/// The form controls the handlers read.
struct Ui {
    play: Element,
    speed: HtmlInputElement,
    speed_label: Element,
    sim_time: Cached,
    diagram_wrap: Element,
    produce_producer: HtmlSelectElement,
    produce_topic: HtmlSelectElement,
    produce_key: HtmlInputElement,
    produce_value: HtmlInputElement,
    produce_count: HtmlInputElement,
    produce_acks: HtmlSelectElement,
    produce_partition: HtmlSelectElement,
    produce_error: Element,
    consume_consumer: HtmlSelectElement,
    consume_topic: HtmlSelectElement,
    consume_rack: HtmlSelectElement,
    consume_error: Element,
    link_a: HtmlSelectElement,
    link_b: HtmlSelectElement,
    link_error: Element,
    topic_name: HtmlInputElement,
    topic_partitions: HtmlInputElement,
    topic_rf: HtmlInputElement,
    topic_name_error: Element,
    topic_partitions_error: Element,
    topic_rf_error: Element,
    topic_error: Element,
    config_topic: HtmlSelectElement,
    config_min_isr: HtmlInputElement,
    config_unclean: HtmlInputElement,
    config_error: Element,
    event_log: Element,
    hide_routine: HtmlInputElement,
    menu: Element,
    menu_title: Element,
    help: Element,
}

pub struct App {
    engine: Engine,
    root: Element,
    ui: Ui,
    diagram: Diagram,
    details: Details,
    partitions: Partitions,
    safety: Safety,
    options: Options,
    playing: bool,
    speed: f64,
    /// Display time: the engine's clock plus the fraction of a millisecond (slow motion).
    sim_ms: f64,
    last_wall: Option<f64>,
    selection: Selection,
    layout_sig: Option<(usize, usize, usize, usize, i64)>,
    log: VecDeque<LogLine>,
    last_seq: u64,
    hide_routine: bool,
    menu_broker: Option<u32>,
    resume_after_menu: bool,
    topics_shown: Vec<String>,
    /// The topic and partition count the partition choice was built for.
    partitions_shown: (String, usize),
    first_drawn: bool,
    stopped: bool,
    /// The event listeners this playground added, removed when it goes (see `detach`).
    listeners: Vec<Listener>,
    /// The `requestAnimationFrame` callback and the pending request, if the page animates.
    frame_callback: Option<Closure<dyn FnMut(f64)>>,
    frame_request: Option<i32>,
    view: Option<ClusterView>,
}

/// Builds the playground into `container` from a scenario; the engine's reason if the scenario
/// breaks its contract (nothing is built then).
pub fn mount(container: &Element, scenario: &Scenario, options: Options) -> Result<AppHandle, ScenarioError> {
    let engine = Engine::new(scenario)?;
    let view = engine.view(ViewOptions::default());
    let root = el("div").with("class", "pp").into_parent(container);
    let (ui, diagram, details, partitions, safety) = build_shell(&root, &view, scenario);
    let app = App {
        engine,
        root,
        ui,
        diagram,
        details,
        partitions,
        safety,
        options,
        playing: false,
        speed: 1.0,
        sim_ms: 0.0,
        last_wall: None,
        selection: Selection::None,
        layout_sig: None,
        log: VecDeque::new(),
        last_seq: 0,
        hide_routine: false,
        menu_broker: None,
        resume_after_menu: false,
        topics_shown: Vec::new(),
        partitions_shown: (String::new(), 0),
        first_drawn: false,
        stopped: false,
        listeners: Vec::new(),
        frame_callback: None,
        frame_request: None,
        view: None,
    };
    let app = Rc::new(RefCell::new(app));
    wire(&app);
    {
        let mut a = app.borrow_mut();
        a.set_playing(options.autoplay);
        a.set_speed(1.0);
        a.render();
        a.on_config_topic();
    }
    if options.animate {
        start_loop(&app);
    }
    Ok(AppHandle(app))
}

// ------------------------------------------------------------------------------------------ shell

fn label(parent: &Element, text: &str) -> Element {
    let l = el("label").into_parent(parent);
    el("span").with("class", "label-text").text(text).into_parent(&l);
    l
}

fn input(parent: &Element, id: &str, text: &str, kind: &str, value: &str) -> HtmlInputElement {
    let l = label(parent, text);
    let i = el("input").with("id", id).with("type", kind).with("name", id).into_parent(&l);
    let i: HtmlInputElement = i.unchecked_into();
    i.set_value(value);
    i
}

fn select(parent: &Element, id: &str, text: &str, options: &[(&str, &str)]) -> HtmlSelectElement {
    let l = label(parent, text);
    let s = el("select").with("id", id).with("name", id).into_parent(&l);
    for (value, text) in options {
        el("option").with("value", value).text(text).into_parent(&s);
    }
    s.unchecked_into()
}

fn set_options(select: &HtmlSelectElement, options: &[(String, String)]) {
    let keep = select.value();
    select.set_text_content(None);
    for (value, text) in options {
        let _ = select.append_child(&el("option").with("value", value).text(text));
    }
    if options.iter().any(|(v, _)| *v == keep) {
        select.set_value(&keep);
    }
}

fn error_el(parent: &Element, id: &str) -> Element {
    el("p").with("id", id).with("class", "error").with("role", "alert").with("aria-live", "polite").into_parent(parent)
}

fn button(parent: &Element, id: &str, text: &str, kind: &str) -> Element {
    el("button").with("id", id).with("type", kind).text(text).into_parent(parent)
}

fn swatch(parent: &Element, text: &str, draw: &dyn Fn(&Element)) -> Element {
    let li = el("li").into_parent(parent);
    let s =
        svg("svg").with("viewBox", "0 0 28 18").with("width", "28").with("height", "18").with("aria-hidden", "true");
    let _ = li.append_child(&s);
    draw(&s);
    el("span").text(text).into_parent(&li);
    li
}

fn shape(parent: &Element, tag: &str, attrs: &[(&str, &str)]) -> Element {
    let mut e = svg(tag);
    for (k, v) in attrs {
        e = e.with(k, v);
    }
    e.into_parent(parent)
}

fn build_shell(root: &Element, view: &ClusterView, scenario: &Scenario) -> (Ui, Diagram, Details, Partitions, Safety) {
    // Header: title and the clock.
    let header = el("header").with("class", "bar").into_parent(root);
    let brand = el("div").with("class", "brand").into_parent(&header);
    el("h1").text("Partition Playground").into_parent(&brand);
    el("span").with("class", "tagline").text("Kafka leadership & replication, simulated").into_parent(&brand);
    let clock = el("div")
        .with("class", "clock")
        .with("role", "group")
        .with("aria-label", "Simulated time")
        .into_parent(&header);
    let play = button(&clock, "play", "▶ Play", "button")
        .with("aria-label", "Play")
        .with("aria-pressed", "false")
        .with("title", "Play / pause (Space)");
    button(&clock, "step", "Step →", "button")
        .with("aria-label", "Step to the next event")
        .with("title", "Step to the next event (→)");
    let speed_box = el("div").with("class", "speed").into_parent(&clock);
    el("label").with("for", "speed").text("Speed").into_parent(&speed_box);
    let speed = el("input")
        .with("id", "speed")
        .with("type", "range")
        .with("min", &fixed(SPEED_LOG_MIN, 0))
        .with("max", &fixed(SPEED_LOG_MAX, 0))
        .with("step", "0.05")
        .with("value", "0")
        .with("data-speed", "1")
        .with("title", "Simulation speed: 0.01× to 1000× (+ / − keys)")
        .into_parent(&speed_box);
    let speed_label = el("output").with("for", "speed").with("class", "speed-label").text("1×").into_parent(&speed_box);
    let sim_time = el("span")
        .with("id", "sim-time")
        .with("data-ms", "0")
        .with("title", "Simulated time since the scenario started")
        .text("t = 0.000 s")
        .into_parent(&clock);
    let scen = el("label").with("class", "scenario").into_parent(&header);
    el("span").with("class", "label-text").text("Scenario").into_parent(&scen);
    let scenario_select = el("select").with("id", "scenario-select").into_parent(&scen);
    for s in &super::SCENARIOS {
        el("option").with("value", s.name).text(s.title).into_parent(&scenario_select);
    }
    button(&header, "reset", "Reset", "button")
        .with("aria-label", "Start the scenario again")
        .with("title", "Start the scenario again");
    button(&header, "help-button", "?", "button")
        .with("aria-label", "Keyboard shortcuts and legend")
        .with("aria-haspopup", "dialog")
        .with("title", "Keyboard shortcuts (?)");

    // What the page could not do of what its link asked (`web::parse_fragment`); hidden otherwise.
    el("p").with("id", "notice").with("class", "notice").with("role", "status").with("hidden", "").into_parent(root);

    let main = el("div").with("class", "layout").into_parent(root);
    let left = el("div").with("class", "col col-main").into_parent(&main);
    let right = el("div").with("class", "col col-side").into_parent(&main);

    // The diagram and its legend.
    let stage = el("section").with("class", "card stage").with("aria-label", "Cluster").into_parent(&left);
    let diagram_wrap = el("div").with("class", "diagram-wrap").into_parent(&stage);
    let diagram = Diagram::new();
    let _ = diagram_wrap.append_child(&diagram.svg);
    el("p")
        .with("class", "hint")
        .text("Click or tap a broker for crash / restart / shutdown / slow. Space plays or pauses, → steps, ? shows all shortcuts.")
        .into_parent(&stage);
    build_legend(&stage);

    // Controls.
    let controls = el("section").with("class", "card controls").with("aria-label", "Controls").into_parent(&right);
    el("h2").text("Controls").into_parent(&controls);

    let topics: Vec<(String, String)> = view.topics.iter().map(|t| (t.name.clone(), t.name.clone())).collect();
    let topic_refs: Vec<(&str, &str)> = topics.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();

    let produce =
        el("form").with("id", "produce-form").with("class", "form").with("novalidate", "").into_parent(&controls);
    el("h3").text("Produce").into_parent(&produce);
    let row = el("div").with("class", "row").into_parent(&produce);
    let producers: Vec<(&str, &str)> = scenario.producers.iter().map(|p| (p.name.as_str(), p.name.as_str())).collect();
    let produce_producer = select(&row, "produce-producer", "Producer", &producers);
    if producers.len() <= 1 {
        let _ = produce_producer.parent_element().map(|l| l.set_attribute("hidden", ""));
    }
    let produce_topic = select(&row, "produce-topic", "Topic", &topic_refs);
    let produce_partition = select(&row, "produce-partition", "Partition", &[("", "auto")]);
    let _ = produce_partition
        .set_attribute("title", "auto: by the key's murmur2 hash, or sticky when there is no key (kafka-model §5.1)");
    let acks: Vec<(&str, &str)> = Acks::ALL_VALUES.iter().map(|a| (a.as_str(), a.as_str())).collect();
    let produce_acks = select(&row, "produce-acks", "acks", &acks);
    let default_acks = scenario.producers.first().map_or(Acks::All, |p| p.config.acks);
    produce_acks.set_value(default_acks.as_str());
    let row = el("div").with("class", "row").into_parent(&produce);
    let produce_key = input(&row, "produce-key", "Key", "text", "");
    let _ = produce_key.set_attribute("placeholder", "none = sticky");
    let _ = produce_key.set_attribute("autocomplete", "off");
    let produce_value = input(&row, "produce-value", "Value", "text", "hello");
    let _ = produce_value.set_attribute("autocomplete", "off");
    let produce_count = input(&row, "produce-count", "Count", "number", "1");
    let _ = produce_count.set_attribute("min", "1");
    let _ = produce_count.set_attribute("max", &LIMITS.records_max.to_string());
    let _ = produce_count.set_attribute("inputmode", "numeric");
    let actions = el("div").with("class", "actions").into_parent(&produce);
    button(&actions, "produce-submit", "Send", "submit").with("class", "primary");
    let produce_error = error_el(&produce, "produce-error");
    if scenario.producers.is_empty() {
        let _ = produce.set_attribute("hidden", "");
    }

    let consume =
        el("form").with("id", "consume-form").with("class", "form").with("novalidate", "").into_parent(&controls);
    el("h3").text("Consume").into_parent(&consume);
    let row = el("div").with("class", "row").into_parent(&consume);
    let consumers: Vec<(&str, &str)> = scenario.consumers.iter().map(|c| (c.name.as_str(), c.name.as_str())).collect();
    let consume_consumer = select(&row, "consume-consumer", "Consumer", &consumers);
    let consume_topic = select(&row, "consume-topic", "Topic", &topic_refs);
    let mut racks: Vec<String> = Vec::new();
    for b in view.brokers.iter().filter(|b| !b.rack.is_empty()) {
        insert_sorted(&mut racks, b.rack.clone());
    }
    let mut rack_opts: Vec<(String, String)> = vec![(String::new(), "none".into())];
    rack_opts.extend(racks.iter().map(|r| (r.clone(), r.clone())));
    let rack_refs: Vec<(&str, &str)> = rack_opts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let consume_rack = select(&row, "consume-rack", "client.rack", &rack_refs);
    let _ = consume_rack.set_attribute(
        "title",
        "The consumer's rack: with the rack-aware selector it reads from a follower in its rack",
    );
    if let Some(c) = view.consumers.first() {
        consume_rack.set_value(&c.client_rack);
    }
    let actions = el("div").with("class", "actions").into_parent(&consume);
    button(&actions, "consume-submit", "Subscribe", "submit");
    let consume_error = error_el(&consume, "consume-error");
    if scenario.consumers.is_empty() {
        let _ = consume.set_attribute("hidden", "");
    }

    let faults = el("details").with("class", "form-group").into_parent(&controls);
    el("summary").text("Network faults").into_parent(&faults);
    let link = el("form").with("id", "link-form").with("class", "form").with("novalidate", "").into_parent(&faults);
    let row = el("div").with("class", "row").into_parent(&link);
    let mut nodes: Vec<(String, String)> = vec![("controller".into(), "Controller".into())];
    nodes.extend(view.brokers.iter().map(|b| (format!("broker:{}", b.id), format!("Broker {}", b.id))));
    nodes.extend(scenario.producers.iter().map(|p| (format!("producer:{}", p.name), format!("Producer {}", p.name))));
    nodes.extend(scenario.consumers.iter().map(|c| (format!("consumer:{}", c.name), format!("Consumer {}", c.name))));
    let node_refs: Vec<(&str, &str)> = nodes.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let link_a = select(&row, "link-a", "Between", &node_refs);
    let link_b = select(&row, "link-b", "and", &node_refs);
    if nodes.len() > 1 {
        link_b.set_value(&nodes[1].0);
        link_a.set_value(&nodes[1].0);
        if nodes.len() > 2 {
            link_b.set_value(&nodes[2].0);
        }
    }
    let actions = el("div").with("class", "actions").into_parent(&link);
    button(&actions, "link-cut", "Cut link", "button").with("data-action", "cut-link");
    button(&actions, "link-heal", "Heal link", "button").with("data-action", "heal-link");
    let link_error = error_el(&link, "link-error");
    el("p")
        .with("class", "hint")
        .text("A cut link drops requests both ways. Brokers have their own menu: click one in the diagram.")
        .into_parent(&link);

    let topics_group = el("details").with("class", "form-group").into_parent(&controls);
    el("summary").text("Topics & configs").into_parent(&topics_group);
    let topic_form =
        el("form").with("id", "topic-form").with("class", "form").with("novalidate", "").into_parent(&topics_group);
    el("h3").text("Create topic").into_parent(&topic_form);
    let row = el("div").with("class", "row").into_parent(&topic_form);
    let name_box = el("div").with("class", "field").into_parent(&row);
    let topic_name = input(&name_box, "topic-name", "Name", "text", "");
    let _ = topic_name.set_attribute("placeholder", "e.g. payments");
    let _ = topic_name.set_attribute("autocomplete", "off");
    let _ = topic_name.set_attribute("aria-describedby", "topic-name-error");
    let topic_name_error = error_el(&name_box, "topic-name-error");
    let parts_box = el("div").with("class", "field").into_parent(&row);
    let topic_partitions = input(&parts_box, "topic-partitions", "Partitions", "number", "3");
    let _ = topic_partitions.set_attribute("min", "1");
    let _ = topic_partitions.set_attribute("aria-describedby", "topic-partitions-error");
    let topic_partitions_error = error_el(&parts_box, "topic-partitions-error");
    let rf_box = el("div").with("class", "field").into_parent(&row);
    let rf_default = view.brokers.len().clamp(1, 3).to_string();
    let topic_rf = input(&rf_box, "topic-rf", "Replication factor", "number", &rf_default);
    let _ = topic_rf.set_attribute("min", "1");
    let _ = topic_rf.set_attribute("max", &view.brokers.len().to_string());
    let _ = topic_rf.set_attribute("aria-describedby", "topic-rf-error");
    let topic_rf_error = error_el(&rf_box, "topic-rf-error");
    let actions = el("div").with("class", "actions").into_parent(&topic_form);
    button(&actions, "topic-submit", "Create", "submit");
    let topic_error = error_el(&topic_form, "topic-error");

    let config_form =
        el("form").with("id", "config-form").with("class", "form").with("novalidate", "").into_parent(&topics_group);
    el("h3").text("Topic config").into_parent(&config_form);
    let row = el("div").with("class", "row").into_parent(&config_form);
    let config_topic = select(&row, "config-topic", "Topic", &topic_refs);
    let config_min_isr = input(&row, "config-min-isr", "min.insync.replicas", "number", "1");
    let _ = config_min_isr.set_attribute("min", "1");
    let check = el("label").with("class", "check").into_parent(&row);
    let config_unclean: HtmlInputElement =
        el("input").with("id", "config-unclean").with("type", "checkbox").into_parent(&check).unchecked_into();
    el("span").text("unclean.leader.election.enable").into_parent(&check);
    let actions = el("div").with("class", "actions").into_parent(&config_form);
    button(&actions, "config-submit", "Apply", "submit");
    let config_error = error_el(&config_form, "config-error");

    let details = Details::new(&right);

    // Event log.
    let log = el("section").with("class", "card log").with("aria-label", "Event log").into_parent(&left);
    let head = el("div").with("class", "card-head").into_parent(&log);
    el("h2").text("Event log").into_parent(&head);
    let check = el("label").with("class", "check").into_parent(&head);
    let hide_routine: HtmlInputElement =
        el("input").with("id", "hide-routine").with("type", "checkbox").into_parent(&check).unchecked_into();
    el("span").text("hide routine (acks, fetches)").into_parent(&check);
    let event_log = el("ul").with("id", "event-log").with("class", "events").with("aria-live", "off").into_parent(&log);

    let partitions = Partitions::new(&right);
    let safety = Safety::new(&right);

    // The broker menu and the help dialog.
    let menu = el("div")
        .with("id", "broker-menu")
        .with("role", "menu")
        .with("class", "menu")
        .with("hidden", "")
        .into_parent(root);
    let menu_title = el("p").with("class", "menu-title").into_parent(&menu);
    for (action, text) in [
        ("crash", "Crash (kill -9)"),
        ("restart", "Restart"),
        ("shutdown", "Controlled shutdown"),
        ("slow", "Slow its follower fetching"),
        ("select", "Show details"),
    ] {
        el("button")
            .with("type", "button")
            .with("role", "menuitem")
            .with("data-action", action)
            .text(text)
            .into_parent(&menu);
    }
    el("p").with("class", "menu-note").text("The clock holds while this menu is open.").into_parent(&menu);

    let help = build_help(root);

    let ui = Ui {
        play,
        speed: speed.unchecked_into(),
        speed_label,
        sim_time: Cached::new(sim_time),
        diagram_wrap,
        produce_producer,
        produce_topic,
        produce_key,
        produce_value,
        produce_count,
        produce_acks,
        produce_partition,
        produce_error,
        consume_consumer,
        consume_topic,
        consume_rack,
        consume_error,
        link_a,
        link_b,
        link_error,
        topic_name,
        topic_partitions,
        topic_rf,
        topic_name_error,
        topic_partitions_error,
        topic_rf_error,
        topic_error,
        config_topic,
        config_min_isr,
        config_unclean,
        config_error,
        event_log,
        hide_routine,
        menu,
        menu_title,
        help,
    };
    (ui, diagram, details, partitions, safety)
}

fn build_legend(parent: &Element) {
    let d = el("details").with("class", "legend").with("open", "").into_parent(parent);
    el("summary").text("Legend").into_parent(&d);
    let ul = el("ul").into_parent(&d);
    swatch(&ul, "leader replica", &|s| {
        shape(s, "circle", &[("cx", "14"), ("cy", "9"), ("r", "7"), ("class", "sw-leader")]);
    });
    swatch(&ul, "follower", &|s| {
        shape(s, "circle", &[("cx", "14"), ("cy", "9"), ("r", "7"), ("class", "sw-follower")]);
    });
    swatch(&ul, "offline replica", &|s| {
        shape(s, "circle", &[("cx", "14"), ("cy", "9"), ("r", "7"), ("class", "sw-offline")]);
    });
    swatch(&ul, "out of the ISR", &|s| {
        shape(
            s,
            "rect",
            &[("x", "2"), ("y", "2"), ("width", "24"), ("height", "14"), ("rx", "3"), ("class", "sw-osr")],
        );
    });
    swatch(&ul, "record (colour = leader epoch)", &|s| {
        shape(
            s,
            "rect",
            &[("x", "2"), ("y", "3"), ("width", "11"), ("height", "12"), ("rx", "1.5"), ("class", "cell e0")],
        );
        shape(
            s,
            "rect",
            &[("x", "15"), ("y", "3"), ("width", "11"), ("height", "12"), ("rx", "1.5"), ("class", "cell e1")],
        );
    });
    swatch(&ul, "not yet committed (above HW)", &|s| {
        shape(
            s,
            "rect",
            &[
                ("x", "8"),
                ("y", "3"),
                ("width", "12"),
                ("height", "12"),
                ("rx", "1.5"),
                ("class", "cell e0 uncommitted"),
            ],
        );
    });
    swatch(&ul, "HW: high watermark (▲ below)", &|s| {
        shape(s, "path", &[("d", "M14 1V13M14 13l3.5 5h-7z"), ("class", "hw-mark")]);
    });
    swatch(&ul, "LEO: log end offset (▼ above)", &|s| {
        shape(s, "path", &[("d", "M14 5V17M14 5l3.5 -5h-7z"), ("class", "leo-mark")]);
    });
    swatch(&ul, "crashed / stopped broker", &|s| {
        shape(
            s,
            "rect",
            &[("x", "2"), ("y", "2"), ("width", "24"), ("height", "14"), ("rx", "3"), ("class", "sw-crashed")],
        );
    });
    swatch(&ul, "fenced broker", &|s| {
        shape(
            s,
            "rect",
            &[("x", "2"), ("y", "2"), ("width", "24"), ("height", "14"), ("rx", "3"), ("class", "sw-fenced")],
        );
    });
    swatch(&ul, "slow broker (followers stalled)", &|s| {
        shape(
            s,
            "rect",
            &[("x", "2"), ("y", "2"), ("width", "24"), ("height", "14"), ("rx", "3"), ("class", "sw-stalled")],
        );
    });
    swatch(&ul, "cut link", &|s| {
        shape(s, "path", &[("d", "M1 9H27"), ("class", "link cut")]);
    });
    swatch(&ul, "consumer reads from a follower", &|s| {
        shape(s, "path", &[("d", "M1 9H27"), ("class", "link consume follower-read")]);
    });
    swatch(&ul, "produce request / response", &|s| {
        shape(s, "circle", &[("cx", "14"), ("cy", "9"), ("r", "4"), ("class", "dot produce")]);
    });
    swatch(&ul, "replica fetch", &|s| {
        shape(s, "circle", &[("cx", "14"), ("cy", "9"), ("r", "4"), ("class", "dot fetch")]);
    });
    swatch(&ul, "consumer fetch", &|s| {
        shape(s, "circle", &[("cx", "14"), ("cy", "9"), ("r", "4"), ("class", "dot cfetch")]);
    });
    swatch(&ul, "controller traffic (heartbeats, metadata)", &|s| {
        shape(s, "circle", &[("cx", "14"), ("cy", "9"), ("r", "4"), ("class", "dot ctrl")]);
    });
    for health in PartitionHealth::ALL {
        let text = match health {
            PartitionHealth::Healthy => "partition fully replicated",
            PartitionHealth::UnderReplicated => "under-replicated",
            PartitionHealth::UnderMinIsr => "ISR below min.insync.replicas",
            PartitionHealth::Offline => "offline (no leader)",
        };
        let class = heat_class(health);
        let li = swatch(&ul, text, &|s| {
            shape(
                s,
                "rect",
                &[("x", "8"), ("y", "3"), ("width", "12"), ("height", "12"), ("rx", "1.5"), ("class", class)],
            );
        });
        let _ = li.set_attribute("class", "heat-legend");
    }
}

fn build_help(root: &Element) -> Element {
    let d = el("dialog").with("id", "help").with("aria-labelledby", "help-title").into_parent(root);
    el("h2").with("id", "help-title").text("Keyboard shortcuts").into_parent(&d);
    let dl = el("dl").with("class", "keys").into_parent(&d);
    for (k, what) in [
        ("Space", "play / pause"),
        ("→", "step to the next event"),
        ("+  /  −", "faster / slower"),
        ("?", "this help"),
        ("Esc", "close a menu or this dialog"),
        ("Enter", "on a focused broker: its menu; on a replica, client or partition: its details"),
    ] {
        el("dt").child(&el("kbd").text(k)).into_parent(&dl);
        el("dd").text(what).into_parent(&dl);
    }
    el("p")
        .text("Click or tap a broker to crash, restart, shut down or slow it. Click a replica, client, partition or event to inspect it. At 0.01× you can follow a single fetch (network latency is 2–3 ms); at 1000× the 9 s session timeout passes in a blink.")
        .into_parent(&d);
    let form = el("form").with("method", "dialog").into_parent(&d);
    el("button").with("type", "submit").with("class", "primary").text("Close").into_parent(&form);
    d
}

// ------------------------------------------------------------------------------------------ wiring

/// An event listener a playground added to an element (or the document).
struct Listener {
    target: web_sys::EventTarget,
    event: &'static str,
    closure: Closure<dyn FnMut(Event)>,
}

/// Adds a listener that the playground owns. Handlers hold the playground weakly: it is freed when
/// its last handle goes, and its `Drop` removes the listeners (nothing is left behind when the page
/// switches scenarios).
fn listen(
    app: &Rc<RefCell<App>>,
    target: &web_sys::EventTarget,
    event: &'static str,
    body: impl FnMut(Event) + 'static,
) {
    let closure = Closure::<dyn FnMut(Event)>::new(body);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    app.borrow_mut().listeners.push(Listener { target: target.clone(), event, closure });
}

fn on<E: JsCast + 'static>(
    target: &web_sys::EventTarget,
    event: &'static str,
    app: &Rc<RefCell<App>>,
    f: fn(&mut App, E),
) {
    let weak = Rc::downgrade(app);
    listen(app, target, event, move |e: Event| {
        if let Some(app) = weak.upgrade() {
            if let Ok(mut a) = app.try_borrow_mut() {
                f(&mut a, e.unchecked_into());
            }
        }
    });
}

fn by_id(root: &Element, id: &str) -> Option<Element> {
    root.query_selector(&format!("#{id}")).ok().flatten()
}

fn wire(app: &Rc<RefCell<App>>) {
    let (root, ui_play, speed, svg, event_log, menu, hide_routine, rack, config_topic, global) = {
        let a = app.borrow();
        (
            a.root.clone(),
            a.ui.play.clone(),
            a.ui.speed.clone(),
            a.diagram.svg.clone(),
            a.ui.event_log.clone(),
            a.ui.menu.clone(),
            a.ui.hide_routine.clone(),
            a.ui.consume_rack.clone(),
            a.ui.config_topic.clone(),
            a.options.global_listeners,
        )
    };
    on::<Event>(&ui_play, "click", app, |a, _| {
        let p = !a.playing;
        a.set_playing(p);
    });
    if let Some(step) = by_id(&root, "step") {
        on::<Event>(&step, "click", app, |a, _| a.step());
    }
    on::<Event>(&speed, "input", app, |a, _| a.on_speed_input());
    on::<Event>(&speed, "change", app, |a, _| a.on_speed_input());
    if let Some(b) = by_id(&root, "reset") {
        on::<Event>(&b, "click", app, |a, _| {
            let name = a
                .root
                .query_selector("#scenario-select")
                .ok()
                .flatten()
                .map_or("default".to_string(), |s| s.unchecked_into::<HtmlSelectElement>().value());
            a.load_scenario(name);
        });
    }
    if let Some(t) = by_id(&root, "produce-topic") {
        on::<Event>(&t, "change", app, |a, _| {
            if let Some(v) = a.view.take() {
                a.update_topics(&v);
                a.view = Some(v);
            }
        });
    }
    if let Some(b) = by_id(&root, "help-button") {
        on::<Event>(&b, "click", app, |a, _| a.toggle_help());
    }
    for (id, f) in [
        ("produce-form", App::on_produce as fn(&mut App)),
        ("consume-form", App::on_consume),
        ("topic-form", App::on_create_topic),
        ("config-form", App::on_config),
    ] {
        if let Some(form) = by_id(&root, id) {
            let weak = Rc::downgrade(app);
            listen(app, &form, "submit", move |e: Event| {
                // Never the browser's own submit (a page load). After `dispose` the forms are out of
                // the document, where they cannot submit.
                e.prevent_default();
                if let Some(app) = weak.upgrade() {
                    if let Ok(mut a) = app.try_borrow_mut() {
                        f(&mut a);
                    }
                }
            });
        }
    }
    if let Some(b) = by_id(&root, "link-cut") {
        on::<Event>(&b, "click", app, |a, _| a.on_link(true));
    }
    if let Some(b) = by_id(&root, "link-heal") {
        on::<Event>(&b, "click", app, |a, _| a.on_link(false));
    }
    on::<Event>(&rack, "change", app, |a, _| a.on_rack());
    on::<Event>(&config_topic, "change", app, |a, _| a.on_config_topic());
    on::<Event>(&hide_routine, "change", app, |a, _| {
        a.hide_routine = a.ui.hide_routine.checked();
        a.rebuild_log();
    });
    on::<MouseEvent>(&svg, "click", app, |a, e| a.on_diagram_click(&e));
    on::<KeyboardEvent>(&svg, "keydown", app, |a, e| a.on_diagram_key(&e));
    on::<MouseEvent>(&event_log, "click", app, |a, e| a.on_log_click(&e));
    on::<KeyboardEvent>(&event_log, "keydown", app, |a, e| {
        if e.key() == "Enter" {
            a.on_log_click(e.unchecked_ref());
        }
    });
    if let Some(parts) = root.query_selector(".parts").ok().flatten() {
        on::<MouseEvent>(&parts, "click", app, |a, e| a.on_partition_row(&e));
        on::<KeyboardEvent>(&parts, "keydown", app, |a, e| {
            if e.key() == "Enter" {
                a.on_partition_row(e.unchecked_ref());
            }
        });
    }
    on::<MouseEvent>(&menu, "click", app, |a, e| a.on_menu_click(&e));
    on::<KeyboardEvent>(&menu, "keydown", app, |a, e| {
        if e.key() == "Escape" {
            a.close_menu(true);
        }
    });
    // A click outside the menu closes it.
    on::<MouseEvent>(&root, "click", app, |a, e| {
        if a.menu_broker.is_some() {
            let inside =
                target_el(&e).is_some_and(|t| t.closest("#broker-menu, [data-broker]").ok().flatten().is_some());
            if !inside {
                a.close_menu(false);
            }
        }
    });
    if global {
        on::<KeyboardEvent>(&dom::document(), "keydown", app, |a, e| a.on_key(&e));
    }
    if let Some(s) = by_id(&root, "scenario-select") {
        on::<Event>(&s, "change", app, |a, e| {
            let Some(name) = target_el(&e).map(|t| t.unchecked_into::<HtmlSelectElement>().value()) else { return };
            a.load_scenario(name);
        });
    }
}

/// Runs `App::frame` on every animation frame until the playground stops or goes. The callback
/// lives in the App (which cancels the pending request when it goes) and holds it weakly.
fn start_loop(app: &Rc<RefCell<App>>) {
    let weak = Rc::downgrade(app);
    let callback = Closure::<dyn FnMut(f64)>::new(move |ts: f64| {
        let Some(app) = weak.upgrade() else { return };
        let Ok(mut a) = app.try_borrow_mut() else { return };
        a.frame_request = None;
        if !a.stopped {
            a.frame(ts);
            a.request_frame();
        }
    });
    let mut a = app.borrow_mut();
    a.frame_callback = Some(callback);
    a.request_frame();
}

fn target_el(e: &Event) -> Option<Element> {
    e.target().and_then(|t| t.dyn_into::<Element>().ok())
}

fn closest_attr(e: &Event, attr: &str) -> Option<(Element, String)> {
    let t = target_el(e)?;
    let found = t.closest(&format!("[{attr}]")).ok().flatten()?;
    let value = found.get_attribute(attr)?;
    Some((found, value))
}

fn fmt_speed(s: f64) -> String {
    if s >= 10.0 {
        fixed(s, 0)
    } else if s >= 1.0 {
        trimmed(s, 1)
    } else {
        trimmed(s, 3)
    }
}

/// Two significant digits: 10^0.3 = 1.995… shows as 2.
fn nice_speed(s: f64) -> f64 {
    let mag = 10f64.powf(s.log10().floor() - 1.0);
    (s / mag).round() * mag
}

fn parse_whole(s: &str) -> Option<u32> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

// ------------------------------------------------------------------------------------------ App

impl App {
    /// The notice above the playground (a part of a link not used, a simulation that stopped).
    fn show_notice(&self, text: &str) {
        if let Ok(Some(n)) = self.root.query_selector("#notice") {
            n.set_text_content(Some(text));
            let _ = n.remove_attribute("hidden");
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.detach();
    }
}

impl App {
    fn view_options(&self) -> ViewOptions {
        match self.diagram.layout.as_ref().map(|l| l.detail) {
            Some(Detail::Summary) => {
                ViewOptions { log_tail: 0, full_logs: false, in_flight_max: 64, client_history: 16 }
            }
            _ => ViewOptions { log_tail: 16, full_logs: false, in_flight_max: 256, client_history: 32 },
        }
    }

    fn frame(&mut self, wall: f64) {
        let dt = self.last_wall.map_or(0.0, |last| clamp(wall - last, 0.0, FRAME_WALL_MS_MAX));
        self.last_wall = Some(wall);
        if self.playing {
            let target = self.sim_ms + dt * self.speed;
            self.advance_to(target, FRAME_ENGINE_BUDGET_MS);
        } else if self.layout_sig.is_some_and(|sig| sig.4 == self.diagram_width() as i64) {
            // Paused and the same size: every handler has already drawn what it changed.
            return;
        }
        self.render();
    }

    /// Runs the engine up to `target` (fractional ms), for at most `budget_ms` of wall time: slices
    /// of `FRAME_STEPS` steps until the target or the deadline.
    fn advance_to(&mut self, target: f64, budget_ms: f64) {
        let until = target.floor().max(0.0) as u64;
        let deadline = dom::now_ms() + budget_ms;
        loop {
            match self.engine.advance_to(until, FRAME_STEPS) {
                Ok(()) => break,
                Err(AdvanceError::StepBudgetSpent { reached_ms, .. }) if dom::now_ms() <= deadline => {
                    self.sim_ms = reached_ms as f64;
                }
                Err(AdvanceError::StepBudgetSpent { reached_ms, .. }) => {
                    // Out of time: the clock lags behind the wall rather than freezing the page.
                    self.sim_ms = reached_ms as f64;
                    return;
                }
                Err(e @ AdvanceError::NoProgress { .. }) => {
                    self.set_playing(false);
                    self.show_notice(&format!("The simulation stopped: {e}. Please report this scenario."));
                    return;
                }
            }
        }
        self.sim_ms = target.max(self.engine.now_ms() as f64);
    }

    fn diagram_width(&self) -> f64 {
        let w = self.ui.diagram_wrap.client_width() as f64;
        if w < 50.0 {
            1000.0
        } else {
            // Whole multiples of 4 px, so a scrollbar flicker does not relayout.
            (w / 4.0).floor() * 4.0
        }
    }

    pub fn render(&mut self) {
        let width = self.diagram_width();
        let view = self.engine.view(self.view_options());
        let sig = (view.brokers.len(), view.partitions.len(), view.producers.len(), view.consumers.len(), width as i64);
        if self.layout_sig != Some(sig) {
            let (shape, per_broker) = shape_of(&view);
            let l = layout(&shape, width);
            let was = self.diagram.layout.as_ref().map(|l| l.detail);
            let summary = l.detail == Detail::Summary;
            self.diagram.rebuild(l, &view, &per_broker);
            let _ = self.root.set_attribute("class", if summary { "pp summary" } else { "pp" });
            self.layout_sig = Some(sig);
            if was.is_some() && was != self.diagram.layout.as_ref().map(|l| l.detail) {
                // The level of detail changed: the view options did too.
                self.layout_sig = None;
            }
        }
        let display_ms = self.sim_ms.max(view.now_ms as f64);
        self.diagram.update(&view, display_ms, &self.selection);
        self.update_time(view.now_ms, display_ms);
        self.update_topics(&view);
        self.update_log();
        let log_tail_shown = self.view_options().log_tail > 0;
        self.details.update(&view, &self.selection, log_tail_shown);
        self.partitions.update(&view, &self.selection);
        self.safety.update(&view);
        if self.menu_broker.is_some() {
            self.update_menu(&view);
        }
        self.view = Some(view);
        if !self.first_drawn {
            self.first_drawn = true;
            if self.options.signal_ready {
                let t = dom::now_ms();
                let _ =
                    js_sys::Reflect::set(&dom::window(), &JsValue::from_str("__ppFirstDrawMs"), &JsValue::from_f64(t));
                if let Some(body) = dom::document().body() {
                    let _ = body.set_attribute("data-ready", "true");
                }
            }
        }
    }

    fn update_time(&mut self, now_ms: u64, display_ms: f64) {
        self.ui.sim_time.set("data-ms", &now_ms.to_string());
        let text = if self.speed < 0.5 {
            format!("t = {} s", fixed(display_ms / 1000.0, 5))
        } else {
            format!("t = {} s", fixed(display_ms / 1000.0, 3))
        };
        self.ui.sim_time.set_text(&text);
    }

    fn update_topics(&mut self, view: &ClusterView) {
        let names: Vec<String> = view.topics.iter().map(|t| t.name.clone()).collect();
        if names != self.topics_shown {
            let opts: Vec<(String, String)> = names.iter().map(|n| (n.clone(), n.clone())).collect();
            set_options(&self.ui.produce_topic, &opts);
            set_options(&self.ui.consume_topic, &opts);
            set_options(&self.ui.config_topic, &opts);
            self.topics_shown = names;
        }
        let topic = self.ui.produce_topic.value();
        let count = view.topics.iter().find(|t| t.name == topic).map_or(0, |t| t.partitions.len());
        if self.partitions_shown != (topic.clone(), count) {
            let mut opts = vec![(String::new(), "auto".to_string())];
            // A long list helps nobody: beyond 64 partitions only "auto".
            if count <= 64 {
                opts.extend((0..count).map(|i| (i.to_string(), i.to_string())));
            }
            set_options(&self.ui.produce_partition, &opts);
            self.partitions_shown = (topic, count);
        }
    }

    fn request_frame(&mut self) {
        if let Some(callback) = &self.frame_callback {
            self.frame_request = dom::window().request_animation_frame(callback.as_ref().unchecked_ref()).ok();
        }
    }

    /// Cancels the pending frame and removes every listener this playground added. A listener
    /// dropped while it runs (a Reset click) is freed by wasm-bindgen when it returns.
    fn detach(&mut self) {
        if let Some(id) = self.frame_request.take() {
            let _ = dom::window().cancel_animation_frame(id);
        }
        self.frame_callback = None;
        for l in self.listeners.drain(..) {
            let _ = l.target.remove_event_listener_with_callback(l.event, l.closure.as_ref().unchecked_ref());
        }
    }

    /// Stops, removes the listeners and the playground's DOM, and frees the engine's memory.
    fn dispose(&mut self) {
        self.stopped = true;
        self.detach();
        self.root.remove();
        if let Ok(empty) = Engine::new(&empty_scenario()) {
            self.engine = empty;
        }
        self.view = None;
        self.log.clear();
    }

    /// Replaces this playground by a fresh one of another scenario (after this event returns).
    fn load_scenario(&mut self, name: String) {
        let Some(container) = self.root.parent_element() else { return };
        // `start_page` disposes this playground just before it draws the next one, in the same
        // task: the page never shows an empty frame.
        self.stopped = true;
        let _ = dom::window().location().set_hash(&format!("scenario={name}"));
        let later = Closure::once_into_js(move || {
            let _ = super::start_page(&container, &name);
        });
        let _ = dom::window().set_timeout_with_callback(later.unchecked_ref());
    }

    // ---------------------------------------------------------------- clock

    fn set_playing(&mut self, playing: bool) {
        self.playing = playing;
        self.last_wall = None;
        let play = &self.ui.play;
        let _ = play.set_attribute("aria-pressed", if playing { "true" } else { "false" });
        let _ = play.set_attribute("aria-label", if playing { "Pause" } else { "Play" });
        play.set_text_content(Some(if playing { "❚❚ Pause" } else { "▶ Play" }));
        let _ = play.set_attribute("class", if playing { "playing" } else { "" });
    }

    fn step(&mut self) {
        self.set_playing(false);
        if let Some(t) = self.engine.step() {
            self.sim_ms = t as f64;
        }
        self.render();
    }

    fn set_speed(&mut self, speed: f64) {
        let speed = clamp(speed, 10f64.powf(SPEED_LOG_MIN), 10f64.powf(SPEED_LOG_MAX));
        self.speed = speed;
        let text = fmt_speed(speed);
        let _ = self.ui.speed.set_attribute("data-speed", &text);
        let _ = self.ui.speed.set_attribute("aria-valuetext", &format!("{text} times real time"));
        self.ui.speed_label.set_text_content(Some(&format!("{text}×")));
        let v = speed.log10();
        if (self.ui.speed.value_as_number() - v).abs() > 0.026 {
            self.ui.speed.set_value(&fixed(v, 2));
        }
    }

    fn on_speed_input(&mut self) {
        let v = self.ui.speed.value_as_number();
        let v = if v.is_finite() { clamp(v, SPEED_LOG_MIN, SPEED_LOG_MAX) } else { 0.0 };
        self.set_speed(nice_speed(10f64.powf(v)));
    }

    fn nudge_speed(&mut self, faster: bool) {
        let next = if faster {
            SPEEDS.iter().copied().find(|s| *s > self.speed * 1.01)
        } else {
            SPEEDS.iter().rev().copied().find(|s| *s < self.speed / 1.01)
        };
        if let Some(s) = next {
            self.set_speed(s);
        }
    }

    // ---------------------------------------------------------------- commands

    /// Applies a command now and redraws; the engine's error (its field and reason) on failure.
    fn apply(&mut self, command: Command) -> Result<(), CommandError> {
        let r = self.engine.apply(command);
        self.render();
        r
    }

    fn on_produce(&mut self) {
        let err = self.ui.produce_error.clone();
        let topic = self.ui.produce_topic.value();
        if topic.is_empty() {
            set_error(&err, "Choose a topic (create one under “Topics & configs”).", None);
            return;
        }
        let Some(count) = parse_whole(&self.ui.produce_count.value()) else {
            set_error(&err, "Count is a whole number.", Some(&self.ui.produce_count));
            return;
        };
        let Some(acks) = Acks::parse(&self.ui.produce_acks.value()) else {
            set_error(&err, "acks is 0, 1 or all.", None);
            return;
        };
        let key = self.ui.produce_key.value();
        let command = Command::Produce(Produce {
            producer: self.ui.produce_producer.value(),
            topic,
            key: if key.is_empty() { None } else { Some(key) },
            value: self.ui.produce_value.value(),
            count,
            partition: self.ui.produce_partition.value().parse().ok(),
            acks: Some(acks),
        });
        let result = self.apply(command);
        let field = match result.as_ref().map_err(|e| e.field.as_str()) {
            Err("count") => Some(&self.ui.produce_count),
            Err("key") => Some(&self.ui.produce_key),
            Err("value") => Some(&self.ui.produce_value),
            _ => None,
        };
        show_result(&err, &result, field);
        if result.is_ok() {
            let _ = self.ui.produce_count.set_attribute("aria-invalid", "false");
        }
    }

    fn on_consume(&mut self) {
        let err = self.ui.consume_error.clone();
        let consumer = self.ui.consume_consumer.value();
        let topic = self.ui.consume_topic.value();
        if topic.is_empty() {
            set_error(&err, "Choose a topic.", None);
            return;
        }
        self.on_rack();
        show_result(&err, &self.apply(Command::Consume { consumer, topic }), None);
    }

    /// Applies the chosen client.rack when it differs from the consumer's.
    fn on_rack(&mut self) {
        let err = self.ui.consume_error.clone();
        let consumer = self.ui.consume_consumer.value();
        let rack = self.ui.consume_rack.value();
        let current = self
            .view
            .as_ref()
            .and_then(|v| v.consumers.iter().find(|c| c.name == consumer))
            .map(|c| c.client_rack.clone());
        if current.as_deref() == Some(rack.as_str()) {
            return;
        }
        let change = ChangeConfig::ClientRack { consumer, client_rack: rack };
        show_result(&err, &self.apply(Command::ChangeConfig(change)), None);
    }

    fn on_link(&mut self, cut: bool) {
        let err = self.ui.link_error.clone();
        let (a, b) = (self.ui.link_a.value(), self.ui.link_b.value());
        let nodes = NodeRef::try_from(a).and_then(|a| NodeRef::try_from(b).map(|b| [a, b]));
        let between = match nodes {
            Ok(n) => n,
            Err(e) => {
                set_error(&err, &e, None);
                return;
            }
        };
        let command = if cut { Command::CutLink { between } } else { Command::HealLink { between } };
        show_result(&err, &self.apply(command), None);
    }

    fn on_create_topic(&mut self) {
        let name = self.ui.topic_name.value();
        let partitions = parse_whole(&self.ui.topic_partitions.value());
        let rf = parse_whole(&self.ui.topic_rf.value());
        let whole = |n: Option<u32>| if n.is_none() { "A whole number." } else { "" };
        set_error(&self.ui.topic_name_error, "", Some(&self.ui.topic_name));
        set_error(&self.ui.topic_partitions_error, whole(partitions), Some(&self.ui.topic_partitions));
        set_error(&self.ui.topic_rf_error, whole(rf), Some(&self.ui.topic_rf));
        set_error(&self.ui.topic_error, "", None);
        let (Some(partitions), Some(replication_factor)) = (partitions, rf) else { return };
        let spec = TopicSpec { name: name.clone(), partitions, replication_factor, config: TopicConfig::default() };
        match self.apply(Command::CreateTopic(spec)) {
            Ok(()) => {
                let err = &self.ui.topic_error;
                let _ = err.set_attribute("class", "ok-note");
                err.set_text_content(Some(&format!("Created topic {name}.")));
                self.on_config_topic();
            }
            Err(e) => {
                let (err, field) = match e.field.as_str() {
                    "name" => (&self.ui.topic_name_error, Some(&self.ui.topic_name)),
                    "partitions" => (&self.ui.topic_partitions_error, Some(&self.ui.topic_partitions)),
                    "replication.factor" => (&self.ui.topic_rf_error, Some(&self.ui.topic_rf)),
                    _ => (&self.ui.topic_error, None),
                };
                set_error(err, &capitalized(&e.reason), field);
            }
        }
    }

    /// Fills the config form from the chosen topic.
    fn on_config_topic(&mut self) {
        let topic = self.ui.config_topic.value();
        if let Some(t) = self.view.as_ref().and_then(|v| v.topics.iter().find(|t| t.name == topic)) {
            self.ui.config_min_isr.set_value(&t.min_insync_replicas.to_string());
            self.ui.config_unclean.set_checked(t.unclean_leader_election_enable);
            let _ = self.ui.config_min_isr.set_attribute("max", &t.replication_factor.to_string());
        }
    }

    fn on_config(&mut self) {
        let err = self.ui.config_error.clone();
        let topic = self.ui.config_topic.value();
        if topic.is_empty() {
            set_error(&err, "Choose a topic.", None);
            return;
        }
        let Some(min_isr) = parse_whole(&self.ui.config_min_isr.value()) else {
            set_error(&err, "min.insync.replicas is a whole number.", Some(&self.ui.config_min_isr));
            return;
        };
        let config = TopicConfig {
            min_insync_replicas: Some(min_isr),
            unclean_leader_election_enable: Some(self.ui.config_unclean.checked()),
        };
        let change = ChangeConfig::Topic { topic, config };
        let result = self.apply(Command::ChangeConfig(change));
        let field = result.is_err().then_some(&self.ui.config_min_isr);
        show_result(&err, &result, field);
        if result.is_ok() {
            let _ = err.set_attribute("class", "ok-note");
            err.set_text_content(Some("Applied."));
        }
    }

    // ---------------------------------------------------------------- diagram and menu

    fn on_diagram_click(&mut self, e: &MouseEvent) {
        let ev: &Event = e.unchecked_ref();
        let selected = self.select_from(ev);
        if let Some((el, id)) = closest_attr(ev, "data-broker") {
            if let Ok(id) = id.parse::<u32>() {
                if !selected {
                    self.selection = Selection::Broker(id);
                }
                let (x, y) = if e.client_x() == 0 && e.client_y() == 0 {
                    let r = el.get_bounding_client_rect();
                    (r.left() + r.width() / 2.0, r.top() + 24.0)
                } else {
                    (e.client_x() as f64, e.client_y() as f64)
                };
                self.open_menu(id, x, y);
            }
        }
        self.render();
    }

    /// Selects the replica, client, partition or controller under the event; false if none.
    fn select_from(&mut self, e: &Event) -> bool {
        if let Some((_, v)) = closest_attr(e, "data-replica") {
            if let Some((b, p)) = v.split_once(':') {
                if let Ok(b) = b.parse() {
                    self.selection = Selection::Replica(b, p.to_string());
                    return true;
                }
            }
        }
        if let Some((_, v)) = closest_attr(e, "data-client") {
            let sel = match v.split_once(':') {
                Some(("producer", i)) => i.parse().ok().map(Selection::Producer),
                Some(("consumer", i)) => i.parse().ok().map(Selection::Consumer),
                _ => None,
            };
            if let Some(s) = sel {
                self.selection = s;
                return true;
            }
        }
        if let Some((_, v)) = closest_attr(e, "data-partition") {
            self.selection = Selection::Partition(v);
            return true;
        }
        if closest_attr(e, "data-node").is_some() {
            self.selection = Selection::Controller;
            return true;
        }
        false
    }

    fn on_diagram_key(&mut self, e: &KeyboardEvent) {
        if e.key() != "Enter" && e.key() != " " {
            return;
        }
        let ev: &Event = e.unchecked_ref();
        if closest_attr(ev, "data-replica").is_none() {
            if let Some((el, id)) = closest_attr(ev, "data-broker") {
                e.prevent_default();
                if let Ok(id) = id.parse::<u32>() {
                    self.selection = Selection::Broker(id);
                    let r = el.get_bounding_client_rect();
                    self.open_menu(id, r.left() + 16.0, r.top() + 28.0);
                    self.render();
                }
                return;
            }
        }
        if self.select_from(ev) {
            e.prevent_default();
            self.render();
        }
    }

    fn open_menu(&mut self, broker: u32, x: f64, y: f64) {
        if self.menu_broker.is_none() {
            self.resume_after_menu = self.playing;
            if self.playing {
                self.set_playing(false);
            }
        }
        self.menu_broker = Some(broker);
        let menu = self.ui.menu.clone();
        let _ = menu.remove_attribute("hidden");
        let _ = menu.set_attribute("data-broker-id", &broker.to_string());
        let _ = menu.set_attribute("aria-label", &format!("Actions for broker {broker}"));
        self.ui.menu_title.set_text_content(Some(&format!("Broker {broker}")));
        // Keep it on screen: measure it where it would go, then clamp to the viewport.
        let win = dom::window();
        let vw = win.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(1000.0);
        let vh = win.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(800.0);
        let _ = menu.set_attribute("style", "left:0px;top:0px");
        let size = menu.get_bounding_client_rect();
        let (w, h) = (size.width().max(200.0), size.height().max(150.0));
        let left = (x + 8.0).min(vw - w - 4.0).max(4.0);
        let top = if y + 8.0 + h <= vh - 4.0 { y + 8.0 } else { (y - h - 8.0).max(4.0).min((vh - h - 4.0).max(4.0)) };
        let _ = menu.set_attribute("style", &format!("left:{}px;top:{}px", fixed(left, 0), fixed(top, 0)));
        if let Some(v) = self.view.take() {
            self.update_menu(&v);
            self.view = Some(v);
        }
        if let Ok(Some(first)) = menu.query_selector("button:not([disabled])") {
            let _ = html(&first).focus();
        }
    }

    fn update_menu(&mut self, view: &ClusterView) {
        let Some(id) = self.menu_broker else { return };
        let Some(b) = view.brokers.iter().find(|b| b.id.0 == id) else { return };
        let running = b.process == ProcessState::Running;
        let set = |action: &str, enabled: bool, text: Option<&str>| {
            if let Ok(Some(btn)) = self.ui.menu.query_selector(&format!("[data-action={action}]")) {
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
        set("restart", !running, None);
        set("shutdown", running && !b.in_controlled_shutdown, None);
        set("slow", true, Some(if b.stalled { "Resume its follower fetching" } else { "Slow its follower fetching" }));
    }

    fn close_menu(&mut self, refocus: bool) {
        let Some(id) = self.menu_broker.take() else { return };
        let _ = self.ui.menu.set_attribute("hidden", "");
        if self.resume_after_menu {
            self.set_playing(true);
        }
        self.resume_after_menu = false;
        if refocus {
            if let Ok(Some(g)) = self.diagram.svg.query_selector(&format!("[data-broker=\"{id}\"]")) {
                let _ = g.unchecked_ref::<web_sys::SvgElement>().focus();
            }
        }
    }

    fn on_menu_click(&mut self, e: &MouseEvent) {
        let Some((_, action)) = closest_attr(e.unchecked_ref(), "data-action") else { return };
        let Some(id) = self.menu_broker else { return };
        let broker = BrokerId(id);
        let stalled =
            self.view.as_ref().and_then(|v| v.brokers.iter().find(|b| b.id == broker)).is_some_and(|b| b.stalled);
        let command = match action.as_str() {
            "crash" => Some(Command::CrashBroker { broker }),
            "restart" => Some(Command::RestartBroker { broker }),
            "shutdown" => Some(Command::ControlledShutdown { broker }),
            "slow" => Some(Command::SlowReplica { broker, stalled: !stalled }),
            _ => None,
        };
        if action == "select" {
            self.selection = Selection::Broker(id);
        }
        self.close_menu(true);
        if let Some(c) = command {
            // A refusal also lands in the event log; nothing else to show.
            let _ = self.apply(c);
        } else {
            self.render();
        }
    }

    fn toggle_help(&mut self) {
        let d: &web_sys::HtmlDialogElement = self.ui.help.unchecked_ref();
        if d.open() {
            d.close();
        } else {
            let _ = d.show_modal();
        }
    }

    fn on_key(&mut self, e: &KeyboardEvent) {
        if !self.root.is_connected() || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        let target = target_el(e.unchecked_ref());
        let tag = target.as_ref().map(|t| t.tag_name().to_ascii_lowercase()).unwrap_or_default();
        let in_field = matches!(tag.as_str(), "input" | "select" | "textarea");
        let on_button = tag == "button"
            || tag == "summary"
            || target.as_ref().is_some_and(|t| t.get_attribute("role").as_deref() == Some("button"));
        let key = e.key();
        if key == "Escape" {
            self.close_menu(true);
            return;
        }
        if in_field || self.ui.help.unchecked_ref::<web_sys::HtmlDialogElement>().open() && key != "?" {
            return;
        }
        match key.as_str() {
            " " | "Spacebar" if !on_button => {
                e.prevent_default();
                let p = !self.playing;
                self.set_playing(p);
            }
            "ArrowRight" => {
                e.prevent_default();
                self.step();
            }
            "?" => {
                e.prevent_default();
                self.toggle_help();
            }
            "+" | "=" => self.nudge_speed(true),
            "-" | "_" => self.nudge_speed(false),
            _ => {}
        }
    }

    // ---------------------------------------------------------------- event log

    fn subject_key(&self, event: &ClusterEvent) -> String {
        let name = |p: crate::engine::PartitionIdx| self.engine.catalog().partition_name(p);
        match event.kind.subject() {
            None => String::new(),
            Some(Subject::Broker(b)) => format!("broker:{b}"),
            Some(Subject::Replica(b, p)) => format!("replica:{b}:{}", name(p)),
            Some(Subject::Partition(p)) => format!("partition:{}", name(p)),
            Some(Subject::Producer(c)) => format!("producer:{}", c.0),
            Some(Subject::Consumer(c)) => format!("consumer:{}", c.0),
            Some(Subject::Controller) => "controller".into(),
        }
    }

    fn line_for(&self, event: &ClusterEvent) -> LogLine {
        let class = match event.kind.severity() {
            Severity::Violation => "bad",
            Severity::Warning => "warn",
            Severity::Change => "key",
            Severity::Info => "",
        };
        LogLine {
            seq: event.seq,
            at_ms: event.at_ms,
            text: self.engine.explain(event),
            subject: self.subject_key(event),
            routine: event.kind.is_routine(),
            class,
        }
    }

    fn update_log(&mut self) {
        let next = self.engine.next_event_seq();
        if next == self.last_seq {
            return;
        }
        let new: Vec<LogLine> = self.engine.events_since(self.last_seq).map(|e| self.line_for(e)).collect();
        self.last_seq = next;
        let skip = new.len().saturating_sub(LOG_KEPT);
        let mut fresh = Vec::new();
        for line in new.into_iter().skip(skip) {
            if !(self.hide_routine && line.routine) {
                fresh.push(self.log.len());
            }
            self.log.push_back(line);
        }
        let dropped = self.log.len().saturating_sub(LOG_KEPT);
        self.log.drain(..dropped);
        let fresh: Vec<usize> = fresh.into_iter().filter_map(|i| i.checked_sub(dropped)).collect();
        let first_new = fresh.len().saturating_sub(LOG_SHOWN);
        for &i in &fresh[first_new..] {
            let li = make_li(&self.log[i]);
            let _ = self.ui.event_log.insert_before(&li, self.ui.event_log.first_child().as_ref());
        }
        trim_list(&self.ui.event_log, LOG_SHOWN);
    }

    fn rebuild_log(&mut self) {
        self.ui.event_log.set_text_content(None);
        let mut shown = 0;
        for line in self.log.iter().rev() {
            if self.hide_routine && line.routine {
                continue;
            }
            let _ = self.ui.event_log.append_child(&make_li(line));
            shown += 1;
            if shown == LOG_SHOWN {
                break;
            }
        }
    }

    fn on_log_click(&mut self, e: &MouseEvent) {
        let Some((_, subject)) = closest_attr(e.unchecked_ref(), "data-subject") else { return };
        let mut parts = subject.splitn(3, ':');
        let sel = match (parts.next(), parts.next(), parts.next()) {
            (Some("broker"), Some(b), _) => b.parse().ok().map(Selection::Broker),
            (Some("replica"), Some(b), Some(p)) => b.parse().ok().map(|b| Selection::Replica(b, p.to_string())),
            (Some("partition"), Some(p), _) => Some(Selection::Partition(p.to_string())),
            (Some("producer"), Some(i), _) => i.parse().ok().map(Selection::Producer),
            (Some("consumer"), Some(i), _) => i.parse().ok().map(Selection::Consumer),
            (Some("controller"), _, _) => Some(Selection::Controller),
            _ => None,
        };
        if let Some(s) = sel {
            self.selection = s;
            self.render();
            self.flash_selection();
        }
    }

    fn on_partition_row(&mut self, e: &MouseEvent) {
        if let Some((_, name)) = closest_attr(e.unchecked_ref(), "data-partition") {
            self.selection = Selection::Partition(name);
            self.render();
            self.flash_selection();
        }
    }

    /// Scrolls the selected element of the diagram into view.
    fn flash_selection(&self) {
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

fn make_li(line: &LogLine) -> Element {
    let li = el("li")
        .with("data-seq", &line.seq.to_string())
        .with("data-time", &format!("{}.{:03} s", line.at_ms / 1000, line.at_ms % 1000))
        .text(&line.text);
    let mut class = String::from(line.class);
    if line.routine {
        class.push_str(" routine");
    }
    if !line.subject.is_empty() {
        class.push_str(" linked");
        let _ = li.set_attribute("data-subject", &line.subject);
        let _ = li.set_attribute("tabindex", "0");
        let _ = li.set_attribute("title", "Show what this event is about");
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

/// Shows `message` (or clears it) and marks `field` invalid while there is one. Typed text stays.
/// The engine's answer to a form: its reason beside the form (and the input at fault marked), or
/// nothing.
fn show_result(err: &Element, result: &Result<(), CommandError>, field: Option<&HtmlInputElement>) {
    match (result, field) {
        (Ok(()), _) => set_error(err, "", field),
        // The input at fault is marked: the reason alone reads best beside it.
        (Err(e), Some(_)) => set_error(err, &capitalized(&e.reason), field),
        (Err(e), None) => set_error(err, &capitalized(&e.to_string()), None),
    }
}

/// A reason as a sentence: first letter up.
fn capitalized(reason: &str) -> String {
    let mut chars = reason.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn set_error(err: &Element, message: &str, field: Option<&HtmlInputElement>) {
    let _ = err.set_attribute("class", "error");
    err.set_text_content(Some(message));
    if let Some(f) = field {
        let _ = f.set_attribute("aria-invalid", if message.is_empty() { "false" } else { "true" });
    }
}
