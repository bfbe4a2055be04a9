#pragma once
// espeak-ng, synthesising into memory so that the kiosk decides where the sound goes (and tests
// can look at it). No espeak-ng type appears here.
//
// espeak-ng keeps all its state in process-wide globals: one voice, one set of parameters, one
// output mode, no locking. So a process may have only one SpeechSynthesiser at a time; open()
// refuses a second while the first exists. Only one thread may use it at a time (ReadAloud
// keeps it on its worker thread).
//
// espeak-ng is started by the first open() and then left running until the process ends: in
// Debian bookworm's espeak-ng 1.51, espeak_ng_Terminate() hangs for ever once the engine has
// been started a second time and has spoken (seen here: two of espeak-ng's threads waiting on
// each other). A later SpeechSynthesiser reuses the running engine, with its own rate and
// voice. Starting espeak-ng also sets the process's LC_CTYPE locale to C.UTF-8 (espeak-ng does
// that itself, for its character classes).

#include "speech/speech.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kiosk::speech {

struct EspeakEngine; // the process's one espeak-ng, defined in speech_synthesiser.cpp

struct SynthesiserOptions {
    // The espeak-ng-data folder (the one holding "phontab"); empty for espeak-ng's own default
    // (on Debian /usr/lib/<arch>/espeak-ng-data). espeak-ng would silently fall back to its
    // default for a folder that is not there, so open() checks it first.
    std::string data_path;
    // Words per minute. espeak-ng's default is 175; a little slower is easier to follow for
    // older patients and for patients listening in their second language.
    int words_per_minute = 150;
};

// espeak-ng's phoneme transcription of some text (`espeak-ng -x`), for tests and diagnostics.
// A switch to another language's voice shows as "(en)"; that is how espeak-ng reads letters it
// cannot pronounce ("Arabic letter ...").
struct PhonemeText {
    std::string phonemes;
};

class SpeechSynthesiser {
public:
    // Starts espeak-ng (or takes over the running engine). Fails, saying why, when the data
    // folder is wrong, espeak-ng cannot load its data, the rate is outside espeak-ng's 80-450,
    // or another SpeechSynthesiser exists.
    static std::variant<SpeechSynthesiser, std::string>
    open(const SynthesiserOptions& options = {});

    SpeechSynthesiser(SpeechSynthesiser&&) noexcept;
    SpeechSynthesiser& operator=(SpeechSynthesiser&&) noexcept;
    ~SpeechSynthesiser(); // lets the next SpeechSynthesiser open

    // Speaks `utf8_text` with `voice` into memory: 16-bit mono samples at sample_rate(). `voice`
    // is an espeak-ng language code as `espeak-ng --voices` lists it ("en-gb", "ar") or a voice
    // file ("gmw/en"). Malformed UTF-8 and control characters are read as spaces. An unknown
    // voice is an error naming it (espeak-ng itself would keep speaking with the previous
    // voice). When `cancel` is stopped, synthesis ends within about 50 ms of audio and the
    // result is an error saying it was cancelled.
    //
    // `after_chunk`, when set, is called on this thread after each chunk (about 50 ms of audio)
    // with the number of samples made so far. `cancel` is checked right after it returns, so a
    // cancel requested meanwhile ends the synthesis before another chunk is made. It may block
    // (the synthesis waits); an exception from it ends the synthesis and is rethrown here. For
    // tests, which use it to act at a known point of a synthesis instead of after a guessed time.
    std::variant<Speech, std::string>
    synthesise(std::string_view utf8_text, std::string_view voice, std::stop_token cancel = {},
               const std::function<void(std::size_t samples)>& after_chunk = {});

    // The phonemes espeak-ng would speak, clause by clause separated by newlines.
    std::variant<PhonemeText, std::string> phonemes(std::string_view utf8_text,
                                                    std::string_view voice);

    // Whether synthesise() would accept `voice`.
    bool has_voice(std::string_view voice) const;
    int sample_rate() const;
    int words_per_minute() const { return words_per_minute_; }

private:
    struct Release {
        void operator()(EspeakEngine* engine) const;
    };
    SpeechSynthesiser() = default;
    std::optional<std::string> select_voice(std::string_view voice);

    std::unique_ptr<EspeakEngine, Release> engine_; // null once moved from
    int words_per_minute_ = 150;
    std::string selected_voice_; // the voice file espeak-ng has loaded, to skip reloading it
};

} // namespace kiosk::speech
