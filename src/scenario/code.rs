//! A scenario's binary code: the compact form the page embeds (and a share link can carry).
//!
//! The code is the [postcard](https://docs.rs/postcard) encoding of a [`Scenario`]. Its first field
//! is `format`, so a reader sees the version before anything else. Decoding ends in the engine's check,
//! as [`parse`](super::parse) does, so a damaged or hand-made code cannot build an engine that JSON could
//! not. The page reads only codes: JSON (serde_json and the error-locating reader) stays out of
//! the wasm bundle.

use super::json::check_size;
use super::{Scenario, ScenarioError, FORMAT_VERSION};
use crate::engine::check_scenario;

/// The scenario's binary code.
pub fn encode(s: &Scenario) -> Vec<u8> {
    // The scenario's types are plain structs, enums, strings and numbers, all of which postcard
    // writes; an error would be a bug in those types, and the round-trip tests would catch it.
    let mut code = postcard::to_allocvec(s).unwrap_or_default();
    // What the scenario's postcard skips follows, as a link's sections (none at the defaults).
    super::link::write_skipped_sections(s, &mut code);
    code
}

/// What is wrong with a binary code, in our words: postcard's own messages (and their `Display`)
/// stay out of the wasm bundle, and a reader learns what they would have said that matters.
pub(super) fn code_fault(e: &postcard::Error) -> &'static str {
    use postcard::Error as E;
    match e {
        E::DeserializeUnexpectedEnd => "it ends too early",
        E::DeserializeBadVarint | E::DeserializeBadBool | E::DeserializeBadChar | E::DeserializeBadUtf8 => {
            "a value is not of its type"
        }
        E::DeserializeBadOption | E::DeserializeBadEnum => "a choice is out of range",
        _ => "its bytes do not make one",
    }
}

/// Reads a scenario from its binary code, and checks it as [`parse`](super::parse) does.
pub fn decode(bytes: &[u8]) -> Result<Scenario, ScenarioError> {
    check_size(bytes.len())?;
    let damaged = |e: postcard::Error| ScenarioError {
        path: String::new(),
        reason: format!("not a scenario code of format {FORMAT_VERSION} ({})", code_fault(&e)),
    };
    let (format, _) = postcard::take_from_bytes::<u32>(bytes).map_err(damaged)?;
    if format != FORMAT_VERSION {
        return Err(ScenarioError {
            path: "format".into(),
            reason: format!("this playground reads format {FORMAT_VERSION}, not {format}"),
        });
    }
    let (mut scenario, rest) = postcard::take_from_bytes::<Scenario>(bytes).map_err(damaged)?;
    if super::link::read_skipped_sections(&mut scenario, rest).is_err() {
        return Err(ScenarioError {
            path: String::new(),
            reason: format!("not a scenario code: {} bytes left after its end", rest.len()),
        });
    }
    check_scenario(&scenario)?;
    Ok(scenario)
}
