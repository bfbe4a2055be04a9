#include "ui/patient_tools.hpp"

#include "ui/screens.hpp"

#include <cmath>

namespace kiosk::ui {

namespace {

constexpr float kPi = 3.14159265f;

float tool_size(const Metrics& m) {
    return std::max(m.target, m.mm(17));
}

// A square button with a picture; the picture is drawn by `icon` in the ink colour.
template <typename Icon>
bool icon_button(UiContext& ui, const char* id, const std::string& label, Box box, bool on,
                 Icon&& icon) {
    box = ui.placed(box);
    ImGui::SetCursorScreenPos(box.min);
    const bool clicked = ImGui::InvisibleButton(id, {box.width(), box.height()});
    const bool pressed = ImGui::IsItemActive() && ImGui::IsItemHovered();
    const Theme& t = ui.theme;
    Colour fill =
        on ? (pressed ? t.primary_pressed : t.primary) : (pressed ? t.option_pressed : t.option);
    Colour border = on ? t.primary_pressed : t.option_border;
    Colour ink = on ? t.on_primary : t.text;
    ui.draw->AddRectFilled(box.min, box.max, fill.packed(), ui.metrics.rounding);
    ui.draw->AddRect(box.min, box.max, border.packed(), ui.metrics.rounding, 0, ui.metrics.border);
    icon(box.inset(box.width() * 0.2f), ink);
    check_on_screen(ui, box, label);
    ui.record.targets.push_back({label, box.min, box.max});
    return clicked;
}

} // namespace

float patient_tools_height(const Metrics& metrics) {
    return tool_size(metrics);
}

namespace {

// How far in from the area's edge the tools start: past the staff corner when it is on their
// side (in layout coordinates, before mirroring).
float corner_clearance(const UiContext& ui, const ScreenInput& input, const Box& area) {
    const Box corner = ui.placed(input.staff_corner); // mirroring is its own inverse
    const float size = tool_size(ui.metrics);
    if (corner.width() <= 0 || corner.min.y >= area.min.y + size ||
        corner.max.x <= area.max.x - size) {
        return 0;
    }
    return std::max(0.0f, area.max.x - corner.min.x) + ui.metrics.gap;
}

} // namespace

float patient_tools_width(const UiContext& ui, const ScreenInput& input, const Box& area) {
    const float size = tool_size(ui.metrics);
    const float count = input.can_read_aloud ? 3.0f : 2.0f;
    return corner_clearance(ui, input, area) + count * size + (count - 1) * ui.metrics.gap * 1.5f +
           ui.metrics.mm(4);
}

void patient_tools(UiContext& ui, const ScreenInput& input, const Box& area,
                   std::vector<model::Action>& actions) {
    if (input.session == nullptr) {
        return;
    }
    const model::Session& session = *input.session;
    const Metrics& m = ui.metrics;
    const float size = tool_size(m);
    const float thick = std::max(2.0f, m.mm(0.7f));
    float x = area.max.x - corner_clearance(ui, input, area) - size;
    auto next_box = [&] {
        Box box{{x, area.min.y}, {x + size, area.min.y + size}};
        x -= size + m.gap * 1.5f;
        return box;
    };

    if (input.can_read_aloud) {
        // A loudspeaker with two sound waves.
        if (icon_button(ui, "read_aloud", ui.strings.get("tools.read_aloud"), next_box(),
                        input.reading_aloud, [&](Box b, Colour ink) {
                            const float h = b.height();
                            const ImVec2 o = b.min;
                            ImVec2 speaker[] = {{o.x, o.y + h * 0.35f},
                                                {o.x + h * 0.22f, o.y + h * 0.35f},
                                                {o.x + h * 0.48f, o.y + h * 0.1f},
                                                {o.x + h * 0.48f, o.y + h * 0.9f},
                                                {o.x + h * 0.22f, o.y + h * 0.65f},
                                                {o.x, o.y + h * 0.65f}};
                            ui.draw->AddConvexPolyFilled(speaker, 6, ink.packed());
                            const ImVec2 c{o.x + h * 0.5f, o.y + h * 0.5f};
                            for (float r : {h * 0.25f, h * 0.45f}) {
                                ui.draw->PathArcTo(c, r, -kPi / 4, kPi / 4, 12);
                                ui.draw->PathStroke(ink.packed(), 0, thick);
                            }
                        })) {
            actions.push_back(model::action::ReadAloud{});
        }
    }
    // A circle half dark, half light.
    if (icon_button(ui, "high_contrast", ui.strings.get("tools.high_contrast"), next_box(),
                    session.high_contrast(), [&](Box b, Colour ink) {
                        const ImVec2 c = b.centre();
                        const float r = b.height() / 2;
                        ui.draw->PathArcTo(c, r, kPi / 2, kPi * 1.5f, 24);
                        ui.draw->PathFillConvex(ink.packed());
                        ui.draw->AddCircle(c, r, ink.packed(), 32, thick);
                    })) {
        actions.push_back(model::action::ToggleHighContrast{});
    }
    // A small and a large letter A, drawn as strokes so they do not grow with large text.
    if (icon_button(ui, "large_text", ui.strings.get("tools.large_text"), next_box(),
                    session.large_text(), [&](Box b, Colour ink) {
                        auto letter = [&](float left, float width, float height) {
                            const float bottom = b.max.y;
                            const float top = bottom - height;
                            ImVec2 strokes[] = {
                                {left, bottom}, {left + width / 2, top}, {left + width, bottom}};
                            ui.draw->AddPolyline(strokes, 3, ink.packed(), 0, thick);
                            ui.draw->AddLine({left + width * 0.25f, bottom - height * 0.4f},
                                             {left + width * 0.75f, bottom - height * 0.4f},
                                             ink.packed(), thick);
                        };
                        const float h = b.height();
                        letter(b.min.x, h * 0.4f, h * 0.55f);
                        letter(b.min.x + h * 0.42f, h * 0.58f, h);
                    })) {
        actions.push_back(model::action::ToggleLargeText{});
    }
}

} // namespace kiosk::ui
