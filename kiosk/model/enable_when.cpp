#include "model/enable_when.hpp"

#include <algorithm>
#include <type_traits>

namespace kiosk::model {

namespace {

void flatten_into(const std::vector<Item>& items, std::vector<const Item*>& ancestors,
                  std::vector<FlatItem>& out) {
    for (const Item& item : items) {
        out.push_back(FlatItem{&item, ancestors});
        if (!item.items.empty()) {
            ancestors.push_back(&item);
            flatten_into(item.items, ancestors, out);
            ancestors.pop_back();
        }
    }
}

bool is_ordering(EnableOperator op) {
    return op == EnableOperator::greater || op == EnableOperator::less ||
           op == EnableOperator::greater_or_equal || op == EnableOperator::less_or_equal;
}

// One given answer against the condition's value. Values of different kinds never match;
// only integers have an order (the loader refuses > < >= <= on anything else).
bool compare(const AnswerValue& given, EnableOperator op, const AnswerValue& wanted) {
    if (given.index() != wanted.index()) {
        return false;
    }
    if (const auto* number = std::get_if<std::int64_t>(&given)) {
        const std::int64_t limit = std::get<std::int64_t>(wanted);
        switch (op) {
        case EnableOperator::equal:
            return *number == limit;
        case EnableOperator::not_equal:
            return *number != limit;
        case EnableOperator::greater:
            return *number > limit;
        case EnableOperator::less:
            return *number < limit;
        case EnableOperator::greater_or_equal:
            return *number >= limit;
        case EnableOperator::less_or_equal:
            return *number <= limit;
        case EnableOperator::exists:
            return false;
        }
        return false;
    }
    if (is_ordering(op) || op == EnableOperator::exists) {
        return false;
    }
    const bool same = std::visit(
        [&wanted](const auto& value) {
            using Value = std::decay_t<decltype(value)>;
            const auto& other = std::get<Value>(wanted);
            if constexpr (std::is_same_v<Value, Coding>) {
                return value.same_concept(other); // display is for people, not for matching
            } else {
                return value == other;
            }
        },
        given);
    return op == EnableOperator::equal ? same : !same;
}

// Works out enablement for one set of answers. Each item is decided at most once per
// evaluation; an item still being decided when asked again (a cycle, which the loader refuses
// but a hand-built questionnaire might contain) counts as disabled rather than recursing forever.
class Evaluation {
public:
    Evaluation(const std::vector<FlatItem>& flat, const std::map<std::string, std::size_t>& index,
               const Answers& answers)
        : flat_(flat), index_(index), answers_(answers), state_(flat.size(), State::unknown) {}

    bool enabled(const std::string& link_id) {
        const auto found = index_.find(link_id);
        return found != index_.end() && enabled_at(found->second);
    }

    bool holds(const EnableCondition& condition) {
        const std::vector<AnswerValue>& given = answers_of(condition.question);
        if (condition.op == EnableOperator::exists) {
            const bool* wanted = std::get_if<bool>(&condition.answer);
            return wanted != nullptr && (!given.empty()) == *wanted;
        }
        // FHIR: with no answer, every operator but `exists` is false; with several answers
        // (a multi-select), one matching answer is enough, for `!=` as for the others.
        return std::any_of(given.begin(), given.end(), [&](const AnswerValue& value) {
            return compare(value, condition.op, condition.answer);
        });
    }

private:
    enum class State { unknown, deciding, enabled, disabled };

    bool enabled_at(std::size_t position) {
        State& state = state_[position];
        if (state == State::enabled || state == State::disabled || state == State::deciding) {
            return state == State::enabled;
        }
        state = State::deciding;
        const FlatItem& flat = flat_[position];
        bool result =
            std::all_of(flat.ancestors.begin(), flat.ancestors.end(),
                        [this](const Item* group) { return own_conditions_hold(*group); });
        result = result && own_conditions_hold(*flat.item);
        state_[position] = result ? State::enabled : State::disabled;
        return result;
    }

    // An ancestor's own ancestors are a prefix of the item's, so checking each one's own
    // conditions covers the whole chain of groups.
    bool own_conditions_hold(const Item& item) {
        const auto& conditions = item.enable_when;
        if (conditions.empty()) {
            return true;
        }
        const auto holds_here = [this](const EnableCondition& condition) {
            return holds(condition);
        };
        return item.enable_behavior == EnableBehavior::any
                   ? std::any_of(conditions.begin(), conditions.end(), holds_here)
                   : std::all_of(conditions.begin(), conditions.end(), holds_here);
    }

    // A disabled question is "not valued" (FHIR), whatever the session still remembers of it:
    // the patient may have answered it before changing an earlier answer.
    const std::vector<AnswerValue>& answers_of(const std::string& link_id) {
        const auto given = answers_.find(link_id);
        if (given == answers_.end() || !enabled(link_id)) {
            return no_answers_;
        }
        return given->second;
    }

    const std::vector<FlatItem>& flat_;
    const std::map<std::string, std::size_t>& index_;
    const Answers& answers_;
    std::vector<State> state_;
    const std::vector<AnswerValue> no_answers_;
};

} // namespace

std::vector<FlatItem> flatten(const Questionnaire& questionnaire) {
    std::vector<FlatItem> flat;
    std::vector<const Item*> ancestors;
    flatten_into(questionnaire.items, ancestors, flat);
    return flat;
}

EnableRules::EnableRules(const Questionnaire& questionnaire) : flat_(flatten(questionnaire)) {
    for (std::size_t i = 0; i < flat_.size(); ++i) {
        index_.emplace(flat_[i].item->link_id, i); // the loader makes linkIds unique
    }
}

bool EnableRules::is_enabled(const std::string& link_id, const Answers& answers) const {
    return Evaluation(flat_, index_, answers).enabled(link_id);
}

bool EnableRules::condition_holds(const EnableCondition& condition, const Answers& answers) const {
    return Evaluation(flat_, index_, answers).holds(condition);
}

} // namespace kiosk::model
