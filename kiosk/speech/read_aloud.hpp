#pragma once
// What a speaker button calls: reads a screen's text aloud in the patient's language without
// ever holding up a UI frame.
//
// Threads. The thread that makes a ReadAloud (the UI thread) calls every public function; each
// returns at once. A worker thread owned by the ReadAloud does the synthesis (tens to hundreds
// of milliseconds) and hands the result to the sink. One lock guards the request, the state
// and every call into the sink, so the sink sees one call at a time (audio_sink.hpp).
//
// Latest request wins: say() cancels whatever is queued, being synthesised or playing, as a
// patient tapping from one question to the next expects. Speech that was cancelled while being
// synthesised is dropped, never played late.

#include "speech/audio_sink.hpp"
#include "speech/speech_synthesiser.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>

namespace kiosk::speech {

struct ReadAloudError {
    std::string message;
    std::chrono::system_clock::time_point when;
};

// The points the worker passes for each request, in this order, for ReadAloudHooks.
enum class WorkerStep {
    chunk_synthesised, // another chunk (about 50 ms of audio) has been made: once or more
    synthesised,       // synthesis has ended (finished, failed or cancelled); nothing played yet
    finished,          // the worker is done with the request: played, dropped or failed
};

// For tests: lets a test see the worker reach a known point, and hold it there, instead of
// guessing how long espeak-ng takes on a machine that may be busy. Empty in the kiosk.
struct ReadAloudHooks {
    // Called on the worker thread without the ReadAloud's lock: it may call say(), stop(),
    // busy() and last_error(), and may block, as a slow espeak-ng would. `cancel` is the
    // request's, stopped once say(), stop() or the destructor has replaced the request. It
    // must not throw.
    std::function<void(WorkerStep step, std::string_view text, std::stop_token cancel)> on_step;
};

class ReadAloud {
public:
    // Starts espeak-ng (on this thread: loading its data takes a moment, once) and the worker.
    // When espeak-ng cannot start, nothing is available and last_error() says why; the kiosk
    // carries on without speaker buttons. `sink` must outlive the ReadAloud. Only one
    // ReadAloud (or SpeechSynthesiser) can have espeak-ng at a time. `hooks` are for tests.
    explicit ReadAloud(AudioSink& sink, const SynthesiserOptions& options = {},
                       ReadAloudHooks hooks = {});
    ReadAloud(const ReadAloud&) = delete;
    ReadAloud& operator=(const ReadAloud&) = delete;
    // Stops any speech, cancels synthesis and joins the worker (within about 50 ms of audio).
    ~ReadAloud();

    // Reads `text` in the language `language_tag` ("cy", "pa-Guru"), replacing whatever is
    // pending or playing. A language without a voice records an error and says nothing.
    void say(std::string text, std::string language_tag);
    // Silences speech now and drops anything not yet played.
    void stop();
    // True while a request is waiting, being synthesised, or playing: the button can show it.
    bool busy() const;
    // Whether to show the speaker button for this language: espeak-ng started and has a voice
    // for it.
    bool available_for(std::string_view language_tag) const;
    // The most recent problem (espeak-ng would not start, a voice is missing, the sink could
    // not play), with when it happened, for the staff status and the log. Kept until the next.
    std::optional<ReadAloudError> last_error() const;

private:
    struct Request {
        std::string text;
        std::string voice;
        std::stop_token cancel;
    };
    void run(std::stop_token shutdown);
    // Tells hooks_ (if any) that `request` reached `step`; `lock` (on mutex_) is released
    // meanwhile when held.
    void reached(WorkerStep step, const Request& request, std::unique_lock<std::mutex>& lock);
    void record_error(std::string message); // with mutex_ held

    AudioSink& sink_;
    const ReadAloudHooks hooks_;
    // Used by the worker only, once constructed; empty when espeak-ng could not start.
    std::optional<SpeechSynthesiser> synthesiser_;
    // The espeak-ng voices of voice_table() that this espeak-ng has. Set before the worker
    // starts and never changed, so available_for() reads it without the lock.
    std::set<std::string, std::less<>> voices_;

    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    std::optional<Request> pending_;           // guarded by mutex_
    std::stop_source current_;                 // guarded: cancels the latest request
    bool synthesising_ = false;                // guarded
    std::optional<ReadAloudError> last_error_; // guarded
    std::jthread worker_; // last, so it starts after and stops before everything above
};

} // namespace kiosk::speech
