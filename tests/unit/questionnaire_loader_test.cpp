// The questionnaire loader: what it accepts, and how it explains what it refuses.
// Each bad fixture holds one kind of mistake; the test pins the JSON pointer of the mistake and
// a key phrase of the message, because those are what IT staff read to fix the file.

#include "model/questionnaire_loader.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace kiosk::model;

namespace {

const std::string kFixtures = std::string(KIOSK_FIXTURES_DIR) + "/questionnaires/";

std::string all_problems(const Problems& problems) {
    std::string out;
    for (const Problem& problem : problems) {
        out += problem.to_string() + "\n";
    }
    return out;
}

bool has_problem(const Problems& problems, const std::string& place, const std::string& phrase) {
    return std::any_of(problems.begin(), problems.end(), [&](const Problem& problem) {
        return problem.place == place && problem.what.find(phrase) != std::string::npos;
    });
}

struct BadFile {
    std::string name;   // fixture in tests/fixtures/questionnaires/bad/, without ".json"
    std::string place;  // exact JSON pointer (or "line L, column C")
    std::string phrase; // a part of the message that says what is wrong
};

// One row per kind of mistake.
const std::vector<BadFile> kBadFiles = {
    // The file as a whole
    // nlohmann reports the end of the unexpected token: the closing quote of "status".
    {"malformed-json", "line 4, column 10", "unexpected string literal"},
    {"duplicate-key", "/item/0/text", "appears more than once"},
    {"not-an-object", "", "must hold one JSON object"},
    {"wrong-resource-type", "/resourceType",
     "resourceType is 'QuestionnaireResponse', but the kiosk reads only resources of type "
     "'Questionnaire'"},
    // The questionnaire's own keys
    {"missing-url", "", "'url' is missing"},
    {"missing-status", "", "'status' is missing"},
    {"status-retired", "/status", "status is 'retired'"},
    {"status-unknown", "/status", "status 'unknown' is not allowed (allowed: draft, active)"},
    {"unsupported-top-level-key", "/derivedFrom", "'derivedFrom' is not supported by the kiosk"},
    {"contained", "/contained", "'contained' is not supported by the kiosk"},
    {"top-level-extension", "/extension/0", "extension 'urn:test:something' is not supported"},
    {"top-level-modifier-extension", "/modifierExtension/0",
     "modifier extension 'urn:test:changes-meaning' is not supported"},
    {"no-items", "", "has no items"},
    {"no-questions", "/item", "has no questions"},
    // Item keys and types
    {"unsupported-item-type", "/item/1/type",
     "item type 'date' is not supported (supported: group, display, choice, boolean, integer, "
     "string, text)"},
    {"unsupported-item-key", "/item/0/initial", "'initial' is not supported by the kiosk"},
    {"prefix", "/item/0/prefix", "'prefix' is not supported by the kiosk"},
    {"missing-link-id", "/item/1", "'linkId' is missing"},
    {"empty-link-id", "/item/0/linkId", "'linkId' must not be empty"},
    {"duplicate-link-id", "/item/2/linkId", "linkId 'q1' is already used by the item at /item/0"},
    {"duplicate-link-id-nested", "/item/1/item/0/linkId", "linkId 'q1' is already used"},
    {"missing-type", "/item/0", "'type' is missing"},
    {"missing-text", "/item/0", "'text' is missing"},
    {"display-required", "/item/1/required", "a display item cannot be required"},
    {"display-with-children", "/item/1/item", "only group items may contain other items"},
    {"group-without-items", "/item/1", "a group must contain at least one item"},
    {"group-repeats", "/item/0/repeats", "'repeats' is only allowed on choice items"},
    {"group-with-answer-option", "/item/0/answerOption",
     "answerOption is only allowed on choice items"},
    {"children-on-question", "/item/0/item", "only group items may contain other items"},
    {"repeats-on-boolean", "/item/0/repeats", "'repeats' is only allowed on choice items"},
    {"max-length-on-choice", "/item/0/maxLength",
     "maxLength is only allowed on string and text items"},
    {"max-length-zero", "/item/0/maxLength", "maxLength must be a positive whole number"},
    {"groups-too-deep", "/item/0/item/0/item/0/item/0", "groups may be nested at most 3 deep"},
    // Choice options
    {"choice-one-option", "/item/0/answerOption", "at least 2 options (found 1)"},
    {"choice-without-options", "/item/0", "a choice item needs answerOption"},
    {"choice-value-string", "/item/0/answerOption/0/valueString", "use valueCoding"},
    {"choice-initial-selected", "/item/0/answerOption/0/initialSelected",
     "'initialSelected' is not supported"},
    {"choice-duplicate-code", "/item/0/answerOption/1/valueCoding/code",
     "code 'a' is already used by the option at /item/0/answerOption/0"},
    {"option-missing-code", "/item/0/answerOption/0/valueCoding", "'code' is missing"},
    {"option-missing-display", "/item/0/answerOption/0/valueCoding", "'display' is missing"},
    // Integers
    {"integer-without-range", "/item/0", "needs both a minValue and a maxValue"},
    {"integer-without-max", "/item/0/extension", "needs both a minValue and a maxValue"},
    {"integer-too-many-values", "/item/0/extension", "at most 11 values"},
    {"integer-min-not-below-max", "/item/0/extension",
     "minValue (5) must be less than maxValue (5)"},
    {"integer-range-not-whole", "/item/0/extension/0/valueDecimal",
     "needs valueInteger, not valueDecimal"},
    // Extensions
    {"min-value-on-string", "/item/0/extension/0", "minValue is only supported on integer items"},
    {"unknown-extension", "/item/0/extension/0",
     "extension 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl' is not "
     "supported by the kiosk"},
    {"faces-unknown-code", "/item/0/extension/0/valueCode",
     "display-as 'stars' is not supported (supported: faces)"},
    {"faces-too-many-options", "/item/0/extension/0", "needs 2 to 5 options"},
    {"faces-multi-select", "/item/0/extension/0", "single-answer choice"},
    {"faces-on-integer", "/item/0/extension/2", "only supported on choice items"},
    {"scale-label-on-choice", "/item/0/extension/0",
     "scale labels are only supported on integer items"},
    // Translations
    {"translation-malformed", "/item/0/_text/extension/0/extension/1",
     "a translation needs two sub-extensions"},
    {"translation-missing-lang", "/item/0/_text/extension/0", "the translation has no 'lang'"},
    {"translation-other-extension", "/item/0/_text/extension/0",
     "extension 'http://hl7.org/fhir/StructureDefinition/rendering-xhtml' is not supported here"},
    {"translation-twice", "/item/0/_text/extension/1", "two translations into 'cy'"},
    // enableWhen
    {"enable-when-unknown-question", "/item/1/enableWhen/0/question",
     "'nowhere', which is not the linkId of any item"},
    {"enable-when-later-question", "/item/0/enableWhen/0/question", "'q1', which comes later"},
    {"enable-when-own-item", "/item/1/enableWhen/0/question", "refers to its own item 'q2'"},
    {"enable-when-group", "/item/1/enableWhen/0/question", "'g', which is a group item"},
    {"enable-when-display", "/item/1/enableWhen/0/question", "'note', which is a display item"},
    {"enable-when-wrong-answer-type", "/item/1/enableWhen/0/answerInteger",
     "question 'q1' is a boolean question, so this enableWhen needs answerBoolean"},
    {"enable-when-ordering-on-choice", "/item/1/enableWhen/0/operator",
     "operator '>' cannot be used with the choice question 'q1'"},
    {"enable-when-exists-without-boolean", "/item/1/enableWhen/0/answerCoding",
     "operator 'exists' needs answerBoolean"},
    {"enable-when-unknown-code", "/item/1/enableWhen/0/answerCoding/code",
     "code 'z' is not one of the question's options (its codes: a, b, c)"},
    {"enable-when-wrong-system", "/item/1/enableWhen/0/answerCoding/system",
     "system 'urn:test:other' does not match"},
    {"enable-when-unknown-operator", "/item/1/enableWhen/0/operator",
     "operator '==' is not supported"},
    {"enable-when-unsupported-answer", "/item/1/enableWhen/0/answerDate",
     "answerDate is not supported"},
    {"enable-when-two-answers", "/item/1/enableWhen/0", "exactly one answer"},
    {"enable-when-no-answer", "/item/1/enableWhen/0", "enableWhen needs one answer"},
    {"enable-behavior-missing", "/item/2", "needs enableBehavior"},
    {"enable-behavior-without-enable-when", "/item/1/enableBehavior",
     "enableBehavior is given but the item has no enableWhen"},
    {"enable-behavior-unknown", "/item/1/enableBehavior", "must be 'all' or 'any'"},
};

} // namespace

