#!/bin/sh
# Partition Playground export (seed 74): the scenario's commands as real acts on the cluster of
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

# Producer fast: one console producer per send, with the scenario's settings.
producer_0_acks=1
producer_0_idempotence=false
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
    --producer-property client.id=fast \
    "$@"
}

# Producer safe: one console producer per send, with the scenario's settings.
producer_1_acks=all
producer_1_idempotence=true
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
    --producer-property client.id=safe \
    "$@"
}

# Consumer c: a console consumer per topic it consumes, printing to a log.
consumer_0_rack=''
consumer_0() {
  docker exec -d tools sh -c "exec /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server $BOOTSTRAP --topic $1 --group playground-c \
    --property print.partition=true --property print.offset=true --property print.key=true \
    --consumer-property auto.offset.reset=earliest \
    --consumer-property fetch.max.wait.ms=500 \
    --consumer-property max.poll.records=500 \
    --consumer-property request.timeout.ms=30000 \
    --consumer-property metadata.max.age.ms=300000 \
    --consumer-property retry.backoff.ms=100 \
    --consumer-property client.rack=$consumer_0_rack \
    --consumer-property client.id=c \
    > /tmp/consumer-c-$1.log 2>&1"
}

echo 'waiting for 3 broker(s) to register with the controller'
until [ "$(kafka kafka-broker-api-versions.sh --bootstrap-server "$BOOTSTRAP" 2>/dev/null | grep -c '(id: ')" -ge 3 ]; do sleep 1; done

# The scenario's topics, at time 0.
# 1 partitions, replication factor 3, replicas pinned (the first of each is its preferred leader)
kafka kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --create --topic t --replica-assignment 1:2:3 --config min.insync.replicas=2

# The commands, each at its simulated time: the sleeps keep the gaps between them (real acts take
# time of their own, so later ones run a little late).
echo 'time 0: the scenario starts'

# 0 ms: consume c reads t
# Note: the console consumer joins a consumer group of its own (it gets every partition, and commits its offsets), where the simulator's consumer has the partitions assigned by hand
echo '0 ms: consume c reads t'
consumer_0 t
sleep 1.000

# 1000 ms: produce safe sends 5 record(s) to t, no key
# Note: each send starts a console producer of its own: a new producer instance (a new producer id, a new sticky partition for null keys) and a JVM start of a second or two, where the simulator keeps one producer
echo '1000 ms: produce safe sends 5 record(s) to t, no key'
lines 5 'before' | producer_1 t
sleep 1.000

# 2000 ms: cut_link broker:1 and controller
# Note: docker network disconnect cuts the broker from everyone (the controller, every other broker, every client), not one link: Docker has no per-link cut without NET_ADMIN tools
echo '2000 ms: cut_link broker:1 and controller'
docker network disconnect partition-playground kafka-1

# 2000 ms: cut_link broker:1 and broker:2
# Note: kafka-1 is off the network already (an earlier cut)
echo '2000 ms: cut_link broker:1 and broker:2'
# (no real act)

# 2000 ms: cut_link broker:1 and broker:3
# Note: kafka-1 is off the network already (an earlier cut)
echo '2000 ms: cut_link broker:1 and broker:3'
# (no real act)

# 2000 ms: cut_link broker:1 and consumer:c
# Note: kafka-1 is off the network already (an earlier cut)
echo '2000 ms: cut_link broker:1 and consumer:c'
# (no real act)
sleep 12.000

# 14000 ms: produce fast sends 3 record(s) to t, no key
# Note: each send starts a console producer of its own: a new producer instance (a new producer id, a new sticky partition for null keys) and a JVM start of a second or two, where the simulator keeps one producer
echo '14000 ms: produce fast sends 3 record(s) to t, no key'
lines 3 'zombie-acks-1' | producer_0 t

# 14000 ms: produce safe sends 2 record(s) to t, no key
# Note: each send starts a console producer of its own: a new producer instance (a new producer id, a new sticky partition for null keys) and a JVM start of a second or two, where the simulator keeps one producer
echo '14000 ms: produce safe sends 2 record(s) to t, no key'
lines 2 'zombie-acks-all' | producer_1 t
sleep 46.000

# 60000 ms: heal_link broker:1 and controller
# Note: kafka-1 stays off the network: another of its links is still cut
echo '60000 ms: heal_link broker:1 and controller'
# (no real act)

# 60000 ms: heal_link broker:1 and broker:2
# Note: kafka-1 stays off the network: another of its links is still cut
echo '60000 ms: heal_link broker:1 and broker:2'
# (no real act)

# 60000 ms: heal_link broker:1 and broker:3
# Note: kafka-1 stays off the network: another of its links is still cut
echo '60000 ms: heal_link broker:1 and broker:3'
# (no real act)

# 60000 ms: heal_link broker:1 and consumer:c
# Note: the broker rejoins the network: every link of it heals at once
echo '60000 ms: heal_link broker:1 and consumer:c'
docker network connect partition-playground kafka-1

echo 'done: the consumers print to /tmp/consumer-*.log in the tools container'
