#include "ui/screens.hpp"

#include "ui/faces.hpp"

#include <algorithm>
#include <cmath>

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

void welcome_screen(UiContext& ui, const ScreenInput& input, std::vector<Action>& actions) {
    const Metrics& m = ui.metrics;
    const auto& session = *input.session;
    Box area = whole_screen(ui).inset(m.margin);
    float width = std::min(area.width(), m.mm(190));
    float left = area.centre().x - width / 2;
    float y = area.min.y;
    std::string where = input.service;
    if (!input.site.empty()) {
        where += where.empty() ? input.site : " - " + input.site;
    }
    y += draw_text(ui, ui.fonts.body, where, {left, y}, width, ui.theme.muted_text, Align::centre);
    y += m.mm(10);
    y += draw_text(ui, ui.fonts.title, ui.strings.get("welcome.title"), {left, y}, width,
                   ui.theme.text, Align::centre);
    y += m.mm(3);
    const auto& title = session.questionnaire().title.in(session.language());
    if (!title.empty()) {
        y +=
            draw_text(ui, ui.fonts.question, title, {left, y}, width, ui.theme.text, Align::centre);
    }
    y += m.mm(6);
    y += draw_text(ui, ui.fonts.body, ui.strings.get("welcome.body"), {left, y}, width,
                   ui.theme.text, Align::centre);
    y += m.mm(3);
    y += draw_text(ui, ui.fonts.body_bold, ui.strings.get("welcome.anonymous"), {left, y}, width,
                   ui.theme.text, Align::centre);
    float button_height = std::max(m.target, m.mm(24));
    float top = std::max(y + m.mm(8), area.max.y - button_height - m.mm(10));
    if (big_button(ui, "start", ui.strings.get("welcome.start"),
                   centred(area, top, std::min(area.width(), m.mm(110)), button_height),
                   ButtonStyle::primary, {.font = ui.fonts.title})) {
        actions.push_back(action::Start{});
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
            float label = text_height(ui.fonts.body_bold, option.label.in(session.language()),
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
                       {.selected = chosen, .font = ui.fonts.question})) {
            actions.push_back(action::ChooseInteger{value});
        }
    }
    float label_top = top + height + m.gap;
    float label_width = std::min(total / 2 - m.gap, m.mm(70));
    if (item.lower_label) {
        draw_text(ui, ui.fonts.body, item.lower_label->in(session.language()), {left, label_top},
                  label_width, ui.theme.text);
    }
    if (item.upper_label) {
        const auto& text = item.upper_label->in(session.language());
        float w = ui.fonts.body->CalcTextSizeA(ui.fonts.body->FontSize, FLT_MAX, 0, text.c_str()).x;
        w = std::min(w, label_width);
        draw_text(ui, ui.fonts.body, text, {left + total - w, label_top}, w, ui.theme.text);
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
                        .font = ui.fonts.question})) {
            actions.push_back(action::ChooseBoolean{value});
        }
    }
}

void free_text(UiContext& ui, const model::Session& session, const model::Item& item, Box area,
               ScreenState& state, std::vector<Action>& actions) {
    const Metrics& m = ui.metrics;
    if (state.keyboard_for != item.link_id) {
        state.keyboard = {}; // a new question starts with a plain keyboard
        state.keyboard_for = item.link_id;
    }
    std::string text;
    if (auto answers = session.current_answers(); !answers.empty()) {
        text = std::get<std::string>(answers.front());
    }
    float keyboard_height = kKeyboardRows * m.target + (kKeyboardRows - 1) * m.gap;
    float keyboard_width = std::min(area.width(), 10 * m.mm(22) + 9 * m.gap);
    Box keyboard = centred(area, area.max.y - keyboard_height, keyboard_width, keyboard_height);

    // The answer box shows the end of the text: the patient sees what they just typed.
    ImFont* font = ui.fonts.body;
    float lines_room = item.type == ItemType::text ? 2.0f : 1.0f;
    float box_height =
        std::min(keyboard.min.y - m.gap - area.min.y, lines_room * font->FontSize + m.mm(4));
    Box answer_box =
        centred(area, area.min.y, keyboard_width, std::max(box_height, font->FontSize));
    ui.draw->AddRectFilled(answer_box.min, answer_box.max, ui.theme.panel.packed(), m.rounding / 2);
    ui.draw->AddRect(answer_box.min, answer_box.max, ui.theme.option_border.packed(),
                     m.rounding / 2, 0, m.border);
    float inner_width = answer_box.width() - m.mm(4);
    const std::string shown = text + "|"; // the lines below point into this
    auto lines = wrap_lines(font, shown, inner_width);
    auto fit = static_cast<std::size_t>(
        std::max(1.0f, std::floor((answer_box.height() - m.mm(2)) / font->FontSize)));
    std::size_t first = lines.size() > fit ? lines.size() - fit : 0;
    float y = answer_box.min.y + m.mm(1);
    for (std::size_t i = first; i < lines.size(); ++i) {
        ui.draw->AddText(font, font->FontSize, {answer_box.min.x + m.mm(2), y},
                         ui.theme.text.packed(), lines[i].data(),
                         lines[i].data() + lines[i].size());
        y += font->FontSize;
    }
    if (!text.empty()) {
        ui.record.texts.push_back(text);
    }
    check_on_screen(ui, answer_box, "answer box");
    auto typed = draw_keyboard(ui, keyboard, state.keyboard, text);
    actions.insert(actions.end(), typed.begin(), typed.end());
}

