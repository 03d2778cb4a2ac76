//! The diagram as a standalone SVG (`partition_playground::svg`): golden files of the default
//! scenario and of `examples/leader-crash.json` after the crash (`tests/svg/*.svg`, rewritten by
//! `PP_BLESS=1 cargo test --test svg`), a well-formedness check of the XML, and hostile names that
//! stay text.

use partition_playground::engine::{ClusterView, Engine, Millis, ViewOptions};
use partition_playground::scenario;
use partition_playground::svg;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn view_at(path: &str, at_ms: Millis) -> ClusterView {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let scenario = scenario::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut engine = Engine::new(&scenario).expect("a valid scenario");
    engine.advance_to(at_ms, u64::MAX).expect("the run progresses");
    engine.view(ViewOptions::default())
}

/// The XML's element names in document order, or what is wrong with it: every tag closed in order,
/// every attribute value quoted, no `<` and no bare `&` in text or attribute values.
fn well_formed(doc: &str) -> Result<Vec<String>, String> {
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let body = doc.strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n").ok_or("no XML declaration")?;
    let mut rest = body;
    while let Some(lt) = rest.find('<') {
        check_text(&rest[..lt])?;
        let gt = rest[lt..].find('>').ok_or("a tag is not closed")? + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or(format!("</{name}> closes nothing"))?;
            if open != name {
                return Err(format!("</{name}> closes <{open}>"));
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("bad element name in <{tag}>"));
        }
        check_attributes(attrs)?;
        names.push(name.to_string());
        if !self_closing {
            stack.push(name.to_string());
        }
    }
    check_text(rest)?;
    if !stack.is_empty() {
        return Err(format!("unclosed: {stack:?}"));
    }
    Ok(names)
}

fn check_text(text: &str) -> Result<(), String> {
    for (at, _) in text.match_indices('&') {
        let entity = &text[at..];
        if !["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().any(|e| entity.starts_with(e)) {
            return Err(format!("a bare & in {:?}", &text[at..(at + 12).min(text.len())]));
        }
    }
    Ok(())
}

fn check_attributes(attrs: &str) -> Result<(), String> {
    let mut rest = attrs.trim();
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").ok_or(format!("an attribute without a quoted value: {rest}"))?;
        if name.is_empty() || name.contains(['"', '<', ' ']) {
            return Err(format!("bad attribute name {name:?}"));
        }
        let end = after.find('"').ok_or("an unterminated attribute value")?;
        if after[..end].contains('<') {
            return Err(format!("a < in the value of {name}"));
        }
        check_text(&after[..end])?;
        rest = after[end + 1..].trim_start();
    }
    Ok(())
}

fn golden(name: &str, actual: &str) {
    let path = root().join("tests/svg").join(name);
    if std::env::var_os("PP_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a directory")).expect("create tests/svg");
        std::fs::write(&path, actual).expect("write the golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (PP_BLESS=1 cargo test --test svg writes it)", path.display()));
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{} differs at line {}:\n  golden: {:?}\n  now:    {:?}\n(after an intended change: PP_BLESS=1 cargo test --test svg)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn the_default_scenario_draws_as_golden() {
    let doc = svg::diagram(&view_at("www/scenarios/default.json", 10_000), svg::WIDTH_DEFAULT);
    well_formed(&doc).expect("well-formed XML");
    golden("default.svg", &doc);
}

/// Broker 1 crashed at 550 ms and was fenced at 9,000 ms; broker 2 leads `orders-0` at epoch 1.
#[test]
fn the_leader_crash_after_the_election_draws_as_golden() {
    let view = view_at("examples/leader-crash.json", 10_000);
    let doc = svg::diagram(&view, svg::WIDTH_DEFAULT);
    let names = well_formed(&doc).expect("well-formed XML");
    assert_eq!(names[0], "svg");
    assert!(names.contains(&"title".to_string()) && names.contains(&"desc".to_string()));
    assert!(!doc.contains("foreignObject"), "text is SVG text");
    assert!(doc.contains("role=\"img\""));
    assert!(doc.contains("class=\"bg\""), "a background of its own for light and dark hosts");
    assert!(doc.contains("broker 1 (rack a) crashed · fenced"), "the description says the state");
    assert!(doc.contains("orders-0: leader 2, epoch 1, ISR [2, 3] of [1, 2, 3]"));
    assert!(doc.contains("<g class=\"broker crashed fenced\">"));
    assert!(doc.contains(">Broker 1</text>") && doc.contains(">crashed · fenced</text>"));
    assert_eq!(doc.matches("class=\"hw-mark\"").count(), 6, "an HW mark on each of the 6 replicas");
    golden("leader-crash-10000ms.svg", &doc);
}

/// Names come from the scenario and record text from people: in the SVG they stay text, escaped in
/// text nodes and attribute values alike, and the document stays well formed.
#[test]
fn hostile_names_are_escaped() {
    let mut view = view_at("examples/leader-crash.json", 10_000);
    let hostile = "<script>alert(\"x\")</script>&amp;'";
    view.brokers[0].rack = hostile.into();
    view.producers[0].name = hostile.into();
    view.consumers[0].client_rack = hostile.into();
    view.partitions[0].name = format!("{hostile}-0");
    let doc = svg::diagram(&view, svg::WIDTH_DEFAULT);
    well_formed(&doc).expect("well-formed XML");
    assert!(!doc.contains("<script"), "no element made of a name");
    assert!(doc.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp;&apos;"), "{doc}");
}

#[test]
fn the_checker_refuses_what_is_not_well_formed() {
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    for bad in ["<svg><g></svg>", "<svg a=b/>", "<svg>a & b</svg>", "<svg><text>x</g></svg>", "<svg a=\"<\"/>"] {
        assert!(well_formed(&format!("{head}{bad}")).is_err(), "{bad}");
    }
    assert!(well_formed(&format!("{head}<svg a=\"1\"><g/><text>a &amp; b</text></svg>")).is_ok());
}
