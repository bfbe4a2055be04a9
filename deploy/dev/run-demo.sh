#!/bin/sh
# make run: a local collector on https://127.0.0.1:8443/fhir with a development CA, and the kiosk
# on the demo settings delivering to it. Everything it makes stays in .run/ at the top of the tree.
# usage: run-demo.sh BUILD_DIR
set -eu
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
run="$root/.run"
mkdir -p "$run"

"$root/deploy/dev/make-dev-ca.sh" "$run/demo-ca"

collector_config="$run/collector.toml"
if [ ! -f "$collector_config" ]; then
    cat > "$collector_config" <<CONFIG
# The demo collector made by make run. See docs/collector.md.
[server]
listen_address = "127.0.0.1"
port = 8443
base_path = "/fhir"

[tls]
certificate = "$run/demo-ca/server.pem"
private_key = "$run/demo-ca/server.key"

[storage]
database = "$run/collector-data/collector.sqlite"

[questionnaires]
files = [
    "$root/config/questionnaires/cancer-outpatients.json",
    "$root/config/questionnaires/friends-and-family-test.json",
    "$root/config/questionnaires/children.json",
]
CONFIG
fi
mkdir -p "$run/collector-data"

# The demo kiosk's token, made once and readable by this user only.
token="$run/demo-ca/device-token"
if [ ! -s "$token" ]; then
    umask 077
    "$build/sync/kiosk-collector" add-device --config "$collector_config" demo-kiosk-01 \
        | tail -n 1 > "$token.new"
    mv "$token.new" "$token"
    chmod 600 "$token"
fi

"$build/sync/kiosk-collector" serve --config "$collector_config" &
collector=$!
trap 'kill "$collector" 2>/dev/null || true; wait "$collector" 2>/dev/null || true' EXIT INT TERM
sleep 0.5

echo "run-demo: collector on https://127.0.0.1:8443/fhir; responses: $run/collector-data"
echo "run-demo: close the kiosk window (or press Escape) to stop"
"$build/kiosk/kiosk" "$root/config/demo.toml"
