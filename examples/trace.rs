//! Scratch: prints a scenario's event log and final partitions (development aid).
use partition_playground::engine::{Engine, ViewOptions};
fn main() {
    let path = std::env::args().nth(1).expect("scenario path");
    let s = partition_playground::scenario::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut e = Engine::new(&s);
    e.advance_to(s.until_ms);
    for ev in e.events_since(0) {
        println!("{:>6} {}", ev.at_ms, e.explain(ev));
    }
    let v = e.view(ViewOptions::default());
    for p in &v.partitions {
        println!(
            "{} leader {:?} epoch {} pepoch {} isr {:?}",
            p.name, p.leader, p.leader_epoch, p.partition_epoch, p.isr
        );
        for r in &p.replica_states {
            println!("   b{} {:?} leo {} hw {}", r.broker, r.role, r.log_end_offset, r.high_watermark);
        }
    }
    println!("losses {:?}", v.safety.losses);
    for i in &v.safety.invariants {
        if i.violations > 0 {
            println!("{i:?}");
        }
    }
    println!("hash {:x} unexpected {}", e.state_hash(), e.unexpected_violations());
}
