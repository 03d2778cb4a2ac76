//! `commands.sh` (the setup, then each command as its real act, in time order) and `README.md` (how
//! to run them, and every place where the real act is not the simulator's).

use super::act::{create_topic, Act};
use super::quote::{one_line, shell};
use super::{Names, IMAGE, NETWORK};
use crate::engine::{Millis, Scenario};
use std::fmt::Write as _;

/// The shell helpers every script starts with. The console producer sets `retries=3`,
/// `linger.ms=1000` and `request.timeout.ms=1500` of its own unless told otherwise
/// (`ConsoleProducer.producerProps`), so each producer below names every setting it has.
const PRELUDE: &str = r#"set -u
cd "$(dirname "$0")"

# A Kafka command-line tool, run in the tools container.
kafka() { tool="$1"; shift; docker exec -i tools "/opt/kafka/bin/$tool" "$@"; }
# COUNT lines of VALUE, or of KEY<tab>VALUE: the console producer sends one record a line.
lines() { i=0; while [ "$i" -lt "$1" ]; do printf '%s\n' "$2"; i=$((i + 1)); done; }
keyed_lines() { i=0; while [ "$i" -lt "$1" ]; do printf '%s\t%s\n' "$2" "$3"; i=$((i + 1)); done; }
# Stops a console consumer (its client.id ends its command line).
stop_consumer() { docker exec tools pkill -f "client.id=$1\$"; }
# A slow replica: the broker's connections to other brokers' port 9092 (its follower fetches) wait
# 60 s, its heartbeats to the controller (port 9093) do not. tc needs NET_ADMIN and iproute2: a
# helper container (nicolaka/netshoot) joins the broker's network namespace to set it.
netem() { docker run --rm --network "container:$1" --cap-add NET_ADMIN nicolaka/netshoot sh -c "$2"; }
stall_fetches() {
  netem "$1" 'tc qdisc add dev eth0 root handle 1: prio &&
    tc qdisc add dev eth0 parent 1:3 handle 30: netem delay 60s &&
    tc filter add dev eth0 parent 1:0 protocol ip prio 3 u32 match ip dport 9092 0xffff flowid 1:3'
}
resume_fetches() { netem "$1" 'tc qdisc del dev eth0 root'; }
"#;

pub fn commands(scenario: &Scenario, names: &Names, timeline: &[(Millis, String, Act)]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "#!/bin/sh\n# Partition Playground export (seed {}): the scenario's commands as real acts on the cluster of\n\
         # compose.yaml, in time order. Run `docker compose up -d`, then `sh commands.sh`. README.md lists\n\
         # where a real act differs from the simulator's; each act's note is beside it.\n",
        scenario.seed
    );
    o.push_str(PRELUDE);
    let _ = writeln!(o, "BOOTSTRAP={}\n", names.bootstrap());
    producers(&mut o, names);
    consumers(&mut o, names);
    let brokers = names.brokers.len();
    let _ = writeln!(
        o,
        "echo 'waiting for {brokers} broker(s) to register with the controller'\n\
         until [ \"$(kafka kafka-broker-api-versions.sh --bootstrap-server \"$BOOTSTRAP\" 2>/dev/null | grep -c '(id: ')\" \
         -ge {brokers} ]; do sleep 1; done\n"
    );
    let _ = writeln!(o, "# The scenario's topics, at time 0.");
    for topic in &scenario.topics {
        for line in create_topic(topic) {
            let _ = writeln!(o, "{line}");
        }
    }
    let _ = writeln!(
        o,
        "\n# The commands, each at its simulated time: the sleeps keep the gaps between them (real acts take\n\
         # time of their own, so later ones run a little late).\necho 'time 0: the scenario starts'"
    );
    let mut now = 0;
    for (at_ms, name, act) in timeline {
        if *at_ms > now {
            let gap = at_ms - now;
            let _ = writeln!(o, "sleep {}.{:03}", gap / 1000, gap % 1000);
            now = *at_ms;
        }
        let _ = writeln!(o, "\n# {at_ms} ms: {name}");
        for note in &act.notes {
            let _ = writeln!(o, "# Note: {}", one_line(note));
        }
        let _ = writeln!(o, "echo {}", shell(&one_line(&format!("{at_ms} ms: {name}"))));
        if act.lines.is_empty() {
            let _ = writeln!(o, "# (no real act)");
        }
        for line in &act.lines {
            let _ = writeln!(o, "{line}");
        }
    }
    let _ = writeln!(o, "\necho 'done: the consumers print to /tmp/consumer-*.log in the tools container'");
    o
}

