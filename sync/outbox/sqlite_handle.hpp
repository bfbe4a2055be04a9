#pragma once

// Thin RAII wrappers over the SQLite C handles used by the outbox.
//
// Failures are values, never exceptions: every SQLite call that can fail leaves a SqliteError that
// names the database file, what was being done, and SQLite's own message. A Statement and a
// Transaction remember their first failure, so a prepare-bind-step sequence can be written
// straight through and checked once at the step.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

// Declared, not included, so that users of the outbox API do not inherit <sqlite3.h>.
struct sqlite3;
struct sqlite3_stmt;

namespace kiosk::outbox {

struct SqliteError {
    std::string file;    // the database file the connection was opened on
    std::string what;    // what was being attempted, e.g. the SQL or "open"
    std::string message; // sqlite3_errmsg() or the OS's message
    int code = 0;        // SQLite's extended result code; 0 when the failure was not SQLite's

    // The primary result code (SQLITE_FULL, SQLITE_CORRUPT, ...), to decide what the failure means.
    int primary_code() const { return code & 0xff; }
    std::string describe() const;
};

class Statement;

// Prepared statements kept by a connection for reuse: compiling SQL costs more than running
// these small statements, and delivery runs the same few thousands of times a minute.
struct StatementCache {
    struct Entry {
        sqlite3_stmt* statement = nullptr;
        bool in_use = false; // lent to a live Statement; a second user gets its own copy
    };
    std::unordered_map<std::string, Entry> entries;
    ~StatementCache();
};

// One connection. Not thread-safe on purpose: each thread opens its own.
class Database {
public:
    // flags are sqlite3_open_v2() flags, e.g. SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE. vfs
    // names a registered SQLite VFS; empty means the default one.
    static std::variant<Database, SqliteError> open(const std::filesystem::path& file, int flags,
                                                    const std::optional<std::string>& vfs = {});

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    // Never fails here; a failed prepare shows up as Step::failed and error() on the statement.
    Statement prepare(std::string_view sql);
    // Runs one or more statements that return no rows (schema changes, pragmas that set things).
    std::optional<SqliteError> exec(std::string_view sql);

    void set_busy_timeout_ms(int milliseconds);

    const std::string& file() const { return file_; }
    // For SQLite calls this wrapper does not cover.
    sqlite3* handle() const { return handle_; }

    // The connection's latest failure, labelled with what the caller was doing.
    SqliteError last_error(std::string what) const;

private:
    Database(sqlite3* handle, std::string file);

    std::unique_ptr<StatementCache> cache_; // finalized before the connection closes
    sqlite3* handle_ = nullptr;
    std::string file_;
};

class Statement {
public:
    enum class Step { row, done, failed };

    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    // Parameters count from 1, as in SQLite. Text is copied, so temporaries are fine.
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, std::int64_t number);
    Statement& bind_null(int index);

    Step step();

    // Columns count from 0, as in SQLite. Valid only after step() returned Step::row.
    bool column_is_null(int column) const;
    std::int64_t column_int64(int column) const;
    std::string column_text(int column) const;
    std::optional<std::int64_t> column_optional_int64(int column) const;
    std::optional<std::string> column_optional_text(int column) const;

    // The first failure of prepare, bind or step; empty while all went well.
    const std::optional<SqliteError>& error() const { return error_; }

private:
    friend class Database;
    Statement(sqlite3_stmt* handle, std::string file, std::string sql,
              std::optional<SqliteError> error, StatementCache::Entry* cached = nullptr);
    void release();
    void record_failure(std::string what);

    sqlite3_stmt* handle_ = nullptr;
    StatementCache::Entry* cached_ = nullptr; // set when the statement is borrowed from a cache
    std::string file_;
    std::string sql_;
    std::optional<SqliteError> error_;
};

// Begins a transaction on construction and rolls it back on destruction unless commit() succeeded,
// so every early return on a failure path leaves the database as it was.
class Transaction {
public:
    enum class Mode {
        deferred,
        // Takes the write lock at BEGIN, so a concurrent writer waits at the start (under the busy
        // timeout) instead of failing half-way through with SQLITE_BUSY.
        immediate,
    };

    Transaction(Database& database, Mode mode);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    // Why BEGIN failed; when set there is no transaction and commit() must not be called.
    const std::optional<SqliteError>& error() const { return error_; }

    std::optional<SqliteError> commit();

private:
    Database& database_;
    bool open_ = false;
    std::optional<SqliteError> error_;
};

} // namespace kiosk::outbox
