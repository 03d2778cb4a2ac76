//! Property tests: random clusters (Eligible Leader Replicas on or off) and random command sequences
//! with faults (crashes, power losses, controlled shutdowns, cut links, slow replicas, config
//! changes), then healing. For every run:
//! - no panic, and the engine's own §8.5 checks (run after every step) find no violation Kafka
//!   rules out;
//! - in safe configurations (acks=all, RF 3, min.insync.replicas 2, unclean election off) no
//!   acknowledged record is lost unless a power loss took it: replication, not fsync, protects
//!   committed data, and Kafka survives at most min.insync.replicas - 1 lossy crashes with ELR (and,
//!   without it, not even one of the last ISR member: the "last replica standing", kafka-model §8.4).
//!   Such a loss must be classified (reported, not unexpected) in a partition a power loss cut;
//! - in any configuration, an acknowledged record missing from the healed cluster was reported lost
//!   (loss is never silent);
//! - the consumer (`auto.offset.reset` earliest, latest or none, random seeks) reads each partition
//!   on from where its position is: never an offset twice and never past one without a seek, a
//!   reset or a validation that says so (kafka-model §6.3), and nothing while its position awaits a
//!   reset or a validation, or after `poll` threw.
//! - an idempotent producer's acknowledged batches of a partition sit in the log in the order they
//!   were sent, whatever its `max.in.flight.requests.per.connection` (1 to 5 here, kafka-model
//!   §5.2, §5.6), unless a reported loss took records of that partition.
//!
//! `PP_PROPTEST_CASES` sets the number of runs (default 1,000; the long run uses 10,000+),
//! `PP_PROPTEST_COMMANDS` the commands per run (default 200) and `PP_PROPTEST_SEED` the sequence
//! (default 0, so runs are reproducible). A failure saves its scenario to
//! `target/tmp/proptest-failure.json` and says how to replay it with the runner.
// proptest is a native dev-dependency (Cargo.toml): these run natively only.
#![cfg(not(target_arch = "wasm32"))]

use partition_playground::engine::ElrElection;
use partition_playground::engine::ErrorCode;
use partition_playground::engine::{ChangeReason, EventKind};
use partition_playground::engine::{ClientIdx, Engine, PartitionIdx, SeekTo, Subject, ViewOptions};
use partition_playground::engine::{ClusterView, SendStatus};
use partition_playground::scenario;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{json, Value};
use std::cell::RefCell;

#[derive(Clone, Debug)]
enum Op {
    Produce {
        producer: u8,
        key: Option<u8>,
        count: u8,
    },
    Crash(u8),
    Restart(u8),
    Shutdown(u8),
    Cut(u8, u8),
    Heal(u8, u8),
    Slow(u8, bool),
    CutOneWay(u8, u8),
    Pause(u8),
    Resume(u8),
    /// Crash the broker right after it next becomes a leader (`when`).
    CrashWhenLeader(u8),
    SetMinIsr(u8),
    SetUnclean(bool),
    /// The consumer seeks a partition: 0 the beginning, 1 the end, else to offset `to - 2`.
    Seek(u8, u8),
    /// `elect_leaders` preferred, for one partition or (`None`) every one (kafka-model §3.8).
    ElectPreferred(Option<u8>),
    /// `elect_leaders` unclean for one partition (kafka-model §4.8; not in safe configurations).
    ElectUnclean(u8),
    /// `power_off_broker`: the machine crashes and the page cache is lost (kafka-model §3.9).
    PowerOff(u8),
    /// `add_broker`: the next id past the cluster's (KIP-455 runs).
    AddBroker,
    /// `reassign_partitions` of a partition to brokers picked among the cluster's (repeats and
    /// brokers added a moment ago included: Kafka's errors then), or a cancel (`None`).
    Reassign(u8, Option<Vec<u8>>),
    /// kill -9 of a controller voter, by index (kafka-model §2.2).
    CrashController(u8),
    RestartController(u8),
    /// A group member (`g0`..`g2`, kafka-model §6.4): 0 joins (a new instance after a crash), 1
    /// leaves, 2 crashes, 3 stops polling, 4 commits.
    Group(u8, u8),
}

#[derive(Clone, Debug)]
struct Case {
    seed: u64,
    brokers: u8,
    racks: u8,
    partitions: u8,
    rf: u8,
    min_isr: u8,
    unclean: bool,
    /// `eligible.leader.replicas.version=1` (kafka-model §4.9).
    elr: bool,
    acks: [&'static str; 2],
    idempotent: [bool; 2],
    auto_offset_reset: &'static str,
    max_in_flight: [u8; 2],
    /// `auto.leader.rebalance.enable` and `leader.imbalance.check.interval.seconds`, when set (the
    /// preferred-leader runs); else Kafka's defaults.
    rebalance: Option<(bool, u64)>,
    /// A controller quorum of this many voters, combined with brokers or not (kafka-model §2.2),
    /// when set; else the lone controller.
    quorum: Option<(u8, bool)>,
    /// `retention.ms`, `retention.bytes` (-1: no limit) and `segment.ms` of the topic: small, so
    /// that retention deletes segments during a run (kafka-model §3.3).
    retention: (i64, i64, u64),
    /// Three consumers in group `g` beside `c` (the group runs, [`group_case`]).
    groups: bool,
    safe: bool,
    ops: Vec<(u64, Op)>,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0..2u8, proptest::option::of(0..6u8), 1..6u8).prop_map(|(producer, key, count)| Op::Produce { producer, key, count }),
        2 => (0..5u8).prop_map(Op::Crash),
        3 => (0..5u8).prop_map(Op::Restart),
        1 => (0..5u8).prop_map(Op::Shutdown),
        1 => (0..8u8, 0..8u8).prop_map(|(a, b)| Op::Cut(a, b)),
        2 => (0..8u8, 0..8u8).prop_map(|(a, b)| Op::Heal(a, b)),
        1 => (0..5u8, any::<bool>()).prop_map(|(b, s)| Op::Slow(b, s)),
        1 => (0..8u8, 0..8u8).prop_map(|(a, b)| Op::CutOneWay(a, b)),
        1 => (0..5u8).prop_map(Op::Pause),
        1 => (0..5u8).prop_map(Op::Resume),
        1 => (0..5u8).prop_map(Op::CrashWhenLeader),
        1 => (1..4u8).prop_map(Op::SetMinIsr),
        1 => any::<bool>().prop_map(Op::SetUnclean),
        1 => (0..3u8, 0..40u8).prop_map(|(p, to)| Op::Seek(p, to)),
    ]
}

