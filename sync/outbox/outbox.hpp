#pragma once

// The durable outbox: completed QuestionnaireResponses wait here until the delivery worker has
// them acknowledged by the central endpoint.
//
// Durability comes first. The database runs in WAL mode with synchronous=FULL, and append() returns
// `stored` only after its transaction has committed, so the thank-you screen may show as soon as it
// does. Expected failures (disk full, a damaged file, a database from a newer kiosk) come back as
// values naming the file, what was being done, and SQLite's or the OS's message; nothing here
// throws for them.
//
// An Outbox is one SQLite connection and is not thread-safe: each thread (UI, delivery worker)
// opens its own on the same file.

#include "outbox/sqlite_handle.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::outbox {

enum class ResponseState { queued, sending, acknowledged, rejected };

// The spelling stored in the database: "queued", "sending", "acknowledged", "rejected".
std::string_view to_string(ResponseState state);
std::optional<ResponseState> response_state_from_string(std::string_view text);

struct OutboxError {
    enum class Kind {
        // The data directory could not be created or the file could not be opened.
        cannot_open,
        // Not a database, or it failed its integrity check. The caller should move the file aside
        // and start a fresh one; the outbox never moves or deletes it itself.
        corrupt,
        // Written by a newer kiosk (schema newer than this code knows). Refused and left untouched,
        // so rolling back to an older package cannot damage the newer data.
        too_new,
        // The identifier is already stored with different content. Nothing was overwritten.
        conflict,
        // The response is missing a field that must not be empty.
        invalid,
        // No room: the disk is full, or the size cap from OutboxOptions was reached.
        full,
        // Any other failure of SQLite or the file system (I/O error, locked too long, ...).
        storage,
    };

    Kind kind = Kind::storage;
    std::string file;  // the database file
    std::string what;  // what the outbox was doing, in plain words
    std::string cause; // SQLite's or the operating system's message

    // "file: what: cause", for logs and the staff screen.
    std::string describe() const;
};

std::string_view to_string(OutboxError::Kind kind);

struct OutboxOptions {
    // Limits the database size, in pages (PRAGMA max_page_count; 4 KiB pages by default). Used for
    // a size cap and by tests to simulate a full disk. SQLite never sets it below the file's
    // current size. Unset means SQLite's default, which is effectively unlimited.
    std::optional<std::int64_t> max_page_count;
};

struct NewResponse {
    std::string identifier;    // "urn:uuid:...": the key the receiver and the outbox deduplicate on
    std::string questionnaire; // canonical "url|version"
    std::string authored;      // ISO 8601 UTC text, as in the resource
    std::string payload;       // the QuestionnaireResponse JSON, stored byte for byte
    std::int64_t created_at_ms = 0; // Unix milliseconds, from the caller's clock
};

struct StoredResponse {
    std::int64_t id = 0;
    std::string identifier;
    std::string questionnaire;
    std::string authored;
    std::string payload;
    ResponseState state = ResponseState::queued;
    std::int64_t created_at_ms = 0;
    std::int64_t attempts = 0;
    std::optional<int> last_status; // HTTP status of the last delivery attempt
    std::optional<std::string> last_error;

    bool operator==(const StoredResponse&) const = default;
};

struct AppendResult {
    enum class Status {
        stored,
        // The same identifier with the same content was already there; nothing was written. This
        // makes a retried submit harmless.
        already_stored,
        failed,
    };
    Status status = Status::failed;
    std::optional<OutboxError> error; // set exactly when status is failed
};

struct CountResult {
    std::int64_t count = 0;
    std::optional<OutboxError> error;
};

struct ListResult {
    std::vector<StoredResponse> responses;
    std::optional<OutboxError> error;
};

// What the connection really runs with, read back from SQLite rather than taken on trust: for the
// status display and for tests.
struct ConnectionSettings {
    std::string journal_mode; // "wal"
    std::string synchronous;  // "off", "normal", "full" or "extra"
    bool foreign_keys = false;
    std::int64_t busy_timeout_ms = 0;
    std::int64_t max_page_count = 0;
};

struct SettingsResult {
    ConnectionSettings settings;
    std::optional<OutboxError> error;
};

struct OpenResult;

class Outbox {
public:
    // Creates the data directory (the file's parent) if needed, opens or creates the database,
    // checks it (PRAGMA quick_check, so opening reads the whole file), refuses a schema newer than
    // this code, switches to WAL with synchronous=FULL, and migrates an older schema.
    static OpenResult open(const std::filesystem::path& file, const OutboxOptions& options = {});

    // Stores a completed response in one BEGIN IMMEDIATE transaction. `stored` means committed and
    // durable. An identifier already present with identical questionnaire, authored and payload
    // gives `already_stored`; with any difference it is a `conflict` failure and the stored row is
    // left as it was.
    AppendResult append(const NewResponse& response);

    // Rows in the given state, or all rows.
    CountResult count(std::optional<ResponseState> state = std::nullopt);

    // At most `limit` rows in the given state (or all states), oldest first.
    ListResult list(std::optional<ResponseState> state, std::size_t limit);

    // The schema version the database was brought to when it was opened.
    int schema_version() const { return schema_version_; }
    const std::filesystem::path& file() const { return file_; }

    SettingsResult connection_settings();

private:
    Outbox(Database database, std::filesystem::path file, int schema_version);

    OutboxError error_from(const SqliteError& error, std::string what) const;

    Database database_;
    std::filesystem::path file_;
    int schema_version_ = 0;
};

struct OpenResult {
    std::optional<Outbox> outbox;
    std::optional<OutboxError> error; // set exactly when outbox is empty
};

} // namespace kiosk::outbox
