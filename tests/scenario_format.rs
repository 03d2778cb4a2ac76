//! The scenario format: every bad input is refused with the field's path and the reason, and every
//! scenario survives `to_json` and `parse`, and `encode` and `decode`, unchanged. Data-driven: one table, one `check`.

use partition_playground::scenario::{self, Scenario};
use serde_json::Value;

/// A valid scenario; each case replaces some of its top-level keys (`null` removes a key).
const BASE: &str = r#"{
  "format": 1,
  "seed": 7,
  "cluster": { "brokers": [ { "id": 1, "rack": "a" }, { "id": 2, "rack": "b" }, { "id": 3, "rack": "c" } ] },
  "topics": [ { "name": "orders", "partitions": 3, "replication.factor": 3, "config": { "min.insync.replicas": 2 } } ],
  "producers": [ { "name": "p1" } ],
  "consumers": [ { "name": "c1" } ],
  "commands": [ { "at_ms": 0, "consume": { "consumer": "c1", "topic": "orders" } } ]
}"#;

fn with(patch: &str) -> String {
    let mut base: Value = serde_json::from_str(BASE).expect("BASE is JSON");
    let patch: Value = serde_json::from_str(patch).unwrap_or_else(|e| panic!("bad test patch {patch}: {e}"));
    let (Value::Object(b), Value::Object(p)) = (&mut base, patch) else { panic!("objects") };
    for (k, v) in p {
        if v.is_null() {
            b.remove(&k);
        } else {
            b.insert(k, v);
        }
    }
    base.to_string()
}

