// opkit: the temporary-buffer sizes of the high-level math APIs, shared by the kernel side (which
// refuses a smaller buffer) and the host queries (lib/math/*_tiling.h). The factors are CANN's
// (asc-devkit impl/adv_api/tiling/math/*_tiling*.cpp): bytes of temporaries per element and the
// one-repeat (256-byte) minimum.
#pragma once

#include <cstdint>

namespace AscendC {
namespace detail {

constexpr uint32_t HL_REPEAT_BYTES = 256;

inline uint32_t HlMax(uint32_t a, uint32_t b) { return a > b ? a : b; }

// Tanh: half 4 x the input bytes (two float temporaries), float 1 x.
inline uint32_t TanhFactor(uint32_t typeSize) { return typeSize == 4 ? 1 : 4; }
inline uint32_t TanhTmpMin(uint32_t typeSize) { return TanhFactor(typeSize) * HL_REPEAT_BYTES; }
inline uint32_t TanhTmpMax(uint64_t n, uint32_t typeSize) {
    return TanhFactor(typeSize) * HlMax(uint32_t(n * typeSize), HL_REPEAT_BYTES);
}

// Exp (Taylor form): float temporaries of the input's element count: 4 for half, 3 for float (2 when
// isReuseSource lets the source hold one).
inline uint32_t ExpSlots(uint32_t typeSize, bool reuse) { return typeSize == 4 ? (reuse ? 2 : 3) : 4; }
inline uint32_t ExpTmpMin(uint32_t typeSize, bool reuse) { return ExpSlots(typeSize, reuse) * HL_REPEAT_BYTES; }
inline uint32_t ExpTmpMax(uint64_t n, uint32_t typeSize, bool reuse) {
    return ExpSlots(typeSize, reuse) * HlMax(uint32_t(n * 4), HL_REPEAT_BYTES);
}

// Erf: half 8 x the input bytes (four float temporaries), float 3 x.
inline uint32_t ErfFactor(uint32_t typeSize) { return typeSize == 4 ? 3 : 8; }
inline uint32_t ErfTmpMin(uint32_t typeSize) { return ErfFactor(typeSize) * HL_REPEAT_BYTES; }
inline uint32_t ErfTmpMax(uint64_t n, uint32_t typeSize) {
    return ErfFactor(typeSize) * HlMax(uint32_t(n * typeSize), HL_REPEAT_BYTES);
}

// Log2 on half: one float temporary; Log, Log10 and float Log2 need none.
inline uint32_t Log2TmpMin(uint32_t typeSize) { return typeSize == 2 ? HL_REPEAT_BYTES : 0; }
inline uint32_t Log2TmpMax(uint64_t n, uint32_t typeSize) {
    return typeSize == 2 ? HlMax(uint32_t(n * 4), HL_REPEAT_BYTES) : 0;
}

}  // namespace detail
}  // namespace AscendC
