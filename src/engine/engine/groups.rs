//! The engine's side of consumer groups (kafka-model §6.4): the group commands, the internal
//! `__consumer_offsets` topic created for the first group, and the group ownership invariant,
//! which needs every member at once.

use super::*;
use crate::engine::command::{JoinGroup, TopicSpec};
use crate::engine::config::TopicConfig;
use crate::engine::consumer::MemberState;
use crate::engine::group::{OFFSETS_TOPIC, OFFSETS_TOPIC_NUM_PARTITIONS, OFFSETS_TOPIC_REPLICATION_FACTOR};
use crate::engine::invariant::Invariant;

impl Engine {
    pub(super) fn join_group(&mut self, j: &JoinGroup) -> Result<(), CommandError> {
        let c = self.consumer_named(&j.consumer)?;
        let t = self.topic(&j.topic)?;
        let i = c.0 as usize;
        let consumer = &self.consumers[i];
        let fresh = consumer.crashed || consumer.membership.is_some();
        if let Some(m) = consumer.membership.as_ref().filter(|m| m.state != MemberState::Left && !consumer.crashed) {
            let reason = format!("consumer {} is in group {} already: leave_group first", j.consumer, m.group);
            return Err(CommandError::new("consumer", reason));
        }
        if !consumer.crashed && consumer.membership.is_none() && !consumer.positions.is_empty() {
            // Kafka: IllegalStateException, subscribe and assign are mutually exclusive.
            let reason = format!("consumer {} reads assigned partitions (consume): a consumer subscribes with a group or is assigned partitions, not both", j.consumer);
            return Err(CommandError::new("consumer", reason));
        }
        if self.catalog.topic_by_name(OFFSETS_TOPIC).is_none() {
            let replication_factor = OFFSETS_TOPIC_REPLICATION_FACTOR.min(self.brokers.len() as u32);
            let spec = TopicSpec {
                name: OFFSETS_TOPIC.into(),
                partitions: OFFSETS_TOPIC_NUM_PARTITIONS,
                replication_factor,
                replica_assignment: None,
                config: TopicConfig::default(),
            };
            self.create_topic(&spec)?;
        }
        if fresh {
            // A new instance of the application: nothing of the old one remains.
            let old = &self.consumers[i];
            let kept = LIMITS.records_received_kept / self.consumers.len();
            let brokers = self.catalog.brokers.iter().map(|b| b.0).collect();
            self.consumers[i] = Consumer::new(c, old.name.clone(), old.config.clone(), brokers, kept);
        }
        let (group, auto_commit) = (j.group.clone(), j.enable_auto_commit);
        self.with_node(NodeId::Consumer(c), |e, ctx| e.consumers[i].join_group(&group, t, auto_commit, ctx));
        Ok(())
    }

    /// A command on a member: it must be in a group and running.
    /// `consume` (assign) on a consumer that subscribes with a group: Kafka's IllegalStateException,
    /// subscribe and assign are mutually exclusive.
    pub(super) fn refuse_assign_in_group(&self, consumer: &str, i: usize) -> Result<(), CommandError> {
        if self.consumers[i].membership.is_some() || self.consumers[i].crashed {
            let reason = format!("consumer {consumer} subscribes with a group: it is not assigned partitions too");
            return Err(CommandError::new("consumer", reason));
        }
        Ok(())
    }

    pub(super) fn member(&self, name: &str) -> Result<ClientIdx, CommandError> {
        let c = self.consumer_named(name)?;
        let consumer = &self.consumers[c.0 as usize];
        if consumer.crashed {
            return Err(CommandError::new(
                "consumer",
                format!("consumer {name} crashed: join_group starts a new instance"),
            ));
        }
        match consumer.membership.as_ref() {
            Some(m) if m.state != MemberState::Left => Ok(c),
            _ => Err(CommandError::new("consumer", format!("consumer {name} is in no group (join_group first)"))),
        }
    }

    fn consumer_named(&self, name: &str) -> Result<ClientIdx, CommandError> {
        self.consumer(name).ok_or_else(|| CommandError::new("consumer", format!("no consumer named `{name}`")))
    }

