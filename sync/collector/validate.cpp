#include "collector/validate.hpp"

#include "collector/fhir_json.hpp"

#include <limits>
#include <set>

namespace kiosk::collector {

namespace {

// Code points in valid UTF-8 (what the JSON parser guarantees), for maxLength.
std::size_t utf8_length(std::string_view text) {
    std::size_t count = 0;
    for (const char c : text) {
        if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) {
            ++count;
        }
    }
    return count;
}

const char* expected_value_key(ItemType type) {
    switch (type) {
    case ItemType::choice:
        return "valueCoding";
    case ItemType::boolean:
        return "valueBoolean";
    case ItemType::integer:
        return "valueInteger";
    case ItemType::string:
    case ItemType::text:
        return "valueString";
    case ItemType::group:
    case ItemType::display:
        break;
    }
    return "";
}

// One entry's checks. Each check returns early with the first problem: one clear reason is more
// useful on a staff screen than a list, and the kiosk cannot fix the entry anyway.
class EntryChecker {
public:
    EntryChecker(std::size_t index, const Registry& registry)
        : entry_path_("Bundle.entry[" + std::to_string(index) + "]"), registry_(registry) {}

    EntryCheck check(const nlohmann::json& entry) {
        if (!entry.is_object()) {
            return problem(400, "structure", "the entry is not a JSON object", "");
        }
        auto request = entry.find("request");
        if (request == entry.end() || !request->is_object()) {
            return problem(400, "required", "request is missing", "request");
        }
        const std::string method = text_of(*request, "method");
        if (method != "POST") {
            return problem(400, "not-supported",
                           "request.method '" + method + "' is not supported; use POST",
                           "request.method");
        }
        const std::string url = text_of(*request, "url");
        if (url != "QuestionnaireResponse") {
            return problem(400, "not-supported",
                           "request.url '" + url + "' is not supported; use QuestionnaireResponse",
                           "request.url");
        }
        auto resource = entry.find("resource");
        if (resource == entry.end() || !resource->is_object()) {
            return problem(400, "required", "resource is missing", "resource");
        }
        if (text_of(*resource, "resourceType") != "QuestionnaireResponse") {
            return problem(400, "structure", "resource.resourceType must be QuestionnaireResponse",
                           "resource.resourceType");
        }
        AcceptedEntry accepted;
        if (auto bad = check_identifier(*resource, accepted)) {
            return *bad;
        }
        if (auto bad = check_if_none_exist(*request, accepted.identifier_value)) {
            return *bad;
        }
        const RegisteredQuestionnaire* questionnaire = nullptr;
        if (auto bad = check_header(*resource, accepted, questionnaire)) {
            return *bad;
        }
        auto items = resource->find("item");
        if (items != resource->end()) {
            if (auto bad =
                    check_items(*items, questionnaire->items, "",
                                "Questionnaire " + questionnaire->canonical(), *questionnaire)) {
                return *bad;
            }
        }
        accepted.content = dump_json(*resource);
        return accepted;
    }

private:
    static std::string text_of(const nlohmann::json& object, const char* key) {
        auto found = object.find(key);
        return found != object.end() && found->is_string() ? found->get<std::string>() : "";
    }

    // `element` is relative to the entry for request problems ("request.url") and to the resource
    // otherwise ("item[0].linkId"); resource-relative ones are prefixed here.
    EntryProblem problem(int status, std::string code, std::string message,
                         const std::string& element) const {
        std::string expression = entry_path_;
        if (!element.empty()) {
            expression += "." + element;
        }
        return EntryProblem{status, std::move(code), std::move(message), std::move(expression)};
    }

    EntryProblem in_resource(int status, std::string code, std::string message,
                             const std::string& element) const {
        return problem(status, std::move(code), std::move(message), "resource." + element);
    }

