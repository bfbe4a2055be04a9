#include "model/staff.hpp"

#include <algorithm>
#include <charconv>
#include <type_traits>

namespace kiosk::model {

namespace {

template <class... Ts> struct Overloaded : Ts... { using Ts::operator()...; };
template <class... Ts> Overloaded(Ts...) -> Overloaded<Ts...>;

std::int64_t to_ms(std::chrono::minutes length) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(length).count();
}

std::string minutes_text(std::chrono::minutes length) {
    auto count = length.count();
    if (count % 60 == 0) {
        auto hours = count / 60;
        return std::to_string(hours) + (hours == 1 ? " hour" : " hours");
    }
    return std::to_string(count) + (count == 1 ? " minute" : " minutes");
}

const char* command_words(DeviceCommand command) {
    switch (command) {
    case DeviceCommand::restart_app:
        return "restart the kiosk app";
    case DeviceCommand::reboot:
        return "restart the device";
    case DeviceCommand::power_off:
        return "power off the device";
    }
    return "unknown command";
}

} // namespace

const char* role_name(StaffRole role) {
    return role == StaffRole::it ? "IT" : "volunteer";
}

const char* staff_screen_name(StaffScreen screen) {
    switch (screen) {
    case StaffScreen::closed:
        return "closed";
    case StaffScreen::pin_pad:
        return "staff-pin";
    case StaffScreen::locked_out:
        return "staff-locked-out";
    case StaffScreen::status:
        return "staff-status";
    case StaffScreen::questionnaires:
        return "staff-questionnaires";
    case StaffScreen::clinics:
        return "staff-clinics";
    case StaffScreen::it:
        return "staff-it";
    case StaffScreen::touch_test:
        return "staff-touch-test";
    case StaffScreen::confirm:
        return "staff-confirm";
    }
    return "unknown";
}

// ------------------------------------------------------------------ lockout

std::chrono::minutes PinLockout::lockout_length(int lockout_number) const {
    std::chrono::minutes length = kFirstLockout;
    for (int i = 1; i < lockout_number && length < kLongestLockout; ++i) {
        length *= 2;
    }
    return std::min<std::chrono::minutes>(length, kLongestLockout);
}

std::optional<std::chrono::minutes> PinLockout::record_wrong(std::int64_t now_ms) {
    ++wrong_in_row_;
    if (wrong_in_row_ < kWrongBeforeLockout) {
        return std::nullopt;
    }
    wrong_in_row_ = 0;
    ++lockouts_;
    auto length = lockout_length(lockouts_);
    locked_until_ms_ = now_ms + to_ms(length);
    return length;
}

void PinLockout::record_right() {
    *this = PinLockout{};
}

void PinLockout::clamp_to_clock(std::int64_t now_ms) {
    if (lockouts_ <= 0) {
        locked_until_ms_ = 0;
        return;
    }
    locked_until_ms_ = std::min(locked_until_ms_, now_ms + to_ms(lockout_length(lockouts_)));
}

std::string PinLockout::to_text() const {
    return std::to_string(wrong_in_row_) + " " + std::to_string(lockouts_) + " " +
           std::to_string(locked_until_ms_);
}

std::optional<PinLockout> PinLockout::from_text(std::string_view text) {
    PinLockout lockout;
    const char* at = text.data();
    const char* end = text.data() + text.size();
    auto read = [&](auto& value) {
        auto [next, error] = std::from_chars(at, end, value);
        if (error != std::errc{}) {
            return false;
        }
        at = next;
        if (at < end && *at == ' ') {
            ++at;
        }
        return true;
    };
    if (!read(lockout.wrong_in_row_) || !read(lockout.lockouts_) ||
        !read(lockout.locked_until_ms_) || at != end) {
        return std::nullopt;
    }
    if (lockout.wrong_in_row_ < 0 || lockout.wrong_in_row_ >= kWrongBeforeLockout ||
        lockout.lockouts_ < 0 || lockout.lockouts_ > 1000 || lockout.locked_until_ms_ < 0) {
        return std::nullopt;
    }
    return lockout;
}

// ------------------------------------------------------------------ staff mode

StaffMode::StaffMode(StaffLimits limits, PinLockout lockout) : limits_(limits), lockout_(lockout) {}

StaffOutcome StaffMode::open(MonotonicTime now, std::int64_t now_ms) {
    StaffOutcome outcome;
    if (is_open()) {
        return outcome;
    }
    last_touch_ = now;
    lockout_.clamp_to_clock(now_ms);
    screen_ = lockout_.locked(now_ms) ? StaffScreen::locked_out : StaffScreen::pin_pad;
    return outcome;
}

