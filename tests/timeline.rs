//! Time travel (issue 12): seeking to a time on a branch gives exactly the state a straight run of
//! that branch to that time reaches (the same state hash), from any checkpoint, in any seek order;
//! a branch forked at a past moment keeps the old branch, and its link replays to its state.
//!
//! Every scenario of `tests/scenarios/` is driven as the page drives it: its commands are clicks
//! (applied live, `Engine::apply`), the engine runs in frames of a random step budget, and the
//! timeline observes it between frames.

use partition_playground::engine::{Command, Engine, Produce, Scenario, TimedCommand, Timeline};
use partition_playground::scenario::{make_link, read_link, Link};

#[path = "support/scenario_run.rs"]
mod scenario_run;

/// xorshift64*: the test's own reproducible randomness.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

fn scenarios() -> Vec<(String, Scenario)> {
    scenario_run::scenario_files()
}

/// The scenario without its commands, and those commands as clicks (a `when` stays in the
/// scenario: it is armed at a time, not clicked).
fn as_clicks(scenario: &Scenario) -> (Scenario, Vec<TimedCommand>) {
    let mut base = scenario.clone();
    let (whens, clicks): (Vec<TimedCommand>, Vec<TimedCommand>) =
        base.commands.drain(..).partition(|c| matches!(c.command, Command::When(_)));
    base.commands = whens;
    (base, clicks)
}

/// Runs `engine` to `t` in frames of random step budgets, letting `timeline` observe between them.
fn run_in_frames(engine: &mut Engine, timeline: &mut Timeline, t: u64, rng: &mut Rng) {
    loop {
        match engine.advance_to(t, 1 + rng.below(400)) {
            Ok(()) => break,
            Err(partition_playground::engine::AdvanceError::StepBudgetSpent { .. }) => timeline.observe(engine),
            Err(e) => panic!("{e}"),
        }
    }
    timeline.observe(engine);
}

/// Applies `clicks` live from `engine`'s time on, as the page does.
fn play(engine: &mut Engine, timeline: &mut Timeline, clicks: &[TimedCommand], until_ms: u64, rng: &mut Rng) {
    for c in clicks {
        run_in_frames(engine, timeline, c.at_ms, rng);
        // A click the rules refuse changes nothing and is not in the session: as in the page.
        let _ = engine.apply(c.command.clone());
    }
    run_in_frames(engine, timeline, until_ms, rng);
}

fn straight(scenario: &Scenario, session: &[TimedCommand], t: u64) -> u64 {
    let upto: Vec<TimedCommand> = session.iter().filter(|c| c.at_ms <= t).cloned().collect();
    Engine::replay(scenario, &upto, t).expect("replays").state_hash()
}

#[test]
fn seeking_anywhere_gives_the_state_of_a_straight_run_to_that_time() {
    let mut rng = Rng(0x5eed_1234);
    let mut seeks = 0;
    for (name, scenario) in scenarios() {
        let (base, clicks) = as_clicks(&scenario);
        // Small spacing and memory: many checkpoints, and the thinning-out path, in every run.
        let mut timeline = Timeline::with_bounds(&base, 1 + rng.below(300), 2 << 20).expect("valid");
        let mut live = Engine::new(&base).expect("valid");
        play(&mut live, &mut timeline, &clicks, scenario.until_ms, &mut rng);
        let session = live.session().to_vec();
        assert_eq!(
            timeline.seek(&session, scenario.until_ms).expect("seeks").state_hash(),
            live.state_hash(),
            "{name}: the end"
        );
        for _ in 0..6 {
            let t = rng.below(scenario.until_ms + 1);
            let sought = timeline.seek(&session, t).expect("seeks");
            assert_eq!(sought.now_ms(), t, "{name}");
            assert_eq!(sought.state_hash(), straight(&base, &session, t), "{name}: seek to {t} ms");
            seeks += 1;
        }
        let (count, bytes) = timeline.checkpoints();
        assert!(bytes <= 2 << 20 || count <= 2, "{name}: {count} checkpoints, {bytes} bytes");
    }
    assert!(seeks >= 300, "{seeks}");
}

