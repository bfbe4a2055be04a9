#include "app/command_line.hpp"

#include "app/delivery_setup.hpp"
#include "model/enable_when.hpp"
#include "model/pin_hash.hpp"
#include "model/questionnaire_loader.hpp"
#include "settings/settings.hpp"
#include "text/font_choice.hpp"
#include "ui/strings.hpp"
#include "ui/theme.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <optional>
#include <ostream>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

namespace kiosk::app {

const char* usage_text() {
    return "usage:\n"
           "  kiosk [SETTINGS]                 run the kiosk (default /etc/kiosk/kiosk.toml)\n"
           "  kiosk --check SETTINGS           check the settings and every questionnaire they\n"
           "                                   name; prints each problem, exits 1 if any\n"
           "  kiosk --headless --script FILE [--screenshots DIR] SETTINGS\n"
           "                                   run a script of taps on the real screens without a\n"
           "                                   display, on a simulated clock\n"
           "  kiosk --hash-pin                 read a staff PIN (4 to 8 digits) from standard\n"
           "                                   input and print its hash for [staff] volunteer_pin\n"
           "                                   or it_pin; never give the PIN as an argument\n"
           "  kiosk --provision BOOT_FOLDER SETTINGS_FOLDER [--problem-file FILE]\n"
           "                                   move new settings and secrets from the boot\n"
           "                                   partition (BOOT_FOLDER, e.g. /boot/firmware/kiosk)\n"
           "                                   into SETTINGS_FOLDER (e.g. /etc/kiosk) once they\n"
           "                                   pass the checks of --check; a refused set stays\n"
           "                                   where it is and the reason goes to FILE (default:\n"
           "                                   provisioning-problem in the settings' data_dir)\n"
           "options:\n"
           "  --deliver                        headless: also deliver responses to the endpoint\n"
           "  --questionnaire NAME             use this questionnaire (file name without .json)\n"
           "                                   from the settings' list instead of the active one\n"
           "  --version                        print the version\n"
           "  --help                           print this help\n";
}

CommandLineParse parse_command_line(int argc, const char* const* argv) {
    CommandLineParse parse;
    CommandLine command;
    std::vector<std::string> operands; // what is not an option: their meaning depends on the mode
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&](const char* name) -> std::optional<std::string> {
            if (i + 1 >= argc) {
                parse.problem = std::string(name) + " needs a value";
                return std::nullopt;
            }
            return std::string(argv[++i]);
        };
        if (arg == "--help" || arg == "-h") {
            command.mode = CommandLine::Mode::help;
        } else if (arg == "--version") {
            command.mode = CommandLine::Mode::version;
        } else if (arg == "--check") {
            command.mode = CommandLine::Mode::check;
        } else if (arg == "--hash-pin") {
            command.mode = CommandLine::Mode::hash_pin;
        } else if (arg == "--provision") {
            command.mode = CommandLine::Mode::provision;
        } else if (arg == "--problem-file") {
            auto v = value("--problem-file");
            if (!v) {
                return parse;
            }
            command.problem_file = *v;
        } else if (arg == "--headless") {
            command.mode = CommandLine::Mode::headless;
        } else if (arg == "--script") {
            auto v = value("--script");
            if (!v) {
                return parse;
            }
            command.script = *v;
        } else if (arg == "--screenshots") {
            auto v = value("--screenshots");
            if (!v) {
                return parse;
            }
            command.screenshots = *v;
        } else if (arg == "--questionnaire") {
            auto v = value("--questionnaire");
            if (!v) {
                return parse;
            }
            command.questionnaire = *v;
        } else if (arg == "--exit-after-first-frame") {
            command.exit_after_first_frame = true;
        } else if (arg == "--deliver") {
            command.deliver = true;
        } else if (arg == "--print-timings") {
            command.print_timings = true;
        } else if (!arg.empty() && arg[0] == '-') {
            parse.problem = "unknown option " + arg;
            return parse;
        } else {
            operands.push_back(arg);
        }
    }
    if (command.mode == CommandLine::Mode::provision) {
        if (operands.size() != 2) {
            parse.problem = "--provision needs the boot partition's kiosk folder and the settings "
                            "folder, e.g. --provision /boot/firmware/kiosk /etc/kiosk";
            return parse;
        }
        command.boot_folder = operands[0];
        command.settings_folder = operands[1];
        operands.clear();
    } else if (!command.problem_file.empty()) {
        parse.problem = "--problem-file goes with --provision";
        return parse;
    }
    if (operands.size() > 1) {
        parse.problem = "only one settings file may be given";
        return parse;
    }
    bool settings_given = !operands.empty();
    if (settings_given) {
        command.settings = operands.front();
    }
    if (command.mode == CommandLine::Mode::headless && command.script.empty()) {
        parse.problem = "--headless needs --script FILE";
        return parse;
    }
    if (command.mode != CommandLine::Mode::headless && command.mode != CommandLine::Mode::help &&
        (!command.script.empty() || !command.screenshots.empty())) {
        parse.problem = "--script and --screenshots go with --headless";
        return parse;
    }
    if (command.mode == CommandLine::Mode::hash_pin && settings_given) {
        // The argument is not repeated: it may well be the PIN.
        parse.problem = "--hash-pin takes no argument: it reads the PIN from standard input, so "
                        "that the PIN never shows in `ps` or the shell's history";
        return parse;
    }
    if (command.mode == CommandLine::Mode::check && !settings_given) {
        parse.problem = "--check needs the settings file to check";
        return parse;
    }
    parse.command = command;
    return parse;
}

