#include "ui/widgets.hpp"

#include <algorithm>

namespace kiosk::ui {

namespace {

void draw_tick(ImDrawList* draw, ImVec2 centre, float size, ImU32 colour, float thickness) {
    ImVec2 points[3] = {
        {centre.x - size * 0.45f, centre.y},
        {centre.x - size * 0.12f, centre.y + size * 0.33f},
        {centre.x + size * 0.48f, centre.y - size * 0.38f},
    };
    draw->AddPolyline(points, 3, colour, 0, thickness);
}

} // namespace

void check_on_screen(UiContext& ui, const Box& box, const std::string& what) {
    constexpr float slack = 0.5f;
    if (box.min.x < -slack || box.min.y < -slack || box.max.x > ui.screen.x + slack ||
        box.max.y > ui.screen.y + slack) {
        ui.record.layout_problems.push_back("'" + what + "' does not fit on the screen");
    }
}

std::vector<std::string_view> wrap_lines(UiContext& ui, TextStyle style, std::string_view text,
                                         float width) {
    return ui.text.wrap(style, text, width, ui.language);
}

float text_height(UiContext& ui, TextStyle style, std::string_view text, float width) {
    return static_cast<float>(wrap_lines(ui, style, text, width).size()) * ui.line_height(style);
}

void draw_lines(UiContext& ui, TextStyle style, const std::vector<std::string_view>& lines, Box box,
                Colour colour, Align align) {
    const float line_height = ui.line_height(style);
    // Lines start on the layout's side, and Arabic or Urdu text (a name in the language list,
    // say) on the right even in a left-to-right layout. Each line of a paragraph takes the
    // paragraph's (its first line's) side, even one that begins with a Latin word.
    const text::TextDirection direction = lines.empty() ? text::TextDirection::left_to_right
                                                        : text::paragraph_direction(lines.front());
    const bool right_aligned = ui.mirrored || direction == text::TextDirection::right_to_left;
    float y = box.min.y;
    for (auto line : lines) {
        float x = box.min.x;
        const float line_width = ui.text.width(style, line, ui.language, direction);
        if (align == Align::centre) {
            x += (box.width() - line_width) / 2;
        } else if (right_aligned) {
            x = box.max.x - line_width;
        }
        ui.text.draw_line(ui.draw, style, line, {x, y}, colour, ui.language, &ui.record.lines,
                          direction);
        y += line_height;
    }
}

float draw_text(UiContext& ui, TextStyle style, const std::string& text, ImVec2 top_left,
                float width, Colour colour, Align align) {
    auto lines = wrap_lines(ui, style, text, width);
    const float height = static_cast<float>(lines.size()) * ui.line_height(style);
    const Box box = ui.placed({top_left, {top_left.x + width, top_left.y + height}});
    draw_lines(ui, style, lines, box, colour, align);
    if (!text.empty()) {
        ui.record.texts.push_back(text);
        check_on_screen(ui, box, text);
    }
    return height;
}

bool big_button(UiContext& ui, const std::string& id, const std::string& label, Box box,
                ButtonStyle style, ButtonLook look) {
    const Theme& theme = ui.theme;
    const Metrics& metrics = ui.metrics;
    box = ui.placed(box);
    ImGui::SetCursorScreenPos(box.min);
    bool clicked = ImGui::InvisibleButton(id.c_str(), {box.width(), box.height()});
    bool pressed = ImGui::IsItemActive() && ImGui::IsItemHovered();

    Colour fill = theme.option;
    Colour border = theme.option_border;
    Colour ink = theme.text;
    switch (style) {
    case ButtonStyle::primary:
        fill = pressed ? theme.primary_pressed : theme.primary;
        border = fill;
        ink = theme.on_primary;
        break;
    case ButtonStyle::secondary:
        fill = pressed ? theme.option_pressed : theme.option;
        border = theme.secondary_text;
        ink = theme.secondary_text;
        break;
    case ButtonStyle::option:
    case ButtonStyle::key:
        if (look.selected) {
            fill = pressed ? theme.primary_pressed : theme.primary;
            border = theme.primary_pressed;
            ink = theme.on_primary;
        } else {
            fill = pressed ? theme.option_pressed : theme.option;
        }
        break;
    }
    ImDrawList* draw = ui.draw;
    draw->AddRectFilled(box.min, box.max, fill.packed(), metrics.rounding);
    draw->AddRect(box.min, box.max, border.packed(), metrics.rounding, 0, metrics.border);

    const TextStyle font = look.font.value_or(TextStyle::body_bold);
    float padding = metrics.mm(3.0f);
    // The tick goes where a line of the label starts: on the right in a right-to-left layout.
    float start = padding;
    float end = padding;
    if (look.checkbox || (style == ButtonStyle::option && look.selected)) {
        // A tick (and for multi-select a box around it), so the choice is not shown by colour
        // alone.
        float size = std::min(metrics.mm(7.0f), box.height() - 2 * padding);
        ImVec2 centre{ui.mirrored ? box.max.x - padding - size / 2 : box.min.x + padding + size / 2,
                      box.centre().y};
        if (look.checkbox) {
            ImVec2 half{size / 2, size / 2};
            draw->AddRectFilled({centre.x - half.x, centre.y - half.y},
                                {centre.x + half.x, centre.y + half.y}, theme.option.packed(),
                                metrics.rounding / 2);
            draw->AddRect({centre.x - half.x, centre.y - half.y},
                          {centre.x + half.x, centre.y + half.y}, theme.option_border.packed(),
                          metrics.rounding / 2, 0, metrics.border);
            if (look.selected) {
                draw_tick(draw, centre, size * 0.8f, theme.primary.packed(), metrics.border * 1.5f);
            }
        } else {
            draw_tick(draw, centre, size, ink.packed(), metrics.border * 1.5f);
        }
        start += size + padding;
        if (!look.checkbox) {
            end += size + padding; // keep the label centred in the button
        }
    }
    const float left = box.min.x + (ui.mirrored ? end : start);
    const float right = box.max.x - (ui.mirrored ? start : end);
    float width = std::max(1.0f, right - left);
    auto lines = wrap_lines(ui, font, label, width);
    float height = static_cast<float>(lines.size()) * ui.line_height(font);
    draw_lines(ui, font, lines, {{left, box.centre().y - height / 2}, {right, box.max.y}}, ink,
               look.checkbox ? Align::start : Align::centre);
    if (height > box.height()) {
        ui.record.layout_problems.push_back("the label '" + label + "' does not fit its button");
    }
    check_on_screen(ui, box, label);
    if (look.record) {
        ui.record.texts.push_back(label);
        ui.record.targets.push_back({label, box.min, box.max});
    }
    return clicked;
}

} // namespace kiosk::ui
