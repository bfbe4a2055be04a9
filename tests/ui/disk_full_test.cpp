// A full disk met through the real screens, headless. The kiosk's outbox connection opens through
// a VFS whose writes fail with SQLITE_FULL while the "disk" is full, as the default VFS answers
// when write() meets ENOSPC. A patient who submits then must be told their answers could not be
// saved, staff must see why, nothing stored before may be lost, and once space returns the
// answers are saved exactly once, and the next patient's too.

#include "kiosk_rig.hpp"
#include "model/pin_hash.hpp"
#include "outbox/outbox.hpp"
#include "outbox/sqlite_handle.hpp"
#include "support/faulty_vfs.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <variant>
#include <vector>

using namespace kiosk;
using nlohmann::json;

namespace {

constexpr const char* kVolunteerPin = "2468";

// One patient through the Friends and Family Test, up to the tap on Submit.
constexpr const char* kAnswerAndSubmit = R"(tap "Start"
tap "Very good"
tap "Next"
tap "Submit"
)";

// Staff status, signed in as a volunteer: the hidden press in the top-left corner, then the PIN.
const std::string kStaffStatus = std::string("hold 20 20 3s\nexpect screen staff-pin\ntype \"") +
                                 kVolunteerPin + "\"\ntap \"OK\"\nexpect screen staff-status\n";

struct DiskFullKiosk {
    // Before the app, so it is unregistered only after the app has closed its connection.
    testing::FaultyVfs disk{"kiosk-disk-full"};
    test::TempDir dir;
    test::CapturedLog log;
    std::filesystem::path database = dir.path() / "data" / "outbox.sqlite";
    std::unique_ptr<app::KioskApp> app;

    // `before_start` may arm the disk's faults before the kiosk opens its outbox; `in_service`
    // is what the kiosk must then be.
    explicit DiskFullKiosk(const std::function<void(testing::FaultyVfs&)>& before_start = {},
                           bool in_service = true) {
        if (before_start) {
            before_start(disk);
        }
        auto volunteer = model::hash_pin(kVolunteerPin);
        REQUIRE(volunteer);
        auto settings = dir.path() / "kiosk.toml";
        std::ofstream out(settings);
        out << "[device]\nid = \"ward-7-kiosk\"\nsite = \"Main Hospital\"\n"
            << "service = \"Oncology outpatients\"\n"
            << "[questionnaires]\nfiles = [\""
            << test::questionnaire_path("friends-and-family-test")
            << "\"]\nactive = \"friends-and-family-test\"\n"
            << "[storage]\ndata_dir = \"data\"\n"
            << "[session]\nidle_timeout_seconds = 60\nidle_warning_seconds = 20\n"
            << "thank_you_seconds = 5\n"
            << "[display]\nfullscreen = false\nwidth = 1280\nheight = 800\ndpi = 150\n"
            << "[delivery]\nendpoint = \"https://127.0.0.1:9/fhir\"\n"
            << "[staff]\nvolunteer_pin = \"" << *volunteer << "\"\n";
        out.close();
        app::AppOptions options;
        options.settings_file = settings;
        options.headless = true;
        options.default_assets_dir = std::string(KIOSK_SOURCE_DIR) + "/assets";
        options.outbox_vfs = disk.name();
        this->options = options;
        app = app::KioskApp::start(options, log.log());
        REQUIRE(app != nullptr);
        REQUIRE(app->out_of_service() == !in_service);
    }

    // As the service manager does after the kiosk stops: a new kiosk on the same settings.
    void start_again() {
        app.reset();
        app = app::KioskApp::start(options, log.log());
        REQUIRE(app != nullptr);
    }

    app::AppOptions options;

    bool run(const std::string& script) { return test::run_script(*app, script).passed; }

    // What is really in the file, through SQLite's default VFS and a connection of its own
    // (not the kiosk's, whose word is not proof): identifier and payload, in arrival order.
    std::vector<std::pair<std::string, std::string>> stored_in_file() {
        auto opened = outbox::Database::open(database, SQLITE_OPEN_READWRITE);
        if (auto* error = std::get_if<outbox::SqliteError>(&opened)) {
            FAIL("cannot open the outbox to look: " << error->describe());
        }
        auto& connection = std::get<outbox::Database>(opened);
        connection.set_busy_timeout_ms(5000);
        auto check = connection.prepare("PRAGMA integrity_check");
        REQUIRE(check.step() == outbox::Statement::Step::row);
        CHECK(check.column_text(0) == "ok");
        std::vector<std::pair<std::string, std::string>> rows;
        auto rows_query =
            connection.prepare("SELECT identifier, payload FROM responses ORDER BY id");
        while (rows_query.step() == outbox::Statement::Step::row) {
            rows.emplace_back(rows_query.column_text(0), rows_query.column_text(1));
        }
        REQUIRE_FALSE(rows_query.error());
        return rows;
    }
};

// Each stored response once, each a whole FFT response with the patient's answer.
void check_each_once_and_whole(const std::vector<std::pair<std::string, std::string>>& rows) {
    std::set<std::string> identifiers;
    for (const auto& [identifier, payload] : rows) {
        CHECK(identifiers.insert(identifier).second);
        const auto resource = json::parse(payload);
        CHECK(resource["identifier"]["value"] == identifier);
        CHECK(resource["status"] == "completed");
        CHECK(payload.find("Very good") != std::string::npos);
    }
}

} // namespace

