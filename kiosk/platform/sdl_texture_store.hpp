#pragma once
// The textures text is drawn from, as SDL textures: the bitmap's coverage as alpha over white,
// tinted by the draw list's vertex colour. Every texture still held is destroyed with the store,
// which must go before the SDL renderer that made them.

#include "ui/text_painter.hpp"

#include <SDL.h>

#include <cstddef>
#include <unordered_set>

namespace kiosk::platform {

class SdlTextureStore : public ui::TextureStore {
public:
    explicit SdlTextureStore(SDL_Renderer* renderer) : renderer_(renderer) {}
    ~SdlTextureStore() override;
    SdlTextureStore(const SdlTextureStore&) = delete;
    SdlTextureStore& operator=(const SdlTextureStore&) = delete;

    ImTextureID upload(const text::TextBitmap& bitmap) override;
    void release(ImTextureID texture) override;

    std::size_t textures() const { return textures_.size(); }

private:
    SDL_Renderer* renderer_;
    std::unordered_set<SDL_Texture*> textures_;
};

} // namespace kiosk::platform
