// The text shaping engine (kiosk/text): bidirectional order, shaping, line breaking, drawing
// and the shaped-text cache. Shaping is checked against HarfBuzz's own `hb-shape` program for
// the same font and string, so a broken shaper (or one that skips shaping) cannot pass.

#include "support/temp_dir.hpp"
#include "text/font_face.hpp"
#include "text/shaped_text_cache.hpp"
#include "text/shaping.hpp"
#include "text/text_bitmap.hpp"
#include "text/text_test_support.hpp"
#include "text/utf8.hpp"

// Glyph lists are (id, cluster) pairs: print them when a comparison fails.
#define CATCH_CONFIG_ENABLE_PAIR_STRINGMAKER
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

using namespace kiosk::text;
using kiosk::testing::load_font;
using kiosk::testing::noto_cjk_dir;
using kiosk::testing::noto_dir;
using kiosk::testing::our_glyphs;
using kiosk::testing::pixel_size;
using kiosk::testing::reference_glyphs;

namespace {

struct Sample {
    const char* language;
    const char* font_file;
    const char* text;
    TextDirection direction;
};

// "How was your visit?" in the kiosk's languages that need shaping, and English.
const Sample samples[] = {
    {"Arabic", "NotoSansArabic-Regular.ttf", "كيف كانت زيارتك؟", TextDirection::right_to_left},
    {"Urdu", "NotoNastaliqUrdu-Regular.ttf", "آپ کا دورہ کیسا رہا؟", TextDirection::right_to_left},
    {"Bengali", "NotoSansBengali-Regular.ttf", "আপনার অভিজ্ঞতা কেমন ছিল?",
     TextDirection::left_to_right},
    {"Gujarati", "NotoSansGujarati-Regular.ttf", "તમારો અનુભવ કેવો રહ્યો?",
     TextDirection::left_to_right},
    {"Punjabi", "NotoSansGurmukhi-Regular.ttf", "ਤੁਹਾਡਾ ਅਨੁਭਵ ਕਿਹੋ ਜਿਹਾ ਸੀ?",
     TextDirection::left_to_right},
    {"Tamil", "NotoSansTamil-Regular.ttf", "உங்கள் அனுபவம் எப்படி இருந்தது?",
     TextDirection::left_to_right},
    {"English", "NotoSans-Regular.ttf", "How was your visit today?", TextDirection::left_to_right},
};

// Index of the first glyph whose cluster lies in [begin, end) of the text, and of the last.
std::pair<std::size_t, std::size_t> glyph_span(const ShapedLine& line, std::size_t begin,
                                               std::size_t end) {
    std::size_t first = line.glyphs.size();
    std::size_t last = 0;
    for (std::size_t i = 0; i < line.glyphs.size(); ++i) {
        if (line.glyphs[i].cluster >= begin && line.glyphs[i].cluster < end) {
            first = std::min(first, i);
            last = std::max(last, i);
        }
    }
    REQUIRE(first < line.glyphs.size());
    return {first, last};
}

} // namespace

TEST_CASE("shaping matches hb-shape glyph for glyph in every shaped language") {
    for (const Sample& sample : samples) {
        DYNAMIC_SECTION(sample.language) {
            const FontFace font = load_font(sample.font_file);
            const ShapedLine line = shape_line(font, sample.text, TextDirection::auto_detect);
            const auto expected = reference_glyphs(noto_dir / sample.font_file, sample.text);
            INFO(sample.language << ": " << line.glyphs.size() << " glyphs, hb-shape "
                                 << expected.size());
            CHECK(our_glyphs(line) == expected);
            // Shaping did something: Indic and Arabic text never maps one character to one
            // nominal glyph all the way through, so the comparison is not a trivial one.
            CHECK(!line.glyphs.empty());
        }
    }
}

