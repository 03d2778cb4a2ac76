//! Wiring: the event listeners a playground adds (and removes when it goes), the
//! `requestAnimationFrame` loop, and what clicks and keys do outside the forms: select what was
//! clicked, open and close the broker menu, the keyboard shortcuts.

use super::App;
use crate::page::forms::LinkChange;
use crate::page::roving::{self, Ends};
use crate::web::dom::{self, html, Build};
use crate::web::Selection;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, EventTarget, HtmlSelectElement, KeyboardEvent, MouseEvent};

/// An event listener a playground added to an element (or the document).
pub(super) struct Listener {
    target: EventTarget,
    event: &'static str,
    closure: Closure<dyn FnMut(Event)>,
}

impl Listener {
    pub(super) fn remove(&self) {
        let _ = self.target.remove_event_listener_with_callback(self.event, self.closure.as_ref().unchecked_ref());
    }
}

/// Adds a listener that the playground owns. Handlers hold the playground weakly: it is freed when
/// its last handle goes, and its `Drop` removes the listeners (nothing is left behind when the page
/// switches scenarios).
fn listen(app: &Rc<RefCell<App>>, target: &EventTarget, event: &'static str, body: impl FnMut(Event) + 'static) {
    let closure = Closure::<dyn FnMut(Event)>::new(body);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    app.borrow_mut().lifecycle.listeners.push(Listener { target: target.clone(), event, closure });
}

/// Calls `f` on the playground for each `event` on `target`; an event that arrives while the
/// playground is busy (re-entrant) is dropped.
pub(super) fn on<E: JsCast + 'static>(
    target: &EventTarget,
    event: &'static str,
    app: &Rc<RefCell<App>>,
    f: fn(&mut App, E),
) {
    let weak = Rc::downgrade(app);
    listen(app, target, event, move |e: Event| {
        if let Some(app) = weak.upgrade() {
            if let Ok(mut a) = app.try_borrow_mut() {
                f(&mut a, e.unchecked_into());
            }
        }
    });
}

fn by_id(root: &Element, id: &str) -> Option<Element> {
    root.query_selector(&format!("#{id}")).ok().flatten()
}

/// Adds every listener of the playground.
pub(super) fn wire(app: &Rc<RefCell<App>>) {
    wire_header(app);
    wire_forms(app);
    wire_views(app);
    wire_travel(app);
    let (root, global) = {
        let a = app.borrow();
        (a.root.clone(), a.options.global_listeners)
    };
    if global {
        on::<KeyboardEvent>(&dom::document(), "keydown", app, |a, e| a.on_key(&e));
    }
    if let Some(s) = by_id(&root, "scenario-select") {
        on::<Event>(&s, "change", app, |a, e| {
            let Some(name) = target_el(&e).map(|t| t.unchecked_into::<HtmlSelectElement>().value()) else { return };
            a.load_scenario(name);
        });
    }
}

/// The clock's controls, Reset and help.
fn wire_header(app: &Rc<RefCell<App>>) {
    let (root, play, speed) = {
        let a = app.borrow();
        (a.root.clone(), a.ui.clock.play.clone(), a.ui.clock.speed.clone())
    };
    on::<Event>(&play, "click", app, |a, _| {
        let p = !a.clock.playing();
        a.set_playing(p);
    });
    if let Some(jump) = by_id(&root, "jump-sweep") {
        on::<Event>(&jump, "click", app, |a, _| a.jump_to_sweep());
    }
    if let Some(start) = by_id(&root, "start") {
        on::<Event>(&start, "click", app, |a, _| a.set_playing(true));
    }
    if let Some(step) = by_id(&root, "step") {
        on::<Event>(&step, "click", app, |a, _| a.step());
    }
    on::<Event>(&speed, "input", app, |a, _| a.on_speed_input());
    on::<Event>(&speed, "change", app, |a, _| a.on_speed_input());
    if let Some(b) = by_id(&root, "reset") {
        on::<Event>(&b, "click", app, |a, _| a.restart());
    }
    if let Some(b) = by_id(&root, "help-button") {
        on::<Event>(&b, "click", app, |a, _| a.toggle_help());
    }
    // The skip link moves the focus itself: following `#controls` would put it in the URL's
    // fragment, which the page reads as its options on the next load.
    if let Some(skip) = by_id(&root, "skip-to-controls") {
        on::<Event>(&skip, "click", app, |a, e| {
            e.prevent_default();
            if let Some(controls) = by_id(&a.root, "controls") {
                let _ = html(&controls).focus();
            }
        });
    }
}

