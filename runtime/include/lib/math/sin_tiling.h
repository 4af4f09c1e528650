// opkit's lib/math/sin_tiling.h: Sin's host-side temporary-buffer queries
// (高阶API/数学计算/Sin接口/GetSinMaxMinTmpSize.md, GetSinTmpBufferFactorSize.md).
#pragma once

#include "lib/math/opkit_math_tmp.h"
#include "opkit/host/ge_shape.h"

namespace AscendC {
namespace detail {
// half 8 x the input bytes, float 3 x (2 x with isReuseSource), at least one repeat's worth.
inline uint32_t SinFactor(uint32_t typeSize, bool reuse) { return typeSize == 4 ? (reuse ? 2 : 3) : 8; }
}  // namespace detail

inline void GetSinMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isReuseSource,
                                uint32_t& maxValue, uint32_t& minValue) {
    const uint32_t n = opkit::host::QueryElems("GetSinMaxMinTmpSize", srcShape);
    opkit::host::QueryTypeSize("GetSinMaxMinTmpSize", typeSize);
    const uint32_t f = detail::SinFactor(typeSize, isReuseSource);
    maxValue = f * detail::HlMax(n * typeSize, detail::HL_REPEAT_BYTES);
    minValue = f * detail::HL_REPEAT_BYTES;
}
inline void GetSinTmpBufferFactorSize(const uint32_t typeSize, uint32_t& maxLiveNodeCount, uint32_t& extraBuf) {
    opkit::host::QueryTypeSize("GetSinTmpBufferFactorSize", typeSize);
    maxLiveNodeCount = detail::SinFactor(typeSize, false);
    extraBuf = 0;
}

}  // namespace AscendC
