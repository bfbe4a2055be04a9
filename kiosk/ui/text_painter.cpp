#include "ui/text_painter.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace kiosk::ui {

namespace {

// Wrapped paragraphs are tiny; past this many the map is simply emptied and refilled.
constexpr std::size_t kWrapLimit = 4096;

constexpr const char* kFallbackRegular = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";
constexpr const char* kFallbackBold = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf";

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace

bool is_right_to_left_language(std::string_view bcp47_tag) {
    const std::string tag = lower(bcp47_tag);
    const std::string primary = tag.substr(0, tag.find('-'));
    // A script subtag says more than the language: Punjabi in Shahmukhi is right to left.
    if (tag.find("-arab") != std::string::npos || tag.find("-hebr") != std::string::npos) {
        return true;
    }
    if (tag.find("-latn") != std::string::npos || tag.find("-guru") != std::string::npos) {
        return false;
    }
    static constexpr std::string_view rtl[] = {"ar", "ur", "fa",  "ps", "he", "yi",
                                               "sd", "ug", "ckb", "dv", "ks"};
    return std::find(std::begin(rtl), std::end(rtl), primary) != std::end(rtl);
}

TextPainter::TextPainter(text::FontFile latin_regular, text::FontFile latin_bold,
                         TextureStore& textures, std::size_t byte_limit)
    : latin_regular_(std::move(latin_regular)), latin_bold_(std::move(latin_bold)),
      textures_(textures), byte_limit_(byte_limit) {}

TextPainter::~TextPainter() {
    clear();
}

void TextPainter::note_problem(const std::string& problem) {
    if (!problem_) {
        problem_ = problem;
    }
}

void TextPainter::set_sizes(const Metrics& metrics, float scale) {
    const std::array<float, 5> from{metrics.title_size, metrics.question_size, metrics.body_size,
                                    metrics.small_size, scale};
    if (from == sized_from_) {
        return;
    }
    sized_from_ = from;
    // The metrics give each style's line height (as Dear ImGui sized its fonts). A font's em is
    // smaller than its line: find the ratio from the Latin font itself.
    float line_per_em = 1.362f; // Noto Sans, should the font not load
    if (const text::FontFace* latin = face(latin_regular_, 100);
        latin != nullptr && latin->ascender() + latin->descender() > 0) {
        line_per_em = (latin->ascender() + latin->descender()) / 100.0f;
    }
    auto em = [&](float line) {
        return std::max(4, static_cast<int>(std::lround(line * scale / line_per_em)));
    };
    sizes_[static_cast<std::size_t>(TextStyle::title)] = em(metrics.title_size);
    sizes_[static_cast<std::size_t>(TextStyle::question)] = em(metrics.question_size);
    sizes_[static_cast<std::size_t>(TextStyle::body)] = em(metrics.body_size);
    sizes_[static_cast<std::size_t>(TextStyle::body_bold)] = em(metrics.body_size);
    sizes_[static_cast<std::size_t>(TextStyle::small)] = em(metrics.small_size);
}

int TextPainter::pixel_size(TextStyle style) const {
    return sizes_.at(static_cast<std::size_t>(style));
}

bool TextPainter::is_bold(TextStyle style) {
    return style == TextStyle::title || style == TextStyle::question ||
           style == TextStyle::body_bold;
}

const text::FontFace* TextPainter::face(const text::FontFile& file, int size) {
    auto key = std::make_tuple(file.file.string(), file.face_index, size);
    auto found = faces_.find(key);
    if (found != faces_.end()) {
        return found->second.get(); // null: it failed before, and the problem is noted
    }
    auto loaded = text::FontFace::load(file.file, size, file.face_index);
    std::unique_ptr<text::FontFace> owned;
    if (auto* font = std::get_if<text::FontFace>(&loaded)) {
        owned = std::make_unique<text::FontFace>(std::move(*font));
    } else {
        note_problem(std::get<std::string>(loaded));
    }
    return faces_.emplace(std::move(key), std::move(owned)).first->second.get();
}

const TextPainter::Chain& TextPainter::chain(int size, bool bold, std::string_view language) {
    auto key = std::make_tuple(size, bold, std::string(language));
    auto found = chains_.find(key);
    if (found != chains_.end()) {
        return found->second;
    }
    Chain chain;
    for (auto& file : text::fonts_for_language(language, bold, latin_regular_, latin_bold_)) {
        if (const text::FontFace* loaded = face(file, size)) {
            chain.fonts.push_back(loaded);
            chain.files.push_back(std::move(file));
        }
    }
    // The device's Latin font is broken (the problem is noted for the log): Debian's Noto Sans,
    // which the kiosk package depends on, so that the out-of-service screen can still be read.
    const text::FontFile& latin = bold ? latin_bold_ : latin_regular_;
    if (face(latin, size) == nullptr) {
        const text::FontFile fallback{bold ? kFallbackBold : kFallbackRegular};
        if (const text::FontFace* loaded = face(fallback, size)) {
            chain.fonts.push_back(loaded);
            chain.files.push_back(fallback);
        }
    }
    return chains_.emplace(std::move(key), std::move(chain)).first->second;
}

float TextPainter::line_height(TextStyle style, std::string_view language) {
    const int size = pixel_size(style);
    const float height = text::line_height(chain(size, is_bold(style), language).fonts);
    return height > 0 ? std::ceil(height) : static_cast<float>(size);
}

const TextPainter::CachedLine& TextPainter::line(int size, bool bold, std::string_view text,
                                                 std::string_view language,
                                                 text::TextDirection direction) {
    LineKey key{size, bold, std::string(language), direction, std::string(text)};
    if (auto found = index_.find(key); found != index_.end()) {
        ++hits_;
        entries_.splice(entries_.begin(), entries_, found->second);
        return found->second->line;
    }
    ++misses_;
    const Chain& fonts = chain(size, bold, language);
    auto shaped = std::make_shared<text::ShapedText>();
    shaped->line = text::shape_line(fonts.fonts, text, direction, language);
    shaped->bitmap = text::render(fonts.fonts, shaped->line);
    CachedLine cached;
    if (shaped->bitmap.has_ink()) {
        cached.texture = textures_.upload(shaped->bitmap);
        if (cached.texture == nullptr) {
            note_problem("a texture for the text '" + std::string(text) + "' could not be made");
        }
    }
    // Once uploaded, the texture is the only copy of the pixels that is needed (4 bytes each).
    cached.bytes = sizeof(text::ShapedText) +
                   shaped->line.glyphs.size() * sizeof(text::ShapedGlyph) +
                   (cached.texture != nullptr ? shaped->bitmap.bytes() * 4 : 0);
    shaped->bitmap.alpha = {};
    cached.shaped = std::move(shaped);
    entries_.push_front({key, std::move(cached)});
    index_.emplace(std::move(key), entries_.begin());
    bytes_ += entries_.front().line.bytes;
    evict_to_limit();
    return entries_.front().line;
}

void TextPainter::evict_to_limit() {
    // The newest line always stays, however big.
    while (bytes_ > byte_limit_ && entries_.size() > 1) {
        Entry& oldest = entries_.back();
        bytes_ -= oldest.line.bytes;
        if (oldest.line.texture != nullptr) {
            released_after_frame_.push_back(oldest.line.texture);
        }
        index_.erase(oldest.key);
        entries_.pop_back();
    }
}

float TextPainter::width(TextStyle style, std::string_view text, std::string_view language,
                         text::TextDirection direction) {
    return line(pixel_size(style), is_bold(style), text, language, direction).shaped->line.width;
}

std::vector<std::string_view> TextPainter::wrap(TextStyle style, std::string_view text, float width,
                                                std::string_view language) {
    const int size = pixel_size(style);
    const bool bold = is_bold(style);
    WrapKey key{size, bold, std::string(language), static_cast<int>(std::floor(width)),
                std::string(text)};
    auto found = wraps_.find(key);
    if (found == wraps_.end()) {
        if (wraps_.size() >= kWrapLimit) {
            wraps_.clear();
        }
        std::vector<std::pair<std::size_t, std::size_t>> spans;
        for (std::string_view piece :
             text::break_lines(chain(size, bold, language).fonts, text, std::max(width, 1.0f),
                               text::TextDirection::auto_detect, language)) {
            spans.emplace_back(static_cast<std::size_t>(piece.data() - text.data()), piece.size());
        }
        found = wraps_.emplace(std::move(key), std::move(spans)).first;
    }
    std::vector<std::string_view> lines;
    lines.reserve(found->second.size());
    for (const auto& [offset, length] : found->second) {
        lines.push_back(text.substr(offset, length));
    }
    if (lines.empty()) {
        lines.push_back(text.substr(0, 0));
    }
    return lines;
}

float TextPainter::draw_line(ImDrawList* draw, TextStyle style, std::string_view text,
                             ImVec2 top_left, Colour colour, std::string_view language,
                             std::vector<DrawnLine>* drawn, text::TextDirection direction) {
    const int size = pixel_size(style);
    const bool bold = is_bold(style);
    const CachedLine& cached = line(size, bold, text, language, direction);
    const Chain& fonts = chain(size, bold, language);
    const text::TextBitmap& bitmap = cached.shaped->bitmap;
    if (cached.texture != nullptr && draw != nullptr) {
        // The line box's baseline sits one ascender of the language's first font down.
        const float ascender = fonts.fonts.empty() ? 0.0f : fonts.fonts.front()->ascender();
        const float x = std::round(top_left.x) - static_cast<float>(bitmap.left_overhang);
        const float y = std::round(top_left.y + ascender) - static_cast<float>(bitmap.baseline);
        draw->AddImage(
            cached.texture, {x, y},
            {x + static_cast<float>(bitmap.width), y + static_cast<float>(bitmap.height)}, {0, 0},
            {1, 1}, colour.packed());
    }
    if (drawn != nullptr) {
        drawn->push_back({std::string(text), std::string(language), fonts.files, size,
                          cached.shaped->line, top_left});
    }
    return cached.shaped->line.width;
}

void TextPainter::after_frame() {
    for (ImTextureID texture : released_after_frame_) {
        textures_.release(texture);
    }
    released_after_frame_.clear();
}

void TextPainter::clear() {
    for (const Entry& entry : entries_) {
        if (entry.line.texture != nullptr) {
            released_after_frame_.push_back(entry.line.texture);
        }
    }
    entries_.clear();
    index_.clear();
    wraps_.clear();
    bytes_ = 0;
    after_frame();
}

TextPainterFigures TextPainter::figures() const {
    TextPainterFigures figures;
    figures.lines_shaped = misses_;
    figures.lines_reused = hits_;
    figures.cached_lines = entries_.size();
    figures.cached_bytes = bytes_;
    figures.faces_loaded = static_cast<std::size_t>(std::count_if(
        faces_.begin(), faces_.end(), [](const auto& f) { return f.second != nullptr; }));
    return figures;
}

} // namespace kiosk::ui
