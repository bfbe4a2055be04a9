// The real screens, driven headless: SDL's dummy video driver, the software renderer, a
// simulated clock and taps on what is drawn. Every script run also checks that each screen
// fits without scrolling and that every target is at least 15 mm.

#include "app/headless_script.hpp"
#include "app/kiosk_app.hpp"
#include "kiosk_rig.hpp"
#include "model/response_builder.hpp"
#include "outbox/outbox.hpp"
#include "outbox/schema.hpp"
#include "outbox/sqlite_handle.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>

using namespace kiosk;
using nlohmann::json;

namespace {

using test::CapturedLog;
using test::questionnaire_path;
using test::TempDir;

struct Kiosk {
    TempDir dir;
    CapturedLog log;
    std::unique_ptr<app::KioskApp> app;

    explicit Kiosk(const std::string& active, const std::string& extra_display = "") {
        auto settings = dir.path() / "kiosk.toml";
        std::ofstream out(settings);
        out << "[device]\nid = \"ward-7-kiosk\"\nsite = \"Main Hospital\"\n"
            << "service = \"Oncology outpatients\"\n"
            << "[questionnaires]\nfiles = [\"" << questionnaire_path("friends-and-family-test")
            << "\", \"" << questionnaire_path("cancer-outpatients") << "\", \""
            << questionnaire_path("children") << "\"]\nactive = \"" << active << "\"\n"
            << "[storage]\ndata_dir = \"data\"\n"
            << "[session]\nidle_timeout_seconds = 60\nidle_warning_seconds = 20\n"
            << "thank_you_seconds = 5\n"
            << "[display]\nfullscreen = false\n"
            << (extra_display.empty() ? "width = 1280\nheight = 800\n" : extra_display)
            << "dpi = 150\n"
            << "[delivery]\nendpoint = \"https://127.0.0.1:9/fhir\"\n";
        out.close();
        app::AppOptions options;
        options.settings_file = settings;
        options.headless = true;
        options.default_assets_dir = std::string(KIOSK_SOURCE_DIR) + "/assets";
        app = app::KioskApp::start(options, log.log());
        REQUIRE(app != nullptr);
    }

    app::ScriptOutcome run(const std::string& script,
                           const std::filesystem::path& screenshots = {}) {
        return test::run_script(*app, script, screenshots);
    }

    std::vector<json> stored() {
        std::vector<json> out;
        auto listed = app->outbox()->list(std::nullopt, 100);
        REQUIRE_FALSE(listed.error.has_value());
        for (const auto& row : listed.responses) {
            out.push_back(json::parse(row.payload));
        }
        return out;
    }
};

const json* find_item(const json& items, const std::string& link_id) {
    for (const auto& item : items) {
        if (item.value("linkId", "") == link_id) {
            return &item;
        }
        if (item.contains("item")) {
            if (const json* inner = find_item(item["item"], link_id)) {
                return inner;
            }
        }
    }
    return nullptr;
}

std::vector<std::string> link_ids(const json& items) {
    std::vector<std::string> out;
    for (const auto& item : items) {
        if (item.contains("answer")) {
            out.push_back(item["linkId"]);
        }
        if (item.contains("item")) {
            auto inner = link_ids(item["item"]);
            out.insert(out.end(), inner.begin(), inner.end());
        }
    }
    return out;
}

// A headless kiosk on the Friends and Family Test whose data folder is dir/data, with whatever
// the test put there first.
std::unique_ptr<app::KioskApp> start_on_data_folder(TempDir& dir, CapturedLog& log) {
    auto settings = dir.path() / "kiosk.toml";
    std::ofstream(settings) << "[device]\nid = \"x\"\nsite = \"s\"\nservice = \"s\"\n"
                            << "[questionnaires]\nfiles = [\""
                            << questionnaire_path("friends-and-family-test") << "\"]\n"
                            << "[storage]\ndata_dir = \"data\"\n"
                            << "[display]\nfullscreen = false\n"
                            << "[delivery]\nendpoint = \"https://127.0.0.1:9/\"\n";
    app::AppOptions options;
    options.settings_file = settings;
    options.headless = true;
    return app::KioskApp::start(options, log.log());
}

} // namespace

