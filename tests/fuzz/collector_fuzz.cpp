// Fuzz target: raw bytes arriving on one kiosk-collector connection, after TLS. They go through
// httplib's request parsing (request line, headers, Content-Length and chunked bodies,
// keep-alive) and then the collector's own handlers: bearer token authentication, batch Bundle
// validation against the shipped questionnaires, storage in SQLite, the identifier search and
// the error replies. The handlers are the product's own, installed with
// collector::RequestHandlers::install exactly as the HTTPS server installs them; only the socket
// and TLS are replaced by a stream over the input.
//
// A collector is set up once per process: a temporary folder with a database, the shipped
// questionnaires registered, and one device whose token is kFuzzToken. Seed inputs carry that
// token so the fuzzer starts past authentication.
//
// Invariants, for every reply: a status from 100 to 599; an FHIR JSON body (an OperationOutcome
// for an error, a Bundle for a stored batch) unless the client asked for a byte range or
// compression; and exactly one log line per reply, one line each.

#include "fuzz_check.hpp"

#include "collector/config.hpp"
#include "collector/fhir_json.hpp"
#include "collector/registry.hpp"
#include "collector/server.hpp"
#include "collector/store.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#ifndef KIOSK_SOURCE_DIR
#error "KIOSK_SOURCE_DIR must name the source tree (for the shipped questionnaires)"
#endif

namespace {

namespace fs = std::filesystem;
using namespace kiosk::collector;

// The token of the one registered device. The seeds in corpus/collector/ carry it.
constexpr const char* kFuzzToken =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kFuzzDevice = "fuzz-ward";

// As many requests as the real server serves on one connection (Server::create).
constexpr int kMaxRequestsPerConnection = 100;

[[noreturn]] void setup_failed(const std::string& why) {
    std::fprintf(stderr, "collector fuzz setup: %s\n", why.c_str());
    std::abort();
}

// The input as the bytes a client sent; what the server writes is kept for checking.
class MemoryStream final : public httplib::Stream {
public:
    explicit MemoryStream(std::string_view input) : input_(input) {}

    bool is_readable() const override { return true; }
    bool is_writable() const override { return true; }

    ssize_t read(char* ptr, std::size_t size) override {
        const std::size_t count = std::min(size, input_.size() - position_);
        if (count > 0) { // an empty input may have no data pointer at all
            std::memcpy(ptr, input_.data() + position_, count);
            position_ += count;
        }
        return static_cast<ssize_t>(count); // 0 at the end: the client closed the connection
    }

    ssize_t write(const char* ptr, std::size_t size) override {
        output_.append(ptr, size);
        return static_cast<ssize_t>(size);
    }

    void get_remote_ip_and_port(std::string& ip, int& port) const override {
        ip = "127.0.0.1";
        port = 50000;
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
        ip = "127.0.0.1";
        port = 8443;
    }
    // No socket: anything that tried to use one would fail, not touch some other descriptor.
    socket_t socket() const override { return INVALID_SOCKET; }

