// scale_grad_custom: dx = scale * dy, element by element on one core through GM GetValue/SetValue.
// Test: pytest tests/mindspore/test_project_op.py
#include "kernel_operator.h"

extern "C" __global__ __aicore__ void scale_grad_custom(GM_ADDR x, GM_ADDR dy, GM_ADDR dx, GM_ADDR workspace,
                                                        GM_ADDR tiling) {
    GET_TILING_DATA(t, tiling);
    AscendC::GlobalTensor<float> in, out;
    in.SetGlobalBuffer((__gm__ float*)dy, t.n);
    out.SetGlobalBuffer((__gm__ float*)dx, t.n);
    for (uint32_t i = 0; i < t.n; ++i) out.SetValue(i, t.scale * in.GetValue(i));
}
