#pragma once
// The staff screens (PIN pad, status, choosers, IT details, touch test) and the paused screen
// patients see. Like the patient screens they read state and return the actions tapped.
// Staff screens are in English: they are for the trust's own staff.

#include "model/kiosk_health.hpp"
#include "model/staff.hpp"
#include "ui/widgets.hpp"

#include <string>
#include <utility>
#include <vector>

namespace kiosk::ui {

// A line on the status screens: "Waiting to send" - "3 (oldest 12 min ago)".
struct StaffFact {
    std::string label;
    std::string value;
};

// What the staff screens show, gathered by the app.
struct StaffView {
    const model::StaffMode* staff = nullptr;
    model::Assessment assessment;
    std::string help;                  // who to call when something is wrong
    std::vector<StaffFact> facts;      // for everyone
    std::vector<StaffFact> it_facts;   // for IT
    std::vector<std::string> rejected; // "id 12: 422 the questionnaire is unknown", a few
    std::int64_t rejected_count = 0;
    std::vector<std::string> questionnaires; // titles, in the settings' order
    // What each is for ("for children, with faces"): titles alone may say little to staff.
    std::vector<std::string> questionnaire_descriptions;
    std::size_t active_questionnaire = 0;
    std::vector<std::string> clinics;
    std::size_t active_clinic = 0;
    bool paused = false;
    std::string lockout_ends;     // "14:32", when locked out
    std::string notice;           // the outcome of the last action, e.g. "3 responses will be sent"
    std::string command_question; // "Restart the kiosk app?" on the confirm screen
    std::string command_yes;      // "Yes, restart"
    const std::vector<std::vector<ImVec2>>* strokes = nullptr; // touch test: the lines drawn
};

std::vector<model::StaffAction> draw_staff_screen(UiContext& ui, const StaffView& view);

// "This kiosk is not in use right now": no buttons, nothing to tap.
void draw_paused_screen(UiContext& ui, const std::string& service);

} // namespace kiosk::ui
