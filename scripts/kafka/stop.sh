#!/usr/bin/env bash
# Stop a broker started by scripts/kafka/start.sh.
#
# Usage: scripts/kafka/stop.sh [PORT] [--wipe]
#   --wipe   also delete its data dir (topics, offsets, cluster id, logs)
#
# Environment: KAFKA_PORT (default 9092), KAFKA_DATA_DIR (default <repo>/.cache/kafka/data-$KAFKA_PORT),
#              KAFKA_STOP_TIMEOUT (seconds between SIGTERM and SIGKILL, default 30).
# Exits 0 if the broker is stopped (or was not running).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

WIPE=0
for a in "$@"; do
  case "$a" in
    --wipe) WIPE=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *[!0-9]*|'') echo "usage: $0 [PORT] [--wipe]" >&2; exit 2 ;;
    *) KAFKA_PORT="$a" ;;
  esac
done
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$ROOT/.cache/kafka/data-$KAFKA_PORT}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

# shellcheck source=common.sh
. "$SCRIPT_DIR/common.sh"

if [ ! -d "$KAFKA_DATA_DIR" ]; then
  log "not running (no data dir $KAFKA_DATA_DIR)"
  exit 0
fi
KAFKA_DATA_DIR="$(cd "$KAFKA_DATA_DIR" && pwd)"
PID_FILE="$KAFKA_DATA_DIR/kafka.pid"
PROPS="$KAFKA_DATA_DIR/server.properties"

pid="$(cat "$PID_FILE" 2>/dev/null || true)"
if ! is_our_broker "$pid"; then
  # pid file missing or stale: look for a JVM started with exactly this data dir's config
  pid="$(pgrep -f "kafka\.Kafka $PROPS\$" | head -n 1 || true)"
fi

if is_our_broker "$pid"; then
  log "stopping pid $pid (SIGTERM, SIGKILL after ${KAFKA_STOP_TIMEOUT}s)"
  t0=$SECONDS
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if [ $((SECONDS - t0)) -ge "$KAFKA_STOP_TIMEOUT" ]; then
      log "still alive after ${KAFKA_STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  log "stopped after $((SECONDS - t0))s"
else
  log "not running"
fi
rm -f "$PID_FILE"

if [ "$WIPE" = 1 ]; then
  # Only delete something that looks like a data dir made by start.sh.
  if [ -f "$PROPS" ] || [ -d "$KAFKA_DATA_DIR/kraft-logs" ]; then
    rm -rf "$KAFKA_DATA_DIR"
    log "wiped $KAFKA_DATA_DIR"
  else
    log "not wiping $KAFKA_DATA_DIR: it does not look like a start.sh data dir"
    exit 1
  fi
fi
