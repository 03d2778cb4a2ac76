//! The cluster diagram at one moment as a standalone SVG document: what the page draws (racks,
//! brokers and their state, each replica with its role, ISR membership, log strip, LEO and HW, the
//! clients, the controller, cut links), for notes sites that strip iframes. The geometry is the
//! page's own ([`layout`](crate::layout)); this module only paints a [`ClusterView`] into it, with
//! text as SVG text, generic fonts, a background of its own, and a `<title>` and `<desc>` that say
//! the state in words (`role="img"`).

mod style;
mod xml;

pub use xml::escape;

use crate::engine::{
    BrokerId, ClusterView, Map, NodeId, PartitionHealth, PartitionView, ProcessState, ReplicaRole, ReplicaView,
};
use crate::layout::{self, clamp, Detail, Layout, NodeKey, Rect};
use crate::page::label;
use xml::{num, Xml};

/// The drawing's width when none is asked for: the page's diagram on a laptop screen.
pub const WIDTH_DEFAULT: f64 = 960.0;
/// Leader epochs are coloured with this many hues, cycling (as the page does).
const EPOCH_HUES: u32 = 6;
/// Height of the line above the diagram saying the moment.
const HEADING_H: f64 = 22.0;
/// Partitions named in `<desc>`; the rest are counted.
const DESC_PARTITIONS_MAX: usize = 24;
/// The advance of a character of 11 px text, as the page fits its info lines.
const INFO_PX_PER_CHAR: f64 = 6.2;

/// `view` drawn `width` units wide (at least 300), as a complete SVG document.
pub fn diagram(view: &ClusterView, width: f64) -> String {
    let (shape, per_broker) = layout::shape_of(view);
    let layout = layout::layout(&shape, width);
    let height = layout.height + HEADING_H;
    let mut x = Xml::default();
    x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let (w, h) = (num(layout.width), num(height));
    let view_box = format!("0 0 {w} {h}");
    x.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("viewBox", &view_box),
            ("width", &w),
            ("height", &h),
            ("role", "img"),
            ("aria-labelledby", "pp-title pp-desc"),
        ],
    );
    let (title, desc) = summary(view);
    x.text("title", &[("id", "pp-title")], &title);
    x.text("desc", &[("id", "pp-desc")], &desc);
    x.raw(&style::style());
    x.rect(&Rect::new(0.0, 0.0, layout.width, height), 0.0, "bg");
    x.label(layout::MARGIN, 15.0, "heading", "start", &heading(view));
    let shift = format!("translate(0 {})", num(HEADING_H));
    x.open("g", &[("transform", &shift)]);
    racks(&mut x, &layout);
    links(&mut x, &layout, view);
    clients(&mut x, &layout, view);
    for (bi, b) in layout.brokers.iter().enumerate() {
        if let Some(bv) = view.brokers.get(bi) {
            broker(&mut x, &layout, b, view, bv, &per_broker[bi]);
        }
    }
    heat(&mut x, &layout, view);
    x.close("g");
    x.close("svg");
    x.finish()
}

/// The line above the drawing: the moment and what is wrong, if anything.
fn heading(view: &ClusterView) -> String {
    let offline = view.partitions.iter().filter(|p| p.health == PartitionHealth::Offline).count();
    let under = view.partitions.iter().filter(|p| p.health.is_under_replicated()).count();
    format!(
        "Partition Playground at {} · {} partitions, {} under-replicated, {} offline",
        label::seconds(view.now_ms),
        view.partitions.len(),
        under,
        offline
    )
}

fn ids(list: &[BrokerId]) -> String {
    list.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(", ")
}

fn broker_status(b: &crate::engine::BrokerView) -> String {
    let mut words = vec![b.process.as_str()];
    if b.fenced {
        words.push("fenced");
    }
    if b.in_controlled_shutdown && b.process == ProcessState::Running {
        words.push("shutting down");
    }
    if b.stalled {
        words.push("slow");
    }
    words.join(" · ")
}

