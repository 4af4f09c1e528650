// opkit's lib/activation/silu.h: Silu (高阶API/激活函数/Silu接口/Silu.md), dst = src / (1 + e^-src),
// half or float, no temporary buffer (GetSiluTmpSize reports 0). src and dst must not overlap.
#pragma once

#include "lib/activation/opkit_activation_impl.h"

namespace AscendC {

template <typename T, bool isReuseSource = false>
__aicore__ inline void Silu(const LocalTensor<T>& dstLocal, const LocalTensor<T>& srcLocal, uint32_t dataSize) {
    detail::RequireFloatType<T>("Silu");
    const uint32_t n = detail::HlCount("Silu", dstLocal, srcLocal, dataSize);
    if (detail::Overlap(dstLocal.addr_, uint64_t(n) * sizeof(T), srcLocal.addr_, uint64_t(n) * sizeof(T)))
        opkit::rt::Fail("Silu: the source and destination tensors overlap, which the API does not allow");
    detail::ScaledSilu(dstLocal, srcLocal, 1.0f, n);
}

}  // namespace AscendC
