// kiosk-collector, tested as the kiosk meets it: a real HTTPS server on 127.0.0.1 in this process,
// certificates made at test time, and httplib's SSLClient with certificate verification on.

#include "collector/batch.hpp"
#include "collector/cli.hpp"
#include "collector/config.hpp"
#include "collector/csv_export.hpp"
#include "collector/registry.hpp"
#include "collector/server.hpp"
#include "collector/store.hpp"
#include "collector_test_certs.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace kiosk::collector;
using kiosk::collector::testing::make_test_pki;
using kiosk::collector::testing::TestPki;

const std::string kFft = "urn:ward-feedback-kiosk:questionnaire:friends-and-family-test|1.0.0";
const std::string kCancer = "urn:ward-feedback-kiosk:questionnaire:cancer-outpatients|1.0.0";
const std::string kFftSystem = "urn:ward-feedback-kiosk:codesystem:fft-response";
const std::string kFftQuestion = "Overall, how was your experience of our service?";

// ---- test data -------------------------------------------------------------------------------

std::string uuid(int n) {
    std::string digits = std::to_string(n);
    return "urn:uuid:00000000-0000-4000-8000-" + std::string(12 - digits.size(), '0') + digits;
}

json fft_response(const std::string& identifier, const std::string& code,
                  const std::optional<std::string>& why = std::nullopt,
                  const std::optional<std::string>& better = std::nullopt) {
    json items = json::array();
    items.push_back(
        {{"linkId", "fft-rating"},
         {"text", kFftQuestion},
         {"answer", json::array({{{"valueCoding",
                                   {{"system", kFftSystem},
                                    {"code", code},
                                    {"display", code == "1" ? "Very good" : "Good"}}}}})}});
    // No "text" here: the export takes the question from the registered Questionnaire.
    if (why) {
        items.push_back(
            {{"linkId", "fft-why"}, {"answer", json::array({{{"valueString", *why}}})}});
    }
    if (better) {
        items.push_back(
            {{"linkId", "fft-better"}, {"answer", json::array({{{"valueString", *better}}})}});
    }
    return {{"resourceType", "QuestionnaireResponse"},
            {"identifier", {{"system", "urn:ietf:rfc:3986"}, {"value", identifier}}},
            {"questionnaire", kFft},
            {"status", "completed"},
            {"authored", "2024-05-01T10:00:00Z"},
            {"item", items}};
}

json cancer_response(const std::string& identifier, const json& overall_answer,
                     const json& parked_answer) {
    return {{"resourceType", "QuestionnaireResponse"},
            {"identifier", {{"system", "urn:ietf:rfc:3986"}, {"value", identifier}}},
            {"questionnaire", kCancer},
            {"status", "completed"},
            {"authored", "2024-05-02T11:30:00Z"},
            {"item",
             json::array({{{"linkId", "todays-visit"},
                           {"text", "Today's visit"},
                           {"item", json::array({{{"linkId", "parked"},
                                                  {"text", "Did you park at the hospital today?"},
                                                  {"answer", json::array({parked_answer})}}})}},
                          {{"linkId", "overall-care"},
                           {"text", "Overall rating"},
                           {"answer", json::array({overall_answer})}}})}};
}

json good_cancer_response(const std::string& identifier) {
    return cancer_response(identifier, {{"valueInteger", 8}}, {{"valueBoolean", true}});
}

json entry_for(const json& resource) {
    const std::string value = resource["identifier"]["value"];
    return {{"request",
             {{"method", "POST"},
              {"url", "QuestionnaireResponse"},
              {"ifNoneExist", "identifier=urn:ietf:rfc:3986|" + value}}},
            {"resource", resource}};
}

// The same JSON with every object's keys in the opposite order.
nlohmann::ordered_json reversed_keys(const json& value) {
    if (value.is_object()) {
        nlohmann::ordered_json out = nlohmann::ordered_json::object();
        for (auto it = value.rbegin(); it != value.rend(); ++it) {
            out[it.key()] = reversed_keys(it.value());
        }
        return out;
    }
    if (value.is_array()) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const auto& item : value) {
            out.push_back(reversed_keys(item));
        }
        return out;
    }
    return nlohmann::ordered_json(value);
}

json batch_of(const std::vector<json>& entries) {
    return {{"resourceType", "Bundle"}, {"type", "batch"}, {"entry", entries}};
}

// ---- environment -----------------------------------------------------------------------------

fs::path source_dir() {
    const char* from_environment = std::getenv("KIOSK_SOURCE_DIR");
    return from_environment != nullptr ? fs::path(from_environment) : fs::path(KIOSK_SOURCE_DIR);
}

std::vector<fs::path> shipped_questionnaires() {
    const fs::path dir = source_dir() / "config" / "questionnaires";
    return {dir / "friends-and-family-test.json", dir / "cancer-outpatients.json",
            dir / "children.json"};
}

