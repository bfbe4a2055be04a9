#!/bin/sh
# build-rootfs.sh: builds a Debian bookworm root file system with debootstrap, installs the
# kiosk package in it as the image does, and checks the result: the kiosk user and its groups,
# the folders' owners and modes, the units enabled, `systemd-analyze verify` clean, and
# settings on the boot partition picked up by `kiosk --provision`.
#
# pi-gen needs an arm64 machine (or qemu) and loop devices; this needs only debootstrap, a
# Debian mirror and root, so it can check the package and the image's own files anywhere.
#
# usage: sudo KIOSK_DEBIAN_MIRROR=URL deploy/image/build-rootfs.sh KIOSK_DEB
#   KIOSK_DEBIAN_MIRROR  the Debian mirror to build from, on this machine (required):
#                        http://127.0.0.1:PORT/debian, e.g. apt-cacher-ng
#   KIOSK_ROOTFS_DIR     where to build (default: a new temporary folder, removed at the end)
#   KIOSK_KEEP_ROOTFS=1  keep the built root file system to look at
# Exit status: 0 all checks passed, 1 a check failed, 2 it could not be run (usage, not root,
# no mirror, no debootstrap).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
stage="$here/pi-gen/stage-kiosk"

usage_problem() {
    echo "build-rootfs.sh: $*" >&2
    echo "usage: sudo KIOSK_DEBIAN_MIRROR=URL $0 KIOSK_DEB" >&2
    exit 2
}

[ "$#" -eq 1 ] || usage_problem "give the kiosk package to install (kiosk_<version>_<arch>.deb)"
deb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -f "$deb" ] || usage_problem "$1: there is no such package file (make package builds it)"
if [ -z "${KIOSK_DEBIAN_MIRROR:-}" ]; then
    usage_problem "KIOSK_DEBIAN_MIRROR is not set: give the Debian mirror to build from, for \
example a local mirror such as http://127.0.0.1:3142/debian (nothing is fetched from anywhere else)"
fi
# Only a mirror on this machine (apt-cacher-ng in front of the trust's mirror, say): the build
# and its checks reach nothing beyond the loopback interface.
case $KIOSK_DEBIAN_MIRROR in
http://127.0.0.1[:/]* | http://localhost[:/]* | http://\[::1\][:/]*) ;;
*) usage_problem "KIOSK_DEBIAN_MIRROR=$KIOSK_DEBIAN_MIRROR is not on this machine: give an \
http://127.0.0.1:PORT/... mirror (apt-cacher-ng or a local copy)" ;;
esac
[ "$(id -u)" -eq 0 ] || usage_problem "debootstrap and chroot need root: run it with sudo"
command -v debootstrap >/dev/null 2>&1 ||
    usage_problem "debootstrap is not installed: sudo apt-get install debootstrap"

arch=$(dpkg --print-architecture)
case $(basename "$deb") in
*_"$arch".deb) ;;
*) usage_problem "$(basename "$deb") is not built for this machine's architecture ($arch)" ;;
esac

if [ -n "${KIOSK_ROOTFS_DIR:-}" ]; then
    work=$KIOSK_ROOTFS_DIR
    mkdir -p "$work"
else
    work=$(mktemp -d /var/tmp/kiosk-rootfs.XXXXXX)
fi
root="$work/rootfs"
log="$work/build.log"

