#pragma once

// The collector's SQLite database: devices (token hashes) and received QuestionnaireResponses.
//
// The responses table has a permanent UNIQUE constraint on (identifier system, value) and nothing
// ever deletes from it: that constraint, not the client's good behaviour, is what makes "stored
// exactly once" true. Each connection belongs to one thread at a time (see outbox::Database).

#include "collector/error.hpp"
#include "collector/validate.hpp"
#include "outbox/sqlite_handle.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::collector {

inline constexpr int kSchemaVersion = 1;

// Opens the database, creating it (readable by its owner only) and its schema when missing.
// Refuses a database made by a newer collector.
Result<outbox::Database> open_store(const std::filesystem::path& file);

// A SQLite failure as an Error; busy and locked databases are marked temporary.
Error store_error(const outbox::SqliteError& error);

// Device ids are short and plain, because they appear in logs and CSV files:
// 1 to 64 of letters, digits, '.', '-' and '_'.
std::optional<Error> check_device_id(std::string_view device_id);

// The device a bearer token belongs to, or nothing for an unknown token.
Result<std::optional<std::string>> device_for_token(outbox::Database& db, std::string_view token);

// Stores the hash of `token` for a new device; fails when the device id is taken.
std::optional<Error> add_device(outbox::Database& db, std::string_view device_id,
                                std::string_view token, std::string_view created);

// Removes a device (its token stops working); its responses stay. False if there was none.
Result<bool> remove_device(outbox::Database& db, std::string_view device_id);

enum class PutOutcome { created, unchanged, conflict };

struct PutResult {
    PutOutcome outcome = PutOutcome::created;
    std::string resource_id; // of the stored response (the existing one unless created)
    std::string received;    // when the stored response was first received
};

// Stores a response unless its identifier is known; compares content when it is. Call inside a
// transaction so that the look-up and the insert are one step.
Result<PutResult> put_response(outbox::Database& db, const AcceptedEntry& entry,
                               std::string_view device_id, std::string_view received);

struct StoredResponse {
    std::string resource_id;
    std::string identifier_system;
    std::string identifier_value;
    std::string questionnaire;
    std::string authored;
    std::string device_id;
    std::string received;
    std::string content;
};

// The responses with this identifier sent by `device_id` (0 or 1). An empty `system` matches any.
Result<std::vector<StoredResponse>> find_by_identifier(outbox::Database& db,
                                                       std::optional<std::string_view> system,
                                                       std::string_view value,
                                                       std::string_view device_id);

// Every stored response in the order received; `visit` returns false to stop.
std::optional<Error> for_each_response(outbox::Database& db,
                                       const std::function<bool(const StoredResponse&)>& visit);

Result<std::int64_t> count_responses(outbox::Database& db);

} // namespace kiosk::collector