class TempDir {
public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/collector-XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void write_file(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string toml_string(const fs::path& path) {
    return json(path.string()).dump(); // a JSON string is a valid TOML basic string here
}

struct Options {
    bool client_certificates = false;
    std::size_t max_request_bytes = 0; // 0: the default
    int port = 0;
};

// Writes collector.toml for `dir` and returns its path.
fs::path write_config(const fs::path& dir, const TestPki& pki, const Options& options) {
    std::string text =
        "[server]\nlisten_address = \"127.0.0.1\"\nport = " + std::to_string(options.port) +
        "\nbase_path = \"/fhir/\"\n";
    if (options.max_request_bytes != 0) {
        text += "max_request_bytes = " + std::to_string(options.max_request_bytes) + "\n";
    }
    // Relative paths: they are taken from the configuration file's folder.
    text += "\n[tls]\ncertificate = \"" + pki.server_cert.filename().string() +
            "\"\nprivate_key = \"" + pki.server_key.filename().string() + "\"\n";
    if (options.client_certificates) {
        text += "client_ca = \"" + pki.client_ca_cert.filename().string() + "\"\n";
    }
    text += "\n[storage]\ndatabase = \"collector.sqlite\"\n\n[questionnaires]\nfiles = [";
    for (const auto& file : shipped_questionnaires()) {
        text += toml_string(file) + ", ";
    }
    text += "]\n";
    const fs::path file = dir / "collector.toml";
    write_file(file, text);
    return file;
}

// Runs the command line in-process; returns {exit status, stdout, stderr}.
struct CommandResult {
    int status = -1;
    std::string out;
    std::string err;
};

CommandResult run(const std::vector<std::string>& args) {
    std::ostringstream out;
    std::ostringstream err;
    CommandResult result;
    result.status = run_command_line(args, out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
}

// Registers a device through the command line, as IT would, and returns its token.
std::string add_device_token(const fs::path& config, const std::string& device) {
    auto result = run({"add-device", "--config", config.string(), device});
    REQUIRE(result.status == 0);
    REQUIRE(result.out.size() == 65); // 64 hex digits and a newline
    return result.out.substr(0, 64);
}

kiosk::outbox::Database open_db(const fs::path& file) {
    auto db = open_store(file);
    REQUIRE(std::holds_alternative<kiosk::outbox::Database>(db));
    return std::get<kiosk::outbox::Database>(std::move(db));
}

// A collector serving on a free loopback port for the length of one test.
class RunningCollector {
public:
    explicit RunningCollector(Options options = {}) : pki_(make_test_pki(dir_.path())) {
        config_file_ = write_config(dir_.path(), pki_, options);
        auto config = load_config(config_file_);
        if (auto* error = std::get_if<Error>(&config)) {
            FAIL(error->message);
        }
        config_ = std::get<Config>(config);
        token_ = add_device_token(config_file_, "ward-3");

        auto registry = Registry::load(config_.questionnaires);
        if (auto* error = std::get_if<Error>(&registry)) {
            FAIL(error->message);
        }
        auto created = Server::create(config_, std::get<Registry>(std::move(registry)),
                                      [this](std::string_view line) {
                                          std::lock_guard<std::mutex> lock(log_mutex_);
                                          log_.emplace_back(line);
                                      });
        if (auto* error = std::get_if<Error>(&created)) {
            FAIL(error->message);
        }
        server_ = std::get<std::unique_ptr<Server>>(std::move(created));
        auto port = server_->bind();
        if (auto* error = std::get_if<Error>(&port)) {
            FAIL(error->message);
        }
        port_ = std::get<int>(port);
        thread_ = std::thread([this] { server_->run(); });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!server_->running() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        if (!server_->running()) {
            server_->stop();
            thread_.join();
            FAIL("the collector did not start");
        }
    }

    RunningCollector(const RunningCollector&) = delete;
    RunningCollector& operator=(const RunningCollector&) = delete;

    ~RunningCollector() {
        server_->stop();
        thread_.join();
    }

    // A client that verifies the server against the test CA, as a kiosk does.
    std::unique_ptr<httplib::SSLClient> client(const fs::path& cert = {},
                                               const fs::path& key = {}) const {
        auto client = cert.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", port_)
                                   : std::make_unique<httplib::SSLClient>(
                                         "127.0.0.1", port_, cert.string(), key.string());
        client->set_ca_cert_path(pki_.ca_cert.string());
        client->enable_server_certificate_verification(true);
        client->set_connection_timeout(5);
        client->set_read_timeout(10);
        client->set_write_timeout(10);
        return client;
    }

    httplib::Result post(const std::string& body, const std::string& token,
                         const std::string& content_type = "application/fhir+json") const {
        httplib::Headers headers;
        if (!token.empty()) {
            headers.emplace("Authorization", "Bearer " + token);
        }
        return client()->Post("/fhir", headers, body, content_type.c_str());
    }

    httplib::Result post(const json& bundle) const { return post(bundle.dump(), token_); }

    std::int64_t stored() const {
        auto db = open_db(config_.database);
        auto count = count_responses(db);
        REQUIRE(std::holds_alternative<std::int64_t>(count));
        return std::get<std::int64_t>(count);
    }

    std::vector<StoredResponse> all_stored() const {
        auto db = open_db(config_.database);
        std::vector<StoredResponse> rows;
        auto error = for_each_response(db, [&](const StoredResponse& row) {
            rows.push_back(row);
            return true;
        });
        REQUIRE_FALSE(error);
        return rows;
    }

    std::vector<std::string> log() const {
        std::lock_guard<std::mutex> lock(log_mutex_);
        return log_;
    }

    bool log_contains(const std::string& text) const {
        for (const auto& line : log()) {
            if (line.find(text) != std::string::npos) {
                return true;
            }
        }
        return false;
    }

    const TestPki& pki() const { return pki_; }
    const Config& config() const { return config_; }
    const fs::path& config_file() const { return config_file_; }
    const fs::path& dir() const { return dir_.path(); }
    const std::string& token() const { return token_; }

private:
    TempDir dir_;
    TestPki pki_;
    fs::path config_file_;
    Config config_;
    std::string token_;
    std::unique_ptr<Server> server_;
    int port_ = 0;
    std::thread thread_;
    mutable std::mutex log_mutex_;
    std::vector<std::string> log_;
};

json body_of(const httplib::Result& result) {
    REQUIRE(result);
    const json body = json::parse(result->body, nullptr, false);
    REQUIRE_FALSE(body.is_discarded());
    return body;
}

std::vector<std::string> entry_statuses(const json& bundle) {
    REQUIRE(bundle["resourceType"] == "Bundle");
    REQUIRE(bundle["type"] == "batch-response");
    std::vector<std::string> statuses;
    for (const auto& entry : bundle["entry"]) {
        statuses.push_back(entry["response"]["status"]);
    }
    return statuses;
}

std::string first_diagnostics(const json& outcome) {
    REQUIRE(outcome["resourceType"] == "OperationOutcome");
    REQUIRE(outcome["issue"].size() >= 1);
    REQUIRE(outcome["issue"][0]["severity"] == "error");
    return outcome["issue"][0]["diagnostics"];
}

} // namespace

// ---- the server ------------------------------------------------------------------------------

TEST_CASE("metadata answers a CapabilityStatement for FHIR R4 batch and conditional create",
          "[collector]") {
    RunningCollector collector;
    auto result = collector.client()->Get("/fhir/metadata");
    REQUIRE(result);
    CHECK(result->status == 200);
    CHECK(result->get_header_value("Content-Type").rfind("application/fhir+json", 0) == 0);
    const json statement = body_of(result);
    CHECK(statement["resourceType"] == "CapabilityStatement");
    CHECK(statement["fhirVersion"] == "4.0.1");
    CHECK(statement["format"] == json::array({"json"}));
    const json& rest = statement["rest"][0];
    CHECK(rest["mode"] == "server");
    CHECK(rest["interaction"] == json::array({{{"code", "batch"}}}));
    const json& resource = rest["resource"][0];
    CHECK(resource["type"] == "QuestionnaireResponse");
    CHECK(resource["interaction"] ==
          json::array({{{"code", "create"}}, {{"code", "search-type"}}}));
    CHECK(resource["searchParam"][0]["name"] == "identifier");
    CHECK(resource["conditionalCreate"] == true);
}

TEST_CASE("requests without a known bearer token get 401 and store nothing", "[collector]") {
    RunningCollector collector;
    const std::string body = batch_of({entry_for(fft_response(uuid(1), "1"))}).dump();

    SECTION("no token") {
        auto result = collector.post(body, "");
        REQUIRE(result);
        CHECK(result->status == 401);
        CHECK(result->get_header_value("WWW-Authenticate").rfind("Bearer", 0) == 0);
        CHECK(first_diagnostics(body_of(result)) == "a bearer token is required");
    }
    SECTION("a wrong token") {
        auto result = collector.post(body, std::string(64, 'a'));
        REQUIRE(result);
        CHECK(result->status == 401);
        CHECK(first_diagnostics(body_of(result)) ==
              "the bearer token is not known to this collector");
    }
    SECTION("the right token with another scheme") {
        auto client = collector.client();
        auto result = client->Post("/fhir", {{"Authorization", "Basic " + collector.token()}}, body,
                                   "application/fhir+json");
        REQUIRE(result);
        CHECK(result->status == 401);
    }
    SECTION("search without a token") {
        auto result = collector.client()->Get("/fhir/QuestionnaireResponse?identifier=x");
        REQUIRE(result);
        CHECK(result->status == 401);
    }
    CHECK(collector.stored() == 0);
    CHECK(collector.log_contains(" 401 device=- "));
}

TEST_CASE("a good batch is stored once: 201 first, 200 on every retry, 409 on changed content",
          "[collector]") {
    RunningCollector collector;
    const json first = fft_response(uuid(1), "1", std::string("Kind staff"));
    const json second = good_cancer_response(uuid(2));
    const json third = fft_response(uuid(3), "2");
    const json batch = batch_of({entry_for(first), entry_for(second), entry_for(third)});

    const json reply = body_of(collector.post(batch));
    REQUIRE(entry_statuses(reply) ==
            std::vector<std::string>{"201 Created", "201 Created", "201 Created"});
    std::set<std::string> locations;
    for (const auto& entry : reply["entry"]) {
        const std::string location = entry["response"]["location"];
        CHECK(location.rfind("QuestionnaireResponse/", 0) == 0);
        CHECK(location.size() == std::string("QuestionnaireResponse/").size() + 32);
        locations.insert(location);
    }
    CHECK(locations.size() == 3);

    auto rows = collector.all_stored();
    REQUIRE(rows.size() == 3);
    for (const auto& row : rows) {
        CHECK(row.device_id == "ward-3");
        CHECK(row.identifier_system == "urn:ietf:rfc:3986");
        CHECK(row.received.size() == std::string("2024-05-01T10:00:00.000Z").size());
    }
    CHECK(rows[0].identifier_value == uuid(1));
    CHECK(rows[0].content == first.dump());
    CHECK(rows[1].questionnaire == kCancer);
    CHECK(rows[1].authored == "2024-05-02T11:30:00Z");

    SECTION("the same batch again answers 200 with the same locations and stores no copy") {
        const json again = body_of(collector.post(batch));
        REQUIRE(entry_statuses(again) == std::vector<std::string>{"200 OK", "200 OK", "200 OK"});
        for (std::size_t i = 0; i < 3; ++i) {
            CHECK(again["entry"][i]["response"]["location"] ==
                  reply["entry"][i]["response"]["location"]);
        }
        // Key order and spacing do not make content "different".
        const json reordered =
            body_of(collector.post(reversed_keys(batch).dump(2), collector.token()));
        CHECK(entry_statuses(reordered) == std::vector<std::string>{"200 OK", "200 OK", "200 OK"});
        CHECK(collector.stored() == 3);
    }

    SECTION("the same identifier with different content is a 409 and the original stays") {
        const json changed = fft_response(uuid(1), "2", std::string("Kind staff"));
        const json conflict = body_of(collector.post(batch_of({entry_for(changed)})));
        REQUIRE(entry_statuses(conflict) == std::vector<std::string>{"409 Conflict"});
        const json& outcome = conflict["entry"][0]["response"]["outcome"];
        CHECK(outcome["issue"][0]["code"] == "conflict");
        CHECK(first_diagnostics(outcome).find(uuid(1)) != std::string::npos);
        CHECK(collector.stored() == 3);
        CHECK(collector.all_stored()[0].content == first.dump());
    }
}

TEST_CASE("each invalid entry gets its own 4xx naming the element, the rest are stored",
          "[collector]") {
    RunningCollector collector;
    json unknown_link = fft_response(uuid(11), "1");
    unknown_link["item"].push_back(
        {{"linkId", "fft-nope"}, {"answer", json::array({{{"valueString", "hello"}}})}});
    const json batch = batch_of({
        entry_for(fft_response(uuid(10), "1")),
        entry_for(unknown_link),
        entry_for(fft_response(uuid(12), "x")),
        entry_for(cancer_response(uuid(13), {{"valueInteger", 11}}, {{"valueBoolean", false}})),
        entry_for(cancer_response(uuid(14), {{"valueInteger", 3}}, {{"valueString", "yes"}})),
        entry_for(good_cancer_response(uuid(15))),
    });
    const json reply = body_of(collector.post(batch));
    REQUIRE(entry_statuses(reply) ==
            std::vector<std::string>{"201 Created", "422 Unprocessable Entity",
                                     "422 Unprocessable Entity", "422 Unprocessable Entity",
                                     "422 Unprocessable Entity", "201 Created"});
    auto outcome = [&](int i) {
        return reply["entry"][i]["response"]["outcome"];
    };
    CHECK(first_diagnostics(outcome(1)) ==
          "item[1].linkId 'fft-nope' is not an item of Questionnaire " + kFft);
    CHECK(first_diagnostics(outcome(2)) ==
          "item[0].answer[0].valueCoding.code 'x' is not an option of 'fft-rating'");
    CHECK(outcome(2)["issue"][0]["expression"][0] ==
          "Bundle.entry[2].resource.item[0].answer[0].valueCoding.code");
    CHECK(first_diagnostics(outcome(3)) ==
          "item[1].answer[0].valueInteger 11 is above the maxValue 10 of 'overall-care'");
    CHECK(first_diagnostics(outcome(4)) ==
          "item[0].item[0].answer[0].valueString is the wrong type for 'parked', a boolean "
          "question (expected valueBoolean)");

    auto rows = collector.all_stored();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].identifier_value == uuid(10));
    CHECK(rows[1].identifier_value == uuid(15));
    // The log says how each entry ended, never what was answered.
    CHECK(collector.log_contains("entries=6 statuses=201x2,422x4"));
    CHECK_FALSE(collector.log_contains("fft-nope"));
    CHECK_FALSE(collector.log_contains("hello"));
}

