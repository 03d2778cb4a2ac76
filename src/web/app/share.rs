//! "About this scenario": the simulated time, the state hash (so anyone can check a replay against
//! the runner), "Copy link" (`page::share`) and "Copy embed code" (the `<iframe>` of the same link
//! in embed mode, `page::embed`). What was copied also stands in a read-only field, so it can be
//! copied by hand where the clipboard is not allowed.

use super::App;
use crate::page::share;
use crate::web::dom::{el, Build};
use crate::web::share_client;
use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, Element, HtmlInputElement, Url};

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
    pub(super) export_button: Element,
    /// What Export says (writing, done, or why not), and the files it offers.
    pub(super) export_status: Element,
    pub(super) export_files: Element,
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
    let export_button = el("button")
        .with("id", "export")
        .with("type", "button")
        .with("title", "The files to set this scenario up on a real Kafka cluster (Docker)")
        .text("Export to Kafka")
        .into_parent(&actions);
    let label = el("label").into_parent(&card);
    let link_label = el("span").with("class", "label-text").text("Link to this moment").into_parent(&label);
    let link: HtmlInputElement = el("input")
        .with("id", "share-link")
        .with("type", "text")
        .with("readonly", "")
        .into_parent(&label)
        .unchecked_into();
    let note = el("p").with("id", "share-note").with("class", "hint").into_parent(&card);
    let export = el("div").with("class", "export").into_parent(&card);
    // Present (empty) from the start, so a screen reader announces what Export says.
    let export_status = el("p").with("id", "export-status").with("role", "status").into_parent(&export);
    let export_files = el("ul").with("id", "export-files").into_parent(&export);
    ShareUi { hash, time, copy, copy_embed, link, link_label, note, export_button, export_status, export_files }
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
    /// link to this moment, in the field and on the clipboard. The share worker writes the link's
    /// text (`web::share_client`, asynchronous); the field fills when it answers.
    pub(super) fn on_copy_link(&mut self, embed: bool) {
        let location = crate::web::dom::window().location();
        let href = location.href().unwrap_or_default();
        let base = href.split('#').next().unwrap_or_default().to_string();
        let _ = self.engine.finish_millisecond();
        let message = share::share_message(&self.scenario, &self.engine, self.lesson_text());
        let (at_ms, paused) = (self.engine.now_ms(), !self.clock.playing());
        // Past the page's replay bound the link still opens in the runner: say so beside it.
        let page_bound = self.engine.ledger().check_run_within(at_ms, crate::engine::LIMITS.page_replay_work_max);
        let note = page_bound.err().map(|e| format!("A page cannot open this link, the runner can: {}.", e.reason));
        self.ui.share.note.set_text_content(note.as_deref());
        let ui = &self.ui.share;
        ui.copy.set_text_content(Some("Copy link"));
        ui.copy_embed.set_text_content(Some("Copy embed code"));
        let button = if embed { ui.copy_embed.clone() } else { ui.copy.clone() };
        ui.link_label.set_text_content(Some(if embed { "Embed code for this moment" } else { "Link to this moment" }));
        let field = ui.link.clone();
        field.set_value("Making the link…");
        share_client::request("link", &message, move |answer| {
            let text = match answer {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(e) => return field.set_value(&format!("No link: {e}.")),
            };
            let link = format!("{base}{}", share::fragment(&text, at_ms, paused));
            let link = if embed { crate::page::embed::embed_snippet(&format!("{link}&embed")) } else { link };
            field.set_value(&link);
            field.select();
            // The button says what happened once the clipboard has answered: copied, or refused
            // (where the page may not write it), the link then being in the field, selected.
            let written = crate::web::dom::window().navigator().clipboard().write_text(&link);
            let copied = if note.is_some() { "Copied (runner only)" } else { "Copied" };
            let refused = button.clone();
            let ok = Closure::once_into_js(move |_: JsValue| button.set_text_content(Some(copied)));
            let failed =
                Closure::once_into_js(move |_: JsValue| refused.set_text_content(Some("Not copied: select the field")));
            if let Ok(then) = js_sys::Reflect::get(&written, &"then".into()).and_then(|f| f.dyn_into::<Function>()) {
                let _ = then.call2(&written, &ok, &failed);
            }
        });
    }

    /// "Export to Kafka": the files of `partition-playground export` for the scenario and what was
    /// done in it so far (`export::export`, written by the share worker), offered as downloads.
    pub(super) fn on_export(&mut self) {
        let _ = self.engine.finish_millisecond();
        let message = share::share_message(&self.scenario, &self.engine, None);
        let (list, status) = (self.ui.share.export_files.clone(), self.ui.share.export_status.clone());
        status.set_text_content(Some("Writing the files…"));
        share_client::request("export", &message, move |answer| match answer {
            Ok(files) => {
                show_files(&list, &files.unchecked_into());
                status.set_text_content(Some(
                    "The same cluster, topics, clients and acts on Apache Kafka in Docker: docker compose up -d, \
                     then sh commands.sh. README.md says where a real cluster differs.",
                ));
            }
            Err(e) => status.set_text_content(Some(&format!("No export: {e}."))),
        });
    }
}

/// The export's files as download links (`[[name, contents], ...]`), in place of the last ones,
/// whose object URLs are freed.
fn show_files(list: &Element, files: &Array) {
    if let Ok(old) = list.query_selector_all("a") {
        for i in 0..old.length() {
            if let Some(href) =
                old.item(i).and_then(|a| a.dyn_into::<Element>().ok()).and_then(|a| a.get_attribute("href"))
            {
                let _ = Url::revoke_object_url(&href);
            }
        }
    }
    list.set_text_content(None);
    for file in files.iter() {
        let file: Array = file.unchecked_into();
        let (name, contents) = (file.get(0).as_string().unwrap_or_default(), file.get(1));
        let Ok(blob) = Blob::new_with_str_sequence(&Array::of1(&contents)) else { continue };
        let Ok(url) = Url::create_object_url_with_blob(&blob) else { continue };
        let item = el("li").into_parent(list);
        el("a").with("href", &url).with("download", &name).text(&name).into_parent(&item);
        el("span").with("class", "hint").text(&format!(" {} bytes", blob.size() as u64)).into_parent(&item);
    }
}