TEST_CASE("shaping changes glyphs where the scripts need it, so the comparison means something") {
    // Nominal glyph: the one the font's character map gives, which is all ImGui would draw.
    const auto differs_from_nominal = [](const FontFace& font, const std::string& text) {
        const DecodedText decoded = decode_utf8(text);
        const ShapedLine line = shape_line(font, text);
        std::size_t changed = 0;
        for (const auto& glyph : line.glyphs) {
            const auto at =
                std::find(decoded.byte_offsets.begin(), decoded.byte_offsets.end(), glyph.cluster) -
                decoded.byte_offsets.begin();
            hb_codepoint_t nominal = 0;
            hb_font_get_nominal_glyph(font.hb_font(), decoded.code_points[at], &nominal);
            changed += nominal != glyph.glyph_id;
        }
        return std::pair{changed, decoded.code_points.size() - line.glyphs.size()};
    };
    SECTION("Arabic letters take their joining forms") {
        const auto [changed, merged] =
            differs_from_nominal(load_font("NotoSansArabic-Regular.ttf"), samples[0].text);
        CHECK(changed >= 8);
    }
    SECTION("a Bengali conjunct is fewer glyphs than characters") {
        const auto [changed, merged] =
            differs_from_nominal(load_font("NotoSansBengali-Regular.ttf"), "অভিজ্ঞতা");
        CHECK(merged >= 2);
        CHECK(changed >= 1);
    }
}

TEST_CASE("the paragraph direction is right to left for Arabic and Urdu, else left to right") {
    for (const Sample& sample : samples) {
        DYNAMIC_SECTION(sample.language) {
            const FontFace font = load_font(sample.font_file);
            CHECK(shape_line(font, sample.text).direction == sample.direction);
            CHECK(paragraph_direction(sample.text) == sample.direction);
            // Right-to-left glyphs come out in visual order: the text's first character is
            // drawn at the right end of the line.
            const ShapedLine line = shape_line(font, sample.text);
            if (sample.direction == TextDirection::right_to_left) {
                CHECK(line.glyphs.back().cluster == 0);
            } else {
                CHECK(line.glyphs.front().cluster == 0);
            }
        }
    }
    SECTION("an explicit direction wins over detection") {
        const FontFace font = load_font("NotoSansArabic-Regular.ttf");
        CHECK(shape_line(font, "Hello", TextDirection::right_to_left).direction ==
              TextDirection::right_to_left);
        CHECK(shape_line(font, "كيف", TextDirection::left_to_right).direction ==
              TextDirection::left_to_right);
        CHECK(paragraph_direction("123 ...") == TextDirection::left_to_right);
        CHECK(paragraph_direction("123 كيف") == TextDirection::right_to_left);
    }
}

TEST_CASE("mixed Arabic, English and numbers come out in bidirectional visual order") {
    const FontFace font = load_font("NotoSansArabic-Regular.ttf");
    SECTION("an English word and a number inside Arabic") {
        // Logical: مرحبا ␠ Kiosk ␠ 42 ␠ شكرا. The paragraph is right to left; "Kiosk 42" is one
        // left-to-right run (the digits follow a Latin letter, rule W7), so on screen, from
        // the left: شكرا, then "Kiosk 42" reading left to right, then مرحبا at the right end.
        const std::string hello = "مرحبا";
        const std::string thanks = "شكرا";
        const std::string text = hello + " Kiosk 42 " + thanks;
        const ShapedLine line = shape_line(font, text);
        REQUIRE(line.direction == TextDirection::right_to_left);
        const std::size_t latin_begin = hello.size() + 1;
        const std::size_t latin_end = latin_begin + std::string("Kiosk 42").size();
        const auto hello_span = glyph_span(line, 0, hello.size());
        const auto latin_span = glyph_span(line, latin_begin, latin_end);
        const auto thanks_span = glyph_span(line, text.size() - thanks.size(), text.size());
        CHECK(thanks_span.second < latin_span.first);
        CHECK(latin_span.second < hello_span.first);
        // Inside the left-to-right run, clusters rise; inside Arabic words they fall.
        for (std::size_t i = latin_span.first; i < latin_span.second; ++i) {
            CHECK(line.glyphs[i].cluster < line.glyphs[i + 1].cluster);
            CHECK_FALSE(line.glyphs[i].right_to_left);
        }
        for (std::size_t i = hello_span.first; i < hello_span.second; ++i) {
            CHECK(line.glyphs[i].cluster >= line.glyphs[i + 1].cluster);
            CHECK(line.glyphs[i].right_to_left);
        }
    }
    SECTION("a number in Arabic reads left to right between the words") {
        // The digits follow Arabic letters, so they become Arabic numbers (rule W2): still
        // left to right, at a higher level, between the words in right-to-left order.
        const std::string age = "عمري";
        const std::string years = "سنة";
        const std::string text = age + " 42 " + years;
        const ShapedLine line = shape_line(font, text);
        const auto age_span = glyph_span(line, 0, age.size());
        const auto digits_span = glyph_span(line, age.size() + 1, age.size() + 3);
        const auto years_span = glyph_span(line, text.size() - years.size(), text.size());
        CHECK(years_span.second < digits_span.first);
        CHECK(digits_span.second < age_span.first);
        REQUIRE(digits_span.second == digits_span.first + 1);
        CHECK(line.glyphs[digits_span.first].cluster == age.size() + 1);  // "4"
        CHECK(line.glyphs[digits_span.second].cluster == age.size() + 2); // "2"
    }
    SECTION("Arabic inside English keeps the English order around it") {
        const std::string word = "كيف";
        const std::string text = "Say " + word + " now";
        const ShapedLine line = shape_line(font, text);
        CHECK(line.direction == TextDirection::left_to_right);
        const auto say = glyph_span(line, 0, 3);
        const auto arabic = glyph_span(line, 4, 4 + word.size());
        const auto now = glyph_span(line, text.size() - 3, text.size());
        CHECK(say.second < arabic.first);
        CHECK(arabic.second < now.first);
        CHECK(line.glyphs[arabic.first].cluster > line.glyphs[arabic.second].cluster);
    }
}