TEST_CASE("entries must follow the kiosk protocol and name a registered questionnaire",
          "[collector]") {
    RunningCollector collector;
    json wrong_method = entry_for(fft_response(uuid(20), "1"));
    wrong_method["request"]["method"] = "PUT";
    json wrong_if_none_exist = entry_for(fft_response(uuid(21), "1"));
    wrong_if_none_exist["request"]["ifNoneExist"] = "identifier=urn:ietf:rfc:3986|" + uuid(99);
    json encoded_if_none_exist = entry_for(fft_response(uuid(22), "1"));
    encoded_if_none_exist["request"]["ifNoneExist"] =
        "identifier=urn%3Aietf%3Arfc%3A3986%7C" + uuid(22);
    json unknown_questionnaire = fft_response(uuid(23), "1");
    unknown_questionnaire["questionnaire"] = "urn:example:questionnaire|9";
    json in_progress = fft_response(uuid(24), "1");
    in_progress["status"] = "in-progress";
    json no_identifier = fft_response(uuid(25), "1");
    no_identifier.erase("identifier");
    json no_identifier_entry = entry_for(fft_response(uuid(25), "1"));
    no_identifier_entry["resource"] = no_identifier;

    const json reply = body_of(collector.post(batch_of({
        wrong_method,
        wrong_if_none_exist,
        encoded_if_none_exist,
        entry_for(unknown_questionnaire),
        entry_for(in_progress),
        no_identifier_entry,
    })));
    REQUIRE(entry_statuses(reply) ==
            std::vector<std::string>{"400 Bad Request", "400 Bad Request", "201 Created",
                                     "422 Unprocessable Entity", "422 Unprocessable Entity",
                                     "400 Bad Request"});
    auto diagnostics = [&](int i) {
        return first_diagnostics(reply["entry"][i]["response"]["outcome"]);
    };
    CHECK(diagnostics(0) == "request.method 'PUT' is not supported; use POST");
    CHECK(diagnostics(1).rfind("request.ifNoneExist", 0) == 0);
    CHECK(diagnostics(3) ==
          "questionnaire 'urn:example:questionnaire|9' is not registered at this collector");
    CHECK(diagnostics(4).rfind("status 'in-progress'", 0) == 0);
    CHECK(diagnostics(5).rfind("identifier is missing", 0) == 0);
    CHECK(collector.stored() == 1);
}

