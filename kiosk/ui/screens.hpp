#pragma once
// Every screen a patient sees. Screens read the session's state and return the actions a tap
// asked for; they change nothing themselves.

#include "model/session.hpp"
#include "ui/keyboard.hpp"
#include "ui/widgets.hpp"

#include <string>
#include <vector>

namespace kiosk::ui {

struct ScreenInput {
    const model::Session* session = nullptr; // null: out of service
    std::string service;                     // "Cancer outpatients"
    std::string site;                        // "Main Hospital"
    std::string out_of_service_reason;       // short words for staff, when out of service
};

// State that belongs to the screens rather than the patient's answers.
struct ScreenState {
    KeyboardState keyboard;
    std::string keyboard_for; // linkId the keyboard state belongs to
};

// Draws the current screen into the whole display and returns the actions tapped.
std::vector<model::Action> draw_screen(UiContext& ui, const ScreenInput& input, ScreenState& state);

} // namespace kiosk::ui
