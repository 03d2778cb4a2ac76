//! The URL's fragment: `#scenario=large&speed=0.1&paused` (each part optional), or a share link
//! `#s=1.1.812.eJzt...&t=42000&paused`, so a note can embed the playground in the state it talks
//! about. A part the page cannot use is named in `problems`
//! (the page shows them), never silently dropped.
//!
//! An embed (an iframe in a notes page) adds its flags to either: `embed` (no page chrome),
//! `start=click` (wait for a click to start) and `theme=dark|light|auto` (the notes site's colour
//! scheme, not the reader's system setting).

/// What the URL's fragment asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct UrlOptions {
    pub scenario: String,
    pub speed: Option<f64>,
    pub paused: bool,
    /// A share link's text (`s`, read by `scenario::read_link`) and the moment to open at (`t`).
    pub link: Option<String>,
    pub at_ms: Option<u64>,
    /// Embed mode: the diagram and a compact control bar, nothing else (`page::embed`).
    pub embed: bool,
    /// Wait for a click before the clock runs (`start=click`).
    pub start_on_click: bool,
    pub theme: Theme,
    pub problems: Vec<String>,
}

/// The colour scheme a link asks for (`theme=...`): the reader's system setting by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Dark,
    Light,
}

impl Theme {
    /// The value of the document's `data-theme` attribute (the style sheet's switch); none for Auto.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::Auto => None,
            Theme::Dark => Some("dark"),
            Theme::Light => Some("light"),
        }
    }
}

impl UrlOptions {
    /// Opens `scenario`, playing at the default speed.
    pub fn opening(scenario: &str) -> UrlOptions {
        UrlOptions {
            scenario: scenario.into(),
            speed: None,
            paused: false,
            link: None,
            at_ms: None,
            embed: false,
            start_on_click: false,
            theme: Theme::Auto,
            problems: Vec::new(),
        }
    }
}

/// What a fragment may hold, for the notice that names a part it cannot use.
const OPTIONS: &str = "scenario=…, speed=…, paused, s=…, t=…, embed, start=click, theme=…";

/// The parts of a fragment that only make sense in a frame: the full playground drops them.
const EMBED_ONLY: [&str; 3] = ["embed", "start=", "theme="];

/// The fragment of the full playground for an embed's fragment: the same scenario and moment,
/// without the embed's own flags (`embed`, `start=…`, `theme=…`: a new tab follows the reader's
/// system setting). With its `#`, or empty when nothing is left.
pub fn full_playground_fragment(fragment: &str) -> String {
    let mut kept = String::new();
    for part in fragment.strip_prefix('#').unwrap_or(fragment).split('&') {
        if !part.is_empty() && !EMBED_ONLY.iter().any(|f| part == *f || (f.ends_with('=') && part.starts_with(f))) {
            // Pushed, not joined: a `join` of `&str`s would add its own copy of the code to the page.
            kept.push(if kept.is_empty() { '#' } else { '&' });
            kept.push_str(part);
        }
    }
    kept
}

/// A link is user input: quote at most a few dozen characters of it.
fn quote(s: &str) -> String {
    let mut q: String = s.chars().take(40).collect();
    if q.len() < s.len() {
        q.push('…');
    }
    q
}

