//! Share links: a scenario and the commands a person applied since (the engine's session), in the
//! text a URL fragment carries (`#s=2.1.812.eJzt...&t=42000&paused`).
//!
//! The text is `LINK.BEHAVIOUR.LENGTH.DATA`: the link format, the engine's behaviour version, the
//! length of DATA in characters, and DATA, the link's binary code deflated (zlib, `miniz_oxide`)
//! and written in base64url (`base64`). The length tells a link a chat app cut short from a
//! damaged one, whose zlib checksum (Adler-32) fails. The text is capped before anything is decoded
//! ([`LINK_TEXT_MAX`]) and the inflation too ([`LINK_INFLATED_MAX`]); what comes out is checked by
//! the engine (`check_scenario`, and every session command again when
//! [`Engine::replay`](crate::engine::Engine::replay) applies it).
//!
//! The code of format 2 is a list of sections, each `TAG LENGTH BODY` (a byte, a LEB128 length,
//! the body), in increasing tag order: the scenario (postcard, required and first), then the
//! session in columns ([`session_code`](super::session_code)), then, in a lesson's link, the
//! lesson's text (postcard of [`LessonText`]: title, concept, narration steps and questions;
//! `docs/lessons.md`), checked by the engine's `check_lesson_text`. A later version adds sections with
//! new tags within format 2; a reader that meets a tag it does not know refuses the link as made
//! by a newer version. Sections 4 (producers) and 5 (cluster) carry the settings the scenario's
//! postcard code has no field for, each only when not the default. Format 1, the postcard code of
//! the scenario and the session, is still read.