TEST_CASE("bodies that are not a JSON batch Bundle get 400, other media types 415", "[collector]") {
    RunningCollector collector;
    SECTION("not JSON") {
        auto result = collector.post("<html>captive portal</html>", collector.token());
        REQUIRE(result);
        CHECK(result->status == 400);
        CHECK(first_diagnostics(body_of(result)) == "the body is not valid JSON");
    }
    SECTION("a transaction, not a batch") {
        json bundle = batch_of({entry_for(fft_response(uuid(30), "1"))});
        bundle["type"] = "transaction";
        auto result = collector.post(bundle.dump(), collector.token());
        REQUIRE(result);
        CHECK(result->status == 400);
        CHECK(first_diagnostics(body_of(result)) ==
              "Bundle.type is 'transaction'; this endpoint takes a batch");
    }
    SECTION("a resource that is not a Bundle") {
        auto result = collector.post(fft_response(uuid(31), "1").dump(), collector.token());
        REQUIRE(result);
        CHECK(result->status == 400);
    }
    SECTION("JSON nested absurdly deep") {
        auto result =
            collector.post(std::string(5000, '[') + std::string(5000, ']'), collector.token());
        REQUIRE(result);
        CHECK(result->status == 400);
    }
    SECTION("plain application/json is accepted too") {
        auto result = collector.post(batch_of({entry_for(fft_response(uuid(32), "1"))}).dump(),
                                     collector.token(), "application/json; charset=utf-8");
        REQUIRE(result);
        CHECK(result->status == 200);
        CHECK(collector.stored() == 1);
    }
    SECTION("a form is refused") {
        auto result = collector.post(batch_of({entry_for(fft_response(uuid(33), "1"))}).dump(),
                                     collector.token(), "text/plain");
        REQUIRE(result);
        CHECK(result->status == 415);
        CHECK(collector.stored() == 0);
    }
}

