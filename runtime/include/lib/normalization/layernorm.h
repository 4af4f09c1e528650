// opkit's lib/normalization/layernorm.h: LayerNorm on [B, S, H] with mean and variance outputs
// (高阶API/归一化操作/LayerNorm.md, the first form): y = (x - mean) / sqrt(var + eps) * gamma + beta,
// mean and var over the original H (tiling.originalHLength; padding columns hold 0 and their output is
// unspecified, as documented). half or float; computed in float. The [A, R] rstd form is not implemented.
//
// Written in opkit's basic vector instructions (STYLE.md "Layers of the kernel API"). The temporary
// buffer follows the tiling (GetLayerNormNDTilingInfo, lib/normalization/layernorm_tiling.h), in floats:
//   [mean, var: B*S each, half only] [slot 1 | slot 2 | slot 3: oneTmpSize (whole rows) each]
// half: slot 1 holds the pass's rows in float (x, then x - mean, then y), slot 3 is scratch;
// float: x and y are the tensors themselves and slot 1 is scratch. Slot 2 holds one block per row
// (mean, then variance -> std), made by WholeReduceSum over the folded row 8 times (source repeat
// stride 0); Sub/Div read it with a block stride of 0. Temporaries: Note [High-level temporary buffers].
//
// Tested by: pytest tests/hlapi/test_norm.py -k layernorm
#pragma once

#include "lib/normalization/layernorm_tilingdata.h"
#include "lib/normalization/rmsnorm.h"

