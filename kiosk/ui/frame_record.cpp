#include "ui/frame_record.hpp"

namespace kiosk::ui {

void FrameRecord::clear() {
    screen.clear();
    texts.clear();
    targets.clear();
    layout_problems.clear();
    lines.clear();
}

bool FrameRecord::shows_text(const std::string& fragment) const {
    for (const auto& text : texts) {
        if (text.find(fragment) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::vector<const TapTarget*> FrameRecord::targets_labelled(const std::string& label) const {
    std::vector<const TapTarget*> found;
    for (const auto& target : targets) {
        if (target.label == label) {
            found.push_back(&target);
        }
    }
    return found;
}

} // namespace kiosk::ui
