#include "ui/faces.hpp"

#include <algorithm>
#include <cmath>

namespace kiosk::ui {

float face_mood(std::size_t index, std::size_t count) {
    if (count <= 1) {
        return 1.0f;
    }
    return 1.0f - 2.0f * static_cast<float>(index) / static_cast<float>(count - 1);
}

void draw_face(ImDrawList* draw, ImVec2 centre, float radius, float mood, const Theme& theme) {
    const ImU32 ink = theme.face_ink.packed();
    const float line = std::max(2.0f, radius * 0.08f);
    draw->AddCircleFilled(centre, radius, theme.face_fill.packed(), 48);
    draw->AddCircle(centre, radius, ink, 48, line);

    // Eyes: round when content, slanted brows when sad, so mood is not told by the mouth alone.
    float eye_dx = radius * 0.35f;
    float eye_y = centre.y - radius * 0.22f;
    float eye_r = radius * 0.09f;
    draw->AddCircleFilled({centre.x - eye_dx, eye_y}, eye_r, ink, 16);
    draw->AddCircleFilled({centre.x + eye_dx, eye_y}, eye_r, ink, 16);
    if (mood < -0.4f) {
        float brow_y = eye_y - radius * 0.2f;
        float tilt = radius * 0.1f * (-mood);
        draw->AddLine({centre.x - eye_dx - radius * 0.15f, brow_y + tilt},
                      {centre.x - eye_dx + radius * 0.15f, brow_y - tilt}, ink, line);
        draw->AddLine({centre.x + eye_dx - radius * 0.15f, brow_y - tilt},
                      {centre.x + eye_dx + radius * 0.15f, brow_y + tilt}, ink, line);
    }

    // Mouth: a curve through three points; its middle dips for a smile and rises for a frown.
    float mouth_y = centre.y + radius * 0.38f;
    float half_width = radius * (0.35f + 0.1f * std::abs(mood));
    float bend = radius * 0.28f * mood;
    ImVec2 left{centre.x - half_width, mouth_y - bend * 0.5f};
    ImVec2 right{centre.x + half_width, mouth_y - bend * 0.5f};
    ImVec2 middle{centre.x, mouth_y + bend * 0.5f};
    draw->AddBezierQuadratic(left, {middle.x, middle.y + bend * 0.5f}, right, ink, line, 24);
}

bool face_button(UiContext& ui, const std::string& id, const std::string& label, Box box,
                 float mood, bool selected) {
    const Metrics& m = ui.metrics;
    box = ui.placed(box);
    ImGui::SetCursorScreenPos(box.min);
    bool clicked = ImGui::InvisibleButton(id.c_str(), {box.width(), box.height()});
    bool pressed = ImGui::IsItemActive() && ImGui::IsItemHovered();

    Colour fill = pressed ? ui.theme.option_pressed : ui.theme.option;
    Colour border = selected ? ui.theme.primary : ui.theme.option_border;
    ui.draw->AddRectFilled(box.min, box.max, fill.packed(), m.rounding);
    // A chosen face gets a thick frame and a tick, not only a colour.
    ui.draw->AddRect(box.min, box.max, border.packed(), m.rounding, 0,
                     selected ? m.border * 3 : m.border);

    TextStyle font = TextStyle::body_bold;
    float padding = m.mm(2.5f);
    float label_height = text_height(ui, font, label, box.width() - 2 * padding);
    float face_room = box.height() - label_height - 3 * padding;
    float radius = std::max(4.0f, std::min(face_room, box.width() - 2 * padding) / 2);
    ImVec2 centre{box.centre().x, box.min.y + padding + radius};
    draw_face(ui.draw, centre, radius, mood, ui.theme);
    if (selected) {
        float r = m.mm(3.5f);
        ImVec2 c{box.max.x - padding - r, box.min.y + padding + r};
        ui.draw->AddCircleFilled(c, r, ui.theme.primary.packed(), 24);
        ImVec2 tick[3] = {{c.x - r * 0.5f, c.y},
                          {c.x - r * 0.1f, c.y + r * 0.4f},
                          {c.x + r * 0.5f, c.y - r * 0.4f}};
        ui.draw->AddPolyline(tick, 3, ui.theme.on_primary.packed(), 0, m.border);
    }
    auto lines = wrap_lines(ui, font, label, box.width() - 2 * padding);
    float y = box.max.y - padding - label_height;
    draw_lines(ui, font, lines, {{box.min.x + padding, y}, {box.max.x - padding, box.max.y}},
               ui.theme.text, Align::centre);
    check_on_screen(ui, box, label);
    ui.record.texts.push_back(label);
    ui.record.targets.push_back({label, box.min, box.max});
    return clicked;
}

} // namespace kiosk::ui
