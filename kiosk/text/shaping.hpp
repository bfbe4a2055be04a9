#pragma once
// Shaping one line of text: bidirectional ordering (FriBidi, Unicode Bidirectional Algorithm)
// and glyph selection and placement (HarfBuzz), so that Arabic and Urdu join and run right to
// left and Indic scripts get their conjuncts and vowel signs. Dear ImGui cannot do either.
//
// Limits, for the kiosk's short questions and answers:
// - One font per call: no fallback to another font for characters the font lacks (they come
//   out as the font's .notdef box). Mixed-script text needs a font that covers every script.
// - break_lines breaks at spaces and at '\n', and between two CJK ideographs or kana; no
//   hyphenation, no dictionary breaking (Thai, Lao...), no full UAX #14 rules.

#include "text/font_face.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace kiosk::text {

enum class TextDirection { auto_detect, left_to_right, right_to_left };

struct ShapedGlyph {
    std::uint32_t glyph_id = 0; // index in the font, for FT_Load_Glyph
    std::uint32_t cluster = 0;  // byte offset in the UTF-8 text of the character(s) it shows
    float x_advance = 0;        // pixels
    float y_advance = 0;
    float x_offset = 0; // from the pen position, y up (HarfBuzz's convention)
    float y_offset = 0;
    bool right_to_left = false; // the direction of the run this glyph belongs to
};

struct ShapedLine {
    std::vector<ShapedGlyph> glyphs; // visual order, left to right on the screen
    float width = 0;                 // sum of the x advances
    // The paragraph's direction after detection (never auto_detect): right_to_left means the
    // screen mirrors its layout and aligns this text to the right.
    TextDirection direction = TextDirection::left_to_right;
};

// The paragraph direction of `utf8` from its first strong character (rule P2/P3), left to
// right when there is none. Shape every line of a wrapped paragraph with this direction, so a
// line that happens to start with a Latin word keeps the paragraph's order.
TextDirection paragraph_direction(std::string_view utf8);

// Shapes one line. `language` is a BCP 47 tag ("ur", "pa") that lets the font pick local forms;
// empty means none. Invalid UTF-8 is shaped as U+FFFD for each bad byte.
ShapedLine shape_line(const FontFace& font, std::string_view utf8,
                      TextDirection base = TextDirection::auto_detect,
                      std::string_view language = {});

// Splits `text` into lines no wider than `width` pixels, measured by shaping each candidate
// line. A single word wider than `width` gets a line of its own and is not cut. Lines are
// views into `text`, without the spaces at the break and without the '\n'. An empty text gives
// one empty line.
std::vector<std::string_view> break_lines(const FontFace& font, std::string_view text, float width,
                                          TextDirection base = TextDirection::auto_detect);

} // namespace kiosk::text
