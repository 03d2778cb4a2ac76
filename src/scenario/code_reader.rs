//! The reader of the binary code (postcard's layout of [`Scenario`], its commands and a lesson),
//! written out by hand. serde's derived readers of these types hold about 10 KB of the page's
//! gzipped wasm (docs/performance-page.md); this one reads the same bytes the same way, field by
//! field in declaration order, and `tests/scenario_code.rs` checks it against postcard on random
//! scenarios and every golden link. The writer stays postcard's (serde's derive), in the share
//! worker and the runner.
//!
//! postcard's layout: unsigned integers as LEB128 varints (a `u32` in at most 5 bytes), `bool` as
//! one byte 0 or 1, a string or a list as its varint length then its items, `Option` as a byte 0
//! or 1 then the value, an enum as its varint variant index then its fields, a struct as its fields,
//! a fixed array as its items. Fields with `#[serde(skip)]` are not in it (their defaults stand).

use crate::engine::{
    Acks, AutoOffsetReset, BrokerConfig, BrokerId, BrokerSpec, ChangeConfig, ChangeConfigSpec, ClusterFeatures,
    ClusterSpec, Command, ConsumerConfig, ConsumerSpec, ElectLeaders, ElectionType, JoinGroup, Lesson, LessonStep,
    LessonText, NetworkConfig, NodeRef, Outcome, Produce, ProducerConfig, ProducerReconfig, ProducerSpec, Question,
    ReassignPartitions, Reveal, Scenario, SeekTo, TimedCommand, TopicConfig, TopicSpec, When, LIMITS,
};

/// What is wrong with a code, as [`super::code::code_fault`] words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fault {
    /// The bytes end inside a value.
    End,
    /// A varint too long for its type, a `bool` not 0 or 1, a string not UTF-8.
    NotItsType,
    /// An `Option` tag not 0 or 1.
    Choice,
    /// A value its type refuses: an enum's variant past its last, a list past its bound, a node
    /// name or a configuration change that does not read, a `when` inside a `when`.
    Invalid,
}

impl Fault {
    /// In the words a person is shown.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Fault::End => "it ends too early",
            Fault::NotItsType => "a value is not of its type",
            Fault::Choice => "a choice is out of range",
            Fault::Invalid => "its bytes do not make one",
        }
    }
}

type Read<T> = Result<T, Fault>;

/// A cursor over a code.
pub(super) struct CodeReader<'a> {
    bytes: &'a [u8],
}

