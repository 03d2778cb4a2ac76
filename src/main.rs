//! The headless runner: reads a scenario, runs it to a time, prints the final state.
//!
//! ```text
//! partition-playground run SCENARIO.json [--until MS] [--format json|text]
//! partition-playground encode SCENARIO.json CODE.bin
//! partition-playground svg SCENARIO.json [--at MS] [-o FILE]
//! partition-playground export SCENARIO.json [-o DIR]
//! ```
//!
//! Exit codes: 0 the run ended with no unexpected invariant violation; 1 it ended with at least one
//! (an engine bug: Kafka's guarantees rule them out); 2 bad arguments or a bad scenario file (the
//! message on stderr names the field and the reason); 3 the simulation stopped making progress (an
//! engine bug: too many steps without simulated time moving).
//!
//! No CLI crate: the arguments are few and parsed by hand, so the binary keeps its dependencies few.

mod runner;

use partition_playground::engine::{
    BrokerId, ClusterEvent, ClusterView, Engine, Millis, SendStatus, ViewOptions, LIMITS,
};
use partition_playground::scenario::{self, Scenario};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::process::ExitCode;

const USAGE: &str = "\
Partition Playground: a deterministic simulation of Kafka partition leadership and replication.

Usage:
  partition-playground run SCENARIO.json [--until MS] [--format json|text]
  partition-playground encode SCENARIO.json CODE.bin
  partition-playground link SCENARIO.json [--at MS] [--paused] [--base URL]
  partition-playground svg SCENARIO.json [--at MS] [-o FILE]
  partition-playground export SCENARIO.json [-o DIR]
  partition-playground lessons [DIR] [--base URL]
  partition-playground --help

run: runs the scenario (docs/scenario-format.md; `-` reads it from standard input; a scenario's
binary code is read too) from time 0 to MS simulated milliseconds (default: the scenario's
until_ms) and prints the final state: partitions, replicas and their logs, producer sends, consumer
records, the event log, the safety panel and the state hash.

encode: checks the scenario and writes its binary code (what the page embeds) to CODE.bin.

link: prints a share link to the scenario (`#s=...`, after URL if given), opening at MS
(`&t=MS`, default 0) and paused if asked. Given a lesson (docs/lessons.md), the link carries the
lesson: its scenario, narration and questions. `run` accepts such a link, or its fragment, in place of a
file: it replays the link's session too, to --until, else the link's t, else its last command's
time (where the page opens it).

svg: writes the diagram at MS (default: the scenario's until_ms, or a link's t) as a standalone SVG
document to standard output, or to FILE: racks, brokers, replicas with their logs, LEO and HW,
clients; text as text, a title and description in words.

export: writes the scenario's setup for a real Apache Kafka cluster into DIR (default
kafka-export): compose.yaml (KRaft, the same broker ids and racks), commands.sh (the topics, then
every command as its real act in time order) and README.md (where the real acts differ; see
docs/real-cluster.md).
lessons: checks every built-in lesson in DIR (default www/lessons; docs/lessons.md) and writes
DIR/index.html, the lesson index: each lesson's concept, link and embed code, the playground being
at URL (default ../, the index's place in dist/).

Options:
  --until MS         stop at MS simulated milliseconds (a whole number, at most 2592000000 = 30 days)
  --format json      the final state as one JSON object (default)
  --format text      a readable summary
  -h, --help         this text

Exit codes:
  0  the run ended with no unexpected invariant violation
  1  the run ended with unexpected invariant violations (Kafka's guarantees rule them out)
  2  bad arguments, or the scenario file is missing, unreadable, not JSON, not a valid scenario or
     over the playground's budget (docs/scenario-format.md, Bounds), --until included (or, for
     encode, CODE.bin cannot be written)
  3  the simulation stopped making progress (an engine bug)
";

/// Event lines in the text summary.
const TEXT_EVENTS_MAX: usize = 30;
/// Sends listed per producer in the text summary (the JSON lists all).
const TEXT_SENDS_MAX: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Json,
    Text,
}

