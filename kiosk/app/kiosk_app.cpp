#include "app/kiosk_app.hpp"

#include "app/delivery_setup.hpp"
#include "model/questionnaire_loader.hpp"
#include "model/response_builder.hpp"
#include "platform/png_file.hpp"

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <ctime>

namespace kiosk::app {

namespace {

constexpr float kOffScreen = -FLT_MAX;

// Renames a damaged database and its WAL files to "<name>.damaged-<UTC time>", never deleting.
std::optional<std::filesystem::path> move_aside(const std::filesystem::path& file) {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
    auto target = file;
    target += std::string(".damaged-") + stamp;
    for (int n = 1; std::filesystem::exists(target); ++n) {
        target = file;
        target += std::string(".damaged-") + stamp + "-" + std::to_string(n);
    }
    // The database first: if that fails nothing has moved. Its WAL files follow it; if one of
    // them cannot follow, the caller must not start a new database beside it (SQLite would
    // replay the old WAL into it), so that is a failure too.
    std::error_code error;
    std::filesystem::rename(file, target, error);
    if (error) {
        return std::nullopt;
    }
    for (const char* suffix : {"-wal", "-shm"}) {
        auto companion = file;
        companion += suffix;
        if (std::filesystem::exists(companion, error)) {
            auto companion_target = target;
            companion_target += suffix;
            std::filesystem::rename(companion, companion_target, error);
            if (error) {
                return std::nullopt;
            }
        }
    }
    return target;
}

std::int64_t unix_ms(std::chrono::system_clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

} // namespace

// ------------------------------------------------------------------ clock

AppClock::AppClock(bool simulated)
    : simulated_(simulated), simulated_monotonic_(std::chrono::steady_clock::now()),
      simulated_wall_start_(std::chrono::system_clock::now()),
      simulated_start_(simulated_monotonic_) {}

model::MonotonicTime AppClock::monotonic() const {
    return simulated_ ? simulated_monotonic_ : std::chrono::steady_clock::now();
}

std::chrono::system_clock::time_point AppClock::wall() const {
    if (!simulated_) {
        return std::chrono::system_clock::now();
    }
    return simulated_wall_start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       simulated_monotonic_ - simulated_start_);
}

void AppClock::advance_to(model::MonotonicTime when) {
    if (simulated_ && when > simulated_monotonic_) {
        simulated_monotonic_ = when;
    }
}

// ------------------------------------------------------------------ start-up

void KioskApp::ImGuiContextDeleter::operator()(ImGuiContext* context) const {
    ImGui::DestroyContext(context);
}

KioskApp::KioskApp(const AppOptions& options, Log& log) : log_(log), clock_(options.headless) {}

KioskApp::~KioskApp() {
    delivery_.reset(); // stops the worker: an upload in progress is aborted and requeued
    if (imgui_) {
        ImGui::SetCurrentContext(imgui_.get());
    }
    renderer_.reset(); // the font texture goes before the renderer that owns it
    imgui_.reset();
}

std::unique_ptr<KioskApp> KioskApp::start(const AppOptions& options, Log& log) {
    std::unique_ptr<KioskApp> app(new KioskApp(options, log));
    app->load(options);
    if (options.deliver && app->outbox_) {
        app->start_delivery();
    }
    if (!app->open_display(options.headless)) {
        return nullptr;
    }
    return app;
}

void KioskApp::go_out_of_service(const std::string& reason) {
    session_.reset();
    questionnaire_ = nullptr;
    out_of_service_reason_ = reason;
    log_.error("out of service: " + reason);
}

void KioskApp::load(const AppOptions& options) {
    auto loaded = settings::load_settings_file(options.settings_file);
    for (const auto& problem : loaded.problems) {
        log_.error(problem.to_string());
    }
    if (!loaded.settings) {
        go_out_of_service("the settings file " + options.settings_file.string() + " has " +
                          std::to_string(loaded.problems.size()) +
                          " problem(s); see the log or run kiosk --check");
        return;
    }
    settings_ = std::move(*loaded.settings);
    display_ = settings_->display;

    std::string wanted = options.questionnaire.value_or(settings_->active_questionnaire);
    bool found = false;
    for (const auto& file : settings_->questionnaires) {
        if (file.stem() != wanted) {
            continue;
        }
        found = true;
        auto questionnaire = model::load_questionnaire_file(file.string());
        for (const auto& problem : questionnaire.problems) {
            log_.error(problem.to_string());
        }
        if (!questionnaire.questionnaire) {
            go_out_of_service("the questionnaire " + file.string() + " has " +
                              std::to_string(questionnaire.problems.size()) +
                              " problem(s); see the log or run kiosk --check");
            return;
        }
        questionnaires_.push_back(std::move(*questionnaire.questionnaire));
    }
    if (!found) {
        go_out_of_service("no questionnaire named '" + wanted + "' is listed in the settings");
        return;
    }
    questionnaire_ = &questionnaires_.front();

    auto assets =
        settings_->assets_dir.empty() ? options.default_assets_dir : settings_->assets_dir;
    if (auto problem = strings_.load(assets, settings_->session.language)) {
        log_.warning(*problem + " (using the built-in English words)");
    }

    auto outbox_file = settings_->data_dir / "outbox.sqlite";
    auto opened = outbox::Outbox::open(outbox_file);
    if (!opened.outbox && opened.error->kind == outbox::OutboxError::Kind::corrupt) {
        // A damaged database must not stop the kiosk taking new responses, and must never be
        // deleted: what it still holds may be recovered by IT. Move it aside and start afresh.
        log_.error("the response database is damaged: " + opened.error->describe());
        if (auto moved = move_aside(outbox_file)) {
            log_.error("moved the damaged database to " + moved->string() +
                       " (nothing was deleted); starting a new one. Responses still in it were "
                       "not delivered: IT can recover them from that file");
            moved_aside_database_ = *moved;
            opened = outbox::Outbox::open(outbox_file);
        } else {
            log_.error("could not move the damaged database aside; not starting a new one");
        }
    }
    if (!opened.outbox) {
        go_out_of_service("responses cannot be stored: " + opened.error->describe());
        return;
    }
    outbox_ = std::move(opened.outbox);

    model::SessionTimings timings{settings_->session.idle_timeout, settings_->session.idle_warning,
                                  settings_->session.thank_you};
    session_ =
        std::make_unique<model::Session>(*questionnaire_, timings, settings_->session.language);
    auto queued = outbox_->count(outbox::ResponseState::queued);
    log_.info("ready: questionnaire " + questionnaire_->canonical() + " from " +
              questionnaire_->source_file + "; outbox " + outbox_->file().string() + " holds " +
              std::to_string(queued.count) + " response(s) waiting to be sent");
}

void KioskApp::start_delivery() {
    auto settings = delivery_settings_from(*settings_);
    if (auto* problem = std::get_if<std::string>(&settings)) {
        // A token others can read is a hole in the hospital's security: IT must fix it first.
        go_out_of_service("delivery cannot start: " + *problem);
        return;
    }
    Log& log = log_;
    delivery_ = std::make_unique<delivery::DeliveryWorker>(
        outbox_->file(), std::get<delivery::DeliverySettings>(settings),
        [&log](delivery::LogLevel level, const std::string& message) {
            switch (level) {
            case delivery::LogLevel::error:
                log.error("delivery: " + message);
                break;
            case delivery::LogLevel::warning:
                log.warning("delivery: " + message);
                break;
            case delivery::LogLevel::info:
                log.info("delivery: " + message);
                break;
            }
        });
    delivery_->start();
}

bool KioskApp::open_display(bool headless) {
    platform::VideoOptions video;
    video.headless = headless;
    video.fullscreen = display_.fullscreen;
    video.width = display_.width;
    video.height = display_.height;
    video.accelerated = display_.renderer == settings::Renderer::accelerated && !headless;
    // Until the settings are known to be good, behave as a kiosk: a broken settings file must not
    // leave a closeable window with a pointer on a ward.
    video.kiosk_mode = settings_ ? display_.kiosk_mode : true;
    auto opened = platform::SdlVideo::open(video);
    if (auto* problem = std::get_if<std::string>(&opened)) {
        log_.error(*problem);
        return false;
    }
    video_.emplace(std::move(std::get<platform::SdlVideo>(opened)));

    imgui_.reset(ImGui::CreateContext());
    ImGui::SetCurrentContext(imgui_.get());
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // nothing of a session is written to disk by the UI
    io.LogFilename = nullptr;
    io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
    io.MousePos = {kOffScreen, kOffScreen};
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowPadding = {0, 0};
    style.WindowBorderSize = 0;
    style.WindowRounding = 0;
    style.ItemSpacing = {0, 0};
    style.AntiAliasedLinesUseTex = false; // the font atlas stays as small as the text needs

    metrics_ = ui::Metrics::for_dpi(display_.dpi);
    if (auto problem =
            ui::load_fonts(*io.Fonts, display_.font, display_.bold_font, metrics_, fonts_)) {
        log_.error(*problem);
    }
    renderer_ = std::make_unique<platform::ImGuiSdlRenderer>(video_->renderer());
    if (auto problem = renderer_->upload_fonts(*io.Fonts)) {
        log_.error(*problem);
        return false;
    }
    log_.info("display " + std::to_string(video_->width()) + "x" +
              std::to_string(video_->height()) + " with the " + video_->renderer_name() +
              " renderer");
    last_frame_time_ = clock_.monotonic();
    return true;
}

// ------------------------------------------------------------------ frames

std::vector<model::Action> KioskApp::build_frame() {
    ImGui::SetCurrentContext(imgui_.get()); // ImGui keeps its context in a global: ours, always
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = {static_cast<float>(video_->width()), static_cast<float>(video_->height())};
    auto now = clock_.monotonic();
    float delta = std::chrono::duration<float>(now - last_frame_time_).count();
    io.DeltaTime = std::clamp(delta, 0.001f, 1.0f);
    last_frame_time_ = now;

    ImGui::NewFrame();
    ImGui::SetNextWindowPos({0, 0});
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("kiosk", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground |
                     ImGuiWindowFlags_NoNav);
    ui::UiContext context{
        theme_, metrics_, fonts_, strings_, record_, io.DisplaySize, ImGui::GetWindowDrawList()};
    ui::ScreenInput input;
    input.session = session_.get();
    if (settings_) {
        input.service = settings_->device.service;
        input.site = settings_->device.site;
    }
    input.out_of_service_reason = out_of_service_reason_;
    auto actions = ui::draw_screen(context, input, screen_state_);
    ImGui::End();
    ImGui::Render();
    return actions;
}

void KioskApp::present() {
    SDL_Renderer* renderer = video_->renderer();
    SDL_SetRenderDrawColor(renderer, theme_.background.r, theme_.background.g, theme_.background.b,
                           255);
    SDL_RenderClear(renderer);
    renderer_->render(ImGui::GetDrawData());
    SDL_RenderPresent(renderer);
    if (!first_frame_drawn_) {
        first_frame_drawn_ = true;
        first_frame_after_ = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - started_);
        log_.info("first frame drawn " + std::to_string(first_frame_after_.count() / 1000) +
                  " ms after start");
    }
}

