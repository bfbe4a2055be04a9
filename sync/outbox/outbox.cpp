#include "outbox/outbox.hpp"

#include "outbox/schema.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <limits>
#include <span>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace kiosk::outbox {

namespace {

// Long enough to ride out the delivery worker's or the kiosk-sync tool's short write transactions;
// short enough that a stuck lock turns into a reported failure rather than a frozen screen.
constexpr int busy_timeout_ms = 5000;

// quick_check can list many problems; the first few are enough to tell staff what happened.
constexpr int quick_check_messages_kept = 3;

// The page size of the outbox, and the write-ahead log's size, in bytes, at which SQLite copies it
// back into the database file: see Outbox::open.
constexpr int outbox_page_size = 512;
constexpr std::int64_t checkpoint_log_bytes = 4 * 1024 * 1024;

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

// Rewrites a file made with other pages than the outbox's (an older kiosk's, with SQLite's
// default 4 KiB) once, so that it costs the card what a new one does. SQLite changes the page
// size only by a VACUUM outside WAL mode: the file leaves WAL for a rollback journal, is rebuilt,
// and goes back to WAL when Outbox::open switches to it next. Each step is a transaction of its
// own, synced: a power cut or a full disk at any point leaves the file whole, with one page size
// or the other, and the next opening tries again. The busy timeout is off meanwhile: another
// program with the file open (kiosk-sync, IT's sqlite3) makes it wait for the next start instead
// of holding up the screens.
std::optional<OutboxError> rewrite_with_page_size(Database& database, std::int64_t page_size) {
    const std::string size = std::to_string(page_size);
    std::string journal_mode;
    if (auto error = read_pragma_text(database, "PRAGMA journal_mode = DELETE", journal_mode)) {
        return to_outbox_error(*error, "leave write-ahead logging to change the page size");
    }
    if (lower_case(journal_mode) != "delete") {
        return OutboxError{OutboxError::Kind::storage, database.file(),
                           "leave write-ahead logging to change the page size",
                           "SQLite kept journal_mode " + journal_mode};
    }
    const std::array<std::string, 3> steps{"PRAGMA synchronous = FULL",
                                           "PRAGMA page_size = " + size, "VACUUM"};
    for (const auto& step : steps) {
        if (auto error = database.exec(step)) {
            return to_outbox_error(*error, "rewrite the database with pages of " + size +
                                               " bytes (" + step + ")");
        }
    }
    std::int64_t applied = 0;
    if (auto error = read_pragma_number(database, "PRAGMA page_size", applied)) {
        return to_outbox_error(*error, "read the page size");
    }
    if (applied != page_size) {
        return OutboxError{OutboxError::Kind::storage, database.file(),
                           "rewrite the database with pages of " + size + " bytes",
                           "SQLite kept pages of " + std::to_string(applied) + " bytes"};
    }
    return std::nullopt;
}

std::optional<PageSizeRewrite> rewrite_with_outbox_pages(Database& database) {
    std::int64_t page_size = 0;
    std::int64_t page_count = 0;
    if (auto error = read_pragma_number(database, "PRAGMA page_size", page_size);
        error || (error = read_pragma_number(database, "PRAGMA page_count", page_count))) {
        return PageSizeRewrite{page_size, outbox_page_size,
                               to_outbox_error(*error, "read the page size")};
    }
    // A file with no pages yet simply takes the outbox's size.
    if (page_count == 0 || page_size == outbox_page_size) {
        return std::nullopt;
    }
    database.set_busy_timeout_ms(0);
    auto failure = rewrite_with_page_size(database, outbox_page_size);
    database.set_busy_timeout_ms(busy_timeout_ms);
    return PageSizeRewrite{page_size, outbox_page_size, std::move(failure)};
}

// The columns read_stored_row() expects, in its order: a response joined with its delivery
// state (schema migration 5). The FROM clause comes from the caller: see Outbox::list.
constexpr std::string_view stored_columns =
    "SELECT r.id, r.identifier, r.questionnaire, r.authored, r.payload, "
    "CASE WHEN a.response_id IS NOT NULL THEN 'acknowledged' ELSE q.state END, r.created_at, "
    "coalesce(q.attempts, a.attempts, 0), coalesce(q.last_status, a.status), q.last_error, "
    "q.next_attempt_at, a.acknowledged_at";

// Every response, its delivery state joined on.
constexpr std::string_view all_responses =
    " FROM responses AS r LEFT JOIN delivery_queue AS q ON q.response_id = r.id "
    "LEFT JOIN acknowledgements AS a ON a.response_id = r.id";

std::optional<OutboxError> read_stored_row(const Statement& statement,
                                           const std::filesystem::path& file,
                                           const std::string& what, StoredResponse& row) {
    row.id = statement.column_int64(0);
    row.identifier = statement.column_text(1);
    row.questionnaire = statement.column_text(2);
    row.authored = statement.column_text(3);
    row.payload = statement.column_text(4);
    const auto state_text = statement.column_optional_text(5);
    const auto parsed = state_text ? response_state_from_string(*state_text) : std::nullopt;
    if (!parsed) {
        // The CHECK constraint and the triggers make this unreachable unless the file was
        // edited by hand.
        return OutboxError{OutboxError::Kind::corrupt, file.string(), what,
                           "response " + row.identifier +
                               (state_text ? " has unknown state '" + *state_text + "'"
                                           : " is neither waiting for delivery nor acknowledged")};
    }
    row.state = *parsed;
    row.created_at_ms = statement.column_int64(6);
    row.attempts = statement.column_int64(7);
    if (const auto status = statement.column_optional_int64(8)) {
        row.last_status = static_cast<int>(*status);
    }
    row.last_error = statement.column_optional_text(9);
    row.next_attempt_at_ms = statement.column_optional_int64(10);
    row.acknowledged_at_ms = statement.column_optional_int64(11);
    return std::nullopt;
}

std::int64_t clamp_to_int64(std::size_t value) {
    constexpr auto largest = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(std::min(value, largest));
}

// Ids as a JSON array for json_each(): one bound parameter for any number of ids, so a batch is
// one statement whatever its size.
std::string json_id_list(std::span<const std::int64_t> ids) {
    std::string text = "[";
    for (const auto id : ids) {
        if (text.size() > 1) {
            text += ',';
        }
        text += std::to_string(id);
    }
    text += ']';
    return text;
}

// The delivery status facts live in one row, id 1, except the time of the last success, which
// is usually the newest acknowledgement's own (schema migration 5). Answers that time, the
// newest acknowledged response, and whether delivery is paused, in one row whatever is missing.
constexpr std::string_view last_success_sql =
    "SELECT CASE WHEN newest.response_id > coalesce(s.last_success_response, -1) "
    "THEN coalesce(newest.acknowledged_at, s.last_success_at) ELSE s.last_success_at END, "
    "newest.response_id, newest.acknowledged_at, s.last_success_response, "
    "coalesce(s.paused, 0) != 0 OR "
    "s.paused_reason IS NOT NULL FROM (SELECT 1) "
    "LEFT JOIN delivery_status AS s ON s.id = 1 "
    "LEFT JOIN (SELECT response_id, acknowledged_at FROM acknowledgements "
    "ORDER BY response_id DESC LIMIT 1) AS newest";

// Pauses (?1 = 1, ?2 the reason) or resumes (?1 = 0, ?2 NULL) delivery: see bind_pause. One
// statement for set_paused and for make_queued_due_now, which lifts a pause inside its own
// transaction. The WHERE skips a write that would change nothing, so a commit with nothing to
// say costs no fsync.
constexpr std::string_view set_paused_sql =
    "INSERT INTO delivery_status (id, paused, paused_reason) VALUES (1, ?1, ?2) "
    "ON CONFLICT (id) DO UPDATE SET paused = excluded.paused, "
    "paused_reason = excluded.paused_reason "
    "WHERE paused IS NOT excluded.paused OR paused_reason IS NOT excluded.paused_reason";

void bind_pause(Statement& statement, bool paused, std::string_view reason) {
    statement.bind(1, std::int64_t{paused ? 1 : 0});
    if (paused) {
        statement.bind(2, reason);
    } else {
        statement.bind_null(2);
    }
}

struct LastSuccess {
    std::optional<std::int64_t> at_ms;
    std::optional<std::int64_t> newest_acknowledged;
    std::optional<std::int64_t> newest_acknowledged_at_ms;
    std::optional<std::int64_t> recorded_with;
    bool paused = false;
};

std::variant<LastSuccess, SqliteError> read_last_success(Database& database) {
    auto statement = database.prepare(last_success_sql);
    if (statement.step() != Statement::Step::row) {
        return *statement.error();
    }
    return LastSuccess{statement.column_optional_int64(0), statement.column_optional_int64(1),
                       statement.column_optional_int64(2), statement.column_optional_int64(3),
                       statement.column_int64(4) != 0};
}

// Stores the time of the last success and the newest acknowledged response it goes with.
// Upserts rather than plain UPDATEs: should the row have gone missing, a fact is still recorded
// instead of silently changing nothing.
std::optional<SqliteError> write_last_success(Database& database, std::optional<std::int64_t> at_ms,
                                              std::optional<std::int64_t> newest_acknowledged) {
    auto write =
        database.prepare("INSERT INTO delivery_status (id, last_success_at, last_success_response) "
                         "VALUES (1, ?1, ?2) ON CONFLICT (id) DO UPDATE SET "
                         "last_success_at = excluded.last_success_at, "
                         "last_success_response = excluded.last_success_response");
    if (at_ms) {
        write.bind(1, *at_ms);
    } else {
        write.bind_null(1);
    }
    if (newest_acknowledged) {
        write.bind(2, *newest_acknowledged);
    } else {
        write.bind_null(2);
    }
    if (write.step() != Statement::Step::done) {
        return write.error();
    }
    return std::nullopt;
}

// A successful delivery at now_ms, inside the caller's write transaction; it also ends a pause
// (the endpoint has just accepted our credentials). Writes nothing when the newest
// acknowledgement already says it and delivery is not paused, as after every batch of a
// healthy drain: the status row is then not written at all, which spares the card a page.
std::optional<SqliteError> record_success(Database& database, std::int64_t now_ms) {
    auto read = read_last_success(database);
    if (auto* error = std::get_if<SqliteError>(&read)) {
        return *error;
    }
    const auto& last = std::get<LastSuccess>(read);
    if (last.at_ms != now_ms) {
        if (auto error = write_last_success(database, now_ms, last.newest_acknowledged)) {
            return error;
        }
    }
    if (last.paused) {
        auto resume = database.prepare(set_paused_sql);
        bind_pause(resume, false, {});
        if (resume.step() != Statement::Step::done) {
            return resume.error();
        }
    }
    return std::nullopt;
}

// Runs one changing statement in its own BEGIN IMMEDIATE transaction and answers how many rows it
// changed. `bind` binds the statement's parameters.
template <typename Bind>
std::variant<std::int64_t, SqliteError> run_counted_write(Database& database, std::string_view sql,
                                                          Bind&& bind) {
    Transaction transaction(database, Transaction::Mode::immediate);
    if (transaction.error()) {
        return *transaction.error();
    }
    {
        auto statement = database.prepare(sql);
        bind(statement);
        if (statement.step() != Statement::Step::done) {
            return *statement.error();
        }
    }
    const std::int64_t changed = sqlite3_changes64(database.handle());
    if (auto error = transaction.commit()) {
        return *error;
    }
    return changed;
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
    case OutboxError::Kind::not_found:
        return "not found";
    case OutboxError::Kind::wrong_state:
        return "wrong state";
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

CountResult Outbox::counted(std::variant<std::int64_t, SqliteError> result,
                            const std::string& what) const {
    if (auto* error = std::get_if<SqliteError>(&result)) {
        return CountResult{0, error_from(*error, what)};
    }
    return CountResult{std::get<std::int64_t>(result), std::nullopt};
}

std::optional<OutboxError> Outbox::failure_of(std::variant<std::int64_t, SqliteError> result,
                                              const std::string& what) const {
    if (auto* error = std::get_if<SqliteError>(&result)) {
        return error_from(*error, what);
    }
    return std::nullopt;
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
    auto opened = Database::open(
        file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, options.vfs);
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

    // Card wear: the write-ahead log carries whole pages, so each page a commit touches costs a
    // page and 24 bytes, and a response touches twenty or so on its way through (appended,
    // claimed, acknowledged, purged). Most are pages of the small tables and indexes, where
    // only a few bytes change; the response row itself spills into one overflow page. With
    // 512-byte pages rather than SQLite's default 4 KiB a response costs about a third of the
    // bytes (bench/outbox_bytes_bench.cpp). SQLite takes the size only for a file that has no
    // pages yet; a file made with other pages is rewritten once (see rewrite_with_outbox_pages).
    std::optional<PageSizeRewrite> page_size_rewrite;
    if (options.rewrite_older_page_size) {
        page_size_rewrite = rewrite_with_outbox_pages(database);
    }
    if (auto error = database.exec("PRAGMA page_size = " + std::to_string(outbox_page_size))) {
        return open_failure(to_outbox_error(*error, "choose the page size"));
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
    const char* synchronous = options.commit == OutboxOptions::Commit::full
                                  ? "PRAGMA synchronous = FULL"
                                  : "PRAGMA synchronous = NORMAL";
    // secure_delete: a purged response is overwritten in the file, not only unlinked from it.
    // Debian's SQLite does this by default; saying so here keeps the promise on any build.
    // temp_store: a statement that changes many rows (a purge) keeps its undo record in memory;
    // in a file it would be written to the card and thrown away (purges are chunked, so the
    // memory is bounded).
    for (const auto* setting : {synchronous, "PRAGMA foreign_keys = ON",
                                "PRAGMA secure_delete = ON", "PRAGMA temp_store = MEMORY"}) {
        if (auto error = database.exec(setting)) {
            return open_failure(to_outbox_error(*error, std::string("apply ") + setting));
        }
    }
    // SQLite checkpoints every 1000 pages by default: 4 MiB of log with 4 KiB pages, but only
    // half a MiB with 512-byte pages. A checkpoint copies every page changed since the last one
    // into the database file, and the same few pages (the last leaf of each index and of the
    // delivery tables) change with every response, so checkpointing eight times as often would
    // write them eight times as often. Keep the log at about 4 MiB whatever the page size.
    std::int64_t page_size = 0;
    if (auto error = read_pragma_number(database, "PRAGMA page_size", page_size)) {
        return open_failure(to_outbox_error(*error, "read the page size"));
    }
    const std::int64_t checkpoint_pages =
        std::max<std::int64_t>(1, checkpoint_log_bytes / std::max<std::int64_t>(page_size, 512));
    std::int64_t applied_checkpoint = 0;
    if (auto error = read_pragma_number(
            database, "PRAGMA wal_autocheckpoint = " + std::to_string(checkpoint_pages),
            applied_checkpoint)) {
        return open_failure(to_outbox_error(*error, "set when the log is checkpointed"));
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

    return OpenResult{Outbox(std::move(database), file, migrated.version), std::nullopt,
                      std::move(page_size_rewrite)};
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
    auto statement = database_.prepare(!state ? "SELECT count(*) FROM responses"
                                       : *state == ResponseState::acknowledged
                                           ? "SELECT count(*) FROM acknowledgements"
                                           : "SELECT count(*) FROM delivery_queue "
                                             "WHERE state = ?1");
    if (state && *state != ResponseState::acknowledged) {
        statement.bind(1, to_string(*state));
    }
    if (statement.step() != Statement::Step::row) {
        return CountResult{0, error_from(*statement.error(), "count responses")};
    }
    return CountResult{statement.column_int64(0), std::nullopt};
}

ListResult Outbox::list(std::optional<ResponseState> state, std::size_t limit) {
    // Each state is read from the table that holds it, in id order, so a listing walks only the
    // rows it returns. CROSS JOIN keeps SQLite to that order of tables.
    std::string from(all_responses);
    std::string where = " ORDER BY r.id LIMIT ?2";
    if (state == ResponseState::acknowledged) {
        from = " FROM acknowledgements AS a CROSS JOIN responses AS r ON r.id = a.response_id "
               "LEFT JOIN delivery_queue AS q ON q.response_id = r.id";
        where = " ORDER BY a.response_id LIMIT ?2";
    } else if (state) {
        from = " FROM delivery_queue AS q CROSS JOIN responses AS r ON r.id = q.response_id "
               "LEFT JOIN acknowledgements AS a ON a.response_id = r.id";
        where = " WHERE q.state = ?1 ORDER BY q.response_id LIMIT ?2";
    }
    auto statement = database_.prepare(std::string(stored_columns) + from + where);
    if (state && *state != ResponseState::acknowledged) {
        statement.bind(1, to_string(*state));
    }
    statement.bind(2, clamp_to_int64(limit));

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
        if (auto problem = read_stored_row(statement, file_, "list responses", row)) {
            return ListResult{{}, std::move(*problem)};
        }
        result.responses.push_back(std::move(row));
    }
}

GetResult Outbox::get(std::int64_t id) {
    const std::string what = "read response " + std::to_string(id);
    auto statement = database_.prepare(std::string(stored_columns) + std::string(all_responses) +
                                       " WHERE r.id = ?1");
    statement.bind(1, id);
    switch (statement.step()) {
    case Statement::Step::failed:
        return GetResult{std::nullopt, error_from(*statement.error(), what)};
    case Statement::Step::done:
        return GetResult{};
    case Statement::Step::row:
        break;
    }
    StoredResponse row;
    if (auto problem = read_stored_row(statement, file_, what, row)) {
        return GetResult{std::nullopt, std::move(*problem)};
    }
    return GetResult{std::move(row), std::nullopt};
}

CountResult Outbox::recover_interrupted() {
    return counted(
        run_counted_write(database_,
                          "UPDATE delivery_queue SET state = 'queued' WHERE state = 'sending'",
                          [](Statement&) {}),
        "return interrupted deliveries to the queue");
}

ClaimResult Outbox::claim_batch(std::int64_t now_ms, std::size_t max_entries,
                                std::size_t max_bytes) {
    const std::string what = "claim responses for delivery";
    if (max_entries == 0) {
        return ClaimResult{};
    }
    Transaction transaction(database_, Transaction::Mode::immediate);
    if (transaction.error()) {
        return ClaimResult{{}, error_from(*transaction.error(), what)};
    }

    ClaimResult result;
    {
        // The queue holds only responses not yet acknowledged, in arrival (id) order: when the
        // head of the queue is due this reads about max_entries of its rows. CROSS JOIN keeps
        // SQLite walking the queue, not the responses.
        auto due = database_.prepare(
            "SELECT q.response_id, r.identifier, r.payload, q.attempts FROM delivery_queue AS q "
            "CROSS JOIN responses AS r ON r.id = q.response_id WHERE q.state = 'queued' AND "
            "(q.next_attempt_at IS NULL OR q.next_attempt_at <= ?1) "
            "ORDER BY q.response_id LIMIT ?2");
        due.bind(1, now_ms).bind(2, clamp_to_int64(max_entries));
        std::size_t bytes = 0;
        for (;;) {
            const auto step = due.step();
            if (step == Statement::Step::failed) {
                return ClaimResult{{}, error_from(*due.error(), what)};
            }
            if (step == Statement::Step::done) {
                break;
            }
            ClaimedResponse row{due.column_int64(0), due.column_text(1), due.column_text(2),
                                due.column_int64(3)};
            const std::size_t size = row.payload.size();
            if (!result.responses.empty() && (size > max_bytes || bytes > max_bytes - size)) {
                break;
            }
            bytes += size;
            result.responses.push_back(std::move(row));
        }
    }
    if (result.responses.empty()) {
        return result; // nothing written; the transaction just ends
    }

    std::vector<std::int64_t> ids;
    ids.reserve(result.responses.size());
    for (const auto& row : result.responses) {
        ids.push_back(row.id);
    }
    {
        auto claim =
            database_.prepare("UPDATE delivery_queue SET state = 'sending' WHERE state = 'queued' "
                              "AND response_id IN (SELECT value FROM json_each(?1))");
        claim.bind(1, json_id_list(ids));
        if (claim.step() != Statement::Step::done) {
            return ClaimResult{{}, error_from(*claim.error(), what)};
        }
        // Under the write lock nothing can have changed between the SELECT and the UPDATE; if it
        // did, handing the rows out would risk sending a row twice, so refuse instead.
        if (const auto changed = sqlite3_changes64(database_.handle());
            changed != static_cast<sqlite3_int64>(ids.size())) {
            return ClaimResult{{},
                               OutboxError{OutboxError::Kind::storage, file_.string(), what,
                                           "claimed " + std::to_string(changed) + " of " +
                                               std::to_string(ids.size()) + " due responses"}};
        }
    }
    if (auto error = transaction.commit()) {
        return ClaimResult{{}, error_from(*error, what)};
    }
    return result;
}

CountResult Outbox::mark_acknowledged(std::span<const std::int64_t> ids, std::int64_t now_ms,
                                      int http_status) {
    const std::string what = "mark responses acknowledged";
    if (ids.empty()) {
        return CountResult{};
    }
    Transaction transaction(database_, Transaction::Mode::immediate);
    if (transaction.error()) {
        return CountResult{0, error_from(*transaction.error(), what)};
    }
    const std::string id_list = json_id_list(ids);
    {
        auto acknowledge = database_.prepare(
            "INSERT INTO acknowledgements (response_id, acknowledged_at, status, attempts) "
            "SELECT response_id, ?2, ?3, attempts FROM delivery_queue "
            "WHERE state = 'sending' AND response_id IN (SELECT value FROM json_each(?1))");
        acknowledge.bind(1, id_list).bind(2, now_ms).bind(3, std::int64_t{http_status});
        if (acknowledge.step() != Statement::Step::done) {
            return CountResult{0, error_from(*acknowledge.error(), what)};
        }
    }
    const std::int64_t changed = sqlite3_changes64(database_.handle());
    {
        auto leave_queue =
            database_.prepare("DELETE FROM delivery_queue WHERE state = 'sending' AND "
                              "response_id IN (SELECT value FROM json_each(?1))");
        leave_queue.bind(1, id_list);
        if (leave_queue.step() != Statement::Step::done) {
            return CountResult{0, error_from(*leave_queue.error(), what)};
        }
        // Under the write lock both statements see the same rows; anything else would leave a
        // response both waiting and acknowledged, so refuse the whole step instead.
        if (const auto left = sqlite3_changes64(database_.handle()); left != changed) {
            return CountResult{0, OutboxError{OutboxError::Kind::storage, file_.string(), what,
                                              "acknowledged " + std::to_string(changed) +
                                                  " responses but " + std::to_string(left) +
                                                  " left the queue"}};
        }
    }
    if (changed > 0) {
        // An acknowledgement is a successful delivery: recorded in the same transaction, the
        // status can never show acknowledged rows next to "never delivered", and the worker's
        // own record_delivery_success() afterwards finds nothing to write.
        if (auto error = record_success(database_, now_ms)) {
            return CountResult{0, error_from(*error, what)};
        }
    }
    if (auto error = transaction.commit()) {
        return CountResult{0, error_from(*error, what)};
    }
    return CountResult{changed, std::nullopt};
}

CountResult Outbox::mark_rejected(std::int64_t id, int http_status, std::string_view reason) {
    return counted(run_counted_write(
                       database_,
                       "UPDATE delivery_queue SET state = 'rejected', "
                       "last_status = ?2, last_error = ?3, next_attempt_at = NULL "
                       "WHERE state = 'sending' AND response_id = ?1",
                       [&](Statement& statement) {
                           statement.bind(1, id).bind(2, std::int64_t{http_status}).bind(3, reason);
                       }),
                   "mark response " + std::to_string(id) + " rejected");
}

CountResult Outbox::requeue(std::span<const std::int64_t> ids, std::int64_t next_attempt_at_ms,
                            std::optional<int> http_status, std::string_view error_text) {
    if (ids.empty()) {
        return CountResult{};
    }
    return counted(
        run_counted_write(database_,
                          "UPDATE delivery_queue SET state = 'queued', "
                          "attempts = attempts + 1, next_attempt_at = ?2, last_status = ?3, "
                          "last_error = ?4 WHERE state = 'sending' AND "
                          "response_id IN (SELECT value FROM json_each(?1))",
                          [&](Statement& statement) {
                              statement.bind(1, json_id_list(ids)).bind(2, next_attempt_at_ms);
                              if (http_status) {
                                  statement.bind(3, std::int64_t{*http_status});
                              } else {
                                  statement.bind_null(3);
                              }
                              if (error_text.empty()) {
                                  statement.bind_null(4);
                              } else {
                                  statement.bind(4, error_text);
                              }
                          }),
        "return responses to the queue for a later attempt");
}

CountResult Outbox::retry_rejected(std::int64_t id) {
    const std::string what = "send rejected response " + std::to_string(id) + " again";
    Transaction transaction(database_, Transaction::Mode::immediate);
    if (transaction.error()) {
        return CountResult{0, error_from(*transaction.error(), what)};
    }
    {
        auto current =
            database_.prepare("SELECT CASE WHEN a.response_id IS NOT NULL THEN 'acknowledged' "
                              "ELSE coalesce(q.state, 'neither waiting nor acknowledged') END" +
                              std::string(all_responses) + " WHERE r.id = ?1");
        current.bind(1, id);
        switch (current.step()) {
        case Statement::Step::failed:
            return CountResult{0, error_from(*current.error(), what)};
        case Statement::Step::done:
            return CountResult{0, OutboxError{OutboxError::Kind::not_found, file_.string(), what,
                                              "no response has this id"}};
        case Statement::Step::row:
            if (const auto state = current.column_text(0); state != "rejected") {
                return CountResult{0,
                                   OutboxError{OutboxError::Kind::wrong_state, file_.string(), what,
                                               "it is " + state +
                                                   ", and only a rejected response can be "
                                                   "sent again"}};
            }
            break;
        }
    }
    {
        auto update = database_.prepare(
            "UPDATE delivery_queue SET state = 'queued', attempts = 0, "
            "next_attempt_at = NULL WHERE state = 'rejected' AND response_id = ?1");
        update.bind(1, id);
        if (update.step() != Statement::Step::done) {
            return CountResult{0, error_from(*update.error(), what)};
        }
    }
    const auto changed = sqlite3_changes64(database_.handle());
    if (auto error = transaction.commit()) {
        return CountResult{0, error_from(*error, what)};
    }
    return CountResult{changed, std::nullopt};
}

CountResult Outbox::purge_acknowledged(std::int64_t older_than_ms) {
    CountResult purged;
    for (;;) {
        const auto chunk = purge_some_acknowledged(older_than_ms);
        purged.count += chunk.count;
        if (chunk.error) {
            purged.error = chunk.error;
            return purged;
        }
        if (chunk.count < purge_chunk_rows) {
            return purged;
        }
    }
}

CountResult Outbox::purge_some_acknowledged(std::int64_t older_than_ms) {
    const std::string what = "purge acknowledged responses";
    Transaction transaction(database_, Transaction::Mode::immediate);
    if (transaction.error()) {
        return CountResult{0, error_from(*transaction.error(), what)};
    }
    {
        // The time of the last success may be the newest acknowledgement's own: write it down
        // before that acknowledgement goes.
        auto read = read_last_success(database_);
        if (auto* error = std::get_if<SqliteError>(&read)) {
            return CountResult{0, error_from(*error, what)};
        }
        const auto& last = std::get<LastSuccess>(read);
        if (last.newest_acknowledged && last.newest_acknowledged != last.recorded_with &&
            last.newest_acknowledged_at_ms && *last.newest_acknowledged_at_ms < older_than_ms) {
            if (auto error = write_last_success(database_, last.at_ms, last.newest_acknowledged)) {
                return CountResult{0, error_from(*error, what)};
            }
        }
    }
    {
        // This is the only DELETE of responses anywhere, and it must never reach a row that is
        // not acknowledged: the ids come from the acknowledgements alone. The schema's trigger
        // removes each response's acknowledgement with it and counts it in the totals. Purges
        // run once an hour, so reading every acknowledgement costs less than an index on the
        // time would, written at every acknowledgement.
        auto purge = database_.prepare(
            "DELETE FROM responses WHERE id IN (SELECT response_id FROM acknowledgements "
            "WHERE acknowledged_at < ?1 ORDER BY response_id LIMIT ?2)");
        purge.bind(1, older_than_ms).bind(2, std::int64_t{purge_chunk_rows});
        if (purge.step() != Statement::Step::done) {
            return CountResult{0, error_from(*purge.error(), what)};
        }
    }
    const std::int64_t changed = sqlite3_changes64(database_.handle());
    if (auto error = transaction.commit()) {
        return CountResult{0, error_from(*error, what)};
    }
    return CountResult{changed, std::nullopt};
}

NextDueResult Outbox::next_due_time() {
    const std::string what = "find when the next queued response is due";
    Transaction transaction(database_, Transaction::Mode::deferred);
    if (transaction.error()) {
        return NextDueResult{std::nullopt, error_from(*transaction.error(), what)};
    }
    // A response due at once is usually at the head of the queue and answers the question;
    // only when none is does the whole queue need reading for the earliest retry time.
    auto due_at_once = database_.prepare("SELECT EXISTS (SELECT 1 FROM delivery_queue WHERE "
                                         "state = 'queued' AND next_attempt_at IS NULL)");
    if (due_at_once.step() != Statement::Step::row) {
        return NextDueResult{std::nullopt, error_from(*due_at_once.error(), what)};
    }
    if (due_at_once.column_int64(0) != 0) {
        return NextDueResult{0, std::nullopt};
    }
    auto earliest =
        database_.prepare("SELECT min(next_attempt_at) FROM delivery_queue WHERE state = 'queued'");
    if (earliest.step() != Statement::Step::row) {
        return NextDueResult{std::nullopt, error_from(*earliest.error(), what)};
    }
    return NextDueResult{earliest.column_optional_int64(0), std::nullopt};
}

std::optional<OutboxError> Outbox::record_delivery_success(std::int64_t now_ms) {
    const std::string what = "record a successful delivery";
    Transaction transaction(database_, Transaction::Mode::immediate);
    if (transaction.error()) {
        return error_from(*transaction.error(), what);
    }
    if (auto error = record_success(database_, now_ms)) {
        return error_from(*error, what);
    }
    if (auto error = transaction.commit()) {
        return error_from(*error, what);
    }
    return std::nullopt;
}

std::optional<OutboxError> Outbox::record_delivery_failure(std::int64_t now_ms,
                                                           std::string_view text) {
    auto result = run_counted_write(
        database_,
        "INSERT INTO delivery_status (id, last_error, last_error_at) VALUES (1, ?2, ?1) "
        "ON CONFLICT (id) DO UPDATE SET last_error = excluded.last_error, "
        "last_error_at = excluded.last_error_at",
        [&](Statement& statement) { statement.bind(1, now_ms).bind(2, text); });
    return failure_of(result, "record a failed delivery");
}

std::optional<OutboxError> Outbox::set_paused(bool paused, std::string_view reason) {
    auto result = run_counted_write(database_, set_paused_sql, [&](Statement& statement) {
        bind_pause(statement, paused, reason);
    });
    return failure_of(result, paused ? "pause delivery" : "resume delivery");
}

DeliveryStatusResult Outbox::delivery_status() {
    const std::string what = "read the delivery status";
    const auto failed = [&](const SqliteError& error) {
        return DeliveryStatusResult{{}, error_from(error, what)};
    };
    // One read transaction, so the counts and the facts describe the same moment.
    Transaction transaction(database_, Transaction::Mode::deferred);
    if (transaction.error()) {
        return failed(*transaction.error());
    }
    DeliveryStatusResult result;
    auto& status = result.status;
    {
        auto counts =
            database_.prepare("SELECT state, count(*) FROM delivery_queue GROUP BY state UNION ALL "
                              "SELECT 'acknowledged', count(*) FROM acknowledgements");
        for (;;) {
            const auto step = counts.step();
            if (step == Statement::Step::failed) {
                return failed(*counts.error());
            }
            if (step == Statement::Step::done) {
                break;
            }
            const auto number = counts.column_int64(1);
            const auto state = response_state_from_string(counts.column_text(0));
            if (!state) {
                continue; // the CHECK constraint allows no other state
            }
            switch (*state) {
            case ResponseState::queued:
                status.queued += number;
                break;
            case ResponseState::sending:
                status.sending += number;
                break;
            case ResponseState::acknowledged:
                status.acknowledged += number;
                break;
            case ResponseState::rejected:
                status.rejected += number;
                break;
            }
        }
    }
    {
        // The first-arrived waiting response: the head of the queue, past any rejected ones.
        auto oldest = database_.prepare(
            "SELECT r.created_at FROM delivery_queue AS q CROSS JOIN responses AS r "
            "ON r.id = q.response_id WHERE q.state IN ('queued', 'sending') "
            "ORDER BY q.response_id LIMIT 1");
        switch (oldest.step()) {
        case Statement::Step::failed:
            return failed(*oldest.error());
        case Statement::Step::done:
            break; // nothing waiting
        case Statement::Step::row:
            status.oldest_waiting_created_at_ms = oldest.column_int64(0);
            break;
        }
    }
    {
        // The time of the last success is read below: see last_success_sql.
        auto facts = database_.prepare("SELECT NULL, last_error, last_error_at, paused, "
                                       "paused_reason FROM delivery_status WHERE id = 1");
        switch (facts.step()) {
        case Statement::Step::failed:
            return failed(*facts.error());
        case Statement::Step::done:
            break; // nothing recorded yet
        case Statement::Step::row:
            status.last_error = facts.column_optional_text(1);
            status.last_error_at_ms = facts.column_optional_int64(2);
            status.paused = facts.column_int64(3) != 0;
            status.paused_reason = facts.column_text(4);
            break;
        }
    }
    {
        auto read = read_last_success(database_);
        if (auto* error = std::get_if<SqliteError>(&read)) {
            return failed(*error);
        }
        status.last_success_at_ms = std::get<LastSuccess>(read).at_ms;
    }
    return result;
}

std::optional<OutboxError> Outbox::record_staff_action(const StaffAction& action) {
    const std::string what =
        "record the staff action \"" + action.action + "\" (" + action.role + ")";
    if (action.role.empty() || action.action.empty()) {
        return OutboxError{OutboxError::Kind::invalid, file_.string(), what,
                           action.role.empty() ? "its role is empty" : "its action is empty"};
    }
    Transaction transaction(database_, Transaction::Mode::immediate);
    if (transaction.error()) {
        return error_from(*transaction.error(), what);
    }
    {
        auto insert =
            database_.prepare("INSERT INTO staff_actions (at, role, action) VALUES (?1, ?2, ?3)");
        insert.bind(1, action.at_ms).bind(2, action.role).bind(3, action.action);
        if (insert.step() != Statement::Step::done) {
            return error_from(*insert.error(), what);
        }
    }
    {
        // New rows take the largest id + 1 and old ones only ever go from the bottom, so the
        // newest staff_actions_kept are the ids above this cutoff. A range delete on the primary
        // key: one seek, and at most one row to delete once the trail is full, however long.
        const std::int64_t newest = sqlite3_last_insert_rowid(database_.handle());
        auto trim = database_.prepare("DELETE FROM staff_actions WHERE id <= ?1");
        trim.bind(1, newest - static_cast<std::int64_t>(staff_actions_kept));
        if (trim.step() != Statement::Step::done) {
            return error_from(*trim.error(), what);
        }
    }
    if (auto error = transaction.commit()) {
        return error_from(*error, what);
    }
    return std::nullopt;
}

StaffActionsResult Outbox::recent_staff_actions(std::size_t limit) {
    const std::string what = "list the recent staff actions";
    auto statement =
        database_.prepare("SELECT at, role, action FROM staff_actions ORDER BY id DESC LIMIT ?1");
    statement.bind(1, clamp_to_int64(limit));
    StaffActionsResult result;
    for (;;) {
        const auto step = statement.step();
        if (step == Statement::Step::done) {
            return result;
        }
        if (step == Statement::Step::failed) {
            return StaffActionsResult{{}, error_from(*statement.error(), what)};
        }
        result.actions.push_back(StaffAction{statement.column_int64(0), statement.column_text(1),
                                             statement.column_text(2)});
    }
}

ChoiceResult Outbox::device_choice(std::string_view key) {
    auto statement = database_.prepare("SELECT value FROM device_choices WHERE key = ?1");
    statement.bind(1, key);
    switch (statement.step()) {
    case Statement::Step::failed:
        return ChoiceResult{
            std::nullopt,
            error_from(*statement.error(), "read the device choice '" + std::string(key) + "'")};
    case Statement::Step::done:
        return ChoiceResult{};
    case Statement::Step::row:
        break;
    }
    return ChoiceResult{statement.column_text(0), std::nullopt};
}

std::optional<OutboxError> Outbox::set_device_choice(std::string_view key, std::string_view value) {
    const std::string what = "remember the device choice '" + std::string(key) + "'";
    if (key.empty()) {
        return OutboxError{OutboxError::Kind::invalid, file_.string(), what, "its key is empty"};
    }
    auto result = run_counted_write(
        database_,
        "INSERT INTO device_choices (key, value) VALUES (?1, ?2) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value",
        [&](Statement& statement) { statement.bind(1, key).bind(2, value); });
    return failure_of(result, what);
}

std::optional<OutboxError> Outbox::clear_device_choice(std::string_view key) {
    auto result = run_counted_write(database_, "DELETE FROM device_choices WHERE key = ?1",
                                    [&](Statement& statement) { statement.bind(1, key); });
    return failure_of(result, "forget the device choice '" + std::string(key) + "'");
}

TotalsResult Outbox::response_totals(std::int64_t since_ms) {
    const std::string what = "count the stored responses";
    // One read transaction, so the total and the day's count describe the same moment.
    Transaction transaction(database_, Transaction::Mode::deferred);
    if (transaction.error()) {
        return TotalsResult{{}, error_from(*transaction.error(), what)};
    }
    TotalsResult result;
    {
        // Responses deleted (purged) are counted in response_totals when they go; the rest are
        // still here. Should the totals row go missing, counting starts again from the rows
        // held, and the trigger makes it again with the next purge.
        auto totals = database_.prepare(
            "SELECT coalesce((SELECT removed FROM response_totals WHERE id = 1), 0) + "
            "(SELECT count(*) FROM responses), "
            "coalesce((SELECT since FROM response_totals WHERE id = 1), "
            "(SELECT min(created_at) FROM responses))");
        if (totals.step() != Statement::Step::row) {
            return TotalsResult{{}, error_from(*totals.error(), what)};
        }
        result.totals.stored_ever = totals.column_int64(0);
        result.totals.since_ms = totals.column_optional_int64(1);
    }
    {
        auto since = database_.prepare("SELECT count(*) FROM responses WHERE created_at >= ?1");
        since.bind(1, since_ms);
        if (since.step() != Statement::Step::row) {
            return TotalsResult{{}, error_from(*since.error(), what)};
        }
        result.totals.stored_since = since.column_int64(0);
    }
    return result;
}

CountResult Outbox::bring_forward_waits(std::int64_t latest_ms) {
    return counted(run_counted_write(database_,
                                     "UPDATE delivery_queue SET next_attempt_at = ?1 WHERE "
                                     "state = 'queued' AND next_attempt_at > ?1",
                                     [&](Statement& statement) { statement.bind(1, latest_ms); }),
                   "bring forward retries due after the longest wait (the clock was set back)");
}

CountResult Outbox::make_queued_due_now() {
    const std::string what = "make every queued response due now";
    Transaction transaction(database_, Transaction::Mode::immediate);
    if (transaction.error()) {
        return CountResult{0, error_from(*transaction.error(), what)};
    }
    {
        // Only rows waiting for a later attempt: those already due would be written for nothing.
        auto update = database_.prepare("UPDATE delivery_queue SET next_attempt_at = NULL "
                                        "WHERE state = 'queued' AND next_attempt_at IS NOT NULL");
        if (update.step() != Statement::Step::done) {
            return CountResult{0, error_from(*update.error(), what)};
        }
    }
    const std::int64_t changed = sqlite3_changes64(database_.handle());
    {
        // set_paused(false) would open a transaction of its own; its statement, run here, makes
        // "send now" all or nothing: never due rows under a pause that stays, or the reverse.
        auto resume = database_.prepare(set_paused_sql);
        bind_pause(resume, false, {});
        if (resume.step() != Statement::Step::done) {
            return CountResult{0, error_from(*resume.error(), what)};
        }
    }
    if (auto error = transaction.commit()) {
        return CountResult{0, error_from(*error, what)};
    }
    return CountResult{changed, std::nullopt};
}

CountResult Outbox::retry_all_rejected() {
    return counted(run_counted_write(database_,
                                     "UPDATE delivery_queue SET state = 'queued', attempts = 0, "
                                     "next_attempt_at = NULL WHERE state = 'rejected'",
                                     [](Statement&) {}),
                   "send every rejected response again");
}

HealthResult Outbox::check_health() {
    auto problem = check_integrity(database_);
    if (!problem) {
        return HealthResult{true, "ok", std::nullopt};
    }
    if (problem->kind == OutboxError::Kind::corrupt) {
        // Damage is the answer to the question asked, not a failure to ask it.
        return HealthResult{false, std::move(problem->cause), std::nullopt};
    }
    problem->file = file_.string();
    return HealthResult{false, {}, std::move(*problem)};
}

SettingsResult Outbox::connection_settings() {
    SettingsResult result;
    auto& settings = result.settings;
    std::int64_t synchronous = 0;
    std::int64_t foreign_keys = 0;
    std::int64_t secure_delete = 0;
    std::int64_t temp_store = 0;
    std::optional<SqliteError> error =
        read_pragma_text(database_, "PRAGMA journal_mode", settings.journal_mode);
    if (!error) {
        error = read_pragma_number(database_, "PRAGMA synchronous", synchronous);
    }
    if (!error) {
        error = read_pragma_number(database_, "PRAGMA foreign_keys", foreign_keys);
    }
    if (!error) {
        error = read_pragma_number(database_, "PRAGMA secure_delete", secure_delete);
    }
    if (!error) {
        error = read_pragma_number(database_, "PRAGMA temp_store", temp_store);
    }
    if (!error) {
        error = read_pragma_number(database_, "PRAGMA busy_timeout", settings.busy_timeout_ms);
    }
    if (!error) {
        error = read_pragma_number(database_, "PRAGMA max_page_count", settings.max_page_count);
    }
    if (!error) {
        error = read_pragma_number(database_, "PRAGMA page_size", settings.page_size);
    }
    if (!error) {
        error =
            read_pragma_number(database_, "PRAGMA wal_autocheckpoint", settings.wal_autocheckpoint);
    }
    if (error) {
        return SettingsResult{{}, error_from(*error, "read the connection settings")};
    }
    settings.synchronous = synchronous_name(synchronous);
    settings.foreign_keys = foreign_keys != 0;
    settings.secure_delete = secure_delete == 1; // 2 would be "fast", which skips freed pages
    settings.temp_store_in_memory = temp_store == 2;
    return result;
}

} // namespace kiosk::outbox
