//! Browser tests of the page's binding layer and rendering, in headless Chromium:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver
//! cargo test --target wasm32-unknown-unknown --test web`.
//!
//! Each test mounts the playground into its own container (no frame loop, no global listeners),
//! drives it through the DOM like a person would, and removes the container at the end.
#![cfg(target_arch = "wasm32")]

use partition_playground::scenario;
use partition_playground::web::{mount, AppHandle, Options, DEFAULT_SCENARIO, SCENARIOS};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

struct Mounted {
    container: Element,
    app: AppHandle,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.app.dispose();
        self.container.remove();
    }
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn mount_scenario(json: &str) -> Mounted {
    let container = document().create_element("div").unwrap();
    container.set_attribute("style", "width:1200px").unwrap();
    document().body().unwrap().append_child(&container).unwrap();
    let scenario = scenario::parse(json).expect("a valid scenario");
    let app = mount(&container, &scenario, Options::test()).expect("the scenario is within the contract");
    Mounted { container, app }
}

impl Mounted {
    fn q(&self, selector: &str) -> Element {
        self.container.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no element matches {selector}"))
    }
    fn count(&self, selector: &str) -> u32 {
        self.container.query_selector_all(selector).unwrap().length()
    }
    fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.container.query_selector_all(selector).unwrap();
        (0..list.length()).map(|i| list.item(i).unwrap().unchecked_into()).collect()
    }
    fn set_input(&self, selector: &str, value: &str) {
        let i: HtmlInputElement = self.q(selector).unchecked_into();
        i.set_value(value);
        dispatch(&i, "new Event('input', {bubbles: true})");
    }
    fn set_select(&self, selector: &str, value: &str) {
        let s: HtmlSelectElement = self.q(selector).unchecked_into();
        s.set_value(value);
        dispatch(&s, "new Event('change', {bubbles: true})");
    }
    fn click(&self, selector: &str) {
        click(&self.q(selector));
    }
    fn text(&self, selector: &str) -> String {
        self.q(selector).text_content().unwrap_or_default()
    }
    fn attr(&self, selector: &str, name: &str) -> String {
        self.q(selector).get_attribute(name).unwrap_or_default()
    }
}

/// Dispatches the event that `constructor` (JavaScript) builds on `target`.
fn dispatch(target: &JsValue, constructor: &str) {
    let f = js_sys::Function::new_with_args("el", &format!("el.dispatchEvent({constructor});"));
    f.call1(&JsValue::NULL, target).unwrap();
}

/// A click that works on HTML and SVG elements alike.
fn click(el: &Element) {
    match el.dyn_ref::<HtmlElement>() {
        Some(h) => h.click(),
        None => dispatch(el, "new MouseEvent('click', {bubbles: true, clientX: 100, clientY: 100})"),
    }
}

#[wasm_bindgen_test]
fn default_scenario_draws_three_brokers_and_nine_replicas() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    assert_eq!(m.count("#diagram [data-broker]"), 3);
    assert_eq!(m.count("#diagram [data-replica]"), 9);
    assert_eq!(m.count("#diagram .rack"), 3, "one rack box per rack");
    for b in m.all("[data-broker]") {
        assert_eq!(b.get_attribute("data-state").as_deref(), Some("running"));
        assert_eq!(b.get_attribute("data-fenced").as_deref(), Some("false"));
        // Named by its title (also its tooltip), which begins with what the broker shows.
        let title = b.query_selector("title").unwrap().and_then(|t| t.text_content()).unwrap_or_default();
        assert!(title.starts_with("Broker "), "{title}");
    }
    let leaders: Vec<Element> = m.all("[data-replica][data-role=leader]");
    assert_eq!(leaders.len(), 3, "one leader per partition");
    for r in m.all("[data-replica]") {
        assert_eq!(r.get_attribute("data-leo").as_deref(), Some("0"));
        assert_eq!(r.get_attribute("data-hw").as_deref(), Some("0"));
        assert_eq!(r.get_attribute("data-in-isr").as_deref(), Some("true"));
        assert_eq!(r.get_attribute("data-leader-epoch").as_deref(), Some("0"));
    }
    let p = m.q("[data-partition='orders-0']");
    assert_eq!(p.get_attribute("data-isr").map(|s| s.split(',').count()), Some(3));
    let leader = p.get_attribute("data-leader").unwrap();
    assert_eq!(m.attr(&format!("[data-replica='{leader}:orders-0']"), "data-role"), "leader");
    assert_eq!(m.attr("#safety", "data-unexpected"), "0");
    assert!(m.text("#sim-time").contains("0.000 s"));
    // acks is the producer's setting (its panel reconfigures it), not the produce form's.
    assert_eq!(m.count("#produce-form select[name*=acks]"), 0);
    // The event log: newest first, one line per event, each with the engine's explanation.
    let lines = m.all("#event-log li");
    assert!(!lines.is_empty());
    assert!(
        lines[0].get_attribute("data-seq").unwrap().parse::<u64>().unwrap()
            > lines[lines.len() - 1].get_attribute("data-seq").unwrap().parse::<u64>().unwrap()
    );
}

