// The patient's way through a questionnaire, without screens: navigation, required answers,
// enableWhen, timers and submitting once.

#include "model/questionnaire_loader.hpp"
#include "model/response_builder.hpp"
#include "model/session.hpp"
#include "model/uuid.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <set>

using namespace kiosk::model;
using namespace std::chrono_literals;

namespace {

const char* const kQuestionnaire = R"({
  "resourceType": "Questionnaire", "url": "urn:test:q", "version": "2", "status": "active",
  "item": [
    {"linkId": "intro", "type": "display", "text": "Hello"},
    {"linkId": "rating", "type": "choice", "required": true, "text": "How was it?",
     "answerOption": [{"valueCoding": {"system": "urn:s", "code": "good", "display": "Good"}},
                      {"valueCoding": {"system": "urn:s", "code": "bad", "display": "Bad"}}]},
    {"linkId": "why-bad", "type": "text", "text": "What went wrong?", "maxLength": 5,
     "enableWhen": [{"question": "rating", "operator": "=",
                     "answerCoding": {"system": "urn:s", "code": "bad"}}]},
    {"linkId": "extras", "type": "group", "text": "Extras", "item": [
      {"linkId": "topics", "type": "choice", "repeats": true, "text": "Which?",
       "answerOption": [{"valueCoding": {"code": "a", "display": "A"}},
                        {"valueCoding": {"code": "b", "display": "B"}},
                        {"valueCoding": {"code": "c", "display": "C"}}]},
      {"linkId": "score", "type": "integer", "text": "Score?",
       "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
                     {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 3}]}
    ]},
    {"linkId": "again", "type": "boolean", "text": "Again?"}
  ]
})";

Questionnaire load() {
    auto loaded = parse_questionnaire(kQuestionnaire, "session-test.json");
    for (const auto& problem : loaded.problems) {
        FAIL(problem.to_string());
    }
    return *loaded.questionnaire;
}

const MonotonicTime t0 = MonotonicTime{} + 1000h;

SessionTimings timings() {
    return {90s, 30s, 10s};
}

std::string current_link(const Session& session) {
    return session.current_item()->link_id;
}

} // namespace

TEST_CASE("a session starts on the welcome screen and Start shows the first item") {
    auto questionnaire = load();
    Session session(questionnaire, timings(), "en");
    CHECK(session.screen() == Screen::welcome);
    CHECK_FALSE(session.next_timer(t0).has_value()); // nothing timed while nobody is there
    session.apply(action::Start{}, t0);
    CHECK(session.screen() == Screen::question);
    CHECK(current_link(session) == "intro");
    CHECK(session.position() == 1);
    CHECK(session.total() == 5); // why-bad is not enabled yet
}

TEST_CASE("a required question cannot be skipped") {
    auto questionnaire = load();
    Session session(questionnaire, timings(), "en");
    session.apply(action::Start{}, t0);
    session.apply(action::Next{}, t0);
    REQUIRE(current_link(session) == "rating");
    session.apply(action::Next{}, t0);
    CHECK(current_link(session) == "rating");
    CHECK(session.needs_answer_hint());
    session.apply(action::ChooseOption{0}, t0); // a single choice moves on by itself
    CHECK(current_link(session) == "topics");
    CHECK_FALSE(session.needs_answer_hint());
}

TEST_CASE("enableWhen decides which questions are shown and answered") {
    auto questionnaire = load();
    Session session(questionnaire, timings(), "en");
    session.apply(action::Start{}, t0);
    session.apply(action::Next{}, t0);
    session.apply(action::ChooseOption{1}, t0); // Bad
    REQUIRE(current_link(session) == "why-bad");
    CHECK(session.total() == 6);
    session.apply(action::TypeText{"Late"}, t0);
    session.apply(action::Back{}, t0);
    REQUIRE(current_link(session) == "rating");
    session.apply(action::ChooseOption{0}, t0); // Good: why-bad is skipped
    CHECK(current_link(session) == "topics");
    // The typed answer is still held (Back would restore it) but it is not submitted.
    CHECK(session.answers().count("why-bad") == 1);
    CHECK(session.submitted_answers().count("why-bad") == 0);
    CHECK(session.submitted_answers().count("rating") == 1);
}

