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

std::vector<std::string_view> wrap_lines(ImFont* font, std::string_view text, float width) {
    std::vector<std::string_view> lines;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    while (begin < end) {
        const char* newline = std::find(begin, end, '\n');
        const char* line_end =
            font->CalcWordWrapPositionA(1.0f, begin, newline, std::max(width, 1.0f));
        if (line_end == begin) {
            line_end = begin + 1; // a single glyph wider than the box: still make progress
        }
        const char* trimmed = line_end;
        while (trimmed > begin && (trimmed[-1] == ' ')) {
            --trimmed;
        }
        lines.emplace_back(begin, static_cast<std::size_t>(trimmed - begin));
        begin = line_end;
        while (begin < newline && *begin == ' ') {
            ++begin;
        }
        if (begin == newline && newline < end) {
            ++begin; // step over the explicit line break
        }
    }
    if (lines.empty()) {
        lines.emplace_back();
    }
    return lines;
}

float text_height(ImFont* font, std::string_view text, float width) {
    return static_cast<float>(wrap_lines(font, text, width).size()) * font->FontSize;
}

float draw_text(UiContext& ui, ImFont* font, const std::string& text, ImVec2 top_left, float width,
                Colour colour, Align align) {
    auto lines = wrap_lines(font, text, width);
    float y = top_left.y;
    for (auto line : lines) {
        float x = top_left.x;
        if (align == Align::centre) {
            float line_width = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, line.data(),
                                                   line.data() + line.size())
                                   .x;
            x += (width - line_width) / 2;
        }
        ui.draw->AddText(font, font->FontSize, {x, y}, colour.packed(), line.data(),
                         line.data() + line.size());
        y += font->FontSize;
    }
    float height = y - top_left.y;
    if (!text.empty()) {
        ui.record.texts.push_back(text);
        check_on_screen(ui, {top_left, {top_left.x + width, top_left.y + height}}, text);
    }
    return height;
}

bool big_button(UiContext& ui, const std::string& id, const std::string& label, Box box,
                ButtonStyle style, ButtonLook look) {
    const Theme& theme = ui.theme;
    const Metrics& metrics = ui.metrics;
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

    ImFont* font = look.font != nullptr ? look.font : ui.fonts.body_bold;
    float padding = metrics.mm(3.0f);
    float left = box.min.x + padding;
    float right = box.max.x - padding;
    if (look.checkbox || (style == ButtonStyle::option && look.selected)) {
        // A tick (and for multi-select a box around it), so the choice is not shown by colour
        // alone.
        float size = std::min(metrics.mm(7.0f), box.height() - 2 * padding);
        ImVec2 centre{box.min.x + padding + size / 2, box.centre().y};
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
        left += size + padding;
        if (!look.checkbox) {
            right -= size + padding; // keep the label centred in the button
        }
    }
    float width = std::max(1.0f, right - left);
    float height = text_height(font, label, width);
    ImVec2 text_at{left, box.centre().y - height / 2};
    auto lines = wrap_lines(font, label, width);
    for (auto line : lines) {
        float line_width =
            font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, line.data(), line.data() + line.size())
                .x;
        float x = look.checkbox ? left : left + (width - line_width) / 2;
        draw->AddText(font, font->FontSize, {x, text_at.y}, ink.packed(), line.data(),
                      line.data() + line.size());
        text_at.y += font->FontSize;
    }
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
