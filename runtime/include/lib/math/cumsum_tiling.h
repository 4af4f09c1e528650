// opkit's lib/math/cumsum_tiling.h: CumSum's host-side temporary-buffer query
// (高阶API/数学计算/CumSum接口/GetCumSumMaxMinTmpSize.md). The sizes are CANN's (asc-devkit
// impl/adv_api/tiling/math/cumsum_tiling.cpp): along the first axis a half input is accumulated in
// float (outter*inner*4 bytes), a float one needs nothing; along the last axis 16 rows are
// transposed at a time, and the minimum serves one such group (Note [CumSum along the last axis] in
// lib/math/opkit_cumsum_last.h), the maximum all rows at once.
#pragma once

#include <string>

#include "opkit/host/ge_shape.h"
#include "opkit/rt/api.h"

namespace AscendC {
namespace detail {
inline uint32_t CumSumTmpMin(uint32_t outter, uint32_t inner, uint32_t typeSize, bool isLastAxis) {
    if (!isLastAxis) return typeSize == 2 ? outter * inner * 4 : 0;
    const uint32_t cast = typeSize == 2 ? inner * 16 * 2 : 0;
    return cast + 16 * inner * typeSize * 2;
}
inline uint32_t CumSumTmpMax(uint32_t outter, uint32_t inner, uint32_t typeSize, bool isLastAxis) {
    if (!isLastAxis) return typeSize == 2 ? outter * inner * 4 : 0;
    const uint32_t alignOutter = (outter + 15) / 16 * 16;
    const uint32_t cast = typeSize == 2 ? inner * alignOutter * 2 : 0;
    return cast + alignOutter * inner * typeSize * 2;
}
}  // namespace detail

inline void GetCumSumMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isLastAxis,
                                   const bool isReuseSource, uint32_t& maxValue, uint32_t& minValue) {
    (void)isReuseSource;
    if (srcShape.GetDimNum() != 2)
        opkit::rt::Fail("GetCumSumMaxMinTmpSize: srcShape has " + std::to_string(srcShape.GetDimNum()) +
                        " dims; CumSum takes a 2-D [outter, inner] shape");
    opkit::host::QueryTypeSize("GetCumSumMaxMinTmpSize", typeSize);
    const int64_t outter = srcShape.GetDim(0), inner = srcShape.GetDim(1);
    if (outter <= 0 || inner <= 0 || (uint64_t(inner) * typeSize) % 32 != 0)
        opkit::rt::Fail("GetCumSumMaxMinTmpSize: shape [" + std::to_string(outter) + ", " + std::to_string(inner) +
                        "] needs positive dims and inner * typeSize a multiple of 32 bytes");
    maxValue = detail::CumSumTmpMax(uint32_t(outter), uint32_t(inner), typeSize, isLastAxis);
    minValue = detail::CumSumTmpMin(uint32_t(outter), uint32_t(inner), typeSize, isLastAxis);
}

}  // namespace AscendC
