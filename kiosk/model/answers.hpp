#pragma once
// The answers given so far in one session, by question linkId.

#include "model/questionnaire.hpp"

#include <map>
#include <string>
#include <vector>

namespace kiosk::model {

// linkId -> answers (one for most questions, several for a multi-select choice).
// A question with no entry, or an empty vector, is unanswered.
using Answers = std::map<std::string, std::vector<AnswerValue>>;

} // namespace kiosk::model
