//! A lesson: a scenario with narration beside the diagram and predict-then-reveal questions
//! (`docs/lessons.md`). Plain data like [`Scenario`]; [`check_lesson`] says which lessons are
//! valid, so a JSON file, a binary code and a link all pass the same rules (bounds in [`LIMITS`]).

use super::error::ScenarioError;
use super::event::EventKind;
use super::ids::{BrokerId, Millis};
use super::limits::LIMITS;
use super::rules::{check_scenario, join};
use super::setup::Scenario;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub title: String,
    /// The note the lesson serves, by its name on the notes site ("Partition Leader").
    pub concept: String,
    pub scenario: Scenario,
    /// In time order.
    pub steps: Vec<LessonStep>,
}

/// A lesson without its scenario: what a share link carries beside its scenario (its lesson
/// section), so a notes author can write a question into a link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonText {
    pub title: String,
    pub concept: String,
    pub steps: Vec<LessonStep>,
}

impl Lesson {
    /// The lesson's text, without its scenario.
    pub fn text(&self) -> LessonText {
        LessonText { title: self.title.clone(), concept: self.concept.clone(), steps: self.steps.clone() }
    }

    /// The lesson of `text` on `scenario` (a link's).
    pub fn from_text(scenario: Scenario, text: LessonText) -> Lesson {
        Lesson { title: text.title, concept: text.concept, scenario, steps: text.steps }
    }
}

/// Where the playground pauses (after everything at `at_ms` happened) to say `text`, and maybe ask.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonStep {
    pub at_ms: Millis,
    pub text: String,
    pub question: Option<Question>,
}

/// A flashcard: the person picks one of `choices`; the playground plays on until the event of
/// `reveal` shows the answer, then says `reason`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub prompt: String,
    pub choices: Vec<String>,
    /// Index into `choices`, from 0.
    pub answer: u32,
    pub reason: String,
    pub reveal: Reveal,
    pub outcome: Outcome,
}

/// The event that shows the answer: the first event named `event` (about `partition`, if given)
/// after the question's pause, at the latest at `by_ms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reveal {
    /// An [`EventKind::NAMES`] name, e.g. `leader_elected`.
    pub event: String,
    /// A partition's name (`orders-0`).
    pub partition: Option<String>,
    pub by_ms: Millis,
}

/// What holds at the reveal (at the end of the millisecond of its event), as the view shows it:
/// each field given is checked, for `partition` (the leader's high watermark; acknowledged and
/// lost records summed over every producer).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub partition: String,
    pub leader: Option<BrokerId>,
    pub leader_epoch: Option<u32>,
    pub isr: Option<Vec<BrokerId>>,
    pub high_watermark: Option<u64>,
    pub acknowledged: Option<u64>,
    pub lost: Option<u64>,
    /// With `fetching_from`: the broker this consumer's next fetch of `partition` goes to.
    pub consumer: Option<String>,
    pub fetching_from: Option<BrokerId>,
}

impl Reveal {
    /// Whether `kind`, about the partition named `partition_name` (if any), is the reveal's event.
    pub fn matches(&self, kind: &EventKind, partition_name: Option<&str>) -> bool {
        kind.name() == self.event && self.partition.as_deref().is_none_or(|p| partition_name == Some(p))
    }
}

fn fail<T>(path: impl Into<String>, reason: impl Into<String>) -> Result<T, ScenarioError> {
    Err(ScenarioError { path: path.into(), reason: reason.into() })
}

/// Checks a lesson: its scenario (errors under `scenario.`), then its text, times and references.
pub fn check_lesson(lesson: &Lesson) -> Result<(), ScenarioError> {
    check_scenario(&lesson.scenario)
        .map_err(|e| ScenarioError { path: join("scenario", &e.path), reason: e.reason })?;
    check_lesson_text(lesson)
}

/// [`check_lesson`] without the scenario, for a reader that checked it already (naming its fields
/// as its source wrote them).
pub fn check_lesson_text(lesson: &Lesson) -> Result<(), ScenarioError> {
    let title_max = LIMITS.lesson_title_bytes_max;
    check_text("title", &lesson.title, title_max)?;
    check_text("concept", &lesson.concept, title_max)?;
    let steps_max = LIMITS.lesson_steps_max;
    if lesson.steps.is_empty() || lesson.steps.len() > steps_max {
        return fail("steps", format!("a lesson has 1 to {steps_max} steps, found {}", lesson.steps.len()));
    }
    let mut previous_ms = 0;
    for (i, step) in lesson.steps.iter().enumerate() {
        let path = format!("steps[{i}]");
        check_step(&path, step, previous_ms, &lesson.scenario)?;
        previous_ms = step.at_ms;
    }
    if lesson.steps.iter().all(|s| s.question.is_none()) {
        return fail("steps", "a lesson asks at least one question (a step with a \"question\")");
    }
    Ok(())
}

fn check_step(path: &str, step: &LessonStep, previous_ms: Millis, scenario: &Scenario) -> Result<(), ScenarioError> {
    let until_ms = scenario.until_ms;
    if step.at_ms < previous_ms {
        return fail(
            join(path, "at_ms"),
            format!("{} is before the previous step ({previous_ms} ms); steps are in time order", step.at_ms),
        );
    }
    if step.at_ms > until_ms {
        return fail(join(path, "at_ms"), format!("{} is after the scenario's until_ms ({until_ms})", step.at_ms));
    }
    check_text(&join(path, "text"), &step.text, LIMITS.lesson_text_bytes_max)?;
    match &step.question {
        Some(q) => check_question(&join(path, "question"), q, step.at_ms, scenario),
        None => Ok(()),
    }
}

