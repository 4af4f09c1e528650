// opkit's lib/activation/gelu.h: Gelu and FasterGelu (高阶API/激活函数/Gelu接口/Gelu.md, FasterGelu.md),
// half or float, with a sharedTmpBuffer or with UB the API takes itself (GetGeluMaxMinTmpSize).
// src and dst may be the same tensor. Formulas: lib/activation/opkit_activation_impl.h.
// highPrecision/highPerformance are accepted; opkit always computes in float (see the impl header).
#pragma once

#include "lib/activation/opkit_activation_impl.h"

namespace AscendC {
namespace detail {
template <typename T>
void GeluCall(const char* api, const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint8_t>* tmp,
              uint32_t dataSize, bool faster) {
    RequireFloatType<T>(api);
    const uint32_t n = HlCount(api, dst, src, dataSize);
    if (tmp != nullptr) {
        // Gelu's sharedTmpBuffer may not overlap src/dst; dst == src itself is allowed.
        CheckSharedTmp(api, *tmp, GeluTmpMin(), dst, src, n, "GetGeluMaxMinTmpSize");
        GeluRun(dst, src, *tmp, n, faster);
    } else {
        GeluRun(dst, src, FrameworkTmp(api, GeluTmpMin(), "GetGeluMaxMinTmpSize"), n, faster);
    }
}
}  // namespace detail

template <typename T, bool highPrecision = false, bool highPerformance = false>
__aicore__ inline void Gelu(const LocalTensor<T>& dstLocal, const LocalTensor<T>& srcLocal,
                            const LocalTensor<uint8_t>& sharedTmpBuffer, const uint32_t dataSize) {
    detail::GeluCall("Gelu", dstLocal, srcLocal, &sharedTmpBuffer, dataSize, false);
}
template <typename T, bool highPrecision = false, bool highPerformance = false>
__aicore__ inline void Gelu(const LocalTensor<T>& dstLocal, const LocalTensor<T>& srcLocal, const uint32_t dataSize) {
    detail::GeluCall<T>("Gelu", dstLocal, srcLocal, nullptr, dataSize, false);
}
template <typename T, bool highPrecision = false, bool highPerformance = false>
__aicore__ inline void FasterGelu(const LocalTensor<T>& dstLocal, const LocalTensor<T>& srcLocal,
                                  const LocalTensor<uint8_t>& sharedTmpBuffer, const uint32_t dataSize) {
    detail::GeluCall("FasterGelu", dstLocal, srcLocal, &sharedTmpBuffer, dataSize, true);
}
template <typename T, bool highPrecision = false, bool highPerformance = false>
__aicore__ inline void FasterGelu(const LocalTensor<T>& dstLocal, const LocalTensor<T>& srcLocal, const uint32_t dataSize) {
    detail::GeluCall<T>("FasterGelu", dstLocal, srcLocal, nullptr, dataSize, true);
}

}  // namespace AscendC
