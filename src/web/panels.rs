//! The panels beside the diagram: the selection's details, the partition table, the safety panel.
//! All of them reuse their rows (`Rows`) and set text only when it changes.

use super::diagram::{health_word, ids, set_partition_attrs};
use super::dom::{el, Build, Cached, Rows};
use super::form::{actions, button, error_el, form, row, select};
use super::Selection;
use crate::engine::{Acks, ClusterView, LeaderRecoveryState, PartitionHealth, ProcessState, SendStatus};
use crate::page::activity::brokers_list;
use crate::page::forms::{reconfigure_choices, IDEMPOTENCE_CHOICES};
use crate::page::label;

/// Partition rows shown in the table; beyond this the heat map (or the selection) tells the rest.
pub const PARTITION_ROWS_MAX: usize = 60;

pub struct Details {
    root: Element,
    /// Closes the selection; shown only where the panel is a bottom sheet (narrow screens, CSS).
    close: HtmlElement,
    open: bool,
    shown: Selection,
    title: Cached,
    hint: Cached,
    kv: Rows,
    list_caption: Cached,
    list_head: Rows,
    list: Rows,
    list_table: Cached,
    list2_caption: Cached,
    list2_head: Rows,
    list2: Rows,
    list2_table: Cached,
    pub reconfigure: ReconfigureUi,
    pub reassign: super::reassign_ui::ReassignUi,
}

/// The producer panel's "Reconfigure producer" form: `close()` and a new `KafkaProducer` with the
/// chosen `acks` and `enable.idempotence` (kafka-model §5.3, §5.6). Shown while a producer is
/// selected, and filled from its settings when the selection comes to it.
pub struct ReconfigureUi {
    form: Cached,
    pub acks: HtmlSelectElement,
    pub idempotence: HtmlSelectElement,
    pub error: Element,
    /// The producer the form was last filled for.
    filled_for: Option<u32>,
}

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlSelectElement};

impl ReconfigureUi {
    fn new(parent: &Element) -> ReconfigureUi {
        let form = form(parent, "reconfigure-form").with("data-hidden", "true");
        el("h3").text("Reconfigure producer").into_parent(&form);
        let row = row(&form);
        let acks_values: Vec<(&str, &str)> = Acks::ALL_VALUES.iter().map(|a| (a.as_str(), a.as_str())).collect();
        let acks = select(&row, "reconfigure-acks", "acks", &acks_values);
        let idempotence = select(&row, "reconfigure-idempotence", "enable.idempotence", &IDEMPOTENCE_CHOICES);
        button(&actions(&form), "reconfigure-submit", "Reconfigure", "submit");
        let error = error_el(&form, "reconfigure-error");
        el("p")
            .with("class", "hint")
            .text("Closes the producer and constructs a new one: batches already created finish with the old settings.")
            .into_parent(&form);
        ReconfigureUi { form: Cached::new(form), acks, idempotence, error, filled_for: None }
    }

    /// Shows the form for the selected producer (`None`: hides it), filling it when the selection
    /// comes to another producer.
    fn update(&mut self, producer: Option<(u32, Acks, bool)>) {
        self.form.set("data-hidden", if producer.is_some() { "false" } else { "true" });
        let Some((i, acks, idempotent)) = producer else {
            self.filled_for = None;
            return;
        };
        if self.filled_for != Some(i) {
            let (acks, idempotence) = reconfigure_choices(acks, idempotent);
            self.acks.set_value(acks);
            self.idempotence.set_value(idempotence);
            self.error.set_text_content(None);
            for s in [&self.acks, &self.idempotence] {
                let _ = s.set_attribute("aria-invalid", "false");
            }
            self.filled_for = Some(i);
        }
    }
}

fn table(parent: &Element, class: &str) -> (Cached, Cached, Rows, Rows) {
    let t = el("table").with("class", class).into_parent(parent);
    let caption = el("caption").into_parent(&t);
    let head = el("thead").into_parent(&t);
    let body = el("tbody").into_parent(&t);
    (Cached::new(t), Cached::new(caption), Rows::new(head, "tr", "th"), Rows::new(body, "tr", "td"))
}

