//! The groups of the view (kafka-model §6.4): each from the broker that coordinates it now (it
//! leads the group's partition in the epoch it loaded it), with the lag measured at each
//! partition's leader; and each member's side.

use super::*;
use crate::engine::broker::Group;
use crate::engine::view::{GroupMemberView, GroupOffsetView, GroupView};

impl Engine {
    pub(crate) fn group_views(&self) -> Vec<GroupView> {
        let mut views: Vec<GroupView> = Vec::new();
        for b in self.brokers.iter().filter(|b| b.is_running()) {
            let leads = |g: &Group| {
                b.replicas
                    .get(&g.partition)
                    .is_some_and(|r| r.leader_state().is_some() && r.leader_epoch == g.loaded_epoch)
            };
            for (name, g) in b.coordinator.groups.iter().filter(|(_, g)| leads(g)) {
                let view = GroupView {
                    group: name.clone(),
                    coordinator: b.id,
                    state: g.state.as_str(),
                    generation: g.generation,
                    leader: g.leader.clone(),
                    members: g.members.iter().map(|(id, m)| (id.clone(), m.consumer, m.assignment.clone())).collect(),
                    offsets: g.offsets.iter().map(|(p, committed)| self.group_offset(*p, *committed)).collect(),
                };
                let at = views.partition_point(|v| v.group < view.group);
                views.insert(at, view);
            }
        }
        views
    }

    /// A committed offset and its lag behind the high watermark of the partition's leader.
    fn group_offset(&self, partition: PartitionIdx, committed: Offset) -> GroupOffsetView {
        let leader = self.controller.partitions.get(partition.0 as usize).and_then(|r| r.leader);
        let high_watermark = leader
            .and_then(|l| self.catalog.broker_index(l))
            .and_then(|i| self.brokers[i].replicas.get(&partition))
            .map(|r| r.high_watermark);
        GroupOffsetView {
            partition,
            partition_name: self.catalog.partition_name(partition),
            committed,
            high_watermark,
            lag: high_watermark.map(|hw| hw.saturating_sub(committed)),
        }
    }

    pub(crate) fn member_view(c: &Consumer) -> Option<GroupMemberView> {
        let m = c.membership.as_ref()?;
        Some(GroupMemberView {
            group: m.group.clone(),
            member_id: m.member_id.clone(),
            generation: m.generation,
            state: m.state.as_str(),
            coordinator: m.coordinator,
            assigned: m.assigned.clone(),
            polling: m.polling,
        })
    }
}
