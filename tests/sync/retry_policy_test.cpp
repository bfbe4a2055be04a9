// The retry policy: backoff bounds, Retry-After in every form, and what each HTTP status of the
// whole request means.

#include "delivery/retry_policy.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <climits>
#include <cstdint>
#include <limits>

using namespace kiosk::delivery;
using namespace std::chrono;

namespace {

// min(cap, base * 2^failures) in milliseconds, worked out the slow, obvious way.
std::int64_t expected_ceiling_ms(int failures, std::int64_t base_s, std::int64_t cap_s) {
    std::int64_t value = base_s;
    for (int i = 0; i < failures && value < cap_s; ++i) {
        value *= 2;
    }
    return std::min(value, cap_s) * 1000;
}

system_clock::time_point at(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
    return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

} // namespace

TEST_CASE("full-jitter backoff stays within [0, min(cap, base * 2^failures)]") {
    constexpr std::uint64_t max_random = std::numeric_limits<std::uint64_t>::max();
    for (int failures = 0; failures <= 200; ++failures) {
        INFO("failures " << failures);
        const std::int64_t ceiling = expected_ceiling_ms(failures, 2, 600);
        const auto draw = [&](std::uint64_t random) {
            return full_jitter_backoff(failures, seconds{2}, seconds{600}, random).count();
        };
        CHECK(draw(0) == 0);
        // The draw covers the ceiling itself, and wraps just past it.
        CHECK(draw(static_cast<std::uint64_t>(ceiling)) == ceiling);
        CHECK(draw(static_cast<std::uint64_t>(ceiling) + 1) == 0);
        CHECK(draw(max_random) >= 0);
        CHECK(draw(max_random) <= ceiling);
        CHECK(draw(max_random / 2) <= ceiling);
    }
    CHECK(expected_ceiling_ms(0, 2, 600) == 2000);
    CHECK(expected_ceiling_ms(3, 2, 600) == 16000);
    CHECK(expected_ceiling_ms(200, 2, 600) == 600000);
}

TEST_CASE("backoff at exact doubling steps") {
    const auto ceiling = [](int failures) {
        return full_jitter_backoff(failures, seconds{5}, seconds{300}, 1'000'000'000).count();
    };
    // A random value of 1e9 is below every ceiling + 1 here only once the ceiling passes 1e9 ms,
    // so compare against the modulo directly.
    CHECK(ceiling(0) == 1'000'000'000 % 5'001);
    CHECK(ceiling(1) == 1'000'000'000 % 10'001);
    CHECK(ceiling(5) == 1'000'000'000 % 160'001);
    CHECK(ceiling(6) == 1'000'000'000 % 300'001); // 320 s is over the cap
    CHECK(ceiling(7) == 1'000'000'000 % 300'001);
}

TEST_CASE("backoff never overflows, whatever the inputs") {
    constexpr std::uint64_t max_random = std::numeric_limits<std::uint64_t>::max();
    for (int failures : {0, 1, 30, 31, 32, 62, 63, 64, 1000, INT_MAX}) {
        INFO("failures " << failures);
        const auto huge = full_jitter_backoff(failures, seconds::max(), seconds::max(), max_random);
        CHECK(huge >= milliseconds::zero());
        const auto wide = full_jitter_backoff(failures, seconds{1}, seconds::max(), max_random);
        CHECK(wide >= milliseconds::zero());
        const auto zero = full_jitter_backoff(failures, seconds{1}, seconds::max(), 0);
        CHECK(zero == milliseconds::zero());
    }
    // A base above the cap is held to the cap.
    CHECK(full_jitter_backoff(0, seconds{1000}, seconds{60}, 60'000) == milliseconds{60'000});
    // Negative failure counts count as none; nonsense durations give no wait.
    CHECK(full_jitter_backoff(-5, seconds{2}, seconds{60}, 2'000) == milliseconds{2'000});
    CHECK(full_jitter_backoff(INT_MIN, seconds{2}, seconds{60}, 2'001) == milliseconds{0});
    CHECK(full_jitter_backoff(3, seconds{0}, seconds{60}, 12345) == milliseconds{0});
    CHECK(full_jitter_backoff(3, seconds{-1}, seconds{60}, 12345) == milliseconds{0});
    CHECK(full_jitter_backoff(3, seconds{2}, seconds{-60}, 12345) == milliseconds{0});
    CHECK(full_jitter_backoff(3, seconds::min(), seconds::min(), 12345) == milliseconds{0});
}

TEST_CASE("Retry-After as delta-seconds") {
    const auto now = at(2025, 3, 1, 12, 0, 0);
    CHECK(parse_retry_after("120", now) == seconds{120});
    CHECK(parse_retry_after("0", now) == seconds{0});
    CHECK(parse_retry_after(" \t7 ", now) == seconds{7});
    CHECK(parse_retry_after("000042", now) == seconds{42});
    CHECK(parse_retry_after("2147483647", now) == seconds{2147483647});
    // Absurdly large values saturate instead of overflowing (RFC 9111 1.2.2).
    CHECK(parse_retry_after("2147483648", now) == max_retry_after);
    CHECK(parse_retry_after("99999999999999999999999999999999999999", now) == max_retry_after);
    CHECK(parse_retry_after(std::string(100000, '9'), now) == max_retry_after);
    CHECK(max_retry_after == seconds{2147483648});
}

TEST_CASE("Retry-After garbage gives nothing") {
    const auto now = at(2025, 3, 1, 12, 0, 0);
    for (const char* garbage : {"",
                                "   ",
                                "-5",
                                "+5",
                                "1.5",
                                "5s",
                                "1 2",
                                "soon",
                                "0x10",
                                "Infinity",
                                "Sat, 01 Mar 2025 12:00:00",
                                "Sat, 01 Mar 2025 12:00:00 GMT+1",
                                "Sat, 01 Mar 25 12:00:00 GMT",
                                "Sat, 1 Mar 2025 12:00:00 GMT",
                                "Xyz, 01 Mar 2025 12:00:00 GMT",
                                "Sat, 01 Foo 2025 12:00:00 GMT",
                                "Sat, 31 Feb 2025 12:00:00 GMT",
                                "Sat, 01 Mar 2025 24:00:00 GMT",
                                "Sat, 01 Mar 2025 12:60:00 GMT",
                                "Sat, 01 Mar 2025 12:00:61 GMT",
                                "Sat,  01 Mar 2025 12:00:00 GMT",
                                "Sat, 01 Mar 2025 12:00:00 GMT trailing",
                                "2025-03-01T12:00:00Z",
                                "Saturday, 01-Mar-2025 12:00:00 GMT",
                                "Sat Mar 1 12:00:00 2025"}) {
        INFO("'" << garbage << "'");
        CHECK(parse_retry_after(garbage, now) == std::nullopt);
    }
}

TEST_CASE("Retry-After as an HTTP date") {
    const auto now = at(1994, 11, 6, 8, 49, 0);
    SECTION("IMF-fixdate") {
        CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now) == seconds{37});
        CHECK(parse_retry_after("Mon, 07 Nov 1994 08:49:00 GMT", now) == seconds{86400});
        CHECK(parse_retry_after("  Sun, 06 Nov 1994 08:49:37 GMT\t", now) == seconds{37});
        // Names are matched without regard to case.
        CHECK(parse_retry_after("SUN, 06 NOV 1994 08:49:37 GMT", now) == seconds{37});
    }
    SECTION("a date already past, or now, gives 0") {
        CHECK(parse_retry_after("Sun, 06 Nov 1994 08:48:59 GMT", now) == seconds{0});
        CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now) == seconds{0});
        CHECK(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now) == seconds{0});
        CHECK(parse_retry_after("Sat, 01 Jan 0000 00:00:00 GMT", now) == seconds{0});
    }
    SECTION("part of a second still to wait rounds up") {
        CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now + milliseconds{500}) ==
              seconds{37});
        CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:01 GMT", now + milliseconds{999}) ==
              seconds{1});
        CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now + milliseconds{1}) ==
              seconds{0});
    }
    SECTION("a leap second") {
        CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:60 GMT", now) == seconds{60});
    }
    SECTION("far future dates saturate") {
        CHECK(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now) == max_retry_after);
    }
    SECTION("RFC 850") {
        CHECK(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now) == seconds{37});
    }
    SECTION("asctime") {
        CHECK(parse_retry_after("Sun Nov  6 08:49:37 1994", now) == seconds{37});
        CHECK(parse_retry_after("Wed Nov 16 08:49:00 1994", now) == seconds{10 * 86400});
    }
}

