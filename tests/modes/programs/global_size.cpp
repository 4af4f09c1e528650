// global_size: a DataCopy past the element count given to SetGlobalBuffer, inside the GM buffer the
// host allocated. The NPU copies it without complaint; the npu_simulator model reports it, because
// the size the kernel declared and the data it moves disagree.
//
//   past_size   SetGlobalBuffer(x, 64) then DataCopy of 128 floats
//   within      the same copy of 64 floats (control: no finding)
//
// Usage: global_size CASE
// Tested by: pytest tests/modes/test_global_size.py
#include <cstring>

#include "tikicpulib.h"

using namespace AscendC;

template <uint32_t COUNT>
__aicore__ inline void CopyIn(GM_ADDR x) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> buf;
    pipe.InitBuffer(buf, 1024);
    GlobalTensor<float> gm;
    gm.SetGlobalBuffer((__gm__ float*)x, 64);
    DataCopy(buf.Get<float>(), gm, COUNT);  // CHECK: globaltensor-size
}

extern "C" __global__ __aicore__ void past_size(GM_ADDR x) { CopyIn<128>(x); }
extern "C" __global__ __aicore__ void within(GM_ADDR x) { CopyIn<64>(x); }

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc < 2) return 2;
    uint8_t* x = (uint8_t*)GmAlloc(4096);
    if (!std::strcmp(argv[1], "past_size")) ICPU_RUN_KF(past_size, 1, x);
    else if (!std::strcmp(argv[1], "within")) ICPU_RUN_KF(within, 1, x);
    else return 2;
    GmFree(x);
    return 0;
}
