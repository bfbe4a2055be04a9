#include "model/questionnaire_loader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kiosk::model {

namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Small helpers for places and messages

// JSON pointer tokens escape "~" and "/" (RFC 6901), so a key like "a/b" still points somewhere.
std::string pointer_token(std::string_view key) {
    std::string token;
    for (char c : key) {
        if (c == '~') {
            token += "~0";
        } else if (c == '/') {
            token += "~1";
        } else {
            token += c;
        }
    }
    return token;
}

std::string child(const std::string& pointer, std::string_view key) {
    return pointer + "/" + pointer_token(key);
}

std::string child(const std::string& pointer, std::size_t index) {
    return pointer + "/" + std::to_string(index);
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) {
            out += separator;
        }
        out += parts[i];
    }
    return out;
}

// "a string", "a number": how a JSON value looks to someone who wrote it.
std::string kind_of(const json& value) {
    switch (value.type()) {
    case json::value_t::null:
        return "null";
    case json::value_t::boolean:
        return "true/false";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return "a number";
    case json::value_t::string:
        return "text in quotes";
    case json::value_t::array:
        return "a list [...]";
    case json::value_t::object:
        return "an object {...}";
    default:
        return "something else";
    }
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

// Where a parse error is, in the terms an editor shows: line and column (in characters, so a
// Welsh or Polish letter before the mistake counts once although UTF-8 spends two bytes on it).
std::string line_and_column(const std::string& text, std::size_t error_byte) {
    // nlohmann counts the offending character as read, so the byte offset is one-based.
    const std::size_t offset = std::min(error_byte > 0 ? error_byte - 1 : 0, text.size());
    std::size_t line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    std::size_t column = 1;
    for (std::size_t i = line_start; i < offset; ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if ((byte & 0xC0U) != 0x80U) { // UTF-8 continuation bytes belong to the previous character
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// nlohmann's message repeats its own position prefix; keep only the description.
std::string parse_error_description(const json::parse_error& error) {
    const std::string message = error.what();
    const auto colon = message.find(": ");
    if (colon == std::string::npos) {
        return message;
    }
    return message.substr(colon + 2);
}

// nlohmann keeps the last of two equal keys in an object without a word. A questionnaire with two
// "text" keys on one item would then show one of them by chance, so the loader reports them.
class DuplicateKeyFinder {
public:
    bool on_event(json::parse_event_t event, const json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
            open(true);
            break;
        case json::parse_event_t::array_start:
            open(false);
            break;
        case json::parse_event_t::key:
            if (!stack_.empty()) {
                Frame& frame = stack_.back();
                frame.current_key = parsed.get<std::string>();
                if (!frame.keys.insert(frame.current_key).second) {
                    duplicates_.push_back(current_pointer());
                }
            }
            break;
        case json::parse_event_t::object_end:
        case json::parse_event_t::array_end:
            if (!stack_.empty()) {
                stack_.pop_back();
            }
            element_done();
            break;
        case json::parse_event_t::value:
            element_done();
            break;
        }
        return true;
    }

    const std::vector<std::string>& duplicates() const { return duplicates_; }

private:
    // Each open object or array remembers only where it is now (key or index); the pointer is
    // put together from the whole stack when needed, so deep files cost memory in proportion
    // to their depth, not its square.
    struct Frame {
        bool is_object = false;
        std::set<std::string> keys;
        std::string current_key;
        std::size_t next_index = 0;
    };

    std::string current_pointer() const {
        std::string pointer;
        for (const Frame& frame : stack_) {
            pointer += '/';
            pointer += frame.is_object ? pointer_token(frame.current_key)
                                       : std::to_string(frame.next_index);
        }
        return pointer;
    }

    void open(bool is_object) {
        Frame frame;
        frame.is_object = is_object;
        stack_.push_back(std::move(frame));
    }

    void element_done() {
        if (!stack_.empty() && !stack_.back().is_object) {
            ++stack_.back().next_index;
        }
    }

    std::vector<Frame> stack_;
    std::vector<std::string> duplicates_;
};

// ---------------------------------------------------------------------------------------------
// The subset

// Keys on the Questionnaire that carry no behaviour: accepted so that files from form builders
// load, and otherwise ignored. Their "_key" twins (extensions on the primitive value, usually
// translations of description or publisher) are ignored with them.
// clang-format off
const std::set<std::string, std::less<>> kIgnoredMetadata = {
    "meta", "text", "identifier", "date", "publisher", "description", "purpose", "subjectType",
    "experimental", "contact", "copyright", "approvalDate", "lastReviewDate", "effectivePeriod",
    "jurisdiction", "useContext", "code"};
// clang-format on

const std::vector<std::string> kItemKeys = {
    "linkId",     "type",           "text",      "_text", "required", "repeats",    "answerOption",
    "enableWhen", "enableBehavior", "extension", "item",  "code",     "definition", "maxLength"};

// Why a few well-known keys are refused, so that the message helps more than "not supported".
const std::map<std::string, std::string, std::less<>> kItemKeyReasons = {
    {"prefix", "put any numbering or label into the item's text instead"},
    {"initial", "the kiosk never fills in an answer for the patient"},
    {"answerValueSet", "list the options in answerOption (valueCoding) instead"},
    {"enableWhenExpression", "use enableWhen instead; the kiosk does not run FHIRPath"},
    {"readOnly", "every question on the kiosk is answered by the patient"},
    {"modifierExtension", "a modifier extension changes what the item means, and the kiosk cannot "
                          "know how"},
};

const std::map<std::string, ItemType, std::less<>> kItemTypes = {
    {"group", ItemType::group},     {"display", ItemType::display}, {"choice", ItemType::choice},
    {"boolean", ItemType::boolean}, {"integer", ItemType::integer}, {"string", ItemType::string},
    {"text", ItemType::text}};

const char* const kSupportedTypes = "group, display, choice, boolean, integer, string, text";

const std::map<std::string, EnableOperator, std::less<>> kOperators = {
    {"exists", EnableOperator::exists},   {"=", EnableOperator::equal},
    {"!=", EnableOperator::not_equal},    {">", EnableOperator::greater},
    {"<", EnableOperator::less},          {">=", EnableOperator::greater_or_equal},
    {"<=", EnableOperator::less_or_equal}};

const std::vector<std::string> kAnswerKeys = {"answerBoolean", "answerInteger", "answerCoding",
                                              "answerString"};

// A row of buttons, one per value: more than 11 no longer fit at a touchable size.
constexpr std::int64_t kMostIntegerSteps = 10;
constexpr std::size_t kFewestOptions = 2;
constexpr std::size_t kFewestFaces = 2;
constexpr std::size_t kMostFaces = 5;
// Groups inside groups beyond this are hard to follow one screen at a time.
constexpr int kDeepestGroupNesting = 3;
// The loader reads nested items by recursion; it stops well past the nesting it allows, so that
// a hostile or broken file cannot exhaust the stack.
constexpr int kDeepestReadNesting = 16;

std::string type_name(ItemType type) {
    for (const auto& [name, value] : kItemTypes) {
        if (value == type) {
            return name;
        }
    }
    return "unknown";
}

bool is_question_type(ItemType type) {
    return type != ItemType::group && type != ItemType::display;
}

// What the loader remembers of an item already seen, to check enableWhen on later items.
struct SeenItem {
    std::string pointer;
    std::optional<ItemType> type; // unset when the item's own type is wrong (reported there)
    std::vector<Coding> options;
};

// ---------------------------------------------------------------------------------------------
// The checker: walks the JSON once, in document order, building the model and noting problems.

class Checker {
public:
    explicit Checker(std::string source_name) : source_(std::move(source_name)) {}

    void report(const std::string& place, std::string what) {
        problems_.push_back(Problem{source_, place, std::move(what)});
    }

    Problems take_problems() { return std::move(problems_); }

    Questionnaire check(const json& root) {
        Questionnaire questionnaire;
        questionnaire.source_file = source_;
        if (!root.is_object()) {
            report("", "the file must hold one JSON object, a FHIR Questionnaire resource (found " +
                           kind_of(root) + ")");
            return questionnaire;
        }
        // A different resource (a QuestionnaireResponse, say) would give one problem per key;
        // saying just "this is not a Questionnaire" is more useful.
        if (!check_resource_type(root)) {
            return questionnaire;
        }
        collect_link_ids(root, 0);

        for (const auto& [key, value] : root.items()) {
            const std::string place = child("", key);
            if (key == "resourceType" || key == "item" || key == "url" || key == "status" ||
                key == "version" || key == "id" || key == "name" || key == "title" ||
                key == "_title" || key == "language") {
                continue; // read below
            }
            if (kIgnoredMetadata.count(key) > 0 ||
                (starts_with(key, "_") && kIgnoredMetadata.count(key.substr(1)) > 0)) {
                continue;
            }
            if (key == "extension") {
                refuse_questionnaire_extensions(value, place, false);
            } else if (key == "modifierExtension") {
                refuse_questionnaire_extensions(value, place, true);
            } else if (key == "contained") {
                report(place, "'contained' is not supported by the kiosk: the questionnaire must "
                              "not depend on other resources; list answer options in the item");
            } else if (key == "implicitRules") {
                report(place, "'implicitRules' is not supported by the kiosk: it means the "
                              "questionnaire follows rules the kiosk cannot know");
            } else {
                report(place, "'" + key +
                                  "' is not supported by the kiosk on a Questionnaire "
                                  "(it reads: id, url, version, name, title, status, "
                                  "language, item)");
            }
        }

        if (!root.contains("url")) {
            report("", "'url' is missing: every questionnaire needs one (for example "
                       "urn:ward-feedback-kiosk:questionnaire:my-ward), because each response "
                       "names the questionnaire it answers by its url and version");
        }
        questionnaire.url = read_string(root, "url", "", Need::optional).value_or("");
        questionnaire.version = read_string(root, "version", "", Need::optional).value_or("");
        questionnaire.id = read_string(root, "id", "", Need::optional).value_or("");
        questionnaire.name = read_string(root, "name", "", Need::optional).value_or("");
        questionnaire.description =
            read_string(root, "description", "", Need::optional).value_or("");
        check_status(root);
        if (const auto language = read_string(root, "language", "", Need::optional)) {
            questionnaire.language = *language;
        }
        questionnaire.title =
            read_local_text(root, "title", "_title", "", Need::optional).value_or(LocalText{});

        const auto items = root.find("item");
        if (items == root.end()) {
            report("", "the questionnaire has no items: add at least one question (an item of "
                       "type choice, boolean, integer, string or text)");
        } else if (!items->is_array()) {
            report("/item", "'item' must be a list [...] of items (found " + kind_of(*items) + ")");
        } else {
            questionnaire.items = read_items(*items, "/item", 0);
            if (questions_found_ == 0) {
                report("/item", "the questionnaire has no questions: add at least one item of type "
                                "choice, boolean, integer, string or text");
            }
        }
        return questionnaire;
    }

private:
    enum class Need { required, optional };

    // ---- top level

    bool check_resource_type(const json& root) {
        const auto found = root.find("resourceType");
        if (found == root.end()) {
            report("/resourceType",
                   "'resourceType' is missing: the file must be a FHIR Questionnaire, with "
                   "\"resourceType\": \"Questionnaire\"");
            return false;
        }
        if (!found->is_string() || found->get<std::string>() != "Questionnaire") {
            const std::string shown =
                found->is_string() ? "'" + found->get<std::string>() + "'" : kind_of(*found);
            report("/resourceType", "resourceType is " + shown +
                                        ", but the kiosk reads only resources of type "
                                        "'Questionnaire'");
            return false;
        }
        return true;
    }

    void check_status(const json& root) {
        if (!root.contains("status")) {
            report("", "'status' is missing: set it to 'active' (or 'draft' while testing)");
            return;
        }
        const auto status = read_string(root, "status", "", Need::optional);
        if (!status) {
            return;
        }
        if (*status == "retired") {
            report("/status", "status is 'retired': a retired questionnaire must not be shown to "
                              "patients; use 'active' (or 'draft' while testing)");
        } else if (*status != "draft" && *status != "active") {
            report("/status", "status '" + *status + "' is not allowed (allowed: draft, active)");
        }
    }

    void refuse_questionnaire_extensions(const json& value, const std::string& place,
                                         bool is_modifier) {
        if (!value.is_array()) {
            report(place, "'" + std::string(is_modifier ? "modifierExtension" : "extension") +
                              "' must be a list [...] (found " + kind_of(value) + ")");
            return;
        }
        for (std::size_t i = 0; i < value.size(); ++i) {
            const json& extension = value[i];
            const std::string url =
                extension.is_object() && extension.contains("url") && extension["url"].is_string()
                    ? extension["url"].get<std::string>()
                    : "(no url)";
            if (is_modifier) {
                report(child(place, i),
                       "modifier extension '" + url +
                           "' is not supported by the kiosk: it changes what "
                           "the questionnaire means, and the kiosk cannot know how");
            } else {
                report(child(place, i),
                       "extension '" + url +
                           "' is not supported by the kiosk on the questionnaire itself (the "
                           "kiosk's own extensions go on items)");
            }
        }
    }

    // Every linkId in the file, to tell "refers to a later question" from "refers to nothing".
    void collect_link_ids(const json& object, int depth) {
        const auto items = object.find("item");
        if (items == object.end() || !items->is_array() || depth > kDeepestReadNesting) {
            return;
        }
        for (const json& item : *items) {
            if (!item.is_object()) {
                continue;
            }
            const auto link_id = item.find("linkId");
            if (link_id != item.end() && link_id->is_string()) {
                all_link_ids_.insert(link_id->get<std::string>());
            }
            collect_link_ids(item, depth + 1);
        }
    }

    // ---- typed reads; each reports its own problem and returns nothing on a mistake

    std::optional<std::string> read_string(const json& object, const std::string& key,
                                           const std::string& pointer, Need need) {
        const auto found = object.find(key);
        if (found == object.end()) {
            if (need == Need::required) {
                report(pointer, "'" + key + "' is missing");
            }
            return std::nullopt;
        }
        const std::string place = child(pointer, key);
        if (!found->is_string()) {
            report(place, "'" + key + "' must be text in quotes (found " + kind_of(*found) + ")");
            return std::nullopt;
        }
        auto text = found->get<std::string>();
        if (text.empty()) {
            // FHIR does not allow empty strings; leave the key out instead.
            report(place, "'" + key + "' must not be empty");
            return std::nullopt;
        }
        return text;
    }

    std::optional<bool> read_bool(const json& object, const std::string& key,
                                  const std::string& pointer) {
        const auto found = object.find(key);
        if (found == object.end()) {
            return std::nullopt;
        }
        if (!found->is_boolean()) {
            report(child(pointer, key),
                   "'" + key + "' must be true or false (found " + kind_of(*found) + ")");
            return std::nullopt;
        }
        return found->get<bool>();
    }

    // FHIR integers are 32-bit; anything else (1.5, "3", 1e12) is refused.
    std::optional<std::int64_t> read_integer_value(const json& value, const std::string& place,
                                                   const std::string& what) {
        if (!value.is_number_integer()) {
            report(place, what + " must be a whole number (found " +
                              (value.is_number() ? value.dump() : kind_of(value)) + ")");
            return std::nullopt;
        }
        constexpr auto lowest = std::numeric_limits<std::int32_t>::min();
        constexpr auto highest = std::numeric_limits<std::int32_t>::max();
        if (value.is_number_unsigned()
                ? value.get<std::uint64_t>() > highest
                : (value.get<std::int64_t>() < lowest || value.get<std::int64_t>() > highest)) {
            report(place, what + " is too large for a FHIR integer (" + value.dump() + ")");
            return std::nullopt;
        }
        return value.get<std::int64_t>();
    }

    // `text` with its translations in `_text` (or `title`/`_title`, `display`/`_display`, ...).
    std::optional<LocalText> read_local_text(const json& object, const std::string& key,
                                             const std::string& underscore_key,
                                             const std::string& pointer, Need need) {
        auto text = read_string(object, key, pointer, need);
        const auto extra = object.find(underscore_key);
        if (extra == object.end()) {
            if (!text) {
                return std::nullopt;
            }
            return LocalText{*text, {}};
        }
        LocalText local{text.value_or(""), {}};
        read_translations(*extra, child(pointer, underscore_key), local.translations);
        if (!text) {
            // When the text is required its absence is already reported; say it once.
            if (need == Need::optional && object.find(key) == object.end()) {
                report(child(pointer, underscore_key),
                       "'" + underscore_key + "' gives translations, but there is no '" + key +
                           "' to translate");
            }
            return std::nullopt;
        }
        return local;
    }

    // The standard translation extension: {url, extension: [{url: lang, valueCode},
    // {url: content, valueString}]}, any number of them on one element.
    void read_translations(const json& element, const std::string& place,
                           std::map<std::string, std::string>& translations) {
        if (!element.is_object()) {
            report(place,
                   "must be an object {...} holding translations (found " + kind_of(element) + ")");
            return;
        }
        for (const auto& [key, value] : element.items()) {
            if (key != "extension" && key != "id") {
                report(child(place, key), "'" + key +
                                              "' is not supported here (allowed: extension "
                                              "with translations)");
            }
        }
        const auto extensions = element.find("extension");
        if (extensions == element.end()) {
            return;
        }
        const std::string list_place = child(place, "extension");
        if (!extensions->is_array()) {
            report(list_place,
                   "'extension' must be a list [...] (found " + kind_of(*extensions) + ")");
            return;
        }
        for (std::size_t i = 0; i < extensions->size(); ++i) {
            const json& translation = (*extensions)[i];
            const std::string translation_place = child(list_place, i);
            if (!translation.is_object()) {
                report(translation_place, "a translation must be an object {...} (found " +
                                              kind_of(translation) + ")");
                continue;
            }
            const std::string url = translation.value("url", json()).is_string()
                                        ? translation["url"].get<std::string>()
                                        : "";
            if (url != kTranslationExtension) {
                report(translation_place, "extension '" + url +
                                              "' is not supported here: only translations (" +
                                              kTranslationExtension + ") may be given");
                continue;
            }
            read_one_translation(translation, translation_place, translations);
        }
    }

    void read_one_translation(const json& translation, const std::string& place,
                              std::map<std::string, std::string>& translations) {
        const char* const shape = "a translation needs two sub-extensions: {\"url\": \"lang\", "
                                  "\"valueCode\": \"cy\"} and {\"url\": \"content\", "
                                  "\"valueString\": \"...\"}";
        for (const auto& [key, value] : translation.items()) {
            if (key != "url" && key != "extension" && key != "id") {
                report(child(place, key),
                       "'" + key + "' is not allowed in a translation; " + shape);
            }
        }
        const auto parts = translation.find("extension");
        if (parts == translation.end() || !parts->is_array()) {
            report(place, shape);
            return;
        }
        std::optional<std::string> language;
        std::optional<std::string> content;
        bool sound = true;
        for (std::size_t i = 0; i < parts->size(); ++i) {
            const json& part = (*parts)[i];
            const std::string part_place = child(child(place, "extension"), i);
            const std::string url = part.is_object() && part.value("url", json()).is_string()
                                        ? part["url"].get<std::string>()
                                        : "";
            const char* value_key = url == "lang" ? "valueCode" : "valueString";
            if ((url != "lang" && url != "content") || part.size() != 2 ||
                !part.contains(value_key) || !part[value_key].is_string() ||
                part[value_key].get<std::string>().empty()) {
                report(part_place, shape);
                sound = false;
                continue;
            }
            auto& slot = url == "lang" ? language : content;
            if (slot) {
                report(part_place, "a translation has '" + url + "' twice; " + shape);
                sound = false;
            }
            slot = part[value_key].get<std::string>();
        }
        if (!sound) {
            return;
        }
        if (!language || !content) {
            report(place, std::string(language ? "the translation has no 'content'; "
                                               : "the translation has no 'lang'; ") +
                              shape);
            return;
        }
        if (!translations.emplace(*language, *content).second) {
            report(place, "there are two translations into '" + *language + "' for this text");
        }
    }

    // ---- items

    std::vector<Item> read_items(const json& list, const std::string& pointer, int group_depth) {
        std::vector<Item> items;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string place = child(pointer, i);
            if (!list[i].is_object()) {
                report(place, "an item must be an object {...} (found " + kind_of(list[i]) + ")");
                continue;
            }
            items.push_back(read_item(list[i], place, group_depth));
        }
        return items;
    }

    Item read_item(const json& object, const std::string& place, int group_depth) {
        Item item;
        for (const auto& [key, value] : object.items()) {
            if (std::find(kItemKeys.begin(), kItemKeys.end(), key) != kItemKeys.end()) {
                continue;
            }
            const auto reason = kItemKeyReasons.find(key);
            report(child(place, key), "'" + key + "' is not supported by the kiosk on an item" +
                                          (reason != kItemKeyReasons.end()
                                               ? ": " + reason->second
                                               : " (allowed: " + join(kItemKeys, ", ") + ")"));
        }

        const bool has_link_id = read_link_id(object, place, item);
        const std::optional<ItemType> type = read_type(object, place);
        if (type) {
            item.type = *type;
        }

        // `text` is what the patient reads; only a group may go without (its children speak).
        const bool text_needed = !type || *type != ItemType::group;
        if (auto text = read_local_text(object, "text", "_text", place,
                                        text_needed ? Need::required : Need::optional)) {
            item.text = std::move(*text);
        }

        read_flags(object, place, type, item);
        if (object.contains("maxLength")) {
            read_max_length(object, place, type, item);
        }
        if (object.contains("answerOption")) {
            if (type && *type != ItemType::choice) {
                report(child(place, "answerOption"),
                       "answerOption is only allowed on choice items (this item is '" +
                           type_name(*type) + "')");
            } else {
                item.options = read_options(object["answerOption"], child(place, "answerOption"));
            }
        } else if (type == ItemType::choice) {
            report(place, "a choice item needs answerOption: a list of at least 2 options, each "
                          "with valueCoding (code and display)");
        }

        read_extensions(object, place, type, item);
        read_enable_when(object, place, item);

        if (has_link_id && seen_.count(item.link_id) == 0) {
            SeenItem seen{place, type, {}};
            for (const AnswerOption& option : item.options) {
                seen.options.push_back(option.coding);
            }
            seen_.emplace(item.link_id, std::move(seen));
        }

        read_children(object, place, type, group_depth, item);
        return item;
    }

    bool read_link_id(const json& object, const std::string& place, Item& item) {
        const auto link_id = read_string(object, "linkId", place, Need::required);
        if (!link_id) {
            return false;
        }
        item.link_id = *link_id;
        const auto [first, inserted] = link_id_places_.emplace(*link_id, place);
        if (!inserted) {
            report(child(place, "linkId"),
                   "linkId '" + *link_id + "' is already used by the item at " + first->second +
                       "; every linkId must be unique in the questionnaire");
            return false;
        }
        return true;
    }

    std::optional<ItemType> read_type(const json& object, const std::string& place) {
        const auto type = read_string(object, "type", place, Need::required);
        const auto found = type ? kItemTypes.find(*type) : kItemTypes.end();
        // Count intended questions even when their type is missing or refused, so that a file
        // of such items is not also told it "has no questions".
        if (found == kItemTypes.end() || is_question_type(found->second)) {
            ++questions_found_;
        }
        if (!type) {
            return std::nullopt;
        }
        if (found == kItemTypes.end()) {
            report(child(place, "type"), "item type '" + *type + "' is not supported (supported: " +
                                             kSupportedTypes + ")");
            return std::nullopt;
        }
        return found->second;
    }

    // `required` and `repeats` set to false say nothing new, so form builders' explicit
    // defaults are accepted on any item; only `true` where it has no meaning is refused.
    void read_flags(const json& object, const std::string& place, std::optional<ItemType> type,
                    Item& item) {
        if (const auto required = read_bool(object, "required", place)) {
            item.required = *required;
            if (*required && type && !is_question_type(*type)) {
                report(child(place, "required"),
                       "a " + type_name(*type) +
                           " item cannot be required: only questions "
                           "(choice, boolean, integer, string, text) can");
            }
        }
        if (const auto repeats = read_bool(object, "repeats", place)) {
            item.repeats = *repeats;
            if (*repeats && type && *type != ItemType::choice) {
                report(child(place, "repeats"),
                       "'repeats' is only allowed on choice items (to let "
                       "the patient pick several options); this item is '" +
                           type_name(*type) + "'");
            }
        }
    }

    void read_max_length(const json& object, const std::string& place, std::optional<ItemType> type,
                         Item& item) {
        const std::string length_place = child(place, "maxLength");
        if (type && *type != ItemType::string && *type != ItemType::text) {
            report(length_place, "maxLength is only allowed on string and text items");
            return;
        }
        const auto length = read_integer_value(object["maxLength"], length_place, "maxLength");
        if (!length) {
            return;
        }
        if (*length <= 0) {
            report(length_place, "maxLength must be a positive whole number (found " +
                                     std::to_string(*length) + ")");
            return;
        }
        item.max_length = static_cast<int>(*length);
    }

    std::vector<AnswerOption> read_options(const json& list, const std::string& place) {
        std::vector<AnswerOption> options;
        if (!list.is_array()) {
            report(place, "answerOption must be a list [...] (found " + kind_of(list) + ")");
            return options;
        }
        std::map<std::string, std::string> code_places;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string option_place = child(place, i);
            if (auto option = read_option(list[i], option_place)) {
                const auto [first, inserted] =
                    code_places.emplace(option->coding.code, option_place);
                if (!inserted) {
                    report(child(child(option_place, "valueCoding"), "code"),
                           "code '" + option->coding.code + "' is already used by the option at " +
                               first->second + "; the codes of one question must be unique");
                }
                options.push_back(std::move(*option));
            }
        }
        if (list.size() < kFewestOptions) {
            report(place, "a choice item needs at least 2 options (found " +
                              std::to_string(list.size()) + ")");
        }
        return options;
    }

    std::optional<AnswerOption> read_option(const json& option, const std::string& place) {
        if (!option.is_object()) {
            report(place,
                   "an answer option must be an object {...} (found " + kind_of(option) + ")");
            return std::nullopt;
        }
        bool other_value = false;
        for (const auto& [key, value] : option.items()) {
            if (key == "valueCoding") {
                continue;
            }
            if (key == "initialSelected") {
                report(child(place, key), "'initialSelected' is not supported by the kiosk: it "
                                          "never chooses an answer for the patient");
            } else if (starts_with(key, "value")) {
                other_value = true;
                report(child(place, key), "answer options with " + key +
                                              " are not supported: use valueCoding with a code and "
                                              "a display");
            } else {
                report(child(place, key),
                       "'" + key +
                           "' is not supported by the kiosk on an answer option (allowed: "
                           "valueCoding)");
            }
        }
        const auto coding = option.find("valueCoding");
        if (coding == option.end()) {
            if (!other_value) { // a valueString option has had its own message
                report(place, "the answer option has no valueCoding (with a code and a display)");
            }
            return std::nullopt;
        }
        const std::string coding_place = child(place, "valueCoding");
        if (!coding->is_object()) {
            report(coding_place,
                   "valueCoding must be an object {...} (found " + kind_of(*coding) + ")");
            return std::nullopt;
        }
        for (const auto& [key, value] : coding->items()) {
            if (key != "system" && key != "version" && key != "code" && key != "display" &&
                key != "_display") {
                report(child(coding_place, key),
                       "'" + key +
                           "' is not supported by the kiosk in valueCoding (allowed: "
                           "system, version, code, display, _display)");
            }
        }
        AnswerOption answer;
        const auto system = read_string(*coding, "system", coding_place, Need::optional);
        const auto code = read_string(*coding, "code", coding_place, Need::required);
        auto label = read_local_text(*coding, "display", "_display", coding_place, Need::required);
        if (!code || !label) {
            return std::nullopt;
        }
        answer.coding = Coding{system.value_or(""), *code, label->text};
        answer.label = std::move(*label);
        return answer;
    }

    // ---- item extensions

    void read_extensions(const json& object, const std::string& place, std::optional<ItemType> type,
                         Item& item) {
        const auto list = object.find("extension");
        if (list == object.end()) {
            check_integer_range(place, type, item, false);
            return;
        }
        bool bound_reported = false; // a wrong minValue/maxValue needs no second "missing" message
        const std::string list_place = child(place, "extension");
        if (!list->is_array()) {
            report(list_place, "'extension' must be a list [...] (found " + kind_of(*list) + ")");
            return;
        }
        std::map<std::string, std::string> url_places;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const json& extension = (*list)[i];
            const std::string extension_place = child(list_place, i);
            if (!extension.is_object() || !extension.value("url", json()).is_string()) {
                report(extension_place, "an extension must be an object {...} with a 'url'");
                continue;
            }
            const std::string url = extension["url"].get<std::string>();
            if (!url_places.emplace(url, extension_place).second) {
                report(extension_place, "extension '" + url + "' is given twice on this item");
                continue;
            }
            read_extension(extension, url, extension_place, type, item, bound_reported);
        }
        if (!bound_reported) {
            check_integer_range(place, type, item, true);
        }
    }

    // The value of a simple extension: exactly one value[x] of the expected kind.
    const json* extension_value(const json& extension, const std::string& url,
                                const std::string& value_key, const std::string& place,
                                bool translations_allowed) {
        for (const auto& [key, value] : extension.items()) {
            if (key == "url" || key == value_key ||
                (translations_allowed && key == "_" + value_key)) {
                continue;
            }
            report(child(place, key),
                   "extension '" + url + "' needs " + value_key +
                       (translations_allowed ? " (and optionally _" + value_key + ")" : "") +
                       ", not " + key);
        }
        const auto value = extension.find(value_key);
        if (value == extension.end()) {
            // A wrong value[x] was reported above; a missing one is reported here.
            bool other_value = false;
            for (const auto& member : extension.items()) {
                other_value = other_value || starts_with(member.key(), "value");
            }
            if (!other_value) {
                report(place, "extension '" + url + "' needs " + value_key);
            }
            return nullptr;
        }
        return &*value;
    }

    void read_extension(const json& extension, const std::string& url, const std::string& place,
                        std::optional<ItemType> type, Item& item, bool& bound_reported) {
        const bool is_min = url == kMinValueExtension;
        const bool is_max = url == kMaxValueExtension;
        const bool is_lower = url == kLowerLabelExtension;
        const bool is_upper = url == kUpperLabelExtension;
        if (is_min || is_max) {
            if (type && *type != ItemType::integer) {
                report(place, std::string(is_min ? "minValue" : "maxValue") +
                                  " is only supported on integer items");
                return;
            }
            const json* value = extension_value(extension, url, "valueInteger", place, false);
            const auto number =
                value == nullptr
                    ? std::nullopt
                    : read_integer_value(*value, child(place, "valueInteger"), "valueInteger");
            if (!number) {
                bound_reported = true;
                return;
            }
            (is_min ? item.min_value : item.max_value) = number;
        } else if (is_lower || is_upper) {
            if (type && *type != ItemType::integer) {
                report(place, "scale labels are only supported on integer items");
                return;
            }
            if (extension_value(extension, url, "valueString", place, true) == nullptr) {
                return;
            }
            // A label is text like any other: same rules, same translations.
            if (auto label = read_local_text(extension, "valueString", "_valueString", place,
                                             Need::required)) {
                (is_lower ? item.lower_label : item.upper_label) = std::move(*label);
            }
        } else if (url == kDisplayAsExtension) {
            const json* value = extension_value(extension, url, "valueCode", place, false);
            if (value == nullptr) {
                return;
            }
            if (!value->is_string() || value->get<std::string>() != "faces") {
                report(child(place, "valueCode"),
                       "display-as " +
                           (value->is_string() ? "'" + value->get<std::string>() + "'"
                                               : kind_of(*value)) +
                           " is not supported (supported: faces)");
                return;
            }
            check_faces(place, type, item);
        } else {
            report(place, "extension '" + url +
                              "' is not supported by the kiosk (supported on "
                              "items: minValue, maxValue, " +
                              kDisplayAsExtension + ", " + kLowerLabelExtension + ", " +
                              kUpperLabelExtension + ")");
        }
    }

    // Faces are drawn from happiest (first option) to saddest (last): an ordinal scale of a few.
    void check_faces(const std::string& place, std::optional<ItemType> type, Item& item) {
        if (type != ItemType::choice) {
            if (type) { // an item with a wrong type has had its problem reported already
                report(place, "display-as faces is only supported on choice items");
            }
            return;
        }
        if (item.repeats) {
            report(place, "display-as faces needs a single-answer choice (remove 'repeats')");
            return;
        }
        if (item.options.size() < kFewestFaces || item.options.size() > kMostFaces) {
            report(place,
                   "display-as faces needs 2 to 5 options, from happiest to saddest (found " +
                       std::to_string(item.options.size()) + ")");
            return;
        }
        item.display_hint = DisplayHint::faces;
    }

    // An integer is a row of buttons: it needs both ends, in order, and few enough buttons.
    void check_integer_range(const std::string& place, std::optional<ItemType> type,
                             const Item& item, bool had_extensions) {
        if (type != ItemType::integer) {
            return;
        }
        const std::string where = had_extensions ? child(place, "extension") : place;
        if (!item.min_value || !item.max_value) {
            report(where, std::string("an integer item needs both a minValue and a maxValue "
                                      "extension (") +
                              kMinValueExtension + ", " + kMaxValueExtension +
                              ", with valueInteger)");
            return;
        }
        if (*item.min_value >= *item.max_value) {
            report(where, "minValue (" + std::to_string(*item.min_value) +
                              ") must be less than maxValue (" + std::to_string(*item.max_value) +
                              ")");
        } else if (*item.max_value - *item.min_value > kMostIntegerSteps) {
            report(where, "an integer item may offer at most 11 values (maxValue - minValue at "
                          "most 10), because each value is a button; found " +
                              std::to_string(*item.min_value) + " to " +
                              std::to_string(*item.max_value));
        }
    }

    // ---- enableWhen

    void read_enable_when(const json& object, const std::string& place, Item& item) {
        const auto conditions = object.find("enableWhen");
        const auto behavior = object.find("enableBehavior");
        std::size_t condition_count = 0;
        if (conditions != object.end()) {
            const std::string list_place = child(place, "enableWhen");
            if (!conditions->is_array() || conditions->empty()) {
                report(list_place, "enableWhen must be a list [...] of at least one condition");
            } else {
                condition_count = conditions->size();
                for (std::size_t i = 0; i < conditions->size(); ++i) {
                    if (auto condition =
                            read_condition((*conditions)[i], child(list_place, i), item.link_id)) {
                        item.enable_when.push_back(std::move(*condition));
                    }
                }
            }
        }
        if (behavior == object.end()) {
            if (condition_count > 1) {
                report(place, "an item with more than one enableWhen needs enableBehavior: 'all' "
                              "(every condition must hold) or 'any' (one is enough)");
            }
            return;
        }
        const std::string behavior_place = child(place, "enableBehavior");
        if (conditions == object.end()) {
            report(behavior_place, "enableBehavior is given but the item has no enableWhen");
            return;
        }
        if (behavior->is_string() && behavior->get<std::string>() == "all") {
            item.enable_behavior = EnableBehavior::all;
        } else if (behavior->is_string() && behavior->get<std::string>() == "any") {
            item.enable_behavior = EnableBehavior::any;
        } else {
            report(behavior_place,
                   "enableBehavior must be 'all' or 'any' (found " +
                       (behavior->is_string() ? "'" + behavior->get<std::string>() + "'"
                                              : kind_of(*behavior)) +
                       ")");
        }
    }

    std::optional<EnableCondition> read_condition(const json& object, const std::string& place,
                                                  const std::string& own_link_id) {
        if (!object.is_object()) {
            report(place, "an enableWhen condition must be an object {...} (found " +
                              kind_of(object) + ")");
            return std::nullopt;
        }
        std::vector<std::string> answer_keys;
        for (const auto& [key, value] : object.items()) {
            if (key == "question" || key == "operator") {
                continue;
            }
            if (starts_with(key, "answer")) {
                answer_keys.push_back(key);
                if (std::find(kAnswerKeys.begin(), kAnswerKeys.end(), key) == kAnswerKeys.end()) {
                    report(child(place, key),
                           key + " is not supported (supported: " + join(kAnswerKeys, ", ") + ")");
                }
                continue;
            }
            report(child(place, key), "'" + key +
                                          "' is not supported by the kiosk in enableWhen "
                                          "(allowed: question, operator, and one of " +
                                          join(kAnswerKeys, ", ") + ")");
        }

        const SeenItem* question = read_condition_question(object, place, own_link_id);
        const auto op = read_operator(object, place);
        if (answer_keys.empty()) {
            report(place, "enableWhen needs one answer: one of " + join(kAnswerKeys, ", "));
            return std::nullopt;
        }
        if (answer_keys.size() > 1) {
            report(place,
                   "enableWhen must have exactly one answer, found " + join(answer_keys, " and "));
            return std::nullopt;
        }
        const std::string& answer_key = answer_keys.front();
        const std::string answer_place = child(place, answer_key);
        if (std::find(kAnswerKeys.begin(), kAnswerKeys.end(), answer_key) == kAnswerKeys.end()) {
            return std::nullopt; // reported above
        }
        if (!op) {
            return std::nullopt;
        }
        if (*op == EnableOperator::exists) {
            if (answer_key != "answerBoolean") {
                report(answer_place,
                       "operator 'exists' needs answerBoolean (true: enabled when the "
                       "question is answered; false: when it is not), not " +
                           answer_key);
                return std::nullopt;
            }
        } else if (question != nullptr && question->type &&
                   !answer_fits_question(*question, *op, answer_key, object["question"], place,
                                         answer_place)) {
            return std::nullopt;
        }
        auto answer = read_condition_answer(object[answer_key], answer_key, answer_place,
                                            *op == EnableOperator::exists ? nullptr : question);
        if (!answer || question == nullptr) {
            return std::nullopt;
        }
        return EnableCondition{object["question"].get<std::string>(), *op, std::move(*answer)};
    }

    // The question a condition depends on must be an earlier question, so that the patient
    // has already seen it and enablement never goes round in a circle.
    const SeenItem* read_condition_question(const json& object, const std::string& place,
                                            const std::string& own_link_id) {
        const auto link_id = read_string(object, "question", place, Need::required);
        if (!link_id) {
            return nullptr;
        }
        const std::string question_place = child(place, "question");
        if (!own_link_id.empty() && *link_id == own_link_id) {
            report(question_place, "enableWhen refers to its own item '" + *link_id +
                                       "'; it may only depend on earlier questions");
            return nullptr;
        }
        const auto seen = seen_.find(*link_id);
        if (seen == seen_.end()) {
            if (all_link_ids_.count(*link_id) > 0) {
                report(question_place, "enableWhen refers to '" + *link_id +
                                           "', which comes later in the questionnaire; it may only "
                                           "depend on questions that come before this item");
            } else {
                report(question_place, "enableWhen refers to '" + *link_id +
                                           "', which is not the linkId of any item in this "
                                           "questionnaire");
            }
            return nullptr;
        }
        if (seen->second.type && !is_question_type(*seen->second.type)) {
            report(question_place, "enableWhen refers to '" + *link_id + "', which is a " +
                                       type_name(*seen->second.type) +
                                       " item and has no answer; refer to a question");
            return nullptr;
        }
        return &seen->second;
    }

    std::optional<EnableOperator> read_operator(const json& object, const std::string& place) {
        const auto name = read_string(object, "operator", place, Need::required);
        if (!name) {
            return std::nullopt;
        }
        const auto found = kOperators.find(*name);
        if (found == kOperators.end()) {
            report(child(place, "operator"),
                   "operator '" + *name +
                       "' is not supported (supported: exists, =, !=, >, <, >=, <=)");
            return std::nullopt;
        }
        return found->second;
    }

    // boolean -> answerBoolean, integer -> answerInteger, choice -> answerCoding,
    // string/text -> answerString; only integers can be ordered.
    bool answer_fits_question(const SeenItem& question, EnableOperator op,
                              const std::string& answer_key, const json& link_id,
                              const std::string& place, const std::string& answer_place) {
        const ItemType type = *question.type;
        const std::string expected = type == ItemType::boolean   ? "answerBoolean"
                                     : type == ItemType::integer ? "answerInteger"
                                     : type == ItemType::choice  ? "answerCoding"
                                                                 : "answerString";
        const std::string name = link_id.get<std::string>();
        if (answer_key != expected) {
            report(answer_place, "question '" + name + "' is a " + type_name(type) +
                                     " question, so this enableWhen needs " + expected + " (not " +
                                     answer_key + ")");
            return false;
        }
        const bool ordered = op == EnableOperator::greater || op == EnableOperator::less ||
                             op == EnableOperator::greater_or_equal ||
                             op == EnableOperator::less_or_equal;
        if (ordered && type != ItemType::integer) {
            report(child(place, "operator"),
                   "operator '" + operator_name(op) + "' cannot be used with the " +
                       type_name(type) + " question '" + name +
                       "' (use =, != or exists; only integer questions can be compared with "
                       "> < >= <=)");
            return false;
        }
        return true;
    }

    static std::string operator_name(EnableOperator op) {
        for (const auto& [name, value] : kOperators) {
            if (value == op) {
                return name;
            }
        }
        return "?";
    }

    // The answer's own value; for a coding, also that it is one of the question's options.
    std::optional<AnswerValue> read_condition_answer(const json& value, const std::string& key,
                                                     const std::string& place,
                                                     const SeenItem* question) {
        if (key == "answerBoolean") {
            if (!value.is_boolean()) {
                report(place, "answerBoolean must be true or false (found " + kind_of(value) + ")");
                return std::nullopt;
            }
            return AnswerValue{value.get<bool>()};
        }
        if (key == "answerInteger") {
            if (auto number = read_integer_value(value, place, "answerInteger")) {
                return AnswerValue{*number};
            }
            return std::nullopt;
        }
        if (key == "answerString") {
            if (!value.is_string() || value.get<std::string>().empty()) {
                report(place, "answerString must be non-empty text in quotes (found " +
                                  kind_of(value) + ")");
                return std::nullopt;
            }
            return AnswerValue{value.get<std::string>()};
        }
        return read_condition_coding(value, place, question);
    }

    std::optional<AnswerValue> read_condition_coding(const json& value, const std::string& place,
                                                     const SeenItem* question) {
        if (!value.is_object()) {
            report(place, "answerCoding must be an object {...} with a code (found " +
                              kind_of(value) + ")");
            return std::nullopt;
        }
        for (const auto& [key, member] : value.items()) {
            if (key != "system" && key != "version" && key != "code" && key != "display") {
                report(child(place, key), "'" + key +
                                              "' is not supported in answerCoding "
                                              "(allowed: system, code, display)");
            }
        }
        const auto system = read_string(value, "system", place, Need::optional);
        const auto code = read_string(value, "code", place, Need::required);
        if (!code) {
            return std::nullopt;
        }
        Coding coding{system.value_or(""), *code, value.value("display", std::string())};
        if (question == nullptr || question->type != ItemType::choice) {
            return AnswerValue{coding};
        }
        const auto option =
            std::find_if(question->options.begin(), question->options.end(),
                         [&](const Coding& candidate) { return candidate.code == *code; });
        if (option == question->options.end()) {
            std::vector<std::string> codes;
            for (const Coding& candidate : question->options) {
                codes.push_back(candidate.code);
            }
            report(child(place, "code"), "code '" + *code +
                                             "' is not one of the question's options (its codes: " +
                                             join(codes, ", ") + ")");
            return std::nullopt;
        }
        if (system && *system != option->system) {
            report(child(place, "system"), "system '" + *system + "' does not match the option '" +
                                               *code + "' of the question (its system is '" +
                                               option->system + "')");
            return std::nullopt;
        }
        // Answers are compared by system and code; an author may leave the system out here, so
        // take it from the option rather than let the condition never match.
        return AnswerValue{*option};
    }

    // ---- children

    void read_children(const json& object, const std::string& place, std::optional<ItemType> type,
                       int group_depth, Item& item) {
        const auto children = object.find("item");
        const std::string children_place = child(place, "item");
        if (type && *type != ItemType::group) {
            if (children != object.end()) {
                report(children_place, "only group items may contain other items (this item is '" +
                                           type_name(*type) + "')");
            }
            return;
        }
        if (type == ItemType::group) {
            if (group_depth == kDeepestGroupNesting) {
                report(place, "groups may be nested at most 3 deep; this group is inside 3 others");
            }
            if (children == object.end() || (children->is_array() && children->empty())) {
                report(place, "a group must contain at least one item");
                return;
            }
        }
        if (children == object.end()) {
            return;
        }
        if (!children->is_array()) {
            report(children_place,
                   "'item' must be a list [...] of items (found " + kind_of(*children) + ")");
            return;
        }
        if (group_depth >= kDeepestReadNesting) {
            report(children_place, "items are nested too deep to read (more than " +
                                       std::to_string(kDeepestReadNesting) + " levels)");
            return;
        }
        item.items = read_items(*children, children_place, group_depth + 1);
    }

    std::string source_;
    Problems problems_;
    std::set<std::string> all_link_ids_;
    std::map<std::string, std::string> link_id_places_; // linkId -> place of its first item
    std::map<std::string, SeenItem> seen_;              // items before the one being read
    int questions_found_ = 0;
};

} // namespace