TEST_CASE("a request over max_request_bytes gets 413 and stores nothing", "[collector]") {
    Options options;
    options.max_request_bytes = 4096;
    RunningCollector collector(options);
    const std::string small = batch_of({entry_for(fft_response(uuid(40), "1"))}).dump();
    REQUIRE(small.size() < 4096);
    const std::string large =
        batch_of({entry_for(fft_response(uuid(41), "1", std::string(5000, 'a')))}).dump();
    auto result = collector.post(large, collector.token());
    REQUIRE(result);
    CHECK(result->status == 413);
    const json outcome = body_of(result);
    CHECK(outcome["issue"][0]["code"] == "too-long");
    CHECK(collector.stored() == 0);
    // A smaller batch on a new connection still goes through.
    auto fits = collector.post(small, collector.token());
    REQUIRE(fits);
    CHECK(fits->status == 200);
    CHECK(collector.stored() == 1);
}

TEST_CASE("a chunked request, whose size is unknown until read, is refused before it is read",
          "[collector]") {
    // httplib holds only bodies with a Content-Length to max_request_bytes: a chunked body
    // would be read whole, so a batch larger than the limit would get through (and an endless
    // one would use up the collector's memory).
    Options options;
    options.max_request_bytes = 4096;
    RunningCollector collector(options);
    const std::string large =
        batch_of({entry_for(fft_response(uuid(42), "1", std::string(5000, 'a')))}).dump();
    REQUIRE(large.size() > 4096);
    auto result = collector.client()->Post(
        "/fhir", {{"Authorization", "Bearer " + collector.token()}},
        [&](std::size_t offset, httplib::DataSink& sink) {
            if (offset < large.size()) {
                sink.write(large.data() + offset,
                           std::min<std::size_t>(1000, large.size() - offset));
            } else {
                sink.done();
            }
            return true;
        },
        "application/fhir+json");
    // The collector answers and closes as soon as it has the headers; a client still sending
    // chunks may see the connection reset instead of the answer. Either way nothing is stored,
    // and the log says why.
    if (result) {
        CHECK(result->status == 411);
        CHECK(body_of(result)["resourceType"] == "OperationOutcome");
    }
    CHECK(collector.stored() == 0);
    const auto lines = collector.log();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("POST /fhir 411") != std::string::npos);
    CHECK(lines[0].find("Content-Length") != std::string::npos);
}

TEST_CASE("search by identifier finds the device's own response, 0 or 1", "[collector]") {
    RunningCollector collector;
    const json reply = body_of(collector.post(batch_of({entry_for(fft_response(uuid(50), "1"))})));
    REQUIRE(entry_statuses(reply) == std::vector<std::string>{"201 Created"});
    const std::string location = reply["entry"][0]["response"]["location"];

    auto search = [&](const std::string& identifier, const std::string& token) {
        return collector.client()->Get("/fhir/QuestionnaireResponse", {{"identifier", identifier}},
                                       {{"Authorization", "Bearer " + token}});
    };
    const json found = body_of(search("urn:ietf:rfc:3986|" + uuid(50), collector.token()));
    CHECK(found["resourceType"] == "Bundle");
    CHECK(found["type"] == "searchset");
    CHECK(found["total"] == 1);
    REQUIRE(found["entry"].size() == 1);
    const json& resource = found["entry"][0]["resource"];
    CHECK("QuestionnaireResponse/" + resource["id"].get<std::string>() == location);
    CHECK(resource["identifier"]["value"] == uuid(50));
    CHECK(resource["item"][0]["answer"][0]["valueCoding"]["code"] == "1");

    const json value_only = body_of(search(uuid(50), collector.token()));
    CHECK(value_only["total"] == 1);

    const json missing = body_of(search("urn:ietf:rfc:3986|" + uuid(51), collector.token()));
    CHECK(missing["total"] == 0);
    CHECK_FALSE(missing.contains("entry"));

    const std::string other = add_device_token(collector.config_file(), "ward-4");
    const json not_theirs = body_of(search("urn:ietf:rfc:3986|" + uuid(50), other));
    CHECK(not_theirs["total"] == 0);
}

