//! Eligible Leader Replicas (KIP-966 Part 1, kafka-model §4.9) in the controller's partition
//! changes: the parts of Kafka's `PartitionChangeBuilder` that the feature
//! `eligible.leader.replicas.version=1` switches on, and `handleBrokerUncleanShutdown`.

use super::super::ids::BrokerId;
use super::super::metadata::PartitionRecord;
use super::ordered_like;

/// What one partition change needs to know of ELR.
#[derive(Clone, Copy, Debug)]
pub struct ElrRules {
    pub enabled: bool,
    /// The topic's effective `min.insync.replicas`.
    pub min_isr: usize,
    /// The broker whose unclean shutdown this change answers (`setUncleanShutdownReplicas`): it is
    /// kept out of the ELR and may not lead.
    pub unclean_shutdown: Option<BrokerId>,
}

impl ElrRules {
    #[cfg(test)]
    pub const OFF: ElrRules = ElrRules { enabled: false, min_isr: 1, unclean_shutdown: None };
}

/// `maybePopulateTargetElr`: while the target ISR is below min ISR, every replica that was in the ISR
/// or the ELR and is not in the target ISR is eligible (the HW cannot move below min ISR, so it holds
/// every committed record), except a broker that shut down uncleanly; at or above min ISR, none.
pub fn target_elr(record: &PartitionRecord, target_isr: &[BrokerId], rules: &ElrRules) -> Vec<BrokerId> {
    if !rules.enabled || target_isr.len() >= rules.min_isr {
        return Vec::new();
    }
    let candidate = |b: &BrokerId| {
        (record.elr.contains(b) || record.isr.contains(b))
            && !target_isr.contains(b)
            && rules.unclean_shutdown != Some(*b)
    };
    let members: Vec<BrokerId> = record.replicas.iter().copied().filter(candidate).collect();
    ordered_like(&members, &record.replicas)
}

/// `isValidNewLeader`: an ISR member, or an ELR member when the ISR is empty.
pub fn may_lead_cleanly(next: &PartitionRecord, broker: BrokerId) -> bool {
    next.isr.contains(&broker) || (next.isr.is_empty() && next.elr.contains(&broker))
}

/// `canElectLastKnownLeader`: with ISR and ELR both empty, the single `lastKnownElr` entry (the last
/// leader), counted as an unclean election. Kafka's code (kafka-model §11.4) returns it even when it
/// is not alive; the 4.0 documentation says it must be unfenced, which is what `acceptable` checks.
pub fn last_known_leader(
    record: &PartitionRecord,
    next: &PartitionRecord,
    acceptable: impl Fn(BrokerId) -> bool,
) -> Option<BrokerId> {
    match record.last_known_elr.as_slice() {
        [leader] if next.isr.is_empty() && next.elr.is_empty() && acceptable(*leader) => Some(*leader),
        _ => None,
    }
}

/// `maybeUpdateRecordElr` and `maybeUpdateLastKnownLeader` once the leader is chosen: an unclean
/// election (or the feature off) clears the ELR; the last leader is remembered when the ISR first
/// becomes empty, and forgotten once the partition has a leader.
pub fn settle(record: &PartitionRecord, next: &mut PartitionRecord, unclean: bool, rules: &ElrRules) {
    if unclean || !rules.enabled {
        next.elr.clear();
    }
    if !rules.enabled {
        next.last_known_elr.clear();
        return;
    }
    let isr_emptied = next.isr.is_empty() && !record.isr.is_empty();
    match record.leader {
        Some(last) if isr_emptied && record.last_known_elr != [last] => next.last_known_elr = vec![last],
        _ if next.leader.is_some() => next.last_known_elr.clear(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::ids::PartitionIdx;
    use super::super::super::metadata::LeaderRecoveryState;
    use super::*;

    fn ids(list: &[u32]) -> Vec<BrokerId> {
        list.iter().map(|b| BrokerId(*b)).collect()
    }

    fn record(isr: &[u32], elr: &[u32]) -> PartitionRecord {
        PartitionRecord {
            partition: PartitionIdx(0),
            replicas: ids(&[1, 2, 3]),
            isr: ids(isr),
            leader: isr.first().map(|b| BrokerId(*b)),
            leader_epoch: 0,
            partition_epoch: 0,
            leader_recovery_state: LeaderRecoveryState::Recovered,
            elr: ids(elr),
            last_known_elr: Vec::new(),
            adding_replicas: Vec::new(),
            removing_replicas: Vec::new(),
            offset: 1,
        }
    }

    const ON: ElrRules = ElrRules { enabled: true, min_isr: 2, unclean_shutdown: None };

    /// kafka-model §9 TC-10, min ISR 2: 3 leaves while the ISR stays at min ISR (no ELR), 2 leaves
    /// below it (ELR {2}), 1 leaves last (ELR {1, 2}); a broker that shut down uncleanly is kept out.
    #[test]
    fn the_elr_holds_what_left_the_isr_below_min_isr_and_never_an_unclean_shutdown() {
        assert_eq!(target_elr(&record(&[1, 2, 3], &[]), &ids(&[1, 2]), &ON), ids(&[]));
        assert_eq!(target_elr(&record(&[1, 2], &[]), &ids(&[1]), &ON), ids(&[2]));
        assert_eq!(target_elr(&record(&[1], &[2]), &ids(&[]), &ON), ids(&[1, 2]));
        let unclean = ElrRules { unclean_shutdown: Some(BrokerId(2)), ..ON };
        assert_eq!(target_elr(&record(&[], &[1, 2]), &ids(&[]), &unclean), ids(&[1]));
        assert_eq!(target_elr(&record(&[1], &[2]), &ids(&[1, 3]), &ON), ids(&[]), "back at min ISR: cleared");
        assert_eq!(target_elr(&record(&[1, 2], &[]), &ids(&[1]), &ElrRules::OFF), ids(&[]), "feature off");
    }

    #[test]
    fn an_elr_member_leads_only_while_the_isr_is_empty() {
        assert!(may_lead_cleanly(&record(&[], &[1, 2]), BrokerId(2)));
        assert!(!may_lead_cleanly(&record(&[1], &[2]), BrokerId(2)));
        assert!(may_lead_cleanly(&record(&[1], &[2]), BrokerId(1)));
    }

    #[test]
    fn the_last_leader_is_remembered_when_the_isr_empties_and_forgotten_under_a_new_leader() {
        let before = record(&[1], &[2]);
        let mut next = record(&[], &[1, 2]);
        next.leader = None;
        settle(&before, &mut next, false, &ON);
        assert_eq!(next.last_known_elr, ids(&[1]));
        let leaderless = next.clone();
        let mut elected = record(&[2], &[1]);
        elected.last_known_elr = ids(&[1]);
        settle(&leaderless, &mut elected, false, &ON);
        assert_eq!(elected.last_known_elr, ids(&[]));
        // With ISR and ELR empty, the last known leader may lead once it is acceptable.
        let mut empty = leaderless.clone();
        empty.elr.clear();
        assert_eq!(last_known_leader(&leaderless, &empty, |_| true), Some(BrokerId(1)));
        assert_eq!(last_known_leader(&leaderless, &empty, |_| false), None);
        assert_eq!(last_known_leader(&leaderless, &leaderless, |_| true), None, "the ELR is not empty");
    }
}