    std::optional<EntryProblem> check_identifier(const nlohmann::json& resource,
                                                 AcceptedEntry& accepted) const {
        auto identifier = resource.find("identifier");
        if (identifier == resource.end() || !identifier->is_object()) {
            return in_resource(400, "required",
                               "identifier is missing: every response needs its urn:uuid",
                               "identifier");
        }
        if (text_of(*identifier, "system") != kIdentifierSystem) {
            return in_resource(400, "value",
                               std::string("identifier.system must be ") + kIdentifierSystem,
                               "identifier.system");
        }
        accepted.identifier_value = text_of(*identifier, "value");
        if (accepted.identifier_value.empty()) {
            return in_resource(400, "required", "identifier.value is missing", "identifier.value");
        }
        return std::nullopt;
    }

    std::optional<EntryProblem> check_if_none_exist(const nlohmann::json& request,
                                                    const std::string& value) const {
        const std::string wanted = std::string("identifier=") + kIdentifierSystem + "|" + value;
        auto found = request.find("ifNoneExist");
        if (found == request.end() || !found->is_string()) {
            return problem(400, "required",
                           "request.ifNoneExist is missing; it must be '" + wanted +
                               "' so that a retry is never stored twice",
                           "request.ifNoneExist");
        }
        std::string given = percent_decode(found->get<std::string>());
        if (!given.empty() && given.front() == '?') {
            given.erase(0, 1);
        }
        if (given != wanted) {
            return problem(400, "value",
                           "request.ifNoneExist '" + found->get<std::string>() +
                               "' does not match the resource's identifier; it must be '" + wanted +
                               "'",
                           "request.ifNoneExist");
        }
        return std::nullopt;
    }

    std::optional<EntryProblem> check_header(const nlohmann::json& resource,
                                             AcceptedEntry& accepted,
                                             const RegisteredQuestionnaire*& questionnaire) const {
        auto reference = resource.find("questionnaire");
        if (reference == resource.end() || !reference->is_string()) {
            return in_resource(400, "required", "questionnaire is missing", "questionnaire");
        }
        accepted.questionnaire = reference->get<std::string>();
        questionnaire = registry_.find(accepted.questionnaire);
        if (questionnaire == nullptr) {
            return in_resource(422, "not-found",
                               "questionnaire '" + accepted.questionnaire +
                                   "' is not registered at this collector",
                               "questionnaire");
        }
        const std::string status = text_of(resource, "status");
        if (status != "completed") {
            return in_resource(422, "value",
                               "status '" + status +
                                   "' is not accepted; only completed "
                                   "responses are collected",
                               "status");
        }
        if (auto authored = resource.find("authored"); authored != resource.end()) {
            if (!authored->is_string()) {
                return in_resource(400, "structure", "authored must be a dateTime in quotes",
                                   "authored");
            }
            accepted.authored = authored->get<std::string>();
        }
        return std::nullopt;
    }

    std::optional<EntryProblem> check_items(const nlohmann::json& items,
                                            const std::vector<QuestionItem>& definitions,
                                            const std::string& prefix, const std::string& parent,
                                            const RegisteredQuestionnaire& questionnaire) const {
        if (!items.is_array() || items.empty()) {
            return in_resource(400, "structure", prefix + "item must be a non-empty list",
                               prefix + "item");
        }
        std::set<std::string> seen;
        for (std::size_t i = 0; i < items.size(); ++i) {
            const std::string path = prefix + "item[" + std::to_string(i) + "]";
            const auto& item = items[i];
            if (!item.is_object()) {
                return in_resource(400, "structure", path + " must be an object", path);
            }
            auto link = item.find("linkId");
            if (link == item.end() || !link->is_string()) {
                return in_resource(400, "required", path + ".linkId is missing", path + ".linkId");
            }
            const std::string link_id = link->get<std::string>();
            const QuestionItem* definition = nullptr;
            for (const auto& candidate : definitions) {
                if (candidate.link_id == link_id) {
                    definition = &candidate;
                    break;
                }
            }
            if (definition == nullptr) {
                const bool elsewhere = questionnaire.find(link_id) != nullptr;
                return in_resource(422, "value",
                                   path + ".linkId '" + link_id + "' is not " +
                                       (elsewhere ? "at this place in " : "an item of ") + parent,
                                   path + ".linkId");
            }
            if (!seen.insert(link_id).second) {
                return in_resource(422, "value",
                                   path + ".linkId '" + link_id + "' appears more than once",
                                   path + ".linkId");
            }
            if (auto text = item.find("text"); text != item.end() && !text->is_string()) {
                return in_resource(400, "structure", path + ".text must be text", path + ".text");
            }
            if (auto bad = check_item(item, *definition, path, questionnaire)) {
                return bad;
            }
        }
        return std::nullopt;
    }

