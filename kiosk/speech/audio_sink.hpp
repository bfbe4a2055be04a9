#pragma once
// Where ReadAloud sends finished speech. An interface so the tests can record what would have
// been played, and the kiosk can use SDL (platform/audio_output.hpp) without this library
// depending on SDL.

#include "speech/speech.hpp"

#include <optional>
#include <string>

namespace kiosk::speech {

// ReadAloud calls these from two threads (play() from its worker, stop() and playing() from the
// thread that owns the ReadAloud) but never two at once: it holds its own lock around every
// call. An implementation therefore needs no lock of its own for ReadAloud, but must not be
// tied to one thread, and play() must return at once rather than wait for the sound to end.
struct AudioSink {
    virtual ~AudioSink() = default;

    // Starts `speech`, replacing anything still playing. Says why when it cannot play, so that
    // the problem reaches the staff status rather than becoming a silent button.
    virtual std::optional<std::string> play(const Speech& speech) = 0;
    // Silences the sink; nothing queued is played afterwards.
    virtual void stop() = 0;
    // True from play() until the sound has been handed to the audio hardware, or stop().
    virtual bool playing() const = 0;
};

} // namespace kiosk::speech
