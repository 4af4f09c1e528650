// opkit's lib/activation/swish.h: Swish (高阶API/激活函数/Swish接口/Swish.md),
// dst = src / (1 + e^(-scalarValue * src)), half or float, no temporary buffer (GetSwishTmpSize
// reports 0). src and dst must not overlap.
#pragma once

#include "lib/activation/opkit_activation_impl.h"

namespace AscendC {

template <typename T, bool isReuseSource = false>
__aicore__ inline void Swish(const LocalTensor<T>& dstLocal, const LocalTensor<T>& srcLocal, uint32_t dataSize,
                             const T scalarValue) {
    detail::RequireFloatType<T>("Swish");
    const uint32_t n = detail::HlCount("Swish", dstLocal, srcLocal, dataSize);
    if (detail::Overlap(dstLocal.addr_, uint64_t(n) * sizeof(T), srcLocal.addr_, uint64_t(n) * sizeof(T)))
        opkit::rt::Fail("Swish: the source and destination tensors overlap, which the API does not allow");
    detail::ScaledSilu(dstLocal, srcLocal, float(scalarValue), n);
}

}  // namespace AscendC
