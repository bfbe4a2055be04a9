# Sourced by the package tests: `check GOT EXPECTED WHAT` counts a pass or prints the failure.
# shellcheck shell=bash
passed=0
failed=0
check() {
    if [ "$1" = "$2" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $3: got '$1', expected '$2'"
    fi
}