/// `<title>` and `<desc>`: the state in words, for screen readers and for hosts that show no image.
pub fn summary(view: &ClusterView) -> (String, String) {
    let title = format!(
        "Kafka cluster at {}: {} brokers, {} partitions",
        label::seconds(view.now_ms),
        view.brokers.len(),
        view.partitions.len()
    );
    let mut parts = Vec::new();
    let brokers: Vec<String> = view
        .brokers
        .iter()
        .map(|b| {
            let rack = if b.rack.is_empty() { String::new() } else { format!(" (rack {})", b.rack) };
            format!("broker {}{rack} {}", b.id, broker_status(b))
        })
        .collect();
    parts.push(format!("Brokers: {}.", brokers.join("; ")));
    for p in view.partitions.iter().take(DESC_PARTITIONS_MAX) {
        let leader = p.leader.map_or("no leader".to_string(), |l| format!("leader {l}"));
        let logs: Vec<String> = p
            .replica_states
            .iter()
            .map(|r| format!("{} LEO {} HW {}", r.broker, r.log_end_offset, r.high_watermark))
            .collect();
        parts.push(format!(
            "{}: {leader}, epoch {}, ISR [{}] of [{}]; {}.",
            p.name,
            p.leader_epoch,
            ids(&p.isr),
            ids(&p.replicas),
            logs.join(", ")
        ));
    }
    if view.partitions.len() > DESC_PARTITIONS_MAX {
        parts.push(format!("And {} more partitions.", view.partitions.len() - DESC_PARTITIONS_MAX));
    }
    for p in &view.producers {
        parts.push(format!(
            "Producer {} (acks={}): {} records acknowledged, {} failed, {} pending.",
            p.name,
            p.acks.as_str(),
            p.acked_records,
            p.failed_records,
            p.pending_records
        ));
    }
    for c in &view.consumers {
        parts.push(format!("Consumer {}: {} records received.", c.name, c.received_total));
    }
    if !view.links_cut.is_empty() {
        let cut: Vec<String> = view
            .links_cut
            .iter()
            .map(|c| match c.both_ways {
                true => format!("{} to {}", node(c.from), node(c.to)),
                false => format!(
                    "{} to {} (one way: {} hears nothing from {})",
                    node(c.from),
                    node(c.to),
                    node(c.to),
                    node(c.from)
                ),
            })
            .collect();
        parts.push(format!("Links cut: {}.", cut.join("; ")));
    }
    (title, parts.join(" "))
}

fn node(n: NodeId) -> String {
    match n {
        NodeId::Controller => "the controller".into(),
        NodeId::ControllerNode(id) => format!("controller {id}"),
        NodeId::Broker(b) => format!("broker {b}"),
        NodeId::Producer(c) => format!("producer #{}", c.0),
        NodeId::Consumer(c) => format!("consumer #{}", c.0),
    }
}

fn node_key(n: NodeId) -> NodeKey {
    match n {
        NodeId::Controller | NodeId::ControllerNode(_) => NodeKey::Controller,
        NodeId::Broker(b) => NodeKey::Broker(b.0),
        NodeId::Producer(c) => NodeKey::Producer(c.0),
        NodeId::Consumer(c) => NodeKey::Consumer(c.0),
    }
}

/// `text` cut with an ellipsis to fit `width` px at `px_per_char` (as the page fits its boxes).
fn fit(text: &str, width: f64, px_per_char: f64) -> String {
    label::fit(text, ((width - 8.0) / px_per_char).floor().max(3.0) as usize)
}

fn racks(x: &mut Xml, layout: &Layout) {
    for rack in &layout.racks {
        let name = if rack.name.is_empty() { "no rack".to_string() } else { format!("rack {}", rack.name) };
        x.rect(&rack.rect, 10.0, "rack-box");
        if rack.labelled {
            x.label(rack.rect.x + 8.0, rack.rect.y + 13.0, "rack-label", "start", &label::fit(&name, 12));
        }
    }
}

