#pragma once
// Speech out of the loudspeaker through SDL's audio queue. Opening may fail (no sound card, no
// sound server, or only SDL's "dummy" driver); the kiosk then keeps working without speaker
// buttons rather than showing buttons that make no sound.
//
// The audio subsystem is started when this is opened and stopped when it goes. SdlVideo's
// SDL_Quit() stops every SDL subsystem, so an AudioOutput must be destroyed before the
// SdlVideo, and a ReadAloud using it before the AudioOutput.

#include "speech/audio_sink.hpp"
#include "speech/speech.hpp"

#include <SDL.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace kiosk::platform {

struct AudioOutputOptions {
    // The rate the device is opened at. espeak-ng's rate, so speech needs no conversion;
    // speech at any other rate is converted.
    int sample_rate = 22050;
    // Samples per SDL buffer: about 46 ms at 22050 Hz, the delay before stop() is heard.
    int buffer_samples = 1024;
    // An SDL output device name (SDL_GetAudioDeviceName), or empty for the system's default.
    // (SDL's disk driver takes it as the name of the file to write.)
    std::string device;
};

class AudioOutput final : public speech::AudioSink {
public:
    // Starts SDL audio (SDL_AUDIODRIVER chooses the driver, as everywhere in SDL) and opens the
    // output device; on failure says what SDL said.
    static std::variant<AudioOutput, std::string> open(const AudioOutputOptions& options = {});

    AudioOutput(AudioOutput&&) noexcept = default;
    AudioOutput& operator=(AudioOutput&&) = delete; // would quit SDL audio before closing
    ~AudioOutput() override = default;

    // Replaces whatever is playing with `speech`. Any thread; see speech/audio_sink.hpp.
    std::optional<std::string> play(const speech::Speech& speech) override;
    void stop() override;
    // True until the last of the speech has gone to the driver: up to one buffer early.
    bool playing() const override;

    std::string driver() const; // "pulseaudio", "alsa", "disk", ...
    int sample_rate() const { return sample_rate_; }

private:
    struct AudioSession {
        ~AudioSession() { SDL_QuitSubSystem(SDL_INIT_AUDIO); }
    };
    struct Device {
        SDL_AudioDeviceID id = 0;
        ~Device() {
            if (id != 0) {
                SDL_CloseAudioDevice(id);
            }
        }
    };
    AudioOutput() = default;

    // Declared first so it is destroyed last, after the device is closed.
    std::unique_ptr<AudioSession> session_;
    std::unique_ptr<Device> device_; // null once moved from
    int sample_rate_ = 0;
};

} // namespace kiosk::platform
