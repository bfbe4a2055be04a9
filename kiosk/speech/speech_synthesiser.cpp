#include "speech/speech_synthesiser.hpp"

#include <espeak-ng/espeak_ng.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <mutex>
#include <new>
#include <utility>

namespace kiosk::speech {

namespace {

static_assert(sizeof(short) == sizeof(std::int16_t), "espeak-ng hands over 16-bit samples");

// Audio per callback. It bounds how long a cancelled synthesis runs on, so a patient tapping a
// second speaker button hears the new text at once.
constexpr int kChunkMilliseconds = 50;
// espeak-ng copies the data path into a 160-byte buffer with "/espeak-ng-data" appended when
// it looks for a subfolder; a longer path would be cut short without a word.
constexpr std::size_t kLongestDataPath = 140;
const char* const kCancelled = "speech synthesis was cancelled";

struct VoiceFile {
    std::string identifier; // "gmw/en": what espeak_ng_SetVoiceByName() loads
    std::string name;       // "English_(Great_Britain)"
    std::vector<std::pair<std::string, int>> languages; // code and priority, 1 = best
};

std::string lower_ascii(std::string_view text) {
    std::string lowered(text);
    for (char& c : lowered) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return lowered;
}

// espeak_ng_SetVoiceByName() only knows voice files and names, not the language codes that
// `espeak-ng --voices` shows ("en-gb" is in the file gmw/en); the espeak-ng program falls back
// to a property search, which picks some voice even for a language that has none. So the
// kiosk looks the code up itself: exactly, best priority first, and otherwise not at all.
const VoiceFile* find_voice(const std::vector<VoiceFile>& voices, std::string_view wanted) {
    const std::string key = lower_ascii(wanted);
    if (key.empty()) {
        return nullptr;
    }
    const VoiceFile* best = nullptr;
    int best_priority = INT_MAX;
    for (const auto& voice : voices) {
        for (const auto& [language, priority] : voice.languages) {
            if (language == key && priority < best_priority) {
                best = &voice;
                best_priority = priority;
            }
        }
    }
    if (best != nullptr) {
        return best;
    }
    for (const auto& voice : voices) {
        const auto slash = voice.identifier.rfind('/');
        const std::string file =
            slash == std::string::npos ? voice.identifier : voice.identifier.substr(slash + 1);
        if (lower_ascii(voice.identifier) == key || lower_ascii(file) == key ||
            lower_ascii(voice.name) == key) {
            return &voice;
        }
    }
    return nullptr;
}

std::vector<VoiceFile> list_voices() {
    std::vector<VoiceFile> voices;
    const espeak_VOICE** listed = espeak_ListVoices(nullptr);
    for (; listed != nullptr && *listed != nullptr; ++listed) {
        const espeak_VOICE& voice = **listed;
        if (voice.identifier == nullptr) {
            continue;
        }
        VoiceFile file{voice.identifier, voice.name != nullptr ? voice.name : "", {}};
        // `languages` is a run of (priority byte, NUL-terminated code), ended by a 0 priority.
        for (const char* entry = voice.languages; entry != nullptr && *entry != 0;) {
            const int priority = static_cast<unsigned char>(*entry++);
            std::string code(entry);
            entry += code.size() + 1;
            file.languages.emplace_back(lower_ascii(code), priority);
        }
        voices.push_back(std::move(file));
    }
    return voices;
}

// espeak-ng's own wording, including what its error context names (usually a file).
std::string describe(espeak_ng_STATUS status, espeak_ng_ERROR_CONTEXT context) {
    char* buffer = nullptr;
    std::size_t size = 0;
    std::string message;
    if (FILE* stream = open_memstream(&buffer, &size)) {
        espeak_ng_PrintStatusCodeMessage(status, stream, context);
        std::fclose(stream);
        message.assign(buffer, size);
    }
    std::free(buffer);
    if (message.empty()) {
        char text[512] = {};
        espeak_ng_GetStatusCodeMessage(status, text, sizeof text);
        message = text;
    }
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    return message;
}

// Valid UTF-8 without control characters: whatever comes from a translation file or a
// database reaches espeak-ng, whose UTF-8 reader assumes well-formed input. Anything else
// becomes a space, which is read as a pause rather than as a noise.
std::string speakable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            out += (lead < 0x20 || lead == 0x7f) ? ' ' : static_cast<char>(lead);
            ++i;
            continue;
        }
        const std::size_t length = lead >= 0xc2 && lead <= 0xdf   ? 2
                                   : lead >= 0xe0 && lead <= 0xef ? 3
                                   : lead >= 0xf0 && lead <= 0xf4 ? 4
                                                                  : 0;
        char32_t code = length == 2 ? lead & 0x1f : length == 3 ? lead & 0x0f : lead & 0x07;
        bool valid = length != 0 && i + length <= text.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            valid = (next & 0xc0) == 0x80;
            code = (code << 6) | (next & 0x3f);
        }
        const char32_t shortest = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
        valid = valid && code >= shortest && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) &&
                !(code >= 0x80 && code <= 0x9f); // C1 controls
        if (valid) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out += ' ';
            ++i;
        }
    }
    return out;
}

