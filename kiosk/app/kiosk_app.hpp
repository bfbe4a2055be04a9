#pragma once
// The running kiosk: settings, questionnaire, session, screens and outbox wired together.
//
// It never exits because of bad settings, a broken questionnaire or a bad font: it shows a
// calm out-of-service screen (or falls back to a built-in font) and says why in the log, so a
// service manager does not restart it in a loop. Only a failure to open the display ends it.

#include "app/headless_script.hpp"
#include "app/log.hpp"
#include "delivery/delivery.hpp"
#include "model/questionnaire.hpp"
#include "model/session.hpp"
#include "model/staff.hpp"
#include "model/uuid.hpp"
#include "outbox/outbox.hpp"
#include "platform/audio_output.hpp"
#include "platform/imgui_sdl_renderer.hpp"
#include "platform/sdl_texture_store.hpp"
#include "platform/sdl_video.hpp"
#include "settings/settings.hpp"
#include "speech/read_aloud.hpp"
#include "ui/frame_record.hpp"
#include "ui/screens.hpp"
#include "ui/staff_screens.hpp"
#include "ui/strings.hpp"
#include "ui/text_painter.hpp"
#include "ui/theme.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct ImGuiContext;

namespace kiosk::app {

struct AppOptions {
    std::filesystem::path settings_file;
    bool headless = false;
    std::optional<std::string> questionnaire; // overrides the settings' active questionnaire
    std::filesystem::path default_assets_dir;
    bool deliver = false; // run the delivery worker (main turns it on; headless: --deliver)
    std::string version;  // the software version, for the IT screen
    // Headless only: where the simulated wall clock starts (a test restarting the kiosk carries
    // its time over). Empty: now.
    std::optional<std::chrono::system_clock::time_point> clock_start;
    // Tests only (no settings key): the SQLite VFS the screens' outbox connection opens through,
    // one that fails writes or fills the disk on request (see OutboxOptions::vfs).
    std::optional<std::string> outbox_vfs;
};

// The clock the kiosk runs on: the real one, or a simulated one that only moves when a
// headless script waits.
class AppClock {
public:
    explicit AppClock(bool simulated);
    model::MonotonicTime monotonic() const;
    std::chrono::system_clock::time_point wall() const;
    void advance_to(model::MonotonicTime when); // simulated only
    // Simulated only: the wall clock reads `now` from this moment, as when a clock is set.
    void set_wall(std::chrono::system_clock::time_point now);
    bool simulated() const { return simulated_; }

private:
    bool simulated_;
    model::MonotonicTime simulated_monotonic_;
    std::chrono::system_clock::time_point simulated_wall_start_;
    model::MonotonicTime simulated_start_;
};

struct ScriptOutcome {
    bool passed = true;
    std::vector<std::string> failures; // "script.txt line 7: expected screen 'thank-you' ..."
};

class KioskApp {
public:
    // Loads everything and opens the display. Returns nothing (and logs why) only when the
    // display cannot be opened.
    static std::unique_ptr<KioskApp> start(const AppOptions& options, Log& log);
    ~KioskApp();
    KioskApp(const KioskApp&) = delete;
    KioskApp& operator=(const KioskApp&) = delete;

    // Runs on the real screen until SDL_QUIT (a signal from the service manager) or until IT
    // chose "Restart app" (the service manager starts it again).
    // `exit_after_first_frame` stops after the first frame is on screen (for benchmarks).
    int run(bool exit_after_first_frame = false);

    // Runs a headless script on the simulated clock, saving screenshots into `screenshots`
    // when it is not empty.
    ScriptOutcome run_script(const std::vector<ScriptStep>& steps, const std::string& script_name,
                             const std::filesystem::path& screenshots);

