#include "fhir/limited_json.hpp"

#include <algorithm>
#include <string_view>

namespace kiosk::fhir {
namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] "; people need only the rest.
std::string plain_parse_message(std::string_view message) {
    if (!message.empty() && message.front() == '[') {
        const auto end = message.find("] ");
        if (end != std::string_view::npos) {
            message.remove_prefix(end + 2);
        }
    }
    // The message quotes the bytes last read, which may be anything the server sent.
    return one_line(message, 300);
}

template <class Json>
LimitedParse<Json> parse_limited(std::string_view text, std::size_t max_depth) {
    LimitedParse<Json> result;
    bool too_deep = false;
    // Returning false for a container start discards it and everything inside it; the parser
    // still reads through it (without recursion), so the text is checked to the end.
    using Event = typename Json::parse_event_t;
    auto keep = [&](int depth, Event event, Json&) {
        const bool opens = event == Event::object_start || event == Event::array_start;
        if (opens && static_cast<std::size_t>(depth) >= max_depth) {
            too_deep = true;
            return false;
        }
        return true;
    };
    try {
        result.value = Json::parse(text.begin(), text.end(), keep, /*allow_exceptions=*/true,
                                   /*ignore_comments=*/false);
    } catch (const nlohmann::json::exception& error) {
        result.value = nullptr;
        result.error = plain_parse_message(error.what());
        return result;
    }
    if (too_deep) {
        result.value = nullptr;
        result.error = "nested deeper than " + std::to_string(max_depth) + " levels";
    }
    return result;
}

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not one.
std::size_t utf8_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) {
        return static_cast<unsigned char>(text[k]);
    };
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead < 0x80) {
        return 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
        high = lead == 0xED ? 0x9F : 0xBF; // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (i + length > text.size()) {
        return 0;
    }
    if (byte(i + 1) < low || byte(i + 1) > high) {
        return 0;
    }
    for (std::size_t k = 2; k < length; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) {
            return 0;
        }
    }
    return length;
}

} // namespace

LimitedParse<nlohmann::json> parse_json_limited(std::string_view text, std::size_t max_depth) {
    return parse_limited<nlohmann::json>(text, max_depth);
}

LimitedParse<nlohmann::ordered_json> parse_ordered_json_limited(std::string_view text,
                                                                std::size_t max_depth) {
    return parse_limited<nlohmann::ordered_json>(text, max_depth);
}

std::string one_line(std::string_view text, std::size_t max_bytes) {
    constexpr std::string_view ellipsis = "...";
    // Cleaning keeps the length (a character stays the same bytes, a bad byte becomes one '?'),
    // so only text longer than the limit is cut, and then room is left for the ellipsis.
    const bool cut = text.size() > max_bytes;
    const std::size_t budget =
        !cut ? max_bytes : (max_bytes >= ellipsis.size() ? max_bytes - ellipsis.size() : 0);
    std::string out;
    out.reserve(std::min(text.size(), max_bytes));
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t length = utf8_length(text, i);
        const std::size_t step = length == 0 ? 1 : length;
        if (out.size() + step > budget) {
            break;
        }
        if (length == 0) {
            out += '?';
        } else if (length == 1) {
            const auto c = static_cast<unsigned char>(text[i]);
            out += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
        } else {
            out.append(text.substr(i, length));
        }
        i += step;
    }
    if (cut && max_bytes >= ellipsis.size()) {
        out += ellipsis;
    }
    return out;
}

} // namespace kiosk::fhir
