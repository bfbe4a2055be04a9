#!/bin/bash
# kill -9 of the kiosk at random moments while a scripted patient answers and submits in a loop.
# Afterwards the outbox passes PRAGMA integrity_check, every response the kiosk logged as saved
# (it logs "response ID saved" after the commit and before the thank-you screen shows) is in the
# outbox exactly once, and every run started normally: no damaged file put aside, no start-up
# error, and every run either killed or finished its script.
# usage: kill-kiosk.sh BUILD_DIR SOURCE_DIR [KILLS]
set -eu
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
kills=${3:-500}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=../support/script-helpers.sh
. "$source/tests/support/script-helpers.sh"
mkdir -p "$work/logs"

# Nothing listens on port 9 of the loopback: the delivery worker keeps its responses queued,
# so the outbox holds every response the kiosk ever stored.
cat > "$work/kiosk.toml" <<CONFIG
[device]
id = "crash-test"
site = "Test"
service = "Test"
[questionnaires]
files = ["$source/config/questionnaires/friends-and-family-test.json"]
[storage]
data_dir = "$work/data"
[session]
idle_timeout_seconds = 60
idle_warning_seconds = 20
thank_you_seconds = 5
[display]
fullscreen = false
width = 800
height = 480
dpi = 96
[delivery]
endpoint = "https://127.0.0.1:9/fhir"
CONFIG

# One patient after another: most submit (some with typed words), some walk away and are reset.
{
    for session in $(seq 1 40); do
        echo 'tap "Start"'
        if [ $((session % 7)) -eq 0 ]; then
            echo 'tap "Poor"'
            echo 'wait 90s'
            echo 'expect screen welcome'
            continue
        fi
        echo 'tap "Good"'
        if [ $((session % 3)) -eq 0 ]; then
            echo 'type "Kind staff"'
        fi
        echo 'tap "Next"'
        echo 'tap "Submit"'
        echo 'expect screen thank-you'
        echo 'wait 6s'
        echo 'expect screen welcome'
    done
} > "$work/patients.txt"

random_below() { # a random whole number in [0, $1)
    echo $(($(od -An -N2 -tu2 /dev/urandom) % $1))
}

abnormal=0
finished=0
n=0
while [ $n -lt "$kills" ]; do
    log="$work/logs/run-$n.log"
    "$build/kiosk/kiosk" --headless --script "$work/patients.txt" "$work/kiosk.toml" \
        >"$log" 2>&1 &
    pid=$!
    # A random moment in the first 1.5 s: start-up, checking the database, drawing, saving.
    sleep "$(($(random_below 2))).$(printf '%03d' "$(random_below 1000)")"
    kill -9 "$pid" 2>/dev/null || true
    status=0
    wait "$pid" 2>/dev/null || status=$?
    if [ "$status" -eq 0 ]; then
        finished=$((finished + 1)) # the whole script ran before the kill
    elif [ "$status" -ne 137 ]; then
        abnormal=$((abnormal + 1))
        echo "run $n ended with status $status (not killed, not finished):"
        tail -n 5 "$log"
    fi
    n=$((n + 1))
done

database="$work/data/outbox.sqlite"
integrity=$(sqlite3 "$database" "PRAGMA integrity_check")
# Only whole lines: a kill can cut the last one short.
cat "$work"/logs/*.log | grep -o 'response urn:uuid:[0-9a-f-]\{36\} saved$' |
    sed 's/^response \(.*\) saved$/\1/' | sort > "$work/saved"
saved=$(wc -l < "$work/saved")
distinct_saved=$(sort -u "$work/saved" | wc -l)
sqlite3 "$database" "SELECT identifier FROM responses" | sort > "$work/stored"
stored=$(wc -l < "$work/stored")
# Every saved identifier must be stored, and stored once (the file has no duplicates: -d).
missing=$(comm -23 <(sort -u "$work/saved") <(sort -u "$work/stored") | wc -l)
stored_twice=$(uniq -d "$work/stored" | wc -l)
invalid=$(sqlite3 "$database" \
    "SELECT count(*) FROM response_states WHERE json_valid(payload) = 0 OR state IS NOT 'queued'")
set_aside=$(find "$work/data" -name '*damaged*' -o -name '*aside*' | wc -l)
startup_errors=$(cat "$work"/logs/*.log | grep -c -i 'error\|damaged\|cannot' || true)

echo "kills $kills (scripts finished first: $finished): $saved responses logged saved," \
    "$stored stored, integrity $integrity"
check "$integrity" "ok" "outbox integrity after every kill"
check "$abnormal" "0" "every run was killed or finished its script"
check "$distinct_saved" "$saved" "no response logged saved twice"
check "$missing" "0" "every response logged saved is in the outbox"
check "$stored_twice" "0" "no response stored twice"
check "$invalid" "0" "every stored response is whole and queued"
check "$set_aside" "0" "no damaged database put aside"
check "$startup_errors" "0" "no run logged an error"
# The test must have tested something: kills landed after patients had submitted.
check "$([ "$saved" -gt 0 ] && echo yes || echo no)" "yes" "patients submitted between kills"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
