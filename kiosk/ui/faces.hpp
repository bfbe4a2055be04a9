#pragma once
// Faces for ordinal scales (children's questionnaires, and any choice marked display-as faces).
// Drawn with shapes rather than bitmaps so they are sharp at every panel size.

#include "ui/widgets.hpp"

namespace kiosk::ui {

// mood: 1 for the happiest face, -1 for the saddest, in between for the rest.
void draw_face(ImDrawList* draw, ImVec2 centre, float radius, float mood, const Theme& theme);

// The mood of option `index` of `count`, happiest first.
float face_mood(std::size_t index, std::size_t count);

// A tappable face with its label underneath; returns true when tapped.
bool face_button(UiContext& ui, const std::string& id, const std::string& label, Box box,
                 float mood, bool selected);

} // namespace kiosk::ui
