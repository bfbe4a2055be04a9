#pragma once
// Drawing a shaped line into an 8-bit coverage (alpha) bitmap with FreeType. The UI uploads it
// once as a texture (white, with this as alpha) and tints it with the text colour.

#include "text/font_face.hpp"
#include "text/shaping.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kiosk::text {

struct TextBitmap {
    int width = 0;
    int height = 0;
    // Rows from the top of the bitmap to the baseline; place the bitmap at (x, baseline_y -
    // baseline). Left of the bitmap is the line's pen origin, less `left_overhang` pixels for
    // glyphs that reach left of it (Nastaliq swashes, say).
    int baseline = 0;
    int left_overhang = 0;
    std::vector<std::uint8_t> alpha; // width * height, row by row, 0 = clear, 255 = ink

    std::size_t bytes() const { return alpha.size(); }
    bool has_ink() const;
};

// Draws `line`, shaped with `fonts`, each glyph with the face it was shaped with. The bitmap is
// the line's width wide and, from the baseline, as high as the highest ascender and as deep as
// the deepest descender of the fonts the line used (of the first font for a line without
// glyphs), so a line of Latin words in a Nastaliq chain is not as tall as a line of Nastaliq.
// It grows to hold any glyph that reaches past those. A glyph whose font index is not in the
// chain is left out.
TextBitmap render(const FontChain& fonts, const ShapedLine& line);
// The same for a line shaped with the one font `font`.
TextBitmap render(const FontFace& font, const ShapedLine& line);

} // namespace kiosk::text