impl Details {
    pub fn new(parent: &Element) -> Details {
        let root = el("section")
            .with("class", "card details")
            .with("id", "details")
            .with("aria-label", "Selection")
            .with("aria-live", "off")
            .into_parent(parent);
        let head = el("div").with("class", "card-head sheet-head").into_parent(&root);
        let title = el("h2").text("Selection").into_parent(&head);
        let close = el("button")
            .with("type", "button")
            .with("class", "sheet-close")
            .with("aria-label", "Close the selection")
            .text("✕ Close")
            .into_parent(&head)
            .unchecked_into();
        let hint = el("p")
            .with("class", "hint")
            .text("Click or tap a broker, a replica, a client or a partition to see its state here.")
            .into_parent(&root);
        let kv_table = el("table").with("class", "kv").into_parent(&root);
        let kv_body = el("tbody").into_parent(&kv_table);
        let reconfigure = ReconfigureUi::new(&root);
        let reassign = super::reassign_ui::ReassignUi::new(&root);
        let (list_table, list_caption, list_head, list) = table(&root, "list");
        let (list2_table, list2_caption, list2_head, list2) = table(&root, "list");
        Details {
            root,
            close,
            open: false,
            shown: Selection::None,
            title: Cached::new(title),
            hint: Cached::new(hint),
            kv: Rows::new(kv_body, "tr", "td"),
            list_caption,
            list_head,
            list,
            list_table,
            list2_caption,
            list2_head,
            list2,
            list2_table,
            reconfigure,
            reassign,
        }
    }

    /// Marks the panel open while something is selected (`data-open`: on narrow screens the CSS
    /// makes it a bottom sheet next to what was tapped). Says whether it has just opened and
    /// whether it shows another selection than last time.
    pub fn set_open(&mut self, selection: &Selection) -> (bool, bool) {
        let open = *selection != Selection::None;
        let changed = *selection != self.shown;
        self.shown = selection.clone();
        if open == self.open {
            return (false, changed);
        }
        self.open = open;
        let _ = if open { self.root.set_attribute("data-open", "") } else { self.root.remove_attribute("data-open") };
        (open, changed)
    }

    /// The sheet's top edge in the viewport (what is below it is hidden).
    pub fn top(&self) -> f64 {
        self.root.get_bounding_client_rect().top()
    }

    /// Whether the panel is drawn as a bottom sheet now (its close button is laid out only then).
    pub fn is_sheet(&self) -> bool {
        self.open && self.close.offset_width() > 0
    }

    pub fn close_button(&self) -> &HtmlElement {
        &self.close
    }

