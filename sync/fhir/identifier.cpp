#include "fhir/identifier.hpp"

#include <cstddef>

namespace kiosk::fhir {
namespace {

constexpr std::string_view urn_uuid_prefix = "urn:uuid:";
constexpr std::size_t uuid_length = 36;

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f');
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

bool is_uuid(std::string_view text) {
    if (text.size() != uuid_length) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool dash_place = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash_place ? text[i] != '-' : !is_hex(text[i])) {
            return false;
        }
    }
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    return lower(c) - 'a' + 10;
}

std::string percent_decoded(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2])) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

} // namespace

bool is_urn_uuid(std::string_view text) {
    return text.size() == urn_uuid_prefix.size() + uuid_length &&
           same_ignoring_case(text.substr(0, urn_uuid_prefix.size()), urn_uuid_prefix) &&
           is_uuid(text.substr(urn_uuid_prefix.size()));
}

bool same_urn_uuid(std::string_view a, std::string_view b) {
    return same_ignoring_case(a, b);
}

std::string if_none_exist_query(std::string_view identifier) {
    std::string query = "identifier=";
    query += identifier_system;
    query += '|';
    query += identifier;
    return query;
}

std::vector<std::string> urn_uuids_in(std::string_view text) {
    const std::string decoded = percent_decoded(text);
    const std::string_view view = decoded;
    std::vector<std::string> found;
    const std::size_t whole = urn_uuid_prefix.size() + uuid_length;
    for (std::size_t i = 0; i + whole <= view.size(); ++i) {
        const std::string_view candidate = view.substr(i, whole);
        if (is_urn_uuid(candidate)) {
            found.emplace_back(candidate);
            i += whole - 1;
        }
    }
    return found;
}

} // namespace kiosk::fhir