TEST_CASE("multi-select toggles and text obeys maxLength and deletes whole characters") {
    auto questionnaire = load();
    Session session(questionnaire, timings(), "en");
    session.apply(action::Start{}, t0);
    session.apply(action::Next{}, t0);
    session.apply(action::ChooseOption{1}, t0);
    session.apply(action::TypeText{"ab"}, t0);
    session.apply(action::TypeText{"\xC3\xA9"}, t0); // é: two bytes, one character
    session.apply(action::TypeText{"cd"}, t0);
    session.apply(action::TypeText{"e"}, t0); // sixth character: refused (maxLength 5)
    CHECK(std::get<std::string>(session.current_answers().at(0)) == "ab\xC3\xA9"
                                                                    "cd");
    session.apply(action::DeleteCharacter{}, t0);
    session.apply(action::DeleteCharacter{}, t0);
    session.apply(action::DeleteCharacter{}, t0);
    CHECK(std::get<std::string>(session.current_answers().at(0)) == "ab");
    session.apply(action::DeleteCharacter{}, t0);
    session.apply(action::DeleteCharacter{}, t0);
    CHECK(session.current_answers().empty()); // an emptied box is no answer

    session.apply(action::Next{}, t0);
    REQUIRE(current_link(session) == "topics");
    session.apply(action::ChooseOption{0}, t0);
    session.apply(action::ChooseOption{2}, t0);
    CHECK(current_link(session) == "topics"); // multi-select does not move on by itself
    CHECK(session.current_answers().size() == 2);
    session.apply(action::ChooseOption{0}, t0);
    REQUIRE(session.current_answers().size() == 1);
    CHECK(std::get<Coding>(session.current_answers().at(0)).code == "c");
}

TEST_CASE("Submit makes one response however often it is tapped") {
    auto questionnaire = load();
    Session session(questionnaire, timings(), "en");
    session.apply(action::Start{}, t0);
    session.apply(action::Next{}, t0);
    session.apply(action::ChooseOption{0}, t0);
    session.apply(action::Next{}, t0);           // topics (optional)
    session.apply(action::ChooseInteger{7}, t0); // out of range: ignored
    CHECK(current_link(session) == "score");
    session.apply(action::ChooseInteger{2}, t0);
    REQUIRE(current_link(session) == "again");
    CHECK(session.is_last());
    session.apply(action::ChooseBoolean{true}, t0); // the last question does not submit by itself
    CHECK(session.screen() == Screen::question);
    CHECK(session.apply(action::Submit{}, t0) == Effect::save_response);
    CHECK(session.screen() == Screen::saving);
    CHECK(session.apply(action::Submit{}, t0) == Effect::none);
    CHECK(session.apply(action::Next{}, t0) == Effect::none);
    auto answers = session.submitted_answers();
    CHECK(answers.size() == 3);
    session.saved(t0);
    CHECK(session.screen() == Screen::thank_you);
    CHECK(session.answers().empty()); // nothing of the patient stays once it is saved
    CHECK(session.apply(action::Submit{}, t0) == Effect::none);
    session.tick(t0 + 9s);
    CHECK(session.screen() == Screen::thank_you);
    session.tick(t0 + 10s);
    CHECK(session.screen() == Screen::welcome);
}

TEST_CASE("a failed save keeps the answers for another try") {
    auto questionnaire = load();
    Session session(questionnaire, timings(), "en");
    session.apply(action::Start{}, t0);
    session.apply(action::Next{}, t0);
    session.apply(action::ChooseOption{0}, t0);
    session.apply(action::Next{}, t0);
    session.apply(action::Next{}, t0);
    REQUIRE(session.apply(action::Submit{}, t0) == Effect::save_response);
    session.save_failed("disk full", t0);
    CHECK(session.screen() == Screen::could_not_save);
    CHECK(session.save_problem() == "disk full");
    CHECK(session.submitted_answers().count("rating") == 1);
    CHECK(session.apply(action::TryAgain{}, t0) == Effect::save_response);
    session.saved(t0);
    CHECK(session.screen() == Screen::thank_you);
}

TEST_CASE("after the idle time a warning counts down, then the answers are discarded") {
    auto questionnaire = load();
    Session session(questionnaire, timings(), "en");
    session.apply(action::Start{}, t0);
    session.apply(action::Next{}, t0);
    session.apply(action::ChooseOption{1}, t0 + 5s);
    REQUIRE(session.next_timer(t0 + 5s) == t0 + 95s);
    session.tick(t0 + 94s);
    CHECK(session.screen() == Screen::question);
    session.tick(t0 + 95s);
    CHECK(session.screen() == Screen::still_there);
    CHECK(session.seconds_left() == 30);
    CHECK(session.next_timer(t0 + 95s) == t0 + 96s); // wakes each second for the countdown
    session.tick(t0 + 110s + 500ms);
    CHECK(session.seconds_left() == 15);
    CHECK(session.next_timer(t0 + 110s + 500ms) == t0 + 111s);
    session.tick(t0 + 125s);
    CHECK(session.screen() == Screen::welcome);
    CHECK(session.answers().empty());
    session.apply(action::Start{}, t0 + 126s);
    session.apply(action::Next{}, t0 + 126s);
    CHECK(session.current_answers().empty());
}

