#pragma once
// Every screen a patient sees. Screens read the session's state and return the actions a tap
// asked for; they change nothing themselves.

#include "model/session.hpp"
#include "ui/keyboard.hpp"
#include "ui/widgets.hpp"

#include <string>
#include <vector>

namespace kiosk::ui {

// A language the device offers, named in its own words and script ("Cymraeg", "العربية").
struct LanguageOption {
    std::string tag; // BCP 47, as in the settings
    std::string name;
};

struct ScreenInput {
    const model::Session* session = nullptr; // null: out of service
    std::string service;                     // "Cancer outpatients"
    std::string site;                        // "Main Hospital"
    std::string out_of_service_reason;       // short words for staff, when out of service
    std::vector<LanguageOption> languages;   // offered, in the settings' order; one: no choice
    bool can_read_aloud = false;             // a voice for the session's language, sound on
    bool reading_aloud = false;              // speech is playing now
    // Where a held press opens staff mode, on the screen; the patient's tools keep clear of it
    // so that resting a finger on one never opens the PIN pad. Empty: no staff mode.
    Box staff_corner{};
};

// Up to this many languages are offered as buttons on the welcome screen itself; more open a
// screen of their own from one button there.
inline constexpr std::size_t kLanguagesOnWelcome = 4;

// State that belongs to the screens rather than the patient's answers.
struct ScreenState {
    KeyboardState keyboard;
    std::string keyboard_for; // linkId the keyboard state belongs to
    bool typing = false;      // the keyboard is open for that question
};

// Draws the current screen into the whole display and returns the actions tapped.
std::vector<model::Action> draw_screen(UiContext& ui, const ScreenInput& input, ScreenState& state);

// What the speaker button reads out on the current screen: the question and its answers, or the
// message, in the words the screen shows. Empty out of service.
std::string words_to_read(const ScreenInput& input, const Strings& strings);

} // namespace kiosk::ui