mounted=""
cleanup() {
    status=$?
    for place in $mounted; do
        umount -l "$place" 2>/dev/null || true
    done
    if [ "${KIOSK_KEEP_ROOTFS:-0}" = 1 ] || [ "$status" -ne 0 ]; then
        echo "build-rootfs.sh: the root file system is in $root (log: $log)"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM

passed=0
failed=0
pass() {
    passed=$((passed + 1))
    echo "pass: $1"
}
fail() {
    failed=$((failed + 1))
    echo "FAIL: $1"
}
# check NAME COMMAND...: runs COMMAND, a pass when it succeeds.
check() {
    name=$1
    shift
    if "$@" >>"$log" 2>&1; then pass "$name"; else fail "$name"; fi
}
in_root() { chroot "$root" "$@"; }

# --- Build ----------------------------------------------------------------------------------
echo "build-rootfs.sh: debootstrap bookworm from $KIOSK_DEBIAN_MIRROR into $root (minutes)"
# systemd for the units and systemd-analyze; the tools the first boot uses to make the data
# partition (fdisk for sfdisk, e2fsprogs); everything else comes from the package's Depends.
debootstrap --variant=minbase --include=systemd,systemd-sysv,fdisk,e2fsprogs,ca-certificates \
    bookworm "$root" "$KIOSK_DEBIAN_MIRROR" >>"$log" 2>&1 ||
    { echo "build-rootfs.sh: debootstrap failed; see $log" >&2; exit 1; }

mount -t proc proc "$root/proc" && mounted="$root/proc $mounted"
mount --bind /dev "$root/dev" && mounted="$root/dev $mounted"
# Nothing is started inside the chroot: there is no running system there.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

cp "$deb" "$root/tmp/kiosk.deb"
echo "build-rootfs.sh: installing $(basename "$deb") and its dependencies"
# dpkg stops at the missing dependencies; apt then brings them from the same mirror and
# finishes configuring the kiosk package.
in_root dpkg -i /tmp/kiosk.deb >>"$log" 2>&1 || true
DEBIAN_FRONTEND=noninteractive in_root apt-get -f install -y --no-install-recommends \
    >>"$log" 2>&1 || { echo "build-rootfs.sh: apt-get -f install failed; see $log" >&2; exit 1; }
rm -f "$root/tmp/kiosk.deb" "$root/usr/sbin/policy-rc.d"

# The image's own files, by the same script the pi-gen stage runs.
(cd "$stage/01-read-only-root" && ROOTFS_DIR="$root" ./01-run.sh) >>"$log" 2>&1

# --- The package's user, folders and units ---------------------------------------------------
check "the user kiosk exists" in_root getent passwd kiosk
groups=$(in_root id -nG kiosk 2>/dev/null || true)
for group in video render input audio; do
    if in_root getent group "$group" >/dev/null 2>&1; then
        case " $groups " in
        *" $group "*) pass "kiosk is in the group $group" ;;
        *) fail "kiosk is in the group $group (it is in: $groups)" ;;
        esac
    fi
done
shell=$(in_root getent passwd kiosk | cut -d: -f7)
case $shell in
*/nologin | */false) pass "kiosk cannot log in ($shell)" ;;
*) fail "kiosk cannot log in (its shell is $shell)" ;;
esac

# owner_mode PATH: "user:group mode" as stat prints them.
owner_mode() { stat -c '%U:%G %a' "$root$1"; }
expect_owner_mode() {
    got=$(owner_mode "$1" 2>/dev/null || echo missing)
    if [ "$got" = "$2" ]; then pass "$1 is $2"; else fail "$1 is $2 (it is $got)"; fi
}
expect_owner_mode /etc/kiosk "root:kiosk 750"
expect_owner_mode /etc/kiosk/kiosk.toml "root:kiosk 640"
expect_owner_mode /var/lib/kiosk "kiosk:kiosk 750"
check "the kiosk user can read its settings" in_root runuser -u kiosk -- test -r /etc/kiosk/kiosk.toml
check "the kiosk user can write its data folder" in_root runuser -u kiosk -- test -w /var/lib/kiosk
check "other users cannot read the settings" \
    in_root runuser -u nobody -- sh -c '! test -r /etc/kiosk/kiosk.toml'

