#include "ui/theme.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <system_error>

namespace kiosk::ui {

namespace {

double linear(unsigned char channel) {
    double c = channel / 255.0;
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double luminance(Colour c) {
    return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

} // namespace

double contrast_ratio(Colour a, Colour b) {
    double la = luminance(a);
    double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

std::vector<Theme::TextPair> Theme::text_contrast_pairs() const {
    return {
        {"text on background", text, background},
        {"muted text on background", muted_text, background},
        {"label on primary button", on_primary, primary},
        {"label on pressed primary button", on_primary, primary_pressed},
        {"label on option", text, option},
        {"label on pressed option", text, option_pressed},
        {"label on secondary button", secondary_text, option},
        {"hint on background", hint_text, background},
        {"text on panel", text, panel},
        {"label on face", text, option},
        {"text out of service", text, out_of_service_background},
        {"muted text out of service", muted_text, out_of_service_background},
    };
}

Theme Theme::high_contrast() {
    Theme t;
    const Colour black{0x00, 0x00, 0x00};
    const Colour white{0xFF, 0xFF, 0xFF};
    const Colour yellow{0xFF, 0xE1, 0x4D};
    t.background = black;
    t.text = white;
    t.muted_text = {0xE6, 0xE6, 0xE6};
    t.primary = yellow;
    t.primary_pressed = {0xFF, 0xF0, 0xA8};
    t.on_primary = black;
    t.option = black;
    t.option_pressed = {0x33, 0x33, 0x33};
    t.option_border = white;
    t.secondary_text = yellow;
    t.hint_text = {0xFF, 0xB3, 0x8A};
    t.panel = black;
    t.progress_track = {0x66, 0x66, 0x66};
    t.face_fill = yellow;
    t.face_ink = black;
    t.out_of_service_background = black;
    t.paused_background = black;
    return t;
}

std::optional<std::string> check_font_file(const std::filesystem::path& file) {
    // ImGui asserts (and so aborts the kiosk) on a file that is not a font: look first.
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return "font file " + file.string() + " cannot be read (install fonts-noto-core)";
    }
    unsigned char tag[4] = {};
    in.read(reinterpret_cast<char*>(tag), 4);
    const bool truetype = tag[0] == 0 && tag[1] == 1 && tag[2] == 0 && tag[3] == 0;
    const std::string text(reinterpret_cast<const char*>(tag), 4);
    if (!in || !(truetype || text == "true" || text == "OTTO" || text == "ttcf")) {
        return "font file " + file.string() + " is not a TrueType or OpenType font (or collection)";
    }
    return std::nullopt;
}

Metrics Metrics::for_dpi(double dpi) {
    Metrics m;
    m.px_per_mm = static_cast<float>(dpi / 25.4);
    m.target = std::ceil(m.mm(15.0f));
    m.gap = std::round(m.mm(2.5f));
    m.margin = std::round(m.mm(5.0f));
    m.rounding = std::round(m.mm(2.0f));
    m.border = std::max(2.0f, std::round(m.mm(0.5f)));
    // Text sizes: the em height in millimetres. 5 mm body text is about 14 pt on paper.
    m.title_size = std::round(m.mm(8.5f));
    m.question_size = std::round(m.mm(6.5f));
    m.body_size = std::round(m.mm(5.0f));
    m.small_size = std::round(m.mm(4.0f));
    return m;
}

} // namespace kiosk::ui
