#pragma once
// A real delivery set-up on loopback for the sync tests: test-made certificates, the reference
// collector over HTTPS on 127.0.0.1, an outbox with responses in it, and the real delivery
// client (libcurl) pointed at the collector, directly or through a fault proxy or a scripted
// endpoint. Every case ends by comparing what the collector stored with what was enqueued.

#include "collector/server.hpp"
#include "collector/store.hpp"
#include "delivery/delivery.hpp"
#include "outbox/outbox.hpp"
#include "support/test_pki.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace kiosk::testing {

// A QuestionnaireResponse to the shipped Friends and Family Test; `valid = false` answers with
// a code that is not an option, so the collector refuses that entry.
std::string fft_response(const std::string& identifier, bool valid = true);
std::string new_identifier();

class RunningCollector {
public:
    RunningCollector(const TestPki& pki, const std::filesystem::path& dir,
                     std::optional<std::filesystem::path> client_ca = std::nullopt);
    ~RunningCollector();
    std::uint16_t port() const { return port_; }
    std::string add_device(const std::string& device_id); // returns its token
    std::multiset<std::string> stored_identifiers();

private:
    std::filesystem::path database_;
    std::unique_ptr<collector::Server> server_;
    std::thread thread_;
    std::uint16_t port_ = 0;
};

// An HTTPS endpoint on loopback that answers from a script of canned replies, and otherwise
// forwards to the collector, so storage stays real.
class ScriptedEndpoint {
public:
    struct Reply {
        int status = 200;
        std::string body;
        std::string content_type = "application/fhir+json";
        std::vector<std::pair<std::string, std::string>> headers;
        // When set, the request is also forwarded to the collector first (so it commits) and
        // the collector's reply is thrown away in favour of this one.
        bool forward_first = false;
    };
    ScriptedEndpoint(const TestPki& pki, std::uint16_t collector_port,
                     const CertAndKey& server_cert);
    ~ScriptedEndpoint();
    std::uint16_t port() const { return port_; }
    void push(Reply reply);
    // Decides per request: a reply to send instead of forwarding (entries = batch size).
    void set_rule(std::function<std::optional<Reply>(std::size_t entries)> rule);
    std::size_t requests() const { return requests_.load(); }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> requests_{0};
};

struct SyncRig {
    ScopedTempDir dir{"kiosk-sync-test"};
    TestPki pki = make_test_pki(dir.path() / "pki");
    RunningCollector collector{pki, dir.path() / "collector"};
    std::string token = collector.add_device("ward-7-kiosk");
    std::optional<outbox::Outbox> outbox;
    std::multiset<std::string> enqueued;

    SyncRig();
    // Appends `count` responses (the first `invalid` of them refused by the collector).
    std::vector<std::string> enqueue(int count, int invalid = 0);
    delivery::DeliverySettings settings_for(std::uint16_t port) const;
    // One delivery pass at `now_ms` with a fresh transport, as the kiosk's worker would do.
    delivery::PassResult deliver(const delivery::DeliverySettings& settings, std::int64_t now_ms,
                                 std::vector<std::string>* log = nullptr);
    std::int64_t count(outbox::ResponseState state);
    // None missing, none twice, and every acknowledged row is at the collector.
    void check_exactly_once();
};

} // namespace kiosk::testing
