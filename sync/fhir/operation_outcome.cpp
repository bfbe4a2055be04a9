#include "fhir/operation_outcome.hpp"

#include "fhir/limited_json.hpp"

#include <vector>

namespace kiosk::fhir {
namespace {

using json = nlohmann::json;

// The member `key` of `object` when it is a non-empty string, else empty.
std::string_view string_member(const json& object, const char* key) {
    if (!object.is_object()) {
        return {};
    }
    const auto found = object.find(key);
    if (found == object.end() || !found->is_string()) {
        return {};
    }
    return found->get_ref<const std::string&>();
}

std::string_view issue_text(const json& issue) {
    if (const auto diagnostics = string_member(issue, "diagnostics"); !diagnostics.empty()) {
        return diagnostics;
    }
    const auto details = issue.is_object() ? issue.find("details") : issue.end();
    if (!issue.is_object() || details == issue.end()) {
        return {};
    }
    if (const auto text = string_member(*details, "text"); !text.empty()) {
        return text;
    }
    const auto codings = details->is_object() ? details->find("coding") : details->end();
    if (details->is_object() && codings != details->end() && codings->is_array()) {
        for (const json& coding : *codings) {
            if (const auto display = string_member(coding, "display"); !display.empty()) {
                return display;
            }
        }
    }
    return {};
}

bool is_failure(const json& issue) {
    const auto severity = string_member(issue, "severity");
    return severity == "fatal" || severity == "error";
}

} // namespace

std::string_view to_string(IssueSeverity severity) {
    switch (severity) {
    case IssueSeverity::fatal:
        return "fatal";
    case IssueSeverity::error:
        return "error";
    case IssueSeverity::warning:
        return "warning";
    case IssueSeverity::information:
        return "information";
    }
    return "error";
}

json make_operation_outcome(std::span<const OutcomeIssue> issues) {
    json list = json::array();
    for (const OutcomeIssue& issue : issues) {
        json entry = {{"severity", to_string(issue.severity)}, {"code", issue.code}};
        if (!issue.diagnostics.empty()) {
            entry["diagnostics"] = issue.diagnostics;
        }
        if (!issue.expression.empty()) {
            entry["expression"] = json::array({issue.expression});
        }
        list.push_back(std::move(entry));
    }
    if (list.empty()) {
        list.push_back({{"severity", "information"}, {"code", "informational"}});
    }
    return {{"resourceType", "OperationOutcome"}, {"issue", std::move(list)}};
}

json make_operation_outcome(IssueSeverity severity, std::string_view code,
                            std::string_view diagnostics, std::string_view expression) {
    const OutcomeIssue issue{severity, std::string(code), std::string(diagnostics),
                             std::string(expression)};
    return make_operation_outcome(std::span<const OutcomeIssue>(&issue, 1));
}

std::string parse_operation_outcome_text(const json& outcome) {
    if (string_member(outcome, "resourceType") != "OperationOutcome") {
        return {};
    }
    const auto issues = outcome.find("issue");
    if (issues == outcome.end() || !issues->is_array()) {
        return {};
    }
    bool any_failure = false;
    for (const json& issue : *issues) {
        any_failure = any_failure || is_failure(issue);
    }
    std::string text;
    for (const json& issue : *issues) {
        if (any_failure && !is_failure(issue)) {
            continue;
        }
        const auto part = issue_text(issue);
        if (part.empty()) {
            continue;
        }
        if (!text.empty()) {
            text += "; ";
        }
        text += part;
        // A hostile or verbose server may send megabytes; stop once the result is full.
        if (text.size() > max_outcome_text_bytes) {
            break;
        }
    }
    return one_line(text, max_outcome_text_bytes);
}

std::string operation_outcome_text_in_body(std::string_view body) {
    // An explanation is a few kilobytes at most; do not parse a big error page to look for one.
    constexpr std::size_t largest_explanation = 1024 * 1024;
    if (body.size() > largest_explanation) {
        return {};
    }
    const auto parsed = parse_json_limited(body);
    return parsed.error ? std::string() : parse_operation_outcome_text(parsed.value);
}

} // namespace kiosk::fhir