/// The paths requests take, as the page draws them at rest: the controller to each broker, leader
/// to followers, clients to the brokers they talk to, and cut links in red with a label.
fn links(x: &mut Xml, layout: &Layout, view: &ClusterView) {
    let full = layout.detail == Detail::Full;
    let running = |id: BrokerId| view.brokers.iter().any(|b| b.id == id && b.process == ProcessState::Running);
    let mut want: Map<(NodeKey, NodeKey), (&str, Option<String>)> = Map::new();
    let pair = |a: NodeKey, b: NodeKey| if a <= b { (a, b) } else { (b, a) };
    if full {
        for b in &view.brokers {
            let class = if running(b.id) { "link ctrl" } else { "link ctrl down" };
            want.insert(pair(NodeKey::Controller, NodeKey::Broker(b.id.0)), (class, None));
        }
        for p in &view.partitions {
            let Some(l) = p.leader else { continue };
            for f in p.replicas.iter().filter(|f| **f != l) {
                let class = if running(*f) && running(l) { "link repl" } else { "link repl down" };
                want.entry(pair(NodeKey::Broker(l.0), NodeKey::Broker(f.0))).or_insert((class, None));
            }
        }
        for p in &view.producers {
            for b in &p.talking_to {
                want.insert(pair(NodeKey::Producer(p.idx.0), NodeKey::Broker(b.0)), ("link produce", None));
            }
        }
        for c in &view.consumers {
            for b in &c.talking_to {
                want.insert(pair(NodeKey::Consumer(c.idx.0), NodeKey::Broker(b.0)), ("link consume", None));
            }
            for cp in &c.partitions {
                let Some(f) = cp.fetching_from else { continue };
                if cp.leader.is_some_and(|l| l != f) {
                    let key = pair(NodeKey::Consumer(c.idx.0), NodeKey::Broker(f.0));
                    want.insert(key, ("link consume follower-read", Some(format!("reads from follower {f}"))));
                }
            }
        }
    }
    for cut in &view.links_cut {
        let label = if cut.both_ways { "✕ link cut".to_string() } else { format!("✕ cut toward {}", node(cut.to)) };
        want.insert(pair(node_key(cut.from), node_key(cut.to)), ("link cut", Some(label)));
    }
    for (key, (class, text)) in want.iter() {
        let Some(curve) = layout.curve(key.0, key.1) else { continue };
        x.leaf("path", &[("d", &curve.path()), ("class", class)]);
        if let Some(text) = text {
            let mid = curve.point(0.5);
            let half = text.chars().count() as f64 * 3.1;
            let cx = clamp(mid.x, half + 2.0, (layout.width - half - 2.0).max(half + 2.0));
            let class = if class.contains("cut") { "link-label cut" } else { "link-label" };
            x.label(cx, mid.y - 4.0, class, "middle", text);
        }
    }
}

/// Producers, the controller and consumers: a box with a name and an info line each.
fn clients(x: &mut Xml, layout: &Layout, view: &ClusterView) {
    let node_box = |x: &mut Xml, r: &Rect, class: &str, name: &str, info: &str| {
        x.open("g", &[("class", class)]);
        x.rect(r, 8.0, "node-box");
        x.label(r.cx(), r.y + 16.0, "node-name", "middle", &fit(name, r.w, 7.4));
        x.label(r.cx(), r.y + 30.0, "node-info", "middle", &fit(info, r.w, INFO_PX_PER_CHAR));
        x.close("g");
    };
    for (r, p) in layout.producers.iter().zip(&view.producers) {
        let info = if p.pending_records > 0 {
            format!("acks={} · {} pending", p.acks.as_str(), p.pending_records)
        } else {
            format!("acks={} · {} acked", p.acks.as_str(), p.acked_records)
        };
        node_box(x, r, "node producer", &p.name, &info);
    }
    let fenced = view.brokers.iter().filter(|b| b.fenced).count();
    let info = format!("metadata @{} · {} fenced", view.controller.metadata_offset, fenced);
    node_box(x, &layout.controller, "node controller", "Controller", &info);
    for (r, c) in layout.consumers.iter().zip(&view.consumers) {
        let rack = if c.client_rack.is_empty() { "no rack".to_string() } else { format!("rack {}", c.client_rack) };
        node_box(x, r, "node consumer", &c.name, &format!("{rack} · {} received", c.received_total));
    }
}

