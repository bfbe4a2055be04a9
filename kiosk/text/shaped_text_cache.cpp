#include "text/shaped_text_cache.hpp"

namespace kiosk::text {

std::size_t ShapedText::bytes() const {
    return sizeof(ShapedText) + line.glyphs.size() * sizeof(ShapedGlyph) + bitmap.bytes();
}

std::shared_ptr<const ShapedText> ShapedTextCache::get(const FontFace& font, std::string_view text,
                                                       TextDirection direction) {
    Key key{font.id(), font.pixel_size(), direction, std::string(text)};
    if (auto found = index_.find(key); found != index_.end()) {
        ++hits_;
        entries_.splice(entries_.begin(), entries_, found->second);
        return found->second->value;
    }
    ++misses_;
    auto value = std::make_shared<ShapedText>();
    value->line = shape_line(font, text, direction);
    value->bitmap = render(font, value->line);
    const std::size_t size = value->bytes() + 2 * text.size() + font.id().size();
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

void ShapedTextCache::clear() {
    entries_.clear();
    index_.clear();
    bytes_ = 0;
}

} // namespace kiosk::text
