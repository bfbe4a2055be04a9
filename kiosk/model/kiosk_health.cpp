#include "model/kiosk_health.hpp"

namespace kiosk::model {

const char* health_name(Health health) {
    switch (health) {
    case Health::green:
        return "green";
    case Health::amber:
        return "amber";
    case Health::red:
        return "red";
    }
    return "unknown";
}

std::string duration_words(std::int64_t ms) {
    if (ms < 0) {
        ms = 0;
    }
    std::int64_t minutes = ms / 60'000;
    if (minutes < 1) {
        return "less than a minute";
    }
    if (minutes < 60) {
        return std::to_string(minutes) + " min";
    }
    std::int64_t hours = minutes / 60;
    if (hours < 48) {
        std::int64_t rest = minutes % 60;
        return std::to_string(hours) + " h" + (rest ? " " + std::to_string(rest) + " min" : "");
    }
    return std::to_string(hours / 24) + " days";
}

Assessment assess_kiosk(const KioskFacts& facts) {
    std::vector<std::string> red;
    std::vector<std::string> amber;
    auto mib = [](std::uint64_t bytes) {
        return std::to_string(bytes / (1024 * 1024)) + " MB";
    };

    if (facts.out_of_service) {
        red.push_back("Patients cannot answer: " + *facts.out_of_service);
    }
    if (facts.unsaved_responses > 0) {
        std::string why;
        if (facts.storage_full) {
            why = ": the storage is full";
        }
        if (facts.save_problem) {
            why += " (" + *facts.save_problem + ")";
        }
        red.push_back(std::to_string(facts.unsaved_responses) +
                      " answered questionnaire(s) could not be saved yet; the kiosk keeps trying" +
                      why);
    }
    if (facts.storage_problem) {
        red.push_back("Responses cannot be read or saved: " + *facts.storage_problem);
    }
    if (facts.delivery_paused) {
        red.push_back("Sending has stopped: the server refused this kiosk's credentials" +
                      (facts.delivery_paused_reason.empty()
                           ? std::string()
                           : " (" + facts.delivery_paused_reason + ")"));
    }
    if (facts.free_disk_bytes && *facts.free_disk_bytes < kDiskNearlyFullBytes) {
        red.push_back("The storage is nearly full: " + mib(*facts.free_disk_bytes) + " free");
    } else if (facts.free_disk_bytes && *facts.free_disk_bytes < kDiskGettingFullBytes) {
        amber.push_back("The storage is getting full: " + mib(*facts.free_disk_bytes) + " free");
    }
    if (facts.oldest_waiting_ms) {
        auto waited = facts.now_ms - *facts.oldest_waiting_ms;
        bool failing = facts.last_error_ms &&
                       (!facts.last_success_ms || *facts.last_error_ms >= *facts.last_success_ms);
        if (!facts.delivery_configured) {
            amber.push_back("Responses are not being sent: no server is set up (they are kept)");
        } else if (waited >= kWaitingTooLongMs) {
            red.push_back("Responses have been waiting to be sent for " + duration_words(waited) +
                          " (they are kept safely)");
        } else if (waited >= kNotSendingMs && failing) {
            amber.push_back("Responses are waiting to be sent: the network or server has not "
                            "answered for " +
                            duration_words(waited) + " (they are kept safely)");
        }
    }
    if (facts.rejected > 0) {
        amber.push_back(std::to_string(facts.rejected) +
                        " response(s) were refused by the server: IT should look at them");
    }
    if (facts.paused_by_staff) {
        amber.push_back("Paused by staff: patients cannot answer until someone taps Resume");
    }
    if (facts.damaged_database_moved_to) {
        amber.push_back("A damaged response file was found and put aside for IT: " +
                        *facts.damaged_database_moved_to);
    }

    Assessment assessment;
    if (!red.empty()) {
        assessment.health = Health::red;
        assessment.summary = "Not working properly";
    } else if (!amber.empty()) {
        assessment.health = Health::amber;
        assessment.summary = "Working, but needs attention";
    } else {
        assessment.health = Health::green;
        assessment.summary = "Working";
        assessment.reasons.push_back(facts.delivery_configured
                                         ? "Answers are saved and sent to the hospital"
                                         : "Answers are saved");
    }
    if (facts.closed_by_hours && !facts.paused_by_staff) {
        // Planned, so not a fault: but say it, or "Working" reads as "patients can answer".
        assessment.reasons.push_back("Closed: outside the opening hours the kiosk shows a "
                                     "\"not in use\" screen");
    }
    assessment.reasons.insert(assessment.reasons.end(), red.begin(), red.end());
    assessment.reasons.insert(assessment.reasons.end(), amber.begin(), amber.end());
    return assessment;
}

} // namespace kiosk::model
