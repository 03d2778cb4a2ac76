//! What the cluster is made of: brokers, topics, partitions and client names. Topic configs are read
//! from here by every broker, i.e. config changes propagate instantly (the metadata delay of a config
//! record is too small to matter to any outcome the playground shows).

use super::command::TopicSpec;
use super::config::{BrokerConfig, TopicConfig};
use super::ids::*;
use super::setup::ClusterFeatures;

#[derive(Clone, Debug)]
pub struct Topic {
    pub name: String,
    /// The controller's current settings (changed by `change_config`).
    pub config: TopicConfig,
    /// `min.insync.replicas` as the topic was created with: what a broker applies until a change
    /// reaches it through the metadata log.
    pub min_insync_replicas_at_creation: Option<u32>,
    pub replication_factor: u32,
    pub partitions: Vec<PartitionIdx>,
}

#[derive(Clone, Debug)]
pub struct PartitionInfo {
    pub topic: TopicIdx,
    pub number: u32,
}

#[derive(Clone, Debug)]
pub struct Catalog {
    pub config: BrokerConfig,
    /// Cluster features, fixed for the scenario's life (kafka-model §4.9).
    pub features: ClusterFeatures,
    /// Ascending ids, with `broker.rack`.
    pub brokers: Vec<(BrokerId, String)>,
    pub topics: Vec<Topic>,
    pub partitions: Vec<PartitionInfo>,
    pub producers: Vec<String>,
    pub consumers: Vec<String>,
}

impl Catalog {
    pub fn topic(&self, p: PartitionIdx) -> &Topic {
        &self.topics[self.partitions[p.0 as usize].topic.0 as usize]
    }

    pub fn topic_by_name(&self, name: &str) -> Option<TopicIdx> {
        self.topics.iter().position(|t| t.name == name).map(|i| TopicIdx(i as u32))
    }

    /// `orders-0`.
    pub fn partition_name(&self, p: PartitionIdx) -> String {
        match self.partitions.get(p.0 as usize) {
            Some(info) => format!("{}-{}", self.topics[info.topic.0 as usize].name, info.number),
            None => format!("partition #{}", p.0),
        }
    }

    /// `min(min.insync.replicas, replication factor)` (kafka-model §1.1, `Partition.effectiveMinIsr`).
    pub fn effective_min_isr(&self, p: PartitionIdx) -> usize {
        let topic = self.topic(p);
        let configured = topic.config.min_insync_replicas.unwrap_or(self.config.min_insync_replicas);
        configured.min(topic.replication_factor) as usize
    }

    /// `eligible.leader.replicas.version` >= 1 (kafka-model §4.9).
    pub fn elr_enabled(&self) -> bool {
        self.features.elr_enabled()
    }

    pub fn unclean_leader_election_enable(&self, p: PartitionIdx) -> bool {
        self.topic(p).config.unclean_leader_election_enable.unwrap_or(self.config.unclean_leader_election_enable)
    }

    pub fn rack_of(&self, broker: BrokerId) -> &str {
        self.brokers.iter().find(|(id, _)| *id == broker).map_or("", |(_, rack)| rack.as_str())
    }

    pub fn broker_index(&self, broker: BrokerId) -> Option<usize> {
        self.brokers.binary_search_by_key(&broker, |(id, _)| *id).ok()
    }

    /// Adds the topic and its partitions; the controller then assigns replicas.
    pub fn add_topic(&mut self, spec: &TopicSpec) -> TopicIdx {
        let topic = TopicIdx(self.topics.len() as u32);
        let first = self.partitions.len() as u32;
        let partitions = (0..spec.partitions).map(|n| PartitionIdx(first + n)).collect();
        for number in 0..spec.partitions {
            self.partitions.push(PartitionInfo { topic, number });
        }
        self.topics.push(Topic {
            name: spec.name.clone(),
            config: spec.config.clone(),
            min_insync_replicas_at_creation: spec.config.min_insync_replicas,
            replication_factor: spec.replication_factor,
            partitions,
        });
        topic
    }
}
