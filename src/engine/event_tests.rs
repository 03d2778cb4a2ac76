//! The event kinds' severity, subjects and names.

use super::*;
use crate::engine::Severity;

fn elected(unclean: bool) -> EventKind {
    EventKind::LeaderElected {
        partition: PartitionIdx(0),
        leader: BrokerId(2),
        previous: Some(BrokerId(1)),
        leader_epoch: 1,
        isr: vec![BrokerId(2)],
        unclean,
        reason: ChangeReason::BrokerFenced(BrokerId(1)),
    }
}

fn violated(expected: bool) -> EventKind {
    EventKind::InvariantViolated {
        invariant: Invariant::ALL[0],
        partition: Some(PartitionIdx(0)),
        detail: String::new(),
        expected,
    }
}

#[test]
fn severity_says_what_kafka_promises() {
    let b = BrokerId(1);
    let p = PartitionIdx(0);
    let table = [
        (violated(false), Severity::Violation),
        // After an unclean election Kafka promises nothing: a warning, not a broken guarantee.
        (violated(true), Severity::Warning),
        (elected(true), Severity::Warning),
        (elected(false), Severity::Change),
        (EventKind::BrokerCrashed { broker: b }, Severity::Warning),
        (EventKind::BrokerFenced { broker: b, silent_ms: 9_000 }, Severity::Warning),
        (
            EventKind::PartitionOffline {
                partition: p,
                leader_epoch: 1,
                isr: vec![b],
                reason: ChangeReason::BrokerFenced(b),
                unclean_leader_election_enable: false,
                available_out_of_sync: vec![],
            },
            Severity::Warning,
        ),
        (
            EventKind::IsrShrunk {
                partition: p,
                removed: vec![b],
                isr: vec![],
                partition_epoch: 2,
                reason: ChangeReason::AlterPartition(b),
            },
            Severity::Change,
        ),
        (EventKind::IsrExpanded { partition: p, added: vec![b], isr: vec![b], partition_epoch: 3 }, Severity::Change),
        (EventKind::LinkCut { a: NodeId::Controller, b: NodeId::Broker(b) }, Severity::Warning),
        (EventKind::LinkHealed { a: NodeId::Controller, b: NodeId::Broker(b) }, Severity::Info),
        (EventKind::BrokerStarted { broker: b }, Severity::Info),
        (EventKind::TopicCreated { topic: TopicIdx(0) }, Severity::Info),
    ];
    for (kind, expected) in table {
        assert_eq!(kind.severity(), expected, "{kind:?}");
    }
}

#[test]
fn routine_progress_is_info() {
    let acked = EventKind::ProduceAcked {
        producer: ClientIdx(0),
        partition: PartitionIdx(0),
        base_offset: Some(0),
        count: 1,
        acks: Acks::All,
        attempts: 1,
    };
    assert!(acked.is_routine());
    assert!(!acked.is_replication());
    assert_eq!(acked.severity(), Severity::Info);
}

#[test]
fn replication_steps_are_info_and_not_routine_client_traffic() {
    let (b, p) = (BrokerId(1), PartitionIdx(0));
    let steps = [
        EventKind::LeaderAppended {
            broker: b,
            partition: p,
            leader_epoch: 0,
            base_offset: 4,
            count: 1,
            controller: ControllerEpoch::UNKNOWN,
        },
        EventKind::FollowerFetched {
            leader: b,
            follower: BrokerId(2),
            partition: p,
            fetch_offset: 5,
            count: 0,
            high_watermark: 4,
        },
        EventKind::HighWatermarkAdvanced { broker: b, partition: p, from: 4, to: 5, isr: vec![b], caught_up: vec![] },
    ];
    for kind in &steps {
        assert!(kind.is_replication() && !kind.is_routine(), "{kind:?}");
        assert_eq!(kind.severity(), Severity::Info, "{kind:?}");
    }
    // The follower's fetch is about the follower's replica; the others about the leader's.
    assert_eq!(steps[1].subject(), Some(Subject::Replica(BrokerId(2), p)));
    assert_eq!(steps[2].subject(), Some(Subject::Replica(b, p)));
}