    // --- for tests and benchmarks ---
    bool out_of_service() const { return !session_; }
    const std::string& out_of_service_reason() const { return out_of_service_reason_; }
    // Where a damaged database found at start-up was moved to, if one was.
    const std::optional<std::filesystem::path>& moved_aside_database() const {
        return moved_aside_database_;
    }
    const ui::FrameRecord& last_frame() const { return record_; }
    bool paused() const { return paused_by_staff_ || paused_by_hours_; }
    std::chrono::system_clock::time_point wall_clock() const { return clock_.wall(); }
    // IT chose "Restart app": run() has returned, and scripts stop at that step.
    bool restart_requested() const { return restart_requested_; }
    const std::string& clinic() const;
    const model::Session* session() const { return session_.get(); }
    // Speech is waiting, being made or playing (the speaker button shows it pressed).
    bool reading_aloud() const;
    outbox::Outbox* outbox() { return outbox_ ? &*outbox_ : nullptr; }
    // Time from a tap's release to the response being durable, for each response saved.
    const std::vector<std::chrono::microseconds>& save_durations() const { return save_durations_; }
    std::chrono::microseconds startup_to_first_frame() const { return first_frame_after_; }

private:
    KioskApp(const AppOptions& options, Log& log);
    void load(const AppOptions& options);
    void start_delivery();
    void go_out_of_service(const std::string& reason);
    bool open_display(bool headless);
    void load_questionnaires(const AppOptions& options);
    void restore_staff_choices();
    void load_languages(const std::filesystem::path& assets);
    // The loudspeaker (headless: a sink that keeps what it was given) and espeak-ng, when the
    // settings want read-aloud. Without sound the kiosk carries on without speaker buttons.
    void start_read_aloud(bool headless);
    bool can_read_aloud() const;
    ui::Box staff_corner_box() const; // the square a held press opens staff mode in
    void read_screen_aloud();
    // The words of the session's language (the device's when there is no session).
    const ui::Strings& words() const;
    // Large text: every text style this much bigger (WCAG's 200% resize, within one screen).
    static constexpr float kLargeTextScale = 1.4f;
    void set_up_staff();

    // Input and drawing.
    void pointer_down(float x, float y);
    void pointer_up(float x, float y);
    void pointer_moved(float x, float y);
    void redraw();
    struct FrameActions {
        std::vector<model::Action> patient;
        std::vector<model::StaffAction> staff;
        bool empty() const { return patient.empty() && staff.empty(); }
    };
    FrameActions build_frame();
    void present();
    void apply(const FrameActions& actions);
    std::optional<model::MonotonicTime> next_timer();
    void save_response();
    void keep_unsaved_if_abandoned();
    void retry_unsaved();
    void run_timers();
    void check_frame(const std::string& where, std::vector<std::string>& failures);
    void let_time_pass(std::chrono::milliseconds duration, const std::string& where,
                       std::vector<std::string>& failures);
    bool tap_label(const std::string& label, std::string& problem);
    bool type_character(const std::string& character, std::string& problem);

    // Staff mode.
    void open_staff_mode();
    void apply_staff(const std::vector<model::StaffAction>& actions);
    void carry_out(const model::StaffOutcome& outcome);
    void record_staff_action(const std::string& role, const std::string& action);
    void refresh_staff_view();
    void switch_questionnaire(std::size_t index);
    void switch_clinic(std::size_t index);
    void send_now();
    void retry_rejected();
    void check_connection();
    void run_device_command(model::DeviceCommand command);
    void set_paused_by_staff(bool paused);
    void follow_opening_hours();
    std::optional<model::StaffRole> role_for_pin(std::string_view pin) const;
    std::int64_t wall_ms() const;

    Log& log_;
    AppClock clock_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::chrono::microseconds first_frame_after_{0};
    bool first_frame_drawn_ = false;

    std::optional<settings::Settings> settings_;
    settings::DisplaySettings display_;
    std::vector<model::Questionnaire> questionnaires_; // those that loaded; never resized later
    std::vector<std::string> questionnaire_names_;     // their file stems, for the saved choice
    const model::Questionnaire* questionnaire_ = nullptr;
    std::size_t clinic_index_ = 0;
    std::unique_ptr<model::Session> session_;
    std::optional<outbox::Outbox> outbox_;
    std::unique_ptr<delivery::DeliveryWorker> delivery_; // its own thread and outbox connection
    std::string out_of_service_reason_;
    std::optional<std::filesystem::path> moved_aside_database_; // for staff status
    model::UuidGenerator uuids_;
    std::string version_;

