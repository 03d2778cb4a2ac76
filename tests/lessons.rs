//! The built-in lessons (`www/lessons/*.json`, `docs/lessons.md`): each parses and passes the
//! engine's check; each question's reveal happens — its event occurs after the question's pause and
//! by its `by_ms`, and the cluster then is as the outcome says, read from the engine's view (the
//! runner's JSON); invalid lessons are refused with the field named; the index page is up to date.

use partition_playground::engine::{ClusterEvent, ClusterView, Engine, EventKind, Lesson, Outcome, SendStatus};
use partition_playground::engine::{ViewOptions, LIMITS};
use partition_playground::scenario::lesson_index::{lesson_fragment, lesson_index_html, INDEX_BASE, LESSON_SLUGS};
use partition_playground::scenario::{
    self, decode_lesson, encode_lesson, make_link, parse_lesson, read_link, Link, LinkError,
};
use serde_json::{json, Value};

fn lessons_dir() -> String {
    format!("{}/www/lessons", env!("CARGO_MANIFEST_DIR"))
}

fn read(slug: &str) -> String {
    let path = format!("{}/{slug}.json", lessons_dir());
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn lesson(slug: &str) -> Lesson {
    parse_lesson(&read(slug)).unwrap_or_else(|e| panic!("{slug}.json: {e}"))
}

fn all() -> Vec<(String, Lesson)> {
    LESSON_SLUGS.iter().map(|s| (s.to_string(), lesson(s))).collect()
}

#[test]
fn the_lessons_of_issues_9_and_11_are_there_one_per_concept() {
    let lessons = all();
    assert_eq!(lessons.len(), 14);
    let mut concepts: Vec<&str> = lessons.iter().map(|(_, l)| l.concept.as_str()).collect();
    concepts.sort_unstable();
    concepts.dedup();
    assert_eq!(concepts.len(), 14, "one concept per lesson");
    // Every file of the directory is a listed lesson (nothing unlisted, nothing missing).
    let mut files: Vec<String> = std::fs::read_dir(lessons_dir())
        .expect("www/lessons")
        .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
        .filter_map(|n| n.strip_suffix(".json").map(str::to_string))
        .collect();
    files.sort();
    let mut slugs: Vec<String> = LESSON_SLUGS.iter().map(|s| s.to_string()).collect();
    slugs.sort();
    assert_eq!(files, slugs);
}

#[test]
fn every_lesson_round_trips_through_its_binary_code() {
    for (slug, lesson) in all() {
        assert_eq!(decode_lesson(&encode_lesson(&lesson)).as_ref(), Ok(&lesson), "{slug}");
    }
}

#[test]
fn every_lesson_link_carries_the_whole_lesson_and_fits_what_chat_apps_keep() {
    for (slug, lesson) in all() {
        let fragment = lesson_fragment(&lesson).expect("a link");
        assert!(fragment.len() <= 2_000, "{slug}: {} characters", fragment.len());
        let text = fragment.strip_prefix("#s=").expect("a share link");
        let (link, _) = read_link(text).unwrap_or_else(|e| panic!("{slug}: {e}"));
        assert_eq!(link.lesson.map(|t| Lesson::from_text(link.scenario, t)), Some(lesson), "{slug}");
    }
}

/// A link's lesson goes through the engine's lesson rules, named under `lesson.`.
#[test]
fn a_link_with_an_invalid_lesson_is_refused_with_the_field_named() {
    let lesson = lesson("partition-leader");
    let mut text = lesson.text();
    text.steps[1].question.as_mut().expect("a question").answer = 9;
    let link = Link { scenario: lesson.scenario.clone(), session: Vec::new(), lesson: Some(text) };
    let e = read_link(&make_link(&link).expect("a link")).expect_err("refused");
    let LinkError::Invalid(e) = e else { panic!("{e}") };
    assert_eq!(e.path, "lesson.steps[1].question.answer", "{e}");
    let mut text = lesson.text();
    text.steps.iter_mut().for_each(|s| s.question = None);
    let link = Link { scenario: lesson.scenario, session: Vec::new(), lesson: Some(text) };
    let e = read_link(&make_link(&link).expect("a link")).expect_err("refused");
    assert!(e.to_string().contains("lesson.steps: a lesson asks at least one question"), "{e}");
}

/// A lesson run question by question: the playground pauses at the question's step, then plays
/// on until the reveal's event.
struct Reveal {
    event: ClusterEvent,
    view: ClusterView,
}

fn reveal(slug: &str, lesson: &Lesson, step: usize) -> Reveal {
    let s = &lesson.steps[step];
    let q = s.question.as_ref().expect("a question");
    let mut engine = Engine::new(&lesson.scenario).expect("a valid scenario");
    engine.advance_to(s.at_ms, u64::MAX).expect("progress");
    let since = engine.next_event_seq();
    let names = |engine: &Engine, e: &ClusterEvent| e.kind.partition().map(|p| engine.catalog().partition_name(p));
    loop {
        let found = engine.events_since(since).find(|e| q.reveal.matches(&e.kind, names(&engine, e).as_deref()));
        if let Some(event) = found.cloned() {
            // The outcome holds once the event's millisecond is over.
            engine.advance_to(event.at_ms, u64::MAX).expect("progress");
            let view = engine.view(ViewOptions { client_history: usize::MAX, ..ViewOptions::default() });
            assert_eq!(engine.unexpected_violations(), 0, "{slug}: unexpected violations");
            return Reveal { event, view };
        }
        match engine.next_event_ms() {
            Some(t) if t <= q.reveal.by_ms => {
                engine.step();
            }
            _ => panic!("{slug}: steps[{step}]: no {} event by {} ms", q.reveal.event, q.reveal.by_ms),
        }
    }
}

/// Each field the outcome states, as the view shows it.
fn assert_outcome(what: &str, o: &Outcome, view: &ClusterView) {
    let p = view.partitions.iter().find(|p| p.name == o.partition).unwrap_or_else(|| panic!("{what}: no partition"));
    if let Some(leader) = o.leader {
        assert_eq!(p.leader, Some(leader), "{what}: leader");
    }
    if let Some(epoch) = o.leader_epoch {
        assert_eq!(p.leader_epoch, epoch, "{what}: leader epoch");
    }
    if let Some(isr) = &o.isr {
        assert_eq!(&p.isr, isr, "{what}: ISR");
    }
    if let Some(hw) = o.high_watermark {
        let leader = p.replica_states.iter().find(|r| Some(r.broker) == p.leader).expect("a leader");
        assert_eq!(leader.high_watermark, hw, "{what}: the leader's high watermark");
    }
    if let Some(acknowledged) = o.acknowledged {
        let sends = view.producers.iter().flat_map(|pr| &pr.sends).filter(|s| s.partition == p.idx);
        let acked: u64 =
            sends.filter(|s| matches!(s.status, SendStatus::Acknowledged { .. })).map(|s| u64::from(s.count)).sum();
        assert_eq!(acked, acknowledged, "{what}: records acknowledged");
    }
    if let Some(lost) = o.lost {
        let counted: u64 = view.safety.losses.iter().filter(|l| l.partition == p.idx).map(|l| u64::from(l.count)).sum();
        assert_eq!(counted, lost, "{what}: acknowledged records lost");
    }
    if let (Some(consumer), Some(broker)) = (&o.consumer, o.fetching_from) {
        let c = view.consumers.iter().find(|c| &c.name == consumer).expect("the consumer");
        let cp = c.partitions.iter().find(|cp| cp.partition == p.idx).expect("the consumer's partition");
        assert_eq!(cp.fetching_from, Some(broker), "{what}: where {consumer} fetches");
    }
}

#[test]
fn every_question_is_revealed_by_its_event_with_the_outcome_it_states() {
    let mut questions = 0;
    for (slug, lesson) in all() {
        for (i, step) in lesson.steps.iter().enumerate() {
            let Some(q) = &step.question else { continue };
            let what = format!("{slug}: steps[{i}]");
            let r = reveal(&slug, &lesson, i);
            assert!(r.event.at_ms > step.at_ms && r.event.at_ms <= q.reveal.by_ms, "{what}: at {}", r.event.at_ms);
            assert_eq!(r.event.kind.name(), q.reveal.event, "{what}");
            assert_outcome(&what, &q.outcome, &r.view);
            questions += 1;
        }
    }
    assert!(questions >= 9, "at least one question a lesson, found {questions}");
}

/// The names lessons use are the events' own (their tag in the runner's JSON), and say rightly
/// whether an event is about a partition.
#[test]
fn event_names_are_the_runners() {
    let mut seen = std::collections::BTreeSet::new();
    for (_, lesson) in all() {
        let mut engine = Engine::new(&lesson.scenario).expect("valid");
        engine.advance_to(lesson.scenario.until_ms, u64::MAX).expect("progress");
        for e in engine.events_since(0) {
            let json = serde_json::to_value(e).expect("serializable");
            assert_eq!(json["event"], e.kind.name(), "{e:?}");
            let entry = EventKind::NAMES.iter().find(|(n, _)| *n == e.kind.name()).expect("listed");
            if !matches!(e.kind, EventKind::InvariantViolated { .. }) {
                assert_eq!(entry.1, e.kind.partition().is_some(), "{}", e.kind.name());
                assert_eq!(entry.1, json.get("partition").is_some(), "{}", e.kind.name());
            }
            seen.insert(e.kind.name());
        }
    }
    assert!(seen.len() >= 20, "the lessons show many kinds of events: {seen:?}");
}

/// A valid lesson to break, one field at a time.
fn base() -> Value {
    serde_json::from_str(&read("partition-leader")).expect("JSON")
}

#[test]
fn invalid_lessons_are_refused_with_the_field_named() {
    let long = "x".repeat(LIMITS.lesson_text_bytes_max + 1);
    let five: Vec<String> = (0..5).map(|i| format!("choice {i}")).collect();
    // (JSON pointer, new value (null: remove the key), path in the error, words of the reason)
    let table: Vec<(&str, Value, &str, &str)> = vec![
        ("/title", json!(""), "title", "1 to"),
        ("/concept", Value::Null, "concept", "missing"),
        ("/steps", json!([]), "steps", "1 to 16 steps"),
        ("/steps/1/at_ms", json!(6001), "steps[1].at_ms", "until_ms"),
        ("/steps/2/at_ms", json!(1000), "steps[2].at_ms", "time order"),
        ("/steps/0/text", json!(long), "steps[0].text", "bytes"),
        ("/steps/0/text", json!("two\nlines"), "steps[0].text", "control"),
        ("/steps/1/question/choices", json!(["only one"]), "steps[1].question.choices", "2 to 4"),
        ("/steps/1/question/choices", json!(five), "steps[1].question.choices", "2 to 4"),
        (
            "/steps/1/question/choices/1",
            json!("Broker 1, the first broker of the cluster"),
            "steps[1].question.choices[1]",
            "twice",
        ),
        ("/steps/1/question/answer", json!(4), "steps[1].question.answer", "0 to 3"),
        ("/steps/1/question/answer", json!(-1), "steps[1].question.answer", "whole number"),
        ("/steps/1/question/reason", Value::Null, "steps[1].question.reason", "missing"),
        (
            "/steps/1/question/reveal/event",
            json!("leader_appeared"),
            "steps[1].question.reveal.event",
            "no event is named",
        ),
        ("/steps/1/question/reveal/partition", json!("orders-2"), "steps[1].question.reveal.partition", "no partition"),
        (
            "/steps/1/question/reveal/event",
            json!("broker_crashed"),
            "steps[1].question.reveal.partition",
            "not about a partition",
        ),
        ("/steps/1/question/reveal/by_ms", json!(1500), "steps[1].question.reveal.by_ms", "after the step"),
        ("/steps/1/question/reveal/by_ms", json!(7000), "steps[1].question.reveal.by_ms", "until_ms"),
        ("/steps/1/question/reveal/colour", json!("red"), "steps[1].question.reveal.colour", "unknown field"),
        (
            "/steps/1/question/outcome/partition",
            json!("payments-0"),
            "steps[1].question.outcome.partition",
            "no partition",
        ),
        ("/steps/1/question/outcome/leader", json!(7), "steps[1].question.outcome.leader", "no broker 7"),
        ("/steps/1/question/outcome/isr", json!([2, 9]), "steps[1].question.outcome.isr[1]", "no broker 9"),
        ("/steps/2/question/outcome/consumer", json!("nobody"), "steps[2].question.outcome.consumer", "no consumer"),
        ("/steps/2/question/outcome/consumer", Value::Null, "steps[2].question.outcome.consumer", "missing"),
        ("/steps/1/question/prompt", json!(7), "steps[1].question.prompt", "string"),
        ("/scenario/cluster/brokers/0/id", json!("one"), "scenario.cluster.brokers[0].id", ""),
        ("/scenario/commands/1/produce/producer", json!("nobody"), "scenario.commands[1].produce.producer", ""),
        ("/slug", json!("x"), "slug", "unknown field"),
    ];
    for (pointer, value, path, words) in table {
        let mut v = base();
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
        let target = v.pointer_mut(parent).unwrap_or_else(|| panic!("{pointer}"));
        match (target, value) {
            (Value::Object(o), Value::Null) => {
                o.remove(key);
            }
            (Value::Object(o), value) => {
                o.insert(key.to_string(), value);
            }
            (Value::Array(a), value) => a[key.parse::<usize>().expect("an index")] = value,
            _ => panic!("{pointer}"),
        }
        let e = parse_lesson(&v.to_string()).expect_err(pointer);
        assert_eq!(e.path, path, "{pointer}: {e}");
        assert!(e.reason.contains(words), "{pointer}: {e}");
    }
}

/// Without questions a lesson is only a scenario: refused, however it arrives.
#[test]
fn a_lesson_without_a_question_is_refused_as_json_and_as_a_binary_code() {
    let mut v = base();
    for step in v["steps"].as_array_mut().expect("steps") {
        step.as_object_mut().expect("a step").remove("question");
    }
    let e = parse_lesson(&v.to_string()).expect_err("no question");
    assert_eq!((e.path.as_str(), e.reason.contains("at least one question")), ("steps", true), "{e}");
    let mut lesson = lesson("partition-leader");
    lesson.steps.iter_mut().for_each(|s| s.question = None);
    assert_eq!(decode_lesson(&encode_lesson(&lesson)), Err(e));
}

#[test]
fn a_damaged_lesson_code_is_refused() {
    let code = encode_lesson(&lesson("zombie-leader"));
    assert!(decode_lesson(&code[..code.len() / 2]).is_err());
    let mut longer = code.clone();
    longer.push(0);
    assert!(decode_lesson(&longer).expect_err("trailing byte").reason.contains("left after its end"));
    // A scenario code is no lesson code.
    assert!(decode_lesson(&scenario::encode(&lesson("zombie-leader").scenario)).is_err());
}

#[test]
fn the_lesson_index_page_is_up_to_date() {
    let path = format!("{}/index.html", lessons_dir());
    let html = lesson_index_html(&all(), INDEX_BASE).expect("links");
    for slug in LESSON_SLUGS {
        assert!(html.contains(&format!("<li id=\"{slug}\">")), "{slug}");
    }
    assert!(!html.contains("<script") && !html.contains("style="), "no inline script or style (strict CSP)");
    if std::env::var("PP_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &html).expect("write index.html");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == html,
        "www/lessons/index.html is stale: run `cargo run -- lessons` (or PP_BLESS=1 cargo test --test lessons)"
    );
}

/// The complete example of `docs/lessons.md` is a valid lesson whose reveal holds.
#[test]
fn the_documented_example_is_a_lesson_whose_reveal_holds() {
    let docs = std::fs::read_to_string(format!("{}/docs/lessons.md", env!("CARGO_MANIFEST_DIR"))).expect("docs");
    let example = docs.split("## Complete example").nth(1).expect("the section");
    let json = example.split("```json").nth(1).and_then(|b| b.split("```").next()).expect("a JSON block");
    let lesson = parse_lesson(json).unwrap_or_else(|e| panic!("docs/lessons.md: {e}"));
    let step = lesson.steps.iter().position(|s| s.question.is_some()).expect("a question");
    let r = reveal("docs/lessons.md", &lesson, step);
    let q = lesson.steps[step].question.as_ref().expect("a question");
    assert_eq!(r.event.kind.name(), "leader_elected");
    assert_outcome("docs/lessons.md", &q.outcome, &r.view);
}
