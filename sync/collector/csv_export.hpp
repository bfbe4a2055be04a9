#pragma once

// `kiosk-collector export --csv`: one row per answer, for a spreadsheet.
//
// Cells follow RFC 4180 (comma separated, CRLF line ends, quoted when they hold a comma, quote or
// line break, quotes doubled). A cell that begins with = + - @ (or a tab or carriage return) gets
// a leading apostrophe, so a spreadsheet never runs a patient's free text as a formula.

#include "collector/error.hpp"
#include "collector/registry.hpp"
#include "outbox/sqlite_handle.hpp"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace kiosk::collector {

// The columns, in order.
inline constexpr const char* kCsvHeader[] = {
    "received", "device",   "questionnaire", "response_identifier", "authored",
    "link_id",  "question", "answer",        "answer_code",
};

// One cell, quoted and guarded as described above.
std::string csv_cell(std::string_view text);

struct ExportCount {
    std::int64_t responses = 0;
    std::int64_t rows = 0;
};

// Writes the header and a row per answer of every stored response, oldest first. Question text
// comes from the response, or from the registered Questionnaire when the response has none.
Result<ExportCount> export_csv(outbox::Database& db, const Registry& registry, std::ostream& out);

} // namespace kiosk::collector
