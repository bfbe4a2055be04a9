#pragma once
// Draws Dear ImGui's output with SDL_Renderer.
//
// Debian's libimgui-dev (1.86) ships the SDL_Renderer backend's header but not its source,
// and libimgui.a does not contain it. Rather than depend on a file the package may not have,
// this is our own small renderer on SDL_RenderGeometryRaw (SDL 2.0.18+): the same approach
// as the upstream backend, with only what the kiosk needs (one font texture, clip rectangles).

#include <SDL.h>
#include <imgui.h>

#include <memory>
#include <optional>
#include <string>

namespace kiosk::platform {

class ImGuiSdlRenderer {
public:
    explicit ImGuiSdlRenderer(SDL_Renderer* renderer);
    ~ImGuiSdlRenderer();
    ImGuiSdlRenderer(const ImGuiSdlRenderer&) = delete;
    ImGuiSdlRenderer& operator=(const ImGuiSdlRenderer&) = delete;

    // Builds the font atlas into a texture; call after the fonts are added. The CPU copy of the
    // atlas is freed afterwards: the texture is all that is needed.
    std::optional<std::string> upload_fonts(ImFontAtlas& atlas);

    void render(const ImDrawData* draw_data);

private:
    struct TextureDeleter {
        void operator()(SDL_Texture* texture) const { SDL_DestroyTexture(texture); }
    };
    SDL_Renderer* renderer_;
    std::unique_ptr<SDL_Texture, TextureDeleter> font_texture_;
};

} // namespace kiosk::platform
