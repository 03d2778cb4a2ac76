//! Two branches side by side at one simulated time (issue 12): what differs between their views,
//! in Kafka's terms: each partition's leader, ISR, high watermark (what is committed) and the
//! acknowledged records the safety checker counts as lost; each broker's process.

use crate::engine::{BrokerId, ClusterView, PartitionView, ProcessState};

/// One thing that differs: what it is about, and its value in each branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// `orders-0`, `broker 2`, or `cluster`.
    pub subject: String,
    /// `leader`, `ISR`, `high watermark`, `records lost`, `process`.
    pub what: &'static str,
    pub left: String,
    pub right: String,
}

/// What differs between `left` and `right` (two branches' views at the same time), partitions in
/// the left view's order first, then brokers; empty when they agree on all of it.
pub fn differences(left: &ClusterView, right: &ClusterView) -> Vec<Difference> {
    let mut out = Vec::new();
    for l in &left.partitions {
        let Some(r) = right.partitions.iter().find(|p| p.name == l.name) else {
            out.push(diff(&l.name, "partition", "exists".into(), "does not exist".into()));
            continue;
        };
        partition_differences(l, r, left, right, &mut out);
    }
    for r in right.partitions.iter().filter(|r| !left.partitions.iter().any(|l| l.name == r.name)) {
        out.push(diff(&r.name, "partition", "does not exist".into(), "exists".into()));
    }
    for l in &left.brokers {
        let r = right.brokers.iter().find(|b| b.id == l.id).map(|b| b.process);
        if r != Some(l.process) {
            let right_text = r.map_or("not in the cluster".to_string(), process);
            out.push(diff(&format!("broker {}", l.id.0), "process", process(l.process), right_text));
        }
    }
    let (ll, rl) = (left.safety.acks0_dropped, right.safety.acks0_dropped);
    if ll != rl {
        out.push(diff("cluster", "acks=0 records dropped", ll.to_string(), rl.to_string()));
    }
    out
}

fn partition_differences(
    l: &PartitionView,
    r: &PartitionView,
    lv: &ClusterView,
    rv: &ClusterView,
    out: &mut Vec<Difference>,
) {
    if l.leader != r.leader {
        out.push(diff(&l.name, "leader", leader(l.leader), leader(r.leader)));
    }
    if l.isr != r.isr {
        out.push(diff(&l.name, "ISR", ids(&l.isr), ids(&r.isr)));
    }
    let (lh, rh) = (high_watermark(l), high_watermark(r));
    if lh != rh {
        let text = |h: Option<u64>| h.map_or("no leader".to_string(), |h| h.to_string());
        out.push(diff(&l.name, "high watermark", text(lh), text(rh)));
    }
    let (ll, rl) = (lost(lv, l), lost(rv, r));
    if ll != rl {
        out.push(diff(&l.name, "records lost", ll.to_string(), rl.to_string()));
    }
}

fn diff(subject: &str, what: &'static str, left: String, right: String) -> Difference {
    Difference { subject: subject.to_string(), what, left, right }
}

/// The leader's high watermark: the offset below which records are committed (kafka-model §4.2).
fn high_watermark(p: &PartitionView) -> Option<u64> {
    let leader = p.leader?;
    p.replica_states.iter().find(|r| r.broker == leader).map(|r| r.high_watermark)
}

/// Acknowledged records of the partition that no replica will serve again (the safety checker's).
fn lost(view: &ClusterView, p: &PartitionView) -> u64 {
    view.safety.losses.iter().filter(|l| l.partition == p.idx).map(|l| u64::from(l.count)).sum()
}

fn leader(id: Option<BrokerId>) -> String {
    id.map_or("none (offline)".to_string(), |b| format!("broker {}", b.0))
}

fn ids(list: &[BrokerId]) -> String {
    let names: Vec<String> = list.iter().map(|b| b.0.to_string()).collect();
    format!("[{}]", names.join(", "))
}

fn process(p: ProcessState) -> String {
    match p {
        ProcessState::Running => "running",
        ProcessState::Crashed => "crashed",
        ProcessState::Stopped => "shut down",
        ProcessState::Paused => "paused",
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Command, Engine, Produce, ViewOptions};
    use crate::page::tests::default_engine;

    fn view(engine: &Engine) -> ClusterView {
        engine.view(ViewOptions::default())
    }

    /// The default scenario run to `t_ms` after `act` at 5 s.
    fn branch(act: Option<Command>, t_ms: u64) -> Engine {
        let mut engine = default_engine();
        engine.advance_to(5_000, u64::MAX).expect("runs");
        if let Some(c) = act {
            engine.apply(c).expect("a valid command");
        }
        engine.advance_to(t_ms, u64::MAX).expect("runs");
        engine
    }

    #[test]
    fn the_same_branch_at_the_same_time_has_no_difference() {
        assert!(differences(&view(&branch(None, 20_000)), &view(&branch(None, 20_000))).is_empty());
    }

    #[test]
    fn a_crashed_leader_in_one_branch_shows_its_process_new_leaders_and_shrunk_isrs() {
        let quiet = branch(None, 30_000);
        let leader = view(&quiet).partitions[0].leader.expect("a leader");
        let crashed = branch(Some(Command::CrashBroker { broker: leader }), 30_000);
        let d = differences(&view(&quiet), &view(&crashed));
        let process = d.iter().find(|d| d.what == "process").expect("the broker differs");
        assert_eq!((process.left.as_str(), process.right.as_str()), ("running", "crashed"));
        assert_eq!(process.subject, format!("broker {}", leader.0));
        // The controller fenced it after its session timeout and moved its leaderships
        // (kafka-model §3.2): orders-0's leader and ISR differ.
        let on_p0: Vec<&str> = d.iter().filter(|d| d.subject == "orders-0").map(|d| d.what).collect();
        assert!(on_p0.contains(&"leader") && on_p0.contains(&"ISR"), "{d:?}");
        let isr = d.iter().find(|d| d.subject == "orders-0" && d.what == "ISR").expect("ISR");
        assert!(isr.left.contains(&leader.0.to_string()) && !isr.right.contains(&leader.0.to_string()), "{isr:?}");
    }

    #[test]
    fn records_produced_in_one_branch_only_move_its_high_watermark() {
        let quiet = branch(None, 20_000);
        let produce = Command::Produce(Produce {
            producer: "producer-1".into(),
            topic: "orders".into(),
            key: None,
            value: "what if".into(),
            count: 50,
            partition: Some(1),
        });
        let produced = branch(Some(produce), 20_000);
        let d = differences(&view(&quiet), &view(&produced));
        let hw = d.iter().find(|d| d.subject == "orders-1" && d.what == "high watermark").expect("orders-1's HW");
        let (l, r): (u64, u64) = (hw.left.parse().expect("an offset"), hw.right.parse().expect("an offset"));
        assert_eq!(r, l + 50, "the 50 records committed on the right only");
        assert!(d.iter().all(|d| d.what != "records lost"), "acks=all in a healthy cluster loses nothing: {d:?}");
    }
}