TEST_CASE("with client certificates required, TLS refuses a kiosk without a valid one",
          "[collector]") {
    Options options;
    options.client_certificates = true;
    RunningCollector collector(options);
    const std::string body = batch_of({entry_for(fft_response(uuid(60), "1"))}).dump();
    const httplib::Headers auth = {{"Authorization", "Bearer " + collector.token()}};

    auto wait_for_tls_refusals = [&](std::size_t wanted) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        std::size_t count = 0;
        while (std::chrono::steady_clock::now() < deadline) {
            count = 0;
            for (const auto& line : collector.log()) {
                count += line.find("TLS refused the connection") != std::string::npos;
            }
            if (count >= wanted) {
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return count;
    };

    SECTION("no client certificate") {
        auto result = collector.client()->Post("/fhir", auth, body, "application/fhir+json");
        CHECK_FALSE(result);
        CHECK(wait_for_tls_refusals(1) >= 1);
    }
    SECTION("a certificate from a CA the collector does not trust") {
        auto client =
            collector.client(collector.pki().rogue_client_cert, collector.pki().rogue_client_key);
        auto result = client->Post("/fhir", auth, body, "application/fhir+json");
        CHECK_FALSE(result);
        CHECK(wait_for_tls_refusals(1) >= 1);
    }
    // Never reached a handler: no request line in the log, nothing stored.
    for (const auto& line : collector.log()) {
        CHECK(line.find(" POST ") == std::string::npos);
    }
    CHECK(collector.stored() == 0);

    SECTION("a certificate signed by the client CA is accepted") {
        auto client = collector.client(collector.pki().client_cert, collector.pki().client_key);
        auto result = client->Post("/fhir", auth, body, "application/fhir+json");
        REQUIRE(result);
        CHECK(result->status == 200);
        CHECK(entry_statuses(body_of(result)) == std::vector<std::string>{"201 Created"});
        CHECK(collector.stored() == 1);
    }
}

TEST_CASE("concurrent retries of one batch still store one copy of each response", "[collector]") {
    RunningCollector collector;
    const json batch = batch_of(
        {entry_for(fft_response(uuid(70), "1")), entry_for(good_cancer_response(uuid(71)))});
    std::vector<std::future<std::vector<std::string>>> senders;
    for (int i = 0; i < 6; ++i) {
        senders.push_back(std::async(std::launch::async, [&] {
            auto result = collector.post(batch);
            if (!result || result->status != 200) {
                return std::vector<std::string>{};
            }
            return entry_statuses(json::parse(result->body));
        }));
    }
    int created = 0;
    int unchanged = 0;
    for (auto& sender : senders) {
        const auto statuses = sender.get();
        REQUIRE(statuses.size() == 2);
        for (const auto& status : statuses) {
            created += status == "201 Created";
            unchanged += status == "200 OK";
        }
    }
    CHECK(created == 2);
    CHECK(unchanged == 10);
    CHECK(collector.stored() == 2);
}

TEST_CASE("the log has one line per request and never an answer or a token", "[collector]") {
    RunningCollector collector;
    const std::string secret = "SECRET-FREE-TEXT-1234";
    body_of(collector.post(batch_of({entry_for(fft_response(uuid(80), "1", secret))})));
    collector.client()->Get("/fhir/metadata");
    collector.client()->Get("/fhir/nowhere");
    const auto lines = collector.log();
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].find("POST /fhir 200 device=ward-3 entries=1 statuses=201x1") !=
          std::string::npos);
    CHECK(lines[1].find("GET /fhir/metadata 200") != std::string::npos);
    CHECK(lines[2].find("GET /fhir/nowhere 404") != std::string::npos);
    for (const auto& line : lines) {
        CHECK(line.find(secret) == std::string::npos);
        CHECK(line.find(collector.token()) == std::string::npos);
    }
}

TEST_CASE("a newline in a request path cannot forge a log line", "[collector]") {
    RunningCollector collector;
    collector.client()->Get("/nowhere%0a2026-01-01T00:00:00Z 127.0.0.1 POST /fhir 200 device=x");
    const auto lines = collector.log();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("404") != std::string::npos);
    CHECK(lines[0].find('\n') == std::string::npos);
}

TEST_CASE("a reply lost after the commit is answered 200 on the retry", "[collector]") {
    TempDir dir;
    auto registry = Registry::load(shipped_questionnaires());
    REQUIRE(std::holds_alternative<Registry>(registry));
    auto db = open_db(dir.path() / "collector.sqlite");
    const std::string body = batch_of({entry_for(fft_response(uuid(90), "1"))}).dump();

    const Reply lost =
        handle_batch(body, "ward-3", std::get<Registry>(registry), db, "2024-05-01T10:00:00.000Z");
    REQUIRE(lost.entry_statuses == std::vector<int>{201});
    // The reply never arrives; the kiosk tries again on a fresh connection.
    auto reopened = open_db(dir.path() / "collector.sqlite");
    const Reply retry = handle_batch(body, "ward-3", std::get<Registry>(registry), reopened,
                                     "2024-05-01T10:05:00.000Z");
    CHECK(retry.entry_statuses == std::vector<int>{200});
    CHECK(retry.body["entry"][0]["response"]["lastModified"] == "2024-05-01T10:00:00.000Z");
    CHECK(std::get<std::int64_t>(count_responses(reopened)) == 1);
}

// ---- export ----------------------------------------------------------------------------------

TEST_CASE("csv cells are quoted per RFC 4180 and never start a formula", "[collector][csv]") {
    CHECK(csv_cell("plain") == "plain");
    CHECK(csv_cell("") == "");
    CHECK(csv_cell("a,b") == "\"a,b\"");
    CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_cell("two\nlines") == "\"two\nlines\"");
    CHECK(csv_cell("cr\rhere") == "\"cr\rhere\"");
    CHECK(csv_cell("=1+1") == "'=1+1");
    CHECK(csv_cell("+44 20") == "'+44 20");
    CHECK(csv_cell("-2") == "'-2");
    CHECK(csv_cell("@SUM(A1)") == "'@SUM(A1)");
    CHECK(csv_cell("\tTAB") == "'\tTAB");
    CHECK(csv_cell("=HYPERLINK(\"http://x\",\"y\")") ==
          "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    CHECK(csv_cell("a = b") == "a = b");
}

