#!/bin/bash
# The packages' maintainer scripts (deploy/debian/*.postinst, .prerm, .postrm), run for real in a
# throwaway root: DPKG_ROOT points their paths at a temporary folder, and every command that would
# change this machine (adduser, chown, deb-systemd-helper, systemctl, ...) is a stub on PATH that
# only records how it was called. Nothing outside the temporary folder is touched.
# usage: maintainer-scripts-test.sh SOURCE_DIR
# The stubs and patterns below are single-quoted on purpose: they expand when they run.
# shellcheck disable=SC2016
set -eu
source_dir=$(cd "$1" && pwd)
scripts=$source_dir/deploy/debian
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
# How many lines of the call log are exactly this call.
calls() { grep -c -x -F -- "$1" "$work/calls" || true; }
mode_of() { stat -c %a "$1"; }

# --- stubs -------------------------------------------------------------------------------------
# State the stubs read: users that exist, groups that exist, group memberships, statoverrides,
# the owner `stat` reports for the conffile.
stubs=$work/stubs
state=$work/state
mkdir -p "$stubs" "$state"
stub() {
    printf '#!/bin/sh\n%s\n' "$2" > "$stubs/$1"
    chmod +x "$stubs/$1"
}
log_call='echo "$(basename "$0") $*" >> "$STUB_LOG"'
stub adduser "$log_call"
stub deluser "$log_call"
stub chown "$log_call"
stub deb-systemd-helper "$log_call
[ \"\$1\" = --quiet ] && [ \"\$2\" = was-enabled ] && exit \$(cat \"\$STUB_STATE/was-enabled\" 2>/dev/null || echo 0)
exit 0"
stub deb-systemd-invoke "$log_call"
stub systemctl "$log_call"
stub getent 'case "$1" in
passwd) grep -q -x -F -- "$2" "$STUB_STATE/users" 2>/dev/null ;;
group) grep -q -x -F -- "$2" "$STUB_STATE/groups" 2>/dev/null ;;
*) exit 2 ;;
esac'
stub id '[ "$1" = -nG ] || exit 2; cat "$STUB_STATE/memberships" 2>/dev/null || echo "$2"'
stub dpkg-statoverride '[ "$1" = --list ] || exit 2
grep -q -x -F -- "$2" "$STUB_STATE/statoverrides" 2>/dev/null'
# The real stat, except that the conffile's owner can be chosen (the test does not run as a
# particular user, and chown is a stub).
stub stat 'if [ "$1" = -c ] && [ "$2" = %U:%G ]; then cat "$STUB_STATE/owner"; else exec /usr/bin/stat "$@"; fi'

export STUB_LOG=$work/calls STUB_STATE=$state
# run SCRIPT ARGS...: the script with the stubs, in the throwaway root; its exit status in $status,
# its output in $work/out, the stubs' calls in $work/calls.
search_path=$stubs:$PATH
run() {
    : > "$work/calls"
    status=0
    env PATH="$search_path" DPKG_ROOT="$root" sh "$scripts/$1" "${@:2}" > "$work/out" 2>&1 || status=$?
}

# --- kiosk ---------------------------------------------------------------------------------------
root=$work/root
mkdir -p "$root/etc/kiosk"
printf 'the settings as dpkg unpacked them\n' > "$root/etc/kiosk/kiosk.toml"
chmod 0644 "$root/etc/kiosk/kiosk.toml"
printf 'video\ninput\n' > "$state/groups" # no render group on this system
echo root:root > "$state/owner"

# First install: the user is created and put in the groups that exist; folders and settings get
# their owners and modes; the unit is enabled but not started.
run kiosk.postinst configure ""
check "$status" 0 "first install: postinst succeeds"
check "$(calls "adduser --system --group --quiet --home /var/lib/kiosk --no-create-home --gecos Ward feedback kiosk kiosk")" 1 \
    "first install: the system user is created"
check "$(calls "adduser --quiet kiosk video")" 1 "first install: user in group video"
check "$(calls "adduser --quiet kiosk input")" 1 "first install: user in group input"
check "$(grep -c render "$work/calls" || true)" 0 "first install: a missing group is skipped"
check "$(calls "chown root:kiosk $root/etc/kiosk")" 1 "first install: /etc/kiosk owner"
check "$(mode_of "$root/etc/kiosk")" 750 "first install: /etc/kiosk mode"
check "$(calls "chown root:kiosk $root/etc/kiosk/kiosk.toml")" 1 "first install: settings owner"
check "$(mode_of "$root/etc/kiosk/kiosk.toml")" 640 "first install: settings mode"
check "$(calls "chown kiosk:kiosk $root/var/lib/kiosk")" 1 "first install: data folder owner"
check "$(mode_of "$root/var/lib/kiosk")" 750 "first install: data folder mode"
check "$(calls "deb-systemd-helper enable kiosk.service")" 1 "first install: unit enabled"
check "$(grep -c -E '^(deb-systemd-invoke|systemctl) ' "$work/calls" || true)" 0 \
    "first install: nothing started or restarted outside a running system"
