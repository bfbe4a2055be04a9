#include "speech/read_aloud.hpp"

#include "speech/voices.hpp"

#include <utility>

namespace kiosk::speech {

ReadAloud::ReadAloud(AudioSink& sink, const SynthesiserOptions& options, ReadAloudHooks hooks)
    : sink_(sink), hooks_(std::move(hooks)) {
    auto opened = SpeechSynthesiser::open(options);
    if (auto* problem = std::get_if<std::string>(&opened)) {
        std::lock_guard lock(mutex_);
        record_error("read-aloud is off: " + *problem);
        return;
    }
    synthesiser_.emplace(std::move(std::get<SpeechSynthesiser>(opened)));
    for (const auto& mapping : voice_table()) {
        if (synthesiser_->has_voice(mapping.espeak_voice)) {
            voices_.emplace(mapping.espeak_voice);
        }
    }
    worker_ = std::jthread([this](std::stop_token shutdown) { run(std::move(shutdown)); });
}

ReadAloud::~ReadAloud() {
    {
        std::lock_guard lock(mutex_);
        current_.request_stop();
        pending_.reset();
        if (synthesiser_) {
            sink_.stop(); // only speech this ReadAloud could have started
        }
    }
    if (worker_.joinable()) {
        worker_.request_stop(); // wakes the worker's wait
        worker_.join();
    }
}

void ReadAloud::say(std::string text, std::string language_tag) {
    std::lock_guard lock(mutex_);
    current_.request_stop();
    current_ = std::stop_source();
    pending_.reset();
    if (!synthesiser_) {
        return; // the error saying why was recorded when espeak-ng would not start
    }
    sink_.stop();
    auto voice = espeak_voice_for(language_tag);
    if (!voice || !voices_.contains(*voice)) {
        record_error("no espeak-ng voice for the language \"" + language_tag + "\"");
        return;
    }
    pending_ = Request{std::move(text), std::move(*voice), current_.get_token()};
    wake_.notify_one();
}

void ReadAloud::stop() {
    std::lock_guard lock(mutex_);
    current_.request_stop();
    pending_.reset();
    if (synthesiser_) {
        sink_.stop();
    }
}

bool ReadAloud::busy() const {
    std::lock_guard lock(mutex_);
    // A synthesis that has been cancelled still runs for up to a chunk, but will not be heard.
    return pending_.has_value() || (synthesising_ && !current_.stop_requested()) ||
           (synthesiser_ && sink_.playing());
}

bool ReadAloud::available_for(std::string_view language_tag) const {
    auto voice = espeak_voice_for(language_tag);
    return voice && voices_.contains(*voice);
}

std::optional<ReadAloudError> ReadAloud::last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
}

void ReadAloud::record_error(std::string message) {
    last_error_ = ReadAloudError{std::move(message), std::chrono::system_clock::now()};
}

void ReadAloud::reached(WorkerStep step, const Request& request,
                        std::unique_lock<std::mutex>& lock) {
    if (!hooks_.on_step) {
        return;
    }
    const bool held = lock.owns_lock();
    if (held) {
        lock.unlock();
    }
    hooks_.on_step(step, request.text, request.cancel);
    if (held) {
        lock.lock();
    }
}

void ReadAloud::run(std::stop_token shutdown) {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (!wake_.wait(lock, shutdown, [this] { return pending_.has_value(); })) {
            return; // shutting down
        }
        Request request = std::move(*pending_);
        pending_.reset();
        synthesising_ = true;
        lock.unlock();
        // Without the lock: say() and stop() must not wait for espeak-ng.
        std::function<void(std::size_t)> after_chunk;
        if (hooks_.on_step) {
            after_chunk = [&](std::size_t) {
                reached(WorkerStep::chunk_synthesised, request, lock);
            };
        }
        auto result =
            synthesiser_->synthesise(request.text, request.voice, request.cancel, after_chunk);
        reached(WorkerStep::synthesised, request, lock);
        lock.lock();
        synthesising_ = false;
        // Deciding and playing under the one lock that say() and stop() take to cancel: a
        // request they replaced, even one whose synthesis had already finished, is never
        // played late.
        if (request.cancel.stop_requested()) {
            // replaced or stopped meanwhile: dropped
        } else if (auto* problem = std::get_if<std::string>(&result)) {
            record_error(std::move(*problem));
        } else if (auto problem = sink_.play(std::get<Speech>(result))) {
            record_error("could not play speech: " + *problem);
        }
        reached(WorkerStep::finished, request, lock);
    }
}

} // namespace kiosk::speech