namespace AscendC {
namespace detail {

struct LnRow {
    LocalTensor<float> x, y, c, k;  // input row, output row, scratch row, one block
};

// One row: mean into meanAt, variance into varAt (one float each), y normalised, scaled, shifted.
template <typename T>
void LayerNormRow(const LnRow& r, const LocalTensor<float>& meanAt, const LocalTensor<float>& varAt,
                  const LocalTensor<T>& gamma, const LocalTensor<T>& beta, float eps, float invH, uint32_t h,
                  uint32_t oriH) {
    const int32_t lanes = int32_t(oriH < SM_LANES ? oriH : SM_LANES);
    for (int pass = 0; pass < 2; ++pass) {  // 0: mean of x, 1: mean of (x - mean)^2
        if (pass == 0) {
            Muls(r.c, r.x, invH, int32_t(h));
        } else {
            Mul(r.c, r.y, r.y, int32_t(h));
            PipeBarrier<PIPE_V>();
            Muls(r.c, r.c, invH, int32_t(h));
        }
        PipeBarrier<PIPE_V>();
        for (uint32_t col = SM_LANES; col < oriH; col += SM_LANES) {
            Add(r.c, r.c, r.c[col], int32_t(oriH - col < SM_LANES ? oriH - col : SM_LANES));
            PipeBarrier<PIPE_V>();
        }
        WholeReduceSum<float>(r.k, r.c, lanes, 8, 1, 1, 0);
        WholeReduceSum<float>(pass == 0 ? meanAt : varAt, r.c, lanes, 1, 1, 1, 8);
        PipeBarrier<PIPE_V>();
        if (pass == 0) RowWithBlock(true, r.y, r.x, r.k, h);
        PipeBarrier<PIPE_V>();
    }
    Adds(r.k, r.k, eps, 8);
    PipeBarrier<PIPE_V>();
    Sqrt(r.k, r.k, 8);
    PipeBarrier<PIPE_V>();
    RowWithBlock(false, r.y, r.y, r.k, h);
    PipeBarrier<PIPE_V>();
    if constexpr (std::is_same<T, half>::value) {
        Cast(r.c, gamma, RoundMode::CAST_NONE, h);
        PipeBarrier<PIPE_V>();
        Mul(r.y, r.y, r.c, int32_t(h));
        PipeBarrier<PIPE_V>();
        Cast(r.c, beta, RoundMode::CAST_NONE, h);
        PipeBarrier<PIPE_V>();
        Add(r.y, r.y, r.c, int32_t(h));
    } else {
        Mul(r.y, r.y, gamma, int32_t(h));
        PipeBarrier<PIPE_V>();
        Add(r.y, r.y, beta, int32_t(h));
    }
    PipeBarrier<PIPE_V>();
}

template <typename T>
void LayerNormRun(const LocalTensor<T>& out, const LocalTensor<T>& mean, const LocalTensor<T>& var,
                  const LocalTensor<T>& x, const LocalTensor<T>& gamma, const LocalTensor<T>& beta,
                  const LocalTensor<uint8_t>* shared, T epsilon, const LayerNormTiling& t) {
    RequireFloatType<T>("LayerNorm");
    const uint32_t h = t.hLength, rows = t.bLength * t.sLength, one = t.oneTmpSize, per = h != 0 ? one / h : 0;
    if (h == 0 || per == 0 || t.originalHLength == 0 || t.originalHLength > h)
        opkit::rt::Fail("LayerNorm: the tiling has hLength " + HlNum(h) + " and oneTmpSize " + HlNum(one) +
                        "; fill it with GetLayerNormNDTilingInfo and at least GetLayerNormMaxMinTmpSize's minValue");
    if (uint64_t(rows) * h > x.GetSize() || uint64_t(rows) * h > out.GetSize() || rows > mean.GetSize() ||
        rows > var.GetSize() || h > gamma.GetSize() || h > beta.GetSize())
        opkit::rt::Fail("LayerNorm: the tensors are smaller than the tiling's [B, S, H] = [" + HlNum(t.bLength) + ", " +
                        HlNum(t.sLength) + ", " + HlNum(h) + "] (output/inputX B*S*H, mean/variance B*S, gamma/beta H)");
    const bool isHalf = std::is_same<T, half>::value;
    const uint32_t mvTmp = (rows + 7) / 8 * 8, base = isHalf ? 2 * mvTmp : 0;
    const uint32_t need = (base + (isHalf ? 3 : 2) * one) * 4;
    const char* query = "GetLayerNormMaxMinTmpSize/GetLayerNormNDTilingInfo";
    const LocalTensor<uint8_t> tmp = shared != nullptr ? *shared : FrameworkTmp("LayerNorm", need, query);
    if (shared != nullptr) CheckSharedTmp("LayerNorm", tmp, need, out, x, rows * h, query);
    const LocalTensor<float> f = tmp.ReinterpretCast<float>();
    const LocalTensor<float> meanF = isHalf ? f : mean.template ReinterpretCast<float>();
    const LocalTensor<float> varF = isHalf ? f[mvTmp] : var.template ReinterpretCast<float>();
    const LocalTensor<float> s1 = f[base], s2 = f[base + one], s3 = isHalf ? f[base + 2 * one] : s1;
    const float eps = float(epsilon);
    for (uint32_t r0 = 0; r0 < rows; r0 += per) {
        const uint32_t n = rows - r0 < per ? rows - r0 : per;
        if constexpr (std::is_same<T, half>::value) {
            Cast(s1, x[r0 * h], RoundMode::CAST_NONE, n * h);
            PipeBarrier<PIPE_V>();
        }
        for (uint32_t i = 0; i < n; ++i) {
            const LocalTensor<float> xi = isHalf ? s1[i * h] : x[(r0 + i) * h].template ReinterpretCast<float>();
            const LocalTensor<float> yi = isHalf ? s1[i * h] : out[(r0 + i) * h].template ReinterpretCast<float>();
            LayerNormRow<T>(LnRow{xi, yi, s3[i * h], s2[i * h]}, meanF[r0 + i], varF[r0 + i], gamma, beta, eps,
                            t.lastDimValueBack, h, t.originalHLength);
        }
        if constexpr (std::is_same<T, half>::value) Cast(out[r0 * h], s1, RoundMode::CAST_NONE, n * h);
        PipeBarrier<PIPE_V>();
    }
    if constexpr (std::is_same<T, half>::value) {
        Cast(mean, meanF, RoundMode::CAST_NONE, rows);
        Cast(var, varF, RoundMode::CAST_NONE, rows);
    }
}

}  // namespace detail

template <typename T, bool isReuseSource = false>
__aicore__ inline void LayerNorm(const LocalTensor<T>& output, const LocalTensor<T>& outputMean,
                                 const LocalTensor<T>& outputVariance, const LocalTensor<T>& inputX,
                                 const LocalTensor<T>& gamma, const LocalTensor<T>& beta,
                                 const LocalTensor<uint8_t>& sharedTmpBuffer, const T epsilon, LayerNormTiling& tiling) {
    detail::LayerNormRun(output, outputMean, outputVariance, inputX, gamma, beta, &sharedTmpBuffer, epsilon, tiling);
}
template <typename T, bool isReuseSource = false>
__aicore__ inline void LayerNorm(const LocalTensor<T>& output, const LocalTensor<T>& outputMean,
                                 const LocalTensor<T>& outputVariance, const LocalTensor<T>& inputX,
                                 const LocalTensor<T>& gamma, const LocalTensor<T>& beta, const T epsilon,
                                 LayerNormTiling& tiling) {
    detail::LayerNormRun<T>(output, outputMean, outputVariance, inputX, gamma, beta, nullptr, epsilon, tiling);
}

}  // namespace AscendC
