// Device settings (TOML): the shipped files load and say what they should; every kind of mistake
// is refused with the file, the place (key and line/column) and plain words, because those are
// what IT staff read at `kiosk --check` to fix the file.

#include "settings/settings.hpp"

#include "model/pin_hash.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib> // mkdtemp
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace kiosk::settings;
using kiosk::model::Problem;
using kiosk::model::Problems;
using std::chrono::seconds;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = KIOSK_SOURCE_DIR;
const std::string kName = "test.toml";
const fs::path kBase = "/etc/kiosk";

// The smallest valid file: 13 lines, [delivery] last, so keys appended from line 14 on are in
// [delivery] until another [section] starts.
const std::string kMinimal = R"([device]
id = "kiosk-01"
site = "Test Hospital"
service = "Outpatients"

[questionnaires]
files = ["questionnaires/a.json", "questionnaires/b.json"]

[storage]
data_dir = "data"

[delivery]
endpoint = "https://feedback.example/fhir"
)";

// Hashes of the demo PINs 2468 and 1357, as `kiosk --hash-pin` made them (config/demo.toml).
const std::string kHash2468 = "$argon2id$v=19$m=65536,t=2,p=1$G4AAWcLBmOAaiRaOg6nhxg$"
                              "ITyhCFLcbnk0mWI2xldi6+bpWqUe0vf3h3aHWjJLnuA";
const std::string kHash1357 = "$argon2id$v=19$m=65536,t=2,p=1$L+cHV6ERxhGRGZfQ7LaYDA$"
                              "pRa0vNG7h7VtJcCP4AS22fYNOYw0sqfPxRFesu0hvM8";

// A well-formed public key pin: "sha256//" and 44 characters of base64 (from curl's manual).
const std::string kGoodPin = "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=";

std::string all_problems(const Problems& problems) {
    std::string out;
    for (const Problem& problem : problems) {
        out += problem.to_string() + "\n";
    }
    return out;
}

SettingsLoad parse(const std::string& text) {
    return parse_settings(text, kName, kBase);
}

// kMinimal with `from` (which must be there) replaced by `to`.
std::string minimal_with(const std::string& from, const std::string& to) {
    std::string text = kMinimal;
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

Settings loaded(const SettingsLoad& load) {
    INFO(all_problems(load.problems));
    REQUIRE(load.problems.empty());
    REQUIRE(load.settings.has_value());
    return *load.settings;
}

// The one problem a file with one mistake must have; the settings must then be refused.
Problem only_problem(const SettingsLoad& load) {
    INFO(all_problems(load.problems));
    REQUIRE(load.problems.size() == 1);
    CHECK_FALSE(load.settings.has_value());
    return load.problems.front();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A folder of its own under the system's temporary folder, removed at the end of the test.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "kiosk-settings-test-XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ignored);
        fs::remove_all(path, ignored);
    }
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream out(path / name, std::ios::binary);
        out << text;
        REQUIRE(out.good());
        return path / name;
    }
};

} // namespace

// --- The shipped files --------------------------------------------------------------------

TEST_CASE("config/demo.toml loads with no problems and its values are read", "[settings]") {
    const fs::path file = kSource / "config" / "demo.toml";
    const SettingsLoad load = load_settings_file(file);
    const Settings settings = loaded(load);

    CHECK(settings.file == fs::absolute(file));
    CHECK(settings.device.id == "demo-kiosk-01");
    CHECK(settings.device.site == "Demo Hospital");
    CHECK(settings.device.service == "Cancer outpatients");
    CHECK(settings.device.clinics ==
          std::vector<std::string>{"Cancer outpatients", "Chemotherapy day unit", "Radiotherapy"});

    // Relative paths are taken from the folder the file is in (config/), not the working folder.
    const fs::path config = fs::absolute(kSource / "config").lexically_normal();
    REQUIRE(settings.questionnaires.size() == 3);
    CHECK(settings.questionnaires[0] == config / "questionnaires" / "cancer-outpatients.json");
    CHECK(settings.questionnaires[1] == config / "questionnaires" / "friends-and-family-test.json");
    CHECK(settings.questionnaires[2] == config / "questionnaires" / "children.json");
    for (const fs::path& questionnaire : settings.questionnaires) {
        CHECK(questionnaire.is_absolute());
        CHECK(fs::is_regular_file(questionnaire));
    }
    CHECK(settings.active_questionnaire == "cancer-outpatients");
    CHECK(settings.data_dir == (config / ".." / ".run" / "demo-data").lexically_normal());
    CHECK(settings.assets_dir.empty());

    CHECK(settings.session.idle_timeout == seconds(90));
    CHECK(settings.session.idle_warning == seconds(30));
    CHECK(settings.session.thank_you == seconds(8));
    CHECK(settings.session.language == "en");

    CHECK_FALSE(settings.display.fullscreen);
    CHECK(settings.display.width == 1280);
    CHECK(settings.display.height == 800);
    CHECK(settings.display.dpi == Approx(150));
    CHECK_FALSE(settings.display.kiosk_mode);
    CHECK(settings.display.renderer == Renderer::software);

    CHECK(settings.delivery.endpoint == "https://127.0.0.1:8443/fhir");
    CHECK(settings.delivery.ca_file ==
          (config / ".." / ".run" / "demo-ca" / "ca.pem").lexically_normal());
    CHECK(settings.delivery.token_file ==
          (config / ".." / ".run" / "demo-ca" / "device-token").lexically_normal());
    CHECK(settings.delivery.client_certificate.empty());
    CHECK(settings.delivery.client_key.empty());
    CHECK(settings.delivery.pinned_public_keys.empty());
    CHECK_FALSE(settings.delivery.proxy.has_value()); // absent: from the environment
    CHECK(settings.delivery.connect_timeout == seconds(10));
    CHECK(settings.delivery.retry_cap == seconds(3600));

    // The demo PINs are the ones its comment gives: volunteer 2468, IT 1357.
    const StaffSettings& staff = settings.staff;
    CHECK(staff.enabled());
    CHECK(kiosk::model::pin_matches(staff.volunteer_pin_hash, "2468"));
    CHECK_FALSE(kiosk::model::pin_matches(staff.volunteer_pin_hash, "1357"));
    CHECK(kiosk::model::pin_matches(staff.it_pin_hash, "1357"));
    CHECK(staff.corner == Corner::top_left);
    CHECK(staff.hold == seconds(3));
    CHECK(staff.leave_after == seconds(60));
    CHECK(staff.help == "Demo kiosk: the IT service desk's number goes here");
    CHECK(staff.reboot_command.empty());
    CHECK(staff.power_off_command.empty());
    CHECK(settings.opening_hours.always_open());
}

