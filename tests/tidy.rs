//! Tidy: the architecture rules of `ARCHITECTURE.md` that a text search can check, as a test (after
//! rust-analyzer's `tidy.rs`). It walks `src/` and fails, naming file and line, when a layer uses
//! what it must not know (the engine: the scenario format, JSON, the page, the wasm boundary, the
//! clock, threads, hash maps, OS randomness), when a file passes [`FILE_LINES_MAX`] lines, or when
//! the page parses HTML. Comments do not count; string literals do (`"innerHTML"` is a use).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A file longer than this is split by responsibility.
const FILE_LINES_MAX: usize = 1_000;

/// A forbidden use: files under `files` (a directory ending in `/`, or one file) must not name any
/// of `words` (matched as whole identifiers or paths, so `Instant` does not match `Instantiate`).
struct Rule {
    files: &'static str,
    words: &'static [&'static str],
    why: &'static str,
}

/// The crates that exist only on wasm32, for the page.
const WASM_CRATES: &[&str] = &["wasm_bindgen", "web_sys", "js_sys", "serde_wasm_bindgen", "console_error_panic_hook"];

const RULES: &[Rule] = &[
    Rule {
        files: "src/engine/",
        words: &["crate::scenario", "crate::web", "crate::layout", "crate::page"],
        why: "the engine is the bottom layer (engine <- scenario <- runner, engine <- layout <- web, never back)",
    },
    Rule {
        files: "src/engine/",
        words: &["serde_json"],
        why: "JSON is a scenario format, read outside the engine; serde_json stays native, out of the page's bundle",
    },
    Rule { files: "src/engine/", words: WASM_CRATES, why: "the engine knows nothing of the DOM or the wasm boundary" },
    Rule {
        files: "src/engine/",
        words: &["std::time", "Instant", "SystemTime"],
        why: "time is simulated milliseconds advanced only by the engine, never the wall clock",
    },
    Rule {
        files: "src/engine/",
        words: &["std::thread"],
        why: "the engine is single-threaded: one step at a time, in agenda order",
    },
    Rule {
        files: "src/engine/",
        words: &["HashMap", "HashSet"],
        why: "their iteration order is random per process; use engine::Map (a sorted vector) for a replayable run",
    },
    Rule {
        files: "src/engine/",
        words: &["getrandom", "thread_rng", "OsRng"],
        why: "every random choice comes from the one PRNG seeded by the scenario, so a run replays exactly",
    },
    Rule {
        files: "src/scenario/",
        words: &["crate::web", "crate::layout", "crate::page"],
        why: "the scenario formats sit below the page and its geometry (engine <- scenario <- runner)",
    },
    Rule { files: "src/scenario/", words: WASM_CRATES, why: "the scenario formats are plain Rust, tested natively" },
    Rule {
        files: "src/layout.rs",
        words: &["crate::scenario", "crate::web", "crate::page"],
        why: "layout is pure geometry of the cluster's shape (engine <- layout <- web, never back)",
    },
    Rule { files: "src/layout.rs", words: WASM_CRATES, why: "layout is pure geometry, tested natively" },
    Rule {
        files: "src/export/",
        words: &["crate::scenario", "crate::web", "crate::layout", "crate::page", "crate::svg"],
        why:
            "the export reads the engine's scenario types only (engine <- export <- runner), so the page can use it too",
    },
    Rule {
        files: "src/export/",
        words: &["std::fs", "std::io", "std::process", "std::env", "serde_json"],
        why: "the export is a pure function from a scenario to file contents; the runner writes the files",
    },
    Rule { files: "src/export/", words: WASM_CRATES, why: "the export is plain Rust, tested natively" },
    Rule {
        files: "src/svg/",
        words: &["crate::scenario", "crate::web", "crate::export"],
        why: "the SVG paints a view into the page's layout (engine, layout and page::label <- svg <- runner)",
    },
    Rule {
        files: "src/svg/",
        words: &["std::fs", "std::io", "std::process", "std::env"],
        why: "the SVG is a pure function from a view to a document; the runner writes it",
    },
    Rule { files: "src/svg/", words: WASM_CRATES, why: "the SVG writer is plain Rust, tested natively" },
    Rule {
        files: "src/main.rs",
        words: &["partition_playground::web", "partition_playground::layout"],
        why: "the runner imports engine, scenario, svg and export (and page::share for where a link opens); \
              it draws through svg, never the page's layout or DOM",
    },
    Rule {
        files: "src/runner/",
        words: &["partition_playground::web", "partition_playground::layout"],
        why:
            "the runner imports engine, scenario, svg and export; it draws through svg, never the page's layout or DOM",
    },
    Rule { files: "src/runner/", words: WASM_CRATES, why: "the runner is native" },
    Rule {
        files: "src/page/",
        words: &["crate::web"],
        why: "the page's logic sits below the page's DOM layer (engine <- page <- web, never back)",
    },
    Rule {
        files: "src/page/",
        words: WASM_CRATES,
        why: "the page's logic without the DOM is plain Rust, tested natively",
    },
    // The export runs in the share worker (`web::share_worker`, its own wasm); the page's own code
    // must not name it, or its files come back into the page's first download.
    Rule { files: "src/web/app/", words: &["crate::export"], why: "the page exports through its share worker" },
    Rule { files: "src/web/mod.rs", words: &["crate::export"], why: "the page exports through its share worker" },
    Rule {
        files: "src/web/",
        words: &[
            "inner_html",
            "set_inner_html",
            "outer_html",
            "set_outer_html",
            "insert_adjacent_html",
            "DomParser",
            "parse_from_string",
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "createContextualFragment",
            "create_contextual_fragment",
        ],
        why: "user text reaches the DOM only through textContent and attribute setters; parsed HTML could run it",
    },
];

