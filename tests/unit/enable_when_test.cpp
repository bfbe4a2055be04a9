// enableWhen with FHIR R4 semantics: which questions the patient sees for the answers so far.

#include "model/enable_when.hpp"
#include "model/questionnaire_loader.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace kiosk::model;

namespace {

Questionnaire load(const std::string& items_json) {
    const std::string text = R"({"resourceType": "Questionnaire", "url": "urn:test:q",
        "status": "active", "item": )" +
                             items_json + "}";
    QuestionnaireLoad loaded = parse_questionnaire(text, "inline");
    for (const Problem& problem : loaded.problems) {
        UNSCOPED_INFO(problem.to_string());
    }
    REQUIRE(loaded.questionnaire.has_value());
    return std::move(*loaded.questionnaire);
}

constexpr const char* kCodes = "urn:test:codes";

Coding coding(const std::string& code) {
    return Coding{kCodes, code, ""};
}

// One question of each kind, each followed by nothing: conditions are built by hand in the tests.
const char* const kQuestionOfEachKind = R"([
    {"linkId": "score", "type": "integer", "text": "Score", "extension": [
        {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
        {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 10}]},
    {"linkId": "parked", "type": "boolean", "text": "Did you park?"},
    {"linkId": "mood", "type": "choice", "text": "How was it?", "answerOption": [
        {"valueCoding": {"system": "urn:test:codes", "code": "good", "display": "Good"}},
        {"valueCoding": {"system": "urn:test:codes", "code": "bad", "display": "Bad"}}]},
    {"linkId": "used", "type": "choice", "text": "What did you use?", "repeats": true,
     "answerOption": [
        {"valueCoding": {"system": "urn:test:codes", "code": "cafe", "display": "Cafe"}},
        {"valueCoding": {"system": "urn:test:codes", "code": "shop", "display": "Shop"}},
        {"valueCoding": {"system": "urn:test:codes", "code": "parking", "display": "Parking"}}]},
    {"linkId": "ward", "type": "string", "text": "Which ward?"},
    {"linkId": "story", "type": "text", "text": "Tell us more"}
])";

} // namespace

TEST_CASE("flatten lists every item in document order with its groups", "[enable_when]") {
    const Questionnaire questionnaire = load(R"([
        {"linkId": "intro", "type": "display", "text": "Hello"},
        {"linkId": "outer", "type": "group", "item": [
            {"linkId": "a", "type": "boolean", "text": "A?"},
            {"linkId": "inner", "type": "group", "item": [
                {"linkId": "b", "type": "boolean", "text": "B?"}]},
            {"linkId": "c", "type": "boolean", "text": "C?"}]},
        {"linkId": "d", "type": "boolean", "text": "D?"}])");
    const std::vector<FlatItem> flat = flatten(questionnaire);
    std::vector<std::string> order;
    for (const FlatItem& item : flat) {
        order.push_back(item.item->link_id);
    }
    CHECK(order == std::vector<std::string>{"intro", "outer", "a", "inner", "b", "c", "d"});
    CHECK(flat[0].ancestors.empty());
    CHECK(flat[1].ancestors.empty());
    REQUIRE(flat[4].ancestors.size() == 2);
    CHECK(flat[4].ancestors[0]->link_id == "outer"); // outermost first
    CHECK(flat[4].ancestors[1]->link_id == "inner");
    REQUIRE(flat[5].ancestors.size() == 1);
    CHECK(flat[5].ancestors[0]->link_id == "outer");
    CHECK(flat[6].ancestors.empty());
}

