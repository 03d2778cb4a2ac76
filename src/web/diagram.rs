//! The SVG cluster diagram. `Diagram::rebuild` creates the elements for a layout (only when the
//! cluster's shape or the width changes); `Diagram::update` then changes attributes and text of the
//! existing elements each frame, touching only what changed (`Cached`).

use super::dom::{fmt1, svg, Build, Cached, Keyed};
use super::Selection;
use crate::engine::{
    BrokerId, ClusterView, Map, MessageKind, NodeId, PartitionHealth, PartitionView, ProcessState, ReplicaRole,
};
use crate::layout::{self, clamp, Detail, Layout, NodeKey, Rect};
use crate::page::label;
use web_sys::Element;

/// Leader epochs are coloured with this many hues, cycling.
const EPOCH_HUES: u32 = 6;
/// Partition and topic names longer than this are cut in the drawing (the full name is in the title).
const NAME_CHARS_MAX: usize = 12;
/// The advance of a character of the diagram's 11 px secondary text (`layout::TEXT_PX_MIN`).
const INFO_PX_PER_CHAR: f64 = 6.2;

pub fn node_key(n: NodeId) -> NodeKey {
    match n {
        // Every voter is drawn in the controller box.
        NodeId::Controller | NodeId::ControllerNode(_) => NodeKey::Controller,
        NodeId::Broker(b) => NodeKey::Broker(b.0),
        NodeId::Producer(c) => NodeKey::Producer(c.0),
        NodeId::Consumer(c) => NodeKey::Consumer(c.0),
    }
}

pub fn short(name: &str) -> String {
    label::fit(name, NAME_CHARS_MAX)
}

struct NodeEl {
    g: Cached,
    #[allow(dead_code)] // Kept with its siblings; the box itself never changes.
    rect: Cached,
    title: Cached,
    line1: Cached,
    line2: Cached,
    /// Box width, to fit the text.
    w: f64,
}

struct ReplicaEl {
    partition: usize,
    g: Cached,
    title: Cached,
    bg: Cached,
    badge: Cached,
    badge_text: Cached,
    name: Cached,
    info: Cached,
    /// How many characters of the info line fit beside the badge.
    info_chars: usize,
    cells: Vec<(Cached, Cached)>,
    hw: Cached,
    leo: Cached,
    behind: Cached,
    /// The strip's left edge drawn open (a dashed bar and a ‹) when earlier offsets exist.
    window_edge: Cached,
    strip: Rect,
}

struct BrokerEl {
    view_index: usize,
    /// The broker's drawing: its button (`g`) and its replicas; the state's classes are here, so
    /// that they style both.
    frame: Cached,
    /// The button: frame and title (`data-broker`, the state as data attributes).
    g: Cached,
    rect: Cached,
    title: Cached,
    name: Cached,
    state: Cached,
    info: Cached,
    replicas: Vec<ReplicaEl>,
}

pub struct Diagram {
    pub svg: Element,
    racks: Element,
    links_layer: Element,
    nodes: Element,
    flight: Element,
    heat_layer: Element,
    pub layout: Option<Layout>,
    controller: Option<NodeEl>,
    producers: Vec<NodeEl>,
    consumers: Vec<NodeEl>,
    brokers: Vec<BrokerEl>,
    links: Keyed<(NodeKey, NodeKey)>,
    link_labels: Keyed<(NodeKey, NodeKey)>,
    dots: Vec<Cached>,
    heat: Vec<(Cached, Cached)>,
    heat_title: Option<Cached>,
}

impl Diagram {
    pub fn new() -> Diagram {
        let root = svg("svg")
            .with("id", "diagram")
            .with("role", "group")
            .with("aria-label", "Cluster diagram: controller, clients, and brokers grouped by rack")
            .with("viewBox", "0 0 1000 400")
            .with("xmlns", super::dom::SVG_NS);
        let desc = svg("desc").text(
            "Each broker lists its replicas; L marks the partition leader, F a follower. Each replica's log is a strip of offsets with its high watermark and log end offset marked.",
        );
        let _ = root.append_child(&desc);
        let layer = |name: &str| svg("g").with("class", name).into_parent(&root);
        let racks = layer("racks");
        let links_layer = layer("links");
        let heat_layer = layer("heat");
        let nodes = layer("nodes");
        let flight = layer("flight").with("aria-hidden", "true");
        let labels = layer("link-labels").with("aria-hidden", "true");
        Diagram {
            links: Keyed::new(links_layer.clone()),
            link_labels: Keyed::new(labels),
            svg: root,
            racks,
            links_layer,
            nodes,
            flight,
            heat_layer,
            layout: None,
            controller: None,
            producers: Vec::new(),
            consumers: Vec::new(),
            brokers: Vec::new(),
            dots: Vec::new(),
            heat: Vec::new(),
            heat_title: None,
        }
    }