/// Reads a URL fragment (with or without its `#`). `scenarios` are the names the page offers, the
/// first the default; `number` converts the speed's text as JavaScript's `Number()` does (NaN for
/// text that is no number): Rust's float parser would add kilobytes to the page's bundle.
pub fn parse_fragment(fragment: &str, scenarios: &[&str], number: impl Fn(&str) -> f64) -> UrlOptions {
    let mut o = UrlOptions::opening(scenarios.first().copied().unwrap_or("default"));
    for part in fragment.trim_start_matches('#').split('&').filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some(("scenario", name)) => match scenarios.iter().find(|s| **s == name) {
                Some(s) => o.scenario = (*s).into(),
                None => o.problems.push(format!(
                    "there is no scenario “{}”, so the default one opened (scenarios: {})",
                    quote(name),
                    scenarios.join(", ")
                )),
            },
            Some(("speed", v)) => {
                let speed = number(v);
                if speed.is_finite() && speed > 0.0 {
                    o.speed = Some(speed);
                } else {
                    o.problems.push(format!("speed “{}” is not a positive number (e.g. speed=0.1)", quote(v)));
                }
            }
            Some(("s", _)) if o.link.is_some() => {
                o.problems.push("a link has one s=…; the first one opened".into());
            }
            Some(("s", text)) => o.link = Some(text.to_string()),
            Some(("t", v)) => {
                let t = number(v);
                if t.is_finite() && t >= 0.0 && t <= crate::engine::LIMITS.time_ms_max as f64 && t == t.trunc() {
                    o.at_ms = Some(t as u64);
                } else {
                    o.problems.push(format!("t “{}” is not a whole number of milliseconds (e.g. t=42000)", quote(v)));
                }
            }
            Some(("start", "click")) => o.start_on_click = true,
            Some(("start", v)) => o.problems.push(format!("start “{}” is not a way to start (start=click)", quote(v))),
            Some(("theme", "auto")) => o.theme = Theme::Auto,
            Some(("theme", "dark")) => o.theme = Theme::Dark,
            Some(("theme", "light")) => o.theme = Theme::Light,
            Some(("theme", v)) => {
                o.problems.push(format!("theme “{}” is not a colour scheme (dark, light or auto)", quote(v)))
            }
            None if part == "paused" => o.paused = true,
            None if part == "embed" => o.embed = true,
            _ => o.problems.push(format!("“{}” is not an option ({OPTIONS})", quote(part))),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIOS: [&str; 2] = ["default", "large"];

    /// Enough of JavaScript's `Number()` for these tests: blank is 0, otherwise a decimal or NaN.
    fn number(s: &str) -> f64 {
        let t = s.trim();
        if t.is_empty() {
            0.0
        } else {
            t.parse().unwrap_or(f64::NAN)
        }
    }

    fn parse(fragment: &str) -> UrlOptions {
        parse_fragment(fragment, &SCENARIOS, number)
    }

    #[test]
    fn every_part_is_optional() {
        assert_eq!(parse(""), UrlOptions::opening("default"));
        assert_eq!(parse("#"), UrlOptions::opening("default"));
        let o = parse("#scenario=large&speed=0.1&paused");
        assert_eq!(
            o,
            UrlOptions {
                scenario: "large".into(),
                speed: Some(0.1),
                paused: true,
                link: None,
                at_ms: None,
                embed: false,
                start_on_click: false,
                theme: Theme::Auto,
                problems: vec![]
            }
        );
        assert_eq!(parse("speed=1e3").speed, Some(1000.0));
        assert_eq!(parse("paused&&scenario=large").scenario, "large");
    }

    #[test]
    fn what_cannot_be_used_is_named_and_the_rest_applies() {
        let o = parse("#scenario=lage&speed=2x&pause&speed=-1&speed=&paused");
        assert_eq!(o.scenario, "default");
        assert_eq!(o.speed, None);
        assert!(o.paused);
        assert_eq!(
            o.problems,
            [
                "there is no scenario “lage”, so the default one opened (scenarios: default, large)",
                "speed “2x” is not a positive number (e.g. speed=0.1)",
                "“pause” is not an option (scenario=…, speed=…, paused, s=…, t=…, embed, start=click, theme=…)",
                "speed “-1” is not a positive number (e.g. speed=0.1)",
                "speed “” is not a positive number (e.g. speed=0.1)",
            ]
        );
    }

    #[test]
    fn a_long_part_is_quoted_short() {
        let long = format!("scenario={}", "x".repeat(500));
        let o = parse(&long);
        assert_eq!(o.problems.len(), 1);
        assert!(o.problems[0].contains(&format!("“{}…”", "x".repeat(40))), "{}", o.problems[0]);
    }

    #[test]
    fn a_share_link_brings_its_text_and_the_moment_to_open_at() {
        let o = parse("#s=1.1.8.eJzLSM3JyQcA&t=42000&paused");
        assert_eq!(o.link.as_deref(), Some("1.1.8.eJzLSM3JyQcA"));
        assert_eq!((o.at_ms, o.paused), (Some(42_000), true));
        assert!(o.problems.is_empty());
        let bad = parse("#s=x&t=-5");
        assert_eq!(bad.at_ms, None);
        assert_eq!(bad.problems, ["t “-5” is not a whole number of milliseconds (e.g. t=42000)"]);
        assert_eq!(parse("#t=1.5").at_ms, None);
        let twice = parse("#s=first&s=second");
        assert_eq!(twice.link.as_deref(), Some("first"));
        assert_eq!(twice.problems, ["a link has one s=…; the first one opened"]);
    }

    #[test]
    fn a_shared_link_embeds_with_its_flags_and_keeps_its_scenario() {
        let o = parse("#s=1.1.8.eJzLSM3JyQcA&t=42000&paused&embed&start=click&theme=dark");
        assert_eq!(o.link.as_deref(), Some("1.1.8.eJzLSM3JyQcA"));
        assert_eq!((o.at_ms, o.paused), (Some(42_000), true));
        assert!(o.embed && o.start_on_click);
        assert_eq!(o.theme, Theme::Dark);
        assert_eq!(o.theme.attribute(), Some("dark"));
        assert!(o.problems.is_empty(), "{:?}", o.problems);
        assert_eq!(parse("#embed&theme=light").theme.attribute(), Some("light"));
        assert_eq!(parse("#embed&theme=auto").theme.attribute(), None);
        let plain = parse("#scenario=large");
        assert!(!plain.embed && !plain.start_on_click);
        assert_eq!(plain.theme, Theme::Auto);
    }

    #[test]
    fn an_embed_flag_with_a_value_it_cannot_use_is_named() {
        let o = parse("#embed&start=hover&theme=sepia&theme=<img src=x>");
        assert!(o.embed && !o.start_on_click);
        assert_eq!(o.theme, Theme::Auto);
        assert_eq!(
            o.problems,
            [
                "start “hover” is not a way to start (start=click)",
                "theme “sepia” is not a colour scheme (dark, light or auto)",
                "theme “<img src=x>” is not a colour scheme (dark, light or auto)",
            ]
        );
    }

    #[test]
    fn the_full_playground_opens_the_same_link_without_the_embed_flags() {
        assert_eq!(
            full_playground_fragment("#s=1.1.8.eJzLSM3JyQcA&t=42000&embed&start=click&theme=dark&paused"),
            "#s=1.1.8.eJzLSM3JyQcA&t=42000&paused"
        );
        assert_eq!(full_playground_fragment("#scenario=large&embed"), "#scenario=large");
        assert_eq!(full_playground_fragment("#embed&theme=light"), "");
        assert_eq!(full_playground_fragment(""), "");
        // Only whole parts go: an option that merely starts like one stays (and is named there).
        assert_eq!(full_playground_fragment("embedded&themes=x"), "#embedded&themes=x");
    }
}
