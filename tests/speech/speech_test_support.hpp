#pragma once
// Shared by the read-aloud tests: how much of some audio is sound rather than silence, shipped
// words to read, environment variables set for one test, a sink that records and a probe that
// holds ReadAloud's worker at known points. Nothing here waits a guessed time for something
// to have happened: the tests wait for it to happen, with a limit only a fault reaches.

#include "speech/audio_sink.hpp"
#include "speech/read_aloud.hpp"
#include "speech/speech.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace kiosk::testing {

// Seconds of `samples` in 10 ms windows louder than about -40 dBFS: speech, not silence or
// dither. Counting windows rather than samples keeps zero crossings inside words from counting
// as silence.
inline double sounding_seconds(const std::vector<std::int16_t>& samples, int sample_rate) {
    const std::size_t window = static_cast<std::size_t>(sample_rate / 100);
    if (window == 0) {
        return 0.0;
    }
    std::size_t loud_windows = 0;
    for (std::size_t start = 0; start + window <= samples.size(); start += window) {
        double sum = 0.0;
        for (std::size_t i = start; i < start + window; ++i) {
            sum += static_cast<double>(samples[i]) * samples[i];
        }
        if (std::sqrt(sum / static_cast<double>(window)) > 330.0) {
            ++loud_windows;
        }
    }
    return static_cast<double>(loud_windows) * 0.01;
}

inline double sounding_seconds(const speech::Speech& speech) {
    return sounding_seconds(speech.samples, speech.sample_rate);
}

// A sine tone, for the audio output tests that need known sound without espeak-ng.
inline speech::Speech tone(double seconds, int sample_rate, double hertz = 440.0) {
    speech::Speech speech;
    speech.sample_rate = sample_rate;
    const auto count = static_cast<std::size_t>(seconds * sample_rate);
    speech.samples.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        speech.samples[i] =
            static_cast<std::int16_t>(8000.0 * std::sin(2.0 * 3.14159265358979 * hertz *
                                                        static_cast<double>(i) / sample_rate));
    }
    return speech;
}

// A kiosk string in a shipped language, from assets/strings/<tag>.json.
inline std::string shipped_string(const std::string& tag, const std::string& key) {
    const std::filesystem::path file =
        std::filesystem::path(KIOSK_SOURCE_DIR) / "assets" / "strings" / (tag + ".json");
    std::ifstream in(file);
    return nlohmann::json::parse(in).at(key).get<std::string>();
}

// The shipped languages: every assets/strings/*.json, and English, which is built in.
inline std::vector<std::string> shipped_languages() {
    std::vector<std::string> tags{"en"};
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(KIOSK_SOURCE_DIR) / "assets" / "strings")) {
        if (entry.path().extension() == ".json") {
            tags.push_back(entry.path().stem().string());
        }
    }
    return tags;
}

// Sets an environment variable for one test and puts the old value back afterwards. Only
// while no other thread can be reading the environment (SDL reads it when audio starts).
class ScopedEnv {
public:
    ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
        if (const char* old = std::getenv(name_.c_str())) {
            old_ = old;
        }
        ::setenv(name_.c_str(), value.c_str(), 1);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;
    ~ScopedEnv() {
        if (old_) {
            ::setenv(name_.c_str(), old_->c_str(), 1);
        } else {
            ::unsetenv(name_.c_str());
        }
    }

private:
    std::string name_;
    std::optional<std::string> old_;
};

// Polls `done` every 10 ms for at most `limit`; true when it became true in time. The limit is
// a safety net for behaviour that is wrong, never a guess at how fast the machine is: make it
// generous.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > give_up) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

// How long a test waits for something that should happen, or holds the worker for something
// that should release it, before calling the behaviour wrong: far longer than anything takes
// on a machine however busy, so only a fault reaches it.
inline constexpr std::chrono::seconds kPatience{60};

// Records every call in order. A play "plays" until stop() or until the test calls
// finish_playing(): the test, not the clock, decides when speech has ended.
class RecordingSink final : public speech::AudioSink {
public:
    struct Event {
        bool is_play = false;
        speech::Speech speech; // for plays
    };

    std::optional<std::string> play(const speech::Speech& speech) override {
        std::lock_guard lock(mutex_);
        events_.push_back({true, speech});
        playing_ = !failure_;
        return failure_;
    }
    void stop() override {
        std::lock_guard lock(mutex_);
        events_.push_back({false, {}});
        playing_ = false;
    }
    bool playing() const override {
        std::lock_guard lock(mutex_);
        return playing_;
    }