    std::optional<EntryProblem> check_item(const nlohmann::json& item,
                                           const QuestionItem& definition, const std::string& path,
                                           const RegisteredQuestionnaire& questionnaire) const {
        const std::string name = "'" + definition.link_id + "'";
        const bool has_answer = item.contains("answer");
        const bool has_items = item.contains("item");
        if (definition.type == ItemType::group) {
            if (has_answer) {
                return in_resource(422, "value",
                                   path + ".answer: group " + name + " cannot have answers",
                                   path + ".answer");
            }
            if (!has_items) {
                return in_resource(422, "required",
                                   path + ".item is missing: group " + name +
                                       " appears only around answered questions",
                                   path + ".item");
            }
            return check_items(item["item"], definition.items, path + ".", "group " + name,
                               questionnaire);
        }
        if (has_items) {
            return in_resource(422, "value", path + ".item: " + name + " has no items inside it",
                               path + ".item");
        }
        if (definition.type == ItemType::display) {
            if (has_answer) {
                return in_resource(422, "value",
                                   path + ".answer: " + name + " is display text, not a question",
                                   path + ".answer");
            }
            return std::nullopt;
        }
        if (!has_answer) {
            return std::nullopt; // a question item without answers: allowed by FHIR, harmless
        }
        const auto& answers = item["answer"];
        if (!answers.is_array() || answers.empty()) {
            return in_resource(400, "structure", path + ".answer must be a non-empty list",
                               path + ".answer");
        }
        if (answers.size() > 1 && !definition.repeats) {
            return in_resource(422, "value",
                               path + ".answer has " + std::to_string(answers.size()) +
                                   " answers, but " + name + " takes one",
                               path + ".answer");
        }
        for (std::size_t j = 0; j < answers.size(); ++j) {
            const std::string at = path + ".answer[" + std::to_string(j) + "]";
            if (auto bad = check_answer(answers[j], definition, at)) {
                return bad;
            }
            for (std::size_t k = 0; k < j; ++k) {
                if (answers[k] == answers[j]) {
                    return in_resource(422, "value", at + " repeats an earlier answer to " + name,
                                       at);
                }
            }
        }
        return std::nullopt;
    }

