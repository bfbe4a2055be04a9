// espeak-ng into memory: real synthesis with Debian's espeak-ng-data, measured for sound.

#include "speech/speech_synthesiser.hpp"
#include "speech/voices.hpp"

#include "speech_test_support.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <thread>

using kiosk::speech::PhonemeText;
using kiosk::speech::Speech;
using kiosk::speech::SpeechSynthesiser;
using kiosk::speech::SynthesiserOptions;
using kiosk::testing::sounding_seconds;

namespace {

SpeechSynthesiser open_synthesiser(const SynthesiserOptions& options = {}) {
    auto opened = SpeechSynthesiser::open(options);
    if (auto* problem = std::get_if<std::string>(&opened)) {
        FAIL("espeak-ng did not start: " << *problem);
    }
    return std::move(std::get<SpeechSynthesiser>(opened));
}

Speech speech_or_fail(std::variant<Speech, std::string> result) {
    if (auto* problem = std::get_if<std::string>(&result)) {
        FAIL("synthesis failed: " << *problem);
    }
    return std::move(std::get<Speech>(result));
}

std::string phonemes_or_fail(std::variant<PhonemeText, std::string> result) {
    if (auto* problem = std::get_if<std::string>(&result)) {
        FAIL("no phonemes: " << *problem);
    }
    return std::get<PhonemeText>(result).phonemes;
}

} // namespace

TEST_CASE("an English question is spoken for more than half a second at the reported rate") {
    auto synthesiser = open_synthesiser();
    CHECK(synthesiser.words_per_minute() == 150);
    const Speech speech =
        speech_or_fail(synthesiser.synthesise("How was your visit today?", "en-gb"));
    CHECK(speech.sample_rate == synthesiser.sample_rate());
    CHECK(speech.sample_rate == 22050); // espeak-ng's own voices all speak at this rate
    INFO("sounding " << sounding_seconds(speech) << " s of " << speech.seconds() << " s");
    CHECK(sounding_seconds(speech) > 0.5);
    CHECK(speech.seconds() < 5.0);
}

TEST_CASE("Arabic and Bengali are spoken with their own voices") {
    auto synthesiser = open_synthesiser();
    for (const char* tag : {"ar", "bn"}) {
        const std::string text = kiosk::testing::shipped_string(tag, "welcome.title");
        const auto voice = kiosk::speech::espeak_voice_for(tag);
        REQUIRE(voice);
        INFO(tag << ": " << text);
        const Speech speech = speech_or_fail(synthesiser.synthesise(text, *voice));
        CHECK(sounding_seconds(speech) > 0.5);
        // Not read as "Arabic letter ..." by a switch to English.
        CHECK(phonemes_or_fail(synthesiser.phonemes(text, *voice)).find('(') == std::string::npos);
    }
}

TEST_CASE("every shipped language with a voice reads its own words in its own script") {
    auto synthesiser = open_synthesiser();
    for (const auto& tag : kiosk::testing::shipped_languages()) {
        const auto voice = kiosk::speech::espeak_voice_for(tag);
        if (!voice || tag == "en") {
            continue;
        }
        INFO(tag << " with the voice " << *voice);
        REQUIRE(synthesiser.has_voice(*voice));
        for (const char* key : {"welcome.title", "welcome.body"}) {
            const std::string text = kiosk::testing::shipped_string(tag, key);
            INFO(key << ": " << text);
            // espeak-ng switches to another voice, shown as "(en)", for letters its voice cannot
            // read; this is how the table's "cmn" once read Chinese as English pinyin.
            const std::string phonemes = phonemes_or_fail(synthesiser.phonemes(text, *voice));
            INFO("phonemes: " << phonemes);
            CHECK(phonemes.find('(') == std::string::npos);
            CHECK(sounding_seconds(speech_or_fail(synthesiser.synthesise(text, *voice))) > 0.5);
        }
    }
}

