// opkit: CumSum along the last axis (lib/math/cumsum.h, config.isLastAxis = true), written in opkit's
// basic vector instructions so npu_simulator checks and costs every step.
//
// Note [CumSum along the last axis]: (asc-devkit docs 高阶API/数学计算/CumSum接口/CumSum.md and
// GetCumSumMaxMinTmpSize.md; the steps are those of CANN's 910B implementation, impl/adv_api/detail/
// math/cumsum/cumsum_common_impl.h, read for facts only)
//   dst[i][j] = src[i][0] + ... + src[i][j]. A vector instruction works along a row, so the rows are
//   turned into columns first and the sum runs down them, one Add per column:
//
//     src [rows, inner] --TransDataTo5HD--> A [inner, aR]     aR = rows rounded up to 16
//     A[r] += A[r - 1], r = 1 .. inner-1                      one Add of aR elements each
//     A --TransDataTo5HD--> B [aR, inner];  dst = B + 0       (Adds over rows*inner, as CANN copies)
//
//   - A TransDataTo5HD transposes one 16 x 16 block of half, or 16 x 8 of float into 8 x 16 (Note
//     [TransDataTo5HD] in runtime/src/vec_index.cpp). Rows past `rows` in the last group of 16 read
//     the group's valid rows again (row 16g + n % (rows - 16g)), so nothing outside src is read;
//     those columns of A are summed and dropped.
//   - Of the two loops (16-row groups, column blocks) the longer one is the instruction's repeat and
//     the other the loop around it, as CANN does; the group repeat needs rows to be whole groups.
//   - half: A is cast to float into F (after A in the buffer), summed there and cast back (CAST_NONE,
//     i.e. round to nearest), so each output rounds to half once; B then reuses F's space.
//   - Temporary bytes per 16 rows: float 16*inner*4*2 (A and B); half 16*inner*2*2 + 16*inner*2*2
//     (A, then F, which is twice A and holds B) = GetCumSumMaxMinTmpSize's minValue. A buffer of m
//     times that takes 16*m rows per pass; maxValue (all rows, rounded up to 16) takes one pass.
//   - The result passes through Adds(x, 0) as on the NPU, so a -0.0 sum comes out +0.0.
//   - outputLastRow copies dst's last row (inner elements) here too: CumSum.md's parameter table asks
//     lastRowTensor to hold inner elements and both CANN implementations (910B and Ascend 950) copy
//     that row; the page's last-axis example prints the last column instead ([8 8 8 8] for 4 rows of
//     8 ones), which neither produces, so opkit follows the table and the implementations.
//
// Tested by: pytest tests/hlapi/test_scan.py -k cumsum_last_axis
#pragma once

#include "opkit/kernel/hl_tmp.h"
#include "opkit/kernel/sync.h"
#include "opkit/kernel/vec_index.h"

