// make bench: the first frame of a screen in a newly chosen language, shaping included.
// usage: language_frame_bench SETTINGS.toml [REPEATS]   (default 5 repeats)
//
// The kiosk's own drawing path, headless: SDL's dummy video driver and software renderer, a Dear
// ImGui context, the ImGui SDL renderer, an SDL texture store and a TextPainter with the
// settings' fonts; the settings' questionnaire "friends-and-family-test" and languages. Each
// frame timed is what KioskApp::build_frame() and present() do: ImGui::NewFrame, draw_screen in
// the session's language with that language's words (mirrored for right-to-left),
// ImGui::Render, clear, the ImGui renderer, TextPainter::after_frame and SDL_RenderPresent. The
// one addition is an SDL_RenderFlush before SDL_RenderPresent, so that the software rasteriser's
// share (which SDL_RenderPresent would otherwise run) can be told apart; the work is the same.
// Loading the words files and the questionnaire happens at start-up in the app, so not here.
// Taps are not simulated: in the app a tap on a language also builds the list's frame once
// more (all cached) before the new language's frame; that is not counted.
//
// For each language, with a new TextPainter (nothing cached, no font opened) each time:
//   as a patient: the welcome in the device's language, then the list of languages (both
//     untimed: this is how a patient reaches a language, and leaves the Latin fonts open and
//     each language's own name drawn), then ChooseLanguage: the welcome in that language is
//     timed ("welcome"), drawn again ("again": all cached), then Start: the first question
//     ("question"), and drawn again.
//   cold: ChooseLanguage on a painter that has drawn nothing at all, so the frame also opens
//     every font it needs, the Latin ones too ("cold").
// Each figure is the median of the repeats. The target is for the first frame of a screen in
// the new language: the larger of "welcome" and "question".
//
// Where the time goes, for the language slowest in CPU time: the frame's parts as timed, and,
// after each first welcome and question frame (outside its timing), its clear, ImGui's shapes
// and its text rasterised again each on their own. Last, one painter taken through every
// language says what its cache then holds, and this process's memory.

#include "model/questionnaire_loader.hpp"
#include "model/session.hpp"
#include "platform/imgui_sdl_renderer.hpp"
#include "platform/sdl_texture_store.hpp"
#include "platform/sdl_video.hpp"
#include "settings/settings.hpp"
#include "ui/screens.hpp"
#include "ui/strings.hpp"
#include "ui/text_painter.hpp"
#include "ui/theme.hpp"

#include <imgui.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace kiosk;
using Clock = std::chrono::steady_clock;

constexpr double kTargetMs = 50.0;

double ms_since(Clock::time_point start, Clock::time_point end) {
    return std::chrono::duration<double, std::milli>(end - start).count();
}

// CPU time of the whole process (SDL's software renderer draws on this thread), in ms: what
// the frame costs when other processes share the cores, where the wall clock also counts the
// time it waited for one.
double cpu_ms() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// A field of /proc/self/status in KiB ("VmRSS:", "VmHWM:", "RssAnon:"), or -1.
long status_kib(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field, 0) == 0) {
            return std::stol(line.substr(field.size()));
        }
    }
    return -1;
}

// Resident KiB of the font files this process has mapped (FreeType maps each face's file), and
// how many mappings.
std::pair<long, int> font_mappings_kib() {
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool font = false;
    long kib = 0;
    int mappings = 0;
    while (std::getline(smaps, line)) {
        const bool header = !line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
                            line.find('-') != std::string::npos && line.find(':') > line.find(' ');
        if (header) {
            const auto ends = [&](const char* suffix) {
                const std::string end(suffix);
                return line.size() >= end.size() &&
                       line.compare(line.size() - end.size(), end.size(), end) == 0;
            };
            font = ends(".ttf") || ends(".ttc") || ends(".otf");
            mappings += font ? 1 : 0;
        } else if (font && line.rfind("Rss:", 0) == 0) {
            kib += std::stol(line.substr(4));
        }
    }
    return {kib, mappings};
}

