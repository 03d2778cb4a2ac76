//! A list whose chunks are shared between copies: what makes a time-travel checkpoint cheap.
//!
//! A [`Timeline`](super::timeline::Timeline) checkpoint is a clone of the whole engine, and most of
//! what an engine holds only grows at its end: the replicas' logs, the safety checker's committed
//! logs, the clients' histories, the events kept, the session. Held as chunks of [`CHUNK`] elements
//! behind reference counts, a clone copies one pointer per chunk, and a write copies only the chunk
//! it lands in, and only while another copy still shares it (copy on write, `Rc::make_mut`). So a
//! checkpoint costs what changed since the previous one, not everything stored.
//!
//! Every chunk but the last is full; elements dropped from the front only ever empty the first
//! chunk, so an element's place follows from its index by a shift.

use std::rc::Rc;

/// Elements per chunk: a clone of a list copies `len / CHUNK` pointers, and the first write after
/// it copies up to `CHUNK` elements.
const CHUNK_SHIFT: u32 = 6;
pub const CHUNK: usize = 1 << CHUNK_SHIFT;

#[derive(Clone, Debug)]
pub struct SharedVec<T> {
    chunks: Vec<Rc<Vec<T>>>,
    /// Elements dropped from the front of the first chunk.
    start: usize,
    len: usize,
}

impl<T> Default for SharedVec<T> {
    fn default() -> Self {
        SharedVec { chunks: Vec::new(), start: 0, len: 0 }
    }
}

impl<T: Clone> SharedVec<T> {
    pub fn new() -> Self {
        SharedVec::default()
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// (chunk, index in it) of element `i`.
    #[inline]
    fn place(&self, i: usize) -> (usize, usize) {
        let at = self.start + i;
        (at >> CHUNK_SHIFT, at & (CHUNK - 1))
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        let (c, j) = self.place(i);
        Some(&self.chunks[c][j])
    }

    /// Element `i` to change; copies its chunk first if another copy of the list shares it.
    #[inline]
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len {
            return None;
        }
        let (c, j) = self.place(i);
        Some(&mut Rc::make_mut(&mut self.chunks[c])[j])
    }

    pub fn first(&self) -> Option<&T> {
        self.get(0)
    }

    #[inline]
    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    #[inline]
    pub fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => Rc::make_mut(chunk).push(value),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(value);
                self.chunks.push(Rc::new(chunk));
            }
        }
        self.len += 1;
    }

    /// Drops the first `n` elements (all of them if fewer).
    pub fn drop_front(&mut self, n: usize) {
        let n = n.min(self.len);
        self.start += n;
        self.len -= n;
        let whole = self.start >> CHUNK_SHIFT;
        self.chunks.drain(..whole.min(self.chunks.len()));
        self.start &= CHUNK - 1;
        if self.len == 0 {
            self.clear();
        }
    }

    /// Keeps the first `n` elements.
    pub fn truncate(&mut self, n: usize) {
        if n >= self.len {
            return;
        }
        if n == 0 {
            return self.clear();
        }
        let (c, j) = self.place(n - 1);
        self.chunks.truncate(c + 1);
        if self.chunks[c].len() > j + 1 {
            Rc::make_mut(&mut self.chunks[c]).truncate(j + 1);
        }
        self.len = n;
    }

    pub fn clear(&mut self) {
        self.chunks.clear();
        self.start = 0;
        self.len = 0;
    }

    /// The elements from index `from` on, in order (either end).
    pub fn iter_from(&self, from: usize) -> Iter<'_, T> {
        let from = from.min(self.len);
        let (c, j) = self.place(from);
        let first: &[T] = self.chunks.get(c).map_or(&[], |chunk| chunk.get(j..).unwrap_or(&[]));
        let rest = self.chunks.get(c + 1..).unwrap_or(&[]);
        std::iter::once(first).chain(rest.iter().map(as_slice as fn(&Rc<Vec<T>>) -> &[T])).flatten()
    }

    pub fn iter(&self) -> Iter<'_, T> {
        self.iter_from(0)
    }

    /// Every element to change (copies each chunk another copy shares: use for rare rewrites).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        let start = self.start;
        self.chunks.iter_mut().enumerate().flat_map(move |(c, chunk)| {
            let skip = if c == 0 { start } else { 0 };
            Rc::make_mut(chunk)[skip..].iter_mut()
        })
    }

    /// The index of the first element for which `pred` is false, the elements being partitioned
    /// (`pred` true for a prefix), as [`slice::partition_point`].
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        // The chunk holding the point: the first whose last element fails `pred`; then within it.
        let c = self.chunks.partition_point(|chunk| chunk.last().is_some_and(&mut pred));
        let Some(chunk) = self.chunks.get(c) else { return self.len };
        let skip = if c == 0 { self.start } else { 0 };
        let within = chunk[skip..].partition_point(pred);
        (c << CHUNK_SHIFT) + skip + within - self.start
    }

    pub fn to_vec(&self) -> Vec<T> {
        self.iter().cloned().collect()
    }

    /// Whether `items` begins with this list's elements.
    pub fn is_prefix_of(&self, items: &[T]) -> bool
    where
        T: PartialEq,
    {
        self.len <= items.len() && self.iter().zip(items).all(|(a, b)| a == b)
    }

    /// Whether this list begins with `prefix`'s elements; chunks both share are not compared.
    pub fn starts_with(&self, prefix: &SharedVec<T>) -> bool
    where
        T: PartialEq,
    {
        if prefix.len > self.len || prefix.start != self.start {
            return prefix.len <= self.len && prefix.iter().zip(self.iter()).all(|(a, b)| a == b);
        }
        prefix
            .chunks
            .iter()
            .zip(&self.chunks)
            .all(|(a, b)| Rc::ptr_eq(a, b) || a.iter().zip(b.iter()).all(|(x, y)| x == y))
    }
}

