//! The hand-written reader against postcard's derived one: on scenarios and lessons with every
//! command and every optional field both ways, and on thousands of damaged copies of their codes,
//! both accept the same bytes with the same value and the same rest, and refuse the same bytes
//! for the same fault.

use super::{CodeReader, Fault};
use crate::engine::{
    Acks, AutoOffsetReset, BrokerId, ChangeConfig, Command, Lesson, LessonStep, NodeRef, Outcome, Produce,
    ProducerReconfig, Question, Reveal, Scenario, SeekTo, TimedCommand, TopicConfig, TopicSpec, When,
};
use rand_xoshiro::rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// postcard's error as the code's fault (what `code_fault` said before this reader).
fn fault_of(e: &postcard::Error) -> Fault {
    use postcard::Error as E;
    match e {
        E::DeserializeUnexpectedEnd => Fault::End,
        E::DeserializeBadVarint | E::DeserializeBadBool | E::DeserializeBadChar | E::DeserializeBadUtf8 => {
            Fault::NotItsType
        }
        E::DeserializeBadOption | E::DeserializeBadEnum => Fault::Choice,
        _ => Fault::Invalid,
    }
}

struct Gen(Xoshiro256PlusPlus);

impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n
    }
    fn coin(&mut self) -> bool {
        self.below(2) == 0
    }
    /// Numbers across every varint length, the edges included.
    fn number(&mut self) -> u64 {
        match self.below(4) {
            0 => self.below(128),
            1 => self.below(1 << 21),
            2 => u64::from(u32::MAX) - self.below(3),
            _ => self.0.next_u64(),
        }
    }
    fn u32(&mut self) -> u32 {
        self.number() as u32
    }
    fn text(&mut self) -> String {
        ["", "a", "orders", "ünïcødé ✓", "order 35 paid"][self.below(5) as usize].to_string()
    }
    fn maybe<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> Option<T> {
        if self.coin() {
            Some(f(self))
        } else {
            None
        }
    }
    fn node(&mut self) -> NodeRef {
        match self.below(5) {
            0 => NodeRef::Controller,
            1 => NodeRef::Broker(BrokerId(self.u32())),
            2 => NodeRef::Producer("p".into()),
            3 => NodeRef::ControllerNode(self.u32()),
            _ => NodeRef::Consumer("c".into()),
        }
    }
    fn topic_config(&mut self) -> TopicConfig {
        TopicConfig {
            min_insync_replicas: self.maybe(Self::u32),
            unclean_leader_election_enable: self.maybe(Self::coin),
            ..TopicConfig::default()
        }
    }
    fn command(&mut self, variant: u32) -> Command {
        let b = BrokerId(self.u32());
        match variant {
            0 => Command::Produce(Produce {
                producer: self.text(),
                topic: self.text(),
                key: self.maybe(Self::text),
                value: self.text(),
                count: self.u32(),
                partition: self.maybe(Self::u32),
            }),
            1 => Command::Consume { consumer: self.text(), topic: self.text() },
            2 => Command::CrashBroker { broker: b },
            3 => Command::RestartBroker { broker: b },
            4 => Command::ControlledShutdown { broker: b },
            5 => Command::CutLink { between: [self.node(), self.node()] },
            6 => Command::HealLink { between: [self.node(), self.node()] },
            7 => Command::SlowReplica { broker: b, stalled: self.coin() },
            8 => Command::CreateTopic(TopicSpec {
                name: self.text(),
                partitions: self.u32(),
                replication_factor: self.u32(),
                replica_assignment: self.maybe(|g| vec![vec![BrokerId(g.u32()); 2]; g.below(3) as usize]),
                config: self.topic_config(),
            }),
            9 if self.coin() => {
                let config = TopicConfig { min_insync_replicas: Some(self.u32()), ..self.topic_config() };
                Command::ChangeConfig(ChangeConfig::Topic { topic: self.text(), config })
            }
            9 => Command::ChangeConfig(ChangeConfig::ClientRack { consumer: self.text(), client_rack: self.text() }),
            10 => Command::ReconfigureProducer {
                producer: self.text(),
                config: ProducerReconfig {
                    acks: self.maybe(|g| Acks::ALL_VALUES[g.below(3) as usize]),
                    enable_idempotence: self.maybe(Self::coin),
                },
            },
            11 => Command::CutLinkOneWay { from: self.node(), to: self.node() },
            12 => Command::PauseBroker { broker: b },
            13 => Command::ResumeBroker { broker: b },
            Command::WHEN_VARIANT => {
                let then = match self.below(u64::from(Command::VARIANTS)) as u32 {
                    Command::WHEN_VARIANT => 0,
                    other => other,
                };
                Command::When(When {
                    event: self.maybe(Self::text),
                    high_watermark: self.maybe(Self::number),
                    broker: self.maybe(|g| BrokerId(g.u32())),
                    partition: self.maybe(Self::text),
                    then: Box::new(self.command(then)),
                })
            }
            16 => Command::PowerOffBroker { broker: b },
            20 => Command::CrashController { controller: self.u32() },
            21 => Command::RestartController { controller: self.u32() },
            17 => Command::ElectLeaders(crate::engine::ElectLeaders {
                election_type: [crate::engine::ElectionType::Preferred, crate::engine::ElectionType::Unclean]
                    [self.below(2) as usize],
                topic: self.maybe(Self::text),
                partition: self.maybe(Self::u32),
            }),
            18 => Command::AddBroker { broker: b, rack: self.text() },
            19 => Command::ReassignPartitions(crate::engine::ReassignPartitions {
                topic: self.text(),
                partition: self.u32(),
                replicas: self.maybe(|g| vec![BrokerId(g.u32()); g.below(4) as usize]),
            }),
            22 => Command::JoinGroup(crate::engine::JoinGroup {
                consumer: self.text(),
                group: self.text(),
                topic: self.text(),
                enable_auto_commit: self.coin(),
            }),
            23 => Command::LeaveGroup { consumer: self.text() },
            24 => Command::CrashConsumer { consumer: self.text() },
            25 => Command::StopPolling { consumer: self.text() },
            26 => Command::CommitOffsets { consumer: self.text() },
            _ => Command::Seek {
                consumer: self.text(),
                topic: self.text(),
                partition: self.u32(),
                to: [SeekTo::Offset(self.number()), SeekTo::Beginning, SeekTo::End][self.below(3) as usize],
            },
        }
    }
    /// A scenario whose fields take random values (not a valid one: the reader only reads).
    fn scenario(&mut self) -> Scenario {
        let mut s = Scenario::one_broker(self.number(), self.number());
        s.format = self.u32();
        let c = &mut s.cluster.config;
        c.replica_selector_class = self.maybe(Self::text);
        c.unclean_leader_election_enable = self.coin();
        c.min_insync_replicas = self.u32();
        s.cluster.network.jitter_ms = self.number();
        s.topics = (0..self.below(3))
            .map(|_| match self.command(8) {
                Command::CreateTopic(t) => t,
                _ => unreachable!(),
            })
            .collect();
        let mut producer = crate::engine::ProducerSpec { name: self.text(), config: Default::default() };
        producer.config.acks = Acks::ALL_VALUES[self.below(3) as usize];
        producer.config.enable_idempotence = self.maybe(Self::coin);
        s.producers = vec![producer; self.below(3) as usize];
        let mut consumer = crate::engine::ConsumerSpec { name: self.text(), config: Default::default() };
        consumer.config.auto_offset_reset =
            [AutoOffsetReset::Earliest, AutoOffsetReset::Latest, AutoOffsetReset::None][self.below(3) as usize];
        consumer.config.client_rack = self.text();
        s.consumers = vec![consumer; self.below(3) as usize];
        s.commands =
            (0..Command::VARIANTS).map(|v| TimedCommand { at_ms: self.number(), command: self.command(v) }).collect();
        s
    }
    fn lesson(&mut self) -> Lesson {
        let question = |g: &mut Gen| Question {
            prompt: g.text(),
            choices: vec![g.text(); g.below(4) as usize],
            answer: g.u32(),
            reason: g.text(),
            reveal: Reveal { event: g.text(), partition: g.maybe(Self::text), by_ms: g.number() },
            outcome: Outcome {
                partition: g.text(),
                leader: g.maybe(|g| BrokerId(g.u32())),
                leader_epoch: g.maybe(Self::u32),
                isr: g.maybe(|g| vec![BrokerId(g.u32()); g.below(3) as usize]),
                high_watermark: g.maybe(Self::number),
                acknowledged: g.maybe(Self::number),
                lost: g.maybe(Self::number),
                consumer: g.maybe(Self::text),
                fetching_from: g.maybe(|g| BrokerId(g.u32())),
            },
        };
        let steps = (0..self.below(4))
            .map(|_| LessonStep { at_ms: self.number(), text: self.text(), question: self.maybe(question) })
            .collect();
        Lesson { title: self.text(), concept: self.text(), scenario: self.scenario(), steps }
    }
}