namespace AscendC {
namespace detail {

// One transpose direction of Note [CumSum along the last axis]: units (c, g) over column blocks c
// and 16-row groups g; `unit` fills the 16 + 16 UB addresses of unit (c, 0) or (0, g) and
// the strides say how far (in 32-byte blocks) the next c or g lies for sources and destinations.
struct CumSumTransposePlan {
    uint32_t blocks, groups;            // units along c and g
    bool repeatOverGroups;              // else repeat over column blocks
    uint16_t srcStepC, dstStepC, srcStepG, dstStepG;
};

template <typename T, typename Unit>
void CumSumTranspose(const CumSumTransposePlan& p, Unit&& unit) {
    const uint32_t repeat = p.repeatOverGroups ? p.groups : p.blocks, loops = p.repeatOverGroups ? p.blocks : p.groups;
    if (repeat > 255)
        opkit::rt::Fail("CumSum: a last-axis pass would need a TransDataTo5HD of " + HlNum(repeat) +
                        " repeats (at most 255); give it a smaller temporary buffer or fewer rows");
    const uint16_t srcStep = repeat == 1 ? 0 : (p.repeatOverGroups ? p.srcStepG : p.srcStepC);
    const uint16_t dstStep = repeat == 1 ? 0 : (p.repeatOverGroups ? p.dstStepG : p.dstStepC);
    const TransDataTo5HDParams params(false, false, uint8_t(repeat), dstStep, srcStep);
    for (uint32_t l = 0; l < loops; ++l) {
        uint64_t dst[16], src[16];
        if (p.repeatOverGroups) unit(l, 0u, dst, src);
        else unit(0u, l, dst, src);
        TransDataTo5HD<T>(dst, src, params);
    }
}

// src [rows, inner] -> cols [inner, aR].
template <typename T>
void CumSumRowsToColumns(const LocalTensor<T>& cols, const LocalTensor<T>& src, uint32_t rows, uint32_t inner,
                         uint32_t aR) {
    constexpr uint32_t E = 32 / sizeof(T);  // elements per block
    CumSumTransposePlan p{inner / E, aR / 16, rows == aR && aR > inner, 1, uint16_t(aR),
                          uint16_t(16 * inner * sizeof(T) / 32), uint16_t(16 * sizeof(T) / 32)};
    CumSumTranspose<T>(p, [&](uint32_t c, uint32_t g, uint64_t* dst, uint64_t* srcList) {
        for (uint32_t n = 0; n < 16; ++n)
            srcList[n] = src[(16 * g + n % (rows - 16 * g)) * inner + c * E].GetPhyAddr();
        if constexpr (sizeof(T) == 2) {
            for (uint32_t j = 0; j < 16; ++j) dst[j] = cols[(c * 16 + j) * aR + 16 * g].GetPhyAddr();
        } else {
            for (uint32_t j = 0; j < 8; ++j) {
                dst[2 * j] = cols[(c * 8 + j) * aR + 16 * g].GetPhyAddr();
                dst[2 * j + 1] = cols[(c * 8 + j) * aR + 16 * g + 8].GetPhyAddr();
            }
        }
    });
}

// cols [inner, aR] -> rowsOut [aR, inner].
template <typename T>
void CumSumColumnsToRows(const LocalTensor<T>& rowsOut, const LocalTensor<T>& cols, uint32_t inner, uint32_t aR) {
    constexpr uint32_t E = 32 / sizeof(T);
    CumSumTransposePlan p{inner / E, aR / 16, aR > inner, uint16_t(aR), 1, uint16_t(16 * sizeof(T) / 32),
                          uint16_t(16 * inner * sizeof(T) / 32)};
    CumSumTranspose<T>(p, [&](uint32_t c, uint32_t g, uint64_t* dst, uint64_t* src) {
        if constexpr (sizeof(T) == 2) {
            for (uint32_t n = 0; n < 16; ++n) src[n] = cols[(16 * c + n) * aR + 16 * g].GetPhyAddr();
            for (uint32_t j = 0; j < 16; ++j) dst[j] = rowsOut[(16 * g + j) * inner + 16 * c].GetPhyAddr();
        } else {  // 8 rows of cols, two blocks each, become 16 rows of 8
            for (uint32_t n = 0; n < 8; ++n) {
                src[n] = cols[(8 * c + n) * aR + 16 * g].GetPhyAddr();
                src[n + 8] = cols[(8 * c + n) * aR + 16 * g + 8].GetPhyAddr();
            }
            for (uint32_t j = 0; j < 8; ++j) {
                dst[2 * j] = rowsOut[(16 * g + j) * inner + 8 * c].GetPhyAddr();
                dst[2 * j + 1] = rowsOut[(16 * g + 8 + j) * inner + 8 * c].GetPhyAddr();
            }
        }
    });
}

// One pass of Note [CumSum along the last axis] over `rows` rows.
template <typename T>
void CumSumLastAxisPass(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint8_t>& tmp,
                        uint32_t rows, uint32_t inner) {
    const uint32_t aR = (rows + 15) / 16 * 16, n = aR * inner;
    const LocalTensor<T> cols = tmp.ReinterpretCast<T>();
    CumSumRowsToColumns(cols, src, rows, inner, aR);
    PipeBarrier<PIPE_V>();
    if constexpr (std::is_same<T, half>::value) {
        const LocalTensor<float> f = tmp[n * sizeof(T)].ReinterpretCast<float>();
        Cast(f, cols, RoundMode::CAST_NONE, n);
        PipeBarrier<PIPE_V>();
        for (uint32_t r = 1; r < inner; ++r) {
            Add(f[r * aR], f[(r - 1) * aR], f[r * aR], int32_t(aR));
            PipeBarrier<PIPE_V>();
        }
        Cast(cols, f, RoundMode::CAST_NONE, n);
    } else {
        for (uint32_t r = 1; r < inner; ++r) {
            Add(cols[r * aR], cols[(r - 1) * aR], cols[r * aR], int32_t(aR));
            PipeBarrier<PIPE_V>();
        }
    }
    PipeBarrier<PIPE_V>();
    const LocalTensor<T> back = tmp[n * sizeof(T)].ReinterpretCast<T>();
    CumSumColumnsToRows(back, cols, inner, aR);
    PipeBarrier<PIPE_V>();
    Adds(dst, back, T(0), int32_t(rows * inner));
    PipeBarrier<PIPE_V>();
}

// All rows, 16 * (tmp bytes / minBytes) at a time.
template <typename T>
void CumSumLastAxis(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint8_t>& tmp,
                    uint32_t outter, uint32_t inner, uint32_t minBytes) {
    uint32_t step = tmp.GetSize() / minBytes * 16;
    if (step > 255 * 16) step = 255 * 16;  // TransDataTo5HD's repeat count is 8 bits
    for (uint32_t i = 0; i < outter; i += step) {
        const uint32_t rows = outter - i < step ? outter - i : step;
        CumSumLastAxisPass(dst[i * inner], src[i * inner], tmp, rows, inner);
    }
}

}  // namespace detail
}  // namespace AscendC
