//! Eligible Leader Replicas (kafka-model §4.9, §9 TC-10, with TC-08 as the contrast) and power loss
//! (§3.9, the "last replica standing" of §8.4), as scenario files in `tests/scenarios/` and the
//! outcomes Kafka prescribes. A kill -9 leaves no clean-shutdown file, so Kafka treats it as an
//! unclean shutdown too: TC-10's "clean process exits" are controlled shutdowns here.

#[path = "support/scenario_run.rs"]
mod scenario_run;

use partition_playground::engine::*;
use scenario_run::{b, run, Run};

fn ids(list: &[u32]) -> Vec<BrokerId> {
    list.iter().map(|i| b(*i)).collect()
}

/// An ELR change: (ISR, ELR, last known ELR, how a leader came from them).
type ElrChange = (Vec<BrokerId>, Vec<BrokerId>, Vec<BrokerId>, ElrElection);

impl Run {
    /// Every ELR change of `t-0`.
    fn elr_changes(&self) -> Vec<ElrChange> {
        let changes = self.events.iter().filter_map(|(e, _)| match &e.kind {
            EventKind::ElrChanged { isr, elr, last_known_elr, elected, .. } => {
                Some((isr.clone(), elr.clone(), last_known_elr.clone(), *elected))
            }
            _ => None,
        });
        changes.collect()
    }

    /// Every election of `t-0`: when, and who.
    fn elected_at(&self) -> Vec<(u64, BrokerId)> {
        let elections = self.events.iter().filter_map(|(e, _)| match &e.kind {
            EventKind::LeaderElected { leader, .. } => Some((e.at_ms, *leader)),
            _ => None,
        });
        elections.collect()
    }

    fn elected(&self) -> Vec<(BrokerId, bool)> {
        let elections = self.events.iter().filter_map(|(e, _)| match &e.kind {
            EventKind::LeaderElected { leader, unclean, .. } => Some((*leader, *unclean)),
            _ => None,
        });
        elections.collect()
    }
}

#[test]
fn tc10_with_elr_a_clean_election_follows_the_loss_of_the_whole_isr() {
    let run = run("tc10_elr_clean_election");
    let none = ElrElection::None;
    assert_eq!(
        run.elr_changes(),
        vec![
            // 3 leaves: ISR {1,2} still meets min ISR 2, no ELR. 2 leaves: ISR {1}, ELR {2}.
            (ids(&[1]), ids(&[2]), ids(&[]), none),
            // 1 leaves: ISR {}, ELR {1,2}, lastKnownElr [1], no leader.
            (ids(&[]), ids(&[1, 2]), ids(&[1]), none),
            // 2 is unfenced and elected from the ELR: ISR {2}, ELR {1}.
            (ids(&[2]), ids(&[1]), ids(&[]), ElrElection::FromElr(b(2))),
        ]
    );
    assert_eq!(run.elected(), vec![(b(2), false)], "a clean election");
    let p = run.partition("t-0");
    assert_eq!((p.leader, p.isr.clone(), p.elr.clone()), (Some(b(2)), ids(&[2]), ids(&[1])));
    assert_eq!(run.replica("t-0", 2).log_end_offset, 20, "all committed records present");
    assert!(run.view.safety.losses.is_empty());
    // Broker 1 is the last active broker when it shuts down: nobody else can send clients to it.
    let granted: Vec<_> = run
        .events
        .iter()
        .filter_map(|(e, _)| match e.kind {
            EventKind::ControlledShutdownGranted { broker, lowest_active_offset, .. } => {
                Some((broker, lowest_active_offset))
            }
            _ => None,
        })
        .collect();
    assert_eq!(granted, vec![(b(1), None)]);
    // ISR {2} is below min ISR 2: acks=all is refused until a second member returns.
    let p = run.producer("p");
    assert_eq!((p.acked_records, p.pending_records), (20, 1));
    assert!(run
        .events
        .iter()
        .any(|(e, _)| matches!(e.kind, EventKind::ProduceRetried { error: ErrorCode::NotEnoughReplicas, .. })));
}