use super::code_reader::CodeReader;
use super::log_config;
use super::session_code::{put_varint, read_bytes, read_session, write_bytes, write_session, Bytes};
use super::{Scenario, ScenarioError, TimedCommand};
use crate::engine::{
    check_lesson_text, check_scenario, join, Lesson, LessonText, AUTO_LEADER_REBALANCE_DEFAULT, BEHAVIOUR_VERSION,
    CONTROLLER_QUORUM_VOTERS_DEFAULT, LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS_DEFAULT, MAX_IN_FLIGHT_DEFAULT,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The link format this playground writes; it reads this one and every earlier one.
pub const LINK_FORMAT: u32 = 2;
/// The sections of format 2, by tag.
const SECTION_SCENARIO: u8 = 1;
const SECTION_SESSION: u8 = 2;
const SECTION_LESSON: u8 = 3;
/// Producer settings outside the scenario's postcard code (which is positional: a new field would
/// break every older link): `max.in.flight.requests.per.connection` of each producer that differs
/// from the default, as pairs of varints (producer index, value) in increasing index order. Written
/// only when some producer differs, so a link without such settings is byte-identical to before.
const SECTION_PRODUCERS: u8 = 4;
/// Cluster features outside the scenario's postcard code (kafka-model §4.9): one varint,
/// `eligible.leader.replicas.version`. Written only when it is not the default (0), so a link
/// without it is byte-identical to before.
const SECTION_FEATURES: u8 = 5;
/// Cluster settings outside the scenario's postcard code, each that differs from Kafka's default as
/// a pair of varints (setting, value) in increasing setting order: 0 `auto.leader.rebalance.enable`
/// (0 or 1), 1 `leader.imbalance.check.interval.seconds`, 2 the number of controller voters, 3
/// `process.roles` of the voters (1: combined with brokers). Written only when one differs.
const SECTION_CLUSTER: u8 = 6;
const CLUSTER_AUTO_LEADER_REBALANCE: u64 = 0;
const CLUSTER_IMBALANCE_INTERVAL: u64 = 1;
const CLUSTER_QUORUM_VOTERS: u64 = 2;
const CLUSTER_PROCESS_ROLES_COMBINED: u64 = 3;
/// Topic settings outside the scenario's postcard code: `retention.ms`, `retention.bytes`,
/// `segment.ms` and `segment.bytes` of each topic that differs from Kafka's defaults
/// ([`log_config`](super::log_config)); written only then.
const SECTION_TOPICS: u8 = 7;
/// A link's text is refused above this many bytes, before any decoding.
pub const LINK_TEXT_MAX: usize = 8 * 1024;
/// Inflation stops at this many bytes.
pub const LINK_INFLATED_MAX: usize = 64 * 1024;

/// What a link carries. (Its serde form is only the message the page hands its share worker,
/// [`link_message`]; a link's own code is [`link_code`].)
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Link {
    pub scenario: Scenario,
    /// Commands applied after the start, at the times they ran (`Engine::session`).
    pub session: Vec<TimedCommand>,
    /// A lesson's narration and questions, on this scenario (format 2's lesson section).
    pub lesson: Option<LessonText>,
}

impl Link {
    /// The scenario the link stands for: its session (what was done in the page) joins the
    /// scenario's commands at its times, after the scenario's own at equal times (the order the
    /// engine applied them in), and `until_ms` reaches its last command (a page plays on past the
    /// scenario's `until_ms`, which only says where the runner stops).
    pub fn into_scenario(self) -> Scenario {
        let mut scenario = self.scenario;
        let mut commands: Vec<TimedCommand> = Vec::with_capacity(scenario.commands.len() + self.session.len());
        let mut session = self.session.into_iter().peekable();
        for c in scenario.commands.drain(..) {
            while let Some(s) = session.next_if(|s| s.at_ms < c.at_ms) {
                commands.push(s);
            }
            commands.push(c);
        }
        commands.extend(session);
        scenario.until_ms = commands.last().map_or(scenario.until_ms, |c| c.at_ms.max(scenario.until_ms));
        scenario.commands = commands;
        scenario
    }
}

/// A link as the page hands it to its share worker (`web::share_client`), which makes the link's
/// text or the export off the main thread: postcard of a [`Link`] (borrowed: the page's scenario
/// and session are not copied), no format number (the page and its worker are one build).
pub fn link_message(scenario: &Scenario, session: &[TimedCommand], lesson: Option<&LessonText>) -> Vec<u8> {
    /// [`Link`]'s fields by reference: postcard writes the same bytes.
    #[derive(Serialize)]
    struct LinkParts<'a> {
        scenario: &'a Scenario,
        session: &'a [TimedCommand],
        lesson: Option<&'a LessonText>,
    }
    // Plain structs, enums, strings and numbers: postcard writes them all (round-trip tests).
    let mut message = postcard::to_allocvec(&LinkParts { scenario, session, lesson }).unwrap_or_default();
    // The settings postcard skips follow, as a link's sections.
    write_skipped_sections(scenario, &mut message);
    message
}

