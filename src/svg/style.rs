//! The standalone SVG's style sheet: the page's diagram classes and colours (www/style.css), light by
//! default and dark where the host page or viewer prefers it. The drawing paints its own background,
//! so it stays readable on a light or a dark notes page whichever scheme applies. Fonts are generic
//! families: a standalone file cannot count on the page's. Colours are written out in each rule (no
//! CSS variables), so viewers without custom properties (librsvg, some converters) draw them too.

/// The page's light colours (www/style.css `:root`), by the name the rules use (`var(--name)`).
const LIGHT: &[(&str, &str)] = &[
    ("bg", "#ffffff"),
    ("fg", "#1b2130"),
    ("muted", "#5b6577"),
    ("line", "#d7dce5"),
    ("line-strong", "#9aa5b8"),
    ("rack", "#f7f8fb"),
    ("row", "#f3f5f9"),
    ("leader-row", "#e8effd"),
    ("strip", "#fbfcfe"),
    ("muted-bg", "#e3e6ec"),
    ("down-bg", "#eceef2"),
    ("accent", "#2456d6"),
    ("accent-fg", "#ffffff"),
    ("ok", "#157a41"),
    ("warn", "#d97706"),
    ("warn-text", "#a14a07"),
    ("warn-bg", "#fff4e0"),
    ("bad", "#c42a1e"),
    ("slow", "#6d28d9"),
    ("hw", "#16a34a"),
    ("leo", "#c026d3"),
    ("ctrl", "#7b8597"),
    ("produce", "#2456d6"),
    ("consume", "#0d7d73"),
    ("fetch", "#16a34a"),
    ("cell-fg", "#1b2130"),
    ("uncommitted-fg", "#1b2130"),
    ("e0", "#9cc3fb"),
    ("e1", "#fcd46a"),
    ("e2", "#8de5a6"),
    ("e3", "#f7a8d2"),
    ("e4", "#c8b8fd"),
    ("e5", "#fdbb7f"),
];

/// The page's dark colours (www/style.css, `prefers-color-scheme: dark`); the rest as in [`LIGHT`].
const DARK: &[(&str, &str)] = &[
    ("bg", "#161b22"),
    ("fg", "#e6e9ef"),
    ("muted", "#9aa4b3"),
    ("line", "#2b333e"),
    ("line-strong", "#55606f"),
    ("rack", "#12171d"),
    ("row", "#1b212a"),
    ("leader-row", "#1a2640"),
    ("strip", "#11161c"),
    ("muted-bg", "#2a313b"),
    ("down-bg", "#1b1f25"),
    ("accent", "#5b8cff"),
    ("accent-fg", "#0b1020"),
    ("ok", "#3ccf7c"),
    ("warn", "#f0a23b"),
    ("warn-text", "#f0a23b"),
    ("warn-bg", "#2e2312"),
    ("bad", "#ff6b5e"),
    ("slow", "#a78bfa"),
    ("hw", "#3ddc7a"),
    ("leo", "#e879f9"),
    ("ctrl", "#8390a3"),
    ("produce", "#5b8cff"),
    ("consume", "#2cc3b3"),
    ("fetch", "#3ddc7a"),
    ("uncommitted-fg", "#e6e9ef"),
];

