// The real delivery client against the real collector over HTTPS on 127.0.0.1, with faults
// injected between them. Each case ends with exactly-once checks: none missing, none twice.

#include "support/fault_proxy.hpp"
#include "support/faulty_vfs.hpp"
#include "support/http_proxy.hpp"
#include "sync/sync_rig.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace kiosk;
using namespace kiosk::testing;
using outbox::ResponseState;

namespace {

constexpr std::int64_t t0 = 1'800'000'000'000;
constexpr std::int64_t an_hour_later = t0 + 3'600'000;

std::string batch_response(const std::vector<int>& statuses) {
    std::string entries;
    for (int status : statuses) {
        entries += (entries.empty() ? "" : ",") + std::string(R"({"response":{"status":")") +
                   std::to_string(status) + " X\"}}";
    }
    return R"({"resourceType":"Bundle","type":"batch-response","entry":[)" + entries + "]}";
}

// What a worker logs, from its own thread, for the test's thread to read.
class WorkerLog {
public:
    delivery::LogSink sink() {
        return [this](delivery::LogLevel, const std::string& message) {
            std::lock_guard lock(mutex_);
            lines_.push_back(message);
        };
    }
    // Lines that contain `words`.
    int count(const std::string& words) const {
        std::lock_guard lock(mutex_);
        return static_cast<int>(
            std::count_if(lines_.begin(), lines_.end(), [&](const std::string& line) {
                return line.find(words) != std::string::npos;
            }));
    }
    std::string all() const {
        std::lock_guard lock(mutex_);
        std::string joined;
        for (const auto& line : lines_) {
            joined += line + "\n";
        }
        return joined;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

// Polls `done` every 20 ms for up to `limit`; says whether it came true.
bool wait_until(const std::function<bool()>& done, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

} // namespace

TEST_CASE("a good network delivers every response once and a second pass sends nothing") {
    SyncRig rig;
    rig.enqueue(120);
    auto result = rig.deliver(rig.settings_for(rig.collector.port()), t0);
    CHECK(result.acknowledged == 120);
    CHECK_FALSE(result.failed);
    CHECK(rig.count(ResponseState::acknowledged) == 120);
    CHECK(rig.collector.stored_identifiers() == rig.enqueued);
    auto again = rig.deliver(rig.settings_for(rig.collector.port()), an_hour_later);
    CHECK(again.acknowledged == 0);
    rig.check_exactly_once();
    auto status = rig.outbox->delivery_status();
    CHECK(status.status.last_success_at_ms == t0);
}

TEST_CASE("network faults keep every response queued until the network is back") {
    auto mode =
        GENERATE(FaultMode::refuse, FaultMode::reset_on_accept, FaultMode::blackhole,
                 FaultMode::blackhole_connect, FaultMode::stall, FaultMode::cut_reply_midway);
    INFO("mode " << to_string(mode));
    SyncRig rig;
    rig.enqueue(5);
    FaultProxy proxy(rig.collector.port(), mode);
    auto settings = rig.settings_for(proxy.port());
    auto first = rig.deliver(settings, t0);
    CHECK(first.failed);
    CHECK(first.acknowledged == 0);
    CHECK(rig.count(ResponseState::queued) == 5);
    auto listed = rig.outbox->list(ResponseState::queued, 10);
    CHECK(listed.responses.at(0).attempts == 1);
    CHECK(listed.responses.at(0).last_error.value_or("").find("127.0.0.1") != std::string::npos);
    CHECK(listed.responses.at(0).next_attempt_at_ms >= t0); // backoff: not before now
    proxy.set_mode(FaultMode::pass);
    auto second = rig.deliver(settings, an_hour_later);
    CHECK(second.acknowledged == 5);
    CHECK(rig.collector.stored_identifiers() == rig.enqueued);
    rig.check_exactly_once();
}

TEST_CASE("a wall clock set back does not hold a retry for the time it went back") {
    SyncRig rig;
    rig.enqueue(4);
    FaultProxy proxy(rig.collector.port(), FaultMode::refuse);
    auto settings = rig.settings_for(proxy.port());
    settings.retry_cap = std::chrono::seconds(60);
    CHECK(rig.deliver(settings, t0).failed);
    auto listed = rig.outbox->list(ResponseState::queued, 10);
    REQUIRE(listed.responses.at(0).next_attempt_at_ms.has_value());
    CHECK(*listed.responses.at(0).next_attempt_at_ms > t0); // waiting for its backoff
    proxy.set_mode(FaultMode::pass);
    // The clock is corrected by a day: the stored retry time is now a day away, but no wait is
    // ever longer than the retry cap, so the responses go within it.
    const std::int64_t a_day_earlier = t0 - 86'400'000;
    std::vector<std::string> log;
    CHECK(rig.deliver(settings, a_day_earlier, &log).acknowledged == 0); // not due yet
    auto soon = rig.deliver(settings, a_day_earlier + 60'000);
    CHECK(soon.acknowledged == 4);
    bool told = false;
    for (const auto& line : log) {
        told = told || line.find("the clock went back: 4 response(s)") != std::string::npos;
    }
    CHECK(told);
    rig.check_exactly_once();
}

TEST_CASE("a slow link still delivers") {
    SyncRig rig;
    rig.enqueue(3);
    FaultProxy proxy(rig.collector.port(), FaultMode::slow);
    proxy.set_slow_rate(4096);
    auto result = rig.deliver(rig.settings_for(proxy.port()), t0);
    CHECK(result.acknowledged == 3);
    rig.check_exactly_once();
}

TEST_CASE("a reply cut after the server committed is retried into exactly one copy") {
    SyncRig rig;
    rig.enqueue(4);
    FaultProxy proxy(rig.collector.port(), FaultMode::cut_reply_after_commit);
    auto settings = rig.settings_for(proxy.port());
    auto first = rig.deliver(settings, t0);
    CHECK(first.failed);
    CHECK(rig.count(ResponseState::queued) == 4);
    CHECK(rig.collector.stored_identifiers() == rig.enqueued); // committed at the server
    proxy.set_mode(FaultMode::pass);
    auto second = rig.deliver(settings, an_hour_later);
    CHECK(second.acknowledged == 4); // 200 "already there"
    CHECK(rig.count(ResponseState::acknowledged) == 4);
    rig.check_exactly_once();
}

TEST_CASE("server errors and throttling are retried later, honouring Retry-After") {
    struct Case {
        int status;
        std::string retry_after;
        std::int64_t at_least_ms; // the next attempt is no sooner than this after now
        std::int64_t at_most_ms;
    };
    auto c =
        GENERATE(Case{500, "", 0, 2'000}, Case{502, "", 0, 2'000}, Case{503, "", 0, 2'000},
                 Case{504, "", 0, 2'000}, Case{408, "", 0, 2'000}, Case{429, "30", 30'000, 30'000},
                 Case{429, "", 0, 2'000}, Case{429, "99999999999", 60'000, 60'000},
                 Case{503, "Wed, 21 Oct 2015 07:28:00 GMT", 0, 2'000});
    INFO("HTTP " << c.status << " Retry-After '" << c.retry_after << "'");
    SyncRig rig;
    rig.enqueue(3);
    ScriptedEndpoint endpoint(rig.pki, rig.collector.port(), rig.pki.server);
    ScriptedEndpoint::Reply reply{c.status, "<html>busy</html>", "text/html", {}, false};
    if (!c.retry_after.empty()) {
        reply.headers.push_back({"Retry-After", c.retry_after});
    }
    endpoint.push(reply);
    auto settings = rig.settings_for(endpoint.port());
    auto first = rig.deliver(settings, t0);
    CHECK(first.failed);
    auto row = rig.outbox->list(ResponseState::queued, 1).responses.at(0);
    CHECK(row.last_status == c.status);
    REQUIRE(row.next_attempt_at_ms);
    CHECK(*row.next_attempt_at_ms - t0 >= c.at_least_ms);
    CHECK(*row.next_attempt_at_ms - t0 <= c.at_most_ms);
    CHECK(rig.collector.stored_identifiers().empty());
    CHECK(rig.deliver(settings, an_hour_later).acknowledged == 3);
    rig.check_exactly_once();
}

TEST_CASE("a 2xx that is not a batch-response is a failure, not a delivery") {
    auto body =
        GENERATE(std::string("<html><body>Please log in to the hospital Wi-Fi</body></html>"),
                 std::string(R"({"resourceType":"Bundle","type":"batch-resp)"),
                 std::string(R"({"resourceType":"Bundle","type":"batch-response","entry":[]})"),
                 std::string(R"({"resourceType":"OperationOutcome"})"));
    INFO(body);
    SyncRig rig;
    rig.enqueue(2);
    ScriptedEndpoint endpoint(rig.pki, rig.collector.port(), rig.pki.server);
    endpoint.push({200, body, "text/html", {}, false});
    auto settings = rig.settings_for(endpoint.port());
    auto first = rig.deliver(settings, t0);
    CHECK(first.failed);
    CHECK(first.acknowledged == 0);
    CHECK(rig.count(ResponseState::queued) == 2);
    CHECK(rig.deliver(settings, an_hour_later).acknowledged == 2);
    rig.check_exactly_once();
}

TEST_CASE("a partial batch-response acknowledges nothing and is retried") {
    SyncRig rig;
    rig.enqueue(3);
    ScriptedEndpoint endpoint(rig.pki, rig.collector.port(), rig.pki.server);
    // The server stored them but its reply lists only two entries.
    endpoint.push({200, batch_response({201, 201}), "application/fhir+json", {}, true});
    auto settings = rig.settings_for(endpoint.port());
    CHECK(rig.deliver(settings, t0).failed);
    CHECK(rig.count(ResponseState::queued) == 3);
    CHECK(rig.deliver(settings, an_hour_later).acknowledged == 3);
    rig.check_exactly_once();
}

TEST_CASE("one bad response in a good batch is rejected and the rest delivered") {
    SyncRig rig;
    rig.enqueue(6, 1); // the first is invalid for the Friends and Family Test
    auto result = rig.deliver(rig.settings_for(rig.collector.port()), t0);
    CHECK(result.acknowledged == 5);
    CHECK(result.rejected == 1);
    auto rejected = rig.outbox->list(ResponseState::rejected, 10).responses;
    REQUIRE(rejected.size() == 1);
    CHECK(rejected[0].last_status >= 400);
    CHECK(rejected[0].last_error.value_or("").find("not-an-option") != std::string::npos);
    // Never retried blindly: a later pass leaves it alone.
    CHECK(rig.deliver(rig.settings_for(rig.collector.port()), an_hour_later).acknowledged == 0);
    CHECK(rig.count(ResponseState::rejected) == 1);
    rig.check_exactly_once();
    CHECK(rig.collector.stored_identifiers().size() == 5);
}

TEST_CASE("413 splits the batch until it fits") {
    SyncRig rig;
    rig.enqueue(8);
    ScriptedEndpoint endpoint(rig.pki, rig.collector.port(), rig.pki.server);
    endpoint.set_rule([](std::size_t entries) -> std::optional<ScriptedEndpoint::Reply> {
        if (entries > 2) {
            return ScriptedEndpoint::Reply{413, "too large", "text/plain", {}, false};
        }
        return std::nullopt; // forwarded to the collector
    });
    auto result = rig.deliver(rig.settings_for(endpoint.port()), t0);
    CHECK(result.acknowledged == 8);
    CHECK(rig.count(ResponseState::acknowledged) == 8);
    rig.check_exactly_once();
}

TEST_CASE("401 and 403 pause delivery and drop nothing") {
    auto status = GENERATE(401, 403);
    SyncRig rig;
    rig.enqueue(3);
    auto settings = rig.settings_for(rig.collector.port());
    if (status == 401) {
        settings.transport.bearer_token = "a-token-the-collector-never-issued";
    } else {
        ScriptedEndpoint endpoint(rig.pki, rig.collector.port(), rig.pki.server);
        endpoint.push(
            {403, R"({"resourceType":"OperationOutcome"})", "application/fhir+json", {}, false});
        auto forbidden = rig.settings_for(endpoint.port());
        auto result = rig.deliver(forbidden, t0);
        CHECK(result.paused);
    }
    if (status == 401) {
        auto transport = delivery::CurlTransport::create(settings.transport);
        REQUIRE(std::holds_alternative<delivery::CurlTransport>(transport));
        delivery::Delivery pass(*rig.outbox, std::get<delivery::CurlTransport>(transport), settings,
                                [](delivery::LogLevel, const std::string&) {});
        std::atomic<bool> stop{false};
        auto result = pass.deliver_due(stop, [] { return t0; });
        CHECK(result.paused);
        CHECK(result.problem.find("401") != std::string::npos);
        // Paused means paused: a new response does not make it send before the retry cap.
        rig.enqueue(1);
        auto woken = pass.deliver_due(stop, [] { return t0 + 1000; });
        CHECK(woken.paused);
        CHECK(woken.acknowledged == 0);
        CHECK(rig.count(ResponseState::sending) == 0);
        CHECK(rig.count(ResponseState::queued) == 4);
    }
    auto snapshot = rig.outbox->delivery_status().status;
    CHECK(snapshot.paused);
    CHECK(snapshot.paused_reason.find(std::to_string(status)) != std::string::npos);
    CHECK(rig.count(ResponseState::queued) == (status == 401 ? 4 : 3));
    CHECK(rig.collector.stored_identifiers().empty());
    // Fixed credentials: delivery resumes and the pause ends.
    auto fixed = rig.deliver(rig.settings_for(rig.collector.port()), an_hour_later);
    CHECK(fixed.acknowledged == (status == 401 ? 4 : 3));
    CHECK_FALSE(rig.outbox->delivery_status().status.paused);
    rig.check_exactly_once();
}

TEST_CASE("TLS problems stop the request before any response reaches the server") {
    auto which = GENERATE(0, 1, 2, 3);
    SyncRig rig;
    rig.enqueue(2);
    const char* const names[] = {"unknown CA", "expired certificate", "wrong host name",
                                 "pin mismatch"};
    const CertAndKey* const servers[] = {&rig.pki.unknown_ca_server, &rig.pki.expired_server,
                                         &rig.pki.wrong_host_server, &rig.pki.server};
    bool pin_other = which == 3;
    INFO(names[which]);
    ScriptedEndpoint endpoint(rig.pki, rig.collector.port(), *servers[which]);
    auto settings = rig.settings_for(endpoint.port());
    if (pin_other) {
        settings.transport.pinned_public_keys = {rig.pki.other_pin};
    }
    auto result = rig.deliver(settings, t0);
    CHECK(result.failed);
    CHECK(endpoint.requests() == 0); // no request, so no response body, reached the server
    CHECK(rig.count(ResponseState::queued) == 2);
    if (pin_other) {
        // The right pin, with a backup pin beside it, is accepted.
        settings.transport.pinned_public_keys = {rig.pki.other_pin, rig.pki.server_pin};
        CHECK(rig.deliver(settings, an_hour_later).acknowledged == 2);
        rig.check_exactly_once();
    }
}

TEST_CASE("a collector that requires client certificates refuses a kiosk without one") {
    ScopedTempDir dir("kiosk-mtls-test");
    auto pki = make_test_pki(dir.path() / "pki");
    RunningCollector collector(pki, dir.path() / "collector", pki.client_ca.cert);
    auto token = collector.add_device("ward-7-kiosk");
    auto opened = outbox::Outbox::open(dir.path() / "outbox.sqlite");
    REQUIRE(opened.outbox);
    auto identifier = new_identifier();
    opened.outbox->append({identifier,
                           "urn:ward-feedback-kiosk:questionnaire:friends-and-family-test|1.0.0",
                           "2026-11-26T10:00:00Z", fft_response(identifier), 1});
    delivery::DeliverySettings settings;
    settings.transport.endpoint = "https://127.0.0.1:" + std::to_string(collector.port()) + "/fhir";
    settings.transport.ca_file = pki.ca.cert;
    settings.transport.bearer_token = token;
    settings.transport.proxy = "";
    settings.transport.total_timeout = std::chrono::seconds(5);
    auto run = [&](std::int64_t now) {
        auto transport = delivery::CurlTransport::create(settings.transport);
        REQUIRE(std::holds_alternative<delivery::CurlTransport>(transport));
        delivery::Delivery pass(*opened.outbox, std::get<delivery::CurlTransport>(transport),
                                settings, [](delivery::LogLevel, const std::string&) {});
        std::atomic<bool> stop{false};
        return pass.deliver_due(stop, [now] { return now; });
    };
    CHECK(run(t0).failed);
    CHECK(collector.stored_identifiers().empty());
    settings.transport.client_certificate = pki.client.cert;
    settings.transport.client_key = pki.client.key;
    CHECK(run(an_hour_later).acknowledged == 1);
    CHECK(collector.stored_identifiers() == std::multiset<std::string>{identifier});
}

TEST_CASE("a proxy from the settings is used, with and without proxy authentication") {
    bool with_credentials = GENERATE(false, true);
    SyncRig rig;
    rig.enqueue(2);
    std::optional<ProxyCredentials> required;
    if (with_credentials) {
        required = ProxyCredentials{"kiosk", "s3cret"};
    }
    ConnectProxy proxy(required);
    auto settings = rig.settings_for(rig.collector.port());
    settings.transport.proxy = with_credentials
                                   ? "http://kiosk:wrong@127.0.0.1:" + std::to_string(proxy.port())
                                   : proxy.url();
    if (with_credentials) {
        CHECK(rig.deliver(settings, t0).failed); // wrong proxy password: 407, nothing sent
        CHECK(rig.collector.stored_identifiers().empty());
        settings.transport.proxy = "http://kiosk:s3cret@127.0.0.1:" + std::to_string(proxy.port());
    }
    CHECK(rig.deliver(settings, an_hour_later).acknowledged == 2);
    CHECK(proxy.connects_served() >= 1);
    rig.check_exactly_once();
}

TEST_CASE("a proxy from the environment is used when the settings name none") {
    SyncRig rig;
    rig.enqueue(1);
    ConnectProxy proxy;
    auto settings = rig.settings_for(rig.collector.port());
    settings.transport.proxy.reset(); // from the environment
    ::setenv("https_proxy", proxy.url().c_str(), 1);
    ::unsetenv("no_proxy");
    ::unsetenv("NO_PROXY");
    auto result = rig.deliver(settings, t0);
    ::unsetenv("https_proxy");
    CHECK(result.acknowledged == 1);
    CHECK(proxy.connects_served() == 1);
    rig.check_exactly_once();
}

TEST_CASE("shutdown during an upload aborts it within 2 s and the rows go back to the queue") {
    SyncRig rig;
    rig.enqueue(3);
    FaultProxy proxy(rig.collector.port(), FaultMode::stall);
    auto settings = rig.settings_for(proxy.port());
    settings.transport.total_timeout = std::chrono::seconds(60);
    settings.transport.low_speed_time = std::chrono::seconds(60);
    auto transport = delivery::CurlTransport::create(settings.transport);
    REQUIRE(std::holds_alternative<delivery::CurlTransport>(transport));
    delivery::Delivery pass(*rig.outbox, std::get<delivery::CurlTransport>(transport), settings,
                            [](delivery::LogLevel, const std::string&) {});
    std::atomic<bool> stop{false};
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        stop.store(true);
    });
    auto started = std::chrono::steady_clock::now();
    pass.deliver_due(stop, delivery::unix_now_ms); // the worker below runs on the real clock
    auto took = std::chrono::steady_clock::now() - started;
    stopper.join();
    CHECK(took < std::chrono::milliseconds(2500));
    CHECK(rig.count(ResponseState::queued) == 3);
    CHECK(rig.count(ResponseState::sending) == 0);
    // A restart delivers what was queued without waiting for a new response.
    proxy.set_mode(FaultMode::pass);
    delivery::DeliveryWorker worker(rig.outbox->file(), settings,
                                    [](delivery::LogLevel, const std::string&) {});
    worker.start();
    for (int i = 0; i < 100 && rig.count(ResponseState::acknowledged) < 3; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    worker.stop();
    CHECK(rig.count(ResponseState::acknowledged) == 3);
    rig.check_exactly_once();
}

TEST_CASE("a new response is sent when the worker is woken, not at its next timer") {
    SyncRig rig;
    delivery::DeliveryWorker worker(rig.outbox->file(), rig.settings_for(rig.collector.port()),
                                    [](delivery::LogLevel, const std::string&) {});
    worker.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(200)); // idle: its timer is a minute
    rig.enqueue(1);
    worker.wake();
    // How fast is for make bench to show; here only that the wake, not the timer, sent it.
    auto woken = std::chrono::steady_clock::now();
    while (rig.collector.stored_identifiers().empty() &&
           std::chrono::steady_clock::now() - woken < std::chrono::seconds(30)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(rig.collector.stored_identifiers() == rig.enqueued);
    worker.stop();
    rig.check_exactly_once();
}

TEST_CASE("a reply larger than the cap is refused and the responses stay queued") {
    SyncRig rig;
    rig.enqueue(2);
    ScriptedEndpoint endpoint(rig.pki, rig.collector.port(), rig.pki.server);
    endpoint.push({200, std::string(3 * 1024 * 1024, ' '), "application/fhir+json", {}, false});
    auto settings = rig.settings_for(endpoint.port());
    settings.transport.reply_max_bytes = 1024 * 1024;
    auto result = rig.deliver(settings, t0);
    CHECK(result.failed);
    CHECK(result.problem.find("larger than") != std::string::npos);
    CHECK(rig.count(ResponseState::queued) == 2);
    CHECK(rig.deliver(settings, an_hour_later).acknowledged == 2);
    rig.check_exactly_once();
}

TEST_CASE("only one process delivers from an outbox at a time") {
    SyncRig rig;
    std::string problem;
    auto first = delivery::DeliveryLock::try_acquire(rig.outbox->file(), &problem);
    REQUIRE(first.has_value());
    auto second = delivery::DeliveryLock::try_acquire(rig.outbox->file(), &problem);
    CHECK_FALSE(second.has_value());
    CHECK(problem.find("another process is delivering") != std::string::npos);
    // A worker started while the lock is held waits, and sends once it is free.
    rig.enqueue(2);
    delivery::DeliveryWorker worker(rig.outbox->file(), rig.settings_for(rig.collector.port()),
                                    [](delivery::LogLevel, const std::string&) {});
    worker.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(rig.count(ResponseState::acknowledged) == 0);
    first.reset();
    for (int i = 0; i < 200 && rig.count(ResponseState::acknowledged) < 2; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(rig.count(ResponseState::acknowledged) == 2);
    auto started = std::chrono::steady_clock::now();
    worker.stop();
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
    rig.check_exactly_once();
}

TEST_CASE("a worker that cannot open its outbox keeps trying, logs it once, and then sends") {
    // Before the worker, so the VFS outlives the worker's connection.
    FaultyVfs disk("kiosk-delivery-unreadable");
    SyncRig rig;
    rig.enqueue(2);
    disk.fail(FaultyVfs::Operation::open, 1, FaultyVfs::Persistence::persistent);
    WorkerLog log;
    delivery::DeliveryWorkerOptions options;
    options.retry_interval = std::chrono::milliseconds(150);
    options.outbox_vfs = disk.name();
    delivery::DeliveryWorker worker(rig.outbox->file(), rig.settings_for(rig.collector.port()),
                                    log.sink(), options);
    worker.start();
    // Several attempts, each an open the disk refused: the worker did not give up after one.
    CHECK(wait_until([&] { return disk.faults_hit() >= 5; }, std::chrono::seconds(20)));
    {
        INFO("log:\n" << log.all());
        CHECK(log.count("delivery cannot open the outbox") == 1); // not once per attempt
        CHECK(log.count("every 150 ms") == 1);
        CHECK(log.count("opened the outbox") == 0);
        CHECK(rig.count(ResponseState::acknowledged) == 0);
        CHECK(rig.collector.stored_identifiers().empty());
    }

    disk.clear(); // the card reads again
    CHECK(wait_until([&] { return rig.count(ResponseState::acknowledged) == 2; },
                     std::chrono::seconds(30)));
    worker.stop();
    INFO("log:\n" << log.all());
    CHECK(rig.collector.stored_identifiers() == rig.enqueued);
    CHECK(log.count("delivery opened the outbox") == 1);
    CHECK(log.count("delivery cannot open the outbox") == 1);
    rig.check_exactly_once();
}

TEST_CASE("a worker waiting to try its outbox again stops at once") {
    FaultyVfs disk("kiosk-delivery-waiting");
    SyncRig rig;
    disk.fail(FaultyVfs::Operation::open, 1, FaultyVfs::Persistence::persistent);
    WorkerLog log;
    delivery::DeliveryWorkerOptions options; // the kiosk's interval: a minute
    options.outbox_vfs = disk.name();
    delivery::DeliveryWorker worker(rig.outbox->file(), rig.settings_for(rig.collector.port()),
                                    log.sink(), options);
    worker.start();
    REQUIRE(wait_until([&] { return log.count("delivery cannot open the outbox") == 1; },
                       std::chrono::seconds(20)));
    INFO("log:\n" << log.all());
    CHECK(log.count("every 60 s") == 1);
    auto attempts = disk.faults_hit();
    auto started = std::chrono::steady_clock::now();
    worker.stop();
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
    CHECK(disk.faults_hit() == attempts); // stopped in its wait, without another attempt
}

TEST_CASE("a worker waiting to try its outbox again tries at once for a new response or Send "
          "now") {
    FaultyVfs disk("kiosk-delivery-asked");
    SyncRig rig;
    rig.enqueue(2);
    disk.fail(FaultyVfs::Operation::open, 1, FaultyVfs::Persistence::persistent);
    WorkerLog log;
    delivery::DeliveryWorkerOptions options;
    options.retry_interval = std::chrono::hours(1); // far beyond the test's patience
    options.outbox_vfs = disk.name();
    delivery::DeliveryWorker worker(rig.outbox->file(), rig.settings_for(rig.collector.port()),
                                    log.sink(), options);
    worker.start();
    REQUIRE(wait_until([&] { return log.count("delivery cannot open the outbox") == 1; },
                       std::chrono::seconds(20)));
    const auto attempts = disk.faults_hit();

    SECTION("a patient's response wakes it") {
        // Still failing: one more attempt, not a storm, and the same problem is not logged again.
        worker.wake();
        CHECK(wait_until([&] { return disk.faults_hit() == attempts + 1; },
                         std::chrono::seconds(10)));
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        CHECK(disk.faults_hit() == attempts + 1);
        CHECK(log.count("delivery cannot open the outbox") == 1);

        disk.clear();
        worker.wake();
    }
    SECTION("staff press Send now") {
        disk.clear();
        worker.send_now();
    }
    CHECK(wait_until([&] { return rig.count(ResponseState::acknowledged) == 2; },
                     std::chrono::seconds(20)));
    worker.stop();
    INFO("log:\n" << log.all());
    CHECK(log.count("delivery opened the outbox") == 1);
    CHECK(rig.collector.stored_identifiers() == rig.enqueued);
    rig.check_exactly_once();
}

TEST_CASE("a whole-request 400 from a gateway never rejects responses") {
    SyncRig rig;
    rig.enqueue(6);
    ScriptedEndpoint endpoint(rig.pki, rig.collector.port(), rig.pki.server);
    endpoint.set_rule([](std::size_t) -> std::optional<ScriptedEndpoint::Reply> {
        return ScriptedEndpoint::Reply{
            400, R"({"resourceType":"OperationOutcome"})", "application/fhir+json", {}, false};
    });
    auto settings = rig.settings_for(endpoint.port());
    auto result = rig.deliver(settings, t0);
    CHECK(result.failed);
    CHECK(rig.count(ResponseState::rejected) == 0);
    CHECK(rig.count(ResponseState::queued) == 6);
    CHECK(endpoint.requests() < 10); // splits, then backs off: no request storm
    endpoint.set_rule({});
    CHECK(rig.deliver(settings, an_hour_later).acknowledged == 6);
    rig.check_exactly_once();
}

TEST_CASE("a token file others can read is refused") {
    ScopedTempDir dir("kiosk-token-test");
    auto file = dir.path() / "token";
    std::ofstream(file) << "secret-token\n";
    std::filesystem::permissions(file, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write |
                                           std::filesystem::perms::others_read);
    auto loose = delivery::read_token_file(file);
    REQUIRE(loose.index() == 1);
    CHECK(std::get<1>(loose).find("can be read by other users") != std::string::npos);
    std::filesystem::permissions(file, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
    auto tight = delivery::read_token_file(file);
    REQUIRE(tight.index() == 0);
    CHECK(std::get<0>(tight) == "secret-token");
}

TEST_CASE("a token file that is a link, missing, or not one line is refused, naming the file") {
    ScopedTempDir dir("kiosk-token-link-test");
    auto real = dir.path() / "real-token";
    std::ofstream(real) << "secret-token\n";
    std::filesystem::permissions(real, std::filesystem::perms::owner_read);
    auto link = dir.path() / "token";
    std::filesystem::create_symlink(real, link);
    auto linked = delivery::read_token_file(link);
    REQUIRE(linked.index() == 1);
    CHECK(std::get<1>(linked).find("symbolic link") != std::string::npos);
    CHECK(std::get<1>(linked).find(link.string()) != std::string::npos);

    auto missing = delivery::read_token_file(dir.path() / "no-such-token");
    REQUIRE(missing.index() == 1);
    CHECK(std::get<1>(missing).find("no-such-token") != std::string::npos);

    auto folder = delivery::read_token_file(dir.path());
    REQUIRE(folder.index() == 1);
    CHECK(std::get<1>(folder).find("not a plain file") != std::string::npos);

    auto two_lines = dir.path() / "two-lines";
    std::ofstream(two_lines) << "one\ntwo\n";
    std::filesystem::permissions(two_lines, std::filesystem::perms::owner_read);
    auto both = delivery::read_token_file(two_lines);
    REQUIRE(both.index() == 1);
    CHECK(std::get<1>(both).find("one token on one line") != std::string::npos);

    auto huge = dir.path() / "huge";
    std::ofstream(huge) << std::string(100000, 'a');
    std::filesystem::permissions(huge, std::filesystem::perms::owner_read);
    auto big = delivery::read_token_file(huge);
    REQUIRE(big.index() == 1);
    CHECK(std::get<1>(big).find("holds one line") != std::string::npos);
}

TEST_CASE("only https endpoints are accepted, and verification cannot be switched off") {
    delivery::TransportSettings settings;
    settings.endpoint = "http://127.0.0.1:8080/fhir";
    auto transport = delivery::CurlTransport::create(settings);
    REQUIRE(transport.index() == 1);
    CHECK(std::get<std::string>(transport).find("https") != std::string::npos);
}

TEST_CASE("IT's connection check reaches the endpoint with full verification and reports its "
          "certificate") {
    SyncRig rig;
    auto settings = rig.settings_for(rig.collector.port());
    std::atomic<bool> stop{false};
    {
        auto transport = delivery::CurlTransport::create(settings.transport);
        REQUIRE(std::holds_alternative<delivery::CurlTransport>(transport));
        auto check = std::get<delivery::CurlTransport>(transport).check_connection(stop);
        const auto* reply = std::get_if<delivery::HttpReply>(&check.result);
        REQUIRE(reply != nullptr);
        CHECK(reply->status == 200);
        CHECK(reply->body.find("CapabilityStatement") != std::string::npos);
        REQUIRE(check.server_certificate_expires);
        CHECK_FALSE(check.server_certificate_expires->empty());
    }
    SECTION("a server the kiosk must not trust is not reached") {
        ScriptedEndpoint endpoint(rig.pki, rig.collector.port(), rig.pki.unknown_ca_server);
        auto untrusted = rig.settings_for(endpoint.port());
        auto transport = delivery::CurlTransport::create(untrusted.transport);
        REQUIRE(std::holds_alternative<delivery::CurlTransport>(transport));
        auto check = std::get<delivery::CurlTransport>(transport).check_connection(stop);
        const auto* failure = std::get_if<delivery::TransportFailure>(&check.result);
        REQUIRE(failure != nullptr);
        CHECK(failure->kind == delivery::TransportFailure::Kind::tls);
        CHECK(endpoint.requests() == 0);
    }
    SECTION("certificate files: expiry read, or a problem naming the file") {
        auto expiry = delivery::certificate_expiry(rig.pki.server.cert);
        REQUIRE(expiry.index() == 0);
        CHECK(std::get<0>(expiry).find(" UTC") != std::string::npos);
        auto expired = delivery::certificate_expiry(rig.pki.expired_server.cert);
        REQUIRE(expired.index() == 0);
        CHECK(std::get<0>(expired) < std::get<0>(expiry));
        auto missing = delivery::certificate_expiry(rig.dir.path() / "missing.pem");
        REQUIRE(missing.index() == 1);
        CHECK(std::get<1>(missing).find("missing.pem") != std::string::npos);
        auto not_pem = rig.dir.path() / "not.pem";
        std::ofstream(not_pem) << "hello\n";
        auto refused = delivery::certificate_expiry(not_pem);
        REQUIRE(refused.index() == 1);
        CHECK(std::get<1>(refused).find("no PEM certificate") != std::string::npos);
    }
}