    pub fn update(&mut self, view: &ClusterView, selection: &Selection, log_tail_shown: bool) {
        let mut kv: Vec<Vec<String>> = Vec::new();
        let mut lists: [(String, Vec<String>, Vec<Vec<String>>); 2] = Default::default();
        let title: String;
        let row = |k: &str, v: String| vec![k.to_string(), v];
        match selection {
            Selection::None => title = "Selection".into(),
            Selection::Controller => {
                title = "Controller".into();
                kv.push(row("metadata offset", view.controller.metadata_offset.to_string()));
                let fenced: Vec<String> = view.brokers.iter().filter(|b| b.fenced).map(|b| b.id.to_string()).collect();
                kv.push(row("fenced brokers", if fenced.is_empty() { "none".into() } else { fenced.join(", ") }));
                kv.push(row("brokers", view.brokers.len().to_string()));
                kv.push(row("partitions", view.partitions.len().to_string()));
                let offline = view.partitions.iter().filter(|p| p.health == PartitionHealth::Offline).count();
                kv.push(row("offline partitions", offline.to_string()));
            }
            Selection::Broker(id) => {
                title = format!("Broker {id}");
                if let Some(b) = view.brokers.iter().find(|b| b.id.0 == *id) {
                    let state = match b.process {
                        ProcessState::Running => "running",
                        ProcessState::Crashed => "crashed (kill -9 keeps its log; a power loss only what was flushed)",
                        ProcessState::Stopped => "stopped (controlled shutdown)",
                        ProcessState::Paused => "paused (alive, silent: what reaches it waits)",
                    };
                    kv.push(row("process", state.into()));
                    kv.push(row("rack", if b.rack.is_empty() { "none".into() } else { b.rack.clone() }));
                    kv.push(row("fenced", yes_no(b.fenced)));
                    kv.push(row("in controlled shutdown", yes_no(b.in_controlled_shutdown)));
                    kv.push(row("broker epoch", b.broker_epoch.map_or("–".into(), |e| e.to_string())));
                    kv.push(row("last heartbeat", b.last_heartbeat_ms.map_or("–".into(), |t| format!("{t} ms"))));
                    kv.push(row("metadata offset", b.metadata_offset.to_string()));
                    kv.push(row("followers stalled (slow)", yes_no(b.stalled)));
                    let mut rows = Vec::new();
                    for p in &view.partitions {
                        if let Some(r) = p.replica_states.iter().find(|r| r.broker == b.id) {
                            rows.push(vec![
                                p.name.clone(),
                                r.role.word().into(),
                                r.log_end_offset.to_string(),
                                r.high_watermark.to_string(),
                                yes_no(r.in_isr),
                            ]);
                        }
                    }
                    lists[0] = ("Replicas".into(), strs(&["partition", "role", "LEO", "HW", "in ISR"]), rows);
                }
            }
            Selection::Replica(id, name) => {
                title = format!("Replica {name} on broker {id}");
                let p = view.partitions.iter().find(|p| p.name == *name);
                if let Some(r) = p.and_then(|p| p.replica_states.iter().find(|r| r.broker.0 == *id)) {
                    kv.push(row("role", r.role.word().into()));
                    kv.push(row("leader epoch", r.leader_epoch.to_string()));
                    kv.push(row("log start offset", r.log_start_offset.to_string()));
                    kv.push(row("log end offset (LEO)", r.log_end_offset.to_string()));
                    kv.push(row("high watermark (HW)", r.high_watermark.to_string()));
                    kv.push(row("in ISR", yes_no(r.in_isr)));
                    if r.in_elr {
                        kv.push(row("in ELR", "yes: eligible to lead while the ISR is empty".into()));
                    }
                    if let Some((from, to)) = r.power_lost {
                        kv.push(row("lost in a power loss", format!("offsets {from}..{}", to - 1)));
                    }
                    if let Some(isr) = &r.maximal_isr {
                        kv.push(row("maximal ISR (leader)", format!("[{}]", ids(isr))));
                    }
                    if let Some(o) = r.leader_epoch_start_offset {
                        kv.push(row("leader epoch start offset", o.to_string()));
                    }
                    kv.push(row("last caught up", r.last_caught_up_ms.map_or("–".into(), |t| format!("{t} ms"))));
                    kv.push(row("caught up", r.caught_up.map_or("– (leader or unknown)".into(), yes_no)));
                    kv.push(row("requests parked here", label::waiting(r).unwrap_or_else(|| "none".into())));
                    let cache: Vec<String> = r.epoch_cache.iter().map(|(e, o)| format!("epoch {e} @ {o}")).collect();
                    kv.push(row("epoch cache", if cache.is_empty() { "empty".into() } else { cache.join(", ") }));
                    let rows: Vec<Vec<String>> = r
                        .log
                        .iter()
                        .rev()
                        .map(|e| {
                            vec![
                                e.offset.to_string(),
                                e.leader_epoch.to_string(),
                                e.key.clone().unwrap_or_else(|| "∅".into()),
                                e.value.clone(),
                                if e.offset < r.high_watermark { "yes".into() } else { "no".into() },
                            ]
                        })
                        .collect();
                    let caption = if log_tail_shown {
                        format!("Log tail (newest first; {} earlier entries not shown)", r.log_omitted)
                    } else {
                        "Log tail not drawn at this scale".into()
                    };
                    lists[0] = (caption, strs(&["offset", "epoch", "key", "value", "committed"]), rows);
                }
            }
            Selection::Partition(name) => {
                title = format!("Partition {name}");
                if let Some(p) = view.partitions.iter().find(|p| p.name == *name) {
                    kv.push(row("leader", p.leader.map_or("none (offline)".into(), |l| format!("broker {l}"))));
                    kv.push(row("leader epoch", p.leader_epoch.to_string()));
                    kv.push(row("partition epoch", p.partition_epoch.to_string()));
                    kv.push(row("replicas", format!("[{}]", ids(&p.replicas))));
                    kv.push(row("preferred leader", label::preferred_leader(p)));
                    kv.push(row("ISR", format!("[{}]", ids(&p.isr))));
                    if let Some(r) = crate::page::reassign::in_progress(p) {
                        kv.push(row("reassignment", r));
                    }
                    if !p.elr.is_empty() || !p.last_known_elr.is_empty() {
                        kv.push(row("ELR (eligible leaders)", format!("[{}]", ids(&p.elr))));
                        kv.push(row("last known leader", format!("[{}]", ids(&p.last_known_elr))));
                    }
                    kv.push(row("leader recovery", recovery(p.leader_recovery_state).into()));
                    if let Some(t) = view.topics.iter().find(|t| t.name == p.topic) {
                        kv.push(row("min.insync.replicas", t.min_insync_replicas.to_string()));
                        kv.push(row("unclean.leader.election.enable", t.unclean_leader_election_enable.to_string()));
                    }
                    for r in &p.replica_states {
                        if let Some(w) = label::waiting(r) {
                            kv.push(row(&format!("parked at broker {}", r.broker), w));
                        }
                    }
                    let rows = p
                        .replica_states
                        .iter()
                        .map(|r| {
                            vec![
                                r.broker.to_string(),
                                r.role.word().into(),
                                r.log_start_offset.to_string(),
                                r.log_end_offset.to_string(),
                                r.high_watermark.to_string(),
                                yes_no(r.in_isr),
                            ]
                        })
                        .collect();
                    lists[0] = ("Replicas".into(), strs(&["broker", "role", "log start", "LEO", "HW", "in ISR"]), rows);
                }
            }
            Selection::Producer(i) => {
                let p = view.producers.get(*i as usize);
                title = format!("Producer {}", p.map_or("?", |p| p.name.as_str()));
                if let Some(p) = p {
                    kv.push(row("acks", p.acks.as_str().into()));
                    kv.push(row("enable.idempotence", p.enable_idempotence.to_string()));
                    // A producer that is not idempotent has no producer id (Kafka's -1, kafka-model §5.6).
                    let id = if p.enable_idempotence {
                        format!("{} / {}", p.producer_id, p.producer_epoch)
                    } else {
                        "none (not idempotent)".into()
                    };
                    kv.push(row("producer id / epoch", id));
                    kv.push(row("sends", p.sends_total.to_string()));
                    kv.push(row("records acknowledged", p.acked_records.to_string()));
                    kv.push(row("records failed", p.failed_records.to_string()));
                    kv.push(row("records pending", p.pending_records.to_string()));
                    kv.push(row("requests", crate::page::activity::producer_activity(p)));
                    let rows = p
                        .sends
                        .iter()
                        .rev()
                        .map(|s| {
                            vec![
                                format!("#{}", s.send),
                                s.partition_name.clone(),
                                s.count.to_string(),
                                format!("{}={}", s.key.as_deref().unwrap_or("∅"), s.value),
                                format!("acks={}", s.acks.as_str()),
                                status(&s.status, s.acks),
                            ]
                        })
                        .collect();
                    lists[0] = (
                        "Sends (newest first)".into(),
                        strs(&["send", "partition", "n", "key=value", "acks", "outcome"]),
                        rows,
                    );
                }
            }
            Selection::Consumer(i) => {
                let c = view.consumers.get(*i as usize);
                title = format!("Consumer {}", c.map_or("?", |c| c.name.as_str()));
                if let Some(c) = c {
                    kv.push(row(
                        "client.rack",
                        if c.client_rack.is_empty() { "(unset)".into() } else { c.client_rack.clone() },
                    ));
                    kv.push(row("records received", c.received_total.to_string()));
                    kv.push(row("talking to", brokers_list(&c.talking_to)));
                    if let Some((group, owns)) = crate::page::groups::member_rows(view, c) {
                        kv.push(row("group", group));
                        kv.push(row("owns (committed, lag)", owns));
                    }
                    let rows = c
                        .partitions
                        .iter()
                        .map(|p| {
                            vec![
                                p.partition_name.clone(),
                                p.position.map_or("–".into(), |o| o.to_string()),
                                p.leader.map_or("–".into(), |l| l.to_string()),
                                p.fetching_from.map_or("–".into(), |l| l.to_string()),
                                p.preferred_read_replica
                                    .map_or("–".into(), |(b, until)| format!("{b} (until {until} ms)")),
                            ]
                        })
                        .collect();
                    lists[0] = (
                        "Positions".into(),
                        strs(&["partition", "next offset", "leader", "fetching from", "preferred replica"]),
                        rows,
                    );
                    let received = c
                        .received
                        .iter()
                        .rev()
                        .map(|r| {
                            let name =
                                view.partitions.get(r.partition.0 as usize).map_or("?".to_string(), |p| p.name.clone());
                            vec![
                                format!("{name}@{}", r.offset),
                                format!("{}={}", r.key.as_deref().unwrap_or("∅"), r.value),
                                r.from_broker.to_string(),
                                format!("{} ms", r.at_ms),
                            ]
                        })
                        .collect();
                    lists[1] = (
                        "Received (newest first)".into(),
                        strs(&["record", "key=value", "from broker", "at"]),
                        received,
                    );
                }
            }
        }
        let producer = match selection {
            Selection::Producer(i) => view.producers.get(*i as usize).map(|p| (*i, p.acks, p.enable_idempotence)),
            _ => None,
        };
        self.reconfigure.update(producer);
        let partition = match selection {
            Selection::Partition(name) => view.partitions.iter().find(|p| p.name == *name),
            _ => None,
        };
        self.reassign.update(partition);
        self.title.set_text(&title);
        self.hint.set("data-hidden", if *selection == Selection::None { "false" } else { "true" });
        self.kv.set(&kv);
        let targets = [
            (&mut self.list_table, &mut self.list_caption, &mut self.list_head, &mut self.list),
            (&mut self.list2_table, &mut self.list2_caption, &mut self.list2_head, &mut self.list2),
        ];
        for ((t, caption, head, body), (cap, header, rows)) in targets.into_iter().zip(lists) {
            t.set("data-hidden", if header.is_empty() { "true" } else { "false" });
            caption.set_text(&cap);
            head.set(&if header.is_empty() { vec![] } else { vec![header] });
            body.set(&rows);
        }
    }
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn recovery(s: LeaderRecoveryState) -> &'static str {
    match s {
        LeaderRecoveryState::Recovered => "recovered",
        LeaderRecoveryState::Recovering => "recovering",
    }
}

