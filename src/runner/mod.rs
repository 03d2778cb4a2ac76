//! The runner's commands beyond `run`, `encode` and `link`, one module each: the argument parsing
//! and the file I/O around a pure library function (`svg::diagram`, `export::export`).

pub mod export;
pub mod picture;

use crate::UsageError;

/// A scenario file, a share link or its fragment, as `run` takes it: the engine at time 0 (with a
/// link's session to replay), the scenario, and the moment the source itself names (a link's `t`,
/// else the scenario's `until_ms`).
pub enum Source {
    File(partition_playground::engine::Scenario),
    Link { text: String, t: Option<String> },
}

impl Source {
    pub fn read(path: &str) -> Result<Source, UsageError> {
        match crate::link_arg(path) {
            Some((text, t)) => Ok(Source::Link { text, t }),
            None => crate::load(path).map(Source::File),
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
