#!/bin/bash
# The response database's WAL index in memory, as kiosk.service sets it up before the kiosk starts
# (deploy/systemd/kiosk-wal-index-in-memory). Runs in a mount namespace of its own, with a RAM
# file system standing in for /run and the data folder on the real disk (in the build folder).
# Checks that:
# - the script binds an empty file in memory over outbox.sqlite-shm and says so; run again, it
#   finds it in place;
# - the kiosk then says its index is in memory, and saves responses that a second program (IT's
#   sqlite3), open all the while, sees as they arrive: both use the one index;
# - nothing was written to the card's own -shm file;
# - with a program holding the database open, a link in place of the -shm file, or a folder for
#   the index that is not in memory, it changes nothing and says why (status 1), and the file a
#   link points to is left alone;
# - without the binding the kiosk says its index is on the storage.
# Needs a mount namespace (root, or unprivileged user namespaces); without one it is skipped.
# usage: wal-index-in-memory.sh BUILD_DIR SOURCE_DIR
set -eu
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)

if [ -z "${KIOSK_TEST_IN_NAMESPACE:-}" ]; then
    export KIOSK_TEST_IN_NAMESPACE=1
    for how in "-m --propagation private" "-r -m --propagation private"; do
        # shellcheck disable=SC2086 # the options are words
        if unshare $how true 2>/dev/null; then
            # shellcheck disable=SC2086
            exec unshare $how bash "$0" "$@"
        fi
    done
    echo "SKIPPED: no mount namespace can be made here (not root, no user namespaces)"
    exit 77
fi

# On the real disk: the point is what reaches it.
work=$(mktemp -d "$build/wal-index-test.XXXXXX")
trap 'umount -q "$work"/*/outbox.sqlite-shm 2>/dev/null || true; umount -q "$work/run" 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=../support/script-helpers.sh
. "$source/tests/support/script-helpers.sh"
mkdir -p "$work/run" "$work/data"
mount -t tmpfs -o size=4m tmpfs "$work/run"
export KIOSK_WAL_INDEX_MEMORY=$work/run/kiosk-wal-index
keep=$source/deploy/systemd/kiosk-wal-index-in-memory
database=$work/data/outbox.sqlite

cat > "$work/kiosk.toml" <<CONFIG
[device]
id = "wal-index-test"
site = "Test"
service = "Test"
[questionnaires]
files = ["$source/config/questionnaires/friends-and-family-test.json"]
[storage]
data_dir = "$work/data"
[session]
thank_you_seconds = 5
[display]
fullscreen = false
width = 800
height = 480
dpi = 96
[delivery]
endpoint = "https://127.0.0.1:9/fhir"
CONFIG
# patients N: a script of N patients who answer and submit.
patients() {
    for _ in $(seq 1 "$1"); do
        printf '%s\n' 'tap "Start"' 'tap "Good"' 'tap "Next"' 'tap "Submit"' \
            'expect screen thank-you' 'wait 6s' 'expect screen welcome'
    done
}
patients 1 > "$work/one.txt"
patients 3 > "$work/three.txt"
kiosk_runs() { # kiosk_runs SCRIPT LOG
    SDL_VIDEODRIVER=dummy "$build/kiosk/kiosk" --headless --script "$1" "$work/kiosk.toml" > "$2" 2>&1
}
status_of() { "$@" > "$work/out" 2>&1 && echo 0 || echo $?; }

# --- bound before the kiosk's first start ---------------------------------------------------------
check "$(status_of "$keep" "$database")" 0 "the script binds the index"
check "$(grep -c "outbox.sqlite-shm is now in memory" "$work/out")" 1 "it says it did"
check "$(stat -f -c %T "$database-shm")" tmpfs "outbox.sqlite-shm is on the RAM file system"
check "$(stat -c %s "$database-shm")" 0 "and empty"
check "$(status_of "$keep" "$database")" 0 "run again, it is content"
check "$(grep -c "in memory already (tmpfs)" "$work/out")" 1 "it finds the binding in place"

