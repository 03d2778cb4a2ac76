//! The share worker's side (`src/bin/share_worker.rs` runs it in a dedicated worker): it answers
//! the page's requests, each `[kind, id, message]` where the message is a [`link_message`], with
//! `[id, ok, answer]`:
//! - `"link"`: the link's text, as `partition-playground link` writes it ([`make_link`]: the same
//!   session code, deflate and base64url, so the page and the runner make the same text);
//! - `"export"`: the files of `partition-playground export` for the scenario and its session, as
//!   `[[name, contents], ...]` (`export::export`).
//!
//! An answer that is not ok is the reason, a sentence. The worker says `["ready"]` once it listens.
//!
//! [`link_message`]: crate::scenario::link_message

use crate::engine::check_scenario;
use crate::export::export;
use crate::scenario::{make_link, read_link_message};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Listens for the page's requests until the page goes.
pub fn run() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let request: Array = e.data().unchecked_into();
        let kind = request.get(0).as_string().unwrap_or_default();
        let message = Uint8Array::new(&request.get(2)).to_vec();
        let (ok, answer) = match answer(&kind, &message) {
            Ok(answer) => (true, answer),
            Err(reason) => (false, JsValue::from_str(&reason)),
        };
        let _ = reply_to.post_message(&Array::of3(&request.get(1), &ok.into(), &answer));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page that started it, and its listener with it.
    on_message.forget();
    let _ = scope.post_message(&Array::of1(&"ready".into()));
}

fn answer(kind: &str, message: &[u8]) -> Result<JsValue, String> {
    let link = read_link_message(message).map_err(|e| e.to_string())?;
    match kind {
        "link" => make_link(&link).map(|text| JsValue::from_str(&text)).map_err(|e| e.to_string()),
        "export" => {
            // The merged commands are checked as the runner's export checks them (the engine's
            // contract), so a file never holds what the engine would refuse.
            let scenario = link.into_scenario();
            check_scenario(&scenario).map_err(|e| e.to_string())?;
            let files = Array::new();
            for (name, contents) in export(&scenario) {
                files.push(&Array::of2(&name.into(), &contents.into()));
            }
            Ok(files.into())
        }
        _ => Err(format!("the share worker does not know the request `{kind}`")),
    }
}