struct Collector {
    std::vector<std::int16_t> samples;
    const std::stop_token* cancel = nullptr;
    const std::function<void(std::size_t)>* after_chunk = nullptr; // null or set
    bool out_of_memory = false;
    std::exception_ptr failure; // thrown by after_chunk, rethrown once espeak-ng has returned
};

// espeak-ng's synthesis callback, set once for the process. Every call carries the
// Collector of the synthesise() call in progress as the events' user data, so no global is
// needed to find where the samples go. Returning 1 tells espeak-ng to stop. No exception may
// cross espeak-ng's C frames, so none leaves here.
int collect(short* wav, int count, espeak_EVENT* events) {
    auto* collector = events != nullptr ? static_cast<Collector*>(events->user_data) : nullptr;
    if (collector == nullptr) {
        return 0;
    }
    if (collector->cancel->stop_requested()) {
        return 1;
    }
    if (wav == nullptr || count <= 0) {
        return 0; // the end of the text, or a callback carrying only events
    }
    try {
        collector->samples.insert(collector->samples.end(), wav, wav + count);
    } catch (const std::bad_alloc&) {
        collector->out_of_memory = true;
        return 1;
    }
    if (collector->after_chunk != nullptr) {
        try {
            (*collector->after_chunk)(collector->samples.size());
        } catch (...) {
            collector->failure = std::current_exception();
            return 1;
        }
        // Again: a cancel that came while the observer ran (or held the synthesis) ends it
        // here, before espeak-ng makes another chunk.
        if (collector->cancel->stop_requested()) {
            return 1;
        }
    }
    return 0;
}

} // namespace

// The one piece of process-wide state here, because espeak-ng itself is one per process:
// whether it has been started (it is never stopped, see the header), with which data, and
// whether a SpeechSynthesiser owns it now.
struct EspeakEngine {
    std::mutex mutex; // guards owned, started and data_path
    bool owned = false;
    bool started = false;
    std::string data_path;
    // Written once when started, under the mutex, before any owner exists; then only read.
    int sample_rate = 0;
    std::vector<VoiceFile> voices;
};

namespace {

EspeakEngine& the_engine() {
    static EspeakEngine engine;
    return engine;
}

std::optional<std::string> start_engine(EspeakEngine& engine, const std::string& data_path) {
    if (!data_path.empty()) {
        std::error_code ignored;
        if (!std::filesystem::is_regular_file(std::filesystem::path(data_path) / "phontab",
                                              ignored)) {
            return "\"" + data_path + "\" is not an espeak-ng data folder: it has no phontab";
        }
        if (data_path.size() > kLongestDataPath) {
            return "the espeak-ng data folder's path is too long for espeak-ng (at most " +
                   std::to_string(kLongestDataPath) + " bytes): " + data_path;
        }
    }
    espeak_ng_InitializePath(data_path.empty() ? nullptr : data_path.c_str());
    const char* where = nullptr;
    espeak_Info(&where);
    const std::string from = where != nullptr ? where : "espeak-ng's default folder";

    espeak_ng_ERROR_CONTEXT context = nullptr;
    espeak_ng_STATUS status = espeak_ng_Initialize(&context);
    if (status != ENS_OK) {
        std::string message = describe(status, context);
        espeak_ng_ClearErrorContext(&context);
        return "espeak-ng could not start with the data in " + from + ": " + message;
    }
    status = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, kChunkMilliseconds, nullptr);
    if (status != ENS_OK) {
        // Only fails when out of memory; the engine is half started and is not retried.
        engine.started = true;
        engine.data_path = data_path;
        return "espeak-ng could not prepare its output: " + describe(status, nullptr);
    }
    espeak_SetSynthCallback(&collect);
    engine.sample_rate = espeak_ng_GetSampleRate();
    engine.voices = list_voices();
    engine.started = true;
    engine.data_path = data_path;
    return std::nullopt;
}

} // namespace

void SpeechSynthesiser::Release::operator()(EspeakEngine* engine) const {
    std::lock_guard lock(engine->mutex);
    engine->owned = false;
}

