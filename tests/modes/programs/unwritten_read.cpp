// unwritten_read: a vector instruction reading UB that nothing wrote in the launch. On the NPU it
// reads whatever an earlier kernel left there; the npu_simulator model reports it.
//
//   garbage   Add reads a scratch tile only half of which was filled (Duplicate of 128 of 256)
//   filled    the same with the whole tile filled first (control: no finding)
//
// Usage: unwritten_read CASE
// Tested by: pytest tests/modes/test_unwritten.py
#include <cstring>

#include "tikicpulib.h"

using namespace AscendC;

template <bool FILL>
__aicore__ inline void AddScratch(GM_ADDR x) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> a, b;
    pipe.InitBuffer(a, 1024);
    pipe.InitBuffer(b, 1024);
    LocalTensor<float> ta = a.Get<float>(), tb = b.Get<float>();
    Duplicate(ta, 1.0f, FILL ? 256 : 128);
    Duplicate(tb, 2.0f, 256);
    Add(tb, ta, tb, 256);  // CHECK: uninitialised-read
    GlobalTensor<float> gm;
    gm.SetGlobalBuffer((__gm__ float*)x, 256);
    DataCopy(gm, tb, 256);
}

extern "C" __global__ __aicore__ void garbage(GM_ADDR x) { AddScratch<false>(x); }
extern "C" __global__ __aicore__ void filled(GM_ADDR x) { AddScratch<true>(x); }

int main(int argc, char* argv[]) {
    if (argc < 2) return 2;
    uint8_t* x = (uint8_t*)GmAlloc(1024);
    if (!std::strcmp(argv[1], "garbage")) ICPU_RUN_KF(garbage, 1, x);
    else if (!std::strcmp(argv[1], "filled")) ICPU_RUN_KF(filled, 1, x);
    else return 2;
    GmFree(x);
    return 0;
}
