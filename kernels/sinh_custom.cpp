// sinh_custom: y = sinh(x), float16 and float32, accurate over the whole finite range.
//
// Tiling (host/sinh_custom.cpp, Note [Elementwise split]): units of 32 bytes spread over the
// vector cores; tiles sized from UB (2 queues x 2 buffers, 3-4 fp32 scratch tiles, the mask).
//
// Compute, in fp32 (fp16 input is widened first and the result rounded back once):
//   |x| <  1: x + x^3/3! + ... + x^9/9!     (e^x - e^-x loses all digits to cancellation near 0)
//   |x| >= 1: e^(x - ln2) - e^(-x - ln2)   (= (e^x - e^-x)/2 without overflowing e^x first, so
//                                           fp32 covers |x| up to 89.4 and fp16 all of its range)
//   the two are merged by CompareScalar(|x| < 1) + Select; Compare works on whole 256-byte
//   repeats, so the last tile's lanes up to the next repeat are zero-filled before computing.
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
            LocalTensor<float> x;
            if constexpr (IS_FLOAT) {
                x = in[0];
                if (count > n) Duplicate(x[n], 0.0f, count - n);
            } else {
                x = xf_.Get<float>();
                Cast(x, in[0], RoundMode::CAST_NONE, n);
                if (count > n) Duplicate(x[n], 0.0f, count - n);
            }
            LocalTensor<float> t = t_.Get<float>(), u = u_.Get<float>(), p = p_.Get<float>();
            LocalTensor<uint8_t> mask = mask_.Get<uint8_t>();
            // large branch: u = e^(x - ln2) - e^(-x - ln2)
            Adds(u, x, -LN2, count);
            Exp(u, u, count);
            Muls(t, x, -1.0f, count);
            Adds(t, t, -LN2, count);
            Exp(t, t, count);
            Sub(u, u, t, count);
            // small branch: p = x + x * x^2 * (1/3! + x^2 * (1/5! + x^2 * (1/7! + x^2 / 9!)))
            Mul(t, x, x, count);
            Muls(p, t, 1.0f / 362880.0f, count);
            Adds(p, p, 1.0f / 5040.0f, count);
            Mul(p, p, t, count);
            Adds(p, p, 1.0f / 120.0f, count);
            Mul(p, p, t, count);
            Adds(p, p, 1.0f / 6.0f, count);
            Mul(p, p, t, count);
            Mul(p, p, x, count);
            Add(p, p, x, count);
            // merge: where |x| < 1 take p, else u
            Abs(t, x, count);
            CompareScalar(mask, t, 1.0f, CMPMODE::LT, count);
            if constexpr (IS_FLOAT) {
                Select(y, mask, p, u, SELMODE::VSEL_TENSOR_TENSOR_MODE, count);
            } else {
                Select(t, mask, p, u, SELMODE::VSEL_TENSOR_TENSOR_MODE, count);
                Cast(y, t, RoundMode::CAST_RINT, n);
            }
        });
    }

private:
    static constexpr bool IS_FLOAT = std::is_same<T, float>::value;
    static constexpr uint32_t REPEAT = 256 / sizeof(float);
    static constexpr float LN2 = 0.693147180559945309f;
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
