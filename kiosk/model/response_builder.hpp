#pragma once
// Builds the FHIR R4 QuestionnaireResponse for one completed session.
// It carries the answers, the questionnaire it answers, when, in which language, and which
// device and site it came from. Nothing in it identifies the patient, and nothing may be added
// that could: no free-text field is filled from anything but the patient's own typing.

#include "model/answers.hpp"
#include "model/enable_when.hpp"
#include "model/questionnaire.hpp"

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace kiosk::model {

inline constexpr const char* kDeviceExtension = "urn:ward-feedback-kiosk:fhir:device";
inline constexpr const char* kSiteExtension = "urn:ward-feedback-kiosk:fhir:site";
inline constexpr const char* kServiceExtension = "urn:ward-feedback-kiosk:fhir:service";

struct ResponseContext {
    std::string identifier; // "urn:uuid:…", made once per completed session
    std::chrono::system_clock::time_point authored;
    std::string language; // BCP-47 code of the language the patient used
    std::string device_id;
    std::string site;
    std::string service;
};

// `answers` should already be limited to enabled questions (Session::submitted_answers);
// answers to disabled or unknown questions are left out here too.
nlohmann::json build_questionnaire_response(const Questionnaire& questionnaire,
                                            const Answers& answers, const EnableRules& rules,
                                            const ResponseContext& context);

// FHIR dateTime in UTC to the second: "2026-11-26T09:30:00Z".
std::string format_utc(std::chrono::system_clock::time_point time);

} // namespace kiosk::model
