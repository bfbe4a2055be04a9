#include "collector/server.hpp"

#include "collector/batch.hpp"
#include "collector/fhir_json.hpp"
#include "collector/store.hpp"
#include "collector/time_text.hpp"
#include "fhir/limited_json.hpp"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#ifndef KIOSK_COLLECTOR_VERSION
#define KIOSK_COLLECTOR_VERSION "0.0.0"
#endif

namespace kiosk::collector {

namespace {

using Clock = std::chrono::steady_clock;

std::string now_text() {
    return format_utc_millis(std::chrono::system_clock::now());
}

// Everything OpenSSL queued about the latest failure, oldest first.
std::string openssl_errors() {
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        char line[256];
        ERR_error_string_n(code, line, sizeof line);
        if (!text.empty()) {
            text += "; ";
        }
        text += line;
    }
    return text.empty() ? "no detail from OpenSSL" : text;
}

std::string lower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return text;
}

std::string trim(std::string_view text) {
    const auto begin = text.find_first_not_of(" \t");
    if (begin == std::string_view::npos) {
        return {};
    }
    const auto end = text.find_last_not_of(" \t");
    return std::string(text.substr(begin, end - begin + 1));
}

std::string regex_escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (std::strchr(".^$|()[]{}*+?\\", c) != nullptr) {
            out += '\\';
        }
        out += c;
    }
    return out;
}

// "201x3,422x1": how each entry of a batch ended, without saying anything about the answers.
std::string status_summary(const std::vector<int>& statuses) {
    std::map<int, int> counts;
    for (const int status : statuses) {
        ++counts[status];
    }
    std::string text;
    for (const auto& [status, count] : counts) {
        if (!text.empty()) {
            text += ',';
        }
        text += std::to_string(status) + "x" + std::to_string(count);
    }
    return text.empty() ? "-" : text;
}

std::string peer_address(SSL* ssl) {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    const int fd = SSL_get_fd(ssl);
    if (fd < 0 || getpeername(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        return "?";
    }
    char text[INET6_ADDRSTRLEN] = "?";
    if (address.ss_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&address)->sin_addr, text, sizeof text);
    } else if (address.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&address)->sin6_addr, text,
                  sizeof text);
    }
    return text;
}

} // namespace

LogSink stderr_log_sink() {
    auto mutex = std::make_shared<std::mutex>();
    return [mutex](std::string_view line) {
        std::lock_guard<std::mutex> lock(*mutex);
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fputc('\n', stderr);
        std::fflush(stderr);
    };
}

struct RequestHandlers::Impl {
    Config config;
    Registry registry;
    LogSink log;
    std::string started = now_text();

    // SQLite connections, one per request in flight, reused across requests.
    std::mutex pool_mutex;
    std::vector<outbox::Database> idle;

    // What one request did, for its log line.
    struct Note {
        Clock::time_point start = Clock::now();
        std::string device = "-";
        std::string detail;
    };

    // A connection from the pool, returned on destruction.
    class Lease {
    public:
        Lease(Impl& impl, outbox::Database db) : impl_(impl), db_(std::move(db)) {}
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease() {
            std::lock_guard<std::mutex> lock(impl_.pool_mutex);
            impl_.idle.push_back(std::move(db_));
        }
        outbox::Database& db() { return db_; }

    private:
        Impl& impl_;
        outbox::Database db_;
    };

    Result<std::unique_ptr<Lease>> lease() {
        {
            std::lock_guard<std::mutex> lock(pool_mutex);
            if (!idle.empty()) {
                auto lease = std::make_unique<Lease>(*this, std::move(idle.back()));
                idle.pop_back();
                return lease;
            }
        }
        auto opened = open_store(config.database);
        if (auto* error = std::get_if<Error>(&opened)) {
            return *error;
        }
        return std::make_unique<Lease>(*this, std::get<outbox::Database>(std::move(opened)));
    }

