#pragma once
// The questionnaire as the kiosk understands it: a validated subset of the FHIR R4
// Questionnaire resource. Anything the loader accepts here can be shown and answered;
// anything outside the subset is refused at load (see questionnaire_loader.hpp).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace kiosk::model {

// Extension URLs of the kiosk's own rendering hints (documented in
// docs/questionnaire-authoring.md).
inline constexpr const char* kExtensionBase = "urn:ward-feedback-kiosk:fhir:";
inline constexpr const char* kDisplayAsExtension = "urn:ward-feedback-kiosk:fhir:display-as";
inline constexpr const char* kLowerLabelExtension =
    "urn:ward-feedback-kiosk:fhir:scale-lower-label";
inline constexpr const char* kUpperLabelExtension =
    "urn:ward-feedback-kiosk:fhir:scale-upper-label";
// Standard FHIR extensions the subset uses.
inline constexpr const char* kMinValueExtension =
    "http://hl7.org/fhir/StructureDefinition/minValue";
inline constexpr const char* kMaxValueExtension =
    "http://hl7.org/fhir/StructureDefinition/maxValue";
inline constexpr const char* kTranslationExtension =
    "http://hl7.org/fhir/StructureDefinition/translation";

// Text with its translations (FHIR `translation` extension on the element's `_text`/`_display`).
struct LocalText {
    std::string text;                                // the element's own text (the base language)
    std::map<std::string, std::string> translations; // language code ("cy", "pl") -> text

    // The text in `language`, or the base text when there is no translation for it.
    const std::string& in(const std::string& language) const;
};

struct Coding {
    std::string system;
    std::string code;
    std::string display;
    // Codings are the same answer when system and code match; display is only for people.
    bool same_concept(const Coding& other) const {
        return system == other.system && code == other.code;
    }
};

// One typed answer. `text` and `string` items both answer with std::string.
using AnswerValue = std::variant<bool, std::int64_t, Coding, std::string>;

enum class ItemType { group, display, choice, boolean, integer, string, text };

enum class EnableOperator {
    exists,
    equal,
    not_equal,
    greater,
    less,
    greater_or_equal,
    less_or_equal
};

enum class EnableBehavior { all, any };

// How a question is drawn; set by the kDisplayAsExtension with valueCode "faces".
enum class DisplayHint { standard, faces };

struct EnableCondition {
    std::string question; // linkId of an earlier question
    EnableOperator op = EnableOperator::exists;
    AnswerValue answer; // for `exists`, a bool
};

struct AnswerOption {
    Coding coding;
    LocalText label; // valueCoding.display with its translations
};

struct Item {
    std::string link_id;
    ItemType type = ItemType::display;
    LocalText text;
    bool required = false;
    bool repeats = false;                  // choice only: several options may be chosen
    std::vector<AnswerOption> options;     // choice only
    std::optional<std::int64_t> min_value; // integer only; both set for an integer item
    std::optional<std::int64_t> max_value;
    std::optional<LocalText> lower_label; // integer only: words under the lowest button
    std::optional<LocalText> upper_label; // integer only: words under the highest button
    std::optional<int> max_length;        // string/text only
    DisplayHint display_hint = DisplayHint::standard;
    std::vector<EnableCondition> enable_when;
    EnableBehavior enable_behavior = EnableBehavior::all;
    std::vector<Item> items; // group only: its children

    bool is_question() const { return type != ItemType::group && type != ItemType::display; }
};

struct Questionnaire {
    std::string source_file; // where it was loaded from, for messages
    std::string id;
    std::string url;
    std::string version;
    std::string name;
    LocalText title;
    std::string description;     // for staff choosing between questionnaires; may be empty
    std::string language = "en"; // the base language of the texts
    std::vector<Item> items;

    // "url|version", or "url" when there is no version: what a response points back to.
    std::string canonical() const;
};

} // namespace kiosk::model
