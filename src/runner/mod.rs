//! The runner's commands beyond `run`, `encode` and `link`, one module each: the argument parsing
//! and the file I/O around a pure library function (`svg::diagram`, `export::export`).

pub mod export;
pub mod picture;

use crate::UsageError;

/// What `svg` and `export` read, as `run` does: a scenario file (JSON or binary code, checked), or
/// a share link or its fragment (its text and its `t`, read by the caller, which replays it or
/// takes its scenario).
pub enum Source {
    File(Box<partition_playground::engine::Scenario>),
    Link { text: String, t: Option<String> },
}

impl Source {
    pub fn read(path: &str) -> Result<Source, UsageError> {
        match crate::link_arg(path) {
            Some((text, t)) => Ok(Source::Link { text, t }),
            None => crate::load(path).map(|s| Source::File(Box::new(s))),
        }
    }
}

/// A flag given as `--flag VALUE` or `--flag=VALUE`: the flag and its value, if there is one.
pub fn flag_value<'a>(arg: &str, rest: &mut impl Iterator<Item = &'a String>) -> (String, Option<String>) {
    match arg.split_once('=') {
        Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
        _ => (arg.to_string(), rest.next().cloned()),
    }
}
