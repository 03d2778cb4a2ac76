//! What the page's forms and its broker menu ask for, as `Command`s. The page holds no Kafka rule:
//! it only refuses what is no command at all (no topic chosen, a count that is not a whole number)
//! and asks the engine, whose `CommandError { field, reason }` it shows beside the input at fault.
//! A [`FormError`] names its input the same way.

use crate::engine::{
    thousands, Acks, BrokerId, ChangeConfig, Command, ElectLeaders, ElectionType, NodeRef, Produce, ProducerReconfig,
    TopicConfig, TopicSpec, LIMITS,
};

/// An input that makes no command: the input, named as the engine names its fields (`count`,
/// `topic`, `replication.factor`), and the sentence to show beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormError {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: &str) -> FormError {
    FormError { field, message: message.to_string() }
}

/// A whole number as typed (digits only, spaces around allowed): `None` for `1.5`, `-1`, `+1`, ``.
pub fn parse_whole(s: &str) -> Option<u32> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// The produce form as typed.
pub struct ProduceForm<'a> {
    pub producer: &'a str,
    pub topic: &'a str,
    /// Empty: no key (sticky partitioning).
    pub key: &'a str,
    pub value: &'a str,
    pub count: &'a str,
    /// Empty: the partitioner chooses.
    pub partition: &'a str,
}

impl ProduceForm<'_> {
    pub fn command(&self) -> Result<Command, FormError> {
        if self.topic.is_empty() {
            return Err(refuse("topic", "Choose a topic (create one under “Topics & configs”)."));
        }
        let count = match parse_whole(self.count) {
            Some(count) => count,
            // Digits too many for a count: say the engine's bound rather than "not a number".
            None if !self.count.trim().is_empty() && self.count.trim().bytes().all(|b| b.is_ascii_digit()) => {
                let max = thousands(LIMITS.records_max);
                return Err(FormError { field: "count", message: format!("Count is at most {max}.") });
            }
            None => return Err(refuse("count", "Count is a whole number.")),
        };
        let partition = match self.partition {
            "" => None,
            typed => Some(parse_whole(typed).ok_or_else(|| {
                refuse("partition", "Partition is a whole number, or empty for the partitioner to choose.")
            })?),
        };
        Ok(Command::Produce(Produce {
            producer: self.producer.to_string(),
            topic: self.topic.to_string(),
            key: (!self.key.is_empty()).then(|| self.key.to_string()),
            value: self.value.to_string(),
            count,
            partition,
        }))
    }
}

/// The choices of the reconfigure form's `enable.idempotence`: Kafka's default for the `acks`, or
/// set (value, label).
pub const IDEMPOTENCE_CHOICES: [(&str, &str); 3] =
    [("default", "default (true with acks=all)"), ("true", "true"), ("false", "false")];

/// The producer panel's "Reconfigure producer" form as chosen: `close()` and a new `KafkaProducer`
/// with this `acks` and `enable.idempotence` ([`IDEMPOTENCE_CHOICES`]).
pub struct ReconfigureForm<'a> {
    pub producer: &'a str,
    pub acks: &'a str,
    pub enable_idempotence: &'a str,
}

/// The reconfigure form's choices for a producer as it is now (`acks`, effective idempotence): its
/// `acks`, and `default` where the idempotence is Kafka's default for it.
pub fn reconfigure_choices(acks: Acks, idempotent: bool) -> (&'static str, &'static str) {
    let idempotence = match (idempotent == (acks == Acks::All), idempotent) {
        (true, _) => "default",
        (false, true) => "true",
        (false, false) => "false",
    };
    (acks.as_str(), idempotence)
}

impl ReconfigureForm<'_> {
    pub fn command(&self) -> Result<Command, FormError> {
        let acks = Acks::parse(self.acks).ok_or_else(|| refuse("config.acks", "acks is 0, 1 or all."))?;
        let enable_idempotence = match self.enable_idempotence {
            "default" => None,
            "true" => Some(true),
            "false" => Some(false),
            _ => return Err(refuse("config.enable.idempotence", "enable.idempotence is default, true or false.")),
        };
        let config = ProducerReconfig { acks: Some(acks), enable_idempotence };
        Ok(Command::ReconfigureProducer { producer: self.producer.to_string(), config })
    }
}

/// Subscribes `consumer` to `topic`.
pub fn consume(consumer: &str, topic: &str) -> Result<Command, FormError> {
    if topic.is_empty() {
        return Err(refuse("topic", "Choose a topic."));
    }
    Ok(Command::Consume { consumer: consumer.to_string(), topic: topic.to_string() })
}