TEST_CASE("an unknown voice is an error naming it, and the previous voice is not used instead") {
    auto synthesiser = open_synthesiser();
    speech_or_fail(synthesiser.synthesise("Hello", "en-gb"));
    CHECK_FALSE(synthesiser.has_voice("xx-nonexistent"));
    auto result = synthesiser.synthesise("Hello", "xx-nonexistent");
    REQUIRE(std::holds_alternative<std::string>(result));
    CHECK_THAT(std::get<std::string>(result), Catch::Contains("xx-nonexistent"));
    CHECK(std::holds_alternative<std::string>(synthesiser.synthesise("Hello", "so")));
    CHECK(std::holds_alternative<std::string>(synthesiser.synthesise("Hello", "")));
    // And the engine is still fine afterwards.
    CHECK(sounding_seconds(speech_or_fail(synthesiser.synthesise("Hello", "en-gb"))) > 0.2);
}

TEST_CASE("voices are found by language code, voice file or name") {
    auto synthesiser = open_synthesiser();
    CHECK(synthesiser.has_voice("en-gb"));
    CHECK(synthesiser.has_voice("EN-GB"));
    CHECK(synthesiser.has_voice("gmw/en"));
    CHECK(synthesiser.has_voice("cmn-latn-pinyin"));
    CHECK_FALSE(synthesiser.has_voice("en-gb+f3")); // variants are not offered
}

TEST_CASE("a slower rate gives longer speech") {
    const std::string text = "Please tell us about the care you received on the ward today.";
    double slow_seconds = 0;
    double fast_seconds = 0;
    {
        auto slow = open_synthesiser({.data_path = "", .words_per_minute = 120});
        slow_seconds = speech_or_fail(slow.synthesise(text, "en-gb")).seconds();
    }
    {
        auto fast = open_synthesiser({.data_path = "", .words_per_minute = 240});
        fast_seconds = speech_or_fail(fast.synthesise(text, "en-gb")).seconds();
    }
    INFO("120 wpm: " << slow_seconds << " s, 240 wpm: " << fast_seconds << " s");
    CHECK(slow_seconds > fast_seconds * 1.5);
}

TEST_CASE("rates espeak-ng cannot speak at are refused") {
    for (int rate : {0, 79, 451}) {
        auto opened = SpeechSynthesiser::open({.data_path = "", .words_per_minute = rate});
        REQUIRE(std::holds_alternative<std::string>(opened));
        CHECK_THAT(std::get<std::string>(opened), Catch::Contains(std::to_string(rate)));
    }
}

TEST_CASE("only one synthesiser owns espeak-ng at a time") {
    auto first = open_synthesiser();
    auto second = SpeechSynthesiser::open();
    REQUIRE(std::holds_alternative<std::string>(second));
    CHECK_THAT(std::get<std::string>(second), Catch::Contains("already in use"));

    // Moving keeps the one owner; the moved-from object says so instead of speaking.
    SpeechSynthesiser moved = std::move(first);
    CHECK(std::holds_alternative<std::string>(SpeechSynthesiser::open()));
    auto from_moved = first.synthesise("Hello", "en-gb"); // NOLINT(bugprone-use-after-move)
    REQUIRE(std::holds_alternative<std::string>(from_moved));
    CHECK_THAT(std::get<std::string>(from_moved), Catch::Contains("moved from"));
    CHECK(sounding_seconds(speech_or_fail(moved.synthesise("Hello", "en-gb"))) > 0.2);

    { SpeechSynthesiser gone = std::move(moved); }
    auto third = SpeechSynthesiser::open();
    CHECK(std::holds_alternative<SpeechSynthesiser>(third));
}

TEST_CASE("a data folder that is not espeak-ng's is refused, naming it") {
    kiosk::testing::ScopedTempDir empty("kiosk-espeak");
    auto opened = SpeechSynthesiser::open({.data_path = empty.path().string()});
    REQUIRE(std::holds_alternative<std::string>(opened));
    CHECK_THAT(std::get<std::string>(opened), Catch::Contains(empty.path().string()));
    // Nothing was taken: the default still opens.
    CHECK(std::holds_alternative<SpeechSynthesiser>(SpeechSynthesiser::open()));
}

