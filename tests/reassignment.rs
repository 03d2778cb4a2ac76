//! Adding brokers and reassigning partitions (kafka-model §2.3, §3.1, §3.2, §4; KIP-455,
//! `kafka-reassign-partitions.sh`): a broker joins a running cluster and nothing moves to it; a
//! reassignment adds the target's replicas, which catch up and join the ISR, then the controller
//! completes it (replicas = target, the removed replicas stop and delete their logs, a leader not in
//! the target hands over with a new leader epoch); a cancel reverts it; bad requests get Kafka's
//! per-partition errors.

#[path = "support/scenario_run.rs"]
mod scenario_run;

use partition_playground::engine::*;
use scenario_run::{b, run, run_until, Run};

impl Run {
    fn holds_replica(&self, partition: &str, broker: u32) -> bool {
        self.partition(partition).replica_states.iter().any(|r| r.broker == b(broker))
    }
}

fn ids(list: &[u32]) -> Vec<BrokerId> {
    list.iter().map(|i| b(*i)).collect()
}

/// Broker 4 (rack A) joins at 5 s: it registers, starts fenced and is unfenced once it has caught
/// up on metadata (kafka-model §2.3.2). Until the reassignment at 20 s no replica moves to it:
/// t-0 stays on [1, 2, 3] and broker 4 holds nothing.
#[test]
fn a_new_broker_registers_fenced_is_unfenced_and_gets_no_replica_on_its_own() {
    let run = run_until("reassign_add_broker_leader_move", Some(19_000));
    let added =
        run.first_at("broker 4 added", |k| matches!(k, EventKind::BrokerAdded { broker, .. } if *broker == b(4)));
    let registered =
        run.first_at("registered", |k| matches!(k, EventKind::BrokerRegistered { broker, .. } if *broker == b(4)));
    let unfenced = run.first_at("unfenced", |k| matches!(k, EventKind::BrokerUnfenced { broker } if *broker == b(4)));
    assert!(added == 5_000 && added < registered && registered < unfenced, "{}", run.log());
    let p = run.partition("t-0");
    assert_eq!(p.replicas, ids(&[1, 2, 3]), "nothing moves to a new broker on its own");
    assert!(!run.holds_replica("t-0", 4));
    let broker = run.view.brokers.iter().find(|x| x.id == b(4)).expect("broker 4 in the view");
    assert_eq!(broker.rack, "A");
}

/// While the reassignment runs (just after 20 s), the partition record carries it: replicas are
/// the target then the removing replicas ([4, 2, 3, 1]), adding [4], removing [1]; the leader, 1,
/// stays and broker 4 fetches from it.
#[test]
fn a_running_reassignment_holds_the_target_and_the_current_replicas() {
    let run = run_until("reassign_add_broker_leader_move", Some(20_005));
    let p = run.partition("t-0");
    assert_eq!(p.replicas, ids(&[4, 2, 3, 1]));
    assert_eq!((p.adding_replicas.clone(), p.removing_replicas.clone()), (ids(&[4]), ids(&[1])));
    assert_eq!((p.leader, p.leader_epoch), (Some(b(1)), 0), "starting a reassignment moves no leadership");
    assert!(run.holds_replica("t-0", 4), "the adding replica exists and fetches");
}

