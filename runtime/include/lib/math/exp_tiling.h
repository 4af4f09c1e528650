// opkit's lib/math/exp_tiling.h: the high-level Exp's temporary-buffer queries
// (高阶API/数学计算/Exp接口/GetExpMaxMinTmpSize.md, GetExpTmpBufferFactorSize.md).
#pragma once

#include "lib/math/opkit_math_tmp.h"
#include "opkit/host/ge_shape.h"

namespace AscendC {

inline bool GetExpMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isReuseSource,
                                uint32_t& maxValue, uint32_t& minValue) {
    const uint32_t n = opkit::host::QueryElems("GetExpMaxMinTmpSize", srcShape);
    opkit::host::QueryTypeSize("GetExpMaxMinTmpSize", typeSize);
    maxValue = detail::ExpTmpMax(n, typeSize, isReuseSource);
    minValue = detail::ExpTmpMin(typeSize, isReuseSource);
    return true;
}
// Temporary bytes per input byte: 4 float slots per half element (16/2 = 8), 3 per float (12/4 = 3).
inline void GetExpTmpBufferFactorSize(const uint32_t typeSize, uint32_t& maxLiveNodeCount, uint32_t& extraBuf) {
    opkit::host::QueryTypeSize("GetExpTmpBufferFactorSize", typeSize);
    maxLiveNodeCount = typeSize == 4 ? 3 : 8;
    extraBuf = 0;
}

}  // namespace AscendC
