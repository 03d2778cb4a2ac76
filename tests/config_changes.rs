//! Topic config changes reach brokers through the metadata log (kafka-model §2.3.8: brokers learn
//! everything from the records they replicate; a `ConfigRecord` as any other), so a broker cut off
//! from the controller keeps acting on the settings it had.

#[path = "support/scenario_run.rs"]
mod scenario_run;

use partition_playground::engine::*;
use scenario_run::{b, run};

/// RF 2, `min.insync.replicas` 2: broker 2 crashes, the ISR is [1] and the HW stands still (strict
/// min ISR, §3.4), while acks=1 appends go on. Broker 1 is cut off from the controller and fenced;
/// the partition has no leader. `min.insync.replicas` is lowered to 1 while the cut lasts: the stale
/// leader still counts 2, so its HW stays where it was and consumers read nothing new from it. Only
/// after the heal does it learn the change, and its new leadership commits the records.
#[test]
fn s2_3_a_broker_cut_off_from_the_controller_keeps_the_old_min_insync_replicas() {
    let run = run("s2_3_config_change_reaches_brokers_through_metadata");
    let hw: Vec<(u64, Offset)> = run
        .events
        .iter()
        .filter_map(|(e, _)| match e.kind {
            EventKind::HighWatermarkAdvanced { broker, to, .. } if broker == b(1) => Some((e.at_ms, to)),
            _ => None,
        })
        .collect();
    let changed = run.events.iter().find(|(e, _)| matches!(e.kind, EventKind::ConfigChanged { .. })).expect("changed");
    let healed = run.events.iter().find(|(e, _)| matches!(e.kind, EventKind::LinkHealed { .. })).expect("healed");
    assert_eq!((changed.0.at_ms, healed.0.at_ms), (40_000, 60_000));
    assert!(hw.iter().all(|(at, _)| *at > healed.0.at_ms), "no HW advance while cut off: {hw:?}");
    assert_eq!(hw.last().map(|h| h.1), Some(4), "committed once it learned the change and leads again");
    assert_eq!(run.replica("t-0", 1).high_watermark, 4);
}
