// What staff mode keeps in the outbox's database: the audit trail of staff actions, the choices
// made on the device, the response totals, and the "Send now" / "Send again" / health check
// operations of the staff screens. Real files in real temporary directories, read back through
// a second, raw connection where the outbox's own word is not proof enough.

#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include "outbox_test_support.hpp"

#include <catch2/catch.hpp>

#include "outbox/outbox.hpp"
#include "outbox/schema.hpp"
#include "outbox/sqlite_handle.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace kiosk::outbox;

namespace Catch {
template <> struct StringMaker<StaffAction> {
    static std::string convert(const StaffAction& action) {
        return "{" + std::to_string(action.at_ms) + ", " + action.role + ", " + action.action + "}";
    }
};
} // namespace Catch

namespace {

using TemporaryDirectory = kiosk::testing::ScopedTempDir;
using kiosk::testing::open_outbox;

using kiosk::testing::open_raw;
using kiosk::testing::query_number;
using kiosk::testing::run_raw;

const std::int64_t now = 1715940000000; // a Friday morning in May 2024, in Unix milliseconds

std::int64_t minutes(int count) {
    return std::int64_t{count} * 60'000;
}

NewResponse sample_response(int number, std::int64_t created_at_ms) {
    const auto digits = std::to_string(number);
    const auto identifier =
        "urn:uuid:6f1c2a9e-4b7d-4c1e-9a3f-" + std::string(12 - digits.size(), '0') + digits;
    return NewResponse{identifier, "https://example.nhs.uk/fhir/Questionnaire/ward-feedback|1.2.0",
                       "2024-05-17T09:30:00Z",
                       R"({"resourceType":"QuestionnaireResponse","identifier":")" + identifier +
                           R"("})",
                       created_at_ms};
}

std::int64_t store(Outbox& outbox, int number, std::int64_t created_at_ms) {
    const auto result = outbox.append(sample_response(number, created_at_ms));
    if (result.error) {
        FAIL("append failed: " << result.error->describe());
    }
    REQUIRE(result.status == AppendResult::Status::stored);
    auto listed = outbox.list(std::nullopt, 100000);
    REQUIRE_FALSE(listed.error);
    REQUIRE_FALSE(listed.responses.empty());
    return listed.responses.back().id;
}

std::vector<StaffAction> recent(Outbox& outbox, std::size_t limit) {
    auto listed = outbox.recent_staff_actions(limit);
    if (listed.error) {
        FAIL("recent_staff_actions failed: " << listed.error->describe());
    }
    return std::move(listed.actions);
}

void record(Outbox& outbox, const StaffAction& action) {
    if (auto error = outbox.record_staff_action(action)) {
        FAIL("record_staff_action failed: " << error->describe());
    }
}

std::optional<std::string> choice(Outbox& outbox, std::string_view key) {
    auto read = outbox.device_choice(key);
    if (read.error) {
        FAIL("device_choice failed: " << read.error->describe());
    }
    return read.value;
}

ResponseTotals totals(Outbox& outbox, std::int64_t since_ms) {
    auto read = outbox.response_totals(since_ms);
    if (read.error) {
        FAIL("response_totals failed: " << read.error->describe());
    }
    return read.totals;
}

std::int64_t changed(const CountResult& result) {
    if (result.error) {
        FAIL("the operation failed: " << result.error->describe());
    }
    return result.count;
}

StoredResponse row_of(Outbox& outbox, std::int64_t id) {
    auto got = outbox.get(id);
    if (got.error) {
        FAIL("get failed: " << got.error->describe());
    }
    REQUIRE(got.response);
    return std::move(*got.response);
}

DeliveryStatus status_of(Outbox& outbox) {
    auto read = outbox.delivery_status();
    if (read.error) {
        FAIL("delivery_status failed: " << read.error->describe());
    }
    return read.status;
}