void StaffMode::touched(MonotonicTime now) {
    if (is_open()) {
        last_touch_ = now;
    }
}

void StaffMode::forget_pin() {
    std::fill(pin_.begin(), pin_.end(), '\0'); // not left lying in memory after the check
    pin_.clear();
}

void StaffMode::close() {
    forget_pin();
    screen_ = StaffScreen::closed;
    role_.reset();
    wrong_pin_shown_ = false;
    back_to_ = StaffScreen::status;
}

StaffOutcome StaffMode::submit_pin(const PinChecker& check_pin, std::int64_t now_ms) {
    StaffOutcome outcome;
    if (pin_.empty()) {
        return outcome;
    }
    auto role = check_pin(pin_);
    forget_pin();
    outcome.lockout_changed = true;
    if (role) {
        lockout_.record_right();
        role_ = role;
        wrong_pin_shown_ = false;
        screen_ = StaffScreen::status;
        outcome.audit.push_back({role_name(*role), "opened staff mode"});
        return outcome;
    }
    wrong_pin_shown_ = true;
    int in_row = lockout_.wrong_in_row() + 1;
    if (auto length = lockout_.record_wrong(now_ms)) {
        screen_ = StaffScreen::locked_out;
        outcome.audit.push_back({"nobody", "wrong PIN (" + std::to_string(in_row) +
                                               " in a row): staff mode locked for " +
                                               minutes_text(*length)});
    } else {
        outcome.audit.push_back({"nobody", "wrong PIN (" + std::to_string(in_row) + " in a row)"});
    }
    return outcome;
}

StaffOutcome StaffMode::apply(const StaffAction& action, const PinChecker& check_pin,
                              MonotonicTime now, std::int64_t now_ms) {
    StaffOutcome outcome;
    if (!is_open()) {
        return outcome;
    }
    last_touch_ = now;
    const bool signed_in = role_.has_value();
    const bool it = role_ == StaffRole::it;
    auto audit = [&](std::string what) {
        outcome.audit.push_back({role_ ? role_name(*role_) : "nobody", std::move(what)});
    };
    auto leave = [&](StaffOutcome::Do what) {
        outcome.what = what;
        close();
    };
    std::visit(Overloaded{
                   [&](const staff_action::Digit& digit) {
                       if (screen_ == StaffScreen::pin_pad && digit.value >= 0 &&
                           digit.value <= 9 && pin_.size() < kLongestPin) {
                           pin_.push_back(static_cast<char>('0' + digit.value));
                           wrong_pin_shown_ = false;
                       }
                   },
                   [&](const staff_action::DeleteDigit&) {
                       if (screen_ == StaffScreen::pin_pad && !pin_.empty()) {
                           pin_.back() = '\0';
                           pin_.pop_back();
                       }
                   },
                   [&](const staff_action::SubmitPin&) {
                       if (screen_ == StaffScreen::pin_pad) {
                           if (lockout_.locked(now_ms)) {
                               forget_pin();
                               screen_ = StaffScreen::locked_out;
                               return;
                           }
                           outcome = submit_pin(check_pin, now_ms);
                       }
                   },
                   [&](const staff_action::Close&) {
                       if (signed_in) {
                           audit("closed staff mode");
                       }
                       close();
                   },
                   [&](const staff_action::Back&) {
                       if (!signed_in) {
                           return;
                       }
                       if (screen_ == StaffScreen::touch_test || screen_ == StaffScreen::confirm) {
                           screen_ = it ? back_to_ : StaffScreen::status;
                       } else if (screen_ != StaffScreen::status) {
                           screen_ = StaffScreen::status;
                       }
                   },
                   [&](const staff_action::ShowQuestionnaires&) {
                       if (signed_in && limits_.questionnaires > 1) {
                           screen_ = StaffScreen::questionnaires;
                       }
                   },
                   [&](const staff_action::ShowClinics&) {
                       if (signed_in && limits_.clinics > 1) {
                           screen_ = StaffScreen::clinics;
                       }
                   },
                   [&](const staff_action::ShowIt&) {
                       if (it) {
                           screen_ = StaffScreen::it;
                       }
                   },
                   [&](const staff_action::ShowTouchTest&) {
                       if (it) {
                           back_to_ = screen_;
                           screen_ = StaffScreen::touch_test;
                           audit("opened the touch test");
                       }
                   },
                   [&](const staff_action::ResetKiosk&) {
                       if (signed_in) {
                           audit("reset the kiosk to the welcome screen");
                           leave(StaffOutcome::Do::reset_kiosk);
                       }
                   },
                   [&](const staff_action::Pause&) {
                       if (signed_in) {
                           audit("paused the kiosk");
                           leave(StaffOutcome::Do::pause);
                       }
                   },
                   [&](const staff_action::Resume&) {
                       if (signed_in) {
                           audit("resumed the kiosk");
                           leave(StaffOutcome::Do::resume);
                       }
                   },
                   [&](const staff_action::SendNow&) {
                       if (signed_in) {
                           audit("asked to send waiting responses now");
                           outcome.what = StaffOutcome::Do::send_now;
                       }
                   },
                   [&](const staff_action::ChooseQuestionnaire& choice) {
                       if (signed_in && screen_ == StaffScreen::questionnaires &&
                           choice.index < limits_.questionnaires) {
                           outcome.what = StaffOutcome::Do::switch_questionnaire;
                           outcome.index = choice.index;
                           screen_ = StaffScreen::status;
                       }
                   },
                   [&](const staff_action::ChooseClinic& choice) {
                       if (signed_in && screen_ == StaffScreen::clinics &&
                           choice.index < limits_.clinics) {
                           outcome.what = StaffOutcome::Do::switch_clinic;
                           outcome.index = choice.index;
                           screen_ = StaffScreen::status;
                       }
                   },
                   [&](const staff_action::CheckConnection&) {
                       if (it) {
                           audit("checked the connection to the endpoint");
                           outcome.what = StaffOutcome::Do::check_connection;
                       }
                   },
                   [&](const staff_action::RetryRejected&) {
                       if (it) {
                           audit("sent rejected responses again");
                           outcome.what = StaffOutcome::Do::retry_rejected;
                       }
                   },
                   [&](const staff_action::AskCommand& ask) {
                       bool allowed =
                           ask.command == DeviceCommand::restart_app ||
                           (ask.command == DeviceCommand::reboot && limits_.can_reboot) ||
                           (ask.command == DeviceCommand::power_off && limits_.can_power_off);
                       if (it && allowed) {
                           command_ = ask.command;
                           back_to_ = screen_;
                           screen_ = StaffScreen::confirm;
                       }
                   },
                   [&](const staff_action::ConfirmCommand&) {
                       if (it && screen_ == StaffScreen::confirm) {
                           audit(std::string("chose to ") + command_words(command_));
                           outcome.command = command_;
                           leave(StaffOutcome::Do::run_command);
                       }
                   },
               },
               action);
    return outcome;
}