/// One shell function per producer, its settings in variables a reconfigure changes.
fn producers(o: &mut String, names: &Names) {
    for (i, (name, c)) in names.producers.iter().enumerate() {
        let _ = writeln!(o, "# Producer {name}: one console producer per send, with the scenario's settings.");
        let _ = writeln!(o, "producer_{i}_acks={}\nproducer_{i}_idempotence={}", c.acks.as_str(), c.idempotent());
        let _ = writeln!(o, "producer_{i}() {{\n  topic=\"$1\"; shift");
        let _ =
            writeln!(o, "  kafka kafka-console-producer.sh --bootstrap-server \"$BOOTSTRAP\" --topic \"$topic\" \\");
        let settings = [
            ("acks", format!("\"$producer_{i}_acks\"")),
            ("enable.idempotence", format!("\"$producer_{i}_idempotence\"")),
            ("delivery.timeout.ms", c.delivery_timeout_ms.to_string()),
            ("request.timeout.ms", c.request_timeout_ms.to_string()),
            ("linger.ms", c.linger_ms.to_string()),
            ("batch.size", c.batch_size.to_string()),
            ("retry.backoff.ms", c.retry_backoff_ms.to_string()),
            ("retry.backoff.max.ms", c.retry_backoff_max_ms.to_string()),
            ("metadata.max.age.ms", c.metadata_max_age_ms.to_string()),
            // The producer's own default (the console producer's is 3): retry until delivery.timeout.ms.
            ("retries", "2147483647".to_string()),
            ("client.id", name.clone()),
        ];
        for (key, value) in settings {
            let _ = writeln!(o, "    --producer-property {key}={value} \\");
        }
        let _ = writeln!(o, "    \"$@\"\n}}\n");
    }
}

/// One shell function per consumer: a console consumer started in the background of the tools
/// container (a fixed group, so a restart resumes), printing partition, offset, key and value. Its
/// `auto.offset.reset` is given as a property, which the tool keeps when `--from-beginning` is not
/// given (`ConsoleConsumerOptions.setAutoOffsetResetValue`).
fn consumers(o: &mut String, names: &Names) {
    for (i, (name, c)) in names.consumers.iter().enumerate() {
        let _ = writeln!(o, "# Consumer {name}: a console consumer per topic it consumes, printing to a log.");
        let _ = writeln!(o, "consumer_{i}_rack={}", shell(&c.client_rack));
        let reset = match c.auto_offset_reset {
            crate::engine::AutoOffsetReset::Earliest => "earliest",
            crate::engine::AutoOffsetReset::Latest => "latest",
            crate::engine::AutoOffsetReset::None => "none",
        };
        let settings = [
            ("auto.offset.reset", reset.to_string()),
            ("fetch.max.wait.ms", c.fetch_max_wait_ms.to_string()),
            ("max.poll.records", c.max_poll_records.to_string()),
            ("request.timeout.ms", c.request_timeout_ms.to_string()),
            ("metadata.max.age.ms", c.metadata_max_age_ms.to_string()),
            ("retry.backoff.ms", c.retry_backoff_ms.to_string()),
            ("client.rack", format!("$consumer_{i}_rack")),
            ("client.id", name.clone()),
        ];
        let props: Vec<String> = settings.iter().map(|(k, v)| format!("--consumer-property {k}={v}")).collect();
        let _ = writeln!(
            o,
            "consumer_{i}() {{\n  docker exec -d tools sh -c \"exec /opt/kafka/bin/kafka-console-consumer.sh \
             --bootstrap-server $BOOTSTRAP --topic $1 --group playground-{name} \\\n    \
             --property print.partition=true --property print.offset=true --property print.key=true \\\n    \
             {} \\\n    > /tmp/consumer-{name}-$1.log 2>&1\"\n}}\n",
            props.join(" \\\n    ")
        );
    }
}

pub fn readme(scenario: &Scenario, names: &Names, timeline: &[(Millis, String, Act)]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# This scenario on a real Kafka cluster\n\n\
         Written by `partition-playground export` from a scenario with seed {seed}: {brokers} broker(s), {topics} \
         topic(s), {producers} producer(s), {consumers} consumer(s), {commands} command(s).\n\n\
         ```sh\ndocker compose up -d      # {IMAGE}: one KRaft controller, the brokers, a tools container\n\
         sh commands.sh            # creates the topics, then plays the commands in time order\n\
         docker exec tools sh -c 'tail -n +1 /tmp/consumer-*.log'   # what the consumers received\n\
         docker compose down -v    # removes the containers, their logs and the network {NETWORK}\n```\n\n\
         Watch a partition as the simulator draws it: `docker exec tools /opt/kafka/bin/kafka-topics.sh \
         --bootstrap-server {bootstrap} --describe` (leader, replicas, ISR).\n\n\
         ## Where the real cluster differs\n\n\
         - Time: the script sleeps the gaps between the commands; real acts take time of their own (a console \
         producer starts a JVM), so the real timeline runs late, and the simulator's network latency \
         ({latency} ms + up to {jitter} ms jitter) is not reproduced.\n\
         - The controller: one, in its own container, as the simulator's (which never fails); a production \
         cluster runs three.",
        seed = scenario.seed,
        brokers = names.brokers.len(),
        topics = scenario.topics.len(),
        producers = names.producers.len(),
        consumers = names.consumers.len(),
        commands = scenario.commands.len(),
        bootstrap = names.bootstrap(),
        latency = scenario.cluster.network.latency_ms,
        jitter = scenario.cluster.network.jitter_ms,
    );
    let mut seen: Vec<&str> = Vec::new();
    for (_, what, act) in timeline {
        let name = what.split(' ').next().unwrap_or(what);
        for note in &act.notes {
            if !seen.contains(&note.as_str()) {
                seen.push(note);
                let _ = writeln!(o, "- `{name}`: {}.", one_line(note));
            }
        }
    }
    let _ = writeln!(o, "\nThe mapping of every simulator command: `docs/real-cluster.md` in Partition Playground.");
    o
}