fn gap() -> impl Strategy<Value = u64> {
    // Mostly quick succession, sometimes long enough for fencing, lag and request timeouts.
    prop_oneof![6 => 0..2_000u64, 3 => 2_000..12_000u64, 1 => 12_000..45_000u64]
}

fn case(commands: usize) -> impl Strategy<Value = Case> {
    let acks = prop_oneof![Just("0"), Just("1"), Just("all")];
    (
        any::<u64>(),
        3..6u8,
        1..4u8,
        1..4u8,
        1..4u8,
        1..4u8,
        (any::<bool>(), any::<bool>()),
        [acks.clone(), acks],
        [any::<bool>(), any::<bool>()],
        (
            prop_oneof![Just("earliest"), Just("latest"), Just("none")],
            [1..6u8, 1..6u8],
            (prop_oneof![Just(-1i64), 5_000..120_000i64], prop_oneof![Just(-1i64), 50..3_000i64], 500..20_000u64),
        ),
        any::<bool>(),
        proptest::collection::vec((gap(), op()), commands),
    )
        .prop_map(
            |(
                seed,
                brokers,
                racks,
                partitions,
                rf,
                min_isr,
                (unclean, elr),
                acks,
                idempotent,
                (reset, max_in_flight, retention),
                safe,
                ops,
            )| {
                let mut c = Case {
                    seed,
                    brokers,
                    racks,
                    partitions,
                    rf,
                    min_isr,
                    unclean,
                    elr,
                    acks,
                    idempotent,
                    auto_offset_reset: reset,
                    max_in_flight,
                    rebalance: None,
                    quorum: None,
                    retention,
                    groups: false,
                    safe,
                    ops,
                };
                c.rf = c.rf.min(c.brokers);
                c.min_isr = c.min_isr.min(c.rf);
                if c.safe {
                    (c.rf, c.min_isr, c.unclean, c.acks) = (3, 2, false, ["all", "all"]);
                    c.ops.retain(|(_, op)| !matches!(op, Op::SetMinIsr(_) | Op::SetUnclean(_) | Op::ElectUnclean(_)));
                }
                c
            },
        )
}

/// The cases of [`case`] with preferred-leader settings and `elect_leaders` commands mixed in
/// (kafka-model §3.8): kept apart so that the cases of [`case`] stay those its seed always made.
fn rebalance_case(commands: usize) -> impl Strategy<Value = Case> {
    let elect = prop_oneof![
        2 => proptest::option::of(0..3u8).prop_map(Op::ElectPreferred),
        1 => (0..3u8).prop_map(Op::ElectUnclean),
    ];
    let interval = prop_oneof![Just(5u64), Just(30), Just(300)];
    let elects = proptest::collection::vec((any::<proptest::sample::Index>(), elect), 1..12);
    (case(commands), (any::<bool>(), interval), elects).prop_map(|(mut c, rebalance, elects)| {
        c.rebalance = Some(rebalance);
        for (at, op) in elects {
            if c.safe && matches!(op, Op::ElectUnclean(_)) {
                continue; // an unclean election may lose acknowledged records (§4.8)
            }
            let i = at.index(c.ops.len() + 1);
            c.ops.insert(i, (0, op));
        }
        c
    })
}

/// The cases of [`case`] with power losses mixed in (kafka-model §3.9, §8.4): kept apart for the
/// same reason as [`rebalance_case`].
fn power_loss_case(commands: usize) -> impl Strategy<Value = Case> {
    let offs = proptest::collection::vec((any::<proptest::sample::Index>(), 0..5u8), 1..6);
    (case(commands), offs).prop_map(|(mut c, offs)| {
        for (at, b) in offs {
            let i = at.index(c.ops.len() + 1);
            c.ops.insert(i, (0, Op::PowerOff(b)));
        }
        c
    })
}

/// Brokers join and partitions are reassigned (and cancelled) among the faults.
fn reassign_case(commands: usize) -> impl Strategy<Value = Case> {
    let target = proptest::option::of(proptest::collection::vec(0..8u8, 1..5));
    let op = prop_oneof![
        1 => Just(Op::AddBroker),
        4 => (0..3u8, target).prop_map(|(p, t)| Op::Reassign(p, t)),
    ];
    let ops = proptest::collection::vec((any::<proptest::sample::Index>(), op), 1..16);
    (case(commands), ops).prop_map(|(mut c, ops)| {
        for (at, op) in ops {
            let i = at.index(c.ops.len() + 1);
            c.ops.insert(i, (0, op));
        }
        c
    })
}

