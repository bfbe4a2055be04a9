#pragma once
// The few building blocks every screen is made of: big buttons, wrapped text, layout boxes.
// Each records what it drew into the FrameRecord so scripts and tests can see the screen
// as a patient does.

#include "ui/frame_record.hpp"
#include "ui/strings.hpp"
#include "ui/text_painter.hpp"
#include "ui/theme.hpp"

#include <imgui.h>

#include <optional>
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
    bool contains(ImVec2 point) const {
        return point.x >= min.x && point.x < max.x && point.y >= min.y && point.y < max.y;
    }
    // A box `amount` pixels inside this one on every side.
    Box inset(float amount) const {
        return {{min.x + amount, min.y + amount}, {max.x - amount, max.y - amount}};
    }
};

struct UiContext {
    const Theme& theme;
    const Metrics& metrics;
    TextPainter& text;
    const Strings& strings;
    FrameRecord& record;
    ImVec2 screen;
    ImDrawList* draw = nullptr;
    std::string language = "en"; // of the words on screen: picks the fonts that draw them
    // Right-to-left layout: every box the widgets place is mirrored left to right, so screens
    // lay out once, in reading order, and Back and Next, options and scales swap sides.
    bool mirrored = false;

    float line_height(TextStyle style) const { return text.line_height(style, language); }
    float text_width(TextStyle style, std::string_view line) const {
        return text.width(style, line, language);
    }
    // `box` where it goes on the screen: itself, or mirrored about the screen's middle.
    Box placed(const Box& box) const {
        if (!mirrored) {
            return box;
        }
        return {{screen.x - box.max.x, box.min.y}, {screen.x - box.min.x, box.max.y}};
    }
};

enum class ButtonStyle {
    primary,   // filled: the way forward (Start, Next, Submit, Continue)
    secondary, // outlined: Back, Start again, No
    option,    // an answer: outlined, filled when chosen
    key,       // a key of the on-screen keyboard
};

struct ButtonLook {
    bool selected = false;                        // an answer already chosen
    bool checkbox = false;                        // draw a tick box (multi-select)
    std::optional<TextStyle> font = std::nullopt; // default: body_bold
    bool record = true; // false for the parts of a composite widget recorded elsewhere
};

// `start` is the side a line of the text begins on: the left for English, the right for Arabic.
enum class Align { start, centre };

// A button filling `box` (placed: mirrored in a right-to-left layout); returns true on the frame
// a tap on it is released. `id` must be unique on the screen; `label` is what is written on it
// (and what scripts tap).
bool big_button(UiContext& ui, const std::string& id, const std::string& label, Box box,
                ButtonStyle style, ButtonLook look = {});

// Lines of `text` wrapped to `width` pixels in `style`, in the context's language.
std::vector<std::string_view> wrap_lines(UiContext& ui, TextStyle style, std::string_view text,
                                         float width);

// Height `text` takes when wrapped to `width`.
float text_height(UiContext& ui, TextStyle style, std::string_view text, float width);

// Draws wrapped text in the box from `top_left`, `width` wide (placed: mirrored in a
// right-to-left layout) and returns the height used. Align::start lines up each line on the
// side its text begins: the right for Arabic or Urdu, whatever the layout.
float draw_text(UiContext& ui, TextStyle style, const std::string& text, ImVec2 top_left,
                float width, Colour colour, Align align = Align::start);

// Draws lines already wrapped, without recording them as screen text (the caller does).
void draw_lines(UiContext& ui, TextStyle style, const std::vector<std::string_view>& lines, Box box,
                Colour colour, Align align);

// Notes a layout problem when `box` is not wholly on the screen.
void check_on_screen(UiContext& ui, const Box& box, const std::string& what);

} // namespace kiosk::ui