void KioskApp::redraw() {
    auto actions = build_frame();
    if (!actions.empty()) {
        apply(actions);
        build_frame();
    }
    present();
}

void KioskApp::pointer_down(float x, float y) {
    ImGui::SetCurrentContext(imgui_.get());
    if (session_) {
        session_->apply(model::action::Touch{}, clock_.monotonic());
    }
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = {x, y};
    io.MouseDown[0] = true;
    redraw(); // shows the pressed button
}

void KioskApp::pointer_up(float x, float y) {
    ImGui::SetCurrentContext(imgui_.get());
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = {x, y};
    io.MouseDown[0] = false;
    tap_released_at_ = std::chrono::steady_clock::now();
    auto actions = build_frame(); // ImGui reports the tap on this frame
    // Touch has no hover: move the pointer away so nothing stays highlighted under the finger.
    io.MousePos = {kOffScreen, kOffScreen};
    apply(actions);
    build_frame();
    present();
}

void KioskApp::apply(const std::vector<model::Action>& actions) {
    if (!session_) {
        return;
    }
    for (const auto& action : actions) {
        if (session_->apply(action, clock_.monotonic()) == model::Effect::save_response) {
            save_response();
        }
    }
    keep_unsaved_if_abandoned();
}

void KioskApp::keep_unsaved_if_abandoned() {
    // The patient submitted, the save failed, and the screen has since been reset for the next
    // patient. The answers are off the screen, but the response is still theirs to give: keep
    // it (in memory only, it never reaches the screens again) and keep trying to store it.
    if (pending_ && session_->screen() == model::Screen::welcome) {
        log_.error("response " + pending_->identifier +
                   " could not be saved before the kiosk was reset; it is kept and saving is "
                   "retried");
        unsaved_.push_back(std::move(*pending_));
        pending_.reset();
    }
}