/// (what, patch of BASE, expected error path, expected part of the reason); one case per line.
#[rustfmt::skip]
const BAD: &[(&str, &str, &str, &str)] = &[
    // Format version and top level.
    ("future format", r#"{"format": 2}"#, "format", "reads format 1, not 2"),
    ("no format", r#"{"format": null}"#, "format", "missing"),
    ("format as text", r#"{"format": "1"}"#, "format", "invalid type: string"),
    ("unknown top-level field", r#"{"until": 5}"#, "until", "unknown field"),
    ("negative seed", r#"{"seed": -1}"#, "seed", "invalid value"),
    ("no cluster", r#"{"cluster": null}"#, "cluster", "missing"),
    ("until before the last command", r#"{"until_ms": 10, "commands": [{"at_ms": 20, "crash_broker": {"broker": 1}}]}"#, "until_ms", "before the last command"),
    ("until past 30 days", r#"{"until_ms": 2592000001}"#, "until_ms", "30 days"),
    ("topics not a list", r#"{"topics": {"name": "x"}}"#, "topics", "expected a list"),
    // Cluster.
    ("no brokers", r#"{"cluster": {"brokers": []}}"#, "cluster.brokers", "1 to 256 brokers"),
    ("brokers missing", r#"{"cluster": {}}"#, "cluster.brokers", "missing"),
    ("unknown cluster field", r#"{"cluster": {"brokers": [{"id": 1}], "nodes": 3}}"#, "cluster.nodes", "unknown field"),
    ("duplicate broker id", r#"{"cluster": {"brokers": [{"id": 1}, {"id": 1}]}}"#, "cluster.brokers[1].id", "appears twice"),
    ("broker id as text", r#"{"cluster": {"brokers": [{"id": "1"}]}}"#, "cluster.brokers[0].id", "invalid type: string"),
    ("broker id too large", r#"{"cluster": {"brokers": [{"id": 1000001}]}}"#, "cluster.brokers[0].id", "between 0 and 1000000"),
    ("unknown broker field", r#"{"cluster": {"brokers": [{"id": 1, "host": "x"}]}}"#, "cluster.brokers[0].host", "unknown field"),
    ("bad rack", r#"{"cluster": {"brokers": [{"id": 1, "rack": "rack a"}]}}"#, "cluster.brokers[0].rack", "may only contain"),
    ("unknown broker config", r#"{"cluster": {"brokers": [{"id": 1}], "config": {"replica.lag.time.ms": 1}}}"#, "cluster.config.replica.lag.time.ms", "unknown field"),
    ("broker config wrong type", r#"{"cluster": {"brokers": [{"id": 1}], "config": {"broker.session.timeout.ms": "9s"}}}"#, "cluster.config.broker.session.timeout.ms", "invalid type"),
    ("session not longer than heartbeat", r#"{"cluster": {"brokers": [{"id": 1}], "config": {"broker.session.timeout.ms": 2000}}}"#, "cluster.config.broker.session.timeout.ms", "longer than broker.heartbeat.interval.ms"),
    ("lag time zero", r#"{"cluster": {"brokers": [{"id": 1}], "config": {"replica.lag.time.max.ms": 0}}}"#, "cluster.config.replica.lag.time.max.ms", "between 1 and 86400000"),
    ("timeout over a day", r#"{"cluster": {"brokers": [{"id": 1}], "config": {"unclean.leader.election.interval.ms": 86400001}}}"#, "cluster.config.unclean.leader.election.interval.ms", "a day"),
    ("fetch wait over lag time", r#"{"cluster": {"brokers": [{"id": 1}], "config": {"replica.lag.time.max.ms": 400}}}"#, "cluster.config.replica.fetch.wait.max.ms", "at most replica.lag.time.max.ms"),
    ("unknown selector", r#"{"cluster": {"brokers": [{"id": 1}], "config": {"replica.selector.class": "Mine"}}}"#, "cluster.config.replica.selector.class", "only org.apache.kafka.common.replica.RackAwareReplicaSelector"),
    ("ELR level past 1", r#"{"cluster": {"brokers": [{"id": 1}], "features": {"eligible.leader.replicas.version": 2}}}"#, "cluster.features.eligible.leader.replicas.version", "is 0 (off, Kafka 4.0's default) or 1"),
    ("unknown feature", r#"{"cluster": {"brokers": [{"id": 1}], "features": {"metadata.version": 1}}}"#, "cluster.features.metadata.version", "unknown feature"),
    ("feature wrong type", r#"{"cluster": {"brokers": [{"id": 1}], "features": {"eligible.leader.replicas.version": true}}}"#, "cluster.features.eligible.leader.replicas.version", "invalid type"),
    ("latency too high", r#"{"cluster": {"brokers": [{"id": 1}], "network": {"latency.ms": 60001}}}"#, "cluster.network.latency.ms", "at most 60000"),
    ("unknown network field", r#"{"cluster": {"brokers": [{"id": 1}], "network": {"loss": 0.1}}}"#, "cluster.network.loss", "unknown field"),
    // Topics.
    ("topic name with a slash", r#"{"topics": [{"name": "a/b", "partitions": 1, "replication.factor": 1}]}"#, "topics[0].name", "may only contain"),
    ("topic name empty", r#"{"topics": [{"name": "", "partitions": 1, "replication.factor": 1}]}"#, "topics[0].name", "cannot be empty"),
    ("topic name dot dot", r#"{"topics": [{"name": "..", "partitions": 1, "replication.factor": 1}]}"#, "topics[0].name", "cannot be"),
    ("topic twice", r#"{"topics": [{"name": "t", "partitions": 1, "replication.factor": 1}, {"name": "t", "partitions": 1, "replication.factor": 1}]}"#, "topics[1].name", "already exists"),
    ("zero partitions", r#"{"topics": [{"name": "t", "partitions": 0, "replication.factor": 1}]}"#, "topics[0].partitions", "1 to 10,000"),
    ("partitions as text", r#"{"topics": [{"name": "t", "partitions": "3", "replication.factor": 1}]}"#, "topics[0].partitions", "invalid type: string"),
    ("replication factor missing", r#"{"topics": [{"name": "t", "partitions": 3}]}"#, "topics[0].replication.factor", "missing"),
    ("replication factor above brokers", r#"{"topics": [{"name": "t", "partitions": 1, "replication.factor": 4}]}"#, "topics[0].replication.factor", "number of brokers (3)"),
    ("replication factor zero", r#"{"topics": [{"name": "t", "partitions": 1, "replication.factor": 0}]}"#, "topics[0].replication.factor", "between 1 and"),
    ("min ISR above RF", r#"{"topics": [{"name": "t", "partitions": 1, "replication.factor": 2, "config": {"min.insync.replicas": 3}}]}"#, "topics[0].config.min.insync.replicas", "replication factor (2)"),
    ("unknown topic config", r#"{"topics": [{"name": "t", "partitions": 1, "replication.factor": 2, "config": {"cleanup.policy": "compact"}}]}"#, "topics[0].config.cleanup.policy", "unknown field"),
    ("unknown topic field", r#"{"topics": [{"name": "t", "partitions": 1, "replication.factor": 2, "rf": 3}]}"#, "topics[0].rf", "unknown field"),
    // Clients.
    ("duplicate producer", r#"{"producers": [{"name": "p"}, {"name": "p"}]}"#, "producers[1].name", "appears twice"),
    ("duplicate consumer", r#"{"consumers": [{"name": "c"}, {"name": "c"}]}"#, "consumers[1].name", "appears twice"),
    ("client name with a colon", r#"{"producers": [{"name": "p:1"}]}"#, "producers[0].name", "may only contain"),
    ("bad acks", r#"{"producers": [{"name": "p", "config": {"acks": "2"}}]}"#, "producers[0].config.acks", "unknown variant `2`"),
    ("bad acks number", r#"{"producers": [{"name": "p", "config": {"acks": 2}}]}"#, "producers[0].config.acks", "unknown variant `2`"),
    ("idempotence with acks=1", r#"{"producers": [{"name": "p", "config": {"acks": "1", "enable.idempotence": true}}]}"#, "producers[0].config.enable.idempotence", "needs acks=all"),
    ("unknown producer config", r#"{"producers": [{"name": "p", "config": {"retries": 3}}]}"#, "producers[0].config.retries", "unknown field"),
    ("linger over a day", r#"{"producers": [{"name": "p", "config": {"linger.ms": 86400001, "delivery.timeout.ms": 86400000}}]}"#, "producers[0].config.linger.ms", "a day"),
    ("negative linger", r#"{"producers": [{"name": "p", "config": {"linger.ms": -5}}]}"#, "producers[0].config.linger.ms", "invalid value"),
    ("batch size zero", r#"{"producers": [{"name": "p", "config": {"batch.size": 0}}]}"#, "producers[0].config.batch.size", "between 1 and"),
    ("delivery timeout too short", r#"{"producers": [{"name": "p", "config": {"delivery.timeout.ms": 1000}}]}"#, "producers[0].config.delivery.timeout.ms", "linger.ms + request.timeout.ms"),
    ("auto.offset.reset NONE", r#"{"consumers": [{"name": "c", "config": {"auto.offset.reset": "NONE"}}]}"#, "consumers[0].config.auto.offset.reset", "unknown variant `NONE`"),
    ("bad client rack", r#"{"consumers": [{"name": "c", "config": {"client.rack": "a/b"}}]}"#, "consumers[0].config.client.rack", "may only contain"),
    ("max.poll.records zero", r#"{"consumers": [{"name": "c", "config": {"max.poll.records": 0}}]}"#, "consumers[0].config.max.poll.records", "between 1 and"),
    ("unknown consumer field", r#"{"consumers": [{"name": "c", "group": "g"}]}"#, "consumers[0].group", "unknown field"),
    // Commands.
    ("commands not a list", r#"{"commands": {"crash_broker": {"broker": 1}}}"#, "commands", "expected a list"),
    ("unknown command", r#"{"commands": [{"crash": {"broker": 1}}]}"#, "commands[0].crash", "unknown command"),
    ("two commands in one", r#"{"commands": [{"crash_broker": {"broker": 1}, "restart_broker": {"broker": 1}}]}"#, "commands[0]", "exactly one command"),
    ("only at_ms", r#"{"commands": [{"at_ms": 5}]}"#, "commands[0]", "exactly one command"),
    ("at_ms backwards", r#"{"commands": [{"at_ms": 500, "crash_broker": {"broker": 1}}, {"at_ms": 100, "restart_broker": {"broker": 1}}]}"#, "commands[1].at_ms", "earlier than the previous command (500 ms)"),
    ("at_ms behind advance_ms", r#"{"commands": [{"advance_ms": 1000}, {"at_ms": 999, "crash_broker": {"broker": 1}}]}"#, "commands[1].at_ms", "earlier than the previous command"),
    ("at_ms as text", r#"{"commands": [{"at_ms": "5", "crash_broker": {"broker": 1}}]}"#, "commands[0].at_ms", "invalid type"),
    ("advance_ms with a command", r#"{"commands": [{"advance_ms": 5, "crash_broker": {"broker": 1}}]}"#, "commands[0].crash_broker", "advance_ms stands alone"),
    ("unknown broker", r#"{"commands": [{"crash_broker": {"broker": 7}}]}"#, "commands[0].crash_broker.broker", "no broker 7 in the cluster"),
    ("broker missing", r#"{"commands": [{"restart_broker": {}}]}"#, "commands[0].restart_broker.broker", "missing"),
    ("unknown command field", r#"{"commands": [{"controlled_shutdown": {"broker": 1, "force": true}}]}"#, "commands[0].controlled_shutdown.force", "unknown field"),
    ("command body not an object", r#"{"commands": [{"crash_broker": 1}]}"#, "commands[0].crash_broker", "expected an object"),
    ("unknown producer", r#"{"commands": [{"produce": {"producer": "nobody", "topic": "orders", "value": "v"}}]}"#, "commands[0].produce.producer", "no producer named `nobody`"),
    ("unknown topic", r#"{"commands": [{"produce": {"producer": "p1", "topic": "payments", "value": "v"}}]}"#, "commands[0].produce.topic", "no topic `payments`"),
    ("produce without value", r#"{"commands": [{"produce": {"producer": "p1", "topic": "orders"}}]}"#, "commands[0].produce.value", "missing"),
    ("produce count zero", r#"{"commands": [{"produce": {"producer": "p1", "topic": "orders", "value": "v", "count": 0}}]}"#, "commands[0].produce.count", "1 to 1,000,000"),
    ("produce to a missing partition", r#"{"commands": [{"produce": {"producer": "p1", "topic": "orders", "value": "v", "partition": 3}}]}"#, "commands[0].produce.partition", "partitions 0 to 2"),
    ("produce with acks", r#"{"commands": [{"produce": {"producer": "p1", "topic": "orders", "value": "v", "acks": "1"}}]}"#, "commands[0].produce.acks", "the producer's setting, fixed when it is constructed"),
    // reconfigure_producer: close() and a new KafkaProducer (kafka-model §5.3, §5.6; KAFKA-13673).
    ("reconfigure unknown producer", r#"{"commands": [{"reconfigure_producer": {"producer": "p9", "config": {"acks": "1"}}}]}"#, "commands[0].reconfigure_producer.producer", "no producer named `p9`"),
    ("reconfigure nothing", r#"{"commands": [{"reconfigure_producer": {"producer": "p1", "config": {}}}]}"#, "commands[0].reconfigure_producer.config", "names no setting to change"),
    ("reconfigure without config", r#"{"commands": [{"reconfigure_producer": {"producer": "p1"}}]}"#, "commands[0].reconfigure_producer.config", "missing"),
    ("reconfigure explicit idempotence with acks=1", r#"{"commands": [{"reconfigure_producer": {"producer": "p1", "config": {"acks": 1, "enable.idempotence": true}}}]}"#, "commands[0].reconfigure_producer.config.enable.idempotence", "needs acks=all, not acks=1"),
    ("reconfigure idempotence kept acks=1", r#"{"producers": [{"name": "p1", "config": {"acks": "1"}}], "commands": [{"reconfigure_producer": {"producer": "p1", "config": {"enable.idempotence": true}}}]}"#, "commands[0].reconfigure_producer.config.enable.idempotence", "needs acks=all, not acks=1"),
    ("reconfigure idempotence after acks=1", r#"{"commands": [{"reconfigure_producer": {"producer": "p1", "config": {"acks": "1"}}}, {"reconfigure_producer": {"producer": "p1", "config": {"enable.idempotence": true}}}]}"#, "commands[1].reconfigure_producer.config.enable.idempotence", "not acks=1"),
    ("reconfigure bad acks", r#"{"commands": [{"reconfigure_producer": {"producer": "p1", "config": {"acks": "2"}}}]}"#, "commands[0].reconfigure_producer.config.acks", "unknown variant `2`"),
    ("reconfigure other setting", r#"{"commands": [{"reconfigure_producer": {"producer": "p1", "config": {"linger.ms": 10}}}]}"#, "commands[0].reconfigure_producer.config.linger.ms", "unknown field"),
    ("reconfigure unknown field", r#"{"commands": [{"reconfigure_producer": {"producer": "p1", "acks": "1"}}]}"#, "commands[0].reconfigure_producer.acks", "unknown field"),
    // seek: KafkaConsumer.seek / seekToBeginning / seekToEnd (kafka-model §6.3).
    ("seek unknown consumer", r#"{"commands": [{"seek": {"consumer": "c9", "topic": "orders", "partition": 0, "to": "end"}}]}"#, "commands[0].seek.consumer", "no consumer named `c9`"),
    ("seek unknown topic", r#"{"commands": [{"seek": {"consumer": "c1", "topic": "payments", "partition": 0, "to": "end"}}]}"#, "commands[0].seek.topic", "no topic `payments`"),
    ("seek missing partition", r#"{"commands": [{"seek": {"consumer": "c1", "topic": "orders", "partition": 3, "to": "end"}}]}"#, "commands[0].seek.partition", "partitions 0 to 2, found 3"),
    ("seek past any log", r#"{"commands": [{"seek": {"consumer": "c1", "topic": "orders", "partition": 0, "to": {"offset": 1000001}}}]}"#, "commands[0].seek.to.offset", "0 to 1,000,000 (no log holds more records), found 1000001"),
    ("seek negative offset", r#"{"commands": [{"seek": {"consumer": "c1", "topic": "orders", "partition": 0, "to": {"offset": -1}}}]}"#, "commands[0].seek.to", "invalid value: integer `-1`"),
    ("seek to nowhere", r#"{"commands": [{"seek": {"consumer": "c1", "topic": "orders", "partition": 0, "to": "start"}}]}"#, "commands[0].seek.to", "unknown variant `start`"),
    ("seek without to", r#"{"commands": [{"seek": {"consumer": "c1", "topic": "orders", "partition": 0}}]}"#, "commands[0].seek.to", "missing"),
    ("seek unknown field", r#"{"commands": [{"seek": {"consumer": "c1", "topic": "orders", "partition": 0, "offset": 5}}]}"#, "commands[0].seek.offset", "unknown field"),
    ("produce unknown field", r#"{"commands": [{"produce": {"producer": "p1", "topic": "orders", "value": "v", "headers": {}}}]}"#, "commands[0].produce.headers", "unknown field"),
    ("unknown consumer", r#"{"commands": [{"consume": {"consumer": "c9", "topic": "orders"}}]}"#, "commands[0].consume.consumer", "no consumer named `c9`"),
    ("consume unknown topic", r#"{"commands": [{"consume": {"consumer": "c1", "topic": "x"}}]}"#, "commands[0].consume.topic", "no topic `x`"),
    ("bad node name", r#"{"commands": [{"cut_link": {"between": ["broker:1", "brokr:2"]}}]}"#, "commands[0].cut_link.between", "`brokr:2` is not a node"),
    ("unknown node", r#"{"commands": [{"cut_link": {"between": ["broker:1", "producer:p9"]}}]}"#, "commands[0].cut_link.between[1]", "no node `producer:p9`"),
    ("link to itself", r#"{"commands": [{"heal_link": {"between": ["broker:1", "broker:1"]}}]}"#, "commands[0].heal_link.between", "two different nodes"),
    ("link of one node", r#"{"commands": [{"cut_link": {"between": ["broker:1"]}}]}"#, "commands[0].cut_link.between", "length 2"),
    ("stalled as text", r#"{"commands": [{"slow_replica": {"broker": 1, "stalled": "yes"}}]}"#, "commands[0].slow_replica.stalled", "expected true or false"),
    ("create_topic twice", r#"{"commands": [{"create_topic": {"name": "orders", "partitions": 1, "replication.factor": 1}}]}"#, "commands[0].create_topic.name", "already exists"),
    ("create_topic RF above brokers", r#"{"commands": [{"create_topic": {"name": "t", "partitions": 1, "replication.factor": 5}}]}"#, "commands[0].create_topic.replication.factor", "number of brokers (3)"),
    ("create_topic bad config", r#"{"commands": [{"create_topic": {"name": "t", "partitions": 1, "replication.factor": 1, "config": {"min.insync.replicas": "two"}}}]}"#, "commands[0].create_topic.config.min.insync.replicas", "invalid type"),
    // Manual replica assignment (Kafka's `validateManualPartitionAssignment`).
    ("assignment: fewer lists than partitions", r#"{"topics": [{"name": "orders", "partitions": 3, "replication.factor": 3, "replica.assignment": [[1, 2, 3], [2, 3, 1]]}]}"#, "topics[0].replica.assignment", "`partitions` is 3, found 2 lists"),
    ("assignment: empty list", r#"{"topics": [{"name": "orders", "partitions": 1, "replication.factor": 1, "replica.assignment": [[]]}]}"#, "topics[0].replica.assignment[0]", "includes an empty replica list"),
    ("assignment: list shorter than RF", r#"{"topics": [{"name": "orders", "partitions": 2, "replication.factor": 3, "replica.assignment": [[1, 2, 3], [2, 3]]}]}"#, "topics[0].replica.assignment[1]", "a partition with 2 replica(s), but `replication.factor` is 3"),
    ("assignment: unknown broker", r#"{"topics": [{"name": "orders", "partitions": 3, "replication.factor": 3, "replica.assignment": [[1, 2, 3], [2, 3, 1], [3, 1, 9]]}]}"#, "topics[0].replica.assignment[2][2]", "includes broker 9, but no such broker is registered"),
    ("assignment: broker twice", r#"{"topics": [{"name": "orders", "partitions": 3, "replication.factor": 3, "replica.assignment": [[1, 2, 3], [2, 3, 1], [3, 3, 2]]}]}"#, "topics[0].replica.assignment[2][1]", "includes the broker 3 more than once"),
    ("assignment: not numbers", r#"{"topics": [{"name": "orders", "partitions": 1, "replication.factor": 1, "replica.assignment": [["1"]]}]}"#, "topics[0].replica.assignment", "invalid type: string"),
    ("create_topic assignment: unknown broker", r#"{"commands": [{"create_topic": {"name": "t", "partitions": 1, "replication.factor": 2, "replica.assignment": [[4, 1]]}}]}"#, "commands[0].create_topic.replica.assignment[0][0]", "includes broker 4"),
    ("produce before create_topic", r#"{"commands": [{"produce": {"producer": "p1", "topic": "t", "value": "v"}}, {"create_topic": {"name": "t", "partitions": 1, "replication.factor": 1}}]}"#, "commands[0].produce.topic", "no topic `t`"),
    ("change_config min ISR above RF", r#"{"commands": [{"change_config": {"topic": "orders", "min.insync.replicas": 4}}]}"#, "commands[0].change_config.min.insync.replicas", "replication factor of `orders` (3)"),
    ("change_config nothing", r#"{"commands": [{"change_config": {"topic": "orders"}}]}"#, "commands[0].change_config", "names no setting"),
    ("change_config both targets", r#"{"commands": [{"change_config": {"topic": "orders", "consumer": "c1", "client.rack": "a"}}]}"#, "commands[0].change_config", "exactly one of `topic` or `consumer`"),
    ("change_config rack on topic", r#"{"commands": [{"change_config": {"topic": "orders", "client.rack": "a"}}]}"#, "commands[0].change_config.client.rack", "consumer setting"),
    ("change_config unclean as text", r#"{"commands": [{"change_config": {"topic": "orders", "unclean.leader.election.enable": "yes"}}]}"#, "commands[0].change_config.unclean.leader.election.enable", "expected true or false"),
];

#[test]
fn topic_name_of_250_characters() {
    let patch =
        format!(r#"{{"topics": [{{"name": "{}", "partitions": 1, "replication.factor": 1}}]}}"#, "t".repeat(250));
    let e = scenario::parse(&with(&patch)).unwrap_err();
    assert_eq!(e.path, "topics[0].name");
    assert!(e.reason.contains("at most 249 characters"), "{e}");
    let ok = format!(
        r#"{{"topics": [{{"name": "{}", "partitions": 1, "replication.factor": 1}}], "commands": []}}"#,
        "t".repeat(249)
    );
    assert!(scenario::parse(&with(&ok)).is_ok());
}

#[test]
fn bad_scenarios_name_the_field_and_the_reason() {
    assert!(scenario::parse(BASE).is_ok(), "BASE must be valid: {:?}", scenario::parse(BASE));
    let mut failures = Vec::new();
    for (what, patch, path, reason) in BAD {
        match scenario::parse(&with(patch)) {
            Ok(_) => failures.push(format!("{what}: accepted, expected `{path}: ...{reason}...`")),
            Err(e) if e.path != *path || !e.reason.contains(reason) => {
                failures.push(format!("{what}: got `{e}`, expected `{path}: ...{reason}...`"))
            }
            Err(e) => assert_eq!(e.to_string(), format!("{}: {}", e.path, e.reason)),
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), BAD.len(), failures.join("\n"));
}

#[test]
fn not_json_is_an_error_without_a_path() {
    for text in ["", "{", "not json", "{\"format\": 1,}"] {
        let e = scenario::parse(text).unwrap_err();
        assert_eq!(e.path, "");
        assert!(e.reason.starts_with("not valid JSON"), "{e}");
    }
    let e = scenario::parse("[1, 2]").unwrap_err();
    assert!(e.reason.contains("a scenario is a JSON object"), "{e}");
}

/// Kafka's rule (KAFKA-13673): idempotence left at its default is off when acks is not `all`. The
/// engine applies it, so a binary code or a scenario built in Rust gets the same producers as JSON.
#[test]
fn acks_below_all_turns_default_idempotence_off() {
    let s = scenario::parse(&with(r#"{"producers": [{"name": "a", "config": {"acks": 1}}, {"name": "b", "config": {"acks": "0", "enable.idempotence": false}}, {"name": "c"}]}"#)).unwrap();
    let idem: Vec<bool> = s.producers.iter().map(|p| p.config.idempotent()).collect();
    assert_eq!(idem, [false, false, true]);
    let decoded = scenario::decode(&scenario::encode(&s)).expect("the same scenario as a code");
    assert_eq!(decoded, s);
    let engine = partition_playground::engine::Engine::new(&decoded).expect("valid");
    let view = engine.view(Default::default());
    let idem: Vec<bool> = view.producers.iter().map(|p| p.enable_idempotence).collect();
    assert_eq!(idem, [false, false, true]);
}

#[test]
fn timing_at_ms_advance_ms_and_the_default_until() {
    let s = scenario::parse(&with(
        r#"{"commands": [
            {"crash_broker": {"broker": 1}},
            {"advance_ms": 1500},
            {"restart_broker": {"broker": 1}},
            {"at_ms": 4000, "crash_broker": {"broker": 2}},
            {"advance_ms": 10}
        ]}"#,
    ))
    .unwrap();
    let times: Vec<u64> = s.commands.iter().map(|c| c.at_ms).collect();
    assert_eq!(times, [0, 1500, 4000]);
    assert_eq!(s.until_ms, 4010 + scenario::DEFAULT_SETTLE_MS);
}

fn round_trip(name: &str, text: &str) {
    let s: Scenario = scenario::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let json = s.to_json();
    let again =
        scenario::parse(&json).unwrap_or_else(|e| panic!("{name}: to_json gave an unreadable scenario: {e}\n{json}"));
    assert_eq!(s, again, "{name}: round trip changed the scenario");
    assert_eq!(json, again.to_json(), "{name}: to_json is not stable");
    assert_eq!(scenario::decode(&scenario::encode(&s)).as_ref(), Ok(&s), "{name}: binary code round trip");
}

/// JSON written before `replica.assignment` existed reads and writes as it did: the key is written
/// only when given. (The binary code always carries it: postcard knows fields by position.)
#[test]
fn replica_assignment_is_written_only_when_given() {
    let s = scenario::parse(BASE).unwrap();
    assert!(!s.to_json().contains("replica.assignment"), "{}", s.to_json());
    let pinned = with(
        r#"{"topics": [{"name": "orders", "partitions": 2, "replication.factor": 2, "replica.assignment": [[2, 1], [3, 2]]}]}"#,
    );
    let s = scenario::parse(&pinned).unwrap();
    assert!(s.to_json().contains(r#""replica.assignment": ["#), "{}", s.to_json());
    round_trip("pinned", &pinned);
}

#[test]
fn round_trip_default_scenario() {
    round_trip("www/scenarios/default.json", include_str!("../www/scenarios/default.json"));
}

#[test]
fn round_trip_docs_example() {
    round_trip("docs/scenario-format.md", &docs_example());
}

#[test]
fn round_trip_every_command_and_config() {
    round_trip(
        "all commands",
        &with(
            r#"{
            "cluster": {"brokers": [{"id": 1, "rack": "a"}, {"id": 2}, {"id": 3}],
                        "config": {"unclean.leader.election.enable": true, "replica.selector.class": "org.apache.kafka.common.replica.RackAwareReplicaSelector"},
                        "network": {"latency.ms": 0, "jitter.ms": 0}},
            "producers": [{"name": "p1", "config": {"acks": "1", "linger.ms": 0}}, {"name": "p2", "config": {"acks": "-1"}}],
            "consumers": [{"name": "c1", "config": {"client.rack": "a", "auto.offset.reset": "none"}}],
            "commands": [
                {"produce": {"producer": "p1", "topic": "orders", "key": "k", "value": "v", "count": 3, "partition": 2}},
                {"produce": {"producer": "p2", "topic": "orders", "value": "null key"}},
                {"consume": {"consumer": "c1", "topic": "orders"}},
                {"at_ms": 100, "crash_broker": {"broker": 1}},
                {"advance_ms": 50},
                {"restart_broker": {"broker": 1}},
                {"controlled_shutdown": {"broker": 2}},
                {"cut_link": {"between": ["controller", "broker:3"]}},
                {"heal_link": {"between": ["producer:p1", "consumer:c1"]}},
                {"slow_replica": {"broker": 3, "stalled": true}},
                {"create_topic": {"name": "audit.log_v2", "partitions": 2, "replication.factor": 2, "config": {"unclean.leader.election.enable": false}}},
                {"create_topic": {"name": "pinned", "partitions": 2, "replication.factor": 2, "replica.assignment": [[3, 1], [1, 2]]}},
                {"change_config": {"topic": "audit.log_v2", "min.insync.replicas": 2}},
                {"change_config": {"consumer": "c1", "client.rack": ""}},
                {"reconfigure_producer": {"producer": "p1", "config": {"acks": 0}}},
                {"reconfigure_producer": {"producer": "p2", "config": {"acks": "all", "enable.idempotence": false}}},
                {"reconfigure_producer": {"producer": "p2", "config": {"enable.idempotence": true}}},
                {"seek": {"consumer": "c1", "topic": "orders", "partition": 1, "to": {"offset": 4}}},
                {"seek": {"consumer": "c1", "topic": "orders", "partition": 0, "to": "beginning"}},
                {"seek": {"consumer": "c1", "topic": "orders", "partition": 2, "to": "end"}}
            ],
            "until_ms": 60000
        }"#,
        ),
    );
}

/// The complete example of docs/scenario-format.md: the first ```json block after "## Complete example".
fn docs_example() -> String {
    let doc = include_str!("../docs/scenario-format.md");
    let section = doc.split("## Complete example").nth(1).expect("docs have a `## Complete example` section");
    let block = section.split("```json").nth(1).expect("with a ```json block");
    block.split("```").next().expect("closed").to_string()
}

#[test]
fn docs_example_is_examples_leader_crash() {
    let file = scenario::parse(include_str!("../examples/leader-crash.json")).unwrap();
    assert_eq!(
        scenario::parse(&docs_example()).unwrap(),
        file,
        "docs/scenario-format.md and examples/leader-crash.json differ"
    );
}

/// Every path of a JSON value (object keys and list indices), leaves and inner nodes.
fn paths(v: &Value, here: Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let mut p = here.clone();
                p.push(PathStep::Key(k.clone()));
                out.push(p.clone());
                paths(child, p, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                let mut p = here.clone();
                p.push(PathStep::Index(i));
                out.push(p.clone());
                paths(child, p, out);
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at<'a>(v: &'a mut Value, path: &[PathStep]) -> &'a mut Value {
    path.iter().fold(v, |v, step| match step {
        PathStep::Key(k) => &mut v[k.as_str()],
        PathStep::Index(i) => &mut v[*i],
    })
}

/// Every single mutation of valid scenarios (each field replaced by odd values, or removed) gives
/// `Ok` or an error naming a field; never a panic. What is accepted round-trips.
#[test]
fn single_mutations_never_panic_and_accepted_ones_round_trip() {
    let odd: Vec<Value> = serde_json::from_str(
        r#"[null, true, -1, 0, 1, 1.5, 4294967296, 18446744073709551615, "", "x", "broker:9", [], [1, 2], {}, {"x": 1}]"#,
    )
    .unwrap();
    let mut checked = 0;
    for text in [BASE.to_string(), include_str!("../examples/leader-crash.json").to_string()] {
        let base: Value = serde_json::from_str(&text).unwrap();
        let mut all = Vec::new();
        paths(&base, Vec::new(), &mut all);
        for path in &all {
            let mut variants: Vec<Value> = odd
                .iter()
                .map(|o| {
                    let mut v = base.clone();
                    *at(&mut v, path) = o.clone();
                    v
                })
                .collect();
            if let (Some((last, parent)), true) = (path.split_last(), true) {
                let mut v = base.clone();
                match (at(&mut v, parent), last) {
                    (Value::Object(m), PathStep::Key(k)) => {
                        m.remove(k);
                    }
                    (Value::Array(a), PathStep::Index(i)) => {
                        a.remove(*i);
                    }
                    _ => {}
                }
                variants.push(v);
            }
            for v in variants {
                checked += 1;
                match scenario::from_value(v.clone()) {
                    Ok(s) => {
                        assert_eq!(scenario::parse(&s.to_json()).as_ref(), Ok(&s), "round trip of {v}");
                        assert_eq!(scenario::decode(&scenario::encode(&s)).as_ref(), Ok(&s), "code of {v}");
                    }
                    Err(e) => assert!(!e.reason.is_empty(), "{v}"),
                }
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}