/// Everything wrong with one file, one line per problem: `path:line: ...`.
fn problems(path: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lines = text.lines().count();
    if lines > FILE_LINES_MAX {
        found.push(format!(
            "{path}:{}: the file has {lines} lines, more than {FILE_LINES_MAX}: split it by responsibility",
            FILE_LINES_MAX + 1
        ));
    }
    let code = code_lines(text);
    let groups = expanded_groups(&code);
    for rule in RULES.iter().filter(|r| applies(r.files, path)) {
        for (n, line) in code.iter().enumerate().chain(groups.iter().map(|(n, l)| (*n, l))) {
            for word in rule.words.iter().filter(|w| contains_word(line, w)) {
                let problem = format!("{path}:{}: uses `{word}`: {}", n + 1, rule.why);
                if !found.contains(&problem) {
                    found.push(problem);
                }
            }
        }
    }
    found
}

fn applies(files: &str, path: &str) -> bool {
    if files.ends_with('/') {
        path.starts_with(files)
    } else {
        path == files
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `word` occurs in `line` with no identifier character just before or after it.
fn contains_word(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// Grouped imports written out, so that `use crate::{layout, scenario::Scenario};` is seen as
/// `crate::layout crate::scenario::Scenario` (also when the group spans lines); on the group's first line.
fn expanded_groups(code: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in code.iter().enumerate() {
        for prefix in ["crate::{", "std::{"] {
            let Some(at) = line.find(prefix).filter(|at| !line[..*at].chars().next_back().is_some_and(is_ident)) else {
                continue;
            };
            // The group's text up to its closing brace, over as many lines as it takes.
            let rest = std::iter::once(&line[at + prefix.len()..]).chain(code[n + 1..].iter().map(String::as_str));
            let (mut depth, mut items, mut item) = (1, Vec::new(), String::new());
            'group: for part in rest {
                for c in part.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 1 => break 'group,
                        '}' => depth -= 1,
                        ',' if depth == 1 => {
                            items.push(std::mem::take(&mut item));
                            continue;
                        }
                        _ => {}
                    }
                    item.push(c);
                }
                item.push(' ');
            }
            items.push(item);
            let root = &prefix[..prefix.len() - 1];
            let paths: Vec<String> = items.iter().map(|i| format!("{root}{}", i.trim())).collect();
            out.push((n, paths.join(" ")));
        }
    }
    out
}

