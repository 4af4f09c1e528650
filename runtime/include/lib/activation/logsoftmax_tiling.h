// opkit's lib/activation/logsoftmax_tiling.h: LogSoftMax's host side (高阶API/激活函数/LogSoftMax接口/
// LogSoftMax-Tiling.md). CANN's formulas for 910B-class SoCs (asc-devkit impl/adv_api/tiling/activation/
// logsoftmax_tiling.cpp) are SoftMax's: a row needs one block of results, the row and 64 floats.
#pragma once

#include "lib/activation/logsoftmax_tilingdata.h"
#include "lib/activation/softmax_tiling.h"

namespace AscendC {

inline uint32_t GetLogSoftMaxMaxTmpSize(const ge::Shape& srcShape, const uint32_t dataTypeSize, const bool isReuseSource) {
    (void)isReuseSource;
    const auto s = detail::SoftMaxShape("GetLogSoftMaxMaxTmpSize", srcShape, dataTypeSize);
    return s.m * detail::SoftMaxRowFloats(s.k, dataTypeSize) * 4;
}
inline uint32_t GetLogSoftMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t dataTypeSize, const bool isReuseSource) {
    (void)isReuseSource;
    const auto s = detail::SoftMaxShape("GetLogSoftMaxMinTmpSize", srcShape, dataTypeSize);
    return detail::SoftMaxRowFloats(s.k, dataTypeSize) * 4;
}
inline void LogSoftMaxTilingFunc(const ge::Shape& srcShape, const uint32_t dataTypeSize, const uint32_t localWorkSpaceSize,
                                 optiling::LogSoftMaxTiling& softmaxTiling) {
    detail::FillSoftMaxTiling("LogSoftMaxTilingFunc", srcShape, dataTypeSize, localWorkSpaceSize, softmaxTiling);
}

}  // namespace AscendC
