// make bench: weeks of use in one process. The real kiosk (headless, real screens, simulated
// clock) takes scripted patients one after another: most submit, some walk away and are reset
// by the idle timer, some start again. Its delivery worker sends to the reference collector (its
// own process, over HTTPS on 127.0.0.1) through a proxy that now and then refuses connections,
// resets them, or cuts the reply after the collector has stored the batch.
//
// Prints: memory after the first 100 sessions and every 1,000 after (and the slope), open file
// descriptors at the start and end, sessions per second, and the bytes the kiosk process wrote
// to the disk per response (outbox plus its write-ahead log: the collector is another process
// and logs go to a pipe). Then waits for the outbox to drain and checks every response reached
// the collector exactly once. Exits 1 if a check fails; the figures are for a person to read.
//
// usage: soak_bench COLLECTOR_PROGRAM [SESSIONS]   (default 20000)

#include "app/headless_script.hpp"
#include "app/kiosk_app.hpp"
#include "app/log.hpp"
#include "support/fault_proxy.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using namespace kiosk;
using Clock = std::chrono::steady_clock;

long resident_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::stol(line.substr(6));
        }
    }
    return -1;
}

std::size_t open_descriptors() {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/self/fd")) {
        ++count;
    }
    return count - 1; // the iterator's own
}

// Bytes this process has had written to the storage (not the page cache): getrusage counts
// 512-byte blocks.
long long disk_bytes_written() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<long long>(usage.ru_oublock) * 512;
}

std::uint16_t free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

bool port_answers(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

std::string run_and_read(const std::string& command) {
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), &::pclose);
    char buffer[256];
    while (pipe && std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr) {
        out += buffer;
    }
    return out;
}

// The collector in its own process, so that its disk writes are not counted as the kiosk's.
class CollectorProcess {
public:
    CollectorProcess(const std::string& program, const std::filesystem::path& config) {
        std::vector<std::string> args{program, "serve", "--config", config.string()};
        std::vector<char*> argv;
        for (auto& arg : args) {
            argv.push_back(arg.data());
        }
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        if (posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
            pid_ = -1;
        }
        posix_spawn_file_actions_destroy(&actions);
    }
    ~CollectorProcess() { stop(); }
    CollectorProcess(const CollectorProcess&) = delete;
    CollectorProcess& operator=(const CollectorProcess&) = delete;
    bool started() const { return pid_ > 0; }
    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
    }

private:
    pid_t pid_ = -1;
};

// One patient's visit; `kind` varies them as a day on a ward does.
std::string session_script(long number) {
    std::ostringstream out;
    out << "tap \"Start\"\n";
    switch (number % 10) {
    case 3: // walks away mid-questionnaire: the idle warning, then the reset
        out << "tap \"Poor\"\nwait 120s\nexpect screen welcome\n";
        return out.str();
    case 6: // starts again, then answers
        out << "tap \"Good\"\ntap \"Start again\"\ntap \"Yes, start again\"\ntap \"Start\"\n";
        break;
    default:
        break;
    }
    out << "tap \"" << (number % 2 == 0 ? "Very good" : "Good") << "\"\n";
    if (number % 4 == 1) {
        out << "type \"Kind staff, long wait\"\n";
    }
    out << "tap \"Next\"\ntap \"Submit\"\nexpect screen thank-you\nwait 6s\n"
        << "expect screen welcome\n";
    return out.str();
}

