// The outbox's delivery operations: the states a response moves through on its way to the
// central endpoint. Every rule here protects the promise "each response reaches the endpoint, and
// nothing unacknowledged is ever lost", so the tests use real files, read back through the
// outbox's own get() and through a raw connection, and run two connections against each other.

#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include "outbox_test_support.hpp"

#include <catch2/catch.hpp>

#include "outbox/outbox.hpp"
#include "outbox/sqlite_handle.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <latch>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace kiosk::outbox;

CATCH_REGISTER_ENUM(kiosk::outbox::ResponseState, kiosk::outbox::ResponseState::queued,
                    kiosk::outbox::ResponseState::sending,
                    kiosk::outbox::ResponseState::acknowledged,
                    kiosk::outbox::ResponseState::rejected)
CATCH_REGISTER_ENUM(
    kiosk::outbox::OutboxError::Kind, kiosk::outbox::OutboxError::Kind::cannot_open,
    kiosk::outbox::OutboxError::Kind::corrupt, kiosk::outbox::OutboxError::Kind::too_new,
    kiosk::outbox::OutboxError::Kind::conflict, kiosk::outbox::OutboxError::Kind::invalid,
    kiosk::outbox::OutboxError::Kind::full, kiosk::outbox::OutboxError::Kind::storage,
    kiosk::outbox::OutboxError::Kind::not_found, kiosk::outbox::OutboxError::Kind::wrong_state)

namespace {

using TemporaryDirectory = kiosk::testing::ScopedTempDir;
using kiosk::testing::open_outbox;

using kiosk::testing::insert_raw_response;
using kiosk::testing::open_raw;
using kiosk::testing::query_number;
using kiosk::testing::run_raw;

std::string identifier_of(int number) {
    const auto digits = std::to_string(number);
    return "urn:uuid:6f1c2a9e-4b7d-4c1e-9a3f-" + std::string(12 - digits.size(), '0') + digits;
}

// A response whose payload is exactly payload_bytes long (at least 64), so byte caps can be tested
// to the byte.
NewResponse sample_response(int number, std::size_t payload_bytes = 200) {
    const std::string head = R"({"resourceType":"QuestionnaireResponse","identifier":")" +
                             identifier_of(number) + R"(","pad":")";
    const std::string tail = R"("})";
    REQUIRE(payload_bytes >= head.size() + tail.size());
    return NewResponse{
        identifier_of(number),
        "https://example.nhs.uk/fhir/Questionnaire/ward-feedback|1.2.0",
        "2024-05-17T09:30:00Z",
        head + std::string(payload_bytes - head.size() - tail.size(), 'x') + tail,
        1715938200000 + number,
    };
}

// Appends responses first..first+count-1 and returns their ids in arrival order.
std::vector<std::int64_t> store_responses(Outbox& outbox, int count,
                                          std::size_t payload_bytes = 200, int first = 1) {
    std::set<std::string> identifiers;
    for (int number = first; number < first + count; ++number) {
        const auto result = outbox.append(sample_response(number, payload_bytes));
        if (result.error) {
            FAIL("append failed: " << result.error->describe());
        }
        REQUIRE(result.status == AppendResult::Status::stored);
        identifiers.insert(identifier_of(number));
    }
    auto listed = outbox.list(std::nullopt, 100000);
    REQUIRE_FALSE(listed.error);
    std::vector<std::int64_t> ids;
    for (const auto& row : listed.responses) {
        if (identifiers.count(row.identifier) == 1) {
            ids.push_back(row.id);
        }
    }
    REQUIRE(ids.size() == static_cast<std::size_t>(count));
    return ids;
}

constexpr std::size_t no_byte_cap = std::numeric_limits<std::size_t>::max();

std::vector<ClaimedResponse> claim(Outbox& outbox, std::int64_t now_ms, std::size_t max_entries,
                                   std::size_t max_bytes = no_byte_cap) {
    auto claimed = outbox.claim_batch(now_ms, max_entries, max_bytes);
    if (claimed.error) {
        FAIL("claim failed: " << claimed.error->describe());
    }
    return std::move(claimed.responses);
}

std::vector<std::int64_t> ids_of(const std::vector<ClaimedResponse>& rows) {
    std::vector<std::int64_t> ids;
    for (const auto& row : rows) {
        ids.push_back(row.id);
    }
    return ids;
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

ResponseState state_of(Outbox& outbox, std::int64_t id) {
    return row_of(outbox, id).state;
}

DeliveryStatus status_of(Outbox& outbox) {
    auto read = outbox.delivery_status();
    if (read.error) {
        FAIL("delivery_status failed: " << read.error->describe());
    }
    return read.status;
}

std::int64_t ms(int seconds) {
    return std::int64_t{seconds} * 1000;
}

const std::int64_t now = 1715940000000; // a Friday morning in May 2024, in Unix milliseconds

// Four responses, one in each state, moved there through the outbox itself.
struct OneOfEach {
    std::int64_t queued = 0;
    std::int64_t sending = 0;
    std::int64_t acknowledged = 0;
    std::int64_t rejected = 0;

    std::vector<std::int64_t> all() const { return {queued, sending, acknowledged, rejected}; }
};

OneOfEach one_of_each(Outbox& outbox) {
    const auto ids = store_responses(outbox, 4);
    OneOfEach rows{ids[3], ids[2], ids[0], ids[1]};
    REQUIRE(ids_of(claim(outbox, now, 3)) == std::vector<std::int64_t>{ids[0], ids[1], ids[2]});
    const std::vector<std::int64_t> first{rows.acknowledged};
    REQUIRE(changed(outbox.mark_acknowledged(first, now, 201)) == 1);
    REQUIRE(changed(outbox.mark_rejected(rows.rejected, 422, "questionnaire unknown")) == 1);
    REQUIRE(state_of(outbox, rows.queued) == ResponseState::queued);
    REQUIRE(state_of(outbox, rows.sending) == ResponseState::sending);
    REQUIRE(state_of(outbox, rows.acknowledged) == ResponseState::acknowledged);
    REQUIRE(state_of(outbox, rows.rejected) == ResponseState::rejected);
    return rows;
}

std::map<std::int64_t, StoredResponse> snapshot(Outbox& outbox) {
    auto listed = outbox.list(std::nullopt, 100000);
    REQUIRE_FALSE(listed.error);
    std::map<std::int64_t, StoredResponse> rows;
    for (auto& row : listed.responses) {
        const auto id = row.id;
        rows.emplace(id, std::move(row));
    }
    return rows;
}

// Every row except `except` is byte for byte as it was.
void check_unchanged_except(const std::map<std::int64_t, StoredResponse>& before,
                            const std::map<std::int64_t, StoredResponse>& after,
                            std::int64_t except) {
    REQUIRE(before.size() == after.size());
    for (const auto& [id, row] : before) {
        if (id == except) {
            continue;
        }
        INFO("response " << id << " (" << to_string(row.state) << ")");
        REQUIRE(after.count(id) == 1);
        CHECK(after.at(id) == row);
    }
}

} // namespace