namespace {

// Why the program a staff button runs could not be run, or nullopt when it can. Checked as the
// user running --check: run it as the kiosk's user to see what the kiosk itself may run.
std::optional<std::string> program_problem(const std::filesystem::path& program) {
    std::error_code error;
    auto status = std::filesystem::status(program, error);
    if (!std::filesystem::exists(status)) {
        return "there is no program " + program.string();
    }
    if (!std::filesystem::is_regular_file(status)) {
        return program.string() + " is not a program file";
    }
    if (access(program.c_str(), X_OK) != 0) {
        return program.string() + " cannot be run by this user (it is not executable)";
    }
    return std::nullopt;
}

// Staff mode: a warning when it cannot be opened, a problem when a button's program is missing.
void check_staff(const std::filesystem::path& settings_file, const settings::StaffSettings& staff,
                 std::vector<CheckLine>& lines) {
    if (!staff.enabled()) {
        lines.push_back({CheckLine::Kind::warning,
                         "warning: " + settings_file.string() +
                             ": no staff PINs are set: volunteers cannot open staff mode (make "
                             "one with `kiosk --hash-pin` and put it in [staff] volunteer_pin)"});
    } else {
        // A short PIN can be found from its hash by trying them all: the hash must stay
        // between the kiosk and root.
        std::error_code error;
        auto permissions = std::filesystem::status(settings_file, error).permissions();
        if (!error &&
            (permissions & std::filesystem::perms::others_read) != std::filesystem::perms::none) {
            lines.push_back({CheckLine::Kind::warning,
                             "warning: " + settings_file.string() +
                                 ": every user on this device can read it, and it holds the "
                                 "staff PIN hashes: chmod o-r (and keep it owned by root, group "
                                 "kiosk)"});
        }
    }
    const std::pair<const char*, const std::vector<std::string>*> commands[] = {
        {"staff.reboot_command", &staff.reboot_command},
        {"staff.power_off_command", &staff.power_off_command},
    };
    for (const auto& [key, command] : commands) {
        if (command->empty()) {
            continue;
        }
        if (auto problem = program_problem(command->front())) {
            lines.push_back({CheckLine::Kind::problem,
                             settings_file.string() + " at '" + key + "[0]': " + *problem});
        }
    }
}

// Turns the terminal's echo off while a PIN is typed, and back on however the reading ends.
// ECHONL keeps the newline echoed, so Enter still moves to the next line.
class EchoOff {
public:
    explicit EchoOff(int terminal) : terminal_(terminal) {
        if (tcgetattr(terminal_, &saved_) != 0) {
            return;
        }
        termios quiet = saved_;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        active_ = tcsetattr(terminal_, TCSAFLUSH, &quiet) == 0;
    }
    ~EchoOff() {
        if (active_) {
            tcsetattr(terminal_, TCSANOW, &saved_);
        }
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

    bool active() const { return active_; }

private:
    int terminal_;
    termios saved_{};
    bool active_ = false;
};

// One line holding a PIN, in a fixed buffer that is wiped when it goes: a std::string that grew
// while reading would leave copies of the PIN in freed memory.
class PinLine {
public:
    PinLine() = default;
    PinLine(const PinLine&) = delete;
    PinLine& operator=(const PinLine&) = delete;
    ~PinLine() { sodium_memzero(text_.data(), text_.size()); }

    // Reads up to a newline (dropped, and a '\r' before it) or the end of input. False when
    // there was nothing at all to read, or reading failed. A line longer than the buffer keeps
    // its first part, which is already too long to be a PIN.
    bool read_from(int input) {
        bool read_any = false;
        char byte = 0;
        for (;;) {
            ssize_t got = read(input, &byte, 1);
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got <= 0 || byte == '\n') {
                read_any = read_any || got > 0;
                break;
            }
            read_any = true;
            if (length_ < text_.size()) {
                text_[length_++] = byte;
            }
        }
        sodium_memzero(&byte, sizeof byte);
        if (length_ > 0 && text_[length_ - 1] == '\r') {
            --length_;
        }
        return read_any;
    }

