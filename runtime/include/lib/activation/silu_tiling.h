// opkit's lib/activation/silu_tiling.h: GetSiluTmpSize (高阶API/激活函数/Silu接口/GetSiluTmpSize.md):
// Silu needs no temporary buffer, so both sizes are 0.
#pragma once

#include "opkit/host/ge_shape.h"

namespace AscendC {

inline void GetSiluTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isReuseSource,
                           uint32_t& maxValue, uint32_t& minValue) {
    (void)srcShape, (void)typeSize, (void)isReuseSource;
    maxValue = minValue = 0;
}

}  // namespace AscendC
