//! "About this scenario": the simulated time, the state hash (so anyone can check a replay against
//! the runner), "Copy link" (`page::share`) and "Copy embed code" (the `<iframe>` of the same link
//! in embed mode, `page::embed`). What was copied also stands in a read-only field, so it can be
//! copied by hand where the clipboard is not allowed.

use super::App;
use crate::page::share;
use crate::web::dom::{el, Build};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

pub(super) struct ShareUi {
    pub(super) hash: Element,
    pub(super) time: Element,
    pub(super) copy: Element,
    pub(super) copy_embed: Element,
    pub(super) link: HtmlInputElement,
    /// The field's label: what it holds (the link or the embed code).
    pub(super) link_label: Element,
    /// What the last link cannot do (open in a page, past its replay bound); empty otherwise.
    pub(super) note: Element,
}

pub(super) fn build_share(parent: &Element) -> ShareUi {
    let card = el("section").with("class", "card about").with("aria-label", "About this scenario").into_parent(parent);
    el("h2").text("About this scenario").into_parent(&card);
    let kv = el("table").with("class", "kv").into_parent(&card);
    let body = el("tbody").into_parent(&kv);
    let row = |k: &str| {
        let tr = el("tr").into_parent(&body);
        el("td").text(k).into_parent(&tr);
        el("td").into_parent(&tr)
    };
    let time = row("simulated time").with("id", "about-time");
    let hash = row("state hash").with("id", "state-hash");
    row("engine behaviour").text(&crate::engine::BEHAVIOUR_VERSION.to_string());
    let actions = el("div").with("class", "actions").into_parent(&card);
    let copy = el("button").with("id", "copy-link").with("type", "button").text("Copy link").into_parent(&actions);
    let copy_embed =
        el("button").with("id", "copy-embed").with("type", "button").text("Copy embed code").into_parent(&actions);
    let label = el("label").into_parent(&card);
    let link_label = el("span").with("class", "label-text").text("Link to this moment").into_parent(&label);
    let link: HtmlInputElement = el("input")
        .with("id", "share-link")
        .with("type", "text")
        .with("readonly", "")
        .into_parent(&label)
        .unchecked_into();
    let note = el("p").with("id", "share-note").with("class", "hint").into_parent(&card);
    ShareUi { hash, time, copy, copy_embed, link, link_label, note }
}

impl App {
    /// The time and, while paused, the state hash (computing it each frame while playing would
    /// cost the large scenario its frame rate; a check is made on a paused page).
    pub(super) fn update_about(&self) {
        let ui = &self.ui.share;
        let now = self.engine.now_ms();
        let time = format!("{} ({now} ms)", crate::page::label::seconds(now));
        if ui.time.text_content().as_deref() != Some(time.as_str()) {
            ui.time.set_text_content(Some(&time));
        }
        let hash =
            if self.clock.playing() { "pause to see it".into() } else { share::hash_label(self.engine.state_hash()) };
        if ui.hash.text_content().as_deref() != Some(hash.as_str()) {
            ui.hash.set_text_content(Some(&hash));
        }
    }

    /// "Copy link" (or, `embed`, "Copy embed code": an `<iframe>` of the link with `&embed`): the
    /// link to this moment, in the field and on the clipboard. The browser deflates the link's code
    /// (`CompressionStream`, asynchronous); the field fills when it is done.
    pub(super) fn on_copy_link(&mut self, embed: bool) {
        let location = crate::web::dom::window().location();
        let href = location.href().unwrap_or_default();
        let base = href.split('#').next().unwrap_or_default().to_string();
        let _ = self.engine.finish_millisecond();
        let code = match crate::scenario::link_code(&share::link_to(&self.scenario, &self.engine, self.lesson_text())) {
            Ok(code) => code,
            Err(e) => return self.ui.share.link.set_value(&format!("No link: {e}.")),
        };
        let (at_ms, paused) = (self.engine.now_ms(), !self.clock.playing());
        // Past the page's replay bound the link still opens in the runner: say so beside it.
        let page_bound = self.engine.ledger().check_run_within(at_ms, crate::engine::LIMITS.page_replay_work_max);
        let note = page_bound.err().map(|e| format!("A page cannot open this link, the runner can: {}.", e.reason));
        self.ui.share.note.set_text_content(note.as_deref());
        let ui = &self.ui.share;
        let button = if embed { ui.copy_embed.clone() } else { ui.copy.clone() };
        ui.link_label.set_text_content(Some(if embed { "Embed code for this moment" } else { "Link to this moment" }));
        let field = ui.link.clone();
        let done = Closure::once_into_js(move |buffer: JsValue| {
            let deflated = js_sys::Uint8Array::new(&buffer).to_vec();
            let text = match crate::scenario::link_text(&deflated) {
                Ok(text) => text,
                Err(e) => return field.set_value(&format!("No link: {e}.")),
            };
            let link = format!("{base}{}", share::fragment(&text, at_ms, paused));
            let link = if embed { crate::page::embed::embed_snippet(&format!("{link}&embed")) } else { link };
            field.set_value(&link);
            if note.is_some() {
                button.set_text_content(Some("Copied (runner only)"));
            }
            field.select();
            // Refused where the page may not write the clipboard: the field holds the link anyway.
            let written = crate::web::dom::window().navigator().clipboard().write_text(&link);
            on_settled(&written, "catch", Closure::once_into_js(|_: JsValue| {}));
            if note.is_none() {
                button.set_text_content(Some("Copied"));
            }
        });
        match deflate(&code) {
            Ok(promise) => on_settled(&promise, "then", done),
            Err(_) => self.ui.share.link.set_value("This browser cannot make links (no CompressionStream)."),
        }
    }
}

/// `promise.then(callback)` or `promise.catch(callback)`; the callback is a `Closure::once_into_js`,
/// freed once it has run.
fn on_settled(promise: &js_sys::Promise, method: &str, callback: JsValue) {
    let f = js_sys::Reflect::get(promise, &method.into()).and_then(|f| f.dyn_into::<js_sys::Function>());
    if let Ok(f) = f {
        let _ = f.call1(promise, &callback);
    }
}

/// `new Response(new Blob([code]).stream().pipeThrough(new CompressionStream("deflate"))).arrayBuffer()`.
/// Called through `Reflect`: web-sys has `CompressionStream` only behind its unstable-API flag.
fn deflate(code: &[u8]) -> Result<js_sys::Promise, JsValue> {
    use js_sys::{Array, Reflect};
    let parts = Array::of1(&js_sys::Uint8Array::from(code));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts)?;
    let stream: JsValue = blob.stream().into();
    let ctor: js_sys::Function = Reflect::get(&js_sys::global(), &"CompressionStream".into())?.dyn_into()?;
    let compressor = Reflect::construct(&ctor, &Array::of1(&"deflate".into()))?;
    let pipe: js_sys::Function = Reflect::get(&stream, &"pipeThrough".into())?.dyn_into()?;
    let piped: web_sys::ReadableStream = pipe.call1(&stream, &compressor)?.dyn_into()?;
    let response = web_sys::Response::new_with_opt_readable_stream(Some(&piped))?;
    response.array_buffer()
}
