//! A lesson played in the page (`docs/lessons.md`), without the DOM: where the playground pauses,
//! the question waiting for an answer, and the event that reveals it. The page (`web::app::lesson`)
//! draws what this says and feeds it the engine's events.

use crate::engine::{EventKind, LessonStep, LessonText, Millis, Question};

/// What the page shows next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Moment {
    /// The playground reached step `step`: pause, show its text (and its question, if any).
    Step(usize),
    /// The answer to the question of step `step` is shown: `event` is the seq of the event that
    /// shows it (`None` if none came by `by_ms`), `right` whether the pick was the answer.
    Reveal { step: usize, event: Option<u64>, right: bool },
}

/// The question being asked: its step, and once picked, the choice and the first event seq that
/// may reveal it (events from the pause on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Asking {
    step: usize,
    picked: Option<u32>,
    since_seq: u64,
}

pub struct LessonPlayer {
    text: LessonText,
    /// The next step to pause at.
    next: usize,
    asking: Option<Asking>,
}

impl LessonPlayer {
    /// A lesson opened at `now_ms`: steps before then are past (a link may open later).
    pub fn new(text: LessonText, now_ms: Millis) -> LessonPlayer {
        let next = text.steps.iter().position(|s| s.at_ms >= now_ms).unwrap_or(text.steps.len());
        LessonPlayer { text, next, asking: None }
    }

    pub fn text(&self) -> &LessonText {
        &self.text
    }

    pub fn step(&self, i: usize) -> &LessonStep {
        &self.text.steps[i]
    }

    /// The question of step `i`. Only steps that have one are asked.
    pub fn question(&self, i: usize) -> Option<&Question> {
        self.text.steps.get(i).and_then(|s| s.question.as_ref())
    }

