#pragma once

// The few FHIR R4 resources the collector writes: OperationOutcome, CapabilityStatement and the
// batch-response / searchset Bundles.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace kiosk::collector {

inline constexpr const char* kFhirJson = "application/fhir+json; charset=utf-8";
inline constexpr const char* kIdentifierSystem = "urn:ietf:rfc:3986";

// An OperationOutcome with one error issue. `code` is a FHIR issue-type code ("invalid",
// "value", "not-found", "conflict", "login", "too-long", "exception", "not-supported");
// `expression`, when given, is the FHIRPath of the element at fault.
nlohmann::json operation_outcome(std::string_view code, std::string_view diagnostics,
                                 std::string_view expression = {});

// "201 Created", "422 Unprocessable Entity", ...: the text FHIR puts in entry.response.status.
std::string status_line(int status);

// What this server does, for GET [base]/metadata. `date` is when the server started.
nlohmann::json capability_statement(std::string_view date, std::string_view software_version);

// nlohmann::json::dump() that never throws on text: invalid UTF-8 (which the parser never lets
// through anyway) is replaced rather than fatal. Object keys come out sorted, so equal content
// gives equal text: that is what "same content" means for a stored response.
std::string dump_json(const nlohmann::json& json);

// The deepest nesting of arrays and objects in a JSON text, without parsing it. Used to refuse
// hostile inputs before the (recursive) serializer ever sees them.
std::size_t json_nesting_depth(std::string_view text);

} // namespace kiosk::collector
