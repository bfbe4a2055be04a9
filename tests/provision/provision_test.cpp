// `kiosk --provision`: settings and secrets dropped on the boot partition are checked where and
// as they will be used, moved into the settings folder only when every check passes, and
// deleted from the boot partition; a refused set changes nothing and says why.

#include "app/command_line.hpp"
#include "app/provision.hpp"

#include "../ui/kiosk_rig.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace kiosk;
namespace fs = std::filesystem;

namespace {

using test::CapturedLog;
using test::TempDir;

void write_file(const fs::path& file, const std::string& text, fs::perms mode = fs::perms(0644)) {
    std::ofstream(file, std::ios::binary) << text;
    fs::permissions(file, mode);
}

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

unsigned mode_of(const fs::path& file) {
    struct stat info {};
    REQUIRE(::lstat(file.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

// Everything in a folder (names, bytes and modes), to show that a refused set changed nothing.
std::map<std::string, std::string> snapshot(const fs::path& folder) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        auto name = entry.path().lexically_relative(folder).string();
        files[name] = entry.is_regular_file() ? read_file(entry.path()) + " mode " +
                                                    std::to_string(mode_of(entry.path()))
                                              : std::string("(folder)");
    }
    return files;
}

// One device as the provisioning sees it: the boot partition's kiosk/ folder, the settings
// folder, and the kiosk's data folder where a refusal is written.
struct Device {
    TempDir dir;
    CapturedLog log;
    fs::path boot = dir.path() / "boot" / "kiosk";
    fs::path settings = dir.path() / "etc" / "kiosk";
    fs::path data = dir.path() / "data";
    fs::path problem_file = data / "provisioning-problem";

    Device() {
        fs::create_directories(boot);
        fs::create_directories(settings);
        fs::create_directories(data);
    }

    // Settings that pass `kiosk --check`, naming their secrets relative to their own folder.
    std::string settings_text(const std::string& site = "Main Hospital",
                              const std::string& extra = "",
                              const std::string& token_file = "device-token") const {
        return "[device]\nid = \"ward-7-kiosk\"\nsite = \"" + site +
               "\"\nservice = \"Oncology outpatients\"\n"
               "[questionnaires]\nfiles = [\"" +
               test::questionnaire_path("friends-and-family-test") +
               "\"]\n"
               "[storage]\ndata_dir = \"" +
               data.string() +
               "\"\n"
               "[display]\nfullscreen = false\nwidth = 1280\nheight = 800\ndpi = 150\n"
               "[delivery]\nendpoint = \"https://127.0.0.1:9/fhir\"\nca_file = \"ca.pem\"\n"
               "token_file = \"" +
               token_file + "\"\n" + extra;
    }

    // What IT put on the card: FAT has no permissions, so everything reads as 0644 (or more).
    void offer_good_set(const std::string& site = "Main Hospital") {
        write_file(boot / "kiosk.toml", settings_text(site));
        write_file(boot / "device-token", "token-for-ward-7\n");
        write_file(boot / "ca.pem", "-----BEGIN CERTIFICATE-----\nnot checked here\n");
    }

    app::ProvisionReport provision() {
        app::ProvisionOwners owners{::getuid(), ::getuid(), ::getgid()};
        return app::provision({boot, settings, problem_file}, owners, log.log());
    }

    std::string problems_written() { return read_file(problem_file); }
};

} // namespace

TEST_CASE("a good set is moved into the settings folder with its owners and modes, and deleted "
          "from the boot partition") {
    Device device;
    device.offer_good_set();
    write_file(device.problem_file, "an old problem\n");

    auto report = device.provision();

    REQUIRE(report.outcome == app::ProvisionOutcome::provisioned);
    CHECK(report.problems.empty());
    CHECK(report.files == std::vector<std::string>{"ca.pem", "device-token", "kiosk.toml"});
    // The kiosk reads its settings through its group and may not change them; the secrets are
    // its own, and nobody else's.
    CHECK(mode_of(device.settings / "kiosk.toml") == 0640);
    CHECK(mode_of(device.settings / "device-token") == 0600);
    CHECK(mode_of(device.settings / "ca.pem") == 0600);
    for (const char* name : {"kiosk.toml", "device-token", "ca.pem"}) {
        struct stat info {};
        REQUIRE(::stat((device.settings / name).c_str(), &info) == 0);
        CHECK(info.st_uid == ::getuid());
        CHECK(info.st_gid == ::getgid());
    }
    CHECK(read_file(device.settings / "device-token") == "token-for-ward-7\n");
    CHECK(fs::is_empty(device.boot));
    CHECK_FALSE(fs::exists(device.problem_file));
    CHECK_FALSE(fs::exists(device.settings / ".provisioning"));
    // The token was world-readable on the boot partition, which is normal there: what is
    // checked is the mode it has in the settings folder.
    std::ostringstream checked;
    CHECK(app::check_settings(device.settings / "kiosk.toml", checked) == 0);
    INFO(checked.str());
    // The log says what was done, never what the token is.
    auto logged = device.log.text();
    CHECK(logged.find("moved into " + device.settings.string()) != std::string::npos);
    CHECK(logged.find("deleted ca.pem, device-token, kiosk.toml from") != std::string::npos);
    CHECK(logged.find("token-for-ward-7") == std::string::npos);
}

TEST_CASE("a replaced file is kept in previous/ for a roll-back") {
    Device device;
    device.offer_good_set("Old Hospital");
    REQUIRE(device.provision().outcome == app::ProvisionOutcome::provisioned);
    auto old_settings = read_file(device.settings / "kiosk.toml");

    device.offer_good_set("New Hospital");
    REQUIRE(device.provision().outcome == app::ProvisionOutcome::provisioned);

    CHECK(read_file(device.settings / "kiosk.toml").find("New Hospital") != std::string::npos);
    CHECK(read_file(device.settings / "previous" / "kiosk.toml") == old_settings);
    CHECK(mode_of(device.settings / "previous") == 0700);
    // The token was the same both times: nothing to keep, and the copy in previous/ is not
    // replaced by an identical one (a set provisioned twice after a power cut).
    CHECK_FALSE(fs::exists(device.settings / "previous" / "device-token"));
}

TEST_CASE("settings with an unknown key are refused: nothing moves, and the problem names the "
          "file on the boot partition and the line") {
    Device device;
    device.offer_good_set("Old Hospital");
    REQUIRE(device.provision().outcome == app::ProvisionOutcome::provisioned);
    auto before = snapshot(device.settings);

    device.offer_good_set();
    auto text = device.settings_text("Main Hospital", "[session]\nidle_timout_seconds = 60\n");
    write_file(device.boot / "kiosk.toml", text);
    auto line = std::count(text.begin(), text.end(), '\n'); // the key is on the last line

    auto report = device.provision();

    REQUIRE(report.outcome == app::ProvisionOutcome::refused);
    CHECK(snapshot(device.settings) == before);
    CHECK(fs::exists(device.boot / "kiosk.toml"));
    CHECK(fs::exists(device.boot / "device-token"));
    CHECK(fs::exists(device.boot / "ca.pem"));
    CHECK_FALSE(fs::exists(device.settings / ".provisioning"));
    auto written = device.problems_written();
    INFO(written);
    CHECK(written.find((device.boot / "kiosk.toml").string() +
                       " at 'session.idle_timout_seconds' (line " + std::to_string(line)) !=
          std::string::npos);
    CHECK(written.find("is not a known setting") != std::string::npos);
    CHECK(written.find(".provisioning") == std::string::npos); // no staging path shown
}

TEST_CASE("a secret the settings name but nobody provided is refused") {
    Device device;
    write_file(device.boot / "kiosk.toml", device.settings_text());
    write_file(device.boot / "ca.pem", "-----BEGIN CERTIFICATE-----\n");

    auto report = device.provision();

    REQUIRE(report.outcome == app::ProvisionOutcome::refused);
    CHECK_FALSE(fs::exists(device.settings / "kiosk.toml"));
    CHECK(fs::exists(device.boot / "kiosk.toml"));
    auto written = device.problems_written();
    INFO(written);
    CHECK(written.find((device.boot / "kiosk.toml").string() + " at 'delivery.token_file'") !=
          std::string::npos);
    CHECK(written.find((device.settings / "device-token").string() + ": no such file") !=
          std::string::npos);
}

TEST_CASE("a new token alone is checked in place of the old one, however the settings name it") {
    Device device;
    // Settings already in force name the token by its full path in the settings folder; the
    // old token there is one others can read, which the check would refuse.
    write_file(
        device.settings / "kiosk.toml",
        device.settings_text("Main Hospital", "", (device.settings / "device-token").string()),
        fs::perms(0640));
    write_file(device.settings / "ca.pem", "-----BEGIN CERTIFICATE-----\n", fs::perms(0600));
    write_file(device.settings / "device-token", "old-token\n", fs::perms(0644));
    write_file(device.boot / "device-token", "new-token\n");

    auto report = device.provision();

    INFO(device.log.text());
    REQUIRE(report.outcome == app::ProvisionOutcome::provisioned);
    CHECK(read_file(device.settings / "device-token") == "new-token\n");
    CHECK(read_file(device.settings / "previous" / "device-token") == "old-token\n");
    CHECK(mode_of(device.settings / "device-token") == 0600);
}

TEST_CASE("a file the settings do not name is refused rather than left unused") {
    Device device;
    device.offer_good_set();
    write_file(device.boot / "device_token", "a misspelt name\n");

    auto report = device.provision();

    REQUIRE(report.outcome == app::ProvisionOutcome::refused);
    auto written = device.problems_written();
    INFO(written);
    CHECK(written.find((device.boot / "device_token").string() + ": " +
                       (device.boot / "kiosk.toml").string() + " does not name it") !=
          std::string::npos);
    CHECK(fs::is_empty(device.settings));
}

TEST_CASE("a missing or empty boot folder is nothing to do, and clears an old refusal") {
    Device device;
    write_file(device.settings / "kiosk.toml", device.settings_text(), fs::perms(0640));
    auto before = snapshot(device.settings);
    write_file(device.problem_file, "a problem with files no longer on the card\n");

    SECTION("empty") {
        // Hidden files computers add to FAT folders do not count.
        write_file(device.boot / "._kiosk.toml", "resource fork");
        CHECK(device.provision().outcome == app::ProvisionOutcome::nothing_to_do);
        CHECK(fs::exists(device.boot / "._kiosk.toml"));
    }
    SECTION("missing") {
        fs::remove_all(device.boot);
        CHECK(device.provision().outcome == app::ProvisionOutcome::nothing_to_do);
    }
    CHECK(snapshot(device.settings) == before);
    CHECK_FALSE(fs::exists(device.problem_file));
}

TEST_CASE("a staging folder left by an interrupted run is removed") {
    Device device;
    fs::create_directories(device.settings / ".provisioning");
    write_file(device.settings / ".provisioning" / "kiosk.toml", "half a file");

    SECTION("with nothing to provision") {
        CHECK(device.provision().outcome == app::ProvisionOutcome::nothing_to_do);
    }
    SECTION("before a new set is provisioned") {
        device.offer_good_set();
        CHECK(device.provision().outcome == app::ProvisionOutcome::provisioned);
        CHECK(read_file(device.settings / "kiosk.toml").find("Main Hospital") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(device.settings / ".provisioning"));
    CHECK(device.log.text().find("left by an interrupted run") != std::string::npos);
}

TEST_CASE("symbolic links on the boot partition are refused") {
    Device device;
    device.offer_good_set();
    // A link could make root copy any file of the device into the kiosk's hands.
    write_file(device.dir.path() / "shadow", "secret of the device\n", fs::perms(0600));
    fs::remove(device.boot / "device-token");
    fs::create_symlink(device.dir.path() / "shadow", device.boot / "device-token");

    auto report = device.provision();

    REQUIRE(report.outcome == app::ProvisionOutcome::refused);
    CHECK(fs::is_empty(device.settings));
    CHECK(fs::is_symlink(device.boot / "device-token"));
    CHECK(read_file(device.dir.path() / "shadow") == "secret of the device\n");
    CHECK(device.problems_written().find((device.boot / "device-token").string() +
                                         ": is a symbolic link") != std::string::npos);
}

TEST_CASE("a folder on the boot partition is refused") {
    Device device;
    device.offer_good_set();
    fs::create_directories(device.boot / "certificates");

    REQUIRE(device.provision().outcome == app::ProvisionOutcome::refused);
    CHECK(device.problems_written().find((device.boot / "certificates").string() +
                                         ": is a folder") != std::string::npos);
    CHECK(fs::is_empty(device.settings));
}

TEST_CASE("the kiosk's reason names the first problem and counts the rest") {
    TempDir dir;
    CHECK_FALSE(app::provisioning_problem(dir.path()));
    write_file(dir.path() / "provisioning-problem", "first problem\nsecond problem\n");
    auto reason = app::provisioning_problem(dir.path());
    REQUIRE(reason);
    CHECK(*reason == "new settings on the boot partition were not used: first problem (and 1 "
                     "more problem(s) in " +
                         (dir.path() / "provisioning-problem").string() + ")");
}
