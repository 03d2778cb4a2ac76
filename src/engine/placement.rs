//! Where a new topic's replicas go: Kafka's `StripedReplicaPlacer`, the KRaft controller's placer
//! (kafka-model §3.1; `metadata/.../placement/StripedReplicaPlacer.java`). Pure: the usable brokers
//! and a uniform draw in, one broker list per partition out, the first being the preferred leader.
//!
//! The algorithm, as Kafka's:
//! - Racks are sorted by name (no rack, `""`, first). Each rack keeps its unfenced and its fenced
//!   brokers in two lists sorted by id, each with a random start offset; the rack list has a random
//!   start rack.
//! - Each partition is one *epoch*. Its leader is the first unfenced broker found from the current
//!   start rack on; the other replicas come from the racks in turn from the start rack, skipping the
//!   leader's rack once, each rack giving an unfenced broker before a fenced one. The start rack
//!   advances by one per partition (the "striped" pattern).
//! - A broker list given a new epoch starts over and advances its offset by one, so each rack hands
//!   out a different broker for every partition that visits it.
//! - After as many partitions as unfenced brokers, the rack order and every broker list are shuffled
//!   and the epochs start again, so the next round does not repeat the last one.
//!
//! What it guarantees, and what it does not (`tests/placement.rs` checks each claim): every
//! partition gets `replication.factor` distinct brokers, an unfenced leader, and
//! `min(replication.factor, racks)` racks. With racks of equal size S ≥ 2 and a whole number of
//! rounds (partitions a multiple of the brokers, all unfenced), each rack leads the same number of
//! partitions; each broker leads the same number when `min(replication.factor, racks)` and S share
//! no factor, and holds the same number of replicas when `replication.factor` ≤ racks or a multiple
//! of them. Otherwise the spread over brokers is even only on average, in Kafka as here (Kafka's
//! tests say so too, apache/kafka#12529): with 2 racks of 2 brokers and RF 2, a rack's leaders fall
//! on one of its two brokers in each round; 100 brokers in racks of 34, 33 and 33 lead between 0
//! and 18–25 of 1,000 partitions each, by seed (in 4 racks of 25 or 5 of 20, exactly 10). Unequal
//! racks load the smaller ones, as Kafka's javadoc warns.
//!
//! One Kafka quirk is kept: a broker list remembers the epoch number it last saw, and epochs start
//! again at 0 after a shuffle, so a list last used at epoch e of one round is not started over at
//! epoch e of the next and may have no broker left then. It only matters when the rounds are short
//! (racks of one broker).
//!
//! Where this differs from Kafka, and why:
//! - Kafka draws each rack's offsets in the order of its hash map of racks; here in rack-name order
//!   (the same distribution, and a replayable one).
//! - Kafka builds the rack list (drawing its offsets) before checking the replication factor; here
//!   the checks come first, so a refused topic draws nothing and changes nothing.
//! - Kafka would loop for ever if a partition found no broker left (which the quirk above could
//!   only cause with fenced brokers or racks of one broker); here that is an error. The property
//!   tests, over thousands of clusters, never meet it.
//! - Kafka's "previous offset" rule, which continues the striping of an existing topic when
//!   partitions are added to it (`CreatePartitions`), is left out: the playground only creates topics.

use super::ids::BrokerId;

/// A broker the placer may use: registered and not in controlled shutdown
/// (`ClusterControlManager.usableBrokers`).
#[derive(Clone, Copy, Debug)]
pub struct UsableBroker<'a> {
    pub id: BrokerId,
    /// `broker.rack`, `""` for none.
    pub rack: &'a str,
    pub fenced: bool,
}

/// A uniform draw in `[0, n)` for `n ≥ 1`, from the engine's one PRNG (Java's `Random.nextInt(n)`).
pub type Draw<'a> = dyn FnMut(usize) -> usize + 'a;