/// The forms' submits and the controls that act on change.
fn wire_forms(app: &Rc<RefCell<App>>) {
    let (root, rack, config_topic) = {
        let a = app.borrow();
        (a.root.clone(), a.ui.consume.rack.clone(), a.ui.config.topic.clone())
    };
    if let Some(t) = by_id(&root, "produce-topic") {
        on::<Event>(&t, "change", app, |a, _| {
            if let Some(v) = a.view.take() {
                a.update_topics(&v);
                a.view = Some(v);
            }
        });
    }
    for (id, f) in [
        ("produce-form", App::on_produce as fn(&mut App)),
        ("consume-form", App::on_consume),
        ("group-form", App::on_join_group),
        ("topic-form", App::on_create_topic),
        ("config-form", App::on_config),
        ("reconfigure-form", App::on_reconfigure),
        ("reassign-form", App::on_reassign),
    ] {
        if let Some(form) = by_id(&root, id) {
            let weak = Rc::downgrade(app);
            listen(app, &form, "submit", move |e: Event| {
                // Never the browser's own submit (a page load). After `dispose` the forms are out of
                // the document, where they cannot submit.
                e.prevent_default();
                if let Some(app) = weak.upgrade() {
                    if let Ok(mut a) = app.try_borrow_mut() {
                        f(&mut a);
                    }
                }
            });
        }
    }
    if let Some(b) = by_id(&root, "link-cut") {
        on::<Event>(&b, "click", app, |a, _| a.on_link(LinkChange::Cut));
    }
    if let Some(b) = by_id(&root, "link-heal") {
        on::<Event>(&b, "click", app, |a, _| a.on_link(LinkChange::Heal));
    }
    if let Some(b) = by_id(&root, "elect-preferred") {
        on::<Event>(&b, "click", app, |a, _| a.on_elect_preferred());
    }
    if let Some(b) = by_id(&root, "add-broker") {
        on::<Event>(&b, "click", app, |a, _| a.on_add_broker());
    }
    // The group form's member buttons, by their `data-group-action`.
    if let Some(f) = by_id(&root, "group-form") {
        on::<Event>(&f, "click", app, |a, e| {
            if let Some(action) = target_el(&e).and_then(|t| t.get_attribute("data-group-action")) {
                a.on_group_action(&action);
            }
        });
    }
    if let Some(b) = by_id(&root, "reassign-cancel") {
        on::<Event>(&b, "click", app, |a, _| a.on_cancel_reassignment());
    }
    on::<Event>(&rack, "change", app, |a, _| {
        // Its answer is shown beside the form.
        let _ = a.on_rack();
    });
    on::<Event>(&config_topic, "change", app, |a, _| a.on_config_topic());
}