#[wasm_bindgen_test]
fn a_produce_through_the_form_shows_the_records() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    m.set_select("#produce-topic", "orders");
    m.set_input("#produce-key", "order-42");
    m.set_input("#produce-value", "hello <b>world</b>");
    m.set_input("#produce-count", "5");
    m.click("#produce-submit");
    assert_eq!(m.text("#produce-error"), "", "no error for a valid produce");
    m.app.advance_by(2_000.0);
    m.app.render();
    // murmur2("order-42") % 3 == 0: every record went to orders-0.
    let replicas = m.all("[data-replica$=':orders-0']");
    assert_eq!(replicas.len(), 3);
    for r in &replicas {
        assert_eq!(r.get_attribute("data-leo").as_deref(), Some("5"), "{:?}", r.get_attribute("data-replica"));
        assert_eq!(r.get_attribute("data-hw").as_deref(), Some("5"));
    }
    assert!(m
        .all("[data-replica$=':orders-1'], [data-replica$=':orders-2']")
        .iter()
        .all(|r| r.get_attribute("data-leo").as_deref() == Some("0")));
    // The log strip draws the five offsets.
    let leader = m.attr("[data-partition='orders-0']", "data-leader");
    let strip_texts: Vec<String> = m
        .all(&format!("[data-replica='{leader}:orders-0'] .cell-text"))
        .iter()
        .filter_map(|t| t.text_content())
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(strip_texts, ["0", "1", "2", "3", "4"]);
    // Selecting the leader replica shows its log tail with the value as text, not markup.
    click(&m.q(&format!("[data-replica='{leader}:orders-0']")));
    let details = m.text("#details");
    assert!(details.contains("hello <b>world</b>"), "{details}");
    assert!(m.container.query_selector("#details b").unwrap().is_none(), "a value is never parsed as HTML");
    assert!(m.text("#details").contains("high watermark (HW)5"));
    // The producer's panel lists the acknowledged send.
    click(&m.q("[data-client='producer:0']"));
    assert!(m.text("#details").contains("acknowledged at offset 0"), "{}", m.text("#details"));
}

/// The value of the selection panel's row `key`.
fn detail(m: &Mounted, key: &str) -> String {
    let row = m
        .all("#details .kv tr")
        .into_iter()
        .find(|tr| tr.first_element_child().and_then(|td| td.text_content()).as_deref() == Some(key));
    row.and_then(|tr| tr.last_element_child())
        .and_then(|td| td.text_content())
        .unwrap_or_else(|| panic!("no row {key}"))
}

#[wasm_bindgen_test]
fn the_producer_panel_reconfigures_acks_and_shows_kafkas_refusal_beside_the_select() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    assert_eq!(m.attr("#reconfigure-form", "data-hidden"), "true", "no producer selected");
    click(&m.q("[data-client='producer:0']"));
    assert_eq!(m.attr("#reconfigure-form", "data-hidden"), "false");
    assert_eq!((detail(&m, "acks"), detail(&m, "enable.idempotence")), ("all".into(), "true".into()));
    let first_id = detail(&m, "producer id / epoch");
    let select = |id: &str| -> HtmlSelectElement { m.q(id).unchecked_into() };
    assert_eq!(
        (select("#reconfigure-acks").value(), select("#reconfigure-idempotence").value()),
        ("all".into(), "default".into())
    );

    // KAFKA-13673: an explicit enable.idempotence=true with acks=1 is a ConfigException.
    m.set_select("#reconfigure-acks", "1");
    m.set_select("#reconfigure-idempotence", "true");
    m.click("#reconfigure-submit");
    assert!(m.text("#reconfigure-error").contains("needs acks=all, not acks=1"), "{}", m.text("#reconfigure-error"));
    assert_eq!(m.attr("#reconfigure-idempotence", "aria-invalid"), "true");
    assert_eq!(detail(&m, "acks"), "all", "nothing changed");

    // The default idempotence goes with acks=1.
    m.set_select("#reconfigure-idempotence", "default");
    m.click("#reconfigure-submit");
    assert_eq!(m.attr("#reconfigure-idempotence", "aria-invalid"), "false");
    assert!(m.text("#reconfigure-error").contains("acks=1"), "{}", m.text("#reconfigure-error"));
    assert_eq!((detail(&m, "acks"), detail(&m, "enable.idempotence")), ("1".into(), "false".into()));
    assert!(m.text("[data-client='producer:0'] title").starts_with("Producer producer-1: acks=1,"), "the diagram too");
    assert_eq!(detail(&m, "producer id / epoch"), "none (not idempotent)");
    let log = m.text("#event-log");
    assert!(log.contains("enable.idempotence defaults to false when acks is not all (KAFKA-13673)"), "{log}");

    // A send now goes with acks=1, and the send list says so.
    m.set_select("#produce-topic", "orders");
    m.set_input("#produce-count", "1");
    m.click("#produce-submit");
    m.app.advance_by(1_000.0);
    m.app.render();
    assert!(m.text("#details").contains("acks=1acknowledged at offset"), "{}", m.text("#details"));

    // Back to acks=all: idempotent again, under a new producer id.
    m.set_select("#reconfigure-acks", "all");
    m.click("#reconfigure-submit");
    assert_eq!((detail(&m, "acks"), detail(&m, "enable.idempotence")), ("all".into(), "true".into()));
    assert_ne!(detail(&m, "producer id / epoch"), first_id);
}