std::variant<SpeechSynthesiser, std::string>
SpeechSynthesiser::open(const SynthesiserOptions& options) {
    if (options.words_per_minute < espeakRATE_MINIMUM ||
        options.words_per_minute > espeakRATE_MAXIMUM) {
        return "espeak-ng speaks at " + std::to_string(espeakRATE_MINIMUM) + " to " +
               std::to_string(espeakRATE_MAXIMUM) + " words a minute, not " +
               std::to_string(options.words_per_minute);
    }
    EspeakEngine& engine = the_engine();
    std::lock_guard lock(engine.mutex);
    if (engine.owned) {
        return std::string("espeak-ng is already in use by another SpeechSynthesiser in this "
                           "process (it has one voice and one set of settings for the whole "
                           "process)");
    }
    if (!engine.started) {
        if (auto problem = start_engine(engine, options.data_path)) {
            return *problem;
        }
    } else if (engine.data_path != options.data_path) {
        auto name = [](const std::string& path) {
            return path.empty() ? std::string("espeak-ng's default folder") : "\"" + path + "\"";
        };
        return "espeak-ng is already running in this process with the data in " +
               name(engine.data_path) + " and cannot be restarted with " + name(options.data_path) +
               " (espeak-ng 1.51 hangs when stopped after a restart)";
    }
    if (engine.sample_rate <= 0) {
        return std::string("espeak-ng did not start properly earlier in this process");
    }
    engine.owned = true;
    SpeechSynthesiser synthesiser;
    synthesiser.engine_.reset(&engine);
    synthesiser.words_per_minute_ = options.words_per_minute;
    return synthesiser;
}

SpeechSynthesiser::SpeechSynthesiser(SpeechSynthesiser&&) noexcept = default;
SpeechSynthesiser& SpeechSynthesiser::operator=(SpeechSynthesiser&&) noexcept = default;
SpeechSynthesiser::~SpeechSynthesiser() = default;

bool SpeechSynthesiser::has_voice(std::string_view voice) const {
    return engine_ && find_voice(engine_->voices, voice) != nullptr;
}

int SpeechSynthesiser::sample_rate() const {
    return engine_ ? engine_->sample_rate : 0;
}

std::optional<std::string> SpeechSynthesiser::select_voice(std::string_view voice) {
    if (!engine_) {
        return std::string("this SpeechSynthesiser was moved from");
    }
    const VoiceFile* file = find_voice(engine_->voices, voice);
    if (file == nullptr) {
        return "espeak-ng has no voice \"" + std::string(voice) + "\"";
    }
    if (file->identifier != selected_voice_) {
        selected_voice_.clear();
        const espeak_ng_STATUS status = espeak_ng_SetVoiceByName(file->identifier.c_str());
        if (status != ENS_OK) {
            return "espeak-ng could not load the voice \"" + std::string(voice) + "\" (" +
                   file->identifier + "): " + describe(status, nullptr);
        }
        selected_voice_ = file->identifier;
    }
    // Every time: a SpeechSynthesiser before this one may have left another rate behind.
    espeak_ng_SetParameter(espeakRATE, words_per_minute_, 0);
    return std::nullopt;
}

std::variant<Speech, std::string>
SpeechSynthesiser::synthesise(std::string_view utf8_text, std::string_view voice,
                              std::stop_token cancel,
                              const std::function<void(std::size_t)>& after_chunk) {
    if (cancel.stop_requested()) {
        return std::string(kCancelled);
    }
    if (auto problem = select_voice(voice)) {
        return *problem;
    }
    const std::string text = speakable(utf8_text);
    Collector collector;
    collector.cancel = &cancel;
    collector.after_chunk = after_chunk ? &after_chunk : nullptr;
    const espeak_ng_STATUS status = espeak_ng_Synthesize(
        text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, &collector);
    if (collector.failure) {
        std::rethrow_exception(collector.failure);
    }
    if (collector.out_of_memory) {
        return std::string("out of memory while synthesising speech");
    }
    if (cancel.stop_requested()) {
        return std::string(kCancelled);
    }
    if (status != ENS_OK) {
        return "espeak-ng could not synthesise the text: " + describe(status, nullptr);
    }
    return Speech{std::move(collector.samples), engine_->sample_rate};
}

std::variant<PhonemeText, std::string> SpeechSynthesiser::phonemes(std::string_view utf8_text,
                                                                   std::string_view voice) {
    if (auto problem = select_voice(voice)) {
        return *problem;
    }
    const std::string text = speakable(utf8_text);
    PhonemeText result;
    // espeak_TextToPhonemes() translates one clause a call and moves `cursor` on, to null at
    // the end. The bound only guards against a cursor that stops moving.
    const void* cursor = text.c_str();
    for (std::size_t clause = 0; cursor != nullptr && clause <= text.size(); ++clause) {
        const char* phonemes = espeak_TextToPhonemes(&cursor, espeakCHARS_UTF8, 0);
        if (phonemes != nullptr && *phonemes != 0) {
            if (!result.phonemes.empty()) {
                result.phonemes += '\n';
            }
            result.phonemes += phonemes;
        }
    }
    return result;
}

} // namespace kiosk::speech
