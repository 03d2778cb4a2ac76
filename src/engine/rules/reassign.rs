//! The rules of `add_broker` and `reassign_partitions`: the input's bounds. What Kafka's controller
//! refuses (an empty or repeated list, an unregistered broker, a cancel with nothing to cancel) is
//! its answer, an event ([`ReassignmentRefusal`](crate::engine::ReassignmentRefusal)), not a
//! refusal of the input.

use super::{check_rack, fail, thousands, Cost, Ledger};
use crate::engine::command::ReassignPartitions;
use crate::engine::error::CommandError;
use crate::engine::ids::BrokerId;
use crate::engine::limits::LIMITS;

impl Ledger {
    /// A new broker id, within the id range and the cluster's size and work bounds.
    pub(super) fn check_add_broker(&self, broker: BrokerId, rack: &str) -> Result<Cost, CommandError> {
        if broker.0 > LIMITS.broker_id_max {
            return fail("broker", format!("a broker id is between 0 and {}", LIMITS.broker_id_max));
        }
        if self.brokers.contains(&broker) {
            return fail("broker", format!("broker {broker} is already in the cluster"));
        }
        if self.brokers.len() >= LIMITS.brokers_max {
            return fail("broker", format!("the playground runs at most {} brokers", LIMITS.brokers_max));
        }
        check_rack("rack", rack)?;
        let mut grown = self.clone();
        grown.brokers.push(broker);
        grown.check_work(Some("broker"), 0, self.replicas)?;
        Ok(Cost { broker: Some(broker), ..Cost::default() })
    }

    /// A partition of a topic, and a target list of at most `brokers_max` ids. The replicas the
    /// target may add count against `replicas_max` (while a reassignment runs the partition holds
    /// the target and its current replicas; they are not given back).
    pub(super) fn check_reassign(&self, r: &ReassignPartitions) -> Result<Cost, CommandError> {
        let shape = self.topic(&r.topic, "topic")?;
        if r.partition >= shape.partitions {
            let last = shape.partitions - 1;
            return fail("partition", format!("topic `{}` has partitions 0 to {last}, found {}", r.topic, r.partition));
        }
        let Some(list) = &r.replicas else {
            return Ok(Cost::default());
        };
        if list.len() > LIMITS.brokers_max {
            let max = LIMITS.brokers_max;
            return fail("replicas", format!("{} brokers, more than a cluster of at most {max} has", list.len()));
        }
        if let Some(i) = list.iter().position(|b| b.0 > LIMITS.broker_id_max) {
            return fail(format!("replicas[{i}]"), format!("a broker id is between 0 and {}", LIMITS.broker_id_max));
        }
        let replicas = self.replicas + list.len() as u64;
        if replicas > LIMITS.replicas_max {
            return fail(
                "replicas",
                format!(
                    "the cluster would hold {} replicas, counting every reassignment's target; the playground holds at \
                     most {}",
                    thousands(replicas),
                    thousands(LIMITS.replicas_max)
                ),
            );
        }
        self.check_work(Some("replicas"), 0, replicas)?;
        Ok(Cost { replicas: list.len() as u64, ..Cost::default() })
    }
}
