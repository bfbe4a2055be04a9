#pragma once
// Tells the service manager (systemd) how the kiosk is doing: ready, still alive, stopping,
// and a one-line status for `systemctl status kiosk`. It speaks the sd_notify datagram
// protocol directly, so the kiosk needs no libsystemd. Started by anything else (a developer's
// terminal, `make run`), NOTIFY_SOCKET is not set and every call does nothing.
//
// The watchdog: when the service manager sets WATCHDOG_USEC, it restarts the kiosk if no
// "WATCHDOG=1" arrives within that time. The pings come from the kiosk's main loop, so a frame
// that hangs stops them, and a hung kiosk comes back by itself.

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::platform {

// What the service manager put in the environment, read once so that tests can give their own.
struct ServiceEnvironment {
    std::optional<std::string> notify_socket; // NOTIFY_SOCKET: a path, or '@' + abstract name
    std::optional<std::string> watchdog_usec; // WATCHDOG_USEC: the watchdog timeout
    std::optional<std::string> watchdog_pid;  // WATCHDOG_PID: whose watchdog it is
    pid_t own_pid = 0;                        // this process

    static ServiceEnvironment of_this_process();
};

class ServiceNotify {
public:
    using Clock = std::chrono::steady_clock;

    explicit ServiceNotify(const ServiceEnvironment& environment,
                           Clock::time_point now = Clock::now());
    ServiceNotify(ServiceNotify&& other) noexcept;
    ServiceNotify& operator=(ServiceNotify&& other) noexcept;
    ServiceNotify(const ServiceNotify&) = delete;
    ServiceNotify& operator=(const ServiceNotify&) = delete;
    ~ServiceNotify();

    // True when there is a service manager to tell.
    bool enabled() const { return socket_ >= 0; }
    // Why NOTIFY_SOCKET or WATCHDOG_USEC was set but cannot be used; empty when all is well.
    const std::string& problem() const { return problem_; }

    // Each returns a problem in plain words, or nothing when it was sent (or there is nobody
    // to send it to). `status` is one line for `systemctl status`.
    std::optional<std::string> ready(std::string_view status);
    std::optional<std::string> status(std::string_view status);
    std::optional<std::string> stopping();
    std::optional<std::string> send(std::string_view message);

    // The watchdog timeout the service manager gave this process, if it watches it.
    std::optional<std::chrono::microseconds> watchdog_timeout() const { return watchdog_; }
    // The latest time the main loop must wake up to ping in time: half the timeout after the
    // last ping, so one late wake-up still leaves margin. Nothing when there is no watchdog.
    std::optional<Clock::time_point> next_ping() const;
    // Called each time the main loop wakes up. Pings when the ping is due, and also when the
    // loop is awake anyway and an eighth of the timeout has passed: then a long piece of work
    // right after a wake-up (IT's reboot command waits up to 15 s) cannot push the gap between
    // two pings past the timeout. Returns a problem, or nothing.
    std::optional<std::string> keep_alive(Clock::time_point now);

private:
    void close_socket() noexcept;

    int socket_ = -1; // owned: closed by the destructor
    sockaddr_un address_{};
    socklen_t address_length_ = 0;
    std::string problem_;
    std::optional<std::chrono::microseconds> watchdog_;
    Clock::time_point last_ping_{};
};

} // namespace kiosk::platform