    bool at_end() const { return position_ == input_.size(); }
    const std::string& output() const { return output_; }

private:
    std::string_view input_;
    std::size_t position_ = 0;
    std::string output_;
};

// httplib::Server with its request processing reachable: process_request is protected, and is
// what the real server runs for each request read from a connection.
class InMemoryServer final : public httplib::Server {
public:
    // Serves every request in `stream` as one keep-alive connection would.
    void serve(MemoryStream& stream) {
        for (int served = 0; served < kMaxRequestsPerConnection && !stream.at_end(); ++served) {
            const bool last = served + 1 == kMaxRequestsPerConnection;
            bool connection_closed = false;
            if (!process_request(stream, last, connection_closed, {}) || connection_closed) {
                return;
            }
        }
    }
};

bool one_line(std::string_view text) {
    return text.find('\n') == std::string_view::npos && text.find('\r') == std::string_view::npos;
}

// Every reply the collector writes, whatever it was sent.
void check_reply(const httplib::Request& req, const httplib::Response& res) {
    FUZZ_CHECK(res.status >= 100 && res.status <= 599);
    // A range (one, or several as multipart/byteranges) or a compressed body is no longer the
    // JSON the handlers made; httplib did that, as the client asked.
    if (res.has_header("Content-Range") || res.has_header("Content-Encoding") ||
        res.get_header_value("Content-Type").rfind("multipart/byteranges", 0) == 0) {
        return;
    }
    FUZZ_CHECK(res.get_header_value("Content-Type") == kFhirJson);
    const auto body = nlohmann::json::parse(res.body, nullptr, false);
    FUZZ_CHECK(body.is_object());
    const auto type = body.find("resourceType");
    FUZZ_CHECK(type != body.end() && type->is_string());
    if (res.status >= 400) {
        FUZZ_CHECK(*type == "OperationOutcome");
    }
    if (req.method == "POST" && res.status == 200) {
        FUZZ_CHECK(*type == "Bundle");
        FUZZ_CHECK(body.value("type", "") == "batch-response");
    }
}

// A collector as the kiosk-collector program makes one, minus TLS and sockets.
class Collector {
public:
    // KIOSK_FUZZ_SHOW_LOG=1 prints the collector's log line for each reply, to see what an input
    // did (corpus_main prints each file's name first).
    Collector() : dir_(make_temp_dir()), show_log_(std::getenv("KIOSK_FUZZ_SHOW_LOG") != nullptr) {
        config_.file = dir_.path / "collector.toml";
        config_.database = dir_.path / "collector.sqlite";
        const fs::path shipped = fs::path(KIOSK_SOURCE_DIR) / "config" / "questionnaires";
        config_.questionnaires = {shipped / "friends-and-family-test.json",
                                  shipped / "cancer-outpatients.json", shipped / "children.json"};
        // Smaller than the default so that the fuzzer can reach it and the 413 reply runs too.
        config_.max_request_bytes = 64 * 1024;

        auto registry = Registry::load(config_.questionnaires);
        if (auto* error = std::get_if<Error>(&registry)) {
            setup_failed(error->message);
        }
        auto opened = open_store(config_.database);
        if (auto* error = std::get_if<Error>(&opened)) {
            setup_failed(error->message);
        }
        db_ = std::make_unique<kiosk::outbox::Database>(
            std::get<kiosk::outbox::Database>(std::move(opened)));
        if (auto error = add_device(*db_, kFuzzDevice, kFuzzToken, "2024-05-01T00:00:00.000Z")) {
            setup_failed(error->message);
        }
        auto handlers = RequestHandlers::create(
            config_, std::get<Registry>(std::move(registry)),
            [this](std::string_view line) { log_lines_.emplace_back(line); });
        if (auto* error = std::get_if<Error>(&handlers)) {
            setup_failed(error->message);
        }
        handlers_ = std::get<std::unique_ptr<RequestHandlers>>(std::move(handlers));
        handlers_->install(http_);
        // httplib calls its logger once for every reply it writes, after writing it.
        http_.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
            ++replies_;
            check_reply(req, res);
        });
    }

    Collector(const Collector&) = delete;
    Collector& operator=(const Collector&) = delete;

    void serve(std::string_view input) {
        log_lines_.clear();
        replies_ = 0;
        MemoryStream stream(input);
        http_.serve(stream);
        const std::string& output = stream.output();
        FUZZ_CHECK(output.empty() || output.rfind("HTTP/1.1 ", 0) == 0);
        // One log line per reply, so IT can account for every request.
        FUZZ_CHECK(static_cast<int>(log_lines_.size()) == replies_);
        for (const std::string& line : log_lines_) {
            FUZZ_CHECK(one_line(line));
            if (show_log_) {
                std::fprintf(stderr, "  %s\n", line.c_str());
            }
        }
        clear_responses();
    }

private:
    // The folder is removed when the process ends normally (libFuzzer returns from main at the
    // end of a run); after a crash it is left for a look.
    struct TempDir {
        fs::path path;
        ~TempDir() {
            std::error_code ignored;
            fs::remove_all(path, ignored);
        }
    };

    static TempDir make_temp_dir() {
        // /dev/shm when there is one: the collector commits with synchronous=FULL, and an fsync
        // for every stored batch on a disk would slow the fuzzer down many times over.
        std::error_code ignored;
        const fs::path parent = fs::is_directory("/dev/shm", ignored) ? fs::path("/dev/shm")
                                                                      : fs::temp_directory_path();
        std::string pattern = (parent / "kiosk-collector-fuzz-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            setup_failed("mkdtemp " + pattern + ": " + std::strerror(errno));
        }
        return TempDir{pattern};
    }

    // Every input starts from an empty responses table, so a crash found after a million inputs
    // replays alone: the same batch then gets the same answer (201, not 200 or 409).
    void clear_responses() {
        auto count = count_responses(*db_);
        if (auto* error = std::get_if<Error>(&count)) {
            setup_failed(error->message);
        }
        if (std::get<std::int64_t>(count) == 0) {
            return;
        }
        if (auto error = db_->exec("DELETE FROM responses")) {
            setup_failed(error->describe());
        }
    }

    TempDir dir_;
    bool show_log_ = false;
    Config config_;
    std::unique_ptr<kiosk::outbox::Database> db_;
    std::vector<std::string> log_lines_;
    int replies_ = 0;
    // Declared after what the handlers use and before the server, so the server goes first.
    std::unique_ptr<RequestHandlers> handlers_;
    InMemoryServer http_;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // libFuzzer runs millions of inputs in one process; building a collector (a database, the
    // questionnaires parsed) for each would make it crawl. So one is built on first use and kept
    // in this function-local static, libFuzzer's usual model; clear_responses() makes every
    // input start from the same state.
    static Collector collector;
    collector.serve(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