    /// Creates the elements for `layout` (replacing any previous ones).
    pub fn rebuild(&mut self, layout: Layout, view: &ClusterView, per_broker: &[Vec<usize>]) {
        for layer in [&self.racks, &self.nodes, &self.heat_layer] {
            layer.set_text_content(None);
        }
        self.links.clear();
        self.link_labels.clear();
        let _ = self.svg.set_attribute("viewBox", &format!("0 0 {} {}", fmt1(layout.width), fmt1(layout.height)));
        for rack in &layout.racks {
            let r = rack.rect;
            let g = svg("g").with("class", "rack").into_parent(&self.racks);
            let label = if rack.name.is_empty() { "no rack".to_string() } else { format!("rack {}", rack.name) };
            svg("title").text(&label).into_parent(&g);
            rect_el(&r, 10.0).with("class", "rack-box").into_parent(&g);
            if !rack.labelled {
                continue;
            }
            svg("text")
                .with("class", "rack-label")
                .with("x", &fmt1(r.x + 8.0))
                .with("y", &fmt1(r.y + 13.0))
                .text(&short(&label))
                .into_parent(&g);
        }
        // In the order of the client row (producers, the controller, consumers): the tab order.
        self.producers = layout
            .producers
            .iter()
            .enumerate()
            .map(|(i, r)| node_el(&self.nodes, r, "node producer", &[("data-client", &format!("producer:{i}"))]))
            .collect();
        self.controller =
            Some(node_el(&self.nodes, &layout.controller, "node controller", &[("data-node", "controller")]));
        self.consumers = layout
            .consumers
            .iter()
            .enumerate()
            .map(|(i, r)| node_el(&self.nodes, r, "node consumer", &[("data-client", &format!("consumer:{i}"))]))
            .collect();
        self.brokers = layout
            .brokers
            .iter()
            .enumerate()
            .map(|(bi, b)| self.broker_el(&layout, bi, b, view, &per_broker[bi]))
            .collect();
        self.heat.clear();
        self.heat_title = None;
        if let Some(heat) = &layout.heat {
            let t = svg("text")
                .with("class", "heat-label")
                .with("x", &fmt1(heat.rect.x))
                .with("y", &fmt1(heat.rect.y + 14.0))
                .into_parent(&self.heat_layer);
            self.heat_title = Some(Cached::new(t));
            for (i, c) in heat.cells.iter().enumerate() {
                let cell = rect_el(c, 1.5)
                    .with("data-partition", &view.partitions[i].name)
                    .with("tabindex", "-1")
                    .into_parent(&self.heat_layer);
                let title = svg("title").into_parent(&cell);
                self.heat.push((Cached::new(cell), Cached::new(title)));
            }
        }
        self.layout = Some(layout);
    }

