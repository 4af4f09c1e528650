// opkit's lib/math/log_tiling.h: the temporary-buffer queries of Log, Log2 and Log10
// (高阶API/数学计算/Log接口/GetLogMaxMinTmpSize.md, GetLogTmpBufferFactorSize.md). Only Log2 on half
// needs a temporary (one float per element).
#pragma once

#include "lib/math/opkit_math_tmp.h"
#include "opkit/host/ge_shape.h"

namespace AscendC {

inline void GetLogMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isReuseSource,
                                uint32_t& maxValue, uint32_t& minValue) {
    (void)srcShape, (void)isReuseSource;
    opkit::host::QueryTypeSize("GetLogMaxMinTmpSize", typeSize);
    maxValue = minValue = 0;
}
inline void GetLog10MaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isReuseSource,
                                  uint32_t& maxValue, uint32_t& minValue) {
    (void)srcShape, (void)isReuseSource;
    opkit::host::QueryTypeSize("GetLog10MaxMinTmpSize", typeSize);
    maxValue = minValue = 0;
}
inline void GetLog2MaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isReuseSource,
                                 uint32_t& maxValue, uint32_t& minValue) {
    (void)isReuseSource;
    const uint32_t n = opkit::host::QueryElems("GetLog2MaxMinTmpSize", srcShape);
    opkit::host::QueryTypeSize("GetLog2MaxMinTmpSize", typeSize);
    maxValue = detail::Log2TmpMax(n, typeSize);
    minValue = detail::Log2TmpMin(typeSize);
}
inline void GetLogTmpBufferFactorSize(const uint32_t typeSize, uint32_t& maxLiveNodeCount, uint32_t& extraBuf) {
    (void)typeSize;
    maxLiveNodeCount = extraBuf = 0;
}
inline void GetLog10TmpBufferFactorSize(const uint32_t typeSize, uint32_t& maxLiveNodeCount, uint32_t& extraBuf) {
    (void)typeSize;
    maxLiveNodeCount = extraBuf = 0;
}
inline void GetLog2TmpBufferFactorSize(const uint32_t typeSize, uint32_t& maxLiveNodeCount, uint32_t& extraBuf) {
    opkit::host::QueryTypeSize("GetLog2TmpBufferFactorSize", typeSize);
    maxLiveNodeCount = typeSize == 2 ? 2 : 0;  // one float (4 bytes) per half (2 bytes)
    extraBuf = 0;
}

}  // namespace AscendC
