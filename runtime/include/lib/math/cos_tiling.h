// opkit's lib/math/cos_tiling.h: Cos's host-side temporary-buffer queries
// (高阶API/数学计算/Cos接口/GetCosMaxMinTmpSize.md, GetCosTmpBufferFactorSize.md).
#pragma once

#include "lib/math/opkit_math_tmp.h"
#include "opkit/host/ge_shape.h"

namespace AscendC {
namespace detail {
// half 8 x the input bytes, float 3 x (2 x with isReuseSource), at least one repeat's worth.
inline uint32_t CosFactor(uint32_t typeSize, bool reuse) { return typeSize == 4 ? (reuse ? 2 : 3) : 8; }
}  // namespace detail

inline void GetCosMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isReuseSource,
                                uint32_t& maxValue, uint32_t& minValue) {
    const uint32_t n = opkit::host::QueryElems("GetCosMaxMinTmpSize", srcShape);
    opkit::host::QueryTypeSize("GetCosMaxMinTmpSize", typeSize);
    const uint32_t f = detail::CosFactor(typeSize, isReuseSource);
    maxValue = f * detail::HlMax(n * typeSize, detail::HL_REPEAT_BYTES);
    minValue = f * detail::HL_REPEAT_BYTES;
}
inline void GetCosTmpBufferFactorSize(const uint32_t typeSize, uint32_t& maxLiveNodeCount, uint32_t& extraBuf) {
    opkit::host::QueryTypeSize("GetCosTmpBufferFactorSize", typeSize);
    maxLiveNodeCount = detail::CosFactor(typeSize, false);
    extraBuf = 0;
}

}  // namespace AscendC
