#include "ui/screens.hpp"

#include "ui/faces.hpp"
#include "ui/patient_tools.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace kiosk::ui {

namespace {

using model::Action;
using model::ItemType;
namespace action = model::action;

Box whole_screen(const UiContext& ui) {
    return {{0, 0}, ui.screen};
}

float clampf(float value, float low, float high) {
    return std::max(low, std::min(value, high));
}

// A box of `width` x `height` centred horizontally in `area`, starting at `top`.
Box centred(const Box& area, float top, float width, float height) {
    float x = area.centre().x - width / 2;
    return {{x, top}, {x + width, top + height}};
}

bool answered_with(const std::vector<model::AnswerValue>& answers,
                   const model::AnswerValue& value) {
    for (const auto& answer : answers) {
        if (answer.index() != value.index()) {
            continue;
        }
        bool same = std::visit(
            [&](const auto& given) {
                using T = std::decay_t<decltype(given)>;
                const T& wanted = std::get<T>(value);
                if constexpr (std::is_same_v<T, model::Coding>) {
                    return given.same_concept(wanted);
                } else {
                    return given == wanted;
                }
            },
            answer);
        if (same) {
            return true;
        }
    }
    return false;
}

void fill_background(UiContext& ui, Colour colour) {
    ui.draw->AddRectFilled({0, 0}, ui.screen, colour.packed());
}

// ---------------------------------------------------------------- welcome

// A globe: how a patient who cannot read the words on the screen finds other languages.
void draw_globe(UiContext& ui, ImVec2 centre, float radius, Colour ink) {
    const float line = std::max(2.0f, ui.metrics.mm(0.5f));
    ui.draw->AddCircle(centre, radius, ink.packed(), 32, line);
    ui.draw->AddLine({centre.x - radius, centre.y}, {centre.x + radius, centre.y}, ink.packed(),
                     line);
    ui.draw->AddLine({centre.x, centre.y - radius}, {centre.x, centre.y + radius}, ink.packed(),
                     line);
    ui.draw->AddBezierQuadratic({centre.x, centre.y - radius}, {centre.x - radius, centre.y},
                                {centre.x, centre.y + radius}, ink.packed(), line, 16);
    ui.draw->AddBezierQuadratic({centre.x, centre.y - radius}, {centre.x + radius, centre.y},
                                {centre.x, centre.y + radius}, ink.packed(), line, 16);
}

// A language's own name, drawn with that language's fonts whatever the screen's language.
bool language_button(UiContext& ui, const LanguageOption& language, Box box, bool chosen) {
    const std::string screen_language = std::exchange(ui.language, language.tag);
    const bool clicked = big_button(ui, "language_" + language.tag, language.name, box,
                                    ButtonStyle::option, {.selected = chosen});
    ui.language = screen_language;
    return clicked;
}

void welcome_screen(UiContext& ui, const ScreenInput& input, std::vector<Action>& actions) {
    const Metrics& m = ui.metrics;
    const auto& session = *input.session;
    Box area = whole_screen(ui).inset(m.margin);
    float width = std::min(area.width(), m.mm(190));
    float left = area.centre().x - width / 2;
    // Where this is, beside the tools; the welcome below them.
    std::string where = input.service;
    if (!input.site.empty()) {
        where += where.empty() ? input.site : " - " + input.site;
    }
    const float tools = patient_tools_height(m);
    draw_text(ui, TextStyle::body, where, {area.min.x, area.min.y + m.mm(2)},
              area.width() - patient_tools_width(ui, input, area), ui.theme.muted_text);
    float y = area.min.y + tools + m.mm(4);
    y += draw_text(ui, TextStyle::title, ui.strings.get("welcome.title"), {left, y}, width,
                   ui.theme.text, Align::centre);
    y += m.mm(3);
    const auto& title = session.questionnaire().title.in(session.language());
    if (!title.empty()) {
        y += draw_text(ui, TextStyle::question, title, {left, y}, width, ui.theme.text,
                       Align::centre);
    }
    y += m.mm(5);
    y += draw_text(ui, TextStyle::body, ui.strings.get("welcome.body"), {left, y}, width,
                   ui.theme.text, Align::centre);
    y += m.mm(3);
    y += draw_text(ui, TextStyle::body_bold, ui.strings.get("welcome.anonymous"), {left, y}, width,
                   ui.theme.text, Align::centre);

    // The languages, at the foot of the screen: each as a button when there are few, else one
    // button (with a globe) that opens them all.
    const auto& languages = input.languages;
    float foot = area.max.y;
    if (languages.size() > 1) {
        const float row = std::max(m.target, ui.line_height(TextStyle::body_bold) + m.mm(6));
        const float top = area.max.y - row;
        if (languages.size() <= kLanguagesOnWelcome) {
            const auto count = static_cast<float>(languages.size());
            const float each = std::min(m.mm(60), (area.width() - (count - 1) * m.gap) / count);
            float x = area.centre().x - (count * each + (count - 1) * m.gap) / 2;
            for (const auto& language : languages) {
                if (language_button(ui, language, {{x, top}, {x + each, top + row}},
                                    language.tag == session.language())) {
                    actions.push_back(action::ChooseLanguage{language.tag});
                }
                x += each + m.gap;
            }
        } else {
            const Box box = centred(area, top, std::min(area.width(), m.mm(110)), row);
            if (big_button(ui, "languages", ui.strings.get("welcome.languages"), box,
                           ButtonStyle::secondary)) {
                actions.push_back(action::ShowLanguages{});
            }
            const Box placed = ui.placed(box);
            const float radius = row * 0.3f;
            const float inside = m.mm(3) + radius;
            draw_globe(
                ui,
                {ui.mirrored ? placed.max.x - inside : placed.min.x + inside, placed.centre().y},
                radius, ui.theme.secondary_text);
        }
        foot = top - m.mm(4);
    }
    // Start fills what room the words leave, down to a target's size: scripts with tall lines
    // (Nastaliq Urdu, large text) take more of the screen.
    const float room = foot - (y + m.mm(3));
    const float button_height = std::max(m.target, std::min(m.mm(24), room));
    const TextStyle label = button_height >= m.mm(20) ? TextStyle::title : TextStyle::question;
    const float top = foot - button_height;
    if (top < y) {
        ui.record.layout_problems.push_back("the welcome words run into the Start button");
    }
    if (big_button(ui, "start", ui.strings.get("welcome.start"),
                   centred(area, top, std::min(area.width(), m.mm(110)), button_height),
                   ButtonStyle::primary, {.font = label})) {
        actions.push_back(action::Start{});
    }
}

// Every language the device offers, each in its own name and script; the one in use is ticked.
void choose_language_screen(UiContext& ui, const ScreenInput& input, std::vector<Action>& actions) {
    const Metrics& m = ui.metrics;
    const auto& session = *input.session;
    Box area = whole_screen(ui).inset(m.margin);
    float y = area.min.y + patient_tools_height(m) + m.mm(2);
    float width = std::min(area.width(), m.mm(190));
    y += draw_text(ui, TextStyle::title, ui.strings.get("languages.title"),
                   {area.centre().x - width / 2, y}, width, ui.theme.text, Align::centre);
    y += m.mm(5);

    const float bar_height = std::max(m.target, m.mm(17));
    const float bottom = area.max.y - bar_height;
    const Box grid{{area.min.x, y}, {area.max.x, bottom - m.mm(4)}};
    const std::size_t count = input.languages.size();
    const float row = std::max(m.target, ui.line_height(TextStyle::body_bold) + m.mm(5));
    const float gap = m.gap * 1.5f;
    std::size_t columns = 2;
    while (columns < 5 && static_cast<float>((count + columns - 1) / columns) * (row + gap) - gap >
                              grid.height()) {
        ++columns;
    }
    const std::size_t rows = (count + columns - 1) / columns;
    const float column_width =
        std::min(m.mm(80), (grid.width() - static_cast<float>(columns - 1) * m.gap) /
                               static_cast<float>(columns));
    const float total =
        static_cast<float>(columns) * column_width + static_cast<float>(columns - 1) * m.gap;
    for (std::size_t i = 0; i < count; ++i) {
        // Across, then down: the order of the settings reads in lines like text.
        const float x =
            grid.centre().x - total / 2 + static_cast<float>(i % columns) * (column_width + m.gap);
        const float top = grid.min.y + static_cast<float>(i / columns) * (row + gap);
        const auto& language = input.languages[i];
        if (language_button(ui, language, {{x, top}, {x + column_width, top + row}},
                            language.tag == session.language())) {
            actions.push_back(action::ChooseLanguage{language.tag});
        }
    }
    if (rows > 0 && grid.min.y + static_cast<float>(rows) * (row + gap) - gap > grid.max.y + 0.5f) {
        ui.record.layout_problems.push_back("the languages do not fit on one screen");
    }
    const float button_width = std::min(m.mm(55), (area.width() - 2 * m.gap) / 3);
    if (big_button(ui, "close_languages", ui.strings.get("question.back"),
                   {{area.min.x, bottom}, {area.min.x + button_width, area.max.y}},
                   ButtonStyle::secondary)) {
        actions.push_back(action::CloseLanguages{});
    }
}

// ---------------------------------------------------------------- answers

// Options of a choice question, in as few columns as fit.
void choice_options(UiContext& ui, const model::Session& session, const model::Item& item, Box area,
                    std::vector<Action>& actions) {
    const Metrics& m = ui.metrics;
    const auto answers = session.current_answers();
    const std::size_t count = item.options.size();
    const float padding = m.mm(3);
    const float tick_room = m.mm(10);
    for (std::size_t columns = 1; columns <= 3; ++columns) {
        std::size_t rows = (count + columns - 1) / columns;
        float column_width = std::min((area.width() - (columns - 1) * m.gap) / columns,
                                      columns == 1 ? m.mm(180) : m.mm(120));
        float row_height = m.target;
        for (const auto& option : item.options) {
            float label = text_height(ui, TextStyle::body_bold, option.label.in(session.language()),
                                      column_width - 2 * padding - 2 * tick_room);
            row_height = std::max(row_height, label + 2 * padding);
        }
        float gap = m.gap * 1.5f;
        float needed = rows * row_height + (rows - 1) * gap;
        if (needed > area.height() && columns < 3) {
            continue;
        }
        float total_width = columns * column_width + (columns - 1) * m.gap;
        float left = area.centre().x - total_width / 2;
        for (std::size_t i = 0; i < count; ++i) {
            std::size_t column = i / rows; // fill down each column, so the order reads naturally
            std::size_t row = i % rows;
            float x = left + column * (column_width + m.gap);
            float y = area.min.y + row * (row_height + gap);
            const auto& option = item.options[i];
            bool chosen = answered_with(answers, option.coding);
            if (big_button(ui, "option" + std::to_string(i), option.label.in(session.language()),
                           {{x, y}, {x + column_width, y + row_height}}, ButtonStyle::option,
                           {.selected = chosen, .checkbox = item.repeats})) {
                actions.push_back(action::ChooseOption{i});
            }
        }
        return;
    }
}

void face_options(UiContext& ui, const model::Session& session, const model::Item& item, Box area,
                  std::vector<Action>& actions) {
    const Metrics& m = ui.metrics;
    const auto answers = session.current_answers();
    const std::size_t count = item.options.size();
    float width = std::min((area.width() - (count - 1) * m.gap * 2) / count, m.mm(50));
    float height = std::min(area.height(), width * 1.45f);
    float total = count * width + (count - 1) * m.gap * 2;
    float left = area.centre().x - total / 2;
    float top = area.min.y + (area.height() - height) / 3;
    for (std::size_t i = 0; i < count; ++i) {
        float x = left + i * (width + m.gap * 2);
        const auto& option = item.options[i];
        if (face_button(ui, "face" + std::to_string(i), option.label.in(session.language()),
                        {{x, top}, {x + width, top + height}}, face_mood(i, count),
                        answered_with(answers, option.coding))) {
            actions.push_back(action::ChooseOption{i});
        }
    }
}

void integer_scale(UiContext& ui, const model::Session& session, const model::Item& item, Box area,
                   std::vector<Action>& actions) {
    const Metrics& m = ui.metrics;
    const auto answers = session.current_answers();
    std::int64_t low = item.min_value.value_or(0);
    std::int64_t high = item.max_value.value_or(10);
    auto count = static_cast<std::size_t>(high - low + 1);
    float width = std::min((area.width() - (count - 1) * m.gap) / count, m.mm(30));
    float height = std::max(m.target, m.mm(20));
    float total = count * width + (count - 1) * m.gap;
    float left = area.centre().x - total / 2;
    float top = area.min.y + m.mm(4);
    for (std::size_t i = 0; i < count; ++i) {
        std::int64_t value = low + static_cast<std::int64_t>(i);
        float x = left + i * (width + m.gap);
        bool chosen = answered_with(answers, model::AnswerValue{value});
        if (big_button(ui, "value" + std::to_string(value), std::to_string(value),
                       {{x, top}, {x + width, top + height}}, ButtonStyle::option,
                       {.selected = chosen, .font = TextStyle::question})) {
            actions.push_back(action::ChooseInteger{value});
        }
    }
    float label_top = top + height + m.gap;
    float label_width = std::min(total / 2 - m.gap, m.mm(70));
    if (item.lower_label) {
        draw_text(ui, TextStyle::body, item.lower_label->in(session.language()), {left, label_top},
                  label_width, ui.theme.text);
    }
    if (item.upper_label) {
        const auto& text = item.upper_label->in(session.language());
        float w = ui.text_width(TextStyle::body, text);
        w = std::min(w, label_width);
        draw_text(ui, TextStyle::body, text, {left + total - w, label_top}, w, ui.theme.text);
    }
}

void yes_no(UiContext& ui, const model::Session& session, Box area, std::vector<Action>& actions) {
    const Metrics& m = ui.metrics;
    const auto answers = session.current_answers();
    float width = std::min((area.width() - m.gap * 4) / 2, m.mm(70));
    float height = std::max(m.target, m.mm(24));
    float top = area.min.y + m.mm(4);
    float left = area.centre().x - width - m.gap * 2;
    const std::pair<bool, const char*> choices[] = {{true, "answer.yes"}, {false, "answer.no"}};
    for (int i = 0; i < 2; ++i) {
        float x = left + i * (width + m.gap * 4);
        bool value = choices[i].first;
        if (big_button(ui, value ? "yes" : "no", ui.strings.get(choices[i].second),
                       {{x, top}, {x + width, top + height}}, ButtonStyle::option,
                       {.selected = answered_with(answers, model::AnswerValue{value}),
                        .font = TextStyle::question})) {
            actions.push_back(action::ChooseBoolean{value});
        }
    }
}

// A typed answer. Until the patient taps the answer box it is a box with their text (or an
// invitation to type) and room for the question; then the keyboard takes the screen and the
// question shrinks beside the tools (ScreenState::typing).
void free_text(UiContext& ui, const model::Session& session, const model::Item& item, Box area,
               ScreenState& state, std::vector<Action>& actions) {
    const Metrics& m = ui.metrics;
    std::string text;
    if (auto answers = session.current_answers(); !answers.empty()) {
        text = std::get<std::string>(answers.front());
    }
    const TextStyle font = TextStyle::body;
    const float line = ui.line_height(font);
    const float keyboard_height = kKeyboardRows * m.target + (kKeyboardRows - 1) * m.gap;
    const float keyboard_width = std::min(area.width(), 10 * m.mm(22) + 9 * m.gap);
    Box keyboard = centred(area, area.max.y - keyboard_height, keyboard_width, keyboard_height);

    // The answer box shows the end of the text: the patient sees what they just typed.
    const float lines_room = state.typing ? (item.type == ItemType::text ? 2.0f : 1.0f) : 3.0f;
    const float bottom = state.typing ? keyboard.min.y - m.gap : area.max.y;
    const float box_height = std::max(std::min(bottom - area.min.y, lines_room * line + m.mm(4)),
                                      std::min(m.target, bottom - area.min.y));
    const Box answer_box = centred(area, area.min.y, keyboard_width, box_height);
    const std::string invitation = ui.strings.get("question.tap_to_type");
    if (!state.typing) {
        ImGui::SetCursorScreenPos(answer_box.min);
        if (ImGui::InvisibleButton("answer_box", {answer_box.width(), answer_box.height()})) {
            state.typing = true;
        }
        ui.record.targets.push_back({invitation, answer_box.min, answer_box.max});
    }
    ui.draw->AddRectFilled(answer_box.min, answer_box.max, ui.theme.panel.packed(), m.rounding / 2);
    ui.draw->AddRect(answer_box.min, answer_box.max, ui.theme.option_border.packed(),
                     m.rounding / 2, 0, m.border);
    const float inner_width = answer_box.width() - m.mm(4);
    const Box inner{{answer_box.min.x + m.mm(2), answer_box.min.y + m.mm(1)},
                    {answer_box.max.x - m.mm(2), answer_box.max.y}};
    if (!state.typing && text.empty()) {
        draw_lines(ui, font, wrap_lines(ui, font, invitation, inner_width), inner,
                   ui.theme.muted_text, Align::start);
        ui.record.texts.push_back(invitation);
    } else {
        const std::string shown = state.typing ? text + "|" : text; // the lines point into this
        auto lines = wrap_lines(ui, font, shown, inner_width);
        auto fit = static_cast<std::size_t>(
            std::max(1.0f, std::floor((answer_box.height() - m.mm(2)) / line)));
        std::size_t first = lines.size() > fit ? lines.size() - fit : 0;
        draw_lines(ui, font, {lines.begin() + static_cast<std::ptrdiff_t>(first), lines.end()},
                   inner, ui.theme.text, Align::start);
    }
    if (!text.empty()) {
        ui.record.texts.push_back(text);
    }
    check_on_screen(ui, answer_box, "answer box");
    if (state.typing) {
        if (answer_box.max.y > keyboard.min.y - m.gap * 0.5f) {
            ui.record.layout_problems.push_back("the answer box and the keyboard overlap");
        }
        auto typed = draw_keyboard(ui, keyboard, state.keyboard, text);
        actions.insert(actions.end(), typed.begin(), typed.end());
    }
}

// ---------------------------------------------------------------- question

void question_screen(UiContext& ui, const ScreenInput& input, ScreenState& state,
                     std::vector<Action>& actions) {
    const Metrics& m = ui.metrics;
    const auto& session = *input.session;
    const model::Item& item = *session.current_item();
    const std::string& language = session.language();
    Box area = whole_screen(ui).inset(m.margin);
    if (state.keyboard_for != item.link_id) {
        state.keyboard = {}; // a new question starts with a plain keyboard, closed
        state.typing = false;
        state.keyboard_for = item.link_id;
    }
    const bool free_text_item = item.type == ItemType::string || item.type == ItemType::text;
    // Typing: the keyboard needs the height, so the question moves up beside the tools.
    const bool typing = free_text_item && state.typing;

    // The patient's tools are in the top corner (drawn by draw_screen); progress (words and a
    // bar, so both readers and non-readers see how far they are) beside and below them.
    const float tools = patient_tools_height(m);
    const float beside = area.width() - patient_tools_width(ui, input, area);
    std::string progress =
        ui.strings.format("question.progress", {{"n", std::to_string(session.position())},
                                                {"total", std::to_string(session.total())}});
    float y = area.min.y;
    std::string group_title;
    if (!session.current_groups().empty()) {
        group_title = session.current_groups().back()->text.in(language);
    }
    float progress_height =
        draw_text(ui, TextStyle::small, progress, {area.min.x, y}, beside, ui.theme.muted_text);
    if (!group_title.empty()) {
        progress_height +=
            draw_text(ui, TextStyle::small, group_title, {area.min.x, y + progress_height}, beside,
                      ui.theme.muted_text);
    }
    if (typing) {
        progress_height += draw_text(ui, TextStyle::body_bold, item.text.in(language),
                                     {area.min.x, y + progress_height}, beside, ui.theme.text);
        if (session.needs_answer_hint()) {
            progress_height +=
                draw_text(ui, TextStyle::small, ui.strings.get("question.type_hint"),
                          {area.min.x, y + progress_height}, beside, ui.theme.hint_text);
        }
    }
    y = std::max(y + progress_height + m.mm(1), area.min.y + tools - m.mm(1.5f) - m.mm(2));
    float bar = typing ? 0.0f : m.mm(1.5f);
    float done = session.total() == 0
                     ? 0
                     : static_cast<float>(session.position()) / static_cast<float>(session.total());
    const Box track = ui.placed({{area.min.x, y}, {area.min.x + beside, y + bar}});
    const Box filled =
        ui.placed({{area.min.x, y}, {area.min.x + beside * clampf(done, 0, 1), y + bar}});
    if (!typing) {
        ui.draw->AddRectFilled(track.min, track.max, ui.theme.progress_track.packed(), bar / 2);
        ui.draw->AddRectFilled(filled.min, filled.max, ui.theme.primary.packed(), bar / 2);
    }
    y = std::max(y + bar, area.min.y + tools) + (typing ? m.mm(2) : m.mm(4));

    // Bottom bar: Back, Start again, Next or Submit.
    float bar_height = typing ? m.target : std::max(m.target, m.mm(17));
    float bottom = area.max.y - bar_height;
    float button_width = std::min(m.mm(55), (area.width() - 2 * m.gap) / 3);
    if (big_button(ui, "back", ui.strings.get("question.back"),
                   {{area.min.x, bottom}, {area.min.x + button_width, area.max.y}},
                   ButtonStyle::secondary)) {
        actions.push_back(action::Back{});
    }
    if (big_button(ui, "start_over", ui.strings.get("question.start_over"),
                   centred(area, bottom, button_width, bar_height), ButtonStyle::secondary,
                   {.font = TextStyle::body})) {
        actions.push_back(action::StartOver{});
    }
    bool last = session.is_last();
    if (big_button(ui, "next", ui.strings.get(last ? "question.submit" : "question.next"),
                   {{area.max.x - button_width, bottom}, {area.max.x, area.max.y}},
                   ButtonStyle::primary)) {
        actions.push_back(last ? Action{action::Submit{}} : Action{action::Next{}});
    }

    if (typing) {
        const bool mirrored = std::exchange(ui.mirrored, false); // Latin keys in their places
        free_text(ui, session, item, {{area.min.x, y}, {area.max.x, bottom - m.mm(2)}}, state,
                  actions);
        ui.mirrored = mirrored;
        return;
    }

    // The question, then a line of help, then the answers in what room is left.
    bool is_display = item.type == ItemType::display;
    float text_width = std::min(area.width(), m.mm(200));
    float text_left = area.centre().x - text_width / 2;
    y += draw_text(ui, is_display ? TextStyle::body : TextStyle::question, item.text.in(language),
                   {text_left, y}, text_width, ui.theme.text, Align::centre);
    std::string help;
    Colour help_colour = ui.theme.muted_text;
    if (session.needs_answer_hint()) {
        help = ui.strings.get(item.type == ItemType::string || item.type == ItemType::text
                                  ? "question.type_hint"
                                  : "question.required_hint");
        help_colour = ui.theme.hint_text;
    } else if (item.type == ItemType::choice && item.repeats) {
        help = ui.strings.get("question.choose_any");
    } else if (item.is_question() && !item.required &&
               (item.type == ItemType::string || item.type == ItemType::text)) {
        help = ui.strings.get("question.optional");
    }
    y += m.mm(1.5f);
    if (!help.empty()) {
        y += draw_text(ui, TextStyle::body, help, {text_left, y}, text_width, help_colour,
                       Align::centre);
    }
    y += m.mm(4);
    Box answers{{area.min.x, y}, {area.max.x, bottom - m.mm(4)}};
    switch (item.type) {
    case ItemType::choice:
        if (item.display_hint == model::DisplayHint::faces) {
            face_options(ui, session, item, answers, actions);
        } else {
            choice_options(ui, session, item, answers, actions);
        }
        break;
    case ItemType::boolean:
        yes_no(ui, session, answers, actions);
        break;
    case ItemType::integer:
        integer_scale(ui, session, item, answers, actions);
        break;
    case ItemType::string:
    case ItemType::text:
        free_text(ui, session, item, answers, state, actions);
        break;
    case ItemType::group:
    case ItemType::display:
        break;
    }
}

// ---------------------------------------------------------------- messages

// A calm full-screen message with up to two buttons.
struct MessageButton {
    std::string id;
    std::string label;
    ButtonStyle style;
    Action action;
};

void message_screen(UiContext& ui, const std::string& title, const std::string& body,
                    const std::string& big_number, const std::vector<MessageButton>& buttons,
                    std::vector<Action>& actions) {
    const Metrics& m = ui.metrics;
    Box area = whole_screen(ui).inset(m.margin);
    float width = std::min(area.width(), m.mm(180));
    float left = area.centre().x - width / 2;
    float content = ui.line_height(TextStyle::title) * 2 + m.mm(30);
    float y =
        area.min.y + std::max(patient_tools_height(m) + m.mm(2), (area.height() - content) / 4);
    y += draw_text(ui, TextStyle::title, title, {left, y}, width, ui.theme.text, Align::centre);
    y += m.mm(6);
    if (!body.empty()) {
        y += draw_text(ui, TextStyle::body, body, {left, y}, width, ui.theme.text, Align::centre);
    }
    if (!big_number.empty()) {
        y += m.mm(4);
        y += draw_text(ui, TextStyle::title, big_number, {left, y}, width, ui.theme.text,
                       Align::centre);
    }
    if (buttons.empty()) {
        return;
    }
    float height = std::max(m.target, m.mm(22));
    float top = std::max(y + m.mm(8), area.max.y - height - m.mm(8));
    float button_width = std::min(m.mm(85), (area.width() - m.gap * 4) / 2);
    float total = buttons.size() * button_width + (buttons.size() - 1) * m.gap * 4;
    float x = area.centre().x - total / 2;
    for (const auto& button : buttons) {
        if (big_button(ui, button.id, button.label, {{x, top}, {x + button_width, top + height}},
                       button.style, {.font = TextStyle::question})) {
            actions.push_back(button.action);
        }
        x += button_width + m.gap * 4;
    }
}

void draw_big_tick(UiContext& ui, ImVec2 centre, float radius) {
    ui.draw->AddCircleFilled(centre, radius, ui.theme.primary.packed(), 48);
    ImVec2 tick[3] = {{centre.x - radius * 0.45f, centre.y + radius * 0.02f},
                      {centre.x - radius * 0.12f, centre.y + radius * 0.35f},
                      {centre.x + radius * 0.48f, centre.y - radius * 0.32f}};
    ui.draw->AddPolyline(tick, 3, ui.theme.on_primary.packed(), 0, radius * 0.14f);
}

} // namespace