wants() {
    for link in "$root"/etc/systemd/system/*.wants/"$1"; do
        [ -L "$link" ] && return 0
    done
    return 1
}
check "kiosk.service is enabled" wants kiosk.service
check "kiosk-storage.service (the data partition) is enabled" wants kiosk-storage.service
check "the data partition is in /etc/fstab" grep -q '^LABEL=KIOSKDATA ' "$root/etc/fstab"

# systemd-analyze verify inside the root: the units as that system's systemd reads them. It
# also reports on units other packages ship; only what it says of the kiosk's counts.
for unit in kiosk.service kiosk-storage.service; do
    output=$(in_root systemd-analyze verify "$unit" 2>&1) && status=0 || status=$?
    printf '%s\n' "$output" >>"$log"
    if [ "$status" -eq 0 ] && ! printf '%s\n' "$output" | grep -q -i kiosk; then
        pass "systemd-analyze verify $unit is clean"
    else
        fail "systemd-analyze verify $unit is clean (exit $status):"
        printf '%s\n' "$output" | sed 's/^/    | /'
    fi
done

# --- Provisioning from the boot partition ------------------------------------------------------
# A device's files as IT put them on the boot partition (FAT: everything readable by all).
boot="$root/boot/firmware/kiosk"
mkdir -p "$boot"
questionnaire=$(in_root dpkg -L kiosk | grep '/questionnaires/friends-and-family-test.json$' | head -n 1)
cat >"$boot/kiosk.toml" <<EOF
[device]
id = "rootfs-check-kiosk"
site = "Built by build-rootfs.sh"
service = "Outpatients"

[questionnaires]
files = ["$questionnaire"]

[storage]
data_dir = "/var/lib/kiosk"

[delivery]
endpoint = "https://127.0.0.1:8443/fhir"
ca_file = "ca.pem"
token_file = "device-token"
EOF
token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" >"$boot/device-token"
# A CA file is only checked to be a readable file here (its certificates are read at delivery).
cp "$root/etc/ssl/certs/ca-certificates.crt" "$boot/ca.pem"
chmod 644 "$boot"/*
rm -f "$root/var/lib/kiosk/provisioning-problem"

output=$(in_root /usr/bin/kiosk --provision /boot/firmware/kiosk /etc/kiosk 2>&1) && status=0 || status=$?
printf '%s\n' "$output" >>"$log"
if [ "$status" -eq 0 ] && [ -z "$(ls -A "$boot")" ]; then
    pass "kiosk --provision took the settings from the boot partition"
else
    fail "kiosk --provision took the settings from the boot partition (exit $status):"
    printf '%s\n' "$output" | sed 's/^/    | /'
fi
check "the provisioned settings are in force" grep -q '"rootfs-check-kiosk"' "$root/etc/kiosk/kiosk.toml"
expect_owner_mode /etc/kiosk/kiosk.toml "root:kiosk 640"
expect_owner_mode /etc/kiosk/device-token "kiosk:kiosk 600"
expect_owner_mode /etc/kiosk/ca.pem "kiosk:kiosk 600"
check "no provisioning problem was recorded" test ! -e "$root/var/lib/kiosk/provisioning-problem"
if printf '%s\n' "$output" | grep -q "$token"; then
    fail "the log does not show the token"
else
    pass "the log does not show the token"
fi
check "kiosk --check passes as the kiosk user" \
    in_root runuser -u kiosk -- /usr/bin/kiosk --check /etc/kiosk/kiosk.toml

# A bad set: nothing changes, the reason is where the kiosk reads it.
printf '[device]\nid = "x"\nmisspelt_key = 1\n' >"$boot/kiosk.toml"
in_root /usr/bin/kiosk --provision /boot/firmware/kiosk /etc/kiosk >>"$log" 2>&1 || true
check "a refused set stays on the boot partition" test -f "$boot/kiosk.toml"
check "a refused set leaves the settings in force" grep -q '"rootfs-check-kiosk"' "$root/etc/kiosk/kiosk.toml"
check "a refused set's reason names the file" \
    grep -q '/boot/firmware/kiosk/kiosk.toml at ' "$root/var/lib/kiosk/provisioning-problem"
check "the kiosk user can read the reason" \
    in_root runuser -u kiosk -- test -r /var/lib/kiosk/provisioning-problem
rm -f "$boot/kiosk.toml"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
