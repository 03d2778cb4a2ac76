//! The rules of the configs: a broker's, the network's, a producer's and a consumer's, each value
//! in Kafka's bounds and the playground's ([`LIMITS`](crate::engine::LIMITS)).

use super::*;

/// Cluster-wide broker settings (kafka-model §1.1) and Kafka's rules between them.
pub fn check_broker_config(c: &BrokerConfig) -> Result<(), CommandError> {
    check_ms("broker.heartbeat.interval.ms", c.broker_heartbeat_interval_ms, 1)?;
    check_ms("broker.session.timeout.ms", c.broker_session_timeout_ms, 1)?;
    check_ms("replica.lag.time.max.ms", c.replica_lag_time_max_ms, 1)?;
    check_ms("replica.fetch.wait.max.ms", c.replica_fetch_wait_max_ms, 0)?;
    check_count("replica.fetch.max.bytes", c.replica_fetch_max_bytes)?;
    check_ms("replica.fetch.backoff.ms", c.replica_fetch_backoff_ms, 1)?;
    check_ms("unclean.leader.election.interval.ms", c.unclean_leader_election_interval_ms, 1)?;
    // Kafka: `atLeast(1)`; at most the day every other interval is held to.
    let seconds_max = LIMITS.config_ms_max / 1000;
    let seconds = c.leader_imbalance_check_interval_seconds;
    if !(1..=seconds_max).contains(&seconds) {
        let reason = format!("must be between 1 and {seconds_max} seconds (a day), found {seconds}");
        return fail("leader.imbalance.check.interval.seconds", reason);
    }
    let brokers_max = LIMITS.brokers_max;
    if c.min_insync_replicas == 0 || c.min_insync_replicas as usize > brokers_max {
        return fail(
            "min.insync.replicas",
            format!("must be between 1 and {brokers_max}, found {}", c.min_insync_replicas),
        );
    }
    if c.broker_session_timeout_ms <= c.broker_heartbeat_interval_ms {
        return fail(
            "broker.session.timeout.ms",
            format!(
                "must be longer than broker.heartbeat.interval.ms ({} ms), found {}",
                c.broker_heartbeat_interval_ms, c.broker_session_timeout_ms
            ),
        );
    }
    if c.replica_fetch_wait_max_ms > c.replica_lag_time_max_ms {
        return fail(
            "replica.fetch.wait.max.ms",
            format!(
                "must be at most replica.lag.time.max.ms ({} ms), as Kafka requires, found {}",
                c.replica_lag_time_max_ms, c.replica_fetch_wait_max_ms
            ),
        );
    }
    if c.replica_selector_class.as_deref().is_some_and(|class| class != RACK_AWARE_REPLICA_SELECTOR) {
        return fail("replica.selector.class", format!("only {RACK_AWARE_REPLICA_SELECTOR} is supported (or null)"));
    }
    Ok(())
}

/// A topic's retention and segment settings, as Kafka 4.0's `LogConfig` validates them.
pub fn check_log_config(c: &LogConfig) -> Result<(), CommandError> {
    for (field, value) in [("retention.ms", c.retention_ms), ("retention.bytes", c.retention_bytes)] {
        if value < -1 {
            return fail(field, format!("must be at least -1 (no limit), found {value}"));
        }
    }
    if c.segment_ms == 0 || c.segment_ms > i64::MAX as u64 {
        return fail("segment.ms", format!("must be at least 1 ms, found {}", c.segment_ms));
    }
    if c.segment_bytes < SEGMENT_BYTES_MIN || c.segment_bytes > i32::MAX as u64 {
        return fail(
            "segment.bytes",
            format!(
                "must be between {SEGMENT_BYTES_MIN} (1 MiB, Kafka 4.0's minimum) and {}, found {}",
                i32::MAX,
                c.segment_bytes
            ),
        );
    }
    Ok(())
}

/// The simulated network (not a Kafka config).
pub fn check_network(n: &NetworkConfig) -> Result<(), CommandError> {
    let max = LIMITS.latency_ms_max;
    for (field, ms) in [("latency.ms", n.latency_ms), ("jitter.ms", n.jitter_ms)] {
        if ms > max {
            return fail(field, format!("at most {max} ms, found {ms}"));
        }
    }
    Ok(())
}

