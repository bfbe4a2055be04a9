#include "model/response_builder.hpp"

#include <ctime>
#include <variant>

namespace kiosk::model {

namespace {

nlohmann::json answer_json(const AnswerValue& value) {
    return std::visit(
        [](const auto& v) -> nlohmann::json {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) {
                return {{"valueBoolean", v}};
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return {{"valueInteger", v}};
            } else if constexpr (std::is_same_v<T, Coding>) {
                nlohmann::json coding = nlohmann::json::object();
                if (!v.system.empty()) {
                    coding["system"] = v.system;
                }
                coding["code"] = v.code;
                if (!v.display.empty()) {
                    coding["display"] = v.display;
                }
                return {{"valueCoding", coding}};
            } else {
                return {{"valueString", v}};
            }
        },
        value);
}

// Mirrors the questionnaire's tree; a group appears only when something inside it was answered.
nlohmann::json items_json(const std::vector<Item>& items, const Answers& answers,
                          const EnableRules& rules) {
    nlohmann::json out = nlohmann::json::array();
    for (const Item& item : items) {
        if (!rules.is_enabled(item.link_id, answers)) {
            continue;
        }
        if (item.type == ItemType::group) {
            nlohmann::json children = items_json(item.items, answers, rules);
            if (!children.empty()) {
                nlohmann::json group = {{"linkId", item.link_id}};
                if (!item.text.text.empty()) {
                    group["text"] = item.text.text;
                }
                group["item"] = std::move(children);
                out.push_back(std::move(group));
            }
            continue;
        }
        if (!item.is_question()) {
            continue;
        }
        auto found = answers.find(item.link_id);
        if (found == answers.end() || found->second.empty()) {
            continue;
        }
        nlohmann::json answer_list = nlohmann::json::array();
        for (const AnswerValue& value : found->second) {
            answer_list.push_back(answer_json(value));
        }
        out.push_back(
            {{"linkId", item.link_id}, {"text", item.text.text}, {"answer", answer_list}});
    }
    return out;
}

} // namespace

std::string format_utc(std::chrono::system_clock::time_point time) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

nlohmann::json build_questionnaire_response(const Questionnaire& questionnaire,
                                            const Answers& answers, const EnableRules& rules,
                                            const ResponseContext& context) {
    nlohmann::json response = {
        {"resourceType", "QuestionnaireResponse"},
        {"language", context.language},
        {"extension", nlohmann::json::array({
                          {{"url", kDeviceExtension}, {"valueString", context.device_id}},
                          {{"url", kSiteExtension}, {"valueString", context.site}},
                          {{"url", kServiceExtension}, {"valueString", context.service}},
                      })},
        {"identifier", {{"system", "urn:ietf:rfc:3986"}, {"value", context.identifier}}},
        {"questionnaire", questionnaire.canonical()},
        {"status", "completed"},
        {"authored", format_utc(context.authored)},
    };
    response["item"] = items_json(questionnaire.items, answers, rules);
    return response;
}

} // namespace kiosk::model
