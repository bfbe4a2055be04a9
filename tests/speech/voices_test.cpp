// Which espeak-ng voice reads which kiosk language. The expected voices are written out here
// rather than read from the table, so that changing a language's voice is a deliberate act.

#include "speech/voices.hpp"

#include "speech_test_support.hpp"

#include <catch2/catch.hpp>

#include <map>

using kiosk::speech::espeak_voice_for;

TEST_CASE("every shipped language has the voice chosen for it, and Somali has none") {
    const std::map<std::string, std::optional<std::string>> expected{
        {"en", "en-gb"},   {"cy", "cy"}, {"pl", "pl"},
        {"pt", "pt"},      {"es", "es"}, {"ar", "ar"},
        {"ur", "ur"},      {"bn", "bn"}, {"gu", "gu"},
        {"pa-Guru", "pa"}, {"ta", "ta"}, {"so", std::nullopt},
        {"ro", "ro"},      {"tr", "tr"}, {"zh-Hans", "cmn-latn-pinyin"},
    };
    for (const auto& tag : kiosk::testing::shipped_languages()) {
        INFO("language " << tag);
        auto wanted = expected.find(tag);
        REQUIRE(wanted != expected.end()); // a new language needs its voice chosen here
        CHECK(espeak_voice_for(tag) == wanted->second);
    }
}

TEST_CASE("language tags are matched without regard to case, falling back to the language") {
    CHECK(espeak_voice_for("EN") == "en-gb");
    CHECK(espeak_voice_for("en-GB") == "en-gb");
    CHECK(espeak_voice_for("en-US") == "en-gb"); // the kiosk's English is British
    CHECK(espeak_voice_for("en_gb") == "en-gb");
    CHECK(espeak_voice_for("cy-GB") == "cy");
    CHECK(espeak_voice_for("PA-guru") == "pa");
    CHECK(espeak_voice_for("pa") == "pa");
    CHECK(espeak_voice_for("pa-Guru-IN") == "pa");
    CHECK(espeak_voice_for("pa-IN") == "pa");
    CHECK(espeak_voice_for("zh") == "cmn-latn-pinyin");
    CHECK(espeak_voice_for("ZH-HANS") == "cmn-latn-pinyin");
    CHECK(espeak_voice_for("zh-Hans-CN") == "cmn-latn-pinyin");
    CHECK(espeak_voice_for("zh-CN") == "cmn-latn-pinyin");
    CHECK(espeak_voice_for("ar-EG") == "ar");
    CHECK(espeak_voice_for("es-419") == "es");
    CHECK(espeak_voice_for("pt-PT") == "pt");
    CHECK(espeak_voice_for("pt-BR") == "pt-br"); // a region with a voice of its own
    CHECK(espeak_voice_for("tr-x-private") == "tr");
}

TEST_CASE("a script the voice cannot read gives no voice") {
    CHECK_FALSE(espeak_voice_for("pa-Arab")); // Shahmukhi; the pa voice reads Gurmukhi only
    CHECK_FALSE(espeak_voice_for("ur-Latn")); // Roman Urdu
    CHECK_FALSE(espeak_voice_for("zh-Hant")); // traditional characters
    CHECK_FALSE(espeak_voice_for("zh-TW"));   // which is what Taiwan writes
    CHECK_FALSE(espeak_voice_for("zh-HK"));
    CHECK(espeak_voice_for("zh-Hans-HK") == "cmn-latn-pinyin"); // unless the tag says so
    CHECK_FALSE(espeak_voice_for("bn-Latn"));
    CHECK(espeak_voice_for("bn-Beng") == "bn");
    CHECK(espeak_voice_for("en-Latn") == "en-gb");
}

TEST_CASE("unknown and malformed tags give no voice") {
    for (const char* tag : {"", "-", "e", "xx", "so", "SO-so", "klingon", "1a", "en--gb", "en-",
                            "-en", "en gb", "x-private", "en-abcdefghi", "€n"}) {
        INFO("tag \"" << tag << "\"");
        CHECK_FALSE(espeak_voice_for(tag));
    }
}

TEST_CASE("every voice in the table is a distinct language entry naming an espeak-ng voice") {
    for (const auto& mapping : kiosk::speech::voice_table()) {
        INFO(mapping.language << " " << mapping.region);
        CHECK_FALSE(mapping.espeak_voice.empty());
        CHECK(mapping.script.size() == 4);
        std::size_t same = 0;
        for (const auto& other : kiosk::speech::voice_table()) {
            same += other.language == mapping.language && other.region == mapping.region;
        }
        CHECK(same == 1);
    }
}