TEST_CASE("every bad fixture is refused with exactly one problem at the right place",
          "[questionnaire][loader]") {
    for (const BadFile& bad : kBadFiles) {
        DYNAMIC_SECTION(bad.name) {
            const std::string path = kFixtures + "bad/" + bad.name + ".json";
            const QuestionnaireLoad load = load_questionnaire_file(path);
            INFO(all_problems(load.problems));
            CHECK_FALSE(load.questionnaire.has_value());
            REQUIRE(load.problems.size() == 1);
            const Problem& problem = load.problems.front();
            CHECK(problem.file == path);
            CHECK(problem.place == bad.place);
            CHECK_THAT(problem.what, Catch::Contains(bad.phrase));
            CHECK_THAT(problem.to_string(), Catch::StartsWith(path));
            CHECK_THAT(problem.to_string(), Catch::Contains(bad.name + ".json"));
        }
    }
}

TEST_CASE("a refused item key with a known reason says what to do instead",
          "[questionnaire][loader]") {
    const QuestionnaireLoad load = load_questionnaire_file(kFixtures + "bad/answer-value-set.json");
    INFO(all_problems(load.problems));
    CHECK(has_problem(load.problems, "/item/1/answerValueSet", "list the options in answerOption"));
    // Without answerValueSet the item has no options, which is a mistake of its own.
    CHECK(has_problem(load.problems, "/item/1", "a choice item needs answerOption"));
    CHECK(load.problems.size() == 2);
}

