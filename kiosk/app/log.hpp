#pragma once
// Log lines for IT staff, to standard error. Under systemd each line carries its priority
// ("<3>" and so on) so the journal can filter by level; elsewhere lines start with the level
// in words.

#include <cstdio>
#include <string_view>

namespace kiosk::app {

class Log {
public:
    explicit Log(std::FILE* out, bool journal_priorities = false)
        : out_(out), journal_(journal_priorities) {}

    // True when standard error goes to the journal (systemd sets JOURNAL_STREAM).
    static bool stderr_is_journal();

    void error(std::string_view message) { write(3, "error", message); }
    void warning(std::string_view message) { write(4, "warning", message); }
    void info(std::string_view message) { write(6, "info", message); }

private:
    void write(int priority, const char* level, std::string_view message);
    std::FILE* out_;
    bool journal_;
};

} // namespace kiosk::app
