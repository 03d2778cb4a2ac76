//! `partition-playground export SCENARIO.json [-o DIR]`: the scenario as a real KRaft cluster's
//! setup (`export::export`), written into DIR.

use super::{flag_value, Source};
use crate::UsageError;
use partition_playground::engine::{Engine, Scenario};
use partition_playground::export;

/// Where the files go unless `-o` says otherwise.
pub const DIR_DEFAULT: &str = "kafka-export";

#[derive(Debug)]
pub struct Args {
    pub path: String,
    pub dir: String,
}

pub fn parse(args: &[String]) -> Result<Args, String> {
    let (mut path, mut dir) = (None, None);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if !(arg.starts_with('-') && arg.len() > 1) {
            if path.replace(arg.clone()).is_some() {
                return Err(format!("unexpected argument `{arg}`: one scenario per export"));
            }
            continue;
        }
        let (flag, value) = flag_value(arg, &mut rest);
        match flag.as_str() {
            "-o" | "--output" => dir = Some(value.ok_or("-o needs a directory")?),
            _ => return Err(format!("unknown option `{flag}`")),
        }
    }
    let path = path.ok_or("missing the scenario file: `export SCENARIO.json`")?;
    Ok(Args { path, dir: dir.unwrap_or_else(|| DIR_DEFAULT.to_string()) })
}

/// The scenario a file or link stands for, checked by the engine; a link's session (what was
/// done in the page) joins the commands at its times, after the scenario's own at equal times.
fn scenario(path: &str) -> Result<Scenario, UsageError> {
    let scenario = match Source::read(path)? {
        Source::File(scenario) => *scenario,
        Source::Link { text, .. } => {
            let (link, _) = partition_playground::scenario::read_link(&text).map_err(|e| UsageError(e.to_string()))?;
            link.into_scenario()
        }
    };
    Engine::new(&scenario).map_err(|e| UsageError(format!("{path}: {e}")))?;
    Ok(scenario)
}

/// Writes the files; returns the lines naming them.
pub fn run(args: &Args) -> Result<String, UsageError> {
    let scenario = scenario(&args.path)?;
    let dir = std::path::Path::new(&args.dir);
    std::fs::create_dir_all(dir).map_err(|e| UsageError(format!("{}: cannot create the directory: {e}", args.dir)))?;
    let mut report = String::new();
    for (name, contents) in export::export(&scenario) {
        let path = dir.join(&name);
        std::fs::write(&path, &contents)
            .map_err(|e| UsageError(format!("{}: cannot write the file: {e}", path.display())))?;
        report.push_str(&format!("{}: {} bytes\n", path.display(), contents.len()));
    }
    report.push_str(&format!("then: cd {} && docker compose up -d && sh commands.sh\n", args.dir));
    Ok(report)
}
