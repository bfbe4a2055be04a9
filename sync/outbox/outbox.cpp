#include "outbox/outbox.hpp"

#include "outbox/schema.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <limits>
#include <system_error>
#include <utility>

namespace kiosk::outbox {

namespace {

// Long enough to ride out the delivery worker's or the kiosk-sync tool's short write transactions;
// short enough that a stuck lock turns into a reported failure rather than a frozen screen.
constexpr int busy_timeout_ms = 5000;

// quick_check can list many problems; the first few are enough to tell staff what happened.
constexpr int quick_check_messages_kept = 3;

OutboxError::Kind kind_of(const SqliteError& error) {
    switch (error.primary_code()) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return OutboxError::Kind::corrupt;
    case SQLITE_FULL:
        return OutboxError::Kind::full;
    case SQLITE_CANTOPEN:
        return OutboxError::Kind::cannot_open;
    default:
        return OutboxError::Kind::storage;
    }
}

OutboxError to_outbox_error(const SqliteError& error, std::string what) {
    return OutboxError{kind_of(error), error.file, std::move(what), error.message};
}

OpenResult open_failure(OutboxError error) {
    return OpenResult{std::nullopt, std::move(error)};
}

// One text value from a pragma that answers with a single row.
std::optional<SqliteError> read_pragma_text(Database& database, std::string_view pragma,
                                            std::string& value) {
    auto statement = database.prepare(pragma);
    if (statement.step() != Statement::Step::row) {
        return statement.error();
    }
    value = statement.column_text(0);
    return std::nullopt;
}

std::optional<SqliteError> read_pragma_number(Database& database, std::string_view pragma,
                                              std::int64_t& value) {
    auto statement = database.prepare(pragma);
    if (statement.step() != Statement::Step::row) {
        return statement.error();
    }
    value = statement.column_int64(0);
    return std::nullopt;
}

std::string synchronous_name(std::int64_t level) {
    switch (level) {
    case 0:
        return "off";
    case 1:
        return "normal";
    case 2:
        return "full";
    case 3:
        return "extra";
    default:
        return std::to_string(level);
    }
}

std::string lower_case(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return text;
}

// Returns the problems quick_check found (empty when the database is sound) or why it could not
// run. A file damaged badly enough makes the check itself fail with SQLITE_CORRUPT.
std::optional<OutboxError> check_integrity(Database& database) {
    auto statement = database.prepare("PRAGMA quick_check");
    std::string problems;
    int kept = 0;
    for (;;) {
        const auto step = statement.step();
        if (step == Statement::Step::failed) {
            return to_outbox_error(*statement.error(), "check the database (quick_check)");
        }
        if (step == Statement::Step::done) {
            break;
        }
        std::string line = statement.column_text(0);
        if (line == "ok") {
            continue;
        }
        // One report may span lines; log lines and the staff screen want one.
        std::replace(line.begin(), line.end(), '\n', ' ');
        if (kept < quick_check_messages_kept) {
            problems += problems.empty() ? line : "; " + line;
        }
        ++kept;
    }
    if (kept == 0) {
        return std::nullopt;
    }
    if (kept > quick_check_messages_kept) {
        problems += "; and " + std::to_string(kept - quick_check_messages_kept) + " more";
    }
    return OutboxError{OutboxError::Kind::corrupt, database.file(),
                       "check the database (quick_check)", problems};
}

} // namespace

std::string_view to_string(ResponseState state) {
    switch (state) {
    case ResponseState::queued:
        return "queued";
    case ResponseState::sending:
        return "sending";
    case ResponseState::acknowledged:
        return "acknowledged";
    case ResponseState::rejected:
        return "rejected";
    }
    return "unknown";
}

std::optional<ResponseState> response_state_from_string(std::string_view text) {
    for (auto state : {ResponseState::queued, ResponseState::sending, ResponseState::acknowledged,
                       ResponseState::rejected}) {
        if (text == to_string(state)) {
            return state;
        }
    }
    return std::nullopt;
}

std::string_view to_string(OutboxError::Kind kind) {
    switch (kind) {
    case OutboxError::Kind::cannot_open:
        return "cannot open";
    case OutboxError::Kind::corrupt:
        return "corrupt";
    case OutboxError::Kind::too_new:
        return "too new";
    case OutboxError::Kind::conflict:
        return "conflict";
    case OutboxError::Kind::invalid:
        return "invalid";
    case OutboxError::Kind::full:
        return "full";
    case OutboxError::Kind::storage:
        return "storage";
    }
    return "unknown";
}

std::string OutboxError::describe() const {
    std::string text = file;
    text += ": ";
    text += what;
    if (!cause.empty()) {
        text += ": ";
        text += cause;
    }
    return text;
}

Outbox::Outbox(Database database, std::filesystem::path file, int schema_version)
    : database_(std::move(database)), file_(std::move(file)), schema_version_(schema_version) {}