impl<'a> CodeReader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        CodeReader { bytes }
    }

    /// What is left after what was read.
    pub(super) fn rest(&self) -> &'a [u8] {
        self.bytes
    }

    fn byte(&mut self) -> Read<u8> {
        let (&b, rest) = self.bytes.split_first().ok_or(Fault::End)?;
        self.bytes = rest;
        Ok(b)
    }

    /// A varint of a `bits`-bit integer, as postcard reads it: at most ceil(bits / 7) bytes, the
    /// last of them holding only the bits left (non-canonical encodings read).
    fn varint(&mut self, bits: u32) -> Read<u64> {
        let max_bytes = bits.div_ceil(7);
        let mut value: u64 = 0;
        for i in 0..max_bytes {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                let last_max = (1u8 << (bits % 7)) - 1;
                return if i == max_bytes - 1 && b > last_max { Err(Fault::NotItsType) } else { Ok(value) };
            }
        }
        Err(Fault::NotItsType)
    }

    pub(super) fn u32(&mut self) -> Read<u32> {
        // At most 32 bits read: the conversion cannot fail.
        u32::try_from(self.varint(32)?).map_err(|_| Fault::NotItsType)
    }

    fn u64(&mut self) -> Read<u64> {
        self.varint(64)
    }

    fn bool(&mut self) -> Read<bool> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Fault::NotItsType),
        }
    }

    /// A length: a `usize` varint (postcard reads the target's width).
    fn len(&mut self) -> Read<usize> {
        usize::try_from(self.varint(usize::BITS)?).map_err(|_| Fault::NotItsType)
    }

    fn string(&mut self) -> Read<String> {
        let n = self.len()?;
        if n > self.bytes.len() {
            return Err(Fault::End);
        }
        let (text, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        std::str::from_utf8(text).map(str::to_owned).map_err(|_| Fault::NotItsType)
    }

    fn option<T>(&mut self, read: impl FnOnce(&mut Self) -> Read<T>) -> Read<Option<T>> {
        match self.byte()? {
            0 => Ok(None),
            1 => read(self).map(Some),
            _ => Err(Fault::Choice),
        }
    }

    /// A list of at most `max` items: refused at the first item past it, as the bounded serde
    /// readers do (`engine::setup`), so a code cannot make the reader hold more.
    fn list<T>(&mut self, max: usize, mut read: impl FnMut(&mut Self) -> Read<T>) -> Read<Vec<T>> {
        let n = self.len()?;
        let mut items = Vec::with_capacity(n.min(max).min(self.bytes.len()));
        for i in 0..n {
            if i == max {
                return Err(Fault::Invalid);
            }
            items.push(read(self)?);
        }
        Ok(items)
    }

    /// An enum's variant index, below `count`.
    fn variant(&mut self, count: u32) -> Read<u32> {
        let v = self.u32()?;
        if v < count {
            Ok(v)
        } else {
            Err(Fault::Invalid)
        }
    }

    fn broker(&mut self) -> Read<BrokerId> {
        self.u32().map(BrokerId)
    }

    // ------------------------------------------------------------------------------- scenario

    pub(super) fn scenario(&mut self) -> Read<Scenario> {
        Ok(Scenario {
            format: self.u32()?,
            seed: self.u64()?,
            cluster: self.cluster()?,
            topics: self.list(LIMITS.replicas_max as usize, Self::topic)?,
            producers: self
                .list(LIMITS.clients_max, |r| Ok(ProducerSpec { name: r.string()?, config: r.producer_config()? }))?,
            consumers: self
                .list(LIMITS.clients_max, |r| Ok(ConsumerSpec { name: r.string()?, config: r.consumer_config()? }))?,
            commands: self.list(LIMITS.commands_max, Self::timed_command)?,
            until_ms: self.u64()?,
        })
    }

    fn cluster(&mut self) -> Read<ClusterSpec> {
        Ok(ClusterSpec {
            brokers: self.list(LIMITS.brokers_max, |r| Ok(BrokerSpec { id: r.broker()?, rack: r.string()? }))?,
            config: self.broker_config()?,
            network: NetworkConfig { latency_ms: self.u64()?, jitter_ms: self.u64()? },
            // Not in the code: a link's own section carries it.
            features: ClusterFeatures::default(),
        })
    }

    fn broker_config(&mut self) -> Read<BrokerConfig> {
        Ok(BrokerConfig {
            broker_heartbeat_interval_ms: self.u64()?,
            broker_session_timeout_ms: self.u64()?,
            replica_lag_time_max_ms: self.u64()?,
            replica_fetch_wait_max_ms: self.u64()?,
            replica_fetch_max_bytes: self.u64()?,
            replica_fetch_backoff_ms: self.u64()?,
            replica_selector_class: self.option(Self::string)?,
            min_insync_replicas: self.u32()?,
            unclean_leader_election_enable: self.bool()?,
            unclean_leader_election_interval_ms: self.u64()?,
            controlled_shutdown_enable: self.bool()?,
            // Not in the code: a link's own section carries them.
            ..BrokerConfig::default()
        })
    }

    fn topic(&mut self) -> Read<TopicSpec> {
        Ok(TopicSpec {
            name: self.string()?,
            partitions: self.u32()?,
            replication_factor: self.u32()?,
            replica_assignment: self.option(|r| r.list(usize::MAX, |r| r.list(usize::MAX, Self::broker)))?,
            config: self.topic_config()?,
        })
    }

    fn topic_config(&mut self) -> Read<TopicConfig> {
        Ok(TopicConfig {
            min_insync_replicas: self.option(Self::u32)?,
            unclean_leader_election_enable: self.option(Self::bool)?,
            // Not in the code: a link's own section carries them.
            ..TopicConfig::default()
        })
    }

    fn acks(&mut self) -> Read<Acks> {
        Ok(match self.variant(3)? {
            0 => Acks::None,
            1 => Acks::Leader,
            _ => Acks::All,
        })
    }

    fn producer_config(&mut self) -> Read<ProducerConfig> {
        Ok(ProducerConfig {
            acks: self.acks()?,
            enable_idempotence: self.option(Self::bool)?,
            delivery_timeout_ms: self.u64()?,
            request_timeout_ms: self.u64()?,
            linger_ms: self.u64()?,
            batch_size: self.u64()?,
            retry_backoff_ms: self.u64()?,
            retry_backoff_max_ms: self.u64()?,
            metadata_max_age_ms: self.u64()?,
            ..ProducerConfig::default()
        })
    }

    fn consumer_config(&mut self) -> Read<ConsumerConfig> {
        Ok(ConsumerConfig {
            client_rack: self.string()?,
            auto_offset_reset: match self.variant(3)? {
                0 => AutoOffsetReset::Earliest,
                1 => AutoOffsetReset::Latest,
                _ => AutoOffsetReset::None,
            },
            fetch_max_wait_ms: self.u64()?,
            max_poll_records: self.u32()?,
            request_timeout_ms: self.u64()?,
            metadata_max_age_ms: self.u64()?,
            retry_backoff_ms: self.u64()?,
        })
    }

    // ------------------------------------------------------------------------------- commands

    /// A format-1 link's session: its timed commands (no bound of their own: the link's inflated
    /// size bounds them).
    pub(super) fn session_format_1(&mut self) -> Read<Vec<TimedCommand>> {
        self.list(usize::MAX, Self::timed_command)
    }

    pub(super) fn timed_command(&mut self) -> Read<TimedCommand> {
        Ok(TimedCommand { at_ms: self.u64()?, command: self.command()? })
    }

    fn node(&mut self) -> Read<NodeRef> {
        NodeRef::try_from(self.string()?).map_err(|_| Fault::Invalid)
    }

    /// A command: its variant index (its position in [`Command`]) and its fields.
    pub(super) fn command(&mut self) -> Read<Command> {
        let index = self.variant(Command::VARIANTS)?;
        self.command_fields(index)
    }

    fn command_fields(&mut self, index: u32) -> Read<Command> {
        let broker = |r: &mut Self| r.broker();
        Ok(match index {
            0 => Command::Produce(self.produce()?),
            1 => Command::Consume { consumer: self.string()?, topic: self.string()? },
            2 => Command::CrashBroker { broker: broker(self)? },
            3 => Command::RestartBroker { broker: broker(self)? },
            4 => Command::ControlledShutdown { broker: broker(self)? },
            5 => Command::CutLink { between: [self.node()?, self.node()?] },
            6 => Command::HealLink { between: [self.node()?, self.node()?] },
            7 => Command::SlowReplica { broker: broker(self)?, stalled: self.bool()? },
            8 => Command::CreateTopic(self.topic()?),
            9 => Command::ChangeConfig(self.change_config()?),
            10 => Command::ReconfigureProducer {
                producer: self.string()?,
                config: ProducerReconfig {
                    acks: self.option(Self::acks)?,
                    enable_idempotence: self.option(Self::bool)?,
                },
            },
            11 => Command::CutLinkOneWay { from: self.node()?, to: self.node()? },
            12 => Command::PauseBroker { broker: broker(self)? },
            13 => Command::ResumeBroker { broker: broker(self)? },
            Command::WHEN_VARIANT => Command::When(self.when()?),
            16 => Command::PowerOffBroker { broker: broker(self)? },
            20 => Command::CrashController { controller: self.u32()? },
            21 => Command::RestartController { controller: self.u32()? },
            17 => Command::ElectLeaders(ElectLeaders {
                election_type: match self.variant(2)? {
                    0 => ElectionType::Preferred,
                    _ => ElectionType::Unclean,
                },
                topic: self.option(Self::string)?,
                partition: self.option(Self::u32)?,
            }),
            18 => Command::AddBroker { broker: broker(self)?, rack: self.string()? },
            19 => Command::ReassignPartitions(ReassignPartitions {
                topic: self.string()?,
                partition: self.u32()?,
                replicas: self.option(|r| r.list(LIMITS.brokers_max, Self::broker))?,
            }),
            22 => Command::JoinGroup(JoinGroup {
                consumer: self.string()?,
                group: self.string()?,
                topic: self.string()?,
                enable_auto_commit: self.bool()?,
            }),
            23 => Command::LeaveGroup { consumer: self.string()? },
            24 => Command::CrashConsumer { consumer: self.string()? },
            25 => Command::StopPolling { consumer: self.string()? },
            26 => Command::CommitOffsets { consumer: self.string()? },
            _ => Command::Seek {
                consumer: self.string()?,
                topic: self.string()?,
                partition: self.u32()?,
                to: match self.variant(3)? {
                    0 => SeekTo::Offset(self.u64()?),
                    1 => SeekTo::Beginning,
                    _ => SeekTo::End,
                },
            },
        })
    }

    fn produce(&mut self) -> Read<Produce> {
        Ok(Produce {
            producer: self.string()?,
            topic: self.string()?,
            key: self.option(Self::string)?,
            value: self.string()?,
            count: self.u32()?,
            partition: self.option(Self::u32)?,
        })
    }

    fn change_config(&mut self) -> Read<ChangeConfig> {
        let spec = ChangeConfigSpec {
            topic: self.option(Self::string)?,
            consumer: self.option(Self::string)?,
            min_insync_replicas: self.option(Self::u32)?,
            unclean_leader_election_enable: self.option(Self::bool)?,
            client_rack: self.option(Self::string)?,
        };
        ChangeConfig::try_from(spec).map_err(|_| Fault::Invalid)
    }

    /// A `when` and the command it runs, which is not another `when`: refused at its variant
    /// index, before anything nested is read (no depth for a code to exhaust).
    fn when(&mut self) -> Read<When> {
        let event = self.option(Self::string)?;
        let high_watermark = self.option(Self::u64)?;
        let broker = self.option(Self::broker)?;
        let partition = self.option(Self::string)?;
        let index = self.variant(Command::VARIANTS)?;
        if index == Command::WHEN_VARIANT {
            return Err(Fault::Invalid);
        }
        let then = Box::new(self.command_fields(index)?);
        Ok(When { event, high_watermark, broker, partition, then })
    }

    // ------------------------------------------------------------------------------- lessons

    pub(super) fn lesson(&mut self) -> Read<Lesson> {
        Ok(Lesson {
            title: self.string()?,
            concept: self.string()?,
            scenario: self.scenario()?,
            steps: self.list(usize::MAX, Self::lesson_step)?,
        })
    }

    pub(super) fn lesson_text(&mut self) -> Read<LessonText> {
        Ok(LessonText {
            title: self.string()?,
            concept: self.string()?,
            steps: self.list(usize::MAX, Self::lesson_step)?,
        })
    }

    fn lesson_step(&mut self) -> Read<LessonStep> {
        Ok(LessonStep { at_ms: self.u64()?, text: self.string()?, question: self.option(Self::question)? })
    }

    fn question(&mut self) -> Read<Question> {
        Ok(Question {
            prompt: self.string()?,
            choices: self.list(usize::MAX, Self::string)?,
            answer: self.u32()?,
            reason: self.string()?,
            reveal: Reveal { event: self.string()?, partition: self.option(Self::string)?, by_ms: self.u64()? },
            outcome: Outcome {
                partition: self.string()?,
                leader: self.option(Self::broker)?,
                leader_epoch: self.option(Self::u32)?,
                isr: self.option(|r| r.list(usize::MAX, Self::broker))?,
                high_watermark: self.option(Self::u64)?,
                acknowledged: self.option(Self::u64)?,
                lost: self.option(Self::u64)?,
                consumer: self.option(Self::string)?,
                fetching_from: self.option(Self::broker)?,
            },
        })
    }
}

#[cfg(test)]
#[path = "code_reader_tests.rs"]
mod tests;
