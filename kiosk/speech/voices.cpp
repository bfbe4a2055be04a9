#include "speech/voices.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace kiosk::speech {

namespace {

// Checked against Debian bookworm's espeak-ng 1.51 (espeak-ng --voices). Not here:
// - Somali (so): espeak-ng has no Somali voice; Oromo, its nearest relative there, would
//   mispronounce it.
// - Mandarin is "cmn-latn-pinyin", not "cmn": in 1.51 the "cmn" voice turns characters into
//   pinyin and then reads that pinyin by English rules (espeak-ng issues #1028, #1163:
//   `espeak-ng -v cmn -x 好` gives "hao two"). The pinyin voice reads characters correctly; it
//   only differs from "cmn" in reading Latin letters as pinyin rather than English.
constexpr std::array kTable{
    VoiceMapping{"en", "", "latn", "en-gb"},
    VoiceMapping{"cy", "", "latn", "cy"},
    VoiceMapping{"pl", "", "latn", "pl"},
    VoiceMapping{"pt", "", "latn", "pt"}, // European Portuguese, as the kiosk's texts are
    VoiceMapping{"pt", "br", "latn", "pt-br"},
    VoiceMapping{"es", "", "latn", "es"},
    VoiceMapping{"ar", "", "arab", "ar"},
    VoiceMapping{"ur", "", "arab", "ur"},
    VoiceMapping{"bn", "", "beng", "bn"},
    VoiceMapping{"gu", "", "gujr", "gu"},
    VoiceMapping{"pa", "", "guru", "pa"},
    VoiceMapping{"ta", "", "taml", "ta"},
    VoiceMapping{"ro", "", "latn", "ro"},
    VoiceMapping{"tr", "", "latn", "tr"},
    VoiceMapping{"zh", "", "hans", "cmn-latn-pinyin"},
    VoiceMapping{"cmn", "", "hans", "cmn-latn-pinyin"},
};

// Regions whose Chinese is written in traditional characters unless the tag says otherwise
// (CLDR's likely subtags), so "zh-TW" is not handed to a voice for simplified text.
constexpr std::array<std::string_view, 3> kTraditionalChineseRegions{"tw", "hk", "mo"};

// ASCII only, whatever the process locale says: tags are ASCII.
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
    return is_alpha(c) || is_digit(c);
}

bool all_of_class(std::string_view text, bool (*is)(char)) {
    return std::all_of(text.begin(), text.end(), is);
}

char lower(char c) {
    return is_alpha(c) ? static_cast<char>(c | 0x20) : c;
}

struct ParsedTag {
    std::string language;
    std::string script;
    std::string region;
};

// Only as much of BCP 47 as choosing a voice needs: language, then optional script and region,
// anything after ignored. Malformed tags give nullopt rather than a guess.
std::optional<ParsedTag> parse(std::string_view tag) {
    std::vector<std::string> subtags(1);
    for (char c : tag) {
        if (c == '-' || c == '_') {
            subtags.emplace_back();
        } else {
            subtags.back() += lower(c);
        }
    }
    for (const auto& subtag : subtags) {
        if (subtag.empty() || subtag.size() > 8 || !all_of_class(subtag, is_alnum)) {
            return std::nullopt;
        }
    }
    ParsedTag parsed;
    parsed.language = subtags[0];
    if (parsed.language.size() < 2 || parsed.language.size() > 3 ||
        !all_of_class(parsed.language, is_alpha)) {
        return std::nullopt;
    }
    std::size_t next = 1;
    if (next < subtags.size() && subtags[next].size() == 4 &&
        all_of_class(subtags[next], is_alpha)) {
        parsed.script = subtags[next++];
    }
    if (next < subtags.size() &&
        ((subtags[next].size() == 2 && all_of_class(subtags[next], is_alpha)) ||
         (subtags[next].size() == 3 && all_of_class(subtags[next], is_digit)))) {
        parsed.region = subtags[next];
    }
    return parsed;
}

} // namespace

std::span<const VoiceMapping> voice_table() {
    return kTable;
}

std::optional<std::string> espeak_voice_for(std::string_view bcp47_tag) {
    auto tag = parse(bcp47_tag);
    if (!tag) {
        return std::nullopt;
    }
    if (tag->script.empty() && (tag->language == "zh" || tag->language == "cmn") &&
        std::find(kTraditionalChineseRegions.begin(), kTraditionalChineseRegions.end(),
                  tag->region) != kTraditionalChineseRegions.end()) {
        tag->script = "hant";
    }
    const VoiceMapping* found = nullptr;
    for (const auto& entry : kTable) {
        if (entry.language != tag->language) {
            continue;
        }
        if (!entry.region.empty() && entry.region == tag->region) {
            found = &entry; // a voice for this very region beats the language's general one
            break;
        }
        if (entry.region.empty() && found == nullptr) {
            found = &entry;
        }
    }
    if (found == nullptr || (!tag->script.empty() && tag->script != found->script)) {
        return std::nullopt;
    }
    return std::string(found->espeak_voice);
}

} // namespace kiosk::speech
