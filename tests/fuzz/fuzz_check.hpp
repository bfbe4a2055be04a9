#pragma once
// Invariant checks for the fuzz targets. A broken invariant must stop the run the way a sanitizer
// report does, so libFuzzer saves the input and the corpus test fails: print what broke, then
// abort(). (assert() would vanish in a release build, and an exception might be caught.)

#include <cstdio>
#include <cstdlib>

namespace kiosk::fuzz {

[[noreturn]] inline void invariant_broken(const char* what, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
    std::fflush(stderr);
    std::abort();
}

} // namespace kiosk::fuzz

#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            ::kiosk::fuzz::invariant_broken(#condition, __FILE__, __LINE__);                       \
        }                                                                                          \
    } while (false)
