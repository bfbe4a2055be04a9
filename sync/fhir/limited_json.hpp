#pragma once

// Reading JSON that came from outside the program (a server's reply, a stored payload, a request
// at the collector) without trusting its shape.
//
// nlohmann's parser itself is iterative, but printing and walking a parsed value recurse, so a
// reply of a million '[' could still overflow the stack later. Parsing here drops anything nested
// deeper than a limit and reports it, so every value that comes out is safe to walk. Errors come
// back as plain words, never as exceptions.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::fhir {

// Deep enough for a QuestionnaireResponse with nested groups inside a Bundle entry (each group
// adds two levels: the item array and the item object), far below any stack limit.
inline constexpr std::size_t max_json_depth = 64;

template <class Json> struct LimitedParse {
    Json value;                       // discarded (null) when error is set
    std::optional<std::string> error; // e.g. "parse error at line 1, column 1: syntax error ..."
};

LimitedParse<nlohmann::json> parse_json_limited(std::string_view text,
                                                std::size_t max_depth = max_json_depth);

// Keeps the objects' member order, so a payload is forwarded as the kiosk wrote it.
LimitedParse<nlohmann::ordered_json>
parse_ordered_json_limited(std::string_view text, std::size_t max_depth = max_json_depth);

// At most `max_bytes` of `text` as one line for a log or the staff screen: control characters
// become spaces, invalid UTF-8 becomes '?', and a cut never splits a character ("..." marks it).
std::string one_line(std::string_view text, std::size_t max_bytes);

} // namespace kiosk::fhir