TEST_CASE("config/kiosk.example.toml loads with no problems and its values are read",
          "[settings]") {
    const SettingsLoad load = load_settings_file(kSource / "config" / "kiosk.example.toml");
    const Settings settings = loaded(load);

    CHECK(settings.device.id == "onc-opd-kiosk-01");
    CHECK(settings.device.site == "Main Hospital, Oncology Outpatients");
    CHECK(settings.device.service == "Cancer outpatients");
    CHECK(settings.device.clinics ==
          std::vector<std::string>{"Cancer outpatients", "Chemotherapy day unit"});
    // Absolute paths are kept as they are.
    CHECK(settings.questionnaires ==
          std::vector<fs::path>{"/usr/share/kiosk/questionnaires/cancer-outpatients.json",
                                "/usr/share/kiosk/questionnaires/friends-and-family-test.json"});
    CHECK(settings.active_questionnaire == "cancer-outpatients");
    CHECK(settings.data_dir == "/var/lib/kiosk");
    CHECK(settings.assets_dir.empty()); // commented out: the built-in default

    CHECK(settings.session.idle_timeout == seconds(90));
    CHECK(settings.session.idle_warning == seconds(30));
    CHECK(settings.session.thank_you == seconds(10));
    CHECK(settings.session.language == "en");

    CHECK(settings.display.fullscreen);
    CHECK(settings.display.width == 1280);
    CHECK(settings.display.height == 800);
    CHECK(settings.display.dpi == Approx(150));
    CHECK(settings.display.kiosk_mode);
    CHECK(settings.display.renderer == Renderer::software);
    CHECK(settings.display.font == "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf");
    CHECK(settings.display.bold_font == "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf");

    const DeliverySettings& delivery = settings.delivery;
    CHECK(delivery.endpoint == "https://feedback.trust.example/fhir");
    CHECK(delivery.ca_file == "/etc/kiosk/ca.pem");
    CHECK(delivery.pinned_public_keys.empty());
    CHECK(delivery.client_certificate.empty());
    CHECK(delivery.client_key.empty());
    CHECK(delivery.token_file == "/etc/kiosk/token");
    CHECK_FALSE(delivery.proxy.has_value());
    CHECK(delivery.connect_timeout == seconds(10));
    CHECK(delivery.total_timeout == seconds(60));
    CHECK(delivery.low_speed_bytes_per_second == 100);
    CHECK(delivery.low_speed_time == seconds(20));
    CHECK(delivery.retry_base == seconds(5));
    CHECK(delivery.retry_cap == seconds(3600));
    CHECK(delivery.batch_max_entries == 50);
    CHECK(delivery.batch_max_bytes == 256 * 1024);
    CHECK(delivery.reply_max_bytes == 4096 * 1024);
    CHECK(delivery.retention_days == 30);

    // The PINs and the restart commands are commented out: each kiosk needs its own.
    const StaffSettings& staff = settings.staff;
    CHECK_FALSE(staff.enabled());
    CHECK(staff.corner == Corner::top_left);
    CHECK(staff.hold == seconds(3));
    CHECK(staff.leave_after == seconds(60));
    CHECK(staff.help == "IT service desk, extension 4444");
    CHECK(staff.reboot_command.empty());
    CHECK(staff.power_off_command.empty());

    const kiosk::model::OpeningHours& hours = settings.opening_hours;
    CHECK_FALSE(hours.always_open());
    CHECK(hours.describe_day(0) == "08:00 to 18:00");
    CHECK(hours.describe_day(3) == "08:00 to 18:00");
    CHECK(hours.describe_day(4) == "08:00 to 17:00");
    CHECK(hours.describe_day(5) == "closed");
    CHECK(hours.describe_day(6) == "closed");
}

TEST_CASE("the example's commented-out keys are real keys with valid example values",
          "[settings]") {
    // Turn "# key = value" lines back on; the file must still load, so none is misspelt.
    std::istringstream lines(read_file(kSource / "config" / "kiosk.example.toml"));
    std::string text;
    std::vector<std::string> enabled;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("# ", 0) == 0 && line.find(" = ") != std::string::npos &&
            line.find_first_of(" ", 2) == line.find(" = ")) {
            line = line.substr(2);
            enabled.push_back(line.substr(0, line.find(' ')));
        }
        text += line + "\n";
    }
    CHECK(enabled == std::vector<std::string>{"assets", "languages", "client_certificate",
                                              "client_key", "proxy", "volunteer_pin", "it_pin",
                                              "reboot_command", "power_off_command"});
    const Settings settings = loaded(parse(text));
    CHECK(settings.assets_dir == "/usr/share/kiosk/assets");
    CHECK(settings.session.languages ==
          std::vector<std::string>{"en", "cy", "pl", "ar", "ur", "pa-Guru"});
    CHECK(settings.delivery.client_certificate == "/etc/kiosk/device.pem");
    CHECK(settings.delivery.client_key == "/etc/kiosk/device.key");
    REQUIRE(settings.delivery.proxy.has_value());
    CHECK(settings.delivery.proxy->empty());
    // The example's PIN hashes are well formed, and are not of a PIN anyone would guess first.
    CHECK(settings.staff.enabled());
    CHECK(kiosk::model::is_pin_hash(settings.staff.volunteer_pin_hash));
    CHECK(kiosk::model::is_pin_hash(settings.staff.it_pin_hash));
    for (const char* guess : {"0000", "1234", "2468", "1357"}) {
        CHECK_FALSE(kiosk::model::pin_matches(settings.staff.volunteer_pin_hash, guess));
    }
    CHECK(settings.staff.reboot_command ==
          std::vector<std::string>{"/usr/bin/systemctl", "reboot"});
    CHECK(settings.staff.power_off_command ==
          std::vector<std::string>{"/usr/bin/systemctl", "poweroff"});
}

TEST_CASE("config/kiosk.example.toml documents every key the loader knows", "[settings]") {
    const std::string example = read_file(kSource / "config" / "kiosk.example.toml");
    // An unknown key in each section makes the loader list the keys it knows there.
    std::string all =
        kMinimal +
        "[session]\n[display]\n[paths]\n[staff]\n[opening_hours]\nmonday = \"08:00-18:00\"\n";
    for (const std::string section :
         {"[device]\n", "[questionnaires]\n", "[storage]\n", "[delivery]\n", "[session]\n",
          "[display]\n", "[paths]\n", "[staff]\n", "[opening_hours]\n"}) {
        auto at = all.find(section);
        REQUIRE(at != std::string::npos);
        all.insert(at + section.size(), "zz_unknown = 1\n");
    }
    const SettingsLoad load = parse(all);
    INFO(all_problems(load.problems));
    REQUIRE(load.problems.size() == 9);
    std::set<std::string> sections;
    int keys_checked = 0;
    for (const Problem& problem : load.problems) {
        const std::string marker = "(known here: ";
        auto begin = problem.what.find(marker);
        REQUIRE(begin != std::string::npos);
        begin += marker.size();
        const std::string known = problem.what.substr(begin, problem.what.find(')', begin) - begin);
        sections.insert(problem.place.substr(1, problem.place.find('.') - 1));
        std::istringstream keys(known);
        for (std::string key; std::getline(keys, key, ',');) {
            key.erase(0, key.find_first_not_of(' '));
            ++keys_checked;
            INFO("key '" << key << "' in " << problem.place);
            CHECK((contains(example, "\n" + key + " = ") || contains(example, "# " + key + " = ")));
        }
    }
    CHECK(keys_checked >= 52); // as many as there were when this test was written
    CHECK(sections == std::set<std::string>{"delivery", "device", "display", "opening_hours",
                                            "paths", "questionnaires", "session", "staff",
                                            "storage"});
}