/// Sets `consumer`'s `client.rack` to `rack` if that changes it (`current` is its rack now).
pub fn rack_change(consumer: &str, rack: &str, current: Option<&str>) -> Option<Command> {
    if current == Some(rack) {
        return None;
    }
    let change = ChangeConfig::ClientRack { consumer: consumer.to_string(), client_rack: rack.to_string() };
    Some(Command::ChangeConfig(change))
}

/// What the link buttons do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkChange {
    Cut,
    Heal,
}

/// Cuts or heals the link between two nodes named as the link form's choices are
/// (`controller`, `broker:2`, `producer:producer-1`).
pub fn link(a: &str, b: &str, change: LinkChange) -> Result<Command, FormError> {
    let node = |s: &str| NodeRef::try_from(s.to_string()).map_err(|message| FormError { field: "between", message });
    let between = [node(a)?, node(b)?];
    Ok(match change {
        LinkChange::Cut => Command::CutLink { between },
        LinkChange::Heal => Command::HealLink { between },
    })
}

/// The create-topic form as typed.
pub struct TopicForm<'a> {
    pub name: &'a str,
    pub partitions: &'a str,
    pub replication_factor: &'a str,
}

impl TopicForm<'_> {
    /// The command, or every input that makes none.
    pub fn command(&self) -> Result<Command, Vec<FormError>> {
        let partitions = parse_whole(self.partitions);
        let rf = parse_whole(self.replication_factor);
        let (Some(partitions), Some(replication_factor)) = (partitions, rf) else {
            let mut errors = Vec::new();
            if partitions.is_none() {
                errors.push(refuse("partitions", "A whole number."));
            }
            if rf.is_none() {
                errors.push(refuse("replication.factor", "A whole number."));
            }
            return Err(errors);
        };
        let name = self.name.to_string();
        Ok(Command::CreateTopic(TopicSpec {
            name,
            partitions,
            replication_factor,
            config: TopicConfig::default(),
            replica_assignment: None,
        }))
    }
}

/// The topic-config form as typed.
pub struct ConfigForm<'a> {
    pub topic: &'a str,
    pub min_insync_replicas: &'a str,
    pub unclean_leader_election_enable: bool,
}

impl ConfigForm<'_> {
    pub fn command(&self) -> Result<Command, FormError> {
        if self.topic.is_empty() {
            return Err(refuse("topic", "Choose a topic."));
        }
        let min_isr = parse_whole(self.min_insync_replicas)
            .ok_or_else(|| refuse("min.insync.replicas", "min.insync.replicas is a whole number."))?;
        let config = TopicConfig {
            min_insync_replicas: Some(min_isr),
            unclean_leader_election_enable: Some(self.unclean_leader_election_enable),
            ..TopicConfig::default()
        };
        Ok(Command::ChangeConfig(ChangeConfig::Topic { topic: self.topic.to_string(), config }))
    }
}

/// The Topics & configs group's "Elect preferred leaders": `kafka-leader-election.sh
/// --election-type preferred --all-topic-partitions`.
pub fn preferred_election() -> Command {
    Command::ElectLeaders(ElectLeaders { election_type: ElectionType::Preferred, topic: None, partition: None })
}