/// Places `partitions` partitions of `replication_factor` replicas each (`StripedReplicaPlacer.place`).
/// The errors are Kafka's `InvalidReplicationFactorException` messages.
pub fn place(
    brokers: &[UsableBroker],
    partitions: u32,
    replication_factor: u32,
    draw: &mut Draw,
) -> Result<Vec<Vec<BrokerId>>, String> {
    let rf = replication_factor as usize;
    if rf == 0 {
        return Err(format!("invalid replication factor {rf}: the replication factor must be positive"));
    }
    if brokers.iter().all(|b| b.fenced) {
        return Err("all brokers are currently fenced".into());
    }
    if rf > brokers.len() {
        return Err(format!(
            "the target replication factor of {rf} cannot be reached because only {} broker(s) are registered",
            brokers.len()
        ));
    }
    let mut racks = RackList::new(brokers, draw);
    let mut out = Vec::with_capacity(partitions as usize);
    for _ in 0..partitions {
        out.push(racks.place(rf, draw)?);
    }
    Ok(out)
}

/// Fisher–Yates, as Java's `Collections.shuffle`: from the last element down, each swapped with
/// one at or before it.
fn shuffle<T>(items: &mut [T], draw: &mut Draw) {
    for i in (1..items.len()).rev() {
        let j = draw(i + 1);
        items.swap(i, j);
    }
}

/// Brokers handed out in turn from an offset (`BrokerList`), each at most once per epoch.
#[derive(Debug, Default)]
struct BrokerList {
    /// Sorted by id until the first shuffle.
    brokers: Vec<BrokerId>,
    /// Brokers handed out in the current epoch.
    index: usize,
    /// Added to `index` (modulo the length) to find the next broker.
    offset: usize,
    /// The epoch of the last call; a call with another starts the list over.
    epoch: u32,
}

impl BrokerList {
    fn initialize(&mut self, draw: &mut Draw) {
        if !self.brokers.is_empty() {
            self.offset = draw(self.brokers.len());
        }
    }

    /// The next broker of this epoch, if any is left.
    fn next(&mut self, epoch: u32) -> Option<BrokerId> {
        let len = self.brokers.len();
        if len == 0 {
            return None;
        }
        if self.epoch != epoch {
            self.epoch = epoch;
            self.index = 0;
            self.offset = (self.offset + 1) % len;
        }
        if self.index >= len {
            return None;
        }
        let broker = self.brokers[(self.index + self.offset) % len];
        self.index += 1;
        Some(broker)
    }
}

/// One rack's brokers (`Rack`): unfenced ones are handed out before fenced ones.
#[derive(Debug, Default)]
struct Rack {
    unfenced: BrokerList,
    fenced: BrokerList,
}

impl Rack {
    fn next(&mut self, epoch: u32) -> Option<BrokerId> {
        self.unfenced.next(epoch).or_else(|| self.fenced.next(epoch))
    }
}

/// The racks and the striping state (`RackList`).
#[derive(Debug)]
struct RackList {
    /// In rack-name order.
    racks: Vec<Rack>,
    /// The order racks are visited in (indices into `racks`): by name, then shuffled each round.
    order: Vec<usize>,
    unfenced_brokers: u32,
    /// The partition being placed, counted from the last shuffle.
    epoch: u32,
    /// Where in `order` the next partition starts.
    offset: usize,
}

impl RackList {
    fn new(brokers: &[UsableBroker], draw: &mut Draw) -> RackList {
        let mut named: Vec<(&str, Rack)> = Vec::new();
        for b in brokers {
            let at = match named.binary_search_by(|(name, _)| (*name).cmp(b.rack)) {
                Ok(at) => at,
                Err(at) => {
                    named.insert(at, (b.rack, Rack::default()));
                    at
                }
            };
            let rack = &mut named[at].1;
            let list = if b.fenced { &mut rack.fenced } else { &mut rack.unfenced };
            super::insert_sorted(&mut list.brokers, b.id);
        }
        let mut racks: Vec<Rack> = named.into_iter().map(|(_, rack)| rack).collect();
        for rack in &mut racks {
            rack.fenced.initialize(draw);
            rack.unfenced.initialize(draw);
        }
        let offset = if racks.is_empty() { 0 } else { draw(racks.len()) };
        RackList {
            order: (0..racks.len()).collect(),
            racks,
            unfenced_brokers: brokers.iter().filter(|b| !b.fenced).count() as u32,
            epoch: 0,
            offset,
        }
    }

