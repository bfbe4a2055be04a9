#pragma once
// UTF-8 to code points, keeping where each code point started in the bytes, so that shaped
// glyphs can point back into the caller's string (for cursor, selection and line breaking).

#include <cstdint>
#include <string_view>
#include <vector>

namespace kiosk::text {

struct DecodedText {
    std::vector<char32_t> code_points;
    // byte_offsets[i] is where code_points[i] starts; one extra entry holds the text's size.
    std::vector<std::uint32_t> byte_offsets;
    // Invalid sequences found (each replaced by one U+FFFD per bad byte).
    std::size_t replaced = 0;
};

// Decodes `utf8`. Malformed input (stray continuation bytes, overlong forms, surrogates, values
// past U+10FFFF, cut-off sequences) never fails: each bad byte becomes U+FFFD, which the fonts
// draw as a visible replacement mark rather than dropping text silently.
DecodedText decode_utf8(std::string_view utf8);

} // namespace kiosk::text