/// Both readers on `bytes`: the same value and rest, or the same fault (returned).
fn same_reading<'a, T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
    bytes: &'a [u8],
    ours: impl Fn(&mut CodeReader<'a>) -> Result<T, Fault>,
) -> Option<Fault> {
    let theirs = postcard::take_from_bytes::<T>(bytes).map_err(|e| fault_of(&e));
    let mut reader = CodeReader::new(bytes);
    let mine = ours(&mut reader).map(|v| (v, reader.rest()));
    assert_eq!(mine, theirs, "{bytes:?}");
    mine.err()
}

/// Copies of `code` cut short, with a byte changed, or with a byte put in.
fn damaged(code: &[u8], g: &mut Gen) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for _ in 0..60 {
        let at = g.below(code.len() as u64) as usize;
        out.push(code[..at].to_vec());
        let mut changed = code.to_vec();
        changed[at] = [0, 1, 2, 0x7f, 0x80, 0xff, g.below(256) as u8][g.below(7) as usize];
        out.push(changed);
        let mut longer = code.to_vec();
        longer.insert(at, g.below(256) as u8);
        out.push(longer);
    }
    out
}

#[test]
fn the_reader_reads_every_field_of_every_command_as_postcard_wrote_it() {
    let mut g = Gen(Xoshiro256PlusPlus::seed_from_u64(7));
    for _ in 0..300 {
        let scenario = g.scenario();
        let code = postcard::to_allocvec(&scenario).unwrap();
        let mut reader = CodeReader::new(&code);
        assert_eq!(reader.scenario(), Ok(scenario));
        assert!(reader.rest().is_empty());
        let lesson = g.lesson();
        let code = postcard::to_allocvec(&lesson).unwrap();
        assert_eq!(CodeReader::new(&code).lesson(), Ok(lesson.clone()));
        let text = postcard::to_allocvec(&lesson.text()).unwrap();
        assert_eq!(CodeReader::new(&text).lesson_text(), Ok(lesson.text()));
    }
}

