#include "fhir/batch.hpp"

#include "fhir/identifier.hpp"
#include "fhir/limited_json.hpp"

#include <algorithm>
#include <string_view>

namespace kiosk::fhir {
namespace {

using ordered_json = nlohmann::ordered_json;

// The Bundle is assembled from text pieces so its size is known exactly, entry by entry, without
// encoding the whole batch again for every row considered.
constexpr std::string_view bundle_start = R"({"resourceType":"Bundle","type":"batch","entry":[)";
constexpr std::string_view bundle_end = "]}";
constexpr std::string_view empty_bundle = R"({"resourceType":"Bundle","type":"batch"})";

// Reasons quote at most this much of what they found, so one bad row cannot fill a log.
constexpr std::size_t quoted_bytes = 80;

std::string in_quotes(std::string_view text) {
    return "'" + one_line(text, quoted_bytes) + "'";
}

std::string_view string_member(const ordered_json& object, const char* key) {
    const auto found = object.find(key);
    if (found == object.end() || !found->is_string()) {
        return {};
    }
    return found->get_ref<const std::string&>();
}

struct EncodedEntry {
    std::string text;                  // the entry object, when sendable
    std::optional<std::string> reason; // why not, otherwise
};

EncodedEntry encode_entry(const OutgoingResponse& row) {
    if (!is_urn_uuid(row.identifier)) {
        return {{}, "identifier " + in_quotes(row.identifier) + " is not a urn:uuid"};
    }
    auto parsed = parse_ordered_json_limited(row.payload);
    if (parsed.error) {
        return {{}, "payload is not valid JSON (" + *parsed.error + ")"};
    }
    const ordered_json& resource = parsed.value;
    if (!resource.is_object()) {
        return {{}, "payload is a JSON " + std::string(resource.type_name()) + ", not an object"};
    }
    const auto type = string_member(resource, "resourceType");
    if (type != "QuestionnaireResponse") {
        return {{},
                type.empty()
                    ? std::string("payload has no resourceType")
                    : "payload resourceType is " + in_quotes(type) + ", not QuestionnaireResponse"};
    }
    // The identifier the server will store must be the one ifNoneExist searches for; otherwise
    // the search never matches and each retry stores another copy.
    const auto identifier = resource.find("identifier");
    if (identifier == resource.end() || !identifier->is_object()) {
        return {{}, "payload has no identifier"};
    }
    const auto system = string_member(*identifier, "system");
    if (system != identifier_system) {
        return {{},
                "payload identifier.system is " + in_quotes(system) + ", not " +
                    std::string(identifier_system)};
    }
    const auto value = string_member(*identifier, "value");
    if (value != row.identifier) {
        return {{},
                "payload identifier.value " + in_quotes(value) + " differs from the row's " +
                    in_quotes(row.identifier)};
    }

    // Re-encoding (rather than pasting the stored text) guarantees one valid compact JSON value
    // whatever whitespace or byte-order mark the text had; ordered_json keeps the member order.
    std::string text = R"({"resource":)";
    text += resource.dump();
    text += R"(,"request":{"method":"POST","url":"QuestionnaireResponse","ifNoneExist":)";
    text += nlohmann::json(if_none_exist_query(row.identifier)).dump();
    text += "}}";
    return {std::move(text), std::nullopt};
}

std::string assemble(std::span<const std::string> entries) {
    if (entries.empty()) {
        return std::string(empty_bundle);
    }
    std::size_t size = bundle_start.size() + bundle_end.size() + entries.size() - 1;
    for (const std::string& entry : entries) {
        size += entry.size();
    }
    std::string body;
    body.reserve(size);
    body += bundle_start;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) {
            body += ',';
        }
        body += entries[i];
    }
    body += bundle_end;
    return body;
}

} // namespace

std::optional<std::string> unsendable_reason(const OutgoingResponse& row) {
    return encode_entry(row).reason;
}

BatchPlan plan_batch(std::span<const OutgoingResponse> rows, const BatchLimits& limits) {
    const std::size_t max_entries =
        std::clamp<std::size_t>(limits.max_entries, 1, max_batch_entries);
    BatchPlan plan;
    std::vector<std::string> entries;
    std::size_t bytes = bundle_start.size() + bundle_end.size();
    for (std::size_t i = 0; i < rows.size() && entries.size() < max_entries; ++i) {
        EncodedEntry entry = encode_entry(rows[i]);
        if (entry.reason) {
            plan.unsendable = UnsendableResponse{i, rows[i].row_id, std::move(*entry.reason)};
            break;
        }
        const std::size_t added = entry.text.size() + (entries.empty() ? 0 : 1); // the comma
        // The first entry always goes, so a response larger than the limit is sent alone.
        if (!entries.empty() && bytes + added > limits.max_bytes) {
            break;
        }
        bytes += added;
        entries.push_back(std::move(entry.text));
    }
    plan.count = entries.size();
    if (plan.count > 0) {
        plan.body = assemble(entries);
    }
    return plan;
}

std::string encode_batch(std::span<const OutgoingResponse> rows) {
    std::vector<std::string> entries;
    entries.reserve(rows.size());
    for (const OutgoingResponse& row : rows) {
        EncodedEntry entry = encode_entry(row);
        if (entry.reason) {
            throw UnsendableRowError("row " + std::to_string(row.row_id) + ": " + *entry.reason);
        }
        entries.push_back(std::move(entry.text));
    }
    return assemble(entries);
}

} // namespace kiosk::fhir
