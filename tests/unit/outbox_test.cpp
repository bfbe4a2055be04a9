// The outbox keeps patients' answers until the central endpoint has them, so these tests work on
// real files in real temporary directories and read the results back through a second, raw
// connection wherever the outbox's own word is not proof enough.

#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include "outbox_test_support.hpp"

#include <catch2/catch.hpp>

#include "outbox/outbox.hpp"
#include "outbox/schema.hpp"
#include "outbox/sqlite_handle.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace kiosk::outbox;

CATCH_REGISTER_ENUM(kiosk::outbox::ResponseState, kiosk::outbox::ResponseState::queued,
                    kiosk::outbox::ResponseState::sending,
                    kiosk::outbox::ResponseState::acknowledged,
                    kiosk::outbox::ResponseState::rejected)
CATCH_REGISTER_ENUM(kiosk::outbox::AppendResult::Status,
                    kiosk::outbox::AppendResult::Status::stored,
                    kiosk::outbox::AppendResult::Status::already_stored,
                    kiosk::outbox::AppendResult::Status::failed)
CATCH_REGISTER_ENUM(kiosk::outbox::OutboxError::Kind, kiosk::outbox::OutboxError::Kind::cannot_open,
                    kiosk::outbox::OutboxError::Kind::corrupt,
                    kiosk::outbox::OutboxError::Kind::too_new,
                    kiosk::outbox::OutboxError::Kind::conflict,
                    kiosk::outbox::OutboxError::Kind::invalid,
                    kiosk::outbox::OutboxError::Kind::full,
                    kiosk::outbox::OutboxError::Kind::storage)

namespace {

using TemporaryDirectory = kiosk::testing::ScopedTempDir;
using kiosk::testing::open_outbox;

OutboxError open_error(const fs::path& file, const OutboxOptions& options = {}) {
    auto opened = Outbox::open(file, options);
    REQUIRE_FALSE(opened.outbox);
    REQUIRE(opened.error);
    return *opened.error;
}

using kiosk::testing::insert_raw_response;
using kiosk::testing::open_raw;
using kiosk::testing::query_number;
using kiosk::testing::run_raw;

std::int64_t user_version_of(const fs::path& file) {
    auto database = open_raw(file);
    return query_number(database, "PRAGMA user_version");
}

std::vector<std::string> column_names(Database& database, std::string_view table) {
    auto statement = database.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid");
    statement.bind(1, table);
    std::vector<std::string> names;
    while (statement.step() == Statement::Step::row) {
        names.push_back(statement.column_text(0));
    }
    REQUIRE_FALSE(statement.error());
    return names;
}

std::string read_bytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    REQUIRE(in);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
    REQUIRE(out);
}

NewResponse sample_response(int number) {
    const std::string identifier =
        "urn:uuid:6f1c2a9e-4b7d-4c1e-9a3f-" + std::string(11, '0') + std::to_string(number);
    return NewResponse{
        identifier,
        "https://example.nhs.uk/fhir/Questionnaire/ward-feedback|1.2.0",
        "2024-05-17T09:3" + std::to_string(number % 10) + ":00Z",
        // Quotes, backslashes and non-ASCII text must come back byte for byte.
        R"({"resourceType":"QuestionnaireResponse","identifier":{"value":")" + identifier +
            R"("},"item":[{"linkId":"comment","answer":[{"valueString":"Très bien, \"merci\" \\ 😊"}]}]})",
        1715938200000 + number,
    };
}

void require_stored(Outbox& outbox, const NewResponse& response) {
    const auto result = outbox.append(response);
    if (result.error) {
        FAIL("append failed: " << result.error->describe());
    }
    REQUIRE(result.status == AppendResult::Status::stored);
}

std::int64_t count_of(Outbox& outbox, std::optional<ResponseState> state = std::nullopt) {
    const auto counted = outbox.count(state);
    if (counted.error) {
        FAIL("count failed: " << counted.error->describe());
    }
    return counted.count;
}

