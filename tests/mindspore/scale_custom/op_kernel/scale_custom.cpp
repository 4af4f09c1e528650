// scale_custom: y = scale * x, element by element on one core through GM GetValue/SetValue.
//   mode 1 also copies 48 bytes of x into UB (not a multiple of 32: an npu_simulator finding)
//   mode 2 also copies 64 floats from x into UB, past the end of a short x (a KernelError)
// Test: pytest tests/mindspore/test_project_op.py
#include "kernel_operator.h"

extern "C" __global__ __aicore__ void scale_custom(GM_ADDR x, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling) {
    GET_TILING_DATA(t, tiling);
    AscendC::GlobalTensor<float> in, out;
    in.SetGlobalBuffer((__gm__ float*)x, t.n);
    out.SetGlobalBuffer((__gm__ float*)y, t.n);
    if (t.mode == 1 || t.mode == 2) {
        AscendC::TPipe pipe;
        AscendC::TBuf<AscendC::QuePosition::VECCALC> buf;
        pipe.InitBuffer(buf, 256);
        AscendC::DataCopy(buf.Get<float>(), in, t.mode == 1 ? 12 : 64);
    }
    for (uint32_t i = 0; i < t.n; ++i) out.SetValue(i, t.scale * in.GetValue(i));
}
