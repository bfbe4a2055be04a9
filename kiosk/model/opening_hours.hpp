#pragma once
// When the clinic is open, and so when the kiosk invites feedback. Outside opening hours the
// waiting area is empty or being cleaned, and a kiosk that keeps asking only collects noise.
// Times are the device's local wall-clock times, as they are written on the clinic's door.

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::model {

struct LocalTime {
    int weekday = 0;       // 0 = Monday .. 6 = Sunday
    int second_of_day = 0; // 0..86399
};

// One day's hours: open from opens_minute (inclusive) to closes_minute (exclusive), in minutes
// since local midnight. opens < closes; closes may be 1440 ("24:00", the end of the day).
struct OpeningTimes {
    int opens_minute = 0;
    int closes_minute = 0;

    friend bool operator==(const OpeningTimes&, const OpeningTimes&) = default;
};

class OpeningHours {
public:
    using Week = std::array<std::optional<OpeningTimes>, 7>;

    // Always open: what a kiosk does when its settings have no [opening_hours].
    OpeningHours();
    // Monday first; an empty day is closed all day. Throws std::invalid_argument for times out
    // of range or a day that closes before it opens (settings never build one: they refuse it).
    explicit OpeningHours(Week days);

    bool always_open() const { return always_open_; }
    bool is_open(LocalTime when) const;
    // Seconds from `when` until the kiosk next opens or closes, so a caller can sleep until
    // then. nullopt when nothing ever changes: always open, or closed every day.
    // The count is in wall-clock time: across a daylight-saving change it is an hour off, so
    // a caller should not sleep longer than an hour on it without asking again.
    std::optional<std::chrono::seconds> until_next_change(LocalTime when) const;
    // Always open: every day 00:00 to 24:00.
    const Week& days() const { return days_; }
    // "08:00 to 18:00" or "closed"; weekday 0 = Monday.
    std::string describe_day(int weekday) const;

private:
    bool open_at_second_of_week(long second) const;

    Week days_;
    bool always_open_;
};

// One day's value in settings: "08:00-18:00" or "closed". On a mistake returns nullopt and sets
// `problem` to plain words; otherwise the day's times, or an empty optional for "closed".
std::optional<std::optional<OpeningTimes>> parse_opening_times(std::string_view text,
                                                               std::string& problem);

// The device's local time (its time zone, via localtime_r) at `when`.
LocalTime local_time_of(std::chrono::system_clock::time_point when);

} // namespace kiosk::model