TEST_CASE("Continue on the warning keeps the answers and restarts the idle time") {
    auto questionnaire = load();
    Session session(questionnaire, timings(), "en");
    session.apply(action::Start{}, t0);
    session.apply(action::Next{}, t0);
    session.apply(action::ChooseOption{1}, t0);
    session.apply(action::TypeText{"Late"}, t0);
    session.tick(t0 + 100s);
    REQUIRE(session.screen() == Screen::still_there);
    session.apply(action::Touch{}, t0 + 101s); // a touch beside the button is not an answer
    CHECK(session.screen() == Screen::still_there);
    session.apply(action::Continue{}, t0 + 101s);
    CHECK(session.screen() == Screen::question);
    CHECK(current_link(session) == "why-bad");
    CHECK(std::get<std::string>(session.current_answers().at(0)) == "Late");
    CHECK(session.next_timer(t0 + 101s) == t0 + 191s);
}

TEST_CASE("a clock that jumps far ahead resets at once rather than waiting") {
    auto questionnaire = load();
    Session session(questionnaire, timings(), "en");
    session.apply(action::Start{}, t0);
    session.tick(t0 + 24h);
    CHECK(session.screen() == Screen::welcome);
}

TEST_CASE("Back from the first question and Start again both ask before clearing") {
    auto questionnaire = load();
    Session session(questionnaire, timings(), "en");
    session.apply(action::Start{}, t0);
    session.apply(action::Back{}, t0);
    CHECK(session.screen() == Screen::start_over);
    session.apply(action::CancelStartOver{}, t0);
    CHECK(session.screen() == Screen::question);
    session.apply(action::Next{}, t0);
    session.apply(action::ChooseOption{0}, t0);
    session.apply(action::StartOver{}, t0);
    CHECK(session.screen() == Screen::start_over);
    session.apply(action::ConfirmStartOver{}, t0);
    CHECK(session.screen() == Screen::welcome);
    CHECK(session.answers().empty());
}

