//! Geometry of the cluster diagram: a pure function from the cluster's shape (brokers with their
//! racks and replicas, clients) and the width available to boxes and curves. No DOM and no Kafka
//! rule here, so it is unit-tested natively; the page (`src/web`) only paints what this returns.
//!
//! Two levels of detail: `Detail::Full` draws every replica with its log strip (small clusters);
//! `Detail::Summary` draws a tile per broker and a heat map of partitions (100 brokers × 1,000
//! partitions stays fast to draw).

use crate::engine::{map_from, BrokerId, ClusterView, Map};

/// Space around the whole drawing.
pub const MARGIN: f64 = 10.0;
/// Space between rack boxes and between rows.
pub const GAP: f64 = 14.0;
/// Space between brokers inside one rack.
pub const INNER_GAP: f64 = 10.0;
/// Padding inside a rack box, and the height of its label above the brokers.
pub const RACK_PAD: f64 = 6.0;
pub const RACK_LABEL_H: f64 = 18.0;
/// Client and controller boxes.
pub const CLIENT_H: f64 = 38.0;
pub const CLIENT_W_MAX: f64 = 140.0;
pub const CLIENT_W_MIN: f64 = 86.0;
/// Vertical room between the client row and the brokers, where requests travel.
pub const CLIENT_LANE_H: f64 = 58.0;
/// Room below a row of brokers for the replication arcs between them.
pub const ARC_LANE_H: f64 = 46.0;
/// Room right of the brokers for arcs between rows.
pub const GUTTER_W: f64 = 34.0;
/// A broker box in full detail: header, then one row per replica.
pub const BROKER_HEADER_H: f64 = 42.0;
/// Two lines of text (11.5 px and [`TEXT_PX_MIN`]) and the strip.
pub const REPLICA_ROW_H: f64 = 34.0;
pub const BROKER_PAD: f64 = 6.0;
/// At least: three racks of one broker side by side fit a 700 px frame (a notes page's iframe).
pub const BROKER_W_MIN: f64 = 184.0;
pub const BROKER_W_MAX: f64 = 380.0;
/// Width of the label (partition name and role badge) left of a replica's log strip.
pub const REPLICA_LABEL_W: f64 = 112.0;
/// The smallest text the diagram draws, in px at the default zoom (one SVG unit is one CSS px):
/// smaller is hard to read (WCAG 1.4.4's spirit; the page's issue 8).
pub const TEXT_PX_MIN: f64 = 11.0;
/// The advance of a digit (tabular figures) of [`TEXT_PX_MIN`] text, with room to spare.
pub const DIGIT_W: f64 = 6.6;
/// Width of one offset cell in a log strip, at least: two digits of the smallest text and a margin.
pub const STRIP_CELL_W_MIN: f64 = 16.0;
pub const STRIP_CELLS_MAX: usize = 16;
pub const STRIP_CELLS_MIN: usize = 4;
/// A broker tile in summary detail.
pub const TILE_W_MIN: f64 = 60.0;
pub const TILE_W_MAX: f64 = 84.0;
/// Three lines: the name (12 px) and two of [`TEXT_PX_MIN`].
pub const TILE_H: f64 = 48.0;
pub const HEAT_LABEL_H: f64 = 22.0;

/// Full detail up to this many brokers, replicas per broker, and replicas in all.
pub const FULL_BROKERS_MAX: usize = 12;
pub const FULL_REPLICAS_PER_BROKER_MAX: usize = 24;
pub const FULL_REPLICAS_MAX: usize = 150;

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { x, y, w, h }
    }
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    pub fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }
    /// Whether `other` lies inside (edges may touch).
    pub fn contains(&self, other: &Rect) -> bool {
        const EPS: f64 = 1e-6;
        other.x >= self.x - EPS
            && other.y >= self.y - EPS
            && other.right() <= self.right() + EPS
            && other.bottom() <= self.bottom() + EPS
    }
    /// Whether the interiors intersect (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        const EPS: f64 = 1e-6;
        self.x < other.right() - EPS
            && other.x < self.right() - EPS
            && self.y < other.bottom() - EPS
            && other.y < self.bottom() - EPS
    }
}

