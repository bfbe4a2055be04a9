#pragma once
// Three buttons in the top corner of every patient screen: larger text, high contrast and read
// aloud. Each is one tap from wherever the patient is, shows whether it is on, and stays as they
// left it until their session ends. They are drawn as pictures (a patient who cannot read the
// words can still find them) and carry their words for read-aloud and scripts.

#include "model/session.hpp"
#include "ui/widgets.hpp"

#include <vector>

namespace kiosk::ui {

struct ScreenInput;

// Height of the row the tools take at the top of the screen (content starts below it).
float patient_tools_height(const Metrics& metrics);

// Width the tools take from the edge of `area` on their side, including the room kept clear of
// the staff corner: what is beside them is narrower by this.
float patient_tools_width(const UiContext& ui, const ScreenInput& input, const Box& area);

// Draws the tools at the top of `area`, on the side a line ends (right, or left when mirrored).
void patient_tools(UiContext& ui, const ScreenInput& input, const Box& area,
                   std::vector<model::Action>& actions);

} // namespace kiosk::ui