/// The diagram's rules, with colours as `var(--name)` placeholders that [`style`] fills in.
const RULES: &str = r#"text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; fill: var(--fg); }
.bg { fill: var(--bg); }
.heading { font-size: 12px; fill: var(--muted); }
.rack-box { fill: var(--rack); stroke: var(--line-strong); stroke-dasharray: 5 4; stroke-width: 1; }
.rack-label { font-size: 11px; fill: var(--muted); letter-spacing: 0.08em; text-transform: uppercase; font-weight: 600; }
.node-box { fill: var(--bg); stroke: var(--line-strong); stroke-width: 1.5; }
.controller .node-box { stroke: var(--ctrl); stroke-dasharray: 5 3; }
.producer .node-box { stroke: var(--produce); stroke-width: 2; }
.consumer .node-box { stroke: var(--consume); stroke-width: 2; }
.node-name { font-size: 12.5px; font-weight: 700; }
.node-info { font-size: 11px; fill: var(--muted); }
.broker-box { fill: var(--bg); stroke: var(--line-strong); stroke-width: 1.5; }
.broker.fenced .broker-box { stroke: var(--warn); stroke-dasharray: 7 3; stroke-width: 2.5; }
.broker.stalled .broker-box { stroke: var(--slow); stroke-dasharray: 2 3; stroke-width: 2.5; }
.broker.crashed .broker-box, .broker.stopped .broker-box { fill: var(--down-bg); stroke: var(--bad); stroke-dasharray: 3 3; }
.broker.stopped .broker-box { stroke: var(--muted); }
.broker.crashed .cell, .broker.stopped .cell { opacity: 0.55; }
.broker-name { font-size: 13.5px; font-weight: 700; }
.broker-state { font-size: 11px; font-weight: 600; fill: var(--ok); }
.broker.fenced .broker-state, .broker.shutting-down .broker-state { fill: var(--warn-text); }
.broker.stalled .broker-state { fill: var(--slow); }
.broker.crashed .broker-state, .broker.stopped .broker-state { fill: var(--bad); }
.broker-info { font-size: 11px; fill: var(--muted); }
.replica-bg { fill: var(--row); }
.replica.leader .replica-bg { fill: var(--leader-row); }
.replica.out-of-isr .replica-bg { fill: var(--warn-bg); stroke: var(--warn); stroke-dasharray: 4 2; }
.badge { fill: var(--bg); stroke: var(--accent); stroke-width: 1.5; }
.badge-text { font-size: 11px; font-weight: 800; fill: var(--accent); }
.replica.leader .badge { fill: var(--accent); }
.replica.leader .badge-text { fill: var(--accent-fg); }
.replica.offline .badge { fill: var(--muted-bg); stroke: var(--muted); }
.replica.offline .badge-text { fill: var(--muted); }
.replica.no-leader .badge { fill: var(--muted-bg); stroke: var(--bad); stroke-dasharray: 2 2; }
.replica.out-of-isr .badge { stroke: var(--warn); }
.replica.out-of-isr .badge-text { fill: var(--warn-text); }
.replica-name { font-size: 11.5px; font-weight: 700; }
.replica-info { font-size: 11px; fill: var(--muted); }
.replica.out-of-isr .replica-info { fill: var(--warn-text); }
.strip-bg { fill: var(--strip); stroke: var(--line); }
.cell.unknown { fill: var(--muted-bg); }
.cell.e0 { fill: var(--e0); } .cell.e1 { fill: var(--e1); } .cell.e2 { fill: var(--e2); }
.cell.e3 { fill: var(--e3); } .cell.e4 { fill: var(--e4); } .cell.e5 { fill: var(--e5); }
.cell.uncommitted { fill-opacity: 0.42; stroke: var(--fg); stroke-width: 0.8; stroke-dasharray: 2 1.5; }
.cell-text { font-size: 11px; fill: var(--cell-fg); }
.cell-text.uncommitted { fill: var(--uncommitted-fg); }
.hw-mark { stroke: var(--hw); stroke-width: 2.2; fill: var(--hw); }
.leo-mark { stroke: var(--leo); stroke-width: 1.5; fill: var(--leo); }
.behind { font-size: 11px; fill: var(--warn-text); font-weight: 600; }
.tile-name { font-size: 12px; font-weight: 700; }
.tile-state { font-size: 11px; font-weight: 600; fill: var(--bad); }
.tile-info { font-size: 11px; fill: var(--muted); }
.heat-label { font-size: 12px; fill: var(--muted); }
.heat-cell.ok { fill: var(--ok); } .heat-cell.under { fill: var(--warn); }
.heat-cell.below-min { fill: var(--bad); } .heat-cell.offline { fill: var(--fg); }
.link { fill: none; stroke: var(--line-strong); stroke-width: 1.2; }
.link.ctrl { stroke: var(--ctrl); stroke-dasharray: 2 4; opacity: 0.6; }
.link.repl { stroke: var(--fetch); opacity: 0.45; stroke-width: 1.4; }
.link.produce { stroke: var(--produce); stroke-width: 2; opacity: 0.8; }
.link.consume { stroke: var(--consume); stroke-width: 2; opacity: 0.8; }
.link.follower-read { stroke-dasharray: 8 4; stroke-width: 2.6; opacity: 1; }
.link.down { opacity: 0.2; }
.link.cut { stroke: var(--bad); stroke-width: 2.6; stroke-dasharray: 6 4; opacity: 1; }
.link-label { font-size: 11px; font-weight: 600; fill: var(--consume); paint-order: stroke; stroke: var(--bg); stroke-width: 4px; stroke-linejoin: round; }
.link-label.cut { fill: var(--bad); }
"#;

/// The `<style>` element: the rules in the light colours, then again in the dark ones for a dark host.
pub fn style() -> String {
    format!(
        "<style>\n{}@media (prefers-color-scheme: dark) {{\n{}}}\n</style>\n",
        coloured(LIGHT, &[]),
        coloured(DARK, LIGHT)
    )
}

/// [`RULES`] with every `var(--name)` replaced by its colour in `palette` (else in `fallback`).
fn coloured(palette: &[(&str, &str)], fallback: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(RULES.len());
    let mut rest = RULES;
    while let Some(at) = rest.find("var(--") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "var(--".len()..];
        let end = after.find(')').unwrap_or(after.len());
        let name = &after[..end];
        let colour = palette.iter().chain(fallback).find(|(n, _)| *n == name).map_or("currentColor", |(_, c)| c);
        out.push_str(colour);
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_colour_the_rules_name_is_in_the_light_palette() {
        let light = coloured(LIGHT, &[]);
        assert!(!light.contains("var(") && !light.contains("currentColor"), "{light}");
        assert!(light.contains(".bg { fill: #ffffff; }"));
        let dark = coloured(DARK, LIGHT);
        assert!(dark.contains(".bg { fill: #161b22; }") && dark.contains(".cell.e0 { fill: #9cc3fb; }"));
    }
}
