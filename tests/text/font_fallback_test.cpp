// Font fallback (kiosk/text): a chain of fonts per language, one font per run, each glyph drawn
// with the face it came from; faces of font collections; the language-to-fonts table. Shaping
// is checked run by run against `hb-shape` with that run's font, so picking the wrong font, or
// shaping a run with one font and drawing it with another, cannot pass.

#include "text/font_choice.hpp"
#include "text/font_face.hpp"
#include "text/shaped_text_cache.hpp"
#include "text/shaping.hpp"
#include "text/text_bitmap.hpp"
#include "text/text_test_support.hpp"

// Glyph lists are (id, cluster) pairs: print them when a comparison fails.
#define CATCH_CONFIG_ENABLE_PAIR_STRINGMAKER
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <variant>
#include <vector>

using namespace kiosk::text;
using kiosk::testing::HbShapeOptions;
using kiosk::testing::load_font;
using kiosk::testing::noto_cjk_dir;
using kiosk::testing::noto_dir;
using kiosk::testing::our_glyphs;
using kiosk::testing::pixel_size;
using kiosk::testing::reference_glyphs;

namespace {

const std::filesystem::path cjk_regular = noto_cjk_dir / "NotoSansCJK-Regular.ttc";
const std::filesystem::path cjk_bold = noto_cjk_dir / "NotoSansCJK-Bold.ttc";
const FontFile latin_regular{noto_dir / "NotoSans-Regular.ttf"};
const FontFile latin_bold{noto_dir / "NotoSans-Bold.ttf"};

// The Simplified Chinese face's index in the Noto Sans CJK collections, found with fc-scan
// (JP, KR, SC, TC, HK, then the Mono faces); the test below confirms it with FreeType.
constexpr int cjk_sc_face = 2;

// Glyphs of the line whose cluster lies in [begin, end) of the text, in the line's order, with
// clusters made relative to `begin` (as hb-shape numbers them for the substring).
std::vector<std::pair<unsigned, unsigned>> glyphs_between(const ShapedLine& line, std::size_t begin,
                                                          std::size_t end) {
    std::vector<std::pair<unsigned, unsigned>> glyphs;
    for (const auto& glyph : line.glyphs) {
        if (glyph.cluster >= begin && glyph.cluster < end) {
            glyphs.emplace_back(glyph.glyph_id, glyph.cluster - static_cast<unsigned>(begin));
        }
    }
    return glyphs;
}

std::vector<std::pair<unsigned, unsigned>>
shifted(std::vector<std::pair<unsigned, unsigned>> glyphs, std::size_t by) {
    for (auto& glyph : glyphs) {
        glyph.second += static_cast<unsigned>(by);
    }
    return glyphs;
}

std::size_t ink_in_columns(const TextBitmap& bitmap, int from, int to) {
    std::size_t ink = 0;
    for (int y = 0; y < bitmap.height; ++y) {
        for (int x = std::max(from, 0); x < std::min(to, bitmap.width); ++x) {
            ink += bitmap.alpha[static_cast<std::size_t>(y) * bitmap.width + x] > 128;
        }
    }
    return ink;
}

std::vector<std::string> file_names(const std::vector<FontFile>& fonts) {
    std::vector<std::string> names;
    for (const FontFile& font : fonts) {
        names.push_back(font.file.filename().string() + "#" + std::to_string(font.face_index));
    }
    return names;
}

} // namespace

