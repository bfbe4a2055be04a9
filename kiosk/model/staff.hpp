#pragma once
// Staff mode: how volunteers and IT staff get past the patient screens, and what they may do
// there, as a state machine that knows nothing of screens, storage or how a PIN is hashed.
//
//   (held press in the corner) ─► pin_pad ─right PIN─► status ─► questionnaires | clinics
//                                   │  ▲                   │        (volunteer and IT)
//                    5 wrong in a row│  │lockout over       └─► it (IT only) ─► touch_test
//                                   ▼  │                                   └─► confirm (restart,
//                                 locked_out                                  reboot, power off)
//
// Any screen closes by itself after `leave_after` without a touch, and Close or Cancel closes it
// at once; closing forgets the role and the digits typed. Every action that needs a role is
// ignored without one, so no staff screen can be reached by tapping around the PIN pad.
//
// Times: `MonotonicTime` for the idle close; Unix milliseconds of the wall clock for the PIN
// lockout, which must outlast a restart and so is stored (see PinLockout::to_text).

#include "model/session.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kiosk::model {

enum class StaffRole { volunteer, it };

// "volunteer" or "IT": as recorded in the audit table and shown on the screen.
const char* role_name(StaffRole role);

// Wrong PINs: five in a row lock the pad for a minute, and each further lockout (five more wrong
// PINs after the last one ended) doubles it, up to a day. A right PIN starts the count afresh.
// Guessing a 4-digit PIN this way takes years, while a volunteer who mistypes loses a minute.
class PinLockout {
public:
    static constexpr int kWrongBeforeLockout = 5;
    static constexpr std::chrono::minutes kFirstLockout{1};
    static constexpr std::chrono::hours kLongestLockout{24};

    bool locked(std::int64_t now_ms) const { return now_ms < locked_until_ms_; }
    std::int64_t locked_until_ms() const { return locked_until_ms_; }
    int wrong_in_row() const { return wrong_in_row_; }
    int lockouts() const { return lockouts_; }

    // A wrong PIN at now_ms. Returns the length of the lockout it started, if it started one.
    std::optional<std::chrono::minutes> record_wrong(std::int64_t now_ms);
    void record_right();

    // A clock set back must not turn a one-minute lockout into one of hours: a lockout never
    // ends later than its own length after now.
    void clamp_to_clock(std::int64_t now_ms);

    // Stored as "wrong_in_row lockouts locked_until_ms"; from_text refuses anything else.
    std::string to_text() const;
    static std::optional<PinLockout> from_text(std::string_view text);

    bool operator==(const PinLockout&) const = default;

private:
    std::chrono::minutes lockout_length(int lockout_number) const;

    int wrong_in_row_ = 0;
    int lockouts_ = 0; // lockouts since the last right PIN
    std::int64_t locked_until_ms_ = 0;
};

enum class StaffScreen {
    closed,         // the patient screens (or the paused screen) show
    pin_pad,        // enter a PIN
    locked_out,     // too many wrong PINs: nothing to enter until the lockout ends
    status,         // how the kiosk is, and what a volunteer can do
    questionnaires, // choose today's questionnaire
    clinics,        // choose today's clinic
    it,             // IT's details and actions
    touch_test,     // draw where you touch (IT)
    confirm,        // "Restart the kiosk app?" and the like (IT)
};

// "staff-pin", "staff-locked-out", "staff-status", ...: the names headless scripts expect.
const char* staff_screen_name(StaffScreen screen);

// What a command needing confirmation is.
enum class DeviceCommand { restart_app, reboot, power_off };

namespace staff_action {
struct Digit {
    int value = 0;
};
struct DeleteDigit {};
struct SubmitPin {};
struct Close {}; // Close, Cancel, Done: back to the patient screens
struct Back {};  // from a chooser, the IT screen or the touch test to where it was opened from
struct ShowQuestionnaires {};
struct ShowClinics {};
struct ShowIt {};
struct ShowTouchTest {};
struct ResetKiosk {};
struct Pause {};
struct Resume {};
struct SendNow {};
struct ChooseQuestionnaire {
    std::size_t index = 0;
};
struct ChooseClinic {
    std::size_t index = 0;
};
struct CheckConnection {};
struct RetryRejected {};
struct AskCommand {
    DeviceCommand command = DeviceCommand::restart_app;
};
struct ConfirmCommand {};
} // namespace staff_action

