// Staff mode's state machine, PIN lockout, hidden press and status verdict, without screens.

#include "model/kiosk_health.hpp"
#include "model/staff.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using namespace kiosk::model;
using namespace std::chrono_literals;

namespace {

const MonotonicTime t0{};
constexpr std::int64_t kNow = 1'800'000'000'000; // Unix ms, an ordinary day in 2027

StaffLimits limits() {
    StaffLimits l;
    l.questionnaires = 3;
    l.clinics = 2;
    return l;
}

// Volunteer 2468, IT 1357: what the app's hashes would say.
std::optional<StaffRole> check(std::string_view pin) {
    if (pin == "2468") {
        return StaffRole::volunteer;
    }
    if (pin == "1357") {
        return StaffRole::it;
    }
    return std::nullopt;
}

StaffOutcome type_pin(StaffMode& staff, std::string_view pin, std::int64_t now_ms = kNow) {
    for (char digit : pin) {
        staff.apply(staff_action::Digit{digit - '0'}, check, t0, now_ms);
    }
    return staff.apply(staff_action::SubmitPin{}, check, t0, now_ms);
}

std::vector<StaffAction> every_action() {
    return {staff_action::Back{},          staff_action::ShowQuestionnaires{},
            staff_action::ShowClinics{},   staff_action::ShowIt{},
            staff_action::ShowTouchTest{}, staff_action::ResetKiosk{},
            staff_action::Pause{},         staff_action::Resume{},
            staff_action::SendNow{},       staff_action::ChooseQuestionnaire{1},
            staff_action::ChooseClinic{1}, staff_action::CheckConnection{},
            staff_action::RetryRejected{}, staff_action::AskCommand{DeviceCommand::restart_app},
            staff_action::ConfirmCommand{}};
}

} // namespace

TEST_CASE("without a right PIN no action does anything but move the PIN pad") {
    StaffMode staff(limits());
    for (const auto& action : every_action()) {
        CHECK(staff.apply(action, check, t0, kNow).what == StaffOutcome::Do::nothing);
        CHECK(staff.screen() == StaffScreen::closed); // closed: nothing at all
    }
    staff.open(t0, kNow);
    for (const auto& action : every_action()) {
        auto outcome = staff.apply(action, check, t0, kNow);
        CHECK(outcome.what == StaffOutcome::Do::nothing);
        CHECK(outcome.audit.empty());
        CHECK(staff.screen() == StaffScreen::pin_pad);
        CHECK_FALSE(staff.role());
    }
}

TEST_CASE("a right PIN signs in with its role; the PIN is never kept or recorded") {
    StaffMode staff(limits());
    staff.open(t0, kNow);
    auto outcome = type_pin(staff, "1357");
    CHECK(staff.role() == StaffRole::it);
    CHECK(staff.screen() == StaffScreen::status);
    CHECK(staff.digits_entered() == 0);
    REQUIRE(outcome.audit.size() == 1);
    CHECK(outcome.audit[0].role == "IT");
    CHECK(outcome.audit[0].action.find("1357") == std::string::npos);
    CHECK(outcome.lockout_changed);
}

TEST_CASE("a volunteer cannot reach IT's screens or commands") {
    StaffMode staff(limits());
    staff.open(t0, kNow);
    type_pin(staff, "2468");
    REQUIRE(staff.role() == StaffRole::volunteer);
    staff.apply(staff_action::ShowIt{}, check, t0, kNow);
    CHECK(staff.screen() == StaffScreen::status);
    staff.apply(staff_action::ShowTouchTest{}, check, t0, kNow);
    CHECK(staff.screen() == StaffScreen::status);
    CHECK(staff.apply(staff_action::RetryRejected{}, check, t0, kNow).what ==
          StaffOutcome::Do::nothing);
    staff.apply(staff_action::AskCommand{DeviceCommand::restart_app}, check, t0, kNow);
    CHECK(staff.screen() == StaffScreen::status);
    CHECK(staff.apply(staff_action::ConfirmCommand{}, check, t0, kNow).what ==
          StaffOutcome::Do::nothing);
    // What a volunteer may do.
    CHECK(staff.apply(staff_action::SendNow{}, check, t0, kNow).what == StaffOutcome::Do::send_now);
    staff.apply(staff_action::ShowClinics{}, check, t0, kNow);
    auto chose = staff.apply(staff_action::ChooseClinic{1}, check, t0, kNow);
    CHECK(chose.what == StaffOutcome::Do::switch_clinic);
    CHECK(chose.index == 1);
    CHECK(staff.apply(staff_action::Pause{}, check, t0, kNow).what == StaffOutcome::Do::pause);
    CHECK_FALSE(staff.is_open()); // pausing leaves staff mode: the paused screen shows
}