/// The whole story: broker 4 catches up, joins the ISR, and the AlterPartition that adds it
/// completes the reassignment: replicas [4, 2, 3], the leader (1) is not in the target, so 4 (the
/// first of the target in the ISR) is elected with leader epoch 1, and broker 1 stops its replica
/// and deletes its log. Nothing acknowledged is lost; the producer retries once
/// (NOT_LEADER_OR_FOLLOWER) and the consumer reads all ten records. The preferred leader is now 4.
#[test]
fn reassigning_onto_the_new_broker_moves_the_leader_and_deletes_the_removed_replica() {
    let run = run("reassign_add_broker_leader_move");
    let started = run.events_where(|k| matches!(k, EventKind::ReassignmentStarted { .. }));
    let EventKind::ReassignmentStarted { target, adding, removing, .. } = &started[0].kind else { unreachable!() };
    assert_eq!((target.clone(), adding.clone(), removing.clone()), (ids(&[4, 2, 3]), ids(&[4]), ids(&[1])));
    let completed = run.events_where(|k| matches!(k, EventKind::ReassignmentCompleted { .. }));
    assert_eq!(completed.len(), 1, "{}", run.log());
    let EventKind::ReassignmentCompleted { replicas, removed, leader, .. } = &completed[0].kind else { unreachable!() };
    assert_eq!((replicas.clone(), removed.clone(), *leader), (ids(&[4, 2, 3]), ids(&[1]), Some(b(4))));
    let elected = run.events_where(|k| matches!(k, EventKind::LeaderElected { leader, .. } if *leader == b(4)));
    let EventKind::LeaderElected { leader_epoch, previous, reason, .. } = &elected[0].kind else { unreachable!() };
    assert_eq!((*leader_epoch, *previous, reason.clone()), (1, Some(b(1)), ChangeReason::AlterPartition(b(1))));
    assert_eq!(elected[0].at_ms, completed[0].at_ms, "the same record completes and elects");
    let deleted = run.first_at(
        "1 deletes its replica",
        |k| matches!(k, EventKind::ReplicaDeleted { broker, .. } if *broker == b(1)),
    );
    assert!(deleted >= completed[0].at_ms);
    let p = run.partition("t-0");
    assert_eq!((p.replicas.clone(), p.isr.clone(), p.leader), (ids(&[4, 2, 3]), ids(&[4, 2, 3]), Some(b(4))));
    assert!(p.adding_replicas.is_empty() && p.removing_replicas.is_empty());
    assert_eq!(p.replicas[0], b(4), "the preferred leader (kafka-model §3.8) is the target's first");
    assert!(!run.holds_replica("t-0", 1));
    let r4 = run.replica("t-0", 4);
    assert_eq!((r4.log_end_offset, r4.high_watermark), (10, 10));
    let sends = &run.producer("p").sends;
    assert!(sends.iter().all(|s| matches!(s.status, SendStatus::Acknowledged { .. })), "{}", run.log());
    assert!(
        run.events_where(|k| matches!(k, EventKind::RecordsLost { .. })).is_empty(),
        "a deleted replica is no loss"
    );
    let consumed = &run.view.consumers[0];
    assert_eq!(consumed.received_total, 10);
}

/// `--cancel`: broker 4 (stalled, so never in sync) was being added to t-0 = [1, 2] with target
/// [4, 2]. The cancel reverts to Kafka's original replicas (`PartitionReassignmentRevert`: the
/// target's others in its order, then the removing: [2, 1]); a replica left the list, so the leader
/// epoch goes up (`triggerLeaderEpochBumpForReplicaReassignmentIfNeeded`) with leader 1 kept, and
/// broker 4 deletes its empty replica.
#[test]
fn a_cancel_reverts_to_the_original_replicas_and_the_adding_replica_deletes_its_log() {
    let run = run("reassign_cancel");
    assert!(run.events_where(|k| matches!(k, EventKind::ReassignmentCompleted { .. })).is_empty());
    let cancelled = run.events_where(|k| matches!(k, EventKind::ReassignmentCancelled { .. }));
    let EventKind::ReassignmentCancelled { replicas, removed, .. } = &cancelled[0].kind else { unreachable!() };
    assert_eq!((cancelled[0].at_ms, replicas.clone(), removed.clone()), (10_000, ids(&[2, 1]), ids(&[4])));
    run.first_at("4 deletes its replica", |k| matches!(k, EventKind::ReplicaDeleted { broker, .. } if *broker == b(4)));
    let p = run.partition("t-0");
    assert_eq!((p.replicas.clone(), p.leader, p.leader_epoch), (ids(&[2, 1]), Some(b(1)), 1));
    assert!(!run.holds_replica("t-0", 4));
    let sends = &run.producer("p").sends;
    assert!(sends.iter().all(|s| matches!(s.status, SendStatus::Acknowledged { .. })), "{}", run.log());
}