#[derive(Debug)]
struct RunArgs {
    path: String,
    until_ms: Option<Millis>,
    format: Format,
}

#[derive(Debug)]
enum Invocation {
    Help,
    Run(RunArgs),
    Encode { input: String, output: String },
    Link { path: String, at_ms: Option<Millis>, paused: bool, base: String },
    Svg(runner::picture::Args),
    Export(runner::export::Args),
    Lessons { dir: String, base: String },
}

/// A failure the user can fix; printed as `error: <message>` with exit code 2.
pub struct UsageError(pub String);

fn parse_args(args: &[String]) -> Result<Invocation, UsageError> {
    let usage = |msg: String| UsageError(format!("{msg}\n(run `partition-playground --help` for usage)"));
    if args.iter().any(|a| a == "-h" || a == "--help") || args.first().is_some_and(|a| a == "help") {
        return Ok(Invocation::Help);
    }
    let expected = "expected one of `run`, `encode`, `link`, `svg`, `export`, `lessons` (see --help)";
    let Some(sub) = args.first() else {
        return Err(usage(format!("missing command: {expected}")));
    };
    if sub == "encode" {
        return match &args[1..] {
            [input, output] if !input.starts_with("--") && !output.starts_with("--") => {
                Ok(Invocation::Encode { input: input.clone(), output: output.clone() })
            }
            _ => Err(usage("encode takes two paths: `encode SCENARIO.json CODE.bin`".into())),
        };
    }
    if sub == "link" {
        return parse_link_args(&args[1..]).map_err(usage);
    }
    if sub == "svg" {
        return runner::picture::parse(&args[1..]).map(Invocation::Svg).map_err(usage);
    }
    if sub == "export" {
        return runner::export::parse(&args[1..]).map(Invocation::Export).map_err(usage);
    }
    if sub == "lessons" {
        return parse_lessons_args(&args[1..]).map_err(usage);
    }
    if sub != "run" {
        return Err(usage(format!("unknown command `{sub}`: {expected}")));
    }
    let mut path = None;
    let mut until_ms = None;
    let mut format = Format::Json;
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        // Accept both `--until 5000` and `--until=5000`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, UsageError> {
            inline.clone().or_else(|| rest.next().cloned()).ok_or_else(|| usage(format!("{name} needs a value")))
        };
        match flag {
            "--until" => {
                let v = value("--until")?;
                let ms: Millis =
                    v.parse().map_err(|_| usage(format!("--until: `{v}` is not a whole number of milliseconds")))?;
                if ms > LIMITS.time_ms_max {
                    return Err(usage(format!("--until: at most {} ms (30 days)", LIMITS.time_ms_max)));
                }
                until_ms = Some(ms);
            }
            "--format" => {
                let v = value("--format")?;
                format = match v.as_str() {
                    "json" => Format::Json,
                    "text" => Format::Text,
                    _ => return Err(usage(format!("--format: `{v}` is not one of json, text"))),
                };
            }
            _ if flag.starts_with('-') && flag.len() > 1 => return Err(usage(format!("unknown option `{flag}`"))),
            _ if path.is_none() => path = Some(arg.clone()),
            _ => return Err(usage(format!("unexpected argument `{arg}`: one scenario file per run"))),
        }
    }
    let path = path.ok_or_else(|| usage("missing the scenario file: `run SCENARIO.json`".into()))?;
    Ok(Invocation::Run(RunArgs { path, until_ms, format }))
}

