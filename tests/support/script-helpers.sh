# Shared by the shell tests (tests/sync/kill-delivery.sh, tests/crash/*.sh); sourced, not run.
# They set `build`, `source` and `work` first, and call cleanup_collector from their EXIT trap.

passed=0
failed=0
# check ACTUAL EXPECTED WHAT: counts a pass, or prints what failed.
check() { if [ "$1" = "$2" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $3: $1 != $2"; fi; }

collector_pid=
# start_collector DEVICE_ID PORT: the reference collector over HTTPS on 127.0.0.1:PORT with the
# CA in $work/ca (made by deploy/dev/make-dev-ca.sh), its database in $work/collector, and the
# device's token in $work/token (readable by its owner only). Returns once the port answers.
start_collector() {
    cat > "$work/collector.toml" <<CONFIG
[server]
listen_address = "127.0.0.1"
port = $2
[tls]
certificate = "$work/ca/server.pem"
private_key = "$work/ca/server.key"
[storage]
database = "$work/collector/collector.sqlite"
[questionnaires]
files = ["$source/config/questionnaires/friends-and-family-test.json"]
CONFIG
    mkdir -p "$work/collector"
    (umask 077 && "$build/sync/kiosk-collector" add-device --config "$work/collector.toml" "$1" \
        | tail -n 1 > "$work/token")
    "$build/sync/kiosk-collector" serve --config "$work/collector.toml" 2>/dev/null &
    collector_pid=$!
    tries=0
    until (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null || [ $tries -ge 50 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
}
cleanup_collector() {
    [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null && wait "$collector_pid" 2>/dev/null
    return 0
}

# enqueue_responses DATABASE FIRST COUNT: COUNT queued Friends and Family Test responses, numbered
# from FIRST, written straight into an outbox made with its own schema, in one transaction.
enqueue_responses() {
    {
        echo "BEGIN;"
        i=$2
        while [ "$i" -lt $(($2 + $3)) ]; do
            id=$(printf 'urn:uuid:00000000-0000-4000-8000-%012d' "$i")
            printf "INSERT INTO responses (identifier, questionnaire, authored, payload, created_at) VALUES ('%s', 'urn:ward-feedback-kiosk:questionnaire:friends-and-family-test|1.0.0', '2026-11-26T10:00:00Z', '{\"resourceType\":\"QuestionnaireResponse\",\"identifier\":{\"system\":\"urn:ietf:rfc:3986\",\"value\":\"%s\"},\"questionnaire\":\"urn:ward-feedback-kiosk:questionnaire:friends-and-family-test|1.0.0\",\"status\":\"completed\",\"authored\":\"2026-11-26T10:00:00Z\",\"item\":[{\"linkId\":\"fft-rating\",\"answer\":[{\"valueCoding\":{\"system\":\"urn:ward-feedback-kiosk:codesystem:fft-response\",\"code\":\"1\",\"display\":\"Very good\"}}]}]}', %d);\n" "$id" "$id" "$i"
            i=$((i + 1))
        done
        echo "COMMIT;"
    } | sqlite3 "$1"
}