TEST_CASE("several problems in one file are all reported", "[questionnaire][loader]") {
    const QuestionnaireLoad load = load_questionnaire_file(kFixtures + "bad/several-problems.json");
    INFO(all_problems(load.problems));
    CHECK_FALSE(load.questionnaire.has_value());
    CHECK(has_problem(load.problems, "", "'url' is missing"));
    CHECK(has_problem(load.problems, "/status", "retired"));
    CHECK(has_problem(load.problems, "/item/0/type", "item type 'date' is not supported"));
    CHECK(has_problem(load.problems, "/item/1/answerOption", "at least 2 options"));
    CHECK(has_problem(load.problems, "/item/2/linkId", "linkId 'q2' is already used"));
    CHECK(has_problem(load.problems, "/item/2", "needs both a minValue and a maxValue"));
    CHECK(has_problem(load.problems, "/item/3/readOnly", "'readOnly' is not supported"));
    CHECK(has_problem(load.problems, "/item/3/enableWhen/0/question", "'q9'"));
    CHECK(load.problems.size() == 8);
}

TEST_CASE("a file that cannot be read names the file and the reason", "[questionnaire][loader]") {
    SECTION("missing file") {
        const std::string path = kFixtures + "no-such-file.json";
        const QuestionnaireLoad load = load_questionnaire_file(path);
        REQUIRE(load.problems.size() == 1);
        CHECK(load.problems[0].place.empty());
        CHECK(load.problems[0].to_string() ==
              path + ": cannot read the file: No such file or directory");
    }
    SECTION("a folder, not a file") {
        const std::string path = kFixtures + "bad";
        const QuestionnaireLoad load = load_questionnaire_file(path);
        REQUIRE(load.problems.size() == 1);
        CHECK_THAT(load.problems[0].to_string(), Catch::StartsWith(path + ": cannot read"));
        CHECK_THAT(load.problems[0].what, Catch::Contains("Is a directory"));
    }
}