/// Each line of `text` with its comments (`//`, `/* */`) blanked out. String and character literals
/// stay, so `"https://…"` starts no comment and `"innerHTML"` still counts.
fn code_lines(text: &str) -> Vec<String> {
    #[derive(Clone, Copy, PartialEq)]
    enum In {
        Code,
        LineComment,
        BlockComment(u32),
        Str,
        RawStr(usize),
    }
    let chars: Vec<char> = text.chars().collect();
    let mut lines = vec![String::new()];
    let mut push = |c: char| match c {
        '\n' => lines.push(String::new()),
        c => lines.last_mut().expect("one line at least").push(c),
    };
    let at = |i: usize| chars.get(i).copied();
    let mut state = In::Code;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match state {
            In::Code => match c {
                '/' if at(i) == Some('/') => state = In::LineComment,
                '/' if at(i) == Some('*') => {
                    i += 1;
                    state = In::BlockComment(1);
                }
                '"' => {
                    push(c);
                    state = In::Str;
                }
                'r' if i < 2 || !is_ident(chars[i - 2]) => {
                    push(c);
                    let hashes = chars[i..].iter().take_while(|c| **c == '#').count();
                    if at(i + hashes) == Some('"') {
                        chars[i..=i + hashes].iter().for_each(|c| push(*c));
                        i += hashes + 1;
                        state = In::RawStr(hashes);
                    }
                }
                // A character literal ('"', '\'', '\u{..}'); anything else after a quote is a lifetime.
                '\'' if at(i) == Some('\\') || at(i + 1) == Some('\'') => {
                    push(c);
                    // After `\x` or the one character: the closing quote.
                    let from = if at(i) == Some('\\') { i + 2 } else { i + 1 };
                    let end = (from..chars.len()).find(|j| chars[*j] == '\'').unwrap_or(chars.len() - 1);
                    chars[i..=end].iter().for_each(|c| push(*c));
                    i = end + 1;
                }
                c => push(c),
            },
            In::LineComment => {
                if c == '\n' {
                    push(c);
                    state = In::Code;
                }
            }
            In::BlockComment(depth) => match c {
                '*' if at(i) == Some('/') => {
                    i += 1;
                    state = if depth == 1 { In::Code } else { In::BlockComment(depth - 1) };
                }
                '/' if at(i) == Some('*') => {
                    i += 1;
                    state = In::BlockComment(depth + 1);
                }
                '\n' => push(c),
                _ => {}
            },
            In::Str => {
                push(c);
                if c == '\\' {
                    if let Some(next) = at(i) {
                        push(next);
                        i += 1;
                    }
                } else if c == '"' {
                    state = In::Code;
                }
            }
            In::RawStr(hashes) => {
                push(c);
                if c == '"' && chars[i..].iter().take(hashes).filter(|c| **c == '#').count() == hashes {
                    (0..hashes).for_each(|_| push('#'));
                    i += hashes;
                    state = In::Code;
                }
            }
        }
    }
    lines
}

/// Every `.rs` file under `dir`, as paths relative to the crate root with `/` separators.
fn rust_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).expect("under the crate root");
            let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into()).collect();
            out.push(parts.join("/"));
        }
    }
}

#[test]
fn src_keeps_the_architecture_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(root, &root.join("src"), &mut files);
    files.sort();
    assert!(files.iter().any(|f| f.starts_with("src/engine/")), "found no engine files: {files:?}");
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        found.extend(problems(file, &text));
    }
    assert!(
        found.is_empty(),
        "\ntidy: {} problem(s) in src/ (the rules are the table `RULES` in tests/tidy.rs, after ARCHITECTURE.md):\n  {}\n",
        found.len(),
        found.join("\n  ")
    );
}

/// Each rule fails on a snippet that breaks it and passes a similar one that keeps it.
mod rules {
    use super::*;

    fn check(path: &str, bad: &str, good: &str) {
        let found = problems(path, bad);
        assert!(!found.is_empty(), "{path}: expected a problem in:\n{bad}");
        assert!(found.iter().all(|p| p.starts_with(&format!("{path}:"))), "{found:?}");
        assert_eq!(problems(path, good), Vec::<String>::new(), "{path}: expected no problem in:\n{good}");
    }

    #[test]
    fn the_engine_does_not_import_the_layers_above_it() {
        let path = "src/engine/engine.rs";
        check(path, "use crate::scenario::Scenario;", "use super::setup::Scenario;\nfn new(scenario: &Scenario) {}");
        check(path, "use crate::{layout, scenario::Scenario};", "use crate::engine::Map;");
        check(path, "use crate::{\n    engine::Map,\n    web::App,\n};", "use crate::{\n    engine::Map,\n};");
        check(path, "let x = crate::layout::fixed(1);", "let x = crate::layouts_are_elsewhere(1);");
    }

    #[test]
    fn the_engine_does_not_read_json() {
        check(
            "src/engine/view.rs",
            "let s = serde_json::to_string(&v);",
            "let s = serde::Serialize::serialize(&v, ser);",
        );
    }

    #[test]
    fn the_engine_does_not_touch_the_wasm_boundary() {
        check("src/engine/ctx.rs", "#[wasm_bindgen]\npub fn tick() {}", "pub fn tick() {}");
        check("src/engine/ctx.rs", "let w = web_sys::window();", "let w = window();");
        check("src/engine/ctx.rs", "js_sys::Date::now()", "self.now");
    }

