// kiosk-sync: the delivery of stored responses, for IT staff.
//
//   kiosk-sync --config FILE status            what is waiting, delivered, refused; last problem;
//                                              responses stored; the last staff actions
//   kiosk-sync --config FILE once              deliver everything that is due, now
//   kiosk-sync --config FILE list [--state S] [--limit N]
//   kiosk-sync --config FILE retry ID          send a refused response again

#include "app/delivery_setup.hpp"
#include "settings/settings.hpp"

#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

namespace {

using namespace kiosk;

const char* const kUsage =
    "usage:\n"
    "  kiosk-sync --config FILE status\n"
    "  kiosk-sync --config FILE once\n"
    "  kiosk-sync --config FILE list [--state queued|sending|acknowledged|rejected] [--limit N]\n"
    "  kiosk-sync --config FILE retry ID\n";

std::string local_time(std::int64_t unix_ms, const char* format = "%Y-%m-%d %H:%M:%S") {
    std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
    std::tm local{};
    localtime_r(&seconds, &local);
    char text[40];
    std::strftime(text, sizeof text, format, &local);
    return text;
}

// Where "today" starts on this device's clock and time zone, in Unix milliseconds.
std::int64_t start_of_local_day(std::time_t now) {
    std::tm local{};
    localtime_r(&now, &local);
    local.tm_hour = 0;
    local.tm_min = 0;
    local.tm_sec = 0;
    local.tm_isdst = -1; // midnight may be on the other side of a clock change
    return static_cast<std::int64_t>(std::mktime(&local)) * 1000;
}

// Staff actions are the app's own words, but a questionnaire title can reach them: one line each.
std::string one_line(std::string text) {
    for (auto& c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            c = ' ';
        }
    }
    return text;
}

constexpr std::size_t kStaffActionsShown = 10;

int print_staff_facts(outbox::Outbox& outbox) {
    auto totals = outbox.response_totals(start_of_local_day(std::time(nullptr)));
    if (totals.error) {
        std::fprintf(stderr, "kiosk-sync: %s\n", totals.error->describe().c_str());
        return 1;
    }
    const auto& t = totals.totals;
    if (t.since_ms) {
        std::printf("stored ever:   %lld since %s\n", static_cast<long long>(t.stored_ever),
                    local_time(*t.since_ms, "%Y-%m-%d %H:%M").c_str());
    } else {
        std::printf("stored ever:   %lld\n", static_cast<long long>(t.stored_ever));
    }
    std::printf("stored today:  %lld\n", static_cast<long long>(t.stored_since));

    auto recent = outbox.recent_staff_actions(kStaffActionsShown);
    if (recent.error) {
        std::fprintf(stderr, "kiosk-sync: %s\n", recent.error->describe().c_str());
        return 1;
    }
    if (recent.actions.empty()) {
        std::printf("Last staff actions: none recorded\n");
        return 0;
    }
    std::printf("Last staff actions:\n");
    for (const auto& action : recent.actions) {
        std::printf("  %s  %-9s  %s\n", local_time(action.at_ms, "%Y-%m-%d %H:%M").c_str(),
                    one_line(action.role).c_str(), one_line(action.action).c_str());
    }
    return 0;
}

int print_status(outbox::Outbox& outbox) {
    auto result = outbox.delivery_status();
    if (result.error) {
        std::fprintf(stderr, "kiosk-sync: %s\n", result.error->describe().c_str());
        return 1;
    }
    const auto& s = result.status;
    std::printf("outbox:        %s\n", outbox.file().c_str());
    std::printf("waiting:       %lld queued, %lld sending\n", static_cast<long long>(s.queued),
                static_cast<long long>(s.sending));
    std::printf("delivered:     %lld (kept for the retention period)\n",
                static_cast<long long>(s.acknowledged));
    std::printf("refused:       %lld%s\n", static_cast<long long>(s.rejected),
                s.rejected > 0 ? "  (see: kiosk-sync list --state rejected)" : "");
    if (s.oldest_waiting_created_at_ms) {
        std::printf("oldest waiting: since %s\n",
                    local_time(*s.oldest_waiting_created_at_ms).c_str());
    }
    std::printf("last delivery: %s\n",
                s.last_success_at_ms ? local_time(*s.last_success_at_ms).c_str() : "never");
    if (s.last_error) {
        std::printf("last problem:  %s at %s\n", s.last_error->c_str(),
                    local_time(s.last_error_at_ms.value_or(0)).c_str());
    }
    if (s.paused) {
        std::printf("PAUSED:        %s\n", s.paused_reason.c_str());
    }
    return print_staff_facts(outbox);
}

