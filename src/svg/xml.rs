//! A small XML writer for the standalone SVG: every attribute value and every text node is escaped
//! here, once (names, racks and record text are user input).

use crate::layout::{trimmed, Rect};
use std::fmt::Write as _;

/// `text` safe in XML text and in a double-quoted attribute: `&`, `<`, `>`, `"` and `'` as
/// entities; control characters XML 1.0 does not allow (all but tab, newline, return) as spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A number as the page writes coordinates: at most one decimal, no float formatting.
pub fn num(v: f64) -> String {
    trimmed(v, 1)
}

/// The document being written, indented by nesting.
#[derive(Default)]
pub struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn start(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        let _ = write!(self.out, "{:width$}<{tag}", "", width = 2 * self.depth);
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", escape(v));
        }
    }

    /// `<tag ...>`; its children follow until [`Xml::close`].
    pub fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start(tag, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    pub fn close(&mut self, tag: &str) {
        self.depth = self.depth.saturating_sub(1);
        let _ = writeln!(self.out, "{:width$}</{tag}>", "", width = 2 * self.depth);
    }

    /// `<tag .../>`.
    pub fn leaf(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start(tag, attrs);
        self.out.push_str("/>\n");
    }

    /// `<tag ...>text</tag>`.
    pub fn text(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(tag, attrs);
        let _ = writeln!(self.out, ">{}</{tag}>", escape(text));
    }

    /// Raw markup this module made (the style sheet): never user text.
    pub fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    pub fn rect(&mut self, r: &Rect, radius: f64, class: &str) {
        let (x, y, w, h, rx) = (num(r.x), num(r.y), num(r.w), num(r.h), num(radius));
        self.leaf("rect", &[("x", &x), ("y", &y), ("width", &w), ("height", &h), ("rx", &rx), ("class", class)]);
    }

    /// A line of text at (x, y), anchored `start`, `middle` or `end`.
    pub fn label(&mut self, x: f64, y: f64, class: &str, anchor: &str, text: &str) {
        let (x, y) = (num(x), num(y));
        self.text("text", &[("x", &x), ("y", &y), ("class", class), ("text-anchor", anchor)], text);
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_user_text_is_escaped() {
        assert_eq!(escape("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
        assert_eq!(escape("a & \"b\" 'c'"), "a &amp; &quot;b&quot; &apos;c&apos;");
        assert_eq!(escape("nul\u{0}bell\u{7}"), "nul bell ");
    }

    #[test]
    fn attributes_and_text_are_escaped_where_they_are_written() {
        let mut x = Xml::default();
        x.text("title", &[("data-name", "\"><script>")], "</title><script>alert(1)</script>");
        assert_eq!(
            x.finish(),
            "<title data-name=\"&quot;&gt;&lt;script&gt;\">&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>\n"
        );
    }
}
