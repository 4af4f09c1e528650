// opkit's lib/activation/sigmoid_tiling.h: GetSigmoidMaxMinTmpSize (高阶API/激活函数/Sigmoid接口).
#pragma once

#include "lib/activation/opkit_activation_tmp.h"
#include "opkit/host/ge_shape.h"

namespace AscendC {

inline void GetSigmoidMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isReuseSource,
                                    uint32_t& maxValue, uint32_t& minValue) {
    (void)isReuseSource;
    const uint32_t n = opkit::host::QueryElems("GetSigmoidMaxMinTmpSize", srcShape);
    opkit::host::QueryTypeSize("GetSigmoidMaxMinTmpSize", typeSize);
    maxValue = detail::SigmoidTmpMax(n, typeSize);
    minValue = detail::SigmoidTmpMin();
}

}  // namespace AscendC
