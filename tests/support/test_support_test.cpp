// Tests of the sync test infrastructure itself: the certificates verify (or fail) as each TLS case
// needs, the pin is curl's, the fault proxy misbehaves exactly as documented, and the CONNECT
// proxy tunnels and enforces its rules. Everything stays on 127.0.0.1.

#include "support/fault_proxy.hpp"
#include "support/http_proxy.hpp"
#include "support/loopback.hpp"
#include "support/test_pki.hpp"

#include <catch2/catch.hpp>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <vector>

using namespace kiosk::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// The in-process TLS servers below write through OpenSSL, which does not use MSG_NOSIGNAL.
const bool sigpipe_ignored = (ignore_sigpipe(), true);

template <auto Free> struct Deleter {
    template <typename T> void operator()(T* handle) const { Free(handle); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreContextPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using SslContextPtr = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Deleter<SSL_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

// ---------------------------------------------------------------------------------------------
// Certificates

X509Ptr load_cert(const std::filesystem::path& path) {
    BioPtr bio(BIO_new_file(path.c_str(), "r"));
    REQUIRE(bio);
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    REQUIRE(cert);
    return cert;
}

struct Verdict {
    bool ok = false;
    int error = X509_V_OK;
};

// Verifies `leaf` against `trusted` alone, as a client (server purpose) or a server (client
// purpose) would; with `ip`, the certificate must also be for that address.
Verdict verify(const std::filesystem::path& leaf, const std::filesystem::path& trusted,
               int purpose = X509_PURPOSE_SSL_SERVER, const char* ip = nullptr) {
    X509Ptr cert = load_cert(leaf);
    X509Ptr anchor = load_cert(trusted);
    StorePtr store(X509_STORE_new());
    REQUIRE(X509_STORE_add_cert(store.get(), anchor.get()) == 1);
    StoreContextPtr context(X509_STORE_CTX_new());
    REQUIRE(X509_STORE_CTX_init(context.get(), store.get(), cert.get(), nullptr) == 1);
    REQUIRE(X509_STORE_CTX_set_purpose(context.get(), purpose) == 1);
    if (ip) {
        REQUIRE(X509_VERIFY_PARAM_set1_ip_asc(X509_STORE_CTX_get0_param(context.get()), ip) == 1);
    }
    Verdict verdict;
    verdict.ok = X509_verify_cert(context.get()) == 1;
    verdict.error = X509_STORE_CTX_get_error(context.get());
    return verdict;
}

std::string base64(const unsigned char* bytes, std::size_t length) {
    BioPtr chain(BIO_push(BIO_new(BIO_f_base64()), BIO_new(BIO_s_mem())));
    BIO_set_flags(chain.get(), BIO_FLAGS_BASE64_NO_NL);
    REQUIRE(BIO_write(chain.get(), bytes, static_cast<int>(length)) == static_cast<int>(length));
    REQUIRE(BIO_flush(chain.get()) == 1);
    char* text = nullptr;
    long size = BIO_get_mem_data(BIO_next(chain.get()), &text);
    return std::string(text, static_cast<std::size_t>(size));
}

// The pin computed a second way: i2d_PUBKEY of the EVP_PKEY, one-shot SHA256(), a base64 BIO.
std::string independent_pin(const std::filesystem::path& cert_pem) {
    X509Ptr cert = load_cert(cert_pem);
    unsigned char* der = nullptr;
    int length = i2d_PUBKEY(X509_get0_pubkey(cert.get()), &der);
    REQUIRE(length > 0);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(der, static_cast<std::size_t>(length), digest);
    OPENSSL_free(der);
    return "sha256//" + base64(digest, sizeof digest);
}

struct CommandResult {
    int exit_code = -1;
    std::string output;
};

CommandResult run(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    while (std::size_t got = std::fread(buffer, 1, sizeof buffer, pipe)) {
        result.output.append(buffer, got);
    }
    int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

bool have_command(const std::string& name) {
    return run("command -v " + name + " >/dev/null").exit_code == 0;
}

std::string quoted(const std::filesystem::path& path) {
    return "'" + path.string() + "'";
}

// ---------------------------------------------------------------------------------------------
// A byte stream over a loopback socket, plain or TLS, with deadlines on every wait.

SslContextPtr server_tls(const CertAndKey& identity) {
    SslContextPtr context(SSL_CTX_new(TLS_server_method()));
    REQUIRE(context);
    REQUIRE(SSL_CTX_use_certificate_chain_file(context.get(), identity.cert.c_str()) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey_file(context.get(), identity.key.c_str(), SSL_FILETYPE_PEM) ==
            1);
    return context;
}

SslContextPtr client_tls(const std::filesystem::path& ca, int version = TLS1_3_VERSION) {
    SslContextPtr context(SSL_CTX_new(TLS_client_method()));
    REQUIRE(context);
    REQUIRE(SSL_CTX_load_verify_locations(context.get(), ca.c_str(), nullptr) == 1);
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_min_proto_version(context.get(), version);
    SSL_CTX_set_max_proto_version(context.get(), version);
    return context;
}

class Stream {
public:
    enum class Io { ok, eof, failed, timeout };

    // `tls` null: plain TCP. Otherwise TLS as server or client (the client checks 127.0.0.1).
    Stream(Fd fd, SSL_CTX* tls, bool server) : fd_(std::move(fd)) {
        set_nonblocking(fd_.get(), true);
        if (tls) {
            ssl_.reset(SSL_new(tls));
            SSL_set_fd(ssl_.get(), fd_.get());
            if (server) {
                SSL_set_accept_state(ssl_.get());
            } else {
                SSL_set_connect_state(ssl_.get());
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), "127.0.0.1");
            }
        }
    }

    bool handshake(std::chrono::milliseconds timeout) {
        if (!ssl_) {
            return true;
        }
        auto deadline = Clock::now() + timeout;
        while (true) {
            ERR_clear_error();
            int result = SSL_do_handshake(ssl_.get());
            if (result == 1) {
                return true;
            }
            if (wait(SSL_get_error(ssl_.get(), result), deadline) != Wait::ready) {
                return false;
            }
        }
    }

    // The client holds a session ticket: the server's NewSessionTicket messages got through.
    bool has_session_ticket() const {
        SSL_SESSION* session = ssl_ ? SSL_get_session(ssl_.get()) : nullptr;
        return session && SSL_SESSION_has_ticket(session) == 1;
    }

    long verify_result() const { return ssl_ ? SSL_get_verify_result(ssl_.get()) : X509_V_OK; }

    Io read_some(std::string& out, std::chrono::milliseconds timeout) {
        auto deadline = Clock::now() + timeout;
        char buffer[16 * 1024];
        while (true) {
            if (ssl_) {
                ERR_clear_error();
                int got = SSL_read(ssl_.get(), buffer, sizeof buffer);
                if (got > 0) {
                    out.append(buffer, static_cast<std::size_t>(got));
                    return Io::ok;
                }
                int error = SSL_get_error(ssl_.get(), got);
                if (error == SSL_ERROR_ZERO_RETURN) {
                    return Io::eof;
                }
                if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
                    return Io::failed; // includes an EOF without close_notify: a cut
                }
                Wait waited = wait(error, deadline);
                if (waited != Wait::ready) {
                    return waited == Wait::timeout ? Io::timeout : Io::failed;
                }
            } else {
                ssize_t got = ::recv(fd_.get(), buffer, sizeof buffer, 0);
                if (got > 0) {
                    out.append(buffer, static_cast<std::size_t>(got));
                    return Io::ok;
                }
                if (got == 0) {
                    return Io::eof;
                }
                if (errno != EAGAIN && errno != EINTR) {
                    return Io::failed;
                }
                Wait waited = wait(SSL_ERROR_WANT_READ, deadline);
                if (waited != Wait::ready) {
                    return waited == Wait::timeout ? Io::timeout : Io::failed;
                }
            }
        }
    }

    bool write_all(std::string_view data, std::chrono::milliseconds timeout) {
        auto deadline = Clock::now() + timeout;
        while (!data.empty()) {
            if (ssl_) {
                ERR_clear_error();
                int sent = SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()));
                if (sent > 0) {
                    data.remove_prefix(static_cast<std::size_t>(sent));
                } else if (wait(SSL_get_error(ssl_.get(), sent), deadline) != Wait::ready) {
                    return false;
                }
            } else {
                ssize_t sent = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
                if (sent > 0) {
                    data.remove_prefix(static_cast<std::size_t>(sent));
                } else if ((errno != EAGAIN && errno != EINTR) ||
                           wait(SSL_ERROR_WANT_WRITE, deadline) != Wait::ready) {
                    return false;
                }
            }
        }
        return true;
    }

    int fd() const { return fd_.get(); }