std::vector<Action> draw_screen(UiContext& ui, const ScreenInput& input, ScreenState& state) {
    std::vector<Action> actions;
    ui.record.clear();
    const Strings& s = ui.strings;
    if (input.session == nullptr) {
        ui.record.screen = "out-of-service";
        fill_background(ui, ui.theme.out_of_service_background);
        std::string reason =
            input.out_of_service_reason.empty()
                ? std::string()
                : s.format("out_of_service.reason", {{"reason", input.out_of_service_reason}});
        message_screen(ui, s.get("out_of_service.title"),
                       s.get("out_of_service.body") + (reason.empty() ? "" : "\n\n" + reason), "",
                       {}, actions);
        return actions;
    }
    const auto& session = *input.session;
    ui.record.screen = model::screen_name(session.screen());
    fill_background(ui, ui.theme.background);
    if (session.screen() != model::Screen::saving) {
        patient_tools(ui, input, whole_screen(ui).inset(ui.metrics.margin), actions);
    }
    switch (session.screen()) {
    case model::Screen::welcome:
        state = {}; // nothing of the last patient's keyboard either
        welcome_screen(ui, input, actions);
        break;
    case model::Screen::question:
        question_screen(ui, input, state, actions);
        break;
    case model::Screen::choose_language:
        choose_language_screen(ui, input, actions);
        break;
    case model::Screen::start_over:
        message_screen(ui, s.get("start_over.title"), s.get("start_over.body"), "",
                       {{"confirm_start_over", s.get("start_over.confirm"), ButtonStyle::secondary,
                         action::ConfirmStartOver{}},
                        {"cancel_start_over", s.get("start_over.cancel"), ButtonStyle::primary,
                         action::CancelStartOver{}}},
                       actions);
        break;
    case model::Screen::still_there:
        message_screen(
            ui, s.get("still_there.title"), s.get("still_there.body"),
            s.format("still_there.countdown",
                     {{"seconds", std::to_string(session.seconds_left())}}),
            {{"continue", s.get("still_there.continue"), ButtonStyle::primary, action::Continue{}}},
            actions);
        break;
    case model::Screen::saving:
        message_screen(ui, s.get("saving.title"), "", "", {}, actions);
        break;
    case model::Screen::could_not_save:
        message_screen(ui, s.get("could_not_save.title"), s.get("could_not_save.body"), "",
                       {{"try_again", s.get("could_not_save.try_again"), ButtonStyle::primary,
                         action::TryAgain{}}},
                       actions);
        break;
    case model::Screen::thank_you: {
        state = {};
        float radius = ui.metrics.mm(14);
        draw_big_tick(ui, {ui.screen.x / 2, ui.metrics.margin + ui.metrics.mm(10) + radius},
                      radius);
        Box area = whole_screen(ui).inset(ui.metrics.margin);
        float width = std::min(area.width(), ui.metrics.mm(180));
        float left = area.centre().x - width / 2;
        float y = ui.metrics.margin + ui.metrics.mm(20) + 2 * radius;
        y += draw_text(ui, TextStyle::title, s.get("thank_you.title"), {left, y}, width,
                       ui.theme.text, Align::centre);
        y += ui.metrics.mm(6);
        draw_text(ui, TextStyle::body, s.get("thank_you.body"), {left, y}, width, ui.theme.text,
                  Align::centre);
        break;
    }
    }
    return actions;
}

