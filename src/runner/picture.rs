//! `partition-playground svg SCENARIO.json [--at MS] [-o FILE]`: the diagram at a moment as a
//! standalone SVG (`svg::diagram`), to standard output or a file.

use super::{flag_value, Source};
use crate::UsageError;
use partition_playground::engine::{Engine, Millis, ViewOptions, LIMITS};
use partition_playground::svg;

#[derive(Debug)]
pub struct Args {
    pub path: String,
    pub at_ms: Option<Millis>,
    pub output: Option<String>,
}

pub fn parse(args: &[String]) -> Result<Args, String> {
    let (mut path, mut at_ms, mut output) = (None, None, None);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let is_flag = arg.starts_with('-') && arg.len() > 1;
        if !is_flag {
            if path.replace(arg.clone()).is_some() {
                return Err(format!("unexpected argument `{arg}`: one scenario per picture"));
            }
            continue;
        }
        let (flag, value) = flag_value(arg, &mut rest);
        match flag.as_str() {
            "--at" => {
                let v = value.ok_or("--at needs a value")?;
                let ms =
                    v.parse::<Millis>().map_err(|_| format!("--at: `{v}` is not a whole number of milliseconds"))?;
                if ms > LIMITS.time_ms_max {
                    return Err(format!("--at: at most {} ms (30 days)", LIMITS.time_ms_max));
                }
                at_ms = Some(ms);
            }
            "-o" | "--output" => output = Some(value.ok_or("-o needs a file")?),
            _ => return Err(format!("unknown option `{flag}`")),
        }
    }
    let path = path.ok_or("missing the scenario file: `svg SCENARIO.json`")?;
    Ok(Args { path, at_ms, output })
}

/// The SVG document, or the error; writes it to `-o FILE` if given (then returns a line saying so).
pub fn run(args: &Args) -> Result<String, UsageError> {
    let (mut engine, at_ms) = match Source::read(&args.path)? {
        Source::Link { text, t } => {
            let (engine, _, until) = crate::replay_link(&text, t, args.at_ms)?;
            (engine, until)
        }
        Source::File(scenario) => {
            let engine = Engine::new(&scenario).map_err(|e| UsageError(format!("{}: {e}", args.path)))?;
            (engine, args.at_ms.unwrap_or(scenario.until_ms))
        }
    };
    if let Some(Err(e)) = args.at_ms.map(|t| engine.ledger().check_run_to(t)) {
        return Err(UsageError(format!("--at: {e}")));
    }
    // Past the moment already (a link replayed to it): nothing to advance.
    if engine.now_ms() < at_ms {
        engine.advance_to(at_ms, u64::MAX).map_err(|e| UsageError(format!("{e} (an engine bug)")))?;
    }
    let view = engine.view(ViewOptions::default());
    let document = svg::diagram(&view, svg::WIDTH_DEFAULT);
    match &args.output {
        None => Ok(document),
        Some(file) => {
            std::fs::write(file, &document).map_err(|e| UsageError(format!("{file}: cannot write the file: {e}")))?;
            Ok(format!("{file}: the diagram at {at_ms} ms, {} bytes\n", document.len()))
        }
    }
}
