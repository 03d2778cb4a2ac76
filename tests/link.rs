//! Share links (issue 9): a scenario and a person's session in a URL fragment, replayed exactly;
//! every way a link can be broken refused with its own sentence, never a panic.

use partition_playground::engine::{BrokerId, Command, Engine, Produce, ViewOptions};
use partition_playground::scenario::{self, make_link, read_link, Link, LinkError, LINK_TEXT_MAX};

fn default_scenario() -> scenario::Scenario {
    scenario::parse(include_str!("../www/scenarios/default.json")).expect("the default scenario")
}

fn send(value: &str, count: u32, key: Option<&str>) -> Command {
    Command::Produce(Produce {
        producer: "producer-1".into(),
        topic: "orders".into(),
        key: key.map(str::to_string),
        value: value.into(),
        count,
        partition: None,
    })
}

/// A person's session in the page: sends at irregular times (the engine run in uneven slices, as
/// frames do), a crash and a restart, ending 1.3 s after the last command.
fn session_engine() -> Engine {
    let mut engine = Engine::new(&default_scenario()).expect("within the contract");
    let mut t = 0u64;
    for i in 0..40u64 {
        t += 300 + (i * 7_919) % 2_200;
        // Stop in the middle of a millisecond sometimes: apply finishes it first.
        let _ = engine.advance_to(t, 1 + i % 5);
        engine.advance_to(t, u64::MAX).expect("progress");
        let command = match i {
            12 => Command::CrashBroker { broker: BrokerId(2) },
            25 => Command::RestartBroker { broker: BrokerId(2) },
            _ if i % 3 == 0 => send("order 35 paid", [1, 5, 10][(i % 3) as usize], Some("order-35")),
            _ => send("hello", 1, None),
        };
        engine.apply(command).expect("a valid command");
    }
    let end = engine.now_ms() + 1_300;
    engine.advance_to(end, u64::MAX).expect("progress");
    engine
}

#[test]
fn a_link_replays_to_the_same_state_at_the_same_time() {
    let engine = session_engine();
    let link = Link { scenario: default_scenario(), session: engine.session().to_vec(), lesson: None };
    assert_eq!(link.session.len(), 40);
    let text = make_link(&link).expect("within the caps");
    let (read, behaviour) = read_link(&text).expect("its own link");
    assert_eq!(read, link);
    assert_eq!(behaviour, partition_playground::engine::BEHAVIOUR_VERSION);
    let replayed = Engine::replay(&read.scenario, &read.session, engine.now_ms()).expect("replays");
    assert_eq!(replayed.now_ms(), engine.now_ms());
    assert_eq!(replayed.state_hash(), engine.state_hash(), "the same state hash");
    let (a, b) = (engine.view(ViewOptions::default()), replayed.view(ViewOptions::default()));
    assert_eq!(format!("{:?}", a.partitions), format!("{:?}", b.partitions));
    eprintln!("a 40-command session: {} characters", text.len());
}

#[test]
fn a_cut_link_says_so_and_a_damaged_one_too() {
    let text =
        make_link(&Link { scenario: default_scenario(), session: session_engine().session().to_vec(), lesson: None })
            .expect("within the caps");
    let header = text.match_indices('.').nth(2).map(|(i, _)| i + 1).expect("a header");
    for cut in 0..text.len() {
        let err = read_link(&text[..cut]).expect_err("a cut link never opens");
        if cut > header {
            assert!(matches!(err, LinkError::CutShort { .. }), "cut at {cut}: {err}");
            assert!(err.to_string().starts_with("this link was cut short"));
        }
    }
    let bytes = text.as_bytes();
    for at in header..text.len() {
        for c in [b'A', b'z', b'-', b'_', b'0'] {
            if bytes[at] == c {
                continue;
            }
            let mut changed = bytes.to_vec();
            changed[at] = c;
            let changed = String::from_utf8(changed).unwrap();
            // A change the checksum cannot see would have to decode to a valid scenario.
            if let Err(e) = read_link(&changed) {
                assert!(matches!(e, LinkError::Damaged | LinkError::NotAScenario | LinkError::Invalid(_)), "{e}");
            }
        }
    }
    assert!(matches!(read_link(&format!("{text}x")), Err(LinkError::Damaged)));
}

