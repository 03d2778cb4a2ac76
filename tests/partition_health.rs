//! The partition health the view reports (`PartitionView::health`) as brokers of a three-replica
//! topic with `min.insync.replicas=2` go one by one: the page and the runner only read it.

use partition_playground::engine::{BrokerId, Command, Engine, PartitionHealth, ViewOptions};
use partition_playground::scenario;

const SCENARIO: &str = r#"{
  "format": 1,
  "seed": 7,
  "cluster": { "brokers": [{ "id": 1, "rack": "A" }, { "id": 2, "rack": "B" }, { "id": 3, "rack": "C" }] },
  "topics": [{ "name": "t", "partitions": 1, "replication.factor": 3, "config": { "min.insync.replicas": 2 } }],
  "until_ms": 100000
}"#;

fn health(engine: &Engine) -> (PartitionHealth, usize) {
    let view = engine.view(ViewOptions::default());
    let p = &view.partitions[0];
    (p.health, p.isr.len())
}

#[test]
fn health_follows_the_committed_leader_and_isr() {
    let scenario = scenario::parse(SCENARIO).expect("a valid scenario");
    let mut engine = Engine::new(&scenario).expect("within the contract");
    engine.advance_to(1_000, u64::MAX).expect("progress");
    assert_eq!(health(&engine), (PartitionHealth::Healthy, 3));

    // Each crash is followed by the session timeout (9 s), after which the controller fences the
    // broker and takes it out of the ISR (or out of leadership).
    let mut at_ms = 1_000;
    for (broker, expected) in [
        (3, (PartitionHealth::UnderReplicated, 2)),
        (2, (PartitionHealth::UnderMinIsr, 1)),
        // The last ISR member goes: no clean leader, unclean election off, the ISR keeps it.
        (1, (PartitionHealth::Offline, 1)),
    ] {
        engine.apply(Command::CrashBroker { broker: BrokerId(broker) }).expect("a valid command");
        at_ms += 15_000;
        engine.advance_to(at_ms, u64::MAX).expect("progress");
        assert_eq!(health(&engine), expected, "after broker {broker} crashed");
    }

    // The last ISR member comes back: it leads again, alone.
    engine.apply(Command::RestartBroker { broker: BrokerId(1) }).expect("a valid command");
    engine.advance_to(at_ms + 15_000, u64::MAX).expect("progress");
    assert_eq!(health(&engine), (PartitionHealth::UnderMinIsr, 1));
}

/// kafka-model §3.4: a running broker's replica of a partition with no leader is a follower with
/// nobody to fetch from. The partition is offline; that replica is not, and the view says so.
#[test]
fn a_running_replica_of_a_leaderless_partition_is_not_offline() {
    let scenario = scenario::parse(SCENARIO).expect("a valid scenario");
    let mut engine = Engine::new(&scenario).expect("within the contract");
    let mut at_ms = 1_000;
    engine.advance_to(at_ms, u64::MAX).expect("progress");
    for broker in [3, 2, 1] {
        engine.apply(Command::CrashBroker { broker: BrokerId(broker) }).expect("a valid command");
        at_ms += 15_000;
        engine.advance_to(at_ms, u64::MAX).expect("progress");
    }
    // Broker 3 left the ISR first: back, it cannot lead (unclean election is off), so nobody leads.
    engine.apply(Command::RestartBroker { broker: BrokerId(3) }).expect("a valid command");
    engine.advance_to(at_ms + 15_000, u64::MAX).expect("progress");
    let view = engine.view(ViewOptions::default());
    let p = &view.partitions[0];
    assert_eq!((p.health, p.leader), (PartitionHealth::Offline, None));
    let roles: Vec<(u32, &str)> = p.replica_states.iter().map(|r| (r.broker.0, r.role.word())).collect();
    assert_eq!(roles, [(1, "offline"), (2, "offline"), (3, "no leader")]);
}
