// kiosk-collector: see cli.hpp and docs/collector.md.

#include "collector/cli.hpp"

#include <csignal>
#include <iostream>

int main(int argc, char** argv) {
    // A kiosk that hangs up mid-reply must not kill the server with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> args(argv + 1, argv + argc);
    return kiosk::collector::run_command_line(args, std::cout, std::cerr);
}
