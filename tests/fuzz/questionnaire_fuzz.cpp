// Fuzz target: a Questionnaire as JSON text, through the kiosk's loader and its subset checks.
// Invariants: a questionnaire comes back exactly when there are no problems; every problem names
// the input and says what is wrong; a questionnaire that loads keeps the promises
// questionnaire.hpp makes to the screens (unique linkIds, typed items well formed).

#include "fuzz_check.hpp"

#include "model/questionnaire_loader.hpp"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

namespace {

using namespace kiosk::model;

const std::string kSourceName = "fuzz-input.json";

void check_items(const std::vector<Item>& items, std::set<std::string>& link_ids) {
    for (const Item& item : items) {
        FUZZ_CHECK(!item.link_id.empty());
        FUZZ_CHECK(link_ids.insert(item.link_id).second);
        FUZZ_CHECK(item.type == ItemType::group || item.items.empty());
        if (item.type == ItemType::choice) {
            FUZZ_CHECK(!item.options.empty());
        } else {
            FUZZ_CHECK(item.options.empty());
        }
        if (item.type == ItemType::integer) {
            FUZZ_CHECK(item.min_value.has_value() && item.max_value.has_value());
            FUZZ_CHECK(*item.min_value <= *item.max_value);
        }
        check_items(item.items, link_ids);
    }
}

// enableWhen names an earlier question, so every name must be a linkId in the tree.
void check_conditions(const std::vector<Item>& items, const std::set<std::string>& link_ids) {
    for (const Item& item : items) {
        for (const EnableCondition& condition : item.enable_when) {
            FUZZ_CHECK(link_ids.count(condition.question) == 1);
        }
        check_conditions(item.items, link_ids);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const QuestionnaireLoad load = parse_questionnaire(text, kSourceName);
    FUZZ_CHECK(load.questionnaire.has_value() == load.problems.empty());
    for (const Problem& problem : load.problems) {
        FUZZ_CHECK(problem.file == kSourceName);
        FUZZ_CHECK(!problem.what.empty());
        FUZZ_CHECK(!problem.to_string().empty());
    }
    if (load.questionnaire) {
        std::set<std::string> link_ids;
        check_items(load.questionnaire->items, link_ids);
        check_conditions(load.questionnaire->items, link_ids);
        FUZZ_CHECK(!load.questionnaire->canonical().empty());
    }
    return 0;
}
