//! Kafka's key hash: the 32-bit MurmurHash2 variant of `Utils.murmur2` (kafka-model §5.1), bit-exact,
//! so a key lands on the same partition here as in a real producer.

/// `org.apache.kafka.common.utils.Utils.murmur2`.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let length = data.len() as u32;
    let mut h: u32 = SEED ^ length;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    // Java's switch falls through from case 3 to case 1; bytes are sign-extended before masking,
    // which the `& 0xff` makes irrelevant, so plain u8 -> u32 is exact.
    let tail = chunks.remainder();
    if tail.len() >= 3 {
        h ^= (tail[2] as u32) << 16;
    }
    if tail.len() >= 2 {
        h ^= (tail[1] as u32) << 8;
    }
    if !tail.is_empty() {
        h ^= tail[0] as u32;
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// `Utils.toPositive`: clears the sign bit (not `abs`, which overflows on `i32::MIN`).
pub fn to_positive(x: i32) -> u32 {
    (x & 0x7fff_ffff) as u32
}

/// `BuiltInPartitioner.partitionForKey` (kafka-model §5.1 rule 3).
pub fn partition_for_key(key: &[u8], num_partitions: u32) -> u32 {
    to_positive(murmur2(key)) % num_partitions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_utils_test_vectors() {
        assert_eq!(murmur2(b"21"), -973932308);
        assert_eq!(murmur2(b"foobar"), -790332482);
        assert_eq!(murmur2(b"abc"), 479470107);
    }

    #[test]
    fn keys_map_to_the_partitions_kafka_chooses() {
        assert_eq!(partition_for_key(b"key1", 3), 2);
        assert_eq!(partition_for_key(b"a", 3), 1);
        assert_eq!(partition_for_key(b"foo", 3), 2);
        assert_eq!(partition_for_key(b"order-42", 3), 0);
        assert_eq!(partition_for_key(b"key1", 6), 2);
        assert_eq!(partition_for_key(b"a", 6), 4);
    }
}
