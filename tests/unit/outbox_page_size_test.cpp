// An outbox made by an older kiosk has SQLite's default 4 KiB pages and costs the card about three
// times the bytes per response. The screens' connection rewrites it once with the outbox's small
// pages. These tests hold that rewrite to the outbox's promise: nothing stored is lost or changed,
// whatever fails on the way and whoever else has the file open.

#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include "outbox_test_support.hpp"
#include "support/faulty_vfs.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include "outbox/outbox.hpp"
#include "outbox/schema.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace kiosk::outbox;
using kiosk::testing::FaultyVfs;
using kiosk::testing::open_outbox;
using kiosk::testing::open_raw;
using kiosk::testing::query_number;
using kiosk::testing::run_raw;

namespace {

constexpr std::int64_t older_page_size = 4096;
constexpr std::int64_t outbox_page_size = 512;
constexpr std::int64_t start_ms = 1764000000000;

NewResponse response_number(int number) {
    const std::string identifier =
        "urn:uuid:0b7e4f1a-9c2d-4e8b-a1f3-" + std::string(10, '0') + std::to_string(100 + number);
    return NewResponse{
        identifier,
        "urn:ward-feedback-kiosk:questionnaire:chemotherapy|2.0.0",
        "2026-11-20T10:" + std::to_string(10 + number % 50) + ":00Z",
        R"({"resourceType":"QuestionnaireResponse","identifier":{"value":")" + identifier +
            R"("},"item":[{"linkId":"comment","answer":[{"valueString":")" +
            std::string(static_cast<std::size_t>(200 + number * 37 % 900), 'x') + R"("}]}]})",
        start_ms + number * 60000,
    };
}

std::string describe(const std::optional<OutboxError>& error) {
    return error ? error->describe() : "none";
}

// What a kiosk of schema version 4 left: SQLite's default pages, write-ahead logging.
void build_older_kiosks_file(const fs::path& file) {
    auto database = open_raw(file);
    REQUIRE(query_number(database, "PRAGMA page_size") == older_page_size);
    run_raw(database, "PRAGMA journal_mode = WAL");
    for (std::size_t step = 0; step < 4; ++step) {
        run_raw(database, migrations()[step]);
    }
    run_raw(database, "PRAGMA user_version = 4");
}

// Everything the outbox can say about what it holds, to compare before and after.
struct Contents {
    std::vector<StoredResponse> responses;
    DeliveryStatus status;
    std::int64_t stored_ever = 0;

    bool operator==(const Contents&) const = default;
};

Contents contents_of(Outbox& outbox) {
    auto listed = outbox.list(std::nullopt, 10000);
    auto status = outbox.delivery_status();
    auto totals = outbox.response_totals(0);
    if (listed.error || status.error || totals.error) {
        FAIL("reading the outbox failed: " << describe(listed.error) << "; "
                                           << describe(status.error) << "; "
                                           << describe(totals.error));
    }
    return {std::move(listed.responses), status.status, totals.totals.stored_ever};
}

// An older kiosk's outbox with responses in every state, a purged one and a pause, opened and
// filled as the delivery worker does (which leaves the pages as they are).
Contents fill_older_kiosks_outbox(const fs::path& file) {
    build_older_kiosks_file(file);
    auto opened = Outbox::open(file, OutboxOptions::for_delivery());
    if (!opened.outbox) {
        FAIL("opening the older outbox failed: " << describe(opened.error));
    }
    CHECK_FALSE(opened.page_size_rewrite);
    auto& outbox = *opened.outbox;
    for (int number = 1; number <= 60; ++number) {
        const auto stored = outbox.append(response_number(number));
        REQUIRE(stored.status == AppendResult::Status::stored);
    }
    const auto claimed = outbox.claim_batch(start_ms + 3600000, 12, 1 << 20);
    REQUIRE(claimed.responses.size() == 12);
    const std::array<std::int64_t, 3> acknowledged{claimed.responses[0].id, claimed.responses[1].id,
                                                   claimed.responses[2].id};
    REQUIRE(outbox.mark_acknowledged(acknowledged, start_ms + 3600000, 201).count == 3);
    REQUIRE(outbox.mark_rejected(claimed.responses[3].id, 422, "not a known questionnaire").count ==
            1);
    const std::array<std::int64_t, 2> again{claimed.responses[4].id, claimed.responses[5].id};
    REQUIRE(outbox.requeue(again, start_ms + 7200000, 503, "the endpoint is busy").count == 2);
    // The acknowledged ones are purged (counted in the totals); the rest of the batch stays
    // `sending`, as after a crash in the middle of a delivery.
    REQUIRE_FALSE(outbox.record_delivery_success(start_ms + 3600000));
    REQUIRE(outbox.purge_acknowledged(start_ms + 3600001).count == 3);
    REQUIRE_FALSE(outbox.set_paused(true, "the endpoint refused the kiosk's certificate"));
    CHECK(outbox.connection_settings().settings.page_size == older_page_size);
    return contents_of(outbox);
}

