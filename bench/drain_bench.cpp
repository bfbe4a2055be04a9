// make bench: drains a large backlog of queued responses to the local collector over HTTPS
// (127.0.0.1) and prints responses per second and the delivering process's memory as it goes.
// usage: drain_bench [COUNT]   (default 100000)

#include "collector/server.hpp"
#include "collector/store.hpp"
#include "delivery/delivery.hpp"
#include "outbox/outbox.hpp"
#include "support/test_pki.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

namespace {

using namespace kiosk;

long resident_kib(const char* field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field, 0) == 0) {
            return std::stol(line.substr(std::string(field).size()));
        }
    }
    return -1;
}

std::string response(const std::string& identifier) {
    return R"({"resourceType":"QuestionnaireResponse","identifier":{"system":"urn:ietf:rfc:3986","value":")" +
           identifier +
           R"("},"questionnaire":"urn:ward-feedback-kiosk:questionnaire:friends-and-family-test|1.0.0","status":"completed","authored":"2026-11-26T10:00:00Z","language":"en","item":[{"linkId":"fft-rating","answer":[{"valueCoding":{"system":"urn:ward-feedback-kiosk:codesystem:fft-response","code":"2","display":"Good"}}]},{"linkId":"fft-why","answer":[{"valueString":"The staff were kind and the wait was short."}]}]})";
}

} // namespace

int main(int argc, char** argv) {
    const long count = argc > 1 ? std::stol(argv[1]) : 100000;
    testing::ScopedTempDir dir("kiosk-drain-bench");
    auto pki = testing::make_test_pki(dir.path() / "pki");

    // The backlog, written straight into the outbox's table in one transaction: filling it
    // through append() would take one disk sync per response and measure the wrong thing.
    auto outbox_file = dir.path() / "kiosk" / "outbox.sqlite";
    {
        auto opened = outbox::Outbox::open(outbox_file);
        if (!opened.outbox) {
            std::fprintf(stderr, "%s\n", opened.error->describe().c_str());
            return 1;
        }
    }
    sqlite3* raw = nullptr;
    sqlite3_open(outbox_file.c_str(), &raw);
    sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(raw,
                       "INSERT INTO responses (identifier, questionnaire, authored, payload, "
                       "created_at) VALUES (?1, 'urn:ward-feedback-kiosk:questionnaire:"
                       "friends-and-family-test|1.0.0', '2026-11-26T10:00:00Z', ?2, ?3)",
                       -1, &insert, nullptr);
    for (long i = 0; i < count; ++i) {
        char identifier[64];
        std::snprintf(identifier, sizeof identifier, "urn:uuid:00000000-0000-4000-8000-%012ld", i);
        std::string payload = response(identifier);
        sqlite3_bind_text(insert, 1, identifier, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, payload.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 3, 1'700'000'000'000 + i);
        sqlite3_step(insert);
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(raw);

    collector::Config config;
    config.port = 0;
    config.certificate = pki.server.cert;
    config.private_key = pki.server.key;
    config.database = dir.path() / "collector" / "collector.sqlite";
    std::filesystem::create_directories(config.database.parent_path());
    config.questionnaires = {std::filesystem::path(KIOSK_SOURCE_DIR) /
                             "config/questionnaires/friends-and-family-test.json"};
    config.max_request_bytes = 1024 * 1024;
    auto registry = collector::Registry::load(config.questionnaires);
    auto created = collector::Server::create(config, std::get<collector::Registry>(registry),
                                             [](std::string_view) {});
    if (auto* error = std::get_if<collector::Error>(&created)) {
        std::fprintf(stderr, "collector: %s\n", error->message.c_str());
        return 1;
    }
    auto& server = *std::get<std::unique_ptr<collector::Server>>(created);
    int port = std::get<int>(server.bind());
    {
        auto store = collector::open_store(config.database);
        collector::add_device(std::get<outbox::Database>(store), "bench-kiosk", "bench-token",
                              "2026-11-26T10:00:00Z");
    }
    std::thread serving([&] { server.run(); });

    delivery::DeliverySettings settings;
    settings.transport.endpoint = "https://127.0.0.1:" + std::to_string(port) + "/fhir";
    settings.transport.ca_file = pki.ca.cert;
    settings.transport.bearer_token = "bench-token";
    settings.transport.proxy = "";
    auto transport = delivery::CurlTransport::create(settings.transport);
    auto opened = outbox::Outbox::open(outbox_file, outbox::OutboxOptions::for_delivery());
    delivery::Delivery delivery(*opened.outbox, std::get<delivery::CurlTransport>(transport),
                                settings, [](delivery::LogLevel, const std::string&) {});
    std::atomic<bool> stop{false};
    long before = resident_kib("VmRSS:");
    auto started = std::chrono::steady_clock::now();
    long delivered = 0;
    long next_report = count / 5;
    while (delivered < count) {
        // Passes of ~5,000 so memory can be sampled as the queue drains.
        auto result = delivery.deliver_due(stop, delivery::unix_now_ms);
        delivered += result.acknowledged;
        if (result.failed || result.acknowledged == 0) {
            std::fprintf(stderr, "delivery stopped: %s\n", result.problem.c_str());
            break;
        }
        if (delivered >= next_report) {
            std::printf("  %ld delivered, rss %ld KiB\n", delivered, resident_kib("VmRSS:"));
            next_report += count / 5;
        }
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("drain_responses %ld seconds %.1f responses_per_s %.0f\n", delivered, seconds,
                delivered / seconds);
    std::printf("rss_before_kib %ld rss_after_kib %ld peak_kib %ld (kiosk worker and collector "
                "in one process)\n",
                before, resident_kib("VmRSS:"), resident_kib("VmHWM:"));
    auto store = collector::open_store(config.database);
    auto stored_count = [&] {
        return std::get<std::int64_t>(
            collector::count_responses(std::get<outbox::Database>(store)));
    };
    const auto stored = stored_count();
    std::printf("collector_stored %lld\n", static_cast<long long>(stored));

    // Submit to on the server: the worker, woken as the kiosk wakes it after each save.
    delivery::DeliveryWorker worker(outbox_file, settings,
                                    [](delivery::LogLevel, const std::string&) {});
    worker.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::vector<double> latencies;
    for (int i = 0; i < 20; ++i) {
        char identifier[64];
        std::snprintf(identifier, sizeof identifier, "urn:uuid:00000000-0000-4000-9000-%012d", i);
        auto submitted = std::chrono::steady_clock::now();
        opened.outbox->append(
            {identifier, "urn:ward-feedback-kiosk:questionnaire:friends-and-family-test|1.0.0",
             "2026-11-26T10:00:00Z", response(identifier), 0});
        worker.wake();
        const auto want = stored + i + 1;
        while (stored_count() < want &&
               std::chrono::steady_clock::now() - submitted < std::chrono::seconds(10)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        latencies.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - submitted)
                .count());
    }
    worker.stop();
    std::sort(latencies.begin(), latencies.end());
    std::printf("submit_to_server_ms median %.0f max %.0f (20 responses; target < 2000)\n",
                latencies[latencies.size() / 2], latencies.back());
    server.stop();
    serving.join();
    return delivered == count && stored == count ? 0 : 1;
}