std::vector<StoredResponse> list_of(Outbox& outbox, std::optional<ResponseState> state = {},
                                    std::size_t limit = 1000) {
    auto listed = outbox.list(state, limit);
    if (listed.error) {
        FAIL("list failed: " << listed.error->describe());
    }
    return std::move(listed.responses);
}

void check_same_fields(const StoredResponse& row, const NewResponse& expected) {
    CHECK(row.identifier == expected.identifier);
    CHECK(row.questionnaire == expected.questionnaire);
    CHECK(row.authored == expected.authored);
    CHECK(row.payload == expected.payload);
    CHECK(row.created_at_ms == expected.created_at_ms);
}

// A database as a kiosk with the given schema version left it, holding one response when the
// schema has a table to hold it.
void build_database_at_version(const fs::path& file, int version, const NewResponse& response) {
    if (version == 0) {
        // What a kiosk that never got as far as its first migration leaves behind.
        write_bytes(file, "");
        return;
    }
    auto database = open_raw(file);
    run_raw(database, "PRAGMA journal_mode = WAL");
    for (int step = 0; step < version; ++step) {
        run_raw(database, migrations()[static_cast<std::size_t>(step)]);
    }
    run_raw(database, "PRAGMA user_version = " + std::to_string(version));
    // Only the columns of migration 1, which every version has.
    insert_raw_response(database, response);
}

} // namespace

TEST_CASE("a fresh outbox has the latest schema, write-ahead logging and full sync", "[outbox]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "data" / "outbox.db";
    {
        auto outbox = open_outbox(file);
        CHECK(outbox.file() == file);
        CHECK(outbox.schema_version() == latest_schema_version());

        const auto read = outbox.connection_settings();
        REQUIRE_FALSE(read.error);
        CHECK(read.settings.journal_mode == "wal");
        CHECK(read.settings.synchronous == "full");
        CHECK(read.settings.foreign_keys);
        CHECK(read.settings.secure_delete);
        CHECK(read.settings.temp_store_in_memory);
        CHECK(read.settings.busy_timeout_ms == 5000);
        // Small pages, as the log carries whole pages (card wear), and about 4 MiB of log
        // between checkpoints, as with SQLite's default of 1000 pages of 4 KiB.
        CHECK(read.settings.page_size == 512);
        CHECK(read.settings.wal_autocheckpoint == 8192);
        CHECK(count_of(outbox) == 0);
    }

    CHECK(user_version_of(file) == latest_schema_version());
    auto database = open_raw(file);
    std::string journal_mode;
    {
        auto statement = database.prepare("PRAGMA journal_mode");
        REQUIRE(statement.step() == Statement::Step::row);
        journal_mode = statement.column_text(0);
    }
    CHECK(journal_mode == "wal"); // WAL is a property of the file, so a new connection sees it too
    // A response row is written once; its delivery state lives in small tables of its own.
    CHECK(column_names(database, "responses") ==
          std::vector<std::string>{"id", "identifier", "questionnaire", "authored", "payload",
                                   "created_at"});
    CHECK(column_names(database, "delivery_queue") ==
          std::vector<std::string>{"response_id", "state", "attempts", "next_attempt_at",
                                   "last_status", "last_error"});
    CHECK(column_names(database, "acknowledgements") ==
          std::vector<std::string>{"response_id", "acknowledged_at", "status", "attempts"});
}

TEST_CASE("an appended response is counted and listed with exactly its fields", "[outbox]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto response = sample_response(1);

    require_stored(outbox, response);

    CHECK(count_of(outbox) == 1);
    CHECK(count_of(outbox, ResponseState::queued) == 1);
    CHECK(count_of(outbox, ResponseState::sending) == 0);
    const auto rows = list_of(outbox);
    REQUIRE(rows.size() == 1);
    check_same_fields(rows[0], response);
    CHECK(rows[0].id > 0);
    CHECK(rows[0].state == ResponseState::queued);
    CHECK(rows[0].attempts == 0);
    CHECK(rows[0].last_status == std::nullopt);
    CHECK(rows[0].last_error == std::nullopt);
}

