//! `pause_broker` and `resume_broker` (`SIGSTOP` / `SIGCONT`, a long GC pause) as a person drives
//! them: which process states they accept, with the reason in the error when not, and the bound on
//! what waits for a paused broker. Kafka's outcomes of a pause are in `kafka_scenarios.rs`
//! (`s7_4_paused_leader`, `s7_4_paused_through_elections`).

use partition_playground::engine::*;
use partition_playground::scenario;

fn engine(acks: &str) -> Engine {
    let text = format!(
        r#"{{"format": 1, "seed": 9,
            "cluster": {{"brokers": [{{"id": 1}}, {{"id": 2}}, {{"id": 3}}]}},
            "topics": [{{"name": "t", "partitions": 1, "replication.factor": 3, "replica.assignment": [[1, 2, 3]]}}],
            "producers": [{{"name": "p", "config": {{"acks": "{acks}", "linger.ms": 0}}}}],
            "until_ms": 1000}}"#
    );
    Engine::new(&scenario::parse(&text).expect("valid")).expect("within the contract")
}

fn pause(b: u32) -> Command {
    Command::PauseBroker { broker: BrokerId(b) }
}

fn resume(b: u32) -> Command {
    Command::ResumeBroker { broker: BrokerId(b) }
}

fn refusal(engine: &mut Engine, command: Command) -> String {
    engine.apply(command).expect_err("refused").to_string()
}

fn process(engine: &Engine, b: u32) -> ProcessState {
    engine.view(ViewOptions::default()).brokers.iter().find(|v| v.id == BrokerId(b)).expect("broker").process
}

#[test]
fn only_a_running_broker_pauses_only_a_paused_one_resumes_and_kill_9_ends_a_paused_one() {
    let mut e = engine("all");
    e.apply(pause(2)).expect("a running broker pauses");
    assert_eq!(process(&e, 2), ProcessState::Paused);
    assert_eq!(refusal(&mut e, pause(2)), "broker: broker 2 is not running (it is paused)");
    assert_eq!(
        refusal(&mut e, Command::RestartBroker { broker: BrokerId(2) }),
        "broker: broker 2 is paused: resume_broker continues it"
    );
    assert_eq!(
        refusal(&mut e, Command::ControlledShutdown { broker: BrokerId(2) }),
        "broker: broker 2 is not running (it is paused)"
    );
    assert_eq!(refusal(&mut e, resume(1)), "broker: broker 1 is not paused (it is running)");
    e.apply(Command::CrashBroker { broker: BrokerId(2) }).expect("kill -9 ends a paused process");
    assert_eq!(process(&e, 2), ProcessState::Crashed);
    assert_eq!(refusal(&mut e, resume(2)), "broker: broker 2 is not paused (it is crashed)");
    e.apply(Command::RestartBroker { broker: BrokerId(2) }).expect("a crashed broker restarts");
    e.advance_to(e.now_ms() + 20_000, u64::MAX).expect("progress");
    assert_eq!(e.unexpected_violations(), 0);
}

/// What waits for a paused broker is bounded (`LIMITS.paused_messages_max`, its socket buffers):
/// acks=0 sends past the bound are lost and reported, never held.
#[test]
fn a_paused_leaders_full_socket_buffers_lose_acks_0_sends_and_say_so() {
    let mut e = engine("0");
    // Connected first: a connection's handshake (ApiVersions) to a paused broker gets no answer,
    // and without it the producer sends nothing.
    let produce = |i: usize| Produce {
        producer: "p".into(),
        topic: "t".into(),
        key: None,
        value: format!("v{i}"),
        count: 1,
        partition: None,
    };
    e.apply(Command::Produce(produce(0))).expect("within the contract");
    e.advance_to(100, u64::MAX).expect("progress");
    e.apply(pause(1)).expect("the leader pauses");
    let sends = LIMITS.paused_messages_max + 40;
    for i in 1..=sends {
        e.apply(Command::Produce(produce(i))).expect("within the contract");
        e.advance_to(e.now_ms() + 1, u64::MAX).expect("progress");
    }
    e.advance_to(e.now_ms() + 100, u64::MAX).expect("progress");
    e.apply(resume(1)).expect("resumes");
    let resumed = e
        .events_since(0)
        .find_map(|ev| match ev.kind {
            EventKind::BrokerResumed { waiting, dropped, .. } => Some((waiting, dropped)),
            _ => None,
        })
        .expect("resumed");
    assert!(resumed.1 >= 40, "at least the sends past the bound were dropped: {resumed:?}");
    assert!(
        resumed.0 as usize <= LIMITS.paused_messages_max + 16,
        "what waited is bounded (messages, and a few timers): {resumed:?}"
    );
    let reported: u32 = e
        .events_since(0)
        .filter_map(|ev| match &ev.kind {
            EventKind::RecordsLost { acks: Acks::None, cause, .. } if cause.contains("paused") => Some(1),
            _ => None,
        })
        .sum();
    assert_eq!(reported, resumed.1, "every dropped acks=0 send is reported lost");
}