/// `v` with exactly `decimals` digits after the point, using integer formatting only (float
/// formatting would add ~25 KB of code to the wasm bundle).
pub fn fixed(v: f64, decimals: u32) -> String {
    let m = 10i64.pow(decimals);
    let n = (v * m as f64).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let (int, frac) = (n.abs() / m, n.abs() % m);
    if decimals == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac:0width$}", width = decimals as usize)
    }
}

/// `v` limited to `lo..=hi` (`lo` for NaN). Not `f64::clamp`: its check that `lo <= hi` panics with
/// a message that prints both floats, which brings float printing (about 9 KB) into the wasm bundle.
pub fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    v.max(lo).min(hi)
}

/// Like [`fixed`] with trailing zeros (and a bare point) removed: `12.5`, `12`.
pub fn trimmed(v: f64, decimals: u32) -> String {
    let s = fixed(v, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A node of the diagram that requests travel between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKey {
    Controller,
    Broker(u32),
    Producer(u32),
    Consumer(u32),
}

/// A quadratic Bézier curve from `a` to `b` with control point `c`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Curve {
    pub a: Point,
    pub c: Point,
    pub b: Point,
}

impl Curve {
    /// The point at `t` in [0, 1] (clamped).
    pub fn point(&self, t: f64) -> Point {
        let t = clamp(t, 0.0, 1.0);
        let u = 1.0 - t;
        Point {
            x: u * u * self.a.x + 2.0 * u * t * self.c.x + t * t * self.b.x,
            y: u * u * self.a.y + 2.0 * u * t * self.c.y + t * t * self.b.y,
        }
    }
    pub fn reversed(&self) -> Curve {
        Curve { a: self.b, c: self.c, b: self.a }
    }
    /// SVG path data.
    pub fn path(&self) -> String {
        format!(
            "M{} {}Q{} {} {} {}",
            trimmed(self.a.x, 1),
            trimmed(self.a.y, 1),
            trimmed(self.c.x, 1),
            trimmed(self.c.y, 1),
            trimmed(self.b.x, 1),
            trimmed(self.b.y, 1)
        )
    }
}

/// What the layout needs to know about one broker.
#[derive(Clone, Debug, PartialEq)]
pub struct BrokerShape {
    pub id: u32,
    /// `broker.rack`; empty = none.
    pub rack: String,
    /// Names of the partitions it holds a replica of, in the order to draw them.
    pub replicas: Vec<String>,
}

/// The cluster's shape: what is drawn, not its state.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Shape {
    pub brokers: Vec<BrokerShape>,
    pub producers: usize,
    pub consumers: usize,
    pub partitions: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    Full,
    Summary,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RackBox {
    pub name: String,
    pub rect: Rect,
    /// The first box of its rack: only it carries the label, so a rack that spans rows is named once.
    pub labelled: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaBox {
    pub partition: String,
    pub rect: Rect,
    /// Where the partition name and the role badge go.
    pub label: Rect,
    /// The log strip: `Layout::strip_cells` cells of offsets.
    pub strip: Rect,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BrokerBox {
    pub id: u32,
    pub rect: Rect,
    /// Index of the broker row it is in (0 = top).
    pub row: usize,
    /// Position in row-major order.
    pub order: usize,
    pub replicas: Vec<ReplicaBox>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HeatMap {
    /// Title area and cells.
    pub rect: Rect,
    pub cell: f64,
    pub cols: usize,
    /// One per partition, in partition order.
    pub cells: Vec<Rect>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub detail: Detail,
    pub controller: Rect,
    pub producers: Vec<Rect>,
    pub consumers: Vec<Rect>,
    pub racks: Vec<RackBox>,
    /// In the input's order.
    pub brokers: Vec<BrokerBox>,
    /// Offset cells per log strip (full detail).
    pub strip_cells: usize,
    pub heat: Option<HeatMap>,
}

/// Which level of detail a shape gets.
pub fn detail_for(shape: &Shape) -> Detail {
    let per_broker = shape.brokers.iter().map(|b| b.replicas.len()).max().unwrap_or(0);
    let total: usize = shape.brokers.iter().map(|b| b.replicas.len()).sum();
    if shape.brokers.len() <= FULL_BROKERS_MAX
        && per_broker <= FULL_REPLICAS_PER_BROKER_MAX
        && total <= FULL_REPLICAS_MAX
    {
        Detail::Full
    } else {
        Detail::Summary
    }
}

/// Lays out `shape` in a drawing `width` units wide (one unit = one CSS pixel on the page).
pub fn layout(shape: &Shape, width: f64) -> Layout {
    let width = width.max(300.0);
    let detail = detail_for(shape);
    // Client row: producers, the controller, consumers.
    let n_clients = shape.producers + 1 + shape.consumers;
    let (client_rects, clients_bottom) = flow_row(n_clients, width, MARGIN);
    let producers = client_rects[..shape.producers].to_vec();
    let controller = client_rects[shape.producers];
    let consumers = client_rects[shape.producers + 1..].to_vec();

    let brokers_top = clients_bottom + CLIENT_LANE_H;
    let racks_in_order = group_by_rack(&shape.brokers);
    let max_replicas = shape.brokers.iter().map(|b| b.replicas.len()).max().unwrap_or(0).max(1);
    let (w_min, w_max, box_h) = match detail {
        Detail::Full => {
            (BROKER_W_MIN, BROKER_W_MAX, BROKER_HEADER_H + max_replicas as f64 * REPLICA_ROW_H + BROKER_PAD)
        }
        Detail::Summary => (TILE_W_MIN, TILE_W_MAX, TILE_H),
    };
    let full_avail = width - 2.0 * MARGIN;
    let n_brokers = shape.brokers.len().max(1);
    // Most columns whose rows fit at the minimum width; a gutter is kept when there are several rows.
    let mut chosen = None;
    for cols in (1..=n_brokers).rev() {
        let rows = pack(&racks_in_order, cols);
        let avail = if rows.len() > 1 { full_avail - GUTTER_W } else { full_avail };
        if rows.iter().all(|r| row_width(r, w_min) <= avail) || cols == 1 {
            chosen = Some((rows, avail));
            break;
        }
    }
    let (rows, avail) = chosen.unwrap_or_else(|| (Vec::new(), full_avail));
    let mut box_w = w_max;
    for r in &rows {
        box_w = box_w.min(fit_width(r, avail));
    }
    let box_w = box_w.max(40.0);

    let mut brokers: Vec<Option<BrokerBox>> = vec![None; shape.brokers.len()];
    let mut racks = Vec::new();
    let mut y = brokers_top;
    let lane = match detail {
        Detail::Full => ARC_LANE_H,
        Detail::Summary => GAP,
    };
    let mut order = 0;
    for (row_idx, row) in rows.iter().enumerate() {
        let w = row_width(row, box_w);
        let mut x = MARGIN + ((avail - w) / 2.0).max(0.0);
        let rack_h = RACK_LABEL_H + 2.0 * RACK_PAD + box_h;
        for (rack_name, members) in row {
            let rack_w = members.len() as f64 * box_w + (members.len() as f64 - 1.0) * INNER_GAP + 2.0 * RACK_PAD;
            let labelled = !racks.iter().any(|r: &RackBox| r.name == *rack_name);
            racks.push(RackBox { name: rack_name.clone(), rect: Rect::new(x, y, rack_w, rack_h), labelled });
            let mut bx = x + RACK_PAD;
            for &i in members {
                let rect = Rect::new(bx, y + RACK_LABEL_H + RACK_PAD, box_w, box_h);
                let replicas = match detail {
                    Detail::Full => replica_boxes(&rect, &shape.brokers[i].replicas),
                    Detail::Summary => Vec::new(),
                };
                brokers[i] = Some(BrokerBox { id: shape.brokers[i].id, rect, row: row_idx, order, replicas });
                order += 1;
                bx += box_w + INNER_GAP;
            }
            x += rack_w + GAP;
        }
        y += rack_h + lane;
    }
    let brokers: Vec<BrokerBox> = brokers.into_iter().map(|b| b.expect("every broker is packed")).collect();
    let strip_cells = brokers
        .iter()
        .flat_map(|b| b.replicas.first())
        .map(|r| ((r.strip.w / STRIP_CELL_W_MIN).floor() as usize).clamp(STRIP_CELLS_MIN, STRIP_CELLS_MAX))
        .min()
        .unwrap_or(STRIP_CELLS_MAX);

    let mut heat = None;
    if detail == Detail::Summary && shape.partitions > 0 {
        let cell = if shape.partitions <= 1_500 {
            12.0
        } else if shape.partitions <= 6_000 {
            8.0
        } else {
            5.0
        };
        let cols = (((full_avail + 1.0) / (cell + 1.0)).floor() as usize).max(1);
        let n_rows = shape.partitions.div_ceil(cols);
        let top = y;
        let cells = (0..shape.partitions)
            .map(|i| {
                let (r, c) = (i / cols, i % cols);
                Rect::new(MARGIN + c as f64 * (cell + 1.0), top + HEAT_LABEL_H + r as f64 * (cell + 1.0), cell, cell)
            })
            .collect();
        let h = HEAT_LABEL_H + n_rows as f64 * (cell + 1.0);
        heat = Some(HeatMap { rect: Rect::new(MARGIN, top, full_avail, h), cell, cols, cells });
        y = top + h + GAP;
    }
    let height = y.max(clients_bottom + CLIENT_LANE_H) + MARGIN;
    Layout { width, height, detail, controller, producers, consumers, racks, brokers, strip_cells, heat }
}

/// `n` boxes in centred rows starting at `top`; returns them and the bottom of the last row.
fn flow_row(n: usize, width: f64, top: f64) -> (Vec<Rect>, f64) {
    let avail = width - 2.0 * MARGIN;
    let per_row = (((avail + GAP) / (CLIENT_W_MIN + GAP)).floor() as usize).clamp(1, n.max(1));
    let w = ((avail - (per_row as f64 - 1.0) * GAP) / per_row as f64).min(CLIENT_W_MAX);
    let mut rects = Vec::with_capacity(n);
    let mut y = top;
    for chunk_start in (0..n).step_by(per_row) {
        let k = per_row.min(n - chunk_start);
        // A single row spreads over the width (producers left, consumers right); later rows centre.
        let (x0, spacing) = if k == 1 {
            (MARGIN + (avail - w) / 2.0, 0.0)
        } else if n <= per_row {
            (MARGIN, (avail - w) / (k as f64 - 1.0))
        } else {
            let used = k as f64 * w + (k as f64 - 1.0) * GAP;
            (MARGIN + (avail - used) / 2.0, w + GAP)
        };
        for j in 0..k {
            rects.push(Rect::new(x0 + j as f64 * spacing, y, w, CLIENT_H));
        }
        y += CLIENT_H + GAP;
    }
    (rects, y - GAP)
}

/// Brokers grouped by rack: racks sorted by name, brokers in input order inside each.
fn group_by_rack(brokers: &[BrokerShape]) -> Vec<(String, Vec<usize>)> {
    let mut racks: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, b) in brokers.iter().enumerate() {
        match racks.binary_search_by(|(name, _)| name.as_str().cmp(&b.rack)) {
            Ok(at) => racks[at].1.push(i),
            Err(at) => racks.insert(at, (b.rack.clone(), vec![i])),
        }
    }
    racks
}

type Row = Vec<(String, Vec<usize>)>;

/// Packs racks into rows of at most `cols` brokers, keeping a rack together whenever it fits in a row.
fn pack(racks: &[(String, Vec<usize>)], cols: usize) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let mut used = 0;
    for (name, members) in racks {
        if members.len() > cols {
            // Too big for one row: it starts a row of its own and continues on the next ones.
            for chunk in members.chunks(cols) {
                rows.push(vec![(name.clone(), chunk.to_vec())]);
            }
            used = cols; // Nothing shares its last row, so the rack's brokers stay adjacent.
            continue;
        }
        if rows.is_empty() || used + members.len() > cols {
            rows.push(Vec::new());
            used = 0;
        }
        rows.last_mut().expect("a row").push((name.clone(), members.clone()));
        used += members.len();
    }
    rows
}

fn row_width(row: &Row, box_w: f64) -> f64 {
    let fixed: f64 = row.iter().map(|(_, m)| 2.0 * RACK_PAD + (m.len() as f64 - 1.0) * INNER_GAP).sum::<f64>()
        + (row.len() as f64 - 1.0).max(0.0) * GAP;
    let n: usize = row.iter().map(|(_, m)| m.len()).sum();
    fixed + n as f64 * box_w
}

/// The widest box width with which `row` fits in `avail`.
fn fit_width(row: &Row, avail: f64) -> f64 {
    let n: usize = row.iter().map(|(_, m)| m.len()).sum();
    let fixed = row_width(row, 0.0);
    (avail - fixed) / n.max(1) as f64
}

fn replica_boxes(broker: &Rect, partitions: &[String]) -> Vec<ReplicaBox> {
    partitions
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let rect = Rect::new(
                broker.x + BROKER_PAD,
                broker.y + BROKER_HEADER_H + i as f64 * REPLICA_ROW_H,
                broker.w - 2.0 * BROKER_PAD,
                REPLICA_ROW_H - 4.0,
            );
            let label_w = REPLICA_LABEL_W.min(rect.w * 0.5);
            let label = Rect::new(rect.x, rect.y, label_w, rect.h);
            let strip = Rect::new(rect.x + label_w + 4.0, rect.y + 3.0, rect.w - label_w - 8.0, rect.h - 6.0);
            ReplicaBox { partition: p.clone(), rect, label, strip }
        })
        .collect()
}

