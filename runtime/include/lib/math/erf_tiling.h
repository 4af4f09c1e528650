// opkit's lib/math/erf_tiling.h: Erf's host-side temporary-buffer queries
// (高阶API/数学计算/Erf接口/GetErfMaxMinTmpSize.md, GetErfTmpBufferFactorSize.md).
#pragma once

#include "lib/math/opkit_math_tmp.h"
#include "opkit/host/ge_shape.h"

namespace AscendC {

inline void GetErfMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isReuseSource,
                                 uint32_t& maxValue, uint32_t& minValue) {
    (void)isReuseSource;
    const uint32_t n = opkit::host::QueryElems("GetErfMaxMinTmpSize", srcShape);
    opkit::host::QueryTypeSize("GetErfMaxMinTmpSize", typeSize);
    maxValue = detail::ErfTmpMax(n, typeSize);
    minValue = detail::ErfTmpMin(typeSize);
}
inline void GetErfTmpBufferFactorSize(const uint32_t typeSize, uint32_t& maxLiveNodeCount, uint32_t& extraBuf) {
    opkit::host::QueryTypeSize("GetErfTmpBufferFactorSize", typeSize);
    maxLiveNodeCount = detail::ErfFactor(typeSize);
    extraBuf = 0;
}

}  // namespace AscendC
