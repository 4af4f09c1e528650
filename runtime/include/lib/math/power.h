// opkit's lib/math/power.h: Power (高阶API/数学计算/Power接口/Power.md) for half and float, in its three
// forms (tensor^tensor, tensor^scalar, scalar^tensor), written in opkit's basic vector instructions.
//
// The docs give Power(x, y) = exp(y * ln(x)) for floating types (the INTRINSIC algorithm, the only one
// on 910B); CANN's 910B implementation (impl/adv_api/detail/math/power/power_float_impl.h) takes the
// magnitude as exp(y * ln|x|) and then fixes signs and special values with compare masks. opkit does
// the same, in float (half is cast to float first and back at the end), one pass of `step` elements
// (a multiple of 64, what the temporary buffer holds) at a time:
//   R = exp(y * ln|x|)
//   y mod 2 = y - 2 * floor(y / 2), y clamped to +-2^24 (every float that large is an even integer)
//   R = -R               where x < 0 and y is an odd integer
//   R = NaN              where x < 0, x != -inf and y is not an integer (NaN y included)
//   R = 1                where y == 0, x == 1, or |x| == 1 and |y| == inf
// so the result is IEEE pow's apart from -0 bases (taken as +0: opkit compares, CANN reads the sign
// bit). Temporaries per element: X, Y, R, T as floats and three bit masks (Note [High-level temporary
// buffers]); CANN's GetPowerMaxMinTmpSize (lib/math/power_tiling.h) covers that. int32_t: Note [int32
// Power] below.
//
// Tested by: pytest tests/hlapi/test_power.py
#pragma once

#include <limits>

#include "lib/math/power_tiling.h"
#include "opkit/kernel/hl_tmp.h"
#include "opkit/kernel/sync.h"

