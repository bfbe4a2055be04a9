#include "sync/sync_rig.hpp"

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <httplib.h>

#include "support/loopback.hpp"

#include <catch2/catch.hpp>

#include <random>

namespace kiosk::testing {

std::string new_identifier() {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    char text[64];
    std::uint64_t a = random(), b = random();
    std::snprintf(text, sizeof text, "urn:uuid:%08x-%04x-4%03x-a%03x-%012llx",
                  static_cast<unsigned>(a >> 32), static_cast<unsigned>(a >> 16) & 0xFFFF,
                  static_cast<unsigned>(a) & 0xFFF, static_cast<unsigned>(b >> 52) & 0xFFF,
                  static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
    return text;
}

std::string fft_response(const std::string& identifier, bool valid) {
    return std::string(R"({"resourceType":"QuestionnaireResponse","identifier":{"system":)") +
           R"("urn:ietf:rfc:3986","value":")" + identifier +
           R"("},"questionnaire":"urn:ward-feedback-kiosk:questionnaire:friends-and-family-test|1.0.0",)" +
           R"("status":"completed","authored":"2026-11-26T10:00:00Z","language":"en",)" +
           R"("item":[{"linkId":"fft-rating","answer":[{"valueCoding":{"system":)" +
           R"("urn:ward-feedback-kiosk:codesystem:fft-response","code":")" +
           (valid ? "1" : "not-an-option") + R"(","display":"Very good"}}]}]})";
}

// ------------------------------------------------------------------ collector

RunningCollector::RunningCollector(const TestPki& pki, const std::filesystem::path& dir,
                                   std::optional<std::filesystem::path> client_ca) {
    ignore_sigpipe(); // a client hanging up mid-reply must not kill the test's server thread
    std::filesystem::create_directories(dir);
    database_ = dir / "collector.sqlite";
    collector::Config config;
    config.listen_address = "127.0.0.1";
    config.port = 0;
    config.base_path = "/fhir";
    config.certificate = pki.server.cert;
    config.private_key = pki.server.key;
    config.client_ca = client_ca;
    config.database = database_;
    for (const char* name : {"friends-and-family-test", "cancer-outpatients", "children"}) {
        config.questionnaires.push_back(std::filesystem::path(KIOSK_SOURCE_DIR) / "config" /
                                        "questionnaires" / (std::string(name) + ".json"));
    }
    auto registry = collector::Registry::load(config.questionnaires);
    REQUIRE(std::holds_alternative<collector::Registry>(registry));
    auto created = collector::Server::create(config, std::get<collector::Registry>(registry),
                                             [](std::string_view) {});
    if (auto* error = std::get_if<collector::Error>(&created)) {
        FAIL("collector: " << error->message);
    }
    server_ = std::move(std::get<std::unique_ptr<collector::Server>>(created));
    auto bound = server_->bind();
    if (auto* error = std::get_if<collector::Error>(&bound)) {
        FAIL("collector bind: " << error->message);
    }
    port_ = static_cast<std::uint16_t>(std::get<int>(bound));
    thread_ = std::thread([this] { server_->run(); });
}

RunningCollector::~RunningCollector() {
    server_->stop();
    thread_.join();
}

std::string RunningCollector::add_device(const std::string& device_id) {
    auto db = collector::open_store(database_);
    REQUIRE(std::holds_alternative<outbox::Database>(db));
    std::string token = "test-token-" + device_id + "-" + new_identifier().substr(9);
    auto error = collector::add_device(std::get<outbox::Database>(db), device_id, token,
                                       "2026-11-26T10:00:00Z");
    REQUIRE_FALSE(error.has_value());
    return token;
}

std::multiset<std::string> RunningCollector::stored_identifiers() {
    auto db = collector::open_store(database_);
    REQUIRE(std::holds_alternative<outbox::Database>(db));
    std::multiset<std::string> out;
    auto error = collector::for_each_response(std::get<outbox::Database>(db),
                                              [&](const collector::StoredResponse& stored) {
                                                  out.insert(stored.identifier_value);
                                                  return true;
                                              });
    REQUIRE_FALSE(error.has_value());
    return out;
}

// ------------------------------------------------------------------ scripted endpoint

struct ScriptedEndpoint::Impl {
    httplib::SSLServer server;
    std::thread thread;
    std::mutex mutex;
    std::deque<Reply> script;
    std::function<std::optional<Reply>(std::size_t)> rule;
    std::string ca;
    std::uint16_t collector_port;

    Impl(const CertAndKey& cert, std::string ca_file, std::uint16_t collector)
        : server(cert.cert.c_str(), cert.key.c_str()), ca(std::move(ca_file)),
          collector_port(collector) {}
};