// ---- claim_batch -------------------------------------------------------------------------------

TEST_CASE("a claim takes the oldest queued responses, in arrival order, up to the entry limit",
          "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto ids = store_responses(outbox, 5);

    const auto first = claim(outbox, now, 2);

    REQUIRE(ids_of(first) == std::vector<std::int64_t>{ids[0], ids[1]});
    CHECK(first[0].identifier == identifier_of(1));
    CHECK(first[0].payload == sample_response(1).payload);
    CHECK(first[0].attempts == 0);
    CHECK(state_of(outbox, ids[0]) == ResponseState::sending);
    CHECK(state_of(outbox, ids[1]) == ResponseState::sending);
    CHECK(state_of(outbox, ids[2]) == ResponseState::queued);

    // Rows already being sent are not handed out again; the next claim goes on from there.
    CHECK(ids_of(claim(outbox, now, 2)) == std::vector<std::int64_t>{ids[2], ids[3]});
    CHECK(ids_of(claim(outbox, now, 50)) == std::vector<std::int64_t>{ids[4]});
    CHECK(claim(outbox, now, 50).empty());
    CHECK(status_of(outbox).sending == 5);
}

TEST_CASE("a claim with nothing due, or an entry limit of 0, changes nothing",
          "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    CHECK(claim(outbox, now, 50).empty());

    store_responses(outbox, 2);
    CHECK(claim(outbox, now, 0).empty());
    CHECK(status_of(outbox).queued == 2);
    CHECK(status_of(outbox).sending == 0);
}

TEST_CASE("a claim stops before the payloads exceed the byte cap, but always takes one",
          "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto ids = store_responses(outbox, 6, 1000);

    SECTION("the cap is a sum of payload bytes, and reaching it exactly is allowed") {
        CHECK(ids_of(claim(outbox, now, 50, 3000)) ==
              std::vector<std::int64_t>{ids[0], ids[1], ids[2]});
        CHECK(ids_of(claim(outbox, now, 50, 2999)) == std::vector<std::int64_t>{ids[3], ids[4]});
        CHECK(status_of(outbox).queued == 1);
    }
    SECTION("the entry limit still applies under a generous cap") {
        CHECK(ids_of(claim(outbox, now, 2, 1'000'000)) ==
              std::vector<std::int64_t>{ids[0], ids[1]});
    }
    SECTION("a response larger than the cap on its own is still sent, alone") {
        CHECK(ids_of(claim(outbox, now, 50, 10)) == std::vector<std::int64_t>{ids[0]});
        CHECK(ids_of(claim(outbox, now, 50, 0)) == std::vector<std::int64_t>{ids[1]});
        CHECK(status_of(outbox).queued == 4);
    }
}

TEST_CASE("a claim keeps the order and stops at the first response that does not fit",
          "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    // Sizes 500, 2000, 150: a cap of 1000 takes the first only, not the first and the third.
    for (const auto& [number, bytes] :
         std::vector<std::pair<int, std::size_t>>{{1, 500}, {2, 2000}, {3, 150}}) {
        REQUIRE(outbox.append(sample_response(number, bytes)).status ==
                AppendResult::Status::stored);
    }

    const auto first = claim(outbox, now, 50, 1000);
    REQUIRE(first.size() == 1);
    CHECK(first[0].identifier == identifier_of(1));

    const auto second = claim(outbox, now, 50, 1000);
    REQUIRE(second.size() == 1);
    CHECK(second[0].identifier == identifier_of(2)); // too large alone, taken alone
    CHECK(second[0].payload.size() == 2000);

    const auto third = claim(outbox, now, 50, 1000);
    REQUIRE(third.size() == 1);
    CHECK(third[0].identifier == identifier_of(3));
}

TEST_CASE("a claim skips responses whose next attempt is still to come", "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto ids = store_responses(outbox, 4);
    // The two oldest failed and wait until now + 30 s and now + 60 s.
    REQUIRE(ids_of(claim(outbox, now, 2)) == std::vector<std::int64_t>{ids[0], ids[1]});
    const std::vector<std::int64_t> first{ids[0]};
    const std::vector<std::int64_t> second{ids[1]};
    REQUIRE(changed(outbox.requeue(first, now + ms(30), 503, "HTTP 503")) == 1);
    REQUIRE(changed(outbox.requeue(second, now + ms(60), 503, "HTTP 503")) == 1);

    CHECK(ids_of(claim(outbox, now, 1)) == std::vector<std::int64_t>{ids[2]});
    CHECK(claim(outbox, now + ms(30) - 1, 50).size() == 1); // only ids[3] is due
    CHECK(claim(outbox, now + ms(30) - 1, 50).empty());

    // Due exactly at its time, and then ahead of nothing newer: it is the oldest.
    const auto due = claim(outbox, now + ms(30), 50);
    REQUIRE(ids_of(due) == std::vector<std::int64_t>{ids[0]});
    CHECK(due[0].attempts == 1);
    CHECK(ids_of(claim(outbox, now + ms(600), 50)) == std::vector<std::int64_t>{ids[1]});
}

