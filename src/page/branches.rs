//! The branches of a run (issue 12): acting at a past moment starts a new branch there and keeps
//! the old one, so the branches form a tree. A branch is its session (the commands applied, at
//! their times, the same list a share link carries) and how far it has run; the engine's
//! `Timeline` rebuilds any of them at any time from that. The page switches between them and
//! names each by its parent and fork time.

use crate::engine::{Millis, SharedVec, TimedCommand};

/// At most this many branches in one page: each keeps its session (up to twice
/// `LIMITS.commands_max` commands), and a longer list helps nobody.
pub const BRANCHES_MAX: usize = 16;

/// One branch: where it forked and what it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    pub name: String,
    /// The branch it forked from (`None` for the first).
    pub parent: Option<usize>,
    /// The simulated time it forked at (0 for the first).
    pub fork_ms: Millis,
    /// Its commands as of when the page last stood on it (its link's session).
    pub session: Vec<TimedCommand>,
    /// How far it had run then: its "now".
    pub end_ms: Millis,
}

/// A branch as the branch list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct BranchRow {
    pub index: usize,
    pub name: String,
    /// `forked from main at 1.200 s`, or `the run as it started`.
    pub origin: String,
    /// How many forks lie between it and the first branch (the list indents by it).
    pub depth: usize,
    pub current: bool,
}

/// The tree of branches and the one the page stands on.
#[derive(Clone, Debug)]
pub struct BranchTree {
    branches: Vec<Branch>,
    current: usize,
}

impl Default for BranchTree {
    fn default() -> BranchTree {
        BranchTree::new()
    }
}

impl BranchTree {
    /// One branch, `main`, holding nothing yet.
    pub fn new() -> BranchTree {
        let main = Branch { name: "main".into(), parent: None, fork_ms: 0, session: Vec::new(), end_ms: 0 };
        BranchTree { branches: vec![main], current: 0 }
    }

    pub fn len(&self) -> usize {
        self.branches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.branches.is_empty()
    }

    pub fn current(&self) -> usize {
        self.current
    }

    pub fn get(&self, index: usize) -> Option<&Branch> {
        self.branches.get(index)
    }

    /// Keeps what the current branch holds now (before the page leaves it, or for its link).
    pub fn record(&mut self, session: &SharedVec<TimedCommand>, end_ms: Millis) {
        let b = &mut self.branches[self.current];
        if b.session.len() != session.len() || !session.is_prefix_of(&b.session) {
            b.session = session.to_vec();
        }
        b.end_ms = end_ms;
    }

    /// Whether another branch can start; the sentence saying why not.
    pub fn can_fork(&self) -> Result<(), String> {
        if self.branches.len() >= BRANCHES_MAX {
            return Err(format!(
                "At most {BRANCHES_MAX} branches: act on an existing branch's latest moment (Back to now), or Reset."
            ));
        }
        Ok(())
    }

    /// Starts a branch of the current one at `fork_ms`, holding `session` (the past up to the fork
    /// and the act that started it), and stands on it. The current branch keeps its own future: the
    /// caller has [`record`](BranchTree::record)ed it.
    pub fn fork(&mut self, fork_ms: Millis, session: &SharedVec<TimedCommand>) -> Result<usize, String> {
        self.can_fork()?;
        let index = self.branches.len();
        self.branches.push(Branch {
            name: format!("branch {}", index + 1),
            parent: Some(self.current),
            fork_ms,
            session: session.to_vec(),
            end_ms: fork_ms,
        });
        self.current = index;
        Ok(index)
    }

    /// Stands on branch `index`; what it holds (the caller rebuilds its engine), or `None` for no
    /// such branch.
    pub fn switch(&mut self, index: usize) -> Option<&Branch> {
        if index >= self.branches.len() {
            return None;
        }
        self.current = index;
        self.branches.get(index)
    }

