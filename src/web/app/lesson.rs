//! A lesson in the page: the narration panel beside the diagram, the playground pausing at each
//! step, a question as a flashcard (choices as buttons), and the reveal when its event occurs,
//! with that event marked in the event log. What to show when is `page::lesson`; this draws it.

use super::{wiring, App, AppHandle};
use crate::engine::LessonText;
use crate::page::lesson::{LessonPlayer, Moment};
use crate::web::dom::{el, Build};
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement};

pub(super) struct LessonUi {
    player: LessonPlayer,
    panel: Element,
    /// The step's or the reveal's content, replaced at each moment.
    body: Element,
}

impl AppHandle {
    /// Plays `text` (a link's lesson) on this playground: its panel beside the diagram.
    pub fn start_lesson(&self, text: LessonText) {
        let (panel, body) = {
            let a = self.0.borrow();
            let panel = el("section").with("class", "card lesson").with("aria-label", "Lesson").with("id", "lesson");
            el("h2").text(&text.title).into_parent(&panel);
            el("p").with("class", "lesson-concept").text(&text.concept).into_parent(&panel);
            let body = el("div").with("class", "lesson-body").with("aria-live", "polite").into_parent(&panel);
            let side = a.root.query_selector(".col-side").ok().flatten().unwrap_or_else(|| a.root.clone());
            let _ = side.insert_before(&panel, side.first_child().as_ref());
            (panel, body)
        };
        wiring::on::<Event>(&panel, "click", &self.0, App::on_lesson_click);
        let mut a = self.0.borrow_mut();
        let player = LessonPlayer::new(text, a.engine.now_ms());
        a.lesson = Some(LessonUi { player, panel, body });
        a.lesson_check();
    }
}

impl App {
    /// The lesson being played, which "Copy link" and "Copy embed code" carry on.
    pub(super) fn lesson_text(&self) -> Option<&LessonText> {
        self.lesson.as_ref().map(|ui| ui.player.text())
    }

    /// The clock's target kept at the lesson's next pause (and where it is while a question waits
    /// for its answer).
    pub(super) fn lesson_target(&self, target: f64) -> f64 {
        match &self.lesson {
            Some(ui) if ui.player.awaiting_pick() => target.min(self.clock.sim_ms()),
            Some(ui) => ui.player.pause_at().map_or(target, |p| target.min(p as f64)),
            None => target,
        }
    }

    /// After the engine ran: a question's reveal, then a step reached, each pausing the playground.
    pub(super) fn lesson_check(&mut self) {
        let Some(ui) = self.lesson.as_mut() else { return };
        let now = self.engine.now_ms();
        let engine = &self.engine;
        let since = ui.player.watching_since().unwrap_or(u64::MAX).min(engine.next_event_seq());
        let events = engine
            .events_since(since)
            .map(|e| (e.seq, &e.kind, e.kind.partition().map(|p| engine.catalog().partition_name(p))));
        // A reveal first: a step due at the same moment is reached once the person continues.
        let moment = match ui.player.reveal(events, now) {
            Some(reveal) => Some(reveal),
            None if self.clock.sim_ms() >= now as f64 => ui.player.reached(now, engine.next_event_seq()),
            None => None,
        };
        if let Some(moment) = moment {
            self.set_playing(false);
            self.show_moment(&moment);
        }
    }

    fn show_moment(&mut self, moment: &Moment) {
        let Some(ui) = self.lesson.as_ref() else { return };
        let body = &ui.body.clone();
        body.set_text_content(None);
        let mut mark = None;
        match *moment {
            Moment::Step(i) => {
                el("p").with("class", "lesson-text").text(&ui.player.step(i).text).into_parent(body);
                match ui.player.question(i) {
                    Some(q) => {
                        el("p").with("class", "lesson-prompt").text(&q.prompt).into_parent(body);
                        let choices = el("div").with("class", "lesson-choices").into_parent(body);
                        for (n, choice) in q.choices.iter().enumerate() {
                            el("button")
                                .with("type", "button")
                                .with("data-choice", &n.to_string())
                                .text(choice)
                                .into_parent(&choices);
                        }
                    }
                    None => continue_button(body),
                }
            }
            Moment::Reveal { step, event, right } => {
                let Some(q) = ui.player.question(step) else { return };
                let verdict = if right { "Right." } else { "Not quite." };
                let answer = q.choices.get(q.answer as usize).map_or("", String::as_str);
                el("p")
                    .with("class", if right { "lesson-right" } else { "lesson-wrong" })
                    .text(verdict)
                    .into_parent(body);
                el("p").with("class", "lesson-answer").text(&format!("Answer: {answer}")).into_parent(body);
                el("p").with("class", "lesson-reason").text(&q.reason).into_parent(body);
                let shown = event.and_then(|seq| self.engine.events_since(seq).next()).map(|e| self.engine.explain(e));
                if let Some(text) = shown {
                    el("p").with("class", "lesson-event").text(&format!("In the event log: {text}")).into_parent(body);
                }
                continue_button(body);
                mark = event;
            }
        }
        if let Some(seq) = mark {
            self.mark_log_line(seq);
        }
        if let Ok(Some(b)) = body.query_selector("button") {
            let _ = b.unchecked_into::<HtmlElement>().focus();
        }
    }

    /// Marks the event log's line of event `seq` (if the log shows it) and brings it into view.
    fn mark_log_line(&mut self, seq: u64) {
        self.render();
        if let Ok(Some(old)) = self.root.query_selector("li.lesson-mark") {
            let _ = old.class_list().remove_1("lesson-mark");
        }
        if let Ok(Some(li)) = self.root.query_selector(&format!("li[data-seq='{seq}']")) {
            let _ = li.class_list().add_1("lesson-mark");
            li.scroll_into_view_with_bool(false);
        }
    }

    fn on_lesson_click(&mut self, e: Event) {
        let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        let Some(button) = target.closest("button").ok().flatten() else { return };
        if let Some(choice) = button.get_attribute("data-choice").and_then(|c| c.parse::<u32>().ok()) {
            let Some(ui) = self.lesson.as_mut() else { return };
            if ui.player.pick(choice).is_none() {
                return;
            }
            let _ = button.set_attribute("aria-pressed", "true");
            if let Ok(buttons) = ui.body.query_selector_all("[data-choice]") {
                for i in 0..buttons.length() {
                    if let Some(b) = buttons.item(i).and_then(|b| b.dyn_into::<Element>().ok()) {
                        let _ = b.set_attribute("disabled", "");
                    }
                }
            }
            el("p").with("class", "lesson-wait").text("Watch what happens…").into_parent(&ui.body);
            let _ = ui.panel.set_attribute("data-picked", &choice.to_string());
        }
        self.set_playing(true);
    }
}

fn continue_button(body: &Element) {
    el("button").with("type", "button").with("data-continue", "").text("Continue ▶").into_parent(body);
}
