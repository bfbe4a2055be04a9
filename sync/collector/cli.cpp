#include "collector/cli.hpp"

#include "collector/config.hpp"
#include "collector/csv_export.hpp"
#include "collector/server.hpp"
#include "collector/store.hpp"
#include "collector/time_text.hpp"
#include "collector/tokens.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <pthread.h>
#include <streambuf>
#include <thread>
#include <unistd.h>

#ifndef KIOSK_COLLECTOR_VERSION
#define KIOSK_COLLECTOR_VERSION "0.0.0"
#endif

namespace kiosk::collector {

namespace {

constexpr const char* kUsage =
    R"(kiosk-collector: the ward feedback kiosk's reference FHIR receiving endpoint

usage:
  kiosk-collector serve --config FILE
      Serve HTTPS until SIGTERM or SIGINT.
  kiosk-collector add-device --config FILE DEVICE_ID
      Register a kiosk; prints its new bearer token once, on standard output.
  kiosk-collector remove-device --config FILE DEVICE_ID
      Revoke a kiosk's token (its responses are kept).
  kiosk-collector export --config FILE --csv [--out FILE]
      Write every answer as CSV, to FILE or standard output.
  kiosk-collector --version

See docs/collector.md for the configuration file.
)";

struct Arguments {
    std::string command;
    std::optional<std::string> config;
    std::optional<std::string> out;
    bool csv = false;
    std::vector<std::string> positional;
};

std::optional<std::string> parse(const std::vector<std::string>& args, Arguments& parsed) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        auto value_of = [&](const std::string& name,
                            std::optional<std::string>& target) -> std::optional<std::string> {
            if (arg == name) {
                if (i + 1 >= args.size()) {
                    return name + " needs a value";
                }
                target = args[++i];
            } else {
                target = arg.substr(name.size() + 1);
            }
            if (target->empty()) {
                return name + " needs a value";
            }
            return std::nullopt;
        };
        if (arg == "--config" || arg.rfind("--config=", 0) == 0) {
            if (auto problem = value_of("--config", parsed.config)) {
                return problem;
            }
        } else if (arg == "--out" || arg.rfind("--out=", 0) == 0) {
            if (auto problem = value_of("--out", parsed.out)) {
                return problem;
            }
        } else if (arg == "--csv") {
            parsed.csv = true;
        } else if (arg.size() > 1 && arg[0] == '-') {
            return "unknown option " + arg;
        } else if (parsed.command.empty()) {
            parsed.command = arg;
        } else {
            parsed.positional.push_back(arg);
        }
    }
    return std::nullopt;
}

// The configuration, its questionnaires and the database, which every command needs.
struct Loaded {
    Config config;
    Registry registry;
};

std::optional<Loaded> load(const Arguments& args, std::ostream& err, bool need_registry) {
    auto config = load_config(*args.config);
    if (auto* error = std::get_if<Error>(&config)) {
        err << "kiosk-collector: " << error->message << "\n";
        return std::nullopt;
    }
    Loaded loaded{std::get<Config>(std::move(config)), Registry{}};
    if (need_registry) {
        auto registry = Registry::load(loaded.config.questionnaires);
        if (auto* error = std::get_if<Error>(&registry)) {
            err << "kiosk-collector: " << error->message << " (questionnaires.files in "
                << loaded.config.file.string() << ")\n";
            return std::nullopt;
        }
        loaded.registry = std::get<Registry>(std::move(registry));
    }
    return loaded;
}

std::optional<outbox::Database> open_database(const Config& config, std::ostream& err) {
    auto db = open_store(config.database);
    if (auto* error = std::get_if<Error>(&db)) {
        err << "kiosk-collector: storage.database (in " << config.file.string()
            << "): " << error->message << "\n";
        return std::nullopt;
    }
    return std::get<outbox::Database>(std::move(db));
}