#[wasm_bindgen_test]
fn a_scenario_over_the_engines_budget_is_refused_and_nothing_is_built() {
    let container = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&container).unwrap();
    let mut s = scenario::parse(DEFAULT_SCENARIO).expect("valid");
    s.topics[0].partitions = 5_000;
    let e = mount(&container, &s, Options::test()).err().expect("5,000 partitions × RF 3 is over budget");
    assert_eq!(e.path, "topics[0].partitions");
    assert!(e.reason.contains("15,000 replicas"), "{e}");
    assert_eq!(container.child_element_count(), 0, "nothing was built");
    container.remove();
}

#[wasm_bindgen_test]
fn bad_input_gets_inline_errors_and_nothing_typed_is_lost() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    let hostile = "<img src=x onerror=alert(1)>";
    m.set_input("#topic-name", hostile);
    m.set_input("#topic-partitions", "3");
    m.set_input("#topic-rf", "7");
    m.click("#topic-submit");
    // The engine's first objection, beside the input at fault.
    assert!(m.text("#topic-name-error").contains("may only contain"), "{}", m.text("#topic-name-error"));
    assert_eq!(m.text("#topic-partitions-error"), "");
    assert!(document().query_selector("img").unwrap().is_none(), "the name was never parsed as HTML");
    let name: HtmlInputElement = m.q("#topic-name").unchecked_into();
    assert_eq!(name.value(), hostile, "what was typed stays");
    assert_eq!(m.attr("#topic-name", "aria-invalid"), "true");
    assert_eq!(m.count("#produce-topic option"), 1, "no topic was created");
    // With the name fixed, the next: RF 7 on 3 brokers.
    m.set_input("#topic-name", "audit");
    m.click("#topic-submit");
    assert_eq!(m.text("#topic-name-error"), "");
    assert!(m.text("#topic-rf-error").contains("number of brokers (3)"), "RF > brokers: {}", m.text("#topic-rf-error"));
    assert_eq!(m.attr("#topic-rf", "aria-invalid"), "true");
    // 10,000 partitions × RF 3 is over the engine's replica budget.
    m.set_input("#topic-partitions", "10000");
    m.set_input("#topic-rf", "3");
    m.click("#topic-submit");
    assert!(
        m.text("#topic-partitions-error").contains("the playground holds at most 10,000"),
        "{}",
        m.text("#topic-partitions-error")
    );
    m.set_input("#topic-partitions", "3");

    m.set_input("#topic-name", "");
    m.click("#topic-submit");
    assert!(m.text("#topic-name-error").contains("empty"));

    m.set_input("#produce-count", "0");
    m.click("#produce-submit");
    assert!(m.text("#produce-error").contains("1 to 1,000,000, found 0"), "{}", m.text("#produce-error"));
    assert_eq!(m.attr("#produce-count", "aria-invalid"), "true");
    let count: HtmlInputElement = m.q("#produce-count").unchecked_into();
    assert_eq!(count.value(), "0");
    // The record budget covers the scenario and the page session together.
    m.set_input("#produce-count", "1000000");
    m.click("#produce-submit");
    assert_eq!(m.text("#produce-error"), "");
    m.set_input("#produce-count", "1");
    m.click("#produce-submit");
    assert!(
        m.text("#produce-error").contains("would hold 1,000,001 records; the playground holds at most 1,000,000"),
        "{}",
        m.text("#produce-error")
    );

    // A valid topic is created and offered in the produce form.
    m.set_input("#topic-name", "payments");
    m.set_input("#topic-rf", "2");
    m.click("#topic-submit");
    assert_eq!(m.text("#topic-name-error"), "");
    assert_eq!(m.text("#topic-rf-error"), "");
    assert_eq!(m.count("#produce-topic option"), 2);
    assert_eq!(m.count("#diagram [data-replica$=':payments-0']"), 2);
}

#[wasm_bindgen_test]
fn the_broker_menu_crashes_a_broker_and_a_new_leader_is_elected() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    let leader = m.attr("[data-partition='orders-0']", "data-leader");
    let epoch: u32 = m.attr("[data-partition='orders-0']", "data-leader-epoch").parse().unwrap();
    assert!(m.q("#broker-menu").has_attribute("hidden"));
    click(&m.q(&format!("#diagram [data-broker='{leader}']")));
    assert!(!m.q("#broker-menu").has_attribute("hidden"), "clicking a broker opens its menu");
    assert!(m.q("#broker-menu [data-action=restart]").has_attribute("disabled"), "a running broker cannot restart");
    m.click("#broker-menu [data-action=crash]");
    assert!(m.q("#broker-menu").has_attribute("hidden"));
    assert_eq!(m.attr(&format!("[data-broker='{leader}']"), "data-state"), "crashed");
    m.app.advance_by(12_000.0);
    m.app.render();
    assert_eq!(m.attr(&format!("[data-broker='{leader}']"), "data-fenced"), "true");
    let new_leader = m.attr("[data-partition='orders-0']", "data-leader");
    assert_ne!(new_leader, leader);
    let new_epoch: u32 = m.attr("[data-partition='orders-0']", "data-leader-epoch").parse().unwrap();
    assert!(new_epoch > epoch);
    let log: Vec<String> = m.all("#event-log li").iter().filter_map(|li| li.text_content()).collect();
    assert!(log.iter().any(|l| l.contains(&format!("fenced broker {leader}"))), "{log:?}");
    // Newest first: the fencing comes before (above) the crash.
    let fenced = log.iter().position(|l| l.contains(&format!("fenced broker {leader}"))).unwrap();
    let crashed = log.iter().position(|l| l.contains(&format!("broker {leader} crashed"))).unwrap();
    assert!(fenced < crashed);
    // An event links to what it concerns.
    let li = m.q("#event-log li[data-subject^='broker:']");
    click(&li);
    assert!(m.text("#details h2").starts_with("Broker "));
    // Restart from the menu.
    click(&m.q(&format!("#diagram [data-broker='{leader}']")));
    m.click("#broker-menu [data-action=restart]");
    m.app.advance_by(5_000.0);
    m.app.render();
    assert_eq!(m.attr(&format!("[data-broker='{leader}']"), "data-state"), "running");
    assert_eq!(m.attr("#safety", "data-unexpected"), "0");
}

