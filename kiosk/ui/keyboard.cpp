#include "ui/keyboard.hpp"

#include <algorithm>
#include <cctype>

namespace kiosk::ui {

namespace {

const char* const kLetterRows[] = {"qwertyuiop", "asdfghjkl'", "zxcvbnm,.?"};
const char* const kNumberRows[] = {"1234567890", "-/:;()&@\"!", "%+=*#_,.?'"};

bool starts_sentence(const std::string& text) {
    auto last = text.find_last_not_of(' ');
    if (last == std::string::npos) {
        return true;
    }
    char c = text[last];
    return (c == '.' || c == '!' || c == '?') && last + 1 < text.size();
}

} // namespace

std::vector<model::Action> draw_keyboard(UiContext& ui, Box box, KeyboardState& state,
                                         const std::string& text_so_far) {
    std::vector<model::Action> actions;
    const Metrics& m = ui.metrics;
    const float key_height = (box.height() - (kKeyboardRows - 1) * m.gap) / kKeyboardRows;
    const float key_width = (box.width() - 9 * m.gap) / 10;
    if (key_height + 0.5f < m.target || key_width + 0.5f < m.target) {
        ui.record.layout_problems.push_back("the keyboard's keys are smaller than 15 mm");
    }
    bool capital = state.shift || starts_sentence(text_so_far);
    const char* const* rows = state.numbers ? kNumberRows : kLetterRows;

    for (int row = 0; row < 3; ++row) {
        std::string keys = rows[row];
        float y = box.min.y + row * (key_height + m.gap);
        for (std::size_t i = 0; i < keys.size(); ++i) {
            char c = keys[i];
            if (capital && std::isalpha(static_cast<unsigned char>(c))) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            std::string label(1, c);
            float x = box.min.x + static_cast<float>(i) * (key_width + m.gap);
            if (big_button(ui, "key" + std::to_string(row) + "_" + std::to_string(i), label,
                           {{x, y}, {x + key_width, y + key_height}}, ButtonStyle::key,
                           {.font = TextStyle::question})) {
                actions.push_back(model::action::TypeText{label});
                state.shift = false;
            }
        }
    }

    // Bottom row: Shift, 123/ABC, Space (wide), Delete (wide).
    float y = box.min.y + 3 * (key_height + m.gap);
    auto span = [&](int first, int count) {
        float x0 = box.min.x + static_cast<float>(first) * (key_width + m.gap);
        float x1 =
            x0 + static_cast<float>(count) * key_width + static_cast<float>(count - 1) * m.gap;
        return Box{{x0, y}, {x1, y + key_height}};
    };
    if (!state.numbers) {
        if (big_button(ui, "key_shift", ui.strings.get("keyboard.shift"), span(0, 2),
                       ButtonStyle::key, {.selected = state.shift})) {
            state.shift = !state.shift;
        }
    }
    if (big_button(ui, "key_mode",
                   ui.strings.get(state.numbers ? "keyboard.letters" : "keyboard.numbers"),
                   span(2, 1), ButtonStyle::key)) {
        state.numbers = !state.numbers;
        state.shift = false;
    }
    if (big_button(ui, "key_space", ui.strings.get("keyboard.space"), span(3, 4),
                   ButtonStyle::key)) {
        actions.push_back(model::action::TypeText{" "});
    }
    if (big_button(ui, "key_delete", ui.strings.get("keyboard.delete"), span(7, 3),
                   ButtonStyle::key)) {
        actions.push_back(model::action::DeleteCharacter{});
    }
    return actions;
}

} // namespace kiosk::ui
