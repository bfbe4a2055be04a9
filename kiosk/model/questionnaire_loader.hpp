#pragma once
// Loads a FHIR R4 Questionnaire (JSON) and checks it against the subset the kiosk supports.
// Every problem found is reported with the file and the JSON pointer of the offending element;
// a file with any problem yields no questionnaire.

#include "model/problem.hpp"
#include "model/questionnaire.hpp"

#include <optional>
#include <string>

namespace kiosk::model {

struct QuestionnaireLoad {
    std::optional<Questionnaire> questionnaire; // set only when problems is empty
    Problems problems;
};

// Reads and validates `path`.
QuestionnaireLoad load_questionnaire_file(const std::string& path);

// Validates JSON text; `source_name` names it in problems (tests and fuzzing use this).
QuestionnaireLoad parse_questionnaire(const std::string& json_text, const std::string& source_name);

} // namespace kiosk::model
