//! Command handlers: a form (or a broker menu item) read into a `Command` (`page::forms`), the
//! engine asked, and its answer shown beside the input at fault.

use super::App;
use crate::engine::{BrokerId, Command, CommandError};
use crate::page::forms::{self, ConfigForm, FormError, LinkChange, ProduceForm, ReconfigureForm, TopicForm};
use crate::web::Selection;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

impl App {
    /// Applies a command now (at a past moment shown: on a new branch) and redraws; the engine's
    /// error (its field and reason) on failure.
    pub(super) fn apply(&mut self, command: Command) -> Result<(), CommandError> {
        let r = self.apply_here(command);
        self.render();
        r
    }

    /// The produce form's input named `field` (by the engine or the form), if it is one.
    fn produce_input(&self, field: &str) -> Option<&HtmlInputElement> {
        let ui = &self.ui.produce;
        match field {
            "count" => Some(&ui.count),
            "key" => Some(&ui.key),
            "value" => Some(&ui.value),
            _ => None,
        }
    }

    pub(super) fn on_produce(&mut self) {
        let ui = &self.ui.produce;
        let err = ui.error.clone();
        let (producer, topic, key, value) = (ui.producer.value(), ui.topic.value(), ui.key.value(), ui.value.value());
        let (count, partition) = (ui.count.value(), ui.partition.value());
        let form = ProduceForm {
            producer: &producer,
            topic: &topic,
            key: &key,
            value: &value,
            count: &count,
            partition: &partition,
        };
        let command = match form.command() {
            Ok(command) => command,
            Err(e) => return show_refusal(&err, &e, self.produce_input(e.field)),
        };
        let result = self.apply(command);
        let field = result.as_ref().err().and_then(|e| self.produce_input(&e.field));
        show_result(&err, &result, field);
        if result.is_ok() {
            let _ = self.ui.produce.count.set_attribute("aria-invalid", "false");
        }
    }

    pub(super) fn on_consume(&mut self) {
        let err = self.ui.consume.error.clone();
        let command = match forms::consume(&self.ui.consume.consumer.value(), &self.ui.consume.topic.value()) {
            Ok(command) => command,
            Err(e) => return show_refusal(&err, &e, None),
        };
        // The rack first: a refused rack is the answer (the consume would overwrite it).
        if self.on_rack().is_err() {
            return;
        }
        show_result(&err, &self.apply(command), None);
    }

    /// The group form's "Join group": `subscribe(topic)` with `group.id` (kafka-model §6.4).
    pub(super) fn on_join_group(&mut self) {
        let ui = &self.ui.group;
        let (err, field) = (ui.error.clone(), ui.group.clone());
        match crate::page::groups::join(&ui.consumer.value(), &field.value(), &ui.topic.value()) {
            Ok(command) => self.group_command(command),
            Err(e) => show_refusal(&err, &e, Some(&field)),
        }
    }

    /// A member button of the group form: leave, crash, stop polling, commit.
    pub(super) fn on_group_action(&mut self, action: &str) {
        if let Some(command) = crate::page::groups::member_command(action, &self.ui.group.consumer.value()) {
            self.group_command(command);
        }
    }

    /// Applies a group command and says it was sent (the coordinator's answers are events), or the
    /// engine's refusal; the group id input is unmarked either way.
    fn group_command(&mut self, command: Command) {
        let (err, field) = (self.ui.group.error.clone(), self.ui.group.group.clone());
        let note = crate::page::groups::sent_note(&command);
        set_error(&err, "", Some(&field));
        match self.apply(command) {
            Ok(()) => {
                let _ = err.set_attribute("class", "ok-note");
                err.set_text_content(Some(note));
            }
            Err(e) => set_error(&err, &capitalized(&e.to_string()), None),
        }
    }

    /// Applies the chosen client.rack when it differs from the consumer's, and says the engine's
    /// answer.
    pub(super) fn on_rack(&mut self) -> Result<(), CommandError> {
        let err = self.ui.consume.error.clone();
        let consumer = self.ui.consume.consumer.value();
        let current = self
            .view
            .as_ref()
            .and_then(|v| v.consumers.iter().find(|c| c.name == consumer))
            .map(|c| c.client_rack.clone());
        let Some(change) = forms::rack_change(&consumer, &self.ui.consume.rack.value(), current.as_deref()) else {
            return Ok(());
        };
        let result = self.apply(change);
        show_result(&err, &result, None);
        result
    }

    pub(super) fn on_link(&mut self, change: LinkChange) {
        let err = self.ui.link.error.clone();
        match forms::link(&self.ui.link.a.value(), &self.ui.link.b.value(), change) {
            Ok(command) => show_result(&err, &self.apply(command), None),
            // The engine's sentence as it is (it quotes the node).
            Err(e) => set_error(&err, &e.message, None),
        }
    }