private:
    enum class Wait { ready, timeout, failed };

    // Waits for what OpenSSL (or the plain socket) asked for.
    Wait wait(int ssl_error, Clock::time_point deadline) {
        short events = ssl_error == SSL_ERROR_WANT_READ    ? POLLIN
                       : ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT
                                                           : 0;
        if (events == 0) {
            return Wait::failed;
        }
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            return Wait::timeout;
        }
        pollfd waiter{fd_.get(), events, 0};
        int ready = ::poll(&waiter, 1, static_cast<int>(left.count()));
        return ready > 0 ? Wait::ready : ready == 0 ? Wait::timeout : Wait::failed;
    }

    Fd fd_;
    SslPtr ssl_;
};

// ---------------------------------------------------------------------------------------------
// A tiny HTTP-ish server: reads "head \r\n\r\n" plus Content-Length bytes, records the body,
// answers with a fixed reply, and keeps the connection open for the next request (as a
// keep-alive server would) until the client closes.

std::string http_request(const std::string& body) {
    return "POST /fhir HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string http_reply(const std::string& body) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Bytes a complete request or reply in `buffer` occupies, or 0 while it is incomplete.
std::size_t complete_message(const std::string& buffer) {
    std::size_t head_end = buffer.find("\r\n\r\n");
    if (head_end == std::string::npos) {
        return 0;
    }
    std::size_t length_at = buffer.find("Content-Length: ");
    std::size_t length =
        length_at < head_end ? std::stoul(buffer.substr(length_at + 16)) : std::size_t(0);
    std::size_t total = head_end + 4 + length;
    return buffer.size() >= total ? total : 0;
}

class TestServer {
public:
    explicit TestServer(std::string reply_body, SSL_CTX* tls = nullptr)
        : reply_(http_reply(reply_body)), tls_(tls), listener_(listen_loopback()) {
        set_nonblocking(listener_.get(), true);
        port_ = local_port(listener_.get());
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~TestServer() {
        stop_.raise();
        acceptor_.join();
        workers_.join_all();
    }

    std::uint16_t port() const { return port_; }

    std::vector<std::string> bodies() const {
        std::lock_guard lock(mutex_);
        return bodies_;
    }
    std::size_t connections() const {
        std::lock_guard lock(mutex_);
        return connections_;
    }
    bool wait_for_bodies(std::size_t count, std::chrono::milliseconds timeout) const {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return bodies_.size() >= count; });
    }

private:
    void accept_loop() {
        while (!stop_.raised()) {
            pollfd fds[2] = {{stop_.fd(), POLLIN, 0}, {listener_.get(), POLLIN, 0}};
            ::poll(fds, 2, 100);
            if (fds[1].revents & POLLIN) {
                Fd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
                if (client) {
                    {
                        std::lock_guard lock(mutex_);
                        ++connections_;
                    }
                    auto owned = std::make_shared<Fd>(std::move(client));
                    workers_.spawn([this, owned] { serve(std::move(*owned)); });
                }
            }
            workers_.reap();
        }
    }

    void serve(Fd fd) {
        Stream stream(std::move(fd), tls_, true);
        if (!stream.handshake(5s)) {
            return;
        }
        std::string buffer;
        while (!stop_.raised()) {
            std::size_t size = complete_message(buffer);
            if (size == 0) {
                Stream::Io io = stream.read_some(buffer, 100ms);
                if (io == Stream::Io::eof || io == Stream::Io::failed) {
                    return;
                }
                continue;
            }
            {
                std::size_t body_at = buffer.find("\r\n\r\n") + 4;
                std::lock_guard lock(mutex_);
                bodies_.push_back(buffer.substr(body_at, size - body_at));
            }
            changed_.notify_all();
            buffer.erase(0, size);
            if (!stream.write_all(reply_, 5s)) {
                return;
            }
        }
    }

    std::string reply_;
    SSL_CTX* tls_;
    Fd listener_;
    std::uint16_t port_ = 0;
    StopSignal stop_;
    ThreadGroup workers_;
    std::thread acceptor_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<std::string> bodies_;
    std::size_t connections_ = 0;
};

