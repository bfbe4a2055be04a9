#pragma once

// A minimal HTTP CONNECT proxy on 127.0.0.1, standing in for a hospital's web proxy in the
// "proxy from settings / from the environment, with and without proxy authentication" tests.
//
// It answers one CONNECT per connection:
//   - anything but CONNECT: 405, then close;
//   - credentials required and Proxy-Authorization is not exactly Basic base64(user:pass):
//     407 with `Proxy-Authenticate: Basic realm="test"`, then close;
//   - a target that is not 127.0.0.1 or localhost (always dialled as 127.0.0.1): 403, then close,
//     so a test can never reach beyond the machine through it;
//   - the target refuses: 502, then close;
//   - otherwise `200 Connection established`, then bytes flow both ways until either side closes.
// Authentication is checked before the target, as real proxies do. An accept thread plus one
// thread per connection, every wait bounded; the destructor closes everything and joins.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::testing {

struct ProxyCredentials {
    std::string user;
    std::string password;
};

// What the proxy saw and answered for one request.
struct ConnectRequestRecord {
    std::string method;                             // "CONNECT" for any sane client
    std::string target;                             // as sent, e.g. "127.0.0.1:8443"
    std::optional<std::string> proxy_authorization; // the header's value, if sent
    int status = 0;                                 // what the proxy answered
};

class ConnectProxy {
public:
    // Without credentials no authentication is asked for.
    explicit ConnectProxy(std::optional<ProxyCredentials> required = std::nullopt);
    ~ConnectProxy();
    ConnectProxy(const ConnectProxy&) = delete;
    ConnectProxy& operator=(const ConnectProxy&) = delete;

    std::uint16_t port() const;
    // "http://127.0.0.1:<port>", the form curl's CURLOPT_PROXY and https_proxy take.
    std::string url() const;

    // CONNECT requests answered with 200 (tunnels opened).
    std::size_t connects_served() const;
    // Every request, in order, whatever the answer.
    std::vector<ConnectRequestRecord> requests() const;
    // The value of the latest Proxy-Authorization header seen on any request.
    std::optional<std::string> last_proxy_authorization() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "Basic " + base64(user ":" password): the Proxy-Authorization value for these credentials.
std::string basic_authorization(const std::string& user, const std::string& password);

} // namespace kiosk::testing