    pub(super) fn group_command(&mut self, command: Command) -> Result<(), CommandError> {
        match command {
            Command::JoinGroup(j) => self.join_group(&j)?,
            Command::LeaveGroup { consumer } => {
                let c = self.member(&consumer)?;
                self.with_node(NodeId::Consumer(c), |e, ctx| e.consumers[c.0 as usize].leave_group(ctx));
            }
            Command::CrashConsumer { consumer } => {
                let c = self.consumer_named(&consumer)?;
                if self.consumers[c.0 as usize].crashed {
                    return Err(CommandError::new("consumer", format!("consumer {consumer} crashed already")));
                }
                self.consumers[c.0 as usize].crashed = true;
                self.push_event(EventKind::ConsumerCrashed { consumer: c });
            }
            Command::StopPolling { consumer } => {
                let c = self.member(&consumer)?;
                if !self.consumers[c.0 as usize].membership.as_ref().is_some_and(|m| m.polling) {
                    return Err(CommandError::new("consumer", format!("consumer {consumer} stopped polling already")));
                }
                self.with_node(NodeId::Consumer(c), |e, ctx| e.consumers[c.0 as usize].stop_polling(ctx));
            }
            Command::CommitOffsets { consumer } => {
                let c = self.member(&consumer)?;
                self.with_node(NodeId::Consumer(c), |e, ctx| {
                    e.consumers[c.0 as usize].commit(ctx);
                });
            }
            _ => {}
        }
        Ok(())
    }

    /// kafka-model §6.4: no partition owned by two members of one group in the same generation,
    /// checked whenever a member's partitions change.
    pub(super) fn check_group_ownership(&mut self, events: &mut Vec<EventKind>) {
        let mut owned: Vec<(&str, u32, PartitionIdx, ClientIdx)> = Vec::new();
        for c in &self.consumers {
            let Some(m) = c.membership.as_ref().filter(|m| m.state == MemberState::Stable) else { continue };
            let Some(generation) = m.generation else { continue };
            for p in &m.assigned {
                let key = (m.group.as_str(), generation, *p, c.idx);
                let at = owned.partition_point(|o| (o.0, o.1, o.2) < (key.0, key.1, key.2));
                if let Some(other) = owned.get(at).filter(|o| (o.0, o.1, o.2) == (key.0, key.1, key.2)) {
                    let detail = format!(
                        "{} is owned by consumers {} and {} of group {} in generation {generation}",
                        self.catalog.partition_name(*p),
                        self.catalog.consumers[other.3 .0 as usize],
                        c.name,
                        m.group
                    );
                    events.push(EventKind::InvariantViolated {
                        invariant: Invariant::GroupExclusiveOwnership,
                        partition: Some(*p),
                        detail,
                        expected: false,
                    });
                    continue;
                }
                owned.insert(at, key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::setup::{ConsumerSpec, Scenario};

    fn two_members() -> Engine {
        let mut s = Scenario::one_broker(7, 60_000);
        s.topics.push(TopicSpec {
            name: "t".into(),
            partitions: 2,
            replication_factor: 1,
            replica_assignment: None,
            config: TopicConfig::default(),
        });
        for name in ["a", "b"] {
            s.consumers.push(ConsumerSpec { name: name.into(), config: Default::default() });
        }
        let mut engine = Engine::new(&s).expect("valid");
        for c in ["a", "b"] {
            let join = JoinGroup { consumer: c.into(), group: "g".into(), topic: "t".into(), enable_auto_commit: true };
            engine.apply(Command::JoinGroup(join)).expect("joins");
        }
        engine.advance_to(10_000, u64::MAX).expect("progress");
        engine
    }

    #[test]
    fn range_gives_each_of_two_members_one_partition_and_the_check_finds_nothing() {
        let mut engine = two_members();
        let owned: Vec<usize> =
            engine.consumers.iter().map(|c| c.membership.as_ref().map_or(0, |m| m.assigned.len())).collect();
        assert_eq!(owned, [1, 1]);
        let mut events = Vec::new();
        engine.check_group_ownership(&mut events);
        assert!(events.is_empty());
    }

    #[test]
    fn a_partition_owned_by_two_members_of_one_generation_is_a_violation() {
        let mut engine = two_members();
        let taken = engine.consumers[0].membership.as_ref().expect("member").assigned.clone();
        engine.consumers[1].membership.as_mut().expect("member").assigned.extend(taken);
        let mut events = Vec::new();
        engine.check_group_ownership(&mut events);
        assert!(matches!(
            events[..],
            [EventKind::InvariantViolated { invariant: Invariant::GroupExclusiveOwnership, expected: false, .. }]
        ));
    }
}