/// Bad requests get the controller's per-partition answers and change nothing: a broker twice
/// and an empty list are INVALID_REPLICA_ASSIGNMENT; a cancel with nothing running is
/// NO_REASSIGNMENT_IN_PROGRESS; a broker added in the same millisecond has not registered yet
/// (INVALID_REPLICA_ASSIGNMENT, "no such broker is registered"). A reordering the ISR already
/// covers completes at once: replicas [2, 1], leader 1 kept and epoch unchanged (no replica left).
#[test]
fn bad_requests_get_kafkas_errors_and_a_covered_target_completes_at_once() {
    let run = run("reassign_bad_requests");
    let answers: Vec<(Millis, ReassignmentRefusal)> = run
        .events
        .iter()
        .filter_map(|(e, _)| match e.kind {
            EventKind::ReassignmentRefused { refusal, .. } => Some((e.at_ms, refusal)),
            _ => None,
        })
        .collect();
    assert_eq!(
        answers,
        vec![
            (1_000, ReassignmentRefusal::Duplicate(b(2))),
            (2_000, ReassignmentRefusal::EmptyList),
            (3_000, ReassignmentRefusal::NoReassignmentInProgress),
            (4_000, ReassignmentRefusal::NotRegistered(b(7))),
        ]
    );
    let errors: Vec<ErrorCode> = answers.iter().map(|(_, r)| r.error()).collect();
    let invalid = ErrorCode::InvalidReplicaAssignment;
    assert_eq!(errors, vec![invalid, invalid, ErrorCode::NoReassignmentInProgress, invalid]);
    let completed = run.first_at("completed", |k| matches!(k, EventKind::ReassignmentCompleted { .. }));
    assert_eq!(completed, 6_000);
    let p = run.partition("t-0");
    assert_eq!((p.replicas.clone(), p.leader, p.leader_epoch), (ids(&[2, 1]), Some(b(1)), 0));
}

/// The input's bounds, refused before anything happens, each naming its field.
#[test]
fn add_broker_and_reassign_partitions_refuse_what_is_out_of_bounds() {
    let text =
        std::fs::read_to_string(format!("{}/tests/scenarios/reassign_bad_requests.json", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    let scenario = partition_playground::scenario::parse(&text).unwrap();
    let mut engine = Engine::new(&scenario).unwrap();
    let refused = |engine: &mut Engine, c: Command| engine.apply(c).expect_err("refused");
    let add = |id: u32| Command::AddBroker { broker: b(id), rack: String::new() };
    let e = refused(&mut engine, add(2));
    assert_eq!((e.field.as_str(), e.reason.as_str()), ("broker", "broker 2 is already in the cluster"));
    let e = refused(&mut engine, add(LIMITS.broker_id_max + 1));
    assert_eq!(e.field, "broker");
    let e = refused(&mut engine, Command::AddBroker { broker: b(9), rack: "x".repeat(10_000) });
    assert_eq!(e.field, "rack");
    let reassign = |topic: &str, partition: u32, replicas: Option<Vec<BrokerId>>| {
        Command::ReassignPartitions(ReassignPartitions { topic: topic.into(), partition, replicas })
    };
    assert_eq!(refused(&mut engine, reassign("nope", 0, None)).field, "topic");
    assert_eq!(refused(&mut engine, reassign("t", 1, None)).field, "partition");
    let too_long = vec![b(1); LIMITS.brokers_max + 1];
    assert_eq!(refused(&mut engine, reassign("t", 0, Some(too_long))).field, "replicas");
    assert_eq!(refused(&mut engine, reassign("t", 0, Some(vec![b(LIMITS.broker_id_max + 1)]))).field, "replicas[0]");
    assert!(engine.session().is_empty(), "a refusal changes nothing");
    engine.apply(add(9)).expect("a new id");
    engine.apply(reassign("t", 0, Some(ids(&[9, 1])))).expect("the controller answers it");
}

/// The cluster's size bound holds for added brokers: a cluster of `brokers_max` takes no more.
#[test]
fn a_full_cluster_takes_no_more_brokers() {
    let brokers: Vec<String> = (1..=LIMITS.brokers_max).map(|i| format!("{{\"id\": {i}}}")).collect();
    let text = format!("{{\"format\": 1, \"seed\": 1, \"cluster\": {{\"brokers\": [{}]}}}}", brokers.join(","));
    let scenario = partition_playground::scenario::parse(&text).unwrap();
    let mut engine = Engine::new(&scenario).unwrap();
    let next = LIMITS.brokers_max as u32 + 1;
    let e = engine.apply(Command::AddBroker { broker: b(next), rack: String::new() }).expect_err("full");
    assert_eq!(e.field, "broker");
    assert!(e.reason.contains("at most 256 brokers"), "{}", e.reason);
}