namespace AscendC {

enum class PowerAlgo { INTRINSIC = 0, DOUBLE_FLOAT_TECH };
struct PowerConfig {
    PowerAlgo algo = PowerAlgo::INTRINSIC;
};
constexpr PowerConfig defaultPowerConfig = {PowerAlgo::INTRINSIC};

namespace detail {

// Bytes one pass of `step` elements uses: 4 float rows and 3 masks of step bits, 32-byte aligned.
inline uint32_t PowerPassBytes(uint32_t step) { return 16 * step + 3 * ((step / 8 + 31) / 32 * 32); }

struct PowerBufs {
    LocalTensor<float> x, y, r, t;
    LocalTensor<uint8_t> a, b, c;
    uint32_t step;
};

inline PowerBufs PowerSplit(const LocalTensor<uint8_t>& tmp, uint32_t step) {
    const uint32_t maskBytes = (step / 8 + 31) / 32 * 32;
    const LocalTensor<float> f = tmp.ReinterpretCast<float>();
    const LocalTensor<uint8_t> m = tmp[16 * step];
    return {f, f[step], f[2 * step], f[3 * step], m, m[maskBytes], m[2 * maskBytes], step};
}

// Loads n elements of a tensor (or a scalar) as floats into row `to` (n64 = n rounded up to 64;
// lanes past n hold 1, so the whole-repeat compares read defined data).
template <typename T>
void PowerLoad(const LocalTensor<float>& to, const LocalTensor<T>* src, float scalar, uint32_t n, uint32_t n64) {
    if (src == nullptr) {
        Duplicate(to, scalar, int32_t(n64));
        return;
    }
    if (n != n64) {
        Duplicate(to[n64 - 64], 1.0f, 64);
        PipeBarrier<PIPE_V>();
    }
    if constexpr (std::is_same<T, half>::value) Cast(to, *src, RoundMode::CAST_NONE, n);
    else Muls(to, *src, 1.0f, int32_t(n));  // a copy that keeps -0 and NaN
}

inline void MaskOp(bool isAnd, const LocalTensor<uint8_t>& d, const LocalTensor<uint8_t>& s, uint32_t n64) {
    const LocalTensor<uint16_t> dd = d.ReinterpretCast<uint16_t>(), ss = s.ReinterpretCast<uint16_t>();
    if (isAnd) And(dd, dd, ss, int32_t(n64 / 16)); else Or(dd, dd, ss, int32_t(n64 / 16));
    PipeBarrier<PIPE_V>();
}

// R = x^y over n64 lanes of the pass (Note at the top of this file).
inline void PowerPass(const PowerBufs& p, uint32_t n64) {
    const float inf = std::numeric_limits<float>::infinity();
    const int32_t n = int32_t(n64);
    // y mod 2 into T, using R as scratch.
    Mins(p.t, p.y, 16777216.0f, n);
    PipeBarrier<PIPE_V>();
    Maxs(p.t, p.t, -16777216.0f, n);
    PipeBarrier<PIPE_V>();
    Muls(p.r, p.t, 0.5f, n);
    PipeBarrier<PIPE_V>();
    Cast(p.r.ReinterpretCast<int32_t>(), p.r, RoundMode::CAST_FLOOR, n64);
    PipeBarrier<PIPE_V>();
    Cast(p.r, p.r.ReinterpretCast<int32_t>(), RoundMode::CAST_NONE, n64);
    PipeBarrier<PIPE_V>();
    Muls(p.r, p.r, 2.0f, n);
    PipeBarrier<PIPE_V>();
    Sub(p.t, p.t, p.r, n);
    PipeBarrier<PIPE_V>();
    Compares(p.a, p.t, 1.0f, CMPMODE::EQ, n64);  // A: y odd integer
    Compares(p.b, p.t, 0.0f, CMPMODE::EQ, n64);
    PipeBarrier<PIPE_V>();
    MaskOp(false, p.b, p.a, n64);                // B: y integer
    Compares(p.c, p.x, 0.0f, CMPMODE::LT, n64);
    PipeBarrier<PIPE_V>();
    MaskOp(true, p.a, p.c, n64);                 // A: x < 0 and y odd: negate
    Compares(p.c, p.x, 0.0f, CMPMODE::GE, n64);
    PipeBarrier<PIPE_V>();
    MaskOp(false, p.b, p.c, n64);
    Compares(p.c, p.x, -inf, CMPMODE::EQ, n64);
    PipeBarrier<PIPE_V>();
    MaskOp(false, p.b, p.c, n64);                // B: not NaN
    // |x|^y
    Abs(p.r, p.x, n);
    PipeBarrier<PIPE_V>();
    Ln(p.r, p.r, n);
    PipeBarrier<PIPE_V>();
    Mul(p.r, p.r, p.y, n);
    PipeBarrier<PIPE_V>();
    Exp(p.r, p.r, n);
    PipeBarrier<PIPE_V>();
    Muls(p.t, p.r, -1.0f, n);
    PipeBarrier<PIPE_V>();
    Select(p.r, p.a, p.t, p.r, SELMODE::VSEL_TENSOR_TENSOR_MODE, n64);
    PipeBarrier<PIPE_V>();
    Select(p.r, p.b, p.r, std::numeric_limits<float>::quiet_NaN(), SELMODE::VSEL_TENSOR_SCALAR_MODE, n64);
    // ones: y == 0, x == 1, |x| == 1 and |y| == inf
    Compares(p.a, p.y, 0.0f, CMPMODE::EQ, n64);
    Abs(p.t, p.x, n);
    PipeBarrier<PIPE_V>();
    Compares(p.b, p.t, 1.0f, CMPMODE::EQ, n64);
    Abs(p.t, p.y, n);
    PipeBarrier<PIPE_V>();
    Compares(p.c, p.t, inf, CMPMODE::EQ, n64);
    PipeBarrier<PIPE_V>();
    MaskOp(true, p.b, p.c, n64);
    MaskOp(false, p.a, p.b, n64);
    Compares(p.c, p.x, 1.0f, CMPMODE::EQ, n64);
    PipeBarrier<PIPE_V>();
    MaskOp(false, p.a, p.c, n64);
    Not(p.a.ReinterpretCast<uint16_t>(), p.a.ReinterpretCast<uint16_t>(), int32_t(n64 / 16));
    PipeBarrier<PIPE_V>();
    Select(p.r, p.a, p.r, 1.0f, SELMODE::VSEL_TENSOR_SCALAR_MODE, n64);
    PipeBarrier<PIPE_V>();
}

// Note [int32 Power]: CANN's int32 path (the INTRINSIC algorithm, fast exponentiation; its arch-2201
// implementation in impl/adv_api/detail/math/power/power_int_impl.h) gives, per element:
//   v = x ** |y| in int32 arithmetic (the vector Mul wraps modulo 2^32, so any order of the products
//       gives the same v; y == 0 gives 1, 0 ** 0 included);
//   y >= 0: v;  y < 0: trunc(1.0f / float(v)), i.e. v for v == +-1 and 0 otherwise;  v == 0: 0.
// opkit computes it by square-and-multiply over the bits of |y|, on the basic instructions, one pass of
// `step` elements (five int32 rows R, B, E, H, Q and two bit masks: within GetPowerMaxMinTmpSize's 6 rows):
//   E = |y| (y < 0 from a float compare, as CANN does; |INT32_MIN| wraps to 2^31, read unsigned)
//   rounds = bit length of max(E) (one ReduceMax and a V -> S read, as CANN reads its loop sums)
//   each round: H = E >> 1, Q = E - 2H (the low bit), R *= 1 + Q (B - 1), B *= B, E = H
//   y < 0: R = trunc(1 / float(R)); R == 0: 0.
inline uint32_t PowerIntPassBytes(uint32_t step) { return 20 * step + 2 * ((step / 8 + 31) / 32 * 32); }

inline void PowerIntLoad(const LocalTensor<int32_t>& to, const LocalTensor<int32_t>* src, int32_t scalar, int32_t pad,
                         uint32_t n, uint32_t n64) {
    if (src == nullptr) {
        Duplicate(to, scalar, int32_t(n64));
        return;
    }
    if (n < n64) Duplicate(to, pad, int32_t(n64));  // lanes past n: defined data for whole-repeat steps
    PipeBarrier<PIPE_V>();
    Adds(to, *src, int32_t(0), int32_t(n));
}

inline void PowerIntRun(const LocalTensor<int32_t>& dst, const LocalTensor<int32_t>* x, int32_t xs,
                        const LocalTensor<int32_t>* y, int32_t ys, const LocalTensor<uint8_t>& tmp, uint32_t count) {
    uint32_t step = 64;
    while (PowerIntPassBytes(step + 64) <= tmp.GetSize() && step < (count + 63) / 64 * 64) step += 64;
    const LocalTensor<int32_t> rows = tmp.ReinterpretCast<int32_t>();
    const LocalTensor<int32_t> R = rows, B = rows[step], Q = rows[4 * step];
    LocalTensor<int32_t> E = rows[2 * step], H = rows[3 * step];
    const LocalTensor<uint8_t> neg = tmp[20 * step], zero = tmp[20 * step + (step / 8 + 31) / 32 * 32];
    for (uint32_t i = 0; i < count; i += step) {
        const uint32_t n = count - i < step ? count - i : step, n64 = (n + 63) / 64 * 64;
        const LocalTensor<int32_t> xi = x != nullptr ? (*x)[i] : LocalTensor<int32_t>();
        const LocalTensor<int32_t> yi = y != nullptr ? (*y)[i] : LocalTensor<int32_t>();
        PowerIntLoad(B, x != nullptr ? &xi : nullptr, xs, 1, n, n64);
        PowerIntLoad(E, y != nullptr ? &yi : nullptr, ys, 0, n, n64);
        PipeBarrier<PIPE_V>();
        const LocalTensor<float> hf = H.ReinterpretCast<float>(), qf = Q.ReinterpretCast<float>();
        Cast(hf, E, RoundMode::CAST_NONE, n64);
        PipeBarrier<PIPE_V>();
        CompareScalar(neg, hf, 0.0f, CMPMODE::LT, n64);
        Muls(Q, E, int32_t(-1), int32_t(n64));
        PipeBarrier<PIPE_V>();
        Select(E.ReinterpretCast<float>(), neg, qf, E.ReinterpretCast<float>(), SELMODE::VSEL_TENSOR_TENSOR_MODE, n64);
        PipeBarrier<PIPE_V>();
        // rounds: the bit length of max(E), from max(E >> 1) (non-negative even for |INT32_MIN|)
        ShiftRight(H.ReinterpretCast<uint32_t>(), E.ReinterpretCast<uint32_t>(), uint32_t(1), int32_t(n64));
        PipeBarrier<PIPE_V>();
        Cast(hf, H, RoundMode::CAST_NONE, n64);
        PipeBarrier<PIPE_V>();
        ReduceMax(qf, hf, qf[8], int32_t(n64));
        const int8_t ev = GetTPipePtr()->FetchEventID(HardEvent::V_S);
        SetFlag<HardEvent::V_S>(ev);
        WaitFlag<HardEvent::V_S>(ev);
        const float top = qf.GetValue(0);
        const int8_t back = GetTPipePtr()->FetchEventID(HardEvent::S_V);
        SetFlag<HardEvent::S_V>(back);
        WaitFlag<HardEvent::S_V>(back);
        uint32_t rounds = 1;
        for (float t = top; t >= 1.0f && rounds < 32; t /= 2) ++rounds;
        Duplicate(R, int32_t(1), int32_t(n64));
        PipeBarrier<PIPE_V>();
        for (uint32_t k = 0; k < rounds; ++k) {
            ShiftRight(H.ReinterpretCast<uint32_t>(), E.ReinterpretCast<uint32_t>(), uint32_t(1), int32_t(n64));
            PipeBarrier<PIPE_V>();
            ShiftLeft(Q, H, int32_t(1), int32_t(n64));
            PipeBarrier<PIPE_V>();
            Sub(Q, E, Q, int32_t(n64));            // the low bit of E
            PipeBarrier<PIPE_V>();
            Adds(E, B, int32_t(-1), int32_t(n64));  // B - 1
            PipeBarrier<PIPE_V>();
            Mul(E, E, Q, int32_t(n64));
            PipeBarrier<PIPE_V>();
            Adds(E, E, int32_t(1), int32_t(n64));   // the bit ? B : 1
            PipeBarrier<PIPE_V>();
            Mul(R, R, E, int32_t(n64));
            Mul(B, B, B, int32_t(n64));
            PipeBarrier<PIPE_V>();
            std::swap(E, H);  // E = E >> 1, without a copy
        }
        // y < 0: trunc(1 / float(R)); then R == 0 -> 0 (also where 1 / 0 saturated)
        CompareScalar(zero, R, int32_t(0), CMPMODE::EQ, n64);
        Cast(hf, R, RoundMode::CAST_NONE, n64);
        Duplicate(qf, 1.0f, int32_t(n64));
        PipeBarrier<PIPE_V>();
        Div(hf, qf, hf, int32_t(n64));
        PipeBarrier<PIPE_V>();
        Cast(Q, hf, RoundMode::CAST_TRUNC, n64);
        PipeBarrier<PIPE_V>();
        Select(R.ReinterpretCast<float>(), neg, qf, R.ReinterpretCast<float>(), SELMODE::VSEL_TENSOR_TENSOR_MODE, n64);
        PipeBarrier<PIPE_V>();
        Duplicate(Q, int32_t(0), int32_t(n64));
        PipeBarrier<PIPE_V>();
        Select(R.ReinterpretCast<float>(), zero, qf, R.ReinterpretCast<float>(), SELMODE::VSEL_TENSOR_TENSOR_MODE, n64);
        PipeBarrier<PIPE_V>();
        Adds(dst[i], R, int32_t(0), int32_t(n));
        PipeBarrier<PIPE_V>();
    }
}

template <typename T>
void PowerFloatRun(const LocalTensor<T>& dst, const LocalTensor<T>* x, T xs, const LocalTensor<T>* y, T ys,
                   const LocalTensor<uint8_t>& tmp, uint32_t count);

template <typename T>
void PowerRun(const LocalTensor<T>& dst, const LocalTensor<T>* x, T xs, const LocalTensor<T>* y, T ys,
              const LocalTensor<uint8_t>* shared, uint32_t count) {
    static_assert(std::is_same<T, half>::value || std::is_same<T, float>::value || std::is_same<T, int32_t>::value,
                  "Power takes half, float or int32_t on Atlas A2/A3 (Power.md)");
    constexpr bool isInt = std::is_same<T, int32_t>::value;
    const LocalTensor<T>& any = x != nullptr ? *x : *y;
    if (count > dst.GetSize() || count > any.GetSize() || (x != nullptr && y != nullptr && count > y->GetSize()))
        opkit::rt::Fail("Power: calCount " + HlNum(count) + " exceeds a source (" + HlNum(any.GetSize()) +
                        " elements) or the destination (" + HlNum(dst.GetSize()) + " elements)");
    if (count == 0) return;
    const bool tt = x != nullptr && y != nullptr;
    const uint32_t need = PowerTmpMin(tt, sizeof(T), isInt);
    LocalTensor<uint8_t> tmp;
    if (shared != nullptr) {
        CheckSharedTmp("Power", *shared, need, dst, any, count);
        if (tt) CheckSharedTmp("Power", *shared, need, dst, *y, count);
        tmp = *shared;
    } else {
        tmp = FrameworkTmp("Power", need);
        // Power's Selects borrow UB's scratch area (Note [UB scratch area]); keep the temporaries
        // the API takes for itself below it.
        const uint64_t start = uint64_t(tmp.addr_ - opkit::rt::MemBase(opkit::rt::Mem::UB));
        const uint64_t scratch = opkit::rt::MemSize(opkit::rt::Mem::UB) - opkit::rt::CoreSoc().ubScratchBytes;
        const uint64_t below = scratch > start ? scratch - start : 0;
        if (below < need)
            opkit::rt::Fail("Power: the temporary buffer the API allocates itself needs " + HlNum(need) +
                            " bytes below UB's scratch area (offset " + HlNum(scratch) + "), which its Selects "
                            "overwrite, but the free UB starts at offset " + HlNum(start) + "; leave " + HlNum(need) +
                            " bytes free below it (see GetPowerMaxMinTmpSize) or pass a sharedTmpBuffer");
        if (start + tmp.GetSize() > scratch) tmp = LocalTensor<uint8_t>(tmp.addr_, uint32_t(below), TPosition::VECCALC);
    }
    if constexpr (isInt) {
        PowerIntRun(dst, x, xs, y, ys, tmp, count);
    } else {
        PowerFloatRun(dst, x, xs, y, ys, tmp, count);
    }
}

template <typename T>
void PowerFloatRun(const LocalTensor<T>& dst, const LocalTensor<T>* x, T xs, const LocalTensor<T>* y, T ys,
                   const LocalTensor<uint8_t>& tmp, uint32_t count) {
    uint32_t step = 64;
    while (PowerPassBytes(step + 64) <= tmp.GetSize() && step < (count + 63) / 64 * 64) step += 64;
    const PowerBufs p = PowerSplit(tmp, step);
    for (uint32_t i = 0; i < count; i += step) {
        const uint32_t n = count - i < step ? count - i : step, n64 = (n + 63) / 64 * 64;
        const LocalTensor<T> xi = x != nullptr ? (*x)[i] : LocalTensor<T>(), yi = y != nullptr ? (*y)[i] : LocalTensor<T>();
        PowerLoad<T>(p.x, x != nullptr ? &xi : nullptr, float(xs), n, n64);
        PowerLoad<T>(p.y, y != nullptr ? &yi : nullptr, float(ys), n, n64);
        PipeBarrier<PIPE_V>();
        PowerPass(p, n64);
        if constexpr (std::is_same<T, half>::value) Cast(dst[i], p.r, RoundMode::CAST_RINT, n);
        else Muls(dst[i], p.r, 1.0f, int32_t(n));
        PipeBarrier<PIPE_V>();
    }
}

}  // namespace detail

#define OPKIT_POWER_FORMS(X_DECL, Y_DECL, X_ARGS, Y_ARGS, SIZE)                                              \
    template <typename T, bool isReuseSource = false, const PowerConfig& config = defaultPowerConfig>          \
    __aicore__ inline void Power(const LocalTensor<T>& dstTensor, X_DECL, Y_DECL,                            \
                                 const LocalTensor<uint8_t>& sharedTmpBuffer, uint32_t calCount) {           \
        detail::PowerRun<T>(dstTensor, X_ARGS, Y_ARGS, &sharedTmpBuffer, calCount);                          \
    }                                                                                                        \
    template <typename T, bool isReuseSource = false, const PowerConfig& config = defaultPowerConfig>          \
    __aicore__ inline void Power(const LocalTensor<T>& dstTensor, X_DECL, Y_DECL,                            \
                                 const LocalTensor<uint8_t>& sharedTmpBuffer) {                              \
        detail::PowerRun<T>(dstTensor, X_ARGS, Y_ARGS, &sharedTmpBuffer, SIZE);                              \
    }                                                                                                        \
    template <typename T, bool isReuseSource = false, const PowerConfig& config = defaultPowerConfig>          \
    __aicore__ inline void Power(const LocalTensor<T>& dstTensor, X_DECL, Y_DECL, uint32_t calCount) {       \
        detail::PowerRun<T>(dstTensor, X_ARGS, Y_ARGS, nullptr, calCount);                                   \
    }                                                                                                        \
    template <typename T, bool isReuseSource = false, const PowerConfig& config = defaultPowerConfig>          \
    __aicore__ inline void Power(const LocalTensor<T>& dstTensor, X_DECL, Y_DECL) {                          \
        detail::PowerRun<T>(dstTensor, X_ARGS, Y_ARGS, nullptr, SIZE);                                       \
    }

#define OPKIT_COMMA ,
OPKIT_POWER_FORMS(const LocalTensor<T>& src0Tensor, const LocalTensor<T>& src1Tensor, &src0Tensor OPKIT_COMMA T(0),
                  &src1Tensor OPKIT_COMMA T(0), src0Tensor.GetSize())
OPKIT_POWER_FORMS(const LocalTensor<T>& src0Tensor, const T& src1Scalar, &src0Tensor OPKIT_COMMA T(0),
                  nullptr OPKIT_COMMA src1Scalar, src0Tensor.GetSize())
OPKIT_POWER_FORMS(const T& src0Scalar, const LocalTensor<T>& src1Tensor, nullptr OPKIT_COMMA src0Scalar,
                  &src1Tensor OPKIT_COMMA T(0), src1Tensor.GetSize())
#undef OPKIT_COMMA
#undef OPKIT_POWER_FORMS

}  // namespace AscendC
