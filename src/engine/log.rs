//! The per-replica log: batches stamped with the leader epoch that appended them, and the leader-epoch
//! cache (kafka-model §3.3). Record payloads are shared between replicas (`Rc`), as a follower appends
//! exactly the leader's batches at the same offsets. The log is cut into segments (`LogSegment`)
//! only to delete whole segments by retention (`UnifiedLog.deleteOldSegments`), which moves the log
//! start offset forward; a segment is its first offset, its size and its timestamps, while the
//! batches stay in one list.

use super::config::LogConfig;
use super::ids::{LeaderEpoch, Millis, Offset, RecordId};
use std::rc::Rc;

/// Producer identity stamped on a batch by an idempotent producer (kafka-model §5.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerStamp {
    pub producer_id: u64,
    pub producer_epoch: u16,
    pub base_sequence: u32,
}

/// One record as the application sent it. Key and value share one allocation, which the replicas of
/// a partition share in turn: a stored record costs its text plus 32 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub id: RecordId,
    /// Length of the key at the start of `text`; `NULL_KEY` for a null key.
    key_len: u32,
    text: Rc<str>,
}

const NULL_KEY: u32 = u32::MAX;

impl Record {
    /// The text of records sent together with the same key and value (built once, shared).
    pub fn text(key: Option<&str>, value: &str) -> (u32, Rc<str>) {
        match key {
            Some(k) => (k.len() as u32, Rc::from(format!("{k}{value}"))),
            None => (NULL_KEY, Rc::from(value)),
        }
    }

    pub fn new(id: RecordId, (key_len, text): &(u32, Rc<str>)) -> Self {
        Record { id, key_len: *key_len, text: text.clone() }
    }

    pub fn key(&self) -> Option<&str> {
        (self.key_len != NULL_KEY).then(|| self.split().0)
    }

    pub fn value(&self) -> &str {
        if self.key_len == NULL_KEY {
            &self.text
        } else {
            self.split().1
        }
    }

    /// Key and value of a keyed record. `split_at_checked`, not `text[..key_len]`: a string slice's
    /// panic message prints characters with `{:?}`, which brings Unicode's printable tables and
    /// char escaping into the wasm bundle. `key_len` always ends the key (see [`Record::text`]).
    fn split(&self) -> (&str, &str) {
        self.text.split_at_checked(self.key_len as usize).unwrap_or((&self.text, ""))
    }

    /// Size the batch limits count with: key and value bytes plus a fixed per-record overhead close to
    /// Kafka's record framing (varint lengths, attributes, deltas).
    pub fn size_bytes(&self) -> u64 {
        self.text.len() as u64 + 10
    }
}

/// A record batch in a log (kafka-model §3.3).
#[derive(Clone, Debug)]
pub struct Batch {
    pub base_offset: Offset,
    pub leader_epoch: LeaderEpoch,
    pub producer: Option<ProducerStamp>,
    pub records: Rc<[Record]>,
    pub size_bytes: u64,
    /// The batch's `maxTimestamp`: its producer's create time (the simulated time of the send).
    pub max_timestamp_ms: Millis,
}

impl Batch {
    pub fn len(&self) -> u64 {
        self.records.len() as u64
    }
    pub fn end_offset(&self) -> Offset {
        self.base_offset + self.len()
    }
}

/// Metadata the leader keeps of a producer's recent batches, to recognise retries (kafka-model §5.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerBatchMeta {
    pub producer_epoch: u16,
    pub base_sequence: u32,
    pub last_sequence: u32,
    pub base_offset: Offset,
}

/// `ProducerStateEntry.NUM_BATCHES_TO_RETAIN`.
pub const PRODUCER_BATCHES_RETAINED: usize = 5;

/// Linux's flusher thread wakes every `vm.dirty_writeback_centisecs` (500: 5 s) ...
const WRITEBACK_INTERVAL_MS: Millis = 5_000;
/// ... and writes back pages dirty for longer than `vm.dirty_expire_centisecs` (3000: 30 s).
const DIRTY_EXPIRE_MS: Millis = 30_000;