#[test]
fn damaged_codes_are_refused_for_the_same_fault_as_postcards_reader_refuses_them() {
    let mut g = Gen(Xoshiro256PlusPlus::seed_from_u64(11));
    let mut seen = std::collections::BTreeMap::new();
    for _ in 0..40 {
        let code = postcard::to_allocvec(&g.scenario()).unwrap();
        for bytes in damaged(&code, &mut g) {
            *seen.entry(same_reading::<Scenario>(&bytes, CodeReader::scenario).map(Fault::as_str)).or_insert(0) += 1;
        }
        let code = postcard::to_allocvec(&g.lesson()).unwrap();
        for bytes in damaged(&code, &mut g) {
            *seen.entry(same_reading::<Lesson>(&bytes, CodeReader::lesson).map(Fault::as_str)).or_insert(0) += 1;
        }
    }
    // Read whole, and refused for each of the four faults.
    assert_eq!(seen.len(), 5, "{seen:?}");
}

#[test]
fn a_when_inside_a_when_is_refused_at_its_variant_index() {
    let inner = Command::When(When {
        event: None,
        high_watermark: Some(3),
        broker: None,
        partition: None,
        then: Box::new(Command::CrashBroker { broker: BrokerId(1) }),
    });
    let outer =
        Command::When(When { event: None, high_watermark: None, broker: None, partition: None, then: Box::new(inner) });
    let code = postcard::to_allocvec(&outer).unwrap();
    assert_eq!(CodeReader::new(&code).command(), Err(Fault::Invalid));
    same_reading::<Command>(&code, CodeReader::command);
    // A non-canonical varint (14 as 0x8e 0x00) names `when` too.
    let mut long = code.clone();
    let at = 1 + 4; // outer's index, then its four absent options
    assert_eq!(long[at], Command::WHEN_VARIANT as u8);
    long.splice(at..=at, [0x8e, 0x00]);
    assert_eq!(CodeReader::new(&long).command(), Err(Fault::Invalid));
}

#[test]
fn the_variant_constants_are_the_positions_postcard_writes() {
    let mut g = Gen(Xoshiro256PlusPlus::seed_from_u64(3));
    for v in 0..Command::VARIANTS {
        let code = postcard::to_allocvec(&g.command(v)).unwrap();
        assert_eq!(u32::from(code[0]), v);
    }
    let when = g.command(Command::WHEN_VARIANT);
    assert_eq!(when.name(), "when");
    // One past the last variant is not a command.
    assert_eq!(CodeReader::new(&[Command::VARIANTS as u8]).command(), Err(Fault::Invalid));
    same_reading::<Command>(&[Command::VARIANTS as u8], CodeReader::command);
}
