// opkit's lib/math/cos.h: Cos (高阶API/数学计算/Cos接口/Cos.md): dst = cos(src) for half or float, with a
// sharedTmpBuffer or with UB the API takes itself. Steps: lib/math/opkit_trig_impl.h; host: cos_tiling.h.
// isReuseSource is accepted; opkit never writes the source (it needs CANN's non-reuse size).
#pragma once

#include "lib/math/opkit_trig_impl.h"

namespace AscendC {

template <typename T, bool isReuseSource = false>
__aicore__ inline void Cos(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                           const LocalTensor<uint8_t>& sharedTmpBuffer, const uint32_t calCount) {
    detail::RequireFloatType<T>("Cos");
    const uint32_t n = detail::HlCount("Cos", dstTensor, srcTensor, calCount);
    detail::CheckSharedTmp("Cos", sharedTmpBuffer, detail::TrigTmpMin(sizeof(T), false), dstTensor, srcTensor, n);
    detail::SinCosRun(dstTensor, srcTensor, sharedTmpBuffer, n, true);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Cos(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                           const LocalTensor<uint8_t>& sharedTmpBuffer) {
    Cos<T, isReuseSource>(dstTensor, srcTensor, sharedTmpBuffer, srcTensor.GetSize());
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Cos(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor, const uint32_t calCount) {
    detail::RequireFloatType<T>("Cos");
    const uint32_t n = detail::HlCount("Cos", dstTensor, srcTensor, calCount);
    detail::SinCosRun(dstTensor, srcTensor, detail::FrameworkTmp("Cos", detail::TrigTmpMin(sizeof(T), false)), n,
                      true);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Cos(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor) {
    Cos<T, isReuseSource>(dstTensor, srcTensor, srcTensor.GetSize());
}

}  // namespace AscendC