/// The diagram, the event log, the partition table and the broker menu.
fn wire_views(app: &Rc<RefCell<App>>) {
    let (root, svg, event_log, menu, hide_routine, show_replication) = {
        let a = app.borrow();
        let ui = &a.ui;
        let checks = (ui.hide_routine.clone(), ui.show_replication.clone());
        (a.root.clone(), a.diagram.svg.clone(), ui.event_log.clone(), ui.menu.root.clone(), checks.0, checks.1)
    };
    let (st_svg, st_inputs) = (app.borrow().spacetime.svg.clone(), app.borrow().spacetime.inputs());
    for input in &st_inputs {
        on::<Event>(input, "change", app, |a, _| a.render());
    }
    on::<Event>(&st_svg, "pointerover", app, |a, e| {
        if let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
            a.spacetime.point_at(&target);
        }
    });
    on::<Event>(&hide_routine, "change", app, |a, _| {
        let hide = a.ui.hide_routine.checked();
        a.log.set_hide_routine(hide);
        a.rebuild_log();
    });
    let (copy, copy_embed) = (app.borrow().ui.share.copy.clone(), app.borrow().ui.share.copy_embed.clone());
    on::<MouseEvent>(&copy, "click", app, |a, _| a.on_copy_link(false));
    on::<MouseEvent>(&copy_embed, "click", app, |a, _| a.on_copy_link(true));
    let export = app.borrow().ui.share.export_button.clone();
    on::<MouseEvent>(&export, "click", app, |a, _| a.on_export());
    let close: Element = app.borrow().details.close_button().clone().into();
    on::<MouseEvent>(&close, "click", app, |a, _| a.close_selection());
    on::<Event>(&show_replication, "change", app, |a, _| {
        let show = a.ui.show_replication.checked();
        a.log.set_show_replication(show, &a.engine);
        a.rebuild_log();
    });
    on::<MouseEvent>(&svg, "click", app, |a, e| a.on_diagram_click(&e));
    on::<KeyboardEvent>(&svg, "keydown", app, |a, e| a.on_diagram_key(&e));
    on::<MouseEvent>(&event_log, "click", app, |a, e| a.on_log_click(&e));
    on::<KeyboardEvent>(&event_log, "keydown", app, |a, e| a.on_log_key(&e));
    if let Some(parts) = root.query_selector(".parts").ok().flatten() {
        on::<MouseEvent>(&parts, "click", app, |a, e| a.on_partition_row(&e));
        on::<KeyboardEvent>(&parts, "keydown", app, |a, e| {
            if e.key() == "Enter" {
                a.on_partition_row(e.unchecked_ref());
            }
        });
    }
    on::<MouseEvent>(&menu, "click", app, |a, e| {
        if let Some((_, action)) = closest_attr(e.unchecked_ref(), "data-action") {
            a.on_menu_action(&action);
        }
    });
    on::<KeyboardEvent>(&menu, "keydown", app, |a, e| {
        if e.key() == "Escape" {
            a.close_menu(true);
        }
    });
    // A click outside the menu closes it.
    on::<MouseEvent>(&root, "click", app, |a, e| {
        if a.menu.broker.is_some() {
            let inside = target_el(&e)
                .is_some_and(|t| t.closest("#broker-menu, [data-broker], [data-node]").ok().flatten().is_some());
            if !inside {
                a.close_menu(false);
            }
        }
    });
}

/// The time slider, its marks and buttons, the branch list and Compare (`travel.rs`).
fn wire_travel(app: &Rc<RefCell<App>>) {
    let (slider, strip, back, forward, now, list, compare) = {
        let t = &app.borrow().travel.ui;
        (
            t.slider.clone(),
            t.strip.clone(),
            t.back.clone(),
            t.forward.clone(),
            t.now.clone(),
            t.branch_list.clone(),
            t.compare.clone(),
        )
    };
    on::<Event>(&slider, "input", app, |a, _| {
        let t = a.travel.ui.slider.value_as_number();
        a.seek_to(if t > 0.0 { t as u64 } else { 0 });
    });
    on::<MouseEvent>(&strip, "click", app, |a, e| a.on_strip_click(&e));
    on::<Event>(&back, "click", app, |a, _| a.step_event(false));
    on::<Event>(&forward, "click", app, |a, _| a.step_event(true));
    on::<Event>(&now, "click", app, |a, _| a.back_to_now());
    on::<Event>(&compare, "click", app, |a, _| a.on_compare());
    on::<MouseEvent>(&list, "click", app, |a, e| {
        if let Some(i) = closest_attr(e.unchecked_ref(), "data-branch").and_then(|(_, v)| v.parse().ok()) {
            a.switch_branch(i);
        }
    });
}