/// The cases of [`case`] with three group members joining, leaving, crashing, stalling and
/// committing among the faults (kafka-model §6.3, §6.4), kept apart like [`rebalance_case`].
fn group_case(commands: usize) -> impl Strategy<Value = Case> {
    let group_op = (0..5u8, 0..3u8).prop_map(|(kind, member)| Op::Group(kind, member));
    let ops = proptest::collection::vec((any::<proptest::sample::Index>(), group_op), 4..24);
    (case(commands), ops).prop_map(|(mut c, ops)| {
        c.groups = true;
        for (at, op) in ops {
            let i = at.index(c.ops.len() + 1);
            c.ops.insert(i, (0, op));
        }
        c
    })
}

/// The cases of [`case`] with a controller quorum of 3 or 5 voters, separate or combined, and
/// controller crashes and restarts mixed in (kafka-model §2.2): kept apart like [`rebalance_case`].
fn quorum_case(commands: usize) -> impl Strategy<Value = Case> {
    let fault = prop_oneof![
        2 => (0..5u8).prop_map(Op::CrashController),
        3 => (0..5u8).prop_map(Op::RestartController),
    ];
    let faults = proptest::collection::vec((any::<proptest::sample::Index>(), fault), 2..30);
    let quorum = (prop_oneof![3 => Just(3u8), 1 => Just(5u8)], any::<bool>());
    (case(commands), quorum, faults).prop_map(|(mut c, (voters, combined), faults)| {
        // Combined voters need as many brokers.
        c.quorum = Some(if combined && voters > c.brokers { (3, true) } else { (voters, combined) });
        for (at, op) in faults {
            let i = at.index(c.ops.len() + 1);
            c.ops.insert(i, (0, op));
        }
        c
    })
}

/// A controller voter's node.id: separate ones 3001..., combined ones the lowest broker ids.
fn voter(case: &Case, i: u8) -> u32 {
    match case.quorum {
        Some((n, true)) => (i % n) as u32 + 1,
        Some((n, false)) => 3001 + (i % n) as u32,
        None => 3001,
    }
}

fn node(case: &Case, i: u8) -> String {
    // Brokers, then the controller, the producers and the consumer.
    let n = case.brokers;
    match i % (n + 4) {
        b if b < n => format!("broker:{}", b + 1),
        // A quorum's voters by node.id (a separate one; in combined mode, its broker's).
        b if b == n && case.quorum.is_some_and(|(_, combined)| !combined) => format!("controller:{}", voter(case, i)),
        b if b == n => "controller".into(),
        b if b == n + 1 => "producer:p0".into(),
        b if b == n + 2 => "producer:p1".into(),
        _ => "consumer:c".into(),
    }
}

