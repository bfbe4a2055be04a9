// Staff mode on the real screens, headless: the hidden press, the PIN pad and its lockout, and
// what volunteers and IT can do, each checked by its effect (on screen, in the outbox, in the
// audit table, after a restart).

#include "kiosk_rig.hpp"
#include "model/pin_hash.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>

using namespace kiosk;
using nlohmann::json;

namespace {

constexpr const char* kVolunteerPin = "2468";
constexpr const char* kItPin = "1357";

// The hidden gesture on this 1280 x 800, 150 dpi panel: a 15 mm (89 px) square, top left.
constexpr const char* kOpenStaff = "hold 20 20 3s\nexpect screen staff-pin\n";

std::string sign_in(const char* pin) {
    return std::string(kOpenStaff) + "type \"" + pin + "\"\ntap \"OK\"\n";
}

struct StaffKiosk {
    test::TempDir dir;
    test::CapturedLog log;
    std::filesystem::path settings = dir.path() / "kiosk.toml";
    std::unique_ptr<app::KioskApp> app;

    explicit StaffKiosk(const std::string& extra = "", const std::string& staff_extra = "",
                        const std::string& active = "cancer-outpatients") {
        auto volunteer = model::hash_pin(kVolunteerPin);
        auto it = model::hash_pin(kItPin);
        REQUIRE(volunteer);
        REQUIRE(it);
        // "broken": a questionnaire with a mistake, listed first and made the active one.
        std::string broken;
        if (active == "broken") {
            std::ofstream(dir.path() / "broken.json")
                << R"({"resourceType": "Questionnaire", "url": "urn:x", "status": "active",
                      "item": [{"linkId": "a", "type": "date", "text": "When?"}]})";
            broken = "\"broken.json\", ";
        }
        std::ofstream out(settings);
        out << "[device]\nid = \"ward-7-kiosk\"\nsite = \"Main Hospital\"\n"
            << "service = \"Oncology outpatients\"\n"
            << "clinics = [\"Oncology outpatients\", \"Chemotherapy day unit\"]\n"
            << "[questionnaires]\nfiles = [" << broken << "\""
            << test::questionnaire_path("friends-and-family-test") << "\", \""
            << test::questionnaire_path("cancer-outpatients") << "\", \""
            << test::questionnaire_path("children") << "\"]\nactive = \"" << active << "\"\n"
            << "[storage]\ndata_dir = \"data\"\n"
            << "[session]\nidle_timeout_seconds = 60\nidle_warning_seconds = 20\n"
            << "thank_you_seconds = 5\n"
            << "[display]\nfullscreen = false\nwidth = 1280\nheight = 800\ndpi = 150\n"
            << "[delivery]\nendpoint = \"https://127.0.0.1:9/fhir\"\n"
            << "[staff]\nvolunteer_pin = \"" << *volunteer << "\"\nit_pin = \"" << *it << "\"\n"
            << "help = \"IT service desk, extension 4444\"\n"
            << staff_extra << extra;
        out.close();
        start({});
    }

    void start(std::optional<std::chrono::system_clock::time_point> clock_start) {
        app::AppOptions options;
        options.settings_file = settings;
        options.headless = true;
        options.version = "9.8.7";
        options.clock_start = clock_start;
        options.default_assets_dir = std::string(KIOSK_SOURCE_DIR) + "/assets";
        app = app::KioskApp::start(options, log.log());
        REQUIRE(app != nullptr);
    }

    // Stops the kiosk and starts it again on the same settings and data, its clock going on
    // from where the last one stopped.
    void restart() {
        auto now = app->wall_clock();
        app.reset();
        start(now);
    }

    bool run(const std::string& script, const std::filesystem::path& screenshots = {}) {
        return test::run_script(*app, script, screenshots).passed;
    }

    std::vector<outbox::StaffAction> audit() {
        auto actions = app->outbox()->recent_staff_actions(100);
        REQUIRE_FALSE(actions.error);
        return actions.actions;
    }

    bool audit_says(const std::string& role, const std::string& fragment) {
        for (const auto& action : audit()) {
            if (action.role == role && action.action.find(fragment) != std::string::npos) {
                return true;
            }
        }
        return false;
    }

    // A stored response, as the outbox holds it.
    outbox::StoredResponse only_response() {
        auto listed = app->outbox()->list(std::nullopt, 10);
        REQUIRE_FALSE(listed.error);
        REQUIRE(listed.responses.size() == 1);
        return listed.responses.front();
    }
};

