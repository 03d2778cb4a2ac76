//! A machine crash / power loss (kafka-model §3.9): the process dies as with kill -9, and every
//! replica on the broker also loses what the OS had not yet written back
//! ([`Log::durable_end`](crate::engine::log::Log::durable_end)).

use super::Engine;
use crate::engine::ctx::Observation;
use crate::engine::error::CommandError;
use crate::engine::event::EventKind;
use crate::engine::ids::{BrokerId, NodeId};

impl Engine {
    pub(super) fn power_off_broker(&mut self, broker: BrokerId) -> Result<(), CommandError> {
        let i = self.broker_index(broker)?;
        if !self.brokers[i].is_alive() {
            let state = self.brokers[i].process.as_str();
            return Err(CommandError::new("broker", format!("broker {broker} is not running (it is {state})")));
        }
        self.forget_paused(broker);
        self.push_event(EventKind::BrokerPoweredOff { broker });
        self.with_node(NodeId::Broker(broker), |e, ctx| {
            let (lost, flushed_before_ms) = e.brokers[i].power_off(ctx.now);
            for (partition, from, to) in lost {
                ctx.emit(EventKind::UnflushedSuffixLost { broker, partition, from, to, flushed_before_ms });
                ctx.observe(Observation::PowerLost { broker, partition, to: from });
            }
        });
        self.announce_connections_closed(broker);
        Ok(())
    }
}