/// Reads a [`link_message`], checking the scenario as any input is checked.
pub fn read_link_message(bytes: &[u8]) -> Result<Link, LinkError> {
    let (mut link, rest) = postcard::take_from_bytes::<Link>(bytes).map_err(|_| LinkError::NotAScenario)?;
    read_skipped_sections(&mut link.scenario, rest).map_err(|_| LinkError::NotAScenario)?;
    check_scenario(&link.scenario).map_err(LinkError::Invalid)?;
    Ok(link)
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
    /// A sound stream that holds no scenario link.
    NotAScenario,
    /// A section of format 2 this version does not know: a newer version made the link.
    NewerSection {
        tag: u8,
    },
    /// A field of the link's code that no link writer writes: the field and why.
    Malformed(ScenarioError),
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
            LinkError::NotAScenario => write!(f, "this link's contents are not a scenario"),
            LinkError::NewerSection { tag } => write!(
                f,
                "this link was made by a newer version of the playground (it holds a section {tag} this one does not know)"
            ),
            LinkError::Malformed(e) => write!(f, "this link's code is malformed: {e}"),
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

/// The binary code a link deflates (format 2: its sections); refused over [`LINK_INFLATED_MAX`].
/// [`make_link`] deflates it and calls [`link_text`] (in the runner, and in the page's share worker).
pub fn link_code(link: &Link) -> Result<Vec<u8>, LinkError> {
    let mut code = Vec::new();
    // Plain structs, enums, strings and numbers: postcard writes them all (round-trip tests).
    write_section(
        &mut code,
        SECTION_SCENARIO,
        &write_bytes(&postcard::to_allocvec(&link.scenario).unwrap_or_default()),
    );
    let mut session = Vec::new();
    write_session(&link.scenario, &link.session, &mut session)?;
    write_section(&mut code, SECTION_SESSION, &session);
    if let Some(lesson) = &link.lesson {
        write_section(&mut code, SECTION_LESSON, &postcard::to_allocvec(lesson).unwrap_or_default());
    }
    write_skipped_sections(&link.scenario, &mut code);
    if code.len() > LINK_INFLATED_MAX {
        Err(LinkError::TooLarge)
    } else {
        Ok(code)
    }
}

/// A section: its tag, the length of its body, the body.
fn write_section(code: &mut Vec<u8>, tag: u8, body: &[u8]) {
    code.push(tag);
    put_varint(code, body.len() as u64);
    code.extend_from_slice(body);
}

/// The link text of a zlib stream of [`link_code`]; refused over [`LINK_TEXT_MAX`].
pub fn link_text(deflated: &[u8]) -> Result<String, LinkError> {
    let data = URL_SAFE_NO_PAD.encode(deflated);
    let text = format!("{LINK_FORMAT}.{BEHAVIOUR_VERSION}.{}.{data}", data.len());
    check_link_text(&text)?;
    Ok(text)
}

/// Reads a link's text (a fragment's `s` value); also returns the behaviour version it names.
/// The four steps, which the page drives itself (it decodes and inflates in the browser):
/// [`read_link_header`], [`link_data_bytes`], [`inflate_link_code`], [`read_link_code`].
pub fn read_link(text: &str) -> Result<(Link, u32), LinkError> {
    let header = read_link_header(text)?;
    let code = inflate_link_code(&link_data_bytes(header.data)?)?;
    Ok((read_link_code(header.format, &code)?, header.behaviour))
}

/// A link's header, checked: its format, the behaviour version it names, and its data (base64url).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkHeader<'a> {
    pub format: u32,
    pub behaviour: u32,
    pub data: &'a str,
}

/// Checks a link's text before anything is decoded: the caps, the format, the length of its data.
pub fn read_link_header(text: &str) -> Result<LinkHeader<'_>, LinkError> {
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
    // `format` is at most LINK_FORMAT here.
    let format = format as u32;
    Ok(LinkHeader { format, behaviour: u32::try_from(behaviour).unwrap_or(u32::MAX), data })
}

/// A link's data (base64url) as bytes: the zlib stream of its code.
pub fn link_data_bytes(data: &str) -> Result<Vec<u8>, LinkError> {
    URL_SAFE_NO_PAD.decode(data).map_err(|_| LinkError::Damaged)
}

/// A link's data in the standard base64 alphabet, for the browser's `atob` (the page decodes with
/// it, which keeps a base64 decoder out of its bundle); any other character is damage.
pub fn link_data_base64(data: &str) -> Result<String, LinkError> {
    let standard = |c: char| match c {
        'A'..='Z' | 'a'..='z' | '0'..='9' => Some(c),
        '-' => Some('+'),
        '_' => Some('/'),
        _ => None,
    };
    data.chars().map(standard).collect::<Option<String>>().ok_or(LinkError::Damaged)
}

/// Inflates a link's zlib stream, stopping past [`LINK_INFLATED_MAX`] bytes. The page inflates with
/// the browser's `DecompressionStream("deflate")` under the same cap instead.
pub fn inflate_link_code(deflated: &[u8]) -> Result<Vec<u8>, LinkError> {
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(deflated, LINK_INFLATED_MAX).map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLarge,
        _ => LinkError::Damaged,
    })
}

/// A link's code, inflated, of `format` (1 or 2, from [`read_link_header`]): what it carries, checked.
pub fn read_link_code(format: u32, code: &[u8]) -> Result<Link, LinkError> {
    let link = if format == 1 { read_format_1(code)? } else { read_sections(code)? };
    check_scenario(&link.scenario).map_err(LinkError::Invalid)?;
    Ok(link)
}