// ---------------------------------------------------------------- question

void question_screen(UiContext& ui, const ScreenInput& input, ScreenState& state,
                     std::vector<Action>& actions) {
    const Metrics& m = ui.metrics;
    const auto& session = *input.session;
    const model::Item& item = *session.current_item();
    const std::string& language = session.language();
    Box area = whole_screen(ui).inset(m.margin);

    // Progress: words and a bar, so both readers and non-readers see how far they are.
    std::string progress =
        ui.strings.format("question.progress", {{"n", std::to_string(session.position())},
                                                {"total", std::to_string(session.total())}});
    float y = area.min.y;
    std::string group_title;
    if (!session.current_groups().empty()) {
        group_title = session.current_groups().back()->text.in(language);
    }
    draw_text(ui, ui.fonts.small, progress, {area.min.x, y}, area.width() / 2, ui.theme.muted_text);
    if (!group_title.empty()) {
        float w = std::min(
            area.width() / 2,
            ui.fonts.small->CalcTextSizeA(ui.fonts.small->FontSize, FLT_MAX, 0, group_title.c_str())
                .x);
        draw_text(ui, ui.fonts.small, group_title, {area.max.x - w, y}, w, ui.theme.muted_text);
    }
    y += ui.fonts.small->FontSize + m.mm(1);
    float bar = m.mm(1.5f);
    float done = session.total() == 0
                     ? 0
                     : static_cast<float>(session.position()) / static_cast<float>(session.total());
    ui.draw->AddRectFilled({area.min.x, y}, {area.max.x, y + bar}, ui.theme.progress_track.packed(),
                           bar / 2);
    ui.draw->AddRectFilled({area.min.x, y},
                           {area.min.x + area.width() * clampf(done, 0, 1), y + bar},
                           ui.theme.primary.packed(), bar / 2);
    y += bar + m.mm(4);

    // Bottom bar: Back, Start again, Next or Submit.
    float bar_height = std::max(m.target, m.mm(17));
    float bottom = area.max.y - bar_height;
    float button_width = std::min(m.mm(55), (area.width() - 2 * m.gap) / 3);
    if (big_button(ui, "back", ui.strings.get("question.back"),
                   {{area.min.x, bottom}, {area.min.x + button_width, area.max.y}},
                   ButtonStyle::secondary)) {
        actions.push_back(action::Back{});
    }
    if (big_button(ui, "start_over", ui.strings.get("question.start_over"),
                   centred(area, bottom, button_width, bar_height), ButtonStyle::secondary,
                   {.font = ui.fonts.body})) {
        actions.push_back(action::StartOver{});
    }
    bool last = session.is_last();
    if (big_button(ui, "next", ui.strings.get(last ? "question.submit" : "question.next"),
                   {{area.max.x - button_width, bottom}, {area.max.x, area.max.y}},
                   ButtonStyle::primary)) {
        actions.push_back(last ? Action{action::Submit{}} : Action{action::Next{}});
    }

    // The question, then a line of help, then the answers in what room is left.
    bool is_display = item.type == ItemType::display;
    float text_width = std::min(area.width(), m.mm(200));
    float text_left = area.centre().x - text_width / 2;
    y += draw_text(ui, is_display ? ui.fonts.body : ui.fonts.question, item.text.in(language),
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
        y += draw_text(ui, ui.fonts.body, help, {text_left, y}, text_width, help_colour,
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
    float content = ui.fonts.title->FontSize * 2 + m.mm(30);
    float y = area.min.y + std::max(0.0f, (area.height() - content) / 4);
    y += draw_text(ui, ui.fonts.title, title, {left, y}, width, ui.theme.text, Align::centre);
    y += m.mm(6);
    if (!body.empty()) {
        y += draw_text(ui, ui.fonts.body, body, {left, y}, width, ui.theme.text, Align::centre);
    }
    if (!big_number.empty()) {
        y += m.mm(4);
        y += draw_text(ui, ui.fonts.title, big_number, {left, y}, width, ui.theme.text,
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
                       button.style, {.font = ui.fonts.question})) {
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
    switch (session.screen()) {
    case model::Screen::welcome:
        state = {}; // nothing of the last patient's keyboard either
        welcome_screen(ui, input, actions);
        break;
    case model::Screen::question:
        question_screen(ui, input, state, actions);
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
        y += draw_text(ui, ui.fonts.title, s.get("thank_you.title"), {left, y}, width,
                       ui.theme.text, Align::centre);
        y += ui.metrics.mm(6);
        draw_text(ui, ui.fonts.body, s.get("thank_you.body"), {left, y}, width, ui.theme.text,
                  Align::centre);
        break;
    }
    }
    return actions;
}

} // namespace kiosk::ui
