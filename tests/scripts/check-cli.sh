#!/bin/sh
# Checks the kiosk's command line the way IT staff use it: `kiosk --check` on good and bad
# settings files, `kiosk --hash-pin`, `kiosk --provision` with nothing to provision (the moves
# themselves need root and a kiosk user: tests/provision/ covers them), and --help, --version
# and a missing argument.
#
# usage: check-cli.sh KIOSK_BINARY SETTINGS_FIXTURES_FOLDER
# Prints one line per case and "N passed, M failed"; exits 1 if any case failed.

set -eu

if [ "$#" -ne 2 ]; then
    echo "usage: $0 KIOSK_BINARY SETTINGS_FIXTURES_FOLDER" >&2
    exit 2
fi
kiosk=$1
fixtures=$2
if [ ! -x "$kiosk" ]; then
    echo "check-cli.sh: $kiosk is not an executable" >&2
    exit 2
fi
if [ ! -f "$fixtures/good.toml" ]; then
    echo "check-cli.sh: $fixtures has no good.toml" >&2
    exit 2
fi

passed=0
failed=0
output=""
status=0

# run ARGS...: runs the kiosk, keeping its exit status and everything it printed.
run() {
    output=$("$kiosk" "$@" 2>&1) && status=0 || status=$?
}

# run_with_input INPUT ARGS...: the same, with INPUT (printf format) on standard input.
run_with_input() {
    input=$1
    shift
    # shellcheck disable=SC2059
    output=$(printf "$input" | "$kiosk" "$@" 2>&1) && status=0 || status=$?
}

pass() {
    passed=$((passed + 1))
    echo "pass: $1"
}

fail() {
    failed=$((failed + 1))
    echo "FAIL: $1: $2"
    printf '%s\n' "$output" | sed 's/^/    | /'
}

# contains TEXT: the last output holds TEXT (a fixed string, not a pattern).
contains() {
    printf '%s\n' "$output" | grep -F -q -e "$1"
}

# expect_status CASE STATUS: true when the last run exited with STATUS, else records a failure.
expect_status() {
    if [ "$status" -ne "$2" ]; then
        fail "$1" "exit status $status, expected $2"
        return 1
    fi
}

# expect_texts CASE TEXT...: true when the last output holds every TEXT, else records a failure.
expect_texts() {
    name=$1
    shift
    for text in "$@"; do
        if ! contains "$text"; then
            fail "$name" "output does not contain: $text"
            return 1
        fi
    done
}

# A problem line names the file and a place in it: "FILE at line L, column C: ...",
# "FILE at 'section.key' (line L, column C): ...", "FILE at /json/pointer: ..."; a file that
# cannot be read at all is its own place: "FILE: cannot read ...".
names_a_place() {
    printf '%s\n' "$output" | grep -E -q \
        -e '\.(toml|json) at (line [0-9]+, column [0-9]+|'"'"'[A-Za-z_.]+(\[[0-9]+\])?'"'"'|/[A-Za-z0-9_/]*)' \
        -e '\.(toml|json): cannot (read|open)'
}

# --- kiosk --check on good settings --------------------------------------------------------
name="--check good.toml"
run --check "$fixtures/good.toml"
if expect_status "$name" 0 &&
    expect_texts "$name" "ok: $fixtures/good.toml" "cancer-outpatients.json (" \
        "friends-and-family-test.json (" "children.json ("; then
    if contains "problem(s) found"; then
        fail "$name" "problems reported for a good file"
    else
        pass "$name"
    fi
fi

# --- kiosk --check on each bad settings file ----------------------------------------------
# What each known bad file must make the kiosk say: the file, the place, a key phrase.
expected_for() {
    case "$1" in
    bad-syntax.toml)
        set -- "$fixtures/bad-syntax.toml at line 5, column" "not valid TOML" ;;
    bad-unknown-key.toml)
        set -- "$fixtures/bad-unknown-key.toml at 'session.idle_timout_seconds' (line 17, column 23)" \
            "is not a known setting" "idle_timeout_seconds" ;;
    bad-range.toml)
        set -- "$fixtures/bad-range.toml at 'session.idle_warning_seconds' (line 16, column 24)" \
            "must be from 20 to 600 (it is 5)" ;;
    bad-missing-questionnaire-file.toml)
        set -- "no-such-questionnaire.json: cannot read" "cancer-outpatients.json (" ;;
    bad-token-permissions.toml)
        set -- "at 'delivery.token_file': the token file" "can be read by other users" ;;
    bad-questionnaire.toml)
        set -- "unsupported-item-type.json at /item/1/type" "date" "cancer-outpatients.json (" ;;
    bad-staff-pin-plain.toml)
        set -- "$fixtures/bad-staff-pin-plain.toml at 'staff.volunteer_pin' (line 21, column 17)" \
            "is not a PIN hash" "kiosk --hash-pin" ;;
    bad-opening-hours.toml)
        set -- "$fixtures/bad-opening-hours.toml at 'opening_hours.wednesday' (line 20, column 13)" \
            "expected HH:MM-HH:MM such as 08:00-18:00, or closed" ;;
    bad-clinic-not-listed.toml)
        set -- "$fixtures/bad-clinic-not-listed.toml at 'device.service' (line 7, column 11)" \
            "not one of device.clinics" ;;
    bad-staff-command.toml)
        set -- "$fixtures/bad-staff-command.toml at 'staff.reboot_command[0]': there is no program" \
            "/nonexistent/sbin/reboot" "cancer-outpatients.json (" ;;
    *)
        set -- ;;
    esac
    for text in "$@"; do
        printf '%s\n' "$text"
    done
}