/// Runs `App::frame` on every animation frame until the playground stops or goes. The callback
/// lives in the App (which cancels the pending request when it goes) and holds it weakly.
pub(super) fn start_loop(app: &Rc<RefCell<App>>) {
    let weak = Rc::downgrade(app);
    let callback = Closure::<dyn FnMut(f64)>::new(move |ts: f64| {
        let Some(app) = weak.upgrade() else { return };
        let Ok(mut a) = app.try_borrow_mut() else { return };
        a.lifecycle.frame_request = None;
        if !a.lifecycle.stopped {
            a.frame(ts);
            a.request_frame();
        }
    });
    let mut a = app.borrow_mut();
    a.lifecycle.frame_callback = Some(callback);
    a.request_frame();
}

fn target_el(e: &Event) -> Option<Element> {
    e.target().and_then(|t| t.dyn_into::<Element>().ok())
}

/// Keeps the event log's one tab stop (`tabindex="0"`; the other lines have `-1`, `page::roving`):
/// on the newest line until the person moves it (arrows, a click) or is in the list, then where
/// they left it, or on the newest line again if theirs was trimmed away.
pub(super) fn keep_one_tab_stop(list: &Element) {
    let Some(first) = list.first_element_child() else { return };
    let current = list.query_selector(":scope > [tabindex='0']").ok().flatten();
    let focus_inside = dom::document().active_element().is_some_and(|a| list.contains(Some(&a)));
    match current {
        Some(c) if list.has_attribute("data-stop-moved") || focus_inside || c.is_same_node(Some(&first)) => {}
        _ => move_tab_stop(list, &first),
    }
}

/// Moves the list's tab stop to `item` (one of its children).
fn move_tab_stop(list: &Element, item: &Element) {
    // Away from the newest line the stop stays put; back on it (Home), it follows the newest again.
    if list.first_element_child().is_some_and(|f| f.is_same_node(Some(item))) {
        let _ = list.remove_attribute("data-stop-moved");
    } else {
        let _ = list.set_attribute("data-stop-moved", "");
    }
    if let Ok(Some(old)) = list.query_selector(":scope > [tabindex='0']") {
        let _ = old.set_attribute("tabindex", "-1");
    }
    let _ = item.set_attribute("tabindex", "0");
}

/// The nearest element at or above the event's target that has `attr`, and its value.
fn closest_attr(e: &Event, attr: &str) -> Option<(Element, String)> {
    let t = target_el(e)?;
    let found = t.closest(&format!("[{attr}]")).ok().flatten()?;
    let value = found.get_attribute(attr)?;
    Some((found, value))
}

impl App {
    pub(super) fn request_frame(&mut self) {
        if let Some(callback) = &self.lifecycle.frame_callback {
            self.lifecycle.frame_request =
                dom::window().request_animation_frame(callback.as_ref().unchecked_ref()).ok();
        }
    }

    /// Cancels the pending frame and removes every listener this playground added. A listener
    /// dropped while it runs (a Reset click) is freed by wasm-bindgen when it returns.
    pub(super) fn detach(&mut self) {
        if let Some(id) = self.lifecycle.frame_request.take() {
            let _ = dom::window().cancel_animation_frame(id);
        }
        self.lifecycle.frame_callback = None;
        for l in self.lifecycle.listeners.drain(..) {
            l.remove();
        }
    }

    // ---------------------------------------------------------------- diagram and menu

    fn on_diagram_click(&mut self, e: &MouseEvent) {
        let ev: &Event = e.unchecked_ref();
        // A click on a replica (or anything else inside a broker that can be selected) inspects it,
        // as the help says; only a click on the broker itself opens the broker's actions.
        if self.select_from(ev) {
            if let Some((el, _)) = closest_attr(ev, "data-node") {
                let r = el.get_bounding_client_rect();
                self.open_controller_menu(r.left() + 16.0, r.top() + 28.0);
            }
            self.render();
            return;
        }
        if let Some((el, id)) = closest_attr(ev, "data-broker") {
            if let Ok(id) = id.parse::<u32>() {
                self.selection = Selection::Broker(id);
                let (x, y) = if e.client_x() == 0 && e.client_y() == 0 {
                    let r = el.get_bounding_client_rect();
                    (r.left() + r.width() / 2.0, r.top() + 24.0)
                } else {
                    (e.client_x() as f64, e.client_y() as f64)
                };
                self.open_menu(id, x, y);
            }
        }
        self.render();
    }

