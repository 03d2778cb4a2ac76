//! kafka-model §3.8 and TC-15 of §9: leadership returns to the preferred replica (`replicas[0]`)
//! through the controller's leader imbalance check, or through `elect_leaders`
//! (`kafka-leader-election.sh`), each answered partition by partition.

#[path = "support/scenario_run.rs"]
mod scenario_run;

use partition_playground::engine::*;
use scenario_run::{b, run};

/// TC-15 with `auto.leader.rebalance.enable=true` (the default): broker 1, the preferred leader of
/// t-0, crashes at 10 s and broker 2 leads once 1 is fenced (t_e). The controller checks at
/// t_e + 300 s: 1 is still down, nothing moves. 1 restarts at 350 s and rejoins the ISR; leadership
/// does not move then, but at the next check, t_e + 600 s: leader 1, leader epoch + 1, ISR unchanged.
/// The producer gets one NOT_LEADER_OR_FOLLOWER and goes on; nothing is lost.
#[test]
fn tc15_leadership_returns_to_the_preferred_replica_at_the_first_check_after_it_rejoins() {
    let run = run("tc15_auto_rebalance");
    let elected_2 =
        run.first_at("2 leads", |k| matches!(k, EventKind::LeaderElected { leader, .. } if *leader == b(2)));
    let checks: Vec<(Millis, u32, u32)> = run
        .events_where(|k| matches!(k, EventKind::LeaderImbalanceChecked { .. }))
        .iter()
        .map(|e| match e.kind {
            EventKind::LeaderImbalanceChecked { imbalanced, elected, .. } => (e.at_ms, imbalanced, elected),
            _ => unreachable!(),
        })
        .collect();
    let interval = 300_000;
    assert_eq!(
        checks,
        vec![(elected_2 + interval, 1, 0), (elected_2 + 2 * interval, 1, 1)],
        "a check 300 s after the imbalance, then every 300 s while imbalanced; none once balanced"
    );
    let rejoined = run
        .first_at("1 back in the ISR", |k| matches!(k, EventKind::IsrExpanded { added, .. } if *added == vec![b(1)]));
    assert!(rejoined > checks[0].0 && rejoined < checks[1].0);
    let back = run.events_where(|k| matches!(k, EventKind::LeaderElected { leader, .. } if *leader == b(1)));
    assert_eq!(back.len(), 1, "leadership moves back once");
    assert_eq!(back[0].at_ms, checks[1].0, "not when 1 rejoins the ISR, at the check after");
    let EventKind::LeaderElected { leader_epoch, isr, unclean, reason, .. } = &back[0].kind else { unreachable!() };
    assert_eq!((*leader_epoch, isr.clone(), *unclean), (2, vec![b(1), b(2), b(3)], false), "epoch + 1, ISR unchanged");
    assert_eq!(*reason, ChangeReason::LeaderImbalanceCheck);
    let p = run.partition("t-0");
    assert_eq!((p.leader, p.leader_epoch, p.isr.clone()), (Some(b(1)), 2, vec![b(1), b(2), b(3)]));
    let retried =
        run.events_where(|k| matches!(k, EventKind::ProduceRetried { error: ErrorCode::NotLeaderOrFollower, .. }));
    assert_eq!(retried.len(), 1, "one NOT_LEADER_OR_FOLLOWER, then the new leader\n{}", run.log());
    let sends = &run.producer("p").sends;
    assert!(sends.iter().all(|s| matches!(s.status, SendStatus::Acknowledged { .. })), "every send acknowledged");
    assert!(
        run.events_where(|k| matches!(k, EventKind::RecordsLost { .. })).is_empty(),
        "a clean election loses nothing"
    );
}

/// TC-15 with `auto.leader.rebalance.enable=false`, and `elect_leaders` answering each partition as
/// Kafka's controller does (`ReplicationControlManager.electLeader`): while broker 1 is down a
/// preferred election for t-0 is PREFERRED_LEADER_NOT_AVAILABLE; t-1 is led by its preferred
/// replica (ELECTION_NOT_NEEDED); an unclean election of a partition with a leader is
/// ELECTION_NOT_NEEDED. Broker 1 back in the ISR, no check ever moves t-0 (leader 2 for 650 s),
/// until `--election-type preferred --all-topic-partitions` does, answering only t-0.
#[test]
fn tc15_without_auto_rebalance_only_elect_leaders_moves_leadership_back() {
    let run = run("tc15_elect_leaders");
    assert!(run.events_where(|k| matches!(k, EventKind::LeaderImbalanceChecked { .. })).is_empty(), "no check runs");
    let answers: Vec<(Millis, String, ElectionType, Option<ErrorCode>)> = run
        .events_where(|k| matches!(k, EventKind::ElectLeadersAnswered { .. }))
        .iter()
        .map(|e| match &e.kind {
            EventKind::ElectLeadersAnswered { partition, election_type, error, .. } => {
                (e.at_ms, format!("t-{}", partition.0), *election_type, *error)
            }
            _ => unreachable!(),
        })
        .collect();
    let preferred = ElectionType::Preferred;
    assert_eq!(
        answers,
        vec![
            (30_000, "t-0".into(), preferred, Some(ErrorCode::PreferredLeaderNotAvailable)),
            (31_000, "t-1".into(), preferred, Some(ErrorCode::ElectionNotNeeded)),
            (32_000, "t-0".into(), ElectionType::Unclean, Some(ErrorCode::ElectionNotNeeded)),
            // Every partition: t-1 needs none and is left out of the answer, as in Kafka.
            (700_000, "t-0".into(), preferred, None),
        ]
    );
    let led_by = |leader: u32| {
        run.events_where(move |k| matches!(k, EventKind::LeaderElected { leader: l, .. } if *l == b(leader)))
    };
    let back = led_by(1);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].at_ms, 700_000, "leader 2 until the command, long after 1 rejoined");
    let EventKind::LeaderElected { reason, leader_epoch, .. } = &back[0].kind else { unreachable!() };
    assert_eq!((reason.clone(), *leader_epoch), (ChangeReason::ElectLeaders(preferred), 2));
    assert_eq!(run.partition("t-0").isr, vec![b(1), b(2), b(3)], "ISR unchanged");
    assert_eq!(run.partition("t-1").leader_epoch, 0, "t-1 untouched");
}