/// The case as a scenario in the documented format; it ends by healing everything.
fn scenario_json(case: &Case) -> Value {
    let broker = |i: u8| (i % case.brokers) as u32 + 1;
    let mut commands = vec![json!({"at_ms": 0, "consume": {"consumer": "c", "topic": "t"}})];
    if case.groups {
        for i in 0..2 {
            commands.push(json!({"at_ms": 0, "join_group": {"consumer": format!("g{i}"), "group": "g", "topic": "t"}}));
        }
    }
    if case.auto_offset_reset == "none" {
        // No committed offset: NoOffsetForPartitionException until the application seeks.
        for p in 0..case.partitions {
            commands.push(
                json!({"at_ms": 500, "seek": {"consumer": "c", "topic": "t", "partition": p, "to": "beginning"}}),
            );
        }
    }
    let mut at = 1_000u64;
    let mut added = 0u32;
    for (gap, op) in &case.ops {
        at += gap;
        let cmd = match op {
            Op::Produce { producer, key, count } => {
                let mut p = json!({"producer": format!("p{}", producer % 2), "topic": "t", "value": format!("v{at}"), "count": count});
                if let Some(k) = key {
                    p["key"] = json!(format!("k{k}"));
                }
                json!({ "produce": p })
            }
            Op::Crash(b) => json!({"crash_broker": {"broker": broker(*b)}}),
            Op::Restart(b) => json!({"restart_broker": {"broker": broker(*b)}}),
            Op::Shutdown(b) => json!({"controlled_shutdown": {"broker": broker(*b)}}),
            Op::Cut(a, b) | Op::Heal(a, b) => {
                let (a, b) = (node(case, *a), node(case, *b));
                if a == b {
                    continue;
                }
                let key = if matches!(op, Op::Cut(..)) { "cut_link" } else { "heal_link" };
                json!({ key: {"between": [a, b]} })
            }
            Op::Slow(b, stalled) => json!({"slow_replica": {"broker": broker(*b), "stalled": stalled}}),
            Op::CutOneWay(a, b) => {
                let (from, to) = (node(case, *a), node(case, *b));
                if from == to {
                    continue;
                }
                json!({"cut_link_one_way": {"from": from, "to": to}})
            }
            Op::Pause(b) => json!({"pause_broker": {"broker": broker(*b)}}),
            Op::Resume(b) => json!({"resume_broker": {"broker": broker(*b)}}),
            Op::CrashWhenLeader(b) => json!({"when": {"event": "became_leader", "broker": broker(*b),
                                                      "then": {"crash_broker": {"broker": broker(*b)}}}}),
            Op::SetMinIsr(m) => json!({"change_config": {"topic": "t", "min.insync.replicas": (*m).min(case.rf)}}),
            Op::SetUnclean(u) => json!({"change_config": {"topic": "t", "unclean.leader.election.enable": u}}),
            Op::Seek(p, to) => {
                let to = match to {
                    0 => json!("beginning"),
                    1 => json!("end"),
                    n => json!({"offset": n - 2}),
                };
                json!({"seek": {"consumer": "c", "topic": "t", "partition": p % case.partitions, "to": to}})
            }
            Op::ElectPreferred(None) => json!({"elect_leaders": {"election_type": "preferred"}}),
            Op::ElectPreferred(Some(p)) => json!({"elect_leaders": {"election_type": "preferred", "topic": "t",
                                                                    "partition": p % case.partitions}}),
            Op::PowerOff(b) => json!({"power_off_broker": {"broker": broker(*b)}}),
            Op::ElectUnclean(p) => json!({"elect_leaders": {"election_type": "unclean", "topic": "t",
                                                             "partition": p % case.partitions}}),
            Op::AddBroker => {
                added += 1;
                let id = case.brokers as u32 + added;
                json!({"add_broker": {"broker": id, "rack": format!("r{}", id % case.racks as u32)}})
            }
            Op::Reassign(p, target) => {
                let total = case.brokers as u32 + added;
                let mut r = json!({"topic": "t", "partition": p % case.partitions});
                if let Some(t) = target {
                    let ids: Vec<u32> = t.iter().map(|i| *i as u32 % total + 1).collect();
                    r["replicas"] = json!(ids);
                }
                json!({ "reassign_partitions": r })
            }
            Op::CrashController(i) => json!({"crash_controller": {"controller": voter(case, *i)}}),
            Op::RestartController(i) => json!({"restart_controller": {"controller": voter(case, *i)}}),
            Op::Group(kind, member) => {
                let consumer = format!("g{member}");
                match kind {
                    0 => json!({"join_group": {"consumer": consumer, "group": "g", "topic": "t",
                                               "enable.auto.commit": member != &2}}),
                    1 => json!({"leave_group": {"consumer": consumer}}),
                    2 => json!({"crash_consumer": {"consumer": consumer}}),
                    3 => json!({"stop_polling": {"consumer": consumer}}),
                    _ => json!({"commit_offsets": {"consumer": consumer}}),
                }
            }
        };
        let mut entry = cmd;
        entry["at_ms"] = json!(at);
        commands.push(entry);
    }
    // Heal: every link (both ways), every disk, every broker (resuming one that is not paused or
    // restarting one that runs is rejected, harmlessly).
    at += 1_000;
    let nodes = case.brokers + 4;
    for a in 0..nodes {
        for b in a + 1..nodes {
            commands.push(json!({"at_ms": at, "heal_link": {"between": [node(case, a), node(case, b)]}}));
        }
    }
    if let Some((voters, false)) = case.quorum {
        for i in 0..voters {
            let v = format!("controller:{}", voter(case, i));
            for b in (0..nodes).map(|b| node(case, b)).filter(|b| *b != v) {
                commands.push(json!({"at_ms": at, "heal_link": {"between": [v.clone(), b]}}));
            }
            for j in i + 1..voters {
                commands.push(json!({"at_ms": at, "heal_link": {"between": [v.clone(), format!("controller:{}", voter(case, j))]}}));
            }
            commands.push(json!({"at_ms": at, "restart_controller": {"controller": voter(case, i)}}));
        }
    }
    for b in 1..=case.brokers as u32 {
        commands.push(json!({"at_ms": at, "slow_replica": {"broker": b, "stalled": false}}));
        commands.push(json!({"at_ms": at, "resume_broker": {"broker": b}}));
        commands.push(json!({"at_ms": at, "restart_broker": {"broker": b}}));
    }
    let brokers: Vec<Value> =
        (1..=case.brokers as u32).map(|id| json!({"id": id, "rack": format!("r{}", id % case.racks as u32)})).collect();
    let mut config = json!({"replica.selector.class": "org.apache.kafka.common.replica.RackAwareReplicaSelector"});
    if let Some((enable, interval)) = case.rebalance {
        config["auto.leader.rebalance.enable"] = json!(enable);
        config["leader.imbalance.check.interval.seconds"] = json!(interval);
    }
    if let Some((voters, combined)) = case.quorum {
        config["controller.quorum.voters"] = json!(voters);
        config["process.roles"] = json!(if combined { "broker,controller" } else { "controller" });
    }
    let mut consumers =
        vec![json!({"name": "c", "config": {"auto.offset.reset": case.auto_offset_reset, "client.rack": "r1"}})];
    if case.groups {
        consumers.extend((0..3).map(|i| json!({"name": format!("g{i}"), "config": {"auto.offset.reset": "earliest"}})));
    }
    let producer = |i: usize| {
        json!({"name": format!("p{i}"), "config": {"acks": case.acks[i],
            "enable.idempotence": case.idempotent[i] && case.acks[i] == "all",
            "max.in.flight.requests.per.connection": case.max_in_flight[i]}})
    };
    json!({
        "format": 1,
        "seed": case.seed,
        "cluster": {"brokers": brokers, "config": config,
            "features": {"eligible.leader.replicas.version": case.elr as u8}},
        "topics": [{"name": "t", "partitions": case.partitions, "replication.factor": case.rf,
                    "config": {"min.insync.replicas": case.min_isr, "unclean.leader.election.enable": case.unclean,
                               "retention.ms": case.retention.0, "retention.bytes": case.retention.1,
                               "segment.ms": case.retention.2}}],
        "producers": [producer(0), producer(1)],
        "consumers": consumers,
        "commands": commands,
        // Long enough after healing for fencing, rejoining, retries and delivery timeouts to settle.
        "until_ms": at + 200_000,
    })
}

