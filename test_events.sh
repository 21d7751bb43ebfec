#!/usr/bin/env bash
# The README's curl examples for POST /api/events, run one after another.
# Prints each request, the response body and the HTTP status, and exits 1 if a status is not
# the expected one (so it doubles as a smoke test).
#
#   PULSE_API_KEY=sk_...  ./test_events.sh
#   PULSE_URL=http://localhost:3000 (default)
#
# Create a key with: npm run apikey:create -- --name test-events
set -euo pipefail

PULSE_URL="${PULSE_URL:-http://localhost:3000}"
if [ -z "${PULSE_API_KEY:-}" ]; then
  echo "PULSE_API_KEY is not set. Create a key with: npm run apikey:create -- --name test-events" >&2
  exit 2
fi
command -v curl >/dev/null || { echo "curl is required" >&2; exit 2; }

ENDPOINT="$PULSE_URL/api/events"
SESSION_ID="sess_$(date +%s)_$RANDOM"
USER_ID="user_test_events"
failures=0

# request <title> <expected status> <curl args...>
request() {
  local title="$1" expected="$2"
  shift 2
  echo "== $title"
  local out status body
  if ! out="$(curl -sS -w '\n%{http_code}' -X POST "$ENDPOINT" "$@")"; then
    echo "   request failed: is the app running at $PULSE_URL?" >&2
    exit 1
  fi
  status="${out##*$'\n'}"
  body="${out%$'\n'*}"
  echo "   $body"
  if [ "$status" = "$expected" ]; then
    echo "   HTTP $status (expected)"
  else
    echo "   HTTP $status (expected $expected)"
    failures=$((failures + 1))
  fi
  echo
}

# 1. One event, key as a Bearer token.
request "single event (Authorization: Bearer)" 202 \
  -H "Authorization: Bearer $PULSE_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"event_type":"session_created","user_id":"'"$USER_ID"'","session_id":"'"$SESSION_ID"'"}'

# 2. One event, key in X-API-Key.
request "single event (X-API-Key)" 202 \
  -H "X-API-Key: $PULSE_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"event_type":"page_visited","user_id":"'"$USER_ID"'","session_id":"'"$SESSION_ID"'","page_path":"/pricing"}'

# 3. A batch: up to 500 events, accepted or rejected as a whole.
request "batch of 3 events" 202 \
  -H "Authorization: Bearer $PULSE_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"events":[
        {"event_type":"button_clicked","user_id":"'"$USER_ID"'","session_id":"'"$SESSION_ID"'","page_path":"/pricing","button_id":"buy_pro","props":{"plan":"pro"}},
        {"event_type":"page_closed","user_id":"'"$USER_ID"'","session_id":"'"$SESSION_ID"'","page_path":"/pricing"},
        {"event_type":"session_ended","user_id":"'"$USER_ID"'","session_id":"'"$SESSION_ID"'"}
      ]}'

# 4. A bad request: user_id is missing, so the API answers 400 and names the field.
request "bad request: missing user_id" 400 \
  -H "Authorization: Bearer $PULSE_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"event_type":"page_visited","session_id":"'"$SESSION_ID"'"}'

if [ "$failures" -gt 0 ]; then
  echo "$failures request(s) did not get the expected status" >&2
  exit 1
fi
echo "All requests answered as expected (session $SESSION_ID)."
