//! The page (wasm32 only): turns DOM events into engine `Command`s and `ClusterView`s into SVG.
//! No Kafka rule lives here. User text reaches the DOM only through `textContent` and attribute
//! setters.
//!
//! - [`mount`] builds the whole page into a container and returns an [`AppHandle`]; the page's entry
//!   point [`pp_start`] mounts into `#app` and runs the `requestAnimationFrame` loop.
//! - [`pp_frame_bench`] and [`pp_engine_bench`] are exported for the page benchmarks.

mod app;
mod diagram;
mod dom;
mod panels;

pub use app::{mount, AppHandle, Options};

use crate::engine::Engine;
use crate::layout::fixed;
use crate::scenario::{decode, Scenario};
use wasm_bindgen::prelude::*;

/// What the side panel shows.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Selection {
    #[default]
    None,
    Controller,
    Broker(u32),
    /// Broker id and partition name.
    Replica(u32, String),
    Partition(String),
    Producer(u32),
    Consumer(u32),
}

/// The scenario the page opens with, as JSON (`www/scenarios/default.json`, which the runner reads).
/// Tests mount it through `scenario::parse`; the page embeds its binary code instead.
pub const DEFAULT_SCENARIO: &str = include_str!("../../www/scenarios/default.json");

/// A scenario the page offers: `#scenario=<name>` in the URL picks one.
pub struct PageScenario {
    pub name: &'static str,
    pub title: &'static str,
    /// The binary code of `www/scenarios/<name>.json` (`partition-playground encode`; a test checks
    /// that it is up to date), so the page needs no JSON reader.
    pub code: &'static [u8],
}

pub const SCENARIOS: [PageScenario; 2] = [
    PageScenario {
        name: "default",
        title: "Default: 3 brokers",
        code: include_bytes!("../../www/scenarios/default.bin"),
    },
    PageScenario {
        // 100 brokers in 3 racks, one topic of 1,000 partitions with RF 3: the summary drawing.
        name: "large",
        title: "Large: 100 × 1,000",
        code: include_bytes!("../../www/scenarios/large.bin"),
    },
];

/// A page scenario by name (the default one for any other name).
pub fn page_scenario(name: &str) -> Result<Scenario, String> {
    let code = SCENARIOS.iter().find(|s| s.name == name).unwrap_or(&SCENARIOS[0]).code;
    decode(code).map_err(|e| format!("scenario `{name}`: {e}"))
}

/// What the URL's fragment asks for: `#scenario=large&speed=0.1&paused` (each part optional), so
/// a note can embed the playground in the state it talks about. A part the page cannot use is
/// named in `problems` (the page shows them), never silently dropped.
#[derive(Clone, Debug, PartialEq)]
pub struct UrlOptions {
    pub scenario: String,
    pub speed: Option<f64>,
    pub paused: bool,
    pub problems: Vec<String>,
}

/// Reads a URL fragment (with or without its `#`).
pub fn parse_fragment(fragment: &str) -> UrlOptions {
    let mut o = UrlOptions { scenario: "default".into(), speed: None, paused: false, problems: Vec::new() };
    // A link is user input: quote at most a few dozen characters of it.
    let quote = |s: &str| -> String {
        let mut q: String = s.chars().take(40).collect();
        if q.len() < s.len() {
            q.push('…');
        }
        q
    };
    for part in fragment.trim_start_matches('#').split('&').filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some(("scenario", name)) => match SCENARIOS.iter().find(|s| s.name == name) {
                Some(s) => o.scenario = s.name.into(),
                None => {
                    let names: Vec<&str> = SCENARIOS.iter().map(|s| s.name).collect();
                    o.problems.push(format!(
                        "there is no scenario “{}”, so the default one opened (scenarios: {})",
                        quote(name),
                        names.join(", ")
                    ));
                }
            },
            Some(("speed", v)) => {
                // JavaScript's unary + (as Number(), never throws on a string): Rust's float parser
                // would add kilobytes to the bundle.
                let speed = JsValue::from_str(v).unchecked_into_f64();
                if speed.is_finite() && speed > 0.0 {
                    o.speed = Some(speed);
                } else {
                    o.problems.push(format!("speed “{}” is not a positive number (e.g. speed=0.1)", quote(v)));
                }
            }
            None if part == "paused" => o.paused = true,
            _ => o.problems.push(format!("“{}” is not an option (scenario=…, speed=…, paused)", quote(part))),
        }
    }
    o
}

