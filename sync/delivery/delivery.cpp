#include "delivery/delivery.hpp"

#include "delivery/retry_policy.hpp"
#include "fhir/batch.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace kiosk::delivery {

namespace {

std::string describe(const outbox::OutboxError& error) {
    return error.describe();
}

} // namespace

std::int64_t unix_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Delivery::Delivery(outbox::Outbox& outbox, CurlTransport& transport, DeliverySettings settings,
                   LogSink log)
    : outbox_(outbox), transport_(transport), settings_(std::move(settings)), log_(std::move(log)),
      jitter_(std::random_device{}()), batch_limit_(settings_.batch_max_entries) {}

std::int64_t Delivery::backoff_until(std::int64_t now,
                                     std::optional<std::chrono::seconds> retry_after) {
    auto backoff = full_jitter_backoff(consecutive_failures_, settings_.retry_base,
                                       settings_.retry_cap, jitter_());
    return now + next_retry_delay(backoff, retry_after, settings_.retry_cap).count();
}

void Delivery::fail_batch(const std::vector<std::int64_t>& ids, std::int64_t now,
                          std::optional<int> status, const std::string& problem,
                          std::optional<std::chrono::seconds> retry_after, PassResult& result) {
    ++consecutive_failures_;
    auto next = backoff_until(now, retry_after);
    not_before_ms_ = std::max(not_before_ms_, next);
    if (auto error = outbox_.requeue(ids, next, status, problem).error) {
        log_(LogLevel::error, "could not put responses back in the queue: " + describe(*error));
    }
    outbox_.record_delivery_failure(now, problem);
    result.requeued += static_cast<int>(ids.size());
    result.failed = true;
    result.problem = problem;
    log_(LogLevel::warning, problem + "; " + std::to_string(ids.size()) +
                                " response(s) will be tried again in " +
                                std::to_string((next - now + 999) / 1000) + " s");
}

bool Delivery::split_or_reject(const std::vector<std::int64_t>& ids,
                               const std::vector<fhir::OutgoingResponse>& rows, int status,
                               const std::string& status_text, std::int64_t now,
                               PassResult& result) {
    if (ids.size() > 1) {
        // Too large, or one entry may spoil the batch: send smaller batches straight away, down
        // to single responses, so one bad response cannot hold up the rest.
        batch_limit_ = std::max(1, static_cast<int>(ids.size()) / 2);
        outbox_.requeue(ids, now, status, status_text + "; sending smaller batches");
        result.requeued += static_cast<int>(ids.size());
        log_(LogLevel::warning, status_text + " for a batch of " + std::to_string(ids.size()) +
                                    "; trying batches of " + std::to_string(batch_limit_));
        return true;
    }
    if (status == 413) {
        // One response alone is too large for this endpoint: no retry can ever succeed.
        std::string reason = status_text + ": too large for the endpoint";
        outbox_.mark_rejected(ids.front(), status, reason);
        ++result.rejected;
        log_(LogLevel::warning, "response " + rows.front().identifier + " was refused: " + reason);
        return true;
    }
    // A status for the whole request never rejects a response by itself: a gateway or a wrong
    // base address answers every request that way, and rejecting would strand a ward's
    // responses. Back off, keep it queued, and let staff see why.
    fail_batch(ids, now, status,
               status_text + " for a single response: the endpoint or its address may be wrong",
               std::nullopt, result);
    return false;
}