TEST_CASE("with the disk full a patient is told their answers could not be saved, staff see "
          "why, and Try again saves them once space returns") {
    DiskFullKiosk kiosk;
    REQUIRE(
        kiosk.run(std::string(kAnswerAndSubmit) +
                  "expect screen thank-you\nexpect stored 1\nwait 6s\nexpect screen welcome\n"));
    const auto before = kiosk.stored_in_file();
    REQUIRE(before.size() == 1);

    kiosk.disk.fill_disk();
    CHECK(kiosk.run(std::string(kAnswerAndSubmit) + R"(expect screen could-not-save
expect text "Sorry, your answers could not be saved"
expect text "Please try again. If it still does not work, please tell a member of staff."
expect no text "Thank you"
expect stored 1
tap "Try again"
expect screen could-not-save
expect stored 1
)"));
    CHECK(kiosk.disk.faults_hit() > 0);
    CHECK(kiosk.stored_in_file() == before); // nothing stored before is lost
    CHECK(kiosk.log.text().find("database or disk is full") != std::string::npos);

    // Staff see that the kiosk is not working and why, without signing in as IT; closing staff
    // mode gives the patient their screen back, answers kept.
    CHECK(kiosk.run(kStaffStatus + R"(expect text "RED"
expect text "1 answered questionnaire(s) could not be saved yet"
expect text "the storage is full"
tap "Close"
expect screen could-not-save
)"));

    kiosk.disk.clear(); // space returns
    CHECK(kiosk.run(R"(tap "Try again"
expect screen thank-you
expect stored 2
wait 6s
expect screen welcome
)" + std::string(kAnswerAndSubmit) +
                    "expect screen thank-you\nexpect stored 3\nwait 6s\n"));
    const auto after = kiosk.stored_in_file();
    REQUIRE(after.size() == 3);
    CHECK(after.front() == before.front());
    check_each_once_and_whole(after);

    // Working again, and staff status says so.
    CHECK(kiosk.run(kStaffStatus + R"(expect text "Working"
expect no text "could not be saved"
expect no text "storage is full"
tap "Close"
expect screen welcome
)"));
}

TEST_CASE("answers given while the disk is full and then left are kept and saved once space "
          "returns, before the next patient's") {
    DiskFullKiosk kiosk;
    kiosk.disk.fill_disk();
    // The patient gives up and walks away: the idle warning, then the welcome screen.
    REQUIRE(kiosk.run(std::string(kAnswerAndSubmit) + R"(expect screen could-not-save
wait 61s
expect screen still-there
wait 21s
expect screen welcome
expect stored 0
)"));
    CHECK(kiosk.run(kStaffStatus + R"(expect text "RED"
expect text "1 answered questionnaire(s) could not be saved yet"
expect text "the storage is full"
tap "Close"
expect screen welcome
)"));
    CHECK(kiosk.stored_in_file().empty());

    SECTION("the kiosk saves them by itself") {
        kiosk.disk.clear();
        CHECK(kiosk.run("wait 31s\nexpect stored 1\n"));
        CHECK(kiosk.run(std::string(kAnswerAndSubmit) +
                        "expect screen thank-you\nexpect stored 2\n"));
    }
    SECTION("the next patient's submit saves both, the earlier first") {
        CHECK(kiosk.run(std::string(kAnswerAndSubmit) + "expect screen could-not-save\n"));
        kiosk.disk.clear();
        CHECK(kiosk.run("tap \"Try again\"\nexpect screen thank-you\nexpect stored 2\n"));
    }
    const auto rows = kiosk.stored_in_file();
    REQUIRE(rows.size() == 2);
    check_each_once_and_whole(rows);
    const auto first_authored = json::parse(rows[0].second)["authored"].get<std::string>();
    const auto second_authored = json::parse(rows[1].second)["authored"].get<std::string>();
    CHECK(first_authored < second_authored); // the walked-away patient's, answered first
    CHECK(kiosk.run(kStaffStatus + "expect no text \"could not be saved\"\ntap \"Close\"\n"));
}

TEST_CASE("a response database that cannot be opened stops the kiosk a minute later, so it is "
          "started again and tries once more") {
    DiskFullKiosk kiosk(
        [](testing::FaultyVfs& disk) {
            disk.fail(testing::FaultyVfs::Operation::open, 1,
                      testing::FaultyVfs::Persistence::persistent);
        },
        false);
    CHECK(kiosk.log.text().find("responses cannot be stored") != std::string::npos);
    CHECK(kiosk.run("expect screen out-of-service\nwait 50s\nexpect screen out-of-service\n"));
    CHECK_FALSE(kiosk.app->restart_requested()); // not a tight loop of restarts
    kiosk.run("wait 15s\n");
    CHECK(kiosk.app->restart_requested());
    CHECK(kiosk.log.text().find("still cannot be opened: starting again") != std::string::npos);

    // The storage is back: the next start is a normal one, and patients' answers are stored.
    kiosk.disk.clear();
    kiosk.start_again();
    REQUIRE_FALSE(kiosk.app->out_of_service());
    CHECK(kiosk.run(std::string(kAnswerAndSubmit) + "expect screen thank-you\nexpect stored 1\n"));
    check_each_once_and_whole(kiosk.stored_in_file());
}
