//! What the page says aloud (its polite live region): elections, partitions left without a leader,
//! lost records and violated invariants, one short sentence each; never routine traffic
//! (acknowledgements, fetches, retries), which would drown what matters. A screen reader reads the
//! region's text when it changes, so one update of the page is at most one announcement: a few
//! sentences, or their count when many came at once (a crash in the large scenario elects dozens of
//! leaders in one frame).

use crate::engine::{Catalog, ClusterEvent, Engine, EventKind};

/// At most this many sentences in one announcement; beyond, a count by kind.
pub const SENTENCES_MAX: usize = 3;

/// What an announced event is, for the counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Election,
    Offline,
    Loss,
    Violation,
}

/// The sentence for an event worth announcing, and its kind; `None` for all others.
fn sentence(catalog: &Catalog, kind: &EventKind) -> Option<(Kind, String)> {
    Some(match kind {
        // kafka-model §6.2: the controller's election (clean or unclean) of a new leader.
        EventKind::LeaderElected { partition, leader, leader_epoch, unclean, .. } => {
            let how = if *unclean { "Unclean election: broker" } else { "Broker" };
            let name = catalog.partition_name(*partition);
            (Kind::Election, format!("{how} {leader} leads {name}, epoch {leader_epoch}."))
        }
        EventKind::PartitionOffline { partition, .. } => {
            (Kind::Offline, format!("{} is offline: no leader.", catalog.partition_name(*partition)))
        }
        EventKind::RecordsLost { partition, count, .. } => {
            let name = catalog.partition_name(*partition);
            (Kind::Loss, format!("{count} acknowledged record{} lost on {name}.", if *count == 1 { "" } else { "s" }))
        }
        // kafka-model §8.5.
        EventKind::InvariantViolated { invariant, partition, expected, .. } => {
            let on = partition.map_or(String::new(), |p| format!(" on {}", catalog.partition_name(p)));
            let note = if *expected { ", allowed after an unclean election or a lossy crash" } else { "" };
            (Kind::Violation, format!("Invariant violated{on}: {}{note}.", invariant.name()))
        }
        _ => return None,
    })
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The announcement for `events` (oldest first), if any of them is worth one.
pub fn announcement<'a>(catalog: &Catalog, events: impl IntoIterator<Item = &'a ClusterEvent>) -> Option<String> {
    let said: Vec<(Kind, String)> = events.into_iter().filter_map(|e| sentence(catalog, &e.kind)).collect();
    if said.is_empty() {
        return None;
    }
    if said.len() <= SENTENCES_MAX {
        return Some(said.into_iter().map(|(_, s)| s).collect::<Vec<_>>().join(" "));
    }
    let of = |k: Kind| said.iter().filter(|(kind, _)| *kind == k).count();
    let parts: Vec<String> = [
        (of(Kind::Election), "leader elected", "leaders elected"),
        (of(Kind::Offline), "partition offline", "partitions offline"),
        (of(Kind::Loss), "loss of records", "losses of records"),
        (of(Kind::Violation), "invariant violation", "invariant violations"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| count(n, one, many))
    .collect();
    Some(format!("{}.", parts.join(", ")))
}

/// Reads the engine's events since the last call, as [`EventLog`](super::EventLog) does, but on its
/// own cursor: what is announced does not depend on what the log shows or hides.
#[derive(Debug, Default)]
pub struct Announcer {
    next_seq: u64,
}

impl Announcer {
    pub fn new() -> Announcer {
        Announcer::default()
    }

    /// The announcement for the events since the last call, if any.
    pub fn update(&mut self, engine: &Engine) -> Option<String> {
        let next = engine.next_event_seq();
        if next == self.next_seq {
            return None;
        }
        let said = announcement(engine.catalog(), engine.events_since(self.next_seq));
        self.next_seq = next;
        said
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{BrokerId, Command, Produce};
    use crate::page::tests::default_engine;

    #[test]
    fn a_crashed_leader_is_announced_as_the_elections_that_follow_not_as_traffic() {
        let mut engine = default_engine();
        let mut announcer = Announcer::new();
        let produce = Produce {
            producer: "producer-1".into(),
            topic: "orders".into(),
            key: None,
            value: "v".into(),
            count: 5,
            partition: None,
        };
        engine.apply(Command::Produce(produce)).expect("a valid produce");
        engine.advance_to(2_000, u64::MAX).expect("progress");
        // Acknowledgements and fetches only: nothing to say.
        assert!(engine.events_since(0).any(|e| e.kind.is_routine()));
        assert_eq!(announcer.update(&engine), None);
        // Broker 1 leads some partition of `orders` (placement spreads the leaders over the three).
        engine.apply(Command::CrashBroker { broker: BrokerId(1) }).expect("a valid command");
        engine.advance_to(14_000, u64::MAX).expect("progress");
        let said = announcer.update(&engine).expect("the elections after the fencing are announced");
        // kafka-model §6.2: after broker.session.timeout.ms the controller fences broker 1 and elects
        // another ISR member for each partition it led.
        assert!(said.contains(" leads orders-"), "{said}");
        assert!(said.contains("epoch 1."), "{said}");
        assert!(!said.contains("Broker 1 leads"), "{said}");
        assert!(!said.contains("acknowledged") && !said.contains("fetch"), "{said}");
        assert_eq!(announcer.update(&engine), None, "each event is announced once");
    }

    fn event(seq: u64, kind: EventKind) -> ClusterEvent {
        ClusterEvent { seq, at_ms: seq, kind }
    }

    #[test]
    fn many_at_once_are_counted_in_one_sentence() {
        let engine = default_engine();
        let catalog = engine.catalog();
        let elected = |seq: u64, p: u32| {
            let partition = crate::engine::PartitionIdx(p);
            let kind = EventKind::LeaderElected {
                partition,
                leader: BrokerId(2),
                previous: Some(BrokerId(1)),
                leader_epoch: 1,
                isr: vec![BrokerId(2)],
                unclean: false,
                reason: crate::engine::ChangeReason::BrokerFenced(BrokerId(1)),
            };
            event(seq, kind)
        };
        let lost = event(
            9,
            EventKind::RecordsLost {
                partition: crate::engine::PartitionIdx(0),
                offsets: (3, 4),
                count: 1,
                acks: crate::engine::Acks::Leader,
                cause: "truncated".into(),
            },
        );
        let few = [elected(1, 0), lost.clone()];
        assert_eq!(
            announcement(catalog, &few).as_deref(),
            Some("Broker 2 leads orders-0, epoch 1. 1 acknowledged record lost on orders-0.")
        );
        let many = [elected(1, 0), elected(2, 1), elected(3, 2), lost];
        assert_eq!(announcement(catalog, &many).as_deref(), Some("3 leaders elected, 1 loss of records."));
        assert_eq!(announcement(catalog, &[]), None);
    }
}