bool Delivery::deliver_batch(const std::atomic<bool>& stop, std::int64_t now, PassResult& result) {
    auto claimed = outbox_.claim_batch(now, static_cast<std::size_t>(batch_limit_),
                                       static_cast<std::size_t>(settings_.batch_max_bytes));
    if (claimed.error) {
        // Back off like a network failure, so a broken disk does not make the worker spin.
        ++consecutive_failures_;
        not_before_ms_ = std::max(not_before_ms_, backoff_until(now, std::nullopt));
        result.failed = true;
        result.problem = "the outbox could not be read: " + describe(*claimed.error);
        log_(LogLevel::error, result.problem);
        return false;
    }
    if (claimed.responses.empty()) {
        return false;
    }
    std::vector<fhir::OutgoingResponse> rows;
    std::vector<std::int64_t> ids;
    for (const auto& row : claimed.responses) {
        rows.push_back({row.id, row.identifier, row.payload});
        ids.push_back(row.id);
    }
    auto plan = fhir::plan_batch(rows, {static_cast<std::size_t>(batch_limit_),
                                        static_cast<std::size_t>(settings_.batch_max_bytes)});
    std::size_t first_left_over = plan.count;
    if (plan.unsendable) {
        // A stored payload that can never be sent (damaged on the disk, say): keep it, show it
        // to staff, and do not let it block the queue.
        outbox_.mark_rejected(plan.unsendable->row_id, 0,
                              "stored response cannot be sent: " + plan.unsendable->reason);
        ++result.rejected;
        log_(LogLevel::error, "response " + rows[plan.unsendable->index].identifier +
                                  " cannot be sent: " + plan.unsendable->reason);
        first_left_over = plan.unsendable->index + 1;
    }
    if (first_left_over < ids.size()) {
        // Claimed but not in this batch (the encoded size ran over): back to the queue, due now.
        std::vector<std::int64_t> left_over(ids.begin() + static_cast<long>(first_left_over),
                                            ids.end());
        outbox_.requeue(left_over, now, std::nullopt, "");
    }
    ids.resize(plan.count);
    rows.resize(plan.count);
    if (ids.empty()) {
        return true;
    }

    auto posted = transport_.post_bundle(plan.body, stop);
    if (auto* failure = std::get_if<TransportFailure>(&posted)) {
        if (failure->kind == TransportFailure::Kind::stopped) {
            outbox_.requeue(ids, now, std::nullopt, "delivery stopped while sending");
            result.requeued += static_cast<int>(ids.size());
            return false;
        }
        fail_batch(ids, now, std::nullopt, failure->what, std::nullopt, result);
        return false;
    }
    const auto& reply = std::get<HttpReply>(posted);
    std::optional<std::chrono::seconds> retry_after;
    if (reply.retry_after) {
        retry_after = parse_retry_after(*reply.retry_after, std::chrono::system_clock::now());
    }
    std::string status_text = "the endpoint answered HTTP " + std::to_string(reply.status);
    auto verdict = classify_http_status(reply.status);
    switch (verdict.verdict) {
    case WholeRequestVerdict::deliver_entries:
        break;
    case WholeRequestVerdict::retry_later:
        if (verdict.entry_may_be_the_cause) {
            return split_or_reject(ids, rows, reply.status, status_text, now, result);
        }
        fail_batch(ids, now, reply.status,
                   status_text + (verdict.needs_staff_attention
                                      ? " (the endpoint address or its set-up may be wrong)"
                                      : ""),
                   retry_after, result);
        return false;
    case WholeRequestVerdict::pause_and_alert: {
        std::string problem = status_text +
                              ": it refused this device's credentials; delivery is paused until "
                              "the token or certificate is fixed";
        fail_batch(ids, now, reply.status, problem, std::nullopt, result);
        // Paused: no sending on new responses either, only one try per retry cap to notice
        // that IT has fixed the credentials (a success ends the pause).
        paused_until_ms_ =
            now +
            std::chrono::duration_cast<std::chrono::milliseconds>(settings_.retry_cap).count();
        not_before_ms_ = std::max(not_before_ms_, paused_until_ms_);
        outbox_.set_paused(true, problem);
        result.paused = true;
        log_(LogLevel::error, problem);
        return false;
    }
    case WholeRequestVerdict::split_batch:
        return split_or_reject(ids, rows, reply.status, status_text, now, result);
    }

    auto parsed = fhir::parse_batch_response(reply.body, rows);
    if (!parsed.valid()) {
        fail_batch(ids, now, reply.status,
                   status_text +
                       " but the reply is not a FHIR batch-response: " + *parsed.invalid_reason,
                   std::nullopt, result);
        return false;
    }
    std::vector<std::int64_t> acknowledged;
    std::vector<std::int64_t> again;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto& entry = parsed.entries[i];
        switch (entry.outcome) {
        case fhir::EntryOutcome::acknowledged:
            acknowledged.push_back(ids[i]);
            break;
        case fhir::EntryOutcome::rejected:
            outbox_.mark_rejected(ids[i], entry.status, entry.reason);
            ++result.rejected;
            log_(LogLevel::warning, "response " + rows[i].identifier + " was refused (HTTP " +
                                        std::to_string(entry.status) + "): " + entry.reason);
            break;
        case fhir::EntryOutcome::retry:
            again.push_back(ids[i]);
            break;
        }
    }
    if (!acknowledged.empty()) {
        if (auto error = outbox_.mark_acknowledged(acknowledged, now, reply.status).error) {
            log_(LogLevel::error, "could not record delivered responses: " + describe(*error));
        }
        result.acknowledged += static_cast<int>(acknowledged.size());
        outbox_.record_delivery_success(now);
        consecutive_failures_ = 0;
        batch_limit_ = std::min(settings_.batch_max_entries, batch_limit_ * 2);
    }
    if (!again.empty()) {
        fail_batch(again, now, reply.status,
                   std::to_string(again.size()) + " response(s) in the batch were not taken now",
                   retry_after, result);
        return false;
    }
    return true;
}