TEST_CASE("a response that came due again is claimed before newer ones", "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto ids = store_responses(outbox, 3);
    REQUIRE(ids_of(claim(outbox, now, 1)) == std::vector<std::int64_t>{ids[0]});
    const std::vector<std::int64_t> first{ids[0]};
    REQUIRE(changed(outbox.requeue(first, now + ms(10), std::nullopt, "connection refused")) == 1);

    CHECK(ids_of(claim(outbox, now + ms(10), 2)) == std::vector<std::int64_t>{ids[0], ids[1]});
}

TEST_CASE("two connections claiming at the same time never get the same response",
          "[outbox][delivery][concurrency]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    { open_outbox(file); }

    constexpr int rounds = 10;
    constexpr int per_round = 100;
    int next_number = 1;
    std::int64_t total_requeued = 0;
    std::int64_t claims_by[2] = {0, 0};
    for (int round = 0; round < rounds; ++round) {
        INFO("round " << round);
        {
            // Filled in one raw transaction: the test is about claiming, not appending.
            auto database = open_raw(file);
            run_raw(database, "BEGIN IMMEDIATE");
            for (int i = 0; i < per_round; ++i, ++next_number) {
                const auto response = sample_response(next_number);
                insert_raw_response(database, response);
            }
            run_raw(database, "COMMIT");
        }

        // Phase 1: both connections claim small batches as fast as they can until nothing is
        // left. Every row must be handed out exactly once.
        {
            std::latch start(2);
            std::vector<std::int64_t> taken[2];
            std::vector<std::string> problems[2];
            const auto claimer = [&](int which) {
                auto opened = Outbox::open(file);
                start.arrive_and_wait();
                if (!opened.outbox) {
                    problems[which].push_back("open: " + opened.error->describe());
                    return;
                }
                std::mt19937 random(static_cast<unsigned>(round * 2 + which));
                for (;;) {
                    const auto size = std::uniform_int_distribution<std::size_t>(1, 7)(random);
                    auto claimed = opened.outbox->claim_batch(now, size, no_byte_cap);
                    if (claimed.error) {
                        problems[which].push_back("claim: " + claimed.error->describe());
                        return;
                    }
                    if (claimed.responses.empty()) {
                        return;
                    }
                    for (const auto& row : claimed.responses) {
                        taken[which].push_back(row.id);
                    }
                }
            };
            std::thread first(claimer, 0);
            std::thread second(claimer, 1);
            first.join();
            second.join();
            for (const auto& list : problems) {
                for (const auto& problem : list) {
                    FAIL_CHECK(problem);
                }
            }
            std::set<std::int64_t> all(taken[0].begin(), taken[0].end());
            CHECK(all.size() == taken[0].size()); // no row twice to the same connection
            for (const auto id : taken[1]) {
                if (!all.insert(id).second) {
                    FAIL_CHECK("response " << id << " was claimed by both connections");
                }
            }
            CHECK(all.size() == static_cast<std::size_t>(per_round));
            claims_by[0] += static_cast<std::int64_t>(taken[0].size());
            claims_by[1] += static_cast<std::int64_t>(taken[1].size());

            // A restart puts them all back for phase 2.
            auto outbox = open_outbox(file);
            REQUIRE(changed(outbox.recover_interrupted()) == per_round);
        }

        // Phase 2: like real workers, each connection uploads what it claimed (a short pause
        // with no lock held), then acknowledges most batches and puts some back, due at once, so
        // rows come round again while the other is claiming. A row is "held" from its claim until
        // just before it is marked; two holders at once would be two uploads of one response at
        // the same time.
        std::mutex held_mutex;
        std::set<std::int64_t> held;
        std::atomic<std::int64_t> acknowledged{0};
        std::latch start(2);
        struct Outcome {
            std::vector<std::string> problems;
            std::int64_t requeued = 0;
        };
        Outcome outcomes[2];

        const auto worker = [&](int which) {
            Outcome& outcome = outcomes[which];
            auto opened = Outbox::open(file);
            start.arrive_and_wait();
            if (!opened.outbox) {
                outcome.problems.push_back("open: " + opened.error->describe());
                return;
            }
            Outbox& outbox = *opened.outbox;
            std::mt19937 random(static_cast<unsigned>(round * 2 + which + 1000));
            const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            while (acknowledged.load() < per_round && outcome.problems.empty()) {
                if (std::chrono::steady_clock::now() > give_up) {
                    outcome.problems.push_back("the rows were not all acknowledged in time");
                    break;
                }
                const auto size = std::uniform_int_distribution<std::size_t>(1, 7)(random);
                auto claimed = outbox.claim_batch(now, size, no_byte_cap);
                if (claimed.error) {
                    outcome.problems.push_back("claim: " + claimed.error->describe());
                    break;
                }
                if (claimed.responses.empty()) {
                    // The rest is held by the other connection.
                    std::this_thread::sleep_for(std::chrono::microseconds(50));
                    continue;
                }
                const std::vector<std::int64_t> ids = ids_of(claimed.responses);
                {
                    std::lock_guard lock(held_mutex);
                    for (const auto id : ids) {
                        if (!held.insert(id).second) {
                            outcome.problems.push_back("response " + std::to_string(id) +
                                                       " was claimed while already held");
                        }
                    }
                }
                std::this_thread::sleep_for(
                    std::chrono::microseconds(std::uniform_int_distribution<int>(0, 300)(random)));
                const bool put_back = std::uniform_int_distribution<int>(0, 3)(random) == 0;
                {
                    std::lock_guard lock(held_mutex);
                    for (const auto id : ids) {
                        held.erase(id);
                    }
                }
                const auto marked = put_back ? outbox.requeue(ids, now, 503, "HTTP 503")
                                             : outbox.mark_acknowledged(ids, now, 201);
                if (marked.error) {
                    outcome.problems.push_back("mark: " + marked.error->describe());
                } else if (marked.count != static_cast<std::int64_t>(ids.size())) {
                    outcome.problems.push_back("marked " + std::to_string(marked.count) + " of " +
                                               std::to_string(ids.size()));
                }
                if (put_back) {
                    outcome.requeued += marked.count;
                } else {
                    acknowledged += marked.count;
                }
            }
        };
        std::thread first(worker, 0);
        std::thread second(worker, 1);
        first.join();
        second.join();

        for (const auto& outcome : outcomes) {
            for (const auto& problem : outcome.problems) {
                FAIL_CHECK(problem);
            }
        }
        CHECK(acknowledged.load() == per_round);

        auto outbox = open_outbox(file);
        const auto status = status_of(outbox);
        CHECK(status.acknowledged == std::int64_t{per_round} * (round + 1));
        CHECK(status.queued == 0);
        CHECK(status.sending == 0);
        auto database = open_raw(file);
        // Every requeue counted one attempt on exactly the rows it put back.
        total_requeued += outcomes[0].requeued + outcomes[1].requeued;
        CHECK(query_number(database, "SELECT coalesce(sum(attempts), 0) FROM response_states") ==
              total_requeued);
    }
    // Both connections really took part: the claims did race.
    INFO("rows claimed in phase 1: " << claims_by[0] << " and " << claims_by[1]);
    CHECK(claims_by[0] > 0);
    CHECK(claims_by[1] > 0);
}