bool submits(long number) {
    return number % 10 != 3;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: soak_bench COLLECTOR_PROGRAM [SESSIONS]\n");
        return 2;
    }
    const std::string collector_program = argv[1];
    const long sessions = argc > 2 ? std::stol(argv[2]) : 20000;

    // On the real disk, so that the bytes written are what a device's card would see.
    testing::ScopedTempDir dir("kiosk-soak");
    auto pki = testing::make_test_pki(dir.path() / "pki");
    const auto collector_dir = dir.path() / "collector";
    std::filesystem::create_directories(collector_dir);
    const std::uint16_t collector_port = free_loopback_port();
    const auto collector_config = dir.path() / "collector.toml";
    std::ofstream(collector_config)
        << "[server]\nlisten_address = \"127.0.0.1\"\nport = " << collector_port << "\n"
        << "[tls]\ncertificate = \"" << pki.server.cert.string() << "\"\nprivate_key = \""
        << pki.server.key.string() << "\"\n[storage]\ndatabase = \""
        << (collector_dir / "collector.sqlite").string() << "\"\n[questionnaires]\nfiles = [\""
        << KIOSK_SOURCE_DIR << "/config/questionnaires/friends-and-family-test.json\"]\n";
    const auto token_file = dir.path() / "token";
    {
        std::string printed = run_and_read(collector_program + " add-device --config " +
                                           collector_config.string() + " soak-kiosk");
        printed.erase(printed.find_last_not_of("\n") + 1);
        std::ofstream(token_file) << printed.substr(printed.find_last_of('\n') + 1) << "\n";
        std::filesystem::permissions(token_file, std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::owner_write);
    }
    CollectorProcess collector(collector_program, collector_config);
    for (int tries = 0; tries < 100 && !port_answers(collector_port); ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!collector.started() || !port_answers(collector_port)) {
        std::fprintf(stderr, "the collector did not start (%s)\n", collector_program.c_str());
        return 1;
    }
    testing::FaultProxy proxy(collector_port);

    const auto settings_file = dir.path() / "kiosk.toml";
    std::ofstream(settings_file)
        << "[device]\nid = \"soak-kiosk\"\nsite = \"Test\"\nservice = \"Test\"\n"
        << "[questionnaires]\nfiles = [\"" << KIOSK_SOURCE_DIR
        << "/config/questionnaires/friends-and-family-test.json\"]\n"
        << "[storage]\ndata_dir = \"" << (dir.path() / "kiosk").string() << "\"\n"
        << "[session]\nidle_timeout_seconds = 60\nidle_warning_seconds = 20\n"
        << "thank_you_seconds = 5\n"
        << "[display]\nfullscreen = false\nwidth = 800\nheight = 480\ndpi = 96\n"
        << "[delivery]\nendpoint = \"https://127.0.0.1:" << proxy.port() << "/fhir\"\n"
        << "ca_file = \"" << pki.ca.cert.string() << "\"\ntoken_file = \"" << token_file.string()
        << "\"\nproxy = \"\"\nretry_base_seconds = 1\nretry_cap_seconds = 2\n";

    // The log goes nowhere: a file would count as the kiosk's writes, and a terminal would get
    // two lines per response. A failed script step is printed below.
    std::FILE* log_file = std::fopen("/dev/null", "w");
    app::Log log(log_file != nullptr ? log_file : stderr);
    app::AppOptions options;
    options.settings_file = settings_file;
    options.headless = true;
    options.deliver = true;
    options.default_assets_dir = std::string(KIOSK_SOURCE_DIR) + "/assets";
    const std::size_t descriptors_before_kiosk = open_descriptors();
    auto app = app::KioskApp::start(options, log);
    if (!app || app->out_of_service()) {
        std::fprintf(stderr, "the kiosk did not start: %s\n",
                     app ? app->out_of_service_reason().c_str() : "no app");
        return 1;
    }

    // The proxy misbehaves for a while every few seconds of real time, in turn.
    std::atomic<bool> soaking{true};
    std::thread faults([&] {
        const testing::FaultMode modes[] = {testing::FaultMode::refuse,
                                            testing::FaultMode::reset_on_accept,
                                            testing::FaultMode::cut_reply_after_commit};
        std::size_t next = 0;
        while (soaking) {
            for (int i = 0; i < 40 && soaking; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            proxy.set_mode(modes[next++ % std::size(modes)]);
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            proxy.set_mode(testing::FaultMode::pass);
        }
    });

    std::size_t descriptors_after_hundred = 0;
    long submitted = 0;
    long first_hundred_kib = 0;
    long last_kib = 0;
    bool scripts_passed = true;
    const auto started = Clock::now();
    const long long written_at_start = disk_bytes_written();
    std::printf("sessions  resident_kib  sessions_per_s\n");
    long done = 0;
    while (done < sessions && scripts_passed) {
        const long chunk = done < 100 ? 100 - done : std::min<long>(1000, sessions - done);
        std::string script;
        for (long i = done; i < done + chunk; ++i) {
            script += session_script(i);
            submitted += submits(i) ? 1 : 0;
        }
        auto parsed = app::parse_script(script, "soak");
        auto outcome = app->run_script(parsed.steps, "soak", {});
        if (!outcome.passed) {
            for (const auto& failure : outcome.failures) {
                std::fprintf(stderr, "%s\n", failure.c_str());
            }
            scripts_passed = false;
        }
        done += chunk;
        last_kib = resident_kib();
        if (done == 100) {
            first_hundred_kib = last_kib;
            descriptors_after_hundred = open_descriptors();
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
        std::printf("%8ld  %12ld  %14.1f\n", done, last_kib, done / seconds);
        std::fflush(stdout);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const long long written = disk_bytes_written() - written_at_start;
    soaking = false;
    faults.join();
    proxy.set_mode(testing::FaultMode::pass);

    // Let the worker finish what is queued (retries wait at most 2 s).
    auto waiting = [&]() -> long {
        auto queued = app->outbox()->count(outbox::ResponseState::queued);
        auto sending = app->outbox()->count(outbox::ResponseState::sending);
        if (queued.error || sending.error) {
            return -1;
        }
        return static_cast<long>(queued.count + sending.count);
    };
    const auto give_up = Clock::now() + std::chrono::minutes(5);
    while (waiting() != 0 && Clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    const std::size_t descriptors_at_end = open_descriptors();
    const long left = waiting();
    app.reset();
    proxy.wait_until_idle(std::chrono::seconds(5));
    const std::size_t descriptors_after_kiosk = open_descriptors();
    collector.stop();

    long long stored = -1;
    long long distinct = -1;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2((collector_dir / "collector.sqlite").c_str(), &db, SQLITE_OPEN_READONLY,
                        nullptr) == SQLITE_OK) {
        sqlite3_stmt* count = nullptr;
        sqlite3_prepare_v2(db, "SELECT count(*), count(DISTINCT identifier_value) FROM responses",
                           -1, &count, nullptr);
        if (count != nullptr && sqlite3_step(count) == SQLITE_ROW) {
            stored = sqlite3_column_int64(count, 0);
            distinct = sqlite3_column_int64(count, 1);
        }
        sqlite3_finalize(count);
    }
    sqlite3_close(db);

    const double slope_kib_per_1000 =
        sessions > 100 ? (last_kib - first_hundred_kib) * 1000.0 / (sessions - 100) : 0.0;
    std::printf("soak_sessions %ld (%ld submitted) in %.0f s: %.1f sessions/s\n", sessions,
                submitted, seconds, sessions / seconds);
    std::printf("soak_memory_kib after 100 sessions %ld, at the end %ld: growth %ld KiB "
                "(target within 5120), slope %.1f KiB per 1,000 sessions\n",
                first_hundred_kib, last_kib, last_kib - first_hundred_kib, slope_kib_per_1000);
    // The proxy runs in this process: a connection it holds open counts too, so allow for the
    // delivery worker's one kept-alive connection (two descriptors here) on either side.
    std::printf("soak_file_descriptors after 100 sessions %zu, at the end %zu; before the kiosk "
                "started %zu, after it stopped %zu\n",
                descriptors_after_hundred, descriptors_at_end, descriptors_before_kiosk,
                descriptors_after_kiosk);
    std::printf("soak_disk_bytes_per_response %.0f (outbox and its WAL, delivery included; "
                "target < 16384)\n",
                submitted > 0 ? static_cast<double>(written) / submitted : 0.0);
    std::printf("soak_delivered %lld stored at the collector (%lld distinct) of %ld submitted; "
                "%ld still waiting\n",
                stored, distinct, submitted, left);

    bool ok = scripts_passed && left == 0 && stored == submitted && distinct == submitted &&
              descriptors_at_end <= descriptors_after_hundred + 2 &&
              descriptors_after_kiosk == descriptors_before_kiosk &&
              last_kib - first_hundred_kib <= 5 * 1024;
    std::printf("soak %s\n", ok ? "passed" : "FAILED");
    if (log_file != nullptr) {
        std::fclose(log_file);
    }
    return ok ? 0 : 1;
}
