#include "outbox/schema.hpp"

#include <array>
#include <string>

namespace kiosk::outbox {

namespace {

constexpr std::array<std::string_view, 5> migration_steps{
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

    // 5: card wear. A response's delivery state moves out of its row into small tables of their
    // own, so claiming and acknowledging a response rewrite one small page each instead of the
    // response's whole row and every index on its state (bench/outbox_bytes_bench.cpp). The
    // response row is written once, when it is stored, and never changes after.
    // - delivery_queue: one row per response not yet acknowledged: queued, sending (claimed by
    //   the deliverer) or rejected (refused by the endpoint, kept for staff). It holds only
    //   those, so the deliverer reads it in arrival order without an index.
    // - acknowledgements: one row per response the endpoint has: when, what it answered, and
    //   how many failed attempts came before.
    // - responses is rebuilt without the state columns, in one copy (six DROP COLUMNs would
    //   rewrite every stored response six times).
    // - Triggers keep the three tables whole whichever code path (or hand-typed SQL) changes
    //   the responses: a stored response enters the queue in its insert's transaction, and a
    //   deleted one takes its delivery rows with it and is counted in response_totals. They
    //   do what foreign keys would, and a foreign key would also make this rebuild impossible
    //   inside the migration's transaction.
    // - response_totals.stored becomes `removed`: the responses deleted from this file (purged
    //   after delivery). Stored ever = removed + the rows still held. Counting at delete time
    //   rather than at every insert spares each response a write of the totals page.
    // - delivery_status.last_success_response: the time of the last successful delivery is the
    //   newest acknowledgement's own time, so a delivery need not write the status row too.
    //   The row's last_success_at is written only when that is not so (an older response
    //   delivered after a newer one, a success with nothing acknowledged, a purge removing
    //   the newest acknowledgement), with the newest acknowledged response at that moment:
    //   an acknowledgement of a newer response than this supersedes it.
    // - response_states: the old one-row-per-response shape, for IT's sqlite3 queries.
    R"sql(
CREATE TABLE delivery_queue (
    response_id INTEGER PRIMARY KEY,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'rejected')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_status INTEGER,
    last_error TEXT
);
CREATE TABLE acknowledgements (
    response_id INTEGER PRIMARY KEY,
    acknowledged_at INTEGER,
    status INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0
);
INSERT INTO delivery_queue (response_id, state, attempts, next_attempt_at, last_status, last_error)
    SELECT id, state, attempts, next_attempt_at, last_status, last_error FROM responses
    WHERE state <> 'acknowledged' ORDER BY id;
INSERT INTO acknowledgements (response_id, acknowledged_at, status, attempts)
    SELECT id, acknowledged_at, last_status, attempts FROM responses
    WHERE state = 'acknowledged' ORDER BY id;
ALTER TABLE delivery_status ADD COLUMN last_success_response INTEGER;
UPDATE delivery_status SET last_success_response = (SELECT max(response_id) FROM acknowledgements);
UPDATE response_totals SET stored = max(0, stored - (SELECT count(*) FROM responses));
ALTER TABLE response_totals RENAME COLUMN stored TO removed;
CREATE TABLE stored_responses (
    id INTEGER PRIMARY KEY,
    identifier TEXT NOT NULL UNIQUE,
    questionnaire TEXT NOT NULL,
    authored TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO stored_responses (id, identifier, questionnaire, authored, payload, created_at)
    SELECT id, identifier, questionnaire, authored, payload, created_at FROM responses ORDER BY id;
DROP TABLE responses;
ALTER TABLE stored_responses RENAME TO responses;
CREATE INDEX responses_by_arrival_time ON responses (created_at);
CREATE TRIGGER responses_enter_the_queue AFTER INSERT ON responses BEGIN
    INSERT INTO delivery_queue (response_id) VALUES (NEW.id);
END;
CREATE TRIGGER responses_leave_with_their_delivery BEFORE DELETE ON responses BEGIN
    DELETE FROM delivery_queue WHERE response_id = OLD.id;
    DELETE FROM acknowledgements WHERE response_id = OLD.id;
    INSERT INTO response_totals (id, removed, since)
        VALUES (1, 1, (SELECT min(created_at) FROM responses))
        ON CONFLICT (id) DO UPDATE SET removed = removed + 1,
            since = coalesce(since, excluded.since);
END;
CREATE VIEW response_states AS
SELECT r.id, r.identifier, r.questionnaire, r.authored, r.payload,
       CASE WHEN a.response_id IS NOT NULL THEN 'acknowledged' ELSE q.state END AS state,
       r.created_at, coalesce(q.attempts, a.attempts, 0) AS attempts,
       coalesce(q.last_status, a.status) AS last_status, q.last_error, q.next_attempt_at,
       a.acknowledged_at
FROM responses AS r
LEFT JOIN delivery_queue AS q ON q.response_id = r.id
LEFT JOIN acknowledgements AS a ON a.response_id = r.id;
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
