#pragma once
// FHIR R4 enableWhen semantics for the kiosk's subset.
//
// An item is enabled when its own conditions hold (all or any, by enableBehavior) and every
// group it sits in is enabled. A condition on a question that is itself disabled sees that
// question as unanswered (FHIR: "proceed as though the item is not valued"). Operators other
// than `exists` are false when the question has no answer; with several answers (multi-select)
// a condition holds when it holds for at least one of them.

#include "model/answers.hpp"
#include "model/questionnaire.hpp"

#include <string>
#include <vector>

namespace kiosk::model {

// The questionnaire flattened in order: every item with the groups that contain it.
struct FlatItem {
    const Item* item = nullptr;
    std::vector<const Item*> ancestors; // outermost group first
};

std::vector<FlatItem> flatten(const Questionnaire& questionnaire);

// Decides enablement for a questionnaire given the current answers.
class EnableRules {
public:
    explicit EnableRules(const Questionnaire& questionnaire);

    // True when the item with this linkId is enabled (its ancestors included).
    bool is_enabled(const std::string& link_id, const Answers& answers) const;

    // True when one condition holds for these answers (answers of disabled questions ignored).
    bool condition_holds(const EnableCondition& condition, const Answers& answers) const;

private:
    std::vector<FlatItem> flat_;
    std::map<std::string, std::size_t> index_; // linkId -> position in flat_
};

} // namespace kiosk::model
