#pragma once
// The service manager's side of the sd_notify protocol, for tests: an AF_UNIX datagram socket
// bound to a path in a throwaway folder or to an abstract name, and a way to read what arrives.

#include "support/loopback.hpp"
#include "support/temp_dir.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

namespace kiosk::test {

class NotifyListener {
public:
    // `name` as NOTIFY_SOCKET would carry it: a path, or '@' and an abstract name.
    explicit NotifyListener(std::string name) : name_(std::move(name)) {
        socket_ = testing::Fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        if (!socket_) {
            throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        }
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (name_.empty() || name_.size() >= sizeof address.sun_path) {
            throw std::runtime_error("unusable socket name: " + name_);
        }
        std::memcpy(address.sun_path, name_.data(), name_.size());
        bool abstract = name_.front() == '@';
        if (abstract) {
            address.sun_path[0] = '\0';
        }
        auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size() +
                                             (abstract ? 0 : 1));
        if (::bind(socket_.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
            throw std::runtime_error("bind " + name_ + ": " + std::strerror(errno));
        }
    }

    // An abstract name no other test run uses at the same time.
    static std::string unique_abstract_name() {
        std::random_device entropy;
        return "@kiosk-notify-test-" + std::to_string(::getpid()) + "-" + std::to_string(entropy());
    }

    const std::string& name() const { return name_; }

    // The next datagram, exactly as it arrived, or nothing after `timeout`.
    std::optional<std::string> receive(std::chrono::milliseconds timeout) {
        pollfd ready{socket_.get(), POLLIN, 0};
        int polled = ::poll(&ready, 1, static_cast<int>(timeout.count()));
        if (polled <= 0) {
            return std::nullopt;
        }
        char buffer[4096];
        ssize_t got = ::recv(socket_.get(), buffer, sizeof buffer, MSG_TRUNC);
        if (got < 0 || static_cast<std::size_t>(got) > sizeof buffer) {
            throw std::runtime_error("recv failed or the datagram was too long");
        }
        return std::string(buffer, static_cast<std::size_t>(got));
    }

private:
    std::string name_;
    testing::Fd socket_;
};

} // namespace kiosk::test
