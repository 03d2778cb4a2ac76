//! Small DOM helpers. Text reaches the DOM only through `textContent` and attribute setters: nothing
//! here (or anywhere in `src/web`) parses markup.

use crate::engine::Map;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

pub const SVG_NS: &str = "http://www.w3.org/2000/svg";

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

pub fn document() -> Document {
    window().document().expect("a document")
}

pub fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// A new HTML element. (Not `expect`: its message prints the `JsValue` with `{:?}`, which brings
/// wasm-bindgen's debug printer, Rust and JavaScript, into the bundle.)
pub fn el(tag: &str) -> Element {
    document().create_element(tag).unwrap_or_else(|_| panic!("createElement {tag}"))
}

/// A new SVG element.
pub fn svg(tag: &str) -> Element {
    document().create_element_ns(Some(SVG_NS), tag).unwrap_or_else(|_| panic!("createElementNS {tag}"))
}

/// Chainable construction: `el("div").with("class", "x").text("hello").into_parent(&p)`.
pub trait Build: Sized {
    fn with(self, name: &str, value: &str) -> Self;
    fn text(self, text: &str) -> Self;
    fn child(self, child: &Element) -> Self;
    fn into_parent(self, parent: &Element) -> Self;
}

impl Build for Element {
    fn with(self, name: &str, value: &str) -> Self {
        let _ = self.set_attribute(name, value);
        self
    }
    fn text(self, text: &str) -> Self {
        self.set_text_content(Some(text));
        self
    }
    fn child(self, child: &Element) -> Self {
        let _ = self.append_child(child);
        self
    }
    fn into_parent(self, parent: &Element) -> Self {
        let _ = parent.append_child(&self);
        self
    }
}

pub fn html(el: &Element) -> &HtmlElement {
    el.unchecked_ref::<HtmlElement>()
}

/// An element that remembers what it was last given, so a frame only touches what changed.
pub struct Cached {
    pub el: Element,
    attrs: Vec<(&'static str, String)>,
    text: Option<String>,
}

impl Cached {
    pub fn new(el: Element) -> Cached {
        Cached { el, attrs: Vec::new(), text: None }
    }

    /// Sets an attribute if its value changed since the last call.
    pub fn set(&mut self, name: &'static str, value: &str) {
        match self.attrs.iter_mut().find(|(n, _)| *n == name) {
            Some((_, old)) if old == value => {}
            Some((_, old)) => {
                old.clear();
                old.push_str(value);
                let _ = self.el.set_attribute(name, value);
            }
            None => {
                self.attrs.push((name, value.to_string()));
                let _ = self.el.set_attribute(name, value);
            }
        }
    }

    /// A number with one decimal (coordinates).
    pub fn num(&mut self, name: &'static str, value: f64) {
        self.set(name, &fmt1(value));
    }

    pub fn set_text(&mut self, text: &str) {
        if self.text.as_deref() != Some(text) {
            self.el.set_text_content(Some(text));
            self.text = Some(text.to_string());
        }
    }

    /// Shows or hides an SVG or HTML element.
    pub fn show(&mut self, visible: bool) {
        self.set("display", if visible { "inline" } else { "none" });
    }
}

/// `12.5`, `12` (no trailing `.0`).
pub fn fmt1(v: f64) -> String {
    crate::layout::trimmed(v, 1)
}

/// Elements keyed by `K` under one parent: created on first use, removed when a frame no longer
/// asks for them.
pub struct Keyed<K: Ord + Clone> {
    pub parent: Element,
    items: Map<K, (Cached, u32)>,
    generation: u32,
}

impl<K: Ord + Clone> Keyed<K> {
    pub fn new(parent: Element) -> Self {
        Keyed { parent, items: Map::new(), generation: 0 }
    }

    pub fn begin(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }

    pub fn get(&mut self, key: &K, make: impl FnOnce() -> Element) -> &mut Cached {
        let generation = self.generation;
        let entry = self.items.entry(key.clone()).or_insert_with(|| {
            let el = make();
            let _ = self.parent.append_child(&el);
            (Cached::new(el), generation)
        });
        entry.1 = generation;
        &mut entry.0
    }

    /// Removes what this frame did not ask for.
    pub fn end(&mut self) {
        let generation = self.generation;
        self.items.retain(|_, (c, g)| {
            if *g != generation {
                c.el.remove();
            }
            *g == generation
        });
    }

    pub fn clear(&mut self) {
        for (c, _) in self.items.values() {
            c.el.remove();
        }
        self.items.clear();
    }
}

/// Rows of a table body (or items of a list) reused by index; cells change only when their text does.
pub struct Rows {
    pub body: Element,
    row_tag: &'static str,
    cell_tag: &'static str,
    rows: Vec<(Cached, Vec<Cached>)>,
}

impl Rows {
    pub fn new(body: Element, row_tag: &'static str, cell_tag: &'static str) -> Rows {
        Rows { body, row_tag, cell_tag, rows: Vec::new() }
    }

    /// Makes the body show `data`, one row per entry; returns the row elements for extra attributes.
    pub fn set(&mut self, data: &[Vec<String>]) -> &mut [(Cached, Vec<Cached>)] {
        while self.rows.len() > data.len() {
            if let Some((row, _)) = self.rows.pop() {
                row.el.remove();
            }
        }
        for (i, cells) in data.iter().enumerate() {
            if i == self.rows.len() {
                let row = el(self.row_tag).into_parent(&self.body);
                self.rows.push((Cached::new(row), Vec::new()));
            }
            let (row, row_cells) = &mut self.rows[i];
            while row_cells.len() > cells.len() {
                if let Some(c) = row_cells.pop() {
                    c.el.remove();
                }
            }
            for (j, text) in cells.iter().enumerate() {
                if j == row_cells.len() {
                    let tag = if self.cell_tag.is_empty() { "span" } else { self.cell_tag };
                    row_cells.push(Cached::new(el(tag).into_parent(&row.el)));
                }
                row_cells[j].set_text(text);
            }
        }
        &mut self.rows
    }
}
