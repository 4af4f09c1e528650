// sinh_custom: y = sinh(x), float16 and float32, accurate over the whole finite range.
//
// Tiling (host/sinh_custom.cpp, Note [Elementwise split]): units of 32 bytes spread over the
// vector cores; tiles sized from UB (2 queues x 2 buffers, 3-4 fp32 scratch tiles, the mask).
//
// Compute, in fp32 (fp16 input is widened first and the result rounded back once).
//
// float32, with a = |x| and the sign put back at the end (sinh is odd):
//   a <  1: x + x^3 (c3 + x^2 (c5 + x^2 c7))   (e^a - e^-a loses all digits to cancellation near 0;
//                                              c3, c5, c7: a minimax fit, within 1.1 ulp on [0, 1))
//   a >= 1: E c - (1/4c) / E,  E = e^(a - ln2hi)  (= (e^a - e^-a)/2 with one Exp: e^-a/2 is 1/(4 e^a/2);
//                                              ln2hi is ln2 cut to 16 bits so a - ln2hi is exact,
//                                              c = e^-(ln2 - ln2hi) puts the rest back; no e^a
//                                              first, so fp32 covers |x| up to 89.4)
//   the two are merged by CompareScalar(a < 1) + Select, and x's sign bit (shifted out and back in
//   as uint32) is OR-ed onto the result as uint16 halves. Within 2.5 ulp over the whole range
//   (float64 reference). Working on a rather than x keeps E normal: from x, E = e^(x - ln2) would be
//   subnormal for x < -87.3 and its reciprocal lost where the hardware flushes subnormals.
// float16 needs 11 bits, not 24:
//   |x| <  2^-8: x                             (sinh x = x (1 + x^2/6 + ...) rounds to x in fp16)
//   |x| >= 2^-8: E - 1/(4E),  E = e^(x - ln2)  (the cancellation near 2^-8 costs 2^-15 relative, and
//                                              every fp16 x that E underflows for has sinh x = -inf)
//   E - 1/(4E) is rounded to fp16 first; |x| < 2^-8 is then found and merged in fp16 (Abs,
//   CompareScalar, Select at 128 lanes a repeat: half the repeats of doing it in fp32, the same
//   bits). All 63,488 finite fp16 inputs within one ulp of the correctly rounded result.
// Compare works on whole 256-byte repeats, so the last tile's lanes up to the next repeat are
// zero-filled before computing.
//
// Test: pytest tests/ops/test_sinh_custom.py --mode=cpu
#include "kernel_operator.h"
#include "elementwise.h"

using namespace AscendC;
using opkit_kernels::ElementwiseStream;