void KioskApp::retry_unsaved() {
    last_unsaved_retry_ = clock_.monotonic();
    while (!unsaved_.empty()) {
        const auto& response = unsaved_.front();
        auto result =
            outbox_->append({response.identifier, response.questionnaire, response.authored,
                             response.payload, unix_ms(clock_.wall())});
        if (result.status == outbox::AppendResult::Status::failed) {
            log_.error("response " + response.identifier +
                       " still cannot be saved: " + result.error->describe());
            return;
        }
        log_.info("response " + response.identifier + " saved after an earlier failure");
        unsaved_.erase(unsaved_.begin());
        if (delivery_) {
            delivery_->wake();
        }
    }
}

void KioskApp::save_response() {
    retry_unsaved(); // an earlier patient's response first, in the order they were given
    if (!pending_) {
        model::ResponseContext context;
        context.identifier = uuids_.next_urn();
        context.authored = clock_.wall();
        context.language = session_->language();
        context.device_id = settings_->device.id;
        context.site = settings_->device.site;
        context.service = settings_->device.service;
        auto resource = model::build_questionnaire_response(
            *questionnaire_, session_->submitted_answers(), session_->rules(), context);
        pending_ = PendingResponse{context.identifier, questionnaire_->canonical(),
                                   model::format_utc(context.authored), resource.dump()};
    }
    outbox::NewResponse response{pending_->identifier, pending_->questionnaire, pending_->authored,
                                 pending_->payload, unix_ms(clock_.wall())};
    auto result = outbox_->append(response);
    auto now = clock_.monotonic();
    if (result.status == outbox::AppendResult::Status::failed) {
        log_.error("a response could not be saved: " + result.error->describe());
        session_->save_failed(result.error->describe(), now);
        return;
    }
    save_durations_.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - tap_released_at_));
    log_.info("response " + pending_->identifier + " saved");
    pending_.reset();
    session_->saved(now);
    if (delivery_) {
        delivery_->wake(); // on the server within moments when the network is up
    }
}

