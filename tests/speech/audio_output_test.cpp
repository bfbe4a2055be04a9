// The SDL audio sink, with SDL's "disk" driver writing what would have reached the loudspeaker
// to a file, and the drivers that cannot play anything.

#include "platform/audio_output.hpp"
#include "speech/speech_synthesiser.hpp"

#include "speech_test_support.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>

using kiosk::platform::AudioOutput;
using kiosk::speech::Speech;
using kiosk::testing::kPatience;
using kiosk::testing::ScopedEnv;
using kiosk::testing::ScopedTempDir;
using kiosk::testing::sounding_seconds;
using kiosk::testing::wait_until;

namespace {

// The disk driver writes the device's format: 16-bit mono at the rate asked for. It may still
// be writing: this is what has reached the file so far.
std::vector<std::int16_t> read_samples(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::int16_t> samples(bytes.size() / 2);
    if (!samples.empty()) { // memcpy may not be given the null data() of an empty vector
        std::memcpy(samples.data(), bytes.data(), samples.size() * 2);
    }
    return samples;
}

// Speech whose every sample says which speech it is and where in it: sample i of speech `id`
// (1 to 7) is id * 4000 + 1 + i % 2000. Never silence, so the file shows exactly which part of
// which speech came out, in which order, however fast or slow the machine was.
Speech marked(int id, double seconds) {
    Speech speech;
    speech.sample_rate = 22050;
    speech.samples.resize(static_cast<std::size_t>(seconds * speech.sample_rate));
    for (std::size_t i = 0; i < speech.samples.size(); ++i) {
        speech.samples[i] = static_cast<std::int16_t>(id * 4000 + 1 + static_cast<int>(i % 2000));
    }
    return speech;
}

// A stretch of the file: silence (id 0), one marked speech (its id), or anything else (-1).
struct Run {
    int id = 0;
    std::size_t length = 0;
    bool from_start = false; // a marked speech's run begins with its first sample
    bool in_order = true;    // and goes on sample by sample, none missing or repeated
};

std::vector<Run> runs(const std::vector<std::int16_t>& samples) {
    std::vector<Run> found;
    int previous_offset = 0;
    for (const std::int16_t sample : samples) {
        const int offset = sample % 4000 - 1;
        const int id = sample == 0                                  ? 0
                       : sample > 0 && offset >= 0 && offset < 2000 ? sample / 4000
                                                                    : -1;
        if (found.empty() || found.back().id != id) {
            found.push_back({id, 0, id > 0 && offset == 0, true});
        } else if (id > 0 && offset != (previous_offset + 1) % 2000) {
            found.back().in_order = false;
        }
        ++found.back().length;
        previous_offset = offset;
    }
    return found;
}

// The runs that are not silence.
std::vector<Run> sounding_runs(const std::vector<std::int16_t>& samples) {
    std::vector<Run> sounding;
    for (const auto& run : runs(samples)) {
        if (run.id != 0) {
            sounding.push_back(run);
        }
    }
    return sounding;
}

// An AudioOutput on SDL's disk driver, writing to `file` in real time.
struct DiskAudio {
    explicit DiskAudio(const std::filesystem::path& file)
        : driver("SDL_AUDIODRIVER", "disk"), output_file("SDL_DISKAUDIOFILE", file.string()) {}
    ScopedEnv driver;
    ScopedEnv output_file;
};

AudioOutput open_or_fail() {
    auto opened = AudioOutput::open();
    if (auto* problem = std::get_if<std::string>(&opened)) {
        FAIL("audio output did not open: " << *problem);
    }
    return std::move(std::get<AudioOutput>(opened));
}

} // namespace

TEST_CASE("spoken words reach the disk driver's file") {
    ScopedTempDir dir("kiosk-audio");
    const auto file = dir.path() / "out.raw";
    DiskAudio disk(file);

    Speech speech;
    {
        auto opened = kiosk::speech::SpeechSynthesiser::open();
        REQUIRE(std::holds_alternative<kiosk::speech::SpeechSynthesiser>(opened));
        auto result = std::get<kiosk::speech::SpeechSynthesiser>(opened).synthesise(
            "How was your visit today?", "en-gb");
        REQUIRE(std::holds_alternative<Speech>(result));
        speech = std::get<Speech>(result);
    }
    const double spoken = sounding_seconds(speech);
    REQUIRE(spoken > 0.5);
    {
        AudioOutput output = open_or_fail();
        CHECK(output.driver() == "disk");
        CHECK(output.sample_rate() == speech.sample_rate);
        CHECK_FALSE(output.playing());
        REQUIRE_FALSE(output.play(speech));
        CHECK(output.playing());
        REQUIRE(wait_until([&] { return !output.playing(); }, kPatience));
    } // closing the device waits for SDL's audio thread, which first writes out the last of
      // the speech it took from the queue, then closes the file
    const auto written = read_samples(file);
    INFO("speech sounds for " << spoken << " s; the file for "
                              << sounding_seconds(written, speech.sample_rate) << " s");
    CHECK(sounding_seconds(written, speech.sample_rate) > spoken - 0.1);
}

