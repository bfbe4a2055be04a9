#!/bin/sh
# Writes a PNG of every screen of every shipped questionnaire: make screenshots.
# usage: make-screenshots.sh BUILD_DIR OUTPUT_DIR
set -eu
build=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# Demo settings with their data kept in a throwaway folder, so screenshots never touch .run/.
# A throwaway CA and token too, so the IT screen shows what a set-up device shows.
"$root/deploy/dev/make-dev-ca.sh" "$work/ca" >/dev/null
printf 'demo-screenshots-token\n' > "$work/ca/device-token"
chmod 600 "$work/ca/device-token"
sed "s#^data_dir = .*#data_dir = \"$work/data\"#; s#questionnaires/#$root/config/questionnaires/#; \
     s#\.\./\.run/demo-ca/#$work/ca/#" \
    "$root/config/demo.toml" > "$work/kiosk.toml"

for questionnaire in friends-and-family-test cancer-outpatients children; do
    rm -rf "$work/data"
    "$build/kiosk/kiosk" --headless --questionnaire "$questionnaire" \
        --script "$here/screens/$questionnaire.txt" --screenshots "$out" "$work/kiosk.toml"
done

rm -rf "$work/data"
"$build/kiosk/kiosk" --headless --questionnaire friends-and-family-test \
    --script "$here/screens/languages-and-access.txt" --screenshots "$out" "$work/kiosk.toml"

rm -rf "$work/data"
"$build/kiosk/kiosk" --headless --questionnaire friends-and-family-test \
    --script "$here/screens/staff.txt" --screenshots "$out" "$work/kiosk.toml"

printf '[device]\nid = "demo kiosk"\n' > "$work/broken.toml"
"$build/kiosk/kiosk" --headless --script "$here/screens/out-of-service.txt" \
    --screenshots "$out" "$work/broken.toml" 2>/dev/null
echo "screenshots written to $out"