TEST_CASE("export --csv writes one row per answer with quoting and formula guards",
          "[collector][csv]") {
    RunningCollector collector;
    const json batch = batch_of({
        entry_for(fft_response(uuid(100), "1", std::string("=1+1"), std::string("+cmd"))),
        entry_for(fft_response(uuid(101), "2", std::string("-2"), std::string("@SUM(A1:A2)"))),
        entry_for(fft_response(uuid(102), "1", std::string("Kind, but \"slow\"\nat night"))),
        entry_for(good_cancer_response(uuid(103))),
    });
    REQUIRE(entry_statuses(body_of(collector.post(batch))) ==
            std::vector<std::string>(4, "201 Created"));
    const std::string received = collector.all_stored()[0].received;

    const std::string fft_prefix = received + ",ward-3," + kFft + ",";
    const std::string why = "Please can you tell us why you gave your answer?";
    const std::string better = "What could we have done better?";
    const std::string rating = "\"" + kFftQuestion + "\""; // it holds a comma
    const std::string expected =
        "received,device,questionnaire,response_identifier,authored,link_id,question,answer,"
        "answer_code\r\n" +
        fft_prefix + uuid(100) + ",2024-05-01T10:00:00Z,fft-rating," + rating + ",Very good,1\r\n" +
        fft_prefix + uuid(100) + ",2024-05-01T10:00:00Z,fft-why," + why + ",'=1+1,\r\n" +
        fft_prefix + uuid(100) + ",2024-05-01T10:00:00Z,fft-better," + better + ",'+cmd,\r\n" +
        fft_prefix + uuid(101) + ",2024-05-01T10:00:00Z,fft-rating," + rating + ",Good,2\r\n" +
        fft_prefix + uuid(101) + ",2024-05-01T10:00:00Z,fft-why," + why + ",'-2,\r\n" + fft_prefix +
        uuid(101) + ",2024-05-01T10:00:00Z,fft-better," + better + ",'@SUM(A1:A2),\r\n" +
        fft_prefix + uuid(102) + ",2024-05-01T10:00:00Z,fft-rating," + rating + ",Very good,1\r\n" +
        fft_prefix + uuid(102) + ",2024-05-01T10:00:00Z,fft-why," + why +
        ",\"Kind, but \"\"slow\"\"\nat night\",\r\n" + received + ",ward-3," + kCancer + "," +
        uuid(103) + ",2024-05-02T11:30:00Z,parked,Did you park at the hospital today?,true,\r\n" +
        received + ",ward-3," + kCancer + "," + uuid(103) +
        ",2024-05-02T11:30:00Z,overall-care,Overall rating,8,\r\n";

    SECTION("to standard output") {
        auto result = run({"export", "--config", collector.config_file().string(), "--csv"});
        REQUIRE(result.status == 0);
        CHECK(result.out == expected);
    }
    SECTION("to a file only its owner can read") {
        const fs::path out = collector.dir() / "answers.csv";
        // A link planted where a temporary file might go is never followed or truncated.
        const fs::path victim = collector.dir() / "victim.txt";
        std::ofstream(victim) << "keep me";
        fs::create_symlink(victim, out.string() + ".partial");
        auto result = run({"export", "--config", collector.config_file().string(), "--csv", "--out",
                           out.string()});
        REQUIRE(result.status == 0);
        CHECK(read_file(out) == expected);
        CHECK(result.err.find("exported 10 answers from 4 responses") != std::string::npos);
        struct stat info {};
        REQUIRE(::stat(out.c_str(), &info) == 0);
        CHECK((info.st_mode & 0777) == 0600);
        CHECK(read_file(victim) == "keep me");
        std::size_t left_over = 0;
        for (const auto& entry : fs::directory_iterator(collector.dir())) {
            const std::string name = entry.path().filename().string();
            left_over += name.rfind("answers.csv.", 0) == 0 && name != "answers.csv.partial";
        }
        CHECK(left_over == 0); // the temporary file was renamed into place
    }
    SECTION("export without --csv is a usage error") {
        auto result = run({"export", "--config", collector.config_file().string()});
        CHECK(result.status == 2);
        CHECK(result.err.find("--csv") != std::string::npos);
    }
}

// ---- devices and tokens ----------------------------------------------------------------------