TEST_CASE("a face of a font collection is loaded by its index") {
    const FontFace sc = load_font(cjk_regular, pixel_size, cjk_sc_face);
    CHECK(std::string(sc.ft_face()->family_name) == "Noto Sans CJK SC");
    CHECK(std::string(sc.ft_face()->style_name) == "Regular");
    CHECK(sc.face_index() == cjk_sc_face);
    const FontFace bold = load_font(cjk_bold, pixel_size, cjk_sc_face);
    CHECK(std::string(bold.ft_face()->family_name) == "Noto Sans CJK SC");
    CHECK(std::string(bold.ft_face()->style_name) == "Bold");

    SECTION("the id tells the faces of one file apart") {
        const FontFace jp = load_font(cjk_regular, pixel_size, 0);
        CHECK(std::string(jp.ft_face()->family_name) == "Noto Sans CJK JP");
        CHECK(jp.id() != sc.id());
        CHECK_THAT(sc.id(), Catch::Contains(cjk_regular.string()) && Catch::EndsWith("#2"));
        // The faces differ where it matters: the same character, another regional shape.
        CHECK(shape_line(jp, "直").glyphs.at(0).glyph_id !=
              shape_line(sc, "直").glyphs.at(0).glyph_id);
    }
    SECTION("a face index the file does not have is a problem naming the file and index") {
        for (const auto& [file, index] : std::vector<std::pair<std::filesystem::path, int>>{
                 {cjk_regular, 10}, {noto_dir / "NotoSans-Regular.ttf", 1}}) {
            const auto loaded = FontFace::load(file, pixel_size, index);
            REQUIRE(std::holds_alternative<std::string>(loaded));
            const std::string& problem = std::get<std::string>(loaded);
            CHECK_THAT(problem, Catch::Contains(file.string()) &&
                                    Catch::Contains("face index " + std::to_string(index)));
        }
        const auto negative = FontFace::load(cjk_regular, pixel_size, -1);
        REQUIRE(std::holds_alternative<std::string>(negative));
        CHECK_THAT(std::get<std::string>(negative),
                   Catch::Contains(cjk_regular.string()) && Catch::Contains("-1"));
    }
}

TEST_CASE("mixed Arabic and Latin text takes each run's font from the chain") {
    const FontFace arabic = load_font("NotoSansArabic-Regular.ttf");
    const FontFace latin = load_font("NotoSans-Regular.ttf");
    const FontChain chain{&arabic, &latin};
    // "Visit NHS 2024 ok": a right-to-left paragraph of two runs, in logical order the Arabic
    // word with the space after it (level 1, Arabic script), then "NHS 2024 ok" (level 2: the
    // digits follow Latin letters, rule W7; Latin script). Noto Sans Arabic has no Latin
    // letters, so the second run must come from Noto Sans.
    const std::string word = "زيارة ";
    const std::string latin_part = "NHS 2024 ok";
    const std::string text = word + latin_part;
    const ShapedLine line = shape_line(chain, text, TextDirection::auto_detect, "ar");
    REQUIRE(line.direction == TextDirection::right_to_left);
    REQUIRE(!line.glyphs.empty());

    for (const auto& glyph : line.glyphs) {
        INFO("glyph at byte " << glyph.cluster);
        CHECK(glyph.glyph_id != 0); // no .notdef box anywhere
        const bool in_latin = glyph.cluster >= word.size();
        CHECK(int(glyph.font) == (in_latin ? 1 : 0));
        CHECK(glyph.right_to_left == !in_latin);
    }

    SECTION("each run's glyphs are hb-shape's for that run in that run's font") {
        HbShapeOptions arabic_run;
        arabic_run.direction = "rtl";
        arabic_run.script = "Arab";
        arabic_run.language = "ar";
        arabic_run.eot = false; // the line goes on after this run
        HbShapeOptions latin_run;
        latin_run.direction = "ltr";
        latin_run.script = "Latn";
        latin_run.language = "ar";
        latin_run.bot = false;
        const auto arabic_expected =
            reference_glyphs(noto_dir / "NotoSansArabic-Regular.ttf", word, arabic_run);
        const auto latin_expected =
            reference_glyphs(noto_dir / "NotoSans-Regular.ttf", latin_part, latin_run);
        CHECK(glyphs_between(line, 0, word.size()) == arabic_expected);
        CHECK(glyphs_between(line, word.size(), text.size()) == latin_expected);
        // And the whole line in visual order: the left-to-right run on the left, then the
        // Arabic word at the right end, where a right-to-left paragraph starts.
        auto expected = shifted(latin_expected, word.size());
        expected.insert(expected.end(), arabic_expected.begin(), arabic_expected.end());
        CHECK(our_glyphs(line) == expected);
    }
    SECTION("with the Arabic font alone the Latin letters are .notdef boxes") {
        // What the chain fixes; and proof that the check above can fail.
        const ShapedLine alone = shape_line(arabic, text, TextDirection::auto_detect, "ar");
        CHECK(std::any_of(alone.glyphs.begin(), alone.glyphs.end(),
                          [](const ShapedGlyph& g) { return g.glyph_id == 0; }));
    }
}