TEST_CASE("list keeps arrival order, honours the limit and filters by state", "[outbox]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);
    for (int number = 1; number <= 3; ++number) {
        require_stored(outbox, sample_response(number));
    }
    // The delivery worker will make these changes; here a raw connection stands in for it.
    {
        auto database = open_raw(file);
        auto update = database.prepare(
            "UPDATE delivery_queue SET state = 'rejected', attempts = 2, last_status = 422, "
            "last_error = 'questionnaire unknown' WHERE response_id = "
            "(SELECT id FROM responses WHERE identifier = ?1)");
        update.bind(1, sample_response(2).identifier);
        REQUIRE(update.step() == Statement::Step::done);
    }

    const auto first_two = list_of(outbox, std::nullopt, 2);
    REQUIRE(first_two.size() == 2);
    CHECK(first_two[0].identifier == sample_response(1).identifier);
    CHECK(first_two[1].identifier == sample_response(2).identifier);
    CHECK(first_two[0].id < first_two[1].id);

    CHECK(count_of(outbox, ResponseState::queued) == 2);
    CHECK(count_of(outbox, ResponseState::rejected) == 1);
    const auto queued = list_of(outbox, ResponseState::queued);
    REQUIRE(queued.size() == 2);
    CHECK(queued[0].identifier == sample_response(1).identifier);
    CHECK(queued[1].identifier == sample_response(3).identifier);

    const auto rejected = list_of(outbox, ResponseState::rejected);
    REQUIRE(rejected.size() == 1);
    check_same_fields(rejected[0], sample_response(2));
    CHECK(rejected[0].state == ResponseState::rejected);
    CHECK(rejected[0].attempts == 2);
    CHECK(rejected[0].last_status == 422);
    CHECK(rejected[0].last_error == "questionnaire unknown");

    CHECK(list_of(outbox, ResponseState::acknowledged).empty());
    CHECK(list_of(outbox, std::nullopt, 0).empty());
}

