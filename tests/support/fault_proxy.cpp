#include "support/fault_proxy.hpp"

#include "support/loopback.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace kiosk::testing {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t buffer_cap = 1 << 20;   // stop reading a side past this backlog
constexpr milliseconds tick{100};             // the longest any wait goes unchecked
constexpr milliseconds settle_quiet{50};      // TLS 1.3: server quiet after Finished
constexpr milliseconds settle_limit{500};     // ... but never hold the request longer
constexpr milliseconds reply_quiet{100};      // a pause this long ends "the whole reply"
constexpr milliseconds cut_flush_limit{2000}; // cut_reply_midway: time to send the half
constexpr std::uint8_t tls_handshake = 22;    // TLS record content types
constexpr std::uint8_t tls_application_data = 23;

bool acts_on_reply(FaultMode mode) {
    return mode == FaultMode::stall || mode == FaultMode::slow ||
           mode == FaultMode::cut_reply_after_commit || mode == FaultMode::cut_reply_midway;
}

bool is_cut(FaultMode mode) {
    return mode == FaultMode::cut_reply_after_commit || mode == FaultMode::cut_reply_midway;
}

bool would_block(int error) {
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

// Walks the TLS record layer of one direction of a stream, reporting each record's content type
// and its [begin, end) offsets in the stream as soon as its 5-byte header has been seen.
class RecordWalker {
public:
    template <typename OnRecord> void feed(std::string_view bytes, OnRecord&& on_record) {
        for (std::size_t i = 0; i < bytes.size();) {
            std::uint64_t position = offset_ + i;
            if (position < next_record_) {
                i += static_cast<std::size_t>(
                    std::min<std::uint64_t>(next_record_ - position, bytes.size() - i));
                continue;
            }
            header_[header_length_++] = static_cast<std::uint8_t>(bytes[i++]);
            if (header_length_ == sizeof header_) {
                std::uint64_t begin = next_record_;
                std::uint64_t length = (std::uint64_t(header_[3]) << 8) | header_[4];
                next_record_ = begin + sizeof header_ + length;
                header_length_ = 0;
                on_record(header_[0], begin, next_record_);
            }
        }
        offset_ += bytes.size();
    }

private:
    std::uint8_t header_[5] = {};
    std::size_t header_length_ = 0;
    std::uint64_t offset_ = 0;
    std::uint64_t next_record_ = 0;
};

// What the accept thread and the connection threads share.
struct Shared {
    std::uint16_t target_port = 0;
    StopSignal stop;
    std::atomic<FaultMode> mode{FaultMode::pass};
    std::atomic<std::size_t> rate{1024};
    // Bumped by set_mode(..., reset): connections from an older generation reset themselves.
    std::atomic<std::uint64_t> generation{0};

    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    std::vector<std::shared_ptr<ProxyConnectionStats>> connections; // guarded by mutex

    template <typename Update> void update(ProxyConnectionStats& stats, Update&& change) {
        {
            std::lock_guard lock(mutex);
            change(stats);
        }
        changed.notify_all();
    }
};

// One proxied connection in a mode that contacts the server (pass, stall, slow, cut_*).
class Relay {
public:
    Relay(Shared& shared, Fd client, std::shared_ptr<ProxyConnectionStats> stats, FaultMode mode,
          std::uint64_t generation)
        : shared_(shared), client_(std::move(client)), stats_(std::move(stats)), mode_(mode),
          generation_(generation) {}

    void run();

private:
    enum class End { keep_going, close, reset };

    bool interrupted() const {
        return shared_.stop.raised() || shared_.generation.load() != generation_;
    }
    bool connect_server();
    End read_client();
    End read_server();
    End write_server();
    End write_client();
    End timers(Clock::time_point now);
    End finished() const;
    void on_client_bytes(std::string_view bytes);
    void on_server_bytes(std::string_view bytes);
    void note_request_start(std::uint64_t start);
    std::uint64_t releasable() const;
    int poll_timeout_ms() const;
    bool client_done() const { return client_eof_ && client_shut_; }
    bool server_done() const { return server_eof_ && server_shut_; }
    bool client_has_unacknowledged_bytes() const;

    Shared& shared_;
    Fd client_;
    Fd server_;
    std::shared_ptr<ProxyConnectionStats> stats_;
    const FaultMode mode_;
    const std::uint64_t generation_;

    // Client -> server. c_pending_ holds the stream's bytes [c_written_, c_read_).
    std::string c_pending_;
    std::uint64_t c_read_ = 0;
    std::uint64_t c_written_ = 0;
    bool client_eof_ = false;
    bool server_shut_ = false; // the client's FIN has been passed on

    // Where the request starts in the client stream, once known (see the header).
    enum class Kind { unknown, plain, tls } kind_ = Kind::unknown;
    RecordWalker client_records_;
    RecordWalker server_records_;
    bool server_sent_encrypted_ = false;
    std::optional<std::uint64_t> request_start_;
    bool settling_ = false; // TLS 1.3: request held back until the server's tickets have passed
    std::optional<Clock::time_point> finished_forwarded_at_;
    Clock::time_point last_server_read_ = Clock::now();
    bool reply_phase_ = false; // the first request byte has reached the server

    // Server -> client.
    std::string to_client_;
    std::string held_; // slow: not yet paced out; cut_*: the whole reply
    bool server_eof_ = false;
    bool client_shut_ = false; // the server's FIN has been passed on
    std::optional<Clock::time_point> reply_started_at_;
    Clock::time_point last_reply_at_{};
    std::size_t rate_ = 1024;
    std::uint64_t paced_ = 0;
    std::optional<Clock::time_point> cutting_since_; // cut_reply_midway: sending the half
};

bool Relay::connect_server() {
    auto deadline = Clock::now() + milliseconds(2000);
    while (!interrupted() && Clock::now() < deadline) {
        ConnectResult attempt = connect_loopback(shared_.target_port, tick);
        if (attempt.fd) {
            server_ = std::move(attempt.fd);
            return true;
        }
        if (attempt.error != ETIMEDOUT) {
            return false;
        }
    }
    return false;
}

void Relay::run() {
    if (!connect_server()) {
        close_with_reset(client_); // as if the server had refused: the client sees a reset
        return;
    }
    shared_.update(*stats_, [](ProxyConnectionStats& s) { s.reached_server = true; });
    set_nonblocking(client_.get(), true);
    set_nonblocking(server_.get(), true);
    int one = 1;
    ::setsockopt(client_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    End end = End::keep_going;
    while (end == End::keep_going) {
        if (interrupted()) {
            end = End::reset;
            break;
        }
        short client_events = 0;
        short server_events = 0;
        if (!client_eof_ && !cutting_since_ && c_pending_.size() < buffer_cap) {
            client_events |= POLLIN;
        }
        if (!to_client_.empty()) {
            client_events |= POLLOUT;
        }
        if (!server_eof_ && !cutting_since_ &&
            (mode_ == FaultMode::stall || to_client_.size() + held_.size() < buffer_cap)) {
            server_events |= POLLIN;
        }
        if (c_written_ < releasable()) {
            server_events |= POLLOUT;
        }
        // A side closed both ways reports POLLHUP for ever: leave it out rather than spin.
        pollfd fds[3] = {{shared_.stop.fd(), POLLIN, 0},
                         {client_done() ? -1 : client_.get(), client_events, 0},
                         {server_done() ? -1 : server_.get(), server_events, 0}};
        if (::poll(fds, 3, poll_timeout_ms()) < 0 && errno != EINTR) {
            end = End::reset;
            break;
        }
        for (auto step : {&Relay::read_client, &Relay::read_server, &Relay::write_server,
                          &Relay::write_client}) {
            if (end == End::keep_going) {
                end = (this->*step)();
            }
        }
        if (end == End::keep_going) {
            end = timers(Clock::now());
        }
        if (end == End::keep_going) {
            end = finished();
        }
    }
    if (end == End::reset) {
        close_with_reset(client_);
        close_with_reset(server_);
    } else {
        client_.reset();
        server_.reset();
    }
}

std::uint64_t Relay::releasable() const {
    if (settling_ && request_start_) {
        return std::min(c_read_, *request_start_);
    }
    return c_read_;
}

int Relay::poll_timeout_ms() const {
    bool timing = settling_ || (mode_ == FaultMode::slow && !held_.empty()) ||
                  (is_cut(mode_) && !held_.empty()) || cutting_since_;
    return static_cast<int>(timing ? 5 : tick.count());
}

Relay::End Relay::read_client() {
    if (client_eof_ || cutting_since_ || c_pending_.size() >= buffer_cap) {
        return End::keep_going;
    }
    char buffer[16 * 1024];
    ssize_t got = ::recv(client_.get(), buffer, sizeof buffer, 0);
    if (got > 0) {
        on_client_bytes(std::string_view(buffer, static_cast<std::size_t>(got)));
    } else if (got == 0) {
        client_eof_ = true;
    } else if (!would_block(errno)) {
        return End::reset; // the client reset: pass the reset on to the server
    }
    return End::keep_going;
}

Relay::End Relay::read_server() {
    if (server_eof_ || cutting_since_ ||
        (mode_ != FaultMode::stall && to_client_.size() + held_.size() >= buffer_cap)) {
        return End::keep_going;
    }
    char buffer[16 * 1024];
    ssize_t got = ::recv(server_.get(), buffer, sizeof buffer, 0);
    if (got > 0) {
        on_server_bytes(std::string_view(buffer, static_cast<std::size_t>(got)));
    } else if (got == 0) {
        server_eof_ = true;
    } else if (!would_block(errno)) {
        return End::reset;
    }
    return End::keep_going;
}

void Relay::on_client_bytes(std::string_view bytes) {
    if (kind_ == Kind::unknown) {
        kind_ = static_cast<std::uint8_t>(bytes[0]) == tls_handshake ? Kind::tls : Kind::plain;
        bool tls = kind_ == Kind::tls;
        shared_.update(*stats_, [tls](ProxyConnectionStats& s) { s.tls = tls; });
        if (!tls) {
            note_request_start(0);
        }
    }
    if (kind_ == Kind::tls && !request_start_) {
        client_records_.feed(bytes, [&](std::uint8_t type, std::uint64_t begin, std::uint64_t end) {
            if (request_start_ || type != tls_application_data) {
                return;
            }
            if (server_sent_encrypted_) {
                // TLS 1.3: the server's flight after ServerHello is encrypted, so the client's
                // first encrypted record is its Finished; the request follows it.
                settling_ = acts_on_reply(mode_);
                note_request_start(end);
            } else {
                // TLS 1.2: the handshake is plaintext up to Finished; this is the request.
                note_request_start(begin);
            }
        });
    }
    c_pending_.append(bytes);
    c_read_ += bytes.size();
}

void Relay::note_request_start(std::uint64_t start) {
    request_start_ = start;
    if (c_written_ > start) { // only when a record header arrived split across reads
        std::uint64_t late = c_written_ - start;
        shared_.update(*stats_,
                       [late](ProxyConnectionStats& s) { s.request_bytes_to_server += late; });
        reply_phase_ = true;
    }
}

void Relay::on_server_bytes(std::string_view bytes) {
    auto now = Clock::now();
    last_server_read_ = now;
    shared_.update(*stats_,
                   [n = bytes.size()](ProxyConnectionStats& s) { s.bytes_from_server += n; });
    if (kind_ == Kind::tls && !request_start_) {
        server_records_.feed(bytes, [&](std::uint8_t type, std::uint64_t, std::uint64_t) {
            server_sent_encrypted_ = server_sent_encrypted_ || type == tls_application_data;
        });
    }
    if (!reply_phase_ || !acts_on_reply(mode_)) {
        to_client_.append(bytes);
        return;
    }
    if (!reply_started_at_) {
        reply_started_at_ = now;
        rate_ = std::max<std::size_t>(1, shared_.rate.load());
    }
    last_reply_at_ = now;
    if (mode_ != FaultMode::stall) { // a stalled reply is read (so the server never blocks)
        held_.append(bytes);         // and dropped
    }
}

Relay::End Relay::write_server() {
    std::uint64_t limit = releasable();
    if (c_written_ < limit) {
        auto count = static_cast<std::size_t>(limit - c_written_);
        ssize_t sent = ::send(server_.get(), c_pending_.data(), count, MSG_NOSIGNAL);
        if (sent < 0) {
            return would_block(errno) ? End::keep_going : End::reset;
        }
        auto n = static_cast<std::uint64_t>(sent);
        std::uint64_t request = 0;
        if (request_start_) {
            std::uint64_t from = std::max(c_written_, *request_start_);
            request = c_written_ + n > from ? c_written_ + n - from : 0;
        }
        shared_.update(*stats_, [n, request](ProxyConnectionStats& s) {
            s.bytes_to_server += n;
            s.request_bytes_to_server += request;
        });
        c_pending_.erase(0, static_cast<std::size_t>(n));
        c_written_ += n;
        if (request_start_ && c_written_ > *request_start_) {
            reply_phase_ = true;
        }
    }
    if (client_eof_ && c_written_ == c_read_ && !server_shut_) {
        ::shutdown(server_.get(), SHUT_WR);
        server_shut_ = true;
    }
    return End::keep_going;
}

Relay::End Relay::write_client() {
    if (!to_client_.empty()) {
        ssize_t sent = ::send(client_.get(), to_client_.data(), to_client_.size(), MSG_NOSIGNAL);
        if (sent < 0) {
            return would_block(errno) ? End::keep_going : End::reset;
        }
        auto n = static_cast<std::uint64_t>(sent);
        shared_.update(*stats_, [n](ProxyConnectionStats& s) { s.bytes_to_client += n; });
        to_client_.erase(0, static_cast<std::size_t>(n));
    }
    // Pass the server's FIN on, except where the mode withholds the reply.
    if (server_eof_ && to_client_.empty() && held_.empty() && !client_shut_ && !cutting_since_ &&
        mode_ != FaultMode::stall) {
        ::shutdown(client_.get(), SHUT_WR);
        client_shut_ = true;
    }
    return End::keep_going;
}

bool Relay::client_has_unacknowledged_bytes() const {
    int queued = 0;
    return ::ioctl(client_.get(), TIOCOUTQ, &queued) == 0 && queued > 0;
}

Relay::End Relay::timers(Clock::time_point now) {
    if (settling_ && request_start_ && c_written_ >= *request_start_) {
        if (!finished_forwarded_at_) {
            finished_forwarded_at_ = now;
        }
        auto quiet_from = std::max(*finished_forwarded_at_, last_server_read_);
        if (now - quiet_from >= settle_quiet || now - *finished_forwarded_at_ >= settle_limit) {
            settling_ = false;
        }
    }
    if (mode_ == FaultMode::slow && !held_.empty()) {
        auto elapsed = std::chrono::duration_cast<milliseconds>(now - *reply_started_at_);
        std::uint64_t allowed = rate_ * static_cast<std::uint64_t>(elapsed.count()) / 1000;
        if (allowed > paced_) {
            auto take =
                static_cast<std::size_t>(std::min<std::uint64_t>(allowed - paced_, held_.size()));
            to_client_.append(held_, 0, take);
            held_.erase(0, take);
            paced_ += take;
        }
    }
    if (is_cut(mode_) && !cutting_since_ && !held_.empty() &&
        (server_eof_ || now - last_reply_at_ >= reply_quiet)) {
        if (mode_ == FaultMode::cut_reply_after_commit) {
            return End::close; // FIN to the client, not one reply byte
        }
        to_client_.append(held_, 0, held_.size() / 2);
        held_.clear();
        cutting_since_ = now;
    }
    if (cutting_since_) {
        // Reset only once the half has reached the client: a RST discards unsent data.
        bool delivered = to_client_.empty() && !client_has_unacknowledged_bytes();
        if (delivered || now - *cutting_since_ >= cut_flush_limit) {
            return End::reset;
        }
    }
    return End::keep_going;
}

Relay::End Relay::finished() const {
    if (mode_ == FaultMode::stall && client_eof_) {
        return End::close; // the client gave up waiting
    }
    if (client_done() && server_done()) {
        return End::close;
    }
    return End::keep_going;
}

// FaultMode::blackhole: hold the accepted connection without reading until the client leaves.
void hold_open(Shared& shared, Fd client, std::uint64_t generation) {
    while (!shared.stop.raised() && shared.generation.load() == generation) {
        // POLLRDHUP reports the client's FIN without us reading what it sent.
        pollfd fds[2] = {{shared.stop.fd(), POLLIN, 0}, {client.get(), POLLRDHUP, 0}};
        if (::poll(fds, 2, static_cast<int>(tick.count())) < 0 && errno != EINTR) {
            break;
        }
        if (fds[1].revents != 0) {
            client.reset();
            return;
        }
    }
    close_with_reset(client);
}

} // namespace

struct FaultProxy::Impl {
    enum class Listener { listening, refusing, blackholed };

    Shared shared;
    Fd listener;
    std::uint16_t port = 0;
    Listener listener_state = Listener::listening;
    std::vector<Fd> backlog_fillers; // blackhole_connect: our own connections filling the queue
    Fd control;                      // eventfd: wakes the accept thread to switch modes

    // set_mode() requests, guarded by shared.mutex.
    FaultMode wanted = FaultMode::pass;
    bool reset_wanted = false;
    std::uint64_t requested = 0;
    std::uint64_t applied = 0;
    std::string failure;

    ThreadGroup workers;
    std::thread acceptor;

    void accept_loop();
    void apply_request();
    void switch_listener(FaultMode mode);
    void fill_backlog();
    void drain_backlog();
    void accept_one();
};

void FaultProxy::Impl::accept_loop() {
    while (!shared.stop.raised()) {
        int listen_fd = listener_state == Listener::listening ? listener.get() : -1;
        pollfd fds[3] = {
            {shared.stop.fd(), POLLIN, 0}, {control.get(), POLLIN, 0}, {listen_fd, POLLIN, 0}};
        if (::poll(fds, 3, static_cast<int>(tick.count())) < 0 && errno != EINTR) {
            break;
        }
        if (shared.stop.raised()) {
            break;
        }
        if (fds[1].revents & POLLIN) {
            std::uint64_t count = 0;
            [[maybe_unused]] ssize_t ignored = ::read(control.get(), &count, sizeof count);
            apply_request();
        }
        if (fds[2].revents & POLLIN) {
            accept_one();
        }
        workers.reap();
    }
}

void FaultProxy::Impl::apply_request() {
    FaultMode mode;
    bool reset;
    std::uint64_t sequence;
    {
        std::lock_guard lock(shared.mutex);
        mode = wanted;
        reset = reset_wanted;
        sequence = requested;
    }
    std::string error;
    try {
        switch_listener(mode);
    } catch (const std::exception& e) {
        error = e.what();
    }
    // Bumped here, on the thread that accepts, so no connection accepted in the new mode can
    // carry the old generation and be reset by mistake.
    if (reset) {
        ++shared.generation;
    }
    shared.mode.store(mode);
    {
        std::lock_guard lock(shared.mutex);
        applied = sequence;
        failure = error;
    }
    shared.changed.notify_all();
}

void FaultProxy::Impl::switch_listener(FaultMode mode) {
    Listener want = mode == FaultMode::refuse              ? Listener::refusing
                    : mode == FaultMode::blackhole_connect ? Listener::blackholed
                                                           : Listener::listening;
    if (want == listener_state) {
        return;
    }
    // Back to an ordinary listener first, then on to the state wanted.
    if (listener_state == Listener::blackholed) {
        backlog_fillers.clear();
        drain_backlog();
    }
    if (listener_state != Listener::listening) {
        if (::listen(listener.get(), 128) != 0) {
            throw std::runtime_error(std::string("fault proxy: listen: ") + std::strerror(errno));
        }
        listener_state = Listener::listening;
    }
    if (want == Listener::refusing) {
        // Closing the listener resets what waits in its queue; the replacement socket keeps
        // the port bound but never listens, so the kernel answers SYNs with a RST.
        listener.reset();
        Fd bound(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        int one = 1;
        ::setsockopt(bound.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (!bound ||
            ::bind(bound.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            std::string why = std::strerror(errno);
            listener = listen_loopback(port); // try to carry on as an ordinary listener
            set_nonblocking(listener.get(), true);
            throw std::runtime_error("fault proxy: cannot keep port " + std::to_string(port) +
                                     " bound while refusing: " + why);
        }
        listener = std::move(bound);
        listener_state = Listener::refusing;
    } else if (want == Listener::blackholed) {
        // Linux drops a SYN when the accept queue is full, and with a backlog of 0 one queued
        // connection fills it; connect() then retries SYNs until the client's timeout.
        if (::listen(listener.get(), 0) != 0) {
            throw std::runtime_error(std::string("fault proxy: listen 0: ") + std::strerror(errno));
        }
        listener_state = Listener::blackholed;
        fill_backlog();
    }
}

void FaultProxy::Impl::fill_backlog() {
    for (int attempt = 0; attempt < 16; ++attempt) {
        ConnectResult filler = connect_loopback(port, milliseconds(100));
        if (!filler.fd) {
            return; // this SYN was dropped: the queue is full
        }
        backlog_fillers.push_back(std::move(filler.fd));
    }
    throw std::runtime_error("fault proxy: could not fill the accept queue");
}

void FaultProxy::Impl::drain_backlog() {
    while (true) {
        Fd queued(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!queued) {
            return;
        }
        close_with_reset(queued);
    }
}

void FaultProxy::Impl::accept_one() {
    Fd client(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!client) {
        return;
    }
    FaultMode mode = shared.mode.load();
    auto stats = std::make_shared<ProxyConnectionStats>();
    stats->mode = mode;
    {
        std::lock_guard lock(shared.mutex);
        shared.connections.push_back(stats);
    }
    shared.changed.notify_all();
    if (mode == FaultMode::reset_on_accept) {
        close_with_reset(client);
        shared.update(*stats, [](ProxyConnectionStats& s) { s.open = false; });
        return;
    }
    std::uint64_t generation = shared.generation.load();
    auto owned = std::make_shared<Fd>(std::move(client));
    workers.spawn([this, owned, stats, mode, generation] {
        if (mode == FaultMode::blackhole) {
            hold_open(shared, std::move(*owned), generation);
        } else {
            Relay(shared, std::move(*owned), stats, mode, generation).run();
        }
        shared.update(*stats, [](ProxyConnectionStats& s) { s.open = false; });
    });
}

FaultProxy::FaultProxy(std::uint16_t target_port, FaultMode mode) : impl_(new Impl) {
    impl_->shared.target_port = target_port;
    impl_->listener = listen_loopback(0);
    set_nonblocking(impl_->listener.get(), true);
    impl_->port = local_port(impl_->listener.get());
    impl_->control = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!impl_->control) {
        throw std::runtime_error(std::string("fault proxy: eventfd: ") + std::strerror(errno));
    }
    impl_->switch_listener(mode);
    impl_->shared.mode.store(mode);
    impl_->wanted = mode;
    impl_->acceptor = std::thread([impl = impl_.get()] { impl->accept_loop(); });
}

FaultProxy::~FaultProxy() {
    impl_->shared.stop.raise();
    impl_->acceptor.join();
    impl_->workers.join_all();
}

std::uint16_t FaultProxy::port() const {
    return impl_->port;
}

std::uint16_t FaultProxy::target_port() const {
    return impl_->shared.target_port;
}

void FaultProxy::set_mode(FaultMode mode, OpenConnections open) {
    std::unique_lock lock(impl_->shared.mutex);
    impl_->wanted = mode;
    impl_->reset_wanted = open == OpenConnections::reset;
    std::uint64_t sequence = ++impl_->requested;
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t ignored = ::write(impl_->control.get(), &one, sizeof one);
    bool done = impl_->shared.changed.wait_for(lock, std::chrono::seconds(5),
                                               [&] { return impl_->applied >= sequence; });
    if (!done) {
        throw std::runtime_error("fault proxy: the accept thread did not switch modes in 5 s");
    }
    if (!impl_->failure.empty()) {
        throw std::runtime_error(impl_->failure);
    }
}

FaultMode FaultProxy::mode() const {
    return impl_->shared.mode.load();
}

void FaultProxy::set_slow_rate(std::size_t bytes_per_second) {
    impl_->shared.rate.store(std::max<std::size_t>(1, bytes_per_second));
}

std::size_t FaultProxy::slow_rate() const {
    return impl_->shared.rate.load();
}

std::size_t FaultProxy::connection_count() const {
    std::lock_guard lock(impl_->shared.mutex);
    return impl_->shared.connections.size();
}

std::vector<ProxyConnectionStats> FaultProxy::connections() const {
    std::lock_guard lock(impl_->shared.mutex);
    std::vector<ProxyConnectionStats> copy;
    copy.reserve(impl_->shared.connections.size());
    for (const auto& stats : impl_->shared.connections) {
        copy.push_back(*stats);
    }
    return copy;
}

std::uint64_t FaultProxy::bytes_to_server() const {
    std::uint64_t total = 0;
    for (const auto& stats : connections()) {
        total += stats.bytes_to_server;
    }
    return total;
}

std::uint64_t FaultProxy::request_bytes_to_server() const {
    std::uint64_t total = 0;
    for (const auto& stats : connections()) {
        total += stats.request_bytes_to_server;
    }
    return total;
}

void FaultProxy::reset_counters() {
    std::lock_guard lock(impl_->shared.mutex);
    impl_->shared.connections.clear();
}

bool FaultProxy::wait_for_connections(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(impl_->shared.mutex);
    return impl_->shared.changed.wait_for(
        lock, timeout, [&] { return impl_->shared.connections.size() >= count; });
}

bool FaultProxy::wait_until_idle(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(impl_->shared.mutex);
    return impl_->shared.changed.wait_for(lock, timeout, [&] {
        return std::none_of(impl_->shared.connections.begin(), impl_->shared.connections.end(),
                            [](const auto& stats) { return stats->open; });
    });
}

std::string_view to_string(FaultMode mode) {
    switch (mode) {
    case FaultMode::pass:
        return "pass";
    case FaultMode::refuse:
        return "refuse";
    case FaultMode::reset_on_accept:
        return "reset_on_accept";
    case FaultMode::blackhole:
        return "blackhole";
    case FaultMode::blackhole_connect:
        return "blackhole_connect";
    case FaultMode::stall:
        return "stall";
    case FaultMode::slow:
        return "slow";
    case FaultMode::cut_reply_after_commit:
        return "cut_reply_after_commit";
    case FaultMode::cut_reply_midway:
        return "cut_reply_midway";
    }
    return "unknown";
}

} // namespace kiosk::testing
