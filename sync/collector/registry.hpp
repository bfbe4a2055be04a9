#pragma once

// The Questionnaires a collector accepts answers to, indexed by canonical "url|version".
//
// The collector checks responses against the same FHIR R4 subset the kiosk draws (see
// docs/questionnaire-authoring.md): group, display, choice (answerOption valueCoding, `repeats`),
// boolean, integer (minValue/maxValue extensions), string and text (maxLength). It reads only what
// it needs to check answers; a Questionnaire outside that subset is refused at start-up with a
// message naming the file and the item, never half-understood.

#include "collector/error.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::collector {

enum class ItemType { group, display, choice, boolean, integer, string, text };

const char* item_type_name(ItemType type);

struct AnswerOption {
    std::string system; // may be empty
    std::string code;
    std::string display;
};

struct QuestionItem {
    std::string link_id;
    ItemType type = ItemType::display;
    std::string text;
    bool repeats = false;
    std::vector<AnswerOption> options;      // choice
    std::optional<std::int64_t> min_value;  // integer
    std::optional<std::int64_t> max_value;  // integer
    std::optional<std::int64_t> max_length; // string, text: characters, not bytes
    std::vector<QuestionItem> items;        // group
};

struct RegisteredQuestionnaire {
    std::string url;
    std::string version;
    std::string source; // the file it came from
    std::vector<QuestionItem> items;

    // "url|version", or "url" when the Questionnaire has no version.
    std::string canonical() const;
    // The item with this linkId anywhere in the tree, or nullptr.
    const QuestionItem* find(std::string_view link_id) const;
};

// Reads one Questionnaire resource; `source` names it in messages.
Result<RegisteredQuestionnaire> parse_questionnaire(const nlohmann::json& resource,
                                                    const std::string& source);

class Registry {
public:
    // Reads every file; fails on the first unreadable, invalid or duplicate Questionnaire.
    static Result<Registry> load(const std::vector<std::filesystem::path>& files);

    // Registers one more; fails when its canonical is taken.
    std::optional<Error> add(RegisteredQuestionnaire questionnaire);

    // By canonical "url|version". A bare "url" finds the Questionnaire only when exactly one
    // version of it is registered (FHIR reads an unversioned canonical as "the current one").
    const RegisteredQuestionnaire* find(std::string_view canonical) const;

    std::vector<std::string> canonicals() const;

private:
    std::map<std::string, RegisteredQuestionnaire, std::less<>> by_canonical_;
};

} // namespace kiosk::collector
