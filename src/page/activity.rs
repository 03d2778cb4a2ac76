//! What a client is doing, in a line for its panel: never "talking to nobody" while records wait.
//! Also the brokers list the panels write (`broker 1, broker 2`).

use crate::engine::{BrokerId, ProducerView, SendStatus};

/// The producer's requests in flight, or why it has none while records wait (kafka-model §5.4:
/// a retriable error sends the batch back to the accumulator, to wait `retry.backoff.ms` and for
/// fresh metadata before the next attempt).
pub fn producer_activity(p: &ProducerView) -> String {
    if !p.talking_to.is_empty() {
        return format!("requests in flight to {}", brokers_list(&p.talking_to));
    }
    let retrying = p.sends.iter().find_map(|s| match &s.status {
        SendStatus::Pending { attempts, last_error: Some(e) } => Some((*attempts, *e)),
        _ => None,
    });
    let waiting = p.pending_records;
    match retrying {
        Some((attempts, e)) => format!(
            "retrying: {waiting} record(s) wait for the next attempt (attempt {attempts} failed with {e}; \
             retry.backoff.ms, then fresh metadata)"
        ),
        None if waiting > 0 => format!("{waiting} record(s) wait to be sent (linger.ms, or no leader known yet)"),
        None => "idle: nothing to send".into(),
    }
}

/// `broker 1, broker 2`; `nobody` for none.
pub fn brokers_list(list: &[BrokerId]) -> String {
    if list.is_empty() {
        return "nobody".into();
    }
    list.iter().map(|b| format!("broker {b}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{BrokerId, Command, Produce, ViewOptions};
    use crate::page::tests::default_engine;

    fn activity(engine: &crate::engine::Engine) -> String {
        producer_activity(&engine.view(ViewOptions::default()).producers[0])
    }

    #[test]
    fn a_producer_retrying_says_so_instead_of_talking_to_nobody() {
        let mut engine = default_engine();
        assert_eq!(activity(&engine), "idle: nothing to send");
        // Two of three brokers down: min.insync.replicas=2 cannot be met, acks=all sends are refused
        // with NOT_ENOUGH_REPLICAS and retried.
        engine.apply(Command::CrashBroker { broker: BrokerId(2) }).expect("a valid command");
        engine.apply(Command::CrashBroker { broker: BrokerId(3) }).expect("a valid command");
        engine.advance_to(20_000, u64::MAX).expect("progress");
        let produce = Produce {
            producer: "producer-1".into(),
            topic: "orders".into(),
            key: None,
            value: "v".into(),
            count: 1,
            partition: None,
        };
        engine.apply(Command::Produce(produce)).expect("a valid command");
        let mut seen = Vec::new();
        for t in (20_000..30_000).step_by(7) {
            engine.advance_to(t, u64::MAX).expect("progress");
            let a = activity(&engine);
            assert_ne!(a, "idle: nothing to send", "at {t} ms a record is still pending");
            seen.push(a);
        }
        assert!(seen.iter().any(|a| a.starts_with("requests in flight to broker 1")), "{seen:?}");
        assert!(
            seen.iter().any(|a| a.starts_with("retrying: 1 record(s)") && a.contains("NOT_ENOUGH_REPLICAS")),
            "{seen:?}"
        );
    }
}