void Delivery::bring_forward_waits(std::int64_t now) {
    // No wait this worker sets is longer than the retry cap (a Retry-After is capped too). A
    // wait that ends later than that from now was set before the wall clock went back: a clock
    // corrected by a day must not hold responses, or a credentials pause, for a day.
    const std::int64_t latest =
        now + std::chrono::duration_cast<std::chrono::milliseconds>(settings_.retry_cap).count();
    not_before_ms_ = std::min(not_before_ms_, latest);
    paused_until_ms_ = std::min(paused_until_ms_, latest);
    auto brought = outbox_.bring_forward_waits(latest);
    if (brought.error) {
        log_(LogLevel::error, "could not check the retry times: " + describe(*brought.error));
    } else if (brought.count > 0) {
        log_(LogLevel::warning, "the clock went back: " + std::to_string(brought.count) +
                                    " response(s) waiting to be sent again are due within " +
                                    std::to_string(settings_.retry_cap.count()) + " s");
    }
}

PassResult Delivery::deliver_due(const std::atomic<bool>& stop,
                                 const std::function<std::int64_t()>& now_ms) {
    PassResult result;
    bring_forward_waits(now_ms());
    if (now_ms() < paused_until_ms_) {
        result.paused = true;
        result.problem = "delivery is paused: the endpoint refused this device's credentials";
        return result;
    }
    while (!stop.load() && deliver_batch(stop, now_ms(), result)) {
    }
    if (result.acknowledged > 0) {
        paused_until_ms_ = 0;
    }
    return result;
}

void Delivery::purge(std::int64_t now_ms) {
    std::int64_t cutoff = now_ms - static_cast<std::int64_t>(settings_.retention_days) * 86'400'000;
    auto purged = outbox_.purge_acknowledged(cutoff);
    if (purged.error) {
        log_(LogLevel::error,
             "could not remove old delivered responses: " + describe(*purged.error));
    } else if (purged.count > 0) {
        log_(LogLevel::info, "removed " + std::to_string(purged.count) +
                                 " delivered response(s) older than " +
                                 std::to_string(settings_.retention_days) + " days");
    }
}

// ------------------------------------------------------------------ lock

std::optional<DeliveryLock> DeliveryLock::try_acquire(const std::filesystem::path& outbox_file,
                                                      std::string* problem) {
    auto file = outbox_file;
    file += ".delivery-lock";
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (problem != nullptr) {
            *problem = "cannot open " + file.string() + ": " + std::strerror(errno);
        }
        return std::nullopt;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (problem != nullptr) {
            *problem =
                "another process is delivering from this outbox (it holds " + file.string() + ")";
        }
        ::close(fd);
        return std::nullopt;
    }
    return DeliveryLock(fd);
}