TEST_CASE("a shaped line's width is the sum of its advances") {
    for (const Sample& sample : samples) {
        DYNAMIC_SECTION(sample.language) {
            const FontFace font = load_font(sample.font_file);
            const ShapedLine line = shape_line(font, sample.text);
            float sum = 0;
            for (const auto& glyph : line.glyphs) {
                sum += glyph.x_advance;
            }
            CHECK(line.width > 0);
            CHECK(line.width == Approx(sum));
            // Sanity of the units: a question at 32 px is some hundreds of pixels wide.
            CHECK(line.width > pixel_size);
            CHECK(line.width < pixel_size * 40.0f);
        }
    }
    SECTION("an empty line has no glyphs and no width") {
        const FontFace font = load_font("NotoSans-Regular.ttf");
        const ShapedLine line = shape_line(font, "");
        CHECK(line.glyphs.empty());
        CHECK(line.width == 0);
    }
}

TEST_CASE("break_lines keeps lines within the width, except a single over-long word") {
    for (const Sample& sample : samples) {
        DYNAMIC_SECTION(sample.language) {
            const FontFace font = load_font(sample.font_file);
            const std::string text =
                std::string(sample.text) + " " + sample.text + " " + sample.text;
            const float full = shape_line(font, text).width;
            for (float width : {full / 4, full / 2, full + 1}) {
                const auto lines = break_lines(font, text, width);
                INFO("width " << width << ", " << lines.size() << " lines");
                CHECK(!lines.empty());
                std::string joined;
                for (auto line : lines) {
                    const bool one_word = line.find(' ') == std::string_view::npos;
                    CHECK((shape_line(font, line, sample.direction).width <= width || one_word));
                    CHECK(!line.empty());
                    CHECK(line.front() != ' ');
                    CHECK(line.back() != ' ');
                    joined += (joined.empty() ? "" : " ") + std::string(line);
                }
                // No text lost or repeated: the lines put back together are the text.
                CHECK(joined == text);
            }
            CHECK(break_lines(font, text, full + 1).size() == 1);
        }
    }
    const FontFace font = load_font("NotoSans-Regular.ttf");
    SECTION("a word wider than the box gets a line of its own") {
        const auto lines = break_lines(font, "a Pneumonoultramicroscopic b", 60);
        REQUIRE(lines.size() == 3);
        CHECK(lines[1] == "Pneumonoultramicroscopic");
    }
    SECTION("a newline always breaks, and blank lines are kept") {
        const auto lines = break_lines(font, "One\n\nTwo three", 1000);
        REQUIRE(lines.size() == 3);
        CHECK(lines[0] == "One");
        CHECK(lines[1].empty());
        CHECK(lines[2] == "Two three");
        CHECK(break_lines(font, "", 100).size() == 1);
    }
    SECTION("CJK text breaks between ideographs") {
        // With the Simplified Chinese face of Noto Sans CJK (fonts-noto-cjk) first in the chain:
        // real ideographs of equal width, not .notdef boxes.
        const FontFace cjk = load_font(noto_cjk_dir / "NotoSansCJK-Regular.ttc", pixel_size, 2);
        const FontChain chain{&cjk, &font};
        const std::string text = "您的就诊体验如何？";
        const ShapedLine single = shape_line(chain, "您");
        REQUIRE(single.glyphs.size() == 1);
        CHECK(single.glyphs[0].glyph_id != 0);
        const float one = single.width;
        const auto lines = break_lines(chain, text, one * 3.5f, TextDirection::auto_detect, "zh");
        CHECK(lines.size() == 3); // 3 + 3 + 3: the last line is "如何？"
        std::string joined;
        for (auto line : lines) {
            joined += line;
            CHECK(line.substr(0, 3) != "？"); // punctuation stays with the ideograph before it
            CHECK(shape_line(chain, line, TextDirection::auto_detect, "zh").width <= one * 3.5f);
        }
        CHECK(joined == text);
    }
}

