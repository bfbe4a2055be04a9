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
    if (!in || !(truetype || text == "true" || text == "OTTO")) {
        return "font file " + file.string() + " is not a TrueType or OpenType font";
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

std::optional<std::string> load_fonts(ImFontAtlas& atlas, const std::filesystem::path& regular,
                                      const std::filesystem::path& bold, const Metrics& metrics,
                                      Fonts& fonts) {
    // Latin with its accents, plus the typographic punctuation questionnaires use.
    // Other scripts are shaped and drawn separately (they need more than a glyph atlas).
    static const ImWchar ranges[] = {
        0x0020, 0x00FF, // Basic Latin, Latin-1 Supplement
        0x0100, 0x017F, // Latin Extended-A (Polish, Romanian, Turkish, Welsh...)
        0x0218, 0x021B, // Romanian comma-below letters
        0x1E80, 0x1E85, // Welsh w with accents
        0x2013, 0x2014, 0x2018, 0x201E, 0x2022, 0x2022, 0x2026, 0x2026, // dashes, quotes, ...
        0,
    };
    for (const auto& file : {regular, bold}) {
        if (auto problem = check_font_file(file)) {
            atlas.Clear();
            ImFontConfig config;
            config.SizePixels = metrics.body_size;
            ImFont* fallback = atlas.AddFontDefault(&config);
            fonts = {fallback, fallback, fallback, fallback, fallback};
            return *problem;
        }
    }
    ImFontConfig config;
    config.OversampleH = 1; // the kiosk never draws at fractional positions that need more
    config.OversampleV = 1;
    config.PixelSnapH = true;
    auto add = [&](const std::filesystem::path& file, float size) {
        return atlas.AddFontFromFileTTF(file.c_str(), size, &config, ranges);
    };
    fonts.title = add(bold, metrics.title_size);
    fonts.question = add(bold, metrics.question_size);
    fonts.body = add(regular, metrics.body_size);
    fonts.body_bold = add(bold, metrics.body_size);
    fonts.small = add(regular, metrics.small_size);
    if (!fonts.title || !fonts.question || !fonts.body || !fonts.body_bold || !fonts.small) {
        return "a font file could not be read: " + regular.string() + " or " + bold.string();
    }
    return std::nullopt;
}

} // namespace kiosk::ui
