#!/bin/bash
# Checks the service files in deploy/: the lines that make the kiosk a watched, restarted,
# sandboxed service; `systemd-analyze verify` on both units; the sandbox's exposure score from
# `systemd-analyze security`; the journald drop-in; and the polkit rule that lets the kiosk
# restart and power off the device and do nothing else.
#
# A check that needs a tool this machine lacks (systemd-analyze, node) is skipped with a message;
# the others still run.
# usage: check-units.sh SOURCE_DIR KIOSK_PROGRAM COLLECTOR_PROGRAM
set -eu

# absolute PATH: unit files take absolute program paths only.
absolute() {
    echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
}
source=$(cd "$1" && pwd)
kiosk=$(absolute "$2")
collector=$(absolute "$3")
units=$source/deploy/systemd
rules=$source/deploy/polkit/50-kiosk.rules
# The highest exposure score (0 to 10, lower is better) either unit may have.
max_exposure=2.0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
skip() {
    echo "SKIPPED: $*"
}

# has_line FILE LINE: the file holds exactly this line.
has_line() {
    grep -qxF -- "$2" "$1" || fail "$(basename "$1") lacks the line: $2"
}

# --- the lines that matter --------------------------------------------------------------------
kiosk_unit=$units/kiosk.service
for line in \
    "Type=notify" "NotifyAccess=main" "WatchdogSec=30" "Restart=always" "RestartSec=2" \
    "StartLimitIntervalSec=0" \
    "ExecStartPre=-+/usr/bin/kiosk --provision /boot/firmware/kiosk /etc/kiosk" \
    "ExecStartPre=-+/usr/lib/kiosk/kiosk-wal-index-in-memory /var/lib/kiosk/outbox.sqlite" \
    "ExecStart=/usr/bin/kiosk /etc/kiosk/kiosk.toml" \
    "User=kiosk" "Group=kiosk" "SupplementaryGroups=video render input audio" "DeviceAllow=char-alsa rw" \
    "Environment=SDL_VIDEODRIVER=kmsdrm" \
    "TTYPath=/dev/tty1" "StandardInput=tty-force" "Conflicts=getty@tty1.service" \
    "StandardOutput=journal" "StandardError=journal" \
    "ProtectSystem=strict" "ReadWritePaths=-/var/lib/kiosk" "NoNewPrivileges=yes" \
    "PrivateTmp=yes" "ProtectHome=yes" "CapabilityBoundingSet=" "UMask=0077" \
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK" \
    "DevicePolicy=closed" "SystemCallFilter=@system-service" \
    "WantedBy=multi-user.target"; do
    has_line "$kiosk_unit" "$line"
done
# on-failure would leave the kiosk dark after IT's "Restart app" (which exits with status 0).
if grep -q '^Restart=on-' "$kiosk_unit"; then
    fail "kiosk.service must restart always, not only on failure"
fi

collector_unit=$units/kiosk-collector.service
for line in \
    "ExecStart=/usr/bin/kiosk-collector serve --config /etc/kiosk-collector/collector.toml" \
    "User=kiosk-collector" "Group=kiosk-collector" "Restart=on-failure" \
    "ProtectSystem=strict" "ReadWritePaths=-/var/lib/kiosk-collector" "NoNewPrivileges=yes" \
    "PrivateTmp=yes" "PrivateDevices=yes" "ProtectHome=yes" "CapabilityBoundingSet=" \
    "UMask=0077" "WantedBy=multi-user.target"; do
    has_line "$collector_unit" "$line"
done

journald=$units/journald-kiosk.conf
for line in "[Journal]" "Storage=volatile" "RuntimeMaxUse=32M" "ForwardToSyslog=no"; do
    has_line "$journald" "$line"
done

# --- the commands the units run exist, with these arguments -----------------------------------
# The collector refuses a wrong command line with status 2; a missing settings file is 1.
status=0
"$collector" serve --config "$work/no-such-collector.toml" >/dev/null 2>&1 || status=$?
[ "$status" -eq 1 ] ||
    fail "kiosk-collector serve --config FILE: expected status 1 without the file, got $status"
