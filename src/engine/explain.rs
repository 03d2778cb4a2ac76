//! One line per event, in Kafka's words: what happened and why.

use super::catalog::Catalog;
use super::command::{ElectionType, SeekTo};
use super::config::Acks;
use super::event::{
    ChangeReason, ClusterEvent, ConsumerException, ControllerEpoch, ElrElection, EventKind, LeftReplica,
};
use super::ids::*;
use super::log::RetentionBreach;
use super::message::{ErrorCode, OffsetSpec};
use super::reassignment;

fn list(brokers: &[BrokerId]) -> String {
    let names: Vec<String> = brokers.iter().map(|b| b.to_string()).collect();
    format!("[{}]", names.join(", "))
}

/// `1 record`, `3 records`.
fn records(count: u32) -> String {
    if count == 1 {
        "1 record".into()
    } else {
        format!("{count} records")
    }
}

/// `offset 4`, `offsets 4..6` (inclusive, as the log shows them).
fn offsets(base: Offset, count: u32) -> String {
    match count {
        0 | 1 => format!("offset {base}"),
        n => format!("offsets {base}..{}", base + u64::from(n) - 1),
    }
}

fn node(catalog: &Catalog, n: NodeId) -> String {
    match n {
        NodeId::Controller => "the controller".into(),
        NodeId::ControllerNode(id) => format!("controller {id}"),
        NodeId::Broker(b) => format!("broker {b}"),
        NodeId::Producer(c) => format!("producer {}", catalog.producers.get(c.0 as usize).map_or("?", |s| s.as_str())),
        NodeId::Consumer(c) => format!("consumer {}", catalog.consumers.get(c.0 as usize).map_or("?", |s| s.as_str())),
    }
}

fn reason(r: &ChangeReason, session_ms: Millis) -> String {
    match r {
        ChangeReason::BrokerFenced(b) => {
            format!("controller fenced broker {b} (no heartbeat for {session_ms} ms)")
        }
        ChangeReason::ControlledShutdown(b) => {
            format!("broker {b} is shutting down (controlled shutdown)")
        }
        ChangeReason::BrokerUnfenced(b) => format!("broker {b} is back (unfenced)"),
        ChangeReason::UncleanSweep => "the controller's unclean-election sweep".into(),
        ChangeReason::TopicCreated => "topic created".into(),
        ChangeReason::AlterPartition(b) => format!("AlterPartition from leader {b}"),
        ChangeReason::UncleanShutdown(b) => format!("broker {b} registered after an unclean shutdown"),
        ChangeReason::MinIsrChanged => "min.insync.replicas changed".into(),
        ChangeReason::Reassignment => "partition reassignment (kafka-reassign-partitions.sh)".into(),
        ChangeReason::ReassignmentCancelled => "reassignment cancelled (kafka-reassign-partitions.sh --cancel)".into(),
        ChangeReason::LeaderImbalanceCheck => {
            "the controller's leader imbalance check (auto.leader.rebalance.enable) runs a PREFERRED election".into()
        }
        ChangeReason::ElectLeaders(t) => format!("kafka-leader-election.sh --election-type {}", t.as_str()),
    }
}

/// kafka-model §4.9, in the controller's terms (`PartitionChangeBuilder`).
fn elr_changed(
    partition: &str,
    elr: &[BrokerId],
    last_known: &[BrokerId],
    isr: &[BrokerId],
    elected: ElrElection,
    why: String,
) -> String {
    let how = match elected {
        ElrElection::FromElr(b) => format!(
            "; broker {b} was elected from the ELR (a clean election: it left the ISR while the ISR was below \
             min.insync.replicas, when the HW could no longer move, so it holds every committed record)"
        ),
        ElrElection::LastKnownLeader(b) => format!(
            "; ISR and ELR were empty, so the controller elected the last known leader {b} (lastKnownElr), \
             which Kafka counts as an unclean election"
        ),
        ElrElection::None => String::new(),
    };
    let state = match (elr, last_known) {
        ([], []) => "no Eligible Leader Replicas".to_string(),
        (_, []) => format!("Eligible Leader Replicas {}", list(elr)),
        _ => format!("Eligible Leader Replicas {}, last known leader {}", list(elr), list(last_known)),
    };
    format!("{why}; {partition} now has ISR {} and {state}{how}", list(isr))
}

/// `no ISR member of [1]`; with ELR an empty ISR leaves the ELR to lead (kafka-model §4.9).
fn no_member(isr: &[BrokerId]) -> String {
    match isr {
        [] => "the ISR is empty and no Eligible Leader Replica".into(),
        _ => format!("no ISR member of {}", list(isr)),
    }
}

/// The leader imbalance check (kafka-model §3.8): what it found and did, and when it runs next.
fn imbalance_checked(imbalanced: u32, elected: u32, capped: bool, interval_s: u64) -> String {
    let mut line = format!(
        "the controller's leader imbalance check: {imbalanced} partition(s) not led by their preferred replica \
         (replicas[0]); {elected} PREFERRED election(s) move leadership back"
    );
    if capped {
        line += "; it stopped at MAX_ELECTIONS_PER_IMBALANCE (1000) and runs again at once";
    } else if elected < imbalanced {
        line += &format!(
            "; the others stay as they are: their preferred replica is not in the ISR or cannot lead, and the check \
             runs again in {interval_s} s (leader.imbalance.check.interval.seconds)"
        );
    }
    line
}

