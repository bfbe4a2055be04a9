#include "app/command_line.hpp"

#include "app/delivery_setup.hpp"
#include "model/questionnaire_loader.hpp"
#include "settings/settings.hpp"
#include "ui/theme.hpp"

#include <ostream>

namespace kiosk::app {

const char* usage_text() {
    return "usage:\n"
           "  kiosk [SETTINGS]                 run the kiosk (default /etc/kiosk/kiosk.toml)\n"
           "  kiosk --check SETTINGS           check the settings and every questionnaire they\n"
           "                                   name; prints each problem, exits 1 if any\n"
           "  kiosk --headless --script FILE [--screenshots DIR] SETTINGS\n"
           "                                   run a script of taps on the real screens without a\n"
           "                                   display, on a simulated clock\n"
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
    bool settings_given = false;
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
        } else if (settings_given) {
            parse.problem = "only one settings file may be given";
            return parse;
        } else {
            command.settings = arg;
            settings_given = true;
        }
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
    if (command.mode == CommandLine::Mode::check && !settings_given) {
        parse.problem = "--check needs the settings file to check";
        return parse;
    }
    parse.command = command;
    return parse;
}

int check_settings(const std::filesystem::path& settings_file, std::ostream& out) {
    auto loaded = settings::load_settings_file(settings_file);
    std::size_t problems = loaded.problems.size();
    for (const auto& problem : loaded.problems) {
        out << problem.to_string() << '\n';
    }
    if (loaded.settings) {
        // The token file and the TLS files are only read when delivery starts; check them now so
        // a wrong permission is found before the device is on the ward.
        auto delivery = delivery_settings_from(*loaded.settings);
        if (auto* problem = std::get_if<std::string>(&delivery)) {
            out << settings_file.string() << " at 'delivery.token_file': " << *problem << '\n';
            ++problems;
        } else {
            auto transport = delivery::CurlTransport::create(
                std::get<delivery::DeliverySettings>(delivery).transport);
            if (auto* transport_problem = std::get_if<std::string>(&transport)) {
                out << settings_file.string() << " at 'delivery': " << *transport_problem << '\n';
                ++problems;
            }
        }
        for (const auto& font :
             {loaded.settings->display.font, loaded.settings->display.bold_font}) {
            if (auto problem = ui::check_font_file(font)) {
                out << settings_file.string() << " at 'display.font': " << *problem << '\n';
                ++problems;
            }
        }
        for (const auto& file : loaded.settings->questionnaires) {
            auto questionnaire = model::load_questionnaire_file(file.string());
            for (const auto& problem : questionnaire.problems) {
                out << problem.to_string() << '\n';
            }
            problems += questionnaire.problems.size();
            if (questionnaire.questionnaire) {
                out << "ok: " << file.string() << " (" << questionnaire.questionnaire->canonical()
                    << ")\n";
            }
        }
    }
    if (problems == 0) {
        out << "ok: " << settings_file.string() << '\n';
        return 0;
    }
    out << problems << " problem(s) found\n";
    return 1;
}

} // namespace kiosk::app
