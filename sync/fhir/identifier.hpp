#pragma once

// The business identifier that makes delivery exactly-once: every QuestionnaireResponse carries
// identifier {system: urn:ietf:rfc:3986, value: urn:uuid:...}, and the batch entry asks the server
// to create it only if no resource with that identifier exists yet (ifNoneExist).

#include <string>
#include <string_view>
#include <vector>

namespace kiosk::fhir {

inline constexpr std::string_view identifier_system = "urn:ietf:rfc:3986";

// "urn:uuid:" followed by a UUID in 8-4-4-4-12 hex form, letters in either case. Only this form is
// sent, so the ifNoneExist search never needs escaping (no ',', '|', '$', '\\', '&' or '%').
bool is_urn_uuid(std::string_view text);

// URNs and UUIDs compare without regard to case (RFC 8141, RFC 4122).
bool same_urn_uuid(std::string_view a, std::string_view b);

// "identifier=urn:ietf:rfc:3986|urn:uuid:...", the search the server runs before creating.
std::string if_none_exist_query(std::string_view identifier);

// Every "urn:uuid:<uuid>" inside `text` after percent-decoding it, in order. Used to check that a
// reply's response.location does not name a different response than the one sent.
std::vector<std::string> urn_uuids_in(std::string_view text);

} // namespace kiosk::fhir