std::int64_t page_size_of(const fs::path& file) {
    auto database = open_raw(file);
    return query_number(database, "PRAGMA page_size");
}

void require_sound_with_small_pages(const fs::path& file) {
    auto database = open_raw(file);
    CHECK(query_number(database, "PRAGMA page_size") == outbox_page_size);
    auto check = database.prepare("PRAGMA integrity_check");
    REQUIRE(check.step() == Statement::Step::row);
    CHECK(check.column_text(0) == "ok");
}

} // namespace

TEST_CASE("an older kiosk's outbox is rewritten once with small pages, keeping every response and "
          "its state",
          "[outbox][page-size]") {
    kiosk::testing::ScopedTempDir directory;
    const auto file = directory.path() / "outbox.sqlite";
    const auto before = fill_older_kiosks_outbox(file);
    REQUIRE(before.responses.size() == 57);

    {
        auto opened = Outbox::open(file);
        REQUIRE(opened.outbox);
        REQUIRE(opened.page_size_rewrite);
        CHECK(opened.page_size_rewrite->from == older_page_size);
        CHECK(opened.page_size_rewrite->to == outbox_page_size);
        CHECK(describe(opened.page_size_rewrite->failure) == "none");

        auto& outbox = *opened.outbox;
        const auto settings = outbox.connection_settings();
        REQUIRE_FALSE(settings.error);
        CHECK(settings.settings.page_size == outbox_page_size);
        CHECK(settings.settings.journal_mode == "wal");
        CHECK(settings.settings.synchronous == "full");
        CHECK(settings.settings.wal_autocheckpoint * outbox_page_size == 4 * 1024 * 1024);
        CHECK(contents_of(outbox) == before);

        // It goes on as any outbox: new responses, and delivery of the waiting ones.
        const auto stored = outbox.append(response_number(61));
        CHECK(stored.status == AppendResult::Status::stored);
        CHECK(outbox.append(response_number(7)).status == AppendResult::Status::already_stored);
    }
    CHECK_FALSE(fs::exists(fs::path(file.string() + "-journal")));
    require_sound_with_small_pages(file);

    // Once is enough: the next start finds nothing to do.
    auto again = Outbox::open(file);
    REQUIRE(again.outbox);
    CHECK_FALSE(again.page_size_rewrite);
    CHECK(contents_of(*again.outbox).responses.size() == 58);
}

