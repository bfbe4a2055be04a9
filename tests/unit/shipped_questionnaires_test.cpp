// The questionnaires shipped in config/questionnaires/ load cleanly and say what they must.

#include "model/enable_when.hpp"
#include "model/questionnaire_loader.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace kiosk::model;

namespace {

Questionnaire load_shipped(const std::string& name) {
    const std::string path = std::string(KIOSK_SOURCE_DIR) + "/config/questionnaires/" + name;
    QuestionnaireLoad load = load_questionnaire_file(path);
    for (const Problem& problem : load.problems) {
        UNSCOPED_INFO(problem.to_string());
    }
    REQUIRE(load.problems.empty());
    REQUIRE(load.questionnaire.has_value());
    return std::move(*load.questionnaire);
}

std::vector<const Item*> questions(const Questionnaire& questionnaire) {
    std::vector<const Item*> found;
    for (const FlatItem& flat : flatten(questionnaire)) {
        if (flat.item->is_question()) {
            found.push_back(flat.item);
        }
    }
    return found;
}

const Item& find_item(const Questionnaire& questionnaire, const std::string& link_id) {
    const Item* found = nullptr;
    for (const FlatItem& flat : flatten(questionnaire)) {
        if (flat.item->link_id == link_id) {
            found = flat.item;
        }
    }
    INFO("linkId " << link_id);
    REQUIRE(found != nullptr);
    return *found;
}

} // namespace

TEST_CASE("every shipped questionnaire loads with no problems and shared metadata",
          "[questionnaire][shipped]") {
    for (const std::string name : {"friends-and-family-test", "cancer-outpatients", "children"}) {
        DYNAMIC_SECTION(name) {
            const Questionnaire questionnaire = load_shipped(name + ".json");
            CHECK(questionnaire.url == "urn:ward-feedback-kiosk:questionnaire:" + name);
            CHECK(questionnaire.version == "1.0.0");
            CHECK(questionnaire.canonical() ==
                  "urn:ward-feedback-kiosk:questionnaire:" + name + "|1.0.0");
            CHECK(questionnaire.language == "en");
            CHECK_FALSE(questionnaire.title.text.empty());
            // One question per screen: keep option lists short enough to fit.
            for (const Item* question : questions(questionnaire)) {
                INFO(question->link_id);
                CHECK(question->options.size() <= 8);
            }
        }
    }
}

TEST_CASE("the Friends and Family Test uses the national wording", "[questionnaire][shipped]") {
    const Questionnaire fft = load_shipped("friends-and-family-test.json");
    REQUIRE(fft.items.size() >= 2);

    const Item& rating = fft.items[0];
    CHECK(rating.type == ItemType::choice);
    CHECK(rating.required);
    CHECK_FALSE(rating.repeats);
    CHECK(rating.text.text == "Overall, how was your experience of our service?");
    const std::vector<std::string> expected = {"Very good", "Good",      "Neither good nor poor",
                                               "Poor",      "Very poor", "Don't know"};
    REQUIRE(rating.options.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(rating.options[i].coding.display == expected[i]);
        CHECK(rating.options[i].label.text == expected[i]);
        CHECK(rating.options[i].coding.code == std::to_string(i + 1));
        CHECK(rating.options[i].coding.system == "urn:ward-feedback-kiosk:codesystem:fft-response");
    }

    const Item& why = fft.items[1];
    CHECK(why.type == ItemType::text);
    CHECK_FALSE(why.required);
    CHECK(why.text.text == "Please can you tell us why you gave your answer?");
}

TEST_CASE("the Friends and Family Test is translated into every shipped language",
          "[questionnaire][shipped]") {
    const Questionnaire fft = load_shipped("friends-and-family-test.json");
    for (const char* language : {"cy", "pl", "pt", "es", "ar", "ur", "bn", "gu", "pa-Guru", "ta",
                                 "so", "ro", "tr", "zh-Hans"}) {
        INFO(language);
        auto translated = [&](const LocalText& text) {
            auto found = text.translations.find(language);
            return found != text.translations.end() && !found->second.empty() &&
                   found->second != text.text;
        };
        CHECK(translated(fft.title));
        for (const Item* question : questions(fft)) {
            INFO(question->link_id);
            CHECK(translated(question->text));
            for (const auto& option : question->options) {
                INFO(option.coding.code);
                CHECK(translated(option.label));
            }
        }
    }
}