#[wasm_bindgen_test]
fn step_speed_and_cut_link_controls() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    m.click("#step");
    let t1: u64 = m.attr("#sim-time", "data-ms").parse().unwrap();
    for _ in 0..50 {
        m.click("#step");
    }
    let t2: u64 = m.attr("#sim-time", "data-ms").parse().unwrap();
    assert!(t2 > t1, "stepping advances simulated time ({t1} -> {t2})");
    let speed: HtmlInputElement = m.q("#speed").unchecked_into();
    speed.set_value(&speed.max());
    dispatch(&speed, "new Event('input', {bubbles: true})");
    assert_eq!(m.attr("#speed", "data-speed"), "1000");
    speed.set_value("-2");
    dispatch(&speed, "new Event('change', {bubbles: true})");
    assert_eq!(m.attr("#speed", "data-speed"), "0.01");
    // Cut the link between the controller and broker 2: it shows as a cut link.
    m.set_select("#link-a", "controller");
    m.set_select("#link-b", "broker:2");
    m.click("#link-cut");
    assert_eq!(m.text("#link-error"), "");
    assert_eq!(m.count("#diagram path.link.cut"), 1);
    m.click("#link-heal");
    assert_eq!(m.count("#diagram path.link.cut"), 0);
    m.set_select("#link-b", "controller");
    m.click("#link-cut");
    assert!(m.text("#link-error").contains("a link joins two different nodes"), "{}", m.text("#link-error"));
}

#[wasm_bindgen_test]
fn a_consumer_with_a_rack_reads_from_its_same_rack_follower() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    m.set_select("#consume-rack", "b");
    m.app.advance_by(3_000.0);
    m.app.render();
    assert!(m.count("#diagram path.follower-read") >= 1, "a follower-fetch link is drawn");
    let labels: Vec<String> = m.all("#diagram .link-label").iter().filter_map(|t| t.text_content()).collect();
    assert!(labels.iter().any(|l| l.contains("follower 2") && l.contains("rack b")), "{labels:?}");
}

/// 100 brokers × 1,000 partitions: a summary (tiles and a heat map), no per-replica log strips.
#[wasm_bindgen_test]
fn a_large_cluster_is_drawn_as_a_summary() {
    let brokers: Vec<String> =
        (1..=100).map(|i| format!("{{\"id\": {i}, \"rack\": \"{}\"}}", ["a", "b", "c"][i % 3])).collect();
    let json = format!(
        "{{\"format\": 1, \"seed\": 7, \"cluster\": {{\"brokers\": [{}]}}, \
         \"topics\": [{{\"name\": \"big\", \"partitions\": 1000, \"replication.factor\": 3}}], \
         \"producers\": [{{\"name\": \"p\"}}], \"consumers\": [{{\"name\": \"c\"}}], \"commands\": [], \"until_ms\": 1000}}",
        brokers.join(",")
    );
    let m = mount_scenario(&json);
    assert_eq!(m.count("#diagram [data-broker]"), 100);
    assert_eq!(m.count("#diagram [data-replica]"), 0, "no per-replica detail at this scale");
    assert_eq!(m.count("#diagram [data-partition]"), 1000);
    // Each rack spans several rows of tiles and is named once (issue 8).
    assert!(m.count("#diagram .rack") > 3, "racks span rows");
    let labels: Vec<String> = m.all("#diagram .rack-label").iter().filter_map(|e| e.text_content()).collect();
    assert_eq!(labels, ["rack a", "rack b", "rack c"]);
    let perf = web_sys::window().unwrap().performance().unwrap();
    let t0 = perf.now();
    for _ in 0..10 {
        m.app.advance_by(50.0);
        m.app.render();
    }
    let per_frame = (perf.now() - t0) / 10.0;
    console_log!("100 brokers × 1000 partitions: {per_frame:.1} ms per frame (debug build)");
    assert!(m.attr("[data-partition='big-999']", "data-isr").split(',').count() == 3);
}

