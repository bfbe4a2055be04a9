#pragma once

// A TCP proxy on 127.0.0.1 that misbehaves on request, put between the kiosk and the collector to
// provoke each network failure the delivery worker must survive.
//
// The proxy listens on an OS-chosen port and forwards to 127.0.0.1:target_port. It runs an accept
// thread plus one thread per connection; every wait is bounded (at most ~100 ms between checks),
// so the destructor returns promptly and leaves no thread or descriptor behind.
//
// "The request" and "the reply". Several modes act on the reply only. The proxy sees bytes, not
// HTTP, so it defines the reply as what the server sends after the first request byte reached it:
//  - plain TCP: the first byte the client sends starts the request;
//  - TLS (the client's first record is a handshake record): the handshake passes untouched; the
//    request starts with the client's first application-data record (TLS 1.2), or after the
//    client's Finished, its first encrypted record (TLS 1.3). For TLS 1.3 the proxy holds the
//    request back until the server has been quiet for 50 ms (at most 500 ms), so the
//    NewSessionTicket messages the server sends after the handshake pass as handshake, not
//    reply. A stalled or cut connection therefore always has a completed TLS handshake.
// "The whole reply" is everything the server sends until it closes or pauses for 100 ms.
//
// Modes are read when a connection is accepted. set_mode() waits until the new mode is in force
// and, by default, resets connections still open, so a kept-alive connection cannot slip an old
// mode into the next request.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace kiosk::testing {

enum class FaultMode {
    // Forward both ways untouched.
    pass,
    // Nothing listens: the port stays bound but not listening, so connect() fails at once
    // with ECONNREFUSED (the kernel answers the SYN with a RST).
    refuse,
    // Accept, then close with SO_LINGER 0: the client sees the connection reset (ECONNRESET on
    // its first read or write, or while connecting/handshaking). The server is never contacted.
    reset_on_accept,
    // Accept and then never read nor answer (the TCP handshake completes; TLS handshake and
    // request hang). The server is never contacted. Held until the client gives up.
    blackhole,
    // "Connect black-holed": the listen backlog is set to 0 and filled by the proxy itself, and
    // nothing is accepted, so the kernel drops new SYNs and connect() hangs until the client's
    // connect timeout. Leaving this mode restores the backlog.
    blackhole_connect,
    // Forward the request; read the reply from the server but never forward it.
    stall,
    // Forward the request at full speed and the reply at slow_rate() bytes per second.
    slow,
    // Forward the whole request, read the whole reply from the server (so it has committed and
    // answered), then close the client connection (FIN) without sending it a single reply byte.
    cut_reply_after_commit,
    // Read the whole reply, forward its first half, then reset the client connection.
    cut_reply_midway,
};

std::string_view to_string(FaultMode mode);

// What happened on one accepted connection.
struct ProxyConnectionStats {
    FaultMode mode = FaultMode::pass; // the mode it was accepted in
    bool tls = false;                 // the client opened with a TLS handshake record
    bool reached_server = false;      // the proxy connected to the target for it
    // Every byte written to the server, handshake included.
    std::uint64_t bytes_to_server = 0;
    // Bytes written to the server from the start of the request (see above): the whole stream
    // for plain TCP, the application-data records for TLS. A TLS 1.3 client that closes after a
    // failed post-handshake check (a pin mismatch, say) sends one encrypted close_notify record
    // of 24 bytes, which counts here; any HTTP request is far larger.
    std::uint64_t request_bytes_to_server = 0;
    std::uint64_t bytes_from_server = 0;
    std::uint64_t bytes_to_client = 0;
    bool open = true; // the proxy still holds the connection
};

class FaultProxy {
public:
    enum class OpenConnections { reset, keep };

    explicit FaultProxy(std::uint16_t target_port, FaultMode mode = FaultMode::pass);
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    // The port clients connect to, on 127.0.0.1.
    std::uint16_t port() const;
    std::uint16_t target_port() const;

    // Thread-safe. Returns once new connections get `mode`; throws if the listener could not be
    // switched (port taken while refusing, which loopback tests never see).
    void set_mode(FaultMode mode, OpenConnections open = OpenConnections::reset);
    FaultMode mode() const;

    // Rate for FaultMode::slow, read when a connection's reply starts. Default 1024 bytes/s.
    void set_slow_rate(std::size_t bytes_per_second);
    std::size_t slow_rate() const;

    // Connections accepted since construction or reset_counters(), in the order accepted.
    std::size_t connection_count() const;
    std::vector<ProxyConnectionStats> connections() const;
    // Sums over connections().
    std::uint64_t bytes_to_server() const;
    std::uint64_t request_bytes_to_server() const;
    void reset_counters();

    // Waits until at least `count` connections have been accepted; false on timeout.
    bool wait_for_connections(std::size_t count, std::chrono::milliseconds timeout) const;
    // Waits until the proxy holds no connection open, so their counters are final (a client
    // can read a reply before the proxy thread has counted it); false on timeout.
    bool wait_until_idle(std::chrono::milliseconds timeout) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::testing