TEST_CASE("Chinese is shaped with the Simplified Chinese face of Noto Sans CJK") {
    const FontFace sc = load_font(cjk_regular, pixel_size, cjk_sc_face);
    const FontFace latin = load_font("NotoSans-Regular.ttf");
    const FontChain chain{&sc, &latin};
    const std::string text = "您今天的就诊体验如何？";
    const ShapedLine line = shape_line(chain, text, TextDirection::auto_detect, "zh-Hans");
    CHECK(line.direction == TextDirection::left_to_right);
    REQUIRE(line.glyphs.size() == 11);
    for (const auto& glyph : line.glyphs) {
        CHECK(glyph.glyph_id != 0);
        CHECK(glyph.font == 0);
    }
    HbShapeOptions options;
    options.face_index = cjk_sc_face;
    options.direction = "ltr";
    options.script = "Hani";
    options.language = "zh-Hans";
    CHECK(our_glyphs(line) == reference_glyphs(cjk_regular, text, options));
}

TEST_CASE("a run's font is the first that has all its characters, else the one lacking fewest") {
    const FontFace latin = load_font("NotoSans-Regular.ttf");
    const FontFace arabic = load_font("NotoSansArabic-Regular.ttf");
    const FontFace bengali = load_font("NotoSansBengali-Regular.ttf");
    const FontFace tamil = load_font("NotoSansTamil-Regular.ttf");
    const auto fonts_of = [](const ShapedLine& line) {
        std::vector<int> fonts;
        for (const auto& glyph : line.glyphs) {
            fonts.push_back(glyph.font);
        }
        return fonts;
    };
    // The coverage these cases rely on, checked rather than assumed.
    const auto has = [](const FontFace& font, char32_t c) {
        return FT_Get_Char_Index(font.ft_face(), c) != 0;
    };
    REQUIRE(has(arabic, U'2'));
    REQUIRE(has(latin, U'2'));
    REQUIRE_FALSE(has(arabic, U'\u2603')); // snowman
    REQUIRE_FALSE(has(latin, U'\u2603'));
    REQUIRE_FALSE(has(bengali, U'\u2603'));
    REQUIRE_FALSE(has(tamil, U'\u2603'));
    REQUIRE_FALSE(has(arabic, U'\u2060')); // word joiner
    REQUIRE(has(latin, U'\u2060'));

    SECTION("the first font that covers the run wins, though a later one covers it too") {
        CHECK(fonts_of(shape_line(FontChain{&arabic, &latin}, "2024")) == std::vector<int>(4, 0));
        CHECK(fonts_of(shape_line(FontChain{&latin, &arabic}, "2024")) == std::vector<int>(4, 0));
    }
    SECTION("when none covers the run, the one lacking fewest characters") {
        // One Arabic run: Noto Sans lacks the three letters and the snowman, Noto Sans Arabic
        // only the snowman.
        const ShapedLine line = shape_line(FontChain{&latin, &arabic}, "كيف ☃");
        CHECK(fonts_of(line) == std::vector<int>(line.glyphs.size(), 1));
        CHECK(std::count_if(line.glyphs.begin(), line.glyphs.end(),
                            [](const ShapedGlyph& g) { return g.glyph_id == 0; }) == 1);
    }
    SECTION("on a tie the earlier font wins") {
        CHECK(fonts_of(shape_line(FontChain{&bengali, &tamil}, "☃")) == std::vector<int>{0});
        CHECK(fonts_of(shape_line(FontChain{&tamil, &bengali}, "☃")) == std::vector<int>{0});
    }
    SECTION("invisible format characters do not count against a font") {
        // Noto Sans Arabic lacks U+2060 and Noto Sans has it; HarfBuzz hides it anyway, so the
        // digits stay with the first font.
        const ShapedLine line = shape_line(FontChain{&arabic, &latin}, "2\u20602");
        CHECK(fonts_of(line) == std::vector<int>(line.glyphs.size(), 0));
    }
    SECTION("an empty chain shapes nothing") {
        const ShapedLine line = shape_line(FontChain{}, "كيف ok");
        CHECK(line.glyphs.empty());
        CHECK(line.width == 0);
        CHECK(line.direction == TextDirection::right_to_left);
        CHECK(line_height(FontChain{}) == 0);
        CHECK(render(FontChain{}, line).alpha.empty());
    }
}

