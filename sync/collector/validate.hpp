#pragma once

// Checks one entry of an incoming batch: the request line the kiosk protocol requires, then the
// QuestionnaireResponse against its registered Questionnaire. A problem names the element at
// fault ("item[2].answer[0].valueCoding.code 'x' is not an option of 'fft-rating'"), so the
// kiosk's staff screen and the trust's IT can both see what is wrong without the answers
// themselves ever being logged.

#include "collector/registry.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace kiosk::collector {

struct EntryProblem {
    int status = 400;       // 400: not a well-formed entry; 422: breaks the Questionnaire's rules
    std::string code;       // FHIR issue type: "structure", "invalid", "value", "not-found", ...
    std::string message;    // names the element, relative to the resource (or "request.method")
    std::string expression; // FHIRPath of the element, e.g. "Bundle.entry[1].resource.item[0]"
};

struct AcceptedEntry {
    std::string identifier_value; // the system is always urn:ietf:rfc:3986
    std::string questionnaire;    // canonical as the response gives it
    std::string authored;         // empty when the response has none
    std::string content;          // canonical JSON text of the resource (see dump_json)
};

using EntryCheck = std::variant<AcceptedEntry, EntryProblem>;

// `index` is the entry's position in the Bundle, for the FHIRPath expression.
EntryCheck check_entry(const nlohmann::json& entry, std::size_t index, const Registry& registry);

// Decodes %XX escapes (ifNoneExist and search values may arrive URL-encoded). '+' is kept.
std::string percent_decode(std::string_view text);

} // namespace kiosk::collector