    /// The latest time the clock may run to: the next step, or a question's `by_ms` (its answer is
    /// shown then even without its event). `None`: run on freely (the lesson is over).
    pub fn pause_at(&self) -> Option<Millis> {
        let next = self.text.steps.get(self.next).map(|s| s.at_ms);
        let by = self.asking.filter(|a| a.picked.is_some()).and_then(|a| self.question(a.step)).map(|q| q.reveal.by_ms);
        match (next, by) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Waiting for the person to pick an answer (the clock stays paused).
    pub fn awaiting_pick(&self) -> bool {
        self.asking.is_some_and(|a| a.picked.is_none())
    }

    /// The clock stands at `now_ms`, everything at it done; `next_seq` is the engine's next event
    /// seq. A step reached pauses there (a question pending is revealed first: see [`reveal`](Self::reveal)).
    pub fn reached(&mut self, now_ms: Millis, next_seq: u64) -> Option<Moment> {
        let step = self.text.steps.get(self.next).filter(|s| s.at_ms <= now_ms)?;
        let i = self.next;
        self.next += 1;
        if step.question.is_some() {
            self.asking = Some(Asking { step: i, picked: None, since_seq: next_seq });
        }
        Some(Moment::Step(i))
    }

    /// The person picked `choice` for the question asked: the playground plays on. Whether it is
    /// the answer.
    pub fn pick(&mut self, choice: u32) -> Option<bool> {
        let asking = self.asking.as_mut().filter(|a| a.picked.is_none())?;
        asking.picked = Some(choice);
        let step = asking.step;
        self.question(step).map(|q| q.answer == choice)
    }

    /// Looks for the reveal of the picked question among `events` (seq, kind, name of its
    /// partition), or reveals it anyway once `now_ms` passed its `by_ms`.
    pub fn reveal<'a>(
        &mut self,
        events: impl Iterator<Item = (u64, &'a EventKind, Option<String>)>,
        now_ms: Millis,
    ) -> Option<Moment> {
        let asking = self.asking.filter(|a| a.picked.is_some())?;
        let q = self.question(asking.step)?;
        let found = events
            .filter(|(seq, _, _)| *seq >= asking.since_seq)
            .find(|(_, kind, partition)| q.reveal.matches(kind, partition.as_deref()))
            .map(|(seq, _, _)| seq);
        if found.is_none() && now_ms < q.reveal.by_ms {
            return None;
        }
        let right = asking.picked == Some(q.answer);
        self.asking = None;
        Some(Moment::Reveal { step: asking.step, event: found, right })
    }

    /// The event seq from which the picked question's reveal is looked for.
    pub fn watching_since(&self) -> Option<u64> {
        self.asking.filter(|a| a.picked.is_some()).map(|a| a.since_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, Lesson};

    fn lesson() -> Lesson {
        let text = include_str!("../../www/lessons/leader-failover.json");
        crate::scenario::parse_lesson(text).expect("a lesson")
    }

    /// Plays `lesson` as the page does, picking `choice` at every question; the moments in order.
    fn play(lesson: &Lesson, choice: u32) -> Vec<(Millis, Moment)> {
        let mut engine = Engine::new(&lesson.scenario).expect("valid");
        let mut player = LessonPlayer::new(lesson.text(), 0);
        let mut moments = Vec::new();
        while let Some(pause) = player.pause_at() {
            // Frames of 700 ms, never past the pause.
            let target = (engine.now_ms() + 700).min(pause);
            let since = player.watching_since().unwrap_or(u64::MAX);
            engine.advance_to(target, u64::MAX).expect("progress");
            let events = engine
                .events_since(since.min(engine.next_event_seq()))
                .map(|e| (e.seq, &e.kind, e.kind.partition().map(|p| engine.catalog().partition_name(p))));
            if let Some(m) = player.reveal(events, engine.now_ms()) {
                moments.push((engine.now_ms(), m));
            }
            if let Some(m) = player.reached(engine.now_ms(), engine.next_event_seq()) {
                moments.push((engine.now_ms(), m.clone()));
                if player.awaiting_pick() {
                    player.pick(choice);
                }
            }
        }
        moments
    }

    #[test]
    fn the_page_pauses_at_every_step_and_reveals_each_answer_with_its_event() {
        let lesson = lesson();
        let moments = play(&lesson, 1);
        let steps: Vec<usize> =
            moments.iter().filter_map(|(_, m)| if let Moment::Step(i) = m { Some(*i) } else { None }).collect();
        assert_eq!(steps, (0..lesson.steps.len()).collect::<Vec<_>>());
        for (at_ms, m) in &moments {
            if let Moment::Step(i) = m {
                assert_eq!(*at_ms, lesson.steps[*i].at_ms, "the pause is at the step's time");
            }
        }
        // Step 2 asks when t-0 gets a new leader; choice 1 is right, and the election reveals it.
        let reveals: Vec<&Moment> =
            moments.iter().map(|(_, m)| m).filter(|m| matches!(m, Moment::Reveal { .. })).collect();
        assert_eq!(reveals.len(), 2);
        assert!(matches!(reveals[0], Moment::Reveal { step: 2, event: Some(_), right: true }), "{reveals:?}");
        // Step 4's answer is 2: choice 1 is wrong, and the truncation still reveals it.
        assert!(matches!(reveals[1], Moment::Reveal { step: 4, event: Some(_), right: false }), "{reveals:?}");
    }

    #[test]
    fn the_revealing_event_is_the_one_the_question_names() {
        let lesson = lesson();
        let mut engine = Engine::new(&lesson.scenario).expect("valid");
        let moments = play(&lesson, 2);
        let Some((at_ms, Moment::Reveal { event: Some(seq), .. })) =
            moments.iter().find(|(_, m)| matches!(m, Moment::Reveal { step: 4, .. }))
        else {
            panic!("{moments:?}")
        };
        engine.advance_to(*at_ms, u64::MAX).expect("progress");
        let event = engine.events_since(*seq).next().expect("the event");
        assert_eq!(event.kind.name(), "log_truncated");
        assert!(engine.explain(event).contains("broker 1 truncated t-0 from 7 to 5"), "{}", engine.explain(event));
    }

    #[test]
    fn a_question_without_its_event_is_revealed_at_its_by_ms() {
        let mut lesson = lesson();
        let q = lesson.steps[2].question.as_mut().expect("a question");
        q.reveal.event = "partition_offline".into();
        let moments = play(&lesson, 1);
        let reveal = moments.iter().find(|(_, m)| matches!(m, Moment::Reveal { step: 2, .. })).expect("revealed");
        assert_eq!(reveal, &(14_000, Moment::Reveal { step: 2, event: None, right: true }));
    }

    #[test]
    fn a_lesson_opened_later_skips_the_steps_before() {
        let player = LessonPlayer::new(lesson().text(), 5_000);
        assert_eq!(player.pause_at(), Some(11_600));
    }
}
