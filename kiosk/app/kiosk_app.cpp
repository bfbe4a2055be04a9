#include "app/kiosk_app.hpp"

#include "app/delivery_setup.hpp"
#include "app/provision.hpp"
#include "model/kiosk_health.hpp"
#include "model/opening_hours.hpp"
#include "model/pin_hash.hpp"
#include "model/questionnaire_loader.hpp"
#include "model/response_builder.hpp"
#include "platform/png_file.hpp"
#include "platform/service_notify.hpp"

#include <imgui.h>

#include <signal.h>
#include <spawn.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>

extern char** environ;

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
    // The database first: if that fails nothing has moved. Its write-ahead log follows it; if
    // the log cannot follow, the caller must not start a new database beside it (SQLite would
    // replay the old log into it), so that is a failure too. The log's index (-shm) holds
    // nothing of its own, and the next database's first connection starts it afresh: it follows
    // if it can, and stays if it cannot (kiosk.service binds it in memory, and a mount point
    // cannot be renamed).
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
            if (error && std::string_view(suffix) == "-wal") {
                return std::nullopt;
            }
        }
    }
    return target;
}

// Whether the database's write-ahead log index (the -shm file beside it) is on a RAM file
// system, as kiosk.service arranges (deploy/systemd/kiosk-wal-index-in-memory); empty when it
// cannot be told.
std::optional<bool> wal_index_in_memory(const std::filesystem::path& database) {
    struct statfs about {};
    if (::statfs((database.string() + "-shm").c_str(), &about) != 0) {
        return std::nullopt;
    }
    // The kernel's magic numbers for tmpfs and ramfs (linux/magic.h); f_type is 32 bits wide
    // on some machines, so both sides are compared as such.
    constexpr std::uint32_t tmpfs = 0x01021994;
    constexpr std::uint32_t ramfs = 0x858458f6;
    const auto type = static_cast<std::uint32_t>(about.f_type);
    return type == tmpfs || type == ramfs;
}