// ---- recover_interrupted ----------------------------------------------------------------------

TEST_CASE("interrupted deliveries go back to the queue at start-up, and nothing else moves",
          "[outbox][delivery]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    std::vector<std::int64_t> ids;
    OneOfEach rows;
    {
        auto outbox = open_outbox(file);
        rows = one_of_each(outbox);
        ids = store_responses(outbox, 1, 200, 5);
        // Two more in flight, one of them with a failed attempt behind it.
        REQUIRE(ids_of(claim(outbox, now, 1)) == std::vector<std::int64_t>{rows.queued});
        const std::vector<std::int64_t> retried{rows.queued};
        REQUIRE(changed(outbox.requeue(retried, now + ms(5), 500, "HTTP 500")) == 1);
        REQUIRE(ids_of(claim(outbox, now + ms(5), 2)) ==
                std::vector<std::int64_t>{rows.queued, ids[0]});
        // The process dies here, with three rows in `sending`.
    }

    auto outbox = open_outbox(file);
    const auto before = snapshot(outbox);
    CHECK(changed(outbox.recover_interrupted()) == 3);

    const auto after = snapshot(outbox);
    for (const auto id : {rows.sending, rows.queued, ids[0]}) {
        auto expected = before.at(id);
        expected.state = ResponseState::queued; // attempts, next attempt and last error are kept
        CHECK(after.at(id) == expected);
    }
    CHECK(after.at(rows.queued).attempts == 1);
    CHECK(after.at(rows.queued).last_status == 500);
    CHECK(after.at(rows.acknowledged) == before.at(rows.acknowledged));
    CHECK(after.at(rows.rejected) == before.at(rows.rejected));

    CHECK(changed(outbox.recover_interrupted()) == 0);
    // And they are sent again, oldest first.
    CHECK(ids_of(claim(outbox, now + ms(5), 50)) ==
          std::vector<std::int64_t>{rows.sending, rows.queued, ids[0]});
}

// ---- marks: only from the right state ----------------------------------------------------------

TEST_CASE("each mark changes only a response in the state it expects", "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto rows = one_of_each(outbox);
    const auto all = rows.all();
    const std::vector<std::int64_t> unknown{9999};
    const auto before = snapshot(outbox);

    SECTION("mark_acknowledged: sending only") {
        CHECK(changed(outbox.mark_acknowledged(unknown, now + 1, 200)) == 0);
        CHECK(changed(outbox.mark_acknowledged(all, now + 1, 200)) == 1);

        const auto after = snapshot(outbox);
        check_unchanged_except(before, after, rows.sending);
        const auto& row = after.at(rows.sending);
        CHECK(row.state == ResponseState::acknowledged);
        CHECK(row.acknowledged_at_ms == now + 1);
        CHECK(row.last_status == 200);
        CHECK(row.last_error == std::nullopt);
        CHECK(row.next_attempt_at_ms == std::nullopt);
        // Asked twice (a late reply, another process): the second time changes nothing.
        CHECK(changed(outbox.mark_acknowledged(all, now + 2, 200)) == 0);
        CHECK(row_of(outbox, rows.sending).acknowledged_at_ms == now + 1);
    }
    SECTION("mark_rejected: sending only") {
        for (const auto id : {rows.queued, rows.acknowledged, rows.rejected, std::int64_t{9999}}) {
            CHECK(changed(outbox.mark_rejected(id, 400, "bad")) == 0);
        }
        CHECK(changed(outbox.mark_rejected(rows.sending, 409, "a different response")) == 1);

        const auto after = snapshot(outbox);
        check_unchanged_except(before, after, rows.sending);
        const auto& row = after.at(rows.sending);
        CHECK(row.state == ResponseState::rejected);
        CHECK(row.last_status == 409);
        CHECK(row.last_error == "a different response");
        CHECK(row.attempts == 0);
    }
    SECTION("requeue: sending only") {
        CHECK(changed(outbox.requeue(unknown, now, 503, "x")) == 0);
        CHECK(changed(outbox.requeue(all, now + ms(60), 503, "HTTP 503")) == 1);

        const auto after = snapshot(outbox);
        check_unchanged_except(before, after, rows.sending);
        CHECK(after.at(rows.sending).state == ResponseState::queued);
    }
    SECTION("retry_rejected: rejected only, with an error for any other") {
        for (const auto& [id, state] : std::vector<std::pair<std::int64_t, std::string>>{
                 {rows.queued, "queued"},
                 {rows.sending, "sending"},
                 {rows.acknowledged, "acknowledged"}}) {
            const auto result = outbox.retry_rejected(id);
            CHECK(result.count == 0);
            REQUIRE(result.error);
            CHECK(result.error->kind == OutboxError::Kind::wrong_state);
            CHECK_THAT(result.error->describe(), Catch::Contains(state));
            CHECK_THAT(result.error->describe(), Catch::Contains(std::to_string(id)));
        }
        const auto missing = outbox.retry_rejected(9999);
        CHECK(missing.count == 0);
        REQUIRE(missing.error);
        CHECK(missing.error->kind == OutboxError::Kind::not_found);
        CHECK_THAT(missing.error->describe(), Catch::Contains("9999"));

        check_unchanged_except(before, snapshot(outbox), 0);
        CHECK(changed(outbox.retry_rejected(rows.rejected)) == 1);
        check_unchanged_except(before, snapshot(outbox), rows.rejected);
    }
    SECTION("an empty list of ids changes nothing") {
        CHECK(changed(outbox.mark_acknowledged({}, now, 200)) == 0);
        CHECK(changed(outbox.requeue({}, now, std::nullopt, "")) == 0);
        check_unchanged_except(before, snapshot(outbox), 0);
    }
}