ScriptedEndpoint::ScriptedEndpoint(const TestPki& pki, std::uint16_t collector_port,
                                   const CertAndKey& server_cert)
    : impl_(std::make_unique<Impl>(server_cert, pki.ca.cert.string(), collector_port)) {
    impl_->server.Post("/fhir", [this](const httplib::Request& request,
                                       httplib::Response& response) {
        ++requests_;
        std::optional<Reply> canned;
        {
            std::lock_guard lock(impl_->mutex);
            if (!impl_->script.empty()) {
                canned = impl_->script.front();
                impl_->script.pop_front();
            } else if (impl_->rule) {
                auto body = nlohmann::json::parse(request.body, nullptr, false);
                std::size_t entries =
                    body.is_object() && body.contains("entry") ? body["entry"].size() : 0;
                canned = impl_->rule(entries);
            }
        }
        if (!canned || canned->forward_first) {
            httplib::SSLClient client("127.0.0.1", impl_->collector_port);
            client.set_ca_cert_path(impl_->ca.c_str());
            client.enable_server_certificate_verification(true);
            httplib::Headers headers{{"Authorization", request.get_header_value("Authorization")}};
            auto forwarded = client.Post("/fhir", headers, request.body, "application/fhir+json");
            if (!canned) {
                response.status = forwarded ? forwarded->status : 502;
                response.set_content(forwarded ? forwarded->body : "", "application/fhir+json");
                return;
            }
        }
        response.status = canned->status;
        for (const auto& [name, value] : canned->headers) {
            response.set_header(name, value);
        }
        response.set_content(canned->body, canned->content_type.c_str());
    });
    int port = impl_->server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    port_ = static_cast<std::uint16_t>(port);
    impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
    for (int i = 0; i < 200 && !impl_->server.is_running(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

ScriptedEndpoint::~ScriptedEndpoint() {
    impl_->server.stop();
    impl_->thread.join();
}

void ScriptedEndpoint::push(Reply reply) {
    std::lock_guard lock(impl_->mutex);
    impl_->script.push_back(std::move(reply));
}

void ScriptedEndpoint::set_rule(std::function<std::optional<Reply>(std::size_t)> rule) {
    std::lock_guard lock(impl_->mutex);
    impl_->rule = std::move(rule);
}

// ------------------------------------------------------------------ rig

SyncRig::SyncRig() {
    auto opened = outbox::Outbox::open(dir.path() / "kiosk" / "outbox.sqlite");
    REQUIRE(opened.outbox);
    outbox.emplace(std::move(*opened.outbox));
}

std::vector<std::string> SyncRig::enqueue(int count, int invalid) {
    std::vector<std::string> identifiers;
    for (int i = 0; i < count; ++i) {
        auto identifier = new_identifier();
        auto result =
            outbox->append({identifier,
                            "urn:ward-feedback-kiosk:questionnaire:"
                            "friends-and-family-test|1.0.0",
                            "2026-11-26T10:00:00Z", fft_response(identifier, i >= invalid),
                            1'700'000'000'000 + i});
        REQUIRE(result.status == outbox::AppendResult::Status::stored);
        enqueued.insert(identifier);
        identifiers.push_back(identifier);
    }
    return identifiers;
}

delivery::DeliverySettings SyncRig::settings_for(std::uint16_t port) const {
    delivery::DeliverySettings settings;
    settings.transport.endpoint = "https://127.0.0.1:" + std::to_string(port) + "/fhir";
    settings.transport.ca_file = pki.ca.cert;
    settings.transport.bearer_token = token;
    settings.transport.proxy = ""; // tests never go through a proxy unless they say so
    settings.transport.connect_timeout = std::chrono::seconds(2);
    settings.transport.total_timeout = std::chrono::seconds(5);
    settings.transport.low_speed_time = std::chrono::seconds(2);
    settings.retry_base = std::chrono::seconds(1);
    settings.retry_cap = std::chrono::seconds(60);
    return settings;
}

delivery::PassResult SyncRig::deliver(const delivery::DeliverySettings& settings,
                                      std::int64_t now_ms, std::vector<std::string>* log) {
    auto transport = delivery::CurlTransport::create(settings.transport);
    REQUIRE(std::holds_alternative<delivery::CurlTransport>(transport));
    outbox->recover_interrupted();
    delivery::Delivery delivery(*outbox, std::get<delivery::CurlTransport>(transport), settings,
                                [log](delivery::LogLevel, const std::string& line) {
                                    if (log != nullptr) {
                                        log->push_back(line);
                                    }
                                });
    std::atomic<bool> stop{false};
    return delivery.deliver_due(stop, [now_ms] { return now_ms; });
}

std::int64_t SyncRig::count(outbox::ResponseState state) {
    auto counted = outbox->count(state);
    REQUIRE_FALSE(counted.error);
    return counted.count;
}

void SyncRig::check_exactly_once() {
    auto stored = collector.stored_identifiers();
    for (const auto& identifier : stored) {
        INFO(identifier);
        CHECK(stored.count(identifier) == 1);   // none twice
        CHECK(enqueued.count(identifier) == 1); // nothing the kiosk did not send
    }
    auto acknowledged = outbox->list(outbox::ResponseState::acknowledged, 1'000'000);
    REQUIRE_FALSE(acknowledged.error);
    for (const auto& row : acknowledged.responses) {
        INFO(row.identifier);
        CHECK(stored.count(row.identifier) == 1); // acknowledged means the server has it
    }
    // Nothing lost: every enqueued response is still in the outbox, in some state.
    auto all = outbox->list(std::nullopt, 1'000'000);
    REQUIRE_FALSE(all.error);
    CHECK(all.responses.size() == enqueued.size());
}

} // namespace kiosk::testing