TEST_CASE("parse errors give the line and column of the mistake", "[questionnaire][loader]") {
    SECTION("counted from the start of the line") {
        const QuestionnaireLoad load = parse_questionnaire("{\n  \"a\": 1,\n  }", "inline");
        REQUIRE(load.problems.size() == 1);
        CHECK(load.problems[0].place == "line 3, column 3");
        CHECK(load.problems[0].to_string().rfind("inline at line 3, column 3: ", 0) == 0);
    }
    SECTION("a letter written in two bytes counts as one column") {
        const QuestionnaireLoad load = parse_questionnaire("{\"title\": \"Ł\" x}", "inline");
        REQUIRE(load.problems.size() == 1);
        CHECK(load.problems[0].place == "line 1, column 15");
    }
    SECTION("an empty file ends before anything") {
        const QuestionnaireLoad load = parse_questionnaire("", "inline");
        REQUIRE(load.problems.size() == 1);
        CHECK(load.problems[0].place == "line 1, column 1");
        CHECK_THAT(load.problems[0].what, Catch::Contains("end of input"));
    }
}

TEST_CASE("a minimal questionnaire loads", "[questionnaire][loader]") {
    const std::string path = kFixtures + "good/minimal.json";
    const QuestionnaireLoad load = load_questionnaire_file(path);
    INFO(all_problems(load.problems));
    REQUIRE(load.problems.empty());
    REQUIRE(load.questionnaire.has_value());
    const Questionnaire& questionnaire = *load.questionnaire;
    CHECK(questionnaire.source_file == path);
    CHECK(questionnaire.url == "urn:test:questionnaire");
    CHECK(questionnaire.version.empty());
    CHECK(questionnaire.canonical() == "urn:test:questionnaire");
    CHECK(questionnaire.language == "en"); // the default when the file does not say
    REQUIRE(questionnaire.items.size() == 1);
    CHECK(questionnaire.items[0].link_id == "q1");
    CHECK(questionnaire.items[0].type == ItemType::boolean);
    CHECK(questionnaire.items[0].text.text == "Did you park today?");
    CHECK_FALSE(questionnaire.items[0].required);
}

