// opkit: SoftMax and SimpleSoftMax on [m, k] rows, written in opkit's basic vector instructions
// (STYLE.md "Layers of the kernel API"), following the steps of asc-devkit's SoftMax.md: row max,
// broadcast to one block per row, subtract, exp, row sum, broadcast, divide; all in float.
//
// One pass covers `rows` rows (the tiling's splitM); its temporary buffer, in floats:
//
//   W [rows * k]     the rows in float (half input; float input works in dst itself)
//   R [rows * blk]   per-row reduce results (R[0..rows)), and for half outputs 8 halves to broadcast
//   S [rows * 64]    per-row fold space and the 8 blocks one Brcb writes
//
// blk = 32 / sizeof(max/sum type): CANN's sizes (GetSoftMaxMinTmpSize is one row of this). Row
// reductions fold the row into S 64 lanes at a time (Max/Add count form), then WholeReduceMax/Sum;
// Brcb spreads 8 rows' results into 8 blocks, which Sub/Div read with a block stride of 0.
//
// Tested by: pytest tests/hlapi/test_softmax.py
#pragma once

#include "lib/activation/softmax_tilingdata.h"
#include "opkit/kernel/hl_tmp.h"
#include "opkit/kernel/sync.h"

namespace AscendC {
namespace detail {

constexpr uint32_t SM_LANES = 64;  // floats per 256-byte repeat

// out = one float: max or sum of row[0..k), through S (64 floats).
inline void RowReduce(bool isMax, const LocalTensor<float>& out, const LocalTensor<float>& row, uint32_t k,
                      const LocalTensor<float>& s) {
    const LocalTensor<float>* from = &row;
    if (k > SM_LANES) {
        DataCopy(s, row, SM_LANES);
        PipeBarrier<PIPE_V>();
        for (uint32_t c = SM_LANES; c < k; c += SM_LANES) {
            const int32_t n = int32_t(k - c < SM_LANES ? k - c : SM_LANES);
            if (isMax) Max(s, s, row[c], n); else Add(s, s, row[c], n);
            PipeBarrier<PIPE_V>();
        }
        from = &s;
    }
    const int32_t lanes = int32_t(k < SM_LANES ? k : SM_LANES);
    if (isMax)
        WholeReduceMax<float>(out, *from, lanes, 1, 1, 1, 8, ReduceOrder::ORDER_ONLY_VALUE);
    else
        WholeReduceSum<float>(out, *from, lanes, 1, 1, 1, 8);
}

// out[0..k) = in[0..k) op block (8 equal floats), through the mask/repeat form (src1 strides 0).
inline void RowWithBlock(bool isSub, const LocalTensor<float>& out, const LocalTensor<float>& in,
                         const LocalTensor<float>& block, uint32_t k) {
    const BinaryRepeatParams p(1, 1, 0, 8, 8, 0);
    uint32_t c = 0;
    while (c < k) {
        const uint32_t full = (k - c) / SM_LANES, reps = full > 255 ? 255 : full;
        const uint64_t mask = reps > 0 ? SM_LANES : k - c;
        const int32_t r = reps > 0 ? int32_t(reps) : 1;
        if (isSub) Sub(out[c], in[c], block, mask, r, p); else Div(out[c], in[c], block, mask, r, p);
        c += reps > 0 ? reps * SM_LANES : k - c;
    }
}

// Writes rows [g8, g8+n) of a [rows, blk] max/sum output from the float blocks in s (U = float)
// or by casting R and broadcasting halves (U = half); rh is 8 halves of scratch, 32-byte aligned.
template <typename U>
void WriteBlocks(const LocalTensor<U>& outRows, const LocalTensor<float>& s, const LocalTensor<float>& r8,
                 const LocalTensor<half>& rh, uint32_t n) {
    if constexpr (std::is_same<U, float>::value) {
        DataCopy(outRows, s, n * 8);
    } else {
        Cast(rh, r8, RoundMode::CAST_NONE, n);
        PipeBarrier<PIPE_V>();
        Brcb(s.ReinterpretCast<half>(), rh, 1, BrcbRepeatParams(1, 8));
        PipeBarrier<PIPE_V>();
        DataCopy(outRows, s.ReinterpretCast<half>(), n * 16);
    }
}

// For each group of 8 rows: broadcast R into S, apply `op` to each row, write the output blocks.
template <typename U>
void PerGroup(bool isSub, const LocalTensor<float>& w, const LocalTensor<float>& in, const LocalTensor<float>& r,
              const LocalTensor<float>& s, const LocalTensor<half>& rh, const LocalTensor<U>* out, uint32_t rows,
              uint32_t k) {
    for (uint32_t g = 0; g < rows; g += 8) {
        const uint32_t n = rows - g < 8 ? rows - g : 8;
        PipeBarrier<PIPE_V>();
        Brcb(s, r[g], 1, BrcbRepeatParams(1, 8));
        PipeBarrier<PIPE_V>();
        for (uint32_t j = 0; j < n; ++j) RowWithBlock(isSub, w[(g + j) * k], in[(g + j) * k], s[j * 8], k);
        if (out != nullptr) {
            PipeBarrier<PIPE_V>();
            WriteBlocks<U>((*out)[g * (32 / sizeof(U))], s, r[g], rh, n);
        }
    }
}

struct SmPass {
    uint32_t rows, k, blk;  // blk: elements of the max/sum type per block
};

// One pass of SoftMax over `rows` rows starting at dst/src (and at sum/max row 0 of this pass).
// log10Out (LogSoftMax): dst = log10 of the quotient, taken in float before any cast to half:
// Ln, then Muls by 1/ln(10) (LogSoftMax.md: steps 7-8, "div" then "log10").
template <typename T, typename U>
void SoftMaxPass(const LocalTensor<T>& dst, const LocalTensor<U>* sum, const LocalTensor<U>* max,
                 const LocalTensor<T>& src, const LocalTensor<uint8_t>& tmp, const SmPass& p, bool log10Out = false) {
    const LocalTensor<float> f = tmp.ReinterpretCast<float>();
    const LocalTensor<float> r = f[p.rows * p.k], s = r[p.rows * p.blk];
    const LocalTensor<half> rh = r[(p.rows + 7) / 8 * 8].template ReinterpretCast<half>();
    LocalTensor<float> w, in;
    if constexpr (std::is_same<T, half>::value) {
        w = f;
        Cast(w, src, RoundMode::CAST_NONE, p.rows * p.k);
        PipeBarrier<PIPE_V>();
        in = w;
    } else {
        w = dst;
        in = src;
    }
    for (uint32_t i = 0; i < p.rows; ++i) RowReduce(true, r[i], in[i * p.k], p.k, s);
    PerGroup<U>(true, w, in, r, s, rh, max, p.rows, p.k);
    PipeBarrier<PIPE_V>();
    Exp(w, w, int32_t(p.rows * p.k));
    PipeBarrier<PIPE_V>();
    for (uint32_t i = 0; i < p.rows; ++i) RowReduce(false, r[i], w[i * p.k], p.k, s);
    PerGroup<U>(false, w, w, r, s, rh, sum, p.rows, p.k);
    if (log10Out) {
        PipeBarrier<PIPE_V>();
        Ln(w, w, int32_t(p.rows * p.k));
        PipeBarrier<PIPE_V>();
        Muls(w, w, 0.43429448190325182f, int32_t(p.rows * p.k));  // 1 / ln(10)
    }
    if constexpr (std::is_same<T, half>::value) {
        PipeBarrier<PIPE_V>();
        Cast(dst, w, RoundMode::CAST_NONE, p.rows * p.k);
    }
}

// One pass of SimpleSoftMax: dst = exp(src - max) / sum with max and sum given as [rows, one block]
// of U. A float block is read in place; a half block (16 halves) is cast to 16 floats in S first.
template <typename T, typename U>
void SimpleSoftMaxPass(const LocalTensor<T>& dst, const LocalTensor<U>& sum, const LocalTensor<U>& max,
                       const LocalTensor<T>& src, const LocalTensor<uint8_t>& tmp, const SmPass& p) {
    const LocalTensor<float> f = tmp.ReinterpretCast<float>();
    const LocalTensor<float> s = f[p.rows * p.k + p.rows * p.blk];
    LocalTensor<float> w, in;
    if constexpr (std::is_same<T, half>::value) {
        w = f;
        Cast(w, src, RoundMode::CAST_NONE, p.rows * p.k);
        PipeBarrier<PIPE_V>();
        in = w;
    } else {
        w = dst;
        in = src;
    }
    auto block = [&](const LocalTensor<U>& t, uint32_t row) -> LocalTensor<float> {
        if constexpr (std::is_same<U, float>::value) {
            return t[row * 8];
        } else {
            PipeBarrier<PIPE_V>();
            Cast(s, t[row * 16], RoundMode::CAST_NONE, 16);
            PipeBarrier<PIPE_V>();
            return s;
        }
    };
    for (uint32_t i = 0; i < p.rows; ++i) RowWithBlock(true, w[i * p.k], in[i * p.k], block(max, i), p.k);
    PipeBarrier<PIPE_V>();
    Exp(w, w, int32_t(p.rows * p.k));
    for (uint32_t i = 0; i < p.rows; ++i) {
        PipeBarrier<PIPE_V>();
        RowWithBlock(false, w[i * p.k], w[i * p.k], block(sum, i), p.k);
    }
    if constexpr (std::is_same<T, half>::value) {
        PipeBarrier<PIPE_V>();
        Cast(dst, w, RoundMode::CAST_NONE, p.rows * p.k);
    }
}

}  // namespace detail
}  // namespace AscendC
