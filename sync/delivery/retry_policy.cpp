#include "delivery/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace kiosk::delivery {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// ---- Backoff ----

// base * 2^failures, but never above cap (both in seconds, both positive).
std::int64_t capped_doubling(std::int64_t base, std::int64_t cap, int failures) {
    base = std::min(base, cap);
    // base << failures fits under cap exactly when base <= cap >> failures; checking that first
    // means the shift can never overflow, whatever the failure count.
    if (failures >= 63 || base > (cap >> failures)) {
        return cap;
    }
    return base << failures;
}

// ---- Retry-After ----

constexpr std::int64_t max_retry_after_seconds = max_retry_after.count();

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

std::string_view trimmed(std::string_view text) {
    const auto blank = [](char c) {
        return c == ' ' || c == '\t';
    };
    while (!text.empty() && blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && blank(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

std::optional<seconds> delta_seconds(std::string_view text) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), is_digit)) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    for (const char c : text) {
        value = value * 10 + (c - '0');
        // Saturate before the next digit could overflow (RFC 9111 1.2.2).
        if (value >= max_retry_after_seconds) {
            return max_retry_after;
        }
    }
    return seconds{value};
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
    const auto lower = [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [&](char x, char y) { return lower(x) == lower(y); });
}

constexpr std::array<std::string_view, 7> short_days = {"Mon", "Tue", "Wed", "Thu",
                                                        "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> long_days = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Reads an HTTP-date left to right; every step fails (returns false) without throwing.
class DateReader {
public:
    explicit DateReader(std::string_view text) : text_(text) {}

    bool done() const { return at_ == text_.size(); }

    bool literal(std::string_view expected) {
        if (text_.substr(at_, expected.size()) != expected) {
            return false;
        }
        at_ += expected.size();
        return true;
    }

    // Exactly `count` digits.
    bool number(std::size_t count, int& value) {
        if (text_.size() - at_ < count) {
            return false;
        }
        value = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const char c = text_[at_ + i];
            if (!is_digit(c)) {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        at_ += count;
        return true;
    }

    // One of `names` (compared without regard to case); `index` is its position.
    template <std::size_t N> bool name(const std::array<std::string_view, N>& names, int& index) {
        for (std::size_t i = 0; i < N; ++i) {
            if (same_ignoring_case(text_.substr(at_, names[i].size()), names[i])) {
                at_ += names[i].size();
                index = static_cast<int>(i);
                return true;
            }
        }
        return false;
    }

    // "08:49:37"; 60 seconds allowed for a leap second.
    bool time_of_day(int& hour, int& minute, int& second) {
        return number(2, hour) && literal(":") && number(2, minute) && literal(":") &&
               number(2, second) && hour <= 23 && minute <= 59 && second <= 60;
    }

private:
    std::string_view text_;
    std::size_t at_ = 0;
};

struct DateTime {
    int year = 0;
    int month = 0; // 1..12
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
};

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<DateTime> imf_fixdate(std::string_view text) {
    DateReader in(text);
    DateTime t;
    int ignored = 0;
    if (in.name(short_days, ignored) && in.literal(", ") && in.number(2, t.day) &&
        in.literal(" ") && in.name(months, t.month) && in.literal(" ") && in.number(4, t.year) &&
        in.literal(" ") && in.time_of_day(t.hour, t.minute, t.second) && in.literal(" GMT") &&
        in.done()) {
        ++t.month;
        return t;
    }
    return std::nullopt;
}

// "Sunday, 06-Nov-94 08:49:37 GMT"; the year is resolved later against the current year.
std::optional<DateTime> rfc850_date(std::string_view text) {
    DateReader in(text);
    DateTime t;
    int ignored = 0;
    if (in.name(long_days, ignored) && in.literal(", ") && in.number(2, t.day) && in.literal("-") &&
        in.name(months, t.month) && in.literal("-") && in.number(2, t.year) && in.literal(" ") &&
        in.time_of_day(t.hour, t.minute, t.second) && in.literal(" GMT") && in.done()) {
        ++t.month;
        return t;
    }
    return std::nullopt;
}

// "Sun Nov  6 08:49:37 1994" (a one-digit day is padded with a space)
std::optional<DateTime> asctime_date(std::string_view text) {
    DateReader in(text);
    DateTime t;
    int ignored = 0;
    if (!(in.name(short_days, ignored) && in.literal(" ") && in.name(months, t.month) &&
          in.literal(" "))) {
        return std::nullopt;
    }
    if (!(in.literal(" ") ? in.number(1, t.day) : in.number(2, t.day))) {
        return std::nullopt;
    }
    if (in.literal(" ") && in.time_of_day(t.hour, t.minute, t.second) && in.literal(" ") &&
        in.number(4, t.year) && in.done()) {
        ++t.month;
        return t;
    }
    return std::nullopt;
}

// Seconds since the Unix epoch, or nothing for a day that does not exist (31 Feb).
std::optional<std::int64_t> epoch_seconds(const DateTime& t) {
    const std::chrono::year_month_day date{std::chrono::year{t.year},
                                           std::chrono::month{static_cast<unsigned>(t.month)},
                                           std::chrono::day{static_cast<unsigned>(t.day)}};
    if (!date.ok()) {
        return std::nullopt;
    }
    const std::int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
    return days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

} // namespace

milliseconds full_jitter_backoff(int consecutive_failures, seconds base, seconds cap,
                                 std::uint64_t random_value) {
    if (base <= seconds::zero() || cap <= seconds::zero()) {
        return milliseconds::zero();
    }
    // Keep the ceiling representable in milliseconds.
    constexpr std::int64_t largest_cap = std::numeric_limits<std::int64_t>::max() / 1000 - 1;
    const std::int64_t cap_seconds = std::min(cap.count(), largest_cap);
    const std::int64_t ceiling_ms =
        capped_doubling(base.count(), cap_seconds, std::max(consecutive_failures, 0)) * 1000;
    // Uniform over the ceiling_ms + 1 whole milliseconds in [0, ceiling]. The modulo bias is at
    // most ceiling / 2^64, far below anything that matters for spreading retries.
    const auto span = static_cast<std::uint64_t>(ceiling_ms) + 1;
    return milliseconds{static_cast<std::int64_t>(random_value % span)};
}

std::optional<seconds> parse_retry_after(std::string_view header,
                                         std::chrono::system_clock::time_point now) {
    const std::string_view text = trimmed(header);
    if (auto delta = delta_seconds(text)) {
        return delta;
    }

    // floor(now) and not now itself: the date is in whole seconds, and date - floor(now) is the
    // exact wait rounded up, so a retry never comes before the moment the server named. Whole
    // seconds also keep year-9999 dates clear of the nanosecond clock's range.
    const std::int64_t now_seconds = std::chrono::floor<seconds>(now.time_since_epoch()).count();

    std::optional<DateTime> date = imf_fixdate(text);
    if (!date) {
        date = asctime_date(text);
    }
    if (!date) {
        date = rfc850_date(text);
        if (date) {
            // RFC 9110 5.6.7: a two-digit year that looks more than 50 years ahead is the most
            // recent past year with those digits.
            const auto today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(
                std::chrono::sys_seconds{seconds{now_seconds}})};
            const int this_year = static_cast<int>(today.year());
            date->year += this_year - this_year % 100;
            if (date->year > this_year + 50) {
                date->year -= 100;
            }
        }
    }
    if (!date) {
        return std::nullopt;
    }
    const auto when = epoch_seconds(*date);
    if (!when) {
        return std::nullopt;
    }
    const std::int64_t wait = *when - now_seconds;
    return seconds{std::clamp<std::int64_t>(wait, 0, max_retry_after_seconds)};
}

seconds clamp_retry_after(seconds value, seconds cap) {
    return std::clamp(value, seconds::zero(), std::max(cap, seconds::zero()));
}

milliseconds next_retry_delay(milliseconds backoff, std::optional<seconds> retry_after,
                              seconds retry_after_cap) {
    if (!retry_after) {
        return backoff;
    }
    const milliseconds asked = clamp_retry_after(*retry_after, retry_after_cap);
    return std::max(backoff, asked);
}

HttpStatusClass classify_http_status(int status) {
    using enum WholeRequestVerdict;
    if (status >= 200 && status <= 299) {
        return {deliver_entries, false, false};
    }
    switch (status) {
    case 401:
    case 403:
        return {pause_and_alert, true, false};
    case 413:
        return {split_batch, false, false};
    case 408: // Request Timeout
    case 425: // Too Early
    case 429: // Too Many Requests
        return {retry_later, false, false};
    case 400: // Bad Request
    case 409: // Conflict
    case 412: // Precondition Failed (e.g. ifNoneExist matched more than one resource)
    case 422: // Unprocessable Entity
        return {retry_later, true, true};
    default:
        break;
    }
    if (status >= 300 && status <= 499) {
        // A redirect (never followed) or a 4xx about the endpoint: the settings need a person.
        return {retry_later, true, false};
    }
    // 5xx, and no response at all (0) or a status outside HTTP's range.
    return {retry_later, false, false};
}

} // namespace kiosk::delivery