using StaffAction = std::variant<
    staff_action::Digit, staff_action::DeleteDigit, staff_action::SubmitPin, staff_action::Close,
    staff_action::Back, staff_action::ShowQuestionnaires, staff_action::ShowClinics,
    staff_action::ShowIt, staff_action::ShowTouchTest, staff_action::ResetKiosk,
    staff_action::Pause, staff_action::Resume, staff_action::SendNow,
    staff_action::ChooseQuestionnaire, staff_action::ChooseClinic, staff_action::CheckConnection,
    staff_action::RetryRejected, staff_action::AskCommand, staff_action::ConfirmCommand>;

// What the app must do after an action or a tick. The state machine decides who may do what;
// the app does it and records `audit` (never a PIN) in the audit table.
struct StaffOutcome {
    enum class Do {
        nothing,
        reset_kiosk, // discard the patient's answers and show the welcome screen
        pause,
        resume,
        send_now,
        switch_questionnaire, // to `index` in the settings' list
        switch_clinic,        // to `index` in the settings' list
        check_connection,
        retry_rejected,
        run_command, // `command`, confirmed
    };
    Do what = Do::nothing;
    std::size_t index = 0;
    DeviceCommand command = DeviceCommand::restart_app;
    bool lockout_changed = false; // store lockout() so it survives a restart
    struct AuditEntry {
        std::string role; // "volunteer", "IT", or "nobody" before a right PIN
        std::string action;
    };
    std::vector<AuditEntry> audit;
};

// Decides which role a PIN belongs to, if any. The app hashes and compares; the state machine
// never keeps the PIN after asking.
using PinChecker = std::function<std::optional<StaffRole>(std::string_view pin)>;

struct StaffLimits {
    std::chrono::milliseconds leave_after{std::chrono::seconds(60)};
    std::size_t questionnaires = 0; // how many the settings list (to check indexes)
    std::size_t clinics = 0;
    bool can_reboot = false;    // a reboot command is configured
    bool can_power_off = false; // a power-off command is configured
};

class StaffMode {
public:
    static constexpr std::size_t kLongestPin = 8;

    explicit StaffMode(StaffLimits limits, PinLockout lockout = {});

    // The hidden gesture was made: show the PIN pad (or the lockout).
    StaffOutcome open(MonotonicTime now, std::int64_t now_ms);

    StaffOutcome apply(const StaffAction& action, const PinChecker& check_pin, MonotonicTime now,
                       std::int64_t now_ms);

    // A touch anywhere on a staff screen: staff are still there.
    void touched(MonotonicTime now);

    // Closes staff mode after `leave_after` without a touch, and ends a lockout shown on screen.
    StaffOutcome tick(MonotonicTime now, std::int64_t now_ms);
    std::optional<MonotonicTime> next_timer() const;

    bool is_open() const { return screen_ != StaffScreen::closed; }
    StaffScreen screen() const { return screen_; }
    std::optional<StaffRole> role() const { return role_; }
    std::size_t digits_entered() const { return pin_.size(); } // never the digits themselves
    bool wrong_pin_shown() const { return wrong_pin_shown_; }
    const PinLockout& lockout() const { return lockout_; }
    DeviceCommand command_to_confirm() const { return command_; }
    const StaffLimits& limits() const { return limits_; }

private:
    void close();
    void forget_pin();
    StaffOutcome submit_pin(const PinChecker& check_pin, std::int64_t now_ms);

    StaffLimits limits_;
    PinLockout lockout_;
    StaffScreen screen_ = StaffScreen::closed;
    StaffScreen back_to_ = StaffScreen::status; // where Back goes from the touch test and confirm
    std::optional<StaffRole> role_;
    std::string pin_;
    bool wrong_pin_shown_ = false;
    DeviceCommand command_ = DeviceCommand::restart_app;
    MonotonicTime last_touch_{};
};

// The hidden way in: a press held still for `hold` in one corner of the screen. A patient's tap
// is short; a patient resting a finger on the screen rarely does so in the outermost corner
// square, and a press that moves out of the square, or is let go early, does nothing.
enum class ScreenCorner { top_left, top_right, bottom_left, bottom_right };

class CornerHold {
public:
    CornerHold(ScreenCorner corner, float square, std::chrono::milliseconds hold)
        : corner_(corner), square_(square), hold_(hold) {}
    ScreenCorner corner() const { return corner_; }
    float square() const { return square_; } // its side, in pixels

    // `width` and `height` are the screen's size in pixels.
    void press(float x, float y, float width, float height, MonotonicTime now);
    void move(float x, float y, float width, float height);
    void release();

    // True once, when the press has been held long enough.
    bool fire(MonotonicTime now);
    std::optional<MonotonicTime> next_timer() const;

    bool in_corner(float x, float y, float width, float height) const;

private:
    ScreenCorner corner_;
    float square_;
    std::chrono::milliseconds hold_;
    std::optional<MonotonicTime> pressed_at_;
};

} // namespace kiosk::model
