#pragma once

// Times as the collector writes them: UTC, ISO 8601, millisecond precision ("...T10:00:00.123Z"),
// so that text order is time order in the database and in the CSV export.

#include <chrono>
#include <string>

namespace kiosk::collector {

std::string format_utc_millis(std::chrono::system_clock::time_point time);

} // namespace kiosk::collector
