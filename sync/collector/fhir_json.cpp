#include "collector/fhir_json.hpp"

namespace kiosk::collector {

nlohmann::json operation_outcome(std::string_view code, std::string_view diagnostics,
                                 std::string_view expression) {
    nlohmann::json issue = {
        {"severity", "error"},
        {"code", std::string(code)},
        {"diagnostics", std::string(diagnostics)},
    };
    if (!expression.empty()) {
        issue["expression"] = nlohmann::json::array({std::string(expression)});
    }
    return {{"resourceType", "OperationOutcome"}, {"issue", nlohmann::json::array({issue})}};
}

std::string status_line(int status) {
    const char* reason = "";
    switch (status) {
    case 200:
        reason = "OK";
        break;
    case 201:
        reason = "Created";
        break;
    case 400:
        reason = "Bad Request";
        break;
    case 401:
        reason = "Unauthorized";
        break;
    case 403:
        reason = "Forbidden";
        break;
    case 404:
        reason = "Not Found";
        break;
    case 405:
        reason = "Method Not Allowed";
        break;
    case 409:
        reason = "Conflict";
        break;
    case 411:
        reason = "Length Required";
        break;
    case 413:
        reason = "Payload Too Large";
        break;
    case 415:
        reason = "Unsupported Media Type";
        break;
    case 422:
        reason = "Unprocessable Entity";
        break;
    case 500:
        reason = "Internal Server Error";
        break;
    case 503:
        reason = "Service Unavailable";
        break;
    default:
        break;
    }
    std::string line = std::to_string(status);
    if (*reason != '\0') {
        line += ' ';
        line += reason;
    }
    return line;
}

nlohmann::json capability_statement(std::string_view date, std::string_view software_version) {
    nlohmann::json resource = {
        {"type", "QuestionnaireResponse"},
        {"interaction", nlohmann::json::array({{{"code", "create"}}, {{"code", "search-type"}}})},
        {"conditionalCreate", true},
        {"searchParam",
         nlohmann::json::array({{{"name", "identifier"},
                                 {"type", "token"},
                                 {"documentation", "system|value; only the device's own responses "
                                                   "are found"}}})},
    };
    nlohmann::json rest = {
        {"mode", "server"},
        {"documentation", "Ward feedback kiosk reference collector: POST a batch Bundle of "
                          "QuestionnaireResponse creates with ifNoneExist on the identifier."},
        {"security",
         {{"cors", false},
          {"description", "A bearer token per device (Authorization: Bearer ...); optionally a "
                          "TLS client certificate."}}},
        {"resource", nlohmann::json::array({resource})},
        {"interaction", nlohmann::json::array({{{"code", "batch"}}})},
    };
    return {
        {"resourceType", "CapabilityStatement"},
        {"status", "active"},
        {"date", std::string(date)},
        {"kind", "instance"},
        {"software", {{"name", "kiosk-collector"}, {"version", std::string(software_version)}}},
        {"implementation", {{"description", "Ward feedback kiosk reference collector"}}},
        {"fhirVersion", "4.0.1"},
        {"format", nlohmann::json::array({"json"})},
        {"rest", nlohmann::json::array({rest})},
    };
}

std::string dump_json(const nlohmann::json& json) {
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::size_t json_nesting_depth(std::string_view text) {
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        switch (c) {
        case '"':
            in_string = true;
            break;
        case '[':
        case '{':
            ++depth;
            deepest = std::max(deepest, depth);
            break;
        case ']':
        case '}':
            if (depth > 0) {
                --depth;
            }
            break;
        default:
            break;
        }
    }
    return deepest;
}

} // namespace kiosk::collector