// The benchmarks' exports are built with the `bench` feature (`./dev bench`; `./dev test` runs
// the browser tests with it).
#[cfg(feature = "bench")]
#[wasm_bindgen_test]
fn the_exported_benchmarks_measure_and_clean_up() {
    let code = SCENARIOS[0].code;
    let frames = partition_playground::web::pp_frame_bench(code, 20, 16.0).unwrap();
    assert_eq!(frames.len(), 20);
    assert!(frames.iter().all(|ms| ms.is_finite() && *ms >= 0.0), "{frames:?}");
    let a: serde_json::Value =
        serde_json::from_str(&partition_playground::web::pp_engine_bench(code, 10_000.0).unwrap()).unwrap();
    let b: serde_json::Value =
        serde_json::from_str(&partition_playground::web::pp_engine_bench(code, 10_000.0).unwrap()).unwrap();
    assert_eq!(a["state_hash"].as_str().map(str::len), Some(16));
    assert_eq!(a["state_hash"], b["state_hash"], "deterministic");
    assert_eq!(a["steps"], b["steps"]);
    assert!(document().body().unwrap().query_selector("#diagram").unwrap().is_none(), "the bench cleans up");
    let damaged = partition_playground::web::pp_engine_bench(&code[..code.len() - 3], 10_000.0).unwrap_err();
    assert!(damaged.as_string().unwrap().contains("not a scenario code"), "{damaged:?}");
}

/// The page embeds binary codes and reads no JSON: in the browser, each code decodes to the same
/// scenario as its JSON file, which the runner reads.
#[wasm_bindgen_test]
fn the_page_scenarios_decode_to_their_json_files() {
    let json = [DEFAULT_SCENARIO, include_str!("../www/scenarios/large.json")];
    assert_eq!(SCENARIOS.len(), json.len());
    for (page, json) in SCENARIOS.iter().zip(json) {
        let decoded = partition_playground::web::page_scenario(page.name).unwrap();
        assert_eq!(decoded, scenario::parse(json).unwrap(), "{}", page.name);
    }
}

#[wasm_bindgen_test]
fn an_explicit_partition_overrides_the_key_hash() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    assert_eq!(m.count("#produce-partition option"), 4, "auto and partitions 0-2");
    m.set_input("#produce-key", "order-42");
    m.set_select("#produce-partition", "2");
    m.set_input("#produce-count", "2");
    m.click("#produce-submit");
    assert_eq!(m.text("#produce-error"), "");
    m.app.advance_by(1_000.0);
    m.app.render();
    for r in m.all("[data-replica$=':orders-2']") {
        assert_eq!(r.get_attribute("data-leo").as_deref(), Some("2"));
    }
    for r in m.all("[data-replica$=':orders-0']") {
        assert_eq!(r.get_attribute("data-leo").as_deref(), Some("0"));
    }
}

/// A disposed playground leaves nothing behind: its DOM is gone and its controls, if anything still
/// holds them, no longer reach it (the page disposes the old playground when it switches scenarios).
#[wasm_bindgen_test]
fn a_disposed_playground_is_gone_and_no_longer_answers_its_controls() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    m.click("#step");
    let (step, play, time) = (m.q("#step"), m.q("#play"), m.q("#sim-time"));
    let t = time.get_attribute("data-ms");
    assert_eq!(play.get_attribute("aria-pressed").as_deref(), Some("false"));
    let form = m.q("#produce-form");
    m.app.dispose();
    assert_eq!(m.count(".pp"), 0, "the playground's DOM is removed");
    for _ in 0..3 {
        click(&step);
    }
    click(&play);
    assert_eq!(time.get_attribute("data-ms"), t, "Step no longer advances anything");
    assert_eq!(play.get_attribute("aria-pressed").as_deref(), Some("false"), "Play no longer toggles anything");
    assert!(!form.is_connected(), "a form out of the document cannot submit (no page load)");
    m.app.dispose(); // twice is harmless
}

/// A link is user input: what the page cannot use is named, the rest applies.
#[wasm_bindgen_test]
fn the_url_fragment_is_read_and_its_mistakes_named() {
    use partition_playground::web::parse_fragment;
    let o = parse_fragment("#scenario=large&speed=0.1&paused");
    assert_eq!((o.scenario.as_str(), o.speed, o.paused), ("large", Some(0.1), true));
    assert!(o.problems.is_empty(), "{:?}", o.problems);
    assert_eq!(parse_fragment("").scenario, "default");
    assert_eq!(parse_fragment("speed=1e3").speed, Some(1000.0));

    let o = parse_fragment("#scenario=lage&speed=2x&pause&speed=-1");
    assert_eq!((o.scenario.as_str(), o.speed, o.paused), ("default", None, false));
    assert_eq!(o.problems.len(), 4, "{:?}", o.problems);
    assert!(
        o.problems[0].contains("there is no scenario “lage”, so the default one opened (scenarios: default, large)"),
        "{}",
        o.problems[0]
    );
    assert!(o.problems[1].contains("speed “2x” is not a positive number"), "{}", o.problems[1]);
    assert!(o.problems[2].contains("“pause” is not an option"), "{}", o.problems[2]);
    assert!(o.problems[3].contains("speed “-1”"), "{}", o.problems[3]);

    let long = format!("scenario={}", "x".repeat(5000));
    let o = parse_fragment(&long);
    assert!(o.problems[0].chars().count() < 120, "a long link is quoted short: {}", o.problems[0]);
}

