#pragma once
// The kiosk's command line, for IT staff and for tests.

#include "settings/settings.hpp"

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::app {

struct CommandLine {
    enum class Mode { run, check, headless, help, version, hash_pin, provision };
    Mode mode = Mode::run;
    std::filesystem::path settings = "/etc/kiosk/kiosk.toml";
    std::filesystem::path boot_folder;     // provision: the boot partition's kiosk/ folder
    std::filesystem::path settings_folder; // provision: where the settings go (/etc/kiosk)
    std::filesystem::path problem_file;    // provision, optional: where a refusal is written
    std::filesystem::path script;          // headless
    std::filesystem::path screenshots;     // headless, optional
    std::optional<std::string> questionnaire;
    bool exit_after_first_frame = false; // for benchmarks
    bool print_timings = false;          // headless: print save timings (benchmarks)
    bool deliver = false;                // headless: also run the delivery worker
};

struct CommandLineParse {
    std::optional<CommandLine> command;
    std::string problem;
};

CommandLineParse parse_command_line(int argc, const char* const* argv);

const char* usage_text();

// One line of what `kiosk --check` reports, in the order it is printed.
struct CheckLine {
    enum class Kind { problem, warning, ok };
    Kind kind;
    std::string text; // "FILE at PLACE: what is wrong", "warning: ...", "ok: ..."
};

// The checks `kiosk --check` makes beyond reading the settings file: the token and TLS files,
// the fonts, staff mode and every questionnaire named. `settings_file` is how problems name the
// settings file. Provisioning runs them on settings whose paths point into a staging folder.
std::vector<CheckLine> check_loaded_settings(const settings::Settings& settings,
                                             const std::filesystem::path& settings_file);

std::size_t count_problems(const std::vector<CheckLine>& lines);

// Where the kiosk's own words are when the settings do not say: next to the installed program
// (/usr/bin/kiosk → /usr/share/kiosk/assets), or the source tree's folder in a build folder.
std::filesystem::path default_assets_dir();

// `kiosk --check`: checks the settings and every questionnaire they name, writes each problem
// to `out`, and returns the exit status (0 when all is well).
int check_settings(const std::filesystem::path& settings, std::ostream& out);

// `kiosk --hash-pin`: reads a staff PIN from `input` (a file descriptor, never the command line,
// where `ps` and the shell's history would show it) and writes its hash for the settings file
// to `out`. From a terminal the PIN is asked for twice on `err` with echo off; otherwise one
// line is read. Returns the exit status: 0, 2 for a PIN that is not 4 to 8 digits or two that
// differ, 1 when the terminal or libsodium fails.
int hash_pin_command(int input, std::ostream& out, std::ostream& err);

} // namespace kiosk::app
