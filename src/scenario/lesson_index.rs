//! The lesson index page (`www/lessons/index.html`): every built-in lesson with its concept, its
//! link and its embed code, as static HTML. No script and no inline style, so it works under the
//! page's strict Content-Security-Policy; `partition-playground lessons` writes it, and a test
//! fails when the committed file is stale.

use super::link::{make_link, Link, LinkError};
use crate::engine::Lesson;
use std::fmt::Write as _;

/// The built-in lessons (`www/lessons/<slug>.json`), in the order of issue 9 and of the index.
pub const LESSON_SLUGS: [&str; 14] = [
    "partition-leader",
    "followers-fetch",
    "in-sync-replicas",
    "acks-1-loss",
    "acks-all-min-isr",
    "leader-failover",
    "unclean-leader-election",
    "zombie-leader",
    "follower-fetching",
    "preferred-leaders",
    "eligible-leader-replicas",
    "kraft-controller-quorum",
    "consumer-groups",
    "committed-offsets",
];

/// Where the playground is, seen from the index (which sits in `lessons/` beside it).
pub const INDEX_BASE: &str = "../";

/// The height of an embedded lesson: the diagram, the control bar and the narration.
const EMBED_HEIGHT_PX: u32 = 560;

/// The URL fragment that opens `lesson` in the playground: a share link carrying its scenario,
/// narration and questions (the page pauses at the lesson's steps).
pub fn lesson_fragment(lesson: &Lesson) -> Result<String, LinkError> {
    let text =
        make_link(&Link { scenario: lesson.scenario.clone(), session: Vec::new(), lesson: Some(lesson.text()) })?;
    Ok(format!("#s={text}"))
}

/// The `<iframe>` a notes page embeds `lesson` with, the playground being at `base`.
pub fn embed_code(lesson: &Lesson, base: &str) -> Result<String, LinkError> {
    let src = format!("{base}{}&embed", lesson_fragment(lesson)?);
    Ok(format!(
        "<iframe src=\"{}\" title=\"Partition Playground: {}\" width=\"100%\" height=\"{EMBED_HEIGHT_PX}\" loading=\"lazy\"></iframe>",
        escape(&src),
        escape(&lesson.title)
    ))
}

/// The index page of `lessons` (slug and lesson, in the order to list them), linking to the
/// playground at `base` (a URL ending in `/`, or [`INDEX_BASE`]).
pub fn lesson_index_html(lessons: &[(String, Lesson)], base: &str) -> Result<String, LinkError> {
    let mut o = String::new();
    // `write!` to a String cannot fail.
    let _ = write!(
        o,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; style-src 'self'\">\n\
         <title>Lessons: Partition Playground</title>\n<link rel=\"icon\" href=\"../icon.svg\">\n<link rel=\"stylesheet\" href=\"lessons.css\">\n</head>\n<body>\n<main>\n\
         <h1>Lessons</h1>\n<p>Each lesson is a small Kafka cluster that pauses to explain what happens and to ask \
         you to predict what comes next; then it plays on and shows the answer in the event log. \
         <a href=\"{}\">Open the playground</a>.</p>\n<ol class=\"lessons\">\n",
        escape(base)
    );
    for (slug, lesson) in lessons {
        let href = format!("{base}{}", lesson_fragment(lesson)?);
        let _ = write!(
            o,
            "<li id=\"{}\">\n<h2><a href=\"{}\">{}</a></h2>\n<p class=\"concept\">Concept: {}</p>\n<p>{}</p>\n\
             <details>\n<summary>Embed code</summary>\n<pre><code>{}</code></pre>\n</details>\n</li>\n",
            escape(slug),
            escape(&href),
            escape(&lesson.title),
            escape(&lesson.concept),
            escape(lesson.steps.first().map_or("", |s| s.text.as_str())),
            escape(&embed_code(lesson, base)?)
        );
    }
    o.push_str("</ol>\n</main>\n</body>\n</html>\n");
    Ok(o)
}

/// Text as HTML text or attribute value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_keeps_markup_as_text() {
        assert_eq!(
            escape("<img src=x onerror=\"alert('1')\"> & more"),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; more"
        );
    }
}