TEST_CASE("the language table gives the script's fonts first and the Latin font last") {
    SECTION("Urdu: Nastaliq first, Noto Sans Arabic next, the Latin font last") {
        CHECK(file_names(fonts_for_language("ur", false, latin_regular, latin_bold)) ==
              std::vector<std::string>{"NotoNastaliqUrdu-Regular.ttf#0",
                                       "NotoSansArabic-Regular.ttf#0", "NotoSans-Regular.ttf#0"});
        CHECK(file_names(fonts_for_language("ur", true, latin_regular, latin_bold)) ==
              std::vector<std::string>{"NotoNastaliqUrdu-Bold.ttf#0", "NotoSansArabic-Bold.ttf#0",
                                       "NotoSans-Bold.ttf#0"});
        // The caller's Latin font comes back as given, face and all.
        const FontFile custom{"/srv/fonts/Hospital.ttc", 3};
        const auto fonts = fonts_for_language("ur", false, custom, latin_bold);
        CHECK(fonts.back().file == custom.file);
        CHECK(fonts.back().face_index == 3);
    }
    SECTION("Latin-script and unknown tags get the Latin font alone") {
        for (const char* tag :
             {"en", "cy", "pl", "pt", "es", "ro", "tr", "so", "en-GB", "xx", "", "klingon-tlh"}) {
            INFO("tag '" << tag << "'");
            CHECK(file_names(fonts_for_language(tag, false, latin_regular, latin_bold)) ==
                  std::vector<std::string>{"NotoSans-Regular.ttf#0"});
            CHECK(file_names(fonts_for_language(tag, true, latin_regular, latin_bold)) ==
                  std::vector<std::string>{"NotoSans-Bold.ttf#0"});
        }
    }
    SECTION("tags match in any case, and by their primary subtag") {
        const auto gurmukhi =
            file_names(fonts_for_language("pa", false, latin_regular, latin_bold));
        CHECK(gurmukhi ==
              std::vector<std::string>{"NotoSansGurmukhi-Regular.ttf#0", "NotoSans-Regular.ttf#0"});
        for (const char* tag : {"pa-Guru", "PA-guru", "pa-GURU", "pa-Guru-IN", "pa_Guru", "PA"}) {
            INFO("tag " << tag);
            CHECK(file_names(fonts_for_language(tag, false, latin_regular, latin_bold)) ==
                  gurmukhi);
        }
        const auto arabic = file_names(fonts_for_language("ar", false, latin_regular, latin_bold));
        CHECK(file_names(fonts_for_language("AR-eg", false, latin_regular, latin_bold)) == arabic);
        CHECK(arabic.front() == "NotoNaskhArabic-Regular.ttf#0");
    }
    SECTION("Chinese: the SC face of the CJK collection, bold from the bold collection") {
        for (const char* tag : {"zh", "zh-Hans", "ZH-hans", "zh-Hans-CN", "zh-CN"}) {
            INFO("tag " << tag);
            CHECK(file_names(fonts_for_language(tag, false, latin_regular, latin_bold)) ==
                  std::vector<std::string>{"NotoSansCJK-Regular.ttc#2", "NotoSans-Regular.ttf#0"});
            CHECK(file_names(fonts_for_language(tag, true, latin_regular, latin_bold)) ==
                  std::vector<std::string>{"NotoSansCJK-Bold.ttc#2", "NotoSans-Bold.ttf#0"});
        }
    }
    SECTION("every font the table names is installed, loads, and has the weight asked for") {
        // The shipped tags' fonts at both weights: this fails when a package is missing or a
        // file name or face index in the table is wrong.
        for (const char* tag : {"ar", "ur", "bn", "gu", "pa", "pa-Guru", "ta", "zh", "zh-Hans"}) {
            for (const bool bold : {false, true}) {
                const auto fonts = fonts_for_language(tag, bold, latin_regular, latin_bold);
                CHECK(fonts.size() >= 2);
                for (const FontFile& file : fonts) {
                    INFO(tag << (bold ? " bold: " : ": ") << file.file << " face "
                             << file.face_index);
                    const FontFace face = load_font(file.file, pixel_size, file.face_index);
                    const bool is_bold = (face.ft_face()->style_flags & FT_STYLE_FLAG_BOLD) != 0;
                    CHECK(is_bold == bold);
                    if (file.file.extension() == ".ttc") {
                        CHECK(std::string(face.ft_face()->family_name) == "Noto Sans CJK SC");
                    }
                }
            }
        }
    }
    SECTION("each shipped language's question shapes with its chain without .notdef boxes") {
        // Every sample mixes the script with Latin digits or letters, which only the chain's
        // last font may have.
        const std::pair<const char*, const char*> questions[] = {
            {"ar", "كيف كانت زيارتك إلى NHS يوم 12؟"},
            {"ur", "آپ کا NHS دورہ 12 کیسا رہا؟"},
            {"bn", "আপনার NHS অভিজ্ঞতা 12 কেমন ছিল?"},
            {"gu", "તમારો NHS અનુભવ 12 કેવો રહ્યો?"},
            {"pa-Guru", "ਤੁਹਾਡਾ NHS ਅਨੁਭਵ 12 ਕਿਹੋ ਜਿਹਾ ਸੀ?"},
            {"ta", "உங்கள் NHS அனுபவம் 12 எப்படி இருந்தது?"},
            {"zh-Hans", "您今天在 NHS 的就诊体验如何？"},
            {"cy", "Sut oedd eich ymweliad â'r GIG?"},
        };
        for (const auto& [tag, question] : questions) {
            DYNAMIC_SECTION(tag) {
                std::vector<FontFace> faces;
                for (const FontFile& file :
                     fonts_for_language(tag, false, latin_regular, latin_bold)) {
                    faces.push_back(load_font(file.file, pixel_size, file.face_index));
                }
                FontChain chain;
                for (const FontFace& face : faces) {
                    chain.push_back(&face);
                }
                const ShapedLine line =
                    shape_line(chain, question, TextDirection::auto_detect, tag);
                REQUIRE(!line.glyphs.empty());
                for (const auto& glyph : line.glyphs) {
                    INFO("glyph at byte " << glyph.cluster << " from font " << int(glyph.font));
                    CHECK(glyph.glyph_id != 0);
                }
                // "NHS" comes from the Latin font where the script font has no Latin letters
                // (all but the CJK font, whose own Latin letters match its ideographs).
                const auto nhs = std::string_view(question).find("NHS");
                if (nhs != std::string_view::npos &&
                    FT_Get_Char_Index(chain.front()->ft_face(), 'N') == 0) {
                    for (const auto& glyph : line.glyphs) {
                        if (glyph.cluster >= nhs && glyph.cluster < nhs + 3) {
                            CHECK(int(glyph.font) == int(chain.size()) - 1);
                        }
                    }
                }
                CHECK(render(chain, line).has_ink());
            }
        }
    }
}

