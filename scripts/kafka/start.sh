#!/usr/bin/env bash
# Start a single-node Apache Kafka broker (KRaft, broker+controller in one JVM)
# from Maven Central jars, in the background. Idempotent.
#
# Usage: scripts/kafka/start.sh [PORT]
#
# Environment (all optional):
#   KAFKA_PORT             client (PLAINTEXT) port              default 9092 (or $1)
#   KAFKA_CONTROLLER_PORT  KRaft controller port                default KAFKA_PORT+1000
#   KAFKA_DATA_DIR         data dir (logs, pid, config, log)    default <repo>/.cache/kafka/data-$KAFKA_PORT
#   KAFKA_HOST             address to bind and advertise        default 127.0.0.1
#   KAFKA_HEAP_OPTS        JVM heap                             default "-Xms128m -Xmx512m"
#   KAFKA_START_TIMEOUT    seconds to wait for readiness        default 90
#   KAFKA_EXTRA_PROPS      extra server.properties lines (newline separated), appended last
#   For one node of a cluster (scripts/kafka/cluster.sh sets these):
#   KAFKA_NODE_ID          node.id                              default 1
#   KAFKA_QUORUM_VOTERS    controller.quorum.voters             default 1@KAFKA_HOST:KAFKA_CONTROLLER_PORT
#   KAFKA_CLUSTER_ID       cluster id to format a new data dir  default a new random one
#   KAFKA_REPLICATION      replication factor of new topics     default 1 (min.insync.replicas: 1, or 2 from 3)
#
# Exits 0 once the log says "Kafka Server started" (the broker accepts clients),
# or at once if a broker from this data dir is already running on that port.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE="$ROOT/.cache/kafka"
LIB="$CACHE/lib"

KAFKA_PORT="${1:-${KAFKA_PORT:-9092}}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1000))}"
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$CACHE/data-$KAFKA_PORT}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_NODE_ID="${KAFKA_NODE_ID:-1}"
KAFKA_QUORUM_VOTERS="${KAFKA_QUORUM_VOTERS:-$KAFKA_NODE_ID@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT}"
KAFKA_REPLICATION="${KAFKA_REPLICATION:-1}"
if [ "$KAFKA_REPLICATION" -ge 3 ]; then KAFKA_MIN_ISR=2; else KAFKA_MIN_ISR=1; fi

# shellcheck source=common.sh
. "$SCRIPT_DIR/common.sh"

case "$KAFKA_PORT$KAFKA_CONTROLLER_PORT" in *[!0-9]*) die "ports must be numbers (KAFKA_PORT=$KAFKA_PORT KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT)";; esac
[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
command -v java >/dev/null || die "java not found (need Java 11+; 17 recommended)"

mkdir -p "$KAFKA_DATA_DIR"
KAFKA_DATA_DIR="$(cd "$KAFKA_DATA_DIR" && pwd)"
PID_FILE="$KAFKA_DATA_DIR/kafka.pid"
PROPS="$KAFKA_DATA_DIR/server.properties"
LOG4J="$KAFKA_DATA_DIR/log4j.properties"
SERVER_LOG="$KAFKA_DATA_DIR/server.log"
STDOUT_LOG="$KAFKA_DATA_DIR/stdout.log"
LOG_DIRS="$KAFKA_DATA_DIR/kraft-logs"

port_open() { (exec 3<>"/dev/tcp/$KAFKA_HOST/$1") 2>/dev/null; }

# One start.sh at a time per data dir (fd 8 is closed for the broker itself).
exec 8>"$KAFKA_DATA_DIR/.start.lock"
flock -w $((KAFKA_START_TIMEOUT + 120)) 8 || die "timed out waiting for another start.sh on $KAFKA_DATA_DIR"

# ---- already running? -------------------------------------------------------
if [ -f "$PID_FILE" ]; then
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  if is_our_broker "$pid"; then
    if grep -q "^listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT," "$PROPS" 2>/dev/null; then
      log "already running (pid $pid, data dir $KAFKA_DATA_DIR)"
      exit 0
    fi
    die "a broker (pid $pid) already runs from $KAFKA_DATA_DIR with other ports; stop it first: $SCRIPT_DIR/stop.sh"
  fi
  rm -f "$PID_FILE"   # stale
fi
for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
  port_open "$p" && die "port $KAFKA_HOST:$p is already in use by another process (not a broker of $KAFKA_DATA_DIR)"
done

# ---- fetch jars (once) ------------------------------------------------------
# Stamp = hash of pom.xml, so editing the pom (e.g. the version) refetches.
POM="$SCRIPT_DIR/pom.xml"
stamp="$(sha256sum "$POM" | cut -c1-16)"
if [ "$(cat "$LIB/.stamp" 2>/dev/null || true)" != "$stamp" ]; then
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch the Kafka jars from Maven Central)"
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.fetch.lock"
  flock 9   # several start.sh at once: only one fetches
  if [ "$(cat "$LIB/.stamp" 2>/dev/null || true)" != "$stamp" ]; then
    log "fetching Kafka jars from Maven Central into $LIB ..."
    t0=$SECONDS
    tmp="$CACHE/lib.tmp.$$"
    rm -rf "$tmp"
    if ! mvn -q -B -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp" >"$CACHE/fetch.log" 2>&1; then
      tail -n 40 "$CACHE/fetch.log" >&2
      rm -rf "$tmp"
      die "mvn failed to fetch the Kafka jars (full output: $CACHE/fetch.log)"
    fi
    echo "$stamp" >"$tmp/.stamp"
    rm -rf "$LIB"
    mv "$tmp" "$LIB"
    log "fetched $(ls "$LIB"/*.jar | wc -l) jars in $((SECONDS - t0))s"
  fi
  exec 9>&-
