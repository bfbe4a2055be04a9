// The kiosk after a refused provisioning: its old settings still run storage and staff mode,
// but patients see the out-of-service screen, which says why the new settings were not used.

#include "app/provision.hpp"
#include "model/pin_hash.hpp"

#include "../ui/kiosk_rig.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace kiosk;
namespace fs = std::filesystem;

TEST_CASE("a refused provisioning puts the kiosk out of service with the reason, and staff mode "
          "still opens") {
    test::TempDir dir;
    test::CapturedLog log;
    auto pin = model::hash_pin("2468");
    REQUIRE(pin);
    auto settings = dir.path() / "kiosk.toml";
    std::ofstream(settings) << "[device]\nid = \"ward-7-kiosk\"\nsite = \"Main Hospital\"\n"
                            << "service = \"Oncology outpatients\"\n"
                            << "[questionnaires]\nfiles = [\""
                            << test::questionnaire_path("friends-and-family-test") << "\"]\n"
                            << "[storage]\ndata_dir = \"data\"\n"
                            << "[display]\nfullscreen = false\nwidth = 1280\nheight = 800\n"
                            << "dpi = 150\n"
                            << "[delivery]\nendpoint = \"https://127.0.0.1:9/fhir\"\n"
                            << "[staff]\nvolunteer_pin = \"" << *pin << "\"\n";
    fs::create_directories(dir.path() / "data");
    std::ofstream(dir.path() / "data" / app::kProvisioningProblemName)
        << "/boot/firmware/kiosk/kiosk.toml at 'session.idle_timout_seconds' (line 17, column "
           "1): 'idle_timout_seconds' is not a known setting\n"
        << "/boot/firmware/kiosk/notes.txt: not named\n";

    app::AppOptions options;
    options.settings_file = settings;
    options.headless = true;
    options.default_assets_dir = std::string(KIOSK_SOURCE_DIR) + "/assets";
    auto kiosk = app::KioskApp::start(options, log.log());
    REQUIRE(kiosk != nullptr);

    CHECK(kiosk->out_of_service());
    CHECK(kiosk->out_of_service_reason() ==
          "new settings on the boot partition were not used: /boot/firmware/kiosk/kiosk.toml at "
          "'session.idle_timout_seconds' (line 17, column 1): 'idle_timout_seconds' is not a "
          "known setting (and 1 more problem(s) in " +
              (dir.path() / "data" / app::kProvisioningProblemName).string() + ")");
    // The old settings' outbox is open: what is waiting is still delivered.
    CHECK(kiosk->outbox() != nullptr);
    CHECK(test::run_script(*kiosk, "expect screen out-of-service\n"
                                   "expect text \"new settings on the boot partition were not "
                                   "used\"\n"
                                   "tap 640 400\n"
                                   "expect screen out-of-service\n")
              .passed);
    CHECK(test::run_script(*kiosk, "hold 20 20 3s\nexpect screen staff-pin\ntype \"2468\"\n"
                                   "tap \"OK\"\nexpect screen staff-status\nexpect text \"RED\"\n")
              .passed);
    CHECK(log.text().find("out of service: new settings on the boot partition were not used") !=
          std::string::npos);
}
