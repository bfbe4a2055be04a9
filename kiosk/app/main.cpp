// kiosk: the patient feedback kiosk. See `kiosk --help` and docs/it-guide.md.

#include "app/command_line.hpp"
#include "app/headless_script.hpp"
#include "app/kiosk_app.hpp"
#include "app/log.hpp"
#include "app/provision.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <unistd.h>

#ifndef KIOSK_VERSION
#define KIOSK_VERSION "unknown"
#endif

int main(int argc, char** argv) {
    using namespace kiosk::app;
    auto parsed = parse_command_line(argc, argv);
    if (!parsed.command) {
        std::fprintf(stderr, "kiosk: %s\n%s", parsed.problem.c_str(), usage_text());
        return 2;
    }
    const CommandLine& command = *parsed.command;
    switch (command.mode) {
    case CommandLine::Mode::help:
        std::fputs(usage_text(), stdout);
        return 0;
    case CommandLine::Mode::version:
        std::printf("kiosk %s\n", KIOSK_VERSION);
        return 0;
    case CommandLine::Mode::check:
        return check_settings(command.settings, std::cout);
    case CommandLine::Mode::hash_pin:
        return hash_pin_command(STDIN_FILENO, std::cout, std::cerr);
    case CommandLine::Mode::provision: {
        Log log(stderr, Log::stderr_is_journal());
        return provision_command(command.boot_folder, command.settings_folder, command.problem_file,
                                 log);
    }
    case CommandLine::Mode::run:
    case CommandLine::Mode::headless:
        break;
    }

    Log log(stderr, Log::stderr_is_journal());
    kiosk::delivery::CurlLibrary curl; // before any thread starts
    ScriptParse script;
    if (command.mode == CommandLine::Mode::headless) {
        script = load_script_file(command.script.string());
        if (!script.problems.empty()) {
            for (const auto& problem : script.problems) {
                std::fprintf(stderr, "kiosk: %s\n", problem.to_string().c_str());
            }
            return 2;
        }
    }
    AppOptions options;
    options.settings_file = command.settings;
    options.headless = command.mode == CommandLine::Mode::headless;
    options.deliver = !options.headless || command.deliver;
    options.questionnaire = command.questionnaire;
    options.default_assets_dir = default_assets_dir();
    options.version = KIOSK_VERSION;
    auto app = KioskApp::start(options, log);
    if (!app) {
        return 1;
    }
    if (command.mode == CommandLine::Mode::run) {
        return app->run(command.exit_after_first_frame);
    }
    auto outcome = app->run_script(script.steps, command.script.string(), command.screenshots);
    for (const auto& failure : outcome.failures) {
        std::fprintf(stderr, "kiosk: script failed: %s\n", failure.c_str());
    }
    if (command.print_timings) {
        auto durations = app->save_durations();
        std::sort(durations.begin(), durations.end());
        if (!durations.empty()) {
            auto at = [&](double q) {
                return durations[std::min(durations.size() - 1,
                                          static_cast<std::size_t>(q * durations.size()))];
            };
            std::printf("saves %zu p50_us %lld p99_us %lld max_us %lld\n", durations.size(),
                        static_cast<long long>(at(0.50).count()),
                        static_cast<long long>(at(0.99).count()),
                        static_cast<long long>(durations.back().count()));
        }
        std::printf("first_frame_us %lld\n",
                    static_cast<long long>(app->startup_to_first_frame().count()));
    }
    return outcome.passed ? 0 : 1;
}
