#include "platform/sdl_video.hpp"

#include <algorithm>
#include <string_view>

namespace kiosk::platform {

std::variant<SdlVideo, std::string> SdlVideo::open(const VideoOptions& options) {
    if (options.headless) {
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    }
    // Closing the window (Alt+F4, a window manager's close) must not end the kiosk; only a
    // signal from the service manager does, and SDL reports those as SDL_QUIT.
    SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0");
    // Touch panels send touch events; SDL also turns them into mouse events, which is what the
    // screens use. A real mouse must not also pretend to be a finger.
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "1");
    // Without this, SDL's software renderer presents through OpenGL when the X server offers
    // GLX, which loads Mesa (about 75 MB) on a machine without a GPU. The renderer setting
    // chooses the path on purpose.
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, options.accelerated ? "1" : "0");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");

    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        return std::string("SDL could not start the video system: ") + SDL_GetError();
    }
    SdlVideo video;
    video.session_ = std::make_unique<SdlSession>();

    // No ALLOW_HIGHDPI: touch positions arrive in window units, and drawing in the same units
    // keeps every tap on the button it landed on, whatever scaling the desktop applies.
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (options.fullscreen && !options.headless) {
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_BORDERLESS;
    }
    video.window_.reset(SDL_CreateWindow(options.title.c_str(), SDL_WINDOWPOS_CENTERED,
                                         SDL_WINDOWPOS_CENTERED, options.width, options.height,
                                         flags));
    if (!video.window_) {
        return std::string("SDL could not open the window: ") + SDL_GetError();
    }
    Uint32 renderer_flags = options.accelerated ? SDL_RENDERER_ACCELERATED : SDL_RENDERER_SOFTWARE;
    video.renderer_.reset(SDL_CreateRenderer(video.window_.get(), -1, renderer_flags));
    if (!video.renderer_) {
        return std::string("SDL could not create the renderer: ") + SDL_GetError();
    }
    if (options.kiosk_mode) {
        SDL_ShowCursor(SDL_DISABLE);
    }
    SDL_StopTextInput(); // the on-screen keyboard is the only keyboard a patient needs
    return video;
}

int SdlVideo::width() const {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer_.get(), &w, &h);
    return w;
}

int SdlVideo::height() const {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer_.get(), &w, &h);
    return h;
}

std::string SdlVideo::renderer_name() const {
    SDL_RendererInfo info{};
    if (SDL_GetRendererInfo(renderer_.get(), &info) != 0) {
        return "unknown";
    }
    return info.name;
}

} // namespace kiosk::platform

namespace kiosk::platform {

bool SdlVideo::wait_for_event(SDL_Event& event, int timeout_ms) const {
    const char* driver = SDL_GetCurrentVideoDriver();
    std::string_view name = driver != nullptr ? driver : "";
    if (name == "x11" || name == "wayland") {
        return timeout_ms < 0 ? SDL_WaitEvent(&event) != 0
                              : SDL_WaitEventTimeout(&event, timeout_ms) != 0;
    }
    constexpr Uint32 kLookEveryMs = 10;
    const Uint64 start = SDL_GetTicks64();
    for (;;) {
        SDL_PumpEvents();
        if (SDL_PeepEvents(&event, 1, SDL_GETEVENT, SDL_FIRSTEVENT, SDL_LASTEVENT) > 0) {
            return true;
        }
        Uint64 waited = SDL_GetTicks64() - start;
        if (timeout_ms >= 0 && waited >= static_cast<Uint64>(timeout_ms)) {
            return false;
        }
        Uint64 left = timeout_ms < 0 ? kLookEveryMs : static_cast<Uint64>(timeout_ms) - waited;
        SDL_Delay(static_cast<Uint32>(std::min<Uint64>(kLookEveryMs, left)));
    }
}

} // namespace kiosk::platform