    void write_log(const httplib::Request& req, int status, const Note& note) {
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - note.start);
        // Everything a client sent is made one printable line, so a "%0a" in a path cannot
        // forge a log entry.
        std::string line = now_text() + " " + req.remote_addr + " " +
                           fhir::one_line(req.method, 16) + " " + fhir::one_line(req.path, 200) +
                           " " + std::to_string(status) + " device=" + note.device;
        if (!note.detail.empty()) {
            line += " " + fhir::one_line(note.detail, 500);
        }
        line += " " + std::to_string(elapsed.count()) + "ms";
        log(line);
    }

    void send(httplib::Response& res, int status, const nlohmann::json& body) {
        res.status = status;
        res.set_content(dump_json(body), kFhirJson);
    }

    void send(const httplib::Request& req, httplib::Response& res, const Reply& reply, Note& note) {
        send(res, reply.http_status, reply.body);
        if (reply.retry_later) {
            res.set_header("Retry-After", "5");
        }
        if (!reply.note.empty()) {
            note.detail += (note.detail.empty() ? "" : " ") + reply.note;
        }
        write_log(req, reply.http_status, note);
    }

    void refuse(const httplib::Request& req, httplib::Response& res, int status,
                std::string_view code, const std::string& message, Note& note) {
        send(res, status, operation_outcome(code, message));
        note.detail += (note.detail.empty() ? "" : " ") + message;
        write_log(req, status, note);
    }

    // The device behind the request's bearer token, or nothing after answering 401/5xx.
    std::optional<std::string> authenticate(const httplib::Request& req, httplib::Response& res,
                                            outbox::Database& db, Note& note) {
        const std::string header = req.get_header_value("Authorization");
        const auto space = header.find(' ');
        const std::string token = space == std::string::npos ? "" : trim(header.substr(space));
        if (space == std::string::npos || lower(header.substr(0, space)) != "bearer" ||
            token.empty()) {
            res.set_header("WWW-Authenticate", "Bearer realm=\"kiosk-collector\"");
            refuse(req, res, 401, "login", "a bearer token is required", note);
            return std::nullopt;
        }
        auto device = device_for_token(db, token);
        if (auto* error = std::get_if<Error>(&device)) {
            note.detail = "storage failure: " + error->message;
            refuse(req, res, error->temporary ? 503 : 500, "exception",
                   "the collector cannot check the token now; try again later", note);
            return std::nullopt;
        }
        auto& found = std::get<std::optional<std::string>>(device);
        if (!found) {
            res.set_header("WWW-Authenticate",
                           "Bearer realm=\"kiosk-collector\", error=\"invalid_token\"");
            refuse(req, res, 401, "login", "the bearer token is not known to this collector", note);
            return std::nullopt;
        }
        note.device = *found;
        return found;
    }

    void on_batch(const httplib::Request& req, httplib::Response& res) {
        Note note;
        auto leased = lease();
        if (auto* error = std::get_if<Error>(&leased)) {
            note.detail = "storage failure: " + error->message;
            refuse(req, res, 503, "exception", "the collector cannot open its database", note);
            return;
        }
        auto& db = std::get<std::unique_ptr<Lease>>(leased)->db();
        auto device = authenticate(req, res, db, note);
        if (!device) {
            return;
        }
        const std::string content_type = req.get_header_value("Content-Type");
        const std::string media = lower(trim(content_type.substr(0, content_type.find(';'))));
        if (media != "application/fhir+json" && media != "application/json") {
            refuse(req, res, 415, "not-supported",
                   "Content-Type must be application/fhir+json (it is '" + media + "')", note);
            return;
        }
        const Reply reply = handle_batch(req.body, *device, registry, db, now_text());
        if (!reply.entry_statuses.empty() || reply.http_status == 200) {
            note.detail = "entries=" + std::to_string(reply.entry_statuses.size()) +
                          " statuses=" + status_summary(reply.entry_statuses);
        }
        send(req, res, reply, note);
    }

    void on_search(const httplib::Request& req, httplib::Response& res) {
        Note note;
        auto leased = lease();
        if (auto* error = std::get_if<Error>(&leased)) {
            note.detail = "storage failure: " + error->message;
            refuse(req, res, 503, "exception", "the collector cannot open its database", note);
            return;
        }
        auto& db = std::get<std::unique_ptr<Lease>>(leased)->db();
        auto device = authenticate(req, res, db, note);
        if (!device) {
            return;
        }
        // httplib has already URL-decoded query parameters.
        send(req, res, handle_search(req.get_param_value("identifier"), *device, db), note);
    }

    void on_metadata(const httplib::Request& req, httplib::Response& res) {
        Note note;
        send(res, 200, capability_statement(started, KIOSK_COLLECTOR_VERSION));
        write_log(req, 200, note);
    }

    // Answers httplib produced itself (unknown path, 413, malformed request) get an
    // OperationOutcome too, and their log line.
    httplib::Server::HandlerResponse on_error(const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) {
            return httplib::Server::HandlerResponse::Unhandled; // one of ours, already logged
        }
        Note note;
        std::string message;
        std::string code = "processing";
        switch (res.status) {
        case 404:
            message = "no such endpoint: " + fhir::one_line(req.method, 16) + " " +
                      fhir::one_line(req.path, 200);
            code = "not-supported";
            break;
        case 413:
            message = "the request is larger than the collector's limit of " +
                      std::to_string(config.max_request_bytes) +
                      " bytes (server.max_request_bytes); split the batch";
            code = "too-long";
            break;
        default:
            message = "the request could not be read (" + status_line(res.status) + ")";
            break;
        }
        send(res, res.status, operation_outcome(code, message));
        note.detail = message;
        write_log(req, res.status, note);
        return httplib::Server::HandlerResponse::Handled;
    }

    void on_exception(const httplib::Request& req, httplib::Response& res,
                      std::exception_ptr failure) {
        Note note;
        try {
            if (failure) {
                std::rethrow_exception(failure);
            }
        } catch (const std::exception& error) {
            note.detail = std::string("unexpected failure: ") + error.what();
        } catch (...) {
            note.detail = "unexpected failure";
        }
        send(res, 500, operation_outcome("exception", "the collector failed; try again later"));
        write_log(req, 500, note);
    }

    void install(httplib::Server& http) {
        http.set_payload_max_length(config.max_request_bytes);
        // httplib 0.11 holds a body to the limit above only when it comes with a Content-Length:
        // a chunked body is read into memory whole, however large, before any handler runs, so
        // anyone who can reach the port could exhaust the collector's memory. Kiosks always send
        // a Content-Length; a request with a Transfer-Encoding is refused before its body is read.
        http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            if (!req.has_header("Transfer-Encoding")) {
                return httplib::Server::HandlerResponse::Unhandled;
            }
            Note note;
            res.set_header("Connection", "close");
            refuse(req, res, 411, "too-long",
                   "send the request with a Content-Length (a Transfer-Encoding is not accepted)",
                   note);
            return httplib::Server::HandlerResponse::Handled;
        });
        const std::string base = regex_escape(config.base_path);
        http.Post(base + "/?", [this](const httplib::Request& req, httplib::Response& res) {
            on_batch(req, res);
        });
        http.Get(base + "/metadata", [this](const httplib::Request& req, httplib::Response& res) {
            on_metadata(req, res);
        });
        http.Get(
            base + "/QuestionnaireResponse",
            [this](const httplib::Request& req, httplib::Response& res) { on_search(req, res); });
        http.set_error_handler(httplib::Server::HandlerWithResponse(
            [this](const httplib::Request& req, httplib::Response& res) {
                return on_error(req, res);
            }));
        http.set_exception_handler(
            [this](const httplib::Request& req, httplib::Response& res,
                   std::exception_ptr failure) { on_exception(req, res, failure); });
    }
};

