//! The partition probe (issue 12, "Seeing the protocol"): what it records of the messages, the HW
//! and the truncations of one partition, within its bounds, and that switching it on changes no
//! outcome (every scenario of `tests/scenarios/` reaches the same state hash with it on).

use partition_playground::engine::*;
use partition_playground::scenario;

#[path = "support/scenario_run.rs"]
mod scenario_run;

fn scenario_file(path: &str) -> Scenario {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect(path);
    scenario::parse(&text).expect("valid")
}

fn default_engine() -> Engine {
    Engine::new(&scenario_file("www/scenarios/default.json")).expect("valid")
}

fn produce(count: u32, partition: u32) -> Command {
    Command::Produce(Produce {
        producer: "producer-1".into(),
        topic: "orders".into(),
        key: None,
        value: "v".into(),
        count,
        partition: Some(partition),
    })
}

fn leader_hw(e: &Engine, name: &str) -> Offset {
    let view = e.view(ViewOptions::default());
    let p = view.partitions.iter().find(|p| p.name == name).expect("partition");
    p.replica_states.iter().find(|r| Some(r.broker) == p.leader).expect("leader replica").high_watermark
}

// kafka-model §3.3, §3.6, §5.4: an acks=all produce is answered once the followers' fetches moved
// the HW past it; the probe holds the produce, the fetches and the response carrying the new HW.
#[test]
fn an_acks_all_produce_shows_the_follower_fetches_that_move_the_high_watermark() {
    let mut e = default_engine();
    e.advance_to(1_000, u64::MAX).expect("runs");
    e.set_trace(Some(PartitionIdx(0)));
    e.apply(produce(5, 0)).expect("a valid produce");
    e.advance_to(2_000, u64::MAX).expect("runs");
    let hw = leader_hw(&e, "orders-0");
    assert_eq!(hw, 5, "the five records are committed");
    let trace = e.trace().expect("on");
    let arrows: Vec<&TraceArrow> = trace.arrows.iter().collect();
    let produce_at = arrows
        .iter()
        .position(|a| matches!(a.message, TraceMessage::Produce { acks: Acks::All, records: 5 }))
        .expect("the produce request");
    let fetched_past = arrows.iter().any(|a| {
        matches!(a.message, TraceMessage::Fetch { follower: true, fetch_offset: 5 })
            && a.to == NodeId::Broker(BrokerId(1))
    });
    assert!(fetched_past, "a follower fetched from leader 1 at offset 5 (after the records)");
    let hw_answer = arrows.iter().position(|a| {
        matches!(
            a.message,
            TraceMessage::FetchResponse { follower: true, answer: FetchAnswer::Records { high_watermark: 5, .. } }
        )
    });
    assert!(hw_answer.is_some_and(|i| i > produce_at), "a fetch response carries the new HW 5");
    let answer = arrows.iter().find_map(|a| match a.message {
        TraceMessage::ProduceResponse { result, latency_ms } => Some((result, latency_ms, a.sent_ms)),
        _ => None,
    });
    let (result, latency_ms, _) = answer.expect("the produce response");
    assert_eq!(result, Ok(0));
    assert!(latency_ms.is_some_and(|l| l >= 2), "its round trip: {latency_ms:?}");
    assert_eq!(trace.produces.back().map(|o| o.error), Some(None));
    // Samples: the HW went from 0 to 5.
    let last = trace.samples.back().expect("samples");
    assert_eq!((last.high_watermark, last.isr_size, last.min_insync_replicas), (5, 3, 2));
    assert_eq!(last.log_end_offsets, vec![(BrokerId(1), 5), (BrokerId(2), 5), (BrokerId(3), 5)]);
    for s in &trace.samples {
        let leader_leo = s.log_end_offsets.iter().find(|(b, _)| Some(*b) == s.leader).map(|(_, leo)| *leo);
        assert!(leader_leo.is_some_and(|leo| s.high_watermark <= leo), "the HW never passes the leader's LEO");
    }
    assert!(trace.samples.iter().any(|s| s.high_watermark == 0), "the HW before the fetches moved it");
}

