#include "text/text_bitmap.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace kiosk::text {

namespace {

// One glyph's coverage, copied out of FreeType's glyph slot (the slot is reused per glyph).
struct GlyphImage {
    int left = 0; // pixels from the line origin, y up for `top`
    int top = 0;
    int width = 0;
    int rows = 0;
    std::vector<std::uint8_t> coverage;
};

} // namespace

bool TextBitmap::has_ink() const {
    return std::any_of(alpha.begin(), alpha.end(), [](std::uint8_t a) { return a != 0; });
}

TextBitmap render(const FontChain& fonts, const ShapedLine& line) {
    std::vector<bool> used(fonts.size(), false);
    std::vector<GlyphImage> images;
    images.reserve(line.glyphs.size());
    // Pen positions are rounded once per glyph from the exact running sum, so rounding never
    // adds up along the line and the drawn width matches `line.width`.
    float pen_x = 0;
    float pen_y = 0;
    for (const ShapedGlyph& glyph : line.glyphs) {
        const int x = static_cast<int>(std::lround(pen_x + glyph.x_offset));
        const int y = static_cast<int>(std::lround(pen_y + glyph.y_offset));
        pen_x += glyph.x_advance;
        pen_y += glyph.y_advance;
        if (glyph.font >= fonts.size()) {
            continue; // shaped with another chain: its glyph id means nothing in these fonts
        }
        used[glyph.font] = true;
        FT_Face face = fonts[glyph.font]->ft_face();
        // Light hinting snaps outlines vertically only, so horizontal placement stays as shaped.
        if (FT_Load_Glyph(face, glyph.glyph_id, FT_LOAD_DEFAULT | FT_LOAD_TARGET_LIGHT) != 0 ||
            FT_Render_Glyph(face->glyph, FT_RENDER_MODE_NORMAL) != 0) {
            continue; // a glyph the font cannot draw is left blank, not fatal
        }
        const FT_Bitmap& bitmap = face->glyph->bitmap;
        if (bitmap.pixel_mode != FT_PIXEL_MODE_GRAY || bitmap.width == 0 || bitmap.rows == 0) {
            continue; // spaces; and colour or mono bitmaps, which Noto text fonts do not have
        }
        GlyphImage image;
        image.left = x + face->glyph->bitmap_left;
        image.top = y + face->glyph->bitmap_top;
        image.width = static_cast<int>(bitmap.width);
        image.rows = static_cast<int>(bitmap.rows);
        image.coverage.resize(static_cast<std::size_t>(image.width) * image.rows);
        for (int row = 0; row < image.rows; ++row) {
            // A negative pitch means the rows are stored bottom up.
            const unsigned char* source =
                bitmap.buffer + static_cast<std::ptrdiff_t>(row) * bitmap.pitch;
            std::copy(source, source + image.width,
                      image.coverage.begin() + static_cast<std::ptrdiff_t>(row) * image.width);
        }
        images.push_back(std::move(image));
    }

    int left = 0;
    int right = static_cast<int>(std::ceil(line.width));
    // A line with no glyphs (an empty answer) still needs a line's height to lay out.
    if (!fonts.empty() && std::none_of(used.begin(), used.end(), [](bool u) { return u; })) {
        used[0] = true;
    }
    float ascender = 0;
    float descender = 0;
    for (std::size_t i = 0; i < fonts.size(); ++i) {
        if (used[i]) {
            ascender = std::max(ascender, fonts[i]->ascender());
            descender = std::max(descender, fonts[i]->descender());
        }
    }
    int top = static_cast<int>(std::ceil(ascender));
    int bottom = -static_cast<int>(std::ceil(descender)); // y up: below baseline < 0
    for (const GlyphImage& image : images) {
        left = std::min(left, image.left);
        right = std::max(right, image.left + image.width);
        top = std::max(top, image.top);
        bottom = std::min(bottom, image.top - image.rows);
    }
    TextBitmap out;
    out.width = right - left;
    out.height = top - bottom;
    out.baseline = top;
    out.left_overhang = -left;
    out.alpha.assign(static_cast<std::size_t>(out.width) * out.height, 0);
    for (const GlyphImage& image : images) {
        const int x0 = image.left - left;
        const int y0 = top - image.top;
        for (int row = 0; row < image.rows; ++row) {
            for (int column = 0; column < image.width; ++column) {
                auto& target =
                    out.alpha[static_cast<std::size_t>(y0 + row) * out.width + x0 + column];
                // Overlapping glyphs (marks on bases, joined letters) keep the stronger ink.
                target = std::max(
                    target, image.coverage[static_cast<std::size_t>(row) * image.width + column]);
            }
        }
    }
    return out;
}

TextBitmap render(const FontFace& font, const ShapedLine& line) {
    return render(FontChain{&font}, line);
}

} // namespace kiosk::text
