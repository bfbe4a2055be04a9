#include "collector/registry.hpp"

#include <fstream>
#include <set>
#include <sstream>

namespace kiosk::collector {

namespace {

constexpr const char* kMinValueExtension = "http://hl7.org/fhir/StructureDefinition/minValue";
constexpr const char* kMaxValueExtension = "http://hl7.org/fhir/StructureDefinition/maxValue";

std::optional<ItemType> item_type_from(std::string_view name) {
    static const std::map<std::string_view, ItemType> types = {
        {"group", ItemType::group},     {"display", ItemType::display},
        {"choice", ItemType::choice},   {"boolean", ItemType::boolean},
        {"integer", ItemType::integer}, {"string", ItemType::string},
        {"text", ItemType::text},
    };
    auto found = types.find(name);
    return found == types.end() ? std::nullopt : std::optional<ItemType>(found->second);
}

const std::string* string_member(const nlohmann::json& object, const char* key) {
    auto found = object.find(key);
    if (found == object.end() || !found->is_string()) {
        return nullptr;
    }
    return found->get_ptr<const std::string*>();
}

class ItemReader {
public:
    explicit ItemReader(const std::string& source) : source_(source) {}

    std::optional<Error> read_list(const nlohmann::json& list, const std::string& where,
                                   std::vector<QuestionItem>& out) {
        if (!list.is_array() || list.empty()) {
            return fail(where + ": 'item' must be a non-empty list");
        }
        for (std::size_t i = 0; i < list.size(); ++i) {
            QuestionItem item;
            if (auto error = read_item(list[i], where + " item[" + std::to_string(i) + "]", item)) {
                return error;
            }
            out.push_back(std::move(item));
        }
        return std::nullopt;
    }

private:
    Error fail(const std::string& what) const { return Error{source_ + ": " + what}; }

    std::optional<Error> read_item(const nlohmann::json& json, const std::string& position,
                                   QuestionItem& item) {
        if (!json.is_object()) {
            return fail(position + " must be an object");
        }
        const std::string* link_id = string_member(json, "linkId");
        if (link_id == nullptr || link_id->empty()) {
            return fail(position + " needs a 'linkId'");
        }
        item.link_id = *link_id;
        const std::string where = "item '" + item.link_id + "'";
        if (!link_ids_.insert(item.link_id).second) {
            return fail(where + ": the linkId is used twice");
        }
        const std::string* type_name = string_member(json, "type");
        if (type_name == nullptr) {
            return fail(where + " needs a 'type'");
        }
        auto type = item_type_from(*type_name);
        if (!type) {
            return fail(where + " has type '" + *type_name +
                        "', which is outside the kiosk's subset (group, display, choice, "
                        "boolean, integer, string, text)");
        }
        item.type = *type;
        if (const std::string* text = string_member(json, "text")) {
            item.text = *text;
        }
        if (auto repeats = json.find("repeats"); repeats != json.end()) {
            if (!repeats->is_boolean()) {
                return fail(where + ": 'repeats' must be true or false");
            }
            item.repeats = repeats->get<bool>();
            if (item.repeats && item.type != ItemType::choice) {
                return fail(where + ": 'repeats' is supported only on choice items");
            }
        }
        if (json.contains("answerValueSet")) {
            return fail(where + ": 'answerValueSet' is not supported; list answerOption instead");
        }
        if (auto error = read_options(json, where, item)) {
            return error;
        }
        if (auto error = read_limits(json, where, item)) {
            return error;
        }
        auto children = json.find("item");
        if (item.type == ItemType::group) {
            if (children == json.end()) {
                return fail(where + ": a group needs items");
            }
            return read_list(*children, where, item.items);
        }
        if (children != json.end()) {
            return fail(where + ": only groups may contain items");
        }
        return std::nullopt;
    }

    std::optional<Error> read_options(const nlohmann::json& json, const std::string& where,
                                      QuestionItem& item) {
        auto options = json.find("answerOption");
        if (item.type != ItemType::choice) {
            if (options != json.end()) {
                return fail(where + ": only choice items may have 'answerOption'");
            }
            return std::nullopt;
        }
        if (options == json.end() || !options->is_array() || options->empty()) {
            return fail(where + ": a choice needs a non-empty 'answerOption' list");
        }
        for (std::size_t i = 0; i < options->size(); ++i) {
            const auto& option = (*options)[i];
            const std::string at = where + " answerOption[" + std::to_string(i) + "]";
            if (!option.is_object() || !option.contains("valueCoding") ||
                !option["valueCoding"].is_object()) {
                return fail(at + " must have a valueCoding (the only option type supported)");
            }
            const auto& coding = option["valueCoding"];
            const std::string* code = string_member(coding, "code");
            if (code == nullptr || code->empty()) {
                return fail(at + ".valueCoding needs a 'code'");
            }
            AnswerOption parsed;
            parsed.code = *code;
            if (const std::string* system = string_member(coding, "system")) {
                parsed.system = *system;
            }
            if (const std::string* display = string_member(coding, "display")) {
                parsed.display = *display;
            }
            for (const auto& earlier : item.options) {
                if (earlier.code == parsed.code && earlier.system == parsed.system) {
                    return fail(at + ": the code '" + parsed.code + "' is listed twice");
                }
            }
            item.options.push_back(std::move(parsed));
        }
        return std::nullopt;
    }