TEST_CASE("every supported feature is read into the model", "[questionnaire][loader]") {
    const QuestionnaireLoad load = load_questionnaire_file(kFixtures + "good/every-feature.json");
    INFO(all_problems(load.problems));
    REQUIRE(load.problems.empty());
    const Questionnaire& questionnaire = *load.questionnaire;

    SECTION("metadata, with ignored keys accepted") {
        CHECK(questionnaire.id == "every-feature");
        CHECK(questionnaire.name == "EveryFeature");
        CHECK(questionnaire.canonical() == "urn:test:every-feature|2.1.0");
        CHECK(questionnaire.title.text == "Every feature");
        CHECK(questionnaire.title.in("cy") == "Pob nodwedd");
        CHECK(questionnaire.title.in("fr") == "Every feature");
    }
    SECTION("display item with translations") {
        const Item& intro = questionnaire.items.at(0);
        CHECK(intro.type == ItemType::display);
        CHECK(intro.text.in("pl") == "Dziękujemy za pomoc.");
        CHECK(intro.text.in("cy-GB") == "Diolch am ein helpu.");
        CHECK(intro.text.in("CY") == "Diolch am ein helpu.");
        CHECK(intro.text.in("en") == "Thank you for helping us.");
    }
    SECTION("group with a faces choice, a conditional text and a multi-select") {
        const Item& group = questionnaire.items.at(1);
        CHECK(group.type == ItemType::group);
        REQUIRE(group.items.size() == 3);

        const Item& mood = group.items[0];
        CHECK(mood.type == ItemType::choice);
        CHECK(mood.required);
        CHECK_FALSE(mood.repeats);
        CHECK(mood.display_hint == DisplayHint::faces);
        REQUIRE(mood.options.size() == 3);
        CHECK(mood.options[0].coding.system == "urn:test:codes");
        CHECK(mood.options[0].coding.code == "good");
        CHECK(mood.options[0].coding.display == "Good");
        CHECK(mood.options[0].label.in("cy") == "Da");

        const Item& why = group.items[1];
        CHECK(why.max_length == 500);
        REQUIRE(why.enable_when.size() == 1);
        CHECK(why.enable_when[0].question == "mood");
        CHECK(why.enable_when[0].op == EnableOperator::equal);
        // The condition left out the system; it is taken from the option so that it can match.
        const Coding& wanted = std::get<Coding>(why.enable_when[0].answer);
        CHECK(wanted.system == "urn:test:codes");
        CHECK(wanted.code == "bad");

        CHECK(group.items[2].repeats);
        CHECK(group.items[2].display_hint == DisplayHint::standard);
    }
    SECTION("integer scale with labels") {
        const Item& score = questionnaire.items.at(2);
        CHECK(score.type == ItemType::integer);
        CHECK(score.min_value == 0);
        CHECK(score.max_value == 10);
        REQUIRE(score.lower_label.has_value());
        CHECK(score.lower_label->text == "Very poor");
        CHECK(score.lower_label->in("cy") == "Gwael iawn");
        REQUIRE(score.upper_label.has_value());
        CHECK(score.upper_label->text == "Very good");
    }
    SECTION("enableBehavior and the other answer kinds") {
        const Item& ward = questionnaire.items.at(3);
        CHECK(ward.type == ItemType::string);
        CHECK(ward.enable_behavior == EnableBehavior::any);
        REQUIRE(ward.enable_when.size() == 2);
        CHECK(ward.enable_when[0].op == EnableOperator::greater_or_equal);
        CHECK(std::get<std::int64_t>(ward.enable_when[0].answer) == 5);
        CHECK(ward.enable_when[1].op == EnableOperator::exists);
        CHECK(std::get<bool>(ward.enable_when[1].answer));

        const Item& more = questionnaire.items.at(4);
        CHECK(more.enable_behavior == EnableBehavior::all);
        CHECK(more.enable_when.at(0).op == EnableOperator::not_equal);
        CHECK(std::get<std::string>(more.enable_when.at(0).answer) == "Ward 7");
    }
}

TEST_CASE("required and repeats set to false are accepted anywhere", "[questionnaire][loader]") {
    // Form builders write the defaults out; false changes nothing, so it is not a mistake.
    const QuestionnaireLoad load = parse_questionnaire(R"({
        "resourceType": "Questionnaire", "url": "urn:test:q", "status": "active",
        "item": [
          {"linkId": "g", "type": "group", "required": false, "repeats": false, "item": [
            {"linkId": "note", "type": "display", "text": "Hello", "required": false},
            {"linkId": "q1", "type": "boolean", "text": "Yes?", "repeats": false}
          ]}
        ]})",
                                                       "inline");
    INFO(all_problems(load.problems));
    CHECK(load.problems.empty());
}

TEST_CASE("very deep nesting is refused without exhausting the stack", "[questionnaire][loader]") {
    std::string text = R"({"resourceType": "Questionnaire", "url": "urn:test:q",
        "status": "active", "item": [{"linkId": "q", "type": "boolean", "text": "Q?"}, )";
    constexpr int levels = 20000; // far more than the recursion could take
    for (int i = 0; i < levels; ++i) {
        text += R"({"linkId": "g)" + std::to_string(i) + R"(", "type": "group", "item": [)";
    }
    text += R"({"linkId": "deepest", "type": "boolean", "text": "Deep?"})";
    for (int i = 0; i < levels; ++i) {
        text += "]}";
    }
    text += "]}";
    const QuestionnaireLoad load = parse_questionnaire(text, "inline");
    INFO(all_problems(load.problems));
    CHECK_FALSE(load.questionnaire.has_value());
    CHECK(has_problem(load.problems, "/item/1/item/0/item/0/item/0", "at most 3 deep"));
    CHECK(std::any_of(load.problems.begin(), load.problems.end(), [](const Problem& problem) {
        return problem.what.find("nested too deep to read") != std::string::npos;
    }));
}
