// opkit's lib/activation/softmax.h: SoftMax (高阶API/激活函数/SoftMax接口/SoftMax.md) on the rows of a
// [m, k] tensor, k a multiple of 32 bytes: dst = exp(src - rowmax) / rowsum, with the row max and sum
// written as [m, one 32-byte block] tensors when asked for; half or float, or half data with float
// max/sum. Passes of the tiling's splitM rows (host: lib/activation/softmax_tiling.h); temporary
// space from a sharedTmpBuffer or from the UB the TPipe left free (Note [High-level temporary buffers]).
// Steps and layout: lib/activation/opkit_softmax_impl.h. ND format only: isDataFormatNZ = true is refused.
#pragma once

#include "lib/activation/opkit_softmax_impl.h"

namespace AscendC {

struct SoftMaxShapeInfo {
    SoftMaxShapeInfo() = default;
    SoftMaxShapeInfo(uint32_t m, uint32_t k, uint32_t oriM, uint32_t oriK) : srcM(m), srcK(k), oriSrcM(oriM), oriSrcK(oriK) {}
    uint32_t srcM = 0;
    uint32_t srcK = 0;
    uint32_t oriSrcM = 0;
    uint32_t oriSrcK = 0;
};
enum class SoftmaxMode { SOFTMAX_NORMAL = 0, SOFTMAX_OUTPUT_WITHOUT_BRC = 1 };
struct SoftmaxConfig {
    bool isCheckTiling = true;
    uint32_t oriSrcM = 0;
    uint32_t oriSrcK = 0;
    SoftmaxMode mode = SoftmaxMode::SOFTMAX_NORMAL;
};
constexpr SoftmaxConfig SOFTMAX_DEFAULT_CFG = {true, 0, 0, SoftmaxMode::SOFTMAX_NORMAL};

namespace detail {

// `api` is "SoftMax" or "LogSoftMax" (log10 of the result, SoftMaxPass's log10Out); both tilings
// have the same 16 fields.
template <typename T, typename U, typename Tiling = SoftMaxTiling>
void SoftMaxRun(const LocalTensor<T>& dst, const LocalTensor<U>* sum, const LocalTensor<U>* max,
                const LocalTensor<T>& src, const LocalTensor<uint8_t>* shared, const Tiling& tiling,
                const SoftMaxShapeInfo& info, const char* api = "SoftMax") {
    RequireFloatType<T>(api);
    const uint32_t m = info.srcM != 0 ? info.srcM : tiling.srcM, k = info.srcK != 0 ? info.srcK : tiling.srcK;
    const uint32_t blk = 32 / sizeof(U), rows = tiling.splitM;
    if (k == 0 || (uint64_t(k) * sizeof(T)) % 32 != 0)
        opkit::rt::Fail(std::string(api) + ": the last axis srcK = " + HlNum(k) + " must be a positive multiple of 32 bytes (" +
                        HlNum(32 / sizeof(T)) + " elements); pad it and give the original length as oriSrcK");
    if (uint64_t(m) * k > src.GetSize() || uint64_t(m) * k > dst.GetSize())
        opkit::rt::Fail(std::string(api) + ": srcM x srcK = " + HlNum(m) + " x " + HlNum(k) + " exceeds the source (" +
                        HlNum(src.GetSize()) + ") or destination (" + HlNum(dst.GetSize()) + " elements) tensor");
    if ((sum != nullptr && uint64_t(m) * blk > sum->GetSize()) || (max != nullptr && uint64_t(m) * blk > max->GetSize()))
        opkit::rt::Fail(std::string(api) + ": sumTensor and maxTensor must hold srcM x " + HlNum(blk) + " = " + HlNum(uint64_t(m) * blk) +
                        " elements (one 32-byte block per row)");
    if (rows == 0)
        opkit::rt::Fail(std::string(api) + ": the tiling's splitM is 0: SoftMaxTilingFunc was given less temporary space than "
                        "GetSoftMaxMinTmpSize (" + HlNum(uint64_t(blk + k + 64) * 4) + " bytes for srcK = " + HlNum(k) + ")");
    const uint32_t need = rows * (blk + k + 64) * 4;
    const char* query = "GetSoftMaxMinTmpSize/SoftMaxTilingFunc (splitM rows x (one block + srcK + 64) floats)";
    LocalTensor<uint8_t> tmp;
    if (shared != nullptr) {
        CheckSharedTmp(api, *shared, need, dst, src, m * k, query);
        tmp = *shared;
    } else {
        tmp = FrameworkTmp(api, need, query);
    }
    for (uint32_t r0 = 0; r0 < m; r0 += rows) {
        const uint32_t n = m - r0 < rows ? m - r0 : rows;
        const LocalTensor<U> sumRows = sum != nullptr ? (*sum)[r0 * blk] : LocalTensor<U>();
        const LocalTensor<U> maxRows = max != nullptr ? (*max)[r0 * blk] : LocalTensor<U>();
        SoftMaxPass<T, U>(dst[r0 * k], sum != nullptr ? &sumRows : nullptr, max != nullptr ? &maxRows : nullptr,
                          src[r0 * k], tmp, SmPass{n, k, blk}, std::string(api) == "LogSoftMax");
    }
}

template <bool isDataFormatNZ>
void SoftMaxNdOnly() {
    static_assert(!isDataFormatNZ, "opkit implements SoftMax for ND data only (isDataFormatNZ = false)");
}

}  // namespace detail

template <typename T, bool isReuseSource = false, bool isBasicBlock = false, bool isDataFormatNZ = false,
          const SoftmaxConfig& config = SOFTMAX_DEFAULT_CFG>
__aicore__ inline void SoftMax(const LocalTensor<T>& dstTensor, const LocalTensor<T>& sumTensor,
                               const LocalTensor<T>& maxTensor, const LocalTensor<T>& srcTensor,
                               const SoftMaxTiling& tiling, const SoftMaxShapeInfo& softmaxShapeInfo = {}) {
    detail::SoftMaxNdOnly<isDataFormatNZ>();
    detail::SoftMaxRun<T, T>(dstTensor, &sumTensor, &maxTensor, srcTensor, nullptr, tiling, softmaxShapeInfo);
}
template <typename T, bool isReuseSource = false, bool isBasicBlock = false, bool isDataFormatNZ = false,
          const SoftmaxConfig& config = SOFTMAX_DEFAULT_CFG>
__aicore__ inline void SoftMax(const LocalTensor<half>& dstTensor, const LocalTensor<float>& sumTensor,
                               const LocalTensor<float>& maxTensor, const LocalTensor<half>& srcTensor,
                               const SoftMaxTiling& tiling, const SoftMaxShapeInfo& softmaxShapeInfo = {}) {
    detail::SoftMaxNdOnly<isDataFormatNZ>();
    detail::SoftMaxRun<half, float>(dstTensor, &sumTensor, &maxTensor, srcTensor, nullptr, tiling, softmaxShapeInfo);
}
template <typename T, bool isReuseSource = false, bool isBasicBlock = false,
          const SoftmaxConfig& config = SOFTMAX_DEFAULT_CFG>
__aicore__ inline void SoftMax(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                               const SoftMaxTiling& tiling, const SoftMaxShapeInfo& softmaxShapeInfo = {}) {
    detail::SoftMaxRun<T, T>(dstTensor, nullptr, nullptr, srcTensor, nullptr, tiling, softmaxShapeInfo);
}
template <typename T, bool isReuseSource = false, bool isBasicBlock = false,
          const SoftmaxConfig& config = SOFTMAX_DEFAULT_CFG>
__aicore__ inline void SoftMax(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                               const LocalTensor<uint8_t>& sharedTmpBuffer, const SoftMaxTiling& tiling,
                               const SoftMaxShapeInfo& softmaxShapeInfo = {}) {
    detail::SoftMaxRun<T, T>(dstTensor, nullptr, nullptr, srcTensor, &sharedTmpBuffer, tiling, softmaxShapeInfo);
}
template <typename T, bool isReuseSource = false, bool isBasicBlock = false, bool isDataFormatNZ = false,
          const SoftmaxConfig& config = SOFTMAX_DEFAULT_CFG>
__aicore__ inline void SoftMax(const LocalTensor<T>& dstTensor, const LocalTensor<T>& sumTensor,
                               const LocalTensor<T>& maxTensor, const LocalTensor<T>& srcTensor,
                               const LocalTensor<uint8_t>& sharedTmpBuffer, const SoftMaxTiling& tiling,
                               const SoftMaxShapeInfo& softmaxShapeInfo = {}) {
    detail::SoftMaxNdOnly<isDataFormatNZ>();
    detail::SoftMaxRun<T, T>(dstTensor, &sumTensor, &maxTensor, srcTensor, &sharedTmpBuffer, tiling, softmaxShapeInfo);
}
template <typename T, bool isReuseSource = false, bool isBasicBlock = false, bool isDataFormatNZ = false,
          const SoftmaxConfig& config = SOFTMAX_DEFAULT_CFG>
__aicore__ inline void SoftMax(const LocalTensor<half>& dstTensor, const LocalTensor<float>& sumTensor,
                               const LocalTensor<float>& maxTensor, const LocalTensor<half>& srcTensor,
                               const LocalTensor<uint8_t>& sharedTmpBuffer, const SoftMaxTiling& tiling,
                               const SoftMaxShapeInfo& softmaxShapeInfo = {}) {
    detail::SoftMaxNdOnly<isDataFormatNZ>();
    detail::SoftMaxRun<half, float>(dstTensor, &sumTensor, &maxTensor, srcTensor, &sharedTmpBuffer, tiling,
                                    softmaxShapeInfo);
}

}  // namespace AscendC