    fn broker_el(
        &self,
        layout: &Layout,
        bi: usize,
        b: &layout::BrokerBox,
        view: &ClusterView,
        parts: &[usize],
    ) -> BrokerEl {
        let r = b.rect;
        // The broker's button is its frame and title; its replicas are buttons of their own, drawn
        // on top as a sibling group: an interactive element never sits inside another (WAI-ARIA
        // "button": children presentational), and a click on a replica still inspects the replica.
        let frame = svg("g").with("class", "broker").into_parent(&self.nodes);
        let g = svg("g")
            .with("class", "broker-button")
            .with("data-broker", &b.id.to_string())
            .with("tabindex", "0")
            .with("role", "button")
            .with("aria-haspopup", "menu")
            .into_parent(&frame);
        let title = svg("title").into_parent(&g);
        let rect = rect_el(&r, 8.0).with("class", "broker-box").into_parent(&g);
        let full = layout.detail == Detail::Full;
        let (name, state, info) = if full {
            (
                text_el(&g, r.x + 10.0, r.y + 18.0, "broker-name", "start"),
                text_el(&g, r.right() - 10.0, r.y + 18.0, "broker-state", "end"),
                text_el(&g, r.x + 10.0, r.y + 33.0, "broker-info", "start"),
            )
        } else {
            (
                text_el(&g, r.cx(), r.y + 17.0, "tile-name", "middle"),
                text_el(&g, r.cx(), r.y + 30.0, "tile-state", "middle"),
                text_el(&g, r.cx(), r.y + 43.0, "tile-info", "middle"),
            )
        };
        let replicas = if full {
            let group = svg("g").with("class", "broker-replicas").into_parent(&frame);
            b.replicas
                .iter()
                .zip(parts)
                .map(|(rb, &pi)| replica_el(layout, &group, b.id, rb, &view.partitions[pi], pi))
                .collect()
        } else {
            Vec::new()
        };
        BrokerEl {
            view_index: bi,
            frame: Cached::new(frame),
            g: Cached::new(g),
            rect: Cached::new(rect),
            title: Cached::new(title),
            name: Cached::new(name),
            state: Cached::new(state),
            info: Cached::new(info),
            replicas,
        }
    }