TEST_CASE("the QuestionnaireResponse carries typed answers and nothing about the patient") {
    auto questionnaire = load();
    Session session(questionnaire, timings(), "cy");
    session.apply(action::Start{}, t0);
    session.apply(action::Next{}, t0);
    session.apply(action::ChooseOption{1}, t0);
    session.apply(action::TypeText{"Late"}, t0);
    session.apply(action::Next{}, t0);
    session.apply(action::ChooseOption{1}, t0);
    session.apply(action::Next{}, t0);
    session.apply(action::ChooseInteger{3}, t0);
    session.apply(action::ChooseBoolean{false}, t0);

    UuidGenerator uuids;
    ResponseContext context{
        uuids.next_urn(),   std::chrono::system_clock::time_point{} + 1'764'150'000s,
        session.language(), "kiosk-7",
        "Main Hospital",    "Oncology"};
    auto json = build_questionnaire_response(questionnaire, session.submitted_answers(),
                                             session.rules(), context);
    CHECK(json["resourceType"] == "QuestionnaireResponse");
    CHECK(json["status"] == "completed");
    CHECK(json["questionnaire"] == "urn:test:q|2");
    CHECK(json["language"] == "cy");
    CHECK(json["authored"] == "2025-11-26T09:40:00Z");
    CHECK(json["identifier"]["system"] == "urn:ietf:rfc:3986");
    CHECK(std::regex_match(
        json["identifier"]["value"].get<std::string>(),
        std::regex("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                   "[0-9a-f]{12}")));
    CHECK(json["extension"][0]["valueString"] == "kiosk-7");
    CHECK(json["extension"][1]["valueString"] == "Main Hospital");
    CHECK(json["extension"][2]["valueString"] == "Oncology");
    const auto& items = json["item"];
    REQUIRE(items.size() == 4);
    CHECK(items[0]["linkId"] == "rating");
    CHECK(items[0]["answer"][0]["valueCoding"]["code"] == "bad");
    CHECK(items[0]["answer"][0]["valueCoding"]["system"] == "urn:s");
    CHECK(items[1]["linkId"] == "why-bad");
    CHECK(items[1]["answer"][0]["valueString"] == "Late");
    CHECK(items[2]["linkId"] == "extras"); // the group, with its answered children
    CHECK(items[2]["item"][0]["answer"][0]["valueCoding"]["code"] == "b");
    CHECK(items[2]["item"][1]["answer"][0]["valueInteger"] == 3);
    CHECK(items[3]["answer"][0]["valueBoolean"] == false);
    for (const char* forbidden : {"subject", "source", "encounter", "author", "contained"}) {
        CHECK_FALSE(json.contains(forbidden));
    }
}

TEST_CASE("response identifiers are random version 4 UUIDs") {
    UuidGenerator uuids;
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        seen.insert(uuids.next_urn());
    }
    CHECK(seen.size() == 1000);
}

TEST_CASE("a patient's language and display choices last until their session ends") {
    auto q = load();
    Session session(q, timings(), "en");
    session.apply(action::ShowLanguages{}, t0);
    CHECK(session.screen() == Screen::choose_language);
    session.apply(action::ChooseLanguage{"cy"}, t0);
    CHECK(session.screen() == Screen::welcome);
    CHECK(session.language() == "cy");
    CHECK(session.device_language() == "en");
    session.apply(action::ToggleLargeText{}, t0);
    session.apply(action::ToggleHighContrast{}, t0);
    session.apply(action::Start{}, t0);
    session.apply(action::Next{}, t0); // past the display item
    session.apply(action::ChooseOption{0}, t0);
    CHECK(session.language() == "cy");
    CHECK(session.large_text());
    CHECK(session.high_contrast());

    SECTION("starting again keeps them: it is the same patient") {
        session.apply(action::StartOver{}, t0);
        session.apply(action::ConfirmStartOver{}, t0);
        CHECK(session.screen() == Screen::welcome);
        CHECK(session.answers().empty());
        CHECK(session.language() == "cy");
        CHECK(session.large_text());
    }
    SECTION("the idle reset forgets them") {
        session.tick(t0 + 90s);
        CHECK(session.screen() == Screen::still_there);
        session.tick(t0 + 120s);
        CHECK(session.screen() == Screen::welcome);
        CHECK(session.language() == "en");
        CHECK_FALSE(session.large_text());
        CHECK_FALSE(session.high_contrast());
    }
    SECTION("the end of the thank-you screen forgets them") {
        session.apply(action::Next{}, t0); // topics to score
        session.apply(action::Next{}, t0); // score to again
        REQUIRE(current_link(session) == "again");
        session.apply(action::ChooseBoolean{true}, t0);
        REQUIRE(session.apply(action::Submit{}, t0) == Effect::save_response);
        session.saved(t0);
        CHECK(session.language() == "cy"); // the thank-you is read in their language
        session.tick(t0 + 10s);
        CHECK(session.screen() == Screen::welcome);
        CHECK(session.language() == "en");
        CHECK_FALSE(session.large_text());
    }
    SECTION("a staff reset forgets them") {
        session.reset();
        CHECK(session.language() == "en");
        CHECK_FALSE(session.high_contrast());
    }
}

TEST_CASE("a language chosen by someone who walks away is forgotten after the idle time") {
    auto q = load();
    Session session(q, timings(), "en");
    CHECK_FALSE(session.next_timer(t0).has_value()); // nothing to time on a plain welcome
    session.apply(action::ShowLanguages{}, t0);
    REQUIRE(session.next_timer(t0) == t0 + 90s);
    session.apply(action::ChooseLanguage{"ar"}, t0 + 5s);
    REQUIRE(session.next_timer(t0 + 5s) == t0 + 95s);
    session.tick(t0 + 94s);
    CHECK(session.language() == "ar");
    session.tick(t0 + 95s);
    CHECK(session.language() == "en");
    CHECK(session.screen() == Screen::welcome);
    CHECK_FALSE(session.next_timer(t0 + 95s).has_value());

    SECTION("an open list of languages closes too") {
        session.apply(action::ShowLanguages{}, t0 + 100s);
        session.tick(t0 + 190s);
        CHECK(session.screen() == Screen::welcome);
    }
}

TEST_CASE("language choices are only taken where the screens offer them") {
    auto q = load();
    Session session(q, timings(), "en");
    session.apply(action::ChooseLanguage{"pl"}, t0); // a few languages are on welcome itself
    CHECK(session.language() == "pl");
    session.apply(action::ChooseLanguage{""}, t0);
    CHECK(session.language() == "pl");
    session.apply(action::ShowLanguages{}, t0);
    session.apply(action::CloseLanguages{}, t0);
    CHECK(session.screen() == Screen::welcome);
    CHECK(session.language() == "pl");
    session.apply(action::Start{}, t0);
    session.apply(action::ShowLanguages{}, t0); // not from a question
    CHECK(session.screen() == Screen::question);
    session.apply(action::ChooseLanguage{"cy"}, t0); // nor does a question change language
    CHECK(session.language() == "pl");
    session.apply(action::ReadAloud{}, t0 + 80s); // reading aloud is someone being there
    session.tick(t0 + 91s);
    CHECK(session.screen() == Screen::question);
}
