#pragma once
// The on-screen keyboard for free-text answers: letters, then numbers and punctuation behind
// one key, Space and Delete. Big keys (15 mm) so no patient needs a physical keyboard.

#include "model/session.hpp"
#include "ui/widgets.hpp"

#include <vector>

namespace kiosk::ui {

struct KeyboardState {
    bool shift = false;   // the next letter is a capital (then it turns itself off)
    bool numbers = false; // numbers and punctuation instead of letters
};

// Rows the keyboard needs; its height is rows * target + (rows - 1) * gap.
inline constexpr int kKeyboardRows = 4;

// Draws the keyboard in `box` and returns what was typed. `text_so_far` decides the automatic
// capital at the start of an answer and after a full stop.
std::vector<model::Action> draw_keyboard(UiContext& ui, Box box, KeyboardState& state,
                                         const std::string& text_so_far);

} // namespace kiosk::ui