/// The flush model (kafka-model §3.9): Kafka does not fsync a write (`log.flush.interval.messages`
/// and `log.flush.interval.ms` are unset by default; it flushes at segment roll, 1 GiB, and at a
/// clean shutdown), so what reaches the disk is what the OS wrote back. A batch appended at or
/// before this time had been written back by `now`: the last writeback pass (a multiple of 5 s)
/// found it older than 30 s. (Linux expires whole inodes; per batch is the simplification.)
pub fn flushed_before_ms(now: Millis) -> Millis {
    (now - now % WRITEBACK_INTERVAL_MS).saturating_sub(DIRTY_EXPIRE_MS)
}

/// One segment of a log (`LogSegment`): the batches from its base offset to the next segment's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub base_offset: Offset,
    pub size_bytes: u64,
    /// The max timestamp of its first batch (`rollingBasedTimestamp`); `None` while empty.
    first_timestamp_ms: Option<Millis>,
    /// `maxTimestampSoFar`: what `retention.ms` is measured from.
    pub largest_timestamp_ms: Millis,
}

impl Segment {
    fn empty(base_offset: Offset) -> Self {
        Segment { base_offset, size_bytes: 0, first_timestamp_ms: None, largest_timestamp_ms: 0 }
    }

    fn add(&mut self, batch: &Batch) {
        self.size_bytes += batch.size_bytes;
        self.first_timestamp_ms.get_or_insert(batch.max_timestamp_ms);
        self.largest_timestamp_ms = self.largest_timestamp_ms.max(batch.max_timestamp_ms);
    }

    /// `LogSegment.shouldRoll` (no `segment.jitter.ms`, indexes never full): the batch would take
    /// the segment past `segment.bytes`, or is more than `segment.ms` newer than its first batch.
    fn should_roll(&self, batch: &Batch, config: &LogConfig) -> bool {
        let waited = |first: Millis| batch.max_timestamp_ms.saturating_sub(first) > config.segment_ms;
        self.size_bytes > 0
            && (self.size_bytes + batch.size_bytes > config.segment_bytes
                || self.first_timestamp_ms.is_some_and(waited))
    }
}

/// Why retention deleted segments (`SegmentDeletionReason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionBreach {
    /// Wholly below the log start offset (a follower raised it from its leader's).
    LogStartOffset,
    /// `retention.bytes`.
    RetentionBytes,
    /// `retention.ms`.
    RetentionMs,
}

/// Segments deleted by one rule of a retention check, and the log start offset they moved to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deletion {
    pub breach: RetentionBreach,
    pub segments: u32,
    pub records: u64,
    pub log_start_offset: Offset,
}

#[derive(Clone, Debug)]
pub struct Log {
    batches: Vec<Batch>,
    /// When each batch was appended here (the page cache's dirty time), for the flush model.
    appended_ms: Vec<Millis>,
    /// Everything below this offset is on disk (a clean shutdown flushed it).
    flushed_end: Offset,
    /// (leader epoch, start offset), ascending in both (the leader-epoch checkpoint file).
    epoch_cache: Vec<(LeaderEpoch, Offset)>,
    end_offset: Offset,
    /// The first offset a reader may fetch (kafka-model §3.3); batches below it wait for their
    /// segment's deletion.
    log_start_offset: Offset,
    /// Oldest first; never empty (the last is the active segment).
    segments: Vec<Segment>,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            batches: Vec::new(),
            appended_ms: Vec::new(),
            flushed_end: 0,
            epoch_cache: Vec::new(),
            end_offset: 0,
            log_start_offset: 0,
            segments: vec![Segment::empty(0)],
        }
    }
}

impl Log {
    /// Batches held (a clone of the log copies these; their records are shared).
    pub fn batch_count(&self) -> usize {
        self.batches.len()
    }

    pub fn log_end_offset(&self) -> Offset {
        self.end_offset
    }

    pub fn log_start_offset(&self) -> Offset {
        self.log_start_offset
    }

    pub fn batches(&self) -> &[Batch] {
        &self.batches
    }

    pub fn epoch_cache(&self) -> &[(LeaderEpoch, Offset)] {
        &self.epoch_cache
    }

    /// Epoch of the last batch, the follower's `lastFetchedEpoch` (kafka-model §3.6).
    pub fn last_batch_epoch(&self) -> Option<LeaderEpoch> {
        self.batches.last().map(|b| b.leader_epoch)
    }

    /// `maybeAssignEpochStartOffset`: a new leader writes `(epoch, LEO)` before any record exists.
    pub fn assign_epoch_start_offset(&mut self, epoch: LeaderEpoch, offset: Offset) {
        match self.epoch_cache.last() {
            Some(&(e, _)) if e >= epoch => {}
            _ => self.epoch_cache.push((epoch, offset)),
        }
    }

