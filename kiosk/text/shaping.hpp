#pragma once
// Shaping one line of text: bidirectional ordering (FriBidi, Unicode Bidirectional Algorithm)
// and glyph selection and placement (HarfBuzz), so that Arabic and Urdu join and run right to
// left and Indic scripts get their conjuncts and vowel signs. Dear ImGui cannot do either.
//
// Fonts come as a chain in order of preference (the script's font first, a Latin font last; see
// font_choice.hpp). Each run of one embedding level and one script is shaped with one font of
// the chain: the first that has every character of the run (spaces and invisible controls aside),
// or else the one that lacks the fewest. A run is never split between fonts: HarfBuzz needs a
// whole run in one font to join and reorder it.
//
// Limits, for the kiosk's short questions and answers:
// - Fallback is per run, not per character: a character the run's chosen font lacks comes out
//   as that font's .notdef box, even when another font of the chain has it.
// - break_lines breaks at spaces and at '\n', and between two CJK ideographs or kana; no
//   hyphenation, no dictionary breaking (Thai, Lao...), no full UAX #14 rules.

#include "text/font_face.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace kiosk::text {

enum class TextDirection { auto_detect, left_to_right, right_to_left };

// Fonts in order of preference, none of them null, all used from the calling thread. Only the
// first 256 are ever chosen (ShapedGlyph::font is one byte); the kiosk uses two or three. The
// chain does not own the faces: they must outlive the call (and any ShapedLine drawn with it).
using FontChain = std::vector<const FontFace*>;

struct ShapedGlyph {
    std::uint32_t glyph_id = 0; // index in the font, for FT_Load_Glyph
    std::uint32_t cluster = 0;  // byte offset in the UTF-8 text of the character(s) it shows
    float x_advance = 0;        // pixels
    float y_advance = 0;
    float x_offset = 0; // from the pen position, y up (HarfBuzz's convention)
    float y_offset = 0;
    bool right_to_left = false; // the direction of the run this glyph belongs to
    std::uint8_t font = 0;      // index in the FontChain of the face `glyph_id` belongs to
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

// Shapes one line with the chain's fonts. `language` is a BCP 47 tag ("ur", "pa") that lets the
// font pick local forms; empty means none. Invalid UTF-8 is shaped as U+FFFD for each bad byte.
// An empty chain gives no glyphs (and the paragraph's direction).
ShapedLine shape_line(const FontChain& fonts, std::string_view utf8,
                      TextDirection base = TextDirection::auto_detect,
                      std::string_view language = {});
// The same with one font, which shapes every run (every glyph's `font` is 0).
ShapedLine shape_line(const FontFace& font, std::string_view utf8,
                      TextDirection base = TextDirection::auto_detect,
                      std::string_view language = {});

// Splits `text` into lines no wider than `width` pixels, measured by shaping each candidate
// line (with `language`, as the lines will be drawn). A single word wider than `width` gets a
// line of its own and is not cut. Lines are views into `text`, without the spaces at the break
// and without the '\n'. An empty text gives one empty line.
std::vector<std::string_view> break_lines(const FontChain& fonts, std::string_view text,
                                          float width,
                                          TextDirection base = TextDirection::auto_detect,
                                          std::string_view language = {});
std::vector<std::string_view> break_lines(const FontFace& font, std::string_view text, float width,
                                          TextDirection base = TextDirection::auto_detect);

// Distance between the baselines of two lines of wrapped text: the first font's ascender plus
// descender, since the first font is the one the language's own text is shaped with. 0 for an
// empty chain. A rendered line can be taller (render makes room for every font it used).
float line_height(const FontChain& fonts);

} // namespace kiosk::text