    /// Selects the replica, client, partition or controller under the event; false if none.
    fn select_from(&mut self, e: &Event) -> bool {
        let found = closest_attr(e, "data-replica")
            .and_then(|(_, v)| Selection::from_replica_key(&v))
            .or_else(|| closest_attr(e, "data-client").and_then(|(_, v)| Selection::from_client_key(&v)))
            .or_else(|| closest_attr(e, "data-partition").map(|(_, v)| Selection::Partition(v)))
            .or_else(|| closest_attr(e, "data-node").map(|_| Selection::Controller));
        match found {
            Some(s) => {
                self.selection = s;
                true
            }
            None => false,
        }
    }

    fn on_diagram_key(&mut self, e: &KeyboardEvent) {
        if e.key() != "Enter" && e.key() != " " {
            return;
        }
        let ev: &Event = e.unchecked_ref();
        if closest_attr(ev, "data-replica").is_none() {
            if let Some((el, id)) = closest_attr(ev, "data-broker") {
                e.prevent_default();
                if let Ok(id) = id.parse::<u32>() {
                    self.selection = Selection::Broker(id);
                    let r = el.get_bounding_client_rect();
                    self.open_menu(id, r.left() + 16.0, r.top() + 28.0);
                    self.render();
                }
                return;
            }
        }
        if self.select_from(ev) {
            e.prevent_default();
            if let Some((el, _)) = closest_attr(ev, "data-node") {
                let r = el.get_bounding_client_rect();
                self.open_controller_menu(r.left() + 16.0, r.top() + 28.0);
            }
            self.render();
        }
    }

