//! The groups of the view: each from its coordinator, with the lag measured at each partition's
//! leader.

use super::*;
use crate::engine::view::GroupView;

impl Engine {
    pub(crate) fn group_views(&self) -> Vec<GroupView> {
        let mut views: Vec<GroupView> = Vec::new();
        for b in self.brokers.iter().filter(|b| b.is_running()) {
            for mut g in b.group_views(&self.catalog) {
                for o in g.offsets.iter_mut() {
                    let leader = self.controller.partitions.get(o.partition.0 as usize).and_then(|r| r.leader);
                    let hw = leader
                        .and_then(|l| self.catalog.broker_index(l))
                        .and_then(|i| self.brokers[i].replicas.get(&o.partition))
                        .map(|r| r.high_watermark);
                    o.high_watermark = hw;
                    o.lag = hw.map(|hw| hw.saturating_sub(o.committed));
                }
                let at = views.partition_point(|v| v.group < g.group);
                views.insert(at, g);
            }
        }
        views
    }
}
