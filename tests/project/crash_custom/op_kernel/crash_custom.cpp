// crash_custom: misbehaves on core 1 as `mode` says, for the crash-isolation tests:
//   0 copies x to y (behaves)   1 writes through a wild pointer   2 aborts   3 loops forever
//   4 DataCopy reads past the end of x (an opkit KernelError raised in the child process)
// Test: pytest tests/project/test_isolation.py
#include <cstdlib>

#include "kernel_operator.h"

extern "C" __global__ __aicore__ void crash_custom(GM_ADDR x, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling) {
    GET_TILING_DATA(t, tiling);
    if (AscendC::GetBlockIdx() == 1) {
        if (t.mode == 1) *reinterpret_cast<volatile int*>(uintptr_t(16)) = 1;
        if (t.mode == 2) std::abort();
        if (t.mode == 3)
            for (volatile int spin = 0;; spin = spin + 1) {
            }
        if (t.mode == 4) {
            AscendC::TPipe pipe;
            AscendC::TBuf<AscendC::QuePosition::VECCALC> buf;
            pipe.InitBuffer(buf, 256);
            AscendC::GlobalTensor<float> in;
            in.SetGlobalBuffer((__gm__ float*)x, 8);
            AscendC::DataCopy(buf.Get<float>(), in, 64);
        }
        return;
    }
    AscendC::GlobalTensor<float> in, out;
    in.SetGlobalBuffer((__gm__ float*)x, 8);
    out.SetGlobalBuffer((__gm__ float*)y, 8);
    for (int i = 0; i < 8; ++i) out.SetValue(i, in.GetValue(i));
}