TEST_CASE("a patient completes the Friends and Family Test and the response is stored") {
    Kiosk kiosk("friends-and-family-test");
    auto before = std::chrono::system_clock::now();
    auto outcome = kiosk.run(R"(
expect screen welcome
expect text "anonymous"
tap "Start"
expect screen question
expect text "Overall, how was your experience of our service?"
expect text "Neither good nor poor"
expect text "Don't know"
tap "Good"
expect text "Please can you tell us why you gave your answer?"
type "Kind staff, short wait."
tap "Next"
expect text "What could we have done better?"
tap "Submit"
expect screen thank-you
expect stored 1
)");
    REQUIRE(outcome.passed);
    auto stored = kiosk.stored();
    REQUIRE(stored.size() == 1);
    const json& response = stored[0];
    CHECK(response["resourceType"] == "QuestionnaireResponse");
    CHECK(response["status"] == "completed");
    CHECK(response["questionnaire"] ==
          "urn:ward-feedback-kiosk:questionnaire:friends-and-family-test|1.0.0");
    CHECK(response["language"] == "en");
    CHECK(response["identifier"]["system"] == "urn:ietf:rfc:3986");
    CHECK(std::regex_match(
        response["identifier"]["value"].get<std::string>(),
        std::regex("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                   "[0-9a-f]{12}")));
    auto authored = response["authored"].get<std::string>();
    CHECK(std::regex_match(authored, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
    CHECK(authored >= kiosk::model::format_utc(before - std::chrono::seconds(1)));
    CHECK(response["extension"][0]["url"] == "urn:ward-feedback-kiosk:fhir:device");
    CHECK(response["extension"][0]["valueString"] == "ward-7-kiosk");
    CHECK(response["extension"][1]["valueString"] == "Main Hospital");
    CHECK(response["extension"][2]["valueString"] == "Oncology outpatients");
    CHECK(link_ids(response["item"]) == std::vector<std::string>{"fft-rating", "fft-why"});
    const json* rating = find_item(response["item"], "fft-rating");
    REQUIRE(rating != nullptr);
    CHECK(rating->at("answer")[0]["valueCoding"]["display"] == "Good");
    CHECK(rating->at("answer")[0]["valueCoding"]["code"] == "2");
    const json* why = find_item(response["item"], "fft-why");
    REQUIRE(why != nullptr);
    CHECK(why->at("answer")[0]["valueString"] == "Kind staff, short wait.");
    CHECK_FALSE(response.contains("subject"));
    CHECK_FALSE(response.contains("author"));
    auto rows = kiosk.app->outbox()->list(std::nullopt, 10);
    CHECK(rows.responses.at(0).identifier == response["identifier"]["value"]);
    CHECK(rows.responses.at(0).state == outbox::ResponseState::queued);
}

TEST_CASE("the cancer questionnaire follows its enableWhen branches") {
    SECTION("a named nurse and a low score ask the follow-up questions") {
        Kiosk kiosk("cancer-outpatients");
        REQUIRE(kiosk
                    .run(R"(
tap "Start"
tap "Yes, to some extent"
tap "No, I was not given any"
tap "Yes"
expect text "How easy has it been to contact your clinical nurse specialist?"
tap "Quite difficult"
tap "More than 1 hour"
tap "Fair"
tap "Good"
tap "Yes"
expect text "How easy was it to park?"
tap "Very difficult"
tap "4"
expect text "What could we have done to make your care better?"
type "Parking"
tap "Next"
tap "Submit"
expect screen thank-you
)")
                    .passed);
        auto response = kiosk.stored().at(0);
        CHECK(link_ids(response["item"]) ==
              std::vector<std::string>{"told-sensitively", "written-information",
                                       "nurse-specialist-named", "nurse-specialist-contact",
                                       "waiting-time", "waiting-area", "food-and-drink", "parked",
                                       "parking", "overall-care", "care-better"});
        CHECK(find_item(response["item"], "overall-care")->at("answer")[0]["valueInteger"] == 4);
        CHECK(find_item(response["item"], "nurse-specialist-named")
                  ->at("answer")[0]["valueBoolean"] == true);
        CHECK(find_item(response["item"], "care-better")->at("answer")[0]["valueString"] ==
              "Parking");
    }
    SECTION("no nurse, no parking and a high score skip them") {
        Kiosk kiosk("cancer-outpatients");
        REQUIRE(kiosk
                    .run(R"(
tap "Start"
tap "Yes, completely"
tap "Yes, and it was easy to understand"
tap "No"
expect text "How long after your appointment time did you wait to be seen?"
tap "I was seen on time or early"
tap "Very good"
tap "I did not use it"
tap "No"
expect text "Overall, how would you rate your care today"
tap "9"
expect text "Is there anything else you would like to tell us?"
expect no text "What could we have done to make your care better?"
tap "Submit"
expect screen thank-you
)")
                    .passed);
        auto response = kiosk.stored().at(0);
        CHECK(find_item(response["item"], "nurse-specialist-contact") == nullptr);
        CHECK(find_item(response["item"], "parking") == nullptr);
        CHECK(find_item(response["item"], "care-better") == nullptr);
        CHECK(find_item(response["item"], "overall-care")->at("answer")[0]["valueInteger"] == 9);
    }
}

TEST_CASE("Back lets a patient change an answer, and answers that no longer apply are dropped") {
    Kiosk kiosk("cancer-outpatients");
    REQUIRE(kiosk
                .run(R"(
tap "Start"
tap "Yes, completely"
tap "Yes, and it was easy to understand"
tap "Yes"
tap "Very easy"
expect text "How long after your appointment time"
tap "Back"
expect text "How easy has it been to contact your clinical nurse specialist?"
tap "Back"
expect text "Were you given the name of a clinical nurse specialist"
tap "No"
expect text "How long after your appointment time"
tap "Back"
tap "Back"
expect text "Were you given written information"
tap "No, I was not given any"
tap "No"
tap "Up to 15 minutes"
tap "Good"
tap "Good"
tap "No"
tap "10"
tap "Submit"
expect screen thank-you
)")
                .passed);
    auto response = kiosk.stored().at(0);
    CHECK(find_item(response["item"], "nurse-specialist-contact") == nullptr);
    CHECK(find_item(response["item"], "nurse-specialist-named")->at("answer")[0]["valueBoolean"] ==
          false);
    CHECK(find_item(response["item"], "written-information")
              ->at("answer")[0]["valueCoding"]["display"] == "No, I was not given any");
}

TEST_CASE("the children's questionnaire is drawn with faces") {
    Kiosk kiosk("children");
    REQUIRE(kiosk
                .run(R"(
tap "Start"
expect text "How did you feel about coming here today?"
expect text "Really good"
expect text "Really bad"
tap "Really good"
tap "OK"
tap "Bad"
tap "Yes"
tap "Submit"
expect screen thank-you
)")
                .passed);
    auto response = kiosk.stored().at(0);
    CHECK(find_item(response["item"], "feeling")->at("answer")[0]["valueCoding"]["display"] ==
          "Really good");
    CHECK(find_item(response["item"], "waiting-area")->at("answer")[0]["valueCoding"]["display"] ==
          "Bad");
    CHECK(find_item(response["item"], "enough-to-do")->at("answer")[0]["valueBoolean"] == true);
}

TEST_CASE("a required question cannot be skipped") {
    Kiosk kiosk("friends-and-family-test");
    REQUIRE(kiosk
                .run(R"(
tap "Start"
expect no text "Please choose an answer"
tap "Next"
expect text "Overall, how was your experience of our service?"
expect text "Please choose an answer to go on."
tap "Very poor"
expect text "Please can you tell us why you gave your answer?"
)")
                .passed);
}

TEST_CASE("an idle kiosk warns, then discards the answers and the typed text") {
    Kiosk kiosk("friends-and-family-test");
    REQUIRE(kiosk
                .run(R"(
tap "Start"
tap "Poor"
type "My private words"
expect text "My private words"
wait 59s
expect screen question
wait 1s
expect screen still-there
expect text "Are you still there?"
expect text "20 seconds left"
wait 15s
expect screen still-there
expect text "5 seconds left"
wait 5s
expect screen welcome
expect no text "My private words"
tap "Start"
expect no text "My private words"
tap "Very good"
expect no text "My private words"
expect stored 0
)")
                .passed);
    CHECK(kiosk.app->session()->answers().size() == 1);
}

TEST_CASE("more_time = 10 gives a patient ten times as long before every timeout") {
    Kiosk kiosk("friends-and-family-test");
    // The Kiosk helper's settings: idle 60 s, warning 20 s, thank-you 5 s; here tenfold.
    auto settings = kiosk.dir.path() / "slow.toml";
    {
        std::ifstream in(kiosk.dir.path() / "kiosk.toml");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto at = text.find("thank_you_seconds = 5\n");
        REQUIRE(at != std::string::npos);
        text.insert(at, "more_time = 10\n");
        std::ofstream(settings) << text;
    }
    app::AppOptions options;
    options.settings_file = settings;
    options.headless = true;
    options.default_assets_dir = std::string(KIOSK_SOURCE_DIR) + "/assets";
    auto slow = app::KioskApp::start(options, kiosk.log.log());
    REQUIRE(slow != nullptr);
    CHECK(test::run_script(*slow, R"(
tap "Start"
tap "Poor"
wait 599s
expect screen question
wait 1s
expect screen still-there
expect text "200 seconds left"
wait 199s
expect screen still-there
wait 1s
expect screen welcome
tap "Start"
tap "Very good"
tap "Next"
tap "Submit"
wait 49s
expect screen thank-you
wait 1s
expect screen welcome
)")
              .passed);
}

TEST_CASE("the wall clock set back or forward stalls no timer, and authored is the time set") {
    // NTP or a person corrects the device's clock mid-session. The idle warning, the reset and
    // the thank-you screen run on the monotonic clock and must not wait for the wall clock;
    // `authored` must be what the clock says when the patient submits, not a time worked out
    // from an earlier reading.
    Kiosk kiosk("friends-and-family-test");
    auto outcome = kiosk.run(R"(
clock "2026-12-02 10:00"
tap "Start"
tap "Good"
clock "2026-12-01 10:00"
wait 61s
expect screen still-there
wait 20s
expect screen welcome
tap "Start"
tap "Good"
tap "Next"
clock "2027-03-01 09:30"
tap "Submit"
expect screen thank-you
clock "2026-11-30 08:00"
wait 6s
expect screen welcome
expect stored 1
)");
    REQUIRE(outcome.passed);
    auto stored = kiosk.stored();
    REQUIRE(stored.size() == 1);
    // The script's clock is local time: compare in UTC.
    std::tm local{};
    local.tm_year = 2027 - 1900;
    local.tm_mon = 2;
    local.tm_mday = 1;
    local.tm_hour = 9;
    local.tm_min = 30;
    local.tm_isdst = -1;
    const auto set = std::chrono::system_clock::from_time_t(std::mktime(&local));
    const auto authored = stored[0]["authored"].get<std::string>();
    CHECK(authored >= kiosk::model::format_utc(set));
    CHECK(authored <= kiosk::model::format_utc(set + std::chrono::seconds(5)));
}

TEST_CASE("Continue on the idle warning keeps the answers") {
    Kiosk kiosk("friends-and-family-test");
    REQUIRE(kiosk
                .run(R"(
tap "Start"
tap "Poor"
type "Still here"
wait 70s
expect screen still-there
tap "Continue"
expect screen question
expect text "Still here"
wait 59s
expect screen question
tap "Next"
tap "Submit"
expect stored 1
)")
                .passed);
    auto response = kiosk.stored().at(0);
    CHECK(find_item(response["item"], "fft-why")->at("answer")[0]["valueString"] == "Still here");
}

TEST_CASE("a second tap where Submit was lands on the thank-you screen and stores nothing more") {
    Kiosk kiosk("friends-and-family-test");
    REQUIRE(kiosk.run("tap \"Start\"\ntap \"Good\"\ntap \"Next\"\n").passed);
    auto submit = kiosk.app->last_frame().targets_labelled("Submit");
    REQUIRE(submit.size() == 1);
    auto centre = submit.front()->centre();
    std::string tap = "tap " + std::to_string(centre.x) + " " + std::to_string(centre.y) + "\n";
    REQUIRE(kiosk.run(tap + tap + "expect screen thank-you\nexpect stored 1\n").passed);
    CHECK(kiosk.stored().size() == 1);
}

TEST_CASE("the thank-you screen returns to welcome by itself with nothing of the patient") {
    Kiosk kiosk("friends-and-family-test");
    REQUIRE(kiosk
                .run(R"(
tap "Start"
tap "Very good"
type "Lovely"
tap "Next"
tap "Submit"
expect screen thank-you
expect no text "Lovely"
wait 4s
expect screen thank-you
wait 1s
expect screen welcome
tap "Start"
tap "Very good"
expect text "Please can you tell us why"
expect no text "Lovely"
)")
                .passed);
}

TEST_CASE("Start again asks, then clears the answers") {
    Kiosk kiosk("friends-and-family-test");
    REQUIRE(kiosk
                .run(R"(
tap "Start"
tap "Good"
type "Draft"
tap "Start again"
expect screen start-over
tap "No, go back"
expect text "Draft"
tap "Start again"
tap "Yes, start again"
expect screen welcome
tap "Start"
tap "Good"
expect no text "Draft"
)")
                .passed);
}

TEST_CASE("broken settings show the out-of-service screen and say why in the log") {
    TempDir dir;
    auto settings = dir.path() / "kiosk.toml";
    std::ofstream(settings) << "[device]\nid = \"x\"\nidle = 3\n";
    CapturedLog log;
    app::AppOptions options;
    options.settings_file = settings;
    options.headless = true;
    auto app = app::KioskApp::start(options, log.log());
    REQUIRE(app != nullptr);
    CHECK(app->out_of_service());
    auto parsed = app::parse_script("expect screen out-of-service\ntap 640 400\nexpect screen "
                                    "out-of-service\nexpect text \"not available\"\nwait 10m\n"
                                    "expect screen out-of-service\n",
                                    "oos");
    auto outcome = app->run_script(parsed.steps, "oos", {});
    for (const auto& failure : outcome.failures) {
        UNSCOPED_INFO(failure);
    }
    CHECK(outcome.passed);
    auto logged = log.text();
    CHECK(logged.find(settings.string()) != std::string::npos);
    CHECK(logged.find("'device.idle'") != std::string::npos);
    CHECK(logged.find("out of service") != std::string::npos);
}

TEST_CASE("a broken questionnaire shows the out-of-service screen") {
    TempDir dir;
    auto questionnaire = dir.path() / "broken.json";
    std::ofstream(questionnaire) << R"({"resourceType": "Questionnaire", "url": "urn:x",
        "status": "active", "item": [{"linkId": "a", "type": "date", "text": "When?"}]})";
    auto settings = dir.path() / "kiosk.toml";
    std::ofstream(settings) << "[device]\nid = \"x\"\nsite = \"s\"\nservice = \"s\"\n"
                            << "[questionnaires]\nfiles = [\"broken.json\"]\n"
                            << "[storage]\ndata_dir = \"data\"\n"
                            << "[delivery]\nendpoint = \"https://127.0.0.1:9/\"\n";
    CapturedLog log;
    app::AppOptions options;
    options.settings_file = settings;
    options.headless = true;
    auto app = app::KioskApp::start(options, log.log());
    REQUIRE(app != nullptr);
    CHECK(app->out_of_service());
    auto parsed = app::parse_script("expect screen out-of-service\n", "oos");
    CHECK(app->run_script(parsed.steps, "oos", {}).passed);
    auto logged = log.text();
    CHECK(logged.find(questionnaire.string()) != std::string::npos);
    CHECK(logged.find("/item/0/type") != std::string::npos);
}

TEST_CASE("a screen too small for 15 mm targets fails the run") {
    // Proves the size and layout checks bite: the same questionnaire on a tiny panel.
    Kiosk kiosk("friends-and-family-test", "width = 400\nheight = 300\n");
    auto outcome = kiosk.run("tap \"Start\"\n");
    CHECK_FALSE(outcome.passed);
    bool reported = false;
    for (const auto& failure : outcome.failures) {
        reported = reported || failure.find("does not fit") != std::string::npos ||
                   failure.find("smaller than 15 mm") != std::string::npos;
    }
    CHECK(reported);
}

TEST_CASE("screenshots are written as PNG files of the screen's size") {
    Kiosk kiosk("children");
    TempDir shots;
    REQUIRE(
        kiosk.run("screenshot welcome\ntap \"Start\"\nscreenshot faces\n", shots.path()).passed);
    for (const char* name : {"welcome.png", "faces.png"}) {
        std::ifstream in(shots.path() / name, std::ios::binary);
        REQUIRE(in);
        unsigned char header[24] = {};
        in.read(reinterpret_cast<char*>(header), sizeof header);
        CHECK(header[1] == 'P');
        CHECK(header[2] == 'N');
        CHECK(header[3] == 'G');
        auto be32 = [&](int at) {
            return (header[at] << 24) | (header[at + 1] << 16) | (header[at + 2] << 8) |
                   header[at + 3];
        };
        CHECK(be32(16) == 1280);
        CHECK(be32(20) == 800);
    }
}

TEST_CASE("a damaged response database is moved aside (never deleted) and the kiosk carries on") {
    TempDir dir;
    std::filesystem::create_directories(dir.path() / "data");
    const std::string garbage = "this is not an SQLite database, it was damaged by a power cut";
    std::ofstream(dir.path() / "data" / "outbox.sqlite") << garbage;
    CapturedLog log;
    auto app = start_on_data_folder(dir, log);
    REQUIRE(app != nullptr);
    CHECK_FALSE(app->out_of_service());
    REQUIRE(app->moved_aside_database().has_value());
    std::ifstream moved(*app->moved_aside_database());
    std::string kept((std::istreambuf_iterator<char>(moved)), std::istreambuf_iterator<char>());
    CHECK(kept == garbage);
    CHECK(log.text().find("moved the damaged database") != std::string::npos);
    auto parsed = app::parse_script(
        "tap \"Start\"\ntap \"Good\"\ntap \"Next\"\ntap \"Submit\"\nexpect stored 1\n", "after");
    CHECK(app->run_script(parsed.steps, "after", {}).passed);
}

TEST_CASE("an older kiosk's response database is rewritten with small pages at start-up, and "
          "says so") {
    TempDir dir;
    const auto file = dir.path() / "data" / "outbox.sqlite";
    std::filesystem::create_directories(file.parent_path());
    {
        // As a kiosk of schema version 4 left it (SQLite's default 4 KiB pages), holding one
        // response; the delivery worker's way of opening it keeps the pages.
        auto raw = std::get<outbox::Database>(
            outbox::Database::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
        REQUIRE_FALSE(raw.exec("PRAGMA page_size = 4096"));
        REQUIRE_FALSE(raw.exec("PRAGMA journal_mode = WAL"));
        for (std::size_t step = 0; step < 4; ++step) {
            REQUIRE_FALSE(raw.exec(outbox::migrations()[step]));
        }
        REQUIRE_FALSE(raw.exec("PRAGMA user_version = 4"));
        auto opened = outbox::Outbox::open(file, outbox::OutboxOptions::for_delivery());
        REQUIRE(opened.outbox);
        REQUIRE(opened.outbox
                    ->append({"urn:uuid:5d2c7c1e-0f4a-4b8e-9d6b-3a1f0e2c4b71", "urn:q|1",
                              "2026-11-20T10:00:00Z", R"({"resourceType":"QuestionnaireResponse"})",
                              1763632800000})
                    .status == outbox::AppendResult::Status::stored);
    }
    CapturedLog log;
    auto app = start_on_data_folder(dir, log);
    REQUIRE(app != nullptr);
    CHECK_FALSE(app->out_of_service());
    CHECK_THAT(log.text(), Catch::Contains("rewrote the response database with pages of 512 "
                                           "bytes (it had 4096), once"));
    REQUIRE(app->outbox() != nullptr);
    CHECK(app->outbox()->connection_settings().settings.page_size == 512);
    CHECK(app->outbox()->count().count == 1);
    auto parsed = app::parse_script(
        "tap \"Start\"\ntap \"Good\"\ntap \"Next\"\ntap \"Submit\"\nexpect stored 2\n", "after");
    CHECK(app->run_script(parsed.steps, "after", {}).passed);
}

TEST_CASE("in kiosk mode Escape and closing the window do not stop the kiosk") {
    Kiosk kiosk("friends-and-family-test", "width = 1280\nheight = 800\nkiosk_mode = true\n");
    // Queue what a curious patient might try, then a tap on Start, then the service manager's
    // stop signal; run() must survive the first two and act on the tap.
    auto push = [](SDL_Event event) {
        REQUIRE(SDL_PushEvent(&event) == 1);
    };
    SDL_Event escape{};
    escape.type = SDL_KEYDOWN;
    escape.key.keysym.sym = SDLK_ESCAPE;
    push(escape);
    SDL_Event alt_f4{};
    alt_f4.type = SDL_KEYDOWN;
    alt_f4.key.keysym.sym = SDLK_F4;
    alt_f4.key.keysym.mod = KMOD_LALT;
    push(alt_f4);
    SDL_Event close{};
    close.type = SDL_WINDOWEVENT;
    close.window.event = SDL_WINDOWEVENT_CLOSE;
    push(close);
    REQUIRE(kiosk.run("").passed); // draws the welcome screen so Start's place is known
    auto start = kiosk.app->last_frame().targets_labelled("Start");
    REQUIRE(start.size() == 1);
    for (Uint32 type : {SDL_MOUSEBUTTONDOWN, SDL_MOUSEBUTTONUP}) {
        SDL_Event tap{};
        tap.type = type;
        tap.button.button = SDL_BUTTON_LEFT;
        tap.button.x = static_cast<Sint32>(start.front()->centre().x);
        tap.button.y = static_cast<Sint32>(start.front()->centre().y);
        push(tap);
    }
    SDL_Event quit{};
    quit.type = SDL_QUIT;
    push(quit);
    CHECK(kiosk.app->run() == 0);
    CHECK(kiosk.app->session()->screen() == model::Screen::question);
}

TEST_CASE("a file that is not a font falls back to Noto Sans instead of aborting") {
    TempDir dir;
    std::ofstream(dir.path() / "not-a-font.ttf") << "this is text, not a font";
    Kiosk kiosk("friends-and-family-test", "width = 1280\nheight = 800\nfont = \"" +
                                               (dir.path() / "not-a-font.ttf").string() + "\"\n");
    CHECK(kiosk.log.text().find("is not a TrueType or OpenType font") != std::string::npos);
    kiosk.run("expect screen welcome\n");
    // The words are still drawn, with real glyphs, from Debian's Noto Sans.
    const auto& lines = kiosk.app->last_frame().lines;
    REQUIRE_FALSE(lines.empty());
    for (const auto& line : lines) {
        INFO(line.text);
        REQUIRE_FALSE(line.fonts.empty());
        const std::string font = line.fonts.back().file.filename().string();
        CHECK((font == "NotoSans-Regular.ttf" || font == "NotoSans-Bold.ttf"));
        CHECK_FALSE(line.shaped.glyphs.empty());
        for (const auto& glyph : line.shaped.glyphs) {
            CHECK(glyph.glyph_id != 0); // no empty boxes
        }
    }
    kiosk.run("tap \"Start\"\n"); // and takes taps
    CHECK(kiosk.app->session()->screen() == model::Screen::question);
}
