#pragma once

// When to try again, as pure functions: no clock reads, no randomness of its own, no I/O, so every
// decision can be tested with exact values. The delivery worker supplies the time and the random
// numbers.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kiosk::delivery {

// Full-jitter exponential backoff: a delay drawn uniformly from [0, min(cap, base * 2^failures)],
// in milliseconds. The jitter spreads a ward's worth of kiosks coming back online together.
// `random_value` is the draw (any 64-bit value, e.g. from std::mt19937_64), so tests are exact.
// Negative failure counts count as 0; a base or cap of zero or less gives 0. No overflow for any
// failure count or duration: the doubling stops as soon as it would pass the cap.
std::chrono::milliseconds full_jitter_backoff(int consecutive_failures, std::chrono::seconds base,
                                              std::chrono::seconds cap, std::uint64_t random_value);

// The largest Retry-After this code returns: 2^31 seconds, the value RFC 9111 (1.2.2) says to use
// for a delta-seconds too large to represent. About 68 years, so adding it to a system_clock time
// point cannot overflow; callers clamp to their own, much smaller cap anyway.
inline constexpr std::chrono::seconds max_retry_after{std::int64_t{1} << 31};

// The Retry-After header value (RFC 9110 10.2.3), as a wait from `now`:
// - delta-seconds ("120"), saturating at max_retry_after however many digits;
// - an HTTP-date: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), and the obsolete RFC 850
//   ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994") forms.
//   A date not after `now` gives 0; a fraction of a second rounds up, so we never come early.
// Surrounding spaces and tabs are ignored. Anything else (empty, negative, "soon", a date that
// does not exist) gives nullopt, and the caller falls back to its backoff.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view header,
                                                      std::chrono::system_clock::time_point now);

// `value` limited to [0, cap]: a server must not be able to stop deliveries for a month.
std::chrono::seconds clamp_retry_after(std::chrono::seconds value, std::chrono::seconds cap);

// The wait before the next attempt: the backoff, or the server's Retry-After (clamped to
// `retry_after_cap`) if that is longer. Honouring Retry-After means never coming back earlier
// than asked; keeping the backoff as a floor stops a server that always says "1" from making a
// failing kiosk retry every second forever.
std::chrono::milliseconds next_retry_delay(std::chrono::milliseconds backoff,
                                           std::optional<std::chrono::seconds> retry_after,
                                           std::chrono::seconds retry_after_cap);

// What the HTTP status of the whole batch request means (DESIGN.md, "The wire protocol").
// Nothing is dropped in any case.
enum class WholeRequestVerdict {
    // 2xx: read the batch-response; the entries decide each row. A 2xx whose body is not a valid
    // batch-response is then a retry_later (fhir::parse_batch_response says why).
    deliver_entries,
    // 408, 425, 429, 5xx, connection errors and timeouts (status 0), and every status not named
    // elsewhere: back off and send the same rows again.
    retry_later,
    // 401, 403: the kiosk's credentials are refused. Stop delivering until staff fix the token
    // or certificate (retrying would only hammer the server), and raise an alert.
    pause_and_alert,
    // 413: the body is too large for this server. Send the batch again in halves. A single entry
    // that still gets 413 is too large for this server on its own: the caller rejects that entry
    // locally with the reason, since no retry can ever succeed.
    split_batch,
};

// There is no "reject the whole batch" verdict, on purpose. A 4xx for the whole request (400,
// 404, 405, 415, 422, ...) does not say which response, if any, is at fault: a server that fails
// on one entry may refuse the Bundle as a whole, but so does a wrong base URL or a server that
// does not take batches. Rejecting every row on such a status could mark a whole ward's
// responses "rejected" because of one setting. So these statuses are retry_later with
// needs_staff_attention set, and entry_may_be_the_cause tells the caller whether splitting can
// isolate a bad entry (400, 409, 412, 422: the content may be at fault). The caller splits a
// batch carrying such a status down to single entries, so one bad response cannot hold up the
// rest, and only a single entry that still gets it is marked rejected. For the others (404, 405,
// 406, 410, 411, 414, 415, ...: the endpoint or the settings are wrong) it keeps the rows queued
// and retries with backoff while staff are alerted.
struct HttpStatusClass {
    WholeRequestVerdict verdict = WholeRequestVerdict::retry_later;
    // A person has to act before deliveries can succeed: 401/403, unexpected 3xx (redirects are
    // never followed; the base URL has moved) and 4xx other than 408, 413, 425 and 429.
    bool needs_staff_attention = false;
    // The request's content may be what the server refused (400, 409, 412, 422).
    bool entry_may_be_the_cause = false;

    bool operator==(const HttpStatusClass&) const = default;
};

// `status` is the HTTP status of the whole request; 0 (or anything outside 100..599) means no
// HTTP response arrived (refused, reset, timed out, TLS failure).
HttpStatusClass classify_http_status(int status);

} // namespace kiosk::delivery
