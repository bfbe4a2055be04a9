#include "support/http_proxy.hpp"

#include "support/loopback.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <poll.h>
#include <stdexcept>
#include <string_view>
#include <sys/socket.h>
#include <thread>

namespace kiosk::testing {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t max_head = 16 * 1024;
constexpr milliseconds head_timeout{5000};

std::string lowercase(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

struct RequestHead {
    std::string method;
    std::string target;
    std::optional<std::string> proxy_authorization;
    bool well_formed = false;
};

RequestHead parse_head(std::string_view head) {
    RequestHead parsed;
    std::size_t line_end = head.find("\r\n");
    std::string_view request_line = head.substr(0, line_end);
    std::size_t first = request_line.find(' ');
    std::size_t second =
        first == std::string_view::npos ? first : request_line.find(' ', first + 1);
    if (second == std::string_view::npos ||
        request_line.substr(second + 1).substr(0, 5) != "HTTP/") {
        return parsed;
    }
    parsed.method = request_line.substr(0, first);
    parsed.target = request_line.substr(first + 1, second - first - 1);
    parsed.well_formed = true;
    while (line_end != std::string_view::npos && line_end + 2 < head.size()) {
        std::size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        std::string_view line = head.substr(start, line_end - start);
        std::size_t colon = line.find(':');
        if (colon != std::string_view::npos &&
            lowercase(trim(line.substr(0, colon))) == "proxy-authorization") {
            parsed.proxy_authorization = std::string(trim(line.substr(colon + 1)));
        }
    }
    return parsed;
}

bool authorized(const std::optional<std::string>& header, const std::string& expected) {
    if (!header) {
        return false;
    }
    // The scheme is case-insensitive (RFC 9110); the credentials are not.
    std::size_t space = header->find(' ');
    std::size_t expected_space = expected.find(' ');
    return space != std::string::npos &&
           lowercase(header->substr(0, space)) == lowercase(expected.substr(0, expected_space)) &&
           trim(std::string_view(*header).substr(space + 1)) == expected.substr(expected_space + 1);
}

// The port of a loopback target ("127.0.0.1:443", "localhost:443"); nullopt for anything else.
// Returns 0 for a loopback host with a malformed port.
std::optional<std::uint16_t> loopback_target_port(std::string_view target) {
    std::size_t colon = target.rfind(':');
    if (colon == std::string_view::npos || target.front() == '[') {
        return std::nullopt;
    }
    std::string host = lowercase(target.substr(0, colon));
    if (host != "127.0.0.1" && host != "localhost") {
        return std::nullopt;
    }
    std::string_view digits = target.substr(colon + 1);
    if (digits.empty() || digits.size() > 5 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return 0;
    }
    unsigned long port = std::stoul(std::string(digits));
    return port > 65535 ? 0 : static_cast<std::uint16_t>(port);
}

std::string status_reply(int status) {
    switch (status) {
    case 400:
        return "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    case 403:
        return "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    case 405:
        return "HTTP/1.1 405 Method Not Allowed\r\nAllow: CONNECT\r\nContent-Length: 0\r\n"
               "Connection: close\r\n\r\n";
    case 407:
        return "HTTP/1.1 407 Proxy Authentication Required\r\n"
               "Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n"
               "Connection: close\r\n\r\n";
    default:
        return "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
}

} // namespace

struct ConnectProxy::Impl {
    std::optional<ProxyCredentials> required;
    std::string expected_authorization;
    Fd listener;
    std::uint16_t port = 0;
    StopSignal stop;
    ThreadGroup workers;
    std::thread acceptor;

    mutable std::mutex mutex;
    std::vector<ConnectRequestRecord> requests;
    std::optional<std::string> last_authorization;
    std::size_t served = 0;

    void accept_loop();
    void serve(Fd client);
    bool read_head(int fd, std::string& head, std::string& rest);
    void refuse(Fd& client, std::size_t record, int status);
    std::size_t record(const RequestHead& head);
    void set_status(std::size_t index, int status);
};

void ConnectProxy::Impl::accept_loop() {
    while (!stop.raised()) {
        pollfd fds[2] = {{stop.fd(), POLLIN, 0}, {listener.get(), POLLIN, 0}};
        if (::poll(fds, 2, 100) < 0 && errno != EINTR) {
            break;
        }
        if (stop.raised()) {
            break;
        }
        if (fds[1].revents & POLLIN) {
            Fd client(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
            if (client) {
                auto owned = std::make_shared<Fd>(std::move(client));
                workers.spawn([this, owned] { serve(std::move(*owned)); });
            }
        }
        workers.reap();
    }
}

bool ConnectProxy::Impl::read_head(int fd, std::string& head, std::string& rest) {
    auto deadline = Clock::now() + head_timeout;
    std::string data;
    char buffer[4096];
    while (!stop.raised() && Clock::now() < deadline && data.size() < max_head) {
        std::size_t end = data.find("\r\n\r\n");
        if (end != std::string::npos) {
            head = data.substr(0, end + 4);
            rest = data.substr(end + 4);
            return true;
        }
        pollfd fds[2] = {{stop.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
        if (::poll(fds, 2, 100) < 0 && errno != EINTR) {
            return false;
        }
        if (fds[1].revents == 0) {
            continue;
        }
        ssize_t got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (got > 0) {
            data.append(buffer, static_cast<std::size_t>(got));
        } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
            return false;
        }
    }
    return false;
}

std::size_t ConnectProxy::Impl::record(const RequestHead& head) {
    std::lock_guard lock(mutex);
    requests.push_back({head.method, head.target, head.proxy_authorization, 0});
    if (head.proxy_authorization) {
        last_authorization = head.proxy_authorization;
    }
    return requests.size() - 1;
}

void ConnectProxy::Impl::set_status(std::size_t index, int status) {
    std::lock_guard lock(mutex);
    requests[index].status = status;
    if (status == 200) {
        ++served;
    }
}

void ConnectProxy::Impl::refuse(Fd& client, std::size_t index, int status) {
    set_status(index, status);
    send_all(client.get(), status_reply(status), milliseconds(1000));
    // Close gently: shut our side, then let the client read the answer and close first, so
    // the kernel does not turn our close into a RST that could swallow the answer.
    ::shutdown(client.get(), SHUT_WR);
    auto deadline = Clock::now() + milliseconds(1000);
    char sink[1024];
    while (!stop.raised() && Clock::now() < deadline) {
        pollfd fds[2] = {{stop.fd(), POLLIN, 0}, {client.get(), POLLIN, 0}};
        ::poll(fds, 2, 100);
        if (fds[1].revents != 0 && ::recv(client.get(), sink, sizeof sink, MSG_DONTWAIT) <= 0) {
            break;
        }
    }
    client.reset();
}

void ConnectProxy::Impl::serve(Fd client) {
    std::string head_text;
    std::string rest;
    if (!read_head(client.get(), head_text, rest)) {
        return;
    }
    RequestHead head = parse_head(head_text);
    std::size_t index = record(head);
    if (!head.well_formed) {
        return refuse(client, index, 400);
    }
    if (head.method != "CONNECT") {
        return refuse(client, index, 405);
    }
    if (required && !authorized(head.proxy_authorization, expected_authorization)) {
        return refuse(client, index, 407);
    }
    std::optional<std::uint16_t> port = loopback_target_port(head.target);
    if (!port) {
        return refuse(client, index, 403);
    }
    if (*port == 0) {
        return refuse(client, index, 400);
    }
    ConnectResult upstream = connect_loopback(*port, milliseconds(2000));
    if (!upstream.fd) {
        return refuse(client, index, 502);
    }
    set_status(index, 200);
    if (!send_all(client.get(), "HTTP/1.1 200 Connection established\r\n\r\n",
                  milliseconds(1000)) ||
        !send_all(upstream.fd.get(), rest, milliseconds(1000))) {
        return;
    }
    relay_until_closed(client.get(), upstream.fd.get(), stop);
}

ConnectProxy::ConnectProxy(std::optional<ProxyCredentials> required) : impl_(new Impl) {
    if (required) {
        impl_->expected_authorization = basic_authorization(required->user, required->password);
    }
    impl_->required = std::move(required);
    impl_->listener = listen_loopback(0);
    impl_->port = local_port(impl_->listener.get());
    set_nonblocking(impl_->listener.get(), true);
    impl_->acceptor = std::thread([impl = impl_.get()] { impl->accept_loop(); });
}

ConnectProxy::~ConnectProxy() {
    impl_->stop.raise();
    impl_->acceptor.join();
    impl_->workers.join_all();
}

std::uint16_t ConnectProxy::port() const {
    return impl_->port;
}

std::string ConnectProxy::url() const {
    return "http://127.0.0.1:" + std::to_string(impl_->port);
}

std::size_t ConnectProxy::connects_served() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->served;
}

std::vector<ConnectRequestRecord> ConnectProxy::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->requests;
}

std::optional<std::string> ConnectProxy::last_proxy_authorization() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->last_authorization;
}

std::string basic_authorization(const std::string& user, const std::string& password) {
    std::string plain = user + ":" + password;
    std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
    int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                 reinterpret_cast<const unsigned char*>(plain.data()),
                                 static_cast<int>(plain.size()));
    encoded.resize(static_cast<std::size_t>(length));
    return "Basic " + encoded;
}

} // namespace kiosk::testing