#[test]
fn other_bad_links_get_their_own_sentences() {
    let big = "1.1.9000.".to_string() + &"A".repeat(LINK_TEXT_MAX);
    assert_eq!(read_link(&big), Err(LinkError::TooLong { bytes: big.len() }));
    assert!(read_link(&big).unwrap_err().to_string().contains("at most 8192"));
    assert_eq!(read_link("hello"), Err(LinkError::NotALink));
    assert_eq!(read_link("1.1.18446744073709551615.AAAA"), Err(LinkError::NotALink), "no link has that length");
    // A sound zlib stream of more than 64 KiB: too large, not damaged.
    let big = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; scenario::LINK_INFLATED_MAX + 1], 10);
    assert_eq!(read_link(&scenario::link_text(&big).unwrap()), Err(LinkError::TooLarge));
    // Nor is such a link made: 100 sends of a 1 KiB value of random letters each hold more than 64 KiB.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut letter = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        char::from(b'a' + (x % 26) as u8)
    };
    let session = (0..100).map(|at_ms| partition_playground::engine::TimedCommand {
        at_ms,
        command: send(&(0..1024).map(|_| letter()).collect::<String>(), 1, None),
    });
    let heavy = Link { scenario: default_scenario(), session: session.collect(), lesson: None };
    assert_eq!(scenario::link_code(&heavy), Err(LinkError::TooLarge));
    assert_eq!(make_link(&heavy), Err(LinkError::TooLarge));
    // A sound stream of something else: not a scenario.
    assert_eq!(
        read_link(&scenario::link_text(&miniz_oxide_free_zlib(b"hello")).unwrap()),
        Err(LinkError::NotAScenario)
    );
    assert_eq!(read_link("3.1.4.AAAA"), Err(LinkError::NewerFormat { format: 3 }));
    assert!(read_link("3.1.4.AAAA").unwrap_err().to_string().contains("made by a newer version"));
    // A valid link around an invalid scenario: the engine's rule, naming the field.
    let mut bad = default_scenario();
    bad.topics[0].name = "bad name!".into();
    let err =
        read_link(&make_link(&Link { scenario: bad, session: vec![], lesson: None }).unwrap()).expect_err("refused");
    let LinkError::Invalid(e) = &err else { panic!("{err}") };
    assert_eq!(e.path, "topics[0].name");
    assert!(err.to_string().starts_with("this link's scenario is not valid: topics[0].name"), "{err}");
}

#[test]
fn a_session_command_outside_the_rules_is_refused_on_replay_with_its_path() {
    let mut engine = Engine::new(&default_scenario()).expect("valid");
    engine.advance_to(1_000, u64::MAX).expect("progress");
    engine.apply(send("v", 1, None)).expect("valid");
    let mut session = engine.session().to_vec();
    session.push(partition_playground::engine::TimedCommand { at_ms: 2_000, command: send("v", 0, None) });
    let err = Engine::replay(&default_scenario(), &session, 3_000).map(|_| ()).expect_err("count 0");
    assert_eq!(err.path, "session[1].produce.count");
    session.pop();
    session.push(partition_playground::engine::TimedCommand { at_ms: 500, command: send("v", 1, None) });
    let err = Engine::replay(&default_scenario(), &session, 3_000).map(|_| ()).expect_err("backwards");
    assert_eq!(err.path, "session[1].at_ms");
    // The moment to open at is bounded as the runner's --until is.
    let err = Engine::replay(&default_scenario(), &[], u64::MAX).map(|_| ()).expect_err("too far");
    assert_eq!(err.path, "t");
}

