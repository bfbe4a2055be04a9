#include "text/font_choice.hpp"

#include <algorithm>
#include <string>

namespace kiosk::text {

namespace {

// Where Debian's fonts-noto-core and fonts-noto-cjk put them.
constexpr std::string_view truetype_noto = "/usr/share/fonts/truetype/noto";
constexpr std::string_view opentype_noto = "/usr/share/fonts/opentype/noto";

// Noto Sans CJK's collections hold JP, KR, SC, TC, HK (0 to 4), then the Mono faces; index 2
// is "Noto Sans CJK SC" in both NotoSansCJK-Regular.ttc and NotoSansCJK-Bold.ttc (read with
// fc-scan from fonts-noto-cjk 1:20220127, and checked by the tests with FreeType).
constexpr int cjk_sc_face = 2;

struct ScriptFont {
    std::string_view tag; // lower case; a tag with more than one font has a row for each
    std::string_view directory;
    std::string_view regular;
    // Empty where Debian has no bold of the font: then bold text uses the regular one. Every
    // font below has a bold in bookworm, so none is empty today.
    std::string_view bold;
    int face_index = 0;
};

// Rows of one tag are in chain order. Tags written in Latin letters have no row.
constexpr ScriptFont script_fonts[] = {
    // Naskh is the style Arabic readers meet in print, schoolbooks and signs, so it reads best
    // for sentences; Noto Sans Arabic is a low-contrast UI design, fine for labels but less
    // familiar in running text. Naskh's lines are also less tall (56 against 68 px at 32 px).
    {"ar", truetype_noto, "NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"},
    // Urdu readers expect Nastaliq; Naskh-style Urdu looks foreign to them. Noto Sans Arabic
    // then takes any Arabic-script run with a character Nastaliq lacks.
    {"ur", truetype_noto, "NotoNastaliqUrdu-Regular.ttf", "NotoNastaliqUrdu-Bold.ttf"},
    {"ur", truetype_noto, "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"},
    {"bn", truetype_noto, "NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf"},
    {"gu", truetype_noto, "NotoSansGujarati-Regular.ttf", "NotoSansGujarati-Bold.ttf"},
    {"pa", truetype_noto, "NotoSansGurmukhi-Regular.ttf", "NotoSansGurmukhi-Bold.ttf"},
    {"pa-guru", truetype_noto, "NotoSansGurmukhi-Regular.ttf", "NotoSansGurmukhi-Bold.ttf"},
    {"ta", truetype_noto, "NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf"},
    // The SC face, not JP (index 0): the same code points take mainland Chinese shapes.
    {"zh", opentype_noto, "NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", cjk_sc_face},
    {"zh-hans", opentype_noto, "NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", cjk_sc_face},
};

// ASCII lower case, '_' as '-' (locale names spell "zh_Hans"): BCP 47 tags are ASCII and
// case-insensitive.
std::string normalise(std::string_view tag) {
    std::string out(tag);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        if (c == '_') {
            return '-';
        }
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

bool has_row(std::string_view tag) {
    return std::any_of(std::begin(script_fonts), std::end(script_fonts),
                       [&](const ScriptFont& row) { return row.tag == tag; });
}

} // namespace

std::vector<FontFile> fonts_for_language(std::string_view bcp47_tag, bool bold,
                                         const FontFile& latin_regular,
                                         const FontFile& latin_bold) {
    std::string tag = normalise(bcp47_tag);
    if (!has_row(tag)) {
        tag = tag.substr(0, tag.find('-'));
    }
    std::vector<FontFile> fonts;
    for (const ScriptFont& row : script_fonts) {
        if (row.tag == tag) {
            const std::string_view name = bold && !row.bold.empty() ? row.bold : row.regular;
            fonts.push_back({std::filesystem::path(row.directory) / name, row.face_index});
        }
    }
    fonts.push_back(bold ? latin_bold : latin_regular);
    return fonts;
}

} // namespace kiosk::text
