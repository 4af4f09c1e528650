// opkit's lib/math/erf.h: Erf, as asc-devkit documents it (高阶API/数学计算/Erf接口/Erf.md):
// dst = erf(src) for half or float, with a sharedTmpBuffer or with UB the API takes itself.
// Implementation: lib/math/opkit_math_impl.h; host size query: lib/math/erf_tiling.h.
#pragma once

#include "lib/math/opkit_math_impl.h"

namespace AscendC {

template <typename T, bool isReuseSource = false>
__aicore__ inline void Erf(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                           const LocalTensor<uint8_t>& sharedTmpBuffer, const uint32_t calCount) {
    detail::RequireFloatType<T>("Erf");
    const uint32_t n = detail::HlCount("Erf", dstTensor, srcTensor, calCount);
    detail::CheckSharedTmp("Erf", sharedTmpBuffer, detail::ErfTmpMin(sizeof(T)), dstTensor, srcTensor, n);
    detail::ErfRun(dstTensor, srcTensor, sharedTmpBuffer, n);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Erf(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                           const LocalTensor<uint8_t>& sharedTmpBuffer) {
    Erf<T, isReuseSource>(dstTensor, srcTensor, sharedTmpBuffer, srcTensor.GetSize());
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Erf(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor, const uint32_t calCount) {
    detail::RequireFloatType<T>("Erf");
    const uint32_t n = detail::HlCount("Erf", dstTensor, srcTensor, calCount);
    detail::ErfRun(dstTensor, srcTensor, detail::FrameworkTmp("Erf", detail::ErfTmpMin(sizeof(T))), n);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Erf(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor) {
    Erf<T, isReuseSource>(dstTensor, srcTensor, srcTensor.GetSize());
}

}  // namespace AscendC