int print_list(outbox::Outbox& outbox, std::optional<outbox::ResponseState> state, long limit) {
    auto listed = outbox.list(state, static_cast<std::size_t>(limit));
    if (listed.error) {
        std::fprintf(stderr, "kiosk-sync: %s\n", listed.error->describe().c_str());
        return 1;
    }
    std::printf("%-8s %-13s %-45s %-20s %-8s %s\n", "id", "state", "identifier", "authored",
                "attempts", "last problem");
    for (const auto& row : listed.responses) {
        std::string problem = row.last_error.value_or("");
        if (row.last_status) {
            problem = "HTTP " + std::to_string(*row.last_status) + " " + problem;
        }
        std::printf("%-8lld %-13s %-45s %-20s %-8lld %s\n", static_cast<long long>(row.id),
                    std::string(outbox::to_string(row.state)).c_str(), row.identifier.c_str(),
                    row.authored.c_str(), static_cast<long long>(row.attempts), problem.c_str());
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::string config;
    std::vector<std::string> words;
    std::optional<outbox::ResponseState> state;
    long limit = 100;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if ((arg == "--config" || arg == "--state" || arg == "--limit") && i + 1 >= argc) {
            std::fprintf(stderr, "kiosk-sync: %s needs a value\n%s", arg.c_str(), kUsage);
            return 2;
        }
        if (arg == "--config") {
            config = argv[++i];
        } else if (arg == "--state") {
            state = outbox::response_state_from_string(argv[++i]);
            if (!state) {
                std::fprintf(stderr, "kiosk-sync: unknown state '%s'\n%s", argv[i], kUsage);
                return 2;
            }
        } else if (arg == "--limit") {
            try {
                limit = std::stol(argv[++i]);
            } catch (...) {
                limit = -1;
            }
            if (limit <= 0) {
                std::fprintf(stderr, "kiosk-sync: --limit needs a positive number\n");
                return 2;
            }
        } else if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else {
            words.push_back(arg);
        }
    }
    if (config.empty() || words.empty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    auto loaded = settings::load_settings_file(config);
    if (!loaded.settings) {
        for (const auto& problem : loaded.problems) {
            std::fprintf(stderr, "kiosk-sync: %s\n", problem.to_string().c_str());
        }
        return 1;
    }
    // kiosk-sync never stores responses, only their delivery state: see OutboxOptions::Commit.
    auto opened = outbox::Outbox::open(loaded.settings->data_dir / "outbox.sqlite",
                                       outbox::OutboxOptions::for_delivery());
    if (!opened.outbox) {
        std::fprintf(stderr, "kiosk-sync: %s\n", opened.error->describe().c_str());
        return 1;
    }
    outbox::Outbox& outbox = *opened.outbox;
    const std::string& command = words[0];
    if (command == "status" && words.size() == 1) {
        return print_status(outbox);
    }
    if (command == "list" && words.size() == 1) {
        return print_list(outbox, state, limit);
    }
    if (command == "retry" && words.size() == 2) {
        long long id = 0;
        try {
            id = std::stoll(words[1]);
        } catch (...) {
            std::fprintf(stderr, "kiosk-sync: retry needs the response's id (a number)\n");
            return 2;
        }
        auto retried = outbox.retry_rejected(id);
        if (retried.error) {
            std::fprintf(stderr, "kiosk-sync: %s\n", retried.error->describe().c_str());
            return 1;
        }
        std::printf("response %lld is queued again\n", id);
        return 0;
    }
    if (command == "once" && words.size() == 1) {
        auto settings = app::delivery_settings_from(*loaded.settings);
        if (auto* problem = std::get_if<std::string>(&settings)) {
            std::fprintf(stderr, "kiosk-sync: %s\n", problem->c_str());
            return 1;
        }
        delivery::CurlLibrary curl;
        auto transport = delivery::CurlTransport::create(
            std::get<delivery::DeliverySettings>(settings).transport);
        if (auto* problem = std::get_if<std::string>(&transport)) {
            std::fprintf(stderr, "kiosk-sync: %s\n", problem->c_str());
            return 1;
        }
        auto log = [](delivery::LogLevel level, const std::string& message) {
            std::fprintf(stderr, "kiosk-sync: %s: %s\n",
                         level == delivery::LogLevel::error     ? "error"
                         : level == delivery::LogLevel::warning ? "warning"
                                                                : "info",
                         message.c_str());
        };
        // One deliverer at a time: while the kiosk's own worker delivers, it holds this lock and
        // sends due responses by itself.
        std::string busy;
        auto lock = delivery::DeliveryLock::try_acquire(outbox.file(), &busy);
        if (!lock) {
            std::fprintf(stderr,
                         "kiosk-sync: not sending: %s; the kiosk sends due responses by "
                         "itself\n",
                         busy.c_str());
            return 1;
        }
        // Rows left "sending" by an interrupted run (of this command or the kiosk) go back to the
        // queue first; a resend is harmless because the endpoint deduplicates on the identifier.
        outbox.recover_interrupted();
        delivery::Delivery delivery(outbox, std::get<delivery::CurlTransport>(transport),
                                    std::get<delivery::DeliverySettings>(settings), log);
        std::atomic<bool> stop{false};
        auto result = delivery.deliver_due(stop, delivery::unix_now_ms);
        delivery.purge(delivery::unix_now_ms());
        std::printf("delivered %d, refused %d, waiting to retry %d\n", result.acknowledged,
                    result.rejected, result.requeued);
        if (result.failed || result.paused) {
            std::printf("problem: %s\n", result.problem.c_str());
            return 1;
        }
        return 0;
    }
    std::fputs(kUsage, stderr);
    return 2;
}
