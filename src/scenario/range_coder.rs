//! An adaptive binary range coder (the one LZMA uses, with 15-bit probabilities that learn fast at first,
//! then steadily) and the integer model a link's session codes its columns with.
//!
//! Deflate codes bytes with one Huffman table for a whole block, so a column of nearly random time
//! steps and a column of nearly constant command tags pay for each other; here every column keeps
//! its own statistics, and a session costs close to its information content (a 200-command
//! session: about 11 bits a command for the times, a few for the rest).
//!
//! The decoder never fails: past the end of its bytes it reads zeros and notes it ([`Decoder::overrun`]);
//! the caller refuses what it decodes then, and every value it decodes is bounded by its model.

/// Probabilities are of a 0 bit, in 1/32768ths.
const BITS: u32 = 15;
const TOP: u32 = 1 << 24;

/// A probability and how often it has learnt: it moves 1/2 of the way towards the first bit it
/// sees, then 1/4, 1/8, 1/16, and 1/32 from the fourth on (fast to learn, then steady).
#[derive(Clone, Copy)]
pub(super) struct Prob {
    p: u16,
    shift: u8,
}

const HALF: Prob = Prob::HALF;

impl Prob {
    pub(super) const HALF: Prob = Prob { p: 1 << (BITS - 1), shift: 1 };

    fn learn(&mut self, bit: u64) {
        if bit == 0 {
            self.p += ((1 << BITS) - self.p) >> self.shift;
        } else {
            self.p -= self.p >> self.shift;
        }
        self.shift = (self.shift + 1).min(5);
    }
}

/// Codes an integer of up to 64 bits: its bit length (0 for 0) in unary, each step with its own probability, then the three
/// bits below its top bit with a tree per length, then the rest as plain bits. Small values and
/// the leading bits of large ones are learnt; the low bits of large ones are taken as random.
pub(super) struct Model {
    lengths: [Prob; 64],
    leading: [[Prob; 8]; 65],
}

impl Model {
    pub(super) fn new() -> Self {
        Model { lengths: [HALF; 64], leading: [[HALF; 8]; 65] }
    }
}

pub(super) struct Encoder {
    low: u64,
    range: u32,
    /// The byte held back in case a carry reaches it, and the 0xFF bytes behind it.
    cache: u8,
    pending: u64,
    pub(super) out: Vec<u8>,
}

impl Encoder {
    pub(super) fn new() -> Self {
        Encoder { low: 0, range: u32::MAX, cache: 0, pending: 1, out: Vec::new() }
    }

    fn bit(&mut self, p: &mut Prob, bit: u64) {
        self.even(p.p, bit);
        p.learn(bit);
    }

    /// A bit of probability `p` (of a 0).
    fn even(&mut self, p: u16, bit: u64) {
        let bound = (self.range >> BITS) * u32::from(p);
        if bit == 0 {
            self.range = bound;
        } else {
            self.low += u64::from(bound);
            self.range -= bound;
        }
        while self.range < TOP {
            self.range <<= 8;
            self.shift_low();
        }
    }

    fn shift_low(&mut self) {
        if (self.low as u32) < 0xFF00_0000 || self.low >> 32 != 0 {
            let carry = (self.low >> 32) as u8;
            let mut byte = self.cache;
            while self.pending > 0 {
                self.out.push(byte.wrapping_add(carry));
                byte = 0xFF;
                self.pending -= 1;
            }
            self.cache = (self.low >> 24) as u8;
        }
        self.pending += 1;
        self.low = u64::from((self.low as u32) << 8);
    }

    fn tree(&mut self, probs: &mut [Prob], bits: u32, v: u64) {
        let mut node = 1;
        for i in (0..bits).rev() {
            let bit = (v >> i) & 1;
            self.bit(&mut probs[node], bit);
            node = node * 2 + bit as usize;
        }
    }

    pub(super) fn value(&mut self, m: &mut Model, v: u64) {
        let len = 64 - v.leading_zeros();
        for i in 0..len {
            self.bit(&mut m.lengths[i as usize], 1);
        }
        if len < 64 {
            self.bit(&mut m.lengths[len as usize], 0);
        }
        let mut node = 1;
        for i in (0..len.saturating_sub(1)).rev() {
            let bit = (v >> i) & 1;
            if node < 8 {
                self.bit(&mut m.leading[len as usize][node], bit);
                node = node * 2 + bit as usize;
            } else {
                self.even(HALF.p, bit);
            }
        }
    }

    pub(super) fn byte(&mut self, probs: &mut [Prob; 256], b: u8) {
        self.tree(probs, 8, u64::from(b));
    }

    /// The bytes, without the first: LZMA's coder always writes a 0 first.
    pub(super) fn finish(mut self) -> Vec<u8> {
        for _ in 0..5 {
            self.shift_low();
        }
        self.out.remove(0);
        self.out
    }
}

pub(super) struct Decoder<'a> {
    code: u32,
    range: u32,
    bytes: &'a [u8],
    /// Bytes read so far; past the end, zeros are read and `overrun` is set.
    pub(super) read: usize,
    pub(super) overrun: bool,
}

impl<'a> Decoder<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        let mut d = Decoder { code: 0, range: u32::MAX, bytes, read: 0, overrun: false };
        for _ in 0..4 {
            d.code = (d.code << 8) | d.next();
        }
        d
    }

    fn next(&mut self) -> u32 {
        let b = self.bytes.get(self.read).copied();
        self.read += usize::from(b.is_some());
        self.overrun |= b.is_none();
        u32::from(b.unwrap_or(0))
    }

    fn bit(&mut self, p: &mut Prob) -> u64 {
        let bit = self.even(p.p);
        p.learn(bit);
        bit
    }

    fn even(&mut self, p: u16) -> u64 {
        let bound = (self.range >> BITS) * u32::from(p);
        let bit = if self.code < bound {
            self.range = bound;
            0
        } else {
            self.code -= bound;
            self.range -= bound;
            1
        };
        while self.range < TOP {
            self.range <<= 8;
            self.code = (self.code << 8) | self.next();
        }
        bit
    }

    fn tree(&mut self, probs: &mut [Prob], bits: u32) -> u64 {
        let mut node = 1;
        for _ in 0..bits {
            node = node * 2 + self.bit(&mut probs[node]) as usize;
        }
        (node - (1 << bits)) as u64
    }

    /// `None` for a bit length past 64, which no encoder writes.
    pub(super) fn value(&mut self, m: &mut Model) -> Option<u64> {
        let mut len = 0;
        while len < 64 && self.bit(&mut m.lengths[len]) == 1 {
            len += 1;
        }
        let len = len as u32;
        let mut v = u64::from(len > 0);
        let mut node = 1;
        for _ in 1..len {
            let bit = if node < 8 {
                let bit = self.bit(&mut m.leading[len as usize][node]);
                node = node * 2 + bit as usize;
                bit
            } else {
                self.even(HALF.p)
            };
            v = v << 1 | bit;
        }
        Some(v)
    }

    pub(super) fn byte(&mut self, probs: &mut [Prob; 256]) -> u8 {
        self.tree(probs, 8) as u8
    }
}