// The SDL texture store, with the CPU time its uploads take.
class TimedTextureStore : public ui::TextureStore {
public:
    explicit TimedTextureStore(SDL_Renderer* renderer) : store_(renderer) {}
    ImTextureID upload(const text::TextBitmap& bitmap) override {
        const double start = cpu_ms();
        ImTextureID texture = store_.upload(bitmap);
        upload_ms_ += cpu_ms() - start;
        return texture;
    }
    void release(ImTextureID texture) override { store_.release(texture); }
    double upload_ms() const { return upload_ms_; }

private:
    platform::SdlTextureStore store_;
    double upload_ms_ = 0;
};

struct FrameTime {
    double wall_ms = 0;    // the whole frame, by the clock on the wall
    double cpu_ms = 0;     // the whole frame, CPU time; the parts below are CPU time too
    double ui_ms = 0;      // NewFrame to Render: layout, shaping, text bitmaps, texture uploads
    double upload_ms = 0;  // of ui_ms: SDL textures made for new lines
    double queue_ms = 0;   // the ImGui renderer queueing its triangles with SDL
    double raster_ms = 0;  // SDL_RenderFlush: the software rasteriser runs the queue
    double present_ms = 0; // after_frame and SDL_RenderPresent
    std::size_t lines_shaped = 0;
    std::size_t faces_loaded = 0; // faces open after the frame
    // Drawn again, apart, after the frame (the `split` frames only): CPU ms of rasterising the
    // clear alone, ImGui's own shapes alone (buttons, panels, icons: triangles textured with
    // ImGui's font atlas), and the lines of text alone (one textured quad each).
    double clear_alone_ms = 0;
    double shapes_alone_ms = 0;
    double text_alone_ms = 0;
    // The same shapes with no texture: the pixels are the same (they sample the atlas's white
    // pixel), but SDL then fills the triangles instead of sampling a texture for each pixel.
    double shapes_untextured_ms = 0;
    double background_alone_ms = -1; // the full-screen background quad alone; -1: none found
    int shape_triangles = 0;
    int text_quads = 0;
    double shape_megapixels = 0; // the shapes' triangles' area, overlaps counted again
};

// What the app holds to draw a frame.
class Screen {
public:
    Screen(platform::SdlVideo& video, const settings::Settings& settings,
           const std::map<std::string, ui::Strings>& words,
           std::vector<ui::LanguageOption> languages)
        : video_(video), settings_(settings), words_(words), languages_(std::move(languages)),
          metrics_(ui::Metrics::for_dpi(settings.display.dpi)) {
        context_ = ImGui::CreateContext();
        ImGui::SetCurrentContext(context_);
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.LogFilename = nullptr;
        io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
        io.MousePos = {-FLT_MAX, -FLT_MAX}; // nobody touching: no hover, no press
        ImGuiStyle& style = ImGui::GetStyle();
        style.WindowPadding = {0, 0};
        style.WindowBorderSize = 0;
        style.WindowRounding = 0;
        style.ItemSpacing = {0, 0};
        style.AntiAliasedLinesUseTex = false;
        io.Fonts->AddFontDefault();
        renderer_ = std::make_unique<platform::ImGuiSdlRenderer>(video_.renderer());
        if (auto problem = renderer_->upload_fonts(*io.Fonts)) {
            std::fprintf(stderr, "language_frame_bench: %s\n", problem->c_str());
            std::exit(1);
        }
        textures_ = std::make_unique<TimedTextureStore>(video_.renderer());
    }
    ~Screen() {
        painter_.reset();
        textures_.reset();
        renderer_.reset();
        ImGui::DestroyContext(context_);
    }
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;

    // A new painter: nothing shaped, no font open, as after the app starts.
    void new_painter() {
        painter_.reset();
        painter_ = std::make_unique<ui::TextPainter>(text::FontFile{settings_.display.font},
                                                     text::FontFile{settings_.display.bold_font},
                                                     *textures_);
        painter_->set_sizes(metrics_);
    }

    ui::TextPainterFigures figures() const { return painter_->figures(); }

