#include "ui/staff_screens.hpp"

#include <algorithm>
#include <cfloat>

namespace kiosk::ui {

namespace {

using model::StaffAction;
using model::StaffScreen;
namespace staff_action = model::staff_action;

struct GridButton {
    std::string id;
    std::string label;
    ButtonStyle style;
    StaffAction action;
};

void fill(UiContext& ui, Colour colour) {
    ui.draw->AddRectFilled({0, 0}, ui.screen, colour.packed());
}

// Buttons in rows of `columns`, filling `area` from its bottom up, so the last row sits on the
// screen's lower edge where a thumb reaches. Returns the top of the first row.
float button_rows(UiContext& ui, const Box& area, const std::vector<GridButton>& buttons,
                  std::size_t columns, std::vector<StaffAction>& actions) {
    const Metrics& m = ui.metrics;
    if (buttons.empty()) {
        return area.max.y;
    }
    std::size_t rows = (buttons.size() + columns - 1) / columns;
    float height = std::max(m.target, m.mm(16));
    float width = (area.width() - (columns - 1) * m.gap * 2) / columns;
    float top = area.max.y - rows * height - (rows - 1) * m.gap * 2;
    for (std::size_t i = 0; i < buttons.size(); ++i) {
        float x = area.min.x + (i % columns) * (width + m.gap * 2);
        float y = top + (i / columns) * (height + m.gap * 2);
        const auto& button = buttons[i];
        if (big_button(ui, button.id, button.label, {{x, y}, {x + width, y + height}},
                       button.style)) {
            actions.push_back(button.action);
        }
    }
    return top;
}

// Title at the top left, who is signed in at the top right. Returns the height used.
float header(UiContext& ui, const Box& area, const std::string& title,
             const model::StaffMode& staff) {
    const Metrics& m = ui.metrics;
    std::string who;
    if (auto role = staff.role()) {
        who = std::string("Signed in: ") + model::role_name(*role);
    }
    float who_width = ui.text_width(TextStyle::small, who);
    if (!who.empty()) {
        draw_text(ui, TextStyle::small, who, {area.max.x - who_width, area.min.y}, who_width,
                  ui.theme.muted_text);
    }
    float height = draw_text(ui, TextStyle::question, title, {area.min.x, area.min.y},
                             area.width() - who_width - m.gap, ui.theme.text);
    return height + m.mm(3);
}

// Label and value lines in `columns` columns; returns the height used.
float fact_columns(UiContext& ui, const Box& area, const std::vector<StaffFact>& facts,
                   std::size_t columns, TextStyle font) {
    const Metrics& m = ui.metrics;
    if (facts.empty()) {
        return 0;
    }
    std::size_t per_column = (facts.size() + columns - 1) / columns;
    float column_width = (area.width() - (columns - 1) * m.gap * 2) / columns;
    float label_width = column_width * 0.42f;
    float tallest = 0;
    for (std::size_t column = 0; column < columns; ++column) {
        float x = area.min.x + column * (column_width + m.gap * 2);
        float y = area.min.y;
        for (std::size_t i = column * per_column;
             i < std::min(facts.size(), (column + 1) * per_column); ++i) {
            const auto& fact = facts[i];
            float label = draw_text(ui, font, fact.label, {x, y}, label_width, ui.theme.muted_text);
            float value = draw_text(ui, font, fact.value.empty() ? "-" : fact.value,
                                    {x + label_width + m.gap, y},
                                    column_width - label_width - m.gap, ui.theme.text);
            y += std::max(label, value) + m.mm(1);
        }
        tallest = std::max(tallest, y - area.min.y);
    }
    return tallest;
}

void health_banner(UiContext& ui, Box& area, const StaffView& view) {
    const Metrics& m = ui.metrics;
    Colour colour = ui.theme.health_green;
    Colour ink = ui.theme.on_primary;
    const char* word = "GREEN";
    switch (view.assessment.health) {
    case model::Health::green:
        break;
    case model::Health::amber:
        colour = ui.theme.health_amber;
        ink = ui.theme.text;
        word = "AMBER";
        break;
    case model::Health::red:
        colour = ui.theme.health_red;
        word = "RED";
        break;
    }
    const std::string& summary = view.assessment.summary;
    float text_width = area.width() - m.mm(40);
    float height =
        std::max(m.mm(14), text_height(ui, TextStyle::question, summary, text_width) + m.mm(4));
    ui.draw->AddRectFilled(area.min, {area.max.x, area.min.y + height}, colour.packed(),
                           m.rounding);
    // The colour's name is written too: the verdict must not depend on telling colours apart.
    draw_text(
        ui, TextStyle::body_bold, word,
        {area.min.x + m.mm(4), area.min.y + (height - ui.line_height(TextStyle::body_bold)) / 2},
        m.mm(30), ink);
    draw_text(
        ui, TextStyle::question, summary,
        {area.min.x + m.mm(34), area.min.y + (height - ui.line_height(TextStyle::question)) / 2},
        text_width, ink);
    area.min.y += height + m.mm(2);
    std::string reasons;
    for (const auto& reason : view.assessment.reasons) {
        reasons += (reasons.empty() ? "" : "\n") + reason;
    }
    if (view.assessment.health != model::Health::green && !view.help.empty()) {
        reasons += "\nWho to call: " + view.help;
    }
    area.min.y += draw_text(ui, TextStyle::body, reasons, area.min, area.width(), ui.theme.text);
    area.min.y += m.mm(3);
}

void notice_line(UiContext& ui, float bottom, const Box& area, const std::string& notice) {
    if (notice.empty()) {
        return;
    }
    float height = text_height(ui, TextStyle::body_bold, notice, area.width());
    draw_text(ui, TextStyle::body_bold, notice, {area.min.x, bottom - height - ui.metrics.mm(2)},
              area.width(), ui.theme.primary);
}

// ---------------------------------------------------------------- PIN

void pin_pad(UiContext& ui, const StaffView& view, std::vector<StaffAction>& actions) {
    const Metrics& m = ui.metrics;
    const auto& staff = *view.staff;
    Box area{{m.margin, m.margin}, {ui.screen.x - m.margin, ui.screen.y - m.margin}};
    float key_width = std::max(m.target, m.mm(24));
    float key_height = std::max(m.target, m.mm(17));
    float pad_width = 3 * key_width + 2 * m.gap * 2;
    float pad_height = 4 * key_height + 3 * m.gap * 2;
    float pad_left = area.max.x - pad_width;
    float pad_top = area.centre().y - pad_height / 2;

    Box words{area.min, {pad_left - m.mm(8), area.max.y}};
    float y = words.min.y + m.mm(6);
    y += draw_text(ui, TextStyle::title, "Staff PIN", {words.min.x, y}, words.width(),
                   ui.theme.text);
    y += m.mm(3);
    y += draw_text(ui, TextStyle::body, "For volunteers and IT staff. Patients: please tap Cancel.",
                   {words.min.x, y}, words.width(), ui.theme.muted_text);
    y += m.mm(6);
    // One circle per digit typed, never the digits.
    float dot = m.mm(3);
    std::size_t shown = std::max<std::size_t>(4, staff.digits_entered());
    for (std::size_t i = 0; i < shown; ++i) {
        ImVec2 centre{words.min.x + dot + i * dot * 3.2f, y + dot};
        if (i < staff.digits_entered()) {
            ui.draw->AddCircleFilled(centre, dot, ui.theme.text.packed(), 24);
        } else {
            ui.draw->AddCircle(centre, dot, ui.theme.option_border.packed(), 24, m.border);
        }
    }
    ui.record.texts.push_back(std::to_string(staff.digits_entered()) + " digits entered");
    y += dot * 2 + m.mm(6);
    if (staff.wrong_pin_shown()) {
        int left = model::PinLockout::kWrongBeforeLockout - staff.lockout().wrong_in_row();
        draw_text(ui, TextStyle::body_bold,
                  "That PIN is not right. " + std::to_string(left) +
                      (left == 1 ? " try" : " tries") +
                      " left before staff mode locks for a while.",
                  {words.min.x, y}, words.width(), ui.theme.hint_text);
    }
    float cancel_height = std::max(m.target, m.mm(17));
    if (big_button(ui, "cancel", "Cancel",
                   {{words.min.x, area.max.y - cancel_height},
                    {words.min.x + std::min(words.width(), m.mm(60)), area.max.y}},
                   ButtonStyle::secondary)) {
        actions.push_back(staff_action::Close{});
    }

    const char* labels[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "Delete", "0", "OK"};
    for (int i = 0; i < 12; ++i) {
        float x = pad_left + (i % 3) * (key_width + m.gap * 2);
        float y_key = pad_top + (i / 3) * (key_height + m.gap * 2);
        Box key{{x, y_key}, {x + key_width, y_key + key_height}};
        std::string label = labels[i];
        bool is_digit = label.size() == 1;
        ButtonStyle style = label == "OK" ? ButtonStyle::primary : ButtonStyle::key;
        if (big_button(ui, "key" + label, label, key, style,
                       {.font = is_digit ? TextStyle::title : TextStyle::body_bold})) {
            if (is_digit) {
                actions.push_back(staff_action::Digit{label[0] - '0'});
            } else if (label == "OK") {
                actions.push_back(staff_action::SubmitPin{});
            } else {
                actions.push_back(staff_action::DeleteDigit{});
            }
        }
    }
}

void locked_out(UiContext& ui, const StaffView& view, std::vector<StaffAction>& actions) {
    const Metrics& m = ui.metrics;
    Box area{{m.margin, m.margin}, {ui.screen.x - m.margin, ui.screen.y - m.margin}};
    float width = std::min(area.width(), m.mm(180));
    float left = area.centre().x - width / 2;
    float y = area.min.y + m.mm(15);
    y += draw_text(ui, TextStyle::title, "Staff mode is locked", {left, y}, width, ui.theme.text,
                   Align::centre);
    y += m.mm(6);
    draw_text(ui, TextStyle::body,
              "Too many wrong PINs were entered. Try again after " + view.lockout_ends +
                  ". Each further lockout lasts twice as long.",
              {left, y}, width, ui.theme.text, Align::centre);
    float height = std::max(m.target, m.mm(20));
    float button_width = std::min(width, m.mm(80));
    if (big_button(ui, "close", "Close",
                   {{area.centre().x - button_width / 2, area.max.y - height},
                    {area.centre().x + button_width / 2, area.max.y}},
                   ButtonStyle::primary)) {
        actions.push_back(staff_action::Close{});
    }
}

// ---------------------------------------------------------------- status

void status(UiContext& ui, const StaffView& view, std::vector<StaffAction>& actions) {
    const Metrics& m = ui.metrics;
    const auto& staff = *view.staff;
    Box area{{m.margin, m.margin}, {ui.screen.x - m.margin, ui.screen.y - m.margin}};
    area.min.y += header(ui, area, "Kiosk status", staff);
    health_banner(ui, area, view);

    std::vector<GridButton> buttons;
    buttons.push_back(
        {"reset", "Reset to welcome", ButtonStyle::secondary, staff_action::ResetKiosk{}});
    if (view.paused) {
        buttons.push_back({"resume", "Resume", ButtonStyle::primary, staff_action::Resume{}});
    } else {
        buttons.push_back({"pause", "Pause", ButtonStyle::secondary, staff_action::Pause{}});
    }
    buttons.push_back({"send", "Send now", ButtonStyle::secondary, staff_action::SendNow{}});
    buttons.push_back({"close", "Close", ButtonStyle::primary, staff_action::Close{}});
    if (view.questionnaires.size() > 1) {
        buttons.push_back({"questionnaires", "Change questionnaire", ButtonStyle::secondary,
                           staff_action::ShowQuestionnaires{}});
    }
    if (view.clinics.size() > 1) {
        buttons.push_back(
            {"clinics", "Change clinic", ButtonStyle::secondary, staff_action::ShowClinics{}});
    }
    if (staff.role() == model::StaffRole::it) {
        buttons.push_back({"it", "IT details", ButtonStyle::secondary, staff_action::ShowIt{}});
    }
    float buttons_top = button_rows(ui, area, buttons, 4, actions);
    notice_line(ui, buttons_top, area, view.notice);
    fact_columns(ui, area, view.facts, 2, TextStyle::body);
}

void chooser(UiContext& ui, const StaffView& view, const std::string& title,
             const std::vector<std::string>& names, const std::vector<std::string>& notes,
             std::size_t active, bool questionnaires, std::vector<StaffAction>& actions) {
    const Metrics& m = ui.metrics;
    Box area{{m.margin, m.margin}, {ui.screen.x - m.margin, ui.screen.y - m.margin}};
    area.min.y += header(ui, area, title, *view.staff);
    area.min.y +=
        draw_text(ui, TextStyle::body,
                  questionnaires ? "Patients get the questionnaire you choose from now on. "
                                   "Anyone half-way through starts again."
                                 : "Each response records the clinic you choose.",
                  area.min, area.width(), ui.theme.muted_text) +
        m.mm(3);
    float back_height = std::max(m.target, m.mm(16));
    if (big_button(ui, "back", "Back",
                   {{area.min.x, area.max.y - back_height}, {area.min.x + m.mm(50), area.max.y}},
                   ButtonStyle::secondary)) {
        actions.push_back(staff_action::Back{});
    }
    Box list{area.min, {area.max.x, area.max.y - back_height - m.gap * 2}};
    std::size_t columns = names.size() > 4 ? 2 : 1;
    std::size_t rows = (names.size() + columns - 1) / columns;
    float row_height = std::max(m.target, m.mm(16));
    float note_height = notes.empty() ? 0 : ui.line_height(TextStyle::small) + m.mm(1);
    float gap = rows > 1 ? std::min(m.gap * 2 + note_height,
                                    (list.height() - rows * row_height) / (rows - 1))
                         : 0;
    float width = std::min(m.mm(150), (list.width() - (columns - 1) * m.gap * 2) / columns);
    float left = list.centre().x - (columns * width + (columns - 1) * m.gap * 2) / 2;
    for (std::size_t i = 0; i < names.size(); ++i) {
        float x = left + (i / rows) * (width + m.gap * 2);
        float y = list.min.y + (i % rows) * (row_height + gap);
        if (big_button(ui, "choice" + std::to_string(i), names[i],
                       {{x, y}, {x + width, y + row_height}}, ButtonStyle::option,
                       {.selected = i == active})) {
            if (questionnaires) {
                actions.push_back(staff_action::ChooseQuestionnaire{i});
            } else {
                actions.push_back(staff_action::ChooseClinic{i});
            }
        }
        if (i < notes.size() && !notes[i].empty()) {
            // One line under its button; a longer description is cut rather than wrapped.
            auto line = wrap_lines(ui, TextStyle::small, notes[i], width).front();
            draw_text(ui, TextStyle::small, std::string(line), {x, y + row_height + m.mm(0.5f)},
                      width, ui.theme.muted_text);
        }
    }
}

// ---------------------------------------------------------------- IT

void it_screen(UiContext& ui, const StaffView& view, std::vector<StaffAction>& actions) {
    const Metrics& m = ui.metrics;
    const auto& staff = *view.staff;
    Box area{{m.margin, m.margin}, {ui.screen.x - m.margin, ui.screen.y - m.margin}};
    area.min.y += header(ui, area, "IT details", staff);

    std::vector<GridButton> buttons;
    buttons.push_back({"check_connection", "Check connection", ButtonStyle::secondary,
                       staff_action::CheckConnection{}});
    if (view.rejected_count > 0) {
        buttons.push_back({"retry_rejected", "Send rejected again", ButtonStyle::secondary,
                           staff_action::RetryRejected{}});
    }
    buttons.push_back(
        {"touch_test", "Touch test", ButtonStyle::secondary, staff_action::ShowTouchTest{}});
    buttons.push_back({"restart_app", "Restart app", ButtonStyle::secondary,
                       staff_action::AskCommand{model::DeviceCommand::restart_app}});
    if (staff.limits().can_reboot) {
        buttons.push_back({"reboot", "Restart device", ButtonStyle::secondary,
                           staff_action::AskCommand{model::DeviceCommand::reboot}});
    }
    if (staff.limits().can_power_off) {
        buttons.push_back({"power_off", "Power off", ButtonStyle::secondary,
                           staff_action::AskCommand{model::DeviceCommand::power_off}});
    }
    buttons.push_back({"back", "Back", ButtonStyle::secondary, staff_action::Back{}});
    buttons.push_back({"close", "Close", ButtonStyle::primary, staff_action::Close{}});
    float buttons_top = button_rows(ui, area, buttons, 4, actions);
    notice_line(ui, buttons_top, area, view.notice);

    area.min.y += fact_columns(ui, area, view.it_facts, 2, TextStyle::small) + m.mm(2);
    if (!view.rejected.empty()) {
        std::string lines = "Refused by the server:";
        for (const auto& line : view.rejected) {
            lines += "\n" + line;
        }
        draw_text(ui, TextStyle::small, lines, area.min, area.width(), ui.theme.hint_text);
    }
}

void touch_test(UiContext& ui, const StaffView& view, std::vector<StaffAction>& actions) {
    const Metrics& m = ui.metrics;
    fill(ui, ui.theme.staff_background);
    // A ring near each corner and the middle: a line drawn through each shows the panel reads
    // touches right to its edges.
    float inset = m.mm(8);
    const ImVec2 rings[5] = {{inset, inset},
                             {ui.screen.x - inset, inset},
                             {inset, ui.screen.y - inset},
                             {ui.screen.x - inset, ui.screen.y - inset},
                             {ui.screen.x / 2, ui.screen.y / 2}};
    for (const auto& ring : rings) {
        ui.draw->AddCircle(ring, m.mm(5), ui.theme.option_border.packed(), 32, m.border);
    }
    float width = std::min(ui.screen.x - 2 * m.mm(25), m.mm(170));
    draw_text(ui, TextStyle::body,
              "Touch test: draw with a finger. The line should follow it closely, right into "
              "each ring.",
              {ui.screen.x / 2 - width / 2, m.margin}, width, ui.theme.text, Align::centre);
    if (view.strokes != nullptr) {
        for (const auto& stroke : *view.strokes) {
            if (stroke.size() == 1) {
                ui.draw->AddCircleFilled(stroke.front(), m.mm(1.5f), ui.theme.primary.packed());
            } else if (stroke.size() > 1) {
                ui.draw->AddPolyline(stroke.data(), static_cast<int>(stroke.size()),
                                     ui.theme.primary.packed(), 0, m.mm(1.2f));
            }
        }
    }
    float height = std::max(m.target, m.mm(16));
    float button_width = m.mm(50);
    float top = ui.screen.y - m.margin - height - m.mm(12);
    if (big_button(ui, "done", "Done",
                   {{ui.screen.x / 2 - button_width / 2, top},
                    {ui.screen.x / 2 + button_width / 2, top + height}},
                   ButtonStyle::primary)) {
        actions.push_back(staff_action::Back{});
    }
}

void confirm(UiContext& ui, const StaffView& view, std::vector<StaffAction>& actions) {
    const Metrics& m = ui.metrics;
    Box area{{m.margin, m.margin}, {ui.screen.x - m.margin, ui.screen.y - m.margin}};
    float width = std::min(area.width(), m.mm(180));
    float left = area.centre().x - width / 2;
    float y = area.min.y + m.mm(15);
    y += draw_text(ui, TextStyle::title, view.command_question, {left, y}, width, ui.theme.text,
                   Align::centre);
    y += m.mm(6);
    draw_text(ui, TextStyle::body,
              "Responses already saved are kept. Anyone answering now loses their answers.",
              {left, y}, width, ui.theme.text, Align::centre);
    float height = std::max(m.target, m.mm(20));
    float button_width = std::min(m.mm(80), (area.width() - m.gap * 4) / 2);
    float x = area.centre().x - button_width - m.gap * 2;
    if (big_button(ui, "cancel", "Cancel",
                   {{x, area.max.y - height}, {x + button_width, area.max.y}},
                   ButtonStyle::primary)) {
        actions.push_back(staff_action::Back{});
    }
    x += button_width + m.gap * 4;
    if (big_button(ui, "confirm", view.command_yes,
                   {{x, area.max.y - height}, {x + button_width, area.max.y}},
                   ButtonStyle::secondary)) {
        actions.push_back(staff_action::ConfirmCommand{});
    }
}

} // namespace

std::vector<StaffAction> draw_staff_screen(UiContext& ui, const StaffView& view) {
    std::vector<StaffAction> actions;
    ui.record.clear();
    const auto& staff = *view.staff;
    ui.record.screen = model::staff_screen_name(staff.screen());
    fill(ui, ui.theme.staff_background);
    switch (staff.screen()) {
    case StaffScreen::closed:
        break;
    case StaffScreen::pin_pad:
        pin_pad(ui, view, actions);
        break;
    case StaffScreen::locked_out:
        locked_out(ui, view, actions);
        break;
    case StaffScreen::status:
        status(ui, view, actions);
        break;
    case StaffScreen::questionnaires:
        chooser(ui, view, "Choose the questionnaire", view.questionnaires,
                view.questionnaire_descriptions, view.active_questionnaire, true, actions);
        break;
    case StaffScreen::clinics:
        chooser(ui, view, "Choose the clinic", view.clinics, {}, view.active_clinic, false,
                actions);
        break;
    case StaffScreen::it:
        it_screen(ui, view, actions);
        break;
    case StaffScreen::touch_test:
        touch_test(ui, view, actions);
        break;
    case StaffScreen::confirm:
        confirm(ui, view, actions);
        break;
    }
    return actions;
}

void draw_paused_screen(UiContext& ui, const std::string& service) {
    const Metrics& m = ui.metrics;
    ui.record.clear();
    ui.record.screen = "paused";
    fill(ui, ui.theme.paused_background);
    Box area{{m.margin, m.margin}, {ui.screen.x - m.margin, ui.screen.y - m.margin}};
    float width = std::min(area.width(), m.mm(180));
    float left = area.centre().x - width / 2;
    float y = area.min.y;
    if (!service.empty()) {
        y += draw_text(ui, TextStyle::body, service, {left, y}, width, ui.theme.muted_text,
                       Align::centre);
    }
    y = std::max(y, area.min.y + area.height() / 4);
    y += draw_text(ui, TextStyle::title, ui.strings.get("paused.title"), {left, y}, width,
                   ui.theme.text, Align::centre);
    y += m.mm(6);
    draw_text(ui, TextStyle::body, ui.strings.get("paused.body"), {left, y}, width, ui.theme.text,
              Align::centre);
}

} // namespace kiosk::ui
