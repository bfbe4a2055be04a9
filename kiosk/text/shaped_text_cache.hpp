#pragma once
// Shaped and drawn text, kept so that going back to a screen (or redrawing it every frame)
// costs no shaping or rasterising. Bounded by bytes, least recently used first out.
// Not thread-safe: the UI thread owns it.

#include "text/font_face.hpp"
#include "text/shaping.hpp"
#include "text/text_bitmap.hpp"

#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace kiosk::text {

struct ShapedText {
    ShapedLine line;
    TextBitmap bitmap;
    std::size_t bytes() const;
};

class ShapedTextCache {
public:
    explicit ShapedTextCache(std::size_t byte_limit) : byte_limit_(byte_limit) {}

    // The shaped and drawn `text`, from the cache when it is there. The pointer stays valid
    // after the entry is evicted, so a frame can hold what it is drawing. Entries are keyed on
    // every font of the chain (id and size, in order), the direction, the language and the
    // text: a change to any of them can change the glyphs.
    std::shared_ptr<const ShapedText> get(const FontChain& fonts, std::string_view text,
                                          TextDirection direction = TextDirection::auto_detect,
                                          std::string_view language = {});
    // The same with one font and no language.
    std::shared_ptr<const ShapedText> get(const FontFace& font, std::string_view text,
                                          TextDirection direction = TextDirection::auto_detect);

    void clear();

    std::size_t hits() const { return hits_; }
    std::size_t misses() const { return misses_; }
    std::size_t evictions() const { return evictions_; }
    std::size_t bytes() const { return bytes_; }
    std::size_t entries() const { return entries_.size(); }

private:
    using FontKey = std::pair<std::string, int>; // FontFace id, pixel size
    // fonts, direction, language, text
    using Key = std::tuple<std::vector<FontKey>, TextDirection, std::string, std::string>;
    struct Entry {
        Key key;
        std::shared_ptr<const ShapedText> value;
        std::size_t bytes = 0;
    };
    using Entries = std::list<Entry>; // most recently used first

    std::size_t byte_limit_;
    std::size_t bytes_ = 0;
    std::size_t hits_ = 0;
    std::size_t misses_ = 0;
    std::size_t evictions_ = 0;
    Entries entries_;
    std::map<Key, Entries::iterator, std::less<>> index_;
};

} // namespace kiosk::text