    /// The create-topic form's error line and input for `field` (the form's own line for others).
    fn topic_field(&self, field: &str) -> (&Element, Option<&HtmlInputElement>) {
        let ui = &self.ui.topic;
        match field {
            "name" => (&ui.name_error, Some(&ui.name)),
            "partitions" => (&ui.partitions_error, Some(&ui.partitions)),
            "replication.factor" => (&ui.rf_error, Some(&ui.rf)),
            _ => (&ui.error, None),
        }
    }

    pub(super) fn on_create_topic(&mut self) {
        for field in ["name", "partitions", "replication.factor", ""] {
            let (err, input) = self.topic_field(field);
            set_error(err, "", input);
        }
        let ui = &self.ui.topic;
        let (name, partitions, rf) = (ui.name.value(), ui.partitions.value(), ui.rf.value());
        let form = TopicForm { name: &name, partitions: &partitions, replication_factor: &rf };
        let command = match form.command() {
            Ok(command) => command,
            Err(errors) => {
                for e in errors {
                    let (err, input) = self.topic_field(e.field);
                    set_error(err, &e.message, input);
                }
                return;
            }
        };
        match self.apply(command) {
            Ok(()) => {
                let err = &self.ui.topic.error;
                let _ = err.set_attribute("class", "ok-note");
                err.set_text_content(Some(&format!("Created topic {name}.")));
                self.on_config_topic();
            }
            Err(e) => {
                let (err, input) = self.topic_field(&e.field);
                set_error(err, &capitalized(&e.reason), input);
            }
        }
    }

    /// Fills the config form from the chosen topic.
    pub(super) fn on_config_topic(&mut self) {
        let ui = &self.ui.config;
        let topic = ui.topic.value();
        if let Some(t) = self.view.as_ref().and_then(|v| v.topics.iter().find(|t| t.name == topic)) {
            ui.min_isr.set_value(&t.min_insync_replicas.to_string());
            ui.unclean.set_checked(t.unclean_leader_election_enable);
            let _ = ui.min_isr.set_attribute("max", &t.replication_factor.to_string());
        }
    }

    pub(super) fn on_config(&mut self) {
        let ui = &self.ui.config;
        let err = ui.error.clone();
        let (topic, min_isr) = (ui.topic.value(), ui.min_isr.value());
        let form = ConfigForm {
            topic: &topic,
            min_insync_replicas: &min_isr,
            unclean_leader_election_enable: ui.unclean.checked(),
        };
        let command = match form.command() {
            Ok(command) => command,
            Err(e) => {
                let input = (e.field == "min.insync.replicas").then_some(&self.ui.config.min_isr);
                return show_refusal(&err, &e, input);
            }
        };
        let result = self.apply(command);
        let at_min_isr = result.as_ref().is_err_and(|e| e.field == "min.insync.replicas");
        show_result(&err, &result, at_min_isr.then_some(&self.ui.config.min_isr));
        if result.is_ok() {
            let _ = err.set_attribute("class", "ok-note");
            err.set_text_content(Some("Applied."));
        }
    }

    /// A preferred leader election on every partition; the controller's answers go to the log.
    pub(super) fn on_elect_preferred(&mut self) {
        let err = self.ui.config.error.clone();
        let result = self.apply(forms::preferred_election());
        show_result(&err, &result, None);
        if result.is_ok() {
            let _ = err.set_attribute("class", "ok-note");
            err.set_text_content(Some("Election run: the event log has the answers."));
        }
    }

    /// "Add broker": a new broker joins (kafka-model §2.3); the answer beside the config form.
    pub(super) fn on_add_broker(&mut self) {
        let Some(command) = self.view.as_ref().map(crate::page::reassign::add_broker) else { return };
        let err = self.ui.config.error.clone();
        let broker = match &command {
            Command::AddBroker { broker, .. } => *broker,
            _ => return,
        };
        let result = self.apply(command);
        show_result(&err, &result, None);
        if result.is_ok() {
            let _ = err.set_attribute("class", "ok-note");
            err.set_text_content(Some(&format!("Broker {broker} added: nothing moves to it until a reassignment.")));
        }
    }

    /// The selected partition's reassignment (`--execute`), or the refusal beside its input. The
    /// controller's answer goes to the event log.
    pub(super) fn on_reassign(&mut self) {
        let typed = self.details.reassign.replicas.value();
        self.reassignment(|p| crate::page::reassign::reassign(p, &typed).map_err(|e| e.message));
    }

    /// `--cancel` for the selected partition.
    pub(super) fn on_cancel_reassignment(&mut self) {
        self.reassignment(|p| Ok(crate::page::reassign::cancel(p)));
    }

