// Fuzz target: the body of a server's reply to a batch, through the client's batch-response
// parser (sync/fhir/batch.hpp).
//
// Input layout: the first byte chooses what was sent, the rest is the reply body.
//   bits 0-5: how many entries were sent (0 to 63, past the protocol's 50 on purpose);
//   bit 7:    set: the overload that also checks identifiers, with the rows sent named
//             urn:uuid:00000000-0000-4000-8000-000000000001, ...-000000000002, and so on.
// Invariants: a valid reply has exactly one result per entry sent, each consistent with its
// status; an invalid one has no entries and a reason; reasons are one short line.

#include "fuzz_check.hpp"

#include "fhir/batch.hpp"
#include "fhir/operation_outcome.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace kiosk::fhir;

std::string identifier(std::size_t n) {
    const std::string digits = std::to_string(n);
    return "urn:uuid:00000000-0000-4000-8000-" + std::string(12 - digits.size(), '0') + digits;
}

std::vector<OutgoingResponse> rows_sent(std::size_t count) {
    std::vector<OutgoingResponse> rows;
    for (std::size_t i = 1; i <= count; ++i) {
        const std::string id = identifier(i);
        rows.push_back({static_cast<std::int64_t>(i), id,
                        R"({"resourceType":"QuestionnaireResponse","identifier":)"
                        R"({"system":"urn:ietf:rfc:3986","value":")" +
                            id + R"("}})"});
    }
    return rows;
}

bool one_line(std::string_view text) {
    return text.find('\n') == std::string_view::npos && text.find('\r') == std::string_view::npos;
}

void check_reply(const BatchReply& reply, std::size_t sent_count) {
    if (!reply.valid()) {
        FUZZ_CHECK(reply.entries.empty());
        FUZZ_CHECK(!reply.invalid_reason->empty());
        return;
    }
    FUZZ_CHECK(reply.entries.size() == sent_count);
    for (const EntryResult& entry : reply.entries) {
        FUZZ_CHECK(entry.status >= 100 && entry.status <= 599);
        FUZZ_CHECK(entry.outcome == classify_entry_status(entry.status));
        FUZZ_CHECK(entry.reason.empty() == (entry.outcome == EntryOutcome::acknowledged));
        FUZZ_CHECK(one_line(entry.reason));
        FUZZ_CHECK(entry.reason.size() <= max_outcome_text_bytes);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::size_t sent_count = data[0] & 0x3f;
    const bool check_identifiers = (data[0] & 0x80) != 0;
    const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    if (check_identifiers) {
        const std::vector<OutgoingResponse> sent = rows_sent(sent_count);
        check_reply(parse_batch_response(body, sent), sent_count);
    } else {
        check_reply(parse_batch_response(body, sent_count), sent_count);
    }
    return 0;
}
