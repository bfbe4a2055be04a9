#pragma once
// Delivery: takes due responses from the outbox, sends them as FHIR batches, and records what
// the endpoint said about each one. Nothing is ever dropped: every failure puts the rows back
// in the queue with a later attempt time, and only the endpoint's own per-entry answer moves a
// row to acknowledged or rejected.
//
// `Delivery` does one pass on the caller's thread (the `kiosk-sync once` command uses it);
// `DeliveryWorker` runs passes on a thread of its own inside the kiosk.

#include "delivery/transport.hpp"
#include "fhir/batch.hpp"
#include "outbox/outbox.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

namespace kiosk::delivery {

struct DeliverySettings {
    TransportSettings transport;
    std::chrono::seconds retry_base{5};
    std::chrono::seconds retry_cap{3600};
    int batch_max_entries = 50;
    std::int64_t batch_max_bytes = 256 * 1024;
    int retention_days = 30;
};

enum class LogLevel { info, warning, error };
using LogSink = std::function<void(LogLevel, const std::string&)>;

struct PassResult {
    int acknowledged = 0;
    int rejected = 0;
    int requeued = 0;
    bool failed = false; // the endpoint could not be reached or did not answer properly
    bool paused = false; // 401/403: this device's credentials were refused
    std::string problem; // plain words, when failed or paused
};

class Delivery {
public:
    Delivery(outbox::Outbox& outbox, CurlTransport& transport, DeliverySettings settings,
             LogSink log);

    // Sends every response that is due, batch after batch, until none is due, a failure asks
    // to wait, or `stop` is set. `now` gives Unix milliseconds (a parameter for tests).
    PassResult deliver_due(const std::atomic<bool>& stop,
                           const std::function<std::int64_t()>& now_ms);

    // Removes delivered responses older than the retention period. Never touches others.
    void purge(std::int64_t now_ms);

    int consecutive_failures() const { return consecutive_failures_; }
    // After a failed pass, the earliest Unix time (ms) worth trying again, whatever rows say is
    // due: a server that is down must not be asked once per batch of a large backlog.
    std::int64_t not_before_ms() const { return not_before_ms_; }

    // Staff asked to send now: the next pass ignores the backoff and a credentials pause.
    void forget_backoff() {
        not_before_ms_ = 0;
        paused_until_ms_ = 0;
    }

private:
    // Limits every wait (backoff, credentials pause, each queued row's retry time) to the retry
    // cap from `now`: longer ones were set before the wall clock went back.
    void bring_forward_waits(std::int64_t now);
    // One batch; returns false when the pass should end.
    bool deliver_batch(const std::atomic<bool>& stop, std::int64_t now, PassResult& result);
    std::int64_t backoff_until(std::int64_t now, std::optional<std::chrono::seconds> retry_after);
    bool split_or_reject(const std::vector<std::int64_t>& ids,
                         const std::vector<fhir::OutgoingResponse>& rows, int status,
                         const std::string& status_text, std::int64_t now, PassResult& result);
    void fail_batch(const std::vector<std::int64_t>& ids, std::int64_t now,
                    std::optional<int> status, const std::string& problem,
                    std::optional<std::chrono::seconds> retry_after, PassResult& result);

    outbox::Outbox& outbox_;
    CurlTransport& transport_;
    DeliverySettings settings_;
    LogSink log_;
    std::mt19937_64 jitter_;
    int consecutive_failures_ = 0;
    std::int64_t not_before_ms_ = 0;
    std::int64_t paused_until_ms_ = 0; // after 401/403: no passes before this, woken or not
    int batch_limit_; // shrinks after 413 or a whole-batch 4xx, grows back after successes
};

// One deliverer per outbox at a time: the kiosk's worker or the kiosk-sync command, never both.
// The holder owns every row in `sending`, so putting them back in the queue at its start-up is
// safe, and no response is ever in two uploads at once. An advisory lock (flock) on a file next
// to the outbox: the kernel releases it when the holder exits, however it exits.
class DeliveryLock {
public:
    // Empty when another process holds it (or the lock file cannot be opened: `problem` says).
    static std::optional<DeliveryLock> try_acquire(const std::filesystem::path& outbox_file,
                                                   std::string* problem = nullptr);
    DeliveryLock(DeliveryLock&& other) noexcept;
    DeliveryLock& operator=(DeliveryLock&& other) noexcept;
    DeliveryLock(const DeliveryLock&) = delete;
    ~DeliveryLock();

private:
    explicit DeliveryLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

struct DeliveryWorkerOptions {
    // How long the worker waits before trying again when it cannot open its outbox connection
    // or set up its transport: the card may come back, a certificate may be put in place. A new
    // response (wake) or staff's "Send now" makes it try at once.
    std::chrono::milliseconds retry_interval{60'000};
    // For tests: the SQLite VFS to open the outbox through (see OutboxOptions::vfs). Unset
    // means SQLite's default VFS.
    std::optional<std::string> outbox_vfs{};
};

// Runs Delivery on its own thread with its own outbox connection and curl handle.
class DeliveryWorker {
public:
    DeliveryWorker(std::filesystem::path outbox_file, DeliverySettings settings, LogSink log,
                   DeliveryWorkerOptions options = {});
    ~DeliveryWorker(); // stops and joins
    DeliveryWorker(const DeliveryWorker&) = delete;
    DeliveryWorker& operator=(const DeliveryWorker&) = delete;

    void start();
    void wake(); // "there is a new response": send now rather than at the next timer
    // Staff's "Send now": forget the backoff and any credentials pause, and try at once.
    // (The rows themselves are made due by Outbox::make_queued_due_now.)
    void send_now();
    void stop(); // aborts an upload in progress within about a second; its rows go back to queued

private:
    void run();
    // Opens the outbox and sets up the transport, trying again every retry interval until both
    // work or the worker is stopped (then it returns false).
    bool set_up(std::optional<outbox::Outbox>& outbox, std::optional<CurlTransport>& transport);
    // Waits up to `wait`; returns false when the worker is being stopped.
    bool wait_unless_stopped(std::chrono::milliseconds wait);
    // As wait_unless_stopped, but a wake() or send_now() also ends the wait (and is used up).
    bool wait_for_retry(std::chrono::milliseconds wait);

    std::filesystem::path outbox_file_;
    DeliverySettings settings_;
    LogSink log_;
    DeliveryWorkerOptions options_;
    std::mutex mutex_;
    std::condition_variable wake_signal_;
    bool woken_ = false;
    bool send_now_ = false;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

std::int64_t unix_now_ms();

} // namespace kiosk::delivery