// --- Values read from a file ----------------------------------------------------------------

TEST_CASE("relative paths are taken from the settings file's folder", "[settings]") {
    const std::string text = R"([device]
id = "kiosk-01"
site = "Test Hospital"
service = "Outpatients"

[questionnaires]
files = ["q/a.json", "/opt/q/b.json", "../shared/c.json"]

[storage]
data_dir = "./data/../outbox"

[paths]
assets = "assets"

[display]
font = "fonts/Regular.ttf"
bold_font = "/usr/share/fonts/Bold.ttf"

[delivery]
endpoint = "https://feedback.example/fhir"
ca_file = "ca.pem"
client_certificate = "tls/device.pem"
client_key = "tls/device.key"
token_file = "../secrets/token"
)";
    SECTION("parse_settings uses the base folder it is given") {
        const Settings settings = loaded(parse(text));
        CHECK(settings.file == kName);
        CHECK(settings.questionnaires ==
              std::vector<fs::path>{"/etc/kiosk/q/a.json", "/opt/q/b.json", "/etc/shared/c.json"});
        CHECK(settings.active_questionnaire == "a"); // the first, when `active` is not given
        CHECK(settings.data_dir == "/etc/kiosk/outbox");
        CHECK(settings.assets_dir == "/etc/kiosk/assets");
        CHECK(settings.display.font == "/etc/kiosk/fonts/Regular.ttf");
        CHECK(settings.display.bold_font == "/usr/share/fonts/Bold.ttf");
        CHECK(settings.delivery.ca_file == "/etc/kiosk/ca.pem");
        CHECK(settings.delivery.client_certificate == "/etc/kiosk/tls/device.pem");
        CHECK(settings.delivery.client_key == "/etc/kiosk/tls/device.key");
        CHECK(settings.delivery.token_file == "/etc/secrets/token");
    }
    SECTION("load_settings_file uses the folder the file is in") {
        TempDir dir;
        fs::create_directory(dir.path / "site");
        const fs::path file = dir.write("site/kiosk.toml", text);
        const Settings settings = loaded(load_settings_file(file));
        const fs::path folder = fs::absolute(dir.path / "site");
        CHECK(settings.file == fs::absolute(file));
        REQUIRE(settings.questionnaires.size() == 3);
        CHECK(settings.questionnaires[0] == folder / "q" / "a.json");
        CHECK(settings.questionnaires[2] == fs::absolute(dir.path) / "shared" / "c.json");
        CHECK(settings.data_dir == folder / "outbox");
        CHECK(settings.delivery.token_file == fs::absolute(dir.path) / "secrets" / "token");
    }
}

TEST_CASE("a proxy left out and a proxy of \"\" are told apart", "[settings]") {
    SECTION("left out: the environment decides") {
        const Settings settings = loaded(parse(kMinimal));
        CHECK_FALSE(settings.delivery.proxy.has_value());
    }
    SECTION("\"\": no proxy at all") {
        const Settings settings = loaded(parse(kMinimal + "proxy = \"\"\n"));
        REQUIRE(settings.delivery.proxy.has_value());
        CHECK(*settings.delivery.proxy == "");
    }
    SECTION("an address") {
        const Settings settings =
            loaded(parse(kMinimal + "proxy = \"http://proxy.trust.example:8080\"\n"));
        REQUIRE(settings.delivery.proxy.has_value());
        CHECK(*settings.delivery.proxy == "http://proxy.trust.example:8080");
    }
}

TEST_CASE("optional settings left out take their documented defaults", "[settings]") {
    const Settings settings = loaded(parse(kMinimal));
    CHECK(settings.active_questionnaire == "a");
    CHECK(settings.assets_dir.empty());
    CHECK(settings.session.idle_timeout == seconds(90));
    CHECK(settings.session.idle_warning == seconds(30));
    CHECK(settings.session.thank_you == seconds(10));
    CHECK(settings.session.language == "en");
    CHECK(settings.display.fullscreen);
    CHECK(settings.display.kiosk_mode);
    CHECK(settings.display.dpi == Approx(150));
    CHECK(settings.display.renderer == Renderer::software);
    CHECK(settings.delivery.ca_file.empty());
    CHECK(settings.delivery.total_timeout == seconds(60));
    CHECK(settings.delivery.retry_base == seconds(5));
    CHECK(settings.delivery.retry_cap == seconds(3600));
    CHECK(settings.delivery.batch_max_entries == 50);
    CHECK(settings.delivery.batch_max_bytes == 256 * 1024);
    CHECK(settings.delivery.reply_max_bytes == 4 * 1024 * 1024);
    CHECK(settings.delivery.retention_days == 30);
    CHECK(settings.device.clinics == std::vector<std::string>{"Outpatients"}); // just the service
    CHECK_FALSE(settings.staff.enabled()); // no [staff]: staff mode is off
    CHECK(settings.staff.volunteer_pin_hash.empty());
    CHECK(settings.staff.it_pin_hash.empty());
    CHECK(settings.staff.corner == Corner::top_left);
    CHECK(settings.staff.hold == seconds(3));
    CHECK(settings.staff.leave_after == seconds(60));
    CHECK(settings.staff.help.empty());
    CHECK(settings.staff.reboot_command.empty());
    CHECK(settings.staff.power_off_command.empty());
    CHECK(settings.opening_hours.always_open()); // no [opening_hours]: always open
}

