#include "text/shaped_text_cache.hpp"

namespace kiosk::text {

std::size_t ShapedText::bytes() const {
    return sizeof(ShapedText) + line.glyphs.size() * sizeof(ShapedGlyph) + bitmap.bytes();
}

std::shared_ptr<const ShapedText> ShapedTextCache::get(const FontChain& fonts,
                                                       std::string_view text,
                                                       TextDirection direction,
                                                       std::string_view language) {
    std::vector<FontKey> font_keys;
    font_keys.reserve(fonts.size());
    std::size_t id_bytes = 0;
    for (const FontFace* font : fonts) {
        font_keys.emplace_back(font->id(), font->pixel_size());
        id_bytes += font->id().size();
    }
    Key key{std::move(font_keys), direction, std::string(language), std::string(text)};
    if (auto found = index_.find(key); found != index_.end()) {
        ++hits_;
        entries_.splice(entries_.begin(), entries_, found->second);
        return found->second->value;
    }
    ++misses_;
    auto value = std::make_shared<ShapedText>();
    value->line = shape_line(fonts, text, direction, language);
    value->bitmap = render(fonts, value->line);
    // The key is held twice (list entry and index); count its strings so that many small
    // entries cannot hide outside the limit.
    const std::size_t size = value->bytes() + 2 * (text.size() + language.size() + id_bytes +
                                                   fonts.size() * sizeof(FontKey));
    entries_.push_front(Entry{key, value, size});
    index_.emplace(std::move(key), entries_.begin());
    bytes_ += size;
    // The newest entry stays even if it alone is over the limit: it is about to be drawn.
    while (bytes_ > byte_limit_ && entries_.size() > 1) {
        const Entry& oldest = entries_.back();
        bytes_ -= oldest.bytes;
        index_.erase(oldest.key);
        entries_.pop_back();
        ++evictions_;
    }
    return value;
}

std::shared_ptr<const ShapedText> ShapedTextCache::get(const FontFace& font, std::string_view text,
                                                       TextDirection direction) {
    return get(FontChain{&font}, text, direction);
}

void ShapedTextCache::clear() {
    entries_.clear();
    index_.clear();
    bytes_ = 0;
}

} // namespace kiosk::text
