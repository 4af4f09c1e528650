// add_custom: z = x + y, for float16, float32 and bfloat16.
//
// Tiling (host/add_custom.cpp, Note [Elementwise split]): the 32-byte units of x are spread over up
// to all vector cores, each core streams its range in tiles sized from the UB budget
// (3 queues x 2 buffers x tile), and the last core's sub-32-byte remainder goes through
// DataCopyPad (910B) or an aligned window ending at its range's end (910A/310P).
//
//   per tile:  x[tile] --MTE2--> xLocal ┐
//              y[tile] --MTE2--> yLocal ┴-V: Add--> zLocal --MTE3--> z[tile]
//   bfloat16: the vector unit of 910B has no bf16 Add, so x and y are cast to fp32 scratch tiles,
//   added there, and the sum is rounded back to bf16 once (round to nearest even).
//
// Test: pytest tests/ops/test_add_custom.py --mode=cpu
#include "kernel_operator.h"
#include "elementwise.h"

using namespace AscendC;
using opkit_kernels::ElementwiseStream;

template <typename T>
class KernelAdd {
public:
    template <typename Tiling>
    __aicore__ inline void Init(GM_ADDR x, GM_ADDR y, GM_ADDR z, const Tiling& tiling) {
        GM_ADDR in[2] = {x, y};
        stream_.Init(pipe_, in, z, tiling);
        if constexpr (!IS_NATIVE) {
            pipe_.InitBuffer(xf_, tiling.tileLength * sizeof(float));  // [tile] fp32
            pipe_.InitBuffer(yf_, tiling.tileLength * sizeof(float));  // [tile] fp32
        }
    }
    template <bool PAD>
    __aicore__ inline void Process() {
        stream_.template Process<PAD>([this](const LocalTensor<T>& z, const LocalTensor<T>* in, uint32_t n) {
            if constexpr (IS_NATIVE) {
                Add(z, in[0], in[1], n);
            } else {
                LocalTensor<float> xf = xf_.Get<float>();
                LocalTensor<float> yf = yf_.Get<float>();
                Cast(xf, in[0], RoundMode::CAST_NONE, n);
                Cast(yf, in[1], RoundMode::CAST_NONE, n);
                Add(xf, xf, yf, n);
                Cast(z, xf, RoundMode::CAST_RINT, n);
            }
        });
    }

private:
    static constexpr bool IS_NATIVE = std::is_same<T, half>::value || std::is_same<T, float>::value;
    TPipe pipe_;
    ElementwiseStream<T, 2> stream_;
    TBuf<QuePosition::VECCALC> xf_, yf_;
};

extern "C" __global__ __aicore__ void add_custom(GM_ADDR x, GM_ADDR y, GM_ADDR z, GM_ADDR workspace, GM_ADDR tiling) {
    GET_TILING_DATA(tilingData, tiling);
    KernelAdd<DTYPE_X> op;
    op.Init(x, y, z, tilingData);
    opkit_kernels::RunElementwise(op);
}