TEST_CASE("render draws each glyph with its own font") {
    const FontFace arabic = load_font("NotoSansArabic-Regular.ttf");
    const FontFace latin = load_font("NotoSans-Regular.ttf");
    const FontChain chain{&arabic, &latin};
    const std::string word = "زيارة ";
    const std::string latin_part = "NHS 2024 ok";
    const ShapedLine line = shape_line(chain, word + latin_part);
    const TextBitmap bitmap = render(chain, line);
    REQUIRE(bitmap.alpha.size() == static_cast<std::size_t>(bitmap.width) * bitmap.height);

    // Visual order: the Latin run from the left edge, the Arabic word at the right end.
    float latin_width = 0;
    for (const auto& glyph : line.glyphs) {
        latin_width += glyph.font == 1 ? glyph.x_advance : 0;
    }
    const int split = bitmap.left_overhang + static_cast<int>(std::lround(latin_width));
    CHECK(ink_in_columns(bitmap, 0, split) > 100);
    CHECK(ink_in_columns(bitmap, split, bitmap.width) > 100);
    // Tall enough for both fonts, from one baseline.
    CHECK(bitmap.baseline >= static_cast<int>(std::ceil(arabic.ascender())));
    CHECK(bitmap.baseline >= static_cast<int>(std::ceil(latin.ascender())));
    CHECK(bitmap.height - bitmap.baseline >= static_cast<int>(std::ceil(arabic.descender())));

    SECTION("the Latin part is exactly what Noto Sans draws for it alone") {
        // Drawn with the Arabic face, the Latin glyph ids would be other (Arabic) glyphs.
        const TextBitmap alone = render(latin, shape_line(latin, latin_part));
        REQUIRE(alone.left_overhang <= bitmap.left_overhang);
        REQUIRE(alone.baseline <= bitmap.baseline);
        REQUIRE(alone.height - alone.baseline <= bitmap.height - bitmap.baseline);
        std::size_t differ = 0;
        std::size_t compared_ink = 0;
        for (int y = 0; y < alone.height; ++y) {
            for (int x = 0; x < alone.width && x - alone.left_overhang < latin_width - 1; ++x) {
                const int bx = x - alone.left_overhang + bitmap.left_overhang;
                const int by = y - alone.baseline + bitmap.baseline;
                const auto want = alone.alpha[static_cast<std::size_t>(y) * alone.width + x];
                const auto got = bitmap.alpha[static_cast<std::size_t>(by) * bitmap.width + bx];
                differ += want != got;
                compared_ink += want > 128;
            }
        }
        CHECK(compared_ink > 100);
        CHECK(differ == 0);
    }
    SECTION("a line that uses only the Latin font is only as tall as the Latin font") {
        // Noto Nastaliq Urdu reaches far above Noto Sans; a line of Latin words in the Urdu
        // chain does not take its height.
        const FontFace nastaliq = load_font("NotoNastaliqUrdu-Regular.ttf");
        const FontChain urdu{&nastaliq, &latin};
        REQUIRE(nastaliq.ascender() > latin.ascender() + 4);
        const ShapedLine nhs = shape_line(urdu, "NHS");
        REQUIRE(nhs.glyphs.size() == 3);
        CHECK(int(nhs.glyphs[0].font) == 1);
        const TextBitmap small = render(urdu, nhs);
        CHECK(small.baseline == static_cast<int>(std::ceil(latin.ascender())));
        CHECK(small.baseline < static_cast<int>(std::ceil(nastaliq.ascender())));
        // An empty line takes the first font's metrics, the line height a screen spaces by.
        const TextBitmap empty = render(urdu, shape_line(urdu, ""));
        CHECK(empty.baseline == static_cast<int>(std::ceil(nastaliq.ascender())));
        CHECK(empty.height == static_cast<int>(std::ceil(nastaliq.ascender())) +
                                  static_cast<int>(std::ceil(nastaliq.descender())));
        CHECK(line_height(urdu) == Approx(nastaliq.ascender() + nastaliq.descender()));
    }
}

