// opkit's lib/activation/simplesoftmax.h: SimpleSoftMax (高阶API/激活函数/SoftMax接口/SimpleSoftMax.md):
// dst = exp(src - max) / sum on the rows of [m, k], with max and sum given as [m, one block] (as SoftMax
// outputs them); half or float, or half data with float max/sum. Same tiling (SoftMaxTilingFunc) and
// temporary space as SoftMax; steps in lib/activation/opkit_softmax_impl.h.
#pragma once

#include "lib/activation/softmax.h"

namespace AscendC {
namespace detail {
template <typename T, typename U>
void SimpleSoftMaxRun(const LocalTensor<T>& dst, const LocalTensor<U>& sum, const LocalTensor<U>& max,
                      const LocalTensor<T>& src, const LocalTensor<uint8_t>* shared, const SoftMaxTiling& tiling,
                      const SoftMaxShapeInfo& info) {
    RequireFloatType<T>("SimpleSoftMax");
    const uint32_t m = info.srcM != 0 ? info.srcM : tiling.srcM, k = info.srcK != 0 ? info.srcK : tiling.srcK;
    const uint32_t blk = 32 / sizeof(U), rows = tiling.splitM;
    if (k == 0 || (uint64_t(k) * sizeof(T)) % 32 != 0 || uint64_t(m) * k > src.GetSize() || uint64_t(m) * k > dst.GetSize() ||
        uint64_t(m) * blk > sum.GetSize() || uint64_t(m) * blk > max.GetSize())
        opkit::rt::Fail("SimpleSoftMax: srcM x srcK = " + HlNum(m) + " x " + HlNum(k) + " needs srcK a multiple of 32 "
                        "bytes, src/dst of srcM x srcK elements and sum/max of srcM x " + HlNum(blk));
    if (rows == 0)
        opkit::rt::Fail("SimpleSoftMax: the tiling's splitM is 0: SoftMaxTilingFunc was given less temporary space than "
                        "GetSoftMaxMinTmpSize (" + HlNum(uint64_t(blk + k + 64) * 4) + " bytes for srcK = " + HlNum(k) + ")");
    const uint32_t need = rows * (blk + k + 64) * 4;
    const char* query = "GetSoftMaxMinTmpSize/SoftMaxTilingFunc (splitM rows x (one block + srcK + 64) floats)";
    LocalTensor<uint8_t> tmp = shared != nullptr ? *shared : FrameworkTmp("SimpleSoftMax", need, query);
    if (shared != nullptr) CheckSharedTmp("SimpleSoftMax", tmp, need, dst, src, m * k, query);
    for (uint32_t r0 = 0; r0 < m; r0 += rows) {
        const uint32_t n = m - r0 < rows ? m - r0 : rows;
        SimpleSoftMaxPass<T, U>(dst[r0 * k], sum[r0 * blk], max[r0 * blk], src[r0 * k], tmp, SmPass{n, k, blk});
    }
}
}  // namespace detail

template <typename T, bool isReuseSource = false, bool isBasicBlock = false, bool isDataFormatNZ = false,
          const SoftmaxConfig& config = SOFTMAX_DEFAULT_CFG>
__aicore__ inline void SimpleSoftMax(const LocalTensor<T>& dstTensor, const LocalTensor<T>& inSumTensor,
                                     const LocalTensor<T>& inMaxTensor, const LocalTensor<T>& srcTensor,
                                     const SoftMaxTiling& tiling, const SoftMaxShapeInfo& softmaxShapeInfo = {}) {
    detail::SoftMaxNdOnly<isDataFormatNZ>();
    detail::SimpleSoftMaxRun<T, T>(dstTensor, inSumTensor, inMaxTensor, srcTensor, nullptr, tiling, softmaxShapeInfo);
}
template <typename T, bool isReuseSource = false, bool isBasicBlock = false, bool isDataFormatNZ = false,
          const SoftmaxConfig& config = SOFTMAX_DEFAULT_CFG>
__aicore__ inline void SimpleSoftMax(const LocalTensor<half>& dstTensor, const LocalTensor<float>& inSumTensor,
                                     const LocalTensor<float>& inMaxTensor, const LocalTensor<half>& srcTensor,
                                     const SoftMaxTiling& tiling, const SoftMaxShapeInfo& softmaxShapeInfo = {}) {
    detail::SoftMaxNdOnly<isDataFormatNZ>();
    detail::SimpleSoftMaxRun<half, float>(dstTensor, inSumTensor, inMaxTensor, srcTensor, nullptr, tiling,
                                          softmaxShapeInfo);
}
template <typename T, bool isReuseSource = false, bool isBasicBlock = false, bool isDataFormatNZ = false,
          const SoftmaxConfig& config = SOFTMAX_DEFAULT_CFG>
__aicore__ inline void SimpleSoftMax(const LocalTensor<T>& dstTensor, const LocalTensor<T>& inSumTensor,
                                     const LocalTensor<T>& inMaxTensor, const LocalTensor<T>& srcTensor,
                                     const LocalTensor<uint8_t>& sharedTmpBuffer, const SoftMaxTiling& tiling,
                                     const SoftMaxShapeInfo& softmaxShapeInfo = {}) {
    detail::SoftMaxNdOnly<isDataFormatNZ>();
    detail::SimpleSoftMaxRun<T, T>(dstTensor, inSumTensor, inMaxTensor, srcTensor, &sharedTmpBuffer, tiling,
                                   softmaxShapeInfo);
}
template <typename T, bool isReuseSource = false, bool isBasicBlock = false, bool isDataFormatNZ = false,
          const SoftmaxConfig& config = SOFTMAX_DEFAULT_CFG>
__aicore__ inline void SimpleSoftMax(const LocalTensor<half>& dstTensor, const LocalTensor<float>& inSumTensor,
                                     const LocalTensor<float>& inMaxTensor, const LocalTensor<half>& srcTensor,
                                     const LocalTensor<uint8_t>& sharedTmpBuffer, const SoftMaxTiling& tiling,
                                     const SoftMaxShapeInfo& softmaxShapeInfo = {}) {
    detail::SoftMaxNdOnly<isDataFormatNZ>();
    detail::SimpleSoftMaxRun<half, float>(dstTensor, inSumTensor, inMaxTensor, srcTensor, &sharedTmpBuffer, tiling,
                                          softmaxShapeInfo);
}

}  // namespace AscendC
