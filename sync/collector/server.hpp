#pragma once

// The HTTPS endpoint: cpp-httplib's SSLServer with OpenSSL, routes for the FHIR base, bearer
// token authentication, optional client certificates, and one log line per request.
//
// Tests run it in-process on a free loopback port: create(), bind(), run() on a thread, stop().

#include "collector/config.hpp"
#include "collector/error.hpp"
#include "collector/registry.hpp"

#include <functional>
#include <memory>
#include <string_view>

namespace httplib {
class Server;
} // namespace httplib

namespace kiosk::collector {

// Receives finished log lines (no newline). Called from the server's worker threads, so it must
// be thread-safe. Lines never contain answers or tokens.
using LogSink = std::function<void(std::string_view line)>;

// Writes each line to stderr whole, one writer at a time.
LogSink stderr_log_sink();

// The collector's request handling without sockets or TLS: the routes under the FHIR base, bearer
// token authentication, storage, the request size limit, and an OperationOutcome and a log line
// for every answer, including httplib's own errors. Server installs it on its SSLServer; the fuzz
// target (tests/fuzz/) installs it on a plain httplib::Server and hands it raw requests, so both
// run exactly the same code.
class RequestHandlers {
public:
    // Opens the database. Fails with a message naming the configuration key and the file.
    static Result<std::unique_ptr<RequestHandlers>> create(const Config& config, Registry registry,
                                                           LogSink log);

    RequestHandlers(const RequestHandlers&) = delete;
    RequestHandlers& operator=(const RequestHandlers&) = delete;
    ~RequestHandlers();

    // Sets the routes, the error and exception handlers and the request size limit on `http`.
    // The handlers refer to this object: it must outlive every request `http` serves.
    void install(httplib::Server& http);

private:
    struct Impl;
    explicit RequestHandlers(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

class Server {
public:
    // Reads the TLS files named in `config` and opens the database. Fails with a message naming
    // the configuration key and the file.
    static Result<std::unique_ptr<Server>> create(const Config& config, Registry registry,
                                                  LogSink log);

    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    ~Server();

    // Binds the listening socket; returns the port (useful when the configuration says 0).
    Result<int> bind();
    // Serves until stop(). Call after bind().
    void run();
    // Ends run() from any thread: stops accepting, lets requests in progress finish.
    void stop();
    bool running() const;

private:
    struct Impl;
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::collector
