//! A lesson's formats: JSON (`www/lessons/<slug>.json`, `docs/lessons.md`) with errors that name
//! the field (`steps[2].question.answer: ...`), and its binary code (postcard). Both end in the
//! engine's check (`check_lesson`), as scenarios end in `check_scenario`.

use super::code_reader::CodeReader;
use super::json::{err, from_value, list, located, object, read_json, typed};
use super::{Scenario, ScenarioError};
use crate::engine::{check_lesson, check_lesson_text, join, Lesson, LessonStep, Outcome, Question, Reveal, LIMITS};
use serde_json::Value;

const LESSON_KEYS: [&str; 4] = ["title", "concept", "scenario", "steps"];

/// Reads a lesson from JSON text.
pub fn parse_lesson(text: &str) -> Result<Lesson, ScenarioError> {
    super::json::check_size(text.len())?;
    let Value::Object(mut top) = read_json(text)? else {
        return err("", "a lesson is a JSON object: {\"title\", \"concept\", \"scenario\", \"steps\"}");
    };
    if let Some(key) = top.keys().find(|k| !LESSON_KEYS.contains(&k.as_str())) {
        return err(key.clone(), format!("unknown field; expected one of {}", LESSON_KEYS.join(", ")));
    }
    let mut required = |key: &str| top.remove(key).ok_or_else(|| missing(key));
    let title: String = typed("title", required("title")?)?;
    let concept: String = typed("concept", required("concept")?)?;
    let scenario = scenario_at("scenario", required("scenario")?)?;
    let raw_steps = list("steps", Some(required("steps")?))?;
    // Refused before reading them: the engine's bound, applied early to bound what reading holds.
    if raw_steps.len() > LIMITS.lesson_steps_max {
        return err(
            "steps",
            format!("a lesson has at most {} steps, found {}", LIMITS.lesson_steps_max, raw_steps.len()),
        );
    }
    let steps = raw_steps
        .into_iter()
        .enumerate()
        .map(|(i, v)| read_step(&format!("steps[{i}]"), v))
        .collect::<Result<Vec<_>, _>>()?;
    let lesson = Lesson { title, concept, scenario, steps };
    check_lesson_text(&lesson)?;
    Ok(lesson)
}

/// The scenario of a lesson, its errors named under `path`.
fn scenario_at(path: &str, value: Value) -> Result<Scenario, ScenarioError> {
    from_value(value).map_err(|e| ScenarioError { path: join(path, &e.path), reason: e.reason })
}

fn read_step(path: &str, value: Value) -> Result<LessonStep, ScenarioError> {
    let obj = object(path, value)?;
    if let Some(q) = obj.get("question") {
        read_question(&join(path, "question"), q.clone())?;
    }
    located(path, Value::Object(obj), serde_json::from_value::<LessonStep>)
}

/// Reads a question part by part, so that an error names the field inside `reveal` or `outcome`.
fn read_question(path: &str, value: Value) -> Result<Question, ScenarioError> {
    let obj = object(path, value)?;
    if let Some(r) = obj.get("reveal") {
        located(&join(path, "reveal"), r.clone(), serde_json::from_value::<Reveal>)?;
    }
    if let Some(o) = obj.get("outcome") {
        located(&join(path, "outcome"), o.clone(), serde_json::from_value::<Outcome>)?;
    }
    located(path, Value::Object(obj), serde_json::from_value::<Question>)
}

/// The lesson's binary code (postcard), as the page fetches it.
pub fn encode_lesson(lesson: &Lesson) -> Vec<u8> {
    // Plain structs, strings and numbers: postcard writes them all (the round-trip tests check).
    let mut code = postcard::to_allocvec(lesson).unwrap_or_default();
    // What the scenario's postcard skips follows, as a link's sections.
    super::link::write_skipped_sections(&lesson.scenario, &mut code);
    code
}

/// Reads a lesson from its binary code, and checks it as [`parse_lesson`] does.
pub fn decode_lesson(bytes: &[u8]) -> Result<Lesson, ScenarioError> {
    super::json::check_size(bytes.len())?;
    let mut reader = CodeReader::new(bytes);
    let mut lesson = reader.lesson().map_err(|fault| ScenarioError {
        path: String::new(),
        reason: format!("not a lesson code ({})", fault.as_str()),
    })?;
    let rest = reader.rest();
    if super::link::read_skipped_sections(&mut lesson.scenario, rest).is_err() {
        return err("", format!("not a lesson code: {} bytes left after its end", rest.len()));
    }
    check_lesson(&lesson)?;
    Ok(lesson)
}

fn missing(key: &str) -> ScenarioError {
    ScenarioError { path: key.to_string(), reason: "missing (required)".into() }
}