DeliveryLock::DeliveryLock(DeliveryLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DeliveryLock& DeliveryLock::operator=(DeliveryLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

DeliveryLock::~DeliveryLock() {
    if (fd_ >= 0) {
        ::close(fd_); // releases the lock
    }
}

// ------------------------------------------------------------------ worker

DeliveryWorker::DeliveryWorker(std::filesystem::path outbox_file, DeliverySettings settings,
                               LogSink log, DeliveryWorkerOptions options)
    : outbox_file_(std::move(outbox_file)), settings_(std::move(settings)), log_(std::move(log)),
      options_(std::move(options)) {}

DeliveryWorker::~DeliveryWorker() {
    stop();
}

void DeliveryWorker::start() {
    if (!thread_.joinable()) {
        thread_ = std::thread([this] { run(); });
    }
}

void DeliveryWorker::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_signal_.notify_one();
}

void DeliveryWorker::send_now() {
    {
        std::lock_guard lock(mutex_);
        send_now_ = true;
    }
    wake_signal_.notify_one();
}

void DeliveryWorker::stop() {
    {
        // Under the lock, so the worker cannot miss this between checking and waiting.
        std::lock_guard lock(mutex_);
        stopping_.store(true);
    }
    wake_signal_.notify_one();
    if (thread_.joinable()) {
        thread_.join();
    }
}

bool DeliveryWorker::wait_unless_stopped(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    // stop() sets stopping_ under this lock, so it cannot slip in between the check and the wait.
    return !wake_signal_.wait_for(lock, wait, [this] { return stopping_.load(); });
}

bool DeliveryWorker::wait_for_retry(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    wake_signal_.wait_for(lock, wait, [this] { return woken_ || send_now_ || stopping_.load(); });
    // Used up here, or a problem that stays would make the next wait end at once. The first
    // pass after set-up runs straight away, which is all either asked for.
    woken_ = false;
    send_now_ = false;
    return !stopping_.load();
}

bool DeliveryWorker::set_up(std::optional<outbox::Outbox>& outbox,
                            std::optional<CurlTransport>& transport) {
    const auto interval = options_.retry_interval;
    const std::string again =
        "; trying again every " + (interval.count() % 1000 == 0
                                       ? std::to_string(interval.count() / 1000) + " s"
                                       : std::to_string(interval.count()) + " ms");
    // The problem last logged: a card that stays unreadable for a day must not put the same line
    // in the log every minute, but a different problem, and the end of it, must show.
    std::string logged;
    bool outbox_failed = false;
    bool transport_failed = false;
    while (!stopping_.load()) {
        std::string problem;
        if (!outbox) {
            // Delivery's own commits need not wait for the disk: see OutboxOptions::Commit.
            auto outbox_options = outbox::OutboxOptions::for_delivery();
            outbox_options.vfs = options_.outbox_vfs;
            auto opened = outbox::Outbox::open(outbox_file_, outbox_options);
            if (opened.outbox) {
                outbox = std::move(opened.outbox);
                if (outbox_failed) {
                    log_(LogLevel::info, "delivery opened the outbox");
                }
            } else {
                outbox_failed = true;
                problem = "delivery cannot open the outbox: " + opened.error->describe();
            }
        }
        if (outbox && !transport) {
            auto created = CurlTransport::create(settings_.transport);
            if (auto* made = std::get_if<CurlTransport>(&created)) {
                transport.emplace(std::move(*made));
                if (transport_failed) {
                    log_(LogLevel::info, "delivery can start now");
                }
            } else {
                transport_failed = true;
                const auto& cause = std::get<std::string>(created);
                problem = "delivery cannot start: " + cause;
                if (problem != logged) {
                    // For staff status; once per problem, not a disk write every interval.
                    outbox->record_delivery_failure(unix_now_ms(), cause);
                }
            }
        }
        if (outbox && transport) {
            return true;
        }
        if (problem != logged) {
            log_(LogLevel::error, problem + again);
            logged = problem;
        }
        if (!wait_for_retry(interval)) {
            return false;
        }
    }
    return false;
}

void DeliveryWorker::run() {
    // Neither failure is final: the data partition may be mounted late, a card may recover, IT
    // may put a certificate in place. The kiosk keeps taking responses meanwhile.
    std::optional<outbox::Outbox> opened;
    std::optional<CurlTransport> transport;
    if (!set_up(opened, transport)) {
        return;
    }
    outbox::Outbox& outbox = *opened;
    // Wait for kiosk-sync to finish if IT is running it: one deliverer at a time.
    std::optional<DeliveryLock> lock = DeliveryLock::try_acquire(outbox_file_);
    while (!lock && wait_unless_stopped(std::chrono::seconds(5))) {
        lock = DeliveryLock::try_acquire(outbox_file_);
    }
    if (!lock) {
        return;
    }
    // Rows left "sending" by a crash or power cut were never acknowledged: send them again.
    // The endpoint's ifNoneExist makes a resend harmless.
    if (auto recovered = outbox.recover_interrupted(); recovered.count > 0) {
        log_(LogLevel::info, std::to_string(recovered.count) +
                                 " response(s) interrupted while sending are queued again");
    }
    Delivery delivery(outbox, *transport, settings_, log_);
    constexpr auto kPurgeEvery = std::chrono::hours(1);
    auto next_purge = std::chrono::steady_clock::now();
    while (!stopping_.load()) {
        // This worker holds the delivery lock, so any row still `sending` between passes is its
        // own leftover (a bookkeeping write that failed): back to the queue, never stranded.
        outbox.recover_interrupted();
        {
            std::lock_guard lock(mutex_);
            if (send_now_) {
                send_now_ = false;
                delivery.forget_backoff();
            }
        }
        delivery.deliver_due(stopping_, unix_now_ms);
        if (std::chrono::steady_clock::now() >= next_purge) {
            delivery.purge(unix_now_ms());
            next_purge = std::chrono::steady_clock::now() + kPurgeEvery;
        }
        // Sleep until the next row is due, a new response arrives, or we are stopped. Waits are
        // in steady time and re-checked at least once a minute, so a wall-clock jump can delay
        // a retry by a minute at most, never for ever.
        auto wait = std::chrono::milliseconds(60'000);
        auto due = outbox.next_due_time();
        if (!due.error && due.due_at_ms) {
            auto due_at = std::max(*due.due_at_ms, delivery.not_before_ms());
            wait = std::clamp(std::chrono::milliseconds(due_at - unix_now_ms()),
                              std::chrono::milliseconds(0), wait);
        }
        std::unique_lock lock(mutex_);
        wake_signal_.wait_for(lock, wait,
                              [this] { return woken_ || send_now_ || stopping_.load(); });
        woken_ = false;
    }
}

} // namespace kiosk::delivery
