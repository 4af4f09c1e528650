// opkit: the high-level Sin and Cos (高阶API/数学计算/Sin接口, Cos接口), written in opkit's basic vector
// instructions (STYLE.md "Layers of the kernel API"); npu_simulator checks and costs each step.
//
//   k = rint(x / pi + c)             c = 0 for Sin, 1/2 for Cos   (Cast float -> int32 -> float)
//   m = k - c;  r = x - m*pi          pi in three parts (Cody-Waite; m*P1 and m*P2 exact for |m| < 2^12)
//   sin(x) or cos(x) = (-1)^k * sin(r), |r| <= pi/2, sin(r) by its Taylor series to r^11 (error < 6e-8)
//   (-1)^k = 1 - 2 (k - 2 floor(k/2))
// Temporaries (float, per element): Sin/Cos on float 3 (k, r, sign), on half 4 (x in float too): CANN's
// sizes (GetSinMaxMinTmpSize). Note [High-level temporary buffers] in opkit/kernel/hl_tmp.h.
//
// Tested by: pytest tests/hlapi/test_elementwise.py -k "sin or cos"
#pragma once

#include "lib/math/opkit_math_impl.h"

namespace AscendC {
namespace detail {

constexpr float TRIG_P1 = 3.140625f, TRIG_P2 = 0.0009677410125732422f, TRIG_P3 = -8.742277657347586e-08f;
constexpr float SIN_C[5] = {-1.6666666666666666e-01f, 8.3333333333333333e-03f, -1.9841269841269841e-04f,
                            2.7557319223985893e-06f, -2.5052108385441720e-08f};

inline uint32_t TrigFactor(uint32_t typeSize, bool reuse) { return typeSize == 4 ? (reuse ? 2 : 3) : 8; }
inline uint32_t TrigTmpMin(uint32_t typeSize, bool reuse) { return TrigFactor(typeSize, reuse) * HL_REPEAT_BYTES; }
inline uint32_t TrigTmpMax(uint64_t n, uint32_t typeSize, bool reuse) {
    return TrigFactor(typeSize, reuse) * HlMax(uint32_t(n * typeSize), HL_REPEAT_BYTES);
}

// out may be x (x is not read after r is formed); k, r, s are float temporaries.
inline void SinCosF32(const LocalTensor<float>& out, const LocalTensor<float>& x, const LocalTensor<float>& k,
                      const LocalTensor<float>& r, const LocalTensor<float>& s, uint32_t n, bool isCos) {
    const float c = isCos ? 0.5f : 0.0f;
    Muls(k, x, 0.318309886183790672f, n);  // x / pi
    PipeBarrier<PIPE_V>();
    if (isCos) {
        Adds(k, k, c, n);
        PipeBarrier<PIPE_V>();
    }
    Cast(k.ReinterpretCast<int32_t>(), k, RoundMode::CAST_RINT, n);
    PipeBarrier<PIPE_V>();
    Cast(k, k.ReinterpretCast<int32_t>(), RoundMode::CAST_NONE, n);
    PipeBarrier<PIPE_V>();
    Adds(s, k, -c, n);  // m = k - c
    PipeBarrier<PIPE_V>();
    Muls(r, s, -TRIG_P1, n);
    PipeBarrier<PIPE_V>();
    Add(r, r, x, n);
    for (float part : {TRIG_P2, TRIG_P3}) {
        PipeBarrier<PIPE_V>();
        Axpy(r, s, -part, n);  // r += m * -part, one rounding
    }
    // sign = 1 - 2 (k - 2 floor(k / 2)), in s
    PipeBarrier<PIPE_V>();
    Muls(s, k, 0.5f, n);
    PipeBarrier<PIPE_V>();
    Cast(s.ReinterpretCast<int32_t>(), s, RoundMode::CAST_FLOOR, n);
    PipeBarrier<PIPE_V>();
    Cast(s, s.ReinterpretCast<int32_t>(), RoundMode::CAST_NONE, n);
    PipeBarrier<PIPE_V>();
    Muls(s, s, -2.0f, n);
    PipeBarrier<PIPE_V>();
    Add(s, s, k, n);
    PipeBarrier<PIPE_V>();
    Muls(s, s, -2.0f, n);
    PipeBarrier<PIPE_V>();
    Adds(s, s, 1.0f, n);
    // sin r = r + r^3 (c3 + r^2 (c5 + ...)), z = r^2 in k
    Mul(k, r, r, n);
    Duplicate(out, SIN_C[4], n);
    for (int i = 3; i >= 0; --i) {
        PipeBarrier<PIPE_V>();
        Mul(out, out, k, n);
        PipeBarrier<PIPE_V>();
        Adds(out, out, SIN_C[i], n);
    }
    PipeBarrier<PIPE_V>();
    Mul(out, out, k, n);
    PipeBarrier<PIPE_V>();
    Mul(out, out, r, n);
    PipeBarrier<PIPE_V>();
    Add(out, out, r, n);
    PipeBarrier<PIPE_V>();
    Mul(out, out, s, n);
}

template <typename T>
void SinCosRun(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint8_t>& tmp, uint32_t count,
               bool isCos) {
    const uint32_t slots = sizeof(T) == 2 ? 4 : 3, first = slots - 3;
    Passes(dst, src, tmp, count, slots * 4, [&](const LocalTensor<T>& d, const LocalTensor<T>& s,
                                                const LocalTensor<uint8_t>& b, uint32_t n, uint32_t step) {
        InFloat(d, s, FloatSlot(b, step, 0), n, [&](const LocalTensor<float>& o, const LocalTensor<float>& x, uint32_t m) {
            SinCosF32(o, x, FloatSlot(b, step, first), FloatSlot(b, step, first + 1), FloatSlot(b, step, first + 2), m,
                      isCos);
        });
    });
}

}  // namespace detail
}  // namespace AscendC
