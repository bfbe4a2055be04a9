#pragma once
// The few building blocks every screen is made of: big buttons, wrapped text, layout boxes.
// Each records what it drew into the FrameRecord so scripts and tests can see the screen
// as a patient does.

#include "ui/frame_record.hpp"
#include "ui/strings.hpp"
#include "ui/theme.hpp"

#include <imgui.h>

#include <string>
#include <string_view>
#include <vector>

namespace kiosk::ui {

struct Box {
    ImVec2 min;
    ImVec2 max;
    float width() const { return max.x - min.x; }
    float height() const { return max.y - min.y; }
    ImVec2 centre() const { return {(min.x + max.x) / 2, (min.y + max.y) / 2}; }
    // A box `amount` pixels inside this one on every side.
    Box inset(float amount) const {
        return {{min.x + amount, min.y + amount}, {max.x - amount, max.y - amount}};
    }
};

struct UiContext {
    const Theme& theme;
    const Metrics& metrics;
    const Fonts& fonts;
    const Strings& strings;
    FrameRecord& record;
    ImVec2 screen;
    ImDrawList* draw = nullptr;
};

enum class ButtonStyle {
    primary,   // filled: the way forward (Start, Next, Submit, Continue)
    secondary, // outlined: Back, Start again, No
    option,    // an answer: outlined, filled when chosen
    key,       // a key of the on-screen keyboard
};

struct ButtonLook {
    bool selected = false;  // an answer already chosen
    bool checkbox = false;  // draw a tick box (multi-select)
    ImFont* font = nullptr; // default: body_bold
    bool record = true;     // false for the parts of a composite widget recorded elsewhere
};

enum class Align { left, centre };

// A button filling `box`; returns true on the frame a tap on it is released.
// `id` must be unique on the screen; `label` is what is written on it (and what scripts tap).
bool big_button(UiContext& ui, const std::string& id, const std::string& label, Box box,
                ButtonStyle style, ButtonLook look = {});

// Lines of `text` wrapped to `width` pixels in `font` at its loaded size.
std::vector<std::string_view> wrap_lines(ImFont* font, std::string_view text, float width);

// Height `text` takes when wrapped to `width`.
float text_height(ImFont* font, std::string_view text, float width);

// Draws wrapped text and returns the height used.
float draw_text(UiContext& ui, ImFont* font, const std::string& text, ImVec2 top_left, float width,
                Colour colour, Align align = Align::left);

// Notes a layout problem when `box` is not wholly on the screen.
void check_on_screen(UiContext& ui, const Box& box, const std::string& what);

} // namespace kiosk::ui