/// The shape of the cluster a view shows, and for each broker the indices of the partitions it has a
/// replica of (in the view's partition order): what the page's diagram and the runner's SVG lay out.
pub fn shape_of(view: &ClusterView) -> (Shape, Vec<Vec<usize>>) {
    let mut per_broker: Vec<Vec<usize>> = vec![Vec::new(); view.brokers.len()];
    let index: Map<BrokerId, usize> = map_from(view.brokers.iter().enumerate().map(|(i, b)| (b.id, i)));
    for (pi, p) in view.partitions.iter().enumerate() {
        for b in &p.replicas {
            if let Some(&i) = index.get(b) {
                per_broker[i].push(pi);
            }
        }
    }
    let shape = Shape {
        brokers: view
            .brokers
            .iter()
            .zip(&per_broker)
            .map(|(b, ps)| BrokerShape {
                id: b.id.0,
                rack: b.rack.clone(),
                replicas: ps.iter().map(|&pi| view.partitions[pi].name.clone()).collect(),
            })
            .collect(),
        producers: view.producers.len(),
        consumers: view.consumers.len(),
        partitions: view.partitions.len(),
    };
    (shape, per_broker)
}

/// Which broker holds which replica, folded into one number (FNV-1a over every partition's replica
/// ids): a reassignment changes the shape without changing any count.
pub fn assignment_sig(view: &ClusterView) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in &view.partitions {
        for b in p.replicas.iter().map(|b| b.0 as u64).chain([u64::MAX]) {
            h = (h ^ b).wrapping_mul(0x100_0000_01b3);
        }
    }
    h
}

