//! The handle a node's handler gets: the current time, read-only cluster facts, and an outbox for what
//! it wants done. Handlers never touch the queue, the network or other nodes directly
//! (the sans-IO shape of quinn-proto and stateright: a handler returns effects).

use super::catalog::Catalog;
use super::config::Acks;
use super::event::EventKind;
use super::ids::*;
use super::message::Message;
use super::timer::Timer;
use rand_xoshiro::rand_core::Rng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Facts for the safety checker, reported where state changes (TigerBeetle: check at the point of
/// mutation). The engine checks them after the step with its view of the whole cluster.
#[derive(Clone, Debug)]
pub enum Observation {
    /// A leader's HW moved (only on a leader of its current epoch).
    LeaderHwAdvanced {
        broker: BrokerId,
        partition: PartitionIdx,
        leader_epoch: LeaderEpoch,
        from: Offset,
        to: Offset,
    },
    /// A follower's HW changed (it may go down after a leader change, kafka-model §3.5).
    FollowerHwChanged {
        broker: BrokerId,
        partition: PartitionIdx,
        from: Offset,
        to: Offset,
    },
    Truncated {
        broker: BrokerId,
        partition: PartitionIdx,
        to: Offset,
    },
    /// A power loss cut the replica's log to `to` (kafka-model §3.9): a fault, not a truncation
    /// the protocol chose.
    PowerLost {
        broker: BrokerId,
        partition: PartitionIdx,
        to: Offset,
    },
    BecameLeader {
        broker: BrokerId,
        partition: PartitionIdx,
        leader_epoch: LeaderEpoch,
    },
    /// A leader changed its maximal or committed ISR.
    LeaderIsrChanged {
        partition: PartitionIdx,
    },
    /// The controller committed a partition change.
    PartitionChanged {
        partition: PartitionIdx,
        unclean: bool,
    },
    /// The producer application got success for these records.
    Acknowledged {
        partition: PartitionIdx,
        base_offset: Option<Offset>,
        first_record: RecordId,
        count: u32,
        acks: Acks,
    },
    /// A leader appended a batch (how `acks=0` records get an offset).
    Appended {
        partition: PartitionIdx,
        base_offset: Offset,
        first_record: RecordId,
    },
    /// A broker refused an `acks=0` batch (not the leader): the producer is never told.
    Acks0Refused {
        broker: BrokerId,
        partition: PartitionIdx,
        first_record: RecordId,
        count: u32,
    },
    /// A broker removed from the partition's replicas deleted its replica's log (a reassignment):
    /// what only it held is gone, what others hold is not.
    ReplicaDeleted {
        broker: BrokerId,
        partition: PartitionIdx,
    },
    /// A group coordinator committed a partition's offset (its `__consumer_offsets` HW passed it).
    OffsetCommitted {
        partition: PartitionIdx,
        offset: Offset,
    },
    /// A group member's owned partitions changed.
    GroupAssignmentChanged,
    /// A consumer application received these records.
    Consumed {
        consumer: ClientIdx,
        partition: PartitionIdx,
        offset: Offset,
        record: RecordId,
        from: BrokerId,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Outbox {
    pub messages: Vec<(NodeId, NodeId, Message)>,
    pub timers: Vec<(Millis, NodeId, Timer)>,
    pub events: Vec<EventKind>,
    pub observations: Vec<Observation>,
}

pub struct Ctx<'a> {
    pub now: Millis,
    pub me: NodeId,
    pub catalog: &'a Catalog,
    pub out: &'a mut Outbox,
    pub rng: &'a mut Xoshiro256PlusPlus,
}

impl Ctx<'_> {
    pub fn send(&mut self, to: NodeId, message: Message) {
        self.out.messages.push((self.me, to, message));
    }

    pub fn set_timer(&mut self, after_ms: Millis, timer: impl Into<Timer>) {
        self.out.timers.push((self.now + after_ms, self.me, timer.into()));
    }

    pub fn emit(&mut self, event: EventKind) {
        self.out.events.push(event);
    }

    pub fn observe(&mut self, observation: Observation) {
        self.out.observations.push(observation);
    }

    /// A uniform draw in `[0, bound)` from the engine's one PRNG.
    pub fn random_below(&mut self, bound: u64) -> u64 {
        if bound <= 1 {
            0
        } else {
            self.rng.next_u64() % bound
        }
    }
}