    #[test]
    fn the_engine_has_no_clock() {
        let path = "src/engine/timer.rs";
        check(path, "use std::time::Duration;", "use super::ids::Millis;");
        check(path, "let t = Instant::now();", "let t = ctx.now; // not Instant::now()");
        check(path, "let t = SystemTime::now();", "let t = Instantiate::now();");
    }

    #[test]
    fn the_engine_has_no_threads() {
        check("src/engine/engine.rs", "std::thread::spawn(|| {});", "let thread = 1;");
    }

    #[test]
    fn the_engine_has_no_hash_maps() {
        let path = "src/engine/broker.rs";
        check(path, "use std::collections::HashMap;", "use std::collections::BTreeMap;");
        check(path, "use std::{collections::HashSet, fmt};", "use std::{collections::BTreeSet, fmt};");
    }

    #[test]
    fn the_engine_has_no_os_randomness() {
        let path = "src/engine/network.rs";
        check(path, "let x = rand::thread_rng().gen();", "let x = ctx.random_below(10);");
        check(path, "getrandom::fill(&mut seed)?;", "let seed = scenario_seed;");
    }

    #[test]
    fn the_scenario_formats_do_not_know_the_page() {
        let path = "src/scenario/parse.rs";
        check(path, "use crate::web::App;", "use crate::engine::Command;");
        check(path, "use crate::layout::Layout;", "use crate::engine::Map;");
        check(path, "let v = serde_wasm_bindgen::to_value(&s);", "let v = serde_json::to_value(&s);");
    }

    #[test]
    fn the_page_exports_only_through_its_share_worker() {
        check("src/web/app/share.rs", "use crate::export::export;", "use crate::web::share_client;");
        check("src/web/mod.rs", "let files = crate::export::export(&s);", "let x = share_client::request;");
    }

    #[test]
    fn layout_does_not_know_the_scenario_or_the_page() {
        let path = "src/layout.rs";
        check(path, "use crate::scenario::Scenario;", "use crate::engine::ClusterView;");
        check(path, "use crate::web::dom;", "use crate::engine::ids::BrokerId;");
        check(path, "use wasm_bindgen::JsValue;", "use std::fmt;");
    }

    #[test]
    fn the_export_is_pure_and_knows_only_the_engine() {
        let path = "src/export/compose.rs";
        check(path, "use crate::scenario::parse;", "use crate::engine::Scenario;");
        check(path, "std::fs::write(path, text)?;", "out.push((path, text));");
        check(path, "use crate::{engine::Scenario, layout::Rect};", "use crate::{engine::Scenario};");
    }

    #[test]
    fn the_svg_paints_views_and_writes_no_files() {
        let path = "src/svg/mod.rs";
        check(path, "use crate::scenario::Scenario;", "use crate::layout::Layout;");
        check(path, "let f = std::fs::File::create(p);", "let doc = String::new();");
        check(path, "use web_sys::Element;", "use crate::page::label;");
    }

    #[test]
    fn the_runner_draws_through_svg() {
        check("src/main.rs", "use partition_playground::layout::layout;", "use partition_playground::svg;");
        check("src/runner/picture.rs", "use partition_playground::web::diagram;", "use partition_playground::svg;");
    }

    #[test]
    fn the_page_logic_knows_no_dom() {
        let path = "src/page/clock.rs";
        check(path, "use web_sys::Element;", "use crate::engine::Engine;");
        check(path, "let t = js_sys::Date::now();", "let t = now_ms();");
        check(path, "use crate::web::dom;", "use crate::layout::fixed;");
    }

    #[test]
    fn the_page_does_not_parse_html() {
        let path = "src/web/panels.rs";
        check(path, "el.set_inner_html(&text);", "el.set_text_content(Some(&text));");
        check(path, "let html = el.outer_html();", "let tag = el.tag_name();");
        check(path, "el.insert_adjacent_html(\"beforeend\", &t)?;", "el.append_child(&node)?;");
        check(path, "let p = web_sys::DomParser::new()?;", "let p = web_sys::Document::new()?;");
        check(path, "Reflect::set(&el, &\"innerHTML\".into(), &v);", "Reflect::set(&el, &\"textContent\".into(), &v);");
        check(path, "range.createContextualFragment(s)", "range.selectNodeContents(s)");
    }