    /// Paints `view` at display time `sim_ms` (fractional: requests move smoothly in slow motion).
    pub fn update(&mut self, view: &ClusterView, sim_ms: f64, selection: &Selection) {
        let Some(layout) = self.layout.as_ref() else { return };
        let full = layout.detail == Detail::Full;
        let leaders: Vec<usize> =
            view.brokers.iter().map(|b| view.partitions.iter().filter(|p| p.leader == Some(b.id)).count()).collect();

        // Controller and clients.
        if let Some(c) = self.controller.as_mut() {
            let fenced = view.brokers.iter().filter(|b| b.fenced).count();
            let quorum = &view.controller;
            c.line1.set_text(&fit(&crate::page::quorum::box_line(quorum), c.w, 7.4));
            let info = if quorum.quorum_lost {
                format!("QUORUM LOST · @{}", quorum.metadata_offset)
            } else {
                format!("metadata @{} · {} fenced", quorum.metadata_offset, fenced)
            };
            c.line2.set_text(&fit(&info, c.w, INFO_PX_PER_CHAR));
            if quorum.voters.len() == 1 && !quorum.combined {
                c.title.set_text(&format!(
                    "Controller (the active KRaft controller): metadata offset {}, {} broker(s) fenced",
                    quorum.metadata_offset, fenced
                ));
            } else {
                c.title.set_text(&crate::page::quorum::box_title(quorum, fenced));
            }
            let class = match (*selection == Selection::Controller, quorum.quorum_lost) {
                (true, false) => "node controller selected",
                (false, false) => "node controller",
                (true, true) => "node controller quorum-lost selected",
                (false, true) => "node controller quorum-lost",
            };
            c.g.set("class", class);
        }
        for (i, (el, p)) in self.producers.iter_mut().zip(&view.producers).enumerate() {
            el.line1.set_text(&fit(&p.name, el.w, 7.4));
            let info = if p.pending_records > 0 {
                format!("acks={} · {} pending", p.acks.as_str(), p.pending_records)
            } else {
                format!("acks={} · {} acked", p.acks.as_str(), p.acked_records)
            };
            el.line2.set_text(&fit(&info, el.w, INFO_PX_PER_CHAR));
            el.title.set_text(&format!(
                "Producer {}: acks={}, {} records acknowledged, {} failed, {} pending",
                p.name,
                p.acks.as_str(),
                p.acked_records,
                p.failed_records,
                p.pending_records
            ));
            let sel = *selection == Selection::Producer(i as u32);
            el.g.set("class", if sel { "node producer selected" } else { "node producer" });
        }
        for (i, (el, c)) in self.consumers.iter_mut().zip(&view.consumers).enumerate() {
            el.line1.set_text(&fit(&c.name, el.w, 7.4));
            let rack = if c.client_rack.is_empty() { "no rack".to_string() } else { format!("rack {}", c.client_rack) };
            el.line2.set_text(&fit(&format!("{rack} · {} received", c.received_total), el.w, INFO_PX_PER_CHAR));
            el.title.set_text(&format!(
                "Consumer {} (client.rack {}): {} records received",
                c.name,
                if c.client_rack.is_empty() { "unset" } else { &c.client_rack },
                c.received_total
            ));
            let sel = *selection == Selection::Consumer(i as u32);
            el.g.set("class", if sel { "node consumer selected" } else { "node consumer" });
        }

        // Brokers and their replicas.
        for b in &mut self.brokers {
            let Some(bv) = view.brokers.get(b.view_index) else { continue };
            let state = bv.process.as_str();
            b.g.set("data-state", state);
            b.g.set("data-fenced", if bv.fenced { "true" } else { "false" });
            let mut class = format!("broker {state}");
            if bv.fenced {
                class.push_str(" fenced");
            }
            if bv.stalled {
                class.push_str(" stalled");
            }
            if bv.in_controlled_shutdown {
                class.push_str(" shutting-down");
            }
            if *selection == Selection::Broker(bv.id.0) {
                class.push_str(" selected");
            }
            b.frame.set("class", &class);
            let mut words = vec![state.to_string()];
            if bv.fenced {
                words.push("fenced".into());
            }
            if bv.in_controlled_shutdown && bv.process == ProcessState::Running {
                words.push("shutting down".into());
            }
            if bv.stalled {
                words.push("slow".into());
            }
            let status = words.join(" · ");
            let rack = if bv.rack.is_empty() { "no rack".to_string() } else { format!("rack {}", bv.rack) };
            b.title.set_text(&format!(
                "Broker {} ({rack}): {status}; leader of {} partition(s). Click for actions.",
                bv.id, leaders[b.view_index]
            ));
            if full {
                b.name.set_text(&format!("Broker {}", bv.id));
                b.state.set_text(&status);
                let epoch = bv.broker_epoch.map_or("–".to_string(), |e| e.to_string());
                b.info.set_text(&format!("{rack} · broker epoch {epoch} · leads {}", leaders[b.view_index]));
            } else {
                b.name.set_text(&format!("B{}", bv.id));
                b.state.set_text(crate::page::label::tile_state(bv));
                let replicas = view.partitions.iter().filter(|p| p.replicas.contains(&bv.id)).count();
                b.info.set_text(&format!("{}L {}R", leaders[b.view_index], replicas));
            }
            b.rect.set("class", "broker-box");
            for r in &mut b.replicas {
                if let Some(p) = view.partitions.get(r.partition) {
                    update_replica(layout, r, bv.id, p, selection);
                }
            }
        }

        // Heat map (summary detail).
        if let Some(t) = self.heat_title.as_mut() {
            let offline = view.partitions.iter().filter(|p| p.health == PartitionHealth::Offline).count();
            let under = view.partitions.iter().filter(|p| p.health.is_under_replicated()).count();
            t.set_text(&format!(
                "{} partitions · {} under-replicated · {} offline (one square per partition)",
                view.partitions.len(),
                under,
                offline
            ));
        }
        for (i, (cell, title)) in self.heat.iter_mut().enumerate() {
            let Some(p) = view.partitions.get(i) else { continue };
            let health = health_word(p.health);
            let sel = *selection == Selection::Partition(p.name.clone());
            cell.set("class", if sel { "heat-cell selected" } else { heat_class(p.health) });
            set_partition_attrs(cell, p);
            title.set_text(&format!(
                "{}: leader {}, epoch {}, ISR [{}] of [{}] ({})",
                p.name,
                p.leader.map_or("none".to_string(), |l| l.to_string()),
                p.leader_epoch,
                ids(&p.isr),
                ids(&p.replicas),
                health
            ));
        }

        self.update_links(view, full, selection);
        self.update_dots(view, sim_ms);
    }