int serve(const Arguments& args, std::ostream& err) {
    auto loaded = load(args, err, true);
    if (!loaded) {
        return 1;
    }
    // Block the stop signals before any thread starts, so that every thread inherits the mask
    // and only the waiter below receives them: httplib's stop() is not async-signal-safe, so it
    // must be called from an ordinary thread, never from a signal handler.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigset_t previous;
    pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
    struct RestoreMask {
        sigset_t mask;
        ~RestoreMask() { pthread_sigmask(SIG_SETMASK, &mask, nullptr); }
    } restore{previous};

    LogSink log = stderr_log_sink();
    const std::string canonicals = [&] {
        std::string names;
        for (const auto& name : loaded->registry.canonicals()) {
            names += (names.empty() ? "" : ", ") + name;
        }
        return names;
    }();
    auto created = Server::create(loaded->config, std::move(loaded->registry), log);
    if (auto* error = std::get_if<Error>(&created)) {
        err << "kiosk-collector: " << error->message << "\n";
        return 1;
    }
    auto& server = *std::get<std::unique_ptr<Server>>(created);
    auto port = server.bind();
    if (auto* error = std::get_if<Error>(&port)) {
        err << "kiosk-collector: " << error->message << "\n";
        return 1;
    }
    const Config& config = loaded->config;
    log(format_utc_millis(std::chrono::system_clock::now()) + " kiosk-collector " +
        KIOSK_COLLECTOR_VERSION + " listening on https://" + config.listen_address + ":" +
        std::to_string(std::get<int>(port)) + (config.base_path.empty() ? "/" : config.base_path) +
        "; client certificates " +
        (config.client_ca ? "required (" + config.client_ca->string() + ")" : "not required") +
        "; database " + config.database.string() + "; questionnaires " + canonicals);

    std::atomic<bool> finished{false};
    std::thread waiter([&] {
        int signal_number = 0;
        sigwait(&stop_signals, &signal_number);
        if (!finished) {
            log(format_utc_millis(std::chrono::system_clock::now()) + " " +
                (signal_number == SIGINT ? "SIGINT" : "SIGTERM") +
                ": stopping after the requests in progress");
            server.stop();
        }
    });
    server.run();
    finished = true;
    // Wake the waiter if run() ended on its own; a signal to a thread that already took one
    // stays pending and is dropped with the thread.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    log(format_utc_millis(std::chrono::system_clock::now()) + " stopped");
    return 0;
}

int add_device_command(const Arguments& args, std::ostream& out, std::ostream& err) {
    if (args.positional.size() != 1) {
        err << "kiosk-collector: add-device needs exactly one DEVICE_ID\n" << kUsage;
        return 2;
    }
    const std::string& device_id = args.positional[0];
    if (auto problem = check_device_id(device_id)) {
        err << "kiosk-collector: " << problem->message << "\n";
        return 2;
    }
    auto loaded = load(args, err, false);
    if (!loaded) {
        return 1;
    }
    auto db = open_database(loaded->config, err);
    if (!db) {
        return 1;
    }
    auto token = new_device_token();
    if (auto* error = std::get_if<Error>(&token)) {
        err << "kiosk-collector: " << error->message << "\n";
        return 1;
    }
    if (auto error = add_device(*db, device_id, std::get<std::string>(token),
                                format_utc_millis(std::chrono::system_clock::now()))) {
        err << "kiosk-collector: " << error->message << "\n";
        return 1;
    }
    out << std::get<std::string>(token) << "\n";
    out.flush();
    err << "kiosk-collector: added device '" << device_id
        << "'. Its token is on standard output and is shown only this once: put it in the "
           "kiosk's token file, readable only by the kiosk's service user.\n";
    return 0;
}

int remove_device_command(const Arguments& args, std::ostream& err) {
    if (args.positional.size() != 1) {
        err << "kiosk-collector: remove-device needs exactly one DEVICE_ID\n" << kUsage;
        return 2;
    }
    auto loaded = load(args, err, false);
    if (!loaded) {
        return 1;
    }
    auto db = open_database(loaded->config, err);
    if (!db) {
        return 1;
    }
    auto removed = remove_device(*db, args.positional[0]);
    if (auto* error = std::get_if<Error>(&removed)) {
        err << "kiosk-collector: " << error->message << "\n";
        return 1;
    }
    if (!std::get<bool>(removed)) {
        err << "kiosk-collector: there is no device '" << args.positional[0] << "'\n";
        return 1;
    }
    err << "kiosk-collector: removed device '" << args.positional[0]
        << "'; its token no longer works. Its responses are kept.\n";
    return 0;
}

// An output stream over a file descriptor this code opened itself, so that what is written is
// the file that was created, not whatever the name points at by the time it is reopened.
class DescriptorBuffer final : public std::streambuf {
public:
    explicit DescriptorBuffer(int fd) : fd_(fd) { setp(buffer_, buffer_ + sizeof buffer_); }
    bool failed() const { return failed_; }

protected:
    int_type overflow(int_type ch) override {
        if (!flush_buffer()) {
            return traits_type::eof();
        }
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }
    int sync() override { return flush_buffer() ? 0 : -1; }

private:
    bool flush_buffer() {
        const char* from = pbase();
        while (!failed_ && from < pptr()) {
            const ssize_t n = ::write(fd_, from, static_cast<std::size_t>(pptr() - from));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                failed_ = true;
                break;
            }
            from += n;
        }
        setp(buffer_, buffer_ + sizeof buffer_);
        return !failed_;
    }

    int fd_;
    bool failed_ = false;
    char buffer_[64 * 1024];
};

