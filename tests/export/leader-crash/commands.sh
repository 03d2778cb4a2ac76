#!/bin/sh
# Partition Playground export (seed 42): the scenario's commands as real acts on the cluster of
# compose.yaml, in time order. Run `docker compose up -d`, then `sh commands.sh`. README.md lists
# where a real act differs from the simulator's; each act's note is beside it.

set -u
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
BOOTSTRAP=kafka-1:9092,kafka-2:9092,kafka-3:9092

# Producer checkout: one console producer per send, with the scenario's settings.
producer_0_acks=all
producer_0_idempotence=true
producer_0() {
  topic="$1"; shift
  kafka kafka-console-producer.sh --bootstrap-server "$BOOTSTRAP" --topic "$topic" \
    --producer-property acks="$producer_0_acks" \
    --producer-property enable.idempotence="$producer_0_idempotence" \
    --producer-property delivery.timeout.ms=120000 \
    --producer-property request.timeout.ms=30000 \
    --producer-property linger.ms=5 \
    --producer-property batch.size=16384 \
    --producer-property retry.backoff.ms=100 \
    --producer-property retry.backoff.max.ms=1000 \
    --producer-property metadata.max.age.ms=300000 \
    --producer-property retries=2147483647 \
    --producer-property client.id=checkout \
    "$@"
}

# Producer audit: one console producer per send, with the scenario's settings.
producer_1_acks=1
producer_1_idempotence=false
producer_1() {
  topic="$1"; shift
  kafka kafka-console-producer.sh --bootstrap-server "$BOOTSTRAP" --topic "$topic" \
    --producer-property acks="$producer_1_acks" \
    --producer-property enable.idempotence="$producer_1_idempotence" \
    --producer-property delivery.timeout.ms=120000 \
    --producer-property request.timeout.ms=30000 \
    --producer-property linger.ms=5 \
    --producer-property batch.size=16384 \
    --producer-property retry.backoff.ms=100 \
    --producer-property retry.backoff.max.ms=1000 \
    --producer-property metadata.max.age.ms=300000 \
    --producer-property retries=2147483647 \
    --producer-property client.id=audit \
    "$@"
}

# Consumer billing: a console consumer per topic it consumes, printing to a log.
consumer_0_rack='b'
consumer_0() {
  docker exec -d tools sh -c "exec /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server $BOOTSTRAP --topic $1 --group playground-billing \
    --property print.partition=true --property print.offset=true --property print.key=true \
    --consumer-property auto.offset.reset=earliest \
    --consumer-property fetch.max.wait.ms=500 \
    --consumer-property max.poll.records=500 \
    --consumer-property request.timeout.ms=30000 \
    --consumer-property metadata.max.age.ms=300000 \
    --consumer-property retry.backoff.ms=100 \
    --consumer-property client.rack=$consumer_0_rack \
    --consumer-property client.id=billing \
    > /tmp/consumer-billing-$1.log 2>&1"
}

echo 'waiting for 3 broker(s) to register with the controller'
until [ "$(kafka kafka-broker-api-versions.sh --bootstrap-server "$BOOTSTRAP" 2>/dev/null | grep -c '(id: ')" -ge 3 ]; do sleep 1; done

# The scenario's topics, at time 0.
# 2 partitions, replication factor 3, replicas pinned (the first of each is its preferred leader)
kafka kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --create --topic orders --replica-assignment 1:2:3,2:3:1 --config min.insync.replicas=2

# The commands, each at its simulated time: the sleeps keep the gaps between them (real acts take
# time of their own, so later ones run a little late).
echo 'time 0: the scenario starts'

# 0 ms: consume billing reads orders
# Note: the console consumer joins a consumer group of its own (it gets every partition, and commits its offsets), where the simulator's consumer has the partitions assigned by hand
echo '0 ms: consume billing reads orders'
consumer_0 orders
sleep 0.100

# 100 ms: produce checkout sends 3 record(s) to orders, key 'order-1'
# Note: each send starts a console producer of its own: a new producer instance (a new producer id, a new sticky partition for null keys) and a JVM start of a second or two, where the simulator keeps one producer
echo '100 ms: produce checkout sends 3 record(s) to orders, key '\''order-1'\'''
keyed_lines 3 'order-1' 'created' | producer_0 orders --property parse.key=true
sleep 0.050

# 150 ms: produce audit sends 1 record(s) to orders, no key
# Note: each send starts a console producer of its own: a new producer instance (a new producer id, a new sticky partition for null keys) and a JVM start of a second or two, where the simulator keeps one producer
# Note: the console producer cannot name a partition: the scenario sends to partition 0, this goes where the producer's partitioner puts it
echo '150 ms: produce audit sends 1 record(s) to orders, no key'
lines 1 'audit-entry' | producer_1 orders
sleep 0.400

# 550 ms: crash_broker broker 1
echo '550 ms: crash_broker broker 1'
docker kill kafka-1
sleep 0.150

# 700 ms: produce checkout sends 1 record(s) to orders, key 'order-1'
# Note: each send starts a console producer of its own: a new producer instance (a new producer id, a new sticky partition for null keys) and a JVM start of a second or two, where the simulator keeps one producer
echo '700 ms: produce checkout sends 1 record(s) to orders, key '\''order-1'\'''
keyed_lines 1 'order-1' 'paid' | producer_0 orders --property parse.key=true
sleep 11.300

# 12000 ms: restart_broker broker 1
echo '12000 ms: restart_broker broker 1'
docker start kafka-1
sleep 3.000

# 15000 ms: cut_link broker:2 and broker:3
# Note: docker network disconnect cuts the broker from everyone (the controller, every other broker, every client), not one link: Docker has no per-link cut without NET_ADMIN tools
echo '15000 ms: cut_link broker:2 and broker:3'
docker network disconnect partition-playground kafka-2
sleep 1.000

# 16000 ms: heal_link broker:2 and broker:3
# Note: the broker rejoins the network: every link of it heals at once
echo '16000 ms: heal_link broker:2 and broker:3'
docker network connect partition-playground kafka-2

echo 'done: the consumers print to /tmp/consumer-*.log in the tools container'