/// Twelve partitions of a long topic name: every replica's label keeps its partition number, and
/// a log longer than the strip shows its open left edge (issue 8).
#[wasm_bindgen_test]
fn long_topic_names_keep_the_partition_number_and_a_long_log_shows_its_window() {
    let m = mount_scenario(
        r#"{ "format": 1, "seed": 3,
      "cluster": { "brokers": [{ "id": 1 }, { "id": 2 }, { "id": 3 }] },
      "topics": [{ "name": "payments-events", "partitions": 12, "replication.factor": 3 }],
      "producers": [{ "name": "p", "config": { "acks": "all" } }],
      "commands": [{ "at_ms": 10, "produce": { "producer": "p", "topic": "payments-events", "partition": 0, "value": "v", "count": 40 } }] }"#,
    );
    m.app.advance_by(3_000.0);
    m.app.render();
    let mut names: Vec<String> =
        m.all("[data-replica^='1:'] .replica-name").iter().filter_map(|e| e.text_content()).collect();
    assert_eq!(names.len(), 12);
    for n in &names {
        assert!(n.chars().count() <= 13, "{n} fits its label");
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 12, "twelve distinct labels: {names:?}");
    assert!(names.iter().any(|n| n.ends_with("-11")), "{names:?}");
    // 40 records in partition 0, more than the strip's cells: its edge is open; partition 1's is not.
    let edge = |p: &str| m.attr(&format!("[data-replica='1:payments-events-{p}'] .window-edge"), "display");
    assert_eq!(edge("0"), "inline");
    assert_eq!(edge("1"), "none");
    assert!(m.q("[data-replica='1:payments-events-0'] title").text_content().unwrap().contains("earlier not drawn"));
}

/// Topic `t` on brokers 1, 2, 3 loses them one by one (3, 2, then 1, the last ISR member, 15 s
/// apart); broker 3 comes back at 46 s outside the ISR, so nobody leads. `more` adds commands.
fn leaderless(more: &str) -> String {
    format!(
        r#"{{ "format": 1, "seed": 7,
      "cluster": {{ "brokers": [{{ "id": 1 }}, {{ "id": 2 }}, {{ "id": 3 }}] }},
      "topics": [{{ "name": "t", "partitions": 1, "replication.factor": 3, "replica.assignment": [[1, 2, 3]] }}],
      "commands": [
        {{ "at_ms": 1000, "crash_broker": {{ "broker": 3 }} }},
        {{ "at_ms": 16000, "crash_broker": {{ "broker": 2 }} }},
        {{ "at_ms": 31000, "crash_broker": {{ "broker": 1 }} }},
        {{ "at_ms": 46000, "restart_broker": {{ "broker": 3 }} }}{more}] }}"#
    )
}

/// kafka-model §3.4: with every ISR member crashed, a running replica outside the ISR is not
/// offline; the partition is. The diagram says "no leader" for it.
#[wasm_bindgen_test]
fn a_running_replica_of_a_leaderless_partition_reads_no_leader() {
    let m = mount_scenario(&leaderless(""));
    m.app.advance_by(61_000.0);
    m.app.render();
    assert_eq!(m.attr("[data-replica='3:t-0']", "data-role"), "no-leader");
    assert_eq!(m.attr("[data-replica='1:t-0']", "data-role"), "offline");
    assert!(
        m.text("[data-replica='3:t-0'] > title").contains("no leader"),
        "{}",
        m.text("[data-replica='3:t-0'] > title")
    );
}

/// kafka-model §4.8: turning on unclean election for a leaderless partition elects nobody at once;
/// the page says when the controller's sweep will, and its button jumps there (issue 8).
#[wasm_bindgen_test]
fn the_unclean_sweep_notice_says_when_and_jumps_there() {
    let m = mount_scenario(&leaderless(
        r#", { "at_ms": 60000, "change_config": { "topic": "t", "unclean.leader.election.enable": true } }"#,
    ));
    m.app.advance_by(59_000.0);
    m.app.render();
    assert!(m.q("#sweep-notice").has_attribute("hidden"), "unclean election is still off");
    m.app.advance_by(2_000.0);
    m.app.render();
    assert!(!m.q("#sweep-notice").has_attribute("hidden"));
    assert!(m.text("#sweep-notice").contains("t-0 has no leader"), "{}", m.text("#sweep-notice"));
    assert!(m.text("#sweep-notice").contains("at its next sweep, at 360.0 s"), "{}", m.text("#sweep-notice"));
    assert_eq!(m.text("#jump-sweep"), "Jump to 360.0 s");
    m.click("#jump-sweep");
    assert!(m.app.now_ms() >= 360_000, "jumped to {} ms", m.app.now_ms());
    assert_eq!(m.attr("[data-partition='t-0']", "data-leader"), "3", "broker 3 elected unclean");
    assert!(m.q("#sweep-notice").has_attribute("hidden"));
}

/// The `li` texts of the event log, newest first.
fn log_texts(m: &Mounted, selector: &str) -> Vec<String> {
    m.all(selector).iter().map(|li| li.text_content().unwrap_or_default()).collect()
}

