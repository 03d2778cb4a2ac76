//! `compose.yaml`: one KRaft controller, one service per broker with the scenario's node ids and
//! racks, and a `tools` container the script runs Kafka's command-line tools in.
//!
//! Isolated mode (a controller process apart from the brokers), not combined: the simulator has one
//! controller that is no broker and never fails (ARCHITECTURE.md, "Modelling choices"), so
//! `docker kill kafka-1` must stop a broker and leave the quorum alone, as crash_broker does. One
//! voter, as the simulator has one controller; a production cluster runs three.

use super::quote::{kafka_env, yaml};
use super::{broker_service, Names, BROKER_PORT, CONTROLLER_PORT, IMAGE, NETWORK};
use crate::engine::{BrokerConfig, Scenario};
use std::fmt::Write as _;

/// The cluster id every node is formatted with: 16 bytes (`PartitionPlaygrd`) in base64url, as
/// `kafka-storage.sh random-uuid` prints one. Any fixed id does; the image has a default too.
const CLUSTER_ID: &str = "UGFydGl0aW9uUGxheWdyZA";

pub fn compose(scenario: &Scenario, names: &Names) -> String {
    let mut o = String::new();
    let voters = format!("{}@controller:{CONTROLLER_PORT}", names.controller_id);
    let config = cluster_settings(&scenario.cluster.config, names.brokers.len());
    // `write!` to a String cannot fail.
    let _ = writeln!(
        o,
        "# Partition Playground export (seed {}): the scenario's cluster on Apache Kafka, KRaft, no ZooKeeper.\n\
         # Isolated mode: one controller process apart from the brokers, as the simulator has one controller\n\
         # that is no broker and never fails (a production cluster runs three). Start: docker compose up -d\n\
         # Then: sh commands.sh (README.md says what each act stands for).\n\
         # The image reads server properties from KAFKA_* variables: . -> _, _ -> __, - -> ___, upper case\n\
         # (apache/kafka docker/examples/README.md). Every node gets the scenario's cluster settings: each acts\n\
         # on its own (the controller fences on broker.session.timeout.ms and elects, the brokers replicate).\n\
         name: {NETWORK}\n\
         services:",
        scenario.seed
    );
    let controller = [
        ("KAFKA_NODE_ID".to_string(), names.controller_id.to_string()),
        ("KAFKA_PROCESS_ROLES".into(), "controller".into()),
        ("KAFKA_CONTROLLER_QUORUM_VOTERS".into(), voters.clone()),
        ("KAFKA_CONTROLLER_LISTENER_NAMES".into(), "CONTROLLER".into()),
        ("KAFKA_LISTENERS".into(), format!("CONTROLLER://:{CONTROLLER_PORT}")),
        ("CLUSTER_ID".into(), CLUSTER_ID.into()),
        ("KAFKA_LOG_DIRS".into(), "/var/lib/kafka/data".into()),
    ];
    service(&mut o, "controller", &[], controller.iter().chain(&config));
    for b in &scenario.cluster.brokers {
        let name = broker_service(b.id);
        let mut env = vec![
            ("KAFKA_NODE_ID".to_string(), b.id.to_string()),
            ("KAFKA_PROCESS_ROLES".into(), "broker".into()),
            ("KAFKA_CONTROLLER_QUORUM_VOTERS".into(), voters.clone()),
            ("KAFKA_CONTROLLER_LISTENER_NAMES".into(), "CONTROLLER".into()),
            ("KAFKA_LISTENERS".into(), format!("PLAINTEXT://:{BROKER_PORT}")),
            ("KAFKA_ADVERTISED_LISTENERS".into(), format!("PLAINTEXT://{name}:{BROKER_PORT}")),
            ("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP".into(), "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT".into()),
            ("KAFKA_INTER_BROKER_LISTENER_NAME".into(), "PLAINTEXT".into()),
            ("CLUSTER_ID".into(), CLUSTER_ID.into()),
            ("KAFKA_LOG_DIRS".into(), "/var/lib/kafka/data".into()),
        ];
        if !b.rack.is_empty() {
            env.push((kafka_env("broker.rack"), b.rack.clone()));
        }
        service(&mut o, &name, &["controller"], env.iter().chain(&config));
    }
    let _ = writeln!(
        o,
        "  # Kafka's command-line tools (/opt/kafka/bin), run by commands.sh with docker exec: the clients\n\
         \x20 # live here, so a broker taken off the network is cut from them too.\n\
         \x20 tools:\n    image: {IMAGE}\n    container_name: tools\n    hostname: tools\n    \
         command: [\"tail\", \"-f\", \"/dev/null\"]\n    networks: [playground]\n\n\
         networks:\n  playground:\n    name: {NETWORK}"
    );
    o
}

/// One service: the image, its names, the network, what it waits for, its environment.
fn service<'a>(o: &mut String, name: &str, after: &[&str], env: impl Iterator<Item = &'a (String, String)>) {
    let _ = writeln!(o, "  {name}:\n    image: {IMAGE}\n    container_name: {name}\n    hostname: {name}");
    let _ = writeln!(o, "    networks: [playground]");
    if !after.is_empty() {
        let _ = writeln!(o, "    depends_on: [{}]", after.join(", "));
    }
    let _ = writeln!(o, "    environment:");
    for (key, value) in env {
        let _ = writeln!(o, "      {key}: {}", yaml(value));
    }
    let _ = writeln!(o);
}

/// The scenario's cluster-wide settings (all of them, defaults included, so the file says what the
/// simulator ran with), and the internal topics' replication sized to the cluster.
fn cluster_settings(c: &BrokerConfig, brokers: usize) -> Vec<(String, String)> {
    let internal_rf = brokers.clamp(1, 3).to_string();
    let mut out: Vec<(String, String)> = [
        ("broker.heartbeat.interval.ms", c.broker_heartbeat_interval_ms.to_string()),
        ("broker.session.timeout.ms", c.broker_session_timeout_ms.to_string()),
        ("replica.lag.time.max.ms", c.replica_lag_time_max_ms.to_string()),
        ("replica.fetch.wait.max.ms", c.replica_fetch_wait_max_ms.to_string()),
        ("replica.fetch.max.bytes", c.replica_fetch_max_bytes.to_string()),
        ("replica.fetch.backoff.ms", c.replica_fetch_backoff_ms.to_string()),
        ("min.insync.replicas", c.min_insync_replicas.to_string()),
        ("unclean.leader.election.enable", c.unclean_leader_election_enable.to_string()),
        ("unclean.leader.election.interval.ms", c.unclean_leader_election_interval_ms.to_string()),
        ("controlled.shutdown.enable", c.controlled_shutdown_enable.to_string()),
        ("auto.leader.rebalance.enable", c.auto_leader_rebalance_enable.to_string()),
        ("leader.imbalance.check.interval.seconds", c.leader_imbalance_check_interval_seconds.to_string()),
        // The simulator creates no topic on first use; the script creates the scenario's topics.
        ("auto.create.topics.enable", "false".to_string()),
        // The console consumer's group stores offsets in __consumer_offsets: at most as many replicas
        // as there are brokers (its default, 3, fails on a smaller cluster).
        ("offsets.topic.replication.factor", internal_rf),
        ("group.initial.rebalance.delay.ms", "0".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (kafka_env(k), v))
    .collect();
    if let Some(selector) = &c.replica_selector_class {
        out.push((kafka_env("replica.selector.class"), selector.clone()));
    }
    out
}