check "$(cat "$root/etc/kiosk/kiosk.toml")" "the settings as dpkg unpacked them" \
    "first install: settings content untouched"

# The kiosk stores responses; an upgrade (and any later configure) must leave them alone, keep a
# settings file provisioning made its own, and keep an administrator's disabled unit disabled.
printf 'kiosk\n' > "$state/users"
printf 'kiosk video input\n' > "$state/memberships"
printf 'responses\n' > "$root/var/lib/kiosk/outbox.sqlite"
chmod 0600 "$root/var/lib/kiosk/outbox.sqlite"
touch -d '2020-01-01 00:00' "$root/var/lib/kiosk/outbox.sqlite"
printf 'provisioned settings\n' > "$root/etc/kiosk/kiosk.toml"
chmod 0600 "$root/etc/kiosk/kiosk.toml"
echo kiosk:kiosk > "$state/owner"
echo 1 > "$state/was-enabled"
run kiosk.postinst configure 0.1.0
check "$status" 0 "upgrade: postinst succeeds"
check "$(grep -c '^adduser' "$work/calls" || true)" 0 "upgrade: user and groups already there"
check "$(calls "chown root:kiosk $root/etc/kiosk/kiosk.toml")" 0 \
    "upgrade: a provisioned settings file keeps its owner"
check "$(mode_of "$root/etc/kiosk/kiosk.toml")" 600 "upgrade: a provisioned settings file keeps its mode"
check "$(cat "$root/etc/kiosk/kiosk.toml")" "provisioned settings" "upgrade: settings content untouched"
check "$(cat "$root/var/lib/kiosk/outbox.sqlite")" responses "upgrade: responses untouched"
check "$(mode_of "$root/var/lib/kiosk/outbox.sqlite")" 600 "upgrade: response file mode untouched"
check "$(stat -c %Y "$root/var/lib/kiosk/outbox.sqlite")" "$(date -d '2020-01-01 00:00' +%s)" \
    "upgrade: response file not rewritten"
check "$(calls "deb-systemd-helper enable kiosk.service")" 0 "upgrade: a disabled unit stays disabled"
check "$(calls "deb-systemd-helper update-state kiosk.service")" 1 "upgrade: unit state updated"
echo 0 > "$state/was-enabled"

# dpkg-statoverride records the administrator's choice for a path: it wins.
printf '/var/lib/kiosk\n' > "$state/statoverrides"
chmod 0770 "$root/var/lib/kiosk"
run kiosk.postinst configure 0.1.0
check "$(calls "chown kiosk:kiosk $root/var/lib/kiosk")" 0 "statoverride: owner left alone"
check "$(mode_of "$root/var/lib/kiosk")" 770 "statoverride: mode left alone"
check "$(calls "chown root:kiosk $root/etc/kiosk")" 1 "statoverride: other paths still set"
rm "$state/statoverrides"

# Without deb-systemd-helper (init-system-helpers is Essential, so only on a damaged system) the
# script still succeeds and leaves the unit alone. The search path then holds the stubs and only
# the few tools the scripts use, none of which is deb-systemd-helper.
mv "$stubs/deb-systemd-helper" "$work/deb-systemd-helper.away"
mkdir "$work/tools"
for tool in sh env mkdir chmod tr grep cat basename rm; do
    ln -s "$(command -v "$tool")" "$work/tools/$tool"
done
search_path=$stubs:$work/tools
run kiosk.postinst configure ""
check "$status" 0 "no deb-systemd-helper: postinst succeeds"
check "$(grep -c -E '^(systemctl|deb-systemd-invoke) ' "$work/calls" || true)" 0 \
    "no deb-systemd-helper: no other way round it"
search_path=$stubs:$PATH
mv "$work/deb-systemd-helper.away" "$stubs/deb-systemd-helper"

# prerm on upgrade and on remove; nothing is stopped outside a running system, and nothing is
# deleted by prerm at all.
for action in upgrade remove; do
    run kiosk.prerm "$action" 0.2.0
    check "$status" 0 "prerm $action succeeds"
done
check "$(cat "$root/var/lib/kiosk/outbox.sqlite")" responses "prerm: responses untouched"

# remove: settings, responses and the user stay; the unit is masked (as debhelper does) so a
# leftover enablement link cannot start a program that is gone.
run kiosk.postrm remove
check "$status" 0 "remove: postrm succeeds"
check "$(cat "$root/etc/kiosk/kiosk.toml")" "provisioned settings" "remove: settings kept"
check "$(cat "$root/var/lib/kiosk/outbox.sqlite")" responses "remove: responses kept"
check "$(calls "deb-systemd-helper mask kiosk.service")" 1 "remove: unit masked"
check "$(grep -c '^deluser' "$work/calls" || true)" 0 "remove: user kept"