TEST_CASE("break_lines measures with the chain") {
    const FontFace arabic = load_font("NotoSansArabic-Regular.ttf");
    const FontFace latin = load_font("NotoSans-Regular.ttf");
    const FontChain chain{&arabic, &latin};
    const std::string text = "زيارة NHS 2024 ok زيارة NHS 2024 ok";
    const float full = shape_line(chain, text, TextDirection::auto_detect, "ar").width;
    const auto lines = break_lines(chain, text, full / 2 + 1, TextDirection::auto_detect, "ar");
    CHECK(lines.size() >= 2);
    std::string joined;
    for (auto line : lines) {
        CHECK(shape_line(chain, line, TextDirection::right_to_left, "ar").width <= full / 2 + 1);
        joined += (joined.empty() ? "" : " ") + std::string(line);
    }
    CHECK(joined == text);
}

TEST_CASE("the shaped text cache keys on the whole chain and the language") {
    const FontFace arabic = load_font("NotoSansArabic-Regular.ttf");
    const FontFace latin = load_font("NotoSans-Regular.ttf");
    const FontChain chain{&arabic, &latin};
    const std::string text = "زيارة NHS 2024 ok";
    ShapedTextCache cache(1 << 20);
    const auto first = cache.get(chain, text, TextDirection::auto_detect, "ar");
    CHECK(first->line.glyphs.back().font == 0);
    CHECK(first->line.glyphs.front().font == 1);

    SECTION("the same chain and text hit, even through other FontFace objects") {
        const FontFace arabic_again = load_font("NotoSansArabic-Regular.ttf");
        const auto second =
            cache.get(FontChain{&arabic_again, &latin}, text, TextDirection::auto_detect, "ar");
        CHECK(second == first);
        CHECK(cache.hits() == 1);
        CHECK(cache.misses() == 1);
    }
    SECTION("another language misses") {
        const auto urdu = cache.get(chain, text, TextDirection::auto_detect, "ur");
        CHECK(urdu != first);
        CHECK(cache.misses() == 2);
        CHECK(cache.get(chain, text)->line.glyphs.size() == first->line.glyphs.size());
        CHECK(cache.misses() == 3);
        CHECK(cache.hits() == 0);
    }
    SECTION("the language reaches the shaper") {
        // Urdu writes ۴ ۶ ۷ in its own shapes, which Noto Sans Arabic picks for "ur" only.
        const std::string digits = "۴۶۷";
        const auto urdu = cache.get(chain, digits, TextDirection::auto_detect, "ur");
        const auto arabic_digits = cache.get(chain, digits, TextDirection::auto_detect, "ar");
        CHECK(our_glyphs(urdu->line) ==
              our_glyphs(shape_line(chain, digits, TextDirection::auto_detect, "ur")));
        CHECK(our_glyphs(arabic_digits->line) ==
              our_glyphs(shape_line(chain, digits, TextDirection::auto_detect, "ar")));
        CHECK(our_glyphs(urdu->line) != our_glyphs(arabic_digits->line));
    }
    SECTION("another chain misses: other order, a font more, another size") {
        cache.get(FontChain{&latin, &arabic}, text, TextDirection::auto_detect, "ar");
        cache.get(FontChain{&arabic}, text, TextDirection::auto_detect, "ar");
        const FontFace bigger = load_font("NotoSans-Regular.ttf", 48);
        cache.get(FontChain{&arabic, &bigger}, text, TextDirection::auto_detect, "ar");
        CHECK(cache.misses() == 4);
        CHECK(cache.hits() == 0);
        CHECK(cache.entries() == 4);
    }
    SECTION("the one-font call is the chain of that one font") {
        const auto one = cache.get(latin, "NHS");
        CHECK(cache.get(FontChain{&latin}, "NHS", TextDirection::auto_detect, "") == one);
        CHECK(cache.hits() == 1);
    }
}