/// Links of every link format, kept forever (`tests/links/format-N.txt`, one `AT_MS HASH TEXT` a
/// line): each still decodes and replays to its state hash. When the engine's behaviour changes
/// (BEHAVIOUR_VERSION), the hashes are rewritten with `PP_BLESS_LINK_HASHES=1`; the texts never are.
/// `PP_ADD_GOLDEN_LINK=1` adds this version's link of the session above.
#[test]
fn golden_links_of_every_format_still_open() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/links");
    let path = dir.join(format!("format-{}.txt", scenario::LINK_FORMAT));
    if std::env::var_os("PP_ADD_GOLDEN_LINK").is_some() {
        let engine = session_engine();
        let text = make_link(&Link { scenario: default_scenario(), session: engine.session().to_vec(), lesson: None })
            .expect("within the caps");
        let line = format!("{} {:016x} {text}\n", engine.now_ms(), engine.state_hash());
        std::fs::create_dir_all(&dir).unwrap();
        let mut old = std::fs::read_to_string(&path).unwrap_or_default();
        old.push_str(&line);
        std::fs::write(&path, old).unwrap();
    }
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("tests/links").map(|e| e.unwrap().path()).collect();
    files.retain(|f| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with("format-")));
    files.sort();
    let bless = std::env::var_os("PP_BLESS_LINK_HASHES").is_some();
    let mut seen = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut blessed = String::new();
        for line in text.lines() {
            let mut parts = line.splitn(3, ' ');
            let (at, hash, link) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
            let (read, _) = read_link(link).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let engine = Engine::replay(&read.scenario, &read.session, at.parse().unwrap()).expect("replays");
            let now = format!("{:016x}", engine.state_hash());
            if bless {
                blessed.push_str(&format!("{at} {now} {link}\n"));
            } else {
                assert_eq!(now, hash, "{}: a golden link replays to its state hash", file.display());
            }
            seen += 1;
        }
        if bless {
            std::fs::write(&file, blessed).unwrap();
        }
    }
    assert!(seen > 0, "at least one golden link");
}

/// A zlib stream of `bytes` in stored (uncompressed) blocks, written by hand (RFC 1950/1951): a
/// sound stream that is no link's code.
fn miniz_oxide_free_zlib(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = bytes.chunks(65_535).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let len = chunk.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(*chunk);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}

#[test]
fn the_page_replays_only_what_it_can_in_a_few_seconds() {
    use partition_playground::engine::LIMITS;
    let s = default_scenario();
    let far = 2_592_000_000; // 30 days: within the runner's bound for this small cluster, not the page's
    let err = Engine::replay_within(&s, &[], far, LIMITS.page_replay_work_max).map(|_| ()).expect_err("too far");
    assert_eq!(err.path, "t");
    assert!(err.reason.contains(&format!("the playground runs at most {}", "20,000,000")), "{}", err.reason);
}

/// The page reads a link in the same four steps as `read_link`, with the browser decoding the base64
/// (`atob`, standard alphabet) and inflating: the data it hands `atob` decodes to the same stream,
/// and a character outside base64url is damage before `atob` sees it.
#[test]
fn the_pages_steps_read_a_link_as_read_link_does() {
    use base64::Engine as _;
    let link = Link { scenario: default_scenario(), session: session_engine().session().to_vec(), lesson: None };
    let text = make_link(&link).expect("within the caps");
    let header = scenario::read_link_header(&text).expect("a sound header");
    assert_eq!(header.format, scenario::LINK_FORMAT);
    let standard = scenario::link_data_base64(header.data).expect("base64url");
    let decoded = base64::engine::general_purpose::STANDARD_NO_PAD.decode(&standard).expect("standard base64");
    assert_eq!(decoded, scenario::link_data_bytes(header.data).expect("base64url"));
    let code = scenario::inflate_link_code(&decoded).expect("within the cap");
    assert_eq!(scenario::read_link_code(header.format, &code), Ok(link));
    assert_eq!(scenario::link_data_base64("eJzt+AAA"), Err(LinkError::Damaged), "'+' is not base64url");
    assert_eq!(scenario::link_data_base64("eJzt AAA"), Err(LinkError::Damaged), "nor a space, which atob skips");
}
