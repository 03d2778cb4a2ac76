//! The per-replica log: batches stamped with the leader epoch that appended them, and the leader-epoch
//! cache (kafka-model §3.3). Record payloads are shared between replicas (`Rc`), as a follower appends
//! exactly the leader's batches at the same offsets.

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

#[derive(Clone, Debug, Default)]
pub struct Log {
    batches: Vec<Batch>,
    /// When each batch was appended here (the page cache's dirty time), for the flush model.
    appended_ms: Vec<Millis>,
    /// Everything below this offset is on disk (a clean shutdown flushed it).
    flushed_end: Offset,
    /// (leader epoch, start offset), ascending in both (the leader-epoch checkpoint file).
    epoch_cache: Vec<(LeaderEpoch, Offset)>,
    end_offset: Offset,
}

impl Log {
    pub fn log_end_offset(&self) -> Offset {
        self.end_offset
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

    /// Appends a batch at the log end at `now`; the caller has set `base_offset` to the LEO.
    pub fn append(&mut self, batch: Batch, now: Millis) {
        debug_assert_eq!(batch.base_offset, self.end_offset);
        self.assign_epoch_start_offset(batch.leader_epoch, batch.base_offset);
        self.end_offset = batch.end_offset();
        self.batches.push(batch);
        self.appended_ms.push(now);
    }

    /// The end of what survives a power loss at `now` ([`flushed_before_ms`]): appends are in time
    /// order, so the written-back batches are a prefix.
    pub fn durable_end(&self, now: Millis) -> Offset {
        let cutoff = flushed_before_ms(now);
        let written = self.appended_ms.partition_point(|t| *t <= cutoff);
        let written_end = written.checked_sub(1).map_or(0, |i| self.batches[i].end_offset());
        written_end.max(self.flushed_end.min(self.end_offset))
    }

    /// Everything is on disk (a clean shutdown's flush, or what a power loss left).
    pub fn mark_flushed(&mut self) {
        self.flushed_end = self.end_offset;
    }

    /// `LeaderEpochFileCache.endOffsetFor` (kafka-model §3.3): the largest cached epoch <= `epoch`, and
    /// the start offset of the next epoch (or the LEO). `None` when `epoch` is below every cached epoch.
    pub fn end_offset_for(&self, epoch: LeaderEpoch) -> Option<(LeaderEpoch, Offset)> {
        let idx = self.epoch_cache.partition_point(|&(e, _)| e <= epoch);
        if idx == 0 {
            return None;
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
        let keep = self.batches.partition_point(|b| b.end_offset() <= offset);
        self.batches.truncate(keep);
        self.appended_ms.truncate(keep);
        self.end_offset = self.batches.last().map_or(0, |b| b.end_offset());
        self.flushed_end = self.flushed_end.min(self.end_offset);
        let end = self.end_offset;
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

    /// The record at `offset`, if this log has it.
    pub fn record_at(&self, offset: Offset) -> Option<&Record> {
        let batch = &self.batches[self.batch_index(offset)?];
        batch.records.get((offset - batch.base_offset) as usize)
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
        Batch { base_offset: base, leader_epoch: epoch, producer: None, size_bytes: 11 * n, records: records.into() }
    }

    #[test]
    fn end_offset_for_returns_the_start_of_the_next_epoch() {
        let mut log = Log::default();
        log.append(batch(0, 1, 3), 0);
        log.append(batch(3, 1, 2), 0);
        log.append(batch(5, 3, 2), 0);
        assert_eq!(log.end_offset_for(1), Some((1, 5)));
        assert_eq!(log.end_offset_for(2), Some((1, 5)));
        assert_eq!(log.end_offset_for(3), Some((3, 7)));
        assert_eq!(log.end_offset_for(9), Some((3, 7)));
        assert_eq!(log.end_offset_for(0), None);
    }

    #[test]
    fn truncation_drops_whole_batches_and_stale_epoch_entries() {
        let mut log = Log::default();
        log.append(batch(0, 1, 3), 0);
        log.append(batch(3, 2, 3), 0);
        log.truncate_to(4);
        assert_eq!(log.log_end_offset(), 3);
        assert_eq!(log.epoch_cache(), &[(1, 0)]);
        assert_eq!(log.last_batch_epoch(), Some(1));
    }

    #[test]
    fn a_new_leader_epoch_is_cached_before_any_record() {
        let mut log = Log::default();
        log.append(batch(0, 1, 2), 0);
        log.assign_epoch_start_offset(4, 2);
        assert_eq!(log.end_offset_for(1), Some((1, 2)));
        assert_eq!(log.end_offset_for(4), Some((4, 2)));
    }
}
