//! The page's "Consumer group" form and table (kafka-model §6.3, §6.4): the group commands a
//! consumer's buttons send, and each group's partitions as `kafka-consumer-groups.sh --describe`
//! shows them (owner, committed offset, lag), with the generation and state that say a rebalance is
//! under way. No Kafka rule: the coordinator runs the group, the engine refuses what it refuses.

use super::forms::FormError;
use crate::engine::{ClusterView, Command, ConsumerView, GroupView, JoinGroup};

/// `subscribe(topic)` with `group.id`: the consumer joins the group (auto-commit on, Kafka's
/// default). An empty group id is the form's to refuse.
pub fn join(consumer: &str, group: &str, topic: &str) -> Result<Command, FormError> {
    let group = group.trim();
    if group.is_empty() {
        return Err(FormError { field: "group", message: "Give a group id (group.id).".into() });
    }
    if topic.is_empty() {
        return Err(FormError { field: "topic", message: "Choose a topic.".into() });
    }
    let join = JoinGroup {
        consumer: consumer.to_string(),
        group: group.to_string(),
        topic: topic.to_string(),
        enable_auto_commit: true,
    };
    Ok(Command::JoinGroup(join))
}

/// A member button's command: `leave` (close()), `crash` (kill -9), `stop` (stops polling) or
/// `commit` (commitSync()); `None` for another action.
pub fn member_command(action: &str, consumer: &str) -> Option<Command> {
    let consumer = consumer.to_string();
    Some(match action {
        "leave" => Command::LeaveGroup { consumer },
        "crash" => Command::CrashConsumer { consumer },
        "stop" => Command::StopPolling { consumer },
        "commit" => Command::CommitOffsets { consumer },
        _ => return None,
    })
}

/// What the page says once a group command is sent (its outcome comes as events).
pub fn sent_note(command: &Command) -> &'static str {
    match command {
        Command::JoinGroup(_) => "Joining: FindCoordinator, JoinGroup, SyncGroup (the event log follows).",
        Command::LeaveGroup { .. } => "Left: the group rebalances at once.",
        Command::CrashConsumer { .. } => "Crashed: its partitions move after session.timeout.ms (45 s).",
        Command::StopPolling { .. } => "No more poll(): it leaves after max.poll.interval.ms (5 min).",
        _ => "Commit sent: it counts once __consumer_offsets replicates it.",
    }
}

/// One row per partition of each group: group, generation and state, partition, owner, committed
/// offset, lag. A partition shows once it is owned or has a committed offset.
pub fn rows(view: &ClusterView) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for g in &view.groups {
        let mut partitions: Vec<u32> = g.members.iter().flat_map(|(_, _, a)| a.iter().map(|p| p.0)).collect();
        partitions.extend(g.offsets.iter().map(|o| o.partition.0));
        partitions.sort_unstable();
        partitions.dedup();
        let state = format!("{} · gen {}", g.state, g.generation);
        if partitions.is_empty() {
            out.push(vec![g.group.clone(), state.clone(), "–".into(), "–".into(), "–".into(), "–".into()]);
        }
        for p in partitions {
            out.push(partition_row(view, g, p, &state));
        }
    }
    out
}

fn partition_row(view: &ClusterView, g: &GroupView, p: u32, state: &str) -> Vec<String> {
    let name = view.partitions.get(p as usize).map_or("?", |x| x.name.as_str());
    let owner = g
        .members
        .iter()
        .find(|(_, _, a)| a.iter().any(|q| q.0 == p))
        .and_then(|(_, c, _)| view.consumers.get(c.0 as usize))
        .map_or("–", |c| c.name.as_str());
    let offset = g.offsets.iter().find(|o| o.partition.0 == p);
    let committed = offset.map_or("–".into(), |o| o.committed.to_string());
    let lag = offset.and_then(|o| o.lag).map_or("–".into(), |l| l.to_string());
    vec![g.group.clone(), state.to_string(), name.to_string(), owner.to_string(), committed, lag]
}