RequestHandlers::RequestHandlers(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RequestHandlers::~RequestHandlers() = default;

Result<std::unique_ptr<RequestHandlers>> RequestHandlers::create(const Config& config,
                                                                 Registry registry, LogSink log) {
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    impl->registry = std::move(registry);
    impl->log = log ? std::move(log) : stderr_log_sink();

    // Open the database now: a wrong path or a newer schema should stop start-up, not the
    // first kiosk.
    auto opened = open_store(config.database);
    if (auto* error = std::get_if<Error>(&opened)) {
        return Error{"storage.database (in " + config.file.string() + "): " + error->message};
    }
    impl->idle.push_back(std::get<outbox::Database>(std::move(opened)));
    return std::unique_ptr<RequestHandlers>(new RequestHandlers(std::move(impl)));
}

void RequestHandlers::install(httplib::Server& http) {
    impl_->install(http);
}

struct Server::Impl {
    Config config;
    LogSink log;
    // Declared before `http`, so the handlers outlive the server that calls them.
    std::unique_ptr<RequestHandlers> handlers;
    std::unique_ptr<httplib::SSLServer> http;

    std::atomic<bool> run_active{false};
    std::atomic<bool> stop_requested{false};

    // TLS setup: our own, so each failure can name the configuration key and the file.
    bool setup_tls(SSL_CTX& ctx, std::string& error) {
        SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
        SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                      SSL_OP_CIPHER_SERVER_PREFERENCE);
        const std::string where = " (in " + config.file.string() + ")";
        if (SSL_CTX_use_certificate_chain_file(&ctx, config.certificate.c_str()) != 1) {
            error = "tls.certificate" + where + ": cannot use " + config.certificate.string() +
                    " as a PEM certificate: " + openssl_errors();
            return false;
        }
        if (SSL_CTX_use_PrivateKey_file(&ctx, config.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
            // OpenSSL 3 already compares the key with the certificate here.
            if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
                ERR_clear_error();
                error = "tls.private_key" + where + ": " + config.private_key.string() +
                        " does not belong to the certificate " + config.certificate.string();
            } else {
                error = "tls.private_key" + where + ": cannot use " + config.private_key.string() +
                        " as a PEM private key: " + openssl_errors();
            }
            return false;
        }
        if (SSL_CTX_check_private_key(&ctx) != 1) {
            error = "tls.private_key" + where + ": " + config.private_key.string() +
                    " does not belong to the certificate " + config.certificate.string();
            return false;
        }
        if (config.client_ca) {
            const std::string ca = config.client_ca->string();
            if (SSL_CTX_load_verify_locations(&ctx, ca.c_str(), nullptr) != 1) {
                error = "tls.client_ca" + where + ": cannot read " + ca +
                        " as PEM CA certificates: " + openssl_errors();
                return false;
            }
            STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str());
            if (names == nullptr) {
                error = "tls.client_ca" + where + ": " + ca + " holds no CA certificate";
                return false;
            }
            SSL_CTX_set_client_CA_list(&ctx, names); // takes ownership
            // No certificate, or one not signed by the client CA: the handshake fails and the
            // request is never read.
            SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
        }
        SSL_CTX_set_app_data(&ctx, this);
        SSL_CTX_set_info_callback(&ctx, &Impl::tls_info);
        return true;
    }

    // Logs fatal TLS alerts, so IT can see why a kiosk cannot connect (no client certificate,
    // a certificate from another CA, a kiosk that does not trust our certificate).
    static void tls_info(const SSL* ssl, int where, int value) {
        const bool sent = (where & SSL_CB_WRITE_ALERT) != 0;
        const bool received = (where & SSL_CB_READ_ALERT) != 0;
        if ((!sent && !received) || std::strcmp(SSL_alert_type_string(value), "F") != 0) {
            return;
        }
        auto* impl = static_cast<Impl*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
        if (impl == nullptr || !impl->log) {
            return;
        }
        std::string line =
            now_text() + " " + peer_address(const_cast<SSL*>(ssl)) +
            (sent ? " TLS refused the connection: " : " TLS closed by the client: ") +
            SSL_alert_desc_string_long(value);
        impl->log(line);
    }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
    stop();
}

