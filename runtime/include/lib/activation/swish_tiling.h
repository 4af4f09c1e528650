// opkit's lib/activation/swish_tiling.h: GetSwishTmpSize (高阶API/激活函数/Swish接口/GetSwishTmpSize.md):
// Swish needs no temporary buffer, so both sizes are 0.
#pragma once

#include "opkit/host/ge_shape.h"

namespace AscendC {

inline void GetSwishTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isReuseSource,
                            uint32_t& maxValue, uint32_t& minValue) {
    (void)srcShape, (void)typeSize, (void)isReuseSource;
    maxValue = minValue = 0;
}

}  // namespace AscendC