# Git keeps no file modes but the executable bit: make the token fixture world-readable, as
# its name says, whatever the umask of the checkout.
chmod 644 "$fixtures/world-readable-token"

bad_files=0
for file in "$fixtures"/bad-*.toml; do
    [ -f "$file" ] || continue
    bad_files=$((bad_files + 1))
    base=$(basename "$file")
    name="--check $base"
    run --check "$file"
    expect_status "$name" 1 || continue
    expect_texts "$name" "problem(s) found" || continue
    if contains "ok: $file"; then
        fail "$name" "the settings file is called ok"
        continue
    fi
    if ! names_a_place; then
        fail "$name" "no problem names a file and a place in it"
        continue
    fi
    missing=""
    expected=$(expected_for "$base")
    # Read the expected texts line by line (they contain spaces) without a pipe, so that
    # `missing` is set in this shell.
    while IFS= read -r text; do
        [ -n "$text" ] || continue
        if ! contains "$text"; then
            missing=$text
            break
        fi
    done <<END
$expected
END
    if [ -n "$missing" ]; then
        fail "$name" "output does not contain: $missing"
        continue
    fi
    pass "$name"
done
name="bad-*.toml fixtures present"
if [ "$bad_files" -ge 5 ]; then
    pass "$name ($bad_files)"
else
    output=""
    fail "$name" "found $bad_files, expected at least 5"
fi

# A PIN typed where its hash belongs is refused without being repeated: problems are printed
# and logged.
name="--check does not repeat a PIN given in plain text"
run --check "$fixtures/bad-staff-pin-plain.toml"
if expect_status "$name" 1; then
    if contains "2468"; then
        fail "$name" "the output shows the PIN"
    else
        pass "$name"
    fi
fi

# Staff mode without a PIN is allowed, but cannot be opened: a warning, not a problem.
name="--check warns when no staff PIN is set"
run --check "$fixtures/good.toml"
if expect_status "$name" 0 && expect_texts "$name" \
    "warning: $fixtures/good.toml: no staff PINs are set: volunteers cannot open staff mode"; then
    pass "$name"
fi

# --- kiosk --hash-pin ---------------------------------------------------------------------
name="--hash-pin prints an Argon2id hash"
run_with_input '2468\n' --hash-pin
hash=$output
if expect_status "$name" 0; then
    if printf '%s\n' "$output" | grep -E -q '^\$argon2id\$v=19\$m=65536,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$' &&
        [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]; then
        pass "$name"
    else
        fail "$name" "not one line holding \$argon2id\$..."
    fi
fi

name="--check accepts the hash --hash-pin made, and then does not warn"
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
# good.toml's relative paths are taken from its folder; made absolute, the copy works anywhere.
sed "s|\"\.\./\.\./\.\./|\"$fixtures/../../../|" "$fixtures/good.toml" >"$workdir/staff.toml"
printf '\n[staff]\nvolunteer_pin = "%s"\n' "$hash" >>"$workdir/staff.toml"
run --check "$workdir/staff.toml"
if expect_status "$name" 0 && expect_texts "$name" "ok: $workdir/staff.toml"; then
    if contains "no staff PINs"; then
        fail "$name" "warned although a PIN is set"
    else
        pass "$name"
    fi
fi

name="--check warns when everyone can read the PIN hashes, and not when only the group can"
chmod 644 "$workdir/staff.toml"
run --check "$workdir/staff.toml"
if expect_status "$name" 0 && expect_texts "$name" \
    "warning: $workdir/staff.toml: every user on this device can read it"; then
    chmod 640 "$workdir/staff.toml"
    run --check "$workdir/staff.toml"
    if expect_status "$name" 0 && contains "every user on this device"; then
        fail "$name" "warned about a file others cannot read"
    else
        pass "$name"
    fi