#[test]
fn tc10_a_broker_back_from_a_power_loss_leaves_the_elr_and_is_not_elected() {
    let run = run("tc10_elr_power_loss_not_elected");
    let detected = run.events.iter().find_map(|(e, _)| match &e.kind {
        EventKind::UncleanShutdownDetected { broker, partitions } => Some((*broker, partitions.len())),
        _ => None,
    });
    assert_eq!(detected, Some((b(2), 1)), "2 registers without PreviousBrokerEpoch");
    let changes = run.elr_changes();
    assert_eq!(changes[1], (ids(&[]), ids(&[1, 2]), ids(&[1]), ElrElection::None));
    assert_eq!(changes[2], (ids(&[]), ids(&[1]), ids(&[1]), ElrElection::None), "2 out of the ELR");
    // 2 runs from 31 s but the partition waits for 1, which shut down cleanly and leads again.
    let elected = run.elected_at();
    assert_eq!(elected.len(), 1);
    assert!(elected[0].0 >= 50_000 && elected[0].1 == b(1), "{elected:?}");
    assert_eq!(changes[3].3, ElrElection::FromElr(b(1)));
    assert!(run.view.safety.losses.is_empty());
}

#[test]
fn tc10_contrast_without_elr_the_partition_waits_for_its_last_isr_member() {
    let run = run("tc10_elr_off_contrast");
    assert!(run.elr_changes().is_empty(), "eligible.leader.replicas.version=0: no ELR");
    let offline = run.events.iter().find_map(|(e, _)| match &e.kind {
        EventKind::PartitionOffline { isr, .. } => Some(isr.clone()),
        _ => None,
    });
    assert_eq!(offline, Some(ids(&[1])), "the last member stays in the ISR, leaderless");
    let elected = run.elected_at();
    assert_eq!(elected.len(), 1, "2 runs from 21 s and is not elected");
    assert!(elected[0].0 >= 40_000 && elected[0].1 == b(1));
}

#[test]
fn s3_9_the_last_replica_standing_loses_acknowledged_records_in_a_power_loss() {
    let run = run("s3_9_power_loss_last_replica_standing");
    let lost = run.events.iter().find_map(|(e, _)| match e.kind {
        EventKind::UnflushedSuffixLost { broker, from, to, flushed_before_ms, .. } => {
            Some((broker, from, to, flushed_before_ms))
        }
        _ => None,
    });
    // Power off at 40 s: the 20 records of 1 s were written back (30 s old at the 40 s pass), the
    // 5 of 37 s were not.
    assert_eq!(lost, Some((b(1), 20, 25, 10_000)));
    assert_eq!(run.replica("t-0", 1).power_lost, Some((20, 25)), "the view shows the lost suffix");
    // Without ELR, 1 is still the ISR and is elected when it returns: the committed 20..24 are lost.
    assert_eq!(run.elected(), vec![(b(1), false)]);
    let loss = &run.view.safety.losses[0];
    assert_eq!((loss.first_offset, loss.last_offset, loss.acks), (20, 24, Acks::All));
    assert!(!loss.unexpected, "a power loss beyond what replication tolerates, not an engine bug");
    assert!(loss.cause.contains("last replica standing"), "{}", loss.cause);
    assert_eq!(run.replica("t-0", 2).log_end_offset, 20, "2 and 3 truncate to the new leader's log");
}

