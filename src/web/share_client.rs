//! The page's side of its share worker (`share_worker`): one worker per page, started on the first
//! request (its wasm is fetched then, not with the page), then kept. A request waits in a queue
//! until the worker says it is ready; each answer goes to the callback of its request. If the worker
//! cannot start (its files missing, a policy refusing them), every waiting request gets the reason
//! and the next request tries again.

use js_sys::{Array, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, Event, MessageEvent, Worker};

/// The worker's start script (`www/share-worker-loader.js`), beside the page.
const LOADER: &str = "share-worker-loader.js";

/// What a request's callback gets: the answer, or the reason there is none.
pub type Answer = Result<JsValue, String>;
type Done = Box<dyn FnOnce(Answer)>;

struct Client {
    worker: Worker,
    ready: bool,
    /// Requests made before the worker was ready, in order.
    queued: Vec<Array>,
    /// The callbacks of requests without an answer yet, by id.
    waiting: Vec<(u32, Done)>,
    next_id: u32,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

/// Asks the worker `kind` (`"link"` or `"export"`) about `message` (a `scenario::link_message`);
/// `done` gets its answer.
pub fn request(kind: &str, message: &[u8], done: impl FnOnce(Answer) + 'static) {
    let mut done: Option<Done> = Some(Box::new(done));
    let request = Array::of3(&kind.into(), &JsValue::UNDEFINED, &Uint8Array::from(message));
    let refused = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        let client = match c.as_mut() {
            Some(client) => client,
            None => match start() {
                Ok(client) => c.insert(client),
                Err(reason) => return Some(reason),
            },
        };
        let id = client.next_id;
        client.next_id = client.next_id.wrapping_add(1);
        request.set(1, id.into());
        client.waiting.extend(done.take().map(|d| (id, d)));
        if client.ready {
            let _ = client.worker.post_message(&request);
        } else {
            client.queued.push(request);
        }
        None
    });
    if let (Some(reason), Some(done)) = (refused, done) {
        done(Err(reason));
    }
}

/// A new worker and its listeners; the reason if the browser refuses to make one.
fn start() -> Result<Client, String> {
    let worker = Worker::new(&loader_url()).map_err(|e| format!("the share worker could not start ({})", said(&e)))?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| on_message(e.data().unchecked_into()));
    // An `ErrorEvent` when the worker's script threw; a plain `Event`, with no message, when the
    // loader itself could not be fetched or was refused.
    let on_error = Closure::<dyn FnMut(Event)>::new(|e: Event| {
        e.prevent_default();
        let message =
            e.dyn_ref::<ErrorEvent>().map(|e| e.message()).unwrap_or_else(|| "its script did not load".into());
        fail_all(format!("the share worker stopped ({message})"));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Client {
        worker,
        ready: false,
        queued: Vec::new(),
        waiting: Vec::new(),
        next_id: 0,
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// The loader with the worker's build in its query (a digest of the worker's glue and wasm, which
/// `www/post-build.mjs` writes on the start script's tag as `data-share-worker`), which the loader
/// passes on to the worker's own files: their names are fixed, so a cached worker of another build
/// is never used.
fn loader_url() -> String {
    let build = crate::web::dom::document()
        .query_selector("script[data-share-worker]")
        .ok()
        .flatten()
        .and_then(|s| s.get_attribute("data-share-worker"))
        .unwrap_or_default();
    format!("{LOADER}?build={build}")
}

/// What a thrown `DOMException` or error says (its message), or the value as text.
fn said(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_default()
}

/// `["ready"]`, `["failed", reason]` (the loader could not start the wasm), or `[id, ok, answer]`
/// for the request `id`.
fn on_message(data: Array) {
    let first = data.get(0);
    if first.as_string().as_deref() == Some("failed") {
        let reason = data.get(1).as_string().unwrap_or_default();
        return fail_all(format!("the share worker could not start ({reason})"));
    }
    let done = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        let client = c.as_mut()?;
        if first.as_string().as_deref() == Some("ready") {
            client.ready = true;
            for request in client.queued.drain(..) {
                let _ = client.worker.post_message(&request);
            }
            return None;
        }
        let id = first.as_f64()? as u32;
        let at = client.waiting.iter().position(|(i, _)| *i == id)?;
        Some(client.waiting.remove(at).1)
    });
    // Called with the client free: a callback may make the next request.
    if let Some(done) = done {
        let answer = data.get(2);
        done(if data.get(1).is_truthy() { Ok(answer) } else { Err(answer.as_string().unwrap_or_default()) });
    }
}

/// The worker failed: every waiting request gets `reason`, and the next request starts a new one.
fn fail_all(reason: String) {
    let client = CLIENT.with(|c| c.borrow_mut().take());
    if let Some(client) = client {
        client.worker.terminate();
        for (_, done) in client.waiting {
            done(Err(reason.clone()));
        }
    }
}