    fn update_links(&mut self, view: &ClusterView, full: bool, selection: &Selection) {
        // In summary detail a client may talk to a hundred brokers: its links are drawn only while
        // it is selected (requests in flight still show who talks to whom).
        let show_client = |s: Selection| full || *selection == s;
        let Some(layout) = self.layout.as_ref() else { return };
        let mut want: Map<(NodeKey, NodeKey), (String, Option<String>)> = Map::new();
        let running = |id: BrokerId| view.brokers.iter().any(|b| b.id == id && b.process == ProcessState::Running);
        if full {
            for b in &view.brokers {
                let class = if b.process == ProcessState::Running { "link ctrl" } else { "link ctrl down" };
                want.insert(pair(NodeKey::Controller, NodeKey::Broker(b.id.0)), (class.into(), None));
            }
            for p in &view.partitions {
                let Some(l) = p.leader else { continue };
                for f in p.replicas.iter().filter(|f| **f != l) {
                    let down = !running(*f) || !running(l);
                    let class = if down { "link repl down" } else { "link repl" };
                    want.entry(pair(NodeKey::Broker(l.0), NodeKey::Broker(f.0))).or_insert((class.into(), None));
                }
            }
        }
        for p in view.producers.iter().filter(|p| show_client(Selection::Producer(p.idx.0))) {
            for b in &p.talking_to {
                want.insert(pair(NodeKey::Producer(p.idx.0), NodeKey::Broker(b.0)), ("link produce".into(), None));
            }
        }
        for c in view.consumers.iter().filter(|c| show_client(Selection::Consumer(c.idx.0))) {
            for b in &c.talking_to {
                want.insert(pair(NodeKey::Consumer(c.idx.0), NodeKey::Broker(b.0)), ("link consume".into(), None));
            }
            for cp in &c.partitions {
                let Some(f) = cp.fetching_from else { continue };
                let key = pair(NodeKey::Consumer(c.idx.0), NodeKey::Broker(f.0));
                if cp.leader.is_some_and(|l| l != f) {
                    let rack = view.brokers.iter().find(|b| b.id == f).map_or(String::new(), |b| b.rack.clone());
                    let label = if !rack.is_empty() && rack == c.client_rack {
                        format!("reads from follower {f} (same rack {rack})")
                    } else {
                        format!("reads from follower {f}")
                    };
                    want.insert(key, ("link consume follower-read".into(), Some(label)));
                } else {
                    want.entry(key).or_insert(("link consume".into(), None));
                }
            }
        }
        for cut in &view.links_cut {
            let label = if cut.both_ways { "✕ link cut" } else { "✕ cut one way" };
            want.insert(pair(node_key(cut.from), node_key(cut.to)), ("link cut".into(), Some(label.into())));
        }
        self.links.begin();
        self.link_labels.begin();
        for (key, (class, label)) in want.iter() {
            let Some(curve) = layout.curve(key.0, key.1) else { continue };
            let path = self.links.get(key, || svg("path"));
            path.set("d", &curve.path());
            path.set("class", class);
            if let Some(label) = label {
                let mid = curve.point(0.5);
                let t = self.link_labels.get(key, || svg("text"));
                // Keep the whole label inside the drawing.
                let half = label.chars().count() as f64 * 3.1;
                t.num("x", clamp(mid.x, half + 2.0, (layout.width - half - 2.0).max(half + 2.0)));
                t.num("y", mid.y - 4.0);
                // `==`, not `contains("cut")`: a `&str` pattern brings the two-way searcher and the
                // string-slice panic (which prints chars with `{:?}`, Unicode tables and all).
                t.set("class", if class == "link cut" { "link-label cut" } else { "link-label" });
                t.set("text-anchor", "middle");
                t.set_text(label);
            }
        }
        self.links.end();
        self.link_labels.end();
        let _ = &self.links_layer;
    }

    fn update_dots(&mut self, view: &ClusterView, sim_ms: f64) {
        let Some(layout) = self.layout.as_ref() else { return };
        let mut used = 0;
        for m in &view.in_flight {
            let Some(curve) = layout.curve(node_key(m.from), node_key(m.to)) else { continue };
            let span = m.arrives_ms.saturating_sub(m.sent_ms) as f64;
            let t = if span <= 0.0 { 1.0 } else { (sim_ms - m.sent_ms as f64) / span };
            let p = curve.point(t);
            if used == self.dots.len() {
                let c = svg("circle").with("r", "4").into_parent(&self.flight);
                self.dots.push(Cached::new(c));
            }
            let dot = &mut self.dots[used];
            dot.num("cx", p.x);
            dot.num("cy", p.y);
            dot.set("class", dot_class(m.kind));
            dot.show(true);
            used += 1;
        }
        for d in &mut self.dots[used..] {
            d.show(false);
        }
    }
}

impl Default for Diagram {
    fn default() -> Self {
        Self::new()
    }
}

