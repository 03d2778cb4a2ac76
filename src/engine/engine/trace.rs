//! The engine's side of the probe ([`Trace`]): switching it on for one partition, feeding it each
//! delivery, event and step, and running a stretch of a session with it on (a past window the
//! page's timeline seeks to). It reads the state; it never changes it.

use super::Engine;
use crate::engine::ids::*;
use crate::engine::message::Message;
use crate::engine::setup::TimedCommand;
use crate::engine::trace::{Trace, TraceSample};
use crate::engine::{ScenarioError, LIMITS};

impl Engine {
    /// Traces `partition` from now on (`None`: no probe). The same partition keeps what it holds.
    pub fn set_trace(&mut self, partition: Option<PartitionIdx>) {
        if self.trace.as_ref().map(|t| t.partition) != partition {
            self.trace = partition.filter(|p| (p.0 as usize) < self.catalog.partitions.len()).map(|p| {
                let mut t = Box::new(Trace::new(p));
                t.on_sample(self.trace_sample_of(p));
                t
            });
        }
    }

    /// What the probe holds, if one is on.
    pub fn trace(&self) -> Option<&Trace> {
        self.trace.as_deref()
    }

    /// Runs to `until_ms` with the probe on `partition`, applying the session's commands after
    /// this engine's (`session` is the whole branch; this engine a [`Timeline::seek`] of it at an
    /// earlier time): the past window's trace, on the state [`Engine::replay`] reaches.
    ///
    /// [`Timeline::seek`]: crate::engine::Timeline::seek
    pub fn run_traced(
        &mut self,
        partition: PartitionIdx,
        session: &[TimedCommand],
        until_ms: Millis,
    ) -> Result<(), ScenarioError> {
        self.set_trace(Some(partition));
        let from = self.session.len().min(session.len());
        let upto = session.partition_point(|c| c.at_ms <= until_ms).max(from);
        self.replay_from(&session[from..upto], from, until_ms, LIMITS.run_work_max, &mut |e, t| {
            e.advance_to(t, u64::MAX)
        })
    }

    /// Before a delivery: the message, lost if the network or a dead process swallows it.
    pub(super) fn trace_deliver(&mut self, from: NodeId, to: NodeId, sent_ms: Millis, message: &Message) {
        if self.trace.is_none() {
            return;
        }
        let lost = self.is_dropped(from, to, message) || !self.is_up(to);
        let now = self.now;
        if let Some(t) = self.trace.as_deref_mut() {
            t.on_deliver(from, to, sent_ms, now, message, lost);
        }
    }

    /// After a step: a sample, kept if the partition changed.
    pub(super) fn trace_step(&mut self) {
        if let Some(p) = self.trace.as_ref().map(|t| t.partition) {
            let sample = self.trace_sample_of(p);
            if let Some(t) = self.trace.as_deref_mut() {
                t.on_sample(sample);
            }
        }
    }

    fn trace_sample_of(&self, p: PartitionIdx) -> TraceSample {
        // Every partition the catalog names has its record (`set_trace` checks the index).
        let record = &self.controller.partitions[p.0 as usize];
        let mut log_end_offsets = Vec::with_capacity(record.replicas.len());
        let mut high_watermark = 0;
        let mut leader_hw = None;
        for b in &self.brokers {
            let Some(r) = b.replicas.get(&p) else { continue };
            log_end_offsets.push((b.id, r.log_end_offset()));
            high_watermark = high_watermark.max(r.high_watermark);
            if record.leader == Some(b.id) {
                leader_hw = Some(r.high_watermark);
            }
        }
        let high_watermark = leader_hw.unwrap_or(high_watermark);
        let lag = self
            .consumers
            .iter()
            .filter_map(|c| {
                let position = c.positions.get(&p)?.position?;
                Some((c.idx, high_watermark.saturating_sub(position)))
            })
            .collect();
        TraceSample {
            at_ms: self.now,
            leader: record.leader,
            leader_epoch: record.leader_epoch,
            high_watermark,
            log_end_offsets,
            isr_size: record.isr.len() as u32,
            min_insync_replicas: self.catalog.effective_min_isr(p) as u32,
            lag,
        }
    }
}