TEST_CASE("RFC 850 two-digit years resolve to within 50 years ahead") {
    const auto now = at(2025, 3, 1, 12, 0, 0);
    // 30 -> 2030, five years ahead.
    CHECK(parse_retry_after("Friday, 01-Mar-30 12:00:00 GMT", now) ==
          duration_cast<seconds>(at(2030, 3, 1, 12, 0, 0) - now));
    // 25 -> 2025.
    CHECK(parse_retry_after("Saturday, 01-Mar-25 12:00:10 GMT", now) == seconds{10});
    // 94 would be 2094, more than 50 years ahead, so it is 1994: past.
    CHECK(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now) == seconds{0});
}

TEST_CASE("clamp_retry_after and next_retry_delay") {
    CHECK(clamp_retry_after(seconds{30}, seconds{3600}) == seconds{30});
    CHECK(clamp_retry_after(max_retry_after, seconds{3600}) == seconds{3600});
    CHECK(clamp_retry_after(seconds{-5}, seconds{3600}) == seconds{0});
    CHECK(clamp_retry_after(seconds{5}, seconds{-1}) == seconds{0});
    CHECK(clamp_retry_after(seconds::max(), seconds::max()) == seconds::max());

    // Never earlier than the server asked (within the cap), never less than the backoff.
    CHECK(next_retry_delay(milliseconds{1500}, std::nullopt, seconds{3600}) == milliseconds{1500});
    CHECK(next_retry_delay(milliseconds{1500}, seconds{120}, seconds{3600}) ==
          milliseconds{120'000});
    CHECK(next_retry_delay(milliseconds{90'000}, seconds{1}, seconds{3600}) ==
          milliseconds{90'000});
    CHECK(next_retry_delay(milliseconds{1500}, max_retry_after, seconds{3600}) ==
          milliseconds{3'600'000});
    CHECK(next_retry_delay(milliseconds{0}, seconds{0}, seconds{3600}) == milliseconds{0});
}

TEST_CASE("every status in DESIGN.md gets its verdict") {
    using enum WholeRequestVerdict;
    struct Expected {
        int status;
        HttpStatusClass verdict;
    };
    const Expected table[] = {
        // 2xx: read the body; a body that is not a batch-response is handled by the parser.
        {200, {deliver_entries, false, false}},
        {201, {deliver_entries, false, false}},
        {202, {deliver_entries, false, false}},
        {204, {deliver_entries, false, false}},
        // Try again later.
        {408, {retry_later, false, false}},
        {425, {retry_later, false, false}},
        {429, {retry_later, false, false}},
        {500, {retry_later, false, false}},
        {501, {retry_later, false, false}},
        {502, {retry_later, false, false}},
        {503, {retry_later, false, false}},
        {504, {retry_later, false, false}},
        {599, {retry_later, false, false}},
        // No HTTP response at all (connection refused, reset, timeout) or nonsense.
        {0, {retry_later, false, false}},
        {-1, {retry_later, false, false}},
        {99, {retry_later, false, false}},
        {600, {retry_later, false, false}},
        {100, {retry_later, false, false}},
        // Credentials refused: pause and alert.
        {401, {pause_and_alert, true, false}},
        {403, {pause_and_alert, true, false}},
        // Too large: split.
        {413, {split_batch, false, false}},
        // The content may be at fault: retry, staff look, caller splits to find the entry.
        {400, {retry_later, true, true}},
        {409, {retry_later, true, true}},
        {412, {retry_later, true, true}},
        {422, {retry_later, true, true}},
        // The endpoint or settings are wrong: retry and alert, but never blame the responses.
        {404, {retry_later, true, false}},
        {405, {retry_later, true, false}},
        {406, {retry_later, true, false}},
        {410, {retry_later, true, false}},
        {411, {retry_later, true, false}},
        {414, {retry_later, true, false}},
        {415, {retry_later, true, false}},
        {426, {retry_later, true, false}},
        {451, {retry_later, true, false}},
        // Redirects are never followed: the base URL needs fixing.
        {301, {retry_later, true, false}},
        {302, {retry_later, true, false}},
        {307, {retry_later, true, false}},
        {308, {retry_later, true, false}},
    };
    for (const Expected& expected : table) {
        INFO("status " << expected.status);
        const HttpStatusClass got = classify_http_status(expected.status);
        CHECK(static_cast<int>(got.verdict) == static_cast<int>(expected.verdict.verdict));
        CHECK(got.needs_staff_attention == expected.verdict.needs_staff_attention);
        CHECK(got.entry_may_be_the_cause == expected.verdict.entry_may_be_the_cause);
    }
}
