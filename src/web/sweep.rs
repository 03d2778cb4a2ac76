//! The unclean-sweep notice (`page::sweep`) above the playground, with its jump button.

use super::dom::{el, Build, Cached};
use crate::engine::ClusterView;
use crate::page::sweep::sweep_notice;
use web_sys::Element;

pub struct SweepUi {
    text: Cached,
    jump: Cached,
    box_el: Element,
    /// When the sweep shown runs; `None` while hidden.
    at_ms: Option<u64>,
}

impl SweepUi {
    /// Hidden until a leaderless partition waits on the sweep. Not a live region: the text is
    /// announced by the election that follows, not by every redraw.
    pub fn new(parent: &Element) -> SweepUi {
        let box_el =
            el("div").with("id", "sweep-notice").with("class", "notice sweep").with("hidden", "").into_parent(parent);
        let text = el("span").with("class", "sweep-text").into_parent(&box_el);
        let jump = el("button").with("id", "jump-sweep").with("type", "button").into_parent(&box_el);
        SweepUi { text: Cached::new(text), jump: Cached::new(jump), box_el, at_ms: None }
    }

    /// When the sweep shown runs, if one is shown.
    pub fn at_ms(&self) -> Option<u64> {
        self.at_ms
    }

    pub fn update(&mut self, view: &ClusterView) {
        let notice = sweep_notice(view);
        let at_ms = notice.as_ref().map(|n| n.at_ms);
        if let Some(n) = &notice {
            self.text.set_text(&n.text);
            self.jump.set_text(&n.jump_label);
        }
        if at_ms.is_some() != self.at_ms.is_some() {
            let _ = match at_ms {
                Some(_) => self.box_el.remove_attribute("hidden"),
                None => self.box_el.set_attribute("hidden", ""),
            };
        }
        self.at_ms = at_ms;
    }
}
