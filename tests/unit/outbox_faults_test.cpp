// I/O faults under the outbox, in the spirit of SQLite's own I/O error tests: the kiosk and its
// delivery worker run a short day's work (store responses, claim, acknowledge, requeue, purge)
// through a VFS that makes the Nth write, sync or open fail, or fills the disk, for N = 1, 2, 3...
// until a run completes without meeting the fault. Each time the failing operation must answer
// with an OutboxError that names the file and what was being done, the file (read through the
// ordinary VFS) must hold exactly what it held before that operation or exactly what it would
// hold after it, never anything else, and once the fault is gone the same connections, doing
// what the product does after a failure, must finish the day with exactly the data of a run
// without faults.

#include "outbox_test_support.hpp"
#include "support/faulty_vfs.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include "outbox/outbox.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace kiosk::outbox;
using kiosk::testing::FaultyVfs;

namespace {

// ---- What is in the file, read without the faulty VFS -------------------------------------

struct SqliteCloser {
    void operator()(sqlite3* connection) const { sqlite3_close_v2(connection); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Connection = std::unique_ptr<sqlite3, SqliteCloser>;
using Prepared = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// A connection through SQLite's default VFS that never creates the file: looking must not make
// a database where the outbox failed to make one.
Connection open_to_look(const fs::path& file) {
    sqlite3* handle = nullptr;
    const int result = sqlite3_open_v2(file.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr);
    Connection connection(handle);
    if (result != SQLITE_OK) {
        FAIL("cannot open " << file << " to look at it: " << sqlite3_errstr(result));
    }
    sqlite3_busy_timeout(handle, 5000);
    return connection;
}

// Every row of a query, one line per row, columns separated by '|', NULL as "NULL".
std::string rows_of(sqlite3* connection, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(connection, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
        FAIL("cannot run " << sql << ": " << sqlite3_errmsg(connection));
    }
    Prepared statement(raw);
    std::string text;
    int result = SQLITE_ROW;
    while ((result = sqlite3_step(statement.get())) == SQLITE_ROW) {
        for (int column = 0; column < sqlite3_column_count(statement.get()); ++column) {
            const auto* value = sqlite3_column_text(statement.get(), column);
            text += column > 0 ? "|" : "";
            text += value != nullptr ? reinterpret_cast<const char*>(value) : "NULL";
        }
        text += '\n';
    }
    if (result != SQLITE_DONE) {
        FAIL("reading " << sql << " failed: " << sqlite3_errmsg(connection));
    }
    return text;
}

bool has_table(sqlite3* connection, const std::string& table) {
    return rows_of(connection, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '" +
                                   table + "'") == "1\n";
}

// The data, as text so that a difference prints readably. `responses` is what patients gave
// (and its delivery state); `rest` is everything else the day's work changes.
struct Snapshot {
    std::string responses;
    std::string rest;
    bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot_of(const fs::path& file) {
    Snapshot snapshot;
    if (!fs::exists(file)) {
        return snapshot;
    }
    auto connection = open_to_look(file);
    // Each response with its delivery state (the view joins them), or, before the schema is
    // complete, whatever rows the response table holds.
    if (rows_of(connection.get(), "SELECT 1 FROM sqlite_schema WHERE type = 'view' AND "
                                  "name = 'response_states'") == "1\n") {
        snapshot.responses = rows_of(connection.get(), "SELECT * FROM response_states ORDER BY id");
    } else if (has_table(connection.get(), "responses")) {
        snapshot.responses = rows_of(connection.get(), "SELECT * FROM responses ORDER BY id");
    }
    snapshot.rest = "schema version " + rows_of(connection.get(), "PRAGMA user_version");
    for (const auto* table : {"delivery_status", "response_totals"}) {
        if (has_table(connection.get(), table)) {
            snapshot.rest += std::string(table) + ":\n" +
                             rows_of(connection.get(), std::string("SELECT * FROM ") + table);
        }
    }
    return snapshot;
}

std::string integrity_of(const fs::path& file) {
    if (!fs::exists(file)) {
        return "ok\n";
    }
    auto connection = open_to_look(file);
    return rows_of(connection.get(), "PRAGMA integrity_check");
}

// ---- The day's work -----------------------------------------------------------------------

NewResponse response_number(int number) {
    const std::string identifier =
        "urn:uuid:0b5e7c1d-2f4a-4e8b-9c6d-" + std::string(11, '0') + std::to_string(number);
    return NewResponse{identifier, "urn:ward-feedback-kiosk:questionnaire:fft|1.0.0",
                       "2026-03-02T10:0" + std::to_string(number) + ":00Z",
                       R"({"resourceType":"QuestionnaireResponse","identifier":{"value":")" +
                           identifier +
                           R"("},"item":[{"linkId":"overall","answer":[{"valueInteger":)" +
                           std::to_string(number) + "}]}]}",
                       1772445600000 + number};
}

constexpr std::int64_t day_start_ms = 1772445600000;

// The two connections the product keeps: the screens' (synchronous=FULL) and the delivery
// worker's (its own, synchronous=NORMAL), both through the VFS under test.
struct Connections {
    std::optional<Outbox> kiosk;
    std::optional<Outbox> worker;
    std::vector<std::int64_t> claimed; // the worker's last claim
};

struct Step {
    std::string name;
    // What OutboxError::what must contain; empty for opening, which does many things.
    std::string doing;
    // After a failure the work goes on from here, as the product does: the screens retry the
    // same save, a restart reopens, and the worker starts a new pass (recover_interrupted, then
    // claim again) with the same connection.
    std::size_t retry_from = 0;
    // For a step that reports a failure although its change reached the file (possible when a
    // sync fails: the data was written, just not known to be on the disk). true: the work goes
    // on with the next step, as the worker's does after an acknowledgement it believed failed
    // (its next pass finds nothing of that batch left to send). false: back to retry_from.
    bool goes_on_when_done = false;
    std::function<std::optional<OutboxError>(Connections&)> run;
};

std::optional<OutboxError> error_of(const CountResult& result) {
    return result.error;
}

std::vector<Step> the_days_work(const fs::path& file, const std::string& vfs) {
    std::vector<Step> steps;
    auto add = [&steps](std::string name, std::string doing, std::size_t retry_from,
                        bool goes_on_when_done,
                        std::function<std::optional<OutboxError>(Connections&)> run) {
        steps.push_back(
            {std::move(name), std::move(doing), retry_from, goes_on_when_done, std::move(run)});
    };
    const auto here = [&steps] {
        return steps.size();
    };

    add("the kiosk opens the outbox", "", here(), false,
        [file, vfs](Connections& c) -> std::optional<OutboxError> {
            OutboxOptions options;
            options.vfs = vfs;
            auto opened = Outbox::open(file, options);
            if (opened.error) {
                return opened.error;
            }
            c.kiosk = std::move(opened.outbox);
            return std::nullopt;
        });
    add("the delivery worker opens its connection", "", here(), false,
        [file, vfs](Connections& c) -> std::optional<OutboxError> {
            auto options = OutboxOptions::for_delivery();
            options.vfs = vfs;
            auto opened = Outbox::open(file, options);
            if (opened.error) {
                return opened.error;
            }
            c.worker = std::move(opened.outbox);
            return std::nullopt;
        });

    const auto store = [&](int number) {
        const auto response = response_number(number);
        add("the kiosk stores response " + std::to_string(number),
            "store response " + response.identifier, here(), false,
            [response](Connections& c) -> std::optional<OutboxError> {
                // already_stored is right after a failed save that did reach the file.
                return c.kiosk->append(response).error;
            });
    };
    const auto recover = [&] {
        add("the worker starts a pass (recover_interrupted)", "return interrupted deliveries",
            here(), false,
            [](Connections& c) { return error_of(c.worker->recover_interrupted()); });
    };
    const auto claim = [&](std::size_t pass, std::int64_t now, std::size_t entries) {
        add("the worker claims a batch", "claim responses for delivery", pass, false,
            [now, entries](Connections& c) -> std::optional<OutboxError> {
                auto claimed = c.worker->claim_batch(now, entries, 256 * 1024);
                if (claimed.error) {
                    return claimed.error;
                }
                c.claimed.clear();
                for (const auto& response : claimed.responses) {
                    c.claimed.push_back(response.id);
                }
                return std::nullopt;
            });
    };
    const auto acknowledge = [&](std::size_t pass, std::int64_t now) {
        add("the worker marks the batch acknowledged", "mark responses acknowledged", pass, true,
            [now](Connections& c) {
                return error_of(c.worker->mark_acknowledged(c.claimed, now, 201));
            });
    };

    std::size_t pass = 0;
    recover();
    store(1);
    store(2);
    store(3);
    pass = here();
    recover();
    claim(pass, day_start_ms + 1000, 2);
    acknowledge(pass, day_start_ms + 1000);
    store(4);
    pass = here();
    recover();
    claim(pass, day_start_ms + 2000, 10);
    add("the worker requeues the batch after a 503", "return responses to the queue", pass, true,
        [](Connections& c) {
            return error_of(
                c.worker->requeue(c.claimed, day_start_ms + 60'000, 503, "the server is busy"));
        });
    add("the worker records the failed delivery", "record a failed delivery", here(), false,
        [](Connections& c) {
            return c.worker->record_delivery_failure(day_start_ms + 2000, "HTTP 503");
        });
    store(5);
    pass = here();
    recover();
    claim(pass, day_start_ms + 120'000, 10);
    acknowledge(pass, day_start_ms + 120'000);
    add("the worker purges what was acknowledged long ago", "purge acknowledged responses", here(),
        false,
        [](Connections& c) { return error_of(c.worker->purge_acknowledged(day_start_ms + 1001)); });
    return steps;
}

// Runs the day's work without any fault and returns the file's contents before the first step
// and after each one, and how many operations of each kind the work took (closing included).
struct Reference {
    std::vector<Snapshot> after_step; // [0] before the first step, [i + 1] after step i
    Snapshot closed;                  // after both connections closed
    FaultyVfs::Counts counts;
};

Reference reference_run(FaultyVfs& vfs) {
    kiosk::testing::ScopedTempDir dir("kiosk-faults");
    const auto file = dir.path() / "data" / "outbox.sqlite";
    vfs.clear();
    vfs.reset_counts();
    Reference reference;
    {
        Connections connections;
        const auto steps = the_days_work(file, vfs.name());
        reference.after_step.push_back(snapshot_of(file));
        for (const auto& step : steps) {
            INFO(step.name);
            const auto error = step.run(connections);
            if (error) {
                FAIL("without a fault: " << error->describe());
            }
            reference.after_step.push_back(snapshot_of(file));
        }
        // The work has real content: two purged, three delivered, one 503 on the way.
        const auto& last = reference.after_step.back().responses;
        REQUIRE(last.find(response_number(1).identifier) == std::string::npos);
        REQUIRE(last.find(response_number(5).identifier) != std::string::npos);
        REQUIRE(last.find("acknowledged") != std::string::npos);
        REQUIRE(reference.after_step.back().rest.find("HTTP 503") != std::string::npos);
    }
    reference.counts = vfs.counts();
    reference.closed = snapshot_of(file);
    REQUIRE(reference.closed == reference.after_step.back());
    return reference;
}

struct FaultKind {
    std::string label;
    FaultyVfs::Operation operation;
    bool disk_full;
    FaultyVfs::Persistence persistence;
    OutboxError::Kind expected_kind;
};

std::int64_t operations_of(const FaultyVfs::Counts& counts, FaultyVfs::Operation operation) {
    switch (operation) {
    case FaultyVfs::Operation::write:
        return counts.writes;
    case FaultyVfs::Operation::sync:
        return counts.syncs;
    case FaultyVfs::Operation::open:
        return counts.opens;
    }
    return 0;
}

struct RunOutcome {
    bool met = false;      // the fault made at least one operation fail
    bool reported = false; // and the outbox answered one of its calls with an OutboxError
};

// One run with the fault armed at the nth operation.
RunOutcome run_with_fault(FaultyVfs& vfs, const FaultKind& kind, std::int64_t nth,
                          const Reference& reference) {
    kiosk::testing::ScopedTempDir dir("kiosk-faults");
    const auto file = dir.path() / "data" / "outbox.sqlite";
    vfs.reset_counts();
    vfs.arm({kind.operation, nth, kind.persistence, kind.disk_full});
    const auto steps = the_days_work(file, vfs.name());
    bool failed_before = false;
    {
        Connections connections;
        std::size_t next = 0;
        while (next < steps.size()) {
            const Step& step = steps[next];
            const auto error = step.run(connections);
            if (!error) {
                ++next;
                continue;
            }
            INFO("step " << next << ": " << step.name << " failed: " << error->describe()
                         << " (fault: " << vfs.last_fault() << ")");
            // Only the fault may make the work fail, and only once: after it is cleared (or
            // spent) everything must work again on the same connections.
            REQUIRE(vfs.faults_hit() > 0);
            REQUIRE_FALSE(failed_before);
            failed_before = true;

            // A calm, complete report: kind, file, what was being done, and why.
            CHECK(error->kind == kind.expected_kind);
            CHECK(error->file == file.string());
            CHECK_FALSE(error->what.empty());
            CHECK_FALSE(error->cause.empty());
            CHECK(error->describe() == file.string() + ": " + error->what + ": " + error->cause);
            if (!step.doing.empty()) {
                CHECK(error->what.find(step.doing) != std::string::npos);
            }

            // Nothing committed before is lost, nothing half-done is visible: the file holds
            // what it held before the step or what it would hold after it. Opening does its
            // work in several transactions (one per schema migration); before it completes no
            // response can be in the file, so only the responses are compared there.
            const auto now = snapshot_of(file);
            const auto& before = reference.after_step[next];
            const auto& after = reference.after_step[next + 1];
            const bool opening = step.doing.empty();
            const bool as_before = opening ? now.responses == before.responses : now == before;
            const bool as_after = opening ? now.responses == after.responses : now == after;
            if (!as_before && !as_after) {
                FAIL("the file holds neither the state before the step nor after it:\n"
                     << now.responses << now.rest << "\nbefore:\n"
                     << before.responses << before.rest << "\nafter:\n"
                     << after.responses << after.rest);
            }
            CHECK(integrity_of(file) == "ok\n");

            vfs.clear(); // the disk works again, space has returned
            next = as_after && !as_before && step.goes_on_when_done ? next + 1 : step.retry_from;
        }
        // Closing checkpoints the log into the database file: the fault may meet that too.
    }
    const bool met = vfs.faults_hit() > 0;
    INFO("fault " << (met ? vfs.last_fault() : "not met"));
    // Whatever failed on the way, the day ends with exactly the data of a day without faults,
    // every response once, and an intact file.
    CHECK(snapshot_of(file) == reference.closed);
    CHECK(integrity_of(file) == "ok\n");
    return {met, failed_before};
}

} // namespace

TEST_CASE("the faulty VFS fails exactly the operations it is told to, and counts them") {
    FaultyVfs vfs("kiosk-faulty-self-test");
    kiosk::testing::ScopedTempDir dir("kiosk-faults");
    const auto file = dir.path() / "plain.sqlite";

    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            vfs.name().c_str()) == SQLITE_OK);
    Connection connection(raw);
    sqlite3_extended_result_codes(raw, 1);
    const auto run = [&](const char* sql) {
        return sqlite3_exec(raw, sql, nullptr, nullptr, nullptr);
    };
    REQUIRE(run("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                "CREATE TABLE t (x INTEGER)") == SQLITE_OK);
    const auto counted = vfs.counts();
    CHECK(counted.opens >= 2); // the database and its write-ahead log
    CHECK(counted.writes > 0);
    CHECK(counted.syncs > 0);

    SECTION("the nth write fails once with SQLITE_IOERR_WRITE") {
        vfs.fail(FaultyVfs::Operation::write, 1);
        CHECK(run("INSERT INTO t VALUES (1)") == SQLITE_IOERR_WRITE);
        CHECK(vfs.faults_hit() == 1);
        CHECK(vfs.last_fault().find("write 1, on ") == 0);
        CHECK(run("INSERT INTO t VALUES (2)") == SQLITE_OK);
        CHECK(vfs.faults_hit() == 1);
    }
    SECTION("a persistent sync fault fails every sync until cleared") {
        vfs.fail(FaultyVfs::Operation::sync, 1, FaultyVfs::Persistence::persistent);
        CHECK(run("INSERT INTO t VALUES (1)") == SQLITE_IOERR_FSYNC);
        CHECK(run("INSERT INTO t VALUES (2)") == SQLITE_IOERR_FSYNC);
        CHECK(vfs.faults_hit() == 2);
        vfs.clear();
        CHECK(run("INSERT INTO t VALUES (3)") == SQLITE_OK);
    }
    SECTION("a full disk fails writes with SQLITE_FULL from the nth on, until cleared") {
        const auto writes_before = vfs.counts().writes;
        REQUIRE(run("INSERT INTO t VALUES (1)") == SQLITE_OK);
        const auto writes_per_insert = vfs.counts().writes - writes_before;
        REQUIRE(writes_per_insert >= 2);
        vfs.fill_disk(writes_per_insert + 1);
        CHECK(run("INSERT INTO t VALUES (2)") == SQLITE_OK); // its writes come before the nth
        CHECK(run("INSERT INTO t VALUES (3)") == SQLITE_FULL);
        CHECK(run("INSERT INTO t VALUES (4)") == SQLITE_FULL);
        vfs.clear();
        CHECK(run("INSERT INTO t VALUES (5)") == SQLITE_OK);
        sqlite3_stmt* statement = nullptr;
        REQUIRE(sqlite3_prepare_v2(raw, "SELECT group_concat(x) FROM t", -1, &statement, nullptr) ==
                SQLITE_OK);
        Prepared owned(statement);
        REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
        CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0))) ==
              "1,2,5");
    }
    SECTION("the nth open fails with SQLITE_CANTOPEN") {
        vfs.fail(FaultyVfs::Operation::open, 1);
        sqlite3* second = nullptr;
        CHECK(sqlite3_open_v2((dir.path() / "other.sqlite").c_str(), &second,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                              vfs.name().c_str()) == SQLITE_CANTOPEN);
        Connection closed(second);
        CHECK(vfs.faults_hit() == 1);
        CHECK_FALSE(fs::exists(dir.path() / "other.sqlite")); // failed without touching it
    }
    SECTION("an unknown VFS name is refused, and the default VFS is left alone") {
        CHECK(std::string(sqlite3_vfs_find(nullptr)->zName) != vfs.name());
        auto opened = Outbox::open(dir.path() / "outbox.sqlite", [] {
            OutboxOptions options;
            options.vfs = "no-such-vfs";
            return options;
        }());
        REQUIRE(opened.error);
        CHECK(opened.error->kind == OutboxError::Kind::cannot_open);
        CHECK(opened.error->describe().find("no such vfs: no-such-vfs") != std::string::npos);
    }
}

TEST_CASE("every write, sync and open the outbox makes can fail without losing or doubling a "
          "response, and the same connections carry on once the fault is gone") {
    using Operation = FaultyVfs::Operation;
    using Persistence = FaultyVfs::Persistence;
    const FaultKind kind =
        GENERATE(FaultKind{"write fails once", Operation::write, false, Persistence::once,
                           OutboxError::Kind::storage},
                 FaultKind{"writes fail until cleared", Operation::write, false,
                           Persistence::persistent, OutboxError::Kind::storage},
                 FaultKind{"sync fails once", Operation::sync, false, Persistence::once,
                           OutboxError::Kind::storage},
                 FaultKind{"syncs fail until cleared", Operation::sync, false,
                           Persistence::persistent, OutboxError::Kind::storage},
                 FaultKind{"open fails once", Operation::open, false, Persistence::once,
                           OutboxError::Kind::cannot_open},
                 FaultKind{"opens fail until cleared", Operation::open, false,
                           Persistence::persistent, OutboxError::Kind::cannot_open},
                 FaultKind{"the disk is full until cleared", Operation::write, true,
                           Persistence::persistent, OutboxError::Kind::full});
    INFO(kind.label);

    FaultyVfs vfs("kiosk-faulty-outbox");
    const auto reference = reference_run(vfs);
    const auto operations = operations_of(reference.counts, kind.operation);
    REQUIRE(operations > 0);

    std::int64_t nth = 1;
    int reported = 0;
    for (; nth <= operations + 1; ++nth) {
        INFO("the fault at operation " << nth << " of " << operations);
        const auto outcome = run_with_fault(vfs, kind, nth, reference);
        // Up to the last operation the run is the reference run until the fault, so it must
        // meet it; one past the last it must not. Anything else means the runs differ.
        CHECK(outcome.met == (nth <= operations));
        reported += outcome.reported ? 1 : 0;
        if (!outcome.met) {
            break;
        }
    }
    CHECK(nth == operations + 1);
    // Some faults only meet the checkpoint when the connections close, where nobody is told;
    // but most must reach the kiosk or the worker as an error, or the test proves little.
    CHECK(reported > 0);
}