"$kiosk" --help | grep -q -- "--provision" ||
    fail "kiosk --help does not offer --provision, which kiosk.service runs before the kiosk"

# --- systemd-analyze verify -------------------------------------------------------------------
# Copies whose programs point into the build tree: verify checks that each is executable.
mkdir "$work/units"
for unit in kiosk.service kiosk-collector.service; do
    sed -e "s#/usr/bin/kiosk-collector#$collector#g" -e "s#/usr/bin/kiosk\\b#$kiosk#g" \
        -e "s#/usr/lib/kiosk/kiosk-wal-index-in-memory#$units/kiosk-wal-index-in-memory#g" \
        "$units/$unit" >"$work/units/$unit"
done
if ! command -v systemd-analyze >/dev/null 2>&1; then
    skip "systemd-analyze is not installed: the units were not verified or scored"
else
    # A unit that cannot be wrong tells whether verify works on this machine at all.
    printf '[Service]\nExecStart=/bin/true\n' >"$work/units/probe.service"
    if ! (cd "$work/units" && systemd-analyze verify ./probe.service) >"$work/probe.out" 2>&1 ||
        [ -s "$work/probe.out" ]; then
        skip "systemd-analyze verify does not work here: $(head -n 3 "$work/probe.out")"
    else
        for unit in kiosk.service kiosk-collector.service; do
            # verify exits 0 even for an unknown or misspelt key: anything it prints is a fault.
            status=0
            (cd "$work/units" && systemd-analyze verify "./$unit") >"$work/verify.out" 2>&1 ||
                status=$?
            if [ "$status" -ne 0 ] || [ -s "$work/verify.out" ]; then
                fail "systemd-analyze verify $unit (status $status):"
                sed 's/^/    /' "$work/verify.out" >&2
            else
                echo "systemd-analyze verify $unit: clean"
            fi
        done
    fi

    # security UNIT: prints the unit's overall exposure score, or nothing if it has none.
    security() {
        SYSTEMD_COLORS=0 systemd-analyze security --offline=yes "$work/units/$1" \
            >"$work/security.out" 2>&1 || true
        sed -n 's/.*Overall exposure level for .*: \([0-9][0-9.]*\).*/\1/p' "$work/security.out"
    }
    if [ -z "$(security probe.service)" ]; then
        skip "systemd-analyze security --offline=yes does not work here:" \
            "$(tail -n 2 "$work/security.out")"
    else
        for unit in kiosk.service kiosk-collector.service; do
            score=$(security "$unit")
            if [ -z "$score" ]; then
                fail "systemd-analyze security $unit gave no score:"
                sed 's/^/    /' "$work/security.out" >&2
            elif awk -v score="$score" -v max="$max_exposure" 'BEGIN { exit !(score > max) }'; then
                fail "$unit: exposure $score is above $max_exposure. What it still allows:"
                grep '✗' "$work/security.out" >&2 || true
            else
                echo "systemd-analyze security $unit: exposure $score (at most $max_exposure)"
            fi
        done
    fi
fi

# --- the polkit rule ----------------------------------------------------------------------------
allowed="org.freedesktop.login1.power-off
org.freedesktop.login1.power-off-multiple-sessions
org.freedesktop.login1.reboot
org.freedesktop.login1.reboot-multiple-sessions"
named=$(grep -o 'org\.freedesktop\.[A-Za-z0-9.-]*' "$rules" | sort -u)
[ "$named" = "$allowed" ] ||
    fail "50-kiosk.rules must name exactly the four login1 reboot and power-off actions, not:" \
        "$(echo "$named" | tr '\n' ' ')"
[ "$(grep -o 'subject\.[a-zA-Z]*' "$rules" | sort -u)" = "subject.user" ] ||
    fail "50-kiosk.rules may decide on the subject's user name only"
