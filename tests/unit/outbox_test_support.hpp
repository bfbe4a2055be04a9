#pragma once
// Shared by the outbox tests: a directory per test case and an outbox opened in it.

#include "outbox/outbox.hpp"
#include "outbox/sqlite_handle.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <cstdint>
#include <string_view>
#include <variant>

namespace kiosk::testing {

inline outbox::Outbox open_outbox(const std::filesystem::path& file,
                                  const outbox::OutboxOptions& options = {}) {
    auto opened = outbox::Outbox::open(file, options);
    if (opened.error) {
        FAIL("opening the outbox failed: " << opened.error->describe());
    }
    REQUIRE(opened.outbox);
    return std::move(*opened.outbox);
}

// A connection that does not go through the outbox, to see and arrange what is really in the
// file. It waits for the outbox's own connections rather than failing on a lock.
inline outbox::Database open_raw(const std::filesystem::path& file) {
    auto opened = outbox::Database::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (auto* error = std::get_if<outbox::SqliteError>(&opened)) {
        FAIL("raw open failed: " << error->describe());
    }
    auto database = std::move(std::get<outbox::Database>(opened));
    database.set_busy_timeout_ms(5000);
    return database;
}

inline void run_raw(outbox::Database& database, std::string_view sql) {
    if (auto error = database.exec(sql)) {
        FAIL("raw SQL failed: " << error->describe());
    }
}

inline std::int64_t query_number(outbox::Database& database, std::string_view sql) {
    auto statement = database.prepare(sql);
    if (statement.step() != outbox::Statement::Step::row) {
        FAIL("query failed: " << (statement.error() ? statement.error()->describe() : "no row"));
    }
    return statement.column_int64(0);
}

// Stores a response with plain SQL, as an older kiosk or IT's sqlite3 would: only the columns
// every schema version has. From schema version 5 a trigger queues it.
inline void insert_raw_response(outbox::Database& database, const outbox::NewResponse& response) {
    auto insert = database.prepare("INSERT INTO responses (identifier, questionnaire, authored, "
                                   "payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, response.identifier)
        .bind(2, response.questionnaire)
        .bind(3, response.authored)
        .bind(4, response.payload)
        .bind(5, response.created_at_ms);
    REQUIRE(insert.step() == outbox::Statement::Step::done);
}

} // namespace kiosk::testing
