// opkit: the activation APIs Sigmoid, Silu, Swish, Gelu and FasterGelu, written in opkit's basic
// vector instructions (STYLE.md "Layers of the kernel API"); npu_simulator checks and costs each.
//
//   Sigmoid(x)    = 1 / (1 + e^-x)                      in T, one T temporary
//   Silu(x)       = x / (1 + e^-x)                      in T, no temporary
//   Swish(x, b)   = x / (1 + e^(-b x))                  in T, no temporary
//   Gelu(x)       = x / (1 + e^(-1.5957691 (x + 0.044715 x^3)))   (the tanh form, simplified as the
//                   asc-devkit page does), in float
//   FasterGelu(x) = x / (1 + e^(-1.702 x))              in float
// Gelu and FasterGelu on half Cast to float in their temporary buffer (three float slots per
// element, CANN's size), so their half results are the float ones rounded once; CANN's half path
// without highPrecision may differ by fp16 steps. Temporaries: Note [High-level temporary buffers].
//
// Tested by: pytest tests/runtime/test_hl_api.py -k "sigmoid or silu or swish or gelu"
#pragma once

#include "lib/activation/opkit_activation_tmp.h"
#include "lib/math/opkit_math_impl.h"

namespace AscendC {
namespace detail {

// out = x / (1 + e^(-b x)); out must not be x.
template <typename T>
void ScaledSilu(const LocalTensor<T>& out, const LocalTensor<T>& x, float b, uint32_t n) {
    Muls(out, x, T(-b), n);
    PipeBarrier<PIPE_V>();
    Exp(out, out, n);
    PipeBarrier<PIPE_V>();
    Adds(out, out, T(1.0f), n);
    PipeBarrier<PIPE_V>();
    Div(out, x, out, n);
}

template <typename T>
void SigmoidRun(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint8_t>& tmp, uint32_t count) {
    Passes(dst, src, tmp, count, sizeof(T), [&](const LocalTensor<T>& d, const LocalTensor<T>& s,
                                                const LocalTensor<uint8_t>& b, uint32_t n, uint32_t) {
        const LocalTensor<T> one = b.ReinterpretCast<T>();
        Muls(d, s, T(-1.0f), n);
        Duplicate(one, T(1.0f), n);
        PipeBarrier<PIPE_V>();
        Exp(d, d, n);
        PipeBarrier<PIPE_V>();
        Adds(d, d, T(1.0f), n);
        PipeBarrier<PIPE_V>();
        Div(d, one, d, n);
    });
}

// Gelu's polynomial argument: t = -1.5957691 (x + 0.044715 x^3); then out = x / (1 + e^t).
inline void GeluF32(const LocalTensor<float>& out, const LocalTensor<float>& x, const LocalTensor<float>& t, uint32_t n,
                    bool faster) {
    if (faster) {
        Muls(t, x, -1.702f, n);
    } else {
        Mul(t, x, x, n);
        PipeBarrier<PIPE_V>();
        Mul(t, t, x, n);
        PipeBarrier<PIPE_V>();
        Muls(t, t, 0.044715f, n);
        PipeBarrier<PIPE_V>();
        Add(t, t, x, n);
        PipeBarrier<PIPE_V>();
        Muls(t, t, -1.5957691216057308f, n);
    }
    PipeBarrier<PIPE_V>();
    Exp(t, t, n);
    PipeBarrier<PIPE_V>();
    Adds(t, t, 1.0f, n);
    PipeBarrier<PIPE_V>();
    Div(out, x, t, n);
}

template <typename T>
void GeluRun(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint8_t>& tmp, uint32_t count,
             bool faster) {
    Passes(dst, src, tmp, count, GELU_SLOTS * 4, [&](const LocalTensor<T>& d, const LocalTensor<T>& s,
                                                     const LocalTensor<uint8_t>& b, uint32_t n, uint32_t step) {
        InFloat(d, s, FloatSlot(b, step, 0), n, [&](const LocalTensor<float>& o, const LocalTensor<float>& x, uint32_t m) {
            GeluF32(o, x, FloatSlot(b, step, 1), m, faster);
        });
    });
}

}  // namespace detail
}  // namespace AscendC
