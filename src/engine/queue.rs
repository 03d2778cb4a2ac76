//! The engine's agenda: everything that will happen, ordered by (simulated time, sequence number).
//! The sequence number breaks ties in insertion order, which makes runs reproducible.

use super::command::Command;
use super::ids::{Millis, NodeId};
use super::message::Message;
use super::timer::Timer;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[derive(Clone, Debug)]
pub enum Pending {
    Deliver {
        from: NodeId,
        to: NodeId,
        sent_ms: Millis,
        message: Message,
    },
    /// A node's timer; `incarnation` drops timers set by a process that has since crashed.
    Timer {
        node: NodeId,
        incarnation: u32,
        timer: Timer,
    },
    Command(Command),
}

#[derive(Clone, Debug)]
pub struct Scheduled {
    pub at_ms: Millis,
    pub seq: u64,
    pub what: Pending,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at_ms, self.seq) == (other.at_ms, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    // Reversed: BinaryHeap is a max-heap and we want the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at_ms, other.seq).cmp(&(self.at_ms, self.seq))
    }
}

#[derive(Clone, Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Scheduled>,
    next_seq: u64,
}

impl EventQueue {
    pub fn push(&mut self, at_ms: Millis, what: Pending) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Scheduled { at_ms, seq, what });
    }

    pub fn pop(&mut self) -> Option<Scheduled> {
        self.heap.pop()
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn peek_time(&self) -> Option<Millis> {
        self.heap.peek().map(|s| s.at_ms)
    }

    /// Everything scheduled, in no particular order (for views and hashing, which sort).
    pub fn iter(&self) -> impl Iterator<Item = &Scheduled> {
        self.heap.iter()
    }
}