impl Layout {
    pub fn broker(&self, id: u32) -> Option<&BrokerBox> {
        self.brokers.iter().find(|b| b.id == id)
    }

    /// The box of a node, if it is drawn.
    pub fn node_rect(&self, node: NodeKey) -> Option<Rect> {
        match node {
            NodeKey::Controller => Some(self.controller),
            NodeKey::Broker(id) => self.broker(id).map(|b| b.rect),
            NodeKey::Producer(i) => self.producers.get(i as usize).copied(),
            NodeKey::Consumer(i) => self.consumers.get(i as usize).copied(),
        }
    }

    /// The left edge of offset cell `i` of a strip (i may be `strip_cells`, the right end).
    pub fn cell_x(&self, strip: &Rect, i: usize) -> f64 {
        strip.x + strip.w * i as f64 / self.strip_cells.max(1) as f64
    }

    pub fn cell_w(&self, strip: &Rect) -> f64 {
        strip.w / self.strip_cells.max(1) as f64
    }

    /// The path a request takes from `from` to `to`: straight between a client (or the controller)
    /// and a broker, an arc between two brokers (below a row, or right of the rows).
    pub fn curve(&self, from: NodeKey, to: NodeKey) -> Option<Curve> {
        if from == to {
            return None;
        }
        match (from, to) {
            (NodeKey::Broker(x), NodeKey::Broker(y)) => {
                let (a, b) = (self.broker(x)?, self.broker(y)?);
                Some(self.broker_arc(a, b))
            }
            (NodeKey::Broker(_), _) => self.curve(to, from).map(|c| c.reversed()),
            (_, NodeKey::Broker(id)) => {
                let src = self.node_rect(from)?;
                let dst = self.broker(id)?.rect;
                let frac = clamp(src.cx() / self.width, 0.0, 1.0);
                let a = Point { x: src.cx(), y: src.bottom() };
                let b = Point { x: dst.x + dst.w * (0.2 + 0.6 * frac), y: dst.y };
                Some(Curve { a, c: Point { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 }, b })
            }
            _ => {
                // Client to client or to the controller: not a Kafka path, but draw it if asked.
                let (s, d) = (self.node_rect(from)?, self.node_rect(to)?);
                let a = Point { x: s.cx(), y: s.bottom() };
                let b = Point { x: d.cx(), y: d.bottom() };
                Some(Curve { a, c: Point { x: (a.x + b.x) / 2.0, y: a.y.max(b.y) + 14.0 }, b })
            }
        }
    }