kiosk_runs "$work/one.txt" "$work/first.log" || echo "FAILED: first kiosk run: $(tail -n 3 "$work/first.log")"
check "$(grep -c "WAL index (outbox.sqlite-shm) is in memory" "$work/first.log")" 1 \
    "the kiosk says its index is in memory"

# IT's sqlite3, open while the kiosk saves three more: it must see each count as it is.
mkfifo "$work/sql"
sqlite3 "$database" < "$work/sql" > "$work/sql.out" 2>&1 &
reader=$!
exec 4> "$work/sql"
ask() { # ask SQL MARK: runs SQL in the open sqlite3, waits until it has
    printf '%s\n.shell touch %s\n' "$1" "$work/$2" >&4
    for _ in $(seq 1 100); do [ -e "$work/$2" ] && return 0; sleep 0.1; done
    echo "FAILED: sqlite3 did not answer $1"
}
ask "SELECT count(*) FROM responses;" asked-before
kiosk_runs "$work/three.txt" "$work/second.log" || echo "FAILED: second kiosk run: $(tail -n 3 "$work/second.log")"
ask "SELECT count(*) FROM responses;" asked-after
ask "PRAGMA integrity_check;" checked
exec 4>&-
wait "$reader" || true
check "$(tr '\n' ' ' < "$work/sql.out")" "1 4 ok " "sqlite3 saw 1, then 4 responses, through the same index"
check "$(stat -f -c %T "$work/run/kiosk-wal-index/outbox.sqlite-shm")" tmpfs "the index file is in memory"

umount "$database-shm"
check "$(stat -c %s "$database-shm")" 0 "nothing was written to the card's own -shm file"

# --- without the binding ---------------------------------------------------------------------------
kiosk_runs "$work/one.txt" "$work/third.log" || echo "FAILED: third kiosk run: $(tail -n 3 "$work/third.log")"
check "$(grep -c "WAL index (outbox.sqlite-shm) is on the storage" "$work/third.log")" 1 \
    "without it the kiosk says its index is on the storage"
check "$(sqlite3 "$database" "SELECT count(*) FROM responses")" 5 "every response is there"

# --- a program has the database open -----------------------------------------------------------------
sqlite3 "$database" < "$work/sql" > /dev/null 2>&1 &
reader=$!
exec 4> "$work/sql"
ask "SELECT 1;" opened
check "$(status_of "$keep" "$database")" 1 "with the database open elsewhere it changes nothing"
check "$(grep -c "is open in process $reader;" "$work/out")" 1 "and names the process"
check "$(mountpoint -q "$database-shm" && echo bound || echo alone)" alone "nothing was bound"
exec 4>&-
wait "$reader" || true
check "$(status_of "$keep" "$database")" 0 "once it is closed, the index goes in memory"

# --- a link in place of the index file --------------------------------------------------------------
mkdir "$work/linked"
echo "not the kiosk's" > "$work/elsewhere"
ln -s "$work/elsewhere" "$work/linked/outbox.sqlite-shm"
check "$(status_of "$keep" "$work/linked/outbox.sqlite")" 1 "a link in place of the file is refused"
check "$(grep -c "is not a plain file" "$work/out")" 1 "and it says why"
check "$(mountpoint -q "$work/elsewhere" && echo bound || echo alone)" alone \
    "the file the link points to is left alone"
check "$(status_of "$keep" "data/outbox.sqlite")" 2 "a relative path is refused"
mkdir "$work/on-disk" "$work/unbound"
check "$(KIOSK_WAL_INDEX_MEMORY=$work/on-disk status_of "$keep" "$work/unbound/outbox.sqlite")" 1 \
    "a folder for the index that is not in memory is refused"
check "$(grep -c "is not on a RAM file system" "$work/out")" 1 "and it says why"
check "$(mountpoint -q "$work/unbound/outbox.sqlite-shm" && echo bound || echo alone)" alone \
    "nothing was bound"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