#[derive(Default, Debug)]
struct Reached {
    runs: u64,
    isr_of_one: u64,
    failover: u64,
    not_enough_replicas: u64,
    truncation: u64,
    unclean_election: u64,
    reported_losses: u64,
    resumed_with_waiting: u64,
    one_way_cut: u64,
    when_fired: u64,
    validation: u64,
    validation_truncated: u64,
    seek: u64,
    consumer_exception: u64,
    offset_not_available: u64,
    /// Runs where a producer had several requests in flight to one broker, or met
    /// OUT_OF_ORDER_SEQUENCE_NUMBER.
    pipelined: u64,
    out_of_order: u64,
    /// Runs where leadership went back to a preferred replica by the imbalance check, and by
    /// `elect_leaders`.
    rebalanced: u64,
    elected_on_request: u64,
    /// Runs where retention deleted segments, a follower took its leader's log start, a follower
    /// or the consumer fetched below a log start.
    segments_deleted: u64,
    log_start_followed: u64,
    follower_out_of_range: u64,
    consumer_out_of_range: u64,
    power_loss_cut: u64,
    elr_election: u64,
    power_loss_in_safe_config: u64,
    /// Runs where a reassignment completed and removed a replica, moved a leadership, was
    /// cancelled, or was refused.
    reassigned: u64,
    reassignment_moved_leader: u64,
    reassignment_cancelled: u64,
    reassignment_refused: u64,
    /// Runs where a new active controller was elected, and where the quorum was lost.
    controller_elected: u64,
    quorum_lost: u64,
    /// Group runs: a generation after the first, a redelivery from a committed offset, a member
    /// removed by its session timeout, a coordinator lost.
    group_rebalanced: u64,
    redelivered: u64,
    session_expired: u64,
    coordinator_lost: u64,
}

/// Where the consumer reads a partition next, as its events tell.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Next {
    /// Before the first event that says (the event log keeps the last `events_kept`).
    Unknown,
    At(u64),
    /// A reset or a validation is pending: nothing may be read.
    Waiting,
    /// `poll` threw: nothing is read until a seek.
    Failed,
}

/// The consumer reads each partition on from its position: every `consumer_fetched` starts where
/// the last one ended, or where a seek, a ListOffsets answer or a truncation put the position.
fn consumer_reads_in_order(events: &[&EventKind]) -> Result<(), String> {
    let mut next: Vec<((Option<ClientIdx>, PartitionIdx), Next)> = Vec::new();
    for (i, k) in events.iter().enumerate() {
        let consumer = match k.subject() {
            Some(Subject::Consumer(c)) => Some(c),
            _ => None,
        };
        if let EventKind::PartitionsRevoked { consumer, partitions, .. } = k {
            // A revoked partition's position is gone; its next owner starts where OffsetFetch says.
            next.retain(|((c, p), _)| !(*c == Some(*consumer) && partitions.contains(p)));
            continue;
        }
        let Some(p) = k.partition() else { continue };
        let at = match next.iter().position(|(q, _)| *q == (consumer, p)) {
            Some(at) => at,
            None => {
                next.push(((consumer, p), Next::Unknown));
                next.len() - 1
            }
        };
        let now = next[at].1;
        next[at].1 = match k {
            EventKind::ConsumerFetched { from, count, .. } => match now {
                Next::Unknown => Next::At(from + *count as u64),
                Next::At(o) if o == *from => Next::At(from + *count as u64),
                _ => return Err(format!("event {i}: {k:?} while the position is {now:?}")),
            },
            EventKind::ConsumerSeeked { to: SeekTo::Offset(o), .. } => Next::At(*o),
            EventKind::ConsumerSeeked { .. } | EventKind::ConsumerValidating { .. } => Next::Waiting,
            EventKind::ConsumerListOffsetsAnswered { offset: Some(o), dropped: false, .. } => Next::At(*o),
            EventKind::ConsumerPositionReset { to: Some(o), .. } => Next::At(*o),
            EventKind::ConsumerPositionReset { to: None, .. } => Next::Waiting,
            EventKind::ConsumerValidated { end: Some((_, end)), error: None, position, dropped: false, .. }
                if end >= position =>
            {
                Next::At(*position)
            }
            EventKind::ConsumerFailed { .. } => Next::Failed,
            EventKind::ConsumerStartedFrom { committed: Some(o), .. } => Next::At(*o),
            EventKind::ConsumerStartedFrom { committed: None, .. } => Next::Waiting,
            _ => now,
        };
    }
    Ok(())
}

/// Acknowledged records that the healed cluster no longer has and that nobody reported lost.
/// Records below a replica's log start were deleted by retention (below its high watermark:
/// committed once), not lost.
fn silent_losses(view: &ClusterView) -> Vec<String> {
    let mut silent = Vec::new();
    for p in &view.producers {
        for s in &p.sends {
            let SendStatus::Acknowledged { base_offset: Some(offset), .. } = s.status else { continue };
            let part = view.partitions.iter().find(|x| x.idx == s.partition).expect("partition");
            let retained = part.replica_states.iter().any(|r| offset < r.log_start_offset);
            let held = retained
                || part
                    .replica_states
                    .iter()
                    .any(|r| r.log.iter().any(|e| e.offset == offset && e.record_id == s.first_record_id));
            let reported = view
                .safety
                .losses
                .iter()
                .any(|l| l.partition == s.partition && l.first_offset <= offset && offset <= l.last_offset);
            if !held && !reported {
                silent.push(format!(
                    "{} batch #{} ({} records at {offset}, acks={})",
                    p.name,
                    s.send,
                    s.count,
                    s.acks.as_str()
                ));
            }
        }
    }
    silent
}

