#include "app/log.hpp"

#include <cstdlib>

namespace kiosk::app {

bool Log::stderr_is_journal() {
    return std::getenv("JOURNAL_STREAM") != nullptr;
}

void Log::write(int priority, const char* level, std::string_view message) {
    if (journal_) {
        std::fprintf(out_, "<%d>%.*s\n", priority, static_cast<int>(message.size()),
                     message.data());
    } else {
        std::fprintf(out_, "kiosk: %s: %.*s\n", level, static_cast<int>(message.size()),
                     message.data());
    }
    std::fflush(out_);
}

} // namespace kiosk::app