fn pair(a: NodeKey, b: NodeKey) -> (NodeKey, NodeKey) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

fn dot_class(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Produce | MessageKind::ProduceResponse => "dot produce",
        MessageKind::ReplicaFetch => "dot fetch",
        MessageKind::FetchResponse => "dot fetch",
        // A group's requests are the consumer's own traffic.
        MessageKind::ConsumerFetch | MessageKind::ListOffsets | MessageKind::Group => "dot cfetch",
        MessageKind::Registration | MessageKind::Heartbeat | MessageKind::Metadata | MessageKind::AlterPartition => {
            "dot ctrl"
        }
        MessageKind::ConnectionClosed => "dot closed",
    }
}

/// The page's word for a partition's health (the engine decides it): a CSS class of heat cells and
/// partition rows, and the word in a heat cell's title.
pub fn health_word(h: PartitionHealth) -> &'static str {
    match h {
        PartitionHealth::Offline => "offline",
        PartitionHealth::UnderMinIsr => "below-min",
        PartitionHealth::UnderReplicated => "under",
        PartitionHealth::Healthy => "ok",
    }
}

/// The class of a heat cell of that health (`heat-cell` and its [`health_word`]).
pub fn heat_class(h: PartitionHealth) -> &'static str {
    match h {
        PartitionHealth::Offline => "heat-cell offline",
        PartitionHealth::UnderMinIsr => "heat-cell below-min",
        PartitionHealth::UnderReplicated => "heat-cell under",
        PartitionHealth::Healthy => "heat-cell ok",
    }
}

pub fn ids(list: &[BrokerId]) -> String {
    list.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",")
}

/// The partition contract attributes: `data-leader`, `data-leader-epoch`, `data-isr`.
pub fn set_partition_attrs(el: &mut Cached, p: &PartitionView) {
    el.set("data-leader", &p.leader.map_or("-1".to_string(), |l| l.to_string()));
    el.set("data-leader-epoch", &p.leader_epoch.to_string());
    el.set("data-isr", &ids(&p.isr));
}

fn rect_el(r: &Rect, radius: f64) -> Element {
    svg("rect")
        .with("x", &fmt1(r.x))
        .with("y", &fmt1(r.y))
        .with("width", &fmt1(r.w))
        .with("height", &fmt1(r.h))
        .with("rx", &fmt1(radius))
}

fn text_el(parent: &Element, x: f64, y: f64, class: &str, anchor: &str) -> Element {
    svg("text")
        .with("x", &fmt1(x))
        .with("y", &fmt1(y))
        .with("class", class)
        .with("text-anchor", anchor)
        .into_parent(parent)
}

fn node_el(parent: &Element, r: &Rect, class: &str, attrs: &[(&str, &str)]) -> NodeEl {
    let mut g = svg("g").with("class", class).with("tabindex", "0").with("role", "button");
    for (k, v) in attrs {
        g = g.with(k, v);
    }
    let g = g.into_parent(parent);
    let title = svg("title").into_parent(&g);
    let rect = rect_el(r, 8.0).with("class", "node-box").into_parent(&g);
    let line1 = text_el(&g, r.cx(), r.y + 16.0, "node-name", "middle");
    let line2 = text_el(&g, r.cx(), r.y + 30.0, "node-info", "middle");
    NodeEl {
        g: Cached::new(g),
        rect: Cached::new(rect),
        title: Cached::new(title),
        line1: Cached::new(line1),
        line2: Cached::new(line2),
        w: r.w,
    }
}

/// `text` cut with an ellipsis to fit `width` px at `px_per_char`.
fn fit(text: &str, width: f64, px_per_char: f64) -> String {
    label::fit(text, ((width - 8.0) / px_per_char).floor().max(3.0) as usize)
}