/// The controller's answer for one partition of ElectLeaders (`ReplicationControlManager.electLeader`).
fn elect_leaders_answer(
    partition: &str,
    election_type: ElectionType,
    error: Option<ErrorCode>,
    preferred: BrokerId,
    leader: Option<BrokerId>,
    isr: &[BrokerId],
) -> String {
    let head = format!("ElectLeaders ({}) for {partition}", election_type.as_str());
    let why = match (election_type, error) {
        (ElectionType::Preferred, None) if isr.contains(&preferred) => {
            format!("its preferred replica, broker {preferred} (replicas[0]), is in the ISR {} and can lead", list(isr))
        }
        (ElectionType::Preferred, None) => format!(
            "it has no leader and its preferred replica, broker {preferred}, cannot lead: the next replica of the ISR {} \
             that can is elected",
            list(isr)
        ),
        (ElectionType::Preferred, Some(_)) if leader == Some(preferred) => {
            format!("its preferred replica, broker {preferred} (replicas[0]), already leads")
        }
        (ElectionType::Preferred, Some(_)) if !isr.contains(&preferred) => {
            format!("its preferred replica, broker {preferred} (replicas[0]), is not in the ISR {}", list(isr))
        }
        (ElectionType::Preferred, Some(_)) => {
            format!("its preferred replica, broker {preferred} (replicas[0]), is fenced or shutting down")
        }
        (ElectionType::Unclean, None) => "it has no leader: the controller elects a live replica, from outside the \
                                          ISR if it must (see the election)"
            .into(),
        (ElectionType::Unclean, Some(_)) if leader.is_some() => {
            "it has a leader; an unclean election is only for a partition without one".into()
        }
        (ElectionType::Unclean, Some(_)) => "no replica of it can lead (all fenced or shutting down)".into(),
    };
    match error {
        None => format!("{head}: success; {why}"),
        Some(e) => format!("{head}: {e}: {why}"),
    }
}

/// Why no replica leads (kafka-model §3.2 step 5, §4.8), from the controller's view when it decided:
/// whether unclean election is enabled and which out-of-sync replicas could lead.
pub(super) fn no_leader(isr: &[BrokerId], unclean_enabled: bool, available: &[BrokerId]) -> String {
    match (unclean_enabled, available) {
        (false, []) => format!(
            "{} can lead (fenced or shutting down), no other replica is available either, and \
             unclean.leader.election.enable=false",
            no_member(isr)
        ),
        (false, _) => format!(
            "{} can lead (fenced or shutting down); replicas {} are available but out of sync, and \
             unclean.leader.election.enable=false keeps them from leading",
            no_member(isr),
            list(available)
        ),
        (true, []) => format!(
            "no replica can lead (the ISR {} and every other replica are fenced or shutting down), so not even an \
             unclean election (unclean.leader.election.enable=true) can pick a leader",
            list(isr)
        ),
        (true, _) => format!(
            "{} can lead (fenced or shutting down); out-of-sync replicas {} are available and \
             unclean.leader.election.enable=true, so an unclean election can pick one",
            no_member(isr),
            list(available)
        ),
    }
}

/// `broker 1, leader of t-0 at epoch 0` or, when the controller has moved on (kafka-model §7.4),
/// `broker 1, a stale leader of t-0 (its leader epoch 0; the controller's is 1)`.
fn leader_as_it_believes(
    broker: BrokerId,
    partition: &str,
    leader_epoch: LeaderEpoch,
    controller: ControllerEpoch,
) -> String {
    match controller.newer_than(leader_epoch) {
        Some(current) => {
            format!("broker {broker}, a stale leader of {partition} (its leader epoch {leader_epoch}; the controller's is {current}),")
        }
        None => format!("broker {broker}, leader of {partition} at epoch {leader_epoch},"),
    }
}

fn proposer(leader: BrokerId, partition: &str, leader_epoch: LeaderEpoch, controller: ControllerEpoch) -> String {
    match controller.newer_than(leader_epoch) {
        Some(_) => format!("broker {leader}, a stale leader of {partition},"),
        None => format!("leader {leader} of {partition}"),
    }
}

/// kafka-model §4.5: the controller refuses an AlterPartition with an older leader epoch.
fn stale_proposal(leader_epoch: LeaderEpoch, controller: ControllerEpoch) -> String {
    controller.newer_than(leader_epoch).map_or(String::new(), |current| {
        format!(
            "; its AlterPartition carries leader epoch {leader_epoch}, older than the controller's {current}, so it cannot \
             change the ISR (FENCED_LEADER_EPOCH if it arrives)"
        )
    })
}

/// What an AlterPartition error means (`validateAlterPartitionData`, kafka-model §4.5).
fn alter_partition_error(error: ErrorCode) -> &'static str {
    match error {
        ErrorCode::FencedLeaderEpoch => {
            "its leader epoch is older than the partition's, and a stale leader cannot change the ISR"
        }
        ErrorCode::InvalidUpdateVersion => "its partition epoch is out of date (the partition changed meanwhile)",
        ErrorCode::IneligibleReplica => {
            "a proposed member is fenced, shutting down or registered with another broker epoch"
        }
        ErrorCode::InvalidRequest => {
            "the sender is not the partition's leader at that epoch, or the ISR lacks the leader or names a non-replica"
        }
        _ => "the ISR stays as it was",
    }
}