TEST_CASE("migration 5 moves each response's delivery state out of its row, whatever the state",
          "[outbox][migration]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    {
        // A version 4 outbox in the middle of a working day: one response of each state, two
        // more responses already purged (the totals say 6 stored), and a delivery pause.
        auto database = open_raw(file);
        run_raw(database, "PRAGMA journal_mode = WAL");
        for (int step = 0; step < 4; ++step) {
            run_raw(database, migrations()[static_cast<std::size_t>(step)]);
        }
        run_raw(database, "PRAGMA user_version = 4");
        for (int number = 1; number <= 4; ++number) {
            const auto response = sample_response(number);
            insert_raw_response(database, response);
        }
        run_raw(database, "UPDATE responses SET state = 'acknowledged', attempts = 1, "
                          "last_status = 201, acknowledged_at = 1715939000000 WHERE id = 1");
        run_raw(database, "UPDATE responses SET state = 'rejected', attempts = 2, "
                          "last_status = 422, last_error = 'unknown questionnaire' WHERE id = 2");
        run_raw(database, "UPDATE responses SET state = 'sending', attempts = 3, "
                          "last_status = 503, last_error = 'busy', "
                          "next_attempt_at = 1715939500000 WHERE id = 3");
        run_raw(database, "UPDATE response_totals SET stored = 6, since = 1715930000000");
        run_raw(database, "UPDATE delivery_status SET last_success_at = 1715939000000, "
                          "paused = 1, paused_reason = 'HTTP 401'");
    }

    auto outbox = open_outbox(file);
    REQUIRE(outbox.schema_version() == 5);
    const auto rows = list_of(outbox);
    REQUIRE(rows.size() == 4);
    for (int number = 1; number <= 4; ++number) {
        check_same_fields(rows[static_cast<std::size_t>(number - 1)], sample_response(number));
    }
    StoredResponse acknowledged = rows[0];
    CHECK(acknowledged.state == ResponseState::acknowledged);
    CHECK(acknowledged.attempts == 1);
    CHECK(acknowledged.last_status == 201);
    CHECK(acknowledged.acknowledged_at_ms == 1715939000000);
    CHECK(acknowledged.next_attempt_at_ms == std::nullopt);
    CHECK(rows[1].state == ResponseState::rejected);
    CHECK(rows[1].attempts == 2);
    CHECK(rows[1].last_status == 422);
    CHECK(rows[1].last_error == "unknown questionnaire");
    CHECK(rows[2].state == ResponseState::sending);
    CHECK(rows[2].attempts == 3);
    CHECK(rows[2].last_status == 503);
    CHECK(rows[2].last_error == "busy");
    CHECK(rows[2].next_attempt_at_ms == 1715939500000);
    CHECK(rows[2].acknowledged_at_ms == std::nullopt);
    CHECK(rows[3].state == ResponseState::queued);
    CHECK(rows[3].attempts == 0);
    CHECK(rows[3].last_status == std::nullopt);
    for (const auto& row : rows) {
        const auto one = outbox.get(row.id);
        REQUIRE_FALSE(one.error);
        CHECK(one.response == row);
    }

    const auto status = outbox.delivery_status();
    REQUIRE_FALSE(status.error);
    CHECK(status.status.queued == 1);
    CHECK(status.status.sending == 1);
    CHECK(status.status.acknowledged == 1);
    CHECK(status.status.rejected == 1);
    CHECK(status.status.oldest_waiting_created_at_ms == sample_response(3).created_at_ms);
    CHECK(status.status.last_success_at_ms == 1715939000000);
    CHECK(status.status.paused);

    // Six stored in all: four held and two purged before the upgrade; since is kept.
    const auto totals = outbox.response_totals(0);
    REQUIRE_FALSE(totals.error);
    CHECK(totals.totals.stored_ever == 6);
    CHECK(totals.totals.since_ms == 1715930000000);
    CHECK(totals.totals.stored_since == 4);

    // The interrupted one goes back to the queue and both are delivered in order; purging
    // then removes the delivered ones and counts them, and the total stays 6.
    CHECK(outbox.recover_interrupted().count == 1);
    const auto claimed = outbox.claim_batch(1715940000000, 50, 1 << 20);
    REQUIRE_FALSE(claimed.error);
    REQUIRE(claimed.responses.size() == 2);
    CHECK(claimed.responses[0].id == rows[2].id);
    CHECK(claimed.responses[0].attempts == 3);
    CHECK(claimed.responses[1].id == rows[3].id);
    const std::array<std::int64_t, 2> sent{rows[2].id, rows[3].id};
    CHECK(outbox.mark_acknowledged(sent, 1715940000001, 200).count == 2);
    CHECK(outbox.purge_acknowledged(1715940000002).count == 3);
    CHECK(count_of(outbox) == 1); // the rejected one stays for staff
    CHECK(count_of(outbox, ResponseState::rejected) == 1);
    const auto after = outbox.response_totals(0);
    REQUIRE_FALSE(after.error);
    CHECK(after.totals.stored_ever == 6);
    CHECK(after.totals.since_ms == 1715930000000);
    CHECK(after.totals.stored_since == 1);
}

TEST_CASE("responses stored or deleted by hand keep their delivery state whole", "[outbox]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);
    require_stored(outbox, sample_response(1));
    {
        // IT's sqlite3, or an older tool: only the response columns.
        auto database = open_raw(file);
        const auto response = sample_response(2);
        insert_raw_response(database, response);
    }
    CHECK(count_of(outbox, ResponseState::queued) == 2); // queued by the trigger
    {
        auto database = open_raw(file);
        run_raw(database, "DELETE FROM responses WHERE id = 1");
        CHECK(query_number(database, "SELECT count(*) FROM delivery_queue") == 1);
        CHECK(query_number(database, "SELECT removed FROM response_totals") == 1);
    }
    CHECK(count_of(outbox) == 1);
    const auto totals = outbox.response_totals(0);
    REQUIRE_FALSE(totals.error);
    CHECK(totals.totals.stored_ever == 2);
    CHECK(totals.totals.since_ms == sample_response(1).created_at_ms);
}

