#!/bin/bash
# The device's wall clock jumps (a wrong real-time clock corrected by NTP, a person setting it),
# with the real delivery client (kiosk-sync) and the real collector over HTTPS on 127.0.0.1.
# libfaketime moves only the wall clock (CLOCK_REALTIME), as a real clock change does; the
# monotonic clock is left alone (FAKETIME_DONT_FAKE_MONOTONIC).
#  - Back: responses that failed while the clock was a day ahead are sent within the retry cap
#    once it is corrected, not a day later.
#  - Forward: responses that failed are due at once when the clock jumps ahead.
# Afterwards every response is at the collector exactly once and the outbox is whole.
# usage: clock-jumps.sh BUILD_DIR SOURCE_DIR
set -eu
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
if ! command -v faketime >/dev/null; then
    echo "faketime is not installed (deploy/install-deps.sh installs it)"
    exit 1
fi
export FAKETIME_DONT_FAKE_MONOTONIC=1
# In the sanitizer build libfaketime is loaded before the ASan runtime; that order is fine here.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
work=$(mktemp -d)
# shellcheck source=../support/script-helpers.sh
. "$source/tests/support/script-helpers.sh"
trap 'cleanup_collector; rm -rf "$work"' EXIT

# Certificates that were already valid two days ago, so a clock a day behind still trusts them.
faketime -f "-2d" "$source/deploy/dev/make-dev-ca.sh" "$work/ca" >/dev/null
mkdir -p "$work/kiosk"
port=$((20000 + ($$ + 7919) % 20000))
start_collector clock-test "$port"

settings() { # settings ENDPOINT_PORT
    cat <<CONFIG
[device]
id = "clock-test"
site = "Test"
service = "Test"
[questionnaires]
files = ["$source/config/questionnaires/friends-and-family-test.json"]
[storage]
data_dir = "$work/kiosk"
[delivery]
endpoint = "https://127.0.0.1:$1/fhir"
ca_file = "$work/ca/ca.pem"
token_file = "$work/token"
proxy = ""
retry_base_seconds = 1
retry_cap_seconds = 2
# A month ahead must not purge what this test counts as delivered.
retention_days = 365
CONFIG
}
settings 9 > "$work/unreachable.toml" # nothing listens on port 9 of the loopback
settings "$port" > "$work/kiosk.toml"
sync() { "$build/kiosk/kiosk-sync" --config "$work/$1" once >>"$work/sync.log" 2>&1 || true; }
database="$work/kiosk/outbox.sqlite"
count() { sqlite3 "$database" "SELECT count(*) FROM response_states WHERE state = '$1'"; }
enqueue() { enqueue_responses "$database" "$1" "$2"; } # enqueue FIRST COUNT
"$build/kiosk/kiosk-sync" --config "$work/kiosk.toml" status >/dev/null # makes the outbox


# Back: the clock is a day ahead while the endpoint cannot be reached, then corrected.
enqueue 0 5
faketime -f "+1d" "$build/kiosk/kiosk-sync" --config "$work/unreachable.toml" once \
    >>"$work/sync.log" 2>&1 || true
check "$(count queued)" "5" "failed while a day ahead: still queued"
ahead=$(sqlite3 "$database" "SELECT min(next_attempt_at) - CAST(strftime('%s','now') AS INTEGER) * 1000 FROM delivery_queue")
check "$([ "$ahead" -gt 80000000 ] && echo yes || echo no)" "yes" "the retry time was stored a day ahead ($ahead ms)"
sync kiosk.toml # the corrected clock: brought forward to within the 2 s retry cap
sleep 2.5
sync kiosk.toml
check "$(count acknowledged)" "5" "sent within the retry cap after the clock went back"
check "$(grep -c "the clock went back: 5 response(s)" "$work/sync.log")" "1" "the log says the clock went back"

# Forward: a failure now, then the clock jumps a month ahead: due at once.
enqueue 5 5
sync unreachable.toml
check "$(count queued)" "5" "failed now: queued"
faketime -f "+30d" "$build/kiosk/kiosk-sync" --config "$work/kiosk.toml" once \
    >>"$work/sync.log" 2>&1 || true
check "$(count acknowledged)" "10" "sent at once after the clock jumped ahead"

integrity=$(sqlite3 "$database" "PRAGMA integrity_check")
stored=$(sqlite3 "$work/collector/collector.sqlite" "SELECT count(*) FROM responses")
distinct=$(sqlite3 "$work/collector/collector.sqlite" "SELECT count(DISTINCT identifier_value) FROM responses")
check "$integrity" "ok" "outbox integrity"
check "$stored" "10" "every response at the collector"
check "$distinct" "10" "none twice"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "--- kiosk-sync said:"; cat "$work/sync.log"; exit 1; }