grep -qF 'subject.user === "kiosk"' "$rules" || fail "50-kiosk.rules does not name the user kiosk"
# polkit's JavaScript engine (duktape) knows ES5 only. Comment lines may say anything.
if grep -vE '^[[:space:]]*//' "$rules" | grep -nE '=>|\blet |\bconst |`' >&2; then
    fail "50-kiosk.rules uses JavaScript newer than ES5, which polkit cannot run"
fi
policy=/usr/share/polkit-1/actions/org.freedesktop.login1.policy
if [ -f "$policy" ]; then
    for action in $allowed; do
        grep -qF "action id=\"$action\"" "$policy" || fail "logind has no polkit action $action"
    done
else
    skip "$policy is not here: the action names were not checked against logind's"
fi
if ! command -v node >/dev/null 2>&1; then
    skip "node is not installed: the polkit rule was not run"
else
    # Runs the rule as polkit would, with polkit.Result as polkit defines it.
    status=0
    node - "$rules" >"$work/node.out" 2>&1 <<'NODE' || status=$?
const fs = require("fs");
const vm = require("vm");
const rules = [];
const polkit = {
    Result: { NO: "no", YES: "yes", AUTH_SELF: "auth_self", AUTH_SELF_KEEP: "auth_self_keep",
              AUTH_ADMIN: "auth_admin", AUTH_ADMIN_KEEP: "auth_admin_keep", NOT_HANDLED: null },
    addRule: (rule) => rules.push(rule),
    addAdminRule: () => { throw new Error("the kiosk's rule must not change who counts as admin"); },
    log: () => {},
};
vm.runInNewContext(fs.readFileSync(process.argv[2], "utf8"), { polkit }, { filename: process.argv[2] });
if (rules.length !== 1) throw new Error(`expected one rule, found ${rules.length}`);
const subject = (user) => ({ user, pid: 4242, local: false, active: false, session: "",
                             system_unit: "kiosk.service", isInGroup: () => true,
                             isInNetGroup: () => true });
const decide = (id, user) => rules[0]({ id, lookup: () => undefined }, subject(user));
const allowed = ["org.freedesktop.login1.reboot", "org.freedesktop.login1.reboot-multiple-sessions",
                 "org.freedesktop.login1.power-off",
                 "org.freedesktop.login1.power-off-multiple-sessions"];
const refused = ["org.freedesktop.login1.reboot-ignore-inhibit",
                 "org.freedesktop.login1.power-off-ignore-inhibit", "org.freedesktop.login1.suspend",
                 "org.freedesktop.login1.halt", "org.freedesktop.login1.set-wall-message",
                 "org.freedesktop.systemd1.manage-units", "org.freedesktop.packagekit.package-install",
                 "org.freedesktop.policykit.exec"];
const problems = [];
for (const id of allowed) {
    if (decide(id, "kiosk") !== "yes") problems.push(`kiosk is not allowed ${id}`);
    for (const other of ["kiosk-collector", "root", "pi", "nobody", "Kiosk"]) {
        if (decide(id, other) !== null && decide(id, other) !== undefined)
            problems.push(`the rule decides ${id} for ${other}`);
    }
}
for (const id of refused) {
    const result = decide(id, "kiosk");
    if (result !== null && result !== undefined) problems.push(`the rule decides ${id} for kiosk: ${result}`);
}
if (problems.length) { console.log(problems.join("\n")); process.exit(1); }
console.log(`polkit rule: kiosk may do ${allowed.length} actions, nothing else`);
NODE
    if [ "$status" -ne 0 ]; then
        fail "50-kiosk.rules, run as polkit would:"
        sed 's/^/    /' "$work/node.out" >&2
    else
        cat "$work/node.out"
    fi
fi

if [ "$failures" -gt 0 ]; then
    echo "check-units.sh: $failures problem(s)" >&2
    exit 1
fi
echo "check-units.sh: all checks passed"