# purge: settings go, the responses NEVER do, and the message says where they are and how to
# check and delete them.
printf 'secret\n' > "$root/etc/kiosk/device-token"
run kiosk.postrm purge
check "$status" 0 "purge: postrm succeeds"
check "$([ -e "$root/etc/kiosk" ] && echo present || echo gone)" gone "purge: /etc/kiosk removed"
check "$(cat "$root/var/lib/kiosk/outbox.sqlite")" responses "purge: responses kept"
check "$(grep -c '^deluser' "$work/calls" || true)" 0 "purge: user kept"
check "$(calls "deb-systemd-helper purge kiosk.service")" 1 "purge: unit state purged"
check "$(grep -c -F '/var/lib/kiosk were kept' "$work/out" || true)" 1 "purge: message says the responses were kept"
check "$(grep -c -F 'kiosk-sync status' "$work/out" || true)" 1 "purge: message says how to check delivery"
check "$(grep -c -F 'rm -rf /var/lib/kiosk' "$work/out" || true)" 1 "purge: message says how to delete"

# Unknown arguments are refused, as dpkg expects.
for script in postinst prerm postrm; do
    run "kiosk.$script" nonsense
    check "$status" 1 "kiosk.$script refuses an unknown argument"
done

# --- kiosk-collector -----------------------------------------------------------------------------
root=$work/collector-root
mkdir -p "$root/etc/kiosk-collector"
printf 'collector settings\n' > "$root/etc/kiosk-collector/collector.toml"
rm -f "$state/users" "$state/memberships"
echo root:root > "$state/owner"
run kiosk-collector.postinst configure ""
check "$status" 0 "collector first install: postinst succeeds"
check "$(grep -c -F -- '--system --group --quiet --home /var/lib/kiosk-collector --no-create-home' "$work/calls" || true)" 1 \
    "collector first install: the system user is created"
check "$(grep -c -E '^adduser --quiet kiosk-collector ' "$work/calls" || true)" 0 \
    "collector first install: no extra groups"
check "$(calls "chown root:kiosk-collector $root/etc/kiosk-collector")" 1 "collector: settings folder owner"
check "$(mode_of "$root/etc/kiosk-collector")" 750 "collector: settings folder mode"
check "$(mode_of "$root/etc/kiosk-collector/tls")" 750 "collector: tls folder mode"
check "$(mode_of "$root/etc/kiosk-collector/collector.toml")" 640 "collector: settings mode"
check "$(calls "chown kiosk-collector:kiosk-collector $root/var/lib/kiosk-collector")" 1 "collector: data folder owner"
check "$(mode_of "$root/var/lib/kiosk-collector")" 750 "collector: data folder mode"
check "$(calls "deb-systemd-helper enable kiosk-collector.service")" 1 "collector: unit enabled"

printf 'delivered responses\n' > "$root/var/lib/kiosk-collector/collector.sqlite"
run kiosk-collector.prerm remove
run kiosk-collector.postrm remove
check "$(cat "$root/etc/kiosk-collector/collector.toml")" "collector settings" "collector remove: settings kept"
run kiosk-collector.postrm purge
check "$status" 0 "collector purge: postrm succeeds"
check "$([ -e "$root/etc/kiosk-collector" ] && echo present || echo gone)" gone "collector purge: settings removed"
check "$(cat "$root/var/lib/kiosk-collector/collector.sqlite")" "delivered responses" "collector purge: database kept"
check "$(grep -c -F 'rm -rf /var/lib/kiosk-collector' "$work/out" || true)" 1 "collector purge: message says how to delete"

# --- every script ----------------------------------------------------------------------------------
for file in "$scripts"/*.postinst "$scripts"/*.prerm "$scripts"/*.postrm; do
    name=$(basename "$file")
    check "$(head -n 1 "$file")" "#!/bin/sh" "$name: a POSIX sh script"
    check "$(grep -c -x 'set -e' "$file")" 1 "$name: set -e"
    if sh -n "$file"; then check ok ok "$name: sh -n"; else check failed ok "$name: sh -n"; fi
    if command -v shellcheck >/dev/null 2>&1; then
        if shellcheck -s sh "$file"; then check ok ok "$name: shellcheck"; else check failed ok "$name: shellcheck"; fi
    fi
    # Services are started, stopped and enabled through deb-systemd-invoke and deb-systemd-helper
    # (policy-rc.d, images being built); systemctl itself only reloads the unit files.
    check "$(grep -v -E '^ *#' "$file" | grep -E '(^|;) *systemctl( |$)' | grep -c -v daemon-reload || true)" 0 \
        "$name: systemctl only for daemon-reload"
    # No script may delete a data folder: the one rm allowed removes the settings folder; the
    # other is the "how to delete it yourself" line of the purge message.
    check "$(grep -E '(^|[^a-z-])rm ' "$file" | grep -v -E '^ *#' |
        grep -c -v -x -E ' *rm -rf "\$ROOT\$SETTINGS_DIR"|    (umount -q \$DATA_DIR/outbox\.sqlite-shm; )?rm -rf \$DATA_DIR' ||
        true)" 0 \
        "$name: deletes nothing but the settings folder"
done

echo "maintainer scripts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