fn parse_link_args(args: &[String]) -> Result<Invocation, String> {
    let (mut path, mut at_ms, mut paused, mut base) = (None, None, false, String::new());
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        // `--at 5000` and `--at=5000`, `--base URL` and `--base=URL`, as `run` takes `--until`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        match flag {
            "--at" => {
                let v = inline.or_else(|| rest.next().cloned()).ok_or("--at needs a value")?;
                at_ms = Some(
                    v.parse::<Millis>().map_err(|_| format!("--at: `{v}` is not a whole number of milliseconds"))?,
                );
            }
            "--paused" => paused = true,
            "--base" => base = inline.or_else(|| rest.next().cloned()).ok_or("--base needs a URL")?,
            a if a.starts_with('-') && a.len() > 1 => return Err(format!("unknown option `{a}`")),
            _ if path.is_none() => path = Some(arg.clone()),
            _ => return Err(format!("unexpected argument `{arg}`: one scenario file per link")),
        }
    }
    let path = path.ok_or("missing the scenario file: `link SCENARIO.json`")?;
    Ok(Invocation::Link { path, at_ms, paused, base })
}

/// A share link, or its fragment, given in place of a scenario file: the link's text (`s`), the
/// moment to open at (`t`). None when `arg` is not one (or names a file).
pub fn link_arg(arg: &str) -> Option<(String, Option<String>)> {
    if std::path::Path::new(arg).exists() {
        return None;
    }
    let fragment = arg.rsplit_once('#').map_or(arg, |(_, f)| f);
    let mut s = None;
    let mut t = None;
    for part in fragment.split('&') {
        match part.split_once('=') {
            Some(("s", v)) => s = Some(v.to_string()),
            Some(("t", v)) => t = Some(v.to_string()),
            _ => {}
        }
    }
    let bare = fragment.split('.').take(3).all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    match s {
        Some(s) => Some((s, t)),
        None if bare => Some((fragment.to_string(), None)),
        None => None,
    }
}

/// The engine a link makes, run to `until` (else its `t`, else where the page opens it:
/// `page::share::open_at`), and that time.
pub fn replay_link(
    text: &str,
    t: Option<String>,
    until: Option<Millis>,
) -> Result<(Engine, Scenario, Millis), UsageError> {
    let (link, behaviour) = scenario::read_link(text).map_err(|e| UsageError(e.to_string()))?;
    if behaviour != partition_playground::engine::BEHAVIOUR_VERSION {
        eprintln!(
            "note: this link was made by engine behaviour {behaviour}; this runner is {}: the replay may differ",
            partition_playground::engine::BEHAVIOUR_VERSION
        );
    }
    let t = match t {
        Some(v) => Some(
            v.parse::<Millis>().map_err(|_| UsageError(format!("t: `{v}` is not a whole number of milliseconds")))?,
        ),
        None => None,
    };
    let until = until.unwrap_or_else(|| partition_playground::page::share::open_at(&link, t));
    let engine = Engine::replay(&link.scenario, &link.session, until).map_err(|e| UsageError(format!("link: {e}")))?;
    Ok((engine, link.scenario, until))
}

fn make_link_text(path: &str, at_ms: Option<Millis>, paused: bool, base: &str) -> Result<String, UsageError> {
    if let Some(lesson) = load_lesson(path)? {
        // A lesson opens at its start and pauses at its own steps.
        let text = scenario::lesson_index::lesson_fragment(&lesson).map_err(|e| UsageError(format!("{path}: {e}")))?;
        return Ok(format!("{base}{text}\n"));
    }
    let scenario = load(path)?;
    let engine = Engine::new(&scenario).map_err(|e| UsageError(format!("{path}: {e}")))?;
    if let Some(Err(e)) = at_ms.map(|t| engine.ledger().check_run_to(t)) {
        return Err(UsageError(format!("--at: {e}")));
    }
    let link = scenario::Link { scenario, session: Vec::new(), lesson: None };
    let text = scenario::make_link(&link).map_err(|e| UsageError(format!("{path}: {e}")))?;
    let t = format!("&t={}", at_ms.unwrap_or(0));
    let paused = if paused { "&paused" } else { "" };
    Ok(format!("{base}#s={text}{t}{paused}\n"))
}