std::int64_t unix_ms(std::chrono::system_clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

std::tm local_tm(std::int64_t ms) {
    std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm local{};
    localtime_r(&seconds, &local);
    return local;
}

// "14:05" for a time today, "2026-11-24 14:05" for another day.
std::string local_clock_text(std::int64_t ms, std::int64_t now_ms) {
    std::tm when = local_tm(ms);
    std::tm now = local_tm(now_ms);
    char text[32];
    bool today = when.tm_year == now.tm_year && when.tm_yday == now.tm_yday;
    std::strftime(text, sizeof text, today ? "%H:%M today" : "%Y-%m-%d %H:%M", &when);
    return text;
}

std::int64_t start_of_local_day(std::int64_t now_ms) {
    std::tm local = local_tm(now_ms);
    local.tm_hour = 0;
    local.tm_min = 0;
    local.tm_sec = 0;
    local.tm_isdst = -1;
    return static_cast<std::int64_t>(mktime(&local)) * 1000;
}

std::string bytes_text(std::uintmax_t bytes) {
    char text[32];
    if (bytes >= 1024ull * 1024 * 1024) {
        std::snprintf(text, sizeof text, "%.1f GB", static_cast<double>(bytes) / (1 << 30));
    } else {
        std::snprintf(text, sizeof text, "%.0f MB", static_cast<double>(bytes) / (1 << 20));
    }
    return text;
}

model::ScreenCorner screen_corner(settings::Corner corner) {
    switch (corner) {
    case settings::Corner::top_left:
        return model::ScreenCorner::top_left;
    case settings::Corner::top_right:
        return model::ScreenCorner::top_right;
    case settings::Corner::bottom_left:
        return model::ScreenCorner::bottom_left;
    case settings::Corner::bottom_right:
        return model::ScreenCorner::bottom_right;
    }
    return model::ScreenCorner::top_left;
}

// Runs a configured command (reboot, power off) without a shell, waiting a little for its
// answer. Returns a problem in plain words, or nothing when it ran and exited with 0.
std::optional<std::string> run_command(const std::vector<std::string>& command) {
    std::vector<char*> argv;
    for (const auto& word : command) {
        argv.push_back(const_cast<char*>(word.c_str()));
    }
    argv.push_back(nullptr);
    pid_t child = 0;
    int error = posix_spawn(&child, argv[0], nullptr, nullptr, argv.data(), environ);
    if (error != 0) {
        return command[0] + " could not be started: " + std::strerror(error);
    }
    // systemctl reboot answers at once; a command that hangs is left to run rather than freezing
    // the screen.
    for (int waited = 0; waited < 300; ++waited) {
        int status = 0;
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) {
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                return std::nullopt;
            }
            return command[0] + (WIFEXITED(status) ? " failed with exit status " +
                                                         std::to_string(WEXITSTATUS(status))
                                                   : std::string(" was stopped by a signal"));
        }
        if (done < 0) {
            return command[0] + ": " + std::strerror(errno);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return command[0] + " has not finished after 15 s";
}

std::string describe_connection(const delivery::ConnectionCheck& check) {
    if (const auto* reply = std::get_if<delivery::HttpReply>(&check.result)) {
        std::string text = "reached in " + std::to_string(check.took.count()) + " ms, HTTP " +
                           std::to_string(reply->status);
        if (reply->status == 200) {
            text += " (it answers)";
        } else if (reply->status == 401 || reply->status == 403) {
            text += " (it refuses this device's credentials)";
        }
        if (check.server_certificate_expires) {
            text += "; its certificate expires " + *check.server_certificate_expires;
        }
        return text;
    }
    return "not reached: " + std::get<delivery::TransportFailure>(check.result).what;
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

void AppClock::set_wall(std::chrono::system_clock::time_point now) {
    if (simulated_) {
        simulated_wall_start_ = now;
        simulated_start_ = simulated_monotonic_;
    }
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

KioskApp::KioskApp(const AppOptions& options, Log& log)
    : log_(log), clock_(options.headless), version_(options.version) {
    if (options.headless && options.clock_start) {
        clock_.set_wall(*options.clock_start);
    }
}

KioskApp::~KioskApp() {
    stop_connection_check_->store(true); // a check in progress ends within about a second
    delivery_.reset(); // stops the worker: an upload in progress is aborted and requeued
    if (imgui_) {
        ImGui::SetCurrentContext(imgui_.get());
    }
    reader_.reset(); // stops speech and its worker before the sink and SDL go
    speaker_.reset();
    text_.reset();          // releases its textures into the store,
    text_textures_.reset(); // which destroys them while the SDL renderer still exists
    renderer_.reset();      // the font texture goes before the renderer that owns it
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
    app->set_up_staff();
    app->follow_opening_hours();
    app->start_read_aloud(options.headless);
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

    auto assets =
        settings_->assets_dir.empty() ? options.default_assets_dir : settings_->assets_dir;
    if (auto problem = strings_.load(assets, settings_->session.language)) {
        log_.warning(*problem + " (using the built-in English words)");
    }
    load_languages(assets);

    // The outbox first: it also holds what staff chose (questionnaire, clinic, pause).
    auto outbox_file = settings_->data_dir / "outbox.sqlite";
    outbox::OutboxOptions outbox_options;
    outbox_options.vfs = options.outbox_vfs;
    auto opened = outbox::Outbox::open(outbox_file, outbox_options);
    if (!opened.outbox && opened.error->kind == outbox::OutboxError::Kind::corrupt) {
        // A damaged database must not stop the kiosk taking new responses, and must never be
        // deleted: what it still holds may be recovered by IT. Move it aside and start afresh.
        log_.error("the response database is damaged: " + opened.error->describe());
        if (auto moved = move_aside(outbox_file)) {
            log_.error("moved the damaged database to " + moved->string() +
                       " (nothing was deleted); starting a new one. Responses still in it were "
                       "not delivered: IT can recover them from that file");
            moved_aside_database_ = *moved;
            opened = outbox::Outbox::open(outbox_file, outbox_options);
        } else {
            log_.error("could not move the damaged database aside; not starting a new one");
        }
    }
    if (!opened.outbox) {
        go_out_of_service("responses cannot be stored: " + opened.error->describe());
        // A storage that cannot be opened now (a card error, a folder not yet mounted, no
        // room) may be fine in a minute: start again then, through the service manager, rather
        // than stay out of service until someone restarts the device.
        start_again_at_ = clock_.monotonic() + kStartAgainAfterStorageFailure;
        return;
    }
    outbox_ = std::move(opened.outbox);
    if (const auto& rewrite = opened.page_size_rewrite) {
        const auto sizes = " of " + std::to_string(rewrite->to) + " bytes (it had " +
                           std::to_string(rewrite->from) + ")";
        if (rewrite->failure) {
            log_.warning("could not rewrite the response database with pages" + sizes +
                         ", so each response still costs the card more; it is used as it is and "
                         "the next start tries again: " +
                         rewrite->failure->describe());
        } else {
            log_.info("rewrote the response database with pages" + sizes +
                      ", once: each response now writes less to the card");
        }
    }
    if (const auto in_memory = wal_index_in_memory(outbox_file)) {
        if (*in_memory) {
            log_.info("the response database's WAL index (" + outbox_file.filename().string() +
                      "-shm) is in memory");
        } else {
            log_.info("the response database's WAL index (" + outbox_file.filename().string() +
                      "-shm) is on the storage: each response writes about 25 KB more to it "
                      "(kiosk.service keeps it in memory; see the IT guide)");
        }
    }
    restore_staff_choices();
    load_questionnaires(options);
    // New settings refused by `kiosk --provision` before the start: the old ones run storage and
    // staff mode, but patients are not asked questions under settings IT meant to replace.
    if (auto refused = provisioning_problem(settings_->data_dir)) {
        out_of_service_for_questionnaire_ = false; // choosing a questionnaire does not end it
        go_out_of_service(*refused);
        return;
    }
    if (!questionnaire_) {
        return;
    }

    model::SessionTimings timings{settings_->session.idle_timeout_in_use(),
                                  settings_->session.idle_warning_in_use(),
                                  settings_->session.thank_you_in_use()};
    session_ =
        std::make_unique<model::Session>(*questionnaire_, timings, settings_->session.language);
    auto queued = outbox_->count(outbox::ResponseState::queued);
    log_.info("ready: questionnaire " + questionnaire_->canonical() + " from " +
              questionnaire_->source_file + " for " + clinic() + "; outbox " +
              outbox_->file().string() + " holds " + std::to_string(queued.count) +
              " response(s) waiting to be sent");
}

void KioskApp::load_languages(const std::filesystem::path& assets) {
    strings_by_language_.clear();
    languages_.clear();
    for (const auto& tag : settings_->session.languages) {
        ui::Strings words;
        if (tag == settings_->session.language) {
            words = strings_;
        } else if (auto problem = words.load(assets, tag)) {
            // Still offered: what the file lacks is shown in English, as for a questionnaire.
            log_.warning(*problem + " (language " + tag + " uses English for what is missing)");
        }
        std::string name = words.get("language.name");
        if (name == ui::Strings().get("language.name") && tag.rfind("en", 0) != 0) {
            name = tag; // no words file (or no name in it): at least not a second "English"
        }
        languages_.push_back({tag, name});
        strings_by_language_.emplace(tag, std::move(words));
    }
}

const ui::Strings& KioskApp::words() const {
    if (session_) {
        auto found = strings_by_language_.find(session_->language());
        if (found != strings_by_language_.end()) {
            return found->second;
        }
    }
    return strings_;
}

namespace {

// Headless runs have no loudspeaker: this keeps what would have been played, so scripts and
// tests can check that speech was really made. It "plays" for the speech's length on the
// kiosk's own (simulated) clock, so a second tap on the speaker stops it as it would on a device.
// play() comes from the reader's worker thread; playing() and stop() from the kiosk's thread,
// which is the only one that reads the clock.
class KeptSpeech final : public speech::AudioSink {
public:
    explicit KeptSpeech(const AppClock& clock) : clock_(clock) {}
    std::optional<std::string> play(const speech::Speech& speech) override {
        std::lock_guard lock(mutex_);
        seconds_ = speech.seconds();
        started_.reset(); // the worker may not read the clock: the next look starts it
        playing_ = true;
        return std::nullopt;
    }
    void stop() override {
        std::lock_guard lock(mutex_);
        playing_ = false;
    }
    bool playing() const override {
        std::lock_guard lock(mutex_);
        if (!playing_) {
            return false;
        }
        const auto now = clock_.monotonic();
        if (!started_) {
            started_ = now;
        }
        if (now - *started_ >= std::chrono::duration<double>(seconds_)) {
            playing_ = false;
        }
        return playing_;
    }
    double seconds() const {
        std::lock_guard lock(mutex_);
        return seconds_;
    }

private:
    const AppClock& clock_;
    mutable std::mutex mutex_;
    double seconds_ = 0;
    mutable bool playing_ = false;
    mutable std::optional<model::MonotonicTime> started_;
};

} // namespace

void KioskApp::start_read_aloud(bool headless) {
    if (!settings_ || !settings_->session.read_aloud) {
        return;
    }
    if (headless) {
        speaker_ = std::make_unique<KeptSpeech>(clock_);
    } else {
        auto opened = platform::AudioOutput::open();
        if (auto* problem = std::get_if<std::string>(&opened)) {
            log_.warning("read-aloud is off: no sound output (" + *problem + ")");
            return;
        }
        auto output = std::make_unique<platform::AudioOutput>(
            std::move(std::get<platform::AudioOutput>(opened)));
        log_.info("read-aloud: sound through SDL's " + output->driver() + " driver");
        speaker_ = std::move(output);
    }
    reader_ = std::make_unique<speech::ReadAloud>(*speaker_);
    if (auto problem = reader_->last_error()) {
        log_.warning(problem->message);
    }
    std::string without_voice;
    for (const auto& tag : settings_->session.languages) {
        if (!reader_->available_for(tag)) {
            without_voice += (without_voice.empty() ? "" : ", ") + tag;
        }
    }
    if (!without_voice.empty()) {
        log_.info("read-aloud: no espeak-ng voice for " + without_voice +
                  " (no speaker button in those languages)");
    }
}

ui::Box KioskApp::staff_corner_box() const {
    const float width = static_cast<float>(video_->width());
    const float height = static_cast<float>(video_->height());
    const float side = corner_hold_->square();
    const auto corner = corner_hold_->corner();
    const bool left =
        corner == model::ScreenCorner::top_left || corner == model::ScreenCorner::bottom_left;
    const bool top =
        corner == model::ScreenCorner::top_left || corner == model::ScreenCorner::top_right;
    const float x = left ? 0.0f : width - side;
    const float y = top ? 0.0f : height - side;
    return {{x, y}, {x + side, y + side}};
}

bool KioskApp::can_read_aloud() const {
    return reader_ && session_ && reader_->available_for(session_->language());
}

bool KioskApp::reading_aloud() const {
    return reader_ && reader_->busy();
}

void KioskApp::read_screen_aloud() {
    if (!can_read_aloud()) {
        return;
    }
    if (reader_->busy()) {
        reader_->stop(); // a second tap on the speaker: quiet
        return;
    }
    ui::ScreenInput input;
    input.session = session_.get();
    input.languages = languages_;
    last_read_aloud_ = ui::words_to_read(input, words());
    reader_->say(last_read_aloud_, session_->language());
}

void KioskApp::restore_staff_choices() {
    const auto& clinics = settings_->device.clinics;
    auto service = std::find(clinics.begin(), clinics.end(), settings_->device.service);
    clinic_index_ =
        service == clinics.end() ? 0 : static_cast<std::size_t>(service - clinics.begin());
    auto chosen = outbox_->device_choice("clinic");
    if (chosen.error) {
        log_.error("cannot read the clinic staff chose: " + chosen.error->describe());
    } else if (chosen.value) {
        auto found = std::find(clinics.begin(), clinics.end(), *chosen.value);
        if (found != clinics.end()) {
            clinic_index_ = static_cast<std::size_t>(found - clinics.begin());
        } else {
            log_.warning("the clinic staff chose, '" + *chosen.value +
                         "', is no longer in the settings; using " + clinic());
        }
    }
    auto paused = outbox_->device_choice("paused");
    if (paused.value && *paused.value == "1") {
        paused_by_staff_ = true;
        log_.info("paused by staff before the restart: staying paused until staff resume it");
    }
}

const std::string& KioskApp::clinic() const {
    static const std::string none;
    if (!settings_ || settings_->device.clinics.empty()) {
        return settings_ ? settings_->device.service : none;
    }
    return settings_->device.clinics[std::min(clinic_index_, settings_->device.clinics.size() - 1)];
}

void KioskApp::load_questionnaires(const AppOptions& options) {
    // Every questionnaire the settings list is loaded now, so staff can switch between them;
    // one with problems is left out of the list (and said so in the log).
    std::string wanted = options.questionnaire.value_or(settings_->active_questionnaire);
    if (!options.questionnaire) {
        auto chosen = outbox_->device_choice("questionnaire");
        if (chosen.value) {
            wanted = *chosen.value;
        }
    }
    struct Listed {
        std::string file;
        std::size_t problems = 0;
    };
    std::map<std::string, Listed> listed_files; // by file stem
    questionnaires_.reserve(settings_->questionnaires.size());
    for (const auto& file : settings_->questionnaires) {
        auto questionnaire = model::load_questionnaire_file(file.string());
        for (const auto& problem : questionnaire.problems) {
            log_.error(problem.to_string());
        }
        listed_files[file.stem().string()] = {file.string(), questionnaire.problems.size()};
        if (!questionnaire.questionnaire) {
            log_.error("the questionnaire " + file.string() +
                       " cannot be offered: it has problems (see above)");
            continue;
        }
        questionnaires_.push_back(std::move(*questionnaire.questionnaire));
        questionnaire_names_.push_back(file.stem().string());
    }
    if (!options.questionnaire && !listed_files.contains(wanted)) {
        // A choice saved by staff that the settings no longer list: back to the settings' own.
        log_.warning("the questionnaire staff chose, '" + wanted +
                     "', is no longer in the settings; using " + settings_->active_questionnaire);
        wanted = settings_->active_questionnaire;
    }
    for (std::size_t i = 0; i < questionnaire_names_.size(); ++i) {
        if (questionnaire_names_[i] == wanted) {
            questionnaire_ = &questionnaires_[i];
            return;
        }
    }
    out_of_service_for_questionnaire_ = true;
    auto found = listed_files.find(wanted);
    if (found == listed_files.end()) {
        go_out_of_service("no questionnaire named '" + wanted + "' is listed in the settings");
    } else {
        go_out_of_service("the questionnaire " + found->second.file + " has " +
                          std::to_string(found->second.problems) +
                          " problem(s); see the log or run kiosk --check");
    }
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
    // Dear ImGui needs a font of its own, but draws no text of the kiosk's: the text painter
    // does, with HarfBuzz. The built-in font keeps the atlas tiny.
    io.Fonts->AddFontDefault();
    renderer_ = std::make_unique<platform::ImGuiSdlRenderer>(video_->renderer());
    if (auto problem = renderer_->upload_fonts(*io.Fonts)) {
        log_.error(*problem);
        return false;
    }
    text_textures_ = std::make_unique<platform::SdlTextureStore>(video_->renderer());
    text_ = std::make_unique<ui::TextPainter>(text::FontFile{display_.font},
                                              text::FontFile{display_.bold_font}, *text_textures_);
    text_->set_sizes(metrics_);
    for (const auto& file : {display_.font, display_.bold_font}) {
        if (auto problem = ui::check_font_file(file)) {
            log_.error(*problem);
        }
    }
    log_.info("display " + std::to_string(video_->width()) + "x" +
              std::to_string(video_->height()) + " with the " + video_->renderer_name() +
              " renderer");
    last_frame_time_ = clock_.monotonic();
    return true;
}

// ------------------------------------------------------------------ frames

KioskApp::FrameActions KioskApp::build_frame() {
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
    // A patient's display choices, on their screens only: staff screens keep the usual look.
    const bool patient_screen = !(staff_ && staff_->is_open()) && !paused();
    const bool large_text = patient_screen && session_ && session_->large_text();
    const bool high_contrast = patient_screen && session_ && session_->high_contrast();
    text_->set_sizes(metrics_, large_text ? kLargeTextScale : 1.0f);
    ui::UiContext context{high_contrast ? high_contrast_theme_ : theme_,
                          metrics_,
                          *text_,
                          patient_screen ? words() : strings_,
                          record_,
                          io.DisplaySize,
                          ImGui::GetWindowDrawList()};
    if (patient_screen && session_) {
        context.language = session_->language();
        context.mirrored = ui::is_right_to_left_language(context.language);
    } else if (settings_) {
        context.language = settings_->session.language;
    }
    FrameActions actions;
    if (staff_ && staff_->is_open()) {
        staff_view_.staff = &*staff_;
        staff_view_.strokes = &touch_strokes_;
        staff_view_.notice = staff_notice_;
        if (staff_->screen() == model::StaffScreen::locked_out) {
            // Rounded up to the minute: "try after 14:32" must never be too early.
            auto until = staff_->lockout().locked_until_ms();
            until = (until + 59'999) / 60'000 * 60'000;
            std::tm local = local_tm(until);
            char text[16];
            std::strftime(text, sizeof text, "%H:%M", &local);
            staff_view_.lockout_ends = text;
        }
        switch (staff_->command_to_confirm()) {
        case model::DeviceCommand::restart_app:
            staff_view_.command_question = "Restart the kiosk app?";
            staff_view_.command_yes = "Yes, restart the app";
            break;
        case model::DeviceCommand::reboot:
            staff_view_.command_question = "Restart the device?";
            staff_view_.command_yes = "Yes, restart the device";
            break;
        case model::DeviceCommand::power_off:
            staff_view_.command_question = "Power off the device?";
            staff_view_.command_yes = "Yes, power off";
            break;
        }
        actions.staff = ui::draw_staff_screen(context, staff_view_);
    } else if (paused()) {
        ui::draw_paused_screen(context, clinic());
    } else {
        ui::ScreenInput input;
        input.session = session_.get();
        if (settings_) {
            input.service = clinic();
            input.site = settings_->device.site;
        }
        input.out_of_service_reason = out_of_service_reason_;
        input.languages = languages_;
        if (corner_hold_) {
            input.staff_corner = staff_corner_box();
        }
        input.can_read_aloud = can_read_aloud();
        input.reading_aloud = input.can_read_aloud && reader_->busy();
        drawn_reading_ = input.reading_aloud;
        actions.patient = ui::draw_screen(context, input, screen_state_);
    }
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
    text_->after_frame(); // lines pushed out of the cache were drawn for the last time
    if (text_->problem() && !text_problem_logged_) {
        text_problem_logged_ = true; // once: it would be the same every frame
        log_.error("text: " + *text_->problem());
    }
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
    auto now = clock_.monotonic();
    bool staff_open = staff_ && staff_->is_open();
    if (corner_hold_ && !staff_open) {
        corner_hold_->press(x, y, static_cast<float>(video_->width()),
                            static_cast<float>(video_->height()), now);
    }
    if (staff_open) {
        staff_->touched(now);
        if (staff_->screen() == model::StaffScreen::touch_test) {
            touch_strokes_.push_back({{x, y}});
        }
    } else if (session_ && !paused()) {
        session_->apply(model::action::Touch{}, now);
    }
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = {x, y};
    io.MouseDown[0] = true;
    redraw(); // shows the pressed button
}

void KioskApp::pointer_moved(float x, float y) {
    ImGui::SetCurrentContext(imgui_.get());
    ImGuiIO& io = ImGui::GetIO();
    if (!io.MouseDown[0]) {
        return;
    }
    if (corner_hold_) {
        corner_hold_->move(x, y, static_cast<float>(video_->width()),
                           static_cast<float>(video_->height()));
    }
    if (staff_ && staff_->screen() == model::StaffScreen::touch_test && !touch_strokes_.empty()) {
        staff_->touched(clock_.monotonic());
        touch_strokes_.back().push_back({x, y});
        // A long test must not grow without bound: the oldest lines go first.
        constexpr std::size_t kMostPoints = 4000;
        std::size_t points = 0;
        for (const auto& stroke : touch_strokes_) {
            points += stroke.size();
        }
        while (points > kMostPoints && touch_strokes_.size() > 1) {
            points -= touch_strokes_.front().size();
            touch_strokes_.erase(touch_strokes_.begin());
        }
    }
    io.MousePos = {x, y}; // a finger sliding off a button cancels it
    redraw();
}

void KioskApp::pointer_up(float x, float y) {
    ImGui::SetCurrentContext(imgui_.get());
    if (corner_hold_) {
        corner_hold_->release();
    }
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

void KioskApp::apply(const FrameActions& actions) {
    if (!actions.staff.empty()) {
        apply_staff(actions.staff);
    }
    if (!session_) {
        return;
    }
    for (const auto& action : actions.patient) {
        if (std::holds_alternative<model::action::ReadAloud>(action)) {
            session_->apply(action, clock_.monotonic()); // someone is there
            read_screen_aloud();
            continue;
        }
        // Speech about the screen the patient is leaving (or the answer just chosen) stops.
        if (reader_ && !std::holds_alternative<model::action::Touch>(action)) {
            reader_->stop();
        }
        if (session_->apply(action, clock_.monotonic()) == model::Effect::save_response) {
            save_response();
        }
    }
    keep_unsaved_if_abandoned();
    follow_opening_hours(); // closing time may have waited for this patient to finish
}

void KioskApp::keep_unsaved_if_abandoned() {
    // The patient submitted, the save failed, and the screen has since been reset for the next
    // patient. The answers are off the screen, but the response is still theirs to give: keep
    // it (in memory only, it never reaches the screens again) and keep trying to store it.
    if (pending_ && session_ && session_->screen() == model::Screen::welcome) {
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
            last_save_error_ = result.error;
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
        context.service = clinic(); // the clinic staff chose for today
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
        last_save_error_ = result.error;
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

std::optional<model::MonotonicTime> KioskApp::next_timer() {
    std::optional<model::MonotonicTime> due;
    auto consider = [&due](std::optional<model::MonotonicTime> when) {
        if (when && (!due || *when < *due)) {
            due = when;
        }
    };
    auto now = clock_.monotonic();
    if (session_) {
        consider(session_->next_timer(now));
    }
    if (!unsaved_.empty()) {
        consider(last_unsaved_retry_ + kUnsavedRetryInterval);
    }
    if (corner_hold_) {
        consider(corner_hold_->next_timer());
    }
    if (staff_ && staff_->is_open()) {
        consider(staff_->next_timer());
        consider(staff_view_refreshed_ + kStaffViewRefresh);
        if (staff_->screen() == model::StaffScreen::locked_out) {
            auto left = std::max<std::int64_t>(0, staff_->lockout().locked_until_ms() - wall_ms());
            consider(now + std::chrono::milliseconds(left));
        }
    }
    if (connection_check_.valid()) {
        consider(now + std::chrono::milliseconds(200)); // look for its answer
    }
    consider(hours_change_at_);
    consider(start_again_at_);
    return due;
}

void KioskApp::run_timers() {
    auto now = clock_.monotonic();
    bool changed = false;
    if (start_again_at_ && now >= *start_again_at_) {
        log_.error("the response database still cannot be opened: starting again to try once "
                   "more");
        start_again_at_.reset();
        restart_requested_ = true;
        return;
    }
    if (corner_hold_ && corner_hold_->fire(now)) {
        open_staff_mode();
        changed = true;
    }
    if (connection_check_.valid() &&
        connection_check_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        // Taken even when staff mode has closed since, so the next check can start.
        std::string result = connection_check_.get();
        log_.info("connection check: " + result);
        if (staff_ && staff_->is_open()) {
            connection_result_ = result;
            staff_notice_ = "Connection checked: see Connection above";
            refresh_staff_view();
            changed = true;
        }
    }
    if (staff_ && staff_->is_open()) {
        auto before = staff_->screen();
        auto outcome = staff_->tick(now, wall_ms());
        carry_out(outcome);
        if (!staff_->is_open()) {
            // Left by itself: back to the welcome screen, nothing of staff mode or of a
            // patient who walked away while it was open.
            if (session_) {
                session_->reset();
                screen_state_ = {};
                keep_unsaved_if_abandoned();
            }
            changed = true;
        } else if (staff_->screen() != before) {
            changed = true;
        }
        if (staff_->is_open() && now - staff_view_refreshed_ >= kStaffViewRefresh) {
            refresh_staff_view();
            changed = true;
        }
    }
    bool was_paused = paused();
    follow_opening_hours();
    changed = changed || paused() != was_paused;
    if (session_) {
        auto before = session_->screen();
        auto before_seconds = session_->seconds_left();
        const bool before_choices = session_->has_patient_choices();
        session_->tick(clock_.monotonic());
        const bool after_choices = session_->has_patient_choices();
        keep_unsaved_if_abandoned();
        if (!unsaved_.empty() &&
            clock_.monotonic() - last_unsaved_retry_ >= kUnsavedRetryInterval) {
            retry_unsaved();
        }
        bool under_staff = staff_ && staff_->is_open(); // the patient screen is hidden
        if (!under_staff &&
            (session_->screen() != before || session_->seconds_left() != before_seconds ||
             before_choices != after_choices)) {
            changed = true; // a new screen, a second counted down, or a patient's choices gone
        }
        if (reader_ && session_->screen() != before) {
            reader_->stop(); // the idle reset or the thank-you ending: that patient has gone
        }
        // The speaker button shows whether speech is playing: redraw when that changes.
        if (!under_staff && reader_ && reader_->busy() != drawn_reading_) {
            changed = true;
        }
        if (before != model::Screen::welcome && session_->screen() == model::Screen::welcome) {
            bool paused_before = paused();
            follow_opening_hours(); // a closing time that waited for this patient
            changed = changed || paused() != paused_before;
        }
    }
    if (changed) {
        redraw();
    }
}

// ------------------------------------------------------------------ the real screen

int KioskApp::run(bool exit_after_first_frame) {
    redraw();
    if (exit_after_first_frame) {
        return 0;
    }
    // Under systemd (Type=notify): READY=1 once the first frame is on the screen, watchdog
    // pings from this loop, STOPPING=1 on the way out. Elsewhere all of it does nothing.
    platform::ServiceNotify service(platform::ServiceEnvironment::of_this_process());
    if (!service.problem().empty()) {
        log_.warning(service.problem());
    }
    // One line for `systemctl status kiosk`: what a patient sees, in plain words.
    auto service_status = [this]() -> std::string {
        if (!session_ || !questionnaire_) {
            return "out of service: " + out_of_service_reason_;
        }
        std::string showing =
            questionnaire_->title.in(settings_->session.language) + ", " + clinic();
        if (paused_by_staff_) {
            return "paused by staff: " + showing;
        }
        if (paused_by_hours_) {
            return "closed outside the opening hours: " + showing;
        }
        return "taking responses: " + showing;
    };
    std::string status = service_status();
    if (auto problem = service.ready(status)) {
        log_.warning(*problem);
    }
    struct StoppingNotice { // however run() returns
        platform::ServiceNotify& service;
        ~StoppingNotice() { service.stopping(); }
    } stopping_notice{service};
    bool ping_problem_logged = false; // once: a lost socket would repeat it at every ping
    for (;;) {
        // Sleep until something happens or the next timer is due: no frame is drawn while
        // nothing changes, so an idle kiosk uses next to no CPU.
        if (restart_requested_) {
            log_.info("stopping so that the service manager starts the kiosk again");
            return 0;
        }
        int timeout = -1;
        auto due = next_timer();
        // The watchdog's ping is a timer too, kept out of next_timer() because it runs on the
        // real clock even when scripts run on a simulated one. Idle, the kiosk wakes once
        // every half watchdog timeout.
        if (auto ping = service.next_ping(); ping && (!due || *ping < *due)) {
            due = ping;
        }
        if (due) {
            auto wait = std::chrono::ceil<std::chrono::milliseconds>(*due - clock_.monotonic());
            timeout = static_cast<int>(std::clamp<long long>(wait.count(), 0, 60'000));
        }
        SDL_Event event;
        bool got = video_->wait_for_event(event, timeout);
        // The loop is running: the service manager hears so. A frame that hangs stops this,
        // and the service manager restarts the kiosk.
        if (auto problem = service.keep_alive(std::chrono::steady_clock::now());
            problem && !ping_problem_logged) {
            log_.warning(*problem);
            ping_problem_logged = true;
        }
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
                pointer_moved(static_cast<float>(event.motion.x),
                              static_cast<float>(event.motion.y));
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
        if (auto now_status = service_status(); now_status != status) {
            status = std::move(now_status);
            service.status(status);
        }
    }
}

// ------------------------------------------------------------------ staff mode

std::int64_t KioskApp::wall_ms() const {
    return unix_ms(clock_.wall());
}

void KioskApp::set_up_staff() {
    if (!settings_) {
        return; // without settings there are no PINs: IT fixes the file (kiosk --check)
    }
    const auto& settings = settings_->staff;
    if (!settings.enabled()) {
        log_.warning("no staff PINs are set ([staff] in the settings): staff mode is off");
        return;
    }
    std::error_code unreadable;
    auto permissions = std::filesystem::status(settings_->file, unreadable).permissions();
    if (!unreadable &&
        (permissions & std::filesystem::perms::others_read) != std::filesystem::perms::none) {
        log_.warning(settings_->file.string() +
                     " can be read by every user on this device and holds the staff PIN "
                     "hashes: chmod o-r it");
    }
    model::StaffLimits limits;
    limits.leave_after = settings.leave_after;
    limits.questionnaires = questionnaires_.size();
    limits.clinics = settings_->device.clinics.size();
    limits.can_reboot = !settings.reboot_command.empty();
    limits.can_power_off = !settings.power_off_command.empty();
    model::PinLockout lockout;
    if (outbox_) {
        auto stored = outbox_->device_choice("pin_lockout");
        if (stored.error) {
            log_.error("cannot read the staff PIN lockout: " + stored.error->describe());
        } else if (stored.value) {
            if (auto parsed = model::PinLockout::from_text(*stored.value)) {
                lockout = *parsed;
            } else {
                log_.error("the stored staff PIN lockout is not readable; starting a 1-minute "
                           "lockout to be safe");
                lockout.record_wrong(wall_ms()); // never a way round the lockout
                for (int i = 1; i < model::PinLockout::kWrongBeforeLockout; ++i) {
                    lockout.record_wrong(wall_ms());
                }
            }
        }
    }
    staff_.emplace(limits, lockout);
    // The corner square is one finger-width (15 mm): a deliberate press, not a stray touch.
    corner_hold_.emplace(screen_corner(settings.corner), metrics_.target,
                         std::chrono::duration_cast<std::chrono::milliseconds>(settings.hold));
}

std::optional<model::StaffRole> KioskApp::role_for_pin(std::string_view pin) const {
    const auto& settings = settings_->staff;
    // Each check costs a deliberate fraction of a second (that is what makes guessing slow), so
    // the two roles are checked side by side: the screen waits for one check, not two.
    std::future<bool> is_it;
    if (!settings.it_pin_hash.empty()) {
        is_it = std::async(std::launch::async, [&settings, pin] {
            return model::pin_matches(settings.it_pin_hash, pin);
        });
    }
    bool is_volunteer = !settings.volunteer_pin_hash.empty() &&
                        model::pin_matches(settings.volunteer_pin_hash, pin);
    if (is_it.valid() && is_it.get()) {
        return model::StaffRole::it;
    }
    if (is_volunteer) {
        return model::StaffRole::volunteer;
    }
    return std::nullopt;
}

void KioskApp::open_staff_mode() {
    ImGui::SetCurrentContext(imgui_.get());
    // The finger that made the gesture is still down: it must not press a key of the PIN pad
    // when it lifts, so ImGui forgets the press.
    ImGui::GetIO().MouseDown[0] = false;
    ImGui::GetIO().MousePos = {kOffScreen, kOffScreen};
    log_.info("staff mode was asked for (the held corner press)");
    carry_out(staff_->open(clock_.monotonic(), wall_ms()));
    staff_notice_.clear();
    connection_result_.clear();
    database_health_.clear();
    refresh_staff_view();
}

void KioskApp::record_staff_action(const std::string& role, const std::string& action) {
    if (role == "nobody") {
        log_.warning("staff mode: " + action); // wrong PINs: never the digits
    } else {
        log_.info("staff action by " + role + ": " + action);
    }
    if (!outbox_) {
        return;
    }
    if (auto error = outbox_->record_staff_action({wall_ms(), role, action})) {
        log_.error("cannot record a staff action: " + error->describe());
    }
}

void KioskApp::apply_staff(const std::vector<model::StaffAction>& actions) {
    auto check = [this](std::string_view pin) {
        return role_for_pin(pin);
    };
    for (const auto& action : actions) {
        if (!staff_ || !staff_->is_open()) {
            break;
        }
        auto before = staff_->screen();
        auto outcome = staff_->apply(action, check, clock_.monotonic(), wall_ms());
        if (staff_->screen() != before) {
            staff_notice_.clear(); // a notice belongs to the screen it was given on
        }
        carry_out(outcome);
    }
    if (staff_->is_open()) {
        refresh_staff_view();
    } else {
        touch_strokes_.clear();
        staff_notice_.clear();
        connection_result_.clear();
        database_health_.clear();
        staff_view_ = {};
    }
}

void KioskApp::carry_out(const model::StaffOutcome& outcome) {
    for (const auto& entry : outcome.audit) {
        record_staff_action(entry.role, entry.action);
    }
    if (outcome.lockout_changed && outbox_) {
        if (auto error = outbox_->set_device_choice("pin_lockout", staff_->lockout().to_text())) {
            log_.error("cannot store the staff PIN lockout: " + error->describe());
        }
    }
    using Do = model::StaffOutcome::Do;
    switch (outcome.what) {
    case Do::nothing:
        break;
    case Do::reset_kiosk:
        if (session_) {
            session_->reset();
            screen_state_ = {};
            keep_unsaved_if_abandoned();
        }
        break;
    case Do::pause:
        set_paused_by_staff(true);
        break;
    case Do::resume:
        set_paused_by_staff(false);
        break;
    case Do::send_now:
        send_now();
        break;
    case Do::switch_questionnaire:
        switch_questionnaire(outcome.index);
        break;
    case Do::switch_clinic:
        switch_clinic(outcome.index);
        break;
    case Do::check_connection:
        check_connection();
        break;
    case Do::retry_rejected:
        retry_rejected();
        break;
    case Do::run_command:
        run_device_command(outcome.command);
        break;
    }
}

void KioskApp::set_paused_by_staff(bool paused) {
    if (paused) {
        if (session_) {
            session_->reset(); // a cleaner's cloth must not answer someone's questionnaire
            screen_state_ = {};
            keep_unsaved_if_abandoned();
        }
        paused_by_staff_ = true;
    } else {
        // Resuming also ends a pause for the opening hours (an evening clinic, say), until the
        // next opening or closing time or midnight, whichever comes first.
        if (paused_by_hours_ || hours_pause_waiting_) {
            auto local = model::local_time_of(clock_.wall());
            std::int64_t now = wall_ms();
            std::int64_t until = start_of_local_day(now) + 24ll * 3600 * 1000 + 1000;
            if (auto change = settings_->opening_hours.until_next_change(local)) {
                until = std::min<std::int64_t>(
                    until,
                    now + std::chrono::duration_cast<std::chrono::milliseconds>(*change).count());
            }
            resumed_out_of_hours_until_ = until;
        }
        paused_by_staff_ = false;
        paused_by_hours_ = false;
        hours_pause_waiting_ = false;
    }
    if (outbox_) {
        auto error = paused ? outbox_->set_device_choice("paused", "1")
                            : outbox_->clear_device_choice("paused");
        if (error) {
            log_.error("cannot store whether the kiosk is paused: " + error->describe());
        }
    }
}

void KioskApp::switch_questionnaire(std::size_t index) {
    if (index >= questionnaires_.size()) {
        return;
    }
    const auto* chosen = &questionnaires_[index];
    std::string role = staff_->role() ? model::role_name(*staff_->role()) : "nobody";
    std::string language = settings_->session.language;
    const std::string& title = chosen->title.in(language);
    if (chosen == questionnaire_ && session_) {
        staff_notice_ = "Patients already get " + title;
        return;
    }
    if (session_) {
        session_->reset();
        keep_unsaved_if_abandoned();
    }
    screen_state_ = {};
    questionnaire_ = chosen;
    if (outbox_ && (session_ || out_of_service_for_questionnaire_)) {
        model::SessionTimings timings{settings_->session.idle_timeout_in_use(),
                                      settings_->session.idle_warning_in_use(),
                                      settings_->session.thank_you_in_use()};
        session_ = std::make_unique<model::Session>(*questionnaire_, timings, language);
        out_of_service_reason_.clear();
        out_of_service_for_questionnaire_ = false;
    }
    if (outbox_) {
        if (auto error = outbox_->set_device_choice("questionnaire", questionnaire_names_[index])) {
            log_.error("cannot store the questionnaire staff chose: " + error->describe());
        }
    }
    record_staff_action(role, "switched the questionnaire to " + title + " (" +
                                  questionnaire_->canonical() + ")");
    staff_notice_ = "Patients now get " + title;
}

void KioskApp::switch_clinic(std::size_t index) {
    const auto& clinics = settings_->device.clinics;
    if (index >= clinics.size()) {
        return;
    }
    std::string role = staff_->role() ? model::role_name(*staff_->role()) : "nobody";
    clinic_index_ = index;
    if (outbox_) {
        if (auto error = outbox_->set_device_choice("clinic", clinics[index])) {
            log_.error("cannot store the clinic staff chose: " + error->describe());
        }
    }
    record_staff_action(role, "switched the clinic to " + clinics[index]);
    staff_notice_ = "Responses now record the clinic " + clinics[index];
}

void KioskApp::send_now() {
    if (!outbox_) {
        staff_notice_ = "Responses cannot be read, so nothing can be sent";
        return;
    }
    auto made_due = outbox_->make_queued_due_now();
    if (made_due.error) {
        staff_notice_ = "Could not send: " + made_due.error->describe();
        log_.error("send now: " + made_due.error->describe());
        return;
    }
    if (!delivery_) {
        staff_notice_ = "Sending is not set up on this kiosk";
        return;
    }
    delivery_->send_now();
    auto waiting = outbox_->count(outbox::ResponseState::queued);
    staff_notice_ = waiting.count > 0
                        ? "Sending " + std::to_string(waiting.count) + " waiting response(s) now"
                        : "Nothing is waiting to be sent";
}

void KioskApp::retry_rejected() {
    if (!outbox_) {
        return;
    }
    auto moved = outbox_->retry_all_rejected();
    if (moved.error) {
        staff_notice_ = "Could not send them again: " + moved.error->describe();
        log_.error("retry rejected: " + moved.error->describe());
        return;
    }
    log_.info(std::to_string(moved.count) + " rejected response(s) queued again by IT");
    staff_notice_ = std::to_string(moved.count) + " refused response(s) will be sent again";
    if (delivery_) {
        delivery_->send_now();
    }
}

void KioskApp::check_connection() {
    auto settings = delivery_settings_from(*settings_);
    if (auto* problem = std::get_if<std::string>(&settings)) {
        connection_result_ = "not checked: " + *problem;
        staff_notice_ = "Connection: " + connection_result_;
        return;
    }
    if (settings_->delivery.endpoint.empty()) {
        connection_result_ = "no endpoint is set";
        staff_notice_ = "Connection: " + connection_result_;
        return;
    }
    auto transport_settings = std::get<delivery::DeliverySettings>(settings).transport;
    auto stop = stop_connection_check_;
    auto check = [transport_settings, stop]() -> std::string {
        auto transport = delivery::CurlTransport::create(transport_settings);
        if (auto* problem = std::get_if<std::string>(&transport)) {
            return "not checked: " + *problem;
        }
        return describe_connection(
            std::get<delivery::CurlTransport>(transport).check_connection(*stop));
    };
    if (clock_.simulated()) {
        connection_result_ = check(); // scripts see the answer at the next step
        staff_notice_ = "Connection checked: see Connection above";
        log_.info("connection check: " + connection_result_);
        return;
    }
    if (connection_check_.valid()) {
        return; // one at a time
    }
    staff_notice_ = "Checking the connection...";
    connection_check_ = std::async(std::launch::async, check);
}

void KioskApp::run_device_command(model::DeviceCommand command) {
    if (command == model::DeviceCommand::restart_app) {
        restart_requested_ = true;
        return;
    }
    const auto& argv = command == model::DeviceCommand::reboot ? settings_->staff.reboot_command
                                                               : settings_->staff.power_off_command;
    if (argv.empty()) {
        return;
    }
    log_.info("running " + argv.front() + " for IT");
    if (auto problem = run_command(argv)) {
        log_.error(*problem);
        record_staff_action("IT", "the command failed: " + *problem);
    }
}

void KioskApp::follow_opening_hours() {
    if (!settings_ || settings_->opening_hours.always_open()) {
        hours_change_at_.reset();
        return;
    }
    const auto& hours = settings_->opening_hours;
    auto local = model::local_time_of(clock_.wall());
    const std::int64_t now = wall_ms();
    if (hours.is_open(local)) {
        if (paused_by_hours_ || hours_pause_waiting_) {
            log_.info("opening time: the kiosk takes responses again");
        }
        paused_by_hours_ = false;
        hours_pause_waiting_ = false;
        resumed_out_of_hours_until_.reset();
    } else {
        if (resumed_out_of_hours_until_ && now >= *resumed_out_of_hours_until_) {
            resumed_out_of_hours_until_.reset();
        }
        if (!resumed_out_of_hours_until_ && !paused_by_hours_) {
            hours_pause_waiting_ = true;
        }
    }
    bool patient_answering = session_ && session_->screen() != model::Screen::welcome;
    bool staff_open = staff_ && staff_->is_open();
    if (hours_pause_waiting_ && !patient_answering && !staff_open) {
        // Closing time never cuts off a patient half-way: it waits for the welcome screen.
        hours_pause_waiting_ = false;
        paused_by_hours_ = true;
        log_.info("closing time: the kiosk is paused until it opens again");
    }
    std::optional<model::MonotonicTime> next;
    if (auto until = hours.until_next_change(local)) {
        next = clock_.monotonic() + *until;
    }
    if (resumed_out_of_hours_until_) {
        auto end =
            clock_.monotonic() + std::chrono::milliseconds(*resumed_out_of_hours_until_ - now);
        next = next ? std::min(*next, end) : end;
    }
    hours_change_at_ = next;
}

void KioskApp::refresh_staff_view() {
    staff_view_refreshed_ = clock_.monotonic();
    if (!staff_ || !staff_->role()) {
        staff_view_ = {}; // nothing of the kiosk's state is gathered before a right PIN
        return;
    }
    ui::StaffView view;
    const std::int64_t now = wall_ms();
    model::KioskFacts facts;
    facts.now_ms = now;
    if (!session_) {
        facts.out_of_service = out_of_service_reason_;
    }
    facts.unsaved_responses = unsaved_.size() + (pending_ ? 1 : 0);
    if (facts.unsaved_responses > 0 && last_save_error_) {
        facts.save_problem = last_save_error_->describe();
        facts.storage_full = last_save_error_->kind == outbox::OutboxError::Kind::full;
    }
    facts.delivery_configured = !settings_->delivery.endpoint.empty();
    facts.paused_by_staff = paused_by_staff_;
    facts.closed_by_hours = paused_by_hours_;
    facts.damaged_database_moved_to =
        moved_aside_database_ ? std::optional(moved_aside_database_->string()) : std::nullopt;

    std::string waiting_text = "-";
    std::string last_sent = "never";
    std::string last_problem = "none";
    std::string today = "-";
    std::string total = "-";
    if (!outbox_) {
        facts.storage_problem = "the response database is not open";
    } else {
        auto status = outbox_->delivery_status();
        if (status.error) {
            facts.storage_problem = status.error->describe();
        } else {
            const auto& d = status.status;
            facts.waiting = d.queued + d.sending;
            facts.rejected = d.rejected;
            facts.oldest_waiting_ms = d.oldest_waiting_created_at_ms;
            facts.last_success_ms = d.last_success_at_ms;
            facts.last_error = d.last_error;
            facts.last_error_ms = d.last_error_at_ms;
            facts.delivery_paused = d.paused;
            facts.delivery_paused_reason = d.paused_reason;
            waiting_text = std::to_string(facts.waiting);
            if (d.oldest_waiting_created_at_ms) {
                waiting_text += " (oldest " +
                                model::duration_words(now - *d.oldest_waiting_created_at_ms) +
                                " old)";
            }
            if (d.last_success_at_ms) {
                last_sent = local_clock_text(*d.last_success_at_ms, now) + " (" +
                            model::duration_words(now - *d.last_success_at_ms) + " ago)";
            }
            if (d.last_error && d.last_error_at_ms) {
                last_problem = local_clock_text(*d.last_error_at_ms, now) + ": " + *d.last_error;
            }
        }
        auto totals = outbox_->response_totals(start_of_local_day(now));
        if (totals.error) {
            facts.storage_problem = totals.error->describe();
        } else {
            today = std::to_string(totals.totals.stored_since);
            total = std::to_string(totals.totals.stored_ever);
            if (totals.totals.since_ms) {
                total += " since " + local_clock_text(*totals.totals.since_ms, now);
            }
        }
    }
    std::string free_disk = "-";
    if (settings_) {
        std::error_code error;
        auto space = std::filesystem::space(settings_->data_dir, error);
        if (!error) {
            facts.free_disk_bytes = space.available;
            free_disk = bytes_text(space.available);
        }
    }
    view.assessment = model::assess_kiosk(facts);
    view.help = settings_->staff.help;
    view.paused = paused();

    std::string language = settings_->session.language;
    for (const auto& questionnaire : questionnaires_) {
        view.questionnaires.push_back(questionnaire.title.in(language));
        view.questionnaire_descriptions.push_back(questionnaire.description);
    }
    view.active_questionnaire =
        questionnaire_ ? static_cast<std::size_t>(questionnaire_ - questionnaires_.data())
                       : questionnaires_.size();
    view.clinics = settings_->device.clinics;
    view.active_clinic = clinic_index_;

    std::string pause_text = "no";
    if (paused_by_staff_) {
        pause_text = "yes, by staff";
    } else if (paused_by_hours_) {
        pause_text = "yes, outside opening hours";
    }
    const auto& hours = settings_->opening_hours;
    std::string hours_text =
        hours.always_open()
            ? "always open"
            : "today " + hours.describe_day(model::local_time_of(clock_.wall()).weekday);
    view.facts = {
        {"Questionnaire", questionnaire_ ? questionnaire_->title.in(language) : "none working"},
        {"Clinic", clinic()},
        {"Responses today", today},
        {"Responses in total", total},
        {"Waiting to send", waiting_text},
        {"Last sent", last_sent},
        {"Last problem", last_problem},
        {"Free storage", free_disk},
        {"Paused", pause_text},
        {"Opening hours", hours_text},
    };

    if (staff_->role() == model::StaffRole::it) {
        std::string certificate = "none (not used)";
        if (!settings_->delivery.client_certificate.empty()) {
            auto expiry = delivery::certificate_expiry(settings_->delivery.client_certificate);
            certificate =
                expiry.index() == 0 ? "expires " + std::get<0>(expiry) : std::get<1>(expiry);
        }
        std::string ca = "the system's";
        if (!settings_->delivery.ca_file.empty()) {
            auto expiry = delivery::certificate_expiry(settings_->delivery.ca_file);
            ca = expiry.index() == 0 ? "expires " + std::get<0>(expiry) : std::get<1>(expiry);
        }
        if (staff_->screen() == model::StaffScreen::it && database_health_.empty() && outbox_) {
            auto health = outbox_->check_health();
            database_health_ = health.error ? health.error->describe()
                               : health.ok
                                   ? "ok (schema " + std::to_string(outbox_->schema_version()) + ")"
                                   : "damaged: " + health.detail;
        }
        view.rejected_count = facts.rejected;
        view.it_facts = {
            {"Device", settings_->device.id},
            {"Site", settings_->device.site},
            {"Software", version_.empty() ? "unknown" : version_},
            {"Endpoint",
             settings_->delivery.endpoint.empty() ? "none set" : settings_->delivery.endpoint},
            {"Client certificate", certificate},
            {"Trusted CA", ca},
            {"Connection", connection_result_.empty() ? "not checked yet" : connection_result_},
            {"Database", database_health_.empty() ? "-" : database_health_},
            {"Database file", outbox_ ? outbox_->file().string() : "not open"},
            {"Refused responses", std::to_string(facts.rejected)},
        };
        if (facts.rejected > 0 && outbox_) {
            auto rejected = outbox_->list(outbox::ResponseState::rejected, 3);
            for (const auto& row : rejected.responses) {
                view.rejected.push_back(
                    "#" + std::to_string(row.id) + ": HTTP " +
                    (row.last_status ? std::to_string(*row.last_status) : std::string("-")) + ": " +
                    row.last_error.value_or("no reason given"));
            }
        }
    }
    staff_view_ = std::move(view);
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
    const ui::Strings& strings = words();
    std::string label = character == " " ? strings.get("keyboard.space") : character;
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
        if (upper && !record_.targets_labelled(strings.get("keyboard.shift")).empty()) {
            return tap_label(strings.get("keyboard.shift"), problem) && tap_label(label, problem);
        }
        if (!record_.targets_labelled(other).empty()) {
            return tap_label(other, problem);
        }
    }
    // Switch between letters and numbers, then look again.
    for (const char* mode : {"keyboard.numbers", "keyboard.letters"}) {
        if (!record_.targets_labelled(strings.get(mode)).empty()) {
            if (!tap_label(strings.get(mode), problem)) {
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

void KioskApp::let_time_pass(std::chrono::milliseconds duration, const std::string& where,
                             std::vector<std::string>& failures) {
    auto end = clock_.monotonic() + duration;
    for (;;) {
        auto due = next_timer();
        if (!due || *due > end) {
            break;
        }
        // Never stand still: a timer that stays due must not hold the script for ever.
        clock_.advance_to(std::max(*due, clock_.monotonic() + std::chrono::milliseconds(1)));
        run_timers();
        check_frame(where, failures);
    }
    clock_.advance_to(end);
    run_timers();
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
            // A patient taps the answer box to open the keyboard first.
            const ui::Strings& strings = words();
            if (record_.targets_labelled(strings.get("keyboard.space")).empty() &&
                !record_.targets_labelled(strings.get("question.tap_to_type")).empty()) {
                ok = tap_label(strings.get("question.tap_to_type"), problem);
            }
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
        case ScriptStep::Kind::wait:
            let_time_pass(step.duration, where, outcome.failures);
            break;
        case ScriptStep::Kind::hold:
            pointer_down(step.x, step.y);
            let_time_pass(step.duration, where, outcome.failures);
            pointer_up(step.x, step.y);
            break;
        case ScriptStep::Kind::drag: {
            constexpr int kMoves = 24;
            pointer_down(step.x, step.y);
            for (int i = 1; i <= kMoves; ++i) {
                float along = static_cast<float>(i) / kMoves;
                pointer_moved(step.x + (step.x2 - step.x) * along,
                              step.y + (step.y2 - step.y) * along);
            }
            pointer_up(step.x2, step.y2);
            break;
        }
        case ScriptStep::Kind::set_clock:
            clock_.set_wall(step.wall);
            run_timers();
            break;
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
        case ScriptStep::Kind::expect_spoken: {
            // Speech is made on the reader's thread: wait (in real time) until it is done.
            const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
            // Headless speech "plays" until the simulated clock moves on, so stop waiting once
            // it has started.
            const auto* kept = dynamic_cast<const KeptSpeech*>(speaker_.get());
            while (reader_ && reader_->busy() && !(kept != nullptr && kept->playing()) &&
                   std::chrono::steady_clock::now() < give_up) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            if (!reader_) {
                ok = false;
                problem = "nothing was read aloud: read-aloud is off";
            } else if (last_read_aloud_.find(step.text) == std::string::npos) {
                ok = false;
                problem = "expected the words read aloud to contain \"" + step.text +
                          "\" but they were \"" + last_read_aloud_ + "\"";
            } else if (kept != nullptr && kept->seconds() <= 0.0) {
                ok = false;
                problem = "the words were not made into sound" +
                          (reader_->last_error() ? ": " + reader_->last_error()->message : "");
            }
            break;
        }
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
        if (restart_requested_) {
            if (&step != &steps.back()) {
                outcome.failures.push_back(where + ": the kiosk stopped here to restart; the steps "
                                                   "after this one cannot run");
            }
            break;
        }
    }
    outcome.passed = outcome.failures.empty();
    return outcome;
}

} // namespace kiosk::app