    fn reassignment(&mut self, make: impl FnOnce(&crate::engine::PartitionView) -> Result<Command, String>) {
        let Selection::Partition(name) = &self.selection else { return };
        let Some(p) = self.view.as_ref().and_then(|v| v.partitions.iter().find(|p| p.name == *name)) else {
            return;
        };
        let (err, input) = (self.details.reassign.error.clone(), self.details.reassign.replicas.clone());
        let result = make(p).and_then(|c| self.apply(c).map_err(|e| capitalized(&e.reason)));
        match result {
            Ok(()) => {
                set_error(&err, "", Some(&input));
                let _ = err.set_attribute("class", "ok-note");
                err.set_text_content(Some("Sent to the controller: the event log has its answer."));
            }
            Err(reason) => set_error(&err, &reason, Some(&input)),
        }
    }

    /// The producer panel's reconfigure form: the selected producer closed and constructed again
    /// with the chosen settings, or the refusal beside the select it names.
    pub(super) fn on_reconfigure(&mut self) {
        let Selection::Producer(i) = self.selection else { return };
        let Some(producer) = self.view.as_ref().and_then(|v| v.producers.get(i as usize)).map(|p| p.name.clone())
        else {
            return;
        };
        let ui = &self.details.reconfigure;
        let (err, acks_select, idempotence_select) = (ui.error.clone(), ui.acks.clone(), ui.idempotence.clone());
        let (acks, idempotence) = (acks_select.value(), idempotence_select.value());
        let form = ReconfigureForm { producer: &producer, acks: &acks, enable_idempotence: &idempotence };
        let field = |field: &str| match field {
            "config.acks" => Some(&acks_select),
            "config.enable.idempotence" => Some(&idempotence_select),
            _ => None,
        };
        let result = match form.command() {
            Ok(command) => self.apply(command).map_err(|e| (e.field.clone(), capitalized(&e.reason))),
            Err(e) => Err((e.field.to_string(), e.message)),
        };
        mark_select(&acks_select, false);
        mark_select(&idempotence_select, false);
        match result {
            Ok(()) => {
                let _ = err.set_attribute("class", "ok-note");
                err.set_text_content(Some(&format!("Producer {producer} constructed again with acks={acks}.")));
            }
            Err((name, reason)) => {
                set_error(&err, &reason, None);
                if let Some(select) = field(&name) {
                    mark_select(select, true);
                }
            }
        }
    }

    /// A broker menu item: its command (a refusal also lands in the event log; nothing else to
    /// show), or the broker's details.
    pub(super) fn on_menu_action(&mut self, action: &str) {
        let Some(id) = self.menu.broker else { return };
        if self.menu.controller {
            self.close_menu(true);
            match crate::page::quorum::controller_action(action) {
                Some(command) => {
                    let _ = self.apply(command);
                }
                None => self.render(),
            }
            return;
        }
        let broker = BrokerId(id);
        let stalled =
            self.view.as_ref().and_then(|v| v.brokers.iter().find(|b| b.id == broker)).is_some_and(|b| b.stalled);
        if action == "select" {
            self.selection = Selection::Broker(id);
        }
        self.close_menu(true);
        match forms::broker_action(action, broker, stalled) {
            Some(command) => {
                let _ = self.apply(command);
            }
            None => self.render(),
        }
    }
}

/// A form refused before the engine: its sentence beside the form, and the input marked if it is one.
fn show_refusal(err: &Element, e: &FormError, field: Option<&HtmlInputElement>) {
    set_error(err, &e.message, field);
}

/// The engine's answer to a form: its reason beside the form (and the input at fault marked), or
/// nothing.
fn show_result(err: &Element, result: &Result<(), CommandError>, field: Option<&HtmlInputElement>) {
    match (result, field) {
        (Ok(()), _) => set_error(err, "", field),
        // The input at fault is marked: the reason alone reads best beside it.
        (Err(e), Some(_)) => set_error(err, &capitalized(&e.reason), field),
        (Err(e), None) => set_error(err, &capitalized(&e.to_string()), None),
    }
}

/// A reason as a sentence: first letter up. The engine's reasons begin with an English word or a
/// quote (user text is quoted), so ASCII is enough, and the Unicode case tables stay out of the bundle.
fn capitalized(reason: &str) -> String {
    let mut s = reason.to_string();
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s
}

fn mark_select(select: &HtmlSelectElement, invalid: bool) {
    let _ = select.set_attribute("aria-invalid", if invalid { "true" } else { "false" });
}

/// Shows `message` (or clears it) and marks `field` invalid while there is one. Typed text stays.
fn set_error(err: &Element, message: &str, field: Option<&HtmlInputElement>) {
    let _ = err.set_attribute("class", "error");
    err.set_text_content(Some(message));
    if let Some(f) = field {
        let _ = f.set_attribute("aria-invalid", if message.is_empty() { "false" } else { "true" });
    }
}
