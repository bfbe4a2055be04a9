#include "text/utf8.hpp"

namespace kiosk::text {

DecodedText decode_utf8(std::string_view utf8) {
    DecodedText out;
    out.code_points.reserve(utf8.size());
    out.byte_offsets.reserve(utf8.size() + 1);
    const auto byte = [&](std::size_t i) {
        return static_cast<unsigned char>(utf8[i]);
    };
    std::size_t i = 0;
    while (i < utf8.size()) {
        const unsigned char lead = byte(i);
        std::size_t length = 0;
        char32_t value = 0;
        char32_t minimum = 0;
        if (lead < 0x80) {
            length = 1;
            value = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            length = 2;
            value = lead & 0x1F;
            minimum = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            value = lead & 0x0F;
            minimum = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            value = lead & 0x07;
            minimum = 0x10000;
        }
        bool valid = length != 0 && i + length <= utf8.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            const unsigned char next = byte(i + k);
            valid = (next & 0xC0) == 0x80;
            value = (value << 6) | (next & 0x3F);
        }
        valid =
            valid && value >= minimum && value <= 0x10FFFF && !(value >= 0xD800 && value <= 0xDFFF);
        out.byte_offsets.push_back(static_cast<std::uint32_t>(i));
        if (valid) {
            out.code_points.push_back(value);
            i += length;
        } else {
            out.code_points.push_back(0xFFFD);
            ++out.replaced;
            ++i;
        }
    }
    out.byte_offsets.push_back(static_cast<std::uint32_t>(utf8.size()));
    return out;
}

} // namespace kiosk::text