TEST_CASE("choices outside the settings' lists and unconfigured commands are refused") {
    StaffMode staff(limits());
    staff.open(t0, kNow);
    type_pin(staff, "1357");
    staff.apply(staff_action::ShowQuestionnaires{}, check, t0, kNow);
    CHECK(staff.apply(staff_action::ChooseQuestionnaire{3}, check, t0, kNow).what ==
          StaffOutcome::Do::nothing);
    staff.apply(staff_action::ShowIt{}, check, t0, kNow);
    staff.apply(staff_action::AskCommand{DeviceCommand::reboot}, check, t0, kNow);
    CHECK(staff.screen() == StaffScreen::it); // no reboot command configured
    staff.apply(staff_action::AskCommand{DeviceCommand::restart_app}, check, t0, kNow);
    CHECK(staff.screen() == StaffScreen::confirm);
    auto confirmed = staff.apply(staff_action::ConfirmCommand{}, check, t0, kNow);
    CHECK(confirmed.what == StaffOutcome::Do::run_command);
    CHECK(confirmed.command == DeviceCommand::restart_app);
}

TEST_CASE("staff mode closes after the quiet time, forgetting role and digits") {
    StaffMode staff(limits());
    staff.open(t0, kNow);
    staff.apply(staff_action::Digit{2}, check, t0, kNow);
    REQUIRE(staff.next_timer() == t0 + 60s);
    staff.tick(t0 + 59s, kNow);
    CHECK(staff.is_open());
    staff.touched(t0 + 59s);
    staff.tick(t0 + 118s, kNow);
    CHECK(staff.is_open());
    staff.tick(t0 + 119s, kNow);
    CHECK_FALSE(staff.is_open());
    staff.open(t0 + 200s, kNow);
    CHECK(staff.digits_entered() == 0);
    type_pin(staff, "2468");
    auto outcome = staff.tick(t0 + 300s, kNow);
    CHECK_FALSE(staff.is_open());
    CHECK_FALSE(staff.role());
    REQUIRE(outcome.audit.size() == 1);
    CHECK(outcome.audit[0].action.find("by itself") != std::string::npos);
}

