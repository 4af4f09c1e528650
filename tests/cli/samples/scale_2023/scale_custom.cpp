// scale_custom: z = 2 * x in float16, CANN 6.3/7.0 spelling (namespace tik2, ParamOffset).
// 4 cores, 1024 elements each (ParamOffset picks the core's slice), 4 tiles of 256 per core, one buffer.
// Test: pytest tests/cli/test_sample.py
#include "kernel_operator.h"

constexpr uint32_t PER_CORE = 1024;
constexpr uint32_t TILE = 256;

namespace tik2 {  // that era's samples put their kernel class in the API's namespace
class ScaleKernel {
public:
    __aicore__ inline void Init(GM_ADDR x, GM_ADDR z) {
        xGm.SetGlobalBuffer((__gm__ half*)ParamOffset<half>(x, PER_CORE), PER_CORE);
        zGm.SetGlobalBuffer((__gm__ half*)ParamOffset<half>(z, PER_CORE), PER_CORE);
        pipe.InitBuffer(inQ, 1, TILE * sizeof(half));
        pipe.InitBuffer(outQ, 1, TILE * sizeof(half));
    }
    __aicore__ inline void Process() {
        for (uint32_t t = 0; t < PER_CORE / TILE; ++t) {
            LocalTensor<half> in = inQ.AllocTensor<half>();
            DataCopy(in, xGm[t * TILE], TILE);
            inQ.EnQue(in);
            in = inQ.DeQue<half>();
            LocalTensor<half> out = outQ.AllocTensor<half>();
            Muls(out, in, (half)2.0, TILE);
            outQ.EnQue(out);
            inQ.FreeTensor(in);
            out = outQ.DeQue<half>();
            DataCopy(zGm[t * TILE], out, TILE);
            outQ.FreeTensor(out);
        }
    }

private:
    TPipe pipe;
    TQue<QuePosition::VECIN, 1> inQ;
    TQue<QuePosition::VECOUT, 1> outQ;
    GlobalTensor<half> xGm, zGm;
};
}  // namespace tik2

extern "C" __global__ __aicore__ void scale_custom(GM_ADDR x, GM_ADDR z) {
    tik2::ScaleKernel k;
    k.Init(x, z);
    k.Process();
}