OutboxError Outbox::error_from(const SqliteError& error, std::string what) const {
    auto result = to_outbox_error(error, std::move(what));
    result.file = file_.string();
    return result;
}

OpenResult Outbox::open(const std::filesystem::path& file, const OutboxOptions& options) {
    const std::string file_name = file.string();

    if (const auto directory = file.parent_path(); !directory.empty()) {
        std::error_code failure;
        std::filesystem::create_directories(directory, failure);
        if (!failure && !std::filesystem::is_directory(directory, failure) && !failure) {
            failure = std::make_error_code(std::errc::not_a_directory);
        }
        if (failure) {
            return open_failure({OutboxError::Kind::cannot_open, file_name,
                                 "create the data directory " + directory.string(),
                                 failure.message()});
        }
    }

    // NOMUTEX: a connection belongs to one thread, so SQLite's per-connection mutex buys nothing.
    auto opened =
        Database::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
    if (auto* failure = std::get_if<SqliteError>(&opened)) {
        auto error = to_outbox_error(*failure, "open the database");
        if (error.kind == OutboxError::Kind::storage) {
            error.kind = OutboxError::Kind::cannot_open;
        }
        return open_failure(std::move(error));
    }
    auto& database = std::get<Database>(opened);
    database.set_busy_timeout_ms(busy_timeout_ms);

    // Everything up to the journal mode switch only reads, so a file refused here (not a database,
    // damaged, too new) is left exactly as it was found.
    const auto found = read_schema_version(database);
    if (found.error) {
        return open_failure(to_outbox_error(*found.error, "read the schema version"));
    }
    if (found.version > latest_schema_version()) {
        return open_failure({OutboxError::Kind::too_new, file_name, "open the database",
                             "its schema version is " + std::to_string(found.version) +
                                 " but this kiosk knows versions up to " +
                                 std::to_string(latest_schema_version()) +
                                 "; it was written by a newer kiosk, so it is left untouched"});
    }
    if (found.version < 0) {
        return open_failure({OutboxError::Kind::corrupt, file_name, "open the database",
                             "its schema version is " + std::to_string(found.version) +
                                 ", which no kiosk ever writes"});
    }
    if (auto problem = check_integrity(database)) {
        return open_failure(std::move(*problem));
    }

    if (options.max_page_count) {
        std::int64_t applied = 0;
        if (auto error = read_pragma_number(
                database, "PRAGMA max_page_count = " + std::to_string(*options.max_page_count),
                applied)) {
            return open_failure(to_outbox_error(*error, "limit the database size"));
        }
    }

    // WAL cannot be taken for granted: SQLite keeps the old mode and says so in the answer (on a
    // file system without shared memory, for instance), and synchronous=FULL alone is not the
    // durability promise the design makes.
    std::string journal_mode;
    if (auto error = read_pragma_text(database, "PRAGMA journal_mode = WAL", journal_mode)) {
        return open_failure(to_outbox_error(*error, "switch to write-ahead logging"));
    }
    if (lower_case(journal_mode) != "wal") {
        return open_failure({OutboxError::Kind::storage, file_name, "switch to write-ahead logging",
                             "SQLite kept journal_mode " + journal_mode});
    }
    for (const auto* setting : {"PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"}) {
        if (auto error = database.exec(setting)) {
            return open_failure(to_outbox_error(*error, std::string("apply ") + setting));
        }
    }

    if (auto error = migrate(database, found.version)) {
        return open_failure(to_outbox_error(
            *error, "bring the schema from version " + std::to_string(found.version) + " to " +
                        std::to_string(latest_schema_version()) + ": " + error->what));
    }
    const auto migrated = read_schema_version(database);
    if (migrated.error) {
        return open_failure(to_outbox_error(*migrated.error, "read the schema version"));
    }
    if (migrated.version != latest_schema_version()) {
        return open_failure({OutboxError::Kind::too_new, file_name, "open the database",
                             "another process moved the schema to version " +
                                 std::to_string(migrated.version) + " while this kiosk knows " +
                                 std::to_string(latest_schema_version())});
    }

    return OpenResult{Outbox(std::move(database), file, migrated.version), std::nullopt};
}