/// A link of format 1 (kept as it was, forever): the postcard code of the scenario, then of the
/// session's list of timed commands.
fn read_format_1(code: &[u8]) -> Result<Link, LinkError> {
    let mut reader = CodeReader::new(code);
    let scenario = reader.scenario().map_err(|_| LinkError::NotAScenario)?;
    let session = reader.session_format_1().map_err(|_| LinkError::NotAScenario)?;
    if !reader.rest().is_empty() {
        return Err(LinkError::NotAScenario);
    }
    Ok(Link { scenario, session, lesson: None })
}

/// Format 2's sections. The scenario comes first: a stream that does not start with it is no
/// link at all, while an unknown tag after it is a newer version's section.
fn read_sections(code: &[u8]) -> Result<Link, LinkError> {
    let mut bytes = Bytes(code);
    let mut scenario = None;
    let mut session = None;
    let mut lesson = None;
    let mut producers = None;
    let mut features = None;
    let mut cluster = None;
    let mut topics = None;
    let mut last = 0;
    while let Some(tag) = bytes.byte() {
        if last == 0 && tag != SECTION_SCENARIO {
            return Err(LinkError::NotAScenario);
        }
        if tag <= last {
            let reason = format!("section {tag} after section {last} (sections come once each, in tag order)");
            return Err(LinkError::Malformed(ScenarioError { path: format!("section {tag}"), reason }));
        }
        last = tag;
        let body = section_body(&mut bytes, tag)?;
        match tag {
            SECTION_SCENARIO => scenario = Some(read_scenario(&read_bytes(body, "scenario")?)?),
            // Read once the scenario has its settings from the later sections (a controller
            // voter's id, say, depends on them).
            SECTION_SESSION => session = Some(body),
            SECTION_LESSON => lesson = Some(read_lesson(body)?),
            SECTION_PRODUCERS => producers = Some(body),
            SECTION_FEATURES => features = Some(body),
            SECTION_CLUSTER => cluster = Some(body),
            SECTION_TOPICS => topics = Some(body),
            _ => return Err(LinkError::NewerSection { tag }),
        }
    }
    let mut scenario = scenario.ok_or(LinkError::NotAScenario)?;
    if let Some(body) = producers {
        read_producers(&mut scenario, body)?;
    }
    if let Some(body) = features {
        read_features(&mut scenario, body)?;
    }
    if let Some(body) = cluster {
        read_cluster(&mut scenario, body)?;
    }
    if let Some(body) = topics {
        log_config::read_section(&mut scenario.topics, body).map_err(LinkError::Malformed)?;
    }
    let session = match session {
        Some(body) => {
            // Names in the session are indices into the scenario's tables: check those first.
            check_scenario(&scenario).map_err(LinkError::Invalid)?;
            Some(read_session(&scenario, body)?)
        }
        None => None,
    };
    if let Some(text) = lesson {
        check_scenario(&scenario).map_err(LinkError::Invalid)?;
        let lesson = Lesson::from_text(scenario, text);
        let named =
            |e: ScenarioError| LinkError::Invalid(ScenarioError { path: join("lesson", &e.path), reason: e.reason });
        check_lesson_text(&lesson).map_err(named)?;
        let Lesson { title, concept, scenario, steps } = lesson;
        let text = LessonText { title, concept, steps };
        return Ok(Link { scenario, session: session.unwrap_or_default(), lesson: Some(text) });
    }
    Ok(Link { scenario, session: session.unwrap_or_default(), lesson: None })
}

/// The sections of what the scenario's postcard code skips, each only when not the default.
pub(super) fn write_skipped_sections(scenario: &Scenario, code: &mut Vec<u8>) {
    if let Some(producers) = write_producers(scenario) {
        write_section(code, SECTION_PRODUCERS, &producers);
    }
    if let Some(features) = write_features(scenario) {
        write_section(code, SECTION_FEATURES, &features);
    }
    if let Some(cluster) = write_cluster(scenario) {
        write_section(code, SECTION_CLUSTER, &cluster);
    }
    if let Some(topics) = log_config::write_section(&scenario.topics) {
        write_section(code, SECTION_TOPICS, &topics);
    }
}

