#pragma once
// Colours, sizes and fonts of every screen. Sizes are set in millimetres and turned into pixels
// from the panel's DPI, so a button is at least 15 mm across whatever the screen. Colours are
// chosen for contrast: every text colour on its background is at least 4.5:1 (WCAG AA), which
// text_contrast_pairs() lets a test check.

#include <imgui.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::ui {

struct Colour {
    unsigned char r = 0, g = 0, b = 0, a = 255;
    ImU32 packed() const { return IM_COL32(r, g, b, a); }
};

// WCAG 2 contrast ratio of two opaque colours (1 to 21).
double contrast_ratio(Colour a, Colour b);

struct Theme {
    Colour background{0xF4, 0xF6, 0xF8};
    Colour text{0x1B, 0x1F, 0x24};
    Colour muted_text{0x42, 0x4C, 0x57};
    Colour primary{0x00, 0x5E, 0xB8}; // Start, Next, Submit, Continue; chosen options
    Colour primary_pressed{0x00, 0x3D, 0x78};
    Colour on_primary{0xFF, 0xFF, 0xFF};
    Colour option{0xFF, 0xFF, 0xFF}; // an option not chosen
    Colour option_pressed{0xD6, 0xE6, 0xF5};
    Colour option_border{0x42, 0x4C, 0x57};
    Colour secondary_text{0x00, 0x5E, 0xB8}; // Back, Start again: outlined, white inside
    Colour hint_text{0x9E, 0x1B, 0x0F};      // "Please choose an answer"
    Colour panel{0xFF, 0xFF, 0xFF};
    Colour progress_track{0xD0, 0xD8, 0xE0};
    Colour face_fill{0xFF, 0xD3, 0x4E};
    Colour face_ink{0x1B, 0x1F, 0x24};
    Colour out_of_service_background{0xE6, 0xEB, 0xF0};
    Colour paused_background{0xE3, 0xEE, 0xE8}; // calm, and plainly not the welcome screen
    // The staff screen's one-glance verdict; each with the text colour it is read in.
    Colour health_green{0x00, 0x6B, 0x3C};
    Colour health_amber{0xFF, 0xC1, 0x07};
    Colour health_red{0xB0, 0x1C, 0x1C};
    Colour staff_background{0xFF, 0xFF, 0xFF};

    struct TextPair {
        const char* name;
        Colour foreground;
        Colour background;
    };
    // Every text/background combination the screens draw.
    std::vector<TextPair> text_contrast_pairs() const;

    // The patient's high-contrast mode: light text on black, yellow for the way forward, every
    // text pair at least 7:1 (WCAG AAA) and every border solid.
    static Theme high_contrast();
};

// Sizes in pixels for one panel.
struct Metrics {
    float px_per_mm = 150.0f / 25.4f;
    float target = 0; // smallest side of anything tappable: 15 mm
    float gap = 0;    // between targets, so a shaky finger hits the one it meant
    float margin = 0; // around the screen's edge
    float rounding = 0;
    float border = 0;
    float title_size = 0; // line heights of each text style, in pixels
    float question_size = 0;
    float body_size = 0;
    float small_size = 0;

    static Metrics for_dpi(double dpi);
    float mm(float millimetres) const { return millimetres * px_per_mm; }
};

// A problem with a font file (missing, unreadable, not a font), or nothing when it looks right.
std::optional<std::string> check_font_file(const std::filesystem::path& file);

} // namespace kiosk::ui