TEST_CASE("integer conditions support every operator", "[enable_when]") {
    const Questionnaire questionnaire = load(kQuestionOfEachKind);
    const EnableRules rules(questionnaire);
    const Answers seven = {{"score", {std::int64_t{7}}}};

    struct Case {
        EnableOperator op;
        std::int64_t value;
        bool expected;
    };
    const std::vector<Case> cases = {
        {EnableOperator::equal, 7, true},
        {EnableOperator::equal, 6, false},
        {EnableOperator::not_equal, 6, true},
        {EnableOperator::not_equal, 7, false},
        {EnableOperator::greater, 6, true},
        {EnableOperator::greater, 7, false},
        {EnableOperator::less, 8, true},
        {EnableOperator::less, 7, false},
        {EnableOperator::greater_or_equal, 7, true},
        {EnableOperator::greater_or_equal, 8, false},
        {EnableOperator::less_or_equal, 7, true},
        {EnableOperator::less_or_equal, 6, false},
    };
    for (const Case& c : cases) {
        INFO("operator " << static_cast<int>(c.op) << " value " << c.value);
        CHECK(rules.condition_holds(EnableCondition{"score", c.op, c.value}, seven) == c.expected);
        // With no answer every operator but exists is false, even != (FHIR R4).
        CHECK_FALSE(rules.condition_holds(EnableCondition{"score", c.op, c.value}, {}));
    }
    CHECK(rules.condition_holds(EnableCondition{"score", EnableOperator::exists, true}, seven));
    CHECK_FALSE(
        rules.condition_holds(EnableCondition{"score", EnableOperator::exists, false}, seven));
    CHECK(rules.condition_holds(EnableCondition{"score", EnableOperator::exists, false}, {}));
    CHECK_FALSE(rules.condition_holds(EnableCondition{"score", EnableOperator::exists, true}, {}));
    // An empty list of answers is no answer.
    const Answers emptied = {{"score", {}}};
    CHECK(rules.condition_holds(EnableCondition{"score", EnableOperator::exists, false}, emptied));
    CHECK_FALSE(rules.condition_holds(
        EnableCondition{"score", EnableOperator::not_equal, std::int64_t{1}}, emptied));
}

TEST_CASE("boolean conditions: = != exists", "[enable_when]") {
    const Questionnaire questionnaire = load(kQuestionOfEachKind);
    const EnableRules rules(questionnaire);
    const Answers yes = {{"parked", {true}}};
    const Answers no = {{"parked", {false}}};

    CHECK(rules.condition_holds({"parked", EnableOperator::equal, true}, yes));
    CHECK_FALSE(rules.condition_holds({"parked", EnableOperator::equal, true}, no));
    CHECK(rules.condition_holds({"parked", EnableOperator::not_equal, true}, no));
    CHECK_FALSE(rules.condition_holds({"parked", EnableOperator::not_equal, true}, yes));
    CHECK_FALSE(rules.condition_holds({"parked", EnableOperator::not_equal, true}, {}));
    CHECK(rules.condition_holds({"parked", EnableOperator::exists, true}, no));
    CHECK(rules.condition_holds({"parked", EnableOperator::exists, false}, {}));
    CHECK_FALSE(rules.condition_holds({"parked", EnableOperator::exists, false}, yes));
}

TEST_CASE("coding conditions compare system and code, not display", "[enable_when]") {
    const Questionnaire questionnaire = load(kQuestionOfEachKind);
    const EnableRules rules(questionnaire);
    const Answers good = {{"mood", {Coding{kCodes, "good", "Good"}}}};

    CHECK(rules.condition_holds({"mood", EnableOperator::equal, coding("good")}, good));
    CHECK(rules.condition_holds(
        {"mood", EnableOperator::equal, Coding{kCodes, "good", "another label"}}, good));
    CHECK_FALSE(rules.condition_holds(
        {"mood", EnableOperator::equal, Coding{"urn:test:elsewhere", "good", "Good"}}, good));
    CHECK_FALSE(rules.condition_holds({"mood", EnableOperator::equal, coding("bad")}, good));
    CHECK(rules.condition_holds({"mood", EnableOperator::not_equal, coding("bad")}, good));
    CHECK_FALSE(rules.condition_holds({"mood", EnableOperator::not_equal, coding("good")}, good));
    CHECK_FALSE(rules.condition_holds({"mood", EnableOperator::not_equal, coding("good")}, {}));
    CHECK(rules.condition_holds({"mood", EnableOperator::exists, true}, good));
    CHECK(rules.condition_holds({"mood", EnableOperator::exists, false}, {}));
}

