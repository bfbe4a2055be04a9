// ReadAloud with a sink that records: what reaches the loudspeaker, in which order, and when
// nothing may. A WorkerProbe holds the worker at the point a test is about (in the middle of
// espeak-ng, or with the speech made but not yet played), so that no test depends on how fast
// espeak-ng runs on a machine that may be busy.

#include "speech/read_aloud.hpp"

#include "speech_test_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

using kiosk::speech::ReadAloud;
using kiosk::speech::WorkerStep;
using kiosk::testing::RecordingSink;
using kiosk::testing::WorkerProbe;
using Outcome = kiosk::testing::WorkerProbe::Outcome;

namespace {

// About forty seconds of speech: many chunks, so a hold at its first chunk is in the middle of
// espeak-ng's work.
std::string long_text() {
    std::string text;
    for (int i = 0; i < 10; ++i) {
        text += "Please tell us about the care you received on the ward today. ";
    }
    return text;
}

using Texts = std::vector<std::string>;

} // namespace

TEST_CASE("of three quick requests, the last is the one heard") {
    // A patient tapping through. The first request is replaced while espeak-ng is still making
    // it; the second once its speech has been made but before it is played.
    const std::string first = long_text();
    const std::string second = kiosk::testing::shipped_string("cy", "welcome.body");
    RecordingSink sink;
    WorkerProbe probe;
    probe.hold_at(WorkerStep::chunk_synthesised, first);
    probe.hold_at(WorkerStep::synthesised, second);
    ReadAloud reader(sink, {}, probe.hooks());
    REQUIRE(reader.available_for("en"));
    REQUIRE(reader.available_for("cy"));

    reader.say(first, "en");
    REQUIRE(probe.wait_until_held(first));
    CHECK(reader.busy());
    reader.say(second, "cy");
    REQUIRE(probe.wait_until_held(second));
    CHECK(probe.outcome(first) == Outcome::cancelled);
    CHECK(reader.busy());
    reader.say("Yes.", "en");
    REQUIRE(probe.wait_until_finished(3));
    CHECK(probe.outcome(second) == Outcome::cancelled);
    CHECK(probe.finished() == Texts{first, second, "Yes."});
    CHECK(probe.chunks_after_cancel(first) <= 1); // espeak-ng stopped when it was replaced

    // Each say() silences the sink first; only the last request reaches it.
    const auto events = sink.events();
    REQUIRE(events.size() == 4);
    CHECK_FALSE(events[0].is_play);
    CHECK_FALSE(events[1].is_play);
    CHECK_FALSE(events[2].is_play);
    REQUIRE(events[3].is_play);
    const auto& heard = events[3].speech;
    INFO("the speech played lasts " << heard.seconds() << " s");
    CHECK(heard.seconds() < 2.0); // "Yes.", not the Welsh sentence made before it
    CHECK(kiosk::testing::sounding_seconds(heard) > 0.2);

    CHECK(reader.busy()); // until the sink has played it
    sink.finish_playing();
    CHECK_FALSE(reader.busy());
    CHECK_FALSE(reader.last_error());
}

TEST_CASE("stop() silences speech at once and drops speech not yet played") {
    RecordingSink sink;
    WorkerProbe probe;
    ReadAloud reader(sink, {}, probe.hooks());

    SECTION("while playing") {
        reader.say("Thank you for telling us.", "en");
        REQUIRE(probe.wait_until_finished(1));
        REQUIRE(sink.plays().size() == 1);
        CHECK(sink.playing());
        CHECK(reader.busy());
        reader.stop();
        CHECK_FALSE(sink.playing());
        CHECK_FALSE(reader.busy());
        CHECK_FALSE(sink.events().back().is_play);
        CHECK(sink.plays().size() == 1);
    }
    SECTION("while still being synthesised") {
        const std::string text = long_text();
        probe.hold_at(WorkerStep::chunk_synthesised, text);
        reader.say(text, "en");
        REQUIRE(probe.wait_until_held(text)); // in the middle of espeak-ng
        CHECK(reader.busy());
        reader.stop();
        CHECK_FALSE(reader.busy());
        REQUIRE(probe.wait_until_finished(1)); // nothing can come later than this
        CHECK(probe.outcome(text) == Outcome::cancelled);
        CHECK(probe.chunks_after_cancel(text) <= 1);
        CHECK(sink.plays().empty());
        CHECK_FALSE(reader.busy());
    }
    SECTION("once synthesised, before it is played") {
        const std::string text = "How was your visit today?";
        probe.hold_at(WorkerStep::synthesised, text);
        reader.say(text, "en");
        REQUIRE(probe.wait_until_held(text)); // the speech is made, not yet played
        CHECK(reader.busy());
        reader.stop();
        CHECK_FALSE(reader.busy());
        REQUIRE(probe.wait_until_finished(1));
        CHECK(probe.outcome(text) == Outcome::cancelled);
        CHECK(sink.plays().empty());
        CHECK_FALSE(reader.busy());
    }
    CHECK_FALSE(reader.last_error());
}