// Claims the response and gives it back for a retry at retry_at_ms, as a failed delivery does.
void fail_delivery(Outbox& outbox, std::int64_t id, std::int64_t retry_at_ms) {
    auto claimed = outbox.claim_batch(now, 1, 1 << 20);
    REQUIRE_FALSE(claimed.error);
    REQUIRE(claimed.responses.size() == 1);
    REQUIRE(claimed.responses[0].id == id);
    const std::vector<std::int64_t> ids{id};
    REQUIRE(changed(outbox.requeue(ids, retry_at_ms, 503, "HTTP 503")) == 1);
}

void reject(Outbox& outbox, std::int64_t id) {
    auto claimed = outbox.claim_batch(now, 1, 1 << 20);
    REQUIRE_FALSE(claimed.error);
    REQUIRE(claimed.responses.size() == 1);
    REQUIRE(claimed.responses[0].id == id);
    REQUIRE(changed(outbox.mark_rejected(id, 422, "answer out of range")) == 1);
}

} // namespace

// ---- Staff actions -----------------------------------------------------------------------------

TEST_CASE("staff actions are listed newest first, up to the limit, and survive reopening",
          "[outbox][staff]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    const std::vector<StaffAction> recorded{
        {now, "nobody", "Wrong PIN entered"},
        {now + minutes(1), "volunteer", "Paused the kiosk"},
        // A clock set back: still listed by when it was recorded, so it shows as the newest.
        {now - minutes(60), "IT", "Chose the questionnaire \"Outpatients, 2024\""},
    };
    {
        auto outbox = open_outbox(file);
        CHECK(recent(outbox, 10).empty());
        for (const auto& action : recorded) {
            record(outbox, action);
        }
        CHECK(recent(outbox, 10) ==
              std::vector<StaffAction>{recorded[2], recorded[1], recorded[0]});
        CHECK(recent(outbox, 2) == std::vector<StaffAction>{recorded[2], recorded[1]});
        CHECK(recent(outbox, 0).empty());
    }
    auto reopened = open_outbox(file);
    CHECK(recent(reopened, 1) == std::vector<StaffAction>{recorded[2]});
}

TEST_CASE("a staff action without a role or an action is refused", "[outbox][staff]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);

    const auto no_role = outbox.record_staff_action({now, "", "Paused the kiosk"});
    REQUIRE(no_role);
    CHECK(no_role->kind == OutboxError::Kind::invalid);
    CHECK(no_role->file == file.string());
    CHECK_THAT(no_role->cause, Catch::Contains("role"));
    CHECK_THAT(no_role->what, Catch::Contains("Paused the kiosk"));

    const auto no_action = outbox.record_staff_action({now, "volunteer", ""});
    REQUIRE(no_action);
    CHECK(no_action->kind == OutboxError::Kind::invalid);
    CHECK_THAT(no_action->cause, Catch::Contains("action"));

    CHECK(recent(outbox, 10).empty());
}