struct Exchange {
    bool connected = false;
    int connect_error = 0;
    bool handshake_ok = false;
    bool session_ticket = false; // TLS: see Stream::has_session_ticket()
    std::string reply;           // what arrived, complete or not
    Stream::Io ended = Stream::Io::ok;
    std::chrono::milliseconds took{0};
};

// Reads until one complete reply has arrived, the stream ends, or `timeout` passes.
void read_reply(Stream& stream, Exchange& exchange, std::chrono::milliseconds timeout) {
    auto start = Clock::now();
    auto deadline = start + timeout;
    while (complete_message(exchange.reply) == 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            exchange.ended = Stream::Io::timeout;
            break;
        }
        exchange.ended = stream.read_some(exchange.reply, left);
        if (exchange.ended != Stream::Io::ok) {
            break;
        }
    }
    exchange.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// Connects to `port`, optionally handshakes, sends one request and reads one reply.
Exchange exchange(std::uint16_t port, const std::string& body, SSL_CTX* tls = nullptr,
                  std::chrono::milliseconds timeout = 3s) {
    Exchange result;
    ConnectResult connection = connect_loopback(port, 1s);
    result.connect_error = connection.error;
    if (!connection.fd) {
        return result;
    }
    result.connected = true;
    Stream stream(std::move(connection.fd), tls, false);
    result.handshake_ok = stream.handshake(3s);
    if (!result.handshake_ok) {
        return result;
    }
    if (!stream.write_all(http_request(body), 3s)) {
        result.ended = Stream::Io::failed;
        return result;
    }
    read_reply(stream, result, timeout);
    result.session_ticket = stream.has_session_ticket();
    return result;
}

std::string reply_body(const std::string& reply) {
    std::size_t head_end = reply.find("\r\n\r\n");
    return head_end == std::string::npos ? std::string() : reply.substr(head_end + 4);
}

std::size_t open_fd_count() {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/self/fd")) {
        ++count;
    }
    return count;
}

// Shared per test: a fresh PKI costs a few milliseconds.
struct PkiFixture {
    ScopedTempDir dir{"kiosk-support-test"};
    TestPki pki = make_test_pki(dir.path());
};

} // namespace

// =============================================================================================
// Test PKI

