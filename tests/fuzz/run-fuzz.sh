#!/bin/sh
# Runs every fuzz target for a set time: run-fuzz.sh BUILD_DIR [SECONDS_PER_TARGET]
#
# BUILD_DIR is a KIOSK_FUZZ=ON build (`make fuzz` makes one in build-fuzz/). Each target starts
# from a copy of its seed corpus, so the inputs libFuzzer adds stay in BUILD_DIR and the source
# tree is untouched. Crash, timeout and out-of-memory inputs are written to BUILD_DIR/crashes/,
# named <target>-crash-<sha1> and so on; any of them fails the run, after every target has had
# its turn. tests/fuzz/README.md says how to turn one into a corpus file.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 BUILD_DIR [SECONDS_PER_TARGET]" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
targets="questionnaire settings batch_response collector"

crashes="$build/crashes"
mkdir -p "$crashes"
failed=""
for target in $targets; do
    program="$build/tests/fuzz_$target"
    if [ ! -x "$program" ]; then
        echo "run-fuzz: $program is missing; build it with KIOSK_FUZZ=ON (make fuzz)" >&2
        exit 2
    fi
    work="$build/fuzz-corpus/$target"
    rm -rf "$work"
    mkdir -p "$work"
    cp "$here/corpus/$target"/* "$work/"
    echo "== fuzz_$target for ${seconds}s (corpus: $(ls "$work" | wc -l) files)"
    # -timeout: an input that takes 10 s is a hang. -rss_limit_mb: the default 2 GB, stated.
    # Sanitizer and libFuzzer output go to a log per target; its tail is shown on failure.
    log="$build/fuzz-$target.log"
    if nice -n 10 "$program" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$crashes/$target-" "$work" >"$log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^Done' "$log" || true
    else
        failed="$failed $target"
        echo "!! fuzz_$target FAILED; the end of $log:" >&2
        tail -n 40 "$log" >&2
    fi
done

if [ -n "$failed" ]; then
    echo >&2
    echo "FUZZING FOUND PROBLEMS in:$failed" >&2
    echo "Inputs in $crashes:" >&2
    ls -l "$crashes" >&2
    echo "Reproduce one with: $build/tests/fuzz_<target> <file>" >&2
    exit 1
fi
echo "fuzzing: no crash, hang or sanitizer report in any target"
