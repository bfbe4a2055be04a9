#include "platform/imgui_sdl_renderer.hpp"

#include <cstddef>

namespace kiosk::platform {

ImGuiSdlRenderer::ImGuiSdlRenderer(SDL_Renderer* renderer) : renderer_(renderer) {}

ImGuiSdlRenderer::~ImGuiSdlRenderer() = default;

std::optional<std::string> ImGuiSdlRenderer::upload_fonts(ImFontAtlas& atlas) {
    unsigned char* pixels = nullptr;
    int width = 0, height = 0;
    atlas.GetTexDataAsRGBA32(&pixels, &width, &height);
    if (pixels == nullptr) {
        return std::string("the font atlas could not be built");
    }
    font_texture_.reset(SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ABGR8888,
                                          SDL_TEXTUREACCESS_STATIC, width, height));
    if (!font_texture_) {
        return std::string("SDL could not create the font texture: ") + SDL_GetError();
    }
    SDL_UpdateTexture(font_texture_.get(), nullptr, pixels, width * 4);
    SDL_SetTextureBlendMode(font_texture_.get(), SDL_BLENDMODE_BLEND);
    SDL_SetTextureScaleMode(font_texture_.get(), SDL_ScaleModeLinear);
    atlas.SetTexID(static_cast<ImTextureID>(font_texture_.get()));
    atlas.ClearTexData();
    return std::nullopt;
}

void ImGuiSdlRenderer::render(const ImDrawData* draw_data) {
    if (draw_data == nullptr) {
        return;
    }
    SDL_Rect old_viewport;
    SDL_RenderGetViewport(renderer_, &old_viewport);
    const ImVec2 origin = draw_data->DisplayPos;
    for (int list = 0; list < draw_data->CmdListsCount; ++list) {
        const ImDrawList* commands = draw_data->CmdLists[list];
        const ImDrawVert* vertices = commands->VtxBuffer.Data;
        const ImDrawIdx* indices = commands->IdxBuffer.Data;
        for (const ImDrawCmd& command : commands->CmdBuffer) {
            if (command.UserCallback != nullptr) {
                command.UserCallback(commands, &command);
                continue;
            }
            SDL_Rect clip{static_cast<int>(command.ClipRect.x - origin.x),
                          static_cast<int>(command.ClipRect.y - origin.y),
                          static_cast<int>(command.ClipRect.z - command.ClipRect.x),
                          static_cast<int>(command.ClipRect.w - command.ClipRect.y)};
            if (clip.w <= 0 || clip.h <= 0) {
                continue;
            }
            SDL_RenderSetClipRect(renderer_, &clip);
            const ImDrawVert* first = vertices + command.VtxOffset;
            // The kiosk's words come as textures of their own (ui::TextPainter); what uses the
            // font atlas is only shapes, sampling its white pixel. Untextured, they come out the
            // same and the software renderer draws them two to four times faster.
            auto* texture = static_cast<SDL_Texture*>(command.GetTexID());
            if (texture == font_texture_.get()) {
                texture = nullptr;
            }
            // ImDrawVert keeps position, uv and an RGBA colour whose bytes are in SDL_Color order.
            SDL_RenderGeometryRaw(
                renderer_, texture,
                reinterpret_cast<const float*>(reinterpret_cast<const char*>(first) +
                                               offsetof(ImDrawVert, pos)),
                sizeof(ImDrawVert),
                reinterpret_cast<const SDL_Color*>(reinterpret_cast<const char*>(first) +
                                                   offsetof(ImDrawVert, col)),
                sizeof(ImDrawVert),
                reinterpret_cast<const float*>(reinterpret_cast<const char*>(first) +
                                               offsetof(ImDrawVert, uv)),
                sizeof(ImDrawVert), commands->VtxBuffer.Size - static_cast<int>(command.VtxOffset),
                indices + command.IdxOffset, static_cast<int>(command.ElemCount),
                sizeof(ImDrawIdx));
        }
    }
    SDL_RenderSetClipRect(renderer_, nullptr);
    SDL_RenderSetViewport(renderer_, &old_viewport);
}

} // namespace kiosk::platform
