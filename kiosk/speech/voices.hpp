#pragma once
// Which espeak-ng voice reads which of the kiosk's languages. A language with no voice gets no
// speaker button: a voice reading the wrong language or script (espeak-ng says "Arabic letter"
// for each letter it cannot read) would be worse than no voice.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kiosk::speech {

struct VoiceMapping {
    std::string_view language;     // primary language subtag, lower case: "pa"
    std::string_view region;       // "" for every region; otherwise the region this entry is for
    std::string_view script;       // ISO 15924, lower case: the only script the voice can read
    std::string_view espeak_voice; // an espeak-ng language code, as `espeak-ng --voices` lists it
};

// Every entry, for tests, the staff status and the README.
std::span<const VoiceMapping> voice_table();

// The espeak-ng voice for a BCP 47 tag ("en", "pa-Guru", "zh-Hans", "pt-BR"), or nullopt when
// there is none. Case-insensitive ('_' is taken for '-'). A tag's region or extra subtags fall
// back to its primary language ("ar-EG" is read as "ar"); but a script the voice cannot read
// gives nullopt ("pa-Arab": Shahmukhi, which the Gurmukhi voice spells letter by letter).
std::optional<std::string> espeak_voice_for(std::string_view bcp47_tag);

} // namespace kiosk::speech