    // One whole frame of `session`'s screen, as KioskApp::build_frame() and present() draw it.
    FrameTime frame(const model::Session& session, bool split = false) {
        FrameTime time;
        const std::size_t shaped_before = painter_->figures().lines_shaped;
        const double uploaded_before = textures_->upload_ms();
        const double cpu_start = cpu_ms();
        const auto start = Clock::now();
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = {static_cast<float>(video_.width()), static_cast<float>(video_.height())};
        io.DeltaTime = 1.0f / 60;
        ImGui::NewFrame();
        ImGui::SetNextWindowPos({0, 0});
        ImGui::SetNextWindowSize(io.DisplaySize);
        ImGui::Begin("kiosk", nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                         ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoSavedSettings |
                         ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground |
                         ImGuiWindowFlags_NoNav);
        painter_->set_sizes(metrics_, 1.0f);
        auto words = words_.find(session.language());
        ui::UiContext context{theme_,
                              metrics_,
                              *painter_,
                              words != words_.end() ? words->second : english_,
                              record_,
                              io.DisplaySize,
                              ImGui::GetWindowDrawList()};
        context.language = session.language();
        context.mirrored = ui::is_right_to_left_language(context.language);
        ui::ScreenInput input;
        input.session = &session;
        input.service = settings_.device.service;
        input.site = settings_.device.site;
        input.languages = languages_;
        // As with a voice for every language: the read-aloud button's words are drawn too.
        input.can_read_aloud = true;
        ui::draw_screen(context, input, state_);
        ImGui::End();
        ImGui::Render();
        const double cpu_built = cpu_ms();

        SDL_Renderer* renderer = video_.renderer();
        SDL_SetRenderDrawColor(renderer, theme_.background.r, theme_.background.g,
                               theme_.background.b, 255);
        SDL_RenderClear(renderer);
        renderer_->render(ImGui::GetDrawData());
        const double cpu_queued = cpu_ms();
        SDL_RenderFlush(renderer);
        const double cpu_rasterised = cpu_ms();
        painter_->after_frame();
        SDL_RenderPresent(renderer);
        const auto presented = Clock::now();
        const double cpu_presented = cpu_ms();

        for (const auto& problem : record_.layout_problems) {
            std::fprintf(stderr, "language_frame_bench: %s, screen %s: %s\n",
                         session.language().c_str(), record_.screen.c_str(), problem.c_str());
        }
        const auto figures = painter_->figures();
        time.wall_ms = ms_since(start, presented);
        time.cpu_ms = cpu_presented - cpu_start;
        time.ui_ms = cpu_built - cpu_start;
        time.upload_ms = textures_->upload_ms() - uploaded_before;
        time.queue_ms = cpu_queued - cpu_built;
        time.raster_ms = cpu_rasterised - cpu_queued;
        time.present_ms = cpu_presented - cpu_rasterised;
        time.lines_shaped = figures.lines_shaped - shaped_before;
        time.faces_loaded = figures.faces_loaded;
        if (split) {
            split_raster(time);
        }
        return time;
    }

private:
    // Rasterises the last frame's clear, its shapes and its text apart (drawn over the frame,
    // never presented).
    void split_raster(FrameTime& time) {
        SDL_Renderer* renderer = video_.renderer();
        double start = cpu_ms();
        SDL_RenderClear(renderer);
        SDL_RenderFlush(renderer);
        time.clear_alone_ms = cpu_ms() - start;
        const ImTextureID atlas = ImGui::GetIO().Fonts->TexID;
        enum class Part { shapes, text, shapes_untextured, background };
        for (const Part part :
             {Part::shapes, Part::text, Part::shapes_untextured, Part::background}) {
            const bool shapes = part != Part::text;
            const ImDrawData* all = ImGui::GetDrawData();
            std::vector<ImDrawList*> lists;
            for (int i = 0; i < all->CmdListsCount; ++i) {
                ImDrawList* list = all->CmdLists[i]->CloneOutput();
                ImVector<ImDrawCmd> kept;
                for (const ImDrawCmd& command : list->CmdBuffer) {
                    if ((command.GetTexID() == atlas) == shapes) {
                        kept.push_back(command);
                        if (part == Part::shapes_untextured) {
                            kept.back().TextureId = nullptr;
                        } else if (part == Part::background) {
                            // The screen's first shape, when it is a quad over the whole screen:
                            // the background the screens fill (over the clear).
                            kept.back().ElemCount = 6;
                            if (kept.size() > 1 || i > 0 ||
                                !covers_screen(*list, kept.back(), ImGui::GetIO().DisplaySize)) {
                                kept.pop_back();
                            }
                        } else if (part == Part::shapes) {
                            time.shape_triangles += static_cast<int>(command.ElemCount) / 3;
                            time.shape_megapixels += area(*list, command) / 1e6;
                        } else {
                            time.text_quads += static_cast<int>(command.ElemCount) / 6;
                        }
                    }
                }
                list->CmdBuffer.swap(kept);
                lists.push_back(list);
            }
            ImDrawData drawn = *all;
            drawn.CmdLists = lists.data();
            drawn.CmdListsCount = static_cast<int>(lists.size());
            start = cpu_ms();
            renderer_->render(&drawn);
            SDL_RenderFlush(renderer);
            const double took = cpu_ms() - start;
            switch (part) {
            case Part::shapes:
                time.shapes_alone_ms = took;
                break;
            case Part::text:
                time.text_alone_ms = took;
                break;
            case Part::shapes_untextured:
                time.shapes_untextured_ms = took;
                break;
            case Part::background: {
                bool any = false;
                for (const ImDrawList* list : lists) {
                    any = any || !list->CmdBuffer.empty();
                }
                time.background_alone_ms = any ? took : -1;
                break;
            }
            }
            for (ImDrawList* list : lists) {
                IM_DELETE(list);
            }
        }
    }

