// Opening hours: open from the opening time up to (not at) the closing time, on the device's
// local clock; the wait until the next change crosses midnight, closed days and the end of the
// week; text from settings is read strictly and refused in plain words.

#include "model/opening_hours.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <stdexcept>

using namespace kiosk::model;
using std::chrono::seconds;

namespace {

enum Day { monday, tuesday, wednesday, thursday, friday, saturday, sunday };

LocalTime at(int weekday, int hour, int minute = 0, int second = 0) {
    return LocalTime{weekday, hour * 3600 + minute * 60 + second};
}

OpeningTimes times(int opens_hour, int closes_hour) {
    return OpeningTimes{opens_hour * 60, closes_hour * 60};
}

// Monday to Friday 08:00 to 18:00; closed at the weekend.
OpeningHours weekdays() {
    OpeningHours::Week week;
    for (int day = monday; day <= friday; ++day) {
        week[static_cast<std::size_t>(day)] = times(8, 18);
    }
    return OpeningHours(week);
}

constexpr long kHour = 3600;
constexpr long kDay = 24 * kHour;

// Sets the TZ environment variable for one test and puts it back after.
class TimeZone {
public:
    explicit TimeZone(const char* zone) {
        if (const char* before = std::getenv("TZ")) {
            before_ = before;
        }
        setenv("TZ", zone, 1);
        tzset();
    }
    ~TimeZone() {
        if (before_) {
            setenv("TZ", before_->c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }
    TimeZone(const TimeZone&) = delete;
    TimeZone& operator=(const TimeZone&) = delete;

private:
    std::optional<std::string> before_;
};

} // namespace

TEST_CASE("without opening hours the kiosk is always open and nothing changes", "[opening]") {
    const OpeningHours hours;
    CHECK(hours.always_open());
    for (int day = monday; day <= sunday; ++day) {
        CHECK(hours.is_open(at(day, 0)));
        CHECK(hours.is_open(at(day, 23, 59, 59)));
        CHECK_FALSE(hours.until_next_change(at(day, 12)).has_value());
        CHECK(hours.describe_day(day) == "00:00 to 24:00");
    }
}

TEST_CASE("open from the opening time up to, not at, the closing time", "[opening]") {
    const OpeningHours hours = weekdays();
    CHECK_FALSE(hours.always_open());
    CHECK_FALSE(hours.is_open(at(monday, 0)));
    CHECK_FALSE(hours.is_open(at(monday, 7, 59, 59)));
    CHECK(hours.is_open(at(monday, 8)));
    CHECK(hours.is_open(at(monday, 17, 59, 59)));
    CHECK_FALSE(hours.is_open(at(monday, 18)));
    CHECK_FALSE(hours.is_open(at(monday, 23, 59, 59)));
    CHECK(hours.is_open(at(friday, 12)));
    CHECK_FALSE(hours.is_open(at(saturday, 12)));
    CHECK_FALSE(hours.is_open(at(sunday, 12)));
}

TEST_CASE("the wait until the next opening or closing", "[opening]") {
    const OpeningHours hours = weekdays();
    SECTION("before opening, the same day") {
        CHECK(hours.until_next_change(at(monday, 7)) == seconds(kHour));
        CHECK(hours.until_next_change(at(monday, 7, 59, 59)) == seconds(1));
    }
    SECTION("at opening: until closing") {
        CHECK(hours.until_next_change(at(monday, 8)) == seconds(10 * kHour));
        CHECK(hours.until_next_change(at(monday, 17, 59, 59)) == seconds(1));
    }
    SECTION("at closing: across midnight to the next morning") {
        CHECK(hours.until_next_change(at(monday, 18)) == seconds(14 * kHour));
        CHECK(hours.until_next_change(at(tuesday, 0)) == seconds(8 * kHour));
    }
    SECTION("Friday evening: across the closed weekend to Monday") {
        CHECK(hours.until_next_change(at(friday, 18)) == seconds(2 * kDay + 14 * kHour));
        CHECK(hours.until_next_change(at(saturday, 12)) == seconds(kDay + 20 * kHour));
    }
    SECTION("Sunday night: across the end of the week") {
        CHECK(hours.until_next_change(at(sunday, 23)) == seconds(9 * kHour));
        CHECK(hours.until_next_change(at(sunday, 23, 59, 59)) == seconds(8 * kHour + 1));
    }
}

TEST_CASE("a clinic open one day a week opens again a week later", "[opening]") {
    OpeningHours::Week week;
    week[wednesday] = OpeningTimes{9 * 60 + 30, 12 * 60};
    const OpeningHours hours(week);
    CHECK(hours.until_next_change(at(wednesday, 9, 30)) == seconds(150 * 60));
    CHECK(hours.until_next_change(at(wednesday, 12)) == seconds(7 * kDay - 150 * 60));
    CHECK(hours.until_next_change(at(thursday, 0)) == seconds(6 * kDay + 9 * kHour + 30 * 60));
    CHECK(hours.until_next_change(at(tuesday, 9, 30)) == seconds(kDay));
}

TEST_CASE("closing at 24:00 and opening at 00:00 the next day is no change", "[opening]") {
    OpeningHours::Week week;
    week[monday] = OpeningTimes{20 * 60, 24 * 60};
    week[tuesday] = OpeningTimes{0, 2 * 60};
    const OpeningHours hours(week);
    CHECK(hours.is_open(at(monday, 23, 59, 59)));
    CHECK(hours.is_open(at(tuesday, 0)));
    CHECK_FALSE(hours.is_open(at(tuesday, 2)));
    CHECK(hours.until_next_change(at(monday, 20)) == seconds(6 * kHour));
    CHECK(hours.until_next_change(at(monday, 23)) == seconds(3 * kHour));
    CHECK(hours.describe_day(monday) == "20:00 to 24:00");
}

TEST_CASE("open all day every day, or closed every day: nothing ever changes", "[opening]") {
    SECTION("00:00 to 24:00 every day") {
        OpeningHours::Week week;
        week.fill(OpeningTimes{0, 24 * 60});
        const OpeningHours hours(week);
        CHECK_FALSE(hours.always_open()); // given, not left out; but open all the same
        CHECK(hours.is_open(at(sunday, 23, 59, 59)));
        CHECK_FALSE(hours.until_next_change(at(wednesday, 4)).has_value());
    }
    SECTION("closed every day") {
        const OpeningHours hours{OpeningHours::Week{}};
        for (int day = monday; day <= sunday; ++day) {
            CHECK_FALSE(hours.is_open(at(day, 12)));
            CHECK(hours.describe_day(day) == "closed");
        }
        CHECK_FALSE(hours.until_next_change(at(monday, 12)).has_value());
    }
}

TEST_CASE("each day is described in plain words", "[opening]") {
    OpeningHours::Week week;
    week[monday] = OpeningTimes{8 * 60 + 30, 17 * 60 + 45};
    const OpeningHours hours(week);
    CHECK(hours.describe_day(monday) == "08:30 to 17:45");
    CHECK(hours.describe_day(tuesday) == "closed");
    CHECK(hours.days()[monday] == OpeningTimes{510, 1065});
    CHECK_FALSE(hours.days()[sunday].has_value());
}

TEST_CASE("times that cannot be opening hours are refused when built", "[opening]") {
    for (const OpeningTimes& bad : {OpeningTimes{600, 600}, OpeningTimes{600, 500},
                                    OpeningTimes{-1, 500}, OpeningTimes{0, 24 * 60 + 1}}) {
        OpeningHours::Week week;
        week[friday] = bad;
        CHECK_THROWS_AS(OpeningHours(week), std::invalid_argument);
    }
}

TEST_CASE("opening times are read from settings text", "[opening]") {
    std::string problem;
    SECTION("a day's hours") {
        auto parsed = parse_opening_times("08:00-18:00", problem);
        REQUIRE(parsed.has_value());
        REQUIRE(parsed->has_value());
        CHECK(**parsed == times(8, 18));
        CHECK(problem.empty());
    }
    SECTION("closed") {
        auto parsed = parse_opening_times("closed", problem);
        REQUIRE(parsed.has_value());
        CHECK_FALSE(parsed->has_value());
    }
    SECTION("all day, with 24:00 for midnight at the end") {
        auto parsed = parse_opening_times("00:00-24:00", problem);
        REQUIRE(parsed.has_value());
        CHECK(**parsed == OpeningTimes{0, 1440});
        CHECK(**parse_opening_times("07:15-19:59", problem) == OpeningTimes{435, 1199});
    }
    SECTION("not in the HH:MM-HH:MM form") {
        for (const char* text : {"", "8:00-18:00", "08:00 - 18:00", "08.00-18.00", "0800-1800",
                                 "08:00-18:00 ", "08:00", "Closed", "open", "08:00-18:00x"}) {
            INFO("\"" << text << "\"");
            CHECK_FALSE(parse_opening_times(text, problem).has_value());
            CHECK(problem == "expected HH:MM-HH:MM such as 08:00-18:00, or closed");
        }
    }
    SECTION("a time that does not exist") {
        for (const char* text : {"08:60-18:00", "08:00-18:75", "25:00-26:00", "24:00-24:00",
                                 "08:00-24:01", "08:00-99:00"}) {
            INFO("\"" << text << "\"");
            CHECK_FALSE(parse_opening_times(text, problem).has_value());
            CHECK(problem.find("a time that does not exist") != std::string::npos);
        }
    }
    SECTION("closing before, or at, opening") {
        for (const char* text : {"18:00-08:00", "08:00-08:00", "00:01-00:00"}) {
            INFO("\"" << text << "\"");
            CHECK_FALSE(parse_opening_times(text, problem).has_value());
            CHECK(problem.find("closes at or before it opens") != std::string::npos);
        }
    }
}

TEST_CASE("local time is the device's wall clock, Monday first", "[opening]") {
    using std::chrono::system_clock;
    // 2024-01-01 was a Monday.
    const auto new_year = system_clock::from_time_t(1704067200); // 2024-01-01T00:00:00Z
    SECTION("UTC") {
        TimeZone zone("UTC");
        LocalTime local = local_time_of(new_year + seconds(10 * kHour + 20 * 60 + 30));
        CHECK(local.weekday == monday);
        CHECK(local.second_of_day == 10 * 3600 + 20 * 60 + 30);
        CHECK(local_time_of(new_year - seconds(1)).weekday == sunday);
        CHECK(local_time_of(new_year - seconds(1)).second_of_day == 86399);
        CHECK(local_time_of(new_year + seconds(5 * kDay)).weekday == saturday);
    }
    SECTION("London in summer is an hour ahead of UTC") {
        TimeZone zone("Europe/London");
        // 2024-07-01 was a Monday; 23:30 UTC is 00:30 on Tuesday in British Summer Time.
        const auto july = system_clock::from_time_t(1719792000); // 2024-07-01T00:00:00Z
        LocalTime local = local_time_of(july + seconds(23 * kHour + 30 * 60));
        CHECK(local.weekday == tuesday);
        CHECK(local.second_of_day == 30 * 60);
    }
}
