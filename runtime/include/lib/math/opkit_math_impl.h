// opkit: the high-level math APIs Tanh, Exp (Taylor form), Log, Log2 and Log10, written in opkit's
// basic vector instructions (STYLE.md "Layers of the kernel API"), so npu_simulator checks and
// costs every step. Public headers: lib/math/tanh.h, exp.h, log.h; host queries: *_tiling.h.
//
// half inputs that need more precision than fp16 steps give are Cast to float into the temporary
// buffer, computed there and Cast back (the half temp sizes of CANN's queries are float-sized for
// that reason); temporaries follow Note [High-level temporary buffers] (opkit/kernel/hl_tmp.h).
//
// Tested by: pytest tests/runtime/test_hl_api.py -k "tanh or exp or log"
#pragma once

#include "opkit/kernel/hl_tmp.h"
#include "opkit/kernel/sync.h"
#include "lib/math/opkit_math_tmp.h"

namespace AscendC {
namespace detail {

// Casts a half pass to float in f, runs body(f, n) (in place), casts back; float runs body on dst.
template <typename T, typename Body>
void InFloat(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<float>& f, uint32_t n, Body&& body) {
    if constexpr (std::is_same<T, float>::value) {
        body(dst, src, n);
    } else {
        Cast(f, src, RoundMode::CAST_NONE, n);
        PipeBarrier<PIPE_V>();
        body(f, f, n);
        PipeBarrier<PIPE_V>();
        Cast(dst, f, RoundMode::CAST_NONE, n);
    }
}

// tanh x = (e^2x - 1) / (e^2x + 1), x clamped to +-9 first (tanh 9 rounds to 1 in fp32; e^18 stays
// finite). out may be x; t is one float temporary.
inline void TanhF32(const LocalTensor<float>& out, const LocalTensor<float>& x, const LocalTensor<float>& t, uint32_t n) {
    Mins(t, x, 9.0f, n);
    PipeBarrier<PIPE_V>();
    Maxs(t, t, -9.0f, n);
    PipeBarrier<PIPE_V>();
    Muls(t, t, 2.0f, n);
    PipeBarrier<PIPE_V>();
    Exp(t, t, n);
    PipeBarrier<PIPE_V>();
    Adds(out, t, -1.0f, n);
    Adds(t, t, 1.0f, n);
    PipeBarrier<PIPE_V>();
    Div(out, out, t, n);
}

template <typename T>
void TanhRun(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint8_t>& tmp, uint32_t count) {
    const uint32_t slots = sizeof(T) == 2 ? 2 : 1;  // half: x and t in float; float: t
    Passes(dst, src, tmp, count, slots * 4, [&](const LocalTensor<T>& d, const LocalTensor<T>& s,
                                                const LocalTensor<uint8_t>& b, uint32_t n, uint32_t step) {
        InFloat(d, s, FloatSlot(b, step, 0), n, [&](const LocalTensor<float>& o, const LocalTensor<float>& x, uint32_t m) {
            TanhF32(o, x, FloatSlot(b, step, slots - 1), m);
        });
    });
}

// e^x = e^floor(x) * e^r, r = x - floor(x) in [0, 1), e^r by the Taylor series of `level` terms
// (Horner form). fi, r, p are float temporaries (r may be x: isReuseSource); out may be fi or x.
inline void ExpTaylorF32(const LocalTensor<float>& out, const LocalTensor<float>& x, const LocalTensor<float>& fi,
                         const LocalTensor<float>& r, const LocalTensor<float>& p, uint32_t n, uint32_t level) {
    LocalTensor<int32_t> k = p.ReinterpretCast<int32_t>();  // p is free until the series starts
    Cast(k, x, RoundMode::CAST_FLOOR, n);
    PipeBarrier<PIPE_V>();
    Cast(fi, k, RoundMode::CAST_NONE, n);
    PipeBarrier<PIPE_V>();
    Sub(r, x, fi, n);
    Exp(fi, fi, n);
    Duplicate(p, 1.0f, n);
    for (uint32_t i = level; i >= 1; --i) {
        PipeBarrier<PIPE_V>();
        Mul(p, p, r, n);
        PipeBarrier<PIPE_V>();
        Muls(p, p, 1.0f / float(i), n);
        PipeBarrier<PIPE_V>();
        Adds(p, p, 1.0f, n);
    }
    PipeBarrier<PIPE_V>();
    Mul(out, fi, p, n);
}

template <typename T, uint8_t level, bool reuse>
void ExpRun(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint8_t>& tmp, uint32_t count) {
    const uint32_t slots = ExpSlots(sizeof(T), reuse);
    Passes(dst, src, tmp, count, slots * 4, [&](const LocalTensor<T>& d, const LocalTensor<T>& s,
                                                const LocalTensor<uint8_t>& b, uint32_t n, uint32_t step) {
        if constexpr (std::is_same<T, float>::value) {
            // float: x is src itself; with isReuseSource src also holds r (it is not read after).
            const LocalTensor<float> r = reuse ? s : FloatSlot(b, step, 1);
            ExpTaylorF32(d, s, FloatSlot(b, step, 0), r, FloatSlot(b, step, reuse ? 1 : 2), n, level);
        } else {
            InFloat(d, s, FloatSlot(b, step, 0), n, [&](const LocalTensor<float>& o, const LocalTensor<float>& x, uint32_t m) {
                ExpTaylorF32(o, x, FloatSlot(b, step, 1), FloatSlot(b, step, 2), FloatSlot(b, step, 3), m, level);
            });
        }
    });
}

// erf x = x * P(x^2) / Q(x^2) for x clamped to +-3.92 (erf 3.92 rounds to 1 in fp32): our own
// rational fit of degree 5/5 in x^2 (least squares on the relative error over [0, 3.92]; evaluated in
// fp32 it is within 3.1e-7 of erf there). xc, z, q are float temporaries; out may be x.
constexpr float ERF_P[6] = {1.12837915e+00f, 1.90422212e-01f, 5.27504547e-02f, 3.76618938e-03f, 2.84878206e-04f,
                            2.04974484e-06f};
constexpr float ERF_Q[6] = {1.0f, 5.02090032e-01f, 1.14115300e-01f, 1.49703854e-02f, 1.16264126e-03f, 3.80879129e-05f};

inline void ErfF32(const LocalTensor<float>& out, const LocalTensor<float>& x, const LocalTensor<float>& xc,
                   const LocalTensor<float>& z, const LocalTensor<float>& q, uint32_t n) {
    Mins(xc, x, 3.92f, n);
    PipeBarrier<PIPE_V>();
    Maxs(xc, xc, -3.92f, n);
    PipeBarrier<PIPE_V>();
    Mul(z, xc, xc, n);
    Duplicate(out, ERF_P[5], n);
    Duplicate(q, ERF_Q[5], n);
    for (int k = 4; k >= 0; --k) {
        PipeBarrier<PIPE_V>();
        Mul(out, out, z, n);
        Mul(q, q, z, n);
        PipeBarrier<PIPE_V>();
        Adds(out, out, ERF_P[k], n);
        Adds(q, q, ERF_Q[k], n);
    }
    PipeBarrier<PIPE_V>();
    Mul(out, out, xc, n);
    PipeBarrier<PIPE_V>();
    Div(out, out, q, n);
}

template <typename T>
void ErfRun(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint8_t>& tmp, uint32_t count) {
    const uint32_t slots = sizeof(T) == 2 ? 4 : 3;  // half: x, xc, z, q in float; float: xc, z, q
    Passes(dst, src, tmp, count, slots * 4, [&](const LocalTensor<T>& d, const LocalTensor<T>& s,
                                                const LocalTensor<uint8_t>& b, uint32_t n, uint32_t step) {
        const uint32_t first = slots - 3;
        InFloat(d, s, FloatSlot(b, step, 0), n, [&](const LocalTensor<float>& o, const LocalTensor<float>& x, uint32_t m) {
            ErfF32(o, x, FloatSlot(b, step, first), FloatSlot(b, step, first + 1), FloatSlot(b, step, first + 2), m);
        });
    });
}

// log2 x = ln x / ln 2, log10 x = ln x / ln 10: one Ln and one Muls (half: in float, as CANN's
// Log2 half temp size says).
template <typename T>
void LogScaled(const char* api, const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint8_t>* tmp,
               uint32_t count, float scale, bool halfInFloat) {
    if (!(std::is_same<T, half>::value && halfInFloat)) {
        Ln(dst, src, count);
        PipeBarrier<PIPE_V>();
        Muls(dst, dst, T(scale), count);
        return;
    }
    const uint32_t minBytes = Log2TmpMin(sizeof(T));
    LocalTensor<uint8_t> b = tmp != nullptr ? *tmp : FrameworkTmp(api, minBytes);
    if (tmp != nullptr) CheckSharedTmp(api, b, minBytes, dst, src, count);
    Passes(dst, src, b, count, 4, [&](const LocalTensor<T>& d, const LocalTensor<T>& s, const LocalTensor<uint8_t>& t,
                                      uint32_t n, uint32_t step) {
        InFloat(d, s, FloatSlot(t, step, 0), n, [&](const LocalTensor<float>& o, const LocalTensor<float>& x, uint32_t m) {
            Ln(o, x, m);
            PipeBarrier<PIPE_V>();
            Muls(o, o, scale, m);
        });
    });
}

}  // namespace detail
}  // namespace AscendC
