#include "outbox/sqlite_handle.hpp"

#include <sqlite3.h>

#include <utility>

namespace kiosk::outbox {

std::string SqliteError::describe() const {
    std::string text = file;
    text += ": ";
    text += what;
    if (!message.empty()) {
        text += ": ";
        text += message;
    }
    return text;
}

std::variant<Database, SqliteError> Database::open(const std::filesystem::path& file, int flags,
                                                   const std::optional<std::string>& vfs) {
    sqlite3* handle = nullptr;
    const int result = sqlite3_open_v2(file.c_str(), &handle, flags, vfs ? vfs->c_str() : nullptr);
    if (result != SQLITE_OK) {
        // SQLite hands back a handle even when opening fails (except when out of memory); it
        // holds the message and must still be closed.
        SqliteError error{file.string(), "open", handle ? sqlite3_errmsg(handle) : "", result};
        if (handle) {
            error.code = sqlite3_extended_errcode(handle);
        } else {
            error.message = sqlite3_errstr(result);
        }
        sqlite3_close_v2(handle);
        return error;
    }
    // Extended codes tell SQLITE_IOERR_FSYNC from SQLITE_IOERR_WRITE in error reports.
    sqlite3_extended_result_codes(handle, 1);
    return Database(handle, file.string());
}

StatementCache::~StatementCache() {
    for (auto& [sql, entry] : entries) {
        sqlite3_finalize(entry.statement);
    }
}

Database::Database(sqlite3* handle, std::string file)
    : cache_(std::make_unique<StatementCache>()), handle_(handle), file_(std::move(file)) {}

Database::Database(Database&& other) noexcept
    : cache_(std::move(other.cache_)), handle_(std::exchange(other.handle_, nullptr)),
      file_(std::move(other.file_)) {}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        cache_.reset();
        sqlite3_close_v2(handle_);
        cache_ = std::move(other.cache_);
        handle_ = std::exchange(other.handle_, nullptr);
        file_ = std::move(other.file_);
    }
    return *this;
}

Database::~Database() {
    cache_.reset(); // the cached statements go before the connection
    // close_v2 rather than close: should a Statement outlive its Database, the connection lingers
    // until that statement is finalized instead of being leaked with SQLITE_BUSY.
    sqlite3_close_v2(handle_);
}

Statement Database::prepare(std::string_view sql) {
    if (cache_) {
        auto found = cache_->entries.find(std::string(sql));
        if (found != cache_->entries.end() && !found->second.in_use) {
            found->second.in_use = true;
            return Statement(found->second.statement, file_, std::string(sql), std::nullopt,
                             &found->second);
        }
        if (found == cache_->entries.end()) {
            sqlite3_stmt* handle = nullptr;
            const int result = sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()),
                                                  SQLITE_PREPARE_PERSISTENT, &handle, nullptr);
            if (result != SQLITE_OK) {
                sqlite3_finalize(handle);
                return Statement(nullptr, file_, std::string(sql),
                                 last_error("prepare " + std::string(sql)));
            }
            if (handle != nullptr) {
                auto& entry = cache_->entries[std::string(sql)];
                entry.statement = handle;
                entry.in_use = true;
                return Statement(handle, file_, std::string(sql), std::nullopt, &entry);
            }
        }
    }
    sqlite3_stmt* handle = nullptr;
    const int result =
        sqlite3_prepare_v2(handle_, sql.data(), static_cast<int>(sql.size()), &handle, nullptr);
    std::optional<SqliteError> error;
    if (result != SQLITE_OK) {
        error = last_error("prepare " + std::string(sql));
    }
    return Statement(handle, file_, std::string(sql), std::move(error));
}

std::optional<SqliteError> Database::exec(std::string_view sql) {
    if (sql.find(';') == std::string_view::npos) {
        // One statement (BEGIN, COMMIT, a PRAGMA): run it from the cache.
        Statement statement = prepare(sql);
        for (;;) {
            switch (statement.step()) {
            case Statement::Step::row:
                continue;
            case Statement::Step::done:
                return std::nullopt;
            case Statement::Step::failed:
                return statement.error();
            }
        }
    }
    const std::string terminated(sql);
    char* message = nullptr;
    const int result = sqlite3_exec(handle_, terminated.c_str(), nullptr, nullptr, &message);
    if (result == SQLITE_OK) {
        return std::nullopt;
    }
    SqliteError error{file_, "run " + terminated, message ? message : sqlite3_errstr(result),
                      sqlite3_extended_errcode(handle_)};
    sqlite3_free(message);
    return error;
}

void Database::set_busy_timeout_ms(int milliseconds) {
    sqlite3_busy_timeout(handle_, milliseconds);
}

SqliteError Database::last_error(std::string what) const {
    return SqliteError{file_, std::move(what), sqlite3_errmsg(handle_),
                       sqlite3_extended_errcode(handle_)};
}