TEST_CASE("the staff actions are kept to the newest 10,000", "[outbox][staff]") {
    REQUIRE(staff_actions_kept == 10'000);
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);
    {
        // Years of use, arranged directly: 10,000 separate commits would mostly test the disk.
        auto database = open_raw(file);
        run_raw(database, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                          "WHERE i < 10005) INSERT INTO staff_actions (at, role, action) "
                          "SELECT i, 'volunteer', 'action ' || i FROM n");
    }

    record(outbox, {now, "IT", "Checked the connection"});

    auto database = open_raw(file);
    CHECK(query_number(database, "SELECT count(*) FROM staff_actions") == 10'000);
    // The oldest went, the newest stayed.
    CHECK(query_number(database, "SELECT min(at) FROM staff_actions") == 7);
    const auto newest = recent(outbox, 2);
    REQUIRE(newest.size() == 2);
    CHECK(newest[0] == StaffAction{now, "IT", "Checked the connection"});
    CHECK(newest[1] == StaffAction{10005, "volunteer", "action 10005"});

    // Once at the cap, each action recorded replaces the oldest one.
    record(outbox, {now + 1, "IT", "Sent the refused responses again"});
    CHECK(query_number(database, "SELECT count(*) FROM staff_actions") == 10'000);
    CHECK(query_number(database, "SELECT min(at) FROM staff_actions") == 8);
    CHECK(recent(outbox, 20'000).size() == 10'000);
}

// ---- Device choices ----------------------------------------------------------------------------

TEST_CASE("device choices are set, replaced and cleared, and survive reopening",
          "[outbox][staff]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    {
        auto outbox = open_outbox(file);
        CHECK(choice(outbox, "questionnaire") == std::nullopt);

        REQUIRE_FALSE(outbox.set_device_choice("questionnaire", "friends-and-family-test"));
        REQUIRE_FALSE(outbox.set_device_choice("clinic", "Fracture clinic"));
        REQUIRE_FALSE(outbox.set_device_choice("paused", "yes"));
        REQUIRE_FALSE(outbox.set_device_choice("pin_lockout", "5 1 1715940060000"));
        REQUIRE_FALSE(outbox.set_device_choice("clinic", "Eye clinic")); // the newest wins
        REQUIRE_FALSE(outbox.set_device_choice("clinic", "Eye clinic")); // unchanged: no error
        REQUIRE_FALSE(outbox.set_device_choice("note", ""));             // empty is a value
        REQUIRE_FALSE(outbox.clear_device_choice("paused"));
        REQUIRE_FALSE(outbox.clear_device_choice("never-set")); // nothing to forget: no error

        CHECK(choice(outbox, "clinic") == "Eye clinic");
        CHECK(choice(outbox, "paused") == std::nullopt);
        CHECK(choice(outbox, "note") == "");
    }

    auto reopened = open_outbox(file);
    CHECK(choice(reopened, "questionnaire") == "friends-and-family-test");
    CHECK(choice(reopened, "clinic") == "Eye clinic");
    CHECK(choice(reopened, "pin_lockout") == "5 1 1715940060000");
    CHECK(choice(reopened, "paused") == std::nullopt);
    CHECK(choice(reopened, "note") == "");
    CHECK(choice(reopened, "Clinic") == std::nullopt); // keys are exact
    auto database = open_raw(file);
    CHECK(query_number(database, "SELECT count(*) FROM device_choices") == 4);
}

TEST_CASE("a device choice without a key is refused", "[outbox][staff]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);

    const auto error = outbox.set_device_choice("", "Eye clinic");

    REQUIRE(error);
    CHECK(error->kind == OutboxError::Kind::invalid);
    CHECK(error->file == file.string());
    CHECK(choice(outbox, "") == std::nullopt);
}

// ---- Response totals ---------------------------------------------------------------------------

TEST_CASE("the totals count every response stored, even after delivered ones are purged",
          "[outbox][staff]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    const auto midnight = now - minutes(9 * 60);
    {
        auto outbox = open_outbox(file);
        const auto empty = totals(outbox, midnight);
        CHECK(empty.stored_ever == 0);
        CHECK(empty.since_ms == std::nullopt);
        CHECK(empty.stored_since == 0);

        const auto yesterday = store(outbox, 1, midnight - 1);
        store(outbox, 2, midnight); // the boundary belongs to the day it starts
        store(outbox, 3, now);
        // The same response submitted again is not a new response.
        REQUIRE(outbox.append(sample_response(3, now + 1)).status ==
                AppendResult::Status::already_stored);

        auto counted = totals(outbox, midnight);
        CHECK(counted.stored_ever == 3);
        CHECK(counted.since_ms == midnight - 1);
        CHECK(counted.stored_since == 2);
        CHECK(totals(outbox, midnight + 1).stored_since == 1);
        CHECK(totals(outbox, midnight - 1).stored_since == 3);

        // Delivered and purged: gone from the outbox, still counted as stored.
        auto claimed = outbox.claim_batch(now, 1, 1 << 20);
        REQUIRE_FALSE(claimed.error);
        REQUIRE(claimed.responses.size() == 1);
        REQUIRE(claimed.responses[0].id == yesterday);
        const std::vector<std::int64_t> ids{yesterday};
        REQUIRE(changed(outbox.mark_acknowledged(ids, now, 201)) == 1);
        REQUIRE(changed(outbox.purge_acknowledged(now + 1)) == 1);
        REQUIRE(changed(outbox.count()) == 2);

        counted = totals(outbox, midnight);
        CHECK(counted.stored_ever == 3);
        CHECK(counted.since_ms == midnight - 1);
        CHECK(counted.stored_since == 2);
    }

    // Kept in the file, and shared with every connection (kiosk-sync reads what the kiosk stored).
    auto reopened = open_outbox(file, OutboxOptions::for_delivery());
    store(reopened, 4, now + minutes(1));
    const auto counted = totals(reopened, midnight);
    CHECK(counted.stored_ever == 4);
    CHECK(counted.stored_since == 3);
}

TEST_CASE("the totals still count the responses held if their row goes missing",
          "[outbox][staff]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);
    store(outbox, 1, now);
    {
        auto database = open_raw(file);
        run_raw(database, "DELETE FROM response_totals");
    }
    // Only the count of responses already purged is lost with the row.
    CHECK(totals(outbox, now).stored_ever == 1);
    CHECK(totals(outbox, now).since_ms == now);
    CHECK(totals(outbox, now).stored_since == 1);

    store(outbox, 2, now + 1);

    const auto counted = totals(outbox, now);
    CHECK(counted.stored_ever == 2);
    CHECK(counted.since_ms == now);
    CHECK(counted.stored_since == 2);
}

// ---- Send now, send again ----------------------------------------------------------------------

TEST_CASE("send now makes every waiting queued response due at once and lifts a pause",
          "[outbox][staff]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto backed_off = store(outbox, 1, now);
    const auto later = store(outbox, 2, now);
    const auto refused = store(outbox, 3, now);
    const auto in_flight = store(outbox, 4, now);
    fail_delivery(outbox, backed_off, now + minutes(60));
    fail_delivery(outbox, later, now + minutes(120));
    reject(outbox, refused);
    auto sending = outbox.claim_batch(now, 1, 1 << 20);
    REQUIRE_FALSE(sending.error);
    REQUIRE(sending.responses.size() == 1);
    REQUIRE(sending.responses[0].id == in_flight);
    REQUIRE(outbox.next_due_time().due_at_ms == now + minutes(60));
    REQUIRE_FALSE(outbox.record_delivery_failure(now, "HTTP 401: the token was refused"));
    REQUIRE_FALSE(outbox.set_paused(true, "HTTP 401: the token was refused"));
    REQUIRE(status_of(outbox).paused);

    CHECK(changed(outbox.make_queued_due_now()) == 2);

    const auto due = outbox.next_due_time();
    REQUIRE_FALSE(due.error);
    CHECK(due.due_at_ms == 0); // at once
    for (const auto id : {backed_off, later}) {
        const auto row = row_of(outbox, id);
        CHECK(row.state == ResponseState::queued);
        CHECK(row.next_attempt_at_ms == std::nullopt);
        CHECK(row.attempts == 1); // the attempts so far stay on the record
        CHECK(row.last_error == "HTTP 503");
    }
    CHECK(row_of(outbox, refused).state == ResponseState::rejected); // only "send again" does
    CHECK(row_of(outbox, in_flight).state == ResponseState::sending);
    const auto status = status_of(outbox);
    CHECK_FALSE(status.paused);
    CHECK(status.paused_reason.empty());
    CHECK(status.last_error == "HTTP 401: the token was refused"); // kept for the record
    auto claimed = outbox.claim_batch(now, 50, 1 << 20);
    REQUIRE_FALSE(claimed.error);
    REQUIRE(claimed.responses.size() == 2);
    CHECK(claimed.responses[0].id == backed_off);
    CHECK(claimed.responses[1].id == later);

    // Nothing waiting and no pause: nothing to change, and no failure either.
    CHECK(changed(outbox.make_queued_due_now()) == 0);
    CHECK_FALSE(status_of(outbox).paused);
}

TEST_CASE("send now lifts a pause even with nothing waiting", "[outbox][staff]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    REQUIRE_FALSE(outbox.set_paused(true, "HTTP 403: forbidden"));

    CHECK(changed(outbox.make_queued_due_now()) == 0);

    CHECK_FALSE(status_of(outbox).paused);
}

TEST_CASE("send again queues every rejected response, and only those", "[outbox][staff]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto first_refused = store(outbox, 1, now);
    const auto second_refused = store(outbox, 2, now);
    const auto acknowledged = store(outbox, 3, now);
    const auto backed_off = store(outbox, 4, now);
    reject(outbox, first_refused);
    reject(outbox, second_refused);
    {
        auto claimed = outbox.claim_batch(now, 1, 1 << 20);
        REQUIRE(claimed.responses.size() == 1);
        const std::vector<std::int64_t> ids{acknowledged};
        REQUIRE(changed(outbox.mark_acknowledged(ids, now, 201)) == 1);
    }
    fail_delivery(outbox, backed_off, now + minutes(60));
    const auto untouched = row_of(outbox, backed_off);

    CHECK(changed(outbox.retry_all_rejected()) == 2);

    for (const auto id : {first_refused, second_refused}) {
        const auto row = row_of(outbox, id);
        CHECK(row.state == ResponseState::queued);
        CHECK(row.attempts == 0);
        CHECK(row.next_attempt_at_ms == std::nullopt);
        CHECK(row.last_status == 422); // why it was refused stays until the next attempt
    }
    CHECK(row_of(outbox, acknowledged).state == ResponseState::acknowledged);
    CHECK(row_of(outbox, backed_off) == untouched);
    auto claimed = outbox.claim_batch(now, 50, 1 << 20);
    REQUIRE_FALSE(claimed.error);
    REQUIRE(claimed.responses.size() == 2);
    CHECK(claimed.responses[0].id == first_refused);
    CHECK(claimed.responses[1].id == second_refused);

    CHECK(changed(outbox.retry_all_rejected()) == 0); // none left: not a failure
}

// ---- Health ------------------------------------------------------------------------------------

TEST_CASE("the health check of a sound database says ok", "[outbox][staff]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    store(outbox, 1, now);
    record(outbox, {now, "IT", "Checked the database"});

    const auto health = outbox.check_health();

    CHECK(health.ok);
    CHECK(health.detail == "ok");
    CHECK_FALSE(health.error);
}

TEST_CASE("the health check reports damage found after opening", "[outbox][staff]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);
    for (int number = 1; number <= 20; ++number) {
        store(outbox, number, now + number);
    }
    {
        // A second table claiming the responses' pages, as a damaged schema page can: the file
        // opened fine, and only a check run now can notice. writable_schema lets a raw
        // connection do what SQLite otherwise refuses; the version bump tells the outbox's
        // connection to read the schema again.
        auto database = open_raw(file);
        const auto version = query_number(database, "PRAGMA schema_version");
        run_raw(database, "PRAGMA writable_schema = ON");
        run_raw(database, "INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) "
                          "SELECT 'table', 'shadow', 'shadow', rootpage, 'CREATE TABLE shadow (x)' "
                          "FROM sqlite_schema WHERE name = 'responses'");
        run_raw(database, "PRAGMA schema_version = " + std::to_string(version + 1));
    }

    const auto health = outbox.check_health();

    CHECK_FALSE(health.ok);
    CHECK_FALSE(health.error);
    CHECK_THAT(health.detail, Catch::Contains("2nd reference to page"));
}

// ---- Failures come back as values --------------------------------------------------------------

TEST_CASE("staff writes that run out of space fail with the file and what was being done",
          "[outbox][staff]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    { open_outbox(file); }
    // As in the outbox's own full-disk test: a cap below the file's size means "not a page more",
    // and these values need pages of their own.
    auto outbox = open_outbox(file, OutboxOptions{1});
    const std::string large(64 * 1024, 'x');

    const auto action = outbox.record_staff_action({now, "IT", large});
    REQUIRE(action);
    CHECK(action->kind == OutboxError::Kind::full);
    CHECK(action->file == file.string());
    CHECK_THAT(action->what, Catch::StartsWith("record the staff action"));
    CHECK_THAT(action->cause, Catch::Contains("database or disk is full"));

    const auto set = outbox.set_device_choice("clinic", large);
    REQUIRE(set);
    CHECK(set->kind == OutboxError::Kind::full);
    CHECK(set->file == file.string());
    CHECK_THAT(set->what, Catch::Contains("clinic"));

    // Nothing half-written, and what fits still works.
    CHECK(recent(outbox, 10).empty());
    CHECK(choice(outbox, "clinic") == std::nullopt);
    REQUIRE_FALSE(outbox.set_device_choice("clinic", "Eye clinic"));
    CHECK(choice(outbox, "clinic") == "Eye clinic");
}

TEST_CASE("staff writes the database refuses fail with the file and what was being done",
          "[outbox][staff]") {
    // A read-only file cannot be simulated for a test run as root (root writes anyway), so the
    // database refuses instead, through triggers: the same path back through the outbox.
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);
    const auto refused = store(outbox, 1, now);
    const auto backed_off = store(outbox, 2, now);
    reject(outbox, refused);
    fail_delivery(outbox, backed_off, now + minutes(60));
    REQUIRE_FALSE(outbox.set_device_choice("clinic", "Eye clinic"));
    {
        auto database = open_raw(file);
        for (const auto* table : {"staff_actions", "device_choices"}) {
            for (const auto* change : {"INSERT", "UPDATE", "DELETE"}) {
                run_raw(database, std::string("CREATE TRIGGER refuse_") + change + "_" + table +
                                      " BEFORE " + change + " ON " + table +
                                      " BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly "
                                      "database'); END");
            }
        }
        run_raw(database, "CREATE TRIGGER refuse_queue BEFORE UPDATE ON delivery_queue "
                          "BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END");
    }

    std::vector<std::optional<OutboxError>> errors{
        outbox.record_staff_action({now, "IT", "Paused the kiosk"}),
        outbox.set_device_choice("clinic", "Fracture clinic"),
        outbox.clear_device_choice("clinic"),
        outbox.make_queued_due_now().error,
        outbox.retry_all_rejected().error,
    };

    for (const auto& error : errors) {
        REQUIRE(error);
        CHECK(error->kind == OutboxError::Kind::storage);
        CHECK(error->file == file.string());
        CHECK_FALSE(error->what.empty());
        CHECK_THAT(error->cause, Catch::Contains("readonly"));
    }
    CHECK_THAT(errors[2]->what, Catch::Contains("clinic"));
    CHECK(choice(outbox, "clinic") == "Eye clinic");
    CHECK(recent(outbox, 10).empty());
    CHECK(row_of(outbox, refused).state == ResponseState::rejected);
    CHECK(row_of(outbox, backed_off).next_attempt_at_ms == now + minutes(60));
}

TEST_CASE("staff reads of a damaged schema fail with the file and what was being done",
          "[outbox][staff]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);
    record(outbox, {now, "IT", "Checked the database"}); // the statements are cached by now
    {
        auto database = open_raw(file);
        run_raw(database, "DROP TABLE staff_actions");
        run_raw(database, "DROP TABLE device_choices");
        run_raw(database, "DROP TABLE response_totals");
    }

    const auto actions = outbox.recent_staff_actions(10);
    const auto chosen = outbox.device_choice("clinic");
    const auto counted = outbox.response_totals(now);

    for (const auto* error : {&actions.error, &chosen.error, &counted.error}) {
        REQUIRE(*error);
        CHECK((*error)->kind == OutboxError::Kind::storage);
        CHECK((*error)->file == file.string());
        CHECK_THAT((*error)->cause, Catch::Contains("no such table"));
    }
    CHECK(actions.actions.empty());
    CHECK(chosen.value == std::nullopt);
    CHECK_THAT(actions.error->what, Catch::Contains("staff actions"));
    CHECK_THAT(chosen.error->what, Catch::Contains("clinic"));
    CHECK_THAT(counted.error->what, Catch::Contains("responses"));
}

// ---- Migration ---------------------------------------------------------------------------------

TEST_CASE("a version 3 outbox holding responses gains staff mode with its totals started",
          "[outbox][staff][migration]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    {
        // As a kiosk with schema version 3 left it: responses in every state, some delivered
        // and already purged (so not counted), a paused delivery.
        auto database = open_raw(file);
        run_raw(database, "PRAGMA journal_mode = WAL");
        for (int step = 0; step < 3; ++step) {
            run_raw(database, migrations()[static_cast<std::size_t>(step)]);
        }
        run_raw(database, "PRAGMA user_version = 3");
        run_raw(database,
                "INSERT INTO responses (identifier, questionnaire, authored, payload, "
                "created_at, state, attempts, next_attempt_at, last_status, last_error, "
                "acknowledged_at) VALUES "
                "('urn:uuid:a', 'q|1', '2024-05-16T10:00:00Z', '{\"a\":1}', 1715853600000, "
                "'acknowledged', 1, NULL, 201, NULL, 1715853660000), "
                "('urn:uuid:b', 'q|1', '2024-05-17T08:00:00Z', '{\"b\":2}', 1715932800000, "
                "'rejected', 1, NULL, 422, 'answer out of range', NULL), "
                "('urn:uuid:c', 'q|1', '2024-05-17T09:00:00Z', '{\"c\":3}', 1715936400000, "
                "'queued', 2, 1715943600000, 503, 'HTTP 503', NULL)");
        run_raw(database,
                "UPDATE delivery_status SET paused = 1, paused_reason = 'HTTP 401' WHERE id = 1");
    }

    auto outbox = open_outbox(file);

    CHECK(outbox.schema_version() == latest_schema_version());
    auto listed = outbox.list(std::nullopt, 10);
    REQUIRE_FALSE(listed.error);
    REQUIRE(listed.responses.size() == 3);
    CHECK(listed.responses[0].state == ResponseState::acknowledged);
    CHECK(listed.responses[1].last_error == "answer out of range");
    CHECK(listed.responses[2].next_attempt_at_ms == 1715943600000);
    CHECK(listed.responses[2].attempts == 2);
    auto counted = totals(outbox, 1715932800000);
    CHECK(counted.stored_ever == 3);
    CHECK(counted.since_ms == 1715853600000);
    CHECK(counted.stored_since == 2);
    CHECK(status_of(outbox).paused);
    CHECK(recent(outbox, 10).empty());
    CHECK(choice(outbox, "clinic") == std::nullopt);

    // Staff mode works on the migrated file, and new responses are counted on top.
    record(outbox, {now, "IT", "Opened the IT screen"});
    REQUIRE_FALSE(outbox.set_device_choice("clinic", "Eye clinic"));
    store(outbox, 4, now);
    counted = totals(outbox, 1715932800000);
    CHECK(counted.stored_ever == 4);
    CHECK(counted.stored_since == 3);
    CHECK(changed(outbox.make_queued_due_now()) == 1);
    CHECK_FALSE(status_of(outbox).paused);
    CHECK(outbox.check_health().ok);
}