TEST_CASE_METHOD(PkiFixture, "test PKI writes every certificate and key, keys private", "[pki]") {
    for (const CertAndKey* pair :
         {&pki.ca, &pki.server, &pki.expired_server, &pki.wrong_host_server, &pki.unknown_ca,
          &pki.unknown_ca_server, &pki.client_ca, &pki.client, &pki.untrusted_client}) {
        INFO(pair->cert);
        REQUIRE(std::filesystem::is_regular_file(pair->cert));
        REQUIRE(std::filesystem::is_regular_file(pair->key));
        struct stat info {};
        REQUIRE(::stat(pair->key.c_str(), &info) == 0);
        CHECK((info.st_mode & 0777) == 0600);

        // Each key belongs to its certificate.
        X509Ptr cert = load_cert(pair->cert);
        BioPtr bio(BIO_new_file(pair->key.c_str(), "r"));
        std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>> key(
            PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
        REQUIRE(key);
        CHECK(X509_check_private_key(cert.get(), key.get()) == 1);
    }
}

TEST_CASE_METHOD(PkiFixture, "server certificate verifies for 127.0.0.1 and localhost", "[pki]") {
    Verdict verdict = verify(pki.server.cert, pki.ca.cert, X509_PURPOSE_SSL_SERVER, "127.0.0.1");
    INFO(X509_verify_cert_error_string(verdict.error));
    CHECK(verdict.ok);
    X509Ptr cert = load_cert(pki.server.cert);
    CHECK(X509_check_ip_asc(cert.get(), "127.0.0.1", 0) == 1);
    CHECK(X509_check_host(cert.get(), "localhost", 0, 0, nullptr) == 1);
    CHECK(X509_check_ip_asc(cert.get(), "127.0.0.2", 0) == 0);
}

TEST_CASE_METHOD(PkiFixture, "expired server certificate fails as expired", "[pki]") {
    Verdict verdict = verify(pki.expired_server.cert, pki.ca.cert);
    CHECK_FALSE(verdict.ok);
    CHECK(verdict.error == X509_V_ERR_CERT_HAS_EXPIRED);
    // Only the date is wrong: it is for the right host.
    CHECK(X509_check_ip_asc(load_cert(pki.expired_server.cert).get(), "127.0.0.1", 0) == 1);
}

TEST_CASE_METHOD(PkiFixture, "wrong-host certificate chains to the CA but fails the host check",
                 "[pki]") {
    CHECK(verify(pki.wrong_host_server.cert, pki.ca.cert).ok);
    X509Ptr cert = load_cert(pki.wrong_host_server.cert);
    CHECK(X509_check_ip_asc(cert.get(), "127.0.0.1", 0) != 1);
    CHECK(X509_check_host(cert.get(), "localhost", 0, 0, nullptr) != 1);
    Verdict verdict =
        verify(pki.wrong_host_server.cert, pki.ca.cert, X509_PURPOSE_SSL_SERVER, "127.0.0.1");
    CHECK_FALSE(verdict.ok);
    CHECK(verdict.error == X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST_CASE_METHOD(PkiFixture, "a certificate from the unknown CA fails against the trusted CA",
                 "[pki]") {
    Verdict verdict = verify(pki.unknown_ca_server.cert, pki.ca.cert);
    CHECK_FALSE(verdict.ok);
    CHECK(verdict.error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    // It is otherwise sound: its own CA accepts it.
    CHECK(verify(pki.unknown_ca_server.cert, pki.unknown_ca.cert).ok);
}

TEST_CASE_METHOD(PkiFixture, "client certificate verifies against the client CA only", "[pki]") {
    CHECK(verify(pki.client.cert, pki.client_ca.cert, X509_PURPOSE_SSL_CLIENT).ok);
    CHECK_FALSE(verify(pki.client.cert, pki.ca.cert, X509_PURPOSE_SSL_CLIENT).ok);
    CHECK_FALSE(verify(pki.untrusted_client.cert, pki.client_ca.cert, X509_PURPOSE_SSL_CLIENT).ok);
    // A device certificate cannot pose as a server, nor a server certificate as a device.
    CHECK_FALSE(verify(pki.client.cert, pki.client_ca.cert, X509_PURPOSE_SSL_SERVER).ok);
    CHECK_FALSE(verify(pki.server.cert, pki.ca.cert, X509_PURPOSE_SSL_CLIENT).ok);
}

TEST_CASE_METHOD(PkiFixture, "public-key pin is curl's sha256// form", "[pki]") {
    CHECK(pki.server_pin.rfind("sha256//", 0) == 0);
    CHECK(pki.server_pin.size() == 8 + 44);
    CHECK(pki.server_pin == public_key_pin(pki.server.cert));
    CHECK(pki.server_pin == independent_pin(pki.server.cert));
    CHECK(pki.other_pin == independent_pin(pki.unknown_ca_server.cert));
    CHECK(pki.server_pin != pki.other_pin);

    if (!have_command("openssl") || !have_command("base64")) {
        WARN("openssl or base64 command missing; pipeline comparison skipped");
        return;
    }
    // The recipe from curl's documentation for CURLOPT_PINNEDPUBLICKEY.
    CommandResult piped = run("openssl x509 -in " + quoted(pki.server.cert) +
                              " -pubkey -noout | openssl pkey -pubin -outform der"
                              " | openssl dgst -sha256 -binary | base64");
    REQUIRE(piped.exit_code == 0);
    while (!piped.output.empty() && std::isspace(static_cast<unsigned char>(piped.output.back()))) {
        piped.output.pop_back();
    }
    CHECK(pki.server_pin == "sha256//" + piped.output);
}

TEST_CASE_METHOD(PkiFixture, "TLS handshakes with the PKI succeed and fail as intended", "[pki]") {
    SslContextPtr client = client_tls(pki.ca.cert);
    struct Case {
        const CertAndKey* identity;
        bool succeeds;
        long verify_error;
    };
    for (Case c :
         {Case{&pki.server, true, X509_V_OK},
          Case{&pki.expired_server, false, X509_V_ERR_CERT_HAS_EXPIRED},
          Case{&pki.wrong_host_server, false, X509_V_ERR_IP_ADDRESS_MISMATCH},
          Case{&pki.unknown_ca_server, false, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY}}) {
        INFO(c.identity->cert);
        SslContextPtr server_context = server_tls(*c.identity);
        TestServer server("ok", server_context.get());
        ConnectResult connection = connect_loopback(server.port(), 1s);
        REQUIRE(connection.fd);
        Stream stream(std::move(connection.fd), client.get(), false);
        CHECK(stream.handshake(3s) == c.succeeds);
        CHECK(stream.verify_result() == c.verify_error);
    }
}

// =============================================================================================
// Fault proxy, plain TCP

TEST_CASE("fault proxy: pass forwards both ways and counts bytes", "[fault_proxy]") {
    TestServer server("pong");
    FaultProxy proxy(server.port());
    CHECK(proxy.port() != server.port());

    Exchange result = exchange(proxy.port(), "ping");
    CHECK(reply_body(result.reply) == "pong");
    CHECK(server.bodies() == std::vector<std::string>{"ping"});

    result = exchange(proxy.port(), "ping again");
    CHECK(reply_body(result.reply) == "pong");

    REQUIRE(proxy.connection_count() == 2);
    REQUIRE(proxy.wait_until_idle(2s));
    ProxyConnectionStats first = proxy.connections()[0];
    CHECK(first.mode == FaultMode::pass);
    CHECK_FALSE(first.tls);
    CHECK(first.reached_server);
    CHECK(first.bytes_to_server == http_request("ping").size());
    CHECK(first.request_bytes_to_server == first.bytes_to_server);
    CHECK(first.bytes_to_client == http_reply("pong").size());
    CHECK(proxy.bytes_to_server() ==
          http_request("ping").size() + http_request("ping again").size());

    proxy.reset_counters();
    CHECK(proxy.connection_count() == 0);
    CHECK(proxy.bytes_to_server() == 0);
}

TEST_CASE("fault proxy: refuse makes connect fail, and the port comes back", "[fault_proxy]") {
    TestServer server("pong");
    FaultProxy proxy(server.port(), FaultMode::refuse);
    std::uint16_t port = proxy.port();

    ConnectResult refused = connect_loopback(port, 1s);
    CHECK_FALSE(refused.fd);
    CHECK(refused.error == ECONNREFUSED);

    proxy.set_mode(FaultMode::pass);
    CHECK(reply_body(exchange(port, "ping").reply) == "pong");

    proxy.set_mode(FaultMode::refuse);
    CHECK(connect_loopback(port, 1s).error == ECONNREFUSED);
    CHECK(proxy.connection_count() == 1);
    CHECK(server.bodies().size() == 1);
}

TEST_CASE("fault proxy: reset_on_accept resets, the server never sees it", "[fault_proxy]") {
    TestServer server("pong");
    FaultProxy proxy(server.port(), FaultMode::reset_on_accept);

    Exchange result = exchange(proxy.port(), "ping");
    CHECK(result.reply.empty());
    // The RST arrives right after the handshake: either the connect or the first I/O fails.
    CHECK((result.connect_error == ECONNRESET || result.ended == Stream::Io::failed));
    CHECK(proxy.wait_for_connections(1, 1s));
    CHECK(server.connections() == 0);
    CHECK(proxy.connections()[0].reached_server == false);
}

TEST_CASE("fault proxy: blackhole accepts and never answers", "[fault_proxy]") {
    TestServer server("pong");
    FaultProxy proxy(server.port(), FaultMode::blackhole);

    Exchange result = exchange(proxy.port(), "ping", nullptr, 500ms);
    CHECK(result.connected);
    CHECK(result.reply.empty());
    CHECK(result.ended == Stream::Io::timeout);
    CHECK(result.took >= 450ms);
    CHECK(server.connections() == 0);
    REQUIRE(proxy.wait_until_idle(2s));
    CHECK(proxy.bytes_to_server() == 0);
}

TEST_CASE("fault proxy: blackhole_connect makes connect hang, then recovers", "[fault_proxy]") {
    TestServer server("pong");
    FaultProxy proxy(server.port(), FaultMode::pass);
    proxy.set_mode(FaultMode::blackhole_connect);

    auto start = Clock::now();
    ConnectResult hung = connect_loopback(proxy.port(), 300ms);
    CHECK_FALSE(hung.fd);
    CHECK(hung.error == ETIMEDOUT);
    CHECK(Clock::now() - start >= 290ms);

    proxy.set_mode(FaultMode::pass);
    CHECK(reply_body(exchange(proxy.port(), "ping").reply) == "pong");
    CHECK(server.bodies().size() == 1);
    // The proxy's own queue fillers are not counted as connections.
    CHECK(proxy.connection_count() == 1);
}

TEST_CASE("fault proxy: stall forwards the request and holds the reply", "[fault_proxy]") {
    TestServer server("pong");
    FaultProxy proxy(server.port(), FaultMode::stall);

    Exchange result = exchange(proxy.port(), "stalled request", nullptr, 500ms);
    CHECK(result.connected);
    CHECK(result.reply.empty());
    CHECK(result.ended == Stream::Io::timeout);
    CHECK(server.wait_for_bodies(1, 1s));
    CHECK(server.bodies() == std::vector<std::string>{"stalled request"});
    REQUIRE(proxy.wait_until_idle(2s));
    ProxyConnectionStats stats = proxy.connections().at(0);
    CHECK(stats.bytes_from_server == http_reply("pong").size());
    CHECK(stats.bytes_to_client == 0);
}

TEST_CASE("fault proxy: slow paces the reply", "[fault_proxy]") {
    std::string big(2048, 'x');
    TestServer server(big);
    FaultProxy proxy(server.port(), FaultMode::slow);
    proxy.set_slow_rate(1024);

    Exchange result = exchange(proxy.port(), "ping", nullptr, 4s);
    CHECK(reply_body(result.reply) == big);
    CHECK(result.took >= 1500ms);
    CHECK(result.took < 3500ms);
}

TEST_CASE("fault proxy: cut_reply_after_commit delivers the request, not one reply byte",
          "[fault_proxy]") {
    TestServer server("committed");
    FaultProxy proxy(server.port(), FaultMode::cut_reply_after_commit);

    Exchange result = exchange(proxy.port(), "the whole request");
    CHECK(result.connected);
    CHECK(result.reply.empty());
    CHECK((result.ended == Stream::Io::eof || result.ended == Stream::Io::failed));
    CHECK(server.bodies() == std::vector<std::string>{"the whole request"});
    REQUIRE(proxy.wait_until_idle(2s));
    ProxyConnectionStats stats = proxy.connections().at(0);
    CHECK(stats.bytes_to_server == http_request("the whole request").size());
    CHECK(stats.bytes_from_server == http_reply("committed").size());
    CHECK(stats.bytes_to_client == 0);

    // A retry after the network heals reaches the server a second time: deduplication is
    // the protocol's job, and this is the case that proves it.
    proxy.set_mode(FaultMode::pass);
    CHECK(reply_body(exchange(proxy.port(), "the whole request").reply) == "committed");
    CHECK(server.bodies().size() == 2);
}

TEST_CASE("fault proxy: cut_reply_midway forwards half the reply then resets", "[fault_proxy]") {
    std::string big(4000, 'y');
    TestServer server(big);
    FaultProxy proxy(server.port(), FaultMode::cut_reply_midway);

    Exchange result = exchange(proxy.port(), "ping");
    std::size_t full = http_reply(big).size();
    CHECK(result.reply.size() == full / 2);
    CHECK(result.ended == Stream::Io::failed);
    CHECK(server.bodies().size() == 1);
}

TEST_CASE("fault proxy: set_mode resets kept-alive connections unless asked not to",
          "[fault_proxy]") {
    TestServer server("pong");
    FaultProxy proxy(server.port());

    auto open_and_use = [&] {
        ConnectResult connection = connect_loopback(proxy.port(), 1s);
        REQUIRE(connection.fd);
        auto stream = std::make_unique<Stream>(std::move(connection.fd), nullptr, false);
        REQUIRE(stream->write_all(http_request("one"), 1s));
        Exchange first;
        read_reply(*stream, first, 1s);
        REQUIRE(reply_body(first.reply) == "pong");
        return stream;
    };

    SECTION("reset") {
        auto stream = open_and_use();
        proxy.set_mode(FaultMode::stall);
        Exchange after;
        read_reply(*stream, after, 1s);
        CHECK(after.reply.empty());
        CHECK(after.ended == Stream::Io::failed);
        CHECK(after.took < 500ms);
    }
    SECTION("keep") {
        auto stream = open_and_use();
        proxy.set_mode(FaultMode::stall, FaultProxy::OpenConnections::keep);
        REQUIRE(stream->write_all(http_request("two"), 1s));
        Exchange second;
        read_reply(*stream, second, 1s);
        CHECK(reply_body(second.reply) == "pong"); // still in pass mode
        // New connections get the new mode.
        CHECK(exchange(proxy.port(), "three", nullptr, 300ms).ended == Stream::Io::timeout);
    }
}

TEST_CASE("fault proxy: destructor is prompt and leaks no descriptors", "[fault_proxy]") {
    TestServer server("pong");
    std::size_t fds_before = open_fd_count();
    Fd stalled;
    Fd blackholed;
    auto proxy = std::make_unique<FaultProxy>(server.port(), FaultMode::stall);
    {
        ConnectResult connection = connect_loopback(proxy->port(), 1s);
        REQUIRE(connection.fd);
        REQUIRE(send_all(connection.fd.get(), http_request("held"), 1s));
        stalled = std::move(connection.fd);
        REQUIRE(server.wait_for_bodies(1, 1s));
    }
    proxy->set_mode(FaultMode::blackhole, FaultProxy::OpenConnections::keep);
    blackholed = connect_loopback(proxy->port(), 1s).fd;
    REQUIRE(blackholed);
    REQUIRE(proxy->wait_for_connections(2, 1s));
    proxy->set_mode(FaultMode::blackhole_connect, FaultProxy::OpenConnections::keep);

    auto start = Clock::now();
    proxy.reset();
    CHECK(Clock::now() - start < 1s);

    // Both client connections see the proxy go away.
    CHECK(read_until_closed(stalled.get(), 1s).timed_out == false);
    CHECK(read_until_closed(blackholed.get(), 1s).timed_out == false);
    stalled.reset();
    blackholed.reset();
    // The test server closes its side of the stalled connection on its own schedule.
    auto deadline = Clock::now() + 2s;
    while (open_fd_count() != fds_before && Clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    CHECK(open_fd_count() == fds_before);
}

// =============================================================================================
// Fault proxy, TLS: the handshake passes, the modes act on the reply

TEST_CASE_METHOD(PkiFixture, "fault proxy over TLS: reply modes leave the handshake alone",
                 "[fault_proxy][tls]") {
    SslContextPtr server_context = server_tls(pki.server);
    TestServer server("tls reply", server_context.get());
    FaultProxy proxy(server.port());

    int version = GENERATE(TLS1_3_VERSION, TLS1_2_VERSION);
    INFO((version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2"));
    SslContextPtr client = client_tls(pki.ca.cert, version);

    SECTION("pass") {
        Exchange result = exchange(proxy.port(), "tls body", client.get());
        CHECK(reply_body(result.reply) == "tls reply");
        REQUIRE(proxy.wait_until_idle(2s));
        ProxyConnectionStats stats = proxy.connections().at(0);
        CHECK(stats.tls);
        CHECK(stats.request_bytes_to_server >= http_request("tls body").size());
        CHECK(stats.request_bytes_to_server < stats.bytes_to_server);
    }
    SECTION("stall") {
        proxy.set_mode(FaultMode::stall);
        Exchange result = exchange(proxy.port(), "tls body", client.get(), 500ms);
        CHECK(result.handshake_ok);
        CHECK(result.reply.empty());
        CHECK(result.ended == Stream::Io::timeout);
        CHECK(server.wait_for_bodies(1, 1s));
        // The tickets the server sends after the handshake are not "the reply".
        CHECK(result.session_ticket);
    }
    SECTION("cut_reply_after_commit") {
        proxy.set_mode(FaultMode::cut_reply_after_commit);
        Exchange result = exchange(proxy.port(), "tls body", client.get());
        CHECK(result.handshake_ok);
        CHECK(result.reply.empty());
        CHECK(result.ended == Stream::Io::failed);
        CHECK(server.bodies() == std::vector<std::string>{"tls body"});

        proxy.set_mode(FaultMode::pass);
        CHECK(reply_body(exchange(proxy.port(), "tls body", client.get()).reply) == "tls reply");
        CHECK(server.bodies().size() == 2);
    }
    SECTION("cut_reply_midway") {
        proxy.set_mode(FaultMode::cut_reply_midway);
        Exchange result = exchange(proxy.port(), "tls body", client.get());
        CHECK(result.handshake_ok);
        CHECK(result.reply.empty()); // half a TLS record decrypts to nothing
        CHECK(result.ended == Stream::Io::failed);
        CHECK(server.bodies().size() == 1);
        REQUIRE(proxy.wait_until_idle(2s));
        CHECK(proxy.connections().at(0).bytes_to_client > 0);
    }
    SECTION("slow") {
        std::string big(1024, 'z');
        TestServer big_server(big, server_context.get());
        FaultProxy slow(big_server.port(), FaultMode::slow);
        slow.set_slow_rate(1024);
        ConnectResult connection = connect_loopback(slow.port(), 1s);
        REQUIRE(connection.fd);
        Stream stream(std::move(connection.fd), client.get(), false);
        auto start = Clock::now();
        REQUIRE(stream.handshake(3s));
        CHECK(Clock::now() - start < 600ms); // the handshake is not paced
        REQUIRE(stream.write_all(http_request("ping"), 1s));
        Exchange result;
        read_reply(stream, result, 4s);
        CHECK(reply_body(result.reply) == big);
        CHECK(result.took >= 800ms);
    }
}

TEST_CASE_METHOD(PkiFixture, "fault proxy over TLS: a failed handshake sends no request bytes",
                 "[fault_proxy][tls]") {
    SslContextPtr server_context = server_tls(pki.unknown_ca_server);
    TestServer server("never", server_context.get());
    FaultProxy proxy(server.port());
    int version = GENERATE(TLS1_3_VERSION, TLS1_2_VERSION);
    SslContextPtr client = client_tls(pki.ca.cert, version);

    Exchange result = exchange(proxy.port(), "secret body", client.get());
    CHECK_FALSE(result.handshake_ok);
    REQUIRE(proxy.wait_for_connections(1, 1s));
    REQUIRE(proxy.wait_until_idle(2s));
    ProxyConnectionStats stats = proxy.connections().at(0);
    CHECK(stats.tls);
    CHECK(stats.bytes_to_server > 0); // the ClientHello and the alert
    CHECK(stats.request_bytes_to_server == 0);
    CHECK(server.bodies().empty());
}

// =============================================================================================
// CONNECT proxy

namespace {

struct ProxyReply {
    std::string head;
    Fd fd; // the connection, for tunnelling after a 200
};

ProxyReply send_connect(std::uint16_t proxy_port, const std::string& target,
                        const std::string& extra_headers = "",
                        const std::string& method = "CONNECT") {
    ConnectResult connection = connect_loopback(proxy_port, 1s);
    REQUIRE(connection.fd);
    std::string request =
        method + " " + target + " HTTP/1.1\r\nHost: " + target + "\r\n" + extra_headers + "\r\n";
    REQUIRE(send_all(connection.fd.get(), request, 1s));
    ReadResult head = read_until(connection.fd.get(), "\r\n\r\n", 2s);
    return {head.data, std::move(connection.fd)};
}

std::string status_line(const std::string& head) {
    return head.substr(0, head.find("\r\n"));
}

} // namespace

TEST_CASE("CONNECT proxy tunnels to a loopback server", "[connect_proxy]") {
    TestServer server("through the tunnel");
    ConnectProxy proxy;
    CHECK(proxy.url() == "http://127.0.0.1:" + std::to_string(proxy.port()));

    ProxyReply reply = send_connect(proxy.port(), "127.0.0.1:" + std::to_string(server.port()));
    REQUIRE(status_line(reply.head) == "HTTP/1.1 200 Connection established");
    Stream stream(std::move(reply.fd), nullptr, false);
    REQUIRE(stream.write_all(http_request("hello"), 1s));
    Exchange result;
    read_reply(stream, result, 2s);
    CHECK(reply_body(result.reply) == "through the tunnel");
    CHECK(server.bodies() == std::vector<std::string>{"hello"});
    CHECK(proxy.connects_served() == 1);
    CHECK_FALSE(proxy.last_proxy_authorization());

    // localhost is dialled as 127.0.0.1.
    ProxyReply again = send_connect(proxy.port(), "localhost:" + std::to_string(server.port()));
    CHECK(status_line(again.head) == "HTTP/1.1 200 Connection established");
    CHECK(proxy.connects_served() == 2);
}

TEST_CASE("CONNECT proxy enforces Basic authentication", "[connect_proxy]") {
    TestServer server("authenticated");
    ConnectProxy proxy(ProxyCredentials{"kiosk", "s3cret"});
    std::string target = "127.0.0.1:" + std::to_string(server.port());

    ProxyReply missing = send_connect(proxy.port(), target);
    CHECK(status_line(missing.head) == "HTTP/1.1 407 Proxy Authentication Required");
    CHECK(missing.head.find("\r\nProxy-Authenticate: Basic realm=\"test\"\r\n") !=
          std::string::npos);
    CHECK(read_until_closed(missing.fd.get(), 1s).eof); // the proxy closes after a 407

    std::string wrong = basic_authorization("kiosk", "guess");
    ProxyReply refused =
        send_connect(proxy.port(), target, "Proxy-Authorization: " + wrong + "\r\n");
    CHECK(status_line(refused.head) == "HTTP/1.1 407 Proxy Authentication Required");

    std::string right = basic_authorization("kiosk", "s3cret");
    CHECK(right == "Basic a2lvc2s6czNjcmV0");
    ProxyReply accepted =
        send_connect(proxy.port(), target, "Proxy-Authorization: " + right + "\r\n");
    REQUIRE(status_line(accepted.head) == "HTTP/1.1 200 Connection established");
    Stream stream(std::move(accepted.fd), nullptr, false);
    REQUIRE(stream.write_all(http_request("hi"), 1s));
    Exchange result;
    read_reply(stream, result, 2s);
    CHECK(reply_body(result.reply) == "authenticated");

    CHECK(proxy.connects_served() == 1);
    CHECK(proxy.last_proxy_authorization() == right);
    std::vector<ConnectRequestRecord> requests = proxy.requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].status == 407);
    CHECK_FALSE(requests[0].proxy_authorization);
    CHECK(requests[1].status == 407);
    CHECK(requests[1].proxy_authorization == wrong);
    CHECK(requests[2].status == 200);
    CHECK(requests[2].target == target);
}

TEST_CASE("CONNECT proxy refuses anything but loopback CONNECTs", "[connect_proxy]") {
    ConnectProxy proxy;
    CHECK(status_line(send_connect(proxy.port(), "10.1.2.3:443").head) == "HTTP/1.1 403 Forbidden");
    CHECK(status_line(send_connect(proxy.port(), "example.invalid:443").head) ==
          "HTTP/1.1 403 Forbidden");
    CHECK(status_line(send_connect(proxy.port(), "[::1]:443").head) == "HTTP/1.1 403 Forbidden");
    CHECK(status_line(send_connect(proxy.port(), "127.0.0.2:443").head) ==
          "HTTP/1.1 403 Forbidden");
    CHECK(status_line(send_connect(proxy.port(), "http://127.0.0.1/", "", "GET").head) ==
          "HTTP/1.1 405 Method Not Allowed");
    CHECK(proxy.connects_served() == 0);
    CHECK(proxy.requests().size() == 5);
}

TEST_CASE_METHOD(PkiFixture, "CONNECT proxy carries a verified TLS session",
                 "[connect_proxy][tls]") {
    SslContextPtr server_context = server_tls(pki.server);
    TestServer server("tls via proxy", server_context.get());
    ConnectProxy proxy;
    SslContextPtr client = client_tls(pki.ca.cert);

    ProxyReply reply = send_connect(proxy.port(), "127.0.0.1:" + std::to_string(server.port()));
    REQUIRE(status_line(reply.head) == "HTTP/1.1 200 Connection established");
    Stream stream(std::move(reply.fd), client.get(), false);
    REQUIRE(stream.handshake(3s));
    REQUIRE(stream.write_all(http_request("secure"), 1s));
    Exchange result;
    read_reply(stream, result, 2s);
    CHECK(reply_body(result.reply) == "tls via proxy");
}

// =============================================================================================
// The same pieces driven by the curl tool, which uses the libcurl the kiosk links: the pin
// format, the CONNECT dialogue and the fault modes are what curl itself expects.

TEST_CASE_METHOD(PkiFixture, "curl accepts the pin, the proxy and sees the faults", "[curl]") {
    if (!have_command("curl")) {
        WARN("curl command missing; skipped");
        return;
    }
    SslContextPtr server_context = server_tls(pki.server);
    TestServer server("curl reply", server_context.get());
    std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/fhir";
    // -q: no ~/.curlrc. --noproxy '*': never an environment proxy for the direct cases.
    std::string curl =
        "curl -q -sS --max-time 5 --cacert " + quoted(pki.ca.cert) + " --data-binary curl-body ";

    SECTION("pins") {
        CommandResult ok =
            run(curl + "--noproxy '*' --pinnedpubkey '" + pki.server_pin + "' " + url);
        CHECK(ok.exit_code == 0);
        CHECK(ok.output == "curl reply");
        CommandResult mismatch =
            run(curl + "--noproxy '*' --pinnedpubkey '" + pki.other_pin + "' " + url);
        CHECK(mismatch.exit_code == 90); // CURLE_SSL_PINNEDPUBKEYNOTMATCH
        CHECK(server.bodies().size() == 1);
    }
    SECTION("CONNECT proxy with and without credentials") {
        ConnectProxy proxy(ProxyCredentials{"kiosk", "s3cret"});
        CommandResult without = run(curl + "-x " + proxy.url() + " " + url);
        CHECK(without.exit_code == 56); // CURLE_RECV_ERROR: CONNECT answered 407
        CommandResult with = run(curl + "-x " + proxy.url() + " --proxy-user kiosk:s3cret " + url);
        CHECK(with.exit_code == 0);
        CHECK(with.output == "curl reply");
        CHECK(proxy.connects_served() == 1);
        CHECK(proxy.last_proxy_authorization() == basic_authorization("kiosk", "s3cret"));
    }
    SECTION("fault proxy: cut after commit, then pass") {
        FaultProxy proxy(server.port(), FaultMode::cut_reply_after_commit);
        std::string via = "https://127.0.0.1:" + std::to_string(proxy.port()) + "/fhir";
        CommandResult cut = run(curl + "--noproxy '*' " + via);
        CHECK(cut.exit_code != 0);
        CHECK(cut.output.empty());
        CHECK(server.bodies() == std::vector<std::string>{"curl-body"});
        proxy.set_mode(FaultMode::pass);
        CommandResult healed = run(curl + "--noproxy '*' " + via);
        CHECK(healed.exit_code == 0);
        CHECK(server.bodies().size() == 2);
    }
}
