// opkit's lib/math/cumsum.h: CumSum (高阶API/数学计算/CumSum接口/CumSum.md) of a 2-D [outter, inner]
// tensor, written in opkit's basic vector instructions.
//
// First axis (config.isLastAxis = false): dst row 0 = src row 0, dst row i = dst row i-1 + src row i,
// one Add of `inner` elements per row, in order (the line-by-line algorithm, the only one on 910B).
// A half input is cast to float into the temporary buffer first (outter*inner*4 bytes, CANN's
// GetCumSumMaxMinTmpSize), accumulated there and cast back once, so each row sum rounds to half
// once; float accumulates in dst. outputLastRow copies dst's last row to lastRowTensor.
// Last axis (isLastAxis = true, the default): dst row i is the running sum along row i of src, by
// transposing 16-row groups with TransDataTo5HD, summing down the columns and transposing back
// (Note [CumSum along the last axis] in lib/math/opkit_cumsum_last.h); the temporary buffer sets
// how many rows go per pass. outputLastRow copies dst's last row (inner elements) on both axes:
// see the Note for why not the last column.
//
// Tested by: pytest tests/hlapi/test_scan.py -k cumsum
#pragma once

#include "lib/math/cumsum_tiling.h"
#include "lib/math/opkit_cumsum_last.h"
#include "opkit/kernel/hl_tmp.h"
#include "opkit/kernel/sync.h"

namespace AscendC {

enum class CumSumAlgorithm { CUMSUM_ALGORITHM_LINEBYLINE = 0, CUMSUM_ALGORITHM_SKLANSKY = 1 };
struct CumSumConfig {
    bool isLastAxis{true};
    bool isReuseSource{false};
    bool outputLastRow{false};
    CumSumAlgorithm algorithm{CumSumAlgorithm::CUMSUM_ALGORITHM_LINEBYLINE};
};
constexpr CumSumConfig defaultCumSumConfig = {true, false, false, CumSumAlgorithm::CUMSUM_ALGORITHM_LINEBYLINE};
struct CumSumInfo {
    uint32_t outter{0};
    uint32_t inner{0};
};

namespace detail {
template <typename T>
void CumSumRows(const LocalTensor<T>& dst, const LocalTensor<T>& src, uint32_t outter, uint32_t inner) {
    DataCopy(dst, src, inner);
    for (uint32_t i = 1; i < outter; ++i) {
        PipeBarrier<PIPE_V>();
        Add(dst[i * inner], dst[(i - 1) * inner], src[i * inner], int32_t(inner));
    }
}

template <typename T, const CumSumConfig& config>
void CumSumImpl(LocalTensor<T>& dst, LocalTensor<T>& lastRow, const LocalTensor<T>& src, const LocalTensor<uint8_t>* shared,
                const CumSumInfo& info) {
    RequireFloatType<T>("CumSum");
    static_assert(config.algorithm == CumSumAlgorithm::CUMSUM_ALGORITHM_LINEBYLINE,
                  "CumSum: the Sklansky algorithm exists on Ascend 950 only");
    const uint32_t outter = info.outter, inner = info.inner;
    if (outter == 0 || inner == 0 || (uint64_t(inner) * sizeof(T)) % 32 != 0)
        opkit::rt::Fail("CumSum: cumSumInfo {outter " + HlNum(outter) + ", inner " + HlNum(inner) +
                        "} needs both above 0 and inner * sizeof(T) a multiple of 32 bytes");
    if (uint64_t(outter) * inner > src.GetSize() || uint64_t(outter) * inner > dst.GetSize())
        opkit::rt::Fail("CumSum: outter x inner = " + HlNum(uint64_t(outter) * inner) + " elements exceeds srcTensor (" +
                        HlNum(src.GetSize()) + ") or dstTensor (" + HlNum(dst.GetSize()) + ")");
    if (config.outputLastRow && lastRow.GetSize() < inner)
        opkit::rt::Fail("CumSum: lastRowTensor holds " + HlNum(lastRow.GetSize()) + " elements, the last row has " +
                        HlNum(inner));
    const uint32_t need = CumSumTmpMin(outter, inner, sizeof(T), config.isLastAxis);
    LocalTensor<uint8_t> tmp;
    if (need != 0) {
        if (shared != nullptr) {
            CheckSharedTmp("CumSum", *shared, need, dst, src, outter * inner);
            tmp = *shared;
        } else {
            tmp = FrameworkTmp("CumSum", need);
        }
    }
    if constexpr (config.isLastAxis) {
        CumSumLastAxis(dst, src, tmp, outter, inner, need);
    } else if constexpr (std::is_same<T, half>::value) {
        LocalTensor<float> f = tmp.ReinterpretCast<float>();
        Cast(f, src, RoundMode::CAST_NONE, outter * inner);
        for (uint32_t i = 1; i < outter; ++i) {
            PipeBarrier<PIPE_V>();
            Add(f[i * inner], f[(i - 1) * inner], f[i * inner], int32_t(inner));
        }
        PipeBarrier<PIPE_V>();
        Cast(dst, f, RoundMode::CAST_RINT, outter * inner);
    } else {
        CumSumRows(dst, src, outter, inner);
    }
    if (config.outputLastRow) {
        PipeBarrier<PIPE_V>();
        DataCopy(lastRow, dst[(outter - 1) * inner], inner);
    }
}
}  // namespace detail

template <typename T, const CumSumConfig& config = defaultCumSumConfig>
__aicore__ inline void CumSum(LocalTensor<T>& dstTensor, LocalTensor<T>& lastRowTensor, const LocalTensor<T>& srcTensor,
                              LocalTensor<uint8_t>& sharedTmpBuffer, const CumSumInfo& cumSumInfo) {
    detail::CumSumImpl<T, config>(dstTensor, lastRowTensor, srcTensor, &sharedTmpBuffer, cumSumInfo);
}
template <typename T, const CumSumConfig& config = defaultCumSumConfig>
__aicore__ inline void CumSum(LocalTensor<T>& dstTensor, LocalTensor<T>& lastRowTensor, const LocalTensor<T>& srcTensor,
                              const CumSumInfo& cumSumInfo) {
    detail::CumSumImpl<T, config>(dstTensor, lastRowTensor, srcTensor, nullptr, cumSumInfo);
}

}  // namespace AscendC