    std::optional<EntryProblem> check_answer(const nlohmann::json& answer,
                                             const QuestionItem& definition,
                                             const std::string& at) const {
        const std::string name = "'" + definition.link_id + "'";
        if (!answer.is_object()) {
            return in_resource(400, "structure", at + " must be an object", at);
        }
        if (answer.contains("item")) {
            return in_resource(422, "value", at + ".item: " + name + " has no items inside it",
                               at + ".item");
        }
        std::string key;
        for (const auto& [k, v] : answer.items()) {
            if (k.rfind("value", 0) == 0) {
                if (!key.empty()) {
                    return in_resource(400, "structure", at + " has more than one value[x]", at);
                }
                key = k;
            }
        }
        if (key.empty()) {
            return in_resource(400, "required", at + " has no value[x]", at);
        }
        const std::string expected = expected_value_key(definition.type);
        const std::string element = at + "." + key;
        if (key != expected) {
            return in_resource(422, "value",
                               element + " is the wrong type for " + name + ", a " +
                                   item_type_name(definition.type) + " question (expected " +
                                   expected + ")",
                               element);
        }
        const auto& value = answer[key];
        switch (definition.type) {
        case ItemType::choice:
            return check_coding(value, definition, element);
        case ItemType::boolean:
            if (!value.is_boolean()) {
                return in_resource(422, "value", element + " must be true or false", element);
            }
            return std::nullopt;
        case ItemType::integer:
            return check_integer(value, definition, element);
        case ItemType::string:
        case ItemType::text:
            if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
                return in_resource(422, "value", element + " must be non-empty text", element);
            }
            if (definition.max_length && utf8_length(value.get_ref<const std::string&>()) >
                                             static_cast<std::size_t>(*definition.max_length)) {
                return in_resource(422, "too-long",
                                   element + " is longer than the maxLength " +
                                       std::to_string(*definition.max_length) + " of " + name,
                                   element);
            }
            return std::nullopt;
        case ItemType::group:
        case ItemType::display:
            break;
        }
        return std::nullopt;
    }

    std::optional<EntryProblem> check_coding(const nlohmann::json& coding,
                                             const QuestionItem& definition,
                                             const std::string& element) const {
        const std::string name = "'" + definition.link_id + "'";
        if (!coding.is_object()) {
            return in_resource(400, "structure", element + " must be a Coding object", element);
        }
        auto code = coding.find("code");
        if (code == coding.end() || !code->is_string()) {
            return in_resource(422, "required", element + ".code is missing", element + ".code");
        }
        const std::string given = code->get<std::string>();
        auto system = coding.find("system");
        if (system != coding.end() && !system->is_string()) {
            return in_resource(400, "structure", element + ".system must be text",
                               element + ".system");
        }
        bool code_known = false;
        for (const auto& option : definition.options) {
            if (option.code != given) {
                continue;
            }
            code_known = true;
            if (system == coding.end() || system->get_ref<const std::string&>() == option.system) {
                return std::nullopt;
            }
        }
        if (code_known) {
            return in_resource(422, "code-invalid",
                               element + ".system '" + system->get<std::string>() +
                                   "' is not the system of option '" + given + "' of " + name,
                               element + ".system");
        }
        return in_resource(422, "code-invalid",
                           element + ".code '" + given + "' is not an option of " + name,
                           element + ".code");
    }

    std::optional<EntryProblem> check_integer(const nlohmann::json& value,
                                              const QuestionItem& definition,
                                              const std::string& element) const {
        const std::string name = "'" + definition.link_id + "'";
        if (!value.is_number_integer()) {
            return in_resource(422, "value", element + " must be a whole number", element);
        }
        // Compare as signed: nlohmann keeps large positive numbers unsigned.
        if (value.is_number_unsigned() &&
            value.get<std::uint64_t>() >
                static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return in_resource(422, "value", element + " is out of range", element);
        }
        const std::int64_t number = value.get<std::int64_t>();
        if (definition.min_value && number < *definition.min_value) {
            return in_resource(422, "value",
                               element + " " + std::to_string(number) + " is below the minValue " +
                                   std::to_string(*definition.min_value) + " of " + name,
                               element);
        }
        if (definition.max_value && number > *definition.max_value) {
            return in_resource(422, "value",
                               element + " " + std::to_string(number) + " is above the maxValue " +
                                   std::to_string(*definition.max_value) + " of " + name,
                               element);
        }
        return std::nullopt;
    }

    std::string entry_path_;
    const Registry& registry_;
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

} // namespace

EntryCheck check_entry(const nlohmann::json& entry, std::size_t index, const Registry& registry) {
    return EntryChecker(index, registry).check(entry);
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int high = hex_value(text[i + 1]);
            const int low = hex_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out += static_cast<char>(high * 16 + low);
                i += 2;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

} // namespace kiosk::collector