fi
CP="$LIB/*"

# ---- config (regenerated every start; the cluster id lives in meta.properties) --
cat >"$PROPS" <<EOF
# Generated by scripts/kafka/start.sh - edits are overwritten on the next start.
process.roles=broker,controller
node.id=$KAFKA_NODE_ID
controller.quorum.voters=$KAFKA_QUORUM_VOTERS
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$LOG_DIRS

# replication: once on a single node; on three nodes three copies, two of them in sync for a write
num.partitions=3
default.replication.factor=$KAFKA_REPLICATION
min.insync.replicas=$KAFKA_MIN_ISR
offsets.topic.replication.factor=$KAFKA_REPLICATION
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$KAFKA_REPLICATION
transaction.state.log.min.isr=$KAFKA_MIN_ISR
transaction.state.log.num.partitions=10
auto.create.topics.enable=true
delete.topic.enable=true
group.initial.rebalance.delay.ms=0
# after a crash (SIGKILL) the new incarnation waits for the old registration to expire:
# 4s instead of the default 9s
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4000

# small footprint for a dev machine
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.segment.bytes=268435456
log.retention.check.interval.ms=300000
EOF
if [ -n "${KAFKA_EXTRA_PROPS:-}" ]; then printf '\n# KAFKA_EXTRA_PROPS\n%s\n' "$KAFKA_EXTRA_PROPS" >>"$PROPS"; fi

cat >"$LOG4J" <<EOF
# Generated by scripts/kafka/start.sh. Everything goes to server.log in the data dir.
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=\${kafka.log.file}
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.controller=INFO
log4j.logger.kafka.log.LogCleaner=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
EOF

JAVA_OPTS=(
  $KAFKA_HEAP_OPTS
  -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError
  -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$LOG4J"
  "-Dkafka.logs.dir=$KAFKA_DATA_DIR"
  "-Dkafka.log.file=$SERVER_LOG"
)
TOOL_OPTS=(-Xmx128m "-Dlog4j.configuration=file:$LOG4J" "-Dkafka.log.file=$KAFKA_DATA_DIR/tools.log")

# ---- format storage (first start only) --------------------------------------
if [ ! -f "$LOG_DIRS/meta.properties" ]; then
  cluster_id="${KAFKA_CLUSTER_ID:-$(java "${TOOL_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool random-uuid 2>>"$STDOUT_LOG" | tail -n 1)}"
  [ -n "$cluster_id" ] || die "could not generate a cluster id (see $STDOUT_LOG)"
  log "formatting storage in $LOG_DIRS (cluster id $cluster_id)"
  if ! java "${TOOL_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format \
        -t "$cluster_id" -c "$PROPS" --ignore-formatted >>"$STDOUT_LOG" 2>&1; then
    tail -n 30 "$STDOUT_LOG" >&2
    die "storage format failed"
  fi
fi

# ---- start ------------------------------------------------------------------
[ -f "$SERVER_LOG" ] && mv -f "$SERVER_LOG" "$SERVER_LOG.prev"
: >"$SERVER_LOG"
echo "==== $(date -Is) start.sh: starting broker on $KAFKA_HOST:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)" >>"$STDOUT_LOG"
t0=$SECONDS
# setsid: own session, so the broker survives the caller's terminal / process group.
nohup setsid java "${JAVA_OPTS[@]}" -cp "$CP" kafka.Kafka "$PROPS" >>"$STDOUT_LOG" 2>&1 </dev/null 8>&- 9>&- &
pid=$!
echo "$pid" >"$PID_FILE"
log "started pid $pid, waiting up to ${KAFKA_START_TIMEOUT}s for it to be ready (log: $SERVER_LOG)"

fail() {
  log "---- tail of $SERVER_LOG ----"; tail -n 40 "$SERVER_LOG" >&2 || true
  log "---- tail of $STDOUT_LOG ----"; tail -n 15 "$STDOUT_LOG" >&2 || true
  die "$1"
}
while :; do
  if grep -q "Kafka Server started" "$SERVER_LOG" 2>/dev/null && port_open "$KAFKA_PORT"; then
    log "ready on $KAFKA_HOST:$KAFKA_PORT after $((SECONDS - t0))s (pid $pid, data $KAFKA_DATA_DIR)"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$PID_FILE"
    fail "broker process exited during startup"
  fi
  if [ $((SECONDS - t0)) -ge "$KAFKA_START_TIMEOUT" ]; then
    kill "$pid" 2>/dev/null || true
    sleep 2
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$PID_FILE"
    fail "broker not ready after ${KAFKA_START_TIMEOUT}s (killed it)"
  fi
  sleep 0.5
done
