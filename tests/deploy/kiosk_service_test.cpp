// The real `kiosk` program run the way systemd runs it (Type=notify, WatchdogSec): SDL's dummy
// video driver instead of a screen, and this test's socket as the service manager's. It must
// say READY=1 once its first frame is drawn, ping the watchdog from its main loop, and on
// SIGTERM say STOPPING=1 and exit with status 0.

#include "notify_listener.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

using kiosk::test::NotifyListener;
using kiosk::testing::ScopedTempDir;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const char* const kKioskProgram = KIOSK_BINARY_DIR "/kiosk/kiosk";

// The kiosk as a child process. Whatever happens in the test, it does not outlive it: the
// destructor kills a child that is still running and reaps it.
class KioskProcess {
public:
    // Runs `kiosk settings` with the test's environment, minus anything a service manager
    // would set, plus `extra`. WATCHDOG_PID is set to the child's own pid, as systemd does.
    KioskProcess(const std::filesystem::path& settings, const std::vector<std::string>& extra,
                 const std::filesystem::path& log_file) {
        std::vector<std::string> environment;
        for (char** entry = environ; *entry; ++entry) {
            std::string_view variable(*entry);
            bool ours = false;
            for (std::string_view name : {"NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=",
                                          "SDL_VIDEODRIVER=", "LISTEN_FDS=", "LISTEN_PID="}) {
                ours = ours || variable.starts_with(name);
            }
            if (!ours) {
                environment.emplace_back(variable);
            }
        }
        environment.insert(environment.end(), extra.begin(), extra.end());
        // Filled in by the child, which alone knows its pid: after fork only async-signal-safe
        // work, so the room for the digits is made here.
        environment.push_back("WATCHDOG_PID=" + std::string(20, '\0'));
        std::vector<char*> envp;
        for (auto& variable : environment) {
            envp.push_back(variable.data());
        }
        envp.push_back(nullptr);
        char* pid_digits = envp[envp.size() - 2] + std::strlen("WATCHDOG_PID=");

        std::string program = kKioskProgram;
        std::string settings_path = settings.string();
        char* argv[] = {program.data(), settings_path.data(), nullptr};

        kiosk::testing::Fd log(
            ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        REQUIRE(log);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            write_decimal(pid_digits, ::getpid());
            ::dup2(log.get(), STDOUT_FILENO);
            ::dup2(log.get(), STDERR_FILENO);
            ::execve(argv[0], argv, envp.data());
            ::_exit(127);
        }
    }
    ~KioskProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int ignored = 0;
            ::waitpid(pid_, &ignored, 0);
        }
    }
    KioskProcess(const KioskProcess&) = delete;
    KioskProcess& operator=(const KioskProcess&) = delete;

    void stop() { ::kill(pid_, SIGTERM); } // what `systemctl stop kiosk` sends

    // The wait status once the child has exited, or nothing if it is still running then.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout) {
        auto deadline = Clock::now() + timeout;
        for (;;) {
            int status = 0;
            pid_t done = ::waitpid(pid_, &status, WNOHANG);
            if (done == pid_) {
                pid_ = -1;
                return status;
            }
            if (Clock::now() >= deadline) {
                return std::nullopt;
            }
            ::usleep(20'000);
        }
    }

private:
    static void write_decimal(char* out, pid_t value) {
        char reversed[20];
        int length = 0;
        do {
            reversed[length++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value > 0);
        while (length > 0) {
            *out++ = reversed[--length];
        }
        *out = '\0';
    }

    pid_t pid_ = -1;
};

std::string file_text(const std::filesystem::path& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::filesystem::path write_settings(const ScopedTempDir& dir, const std::string& extra) {
    auto settings = dir.path() / "kiosk.toml";
    std::ofstream out(settings);
    out << "[device]\nid = \"ward-7-kiosk\"\nsite = \"Main Hospital\"\n"
        << "service = \"Eye clinic\"\n"
        << "[questionnaires]\nfiles = [\"" << KIOSK_SOURCE_DIR
        << "/config/questionnaires/friends-and-family-test.json\"]\n"
        << "active = \"friends-and-family-test\"\n"
        << "[storage]\ndata_dir = \"data\"\n"
        << "[display]\nfullscreen = false\nwidth = 800\nheight = 480\ndpi = 96\n"
        << "[delivery]\nendpoint = \"https://127.0.0.1:9/fhir\"\n"
        << extra;
    return settings;
}

struct ServiceRun {
    std::optional<std::string> first_message;
    int pings = 0;
    bool stopping = false;
    std::optional<int> exit_status;
    std::string log;
};

// Starts the kiosk, waits for its first message, counts watchdog pings for 1.5 s, stops it.
ServiceRun run_as_service(const std::string& extra_settings) {
    ScopedTempDir dir;
    auto settings = write_settings(dir, extra_settings);
    NotifyListener listener((dir.path() / "notify").string());
    auto log_file = dir.path() / "kiosk.log";
    ServiceRun run;
    {
        KioskProcess kiosk(
            settings,
            {"SDL_VIDEODRIVER=dummy", "NOTIFY_SOCKET=" + listener.name(), "WATCHDOG_USEC=400000"},
            log_file);
        // Generous: a sanitizer build on a busy machine starts slowly.
        run.first_message = listener.receive(60s);
        if (run.first_message) {
            auto deadline = Clock::now() + 1500ms;
            while (Clock::now() < deadline) {
                auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
                auto message = listener.receive(std::max(left, 1ms));
                if (message && *message == "WATCHDOG=1") {
                    ++run.pings;
                }
            }
        }
        kiosk.stop();
        auto deadline = Clock::now() + 30s;
        while (!run.stopping && Clock::now() < deadline) {
            auto message = listener.receive(1s);
            run.stopping = message && *message == "STOPPING=1";
        }
        run.exit_status = kiosk.wait_for_exit(30s);
    }
    run.log = file_text(log_file);
    return run;
}

} // namespace

TEST_CASE("the kiosk tells its service manager it is ready, alive, and stopping") {
    auto run = run_as_service("");
    INFO("the kiosk's log:\n" << run.log);
    REQUIRE(run.first_message);
    CHECK(*run.first_message ==
          "READY=1\nSTATUS=taking responses: Friends and Family Test, Eye clinic");
    // WATCHDOG_USEC=400000: a ping every 200 ms while idle, so about 7 in 1.5 s.
    CHECK(run.pings >= 3);
    CHECK(run.stopping);
    REQUIRE(run.exit_status);
    CHECK(WIFEXITED(*run.exit_status));
    CHECK(WEXITSTATUS(*run.exit_status) == 0);
}

TEST_CASE("a kiosk out of service is still ready, says why, and keeps its watchdog") {
    // A misspelt key: the kiosk shows "not available" and must not be restarted in a loop.
    auto run = run_as_service("[session]\nidle_timout_seconds = 60\n");
    INFO("the kiosk's log:\n" << run.log);
    REQUIRE(run.first_message);
    CHECK(run.first_message->starts_with("READY=1\nSTATUS=out of service: the settings file "));
    CHECK(run.pings >= 3);
    CHECK(run.stopping);
    REQUIRE(run.exit_status);
    CHECK(WIFEXITED(*run.exit_status));
    CHECK(WEXITSTATUS(*run.exit_status) == 0);
}