TEST_CASE("values at the edges of their ranges are accepted", "[settings]") {
    const Settings settings = loaded(parse(kMinimal + R"(retry_base_seconds = 60
retry_cap_seconds = 60
batch_max_entries = 1
batch_max_kib = 1
retention_days = 0
pinned_public_keys = [")" + kGoodPin + R"("]
[session]
idle_timeout_seconds = 20
idle_warning_seconds = 20
thank_you_seconds = 120
[display]
dpi = 50
width = 7680
height = 240
renderer = "accelerated"
)"));
    CHECK(settings.delivery.retry_base == seconds(60));
    CHECK(settings.delivery.retry_cap == seconds(60));
    CHECK(settings.delivery.batch_max_entries == 1);
    CHECK(settings.delivery.batch_max_bytes == 1024);
    CHECK(settings.delivery.retention_days == 0);
    CHECK(settings.delivery.pinned_public_keys == std::vector<std::string>{kGoodPin});
    CHECK(settings.session.idle_timeout == seconds(20));
    CHECK(settings.session.idle_warning == seconds(20));
    CHECK(settings.session.thank_you == seconds(120));
    CHECK(settings.display.dpi == Approx(50));
    CHECK(settings.display.width == 7680);
    CHECK(settings.display.height == 240);
    CHECK(settings.display.renderer == Renderer::accelerated);
}

// --- One test per kind of mistake -----------------------------------------------------------

TEST_CASE("a TOML syntax error is reported with its line and column", "[settings][problems]") {
    SECTION("a quote that is never closed") {
        const Problem problem = only_problem(parse(minimal_with(R"("kiosk-01")", R"("kiosk-01)")));
        CHECK(problem.file == kName);
        CHECK(problem.place == "line 2, column 15");
        CHECK(contains(problem.what, "not valid TOML: "));
    }
    SECTION("a key given twice") {
        const Problem problem =
            only_problem(parse(kMinimal + "endpoint = \"https://b.example\"\n"));
        CHECK(problem.file == kName);
        CHECK(problem.place == "line 14, column 12");
        CHECK(contains(problem.what, "not valid TOML: "));
        CHECK(contains(problem.what, "endpoint"));
    }
}

TEST_CASE("an unknown section is refused and the known ones are listed", "[settings][problems]") {
    const Problem problem = only_problem(parse(kMinimal + "\n[colours]\nbackground = \"blue\"\n"));
    CHECK(problem.file == kName);
    CHECK(problem.place == "'colours' (line 15, column 1)");
    CHECK(problem.what == "is not a known section (known: device, questionnaires, storage, "
                          "session, display, delivery, paths, staff, opening_hours)");
}

TEST_CASE("an unknown key is refused and the known keys of its section are listed",
          "[settings][problems]") {
    SECTION("a misspelt key") {
        const Problem problem =
            only_problem(parse(kMinimal + "[session]\nidle_timout_seconds = 90\n"));
        CHECK(problem.file == kName);
        CHECK(problem.place == "'session.idle_timout_seconds' (line 15, column 23)");
        CHECK(problem.what == "is not a known setting (known here: idle_timeout_seconds, "
                              "idle_warning_seconds, language, languages, more_time, "
                              "read_aloud, thank_you_seconds)");
    }
    SECTION("a sub-table inside a section") {
        const Problem problem = only_problem(parse(kMinimal + "[device.extra]\nx = 1\n"));
        CHECK(problem.place == "'device.extra' (line 14, column 1)");
        CHECK(problem.what == "is not a known setting (known here: clinics, id, service, site)");
    }
}

TEST_CASE("a value of the wrong type is refused with what is wanted", "[settings][problems]") {
    struct Case {
        std::string text;  // appended to kMinimal
        std::string place; // exact
        std::string what;  // exact
    };
    const std::vector<Case> cases = {
        {"[session]\nidle_timeout_seconds = \"90\"\n",
         "'session.idle_timeout_seconds' (line 15, column 24)", "must be a whole number"},
        {"[session]\nidle_timeout_seconds = 90.5\n",
         "'session.idle_timeout_seconds' (line 15, column 24)", "must be a whole number"},
        {"[display]\ndpi = \"150\"\n", "'display.dpi' (line 15, column 7)", "must be a number"},
        {"[display]\nfullscreen = \"yes\"\n", "'display.fullscreen' (line 15, column 14)",
         "must be true or false"},
        {"[session]\nlanguage = 7\n", "'session.language' (line 15, column 12)",
         "must be text in quotes"},
        {"[display]\nrenderer = [\"software\"]\n", "'display.renderer' (line 15, column 12)",
         "must be text in quotes"},
        {"pinned_public_keys = \"sha256//x\"\n\n",
         "'delivery.pinned_public_keys' (line 14, column 22)",
         "must be a list of texts, like [\"a\", \"b\"]"},
    };
    for (const Case& row : cases) {
        DYNAMIC_SECTION(row.text) {
            const Problem problem = only_problem(parse(kMinimal + row.text));
            CHECK(problem.file == kName);
            CHECK(problem.place == row.place);
            CHECK(problem.what == row.what);
        }
    }
    SECTION("an element of a list") {
        const Problem problem = only_problem(
            parse(minimal_with(R"(files = ["questionnaires/a.json", "questionnaires/b.json"])",
                               R"(files = ["questionnaires/a.json", 2])")));
        CHECK(problem.place == "'questionnaires.files[1]' (line 7, column 35)");
        CHECK(problem.what == "must be text in quotes");
    }
}

TEST_CASE("a number out of range is refused with the range and the value", "[settings][problems]") {
    SECTION("a 5 second idle warning: WCAG 2.2.1 wants at least 20") {
        const Problem problem =
            only_problem(parse(kMinimal + "[session]\nidle_warning_seconds = 5\n"));
        CHECK(problem.file == kName);
        CHECK(problem.place == "'session.idle_warning_seconds' (line 15, column 24)");
        CHECK(problem.what == "must be from 20 to 600 (it is 5)");
    }
    SECTION("more responses in one upload than the endpoint takes") {
        const Problem problem = only_problem(parse(kMinimal + "batch_max_entries = 51\n"));
        CHECK(problem.place == "'delivery.batch_max_entries' (line 14, column 21)");
        CHECK(problem.what == "must be from 1 to 50 (it is 51)");
    }
    SECTION("a negative retention") {
        const Problem problem = only_problem(parse(kMinimal + "retention_days = -1\n"));
        CHECK(problem.place == "'delivery.retention_days' (line 14, column 18)");
        CHECK(problem.what == "must be from 0 to 3650 (it is -1)");
    }
    SECTION("a dpi too large") {
        const Problem problem = only_problem(parse(kMinimal + "[display]\ndpi = 1000.5\n"));
        CHECK(problem.place == "'display.dpi' (line 15, column 7)");
        CHECK(problem.what == "must be from 50 to 600 (it is 1000.5)");
    }
    SECTION("a dpi that is not a number at all (nan) or infinite") {
        for (const std::string value : {"nan", "+inf", "-inf"}) {
            INFO("dpi = " << value);
            const Problem problem =
                only_problem(parse(kMinimal + "[display]\ndpi = " + value + "\n"));
            CHECK(problem.place == "'display.dpi' (line 15, column 7)");
            CHECK(contains(problem.what, "must be from 50 to 600 (it is "));
        }
    }
}

TEST_CASE("a required key that is missing is named", "[settings][problems]") {
    const Problem problem = only_problem(parse(minimal_with("id = \"kiosk-01\"\n", "")));
    CHECK(problem.file == kName);
    CHECK(problem.place == "'device.id'"); // nowhere in the file to point at
    CHECK(problem.what == "is required but missing");
}

TEST_CASE("a required section that is missing is reported once", "[settings][problems]") {
    SECTION("missing") {
        const Problem problem =
            only_problem(parse(minimal_with("[storage]\ndata_dir = \"data\"\n", "")));
        CHECK(problem.file == kName);
        CHECK(problem.place == ""); // the whole file
        CHECK(problem.what == "the [storage] section is missing");
    }
    SECTION("given as a value instead of a section") {
        // Top-level keys come before the first [section].
        const Problem problem = only_problem(
            parse("storage = \"data\"\n" + minimal_with("[storage]\ndata_dir = \"data\"\n", "")));
        CHECK(problem.place == "'storage' (line 1, column 11)");
        CHECK(problem.what == "must be a [storage] section");
    }
    SECTION("[questionnaires] and [delivery] too") {
        std::string text = minimal_with("[questionnaires]\nfiles = [\"questionnaires/a.json\", "
                                        "\"questionnaires/b.json\"]\n",
                                        "");
        text = text.substr(0, text.find("[delivery]"));
        const SettingsLoad load = parse(text);
        INFO(all_problems(load.problems));
        REQUIRE(load.problems.size() == 2);
        CHECK(load.problems[0].what == "the [questionnaires] section is missing");
        CHECK(load.problems[1].what == "the [delivery] section is missing");
    }
}

TEST_CASE("a device id is refused unless it is a plain name", "[settings][problems]") {
    const std::vector<std::string> ids = {"kiosk 01", "", "kiosk/01", "kiosk\\u00e901",
                                          std::string(65, 'k')};
    for (const std::string& id : ids) {
        DYNAMIC_SECTION("id \"" << id << "\"") {
            const Problem problem =
                only_problem(parse(minimal_with(R"("kiosk-01")", "\"" + id + "\"")));
            CHECK(problem.file == kName);
            CHECK(problem.place == "'device.id' (line 2, column 6)");
            CHECK(contains(problem.what, "must be 1 to 64 letters, digits, '-', '_' or '.'"));
        }
    }
    SECTION("64 characters are allowed") {
        const Settings settings =
            loaded(parse(minimal_with(R"("kiosk-01")", "\"" + std::string(64, 'k') + "\"")));
        CHECK(settings.device.id == std::string(64, 'k'));
    }
}

TEST_CASE("an endpoint that is not https is refused", "[settings][problems]") {
    for (const std::string endpoint :
         {"http://feedback.example/fhir", "https://", "ftp://x", "feedback.example/fhir"}) {
        DYNAMIC_SECTION(endpoint) {
            const Problem problem =
                only_problem(parse(minimal_with("https://feedback.example/fhir", endpoint)));
            CHECK(problem.file == kName);
            CHECK(problem.place == "'delivery.endpoint' (line 13, column 12)");
            CHECK(problem.what ==
                  "must be an https:// address (responses never travel unencrypted)");
        }
    }
}

TEST_CASE("a client certificate and its key must come together", "[settings][problems]") {
    SECTION("a certificate without its key") {
        const Problem problem =
            only_problem(parse(kMinimal + "client_certificate = \"/etc/kiosk/device.pem\"\n"));
        CHECK(problem.file == kName);
        CHECK(problem.place == "'delivery.client_certificate' (line 14, column 22)");
        CHECK(problem.what == "is set but client_key is not: a client certificate and its key "
                              "must be given together");
    }
    SECTION("a key without its certificate") {
        const Problem problem =
            only_problem(parse(kMinimal + "\nclient_key = \"/etc/kiosk/device.key\"\n"));
        CHECK(problem.place == "'delivery.client_key' (line 15, column 14)");
        CHECK(contains(problem.what, "is set but client_certificate is not"));
    }
    SECTION("both") {
        const Settings settings = loaded(
            parse(kMinimal + "client_certificate = \"device.pem\"\nclient_key = \"device.key\"\n"));
        CHECK(settings.delivery.client_certificate == "/etc/kiosk/device.pem");
        CHECK(settings.delivery.client_key == "/etc/kiosk/device.key");
    }
}

TEST_CASE("a malformed public key pin is refused and pointed at", "[settings][problems]") {
    REQUIRE(kGoodPin.size() == 8 + 44);
    for (const std::string& pin :
         {std::string("sha256//"), std::string("sha256//abc"),
          std::string("sha1//") + kGoodPin.substr(8), kGoodPin.substr(0, kGoodPin.size() - 1),
          kGoodPin.substr(0, 20) + ";" + kGoodPin.substr(21), "SHA256//" + kGoodPin.substr(8)}) {
        DYNAMIC_SECTION("pin \"" << pin << "\"") {
            const Problem problem = only_problem(
                parse(kMinimal + "pinned_public_keys = [\"" + kGoodPin + "\", \"" + pin + "\"]\n"));
            CHECK(problem.file == kName);
            // The second pin, not the list.
            CHECK(problem.place == "'delivery.pinned_public_keys[1]' (line 14, column 79)");
            CHECK(
                contains(problem.what, "must be \"sha256//\" followed by the 44-character base64"));
            CHECK(contains(problem.what, "(got \"" + pin + "\")"));
        }
    }
}

TEST_CASE("an unknown renderer is refused with the choices", "[settings][problems]") {
    const Problem problem = only_problem(parse(kMinimal + "[display]\nrenderer = \"gpu\"\n"));
    CHECK(problem.file == kName);
    CHECK(problem.place == "'display.renderer' (line 15, column 12)");
    CHECK(problem.what == "must be \"software\" or \"accelerated\" (it is \"gpu\")");
}

TEST_CASE("the active questionnaire must be one of those listed", "[settings][problems]") {
    SECTION("not listed") {
        const Problem problem =
            only_problem(parse(minimal_with("[storage]", "active = \"children\"\n\n[storage]")));
        CHECK(problem.file == kName);
        CHECK(problem.place == "'questionnaires.active' (line 9, column 10)");
        CHECK(problem.what == "names 'children', which is not one of the files listed");
    }
    SECTION("listed: by its file name without .json") {
        const Settings settings =
            loaded(parse(minimal_with("[storage]", "active = \"b\"\n\n[storage]")));
        CHECK(settings.active_questionnaire == "b");
    }
}

TEST_CASE("retry_cap_seconds below retry_base_seconds is refused", "[settings][problems]") {
    SECTION("both given") {
        const Problem problem =
            only_problem(parse(kMinimal + "retry_base_seconds = 60\nretry_cap_seconds = 30\n"));
        CHECK(problem.file == kName);
        CHECK(problem.place == "'delivery.retry_cap_seconds' (line 15, column 21)");
        CHECK(problem.what == "must not be less than retry_base_seconds");
    }
    SECTION("only the cap given, below the default base of 5") {
        const Problem problem = only_problem(parse(kMinimal + "retry_cap_seconds = 2\n"));
        CHECK(problem.place == "'delivery.retry_cap_seconds' (line 14, column 21)");
        CHECK(problem.what == "must not be less than retry_base_seconds");
    }
}

TEST_CASE("several problems in one file are all reported, in file order", "[settings][problems]") {
    const std::string text = R"([device]
id = "kiosk 01"
site = "Test Hospital"
service = "Outpatients"
colour = "blue"

[questionnaires]
files = ["a.json"]

[storage]
data_dir = "data"

[session]
idle_warning_seconds = 5

[display]
renderer = "gpu"

[delivery]
endpoint = "http://feedback.example/fhir"
)";
    const SettingsLoad load = parse(text);
    INFO(all_problems(load.problems));
    CHECK_FALSE(load.settings.has_value());
    REQUIRE(load.problems.size() == 5);
    for (const Problem& problem : load.problems) {
        CHECK(problem.file == kName);
    }
    CHECK(load.problems[0].place == "'device.id' (line 2, column 6)");
    CHECK(load.problems[1].place == "'device.colour' (line 5, column 10)");
    CHECK(load.problems[2].place == "'session.idle_warning_seconds' (line 14, column 24)");
    CHECK(load.problems[3].place == "'display.renderer' (line 17, column 12)");
    CHECK(load.problems[4].place == "'delivery.endpoint' (line 20, column 12)");
    CHECK(contains(load.problems[4].what, "https://"));
}

TEST_CASE("a settings file that cannot be read is reported as such", "[settings][problems]") {
    SECTION("no such file") {
        const fs::path missing = "/nonexistent-kiosk-folder/kiosk.toml";
        const Problem problem = only_problem(load_settings_file(missing));
        CHECK(problem.file == missing.string());
        CHECK(problem.place == "");
        CHECK(problem.what == "cannot open the settings file: there is no such file");
    }
    SECTION("a folder") {
        TempDir dir;
        const Problem problem = only_problem(load_settings_file(dir.path));
        CHECK(problem.file == dir.path.string());
        CHECK(problem.place == "");
        CHECK(problem.what == "cannot open the settings file: it is a folder, not a file");
    }
    SECTION("a file without read permission") {
        TempDir dir;
        const fs::path file = dir.write("kiosk.toml", kMinimal);
        fs::permissions(file, fs::perms::none);
        if (access(file.c_str(), R_OK) == 0) {
            WARN("running as root: every file is readable, so this case cannot be checked here");
        } else {
            const Problem problem = only_problem(load_settings_file(file));
            CHECK(problem.file == file.string());
            CHECK(problem.what ==
                  "cannot open the settings file: it cannot be read (permissions?)");
        }
    }
    SECTION("problems in a file read from disk name the file as it was given") {
        TempDir dir;
        const fs::path file = dir.write("kiosk.toml", kMinimal + "[display]\nrenderer = \"gpu\"\n");
        const Problem problem = only_problem(load_settings_file(file));
        CHECK(problem.file == file.string());
        CHECK(problem.place == "'display.renderer' (line 15, column 12)");
    }
}

TEST_CASE("the session language must be a language tag, since it names a file") {
    auto with_language = [](const std::string& language) {
        return kiosk::settings::parse_settings(
            "[device]\nid = \"a\"\nsite = \"s\"\nservice = \"s\"\n[questionnaires]\nfiles = "
            "[\"q.json\"]\n[storage]\ndata_dir = \"d\"\n[session]\nlanguage = \"" +
                language + "\"\n[delivery]\nendpoint = \"https://127.0.0.1/\"\n",
            "lang.toml", "/tmp");
    };
    for (const char* bad : {"../../etc/x", "", "e", "engl", "en-", "-en", "en--GB", "en-G",
                            "en-toolonger", "e1", "en_GB", "en GB", "cy/", "ar-\u00e9g"}) {
        INFO(bad);
        auto load = with_language(bad);
        REQUIRE(load.problems.size() == 1);
        CHECK(load.problems[0].place.find("'session.language'") == 0);
        CHECK(load.problems[0].what.find("language tag") != std::string::npos);
    }
    for (const char* good : {"en", "cy", "pa-Guru", "zh-Hans-CN", "es-419", "EN-gb"}) {
        INFO(good);
        auto load = with_language(good);
        CHECK(load.problems.empty());
        REQUIRE(load.settings);
        CHECK(load.settings->session.language == good);
    }
}

// --- Clinics a volunteer may switch between -------------------------------------------------

TEST_CASE("the clinics a volunteer may switch between include the default one", "[settings]") {
    SECTION("listed, in the file's order") {
        const Settings settings = loaded(parse(minimal_with(
            "service = \"Outpatients\"\n",
            "service = \"Outpatients\"\nclinics = [\"Day unit\", \"Outpatients\"]\n")));
        CHECK(settings.device.service == "Outpatients");
        CHECK(settings.device.clinics == std::vector<std::string>{"Day unit", "Outpatients"});
    }
    SECTION("the service alone") {
        const Settings settings =
            loaded(parse(minimal_with("service = \"Outpatients\"\n",
                                      "service = \"Outpatients\"\nclinics = [\"Outpatients\"]\n")));
        CHECK(settings.device.clinics == std::vector<std::string>{"Outpatients"});
    }
}

TEST_CASE("a clinic list without the default clinic, or with an empty or repeated name, is "
          "refused",
          "[settings][problems]") {
    auto with_clinics = [](const std::string& list) {
        return parse(minimal_with("service = \"Outpatients\"\n",
                                  "service = \"Outpatients\"\nclinics = " + list + "\n"));
    };
    SECTION("the default clinic (service) is not listed") {
        const Problem problem = only_problem(with_clinics("[\"Day unit\", \"Radiotherapy\"]"));
        CHECK(problem.file == kName);
        CHECK(problem.place == "'device.service' (line 4, column 11)");
        CHECK(problem.what == "is \"Outpatients\", which is not one of device.clinics (the "
                              "default clinic must be one a volunteer can switch back to)");
    }
    SECTION("an empty list") {
        const Problem problem = only_problem(with_clinics("[]"));
        CHECK(problem.place == "'device.clinics' (line 5, column 11)");
        CHECK(contains(problem.what, "must list at least one clinic"));
    }
    SECTION("an empty name") {
        const Problem problem = only_problem(with_clinics("[\"Outpatients\", \" \"]"));
        CHECK(problem.place == "'device.clinics[1]' (line 5, column 27)");
        CHECK(problem.what == "must not be empty");
    }
    SECTION("a name given twice") {
        const Problem problem =
            only_problem(with_clinics("[\"Outpatients\", \"Day unit\", \"Outpatients\"]"));
        CHECK(problem.place == "'device.clinics[2]' (line 5, column 39)");
        CHECK(problem.what == "lists \"Outpatients\" a second time");
    }
    SECTION("not a list of texts") {
        const Problem problem = only_problem(with_clinics("\"Outpatients\""));
        CHECK(problem.place == "'device.clinics' (line 5, column 11)");
        CHECK(problem.what == "must be a list of texts, like [\"a\", \"b\"]");
    }
}

// --- Staff mode -----------------------------------------------------------------------------

TEST_CASE("every [staff] key is read", "[settings]") {
    const Settings settings = loaded(parse(kMinimal + R"([staff]
volunteer_pin = ")" + kHash2468 + R"("
it_pin = ")" + kHash1357 + R"("
corner = "bottom-right"
hold_seconds = 5
leave_after_seconds = 120
help = "IT service desk, extension 4444"
reboot_command = ["/usr/bin/sudo", "-n", "/usr/sbin/reboot"]
power_off_command = ["/usr/bin/sudo", "-n", "/usr/sbin/poweroff"]
)"));
    const StaffSettings& staff = settings.staff;
    CHECK(staff.enabled());
    CHECK(staff.volunteer_pin_hash == kHash2468);
    CHECK(staff.it_pin_hash == kHash1357);
    CHECK(staff.corner == Corner::bottom_right);
    CHECK(staff.hold == seconds(5));
    CHECK(staff.leave_after == seconds(120));
    CHECK(staff.help == "IT service desk, extension 4444");
    CHECK(staff.reboot_command ==
          std::vector<std::string>{"/usr/bin/sudo", "-n", "/usr/sbin/reboot"});
    CHECK(staff.power_off_command ==
          std::vector<std::string>{"/usr/bin/sudo", "-n", "/usr/sbin/poweroff"});
}

TEST_CASE("staff mode is on with either PIN alone", "[settings]") {
    SECTION("a volunteer PIN only") {
        const Settings settings =
            loaded(parse(kMinimal + "[staff]\nvolunteer_pin = \"" + kHash2468 + "\"\n"));
        CHECK(settings.staff.enabled());
        CHECK(settings.staff.it_pin_hash.empty());
    }
    SECTION("an IT PIN only") {
        const Settings settings =
            loaded(parse(kMinimal + "[staff]\nit_pin = \"" + kHash1357 + "\"\n"));
        CHECK(settings.staff.enabled());
        CHECK(settings.staff.volunteer_pin_hash.empty());
    }
    SECTION("a [staff] section without PINs: off") {
        const Settings settings = loaded(parse(kMinimal + "[staff]\ncorner = \"top-right\"\n"));
        CHECK_FALSE(settings.staff.enabled());
        CHECK(settings.staff.corner == Corner::top_right);
    }
}

TEST_CASE("each corner is read by its name", "[settings]") {
    const std::vector<std::pair<std::string, Corner>> corners = {
        {"top-left", Corner::top_left},
        {"top-right", Corner::top_right},
        {"bottom-left", Corner::bottom_left},
        {"bottom-right", Corner::bottom_right},
    };
    for (const auto& [name, corner] : corners) {
        INFO(name);
        CHECK(loaded(parse(kMinimal + "[staff]\ncorner = \"" + name + "\"\n")).staff.corner ==
              corner);
    }
}

TEST_CASE("a PIN in plain text is refused without being repeated", "[settings][problems]") {
    // What is in the file may be the PIN itself: a problem is printed and logged, so it must not
    // carry the value, whatever it is.
    const std::vector<std::string> values = {
        "2468",
        "",
        "$argon2id$2468",
        "$argon2i$v=19$m=65536,t=2,p=1$" + kHash2468.substr(kHash2468.rfind('$', 50) + 1),
        kHash2468.substr(0, kHash2468.size() - 20),
    };
    for (const std::string& value : values) {
        DYNAMIC_SECTION("volunteer_pin = \"" << value << "\"") {
            const Problem problem =
                only_problem(parse(kMinimal + "[staff]\nvolunteer_pin = \"" + value + "\"\n"));
            CHECK(problem.file == kName);
            CHECK(problem.place == "'staff.volunteer_pin' (line 15, column 17)");
            CHECK(problem.what == "is not a PIN hash: run `kiosk --hash-pin`, type the PIN, and "
                                  "put what it prints here in quotes (the value is not shown "
                                  "here, in case it is a PIN)");
            if (!value.empty()) {
                CHECK_FALSE(contains(problem.to_string(), value));
            }
        }
    }
    SECTION("the IT PIN too") {
        const Problem problem = only_problem(parse(kMinimal + "[staff]\nit_pin = \"1357\"\n"));
        CHECK(problem.place == "'staff.it_pin' (line 15, column 10)");
        CHECK(contains(problem.what, "kiosk --hash-pin"));
        CHECK_FALSE(contains(problem.to_string(), "1357"));
    }
    SECTION("a PIN as a number, without quotes") {
        const Problem problem = only_problem(parse(kMinimal + "[staff]\nvolunteer_pin = 2468\n"));
        CHECK(problem.place == "'staff.volunteer_pin' (line 15, column 17)");
        CHECK(problem.what == "must be text in quotes");
        CHECK_FALSE(contains(problem.to_string(), "2468"));
    }
}

TEST_CASE("[staff] values out of range or of the wrong kind are refused", "[settings][problems]") {
    struct Case {
        std::string text;  // appended to kMinimal after "[staff]\n" (line 15)
        std::string place; // exact
        std::string what;  // exact
    };
    const std::vector<Case> cases = {
        {"corner = \"middle\"", "'staff.corner' (line 15, column 10)",
         "must be \"top-left\", \"top-right\", \"bottom-left\" or \"bottom-right\" (it is "
         "\"middle\")"},
        {"corner = \"top_left\"", "'staff.corner' (line 15, column 10)",
         "must be \"top-left\", \"top-right\", \"bottom-left\" or \"bottom-right\" (it is "
         "\"top_left\")"},
        {"hold_seconds = 1", "'staff.hold_seconds' (line 15, column 16)",
         "must be from 2 to 10 (it is 1)"},
        {"hold_seconds = 11", "'staff.hold_seconds' (line 15, column 16)",
         "must be from 2 to 10 (it is 11)"},
        {"hold_seconds = 2.5", "'staff.hold_seconds' (line 15, column 16)",
         "must be a whole number"},
        {"leave_after_seconds = 14", "'staff.leave_after_seconds' (line 15, column 23)",
         "must be from 15 to 600 (it is 14)"},
        {"leave_after_seconds = 601", "'staff.leave_after_seconds' (line 15, column 23)",
         "must be from 15 to 600 (it is 601)"},
        {"help = 4444", "'staff.help' (line 15, column 8)", "must be text in quotes"},
        {"reboot_command = \"/usr/sbin/reboot\"", "'staff.reboot_command' (line 15, column 18)",
         "must be a list of texts, like [\"a\", \"b\"]"},
        {"reboot_command = [\"sudo\", \"reboot\"]",
         "'staff.reboot_command[0]' (line 15, column 19)",
         "must be the program's full path, like \"/usr/bin/sudo\" (it is run without a shell, so "
         "PATH is not searched; it is \"sudo\")"},
        {"power_off_command = [\"./poweroff\"]",
         "'staff.power_off_command[0]' (line 15, column 22)",
         "must be the program's full path, like \"/usr/bin/sudo\" (it is run without a shell, so "
         "PATH is not searched; it is \"./poweroff\")"},
        {"power_off_command = [\"/usr/sbin/poweroff\", 1]",
         "'staff.power_off_command[1]' (line 15, column 44)", "must be text in quotes"},
        {"volunteer_pin_hash = \"x\"", "'staff.volunteer_pin_hash' (line 15, column 22)",
         "is not a known setting (known here: corner, help, hold_seconds, it_pin, "
         "leave_after_seconds, power_off_command, reboot_command, volunteer_pin)"},
    };
    for (const Case& row : cases) {
        DYNAMIC_SECTION(row.text) {
            const Problem problem = only_problem(parse(kMinimal + "[staff]\n" + row.text + "\n"));
            CHECK(problem.file == kName);
            CHECK(problem.place == row.place);
            CHECK(problem.what == row.what);
        }
    }
}

TEST_CASE("[staff] values at the edges of their ranges are accepted", "[settings]") {
    const Settings low =
        loaded(parse(kMinimal + "[staff]\nhold_seconds = 2\nleave_after_seconds = 15\n"));
    CHECK(low.staff.hold == seconds(2));
    CHECK(low.staff.leave_after == seconds(15));
    const Settings high = loaded(parse(
        kMinimal + "[staff]\nhold_seconds = 10\nleave_after_seconds = 600\nreboot_command = []\n"));
    CHECK(high.staff.hold == seconds(10));
    CHECK(high.staff.leave_after == seconds(600));
    CHECK(high.staff.reboot_command.empty()); // an empty list: no Restart-device button
}

// --- Opening hours ----------------------------------------------------------------------------

TEST_CASE("opening hours are read day by day; days not listed are closed", "[settings]") {
    const Settings settings = loaded(parse(kMinimal + R"([opening_hours]
monday = "08:00-18:00"
tuesday = "08:30-17:45"
wednesday = "closed"
thursday = "00:00-24:00"
saturday = "09:00-12:00"
)"));
    const kiosk::model::OpeningHours& hours = settings.opening_hours;
    CHECK_FALSE(hours.always_open());
    CHECK(hours.describe_day(0) == "08:00 to 18:00");
    CHECK(hours.describe_day(1) == "08:30 to 17:45");
    CHECK(hours.describe_day(2) == "closed");
    CHECK(hours.describe_day(3) == "00:00 to 24:00");
    CHECK(hours.describe_day(4) == "closed"); // friday: not listed
    CHECK(hours.describe_day(5) == "09:00 to 12:00");
    CHECK(hours.describe_day(6) == "closed"); // sunday: not listed
    CHECK(hours.is_open({0, 8 * 3600}));
    CHECK_FALSE(hours.is_open({0, 18 * 3600}));
}

TEST_CASE("opening hours that cannot be read are refused and pointed at", "[settings][problems]") {
    struct Case {
        std::string text;  // appended to kMinimal after "[opening_hours]\n" (line 15)
        std::string place; // exact
        std::string what;  // exact
    };
    const std::vector<Case> cases = {
        {"monday = \"8-18\"", "'opening_hours.monday' (line 15, column 10)",
         "expected HH:MM-HH:MM such as 08:00-18:00, or closed (it is \"8-18\")"},
        {"monday = \"08:00 - 18:00\"", "'opening_hours.monday' (line 15, column 10)",
         "expected HH:MM-HH:MM such as 08:00-18:00, or closed (it is \"08:00 - 18:00\")"},
        {"friday = \"Closed\"", "'opening_hours.friday' (line 15, column 10)",
         "expected HH:MM-HH:MM such as 08:00-18:00, or closed (it is \"Closed\")"},
        {"sunday = \"18:00-08:00\"", "'opening_hours.sunday' (line 15, column 10)",
         "closes at or before it opens: the closing time must be later the same day (use 24:00 "
         "for midnight) (it is \"18:00-08:00\")"},
        {"tuesday = \"08:00-25:00\"", "'opening_hours.tuesday' (line 15, column 11)",
         "has a time that does not exist: hours go from 00 to 23 and minutes from 00 to 59 "
         "(24:00 is allowed as a closing time, for midnight) (it is \"08:00-25:00\")"},
        {"monday = 8", "'opening_hours.monday' (line 15, column 10)", "must be text in quotes"},
        {"mon = \"08:00-18:00\"", "'opening_hours.mon' (line 15, column 7)",
         "is not a known setting (known here: friday, monday, saturday, sunday, thursday, "
         "tuesday, wednesday)"},
    };
    for (const Case& row : cases) {
        DYNAMIC_SECTION(row.text) {
            const Problem problem =
                only_problem(parse(kMinimal + "[opening_hours]\n" + row.text + "\n"));
            CHECK(problem.file == kName);
            CHECK(problem.place == row.place);
            CHECK(problem.what == row.what);
        }
    }
}

TEST_CASE("opening hours that open on no day are refused", "[settings][problems]") {
    const std::string never_open =
        "opens on no day, so the kiosk would never ask for feedback: give at least one day, like "
        "monday = \"08:00-18:00\", or leave [opening_hours] out to keep the kiosk open all the "
        "time";
    SECTION("an empty section") {
        const Problem problem = only_problem(parse(kMinimal + "\n[opening_hours]\n"));
        CHECK(problem.file == kName);
        CHECK(problem.place == "'opening_hours' (line 15, column 1)");
        CHECK(problem.what == never_open);
    }
    SECTION("every day listed as closed") {
        const Problem problem = only_problem(
            parse(kMinimal + "[opening_hours]\nsaturday = \"closed\"\nsunday = \"closed\"\n"));
        CHECK(problem.place == "'opening_hours' (line 14, column 1)");
        CHECK(problem.what == never_open);
    }
}

TEST_CASE("read_aloud is on unless the settings turn it off", "[settings]") {
    CHECK(loaded(parse(kMinimal)).session.read_aloud);
    CHECK_FALSE(loaded(parse(kMinimal + "[session]\nread_aloud = false\n")).session.read_aloud);
    const Problem problem = only_problem(parse(kMinimal + "[session]\nread_aloud = \"no\"\n"));
    CHECK(problem.place.find("'session.read_aloud'") == 0);
}

TEST_CASE("more_time makes every patient timeout up to ten times longer", "[settings]") {
    SECTION("absent: as written") {
        const Settings settings =
            loaded(parse(kMinimal + "[session]\nidle_timeout_seconds = 60\n"));
        CHECK(settings.session.more_time == 1);
        CHECK(settings.session.idle_timeout_in_use() == std::chrono::seconds(60));
    }
    SECTION("tenfold") {
        const Settings settings =
            loaded(parse(kMinimal + "[session]\nidle_timeout_seconds = 60\nidle_warning_seconds = "
                                    "20\nthank_you_seconds = 5\nmore_time = 10\n"));
        CHECK(settings.session.idle_timeout_in_use() == std::chrono::seconds(600));
        CHECK(settings.session.idle_warning_in_use() == std::chrono::seconds(200));
        CHECK(settings.session.thank_you_in_use() == std::chrono::seconds(50));
        CHECK(settings.session.idle_timeout == std::chrono::seconds(60)); // as written
    }
    for (const char* bad : {"0", "11", "-1"}) {
        INFO(bad);
        const Problem problem =
            only_problem(parse(kMinimal + "[session]\nmore_time = " + bad + "\n"));
        CHECK(problem.place.find("'session.more_time' (line 15") == 0);
    }
    const Problem text = only_problem(parse(kMinimal + "[session]\nmore_time = \"lots\"\n"));
    CHECK(text.place.find("'session.more_time'") == 0);
}

TEST_CASE("the languages a device offers include its default and are language tags", "[settings]") {
    SECTION("absent: just the default") {
        const Settings settings = loaded(parse(kMinimal + "[session]\nlanguage = \"cy\"\n"));
        CHECK(settings.session.languages == std::vector<std::string>{"cy"});
    }
    SECTION("listed, in the file's order") {
        const Settings settings = loaded(parse(
            kMinimal + "[session]\nlanguages = [\"en\", \"cy\", \"pa-Guru\", \"zh-Hans\"]\n"));
        CHECK(settings.session.languages ==
              std::vector<std::string>{"en", "cy", "pa-Guru", "zh-Hans"});
    }
    SECTION("without the default") {
        const Problem problem =
            only_problem(parse(kMinimal + "[session]\nlanguages = [\"cy\", \"pl\"]\n"));
        CHECK(problem.place == "'session.languages' (line 15, column 13)");
        CHECK(contains(problem.what, "must include the default language \"en\""));
    }
    SECTION("not a tag, or twice") {
        CHECK(contains(
            only_problem(parse(kMinimal + "[session]\nlanguages = [\"en\", \"../x\"]\n")).place,
            "'session.languages[1]'"));
        CHECK(contains(
            only_problem(parse(kMinimal + "[session]\nlanguages = [\"en\", \"cy\", \"cy\"]\n"))
                .what,
            "a second time"));
    }
}