StaffOutcome StaffMode::tick(MonotonicTime now, std::int64_t now_ms) {
    StaffOutcome outcome;
    if (!is_open()) {
        return outcome;
    }
    if (now - last_touch_ >= limits_.leave_after) {
        if (role_) {
            outcome.audit.push_back(
                {role_name(*role_),
                 "staff mode closed by itself after " +
                     std::to_string(
                         std::chrono::duration_cast<std::chrono::seconds>(limits_.leave_after)
                             .count()) +
                     " s without a touch"});
        }
        close();
        return outcome;
    }
    if (screen_ == StaffScreen::locked_out && !lockout_.locked(now_ms)) {
        screen_ = StaffScreen::pin_pad;
        wrong_pin_shown_ = false;
    }
    return outcome;
}

std::optional<MonotonicTime> StaffMode::next_timer() const {
    if (!is_open()) {
        return std::nullopt;
    }
    return last_touch_ + limits_.leave_after;
}

// ------------------------------------------------------------------ the hidden press

bool CornerHold::in_corner(float x, float y, float width, float height) const {
    bool left = corner_ == ScreenCorner::top_left || corner_ == ScreenCorner::bottom_left;
    bool top = corner_ == ScreenCorner::top_left || corner_ == ScreenCorner::top_right;
    bool x_ok = left ? x >= 0 && x < square_ : x >= width - square_ && x <= width;
    bool y_ok = top ? y >= 0 && y < square_ : y >= height - square_ && y <= height;
    return x_ok && y_ok;
}

void CornerHold::press(float x, float y, float width, float height, MonotonicTime now) {
    if (in_corner(x, y, width, height)) {
        pressed_at_ = now;
    } else {
        pressed_at_.reset();
    }
}

void CornerHold::move(float x, float y, float width, float height) {
    if (pressed_at_ && !in_corner(x, y, width, height)) {
        pressed_at_.reset(); // a swipe is not a held press
    }
}

void CornerHold::release() {
    pressed_at_.reset();
}

bool CornerHold::fire(MonotonicTime now) {
    if (pressed_at_ && now - *pressed_at_ >= hold_) {
        pressed_at_.reset();
        return true;
    }
    return false;
}

std::optional<MonotonicTime> CornerHold::next_timer() const {
    if (!pressed_at_) {
        return std::nullopt;
    }
    return *pressed_at_ + hold_;
}

} // namespace kiosk::model
