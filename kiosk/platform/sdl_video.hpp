#pragma once
// The SDL window and renderer, owned together: SDL is started when this is made and stopped
// when it goes, so no SDL handle outlives SDL itself.

#include <SDL.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace kiosk::platform {

struct VideoOptions {
    bool headless = false; // SDL's dummy video driver: nothing reaches a real screen
    bool fullscreen = true;
    int width = 1280;
    int height = 800;
    bool accelerated = false; // GPU rendering; otherwise the CPU draws into the framebuffer
    bool kiosk_mode = true;   // no pointer shown; closing the window does not quit
    std::string title = "Patient feedback";
};

class SdlVideo {
public:
    // Starts SDL and opens the window; on failure says what SDL said.
    static std::variant<SdlVideo, std::string> open(const VideoOptions& options);

    SdlVideo(SdlVideo&&) noexcept = default;
    SdlVideo& operator=(SdlVideo&&) = delete; // would stop SDL before the old window closes
    ~SdlVideo() = default;

    SDL_Window* window() const { return window_.get(); }
    SDL_Renderer* renderer() const { return renderer_.get(); }
    // The size drawn to, in pixels.
    int width() const;
    int height() const;
    std::string renderer_name() const;

    // Waits up to `timeout_ms` (forever when negative) for an event. SDL 2.26 sleeps in the
    // kernel only on desktop video drivers (x11, wayland); on the console's KMS/DRM driver (a
    // Raspberry Pi without a desktop) and the dummy driver its own wait looks for input every
    // millisecond, a thousand wake-ups a second on an idle kiosk. There this looks every
    // 10 ms instead: a tenth of the wake-ups, and a touch still answered within a frame.
    bool wait_for_event(SDL_Event& event, int timeout_ms) const;

private:
    struct SdlSession {
        ~SdlSession() { SDL_Quit(); }
    };
    struct WindowDeleter {
        void operator()(SDL_Window* window) const { SDL_DestroyWindow(window); }
    };
    struct RendererDeleter {
        void operator()(SDL_Renderer* renderer) const { SDL_DestroyRenderer(renderer); }
    };
    SdlVideo() = default;

    // Declared first so it is destroyed last, after the window and renderer.
    std::unique_ptr<SdlSession> session_;
    std::unique_ptr<SDL_Window, WindowDeleter> window_;
    std::unique_ptr<SDL_Renderer, RendererDeleter> renderer_;
};

} // namespace kiosk::platform