/// Mounts the named scenario into `container` for the page (replacing what was there).
pub(crate) fn start_page(container: &web_sys::Element, name: &str) -> Result<(), JsValue> {
    let o = UrlOptions { scenario: name.into(), speed: None, paused: false, problems: Vec::new() };
    start_with(container, &o)
}

thread_local! {
    /// The playground the page shows. Replacing it frees the previous one, listeners and all.
    static PAGE: std::cell::RefCell<Option<AppHandle>> = const { std::cell::RefCell::new(None) };
}

fn start_with(container: &web_sys::Element, o: &UrlOptions) -> Result<(), JsValue> {
    let name = o.scenario.as_str();
    let scenario = page_scenario(name).map_err(|e| JsValue::from_str(&e))?;
    if let Some(previous) = PAGE.with(|p| p.borrow_mut().take()) {
        previous.dispose();
    }
    container.set_text_content(None);
    let options = Options { autoplay: !o.paused, ..Options::page() };
    let handle = match mount(container, &scenario, options) {
        Ok(handle) => handle,
        Err(e) => {
            // The engine refused the scenario: say why where the playground would be.
            let p = dom::el("p");
            let _ = p.set_attribute("class", "pp-refused");
            let _ = p.set_attribute("role", "alert");
            p.set_text_content(Some(&format!("This scenario cannot open: {e}.")));
            let _ = container.append_child(&p);
            return Ok(());
        }
    };
    handle.set_scenario_name(name);
    if let Some(s) = o.speed {
        handle.set_speed(s);
    }
    if !o.problems.is_empty() {
        handle.set_notice(&format!("Part of this link was not used: {}.", o.problems.join("; ")));
    }
    PAGE.with(|p| *p.borrow_mut() = Some(handle));
    Ok(())
}

/// The page's entry point: mounts the playground into `#app` (or the body) and starts the clock.
#[wasm_bindgen]
pub fn pp_start() -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    let doc = dom::document();
    let container = match doc.get_element_by_id("app") {
        Some(e) => e,
        None => doc.body().ok_or("no body")?.into(),
    };
    let o = parse_fragment(&dom::window().location().hash().unwrap_or_default());
    start_with(&container, &o)
}

/// Frame cost: builds the scenario (its binary code) into a hidden container with the page's
/// render path, runs `frames` frames of `sim_ms_per_frame` simulated ms (engine advance + diagram
/// update) and returns each frame's cost in ms, measured with `performance.now()` (the caller
/// takes the median and percentiles).
#[wasm_bindgen]
pub fn pp_frame_bench(scenario_code: &[u8], frames: u32, sim_ms_per_frame: f64) -> Result<Vec<f64>, JsValue> {
    let scenario = decode(scenario_code).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let doc = dom::document();
    let body = doc.body().ok_or("no body")?;
    let container = dom::el("div");
    let _ = container.set_attribute("style", "position:absolute;left:-20000px;top:0;width:1280px;");
    let _ = container.set_attribute("aria-hidden", "true");
    let _ = body.append_child(&container);
    let handle = mount(&container, &scenario, Options::bench()).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let mut times = Vec::with_capacity(frames as usize);
    for _ in 0..frames {
        let t0 = dom::now_ms();
        handle.advance_by(sim_ms_per_frame);
        handle.render();
        times.push(dom::now_ms() - t0);
    }
    handle.dispose();
    container.remove();
    Ok(times)
}

/// Engine speed: runs the scenario (its binary code) to `until_ms` with no DOM and returns
/// `{"wall_ms","steps","state_hash"}` (the hash is `Engine::state_hash` as 16 hex digits).
#[wasm_bindgen]
pub fn pp_engine_bench(scenario_code: &[u8], until_ms: f64) -> Result<String, JsValue> {
    let scenario = decode(scenario_code).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let t0 = dom::now_ms();
    let mut engine = Engine::new(&scenario).map_err(|e| JsValue::from_str(&e.to_string()))?;
    engine.advance_to(until_ms.max(0.0) as u64, u64::MAX).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let wall_ms = dom::now_ms() - t0;
    Ok(format!(
        "{{\"wall_ms\":{},\"steps\":{},\"state_hash\":\"{:016x}\"}}",
        fixed(wall_ms, 3),
        engine.steps(),
        engine.state_hash()
    ))
}