TEST_CASE("string and text conditions compare exactly", "[enable_when]") {
    const Questionnaire questionnaire = load(kQuestionOfEachKind);
    const EnableRules rules(questionnaire);
    const Answers ward = {{"ward", {std::string("Ward 7")}}, {"story", {std::string("Fine")}}};

    CHECK(rules.condition_holds({"ward", EnableOperator::equal, std::string("Ward 7")}, ward));
    CHECK_FALSE(
        rules.condition_holds({"ward", EnableOperator::equal, std::string("ward 7")}, ward));
    CHECK_FALSE(
        rules.condition_holds({"ward", EnableOperator::equal, std::string("Ward 7 ")}, ward));
    CHECK(rules.condition_holds({"ward", EnableOperator::not_equal, std::string("Ward 8")}, ward));
    CHECK_FALSE(
        rules.condition_holds({"ward", EnableOperator::not_equal, std::string("Ward 7")}, ward));
    CHECK(rules.condition_holds({"story", EnableOperator::exists, true}, ward));
    CHECK(rules.condition_holds({"story", EnableOperator::equal, std::string("Fine")}, ward));
    CHECK_FALSE(rules.condition_holds({"story", EnableOperator::exists, true}, {}));
}

TEST_CASE("an answer of another kind than the condition never matches", "[enable_when]") {
    const Questionnaire questionnaire = load(kQuestionOfEachKind);
    const EnableRules rules(questionnaire);
    const Answers odd = {{"score", {std::string("7")}}};
    CHECK_FALSE(rules.condition_holds({"score", EnableOperator::equal, std::int64_t{7}}, odd));
    CHECK_FALSE(rules.condition_holds({"score", EnableOperator::not_equal, std::int64_t{7}}, odd));
    CHECK(rules.condition_holds({"score", EnableOperator::exists, true}, odd));
}

TEST_CASE("multi-select: a condition holds when it holds for one of the answers", "[enable_when]") {
    const Questionnaire questionnaire = load(kQuestionOfEachKind);
    const EnableRules rules(questionnaire);
    const Answers cafe_and_shop = {{"used", {coding("cafe"), coding("shop")}}};
    const Answers cafe_only = {{"used", {coding("cafe")}}};

    CHECK(rules.condition_holds({"used", EnableOperator::equal, coding("shop")}, cafe_and_shop));
    CHECK_FALSE(
        rules.condition_holds({"used", EnableOperator::equal, coding("parking")}, cafe_and_shop));
    // FHIR: != is true when at least one answer differs, so picking cafe and shop makes
    // "!= cafe" true although cafe was picked.
    CHECK(
        rules.condition_holds({"used", EnableOperator::not_equal, coding("cafe")}, cafe_and_shop));
    CHECK_FALSE(
        rules.condition_holds({"used", EnableOperator::not_equal, coding("cafe")}, cafe_only));
}

TEST_CASE("enableBehavior all and any", "[enable_when]") {
    const Questionnaire questionnaire = load(R"([
        {"linkId": "parked", "type": "boolean", "text": "Did you park?"},
        {"linkId": "score", "type": "integer", "text": "Score", "extension": [
            {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
            {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 10}]},
        {"linkId": "both", "type": "text", "text": "Both?", "enableBehavior": "all", "enableWhen": [
            {"question": "parked", "operator": "=", "answerBoolean": true},
            {"question": "score", "operator": "<", "answerInteger": 5}]},
        {"linkId": "either", "type": "text", "text": "Either?", "enableBehavior": "any",
         "enableWhen": [
            {"question": "parked", "operator": "=", "answerBoolean": true},
            {"question": "score", "operator": "<", "answerInteger": 5}]}
    ])");
    const EnableRules rules(questionnaire);

    const Answers parked_low = {{"parked", {true}}, {"score", {std::int64_t{2}}}};
    const Answers parked_high = {{"parked", {true}}, {"score", {std::int64_t{9}}}};
    const Answers walked_low = {{"parked", {false}}, {"score", {std::int64_t{2}}}};
    const Answers walked_high = {{"parked", {false}}, {"score", {std::int64_t{9}}}};

    CHECK(rules.is_enabled("both", parked_low));
    CHECK_FALSE(rules.is_enabled("both", parked_high));
    CHECK_FALSE(rules.is_enabled("both", walked_low));
    CHECK_FALSE(rules.is_enabled("both", {}));

    CHECK(rules.is_enabled("either", parked_low));
    CHECK(rules.is_enabled("either", parked_high));
    CHECK(rules.is_enabled("either", walked_low));
    CHECK_FALSE(rules.is_enabled("either", walked_high));
    CHECK_FALSE(rules.is_enabled("either", {}));

    CHECK(rules.is_enabled("parked", {})); // no conditions: always enabled
}

