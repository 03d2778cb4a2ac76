//! The "Consumer group" form of the controls (kafka-model §6.4): a consumer joins a group, leaves,
//! crashes, stops polling or commits; below it, each group's partitions with their owner,
//! committed offset and lag (`page::groups` makes the commands and the rows).

use super::dom::{el, Build, Cached, Rows};
use super::form::{actions, button, error_el, form, input, row, select};
use crate::engine::ClusterView;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// The member buttons: `data-group-action`, text, what Kafka calls it.
const MEMBER_BUTTONS: [(&str, &str, &str); 4] = [
    ("leave", "Leave", "close(): a last commit, then LeaveGroup"),
    ("crash", "Crash", "kill -9: no commit, no LeaveGroup"),
    ("stop", "Stop polling", "the application stops calling poll()"),
    ("commit", "Commit", "commitSync() of the positions it owns"),
];

pub struct GroupUi {
    pub consumer: HtmlSelectElement,
    pub group: HtmlInputElement,
    pub topic: HtmlSelectElement,
    pub error: Element,
    table: Cached,
    rows: Rows,
}

impl GroupUi {
    pub fn new(parent: &Element, consumers: &[(&str, &str)], topics: &[(&str, &str)]) -> GroupUi {
        let f = form(parent, "group-form");
        el("h3").text("Consumer group").into_parent(&f);
        let r = row(&f);
        let consumer = select(&r, "group-consumer", "Consumer", consumers);
        let group = input(&r, "group-id", "group.id", "text", "billing");
        let _ = group.set_attribute("autocomplete", "off");
        let _ = group.set_attribute("aria-describedby", "group-error");
        let topic = select(&r, "group-topic", "Topic", topics);
        let buttons = actions(&f);
        button(&buttons, "group-join", "Join group", "submit").with("title", "subscribe(topic) with group.id");
        for (action, text, title) in MEMBER_BUTTONS {
            button(&buttons, &format!("group-{action}"), text, "button")
                .with("data-group-action", action)
                .with("title", title);
        }
        let error = error_el(&f, "group-error");
        let t = el("table").with("class", "list").with("id", "group-table").with("data-hidden", "true").into_parent(&f);
        el("caption").text("Groups: owner, committed offset, lag").into_parent(&t);
        let head = el("tr").into_parent(&el("thead").into_parent(&t));
        for h in ["group", "state", "partition", "owner", "committed", "lag"] {
            el("th").with("scope", "col").text(h).into_parent(&head);
        }
        let rows = Rows::new(el("tbody").into_parent(&t), "tr", "td");
        if consumers.is_empty() {
            let _ = f.set_attribute("data-hidden", "true");
        }
        GroupUi { consumer, group, topic, error, table: Cached::new(t), rows }
    }

    /// The groups' rows; the table shows once there is a group.
    pub fn update(&mut self, view: &ClusterView) {
        let rows = crate::page::groups::rows(view);
        self.table.set("data-hidden", if rows.is_empty() { "true" } else { "false" });
        self.rows.set(&rows);
    }
}