impl<T: Clone> std::ops::IndexMut<usize> for SharedVec<T> {
    /// Copies the element's chunk first if another copy of the list shares it.
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut T {
        self.get_mut(i).expect("index within the list")
    }
}

/// The elements of a [`SharedVec`] in order: each chunk's slice, flattened.
pub type Iter<'a, T> = std::iter::Flatten<
    std::iter::Chain<
        std::iter::Once<&'a [T]>,
        std::iter::Map<std::slice::Iter<'a, Rc<Vec<T>>>, fn(&Rc<Vec<T>>) -> &[T]>,
    >,
>;

fn as_slice<T>(chunk: &Rc<Vec<T>>) -> &[T] {
    chunk.as_slice()
}

impl<'a, T: Clone> IntoIterator for &'a SharedVec<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T: Clone> std::ops::Index<usize> for SharedVec<T> {
    type Output = T;

    #[inline]
    fn index(&self, i: usize) -> &T {
        self.get(i).expect("index within the list")
    }
}

impl<T: Clone> FromIterator<T> for SharedVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut list = SharedVec::new();
        items.into_iter().for_each(|x| list.push(x));
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list against a plain `Vec` through pushes, front drops, truncations and writes, with
    /// clones taken along the way that must keep what they held.
    #[test]
    fn behaves_as_a_vec_and_clones_keep_their_contents() {
        let (mut list, mut plain) = (SharedVec::new(), Vec::new());
        let mut copies: Vec<(SharedVec<u64>, Vec<u64>)> = Vec::new();
        let mut seed = 7u64;
        for step in 0..5_000u64 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            match (seed >> 33) % 10 {
                0 => {
                    let n = ((seed >> 40) % 70) as usize;
                    list.drop_front(n);
                    plain.drain(..n.min(plain.len()));
                }
                1 => {
                    let n = plain.len().saturating_sub(((seed >> 40) % 80) as usize);
                    list.truncate(n);
                    plain.truncate(n);
                }
                2 if !plain.is_empty() => {
                    let i = (seed >> 40) as usize % plain.len();
                    *list.get_mut(i).unwrap() = step;
                    plain[i] = step;
                }
                3 => copies.push((list.clone(), plain.clone())),
                _ => {
                    list.push(step);
                    plain.push(step);
                }
            }
            assert_eq!(list.len(), plain.len());
        }
        assert_eq!(list.to_vec(), plain);
        assert_eq!(list.iter().rev().copied().collect::<Vec<_>>(), plain.iter().rev().copied().collect::<Vec<_>>());
        for (copy, held) in &copies {
            assert_eq!(&copy.to_vec(), held, "a clone keeps what it held when taken");
            let from = held.len() / 3;
            assert_eq!(copy.iter_from(from).copied().collect::<Vec<_>>(), held[from..]);
            assert_eq!(copy.partition_point(|x| held.iter().position(|h| h == x).unwrap() < from), from);
        }
        assert!(copies.len() > 100);
    }

    #[test]
    fn a_clone_shares_full_chunks_and_starts_with_its_original() {
        let list: SharedVec<u32> = (0..1_000).collect();
        let mut longer = list.clone();
        longer.push(1_000);
        assert!(longer.starts_with(&list));
        assert!(!list.starts_with(&longer));
        assert!(Rc::ptr_eq(&list.chunks[0], &longer.chunks[0]), "untouched chunks stay shared");
        *longer.get_mut(3).unwrap() = 9;
        assert!(!longer.starts_with(&list));
        assert_eq!(list[3], 3, "a write copies the chunk, the original keeps its value");
    }
}
