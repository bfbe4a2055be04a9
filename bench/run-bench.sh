#!/bin/sh
# make bench: prints the kiosk's speed and size figures next to the targets from the issues.
# Figures, not pass/fail tests: a slow machine should not turn CI red, but a person reads these.
# usage: run-bench.sh BUILD_DIR
set -eu
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
kiosk="$build/kiosk/kiosk"
# On the real disk (not a RAM disk), so that fsync costs what it costs on a device.
work="$build/bench-work"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"; [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true' EXIT

settings() { # settings for a window of $1 x $2 with data in $3
    sed "s#^data_dir = .*#data_dir = \"$3\"#; s#questionnaires/#$root/config/questionnaires/#; \
         s#^width = .*#width = $1#; s#^height = .*#height = $2#" "$root/config/demo.toml"
}
settings 1280 800 "$work/data" > "$work/kiosk.toml"

echo "== kiosk benchmarks (software rendering, $(nproc) cores)"

# A real X server without a GPU, as on a thin client; SDL's x11 driver, software renderer.
display=:97
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
sleep 1

echo "-- start to first drawn frame, and peak memory (x11, 1280x800); target < 250 ms, < 60 MB"
for run in 1 2 3 4 5; do
    DISPLAY=$display /usr/bin/time -f "peak_rss_kib %M" "$kiosk" --exit-after-first-frame \
        "$work/kiosk.toml" 2>&1 | grep -E "first frame|peak_rss" | tr '\n' ' '
    echo
done

echo "-- CPU while the welcome screen waits for a touch (10 s, x11); target < 1% of one core"
DISPLAY=$display "$kiosk" "$work/kiosk.toml" 2>/dev/null &
pid=$!
sleep 2
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
sleep 10
after=$(ticks)
kill "$pid"
wait "$pid" 2>/dev/null || true
awk -v b="$before" -v a="$after" -v hz="$hz" \
    'BEGIN { printf "idle_cpu_percent %.2f (%d ticks of 1/%d s in 10 s)\n", (a - b) / hz / 10 * 100, a - b, hz }'

echo "-- tap on Submit to response durable (200 responses, WAL + synchronous=FULL); target p99 < 20 ms"
script="$work/submit.txt"
: > "$script"
i=0
while [ $i -lt 200 ]; do
    printf 'tap "Start"\ntap "Good"\ntap "Next"\ntap "Submit"\nexpect screen thank-you\nwait 10s\n' >> "$script"
    i=$((i + 1))
done
printf 'expect stored 200\n' >> "$script"
rm -rf "$work/data"
"$kiosk" --headless --print-timings --questionnaire friends-and-family-test --script "$script" \
    "$work/kiosk.toml" 2>/dev/null | grep -E "saves|first_frame" | sed 's/^first_frame_us/headless_first_frame_us/'

echo "-- first frame of a screen in a newly chosen language, shaping included (headless, software renderer); target < 50 ms"
if [ -x "$build/bench/language_frame_bench" ]; then
    SDL_VIDEODRIVER=dummy "$build/bench/language_frame_bench" "$work/kiosk.toml" "${LANGUAGE_REPEATS:-5}"
else
    echo "language_frame_bench was not built"
fi

