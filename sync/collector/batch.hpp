#pragma once

// What the collector answers, independent of HTTP: the batch POST and the identifier search.
// The server adds authentication, transport and logging around these.

#include "collector/registry.hpp"
#include "outbox/sqlite_handle.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::collector {

// Deeper JSON than this is refused before parsing (a response is about 12 levels deep).
inline constexpr std::size_t kMaxJsonDepth = 64;

struct Reply {
    int http_status = 200;
    nlohmann::json body;             // a Bundle or an OperationOutcome
    std::vector<int> entry_statuses; // one per batch entry, for the log line
    std::string note;                // a short reason for the log line; never answer content
    bool retry_later = false;        // add Retry-After: the failure was temporary
};

// POST [base] with a batch Bundle from `device_id`. Every entry is checked, then all the
// accepted ones are stored in one transaction, committed before this returns: if the reply is
// then lost on the way, the retry finds them stored and gets 200, never a second copy.
Reply handle_batch(std::string_view body, const std::string& device_id, const Registry& registry,
                   outbox::Database& db, const std::string& received);

// GET [base]/QuestionnaireResponse?identifier=system|value from `device_id`.
Reply handle_search(const std::string& identifier_parameter, const std::string& device_id,
                    outbox::Database& db);

} // namespace kiosk::collector
