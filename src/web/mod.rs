//! The page (wasm32 only): turns DOM events into engine `Command`s and `ClusterView`s into SVG.
//! No Kafka rule lives here. User text reaches the DOM only through `textContent` and attribute
//! setters.
//!
//! - [`mount`] builds the whole page into a container and returns an [`AppHandle`]; the page's entry
//!   point [`pp_start`] mounts into `#app` and runs the `requestAnimationFrame` loop.
//! - [`pp_frame_bench`], [`pp_engine_bench`] and [`pp_seek_bench`] are exported for the page benchmarks.

// The page's allocator (and its share worker's): talc's, for a single-threaded wasm (no shared
// memory). It takes 2.4 KB less of the gzipped bundle than the standard library's dlmalloc, at
// 10-20% of frame time (docs/performance-page.md, "What talc costs").
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };

mod app;
mod diagram;
mod dom;
mod form;
mod group_ui;
mod open_link;
mod panels;
mod reassign_ui;
mod share_client;
pub mod share_worker;
mod spacetime;
mod sweep;

pub use crate::page::{Selection, UrlOptions};
pub use app::{mount, mount_with, AppHandle, Options};

use crate::page;
use crate::scenario::{decode, Scenario};
use wasm_bindgen::prelude::*;

// The exports below carry `//` comments, not `///`, and `skip_jsdoc`: wasm-bindgen copies doc
// comments and type annotations into the JavaScript the page downloads (bundle budget).

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

/// Reads a URL fragment (with or without its `#`): `#scenario=large&speed=0.1&paused`, each part
/// optional (see `page::fragment`). The speed is read as JavaScript's unary + does (as `Number()`,
/// never throwing on a string): Rust's float parser would add kilobytes to the bundle.
pub fn parse_fragment(fragment: &str) -> UrlOptions {
    let names = SCENARIOS.map(|s| s.name);
    page::parse_fragment(fragment, &names, |v| JsValue::from_str(v).unchecked_into_f64())
}

/// Mounts the named scenario into `container` for the page (replacing what was there).
pub(crate) fn start_page(container: &web_sys::Element, name: &str) -> Result<(), JsValue> {
    start_with(container, &UrlOptions::opening(name))
}

/// Replaces the page's playground by a fresh one of `scenario` (Reset) with `options` (an embed
/// stays one), and the scenario choice shows `name`.
pub(crate) fn start_scenario(
    container: &web_sys::Element,
    scenario: &Scenario,
    name: &str,
    options: Options,
) -> Result<(), JsValue> {
    clear_page(container);
    let handle = mount(container, scenario, options).map_err(|e| JsValue::from_str(&e.to_string()))?;
    handle.set_scenario_name(name);
    PAGE.with(|p| *p.borrow_mut() = Some(handle));
    Ok(())
}

/// Frees the page's playground (listeners and all) and empties `container` for the next one.
fn clear_page(container: &web_sys::Element) {
    if let Some(previous) = PAGE.with(|p| p.borrow_mut().take()) {
        previous.dispose();
    }
    container.set_text_content(None);
}

thread_local! {
    /// The playground the page shows. Replacing it frees the previous one, listeners and all.
    static PAGE: std::cell::RefCell<Option<AppHandle>> = const { std::cell::RefCell::new(None) };
}

/// A scenario, the session to replay, where to stand, and the notice to show.
type Opening = (Scenario, Vec<crate::engine::TimedCommand>, u64, Option<String>, Option<crate::engine::LessonText>);

/// What a share link, read, opens: its scenario, its session and where to stand, with the notice
/// to show; or why it cannot open (the fragment's scenario opens under that sentence).
fn from_link(o: &UrlOptions, read: open_link::LinkRead) -> Result<Opening, String> {
    match read {
        Ok((link, behaviour)) => {
            let at = page::share::open_at(&link, o.at_ms);
            Ok((link.scenario, link.session, at, page::share::behaviour_notice(behaviour), link.lesson))
        }
        Err(e) => Err(format!("This link could not open: {e}. The “{}” scenario opened instead.", o.scenario)),
    }
}

