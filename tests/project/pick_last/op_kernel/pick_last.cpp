// pick_last: y[r] = x[r * rowLength + rowLength - 1] for r < rows, one core, scalar GM accesses.
// rows comes from the output's shape as the aclnn caller gave it. Test: pytest tests/project/test_build.py -k pick_last
#include "kernel_operator.h"

extern "C" __global__ __aicore__ void pick_last(GM_ADDR x, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling) {
    GET_TILING_DATA(t, tiling);
    AscendC::GlobalTensor<float> xGm, yGm;
    xGm.SetGlobalBuffer((__gm__ float*)x, t.rows * t.rowLength);
    yGm.SetGlobalBuffer((__gm__ float*)y, t.rows);
    for (uint32_t r = 0; r < t.rows; ++r) yGm.SetValue(r, xGm.GetValue(r * t.rowLength + t.rowLength - 1));
}
