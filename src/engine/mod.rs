//! The replication engine: a pure, deterministic simulation of Kafka 4.x partition leadership and
//! replication (`../shared/kafka-model.md`). No I/O, no clock, no threads: see `engine.rs`.

mod broker;
mod catalog;
mod command;
mod config;
mod connection;
mod consumer;
mod controller;
mod ctx;
#[allow(clippy::module_inception)]
mod engine;
mod error;
mod event;
mod event_names;
mod explain;
mod explain_group;
mod group;
mod ids;
mod invariant;
mod lesson;
mod limits;
mod log;
mod message;
mod metadata;
mod murmur2;
mod network;
mod placement;
mod producer;
mod queue;
mod quorum;
mod reassignment;
mod replica;
mod rules;
mod safety;
mod setup;
mod severity;
mod shared_vec;
mod snapshot;
mod timeline;
mod timer;
mod trace;
mod trigger;
mod view;

// The public API: everything a driver (the runner, the page, the tests) may name. The rest of the
// engine is private to it, so the compiler reports what nobody uses.
/// The engine's behaviour version, named in every share link: raised whenever the same scenario
/// can run differently (another event, another order, another outcome), so that a page opening an
/// older link can say its replay may differ from the one its author saw.
/// 2: a follower a new leader resets outside the ISR has never caught up (not "at 0 ms"); a stale
/// leader that learns a newer epoch records its unanswered AlterPartition as abandoned; a producer
/// sends only on a ready connection, reconnecting first (no request, no attempt, without one).
/// 3: a consumer's resets (`earliest` too) are ListOffsets requests; its fetches carry no
/// `lastFetchedEpoch`: after a leader change it validates its position with OffsetsForLeaderEpoch
/// (KIP-320) before fetching again. And the producer pipeline (kafka-model §5.2–§5.6): up to `max.in.flight.requests.per.connection`
/// produce requests per connection, each with one batch per partition the broker leads; a leader
/// with no state for a producer id accepts any sequence; produce traffic keeps its order on a
/// connection.
/// 4: the controller's preferred-leader rebalance (`auto.leader.rebalance.enable`, on by default as in
/// Kafka, kafka-model §3.8): a partition led by another replica than its preferred one gets a
/// PREFERRED election `leader.imbalance.check.interval.seconds` (300 s) later; `elect_leaders`.
/// Retention (kafka-model §3.3): every broker checks its logs 30 s after it starts, then every
/// 5 minutes; a topic's `retention.ms` (7 days by default) deletes segments and moves the log start.
/// Eligible Leader Replicas (§4.9, opt-in) and power loss (§3.9) change no earlier scenario.
/// 5: a topic's `min.insync.replicas` change is a metadata record brokers apply when it reaches them
/// (§2.3.8; it takes a metadata offset, so later broker epochs differ); a fetch whose
/// `lastFetchedEpoch` is older than every epoch the leader keeps gets Kafka's `endOffsetFor` answer
/// (that epoch, ending where the leader's first epoch starts) instead of "nothing can be trusted".
pub const BEHAVIOUR_VERSION: u32 = 5;

pub use catalog::Catalog;
pub use command::{
    ChangeConfig, ChangeConfigSpec, Command, ElectLeaders, ElectionType, JoinGroup, NodeRef, Produce, ProducerReconfig,
    ReassignPartitions, SeekTo, TopicSpec, When,
};
pub use config::{
    Acks, AutoOffsetReset, BrokerConfig, ConsumerConfig, LogConfig, NetworkConfig, ProducerConfig, TopicConfig,
    AUTO_LEADER_REBALANCE_DEFAULT, CONTROLLER_QUORUM_VOTERS_DEFAULT, LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS_DEFAULT,
    MAX_IN_FLIGHT_DEFAULT, MAX_IN_FLIGHT_FOR_IDEMPOTENCE, RACK_AWARE_REPLICA_SELECTOR,
};
pub use consumer::FetchState;
pub use engine::{AdvanceError, Engine};
pub use error::{CommandError, ScenarioError};
pub use event::{
    ChangeReason, ClusterEvent, ConsumerException, ControllerEpoch, ElrElection, EventKind, LeftReplica, Subject,
};
pub use ids::{
    BrokerEpoch, BrokerId, ClientIdx, LeaderEpoch, Millis, NodeId, Offset, PartitionEpoch, PartitionIdx, TopicIdx,
};
pub use invariant::Invariant;
pub use lesson::{check_lesson, check_lesson_text, Lesson, LessonStep, LessonText, Outcome, Question, Reveal};
pub use limits::{Limits, LIMITS};
pub use log::RetentionBreach;
pub use message::{ErrorCode, IsrShortfall, MessageKind, OffsetSpec};
pub use metadata::LeaderRecoveryState;
pub use murmur2::murmur2;
pub use reassignment::ReassignmentRefusal;
pub use rules::{check_name, check_scenario, check_scenario_at, check_topic_name, join, thousands, Cost, Ledger};
pub use setup::{
    BrokerSpec, ClusterFeatures, ClusterSpec, ConsumerSpec, ProducerSpec, Scenario, TimedCommand, FORMAT_VERSION,
};
pub use severity::Severity;
pub use shared_vec::SharedVec;
pub use timeline::Timeline;
pub use trace::{FetchAnswer, ProduceOutcome, Trace, TraceArrow, TraceKind, TraceMessage, TraceSample, Truncation};
pub use view::*;

/// The engine's map: a sorted vector. Deterministic iteration like `BTreeMap`, with a fraction of
/// its code in the wasm bundle; the engine's maps are small or filled in key order.
pub type Map<K, V> = litemap::LiteMap<K, V>;

/// A map built by inserting each pair in turn (the last of equal keys wins, as with `collect`).
/// litemap's `collect` and `extend` sort with the standard stable sort, which gives every key type
/// its own kilobytes of sort code in the wasm bundle; inserting needs only a binary search.
pub fn map_from<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Map<K, V> {
    let mut map = Map::new();
    for (k, v) in pairs {
        map.insert(k, v);
    }
    map
}

/// Adds `x` to `set`, a sorted `Vec` without duplicates (the engine's small sets: the brokers a
/// client talks to, the partitions a send touched). For the reason of [`map_from`], this replaces
/// `sort_unstable` + `dedup`, with the same result.
pub fn insert_sorted<T: Ord>(set: &mut Vec<T>, x: T) {
    if let Err(at) = set.binary_search(&x) {
        set.insert(at, x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_sorted_is_sort_and_dedup() {
        let input = [5u32, 1, 5, 3, 9, 1, 0, 9, 4];
        let mut set = Vec::new();
        for x in input {
            insert_sorted(&mut set, x);
        }
        let mut expected = input.to_vec();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(set, expected);
    }

    #[test]
    fn map_from_keeps_the_last_of_equal_keys_like_collect() {
        let pairs = [(3, "a"), (1, "b"), (3, "c"), (2, "d")];
        let collected: Map<i32, &str> = pairs.into_iter().collect();
        assert_eq!(map_from(pairs), collected);
        assert_eq!(map_from(pairs).get(&3), Some(&"c"));
    }
}