    std::optional<Error> read_limits(const nlohmann::json& json, const std::string& where,
                                     QuestionItem& item) {
        if (auto extensions = json.find("extension"); extensions != json.end()) {
            if (!extensions->is_array()) {
                return fail(where + ": 'extension' must be a list");
            }
            for (const auto& extension : *extensions) {
                const std::string* url =
                    extension.is_object() ? string_member(extension, "url") : nullptr;
                if (url == nullptr || (*url != kMinValueExtension && *url != kMaxValueExtension)) {
                    continue; // rendering hints and the like do not affect what is valid
                }
                const bool is_min = *url == kMinValueExtension;
                const char* name = is_min ? "minValue" : "maxValue";
                if (item.type != ItemType::integer) {
                    return fail(where + ": " + name + " is supported only on integer items");
                }
                auto value = extension.find("valueInteger");
                if (value == extension.end() || !value->is_number_integer()) {
                    return fail(where + ": the " + name + " extension needs a valueInteger");
                }
                (is_min ? item.min_value : item.max_value) = value->get<std::int64_t>();
            }
            if (item.min_value && item.max_value && *item.min_value > *item.max_value) {
                return fail(where + ": minValue is above maxValue");
            }
        }
        if (auto max_length = json.find("maxLength"); max_length != json.end()) {
            if (item.type != ItemType::string && item.type != ItemType::text) {
                return fail(where + ": maxLength is supported only on string and text items");
            }
            if (!max_length->is_number_integer() || max_length->get<std::int64_t>() < 1) {
                return fail(where + ": maxLength must be a whole number of at least 1");
            }
            item.max_length = max_length->get<std::int64_t>();
        }
        return std::nullopt;
    }

    const std::string& source_;
    std::set<std::string> link_ids_;
};

const QuestionItem* find_in(const std::vector<QuestionItem>& items, std::string_view link_id) {
    for (const auto& item : items) {
        if (item.link_id == link_id) {
            return &item;
        }
        if (const QuestionItem* inner = find_in(item.items, link_id)) {
            return inner;
        }
    }
    return nullptr;
}

} // namespace

const char* item_type_name(ItemType type) {
    switch (type) {
    case ItemType::group:
        return "group";
    case ItemType::display:
        return "display";
    case ItemType::choice:
        return "choice";
    case ItemType::boolean:
        return "boolean";
    case ItemType::integer:
        return "integer";
    case ItemType::string:
        return "string";
    case ItemType::text:
        return "text";
    }
    return "unknown";
}

std::string RegisteredQuestionnaire::canonical() const {
    return version.empty() ? url : url + "|" + version;
}

const QuestionItem* RegisteredQuestionnaire::find(std::string_view link_id) const {
    return find_in(items, link_id);
}

Result<RegisteredQuestionnaire> parse_questionnaire(const nlohmann::json& resource,
                                                    const std::string& source) {
    if (!resource.is_object() || resource.value("resourceType", "") != "Questionnaire") {
        return Error{source + ": is not a FHIR Questionnaire (resourceType must be "
                              "\"Questionnaire\")"};
    }
    RegisteredQuestionnaire questionnaire;
    questionnaire.source = source;
    const std::string* url = string_member(resource, "url");
    if (url == nullptr || url->empty()) {
        return Error{source +
                     ": the Questionnaire needs a 'url': responses name it by url|version"};
    }
    if (url->find('|') != std::string::npos) {
        return Error{source + ": the 'url' must not contain '|'"};
    }
    questionnaire.url = *url;
    if (auto version = resource.find("version"); version != resource.end()) {
        if (!version->is_string() || version->get_ref<const std::string&>().empty()) {
            return Error{source + ": 'version' must be non-empty text"};
        }
        questionnaire.version = version->get<std::string>();
    }
    auto items = resource.find("item");
    if (items == resource.end()) {
        return Error{source + ": the Questionnaire has no items"};
    }
    ItemReader reader(source);
    if (auto error = reader.read_list(*items, "the Questionnaire", questionnaire.items)) {
        return *error;
    }
    return questionnaire;
}

std::optional<Error> Registry::add(RegisteredQuestionnaire questionnaire) {
    std::string canonical = questionnaire.canonical();
    if (auto existing = by_canonical_.find(canonical); existing != by_canonical_.end()) {
        return Error{questionnaire.source + ": Questionnaire " + canonical +
                     " is already registered from " + existing->second.source};
    }
    by_canonical_.emplace(std::move(canonical), std::move(questionnaire));
    return std::nullopt;
}

Result<Registry> Registry::load(const std::vector<std::filesystem::path>& files) {
    Registry registry;
    for (const auto& file : files) {
        const std::string source = file.string();
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            return Error{source + ": cannot read the Questionnaire file"};
        }
        std::ostringstream text;
        text << in.rdbuf();
        const auto json = nlohmann::json::parse(text.str(), nullptr, false);
        if (json.is_discarded()) {
            return Error{source + ": is not valid JSON"};
        }
        auto parsed = parse_questionnaire(json, source);
        if (auto* error = std::get_if<Error>(&parsed)) {
            return *error;
        }
        if (auto error = registry.add(std::get<RegisteredQuestionnaire>(std::move(parsed)))) {
            return *error;
        }
    }
    return registry;
}

const RegisteredQuestionnaire* Registry::find(std::string_view canonical) const {
    if (auto found = by_canonical_.find(canonical); found != by_canonical_.end()) {
        return &found->second;
    }
    if (canonical.find('|') != std::string_view::npos) {
        return nullptr;
    }
    const RegisteredQuestionnaire* only = nullptr;
    for (const auto& [key, questionnaire] : by_canonical_) {
        if (questionnaire.url == canonical) {
            if (only != nullptr) {
                return nullptr; // several versions: the reference is ambiguous
            }
            only = &questionnaire;
        }
    }
    return only;
}

std::vector<std::string> Registry::canonicals() const {
    std::vector<std::string> names;
    for (const auto& [key, questionnaire] : by_canonical_) {
        names.push_back(key);
    }
    return names;
}

} // namespace kiosk::collector
