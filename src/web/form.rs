//! The controls the forms are made of (the page's forms in `app::shell`, the producer panel's
//! reconfigure form in `panels`): labelled inputs and selects, buttons, the line for the engine's
//! refusal.

use super::dom::{el, Build};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// A label with its text, for a control to go in.
fn label(parent: &Element, text: &str) -> Element {
    let l = el("label").into_parent(parent);
    el("span").with("class", "label-text").text(text).into_parent(&l);
    l
}

/// A labelled input with a value.
pub(crate) fn input(parent: &Element, id: &str, text: &str, kind: &str, value: &str) -> HtmlInputElement {
    let l = label(parent, text);
    let i = el("input").with("id", id).with("type", kind).with("name", id).into_parent(&l);
    let i: HtmlInputElement = i.unchecked_into();
    i.set_value(value);
    i
}

/// A labelled select with its options (value, text).
pub(crate) fn select(parent: &Element, id: &str, text: &str, options: &[(&str, &str)]) -> HtmlSelectElement {
    let l = label(parent, text);
    let s = el("select").with("id", id).with("name", id).into_parent(&l);
    for (value, text) in options {
        el("option").with("value", value).text(text).into_parent(&s);
    }
    s.unchecked_into()
}

/// Where a form shows the engine's refusal (announced politely).
pub(crate) fn error_el(parent: &Element, id: &str) -> Element {
    el("p").with("id", id).with("class", "error").with("role", "alert").with("aria-live", "polite").into_parent(parent)
}

/// A button of `kind` (`button`, `submit`).
pub(crate) fn button(parent: &Element, id: &str, text: &str, kind: &str) -> Element {
    el("button").with("id", id).with("type", kind).text(text).into_parent(parent)
}

/// A form the page checks itself (through the engine), not the browser.
pub(crate) fn form(parent: &Element, id: &str) -> Element {
    el("form").with("id", id).with("class", "form").with("novalidate", "").into_parent(parent)
}

/// A row of fields.
pub(crate) fn row(parent: &Element) -> Element {
    el("div").with("class", "row").into_parent(parent)
}

/// A form's buttons.
pub(crate) fn actions(parent: &Element) -> Element {
    el("div").with("class", "actions").into_parent(parent)
}