    std::string_view pin() const { return {text_.data(), length_}; }

private:
    std::array<char, 64> text_{};
    std::size_t length_ = 0;
};

} // namespace

int hash_pin_command(int input, std::ostream& out, std::ostream& err) {
    PinLine pin;
    if (isatty(input) != 0) {
        EchoOff quiet(input);
        if (!quiet.active()) {
            err << "kiosk: cannot turn the terminal's echo off, so the PIN would show; "
                   "nothing was read\n";
            return 1;
        }
        err << "PIN: " << std::flush;
        if (!pin.read_from(input)) {
            err << "kiosk: no PIN was typed\n";
            return 2;
        }
        if (auto problem = model::pin_problem(pin.pin())) {
            err << "kiosk: " << *problem << '\n';
            return 2;
        }
        PinLine again;
        err << "Same PIN again: " << std::flush;
        if (!again.read_from(input) || again.pin() != pin.pin()) {
            err << "kiosk: the two PINs are not the same; no hash was made\n";
            return 2;
        }
    } else if (!pin.read_from(input)) {
        err << "kiosk: no PIN on standard input (give it as one line)\n";
        return 2;
    }
    if (auto problem = model::pin_problem(pin.pin())) {
        err << "kiosk: " << *problem << '\n';
        return 2;
    }
    auto hash = model::hash_pin(pin.pin());
    if (!hash) {
        err << "kiosk: the PIN could not be hashed (libsodium failed: out of memory?)\n";
        return 1;
    }
    out << *hash << '\n' << std::flush;
    return out ? 0 : 1;
}

#ifndef KIOSK_DEFAULT_ASSETS_DIR
#define KIOSK_DEFAULT_ASSETS_DIR "/usr/share/kiosk/assets"
#endif

std::filesystem::path default_assets_dir() {
    std::error_code error;
    auto program = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error) {
        auto installed = program.parent_path().parent_path() / "share" / "kiosk" / "assets";
        if (std::filesystem::is_directory(installed, error)) {
            return installed;
        }
    }
    return KIOSK_DEFAULT_ASSETS_DIR;
}

namespace {

// Where a questionnaire has no words in `language`, in plain places: "the title",
// "item 'why'", "item 'rating' answer 'Good'".
std::vector<std::string> untranslated(const model::Questionnaire& questionnaire,
                                      const std::string& language) {
    std::vector<std::string> places;
    auto missing = [&](const model::LocalText& text) {
        return !text.text.empty() && &text.in(language) == &text.text;
    };
    if (missing(questionnaire.title)) {
        places.push_back("the title");
    }
    for (const auto& flat : model::flatten(questionnaire)) {
        const model::Item& item = *flat.item;
        std::string name = "item '" + item.link_id + "'";
        if (missing(item.text)) {
            places.push_back(name);
        }
        for (const auto& option : item.options) {
            if (missing(option.label)) {
                places.push_back(name + " answer '" + option.label.text + "'");
            }
        }
        for (const auto* label : {&item.lower_label, &item.upper_label}) {
            if (*label && missing(**label)) {
                places.push_back(name + " scale label '" + (*label)->text + "'");
            }
        }
    }
    return places;
}

// The keys of the kiosk's words that a words file leaves out, as a list; empty when complete
// (or unreadable: Strings::load reports that).
std::string missing_words(const std::filesystem::path& file) {
    std::ifstream in(file);
    const auto words = nlohmann::json::parse(in, nullptr, false);
    if (!words.is_object()) {
        return {};
    }
    std::string missing;
    for (const auto& key : ui::Strings().keys()) {
        if (!words.contains(key)) {
            missing += (missing.empty() ? "" : ", ") + key;
        }
    }
    return missing;
}

// Each offered language: the kiosk's own words (a file per language) and every questionnaire's
// texts. A missing translation is a warning, since English is shown for that text alone; a
// words file that cannot be read is a problem.
void check_languages(const settings::Settings& loaded,
                     const std::vector<model::Questionnaire>& questionnaires,
                     std::vector<CheckLine>& lines) {
    const auto assets = loaded.assets_dir.empty() ? default_assets_dir() : loaded.assets_dir;
    for (const auto& language : loaded.session.languages) {
        if (language != "en") {
            auto file = assets / "strings" / (language + ".json");
            std::error_code error;
            if (!std::filesystem::exists(file, error)) {
                lines.push_back({CheckLine::Kind::warning,
                                 "warning: " + file.string() + " is missing: patients choosing \"" +
                                     language + "\" see the kiosk's own words in English"});
            } else if (ui::Strings strings; auto problem = strings.load(assets, language)) {
                lines.push_back({CheckLine::Kind::problem, *problem});
            } else if (auto missing = missing_words(file); !missing.empty()) {
                lines.push_back({CheckLine::Kind::warning, "warning: " + file.string() +
                                                               " has no words for " + missing +
                                                               " (English is shown there)"});
            }
        }
        // The fonts that draw the language's script: without them its text is empty boxes.
        for (const bool bold : {false, true}) {
            for (const auto& font : text::fonts_for_language(language, bold, {loaded.display.font},
                                                             {loaded.display.bold_font})) {
                if (auto font_problem = ui::check_font_file(font.file)) {
                    lines.push_back({CheckLine::Kind::problem,
                                     "language \"" + language + "\": " + *font_problem +
                                         " (install fonts-noto-core and fonts-noto-cjk)"});
                }
            }
        }
        for (const auto& questionnaire : questionnaires) {
            if (language == questionnaire.language) {
                continue;
            }
            auto places = untranslated(questionnaire, language);
            if (places.empty()) {
                continue;
            }
            constexpr std::size_t kShown = 8;
            std::string list;
            for (std::size_t i = 0; i < places.size() && i < kShown; ++i) {
                list += (i == 0 ? "" : ", ") + places[i];
            }
            if (places.size() > kShown) {
                list += " and " + std::to_string(places.size() - kShown) + " more";
            }
            lines.push_back({CheckLine::Kind::warning, "warning: " + questionnaire.source_file +
                                                           ": no \"" + language + "\" words for " +
                                                           list + " (English is shown there)"});
        }
    }
}

} // namespace

