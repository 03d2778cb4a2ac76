//! A partition's "Reassign replicas" form in the selection panel (`kafka-reassign-partitions.sh
//! --execute` / `--cancel`): shown while a partition is selected, filled with its target when the
//! selection comes to it. `page::reassign` makes the commands.

use super::dom::{el, Build, Cached};
use super::form::{actions, button, error_el, form, input, row};
use crate::engine::PartitionView;
use crate::page::reassign::target_text;
use web_sys::{Element, HtmlInputElement};

pub struct ReassignUi {
    form: Cached,
    pub replicas: HtmlInputElement,
    pub error: Element,
    /// The partition the form was last filled for.
    filled_for: Option<String>,
}

impl ReassignUi {
    pub fn new(parent: &Element) -> ReassignUi {
        let form = form(parent, "reassign-form").with("data-hidden", "true");
        el("h3").text("Reassign replicas").into_parent(&form);
        let replicas = input(&row(&form), "reassign-replicas", "Target brokers, preferred leader first", "text", "");
        let _ = replicas.set_attribute("autocomplete", "off");
        let _ = replicas.set_attribute("aria-describedby", "reassign-error");
        let buttons = actions(&form);
        button(&buttons, "reassign-submit", "Reassign", "submit")
            .with("title", "kafka-reassign-partitions.sh --execute");
        button(&buttons, "reassign-cancel", "Cancel reassignment", "button")
            .with("title", "kafka-reassign-partitions.sh --cancel");
        let error = error_el(&form, "reassign-error");
        el("p")
            .with("class", "hint")
            .text("New replicas fetch from the leader and join the ISR; then the old ones leave and delete their logs.")
            .into_parent(&form);
        ReassignUi { form: Cached::new(form), replicas, error, filled_for: None }
    }

    /// Shows the form for the selected partition (`None`: hides it), filled when the selection
    /// comes to another partition.
    pub fn update(&mut self, partition: Option<&PartitionView>) {
        self.form.set("data-hidden", if partition.is_some() { "false" } else { "true" });
        let Some(p) = partition else {
            self.filled_for = None;
            return;
        };
        if self.filled_for.as_deref() != Some(p.name.as_str()) {
            self.replicas.set_value(&target_text(p));
            self.error.set_text_content(None);
            let _ = self.replicas.set_attribute("aria-invalid", "false");
            self.filled_for = Some(p.name.clone());
        }
    }
}