/// What happens to a request whose batch the idempotence check found in the log (kafka-model §5.3,
/// §5.6): the same as to the original, at the original offsets.
fn duplicate_answer(acks: Acks, base_offset: Offset, count: u32, high_watermark: Offset) -> String {
    let end = base_offset + u64::from(count.max(1));
    match acks {
        Acks::None => "acks=0: no answer".into(),
        Acks::Leader => format!("acks=1: it answers with the original offset {base_offset}"),
        Acks::All if high_watermark >= end => {
            format!("acks=all: the high watermark {high_watermark} has passed it, so it answers with the original offset {base_offset}")
        }
        Acks::All => format!(
            "acks=all: like the original, the request waits until the high watermark (now {high_watermark}) passes offset {}",
            end - 1
        ),
    }
}

/// Why a consumer left its preferred read replica (kafka-model §6.2 (a)–(d)).
fn left_replica(why: LeftReplica, replica: BrokerId, leader_epoch: LeaderEpoch) -> String {
    match why {
        LeftReplica::LeaseEnded => "its lease on it ended (metadata.max.age.ms)".into(),
        LeftReplica::ConnectionFailed => "the connection to it failed".into(),
        LeftReplica::OffsetOutOfRange => {
            "it answered OFFSET_OUT_OF_RANGE (it does not hold the offset yet), so no reset".into()
        }
        LeftReplica::NotInMetadata => "metadata no longer lists its broker".into(),
        LeftReplica::Error(ErrorCode::FencedLeaderEpoch) => format!(
            "it answered FENCED_LEADER_EPOCH (broker {replica} knows a newer leader epoch than the consumer's {leader_epoch})"
        ),
        LeftReplica::Error(error) => format!("it answered {error}"),
        LeftReplica::LeaderChanged => "metadata names a new leader or leader epoch".into(),
    }
}

/// Where a consumer that left its preferred read replica fetches next: the leader its metadata
/// names, refreshed first after an error or a failed connection (kafka-model §5.5, §6.2).
fn next_fetch(why: LeftReplica, replica: BrokerId, leader: Option<BrokerId>, leader_epoch: LeaderEpoch) -> String {
    let refresh = matches!(why, LeftReplica::ConnectionFailed | LeftReplica::Error(_));
    match (leader, refresh) {
        (Some(l), _) if why == LeftReplica::LeaderChanged => {
            format!("its next request goes to the leader, broker {l} (epoch {leader_epoch})")
        }
        (Some(l), _) if l == replica => format!("its metadata names broker {l} the leader, so it fetches from it as the leader"),
        (Some(l), false) => format!("it fetches from the leader, broker {l} (epoch {leader_epoch})"),
        (Some(l), true) => format!(
            "next it fetches from the leader its refreshed metadata names (broker {l} at epoch {leader_epoch} before the refresh)"
        ),
        (None, _) => "it refreshes metadata to find a leader to fetch from".into(),
    }
}

/// What a ListOffsets' offset is (kafka-model §6.3).
fn offset_meaning(spec: OffsetSpec) -> &'static str {
    match spec {
        OffsetSpec::Earliest => "its log start",
        OffsetSpec::Latest => "its high watermark",
    }
}

/// A consumer's ListOffsets or OffsetsForLeaderEpoch refused, and Kafka's retry (`OffsetFetcher`).
fn lookup_error(error: ErrorCode, broker: BrokerId, retry_ms: Millis) -> String {
    let why = match error {
        ErrorCode::OffsetNotAvailable => {
            format!(": broker {broker}, a new leader, has its high watermark behind its epoch's start offset")
        }
        ErrorCode::FencedLeaderEpoch => format!(": broker {broker} has a newer leader epoch"),
        ErrorCode::UnknownLeaderEpoch => format!(": broker {broker} has an older leader epoch"),
        ErrorCode::NotLeaderOrFollower => format!(": broker {broker} does not lead it"),
        _ => String::new(),
    };
    format!("{error}{why}; retried in {retry_ms} ms (retry.backoff.ms) with fresh metadata")
}