TEST_CASE("appending the same response twice stores it once", "[outbox]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto response = sample_response(1);
    require_stored(outbox, response);

    auto again = response;
    again.created_at_ms += 60'000; // a retried submit a minute later is still the same response
    const auto result = outbox.append(again);

    CHECK(result.status == AppendResult::Status::already_stored);
    CHECK_FALSE(result.error);
    CHECK(count_of(outbox) == 1);
    const auto rows = list_of(outbox);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].created_at_ms == response.created_at_ms);
}

TEST_CASE("a different response under a stored identifier is refused and the original kept",
          "[outbox]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);
    const auto original = sample_response(1);
    require_stored(outbox, original);

    auto different = original;
    different.payload = R"({"resourceType":"QuestionnaireResponse","item":[]})";
    const auto result = outbox.append(different);

    CHECK(result.status == AppendResult::Status::failed);
    REQUIRE(result.error);
    CHECK(result.error->kind == OutboxError::Kind::conflict);
    CHECK(result.error->file == file.string());
    CHECK_THAT(result.error->describe(), Catch::Contains(original.identifier));
    const auto rows = list_of(outbox);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].payload == original.payload);
}

TEST_CASE("a response with an empty identifier is refused", "[outbox]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    auto response = sample_response(1);
    response.identifier.clear();

    const auto result = outbox.append(response);

    CHECK(result.status == AppendResult::Status::failed);
    REQUIRE(result.error);
    CHECK(result.error->kind == OutboxError::Kind::invalid);
    CHECK_THAT(result.error->cause, Catch::Contains("identifier"));
    CHECK(count_of(outbox) == 0);
}

TEST_CASE("a stored response is committed at once and survives closing and reopening", "[outbox]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    const auto response = sample_response(7);
    {
        auto outbox = open_outbox(file);
        require_stored(outbox, response);
        // Another connection can only see committed data: no transaction was left open.
        auto database = open_raw(file);
        CHECK(query_number(database, "SELECT count(*) FROM responses") == 1);
    }

    auto reopened = open_outbox(file);
    const auto rows = list_of(reopened);
    REQUIRE(rows.size() == 1);
    check_same_fields(rows[0], response);
    CHECK(rows[0].state == ResponseState::queued);
}