    // Whether the first six indices of `command` make a quad over the whole screen.
    static bool covers_screen(const ImDrawList& list, const ImDrawCmd& command, ImVec2 screen) {
        if (command.ElemCount < 6) {
            return false;
        }
        ImVec2 low{FLT_MAX, FLT_MAX};
        ImVec2 high{-FLT_MAX, -FLT_MAX};
        for (unsigned int i = 0; i < 6; ++i) {
            const ImDrawIdx index = list.IdxBuffer[static_cast<int>(command.IdxOffset + i)];
            const ImVec2 at = list.VtxBuffer[static_cast<int>(command.VtxOffset + index)].pos;
            low = {std::min(low.x, at.x), std::min(low.y, at.y)};
            high = {std::max(high.x, at.x), std::max(high.y, at.y)};
        }
        return low.x <= 0 && low.y <= 0 && high.x >= screen.x && high.y >= screen.y;
    }

    // The pixels the triangles of `command` cover, counting overlaps again.
    static double area(const ImDrawList& list, const ImDrawCmd& command) {
        double pixels = 0;
        for (unsigned int i = 0; i + 2 < command.ElemCount; i += 3) {
            const ImDrawIdx* index = list.IdxBuffer.Data + command.IdxOffset + i;
            const ImVec2 a = list.VtxBuffer[static_cast<int>(command.VtxOffset + index[0])].pos;
            const ImVec2 b = list.VtxBuffer[static_cast<int>(command.VtxOffset + index[1])].pos;
            const ImVec2 c = list.VtxBuffer[static_cast<int>(command.VtxOffset + index[2])].pos;
            pixels += std::abs((b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y)) / 2.0;
        }
        return pixels;
    }

    platform::SdlVideo& video_;
    const settings::Settings& settings_;
    const std::map<std::string, ui::Strings>& words_;
    std::vector<ui::LanguageOption> languages_;
    ui::Strings english_;
    ui::Theme theme_;
    ui::Metrics metrics_;
    ImGuiContext* context_ = nullptr;
    std::unique_ptr<platform::ImGuiSdlRenderer> renderer_;
    std::unique_ptr<TimedTextureStore> textures_;
    std::unique_ptr<ui::TextPainter> painter_;
    ui::FrameRecord record_;
    ui::ScreenState state_;
};

// The frames of one language, one of each per repeat.
struct Samples {
    std::vector<FrameTime> welcome, again, question, question_again, cold, list;
};

