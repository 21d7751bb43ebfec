#!/usr/bin/env bash
# A local three-broker Kafka cluster (KRaft, each node broker+controller, one JVM each), for
# trying and testing durability: topics get three copies, a write needs two in sync
# (default.replication.factor=3, min.insync.replicas=2), so losing one broker loses no
# acknowledged event and ingest goes on.
#
# Usage: scripts/kafka/cluster.sh start            # prints the KAFKA_BROKERS to use
#        scripts/kafka/cluster.sh stop [--wipe]
#        scripts/kafka/cluster.sh kill N           # SIGKILL node N (1-3): a lost broker
#        scripts/kafka/cluster.sh start-node N     # bring node N back
#
# Environment: KAFKA_CLUSTER_PORTS (default "9192 9193 9194"; controllers on port+1000),
#              KAFKA_HOST (default 127.0.0.1), and what scripts/kafka/start.sh reads.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE="$ROOT/.cache/kafka"
read -r -a PORTS <<<"${KAFKA_CLUSTER_PORTS:-9192 9193 9194}"
HOST="${KAFKA_HOST:-127.0.0.1}"
[ "${#PORTS[@]}" -eq 3 ] || { echo "KAFKA_CLUSTER_PORTS must name three ports" >&2; exit 2; }

voters=""
for i in 0 1 2; do voters="${voters:+$voters,}$((i + 1))@$HOST:$((PORTS[i] + 1000))"; done
brokers="$(printf "$HOST:%s," "${PORTS[@]}")"
brokers="${brokers%,}"
data_dir() { echo "$CACHE/cluster-${PORTS[$1]}"; }

# One cluster id for the three data dirs: a base64url UUID, made once and kept.
cluster_id() {
  local file="$CACHE/cluster.id"
  mkdir -p "$CACHE"
  [ -s "$file" ] || head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22 >"$file"
  cat "$file"
}

start_node() {
  local i=$(($1 - 1))
  KAFKA_NODE_ID="$1" KAFKA_QUORUM_VOTERS="$voters" KAFKA_CLUSTER_ID="$CLUSTER_ID" KAFKA_REPLICATION=3 \
    KAFKA_DATA_DIR="$(data_dir "$i")" KAFKA_HOST="$HOST" KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx384m}" \
    "$SCRIPT_DIR/start.sh" "${PORTS[i]}"
}

# Made before any node starts: the three must be formatted with the same one.
case "${1:-}" in start | start-node) CLUSTER_ID="$(cluster_id)" ;; esac

case "${1:-}" in
  start)
    # All three at once: a node is ready only when a majority of the controllers has formed a quorum.
    pids=()
    for n in 1 2 3; do start_node "$n" & pids+=($!); done
    status=0
    for pid in "${pids[@]}"; do wait "$pid" || status=1; done
    [ "$status" -eq 0 ] || { echo "a node did not start (logs: $CACHE/cluster-*/server.log)" >&2; exit 1; }
    echo "KAFKA_BROKERS=$brokers"
    ;;
  start-node)
    start_node "${2:?node number 1-3}"
    ;;
  kill)
    n="${2:?node number 1-3}"
    pid="$(cat "$(data_dir $((n - 1)))/kafka.pid")"
    kill -KILL "$pid"
    echo "killed node $n (pid $pid)"
    ;;
  stop)
    for i in 0 1 2; do KAFKA_DATA_DIR="$(data_dir "$i")" "$SCRIPT_DIR/stop.sh" "${PORTS[i]}" ${2:+"$2"} & done
    wait
    if [ "${2:-}" = --wipe ]; then rm -f "$CACHE/cluster.id"; fi
    ;;
  *)
    sed -n '2,15p' "$0"
    exit 2
    ;;
esac
