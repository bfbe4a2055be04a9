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

namespace kiosk::collector {

// Receives finished log lines (no newline). Called from the server's worker threads, so it must
// be thread-safe. Lines never contain answers or tokens.
using LogSink = std::function<void(std::string_view line)>;

// Writes each line to stderr whole, one writer at a time.
LogSink stderr_log_sink();

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
