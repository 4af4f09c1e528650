// unwritten_read: UB reads the NPU would get wrong. The npu_simulator model reports them.
//
//   garbage   Add reads a scratch tile only half of which was filled (Duplicate of 128 of 256):
//             the rest holds whatever an earlier kernel left there
//   unsynced  the tile is complete, but the V result goes to GM (MTE3) with no V->MTE3 flag: the
//             copy can overtake the Add
//   filled    both done right (control: no finding)
//   intrinsic as filled, with the flag pair written as the intrinsics set_flag/wait_flag(PIPE_V,
//             PIPE_MTE3, id) (the official PreLayerNorm sample's spelling): no finding either
//
// Usage: unwritten_read CASE
// Tested by: pytest tests/modes/test_unwritten.py
#include <cstring>

#include "tikicpulib.h"

using namespace AscendC;

template <bool FILL, bool SYNC, bool INTRINSIC = false>
__aicore__ inline void AddScratch(GM_ADDR x) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> a, b;
    pipe.InitBuffer(a, 1024);
    pipe.InitBuffer(b, 1024);
    LocalTensor<float> ta = a.Get<float>(), tb = b.Get<float>();
    Duplicate(ta, 1.0f, FILL ? 256 : 128);
    Duplicate(tb, 2.0f, 256);
    Add(tb, ta, tb, 256);  // CHECK: uninitialised-read
    if (SYNC && INTRINSIC) {
        set_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
        wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
    } else if (SYNC) {
        SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
        WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    }
    GlobalTensor<float> gm;
    gm.SetGlobalBuffer((__gm__ float*)x, 256);
    DataCopy(gm, tb, 256);  // CHECK: unsynced-read
}

extern "C" __global__ __aicore__ void garbage(GM_ADDR x) { AddScratch<false, true>(x); }
extern "C" __global__ __aicore__ void unsynced(GM_ADDR x) { AddScratch<true, false>(x); }
extern "C" __global__ __aicore__ void filled(GM_ADDR x) { AddScratch<true, true>(x); }
extern "C" __global__ __aicore__ void intrinsic(GM_ADDR x) { AddScratch<true, true, true>(x); }

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc < 2) return 2;
    uint8_t* x = (uint8_t*)GmAlloc(1024);
    if (!std::strcmp(argv[1], "garbage")) ICPU_RUN_KF(garbage, 1, x);
    else if (!std::strcmp(argv[1], "unsynced")) ICPU_RUN_KF(unsynced, 1, x);
    else if (!std::strcmp(argv[1], "filled")) ICPU_RUN_KF(filled, 1, x);
    else if (!std::strcmp(argv[1], "intrinsic")) ICPU_RUN_KF(intrinsic, 1, x);
    else return 2;
    GmFree(x);
    return 0;
}
