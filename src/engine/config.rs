//! Configuration with Kafka's names and Kafka 4.x defaults (kafka-model §1). Only the settings the
//! engine acts on are here; each field's doc names the Kafka config it stands for.

use serde::{Deserialize, Serialize};

/// `org.apache.kafka.common.replica.RackAwareReplicaSelector`, the only selector the engine knows.
pub const RACK_AWARE_REPLICA_SELECTOR: &str = "org.apache.kafka.common.replica.RackAwareReplicaSelector";

/// Cluster-wide broker and controller settings (kafka-model §1.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrokerConfig {
    #[serde(rename = "broker.heartbeat.interval.ms")]
    pub broker_heartbeat_interval_ms: u64,
    #[serde(rename = "broker.session.timeout.ms")]
    pub broker_session_timeout_ms: u64,
    #[serde(rename = "replica.lag.time.max.ms")]
    pub replica_lag_time_max_ms: u64,
    #[serde(rename = "replica.fetch.wait.max.ms")]
    pub replica_fetch_wait_max_ms: u64,
    #[serde(rename = "replica.fetch.max.bytes")]
    pub replica_fetch_max_bytes: u64,
    #[serde(rename = "replica.fetch.backoff.ms")]
    pub replica_fetch_backoff_ms: u64,
    /// `None` = always read from the leader; `Some(RACK_AWARE_REPLICA_SELECTOR)` enables KIP-392.
    #[serde(rename = "replica.selector.class")]
    pub replica_selector_class: Option<String>,
    /// Broker default for topics that do not set it.
    #[serde(rename = "min.insync.replicas")]
    pub min_insync_replicas: u32,
    /// Broker default for topics that do not set it.
    #[serde(rename = "unclean.leader.election.enable")]
    pub unclean_leader_election_enable: bool,
    #[serde(rename = "unclean.leader.election.interval.ms")]
    pub unclean_leader_election_interval_ms: u64,
    #[serde(rename = "controlled.shutdown.enable")]
    pub controlled_shutdown_enable: bool,
    /// `auto.leader.rebalance.enable` (kafka-model §3.8). This and the next are not in the postcard
    /// code of a scenario (positional: old links would no longer read): a link carries them in its
    /// cluster section and the JSON format under their Kafka names (`scenario::json`), each only
    /// when not the default.
    #[serde(skip)]
    pub auto_leader_rebalance_enable: bool,
    /// `leader.imbalance.check.interval.seconds` (kafka-model §3.8).
    #[serde(skip)]
    pub leader_imbalance_check_interval_seconds: u64,
    /// How many controller voters the KRaft quorum has (kafka-model §2.2): 1, 3 or 5. Outside the
    /// postcard code like the two above (the link's cluster section, JSON `controller.quorum.voters`
    /// as a count: the voters' `node.id`s follow from it, `quorum::voter_ids`).
    #[serde(skip)]
    pub controller_quorum_voters: u32,
    /// `process.roles=broker,controller` on the voters (combined mode: the first brokers by id are
    /// the voters) rather than separate `process.roles=controller` nodes.
    #[serde(skip)]
    pub process_roles_combined: bool,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            broker_heartbeat_interval_ms: 2_000,
            broker_session_timeout_ms: 9_000,
            replica_lag_time_max_ms: 30_000,
            replica_fetch_wait_max_ms: 500,
            replica_fetch_max_bytes: 1_048_576,
            replica_fetch_backoff_ms: 1_000,
            replica_selector_class: None,
            min_insync_replicas: 1,
            unclean_leader_election_enable: false,
            unclean_leader_election_interval_ms: 300_000,
            controlled_shutdown_enable: true,
            auto_leader_rebalance_enable: AUTO_LEADER_REBALANCE_DEFAULT,
            leader_imbalance_check_interval_seconds: LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS_DEFAULT,
            controller_quorum_voters: CONTROLLER_QUORUM_VOTERS_DEFAULT,
            process_roles_combined: false,
        }
    }
}

/// Kafka's default `auto.leader.rebalance.enable`.
pub const AUTO_LEADER_REBALANCE_DEFAULT: bool = true;
/// One separate controller: the cluster every scenario before the quorum had.
pub const CONTROLLER_QUORUM_VOTERS_DEFAULT: u32 = 1;
/// Kafka's default `leader.imbalance.check.interval.seconds`.
pub const LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS_DEFAULT: u64 = 300;

impl BrokerConfig {
    pub fn rack_aware_selector(&self) -> bool {
        self.replica_selector_class.as_deref() == Some(RACK_AWARE_REPLICA_SELECTOR)
    }
}

