//! Share links: a scenario and the commands a person applied since (the engine's session), in the
//! text a URL fragment carries (`#s=1.1.812.eJzt...&t=42000&paused`).
//!
//! The text is `LINK.BEHAVIOUR.LENGTH.DATA`: the link format, the engine's behaviour version, the
//! length of DATA in characters, and DATA, the binary code (postcard) of the scenario and the
//! session, deflated (zlib, `miniz_oxide`) and written in base64url (`base64`). The length tells a
//! link a chat app cut short from a damaged one, whose zlib checksum (Adler-32) fails. The text is
//! capped before anything is decoded ([`LINK_TEXT_MAX`]) and the inflation too
//! ([`LINK_INFLATED_MAX`]); what comes out is checked by the engine (`check_scenario`, and every
//! session command again when [`Engine::replay`](crate::engine::Engine::replay) applies it).

use super::{Scenario, ScenarioError, TimedCommand};
use crate::engine::{check_scenario, BEHAVIOUR_VERSION};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The link format this playground writes; it reads this one and every earlier one.
pub const LINK_FORMAT: u32 = 1;
/// A link's text is refused above this many bytes, before any decoding.
pub const LINK_TEXT_MAX: usize = 8 * 1024;
/// Inflation stops at this many bytes.
pub const LINK_INFLATED_MAX: usize = 64 * 1024;

/// What a link carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub scenario: Scenario,
    /// Commands applied after the start, at the times they ran (`Engine::session`).
    pub session: Vec<TimedCommand>,
}

/// Why a link cannot be opened; each has its own sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    TooLong {
        bytes: usize,
    },
    NotALink,
    NewerFormat {
        format: u32,
    },
    CutShort {
        have: usize,
        want: usize,
    },
    /// The checksum (or the base64) fails: characters changed on the way.
    Damaged,
    /// More than [`LINK_INFLATED_MAX`] bytes once inflated.
    TooLarge,
    /// A sound stream that holds no scenario link of this format.
    NotAScenario,
    Invalid(ScenarioError),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::TooLong { bytes } => {
                write!(f, "this link is too long: {bytes} bytes, and a scenario link has at most {LINK_TEXT_MAX}")
            }
            LinkError::NotALink => write!(f, "this is not a scenario link"),
            LinkError::NewerFormat { format } => write!(
                f,
                "this link was made by a newer version of the playground (link format {format}; this one reads up to {LINK_FORMAT})"
            ),
            LinkError::CutShort { have, want } => {
                write!(f, "this link was cut short: it has {have} of its {want} characters (copy all of it)")
            }
            LinkError::Damaged => write!(f, "this link is damaged: its characters do not add up (its checksum fails)"),
            LinkError::TooLarge => {
                write!(f, "this link holds more than {LINK_INFLATED_MAX} bytes of scenario, more than a link may carry")
            }
            LinkError::NotAScenario => write!(f, "this link's contents are not a scenario of link format {LINK_FORMAT}"),
            LinkError::Invalid(e) => write!(f, "this link's scenario is not valid: {e}"),
        }
    }
}

/// A link's text can be opened only within [`LINK_TEXT_MAX`] bytes.
fn check_link_text(text: &str) -> Result<(), LinkError> {
    if text.len() > LINK_TEXT_MAX {
        Err(LinkError::TooLong { bytes: text.len() })
    } else {
        Ok(())
    }
}

/// The link text of `link`; refused, as [`read_link`] would refuse it, over either cap.
pub fn make_link(link: &Link) -> Result<String, LinkError> {
    let deflated = miniz_oxide::deflate::compress_to_vec_zlib(&link_code(link)?, 10);
    link_text(&deflated)
}

/// The binary code a link deflates; refused over [`LINK_INFLATED_MAX`]. The page deflates it with
/// the browser's own `CompressionStream("deflate")` (a zlib stream as well), which keeps miniz's
/// compressor out of its bundle, and then calls [`link_text`].
pub fn link_code(link: &Link) -> Result<Vec<u8>, LinkError> {
    // Plain structs, enums, strings and numbers: postcard writes them all (round-trip tests).
    let code = postcard::to_allocvec(link).unwrap_or_default();
    if code.len() > LINK_INFLATED_MAX {
        Err(LinkError::TooLarge)
    } else {
        Ok(code)
    }
}

/// The link text of a zlib stream of [`link_code`]; refused over [`LINK_TEXT_MAX`].
pub fn link_text(deflated: &[u8]) -> Result<String, LinkError> {
    let data = URL_SAFE_NO_PAD.encode(deflated);
    let text = format!("{LINK_FORMAT}.{BEHAVIOUR_VERSION}.{}.{data}", data.len());
    check_link_text(&text)?;
    Ok(text)
}

/// Reads a link's text (a fragment's `s` value); also returns the behaviour version it names.
pub fn read_link(text: &str) -> Result<(Link, u32), LinkError> {
    check_link_text(text)?;
    let mut parts = text.splitn(4, '.');
    let mut number = || parts.next().and_then(|p| p.parse::<u64>().ok());
    let (Some(format), Some(behaviour), Some(want)) = (number(), number(), number()) else {
        return Err(LinkError::NotALink);
    };
    let data = parts.next().ok_or(LinkError::NotALink)?;
    if format == 0 {
        return Err(LinkError::NotALink);
    }
    if format > u64::from(LINK_FORMAT) {
        return Err(LinkError::NewerFormat { format: u32::try_from(format).unwrap_or(u32::MAX) });
    }
    // A length no link can have is no cut: the header itself is wrong.
    let want = usize::try_from(want).ok().filter(|w| *w <= LINK_TEXT_MAX).ok_or(LinkError::NotALink)?;
    if data.len() < want {
        return Err(LinkError::CutShort { have: data.len(), want });
    }
    if data.len() > want {
        return Err(LinkError::Damaged);
    }
    let deflated = URL_SAFE_NO_PAD.decode(data).map_err(|_| LinkError::Damaged)?;
    let code = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&deflated, LINK_INFLATED_MAX).map_err(|e| {
        match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLarge,
            _ => LinkError::Damaged,
        }
    })?;
    let (link, rest) = postcard::take_from_bytes::<Link>(&code).map_err(|_| LinkError::NotAScenario)?;
    if !rest.is_empty() {
        return Err(LinkError::NotAScenario);
    }
    check_scenario(&link.scenario).map_err(LinkError::Invalid)?;
    Ok((link, u32::try_from(behaviour).unwrap_or(u32::MAX)))
}