AppendResult Outbox::append(const NewResponse& response) {
    const auto failed = [](OutboxError error) {
        return AppendResult{AppendResult::Status::failed, std::move(error)};
    };
    const std::array<std::pair<std::string_view, const std::string*>, 4> required{{
        {"identifier", &response.identifier},
        {"questionnaire", &response.questionnaire},
        {"authored", &response.authored},
        {"payload", &response.payload},
    }};
    for (const auto& [name, value] : required) {
        if (value->empty()) {
            return failed({OutboxError::Kind::invalid, file_.string(),
                           "store response " + response.identifier,
                           "its " + std::string(name) + " is empty"});
        }
    }

    const std::string what = "store response " + response.identifier;
    Transaction transaction(database_, Transaction::Mode::immediate);
    if (transaction.error()) {
        return failed(error_from(*transaction.error(), what));
    }

    {
        auto existing = database_.prepare(
            "SELECT questionnaire, authored, payload FROM responses WHERE identifier = ?1");
        existing.bind(1, response.identifier);
        switch (existing.step()) {
        case Statement::Step::failed:
            return failed(error_from(*existing.error(), what));
        case Statement::Step::done:
            break;
        case Statement::Step::row:
            if (existing.column_text(0) == response.questionnaire &&
                existing.column_text(1) == response.authored &&
                existing.column_text(2) == response.payload) {
                return AppendResult{AppendResult::Status::already_stored, std::nullopt};
            }
            // Overwriting would silently replace answers that may already have been delivered;
            // a different response under the same identifier is a bug upstream, not a retry.
            return failed({OutboxError::Kind::conflict, file_.string(), what,
                           "a different response is already stored under this identifier; "
                           "the stored one was kept"});
        }
    }

    {
        auto insert = database_.prepare(
            "INSERT INTO responses (identifier, questionnaire, authored, payload, created_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5)");
        insert.bind(1, response.identifier)
            .bind(2, response.questionnaire)
            .bind(3, response.authored)
            .bind(4, response.payload)
            .bind(5, response.created_at_ms);
        if (insert.step() != Statement::Step::done) {
            return failed(error_from(*insert.error(), what));
        }
    }

    if (auto error = transaction.commit()) {
        return failed(error_from(*error, what));
    }
    return AppendResult{AppendResult::Status::stored, std::nullopt};
}

CountResult Outbox::count(std::optional<ResponseState> state) {
    auto statement = database_.prepare(state ? "SELECT count(*) FROM responses WHERE state = ?1"
                                             : "SELECT count(*) FROM responses");
    if (state) {
        statement.bind(1, to_string(*state));
    }
    if (statement.step() != Statement::Step::row) {
        return CountResult{0, error_from(*statement.error(), "count responses")};
    }
    return CountResult{statement.column_int64(0), std::nullopt};
}

ListResult Outbox::list(std::optional<ResponseState> state, std::size_t limit) {
    // Two texts rather than "?1 IS NULL OR state = ?1", which would keep SQLite off the index.
    constexpr std::string_view columns =
        "SELECT id, identifier, questionnaire, authored, payload, state, created_at, attempts, "
        "last_status, last_error FROM responses ";
    const std::string sql = std::string(columns) + (state ? "WHERE state = ?1 ORDER BY id LIMIT ?2"
                                                          : "ORDER BY id LIMIT ?2");
    auto statement = database_.prepare(sql);
    if (state) {
        statement.bind(1, to_string(*state));
    }
    const auto largest = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    statement.bind(2, static_cast<std::int64_t>(std::min(limit, largest)));

    ListResult result;
    for (;;) {
        const auto step = statement.step();
        if (step == Statement::Step::done) {
            return result;
        }
        if (step == Statement::Step::failed) {
            return ListResult{{}, error_from(*statement.error(), "list responses")};
        }
        StoredResponse row;
        row.id = statement.column_int64(0);
        row.identifier = statement.column_text(1);
        row.questionnaire = statement.column_text(2);
        row.authored = statement.column_text(3);
        row.payload = statement.column_text(4);
        const auto state_text = statement.column_text(5);
        const auto parsed = response_state_from_string(state_text);
        if (!parsed) {
            // The CHECK constraint makes this unreachable unless the file was edited by hand.
            return ListResult{{},
                              OutboxError{OutboxError::Kind::corrupt, file_.string(),
                                          "list responses",
                                          "response " + row.identifier + " has unknown state '" +
                                              state_text + "'"}};
        }
        row.state = *parsed;
        row.created_at_ms = statement.column_int64(6);
        row.attempts = statement.column_int64(7);
        if (const auto status = statement.column_optional_int64(8)) {
            row.last_status = static_cast<int>(*status);
        }
        row.last_error = statement.column_optional_text(9);
        result.responses.push_back(std::move(row));
    }
}

SettingsResult Outbox::connection_settings() {
    SettingsResult result;
    auto& settings = result.settings;
    std::int64_t synchronous = 0;
    std::int64_t foreign_keys = 0;
    std::optional<SqliteError> error =
        read_pragma_text(database_, "PRAGMA journal_mode", settings.journal_mode);
    if (!error) {
        error = read_pragma_number(database_, "PRAGMA synchronous", synchronous);
    }
    if (!error) {
        error = read_pragma_number(database_, "PRAGMA foreign_keys", foreign_keys);
    }
    if (!error) {
        error = read_pragma_number(database_, "PRAGMA busy_timeout", settings.busy_timeout_ms);
    }
    if (!error) {
        error = read_pragma_number(database_, "PRAGMA max_page_count", settings.max_page_count);
    }
    if (error) {
        return SettingsResult{{}, error_from(*error, "read the connection settings")};
    }
    settings.synchronous = synchronous_name(synchronous);
    settings.foreign_keys = foreign_keys != 0;
    return result;
}

} // namespace kiosk::outbox