/// Producer settings (kafka-model §1.2) and Kafka's rules between them.
pub fn check_producer_config(c: &ProducerConfig) -> Result<(), CommandError> {
    check_max_in_flight(c.max_in_flight_requests_per_connection)?;
    check_idempotence(c.acks, c.enable_idempotence, c.max_in_flight_requests_per_connection)?;
    check_ms("delivery.timeout.ms", c.delivery_timeout_ms, 1)?;
    check_ms("request.timeout.ms", c.request_timeout_ms, 1)?;
    check_ms("linger.ms", c.linger_ms, 0)?;
    check_count("batch.size", c.batch_size)?;
    check_ms("retry.backoff.ms", c.retry_backoff_ms, 0)?;
    check_ms("retry.backoff.max.ms", c.retry_backoff_max_ms, 0)?;
    check_ms("metadata.max.age.ms", c.metadata_max_age_ms, 1)?;
    if c.delivery_timeout_ms < c.linger_ms.saturating_add(c.request_timeout_ms) {
        return fail(
            "delivery.timeout.ms",
            format!(
                "must be at least linger.ms + request.timeout.ms ({} ms), as Kafka requires, found {}",
                c.linger_ms + c.request_timeout_ms,
                c.delivery_timeout_ms
            ),
        );
    }
    Ok(())
}

/// The most requests in flight per connection a scenario may ask for: Kafka has no cap, and past the
/// producer's own batches in flight more would change nothing (kafka-model §5.2).
const MAX_IN_FLIGHT_MAX: u32 = 100;

/// `max.in.flight.requests.per.connection`: at least 1 (Kafka's `atLeast(1)`), at most
/// [`MAX_IN_FLIGHT_MAX`].
fn check_max_in_flight(n: u32) -> Result<(), CommandError> {
    if !(1..=MAX_IN_FLIGHT_MAX).contains(&n) {
        let field = "max.in.flight.requests.per.connection";
        return fail(field, format!("from 1 to {MAX_IN_FLIGHT_MAX}, found {n}"));
    }
    Ok(())
}

/// An explicit `enable.idempotence=true` needs `acks=all` and at most 5 requests in flight per
/// connection: Kafka refuses the producer's config (a default idempotence is turned off instead,
/// KAFKA-13673, `ProducerConfig.postProcessAndValidateIdempotenceConfigs`; kafka-model §5.6).
pub(super) fn check_idempotence(
    acks: Acks,
    enable_idempotence: Option<bool>,
    max_in_flight: u32,
) -> Result<(), CommandError> {
    if enable_idempotence == Some(true) && max_in_flight > MAX_IN_FLIGHT_FOR_IDEMPOTENCE {
        return fail(
            "max.in.flight.requests.per.connection",
            format!(
                "the idempotent producer needs at most {MAX_IN_FLIGHT_FOR_IDEMPOTENCE} requests in flight per \
                 connection, found {max_in_flight} (Kafka refuses this with a ConfigException); set \
                 enable.idempotence to false or max.in.flight.requests.per.connection to 5 or less"
            ),
        );
    }
    if acks != Acks::All && enable_idempotence == Some(true) {
        return fail(
            "enable.idempotence",
            format!(
                "the idempotent producer needs acks=all, not acks={} (Kafka refuses this with a ConfigException); \
                 set enable.idempotence to false or acks to all",
                acks.as_str()
            ),
        );
    }
    Ok(())
}

/// Consumer settings (kafka-model §1.3).
pub fn check_consumer_config(c: &ConsumerConfig) -> Result<(), CommandError> {
    check_rack("client.rack", &c.client_rack)?;
    check_ms("fetch.max.wait.ms", c.fetch_max_wait_ms, 0)?;
    check_count("max.poll.records", c.max_poll_records as u64)?;
    check_ms("request.timeout.ms", c.request_timeout_ms, 1)?;
    check_ms("metadata.max.age.ms", c.metadata_max_age_ms, 1)?;
    check_ms("retry.backoff.ms", c.retry_backoff_ms, 0)?;
    Ok(())
}
