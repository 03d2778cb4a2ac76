//! Building the page: the header and its clock, the diagram with its legend, the forms, the event
//! log, the panels, the broker menu and the help dialog. What the handlers read later is kept in
//! [`Ui`], one part per form.

use crate::engine::{insert_sorted, ClusterView, PartitionHealth, Scenario, LIMITS};
use crate::layout::fixed;
use crate::page::speed::{SPEED_LOG_MAX, SPEED_LOG_MIN};
use crate::web::diagram::{heat_class, Diagram};
use crate::web::dom::{el, svg, Build, Cached};
use crate::web::form::{actions, button, error_el, form, input, row, select};
use crate::web::panels::{Details, Partitions, Safety};
use crate::web::spacetime::SpaceTimeUi;
use crate::web::sweep::SweepUi;
use crate::web::SCENARIOS;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// The clock's controls in the header.
pub(super) struct ClockUi {
    pub(super) play: Element,
    pub(super) speed: HtmlInputElement,
    pub(super) speed_label: Element,
    pub(super) sim_time: Cached,
}

pub(super) struct ProduceUi {
    pub(super) producer: HtmlSelectElement,
    pub(super) topic: HtmlSelectElement,
    pub(super) key: HtmlInputElement,
    pub(super) value: HtmlInputElement,
    pub(super) count: HtmlInputElement,
    pub(super) partition: HtmlSelectElement,
    pub(super) error: Element,
}

pub(super) struct ConsumeUi {
    pub(super) consumer: HtmlSelectElement,
    pub(super) topic: HtmlSelectElement,
    pub(super) rack: HtmlSelectElement,
    pub(super) error: Element,
}

pub(super) struct LinkUi {
    pub(super) a: HtmlSelectElement,
    pub(super) b: HtmlSelectElement,
    pub(super) error: Element,
}

/// The create-topic form: each input has its own error line, and the form one more.
pub(super) struct TopicUi {
    pub(super) name: HtmlInputElement,
    pub(super) partitions: HtmlInputElement,
    pub(super) rf: HtmlInputElement,
    pub(super) name_error: Element,
    pub(super) partitions_error: Element,
    pub(super) rf_error: Element,
    pub(super) error: Element,
}

pub(super) struct ConfigUi {
    pub(super) topic: HtmlSelectElement,
    pub(super) min_isr: HtmlInputElement,
    pub(super) unclean: HtmlInputElement,
    pub(super) error: Element,
}

pub(super) struct MenuUi {
    pub(super) root: Element,
    pub(super) title: Element,
}

/// The form controls the handlers read.
pub(super) struct Ui {
    pub(super) clock: ClockUi,
    pub(super) diagram_wrap: Element,
    pub(super) produce: ProduceUi,
    pub(super) consume: ConsumeUi,
    /// The consumer group form and the groups' table (kafka-model §6.4).
    pub(super) group: crate::web::group_ui::GroupUi,
    pub(super) link: LinkUi,
    pub(super) topic: TopicUi,
    pub(super) config: ConfigUi,
    pub(super) event_log: Element,
    pub(super) hide_routine: HtmlInputElement,
    pub(super) show_replication: HtmlInputElement,
    /// What the last press of Step (→) did (`page::step`).
    pub(super) step_status: Element,
    pub(super) menu: MenuUi,
    pub(super) help: Element,
    pub(super) sweep: SweepUi,
    pub(super) share: super::share::ShareUi,
    /// The polite live region: what `page::announce` says (elections, losses, violations).
    pub(super) announce: Element,
    /// The Start button over the diagram (`start=click`) until the clock first plays.
    pub(super) start: Option<Element>,
}

/// What the shell holds: the controls and the drawn parts.
pub(super) struct Shell {
    pub(super) ui: Ui,
    pub(super) diagram: Diagram,
    pub(super) details: Details,
    pub(super) partitions: Partitions,
    pub(super) safety: Safety,
    pub(super) travel: super::travel::TravelUi,
    pub(super) spacetime: SpaceTimeUi,
}

// ------------------------------------------------------------------------------------------ helpers