void KioskApp::run_timers() {
    if (!session_) {
        return;
    }
    auto before = session_->screen();
    auto before_seconds = session_->seconds_left();
    session_->tick(clock_.monotonic());
    keep_unsaved_if_abandoned();
    if (!unsaved_.empty() && clock_.monotonic() - last_unsaved_retry_ >= kUnsavedRetryInterval) {
        retry_unsaved();
    }
    if (session_->screen() != before || session_->seconds_left() != before_seconds) {
        redraw();
    }
}

// ------------------------------------------------------------------ the real screen

int KioskApp::run(bool exit_after_first_frame) {
    redraw();
    if (exit_after_first_frame) {
        return 0;
    }
    for (;;) {
        // Sleep until something happens or the next timer is due: no frame is drawn while
        // nothing changes, so an idle kiosk uses next to no CPU.
        int timeout = -1;
        if (session_) {
            if (auto due = session_->next_timer(clock_.monotonic())) {
                auto wait = std::chrono::ceil<std::chrono::milliseconds>(*due - clock_.monotonic());
                timeout = static_cast<int>(std::clamp<long long>(wait.count(), 0, 60'000));
            }
            if (!unsaved_.empty()) {
                auto retry =
                    std::chrono::duration_cast<std::chrono::milliseconds>(kUnsavedRetryInterval)
                        .count();
                timeout = timeout < 0 ? static_cast<int>(retry)
                                      : std::min(timeout, static_cast<int>(retry));
            }
        }
        SDL_Event event;
        bool got =
            timeout < 0 ? SDL_WaitEvent(&event) != 0 : SDL_WaitEventTimeout(&event, timeout) != 0;
        while (got) {
            switch (event.type) {
            case SDL_QUIT:
                log_.info("stopping");
                return 0;
            case SDL_MOUSEBUTTONDOWN:
                if (event.button.button == SDL_BUTTON_LEFT) {
                    pointer_down(static_cast<float>(event.button.x),
                                 static_cast<float>(event.button.y));
                }
                break;
            case SDL_MOUSEBUTTONUP:
                if (event.button.button == SDL_BUTTON_LEFT) {
                    pointer_up(static_cast<float>(event.button.x),
                               static_cast<float>(event.button.y));
                }
                break;
            case SDL_MOUSEMOTION:
                if (ImGui::GetIO().MouseDown[0]) { // a finger sliding off a button cancels it
                    ImGui::GetIO().MousePos = {static_cast<float>(event.motion.x),
                                               static_cast<float>(event.motion.y)};
                    redraw();
                }
                break;
            case SDL_KEYDOWN:
                // A kiosk ignores keys (Escape, Alt+F4...). On a developer's desktop Escape quits.
                if (!display_.kiosk_mode && settings_ && event.key.keysym.sym == SDLK_ESCAPE) {
                    return 0;
                }
                break;
            case SDL_WINDOWEVENT:
                if (event.window.event == SDL_WINDOWEVENT_CLOSE) {
                    if (!display_.kiosk_mode && settings_) {
                        return 0;
                    }
                } else if (event.window.event == SDL_WINDOWEVENT_EXPOSED ||
                           event.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
                    redraw();
                }
                break;
            default:
                break;
            }
            got = SDL_PollEvent(&event) != 0;
        }
        run_timers();
    }
}

// ------------------------------------------------------------------ headless scripts

void KioskApp::check_frame(const std::string& where, std::vector<std::string>& failures) {
    for (const auto& problem : record_.layout_problems) {
        failures.push_back(where + ": layout on screen '" + record_.screen + "': " + problem);
    }
    for (const auto& target : record_.targets) {
        if (target.width() + 0.5f < metrics_.target || target.height() + 0.5f < metrics_.target) {
            failures.push_back(where + ": '" + target.label + "' on screen '" + record_.screen +
                               "' is smaller than 15 mm");
        }
    }
}

bool KioskApp::tap_label(const std::string& label, std::string& problem) {
    auto found = record_.targets_labelled(label);
    if (found.empty()) {
        std::string shown;
        for (const auto& target : record_.targets) {
            shown += (shown.empty() ? "" : ", ") + ("\"" + target.label + "\"");
        }
        problem = "nothing labelled \"" + label + "\" to tap on screen '" + record_.screen +
                  "' (there is: " + shown + ")";
        return false;
    }
    if (found.size() > 1) {
        problem = "more than one \"" + label + "\" on screen '" + record_.screen + "'";
        return false;
    }
    ImVec2 centre = found.front()->centre();
    pointer_down(centre.x, centre.y);
    pointer_up(centre.x, centre.y);
    return true;
}

bool KioskApp::type_character(const std::string& character, std::string& problem) {
    std::string label = character == " " ? strings_.get("keyboard.space") : character;
    if (!record_.targets_labelled(label).empty()) {
        return tap_label(label, problem);
    }
    // The keyboard shows capitals at the start of a sentence and after Shift: a letter is the
    // same key whatever its case.
    if (character.size() == 1 && std::isalpha(static_cast<unsigned char>(character[0]))) {
        char c = character[0];
        std::string other(1, std::islower(static_cast<unsigned char>(c))
                                 ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                                 : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        bool upper = std::isupper(static_cast<unsigned char>(c)) != 0;
        if (upper && !record_.targets_labelled(strings_.get("keyboard.shift")).empty()) {
            return tap_label(strings_.get("keyboard.shift"), problem) && tap_label(label, problem);
        }
        if (!record_.targets_labelled(other).empty()) {
            return tap_label(other, problem);
        }
    }
    // Switch between letters and numbers, then look again.
    for (const char* mode : {"keyboard.numbers", "keyboard.letters"}) {
        if (!record_.targets_labelled(strings_.get(mode)).empty()) {
            if (!tap_label(strings_.get(mode), problem)) {
                return false;
            }
            if (!record_.targets_labelled(label).empty()) {
                return tap_label(label, problem);
            }
        }
    }
    problem = "the on-screen keyboard has no key for '" + character + "'";
    return false;
}

ScriptOutcome KioskApp::run_script(const std::vector<ScriptStep>& steps,
                                   const std::string& script_name,
                                   const std::filesystem::path& screenshots) {
    ScriptOutcome outcome;
    redraw();
    check_frame(script_name + " start", outcome.failures);
    for (const auto& step : steps) {
        std::string where = script_name + " line " + std::to_string(step.line);
        std::string problem;
        bool ok = true;
        switch (step.kind) {
        case ScriptStep::Kind::tap_label:
            ok = tap_label(step.text, problem);
            break;
        case ScriptStep::Kind::tap_point:
            pointer_down(step.x, step.y);
            pointer_up(step.x, step.y);
            break;
        case ScriptStep::Kind::type_text: {
            for (std::size_t i = 0; i < step.text.size() && ok;) {
                std::size_t length = 1;
                auto lead = static_cast<unsigned char>(step.text[i]);
                if (lead >= 0xF0) {
                    length = 4;
                } else if (lead >= 0xE0) {
                    length = 3;
                } else if (lead >= 0xC0) {
                    length = 2;
                }
                ok = type_character(step.text.substr(i, length), problem);
                i += length;
            }
            break;
        }
        case ScriptStep::Kind::wait: {
            auto end = clock_.monotonic() + step.duration;
            while (session_) {
                auto due = session_->next_timer(clock_.monotonic());
                if (!due || *due > end) {
                    break;
                }
                clock_.advance_to(std::max(*due, clock_.monotonic()));
                run_timers();
                check_frame(where, outcome.failures);
            }
            clock_.advance_to(end);
            run_timers();
            break;
        }
        case ScriptStep::Kind::screenshot:
            if (!screenshots.empty()) {
                // Draw again so the picture is exactly what the screen shows now.
                build_frame();
                SDL_Renderer* renderer = video_->renderer();
                SDL_SetRenderDrawColor(renderer, theme_.background.r, theme_.background.g,
                                       theme_.background.b, 255);
                SDL_RenderClear(renderer);
                renderer_->render(ImGui::GetDrawData());
                if (auto failure =
                        platform::save_screenshot(renderer, screenshots / (step.text + ".png"))) {
                    ok = false;
                    problem = *failure;
                }
                SDL_RenderPresent(renderer);
            }
            break;
        case ScriptStep::Kind::expect_screen:
            if (record_.screen != step.text) {
                ok = false;
                problem = "expected screen '" + step.text + "' but it is '" + record_.screen + "'";
            }
            break;
        case ScriptStep::Kind::expect_text:
            if (!record_.shows_text(step.text)) {
                ok = false;
                problem = "expected text \"" + step.text + "\" on screen '" + record_.screen +
                          "' but it is not there";
            }
            break;
        case ScriptStep::Kind::expect_no_text:
            if (record_.shows_text(step.text)) {
                ok = false;
                problem = "text \"" + step.text + "\" is on screen '" + record_.screen +
                          "' but should not be";
            }
            break;
        case ScriptStep::Kind::expect_stored: {
            long long stored = -1;
            if (outbox_) {
                auto counted = outbox_->count();
                stored = counted.error ? -1 : counted.count;
            }
            if (stored != step.count) {
                ok = false;
                problem = "expected " + std::to_string(step.count) +
                          " stored response(s) but the outbox holds " + std::to_string(stored);
            }
            break;
        }
        }
        check_frame(where, outcome.failures);
        if (!ok) {
            outcome.failures.push_back(where + ": " + problem);
            break; // later steps would only report the same mistake again
        }
    }
    outcome.passed = outcome.failures.empty();
    return outcome;
}

} // namespace kiosk::app
