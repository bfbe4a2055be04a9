#pragma once
// Headless scripts: a patient's taps written down, one step a line, run against the real
// screens with the SDL dummy video driver, a software renderer and a simulated clock.
//
//   tap "Label"          tap the button showing exactly that text
//   tap X Y              tap at pixel X, Y
//   hold X Y 3s          press at pixel X, Y, keep the finger there while time passes, let go
//   drag X1 Y1 X2 Y2     press at X1, Y1, slide to X2, Y2, let go
//   type "text"          tap the on-screen keyboard's keys for each character
//   wait 30s             let time pass (units: ms, s, m)
//   clock "2026-11-30 17:59"  set the wall clock to this local time (opening hours)
//   screenshot NAME      save NAME.png in the screenshots folder (when one is given)
//   expect screen NAME   welcome, question, start-over, still-there, saving,
//                        could-not-save, thank-you, out-of-service, paused, or a staff
//                        screen: staff-pin, staff-locked-out, staff-status,
//                        staff-questionnaires, staff-clinics, staff-it,
//                        staff-touch-test, staff-confirm
//   expect text "..."    some text on screen contains this
//   expect no text "..." no text on screen contains this
//   expect stored N      the outbox holds N responses
//   expect spoken "..."  the last words read aloud contain this, and were made into sound
//   # a comment; blank lines are ignored
//
// See docs/headless-scripts.md.

#include "model/problem.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::app {

struct ScriptStep {
    enum class Kind {
        tap_label,
        tap_point,
        hold,
        drag,
        set_clock,
        type_text,
        wait,
        screenshot,
        expect_screen,
        expect_text,
        expect_no_text,
        expect_stored,
        expect_spoken
    };
    Kind kind = Kind::wait;
    int line = 0;
    std::string text;                             // label, text, screen or screenshot name
    float x = 0, y = 0;                           // tap_point, hold, drag (from)
    float x2 = 0, y2 = 0;                         // drag (to)
    std::chrono::milliseconds duration{0};        // wait, hold
    std::chrono::system_clock::time_point wall{}; // set_clock
    long long count = 0;                          // expect_stored
};

struct ScriptParse {
    std::vector<ScriptStep> steps;
    model::Problems problems;
};

ScriptParse parse_script(const std::string& text, const std::string& source_name);
ScriptParse load_script_file(const std::string& path);

} // namespace kiosk::app