/// The command of a broker menu item (`data-action`): `None` for an item that only selects.
/// `stalled` is whether its follower fetching is stalled now (the "slow" item toggles it).
pub fn broker_action(action: &str, broker: BrokerId, stalled: bool) -> Option<Command> {
    match action {
        "crash" => Some(Command::CrashBroker { broker }),
        "poweroff" => Some(Command::PowerOffBroker { broker }),
        "restart" => Some(Command::RestartBroker { broker }),
        "shutdown" => Some(Command::ControlledShutdown { broker }),
        "slow" => Some(Command::SlowReplica { broker, stalled: !stalled }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::tests::default_engine;

    fn produce_form<'a>(count: &'a str) -> ProduceForm<'a> {
        ProduceForm { producer: "producer-1", topic: "orders", key: "", value: "hello", count, partition: "" }
    }

    #[test]
    fn whole_numbers_are_digits_only() {
        assert_eq!(parse_whole(" 12 "), Some(12));
        assert_eq!(parse_whole("0"), Some(0));
        for bad in ["", " ", "1.5", "-1", "+1", "1e3", "abc", "99999999999"] {
            assert_eq!(parse_whole(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_produce_form_asks_the_engine_which_names_the_input_at_fault() {
        let mut engine = default_engine();
        let command = produce_form("3").command().expect("a command");
        let Command::Produce(p) = &command else { panic!("{command:?}") };
        assert_eq!((p.key.as_deref(), p.partition, p.count), (None, None, 3));
        assert_eq!(engine.apply(command), Ok(()));

        let keyed = ProduceForm { key: "k", partition: "2", ..produce_form("1") };
        let Ok(Command::Produce(p)) = keyed.command() else { panic!() };
        assert_eq!((p.key.as_deref(), p.partition), (Some("k"), Some(2)));

        // Over the engine's bound: the engine refuses it and names the input.
        let many = (LIMITS.records_max + 1).to_string();
        let refused = engine.apply(produce_form(&many).command().expect("a command")).expect_err("over the bound");
        assert_eq!(refused.field, "count");
    }

    #[test]
    fn what_makes_no_command_is_refused_before_the_engine() {
        assert_eq!(produce_form("1.5").command().unwrap_err().field, "count");
        let huge = produce_form("5000000000").command().unwrap_err();
        assert_eq!((huge.field, huge.message.as_str()), ("count", "Count is at most 1,000,000."));
        let partition = ProduceForm { partition: "two", ..produce_form("1") }.command().unwrap_err();
        assert_eq!(partition.field, "partition");
        assert_eq!(ProduceForm { topic: "", ..produce_form("1") }.command().unwrap_err().field, "topic");
        let bad_acks = ReconfigureForm { producer: "producer-1", acks: "2", enable_idempotence: "default" };
        let bad_acks = bad_acks.command().unwrap_err();
        assert_eq!((bad_acks.field, bad_acks.message.as_str()), ("config.acks", "acks is 0, 1 or all."));
        let bad = ReconfigureForm { producer: "producer-1", acks: "1", enable_idempotence: "yes" }.command();
        assert_eq!(bad.unwrap_err().field, "config.enable.idempotence");
        assert_eq!(consume("consumer-1", "").unwrap_err().message, "Choose a topic.");
        let topic = TopicForm { name: "t", partitions: "x", replication_factor: "" }.command().unwrap_err();
        let fields: Vec<&str> = topic.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["partitions", "replication.factor"], "both inputs at once");
        let config = ConfigForm { topic: "orders", min_insync_replicas: "two", unclean_leader_election_enable: false };
        assert_eq!(config.command().unwrap_err().field, "min.insync.replicas");
        let link_error = link("controller", "broker:x", LinkChange::Cut).unwrap_err();
        assert!(link_error.message.contains("is not a node"), "{}", link_error.message);
    }

    #[test]
    fn the_other_forms_make_the_commands_they_say() {
        let mut engine = default_engine();
        let topic = TopicForm { name: "payments", partitions: "2", replication_factor: "3" };
        assert_eq!(engine.apply(topic.command().expect("a command")), Ok(()));
        let config = ConfigForm { topic: "payments", min_insync_replicas: "2", unclean_leader_election_enable: true };
        assert_eq!(engine.apply(config.command().expect("a command")), Ok(()));
        let view = engine.view(Default::default());
        let t = view.topics.iter().find(|t| t.name == "payments").expect("created");
        assert_eq!((t.min_insync_replicas, t.unclean_leader_election_enable), (2, true));

        assert_eq!(engine.apply(consume("consumer-1", "payments").expect("a command")), Ok(()));
        assert_eq!(rack_change("consumer-1", "b", Some("b")), None, "the same rack: nothing to do");
        assert_eq!(engine.apply(rack_change("consumer-1", "b", Some("")).expect("a change")), Ok(()));

        let cut = link("controller", "broker:2", LinkChange::Cut).expect("a command");
        let between = [NodeRef::Controller, NodeRef::Broker(BrokerId(2))];
        assert_eq!(cut, Command::CutLink { between: between.clone() });
        assert_eq!(link("controller", "broker:2", LinkChange::Heal), Ok(Command::HealLink { between }));
    }

    #[test]
    fn the_reconfigure_form_recreates_the_producer_and_the_engine_refuses_idempotence_without_acks_all() {
        let mut engine = default_engine();
        let producer = |engine: &crate::engine::Engine| engine.view(Default::default()).producers[0].clone();
        assert_eq!((producer(&engine).acks, producer(&engine).enable_idempotence), (Acks::All, true));
        let first_id = producer(&engine).producer_id;

        // KAFKA-13673: an explicit enable.idempotence=true with acks=1 is a ConfigException; the
        // engine names the input, and nothing changes.
        let explicit = ReconfigureForm { producer: "producer-1", acks: "1", enable_idempotence: "true" };
        let refused = engine.apply(explicit.command().expect("a command")).expect_err("acks=1 and idempotence");
        assert_eq!(refused.field, "config.enable.idempotence");
        assert!(refused.reason.contains("needs acks=all, not acks=1"), "{}", refused.reason);
        assert_eq!(producer(&engine).acks, Acks::All);

        // The default idempotence goes with acks=1.
        let to_acks1 = ReconfigureForm { producer: "producer-1", acks: "1", enable_idempotence: "default" };
        let command = to_acks1.command().expect("a command");
        let config = ProducerReconfig { acks: Some(Acks::Leader), enable_idempotence: None };
        assert_eq!(command, Command::ReconfigureProducer { producer: "producer-1".into(), config });
        assert_eq!(engine.apply(command), Ok(()));
        assert_eq!((producer(&engine).acks, producer(&engine).enable_idempotence), (Acks::Leader, false));

        // Back to acks=all, idempotent again: a new instance, so a new producer id.
        let back = ReconfigureForm { producer: "producer-1", acks: "all", enable_idempotence: "true" };
        assert_eq!(engine.apply(back.command().expect("a command")), Ok(()));
        let p = producer(&engine);
        assert_eq!((p.acks, p.enable_idempotence), (Acks::All, true));
        assert_ne!(p.producer_id, first_id);
        assert_eq!(p.producer_epoch, 0);
    }

    #[test]
    fn the_reconfigure_form_starts_from_the_producers_settings() {
        assert_eq!(reconfigure_choices(Acks::All, true), ("all", "default"));
        assert_eq!(reconfigure_choices(Acks::Leader, false), ("1", "default"));
        assert_eq!(reconfigure_choices(Acks::None, false), ("0", "default"));
        assert_eq!(reconfigure_choices(Acks::All, false), ("all", "false"));
        for (acks, idempotent) in [(Acks::All, true), (Acks::Leader, false), (Acks::All, false)] {
            let (a, i) = reconfigure_choices(acks, idempotent);
            assert!(IDEMPOTENCE_CHOICES.iter().any(|(v, _)| *v == i));
            let form = ReconfigureForm { producer: "producer-1", acks: a, enable_idempotence: i };
            let Ok(Command::ReconfigureProducer { config, .. }) = form.command() else { panic!() };
            let config = crate::engine::ProducerConfig {
                acks: config.acks.expect("the form always gives acks"),
                enable_idempotence: config.enable_idempotence,
                ..Default::default()
            };
            assert_eq!((config.acks, config.idempotent()), (acks, idempotent), "the choices say the same producer");
        }
    }

    #[test]
    fn the_broker_menu_items_are_commands_but_select() {
        let b = BrokerId(1);
        assert_eq!(broker_action("crash", b, false), Some(Command::CrashBroker { broker: b }));
        assert_eq!(broker_action("poweroff", b, false), Some(Command::PowerOffBroker { broker: b }));
        assert_eq!(broker_action("restart", b, false), Some(Command::RestartBroker { broker: b }));
        assert_eq!(broker_action("shutdown", b, false), Some(Command::ControlledShutdown { broker: b }));
        assert_eq!(broker_action("slow", b, false), Some(Command::SlowReplica { broker: b, stalled: true }));
        assert_eq!(broker_action("slow", b, true), Some(Command::SlowReplica { broker: b, stalled: false }));
        assert_eq!(broker_action("select", b, false), None);
    }

    /// "Elect preferred leaders" and the partition details' preferred leader (kafka-model §3.8):
    /// the preferred replica of a partition crashes, another leads; once it is back in the ISR
    /// the button's election gives it back its leadership.
    #[test]
    fn the_preferred_election_button_gives_leadership_back_to_the_preferred_replica() {
        use crate::engine::ViewOptions;
        use crate::page::label::preferred_leader;
        let mut engine = default_engine();
        let view = engine.view(ViewOptions::default());
        let p = &view.partitions[0];
        let preferred = p.replicas[0];
        assert_eq!(preferred_leader(p), format!("broker {preferred} (replicas[0]), leading"));
        engine.apply(Command::CrashBroker { broker: preferred }).expect("crash");
        engine.advance_to(20_000, u64::MAX).expect("progress");
        let not_leading = format!("broker {preferred} (replicas[0]), not leading");
        assert_eq!(preferred_leader(&engine.view(ViewOptions::default()).partitions[0]), not_leading);
        engine.apply(Command::RestartBroker { broker: preferred }).expect("restart");
        engine.advance_to(40_000, u64::MAX).expect("progress");
        let view = engine.view(ViewOptions::default());
        assert!(view.partitions[0].isr.contains(&preferred), "back in the ISR");
        assert_eq!(preferred_leader(&view.partitions[0]), not_leading, "not before the check (300 s)");
        engine.apply(preferred_election()).expect("the engine takes it");
        engine.advance_to(40_001, u64::MAX).expect("progress");
        let view = engine.view(ViewOptions::default());
        assert!(view.partitions.iter().all(|p| p.leader == p.replicas.first().copied()), "every one balanced");
    }
}
