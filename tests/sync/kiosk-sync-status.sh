#!/bin/bash
# `kiosk-sync status` as IT staff read it: the delivery lines they already know, then the
# responses stored (ever, and today) and the last ten staff actions, newest first.
# usage: kiosk-sync-status.sh KIOSK_SYNC SOURCE_DIR
set -eu
kiosk_sync=$1
source=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Local times in the output are the device's; pin the zone so the expected text is fixed.
export TZ=UTC

cat > "$work/kiosk.toml" <<CONFIG
[device]
id = "status-test"
site = "Test"
service = "Test"
[questionnaires]
files = ["$source/config/questionnaires/friends-and-family-test.json"]
[storage]
data_dir = "$work/kiosk"
[delivery]
endpoint = "https://127.0.0.1:9/fhir"
token_file = "$work/token"
proxy = ""
CONFIG

passed=0
failed=0
check() { if [ "$1" = "$2" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $3: '$1' != '$2'"; fi; }
lines() { printf '%s\n' "$1" | grep -c -x -F -- "$2" || true; }

# A new outbox: status creates it, and says nothing has happened yet.
status=$("$kiosk_sync" --config "$work/kiosk.toml" status)
check "$(lines "$status" "waiting:       0 queued, 0 sending")" 1 "empty: waiting"
check "$(lines "$status" "last delivery: never")" 1 "empty: last delivery"
check "$(lines "$status" "stored ever:   0")" 1 "empty: stored ever"
check "$(lines "$status" "stored today:  0")" 1 "empty: stored today"
check "$(lines "$status" "Last staff actions: none recorded")" 1 "empty: no staff actions"

# Three responses (two on 17 May 2024, one now), one of them delivered and purged, and twelve
# staff actions, one with a line break in it. Written by another program, as the kiosk would.
now_ms=$(($(date +%s) * 1000))
{
    echo "INSERT INTO responses (identifier, questionnaire, authored, payload, created_at) VALUES"
    echo "  ('urn:uuid:1', 'q|1', '2024-05-17T09:30:00Z', '{}', 1715938200000),"
    echo "  ('urn:uuid:2', 'q|1', '2024-05-17T09:45:00Z', '{}', 1715939100000),"
    echo "  ('urn:uuid:3', 'q|1', '2024-05-17T09:45:00Z', '{}', $now_ms);"
    echo "DELETE FROM responses WHERE identifier = 'urn:uuid:2';"
    i=1
    while [ $i -le 12 ]; do
        echo "INSERT INTO staff_actions (at, role, action) VALUES ($((1715938200000 + i * 60000)), 'volunteer', 'Action $i');"
        i=$((i + 1))
    done
    echo "INSERT INTO staff_actions (at, role, action) VALUES (1715940000000, 'IT', 'Chose the clinic \"Eye' || char(10) || 'clinic\"');"
} | sqlite3 "$work/kiosk/outbox.sqlite"

status=$("$kiosk_sync" --config "$work/kiosk.toml" status)
# The lines scripts already read stay exactly as they were.
check "$(lines "$status" "waiting:       2 queued, 0 sending")" 1 "waiting"
check "$(lines "$status" "delivered:     0 (kept for the retention period)")" 1 "delivered"
check "$(lines "$status" "refused:       0")" 1 "refused"
check "$(lines "$status" "oldest waiting: since 2024-05-17 09:30:00")" 1 "oldest waiting"
# New: the totals count the purged response too.
check "$(lines "$status" "stored ever:   3 since 2024-05-17 09:30")" 1 "stored ever"
check "$(lines "$status" "stored today:  1")" 1 "stored today"
# New: the ten newest staff actions, newest first, each on one line.
check "$(lines "$status" "Last staff actions:")" 1 "staff actions heading"
actions=$(printf '%s\n' "$status" | sed -n '/^Last staff actions:$/,$p' | tail -n +2)
check "$(printf '%s\n' "$actions" | wc -l)" 10 "ten staff actions shown"
check "$(printf '%s\n' "$actions" | head -n 1)" '  2024-05-17 10:00  IT         Chose the clinic "Eye clinic"' "newest first, one line"
check "$(printf '%s\n' "$actions" | sed -n 2p)" "  2024-05-17 09:42  volunteer  Action 12" "then the one before"
check "$(printf '%s\n' "$actions" | tail -n 1)" "  2024-05-17 09:34  volunteer  Action 4" "the tenth newest last"
check "$(printf '%s\n' "$actions" | grep -c "Action 3$" || true)" 0 "older actions left out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
