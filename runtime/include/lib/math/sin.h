// opkit's lib/math/sin.h: Sin (高阶API/数学计算/Sin接口/Sin.md): dst = sin(src) for half or float, with a
// sharedTmpBuffer or with UB the API takes itself. Steps: lib/math/opkit_trig_impl.h; host: sin_tiling.h.
// isReuseSource is accepted; opkit never writes the source (it needs CANN's non-reuse size).
#pragma once

#include "lib/math/opkit_trig_impl.h"

namespace AscendC {

template <typename T, bool isReuseSource = false>
__aicore__ inline void Sin(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                           const LocalTensor<uint8_t>& sharedTmpBuffer, const uint32_t calCount) {
    detail::RequireFloatType<T>("Sin");
    const uint32_t n = detail::HlCount("Sin", dstTensor, srcTensor, calCount);
    detail::CheckSharedTmp("Sin", sharedTmpBuffer, detail::TrigTmpMin(sizeof(T), false), dstTensor, srcTensor, n);
    detail::SinCosRun(dstTensor, srcTensor, sharedTmpBuffer, n, false);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Sin(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                           const LocalTensor<uint8_t>& sharedTmpBuffer) {
    Sin<T, isReuseSource>(dstTensor, srcTensor, sharedTmpBuffer, srcTensor.GetSize());
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Sin(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor, const uint32_t calCount) {
    detail::RequireFloatType<T>("Sin");
    const uint32_t n = detail::HlCount("Sin", dstTensor, srcTensor, calCount);
    detail::SinCosRun(dstTensor, srcTensor, detail::FrameworkTmp("Sin", detail::TrigTmpMin(sizeof(T), false)), n,
                      false);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Sin(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor) {
    Sin<T, isReuseSource>(dstTensor, srcTensor, srcTensor.GetSize());
}

}  // namespace AscendC