template <typename T>
class KernelSinh {
public:
    template <typename Tiling>
    __aicore__ inline void Init(GM_ADDR x, GM_ADDR y, const Tiling& tiling) {
        GM_ADDR in[1] = {x};
        stream_.Init(pipe_, in, y, tiling);
        const uint32_t bytes = tiling.tileLength * sizeof(float);  // [tile] fp32 each
        pipe_.InitBuffer(t_, bytes);
        pipe_.InitBuffer(u_, bytes);
        pipe_.InitBuffer(p_, bytes);
        if constexpr (!IS_FLOAT) pipe_.InitBuffer(xf_, bytes);
        pipe_.InitBuffer(mask_, (tiling.tileLength + 255) / 256 * 32);  // [tile] bits
    }
    template <bool PAD>
    __aicore__ inline void Process() {
        stream_.template Process<PAD>([this](const LocalTensor<T>& y, const LocalTensor<T>* in, uint32_t n) {
            // Compare consumes whole 256-byte repeats of fp32.
            const uint32_t count = (n + REPEAT - 1) / REPEAT * REPEAT;
            LocalTensor<float> t = t_.Get<float>(), u = u_.Get<float>(), a = p_.Get<float>();
            LocalTensor<uint8_t> mask = mask_.Get<uint8_t>();
            if constexpr (IS_FLOAT) {
                const LocalTensor<float>& x = in[0];
                if (count > n) Duplicate(x[n], 0.0f, count - n);
                Abs(a, x, count);
                // large branch: u = c E - (1/4c) / E
                Adds(u, a, -LN2_HI, count);
                Exp(u, u, count);
                Reciprocal(t, u, count);
                Muls(u, u, C, count);
                Axpy(u, t, -QUARTER_OVER_C, count);
                CompareScalar(mask, a, 1.0f, CMPMODE::LT, count);
                // small branch, in a's buffer (a is last read by the compare), on x itself: the odd
                // polynomial's rounding is symmetric, so p(x) = -p(-x) bit for bit and the sign OR below
                // leaves it as is. p = x + x * s * (c3 + s * (c5 + s * c7)), s = x^2
                LocalTensor<float> p = a;
                Mul(t, x, x, count);
                Muls(p, t, C7, count);
                Adds(p, p, C5, count);
                Mul(p, p, t, count);
                Adds(p, p, C3, count);
                Mul(p, p, t, count);
                Mul(p, p, x, count);
                Add(p, p, x, count);
                // merge where a < 1 takes p, and put x's sign bit on the result
                Select(y, mask, p, u, SELMODE::VSEL_TENSOR_TENSOR_MODE, count);
                LocalTensor<uint32_t> sign = u.template ReinterpretCast<uint32_t>();
                ShiftRight(sign, x.template ReinterpretCast<uint32_t>(), 31u, count);
                ShiftLeft(sign, sign, 31u, count);
                LocalTensor<uint16_t> y16 = y.template ReinterpretCast<uint16_t>();
                Or(y16, y16, sign.template ReinterpretCast<uint16_t>(), 2 * count);
            } else {
                // Compare and Select below work on whole 128-lane repeats: zero the last tile's lanes up to
                // the next one, and compute them all
                const uint32_t count16 = (n + REPEAT16 - 1) / REPEAT16 * REPEAT16;
                LocalTensor<T> x16 = in[0];
                if (count16 > n) Duplicate(x16[n], T(0), count16 - n);
                // fp32: u = E - 1/(4E), rounded to fp16 in y
                LocalTensor<float> x = xf_.Get<float>();
                Cast(x, x16, RoundMode::CAST_NONE, count16);
                Adds(u, x, -LN2, count16);
                Exp(u, u, count16);
                Reciprocal(t, u, count16);
                Axpy(u, t, -0.25f, count16);
                Cast(y, u, RoundMode::CAST_RINT, count16);
                // fp16, at 128 lanes a repeat: y = x where |x| < 2^-8 (in t's buffer, free again)
                LocalTensor<T> a16 = t.template ReinterpretCast<T>();
                Abs(a16, x16, count16);
                CompareScalar(mask, a16, T(SMALL_FP16), CMPMODE::LT, count16);
                Select(y, mask, x16, y, SELMODE::VSEL_TENSOR_TENSOR_MODE, count16);
            }
        });
    }

private:
    static constexpr bool IS_FLOAT = std::is_same<T, float>::value;
    static constexpr uint32_t REPEAT = 256 / sizeof(float);
    static constexpr uint32_t REPEAT16 = 256 / 2;
    static constexpr float LN2 = 0.693147180559945309f;
    static constexpr float SMALL_FP16 = 0.00390625f;         // 2^-8
    static constexpr float LN2_HI = 0.693145751953125f;      // ln2 to 16 bits
    static constexpr float C = 0.99999857f;                  // e^-(ln2 - LN2_HI), rounded
    static constexpr float QUARTER_OVER_C = 0.25000036f;     // 1/(4C), rounded
    static constexpr float C3 = 0.1666671484708786f;         // minimax on [0, 1), each the best
    static constexpr float C5 = 0.008330282755196095f;       // fp32 neighbour of the real fit
    static constexpr float C7 = 0.00020371991558931768f;
    TPipe pipe_;
    ElementwiseStream<T, 1> stream_;
    TBuf<QuePosition::VECCALC> t_, u_, p_, xf_, mask_;
};

extern "C" __global__ __aicore__ void sinh_custom(GM_ADDR x, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling) {
    GET_TILING_DATA(tilingData, tiling);
    KernelSinh<DTYPE_X> op;
    op.Init(x, y, tilingData);
    opkit_kernels::RunElementwise(op);
}
