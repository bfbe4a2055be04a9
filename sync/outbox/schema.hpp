#pragma once

// The outbox schema and its forward-only migrations.
//
// The schema version lives in PRAGMA user_version. Migration N takes a database from version N-1
// to version N; a database at any older version is brought up to date by running the missing
// migrations in order, each in its own transaction together with the version bump, so a crash or a
// failure between two migrations leaves a database at a well-defined version.

#include "outbox/sqlite_handle.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace kiosk::outbox {

// migrations()[0] is migration 1. Public so tests can build a database at any older version exactly
// as an older kiosk would have left it. Once shipped, an entry is never edited: add a new one.
std::span<const std::string_view> migrations();

// The version a database has once every migration has run.
int latest_schema_version();

struct SchemaVersion {
    int version = 0;
    std::optional<SqliteError> error;
};

SchemaVersion read_schema_version(Database& database);

// Runs the migrations after from_version, in order. Versions newer than this code knows must be
// refused by the caller before calling this; this function only ever moves forward.
std::optional<SqliteError> migrate(Database& database, int from_version);

} // namespace kiosk::outbox
