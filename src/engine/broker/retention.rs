//! Retention on a broker (`LogManager`, `UnifiedLog.deleteOldSegments`; kafka-model §3.3): every
//! replica, leader or follower, deletes its oldest segments below its own high watermark once they
//! breach `retention.bytes` or `retention.ms`, or lie wholly below its log start offset; a follower
//! takes its leader's log start offset from each fetch response, and a follower behind it starts
//! over at it (`AbstractFetcherThread.fetchOffsetAndTruncate`, kafka-model §3.6).

use super::*;
use crate::engine::log::RetentionBreach;
use std::ops::Range;

impl Broker {
    /// The `kafka-log-retention` task: every local replica, in partition order.
    pub(super) fn check_retention(&mut self, ctx: &mut Ctx) {
        let broker = self.id;
        for (partition, replica) in self.replicas.iter_mut() {
            let partition = *partition;
            let config = ctx.catalog.topic(partition).config.log;
            let hw = replica.high_watermark;
            let from = replica.log.log_start_offset();
            for deletion in replica.log.delete_old_segments(hw, ctx.now, &config) {
                let limit = match deletion.breach {
                    RetentionBreach::RetentionMs => config.retention_ms,
                    RetentionBreach::RetentionBytes => config.retention_bytes,
                    RetentionBreach::LogStartOffset => from as i64,
                };
                ctx.emit(EventKind::SegmentsDeleted {
                    broker,
                    partition,
                    breach: deletion.breach,
                    limit,
                    segments: deletion.segments,
                    records: deletion.records,
                    log_start_offset: deletion.log_start_offset,
                });
            }
        }
    }
}

/// `ReplicaFetcherThread.processPartitionData`: the follower raises its log start offset to its
/// leader's (`LeaderOffsetIncremented`), never past its own high watermark.
pub(super) fn follow_log_start_offset(
    broker: BrokerId,
    leader: BrokerId,
    replica: &mut Replica,
    leader_log_start_offset: Offset,
    ctx: &mut Ctx,
) {
    let from = replica.log.log_start_offset();
    if replica.log.maybe_increment_log_start_offset(leader_log_start_offset, replica.high_watermark) {
        let partition = replica.partition;
        ctx.emit(EventKind::LogStartOffsetIncremented { broker, partition, leader, from, to: leader_log_start_offset });
    }
}

/// `OFFSET_OUT_OF_RANGE` to a follower (`fetchOffsetAndTruncate`), with the leader's log start and
/// end: past the leader's end it truncates to it (an unclean election's loser); below the leader's
/// start (it was away longer than retention) it truncates fully and starts there; else it fetches
/// again from its own end.
pub(super) fn fetch_offset_and_truncate(
    broker: BrokerId,
    leader: BrokerId,
    replica: &mut Replica,
    Range { start, end }: Range<Offset>,
    ctx: &mut Ctx,
) {
    let partition = replica.partition;
    let fetch_offset = replica.log_end_offset();
    if end < fetch_offset {
        replica.log.truncate_to(end);
    } else if start > fetch_offset {
        replica.log.truncate_fully_and_start_at(start);
    }
    let to = replica.log_end_offset();
    // `truncateFullyAndStartAt` moves the HW to the new end; a truncation never leaves it above.
    replica.high_watermark = if start > fetch_offset { to } else { replica.high_watermark.min(to) };
    ctx.emit(EventKind::FollowerOffsetOutOfRange {
        broker,
        partition,
        leader,
        fetch_offset,
        leader_log_start_offset: start,
        leader_log_end_offset: end,
        to,
    });
    if to != fetch_offset {
        ctx.observe(Observation::Truncated { broker, partition, to });
    }
}