TEST_CASE("add-device prints a new token once and stores only its hash", "[collector][cli]") {
    TempDir dir;
    const TestPki pki = make_test_pki(dir.path());
    const fs::path config = write_config(dir.path(), pki, {});
    const std::string token = add_device_token(config, "ward-7");
    for (const char c : token) {
        CHECK(((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')));
    }
    CHECK(add_device_token(config, "ward-8") != token);

    // A second token for the same device is refused; the first still works.
    auto again = run({"add-device", "--config", config.string(), "ward-7"});
    CHECK(again.status == 1);
    CHECK(again.out.empty());
    CHECK(again.err.find("already exists") != std::string::npos);

    auto bad_id = run({"add-device", "--config", config.string(), "ward 7; rm"});
    CHECK(bad_id.status == 2);

    {
        auto db = open_db(dir.path() / "collector.sqlite");
        auto device = device_for_token(db, token);
        REQUIRE(std::holds_alternative<std::optional<std::string>>(device));
        CHECK(std::get<std::optional<std::string>>(device) == std::optional<std::string>("ward-7"));
        auto checkpoint = db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        CHECK_FALSE(checkpoint);
    }
    const std::string file = read_file(dir.path() / "collector.sqlite");
    CHECK(file.find("ward-7") != std::string::npos);
    CHECK(file.find(token) == std::string::npos);
    struct stat info {};
    REQUIRE(::stat((dir.path() / "collector.sqlite").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);

    auto removed = run({"remove-device", "--config", config.string(), "ward-7"});
    CHECK(removed.status == 0);
    auto db = open_db(dir.path() / "collector.sqlite");
    auto device = device_for_token(db, token);
    CHECK_FALSE(std::get<std::optional<std::string>>(device).has_value());
}

// ---- configuration ---------------------------------------------------------------------------

TEST_CASE("the configuration names file and key for every problem", "[collector][config]") {
    const std::string text = R"(
[server]
port = 70000
prot = 8443
base_path = "fhir"

[tls]
private_key = "server.key"

[storage]
database = "collector.sqlite"

[questionnaires]
files = []

[extra]
)";
    auto config = parse_config(text, "/etc/kiosk/bad.toml");
    REQUIRE(std::holds_alternative<Error>(config));
    const std::string message = std::get<Error>(config).message;
    CHECK(message.find("/etc/kiosk/bad.toml: 'server.port' (line 3, column 8) must be from 0 "
                       "to 65535 (it is 70000)") != std::string::npos);
    CHECK(message.find("'server.prot' (line 4, column 8) is not a known key") != std::string::npos);
    CHECK(message.find("'server.base_path'") != std::string::npos);
    CHECK(message.find("'tls.certificate' is required but missing") != std::string::npos);
    CHECK(message.find("'questionnaires.files'") != std::string::npos);
    CHECK(message.find("'extra'") != std::string::npos);

    auto broken = parse_config("[server\nport = 1", "/etc/kiosk/broken.toml");
    REQUIRE(std::holds_alternative<Error>(broken));
    CHECK(std::get<Error>(broken).message.rfind("/etc/kiosk/broken.toml: line 1", 0) == 0);

    auto missing = load_config("/nonexistent/collector.toml");
    REQUIRE(std::holds_alternative<Error>(missing));
    CHECK(std::get<Error>(missing).message.find("/nonexistent/collector.toml") == 0);
}

TEST_CASE("a good configuration takes defaults and resolves paths from its folder",
          "[collector][config]") {
    const std::string text = R"(
[server]
base_path = "/api/fhir/"

[tls]
certificate = "tls/server.pem"
private_key = "/etc/ssl/private/collector.key"
client_ca = "tls/kiosk-ca.pem"

[storage]
database = "data/collector.sqlite"

[questionnaires]
files = ["q/fft.json"]
)";
    auto parsed = parse_config(text, "/srv/collector/collector.toml");
    if (auto* error = std::get_if<Error>(&parsed)) {
        FAIL(error->message);
    }
    const Config& config = std::get<Config>(parsed);
    CHECK(config.listen_address == "127.0.0.1");
    CHECK(config.port == 8443);
    CHECK(config.base_path == "/api/fhir");
    CHECK(config.max_request_bytes == kDefaultMaxRequestBytes);
    CHECK(config.certificate == fs::path("/srv/collector/tls/server.pem"));
    CHECK(config.private_key == fs::path("/etc/ssl/private/collector.key"));
    REQUIRE(config.client_ca);
    CHECK(*config.client_ca == fs::path("/srv/collector/tls/kiosk-ca.pem"));
    CHECK(config.database == fs::path("/srv/collector/data/collector.sqlite"));
    CHECK(config.questionnaires == std::vector<fs::path>{"/srv/collector/q/fft.json"});
}

TEST_CASE("TLS files that cannot be used stop start-up with the key and the file",
          "[collector][config]") {
    TempDir dir;
    const TestPki pki = make_test_pki(dir.path());
    auto parsed = load_config(write_config(dir.path(), pki, {}));
    REQUIRE(std::holds_alternative<Config>(parsed));
    Config config = std::get<Config>(parsed);

    SECTION("a missing certificate") {
        config.certificate = dir.path() / "missing.pem";
        auto created = Server::create(config, Registry{}, [](std::string_view) {});
        REQUIRE(std::holds_alternative<Error>(created));
        const std::string message = std::get<Error>(created).message;
        CHECK(message.rfind("tls.certificate", 0) == 0);
        CHECK(message.find("missing.pem") != std::string::npos);
    }
    SECTION("a key that belongs to another certificate") {
        config.private_key = pki.client_key;
        auto created = Server::create(config, Registry{}, [](std::string_view) {});
        REQUIRE(std::holds_alternative<Error>(created));
        CHECK(std::get<Error>(created).message.find("does not belong to the certificate") !=
              std::string::npos);
    }
}

TEST_CASE("questionnaires outside the kiosk's subset are refused at registration",
          "[collector][config]") {
    json questionnaire = {{"resourceType", "Questionnaire"},
                          {"url", "urn:example:q"},
                          {"version", "1"},
                          {"item", json::array({{{"linkId", "when"}, {"type", "date"}}})}};
    auto parsed = parse_questionnaire(questionnaire, "q.json");
    REQUIRE(std::holds_alternative<Error>(parsed));
    CHECK(std::get<Error>(parsed).message ==
          "q.json: item 'when' has type 'date', which is outside the kiosk's subset (group, "
          "display, choice, boolean, integer, string, text)");

    auto registry = Registry::load(shipped_questionnaires());
    REQUIRE(std::holds_alternative<Registry>(registry));
    CHECK(std::get<Registry>(registry).canonicals().size() == 3);
    auto twice = shipped_questionnaires();
    twice.push_back(twice.front());
    auto duplicate = Registry::load(twice);
    REQUIRE(std::holds_alternative<Error>(duplicate));
    CHECK(std::get<Error>(duplicate).message.find("is already registered") != std::string::npos);
}

// ---- the command line's serve ----------------------------------------------------------------

TEST_CASE("serve stops cleanly on SIGTERM", "[collector][cli]") {
    TempDir dir;
    const TestPki pki = make_test_pki(dir.path());
    // A free port: bind to 0, read it back, release it.
    int port = 0;
    {
        const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        socklen_t size = sizeof address;
        REQUIRE(::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &size) == 0);
        port = ntohs(address.sin_port);
        ::close(probe);
    }
    Options options;
    options.port = port;
    const fs::path config = write_config(dir.path(), pki, options);

    // Every thread of this process blocks SIGTERM, so the signal goes to serve's waiter thread
    // instead of ending the test program.
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigset_t previous;
    REQUIRE(pthread_sigmask(SIG_BLOCK, &term, &previous) == 0);

    // A plain thread, not std::async: should serve never stop, the test must fail, not hang.
    auto outcome = std::make_shared<std::promise<int>>();
    std::future<int> exit_status = outcome->get_future();
    std::thread serving(
        [outcome, args = std::vector<std::string>{"serve", "--config", config.string()}] {
            std::ostringstream out;
            std::ostringstream err;
            outcome->set_value(run_command_line(args, out, err));
        });
    bool up = false;
    for (int attempt = 0; attempt < 500 && !up; ++attempt) {
        httplib::SSLClient client("127.0.0.1", port);
        client.set_ca_cert_path(pki.ca_cert.string());
        client.enable_server_certificate_verification(true);
        client.set_connection_timeout(1);
        auto result = client.Get("/fhir/metadata");
        up = result && result->status == 200;
        if (!up) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    CHECK(up);
    REQUIRE(::kill(::getpid(), SIGTERM) == 0);
    const bool stopped =
        exit_status.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    // Should serve have ended before taking the signal, take it here rather than die of it.
    const timespec no_wait{0, 0};
    while (sigtimedwait(&term, nullptr, &no_wait) == SIGTERM) {
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (!stopped) {
        serving.detach(); // still serving; it ends with the test program
        FAIL("serve did not stop within 10 s of SIGTERM");
    }
    serving.join();
    CHECK(exit_status.get() == 0);
}
