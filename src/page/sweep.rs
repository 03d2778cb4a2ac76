//! The notice for partitions that wait on the controller's unclean-election sweep: turning on
//! `unclean.leader.election.enable` elects nobody at once; the controller's periodic sweep
//! (`unclean.leader.election.interval.ms`, 5 minutes by default, kafka-model §4.8) does, which at 1×
//! is 5 real minutes of nothing. The page says when, and offers to jump there.

use crate::engine::{ClusterView, PartitionHealth};

/// What the page shows while a leaderless partition waits on the sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepNotice {
    pub text: String,
    /// When the sweep runs.
    pub at_ms: u64,
    /// The jump button's text: `Jump to 394.8 s`.
    pub jump_label: String,
}

/// The notice, if an offline partition's topic allows unclean election and a sweep is scheduled.
pub fn sweep_notice(view: &ClusterView) -> Option<SweepNotice> {
    let at_ms = view.controller.next_unclean_sweep_ms?;
    let waiting: Vec<&str> = view
        .partitions
        .iter()
        .filter(|p| p.health == PartitionHealth::Offline)
        .filter(|p| view.topics.iter().any(|t| t.name == p.topic && t.unclean_leader_election_enable))
        .map(|p| p.name.as_str())
        .collect();
    let first = waiting.first()?;
    let who = match waiting.len() {
        1 => format!("{first} has"),
        n => format!("{first} and {} more have", n - 1),
    };
    let when = seconds(at_ms);
    Some(SweepNotice {
        text: format!(
            "{who} no leader and unclean.leader.election.enable=true: the controller will try an unclean \
             election at its next sweep, at {when} (it sweeps every unclean.leader.election.interval.ms)."
        ),
        at_ms,
        jump_label: format!("Jump to {when}"),
    })
}

/// `394.8 s`, to the tenth (no float formatting in the page).
fn seconds(ms: u64) -> String {
    format!("{}.{} s", ms / 1000, ms % 1000 / 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{BrokerId, ChangeConfig, Command, TopicConfig, ViewOptions};
    use crate::page::tests::default_engine;

    #[test]
    fn a_leaderless_partition_that_allows_unclean_election_says_when_the_sweep_runs() {
        let mut engine = default_engine();
        engine.advance_to(1_000, u64::MAX).expect("progress");
        // All three brokers go, one by one; broker 1 (out of every ISR by then) comes back: no leader.
        for (i, b) in [1, 2, 3].into_iter().enumerate() {
            engine.apply(Command::CrashBroker { broker: BrokerId(b) }).expect("a valid command");
            engine.advance_to(1_000 + 15_000 * (i as u64 + 1), u64::MAX).expect("progress");
        }
        engine.apply(Command::RestartBroker { broker: BrokerId(1) }).expect("a valid command");
        engine.advance_to(60_000, u64::MAX).expect("progress");
        assert_eq!(sweep_notice(&engine.view(ViewOptions::default())), None, "unclean election is off");

        engine
            .apply(Command::ChangeConfig(ChangeConfig::Topic {
                topic: "orders".into(),
                config: TopicConfig { unclean_leader_election_enable: Some(true), ..TopicConfig::default() },
            }))
            .expect("a valid command");
        let view = engine.view(ViewOptions::default());
        let offline = view.partitions.iter().filter(|p| p.health == PartitionHealth::Offline).count();
        let n = sweep_notice(&view).expect("a notice");
        // Scheduled when the config changed, unclean.leader.election.interval.ms (300 s) later.
        assert_eq!(n.at_ms, 60_000 + 300_000);
        assert_eq!(n.jump_label, "Jump to 360.0 s");
        assert!(n.text.contains("at its next sweep, at 360.0 s (it sweeps"), "{}", n.text);
        assert!(offline >= 1 && n.text.starts_with("orders-"), "{}", n.text);

        // At the sweep the controller elects a leader unclean and the notice goes.
        engine.advance_to(n.at_ms + 1_000, u64::MAX).expect("progress");
        assert_eq!(sweep_notice(&engine.view(ViewOptions::default())), None);
    }
}