/// The class of a partition row: its health word; under min ISR is also styled as under-replicated,
/// which it also is (`PartitionHealth::is_under_replicated`).
fn row_class(h: PartitionHealth) -> &'static str {
    match h {
        PartitionHealth::UnderMinIsr => "under below-min",
        h => health_word(h),
    }
}

fn status(s: &SendStatus, acks: Acks) -> String {
    match s {
        SendStatus::Pending { attempts, last_error } => match last_error {
            Some(e) => format!("pending (attempt {attempts}, last error {e})"),
            None => format!("pending (attempt {attempts})"),
        },
        SendStatus::Acknowledged { base_offset, at_ms, attempts } => {
            let at = match base_offset {
                Some(o) => format!("at offset {o}"),
                None if acks == Acks::None => "no offset (acks=0)".into(),
                None => "".into(),
            };
            format!(
                "acknowledged {at} at {at_ms} ms{}",
                if *attempts > 1 { format!(" after {attempts} attempts") } else { String::new() }
            )
        }
        SendStatus::Failed { error, at_ms, attempts } => {
            format!("FAILED: {error} at {at_ms} ms after {attempts} attempt(s)")
        }
    }
}

/// The table of partitions: one row per partition with the contract attributes.
pub struct Partitions {
    rows: Rows,
    note: Cached,
}

