//! The controller quorum in the page (kafka-model §2.2): the controller box's text, with the active
//! controller marked, and the controller menu's items and their commands.

use crate::engine::{Command, ControllerView};

/// The box's first line: `Controller` for the lone controller of old, else each voter's `node.id`,
/// the active one marked `*`, a stopped one `x` (`3001* 3002 3003x`; the title says it in words).
pub fn box_line(c: &ControllerView) -> String {
    if c.voters.len() == 1 && !c.combined {
        return if c.voters[0].running { "Controller".into() } else { "Controller (down)".into() };
    }
    let tokens: Vec<String> = c
        .voters
        .iter()
        .map(|v| {
            let mark = if v.active {
                "*"
            } else if v.running {
                ""
            } else {
                "x"
            };
            format!("{}{mark}", v.id)
        })
        .collect();
    tokens.join(" ")
}

/// The box's title: the quorum in a sentence.
pub fn box_title(c: &ControllerView, fenced: usize) -> String {
    let voters: Vec<String> = c
        .voters
        .iter()
        .map(|v| {
            let state = if v.active {
                "active"
            } else if v.running {
                "standby"
            } else {
                "down"
            };
            format!("{} {state}", v.id)
        })
        .collect();
    let roles = if c.combined { "combined with brokers" } else { "separate controller nodes" };
    let lost = if c.quorum_lost { " QUORUM LOST: nothing can be committed." } else { "" };
    format!(
        "KRaft controller quorum ({} voter(s), {roles}, epoch {}): {}.{lost} Metadata offset {}, {fenced} broker(s) fenced",
        c.voters.len(),
        c.epoch,
        voters.join(", "),
        c.metadata_offset
    )
}

/// The controller menu's items (`data-action`, text): crash a running voter, restart a stopped one.
/// Combined voters are their brokers' processes: their brokers' menus act on them.
pub fn menu_items(c: &ControllerView) -> Vec<(String, String)> {
    if c.combined {
        return Vec::new();
    }
    let item = |v: &crate::engine::VoterView| {
        if v.running {
            (format!("crash-controller:{}", v.id), format!("Crash controller {} (kill -9)", v.id))
        } else {
            (format!("restart-controller:{}", v.id), format!("Restart controller {}", v.id))
        }
    };
    c.voters.iter().map(item).collect()
}

/// The command of a controller menu item (the engine checks it).
pub fn controller_action(action: &str) -> Option<Command> {
    let (what, id) = action.split_once(':')?;
    let controller = id.parse::<u32>().ok()?;
    match what {
        "crash-controller" => Some(Command::CrashController { controller }),
        "restart-controller" => Some(Command::RestartController { controller }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, ViewOptions};

    fn quorum_engine() -> Engine {
        let json = include_str!("../../tests/scenarios/s2_2_active_controller_crash.json");
        Engine::new(&crate::scenario::parse(json).expect("valid")).expect("within the contract")
    }

    /// Three separate voters: the box names them with the active one marked; after the active
    /// one's crash and the failover, the crashed one is marked down and its menu item restarts it.
    #[test]
    fn the_box_marks_the_active_controller_and_the_menu_crashes_or_restarts_each_voter() {
        let mut engine = quorum_engine();
        let view = engine.view(ViewOptions::default());
        assert_eq!(box_line(&view.controller), "3001* 3002 3003");
        assert_eq!(menu_items(&view.controller)[0].0, "crash-controller:3001");
        let command = controller_action("crash-controller:3001").expect("a command");
        engine.apply(command).expect("3001 runs");
        engine.advance_to(9_000, u64::MAX).expect("progress");
        let view = engine.view(ViewOptions::default());
        let line = box_line(&view.controller);
        assert!(line == "3001x 3002* 3003" || line == "3001x 3002 3003*", "{line}");
        assert!(box_title(&view.controller, 0).contains("epoch 2"));
        assert_eq!(
            menu_items(&view.controller)[0],
            ("restart-controller:3001".into(), "Restart controller 3001".into())
        );
        assert_eq!(controller_action("restart-controller:3001"), Some(Command::RestartController { controller: 3001 }));
        assert_eq!(controller_action("select"), None);
    }

    #[test]
    fn the_lone_controller_of_old_keeps_its_box() {
        let view = crate::page::tests::default_engine().view(ViewOptions::default());
        assert_eq!(box_line(&view.controller), "Controller");
    }
}