#[wasm_bindgen_test]
fn a_step_after_a_send_says_what_it_did_and_the_log_says_why_the_high_watermark_moved() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    let replication: HtmlInputElement = m.q("#show-replication").unchecked_into();
    assert!(replication.checked(), "the default scenario shows replication lines");
    assert!(m.q("#step-status").has_attribute("hidden"), "no step yet");
    m.set_select("#produce-topic", "orders");
    m.set_input("#produce-key", "");
    m.set_input("#produce-value", "order 35 paid");
    m.set_input("#produce-count", "1");
    m.click("#produce-submit");
    let mut presses = 0;
    while !m.text("#step-status").contains("acks=all success") {
        presses += 1;
        assert!(presses <= 12, "the success comes within a few steps: {}", m.text("#step-status"));
        m.click("#step");
        let status = m.text("#step-status");
        assert!(status.starts_with("Stepped "), "each step says what it did: {status}");
    }
    assert!(!m.q("#step-status").has_attribute("hidden"));
    // Newest first: the success, below it the HW advance, below that the append.
    let texts = log_texts(&m, "#event-log li");
    let at = |what: &str| texts.iter().position(|t| t.contains(what)).unwrap_or_else(|| panic!("{what}: {texts:#?}"));
    assert!(at("acks=all success") < at("advanced the high watermark"));
    assert!(at("advanced the high watermark") < at("appended 1 record"));
    assert!(m.count("#event-log li.replication") >= 3);
    // Hidden: no replication line is left.
    replication.set_checked(false);
    dispatch(&replication, "new Event('change', {bubbles: true})");
    assert_eq!(m.count("#event-log li.replication"), 0);
    assert!(log_texts(&m, "#event-log li").iter().any(|t| t.contains("acks=all success")));
}

#[wasm_bindgen_test]
fn a_large_cluster_starts_with_replication_lines_hidden() {
    let m = mount_scenario(include_str!("../www/scenarios/large.json"));
    let replication: HtmlInputElement = m.q("#show-replication").unchecked_into();
    assert!(!replication.checked());
    m.app.advance_by(3_000.0);
    m.app.render();
    assert_eq!(m.count("#event-log li.replication"), 0);
}

#[wasm_bindgen_test]
fn repeated_retries_of_a_send_fold_into_one_line_with_a_counter() {
    // min.insync.replicas 3 with broker 3 crashed: the send is retried with NOT_ENOUGH_REPLICAS.
    let m = mount_scenario(
        r#"{ "format": 1, "seed": 1,
      "cluster": { "brokers": [{ "id": 1 }, { "id": 2 }, { "id": 3 }] },
      "topics": [{ "name": "t", "partitions": 1, "replication.factor": 3, "replica.assignment": [[1, 2, 3]],
                   "config": { "min.insync.replicas": 3 } }],
      "producers": [{ "name": "p" }],
      "commands": [
        { "at_ms": 0, "crash_broker": { "broker": 3 } },
        { "at_ms": 20000, "produce": { "producer": "p", "topic": "t", "value": "v" } }
      ],
      "until_ms": 60000 }"#,
    );
    for _ in 0..40 {
        m.app.advance_by(1_000.0);
        m.app.render();
    }
    let retries = m.all("#event-log li");
    let retries: Vec<&Element> =
        retries.iter().filter(|li| li.text_content().unwrap_or_default().contains("NOT_ENOUGH_REPLICAS")).collect();
    assert_eq!(retries.len(), 1, "one line for the send's retries");
    let counter = retries[0].query_selector(".repeats").unwrap().expect("a counter");
    let n: u32 = counter.text_content().unwrap().trim_start_matches('×').parse().unwrap();
    assert!(n >= 5, "it counts the retries: {n}");
    let title = counter.get_attribute("title").unwrap_or_default();
    assert!(title.starts_with(&format!("{n} retries in a row with this error, the first at 20.")), "{title}");
    let text = retries[0].text_content().unwrap();
    assert!(text.contains("ISR [1, 2] has 2 members < min.insync.replicas = 3"), "{text}");
    assert!(text.contains(&format!("(attempt {n})")), "the line says the latest attempt: {text}");
    // "hide routine" hides retries too.
    let hide: HtmlInputElement = m.q("#hide-routine").unchecked_into();
    hide.set_checked(true);
    dispatch(&hide, "new Event('change', {bubbles: true})");
    assert!(log_texts(&m, "#event-log li").iter().all(|t| !t.contains("NOT_ENOUGH_REPLICAS")));
}

// ------------------------------------------------------------------------------- accessibility

fn key(target: &Element, key: &str) {
    dispatch(target, &format!("new KeyboardEvent('keydown', {{key: '{key}', bubbles: true, cancelable: true}})"));
}