/// Topic-level overrides; `None` falls back to the broker default (kafka-model §1.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TopicConfig {
    #[serde(rename = "min.insync.replicas")]
    pub min_insync_replicas: Option<u32>,
    #[serde(rename = "unclean.leader.election.enable")]
    pub unclean_leader_election_enable: Option<bool>,
    /// Retention and segment settings. Not in the postcard code of a scenario (positional: old
    /// links would no longer read): a link carries them in its own section and the JSON format
    /// under their Kafka names (`scenario::json`), each only when not the default.
    #[serde(skip)]
    pub log: LogConfig,
}

/// A topic's retention and segment settings, Kafka 4.0's defaults (`LogConfig`; kafka-model §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogConfig {
    /// `retention.ms`: segments whose newest record is older than this are deleted; -1: no limit.
    pub retention_ms: i64,
    /// `retention.bytes`: the oldest segments are deleted while the log is over this; -1: no limit.
    pub retention_bytes: i64,
    /// `segment.ms`: a segment is rolled once a batch is this much newer than its first batch.
    pub segment_ms: u64,
    /// `segment.bytes`: a segment is rolled before it would grow past this.
    pub segment_bytes: u64,
}

/// `log.retention.check.interval.ms` (Kafka's default; not configurable here).
pub const LOG_RETENTION_CHECK_INTERVAL_MS: u64 = 300_000;
/// `LogManager.InitialTaskDelayMs`: the first retention check runs this long after a broker starts.
pub const LOG_RETENTION_CHECK_INITIAL_DELAY_MS: u64 = 30_000;
/// `segment.bytes`' minimum since Kafka 4.0 (KIP-1030).
pub const SEGMENT_BYTES_MIN: u64 = 1_048_576;

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            retention_ms: 604_800_000,
            retention_bytes: -1,
            segment_ms: 604_800_000,
            segment_bytes: 1_073_741_824,
        }
    }
}

/// `acks` (kafka-model §5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Acks {
    #[serde(rename = "0")]
    None,
    #[serde(rename = "1")]
    Leader,
    #[serde(rename = "all", alias = "-1")]
    All,
}

impl Acks {
    /// Every setting, in the order a choice lists them (as [`Acks::as_str`] spells them).
    pub const ALL_VALUES: [Acks; 3] = [Acks::None, Acks::Leader, Acks::All];

    /// Reads `acks` as the producer does: `0`, `1`, `all`, or `-1` (the old spelling of `all`);
    /// `None` for anything else (Kafka refuses it with a `ConfigException`).
    pub fn parse(s: &str) -> Option<Acks> {
        match s {
            "0" => Some(Acks::None),
            "1" => Some(Acks::Leader),
            "all" | "-1" => Some(Acks::All),
            _ => None,
        }
    }

    /// Kafka's spelling of the setting (`all`, never `-1`).
    pub fn as_str(self) -> &'static str {
        match self {
            Acks::None => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        }
    }
}

/// Producer settings (kafka-model §1.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProducerConfig {
    pub acks: Acks,
    /// `None`: Kafka's default, which is on unless `acks` is not `all` (Kafka 3.2+, KAFKA-13673: a
    /// default idempotence is turned off by a lower `acks`; an explicit one is a ConfigException).
    #[serde(rename = "enable.idempotence")]
    pub enable_idempotence: Option<bool>,
    #[serde(rename = "delivery.timeout.ms")]
    pub delivery_timeout_ms: u64,
    #[serde(rename = "request.timeout.ms")]
    pub request_timeout_ms: u64,
    #[serde(rename = "linger.ms")]
    pub linger_ms: u64,
    #[serde(rename = "batch.size")]
    pub batch_size: u64,
    #[serde(rename = "retry.backoff.ms")]
    pub retry_backoff_ms: u64,
    #[serde(rename = "retry.backoff.max.ms")]
    pub retry_backoff_max_ms: u64,
    #[serde(rename = "metadata.max.age.ms")]
    pub metadata_max_age_ms: u64,
    /// `max.in.flight.requests.per.connection` (kafka-model §5.2). Not in the postcard code of a
    /// scenario (positional: old links would no longer read): a link carries it in its own section
    /// and the JSON format under its Kafka name (`scenario::json`), each only when not the default.
    #[serde(skip)]
    pub max_in_flight_requests_per_connection: u32,
}

