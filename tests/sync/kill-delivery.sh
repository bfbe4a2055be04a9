#!/bin/bash
# kill -9 of kiosk-sync at random moments while a backlog drains to the real collector over HTTPS
# on 127.0.0.1; afterwards every response is at the collector exactly once and acknowledged.
# usage: kill-delivery.sh BUILD_DIR SOURCE_DIR [KILLS] [RESPONSES]
set -eu
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
kills=${3:-200}
responses=${4:-2000}
work=$(mktemp -d)
# shellcheck source=../support/script-helpers.sh
. "$source/tests/support/script-helpers.sh"
trap 'cleanup_collector; rm -rf "$work"' EXIT

"$source/deploy/dev/make-dev-ca.sh" "$work/ca" >/dev/null
port=$((20000 + $$ % 20000))
mkdir -p "$work/kiosk"
start_collector kill-test "$port"

cat > "$work/kiosk.toml" <<CONFIG
[device]
id = "kill-test"
site = "Test"
service = "Test"
[questionnaires]
files = ["$source/config/questionnaires/friends-and-family-test.json"]
[storage]
data_dir = "$work/kiosk"
[delivery]
endpoint = "https://127.0.0.1:$port/fhir"
ca_file = "$work/ca/ca.pem"
token_file = "$work/token"
proxy = ""
batch_max_entries = 10
retry_base_seconds = 1
retry_cap_seconds = 1
CONFIG

# The backlog: made with the outbox's own schema (kiosk-sync status creates it), then filled.
"$build/kiosk/kiosk-sync" --config "$work/kiosk.toml" status >/dev/null
enqueue_responses "$work/kiosk/outbox.sqlite" 0 "$responses"
sleep 0.3

n=0
while [ $n -lt "$kills" ]; do
    "$build/kiosk/kiosk-sync" --config "$work/kiosk.toml" once >/dev/null 2>&1 &
    pid=$!
    # A random moment within the first 60 ms: start-up, TLS, mid-batch, mid-commit.
    sleep "0.0$(( $(od -An -N1 -tu1 /dev/urandom) % 60 / 10 ))$(( $(od -An -N1 -tu1 /dev/urandom) % 10 ))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    n=$((n + 1))
done
during=$(sqlite3 "$work/kiosk/outbox.sqlite" "SELECT count(*) FROM acknowledgements")
echo "after $kills kills: $during of $responses acknowledged; draining the rest"
# Then let it finish: rows that failed while being killed wait out their (1 s) retry time.
tries=0
while [ $tries -lt 30 ]; do
    "$build/kiosk/kiosk-sync" --config "$work/kiosk.toml" once >/dev/null 2>&1 || true
    left=$(sqlite3 "$work/kiosk/outbox.sqlite" "SELECT count(*) FROM delivery_queue")
    [ "$left" -eq 0 ] && break
    sleep 1
    tries=$((tries + 1))
done

integrity=$(sqlite3 "$work/kiosk/outbox.sqlite" "PRAGMA integrity_check")
acknowledged=$(sqlite3 "$work/kiosk/outbox.sqlite" "SELECT count(*) FROM acknowledgements")
total=$(sqlite3 "$work/kiosk/outbox.sqlite" "SELECT count(*) FROM responses")
stored=$(sqlite3 "$work/collector/collector.sqlite" "SELECT count(*) FROM responses")
distinct=$(sqlite3 "$work/collector/collector.sqlite" "SELECT count(DISTINCT identifier_value) FROM responses" 2>/dev/null || echo "?")
echo "kills $kills responses $responses: outbox $total ($acknowledged acknowledged, integrity $integrity), collector $stored stored ($distinct distinct)"
check "$integrity" "ok" "outbox integrity"
check "$total" "$responses" "nothing lost from the outbox"
check "$acknowledged" "$responses" "every response acknowledged"
check "$stored" "$responses" "every response at the collector, once"
check "$distinct" "$responses" "no identifier twice at the collector"
# kiosk-sync's own words for IT staff.
status=$("$build/kiosk/kiosk-sync" --config "$work/kiosk.toml" status)
check "$(echo "$status" | grep -c "delivered: *$responses ")" "1" "status counts the delivered"
check "$(echo "$status" | grep -c "waiting: *0 queued, 0 sending")" "1" "status shows nothing waiting"
listed=$("$build/kiosk/kiosk-sync" --config "$work/kiosk.toml" list --state acknowledged --limit 5 | tail -n +2 | wc -l)
check "$listed" "5" "list shows the rows asked for"
if "$build/kiosk/kiosk-sync" --config "$work/kiosk.toml" retry 1 2>"$work/retry.err"; then
    check "exit 0" "exit 1" "retry of a delivered response is refused"
else
    check "$(grep -c "rejected" "$work/retry.err")" "1" "retry says only a refused response can be sent again"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