TEST_CASE("an acknowledged response is never claimed again", "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto ids = store_responses(outbox, 3);
    REQUIRE(changed(outbox.mark_acknowledged(ids_of(claim(outbox, now, 3)), now, 201)) == 3);

    CHECK(claim(outbox, now, 50).empty());
    CHECK(claim(outbox, std::numeric_limits<std::int64_t>::max(), 50).empty());
    CHECK(changed(outbox.recover_interrupted()) == 0);
    CHECK(changed(outbox.requeue(ids, now, 503, "late failure report")) == 0);
    CHECK(claim(outbox, now, 50).empty());
    for (const auto id : ids) {
        CHECK(state_of(outbox, id) == ResponseState::acknowledged);
    }
    CHECK_FALSE(outbox.next_due_time().due_at_ms);
}

TEST_CASE("a requeue counts the attempt and records when to try again and why",
          "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto ids = store_responses(outbox, 2);

    REQUIRE(changed(outbox.requeue(ids_of(claim(outbox, now, 2)), now + ms(4), 429,
                                   "HTTP 429, Retry-After 4 s")) == 2);
    for (const auto id : ids) {
        const auto row = row_of(outbox, id);
        CHECK(row.state == ResponseState::queued);
        CHECK(row.attempts == 1);
        CHECK(row.next_attempt_at_ms == now + ms(4));
        CHECK(row.last_status == 429);
        CHECK(row.last_error == "HTTP 429, Retry-After 4 s");
    }

    // No HTTP answer at all, and no text: both are stored as absent.
    const auto again = claim(outbox, now + ms(4), 1);
    REQUIRE(ids_of(again) == std::vector<std::int64_t>{ids[0]});
    CHECK(again[0].attempts == 1);
    REQUIRE(changed(outbox.requeue(ids_of(again), now + ms(12), std::nullopt, "")) == 1);
    const auto row = row_of(outbox, ids[0]);
    CHECK(row.attempts == 2);
    CHECK(row.next_attempt_at_ms == now + ms(12));
    CHECK(row.last_status == std::nullopt);
    CHECK(row.last_error == std::nullopt);

    // Acknowledged in the end: the failure history gives way, the attempt count stays.
    REQUIRE(changed(outbox.mark_acknowledged(ids_of(claim(outbox, now + ms(12), 1)), now + ms(13),
                                             201)) == 1);
    const auto done = row_of(outbox, ids[0]);
    CHECK(done.state == ResponseState::acknowledged);
    CHECK(done.attempts == 2);
    CHECK(done.last_status == 201);
    CHECK(done.last_error == std::nullopt);
    CHECK(done.next_attempt_at_ms == std::nullopt);
}

TEST_CASE("a rejected response sent again by staff is due at once with its attempts reset",
          "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto ids = store_responses(outbox, 2);
    const std::vector<std::int64_t> first{ids[0]};
    REQUIRE(ids_of(claim(outbox, now, 1)) == first);
    REQUIRE(changed(outbox.requeue(first, now + ms(30), 503, "HTTP 503")) == 1);
    REQUIRE(ids_of(claim(outbox, now + ms(30), 1)) == first);
    REQUIRE(changed(outbox.mark_rejected(ids[0], 422, "answer out of range")) == 1);
    CHECK(row_of(outbox, ids[0]).attempts == 1);
    CHECK(ids_of(claim(outbox, now + ms(60), 50)) == std::vector<std::int64_t>{ids[1]});
    CHECK(claim(outbox, now + ms(60), 50).empty()); // rejected rows are never retried blindly

    CHECK(changed(outbox.retry_rejected(ids[0])) == 1);

    const auto row = row_of(outbox, ids[0]);
    CHECK(row.state == ResponseState::queued);
    CHECK(row.attempts == 0);
    CHECK(row.next_attempt_at_ms == std::nullopt);
    CHECK(row.last_status == 422); // why it was rejected stays visible until the next attempt
    CHECK(row.last_error == "answer out of range");
    CHECK(outbox.next_due_time().due_by(now));
    const auto claimed = claim(outbox, now, 50);
    REQUIRE(ids_of(claimed) == first);
    CHECK(claimed[0].attempts == 0);

    // Not rejected any more: a second retry is refused and changes nothing.
    const auto twice = outbox.retry_rejected(ids[0]);
    REQUIRE(twice.error);
    CHECK(twice.error->kind == OutboxError::Kind::wrong_state);
    CHECK(state_of(outbox, ids[0]) == ResponseState::sending);
}

// ---- purge_acknowledged ------------------------------------------------------------------------