/// [`write_skipped_sections`] read back, after a scenario's postcard code (a [`link_message`], a
/// scenario's or a lesson's binary code): settings sections in increasing tag order, nothing else.
pub(super) fn read_skipped_sections(scenario: &mut Scenario, rest: &[u8]) -> Result<(), LinkError> {
    let mut bytes = Bytes(rest);
    let mut last = SECTION_LESSON;
    while let Some(tag) = bytes.byte() {
        let body = section_body(&mut bytes, tag)?;
        match tag {
            SECTION_PRODUCERS if tag > last => read_producers(scenario, body)?,
            SECTION_FEATURES if tag > last => read_features(scenario, body)?,
            SECTION_CLUSTER if tag > last => read_cluster(scenario, body)?,
            SECTION_TOPICS if tag > last => {
                log_config::read_section(&mut scenario.topics, body).map_err(LinkError::Malformed)?
            }
            _ => {
                let reason = format!("section {tag} where only settings (sections 4 to 7) may follow, in order");
                return Err(LinkError::Malformed(ScenarioError { path: format!("section {tag}"), reason }));
            }
        }
        last = tag;
    }
    Ok(())
}

/// The features section's body, or `None` at the defaults.
fn write_features(scenario: &Scenario) -> Option<Vec<u8>> {
    let version = scenario.cluster.features.eligible_leader_replicas_version;
    let mut body = Vec::new();
    put_varint(&mut body, u64::from(version));
    (version != 0).then_some(body)
}

/// Applies the features section; the value is checked with the scenario afterwards.
fn read_features(scenario: &mut Scenario, body: &[u8]) -> Result<(), LinkError> {
    let malformed = |reason: String| LinkError::Malformed(ScenarioError { path: "features".into(), reason });
    let mut bytes = Bytes(body);
    let Some(v) = bytes.varint() else {
        return Err(malformed("it ends inside eligible.leader.replicas.version".into()));
    };
    if !bytes.0.is_empty() {
        return Err(malformed(format!("{} bytes after eligible.leader.replicas.version", bytes.0.len())));
    }
    let v = u16::try_from(v).map_err(|_| malformed(format!("eligible.leader.replicas.version {v}")))?;
    scenario.cluster.features.eligible_leader_replicas_version = v;
    Ok(())
}

/// The producers section's body, or `None` when every producer has the default settings.
fn write_producers(scenario: &Scenario) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    for (i, p) in scenario.producers.iter().enumerate() {
        let n = p.config.max_in_flight_requests_per_connection;
        if n != MAX_IN_FLIGHT_DEFAULT {
            put_varint(&mut body, i as u64);
            put_varint(&mut body, u64::from(n));
        }
    }
    (!body.is_empty()).then_some(body)
}

/// Applies the producers section; the values are checked with the scenario afterwards.
fn read_producers(scenario: &mut Scenario, body: &[u8]) -> Result<(), LinkError> {
    let malformed = |reason: String| LinkError::Malformed(ScenarioError { path: "producers".into(), reason });
    let mut bytes = Bytes(body);
    let mut next = 0;
    while !bytes.0.is_empty() {
        let (Some(i), Some(n)) = (bytes.varint(), bytes.varint()) else {
            return Err(malformed("it ends inside a producer's setting".into()));
        };
        let i = usize::try_from(i).ok().filter(|i| *i >= next && *i < scenario.producers.len());
        let Some(i) = i else {
            return Err(malformed("a producer index out of order or past the scenario's producers".into()));
        };
        let n = u32::try_from(n).map_err(|_| malformed(format!("max.in.flight.requests.per.connection {n}")))?;
        scenario.producers[i].config.max_in_flight_requests_per_connection = n;
        next = i + 1;
    }
    Ok(())
}

