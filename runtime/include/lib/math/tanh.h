// opkit's lib/math/tanh.h: Tanh, as asc-devkit documents it (高阶API/数学计算/Tanh接口/Tanh.md):
// dst = tanh(src) for half or float, with a sharedTmpBuffer or with UB the API takes itself.
// Implementation: lib/math/opkit_math_impl.h; host size query: lib/math/tanh_tiling.h.
#pragma once

#include "lib/math/opkit_math_impl.h"

namespace AscendC {

template <typename T, bool isReuseSource = false>
__aicore__ inline void Tanh(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                            const LocalTensor<uint8_t>& sharedTmpBuffer, const uint32_t calCount) {
    detail::RequireFloatType<T>("Tanh");
    const uint32_t n = detail::HlCount("Tanh", dstTensor, srcTensor, calCount);
    detail::CheckSharedTmp("Tanh", sharedTmpBuffer, detail::TanhTmpMin(sizeof(T)), dstTensor, srcTensor, n);
    detail::TanhRun(dstTensor, srcTensor, sharedTmpBuffer, n);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Tanh(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                            const LocalTensor<uint8_t>& sharedTmpBuffer) {
    Tanh<T, isReuseSource>(dstTensor, srcTensor, sharedTmpBuffer, srcTensor.GetSize());
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Tanh(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor, const uint32_t calCount) {
    detail::RequireFloatType<T>("Tanh");
    const uint32_t n = detail::HlCount("Tanh", dstTensor, srcTensor, calCount);
    detail::TanhRun(dstTensor, srcTensor, detail::FrameworkTmp("Tanh", detail::TanhTmpMin(sizeof(T))), n);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Tanh(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor) {
    Tanh<T, isReuseSource>(dstTensor, srcTensor, srcTensor.GetSize());
}

}  // namespace AscendC
