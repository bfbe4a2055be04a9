#pragma once
// What one drawn frame showed: its words and the places a finger can tap, with their labels.
// Headless scripts find "tap \"Next\"" here, tests check that every target is big enough and
// that nothing of a previous patient is on screen, and layout checks catch anything that would
// need scrolling.

#include "ui/text_painter.hpp"

#include <imgui.h>

#include <string>
#include <vector>

namespace kiosk::ui {

struct TapTarget {
    std::string label;
    ImVec2 min;
    ImVec2 max;
    ImVec2 centre() const { return {(min.x + max.x) / 2, (min.y + max.y) / 2}; }
    float width() const { return max.x - min.x; }
    float height() const { return max.y - min.y; }
};

struct FrameRecord {
    std::string screen;             // model screen name, or "out-of-service"
    std::vector<std::string> texts; // every piece of text drawn, in drawing order
    std::vector<TapTarget> targets;
    std::vector<std::string> layout_problems; // things drawn off the screen or overlapping
    std::vector<DrawnLine> lines;             // every line of text as shaped and drawn

    void clear();
    bool shows_text(const std::string& fragment) const; // any text containing fragment
    // Targets whose label is exactly `label`.
    std::vector<const TapTarget*> targets_labelled(const std::string& label) const;
};

} // namespace kiosk::ui