TEST_CASE("render draws the glyphs into an alpha bitmap") {
    for (const Sample& sample : samples) {
        DYNAMIC_SECTION(sample.language) {
            const FontFace font = load_font(sample.font_file);
            const ShapedLine line = shape_line(font, sample.text);
            const TextBitmap bitmap = render(font, line);
            CHECK(bitmap.width >= static_cast<int>(line.width));
            CHECK(bitmap.height >= static_cast<int>(font.ascender() + font.descender()));
            CHECK(bitmap.baseline > 0);
            CHECK(bitmap.baseline < bitmap.height);
            CHECK(bitmap.alpha.size() ==
                  static_cast<std::size_t>(bitmap.width) * static_cast<std::size_t>(bitmap.height));
            CHECK(bitmap.has_ink());
            // Ink both above and below the baseline's middle half: real glyphs, not a smear.
            std::size_t above = 0;
            for (int y = 0; y < bitmap.baseline; ++y) {
                for (int x = 0; x < bitmap.width; ++x) {
                    above += bitmap.alpha[static_cast<std::size_t>(y) * bitmap.width + x] > 128;
                }
            }
            CHECK(above > 50);
        }
    }
    SECTION("spaces draw nothing") {
        const FontFace font = load_font("NotoSans-Regular.ttf");
        const TextBitmap bitmap = render(font, shape_line(font, "   "));
        CHECK(bitmap.width > 0);
        CHECK_FALSE(bitmap.has_ink());
    }
}

TEST_CASE("the shaped text cache shapes once and evicts the least recently used") {
    const FontFace font = load_font("NotoSansBengali-Regular.ttf");
    const std::string question = samples[2].text;
    SECTION("a second request is a hit and returns the same bitmap") {
        ShapedTextCache cache(1 << 20);
        const auto first = cache.get(font, question);
        const auto second = cache.get(font, question);
        CHECK(first == second);
        CHECK(cache.misses() == 1);
        CHECK(cache.hits() == 1);
        CHECK(cache.bytes() >= first->bitmap.bytes());
        // A different size of the same font is different text on screen.
        const FontFace bigger = load_font("NotoSansBengali-Regular.ttf", 48);
        const auto big = cache.get(bigger, question);
        CHECK(big != first);
        CHECK(big->bitmap.height > first->bitmap.height);
        CHECK(cache.misses() == 2);
    }
    SECTION("over its byte limit it evicts the oldest, keeping the newest") {
        const std::size_t one = ShapedTextCache(1 << 20).get(font, question)->bytes();
        ShapedTextCache cache(one * 2 + one / 2);
        const auto a = cache.get(font, question);
        cache.get(font, question + " ১");
        cache.get(font, question + " ২");
        CHECK(cache.evictions() >= 1);
        CHECK(cache.bytes() <= one * 2 + one / 2);
        CHECK(cache.entries() == 2);
        // The evicted entry is shaped again; the caller's copy stayed valid meanwhile.
        CHECK(a->bitmap.has_ink());
        const std::size_t misses = cache.misses();
        const auto again = cache.get(font, question);
        CHECK(cache.misses() == misses + 1);
        CHECK(again != a);
        CHECK(again->bitmap.alpha == a->bitmap.alpha);
    }
    SECTION("a use keeps an entry young") {
        const std::size_t one = ShapedTextCache(1 << 20).get(font, question)->bytes();
        ShapedTextCache cache(one * 2 + one / 2);
        cache.get(font, question);
        cache.get(font, question + " ১");
        cache.get(font, question); // now the newest
        cache.get(font, question + " ২");
        const std::size_t hits = cache.hits();
        cache.get(font, question);
        CHECK(cache.hits() == hits + 1);
    }
}

