//! `add_broker` and `reassign_partitions` (kafka-model §2.3, KIP-455): a broker joins the running
//! cluster as any starting broker does; a reassignment is an admin request the controller answers.

use super::Engine;
use crate::engine::broker::Broker;
use crate::engine::command::ReassignPartitions;
use crate::engine::error::CommandError;
use crate::engine::event::EventKind;
use crate::engine::ids::{BrokerId, NodeId};

impl Engine {
    /// An admitted new broker: in the catalog and the brokers at its place in id order, then its
    /// process starts and registers (fenced until it has caught up on metadata, §2.3.2).
    pub(super) fn add_broker(&mut self, broker: BrokerId, rack: String) {
        let i = self.catalog.brokers.partition_point(|(id, _)| *id < broker);
        self.catalog.brokers.insert(i, (broker, rack.clone()));
        self.brokers.insert(i, Broker::new(broker, rack.clone()));
        self.push_event(EventKind::BrokerAdded { broker, rack });
        self.with_node(NodeId::Broker(broker), |e, ctx| e.brokers[i].restart(ctx));
    }

    /// Runs an admitted `reassign_partitions` at the controller; the topic must exist by now.
    pub(super) fn reassign_partitions(&mut self, r: &ReassignPartitions) -> Result<(), CommandError> {
        let t = self.topic(&r.topic)?;
        let partition = self.catalog.topics[t.0 as usize].partitions.get(r.partition as usize).copied();
        let partition = partition.ok_or_else(|| CommandError::new("partition", "no such partition"))?;
        let target = r.replicas.as_deref();
        self.with_node(NodeId::Controller, |parts, ctx| {
            parts.controller.alter_partition_reassignment(partition, target, ctx)
        });
        Ok(())
    }
}
