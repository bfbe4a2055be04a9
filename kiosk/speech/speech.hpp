#pragma once
// Synthesised speech as the kiosk passes it around: the synthesiser makes it, an audio sink
// plays it. Plain data, so tests can look at every sample and no audio library leaks in here.

#include <cstdint>
#include <vector>

namespace kiosk::speech {

struct Speech {
    std::vector<std::int16_t> samples; // 16-bit signed mono PCM
    int sample_rate = 0;               // samples per second

    double seconds() const {
        return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0;
    }
};

} // namespace kiosk::speech