TEST_CASE("a purge deletes old acknowledged responses and never anything else",
          "[outbox][delivery]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);
    const auto rows = one_of_each(outbox); // acknowledged at `now`
    const auto later_id = store_responses(outbox, 1, 200, 5)[0];
    const auto later = now + ms(86'400);
    REQUIRE(ids_of(claim(outbox, now, 2)) == std::vector<std::int64_t>{rows.queued, later_id});
    REQUIRE(changed(outbox.mark_acknowledged(std::vector<std::int64_t>{later_id}, later, 200)) ==
            1);
    REQUIRE(changed(outbox.requeue(std::vector<std::int64_t>{rows.queued}, now, 503, "HTTP 503")) ==
            1);
    {
        // Rows of every other kind, however old: created long ago, and one acknowledged row
        // whose time was never recorded (edited by hand, say).
        auto database = open_raw(file);
        run_raw(database, "UPDATE responses SET created_at = 0");
        run_raw(database, "INSERT INTO responses (identifier, questionnaire, authored, payload, "
                          "created_at) VALUES ('urn:uuid:no-time', 'q', 'a', '{}', 0)");
        run_raw(database, "DELETE FROM delivery_queue WHERE response_id = "
                          "(SELECT id FROM responses WHERE identifier = 'urn:uuid:no-time')");
        run_raw(database, "INSERT INTO acknowledgements (response_id) "
                          "SELECT id FROM responses WHERE identifier = 'urn:uuid:no-time'");
    }
    const auto before = snapshot(outbox);
    REQUIRE(status_of(outbox).acknowledged == 3);

    // The cutoff is exclusive: acknowledged exactly at it is kept.
    CHECK(changed(outbox.purge_acknowledged(now)) == 0);
    CHECK(changed(outbox.purge_acknowledged(now + 1)) == 1);

    auto after = snapshot(outbox);
    CHECK(after.count(rows.acknowledged) == 0);
    auto expected = before;
    expected.erase(rows.acknowledged);
    CHECK(after == expected);

    // Even a cutoff at the end of time leaves every unacknowledged row alone.
    CHECK(changed(outbox.purge_acknowledged(std::numeric_limits<std::int64_t>::max())) == 1);
    after = snapshot(outbox);
    expected.erase(later_id);
    CHECK(after == expected);
    const auto status = status_of(outbox);
    CHECK(status.queued == 1);
    CHECK(status.sending == 1);
    CHECK(status.rejected == 1);
    CHECK(status.acknowledged == 1); // the one without a time
    CHECK(changed(outbox.purge_acknowledged(std::numeric_limits<std::int64_t>::max())) == 0);
}

TEST_CASE("the last success is the latest delivery, in whatever order responses are delivered",
          "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto ids = store_responses(outbox, 4);
    const auto last_success = [&] {
        return status_of(outbox).last_success_at_ms;
    };
    CHECK(last_success() == std::nullopt);

    // The second is refused for now; the first is delivered.
    REQUIRE(ids_of(claim(outbox, now, 2)) == std::vector<std::int64_t>{ids[0], ids[1]});
    REQUIRE(changed(outbox.requeue(std::vector<std::int64_t>{ids[1]}, now, 503, "busy")) == 1);
    REQUIRE(changed(outbox.mark_acknowledged(std::vector<std::int64_t>{ids[0]}, now + 1, 201)) ==
            1);
    CHECK(last_success() == now + 1);
    // The third overtakes the second.
    REQUIRE(ids_of(claim(outbox, now, 1)) == std::vector<std::int64_t>{ids[1]});
    REQUIRE(changed(outbox.requeue(std::vector<std::int64_t>{ids[1]}, now + ms(60), 503, "busy")) ==
            1);
    REQUIRE(ids_of(claim(outbox, now + 2, 1)) == std::vector<std::int64_t>{ids[2]});
    REQUIRE(changed(outbox.mark_acknowledged(std::vector<std::int64_t>{ids[2]}, now + 2, 201)) ==
            1);
    CHECK(last_success() == now + 2);
    // Then the second, older, goes: the latest delivery is its, not the newest response's.
    REQUIRE(ids_of(claim(outbox, now + ms(60), 1)) == std::vector<std::int64_t>{ids[1]});
    REQUIRE(changed(outbox.mark_acknowledged(std::vector<std::int64_t>{ids[1]}, now + ms(61),
                                             200)) == 1);
    CHECK(last_success() == now + ms(61));
    // A success with nothing to acknowledge counts too.
    REQUIRE_FALSE(outbox.record_delivery_success(now + ms(62)));
    CHECK(last_success() == now + ms(62));
    // And the clock set back: the latest delivery still wins over the largest time.
    REQUIRE(ids_of(claim(outbox, now, 1)) == std::vector<std::int64_t>{ids[3]});
    REQUIRE(changed(outbox.mark_acknowledged(std::vector<std::int64_t>{ids[3]}, now - ms(3600),
                                             201)) == 1);
    CHECK(last_success() == now - ms(3600));
}

TEST_CASE("a purge of more than one chunk removes every old delivery and keeps the rest and the "
          "last success",
          "[outbox][delivery]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);
    const auto old_rows = 2 * Outbox::purge_chunk_rows + 1;
    {
        // A month's backlog delivered at once when the network came back: stored and moved to
        // acknowledged with plain SQL, as the test is about the purge.
        auto database = open_raw(file);
        run_raw(database, "BEGIN IMMEDIATE");
        for (std::int64_t number = 1; number <= old_rows; ++number) {
            insert_raw_response(database, sample_response(static_cast<int>(number)));
        }
        run_raw(database, "DELETE FROM delivery_queue");
        run_raw(database, "INSERT INTO acknowledgements (response_id, acknowledged_at, status) "
                          "SELECT id, " +
                              std::to_string(now) + ", 201 FROM responses");
        run_raw(database, "COMMIT");
    }
    const auto kept = store_responses(outbox, 2, 200, static_cast<int>(old_rows) + 1);
    REQUIRE(ids_of(claim(outbox, now, 2)) == kept);
    REQUIRE(changed(outbox.mark_acknowledged(std::vector<std::int64_t>{kept[0]}, now + ms(10),
                                             201)) == 1);
    CHECK(status_of(outbox).last_success_at_ms == now + ms(10));

    CHECK(changed(outbox.purge_acknowledged(now + 1)) == old_rows);

    CHECK(outbox.count().count == 2);
    CHECK(status_of(outbox).acknowledged == 1);
    CHECK(status_of(outbox).sending == 1);
    CHECK(status_of(outbox).last_success_at_ms == now + ms(10));
    const auto totals = outbox.response_totals(0);
    REQUIRE_FALSE(totals.error);
    CHECK(totals.totals.stored_ever == old_rows + 2);

    // Purging the newest acknowledgement too keeps the time of the last success.
    CHECK(changed(outbox.purge_acknowledged(now + ms(11))) == 1);
    CHECK(status_of(outbox).acknowledged == 0);
    CHECK(status_of(outbox).last_success_at_ms == now + ms(10));
    auto database = open_raw(file);
    auto check = database.prepare("PRAGMA integrity_check");
    REQUIRE(check.step() == Statement::Step::row);
    CHECK(check.column_text(0) == "ok");
}

// ---- next_due_time -----------------------------------------------------------------------------

TEST_CASE("the next due time is the earliest retry, or at once for a response never tried",
          "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto nothing = outbox.next_due_time();
    REQUIRE_FALSE(nothing.error);
    CHECK(nothing.due_at_ms == std::nullopt);
    CHECK_FALSE(nothing.due_by(now));

    const auto ids = store_responses(outbox, 4);
    CHECK(outbox.next_due_time().due_at_ms == 0);
    CHECK(outbox.next_due_time().due_by(now));

    // Everything in flight or waiting for a retry: the earliest retry counts.
    const auto claimed = ids_of(claim(outbox, now, 4));
    REQUIRE(changed(outbox.requeue(std::vector<std::int64_t>{claimed[0]}, now + ms(90), 503,
                                   "HTTP 503")) == 1);
    REQUIRE(changed(outbox.requeue(std::vector<std::int64_t>{claimed[1]}, now + ms(30), 503,
                                   "HTTP 503")) == 1);
    const auto due = outbox.next_due_time();
    REQUIRE_FALSE(due.error);
    CHECK(due.due_at_ms == now + ms(30));
    CHECK_FALSE(due.due_by(now));
    CHECK(due.due_by(now + ms(30)));

    // Sending, rejected and acknowledged rows are not waiting for the timer.
    REQUIRE(changed(outbox.mark_rejected(claimed[2], 400, "bad")) == 1);
    REQUIRE(changed(outbox.mark_acknowledged(std::vector<std::int64_t>{claimed[3]}, now, 201)) ==
            1);
    CHECK(outbox.next_due_time().due_at_ms == now + ms(30));

    // A new response is due at once, whatever else waits.
    REQUIRE(outbox.append(sample_response(5)).status == AppendResult::Status::stored);
    CHECK(outbox.next_due_time().due_at_ms == 0);
}

// ---- status snapshot ---------------------------------------------------------------------------

TEST_CASE("the delivery status counts states and survives closing and reopening",
          "[outbox][delivery][status]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    {
        auto outbox = open_outbox(file);
        CHECK(status_of(outbox) == DeliveryStatus{});

        const auto rows = one_of_each(outbox); // acknowledging at `now` records a success
        store_responses(outbox, 1, 200, 5);    // one more queued
        REQUIRE_FALSE(outbox.record_delivery_failure(now + ms(60), "connection refused"));
        REQUIRE_FALSE(outbox.set_paused(true, "HTTP 401: the token was refused"));

        const auto status = status_of(outbox);
        CHECK(status.queued == 2);
        CHECK(status.sending == 1);
        CHECK(status.acknowledged == 1);
        CHECK(status.rejected == 1);
        // Response 3 (sending) arrived before response 4 (queued): both are waiting.
        CHECK(status.oldest_waiting_created_at_ms == sample_response(3).created_at_ms);
        CHECK(row_of(outbox, rows.sending).created_at_ms == sample_response(3).created_at_ms);
        CHECK(status.last_success_at_ms == now);
        CHECK(status.last_error == "connection refused");
        CHECK(status.last_error_at_ms == now + ms(60));
        CHECK(status.paused);
        CHECK(status.paused_reason == "HTTP 401: the token was refused");
    }

    auto outbox = open_outbox(file);
    auto status = status_of(outbox);
    CHECK(status.paused);
    CHECK(status.paused_reason == "HTTP 401: the token was refused");
    CHECK(status.last_success_at_ms == now);
    CHECK(status.last_error == "connection refused");
    CHECK(status.last_error_at_ms == now + ms(60));
    CHECK(status.sending == 1);

    // A restart puts the interrupted row back; the oldest waiting is unchanged.
    REQUIRE(changed(outbox.recover_interrupted()) == 1);
    status = status_of(outbox);
    CHECK(status.queued == 3);
    CHECK(status.sending == 0);
    CHECK(status.oldest_waiting_created_at_ms == sample_response(3).created_at_ms);
}