/// Replaces a select's options, keeping its choice if it is still offered.
pub(super) fn set_options(select: &HtmlSelectElement, options: &[(String, String)]) {
    let keep = select.value();
    select.set_text_content(None);
    for (value, text) in options {
        let _ = select.append_child(&el("option").with("value", value).text(text));
    }
    if options.iter().any(|(v, _)| *v == keep) {
        select.set_value(&keep);
    }
}

fn refs(options: &[(String, String)]) -> Vec<(&str, &str)> {
    options.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

fn hide(e: &Element) {
    let _ = e.set_attribute("hidden", "");
}

// ------------------------------------------------------------------------------------------ shell

/// Builds the playground's page into `root` for the scenario and its first view.
pub(super) fn build_shell(root: &Element, view: &ClusterView, scenario: &Scenario, options: &super::Options) -> Shell {
    // The first tab stop: past the diagram's brokers, replicas and clients and the log to the forms.
    el("a")
        .with("class", "skip-link")
        .with("id", "skip-to-controls")
        .with("href", "#controls")
        .text("Skip to controls")
        .into_parent(root);
    let clock = build_header(root, options.embed.is_some());
    // What the page could not do of what its link asked (`page::parse_fragment`); hidden otherwise.
    el("p").with("id", "notice").with("class", "notice").with("role", "status").with("hidden", "").into_parent(root);
    let sweep = SweepUi::new(root);

    // Landmarks: the header (banner), this main part, and a named region per card. The document's
    // order is the visual order in both layouts (two columns, or one in it), so it is the tab order.
    let main = el("main").with("class", "layout").into_parent(root);
    let left = el("div").with("class", "col col-main").into_parent(&main);
    let right = el("div").with("class", "col col-side").into_parent(&main);

    // The diagram and its legend.
    let stage = el("section").with("class", "card stage").with("aria-label", "Cluster").into_parent(&left);
    let diagram_wrap = el("div").with("class", "diagram-wrap").into_parent(&stage);
    let diagram = Diagram::new();
    let _ = diagram_wrap.append_child(&diagram.svg);
    let start = options.wait_for_click.then(|| {
        button(&stage, "start", "▶ Start", "button")
            .with("class", "start primary")
            .with("title", "Start the simulation")
    });
    let step_status = el("p")
        .with("id", "step-status")
        .with("class", "step-status")
        .with("role", "status")
        .with("hidden", "")
        .into_parent(&stage);
    el("p")
        .with("class", "hint")
        .text("Click or tap a broker for crash / restart / shutdown / slow. Space plays or pauses, → steps, ? shows all shortcuts.")
        .into_parent(&stage);
    build_legend(&stage);

    // Controls.
    let controls = el("section")
        .with("class", "card controls")
        .with("id", "controls")
        .with("aria-label", "Controls")
        .with("tabindex", "-1")
        .into_parent(&right);
    el("h2").text("Controls").into_parent(&controls);
    let topics: Vec<(String, String)> = view.topics.iter().map(|t| (t.name.clone(), t.name.clone())).collect();
    let produce = build_produce(&controls, scenario, &refs(&topics));
    let consume = build_consume(&controls, view, scenario, &refs(&topics));
    let consumers: Vec<(&str, &str)> = scenario.consumers.iter().map(|c| (c.name.as_str(), c.name.as_str())).collect();
    let group = crate::web::group_ui::GroupUi::new(&controls, &consumers, &refs(&topics));
    let link = build_link(&controls, view, scenario);
    let topics_group = el("details").with("class", "form-group").into_parent(&controls);
    el("summary").text("Topics & configs").into_parent(&topics_group);
    let topic = build_topic(&topics_group, view);
    let config = build_config(&topics_group, &refs(&topics));

    let details = Details::new(&right);
    let spacetime = SpaceTimeUi::new(&left);
    let LogUi { event_log, hide_routine, show_replication } = build_log(&left);
    let partitions = Partitions::new(&right);
    let safety = Safety::new(&right);
    let share = super::share::build_share(&right);
    let travel = super::travel::build_travel(&diagram_wrap, &right);
    // Inside the main landmark (it is fixed on screen wherever it sits in the document).
    let menu = build_menu(&main);
    let help = build_help(root);
    // Read by screen readers when its text changes; one short sentence at a time (`page::announce`).
    let announce = el("div")
        .with("id", "announce")
        .with("class", "visually-hidden")
        .with("aria-live", "polite")
        .into_parent(&main);

    let ui = Ui {
        clock,
        diagram_wrap,
        produce,
        consume,
        group,
        link,
        topic,
        config,
        event_log,
        hide_routine,
        show_replication,
        step_status,
        menu,
        help,
        sweep,
        announce,
        share,
        start,
    };
    Shell { ui, diagram, details, partitions, safety, travel, spacetime }
}

/// The header: title, the clock's controls, the scenario choice, Reset and help; in an embed, the
/// way out to the full playground (the style sheet hides the rest there).
fn build_header(root: &Element, embed: bool) -> ClockUi {
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
    // The produce form's Send, beside the clock where the form is out of sight (a phone, a short
    // frame): the `form` attribute makes it submit that form, through the same handler.
    button(&clock, "quick-send", "Send", "submit")
        .with("form", "produce-form")
        .with("class", "quick-send")
        .with("title", "Send with the values of the Produce form");
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
    for s in &SCENARIOS {
        el("option").with("value", s.name).text(s.title).into_parent(&scenario_select);
    }
    // Named by its text (what a person says to voice control), described by its title.
    button(&header, "reset", "Reset", "button").with("title", "Start the scenario again");
    button(&header, "help-button", "?", "button")
        .with("aria-label", "Keyboard shortcuts and legend")
        .with("aria-haspopup", "dialog")
        .with("title", "Keyboard shortcuts (?)");
    if embed {
        // A fragment alone (or nothing) is this page's address with it: the same link, unframed.
        let hash = crate::web::dom::window().location().hash().unwrap_or_default();
        el("a")
            .with("class", "full-playground")
            .with("href", &crate::page::full_playground_fragment(&hash))
            .with("target", "_blank")
            .with("rel", "noopener")
            .text("Open in the full playground ↗")
            .into_parent(&header);
    }
    ClockUi { play, speed: speed.unchecked_into(), speed_label, sim_time: Cached::new(sim_time) }
}

fn build_produce(controls: &Element, scenario: &Scenario, topics: &[(&str, &str)]) -> ProduceUi {
    let produce = form(controls, "produce-form");
    el("h3").text("Produce").into_parent(&produce);
    let r = row(&produce);
    let producers: Vec<(&str, &str)> = scenario.producers.iter().map(|p| (p.name.as_str(), p.name.as_str())).collect();
    let producer = select(&r, "produce-producer", "Producer", &producers);
    if producers.len() <= 1 {
        let _ = producer.parent_element().map(|l| hide(&l));
    }
    let topic = select(&r, "produce-topic", "Topic", topics);
    let partition = select(&r, "produce-partition", "Partition", &[("", "auto")]);
    let _ = partition
        .set_attribute("title", "auto: by the key's murmur2 hash, or sticky when there is no key (kafka-model §5.1)");
    let r = row(&produce);
    let key = input(&r, "produce-key", "Key", "text", "");
    let _ = key.set_attribute("placeholder", "none = sticky");
    let _ = key.set_attribute("autocomplete", "off");
    let value = input(&r, "produce-value", "Value", "text", "hello");
    let _ = value.set_attribute("autocomplete", "off");
    let count = input(&r, "produce-count", "Count", "number", "1");
    let _ = count.set_attribute("min", "1");
    let _ = count.set_attribute("max", &LIMITS.records_max.to_string());
    let _ = count.set_attribute("inputmode", "numeric");
    button(&actions(&produce), "produce-submit", "Send", "submit").with("class", "primary");
    let error = error_el(&produce, "produce-error");
    el("p")
        .with("class", "hint")
        .text(
            "acks is the producer's own setting, fixed when it is constructed: select the producer to reconfigure it.",
        )
        .into_parent(&produce);
    if scenario.producers.is_empty() {
        hide(&produce);
    }
    ProduceUi { producer, topic, key, value, count, partition, error }
}

fn build_consume(controls: &Element, view: &ClusterView, scenario: &Scenario, topics: &[(&str, &str)]) -> ConsumeUi {
    let consume = form(controls, "consume-form");
    el("h3").text("Consume").into_parent(&consume);
    let r = row(&consume);
    let consumers: Vec<(&str, &str)> = scenario.consumers.iter().map(|c| (c.name.as_str(), c.name.as_str())).collect();
    let consumer = select(&r, "consume-consumer", "Consumer", &consumers);
    let topic = select(&r, "consume-topic", "Topic", topics);
    let mut racks: Vec<String> = Vec::new();
    for b in view.brokers.iter().filter(|b| !b.rack.is_empty()) {
        insert_sorted(&mut racks, b.rack.clone());
    }
    let mut rack_opts: Vec<(String, String)> = vec![(String::new(), "none".into())];
    rack_opts.extend(racks.iter().map(|r| (r.clone(), r.clone())));
    let rack = select(&r, "consume-rack", "client.rack", &refs(&rack_opts));
    let _ = rack.set_attribute(
        "title",
        "The consumer's rack: with the rack-aware selector it reads from a follower in its rack",
    );
    if let Some(c) = view.consumers.first() {
        rack.set_value(&c.client_rack);
    }
    button(&actions(&consume), "consume-submit", "Subscribe", "submit");
    let error = error_el(&consume, "consume-error");
    if scenario.consumers.is_empty() {
        hide(&consume);
    }
    ConsumeUi { consumer, topic, rack, error }
}

fn build_link(controls: &Element, view: &ClusterView, scenario: &Scenario) -> LinkUi {
    let faults = el("details").with("class", "form-group").into_parent(controls);
    el("summary").text("Network faults").into_parent(&faults);
    let link = form(&faults, "link-form");
    let r = row(&link);
    let mut nodes: Vec<(String, String)> = vec![("controller".into(), "Controller".into())];
    // A quorum's separate voters, each a node of its own (kafka-model §2.2).
    if view.controller.voters.len() > 1 && !view.controller.combined {
        nodes[0].1 = "Active controller".into();
        let voters = view.controller.voters.iter();
        nodes.extend(voters.map(|v| (format!("controller:{}", v.id), format!("Controller {}", v.id))));
    }
    nodes.extend(view.brokers.iter().map(|b| (format!("broker:{}", b.id), format!("Broker {}", b.id))));
    nodes.extend(scenario.producers.iter().map(|p| (format!("producer:{}", p.name), format!("Producer {}", p.name))));
    nodes.extend(scenario.consumers.iter().map(|c| (format!("consumer:{}", c.name), format!("Consumer {}", c.name))));
    let a = select(&r, "link-a", "Between", &refs(&nodes));
    let b = select(&r, "link-b", "and", &refs(&nodes));
    if nodes.len() > 1 {
        b.set_value(&nodes[1].0);
        a.set_value(&nodes[1].0);
        if nodes.len() > 2 {
            b.set_value(&nodes[2].0);
        }
    }
    let buttons = actions(&link);
    button(&buttons, "link-cut", "Cut link", "button").with("data-action", "cut-link");
    button(&buttons, "link-heal", "Heal link", "button").with("data-action", "heal-link");
    let error = error_el(&link, "link-error");
    el("p")
        .with("class", "hint")
        .text("A cut link drops requests both ways. Brokers have their own menu: click one in the diagram.")
        .into_parent(&link);
    LinkUi { a, b, error }
}

/// A number input with its own error line, in a field box of `row`.
fn number_field(r: &Element, id: &str, text: &str, value: &str) -> (HtmlInputElement, Element) {
    let field = el("div").with("class", "field").into_parent(r);
    let i = input(&field, id, text, "number", value);
    let _ = i.set_attribute("min", "1");
    let _ = i.set_attribute("aria-describedby", &format!("{id}-error"));
    (i, error_el(&field, &format!("{id}-error")))
}

fn build_topic(group: &Element, view: &ClusterView) -> TopicUi {
    let topic_form = form(group, "topic-form");
    el("h3").text("Create topic").into_parent(&topic_form);
    let r = row(&topic_form);
    let name_box = el("div").with("class", "field").into_parent(&r);
    let name = input(&name_box, "topic-name", "Name", "text", "");
    let _ = name.set_attribute("placeholder", "e.g. payments");
    let _ = name.set_attribute("autocomplete", "off");
    let _ = name.set_attribute("aria-describedby", "topic-name-error");
    let name_error = error_el(&name_box, "topic-name-error");
    let (partitions, partitions_error) = number_field(&r, "topic-partitions", "Partitions", "3");
    let rf_default = view.brokers.len().clamp(1, 3).to_string();
    let (rf, rf_error) = number_field(&r, "topic-rf", "Replication factor", &rf_default);
    let _ = rf.set_attribute("max", &view.brokers.len().to_string());
    button(&actions(&topic_form), "topic-submit", "Create", "submit");
    let error = error_el(&topic_form, "topic-error");
    TopicUi { name, partitions, rf, name_error, partitions_error, rf_error, error }
}

fn build_config(group: &Element, topics: &[(&str, &str)]) -> ConfigUi {
    let config_form = form(group, "config-form");
    el("h3").text("Topic config").into_parent(&config_form);
    let r = row(&config_form);
    let topic = select(&r, "config-topic", "Topic", topics);
    let min_isr = input(&r, "config-min-isr", "min.insync.replicas", "number", "1");
    let _ = min_isr.set_attribute("min", "1");
    let check = el("label").with("class", "check").into_parent(&r);
    let unclean: HtmlInputElement =
        el("input").with("id", "config-unclean").with("type", "checkbox").into_parent(&check).unchecked_into();
    el("span").text("unclean.leader.election.enable").into_parent(&check);
    let buttons = actions(&config_form);
    button(&buttons, "config-submit", "Apply", "submit");
    button(&buttons, "elect-preferred", "Elect preferred leaders", "button")
        .with("title", "kafka-leader-election.sh --election-type preferred --all-topic-partitions");
    button(&buttons, "add-broker", "Add broker", "button")
        .with("title", "A new broker joins the cluster: it registers and is unfenced; no replica moves to it");
    let error = error_el(&config_form, "config-error");
    ConfigUi { topic, min_isr, unclean, error }
}

struct LogUi {
    event_log: Element,
    hide_routine: HtmlInputElement,
    show_replication: HtmlInputElement,
}

/// The event log's card: its list and its two checks (`page::event_log` says what each covers).
fn build_log(left: &Element) -> LogUi {
    let log = el("section").with("class", "card log").with("aria-label", "Event log").into_parent(left);
    let head = el("div").with("class", "card-head").into_parent(&log);
    el("h2").text("Event log").into_parent(&head);
    let checks = el("div").with("class", "log-checks").into_parent(&head);
    let check = |id: &str, text: &str, title: &str| -> HtmlInputElement {
        let label = el("label").with("class", "check").with("title", title).into_parent(&checks);
        let input = el("input").with("id", id).with("type", "checkbox").into_parent(&label).unchecked_into();
        el("span").text(text).into_parent(&label);
        input
    };
    let show_replication = check(
        "show-replication",
        "show replication (appends, follower fetches, HW)",
        "Why the high watermark moves: each leader append, follower fetch and high-watermark advance",
    );
    let hide_routine = check(
        "hide-routine",
        "hide routine (acks, consumer fetches, retries)",
        "Hide acknowledgements, consumer fetches and produce retries",
    );
    // A listbox of one tab stop (`page::roving`): its lines are options named by their own text.
    let event_log = el("ul")
        .with("id", "event-log")
        .with("class", "events")
        .with("role", "listbox")
        .with("aria-label", "Events, newest first")
        .with("aria-live", "off")
        .into_parent(&log);
    LogUi { event_log, hide_routine, show_replication }
}

fn build_menu(root: &Element) -> MenuUi {
    let menu = el("div")
        .with("id", "broker-menu")
        .with("role", "menu")
        .with("class", "menu")
        .with("hidden", "")
        .into_parent(root);
    let title = el("p").with("class", "menu-title").into_parent(&menu);
    // The harmless item first: the menu opens with the focus on it, so a key pressed out of habit
    // (Space, which elsewhere plays the clock) shows details instead of crashing a broker.
    for (action, text) in [
        ("select", "Show details"),
        ("shutdown", "Controlled shutdown"),
        ("slow", "Slow its follower fetching"),
        ("restart", "Restart"),
        ("poweroff", "Power off (machine crash)"),
        ("crash", "Crash (kill -9)"),
    ] {
        el("button")
            .with("type", "button")
            .with("role", "menuitem")
            .with("data-action", action)
            .text(text)
            .into_parent(&menu);
    }
    el("p").with("class", "menu-note").text("The clock holds while this menu is open.").into_parent(&menu);
    MenuUi { root: menu, title }
}

// ------------------------------------------------------------------------------------------ legend

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

fn circle(s: &Element, r: &str, class: &str) {
    shape(s, "circle", &[("cx", "14"), ("cy", "9"), ("r", r), ("class", class)]);
}

/// A broker-sized box (a broker's state, a replica out of the ISR).
fn wide_box(s: &Element, class: &str) {
    shape(s, "rect", &[("x", "2"), ("y", "2"), ("width", "24"), ("height", "14"), ("rx", "3"), ("class", class)]);
}

fn cell(s: &Element, x: &str, width: &str, class: &str) {
    shape(s, "rect", &[("x", x), ("y", "3"), ("width", width), ("height", "12"), ("rx", "1.5"), ("class", class)]);
}

fn path(s: &Element, d: &str, class: &str) {
    shape(s, "path", &[("d", d), ("class", class)]);
}

fn build_legend(parent: &Element) {
    let d = el("details").with("class", "legend").with("open", "").into_parent(parent);
    el("summary").text("Legend").into_parent(&d);
    let ul = el("ul").into_parent(&d);
    swatch(&ul, "leader replica", &|s| circle(s, "7", "sw-leader"));
    swatch(&ul, "follower", &|s| circle(s, "7", "sw-follower"));
    swatch(&ul, "offline replica", &|s| circle(s, "7", "sw-offline"));
    swatch(&ul, "out of the ISR", &|s| wide_box(s, "sw-osr"));
    swatch(&ul, "record (colour = leader epoch)", &|s| {
        cell(s, "2", "11", "cell e0");
        cell(s, "15", "11", "cell e1");
    });
    swatch(&ul, "not yet committed (above HW)", &|s| cell(s, "8", "12", "cell e0 uncommitted"));
    swatch(&ul, "HW: high watermark (▲ below)", &|s| path(s, "M14 1V13M14 13l3.5 5h-7z", "hw-mark"));
    swatch(&ul, "LEO: log end offset (▼ above)", &|s| path(s, "M14 5V17M14 5l3.5 -5h-7z", "leo-mark"));
    swatch(&ul, "crashed / stopped broker", &|s| wide_box(s, "sw-crashed"));
    swatch(&ul, "fenced broker", &|s| wide_box(s, "sw-fenced"));
    swatch(&ul, "slow broker (followers stalled)", &|s| wide_box(s, "sw-stalled"));
    swatch(&ul, "cut link", &|s| path(s, "M1 9H27", "link cut"));
    swatch(&ul, "consumer reads from a follower", &|s| path(s, "M1 9H27", "link consume follower-read"));
    swatch(&ul, "produce request / response", &|s| circle(s, "4", "dot produce"));
    swatch(&ul, "replica fetch", &|s| circle(s, "4", "dot fetch"));
    swatch(&ul, "consumer fetch", &|s| circle(s, "4", "dot cfetch"));
    swatch(&ul, "controller traffic (heartbeats, metadata)", &|s| circle(s, "4", "dot ctrl"));
    for health in PartitionHealth::ALL {
        let text = match health {
            PartitionHealth::Healthy => "partition fully replicated",
            PartitionHealth::UnderReplicated => "under-replicated",
            PartitionHealth::UnderMinIsr => "ISR below min.insync.replicas",
            PartitionHealth::Offline => "offline (no leader)",
        };
        let li = swatch(&ul, text, &|s| cell(s, "8", "12", heat_class(health)));
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
        ("[  /  ]", "time slider: back / forward to the previous / next marked event (crash, election, ISR change, loss, truncation)"),
        ("L", "back to now: the live simulation after viewing the past"),
        ("+  /  −", "faster / slower"),
        ("?", "this help"),
        ("Esc", "close a menu or this dialog"),
        ("Enter", "on a focused broker: its menu; on a replica, client, partition or event: its details"),
        ("↑ ↓ Home End", "in the event log or the broker menu: move along its lines"),
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
