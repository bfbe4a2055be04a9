#include "collector/store.hpp"

#include "collector/fhir_json.hpp"
#include "collector/tokens.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace kiosk::collector {

namespace {

using outbox::Database;
using outbox::SqliteError;
using outbox::Statement;

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE devices (
    device_id    TEXT PRIMARY KEY NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created      TEXT NOT NULL
) STRICT;
CREATE TABLE responses (
    row_id            INTEGER PRIMARY KEY,
    resource_id       TEXT NOT NULL UNIQUE,
    identifier_system TEXT NOT NULL,
    identifier_value  TEXT NOT NULL,
    questionnaire     TEXT NOT NULL,
    authored          TEXT,
    device_id         TEXT NOT NULL,
    received          TEXT NOT NULL,
    content           TEXT NOT NULL,
    UNIQUE (identifier_system, identifier_value)
) STRICT;
CREATE INDEX responses_by_received ON responses (received, row_id);
PRAGMA user_version = 1;
)sql";

Error from(const SqliteError& error) {
    return store_error(error);
}

std::optional<Error> from(const std::optional<SqliteError>& error) {
    if (!error) {
        return std::nullopt;
    }
    return from(*error);
}

// SQLite would create the file with the umask's permissions; answers are free text written by
// patients, so the file is made private first.
std::optional<Error> create_private_file(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            return std::nullopt;
        }
        return Error{file.string() + ": cannot create the database: " + std::strerror(errno)};
    }
    ::close(fd);
    return std::nullopt;
}

std::optional<Error> migrate(Database& db) {
    Statement version = db.prepare("PRAGMA user_version");
    if (version.step() != Statement::Step::row) {
        return from(*version.error());
    }
    const std::int64_t current = version.column_int64(0);
    if (current == kSchemaVersion) {
        return std::nullopt;
    }
    if (current > kSchemaVersion) {
        return Error{db.file() + ": the database has schema version " + std::to_string(current) +
                     ", made by a newer kiosk-collector; this one knows up to " +
                     std::to_string(kSchemaVersion)};
    }
    outbox::Transaction transaction(db, outbox::Transaction::Mode::immediate);
    if (transaction.error()) {
        return from(transaction.error());
    }
    // Forward-only migrations, one step per version; version 0 is an empty file.
    if (current == 0) {
        if (auto error = db.exec(kSchemaV1)) {
            return from(*error);
        }
    }
    return from(transaction.commit());
}

StoredResponse read_row(const Statement& row) {
    StoredResponse stored;
    stored.resource_id = row.column_text(0);
    stored.identifier_system = row.column_text(1);
    stored.identifier_value = row.column_text(2);
    stored.questionnaire = row.column_text(3);
    stored.authored = row.column_optional_text(4).value_or("");
    stored.device_id = row.column_text(5);
    stored.received = row.column_text(6);
    stored.content = row.column_text(7);
    return stored;
}

constexpr const char* kResponseColumns =
    "resource_id, identifier_system, identifier_value, questionnaire, authored, device_id, "
    "received, content";

} // namespace

Error store_error(const SqliteError& error) {
    const int primary = error.primary_code();
    return Error{error.describe(), primary == SQLITE_BUSY || primary == SQLITE_LOCKED};
}

Result<Database> open_store(const std::filesystem::path& file) {
    if (auto error = create_private_file(file)) {
        return *error;
    }
    auto opened = Database::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (auto* error = std::get_if<SqliteError>(&opened)) {
        return from(*error);
    }
    Database db = std::get<Database>(std::move(opened));
    db.set_busy_timeout_ms(5000);
    // WAL lets export and search read while batches are written; synchronous=FULL makes a
    // commit durable before the 201 that acknowledges it is sent.
    if (auto error = db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")) {
        return from(*error);
    }
    if (auto error = migrate(db)) {
        return *error;
    }
    return db;
}

std::optional<Error> check_device_id(std::string_view device_id) {
    if (device_id.empty() || device_id.size() > 64) {
        return Error{"a device id must be 1 to 64 characters long"};
    }
    for (const char c : device_id) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
        if (!plain) {
            return Error{"the device id '" + std::string(device_id) +
                         "' may hold only letters, digits, '.', '-' and '_'"};
        }
    }
    return std::nullopt;
}

Result<std::optional<std::string>> device_for_token(Database& db, std::string_view token) {
    Statement query = db.prepare("SELECT device_id FROM devices WHERE token_sha256 = ?");
    query.bind(1, sha256_hex(token));
    switch (query.step()) {
    case Statement::Step::row:
        return std::optional<std::string>(query.column_text(0));
    case Statement::Step::done:
        return std::optional<std::string>();
    case Statement::Step::failed:
        break;
    }
    return from(*query.error());
}