fn broker(
    x: &mut Xml,
    layout: &Layout,
    b: &layout::BrokerBox,
    view: &ClusterView,
    bv: &crate::engine::BrokerView,
    parts: &[usize],
) {
    let mut class = format!("broker {}", bv.process.as_str());
    for (on, word) in [(bv.fenced, " fenced"), (bv.stalled, " stalled"), (bv.in_controlled_shutdown, " shutting-down")]
    {
        if on {
            class.push_str(word);
        }
    }
    let leads = view.partitions.iter().filter(|p| p.leader == Some(bv.id)).count();
    let rack = if bv.rack.is_empty() { "no rack".to_string() } else { format!("rack {}", bv.rack) };
    let r = b.rect;
    x.open("g", &[("class", &class)]);
    x.rect(&r, 8.0, "broker-box");
    if layout.detail == Detail::Full {
        x.label(r.x + 10.0, r.y + 18.0, "broker-name", "start", &format!("Broker {}", bv.id));
        x.label(r.right() - 10.0, r.y + 18.0, "broker-state", "end", &broker_status(bv));
        let epoch = bv.broker_epoch.map_or("–".to_string(), |e| e.to_string());
        let info = format!("{rack} · broker epoch {epoch} · leads {leads}");
        x.label(r.x + 10.0, r.y + 33.0, "broker-info", "start", &fit(&info, r.w - 12.0, INFO_PX_PER_CHAR));
        for (rb, &pi) in b.replicas.iter().zip(parts) {
            if let Some(p) = view.partitions.get(pi) {
                replica(x, layout, rb, bv.id, p);
            }
        }
    } else {
        let tile_state = label::tile_state(bv);
        let replicas = view.partitions.iter().filter(|p| p.replicas.contains(&bv.id)).count();
        x.label(r.cx(), r.y + 17.0, "tile-name", "middle", &format!("B{}", bv.id));
        x.label(r.cx(), r.y + 30.0, "tile-state", "middle", tile_state);
        x.label(r.cx(), r.y + 43.0, "tile-info", "middle", &format!("{leads}L {replicas}R"));
    }
    x.close("g");
}

/// One replica row: badge (L, F, –, ×), name, LEO and HW, and the log strip with its marks.
fn replica(x: &mut Xml, layout: &Layout, rb: &layout::ReplicaBox, broker: BrokerId, p: &PartitionView) {
    let Some(rv) = p.replica_states.iter().find(|r| r.broker == broker) else { return };
    let role = match rv.role {
        ReplicaRole::NoLeader => "no-leader",
        role => role.word(),
    };
    let mut class = format!("replica {role}");
    if !rv.in_isr {
        class.push_str(" out-of-isr");
    }
    x.open("g", &[("class", &class)]);
    x.rect(&rb.rect, 5.0, "replica-bg");
    let (cx, cy) = (rb.label.x + 10.0, rb.label.cy());
    x.leaf("circle", &[("cx", &num(cx)), ("cy", &num(cy)), ("r", "8"), ("class", "badge")]);
    let badge = match rv.role {
        ReplicaRole::Leader => "L",
        ReplicaRole::Follower => "F",
        ReplicaRole::NoLeader => "–",
        ReplicaRole::Offline => "×",
    };
    x.label(cx, cy + 3.5, "badge-text", "middle", badge);
    let name_chars = ((rb.label.w - 24.0) / 7.0).floor().max(4.0) as usize;
    x.label(rb.label.x + 22.0, rb.rect.y + 13.0, "replica-name", "start", &label::partition(&p.name, name_chars));
    let info_chars = ((rb.label.w - 24.0) / INFO_PX_PER_CHAR).floor().max(6.0) as usize;
    let info = label::replica_info(rv.log_end_offset, rv.high_watermark, rv.in_isr, info_chars);
    x.label(rb.label.x + 22.0, rb.rect.y + 26.0, "replica-info", "start", &info);
    strip(x, layout, &rb.strip, p, rv);
    x.close("g");
}

