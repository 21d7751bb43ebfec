# Shared by start.sh and stop.sh (sourced; they set KAFKA_PORT and PROPS before calling these).

log() { echo "[kafka:$KAFKA_PORT] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Is $1 a live JVM running kafka.Kafka with this data dir's server.properties?
is_our_broker() {
  local pid="$1"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $PROPS"
}
