//! Issue 9: the malformed links a page may be handed, each with the sentence it must show.
//!
//! `tests/links/malformed.tsv` holds one case a line (bad base64, base64 of no possible length, a
//! failed checksum, cut short, a newer format, over the cap, a deflate bomb, an out-of-range field,
//! trailing bytes, too many records): a name, the link's text, and the sentence the
//! reader (or the engine, replaying the link's session) refuses it with. This test makes the links
//! and checks that the native reader gives each sentence; `tests/e2e/links.test.mjs` opens each one
//! in the built page and checks that the page shows the same sentence over the default scenario.
//! `PP_BLESS=1 cargo test --test link_malformed` rewrites the file after an intended change.

use partition_playground::engine::{Command, Engine, Produce, TimedCommand, LIMITS};
use partition_playground::scenario::{self, link_code, link_text, make_link, read_link, Link, LINK_TEXT_MAX};

fn default_scenario() -> scenario::Scenario {
    scenario::parse(include_str!("../www/scenarios/default.json")).expect("the default scenario")
}

fn send(count: u32) -> TimedCommand {
    let produce = Produce {
        producer: "producer-1".into(),
        topic: "orders".into(),
        key: None,
        value: "v".into(),
        count,
        partition: None,
    };
    TimedCommand { at_ms: 1_000, command: Command::Produce(produce) }
}

fn deflated(code: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(code, 10)
}

/// A sound link of the default scenario with one send, to cut and damage.
fn sound() -> String {
    make_link(&Link { scenario: default_scenario(), session: vec![send(1)], lesson: None }).expect("a link")
}

/// Every case: its name and its link's text.
fn cases() -> Vec<(&'static str, String)> {
    let sound = sound();
    let header_end = sound.match_indices('.').nth(2).map(|(i, _)| i + 1).expect("a header");
    let (header, data) = sound.split_at(header_end);
    let mut bad_base64 = data.to_string();
    bad_base64.replace_range(4..6, "*!");
    let mut invalid = default_scenario();
    invalid.topics[0].replication_factor = 5;
    let mut trailing = link_code(&Link { scenario: default_scenario(), session: vec![], lesson: None }).expect("code");
    trailing.extend_from_slice(&[0, 0, 0]);
    let heavy = Link { scenario: default_scenario(), session: vec![send(LIMITS.records_max as u32 + 1)], lesson: None };
    let mut checksum_off = deflated(
        &link_code(&Link { scenario: default_scenario(), session: vec![send(1)], lesson: None }).expect("code"),
    );
    *checksum_off.last_mut().expect("an Adler-32") ^= 1;
    vec![
        ("bad base64", format!("{header}{bad_base64}")),
        ("base64 of no possible length", "2.1.5.eJztA".to_string()),
        ("a failed checksum", link_text(&checksum_off).expect("a link")),
        ("cut short", sound[..sound.len() - 40].to_string()),
        ("newer format", format!("9{}", &sound[1..])),
        ("over the cap", format!("2.1.9000.{}", "A".repeat(LINK_TEXT_MAX))),
        ("deflate bomb", link_text(&deflated(&vec![0u8; 4 << 20])).expect("a short text")),
        ("out-of-range field", make_link(&Link { scenario: invalid, session: vec![], lesson: None }).expect("a link")),
        ("trailing bytes", link_text(&deflated(&trailing)).expect("a link")),
        ("too many records", make_link(&heavy).expect("a link")),
    ]
}

/// The sentence a page shows for `text`: the reader's refusal, or the engine's when it replays.
fn refusal(text: &str) -> String {
    match read_link(text) {
        Err(e) => e.to_string(),
        Ok((link, _)) => match Engine::replay(&link.scenario, &link.session, 2_000) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a malformed link opened: {}", &text[..40]),
        },
    }
}

#[test]
fn every_malformed_link_is_refused_with_its_own_sentence() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/links/malformed.tsv");
    let made: String =
        cases().into_iter().map(|(name, text)| format!("{name}\t{text}\t{}\n", refusal(&text))).collect();
    if std::env::var_os("PP_BLESS").is_some() {
        std::fs::write(&path, &made).expect("tests/links/malformed.tsv");
    }
    let kept = std::fs::read_to_string(&path).expect("tests/links/malformed.tsv (PP_BLESS=1 writes it)");
    assert_eq!(kept, made, "tests/links/malformed.tsv is stale: PP_BLESS=1 cargo test --test link_malformed");
    let sentences: Vec<&str> = kept.lines().map(|l| l.rsplit('\t').next().unwrap()).collect();
    let expected_starts = [
        "this link is damaged",
        "this link is damaged",
        "this link is damaged",
        "this link was cut short",
        "this link was made by a newer version",
        "this link is too long",
        "this link holds more than 65536 bytes",
        "this link's scenario is not valid: topics[0]",
        "this link's code is malformed",
        "session[0].produce.count: 1 to 1,000,000",
    ];
    for (sentence, start) in sentences.iter().zip(expected_starts) {
        assert!(sentence.starts_with(start), "{sentence:?} should start with {start:?}");
    }
    assert_eq!(sentences.len(), expected_starts.len());
}