TEST_CASE("a successful delivery ends a pause and keeps the last error for the record",
          "[outbox][delivery][status]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    REQUIRE_FALSE(outbox.record_delivery_failure(now, "HTTP 403"));
    REQUIRE_FALSE(outbox.set_paused(true, "HTTP 403: forbidden"));

    SECTION("recorded on its own") {
        REQUIRE_FALSE(outbox.record_delivery_success(now + ms(5)));
    }
    SECTION("recorded by the acknowledgement itself") {
        const auto ids = store_responses(outbox, 1);
        REQUIRE(changed(outbox.mark_acknowledged(ids_of(claim(outbox, now, 1)), now + ms(5),
                                                 201)) == 1);
        REQUIRE_FALSE(outbox.record_delivery_success(now + ms(5))); // harmless repeat
    }

    const auto status = status_of(outbox);
    CHECK_FALSE(status.paused);
    CHECK(status.paused_reason.empty());
    CHECK(status.last_success_at_ms == now + ms(5));
    CHECK(status.last_error == "HTTP 403");
    CHECK(status.last_error_at_ms == now);
}

TEST_CASE("resuming clears the pause reason, and a later failure replaces the last error",
          "[outbox][delivery][status]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    REQUIRE_FALSE(outbox.set_paused(true, "HTTP 401"));
    REQUIRE_FALSE(outbox.set_paused(true, "HTTP 401 again")); // the newest reason wins
    CHECK(status_of(outbox).paused_reason == "HTTP 401 again");
    REQUIRE_FALSE(outbox.set_paused(false, "ignored when resuming"));
    REQUIRE_FALSE(outbox.set_paused(false, "")); // already running: nothing to do, no error
    auto status = status_of(outbox);
    CHECK_FALSE(status.paused);
    CHECK(status.paused_reason.empty());

    REQUIRE_FALSE(outbox.record_delivery_failure(now, "timed out"));
    REQUIRE_FALSE(outbox.record_delivery_failure(now + ms(1), "HTTP 502"));
    status = status_of(outbox);
    CHECK(status.last_error == "HTTP 502");
    CHECK(status.last_error_at_ms == now + ms(1));
    CHECK(status.last_success_at_ms == std::nullopt);
    CHECK(status.queued == 0);
    CHECK(status.oldest_waiting_created_at_ms == std::nullopt);
}