/// An unclean `elect_leaders` for a partition with no leader elects a live replica out of the ISR
/// (kafka-model §4.8, ISR := [leader]); with none alive it is ELIGIBLE_LEADERS_NOT_AVAILABLE.
#[test]
fn an_unclean_election_request_elects_an_out_of_sync_replica_of_an_offline_partition() {
    let text = r#"{
      "format": 1, "seed": 3,
      "cluster": { "brokers": [{ "id": 1 }, { "id": 2 }] },
      "topics": [{ "name": "t", "partitions": 1, "replication.factor": 2, "replica.assignment": [[1, 2]] }],
      "commands": [
        { "at_ms": 1000, "crash_broker": { "broker": 2 } },
        { "at_ms": 20000, "crash_broker": { "broker": 1 } },
        { "at_ms": 40000, "elect_leaders": { "election_type": "unclean", "topic": "t", "partition": 0 } },
        { "at_ms": 41000, "restart_broker": { "broker": 2 } },
        { "at_ms": 60000, "elect_leaders": { "election_type": "unclean" } }
      ],
      "until_ms": 61000 }"#;
    let scenario = partition_playground::scenario::parse(text).expect("valid");
    let mut engine = Engine::new(&scenario).expect("valid");
    engine.advance_to(scenario.until_ms, u64::MAX).expect("progress");
    let kinds: Vec<EventKind> = engine.events_since(0).map(|e| e.kind.clone()).collect();
    let answers: Vec<Option<ErrorCode>> = kinds
        .iter()
        .filter_map(|k| match k {
            EventKind::ElectLeadersAnswered { error, .. } => Some(*error),
            _ => None,
        })
        .collect();
    assert_eq!(answers, vec![Some(ErrorCode::EligibleLeadersNotAvailable), None]);
    let unclean = kinds.iter().find_map(|k| match k {
        EventKind::LeaderElected { leader, isr, unclean: true, reason, .. } => {
            Some((*leader, isr.clone(), reason.clone()))
        }
        _ => None,
    });
    assert_eq!(unclean, Some((b(2), vec![b(2)], ChangeReason::ElectLeaders(ElectionType::Unclean))));
}

/// The settings' rules, each refusal naming its field.
#[test]
fn the_interval_and_the_command_are_checked_with_the_field_named() {
    let with = |config: &str, command: &str| {
        let text = format!(
            r#"{{ "format": 1, "seed": 1, "cluster": {{ "brokers": [{{ "id": 1 }}], "config": {{ {config} }} }},
               "topics": [{{ "name": "t", "partitions": 2, "replication.factor": 1 }}],
               "commands": [{{ "at_ms": 0, "elect_leaders": {{ {command} }} }}] }}"#
        );
        partition_playground::scenario::parse(&text).map(|_| ()).map_err(|e| e.to_string())
    };
    let ok = r#""election_type": "preferred""#;
    assert_eq!(with(r#""leader.imbalance.check.interval.seconds": 1"#, ok), Ok(()));
    let e = with(r#""leader.imbalance.check.interval.seconds": 0"#, ok).unwrap_err();
    assert!(e.contains("leader.imbalance.check.interval.seconds") && e.contains("between 1 and 86400"), "{e}");
    let e = with(r#""auto.leader.rebalance.enable": "yes""#, ok).unwrap_err();
    assert!(e.contains("cluster.config.auto.leader.rebalance.enable"), "{e}");
    let e = with("", r#""election_type": "preferred", "topic": "t""#).unwrap_err();
    assert!(e.contains("elect_leaders.partition") && e.contains("names its partition"), "{e}");
    let e = with("", r#""election_type": "preferred", "topic": "t", "partition": 2"#).unwrap_err();
    assert!(e.contains("elect_leaders.partition") && e.contains("partitions 0 to 1, found 2"), "{e}");
    let e = with("", r#""election_type": "any""#).unwrap_err();
    assert!(e.contains("elect_leaders.election_type"), "{e}");
}
