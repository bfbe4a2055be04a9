#include "platform/audio_output.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

namespace kiosk::platform {

namespace {

struct StreamDeleter {
    void operator()(SDL_AudioStream* stream) const { SDL_FreeAudioStream(stream); }
};

// Speech at another rate than the device's (not espeak-ng's, but any Speech is accepted),
// converted by SDL. Returns the converted bytes or SDL's error.
std::variant<std::vector<std::uint8_t>, std::string> convert(const speech::Speech& speech,
                                                             int device_rate) {
    std::unique_ptr<SDL_AudioStream, StreamDeleter> stream(
        SDL_NewAudioStream(AUDIO_S16SYS, 1, speech.sample_rate, AUDIO_S16SYS, 1, device_rate));
    if (!stream) {
        return std::string("SDL could not convert ") + std::to_string(speech.sample_rate) +
               " Hz speech: " + SDL_GetError();
    }
    const auto bytes = static_cast<int>(speech.samples.size() * sizeof(std::int16_t));
    if (SDL_AudioStreamPut(stream.get(), speech.samples.data(), bytes) != 0 ||
        SDL_AudioStreamFlush(stream.get()) != 0) {
        return std::string("SDL could not convert the speech: ") + SDL_GetError();
    }
    std::vector<std::uint8_t> converted(
        static_cast<std::size_t>(std::max(0, SDL_AudioStreamAvailable(stream.get()))));
    const int got =
        SDL_AudioStreamGet(stream.get(), converted.data(), static_cast<int>(converted.size()));
    if (got < 0) {
        return std::string("SDL could not convert the speech: ") + SDL_GetError();
    }
    converted.resize(static_cast<std::size_t>(got));
    return converted;
}

} // namespace

std::variant<AudioOutput, std::string> AudioOutput::open(const AudioOutputOptions& options) {
    if (options.sample_rate <= 0 || options.buffer_samples <= 0 ||
        options.buffer_samples > std::numeric_limits<Uint16>::max()) {
        return std::string("audio output: the sample rate and buffer size must be positive, "
                           "and the buffer at most 65535 samples");
    }
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        return std::string("SDL could not start audio: ") + SDL_GetError();
    }
    AudioOutput output;
    output.session_ = std::make_unique<AudioSession>();

    const char* current = SDL_GetCurrentAudioDriver();
    const std::string driver = current != nullptr ? current : "";
    // SDL's dummy driver accepts audio and throws it away. A speaker button that makes no
    // sound is worse than none, so it counts as no audio output.
    if (driver == "dummy") {
        return std::string("SDL's \"dummy\" audio driver plays nothing: no audio output");
    }

    SDL_AudioSpec wanted{};
    wanted.freq = options.sample_rate;
    wanted.format = AUDIO_S16SYS;
    wanted.channels = 1;
    wanted.samples = static_cast<Uint16>(options.buffer_samples);
    wanted.callback = nullptr; // queued with SDL_QueueAudio
    SDL_AudioSpec obtained{};
    // No changes allowed: SDL converts to whatever the hardware wants, so the queue always
    // takes 16-bit mono at the rate asked for.
    const SDL_AudioDeviceID id = SDL_OpenAudioDevice(
        options.device.empty() ? nullptr : options.device.c_str(), 0, &wanted, &obtained, 0);
    if (id == 0) {
        return "SDL could not open " +
               (options.device.empty() ? std::string("the default audio output")
                                       : "the audio output \"" + options.device + "\"") +
               " (driver " + driver + "): " + SDL_GetError();
    }
    output.device_ = std::make_unique<Device>();
    output.device_->id = id;
    output.sample_rate_ = obtained.freq;
    // Running from now on: an empty queue plays silence, so play() only has to queue.
    SDL_PauseAudioDevice(id, 0);
    return output;
}

std::optional<std::string> AudioOutput::play(const speech::Speech& speech) {
    if (!device_) {
        return std::string("the audio output was moved from");
    }
    if (speech.sample_rate <= 0) {
        return std::string("speech without a sample rate cannot be played");
    }
    SDL_ClearQueuedAudio(device_->id);
    if (speech.samples.empty()) {
        return std::nullopt;
    }
    // SDL counts bytes in an int when converting and a Uint32 when queueing; hours of speech.
    constexpr std::size_t kMostSamples =
        static_cast<std::size_t>(std::numeric_limits<int>::max()) / 4;
    if (speech.samples.size() > kMostSamples) {
        return std::string("the speech is too long for SDL's audio queue");
    }
    const void* data = speech.samples.data();
    std::size_t bytes = speech.samples.size() * sizeof(std::int16_t);
    std::vector<std::uint8_t> converted;
    if (speech.sample_rate != sample_rate_) {
        auto result = convert(speech, sample_rate_);
        if (auto* problem = std::get_if<std::string>(&result)) {
            return *problem;
        }
        converted = std::move(std::get<std::vector<std::uint8_t>>(result));
        data = converted.data();
        bytes = converted.size();
    }
    if (bytes > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        return std::string("the speech is too long for SDL's audio queue"); // after upsampling
    }
    if (SDL_QueueAudio(device_->id, data, static_cast<Uint32>(bytes)) != 0) {
        return std::string("SDL could not queue the speech: ") + SDL_GetError();
    }
    return std::nullopt;
}

void AudioOutput::stop() {
    if (device_) {
        SDL_ClearQueuedAudio(device_->id);
    }
}

bool AudioOutput::playing() const {
    return device_ && SDL_GetQueuedAudioSize(device_->id) > 0;
}

std::string AudioOutput::driver() const {
    const char* name = SDL_GetCurrentAudioDriver();
    return name != nullptr ? name : "";
}

} // namespace kiosk::platform