TEST_CASE("the delivery facts are still recorded if their row went missing",
          "[outbox][delivery][status]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto outbox = open_outbox(file);
    {
        auto database = open_raw(file);
        run_raw(database, "DELETE FROM delivery_status");
    }
    CHECK(status_of(outbox) == DeliveryStatus{});

    REQUIRE_FALSE(outbox.record_delivery_failure(now, "HTTP 500"));
    REQUIRE_FALSE(outbox.set_paused(true, "HTTP 401"));
    REQUIRE_FALSE(outbox.record_delivery_success(now + 1));
    REQUIRE_FALSE(outbox.set_paused(true, "HTTP 403"));

    const auto status = status_of(outbox);
    CHECK(status.last_error == "HTTP 500");
    CHECK(status.last_success_at_ms == now + 1);
    CHECK(status.paused);
    CHECK(status.paused_reason == "HTTP 403");
    auto database = open_raw(file);
    CHECK(query_number(database, "SELECT count(*) FROM delivery_status") == 1);
}

// ---- get ---------------------------------------------------------------------------------------

TEST_CASE("get returns one response with all its fields, or nothing for an unknown id",
          "[outbox][delivery]") {
    TemporaryDirectory directory;
    auto outbox = open_outbox(directory.path() / "outbox.db");
    const auto ids = store_responses(outbox, 2);
    REQUIRE(ids_of(claim(outbox, now, 1)) == std::vector<std::int64_t>{ids[0]});
    REQUIRE(changed(outbox.mark_rejected(ids[0], 422, "questionnaire unknown")) == 1);

    const auto row = row_of(outbox, ids[0]);
    const auto expected = sample_response(1);
    CHECK(row.id == ids[0]);
    CHECK(row.identifier == expected.identifier);
    CHECK(row.questionnaire == expected.questionnaire);
    CHECK(row.authored == expected.authored);
    CHECK(row.payload == expected.payload);
    CHECK(row.created_at_ms == expected.created_at_ms);
    CHECK(row.state == ResponseState::rejected);
    CHECK(row.last_status == 422);
    CHECK(row.last_error == "questionnaire unknown");
    CHECK(row.acknowledged_at_ms == std::nullopt);
    // list and get read rows the same way.
    const auto listed = outbox.list(ResponseState::rejected, 10);
    REQUIRE_FALSE(listed.error);
    REQUIRE(listed.responses.size() == 1);
    CHECK(listed.responses[0] == row);

    const auto missing = outbox.get(9999);
    CHECK_FALSE(missing.error);
    CHECK_FALSE(missing.response);
}

TEST_CASE(
    "the screens commit with a full sync and delivery may commit without waiting for the disk",
    "[outbox]") {
    TemporaryDirectory directory;
    const auto file = directory.path() / "outbox.db";
    auto screens = Outbox::open(file);
    REQUIRE(screens.outbox);
    auto delivery = Outbox::open(file, OutboxOptions::for_delivery());
    REQUIRE(delivery.outbox);
    CHECK(screens.outbox->connection_settings().settings.synchronous == "full");
    CHECK(delivery.outbox->connection_settings().settings.synchronous == "normal");
    CHECK(delivery.outbox->connection_settings().settings.journal_mode == "wal");
}

TEST_CASE("a connection reuses its prepared statements without mixing their values", "[outbox]") {
    TemporaryDirectory directory;
    auto opened =
        Database::open(directory.path() / "cache.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    REQUIRE(std::holds_alternative<Database>(opened));
    auto& db = std::get<Database>(opened);
    REQUIRE_FALSE(db.exec("CREATE TABLE t (x INTEGER)"));
    for (std::int64_t value : {1, 2, 3}) {
        auto insert = db.prepare("INSERT INTO t (x) VALUES (?1)");
        insert.bind(1, value);
        REQUIRE(insert.step() == Statement::Step::done);
    }
    // The same SQL twice at once: the second user gets its own statement.
    auto outer = db.prepare("SELECT x FROM t ORDER BY x");
    auto inner = db.prepare("SELECT x FROM t ORDER BY x");
    REQUIRE(outer.step() == Statement::Step::row);
    REQUIRE(inner.step() == Statement::Step::row);
    REQUIRE(inner.step() == Statement::Step::row);
    CHECK(outer.column_int64(0) == 1);
    CHECK(inner.column_int64(0) == 2);
    // Reused after release: it starts from the first row, with no values left bound.
    {
        auto again = db.prepare("INSERT INTO t (x) VALUES (?1)");
        REQUIRE(again.step() == Statement::Step::done); // ?1 unbound: NULL, not the last value
    }
    auto nulls = db.prepare("SELECT count(*) FROM t WHERE x IS NULL");
    REQUIRE(nulls.step() == Statement::Step::row);
    CHECK(nulls.column_int64(0) == 1);
}