TEST_CASE("an outbox from every older schema version is migrated with its rows intact",
          "[outbox][migration]") {
    REQUIRE(latest_schema_version() == static_cast<int>(migrations().size()));
    const auto response = sample_response(3);

    for (int version = 0; version < latest_schema_version(); ++version) {
        DYNAMIC_SECTION("from version " << version) {
            TemporaryDirectory directory;
            const auto file = directory.path() / "outbox.db";
            build_database_at_version(file, version, response);
            // An older kiosk's file has SQLite's default page size; the empty file of version 0
            // has no pages yet and simply takes the outbox's own.
            const std::int64_t older_page_size = [&]() -> std::int64_t {
                auto raw = open_raw(file);
                return query_number(raw, "PRAGMA page_size");
            }();
            REQUIRE(older_page_size == 4096);

            {
                auto opened = Outbox::open(file);
                REQUIRE(opened.outbox);
                auto& outbox = *opened.outbox;
                CHECK(outbox.schema_version() == latest_schema_version());
                // The file is rewritten with the outbox's pages once; the log is checkpointed at
                // about 4 MiB.
                if (version == 0) {
                    CHECK_FALSE(opened.page_size_rewrite);
                } else {
                    REQUIRE(opened.page_size_rewrite);
                    CHECK(opened.page_size_rewrite->from == 4096);
                    CHECK(opened.page_size_rewrite->to == 512);
                    CHECK(opened.page_size_rewrite->failure == std::nullopt);
                }
                const auto read = outbox.connection_settings();
                REQUIRE_FALSE(read.error);
                CHECK(read.settings.page_size == 512);
                CHECK(read.settings.journal_mode == "wal");
                CHECK(read.settings.wal_autocheckpoint * 512 == 4 * 1024 * 1024);
                const auto rows = list_of(outbox);
                if (version == 0) {
                    CHECK(rows.empty());
                } else {
                    REQUIRE(rows.size() == 1);
                    check_same_fields(rows[0], response);
                    CHECK(rows[0].state == ResponseState::queued);
                    CHECK(rows[0].attempts == 0);
                    CHECK(rows[0].last_status == std::nullopt);
                    CHECK(rows[0].last_error == std::nullopt);
                }
                // The migrated outbox takes new responses like a fresh one.
                require_stored(outbox, sample_response(4));
                const auto totals = outbox.response_totals(0);
                REQUIRE_FALSE(totals.error);
                CHECK(totals.totals.stored_ever == (version == 0 ? 1 : 2));
                CHECK(totals.totals.since_ms ==
                      (version == 0 ? sample_response(4) : response).created_at_ms);

                // ... and delivers them: the rows kept from the older version too, oldest first.
                const auto status = outbox.delivery_status();
                REQUIRE_FALSE(status.error);
                CHECK(status.status.queued == (version == 0 ? 1 : 2));
                CHECK_FALSE(status.status.paused);
                CHECK(status.status.last_success_at_ms == std::nullopt);
                const auto claimed = outbox.claim_batch(response.created_at_ms, 50, 1 << 20);
                REQUIRE_FALSE(claimed.error);
                REQUIRE(claimed.responses.size() == (version == 0 ? 1u : 2u));
                CHECK(claimed.responses.back().identifier == sample_response(4).identifier);
                if (version > 0) {
                    CHECK(claimed.responses.front().identifier == response.identifier);
                }
                REQUIRE(outbox.recover_interrupted().count == (version == 0 ? 1 : 2));
            }

            CHECK(user_version_of(file) == latest_schema_version());
            auto database = open_raw(file);
            CHECK(query_number(database,
                               "SELECT count(*) FROM response_states WHERE state = 'queued' AND "
                               "next_attempt_at IS NULL AND acknowledged_at IS NULL") ==
                  (version == 0 ? 1 : 2));
            // Migration 3: the delivery status row, not paused, and the delivery indexes.
            CHECK(query_number(database, "SELECT count(*) FROM delivery_status WHERE id = 1 AND "
                                         "paused = 0 AND last_success_at IS NULL AND "
                                         "last_error IS NULL") == 1);
            CHECK(query_number(database, "SELECT count(*) FROM delivery_status") == 1);
            // Migration 4: staff mode's tables, empty, and the totals counting the rows kept
            // from the older version as well as the one stored since (migration 5: nothing
            // removed yet, so the count is the rows held).
            CHECK(query_number(database, "SELECT count(*) FROM staff_actions") == 0);
            CHECK(query_number(database, "SELECT count(*) FROM device_choices") == 0);
            CHECK(query_number(database, "SELECT removed FROM response_totals WHERE id = 1") == 0);
            // Migration 5: the indexes on the state are gone with the state columns; arrival
            // time keeps its index, and the triggers keep the delivery tables whole.
            CHECK(query_number(database, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
                                         "AND tbl_name = 'responses' AND sql IS NOT NULL") == 1);
            CHECK(query_number(database,
                               "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
                               "name = 'responses_by_arrival_time'") == 1);
            CHECK(query_number(database, "SELECT count(*) FROM sqlite_schema WHERE type = "
                                         "'trigger' AND tbl_name = 'responses'") == 2);
            {
                auto check = database.prepare("PRAGMA integrity_check");
                REQUIRE(check.step() == Statement::Step::row);
                CHECK(check.column_text(0) == "ok");
            }
        }
    }
}

TEST_CASE("a migration that fails leaves the database at its previous version",
          "[outbox][migration]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    const auto response = sample_response(1);
    build_database_at_version(file, 1, response);
    {
        // Someone added a column by hand that migration 2 also adds, as its last ALTER: the
        // earlier ALTERs of migration 2 succeed before this one fails.
        auto database = open_raw(file);
        run_raw(database, "ALTER TABLE responses ADD COLUMN acknowledged_at INTEGER");
    }

    const auto error = open_error(file);

    CHECK(error.kind == OutboxError::Kind::storage);
    CHECK(error.file == file.string());
    CHECK_THAT(error.describe(), Catch::Contains("migration 2"));
    CHECK_THAT(error.cause, Catch::Contains("duplicate column name"));
    CHECK(user_version_of(file) == 1);
    auto database = open_raw(file);
    const auto columns = column_names(database, "responses");
    CHECK(std::find(columns.begin(), columns.end(), "attempts") == columns.end());
    CHECK(query_number(database, "SELECT count(*) FROM responses") == 1);
}