fn check_question(path: &str, q: &Question, at_ms: Millis, scenario: &Scenario) -> Result<(), ScenarioError> {
    check_text(&join(path, "prompt"), &q.prompt, LIMITS.lesson_text_bytes_max)?;
    let max = LIMITS.lesson_choices_max;
    if q.choices.len() < 2 || q.choices.len() > max {
        return fail(join(path, "choices"), format!("a question has 2 to {max} choices, found {}", q.choices.len()));
    }
    for (i, choice) in q.choices.iter().enumerate() {
        check_text(&format!("{path}.choices[{i}]"), choice, LIMITS.lesson_title_bytes_max)?;
        if q.choices[..i].contains(choice) {
            return fail(format!("{path}.choices[{i}]"), "the same choice twice");
        }
    }
    if q.answer as usize >= q.choices.len() {
        let last = q.choices.len() - 1;
        return fail(join(path, "answer"), format!("the index of a choice, 0 to {last}, found {}", q.answer));
    }
    check_text(&join(path, "reason"), &q.reason, LIMITS.lesson_text_bytes_max)?;
    check_reveal(&join(path, "reveal"), &q.reveal, at_ms, scenario)?;
    check_outcome(&join(path, "outcome"), &q.outcome, scenario)
}

fn check_reveal(path: &str, r: &Reveal, at_ms: Millis, scenario: &Scenario) -> Result<(), ScenarioError> {
    let Some((_, has_partition)) = EventKind::NAMES.iter().find(|(name, _)| *name == r.event) else {
        return fail(
            join(path, "event"),
            format!("no event is named \"{}\" (the runner's JSON names each event: docs/lessons.md)", r.event),
        );
    };
    if let Some(partition) = &r.partition {
        if !has_partition {
            return fail(join(path, "partition"), format!("{} events are not about a partition", r.event));
        }
        check_partition(&join(path, "partition"), partition, scenario)?;
    }
    if r.by_ms <= at_ms || r.by_ms > scenario.until_ms {
        return fail(
            join(path, "by_ms"),
            format!(
                "must be after the step ({at_ms} ms) and at most the scenario's until_ms ({}), found {}",
                scenario.until_ms, r.by_ms
            ),
        );
    }
    Ok(())
}

fn check_outcome(path: &str, o: &Outcome, scenario: &Scenario) -> Result<(), ScenarioError> {
    check_partition(&join(path, "partition"), &o.partition, scenario)?;
    let brokers = &scenario.cluster.brokers;
    let known = |b: &BrokerId| brokers.iter().any(|s| s.id == *b);
    if let Some(b) = o.leader.as_ref().filter(|b| !known(b)) {
        return fail(join(path, "leader"), format!("no broker {} in the cluster", b.0));
    }
    if let Some(b) = o.fetching_from.as_ref().filter(|b| !known(b)) {
        return fail(join(path, "fetching_from"), format!("no broker {} in the cluster", b.0));
    }
    for (i, b) in o.isr.iter().flatten().enumerate() {
        if !known(b) {
            return fail(format!("{path}.isr[{i}]"), format!("no broker {} in the cluster", b.0));
        }
    }
    match (&o.consumer, o.fetching_from) {
        (Some(c), Some(_)) if scenario.consumers.iter().any(|s| &s.name == c) => Ok(()),
        (Some(c), Some(_)) => fail(join(path, "consumer"), format!("no consumer \"{c}\" in the scenario")),
        (None, None) => Ok(()),
        (Some(_), None) => fail(join(path, "fetching_from"), "missing: a consumer is named to check where it fetches"),
        (None, Some(_)) => fail(join(path, "consumer"), "missing: fetching_from is about a consumer"),
    }
}

/// A partition by its name, `<topic>-<number>`, of a topic the scenario has at the start or creates.
fn check_partition(path: &str, name: &str, scenario: &Scenario) -> Result<(), ScenarioError> {
    let created = scenario.commands.iter().filter_map(|c| match &c.command {
        super::command::Command::CreateTopic(t) => Some(t),
        _ => None,
    });
    let exists = scenario.topics.iter().chain(created).any(|t| {
        name.strip_prefix(t.name.as_str())
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| n < t.partitions)
    });
    if exists {
        Ok(())
    } else {
        fail(
            path,
            format!("no partition \"{name}\" in the scenario (a partition is named <topic>-<number>, e.g. orders-0)"),
        )
    }
}

/// Text shown to the person: not blank, within `max` bytes, one paragraph (no control characters).
fn check_text(path: &str, text: &str, max: usize) -> Result<(), ScenarioError> {
    if text.trim().is_empty() || text.len() > max {
        return fail(path, format!("1 to {max} bytes of text, found {}", text.len()));
    }
    if text.chars().any(|c| c.is_control()) {
        return fail(path, "one paragraph of plain text: no control characters (line breaks, tabs)");
    }
    Ok(())
}