// kafka-model §4.8, §3.6: after an unclean election the old replicas truncate to the new leader's
// log when they come back; the probe marks each truncation, and the metadata push of the new epoch.
#[test]
fn a_truncation_after_an_unclean_election_is_marked() {
    let scenario = scenario_file("tests/scenarios/s7_3_unclean_election.json");
    let mut e = Engine::new(&scenario).expect("valid");
    e.set_trace(Some(PartitionIdx(0)));
    e.advance_to(scenario.until_ms, u64::MAX).expect("runs");
    let trace = e.trace().expect("on");
    let marks: Vec<(u32, Offset, Offset)> = trace.truncations.iter().map(|t| (t.broker.0, t.from, t.to)).collect();
    assert_eq!(marks, vec![(2, 10, 5), (1, 15, 5)]);
    assert_eq!(trace.truncations[0].at_ms, 70_014);
    let pushed = trace
        .arrows
        .iter()
        .any(|a| matches!(a.message, TraceMessage::Metadata { leader: Some(BrokerId(3)), leader_epoch: 2, .. }));
    assert!(pushed, "the partition change of epoch 2 reached the brokers");
    let diverging = trace.arrows.iter().any(|a| {
        matches!(a.message, TraceMessage::FetchResponse { answer: FetchAnswer::Diverging { end_offset: 5 }, .. })
    });
    assert!(diverging, "the divergingEpoch answers that caused them");
    let epochs: Vec<LeaderEpoch> = trace.samples.iter().map(|s| s.leader_epoch).collect();
    assert!(epochs.windows(2).all(|w| w[0] <= w[1]) && epochs.last() == Some(&2), "{epochs:?}");
}

// Bounds (ARCHITECTURE.md): a long busy run keeps at most what LIMITS says.
#[test]
fn a_long_run_keeps_the_probe_within_its_bounds() {
    let mut e = default_engine();
    e.set_trace(Some(PartitionIdx(1)));
    for i in 0..400u64 {
        e.apply(produce(3, 1)).expect("a valid produce");
        e.advance_to(250 * (i + 1), u64::MAX).expect("runs");
    }
    let trace = e.trace().expect("on");
    assert_eq!(trace.arrows.len(), LIMITS.trace_arrows_kept);
    assert!(trace.samples.len() <= LIMITS.trace_samples_kept);
    assert!(trace.produces.len() <= LIMITS.trace_samples_kept);
    assert_eq!(trace.samples.back().map(|s| s.high_watermark), Some(1_200));
    let oldest = trace.arrows.front().expect("arrows").delivered_ms;
    assert!(oldest > 10_000, "the oldest arrows went first: {oldest}");
}

// The probe observes only: every scenario reaches the same state hash with it on as without, and
// a past window rebuilt from a seek (`run_traced`) is the one the live probe saw.
#[test]
fn the_probe_changes_no_outcome_and_a_replayed_window_matches_the_live_one() {
    let files = scenario_run::scenario_files();
    assert!(files.len() > 40);
    for (name, scenario) in files {
        let mut plain = Engine::new(&scenario).expect("valid");
        plain.advance_to(scenario.until_ms, u64::MAX).expect("runs");
        let mut probed = Engine::new(&scenario).expect("valid");
        probed.set_trace(Some(PartitionIdx(0)));
        probed.advance_to(scenario.until_ms, u64::MAX).expect("runs");
        assert_eq!(probed.state_hash(), plain.state_hash(), "{name}");
        assert_eq!(probed.steps(), plain.steps(), "{name}");
    }

    // A window of the past: seek to its start, run to its end with the probe on.
    let mut live = default_engine();
    let mut timeline =
        Timeline::with_bounds(&scenario_file("www/scenarios/default.json"), 200, Timeline::BYTES_MAX).expect("valid");
    live.set_trace(Some(PartitionIdx(0)));
    for i in 0..20u64 {
        live.advance_to(100 * i, u64::MAX).expect("runs");
        live.apply(produce(2, 0)).expect("a valid produce");
        timeline.observe(&live);
    }
    live.advance_to(2_500, u64::MAX).expect("runs");
    let session = live.session().to_vec();
    let mut past = timeline.seek(&session, 1_000).expect("seeks");
    past.run_traced(PartitionIdx(0), &session, 2_500).expect("replays");
    assert_eq!(past.state_hash(), live.state_hash());
    let window: Vec<&TraceArrow> = live.trace().expect("on").arrows.iter().filter(|a| a.sent_ms > 1_000).collect();
    let replayed: Vec<&TraceArrow> = past.trace().expect("on").arrows.iter().filter(|a| a.sent_ms > 1_000).collect();
    assert!(window.len() > 20);
    assert_eq!(window, replayed);
}
