#include "platform/service_notify.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace kiosk::platform {

namespace {

std::optional<std::string> environment_value(const char* name) {
    const char* value = std::getenv(name);
    if (!value) {
        return std::nullopt;
    }
    return std::string(value);
}

// A whole, positive decimal number, as systemd writes WATCHDOG_USEC and WATCHDOG_PID.
std::optional<unsigned long long> positive_number(const std::string& text) {
    unsigned long long value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value == 0) {
        return std::nullopt;
    }
    return value;
}

// Replaces the status line's line breaks: a line break would start a new "KEY=value" line.
std::string one_line(std::string_view text) {
    std::string line(text);
    for (char& c : line) {
        if (c == '\n' || c == '\r') {
            c = ' ';
        }
    }
    return line;
}

} // namespace

ServiceEnvironment ServiceEnvironment::of_this_process() {
    return {environment_value("NOTIFY_SOCKET"), environment_value("WATCHDOG_USEC"),
            environment_value("WATCHDOG_PID"), ::getpid()};
}

ServiceNotify::ServiceNotify(const ServiceEnvironment& environment, Clock::time_point now)
    : last_ping_(now) {
    if (!environment.notify_socket || environment.notify_socket->empty()) {
        return; // not started by a service manager that listens: nothing to tell
    }
    const std::string& name = *environment.notify_socket;
    // An abstract socket has no file: its name starts with a zero byte, written '@'. Its
    // address length counts exactly the name's bytes; a path's ends with its terminating zero.
    bool abstract = name.front() == '@';
    std::size_t room = sizeof address_.sun_path - (abstract ? 0 : 1);
    if ((name.front() != '/' && !abstract) || name.size() > room) {
        problem_ = "NOTIFY_SOCKET is not a socket path or an abstract socket name: " + name;
        return;
    }
    address_.sun_family = AF_UNIX;
    std::memcpy(address_.sun_path, name.data(), name.size());
    if (abstract) {
        address_.sun_path[0] = '\0';
    }
    address_length_ =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + (abstract ? 0 : 1));
    socket_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (socket_ < 0) {
        problem_ = std::string("cannot make a socket to tell the service manager: ") +
                   std::strerror(errno);
        return;
    }

    if (!environment.watchdog_usec) {
        return;
    }
    // WATCHDOG_PID names the process the watchdog is for. A child that inherited the
    // environment (a command IT runs from the kiosk) must not ping on the kiosk's behalf.
    if (environment.watchdog_pid) {
        auto pid = positive_number(*environment.watchdog_pid);
        if (!pid || *pid != static_cast<unsigned long long>(environment.own_pid)) {
            return;
        }
    }
    auto usec = positive_number(*environment.watchdog_usec);
    if (!usec) {
        problem_ =
            "WATCHDOG_USEC is not a positive number of microseconds: " + *environment.watchdog_usec;
        return;
    }
    watchdog_ = std::chrono::microseconds(*usec);
}

ServiceNotify::ServiceNotify(ServiceNotify&& other) noexcept
    : socket_(std::exchange(other.socket_, -1)), address_(other.address_),
      address_length_(other.address_length_), problem_(std::move(other.problem_)),
      watchdog_(other.watchdog_), last_ping_(other.last_ping_) {}

ServiceNotify& ServiceNotify::operator=(ServiceNotify&& other) noexcept {
    if (this != &other) {
        close_socket();
        socket_ = std::exchange(other.socket_, -1);
        address_ = other.address_;
        address_length_ = other.address_length_;
        problem_ = std::move(other.problem_);
        watchdog_ = other.watchdog_;
        last_ping_ = other.last_ping_;
    }
    return *this;
}

ServiceNotify::~ServiceNotify() {
    close_socket();
}

void ServiceNotify::close_socket() noexcept {
    if (socket_ >= 0) {
        ::close(socket_);
        socket_ = -1;
    }
}

std::optional<std::string> ServiceNotify::send(std::string_view message) {
    if (socket_ < 0) {
        return std::nullopt;
    }
    // MSG_DONTWAIT: if the service manager is not reading, the kiosk must not hang with it
    // (its watchdog then restarts the kiosk anyway). MSG_NOSIGNAL: no SIGPIPE, ever.
    ssize_t sent = ::sendto(socket_, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                            reinterpret_cast<const sockaddr*>(&address_), address_length_);
    if (sent < 0) {
        return std::string("cannot tell the service manager: ") + std::strerror(errno);
    }
    return std::nullopt;
}

std::optional<std::string> ServiceNotify::ready(std::string_view status) {
    // The service manager's watchdog counts from here.
    last_ping_ = Clock::now();
    return send("READY=1\nSTATUS=" + one_line(status));
}

std::optional<std::string> ServiceNotify::status(std::string_view status) {
    return send("STATUS=" + one_line(status));
}

std::optional<std::string> ServiceNotify::stopping() {
    return send("STOPPING=1");
}

std::optional<ServiceNotify::Clock::time_point> ServiceNotify::next_ping() const {
    if (!watchdog_ || socket_ < 0) {
        return std::nullopt;
    }
    return last_ping_ + *watchdog_ / 2;
}

std::optional<std::string> ServiceNotify::keep_alive(Clock::time_point now) {
    if (!watchdog_ || socket_ < 0) {
        return std::nullopt;
    }
    if (now < last_ping_ + *watchdog_ / 8) {
        return std::nullopt; // pinged a moment ago: a busy loop sends no flood of pings
    }
    last_ping_ = now;
    return send("WATCHDOG=1");
}

} // namespace kiosk::platform