/// An idempotent producer's acknowledged batches that sit in a partition's log before a batch it
/// sent earlier (kafka-model §5.6: sequence numbers keep the order), in partitions without a
/// reported loss (an unclean election may truncate records and append later ones at lower offsets).
///
/// One exception is Kafka's own: a leader with no state for the producer id accepts a batch at any
/// sequence (`ProducerAppendInfo.checkSequence`, 4.x: "accept writes with any sequence number"). If
/// the earlier batches went to a previous leader and never replicated, a later batch is written
/// first; the earlier ones then get `OUT_OF_ORDER_SEQUENCE_NUMBER`, the producer bumps its epoch and
/// they are written after it (docs/known-issues/README.md). Partitions where a leader appended that
/// producer's batch without its state (`ProducerStateUnknown`) are therefore not checked.
fn reordered(view: &ClusterView, events: &[&EventKind]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, p) in view.producers.iter().enumerate().filter(|(_, p)| p.enable_idempotence) {
        for part in &view.partitions {
            if view.safety.losses.iter().any(|l| l.partition == part.idx) {
                continue;
            }
            let unchecked = events.iter().any(|k| {
                matches!(k, EventKind::ProducerStateUnknown { producer, partition, .. }
                    if producer.0 as usize == i && *partition == part.idx)
            });
            if unchecked {
                continue;
            }
            let acked = p.sends.iter().filter(|s| s.partition == part.idx).filter_map(|s| match s.status {
                SendStatus::Acknowledged { base_offset: Some(o), .. } => Some((s.send, o)),
                _ => None,
            });
            let mut last: Option<(usize, u64)> = None;
            for (send, offset) in acked {
                if let Some((before, at)) = last.filter(|(_, at)| offset < *at) {
                    found.push(format!("{}: batch #{send} at {offset} lies before batch #{before} at {at}", p.name));
                }
                last = Some((send, offset));
            }
        }
    }
    found
}

