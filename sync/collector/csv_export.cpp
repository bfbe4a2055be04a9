#include "collector/csv_export.hpp"

#include "collector/fhir_json.hpp"
#include "collector/store.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace kiosk::collector {

namespace {

struct AnswerRow {
    std::string link_id;
    std::string question;
    std::string answer;
    std::string code;
};

std::string string_or_empty(const nlohmann::json& object, const char* key) {
    auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

AnswerRow describe_answer(const nlohmann::json& answer, const QuestionItem* definition) {
    AnswerRow row;
    if (!answer.is_object()) {
        return row;
    }
    for (const auto& [key, value] : answer.items()) {
        if (key == "valueCoding" && value.is_object()) {
            row.code = string_or_empty(value, "code");
            row.answer = string_or_empty(value, "display");
            if (row.answer.empty() && definition != nullptr) {
                for (const auto& option : definition->options) {
                    if (option.code == row.code) {
                        row.answer = option.display;
                    }
                }
            }
            if (row.answer.empty()) {
                row.answer = row.code;
            }
        } else if (key == "valueBoolean" && value.is_boolean()) {
            row.answer = value.get<bool>() ? "true" : "false";
        } else if (key == "valueString" && value.is_string()) {
            row.answer = value.get<std::string>();
        } else if (key.rfind("value", 0) == 0) {
            row.answer = value.is_string() ? value.get<std::string>() : dump_json(value);
        }
    }
    return row;
}

// Depth-first over the item tree, groups opened in place.
void collect(const nlohmann::json& items, const RegisteredQuestionnaire* questionnaire,
             std::vector<AnswerRow>& rows, int depth) {
    if (!items.is_array() || depth > 16) {
        return;
    }
    for (const auto& item : items) {
        if (!item.is_object()) {
            continue;
        }
        const std::string link_id = string_or_empty(item, "linkId");
        const QuestionItem* definition =
            questionnaire != nullptr ? questionnaire->find(link_id) : nullptr;
        std::string question = string_or_empty(item, "text");
        if (question.empty() && definition != nullptr) {
            question = definition->text;
        }
        if (auto answers = item.find("answer"); answers != item.end() && answers->is_array()) {
            for (const auto& answer : *answers) {
                AnswerRow row = describe_answer(answer, definition);
                row.link_id = link_id;
                row.question = question;
                rows.push_back(std::move(row));
            }
        }
        if (auto children = item.find("item"); children != item.end()) {
            collect(*children, questionnaire, rows, depth + 1);
        }
    }
}

void write_row(std::ostream& out, std::initializer_list<std::string_view> cells) {
    bool first = true;
    for (const auto cell : cells) {
        if (!first) {
            out << ',';
        }
        first = false;
        out << csv_cell(cell);
    }
    out << "\r\n";
}

} // namespace

std::string csv_cell(std::string_view text) {
    std::string cell;
    if (!text.empty() && (text.front() == '=' || text.front() == '+' || text.front() == '-' ||
                          text.front() == '@' || text.front() == '\t' || text.front() == '\r')) {
        cell += '\'';
    }
    cell += text;
    if (cell.find_first_of(",\"\r\n") == std::string::npos) {
        return cell;
    }
    std::string quoted = "\"";
    for (const char c : cell) {
        if (c == '"') {
            quoted += '"';
        }
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

Result<ExportCount> export_csv(outbox::Database& db, const Registry& registry, std::ostream& out) {
    ExportCount count;
    bool first = true;
    for (const char* name : kCsvHeader) {
        out << (first ? "" : ",") << csv_cell(name);
        first = false;
    }
    out << "\r\n";
    auto error = for_each_response(db, [&](const StoredResponse& stored) {
        ++count.responses;
        const auto resource = nlohmann::json::parse(stored.content, nullptr, false);
        std::vector<AnswerRow> rows;
        if (resource.is_object()) {
            if (auto items = resource.find("item"); items != resource.end()) {
                collect(*items, registry.find(stored.questionnaire), rows, 0);
            }
        }
        for (const auto& row : rows) {
            write_row(out, {stored.received, stored.device_id, stored.questionnaire,
                            stored.identifier_value, stored.authored, row.link_id, row.question,
                            row.answer, row.code});
            ++count.rows;
        }
        return static_cast<bool>(out);
    });
    if (error) {
        return *error;
    }
    if (!out) {
        return Error{"writing the CSV failed (disk full?)"};
    }
    return count;
}

} // namespace kiosk::collector