/// The explanation of an event.
pub fn explain(catalog: &Catalog, event: &ClusterEvent) -> String {
    use EventKind::*;
    let pn = |p: &PartitionIdx| catalog.partition_name(*p);
    let producer = |c: &ClientIdx| catalog.producers.get(c.0 as usize).cloned().unwrap_or_default();
    let consumer = |c: &ClientIdx| catalog.consumers.get(c.0 as usize).cloned().unwrap_or_default();
    let session_ms = catalog.config.broker_session_timeout_ms;
    match &event.kind {
        ControllerCrashed { .. }
        | ControllerRestarted { .. }
        | ControllerElected { .. }
        | ControllerResigned { .. }
        | QuorumLost { .. }
        | QuorumRestored { .. } => super::quorum::explain(&event.kind).unwrap_or_default(),
        BrokerCrashed { broker } => format!("broker {broker} crashed (process killed; its log survives on disk)"),
        BrokerStarted { broker } => format!("broker {broker} started; it registers with the controller and catches up on metadata"),
        BrokerRegistered { broker, broker_epoch } => {
            format!("controller registered broker {broker} with broker epoch {broker_epoch}; it stays fenced until caught up on metadata")
        }
        RegistrationRejected { broker, error } => {
            format!("controller rejected broker {broker}'s registration ({error}): its previous session has not expired yet")
        }
        BrokerFenced { broker, silent_ms } => {
            format!("controller fenced broker {broker}: no heartbeat for {silent_ms} ms (broker.session.timeout.ms = {session_ms})")
        }
        BrokerUnfenced { broker } => format!("controller unfenced broker {broker}: it heartbeats and has caught up on metadata"),
        ControlledShutdownStarted { broker } => {
            format!("broker {broker} asked to shut down: the controller moves its leaderships away and removes it from every ISR")
        }
        ControlledShutdownGranted { broker, lowest_active_offset: Some(low), shutdown_offset: at } => format!(
            "controller granted broker {broker}'s controlled shutdown (SHUTDOWN_NOW): the active brokers' lowest \
             reported metadata offset {low} includes the move of its leaderships (offset {at}); until now it kept serving"
        ),
        ControlledShutdownGranted { broker, lowest_active_offset: None, .. } => format!(
            "controller granted broker {broker}'s controlled shutdown (SHUTDOWN_NOW): no other broker is active, so \
             none can still send clients to it; until now it kept serving"
        ),
        BrokerShutDown { broker } => format!("broker {broker} shut down cleanly"),
        BrokerPoweredOff { broker } => format!(
            "broker {broker} lost power (machine crash): the process died and the page cache with it, so each \
             replica keeps only what was flushed to disk; it will register without a PreviousBrokerEpoch"
        ),
        UnflushedSuffixLost { broker, partition, from, to, flushed_before_ms } => format!(
            "broker {broker} lost offsets {from}..{} of {} in the power loss: appended after {flushed_before_ms} ms, \
             they were still in the page cache (Kafka does not fsync each write; the OS writes dirty pages back \
             after about 30 s)",
            to - 1,
            pn(partition)
        ),
        UncleanShutdownDetected { broker, partitions } => {
            let names: Vec<String> = partitions.iter().map(&pn).collect();
            format!(
                "broker {broker} registered without a PreviousBrokerEpoch matching its last registration (no \
                 clean-shutdown file: kill -9 or power loss), so the controller treats it as an unclean shutdown and \
                 removes it from every ELR (handleBrokerUncleanShutdown){}",
                if names.is_empty() { String::new() } else { format!(": {}", names.join(", ")) }
            )
        }
        ElrChanged { partition, elr, last_known_elr, isr, elected, reason: why } => {
            elr_changed(&pn(partition), elr, last_known_elr, isr, *elected, reason(why, session_ms))
        }
        LeaderElected { partition, leader, previous, leader_epoch, isr, unclean, reason: why } => {
            let prev = previous.map_or(String::new(), |p| format!(" (previous leader: broker {p})"));
            if *unclean {
                format!(
                    "{}; UNCLEAN election: broker {leader} leads {} at epoch {leader_epoch}{prev} although it was not in the ISR; \
                     any records it lacks are lost, ISR {}",
                    reason(why, session_ms),
                    pn(partition),
                    list(isr)
                )
            } else {
                format!(
                    "{}; elected broker {leader} leader of {}, epoch {leader_epoch}{prev}, from ISR {}",
                    reason(why, session_ms),
                    pn(partition),
                    list(isr)
                )
            }
        }
        PartitionOffline {
            partition,
            leader_epoch,
            isr,
            reason: why,
            unclean_leader_election_enable,
            available_out_of_sync,
        } => format!(
            "{}; {} has no leader (epoch {leader_epoch}): {}",
            reason(why, session_ms),
            pn(partition),
            no_leader(isr, *unclean_leader_election_enable, available_out_of_sync)
        ),
        IsrShrunk { partition, removed, isr, partition_epoch, reason: why } => format!(
            "{}: removed {} from the ISR of {}; ISR now {} (partition epoch {partition_epoch})",
            reason(why, session_ms),
            list(removed),
            pn(partition),
            list(isr)
        ),
        IsrExpanded { partition, added, isr, partition_epoch } => format!(
            "controller added {} to the ISR of {}; ISR now {} (partition epoch {partition_epoch})",
            list(added),
            pn(partition),
            list(isr)
        ),
        IsrShrinkProposed { partition, leader, removed, lag_time_max_ms, leader_epoch, controller } => format!(
            "{} proposes removing {} from the ISR: not caught up for more than {lag_time_max_ms} ms \
             (replica.lag.time.max.ms){}",
            proposer(*leader, &pn(partition), *leader_epoch, *controller),
            list(removed),
            stale_proposal(*leader_epoch, *controller)
        ),
        IsrExpandProposed {
            partition,
            leader,
            added,
            follower_leo,
            high_watermark,
            leader_epoch_start_offset: leso,
            leader_epoch,
            controller,
        } => {
            // kafka-model §4.4: the LESO matters when a new leader's HW is still below it (KAFKA-7128).
            let leso = if leso > high_watermark {
                format!(" and the leader epoch start offset {leso}")
            } else {
                String::new()
            };
            format!(
                "{} proposes adding broker {added} to the ISR: its LEO {follower_leo} reached the HW {high_watermark}{leso}{}",
                proposer(*leader, &pn(partition), *leader_epoch, *controller),
                stale_proposal(*leader_epoch, *controller)
            )
        }
        AlterPartitionRejected { partition, leader, error, leader_epoch } => format!(
            "controller rejected AlterPartition from broker {leader} for {} (leader epoch {leader_epoch}) with {error}: {}",
            pn(partition),
            alter_partition_error(*error)
        ),
        AlterPartitionAbandoned { partition, broker, proposed_isr, leader_epoch, sends, new_leader_epoch, new_leader } => {
            let sends = if *sends == 1 { "its request got".to_string() } else { format!("none of its {sends} sends got") };
            format!(
                "broker {broker} abandoned its AlterPartition for {} (ISR {} at leader epoch {leader_epoch}): {sends} an \
                 answer, and metadata now shows leader epoch {new_leader_epoch} ({}), which a stale leader cannot change",
                pn(partition),
                list(proposed_isr),
                new_leader.map_or("no leader".to_string(), |l| format!("leader broker {l}"))
            )
        }
        BecameLeader { broker, partition, leader_epoch, start_offset, controller } => match controller.newer_than(*leader_epoch) {
            None => format!(
                "broker {broker} is now leader of {} at epoch {leader_epoch} (leader epoch start offset {start_offset})",
                pn(partition)
            ),
            Some(newer) => format!(
                "broker {broker} became leader of {} at epoch {leader_epoch} only now, from metadata that arrived after a newer election; the controller's epoch is already {newer}: a stale leader until it reads the rest",
                pn(partition)
            ),
        },
        BecameFollower { broker, partition, leader, leader_epoch } => match leader {
            Some(l) => format!("broker {broker} follows broker {l} for {} at epoch {leader_epoch}", pn(partition)),
            None => format!("broker {broker} learned that {} has no leader (epoch {leader_epoch})", pn(partition)),
        },
        LogTruncated { broker, partition, from, to, leader, fetch_offset, last_fetched_epoch, diverging_epoch, end_offset } => {
            let fetch = match last_fetched_epoch {
                Some(e) => format!("its fetch at offset {fetch_offset} with lastFetchedEpoch {e}"),
                None => format!("its fetch at offset {fetch_offset}"),
            };
            match diverging_epoch {
                Some(e) => format!(
                    "broker {broker} truncated {} from {from} to {to}: to {fetch}, leader {leader} answered divergingEpoch {e} with end offset {end_offset} (their logs differ from offset {to})",
                    pn(partition)
                ),
                None => format!(
                    "broker {broker} truncated {} from {from} to {to}: to {fetch}, leader {leader} answered that none of its epochs is as old (its first starts at offset {end_offset}), so nothing above {to} can be trusted",
                    pn(partition)
                ),
            }
        }
        ProduceAcked { producer: p, partition, base_offset, count, acks, attempts } => {
            let retry = if *attempts > 1 { format!(" after {attempts} attempts") } else { String::new() };
            match base_offset {
                Some(o) => format!(
                    "producer {} got acks={} success for {count} record(s) at {}@{o}..{}{retry}",
                    producer(p),
                    acks.as_str(),
                    pn(partition),
                    o + *count as u64 - 1
                ),
                None => format!("producer {} sent {count} record(s) to {} with acks=0 (no answer, offset unknown)", producer(p), pn(partition)),
            }
        }
        ProduceDeduplicated {
            producer: p,
            partition,
            base_offset,
            count,
            broker,
            leader_epoch,
            acks,
            high_watermark,
            controller,
        } => format!(
            "{} found producer {}'s retried batch of {} already in its log at {} (same producer id, epoch and \
             sequence): not appended again; {}",
            leader_as_it_believes(*broker, &pn(partition), *leader_epoch, *controller),
            producer(p),
            records(*count),
            offsets(*base_offset, *count),
            duplicate_answer(*acks, *base_offset, *count, *high_watermark)
        ),
        ProduceRetried { producer: p, partition, error, attempt, broker, shortfall } => {
            // kafka-model §5.4: the ISR and min.insync.replicas the leader compared, as it saw them.
            let why = shortfall.as_ref().map_or(String::new(), |s| {
                let n = s.isr.len();
                let members = if n == 1 { "member" } else { "members" };
                format!(": ISR {} has {n} {members} < min.insync.replicas = {}", list(&s.isr), s.min_insync_replicas)
            });
            // kafka-model §5.6, `ProducerAppendInfo.checkSequence`.
            let why = match error {
                ErrorCode::OutOfOrderSequenceNumber => {
                    ": the leader's last sequence for this producer id and epoch is not the one just before this \
                     batch's (an earlier batch has not reached it)"
                        .to_string()
                }
                _ => why,
            };
            format!(
                "producer {}'s request to {} for {} failed with {error}{why} (attempt {attempt}); it retries",
                producer(p),
                broker.map_or("?".to_string(), |b| format!("broker {b}")),
                pn(partition)
            )
        }
        LeaderAppended { broker, partition, leader_epoch, base_offset, count, controller } => {
            match controller.newer_than(*leader_epoch) {
                // kafka-model §7.4: a produce request carries no leader epoch, so a stale leader appends.
                Some(current) => format!(
                    "broker {broker}, a stale leader of {} (its leader epoch {leader_epoch}; the controller's is {current}), \
                     appended {} at {}",
                    pn(partition),
                    records(*count),
                    offsets(*base_offset, *count)
                ),
                None => format!(
                    "leader {broker} (epoch {leader_epoch}) appended {} to {} at {}; committed once the high watermark passes {}",
                    records(*count),
                    pn(partition),
                    offsets(*base_offset, *count),
                    if *count == 1 { "it" } else { "them" }
                ),
            }
        }
        FollowerFetched { leader, follower, partition, fetch_offset, count, high_watermark } => {
            let holds = match fetch_offset {
                0 => "its log is empty".to_string(),
                o => format!("it holds offsets up to {}", o - 1),
            };
            let got = match count {
                0 => "nothing new to return".to_string(),
                n => format!("it gets {} ({})", records(*n), offsets(*fetch_offset, *n)),
            };
            format!(
                "broker {follower} fetched {} from leader {leader} at fetch offset {fetch_offset} ({holds}); {got}, \
                 with high watermark {high_watermark}",
                pn(partition)
            )
        }
        HighWatermarkAdvanced { broker, partition, from, to, isr, caught_up } => {
            let who = match caught_up.as_slice() {
                [] => format!("ISR {}", list(isr)),
                more => format!("ISR {} and caught-up follower(s) {}", list(isr), list(more)),
            };
            format!(
                "leader {broker} advanced the high watermark of {} from {from} to {to}, the lowest log end offset of {who}; \
                 offsets below {to} are committed",
                pn(partition)
            )
        }
        ProducerRequestTimedOut { producer: p, broker, request_timeout_ms: ms, requests: n } => format!(
            "producer {} had no answer from broker {broker} after request.timeout.ms = {ms} ms: it disconnects \
             (Disconnecting from node {broker} due to request timeout), fails the {n} request(s) in flight on that \
             connection with REQUEST_TIMED_OUT (retriable) and refreshes metadata",
            producer(p)
        ),
        ProducerConnectionFailed { producer: p, broker, timed_out } => {
            let why = if *timed_out {
                let timeout_ms = super::connection::CONNECTION_SETUP_TIMEOUT_MS;
                format!("no answer within socket.connection.setup.timeout.ms = {timeout_ms} ms")
            } else {
                "connection refused: no broker process listens".to_string()
            };
            format!(
                "producer {} could not connect to broker {broker} ({why}): no produce request was sent and no attempt \
                 counts; its batches for broker {broker} wait while it refreshes metadata and reconnects, backing off {} ms \
                 doubling to {} ms (reconnect.backoff.ms, reconnect.backoff.max.ms)",
                producer(p),
                super::connection::RECONNECT_BACKOFF_MS,
                super::connection::RECONNECT_BACKOFF_MAX_MS
            )
        }
        ProduceFailed { producer: p, partition, count, error } => {
            format!("producer {} gave up on {count} record(s) for {}: {error}", producer(p), pn(partition))
        }
        ProducerReconfigured { producer: p, acks, enable_idempotence, producer_id, pending_records } => {
            // kafka-model §5.3, §5.6; KAFKA-13673 for the default.
            let acks = acks.as_str();
            let instance = match (producer_id, enable_idempotence) {
                (Some(id), Some(_)) => {
                    format!("acks={acks} and enable.idempotence=true: new producer id {id}, its sequences start at 0")
                }
                (Some(id), None) => format!(
                    "acks={acks}; enable.idempotence defaults to true with acks=all: new producer id {id}, its sequences start at 0"
                ),
                (None, None) => format!(
                    "acks={acks}; enable.idempotence defaults to false when acks is not all (KAFKA-13673), so its new sends carry no producer id"
                ),
                (None, Some(_)) => {
                    format!("acks={acks} and enable.idempotence=false, so its new sends carry no producer id")
                }
            };
            let closing = match pending_records {
                0 => String::new(),
                n => format!("; its {n} pending record(s) complete with the old settings (close() waits for them)"),
            };
            format!("producer {} was closed and recreated with {instance}{closing}", producer(p))
        }
        ConsumerFetched { consumer: c, partition, from, count, broker, high_watermark } => format!(
            "consumer {} received {count} record(s) of {} from offset {from} via broker {broker} (high watermark {high_watermark})",
            consumer(c),
            pn(partition)
        ),
        ConsumerRedirected { consumer: c, partition, leader, replica } => format!(
            "leader {leader} told consumer {} to fetch {} from broker {replica}, an in-sync replica in the consumer's rack \
             (client.rack, KIP-392)",
            consumer(c),
            pn(partition)
        ),
        ConsumerLeftReplica { consumer: c, partition, replica, why, leader, leader_epoch } => format!(
            "consumer {} stops fetching {} from broker {replica}, its preferred read replica: {}; {}",
            consumer(c),
            pn(partition),
            left_replica(*why, *replica, *leader_epoch),
            next_fetch(*why, *replica, *leader, *leader_epoch)
        ),
        ConsumerPositionReset { consumer: c, partition, from, to, why } => match to {
            Some(to) => format!("consumer {}'s position in {} moved from {from} to {to}: {why}", consumer(c), pn(partition)),
            None => format!(
                "consumer {}'s position {from} in {} was reset ({why}): it looks up the offset auto.offset.reset \
                 names with ListOffsets",
                consumer(c),
                pn(partition)
            ),
        },
        ConsumerLeaderUnknown { consumer: c, partition, spec } => format!(
            "consumer {} cannot ask for the {} offset of {}: its metadata has no leader for it (LEADER_NOT_AVAILABLE); it refreshes metadata and asks once a leader is known",
            consumer(c),
            spec.as_str(),
            pn(partition)
        ),
        ConsumerListOffsets { consumer: c, partition, broker, spec, leader_epoch } => format!(
            "consumer {} asks broker {broker} for the {} offset of {} (ListOffsets, leader epoch {leader_epoch})",
            consumer(c),
            spec.as_str(),
            pn(partition)
        ),
        ConsumerListOffsetsAnswered { consumer: c, partition, broker, spec, offset, error, retry_backoff_ms, dropped } => {
            let asked = format!("broker {broker} answered consumer {}'s ListOffsets({}) for {}", consumer(c), spec.as_str(), pn(partition));
            match (offset, error) {
                _ if *dropped => format!("{asked}: dropped, a seek moved the position since"),
                (Some(offset), _) => format!("{asked}: offset {offset} ({}), fetched from next", offset_meaning(*spec)),
                (None, Some(error)) => format!("{asked} with {}", lookup_error(*error, *broker, *retry_backoff_ms)),
                (None, None) => asked,
            }
        }
        ConsumerValidating { consumer: c, partition, broker, position, epoch, leader_epoch } => format!(
            "leader epoch {leader_epoch}: consumer {} validates its position {position} in {} (KIP-320), asking broker \
             {broker} where epoch {epoch} of its last record ends (OffsetsForLeaderEpoch); no fetch until then",
            consumer(c),
            pn(partition)
        ),
        ConsumerValidated { consumer: c, partition, broker, position, end, error, retry_backoff_ms, dropped } => {
            let asked = format!("broker {broker} answered consumer {}'s OffsetsForLeaderEpoch for {}", consumer(c), pn(partition));
            match (end, error) {
                _ if *dropped => format!("{asked}: dropped, a seek moved the position since"),
                (_, Some(error)) => format!("{asked} with {}", lookup_error(*error, *broker, *retry_backoff_ms)),
                (Some((epoch, end)), _) if end >= position => {
                    format!("{asked}: epoch {epoch} ends at {end}, not below the position {position}: valid")
                }
                (Some((epoch, end)), _) => format!(
                    "{asked}: epoch {epoch} ends at {end}, below the position {position}: truncated, the log differs \
                     from what the consumer read at offsets {end} to {}",
                    position - 1
                ),
                (None, None) => format!("{asked}: no epoch as old, so nothing read below {position} can be matched"),
            }
        }
        ConsumerFailed { consumer: c, partition, exception, position, divergent } => {
            let why = match (exception, position, divergent) {
                (ConsumerException::NoOffsetForPartition, _, _) => {
                    "auto.offset.reset=none, no committed offset (no groups yet)".to_string()
                }
                (ConsumerException::OffsetOutOfRange, Some(p), _) => {
                    format!("OFFSET_OUT_OF_RANGE at offset {p}, auto.offset.reset=none")
                }
                (ConsumerException::LogTruncation, Some(p), Some((epoch, end))) => format!(
                    "truncation at offset {p}, auto.offset.reset=none; divergent offset {end} (epoch {epoch})"
                ),
                _ => "auto.offset.reset=none".to_string(),
            };
            format!(
                "consumer {}'s poll throws {} for {}: {why}; no fetch until a seek",
                consumer(c),
                exception.as_str(),
                pn(partition)
            )
        }
        ConsumerSeeked { consumer: c, partition, from, to } => {
            let from = from.map_or("no position".to_string(), |f| format!("position {f}"));
            let to = match to {
                SeekTo::Offset(o) => format!("offset {o}, fetched from next unvalidated (no leader epoch)"),
                SeekTo::Beginning => "the beginning: ListOffsets(earliest) resolves it".to_string(),
                SeekTo::End => "the end: ListOffsets(latest) resolves it".to_string(),
            };
            format!("consumer {} seeks {} from {from} to {to}", consumer(c), pn(partition))
        }
        RecordsLost { partition, offsets, count, acks, cause } => {
            if *offsets == (0, 0) && *acks == super::config::Acks::None {
                format!("{count} acknowledged acks=0 record(s) for {} lost: {cause}", pn(partition))
            } else {
                format!(
                    "{count} acknowledged acks={} record(s) lost at {}@{}..{}: {cause}",
                    acks.as_str(),
                    pn(partition),
                    offsets.0,
                    offsets.1
                )
            }
        }
        InvariantViolated { invariant, detail, expected, .. } => {
            let kind = if *expected { "allowed after an unclean election or a lossy crash" } else { "UNEXPECTED" };
            format!("invariant \"{}\" violated ({kind}): {detail}", invariant.name())
        }
        LinkCut { a, b } => format!("network link between {} and {} cut", node(catalog, *a), node(catalog, *b)),
        LinkHealed { a, b } => format!("network link between {} and {} healed", node(catalog, *a), node(catalog, *b)),
        LinkCutOneWay { from, to } => {
            let (from, to) = (node(catalog, *from), node(catalog, *to));
            format!(
                "network link from {from} to {to} cut one way: {to} receives nothing {from} sends, so {from}'s requests to {to} go unanswered; {to}'s messages to {from} still arrive"
            )
        }
        TriggerFired { condition, command } => format!("`when` fired on {condition}: {command} runs now"),
        BrokerPaused { broker } => format!(
            "broker {broker}'s process paused (SIGSTOP or a long GC pause): its connections stay open, but it handles nothing and sends nothing, heartbeats included"
        ),
        BrokerResumed { broker, paused_ms, waiting, dropped } => {
            let lost = match dropped {
                0 => String::new(),
                d => format!(" ({d} more found its socket buffers full and were lost)"),
            };
            format!(
                "broker {broker}'s process resumed after {paused_ms} ms: it handles the {waiting} messages and timers that waited{lost}, still believing the metadata it had when it paused"
            )
        }
        ReplicaStalled { broker } => format!("broker {broker}'s disk is slow: its follower replicas stop fetching (it keeps heartbeating)"),
        ReplicaResumed { broker } => format!("broker {broker}'s disk recovered: its follower replicas fetch again"),
        TopicCreated { topic } => {
            let t = &catalog.topics[topic.0 as usize];
            format!("created topic {} with {} partition(s), replication factor {}", t.name, t.partitions.len(), t.replication_factor)
        }
        ConfigChanged { description } => format!("config changed: {description}"),
        LeaderImbalanceChecked { imbalanced, elected, capped } => {
            imbalance_checked(*imbalanced, *elected, *capped, catalog.config.leader_imbalance_check_interval_seconds)
        }
        ElectLeadersAnswered { partition, election_type, error, preferred, leader, isr } => {
            elect_leaders_answer(&pn(partition), *election_type, *error, *preferred, *leader, isr)
        }
        CommandRejected { command, reason } => format!("{command} rejected: {reason}"),
        ProduceRequestSent { producer: p, broker, batches, in_flight, max_in_flight } => {
            let parts: Vec<String> = batches.iter().map(|(part, n)| format!("{} ({})", pn(part), records(*n))).collect();
            format!(
                "producer {} sent a produce request to broker {broker} with one batch per partition: {}; \
                 {in_flight} requests now in flight on this connection (max.in.flight.requests.per.connection={max_in_flight})",
                producer(p),
                parts.join(", ")
            )
        }
        ProducerEpochBumped { producer: p, partition, producer_id, producer_epoch, base_sequence } => format!(
            "producer {}'s batch for {} at sequence {base_sequence} is its first unresolved one, yet the leader refuses \
             it as out of order, so the sequences have a real gap (the leader lost batches it had, or wrote a later one \
             first without this producer's state): the producer bumps its epoch to {producer_epoch} (producer id \
             {producer_id}) and restarts its sequences at 0",
            producer(p),
            pn(partition)
        ),
        ProducerStateUnknown { broker, partition, producer: p, base_sequence, count } => format!(
            "leader {broker} has no state for producer {}'s id on {} (none of its batches is in its log: lost with an \
             unclean election, or never replicated here), so it appended {} at sequence {base_sequence} without \
             checking the sequence, as Kafka's checkSequence does",
            producer(p),
            pn(partition),
            records(*count)
        ),
        SegmentsDeleted { broker, partition, breach, limit, segments, records: n, log_start_offset } => {
            let why = match breach {
                RetentionBreach::RetentionMs => format!("their newest record is older than retention.ms={limit}"),
                RetentionBreach::RetentionBytes => {
                    format!("the log was over retention.bytes={limit} by at least their size")
                }
                RetentionBreach::LogStartOffset => format!("they are wholly below the log start offset {limit}"),
            };
            format!(
                "broker {broker} deleted {segments} segment(s) of {} holding {n} record(s) below its high watermark: {why}; \
                 log start offset now {log_start_offset} (retention removed them, not a failure)",
                pn(partition)
            )
        }
        LogStartOffsetIncremented { broker, partition, leader, from, to } => format!(
            "broker {broker} raised its log start offset of {} from {from} to {to}, its leader {leader}'s, from a fetch \
             response; its segments below go at its next retention check",
            pn(partition)
        ),
        FollowerOffsetOutOfRange {
            broker,
            partition,
            leader,
            fetch_offset,
            leader_log_start_offset: start,
            leader_log_end_offset: end,
            to,
        } => {
            let what = if fetch_offset < start {
                format!(
                    "below the leader's log start offset {start} (retention deleted those records there): it truncated \
                     fully and fetches from {to}"
                )
            } else if to < fetch_offset {
                format!("past the leader's log end offset {end}: it truncated to {to}")
            } else {
                format!("(the leader's log is {start}..{end}): it fetches again from {to}")
            };
            format!(
                "broker {broker}'s fetch of {} at offset {fetch_offset} got OFFSET_OUT_OF_RANGE from leader {leader}, {what}",
                pn(partition)
            )
        }
        BrokerAdded { broker, rack } => reassignment::broker_added(*broker, rack),
        ReassignmentStarted { partition, target, adding, removing } => {
            reassignment::started(&pn(partition), target, adding, removing)
        }
        ReassignmentCompleted { partition, replicas, removed, leader } => {
            reassignment::completed(&pn(partition), replicas, removed, *leader)
        }
        ReassignmentCancelled { partition, replicas, removed } => {
            reassignment::cancelled(&pn(partition), replicas, removed)
        }
        ReassignmentRefused { partition, refusal } => reassignment::refused(&pn(partition), *refusal),
        ReplicaDeleted { broker, partition } => reassignment::replica_deleted(*broker, &pn(partition)),
        kind => super::explain_group::explain_group(catalog, kind),
    }
}

impl super::engine::Engine {
    pub fn explain(&self, event: &ClusterEvent) -> String {
        explain(self.catalog(), event)
    }
}