std::vector<CheckLine> check_loaded_settings(const settings::Settings& loaded,
                                             const std::filesystem::path& settings_file) {
    std::vector<CheckLine> lines;
    auto problem = [&](const std::string& key, const std::string& what) {
        lines.push_back(
            {CheckLine::Kind::problem, settings_file.string() + " at '" + key + "': " + what});
    };
    // The token file and the TLS files are only read when delivery starts; check them now so
    // a wrong permission is found before the device is on the ward.
    auto delivery = delivery_settings_from(loaded);
    if (auto* token_problem = std::get_if<std::string>(&delivery)) {
        problem("delivery.token_file", *token_problem);
    } else {
        auto transport = delivery::CurlTransport::create(
            std::get<delivery::DeliverySettings>(delivery).transport);
        if (auto* transport_problem = std::get_if<std::string>(&transport)) {
            problem("delivery", *transport_problem);
        }
    }
    for (const auto& font : {loaded.display.font, loaded.display.bold_font}) {
        if (auto font_problem = ui::check_font_file(font)) {
            problem("display.font", *font_problem);
        }
    }
    check_staff(settings_file, loaded.staff, lines);
    std::vector<model::Questionnaire> questionnaires;
    for (const auto& file : loaded.questionnaires) {
        auto questionnaire = model::load_questionnaire_file(file.string());
        for (const auto& questionnaire_problem : questionnaire.problems) {
            lines.push_back({CheckLine::Kind::problem, questionnaire_problem.to_string()});
        }
        if (questionnaire.questionnaire) {
            lines.push_back(
                {CheckLine::Kind::ok,
                 "ok: " + file.string() + " (" + questionnaire.questionnaire->canonical() + ")"});
            questionnaires.push_back(std::move(*questionnaire.questionnaire));
        }
    }
    check_languages(loaded, questionnaires, lines);
    return lines;
}

std::size_t count_problems(const std::vector<CheckLine>& lines) {
    return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [](const auto& line) {
        return line.kind == CheckLine::Kind::problem;
    }));
}

int check_settings(const std::filesystem::path& settings_file, std::ostream& out) {
    auto loaded = settings::load_settings_file(settings_file);
    std::vector<CheckLine> lines;
    for (const auto& problem : loaded.problems) {
        lines.push_back({CheckLine::Kind::problem, problem.to_string()});
    }
    if (loaded.settings) {
        auto more = check_loaded_settings(*loaded.settings, settings_file);
        lines.insert(lines.end(), more.begin(), more.end());
    }
    for (const auto& line : lines) {
        out << line.text << '\n';
    }
    auto problems = count_problems(lines);
    if (problems == 0) {
        out << "ok: " << settings_file.string() << '\n';
        return 0;
    }
    out << problems << " problem(s) found\n";
    return 1;
}

} // namespace kiosk::app