TEST_CASE("a database from a newer kiosk is refused and left untouched", "[outbox][migration]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    const int newer = latest_schema_version() + 1;
    {
        auto database = open_raw(file);
        run_raw(database, migrations()[0]);
        run_raw(database, "CREATE TABLE from_the_future (x)");
        run_raw(database, "PRAGMA user_version = " + std::to_string(newer));
    }
    const auto before = read_bytes(file);

    const auto error = open_error(file);

    CHECK(error.kind == OutboxError::Kind::too_new);
    CHECK(error.file == file.string());
    CHECK_THAT(error.cause, Catch::Contains(std::to_string(newer)));
    CHECK(read_bytes(file) == before);
    CHECK_FALSE(fs::exists(file.string() + "-wal"));
    CHECK(user_version_of(file) == newer);
}

TEST_CASE("a file that is not a database is reported as corrupt and left unchanged", "[outbox]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    std::string garbage;
    while (garbage.size() < 8192) {
        garbage += "These are the minutes of the ward meeting, saved in the wrong place.\n";
    }
    write_bytes(file, garbage);

    const auto error = open_error(file);

    CHECK(error.kind == OutboxError::Kind::corrupt);
    CHECK(error.file == file.string());
    CHECK_THAT(error.cause, Catch::Contains("file is not a database"));
    CHECK(read_bytes(file) == garbage);
}

TEST_CASE("a database that fails its check is reported as corrupt and left unchanged", "[outbox]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    std::int64_t page_size = 0;
    {
        auto database = open_raw(file);
        run_raw(database, migrations()[0]);
        run_raw(database, "PRAGMA user_version = 1");
        run_raw(database, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                          "WHERE i < 200) INSERT INTO responses (identifier, questionnaire, "
                          "authored, payload, created_at) SELECT 'urn:uuid:' || i, 'q', 'a', "
                          "hex(randomblob(400)), i FROM n");
        page_size = query_number(database, "PRAGMA page_size");
        REQUIRE(query_number(database, "PRAGMA page_count") > 10);
        REQUIRE(query_number(database, "PRAGMA freelist_count") == 0);
    }
    auto bytes = read_bytes(file);
    // Both kinds of damage leave the header and the schema readable, so only the check at open
    // can notice.
    SECTION("a page in the middle of the table overwritten") {
        // quick_check itself fails with "database disk image is malformed".
        const auto damaged_page = static_cast<std::ptrdiff_t>(8 * page_size);
        std::fill_n(bytes.begin() + damaged_page, static_cast<std::size_t>(page_size), '\x5a');
    }
    SECTION("the list of free pages pointing into the table") {
        // quick_check runs to the end and answers with a list of problems instead of "ok".
        const std::size_t first_free_page_offset = 32;
        bytes[first_free_page_offset + 3] = '\x09';
    }
    write_bytes(file, bytes);

    const auto error = open_error(file);

    CHECK(error.kind == OutboxError::Kind::corrupt);
    CHECK(error.file == file.string());
    CHECK_THAT(error.what, Catch::Contains("quick_check"));
    CHECK_FALSE(error.cause.empty());
    CHECK(read_bytes(file) == bytes);
}

TEST_CASE("an outbox where write-ahead logging is unavailable is refused", "[outbox]") {
    // SQLite cannot keep an in-memory database in WAL mode and answers "memory" instead, just as
    // it keeps the old mode on a file system without shared memory: nothing there would survive a
    // power cut, so there must be no outbox either.
    const auto error = open_error(":memory:");

    CHECK(error.kind == OutboxError::Kind::storage);
    CHECK_THAT(error.what, Catch::Contains("write-ahead logging"));
    CHECK_THAT(error.cause, Catch::Contains("memory"));
}