std::optional<Error> add_device(Database& db, std::string_view device_id, std::string_view token,
                                std::string_view created) {
    if (auto error = check_device_id(device_id)) {
        return error;
    }
    Statement insert =
        db.prepare("INSERT INTO devices (device_id, token_sha256, created) VALUES (?, ?, ?)");
    insert.bind(1, device_id).bind(2, sha256_hex(token)).bind(3, created);
    if (insert.step() != Statement::Step::done) {
        if (insert.error() && insert.error()->code == SQLITE_CONSTRAINT_PRIMARYKEY) {
            return Error{"the device '" + std::string(device_id) +
                         "' already exists; remove it first (remove-device) to issue a new "
                         "token"};
        }
        return from(*insert.error());
    }
    return std::nullopt;
}

Result<bool> remove_device(Database& db, std::string_view device_id) {
    Statement remove = db.prepare("DELETE FROM devices WHERE device_id = ?");
    remove.bind(1, device_id);
    if (remove.step() != Statement::Step::done) {
        return from(*remove.error());
    }
    return sqlite3_changes(db.handle()) > 0;
}

Result<PutResult> put_response(Database& db, const AcceptedEntry& entry, std::string_view device_id,
                               std::string_view received) {
    Statement existing = db.prepare("SELECT resource_id, received, content FROM responses "
                                    "WHERE identifier_system = ? AND identifier_value = ?");
    existing.bind(1, std::string_view(kIdentifierSystem)).bind(2, entry.identifier_value);
    switch (existing.step()) {
    case Statement::Step::row: {
        PutResult result;
        result.outcome =
            existing.column_text(2) == entry.content ? PutOutcome::unchanged : PutOutcome::conflict;
        result.resource_id = existing.column_text(0);
        result.received = existing.column_text(1);
        return result;
    }
    case Statement::Step::done:
        break;
    case Statement::Step::failed:
        return from(*existing.error());
    }

    auto id = random_hex(16);
    if (auto* error = std::get_if<Error>(&id)) {
        return *error;
    }
    Statement insert = db.prepare(
        "INSERT INTO responses (resource_id, identifier_system, identifier_value, questionnaire, "
        "authored, device_id, received, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, std::get<std::string>(id))
        .bind(2, std::string_view(kIdentifierSystem))
        .bind(3, entry.identifier_value)
        .bind(4, entry.questionnaire);
    if (entry.authored.empty()) {
        insert.bind_null(5);
    } else {
        insert.bind(5, entry.authored);
    }
    insert.bind(6, device_id).bind(7, received).bind(8, entry.content);
    if (insert.step() != Statement::Step::done) {
        return from(*insert.error());
    }
    return PutResult{PutOutcome::created, std::get<std::string>(id), std::string(received)};
}

Result<std::vector<StoredResponse>> find_by_identifier(Database& db,
                                                       std::optional<std::string_view> system,
                                                       std::string_view value,
                                                       std::string_view device_id) {
    std::string sql = std::string("SELECT ") + kResponseColumns +
                      " FROM responses WHERE identifier_value = ? AND device_id = ?";
    if (system) {
        sql += " AND identifier_system = ?";
    }
    sql += " ORDER BY row_id";
    Statement query = db.prepare(sql);
    query.bind(1, value).bind(2, device_id);
    if (system) {
        query.bind(3, *system);
    }
    std::vector<StoredResponse> found;
    for (;;) {
        switch (query.step()) {
        case Statement::Step::row:
            found.push_back(read_row(query));
            continue;
        case Statement::Step::done:
            return found;
        case Statement::Step::failed:
            return from(*query.error());
        }
    }
}

std::optional<Error> for_each_response(Database& db,
                                       const std::function<bool(const StoredResponse&)>& visit) {
    Statement query = db.prepare(std::string("SELECT ") + kResponseColumns +
                                 " FROM responses ORDER BY received, row_id");
    for (;;) {
        switch (query.step()) {
        case Statement::Step::row:
            if (!visit(read_row(query))) {
                return std::nullopt;
            }
            continue;
        case Statement::Step::done:
            return std::nullopt;
        case Statement::Step::failed:
            return from(*query.error());
        }
    }
}

Result<std::int64_t> count_responses(Database& db) {
    Statement query = db.prepare("SELECT count(*) FROM responses");
    if (query.step() != Statement::Step::row) {
        return from(*query.error());
    }
    return query.column_int64(0);
}

} // namespace kiosk::collector
