//! The rules of a scenario's cluster-wide settings: the controller quorum and the features.

use super::fail;
use crate::engine::config::BrokerConfig;
use crate::engine::error::CommandError;
use crate::engine::quorum::FIRST_CONTROLLER_ID;
use crate::engine::setup::{BrokerSpec, ClusterFeatures};

/// kafka-model §2.2: 1, 3 or 5 voters (an odd number: a majority survives (n - 1) / 2 losses);
/// combined voters are brokers; separate ones take `node.id`s 3001... that no broker may have.
pub(super) fn check_quorum(c: &BrokerConfig, brokers: &[BrokerSpec]) -> Result<(), CommandError> {
    let n = c.controller_quorum_voters;
    if !matches!(n, 1 | 3 | 5) {
        return fail("controller.quorum.voters", format!("1, 3 or 5 controller voters, found {n}"));
    }
    if c.process_roles_combined {
        if brokers.len() < n as usize {
            let reason = format!("combined mode runs the {n} voters on brokers, and the cluster has {}", brokers.len());
            return fail("process.roles", reason);
        }
        return Ok(());
    }
    let last = FIRST_CONTROLLER_ID + n - 1;
    if let Some(b) = brokers.iter().find(|b| (FIRST_CONTROLLER_ID..=last).contains(&b.id.0)) {
        let reason = format!(
            "the separate controllers take node.id {}..{last}, and broker {} has one of them (node.id is unique)",
            FIRST_CONTROLLER_ID, b.id
        );
        return fail("controller.quorum.voters", reason);
    }
    Ok(())
}

/// kafka-model §4.9: `eligible.leader.replicas.version` has levels 0 and 1 (`kafka-features.sh`
/// refuses a level the software does not support).
pub(super) fn check_features(f: ClusterFeatures) -> Result<(), CommandError> {
    let v = f.eligible_leader_replicas_version;
    if v > 1 {
        let reason = format!("is 0 (off, Kafka 4.0's default) or 1 (Eligible Leader Replicas on), found {v}");
        return fail("eligible.leader.replicas.version", reason);
    }
    Ok(())
}