impl Partitions {
    pub fn new(parent: &Element) -> Partitions {
        let root = el("section").with("class", "card partitions").with("aria-label", "Partitions").into_parent(parent);
        el("h2").text("Partitions").into_parent(&root);
        let wrap = el("div").with("class", "scroll").into_parent(&root);
        let t = el("table").with("class", "list parts").into_parent(&wrap);
        let head = el("thead").into_parent(&t);
        let tr = el("tr").into_parent(&head);
        for h in ["partition", "leader", "epoch", "ISR of replicas", "HW"] {
            el("th").with("scope", "col").text(h).into_parent(&tr);
        }
        let body = el("tbody").into_parent(&t);
        let note = el("p").with("class", "hint").into_parent(&root);
        Partitions { rows: Rows::new(body, "tr", "td"), note: Cached::new(note) }
    }

    pub fn update(&mut self, view: &ClusterView, selection: &Selection) {
        let shown = &view.partitions[..view.partitions.len().min(PARTITION_ROWS_MAX)];
        let data: Vec<Vec<String>> = shown
            .iter()
            .map(|p| {
                let hw = p
                    .leader
                    .and_then(|l| p.replica_states.iter().find(|r| r.broker == l))
                    .map_or("–".into(), label::high_watermark_cell);
                vec![
                    p.name.clone(),
                    p.leader.map_or("none".into(), |l| l.to_string()),
                    p.leader_epoch.to_string(),
                    format!("[{}] of [{}]", ids(&p.isr), ids(&p.replicas)),
                    hw,
                ]
            })
            .collect();
        let rows = self.rows.set(&data);
        for ((row, _), p) in rows.iter_mut().zip(shown) {
            row.set("data-partition", &p.name);
            set_partition_attrs(row, p);
            row.set("tabindex", "0");
            let mut class = String::from(row_class(p.health));
            if *selection == Selection::Partition(p.name.clone()) {
                class.push_str(" selected");
            }
            row.set("class", &class);
        }
        if view.partitions.len() > shown.len() {
            self.note.set_text(&format!(
                "First {} of {} partitions; the heat map shows them all.",
                shown.len(),
                view.partitions.len()
            ));
        } else {
            self.note.set_text("");
        }
    }
}

