#pragma once

// Small POSIX socket helpers for the test servers and proxies. Everything here is bound to
// 127.0.0.1: no helper takes an address, so no test can reach beyond the machine by mistake.
//
// Test-support code throws std::runtime_error (with the call and errno text) for failures that
// mean the test environment is broken (no sockets, no ports); Catch2 reports those with the
// message. Outcomes a test wants to assert on (refused, reset, timed out) come back as values.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace kiosk::testing {

// Owns one file descriptor; closes it on destruction.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset(std::exchange(other.fd_, -1));
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

// A TCP socket listening on 127.0.0.1:port (0: the OS chooses), close-on-exec, SO_REUSEADDR.
Fd listen_loopback(std::uint16_t port = 0, int backlog = 128);

// The local port a socket is bound to.
std::uint16_t local_port(int fd);

struct ConnectResult {
    Fd fd;         // connected, blocking socket; invalid on failure
    int error = 0; // errno of the failure: ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...
};

// Connects to 127.0.0.1:port, giving up after `timeout` (error ETIMEDOUT).
ConnectResult connect_loopback(std::uint16_t port, std::chrono::milliseconds timeout);

void set_nonblocking(int fd, bool on);

// Closes so that the peer gets a RST instead of a FIN (SO_LINGER with a zero timeout).
void close_with_reset(Fd& fd);

// Sends all of `data` on a socket (blocking or not), waiting at most `timeout` in total.
// False on error (EPIPE, ECONNRESET, ...) or timeout.
bool send_all(int fd, std::string_view data, std::chrono::milliseconds timeout);

struct ReadResult {
    std::string data;
    bool eof = false;       // the peer closed cleanly (FIN)
    bool reset = false;     // the read failed (ECONNRESET and the like)
    bool timed_out = false; // `timeout` passed with the connection still open
    int error = 0;          // errno when `reset`
};

// Reads until the peer closes, the read fails, `max_bytes` have arrived, or `timeout` passes.
ReadResult read_until_closed(int fd, std::chrono::milliseconds timeout,
                             std::size_t max_bytes = std::size_t(16) << 20);

// Reads until `terminator` has been seen (inclusive), with the same stopping rules.
ReadResult read_until(int fd, std::string_view terminator, std::chrono::milliseconds timeout,
                      std::size_t max_bytes = 64 * 1024);

// Sets SIGPIPE to be ignored for the whole process. The helpers here send with MSG_NOSIGNAL,
// but OpenSSL (and so any in-process TLS server or client) writes with write(2): a peer that
// has gone away would otherwise kill the test program. Call it once, before starting servers.
void ignore_sigpipe();

// A one-way "stop now" flag that can also wake a poll(): fd() becomes readable once raised.
class StopSignal {
public:
    StopSignal();
    StopSignal(const StopSignal&) = delete;
    StopSignal& operator=(const StopSignal&) = delete;

    void raise() noexcept;
    bool raised() const noexcept { return raised_.load(); }
    int fd() const noexcept { return event_.get(); }

private:
    Fd event_;
    std::atomic<bool> raised_{false};
};

// Threads that each serve one connection. Finished threads are joined by reap(); join_all() waits
// for every one, so nothing outlives its owner. Exceptions escaping a thread are swallowed (a test
// server must not terminate the test program); the thread simply ends.
class ThreadGroup {
public:
    ThreadGroup() = default;
    ThreadGroup(const ThreadGroup&) = delete;
    ThreadGroup& operator=(const ThreadGroup&) = delete;
    ~ThreadGroup() { join_all(); }

    void spawn(std::function<void()> work);
    void reap();
    void join_all();

private:
    struct Entry {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::mutex mutex_;
    std::list<Entry> entries_;
};

// Moves bytes both ways between two connected sockets until both directions have closed, one
// fails, or `stop` is raised. Half-closes are passed on. Returns {bytes a->b, bytes b->a}.
std::pair<std::uint64_t, std::uint64_t> relay_until_closed(int a, int b, const StopSignal& stop);

} // namespace kiosk::testing