TEST_CASE("a language without a voice is not offered, and asking anyway says why") {
    RecordingSink sink;
    WorkerProbe probe;
    ReadAloud reader(sink, {}, probe.hooks());
    CHECK(reader.available_for("en"));
    CHECK(reader.available_for("ar"));
    CHECK(reader.available_for("pa-Guru"));
    CHECK(reader.available_for("zh-Hans"));
    CHECK_FALSE(reader.available_for("so"));
    CHECK_FALSE(reader.available_for("pa-Arab"));
    CHECK_FALSE(reader.available_for(""));

    const auto before = std::chrono::system_clock::now();
    reader.say("Noo sheeg sidii booqashadaadu ahayd", "so");
    CHECK_FALSE(reader.busy());
    const auto error = reader.last_error();
    REQUIRE(error);
    CHECK_THAT(error->message, Catch::Contains("\"so\""));
    CHECK(error->when >= before);

    // The worker takes requests in order: once it is done with the next one, the Somali one
    // would have been played had it reached the worker at all.
    reader.say("Thank you.", "en");
    REQUIRE(probe.wait_until_finished(1));
    CHECK(probe.finished() == Texts{"Thank you."});
    CHECK(sink.plays().size() == 1);
}

TEST_CASE("a sink that cannot play has its reason recorded") {
    RecordingSink sink;
    sink.fail_with("the loudspeaker is unplugged");
    WorkerProbe probe;
    ReadAloud reader(sink, {}, probe.hooks());
    reader.say("Thank you.", "en");
    REQUIRE(probe.wait_until_finished(1));
    REQUIRE(reader.last_error());
    CHECK_THAT(reader.last_error()->message, Catch::Contains("the loudspeaker is unplugged"));
    CHECK_FALSE(reader.busy());
}

TEST_CASE("without espeak-ng, nothing is offered and the reason is kept") {
    RecordingSink sink;
    ReadAloud reader(sink, {.data_path = "/nonexistent/espeak-ng-data"});
    CHECK_FALSE(reader.available_for("en"));
    const auto error = reader.last_error();
    REQUIRE(error);
    CHECK_THAT(error->message, Catch::Contains("/nonexistent/espeak-ng-data"));
    reader.say("Hello", "en"); // harmless
    CHECK_FALSE(reader.busy());
    CHECK(sink.events().empty());
}

TEST_CASE("only one ReadAloud has espeak-ng: a second says so and offers nothing") {
    RecordingSink sink;
    ReadAloud first(sink);
    ReadAloud second(sink);
    CHECK(first.available_for("en"));
    CHECK_FALSE(second.available_for("en"));
    REQUIRE(second.last_error());
    CHECK_THAT(second.last_error()->message, Catch::Contains("already in use"));
}

TEST_CASE("destroying a ReadAloud mid-synthesis stops promptly and plays nothing later") {
    RecordingSink sink;
    WorkerProbe probe; // outlives the ReadAloud, whose worker calls it
    const std::string text = long_text();
    probe.hold_at(WorkerStep::chunk_synthesised, text);
    {
        ReadAloud reader(sink, {}, probe.hooks());
        reader.say(text, "en");
        REQUIRE(probe.wait_until_held(text)); // in the middle of espeak-ng
    }
    // The worker was held until its request was cancelled: a destructor that waited for the
    // synthesis instead would have left it held until the probe gave up (timed_out).
    CHECK(probe.outcome(text) == Outcome::cancelled);
    CHECK(probe.chunks_after_cancel(text) <= 1); // and espeak-ng stopped there
    CHECK(probe.finished() == Texts{text});      // the worker was done before the join returned
    const auto events = sink.events();
    CHECK(sink.plays().empty());
    CHECK((events.empty() || !events.back().is_play));
}
