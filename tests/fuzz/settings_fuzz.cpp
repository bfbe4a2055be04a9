// Fuzz target: device settings as TOML text, through toml++ and the kiosk's settings checks.
// Invariants: settings come back exactly when there are no problems; every problem names the
// input and says what is wrong; settings that load keep the promises settings.hpp makes (the
// default clinic and language are among those offered, paths are absolute, values in range).

#include "fuzz_check.hpp"

#include "settings/settings.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using namespace kiosk::settings;

const std::string kSourceName = "fuzz-input.toml";
// Relative paths in the text resolve against this; nothing is read from it.
const std::filesystem::path kBaseDir = "/nonexistent/fuzz-settings";

template <class Container, class Value> bool contains(const Container& items, const Value& value) {
    return std::find(items.begin(), items.end(), value) != items.end();
}

void check_settings(const Settings& settings) {
    FUZZ_CHECK(!settings.questionnaires.empty());
    for (const auto& file : settings.questionnaires) {
        FUZZ_CHECK(file.is_absolute());
    }
    bool active_listed = false;
    for (const auto& file : settings.questionnaires) {
        active_listed = active_listed || file.stem() == settings.active_questionnaire;
    }
    FUZZ_CHECK(active_listed);
    FUZZ_CHECK(settings.data_dir.empty() || settings.data_dir.is_absolute());
    FUZZ_CHECK(contains(settings.device.clinics, settings.device.service));
    FUZZ_CHECK(contains(settings.session.languages, settings.session.language));
    FUZZ_CHECK(settings.session.more_time >= 1 && settings.session.more_time <= 10);
    FUZZ_CHECK(settings.staff.hold.count() >= 2 && settings.staff.hold.count() <= 10);
    for (const auto* command :
         {&settings.staff.reboot_command, &settings.staff.power_off_command}) {
        FUZZ_CHECK(command->empty() || std::filesystem::path(command->front()).is_absolute());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const SettingsLoad load = parse_settings(text, kSourceName, kBaseDir);
    FUZZ_CHECK(load.settings.has_value() == load.problems.empty());
    for (const auto& problem : load.problems) {
        FUZZ_CHECK(problem.file == kSourceName);
        FUZZ_CHECK(!problem.what.empty());
    }
    if (load.settings) {
        check_settings(*load.settings);
    }
    return 0;
}
