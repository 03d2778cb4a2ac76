//! The way out to a real cluster: a scenario as the files that set it up on Apache Kafka 4.x in
//! Docker (`compose.yaml`), play its commands as real acts in time order (`commands.sh`), and say
//! where the two differ (`README.md`). Pure: text in, text out, no I/O, so the runner writes the
//! files and the page could offer them for download.
//!
//! Built on what Apache Kafka documents: the image's configuration by environment variables and
//! its KRaft compose examples (apache/kafka `docker/examples/README.md`,
//! `docker/examples/docker-compose-files/cluster/isolated/plaintext/docker-compose.yml`), and the
//! command-line tools' options (`TopicCommand`, `ConfigCommand`, `ConsoleProducer`,
//! `ConsoleConsumer` in apache/kafka `tools/`).

mod act;
mod compose;
mod quote;
mod script;

pub use act::{describe, Act, Acts};
pub use quote::{kafka_env, shell, yaml};

use crate::engine::{BrokerId, ConsumerConfig, ProducerConfig, Scenario};

/// The official image (Docker Hub `apache/kafka`), Kafka 4.1.0: KRaft only (4.0 removed
/// ZooKeeper), and the release whose defaults the engine follows (kafka-model §1).
pub const IMAGE: &str = "apache/kafka:4.1.0";
/// The Docker network every container is on: a cut link takes a broker off it.
pub const NETWORK: &str = "partition-playground";
/// The brokers' listener for clients and replication.
pub const BROKER_PORT: u16 = 9092;
/// The controller's listener (KRaft).
pub const CONTROLLER_PORT: u16 = 9093;

/// The files, as (path relative to the output directory, contents), in a fixed order.
pub fn export(scenario: &Scenario) -> Vec<(String, String)> {
    let names = Names::of(scenario);
    let mut acts = Acts::new(&names);
    let timeline: Vec<(u64, String, Act)> =
        scenario.commands.iter().map(|c| (c.at_ms, describe(&c.command), acts.act(&c.command))).collect();
    vec![
        ("compose.yaml".to_string(), compose::compose(scenario, &names)),
        ("commands.sh".to_string(), script::commands(scenario, &names, &timeline)),
        ("README.md".to_string(), script::readme(scenario, &names, &timeline)),
    ]
}

/// The container (and service, and host name) of a broker: `kafka-<node id>`.
pub fn broker_service(id: BrokerId) -> String {
    format!("kafka-{id}")
}

/// What the exported files call things: the clients by index (shell functions cannot hold every
/// character a name may have), and the controller's node id (one no broker has).
pub struct Names {
    pub producers: Vec<(String, ProducerConfig)>,
    pub consumers: Vec<(String, ConsumerConfig)>,
    pub brokers: Vec<BrokerId>,
    pub controller_id: u32,
}

impl Names {
    pub fn of(scenario: &Scenario) -> Names {
        let brokers: Vec<BrokerId> = scenario.cluster.brokers.iter().map(|b| b.id).collect();
        Names {
            producers: scenario.producers.iter().map(|p| (p.name.clone(), p.config.clone())).collect(),
            consumers: scenario.consumers.iter().map(|c| (c.name.clone(), c.config.clone())).collect(),
            controller_id: brokers.iter().map(|b| b.0).max().unwrap_or(0) + 1,
            brokers,
        }
    }

    fn producer(&self, name: &str) -> Option<usize> {
        self.producers.iter().position(|(n, _)| n == name)
    }

    fn consumer(&self, name: &str) -> Option<usize> {
        self.consumers.iter().position(|(n, _)| n == name)
    }

    /// `bootstrap.servers` for the clients: every broker.
    pub fn bootstrap(&self) -> String {
        let all: Vec<String> = self.brokers.iter().map(|b| format!("{}:{BROKER_PORT}", broker_service(*b))).collect();
        all.join(",")
    }
}