fi

name="--check lists what is not translated into each offered language"
sed "s|\"\.\./\.\./\.\./|\"$fixtures/../../../|; s|^thank_you_seconds = 5|thank_you_seconds = 5\nlanguages = [\"en\", \"cy\", \"fr\"]|" \
    "$fixtures/good.toml" >"$workdir/languages.toml"
run --check "$workdir/languages.toml"
if expect_status "$name" 0 && expect_texts "$name" \
    "assets/strings/fr.json is missing: patients choosing \"fr\" see the kiosk's own words in English" \
    "friends-and-family-test.json: no \"fr\" words for the title, item 'fft-rating'" \
    "children.json: no \"cy\" words for the title"; then
    if contains "friends-and-family-test.json: no \"cy\"" || contains "strings/cy.json"; then
        fail "$name" "warned about Welsh, which the Friends and Family Test and the kiosk's words have"
    else
        pass "$name"
    fi
fi

for case in "12:too short" "123456789:too long" "abcd:letters" ":empty"; do
    pin=${case%%:*}
    name="--hash-pin refuses a PIN that is ${case#*:}"
    run_with_input "$pin\\n" --hash-pin
    if expect_status "$name" 2 && expect_texts "$name" "a PIN is 4 to 8 digits (0-9)"; then
        pass "$name"
    fi
done

name="--hash-pin with nothing on standard input"
run_with_input '' --hash-pin
if expect_status "$name" 2 && expect_texts "$name" "no PIN on standard input"; then
    pass "$name"
fi

name="--hash-pin refuses a PIN on the command line, and does not repeat it"
run --hash-pin 2468
if expect_status "$name" 2 && expect_texts "$name" "reads the PIN from standard input"; then
    if contains "2468"; then
        fail "$name" "the output shows the PIN"
    else
        pass "$name"
    fi
fi

# --- kiosk --check on files that are not settings files -----------------------------------
name="--check on a file that does not exist"
run --check "$fixtures/no-such-settings.toml"
if expect_status "$name" 1 &&
    expect_texts "$name" "$fixtures/no-such-settings.toml: cannot open the settings file"; then
    pass "$name"
fi

name="--check on a folder"
run --check "$fixtures"
if expect_status "$name" 1 && expect_texts "$name" "$fixtures: cannot open the settings file" \
    "folder"; then
    pass "$name"
fi

# --- kiosk --provision with nothing to provision --------------------------------------------
# The service runs it before every start: with no files on the boot partition it must do
# nothing and succeed, whoever runs it.
mkdir -p "$workdir/boot-kiosk" "$workdir/etc-kiosk"
for case in "an empty:$workdir/boot-kiosk" "a missing:$workdir/no-such-folder"; do
    name="--provision with ${case%%:*} boot folder does nothing and exits 0"
    run --provision "${case#*:}" "$workdir/etc-kiosk" --problem-file "$workdir/problem"
    if expect_status "$name" 0 && expect_texts "$name" "nothing to do"; then
        if [ -n "$(ls -A "$workdir/etc-kiosk")" ]; then
            fail "$name" "the settings folder was changed"
        else
            pass "$name"
        fi
    fi
done

name="--provision without its two folders"
run --provision /boot/firmware/kiosk
if expect_status "$name" 2 && expect_texts "$name" "--provision needs the boot partition's kiosk folder" \
    "usage:"; then
    pass "$name"
fi

name="--problem-file without --provision"
run --check "$fixtures/good.toml" --problem-file "$workdir/problem"
if expect_status "$name" 2 && expect_texts "$name" "--problem-file goes with --provision"; then
    pass "$name"
fi

# --- usage ----------------------------------------------------------------------------------
name="--check without a file"
run --check
if expect_status "$name" 2 && expect_texts "$name" "--check needs the settings file" "usage:"; then
    pass "$name"
fi

name="--help"
run --help
if expect_status "$name" 0 && expect_texts "$name" "usage:" "kiosk --check SETTINGS" \
    "kiosk --hash-pin" "kiosk --provision BOOT_FOLDER SETTINGS_FOLDER"; then
    pass "$name"
fi

name="--version"
run --version
if expect_status "$name" 0; then
    if printf '%s\n' "$output" | grep -E -q '^kiosk [0-9]+\.[0-9]+\.[0-9]+'; then
        pass "$name"
    else
        fail "$name" "no version like 'kiosk 1.2.3'"
    fi
fi

name="an unknown option"
run --chek "$fixtures/good.toml"
if expect_status "$name" 2 && expect_texts "$name" "unknown option --chek" "usage:"; then
    pass "$name"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