QuestionnaireLoad parse_questionnaire(const std::string& json_text,
                                      const std::string& source_name) {
    QuestionnaireLoad load;
    DuplicateKeyFinder duplicates;
    json root;
    try {
        root = json::parse(json_text, [&duplicates](int, json::parse_event_t event, json& parsed) {
            return duplicates.on_event(event, parsed);
        });
    } catch (const json::parse_error& error) {
        load.problems.push_back(
            Problem{source_name, line_and_column(json_text, error.byte),
                    "the file is not valid JSON: " + parse_error_description(error)});
        return load;
    } catch (const json::out_of_range& error) {
        // A number too large for a double ("1e999"): nlohmann throws this, not a parse_error,
        // and does not say where. Found by fuzzing (tests/fuzz/).
        const std::string message = error.what();
        const auto id_end = message.find("] ");
        load.problems.push_back(Problem{
            source_name, "",
            "the file holds a number too large to read (" +
                (id_end == std::string::npos ? message : message.substr(id_end + 2)) + ")"});
        return load;
    }

    Checker checker(source_name);
    for (const std::string& place : duplicates.duplicates()) {
        checker.report(place, "this key appears more than once in the same object; each key may "
                              "appear only once (the kiosk will not guess which one you meant)");
    }
    Questionnaire questionnaire = checker.check(root);
    load.problems = checker.take_problems();
    if (load.problems.empty()) {
        load.questionnaire = std::move(questionnaire);
    }
    return load;
}

QuestionnaireLoad load_questionnaire_file(const std::string& path) {
    const auto cannot_read = [&path](int error_number) {
        QuestionnaireLoad load;
        load.problems.push_back(Problem{
            path, "", "cannot read the file: " + std::generic_category().message(error_number)});
        return load;
    };
    errno = 0;
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                               &std::fclose);
    if (!file) {
        return cannot_read(errno);
    }
    std::string text;
    char buffer[16384];
    std::size_t count = 0;
    while ((count = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
        text.append(buffer, count);
    }
    if (std::ferror(file.get()) != 0) {
        return cannot_read(errno); // a directory opens, but reading it fails with EISDIR
    }
    return parse_questionnaire(text, path);
}

} // namespace kiosk::model