    // The speech playing now comes to its end.
    void finish_playing() {
        std::lock_guard lock(mutex_);
        playing_ = false;
    }
    std::vector<Event> events() const {
        std::lock_guard lock(mutex_);
        return events_;
    }
    std::vector<speech::Speech> plays() const {
        std::vector<speech::Speech> played;
        for (const auto& event : events()) {
            if (event.is_play) {
                played.push_back(event.speech);
            }
        }
        return played;
    }
    void fail_with(std::string message) {
        std::lock_guard lock(mutex_);
        failure_ = std::move(message);
    }

private:
    mutable std::mutex mutex_;
    std::vector<Event> events_;
    bool playing_ = false;
    std::optional<std::string> failure_;
};

// Watches a ReadAloud's worker through its hooks and holds it at chosen points, so that a test
// acts while a request is being synthesised, or has been synthesised but not yet played,
// however fast or slow the machine is. Make it before the ReadAloud and keep it until after.
class WorkerProbe {
public:
    // How a hold ended.
    enum class Outcome { none, cancelled, timed_out };

    // The first time the worker reaches `step` for the request reading `text`, it waits there
    // until that request is cancelled (by say(), stop() or the destructor), or kPatience has
    // passed, which counts as a fault.
    void hold_at(speech::WorkerStep step, std::string text) {
        std::lock_guard lock(mutex_);
        holds_.push_back({step, std::move(text)});
    }
    speech::ReadAloudHooks hooks() {
        return {[this](speech::WorkerStep step, std::string_view text, std::stop_token cancel) {
            on_step(step, text, std::move(cancel));
        }};
    }

    // Waits until the worker is held at the hold for `text`; false if it is not within kPatience.
    bool wait_until_held(std::string_view text) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, kPatience, [&] {
            const Hold* hold = find(text);
            return hold != nullptr && hold->waiting;
        });
    }
    // Waits until the worker has finished with `count` requests in all; false if it has not
    // within kPatience.
    bool wait_until_finished(std::size_t count) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, kPatience, [&] { return finished_.size() >= count; });
    }

    // The texts of the requests the worker has finished with, in order.
    std::vector<std::string> finished() const {
        std::lock_guard lock(mutex_);
        return finished_;
    }
    Outcome outcome(std::string_view text) const {
        std::lock_guard lock(mutex_);
        const Hold* hold = find(text);
        return hold != nullptr ? hold->outcome : Outcome::none;
    }
    // Chunks of `text` made once its request was cancelled: espeak-ng should stop at once.
    int chunks_after_cancel(std::string_view text) const {
        std::lock_guard lock(mutex_);
        auto found = chunks_after_cancel_.find(std::string(text));
        return found != chunks_after_cancel_.end() ? found->second : 0;
    }

private:
    struct Hold {
        speech::WorkerStep step;
        std::string text;
        bool waiting = false;
        Outcome outcome = Outcome::none;
    };

    void on_step(speech::WorkerStep step, std::string_view text, std::stop_token cancel) {
        std::unique_lock lock(mutex_);
        if (step == speech::WorkerStep::chunk_synthesised && cancel.stop_requested()) {
            ++chunks_after_cancel_[std::string(text)];
        }
        if (step == speech::WorkerStep::finished) {
            finished_.emplace_back(text);
            changed_.notify_all();
            return;
        }
        Hold* hold = find(text);
        if (hold == nullptr || hold->step != step || hold->outcome != Outcome::none) {
            return;
        }
        hold->waiting = true;
        changed_.notify_all();
        // Wakes at once when the request is cancelled (condition_variable_any's stop_token wait).
        changed_.wait_for(lock, cancel, kPatience, [] { return false; });
        hold->waiting = false;
        hold->outcome = cancel.stop_requested() ? Outcome::cancelled : Outcome::timed_out;
        changed_.notify_all();
    }
    const Hold* find(std::string_view text) const {
        for (const auto& hold : holds_) {
            if (hold.text == text) {
                return &hold;
            }
        }
        return nullptr;
    }
    Hold* find(std::string_view text) { return const_cast<Hold*>(std::as_const(*this).find(text)); }

    mutable std::mutex mutex_;
    std::condition_variable_any changed_;
    std::list<Hold> holds_; // a list: a held worker keeps a pointer into it
    std::vector<std::string> finished_;
    std::map<std::string, int> chunks_after_cancel_;
};

} // namespace kiosk::testing
