#pragma once
// Shared by the text tests: the Noto fonts Debian installs, loading them, and HarfBuzz's own
// `hb-shape` program as the reference the shaper is checked against.

#include "text/font_face.hpp"
#include "text/shaping.hpp"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace kiosk::testing {

inline const std::filesystem::path noto_dir = "/usr/share/fonts/truetype/noto";     // core
inline const std::filesystem::path noto_cjk_dir = "/usr/share/fonts/opentype/noto"; // cjk
constexpr int pixel_size = 32;

// The face, or the test fails with the loader's problem.
text::FontFace load_font(const std::filesystem::path& file, int size = pixel_size,
                         int face_index = 0);

// How to run hb-shape; the defaults shape a whole paragraph the way shape_line does when the
// text is one run of one font.
struct HbShapeOptions {
    int face_index = 0;
    std::string direction; // "ltr" or "rtl"; empty lets hb-shape guess from the text
    std::string script;    // ISO 15924, "Arab"; empty lets hb-shape guess
    std::string language;  // BCP 47; empty is hb-shape's default
    bool bot = true;       // the text starts the paragraph
    bool eot = true;       // the text ends the paragraph
};

// (glyph id, cluster byte offset) pairs as hb-shape prints them for `text` in `font`, in its
// (visual) order. Fails the test when hb-shape is not installed: shaping cannot be checked
// without it.
std::vector<std::pair<unsigned, unsigned>> reference_glyphs(const std::filesystem::path& font,
                                                            const std::string& text,
                                                            const HbShapeOptions& options = {});

// The same pairs from a shaped line.
std::vector<std::pair<unsigned, unsigned>> our_glyphs(const text::ShapedLine& line);

} // namespace kiosk::testing
