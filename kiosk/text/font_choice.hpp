#pragma once
// Which fonts draw a language: the font chain (see shaping.hpp) for each language the kiosk
// ships, from Debian's fonts-noto-core and fonts-noto-cjk. The script's font comes first, the
// device's Latin font last, as it draws the digits, NHS and other Latin words that appear inside
// every language's text.
//
// Tags are matched without regard to case ("pa-Guru", "PA-guru"), first whole, then by their
// primary subtag alone ("ar-EG" as "ar"). Tags the table does not know (English, Welsh, Polish,
// Portuguese, Spanish, Romanian, Turkish and Somali among them, all written in Latin letters)
// get the Latin font alone. A script subtag the table does not list falls to the primary
// subtag's fonts: "zh-Hant" gets the Simplified Chinese face (which has the Traditional
// characters too, in mainland shapes), "pa-Arab" gets Gurmukhi; neither is shipped.

#include <filesystem>
#include <string_view>
#include <vector>

namespace kiosk::text {

// A font file and the face in it (non-zero only in a collection, such as a .ttc).
struct FontFile {
    std::filesystem::path file;
    int face_index = 0;
};

// The fonts for text in `bcp47_tag`, in the order to load them into a FontChain: script fonts
// first, then `latin_bold` when `bold`, else `latin_regular` (always present, always last).
std::vector<FontFile> fonts_for_language(std::string_view bcp47_tag, bool bold,
                                         const FontFile& latin_regular, const FontFile& latin_bold);

} // namespace kiosk::text
