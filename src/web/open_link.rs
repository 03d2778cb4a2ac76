//! Opening a share link on the page. The header and the code are read in Rust
//! (`scenario::read_link_header`, `read_link_code`); the base64 and the inflation are left to the
//! browser (`atob`, `DecompressionStream`), which keeps base64's decoder and miniz's inflater out of
//! the bundle. The inflation keeps the same cap as the runner's ([`LINK_INFLATED_MAX`]): the stream
//! is read chunk by chunk and cancelled past it.

use crate::scenario::{link_data_base64, read_link_code, read_link_header, Link, LinkError, LINK_INFLATED_MAX};
use js_sys::{Array, Function, Reflect, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What a link read gives: the link and the behaviour version it names, or why it cannot open.
pub(super) type LinkRead = Result<(Link, u32), LinkError>;
type Done = Box<dyn FnOnce(Result<Vec<u8>, LinkError>)>;

/// Reads a link's text as `scenario::read_link` does, and calls `done` once it is read (at once
/// for a refused header, after the browser's inflation otherwise).
pub(super) fn read_link(text: &str, done: impl FnOnce(LinkRead) + 'static) {
    let header = match read_link_header(text) {
        Ok(header) => header,
        Err(e) => return done(Err(e)),
    };
    let (format, behaviour) = (header.format, header.behaviour);
    let inflated = move |code: Result<Vec<u8>, LinkError>| {
        done(code.and_then(|code| read_link_code(format, &code)).map(|link| (link, behaviour)))
    };
    match data_bytes(header.data) {
        Ok(deflated) => inflate(&deflated, Box::new(inflated)),
        Err(e) => inflated(Err(e)),
    }
}

/// base64url to bytes with `atob` (a malformed one is damage).
fn data_bytes(data: &str) -> Result<Vec<u8>, LinkError> {
    let standard = link_data_base64(data)?;
    let binary = super::dom::window().atob(&standard).map_err(|_| LinkError::Damaged)?;
    // `atob` gives one character per byte, each below 256.
    Ok(binary.chars().map(|c| c as u8).collect())
}

/// Inflates a zlib stream in the browser; `done` gets the code, `TooLarge` past the cap, or
/// `Damaged` when the stream fails (its Adler-32 checksum included).
fn inflate(deflated: &[u8], done: Done) {
    match inflated_reader(deflated) {
        Ok(reader) => read_more(Inflation { reader, code: Vec::new(), done }),
        Err(_) => done(Err(LinkError::Damaged)),
    }
}

/// `new Blob([deflated]).stream().pipeThrough(new DecompressionStream("deflate")).getReader()`,
/// through `Reflect`: web-sys has `DecompressionStream` only behind its unstable-API flag.
fn inflated_reader(deflated: &[u8]) -> Result<JsValue, JsValue> {
    let blob = web_sys::Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(deflated)))?;
    let stream: JsValue = blob.stream().into();
    let ctor: Function = Reflect::get(&js_sys::global(), &"DecompressionStream".into())?.dyn_into()?;
    let inflater = Reflect::construct(&ctor, &Array::of1(&"deflate".into()))?;
    let piped = method(&stream, "pipeThrough")?.call1(&stream, &inflater)?;
    method(&piped, "getReader")?.call0(&piped)
}

fn method(target: &JsValue, name: &str) -> Result<Function, JsValue> {
    Reflect::get(target, &name.into())?.dyn_into()
}

/// A stream being read: its reader, what came out so far, and who wants it.
struct Inflation {
    reader: JsValue,
    code: Vec<u8>,
    done: Done,
}

/// `reader.read().then(on_chunk, on_error)`: exactly one of the two runs.
fn read_more(inflation: Inflation) {
    let read = method(&inflation.reader, "read").and_then(|f| f.call0(&inflation.reader));
    let Ok((promise, then)) = read.and_then(|p| method(&p, "then").map(|then| (p, then))) else {
        return (inflation.done)(Err(LinkError::Damaged));
    };
    let state = Rc::new(RefCell::new(Some(inflation)));
    let failed = state.clone();
    let on_error = Closure::once_into_js(move |_: JsValue| {
        if let Some(s) = failed.take() {
            (s.done)(Err(LinkError::Damaged));
        }
    });
    let on_chunk = Closure::once_into_js(move |result: JsValue| {
        if let Some(s) = state.take() {
            s.on_chunk(&result);
        }
    });
    let _ = then.call2(&promise, &on_chunk, &on_error);
}

impl Inflation {
    /// A `{done, value}` from the reader: the end, or a chunk to add within the cap.
    fn on_chunk(mut self, result: &JsValue) {
        if Reflect::get(result, &"done".into()).map_or(true, |d| d.is_truthy()) {
            return (self.done)(Ok(self.code));
        }
        let Ok(chunk) = Reflect::get(result, &"value".into()).and_then(|v| v.dyn_into::<Uint8Array>()) else {
            return (self.done)(Err(LinkError::Damaged));
        };
        if self.code.len() + chunk.length() as usize > LINK_INFLATED_MAX {
            // Stop the inflation: what is left is never produced.
            let _ = method(&self.reader, "cancel").and_then(|f| f.call0(&self.reader));
            return (self.done)(Err(LinkError::TooLarge));
        }
        self.code.extend(chunk.to_vec());
        read_more(self);
    }
}