    /// The replicas of the next partition, leader first (`RackList.place`).
    fn place(&mut self, rf: usize, draw: &mut Draw) -> Result<Vec<BrokerId>, String> {
        // A new round: shuffle so as not to repeat the last one (but never with one unfenced
        // broker, where Kafka would otherwise start a new round on every partition).
        if self.epoch == self.unfenced_brokers && self.unfenced_brokers > 1 {
            self.shuffle(draw);
            self.epoch = 0;
        }
        let n = self.order.len();
        if self.offset == n {
            self.offset = 0;
        }
        let epoch = self.epoch;
        let mut replicas = Vec::with_capacity(rf);
        // The leader: the first unfenced broker from the start rack on.
        let mut leader_rack = self.offset;
        for _ in 0..n {
            if let Some(b) = self.racks[self.order[leader_rack]].unfenced.next(epoch) {
                replicas.push(b);
                break;
            }
            leader_rack = (leader_rack + 1) % n;
        }
        if replicas.is_empty() {
            return Err("no unfenced broker is left to lead a partition".into());
        }
        // The other replicas: racks in turn from the start rack, the leader's skipped once. Within
        // n + 1 turns every rack is asked at least once; one that had nothing has nothing later.
        let mut skip = Some(leader_rack);
        let mut rack = self.offset;
        while replicas.len() < rf {
            let mut found = None;
            for _ in 0..=n {
                let here = rack;
                rack = (rack + 1) % n;
                if skip == Some(here) {
                    skip = None;
                    continue;
                }
                found = self.racks[self.order[here]].next(epoch);
                if found.is_some() {
                    break;
                }
            }
            match found {
                Some(b) => replicas.push(b),
                None => return Err(format!("no broker is left for replica {} of a partition", replicas.len() + 1)),
            }
        }
        self.epoch += 1;
        self.offset += 1;
        Ok(replicas)
    }

