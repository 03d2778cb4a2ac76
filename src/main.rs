fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let s = partition_playground::scenario::parse(&text).unwrap();
    let mut e = partition_playground::engine::Engine::new(&s);
    e.apply(partition_playground::engine::Command::Produce(partition_playground::engine::command::Produce{producer:"producer".into(), topic:"orders".into(), key:Some("key1".into()), value:"hello".into(), count:5, partition:None, acks:None})).unwrap();
    e.advance_to(s.until_ms);
    for ev in e.events_since(0) { println!("{:>6} {}", ev.at_ms, e.explain(ev)); }
    let v = e.view(Default::default());
    for p in &v.partitions { println!("{} leader {:?} epoch {} isr {:?}", p.name, p.leader, p.leader_epoch, p.isr); for r in &p.replica_states { println!("   b{} {:?} leo {} hw {}", r.broker, r.role, r.log_end_offset, r.high_watermark);} }
    println!("hash {:x} unexpected {}", e.state_hash(), e.unexpected_violations());
}