fn replica_el(
    layout: &Layout,
    parent: &Element,
    broker: u32,
    rb: &layout::ReplicaBox,
    p: &PartitionView,
    pi: usize,
) -> ReplicaEl {
    let g = svg("g")
        .with("data-replica", &format!("{broker}:{}", p.name))
        .with("tabindex", "0")
        .with("role", "button")
        .into_parent(parent);
    let title = svg("title").into_parent(&g);
    let bg = rect_el(&rb.rect, 5.0).into_parent(&g);
    let cx = rb.label.x + 10.0;
    let cy = rb.label.cy();
    let badge = svg("circle").with("cx", &fmt1(cx)).with("cy", &fmt1(cy)).with("r", "8").into_parent(&g);
    let badge_text = text_el(&g, cx, cy + 3.5, "badge-text", "middle");
    let name = text_el(&g, rb.label.x + 22.0, rb.rect.y + 13.0, "replica-name", "start");
    // 11.5 px bold is about 7 px a character; the name ends before the strip and its LEO mark.
    let name_chars = ((rb.label.w - 24.0) / 7.0).floor().max(4.0) as usize;
    name.set_text_content(Some(&label::partition(&p.name, name_chars)));
    let info = text_el(&g, rb.label.x + 22.0, rb.rect.y + 26.0, "replica-info", "start");
    let info_chars = ((rb.label.w - 24.0) / INFO_PX_PER_CHAR).floor().max(6.0) as usize;
    let strip_g = svg("g").with("class", "strip").into_parent(&g);
    rect_el(&rb.strip, 2.0).with("class", "strip-bg").into_parent(&strip_g);
    let cw = layout.cell_w(&rb.strip);
    let cells = (0..layout.strip_cells)
        .map(|i| {
            let x = layout.cell_x(&rb.strip, i);
            let cell =
                rect_el(&Rect::new(x + 0.75, rb.strip.y + 0.75, cw - 1.5, rb.strip.h - 1.5), 1.5).into_parent(&strip_g);
            let t = text_el(&strip_g, x + cw / 2.0, rb.strip.y + rb.strip.h / 2.0 + 3.0, "cell-text", "middle");
            (Cached::new(cell), Cached::new(t))
        })
        .collect();
    let mark = |class: &str| svg("path").with("class", class).into_parent(&strip_g);
    let hw = mark("hw-mark");
    let leo = mark("leo-mark");
    let window_edge = svg("path").with("class", "window-edge").into_parent(&strip_g);
    let behind = text_el(&strip_g, rb.strip.x + 3.0, rb.strip.y + rb.strip.h / 2.0 + 3.5, "behind", "start");
    ReplicaEl {
        partition: pi,
        g: Cached::new(g),
        title: Cached::new(title),
        bg: Cached::new(bg),
        badge: Cached::new(badge),
        badge_text: Cached::new(badge_text),
        name: Cached::new(name),
        info: Cached::new(info),
        info_chars,
        cells,
        hw: Cached::new(hw),
        leo: Cached::new(leo),
        behind: Cached::new(behind),
        window_edge: Cached::new(window_edge),
        strip: rb.strip,
    }
}

