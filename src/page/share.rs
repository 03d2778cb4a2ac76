//! The page's share link: the fragment it writes (`#s=...&t=42000&paused`) and what it says of a
//! link it opens. The link's text itself is `scenario::make_link`'s, which the share worker calls.

use crate::engine::{Engine, LessonText, Millis, Scenario, BEHAVIOUR_VERSION};
use crate::scenario::{link_message, Link};

/// What a link to where `engine` stands carries, as the page hands it to its share worker (which
/// makes the link's text, or the export, from it: `web::share_worker`): the scenario it started
/// from, the commands the person applied since, and the lesson being played, if any (so a
/// lesson's link stays a lesson).
pub fn share_message(scenario: &Scenario, engine: &Engine, lesson: Option<&LessonText>) -> Vec<u8> {
    link_message(scenario, &engine.session().to_vec(), lesson)
}

/// The fragment of a link: its text (`scenario::make_link`, in the runner or the share worker),
/// the simulated time to open at, and whether to open paused.
pub fn fragment(link_text: &str, at_ms: Millis, paused: bool) -> String {
    let paused = if paused { "&paused" } else { "" };
    format!("#s={link_text}&t={at_ms}{paused}")
}

/// Where a link without `t` opens: just after its last command (or at the start).
pub fn open_at(link: &Link, at_ms: Option<Millis>) -> Millis {
    at_ms.unwrap_or_else(|| link.session.last().map_or(0, |c| c.at_ms))
}

/// The line a page shows for a link made by another engine behaviour (none for its own).
pub fn behaviour_notice(behaviour: u32) -> Option<String> {
    (behaviour != BEHAVIOUR_VERSION).then(|| {
        format!(
            "This link was made by engine behaviour {behaviour} and this page runs behaviour {BEHAVIOUR_VERSION}: \
             its replay may differ from what its author saw."
        )
    })
}

/// The state hash as the page and the runner print it.
pub fn hash_label(hash: u64) -> String {
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{BrokerId, Command};
    use crate::scenario::{make_link, read_link, read_link_message};

    /// The link the share worker writes for the page's message.
    fn worker_link(message: &[u8]) -> String {
        make_link(&read_link_message(message).expect("the page's message reads")).expect("a link")
    }

    fn default_scenario() -> Scenario {
        crate::scenario::parse(include_str!("../../www/scenarios/default.json")).expect("default")
    }

    #[test]
    fn the_fragment_opens_where_the_page_stands() {
        let scenario = default_scenario();
        let mut engine = Engine::new(&scenario).expect("valid");
        engine.advance_to(4_321, u64::MAX).expect("progress");
        engine.apply(Command::CrashBroker { broker: BrokerId(2) }).expect("valid");
        engine.advance_to(15_000, u64::MAX).expect("progress");
        let f = fragment(&worker_link(&share_message(&scenario, &engine, None)), engine.now_ms(), true);
        assert!(f.starts_with("#s=2.") && f.ends_with("&t=15000&paused"), "{f}");
        let text = f.trim_start_matches("#s=").split('&').next().unwrap();
        let (link, behaviour) = read_link(text).expect("readable");
        assert_eq!(behaviour_notice(behaviour), None);
        assert_eq!(link.session.len(), 1);
        let replayed = Engine::replay(&link.scenario, &link.session, 15_000).expect("replays");
        assert_eq!(hash_label(replayed.state_hash()), hash_label(engine.state_hash()));
        assert_eq!(open_at(&link, None), 4_321);
        assert_eq!(open_at(&link, Some(9)), 9);
        assert_eq!(fragment("1.1.4.AAAA", 7, false), "#s=1.1.4.AAAA&t=7");
    }

    /// "Copy link" on a page playing a lesson: the link carries the lesson on, so whoever opens it
    /// gets the narration and the questions too, not a bare scenario.
    #[test]
    fn a_link_copied_during_a_lesson_carries_the_lesson() {
        let lesson = crate::scenario::parse_lesson(include_str!("../../www/lessons/partition-leader.json"))
            .expect("a built-in lesson");
        let mut engine = Engine::new(&lesson.scenario).expect("valid");
        engine.advance_to(1_000, u64::MAX).expect("progress");
        let text = lesson.text();
        let (read, _) =
            read_link(&worker_link(&share_message(&lesson.scenario, &engine, Some(&text)))).expect("readable");
        assert_eq!(read.lesson.as_ref(), Some(&text));
        assert_eq!(read.scenario, lesson.scenario);
        let bare = read_link_message(&share_message(&lesson.scenario, &engine, None)).expect("reads");
        assert_eq!(bare.lesson, None);
    }

    #[test]
    fn another_behaviour_is_said_in_one_line() {
        let line = behaviour_notice(BEHAVIOUR_VERSION + 1).expect("a notice");
        assert!(line.contains(&format!("engine behaviour {}", BEHAVIOUR_VERSION + 1)) && line.ends_with("saw."));
        assert_eq!(hash_label(0xab), "00000000000000ab");
    }
}
