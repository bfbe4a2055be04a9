#pragma once

// Turning queued responses into the FHIR batch Bundle that goes over the wire (DESIGN.md, "The wire
// protocol"), and reading the server's batch-response. Encoding lives in batch.cpp, reading in
// batch_response.cpp. Pure functions: no network, no database, no threads.
//
// Each entry is
//   {"resource": <the QuestionnaireResponse>,
//    "request": {"method": "POST", "url": "QuestionnaireResponse",
//                "ifNoneExist": "identifier=urn:ietf:rfc:3986|urn:uuid:..."}}
// ifNoneExist makes a retry of an entry the server already stored answer 200 instead of storing a
// second copy. There is deliberately no fullUrl: some servers (Medplum's batch code, for one)
// replace every occurrence of an entry's fullUrl inside that entry with the new resource's
// reference, which would rewrite the identifier and the ifNoneExist search and so store a new copy
// on every retry. fullUrl is optional in a batch, so leaving it out costs nothing.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::fhir {

struct OutgoingResponse {
    std::int64_t row_id = 0; // the outbox row, so results can be matched back
    std::string identifier;  // "urn:uuid:...", equal to the payload's identifier.value
    std::string payload;     // the QuestionnaireResponse JSON text, as stored
};

// DESIGN.md: at most 50 entries or 256 KiB per batch.
inline constexpr std::size_t max_batch_entries = 50;
inline constexpr std::size_t max_batch_bytes = 256 * 1024;

struct BatchLimits {
    // Taken as 1 when 0 and as max_batch_entries when larger: the protocol promises servers no
    // more than 50 entries, whatever the settings say.
    std::size_t max_entries = max_batch_entries;
    // Counted on the encoded body, exactly as encode_batch produces it. A single response larger
    // than this still goes, alone, so it can never block the queue.
    std::size_t max_bytes = max_batch_bytes;
};

// A row that can never be sent as stored. Retrying cannot help, so the caller marks it rejected
// locally with `reason` (it stays in the outbox for staff, like any rejected row).
struct UnsendableResponse {
    std::size_t index = 0; // position in the rows given to plan_batch
    std::int64_t row_id = 0;
    std::string reason; // e.g. "payload is not valid JSON (parse error at line 1, ...)"
};

struct BatchPlan {
    // rows[0, count) form the next batch. At least 1 when the first row is sendable.
    std::size_t count = 0;
    // The encoded Bundle for those rows, byte for byte what encode_batch returns; empty when
    // count is 0.
    std::string body;
    // Set when planning stopped at rows[count] because it cannot be sent. The rows before it are
    // still a good batch; plan again after marking it rejected.
    std::optional<UnsendableResponse> unsendable;
};

// Takes the leading rows, in order, that fit within `limits`. Never throws for bad input: a row
// whose payload is not valid JSON, is nested too deeply, is not a QuestionnaireResponse, or whose
// identifier is not a urn:uuid or differs from the payload's identifier (system and value)
// stops the plan and is reported in `unsendable`. The identifier check matters: if the payload's
// identifier differed from the ifNoneExist search, every retry would store another copy.
BatchPlan plan_batch(std::span<const OutgoingResponse> rows, const BatchLimits& limits = {});

// Why `row` cannot be sent, or nothing when it can (the per-row check plan_batch applies).
std::optional<std::string> unsendable_reason(const OutgoingResponse& row);

// Thrown by encode_batch for a row that plan_batch would have reported as unsendable.
class UnsendableRowError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// The batch Bundle for exactly these rows. The rows must have passed plan_batch (or
// unsendable_reason); for one that would not, this throws UnsendableRowError naming the row,
// because a Bundle silently missing an entry would break the one-status-per-entry matching.
// An empty span gives a Bundle without entries (FHIR JSON does not allow an empty array).
std::string encode_batch(std::span<const OutgoingResponse> rows);

// ---- Reading the reply ----------------------------------------------------------------------

// What to do with one entry, from its response.status.
enum class EntryOutcome {
    // 200 (already there) or 201 (created): stored exactly once at the receiver.
    acknowledged,
    // Any other 4xx except 408, 425 and 429: the server refuses this response. Keep it, show it to
    // staff, never retry it blindly.
    rejected,
    // 408, 425, 429, 5xx, and anything else unexpected (1xx, 3xx, 2xx other than 200/201): not
    // known to be stored, so try again later.
    retry,
};

std::string_view to_string(EntryOutcome outcome); // "acknowledged", "rejected", "retry"

EntryOutcome classify_entry_status(int status);

struct EntryResult {
    int status = 0; // from response.status: "201 Created" gives 201
    EntryOutcome outcome = EntryOutcome::retry;
    // Empty when acknowledged. Otherwise plain words: the text of response.outcome (an
    // OperationOutcome; or the entry's resource when that is one), else response.status as
    // given ("409 Conflict"), else "HTTP 409". One line, at most max_outcome_text_bytes.
    std::string reason;
};

struct BatchReply {
    // Set when the body is not a usable batch-response for what was sent. Then nothing in it can
    // be trusted and the whole batch is tried again later (a captive portal, a proxy's error
    // page, a truncated reply, a reply for some other request). Plain words, for example:
    //   "not JSON (starts with '<html')", "malformed JSON (parse error at line 1, ...)",
    //   "resourceType is 'OperationOutcome', not Bundle", "type is 'batch' not 'batch-response'",
    //   "2 entries for 3 sent", "entry 1 has no response.status",
    //   "entry 2 names urn:uuid:... but urn:uuid:... was sent".
    // Entries are numbered from 1, as people count.
    std::optional<std::string> invalid_reason;
    // One per entry sent, in the order sent; empty when invalid_reason is set.
    std::vector<EntryResult> entries;

    bool valid() const { return !invalid_reason.has_value(); }
};

// Replies larger than this are not parsed (a batch-response for 50 entries is a few kilobytes,
// even when the server returns each stored resource).
inline constexpr std::size_t max_batch_reply_bytes = 16 * 1024 * 1024;

// Reads a 2xx reply body. Checks the shape (a Bundle of type batch-response with exactly
// `sent_count` entries, each with a response.status that starts with a 3-digit HTTP status).
// Never throws and never recurses deeper than max_json_depth, whatever the body.
BatchReply parse_batch_response(std::string_view body, std::size_t sent_count);

// As above, and also checks that no entry names a different response than the one sent in its
// place: an entry whose response.location contains a urn:uuid other than the sent identifier,
// or whose resource.identifier has values none of which is the sent identifier, makes the
// whole reply invalid, because the server has answered some other request.
BatchReply parse_batch_response(std::string_view body, std::span<const OutgoingResponse> sent);

} // namespace kiosk::fhir
