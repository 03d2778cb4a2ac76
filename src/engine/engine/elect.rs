//! `elect_leaders` (`kafka-leader-election.sh`, kafka-model §3.2, §3.8): an admin request the
//! controller answers partition by partition.

use super::Engine;
use crate::engine::command::ElectLeaders;
use crate::engine::error::CommandError;
use crate::engine::ids::NodeId;

impl Engine {
    /// Runs an admitted `elect_leaders` at the controller; the topic must exist by now.
    pub(super) fn elect_leaders(&mut self, e: &ElectLeaders) -> Result<(), CommandError> {
        let only = match (&e.topic, e.partition) {
            (Some(topic), Some(partition)) => {
                let t = self.topic(topic)?;
                let partition = self.catalog.topics[t.0 as usize].partitions.get(partition as usize).copied();
                Some(partition.ok_or_else(|| CommandError::new("partition", "no such partition"))?)
            }
            _ => None,
        };
        let election_type = e.election_type;
        self.with_node(NodeId::Controller, |parts, ctx| parts.controller.elect_leaders(election_type, only, ctx));
        Ok(())
    }
}