    /// Opens the menu for the controller quorum: an item per separate voter, crash or restart
    /// (`page::quorum`); the broker items hide meanwhile.
    fn open_controller_menu(&mut self, x: f64, y: f64) {
        let Some(items) = self.view.as_ref().map(|v| crate::page::quorum::menu_items(&v.controller)) else { return };
        if items.is_empty() {
            return;
        }
        self.open_menu(0, x, y);
        self.menu.controller = true;
        let menu = self.ui.menu.root.clone();
        let _ = menu.set_attribute("aria-label", "Actions for the controller quorum");
        self.ui.menu.title.set_text_content(Some("Controller quorum"));
        if let Ok(buttons) = menu.query_selector_all("[data-action]") {
            for i in 0..buttons.length() {
                if let Some(b) = buttons.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    if b.get_attribute("data-action").as_deref() != Some("select") {
                        let _ = b.set_attribute("hidden", "");
                    }
                }
            }
        }
        let note = menu.query_selector(".menu-note").ok().flatten();
        for (action, text) in items {
            let b = dom::el("button")
                .with("type", "button")
                .with("role", "menuitem")
                .with("class", "controller-item")
                .with("data-action", &action)
                .text(&text);
            let _ = menu.insert_before(&b, note.as_ref().map(|n| n.unchecked_ref::<web_sys::Node>()));
        }
    }

    /// Opens the broker menu at (x, y) in the viewport, kept on screen; the clock holds meanwhile.
    fn open_menu(&mut self, broker: u32, x: f64, y: f64) {
        if self.menu.broker.is_none() {
            self.menu.resume_after = self.clock.playing();
            if self.clock.playing() {
                self.set_playing(false);
            }
        }
        self.menu.broker = Some(broker);
        let menu = self.ui.menu.root.clone();
        let _ = menu.remove_attribute("hidden");
        let _ = menu.set_attribute("data-broker-id", &broker.to_string());
        let _ = menu.set_attribute("aria-label", &format!("Actions for broker {broker}"));
        self.ui.menu.title.set_text_content(Some(&format!("Broker {broker}")));
        // Keep it on screen: measure it where it would go, then clamp to the viewport.
        let win = dom::window();
        let vw = win.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(1000.0);
        let vh = win.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(800.0);
        // Through the CSSOM: the page's Content-Security-Policy (style-src 'self') refuses style
        // attributes.
        let style = html(&menu).style();
        style.set_css_text("left:0px;top:0px");
        let size = menu.get_bounding_client_rect();
        let (w, h) = (size.width().max(200.0), size.height().max(150.0));
        let left = (x + 8.0).min(vw - w - 4.0).max(4.0);
        let top = if y + 8.0 + h <= vh - 4.0 { y + 8.0 } else { (y - h - 8.0).max(4.0).min((vh - h - 4.0).max(4.0)) };
        style.set_css_text(&format!("left:{}px;top:{}px", crate::layout::fixed(left, 0), crate::layout::fixed(top, 0)));
        if let Some(v) = self.view.take() {
            self.update_menu(&v);
            self.view = Some(v);
        }
        // The focus goes to "Show details", never to a destructive action (ARIA menu pattern: the
        // first item; the arrow keys move from there).
        if let Ok(Some(first)) = menu.query_selector("[data-action=select]") {
            let _ = html(&first).focus();
        }
    }

    /// Arrow keys, Home and End in the open broker menu move the focus among its enabled items
    /// (wrapping), as the ARIA menu pattern has it. `true` if the key was the menu's.
    fn on_menu_key(&mut self, key: &str) -> bool {
        let Ok(items) = self.ui.menu.root.query_selector_all("[role=menuitem]:not([disabled])") else { return false };
        let items: Vec<web_sys::HtmlElement> =
            (0..items.length()).filter_map(|i| items.item(i)).filter_map(|n| n.dyn_into().ok()).collect();
        if items.is_empty() {
            return false;
        }
        let active = dom::document().active_element();
        let at = items.iter().position(|i| active.as_ref().is_some_and(|a| a.is_same_node(Some(i))));
        let next = match (key, at) {
            // Left and right have no meaning in a menu without submenus (and must not step the clock).
            ("ArrowLeft" | "ArrowRight", Some(i)) => i,
            _ => match roving::target(key, at, items.len(), Ends::Wrap) {
                Some(next) => next,
                None => return false,
            },
        };
        let _ = items[next].focus();
        true
    }

    /// Closes the broker menu (the clock plays again if it did); `refocus` puts the focus back on
    /// the broker.
    /// Closes the selection's sheet: nothing selected, and the focus back on what was.
    pub(super) fn close_selection(&mut self) {
        let selected = self
            .diagram
            .svg
            .query_selector("[data-replica].selected, [data-broker].selected, .selected")
            .ok()
            .flatten();
        self.selection = Selection::None;
        self.render();
        match selected.as_ref().and_then(|e| e.dyn_ref::<web_sys::SvgElement>()) {
            Some(e) => {
                let _ = e.focus();
            }
            None => {
                let _ = self.diagram.svg.unchecked_ref::<web_sys::SvgElement>().focus();
            }
        }
    }

    pub(super) fn close_menu(&mut self, refocus: bool) {
        let Some(id) = self.menu.broker.take() else { return };
        let _ = self.ui.menu.root.set_attribute("hidden", "");
        if std::mem::take(&mut self.menu.controller) {
            self.close_controller_menu(refocus);
            if self.menu.resume_after {
                self.set_playing(true);
            }
            self.menu.resume_after = false;
            return;
        }
        if self.menu.resume_after {
            self.set_playing(true);
        }
        self.menu.resume_after = false;
        if refocus {
            if let Ok(Some(g)) = self.diagram.svg.query_selector(&format!("[data-broker=\"{id}\"]")) {
                let _ = g.unchecked_ref::<web_sys::SvgElement>().focus();
            }
        }
    }

    /// Takes the voters' items out and shows the broker items again.
    fn close_controller_menu(&mut self, refocus: bool) {
        let menu = &self.ui.menu.root;
        if let Ok(items) = menu.query_selector_all(".controller-item") {
            for i in 0..items.length() {
                if let Some(n) = items.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    n.remove();
                }
            }
        }
        if let Ok(buttons) = menu.query_selector_all("[data-action]") {
            for i in 0..buttons.length() {
                if let Some(b) = buttons.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    let _ = b.remove_attribute("hidden");
                }
            }
        }
        if refocus {
            if let Ok(Some(g)) = self.diagram.svg.query_selector("[data-node]") {
                let _ = g.unchecked_ref::<web_sys::SvgElement>().focus();
            }
        }
    }

    fn toggle_help(&mut self) {
        let d: &web_sys::HtmlDialogElement = self.ui.help.unchecked_ref();
        if d.open() {
            d.close();
        } else {
            let _ = d.show_modal();
        }
    }

    fn on_key(&mut self, e: &KeyboardEvent) {
        if !self.root.is_connected() || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        let target = target_el(e.unchecked_ref());
        let tag = target.as_ref().map(|t| t.tag_name().to_ascii_lowercase()).unwrap_or_default();
        let in_field = matches!(tag.as_str(), "input" | "select" | "textarea");
        let on_button = tag == "button"
            || tag == "summary"
            || target.as_ref().is_some_and(|t| t.get_attribute("role").as_deref() == Some("button"));
        let key = e.key();
        if key == "Escape" {
            if self.menu.broker.is_some() {
                self.close_menu(true);
            } else if self.details.is_sheet() {
                self.close_selection();
            }
            return;
        }
        let in_menu = target.as_ref().is_some_and(|t| t.closest("#broker-menu").ok().flatten().is_some());
        if in_menu && self.menu.broker.is_some() && self.on_menu_key(&key) {
            e.prevent_default();
            return;
        }
        if in_field || self.ui.help.unchecked_ref::<web_sys::HtmlDialogElement>().open() && key != "?" {
            return;
        }
        match key.as_str() {
            " " | "Spacebar" if !on_button => {
                e.prevent_default();
                let p = !self.clock.playing();
                self.set_playing(p);
            }
            "ArrowRight" => {
                e.prevent_default();
                self.step();
            }
            "?" => {
                e.prevent_default();
                self.toggle_help();
            }
            "[" | "]" | "l" | "L" => {
                e.prevent_default();
                self.on_travel_key(&key);
            }
            "+" | "=" => self.nudge_speed(crate::page::speed::faster),
            "-" | "_" => self.nudge_speed(crate::page::speed::slower),
            _ => {}
        }
    }

    // ---------------------------------------------------------------- event log and table

    /// The event log's keys: the arrows, Home and End move its one tab stop (`page::roving`);
    /// Enter and Space show what the line is about, as a click does (and Space does not play).
    fn on_log_key(&mut self, e: &KeyboardEvent) {
        let key = e.key();
        if key == "Enter" || key == " " {
            e.prevent_default();
            e.stop_propagation();
            self.on_log_click(e.unchecked_ref());
            return;
        }
        let list = self.ui.event_log.clone();
        let Ok(lines) = list.query_selector_all(":scope > li") else { return };
        let len = lines.length() as usize;
        let line = target_el(e.unchecked_ref()).and_then(|t| t.closest("li").ok().flatten());
        let at = line.and_then(|l| (0..len).find(|&i| lines.item(i as u32).is_some_and(|c| c.is_same_node(Some(&l)))));
        let Some(next) = roving::target(&key, at, len, Ends::Stop) else { return };
        e.prevent_default();
        if let Some(line) = lines.item(next as u32).and_then(|n| n.dyn_into::<Element>().ok()) {
            move_tab_stop(&list, &line);
            let _ = html(&line).focus();
        }
    }

    fn on_log_click(&mut self, e: &MouseEvent) {
        // The line clicked becomes the log's tab stop, as if the arrows had moved there.
        if let Some(line) = target_el(e.unchecked_ref()).and_then(|t| t.closest("#event-log > li").ok().flatten()) {
            move_tab_stop(&self.ui.event_log, &line);
        }
        let Some((_, subject)) = closest_attr(e.unchecked_ref(), "data-subject") else { return };
        if let Some(s) = Selection::from_subject(&subject) {
            self.selection = s;
            self.render();
            self.flash_selection();
        }
    }

    fn on_partition_row(&mut self, e: &MouseEvent) {
        if let Some((_, name)) = closest_attr(e.unchecked_ref(), "data-partition") {
            self.selection = Selection::Partition(name);
            self.render();
            self.flash_selection();
        }
    }
}