/// Opens the page for `o`. A share link opens once the browser has inflated it (asynchronous: the
/// loading text stays until then); the document's switches are set at once, for the start script.
fn start_with(container: &web_sys::Element, o: &UrlOptions) -> Result<(), JsValue> {
    show_as(o);
    let Some(text) = o.link.as_deref() else { return open_page(container, o, None) };
    let (container, o) = (container.clone(), o.clone());
    open_link::read_link(text, move |read| {
        let linked = from_link(&o, read);
        if let Err(e) = open_page(&container, &o, Some(linked)) {
            // As the start script says it when the simulator cannot start.
            container.set_text_content(Some(&format!(
                "The simulator could not start: {}",
                e.as_string().unwrap_or_default()
            )));
        }
    });
    Ok(())
}

fn open_page(
    container: &web_sys::Element,
    o: &UrlOptions,
    linked: Option<Result<Opening, String>>,
) -> Result<(), JsValue> {
    let name = o.scenario.as_str();
    let opened_link = matches!(linked, Some(Ok(_)));
    let (scenario, session, at_ms, mut notice, mut lesson) = match linked {
        Some(Ok(opened)) => opened,
        Some(Err(why)) => (page_scenario(name).map_err(|e| JsValue::from_str(&e))?, Vec::new(), 0, Some(why), None),
        None => (page_scenario(name).map_err(|e| JsValue::from_str(&e))?, Vec::new(), 0, None, None),
    };
    clear_page(container);
    // An embed plays once on screen (`pp_visible`); `start=click` waits for its Start button.
    let play_when_seen = !o.paused && !o.start_on_click;
    let options = Options {
        autoplay: play_when_seen && !o.embed,
        embed: o.embed.then(|| page::embed::Visibility::new(play_when_seen)),
        wait_for_click: o.start_on_click,
        ..Options::page()
    };
    let mounted = match mount_with(container, &scenario, &session, at_ms, options) {
        // A link whose commands the engine refuses: the default scenario, and the reason.
        Err(e) if o.link.is_some() => {
            container.set_text_content(None);
            notice = Some(format!("This link could not open: {e}. The “default” scenario opened instead."));
            lesson = None;
            let default = page_scenario("default").map_err(|e| JsValue::from_str(&e))?;
            mount(container, &default, options)
        }
        other => other,
    };
    let handle = match mounted {
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
    handle.set_scenario_name(if opened_link { app::LINKED } else { name });
    if let Some(text) = lesson {
        handle.start_lesson(text);
    }
    if let Some(s) = o.speed {
        handle.set_speed(s);
    }
    let mut lines: Vec<String> = notice.into_iter().collect();
    if !o.problems.is_empty() {
        lines.push(format!("Part of this link was not used: {}.", o.problems.join("; ")));
    }
    if !lines.is_empty() {
        handle.set_notice(&lines.join(" "));
    }
    PAGE.with(|p| *p.borrow_mut() = Some(handle));
    Ok(())
}

/// The document's switches for the style sheet: `data-theme` (a colour scheme the link chose) and
/// `data-embed` (no page chrome; the start script then watches the frame, see `pp_visible`).
fn show_as(o: &UrlOptions) {
    // The body's parent is the root element (one import fewer than `documentElement`).
    let Some(html) = dom::document().body().and_then(|b| b.parent_element()) else { return };
    if let Some(theme) = o.theme.attribute() {
        let _ = html.set_attribute("data-theme", theme);
    }
    if o.embed {
        let _ = html.set_attribute("data-embed", "");
    }
}

// An embed's start script (`www/start.js`) reports whether the frame is on screen (an
// IntersectionObserver): the clock runs only while it is (`page::embed::Visibility`). Nothing
// outside an embed.
#[cfg(feature = "page")]
#[wasm_bindgen(skip_jsdoc)]
pub fn pp_visible(on_screen: bool) {
    PAGE.with(|p| {
        if let Some(handle) = p.borrow().as_ref() {
            handle.seen(on_screen);
        }
    });
}

// The page's entry point: mounts the playground into `#app` (or the body) and starts the clock.
#[cfg(feature = "page")]
#[wasm_bindgen(skip_jsdoc)]
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

// Frame cost: builds the scenario (its binary code) into a hidden container with the page's
// render path, runs `frames` frames of `sim_ms_per_frame` simulated ms (engine advance + diagram
// update) and returns each frame's cost in ms, measured with `performance.now()` (the caller
// takes the median and percentiles).
#[cfg(feature = "bench")]
#[wasm_bindgen(skip_jsdoc)]
pub fn pp_frame_bench(scenario_code: &[u8], frames: u32, sim_ms_per_frame: f64) -> Result<Vec<f64>, JsValue> {
    let scenario = decode(scenario_code).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let doc = dom::document();
    let body = doc.body().ok_or("no body")?;
    let container = dom::el("div");
    dom::html(&container).style().set_css_text("position:absolute;left:-20000px;top:0;width:1280px;");
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

// Engine speed: runs the scenario (its binary code) to `until_ms` with no DOM and returns
// `{"wall_ms","steps","state_hash"}` (the hash is `Engine::state_hash` as 16 hex digits).
#[cfg(feature = "bench")]
#[wasm_bindgen(skip_jsdoc)]
pub fn pp_engine_bench(scenario_code: &[u8], until_ms: f64) -> Result<String, JsValue> {
    let scenario = decode(scenario_code).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let t0 = dom::now_ms();
    let mut engine = crate::engine::Engine::new(&scenario).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let until_ms = until_ms.max(0.0) as u64;
    engine.ledger().check_run_to(until_ms).map_err(|e| JsValue::from_str(&e.to_string()))?;
    engine.advance_to(until_ms, u64::MAX).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let wall_ms = dom::now_ms() - t0;
    Ok(format!(
        "{{\"wall_ms\":{},\"steps\":{},\"state_hash\":\"{:016x}\"}}",
        crate::layout::fixed(wall_ms, 3),
        engine.steps(),
        engine.state_hash()
    ))
}

// Time travel in the browser (issue 12): opens a session (its link message, the uncompressed link
// `cargo bench --bench timeline` writes) the way a page opening its link does, one replay to
// `until_ms` with a `Timeline` taking checkpoints, then seeks to each of `times_ms`. Returns
// `{"open_ms","checkpoints","state_hash","seeks_ms":[...]}`, measured with `performance.now()`.
#[cfg(feature = "bench")]
#[wasm_bindgen(skip_jsdoc)]
pub fn pp_seek_bench(message: &[u8], until_ms: f64, times_ms: &[f64]) -> Result<String, JsValue> {
    let err = |e: String| JsValue::from_str(&e);
    let link = crate::scenario::read_link_message(message).map_err(|e| err(e.to_string()))?;
    let t0 = dom::now_ms();
    let mut timeline = crate::engine::Timeline::new(&link.scenario).map_err(|e| err(e.to_string()))?;
    let engine = timeline.replay(&link.session, until_ms.max(0.0) as u64).map_err(|e| err(e.to_string()))?;
    let open_ms = dom::now_ms() - t0;
    let mut seeks = Vec::with_capacity(times_ms.len());
    for t in times_ms {
        let t1 = dom::now_ms();
        let sought = timeline.seek(&link.session, t.max(0.0) as u64).map_err(|e| err(e.to_string()))?;
        seeks.push(crate::layout::fixed(dom::now_ms() - t1, 3));
        drop(sought);
    }
    Ok(format!(
        "{{\"open_ms\":{},\"checkpoints\":{},\"state_hash\":\"{:016x}\",\"seeks_ms\":[{}]}}",
        crate::layout::fixed(open_ms, 3),
        timeline.checkpoints().0,
        engine.state_hash(),
        seeks.join(",")
    ))
}