TEST_CASE("speech at another rate is converted to the device's") {
    ScopedTempDir dir("kiosk-audio");
    const auto file = dir.path() / "out.raw";
    DiskAudio disk(file);
    {
        AudioOutput output = open_or_fail();
        REQUIRE_FALSE(output.play(kiosk::testing::tone(0.5, 16000)));
        REQUIRE(wait_until([&] { return !output.playing(); }, kPatience));
    }
    const double heard = sounding_seconds(read_samples(file), 22050);
    CHECK(heard == Approx(0.5).margin(0.05)); // half a second, not 0.36 s at the wrong rate
}

TEST_CASE("stop() ends speech and a new play() replaces the old") {
    // Judged by which samples reached the file, not by how long the test slept: each speech is
    // marked sample by sample, and the two long ones last far longer than the test could ever
    // take to act, so cutting them short is the output's doing.
    ScopedTempDir dir("kiosk-audio");
    const auto file = dir.path() / "out.raw";
    DiskAudio disk(file);
    const double long_seconds = 3.0 * kPatience.count();
    const Speech first = marked(1, long_seconds);
    const Speech second = marked(2, long_seconds);
    const Speech third = marked(3, 0.2);
    auto heard = [&](int id) {
        const auto sounding = sounding_runs(read_samples(file));
        return !sounding.empty() && sounding.back().id == id;
    };
    {
        AudioOutput output = open_or_fail();
        REQUIRE(output.sample_rate() == 22050);
        REQUIRE_FALSE(output.play(first));
        CHECK(output.playing());
        REQUIRE(wait_until([&] { return heard(1); }, kPatience));
        output.stop();
        CHECK_FALSE(output.playing());
        // The loudspeaker goes quiet rather than playing the rest of the first speech.
        REQUIRE(wait_until(
            [&] {
                const auto all = runs(read_samples(file));
                return all.size() >= 2 && all[all.size() - 2].id == 1 && all.back().id == 0 &&
                       all.back().length >= 4096;
            },
            kPatience));

        REQUIRE_FALSE(output.play(second));
        REQUIRE(wait_until([&] { return heard(2); }, kPatience));
        REQUIRE_FALSE(output.play(third)); // replaces the second, which is far from its end
        REQUIRE(wait_until([&] { return !output.playing(); }, kPatience));
        // Empty speech is silence, not an error.
        CHECK_FALSE(output.play(Speech{{}, 22050}));
        CHECK_FALSE(output.playing());
        CHECK(output.play(Speech{{1, 2, 3}, 0})); // but speech without a rate is
    }

    // The start of the first, the start of the second, then the whole third, and only silence
    // between and after them.
    const auto sounding = sounding_runs(read_samples(file));
    REQUIRE(sounding.size() == 3);
    for (std::size_t i = 0; i < sounding.size(); ++i) {
        INFO("speech " << i + 1 << ": " << sounding[i].length << " samples");
        CHECK(sounding[i].id == static_cast<int>(i + 1));
        CHECK(sounding[i].from_start);
        CHECK(sounding[i].in_order);
    }
    CHECK(sounding[0].length < first.samples.size());
    CHECK(sounding[1].length < second.samples.size());
    CHECK(sounding[2].length == third.samples.size());
}

TEST_CASE("drivers that cannot play are clear errors, not crashes") {
    SECTION("the dummy driver, which throws sound away") {
        ScopedEnv driver("SDL_AUDIODRIVER", "dummy");
        auto opened = AudioOutput::open();
        REQUIRE(std::holds_alternative<std::string>(opened));
        CHECK_THAT(std::get<std::string>(opened), Catch::Contains("dummy"));
    }
    SECTION("a driver that does not exist") {
        ScopedEnv driver("SDL_AUDIODRIVER", "no-such-driver");
        auto opened = AudioOutput::open();
        REQUIRE(std::holds_alternative<std::string>(opened));
        CHECK_THAT(std::get<std::string>(opened), Catch::Contains("no-such-driver"));
    }
    // SDL audio was shut down again after each failure: a working driver still opens.
    ScopedTempDir dir("kiosk-audio");
    DiskAudio disk(dir.path() / "out.raw");
    AudioOutput output = open_or_fail();
    CHECK(output.driver() == "disk");
    CHECK(SDL_WasInit(SDL_INIT_AUDIO) != 0);
}

TEST_CASE("closing the output stops SDL audio") {
    ScopedTempDir dir("kiosk-audio");
    DiskAudio disk(dir.path() / "out.raw");
    { AudioOutput output = open_or_fail(); }
    CHECK(SDL_WasInit(SDL_INIT_AUDIO) == 0);
}
