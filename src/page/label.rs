//! Names cut to fit a box without losing what tells them apart: a partition keeps its number. And
//! simulated times as the log and the panels write them.

/// The one word a broker's tile says at the summary scale (the page's diagram and the SVG): why it
/// is not serving, or nothing while it serves.
pub fn tile_state(b: &crate::engine::BrokerView) -> &'static str {
    use crate::engine::ProcessState;
    match (b.process, b.fenced) {
        (ProcessState::Running, false) if b.stalled => "slow",
        (ProcessState::Running, false) => "",
        (ProcessState::Running, true) => "fenced",
        (ProcessState::Crashed, _) | (ProcessState::Stopped, _) | (ProcessState::Paused, _) => b.process.as_str(),
    }
}

/// The partition's preferred leader (`replicas[0]`, kafka-model §3.1) and whether it leads now.
pub fn preferred_leader(p: &crate::engine::PartitionView) -> String {
    match p.replicas.first() {
        Some(r) if p.leader == Some(*r) => format!("broker {r} (replicas[0]), leading"),
        Some(r) => format!("broker {r} (replicas[0]), not leading"),
        None => "none".into(),
    }
}

/// A simulated time to the millisecond: `9.003 s`.
pub fn seconds(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1000, ms % 1000)
}

/// `name` in at most `chars_max` characters (at least 3), cut with an ellipsis.
pub fn fit(name: &str, chars_max: usize) -> String {
    let max = chars_max.max(3);
    if name.chars().count() <= max {
        return name.to_string();
    }
    let cut: String = name.chars().take(max - 1).collect();
    format!("{cut}…")
}

/// A partition's name (`topic-N`) in at most `chars_max` characters: the topic is cut, never the
/// partition number, so twelve partitions of `payments-events` read `payments…-0` to `payments…-11`
/// instead of twelve identical `payments-ev…`.
pub fn partition(name: &str, chars_max: usize) -> String {
    if name.chars().count() <= chars_max {
        return name.to_string();
    }
    let Some((topic, number)) = name.rsplit_once('-') else { return fit(name, chars_max) };
    // "-N" and at least two characters of the topic and the ellipsis.
    let topic_max = chars_max.saturating_sub(number.chars().count() + 1).max(3);
    format!("{}-{number}", fit(topic, topic_max))
}

/// A replica's info line (its LEO and HW, and "∉ISR" out of the ISR) in at most `chars_max`
/// characters: the words go before the numbers do, since the numbers are what a person compares
/// between the rows of a partition (the row's style marks the ISR state too).
pub fn replica_info(leo: u64, hw: u64, in_isr: bool, chars_max: usize) -> String {
    let osr = if in_isr { "" } else { " · ∉ISR" };
    let candidates =
        [format!("LEO {leo} · HW {hw}{osr}"), format!("LEO {leo} · HW {hw}"), format!("LEO {leo} HW {hw}")];
    match candidates.iter().find(|c| c.chars().count() <= chars_max) {
        Some(c) => c.clone(),
        None => fit(&format!("{leo}/{hw}"), chars_max),
    }
}

/// The requests parked at a replica's broker for its partition, in words, or `None`: acks=all
/// produces wait for the high watermark to pass their records (every member of the leader's ISR
/// has them, kafka-model §4.6), fetches for new data (§3.4).
pub fn waiting(r: &crate::engine::ReplicaView) -> Option<String> {
    let plural = |n: u32, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    let mut parts = Vec::new();
    if r.parked_produces > 0 {
        let n = plural(r.parked_produces, "produce request", "produce requests");
        parts.push(format!("{n} (acks=all) waiting for the high watermark"));
    }
    if r.parked_fetches > 0 {
        parts.push(format!("{} waiting for new data", plural(r.parked_fetches, "fetch", "fetches")));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The leader's HW in the partitions table, with the acks=all produce requests that wait for it
/// (`5 · 2 produce requests waiting`); parked fetches are a leader's idle state, not said here.
pub fn high_watermark_cell(leader: &crate::engine::ReplicaView) -> String {
    match leader.parked_produces {
        0 => leader.high_watermark.to_string(),
        1 => format!("{} · 1 produce request waiting", leader.high_watermark),
        n => format!("{} · {n} produce requests waiting", leader.high_watermark),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replica_info_line_drops_words_before_numbers() {
        assert_eq!(replica_info(12, 10, false, 30), "LEO 12 · HW 10 · ∉ISR");
        assert_eq!(replica_info(12, 10, false, 14), "LEO 12 · HW 10");
        assert_eq!(replica_info(120, 100, true, 14), "LEO 120 HW 100");
        assert_eq!(replica_info(120_000, 100_000, true, 14), "120000/100000");
        assert_eq!(replica_info(1_200_000, 1_000_000, true, 12), "1200000/100…");
    }

    #[test]
    fn short_names_are_kept_whole() {
        assert_eq!(partition("orders-0", 12), "orders-0");
        assert_eq!(partition("orders-11", 9), "orders-11");
    }

    #[test]
    fn a_long_topic_is_cut_and_the_partition_number_kept() {
        let labels: Vec<String> = (0..12).map(|i| partition(&format!("payments-events-{i}"), 11)).collect();
        assert_eq!(labels[0], "payments…-0");
        assert_eq!(labels[11], "payment…-11");
        for (i, l) in labels.iter().enumerate() {
            assert!(l.chars().count() <= 11, "{l}");
            assert!(l.ends_with(&format!("-{i}")), "{l}");
        }
        // Twelve distinct labels: a person can tell the partitions apart.
        let mut unique = labels.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 12);
    }

    #[test]
    fn a_tiny_box_still_shows_the_number() {
        assert_eq!(partition("payments-events-7", 4), "pa…-7");
        assert_eq!(fit("controller", 2), "co…");
    }

    fn replica(parked_produces: u32, parked_fetches: u32) -> crate::engine::ReplicaView {
        crate::engine::ReplicaView {
            broker: crate::engine::BrokerId(1),
            role: crate::engine::ReplicaRole::Leader,
            log_start_offset: 0,
            log_end_offset: 9,
            high_watermark: 5,
            leader_epoch: 0,
            in_isr: true,
            in_elr: false,
            power_lost: None,
            maximal_isr: None,
            leader_epoch_start_offset: None,
            last_caught_up_ms: None,
            caught_up: None,
            parked_produces,
            parked_fetches,
            epoch_cache: vec![],
            log_omitted: 0,
            log: vec![],
        }
    }

    #[test]
    fn parked_requests_are_said_on_the_partition_and_the_replica() {
        assert_eq!(high_watermark_cell(&replica(0, 2)), "5", "waiting fetches are a leader's idle state");
        assert_eq!(high_watermark_cell(&replica(2, 0)), "5 · 2 produce requests waiting");
        assert_eq!(waiting(&replica(0, 0)), None);
        assert_eq!(
            waiting(&replica(1, 2)).as_deref(),
            Some("1 produce request (acks=all) waiting for the high watermark, 2 fetches waiting for new data")
        );
    }
}
