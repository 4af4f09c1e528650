// addcdiv_custom: out = x + value * y / z, float attr `value` (default 1.0), float16 and float32.
//
// Tiling (host/addcdiv_custom.cpp, Note [Elementwise split]): units of 32 bytes spread over the
// vector cores; tiles sized from UB (4 queues x 2 buffers x tile, plus 3 fp32 scratch tiles for
// fp16); sub-32-byte remainder by DataCopyPad (910B) or an aligned window (910A/310P).
//
//   per tile:  x, y, z --MTE2--> UB --V: t = y / z; t = t * value; out = x + t --> out --MTE3--> GM
//   float16: computed in fp32 (Cast up, the three instructions, one rounding back), so the result
//   is the fp32 result rounded once instead of three fp16 roundings.
//
// Test: pytest tests/ops/test_addcdiv_custom.py --mode=cpu
#include "kernel_operator.h"
#include "elementwise.h"

using namespace AscendC;
using opkit_kernels::ElementwiseStream;

template <typename T>
class KernelAddcdiv {
public:
    template <typename Tiling>
    __aicore__ inline void Init(GM_ADDR x, GM_ADDR y, GM_ADDR z, GM_ADDR out, const Tiling& tiling) {
        GM_ADDR in[3] = {x, y, z};
        value_ = tiling.value;
        stream_.Init(pipe_, in, out, tiling);
        if constexpr (!IS_FLOAT) {
            for (auto* buf : {&xf_, &yf_, &zf_}) pipe_.InitBuffer(*buf, tiling.tileLength * sizeof(float));  // [tile] fp32
        }
    }
    template <bool PAD>
    __aicore__ inline void Process() {
        stream_.template Process<PAD>([this](const LocalTensor<T>& out, const LocalTensor<T>* in, uint32_t n) {
            if constexpr (IS_FLOAT) {
                Div(out, in[1], in[2], n);
                Muls(out, out, value_, n);
                Add(out, in[0], out, n);
            } else {
                LocalTensor<float> xf = xf_.Get<float>(), yf = yf_.Get<float>(), zf = zf_.Get<float>();
                Cast(xf, in[0], RoundMode::CAST_NONE, n);
                Cast(yf, in[1], RoundMode::CAST_NONE, n);
                Cast(zf, in[2], RoundMode::CAST_NONE, n);
                Div(yf, yf, zf, n);
                Muls(yf, yf, value_, n);
                Add(yf, xf, yf, n);
                Cast(out, yf, RoundMode::CAST_RINT, n);
            }
        });
    }

private:
    static constexpr bool IS_FLOAT = std::is_same<T, float>::value;
    TPipe pipe_;
    ElementwiseStream<T, 3> stream_;
    TBuf<QuePosition::VECCALC> xf_, yf_, zf_;
    float value_ = 1.0f;
};

extern "C" __global__ __aicore__ void addcdiv_custom(GM_ADDR x, GM_ADDR y, GM_ADDR z, GM_ADDR out, GM_ADDR workspace,
                                                     GM_ADDR tiling) {
    GET_TILING_DATA(tilingData, tiling);
    KernelAddcdiv<DTYPE_X> op;
    op.Init(x, y, z, out, tilingData);
    opkit_kernels::RunElementwise(op);
}