TEST_CASE("an older outbox another program has open keeps its pages and works until the next "
          "start",
          "[outbox][page-size]") {
    kiosk::testing::ScopedTempDir directory;
    const auto file = directory.path() / "outbox.sqlite";
    const auto before = fill_older_kiosks_outbox(file);

    {
        // kiosk-sync, say, or IT's sqlite3: the rewrite must neither wait for it nor break it.
        auto other = open_outbox(file, OutboxOptions::for_delivery());
        auto opened = Outbox::open(file);
        REQUIRE(opened.outbox);
        REQUIRE(opened.page_size_rewrite);
        REQUIRE(opened.page_size_rewrite->failure);
        const auto& failure = *opened.page_size_rewrite->failure;
        CHECK(failure.file == file.string());
        CHECK_THAT(failure.what, Catch::Contains("leave write-ahead logging"));
        CHECK_THAT(failure.cause, Catch::Contains("locked"));

        auto& outbox = *opened.outbox;
        CHECK(outbox.connection_settings().settings.page_size == older_page_size);
        CHECK(outbox.connection_settings().settings.journal_mode == "wal");
        CHECK(outbox.connection_settings().settings.busy_timeout_ms == 5000);
        CHECK(contents_of(outbox) == before);
        REQUIRE(outbox.append(response_number(61)).status == AppendResult::Status::stored);
        // The other program sees it: both still share one log.
        CHECK(contents_of(other).responses.size() == 58);
    }

    auto later = Outbox::open(file);
    REQUIRE(later.outbox);
    REQUIRE(later.page_size_rewrite);
    CHECK(describe(later.page_size_rewrite->failure) == "none");
    CHECK(contents_of(*later.outbox).responses.size() == 58);
    require_sound_with_small_pages(file);
}

TEST_CASE("a rewrite that meets a failed write, a full disk or a failed sync at any step loses "
          "nothing and finishes at a later start",
          "[outbox][page-size][faults]") {
    kiosk::testing::ScopedTempDir directory;
    const auto original = directory.path() / "older.sqlite";
    const auto expected = fill_older_kiosks_outbox(original);
    REQUIRE(page_size_of(original) == older_page_size);

    FaultyVfs vfs("kiosk-page-size-faults");
    struct Kind {
        const char* name;
        FaultyVfs::Fault fault;
    };
    const std::array<Kind, 3> kinds{{
        {"a write fails", {FaultyVfs::Operation::write, 1, FaultyVfs::Persistence::once, false}},
        {"the disk is full",
         {FaultyVfs::Operation::write, 1, FaultyVfs::Persistence::persistent, true}},
        {"a sync fails", {FaultyVfs::Operation::sync, 1, FaultyVfs::Persistence::once, false}},
    }};
    for (const auto& kind : kinds) {
        DYNAMIC_SECTION(kind.name) {
            // The Nth operation of its kind fails, for N = 1, 2, 3 ... until one opening
            // rewrites the file without meeting the fault.
            bool finished = false;
            std::int64_t faults_met = 0;
            for (std::int64_t nth = 1; !finished; ++nth) {
                REQUIRE(nth < 2000);
                const auto file = directory.path() / ("outbox-" + std::to_string(nth) + ".sqlite");
                fs::copy_file(original, file);
                auto fault = kind.fault;
                fault.nth = nth;
                vfs.arm(fault);
                {
                    OutboxOptions options;
                    options.vfs = vfs.name();
                    auto opened = Outbox::open(file, options);
                    INFO("fault at " << nth << ": " << vfs.last_fault());
                    if (opened.outbox) {
                        // Open, rewritten or not: it holds what it held.
                        CHECK(contents_of(*opened.outbox) == expected);
                        const bool rewritten =
                            opened.page_size_rewrite && !opened.page_size_rewrite->failure;
                        finished = vfs.faults_hit() == 0 && rewritten;
                    } else {
                        // Refused calmly, naming the file.
                        CHECK(opened.error->file == file.string());
                    }
                }
                faults_met += vfs.faults_hit();
                vfs.clear();

                // The fault is gone: the next start rewrites it, and nothing is lost.
                auto reopened = Outbox::open(file);
                if (!reopened.outbox) {
                    FAIL("fault at " << nth << ": reopening failed: " << describe(reopened.error));
                }
                CHECK(reopened.outbox->connection_settings().settings.page_size ==
                      outbox_page_size);
                CHECK(contents_of(*reopened.outbox) == expected);
                reopened.outbox.reset();
                require_sound_with_small_pages(file);
                fs::remove(file);
            }
            // The loop ran through the rewrite's writes or syncs, not just past the first.
            CHECK(faults_met > 3);
        }
    }
}