TEST_CASE("the children's questionnaire is drawn with faces", "[questionnaire][shipped]") {
    const Questionnaire children = load_shipped("children.json");
    const std::vector<std::string> faces = {"Really good", "Good", "OK", "Bad", "Really bad"};
    for (const std::string link_id : {"feeling", "staff-explained", "waiting-area"}) {
        INFO(link_id);
        const Item& item = find_item(children, link_id);
        CHECK(item.type == ItemType::choice);
        CHECK(item.display_hint == DisplayHint::faces);
        REQUIRE(item.options.size() == faces.size());
        for (std::size_t i = 0; i < faces.size(); ++i) {
            CHECK(item.options[i].label.text == faces[i]); // happiest first
        }
    }
    CHECK(find_item(children, "feeling").text.text == "How did you feel about coming here today?");
    CHECK(find_item(children, "staff-explained").text.text ==
          "Did the staff explain things so you could understand?");
    CHECK(find_item(children, "waiting-area").text.text == "How was the waiting area?");
    CHECK(find_item(children, "enough-to-do").type == ItemType::boolean);
    const Item& tell_us = find_item(children, "tell-us");
    CHECK(tell_us.type == ItemType::text);
    CHECK_FALSE(tell_us.required);
    CHECK(tell_us.text.text == "Is there anything you want to tell us?");
}

TEST_CASE("the cancer outpatients questionnaire uses groups, enableWhen and a 0 to 10 scale",
          "[questionnaire][shipped]") {
    const Questionnaire cancer = load_shipped("cancer-outpatients.json");
    const std::vector<FlatItem> flat = flatten(cancer);

    CHECK(std::count_if(flat.begin(), flat.end(), [](const FlatItem& item) {
              return item.item->type == ItemType::group;
          }) >= 2);

    std::vector<EnableOperator> operators;
    for (const FlatItem& item : flat) {
        for (const EnableCondition& condition : item.item->enable_when) {
            operators.push_back(condition.op);
        }
    }
    std::sort(operators.begin(), operators.end());
    operators.erase(std::unique(operators.begin(), operators.end()), operators.end());
    CHECK(operators.size() >= 2);

    const Item& overall = find_item(cancer, "overall-care");
    CHECK(overall.type == ItemType::integer);
    CHECK(overall.min_value == 0);
    CHECK(overall.max_value == 10);
    REQUIRE(overall.lower_label.has_value());
    REQUIRE(overall.upper_label.has_value());
    CHECK(overall.lower_label->text == "Very poor");
    CHECK(overall.upper_label->text == "Very good");

    SECTION("the nurse contact question appears only for patients given a nurse's name") {
        const EnableRules rules(cancer);
        CHECK_FALSE(rules.is_enabled("nurse-specialist-contact", {}));
        CHECK_FALSE(
            rules.is_enabled("nurse-specialist-contact", {{"nurse-specialist-named", {false}}}));
        CHECK(rules.is_enabled("nurse-specialist-contact", {{"nurse-specialist-named", {true}}}));
    }
    SECTION("the parking rating appears only for patients who parked") {
        const EnableRules rules(cancer);
        CHECK_FALSE(rules.is_enabled("parking", {{"parked", {false}}}));
        CHECK(rules.is_enabled("parking", {{"parked", {true}}}));
    }
    SECTION("the food question offers 'did not use'") {
        const Item& food = find_item(cancer, "food-and-drink");
        CHECK(std::any_of(food.options.begin(), food.options.end(), [](const AnswerOption& option) {
            return option.label.text == "I did not use it";
        }));
    }
    const Item& last = *flat.back().item;
    CHECK(last.type == ItemType::text);
    CHECK_FALSE(last.required);
    CHECK(last.text.text == "Is there anything else you would like to tell us?");
}
