#pragma once

// OperationOutcome: how a FHIR server says what went wrong. The collector writes them (one issue
// per problem it finds in an entry); the kiosk reads them to tell staff why a response was refused.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace kiosk::fhir {

enum class IssueSeverity { fatal, error, warning, information };

// The FHIR code: "fatal", "error", "warning", "information".
std::string_view to_string(IssueSeverity severity);

struct OutcomeIssue {
    IssueSeverity severity = IssueSeverity::error;
    // A FHIR IssueType code: "invalid", "structure", "required", "value", "duplicate", "conflict",
    // "not-found", "processing", "security", "forbidden", "too-costly", "exception", ...
    std::string code = "processing";
    std::string diagnostics; // plain words for people; left out when empty
    std::string expression;  // FHIRPath of the element at fault; left out when empty
};

// {"resourceType":"OperationOutcome","issue":[{"severity":..,"code":..,"diagnostics":..,
//  "expression":[..]}]}. FHIR requires at least one issue, so an empty list gives a single
// "information"/"informational" issue.
nlohmann::json make_operation_outcome(std::span<const OutcomeIssue> issues);

nlohmann::json make_operation_outcome(IssueSeverity severity, std::string_view code,
                                      std::string_view diagnostics,
                                      std::string_view expression = {});

// Longest text parse_operation_outcome_text returns, in bytes.
inline constexpr std::size_t max_outcome_text_bytes = 500;

// The people-readable part of an OperationOutcome, one line: each issue's `diagnostics`, else its
// `details.text`, else its first `details.coding[].display`, joined with "; ". When some issues are
// fatal or errors, only those are used, so a warning does not hide the reason for a refusal.
// Empty when the value is not an OperationOutcome or says nothing readable. Never throws.
std::string parse_operation_outcome_text(const nlohmann::json& outcome);

// The same, from a reply body as received: servers usually explain a 4xx or 5xx for the whole
// request with an OperationOutcome, which staff should see instead of a bare status. Empty when
// the body is not one (HTML, malformed, too deep, over 1 MiB). Never throws.
std::string operation_outcome_text_in_body(std::string_view body);

} // namespace kiosk::fhir