/// Kafka's default `max.in.flight.requests.per.connection`.
pub const MAX_IN_FLIGHT_DEFAULT: u32 = 5;
/// The most requests in flight an idempotent producer may have per connection
/// (`ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_FOR_IDEMPOTENCE`): the broker keeps the
/// last 5 batches per producer id (kafka-model §5.6).
pub const MAX_IN_FLIGHT_FOR_IDEMPOTENCE: u32 = 5;

impl ProducerConfig {
    /// Whether the producer is idempotent: `enable.idempotence`, or Kafka's default, which is on
    /// unless `acks` is not `all` or `max.in.flight.requests.per.connection` is above 5
    /// (`ProducerConfig.postProcessAndValidateIdempotenceConfigs`).
    pub fn idempotent(&self) -> bool {
        self.enable_idempotence.unwrap_or(
            self.acks == Acks::All && self.max_in_flight_requests_per_connection <= MAX_IN_FLIGHT_FOR_IDEMPOTENCE,
        )
    }
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            acks: Acks::All,
            enable_idempotence: None,
            delivery_timeout_ms: 120_000,
            request_timeout_ms: 30_000,
            linger_ms: 5,
            batch_size: 16_384,
            retry_backoff_ms: 100,
            retry_backoff_max_ms: 1_000,
            metadata_max_age_ms: 300_000,
            max_in_flight_requests_per_connection: MAX_IN_FLIGHT_DEFAULT,
        }
    }
}

/// `auto.offset.reset` (kafka-model §6.3). `none` (appended last: old links keep their indexes)
/// resets nothing: without a committed offset (none yet: groups come later) the consumer gets
/// `NoOffsetForPartitionException`, and `OffsetOutOfRangeException` or `LogTruncationException`
/// where the others reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AutoOffsetReset {
    Earliest,
    Latest,
    None,
}

/// Consumer settings (kafka-model §1.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsumerConfig {
    /// Empty = no rack (Kafka's default `""`).
    #[serde(rename = "client.rack")]
    pub client_rack: String,
    #[serde(rename = "auto.offset.reset")]
    pub auto_offset_reset: AutoOffsetReset,
    #[serde(rename = "fetch.max.wait.ms")]
    pub fetch_max_wait_ms: u64,
    #[serde(rename = "max.poll.records")]
    pub max_poll_records: u32,
    #[serde(rename = "request.timeout.ms")]
    pub request_timeout_ms: u64,
    /// Also the lease of a preferred read replica (kafka-model §6.2).
    #[serde(rename = "metadata.max.age.ms")]
    pub metadata_max_age_ms: u64,
    #[serde(rename = "retry.backoff.ms")]
    pub retry_backoff_ms: u64,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            client_rack: String::new(),
            auto_offset_reset: AutoOffsetReset::Latest,
            fetch_max_wait_ms: 500,
            max_poll_records: 500,
            request_timeout_ms: 30_000,
            metadata_max_age_ms: 300_000,
            retry_backoff_ms: 100,
        }
    }
}

/// The simulated network. Not a Kafka config: one-way delay of every message is
/// `latency.ms` plus a uniformly drawn jitter in `[0, jitter.ms]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    #[serde(rename = "latency.ms")]
    pub latency_ms: u64,
    #[serde(rename = "jitter.ms")]
    pub jitter_ms: u64,
}

impl NetworkConfig {
    /// No message arrives in less than this, so a request and its answer never share an instant.
    pub const DELAY_MS_MIN: u64 = 1;

    /// The fastest a request can be answered (jitter may draw 0).
    pub fn round_trip_ms_min(&self) -> u64 {
        2 * self.latency_ms.max(Self::DELAY_MS_MIN)
    }

    /// The longest a message can take one way.
    pub fn one_way_ms_max(&self) -> u64 {
        (self.latency_ms + self.jitter_ms).max(Self::DELAY_MS_MIN)
    }
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig { latency_ms: 2, jitter_ms: 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acks_parse_accepts_kafkas_spellings_and_round_trips() {
        assert_eq!(Acks::parse("0"), Some(Acks::None));
        assert_eq!(Acks::parse("1"), Some(Acks::Leader));
        assert_eq!(Acks::parse("all"), Some(Acks::All));
        assert_eq!(Acks::parse("-1"), Some(Acks::All));
        for bad in ["", "2", "ALL", " all", "none", "leader"] {
            assert_eq!(Acks::parse(bad), None, "{bad:?}");
        }
        for acks in Acks::ALL_VALUES {
            assert_eq!(Acks::parse(acks.as_str()), Some(acks));
        }
    }
}