fn check(case: &Case, reached: &RefCell<Reached>) -> Result<(), TestCaseError> {
    let json = scenario_json(case);
    let text = json.to_string();
    let scenario =
        scenario::parse(&text).map_err(|e| TestCaseError::fail(format!("generated scenario invalid: {e}\n{text}")))?;
    let mut engine = Engine::new(&scenario).expect("the scenario is within the contract");
    let fail = |what: String| {
        // The scenario that reproduces it, for the runner (the last failure found is kept).
        let path = concat!(env!("CARGO_TARGET_TMPDIR"), "/proptest-failure.json");
        let saved = std::fs::write(path, serde_json::to_string_pretty(&json).unwrap_or_default()).is_ok();
        let replay = if saved { format!("replay: cargo run --release -- run {path}") } else { text.clone() };
        TestCaseError::fail(format!("{what}\n{replay}"))
    };
    if let Err(e) = engine.advance_to(scenario.until_ms, u64::MAX) {
        return Err(fail(format!("the simulation makes no progress: {e:?}")));
    }
    let view = engine.view(ViewOptions { full_logs: true, client_history: usize::MAX, ..ViewOptions::default() });

    let unexpected: Vec<String> = engine
        .events_since(0)
        .filter(|e| matches!(e.kind, EventKind::InvariantViolated { expected: false, .. }))
        .map(|e| engine.explain(e))
        .collect();
    if !unexpected.is_empty() || engine.unexpected_violations() > 0 {
        return Err(fail(format!("unexpected invariant violations: {unexpected:#?}")));
    }
    let power_cut = |p: PartitionIdx| {
        engine
            .events_since(0)
            .any(|e| matches!(e.kind, EventKind::UnflushedSuffixLost { partition, .. } if partition == p))
    };
    let unexplained: Vec<_> = view.safety.losses.iter().filter(|l| l.unexpected || !power_cut(l.partition)).collect();
    if case.safe && !unexplained.is_empty() {
        return Err(fail(format!("acknowledged records lost in a safe configuration: {unexplained:#?}")));
    }
    let silent = silent_losses(&view);
    if !silent.is_empty() {
        return Err(fail(format!("acknowledged records lost without a report: {silent:#?}")));
    }
    let events: Vec<&EventKind> = engine.events_since(0).map(|e| &e.kind).collect();
    consumer_reads_in_order(&events).map_err(|e| fail(format!("the consumer read out of order: {e}")))?;
    let reordered = reordered(&view, &events);
    if !reordered.is_empty() {
        return Err(fail(format!("an idempotent producer's records out of order: {reordered:#?}")));
    }

    let mut r = reached.borrow_mut();
    r.runs += 1;
    let any = |f: &dyn Fn(&EventKind) -> bool| events.iter().any(|k| f(k)) as u64;
    r.isr_of_one += any(&|k| matches!(k, EventKind::IsrShrunk { isr, .. } if isr.len() == 1));
    r.failover += any(&|k| matches!(k, EventKind::LeaderElected { previous: Some(_), .. }));
    r.not_enough_replicas +=
        any(&|k| matches!(k, EventKind::ProduceRetried { error: ErrorCode::NotEnoughReplicas, .. }));
    r.truncation += any(&|k| matches!(k, EventKind::LogTruncated { .. }));
    r.unclean_election += any(&|k| matches!(k, EventKind::LeaderElected { unclean: true, .. }));
    r.reported_losses += !view.safety.losses.is_empty() as u64;
    r.resumed_with_waiting += any(&|k| matches!(k, EventKind::BrokerResumed { waiting, .. } if *waiting > 0));
    r.one_way_cut += any(&|k| matches!(k, EventKind::LinkCutOneWay { .. }));
    r.when_fired += any(&|k| matches!(k, EventKind::TriggerFired { .. }));
    r.validation += any(&|k| matches!(k, EventKind::ConsumerValidating { .. }));
    r.validation_truncated +=
        any(&|k| matches!(k, EventKind::ConsumerValidated { end: Some((_, end)), position, .. } if end < position));
    r.seek += any(&|k| matches!(k, EventKind::ConsumerSeeked { .. }));
    r.consumer_exception += any(&|k| matches!(k, EventKind::ConsumerFailed { .. }));
    r.offset_not_available += any(&|k| {
        matches!(k, EventKind::ConsumerListOffsetsAnswered { error: Some(ErrorCode::OffsetNotAvailable), .. })
    });
    r.pipelined += any(&|k| matches!(k, EventKind::ProduceRequestSent { .. }));
    r.power_loss_cut += any(&|k| matches!(k, EventKind::UnflushedSuffixLost { .. }));
    r.elr_election += any(&|k| matches!(k, EventKind::ElrChanged { elected: ElrElection::FromElr(_), .. }));
    r.power_loss_in_safe_config += (case.safe && !view.safety.losses.is_empty()) as u64;
    r.out_of_order +=
        any(&|k| matches!(k, EventKind::ProduceRetried { error: ErrorCode::OutOfOrderSequenceNumber, .. }));
    r.rebalanced += any(&|k| matches!(k, EventKind::LeaderElected { reason: ChangeReason::LeaderImbalanceCheck, .. }));
    r.elected_on_request +=
        any(&|k| matches!(k, EventKind::LeaderElected { reason: ChangeReason::ElectLeaders(_), .. }));
    r.reassigned += any(&|k| matches!(k, EventKind::ReassignmentCompleted { removed, .. } if !removed.is_empty()));
    r.reassignment_moved_leader += any(
        &|k| matches!(k, EventKind::LeaderElected { reason: ChangeReason::AlterPartition(from), previous: Some(p), .. } if from == p),
    );
    r.reassignment_cancelled += any(&|k| matches!(k, EventKind::ReassignmentCancelled { .. }));
    r.reassignment_refused += any(&|k| matches!(k, EventKind::ReassignmentRefused { .. }));
    r.segments_deleted += any(&|k| matches!(k, EventKind::SegmentsDeleted { .. }));
    r.controller_elected += any(&|k| matches!(k, EventKind::ControllerElected { .. }));
    r.quorum_lost += any(&|k| matches!(k, EventKind::QuorumLost { .. }));
    r.log_start_followed += any(&|k| matches!(k, EventKind::LogStartOffsetIncremented { .. }));
    r.follower_out_of_range += any(&|k| matches!(k, EventKind::FollowerOffsetOutOfRange { .. }));
    r.group_rebalanced += any(&|k| matches!(k, EventKind::GroupJoinCompleted { generation, .. } if *generation > 1));
    r.redelivered += any(&|k| matches!(k, EventKind::ConsumerStartedFrom { committed: Some(_), .. }));
    r.session_expired +=
        any(&|k| matches!(k, EventKind::GroupMemberRemoved { why, .. } if why.contains("session.timeout.ms")));
    r.coordinator_lost += any(&|k| matches!(k, EventKind::GroupCoordinatorLost { .. }));
    r.consumer_out_of_range += any(&|k| {
        matches!(k, EventKind::ConsumerPositionReset { why, .. } if why.starts_with("OFFSET_OUT_OF_RANGE"))
            || matches!(k, EventKind::ConsumerFailed { .. })
    });
    Ok(())
}

fn env_number(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn random_faults_never_break_kafkas_guarantees() {
    let cases = env_number("PP_PROPTEST_CASES", 1_000);
    let commands = env_number("PP_PROPTEST_COMMANDS", 200) as usize;
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 200, ..Config::default() };
    // Reproducible by default; PP_PROPTEST_SEED explores other sequences.
    let seed = std::env::var("PP_PROPTEST_SEED").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let reached = RefCell::new(Reached::default());
    let result = runner.run(&case(commands), |c| check(&c, &reached));
    if let Err(e) = result {
        panic!("{e}");
    }
    let r = reached.into_inner();
    println!("reachability over {} runs: {r:#?}", r.runs);
    assert!(r.runs >= cases as u64);
    assert!(r.isr_of_one > 0, "no run shrank an ISR to one member: {r:?}");
    assert!(r.failover > 0, "no run had a leader failover: {r:?}");
    assert!(r.not_enough_replicas > 0, "no run got NOT_ENOUGH_REPLICAS: {r:?}");
    assert!(r.truncation > 0, "no run truncated a log: {r:?}");
    assert!(r.unclean_election > 0, "no run had an unclean election: {r:?}");
    assert!(r.resumed_with_waiting > 0, "no paused broker resumed with messages waiting: {r:?}");
    assert!(r.one_way_cut > 0, "no run cut a link one way: {r:?}");
    assert!(r.when_fired > 0, "no `when` fired: {r:?}");
    assert!(r.validation > 0, "no consumer validated its position: {r:?}");
    assert!(r.seek > 0 && r.consumer_exception > 0, "no seek, or no exception with none: {r:?}");
    assert!(r.pipelined > 0, "no run had several produce requests in flight: {r:?}");
    assert!(r.out_of_order > 0, "no run met OUT_OF_ORDER_SEQUENCE_NUMBER: {r:?}");
    assert!(r.elr_election > 0, "no leader was elected from the ELR: {r:?}");
    assert!(r.segments_deleted > 0 && r.log_start_followed > 0, "retention deleted nothing anywhere: {r:?}");
}