    fn shuffle(&mut self, draw: &mut Draw) {
        shuffle(&mut self.order, draw);
        for rack in &mut self.racks {
            shuffle(&mut rack.fenced.brokers, draw);
            shuffle(&mut rack.unfenced.brokers, draw);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brokers<'a>(spec: &[(u32, &'a str, bool)]) -> Vec<UsableBroker<'a>> {
        spec.iter().map(|&(id, rack, fenced)| UsableBroker { id: BrokerId(id), rack, fenced }).collect()
    }

    fn ids(lists: &[Vec<BrokerId>]) -> Vec<Vec<u32>> {
        lists.iter().map(|l| l.iter().map(|b| b.0).collect()).collect()
    }

    /// Every draw 0: every start offset 0.
    fn zero(_: usize) -> usize {
        0
    }

    #[test]
    fn with_offsets_zero_it_stripes_as_kafkas_javadoc_shows() {
        // Racks A, B, C of 3 brokers: "partition 1: A0, B0, C0; partition 2: B1, C1, A1;
        // partition 3: C2, A2, B2".
        let b = brokers(&[
            (10, "A", false),
            (11, "A", false),
            (12, "A", false),
            (20, "B", false),
            (21, "B", false),
            (22, "B", false),
            (30, "C", false),
            (31, "C", false),
            (32, "C", false),
        ]);
        let placed = place(&b, 3, 3, &mut zero).unwrap();
        assert_eq!(ids(&placed), vec![vec![10, 20, 30], vec![21, 31, 11], vec![32, 12, 22]]);
    }

    #[test]
    fn the_leader_is_unfenced_and_fenced_brokers_come_last() {
        // Rack A's unfenced broker leads although A's fenced broker has the lower id.
        let b = brokers(&[(1, "A", true), (2, "A", false), (3, "B", true)]);
        let placed = place(&b, 2, 2, &mut zero).unwrap();
        for p in &placed {
            assert_eq!(p[0], BrokerId(2), "{placed:?}");
        }
        assert_eq!(ids(&placed)[0], vec![2, 3]);
        let placed = place(&b, 1, 3, &mut zero).unwrap();
        assert_eq!(ids(&placed), vec![vec![2, 3, 1]], "the fenced broker of A only once A's unfenced ones are used");
    }

    #[test]
    fn more_replicas_than_racks_take_a_rack_twice_with_distinct_brokers() {
        let b = brokers(&[(1, "A", false), (2, "A", false), (3, "B", false)]);
        let placed = place(&b, 6, 3, &mut zero).unwrap();
        for p in &placed {
            let mut sorted = ids(std::slice::from_ref(p)).remove(0);
            sorted.sort_unstable();
            assert_eq!(sorted, vec![1, 2, 3], "{placed:?}");
        }
    }

    #[test]
    fn kafkas_errors_and_no_draw_on_error() {
        let mut draws = 0;
        let mut counting = |_: usize| {
            draws += 1;
            0
        };
        let b = brokers(&[(1, "", false), (2, "", false)]);
        assert_eq!(
            place(&b, 1, 3, &mut counting),
            Err("the target replication factor of 3 cannot be reached because only 2 broker(s) are registered".into())
        );
        assert!(place(&b, 1, 0, &mut counting).unwrap_err().contains("must be positive"));
        let fenced = brokers(&[(1, "", true)]);
        assert_eq!(place(&fenced, 1, 1, &mut counting), Err("all brokers are currently fenced".into()));
        assert_eq!(draws, 0);
    }

    #[test]
    fn one_rack_gives_every_broker_one_leader_per_round() {
        let b = brokers(&[(1, "", false), (2, "", false), (3, "", false), (4, "", false)]);
        let mut state = 7u64;
        let mut draw = |n: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) % n as u64) as usize
        };
        let placed = place(&b, 12, 2, &mut draw).unwrap();
        for round in placed.chunks(4) {
            let mut leaders: Vec<u32> = round.iter().map(|p| p[0].0).collect();
            leaders.sort_unstable();
            assert_eq!(leaders, vec![1, 2, 3, 4], "{placed:?}");
        }
    }

    /// Kafka's `MockRandom` (`state = state × 2862933555777941757 + 3037000493` from 17, `next(bits)`
    /// the top bits) under `Random.nextInt(n)`, so that Kafka's own expectations
    /// (`StripedReplicaPlacerTest`) can be checked here draw for draw.
    struct KafkaMockRandom(u64);

    impl KafkaMockRandom {
        fn new() -> Self {
            KafkaMockRandom(17)
        }

        fn next(&mut self, bits: u32) -> i32 {
            self.0 = self.0.wrapping_mul(2862933555777941757).wrapping_add(3037000493);
            (self.0 >> (64 - bits)) as i32
        }

        fn next_int(&mut self, bound: usize) -> usize {
            let bound = bound as i32;
            let mut r = self.next(31);
            let m = bound - 1;
            if bound & m == 0 {
                return ((bound as i64 * r as i64) >> 31) as usize;
            }
            let mut u = r;
            loop {
                r = u % bound;
                if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                    return r as usize;
                }
                u = self.next(31);
            }
        }
    }

    fn rack_list_places(spec: &[(u32, &str, bool)], rf: usize, partitions: usize) -> Vec<Vec<u32>> {
        let mut random = KafkaMockRandom::new();
        let mut draw = |n: usize| random.next_int(n);
        let b = brokers(spec);
        let mut racks = RackList::new(&b, &mut draw);
        let placed: Vec<Vec<BrokerId>> = (0..partitions).map(|_| racks.place(rf, &mut draw).unwrap()).collect();
        ids(&placed)
    }

    #[test]
    fn kafkas_rack_list_tests_give_kafkas_placements() {
        // testAvoidFencedReplicaIfPossibleOnSingleRack (the fifth placement follows a shuffle).
        let spec = [(3, "", false), (1, "", true), (0, "", false), (4, "", false), (2, "", false)];
        let expected = vec![vec![3, 4, 0, 2], vec![4, 0, 2, 3], vec![0, 2, 3, 4], vec![2, 3, 4, 0], vec![0, 4, 3, 2]];
        assert_eq!(rack_list_places(&spec, 4, 5), expected);
        // testPlacementOnFencedReplicaOnSingleRack.
        let spec = [(3, "", false), (1, "", true), (2, "", false)];
        let expected = vec![vec![3, 2, 1], vec![2, 3, 1], vec![3, 2, 1], vec![2, 3, 1]];
        assert_eq!(rack_list_places(&spec, 3, 4), expected);
        // testRackListWithMultipleRacks.
        let spec =
            [(11, "1", false), (10, "1", false), (30, "3", false), (31, "3", false), (21, "2", false), (20, "2", true)];
        let expected = vec![vec![11, 21, 31, 10], vec![21, 30, 10, 20], vec![31, 11, 21, 30]];
        assert_eq!(rack_list_places(&spec, 4, 3), expected);
        // testRackListWithInvalidRacks: racks 2 and 3 only fenced.
        let spec = [
            (11, "1", false),
            (10, "1", false),
            (30, "3", true),
            (31, "3", true),
            (20, "2", true),
            (21, "2", true),
            (41, "4", false),
            (40, "4", true),
        ];
        let expected = vec![vec![41, 11, 21, 30], vec![10, 20, 31, 41], vec![41, 21, 30, 11]];
        assert_eq!(rack_list_places(&spec, 4, 3), expected);
    }

    fn kafka_place(spec: &[(u32, &str, bool)], partitions: u32, rf: u32) -> Vec<Vec<u32>> {
        let mut random = KafkaMockRandom::new();
        ids(&place(&brokers(spec), partitions, rf, &mut |n| random.next_int(n)).unwrap())
    }

    #[test]
    fn kafkas_placer_tests_give_kafkas_placements() {
        // testSuccessfulPlacement.
        let spec = [(0, "", false), (3, "", false), (2, "", false), (1, "", false)];
        let expected = vec![vec![2, 3, 0], vec![3, 0, 1], vec![0, 1, 2], vec![1, 2, 3], vec![1, 0, 2]];
        assert_eq!(kafka_place(&spec, 5, 3), expected);
        // testMultiPartitionTopicPlacementOnSingleUnfencedBroker.
        assert_eq!(kafka_place(&[(0, "", false), (1, "", true)], 3, 1), vec![vec![0], vec![0], vec![0]]);
        // testPlaceShiftsInitialOffsetsRackUnaware and ...RackAware, their first topic (the rest
        // adds partitions to it, which the playground does not do).
        let unaware: Vec<(u32, &str, bool)> = (0..12).map(|id| (id, "", false)).collect();
        assert_eq!(kafka_place(&unaware, 2, 3), vec![vec![7, 8, 9], vec![8, 9, 10]]);
        let racks = ["1", "1", "1", "1", "2", "2", "2", "2", "3", "3", "3", "3"];
        let aware: Vec<(u32, &str, bool)> = (0..12).map(|id| (id, racks[id as usize], false)).collect();
        assert_eq!(kafka_place(&aware, 2, 3), vec![vec![6, 8, 2], vec![9, 3, 7]]);
    }

    #[test]
    fn kafkas_even_distribution_test_counts_the_same_pairs() {
        // testEvenDistribution: 200 partitions of RF 2 on 4 brokers without racks.
        let spec = [(0, "", false), (1, "", false), (2, "", false), (3, "", false)];
        let mut counts = [[0u32; 4]; 4];
        for p in kafka_place(&spec, 200, 2) {
            counts[p[0] as usize][p[1] as usize] += 1;
        }
        let expected = [[0, 14, 22, 14], [17, 0, 17, 16], [13, 17, 0, 20], [20, 19, 11, 0]];
        assert_eq!(counts, expected);
    }
}