TEST_CASE("invalid UTF-8 is shaped as replacement characters, without crashing") {
    const FontFace font = load_font("NotoSans-Regular.ttf");
    const std::string bad[] = {
        "ok\xff",
        "\xc0\xaf", // a byte never used; an overlong '/'
        "\xed\xa0\x80",
        "\xe2\x82", // a surrogate; a cut-off euro sign
        "\x80\x80 text",
        "\xf4\x90\x80\x80", // stray continuations; past U+10FFFF
        std::string("a\0b", 3),
    };
    for (const std::string& text : bad) {
        const DecodedText decoded = decode_utf8(text);
        CHECK(decoded.byte_offsets.size() == decoded.code_points.size() + 1);
        const ShapedLine line = shape_line(font, text);
        CHECK(!line.glyphs.empty());
        for (const auto& glyph : line.glyphs) {
            CHECK(glyph.cluster < text.size());
        }
        CHECK(render(font, line).width > 0);
        break_lines(font, text, 10);
    }
    CHECK(decode_utf8("\xc0\xaf").replaced == 2);
    CHECK(decode_utf8("\xe2\x82").replaced == 2);
    CHECK(decode_utf8("€").replaced == 0);
    CHECK(decode_utf8("€").code_points == std::vector<char32_t>{U'€'});
}

TEST_CASE("a font that cannot be loaded gives a problem naming the file") {
    const auto missing = FontFace::load("/nowhere/NotoSansMissing-Regular.ttf", pixel_size);
    REQUIRE(std::holds_alternative<std::string>(missing));
    CHECK_THAT(std::get<std::string>(missing),
               Catch::Contains("/nowhere/NotoSansMissing-Regular.ttf"));

    kiosk::testing::ScopedTempDir dir("kiosk-text");
    const auto not_font = dir.path() / "notes.ttf";
    std::ofstream(not_font) << "this is not a font";
    const auto bad = FontFace::load(not_font, pixel_size);
    REQUIRE(std::holds_alternative<std::string>(bad));
    CHECK_THAT(std::get<std::string>(bad), Catch::Contains(not_font.string()));

    const auto zero = FontFace::load(noto_dir / "NotoSans-Regular.ttf", 0);
    CHECK(std::holds_alternative<std::string>(zero));
}

// What `make bench` will want: the cost of a typical question on a newly chosen language,
// shaped and drawn from nothing, then from the cache. Printed, not asserted: the test machine
// is shared and its timings say nothing about the kiosk's.
TEST_CASE("timing: shaping and drawing a typical question") {
    using Clock = std::chrono::steady_clock;
    for (const Sample& sample : samples) {
        const FontFace font = load_font(sample.font_file);
        ShapedTextCache cache(8 << 20);
        const auto start = Clock::now();
        const auto fresh = cache.get(font, sample.text);
        const auto shaped = Clock::now();
        cache.get(font, sample.text);
        const auto cached = Clock::now();
        const auto us = [](auto d) {
            return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
        };
        INFO(sample.language << ": shape and draw " << us(shaped - start) << " us, from cache "
                             << us(cached - shaped) << " us, bitmap " << fresh->bitmap.width << "x"
                             << fresh->bitmap.height);
        SUCCEED();
    }
}