    /// Appends a batch at the log end at `now`, in a new segment if the active one should roll
    /// (`UnifiedLog.maybeRoll`); the caller has set `base_offset` to the LEO.
    pub fn append(&mut self, batch: Batch, now: Millis, config: &LogConfig) {
        debug_assert_eq!(batch.base_offset, self.end_offset);
        self.assign_epoch_start_offset(batch.leader_epoch, batch.base_offset);
        self.end_offset = batch.end_offset();
        if self.active_segment().should_roll(&batch, config) {
            self.segments.push(Segment::empty(batch.base_offset));
        }
        let active = self.segments.len() - 1;
        self.segments[active].add(&batch);
        self.batches.push(batch);
        self.appended_ms.push(now);
    }

    /// The end of what survives a power loss at `now` ([`flushed_before_ms`]): appends are in time
    /// order, so the written-back batches are a prefix.
    pub fn durable_end(&self, now: Millis) -> Offset {
        let cutoff = flushed_before_ms(now);
        let written = self.appended_ms.partition_point(|t| *t <= cutoff);
        let written_end = written.checked_sub(1).map_or(self.log_start_offset, |i| self.batches[i].end_offset());
        written_end.max(self.flushed_end.min(self.end_offset))
    }

    /// Everything is on disk (a clean shutdown's flush, or what a power loss left).
    pub fn mark_flushed(&mut self) {
        self.flushed_end = self.end_offset;
    }

    fn active_segment(&self) -> &Segment {
        &self.segments[self.segments.len() - 1]
    }

