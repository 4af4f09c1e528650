// opkit's lib/normalization/rmsnorm.h: RmsNorm (高阶API/归一化操作/RmsNorm.md) on [B, S, H], H padded
// to 32 bytes: dst = src / sqrt(mean(src^2) + epsilon) * gamma, the mean over the original H
// (tiling.reciprocalOfHLength; the padding must hold zeros). half or float; computed in float.
//
// Written in opkit's basic vector instructions (STYLE.md "Layers of the kernel API"). Per pass of
// mainBsLength rows the temporary buffer holds, in floats: [X: rows*H, half only] the rows cast to
// float, [Q: rows*H] the squares, [B: one block per pass] the row's result. Per row: Q = X*X; Q is
// folded in place to 64 lanes (Add) and WholeReduceSum runs 8 times over them (source repeat stride 0)
// so the sum fills a whole block; the block becomes sqrt(sum/H + eps); X / block (Div, block stride
// 0), times gamma. Temporaries: Note [High-level temporary buffers]. Host: rmsnorm_tiling.h.
//
// Tested by: pytest tests/hlapi/test_norm.py
#pragma once

#include "lib/activation/opkit_softmax_impl.h"
#include "lib/normalization/rmsnorm_tilingdata.h"

namespace AscendC {
namespace detail {

// blk (8 floats) = the sum of row[0..k), folding row in place (row is clobbered).
inline void RowSumToBlock(const LocalTensor<float>& blk, const LocalTensor<float>& row, uint32_t k) {
    for (uint32_t c = SM_LANES; c < k; c += SM_LANES) {
        Add(row, row, row[c], int32_t(k - c < SM_LANES ? k - c : SM_LANES));
        PipeBarrier<PIPE_V>();
    }
    WholeReduceSum<float>(blk, row, int32_t(k < SM_LANES ? k : SM_LANES), 8, 1, 1, 0);
}

template <typename T>
void RmsNormRow(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& gamma,
                const LocalTensor<float>& x, const LocalTensor<float>& q, const LocalTensor<float>& blk, float eps,
                float invH, uint32_t h) {
    const LocalTensor<float> xf = std::is_same<T, half>::value ? x : src.template ReinterpretCast<float>();
    const LocalTensor<float> yf = std::is_same<T, half>::value ? x : dst.template ReinterpretCast<float>();
    Mul(q, xf, xf, int32_t(h));
    PipeBarrier<PIPE_V>();
    RowSumToBlock(blk, q, h);
    PipeBarrier<PIPE_V>();
    Muls(blk, blk, invH, 8);
    PipeBarrier<PIPE_V>();
    Adds(blk, blk, eps, 8);
    PipeBarrier<PIPE_V>();
    Sqrt(blk, blk, 8);
    PipeBarrier<PIPE_V>();
    RowWithBlock(false, yf, xf, blk, h);
    PipeBarrier<PIPE_V>();
    if constexpr (std::is_same<T, half>::value) {
        Cast(q, gamma, RoundMode::CAST_NONE, h);  // q is free again: gamma in float
        PipeBarrier<PIPE_V>();
        Mul(yf, yf, q, int32_t(h));
        PipeBarrier<PIPE_V>();
        Cast(dst, yf, RoundMode::CAST_NONE, h);
    } else {
        Mul(yf, yf, gamma, int32_t(h));
    }
}

template <typename T>
void RmsNormRun(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& gamma,
                const LocalTensor<uint8_t>* shared, T epsilon, const RmsNormTiling& t) {
    RequireFloatType<T>("RmsNorm");
    const uint32_t h = t.hLength, rows = t.bLength * t.sLength, bs = t.mainBsLength;
    const uint32_t coeff = std::is_same<T, half>::value ? 2 : 1;
    if (h == 0 || bs == 0 || (uint64_t(h) * sizeof(T)) % 32 != 0)
        opkit::rt::Fail("RmsNorm: the tiling has hLength " + HlNum(h) + " and mainBsLength " + HlNum(bs) +
                        "; fill it with GetRmsNormTilingInfo (which returns false for a shape or buffer it cannot serve)");
    if (uint64_t(rows) * h > src.GetSize() || uint64_t(rows) * h > dst.GetSize() || h > gamma.GetSize())
        opkit::rt::Fail("RmsNorm: B*S*H = " + HlNum(uint64_t(rows) * h) + " elements exceed the source (" +
                        HlNum(src.GetSize()) + ") or destination (" + HlNum(dst.GetSize()) + "), or gamma holds fewer than H = " +
                        HlNum(h) + " (" + HlNum(gamma.GetSize()) + ")");
    if (Overlap(dst.addr_, uint64_t(rows) * h * sizeof(T), gamma.addr_, uint64_t(h) * sizeof(T)))
        opkit::rt::Fail("RmsNorm: dstLocal and gammaLocal overlap, which the API does not allow");
    const uint32_t need = (bs * h * coeff + (bs + 7) / 8 * 8) * 4;
    const char* query = "GetRmsNormMaxMinTmpSize/GetRmsNormTilingInfo (mainBsLength rows)";
    const LocalTensor<uint8_t> tmp = shared != nullptr ? *shared : FrameworkTmp("RmsNorm", need, query);
    if (shared != nullptr) CheckSharedTmp("RmsNorm", tmp, need, dst, src, rows * h, query);
    const LocalTensor<float> f = tmp.ReinterpretCast<float>();
    const LocalTensor<float> x = f, q = f[coeff == 2 ? bs * h : 0], blk = f[bs * h * coeff];
    const float eps = float(epsilon), invH = t.reciprocalOfHLength;
    for (uint32_t r0 = 0; r0 < rows; r0 += bs) {
        const uint32_t n = rows - r0 < bs ? rows - r0 : bs;
        if constexpr (std::is_same<T, half>::value) {
            Cast(x, src[r0 * h], RoundMode::CAST_NONE, n * h);
            PipeBarrier<PIPE_V>();
        }
        for (uint32_t i = 0; i < n; ++i)
            RmsNormRow<T>(dst[(r0 + i) * h], src[(r0 + i) * h], gamma, x[i * h], q[i * h], blk, eps, invH, h);
        PipeBarrier<PIPE_V>();
    }
}

}  // namespace detail

template <typename T, bool isBasicBlock = false>
__aicore__ inline void RmsNorm(const LocalTensor<T>& dstLocal, const LocalTensor<T>& srcLocal,
                               const LocalTensor<T>& gammaLocal, const LocalTensor<uint8_t>& sharedTmpBuffer,
                               const T epsilon, const RmsNormTiling& tiling) {
    detail::RmsNormRun(dstLocal, srcLocal, gammaLocal, &sharedTmpBuffer, epsilon, tiling);
}
template <typename T, bool isBasicBlock = false>
__aicore__ inline void RmsNorm(const LocalTensor<T>& dstLocal, const LocalTensor<T>& srcLocal,
                               const LocalTensor<T>& gammaLocal, const T epsilon, const RmsNormTiling& tiling) {
    detail::RmsNormRun<T>(dstLocal, srcLocal, gammaLocal, nullptr, epsilon, tiling);
}

}  // namespace AscendC