/// kafka-model §2.3.1, §3.9, §4.9: ELR on, ISR [3, 2] after broker 1's disk stalls. Broker 3
/// (leader) pauses; broker 2 loses power with offset 1 still in its page cache and restarts at
/// once. Its new registration is refused (DUPLICATE_BROKER_REGISTRATION: the old session is still
/// valid), yet it already acts on the metadata it replicates. When broker 3 is fenced the
/// controller, not knowing of 2's unclean shutdown, elects 2 from the ISR: the committed offset 1
/// is gone from the leader. A loss outside KIP-966's tolerance, reported and classified; only
/// afterwards does 2's registration say "unclean shutdown" and take it out of the ELR.
#[test]
fn s3_9_a_broker_restarted_within_its_session_is_elected_before_its_unclean_shutdown_is_known() {
    let run = run("s3_9_power_loss_restart_within_session");
    let at = |f: &dyn Fn(&EventKind) -> bool| run.events.iter().find(|(e, _)| f(&e.kind)).map(|(e, _)| e.at_ms);
    let refused = at(&|k| matches!(k, EventKind::RegistrationRejected { broker, .. } if *broker == b(2)));
    let elected = run.elected_at();
    let unclean = at(&|k| matches!(k, EventKind::UncleanShutdownDetected { broker, .. } if *broker == b(2)));
    let (refused, unclean) = (refused.expect("a refused registration"), unclean.expect("detected"));
    assert_eq!(elected[0].1, b(2), "{elected:?}");
    assert!(
        refused < elected[0].0 && elected[0].0 < unclean,
        "refused {refused}, elected {elected:?}, detected {unclean}"
    );
    let loss = &run.view.safety.losses[0];
    assert_eq!((loss.first_offset, loss.last_offset, loss.acks), (1, 1, Acks::All));
    assert!(!loss.unexpected, "Kafka's window, not an engine bug: {}", loss.cause);
    assert!(loss.cause.contains("before the controller learned of its unclean shutdown"), "{}", loss.cause);
    assert_eq!(run.view.safety.losses.len(), 1);
}

fn tc10_scenario() -> Scenario {
    let path = format!("{}/tests/scenarios/tc10_elr_clean_election.json", env!("CARGO_MANIFEST_DIR"));
    partition_playground::scenario::parse(&std::fs::read_to_string(path).expect("the file")).expect("valid")
}

#[test]
fn the_elr_feature_is_written_back_to_json_only_when_on() {
    let scenario = tc10_scenario();
    assert_eq!(scenario.cluster.features.eligible_leader_replicas_version, 1);
    let json = scenario.to_json();
    assert!(json.contains("\"eligible.leader.replicas.version\": 1"), "{json}");
    assert_eq!(partition_playground::scenario::parse(&json).expect("its own JSON"), scenario);
    let mut off = scenario.clone();
    off.cluster.features = ClusterFeatures::default();
    assert!(!off.to_json().contains("features"), "the default is left out");
}

/// kafka-model §4.9: changing a topic's `min.insync.replicas` clears its ELR fields.
#[test]
fn changing_min_insync_replicas_clears_the_topics_elr() {
    let mut engine = Engine::new(&tc10_scenario()).expect("valid");
    engine.advance_to(15_000, u64::MAX).expect("progress");
    let p = &engine.view(ViewOptions::default()).partitions[0];
    assert_eq!((p.isr.clone(), p.elr.clone(), p.last_known_elr.clone()), (ids(&[]), ids(&[1, 2]), ids(&[1])));
    let change = ChangeConfig::Topic {
        topic: "t".into(),
        config: TopicConfig { min_insync_replicas: Some(1), ..TopicConfig::default() },
    };
    engine.apply(Command::ChangeConfig(change)).expect("a valid change");
    let p = &engine.view(ViewOptions::default()).partitions[0];
    assert_eq!((p.elr.clone(), p.last_known_elr.clone()), (ids(&[]), ids(&[])));
    let cleared = engine.events_since(0).any(
        |e| matches!(&e.kind, EventKind::ElrChanged { reason: ChangeReason::MinIsrChanged, elr, .. } if elr.is_empty()),
    );
    assert!(cleared);
    // With the ELR gone, 2's return elects nobody: it was never in the ISR {}.
    engine.advance_to(40_000, u64::MAX).expect("progress");
    assert_eq!(engine.view(ViewOptions::default()).partitions[0].leader, None);
    assert_eq!(engine.unexpected_violations(), 0);
}