/// The lesson in `path`, if it is a lesson's JSON (an object with `steps`; docs/lessons.md).
fn load_lesson(path: &str) -> Result<Option<partition_playground::engine::Lesson>, UsageError> {
    let Ok(text) = std::fs::read_to_string(path) else { return Ok(None) };
    let is_lesson = serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.get("steps").is_some());
    if !is_lesson {
        return Ok(None);
    }
    scenario::parse_lesson(&text).map(Some).map_err(|e| UsageError(format!("{path}: {e}")))
}

pub fn load(path: &str) -> Result<Scenario, UsageError> {
    // Read at most one byte past the bound, so a huge input is refused without being held.
    let limit = LIMITS.input_bytes_max as u64 + 1;
    let mut bytes = Vec::new();
    let read = if path == "-" {
        io::Read::read_to_end(&mut io::Read::take(io::stdin(), limit), &mut bytes)
            .map_err(|e| UsageError(format!("standard input: cannot read: {e}")))
    } else {
        let file = std::fs::File::open(path).map_err(|e| UsageError(format!("{path}: cannot read the file: {e}")))?;
        io::Read::read_to_end(&mut io::Read::take(file, limit), &mut bytes)
            .map_err(|e| UsageError(format!("{path}: cannot read the file: {e}")))
    };
    read?;
    if bytes.len() > LIMITS.input_bytes_max {
        return Err(UsageError(format!(
            "{path}: a scenario has at most {} bytes; this input has more",
            LIMITS.input_bytes_max
        )));
    }
    if is_code(&bytes) {
        return scenario::decode(&bytes).map_err(|e| UsageError(format!("{path}: {e}")));
    }
    let text = String::from_utf8(bytes).map_err(|_| UsageError(format!("{path}: not UTF-8 text")))?;
    scenario::parse(&text).map_err(|e| UsageError(format!("{path}: {e}")))
}

/// A binary code starts with its format number (1, or a longer varint of it): a byte that cannot
/// begin text, either a control character other than white space or a UTF-8 continuation byte.
fn is_code(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || (0x80..0xC0).contains(&b))
}

fn encode(input: &str, output: &str) -> Result<String, UsageError> {
    let code = scenario::encode(&load(input)?);
    std::fs::write(output, &code).map_err(|e| UsageError(format!("{output}: cannot write the file: {e}")))?;
    Ok(format!("{output}: {} bytes\n", code.len()))
}

/// One event as the runner prints it: the engine's event plus its explanation.
#[derive(Serialize)]
struct EventOut<'a> {
    #[serde(flatten)]
    event: &'a ClusterEvent,
    explanation: String,
}

/// The JSON report: the final view (flattened: `partitions`, `producers`, `safety`, ... at the top),
/// the event log with explanations, and the state hash.
#[derive(Serialize)]
struct Report<'a> {
    until_ms: Millis,
    seed: u64,
    steps: u64,
    #[serde(flatten)]
    view: &'a ClusterView,
    /// Events emitted before the oldest one kept (the engine keeps the last `EVENTS_KEPT`).
    events_omitted: u64,
    events: Vec<EventOut<'a>>,
    unexpected_violations: u64,
    /// `Engine::state_hash` as 16 hex digits: equal hashes mean equal states.
    state_hash: String,
}

fn json_report(engine: &Engine, scenario: &Scenario, view: &ClusterView) -> String {
    let events: Vec<EventOut> =
        engine.events_since(0).map(|e| EventOut { event: e, explanation: engine.explain(e) }).collect();
    let report = Report {
        until_ms: engine.now_ms(),
        seed: scenario.seed,
        steps: engine.steps(),
        view,
        events_omitted: engine.next_event_seq() - events.len() as u64,
        events,
        unexpected_violations: engine.unexpected_violations(),
        state_hash: format!("{:016x}", engine.state_hash()),
    };
    // Serializing plain data with string keys cannot fail; say so rather than panic if it ever does.
    match serde_json::to_string_pretty(&report) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!("{{\"error\": \"cannot serialize the report: {e}\"}}\n"),
    }
}

