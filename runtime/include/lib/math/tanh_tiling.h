// opkit's lib/math/tanh_tiling.h: Tanh's host-side temporary-buffer queries
// (高阶API/数学计算/Tanh接口/GetTanhMaxMinTmpSize.md, GetTanhTmpBufferFactorSize.md).
#pragma once

#include "lib/math/opkit_math_tmp.h"
#include "opkit/host/ge_shape.h"

namespace AscendC {

inline void GetTanhMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isReuseSource,
                                 uint32_t& maxValue, uint32_t& minValue) {
    (void)isReuseSource;
    const uint32_t n = opkit::host::QueryElems("GetTanhMaxMinTmpSize", srcShape);
    opkit::host::QueryTypeSize("GetTanhMaxMinTmpSize", typeSize);
    maxValue = detail::TanhTmpMax(n, typeSize);
    minValue = detail::TanhTmpMin(typeSize);
}
inline void GetTanhTmpBufferFactorSize(const uint32_t typeSize, uint32_t& maxLiveNodeCount, uint32_t& extraBuf) {
    opkit::host::QueryTypeSize("GetTanhTmpBufferFactorSize", typeSize);
    maxLiveNodeCount = detail::TanhFactor(typeSize);
    extraBuf = 0;
}

}  // namespace AscendC