fn update_replica(layout: &Layout, r: &mut ReplicaEl, broker: BrokerId, p: &PartitionView, selection: &Selection) {
    let Some(rv) = p.replica_states.iter().find(|x| x.broker == broker) else {
        r.g.set("data-role", "offline");
        r.g.set("class", "replica missing");
        return;
    };
    // As a CSS class and a data attribute: `no-leader`.
    let role = match rv.role {
        ReplicaRole::NoLeader => "no-leader",
        role => role.word(),
    };
    let (leo, hw) = (rv.log_end_offset, rv.high_watermark);
    r.g.set("data-role", role);
    r.g.set("data-leo", &leo.to_string());
    r.g.set("data-hw", &hw.to_string());
    r.g.set("data-in-isr", if rv.in_isr { "true" } else { "false" });
    r.g.set("data-leader-epoch", &rv.leader_epoch.to_string());
    let selected = match selection {
        Selection::Replica(b, name) => *b == broker.0 && *name == p.name,
        Selection::Partition(name) => *name == p.name,
        _ => false,
    };
    let lagging = rv.caught_up == Some(false);
    let mut class = format!("replica {role}");
    if !rv.in_isr {
        class.push_str(" out-of-isr");
    }
    if rv.in_elr {
        class.push_str(" in-elr");
    }
    let reassigning = crate::page::reassign::replica_mark(p, broker);
    if let Some(mark) = reassigning {
        class.push(' ');
        class.push_str(mark);
    }
    if lagging {
        class.push_str(" lagging");
    }
    if selected {
        class.push_str(" selected");
    }
    r.g.set("class", &class);
    r.bg.set("class", "replica-bg");
    r.badge.set("class", "badge");
    r.badge_text.set_text(match rv.role {
        ReplicaRole::Leader => "L",
        ReplicaRole::Follower => "F",
        ReplicaRole::NoLeader => "–",
        ReplicaRole::Offline => "×",
    });
    let role = rv.role.word();
    // The strip: the same window of offsets for every replica of the partition, ending at the
    // highest LEO, so a lagging follower shows as empty cells on the right.
    let k = layout.strip_cells as u64;
    let end = p.replica_states.iter().map(|x| x.log_end_offset).max().unwrap_or(0);
    let start = end.saturating_sub(k);
    let window = if start == 0 {
        String::new()
    } else {
        format!(", offsets {start} to {} drawn ({start} earlier not drawn)", end - 1)
    };
    let isr_word = if rv.in_isr { "in ISR" } else { "NOT in ISR" };
    // As much as fits beside the badge (the whole line is in the title).
    r.info.set_text(&label::replica_info(leo, hw, rv.in_isr, r.info_chars));
    r.title.set_text(&format!(
        "Replica of {} on broker {broker}: {role}, leader epoch {}, LEO {leo}, HW {hw}, {isr_word}{}{}{}{}",
        p.name,
        rv.leader_epoch,
        if rv.in_elr { ", an Eligible Leader Replica" } else { "" },
        match reassigning {
            Some("adding") => ", being added by a reassignment",
            Some(_) => ", being removed by a reassignment",
            None => "",
        },
        if lagging { ", not caught up" } else { "" },
        window
    ));
    let _ = &r.name;

    if start > 0 {
        // A window on a longer log: the left edge is open, with a ‹ pointing at what is not drawn.
        let s = r.strip;
        let (x, top, bottom, mid) = (fmt1(s.x - 1.5), fmt1(s.y), fmt1(s.bottom()), fmt1(s.y + s.h / 2.0));
        r.window_edge.set("d", &format!("M{x} {top}V{bottom}M{x} {mid}l-3 -3M{x} {mid}l-3 3"));
        r.window_edge.show(true);
    } else {
        r.window_edge.show(false);
    }
    let cw = layout.cell_w(&r.strip);
    for (i, (cell, text)) in r.cells.iter_mut().enumerate() {
        let offset = start + i as u64;
        match rv.leader_epoch_at(offset) {
            Some(epoch) if offset < leo => {
                let committed = offset < hw;
                let class = format!("cell e{}{}", epoch % EPOCH_HUES, if committed { "" } else { " uncommitted" });
                cell.set("class", &class);
                let digits = offset.to_string();
                let fits = digits.len() as f64 * layout::DIGIT_W + 2.0 <= cw;
                text.set_text(if fits { &digits } else { "" });
            }
            // Below the log start: deleted by retention, drawn as nothing.
            _ if offset < leo && offset >= rv.log_start_offset => {
                cell.set("class", "cell unknown");
                text.set_text("");
            }
            _ => {
                cell.set("class", "cell empty");
                text.set_text("");
            }
        }
    }
    let strip = r.strip;
    let mark_x =
        |o: u64| -> Option<f64> { (o >= start && o <= start + k).then(|| layout.cell_x(&strip, (o - start) as usize)) };
    match mark_x(hw) {
        Some(x) => {
            // HW: a bar with a triangle below the strip.
            let (x, top, bottom) = (fmt1(x), fmt1(strip.y - 1.0), fmt1(strip.bottom() + 1.0));
            let d = format!("M{x} {top}V{bottom}M{x} {bottom}l3.5 5h-7z");
            r.hw.set("d", &d);
            r.hw.show(true);
        }
        None => r.hw.show(false),
    }
    match mark_x(leo) {
        Some(x) => {
            // LEO: a bar with a triangle above the strip.
            let (x, top, bottom) = (fmt1(x), fmt1(strip.y - 1.0), fmt1(strip.bottom() + 1.0));
            let d = format!("M{x} {top}V{bottom}M{x} {top}l3.5 -5h-7z");
            r.leo.set("d", &d);
            r.leo.show(true);
        }
        None => r.leo.show(false),
    }
    if leo < start {
        r.behind.set_text(&format!("◂ LEO {leo}"));
    } else {
        r.behind.set_text("");
    }
}