Statement::Statement(sqlite3_stmt* handle, std::string file, std::string sql,
                     std::optional<SqliteError> error, StatementCache::Entry* cached)
    : handle_(handle), cached_(cached), file_(std::move(file)), sql_(std::move(sql)),
      error_(std::move(error)) {}

Statement::Statement(Statement&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      cached_(std::exchange(other.cached_, nullptr)), file_(std::move(other.file_)),
      sql_(std::move(other.sql_)), error_(std::move(other.error_)) {}

void Statement::release() {
    if (cached_ != nullptr) {
        // Back to the cache, ready to run again, holding no locks and no values.
        sqlite3_reset(handle_);
        sqlite3_clear_bindings(handle_);
        cached_->in_use = false;
        cached_ = nullptr;
    } else {
        sqlite3_finalize(handle_);
    }
    handle_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        release();
        handle_ = std::exchange(other.handle_, nullptr);
        cached_ = std::exchange(other.cached_, nullptr);
        file_ = std::move(other.file_);
        sql_ = std::move(other.sql_);
        error_ = std::move(other.error_);
    }
    return *this;
}

Statement::~Statement() {
    release();
}

void Statement::record_failure(std::string what) {
    sqlite3* connection = sqlite3_db_handle(handle_);
    error_ = SqliteError{file_, std::move(what), sqlite3_errmsg(connection),
                         sqlite3_extended_errcode(connection)};
}

Statement& Statement::bind(int index, std::string_view text) {
    if (error_ || !handle_) {
        return *this;
    }
    if (sqlite3_bind_text64(handle_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                            SQLITE_UTF8) != SQLITE_OK) {
        record_failure("bind parameter " + std::to_string(index) + " of " + sql_);
    }
    return *this;
}

Statement& Statement::bind(int index, std::int64_t number) {
    if (error_ || !handle_) {
        return *this;
    }
    if (sqlite3_bind_int64(handle_, index, number) != SQLITE_OK) {
        record_failure("bind parameter " + std::to_string(index) + " of " + sql_);
    }
    return *this;
}

Statement& Statement::bind_null(int index) {
    if (error_ || !handle_) {
        return *this;
    }
    if (sqlite3_bind_null(handle_, index) != SQLITE_OK) {
        record_failure("bind parameter " + std::to_string(index) + " of " + sql_);
    }
    return *this;
}

Statement::Step Statement::step() {
    if (error_) {
        return Step::failed;
    }
    if (!handle_) {
        // SQLite prepares an empty string or a comment to no statement at all; running it is
        // a mistake in the caller, and a failure is more honest than "done".
        error_ = SqliteError{file_, "run " + sql_, "no SQL statement to run", SQLITE_MISUSE};
        return Step::failed;
    }
    switch (sqlite3_step(handle_)) {
    case SQLITE_ROW:
        return Step::row;
    case SQLITE_DONE:
        return Step::done;
    default:
        record_failure("run " + sql_);
        return Step::failed;
    }
}

bool Statement::column_is_null(int column) const {
    return !handle_ || sqlite3_column_type(handle_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
    return handle_ ? sqlite3_column_int64(handle_, column) : 0;
}

std::string Statement::column_text(int column) const {
    if (!handle_) {
        return {};
    }
    // Text first, then its size: that order is what SQLite documents as safe.
    const auto* text = sqlite3_column_text(handle_, column);
    const int size = sqlite3_column_bytes(handle_, column);
    if (!text) {
        return {};
    }
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
    if (column_is_null(column)) {
        return std::nullopt;
    }
    return column_int64(column);
}

std::optional<std::string> Statement::column_optional_text(int column) const {
    if (column_is_null(column)) {
        return std::nullopt;
    }
    return column_text(column);
}

Transaction::Transaction(Database& database, Mode mode) : database_(database) {
    error_ = database_.exec(mode == Mode::immediate ? "BEGIN IMMEDIATE" : "BEGIN");
    open_ = !error_;
}

Transaction::~Transaction() {
    // SQLite ends the transaction by itself after some failures (a full disk, an I/O error), and
    // ROLLBACK would then fail with "no transaction is active"; ask before rolling back. Errors
    // from ROLLBACK itself cannot be reported from here, and SQLite rolls back the journal the
    // next time the file is opened anyway.
    if (open_ && !sqlite3_get_autocommit(database_.handle())) {
        sqlite3_exec(database_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

std::optional<SqliteError> Transaction::commit() {
    if (!open_) {
        return error_ ? error_
                      : SqliteError{database_.file(), "commit", "no transaction is open",
                                    SQLITE_MISUSE};
    }
    auto error = database_.exec("COMMIT");
    if (!error) {
        open_ = false;
    }
    return error;
}

} // namespace kiosk::outbox
