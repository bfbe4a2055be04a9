#include "outbox/schema.hpp"

#include <array>
#include <string>

namespace kiosk::outbox {

namespace {

constexpr std::array<std::string_view, 4> migration_steps{
    // 1: the queue itself. created_at is Unix milliseconds.
    R"sql(
CREATE TABLE responses (
    id INTEGER PRIMARY KEY,
    identifier TEXT NOT NULL UNIQUE,
    questionnaire TEXT NOT NULL,
    authored TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sending', 'acknowledged', 'rejected')),
    created_at INTEGER NOT NULL
);
)sql",

    // 2: delivery bookkeeping. Times are Unix milliseconds; a NULL next_attempt_at means "now".
    // The index serves the delivery worker's "what is due" query.
    R"sql(
ALTER TABLE responses ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE responses ADD COLUMN next_attempt_at INTEGER;
ALTER TABLE responses ADD COLUMN last_status INTEGER;
ALTER TABLE responses ADD COLUMN last_error TEXT;
ALTER TABLE responses ADD COLUMN acknowledged_at INTEGER;
CREATE INDEX responses_by_state_and_next_attempt ON responses (state, next_attempt_at);
)sql",

    // 3: delivery.
    // - delivery_status: one row (id 1) with what staff and `kiosk-sync status` are shown, so it
    //   survives a restart and is shared by the kiosk's worker and the kiosk-sync tool.
    // - responses_queued_in_order: the queued rows in arrival order, so claiming the oldest due
    //   rows reads a few index entries instead of sorting every queued row (or walking the
    //   acknowledged ones) for each batch.
    // - responses_acknowledged_by_time: lets a purge find the old acknowledged rows directly.
    R"sql(
CREATE TABLE delivery_status (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_success_at INTEGER,
    last_error TEXT,
    last_error_at INTEGER,
    paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    paused_reason TEXT
);
INSERT INTO delivery_status (id) VALUES (1);
CREATE INDEX responses_queued_in_order ON responses (id, next_attempt_at) WHERE state = 'queued';
CREATE INDEX responses_acknowledged_by_time ON responses (acknowledged_at)
    WHERE state = 'acknowledged';
)sql",

    // 4: staff mode, in the same file as the responses so one backup holds everything.
    // - staff_actions: what staff did on the device, newest by id. Never a PIN. Kept to the newest
    //   10,000 rows by the outbox when it records one.
    // - device_choices: what staff chose and must survive a restart (questionnaire, clinic,
    //   paused, PIN lockout), as text the app parses.
    // - response_totals: how many responses this file has ever stored, since when. Rows are
    //   purged after delivery, so counting them cannot answer that. A trigger keeps it, so every
    //   insert counts whichever code path made it, in the insert's own transaction. A database
    //   from before this migration starts from the rows it still holds. An upsert, like the
    //   delivery status: should the row go missing, counting starts again instead of stopping.
    // - responses_by_arrival_time: "responses today" reads only today's index entries.
    R"sql(
CREATE TABLE staff_actions (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL
);
CREATE TABLE device_choices (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE response_totals (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    stored INTEGER NOT NULL,
    since INTEGER
);
INSERT INTO response_totals (id, stored, since) SELECT 1, count(*), min(created_at) FROM responses;
CREATE TRIGGER responses_counted_in_totals AFTER INSERT ON responses BEGIN
    INSERT INTO response_totals (id, stored, since) VALUES (1, 1, NEW.created_at)
        ON CONFLICT (id) DO UPDATE SET stored = stored + 1, since = coalesce(since, excluded.since);
END;
CREATE INDEX responses_by_arrival_time ON responses (created_at);
)sql",
};

} // namespace

std::span<const std::string_view> migrations() {
    return migration_steps;
}

int latest_schema_version() {
    return static_cast<int>(migration_steps.size());
}

SchemaVersion read_schema_version(Database& database) {
    auto statement = database.prepare("PRAGMA user_version");
    if (statement.step() != Statement::Step::row) {
        return {0, statement.error()};
    }
    return {static_cast<int>(statement.column_int64(0)), std::nullopt};
}

std::optional<SqliteError> migrate(Database& database, int from_version) {
    for (int target = from_version + 1; target <= latest_schema_version(); ++target) {
        Transaction transaction(database, Transaction::Mode::immediate);
        if (transaction.error()) {
            return transaction.error();
        }
        // Another process (the kiosk-sync tool, say) may have migrated between our first look
        // and taking the write lock; the version read under the lock is the one that counts.
        const auto current = read_schema_version(database);
        if (current.error) {
            return current.error;
        }
        if (current.version >= target) {
            continue;
        }
        const std::string label = "apply schema migration " + std::to_string(target);
        if (auto error = database.exec(migration_steps[static_cast<std::size_t>(target - 1)])) {
            // The migration's SQL is long and fixed; its number says more in a log line.
            error->what = label;
            return error;
        }
        // PRAGMA takes no bound parameters; target is an int we produced, so formatting is safe.
        if (auto error = database.exec("PRAGMA user_version = " + std::to_string(target))) {
            return error;
        }
        if (auto error = transaction.commit()) {
            error->what = label + " (" + error->what + ")";
            return error;
        }
    }
    return std::nullopt;
}

} // namespace kiosk::outbox