    #[test]
    fn a_file_over_the_line_limit_is_named_with_the_line_that_passes_it() {
        let long = "fn f() {}\n".repeat(FILE_LINES_MAX + 1);
        let ok = "fn f() {}\n".repeat(FILE_LINES_MAX);
        check("src/main.rs", &long, &ok);
        assert_eq!(
            problems("src/main.rs", &long),
            vec![format!(
                "src/main.rs:1001: the file has 1001 lines, more than {FILE_LINES_MAX}: split it by responsibility"
            )]
        );
    }

    #[test]
    fn comments_do_not_count_and_strings_do() {
        let path = "src/engine/event.rs";
        check(path, "let url = \"https://x\"; use crate::web::X;", "let url = \"https://x\"; // crate::web::X");
        check(
            path,
            "let t = '\"'; use std::time::Duration;",
            "/* a block comment: use std::time\n still */ let x = 1;",
        );
        check(
            path,
            "/// Doc.\nuse std::collections::HashMap;",
            "//! Not a HashMap: a sorted vector.\n/// Like a HashSet.",
        );
        check(
            path,
            "let s = r#\"a \" // q\"#; let m = HashMap::new();",
            "let s = r#\"a \" // q\"#; let m = Map::new();",
        );
        assert_eq!(code_lines("a // b\n/* c\nd */ e\n'\\'' f"), vec!["a ", "", " e", "'\\'' f"]);
    }

    #[test]
    fn problems_name_file_line_word_and_reason() {
        let found = problems("src/engine/engine.rs", "//! Engine.\n\nuse crate::scenario::Scenario;\n");
        assert_eq!(
            found,
            vec!["src/engine/engine.rs:3: uses `crate::scenario`: the engine is the bottom layer (engine <- scenario <- \
                  runner, engine <- layout <- web, never back)"
                .to_string()]
        );
    }
}

/// The engine's modules as a graph: for each module (`src/engine/<m>.rs`, `src/engine/<m>/*.rs`),
/// the sibling modules it names with `super::` or `crate::engine::`. Comments and test code are left
/// out.
fn engine_imports(files: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let module = |path: &str| {
        let rest = path.strip_prefix("src/engine/").unwrap_or(path);
        rest.split(['/', '.']).next().unwrap_or(rest).to_string()
    };
    let modules: BTreeSet<String> = files.iter().map(|(p, _)| module(p)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in files {
        let me = module(path);
        let code = code_lines(text.split("#[cfg(test)]").next().unwrap_or(text)).join("\n");
        let deps = graph.entry(me.clone()).or_default();
        for prefix in ["super::", "crate::engine::"] {
            for (at, _) in code.match_indices(prefix) {
                let name: String = code[at + prefix.len()..].chars().take_while(|c| is_ident(*c)).collect();
                if name != me && modules.contains(&name) && name != "mod" {
                    deps.insert(name);
                }
            }
        }
    }
    graph
}

/// A cycle in the graph, as `a -> b -> a`, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<String> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut names = path[at..].to_vec();
            names.push(node.to_string());
            return Some(names.join(" -> "));
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_engines_modules_import_each_other_without_cycles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    rust_files(root, &root.join("src/engine"), &mut paths);
    let files: Vec<(String, String)> = paths
        .into_iter()
        .filter(|p| p != "src/engine/mod.rs" && !p.ends_with("_tests.rs"))
        .map(|p| {
            let text = std::fs::read_to_string(root.join(&p)).unwrap_or_else(|e| panic!("{p}: {e}"));
            (p, text)
        })
        .collect();
    let graph = engine_imports(&files);
    assert!(graph.len() > 10, "found the engine's modules: {:?}", graph.keys());
    if let Some(c) = cycle(&graph) {
        panic!("engine modules import each other in a cycle: {c}; move what both need into a leaf module");
    }
}

#[test]
fn a_cycle_of_imports_is_found() {
    let files = [
        ("src/engine/a.rs".to_string(), "use super::b::B;".to_string()),
        ("src/engine/b.rs".to_string(), "use crate::engine::c::C;".to_string()),
        ("src/engine/c.rs".to_string(), "use super::a::A;\n#[cfg(test)]\nmod tests { use super::d; }".to_string()),
        ("src/engine/d.rs".to_string(), "use super::a::A;".to_string()),
    ];
    assert_eq!(cycle(&engine_imports(&files)).as_deref(), Some("a -> b -> c -> a"));
    let acyclic = [
        ("src/engine/a.rs".to_string(), "use super::b::B;".to_string()),
        ("src/engine/b.rs".to_string(), "// see [`a`](super::a)".to_string()),
    ];
    assert_eq!(cycle(&engine_imports(&acyclic)), None);
}