std::string words_to_read(const ScreenInput& input, const Strings& s) {
    if (input.session == nullptr) {
        return {};
    }
    const auto& session = *input.session;
    const std::string& language = session.language();
    std::vector<std::string> parts;
    auto add = [&](const std::string& words) {
        if (!words.empty()) {
            parts.push_back(words);
        }
    };
    switch (session.screen()) {
    case model::Screen::welcome:
        add(s.get("welcome.title"));
        add(session.questionnaire().title.in(language));
        add(s.get("welcome.body"));
        add(s.get("welcome.anonymous"));
        add(s.get("welcome.start"));
        break;
    case model::Screen::choose_language:
        add(s.get("languages.title"));
        for (const auto& option : input.languages) {
            add(option.name);
        }
        break;
    case model::Screen::question: {
        const model::Item& item = *session.current_item();
        add(item.text.in(language));
        switch (item.type) {
        case ItemType::choice:
            for (const auto& option : item.options) {
                add(option.label.in(language));
            }
            break;
        case ItemType::boolean:
            add(s.get("answer.yes"));
            add(s.get("answer.no"));
            break;
        case ItemType::integer: {
            // Read the ends of the scale with their words: "0, not at all likely; 10, ...".
            const auto low = std::to_string(item.min_value.value_or(0));
            const auto high = std::to_string(item.max_value.value_or(10));
            add(item.lower_label ? low + ", " + item.lower_label->in(language) : low);
            add(item.upper_label ? high + ", " + item.upper_label->in(language) : high);
            break;
        }
        case ItemType::string:
        case ItemType::text:
            add(item.required ? s.get("question.type_hint") : s.get("question.optional"));
            break;
        case ItemType::group:
        case ItemType::display:
            break;
        }
        break;
    }
    case model::Screen::start_over:
        add(s.get("start_over.title"));
        add(s.get("start_over.body"));
        add(s.get("start_over.confirm"));
        add(s.get("start_over.cancel"));
        break;
    case model::Screen::still_there:
        add(s.get("still_there.title"));
        add(s.get("still_there.body"));
        add(s.get("still_there.continue"));
        break;
    case model::Screen::saving:
        add(s.get("saving.title"));
        break;
    case model::Screen::could_not_save:
        add(s.get("could_not_save.title"));
        add(s.get("could_not_save.body"));
        break;
    case model::Screen::thank_you:
        add(s.get("thank_you.title"));
        add(s.get("thank_you.body"));
        break;
    }
    // A pause between the parts: each becomes its own sentence when read.
    std::string words;
    for (const auto& part : parts) {
        if (!words.empty()) {
            words += "\n\n";
        }
        words += part;
    }
    return words;
}

} // namespace kiosk::ui
