#pragma once

// The kiosk-collector command line:
//   kiosk-collector serve --config FILE
//   kiosk-collector add-device --config FILE DEVICE_ID
//   kiosk-collector remove-device --config FILE DEVICE_ID
//   kiosk-collector export --config FILE --csv [--out FILE]

#include <ostream>
#include <string>
#include <vector>

namespace kiosk::collector {

// Runs one command; `args` excludes the program name. Results (a token, CSV) go to `out`,
// messages to `err`. Returns the exit status: 0 done, 1 failed, 2 wrong usage.
// `serve` blocks until SIGTERM or SIGINT.
int run_command_line(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace kiosk::collector