TEST_CASE("five wrong PINs in a row lock the pad for 1 minute, then 2, 4 ... up to a day") {
    PinLockout lockout;
    std::int64_t now = kNow;
    auto lock_once = [&] {
        std::optional<std::chrono::minutes> length;
        for (int i = 0; i < PinLockout::kWrongBeforeLockout; ++i) {
            CHECK_FALSE(lockout.locked(now));
            length = lockout.record_wrong(now);
            CHECK(length.has_value() == (i == PinLockout::kWrongBeforeLockout - 1));
        }
        return *length;
    };
    CHECK(lock_once() == 1min);
    CHECK(lockout.locked(now + 59'999));
    CHECK_FALSE(lockout.locked(now + 60'000));
    now += 60'000;
    CHECK(lock_once() == 2min);
    now += 120'000;
    CHECK(lock_once() == 4min);
    for (int i = 0; i < 20; ++i) {
        now = lockout.locked_until_ms();
        lock_once();
    }
    CHECK(lockout.locked_until_ms() - now == 24ll * 3600 * 1000);
    lockout.record_right();
    CHECK(lockout == PinLockout{});
}

TEST_CASE("the lockout survives as text, refuses damaged text, and a clock set back cannot "
          "stretch it") {
    PinLockout lockout;
    for (int i = 0; i < 5; ++i) {
        lockout.record_wrong(kNow);
    }
    lockout.record_wrong(kNow + 70'000);
    auto text = lockout.to_text();
    CHECK(PinLockout::from_text(text) == lockout);
    for (const char* bad : {"", "1 2", "1 2 3 4", "x 1 2", "5 1 100", "-1 0 0", "1 1 -5"}) {
        INFO(bad);
        CHECK_FALSE(PinLockout::from_text(bad));
    }
    // The clock goes back a year: the one-minute lockout still ends a minute from now.
    std::int64_t year_earlier = kNow - 365ll * 24 * 3600 * 1000;
    lockout.clamp_to_clock(year_earlier);
    CHECK(lockout.locked(year_earlier + 59'000));
    CHECK_FALSE(lockout.locked(year_earlier + 60'000));
}

TEST_CASE("a locked pad shows the lockout, accepts nothing, and reopens when it ends") {
    StaffMode staff(limits());
    staff.open(t0, kNow);
    for (int i = 0; i < 5; ++i) {
        type_pin(staff, "1111");
    }
    CHECK(staff.screen() == StaffScreen::locked_out);
    type_pin(staff, "1357"); // the right PIN, typed where no pad is shown
    CHECK_FALSE(staff.role());
    staff.tick(t0 + 1s, kNow + 59'000);
    CHECK(staff.screen() == StaffScreen::locked_out);
    staff.tick(t0 + 2s, kNow + 60'000);
    CHECK(staff.screen() == StaffScreen::pin_pad);
    type_pin(staff, "1357", kNow + 60'000);
    CHECK(staff.role() == StaffRole::it);
}

TEST_CASE("the hidden press fires only when held still in its corner for the whole time") {
    CornerHold hold(ScreenCorner::top_right, 89, 3s);
    const float w = 1280, h = 800;
    hold.press(1270, 10, w, h, t0);
    CHECK(hold.next_timer() == t0 + 3s);
    CHECK_FALSE(hold.fire(t0 + 2999ms));
    CHECK(hold.fire(t0 + 3s));
    CHECK_FALSE(hold.fire(t0 + 4s)); // once

    hold.press(1270, 10, w, h, t0);
    hold.release();
    CHECK_FALSE(hold.fire(t0 + 5s));

    hold.press(1270, 10, w, h, t0);
    hold.move(1100, 10, w, h); // slid out of the square
    CHECK_FALSE(hold.fire(t0 + 5s));

    for (auto [x, y] : {std::pair{10.0f, 10.0f}, {1270.0f, 790.0f}, {1180.0f, 10.0f}}) {
        hold.press(x, y, w, h, t0);
        CHECK_FALSE(hold.next_timer());
        CHECK_FALSE(hold.fire(t0 + 10s));
    }
}

TEST_CASE("the status verdict: green when all is well, amber and red with plain reasons") {
    KioskFacts facts;
    facts.now_ms = kNow;
    facts.free_disk_bytes = 10ull << 30;
    auto verdict = assess_kiosk(facts);
    CHECK(verdict.health == Health::green);
    CHECK(verdict.summary == "Working");

    SECTION("waiting a while and the server not answering: amber") {
        facts.waiting = 3;
        facts.oldest_waiting_ms = kNow - 20 * 60'000;
        facts.last_error = "connection refused";
        facts.last_error_ms = kNow - 60'000;
        verdict = assess_kiosk(facts);
        CHECK(verdict.health == Health::amber);
        CHECK(verdict.reasons.front().find("20 min") != std::string::npos);
    }
    SECTION("a new response waiting a moment is still green") {
        facts.waiting = 1;
        facts.oldest_waiting_ms = kNow - 5'000;
        CHECK(assess_kiosk(facts).health == Health::green);
    }
    SECTION("waiting a day: red") {
        facts.waiting = 1;
        facts.oldest_waiting_ms = kNow - 25ll * 3600 * 1000;
        CHECK(assess_kiosk(facts).health == Health::red);
    }
    SECTION("credentials refused, storage failing, disk nearly full, out of service: red") {
        for (int which = 0; which < 4; ++which) {
            KioskFacts bad = facts;
            if (which == 0) {
                bad.delivery_paused = true;
            } else if (which == 1) {
                bad.unsaved_responses = 1;
            } else if (which == 2) {
                bad.free_disk_bytes = 10ull << 20;
            } else {
                bad.out_of_service = "the questionnaire has problems";
            }
            INFO(which);
            CHECK(assess_kiosk(bad).health == Health::red);
            CHECK(assess_kiosk(bad).summary == "Not working properly");
        }
    }
    SECTION("refused responses, a damaged file put aside, a staff pause: amber") {
        for (int which = 0; which < 3; ++which) {
            KioskFacts odd = facts;
            if (which == 0) {
                odd.rejected = 2;
            } else if (which == 1) {
                odd.damaged_database_moved_to = "/var/lib/kiosk/outbox.sqlite.damaged-x";
            } else {
                odd.paused_by_staff = true;
            }
            INFO(which);
            CHECK(assess_kiosk(odd).health == Health::amber);
        }
    }
    SECTION("closed by the opening hours is planned: green, and says so") {
        facts.closed_by_hours = true;
        verdict = assess_kiosk(facts);
        CHECK(verdict.health == Health::green);
        CHECK(verdict.reasons.back().find("opening hours") != std::string::npos);
    }
}
