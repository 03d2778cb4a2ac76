//! A scenario's binary code: the compact form the page embeds (and a share link can carry).
//!
//! The code is the [postcard](https://docs.rs/postcard) encoding of a [`Scenario`], read back by
//! [`CodeReader`](super::code_reader::CodeReader). Its first field
//! is `format`, so a reader sees the version before anything else. Decoding ends in the engine's check,
//! as [`parse`](super::parse) does, so a damaged or hand-made code cannot build an engine that JSON could
//! not. The page reads only codes: JSON (serde_json and the error-locating reader) stays out of
//! the wasm bundle.

use super::code_reader::{CodeReader, Fault};
use super::json::check_size;
use super::{Scenario, ScenarioError, FORMAT_VERSION};
use crate::engine::check_scenario;

/// The scenario's binary code, then the settings its postcard code has no field for, as a link's
/// settings sections (only those not the default: a code without them is as before).
pub fn encode(s: &Scenario) -> Vec<u8> {
    // The scenario's types are plain structs, enums, strings and numbers, all of which postcard
    // writes; an error would be a bug in those types, and the round-trip tests would catch it.
    let mut code = postcard::to_allocvec(s).unwrap_or_default();
    super::link::write_skipped_sections(s, &mut code);
    code
}

/// Reads a scenario from its binary code, and checks it as [`parse`](super::parse) does.
pub fn decode(bytes: &[u8]) -> Result<Scenario, ScenarioError> {
    check_size(bytes.len())?;
    let damaged = |fault: Fault| ScenarioError {
        path: String::new(),
        reason: format!("not a scenario code of format {FORMAT_VERSION} ({})", fault.as_str()),
    };
    let format = CodeReader::new(bytes).u32().map_err(damaged)?;
    if format != FORMAT_VERSION {
        return Err(ScenarioError {
            path: "format".into(),
            reason: format!("this playground reads format {FORMAT_VERSION}, not {format}"),
        });
    }
    let mut reader = CodeReader::new(bytes);
    let mut scenario = reader.scenario().map_err(damaged)?;
    let rest = reader.rest();
    super::link::read_skipped_sections(&mut scenario, rest).map_err(|_| ScenarioError {
        path: String::new(),
        reason: format!("not a scenario code: {} bytes left after its end that are no settings", rest.len()),
    })?;
    check_scenario(&scenario)?;
    Ok(scenario)
}