template <typename T> double median_of(const std::vector<FrameTime>& frames, T FrameTime::*field) {
    std::vector<double> values;
    for (const auto& frame : frames) {
        values.push_back(static_cast<double>(frame.*field));
    }
    return median(values);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: language_frame_bench SETTINGS.toml [REPEATS]\n");
        return 2;
    }
    const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;

    auto loaded = settings::load_settings_file(argv[1]);
    if (!loaded.settings) {
        for (const auto& problem : loaded.problems) {
            std::fprintf(stderr, "%s\n", problem.to_string().c_str());
        }
        return 1;
    }
    const settings::Settings& settings = *loaded.settings;
    std::string fft;
    for (const auto& file : settings.questionnaires) {
        if (file.stem() == "friends-and-family-test") {
            fft = file.string();
        }
    }
    if (fft.empty()) {
        std::fprintf(stderr,
                     "language_frame_bench: the settings list no friends-and-family-test\n");
        return 1;
    }
    auto questionnaire = model::load_questionnaire_file(fft);
    if (!questionnaire.questionnaire) {
        std::fprintf(stderr, "language_frame_bench: %s does not load\n", fft.c_str());
        return 1;
    }
    const std::filesystem::path assets =
        settings.assets_dir.empty() ? std::filesystem::path(KIOSK_ASSETS_DIR) : settings.assets_dir;
    // As KioskApp::load_languages at start-up: every language's words, and its own name.
    std::map<std::string, ui::Strings> words;
    std::vector<ui::LanguageOption> languages;
    for (const auto& tag : settings.session.languages) {
        ui::Strings strings;
        if (auto problem = strings.load(assets, tag)) {
            std::fprintf(stderr, "language_frame_bench: %s\n", problem->c_str());
        }
        languages.push_back({tag, strings.get("language.name")});
        words.emplace(tag, std::move(strings));
    }
    const std::string device_language = settings.session.language;

    platform::VideoOptions options;
    options.headless = true;
    options.fullscreen = false;
    options.width = settings.display.width;
    options.height = settings.display.height;
    options.accelerated = false;
    auto opened = platform::SdlVideo::open(options);
    if (auto* problem = std::get_if<std::string>(&opened)) {
        std::fprintf(stderr, "language_frame_bench: %s\n", problem->c_str());
        return 1;
    }
    auto& video = std::get<platform::SdlVideo>(opened);

    std::map<std::string, Samples> samples;
    char cache_line[512] = "";
    {
        Screen screen(video, settings, words, languages);
        const auto& fft_questionnaire = *questionnaire.questionnaire;
        const auto now = Clock::now();
        for (int repeat = 0; repeat < repeats; ++repeat) {
            for (const auto& language : languages) {
                Samples& s = samples[language.tag];

                // Cold: the first frame this painter draws at all.
                screen.new_painter();
                model::Session cold(fft_questionnaire, {}, device_language);
                cold.apply(model::action::ChooseLanguage{language.tag}, now);
                s.cold.push_back(screen.frame(cold));

                // As a patient: the device's welcome, the list, then the language.
                screen.new_painter();
                model::Session session(fft_questionnaire, {}, device_language);
                screen.frame(session);
                session.apply(model::action::ShowLanguages{}, now);
                s.list.push_back(screen.frame(session));
                session.apply(model::action::ChooseLanguage{language.tag}, now);
                s.welcome.push_back(screen.frame(session, true));
                s.again.push_back(screen.frame(session));
                session.apply(model::action::Start{}, now);
                s.question.push_back(screen.frame(session, true));
                s.question_again.push_back(screen.frame(session));
            }
        }

        // One painter through every language, as run-bench.sh's script takes the kiosk: the
        // list, the welcome, Start, the first question, Start again.
        screen.new_painter();
        model::Session session(fft_questionnaire, {}, device_language);
        screen.frame(session);
        for (const auto& language : languages) {
            session.apply(model::action::ShowLanguages{}, now);
            screen.frame(session);
            session.apply(model::action::ChooseLanguage{language.tag}, now);
            screen.frame(session);
            session.apply(model::action::Start{}, now);
            screen.frame(session);
            session.apply(model::action::StartOver{}, now);
            screen.frame(session);
            session.apply(model::action::ConfirmStartOver{}, now);
            screen.frame(session);
        }
        const auto figures = screen.figures();
        const auto [font_kib, font_maps] = font_mappings_kib();
        std::snprintf(
            cache_line, sizeof cache_line,
            "TextPainter after every language (list, welcome, question, start again): %zu "
            "lines cached in %.1f MB (textures at 4 bytes a pixel), %zu lines shaped, %zu "
            "reused, %zu font faces open; this process: %.1f MB resident, of which %.1f MB "
            "heap and other anonymous memory, %.1f MB of font files in %d mappings\n",
            figures.cached_lines, static_cast<double>(figures.cached_bytes) / (1 << 20),
            figures.lines_shaped, figures.lines_reused, figures.faces_loaded,
            static_cast<double>(status_kib("VmRSS:")) / 1024,
            static_cast<double>(status_kib("RssAnon:")) / 1024,
            static_cast<double>(font_kib) / 1024, font_maps);
    }

    double load = 0;
    if (std::FILE* loadavg = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(loadavg, "%lf", &load) != 1) {
            load = 0;
        }
        std::fclose(loadavg);
    }
    std::printf("median of %d repeats, %dx%d. ms: one whole frame on the wall clock (ImGui, "
                "draw_screen with shaping, SDL software render, present), which also counts time "
                "spent waiting for a core (load average now %.1f on %ld cores); cpu: its CPU time; "
                "ui: CPU in NewFrame..Render (layout, shaping, text bitmaps, textures); lines: "
                "lines shaped in the frame\n",
                repeats, settings.display.width, settings.display.height, load,
                sysconf(_SC_NPROCESSORS_ONLN));
    std::printf("%-8s | %-27s | %-20s | %-12s | %-19s | %s\n", "", "welcome, first frame",
                "question, first", "welcome again", "welcome, cold", "first frame");
    std::printf("%-8s | %6s %6s %6s %5s | %6s %6s %5s | %5s %6s | %5s %6s %5s | %s\n", "language",
                "ms", "cpu", "ui", "lines", "ms", "cpu", "lines", "ms", "cpu", "ms", "cpu", "fonts",
                "max ms (cpu) vs 50");
    double worst = 0;
    double worst_cpu = 0;
    std::string worst_language; // by CPU time
    std::string worst_wall_language;
    std::vector<FrameTime> lists;
    for (const auto& language : languages) {
        const Samples& s = samples[language.tag];
        lists.insert(lists.end(), s.list.begin(), s.list.end());
        const double welcome = median_of(s.welcome, &FrameTime::wall_ms);
        const double question = median_of(s.question, &FrameTime::wall_ms);
        const double welcome_cpu = median_of(s.welcome, &FrameTime::cpu_ms);
        const double question_cpu = median_of(s.question, &FrameTime::cpu_ms);
        const double most = std::max(welcome, question);
        const double most_cpu = std::max(welcome_cpu, question_cpu);
        if (most_cpu > worst_cpu) {
            worst_cpu = most_cpu;
            worst_language = language.tag;
        }
        if (most > worst) {
            worst = most;
            worst_wall_language = language.tag;
        }
        const bool device = language.tag == device_language;
        std::printf("%-8s | %6.1f %6.1f %6.1f %4.0f%s | %6.1f %6.1f %5.0f | %5.1f %6.1f | %5.1f "
                    "%6.1f %5.0f | %5.1f (%4.1f) %s\n",
                    language.tag.c_str(), welcome, welcome_cpu,
                    median_of(s.welcome, &FrameTime::ui_ms),
                    median_of(s.welcome, &FrameTime::lines_shaped), device ? "*" : " ", question,
                    question_cpu, median_of(s.question, &FrameTime::lines_shaped),
                    median_of(s.again, &FrameTime::wall_ms), median_of(s.again, &FrameTime::cpu_ms),
                    median_of(s.cold, &FrameTime::wall_ms), median_of(s.cold, &FrameTime::cpu_ms),
                    median_of(s.cold, &FrameTime::faces_loaded), most, most_cpu,
                    most < kTargetMs ? "ok" : "OVER");
    }
    if (samples.count(device_language) != 0) {
        std::printf("* %s is the device's language: its welcome was drawn before the list, so "
                    "that frame is a redraw\n",
                    device_language.c_str());
    }
    std::printf("the list of languages, first frame (all %zu names, each in its own fonts): %.1f "
                "ms (cpu %.1f, ui %.1f)\n",
                languages.size(), median_of(lists, &FrameTime::wall_ms),
                median_of(lists, &FrameTime::cpu_ms), median_of(lists, &FrameTime::ui_ms));

    // Where the time of the slowest language's first frames goes.
    if (!worst_language.empty()) {
        const Samples& s = samples[worst_language];
        auto row = [](const char* what, double welcome, double question) {
            std::printf("  %-70s %7.1f %8.1f\n", what, welcome, question);
        };
        auto both = [&](double FrameTime::*field, const char* what) {
            row(what, median_of(s.welcome, field), median_of(s.question, field));
        };
        std::printf("where the CPU time of %s's first frames goes (ms):%*s welcome question\n",
                    worst_language.c_str(), static_cast<int>(26 - worst_language.size()), "");
        both(&FrameTime::cpu_ms, "the whole frame");
        row("ImGui and the screen with every line already made (its redraw)",
            median_of(s.again, &FrameTime::ui_ms), median_of(s.question_again, &FrameTime::ui_ms));
        row("new lines: fonts opened, shaping, wrapping, FreeType (the rest of ui)",
            median_of(s.welcome, &FrameTime::ui_ms) - median_of(s.again, &FrameTime::ui_ms) -
                median_of(s.welcome, &FrameTime::upload_ms),
            median_of(s.question, &FrameTime::ui_ms) -
                median_of(s.question_again, &FrameTime::ui_ms) -
                median_of(s.question, &FrameTime::upload_ms));
        both(&FrameTime::upload_ms, "new lines: SDL textures made (SdlTextureStore::upload)");
        both(&FrameTime::queue_ms, "SDL: the draw lists queued (ImGuiSdlRenderer::render)");
        both(&FrameTime::raster_ms, "SDL: software rasteriser (SDL_RenderFlush)");
        both(&FrameTime::clear_alone_ms, "  apart: the clear alone");
        if (median_of(s.welcome, &FrameTime::background_alone_ms) >= 0) {
            both(&FrameTime::background_alone_ms,
                 "  apart: the full-screen background quad alone (over the clear)");
        }
        both(&FrameTime::shapes_alone_ms,
             "  apart: ImGui's shapes alone, background included (atlas-textured)");
        both(&FrameTime::shapes_untextured_ms,
             "  apart: the same shapes untextured (same pixels; the app does not)");
        both(&FrameTime::text_alone_ms, "  apart: the lines of text alone (a textured quad each)");
        both(&FrameTime::present_ms, "SDL_RenderPresent (to the window; dummy driver)");
        std::printf(
            "  (shapes: %.0f triangles covering %.2f Mpixel on the welcome, %.0f covering %.2f "
            "Mpixel on the question; the screen is %.2f Mpixel. Text: %.0f and %.0f "
            "quads)\n",
            median_of(s.welcome, &FrameTime::shape_triangles),
            median_of(s.welcome, &FrameTime::shape_megapixels),
            median_of(s.question, &FrameTime::shape_triangles),
            median_of(s.question, &FrameTime::shape_megapixels),
            settings.display.width * settings.display.height / 1e6,
            median_of(s.welcome, &FrameTime::text_quads),
            median_of(s.question, &FrameTime::text_quads));
    }
    std::fputs(cache_line, stdout);
    std::printf("first frame of a screen in a newly chosen language: max %.1f ms (%s), of CPU "
                "time max %.1f ms (%s); target < %.0f ms\n",
                worst, worst_wall_language.c_str(), worst_cpu, worst_language.c_str(), kTargetMs);
    return 0;
}