TEST_CASE("a disabled group disables everything inside it", "[enable_when]") {
    const Questionnaire questionnaire = load(R"([
        {"linkId": "parked", "type": "boolean", "text": "Did you park?"},
        {"linkId": "parking", "type": "group", "text": "Parking",
         "enableWhen": [{"question": "parked", "operator": "=", "answerBoolean": true}],
         "item": [
            {"linkId": "easy", "type": "boolean", "text": "Was it easy?"},
            {"linkId": "costs", "type": "group", "item": [
                {"linkId": "paid", "type": "boolean", "text": "Did you pay?"}]}]},
        {"linkId": "why-hard", "type": "text", "text": "What made it hard?",
         "enableWhen": [{"question": "easy", "operator": "=", "answerBoolean": false}]}
    ])");
    const EnableRules rules(questionnaire);

    const Answers parked = {{"parked", {true}}, {"easy", {false}}};
    CHECK(rules.is_enabled("parking", parked));
    CHECK(rules.is_enabled("easy", parked));
    CHECK(rules.is_enabled("paid", parked));
    CHECK(rules.is_enabled("why-hard", parked));

    // The patient goes back and says they did not park; the old answer to "easy" stays in the
    // session but must no longer count.
    const Answers walked = {{"parked", {false}}, {"easy", {false}}};
    CHECK_FALSE(rules.is_enabled("parking", walked));
    CHECK_FALSE(rules.is_enabled("easy", walked));
    CHECK_FALSE(rules.is_enabled("costs", walked));
    CHECK_FALSE(rules.is_enabled("paid", walked));
    CHECK_FALSE(rules.is_enabled("why-hard", walked));
    CHECK_FALSE(rules.condition_holds({"easy", EnableOperator::exists, true}, walked));
    CHECK(rules.condition_holds({"easy", EnableOperator::exists, false}, walked));
}

TEST_CASE("chains: A enables B enables C", "[enable_when]") {
    const Questionnaire questionnaire = load(R"([
        {"linkId": "a", "type": "boolean", "text": "A?"},
        {"linkId": "b", "type": "boolean", "text": "B?",
         "enableWhen": [{"question": "a", "operator": "=", "answerBoolean": true}]},
        {"linkId": "c", "type": "text", "text": "C?",
         "enableWhen": [{"question": "b", "operator": "exists", "answerBoolean": true}]}
    ])");
    const EnableRules rules(questionnaire);

    CHECK(rules.is_enabled("c", {{"a", {true}}, {"b", {false}}}));
    CHECK_FALSE(rules.is_enabled("c", {{"a", {true}}}));
    // B still has an answer, but B is disabled once A is unanswered, so C is disabled too.
    CHECK_FALSE(rules.is_enabled("b", {{"b", {false}}}));
    CHECK_FALSE(rules.is_enabled("c", {{"b", {false}}}));
    CHECK_FALSE(rules.is_enabled("c", {{"a", {false}}, {"b", {false}}}));
}

TEST_CASE("unknown linkIds and hand-built cycles are handled", "[enable_when]") {
    SECTION("an unknown linkId is not enabled") {
        const Questionnaire questionnaire = load(kQuestionOfEachKind);
        const EnableRules rules(questionnaire);
        CHECK_FALSE(rules.is_enabled("nowhere", {}));
        // A question that is not there has no answer.
        CHECK(rules.condition_holds({"nowhere", EnableOperator::exists, false}, {}));
        CHECK_FALSE(rules.condition_holds({"nowhere", EnableOperator::exists, true},
                                          {{"nowhere", {true}}}));
    }
    SECTION("a cycle the loader would refuse counts as disabled instead of looping") {
        Questionnaire questionnaire;
        Item first;
        first.link_id = "x";
        first.type = ItemType::boolean;
        first.enable_when = {{"y", EnableOperator::exists, true}};
        Item second;
        second.link_id = "y";
        second.type = ItemType::boolean;
        second.enable_when = {{"x", EnableOperator::exists, true}};
        questionnaire.items = {first, second};
        const EnableRules rules(questionnaire);
        const Answers both = {{"x", {true}}, {"y", {true}}};
        CHECK_FALSE(rules.is_enabled("x", both));
        CHECK_FALSE(rules.is_enabled("y", both));
    }
}
