#include "model/opening_hours.hpp"

#include <algorithm>
#include <ctime>
#include <stdexcept>

namespace kiosk::model {

namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr long kSecondsPerDay = 24L * 60 * 60;
constexpr long kSecondsPerWeek = 7 * kSecondsPerDay;

bool well_formed(const OpeningTimes& times) {
    return times.opens_minute >= 0 && times.opens_minute < times.closes_minute &&
           times.closes_minute <= kMinutesPerDay;
}

long second_of_week(LocalTime when) {
    // Taken modulo a week and a day so that a caller's off-by-one (weekday 7, a leap second at
    // 86400) reads as the next day rather than past the end of the array.
    long day = ((when.weekday % 7) + 7) % 7;
    long second = day * kSecondsPerDay + when.second_of_day;
    return ((second % kSecondsPerWeek) + kSecondsPerWeek) % kSecondsPerWeek;
}

std::string hh_mm(int minute) {
    std::string out = "00:00";
    out[0] = static_cast<char>('0' + minute / 60 / 10);
    out[1] = static_cast<char>('0' + minute / 60 % 10);
    out[3] = static_cast<char>('0' + minute % 60 / 10);
    out[4] = static_cast<char>('0' + minute % 60 % 10);
    return out;
}

struct ClockTime {
    int hour = 0;
    int minute = 0;
};

// "HH:MM" with two digits each; whether the numbers make a time is for the caller, which knows
// whether 24:00 is allowed.
std::optional<ClockTime> parse_hh_mm(std::string_view text) {
    auto digit = [&](std::size_t i) {
        return text[i] >= '0' && text[i] <= '9';
    };
    if (text.size() != 5 || !digit(0) || !digit(1) || text[2] != ':' || !digit(3) || !digit(4)) {
        return std::nullopt;
    }
    return ClockTime{(text[0] - '0') * 10 + (text[1] - '0'),
                     (text[3] - '0') * 10 + (text[4] - '0')};
}

} // namespace

OpeningHours::OpeningHours() : always_open_(true) {
    days_.fill(OpeningTimes{0, kMinutesPerDay});
}

OpeningHours::OpeningHours(Week days) : days_(days), always_open_(false) {
    for (const auto& day : days_) {
        if (day && !well_formed(*day)) {
            throw std::invalid_argument("opening times must be 00:00 to 24:00, opening first");
        }
    }
}

bool OpeningHours::open_at_second_of_week(long second) const {
    const auto& day = days_[static_cast<std::size_t>(second / kSecondsPerDay)];
    long second_of_day = second % kSecondsPerDay;
    return day && second_of_day >= day->opens_minute * 60L &&
           second_of_day < day->closes_minute * 60L;
}

bool OpeningHours::is_open(LocalTime when) const {
    return always_open_ || open_at_second_of_week(second_of_week(when));
}

std::optional<std::chrono::seconds> OpeningHours::until_next_change(LocalTime when) const {
    if (always_open_) {
        return std::nullopt;
    }
    // The state only changes at an opening or closing time. Of those in the week ahead, the
    // nearest where the state differs from now is the answer. Times where nothing changes
    // (closing at 24:00 and opening at 00:00 the next day; now itself) are passed over.
    const long now = second_of_week(when);
    const bool open_now = open_at_second_of_week(now);
    std::optional<long> nearest;
    for (std::size_t day = 0; day < days_.size(); ++day) {
        if (!days_[day]) {
            continue;
        }
        for (int minute : {days_[day]->opens_minute, days_[day]->closes_minute}) {
            long at = (static_cast<long>(day) * kSecondsPerDay + minute * 60L) % kSecondsPerWeek;
            long ahead = (at - now + kSecondsPerWeek) % kSecondsPerWeek;
            if (open_at_second_of_week(at) != open_now && (!nearest || ahead < *nearest)) {
                nearest = ahead;
            }
        }
    }
    if (!nearest) {
        return std::nullopt;
    }
    return std::chrono::seconds(*nearest);
}

std::string OpeningHours::describe_day(int weekday) const {
    const auto& day = days_[static_cast<std::size_t>(((weekday % 7) + 7) % 7)];
    if (!day) {
        return "closed";
    }
    return hh_mm(day->opens_minute) + " to " + hh_mm(day->closes_minute);
}

std::optional<std::optional<OpeningTimes>> parse_opening_times(std::string_view text,
                                                               std::string& problem) {
    if (text == "closed") {
        // Made in place: copying an empty optional in makes GCC 12 warn of its unset value.
        return std::optional<std::optional<OpeningTimes>>(std::in_place);
    }
    std::optional<ClockTime> opens;
    std::optional<ClockTime> closes;
    if (text.size() == 11 && text[5] == '-') {
        opens = parse_hh_mm(text.substr(0, 5));
        closes = parse_hh_mm(text.substr(6));
    }
    if (!opens || !closes) {
        problem = "expected HH:MM-HH:MM such as 08:00-18:00, or closed";
        return std::nullopt;
    }
    // 24:00 is the end of the day, so it may close a day but not open one.
    bool times_exist = opens->hour < 24 && opens->minute < 60 && closes->minute < 60 &&
                       (closes->hour < 24 || (closes->hour == 24 && closes->minute == 0));
    if (!times_exist) {
        problem = "has a time that does not exist: hours go from 00 to 23 and minutes from 00 to "
                  "59 (24:00 is allowed as a closing time, for midnight)";
        return std::nullopt;
    }
    const OpeningTimes times{opens->hour * 60 + opens->minute, closes->hour * 60 + closes->minute};
    if (times.opens_minute >= times.closes_minute) {
        problem = "closes at or before it opens: the closing time must be later the same day "
                  "(use 24:00 for midnight)";
        return std::nullopt;
    }
    return std::optional<OpeningTimes>(times);
}

LocalTime local_time_of(std::chrono::system_clock::time_point when) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm parts{};
    if (localtime_r(&seconds, &parts) == nullptr) {
        return LocalTime{};
    }
    LocalTime local;
    local.weekday = (parts.tm_wday + 6) % 7; // tm_wday counts from Sunday
    // tm_sec may be 60 during a leap second; stay within the day.
    local.second_of_day = parts.tm_hour * 3600 + parts.tm_min * 60 + std::min(parts.tm_sec, 59);
    return local;
}

} // namespace kiosk::model
