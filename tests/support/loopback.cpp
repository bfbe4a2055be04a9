#include "support/loopback.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kiosk::testing {

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

sockaddr_in loopback_address(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// Milliseconds left until `deadline`, never negative, as poll() wants them.
int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

} // namespace

void Fd::reset(int fd) noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
    }
    fd_ = fd;
}

Fd listen_loopback(std::uint16_t port, int backlog) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        throw_errno("socket");
    }
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address = loopback_address(port);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        throw_errno("bind 127.0.0.1:" + std::to_string(port));
    }
    if (::listen(fd.get(), backlog) != 0) {
        throw_errno("listen");
    }
    return fd;
}

std::uint16_t local_port(int fd) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw_errno("getsockname");
    }
    return ntohs(address.sin_port);
}

ConnectResult connect_loopback(std::uint16_t port, std::chrono::milliseconds timeout) {
    ConnectResult result;
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) {
        throw_errno("socket");
    }
    sockaddr_in address = loopback_address(port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        if (errno != EINPROGRESS) {
            result.error = errno;
            return result;
        }
        pollfd waiter{fd.get(), POLLOUT, 0};
        int ready = ::poll(&waiter, 1, static_cast<int>(timeout.count()));
        if (ready == 0) {
            result.error = ETIMEDOUT;
            return result;
        }
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
        if (ready < 0 || error != 0) {
            result.error = ready < 0 ? errno : error;
            return result;
        }
    }
    set_nonblocking(fd.get(), false);
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    result.fd = std::move(fd);
    return result;
}

void set_nonblocking(int fd, bool on) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) != 0) {
        throw_errno("fcntl O_NONBLOCK");
    }
}

void close_with_reset(Fd& fd) {
    if (!fd) {
        return;
    }
    linger hard{1, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    fd.reset();
}

bool send_all(int fd, std::string_view data, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
        ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            data.remove_prefix(static_cast<std::size_t>(sent));
            continue;
        }
        if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return false;
        }
        pollfd waiter{fd, POLLOUT, 0};
        if (::poll(&waiter, 1, remaining_ms(deadline)) == 0) {
            return false;
        }
    }
    return true;
}

namespace {

ReadResult read_while(int fd, std::chrono::milliseconds timeout, std::size_t max_bytes,
                      std::string_view terminator) {
    ReadResult result;
    auto deadline = Clock::now() + timeout;
    char buffer[16 * 1024];
    while (result.data.size() < max_bytes) {
        if (!terminator.empty() && result.data.find(terminator) != std::string::npos) {
            return result;
        }
        pollfd waiter{fd, POLLIN, 0};
        int ready = ::poll(&waiter, 1, remaining_ms(deadline));
        if (ready == 0) {
            result.timed_out = true;
            return result;
        }
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        std::size_t want = std::min(sizeof buffer, max_bytes - result.data.size());
        ssize_t got = ::recv(fd, buffer, want, MSG_DONTWAIT);
        if (got > 0) {
            result.data.append(buffer, static_cast<std::size_t>(got));
        } else if (got == 0) {
            result.eof = true;
            return result;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            result.reset = true;
            result.error = errno;
            return result;
        }
    }
    return result;
}

} // namespace

ReadResult read_until_closed(int fd, std::chrono::milliseconds timeout, std::size_t max_bytes) {
    return read_while(fd, timeout, max_bytes, {});
}

ReadResult read_until(int fd, std::string_view terminator, std::chrono::milliseconds timeout,
                      std::size_t max_bytes) {
    return read_while(fd, timeout, max_bytes, terminator);
}

void ignore_sigpipe() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGPIPE, &ignore, nullptr);
}

StopSignal::StopSignal() : event_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!event_) {
        throw_errno("eventfd");
    }
}

void StopSignal::raise() noexcept {
    if (!raised_.exchange(true)) {
        std::uint64_t one = 1;
        // Level-triggered: the counter stays non-zero, so every poller sees it, now and later.
        [[maybe_unused]] ssize_t ignored = ::write(event_.get(), &one, sizeof one);
    }
}

void ThreadGroup::spawn(std::function<void()> work) {
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread thread([work = std::move(work), done] {
        try {
            work();
        } catch (...) {
        }
        done->store(true);
    });
    std::lock_guard lock(mutex_);
    entries_.push_back(Entry{std::move(thread), std::move(done)});
}

void ThreadGroup::reap() {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->done->load()) {
            it->thread.join();
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
}

void ThreadGroup::join_all() {
    std::list<Entry> entries;
    {
        std::lock_guard lock(mutex_);
        entries.swap(entries_);
    }
    for (auto& entry : entries) {
        entry.thread.join();
    }
}

std::pair<std::uint64_t, std::uint64_t> relay_until_closed(int a, int b, const StopSignal& stop) {
    set_nonblocking(a, true);
    set_nonblocking(b, true);
    struct Direction {
        int from;
        int to;
        std::string pending;
        bool from_closed = false;
        bool shut = false;
        std::uint64_t moved = 0;
    };
    Direction ab{a, b, {}};
    Direction ba{b, a, {}};
    char buffer[16 * 1024];
    while (!stop.raised() && !(ab.shut && ba.shut)) {
        pollfd fds[3] = {{stop.fd(), POLLIN, 0}, {a, 0, 0}, {b, 0, 0}};
        for (Direction* d : {&ab, &ba}) {
            short& from_events = d->from == a ? fds[1].events : fds[2].events;
            short& to_events = d->to == a ? fds[1].events : fds[2].events;
            if (!d->from_closed && d->pending.size() < 256 * 1024) {
                from_events |= POLLIN;
            }
            if (!d->pending.empty()) {
                to_events |= POLLOUT;
            }
        }
        if (::poll(fds, 3, 100) < 0 && errno != EINTR) {
            break;
        }
        for (Direction* d : {&ab, &ba}) {
            if (!d->from_closed) {
                ssize_t got = ::recv(d->from, buffer, sizeof buffer, 0);
                if (got > 0) {
                    d->pending.append(buffer, static_cast<std::size_t>(got));
                } else if (got == 0) {
                    d->from_closed = true;
                } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    return {ab.moved, ba.moved};
                }
            }
            if (!d->pending.empty()) {
                ssize_t sent = ::send(d->to, d->pending.data(), d->pending.size(), MSG_NOSIGNAL);
                if (sent > 0) {
                    d->pending.erase(0, static_cast<std::size_t>(sent));
                    d->moved += static_cast<std::uint64_t>(sent);
                } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    return {ab.moved, ba.moved};
                }
            }
            if (d->from_closed && d->pending.empty() && !d->shut) {
                ::shutdown(d->to, SHUT_WR);
                d->shut = true;
            }
        }
    }
    return {ab.moved, ba.moved};
}

} // namespace kiosk::testing