echo "-- memory with every language drawn (headless: the list, each language's welcome, Start, its first question, Start again); target < 120 MB"
# The script taps what a patient reads, so each language's own words: from its words file, or the
# built-in English (kiosk/ui/strings.cpp) for English and for anything a file lacks.
languages_script() { # languages_script [TAG...]: every language the settings offer, or these
    python3 - "$work/kiosk.toml" "$root/assets/strings" "$@" <<'PYTHON'
import json, re, sys
settings, strings_dir, only = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(settings, encoding='utf-8').read()
tags = re.findall(r'"([^"]+)"', re.search(r'^languages\s*=\s*\[([^\]]*)\]', text, re.M).group(1))
device = re.search(r'^language\s*=\s*"([^"]+)"', text, re.M)
english = {'language.name': 'English', 'welcome.languages': 'Other languages',
           'welcome.start': 'Start', 'question.start_over': 'Start again',
           'start_over.confirm': 'Yes, start again'}
def words(tag):
    try:
        with open(f'{strings_dir}/{tag}.json', encoding='utf-8') as f:
            return {**english, **json.load(f)}
    except FileNotFoundError:
        return english
def quoted(label):
    return '"' + label.replace('\\', '\\\\').replace('"', '\\"') + '"'
now = words(device.group(1) if device else 'en') # every session starts in the device's language
for tag in only or tags:
    new = words(tag)
    print(f'# {tag}')
    print(f'tap {quoted(now["welcome.languages"])}\nexpect screen choose-language')
    print(f'tap {quoted(new["language.name"])}\nexpect screen welcome')
    print(f'tap {quoted(new["welcome.start"])}\nexpect screen question')
    print(f'tap {quoted(new["question.start_over"])}\nexpect screen start-over')
    print(f'tap {quoted(new["start_over.confirm"])}\nexpect screen welcome')
    now = new
PYTHON
}
peak_memory() { # peak_memory SCRIPT: the headless kiosk's peak resident memory running it, in MB
    rm -rf "$work/data"
    if ! SDL_VIDEODRIVER=dummy /usr/bin/time -o "$work/peak_rss" -f "%M" "$kiosk" --headless \
        --questionnaire friends-and-family-test --script "$1" "$work/kiosk.toml" \
        >/dev/null 2>"$work/kiosk.log"; then
        grep "script failed" "$work/kiosk.log" >&2 || tail -3 "$work/kiosk.log" >&2
    fi
    awk '/^[0-9]+$/ { printf "%.1f", $1 / 1024 }' "$work/peak_rss"
}
if ! command -v python3 >/dev/null; then
    echo "python3 is not installed: the script in every language's words cannot be made"
elif languages_script > "$work/languages.txt" && languages_script en > "$work/english.txt"; then
    count=$(grep -c '^# ' "$work/languages.txt" || true)
    echo "peak memory with English only (the same steps, in one language): $(peak_memory "$work/english.txt") MB"
    echo "peak memory with all $count languages drawn: $(peak_memory "$work/languages.txt") MB; target < 120 MB"
else
    echo "the script in every language's words could not be made from the settings' languages"
fi

echo "-- draining 100,000 queued responses to the local collector over HTTPS; target >= 5,000/s, memory flat < 50 MB"
if [ -x "$build/bench/drain_bench" ]; then
    "$build/bench/drain_bench" "${DRAIN_COUNT:-100000}"
else
    echo "drain_bench was not built (tests disabled?)"
fi

echo "-- weeks of use: ${SOAK_SESSIONS:-20000} scripted sessions in one kiosk process, delivered through a proxy that now and then fails; targets: memory within 5 MB of after 100 sessions, no descriptor leaked, < 16 KiB written per response"
if [ -x "$build/bench/soak_bench" ]; then
    SDL_VIDEODRIVER=dummy "$build/bench/soak_bench" "$build/sync/kiosk-collector" "${SOAK_SESSIONS:-20000}"
else
    echo "soak_bench was not built (tests disabled?)"
fi

echo "-- kill -9 of the kiosk at random moments, ${KIOSK_KILLS:-500} times, while patients submit"
SDL_VIDEODRIVER=dummy bash "$root/tests/crash/kill-kiosk.sh" "$build" "$root" "${KIOSK_KILLS:-500}" | tail -n 3

echo "-- bytes written to the disk per response (outbox and its write-ahead log: append, claim, acknowledge, checkpoints; one response at a time), target < 16384"
if [ -x "$build/bench/outbox_bytes_bench" ]; then
    # In the work directory on the real disk: a RAM disk would count nothing.
    "$build/bench/outbox_bytes_bench" "${BYTES_RESPONSES:-2000}" "$work"
    # As on the device: kiosk.service's own script binds the WAL index in memory first. That
    # takes a mount namespace, so root (or user namespaces); a RAM file system stands in for /run.
    if unshare -m --propagation private true 2>/dev/null; then
        mkdir -p "$work/ward/data" "$work/ward/run"
        unshare -m --propagation private sh -c '
            mount -t tmpfs -o size=4m tmpfs "$1/run" &&
            KIOSK_WAL_INDEX_MEMORY="$1/run/wal-index" "$2" "$1/data/outbox.sqlite" >/dev/null &&
            "$3" --ward-pace-at "$1/data/outbox.sqlite" "$4"' sh "$work/ward" \
            "$root/deploy/systemd/kiosk-wal-index-in-memory" "$build/bench/outbox_bytes_bench" \
            "$(( ${BYTES_RESPONSES:-2000} / 4 ))"
    else
        echo "(a ward's pace with the WAL index in memory, as on the device: needs a mount namespace, run make bench as root)"
    fi
else
    echo "outbox_bytes_bench was not built"
fi