#[test]
fn a_branch_forked_in_the_past_keeps_the_old_branch_and_its_link_replays_to_its_state() {
    let mut rng = Rng(0xb4a2_c4e5);
    let mut forks = 0;
    for (name, scenario) in scenarios() {
        let (base, clicks) = as_clicks(&scenario);
        if scenario.producers.is_empty() || base.topics.is_empty() {
            continue;
        }
        let mut timeline = Timeline::with_bounds(&base, 50, Timeline::BYTES_MAX).expect("valid");
        let mut live = Engine::new(&base).expect("valid");
        play(&mut live, &mut timeline, &clicks, scenario.until_ms, &mut rng);
        let old = live.session().to_vec();
        let old_end = live.state_hash();

        // Go back to a past moment and act there: a produce the old branch never had.
        let fork_ms = rng.below(scenario.until_ms + 1);
        let mut branch = timeline.seek(&old, fork_ms).expect("seeks");
        let produce = Command::Produce(Produce {
            producer: scenario.producers[0].name.clone(),
            topic: base.topics[0].name.clone(),
            key: None,
            value: "what if".into(),
            count: 3,
            partition: None,
        });
        branch.apply(produce).expect("a valid produce");
        let later: Vec<TimedCommand> = clicks.iter().filter(|c| c.at_ms > fork_ms).cloned().collect();
        play(&mut branch, &mut timeline, &later, scenario.until_ms, &mut rng);
        let new = branch.session().to_vec();
        forks += 1;

        // Both branches are there, each exactly as a straight run makes it.
        let end = scenario.until_ms;
        assert_eq!(timeline.seek(&old, end).expect("old").state_hash(), old_end, "{name}: the old branch");
        assert_eq!(timeline.seek(&new, end).expect("new").state_hash(), branch.state_hash(), "{name}: the branch");
        for _ in 0..3 {
            let t = rng.below(end + 1);
            assert_eq!(timeline.seek(&new, t).expect("new").state_hash(), straight(&base, &new, t), "{name} at {t}");
            assert_eq!(timeline.seek(&old, t).expect("old").state_hash(), straight(&base, &old, t), "{name} at {t}");
        }

        // The branch's link (scenario + session) opens on the branch's state.
        let link = make_link(&Link { scenario: base.clone(), session: new.clone(), lesson: None }).expect("a link");
        let (read, _) = read_link(&link).expect("reads");
        let replayed = Engine::replay(&read.scenario, &read.session, end).expect("replays");
        assert_eq!(replayed.state_hash(), branch.state_hash(), "{name}: the branch's link");
    }
    assert!(forks > 20, "{forks}");
}

#[test]
fn checkpoints_stay_within_their_memory_bound_and_thin_out() {
    let (_, scenario) = scenarios().into_iter().find(|(n, _)| n.starts_with("s5_2_five")).expect("scenario");
    let (base, clicks) = as_clicks(&scenario);
    let bound = 512 << 10;
    let mut timeline = Timeline::with_bounds(&base, 1, bound).expect("valid");
    let mut live = Engine::new(&base).expect("valid");
    let mut rng = Rng(7);
    play(&mut live, &mut timeline, &clicks, scenario.until_ms, &mut rng);
    let (count, bytes) = timeline.checkpoints();
    assert!(bytes <= bound, "{count} checkpoints of {bytes} bytes, bound {bound}");
    assert!(timeline.spacing_steps() > 1, "the spacing doubled as checkpoints were thinned out");
    let t = scenario.until_ms / 2;
    let session = live.session().to_vec();
    assert_eq!(timeline.seek(&session, t).expect("seeks").state_hash(), straight(&base, &session, t));
}

#[test]
fn a_link_replayed_through_the_timeline_opens_on_its_state_and_seeks_within_it() {
    let mut rng = Rng(0x11_4e5);
    for (name, scenario) in scenarios() {
        let (base, clicks) = as_clicks(&scenario);
        let mut live = Engine::new(&base).expect("valid");
        let mut played = Timeline::new(&base).expect("valid");
        play(&mut live, &mut played, &clicks, scenario.until_ms, &mut rng);
        let session = live.session().to_vec();

        // A page opening this session's link: one replay that takes checkpoints on the way.
        let mut timeline = Timeline::with_bounds(&base, 1 + rng.below(500), 4 << 20).expect("valid");
        let opened = timeline.replay(&session, scenario.until_ms).expect("replays");
        assert_eq!(opened.state_hash(), live.state_hash(), "{name}: the link opens on the session's state");
        assert!(timeline.checkpoints().0 > 1 || live.steps() < 500, "{name}: checkpoints taken on the way");
        for _ in 0..4 {
            let t = rng.below(scenario.until_ms + 1);
            assert_eq!(
                timeline.seek(&session, t).expect("seeks").state_hash(),
                straight(&base, &session, t),
                "{name} at {t}"
            );
        }
    }
}
