//! A lesson in the page, in headless Chromium (`docs/lessons.md`): the playground pauses at each
//! step with its narration, asks the question as a flashcard, plays on once the person answers,
//! and reveals the answer with its reason when the event occurs, marking it in the event log.
#![cfg(target_arch = "wasm32")]

use partition_playground::scenario::parse_lesson;
use partition_playground::web::{mount, Options};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}"))
}

fn text(root: &Element, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

fn click(root: &Element, selector: &str) {
    find(root, selector).unchecked_into::<HtmlElement>().click();
}

#[wasm_bindgen_test]
fn a_lesson_pauses_asks_and_reveals_the_answer_with_its_event() {
    let lesson = parse_lesson(include_str!("../www/lessons/leader-failover.json")).expect("a lesson");
    let container = document().create_element("div").unwrap();
    container.set_attribute("style", "width:1200px").unwrap();
    document().body().unwrap().append_child(&container).unwrap();
    let app = mount(&container, &lesson.scenario, Options::test()).expect("valid");
    app.start_lesson(lesson.text());
    let root = app.root();

    // Step 0 at 0 ms: its narration, and Continue.
    assert_eq!(text(&root, "#lesson h2"), lesson.title);
    assert_eq!(text(&root, ".lesson-text"), lesson.steps[0].text);
    click(&root, "[data-continue]");
    // The clock stops at step 1 (2600 ms) however far it is asked to run.
    app.advance_by(10_000.0);
    assert_eq!(app.now_ms(), 2_600);
    assert_eq!(text(&root, ".lesson-text"), lesson.steps[1].text);
    click(&root, "[data-continue]");
    app.advance_by(10_000.0);
    assert_eq!(app.now_ms(), 3_000);
    // The flashcard: the prompt and a button per choice; nothing runs until an answer is picked.
    let q = lesson.steps[2].question.as_ref().unwrap();
    assert_eq!(text(&root, ".lesson-prompt"), q.prompt);
    assert_eq!(root.query_selector_all("[data-choice]").unwrap().length() as usize, q.choices.len());
    app.advance_by(5_000.0);
    assert_eq!(app.now_ms(), 3_000, "a question waits for its answer");
    click(&root, &format!("[data-choice='{}']", q.answer));
    // It plays on to the election, and reveals.
    app.advance_by(20_000.0);
    assert_eq!(text(&root, ".lesson-right"), "Right.");
    assert_eq!(text(&root, ".lesson-reason"), q.reason);
    let evidence = text(&root, ".lesson-event");
    assert!(evidence.contains("elected broker 2 leader of t-0, epoch 1"), "{evidence}");
    let marked = find(&root, "li.lesson-mark");
    assert!(marked.text_content().unwrap().contains("elected broker 2"), "the event is marked in the log");
    app.dispose();
    container.remove();
}
