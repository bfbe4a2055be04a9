#pragma once
// Every piece of text on every screen goes through here. Dear ImGui draws one glyph per
// character from a fixed atlas, which cannot join Arabic, order right-to-left text or build
// Bengali conjuncts; so the screens ask this painter instead. It shapes a line with kiosk_text
// (FriBidi and HarfBuzz, with the fonts that language needs), draws it once with FreeType into a
// bitmap, uploads that as a texture, and from then on draws the texture: going back to a screen,
// or drawing it again next frame, costs no shaping and no rasterising.
//
// Textures are made and destroyed through a TextureStore (SDL in the app, memory in tests).
// The cache is bounded by bytes; a line pushed out is released only after the frame is drawn
// (after_frame), since the frame being built may still show it.

#include "text/font_choice.hpp"
#include "text/font_face.hpp"
#include "text/shaped_text_cache.hpp"
#include "text/shaping.hpp"
#include "text/text_bitmap.hpp"
#include "ui/theme.hpp"

#include <imgui.h>

#include <array>
#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace kiosk::ui {

// What a piece of text is, which sets its weight and size.
enum class TextStyle { title, question, body, body_bold, small };

// Makes and frees the textures text is drawn from. A texture is the bitmap's coverage as alpha
// over white, so the draw list's vertex colour tints it.
class TextureStore {
public:
    virtual ~TextureStore() = default;
    // Null when it could not be made (the line is then not drawn, and the painter says why).
    virtual ImTextureID upload(const text::TextBitmap& bitmap) = 0;
    virtual void release(ImTextureID texture) = 0;
};

// One line as it was drawn: what tests compare with hb-shape, and how a screen is checked for
// characters its fonts lack.
struct DrawnLine {
    std::string text;
    std::string language;
    std::vector<text::FontFile> fonts; // the chain the glyphs' `font` indexes
    int pixel_size = 0;
    text::ShapedLine shaped;
    ImVec2 top_left; // of the line box on the screen
};

struct TextPainterFigures {
    std::size_t lines_shaped = 0; // cache misses: lines shaped and drawn into bitmaps
    std::size_t lines_reused = 0; // cache hits
    std::size_t cached_lines = 0;
    std::size_t cached_bytes = 0; // bitmaps and their textures (4 bytes a pixel)
    std::size_t faces_loaded = 0;
};

class TextPainter {
public:
    // `latin_regular` and `latin_bold` are the device's fonts (settings [display]); they draw
    // Latin-script languages and every Latin word or digit inside another script.
    TextPainter(text::FontFile latin_regular, text::FontFile latin_bold, TextureStore& textures,
                std::size_t byte_limit = 24u << 20);
    ~TextPainter();
    TextPainter(const TextPainter&) = delete;
    TextPainter& operator=(const TextPainter&) = delete;

    // The text sizes for the frames that follow: the metrics' sizes times `scale` (large text).
    void set_sizes(const Metrics& metrics, float scale = 1.0f);

    // Distance between lines of `style` in `language` (Nastaliq Urdu needs more than Latin).
    float line_height(TextStyle style, std::string_view language);
    // Width of `line` as drawn on one line.
    // `direction`: the paragraph's, for a line wrapped out of it (so a line of an Arabic
    // paragraph that starts with a Latin word still runs right to left); auto_detect for a line
    // on its own.
    float width(TextStyle style, std::string_view line, std::string_view language,
                text::TextDirection direction = text::TextDirection::auto_detect);
    // `text` broken into lines no wider than `width`, measured by shaping. Views into `text`.
    std::vector<std::string_view> wrap(TextStyle style, std::string_view text, float width,
                                       std::string_view language);
    // Draws one line with its line box's top left corner at `top_left`; returns its width.
    // Lines drawn are added to `drawn` when it is given.
    float draw_line(ImDrawList* draw, TextStyle style, std::string_view line, ImVec2 top_left,
                    Colour colour, std::string_view language,
                    std::vector<DrawnLine>* drawn = nullptr,
                    text::TextDirection direction = text::TextDirection::auto_detect);

    // Releases the textures of lines pushed out of the cache; call once the frame is rendered.
    void after_frame();
    // Forgets everything (the display changed); textures are released at once.
    void clear();

    // The first problem met loading a font or making a texture, for logs and staff status.
    const std::optional<std::string>& problem() const { return problem_; }
    TextPainterFigures figures() const;

private:
    struct Chain {
        std::vector<text::FontFile> files;
        text::FontChain fonts;
    };
    struct CachedLine {
        std::shared_ptr<const text::ShapedText> shaped;
        ImTextureID texture = nullptr;
        std::size_t bytes = 0;
    };
    // size, bold, language, direction, text
    using LineKey = std::tuple<int, bool, std::string, text::TextDirection, std::string>;
    struct Entry {
        LineKey key;
        CachedLine line;
    };
    using Entries = std::list<Entry>; // most recently used first
    using WrapKey = std::tuple<int, bool, std::string, int, std::string>;

    int pixel_size(TextStyle style) const;
    static bool is_bold(TextStyle style);
    const Chain& chain(int pixel_size, bool bold, std::string_view language);
    const text::FontFace* face(const text::FontFile& file, int pixel_size);
    const CachedLine& line(int pixel_size, bool bold, std::string_view text,
                           std::string_view language, text::TextDirection direction);
    void evict_to_limit();
    void note_problem(const std::string& problem);

    text::FontFile latin_regular_;
    text::FontFile latin_bold_;
    TextureStore& textures_;
    std::size_t byte_limit_;
    // Pixel sizes by TextStyle, and the line heights and scale they were worked out from: the
    // kiosk sets the sizes every frame, and they seldom change.
    std::array<int, 5> sizes_{16, 16, 16, 16, 16};
    std::array<float, 5> sized_from_{};

    std::map<std::tuple<std::string, int, int>, std::unique_ptr<text::FontFace>> faces_;
    std::map<std::tuple<int, bool, std::string>, Chain, std::less<>> chains_;
    Entries entries_;
    std::map<LineKey, Entries::iterator> index_;
    std::size_t bytes_ = 0;
    // Wrapped paragraphs as (offset, length) pairs into their text; small, kept with the lines.
    std::map<WrapKey, std::vector<std::pair<std::size_t, std::size_t>>> wraps_;
    std::vector<ImTextureID> released_after_frame_;
    std::size_t hits_ = 0;
    std::size_t misses_ = 0;
    std::optional<std::string> problem_;
};

// Right-to-left languages, whose screens are mirrored: Arabic, Urdu, Persian, Hebrew and the
// others written in those scripts.
bool is_right_to_left_language(std::string_view bcp47_tag);

} // namespace kiosk::ui
