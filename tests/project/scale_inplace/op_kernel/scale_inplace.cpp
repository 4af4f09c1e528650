// scale_inplace: var[i] *= scale on one core, element by element (a ref output: the kernel gets var
// once as the input and once as the output). Test: pytest tests/project/test_direct_call.py
#include "kernel_operator.h"

extern "C" __global__ __aicore__ void scale_inplace(GM_ADDR var, GM_ADDR out, GM_ADDR workspace, GM_ADDR tiling) {
    GET_TILING_DATA(t, tiling);
    AscendC::GlobalTensor<float> in, result;
    in.SetGlobalBuffer((__gm__ float*)var, t.length);
    result.SetGlobalBuffer((__gm__ float*)out, t.length);
    for (uint32_t i = 0; i < t.length; ++i) result.SetValue(i, in.GetValue(i) * t.scale);
}