/// Issue 8: a replica's button is not inside its broker's (ARIA: a button's children are
/// presentational, so a nested one is unreachable to a screen reader), and clicks keep their
/// meaning: a replica click inspects the replica, a broker click opens the broker's menu.
#[wasm_bindgen_test]
fn no_button_is_inside_another_and_clicks_keep_their_meaning() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    let buttons = m.all("#diagram [role=button]");
    assert_eq!(buttons.len(), 3 + 9 + 3, "3 brokers, 9 replicas, the controller and two clients");
    for b in &buttons {
        let outer = b.parent_element().and_then(|p| p.closest("[role=button]").unwrap());
        assert!(outer.is_none(), "{:?} sits inside another button", b.text_content());
    }
    // The tab order follows the picture: the client row left to right, then the brokers.
    let first: Vec<String> = buttons[..4]
        .iter()
        .map(|b| b.get_attribute("data-client").or(b.get_attribute("data-node")).or(b.get_attribute("data-broker")))
        .map(Option::unwrap_or_default)
        .collect();
    assert_eq!(first, ["producer:0", "controller", "consumer:0", "1"]);
    click(&m.q("[data-replica='2:orders-1']"));
    assert!(m.q("#broker-menu").has_attribute("hidden"), "a replica click opens no broker menu");
    assert!(m.text("#details").contains("orders-1"), "{}", m.text("#details"));
    assert!(m.q("[data-replica='2:orders-1']").get_attribute("class").unwrap().contains("selected"));
    click(&m.q("[data-broker='2']"));
    assert!(!m.q("#broker-menu").has_attribute("hidden"), "a broker click opens its menu");
    assert_eq!(m.text("#broker-menu .menu-title"), "Broker 2");
}

/// Issue 8: the event log is one tab stop (not 300 before the controls), its lines are named by
/// their own text, and the arrows, Home, End, Enter and Space work on it.
#[wasm_bindgen_test]
fn the_event_log_is_one_tab_stop_whose_lines_read_as_themselves() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    let leader = m.attr("[data-partition='orders-0']", "data-leader");
    click(&m.q(&format!("#diagram [data-broker='{leader}']")));
    m.click("#broker-menu [data-action=crash]");
    m.app.advance_by(12_000.0);
    m.app.render();
    assert_eq!(m.attr("#event-log", "role"), "listbox");
    let lines = m.all("#event-log > li");
    assert!(lines.len() > 5, "{} lines", lines.len());
    assert_eq!(m.count("#event-log > [tabindex='0']"), 1, "one tab stop");
    assert_eq!(m.count("#event-log > [tabindex='-1']") as usize, lines.len() - 1);
    assert!(lines.iter().all(|l| l.get_attribute("role").as_deref() == Some("option") && !l.has_attribute("title")));
    let stop = || m.q("#event-log > [tabindex='0']").get_attribute("data-seq").unwrap();
    let seq = |i: usize| lines[i].get_attribute("data-seq").unwrap();
    assert_eq!(stop(), seq(0), "the newest line has it first");
    key(&lines[0], "ArrowDown");
    key(&lines[1], "ArrowDown");
    assert_eq!(stop(), seq(2));
    key(&lines[2], "ArrowUp");
    assert_eq!(stop(), seq(1));
    key(&lines[1], "End");
    assert_eq!(stop(), seq(lines.len() - 1));
    key(&lines[lines.len() - 1], "Home");
    assert_eq!(stop(), seq(0));
    // New events keep the tab stop where the person left it.
    key(&lines[0], "ArrowDown");
    m.app.advance_by(3_000.0);
    m.app.render();
    assert_eq!(stop(), seq(1));
    assert_eq!(m.count("#event-log > [tabindex='0']"), 1);
    // Enter (and Space) on a line shows what it is about, as a click does.
    let crashed = m.q(&format!("#event-log > li[data-subject='broker:{leader}']"));
    key(&crashed, "Enter");
    assert_eq!(m.text("#details h2"), format!("Broker {leader}"));
    let replica_line = m.q("#event-log > li[data-subject^='replica:']");
    key(&replica_line, " ");
    assert!(m.text("#details h2").starts_with("Replica"), "{}", m.text("#details h2"));
}

/// Issue 8: elections (and losses and violations) are said in the polite live region, one short
/// sentence each; routine traffic is not.
#[wasm_bindgen_test]
fn the_live_region_announces_the_election_after_a_crash() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    assert_eq!(m.attr("#announce", "aria-live"), "polite");
    m.set_input("#produce-count", "5");
    m.click("#produce-submit");
    m.app.advance_by(2_000.0);
    m.app.render();
    assert_eq!(m.text("#announce"), "", "acknowledgements and fetches are not announced");
    let leader = m.attr("[data-partition='orders-0']", "data-leader");
    click(&m.q(&format!("#diagram [data-broker='{leader}']")));
    m.click("#broker-menu [data-action=crash]");
    m.app.advance_by(12_000.0);
    m.app.render();
    let said = m.text("#announce");
    let new_leader = m.attr("[data-partition='orders-0']", "data-leader");
    assert!(said.contains(&format!("Broker {new_leader} leads orders-0, epoch 1.")), "{said}");
}

/// Issue 8: a skip link comes first, and takes the focus to the controls.
#[wasm_bindgen_test]
fn the_skip_link_comes_first_and_focuses_the_controls() {
    let m = mount_scenario(DEFAULT_SCENARIO);
    let first = m.q(".pp > *");
    assert_eq!(first.get_attribute("id").as_deref(), Some("skip-to-controls"));
    assert_eq!(first.text_content().as_deref(), Some("Skip to controls"));
    click(&first);
    let active = document().active_element().expect("a focused element");
    assert_eq!(active.get_attribute("id").as_deref(), Some("controls"));
    assert_eq!(m.count("main #controls"), 1, "the controls are in the main landmark");
}
