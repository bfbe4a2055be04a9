#include "collector/batch.hpp"

#include "collector/fhir_json.hpp"
#include "collector/store.hpp"
#include "collector/validate.hpp"

#include <optional>
#include <variant>

namespace kiosk::collector {

namespace {

Reply whole_request_error(int status, std::string_view code, const std::string& message) {
    Reply reply;
    reply.http_status = status;
    reply.body = operation_outcome(code, message);
    reply.note = message;
    return reply;
}

Reply storage_failure(const Error& error) {
    // The details (file, SQL, SQLite's message) go to the log, not to the client.
    Reply reply =
        whole_request_error(error.temporary ? 503 : 500, "exception",
                            error.temporary ? "the collector is busy; nothing was stored, try again"
                                            : "the collector could not store the batch; nothing "
                                              "was stored, try again later");
    reply.note = "storage failure: " + error.message;
    reply.retry_later = error.temporary;
    return reply;
}

nlohmann::json stored_resource(const StoredResponse& stored) {
    nlohmann::json resource = nlohmann::json::parse(stored.content, nullptr, false);
    if (!resource.is_object()) {
        resource = nlohmann::json::object();
    }
    resource["id"] = stored.resource_id;
    resource["meta"]["lastUpdated"] = stored.received;
    return resource;
}

} // namespace

Reply handle_batch(std::string_view body, const std::string& device_id, const Registry& registry,
                   outbox::Database& db, const std::string& received) {
    if (json_nesting_depth(body) > kMaxJsonDepth) {
        return whole_request_error(400, "structure",
                                   "the body nests JSON more than " +
                                       std::to_string(kMaxJsonDepth) + " levels deep");
    }
    const nlohmann::json bundle = nlohmann::json::parse(body, nullptr, false);
    if (bundle.is_discarded()) {
        return whole_request_error(400, "structure", "the body is not valid JSON");
    }
    if (!bundle.is_object() || bundle.value("resourceType", "") != "Bundle") {
        return whole_request_error(400, "structure",
                                   "the body is not a FHIR Bundle (resourceType must be Bundle)");
    }
    const auto type = bundle.find("type");
    if (type == bundle.end() || !type->is_string() || *type != "batch") {
        const std::string given = type != bundle.end() && type->is_string()
                                      ? "'" + type->get<std::string>() + "'"
                                      : "missing";
        return whole_request_error(400, "not-supported",
                                   "Bundle.type is " + given + "; this endpoint takes a batch");
    }
    nlohmann::json no_entries = nlohmann::json::array();
    const auto entries_member = bundle.find("entry");
    if (entries_member != bundle.end() && !entries_member->is_array()) {
        return whole_request_error(400, "structure", "Bundle.entry must be a list");
    }
    const nlohmann::json& entries = entries_member != bundle.end() ? *entries_member : no_entries;

    std::vector<EntryCheck> checks;
    checks.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        checks.push_back(check_entry(entries[i], i, registry));
    }

    // Store in one transaction. BEGIN IMMEDIATE takes the write lock up front, so a concurrent
    // batch waits (busy timeout) rather than failing half-way.
    std::vector<std::optional<PutResult>> puts(entries.size());
    {
        outbox::Transaction transaction(db, outbox::Transaction::Mode::immediate);
        if (transaction.error()) {
            return storage_failure(store_error(*transaction.error()));
        }
        for (std::size_t i = 0; i < checks.size(); ++i) {
            const auto* accepted = std::get_if<AcceptedEntry>(&checks[i]);
            if (accepted == nullptr) {
                continue;
            }
            auto put = put_response(db, *accepted, device_id, received);
            if (auto* error = std::get_if<Error>(&put)) {
                return storage_failure(*error); // the transaction rolls back
            }
            puts[i] = std::get<PutResult>(std::move(put));
        }
        if (auto error = transaction.commit()) {
            return storage_failure(store_error(*error));
        }
    }

    Reply reply;
    nlohmann::json response_entries = nlohmann::json::array();
    for (std::size_t i = 0; i < checks.size(); ++i) {
        nlohmann::json response;
        int status = 0;
        if (const auto* problem = std::get_if<EntryProblem>(&checks[i])) {
            status = problem->status;
            response["outcome"] =
                operation_outcome(problem->code, problem->message, problem->expression);
        } else {
            const PutResult& put = *puts[i];
            const auto* accepted = std::get_if<AcceptedEntry>(&checks[i]);
            switch (put.outcome) {
            case PutOutcome::created:
            case PutOutcome::unchanged:
                status = put.outcome == PutOutcome::created ? 201 : 200;
                response["location"] = "QuestionnaireResponse/" + put.resource_id;
                response["etag"] = "W/\"1\"";
                response["lastModified"] = put.received;
                break;
            case PutOutcome::conflict:
                status = 409;
                response["outcome"] = operation_outcome(
                    "conflict",
                    std::string("a different QuestionnaireResponse with identifier ") +
                        kIdentifierSystem + "|" + accepted->identifier_value +
                        " is already stored (received " + put.received +
                        "); identifiers are permanent and content cannot be replaced",
                    "Bundle.entry[" + std::to_string(i) + "].resource.identifier");
                break;
            }
        }
        response["status"] = status_line(status);
        reply.entry_statuses.push_back(status);
        response_entries.push_back({{"response", std::move(response)}});
    }
    reply.body = {{"resourceType", "Bundle"}, {"type", "batch-response"}};
    if (!response_entries.empty()) { // FHIR JSON never has empty lists
        reply.body["entry"] = std::move(response_entries);
    }
    return reply;
}

Reply handle_search(const std::string& identifier_parameter, const std::string& device_id,
                    outbox::Database& db) {
    if (identifier_parameter.empty()) {
        return whole_request_error(400, "required",
                                   "search by identifier only: add ?identifier=system|value");
    }
    // FHIR token search: "system|value", "|value" (no system) or "value" (any system).
    std::optional<std::string_view> system;
    std::string_view value = identifier_parameter;
    if (const auto bar = identifier_parameter.find('|'); bar != std::string::npos) {
        system = std::string_view(identifier_parameter).substr(0, bar);
        value = std::string_view(identifier_parameter).substr(bar + 1);
    }
    auto found = find_by_identifier(db, system, value, device_id);
    if (auto* error = std::get_if<Error>(&found)) {
        return storage_failure(*error);
    }
    const auto& rows = std::get<std::vector<StoredResponse>>(found);
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& row : rows) {
        entries.push_back({{"resource", stored_resource(row)}, {"search", {{"mode", "match"}}}});
    }
    Reply reply;
    reply.body = {{"resourceType", "Bundle"}, {"type", "searchset"}, {"total", rows.size()}};
    if (!entries.empty()) {
        reply.body["entry"] = std::move(entries);
    }
    reply.note = std::to_string(rows.size()) + " found";
    return reply;
}

} // namespace kiosk::collector