/// The safety panel: the invariants and the losses Kafka allows (acks=0/1, unclean elections).
pub struct Safety {
    root: Cached,
    summary: Cached,
    invariants: Rows,
    losses_title: Cached,
    losses: Rows,
}

impl Safety {
    pub fn new(parent: &Element) -> Safety {
        let root = el("section")
            .with("class", "card safety")
            .with("id", "safety")
            .with("aria-label", "Safety")
            .into_parent(parent);
        el("h2").text("Safety").into_parent(&root);
        let summary = el("p").with("class", "safety-summary").with("role", "status").into_parent(&root);
        let list = el("ul").with("class", "invariants").into_parent(&root);
        let losses_title = el("h3").text("Acknowledged records lost").into_parent(&root);
        let losses = el("ul").with("class", "losses").into_parent(&root);
        Safety {
            root: Cached::new(root),
            summary: Cached::new(summary),
            invariants: Rows::new(list, "li", "span"),
            losses_title: Cached::new(losses_title),
            losses: Rows::new(losses, "li", "span"),
        }
    }

    pub fn update(&mut self, view: &ClusterView) {
        let s = &view.safety;
        self.root.set("data-unexpected", &s.unexpected_violations.to_string());
        let expected: u64 = s.invariants.iter().map(|i| i.expected_violations).sum();
        let summary = if s.unexpected_violations > 0 {
            format!("{} UNEXPECTED violation(s): Kafka's guarantees should rule these out.", s.unexpected_violations)
        } else if expected > 0 {
            format!("{expected} violation(s), all of them allowed by the configuration (e.g. an unclean election).")
        } else {
            "All 10 invariants hold.".to_string()
        };
        self.summary.set_text(&summary);
        self.summary.set(
            "class",
            if s.unexpected_violations > 0 {
                "safety-summary bad"
            } else if expected > 0 {
                "safety-summary warn"
            } else {
                "safety-summary ok"
            },
        );
        let data: Vec<Vec<String>> = s
            .invariants
            .iter()
            .map(|i| {
                let unexpected = i.violations - i.expected_violations.min(i.violations);
                let (icon, status) = if unexpected > 0 {
                    ("✗", format!("{unexpected} unexpected"))
                } else if i.violations > 0 {
                    ("!", format!("{} expected", i.violations))
                } else {
                    ("✓", "ok".to_string())
                };
                vec![icon.into(), i.name.into(), status]
            })
            .collect();
        let rows = self.invariants.set(&data);
        for ((row, _), i) in rows.iter_mut().zip(&s.invariants) {
            let unexpected = i.violations > i.expected_violations;
            row.set(
                "class",
                if unexpected {
                    "violated"
                } else if i.violations > 0 {
                    "expected"
                } else {
                    "ok"
                },
            );
            let mut title = i.description.to_string();
            if let Some(last) = &i.last_violation {
                title.push_str("\nLast violation: ");
                title.push_str(last);
            }
            row.set("title", &title);
        }
        let losses: Vec<Vec<String>> = s
            .losses
            .iter()
            .rev()
            .map(|l| {
                vec![format!(
                    "{} acknowledged acks={} record{} lost at {}@{}..{}: {}{}",
                    l.count,
                    l.acks.as_str(),
                    if l.count == 1 { "" } else { "s" },
                    l.partition_name,
                    l.first_offset,
                    l.last_offset,
                    l.cause,
                    if l.unexpected { " (UNEXPECTED)" } else { "" }
                )]
            })
            .collect();
        self.losses_title.set_text(if losses.is_empty() {
            "Acknowledged records lost: none"
        } else {
            "Acknowledged records lost"
        });
        self.losses.set(&losses);
    }
}
