//! The KRaft controller quorum (kafka-model §2.1, §2.2): three separate controller voters, the
//! active controller's crash and its failover within the timeouts of §2.2, and quorum loss (no
//! fencing, no elections, no ISR changes until a majority is back). Scenario files in
//! `tests/scenarios/s2_2_*.json`, with their golden explained logs (`tests/golden.rs`).

#[path = "support/scenario_run.rs"]
mod scenario_run;

use partition_playground::engine::*;
use scenario_run::{b, run, Run};

impl Run {
    fn at(&self, name: &str) -> Vec<u64> {
        self.events.iter().filter(|(e, _)| e.kind.name() == name).map(|(e, _)| e.at_ms).collect()
    }

    /// Every active controller elected: when, who, in which epoch.
    fn controllers_elected(&self) -> Vec<(u64, u32, u32)> {
        let elected = self.events.iter().filter_map(|(e, _)| match &e.kind {
            EventKind::ControllerElected { controller, epoch, .. } => Some((e.at_ms, *controller, *epoch)),
            _ => None,
        });
        elected.collect()
    }

    fn leaders_elected(&self) -> Vec<(u64, BrokerId)> {
        let elected = self.events.iter().filter_map(|(e, _)| match &e.kind {
            EventKind::LeaderElected { leader, .. } => Some((e.at_ms, *leader)),
            _ => None,
        });
        elected.collect()
    }
}

/// Setup: 3 controllers 3001 (active), 3002, 3003; topic t on brokers 1, 2, 3. Action: 3001 is
/// killed at 5 s. Outcome: a standby wins an election between 2 and 4 s later (fetch timeout 2 s,
/// randomised backoff up to 1 s), already holding every committed record; no broker is fenced
/// for the silence; a later broker crash is handled by the new active controller as before.
#[test]
fn the_active_controllers_crash_fails_over_within_two_to_four_seconds_without_fencing_anyone() {
    let run = run("s2_2_active_controller_crash");
    let elected = run.controllers_elected();
    assert_eq!(elected.len(), 1, "one failover:\n{}", run.log());
    let (at_ms, controller, epoch) = elected[0];
    assert!((7_000..=9_000).contains(&at_ms), "failover 2-4 s after the crash at 5 s, at {at_ms} ms");
    assert!(controller == 3002 || controller == 3003, "a standby took over, not {controller}");
    assert_eq!(epoch, 2);
    // Brokers heartbeat to the new active controller and keep their sessions: the only fencing
    // is broker 1's, which crashed at 20 s, within broker.session.timeout.ms (9 s) of its crash.
    let fenced = run.at("broker_fenced");
    assert_eq!(fenced.len(), 1, "no spurious fencing:\n{}", run.log());
    assert!((27_000..=29_000).contains(&fenced[0]), "broker 1 fenced 7-9 s after its crash, at {}", fenced[0]);
    assert_eq!(run.leaders_elected(), vec![(fenced[0], b(2))], "the new active controller elected broker 2");
    // Producing needs no controller: acks=all records before, during and after the failover.
    assert_eq!(run.producer("p").acked_records, 9);
    let line = &run.events.iter().find(|(e, _)| e.kind.name() == "controller_elected").expect("elected").1;
    assert!(line.contains("became the active controller in epoch 2"), "{line}");
    assert!(line.contains("controller.quorum.fetch.timeout.ms = 2000 ms"), "{line}");
}

/// Setup as above. Action: 3002 and 3003 crash at 5 s (1 of 3 voters left), broker 1, the leader
/// of t-0, crashes at 10 s, 3002 restarts at 30 s. Outcome: the quorum is lost at 5 s and nothing
/// is decided: broker 1 is neither fenced nor replaced while the quorum is lost, and the acks=all
/// produce sent at 12 s waits; a majority is back at 30 s, an active controller is elected within
/// 1-2 s (election timeout plus backoff), and it fences broker 1 a full session later
/// (`ClusterControlManager.activate` gives every broker a fresh session), electing broker 2.
#[test]
fn quorum_loss_leaves_a_leader_crash_unhandled_until_a_majority_is_back() {
    let run = run("s2_2_quorum_loss");
    assert_eq!(run.at("quorum_lost"), vec![5_000]);
    assert_eq!(run.at("controller_resigned"), vec![8_000], "3001 resigns after 1.5 x the fetch timeout");
    assert_eq!(run.at("quorum_restored"), vec![30_000]);
    let elected = run.controllers_elected();
    assert_eq!(elected.len(), 1, "{}", run.log());
    let (at_ms, _, epoch) = elected[0];
    assert!((31_000..32_000).contains(&at_ms), "elected 1-2 s after the majority is back, at {at_ms}");
    assert_eq!(epoch, 2);
    let fenced = run.at("broker_fenced");
    assert_eq!(fenced, vec![at_ms + 9_000], "broker 1 fenced a full session after the new controller:\n{}", run.log());
    assert_eq!(run.leaders_elected(), vec![(at_ms + 9_000, b(2))]);
    // The produce sent at 12 s is acknowledged only after the election.
    let send = &run.producer("p").sends[1];
    assert!(matches!(send.status, SendStatus::Acknowledged { at_ms: t, .. } if t > at_ms + 9_000), "{send:?}");
    assert_eq!(run.partition("t-0").isr, vec![b(2), b(3)]);
}