/// The cluster section's body, or `None` when every setting in it is the default.
fn write_cluster(scenario: &Scenario) -> Option<Vec<u8>> {
    let c = &scenario.cluster.config;
    let mut body = Vec::new();
    if c.auto_leader_rebalance_enable != AUTO_LEADER_REBALANCE_DEFAULT {
        put_varint(&mut body, CLUSTER_AUTO_LEADER_REBALANCE);
        put_varint(&mut body, u64::from(c.auto_leader_rebalance_enable));
    }
    if c.leader_imbalance_check_interval_seconds != LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS_DEFAULT {
        put_varint(&mut body, CLUSTER_IMBALANCE_INTERVAL);
        put_varint(&mut body, c.leader_imbalance_check_interval_seconds);
    }
    if c.controller_quorum_voters != CONTROLLER_QUORUM_VOTERS_DEFAULT {
        put_varint(&mut body, CLUSTER_QUORUM_VOTERS);
        put_varint(&mut body, u64::from(c.controller_quorum_voters));
    }
    if c.process_roles_combined {
        put_varint(&mut body, CLUSTER_PROCESS_ROLES_COMBINED);
        put_varint(&mut body, 1);
    }
    (!body.is_empty()).then_some(body)
}

/// Applies the cluster section; the values are checked with the scenario afterwards.
fn read_cluster(scenario: &mut Scenario, body: &[u8]) -> Result<(), LinkError> {
    let malformed =
        |reason: &str| LinkError::Malformed(ScenarioError { path: "cluster".into(), reason: reason.into() });
    let config = &mut scenario.cluster.config;
    let mut bytes = Bytes(body);
    let mut next = 0;
    while !bytes.0.is_empty() {
        let (Some(setting), Some(v)) = (bytes.varint(), bytes.varint()) else {
            return Err(malformed("it ends inside a setting"));
        };
        match setting {
            _ if setting < next => return Err(malformed("a setting out of order or given twice")),
            CLUSTER_AUTO_LEADER_REBALANCE if v <= 1 => config.auto_leader_rebalance_enable = v == 1,
            CLUSTER_AUTO_LEADER_REBALANCE => return Err(malformed("auto.leader.rebalance.enable is 0 or 1")),
            CLUSTER_IMBALANCE_INTERVAL => config.leader_imbalance_check_interval_seconds = v,
            CLUSTER_QUORUM_VOTERS => {
                config.controller_quorum_voters =
                    u32::try_from(v).map_err(|_| malformed("controller.quorum.voters is 1, 3 or 5"))?
            }
            CLUSTER_PROCESS_ROLES_COMBINED if v <= 1 => config.process_roles_combined = v == 1,
            CLUSTER_PROCESS_ROLES_COMBINED => return Err(malformed("process.roles is 0 (controller) or 1 (combined)")),
            _ => return Err(malformed("a setting this version does not know")),
        }
        next = setting + 1;
    }
    Ok(())
}

/// The lesson section: a lesson's text, checked once the scenario is known.
fn read_lesson(body: &[u8]) -> Result<LessonText, LinkError> {
    let malformed = |reason: String| LinkError::Malformed(ScenarioError { path: "lesson".into(), reason });
    let mut reader = CodeReader::new(body);
    let text = reader.lesson_text().map_err(|fault| malformed(format!("not a lesson ({})", fault.as_str())))?;
    let rest = reader.rest();
    if !rest.is_empty() {
        return Err(malformed(format!("{} bytes after the lesson's end", rest.len())));
    }
    Ok(text)
}

fn section_body<'a>(bytes: &mut Bytes<'a>, tag: u8) -> Result<&'a [u8], LinkError> {
    let len = bytes.varint();
    len.and_then(|len| bytes.take(len)).ok_or_else(|| {
        let reason = format!("its length is past the {} bytes left", bytes.0.len());
        LinkError::Malformed(ScenarioError { path: format!("section {tag}"), reason })
    })
}

fn read_scenario(body: &[u8]) -> Result<Scenario, LinkError> {
    let mut reader = CodeReader::new(body);
    let scenario = reader.scenario().map_err(|_| LinkError::NotAScenario)?;
    let rest = reader.rest();
    if !rest.is_empty() {
        let reason = format!("{} bytes after the scenario's end", rest.len());
        return Err(LinkError::Malformed(ScenarioError { path: "scenario".into(), reason }));
    }
    Ok(scenario)
}
