#pragma once
// Shared by the headless screen tests: a throwaway folder, a log the test can read, and a kiosk
// started on a settings file in that folder that can be stopped and started again (a restart).

#include "app/headless_script.hpp"
#include "app/kiosk_app.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace kiosk::test {

using TempDir = testing::ScopedTempDir;

// Captures the log so tests can read what IT staff would see.
class CapturedLog {
public:
    CapturedLog() : file_(std::tmpfile()), log_(file_) {}
    ~CapturedLog() { std::fclose(file_); }
    CapturedLog(const CapturedLog&) = delete;
    CapturedLog& operator=(const CapturedLog&) = delete;
    app::Log& log() { return log_; }
    std::string text() const {
        std::fflush(file_);
        std::rewind(file_);
        std::string out;
        char buffer[4096];
        std::size_t n;
        while ((n = std::fread(buffer, 1, sizeof buffer, file_)) > 0) {
            out.append(buffer, n);
        }
        return out;
    }

private:
    std::FILE* file_;
    app::Log log_;
};

inline std::string questionnaire_path(const std::string& name) {
    return std::string(KIOSK_SOURCE_DIR) + "/config/questionnaires/" + name + ".json";
}

// Runs a script and reports every failure to Catch; the outcome says whether it passed.
inline app::ScriptOutcome run_script(app::KioskApp& app, const std::string& script,
                                     const std::filesystem::path& screenshots = {}) {
    auto parsed = app::parse_script(script, "test-script");
    for (const auto& problem : parsed.problems) {
        FAIL(problem.to_string());
    }
    auto outcome = app.run_script(parsed.steps, "test-script", screenshots);
    for (const auto& failure : outcome.failures) {
        UNSCOPED_INFO(failure);
    }
    return outcome;
}

} // namespace kiosk::test
