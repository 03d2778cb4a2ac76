//! Share-link length (`cargo bench --bench link`): a person's 200-command session in the page, as
//! issue 9 describes it, made into a link; a deterministic measure (characters), not a timing.
//!
//! Clicks 0.3–2.5 s apart at irregular times; sends of the default value with a few typed values
//! ("order 35 paid"), counts 1 / 5 / 10, a key on a third of them; crashes, restarts, a cut and a
//! healed link. The commands go through `Engine::apply`, as the page's do.

use base64::Engine as _;
use partition_playground::engine::{BrokerId, Command, Engine, NodeRef, Produce, BEHAVIOUR_VERSION};
use partition_playground::scenario::{self, make_link, read_link, Link};

/// A small deterministic generator (xorshift): the bench needs irregular, repeatable times.
struct Irregular(u64);

impl Irregular {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn session(commands: usize) -> (scenario::Scenario, Engine) {
    let scenario = scenario::parse(include_str!("../www/scenarios/default.json")).expect("default scenario");
    let mut engine = Engine::new(&scenario).expect("within the contract");
    let mut r = Irregular(0x9e37_79b9_7f4a_7c15);
    let mut t = 0;
    let mut crashed: Option<u32> = None;
    let mut cut = false;
    for i in 0..commands {
        t += 300 + r.below(2_201);
        engine.advance_to(t, u64::MAX).expect("progress");
        let command = match r.below(20) {
            0 if crashed.is_none() => {
                let b = 1 + r.below(3) as u32;
                crashed = Some(b);
                Command::CrashBroker { broker: BrokerId(b) }
            }
            1 if crashed.is_some() => Command::RestartBroker { broker: BrokerId(crashed.take().unwrap()) },
            2 => {
                cut = !cut;
                let between = [NodeRef::Broker(BrokerId(1)), NodeRef::Broker(BrokerId(2))];
                if cut {
                    Command::CutLink { between }
                } else {
                    Command::HealLink { between }
                }
            }
            _ => {
                let value = if r.below(8) == 0 { "order 35 paid" } else { "hello" };
                let key = (i % 3 == 0).then(|| format!("order-{}", r.below(50)));
                let count = [1, 1, 1, 5, 10][r.below(5) as usize];
                let p = Produce {
                    producer: "producer-1".into(),
                    topic: "orders".into(),
                    key,
                    value: value.into(),
                    count,
                    partition: None,
                };
                Command::Produce(p)
            }
        };
        engine.apply(command).expect("a command the page would send");
    }
    (scenario, engine)
}

fn main() {
    for commands in [50, 100, 200] {
        let (scenario, engine) = session(commands);
        let link = Link { scenario, session: engine.session().to_vec(), lesson: None };
        let text = make_link(&link).expect("within the caps");
        let code = scenario::link_code(&link).expect("within the caps").len();
        // Format 1 (before format 2): the postcard code of the scenario and the session, deflated.
        let format_1 = postcard::to_allocvec(&(&link.scenario, &link.session)).expect("postcard");
        let format_1 = miniz_oxide::deflate::compress_to_vec_zlib(&format_1, 10);
        let data = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format_1);
        let format_1 = format!("1.{BEHAVIOUR_VERSION}.{}.{data}", data.len()).len();
        let (read, _) = read_link(&text).expect("its own link");
        assert_eq!(read, link);
        // The page writes `#s=TEXT&t=MS&paused` after its URL.
        let fragment = format!("#s={text}&t={}&paused", engine.now_ms());
        println!(
            "{commands:>4} commands: link {} characters (format 1: {format_1}; fragment {}), binary code {code} bytes, {:.1} bits a command",
            text.len(),
            fragment.len(),
            (text.len() as f64 * 6.0) / commands as f64
        );
    }
    lesson_links();
}

/// Every built-in lesson's link (its scenario, narration and questions): issue 9 keeps each within
/// 2,000 characters, what chat apps keep.
fn lesson_links() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/lessons");
    let mut longest = (0, "");
    for slug in scenario::lesson_index::LESSON_SLUGS {
        let text = std::fs::read_to_string(dir.join(format!("{slug}.json"))).expect("a built-in lesson");
        let lesson = scenario::parse_lesson(&text).expect("a valid lesson");
        let fragment = scenario::lesson_index::lesson_fragment(&lesson).expect("within the caps");
        println!("lesson {slug:<26} fragment {} characters", fragment.len());
        longest = longest.max((fragment.len(), slug));
    }
    println!("longest lesson link: {} ({} characters)", longest.1, longest.0);
    assert!(longest.0 <= 2_000, "a lesson's link over 2,000 characters");
}