Result<std::unique_ptr<Server>> Server::create(const Config& config, Registry registry,
                                               LogSink log) {
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    impl->log = log ? std::move(log) : stderr_log_sink();

    auto handlers = RequestHandlers::create(config, std::move(registry), impl->log);
    if (auto* error = std::get_if<Error>(&handlers)) {
        return *error;
    }
    impl->handlers = std::get<std::unique_ptr<RequestHandlers>>(std::move(handlers));

    std::string tls_error;
    Impl* raw = impl.get();
    impl->http = std::make_unique<httplib::SSLServer>(
        [raw, &tls_error](SSL_CTX& ctx) { return raw->setup_tls(ctx, tls_error); });
    if (!impl->http->is_valid()) {
        return Error{tls_error.empty() ? "cannot set up TLS: " + openssl_errors() : tls_error};
    }

    httplib::SSLServer& http = *impl->http;
    // httplib writes the reply's headers and body as separate TLS records; without NODELAY the
    // second waits for the client's delayed ACK (40 ms on Linux) on every request.
    http.set_tcp_nodelay(true);
    http.set_keep_alive_max_count(100);
    http.set_read_timeout(10);
    http.set_write_timeout(10);
    impl->handlers->install(http);
    return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Result<int> Server::bind() {
    const Config& config = impl_->config;
    errno = 0;
    int port = config.port;
    bool bound = false;
    if (port == 0) {
        port = impl_->http->bind_to_any_port(config.listen_address);
        bound = port > 0;
    } else {
        bound = impl_->http->bind_to_port(config.listen_address, port);
    }
    if (!bound) {
        const int cause = errno;
        return Error{"server.listen_address, server.port (in " + config.file.string() +
                     "): cannot listen on " + config.listen_address + ":" +
                     std::to_string(config.port) +
                     (cause != 0 ? std::string(": ") + std::strerror(cause) : std::string())};
    }
    return port;
}

void Server::run() {
    impl_->run_active = true;
    if (!impl_->stop_requested) {
        impl_->http->listen_after_bind();
    }
    impl_->run_active = false;
}

void Server::stop() {
    impl_->stop_requested = true;
    // httplib's stop() does nothing before the accept loop has started; wait for it, so a stop
    // that races with run() is not lost.
    while (impl_->run_active && !impl_->http->is_running()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    impl_->http->stop();
}

bool Server::running() const {
    return impl_->http->is_running();
}

} // namespace kiosk::collector