    // Staff mode (empty when the settings set no PIN) and the hidden press that opens it.
    std::optional<model::StaffMode> staff_;
    std::optional<model::CornerHold> corner_hold_;
    ui::StaffView staff_view_;
    model::MonotonicTime staff_view_refreshed_{};
    static constexpr std::chrono::seconds kStaffViewRefresh{5};
    std::string staff_notice_;
    std::vector<std::vector<ImVec2>> touch_strokes_; // the touch test's lines
    std::string connection_result_;                  // the last "Check connection", for IT
    bool paused_by_staff_ = false;
    bool paused_by_hours_ = false;
    bool hours_pause_waiting_ = false; // closing time came while a patient was answering
    // Staff resumed outside opening hours: open until then (Unix ms), then closed hours rule.
    std::optional<std::int64_t> resumed_out_of_hours_until_;
    std::optional<model::MonotonicTime> hours_change_at_;
    bool restart_requested_ = false;
    bool out_of_service_for_questionnaire_ = false; // a working one chosen by staff ends it
    // "Check connection" runs on its own thread on the real screen (it can take seconds).
    std::future<std::string> connection_check_;
    std::shared_ptr<std::atomic<bool>> stop_connection_check_ =
        std::make_shared<std::atomic<bool>>(false);
    std::string database_health_; // quick_check, when the IT screen was opened
    struct PendingResponse {
        std::string identifier;
        std::string questionnaire;
        std::string authored;
        std::string payload;
    };
    std::optional<PendingResponse> pending_; // built on Submit, kept until stored
    // Submitted responses whose save failed and whose patient has gone: retried until stored.
    std::vector<PendingResponse> unsaved_;
    // Why the latest save failed, for staff status while responses wait unsaved.
    std::optional<outbox::OutboxError> last_save_error_;
    // The outbox could not be opened at start-up: when to stop, so that the service manager
    // starts the kiosk again and it tries once more.
    std::optional<model::MonotonicTime> start_again_at_;
    static constexpr std::chrono::seconds kStartAgainAfterStorageFailure{60};
    model::MonotonicTime last_unsaved_retry_{};
    static constexpr std::chrono::seconds kUnsavedRetryInterval{30};
    std::vector<std::chrono::microseconds> save_durations_;
    std::chrono::steady_clock::time_point tap_released_at_{};

    ui::Theme theme_;
    ui::Theme high_contrast_theme_ = ui::Theme::high_contrast();
    ui::Metrics metrics_;
    ui::Strings strings_; // the device language's words (staff screens, out of service)
    // The words of every language the device offers, loaded at start so that choosing one
    // reads no file; the device language's are strings_.
    std::map<std::string, ui::Strings> strings_by_language_;
    std::vector<ui::LanguageOption> languages_;
    ui::FrameRecord record_;
    ui::ScreenState screen_state_;

    std::optional<platform::SdlVideo> video_;
    struct ImGuiContextDeleter {
        void operator()(ImGuiContext* context) const;
    };
    std::unique_ptr<ImGuiContext, ImGuiContextDeleter> imgui_;
    std::unique_ptr<platform::ImGuiSdlRenderer> renderer_;
    // Text textures live in the store and are made by the painter; both go before the renderer.
    std::unique_ptr<platform::SdlTextureStore> text_textures_;
    std::unique_ptr<ui::TextPainter> text_;
    // Read-aloud. The reader goes before its sink, and both before the SDL video (SDL_Quit).
    std::unique_ptr<speech::AudioSink> speaker_;
    std::unique_ptr<speech::ReadAloud> reader_;
    std::string last_read_aloud_; // the words last asked for, for `expect spoken`
    bool drawn_reading_ = false;
    bool text_problem_logged_ = false; // the speaker button as last drawn: on while speech plays
    model::MonotonicTime last_frame_time_{};
};

} // namespace kiosk::app
