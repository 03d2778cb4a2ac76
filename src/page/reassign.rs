//! The page's "Add broker" control and a partition's "Reassign replicas" form (KIP-455,
//! `kafka-reassign-partitions.sh`) as `Command`s; what the partition's details say of a
//! reassignment in progress. No Kafka rule: the controller answers the reassignment (an event).

use super::forms::{parse_whole, FormError};
use crate::engine::{BrokerId, ClusterView, Command, PartitionView, ReassignPartitions, LIMITS};

/// An added broker's id: one past the highest (Kafka's ids need not be dense; the page's are).
pub fn add_broker(view: &ClusterView) -> Command {
    let next = view.brokers.iter().map(|b| b.id.0).max().map_or(1, |m| m + 1);
    Command::AddBroker { broker: BrokerId(next), rack: String::new() }
}

/// The form's target as typed: broker ids separated by commas or spaces, the first the preferred
/// leader (`4, 2, 3`). An empty list is the controller's to refuse.
pub fn reassign(p: &PartitionView, typed: &str) -> Result<Command, FormError> {
    let mut replicas = Vec::new();
    for word in typed.split(|c: char| c == ',' || c.is_whitespace()).filter(|w| !w.is_empty()) {
        if replicas.len() == LIMITS.brokers_max {
            return Err(FormError { field: "replicas", message: format!("At most {} brokers.", LIMITS.brokers_max) });
        }
        let id = parse_whole(word).ok_or_else(|| FormError {
            field: "replicas",
            message: "Broker ids are whole numbers, separated by commas: 4, 2, 3.".into(),
        })?;
        replicas.push(BrokerId(id));
    }
    Ok(command(p, Some(replicas)))
}

/// `--cancel`: the reassignment in progress is reverted (or the controller says none is).
pub fn cancel(p: &PartitionView) -> Command {
    command(p, None)
}

fn command(p: &PartitionView, replicas: Option<Vec<BrokerId>>) -> Command {
    Command::ReassignPartitions(ReassignPartitions { topic: p.topic.clone(), partition: p.partition, replicas })
}

/// What the form starts with: the partition's target, i.e. its replicas without the removing ones.
pub fn target_text(p: &PartitionView) -> String {
    let target = p.replicas.iter().filter(|b| !p.removing_replicas.contains(b));
    target.map(|b| b.to_string()).collect::<Vec<_>>().join(", ")
}

/// The details' line for a reassignment in progress: `adding [4], removing [1]`.
pub fn in_progress(p: &PartitionView) -> Option<String> {
    if p.adding_replicas.is_empty() && p.removing_replicas.is_empty() {
        return None;
    }
    let list = |l: &[BrokerId]| l.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(", ");
    Some(format!("adding [{}], removing [{}]", list(&p.adding_replicas), list(&p.removing_replicas)))
}

/// A replica's part in a reassignment, for the diagram: `adding`, `removing` or nothing.
pub fn replica_mark(p: &PartitionView, broker: BrokerId) -> Option<&'static str> {
    if p.adding_replicas.contains(&broker) {
        Some("adding")
    } else if p.removing_replicas.contains(&broker) {
        Some("removing")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ViewOptions;
    use crate::page::tests::default_engine;

    /// The default scenario's first partition, as the details panel shows it.
    fn first_partition() -> (crate::engine::Engine, PartitionView) {
        let engine = default_engine();
        let p = engine.view(ViewOptions::default()).partitions[0].clone();
        (engine, p)
    }

    #[test]
    fn add_broker_takes_the_id_past_the_highest_and_the_engine_accepts_it() {
        let (mut engine, _) = first_partition();
        let view = engine.view(ViewOptions::default());
        let command = add_broker(&view);
        let highest = view.brokers.iter().map(|b| b.id.0).max().unwrap();
        assert_eq!(command, Command::AddBroker { broker: BrokerId(highest + 1), rack: String::new() });
        assert_eq!(engine.apply(command), Ok(()));
    }

    #[test]
    fn the_form_reads_ids_in_order_and_refuses_what_is_no_id() {
        let (_, p) = first_partition();
        let Ok(Command::ReassignPartitions(r)) = reassign(&p, " 4, 2 3 ") else { panic!() };
        assert_eq!(r.replicas, Some(vec![BrokerId(4), BrokerId(2), BrokerId(3)]));
        assert_eq!((r.topic.as_str(), r.partition), (p.topic.as_str(), p.partition));
        assert_eq!(reassign(&p, "4, two").unwrap_err().field, "replicas");
        let Command::ReassignPartitions(c) = cancel(&p) else { panic!() };
        assert_eq!(c.replicas, None);
    }

    #[test]
    fn a_reassignment_in_progress_is_marked_replica_by_replica() {
        let (_, mut p) = first_partition();
        assert_eq!(in_progress(&p), None);
        p.replicas = vec![BrokerId(4), BrokerId(2), BrokerId(1)];
        p.adding_replicas = vec![BrokerId(4)];
        p.removing_replicas = vec![BrokerId(1)];
        assert_eq!(in_progress(&p).as_deref(), Some("adding [4], removing [1]"));
        assert_eq!(target_text(&p), "4, 2");
        assert_eq!((replica_mark(&p, BrokerId(4)), replica_mark(&p, BrokerId(1))), (Some("adding"), Some("removing")));
        assert_eq!(replica_mark(&p, BrokerId(2)), None);
    }
}
