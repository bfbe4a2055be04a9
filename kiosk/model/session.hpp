#pragma once
// One patient's way through a questionnaire, as a state machine that knows nothing of screens
// or storage. The UI reads its state and sends it actions; the app saves what it submits.
//
//   welcome ─Start─► question ─Submit─► saving ─saved─► thank_you ─(time)─► welcome
//                     │   ▲                 └─failed─► could_not_save ─TryAgain─► saving
//            (idle)   ▼   │ Continue                 (idle: the app keeps the built response
//                  still_there ─(time)─► welcome      and retries saving it; answers discarded)
//
// On welcome a patient may also open the list of languages (choose_language) and pick one; the
// language, large text and high contrast they choose last until their session ends: thank-you
// running out, the idle reset, a staff reset, or nobody touching the welcome screen for the idle
// timeout (so the next patient starts in the device's own language).
//
// Time is passed in by the caller so that tests and headless runs can use a simulated clock.

#include "model/answers.hpp"
#include "model/enable_when.hpp"
#include "model/questionnaire.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace kiosk::model {

using MonotonicTime = std::chrono::steady_clock::time_point;

struct SessionTimings {
    std::chrono::milliseconds idle_timeout{
        std::chrono::seconds(90)}; // quiet time before the warning
    std::chrono::milliseconds idle_warning{std::chrono::seconds(30)}; // the warning's countdown
    std::chrono::milliseconds thank_you{std::chrono::seconds(10)};    // thank-you before welcome
};

enum class Screen {
    welcome,
    question,
    start_over,     // "Start again? Your answers will be cleared."
    still_there,    // "Are you still there?" with a countdown
    saving,         // between Submit and the outbox's answer; never drawn for long
    could_not_save, // the outbox refused the response; answers are kept for another try
    thank_you,
    choose_language, // the languages the device offers, each in its own name
};

const char* screen_name(Screen screen); // "welcome", "question", "start-over", ...

// What a patient can do. Each is a tap on something the UI drew.
namespace action {
struct Start {};
struct ChooseOption {
    std::size_t index = 0;
}; // choice: select (or toggle, when multi-select)
struct ChooseBoolean {
    bool value = false;
};
struct ChooseInteger {
    std::int64_t value = 0;
};
struct TypeText {
    std::string text;
};                         // UTF-8, appended to a string/text answer
struct DeleteCharacter {}; // removes the last character typed
struct Next {};
struct Back {};
struct Submit {};
struct StartOver {};        // asks to clear the answers
struct ConfirmStartOver {}; // yes, clear them
struct CancelStartOver {};  // no, go back to the question
struct Continue {};         // "I am still here"
struct TryAgain {};         // save again after a failure
struct Touch {};            // a touch anywhere: the patient is still there
struct ShowLanguages {};    // welcome: open the list of languages
struct ChooseLanguage {
    std::string tag;       // BCP 47, one the device offers
};                         // welcome or choose_language: use it, show welcome
struct CloseLanguages {};  // choose_language: keep the language, back to welcome
struct ToggleLargeText {}; // any patient screen
struct ToggleHighContrast {};
struct ReadAloud {
}; // any patient screen: the app reads the screen out; the session only sees a touch
} // namespace action

using Action =
    std::variant<action::Start, action::ChooseOption, action::ChooseBoolean, action::ChooseInteger,
                 action::TypeText, action::DeleteCharacter, action::Next, action::Back,
                 action::Submit, action::StartOver, action::ConfirmStartOver,
                 action::CancelStartOver, action::Continue, action::TryAgain, action::Touch,
                 action::ShowLanguages, action::ChooseLanguage, action::CloseLanguages,
                 action::ToggleLargeText, action::ToggleHighContrast, action::ReadAloud>;

// What the session asks of the app after an action.
enum class Effect {
    none,
    save_response, // the questionnaire is complete: save submitted_answers(), then call saved()
};

class Session {
public:
    // `language` is the device's own: every session starts in it.
    Session(const Questionnaire& questionnaire, SessionTimings timings, std::string language);
    // The session keeps pointers into the questionnaire: it must outlive the session.
    Session(Questionnaire&&, SessionTimings, std::string) = delete;

    Effect apply(const Action& action, MonotonicTime now);

    // Moves timers on (idle warning, reset, thank-you). Call at or after next_timer().
    void tick(MonotonicTime now);

    // When tick() next needs calling, so the caller can sleep until then; also the moments the
    // idle countdown's number changes. Empty when nothing is timed (the welcome screen).
    std::optional<MonotonicTime> next_timer(MonotonicTime now) const;

    // The app reports the outcome of save_response.
    void saved(MonotonicTime now);
    void save_failed(std::string reason, MonotonicTime now);

    // Discards everything, the patient's language and display choices too, and shows the welcome
    // screen (staff reset, a new questionnaire, the idle reset).
    void reset();

    // --- state for the screens ---
    Screen screen() const { return screen_; }
    const Questionnaire& questionnaire() const { return questionnaire_; }
    const std::string& language() const { return language_; } // the patient's, else the device's
    const std::string& device_language() const { return device_language_; }
    bool large_text() const { return large_text_; }
    bool high_contrast() const { return high_contrast_; }
    // A language other than the device's, or large text or high contrast, is in use.
    bool has_patient_choices() const;
    const Answers& answers() const { return answers_; }
    const Item* current_item() const; // on question, start_over, still_there, could_not_save
    const std::vector<const Item*>& current_groups() const; // groups around the current item
    std::vector<AnswerValue> current_answers() const;
    std::size_t position() const; // 1-based place of the current item among enabled items
    std::size_t total() const;    // enabled items now (may change as answers change)
    bool is_last() const;         // no enabled item after the current one
    bool can_go_back() const;
    bool needs_answer_hint() const { return needs_answer_hint_; } // Next on an unanswered required
    int seconds_left() const { return seconds_left_; }            // the still_there countdown
    const std::string& save_problem() const { return save_problem_; }

    // Answers to enabled questions only: what goes into the response.
    Answers submitted_answers() const;
    const EnableRules& rules() const { return rules_; }

private:
    bool is_enabled(std::size_t page) const;
    std::optional<std::size_t> next_enabled(std::size_t from) const;
    std::optional<std::size_t> previous_enabled(std::size_t from) const;
    bool current_answered() const;
    bool all_required_answered() const;
    void go_next(MonotonicTime now);
    void clear_answers();
    Effect try_submit(MonotonicTime now);
    bool is_patient_screen() const;
    bool is_welcome_screen() const; // welcome or choose_language: nothing answered yet
    void forget_patient_choices();

    const Questionnaire& questionnaire_;
    SessionTimings timings_;
    std::string device_language_;
    std::string language_;
    bool large_text_ = false;
    bool high_contrast_ = false;
    EnableRules rules_;
    std::vector<FlatItem> flat_;     // groups, displays and questions in order
    std::vector<std::size_t> pages_; // indexes into flat_ of items shown on a screen of their own

    Screen screen_ = Screen::welcome;
    Screen screen_before_warning_ = Screen::question;
    std::size_t page_ = 0; // index into pages_
    Answers answers_;
    bool needs_answer_hint_ = false;
    MonotonicTime last_activity_{};
    MonotonicTime warning_ends_{};
    MonotonicTime thank_you_ends_{};
    int seconds_left_ = 0;
    std::string save_problem_;
};

} // namespace kiosk::model