std::string extension_value(const json& resource, const std::string& url_end) {
    for (const auto& extension : resource.value("extension", json::array())) {
        std::string url = extension.value("url", "");
        if (url.size() >= url_end.size() &&
            url.compare(url.size() - url_end.size(), url_end.size(), url_end) == 0) {
            return extension.value("valueString", "");
        }
    }
    return "";
}

// The Friends and Family Test from its welcome screen to the thank-you screen.
constexpr const char* kAnswerFft = R"(tap "Start"
tap "Very good"
tap "Next"
tap "Submit"
expect screen thank-you
)";

} // namespace

TEST_CASE("a press held for 3 s in the corner opens the PIN pad; ordinary taps never do") {
    StaffKiosk kiosk;
    SECTION("taps, short presses and presses outside the corner") {
        CHECK(kiosk.run(R"(tap 10 10
tap 20 20
hold 20 20 2900ms
expect screen welcome
hold 120 120 5s
expect screen welcome
hold 1270 10 5s
expect screen welcome
hold 1270 790 5s
expect screen welcome
tap "Start"
tap 10 10
hold 20 20 2s
expect screen question
expect no text "Staff PIN"
)"));
    }
    SECTION("from the welcome screen, a question and the thank-you screen") {
        CHECK(kiosk.run(std::string(kOpenStaff) + R"(expect text "Staff PIN"
tap "Cancel"
expect screen welcome
tap "Start"
)" + kOpenStaff + R"(tap "Cancel"
expect screen question
)"));
    }
    SECTION("a held press that slides out of the corner does nothing") {
        // The pointer moves while held: the kiosk sees the finger leave the square.
        CHECK(kiosk.run("hold 20 20 1s\nhold 20 20 1s\nhold 20 20 1s\nexpect screen welcome\n"));
    }
}

TEST_CASE("each role's PIN opens its own staff screens, and a wrong PIN opens nothing") {
    StaffKiosk kiosk;
    SECTION("volunteer") {
        CHECK(kiosk.run(sign_in(kVolunteerPin) + R"(expect screen staff-status
expect text "Signed in: volunteer"
expect text "Working"
expect text "Oncology outpatients"
expect no text "IT details"
expect no text "ward-7-kiosk"
)"));
        CHECK(kiosk.audit_says("volunteer", "opened staff mode"));
    }
    SECTION("IT") {
        CHECK(kiosk.run(sign_in(kItPin) + R"(expect screen staff-status
expect text "Signed in: IT"
tap "IT details"
expect screen staff-it
expect text "ward-7-kiosk"
expect text "9.8.7"
expect text "https://127.0.0.1:9/fhir"
expect text "ok (schema"
)"));
        CHECK(kiosk.audit_says("IT", "opened staff mode"));
    }
    SECTION("wrong PIN: the pad stays, and neither log nor audit holds the digits") {
        CHECK(kiosk.run(sign_in("9090") + R"(expect screen staff-pin
expect text "That PIN is not right"
expect text "4 tries left"
tap "Cancel"
expect screen welcome
)"));
        CHECK(kiosk.audit_says("nobody", "wrong PIN (1 in a row)"));
        for (const auto& action : kiosk.audit()) {
            CHECK(action.action.find("9090") == std::string::npos);
        }
        CHECK(kiosk.log.text().find("9090") == std::string::npos);
        CHECK(kiosk.log.text().find("wrong PIN") != std::string::npos);
    }
    SECTION("Delete takes back a digit; OK with nothing typed does nothing") {
        CHECK(kiosk.run(std::string(kOpenStaff) + R"(tap "OK"
expect screen staff-pin
expect no text "not right"
type "24689"
tap "Delete"
tap "OK"
expect screen staff-status
)"));
    }
}

TEST_CASE("no staff screen can be reached without a PIN") {
    StaffKiosk kiosk;
    // Every button on the PIN pad except OK, in every order a curious hand might try, then
    // random taps all over every screen: nothing but the PIN pad and the patient screens.
    REQUIRE(kiosk.run(std::string(kOpenStaff) +
                      "tap \"Delete\"\ntap \"0\"\ntap \"OK\"\ntap \"Delete\"\ntap \"Delete\"\n"
                      "expect screen staff-pin\ntap \"Cancel\"\nexpect screen welcome\n"));
    std::mt19937 random(20261126);
    std::uniform_real_distribution<float> x(0, 1279);
    std::uniform_real_distribution<float> y(0, 799);
    std::string script;
    for (int i = 0; i < 400; ++i) {
        script += "tap " + std::to_string(x(random)) + " " + std::to_string(y(random)) + "\n";
        if (i % 40 == 0) {
            script += "wait 20s\n";
        }
    }
    auto parsed = app::parse_script(script, "monkey");
    REQUIRE(parsed.problems.empty());
    for (const auto& step : parsed.steps) {
        kiosk.app->run_script({step}, "monkey", {});
        const auto& screen = kiosk.app->last_frame().screen;
        INFO("after line " << step.line << " the screen is " << screen);
        REQUIRE((screen.rfind("staff-", 0) != 0 || screen == "staff-pin"));
    }
    CHECK_FALSE(kiosk.audit_says("volunteer", "opened"));
    CHECK_FALSE(kiosk.audit_says("IT", "opened"));
}

TEST_CASE("five wrong PINs lock staff mode; the lockout doubles and survives a restart") {
    StaffKiosk kiosk;
    std::string five_wrong = std::string(kOpenStaff);
    for (int i = 0; i < 5; ++i) {
        five_wrong += "type \"1111\"\ntap \"OK\"\n";
    }
    REQUIRE(kiosk.run(five_wrong + R"(expect screen staff-locked-out
expect text "Staff mode is locked"
expect no text "OK"
tap "Close"
expect screen welcome
)"));
    CHECK(kiosk.audit_says("nobody", "locked for 1 minute"));

    // A restart does not end it: the right PIN cannot even be typed.
    kiosk.restart();
    REQUIRE(kiosk.run(std::string("hold 20 20 3s\nexpect screen staff-locked-out\n") +
                      "tap \"Close\"\nwait 50s\nhold 20 20 3s\n"
                      "expect screen staff-locked-out\ntap \"Close\"\nwait 10s\n"));
    // After the minute: the pad again, and the next five wrong PINs lock it for 2 minutes.
    REQUIRE(kiosk.run(five_wrong + "expect screen staff-locked-out\n"));
    CHECK(kiosk.audit_says("nobody", "locked for 2 minutes"));
    kiosk.restart();
    REQUIRE(kiosk.run("wait 90s\nhold 20 20 3s\nexpect screen staff-locked-out\n"
                      "tap \"Close\"\nwait 30s\n" +
                      sign_in(kVolunteerPin) + "expect screen staff-status\n"));
    // A right PIN starts the count afresh: four wrong ones do not lock it.
    std::string four_wrong = "tap \"Close\"\n" + std::string(kOpenStaff);
    for (int i = 0; i < 4; ++i) {
        four_wrong += "type \"1111\"\ntap \"OK\"\n";
    }
    CHECK(kiosk.run(four_wrong + "expect screen staff-pin\nexpect text \"1 try left\"\n"));
}

TEST_CASE("staff mode closes by itself after 60 s without a touch, leaving nothing on screen") {
    StaffKiosk kiosk;
    CHECK(kiosk.run(R"(tap "Start"
tap "Yes, completely"
)" + sign_in(kItPin) +
                    R"(tap "IT details"
wait 59s
expect screen staff-it
tap 640 300
wait 59s
expect screen staff-it
wait 2s
expect screen welcome
expect no text "Kiosk status"
expect no text "IT details"
expect no text "ward-7-kiosk"
)"));
    CHECK(kiosk.app->session()->answers().empty());
    CHECK(kiosk.audit_says("IT", "closed by itself after 60 s"));
    // The PIN pad too: digits typed and left are forgotten.
    CHECK(kiosk.run(std::string(kOpenStaff) + "type \"24\"\nwait 61s\nexpect screen welcome\n" +
                    kOpenStaff + "expect text \"0 digits entered\"\ntap \"Cancel\"\n"));
}

TEST_CASE("Reset discards a patient's half-finished answers") {
    StaffKiosk kiosk;
    REQUIRE(kiosk.run(
        "tap \"Start\"\ntap \"Yes, completely\"\ntap \"Next\"\nexpect screen question\n"));
    REQUIRE_FALSE(kiosk.app->session()->answers().empty());
    CHECK(kiosk.run(sign_in(kVolunteerPin) + R"(tap "Reset to welcome"
expect screen welcome
expect stored 0
)"));
    CHECK(kiosk.app->session()->answers().empty());
    CHECK(kiosk.audit_says("volunteer", "reset the kiosk"));
}

TEST_CASE("Pause shows a calm screen that ignores taps until staff resume it, even after a "
          "restart") {
    StaffKiosk kiosk;
    REQUIRE(kiosk.run(sign_in(kVolunteerPin) + R"(tap "Pause"
expect screen paused
expect text "not in use right now"
tap 640 400
tap 640 700
tap 100 700
tap 1200 700
wait 10m
expect screen paused
expect stored 0
)"));
    CHECK(kiosk.app->paused());
    kiosk.restart();
    CHECK(kiosk.app->paused());
    CHECK(kiosk.run(R"(expect screen paused
tap 640 700
expect screen paused
)" + sign_in(kVolunteerPin) +
                    R"(expect text "Paused by staff"
tap "Resume"
expect screen welcome
tap "Start"
expect screen question
)"));
    CHECK(kiosk.audit_says("volunteer", "paused the kiosk"));
    CHECK(kiosk.audit_says("volunteer", "resumed the kiosk"));
}

TEST_CASE("the questionnaire and clinic staff choose survive a restart and go into each "
          "response") {
    StaffKiosk kiosk;
    REQUIRE(kiosk.run(sign_in(kVolunteerPin) + R"(tap "Change questionnaire"
expect screen staff-questionnaires
tap "Friends and Family Test"
expect screen staff-status
expect text "Patients now get Friends and Family Test"
tap "Change clinic"
expect screen staff-clinics
tap "Chemotherapy day unit"
expect screen staff-status
tap "Close"
expect screen welcome
expect text "Chemotherapy day unit"
)"));
    kiosk.restart();
    REQUIRE(kiosk.run(std::string("expect text \"Chemotherapy day unit\"\n") + kAnswerFft));
    auto stored = kiosk.only_response();
    CHECK(stored.questionnaire.find("friends-and-family") != std::string::npos);
    auto resource = json::parse(stored.payload);
    CHECK(resource["questionnaire"].get<std::string>().find("friends-and-family") !=
          std::string::npos);
    CHECK(extension_value(resource, ":service") == "Chemotherapy day unit");
    CHECK(kiosk.audit_says("volunteer", "switched the questionnaire to Friends and Family Test"));
    CHECK(kiosk.audit_says("volunteer", "switched the clinic to Chemotherapy day unit"));
}

TEST_CASE("Send now makes responses waiting for a retry due at once") {
    StaffKiosk kiosk("", "", "friends-and-family-test");
    REQUIRE(kiosk.run(kAnswerFft));
    auto* outbox = kiosk.app->outbox();
    auto claimed = outbox->claim_batch(0, 10, 1 << 20);
    REQUIRE(claimed.responses.size() == 1);
    const std::int64_t far_future = 4'000'000'000'000;
    std::vector<std::int64_t> ids{claimed.responses.front().id};
    REQUIRE(outbox->requeue(ids, far_future, std::nullopt, "connection refused").count == 1);
    REQUIRE_FALSE(outbox->next_due_time().due_by(far_future - 1));
    CHECK(kiosk.run(sign_in(kVolunteerPin) + "tap \"Send now\"\nexpect screen staff-status\n"
                                             "expect text \"Sending is not set up\"\n"));
    CHECK(outbox->next_due_time().due_by(0));
    CHECK(kiosk.audit_says("volunteer", "send waiting responses now"));
}

TEST_CASE("IT sees refused responses with the server's reason and can send them again") {
    StaffKiosk kiosk("", "", "friends-and-family-test");
    REQUIRE(kiosk.run(kAnswerFft));
    auto* outbox = kiosk.app->outbox();
    auto claimed = outbox->claim_batch(0, 10, 1 << 20);
    REQUIRE(claimed.responses.size() == 1);
    auto id = claimed.responses.front().id;
    REQUIRE(outbox->mark_rejected(id, 422, "the questionnaire is not known here").count == 1);
    CHECK(kiosk.run(sign_in(kItPin) + R"(expect text "AMBER"
expect text "refused by the server"
tap "IT details"
expect text "the questionnaire is not known here"
expect text "HTTP 422"
tap "Send rejected again"
expect text "1 refused response(s) will be sent again"
)"));
    CHECK(outbox->get(id).response->state == outbox::ResponseState::queued);
    CHECK(kiosk.audit_says("IT", "sent rejected responses again"));
    SECTION("a volunteer cannot") {
        CHECK(kiosk.run("tap \"Close\"\n" + sign_in(kVolunteerPin) +
                        "expect no text \"IT details\"\nexpect no text \"Send rejected again\"\n"));
    }
}

TEST_CASE("IT's touch test draws where the screen is touched") {
    StaffKiosk kiosk;
    test::TempDir shots;
    REQUIRE(kiosk.run(sign_in(kItPin) + R"(tap "IT details"
tap "Touch test"
expect screen staff-touch-test
tap 300 300
tap 1000 500
screenshot touch
tap "Done"
expect screen staff-it
)",
                      shots.path()));
    CHECK(std::filesystem::file_size(shots.path() / "touch.png") > 1000);
    CHECK(kiosk.audit_says("IT", "opened the touch test"));
}

TEST_CASE("IT can restart the app, and reboot only when a command is configured") {
    SECTION("no commands: no buttons for them") {
        StaffKiosk kiosk;
        CHECK(kiosk.run(sign_in(kItPin) + R"(tap "IT details"
expect no text "Restart device"
expect no text "Power off"
tap "Restart app"
expect screen staff-confirm
tap "Cancel"
expect screen staff-it
tap "Restart app"
tap "Yes, restart the app"
)"));
        CHECK(kiosk.app->restart_requested());
        CHECK(kiosk.audit_says("IT", "chose to restart the kiosk app"));
    }
    SECTION("a configured reboot command runs, without a shell") {
        test::TempDir marks;
        auto mark = marks.path() / "rebooted";
        StaffKiosk kiosk("", "reboot_command = [\"/usr/bin/touch\", \"" + mark.string() + "\"]\n");
        CHECK(kiosk.run(sign_in(kItPin) + R"(tap "IT details"
expect no text "Power off"
tap "Restart device"
expect screen staff-confirm
expect text "Restart the device?"
tap "Yes, restart the device"
expect screen welcome
)"));
        CHECK(std::filesystem::exists(mark));
        CHECK(kiosk.audit_says("IT", "chose to restart the device"));
    }
}

TEST_CASE("IT's connection check reports an endpoint that cannot be reached") {
    StaffKiosk kiosk;
    CHECK(kiosk.run(sign_in(kItPin) + R"(tap "IT details"
tap "Check connection"
expect text "not reached"
expect text "127.0.0.1:9"
)"));
    CHECK(kiosk.audit_says("IT", "checked the connection"));
}

TEST_CASE("opening hours pause and resume the kiosk by themselves, never cutting off a patient") {
    StaffKiosk kiosk("[opening_hours]\nmonday = \"08:00-18:00\"\ntuesday = \"08:00-18:00\"\n", "",
                     "friends-and-family-test");
    CHECK(kiosk.run(R"(clock "2026-11-30 17:58"
expect screen welcome
wait 3m
expect screen paused
tap 640 700
expect screen paused
wait 840m
expect screen welcome
)"));
    SECTION("closing time waits for the patient to finish") {
        CHECK(kiosk.run(R"(clock "2026-12-01 17:59"
tap "Start"
wait 50s
tap "Very good"
wait 20s
expect screen question
tap "Next"
tap "Submit"
expect screen thank-you
wait 6s
expect screen paused
expect stored 1
)"));
    }
    SECTION("staff can resume out of hours, and it pauses again at the next closing time") {
        CHECK(kiosk.run(R"(clock "2026-12-01 20:00"
expect screen paused
)" + sign_in(kVolunteerPin) +
                        R"(tap "Resume"
expect screen welcome
clock "2026-12-02 07:00"
expect screen paused
)"));
    }
}

TEST_CASE(
    "a volunteer can bring an out-of-service kiosk back by choosing a working questionnaire") {
    StaffKiosk kiosk("", "", "broken");
    REQUIRE(kiosk.app->out_of_service());
    CHECK(kiosk.run(std::string("expect screen out-of-service\n") + sign_in(kVolunteerPin) +
                    R"(expect text "RED"
expect text "Patients cannot answer"
expect text "Who to call: IT service desk, extension 4444"
tap "Change questionnaire"
tap "Friends and Family Test"
tap "Close"
expect screen welcome
)" + kAnswerFft));
    CHECK_FALSE(kiosk.app->out_of_service());
    kiosk.restart();
    CHECK_FALSE(kiosk.app->out_of_service()); // the choice outlives the broken default
}

TEST_CASE("a database cut short by a power cut is put aside once, staff are told, and the kiosk "
          "starts normally after") {
    StaffKiosk kiosk("", "", "friends-and-family-test");
    REQUIRE(kiosk.run(std::string(kAnswerFft) + "wait 6s\n" + kAnswerFft + "wait 6s\n" +
                      kAnswerFft + "wait 6s\nexpect stored 3\n"));
    const auto now = kiosk.app->wall_clock();
    kiosk.app.reset(); // closed cleanly: the write-ahead log is folded in and removed
    const auto file = kiosk.dir.path() / "data" / "outbox.sqlite";
    const auto full_size = std::filesystem::file_size(file);
    std::filesystem::resize_file(file, full_size / 2);

    kiosk.start(now);
    CHECK_FALSE(kiosk.app->out_of_service());
    REQUIRE(kiosk.app->moved_aside_database().has_value());
    const auto moved = *kiosk.app->moved_aside_database();
    CHECK(moved.filename().string().rfind("outbox.sqlite.damaged-", 0) == 0);
    CHECK(std::filesystem::file_size(moved) == full_size / 2); // kept as it was, for IT
    CHECK(kiosk.log.text().find("moved the damaged database") != std::string::npos);
    // The volunteer sees why on the status screen; a new patient's answers are stored.
    CHECK(kiosk.run(sign_in(kVolunteerPin) +
                    "expect screen staff-status\n"
                    "expect text \"put aside for IT\"\n"
                    "tap \"Close\"\n" +
                    kAnswerFft + "expect stored 1\n"));

    // No crash loop: the next start finds the new database whole and moves nothing.
    kiosk.restart();
    CHECK_FALSE(kiosk.app->moved_aside_database().has_value());
    CHECK(kiosk.app->outbox()->count().count == 1);
    std::size_t damaged = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kiosk.dir.path() / "data")) {
        damaged += entry.path().filename().string().find(".damaged-") != std::string::npos;
    }
    CHECK(damaged == 1);
}
