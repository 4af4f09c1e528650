// opkit's lib/activation/sigmoid.h: Sigmoid (高阶API/激活函数/Sigmoid接口/Sigmoid.md), dst = 1/(1+e^-src),
// half or float. Implementation: lib/activation/opkit_activation_impl.h; host: sigmoid_tiling.h.
#pragma once

#include "lib/activation/opkit_activation_impl.h"

namespace AscendC {

template <typename T, bool isReuseSource = false>
__aicore__ inline void Sigmoid(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                               const LocalTensor<uint8_t>& sharedTmpBuffer, const uint32_t calCount) {
    detail::RequireFloatType<T>("Sigmoid");
    const uint32_t n = detail::HlCount("Sigmoid", dstTensor, srcTensor, calCount);
    detail::CheckSharedTmp("Sigmoid", sharedTmpBuffer, detail::SigmoidTmpMin(), dstTensor, srcTensor, n);
    detail::SigmoidRun(dstTensor, srcTensor, sharedTmpBuffer, n);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Sigmoid(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor, const uint32_t calCount) {
    detail::RequireFloatType<T>("Sigmoid");
    const uint32_t n = detail::HlCount("Sigmoid", dstTensor, srcTensor, calCount);
    detail::SigmoidRun(dstTensor, srcTensor, detail::FrameworkTmp("Sigmoid", detail::SigmoidTmpMin()), n);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Sigmoid(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                               const LocalTensor<uint8_t>& sharedTmpBuffer) {
    Sigmoid<T, isReuseSource>(dstTensor, srcTensor, sharedTmpBuffer, srcTensor.GetSize());
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Sigmoid(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor) {
    Sigmoid<T, isReuseSource>(dstTensor, srcTensor, srcTensor.GetSize());
}

}  // namespace AscendC
