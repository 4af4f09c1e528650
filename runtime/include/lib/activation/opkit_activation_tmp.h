// opkit: the temporary-buffer sizes of the activation APIs, shared by the kernel side and the host
// queries (lib/activation/*_tiling.h). Factors as in CANN (asc-devkit impl/adv_api/tiling/activation).
#pragma once

#include "lib/math/opkit_math_tmp.h"

namespace AscendC {
namespace detail {

// Sigmoid: one temporary of the input's type and element count, at least one repeat.
inline uint32_t SigmoidTmpMin() { return HL_REPEAT_BYTES; }
inline uint32_t SigmoidTmpMax(uint64_t n, uint32_t typeSize) { return HlMax(uint32_t(n * typeSize), HL_REPEAT_BYTES); }

// Gelu, FasterGelu: three float temporaries per element, at least three repeats.
constexpr uint32_t GELU_SLOTS = 3;
inline uint32_t GeluTmpMin() { return GELU_SLOTS * HL_REPEAT_BYTES; }
inline uint32_t GeluTmpMax(uint64_t n) { return HlMax(uint32_t(GELU_SLOTS * n * 4), GeluTmpMin()); }

}  // namespace detail
}  // namespace AscendC
