// opkit's lib/math/log.h: Log, Log2 and Log10 (高阶API/数学计算/Log接口/Log-79.md) for half or
// float: Log is the basic Ln; Log2 and Log10 scale it (Log2 on half works in float and needs a
// temporary buffer). Implementation: lib/math/opkit_math_impl.h; host queries: lib/math/log_tiling.h.
#pragma once

#include "lib/math/opkit_math_impl.h"

namespace AscendC {

template <typename T, bool isReuseSource = false>
__aicore__ inline void Log(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor, uint32_t calCount) {
    detail::RequireFloatType<T>("Log");
    Ln(dstTensor, srcTensor, int32_t(detail::HlCount("Log", dstTensor, srcTensor, calCount)));
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Log(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor) {
    Log<T, isReuseSource>(dstTensor, srcTensor, srcTensor.GetSize());
}

constexpr float OPKIT_INV_LN2 = 1.4426950408889634f;
constexpr float OPKIT_INV_LN10 = 0.43429448190325176f;

template <typename T, bool isReuseSource = false>
__aicore__ inline void Log2(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                            const LocalTensor<uint8_t>& sharedTmpBuffer, uint32_t calCount) {
    detail::RequireFloatType<T>("Log2");
    const uint32_t n = detail::HlCount("Log2", dstTensor, srcTensor, calCount);
    detail::LogScaled("Log2", dstTensor, srcTensor, &sharedTmpBuffer, n, OPKIT_INV_LN2, true);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Log2(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                            const LocalTensor<uint8_t>& sharedTmpBuffer) {
    Log2<T, isReuseSource>(dstTensor, srcTensor, sharedTmpBuffer, srcTensor.GetSize());
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Log2(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor, uint32_t calCount) {
    detail::RequireFloatType<T>("Log2");
    const uint32_t n = detail::HlCount("Log2", dstTensor, srcTensor, calCount);
    detail::LogScaled<T>("Log2", dstTensor, srcTensor, nullptr, n, OPKIT_INV_LN2, true);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Log2(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor) {
    Log2<T, isReuseSource>(dstTensor, srcTensor, srcTensor.GetSize());
}

template <typename T, bool isReuseSource = false>
__aicore__ inline void Log10(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor, uint32_t calCount) {
    detail::RequireFloatType<T>("Log10");
    const uint32_t n = detail::HlCount("Log10", dstTensor, srcTensor, calCount);
    detail::LogScaled<T>("Log10", dstTensor, srcTensor, nullptr, n, OPKIT_INV_LN10, false);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void Log10(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor) {
    Log10<T, isReuseSource>(dstTensor, srcTensor, srcTensor.GetSize());
}

}  // namespace AscendC