/// The log strip: the same window of offsets for every replica of the partition, ending at the
/// highest LEO; cells coloured by leader epoch, uncommitted ones faded; the HW and LEO marks.
fn strip(x: &mut Xml, layout: &Layout, s: &Rect, p: &PartitionView, rv: &ReplicaView) {
    x.rect(s, 2.0, "strip-bg");
    let k = layout.strip_cells as u64;
    let end = p.replica_states.iter().map(|r| r.log_end_offset).max().unwrap_or(0);
    let start = end.saturating_sub(k);
    let (leo, hw) = (rv.log_end_offset, rv.high_watermark);
    let cw = layout.cell_w(s);
    for i in 0..layout.strip_cells {
        let offset = start + i as u64;
        if offset >= leo {
            break;
        }
        if offset < rv.log_start_offset {
            continue; // deleted by retention
        }
        let cx = layout.cell_x(s, i);
        let cell = Rect::new(cx + 0.75, s.y + 0.75, cw - 1.5, s.h - 1.5);
        let uncommitted = if offset < hw { "" } else { " uncommitted" };
        match rv.leader_epoch_at(offset) {
            Some(epoch) => {
                x.rect(&cell, 1.5, &format!("cell e{}{uncommitted}", epoch % EPOCH_HUES));
                let digits = offset.to_string();
                if digits.len() as f64 * layout::DIGIT_W + 2.0 <= cw {
                    let class = format!("cell-text{uncommitted}");
                    x.label(cx + cw / 2.0, s.y + s.h / 2.0 + 3.0, &class, "middle", &digits);
                }
            }
            None => x.rect(&cell, 1.5, "cell unknown"),
        }
    }
    let mark_x = |o: u64| (o >= start && o <= start + k).then(|| layout.cell_x(s, (o - start) as usize));
    if let Some(mx) = mark_x(hw) {
        let (mx, top, bottom) = (num(mx), num(s.y - 1.0), num(s.bottom() + 1.0));
        x.leaf("path", &[("d", &format!("M{mx} {top}V{bottom}M{mx} {bottom}l3.5 5h-7z")), ("class", "hw-mark")]);
    }
    if let Some(mx) = mark_x(leo) {
        let (mx, top, bottom) = (num(mx), num(s.y - 1.0), num(s.bottom() + 1.0));
        x.leaf("path", &[("d", &format!("M{mx} {top}V{bottom}M{mx} {top}l3.5 -5h-7z")), ("class", "leo-mark")]);
    }
    if leo < start {
        x.label(s.x + 3.0, s.y + s.h / 2.0 + 3.5, "behind", "start", &format!("◂ LEO {leo}"));
    }
}

/// Summary detail: a square per partition coloured by health.
fn heat(x: &mut Xml, layout: &Layout, view: &ClusterView) {
    let Some(heat) = &layout.heat else { return };
    let offline = view.partitions.iter().filter(|p| p.health == PartitionHealth::Offline).count();
    let under = view.partitions.iter().filter(|p| p.health.is_under_replicated()).count();
    let title = format!(
        "{} partitions · {under} under-replicated · {offline} offline (one square per partition)",
        view.partitions.len()
    );
    x.label(heat.rect.x, heat.rect.y + 14.0, "heat-label", "start", &title);
    for (cell, p) in heat.cells.iter().zip(&view.partitions) {
        let class = match p.health {
            PartitionHealth::Offline => "heat-cell offline",
            PartitionHealth::UnderMinIsr => "heat-cell below-min",
            PartitionHealth::UnderReplicated => "heat-cell under",
            PartitionHealth::Healthy => "heat-cell ok",
        };
        x.rect(cell, 1.5, class);
    }
}