    /// Forks between branch `index` and the first one.
    pub fn depth(&self, index: usize) -> usize {
        let mut depth = 0;
        let mut at = self.branches.get(index).and_then(|b| b.parent);
        // A parent always comes before its child: the walk ends.
        while let Some(p) = at {
            depth += 1;
            at = self.branches[p].parent;
        }
        depth
    }

    /// The list in tree order (each branch under its parent, children by fork), for the panel.
    pub fn rows(&self) -> Vec<BranchRow> {
        let mut rows = Vec::with_capacity(self.branches.len());
        self.push_rows(None, &mut rows);
        rows
    }

    fn push_rows(&self, parent: Option<usize>, rows: &mut Vec<BranchRow>) {
        for (index, b) in self.branches.iter().enumerate().filter(|(_, b)| b.parent == parent) {
            let origin = match b.parent {
                Some(p) => {
                    format!("forked from {} at {}", self.branches[p].name, crate::page::label::seconds(b.fork_ms))
                }
                None => "the run as it started".into(),
            };
            let (name, depth, current) = (b.name.clone(), self.depth(index), index == self.current);
            rows.push(BranchRow { index, name, origin, depth, current });
            self.push_rows(Some(index), rows);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{BrokerId, Command};

    fn crash(at_ms: Millis, broker: u32) -> TimedCommand {
        TimedCommand { at_ms, command: Command::CrashBroker { broker: BrokerId(broker) } }
    }

    #[test]
    fn acting_in_the_past_starts_a_branch_and_keeps_the_old_future() {
        // main ran to 9 s with broker 1 crashed at 5 s.
        let mut tree = BranchTree::new();
        tree.record(&[crash(5_000, 1)].into_iter().collect(), 9_000);
        // Back at 2 s, broker 2 crashes instead: a branch of main.
        let b = tree.fork(2_000, &[crash(2_000, 2)].into_iter().collect()).expect("room for a branch");
        assert_eq!(tree.current(), b);
        let main = tree.get(0).expect("main stays");
        assert_eq!((main.session.clone(), main.end_ms), (vec![crash(5_000, 1)], 9_000));
        let branch = tree.get(b).expect("the branch");
        assert_eq!((branch.parent, branch.fork_ms, branch.end_ms), (Some(0), 2_000, 2_000));
        assert_eq!(branch.name, "branch 2");
        // Switching back finds main's future as it was.
        assert_eq!(tree.switch(0).map(|m| m.end_ms), Some(9_000));
        assert_eq!(tree.current(), 0);
        assert!(tree.switch(7).is_none(), "no such branch");
    }

    #[test]
    fn the_list_shows_each_branch_under_its_parent_with_its_fork_time() {
        let mut tree = BranchTree::new();
        tree.fork(1_000, &SharedVec::new()).expect("branch 2, of main");
        tree.fork(1_500, &SharedVec::new()).expect("branch 3, of branch 2");
        tree.switch(0);
        tree.fork(3_000, &SharedVec::new()).expect("branch 4, of main");
        let rows = tree.rows();
        let order: Vec<(&str, usize)> = rows.iter().map(|r| (r.name.as_str(), r.depth)).collect();
        assert_eq!(order, [("main", 0), ("branch 2", 1), ("branch 3", 2), ("branch 4", 1)]);
        assert_eq!(rows[0].origin, "the run as it started");
        assert_eq!(rows[2].origin, "forked from branch 2 at 1.500 s");
        assert!(rows[3].current && rows.iter().filter(|r| r.current).count() == 1);
    }

    #[test]
    fn branches_are_bounded_with_a_clear_sentence() {
        let mut tree = BranchTree::new();
        for i in 1..BRANCHES_MAX {
            tree.fork(i as Millis, &SharedVec::new()).expect("within the bound");
        }
        assert_eq!(tree.len(), BRANCHES_MAX);
        let refused = tree.fork(99, &SharedVec::new()).expect_err("one too many");
        assert!(refused.starts_with("At most 16 branches"), "{refused}");
        assert_eq!((tree.len(), tree.current()), (BRANCHES_MAX, BRANCHES_MAX - 1), "nothing changed");
    }
}