fn brokers_list(ids: &[BrokerId]) -> String {
    let v: Vec<String> = ids.iter().map(|b| b.to_string()).collect();
    format!("[{}]", v.join(","))
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// `log start N ` once retention moved it (kafka-model §3.3), else nothing.
fn log_start(r: &partition_playground::engine::ReplicaView) -> String {
    match r.log_start_offset {
        0 => String::new(),
        o => format!("log start {o:<6} "),
    }
}

/// The requests parked at a replica, in words (`  waiting: 2 produce request(s) (acks=all) ...`).
fn parked(r: &partition_playground::engine::ReplicaView) -> String {
    match (r.parked_produces, r.parked_fetches) {
        (0, 0) => String::new(),
        (p, f) => {
            let mut parts = Vec::new();
            if p > 0 {
                parts.push(format!("{p} produce request(s) (acks=all) for the HW to pass their records"));
            }
            if f > 0 {
                parts.push(format!("{f} fetch(es) for new data"));
            }
            format!("  waiting: {}", parts.join(", "))
        }
    }
}

fn text_report(engine: &Engine, scenario: &Scenario, path: &str, view: &ClusterView) -> String {
    let mut o = String::new();
    // `write!` to a String cannot fail.
    let _ = writeln!(
        o,
        "Partition Playground: {path} (seed {}), ran to {} ms in {} steps",
        scenario.seed,
        view.now_ms,
        engine.steps()
    );

    let _ = writeln!(o, "\nBrokers");
    for b in &view.brokers {
        let rack = if b.rack.is_empty() { "-" } else { b.rack.as_str() };
        let mut state = format!("{:?}", b.process).to_lowercase();
        if b.fenced {
            state.push_str(", fenced");
        }
        if b.in_controlled_shutdown {
            state.push_str(", in controlled shutdown");
        }
        if b.stalled {
            state.push_str(", stalled");
        }
        let _ = writeln!(o, "  broker {:<4} rack {:<6} {state}", b.id, rack);
    }

    let _ = writeln!(o, "\nPartitions");
    let _ = writeln!(
        o,
        "  {:<20} {:>6} {:>6} {:>6}  {:<12} {:<12}",
        "partition", "leader", "epoch", "p.ep", "ISR", "replicas"
    );
    for p in &view.partitions {
        let _ = writeln!(
            o,
            "  {:<20} {:>6} {:>6} {:>6}  {:<12} {:<12}",
            p.name,
            opt(p.leader),
            p.leader_epoch,
            p.partition_epoch,
            brokers_list(&p.isr),
            brokers_list(&p.replicas)
        );
        for r in &p.replica_states {
            let role = r.role.word();
            let _ = writeln!(
                o,
                "      broker {:<4} {:<8} {}LEO {:<6} HW {:<6} epoch {:<4}{}{}",
                r.broker,
                role,
                log_start(r),
                r.log_end_offset,
                r.high_watermark,
                r.leader_epoch,
                if r.in_isr { "" } else { " (not in ISR)" },
                parked(r)
            );
        }
    }

    let _ = writeln!(o, "\nProducers");
    if view.producers.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    for p in &view.producers {
        let _ = writeln!(
            o,
            "  {} (acks={}, idempotence {}): {} sends; records acknowledged {}, failed {}, pending {}",
            p.name,
            p.acks.as_str(),
            if p.enable_idempotence { "on" } else { "off" },
            p.sends_total,
            p.acked_records,
            p.failed_records,
            p.pending_records
        );
        let skip = p.sends.len().saturating_sub(TEXT_SENDS_MAX);
        if skip > 0 {
            let _ = writeln!(o, "      ({skip} earlier sends not shown)");
        }
        for s in &p.sends[skip..] {
            let status = match &s.status {
                SendStatus::Pending { attempts, last_error } => {
                    format!(
                        "pending after {attempts} attempts{}",
                        last_error.map_or(String::new(), |e| format!(" (last error {e})"))
                    )
                }
                SendStatus::Acknowledged { base_offset, at_ms, attempts } => {
                    format!("acknowledged at {at_ms} ms, offset {}, {attempts} attempts", opt(*base_offset))
                }
                SendStatus::Failed { error, at_ms, attempts } => {
                    format!("FAILED at {at_ms} ms: {error}, {attempts} attempts")
                }
            };
            let _ = writeln!(
                o,
                "      #{:<4} {:<16} x{:<4} key {:<10} sent {} ms: {status}",
                s.send,
                s.partition_name,
                s.count,
                s.key.as_deref().unwrap_or("(null)"),
                s.created_ms
            );
        }
    }

    let _ = writeln!(o, "\nConsumers");
    if view.consumers.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    for c in &view.consumers {
        let rack = if c.client_rack.is_empty() { String::new() } else { format!(" (client.rack {})", c.client_rack) };
        let _ = writeln!(o, "  {}{rack}: received {} records", c.name, c.received_total);
        for p in &c.partitions {
            let _ = writeln!(
                o,
                "      {:<20} position {:<6} leader {:<4} fetching from {:<4} {}",
                p.partition_name,
                opt(p.position),
                opt(p.leader),
                opt(p.fetching_from),
                p.fetch_state.as_str()
            );
        }
    }

    let kept: Vec<&ClusterEvent> = engine.events_since(0).collect();
    let skip = kept.len().saturating_sub(TEXT_EVENTS_MAX);
    let _ = writeln!(o, "\nEvents (last {} of {})", kept.len() - skip, engine.next_event_seq());
    for e in &kept[skip..] {
        let _ = writeln!(o, "  {:>8} ms  #{:<6} {}", e.at_ms, e.seq, engine.explain(e));
    }

    let s = &view.safety;
    let _ = writeln!(o, "\nSafety");
    if s.unexpected_violations == 0 {
        let _ = writeln!(o, "  OK: no unexpected invariant violation");
    } else {
        let _ = writeln!(o, "  {} UNEXPECTED invariant violation(s): an engine bug", s.unexpected_violations);
    }
    for i in s.invariants.iter().filter(|i| i.violations > 0) {
        let _ = writeln!(
            o,
            "  {}: {} violation(s), {} expected{}",
            i.name,
            i.violations,
            i.expected_violations,
            i.last_violation.as_deref().map_or(String::new(), |v| format!("; last: {v}"))
        );
    }
    if s.losses.is_empty() {
        let _ = writeln!(o, "  no acknowledged record lost");
    }
    for l in &s.losses {
        let _ = writeln!(
            o,
            "  LOSS at {} ms: {} offsets {}..={} ({} records, acks={}){}: {}",
            l.at_ms,
            l.partition_name,
            l.first_offset,
            l.last_offset,
            l.count,
            l.acks.as_str(),
            if l.unexpected { " UNEXPECTED" } else { "" },
            l.cause
        );
    }
    let _ = writeln!(o, "\nState hash: {:016x}", engine.state_hash());
    o
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let run_args = match parse_args(&args) {
        Ok(Invocation::Help) => {
            print_out(USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Invocation::Run(a)) => a,
        Ok(Invocation::Encode { input, output }) => {
            return match encode(&input, &output) {
                Ok(report) => {
                    print_out(&report);
                    ExitCode::SUCCESS
                }
                Err(UsageError(msg)) => {
                    eprintln!("error: {msg}");
                    ExitCode::from(2)
                }
            }
        }
        Ok(Invocation::Svg(a)) => return finish(runner::picture::run(&a)),
        Ok(Invocation::Export(a)) => return finish(runner::export::run(&a)),
        Ok(Invocation::Link { path, at_ms, paused, base }) => {
            return finish(make_link_text(&path, at_ms, paused, &base))
        }
        Ok(Invocation::Lessons { dir, base }) => return finish(write_lesson_index(&dir, &base)),
        Err(UsageError(msg)) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    let loaded = match link_arg(&run_args.path) {
        Some((text, t)) => replay_link(&text, t, run_args.until_ms),
        None => load(&run_args.path).and_then(|s| {
            let until = run_args.until_ms.unwrap_or(s.until_ms);
            Engine::new(&s).map(|e| (e, s, until)).map_err(|e| UsageError(format!("{}: {e}", run_args.path)))
        }),
    };
    let (mut engine, scenario, until_ms) = match loaded {
        Ok(x) => x,
        Err(UsageError(msg)) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    if let Some(Err(e)) = run_args.until_ms.map(|t| engine.ledger().check_run_to(t)) {
        eprintln!("error: --until: {e}");
        return ExitCode::from(2);
    }
    if let Err(e) = engine.advance_to(until_ms, u64::MAX) {
        eprintln!("error: {e} (an engine bug; seed {})", scenario.seed);
        return ExitCode::from(3);
    }
    let view = engine.view(ViewOptions {
        log_tail: usize::MAX,
        full_logs: true,
        in_flight_max: usize::MAX,
        client_history: usize::MAX,
    });
    let out = match run_args.format {
        Format::Json => json_report(&engine, &scenario, &view),
        Format::Text => text_report(&engine, &scenario, &run_args.path, &view),
    };
    print_out(&out);
    debug_assert_eq!(until_ms, engine.now_ms());
    if engine.unexpected_violations() > 0 {
        eprintln!(
            "unexpected invariant violations: {} (see the safety panel; seed {})",
            engine.unexpected_violations(),
            scenario.seed
        );
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints a command's output (exit 0) or its error (exit 2).
fn finish(result: Result<String, UsageError>) -> ExitCode {
    match result {
        Ok(text) => {
            print_out(&text);
            ExitCode::SUCCESS
        }
        Err(UsageError(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn parse_lessons_args(args: &[String]) -> Result<Invocation, String> {
    let (mut dir, mut base) = (None, None);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.split_once('=') {
            Some(("--base", v)) => base = Some(v.to_string()),
            _ if arg == "--base" => base = Some(rest.next().ok_or("--base needs a value")?.clone()),
            _ if arg.starts_with('-') => return Err(format!("unknown option `{arg}`")),
            _ if dir.is_none() => dir = Some(arg.clone()),
            _ => return Err(format!("unexpected argument `{arg}`: `lessons [DIR] [--base URL]`")),
        }
    }
    let dir = dir.unwrap_or_else(|| "www/lessons".into());
    Ok(Invocation::Lessons { dir, base: base.unwrap_or_else(|| scenario::lesson_index::INDEX_BASE.into()) })
}

/// Reads the built-in lessons of `dir` and writes `dir/index.html`.
fn write_lesson_index(dir: &str, base: &str) -> Result<String, UsageError> {
    let mut lessons = Vec::new();
    for slug in scenario::lesson_index::LESSON_SLUGS {
        let path = format!("{dir}/{slug}.json");
        let text = std::fs::read_to_string(&path).map_err(|e| UsageError(format!("{path}: {e}")))?;
        let lesson = scenario::parse_lesson(&text).map_err(|e| UsageError(format!("{path}: {e}")))?;
        lessons.push((slug.to_string(), lesson));
    }
    let html = scenario::lesson_index::lesson_index_html(&lessons, base)
        .map_err(|e| UsageError(format!("{dir}: a lesson's link: {e}")))?;
    let out = format!("{dir}/index.html");
    std::fs::write(&out, html).map_err(|e| UsageError(format!("{out}: {e}")))?;
    Ok(format!("wrote {out}: {} lessons\n", lessons.len()))
}

/// Writes to stdout without panicking when the reader has gone (`| head`).
fn print_out(text: &str) {
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    if lock.write_all(text.as_bytes()).and_then(|_| lock.flush()).is_err() {
        // The reader closed the pipe; nothing useful is left to do.
    }
}