/// A quarter of `PP_PROPTEST_CASES` from `strategy`, on a sequence of its own (`sequence` is mixed
/// into the seed, so the cases of [`case`] stay those its seed always made), every case checked;
/// what the runs reached, printed.
fn side_sequence<S: Strategy<Value = Case>>(sequence: u8, strategy: impl Fn(usize) -> S) -> Reached {
    let cases = env_number("PP_PROPTEST_CASES", 1_000) / 4;
    let commands = env_number("PP_PROPTEST_COMMANDS", 200) as usize;
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 200, ..Config::default() };
    let seed = std::env::var("PP_PROPTEST_SEED").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8] = sequence;
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let reached = RefCell::new(Reached::default());
    if let Err(e) = runner.run(&strategy(commands), |c| check(&c, &reached)) {
        panic!("{e}");
    }
    let r = reached.into_inner();
    println!("reachability over {} runs: {r:#?}", r.runs);
    r
}

/// The same checks, after every step, with the controller's leader imbalance check on or off at
/// several intervals and `elect_leaders` (preferred, one partition or all; unclean outside the safe
/// configurations) among the faults (kafka-model §3.8, TC-15).
#[test]
fn preferred_leader_elections_never_break_kafkas_guarantees() {
    // TC-15: a sequence of its own
    let r = side_sequence(15, rebalance_case);
    assert!(r.rebalanced > 0, "no leader imbalance check moved a leadership back: {r:?}");
    assert!(r.elected_on_request > 0, "no elect_leaders moved a leadership: {r:?}");
}

/// The same checks, after every step, with machine crashes that lose the page cache among the
/// faults (kafka-model §3.9): a loss they cause must be reported and classified, never silent.
#[test]
fn power_losses_never_break_kafkas_guarantees() {
    // §3.9: a sequence of its own
    let r = side_sequence(39, power_loss_case);
    assert!(r.power_loss_cut > 0, "no power loss cut an unflushed suffix: {r:?}");
}

/// The same checks, after every step, with brokers joining and partitions reassigned among the
/// faults (KIP-455): replicas added, caught up and removed, leaders handed over, cancels and
/// refused requests; a removed replica's deleted log is never a loss of what others hold.
#[test]
fn reassignments_never_break_kafkas_guarantees() {
    // KIP-455: a sequence of its own
    let r = side_sequence(45, reassign_case);
    assert!(r.reassigned > 0, "no reassignment completed and removed a replica: {r:?}");
    assert!(r.reassignment_moved_leader > 0, "no completed reassignment moved a leadership: {r:?}");
    assert!(r.reassignment_cancelled > 0 && r.reassignment_refused > 0, "no cancel, or no refusal: {r:?}");
}

/// The same checks, after every step, with a controller quorum (3 or 5 voters, separate or
/// combined) whose voters crash, restart and are cut off (kafka-model §2.2): failover and quorum
/// loss never break a guarantee, and the quorum's own invariant holds (one active controller per
/// epoch, holding every committed metadata record).
#[test]
fn controller_faults_never_break_kafkas_guarantees() {
    // kafka-model §2.2: a sequence of its own
    let r = side_sequence(22, quorum_case);
    assert!(r.controller_elected > 0, "no run elected a new active controller: {r:?}");
    assert!(r.quorum_lost > 0, "no run lost the quorum: {r:?}");
}

/// The same checks, after every step, with three consumers of one group (kafka-model §6.4) among
/// the faults: the engine checks the two group invariants (no partition owned by two members of
/// one generation; a committed offset never beyond its partition's high watermark) after every
/// step, and any violation fails the run.
#[test]
fn consumer_groups_never_break_kafkas_guarantees() {
    // kafka-model §6.4: a sequence of its own
    let r = side_sequence(64, group_case);
    assert!(r.group_rebalanced > 0, "no group rebalanced: {r:?}");
    assert!(r.redelivered > 0, "no member started from a committed offset: {r:?}");
    assert!(r.session_expired > 0, "no member's session expired: {r:?}");
    assert!(r.coordinator_lost > 0, "no member lost its coordinator: {r:?}");
}

#[test]
fn the_same_scenario_twice_gives_the_same_events_and_hash() {
    let mut runner = TestRunner::new_with_rng(
        Config { cases: 20, failure_persistence: None, ..Config::default() },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    runner
        .run(&case(100), |c| {
            let text = scenario_json(&c).to_string();
            let scenario = scenario::parse(&text).expect("valid");
            let run = || {
                let mut e = Engine::new(&scenario).expect("the scenario is within the contract");
                e.advance_to(scenario.until_ms, u64::MAX).expect("the simulation progresses");
                let log: Vec<String> = e.events_since(0).map(|ev| format!("{} {}", ev.at_ms, e.explain(ev))).collect();
                (log, e.state_hash())
            };
            let (a, b) = (run(), run());
            prop_assert_eq!(a.1, b.1, "state hashes differ");
            prop_assert!(a.0 == b.0, "event logs differ");
            Ok(())
        })
        .unwrap();
}