/// A group member's rows in its panel: the group as the member sees it, and each partition it owns
/// with the group's committed offset and lag; `None` for a consumer in no group.
pub fn member_rows(view: &ClusterView, c: &ConsumerView) -> Option<(String, String)> {
    let m = c.group.as_ref()?;
    let generation = m.generation.map_or("–".to_string(), |g| g.to_string());
    let coordinator = m.coordinator.map_or("unknown".to_string(), |b| b.to_string());
    let state = if c.crashed { "crashed" } else { m.state };
    let group =
        format!("{} · member {} · generation {generation} · {state} · coordinator {coordinator}", m.group, m.member_id);
    let offsets = view.groups.iter().find(|g| g.group == m.group).map(|g| g.offsets.as_slice()).unwrap_or(&[]);
    let owned: Vec<String> = m
        .assigned
        .iter()
        .map(|p| {
            let name = view.partitions.get(p.0 as usize).map_or("?", |x| x.name.as_str());
            match offsets.iter().find(|o| o.partition == *p) {
                Some(o) => {
                    format!("{name} ({}, lag {})", o.committed, o.lag.map_or("–".to_string(), |l| l.to_string()))
                }
                None => format!("{name} (none)"),
            }
        })
        .collect();
    let owns = if owned.is_empty() { "nothing".to_string() } else { owned.join(", ") };
    Some((group, owns))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, ViewOptions};

    /// Two consumers of `billing` on `orders` (2 partitions), 8 records produced at 5 s.
    fn two_members() -> Engine {
        let json = r#"{"format": 1, "seed": 64,
          "cluster": {"brokers": [{"id": 1}, {"id": 2}, {"id": 3}]},
          "topics": [{"name": "orders", "partitions": 2, "replication.factor": 3}],
          "producers": [{"name": "p", "config": {"acks": "all"}}],
          "consumers": [{"name": "c1", "config": {"auto.offset.reset": "earliest"}},
                        {"name": "c2", "config": {"auto.offset.reset": "earliest"}}],
          "commands": [
            {"at_ms": 5000, "produce": {"producer": "p", "topic": "orders", "value": "v", "count": 4, "partition": 0}},
            {"at_ms": 5000, "produce": {"producer": "p", "topic": "orders", "value": "v", "count": 4, "partition": 1}}
          ]}"#;
        let mut e = Engine::new(&crate::scenario::parse(json).expect("scenario")).expect("engine");
        for c in ["c1", "c2"] {
            e.apply(join(c, "billing", "orders").expect("a command")).expect("joins");
        }
        e
    }

    fn view(e: &Engine) -> ClusterView {
        e.view(ViewOptions::default())
    }

    #[test]
    fn the_form_refuses_an_empty_group_id_and_joins_with_auto_commit() {
        assert_eq!(join("c1", "  ", "orders").map_err(|e| e.field), Err("group"));
        assert_eq!(join("c1", "billing", "").map_err(|e| e.field), Err("topic"));
        match join("c1", " billing ", "orders") {
            Ok(Command::JoinGroup(j)) => assert_eq!((j.group.as_str(), j.enable_auto_commit), ("billing", true)),
            other => panic!("a join_group: {other:?}"),
        }
        assert_eq!(member_command("crash", "c1"), Some(Command::CrashConsumer { consumer: "c1".into() }));
        assert_eq!(member_command("dance", "c1"), None);
    }

    #[test]
    fn each_member_owns_one_partition_and_its_committed_offset_catches_up() {
        let mut e = two_members();
        e.advance_to(20_000, u64::MAX).expect("runs");
        let rows = rows(&view(&e));
        assert_eq!(rows.len(), 2, "one row per partition: {rows:?}");
        let owners: Vec<&str> = rows.iter().map(|r| r[3].as_str()).collect();
        assert!(owners.contains(&"c1") && owners.contains(&"c2"), "range gives each one partition: {rows:?}");
        for r in &rows {
            assert_eq!((r[0].as_str(), r[1].as_str()), ("billing", "Stable · gen 1"));
            // Auto-commit every 5 s: the 4 records of each partition read and committed, lag 0.
            assert_eq!((r[4].as_str(), r[5].as_str()), ("4", "0"), "{r:?}");
        }
        let c1 = view(&e).consumers.into_iter().find(|c| c.name == "c1").expect("c1");
        let (group, owns) = member_rows(&view(&e), &c1).expect("a member");
        assert!(group.starts_with("billing · member ") && group.contains("generation 1 · Stable"), "{group}");
        assert!(owns.ends_with("(4, lag 0)"), "{owns}");
    }

    #[test]
    fn a_crashed_members_partition_moves_to_the_other_after_the_session_timeout() {
        let mut e = two_members();
        e.advance_to(20_000, u64::MAX).expect("runs");
        e.apply(member_command("crash", "c1").expect("crash")).expect("crashes");
        e.advance_to(30_000, u64::MAX).expect("runs");
        let owners: Vec<String> = rows(&view(&e)).into_iter().map(|r| r[3].clone()).collect();
        assert!(owners.contains(&"c1".to_string()), "before session.timeout.ms the group still lists c1: {owners:?}");
        e.advance_to(80_000, u64::MAX).expect("runs");
        let rows = rows(&view(&e));
        assert!(rows.iter().all(|r| r[3] == "c2" && r[1].ends_with("gen 2")), "c2 owns both in generation 2: {rows:?}");
    }
}