TEST_CASE("any text, even malformed, is synthesised without harm") {
    auto synthesiser = open_synthesiser();
    const std::string cases[] = {
        "",
        "   ",
        "Emoji 😀👍🏽 and flags 🇬🇧",
        "Combining e\u0301 and a\u0308 and RTL \u202Eevil\u202C marks",
        "Truncated \xE0\xA4",
        "Bad bytes \xFF\xFE\xC0\x80 and a lone surrogate \xED\xA0\x80",
        std::string("Inside\0zero", 11),
        "Control \x01\x07\x1B[31m characters\x7F",
        "<speak>not SSML</speak> & [[phonemes]]",
        std::string(3000, 'a'),
    };
    for (const auto& text : cases) {
        INFO("text of " << text.size() << " bytes");
        const Speech speech = speech_or_fail(synthesiser.synthesise(text, "en-gb"));
        CHECK(speech.sample_rate == 22050);
    }
    CHECK(sounding_seconds(speech_or_fail(synthesiser.synthesise("", "en-gb"))) < 0.1);
}

TEST_CASE("a cancelled synthesis stops early and says so") {
    auto synthesiser = open_synthesiser();
    const Speech thanks = speech_or_fail(synthesiser.synthesise("Thank you", "en-gb"));

    std::stop_source already;
    already.request_stop();
    auto before = synthesiser.synthesise("Hello", "en-gb", already.get_token());
    REQUIRE(std::holds_alternative<std::string>(before));
    CHECK_THAT(std::get<std::string>(before), Catch::Contains("cancelled"));

    // About seven minutes of speech, cancelled once its third chunk is made (at a known point,
    // whatever the machine's speed): espeak-ng makes no chunk after that.
    std::string long_text;
    for (int i = 0; i < 100; ++i) {
        long_text += "Please tell us about the care you received on the ward today. ";
    }
    std::stop_source midway;
    int chunks = 0;
    std::size_t made = 0;
    auto during =
        synthesiser.synthesise(long_text, "en-gb", midway.get_token(), [&](std::size_t samples) {
            made = samples;
            if (++chunks == 3) {
                midway.request_stop();
            }
        });
    REQUIRE(std::holds_alternative<std::string>(during));
    CHECK_THAT(std::get<std::string>(during), Catch::Contains("cancelled"));
    CHECK(chunks == 3);
    CHECK(made > 0);
    CHECK(made < static_cast<std::size_t>(synthesiser.sample_rate())); // under a second of it

    // The next synthesis starts afresh: nothing of the cancelled text is left in espeak-ng.
    // (Not to the sample: espeak-ng carries a few samples of state from one text to the next.)
    const Speech again = speech_or_fail(synthesiser.synthesise("Thank you", "en-gb"));
    CHECK(again.seconds() == Approx(thanks.seconds()).margin(0.02));
    CHECK(sounding_seconds(again) > 0.2);
}

TEST_CASE("a cancel from another thread ends a synthesis within a chunk") {
    auto synthesiser = open_synthesiser();
    std::string long_text;
    for (int i = 0; i < 100; ++i) {
        long_text += "Please tell us about the care you received on the ward today. ";
    }
    // The synthesis waits after its first chunk until another thread has cancelled it (or a
    // minute has passed, which only a cancel that never arrives would take).
    std::stop_source cancel;
    std::mutex mutex;
    std::condition_variable_any changed;
    bool started = false;
    int chunks = 0;
    std::jthread canceller([&] {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return started; });
        cancel.request_stop();
    });
    auto result = synthesiser.synthesise(long_text, "en-gb", cancel.get_token(), [&](std::size_t) {
        std::unique_lock lock(mutex);
        ++chunks;
        started = true;
        changed.notify_all();
        changed.wait_for(lock, cancel.get_token(), std::chrono::minutes(1), [] { return false; });
    });
    REQUIRE(std::holds_alternative<std::string>(result));
    CHECK_THAT(std::get<std::string>(result), Catch::Contains("cancelled"));
    CHECK(chunks == 1);
}

TEST_CASE("an exception from the chunk observer ends the synthesis and reaches the caller") {
    auto synthesiser = open_synthesiser();
    CHECK_THROWS_WITH(synthesiser.synthesise(
                          "How was your visit today?", "en-gb", {},
                          [](std::size_t) -> void { throw std::runtime_error("observer failed"); }),
                      "observer failed");
    CHECK(sounding_seconds(speech_or_fail(synthesiser.synthesise("Thank you", "en-gb"))) > 0.2);
}
