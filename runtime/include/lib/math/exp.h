// opkit's lib/math/exp.h: the high-level Exp (高阶API/数学计算/Exp接口/Exp-81.md): e^x for half or
// float. taylorExpandLevel 0 is the basic Exp instruction; otherwise e^x = e^floor(x) * e^r with e^r
// from `taylorExpandLevel` Taylor terms. The basic Exp(dst, src, count) is in opkit/kernel/vec.h;
// the explicit template arguments <T, level, isReuseSource> pick this one.
// Implementation: lib/math/opkit_math_impl.h; host size query: lib/math/exp_tiling.h.
#pragma once

#include "lib/math/opkit_math_impl.h"

namespace AscendC {

template <typename T, uint8_t taylorExpandLevel, bool isReuseSource = false>
__aicore__ inline void Exp(const LocalTensor<T>& dstLocal, const LocalTensor<T>& srcLocal,
                           const LocalTensor<uint8_t>& sharedTmpBuffer, const uint32_t calCount) {
    detail::RequireFloatType<T>("Exp");
    const uint32_t n = detail::HlCount("Exp", dstLocal, srcLocal, calCount);
    if constexpr (taylorExpandLevel == 0) {
        Exp(dstLocal, srcLocal, int32_t(n));
    } else {
        detail::CheckSharedTmp("Exp", sharedTmpBuffer, detail::ExpTmpMin(sizeof(T), isReuseSource), dstLocal, srcLocal, n);
        detail::ExpRun<T, taylorExpandLevel, isReuseSource>(dstLocal, srcLocal, sharedTmpBuffer, n);
    }
}
template <typename T, uint8_t taylorExpandLevel, bool isReuseSource = false>
__aicore__ inline void Exp(const LocalTensor<T>& dstLocal, const LocalTensor<T>& srcLocal, const uint32_t calCount) {
    detail::RequireFloatType<T>("Exp");
    const uint32_t n = detail::HlCount("Exp", dstLocal, srcLocal, calCount);
    if constexpr (taylorExpandLevel == 0) {
        Exp(dstLocal, srcLocal, int32_t(n));
    } else {
        const uint32_t minBytes = detail::ExpTmpMin(sizeof(T), isReuseSource);
        detail::ExpRun<T, taylorExpandLevel, isReuseSource>(dstLocal, srcLocal, detail::FrameworkTmp("Exp", minBytes), n);
    }
}

}  // namespace AscendC