// Writes to a new private file next to the target (a unique name made with O_EXCL, so nothing
// already there, not even a link someone placed, is followed or truncated), syncs it, and
// renames it into place: a reader never sees half an export, and free-text answers are never
// left readable by others.
int export_to_file(outbox::Database& db, const Registry& registry,
                   const std::filesystem::path& target, std::ostream& err) {
    std::string pattern = target.string() + ".XXXXXX.partial";
    const int fd =
        ::mkostemps(pattern.data(), static_cast<int>(std::strlen(".partial")), O_CLOEXEC);
    if (fd < 0) {
        err << "kiosk-collector: cannot write next to " << target.string() << ": "
            << std::strerror(errno) << "\n";
        return 1;
    }
    const std::filesystem::path partial = pattern;
    Result<ExportCount> result = Error{};
    {
        DescriptorBuffer buffer(fd);
        std::ostream file(&buffer);
        result = export_csv(db, registry, file);
        file.flush();
        if ((!file || buffer.failed() || ::fsync(fd) != 0) && !failed(result)) {
            result = Error{"writing " + partial.string() + " failed (disk full?)"};
        }
    }
    ::close(fd);
    if (auto* error = std::get_if<Error>(&result)) {
        std::filesystem::remove(partial);
        err << "kiosk-collector: " << error->message << "\n";
        return 1;
    }
    std::error_code renamed;
    std::filesystem::rename(partial, target, renamed);
    if (renamed) {
        std::filesystem::remove(partial);
        err << "kiosk-collector: cannot move " << partial.string() << " to " << target.string()
            << ": " << renamed.message() << "\n";
        return 1;
    }
    const auto& count = std::get<ExportCount>(result);
    err << "kiosk-collector: exported " << count.rows << " answers from " << count.responses
        << " responses to " << target.string() << "\n";
    return 0;
}

int export_command(const Arguments& args, std::ostream& out, std::ostream& err) {
    if (!args.csv) {
        err << "kiosk-collector: export needs --csv (the only format so far)\n";
        return 2;
    }
    if (!args.positional.empty()) {
        err << "kiosk-collector: export takes no other arguments (got '" << args.positional[0]
            << "')\n";
        return 2;
    }
    auto loaded = load(args, err, true);
    if (!loaded) {
        return 1;
    }
    auto db = open_database(loaded->config, err);
    if (!db) {
        return 1;
    }
    if (args.out) {
        return export_to_file(*db, loaded->registry, *args.out, err);
    }
    auto result = export_csv(*db, loaded->registry, out);
    out.flush();
    if (auto* error = std::get_if<Error>(&result)) {
        err << "kiosk-collector: " << error->message << "\n";
        return 1;
    }
    return 0;
}

} // namespace

int run_command_line(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
        out << kUsage;
        return 0;
    }
    if (args.size() == 1 && args[0] == "--version") {
        out << "kiosk-collector " << KIOSK_COLLECTOR_VERSION << "\n";
        return 0;
    }
    Arguments parsed;
    if (auto problem = parse(args, parsed)) {
        err << "kiosk-collector: " << *problem << "\n" << kUsage;
        return 2;
    }
    static const std::vector<std::string> commands = {"serve", "add-device", "remove-device",
                                                      "export"};
    if (parsed.command.empty() ||
        std::find(commands.begin(), commands.end(), parsed.command) == commands.end()) {
        err << (parsed.command.empty()
                    ? std::string("kiosk-collector: no command given\n")
                    : "kiosk-collector: unknown command '" + parsed.command + "'\n")
            << kUsage;
        return 2;
    }
    if (!parsed.config) {
        err << "kiosk-collector: " << parsed.command << " needs --config FILE\n";
        return 2;
    }
    if (parsed.command != "export" && (parsed.csv || parsed.out)) {
        err << "kiosk-collector: --csv and --out belong to export\n";
        return 2;
    }
    if (parsed.command == "serve") {
        if (!parsed.positional.empty()) {
            err << "kiosk-collector: serve takes no other arguments\n";
            return 2;
        }
        return serve(parsed, err);
    }
    if (parsed.command == "add-device") {
        return add_device_command(parsed, out, err);
    }
    if (parsed.command == "remove-device") {
        return remove_device_command(parsed, err);
    }
    return export_command(parsed, out, err);
}

} // namespace kiosk::collector