TEST_CASE("a data directory that cannot be created gives an error naming it", "[outbox]") {
    TemporaryDirectory directory;
    // A regular file where a directory should be stops even root, unlike permissions.
    const auto blocker = directory.path() / "blocker";
    write_bytes(blocker, "not a directory");
    const auto data_directory = blocker / "data";
    const auto file = data_directory / "outbox.db";

    const auto error = open_error(file);

    CHECK(error.kind == OutboxError::Kind::cannot_open);
    CHECK(error.file == file.string());
    CHECK_THAT(error.describe(), Catch::Contains(data_directory.string()));
    CHECK_FALSE(error.cause.empty());
}

TEST_CASE("an append that runs out of space fails, keeps earlier rows, and works once space "
          "returns",
          "[outbox]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    {
        auto outbox = open_outbox(file);
        for (int number = 1; number <= 3; ++number) {
            require_stored(outbox, sample_response(number));
        }
    }
    // SQLite will not cap a database below its current size, so a cap of one page means "not a
    // page more": the disk is full as far as this connection can tell.
    auto big = sample_response(4);
    big.payload = std::string(64 * 1024, 'x');
    {
        auto outbox = open_outbox(file, OutboxOptions{1});
        const auto result = outbox.append(big);

        CHECK(result.status == AppendResult::Status::failed);
        REQUIRE(result.error);
        CHECK(result.error->kind == OutboxError::Kind::full);
        CHECK(result.error->file == file.string());
        CHECK_THAT(result.error->cause, Catch::Contains("database or disk is full"));
        CHECK(count_of(outbox) == 3);
    }

    auto outbox = open_outbox(file);
    CHECK(count_of(outbox) == 3);
    require_stored(outbox, big);
    const auto rows = list_of(outbox);
    REQUIRE(rows.size() == 4);
    for (int number = 1; number <= 3; ++number) {
        check_same_fields(rows[static_cast<std::size_t>(number - 1)], sample_response(number));
    }
    check_same_fields(rows[3], big);
}

TEST_CASE("response states are written and read with the same words", "[outbox]") {
    for (auto state : {ResponseState::queued, ResponseState::sending, ResponseState::acknowledged,
                       ResponseState::rejected}) {
        CHECK(response_state_from_string(to_string(state)) == state);
    }
    CHECK(to_string(ResponseState::acknowledged) == "acknowledged");
    CHECK(response_state_from_string("delivered") == std::nullopt);
    CHECK(response_state_from_string("") == std::nullopt);
}

TEST_CASE("a transaction rolls back unless it is committed", "[outbox][sqlite]") {
    TemporaryDirectory directory;
    auto database = open_raw(directory.path() / "plain.db");
    run_raw(database, "CREATE TABLE notes (text TEXT)");

    {
        Transaction transaction(database, Transaction::Mode::immediate);
        REQUIRE_FALSE(transaction.error());
        run_raw(database, "INSERT INTO notes VALUES ('dropped')");
    }
    CHECK(query_number(database, "SELECT count(*) FROM notes") == 0);

    {
        Transaction transaction(database, Transaction::Mode::immediate);
        REQUIRE_FALSE(transaction.error());
        run_raw(database, "INSERT INTO notes VALUES ('kept')");
        CHECK_FALSE(transaction.commit());
    }
    CHECK(query_number(database, "SELECT count(*) FROM notes") == 1);
}

TEST_CASE("a failing statement reports the file, the SQL and SQLite's message",
          "[outbox][sqlite]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "plain.db";
    auto database = open_raw(file);

    auto statement = database.prepare("SELEKT 1");
    statement.bind(1, std::int64_t{5}); // ignored after the failed prepare, not a crash

    CHECK(statement.step() == Statement::Step::failed);
    REQUIRE(statement.error());
    CHECK(statement.error()->file == file.string());
    CHECK_THAT(statement.error()->what, Catch::Contains("SELEKT 1"));
    CHECK_THAT(statement.error()->message, Catch::Contains("syntax error"));
    CHECK(statement.error()->primary_code() == SQLITE_ERROR);
}
