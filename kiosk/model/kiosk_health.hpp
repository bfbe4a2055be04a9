#pragma once
// The one-glance answer a volunteer needs: is the kiosk working? Green, amber or red, with the
// reasons in plain words. Pure: the app gathers the facts (from the outbox, the disk, the
// session) and the staff screen shows the verdict.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::model {

enum class Health {
    green, // working: responses are saved and sent
    amber, // working, but something needs looking at soon (responses are safe)
    red,   // not working, or responses are at risk: call IT
};

const char* health_name(Health health); // "green", "amber", "red"

struct KioskFacts {
    std::int64_t now_ms = 0;
    std::optional<std::string> out_of_service; // the reason, when patients cannot answer
    std::size_t unsaved_responses = 0;         // submitted but not yet stored (storage failing)
    // While responses wait unsaved: why the latest save failed (the outbox's words, naming the
    // file), and whether that was a full disk, which staff can act on without IT.
    std::optional<std::string> save_problem;
    bool storage_full = false;
    std::optional<std::string> storage_problem; // the outbox could not be read or written
    bool delivery_configured = true;            // an endpoint is set and the worker runs
    std::int64_t waiting = 0;                   // stored, not yet acknowledged
    std::int64_t rejected = 0;
    std::optional<std::int64_t> oldest_waiting_ms;
    std::optional<std::int64_t> last_success_ms;
    std::optional<std::string> last_error;
    std::optional<std::int64_t> last_error_ms;
    bool delivery_paused = false; // the endpoint refused our credentials
    std::string delivery_paused_reason;
    std::optional<std::uint64_t> free_disk_bytes;
    std::optional<std::string> damaged_database_moved_to;
    bool paused_by_staff = false; // patients cannot answer until staff resume it
    bool closed_by_hours = false; // outside the opening hours: paused as planned
};

struct Assessment {
    Health health = Health::green;
    std::string summary;              // one line: "Working", "Working, but needs attention" ...
    std::vector<std::string> reasons; // worst first, plain words
};

// Thresholds, so the words on screen and the tests agree.
inline constexpr std::uint64_t kDiskNearlyFullBytes = 50ull * 1024 * 1024;
inline constexpr std::uint64_t kDiskGettingFullBytes = 500ull * 1024 * 1024;
inline constexpr std::int64_t kWaitingTooLongMs = 24ll * 3600 * 1000;
inline constexpr std::int64_t kNotSendingMs = 15ll * 60 * 1000;

Assessment assess_kiosk(const KioskFacts& facts);

// "3 min", "2 h 5 min", "4 days": how long ago, for the staff screen.
std::string duration_words(std::int64_t ms);

} // namespace kiosk::model
