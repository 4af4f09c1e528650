// opkit's lib/reduce/sum.h and the Mean of lib/reduce/mean.h: Sum (高阶API/归约操作/Sum接口/Sum.md) and
// Mean (Mean接口/Mean.md) over the last axis of [outter, inner] (inner = n padded to 32 bytes), one
// result per row into dst[0..outter). Each row is one basic ReduceSum (count form, n elements: the
// NPU's pairwise order, Note [Reduction order] in runtime/src/vec_reduce.cpp); Mean then scales the
// outter results by 1/n with one Muls. half or float, in the input type (Mean's accType must equal T:
// a float accumulator for half input is not implemented). The temporary buffer is CANN's size
// (GetSumMaxMinTmpSize/GetMeanMaxMinTmpSize) and is checked, and handed to ReduceSum as its work
// tensor (ReduceSum's count form needs none on 910B). Temporaries: Note [High-level temporary buffers].
//
// Tested by: pytest tests/hlapi/test_reduce.py
#pragma once

#include "lib/reduce/sum_tiling.h"
#include "opkit/kernel/hl_tmp.h"
#include "opkit/kernel/sync.h"

namespace AscendC {

struct SumParams {
    uint32_t outter = 1;
    uint32_t inner;
    uint32_t n;
};
struct MeanParams {
    uint32_t outter = 1;
    uint32_t inner;
    uint32_t n;
};

namespace detail {
template <typename T>
void RowSums(const char* api, const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint8_t>* shared,
             uint32_t outter, uint32_t inner, uint32_t n, bool mean) {
    RequireFloatType<T>(api);
    if (n == 0 || n > inner || (uint64_t(inner) * sizeof(T)) % 32 != 0 || inner != (n * sizeof(T) + 31) / 32 * 32 / sizeof(T))
        opkit::rt::Fail(std::string(api) + ": inner " + HlNum(inner) + " must be n = " + HlNum(n) +
                        " rounded up to 32 bytes (" + HlNum((uint64_t(n) * sizeof(T) + 31) / 32 * 32 / sizeof(T)) + ")");
    if (uint64_t(outter) * inner > src.GetSize() || outter > dst.GetSize())
        opkit::rt::Fail(std::string(api) + ": outter x inner = " + HlNum(outter) + " x " + HlNum(inner) +
                        " exceeds the source (" + HlNum(src.GetSize()) + " elements), or outter the destination (" +
                        HlNum(dst.GetSize()) + ")");
    const uint32_t need = mean ? MeanTmpBytes(n, sizeof(T), sizeof(T)) : SumTmpBytes(n, sizeof(T));
    const char* query = mean ? "GetMeanMaxMinTmpSize" : "GetSumMaxMinTmpSize";
    const LocalTensor<uint8_t> work = shared != nullptr ? *shared : FrameworkTmp(api, need, query);
    if (shared != nullptr) CheckSharedTmp(api, work, need, dst, src, 0, query);
    for (uint32_t r = 0; r < outter; ++r) ReduceSum<T>(dst[r], src[r * inner], work.ReinterpretCast<T>(), int32_t(n));
    if (mean) {
        PipeBarrier<PIPE_V>();
        Muls(dst, dst, T(1.0f / float(n)), int32_t(outter));
    }
}
}  // namespace detail

template <typename T, int32_t reduceDim = -1, bool isReuseSource = false, bool isBasicBlock = false>
__aicore__ inline void Sum(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                           const LocalTensor<uint8_t>& sharedTmpBuffer, const SumParams& sumParams) {
    detail::RowSums("Sum", dstTensor, srcTensor, &sharedTmpBuffer, sumParams.outter, sumParams.inner, sumParams.n, false);
}
template <typename T, int32_t reduceDim = -1, bool isReuseSource = false, bool isBasicBlock = false>
__aicore__ inline void Sum(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor, const SumParams& sumParams) {
    detail::RowSums<T>("Sum", dstTensor, srcTensor, nullptr, sumParams.outter, sumParams.inner, sumParams.n, false);
}

template <typename T, typename accType = T, bool isReuseSource = false, bool isBasicBlock = false, int32_t reduceDim = -1>
__aicore__ inline void Mean(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor,
                            const LocalTensor<uint8_t>& sharedTmpBuffer, const MeanParams& meanParams) {
    static_assert(std::is_same<T, accType>::value, "opkit implements Mean with accType equal to T only");
    detail::RowSums("Mean", dstTensor, srcTensor, &sharedTmpBuffer, meanParams.outter, meanParams.inner, meanParams.n, true);
}
template <typename T, typename accType = T, bool isReuseSource = false, bool isBasicBlock = false, int32_t reduceDim = -1>
__aicore__ inline void Mean(const LocalTensor<T>& dstTensor, const LocalTensor<T>& srcTensor, const MeanParams& meanParams) {
    static_assert(std::is_same<T, accType>::value, "opkit implements Mean with accType equal to T only");
    detail::RowSums<T>("Mean", dstTensor, srcTensor, nullptr, meanParams.outter, meanParams.inner, meanParams.n, true);
}

}  // namespace AscendC