    fn broker_arc(&self, a: &BrokerBox, b: &BrokerBox) -> Curve {
        let n = self.brokers.len().max(2) as f64 - 1.0;
        if a.row == b.row {
            let shift = 0.32 * (b.order as f64 - a.order as f64) / n.min(4.0);
            let shift = clamp(shift, -0.32, 0.32);
            let pa = Point { x: a.rect.x + a.rect.w * (0.5 + shift), y: a.rect.bottom() };
            let pb = Point { x: b.rect.x + b.rect.w * (0.5 - shift), y: b.rect.bottom() };
            let depth = (10.0 + 0.12 * (pa.x - pb.x).abs()).min(ARC_LANE_H - 8.0);
            let lane_depth = match self.detail {
                Detail::Full => depth,
                Detail::Summary => depth.min(GAP - 2.0),
            };
            Curve { a: pa, c: Point { x: (pa.x + pb.x) / 2.0, y: pa.y.max(pb.y) + 2.0 * lane_depth }, b: pb }
        } else {
            let shift = if a.order < b.order { 0.2 } else { -0.2 };
            let pa = Point { x: a.rect.right(), y: a.rect.y + a.rect.h * (0.5 + shift) };
            let pb = Point { x: b.rect.right(), y: b.rect.y + b.rect.h * (0.5 - shift) };
            let reach = (8.0 + 0.05 * (pa.y - pb.y).abs()).min(GUTTER_W - 6.0);
            let cx = (pa.x.max(pb.x) + 2.0 * reach).min(self.width - 2.0);
            Curve { a: pa, c: Point { x: cx, y: (pa.y + pb.y) / 2.0 }, b: pb }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(brokers: &[(u32, &str)], partitions: usize, rf: usize, clients: (usize, usize)) -> Shape {
        let mut bs: Vec<BrokerShape> = brokers
            .iter()
            .map(|(id, rack)| BrokerShape { id: *id, rack: rack.to_string(), replicas: vec![] })
            .collect();
        for p in 0..partitions {
            for r in 0..rf.min(bs.len()) {
                let i = (p + r) % bs.len();
                bs[i].replicas.push(format!("t-{p}"));
            }
        }
        Shape { brokers: bs, producers: clients.0, consumers: clients.1, partitions }
    }

    /// The geometric properties every layout must have.
    fn check(l: &Layout, s: &Shape) {
        let page = Rect::new(0.0, 0.0, l.width, l.height);
        let mut boxes: Vec<Rect> = vec![l.controller];
        boxes.extend(&l.producers);
        boxes.extend(&l.consumers);
        boxes.extend(l.brokers.iter().map(|b| b.rect));
        for (i, a) in boxes.iter().enumerate() {
            assert!(page.contains(a), "{a:?} outside the {}×{} drawing", l.width, l.height);
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
        for (i, a) in l.racks.iter().enumerate() {
            assert!(page.contains(&a.rect));
            for b in &l.racks[i + 1..] {
                assert!(!a.rect.overlaps(&b.rect), "racks {} and {} overlap", a.name, b.name);
            }
        }
        assert_eq!(l.brokers.len(), s.brokers.len());
        for (b, bs) in l.brokers.iter().zip(&s.brokers) {
            assert_eq!(b.id, bs.id);
            let rack = l.racks.iter().find(|r| r.name == bs.rack && r.rect.contains(&b.rect));
            assert!(rack.is_some(), "broker {} is not inside a box of rack {:?}", b.id, bs.rack);
            if l.detail == Detail::Full {
                assert_eq!(b.replicas.len(), bs.replicas.len());
                for (i, r) in b.replicas.iter().enumerate() {
                    assert!(b.rect.contains(&r.rect), "replica {} of broker {} sticks out", r.partition, b.id);
                    assert!(r.rect.contains(&r.strip) && r.rect.contains(&r.label));
                    assert!(!r.strip.overlaps(&r.label));
                    for q in &b.replicas[i + 1..] {
                        assert!(!r.rect.overlaps(&q.rect));
                    }
                }
            }
        }
    }

    /// Brokers of a rack are consecutive in reading order (row by row, left to right).
    fn check_racks_adjacent(l: &Layout, s: &Shape) {
        let mut order: Vec<&BrokerBox> = l.brokers.iter().collect();
        order.sort_by_key(|b| b.order);
        let racks: Vec<&str> = order
            .iter()
            .map(|b| s.brokers.iter().find(|x| x.id == b.id).expect("known broker").rack.as_str())
            .collect();
        for (i, r) in racks.iter().enumerate() {
            if let Some(last) = racks.iter().rposition(|x| x == r) {
                assert!(racks[i..=last].iter().all(|x| x == r), "rack {r} is split: {racks:?}");
            }
        }
        // And reading order is geometric order.
        for w in order.windows(2) {
            let (a, b) = (w[0].rect, w[1].rect);
            assert!(a.y < b.y - 1.0 || (a.y - b.y).abs() < 1e-6 && a.x < b.x, "{a:?} before {b:?}");
        }
    }

    #[test]
    fn default_scenario_is_full_detail_and_fits() {
        let s = shape(&[(1, "a"), (2, "b"), (3, "c")], 3, 3, (1, 1));
        for width in [360.0, 420.0, 768.0, 1000.0, 1600.0] {
            let l = layout(&s, width);
            assert_eq!(l.detail, Detail::Full);
            assert_eq!(l.brokers.iter().map(|b| b.replicas.len()).sum::<usize>(), 9);
            check(&l, &s);
            check_racks_adjacent(&l, &s);
            assert!(l.strip_cells >= STRIP_CELLS_MIN && l.strip_cells <= STRIP_CELLS_MAX);
        }
        // Wide: one row, three racks side by side.
        let l = layout(&s, 1000.0);
        assert!(l.brokers.iter().all(|b| b.row == 0));
        // 360 px: stacked.
        let l = layout(&s, 360.0);
        assert!(l.brokers.iter().map(|b| b.row).max() > Some(0));
    }

    #[test]
    fn brokers_of_one_rack_are_adjacent() {
        let s = shape(&[(1, "a"), (2, "b"), (3, "a"), (4, "c"), (5, "b"), (6, "a"), (7, "")], 6, 3, (2, 2));
        for width in [360.0, 700.0, 1000.0, 1400.0, 2400.0] {
            let l = layout(&s, width);
            check(&l, &s);
            check_racks_adjacent(&l, &s);
        }
    }

    #[test]
    fn a_rack_wider_than_a_row_wraps_without_mixing() {
        let brokers: Vec<(u32, &str)> = (1..=12).map(|i| (i, if i <= 9 { "big" } else { "small" })).collect();
        let s = shape(&brokers, 4, 2, (1, 1));
        for width in [360.0, 800.0, 1200.0] {
            let l = layout(&s, width);
            check(&l, &s);
            check_racks_adjacent(&l, &s);
        }
    }

    #[test]
    fn hundred_brokers_thousand_partitions_is_a_summary_that_fits() {
        let brokers: Vec<(u32, String)> = (0..100).map(|i| (i, format!("rack-{}", i % 3))).collect();
        let refs: Vec<(u32, &str)> = brokers.iter().map(|(i, r)| (*i, r.as_str())).collect();
        let s = shape(&refs, 1000, 3, (4, 4));
        for width in [360.0, 1280.0] {
            let l = layout(&s, width);
            assert_eq!(l.detail, Detail::Summary);
            check(&l, &s);
            check_racks_adjacent(&l, &s);
            // 33 brokers of a rack span several rows at these widths; the rack is still named once.
            assert!(l.racks.len() > 3, "racks span rows at width {width}");
            for name in ["rack-0", "rack-1", "rack-2"] {
                let labels = l.racks.iter().filter(|r| r.name == name && r.labelled).count();
                assert_eq!(labels, 1, "{name} labelled {labels} times at width {width}");
            }
            let heat = l.heat.as_ref().expect("a heat map");
            assert_eq!(heat.cells.len(), 1000);
            let page = Rect::new(0.0, 0.0, l.width, l.height);
            for (i, c) in heat.cells.iter().enumerate() {
                assert!(page.contains(c) && heat.rect.contains(c));
                if let Some(next) = heat.cells.get(i + 1) {
                    assert!(!c.overlaps(next));
                }
                for b in &l.brokers {
                    assert!(!c.overlaps(&b.rect));
                }
            }
        }
    }

    #[test]
    fn curves_join_their_nodes() {
        let s = shape(&[(1, "a"), (2, "b"), (3, "c"), (4, "a")], 3, 3, (2, 1));
        for width in [360.0, 1000.0] {
            let l = layout(&s, width);
            let nodes = [
                NodeKey::Controller,
                NodeKey::Broker(1),
                NodeKey::Broker(2),
                NodeKey::Broker(3),
                NodeKey::Broker(4),
                NodeKey::Producer(0),
                NodeKey::Producer(1),
                NodeKey::Consumer(0),
            ];
            for a in nodes {
                for b in nodes {
                    let Some(c) = l.curve(a, b) else {
                        assert_eq!(a, b);
                        continue;
                    };
                    let (ra, rb) = (l.node_rect(a).unwrap(), l.node_rect(b).unwrap());
                    let near = |p: Point, r: Rect| {
                        p.x >= r.x - 0.5 && p.x <= r.right() + 0.5 && p.y >= r.y - 0.5 && p.y <= r.bottom() + 0.5
                    };
                    assert!(near(c.point(0.0), ra), "{a:?}->{b:?} starts off its node");
                    assert!(near(c.point(1.0), rb), "{a:?}->{b:?} ends off its node");
                    let back = l.curve(b, a).unwrap();
                    let (p, q) = (c.point(0.25), back.point(0.75));
                    assert!((p.x - q.x).abs() < 1e-6 && (p.y - q.y).abs() < 1e-6, "{a:?}<->{b:?} differ");
                    for t in [0.0, 0.5, 1.0] {
                        let p = c.point(t);
                        assert!(p.x >= 0.0 && p.x <= l.width && p.y >= 0.0 && p.y <= l.height);
                    }
                }
            }
        }
    }

    #[test]
    fn strip_cells_divide_the_strip() {
        let s = shape(&[(1, "a"), (2, "b"), (3, "c")], 3, 3, (1, 1));
        let l = layout(&s, 1000.0);
        let strip = l.brokers[0].replicas[0].strip;
        assert!((l.cell_x(&strip, 0) - strip.x).abs() < 1e-9);
        assert!((l.cell_x(&strip, l.strip_cells) - strip.right()).abs() < 1e-9);
        assert!(l.cell_w(&strip) >= STRIP_CELL_W_MIN - 1e-9 || l.strip_cells == STRIP_CELLS_MIN);
    }

    #[test]
    fn two_digit_offsets_fit_their_cells_in_the_smallest_text_at_any_width() {
        // The default scenario's shape from a phone to a wide screen: offsets 10 to 99 are drawn in
        // 11 px text (the web layer draws a number only where it fits: digits × DIGIT_W + 2).
        let s = shape(&[(1, "a"), (2, "b"), (3, "c")], 3, 3, (1, 1));
        for width in [360.0, 600.0, 1000.0, 1680.0] {
            let l = layout(&s, width);
            for b in &l.brokers {
                for r in &b.replicas {
                    let cw = l.cell_w(&r.strip);
                    assert!(2.0 * DIGIT_W + 2.0 <= cw, "a {cw} px cell at {width} px");
                    assert!(r.strip.h >= TEXT_PX_MIN + 4.0, "the strip holds a line of text");
                }
            }
        }
    }

    #[test]
    fn fixed_formats_without_floats() {
        assert_eq!(fixed(12.345, 1), "12.3");
        assert_eq!(fixed(0.05, 2), "0.05");
        assert_eq!(fixed(-1.25, 1), "-1.3");
        assert_eq!(fixed(7.0, 0), "7");
        assert_eq!(fixed(1.5, 3), "1.500");
        assert_eq!(trimmed(12.0, 1), "12");
        assert_eq!(trimmed(0.25, 2), "0.25");
        assert_eq!(trimmed(0.5, 3), "0.5");
    }

    #[test]
    fn empty_cluster_does_not_panic() {
        let l = layout(&Shape::default(), 360.0);
        assert!(l.brokers.is_empty());
        assert!(l.height > 0.0);
    }
}
