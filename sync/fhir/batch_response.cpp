// Reading a batch-response. Anything that does not look exactly like an answer to what was sent
// makes the whole reply invalid, and the caller tries the batch again later: with ifNoneExist on
// every entry a repeat is harmless, while trusting a wrong reply could mark a response delivered
// that the server never stored.

#include "fhir/batch.hpp"

#include "fhir/identifier.hpp"
#include "fhir/limited_json.hpp"
#include "fhir/operation_outcome.hpp"

namespace kiosk::fhir {
namespace {

using json = nlohmann::json;

constexpr std::size_t quoted_bytes = 80;

std::string in_quotes(std::string_view text) {
    return "'" + one_line(text, quoted_bytes) + "'";
}

std::string_view string_member(const json& object, const char* key) {
    const auto found = object.find(key); // end() when object is not an object
    if (found == object.end() || !found->is_string()) {
        return {};
    }
    return found->get_ref<const std::string&>();
}

const json* object_member(const json& object, const char* key) {
    const auto found = object.find(key);
    if (found == object.end() || !found->is_object()) {
        return nullptr;
    }
    return &*found;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// The start of a body that is not JSON, to name what came back instead: "<html", "<!DOCTYPE",
// "Service". Stops at white space or '>' so a page's first tag reads naturally.
std::string first_word(std::string_view body) {
    body = trimmed(body);
    std::size_t length = 0;
    while (length < body.size() && length < 16 && !is_space(body[length]) && body[length] != '>') {
        ++length;
    }
    return one_line(body.substr(0, length), 32);
}

// "201 Created" -> 201. The code must be three digits, alone or followed by white space.
std::optional<int> status_code(std::string_view status) {
    status = trimmed(status);
    if (status.size() < 3) {
        return std::nullopt;
    }
    int code = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        if (status[i] < '0' || status[i] > '9') {
            return std::nullopt;
        }
        code = code * 10 + (status[i] - '0');
    }
    if (status.size() > 3 && !is_space(status[3])) {
        return std::nullopt;
    }
    if (code < 100 || code > 599) {
        return std::nullopt;
    }
    return code;
}

std::string entry_name(std::size_t index) {
    return "entry " + std::to_string(index + 1);
}

std::string count_entries(std::size_t count) {
    return std::to_string(count) + (count == 1 ? " entry" : " entries");
}

std::string reason_for(const json& entry, const json& response, std::string_view status_text,
                       int status) {
    std::string text;
    if (const json* outcome = object_member(response, "outcome")) {
        text = parse_operation_outcome_text(*outcome);
    }
    // Some servers put the OperationOutcome in the entry's resource instead.
    if (text.empty()) {
        if (const json* resource = object_member(entry, "resource")) {
            text = parse_operation_outcome_text(*resource);
        }
    }
    if (text.empty()) {
        const auto given = trimmed(status_text);
        text = given.size() > 3 ? one_line(given, max_outcome_text_bytes)
                                : "HTTP " + std::to_string(status);
    }
    return text;
}

// Why this entry answers some other request than the one sent, if it does.
std::optional<std::string> mismatch(const json& entry, const json& response, std::size_t index,
                                    const std::string& sent) {
    const auto named_other = [&](std::string_view found) {
        return entry_name(index) + " names " + one_line(found, quoted_bytes) + " but " + sent +
               " was sent";
    };
    for (const std::string& found : urn_uuids_in(string_member(response, "location"))) {
        if (!same_urn_uuid(found, sent)) {
            return named_other(found);
        }
    }
    const json* resource = object_member(entry, "resource");
    if (resource == nullptr) {
        return std::nullopt;
    }
    const auto identifier = resource->find("identifier");
    if (identifier == resource->end()) {
        return std::nullopt;
    }
    // A QuestionnaireResponse has one identifier; accept a list too, as long as it holds ours.
    std::vector<std::string_view> values;
    if (identifier->is_object()) {
        values.push_back(string_member(*identifier, "value"));
    } else if (identifier->is_array()) {
        for (const json& item : *identifier) {
            values.push_back(string_member(item, "value"));
        }
    }
    std::erase_if(values, [](std::string_view value) { return value.empty(); });
    if (values.empty()) {
        return std::nullopt;
    }
    for (const std::string_view value : values) {
        if (same_urn_uuid(value, sent)) {
            return std::nullopt;
        }
    }
    return named_other(values.front());
}

BatchReply invalid(std::string reason) {
    BatchReply reply;
    reply.invalid_reason = std::move(reason);
    return reply;
}

BatchReply parse(std::string_view body, std::size_t sent_count,
                 std::span<const OutgoingResponse> sent) {
    if (body.size() > max_batch_reply_bytes) {
        return invalid("reply too large (" + std::to_string(body.size()) + " bytes)");
    }
    const auto text = trimmed(body);
    if (text.empty()) {
        return invalid("empty reply");
    }
    // JSON from a server starts with '{' or '['; anything else is some other kind of page.
    if (text.front() != '{' && text.front() != '[') {
        return invalid("not JSON (starts with " + in_quotes(first_word(text)) + ")");
    }
    auto parsed = parse_json_limited(body);
    if (parsed.error) {
        return invalid("malformed JSON (" + *parsed.error + ")");
    }
    const json& bundle = parsed.value;
    if (!bundle.is_object()) {
        return invalid("JSON " + std::string(bundle.type_name()) + ", not a Bundle");
    }
    const auto resource_type = string_member(bundle, "resourceType");
    if (resource_type != "Bundle") {
        if (resource_type.empty()) {
            return invalid("no resourceType, not a Bundle");
        }
        std::string reason = "resourceType is " + in_quotes(resource_type) + ", not Bundle";
        if (const auto said = parse_operation_outcome_text(bundle); !said.empty()) {
            reason += " (" + said + ")";
        }
        return invalid(std::move(reason));
    }
    const auto type = string_member(bundle, "type");
    if (type != "batch-response") {
        return invalid(type.empty() ? std::string("no type, not 'batch-response'")
                                    : "type is " + in_quotes(type) + " not 'batch-response'");
    }
    const auto entries = bundle.find("entry");
    if (entries != bundle.end() && !entries->is_array()) {
        return invalid("entry is not a list");
    }
    const std::size_t received = entries == bundle.end() ? 0 : entries->size();
    if (received != sent_count) {
        return invalid(count_entries(received) + " for " + std::to_string(sent_count) + " sent");
    }

    BatchReply reply;
    reply.entries.reserve(received);
    for (std::size_t i = 0; i < received; ++i) {
        const json& entry = (*entries)[i];
        const json* response = object_member(entry, "response");
        if (response == nullptr) {
            return invalid(entry_name(i) + " has no response");
        }
        const auto status_text = string_member(*response, "status");
        if (status_text.empty()) {
            return invalid(entry_name(i) + " has no response.status");
        }
        const auto status = status_code(status_text);
        if (!status) {
            return invalid(entry_name(i) + " response.status " + in_quotes(status_text) +
                           " is not an HTTP status");
        }
        if (!sent.empty()) {
            if (auto problem = mismatch(entry, *response, i, sent[i].identifier)) {
                return invalid(std::move(*problem));
            }
        }
        EntryResult result;
        result.status = *status;
        result.outcome = classify_entry_status(*status);
        if (result.outcome != EntryOutcome::acknowledged) {
            result.reason = reason_for(entry, *response, status_text, *status);
        }
        reply.entries.push_back(std::move(result));
    }
    return reply;
}

} // namespace

std::string_view to_string(EntryOutcome outcome) {
    switch (outcome) {
    case EntryOutcome::acknowledged:
        return "acknowledged";
    case EntryOutcome::rejected:
        return "rejected";
    case EntryOutcome::retry:
        return "retry";
    }
    return "retry";
}

EntryOutcome classify_entry_status(int status) {
    if (status == 200 || status == 201) {
        return EntryOutcome::acknowledged;
    }
    // 408 Request Timeout, 425 Too Early and 429 Too Many Requests say "not now", not "never".
    if (status >= 400 && status <= 499 && status != 408 && status != 425 && status != 429) {
        return EntryOutcome::rejected;
    }
    // 5xx, and anything we did not expect: not known to be stored, so it is safe only to retry.
    return EntryOutcome::retry;
}

BatchReply parse_batch_response(std::string_view body, std::size_t sent_count) {
    return parse(body, sent_count, {});
}

BatchReply parse_batch_response(std::string_view body, std::span<const OutgoingResponse> sent) {
    return parse(body, sent.size(), sent);
}

} // namespace kiosk::fhir
