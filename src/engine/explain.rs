//! One line per event, in Kafka's words: what happened and why.

use super::catalog::Catalog;
use super::event::{ChangeReason, ClusterEvent, EventKind};
use super::ids::*;

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
    }
}

/// The explanation of an event.
pub fn explain(catalog: &Catalog, event: &ClusterEvent) -> String {
    use EventKind::*;
    let pn = |p: &PartitionIdx| catalog.partition_name(*p);
    let producer = |c: &ClientIdx| catalog.producers.get(c.0 as usize).cloned().unwrap_or_default();
    let consumer = |c: &ClientIdx| catalog.consumers.get(c.0 as usize).cloned().unwrap_or_default();
    let session_ms = catalog.config.broker_session_timeout_ms;
    match &event.kind {
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
        BrokerShutDown { broker } => format!("broker {broker} shut down cleanly"),
        LeaderElected { partition, leader, previous, leader_epoch, isr, unclean, reason: why } => {
            let prev = previous.map_or(String::new(), |p| format!(" (previous leader: broker {p})"));
            if *unclean {
                format!(
                    "{}; UNCLEAN election: broker {leader} leads {} at epoch {leader_epoch}{prev} although it was not in the ISR; \
                     records it lacks are lost, ISR {}",
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
        PartitionOffline { partition, leader_epoch, isr, reason: why } => format!(
            "{}; {} has no leader (epoch {leader_epoch}): no ISR member {} is available and unclean election is disabled",
            reason(why, session_ms),
            pn(partition),
            list(isr)
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
        IsrShrinkProposed { partition, leader, removed, lag_time_max_ms } => format!(
            "leader {leader} of {} proposes removing {} from the ISR: not caught up for more than {lag_time_max_ms} ms \
             (replica.lag.time.max.ms)",
            pn(partition),
            list(removed)
        ),
        IsrExpandProposed { partition, leader, added, follower_leo, high_watermark } => format!(
            "leader {leader} of {} proposes adding broker {added} to the ISR: its LEO {follower_leo} reached the HW {high_watermark}",
            pn(partition)
        ),
        AlterPartitionRejected { partition, leader, error } => {
            format!("controller rejected AlterPartition from broker {leader} for {}: {error}", pn(partition))
        }
        BecameLeader { broker, partition, leader_epoch, start_offset } => format!(
            "broker {broker} is now leader of {} at epoch {leader_epoch} (leader epoch start offset {start_offset})",
            pn(partition)
        ),
        BecameFollower { broker, partition, leader, leader_epoch } => match leader {
            Some(l) => format!("broker {broker} follows broker {l} for {} at epoch {leader_epoch}", pn(partition)),
            None => format!("broker {broker} learned that {} has no leader (epoch {leader_epoch})", pn(partition)),
        },
        LogTruncated { broker, partition, from, to, leader, diverging_epoch } => match diverging_epoch {
            Some(e) => format!(
                "broker {broker} truncated {} from {from} to {to}: leader {leader} answered divergingEpoch {e} (their logs differ from offset {to})",
                pn(partition)
            ),
            None => format!(
                "broker {broker} truncated {} from {from} to {to}: leader {leader} has no epoch as old as the follower's last one, so nothing above {to} can be trusted",
                pn(partition)
            ),
        },
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
        ProduceDeduplicated { producer: p, partition, base_offset, count } => format!(
            "leader of {} recognised a retried batch of {count} record(s) from idempotent producer {} and answered with its original offset {base_offset}",
            pn(partition),
            producer(p)
        ),
        ProduceRetried { producer: p, partition, error, attempt, broker, shortfall } => {
            // kafka-model §5.4: the ISR and min.insync.replicas the leader compared, as it saw them.
            let why = shortfall.as_ref().map_or(String::new(), |s| {
                let n = s.isr.len();
                let members = if n == 1 { "member" } else { "members" };
                format!(": ISR {} has {n} {members} < min.insync.replicas = {}", list(&s.isr), s.min_insync_replicas)
            });
            format!(
                "producer {}'s request to {} for {} failed with {error}{why} (attempt {attempt}); it retries",
                producer(p),
                broker.map_or("?".to_string(), |b| format!("broker {b}")),
                pn(partition)
            )
        }
        LeaderAppended { broker, partition, leader_epoch, base_offset, count } => format!(
            "leader {broker} (epoch {leader_epoch}) appended {} to {} at {}; committed once the high watermark passes {}",
            records(*count),
            pn(partition),
            offsets(*base_offset, *count),
            if *count == 1 { "it" } else { "them" }
        ),
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
            "leader {leader} told consumer {} to fetch {} from broker {replica}, the closest in-sync replica (KIP-392)",
            consumer(c),
            pn(partition)
        ),
        ConsumerLeftReplica { consumer: c, partition, replica, why } => {
            format!("consumer {} goes back to the leader of {}: {why} (broker {replica})", consumer(c), pn(partition))
        }
        ConsumerPositionReset { consumer: c, partition, from, to, why } => {
            format!("consumer {}'s position in {} moved from {from} to {to}: {why}", consumer(c), pn(partition))
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
            let kind = if *expected { "allowed after an unclean election" } else { "UNEXPECTED" };
            format!("invariant \"{}\" violated ({kind}): {detail}", invariant.name())
        }
        LinkCut { a, b } => format!("network link between {} and {} cut", node(catalog, *a), node(catalog, *b)),
        LinkHealed { a, b } => format!("network link between {} and {} healed", node(catalog, *a), node(catalog, *b)),
        ReplicaStalled { broker } => format!("broker {broker}'s disk is slow: its followers stop fetching (it keeps heartbeating)"),
        ReplicaResumed { broker } => format!("broker {broker}'s disk recovered: its followers fetch again"),
        TopicCreated { topic } => {
            let t = &catalog.topics[topic.0 as usize];
            format!("created topic {} with {} partition(s), replication factor {}", t.name, t.partitions.len(), t.replication_factor)
        }
        ConfigChanged { description } => format!("config changed: {description}"),
        CommandRejected { command, reason } => format!("{command} rejected: {reason}"),
    }
}

impl super::engine::Engine {
    pub fn explain(&self, event: &ClusterEvent) -> String {
        explain(self.catalog(), event)
    }
}