    /// `UnifiedLog.size`.
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size_bytes).sum()
    }

    /// `UnifiedLog.deleteOldSegments` at `now_ms`, below this replica's `high_watermark`: segments
    /// wholly below the log start offset, then over `retention.bytes`, then past `retention.ms`.
    pub fn delete_old_segments(&mut self, high_watermark: Offset, now_ms: Millis, config: &LogConfig) -> Vec<Deletion> {
        let mut done = Vec::new();
        let start = self.log_start_offset;
        let below_start = |_: &Segment, next: Option<&Segment>| next.is_some_and(|n| n.base_offset <= start);
        done.extend(self.delete_while(high_watermark, RetentionBreach::LogStartOffset, below_start));
        let size = self.size_bytes();
        if let Ok(limit) = u64::try_from(config.retention_bytes) {
            if size >= limit {
                let mut over = size - limit;
                let breached = |s: &Segment, _: Option<&Segment>| {
                    let deletable = over >= s.size_bytes;
                    if deletable {
                        over -= s.size_bytes;
                    }
                    deletable
                };
                done.extend(self.delete_while(high_watermark, RetentionBreach::RetentionBytes, breached));
            }
        }
        if let Ok(retention_ms) = u64::try_from(config.retention_ms) {
            let expired =
                |s: &Segment, _: Option<&Segment>| now_ms.saturating_sub(s.largest_timestamp_ms) > retention_ms;
            done.extend(self.delete_while(high_watermark, RetentionBreach::RetentionMs, expired));
        }
        done
    }

    /// `deletableSegments` then `deleteSegments`: from the oldest segment while `deletable` holds
    /// and the segment ends at or below the high watermark (so the log start never passes it); a
    /// last, empty segment stays. Deleting every segment rolls an empty one at the LEO first.
    fn delete_while(
        &mut self,
        high_watermark: Offset,
        breach: RetentionBreach,
        mut deletable: impl FnMut(&Segment, Option<&Segment>) -> bool,
    ) -> Option<Deletion> {
        let mut count = 0;
        while let Some(segment) = self.segments.get(count) {
            let next = self.segments.get(count + 1);
            let upper = next.map_or(self.end_offset, |n| n.base_offset);
            let last_and_empty = next.is_none() && segment.size_bytes == 0;
            if !(high_watermark >= upper && deletable(segment, next)) || last_and_empty {
                break;
            }
            count += 1;
        }
        if count == 0 {
            return None;
        }
        if count == self.segments.len() {
            self.segments.push(Segment::empty(self.end_offset));
        }
        let new_start = self.segments[count].base_offset;
        self.increment_log_start_offset(new_start);
        self.segments.drain(..count);
        let gone = self.batches.partition_point(|b| b.base_offset < new_start);
        self.appended_ms.drain(..gone);
        let records = self.batches.drain(..gone).map(|b| b.len()).sum();
        Some(Deletion { breach, segments: count as u32, records, log_start_offset: self.log_start_offset })
    }

    /// `maybeIncrementLogStartOffset` from the leader's log start (`LeaderOffsetIncremented`): never
    /// past this replica's high watermark. Whether it moved.
    pub fn maybe_increment_log_start_offset(&mut self, to: Offset, high_watermark: Offset) -> bool {
        to <= high_watermark && self.increment_log_start_offset(to)
    }

    /// Raises the log start offset and drops the epoch entries wholly below it
    /// (`LeaderEpochFileCache.truncateFromStart`: the last one below starts at the new start).
    fn increment_log_start_offset(&mut self, to: Offset) -> bool {
        if to <= self.log_start_offset {
            return false;
        }
        self.log_start_offset = to;
        let below = self.epoch_cache.partition_point(|&(_, start)| start <= to);
        if below > 0 {
            let epoch = self.epoch_cache[below - 1].0;
            self.epoch_cache.drain(..below - 1);
            self.epoch_cache[0] = (epoch, to);
        }
        true
    }

    /// `truncateFullyAndStartAt`: an empty log whose start and end are `offset` (a follower behind
    /// its leader's log start, `AbstractFetcherThread.fetchOffsetAndTruncate`).
    pub fn truncate_fully_and_start_at(&mut self, offset: Offset) {
        self.batches.clear();
        self.appended_ms.clear();
        self.flushed_end = offset;
        self.epoch_cache.clear();
        self.segments = vec![Segment::empty(offset)];
        self.end_offset = offset;
        self.log_start_offset = offset;
    }

    /// `LeaderEpochFileCache.endOffsetFor` (kafka-model §3.3): the largest cached epoch <= `epoch`, and
    /// the start offset of the next epoch (or the LEO). Below every cached epoch (retention or a
    /// full truncation removed the older ones), Kafka answers `epoch` itself with the start of the
    /// first cached epoch, so that a follower replicates on from there. `None` with an empty cache.
    pub fn end_offset_for(&self, epoch: LeaderEpoch) -> Option<(LeaderEpoch, Offset)> {
        let idx = self.epoch_cache.partition_point(|&(e, _)| e <= epoch);
        if idx == 0 {
            return self.epoch_cache.first().map(|&(_, start)| (epoch, start));
        }
        let found = self.epoch_cache[idx - 1].0;
        let end = self.epoch_cache.get(idx).map_or(self.end_offset, |&(_, start)| start);
        Some((found, end))
    }

    /// Removes every batch at or past `offset`. A batch that straddles `offset` goes too, as Kafka
    /// truncates segments at batch boundaries; the LEO may then end below `offset`.
    pub fn truncate_to(&mut self, offset: Offset) {
        if offset >= self.end_offset {
            return;
        }
        if offset < self.segments[0].base_offset {
            // `UnifiedLog.truncateTo` below the first segment.
            return self.truncate_fully_and_start_at(offset);
        }
        let keep = self.batches.partition_point(|b| b.end_offset() <= offset);
        self.batches.truncate(keep);
        self.appended_ms.truncate(keep);
        self.end_offset = self.batches.last().map_or(self.segments[0].base_offset, |b| b.end_offset());
        self.flushed_end = self.flushed_end.min(self.end_offset);
        let end = self.end_offset;
        self.log_start_offset = self.log_start_offset.min(end);
        self.segments.retain(|s| s.base_offset <= end);
        let active = self.segments.len() - 1;
        let base = self.segments[active].base_offset;
        let mut segment = Segment::empty(base);
        for batch in &self.batches[self.batches.partition_point(|b| b.base_offset < base)..] {
            segment.add(batch);
        }
        self.segments[active] = segment;
        // Entries starting at or past the new end describe records that no longer exist.
        while matches!(self.epoch_cache.last(), Some(&(_, start)) if start > end) {
            self.epoch_cache.pop();
        }
        if let Some(last) = self.batches.last() {
            let epoch = last.leader_epoch;
            while matches!(self.epoch_cache.last(), Some(&(e, start)) if start == end && e > epoch) {
                self.epoch_cache.pop();
            }
        } else {
            self.epoch_cache.clear();
        }
    }

    /// Index of the batch holding `offset`.
    fn batch_index(&self, offset: Offset) -> Option<usize> {
        let idx = self.batches.partition_point(|b| b.end_offset() <= offset);
        (idx < self.batches.len()).then_some(idx)
    }

    /// Whole batches from the one holding `from` up to (excluding) `limit`, at most `max_bytes`
    /// (always at least one batch, as Kafka does so that a large batch cannot stall replication).
    pub fn read(&self, from: Offset, limit: Offset, max_bytes: u64) -> Vec<Batch> {
        let mut out = Vec::new();
        let Some(start) = self.batch_index(from) else {
            return out;
        };
        let mut bytes = 0;
        for batch in &self.batches[start..] {
            if batch.base_offset >= limit {
                break;
            }
            if !out.is_empty() && bytes + batch.size_bytes > max_bytes {
                break;
            }
            bytes += batch.size_bytes;
            out.push(batch.clone());
        }
        out
    }

    /// The record at `offset`, if this log has it (none below its first batch: deleted).
    pub fn record_at(&self, offset: Offset) -> Option<&Record> {
        let batch = &self.batches[self.batch_index(offset)?];
        batch.records.get(offset.checked_sub(batch.base_offset)? as usize)
    }

    /// The retained metadata of a producer's last batches, newest last (kafka-model §5.6: producer
    /// state is rebuilt from the log, so it survives failover for every batch the replica has).
    pub fn producer_batches(&self, producer_id: u64) -> Vec<ProducerBatchMeta> {
        let mut found = Vec::with_capacity(PRODUCER_BATCHES_RETAINED);
        for batch in self.batches.iter().rev() {
            if let Some(stamp) = batch.producer.filter(|s| s.producer_id == producer_id) {
                found.push(ProducerBatchMeta {
                    producer_epoch: stamp.producer_epoch,
                    base_sequence: stamp.base_sequence,
                    last_sequence: stamp.base_sequence + batch.len() as u32 - 1,
                    base_offset: batch.base_offset,
                });
                if found.len() == PRODUCER_BATCHES_RETAINED {
                    break;
                }
            }
        }
        found.reverse();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamped(base: Offset, n: u64, at_ms: Millis) -> Batch {
        Batch { max_timestamp_ms: at_ms, ..batch(base, 1, n) }
    }

    /// `LogSegment.shouldRoll`: a batch more than `segment.ms` newer than the segment's first, or one
    /// that would take it past `segment.bytes`, starts a new segment.
    #[test]
    fn segments_roll_by_time_and_by_size() {
        let config = LogConfig { segment_ms: 5_000, segment_bytes: 50, ..LogConfig::default() };
        let mut log = Log::default();
        log.append(stamped(0, 2, 1_000), 0, &config);
        log.append(stamped(2, 2, 6_000), 0, &config); // 5,000 ms later: not more than segment.ms
        log.append(stamped(4, 2, 6_001), 0, &config); // 44 bytes + 22 > 50
        log.append(stamped(6, 1, 11_002), 0, &config); // 5,001 ms after the segment's first batch
        let bases: Vec<Offset> = log.segments.iter().map(|s| s.base_offset).collect();
        assert_eq!(bases, [0, 4, 6]);
    }

    /// `deleteOldSegments`: never at or past the high watermark; every segment gone rolls an empty
    /// one at the LEO; the epoch cache keeps the epoch the new start is in, starting there.
    #[test]
    fn retention_deletes_whole_segments_below_the_high_watermark() {
        let config = LogConfig { retention_ms: 10_000, segment_ms: 1, ..LogConfig::default() };
        let mut log = Log::default();
        log.append(stamped(0, 3, 1_000), 0, &config);
        log.append(Batch { leader_epoch: 2, ..stamped(3, 3, 2_000) }, 0, &config);
        log.append(Batch { leader_epoch: 2, ..stamped(6, 3, 3_000) }, 0, &config);
        assert_eq!(log.delete_old_segments(2, 60_000, &config), vec![]);
        let done = log.delete_old_segments(6, 60_000, &config);
        assert_eq!(
            done,
            [Deletion { breach: RetentionBreach::RetentionMs, segments: 2, records: 6, log_start_offset: 6 }]
        );
        assert_eq!((log.log_start_offset(), log.log_end_offset()), (6, 9));
        assert_eq!(log.epoch_cache(), &[(2, 6)]);
        log.delete_old_segments(9, 60_000, &config);
        assert_eq!((log.log_start_offset(), log.log_end_offset(), log.batches().len()), (9, 9, 0));
        assert_eq!(log.segments, [Segment::empty(9)]);
    }

    /// `retention.bytes`: the oldest segments go while the log stays over it by their size.
    #[test]
    fn retention_bytes_keeps_the_log_within_the_limit_plus_a_segment() {
        let config = LogConfig { retention_bytes: 40, segment_ms: 1, ..LogConfig::default() };
        let mut log = Log::default();
        for i in 0..4 {
            log.append(stamped(i * 2, 2, i * 10), 0, &config); // 22 bytes each
        }
        let done = log.delete_old_segments(8, 100, &config);
        assert_eq!(done[0].breach, RetentionBreach::RetentionBytes);
        assert_eq!((log.log_start_offset(), log.size_bytes()), (4, 44));
    }

    /// A follower's log start follows its leader's, never past its own high watermark; truncating
    /// below its first segment empties the log and starts it there.
    #[test]
    fn the_log_start_follows_the_leader_and_truncation_below_it() {
        let mut log = Log::default();
        log.append(batch(0, 1, 3), 0, &LogConfig::default());
        assert!(!log.maybe_increment_log_start_offset(3, 2));
        assert!(log.maybe_increment_log_start_offset(2, 2));
        assert_eq!(log.log_start_offset(), 2);
        log.truncate_to(1);
        assert_eq!((log.log_start_offset(), log.log_end_offset()), (0, 0));
        log.truncate_fully_and_start_at(7);
        assert_eq!((log.log_start_offset(), log.log_end_offset(), log.epoch_cache()), (7, 7, &[][..]));
    }

    #[test]
    fn key_and_value_share_one_text() {
        let keyed = Record::new(1, &Record::text(Some("order-42"), "paid"));
        assert_eq!((keyed.key(), keyed.value()), (Some("order-42"), "paid"));
        let unkeyed = Record::new(2, &Record::text(None, "hello"));
        assert_eq!((unkeyed.key(), unkeyed.value()), (None, "hello"));
        let empty_key = Record::new(3, &Record::text(Some(""), "v"));
        assert_eq!((empty_key.key(), empty_key.value()), (Some(""), "v"));
    }

    fn batch(base: Offset, epoch: LeaderEpoch, n: u64) -> Batch {
        let text = Record::text(None, "v");
        let records: Vec<Record> = (0..n).map(|i| Record::new(base + i, &text)).collect();
        Batch {
            base_offset: base,
            leader_epoch: epoch,
            producer: None,
            size_bytes: 11 * n,
            records: records.into(),
            max_timestamp_ms: 0,
        }
    }

    #[test]
    fn end_offset_for_returns_the_start_of_the_next_epoch() {
        let mut log = Log::default();
        log.append(batch(0, 1, 3), 0, &LogConfig::default());
        log.append(batch(3, 1, 2), 0, &LogConfig::default());
        log.append(batch(5, 3, 2), 0, &LogConfig::default());
        assert_eq!(log.end_offset_for(1), Some((1, 5)));
        assert_eq!(log.end_offset_for(2), Some((1, 5)));
        assert_eq!(log.end_offset_for(3), Some((3, 7)));
        assert_eq!(log.end_offset_for(9), Some((3, 7)));
        assert_eq!(log.end_offset_for(0), Some((0, 0)), "below every epoch: the first one's start");
        assert_eq!(Log::default().end_offset_for(1), None);
    }

    #[test]
    fn truncation_drops_whole_batches_and_stale_epoch_entries() {
        let mut log = Log::default();
        log.append(batch(0, 1, 3), 0, &LogConfig::default());
        log.append(batch(3, 2, 3), 0, &LogConfig::default());
        log.truncate_to(4);
        assert_eq!(log.log_end_offset(), 3);
        assert_eq!(log.epoch_cache(), &[(1, 0)]);
        assert_eq!(log.last_batch_epoch(), Some(1));
    }

    #[test]
    fn a_new_leader_epoch_is_cached_before_any_record() {
        let mut log = Log::default();
        log.append(batch(0, 1, 2), 0, &LogConfig::default());
        log.assign_epoch_start_offset(4, 2);
        assert_eq!(log.end_offset_for(1), Some((1, 2)));
        assert_eq!(log.end_offset_for(4), Some((4, 2)));
    }
}
